"""Settings come from the environment; a malformed value stops the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, as `manage.py` would at start."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    clean.update({"SECRET_KEY": "x" * 50, **env})
    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','factcheck.settings'); django.setup();"
    code += "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
    code += " s.CACHES['default']['BACKEND'].rsplit('.',1)[-1], s.DEBUG, s.LANGUAGE_CODE)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_embedded_defaults_are_sqlite_eager_celery_and_local_memory_cache() -> None:
    result = start()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "LocMemCache", "False", "vi"]


def test_database_url_and_redis_url_switch_to_postgresql_worker_and_redis_cache() -> None:
    result = start(DATABASE_URL="postgres://u:p@db.internal:5432/newsroom", REDIS_URL="redis://cache:6379/1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["factcheck.postgresql", "False", "RedisCache"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL has scheme 'mysql'"),
        ({"DATABASE_URL": "postgres://host:5432/"}, "DATABASE_URL names no database"),
        ({"REDIS_URL": "localhost:6379"}, "is not a redis:// or rediss:// URL"),
        ({"REDIS_URL": "redis://localhost:notaport/0"}, "has an invalid port"),
        ({"LANGUAGE_CODE": "klingon!"}, "is not a valid BCP 47 language tag"),
        ({"LANGUAGE_CODE": "fr"}, "has no interface catalogue"),
        ({"DATABASE_CONN_MAX_AGE": "soon", "DATABASE_URL": "postgres://h/db"}, "is not an integer"),
        ({"TIME_ZONE": "Mars/Olympus"}, "is not a known time zone"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SITE_URL": "ftp://x"}, "must be an http(s) URL"),
    ],
)
def test_malformed_values_stop_the_start_with_improperly_configured(env: dict[str, str], message: str) -> None:
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_runs_without_a_secret_key_but_production_does_not() -> None:
    assert start(DEBUG="1", SECRET_KEY="").returncode == 0
    assert start(DEBUG="0", SECRET_KEY="").returncode != 0
