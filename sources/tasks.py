"""Celery tasks of the sources app: fetching and archiving a source's page, and re-checking cited links.

Each task takes a source's id and is safe to run twice: a fetch only acts on a source still marked
pending, and a page's text is archived once per distinct hash (``SourceSnapshot``'s unique constraint),
a second sighting only moving its ``last_seen_at`` on. The network is never touched inside a
transaction: the page is fetched first, then the row is locked and the result written.

The outbox: asking for a fetch marks the source ``pending`` in the caller's transaction, and the message
is sent after the commit (``queue_fetches``). A message lost between the two (a process killed, the
broker down) leaves the mark, and the beat task ``sweep_pending_fetches`` sends it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation

from . import fetching
from .models import FetchStatus, LinkStatus, Source, SourceSnapshot

logger = logging.getLogger(__name__)

#: Transient failures (a timeout, a 503, a refused connection) are tried again this many times, waiting
#: ``retry_delay`` between attempts: 1, 2, 4, 8 minutes by default.
FETCH_RETRIES = 4
#: A pending fetch still waiting this long after it was due had its message lost: the sweep re-sends it.
FETCH_GRACE = dt.timedelta(minutes=10)


def retry_delay(retries: int) -> int:
    """Seconds to wait before attempt ``retries + 2``: FETCH_RETRY_DELAY doubled each time, at most an hour
    and at most half the broker's visibility timeout — a retry waiting longer than that would be handed
    to a second worker by Redis while the first still holds it."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return int(max(1, min(settings.FETCH_RETRY_DELAY * 2**retries, 3600, visibility // 2)))


def request_fetch(source: Source) -> None:
    """Mark a saved source for fetching and send the task once the caller's transaction commits."""
    Source.objects.filter(pk=source.pk).update(
        fetch_status=FetchStatus.PENDING, fetch_error="", fetch_due_at=timezone.now()
    )
    source.fetch_status, source.fetch_error = FetchStatus.PENDING, ""
    transaction.on_commit(lambda: queue_fetches([source.pk]))


def send_each(task: Any, ids: Iterable[int]) -> None:
    """Send ``task(id)`` for each id. A broker that is down is logged, not raised: the work stays
    recorded (a pending status, a mark) and the beat sweep that reads it sends it later."""
    for object_id in ids:
        try:
            task.delay(object_id)
        except Exception:
            logger.warning("could not queue %s(%s)", task.name, object_id, exc_info=True)


def queue_fetches(source_ids: Iterable[int]) -> None:
    send_each(fetch_source, source_ids)


@shared_task(bind=True, max_retries=FETCH_RETRIES, acks_late=True)
def fetch_source(self, source_id: int) -> str:  # type: ignore[no-untyped-def]
    """Fetch a pending source's page: fill in what the source lacks, archive the text, set the status.

    Returns what happened: ``fetched``, ``failed``, ``blocked``, ``retrying`` or ``skipped`` (the source
    is gone or no longer pending: a second delivery of a fetch already done).
    """
    source = Source.objects.filter(pk=source_id, fetch_status=FetchStatus.PENDING).exclude(url="").first()
    if source is None:
        return "skipped"
    try:
        result = fetching.fetch(source.url)
    except fetching.FetchBlocked as error:
        _fetch_failed(source_id, FetchStatus.BLOCKED, LinkStatus.UNREACHABLE, _reason(error))
        return "blocked"
    except fetching.FetchFailed as error:
        # Eager (the embedded default) has no worker to wait in: the editor asks again instead.
        if error.transient and not self.request.is_eager and self.request.retries < self.max_retries:
            delay = retry_delay(self.request.retries)
            Source.objects.filter(pk=source_id, fetch_status=FetchStatus.PENDING).update(
                fetch_error=_reason(error), fetch_due_at=timezone.now() + dt.timedelta(seconds=delay)
            )
            raise self.retry(countdown=delay, exc=error) from error
        link = LinkStatus.GONE if error.gone else LinkStatus.UNREACHABLE
        _fetch_failed(source_id, FetchStatus.FAILED, link, _reason(error))
        return "failed"
    archive(source_id, result, fill_in=True)
    return "fetched"


def _reason(error: Exception) -> str:
    """The error's message in the newsroom's language, whoever's request (or no request) ran the task."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(error)[:500]


def _fetch_failed(source_id: int, status: str, link: str, reason: str) -> None:
    now = timezone.now()
    Source.objects.filter(pk=source_id, fetch_status=FetchStatus.PENDING).update(
        fetch_status=status,
        fetch_error=reason[:500],
        fetch_due_at=None,
        link_status=link,
        link_checked_at=now,
        updated_at=now,
    )


def archive(source_id: int, result: fetching.FetchResult, fill_in: bool) -> SourceSnapshot | None:
    """Store the page's text as a snapshot and compare it with the last one seen.

    With ``fill_in`` (a requested fetch), the source takes the page's text, title and language where it
    has none; a text the source already has is never replaced (quotes point into it), a different page
    only shows as ``changed``.
    """
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None or (fill_in and source.fetch_status != FetchStatus.PENDING):
            return None
        if source.url != result.url:
            # The address was changed while this page was being fetched: the fetch of the new address
            # (queued by the change) is the one to keep.
            return None
        previous = source.snapshots.order_by("-last_seen_at", "-id").first()
        snapshot, created = SourceSnapshot.objects.get_or_create(
            source=source,
            sha256=result.sha256,
            defaults={
                "url": source.url,
                "final_url": result.final_url[:2048],
                "http_status": result.status,
                "content_type": result.content_type[:100],
                "title": result.title[:500],
                "text": result.text,
                "language": result.language,
                "byte_count": result.byte_count,
                "fetched_at": result.fetched_at,
                "last_seen_at": result.fetched_at,
            },
        )
        if not created:
            snapshot.last_seen_at = max(snapshot.last_seen_at, result.fetched_at)
            snapshot.save(update_fields=["last_seen_at"])
        changed = previous is not None and previous.sha256 != result.sha256
        source.link_status = LinkStatus.CHANGED if changed else LinkStatus.LIVE
        source.link_checked_at = result.fetched_at
        fields = ["link_status", "link_checked_at", "updated_at"]
        if fill_in:
            if not source.text and result.text:
                source.text = result.text
                fields.append("text")
            if not source.title and result.title:
                source.title = result.title[:500]
                fields.append("title")
            if not source.language and result.language:
                source.language = result.language
                fields.append("language")
            source.fetch_status = FetchStatus.FETCHED
            source.fetch_error = ""
            source.fetched_at = result.fetched_at
            source.fetch_due_at = None
            fields += ["fetch_status", "fetch_error", "fetched_at", "fetch_due_at"]
        source.save(update_fields=fields)
    return snapshot


@shared_task
def sweep_pending_fetches(limit: int = 500) -> int:
    """Beat task: re-send the fetches whose message was lost (still pending well after they were due)."""
    cutoff = timezone.now() - FETCH_GRACE
    ids = list(
        Source.objects.filter(fetch_status=FetchStatus.PENDING, fetch_due_at__lt=cutoff)
        .order_by("fetch_due_at")
        .values_list("pk", flat=True)[:limit]
    )
    queue_fetches(ids)
    return len(ids)


# --- Link rot ----------------------------------------------------------------------------------------


def cited_sources() -> Q:
    """Sources a claim's appearance or a verdict's evidence points to. The claims app's models are looked
    up by name: this app never imports that one."""
    appearance = apps.get_model("claims", "Appearance")
    evidence = apps.get_model("claims", "Evidence")
    return Q(Exists(appearance.objects.filter(source=OuterRef("pk")))) | Q(
        Exists(evidence.objects.filter(source=OuterRef("pk")))
    )


def queue_link_checks(source_ids: Iterable[int]) -> None:
    send_each(check_source_link, source_ids)  # lost ones: the periodic re-check comes back to them


@shared_task
def recheck_source_links(limit: int = 500) -> int:
    """Beat task: look again at the pages cited sources come from, the least recently checked first."""
    cutoff = timezone.now() - dt.timedelta(days=settings.SOURCE_RECHECK_DAYS)
    due = (
        Source.objects.exclude(url="")
        .exclude(fetch_status=FetchStatus.PENDING)
        .filter(Q(link_checked_at__isnull=True) | Q(link_checked_at__lt=cutoff))
        .filter(cited_sources())
        .order_by(F("link_checked_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    queue_link_checks(ids)  # a message lost here is sent again by the next beat: the check date has not moved
    return len(ids)


@shared_task(bind=True, max_retries=FETCH_RETRIES, acks_late=True)
def check_source_link(self, source_id: int) -> str:  # type: ignore[no-untyped-def]
    """Fetch a source's page again and say whether it is live, changed, gone or unreachable.

    The source's own text is never touched; a new version of the page is archived as a snapshot.
    """
    source = Source.objects.filter(pk=source_id).exclude(url="").first()
    if source is None:
        return "skipped"
    try:
        result = fetching.fetch(source.url)
    except fetching.FetchBlocked as error:
        _link_failed(source_id, LinkStatus.UNREACHABLE, _reason(error))
        return LinkStatus.UNREACHABLE
    except fetching.FetchFailed as error:
        if error.transient and not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(countdown=retry_delay(self.request.retries), exc=error) from error
        link = LinkStatus.GONE if error.gone else LinkStatus.UNREACHABLE
        _link_failed(source_id, link, _reason(error))
        return link
    archive(source_id, result, fill_in=False)
    return str(Source.objects.values_list("link_status", flat=True).get(pk=source_id))


def _link_failed(source_id: int, link: str, reason: str) -> None:
    Source.objects.filter(pk=source_id).update(
        link_status=link, link_checked_at=timezone.now(), fetch_error=reason[:500]
    )
