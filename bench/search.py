"""Search (``q``) with the evaluation queries, against an ``ILIKE`` scan baseline.

The queries are those of ``claims/search_eval/eval_set.json`` (what ``manage.py evaluate_search``
measures quality on). Each is run through ``claims.search.ranked_ids`` over the public claims (what the
API's ``q`` and the public list call) and timed, after the first ten once as a warm-up. The baseline is the search a
developer writes first: every word of the query as typed in ``claims_claim.text ILIKE '%word%'`` over the
public claims, newest first, at most as many rows as the search returns — a scan of the claims table
(the plan is printed). It finds less (no folding, translations or names); it is a cost, not a rival.

Goals: p95 ≤ 50 ms, and the baseline's p95 at least 20 × the search's.

Also reported, without a goal or a baseline: the same queries within a filter that keeps few claims, as
the API's ``language=``, ``claimant=``, ``rating=``, ``rating_class=``, ``outlet=``, ``mentions=`` and
``source=`` ask them — the public claims in their least common language, those of the claimant with the
most public claims, of the least common rating, of the least common rating class, of the outlet that
fewest of them appeared in, of the actor fewest of them mention, and of the source most of them appeared
in (``within_language``, ``within_claimant``, ``within_rating``, ``within_rating_class``, ``within_outlet``,
``within_mentions``, ``within_source``).

    python -m bench.search --n 100000 [--queries 0 (all)]
"""

from __future__ import annotations

import json
import time
from typing import Any

from bench import common

GOAL_P95_MS = 50.0
GOAL_SPEEDUP = 20.0

BASELINE_SQL = """
SELECT id FROM claims_claim
WHERE status IN ('published', 'retracted') AND {words}
ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT %s
"""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = common.parser(__doc__.splitlines()[0])
    arguments.add_argument("--queries", type=int, default=0, help="use only the first N queries (default: all)")
    options = arguments.parse_args(argv)
    size = common.prepare(options.n, options.seed)

    from django.db import connection
    from django.db.models import Count

    from claims.api import ClaimFilter
    from claims.management.commands.evaluate_search import EVAL_SET
    from claims.models import Claim
    from claims.search import MAX_RESULTS, ranked_ids

    queries = [item["query"] for item in json.loads(EVAL_SET.read_text(encoding="utf-8"))["search"]]
    queries = queries[: options.queries] if options.queries else queries
    public = Claim.objects.public()

    def baseline(query: str) -> list[int]:
        words = query.split()[:10] or [query]
        condition = " AND ".join(["text ILIKE %s"] * len(words))
        patterns = ["%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for word in words]
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL.format(words=condition), [*patterns, MAX_RESULTS])
            return [row[0] for row in cursor.fetchall()]

    for query in queries[:10]:  # warm-up: connection, caches, the planner's statistics
        ranked_ids(public, query)
    searched, scanned, found, found_baseline = [], [], 0, 0
    for query in queries:
        started = time.perf_counter()
        found += bool(ranked_ids(public, query))
        searched.append(time.perf_counter() - started)
        started = time.perf_counter()
        found_baseline += bool(baseline(query))
        scanned.append(time.perf_counter() - started)
    within: dict[str, Any] = {}

    def by_count(field: str, fewest: bool) -> Any:
        """The value of ``field`` that the fewest (or most) public claims have, ``None`` if none has one."""
        row = (
            public.filter(**{f"{field}__isnull": False})
            .order_by()
            .values(field)
            .annotate(n=Count("id", distinct=True))
            .order_by("n" if fewest else "-n", field)
            .first()
        )
        return row[field] if row else None

    api = ClaimFilter(data={}, queryset=public)
    for name, field, fewest, api_filter in [
        ("within_language", "language", True, None),
        ("within_claimant", "claimant_id", False, None),
        ("within_rating", "verdict__rating__slug", True, None),
        ("within_rating_class", "verdict__rating__rating_class", True, None),
        # As the API's filter methods ask them: a subquery of the claims.
        ("within_outlet", "appearances__source__outlet_id", True, ("outlet", api.filter_outlet)),
        ("within_mentions", "mentions__id", True, ("mentions", api.filter_mentions)),
        ("within_source", "appearances__source_id", False, ("source", api.filter_source)),
    ]:
        value = by_count(field, fewest)
        if value is None:
            continue
        if api_filter is None:
            filters = {field: value}
            kept = public.filter(**filters)
        else:
            parameter, method = api_filter
            filters = {parameter: value}
            kept = method(public, parameter, value)
        timings = []
        for query in queries:
            started = time.perf_counter()
            ranked_ids(kept, query)
            timings.append(time.perf_counter() - started)
        summary = common.summary_ms(timings)
        within[name] = {
            "filter": filters,
            "claims": kept.count(),
            **{k: round(summary[k], 2) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
        }
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + BASELINE_SQL.format(words="text ILIKE %s"), ["%ngừng bắn%", MAX_RESULTS])
        plan = " / ".join(row[0].strip() for row in cursor.fetchall() if "Scan" in row[0])

    search, scan = common.summary_ms(searched), common.summary_ms(scanned)
    speedup = scan["p95_ms"] / search["p95_ms"]
    report = common.Report("search", size)
    report.figures = {
        "queries": len(queries),
        "search": {k: round(search[k], 2) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
        "ilike_baseline": {k: round(scan[k], 2) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
        "speedup_p95": round(speedup, 3),
        "queries_with_results": {"search": found, "ilike_baseline": found_baseline},
        "baseline_plan": plan,
        **within,
    }
    report.goals = [
        common.Goal("search p95", search["p95_ms"], GOAL_P95_MS, at_most=True, unit=" ms"),
        common.Goal("baseline p95 / search p95", speedup, GOAL_SPEEDUP, at_most=False, unit="×"),
    ]
    return common.finish(report, options.json)


if __name__ == "__main__":
    main()
