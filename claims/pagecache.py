"""Rendered public pages kept in Django's cache for anonymous readers, and thrown away on any change.

Which pages: the verdict pages, the lists (home, claims without a search, actors, sources, outlets),
the corrections log, methodology, the feeds and the sitemaps (``CACHED_VIEWS``). Who: a request with
neither a session nor a messages cookie — an editor who logged in, or a reader with a message waiting,
always gets a fresh render, and their render is never stored. What: a 200 the view rendered without
touching the session, the CSRF token or a cookie (the reader forms are not listed, and a page that
would carry a token is not stored even if listed).

Invalidation is one generation token in the cache, part of every page's key: any save or delete of a
row a public page may show (every model of ``claims`` and ``sources`` except the newsroom's internal
ones, ``INTERNAL_MODELS``) sets a new token, so every cached page is stale at once. Workflow steps
change claims with ``QuerySet.update`` but always write a ``ReviewEvent``; corrections write a
``Correction``; verdict and translation edits save their rows. The token is set again once the
transaction commits: a reader who rendered the page between the first token and the commit stored the
old content under a key no one asks for again. ``PAGE_CACHE_SECONDS`` bounds what a change made behind
the ORM's back (raw SQL, ``QuerySet.update`` outside the workflow) can leave stale.

With several processes the cache must be shared (``REDIS_URL``): the local-memory cache of the
embedded default is one per process, right only for the one process ``make run`` starts.

The API's claims list keeps an anonymous client's page under the same generation (``ClaimViewSet.list``):
its data, after the throttles and before the renderer, not a rendered page here.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation

GENERATION_KEY = "claims:pages:generation"

#: URL names (``request.resolver_match.view_name``) whose anonymous answers are cached.
CACHED_VIEWS = frozenset(
    {
        "public:home",
        "public:claims",
        "public:claim",
        "public:actor",
        "public:source",
        "public:outlet",
        "public:methodology",
        "public:corrections",
        "public:corrections-json",
        "feed-claims",
        "feed-actor",
        "sitemap-index",
        "sitemap",
    }
)

#: Rows no public page shows: saving them leaves the cached pages alone (a reader's complaint or tip,
#: a search document re-indexed, a duplicate scan, a fetch's snapshot must not empty the cache).
INTERNAL_MODELS = frozenset(
    {
        "claims.searchdocument",
        "claims.readermessage",
        "claims.claimtip",
        "claims.complaint",
        "claims.editordecision",
        "claims.duplicatesuggestion",
        "claims.claimcandidate",
        "claims.ratingmapping",
        "claims.externalreview",
        "claims.importrun",
        "claims.notification",
        "claims.verdictversion",
        "sources.sourcesnapshot",
    }
)
_WATCHED_APPS = frozenset({"claims", "sources"})


def generation() -> str:
    """The current generation token (made the first time it is asked for, or after an eviction)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), None)
        token = cache.get(GENERATION_KEY)
    return str(token)


def forget_pages() -> None:
    """Every cached page is stale from now on."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), None)


def forget_pages_now_and_after_commit(using: str | None = None) -> None:
    forget_pages()
    transaction.on_commit(forget_pages, using=using)


def public_row_changed(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    """``post_save``/``post_delete``/``m2m_changed`` of any model: a public row changes every page."""
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in _WATCHED_APPS or meta.label_lower in INTERNAL_MODELS:
        return
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m_changed: only once the change is made
        return
    forget_pages_now_and_after_commit(using)


def _reader_is_anonymous(request: HttpRequest) -> bool:
    # Cookies, not request.user: deciding must cost no query. A session may hold a login or messages.
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _page_key(request: HttpRequest) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"claims:page:{generation()}:{translation.get_language()}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page carries a CSRF token
        and not (session is not None and session.accessed)
        and not any(word in response.get("Cache-Control", "") for word in ("private", "no-store", "no-cache"))
        and "Vary" not in response
    )


class PageCacheMiddleware:
    """Serves and stores the pages of ``CACHED_VIEWS`` (last in ``MIDDLEWARE``: it stores what the view
    returned; the middleware above it adds their headers to a stored page as to a fresh one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is not None and request.method == "GET" and _storable(request, response):
            headers = {name: value for name, value in response.items() if name.lower() != "content-length"}
            cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        if (
            not settings.PAGE_CACHE_SECONDS
            or request.method not in ("GET", "HEAD")
            or match is None
            or match.view_name not in CACHED_VIEWS
            or request.GET.get("q", "").strip()  # searches: endless, and rate-limited per reader
            or not _reader_is_anonymous(request)
        ):
            return None
        key = _page_key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            return HttpResponse(content, headers=headers)
        request._page_cache_key = key  # type: ignore[attr-defined]
        return None
