"""The benchmark suite (``bench/``) still runs: each script at a tiny size, its figures checked for shape.

Not a measurement: a few requests, two seconds of load. Each script runs as ``make bench`` runs it (its
own process, ``python -m bench.<name>``) against a scratch database this module creates, fills with 200
claims and drops — never the test database or a developer's. gunicorn is started and stopped by the
script itself, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from bench import common

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]
SIZE = "200"


@pytest.fixture(scope="module")
def bench_url() -> Iterator[str]:
    database = settings.DATABASES["default"]
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    url = (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/factcheck_bench_smoke_{os.getpid()}"
    )
    common.drop_database(url)
    try:
        subprocess.run(
            [sys.executable, "-c", f"from bench import common; common.prepare({SIZE}, quiet=True)"],
            cwd=ROOT,
            env={**os.environ, "BENCH_DATABASE_URL": url},
            check=True,
            timeout=120,
        )
        yield url
    finally:
        common.drop_database(url)


def run_benchmark(url: str, tmp_path: Path, name: str, *options: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--n", SIZE, "--json", str(out), *options],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"== {name} " in done.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def is_figure(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def assert_goals_measured(result: dict[str, Any], count: int) -> None:
    assert len(result["goals"]) == count
    for goal in result["goals"]:
        assert is_figure(goal["value"]), goal
        assert isinstance(goal["met"], bool)


def test_api_list_benchmark_loads_django_and_the_raw_baseline_alike(bench_url: str, tmp_path: Path) -> None:
    result = run_benchmark(
        bench_url,
        tmp_path,
        "api_list",
        *("--seconds", "2", "--warmup", "0.3", "--workers", "2", "--processes", "1", "--threads", "2"),
        *("--pages", "2"),
    )
    figures = result["figures"]
    # The baseline answers page 1 with the very claims, verdicts and texts the API gives.
    assert figures["page1_results_identical"] is True
    assert figures["page1_claims"] == 50
    assert figures["cached_page1_identical"] is True, "a kept page is the page"
    for app in ("django", "raw_baseline", "django_cached"):
        assert figures[app]["requests"] > 0 and figures[app]["errors"] == 0
        for key in ("requests_per_s", "p50_ms", "p95_ms", "p99_ms", "client_cpu_cores"):
            assert is_figure(figures[app][key]) and figures[app][key] > 0, (app, key)
    assert figures["throughput_ratio"] > 0 and figures["cached_throughput_ratio"] > 0
    assert_goals_measured(result, 1)


def test_detail_benchmark_times_and_counts_queries(bench_url: str, tmp_path: Path) -> None:
    result = run_benchmark(bench_url, tmp_path, "detail", "--requests", "5", "--warmup", "1")
    for surface in ("verdict_page", "api_detail"):
        assert result["figures"][surface]["requests"] == 5
        assert is_figure(result["figures"][surface]["p95_ms"])
        assert result["figures"][surface]["queries_max"] >= 1
    assert_goals_measured(result, 4)


def test_search_benchmark_runs_the_evaluation_queries_and_the_ilike_baseline(bench_url: str, tmp_path: Path) -> None:
    result = run_benchmark(bench_url, tmp_path, "search", "--queries", "5")
    figures = result["figures"]
    assert figures["queries"] == 5
    assert is_figure(figures["search"]["p95_ms"]) and is_figure(figures["ilike_baseline"]["p95_ms"])
    assert "Scan" in figures["baseline_plan"]
    for within in (
        "within_language",
        "within_claimant",
        "within_rating",
        "within_rating_class",
        "within_outlet",
        "within_mentions",
        "within_source",
    ):  # searches within a filter, reported
        assert figures[within]["claims"] >= 1 and is_figure(figures[within]["p95_ms"])
    assert_goals_measured(result, 2)


def test_pagination_benchmark_compares_a_deep_page_with_the_first(bench_url: str, tmp_path: Path) -> None:
    result = run_benchmark(bench_url, tmp_path, "pagination", "--page", "1000", "--repeats", "3")
    figures = result["figures"]
    # 200 claims hold fewer than 1,000 pages: the deepest that exists is measured, and said so.
    assert 2 <= figures["deep_page"] < 1000
    assert is_figure(figures["ratio_p50"])
    assert any("measured instead of 1000" in note for note in result["notes"])
    assert_goals_measured(result, 1)


def test_duplicates_benchmark_times_both_sets_of_probes(bench_url: str, tmp_path: Path) -> None:
    result = run_benchmark(bench_url, tmp_path, "duplicates", "--probes", "3", "--sampled", "3")
    figures = result["figures"]
    assert figures["evaluation"]["probes"] == 3 and figures["sampled"]["probes"] == 3
    assert is_figure(figures["all"]["p95_ms"])
    assert_goals_measured(result, 1)


def test_ingest_benchmark_measures_the_import_and_the_generator(bench_url: str, tmp_path: Path) -> None:
    result = run_benchmark(
        bench_url, tmp_path, "ingest", "--import-count", "20", "--import-runs", "2", "--generate-count", "100"
    )
    figures = result["figures"]
    assert figures["import"]["created"] == 20 and figures["import"]["claims_per_s"] > 0
    # Each run imported the whole feed again (the one before was rolled back); the figure is the slower.
    assert figures["import"]["runs"] == 2 and len(figures["import"]["rates"]) == 2
    assert figures["import"]["claims_per_s"] == min(figures["import"]["rates"])
    assert figures["generator"]["claims"] == 100 and figures["generator"]["claims_per_s"] > 0
    assert_goals_measured(result, 1)


def test_ingest_benchmark_refuses_no_import_run_before_touching_the_database() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.ingest", "--import-runs", "0"],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--import-runs must be at least 1" in done.stderr


def test_run_all_prepares_once_and_collects_the_goals(bench_url: str, tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--n", SIZE, "--only", "pagination", "--json", str(out)],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": bench_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "== goals ==" in done.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["size"]["claims"] == int(SIZE)
    assert list(results["benchmarks"]) == ["pagination"]
