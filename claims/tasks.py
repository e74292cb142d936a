"""Celery tasks of the claims app. Each takes ids, loads, calls the workflow, and is safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sources.models import Source
from sources.tasks import send_each

from . import workflow
from .candidates import store_candidates
from .duplicates import find_duplicates
from .models import Claim, ClaimLink, DuplicateSuggestion, Notification, ReviewEvent, SearchDocument
from .search import refresh_recent_index

logger = logging.getLogger(__name__)


def _recipients(claim: Claim, action: str) -> list[str]:
    audience = workflow.NOTIFY_ON[action]
    if audience == "author":
        users = [claim.author]
    else:
        users = list(get_user_model().objects.filter(groups__name=audience, is_active=True).distinct())
    # Never ask the author to review their own claim.
    if audience != "author":
        users = [user for user in users if user.pk != claim.author_id]
    return sorted({user.email for user in users if user.email})


#: A notification not done this long after its step had its message lost: the sweep sends it again. Longer
#: than the task's own retries (5 at a minute's interval) take, so those come first.
NOTIFY_GRACE = dt.timedelta(minutes=10)


def queue_notifications(notification_ids: list[int]) -> None:
    """After the commit that wrote them: one task per notification (a lost one is re-sent by the sweep)."""
    send_each(notify_claim_waiting, notification_ids)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def notify_claim_waiting(self, notification_id: int) -> int:  # type: ignore[no-untyped-def]
    """E-mail the people a claim now waits for (a ``Notification`` owed by a step). Returns how many.

    Once per notification: its row is locked while the e-mails go out and marked done in the same
    transaction, so a second delivery (the sweep's, the broker's after a worker died) waits, then finds it
    done. A worker killed after the mail server took the e-mails but before the commit sends them again
    on the next delivery: the one window left, as narrow as the commit. A claim that has moved on since
    (a later step) is not announced for a state it has left.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("event__claim__author")
            .filter(pk=notification_id, done_at__isnull=True)
            .first()
        )
        if notification is None:
            return 0
        event = notification.event
        claim = event.claim
        moved_on = ReviewEvent.objects.filter(claim=claim, pk__gt=event.pk).exists()
        recipients = [] if moved_on else _recipients(claim, event.action)
        sent = 0
        if recipients:
            link = settings.SITE_URL + reverse("admin:claims_claim_change", args=[claim.pk])
            with translation.override(settings.LANGUAGE_CODE):
                subject = {
                    workflow.Action.SUBMIT: _("Claim waiting for review: %(claim)s"),
                    workflow.Action.REQUEST_CHANGES: _("Changes requested on your claim: %(claim)s"),
                    workflow.Action.APPROVE: _("Claim approved, ready to publish: %(claim)s"),
                    workflow.Action.RECHECK_DUE: _("Verdict due for re-check: %(claim)s"),
                }[event.action] % {"claim": str(claim)[:80]}
                body = "\n\n".join(part for part in [str(claim), event.comment, link] if part)
            messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
            try:
                sent = send_mass_mail(messages, fail_silently=False)
            except OSError as exc:  # SMTP down: roll back (still owed) and try again later
                raise self.retry(exc=exc) from exc
        Notification.objects.filter(pk=notification.pk).update(done_at=timezone.now(), sent_count=sent)
    return sent


@shared_task
def sweep_notifications(limit: int = 500) -> int:
    """Beat task: re-send the notifications whose message was lost (still owed after the grace period)."""
    cutoff = timezone.now() - NOTIFY_GRACE
    ids = list(
        Notification.objects.filter(done_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    queue_notifications(ids)
    return len(ids)


@shared_task
def refresh_recent_search_index() -> int | None:
    """Beat task: move the search's index of the newest documents up with the archive (a no-op until
    RECENT_DOCUMENTS more claims have come in) and build the band indexes it has passed
    (``claims.search.refresh_recent_index``)."""
    threshold = refresh_recent_index()
    if threshold is not None:
        logger.info("the recent search index now starts above claim %d", threshold)
    return threshold


@shared_task
def flag_due_rechecks() -> int:
    """Beat task: queue published verdicts past their re-check date for editors."""
    flagged = workflow.flag_due_rechecks()
    if flagged:
        logger.info("flagged %d verdicts due for re-check", len(flagged))
    return len(flagged)


# --- Duplicate suggestions ---------------------------------------------------------------------------------

#: How many possible duplicates a claim is shown.
DUPLICATE_SUGGESTIONS = 10
#: A scan not done this long after its claim changed had its message lost: the sweep re-sends it.
SCAN_GRACE = dt.timedelta(minutes=5)


def queue_duplicate_scans(claim_ids: list[int]) -> None:
    """After the commit that marked them: one scan per claim (a lost message is re-sent by the sweep)."""
    send_each(suggest_duplicates, claim_ids)


@shared_task(bind=True, max_retries=3, default_retry_delay=30, acks_late=True)
def suggest_duplicates(self, claim_id: int) -> int:  # type: ignore[no-untyped-def]
    """Find the likely duplicates of a claim and store them for editors; returns how many are pending.

    Runs once per change: the claim's search document is locked and its mark cleared in the same
    transaction as the suggestions are written, so a second delivery finds nothing to do. Decided
    suggestions are kept as they are; pending ones no longer found are dropped.
    """
    with transaction.atomic():
        document = (
            SearchDocument.objects.select_for_update().filter(claim_id=claim_id, needs_duplicate_scan=True).first()
        )
        if document is None:
            return 0
        claim = Claim.objects.prefetch_related("translations").get(pk=claim_id)
        linked = set(ClaimLink.objects.filter(from_claim=claim).values_list("to_claim_id", flat=True))
        linked |= set(ClaimLink.objects.filter(to_claim=claim).values_list("from_claim_id", flat=True))
        # One suggestion per pair: a pair the other claim's scan suggested keeps that row and its decision,
        # rather than being suggested again the other way round (a dismissal would be re-opened).
        suggested_to_them = set(DuplicateSuggestion.objects.filter(candidate=claim).values_list("claim_id", flat=True))
        skip = linked | suggested_to_them
        found = {
            suggestion.claim_id: suggestion.score
            for suggestion in find_duplicates(
                [claim.text, *(t.text for t in claim.translations.all())],
                exclude=claim.pk,
                limit=DUPLICATE_SUGGESTIONS + len(skip),
            )
            if suggestion.claim_id not in skip
        }
        found = dict(list(found.items())[:DUPLICATE_SUGGESTIONS])
        existing = {s.candidate_id: s for s in DuplicateSuggestion.objects.filter(claim=claim)}
        DuplicateSuggestion.objects.filter(claim=claim, status=DuplicateSuggestion.Status.PENDING).exclude(
            candidate_id__in=found
        ).delete()
        new, rescored = [], []
        for candidate_id, score in found.items():
            suggestion = existing.get(candidate_id)
            if suggestion is None:
                new.append(DuplicateSuggestion(claim=claim, candidate_id=candidate_id, score=score))
            elif suggestion.status == DuplicateSuggestion.Status.PENDING and suggestion.score != score:
                suggestion.score = score
                rescored.append(suggestion)
        DuplicateSuggestion.objects.bulk_create(new, ignore_conflicts=True)
        DuplicateSuggestion.objects.bulk_update(rescored, ["score"])
        SearchDocument.objects.filter(pk=document.pk).update(needs_duplicate_scan=False)
    return DuplicateSuggestion.objects.filter(claim_id=claim_id, status=DuplicateSuggestion.Status.PENDING).count()


@shared_task
def sweep_duplicate_scans(limit: int = 1000) -> int:
    """Beat task: re-send the scans whose message was lost (still marked after the grace period)."""
    cutoff = timezone.now() - SCAN_GRACE
    ids = list(
        SearchDocument.objects.filter(needs_duplicate_scan=True, claim__updated_at__lt=cutoff).values_list(
            "claim_id", flat=True
        )[:limit]
    )
    queue_duplicate_scans(ids)
    return len(ids)


# --- Claim candidates ------------------------------------------------------------------------------------

#: A candidates scan not done this long after its source's text changed had its message lost.
CANDIDATES_GRACE = dt.timedelta(minutes=5)


def queue_candidate_scans(source_ids: list[int]) -> None:
    """After the commit that marked them: one scan per source (a lost message is re-sent by the sweep)."""
    send_each(suggest_claim_candidates, source_ids)


@shared_task(bind=True, max_retries=3, default_retry_delay=30, acks_late=True)
def suggest_claim_candidates(self, source_id: int) -> int:  # type: ignore[no-untyped-def]
    """Store the check-worthy sentences of a source's new text for editors; returns how many are pending."""
    return store_candidates(source_id)


@shared_task
def sweep_claim_candidates(limit: int = 500) -> int:
    """Beat task: re-send the candidates scans whose message was lost (still marked after the grace)."""
    cutoff = timezone.now() - CANDIDATES_GRACE
    ids = list(
        Source.objects.filter(needs_candidates=True, updated_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    queue_candidate_scans(ids)
    return len(ids)


# --- ClaimReview import -------------------------------------------------------------------------------

#: Back-off of a feed fetch that failed for a reason worth retrying: 1, 2, 4, 8, 16 minutes.
IMPORT_RETRY_BASE = 60


@shared_task(bind=True, max_retries=5, acks_late=True)
def import_claimreview(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    """Carry out a ClaimReview import queued in the admin (``claims.importing.run_import``).

    Safe to run twice: a finished run is left alone, and a run left "running" by a worker that died is
    run again, which the idempotent upsert (by review URL) allows. A feed that could not be fetched for
    a passing reason (timeout, 5xx, 429) or a database that went away is retried with back-off; once the
    retries are spent the run is marked failed with the reason. Eager (the embedded default) has no
    worker to wait in: it fails at once, and the editor starts the import again.
    """
    from django.db import OperationalError

    from . import importing

    try:
        run = importing.run_import(run_id)
    except (importing.FeedError, OperationalError) as exc:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=IMPORT_RETRY_BASE * 2**self.request.retries) from exc
        with translation.override(settings.LANGUAGE_CODE):
            reason = exc.message if isinstance(exc, importing.FeedError) else _("The database could not be reached.")
        importing.fail_run(run_id, reason)
        return "failed"
    return run.status if run is not None else "missing"


#: A run still waiting this long after it was started had its message lost: the sweep sends it again.
IMPORT_GRACE = dt.timedelta(minutes=10)


@shared_task
def sweep_pending_imports(limit: int = 50) -> int:
    """Beat task: re-send the imports whose message was lost: still waiting after the grace period, or
    still "running" after the broker's visibility timeout — a worker that died mid-run left it so, and a
    broker restarted without its data has no message left to hand back. (The broker itself would hand
    the message to another worker at that point, so this adds no run that Redis would not.)"""
    from .models import ImportRun

    now = timezone.now()
    visibility = dt.timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600))
    ids = list(
        ImportRun.objects.filter(
            Q(status=ImportRun.Status.PENDING, created_at__lt=now - IMPORT_GRACE)
            | Q(status=ImportRun.Status.RUNNING, created_at__lt=now - max(visibility, IMPORT_GRACE))
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    send_each(import_claimreview, ids)
    return len(ids)


def queue_import(run_id: int) -> None:
    """Send an import after the commit that created its run; if the broker is down, the sweep will."""
    send_each(import_claimreview, [run_id])
