"""Duplicate candidates for a new claim: p95 of ``claims.duplicates.find_duplicates`` (goal ≤ 100 ms).

Called as the duplicate scan calls it (``claims.tasks.suggest_duplicates``: the claim's wording and its
translations, all claims but itself). Two sets of probes: the evaluation set's duplicate probes
(``claims/search_eval/eval_set.json``: rewordings, respellings, other languages) as new claims, and
``--sampled`` claims drawn from the database (seeded) with their translations, excluding themselves —
the case of a claim like those the newsroom already holds, which meets the most candidates.

    python -m bench.duplicates --n 100000 [--sampled 50]
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from bench import common

GOAL_P95_MS = 100.0


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = common.parser(__doc__.splitlines()[0])
    arguments.add_argument("--sampled", type=int, default=50, help="claims from the database as probes (default 50)")
    arguments.add_argument("--probes", type=int, default=0, help="use only the first N evaluation probes (default all)")
    options = arguments.parse_args(argv)
    size = common.prepare(options.n, options.seed)

    from claims.duplicates import find_duplicates
    from claims.management.commands.evaluate_search import EVAL_SET
    from claims.models import Claim

    probes: list[tuple[str, list[str], int | None]] = [
        ("evaluation", [item["text"]], None) for item in json.loads(EVAL_SET.read_text(encoding="utf-8"))["duplicates"]
    ]
    probes = probes[: options.probes] if options.probes else probes
    ids = list(Claim.objects.values_list("pk", flat=True))
    sample = random.Random(options.seed).sample(ids, min(len(ids), options.sampled))
    for claim in Claim.objects.filter(pk__in=sample).prefetch_related("translations"):
        probes.append(("sampled", [claim.text, *(t.text for t in claim.translations.all())], claim.pk))

    for _kind, texts, exclude in probes[:5]:
        find_duplicates(texts, exclude=exclude)
    times: dict[str, list[float]] = {"evaluation": [], "sampled": []}
    suggested = 0
    for kind, texts, exclude in probes:
        started = time.perf_counter()
        suggested += len(find_duplicates(texts, exclude=exclude))
        times[kind].append(time.perf_counter() - started)
    everything = times["evaluation"] + times["sampled"]
    report = common.Report("duplicates", size)
    for kind, values in [("all", everything), *times.items()]:
        if values:
            latency = common.summary_ms(values)
            report.figures[kind] = {
                "probes": len(values),
                **{k: round(latency[k], 2) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
            }
    report.figures["suggestions_per_probe"] = round(suggested / max(1, len(everything)), 2)
    p95 = common.percentile([t * 1000 for t in everything], 95)
    report.goals = [common.Goal("duplicates p95", p95, GOAL_P95_MS, at_most=True, unit=" ms")]
    return common.finish(report, options.json)


if __name__ == "__main__":
    main()
