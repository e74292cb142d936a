"""Read paths shared by the public pages, feeds, sitemaps and the API: querysets shaped for display.

Everything here starts from ``Claim.objects.public()``, so no draft can leak through a selector.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from sources.models import Actor, Outlet, Source

from .models import (
    PUBLIC_STATUSES,
    Appearance,
    Claim,
    ClaimLink,
    ClaimQuerySet,
    ClaimStatus,
    ClaimTranslation,
    Evidence,
    LinkKind,
    VerdictText,
)
from .ratings import RatingInfo, rating_scale


def public_claims() -> ClaimQuerySet:
    """Public claims with everything a list or a verdict page shows, in a fixed number of queries."""
    return (
        Claim.objects.public()
        .select_related("claimant", "verdict__rating")
        .prefetch_related(
            Prefetch("translations", queryset=ClaimTranslation.objects.order_by("language")),
            Prefetch("verdict__texts", queryset=VerdictText.objects.order_by("language")),
            # The rating's label comes from the cached scale (``Rating.label``): no query for it.
        )
        .order_by("-published_at", "-id")
    )


def public_claim_detail() -> ClaimQuerySet:
    return public_claims().prefetch_related(
        Prefetch(
            "appearances",
            queryset=Appearance.objects.select_related("source__outlet").order_by("-is_first", "start"),
        ),
        # One query for the evidence with its sources and outlets, not one per level (measured by
        # bench/detail.py at 100,000 claims: the verdict page went from 10 queries to 8).
        Prefetch("verdict__evidence", queryset=Evidence.objects.select_related("source__outlet")),
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


# --- What the public may see of actors, sources and outlets: what public claims cite ----------------------


def public_actors() -> QuerySet[Actor]:
    """Actors a public claim names as its claimant or mentions."""
    public = Claim.objects.public()
    return Actor.objects.filter(Q(pk__in=public.values("claimant_id")) | Q(pk__in=public.values("mentions__id")))


def cited_publicly() -> Q:
    """A source quoted by a public claim or cited as evidence of its verdict."""
    return Q(appearances__claim__status__in=PUBLIC_STATUSES) | Q(evidence__verdict__claim__status__in=PUBLIC_STATUSES)


def public_sources() -> QuerySet[Source]:
    return Source.objects.filter(pk__in=Source.objects.filter(cited_publicly()).values("pk"))


def public_outlets() -> QuerySet[Outlet]:
    return Outlet.objects.filter(pk__in=public_sources().values("outlet_id"))


# --- Rating breakdown ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingCount:
    rating: RatingInfo
    count: int
    share: float  # of all counted, 0..1


def rating_breakdown(claims: QuerySet[Claim]) -> list[RatingCount]:
    """How many of ``claims`` (current verdicts only: retracted ones are not counted) got each rating,
    best first, every rating of the scale listed (one query, plus the cached scale)."""
    counts = dict(
        claims.filter(status=ClaimStatus.PUBLISHED)
        .order_by()
        .values_list("verdict__rating_id")
        .annotate(n=Count("pk"))
        .values_list("verdict__rating_id", "n")
    )
    total = sum(counts.values())
    scale = rating_scale()
    return [
        RatingCount(rating, counts.get(rating.id, 0), counts.get(rating.id, 0) / total if total else 0.0)
        for rating in sorted(scale.ratings.values(), key=lambda r: -r.value)
        if rating.is_active or counts.get(rating.id)
    ]


# --- Keyset pages: as fast on the thousandth page as on the first ---------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class BadCursor(ValueError):
    """A page link that was not made by this site (edited, truncated)."""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode(moment: dt.datetime, pk: int) -> str:
    return f"{(moment - _EPOCH) // dt.timedelta(microseconds=1)}_{pk}"


def _decode(cursor: str) -> tuple[dt.datetime, int]:
    micro, _sep, pk = cursor.partition("_")
    if not (micro.lstrip("-").isdigit() and pk.isdigit()) or len(cursor) > 40:
        raise BadCursor(cursor)
    try:
        return _EPOCH + dt.timedelta(microseconds=int(micro)), int(pk)
    except OverflowError:
        raise BadCursor(cursor) from None


def keyset_page(queryset: QuerySet[Any], cursor: str | None, size: int, field: str = "published_at") -> Page:
    """One page of ``queryset`` newest first by (``field``, id), after ``cursor`` (from the previous page)."""
    queryset = queryset.order_by(f"-{field}", "-pk")
    if cursor:
        moment, pk = _decode(cursor)
        queryset = queryset.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk}))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, _encode(getattr(rows[-1], field), rows[-1].pk) if more else None)


def ranked_page(queryset: QuerySet[Any], cursor: str | None, size: int) -> Page:
    """One page of search results (annotated ``search_rank``, 1 = best) after the rank in ``cursor``."""
    if cursor:
        if not cursor.isdigit() or len(cursor) > 6:
            raise BadCursor(cursor)
        queryset = queryset.filter(search_rank__gt=int(cursor))
    rows = list(queryset.order_by("search_rank")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, str(rows[-1].search_rank) if more else None)


# --- Links between claims --------------------------------------------------------------------------------

#: How a link reads from each end: (kind, this claim is its "from" end) → relation.
RELATIONS = {
    (LinkKind.SAME_AS, True): "same_as",
    (LinkKind.SAME_AS, False): "same_as",
    (LinkKind.CONTRADICTS, True): "contradicts",
    (LinkKind.CONTRADICTS, False): "contradicts",
    (LinkKind.REFINES, True): "refines",
    (LinkKind.REFINES, False): "refined_by",
}
RELATION_LABELS = {
    "same_as": _("Same claim as"),
    "contradicts": _("Contradicts"),
    "refines": _("States more precisely"),
    "refined_by": _("Stated more precisely by"),
}
RELATION_ORDER = list(RELATION_LABELS)


@dataclass(frozen=True)
class LinkedClaim:
    relation: str
    claim: Claim
    link_id: int

    @property
    def label(self) -> str:
        return str(RELATION_LABELS[self.relation])


def linked_claims(claim: Claim, statuses: Collection[str] | None) -> list[LinkedClaim]:
    """The claims linked to ``claim`` whose status is one of ``statuses`` (for the public:
    ``PUBLIC_STATUSES``; ``None``: any), with how each relates to it; two queries (the links with both
    ends, then the other ends' translations), the second only if there are any. The status is read on
    the ends the links are joined to, not in a subquery (bench/README.md: 0.5 ms of a verdict page)."""
    if statuses is None:
        condition = Q(from_claim=claim) | Q(to_claim=claim)
    else:
        statuses = list(statuses)
        condition = Q(from_claim=claim, to_claim__status__in=statuses) | Q(
            to_claim=claim, from_claim__status__in=statuses
        )
    links = ClaimLink.objects.filter(condition).select_related("from_claim", "to_claim")
    found = []
    for link in links:
        outgoing = link.from_claim_id == claim.pk
        found.append(
            LinkedClaim(
                RELATIONS[(LinkKind(link.kind), outgoing)], link.to_claim if outgoing else link.from_claim, link.pk
            )
        )
    prefetch_related_objects(
        [item.claim for item in found], Prefetch("translations", queryset=ClaimTranslation.objects.order_by("language"))
    )
    return sorted(found, key=lambda item: (RELATION_ORDER.index(item.relation), item.claim.pk))
