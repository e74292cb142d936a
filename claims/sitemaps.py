"""``/sitemap.xml``: an index of sections, each listing every public page in every site language, with
``hreflang`` alternates. Only public claims, and the actors, sources and outlets they cite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property

from .models import Claim
from .selectors import public_actors, public_outlets, public_sources


class LanguagePairs:
    """The (item, language) pairs an i18n sitemap paginates, read from the database one page at a time.

    Django's ``Sitemap`` builds the list of every pair to paginate it, so the index and each section page
    loaded every public claim: at 100,000 claims, 40 s a request and a gunicorn worker timeout under load
    (``bench/load.py``). Here the length is a ``count()`` and a page a slice of the queryset."""

    def __init__(self, items: QuerySet[Any], languages: Sequence[str]) -> None:
        self.items = items
        self.languages = languages

    @cached_property
    def _length(self) -> int:
        return self.items.count() * len(self.languages)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: slice) -> list[tuple[Any, str]]:
        start, stop, _step = index.indices(len(self))  # the paginator asks for slices only
        per_item = len(self.languages)
        first, last = start // per_item, -(-stop // per_item)
        pairs = [(item, language) for item in self.items[first:last] for language in self.languages]
        return pairs[start - first * per_item : stop - first * per_item]


class SiteSitemap(Sitemap):
    """Absolute links on SITE_URL (as ClaimReview and feeds use), in every language of the site."""

    i18n = True
    alternates = True
    x_default = True
    # Entries a sitemap page (an item in one language, each with its alternates; the protocol's cap: 50,000).
    # 20,000 made a 12 MB page of ~5 s of CPU, over gunicorn's 30 s timeout on a busy machine (bench/load.py).
    limit = 5_000

    @property
    def protocol(self) -> str:  # type: ignore[override]
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def _items(self) -> Any:  # what Django's Sitemap paginates
        items = self.items()
        languages = self.languages or [code for code, _name in settings.LANGUAGES]
        if isinstance(items, QuerySet):
            return LanguagePairs(items, languages)
        return [(item, language) for item in items for language in languages]


class PagesSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return [
            "public:home",
            "public:claims",
            "public:methodology",
            "public:corrections-policy",
            "public:corrections",
            "public:submit",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ClaimsSitemap(SiteSitemap):
    def __init__(self) -> None:
        self._slugs: dict[int, str] = {}

    def items(self) -> Any:
        return (
            Claim.objects.public().prefetch_related("translations").order_by("pk")  # the slug needs them
        )

    def lastmod(self, item: Any) -> Any:
        return item.updated_at

    def location(self, item: Claim) -> str:
        # A claim's location is asked for eight times (an entry per language, each with every language's
        # alternate): its slug, the costly part, is worked out once.
        if item.pk not in self._slugs:
            self._slugs[item.pk] = item.slug
        return reverse("public:claim", kwargs={"pk": item.pk, "slug": self._slugs[item.pk]})


class ActorsSitemap(SiteSitemap):
    def items(self) -> Any:
        return public_actors().order_by("pk")


class SourcesSitemap(SiteSitemap):
    def items(self) -> Any:
        return public_sources().order_by("pk")

    def lastmod(self, item: Any) -> Any:
        return item.updated_at


class OutletsSitemap(SiteSitemap):
    def items(self) -> Any:
        return public_outlets().order_by("pk")


SITEMAPS = {
    "pages": PagesSitemap,
    "claims": ClaimsSitemap,
    "actors": ActorsSitemap,
    "sources": SourcesSitemap,
    "outlets": OutletsSitemap,
}


def sitemap_index(request: HttpRequest) -> TemplateResponse:
    """``/sitemap.xml``: the sections, each page of each, on SITE_URL (Django's own index view names
    the request's host, which behind a proxy or on a second domain is not the canonical one)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = settings.SITE_URL + reverse("sitemap", kwargs={"section": section})
        for page in range(1, sitemap.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(location if page == 1 else f"{location}?p={page}", None))
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")
