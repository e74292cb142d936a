"""Write rates: the ClaimReview import (goal ≥ 5,000 claims/s) and the synthetic claims generator.

Import: ``--import-count`` ClaimReviews made with our own builder (``claims.claimreview.claim_review``)
from published claims of the benchmark database, given another newsroom's review URLs, so that each
becomes a new draft claim with its claimant matched, as a real feed would. The feed is serialised to
JSON beforehand; ``claims.importing.import_feed`` is timed from the text (parsing included) inside a
transaction rolled back at the end, so the database keeps its size (the duplicate scans an import queues
after its commit are therefore not part of the figure); the tables it wrote are vacuumed afterwards. The
same feed is imported ``--import-runs`` times (3 by default), each rolled back and vacuumed: the figure is
the median run, and every run's rate is printed (on a shared virtual machine one run varies by ±15%). The
foreign keys are checked as each statement ends (``SET CONSTRAINTS ALL IMMEDIATE``), inside the timing:
a real import checks them as each chunk commits, and a rolled-back transaction never would.

Generator: ``manage.py generate_claims --count --generate-count`` (its real command line, its default
writers) into a scratch database created, migrated and dropped here, so the benchmark database keeps
its size; the command's own rate line is read.

    python -m bench.ingest --n 100000 [--import-count 5000] [--import-runs 3] [--generate-count 20000]
"""

from __future__ import annotations

import json
import random
import re
import statistics
import subprocess
import sys
import time
from typing import Any

from bench import common

GOAL_IMPORT_RATE = 5_000.0
#: What an import writes.
IMPORT_TABLES = ("claims_claim", "claims_reviewevent", "claims_externalreview", "claims_searchdocument")


class Rollback(Exception):
    """Undoes the import."""


def import_rate(count: int, seed: int, runs: int = 3) -> dict[str, Any]:
    """The median run of ``runs`` imports of one feed of ``count`` reviews (of an even number, the slower of
    the middle two), each run's rate, and their spread: standard deviation over the median rate."""
    text = _feed(count, seed)
    results = [_import_once(text) for _run in range(runs)]
    rate = statistics.median_low(run["claims_per_s"] for run in results)
    median = next(run for run in results if run["claims_per_s"] == rate)
    return {
        **median,
        "runs": len(results),
        "rates": [run["claims_per_s"] for run in results],
        "spread": round(statistics.pstdev(run["claims_per_s"] for run in results) / median["claims_per_s"], 3),
    }


def _feed(count: int, seed: int) -> str:
    """A feed of ``count`` reviews of the database's published claims, as another newsroom would serve it."""
    from claims.claimreview import claim_review, data_feed
    from claims.models import Claim

    ids = list(Claim.objects.published().values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, min(len(ids), count))
    claims = (
        Claim.objects.filter(pk__in=chosen)
        .select_related("claimant", "verdict")
        .prefetch_related("translations", "verdict__texts", "appearances__source__outlet")
    )
    reviews = []
    for n, claim in enumerate(claims):
        review = claim_review(claim)
        review["url"] = f"https://other-newsroom.example/fact-checks/{n}-{claim.pk}"
        review["author"] = {"@type": "Organization", "name": "Other Newsroom", "url": "https://other-newsroom.example/"}
        reviews.append(review)
    return json.dumps(data_feed(reviews), ensure_ascii=False)


def _import_once(text: str) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from claims.importing import import_feed
    from claims.models import Appearance, Claim

    before = Claim.objects.count(), Appearance.objects.count()
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_superuser("bench-importer", "bench@example.invalid", None)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            imported = import_feed(text, user)
            seconds = time.perf_counter() - started
            result = {
                "items": imported.item_count,
                "created": imported.created_count,
                "skipped": imported.skipped_count,
                "seconds": round(seconds, 2),
                "claims_per_s": round(imported.created_count / seconds, 1),
                "feed_mb": round(len(text.encode()) / 1e6, 2),
            }
            raise Rollback
    except Rollback:
        pass
    assert (Claim.objects.count(), Appearance.objects.count()) == before, "the import was not rolled back"
    # The rolled-back rows are dead but still in the tables and their indexes, under the newest ids where
    # the search looks first; autovacuum waits for a fifth of a table. Vacuumed here (only the pages the
    # import wrote are read), so that the next benchmark measures the database as it was.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(IMPORT_TABLES)}")
    return result


def generator_rate(count: int, url: str) -> dict[str, Any]:
    scratch = common.with_database(url, common.database_name(url) + "_gen")
    common.drop_database(scratch)
    common.create_database(scratch)
    env = common.bench_env(scratch)
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=common.ROOT, env=env, check=True)
        started = time.perf_counter()
        done = subprocess.run(
            [*manage, "generate_claims", "--count", str(count), "--no-progress"],
            cwd=common.ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
    finally:
        common.drop_database(scratch)
    match = re.search(r"([\d,]+) claims/s", done.stdout)
    rate = float(match.group(1).replace(",", "")) if match else count / seconds
    return {"claims": count, "claims_per_s": rate, "command_seconds": round(seconds, 2), "output": done.stdout.strip()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = common.parser(__doc__.splitlines()[0])
    arguments.add_argument("--import-count", type=int, default=5000, help="reviews imported (default 5,000)")
    arguments.add_argument("--import-runs", type=int, default=3, help="imports of the feed (default 3): the median")
    arguments.add_argument("--generate-count", type=int, default=20000, help="claims generated (default 20,000)")
    options = arguments.parse_args(argv)
    if options.import_runs < 1:
        arguments.error("--import-runs must be at least 1")
    size = common.prepare(options.n, options.seed)
    report = common.Report("ingest", size)
    imported = import_rate(options.import_count, options.seed, options.import_runs)
    generated = generator_rate(options.generate_count, common.database_url())
    report.figures = {"import": imported, "generator": {k: v for k, v in generated.items() if k != "output"}}
    if "generator_rate" in size:
        report.figures["generator_filling_this_database"] = round(size["generator_rate"], 1)
    report.goals = [
        common.Goal("import rate", imported["claims_per_s"], GOAL_IMPORT_RATE, at_most=False, unit=" claims/s")
    ]
    report.notes.append(
        f"import: median of {imported['runs']} runs, each timed inside a rolled-back transaction; "
        "generator into a scratch database"
    )
    return common.finish(report, options.json)


if __name__ == "__main__":
    main()
