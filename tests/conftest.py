"""Shared fixtures: the newsroom's personas, the rating scale, and the rules for service-bound tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from .factories import UserFactory, make_ratings
from .services import CHROMIUM, CI, browser_available, redis_available


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_report_header(config: pytest.Config) -> str:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}; CI={CI}; redis={redis_available()}; browser={browser_available()}"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not on_postgres():
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of `make test`")
    needs = [
        ("redis", redis_available, "Redis is unreachable (start it: see README, 'Services')"),
        ("browser", browser_available, "Chromium or Playwright is missing (`make browser` installs them)"),
    ]
    for marker, available, why in needs:
        if item.get_closest_marker(marker) and not available():
            if CI:
                pytest.fail(f"CI=true and {why}: this part of the suite is mandatory in CI.")
            pytest.skip(why)


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    # Production serves hashed files from collectstatic's manifest; tests render without collecting.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _unpublish_before_flush(request: pytest.FixtureRequest) -> Any:
    """Transactional tests end with a flush, which the database refuses for published claims.

    The refusal is the point of the trigger; the test teardown steps around it by returning claims to
    draft (an update, which the trigger allows) just before the flush.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from claims.models import PUBLIC_STATUSES, Claim

    Claim.objects.filter(status__in=PUBLIC_STATUSES).update(status="draft")


@pytest.fixture(autouse=True)
def _english_by_default() -> Any:
    """Code outside a request speaks the default interface language (vi); tests read English unless
    they ask for Vietnamese (``translation.override("vi")``), which the i18n tests do."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """The cache (throttle histories, the rating scale, rendered pages) outlives a test: start empty."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_may_join() -> Any:
    """Eager ``apply_async`` sets Celery's process-wide "joining a result would block" flag around each
    task and puts back the value it found; threads running eager tasks at once (the concurrency tests)
    can put back another thread's True, and every later ``.get()`` then raises "Never call result.get()
    within a task!". No test runs inside a task: start each one with the flag off."""
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ratings(db: None) -> None:
    make_ratings()


@pytest.fixture
def researcher(db: None) -> Any:
    return UserFactory(username="rosa_researcher", role="Researcher")


@pytest.fixture
def other_researcher(db: None) -> Any:
    return UserFactory(username="rafael_researcher", role="Researcher")


@pytest.fixture
def editor(db: None) -> Any:
    return UserFactory(username="eva_editor", role="Editor")


@pytest.fixture
def other_editor(db: None) -> Any:
    return UserFactory(username="emil_editor", role="Editor")


@pytest.fixture
def publisher(db: None) -> Any:
    return UserFactory(username="paula_publisher", role="Publisher")


@pytest.fixture
def outsider(db: None) -> Any:
    """Staff, but in no newsroom role."""
    return UserFactory(username="otto_outsider")


@pytest.fixture
def superuser(db: None) -> Any:
    user = UserFactory(username="sam_superuser", is_superuser=True)
    return user


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser), for the `browser` tests."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes between
    # browser steps are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
