"""Load: the public site and API at saturation through gunicorn, with an editor working in the admin meanwhile.

gunicorn (sync workers, 2 × CPUs, ``DEBUG=0``) serves the benchmark database on 127.0.0.1 (the first free
port of 8850–8859 unless ``--port``). A bounded client (``--processes`` × ``--threads``, each sending its
next GET as soon as the last one answered) drives a weighted mix of what readers and robots ask for: the
home page, the claims list (plain, filtered, and searched with the queries of
``claims/search_eval/eval_set.json``), verdict pages, actor, source and outlet pages, the API list and
detail, the Atom feeds and the sitemap. The throttles are raised out of the way in the server's environment
(``bench/common.py`` ``BENCH_ENV``: ``API_ANON_RATE``, ``API_USER_RATE``, ``PUBLIC_SEARCH_RATE``), so the
run measures the application, not 429s; a 429 is still counted, apart from the errors.

Meanwhile an editor (a staff user in the Editor group, made by this script) logs into the admin and every
``--admin-interval`` seconds opens the claims changelist and a claim's change form; the same requests are
first timed alone, before the load, for comparison.

Prints requests, requests/s and p50/p95/p99 per route group; errors by kind (5xx, other statuses,
connection errors, timeouts) and 429s; the memory (VmRSS from ``/proc``) of the gunicorn master and
workers sampled every second (idle, after warm-up, peak, end, the slope over the last 40 s, and whether
it stayed flat: end within 10 % of after warm-up); PostgreSQL connections to the database; gunicorn's
worker timeouts and restarts. ``--strict``: exit 1 on any error or 429, or a memory climb.

    python -m bench.load --n 100000 [--duration 60] [--warmup 5] [--workers 4] [--processes 2] [--threads 4]
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import multiprocessing
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common
from bench.loadgen import _cpu_ticks

PORTS = range(8850, 8860)
EVAL_SET = common.ROOT / "claims" / "search_eval" / "eval_set.json"
EDITOR_USERNAME = "load-editor"
ADMIN_CHANGELIST = "/admin/claims/claim/"
#: Share of the public requests by route group: reading verdicts first, then lists and the API, robots last.
WEIGHTS = {
    "verdict_page": 28,
    "home": 10,
    "claims_list": 12,
    "search": 6,
    "actor_source": 10,
    "api_list": 12,
    "api_detail": 12,
    "feeds": 8,
    "sitemap": 2,
}
MEMORY_FLAT = 0.10  # the end of the window within 10 % of the RSS after warm-up
SLOPE_WINDOW = 40.0  # seconds at the end of the window the RSS slope is fitted over


def wsgi_application() -> Any:
    """What gunicorn serves (``bench.load:wsgi_application()``): the project's WSGI application with the
    benchmarks' settings, where pages name static files plainly (no collectstatic manifest needed)."""
    common.setup_django()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# --- What is requested -------------------------------------------------------------------------------------


def public_mix(count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (group, path) pairs drawn with ``WEIGHTS`` from the database's public pages (needs Django)."""
    from django.utils import translation

    from claims.filters import public_languages
    from claims.models import Claim
    from claims.ratings import rating_scale
    from claims.selectors import public_actors, public_outlets, public_sources

    randomness = random.Random(seed)
    claims = list(Claim.objects.public().order_by("?").prefetch_related("translations")[:500])
    actors = list(public_actors().order_by("?")[:200])
    sources = list(public_sources().order_by("?")[:200])
    outlets = list(public_outlets().order_by("pk")[:200])
    ratings = [rating.slug for rating in rating_scale().ratings.values() if rating.is_active]
    languages = public_languages()
    queries = [item["query"] for item in json.loads(EVAL_SET.read_text(encoding="utf-8"))["search"]]
    if not claims:
        raise SystemExit("The database has no public claim to request.")

    def localised(language: str, obj: Any) -> str:
        with translation.override(language):
            return str(obj.get_absolute_url())

    def page(language: str, path: str) -> str:
        return f"/{language}{path}"

    def pick(group: str) -> str:
        language = randomness.choice(["vi", "vi", "en"])  # a Vietnamese newsroom: most readers read Vietnamese
        if group == "verdict_page":
            return localised(language, randomness.choice(claims))
        if group == "home":
            return page(language, "/")
        if group == "claims_list":
            filters = [
                {},
                {"rating": randomness.choice(ratings)},
                {"language": randomness.choice(languages or ["vi"])},
                {"outlet": randomness.choice(outlets).pk} if outlets else {},
                {"claimant": randomness.choice(claims).claimant_id or ""},
                {"published_from": "2020-01-01", "rating": randomness.choice(ratings)},
            ]
            query = urllib.parse.urlencode({k: v for k, v in randomness.choice(filters).items() if v})
            return page(language, "/claims/" + (f"?{query}" if query else ""))
        if group == "search":
            return page(language, "/claims/?" + urllib.parse.urlencode({"q": randomness.choice(queries)}))
        if group == "actor_source":
            kind = randomness.choices(["actor", "source", "outlet"], [5, 4, 1])[0]
            if kind == "actor" and actors:
                return localised(language, randomness.choice(actors))
            if kind == "source" and sources:
                return localised(language, randomness.choice(sources))
            return localised(language, randomness.choice(outlets)) if outlets else page(language, "/")
        if group == "api_list":
            filters = [{}, {"rating": randomness.choice(ratings)}, {"language": "vi"}, {"page_size": 50}]
            query = {"lang": language, **randomness.choice(filters)}
            return "/api/v1/claims/?" + urllib.parse.urlencode(query)
        if group == "api_detail":
            return f"/api/v1/claims/{randomness.choice(claims).pk}/?lang={language}"
        if group == "feeds":
            if actors and randomness.random() < 0.3:
                return f"/feeds/actors/{randomness.choice(actors).pk}.xml?lang={language}"
            return f"/feeds/claims.xml?lang={language}"
        if group == "sitemap":
            # Robots read the index, then its sections; the big ones (20,000 entries, ~12 MB a page) rarely.
            sections = {"/sitemap.xml": 6, "/sitemap-pages.xml": 2, "/sitemap-outlets.xml": 1}
            sections |= {"/sitemap-actors.xml": 1, "/sitemap-claims.xml": 0.5, "/sitemap-sources.xml": 0.5}
            return randomness.choices(list(sections), list(sections.values()))[0]
        raise ValueError(group)

    groups = randomness.choices(list(WEIGHTS), list(WEIGHTS.values()), k=count)
    return [(group, pick(group)) for group in groups]


def prepare_editor() -> tuple[str, list[int]]:
    """A staff user in the Editor group with a fresh password, and claims (any state) for change forms."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from claims.models import Claim

    password = secrets.token_urlsafe(16)
    user, _created = get_user_model().objects.get_or_create(username=EDITOR_USERNAME)
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name="Editor"))
    claims = list(Claim.objects.order_by("?").values_list("pk", flat=True)[:100])
    return password, claims


# --- The public client ---------------------------------------------------------------------------------------


def _public_thread(
    port: int, mix: list[tuple[str, str]], offset: int, start: float, stop: float, timeout: float, out: dict[str, Any]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    index = offset
    while True:
        began = time.perf_counter()
        if began >= stop:
            break
        group, path = mix[index % len(mix)]
        index += 1
        kind = ""
        status = 0
        try:
            connection.request("GET", path, headers={"Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except TimeoutError:
            kind = "timeout"
        except (OSError, http.client.HTTPException):
            kind = "connection"
        if kind:
            connection.close()
        elif status == 429:
            kind = "throttled"
        elif status >= 500:
            kind = "5xx"
        elif status != 200:
            kind = "other_status"
        ended = time.perf_counter()
        if began < start:
            continue
        if not kind:
            out["latencies"].setdefault(group, []).append(ended - began)
        else:
            out["failures"].setdefault(group, {}).setdefault(kind, 0)
            out["failures"][group][kind] += 1
            if len(out["samples"]) < 10:
                out["samples"].append({"group": group, "path": path, "kind": kind, "status": status})
    connection.close()


def _public_process(
    port: int,
    mix: list[tuple[str, str]],
    threads: int,
    offset: int,
    window: tuple[float, float],
    timeout: float,
    queue: Any,
) -> None:
    outs: list[dict[str, Any]] = [{"latencies": {}, "failures": {}, "samples": []} for _ in range(threads)]
    workers = [
        threading.Thread(target=_public_thread, args=(port, mix, offset + i * 997, *window, timeout, outs[i]))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(outs)


@dataclass
class PublicResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, dict[str, int]] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    machine_busy: float = 0.0

    def merge(self, out: dict[str, Any]) -> None:
        for group, values in out["latencies"].items():
            self.latencies.setdefault(group, []).extend(values)
        for group, kinds in out["failures"].items():
            for kind, count in kinds.items():
                self.failures.setdefault(group, {}).setdefault(kind, 0)
                self.failures[group][kind] += count
        self.samples += out["samples"][: 10 - len(self.samples)]

    def count(self, kind: str) -> int:
        return sum(kinds.get(kind, 0) for kinds in self.failures.values())


def start_public_load(
    port: int, mix: list[tuple[str, str]], processes: int, threads: int, window: tuple[float, float], timeout: float
) -> tuple[list[Any], Any]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [
        context.Process(target=_public_process, args=(port, mix, threads, i * threads * 997, window, timeout, queue))
        for i in range(processes)
    ]
    for child in children:
        child.start()
    return children, queue


def collect_public_load(children: list[Any], queue: Any, timeout: float) -> PublicResult:
    result = PublicResult()
    for _ in children:
        for out in queue.get(timeout=timeout):
            result.merge(out)
    for child in children:
        child.join()
    return result


# --- The editor ------------------------------------------------------------------------------------------


class Editor:
    """A browser-like admin session: cookies kept, CSRF token sent with the login form."""

    def __init__(self, port: int, password: str, timeout: float) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.password = password
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def log_in(self) -> None:
        login = f"{self.base}/admin/login/?next={ADMIN_CHANGELIST}"
        with self.opener.open(login, timeout=self.timeout) as response:
            html = response.read().decode("utf-8")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if token is None:
            raise RuntimeError("the admin login page has no CSRF token")
        form = {"username": EDITOR_USERNAME, "password": self.password, "csrfmiddlewaretoken": token.group(1)}
        data = urllib.parse.urlencode({**form, "next": ADMIN_CHANGELIST}).encode()
        request = urllib.request.Request(login, data=data)  # noqa: S310 - http://127.0.0.1 only
        with self.opener.open(request, timeout=self.timeout) as response:
            response.read()
            if urllib.parse.urlsplit(response.url).path != ADMIN_CHANGELIST:
                raise RuntimeError(f"the editor could not log in (landed on {response.url})")

    def get(self, path: str) -> tuple[float, str]:
        """Seconds taken and "" when it answered 200, else the kind of error."""
        began = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=self.timeout) as response:
                response.read()
                kind = "" if response.status == 200 and response.url == self.base + path else "other_status"
        except urllib.error.HTTPError as error:
            kind = "5xx" if error.code >= 500 else "throttled" if error.code == 429 else "other_status"
        except TimeoutError:
            kind = "timeout"
        except OSError as error:
            kind = "timeout" if isinstance(getattr(error, "reason", None), TimeoutError) else "connection"
        return time.perf_counter() - began, kind


@dataclass
class AdminResult:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"changelist": [], "change_form": []})
    errors: dict[str, int] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        every = self.latencies["changelist"] + self.latencies["change_form"]
        return {
            "requests": len(every),
            **{key: round(value, 1) for key, value in common.summary_ms(every).items() if key != "count"},
            "changelist_p95_ms": round(common.percentile([s * 1000 for s in self.latencies["changelist"]], 95), 1),
            "change_form_p95_ms": round(common.percentile([s * 1000 for s in self.latencies["change_form"]], 95), 1),
            "errors": sum(self.errors.values()),
        }


def edit(editor: Editor, claims: list[int], stop: float, interval: float, rounds: int | None = None) -> AdminResult:
    """Open the changelist and a change form every ``interval`` seconds until ``stop`` (or ``rounds`` times)."""
    result = AdminResult()
    done = 0
    while time.perf_counter() < stop and (rounds is None or done < rounds):
        began = time.perf_counter()
        claim = claims[done % len(claims)]
        for name, path in (("changelist", ADMIN_CHANGELIST), ("change_form", f"{ADMIN_CHANGELIST}{claim}/change/")):
            seconds, kind = editor.get(path)
            if kind:
                result.errors[kind] = result.errors.get(kind, 0) + 1
            else:
                result.latencies[name].append(seconds)
        done += 1
        time.sleep(max(0.0, began + interval - time.perf_counter()))
    return result


# --- Memory and connections -------------------------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants, from ``/proc/*/stat`` (the parent pid follows the command's parenthesis)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                ppid = int(stat.read().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += parents.get(pid, [])
    return tree


def rss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
                        break
        except OSError:
            continue  # a worker that just exited
    return total_kb / 1024


class Sampler(threading.Thread):
    """Every second: the RSS of the gunicorn tree, its process count and the database's connections."""

    def __init__(self, master: int, url: str) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.url = url
        self.samples: list[dict[str, float]] = []
        self.worker_pids: set[int] = set()
        self.max_connections = 0
        self.halt = threading.Event()

    def run(self) -> None:
        import psycopg

        name = common.database_name(self.url)
        with psycopg.connect(**common._connect_kwargs(self.url)) as connection:
            (self.max_connections,) = connection.execute("SELECT current_setting('max_connections')::int").fetchone()
            while not self.halt.is_set():
                pids = process_tree(self.master)
                self.worker_pids.update(pids[1:])
                (connections,) = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
                ).fetchone() or (0,)
                self.samples.append(
                    {"t": time.perf_counter(), "rss_mb": rss_mb(pids), "processes": len(pids), "pg": connections}
                )
                self.halt.wait(1.0)


def slope_mb_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) points, in MB per minute."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_m = sum(m for _, m in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if not spread:
        return 0.0
    return 60 * sum((t - mean_t) * (m - mean_m) for t, m in points) / spread


def memory_figures(samples: list[dict[str, float]], start: float, stop: float) -> dict[str, Any]:
    before = [s for s in samples if s["t"] < start]
    window = [s for s in samples if start <= s["t"] <= stop + 0.5]
    if not window:
        return {}
    after_warmup, end = window[0]["rss_mb"], window[-1]["rss_mb"]
    tail = [(s["t"], s["rss_mb"]) for s in window if s["t"] >= stop - SLOPE_WINDOW]
    growth = (end - after_warmup) / after_warmup if after_warmup else 0.0
    return {
        "idle_mb": round(before[-1]["rss_mb"], 1) if before else None,  # after the admin was timed alone
        "after_warmup_mb": round(after_warmup, 1),
        "peak_mb": round(max(s["rss_mb"] for s in window), 1),
        "end_mb": round(end, 1),
        "growth": round(growth, 4),
        "slope_last_40s_mb_per_min": round(slope_mb_per_minute(tail), 2),
        "flat": abs(growth) <= MEMORY_FLAT,
        "samples": len(window),
        "every_10s_mb": [round(s["rss_mb"]) for s in window[::10]],
        "processes": int(max(s["processes"] for s in window)),
    }


# --- gunicorn --------------------------------------------------------------------------------------------


def pick_port(port: int) -> int:
    for candidate in [port] if port else PORTS:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise SystemExit(f"no free port among {PORTS.start}–{PORTS.stop - 1}")


@contextmanager
def gunicorn(workers: int, port: int, url: str, timeout: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.load:wsgi_application()",
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync"),
        *("--backlog", "2048", "--timeout", str(timeout), "--log-level", "info"),
    ]
    with open(log, "wb") as stderr:
        process = subprocess.Popen(command, cwd=common.ROOT, env=common.bench_env(url), stderr=stderr)
    try:
        common.wait_for_port(port, process, timeout=60)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_log_figures(log: Path, workers: int) -> dict[str, int]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return {
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "workers_booted": text.count("Booting worker"),
        "worker_restarts": max(0, text.count("Booting worker") - workers),
        "server_errors_logged": text.count("Internal Server Error"),
        "tracebacks": text.count("Traceback (most recent call last)"),
    }


class LoadReport(common.Report):
    """The common report, with the route groups and the editor's requests as a table."""

    def print(self) -> None:
        print(f"== {self.benchmark} ({self.size['public_claims']:,} public of {self.size['claims']:,} claims) ==")
        for name, value in self.figures.items():
            if name not in {"groups", "admin_alone", "admin_under_load"}:
                print(f"  {name}: {common._show(value)}")
        print(
            f"  {'':<18}{'requests':>9}{'req/s':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
            f"{'errors':>7}{'429':>5}"
        )
        rows = {**self.figures["groups"], "admin alone": self.figures["admin_alone"]}
        rows["admin under load"] = self.figures["admin_under_load"]
        for name, row in rows.items():
            rate = f"{row['req_per_s']:>7.1f}" if "req_per_s" in row else f"{'':>7}"
            print(
                f"  {name:<18}{row['requests']:>9,}{rate}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}{row['errors']:>7}{row.get('throttled', 0):>5}"
            )
        for goal in self.goals:
            print(goal.line())
        for note in self.notes:
            print(f"  note: {note}")
        sys.stdout.flush()


# --- The run ---------------------------------------------------------------------------------------------


def group_figures(result: PublicResult, seconds: float) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    for group in WEIGHTS:
        latencies = common.summary_ms(result.latencies.get(group, []))
        failures = result.failures.get(group, {})
        groups[group] = {
            "requests": latencies["count"] + sum(failures.values()),
            "req_per_s": round((latencies["count"] + sum(failures.values())) / seconds, 1),
            "p50_ms": round(latencies["p50_ms"], 1),
            "p95_ms": round(latencies["p95_ms"], 1),
            "p99_ms": round(latencies["p99_ms"], 1),
            "max_ms": round(latencies["max_ms"], 1),
            "errors": sum(count for kind, count in failures.items() if kind != "throttled"),
            "throttled": failures.get("throttled", 0),
        }
    return groups


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = common.parser(__doc__.splitlines()[0])
    cpus = os.cpu_count() or 2
    arguments.add_argument("--duration", type=float, default=60.0, help="measured seconds of load (default 60)")
    arguments.add_argument("--warmup", type=float, default=5.0, help="seconds of load not counted first (default 5)")
    arguments.add_argument("--workers", type=int, default=2 * cpus, help=f"gunicorn workers (default {2 * cpus})")
    arguments.add_argument("--processes", type=int, default=2, help="client processes (default 2)")
    arguments.add_argument("--threads", type=int, default=4, help="threads per client process (default 4)")
    arguments.add_argument("--port", type=int, default=0, help="gunicorn's port (default: first free of 8850–8859)")
    arguments.add_argument("--timeout", type=float, default=60.0, help="client timeout per request, s (default 60)")
    arguments.add_argument("--admin-interval", type=float, default=0.5, help="editor's pace, s (default 0.5)")
    arguments.add_argument("--admin-rounds", type=int, default=20, help="editor rounds timed alone (default 20)")
    arguments.add_argument("--strict", action="store_true", help="exit 1 on any error, 429 or memory climb")
    options = arguments.parse_args(argv)

    size = common.prepare(options.n, options.seed)
    url = common.database_url()
    from django.db import connection

    mix = public_mix(20_000, options.seed)
    password, admin_claims = prepare_editor()
    connection.close()  # the client processes are forked from this one
    port = pick_port(options.port)
    report = LoadReport("load", size)
    server_timeout = 30

    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "gunicorn.log"
        with gunicorn(options.workers, port, url, server_timeout, log) as server:
            sampler = Sampler(server.pid, url)
            sampler.start()
            editor = Editor(port, password, options.timeout)
            editor.log_in()
            # Workers render each admin page once or so (templates, caches) before the editor is timed alone.
            edit(editor, admin_claims, time.perf_counter() + 60, 0.0, rounds=options.workers)
            alone = edit(editor, admin_claims, time.perf_counter() + 120, options.admin_interval, options.admin_rounds)

            start = time.perf_counter() + 0.3 + options.warmup
            stop = start + options.duration
            children, queue = start_public_load(
                port, mix, options.processes, options.threads, (start, stop), options.timeout
            )
            time.sleep(max(0.0, start - time.perf_counter()))
            busy_before, total_before = _cpu_ticks()
            others = admin_claims[options.admin_rounds :] or admin_claims  # forms not opened alone
            under_load = edit(editor, others, stop, options.admin_interval)
            busy_after, total_after = _cpu_ticks()
            public = collect_public_load(children, queue, options.duration + options.warmup + 2 * options.timeout + 60)
            time.sleep(1.2)  # one more memory sample after the window
            sampler.halt.set()
            sampler.join(timeout=10)
        server_log = server_log_figures(log, options.workers)
        log_tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]

    public.machine_busy = (busy_after - busy_before) / max(1, total_after - total_before)
    every = [s for values in public.latencies.values() for s in values]
    overall = common.summary_ms(every)
    errors = {kind: public.count(kind) for kind in ("5xx", "other_status", "connection", "timeout")}
    throttled = public.count("throttled")
    total = len(every) + sum(errors.values()) + throttled
    memory = memory_figures(sampler.samples, start, stop)
    in_window = [s for s in sampler.samples if start <= s["t"] <= stop]
    admin_alone, admin_load = alone.figures(), under_load.figures()
    admin_errors = admin_alone["errors"] + admin_load["errors"]

    report.figures = {
        "setup": (
            f"gunicorn sync × {options.workers} on 127.0.0.1:{port}; client {options.processes} processes × "
            f"{options.threads} threads; {options.duration:g} s measured after {options.warmup:g} s warm-up"
        ),
        "requests": total,
        "req_per_s": round(total / options.duration, 1),
        "p50_ms": round(overall["p50_ms"], 1),
        "p95_ms": round(overall["p95_ms"], 1),
        "p99_ms": round(overall["p99_ms"], 1),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "throttled_429": throttled,
        "groups": group_figures(public, options.duration),
        "admin_alone": admin_alone,
        "admin_under_load": admin_load,
        "admin_p95_ratio": round(admin_load["p95_ms"] / admin_alone["p95_ms"], 2) if admin_alone["p95_ms"] else None,
        "memory": memory,
        "pg_connections_peak": int(max((s["pg"] for s in in_window), default=0)),
        "pg_max_connections": sampler.max_connections,
        "server": server_log,
        "machine_busy": round(public.machine_busy, 2),
        "load_average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }
    report.goals = [
        common.Goal("errors (public and admin)", float(sum(errors.values()) + admin_errors), 0, at_most=True),
        common.Goal("429s", float(throttled), 0, at_most=True),
        common.Goal("memory growth after warm-up", 100 * memory.get("growth", 0.0), 100 * MEMORY_FLAT, True, "%"),
    ]
    raised = ("API_ANON_RATE", "API_USER_RATE", "PUBLIC_SEARCH_RATE")
    report.notes.append(
        "throttles raised in gunicorn's environment (bench/common.py BENCH_ENV): "
        + ", ".join(f"{name}={common.BENCH_ENV[name]}" for name in raised)
    )
    if public.samples:
        report.notes.append("first failed requests: " + json.dumps(public.samples[:5]))
    if admin_errors:
        report.notes.append(f"admin errors: alone {alone.errors}, under load {under_load.errors}")
    if server_log["worker_restarts"]:
        report.notes.append(
            "a worker was replaced during the run (gunicorn kills one that takes over 30 s): the memory figures "
            "include its fresh replacement, and the request it was serving failed (a 500 or a dropped connection)"
        )
    if server_log["tracebacks"] or server_log["worker_timeouts"]:
        report.notes.append("end of gunicorn's log: " + log_tail)
    data = common.finish(report, options.json)
    if options.strict and not all(goal.met for goal in report.goals):
        raise SystemExit(1)
    return data


if __name__ == "__main__":
    main()
