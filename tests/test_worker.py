"""Notifications through a real Celery worker on Redis, against the PostgreSQL test database.

The worker is a subprocess (``celery -A factcheck worker --pool=solo``) on its own Redis database; the
test submits a claim, the transaction commits, and the worker sends the e-mail — into a directory the
test reads, via Django's file e-mail backend.
"""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from claims import workflow
from claims.models import Claim
from factcheck.celery import app as celery_app

from .factories import UserFactory, make_ratings, ready_claim
from .services import TEST_REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def reset_connections() -> None:
    """Make the app open new broker connections for the broker now configured."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(scope="module")
def running_worker(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Path]:
    """A real worker on a dedicated Redis database; yields the directory its e-mails land in."""
    from django.conf import settings

    mail_dir = tmp_path_factory.mktemp("mail")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "SECRET_KEY": "worker-test",
        "DEBUG": "0",
    }
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "factcheck", "purge", "-f"], cwd=ROOT, env=env, capture_output=True
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # This process sends to the same broker, for real (not eagerly).
    settings.CELERY_TASK_ALWAYS_EAGER = False  # type: ignore[misc]
    previous = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    celery_app.conf.update(broker_url=TEST_REDIS_URL, task_always_eager=False)
    reset_connections()
    try:
        assert wait_for(lambda: bool(celery_app.control.ping(timeout=0.5)), timeout=40), "worker did not answer ping"
        yield mail_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[misc]
        celery_app.conf.update(**previous)
        reset_connections()


@pytest.fixture
def worker(running_worker: Path) -> Path:
    for old in running_worker.iterdir():
        old.unlink()
    return running_worker


def test_submitting_a_claim_emails_the_editors_through_the_real_worker(worker: Path) -> None:
    make_ratings()
    researcher = UserFactory(username="rosa-w", role="Researcher")
    UserFactory(username="eva-w", role="Editor")
    claim: Claim = ready_claim(researcher)

    workflow.transition(claim.pk, researcher, workflow.Action.SUBMIT)  # commits: autocommit outside atomic

    assert wait_for(lambda: any(worker.iterdir())), "no e-mail was written by the worker"
    raw = next(worker.iterdir()).read_text(encoding="utf-8").split("\n" + "-" * 79)[0]
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["To"] == "eva-w@newsroom.test"
    assert claim.text[:40] in message["Subject"]
    assert f"/admin/claims/claim/{claim.pk}/change/" in message.get_content()


def test_a_rolled_back_step_sends_nothing_through_the_worker(worker: Path) -> None:
    from django.db import transaction

    make_ratings()
    researcher = UserFactory(username="rosa-r", role="Researcher")
    UserFactory(username="eva-r", role="Editor")
    claim: Claim = ready_claim(researcher)

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        workflow.transition(claim.pk, researcher, workflow.Action.SUBMIT)
        raise Abandon

    # Give the worker time it would need, then check that nothing arrived.
    celery_app.control.ping(timeout=1)
    time.sleep(2)
    assert list(worker.iterdir()) == []
    assert Claim.objects.get(pk=claim.pk).status == "draft"
