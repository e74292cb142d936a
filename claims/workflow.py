"""The editorial workflow: states, who may move a claim between them, and the audit trail.

This module is the one place the rules live. The admin, the API and the tasks call it; nothing else
changes a claim's ``status``. Each transition is atomic: it locks the claim row, checks that the
claim is still at the version the caller saw, checks the state and the user (``check_*``), applies
the change (``_apply_*``), writes an append-only ``ReviewEvent``, and enqueues notifications only
once the transaction has committed.

States: draft → in_review → (changes_requested → in_review) → approved → published → retracted;
a published verdict is corrected in place (it stays published, a ``Correction`` is added).

Four eyes: a claim's author never requests changes to, approves, publishes, corrects, retracts or
re-checks it — whatever their role, superusers included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sources.errors import DomainError

from .models import (
    Appearance,
    Claim,
    ClaimStatus,
    ClaimTranslation,
    Correction,
    Evidence,
    Notification,
    Rating,
    ReviewEvent,
    Verdict,
    VerdictText,
    VerdictVersion,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as StaffUser

    from sources.models import Actor, Source

    User = StaffUser | AnonymousUser


# --- Errors ------------------------------------------------------------------------------------------


class WorkflowError(DomainError):
    """A refused workflow step. ``status_code`` is what the API answers; ``message`` says why."""


class NotAllowed(WorkflowError):
    """This user may not take this step (role, authorship)."""

    status_code = 403


class WrongState(WorkflowError):
    """The claim is not in a state that allows the step (or is not complete enough for it)."""

    status_code = 409


class Conflict(WorkflowError):
    """Someone else changed the claim since the caller loaded it."""

    status_code = 409


# --- Actions -----------------------------------------------------------------------------------------


class Action:
    CREATE = "create"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    PUBLISH = "publish"
    CORRECT = "correct"
    RETRACT = "retract"
    RECHECK_DUE = "recheck_due"
    RECHECK = "recheck"


ACTION_LABELS = {
    Action.CREATE: pgettext_lazy("workflow step", "created"),
    Action.SUBMIT: gettext_lazy("submit for review"),
    Action.WITHDRAW: gettext_lazy("withdraw from review"),
    Action.REQUEST_CHANGES: gettext_lazy("request changes"),
    Action.APPROVE: gettext_lazy("approve"),
    Action.PUBLISH: gettext_lazy("publish"),
    Action.CORRECT: gettext_lazy("correct"),
    Action.RETRACT: gettext_lazy("retract"),
    Action.RECHECK_DUE: gettext_lazy("due for re-check"),
    Action.RECHECK: gettext_lazy("confirm after re-check"),
}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    permission: str
    four_eyes: bool  # the claim's author may not take it
    needs_comment: bool = False
    needs_ready: bool = False


S = ClaimStatus
TRANSITIONS: dict[str, Transition] = {
    Action.SUBMIT: Transition(frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.IN_REVIEW, "claims.submit_claim", False),
    Action.WITHDRAW: Transition(frozenset({S.IN_REVIEW}), S.DRAFT, "claims.submit_claim", False),
    Action.REQUEST_CHANGES: Transition(
        frozenset({S.IN_REVIEW, S.APPROVED}), S.CHANGES_REQUESTED, "claims.review_claim", True, needs_comment=True
    ),
    Action.APPROVE: Transition(frozenset({S.IN_REVIEW}), S.APPROVED, "claims.review_claim", True, needs_ready=True),
    Action.PUBLISH: Transition(frozenset({S.APPROVED}), S.PUBLISHED, "claims.publish_claim", True, needs_ready=True),
    Action.RETRACT: Transition(frozenset({S.PUBLISHED}), S.RETRACTED, "claims.publish_claim", True, needs_comment=True),
    Action.RECHECK: Transition(frozenset({S.PUBLISHED}), S.PUBLISHED, "claims.review_claim", True),
}
#: The actions a client may ask for by name (API ``transitions/``, admin buttons). ``correct`` carries
#: new verdict content, so it has its own function, ``correct_verdict``.
REQUESTABLE_ACTIONS = (*TRANSITIONS, Action.CORRECT)


# --- Checks (authorise and load; no writes) ----------------------------------------------------------


def _staff(user: User | None) -> StaffUser | None:
    """The user to record as having acted, or None for the system (anonymous never acts)."""
    return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]


def _is_author(user: User, claim: Claim) -> bool:
    return bool(user.is_authenticated and claim.author_id == user.pk)


def publish_problems(claim: Claim) -> list[str]:
    """What a claim still lacks before it may be approved or published; empty when ready."""
    problems: list[str] = []
    verdict = Verdict.objects.filter(claim=claim).select_related("rating").first()
    if verdict is None:
        problems.append(_("It has no verdict yet."))
    else:
        text = VerdictText.objects.filter(verdict=verdict, language=claim.language).first()
        if text is None or not text.headline.strip() or not text.explanation.strip():
            problems.append(
                _("Its verdict needs a headline and an explanation in the claim's original language (%(language)s).")
                % {"language": claim.language}
            )
    if not claim.appearances.exists():
        problems.append(_("It has no appearance: record where the claim appeared."))
    return problems


def check_transition(user: User, claim: Claim, action: str, comment: str = "") -> Transition:
    """Raise unless ``user`` may take ``action`` on ``claim`` now; return the transition."""
    spec = TRANSITIONS.get(action)
    if action == Action.CORRECT:
        raise WorkflowError(_("A correction changes the verdict: edit the verdict and give a public correction note."))
    if spec is None:
        raise WorkflowError(
            _("Unknown action “%(action)s”. Use one of: %(actions)s.")
            % {"action": action, "actions": ", ".join(REQUESTABLE_ACTIONS)}
        )
    if not user.is_authenticated or not user.has_perm(spec.permission):
        raise NotAllowed(_("You do not have permission to %(action)s claims.") % {"action": ACTION_LABELS[action]})
    if claim.status not in spec.sources:
        raise WrongState(
            _("This claim's status is “%(status)s”: it cannot be %(action)s now.")
            % {"status": claim.get_status_display(), "action": _past(action)}
        )
    if spec.four_eyes and _is_author(user, claim):
        raise NotAllowed(
            _("Four eyes: you wrote this claim, so someone else must %(action)s it.")
            % {"action": ACTION_LABELS[action]}
        )
    if (
        action in (Action.SUBMIT, Action.WITHDRAW)
        and not _is_author(user, claim)
        and not user.has_perm("claims.review_claim")
    ):
        raise NotAllowed(
            _("Only the claim's author or an editor can %(action)s it.") % {"action": ACTION_LABELS[action]}
        )
    if spec.needs_comment and not comment.strip():
        raise WorkflowError(
            _("Say why in the comment: it is required to %(action)s.") % {"action": ACTION_LABELS[action]}
        )
    if spec.needs_ready:
        problems = publish_problems(claim)
        if problems:
            raise WrongState(_("Not ready to %(action)s: ") % {"action": ACTION_LABELS[action]} + " ".join(problems))
    return spec


def _past(action: str) -> str:
    return {
        Action.SUBMIT: _("submitted"),
        Action.WITHDRAW: _("withdrawn"),
        Action.REQUEST_CHANGES: _("sent back for changes"),
        Action.APPROVE: _("approved"),
        Action.PUBLISH: _("published"),
        Action.RETRACT: _("retracted"),
        Action.RECHECK: _("re-checked"),
        Action.CORRECT: _("corrected"),
    }.get(action, action)


def available_actions(user: User, claim: Claim) -> list[str]:
    """The transitions ``user`` may take on ``claim`` right now (for buttons)."""
    actions = []
    for action in TRANSITIONS:
        try:
            check_transition(user, claim, action, comment="(probe)")
        except WorkflowError:
            continue
        actions.append(action)
    return actions


def check_can_edit(user: User, claim: Claim) -> None:
    """Raise unless ``user`` may edit the claim's content (wording, appearances, verdict) now.

    Drafts and claims sent back for changes: the author or an editor. In review: editors. Approved:
    nobody — request changes first, so that what is published is what was approved. Published:
    only through a correction (``correct_verdict``). Retracted: nobody.
    """
    if not user.is_authenticated:
        raise NotAllowed(_("Log in to edit claims."))
    if not user.has_perm("claims.change_claim"):
        raise NotAllowed(_("You do not have permission to edit claims."))
    is_editor = user.has_perm("claims.review_claim")
    if claim.status in (S.DRAFT, S.CHANGES_REQUESTED):
        if _is_author(user, claim) or is_editor:
            return
        raise NotAllowed(_("Only the claim's author or an editor can edit it."))
    if claim.status == S.IN_REVIEW:
        if is_editor:
            return
        raise NotAllowed(_("This claim is in review: only editors can edit it until it is sent back."))
    if claim.status == S.APPROVED:
        raise WrongState(_("This claim is approved: request changes before editing it."))
    if claim.status == S.PUBLISHED:
        raise WrongState(_("This claim is published: change its verdict with a correction."))
    raise WrongState(_("This claim is retracted and can no longer be changed."))


def can_edit(user: User, claim: Claim) -> bool:
    try:
        check_can_edit(user, claim)
    except WorkflowError:
        return False
    return True


def check_can_delete(user: User, claim: Claim) -> None:
    if claim.status in (S.PUBLISHED, S.RETRACTED):
        raise WrongState(_("A published or retracted claim cannot be deleted; retract it instead."))
    if not user.has_perm("claims.delete_claim"):
        raise NotAllowed(_("You do not have permission to delete claims."))
    if not (_is_author(user, claim) or user.has_perm("claims.review_claim")):
        raise NotAllowed(_("Only the claim's author or an editor can delete it."))


# --- Transitions (lock, check, apply, record) --------------------------------------------------------


def _lock(claim_id: int, expected_version: int | None) -> Claim:
    try:
        claim = Claim.objects.select_for_update().get(pk=claim_id)
    except Claim.DoesNotExist:
        raise WorkflowError(_("There is no claim %(id)s.") % {"id": claim_id}) from None
    if expected_version is not None and claim.version != expected_version:
        raise Conflict(
            _(
                "Someone else changed this claim while you were looking at it (it is now %(status)s). "
                "Reload it and try again."
            )
            % {"status": claim.get_status_display()}
        )
    return claim


def _record(claim: Claim, user: User | None, action: str, from_status: str, comment: str = "") -> ReviewEvent:
    return ReviewEvent.objects.create(
        claim=claim,
        actor=_staff(user),
        action=action,
        from_status=from_status,
        to_status=claim.status,
        comment=comment.strip(),
    )


def _bump(claim: Claim, fields: list[str]) -> None:
    """Save the claim's changed fields and its version, refusing if the row moved underneath us."""
    old_version = claim.version
    claim.version = old_version + 1
    claim.updated_at = timezone.now()
    values = {name: getattr(claim, name) for name in fields}
    updated = Claim.objects.filter(pk=claim.pk, version=old_version).update(
        version=F("version") + 1, updated_at=claim.updated_at, **values
    )
    if updated != 1:
        raise Conflict(_("Someone else changed this claim at the same moment. Reload it and try again."))


def create_claim(
    user: User,
    text: str,
    language: str,
    claimant: Actor | None = None,
    claim_date: dt.date | None = None,
    translations: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
) -> Claim:
    """Create a draft claim with its translations ((language, text, origin) each), as ``user``."""
    if not user.is_authenticated or not user.has_perm("claims.add_claim"):
        raise NotAllowed(_("You do not have permission to create claims."))
    with transaction.atomic():
        claim = Claim(text=text, language=language, claimant=claimant, claim_date=claim_date, author=user)
        claim.full_clean()
        claim.save()
        for translation_language, translation_text, origin in translations:
            translation = ClaimTranslation(
                claim=claim, language=translation_language, text=translation_text, origin=origin
            )
            translation.full_clean()
            translation.save()
        record_created(claim, user)
    return claim


def add_appearance(
    claim: Claim | int,
    user: User,
    source: Source,
    quote: str,
    start: int | None = None,
    end: int | None = None,
    is_first: bool | None = None,
    expected_version: int | None = None,
) -> Appearance:
    """Record where the claim appeared; offsets are found from the quote when not given.

    The first appearance of a claim is its first one recorded, unless the caller says otherwise.
    """
    claim_id = claim if isinstance(claim, int) else claim.pk
    with transaction.atomic():
        locked = _lock(claim_id, expected_version)
        check_can_edit(user, locked)
        if is_first is None:
            is_first = not locked.appearances.filter(is_first=True).exists()
        appearance = Appearance(claim=locked, source=source, quote=quote, start=start, end=end, is_first=is_first)  # type: ignore[misc]  # clean() finds missing offsets
        appearance.full_clean()
        appearance.save()
        _bump(locked, [])
    return appearance


def record_created(claim: Claim, user: User) -> ReviewEvent:
    """Open the claim's audit trail (called by every path that creates a claim)."""
    return _record(claim, user, Action.CREATE, "")


def transition(
    claim: Claim | int,
    user: User,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
    recheck_after: dt.date | None = None,
) -> Claim:
    """Take ``action`` on the claim as ``user``; return the claim as it now is.

    Raises ``NotAllowed`` (403), ``WrongState`` or ``Conflict`` (409), ``WorkflowError`` (400).
    """
    claim_id = claim if isinstance(claim, int) else claim.pk
    with transaction.atomic():
        locked = _lock(claim_id, expected_version)
        spec = check_transition(user, locked, action, comment)
        from_status = locked.status
        locked.status = spec.target
        fields = ["status"]
        now = timezone.now()
        # A step that writes to the verdict moves its version too: a verdict form opened before the step
        # (the admin's, which saves the whole row) is then refused instead of writing its stale copy back.
        if action == Action.APPROVE:
            Verdict.objects.filter(claim=locked).update(reviewer=user, updated_at=now, version=F("version") + 1)
        elif action == Action.PUBLISH:
            if locked.published_at is None:
                locked.published_at = now
                fields.append("published_at")
            _snapshot_verdict(locked, user)
        elif action == Action.RETRACT:
            locked.retracted_at = now
            locked.retraction_reason = comment.strip()
            fields += ["retracted_at", "retraction_reason"]
        elif action == Action.RECHECK:
            Verdict.objects.filter(claim=locked).update(
                valid_as_of=timezone.localdate(),
                recheck_after=recheck_after,
                recheck_due_since=None,
                updated_at=now,
                version=F("version") + 1,
            )
        _bump(locked, fields)
        _notify_after_commit(_record(locked, user, action, from_status, comment))
    return locked


def _snapshot_verdict(claim: Claim, user: User | None) -> VerdictVersion:
    verdict = Verdict.objects.select_related("rating").get(claim=claim)
    number = (verdict.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return VerdictVersion.objects.create(
        verdict=verdict,
        number=number,
        rating=verdict.rating,
        texts={t.language: {"headline": t.headline, "explanation": t.explanation} for t in verdict.texts.all()},
        evidence=[{"source": e.source_id, "stance": e.stance, "note": e.note} for e in verdict.evidence.all()],
        created_by=_staff(user),
    )


# --- Verdict content ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictContent:
    """A verdict as written: rating slug, {language: (headline, explanation)}, evidence rows."""

    rating: str
    texts: dict[str, tuple[str, str]]
    evidence: tuple[tuple[int, str, str], ...] = ()  # (source id, stance, note)
    valid_as_of: dt.date | None = None
    recheck_after: dt.date | None = None


def _rating(slug: str) -> Rating:
    try:
        return Rating.objects.get(slug=slug, is_active=True)
    except Rating.DoesNotExist:
        raise WorkflowError(_("There is no rating “%(slug)s” in use.") % {"slug": slug}) from None


def verdict_substance(verdict: Verdict) -> dict[str, Any]:
    """What a correction is about: rating, headlines and explanations, evidence (not dates)."""
    return {
        "rating": verdict.rating.slug,
        "texts": {t.language: (t.headline, t.explanation) for t in verdict.texts.all()},
        "evidence": sorted((e.source_id, e.stance) for e in verdict.evidence.all()),
    }


def _write_verdict(claim: Claim, user: User, content: VerdictContent) -> Verdict:
    rating = _rating(content.rating)
    if content.valid_as_of and content.recheck_after and content.recheck_after < content.valid_as_of:
        raise WorkflowError(_("The re-check date cannot be before the “valid as of” date."))
    for language, (headline, explanation) in content.texts.items():
        if not headline.strip() or not explanation.strip():
            raise WorkflowError(
                _("The verdict text in %(language)s needs both a headline and an explanation.") % {"language": language}
            )
    verdict = Verdict.objects.filter(claim=claim).first()
    if verdict is None:
        verdict = Verdict.objects.create(
            claim=claim,
            rating=rating,
            author=user,  # type: ignore[misc]  # checked authenticated by check_can_edit
            valid_as_of=content.valid_as_of,
            recheck_after=content.recheck_after,
        )
    else:
        verdict.rating = rating
        verdict.valid_as_of = content.valid_as_of
        verdict.recheck_after = content.recheck_after
        verdict.version += 1
        verdict.save(update_fields=["rating", "valid_as_of", "recheck_after", "version", "updated_at"])
    verdict.texts.exclude(language__in=list(content.texts)).delete()
    for language, (headline, explanation) in content.texts.items():
        VerdictText.objects.update_or_create(
            verdict=verdict,
            language=language,
            defaults={"headline": headline.strip(), "explanation": explanation.strip()},
        )
    verdict.evidence.exclude(source_id__in=[source for source, _stance, _note in content.evidence]).delete()
    for source, stance, note in content.evidence:
        Evidence.objects.update_or_create(verdict=verdict, source_id=source, defaults={"stance": stance, "note": note})
    return verdict


def save_verdict(
    claim: Claim | int, user: User, content: VerdictContent, expected_version: int | None = None
) -> Verdict:
    """Write (create or replace) the verdict of a claim that is not yet public."""
    claim_id = claim if isinstance(claim, int) else claim.pk
    with transaction.atomic():
        locked = _lock(claim_id, expected_version)
        check_can_edit(user, locked)
        verdict = _write_verdict(locked, user, content)
        _bump(locked, [])
    return verdict


def correct_verdict(
    claim: Claim | int,
    user: User,
    content: VerdictContent,
    note: str,
    language: str | None = None,
    expected_version: int | None = None,
) -> Correction:
    """Change a published verdict: keeps the previous version, adds a public correction note."""
    claim_id = claim if isinstance(claim, int) else claim.pk
    with transaction.atomic():
        locked = _lock(claim_id, expected_version)
        check_correction(user, locked, note)
        verdict = Verdict.objects.select_related("rating").get(claim=locked)
        before = verdict_substance(verdict)
        verdict = _write_verdict(locked, user, content)
        verdict.refresh_from_db()
        if verdict_substance(verdict) == before:
            raise WorkflowError(_("Nothing in the verdict changed, so there is nothing to correct."))
        return _finish_correction(locked, user, note, language)


def check_correction(user: User, claim: Claim, note: str | None) -> None:
    """May ``user`` correct ``claim`` now, with this public ``note``? ``note=None`` asks only who and when
    (to refuse before a form or a body is read)."""
    if not user.is_authenticated or not user.has_perm("claims.publish_claim"):
        raise NotAllowed(_("You do not have permission to correct published verdicts."))
    if claim.status != S.PUBLISHED:
        raise WrongState(
            _("Only a published verdict is corrected; this claim is %(status)s.")
            % {"status": claim.get_status_display()}
        )
    if _is_author(user, claim):
        raise NotAllowed(_("Four eyes: you wrote this claim, so someone else must correct it."))
    if note is not None and not note.strip():
        raise WorkflowError(_("A correction needs a public note saying what changed and why."))


def note_content_changed(claim: Claim) -> None:
    """Bump the claim's version after an edit of its content (so stale forms and clients conflict)."""
    _bump(Claim.objects.select_for_update().get(pk=claim.pk), [])


def record_correction(claim: Claim | int, user: User, note: str, language: str | None = None) -> Correction:
    """Record a correction for verdict changes already written in this transaction (the admin's path).

    The caller has locked the claim and written the verdict; this checks, versions and records.
    """
    claim_id = claim if isinstance(claim, int) else claim.pk
    locked = Claim.objects.select_for_update().get(pk=claim_id)
    check_correction(user, locked, note)
    return _finish_correction(locked, user, note, language)


def _finish_correction(claim: Claim, user: User, note: str, language: str | None) -> Correction:
    problems = publish_problems(claim)
    if problems:
        raise WrongState(_("A corrected verdict must still meet what publishing needs: ") + " ".join(problems))
    version = _snapshot_verdict(claim, user)
    correction = Correction.objects.create(
        claim=claim,
        version=version,
        note=note.strip(),
        language=language or claim.language,
        created_by=user,  # type: ignore[misc]
    )
    _bump(claim, [])
    _notify_after_commit(_record(claim, user, Action.CORRECT, claim.status, note))
    return correction


# --- Scheduled re-checks -----------------------------------------------------------------------------


def flag_due_rechecks(today: dt.date | None = None) -> list[int]:
    """Put published verdicts past their re-check date in the editors' queue; return the claim ids.

    Idempotent: a verdict already flagged is not flagged (nor notified) again.
    """
    today = today or timezone.localdate()
    flagged: list[int] = []
    due = Verdict.objects.filter(
        claim__status=S.PUBLISHED, recheck_after__lte=today, recheck_due_since__isnull=True
    ).values_list("claim_id", flat=True)
    for claim_id in list(due):
        with transaction.atomic():
            claim = Claim.objects.select_for_update().get(pk=claim_id)
            updated = Verdict.objects.filter(claim=claim, recheck_due_since__isnull=True).update(
                recheck_due_since=timezone.now(), version=F("version") + 1
            )
            if not updated:
                continue
            _notify_after_commit(_record(claim, None, Action.RECHECK_DUE, claim.status))
            flagged.append(claim_id)
    return flagged


# --- Notifications -----------------------------------------------------------------------------------

#: Who is told when a claim starts waiting for someone.
NOTIFY_ON = {
    Action.SUBMIT: "Editor",
    Action.REQUEST_CHANGES: "author",
    Action.APPROVE: "Publisher",
    Action.RECHECK_DUE: "Editor",
}


def _notify_after_commit(event: ReviewEvent) -> None:
    """Owe the e-mail this step calls for (an outbox row in the step's transaction) and send the task once
    it commits; a message that never reaches a worker is sent again by the beat sweep."""
    if event.action not in NOTIFY_ON:
        return
    from .tasks import queue_notifications

    notification_id = Notification.objects.create(event=event).pk
    transaction.on_commit(lambda: queue_notifications([notification_id]))
