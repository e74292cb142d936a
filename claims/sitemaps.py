"""``/sitemap.xml``: an index of sections, each listing every public page in every site language, with
``hreflang`` alternates. Only public claims, and the actors, sources and outlets they cite."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from .models import Claim
from .selectors import public_actors, public_outlets, public_sources


class SiteSitemap(Sitemap):
    """Absolute links on SITE_URL (as ClaimReview and feeds use), in every language of the site."""

    i18n = True
    alternates = True
    x_default = True
    limit = 20_000  # entries per sitemap page before languages multiply them (the protocol's cap: 50,000)

    @property
    def protocol(self) -> str:  # type: ignore[override]
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


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
    def items(self) -> Any:
        return (
            Claim.objects.public().prefetch_related("translations").order_by("pk")  # the slug needs them
        )

    def lastmod(self, item: Any) -> Any:
        return item.updated_at


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
