"""What every benchmark shares: the benchmark database, Django set up for it, timing and reporting.

The database is a dedicated one (``BENCH_DATABASE_URL`` or ``DATABASE_URL``; default
``postgres://postgres@127.0.0.1:5432/factcheck_bench``), created if missing, migrated, and filled with
``claims.generator`` up to N claims (claims already there are kept: a second run at the same N generates
nothing). Only PostgreSQL: the figures are about the production database.

Each script's ``main(argv)`` prints its figures and returns them as a dict; ``--json FILE`` also writes
them there (``run_all.py`` and the smoke tests read that file).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factcheck_bench"
#: Settings the benchmarks run Django with (the same for in-process runs and gunicorn): production mode,
#: and throttles high enough that a load test measures the application, not the 429s.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "factcheck.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "API_ANON_RATE": "100000000/second",
    "API_USER_RATE": "100000000/second",
    "PUBLIC_SEARCH_RATE": "100000000/second",
    "REDIS_URL": "",
    # whitenoise warns on every start that collectstatic has not run: the benchmarks serve no static file.
    "PYTHONWARNINGS": "ignore:No directory at",
}


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL


def _connect_kwargs(url: str, dbname: str | None = None) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or None,
        "dbname": dbname or parts.path.lstrip("/"),
        "autocommit": True,
    }


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def create_database(url: str) -> bool:
    """Create the database of ``url`` when it does not exist (UTF-8, from template0); True if created."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(**_connect_kwargs(url, "postgres")) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
        )
    return True


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(**_connect_kwargs(url, "postgres")) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def bench_env(url: str | None = None) -> dict[str, str]:
    """The environment a benchmark process (or a gunicorn it starts) runs Django with."""
    return {**os.environ, **BENCH_ENV, "DATABASE_URL": url or database_url()}


def setup_django(url: str | None = None) -> str:
    """Configure Django for the benchmark database (must run before any model import); return its URL."""
    url = url or database_url()
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"The benchmarks run on PostgreSQL; {url!r} is not a postgres:// URL.")
    os.environ.update(bench_env(url))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import warnings

    import django

    warnings.filterwarnings("ignore", "No directory at")
    django.setup()
    from django.conf import settings

    # Production hashes static file names from collectstatic's manifest; the benchmarks do not collect (it
    # would write outside bench/), so pages name the files plainly, as the test suite does.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return url


def prepare(n: int, seed: int = 1, quiet: bool = False) -> dict[str, Any]:
    """Create and migrate the benchmark database and generate claims up to ``n``; return its size and, when
    claims were generated, the generator's rate."""
    url = setup_django()
    created = create_database(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    from claims.generator import generate
    from claims.models import Claim

    info: dict[str, Any] = {"database": urlsplit(url).path.lstrip("/"), "created": created}
    have = Claim.objects.count()
    if have < n:
        if not quiet:
            print(f"generating {n - have:,} claims (the database has {have:,}) ...", flush=True)
        summary = generate(n - have, seed=seed)
        info["generated"] = summary.claims
        info["generator_rate"] = summary.rate
    info["claims"] = Claim.objects.count()
    info["public_claims"] = Claim.objects.public().count()
    if info["claims"] > n and not quiet:
        print(f"note: the database holds {info['claims']:,} claims, more than N={n:,}; measuring at its size.")
    connection.close()
    return info


# --- Timing -------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else float("nan"),
    }


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before listening")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


# --- Reporting -------------------------------------------------------------------------------------------


@dataclass
class Goal:
    """One goal of the issue: ``value`` against ``target`` (``at_most`` or at least)."""

    name: str
    value: float
    target: float
    at_most: bool
    unit: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.target if self.at_most else self.value >= self.target

    def line(self) -> str:
        sign = "≤" if self.at_most else "≥"
        verdict = "PASS" if self.met else "MISS"
        return f"  goal {self.name}: {self.value:,.2f}{self.unit} (goal {sign} {self.target:,}{self.unit}) {verdict}"


@dataclass
class Report:
    benchmark: str
    size: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["goals"] = [{**asdict(goal), "met": goal.met} for goal in self.goals]
        return data

    def print(self) -> None:
        print(
            f"== {self.benchmark} ({self.size.get('public_claims', '?'):,} public of "
            f"{self.size.get('claims', '?'):,} claims) =="
        )
        for name, value in self.figures.items():
            print(f"  {name}: {_show(value)}")
        for goal in self.goals:
            print(goal.line())
        for note in self.notes:
            print(f"  note: {note}")
        sys.stdout.flush()


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{key} {_show(item)}" for key, item in value.items())
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parser(description: str) -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(description=description)
    arguments.add_argument("--n", type=int, default=100_000, help="claims in the database (default 100,000)")
    arguments.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    arguments.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    return arguments


def finish(report: Report, json_path: Path | None) -> dict[str, Any]:
    report.print()
    data = report.as_dict()
    if json_path is not None:
        json_path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return data
