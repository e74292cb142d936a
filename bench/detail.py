"""The verdict page and the API detail of one claim: p95 latency and queries per request.

In-process (Django's test client, ``DEBUG=0``, no network), over ``--requests`` public claims drawn at
random (seeded) from the database, each asked once per surface after a short warm-up: what the view and
the database spend. Queries are counted on every request (Django's query capture).

    python -m bench.detail --n 100000 [--requests 300]
"""

from __future__ import annotations

import random
import time
from typing import Any

from bench import common

GOAL_P95_MS = 25.0
GOAL_QUERIES = 8


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = common.parser(__doc__.splitlines()[0])
    arguments.add_argument("--requests", type=int, default=300, help="claims asked per surface (default 300)")
    arguments.add_argument("--warmup", type=int, default=20, help="requests not counted (default 20)")
    options = arguments.parse_args(argv)
    size = common.prepare(options.n, options.seed)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from claims.models import Claim

    ids = list(Claim.objects.public().values_list("pk", flat=True))
    chosen = random.Random(options.seed).sample(ids, min(len(ids), options.requests + options.warmup))
    slugs = {c.pk: c.slug for c in Claim.objects.filter(pk__in=chosen).prefetch_related("translations")}
    surfaces = {
        "verdict_page": lambda pk: f"/en/claims/{pk}-{slugs[pk]}/",
        "api_detail": lambda pk: f"/api/v1/claims/{pk}/?lang=en",
    }
    client = Client()
    report = common.Report("detail", size)
    for name, path_of in surfaces.items():
        times, queries = [], []
        for i, pk in enumerate(chosen):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path_of(pk))
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path_of(pk)} answered {response.status_code}")
            if i >= options.warmup or len(chosen) <= options.warmup:
                times.append(elapsed)
                queries.append(len(captured.captured_queries))
        latency = common.summary_ms(times)
        report.figures[name] = {
            "requests": len(times),
            "p50_ms": round(latency["p50_ms"], 2),
            "p95_ms": round(latency["p95_ms"], 2),
            "p99_ms": round(latency["p99_ms"], 2),
            "queries_max": max(queries),
            "queries_mean": round(sum(queries) / len(queries), 2),
        }
        report.goals.append(common.Goal(f"{name} p95", latency["p95_ms"], GOAL_P95_MS, at_most=True, unit=" ms"))
        report.goals.append(common.Goal(f"{name} queries", max(queries), GOAL_QUERIES, at_most=True))
    report.notes.append("in-process (test client), query capture on: time excludes HTTP and gunicorn")
    return common.finish(report, options.json)


if __name__ == "__main__":
    main()
