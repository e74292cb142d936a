"""The rating scale, cached: a handful of rows every list and page shows, read once, not per request.

The cache is cleared whenever a rating or a label is saved or deleted (see ``ClaimsConfig.ready``).
Within a request the scale is also kept in the thread's memory once read (``request_started`` to
``request_finished``), so that a page showing fifty ratings' labels (``Rating.label``) reads the shared
cache once, not fifty times; a change of a rating during the request is seen by the rest of it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

CACHE_KEY = "claims:rating-scale:v1"


@dataclass(frozen=True)
class RatingInfo:
    id: int
    slug: str
    value: int
    rating_class: str
    labels: dict[str, str]
    is_active: bool

    def label(self, language: str) -> str:
        return pick_label(self.labels, language, self.slug)


def pick_label(labels: dict[str, str], language: str, slug: str) -> str:
    """The label in ``language`` (or its base language), else English, else the first, else the slug."""
    for tag in (language, language.split("-")[0], "en"):
        if tag in labels:
            return labels[tag]
    return next(iter(labels.values()), slug)


@dataclass(frozen=True)
class RatingScale:
    ratings: dict[int, RatingInfo]
    best: int
    worst: int

    def by_slug(self, slug: str) -> RatingInfo | None:
        return next((r for r in self.ratings.values() if r.slug == slug), None)


_request = threading.local()


def start_request(**_kwargs: Any) -> None:
    """``request_started``: the request may keep the scale once it has read it."""
    _request.active, _request.scale = True, None


def end_request(**_kwargs: Any) -> None:
    """``request_finished``: what the request kept is dropped; outside a request, every call reads the cache."""
    _request.active, _request.scale = False, None


def rating_scale() -> RatingScale:
    if getattr(_request, "active", False):
        if _request.scale is None:
            _request.scale = _shared_scale()
        return _request.scale  # type: ignore[no-any-return]
    return _shared_scale()


def _shared_scale() -> RatingScale:
    scale = cache.get(CACHE_KEY)
    if scale is None:
        from .models import Rating

        ratings = {
            r.pk: RatingInfo(
                r.pk, r.slug, r.value, r.rating_class, {lb.language: lb.label for lb in r.labels.all()}, r.is_active
            )
            for r in Rating.objects.prefetch_related("labels")
        }
        values = [r.value for r in ratings.values() if r.is_active] or [1]
        scale = RatingScale(ratings, best=max(values), worst=min(values))
        cache.set(CACHE_KEY, scale, 300)
    return scale


def clear_rating_scale(using: str | None = None, **_kwargs: object) -> None:
    """A rating or label changed: the scale is read again, now and once the change commits (a reader
    between the two would otherwise keep the old scale for 300 s, and pages made from it)."""
    _request.scale = None
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY), using=using)
