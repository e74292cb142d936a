"""The public site: verdicts and the lists that lead to them, transparency pages and the readers' forms.

Every claim shown comes through ``claims.selectors`` (``Claim.objects.public()``); actors, sources
and outlets appear only when a public claim cites them. Nothing a reader sends is ever shown here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from sources.text import mark_spans

from .charts import rating_chart
from .claimreview import absolute, claim_review
from .filters import PublicClaimFilter
from .forms import ClaimTipForm, ComplaintForm
from .markup import render_markdown
from .models import PUBLIC_STATUSES, Claim, ClaimStatus, Correction, Rating, RatingLabel
from .selectors import (
    BadCursor,
    Page,
    claim_text_for,
    keyset_page,
    linked_claims,
    public_actors,
    public_claim_detail,
    public_claims,
    public_outlets,
    public_sources,
    ranked_page,
    rating_breakdown,
    verdict_text_for,
)

PAGE_SIZE = 20


def _cards(claims: Sequence[Claim], language: str) -> list[dict[str, object]]:
    return [
        {"claim": c, "wording": claim_text_for(c, language), "verdict_text": verdict_text_for(c, language)}
        for c in claims
    ]


def _page(request: HttpRequest, queryset: QuerySet[Any], size: int = PAGE_SIZE) -> tuple[Page, str | None]:
    """The page the ``after`` parameter asks for; a link that was not ours gives the first page and a note.

    Newest first, or, for a search, best match first (``search_rank``)."""
    paginate = ranked_page if "search_rank" in queryset.query.annotations else keyset_page
    try:
        return paginate(queryset, request.GET.get("after"), size), None
    except BadCursor:
        return paginate(queryset, None, size), _("That page link was damaged: here are the first results instead.")


def _next_url(request: HttpRequest, page: Page) -> str | None:
    if page.next_cursor is None:
        return None
    query = request.GET.copy()
    query["after"] = page.next_cursor
    return f"{request.path}?{query.urlencode()}"


def rate_limited(request: HttpRequest) -> HttpResponse:
    """429: the client asked too often (searches); it may try again in a minute."""
    response = render(request, "claims/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


# --- Verdicts and lists --------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    language = get_language()
    latest = list(public_claims()[:PAGE_SIZE])
    return render(request, "claims/home.html", {"cards": _cards(latest, language)})


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("q", "").strip() and is_ratelimited(
        request, group="public-search", key="ip", rate=settings.PUBLIC_SEARCH_RATE, increment=True
    ):
        return rate_limited(request)
    filterset = PublicClaimFilter(request.GET or None, queryset=public_claims())
    notice = None
    if filterset.is_bound and not filterset.is_valid():
        page = Page([], None)
    else:
        page, notice = _page(request, filterset.qs)
    claimant = None
    if filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("claimant"):
        claimant = public_actors().filter(pk=filterset.form.cleaned_data["claimant"]).first()
    context = {
        "filter": filterset,
        "cards": _cards(page.items, get_language()),
        "next_url": _next_url(request, page),
        "notice": notice,
        "claimant": claimant,
        "searching": filterset.is_bound,
    }
    return render(request, "claims/claim_list.html", context)


@require_GET
def claim_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    claim = get_object_or_404(public_claim_detail(), pk=pk)
    if slug != claim.slug:
        return redirect(claim, permanent=True)
    language = get_language()
    verdict_text = verdict_text_for(claim, language)
    context = {
        "claim": claim,
        "wording": claim_text_for(claim, language),
        "verdict_text": verdict_text,
        "explanation": render_markdown(verdict_text.explanation) if verdict_text else "",
        # Google reads ClaimReview for current verdicts only: a retraction carries none.
        "claim_review": claim_review(claim, language) if claim.status == ClaimStatus.PUBLISHED else None,
        "canonical": absolute(claim.get_absolute_url()),
        "linked": [
            {
                "label": item.label,
                "relation": item.relation,
                "claim": item.claim,
                "wording": claim_text_for(item.claim, language),
            }
            for item in linked_claims(claim, PUBLIC_STATUSES)
        ],
    }
    return render(request, "claims/claim_detail.html", context)


@require_GET
def actor_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    actor = get_object_or_404(public_actors().prefetch_related("aliases"), pk=pk)
    if slug != actor.slug:
        return redirect(actor, permanent=True)
    claimed = public_claims().filter(claimant=actor)
    page, notice = _page(request, claimed)
    language = get_language()
    context = {
        "actor": actor,
        "cards": _cards(page.items, get_language()),
        "next_url": _next_url(request, page),
        "notice": notice,
        "chart": rating_chart(rating_breakdown(Claim.objects.filter(claimant=actor)), language),
        "canonical": absolute(actor.get_absolute_url()),
    }
    return render(request, "claims/actor_detail.html", context)


@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(public_sources().select_related("outlet"), pk=pk)
    claims = list(
        public_claims()
        .filter(pk__in=Claim.objects.filter(appearances__source=source).values("pk"))
        .prefetch_related(Prefetch("appearances", queryset=source.appearances.order_by("start"), to_attr="here"))
    )
    language = get_language()
    spans = [
        (a.start, a.end, {"id": f"q{a.pk}", "title": claim_text_for(c, language).text[:200]})
        for c in claims
        for a in c.here
    ]
    context = {
        "source": source,
        "cards": _cards(claims, language),
        "marked_text": mark_spans(source.text, spans),
        "quoted": {c.pk: [a.pk for a in c.here] for c in claims},
        "canonical": absolute(source.get_absolute_url()),
    }
    return render(request, "claims/source_detail.html", context)


@require_GET
def outlet_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    outlet = get_object_or_404(public_outlets(), pk=pk)
    if slug != outlet.slug:
        return redirect(outlet, permanent=True)
    claims = public_claims().filter(pk__in=Claim.objects.filter(appearances__source__outlet=outlet).values("pk"))
    page, notice = _page(request, claims)
    sources = public_sources().filter(outlet=outlet).order_by("-published_at", "-pk")[:50]
    context = {
        "outlet": outlet,
        "cards": _cards(page.items, get_language()),
        "next_url": _next_url(request, page),
        "notice": notice,
        "sources": list(sources),
        "canonical": absolute(outlet.get_absolute_url()),
    }
    return render(request, "claims/outlet_detail.html", context)


# --- Transparency --------------------------------------------------------------------------------------


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    ratings = Rating.objects.filter(is_active=True).prefetch_related("labels").order_by("-value")
    scale = []
    for rating in ratings:
        labels: dict[str, RatingLabel] = {label.language: label for label in rating.labels.all()}
        label = labels.get(language) or labels.get("en") or next(iter(labels.values()), None)
        scale.append({"rating": rating, "label": label})
    return render(request, "claims/methodology.html", {"scale": scale})


@require_GET
def corrections_policy(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/corrections_policy.html")


def _corrections_log(before: Any, language: str, size: int = 100) -> tuple[list[dict[str, Any]], Any]:
    """Corrections and retractions of public claims, newest first (at most ``size``), and the date to
    continue from."""
    corrections = (
        Correction.objects.filter(claim__in=Claim.objects.public())
        .select_related("claim")
        .prefetch_related("claim__translations")
        .order_by("-created_at", "-pk")
    )
    retractions = public_claims().filter(status=ClaimStatus.RETRACTED).order_by("-retracted_at", "-pk")
    if before is not None:
        corrections = corrections.filter(created_at__lt=before)
        retractions = retractions.filter(retracted_at__lt=before)
    entries: list[dict[str, Any]] = [
        {"kind": "correction", "date": c.created_at, "claim": c.claim, "note": c.note, "language": c.language}
        for c in corrections[:size]
    ] + [
        {"kind": "retraction", "date": c.retracted_at, "claim": c, "note": c.retraction_reason, "language": c.language}
        for c in retractions[:size]
    ]
    entries.sort(key=lambda e: e["date"], reverse=True)
    more = len(entries) > size
    entries = entries[:size]
    for entry in entries:
        entry["wording"] = claim_text_for(entry["claim"], language)
    return entries, (entries[-1]["date"] if more and entries else None)


def _before(request: HttpRequest) -> Any:
    raw = request.GET.get("before")
    if not raw:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        moment.astimezone(dt.UTC)  # a date at the calendar's edge cannot be compared in UTC
    except (ValueError, OverflowError):
        return None
    return moment


@require_GET
def corrections_log(request: HttpRequest) -> HttpResponse:
    entries, more = _corrections_log(_before(request), get_language())
    next_url = f"{request.path}?{urlencode({'before': more.isoformat()})}" if more else None
    return render(request, "claims/corrections_log.html", {"entries": entries, "next_url": next_url})


@require_GET
def corrections_log_json(request: HttpRequest) -> JsonResponse:
    entries, more = _corrections_log(_before(request), get_language())
    data = {
        "results": [
            {
                "kind": e["kind"],
                "date": e["date"].isoformat(),
                "claim": e["claim"].pk,
                "claim_url": absolute(e["claim"].get_absolute_url()),
                "claim_text": e["wording"].text,
                "note": e["note"],
                "language": e["language"],
            }
            for e in entries
        ],
        "next": absolute(f"{request.path}?{urlencode({'before': more.isoformat()})}") if more else None,
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# --- What readers send ----------------------------------------------------------------------------------


def _sender_hash(request: HttpRequest) -> str:
    address = request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR", "") or ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _reader_form(request: HttpRequest, form_class: type, template: str, initial: dict[str, Any]) -> HttpResponse:
    if request.method == "POST":
        form = form_class(request.POST)
        if is_ratelimited(request, group="public-forms", key="ip", rate=settings.PUBLIC_FORM_RATE, increment=True):
            # The reader keeps what they typed: the form comes back with it, and says to wait.
            form.is_valid()
            form.add_error(None, _("You have sent a lot in a short time. Please wait a while, then send again."))
            response = render(request, template, {"form": form}, status=429)
            response["Retry-After"] = "600"
            return response
        if form.is_bot():
            return redirect("public:thanks")  # say nothing a bot could learn from; keep nothing
        if form.is_valid():
            message = form.save(commit=False)
            message.language = get_language() or settings.LANGUAGE_CODE
            message.sender_hash = _sender_hash(request)
            message.full_clean()
            message.save()
            return redirect("public:thanks")
    else:
        form = form_class(initial=initial)
    return render(request, template, {"form": form}, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def submit_claim(request: HttpRequest) -> HttpResponse:
    return _reader_form(request, ClaimTipForm, "claims/submit_claim.html", {})


@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"kind": "correction"}
    claim_id = request.GET.get("claim", "")
    if claim_id.isdigit() and len(claim_id) < 19:
        claim = Claim.objects.public().filter(pk=int(claim_id)).first()
        if claim is None:
            raise Http404
        initial["claim"] = claim.pk
    return _reader_form(request, ComplaintForm, "claims/complaint.html", initial)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/thanks.html")


# --- Discovery -----------------------------------------------------------------------------------------


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        # Search results and filter combinations are endless; the sitemap lists every page worth indexing.
        "Disallow: /*/claims/?",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap-index')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico whatever the page links: send them the icon."""
    return redirect(static("claims/favicon.svg"), permanent=True)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
