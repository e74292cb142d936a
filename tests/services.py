"""Which outside services this machine offers the tests, and the rule for when they are missing.

Locally a missing PostgreSQL, Redis or browser skips the tests that need it (with the reason shown);
under ``CI=true`` it fails them, so a CI run can never pass by silently skipping a part.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlsplit

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@cache
def redis_available() -> bool:
    parts = urlsplit(TEST_REDIS_URL)
    return _port_open(parts.hostname or "127.0.0.1", parts.port or 6379)


@cache
def browser_available() -> bool:
    if not os.path.exists(CHROMIUM):
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True
