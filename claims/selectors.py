"""Read paths shared by the public pages (and later the API): querysets shaped for display.

Everything here starts from ``Claim.objects.public()``, so no draft can leak through a selector.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Appearance, Claim, ClaimQuerySet, ClaimTranslation, VerdictText


def public_claims() -> ClaimQuerySet:
    """Public claims with everything a list or a verdict page shows, in a fixed number of queries."""
    return (
        Claim.objects.public()
        .select_related("claimant", "verdict__rating")
        .prefetch_related(
            Prefetch("translations", queryset=ClaimTranslation.objects.order_by("language")),
            Prefetch("verdict__texts", queryset=VerdictText.objects.order_by("language")),
            "verdict__rating__labels",
        )
        .order_by("-published_at", "-id")
    )


def public_claim_detail() -> ClaimQuerySet:
    return public_claims().prefetch_related(
        Prefetch(
            "appearances",
            queryset=Appearance.objects.select_related("source__outlet").order_by("-is_first", "start"),
        ),
        "verdict__evidence__source__outlet",
        "corrections",
    )


@dataclass(frozen=True)
class LocalizedClaim:
    """A claim's wording for one reader: the text in their language if we have it, and the original."""

    text: str
    language: str
    is_original: bool
    is_machine: bool


def claim_text_for(claim: Claim, language: str) -> LocalizedClaim:
    if claim.language == language or claim.language.split("-")[0] == language:
        return LocalizedClaim(claim.text, claim.language, True, False)
    for translation in claim.translations.all():
        if translation.language == language or translation.language.split("-")[0] == language:
            return LocalizedClaim(
                translation.text, translation.language, False, translation.origin == ClaimTranslation.Origin.MACHINE
            )
    return LocalizedClaim(claim.text, claim.language, True, False)


def verdict_text_for(claim: Claim, language: str) -> VerdictText | None:
    """The verdict's headline and explanation in the reader's language, else the claim's language."""
    verdict = getattr(claim, "verdict", None)
    if verdict is None:
        return None
    return verdict.text_in(language) or verdict.text_in(claim.language) or next(iter(verdict.texts.all()), None)
