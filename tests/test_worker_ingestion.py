"""The ingestion pipeline through a real Celery worker on Redis, against the PostgreSQL test database.

A source registered through the API with only its address is fetched by the worker from a local news
site (``tests.pages``), archived, scanned for claim candidates, and one candidate accepted by an editor
becomes a draft claim; a worker killed in the middle of a fetch is replaced and the fetch happens once
in effect, whether the broker hands the message back or the sweep sends it again; a cited page that
changes and then vanishes is seen to by the link check; a 503 is retried after its back-off.

The workers are subprocesses (``celery -A factcheck worker --pool=prefork --concurrency=1``: production's
pool), started, killed and stopped here, on a Redis database of their own — not ``tests/test_worker.py``'s
— so the two files' workers never take each other's messages, and runs of this file wait for each other.
They may fetch from ``localhost`` (``FETCH_ALLOWED_HOSTS``), where the news site listens, and otherwise
run with production's defaults unless a test says otherwise. Not ``--pool=solo``: Celery sends a task's
early acknowledgement through the event loop, which a solo pool's running task blocks, so there a
killed task comes back even without ``acks_late`` and the kill tests could not tell.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import sources.tasks
from claims.candidates import CANDIDATES_PER_SOURCE
from claims.models import Claim, ClaimCandidate
from factcheck.celery import app as celery_app
from sources.candidates import suggest
from sources.models import Actor, ActorAlias, Place, PlaceAlias, Source, SourceSnapshot
from sources.tasks import check_source_link, request_fetch

from .factories import QUOTE_7_PERCENT, SEED_A2, AppearanceFactory, ClaimFactory, UserFactory
from .pages import HEADLINE_A2, PageServer, news_page
from .services import TEST_REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/libya/haftar-tripoli"


def _another_database(url: str) -> str:
    """The same Redis, another database: test_worker.py's workers use TEST_REDIS_URL's (13 by default)."""
    parts = urlsplit(url)
    theirs = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{11 if theirs == 12 else 12}"))


INGEST_REDIS_URL = _another_database(TEST_REDIS_URL)
#: Seconds an unacknowledged message waits before a worker may hand it back to the queue, in the kill
#: test (production's, and these workers' by default, is an hour).
VISIBILITY_TIMEOUT = 2
#: The key a run of this file holds in that database while it uses it, renewed at each test.
LOCK = "test_worker_ingestion:running"
LOCK_SECONDS = 120

# What a fact-checker picks from the article, in its own words.
CASUALTIES_SOLDIERS = "ít nhất đã có 14 binh sĩ LNA thiệt mạng"
CASUALTIES_CIVILIANS = "đã có 4 dân thường thiệt mạng"


def wait_for(condition: Callable[[], Any], timeout: float = 30.0) -> bool:
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


class Workers:
    """Starts, kills and stops real worker processes, one at a time, each logging to its own file."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.name = ""
        self.extra: dict[str, str] = {}
        self.lock: Callable[[], Any] = lambda: None

    def start(self, **extra: str) -> None:
        """Start a worker (settings in ``extra`` on top of the usual environment) and wait for its pong."""
        self.started += 1
        self.extra = extra
        self.name = f"ingest{self.started}@worker-ingestion-test"
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
            start_new_session=True,  # its own process group: a kill reaches all of it
        )
        log.close()
        assert wait_for(self.answers, timeout=40), f"worker {self.name} did not answer ping:\n{self.log()}"

    def answers(self) -> bool:
        return bool(celery_app.control.ping(destination=[self.name], timeout=0.5))

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def idle(self) -> bool:
        """Nothing running, nothing waiting to run (messages due later, ETA tasks, do not count)."""
        inspect = celery_app.control.inspect(destination=[self.name], timeout=1)
        active, reserved = inspect.active(), inspect.reserved()
        if not active or not reserved:  # no answer
            return False
        # A task queues what follows it before it ends: look at the queue after the tasks.
        busy = any(active.values()) or any(reserved.values())
        return not busy and redis.Redis.from_url(INGEST_REDIS_URL).llen("celery") == 0

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no shutdown, no acknowledgement."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in sorted(self.logs.iterdir())
        )


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Workers]:
    """Real workers on a dedicated Redis database, pointed at the PostgreSQL test database."""
    from django.conf import settings

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": INGEST_REDIS_URL,
        "SECRET_KEY": "worker-ingestion-test",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "FETCH_ALLOWED_HOSTS": "localhost",
        # Production's values, whatever the environment running the tests says; a test may change them.
        "CELERY_VISIBILITY_TIMEOUT": "3600",
        "FETCH_RETRY_DELAY": "60",
    }
    broker = redis.Redis.from_url(INGEST_REDIS_URL)
    token = uuid.uuid4().hex
    # Another run of this file on the machine (a second checkout, a parallel job) would share the
    # database: its workers would take our messages and ours theirs. Runs wait for each other.
    assert wait_for(lambda: broker.set(LOCK, token, nx=True, ex=LOCK_SECONDS), timeout=LOCK_SECONDS + 60), (
        f"another run of this file held {LOCK} in {INGEST_REDIS_URL} too long"
    )
    clear(broker)  # messages (queued or unacknowledged) an earlier run left behind
    # This process sends to the same broker, for real (not eagerly).
    settings.CELERY_TASK_ALWAYS_EAGER = False  # type: ignore[misc]
    previous = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    celery_app.conf.update(broker_url=INGEST_REDIS_URL, task_always_eager=False)
    reset_connections()
    running = Workers(env, tmp_path_factory.mktemp("worker-logs"))
    running.lock = lambda: broker.expire(LOCK, LOCK_SECONDS)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        clear(broker)  # what the dead workers and the retries left behind
        if broker.get(LOCK) == token.encode():
            broker.delete(LOCK)
        settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[misc]
        celery_app.conf.update(**previous)
        reset_connections()


def clear(broker: redis.Redis) -> None:
    """Empty the workers' Redis database but for the lock."""
    for key in broker.scan_iter():
        if key != LOCK.encode():
            broker.delete(key)


def worker_env(**settings: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run the decorated test with a worker started with these settings on top of the usual ones."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        test.worker_env = settings  # type: ignore[attr-defined]
        return test

    return decorate


@pytest.fixture
def worker(workers: Workers, request: pytest.FixtureRequest) -> Iterator[Workers]:
    """A live worker with the settings the test asks for (``worker_env``), else the usual ones; the one
    running is kept when it has them (a kill test leaves its replacement running).

    The test ends once the worker is idle: the flush that follows a transactional test locks every table,
    and a task still writing (the candidates scan after a fetch) would deadlock with it.
    """
    workers.lock()  # still ours, for another LOCK_SECONDS
    wanted = getattr(request.function, "worker_env", {})
    if workers.alive() and workers.extra != wanted:
        workers.stop()
    if not workers.alive():
        workers.start(**wanted)
    yield workers
    if workers.alive():
        assert wait_for(workers.idle), f"the worker was still busy after the test:\n{workers.log()}"


@pytest.fixture
def site() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.stop()


@pytest.fixture
def names(db: None) -> None:
    """The actors and places the article names, as the newsroom has them (candidates are scored by them)."""
    haftar = Actor.objects.create(name="Khalifa Haftar")
    ActorAlias.objects.create(actor=haftar, name="Haftar")
    lna = Actor.objects.create(name="Quân đội Quốc gia Libya", kind=Actor.Kind.ORGANIZATION)
    ActorAlias.objects.create(actor=lna, name="LNA")
    Actor.objects.create(name="GNA", kind=Actor.Kind.ORGANIZATION)
    Place.objects.create(name="Tripoli")
    libya = Place.objects.create(name="Libya")
    PlaceAlias.objects.create(place=libya, name="Lybia")


def api(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def register(user: Any, url: str) -> int:
    """A researcher registers a source with nothing but its address, through the API."""
    response = api(user).post("/api/v1/sources/", {"url": url}, format="json")
    assert response.status_code == 201, response.content[:500]
    assert response.json()["fetch_status"] == "pending"
    return int(response.json()["id"])


def source(pk: int) -> Source:
    return Source.objects.get(pk=pk)


def candidates_stored(pk: int) -> bool:
    return not source(pk).needs_candidates and ClaimCandidate.objects.filter(source_id=pk).exists()


def failure(workers: Workers) -> str:
    return f"the worker did not finish in time; its log:\n{workers.log()}"


def test_a_source_registered_by_url_is_fetched_and_its_candidates_become_a_draft_claim(
    worker: Workers, site: PageServer, names: None, client: Any
) -> None:
    researcher = UserFactory(username="rosa-ingest", role="Researcher")
    editor = UserFactory(username="eva-ingest", role="Editor")

    pk = register(researcher, site.url(ARTICLE))

    assert wait_for(lambda: source(pk).fetch_status == "fetched"), failure(worker)
    seen = api(researcher).get(f"/api/v1/sources/{pk}/").json()  # what the researcher sees now
    assert seen["fetch_status"] == "fetched" and seen["fetch_error"] == ""
    assert seen["title"] == HEADLINE_A2
    assert seen["language"] == "vi"
    assert seen["link_status"] == "live"
    assert QUOTE_7_PERCENT in seen["text"] and CASUALTIES_SOLDIERS in seen["text"]
    assert "Giấy phép hoạt động báo chí" not in seen["text"]  # the site's footer is not the article
    fetched = source(pk)
    assert seen["content_hash"] == fetched.content_hash
    snapshot = SourceSnapshot.objects.get(source=fetched)
    assert snapshot.sha256 == fetched.content_hash
    assert snapshot.text == fetched.text and snapshot.http_status == 200

    assert wait_for(lambda: candidates_stored(pk)), failure(worker)
    top = [c.text for c in ClaimCandidate.objects.filter(source_id=pk).order_by("-score", "start")[:5]]
    for phrase in (QUOTE_7_PERCENT, CASUALTIES_SOLDIERS, CASUALTIES_CIVILIANS):
        assert any(phrase in sentence for sentence in top), (phrase, top)

    candidate = next(c for c in ClaimCandidate.objects.filter(source_id=pk) if QUOTE_7_PERCENT in c.text)
    client.force_login(editor)
    response = client.post(reverse("admin:claims_claimcandidate_decide", args=[candidate.pk]), {"decision": "accept"})
    assert response.status_code == 302

    candidate.refresh_from_db()
    assert candidate.status == "accepted" and candidate.decided_by == editor
    claim = Claim.objects.get(pk=candidate.claim_id)
    assert response["Location"] == reverse("admin:claims_claim_change", args=[claim.pk])
    assert claim.status == "draft" and claim.text == candidate.text and claim.language == "vi"
    appearance = claim.appearances.get()
    assert appearance.source_id == pk and appearance.is_first
    assert (appearance.start, appearance.end) == (candidate.start, candidate.end)
    assert appearance.quote == candidate.text == source(pk).text[candidate.start : candidate.end]


def test_a_cited_page_that_changes_then_vanishes_is_seen_by_the_link_check(worker: Workers, site: PageServer) -> None:
    registered = Source.objects.create(url=site.url(ARTICLE))
    with transaction.atomic():
        request_fetch(registered)
    assert wait_for(lambda: source(registered.pk).fetch_status == "fetched"), failure(worker)
    cited = source(registered.pk)
    AppearanceFactory(claim=ClaimFactory(), source=cited)  # quotes the 7% sentence: the source is cited
    text = cited.text

    site.pages[ARTICLE] = (
        200,
        "text/html; charset=utf-8",
        news_page(HEADLINE_A2, SEED_A2.replace("7%", "10%")),
    )
    check_source_link.delay(cited.pk)
    assert wait_for(lambda: source(cited.pk).link_status == "changed"), failure(worker)
    assert SourceSnapshot.objects.filter(source=cited).count() == 2
    assert "10% lãnh thổ" in SourceSnapshot.objects.filter(source=cited).latest().text
    assert source(cited.pk).text == text  # the quotes point into the text first fetched: it stays

    site.pages[ARTICLE] = (410, "text/html; charset=utf-8", b"<html><body><p>Gone</p></body></html>")
    check_source_link.delay(cited.pk)
    assert wait_for(lambda: source(cited.pk).link_status == "gone"), failure(worker)
    assert SourceSnapshot.objects.filter(source=cited).count() == 2
    assert source(cited.pk).text == text
    assert site.requests.count(ARTICLE) == 3


def unacked_fetch(pk: int) -> float | None:
    """When the fetch of source ``pk`` was delivered to a worker, if it is still unacknowledged; else None.

    kombu's Redis transport emulates acknowledgements: a delivered message waits in the ``unacked`` hash,
    indexed by delivery time in ``unacked_index``, until the worker acknowledges it (acks_late: after
    the task ran).
    """
    broker = redis.Redis.from_url(INGEST_REDIS_URL)
    for tag, delivered_at in broker.zrange("unacked_index", 0, -1, withscores=True):
        raw = broker.hget("unacked", tag)
        if raw is None:
            continue
        headers = json.loads(raw)[0]["headers"]
        if headers["task"] == "sources.tasks.fetch_source" and headers["argsrepr"] == f"({pk},)":
            return float(delivered_at)
    return None


def assert_fetched_once(pk: int, site: PageServer) -> None:
    """Fetched, archived and scanned for candidates exactly as one uninterrupted run would have."""
    fetched = source(pk)
    assert fetched.fetch_status == "fetched" and fetched.fetch_error == ""
    assert fetched.title == HEADLINE_A2 and QUOTE_7_PERCENT in fetched.text
    assert SourceSnapshot.objects.filter(source_id=pk).count() == 1
    spans = sorted(ClaimCandidate.objects.filter(source_id=pk).values_list("start", "end"))
    names = [
        *Actor.objects.values_list("name", flat=True),
        *ActorAlias.objects.values_list("name", flat=True),
        *Place.objects.values_list("name", flat=True),
        *PlaceAlias.objects.values_list("name", flat=True),
    ]
    assert spans == sorted((c.start, c.end) for c in suggest(fetched.text, "vi", names, limit=CANDIDATES_PER_SOURCE))
    assert site.requests.count(ARTICLE) == 2  # the killed worker's request, and the one that completed


class Flaky(dict[str, tuple[int, str, bytes]]):
    """The site's pages, but the first request for ``path`` is answered 503 (busy), later ones as usual;
    ``asked`` has the times ``path`` was asked for."""

    def __init__(self, pages: dict[str, tuple[int, str, bytes]], path: str) -> None:
        super().__init__(pages)
        self.path = path
        self.asked: list[float] = []

    def get(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        if path != self.path:
            return super().get(path, default)
        self.asked.append(time.monotonic())
        if len(self.asked) == 1:
            return (503, "text/html; charset=utf-8", b"<html><body><p>Busy</p></body></html>")
        return super().get(path, default)


def test_a_503_leaves_the_fetch_pending_until_its_retry_is_due(worker: Workers, site: PageServer) -> None:
    site.pages = flaky = Flaky(site.pages, ARTICLE)
    registered = Source.objects.create(url=site.url(ARTICLE))
    with transaction.atomic():
        request_fetch(registered)

    assert wait_for(lambda: source(registered.pk).fetch_error != ""), failure(worker)
    waiting = source(registered.pk)
    assert waiting.fetch_status == "pending" and "503" in waiting.fetch_error
    # The first retry is due a minute on (FETCH_RETRY_DELAY); the sweep leaves the source alone till then.
    assert waiting.fetch_due_at is not None
    assert dt.timedelta(seconds=50) < waiting.fetch_due_at - timezone.now() <= dt.timedelta(seconds=60)
    assert sources.tasks.sweep_pending_fetches() == 0
    assert len(flaky.asked) == 1
    assert SourceSnapshot.objects.filter(source=waiting).count() == 0
    # The retry waits in the worker (an ETA message, unacknowledged) for a minute: the flush takes its
    # source meanwhile, and whichever worker has it then finds nothing to fetch ("skipped").


def test_a_fetch_lost_with_its_worker_is_sent_again_by_the_sweep(
    worker: Workers, site: PageServer, names: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    researcher = UserFactory(username="rosa-sweep", role="Researcher")
    site.hold(ARTICLE)
    pk = register(researcher, site.url(ARTICLE))
    assert site.arrived.wait(timeout=30), failure(worker)

    worker.kill()
    # The replacement has production's visibility timeout, an hour: it leaves the dead worker's message
    # unacknowledged, and the source pending.
    worker.start()
    site.release()
    assert source(pk).fetch_status == "pending"

    # The beat's sweep re-sends the fetches still pending FETCH_GRACE (10 minutes) after they were due:
    # here, at once. It only sends messages, so it runs in this process; the worker does the fetch.
    monkeypatch.setattr(sources.tasks, "FETCH_GRACE", dt.timedelta(0))
    assert sources.tasks.sweep_pending_fetches() == 1

    assert wait_for(lambda: source(pk).fetch_status == "fetched"), failure(worker)
    assert wait_for(lambda: candidates_stored(pk)), failure(worker)
    assert_fetched_once(pk, site)
    fetched_at = source(pk).fetched_at

    # The dead worker's message is still there, unacknowledged. A worker whose visibility timeout it has
    # outlived hands it back as it starts (see the next test): the second delivery finds the source
    # fetched, does nothing, and is acknowledged.
    delivered_at = unacked_fetch(pk)
    assert delivered_at is not None
    worker.stop()
    assert wait_for(lambda: time.time() - delivered_at > VISIBILITY_TIMEOUT + 0.5, timeout=VISIBILITY_TIMEOUT + 5)
    worker.start(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    assert wait_for(lambda: unacked_fetch(pk) is None), failure(worker)
    assert_fetched_once(pk, site)
    assert source(pk).fetched_at == fetched_at


@worker_env(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
def test_a_worker_killed_mid_fetch_is_replaced_and_the_fetch_happens_once(
    worker: Workers, site: PageServer, names: None
) -> None:
    researcher = UserFactory(username="rosa-kill", role="Researcher")
    site.hold(ARTICLE)
    pk = register(researcher, site.url(ARTICLE))
    assert site.arrived.wait(timeout=30), failure(worker)  # the worker is inside the fetch

    worker.kill()
    delivered_at = unacked_fetch(pk)
    assert delivered_at is not None, "the killed worker's message should wait unacknowledged in Redis"
    assert source(pk).fetch_status == "pending"
    site.release()

    # What hands the message back, found by experiment (kombu 5.7's Redis transport): a consuming worker's
    # ``restore_visible``, which puts unacknowledged messages older than *its own* visibility timeout
    # back in their queue. A worker runs it once as it starts (on_poll_init), then from a timer every
    # ``unacked_restore_interval`` (10 s) but scanning only every ``unacked_restore_throttle``-th (10th)
    # time: about every 100 s. Measured: a replacement started 3 s after the kill, with a 5 s timeout,
    # had not taken the message back 40 s later. One started once the timeout has passed since the
    # delivery takes it back at once — as here. (In production, with an hour's timeout, the sweep of
    # pending fetches comes first: see the previous test.)
    assert wait_for(lambda: time.time() - delivered_at > VISIBILITY_TIMEOUT + 0.5, timeout=VISIBILITY_TIMEOUT + 5)
    worker.start(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))

    assert wait_for(lambda: site.requests.count(ARTICLE) >= 2), failure(worker)
    assert wait_for(lambda: source(pk).fetch_status == "fetched"), failure(worker)
    assert wait_for(lambda: candidates_stored(pk)), failure(worker)
    assert_fetched_once(pk, site)
    assert unacked_fetch(pk) is None  # and the message was acknowledged at last


@worker_env(FETCH_RETRY_DELAY="2")  # the back-off's base: a minute in production
def test_after_a_503_the_real_worker_waits_its_back_off_and_fetches_the_page(worker: Workers, site: PageServer) -> None:
    site.pages = flaky = Flaky(site.pages, ARTICLE)
    registered = Source.objects.create(url=site.url(ARTICLE))
    with transaction.atomic():
        request_fetch(registered)

    assert wait_for(lambda: source(registered.pk).fetch_status == "fetched"), failure(worker)
    fetched = source(registered.pk)
    assert fetched.fetch_error == "" and fetched.fetch_due_at is None
    assert fetched.title == HEADLINE_A2 and QUOTE_7_PERCENT in fetched.text
    assert SourceSnapshot.objects.filter(source=fetched).count() == 1
    assert len(flaky.asked) == 2
    assert 2 <= flaky.asked[1] - flaky.asked[0] < 15  # asked again once the back-off had passed
