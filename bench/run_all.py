"""Run every benchmark at one size, one after the other, and print the goals met and missed.

``make bench N=100000`` runs this against ``BENCH_DATABASE_URL``. The database is prepared once (created,
migrated, filled to N claims); each benchmark then runs as its own process (``python -m bench.<name>``),
so one's connections, caches and workers never colour the next one's figures.

    python -m bench.run_all --n 100000 [--only search,detail] [--json results.json] [--strict]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import common

BENCHMARKS = ("api_list", "detail", "search", "pagination", "duplicates", "ingest")


def main(argv: list[str] | None = None) -> int:
    arguments = common.parser(__doc__.splitlines()[0])
    arguments.add_argument("--only", default="", help="comma-separated benchmarks (default: all)")
    arguments.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    options = arguments.parse_args(argv)
    names = [name for name in options.only.split(",") if name] or list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        arguments.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    info = common.prepare(options.n, options.seed)
    print(f"database {info['database']}: {info['claims']:,} claims ({info['public_claims']:,} public)", flush=True)
    results: dict[str, Any] = {"size": info, "benchmarks": {}}
    failed = []
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            out = Path(folder) / f"{name}.json"
            command = [sys.executable, "-m", f"bench.{name}", "--n", str(options.n), "--seed", str(options.seed)]
            done = subprocess.run([*command, "--json", str(out)], cwd=common.ROOT, env=common.bench_env())
            if done.returncode != 0 or not out.exists():
                failed.append(name)
                continue
            results["benchmarks"][name] = json.loads(out.read_text(encoding="utf-8"))
    print("\n== goals ==")
    missed = 0
    for name, data in results["benchmarks"].items():
        for goal in data["goals"]:
            missed += not goal["met"]
            sign = "≤" if goal["at_most"] else "≥"
            verdict = "PASS" if goal["met"] else "MISS"
            figure = f"{goal['value']:,.2f}{goal['unit']}"
            print(f"  {verdict}  {name}: {goal['name']} = {figure} (goal {sign} {goal['target']:,})")
    for name in failed:
        print(f"  FAILED  {name}: the benchmark did not finish")
    if options.json is not None:
        options.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    if failed:
        return 2
    return 1 if options.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
