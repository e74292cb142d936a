"""Atom feeds of verdicts: all of them, and one per actor. Only public claims, newest first.

Feeds live outside the ``/<lang>/`` prefix (``/feeds/claims.xml``); ``?lang=en`` picks the language
of titles and links (default: the site's language), so one URL always gives the same document.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from sources.languages import site_language
from sources.models import Actor

from .claimreview import absolute
from .models import Claim, ClaimStatus
from .selectors import claim_text_for, public_actors, public_claims, verdict_text_for

FEED_SIZE = 50
# Characters XML 1.0 cannot carry (pasted from PDFs and word processors): one of them would break the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)


class ClaimsFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = site_language(request.GET.get("lang")) or settings.LANGUAGE_CODE
        with translation.override(language):
            response = super().__call__(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    def title(self) -> str:
        return _("%(newsroom)s: latest verdicts") % {"newsroom": settings.NEWSROOM_NAME}

    def subtitle(self) -> str:
        return _("Claims checked and rated by %(newsroom)s.") % {"newsroom": settings.NEWSROOM_NAME}

    def link(self) -> str:
        return absolute(reverse("public:claims"))

    def feed_url(self) -> str:
        return absolute(reverse("feed-claims")) + f"?lang={translation.get_language()}"

    def author_name(self) -> str:
        return settings.NEWSROOM_NAME

    def items(self) -> list[Claim]:
        return list(public_claims()[:FEED_SIZE])

    def item_title(self, item: Claim) -> str:
        language = translation.get_language()
        wording = claim_text_for(item, language).text
        if item.status == ClaimStatus.RETRACTED:
            return xml_safe(_("Retracted: %(claim)s") % {"claim": wording})
        return xml_safe(f"{item.verdict.rating}: {wording}")

    def item_description(self, item: Claim) -> str:
        text = verdict_text_for(item, translation.get_language())
        claimant = _("Claimed by %(actor)s.") % {"actor": item.claimant} if item.claimant else ""
        return xml_safe(" ".join(part for part in (text.headline if text else "", claimant) if part))

    def item_link(self, item: Claim) -> str:
        return absolute(item.get_absolute_url())

    def item_guid(self, item: Claim) -> str:
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item: Claim) -> Any:
        return item.published_at

    def item_updateddate(self, item: Claim) -> Any:
        return item.updated_at

    def item_categories(self, item: Claim) -> list[str]:
        return [str(item.verdict.rating)]


class ActorFeed(ClaimsFeed):
    def get_object(self, request: HttpRequest, pk: int) -> Actor:  # type: ignore[override]
        return get_object_or_404(public_actors(), pk=pk)

    def title(self, obj: Actor) -> str:  # type: ignore[override]
        return _("%(newsroom)s: verdicts on claims by %(actor)s") % {
            "newsroom": settings.NEWSROOM_NAME,
            "actor": obj.name,
        }

    def link(self, obj: Actor) -> str:  # type: ignore[override]
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj: Actor) -> str:  # type: ignore[override]
        return absolute(reverse("feed-actor", kwargs={"pk": obj.pk})) + f"?lang={translation.get_language()}"

    def items(self, obj: Actor) -> list[Claim]:  # type: ignore[override]
        return list(public_claims().filter(claimant=obj)[:FEED_SIZE])
