"""Claim candidates of a source: stored from ``sources.candidates``' suggestions, decided by editors.

``store_candidates`` is what the task runs when a source's text is new: it scores the sentences against
the database's actors and places (with their aliases), keeps the best, and guesses the claimant — the
first actor an attributed sentence names (“Thiếu tướng al-Mismari cho biết …”). ``accept_candidate``
turns one into a draft claim quoting the sentence at its offsets, through the workflow like every other
way of creating a claim; ``dismiss_candidates`` sets them aside. A decided candidate stays decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sources import candidates as sentences
from sources.errors import DomainError
from sources.folding import key
from sources.models import Actor, ActorAlias, Place, PlaceAlias, Source

from . import workflow
from .models import CandidateStatus, Claim, ClaimCandidate

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: How many sentences of one source are offered: an article has a handful worth checking.
CANDIDATES_PER_SOURCE = 20


class CandidateError(DomainError):
    status_code = 409


def _names() -> tuple[list[str], dict[str, tuple[int, bool]]]:
    """Every actor's and place's name and alias; and each actor name's search key → (actor, is a person)."""
    actors: dict[str, tuple[int, bool]] = {}
    people = set(Actor.objects.filter(kind=Actor.Kind.PERSON).values_list("pk", flat=True))
    for actor_id, name in [
        *Actor.objects.values_list("pk", "name"),
        *ActorAlias.objects.values_list("actor_id", "name"),
    ]:
        actors.setdefault(key(name), (actor_id, actor_id in people))
    places = [*Place.objects.values_list("name", flat=True), *PlaceAlias.objects.values_list("name", flat=True)]
    return [*actors, *places], actors


def store_candidates(source_id: int) -> int:
    """Score a source's sentences and store the best as candidates; returns how many are pending.

    Runs once per new text: the source is locked and its mark cleared in the same transaction as the
    candidates are written, so a second delivery finds nothing to do. Pending candidates the new text no
    longer has are dropped; decided ones are kept as they are.
    """
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id, needs_candidates=True).first()
        if source is None:
            return 0
        names, actors = _names()
        found = sentences.suggest(source.text, source.language, names, limit=CANDIDATES_PER_SOURCE)
        existing = {(c.start, c.end): c for c in ClaimCandidate.objects.filter(source=source)}
        wanted = {(c.start, c.end) for c in found}
        stale = [
            c.pk
            for span, c in existing.items()
            if c.status == CandidateStatus.PENDING and (span not in wanted or source.text[c.start : c.end] != c.text)
        ]
        ClaimCandidate.objects.filter(pk__in=stale).delete()
        new = []
        for candidate in found:
            kept = existing.get((candidate.start, candidate.end))
            if kept is not None and kept.pk not in stale:
                continue
            new.append(
                ClaimCandidate(
                    source=source,
                    start=candidate.start,
                    end=candidate.end,
                    text=candidate.text,
                    score=candidate.score,
                    reasons=list(candidate.reasons),
                    claimant_id=_claimant(candidate, actors),
                )
            )
        ClaimCandidate.objects.bulk_create(new, ignore_conflicts=True)
        Source.objects.filter(pk=source.pk).update(needs_candidates=False)
    return ClaimCandidate.objects.filter(source_id=source_id, status=CandidateStatus.PENDING).count()


def _claimant(candidate: sentences.Candidate, actors: dict[str, tuple[int, bool]]) -> int | None:
    """Who makes the claim: an actor named where the sentence names its speaker (``speaker_names``) —
    a person before an organisation (“Theo Thiếu tướng của LNA Ahmed al-Mismari, …” is al-Mismari
    speaking, not the LNA). Nobody for a fact the article reports itself."""
    if "attribution" not in candidate.reasons:
        return None
    named = [actors[name] for name in sentences.speaker_names(candidate.text, actors)]
    people = [actor_id for actor_id, is_person in named if is_person]
    if people:
        return people[0]
    return named[0][0] if named else None


def accept_candidate(candidate_id: int, user: User) -> Claim:
    """Make a draft claim of the candidate: its sentence as the wording, quoted where it stands in the
    source (the first appearance), the likely claimant and the source's date pre-filled."""
    with transaction.atomic():
        candidate = (
            ClaimCandidate.objects.select_for_update(of=("self",))
            .select_related("source", "claimant")
            .filter(pk=candidate_id)
        ).first()
        if candidate is None:
            raise CandidateError(_("This candidate no longer exists: the source's text changed. Reload the page."))
        if candidate.status != CandidateStatus.PENDING:
            raise CandidateError(_("This candidate was already decided by someone else: reload the page."))
        source = candidate.source
        if source.text[candidate.start : candidate.end] != candidate.text:
            raise CandidateError(_("The source's text changed since this sentence was found: reload the page."))
        if not source.language:
            raise CandidateError(_("Give the source's language first: the claim is written in it."))
        claim = workflow.create_claim(
            user,
            text=candidate.text,
            language=source.language,
            claimant=candidate.claimant,
            claim_date=source.published_at.date() if source.published_at else None,
        )
        workflow.add_appearance(
            claim, user, source, quote=candidate.text, start=candidate.start, end=candidate.end, is_first=True
        )
        candidate.status = CandidateStatus.ACCEPTED
        candidate.claim = claim
        candidate.decided_by = user  # type: ignore[assignment]
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "claim", "decided_by", "decided_at"])
    return claim


def dismiss_candidates(candidate_ids: Iterable[int], user: User) -> int:
    """Set pending candidates aside; returns how many were (decided ones are left as they are)."""
    return ClaimCandidate.objects.filter(pk__in=list(candidate_ids), status=CandidateStatus.PENDING).update(
        status=CandidateStatus.DISMISSED, decided_by=user, decided_at=timezone.now()
    )
