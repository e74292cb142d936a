"""Celery tasks of the claims app. Each takes ids, loads, calls the workflow, and is safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import workflow
from .models import Claim, ReviewEvent

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


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def notify_claim_waiting(self, claim_id: int, action: str, version: int) -> int:  # type: ignore[no-untyped-def]
    """E-mail the people a claim now waits for. Returns the number of e-mails sent.

    Idempotent per (claim, action, version): the event that triggered it is the key, and a claim that
    has moved on since (a newer version) is not announced for a state it has left.
    """
    claim = Claim.objects.filter(pk=claim_id).select_related("author").first()
    if claim is None or claim.version != version:
        return 0
    event = ReviewEvent.objects.filter(claim=claim, action=action).order_by("-created_at", "-id").first()
    if event is None:
        return 0
    recipients = _recipients(claim, action)
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse("admin:claims_claim_change", args=[claim.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject = {
            workflow.Action.SUBMIT: _("Claim waiting for review: %(claim)s"),
            workflow.Action.REQUEST_CHANGES: _("Changes requested on your claim: %(claim)s"),
            workflow.Action.APPROVE: _("Claim approved, ready to publish: %(claim)s"),
            workflow.Action.RECHECK_DUE: _("Verdict due for re-check: %(claim)s"),
        }[action] % {"claim": str(claim)[:80]}
        body = "\n\n".join(part for part in [str(claim), event.comment, link] if part)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    try:
        return send_mass_mail(messages, fail_silently=False)
    except OSError as exc:  # SMTP down: try again later rather than lose the notice
        raise self.retry(exc=exc) from exc


@shared_task
def flag_due_rechecks() -> int:
    """Beat task: queue published verdicts past their re-check date for editors."""
    flagged = workflow.flag_due_rechecks()
    if flagged:
        logger.info("flagged %d verdicts due for re-check", len(flagged))
    return len(flagged)
