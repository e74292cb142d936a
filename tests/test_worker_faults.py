"""Every kind of background work, through real Celery workers killed mid-task and a Redis restarted mid-run.

The kinds the app has: a source's fetch, its claim-candidate scan, a claim's duplicate scan, a ClaimReview
import run, and the e-mails a workflow step owes. Each is written to the database first (a pending status,
a mark, a run, a ``Notification`` row: the outbox) and its message sent once that commits. What must hold
however the worker or the broker dies: every piece of work is done, and done once in effect — one
snapshot per page, one set of candidates, one import run's claims, one e-mail per person per step.

The broker is a Redis server of the test's own (``/usr/bin/redis-server`` on a free port, in a temporary
directory) that the test kills and starts again — never the machine's shared one. Restarted with its
append-only file (what the README recommends for production) it keeps its messages; restarted without
persistence it loses them, and the beat's sweeps, sent here as beat would send them, send the work again.
The workers are subprocesses with production's prefork pool (see ``tests/test_worker_ingestion.py`` for
why not solo) and production's settings unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.db import connection
from django.utils import timezone

from claims import workflow
from claims.candidates import CANDIDATES_PER_SOURCE
from claims.models import (
    Claim,
    ClaimCandidate,
    ExternalReview,
    ImportRun,
    Notification,
    ReviewEvent,
    SearchDocument,
)
from factcheck.celery import app as celery_app
from sources.candidates import suggest
from sources.models import Actor, ActorAlias, Place, PlaceAlias, Source, SourceSnapshot
from sources.tasks import request_fetch

from .factories import SEED_A1, SEED_A2, ClaimFactory, UserFactory, make_ratings, ready_claim
from .pages import PageServer, news_page
from .services import CI

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
#: Seconds an unacknowledged message waits before a (re)starting worker hands it back, where a test
#: wants the broker's own redelivery to happen too (production's is an hour).
SHORT_VISIBILITY = 2

ARTICLES = {
    "/libya/ngung-ban": ("Nga và EU kêu gọi ngừng bắn ở Libya", SEED_A1),
    "/libya/haftar-tripoli": ("Tướng Haftar tiến quân vào Tripoli", SEED_A2),
    "/libya/haftar-tripoli-2": ("Tripoli: cập nhật", SEED_A2.replace("7%", "10%")),
}
REVIEWS = 5
EDITORS = 2


def wait_for(condition: Callable[[], Any], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A private ``redis-server`` the test may kill and start again on the same port and directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.appendonly = False
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, appendonly: bool | None = None) -> None:
        if appendonly is not None:
            self.appendonly = appendonly
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        assert wait_for(self.answers, timeout=20), (self.directory / "redis.log").read_text()[-2000:]

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: no shutdown, no final write."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


def reset_connections() -> None:
    """Make this process open new broker connections (after a restart of the broker, or a new one)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Workers:
    """Starts, kills and stops real worker processes, one at a time, each logging to its own file."""

    def __init__(self, env: dict[str, str], logs: Path, broker: RedisServer) -> None:
        self.env = env
        self.logs = logs
        self.broker = broker
        self.started = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.name = ""

    def start(self, **extra: str) -> None:
        self.started += 1
        self.name = f"faults{self.started}@worker-faults-test"
        log = (self.logs / f"{self.started}.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "factcheck",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-n",
                self.name,
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches the pool's child too
        )
        log.close()
        assert wait_for(self.answers, timeout=60), f"worker {self.name} did not answer ping:\n{self.log()}"

    def answers(self) -> bool:
        try:
            return bool(celery_app.control.ping(destination=[self.name], timeout=0.5))
        except Exception:  # the broker is down or restarting
            reset_connections()
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def idle(self) -> bool:
        """Nothing running, nothing reserved, nothing waiting in the queue."""
        try:
            inspect = celery_app.control.inspect(destination=[self.name], timeout=1)
            active, reserved = inspect.active(), inspect.reserved()
        except Exception:
            reset_connections()
            return False
        if not active or not reserved:
            return False
        busy = any(active.values()) or any(reserved.values())
        return not busy and self.broker.client().llen("celery") == 0

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in sorted(self.logs.iterdir())
        )


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if not os.path.exists(REDIS_SERVER):
        if CI:
            pytest.fail(f"CI=true and {REDIS_SERVER} is missing: the worker fault tests are mandatory in CI.")
        pytest.skip(f"{REDIS_SERVER} is missing (apt-get install redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start(appendonly=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, broker: RedisServer) -> Iterator[Workers]:
    from django.conf import settings

    db = connection.settings_dict
    mail = tmp_path_factory.mktemp("mail")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "REDIS_URL": broker.url,
        "EMAIL_URL": f"filemail:///{mail}",
        "SECRET_KEY": "worker-faults-test",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "LANGUAGE_CODE": "en",
        "FETCH_ALLOWED_HOSTS": "localhost",
        "CELERY_VISIBILITY_TIMEOUT": "3600",  # production's, whatever the environment says
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False  # type: ignore[misc]
    previous = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    celery_app.conf.update(broker_url=broker.url, task_always_eager=False)
    reset_connections()
    running = Workers(env, tmp_path_factory.mktemp("worker-logs"), broker)
    running.mail = mail  # type: ignore[attr-defined]
    try:
        yield running
    finally:
        running.stop()
        settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[misc]
        celery_app.conf.update(**previous)
        reset_connections()


@pytest.fixture
def worker(workers: Workers, broker: RedisServer) -> Iterator[Workers]:
    """A fresh broker (append-only, emptied) and no worker running: each test starts its own. The test
    ends once the worker is idle (a task still writing would deadlock with the flush that follows)."""
    if broker.process is None or broker.process.poll() is not None or not broker.appendonly:
        broker.stop()
        broker.start(appendonly=True)
    broker.client().flushall()
    reset_connections()
    for old in workers.mail.iterdir():  # type: ignore[attr-defined]
        old.unlink()
    yield workers
    if workers.alive():
        assert wait_for(workers.idle), f"the worker was still busy after the test:\n{workers.log()}"
        workers.stop()


@pytest.fixture
def site() -> Iterator[PageServer]:
    server = PageServer()
    server.pages = {path: (200, "text/html; charset=utf-8", news_page(*page)) for path, page in ARTICLES.items()}
    yield server
    server.stop()


@pytest.fixture
def newsroom(db: None) -> dict[str, Any]:
    make_ratings()
    haftar = Actor.objects.create(name="Khalifa Haftar")
    ActorAlias.objects.create(actor=haftar, name="Haftar")
    Place.objects.create(name="Tripoli")
    return {
        "researcher": UserFactory(username="rosa-faults", role="Researcher"),
        "editors": [UserFactory(username=f"eva-faults{i}", role="Editor") for i in range(EDITORS)],
    }


# --- The work, and what it must have done ----------------------------------------------------------------


def queue_fetches(site: PageServer, paths: Any = ARTICLES) -> list[int]:
    """Sources registered by address: each fetched, archived, then scanned for claim candidates."""
    ids = []
    for path in paths:
        registered = Source.objects.create(url=site.url(path))
        request_fetch(registered)  # autocommit: sent at once
        ids.append(registered.pk)
    return ids


def queue_duplicate_scans(count: int = 3) -> list[int]:
    """New claims: each indexed and marked for a duplicate scan, sent once its save commits."""
    return [ClaimFactory(text=f"{ARTICLES['/libya/haftar-tripoli'][1].splitlines()[i][:200]}").pk for i in range(count)]


def feed() -> str:
    reviews = [
        {
            "@type": "ClaimReview",
            "url": f"https://factcheck.example/reviews/faults-{n}",
            "claimReviewed": f"Claim number {n} about the Libyan ceasefire",
            "inLanguage": "en",
            "datePublished": "2019-04-09",
            "author": {"@type": "Organization", "name": "Libya Fact Check"},
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
        }
        for n in range(REVIEWS)
    ]
    return json.dumps(reviews)


def queue_import(researcher: Any) -> int:
    from claims.tasks import queue_import as send

    run = ImportRun.objects.create(location="feed.json", payload=feed(), created_by=researcher)
    send(run.pk)
    return run.pk


def queue_notifications(researcher: Any, count: int = 3) -> list[int]:
    """Claims submitted for review: each step owes every editor one e-mail."""
    claims = [
        ready_claim(researcher, text=f"Tuyên bố {Claim.objects.count() + i}: Tripoli kiểm soát chỉ 7% lãnh thổ")
        for i in range(count)
    ]
    for claim in claims:
        workflow.transition(claim.pk, researcher, workflow.Action.SUBMIT)
    return [claim.pk for claim in claims]


def fetched_once(source_id: int) -> bool:
    source = Source.objects.get(pk=source_id)
    return source.fetch_status == "fetched" and not source.needs_candidates


def assert_fetched_and_scanned_once(source_id: int) -> None:
    source = Source.objects.get(pk=source_id)
    assert source.fetch_status == "fetched" and source.fetch_error == ""
    assert SourceSnapshot.objects.filter(source=source).count() == 1
    assert_scanned_once(source_id)


def assert_scanned_once(source_id: int) -> None:
    """One set of candidates: exactly the spans one scan of the text finds, each stored once."""
    source = Source.objects.get(pk=source_id)
    names = [
        *Actor.objects.values_list("name", flat=True),
        *ActorAlias.objects.values_list("name", flat=True),
        *Place.objects.values_list("name", flat=True),
        *PlaceAlias.objects.values_list("name", flat=True),
    ]
    expected = sorted((c.start, c.end) for c in suggest(source.text, "vi", names, limit=CANDIDATES_PER_SOURCE))
    assert sorted(ClaimCandidate.objects.filter(source=source).values_list("start", "end")) == expected
    assert not source.needs_candidates


def scanned(claim_ids: list[int]) -> bool:
    return not SearchDocument.objects.filter(claim_id__in=claim_ids, needs_duplicate_scan=True).exists()


def imported(run_id: int) -> bool:
    return ImportRun.objects.get(pk=run_id).status == "done"


def assert_imported_once(run_id: int) -> None:
    run = ImportRun.objects.get(pk=run_id)
    assert (run.status, run.item_count, run.skipped_count) == ("done", REVIEWS, 0), run.message
    reviews = ExternalReview.objects.filter(review_url__contains="/reviews/faults-")
    assert reviews.count() == REVIEWS
    assert Claim.objects.filter(external_reviews__in=reviews).distinct().count() == REVIEWS


def mails(workers: Workers) -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail the workers wrote (the file backend: one file per connection,
    messages separated by a line of dashes)."""
    import email
    import email.policy

    found = []
    for path in workers.mail.iterdir():  # type: ignore[attr-defined]
        for raw in path.read_text(encoding="utf-8").split("\n" + "-" * 79 + "\n"):
            if raw.strip():
                message = email.message_from_string(raw.strip("-\n"), policy=email.policy.default)
                found.append((str(message["To"]), " ".join(str(message["Subject"]).split())))
    return found


def notified(claim_ids: list[int]) -> bool:
    return not Notification.objects.filter(event__claim_id__in=claim_ids, done_at__isnull=True).exists()


def assert_notified_once(workers: Workers, claim_ids: list[int]) -> None:
    sent = Counter(mails(workers))
    assert all(count == 1 for count in sent.values()), sent  # nobody told twice
    editors = sorted(f"eva-faults{i}@newsroom.test" for i in range(EDITORS))
    for claim in Claim.objects.filter(pk__in=claim_ids):
        told = sorted(to for to, subject in sent if subject.endswith(": " + " ".join(str(claim)[:80].split())))
        assert told == editors, (claim.pk, told)
    assert sum(Notification.objects.filter(event__claim_id__in=claim_ids).values_list("sent_count", flat=True)) == (
        len(claim_ids) * EDITORS
    )
    assert ReviewEvent.objects.filter(claim_id__in=claim_ids, action="submit").count() == len(claim_ids)


# --- The beat, as it would run after the grace periods ---------------------------------------------------

SWEEPS = (
    "sources.tasks.sweep_pending_fetches",
    "claims.tasks.sweep_claim_candidates",
    "claims.tasks.sweep_duplicate_scans",
    "claims.tasks.sweep_pending_imports",
    "claims.tasks.sweep_notifications",
)


def an_hour_passes() -> None:
    """Move what the sweeps read an hour back, past every grace period, as if the beat ran an hour on."""
    earlier = timezone.now() - dt.timedelta(hours=1)
    Source.objects.filter(fetch_status="pending").update(fetch_due_at=earlier)
    Source.objects.filter(needs_candidates=True).update(updated_at=earlier)
    Claim.objects.filter(search_document__needs_duplicate_scan=True).update(updated_at=earlier)
    ImportRun.objects.filter(status="pending").update(created_at=earlier)
    # A run a dead worker left "running" is re-sent once the broker's visibility timeout (an hour) is past.
    ImportRun.objects.filter(status="running").update(created_at=earlier - dt.timedelta(hours=1))
    Notification.objects.filter(done_at__isnull=True).update(created_at=earlier)


def beat() -> None:
    """Send each sweep as a message, as ``celery beat`` does; the worker runs it and sends the work."""
    for name in SWEEPS:
        celery_app.send_task(name)


# --- Redis restarted mid-run ----------------------------------------------------------------------------


@pytest.mark.parametrize("appendonly", [True, False], ids=["appendonly", "no-persistence"])
def test_a_redis_restarted_mid_run_loses_no_work_and_duplicates_none(
    worker: Workers, broker: RedisServer, site: PageServer, newsroom: dict[str, Any], appendonly: bool
) -> None:
    broker.stop()
    broker.start(appendonly=appendonly)
    worker.start()
    # The worker is inside one fetch (held by the site) while the rest of the work waits in the queue.
    site.hold("/libya/haftar-tripoli")
    sources = queue_fetches(site)
    assert site.arrived.wait(timeout=60), worker.log()
    claims = queue_duplicate_scans()
    run = queue_import(newsroom["researcher"])
    submitted = queue_notifications(newsroom["researcher"])
    queued = broker.client().llen("celery")

    started = time.monotonic()
    broker.restart()
    after_restart = broker.client().llen("celery")
    site.release()
    reset_connections()
    # The worker finds its broker again by itself (broker_connection_retry).
    assert wait_for(worker.answers, timeout=120), f"the worker did not reconnect:\n{worker.log()}"
    reconnected = time.monotonic() - started

    def all_done() -> bool:
        return all(fetched_once(pk) for pk in sources) and scanned(claims) and imported(run) and notified(submitted)

    if appendonly:
        assert after_restart >= 1  # the queue came back from the append-only file
    else:
        assert after_restart == 0  # everything queued was lost with the server
        assert wait_for(worker.idle, timeout=60), worker.log()
        assert not all_done()  # nothing brings it back by itself...
        an_hour_passes()
        beat()  # ...but the beat's sweeps find the outbox rows and send the work again
    assert wait_for(all_done, timeout=240), f"not all the work was done:\n{worker.log()}"
    recovered = time.monotonic() - started
    assert wait_for(worker.idle, timeout=60), worker.log()

    for pk in sources:
        assert_fetched_and_scanned_once(pk)
    assert scanned(claims)
    assert_imported_once(run)
    assert_notified_once(worker, submitted)
    print(
        f"\nappendonly={appendonly}: {queued} messages queued at the restart, {after_restart} after it; "
        f"worker answered {reconnected:.1f} s after the kill, all work done {recovered:.1f} s after it; "
        f"page requests {Counter(site.requests)}; e-mails {len(mails(worker))}"
    )


# --- A worker killed mid-task -----------------------------------------------------------------------------


def database_waits() -> int:
    """Backends of the test database waiting for a row lock (a task blocked by the test's lock)."""
    return int(
        connection.cursor()
        .execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        .fetchone()[0]
    )


class RowLock:
    """A row locked from a connection of the test's own, so a task that needs it stops there."""

    def __init__(self, table: str, pk: int, column: str = "id") -> None:
        db = connection.settings_dict
        self.connection = psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres", dbname=db["NAME"]
        )
        self.connection.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR UPDATE", [pk])  # noqa: S608

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


KINDS = ["fetch", "candidates", "duplicates", "import", "notification"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_worker_killed_mid_task_is_replaced_and_the_work_is_done_once(
    worker: Workers, broker: RedisServer, site: PageServer, newsroom: dict[str, Any], kind: str
) -> None:
    """Kill the worker inside a task of each kind; the replacement (production's hour of visibility) does
    not get the message back, the beat's sweep sends it again; then a worker whose visibility timeout the
    dead message has outlived hands that message back too — and the second delivery does nothing more."""
    researcher = newsroom["researcher"]
    lock: RowLock | None = None
    source_ids: list[int] = []
    claim_ids: list[int] = []
    run = 0
    # The work is queued with no worker running, the task's row locked; the worker then takes the
    # message and stops inside the task, waiting for the lock (or for the page, for a fetch).
    if kind == "fetch":
        worker.start()
        site.hold("/libya/haftar-tripoli")
        source_ids = queue_fetches(site, ["/libya/haftar-tripoli"])
        wait_inside: Callable[[], bool] = site.arrived.is_set
    else:
        if kind == "candidates":
            source = Source.objects.create(url="https://news.example/libya", text=SEED_A2, language="vi")
            source_ids = [source.pk]
            lock = RowLock("sources_source", source.pk)
        elif kind == "duplicates":
            claim_ids = queue_duplicate_scans(1)
            lock = RowLock("claims_searchdocument", claim_ids[0], column="claim_id")
        elif kind == "import":
            run = ImportRun.objects.create(location="feed.json", payload=feed(), created_by=researcher).pk
            lock = RowLock("claims_importrun", run)
            from claims.tasks import queue_import as send

            send(run)
        else:
            claim_ids = queue_notifications(researcher, 1)
            notification = Notification.objects.get(event__claim_id=claim_ids[0])
            # The message went out before the lock: the worker is not running yet, so it waits in Redis.
            lock = RowLock("claims_notification", notification.pk)
        assert broker.client().llen("celery") >= 1
        worker.start()

        def wait_inside() -> bool:
            return database_waits() >= 1

    assert wait_for(wait_inside, timeout=60), f"the worker never got inside the {kind} task:\n{worker.log()}"
    worker.kill()
    killed_at = time.time()
    if lock is not None:
        lock.release()
    site.release()
    assert broker.client().hlen("unacked") >= 1  # the dead worker's message, never acknowledged

    def done() -> bool:
        if kind == "fetch":
            return fetched_once(source_ids[0])
        if kind == "candidates":
            return not Source.objects.get(pk=source_ids[0]).needs_candidates
        if kind == "duplicates":
            return scanned(claim_ids)
        if kind == "import":
            return imported(run)
        return notified(claim_ids)

    worker.start()  # production's visibility timeout: the dead message stays unacknowledged
    assert wait_for(worker.idle, timeout=60), worker.log()
    assert not done()
    an_hour_passes()
    beat()
    assert wait_for(done, timeout=120), f"the sweep did not bring the {kind} work back:\n{worker.log()}"
    assert wait_for(worker.idle, timeout=60), worker.log()

    # The dead message comes back too, to a worker whose visibility timeout it has outlived.
    worker.stop()
    assert wait_for(lambda: time.time() - killed_at > SHORT_VISIBILITY + 1, timeout=SHORT_VISIBILITY + 5)
    worker.start(CELERY_VISIBILITY_TIMEOUT=str(SHORT_VISIBILITY))
    assert wait_for(lambda: broker.client().hlen("unacked") == 0, timeout=60), worker.log()
    assert wait_for(worker.idle, timeout=60), worker.log()

    if kind == "fetch":
        assert_fetched_and_scanned_once(source_ids[0])
        assert site.requests.count("/libya/haftar-tripoli") == 2  # the killed one, the one that completed
    if kind == "candidates":
        assert_scanned_once(source_ids[0])
    if kind == "duplicates":
        assert scanned(claim_ids)
    if kind == "import":
        assert_imported_once(run)
    if kind == "notification":
        assert_notified_once(worker, claim_ids)
