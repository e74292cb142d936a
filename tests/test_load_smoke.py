"""The load script (``bench/load.py``) still runs: a few seconds of load on 200 claims, its report checked.

Not a measurement: one gunicorn worker, two client threads, three seconds. The script runs as ``make load``
runs it (its own process), against a scratch database this module creates, fills and drops — never the
test database or a developer's. gunicorn is started and stopped by the script, on 127.0.0.1:8850–8859.
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
from bench.load import WEIGHTS

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def load_url() -> Iterator[str]:
    database = settings.DATABASES["default"]
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    url = (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/factcheck_load_smoke_{os.getpid()}"
    )
    common.drop_database(url)
    try:
        yield url
    finally:
        common.drop_database(url)


def is_figure(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_load_script_reports_every_route_group_the_admin_and_the_memory_without_errors(
    load_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "load.json"
    options = ["--n", "200", "--duration", "3", "--warmup", "0.5", "--workers", "1", "--processes", "1"]
    options += ["--threads", "2", "--admin-rounds", "2", "--json", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", *options],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": load_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "== load " in done.stdout and "admin under load" in done.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    figures = result["figures"]
    assert result["size"]["claims"] == 200

    # Every request answered 200: no 5xx, no refused or dropped connection, no timeout, no throttling.
    assert figures["errors"] == 0, result["notes"]
    assert figures["errors_by_kind"] == {"5xx": 0, "other_status": 0, "connection": 0, "timeout": 0}
    assert figures["throttled_429"] == 0
    assert figures["requests"] > 0 and figures["req_per_s"] > 0
    assert all(is_figure(figures[key]) for key in ("p50_ms", "p95_ms", "p99_ms"))
    assert list(figures["groups"]) == list(WEIGHTS)
    assert sum(group["requests"] for group in figures["groups"].values()) == figures["requests"]

    # The editor logged in and was timed alone, then under the load.
    assert figures["admin_alone"]["requests"] == 4 and figures["admin_alone"]["errors"] == 0
    assert figures["admin_under_load"]["requests"] > 0 and figures["admin_under_load"]["errors"] == 0
    assert is_figure(figures["admin_under_load"]["p99_ms"])

    # The gunicorn master and its one worker, sampled every second; the database's connections.
    memory = figures["memory"]
    assert memory["processes"] == 2
    for key in ("idle_mb", "after_warmup_mb", "peak_mb", "end_mb", "slope_last_40s_mb_per_min"):
        assert is_figure(memory[key]), key
    assert memory["peak_mb"] >= memory["end_mb"] > 0
    assert isinstance(memory["flat"], bool)
    assert 1 <= figures["pg_connections_peak"] <= figures["pg_max_connections"]
    assert figures["server"]["worker_timeouts"] == 0 and figures["server"]["worker_restarts"] == 0
    assert [goal["name"] for goal in result["goals"]] == [
        "errors (public and admin)",
        "429s",
        "memory growth after warm-up",
    ]
