"""API list under concurrent load through gunicorn, against the raw baseline (``bench/raw_baseline.py``).

Both apps run under gunicorn with the same sync workers on the same database, one after the other in
this run, and get the same requests: ``/api/v1/claims/?page_size=50&lang=en`` and the next pages
(``--pages``, their cursors taken from the API's own ``next`` links), round-robin. Before the load, page 1
of both is compared: the raw app must give the same ``results`` or its figures mean nothing.

Prints requests/s and p50/p95/p99 latency of each, the ratio of throughputs (goal ≥ 0.5), and how busy
the client and the machine were (on a small machine the client shares the CPUs with the servers). Django
runs twice: for the goal without the page cache (``PAGE_CACHE_SECONDS=0``: every page made from the
database, as the raw app makes it), then as deployed, anonymous clients' pages kept (``django_cached``,
its ratio reported, no goal: the raw app keeps nothing).

    python -m bench.api_list --n 100000 [--seconds 15] [--workers 4] [--processes 2] [--threads 4]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from bench import common
from bench.loadgen import LoadResult, run_load

FIRST_PAGE = "/api/v1/claims/?page_size=50&lang=en"


@contextmanager
def gunicorn(app: str, workers: int, url: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """A gunicorn serving ``app`` on 127.0.0.1 (a free port), ``env`` over the benchmark's environment;
    stopped and waited for on leaving."""
    port = common.free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=common.ROOT, env={**common.bench_env(url), **(env or {})})
    try:
        common.wait_for_port(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port: int, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return json.loads(response.read())


def page_paths(port: int, pages: int) -> list[str]:
    """Page 1 and the next ``pages - 1`` pages, as the API links them."""
    paths = [FIRST_PAGE]
    data = get(port, FIRST_PAGE)
    while len(paths) < pages and data.get("next"):
        parts = urlsplit(data["next"])
        paths.append(f"{parts.path}?{parts.query}")
        data = get(port, paths[-1])
    return paths


def figures(load: LoadResult, warmup: float) -> dict[str, Any]:
    latencies = common.summary_ms(load.latencies)
    return {
        "requests_per_s": round(load.requests_per_second, 1),
        "p50_ms": round(latencies["p50_ms"], 2),
        "p95_ms": round(latencies["p95_ms"], 2),
        "p99_ms": round(latencies["p99_ms"], 2),
        "requests": len(load.latencies),
        "errors": load.errors,
        "client_cpu_cores": round(load.client_cpu_seconds / (load.seconds + warmup + 0.2), 2),
        "machine_busy": round(load.machine_busy, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = common.parser(__doc__.splitlines()[0])
    cpus = os.cpu_count() or 2
    arguments.add_argument("--seconds", type=float, default=15.0, help="measured seconds per app (default 15)")
    arguments.add_argument("--warmup", type=float, default=2.0, help="seconds not counted at the start (default 2)")
    arguments.add_argument("--workers", type=int, default=2 * cpus, help=f"gunicorn workers (default {2 * cpus})")
    arguments.add_argument("--processes", type=int, default=2, help="client processes (default 2)")
    arguments.add_argument("--threads", type=int, default=4, help="threads per client process (default 4)")
    arguments.add_argument("--pages", type=int, default=10, help="distinct pages requested (default 10)")
    options = arguments.parse_args(argv)
    size = common.prepare(options.n, options.seed)
    url = common.database_url()
    report = common.Report("api_list", size)

    def load(port: int, paths: list[str]) -> dict[str, Any]:
        return figures(
            run_load(port, paths, options.seconds, options.warmup, options.processes, options.threads), options.warmup
        )

    # The goal's figure: each page made from the database, as the raw app makes it (no page cache).
    with gunicorn("factcheck.wsgi:application", options.workers, url, {"PAGE_CACHE_SECONDS": "0"}) as port:
        paths = page_paths(port, options.pages)
        django_page = get(port, FIRST_PAGE)
        django = load(port, paths)
    with gunicorn("bench.raw_baseline:application", options.workers, url) as port:
        raw_page = get(port, FIRST_PAGE)
        raw = load(port, paths)
    # As deployed for anonymous clients: the pages kept by each worker (its own memory: REDIS_URL is empty).
    with gunicorn("factcheck.wsgi:application", options.workers, url, {"PAGE_CACHE_SECONDS": "60"}) as port:
        cached_page = get(port, FIRST_PAGE)
        cached = load(port, paths)

    differing = [
        mine["id"] for mine, theirs in zip(django_page["results"], raw_page["results"], strict=False) if mine != theirs
    ]
    same = not differing and len(django_page["results"]) == len(raw_page["results"])
    ratio = django["requests_per_s"] / raw["requests_per_s"] if raw["requests_per_s"] else 0.0
    cached_ratio = cached["requests_per_s"] / raw["requests_per_s"] if raw["requests_per_s"] else 0.0
    report.figures = {
        "django": django,
        "raw_baseline": raw,
        "throughput_ratio": round(ratio, 3),
        "django_cached": cached,
        "cached_throughput_ratio": round(cached_ratio, 3),
        "cached_page1_identical": cached_page["results"] == django_page["results"],
        "pages": len(paths),
        "page1_results_identical": same,
        "page1_claims": len(django_page["results"]),
        "setup": f"gunicorn sync × {options.workers}; client {options.processes} processes × {options.threads} threads",
    }
    report.goals = [common.Goal("throughput vs raw baseline", ratio, 0.5, at_most=False, unit="×")]
    if not same:
        report.notes.append(f"page 1 differs between Django and the raw app for claims {differing[:5]}")
    if django["errors"] or raw["errors"] or cached["errors"]:
        report.notes.append(f"errors: django {django['errors']}, raw {raw['errors']}, cached {cached['errors']}")
    report.notes.append(
        "goal on django without the page cache (each page from the database, as the raw app); "
        "django_cached: anonymous pages kept 60 s in each worker's memory, as deployed"
    )
    return common.finish(report, options.json)


if __name__ == "__main__":
    main()
