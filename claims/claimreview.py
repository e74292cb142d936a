"""schema.org ClaimReview markup of a published verdict: one builder for the API and the public pages.

Follows the fields Google documents for fact-check markup: claimReviewed, url, datePublished, author
(the newsroom), inLanguage, reviewRating (ratingValue, bestRating, worstRating, alternateName) and
itemReviewed (a Claim with its author — the claimant —, datePublished, appearance, firstAppearance).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import Claim, ClaimStatus
from .ratings import rating_scale
from .selectors import claim_text_for, verdict_text_for


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _creative_work(appearance: Any) -> dict[str, Any]:
    source = appearance.source
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        # The original where we know it, else our archived copy of the source.
        "url": source.url or absolute(source.get_absolute_url()),
        "headline": source.title,
        "inLanguage": source.language,
    }
    if source.published_at:
        work["datePublished"] = source.published_at.isoformat()
    if source.outlet_id:
        work["publisher"] = {"@type": "Organization", "name": source.outlet.name}
    return work


def claim_review(claim: Claim, language: str | None = None) -> dict[str, Any]:
    """The ClaimReview of a published claim, in ``language`` where the verdict has it."""
    if claim.status != ClaimStatus.PUBLISHED:
        raise ValueError("only a published claim has a ClaimReview")
    verdict = claim.verdict
    language = language or claim.language
    text = verdict_text_for(claim, language)
    wording = claim_text_for(claim, language)
    scale = rating_scale()
    rating = scale.ratings[verdict.rating_id]
    appearances = list(claim.appearances.all())
    first = next((a for a in appearances if a.is_first), appearances[0] if appearances else None)
    item: dict[str, Any] = {"@type": "Claim", "inLanguage": claim.language}
    claimant = claim.claimant
    if claimant is not None:
        item["author"] = {
            "@type": "Person" if claimant.kind == "person" else "Organization",
            "name": claimant.name,
        }
    if claim.claim_date:
        item["datePublished"] = claim.claim_date.isoformat()
    if appearances:
        item["appearance"] = [_creative_work(a) for a in appearances]
    if first is not None:
        item["firstAppearance"] = _creative_work(first)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(claim.get_absolute_url()),
        "claimReviewed": wording.text,
        # The date in the newsroom's time zone: a verdict published at 00:30 in Hanoi is of that day.
        "datePublished": timezone.localdate(claim.published_at).isoformat() if claim.published_at else None,
        "dateModified": claim.updated_at.isoformat(),
        "inLanguage": text.language if text else claim.language,
        "author": {"@type": "Organization", "name": settings.NEWSROOM_NAME, "url": settings.SITE_URL + "/"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating.value,
            "bestRating": scale.best,
            "worstRating": scale.worst,
            "alternateName": rating.label(text.language if text else claim.language),
        },
        "itemReviewed": item,
    }
    if text is not None:
        review["name"] = text.headline
    return review


def data_feed(reviews: list[dict[str, Any]]) -> dict[str, Any]:
    """A schema.org DataFeed of ClaimReviews, as fact-check aggregators read."""
    return {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{settings.NEWSROOM_NAME} — ClaimReview",
        "url": settings.SITE_URL + "/api/v1/claimreview/",
        "dataFeedElement": [{k: v for k, v in review.items() if k != "@context"} for review in reviews],
    }
