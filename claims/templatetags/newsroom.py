"""Template tags: the work queues on the admin's front page, and the public pages' helpers."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.urls import reverse, translate_url
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from claims.models import Claim, ClaimStatus, ClaimTip, Complaint, InboxStatus
from sources.languages import language_name

register = template.Library()

# The characters that could end a <script> element or open a comment, escaped inside JSON strings.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data: Any) -> SafeString:
    """JSON-LD safe to put inside <script type="application/ld+json"> (no "</script>" can break out)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - every "<", ">" and "&" is escaped above


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    """This page in each language of the site: for the switcher and the hreflang alternates."""
    request = context["request"]
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)  # the switcher keeps the query (a search)
        links.append(
            {
                "code": code,
                # Django's table has "Tiếng Việt" decomposed: compose it, so it matches what people type.
                "name": unicodedata.normalize("NFC", get_language_info(code)["name_local"]),
                "url": url,
                # hreflang alternates name the page itself, without tracking or other parameters
                "absolute": settings.SITE_URL + translate_url(request.path, code),
                "current": code == current,
                "default": code == settings.LANGUAGE_CODE,
            }
        )
    return links


@register.filter
def markdown(text: str) -> SafeString:
    """A verdict's Markdown as sanitised HTML (see ``claims.markup``)."""
    from claims.markup import render_markdown

    return render_markdown(text)


@register.filter
def language_label(tag: str) -> str:
    """A language tag's name in the reader's language: “vi” → “Vietnamese” / “Tiếng Việt”."""
    return language_name(tag, get_language() or settings.LANGUAGE_CODE)


@register.inclusion_tag("admin/claims/queues.html", takes_context=True)
def newsroom_queues(context: dict[str, Any]) -> dict[str, Any]:
    """Counts for the queues of the claims list (one query), with links to each."""
    user = context["request"].user
    if not user.has_perm("claims.view_claim"):
        return {"queues": []}
    others = ~Q(author=user)
    counts = Claim.objects.aggregate(
        review=Count("pk", filter=Q(status=ClaimStatus.IN_REVIEW) & others),
        drafts=Count("pk", filter=Q(status=ClaimStatus.DRAFT, author=user)),
        changes=Count("pk", filter=Q(status=ClaimStatus.CHANGES_REQUESTED, author=user)),
        publish=Count("pk", filter=Q(status=ClaimStatus.APPROVED) & others),
        recheck=Count("pk", filter=Q(status=ClaimStatus.PUBLISHED, verdict__recheck_due_since__isnull=False)),
    )
    from claims.admin import QUEUES, queues_for

    changelist = reverse("admin:claims_claim_changelist")
    wanted = queues_for(user)
    queues = [(QUEUES[key], counts[key], f"{changelist}?queue={key}") for key in wanted]
    # The readers' inbox: what the public sent that nobody has picked up yet.
    for model, label in ((ClaimTip, _("claims sent by readers, new")), (Complaint, _("complaints and replies, new"))):
        meta = model._meta
        if user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist") + "?status__exact=new"
            queues.append((label, model.objects.filter(status=InboxStatus.NEW).count(), url))
    return {"queues": queues}
