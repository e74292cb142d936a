"""Public pages: the home page, verdict pages, actor and source pages. Only public claims appear."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language

from sources.models import Actor, Source

from .claimreview import claim_review
from .models import Claim, ClaimStatus
from .selectors import claim_text_for, public_claim_detail, public_claims, verdict_text_for


def _cards(claims: list[Claim], language: str) -> list[dict[str, object]]:
    return [
        {"claim": c, "wording": claim_text_for(c, language), "verdict_text": verdict_text_for(c, language)}
        for c in claims
    ]


def home(request: HttpRequest) -> HttpResponse:
    language = get_language()
    latest = list(public_claims()[:20])
    return render(request, "claims/home.html", {"cards": _cards(latest, language)})


def claim_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    claim = get_object_or_404(public_claim_detail(), pk=pk)
    if slug != claim.slug:
        return redirect(claim, permanent=True)
    language = get_language()
    context = {
        "claim": claim,
        "wording": claim_text_for(claim, language),
        "verdict_text": verdict_text_for(claim, language),
        # Google reads ClaimReview for current verdicts only: a retraction carries none.
        "claim_review": claim_review(claim, language) if claim.status == ClaimStatus.PUBLISHED else None,
    }
    return render(request, "claims/claim_detail.html", context)


def actor_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor.objects.prefetch_related("aliases"), pk=pk)
    if slug != actor.slug:
        return redirect(actor, permanent=True)
    claims = list(public_claims().filter(claimant=actor))
    return render(request, "claims/actor_detail.html", {"actor": actor, "cards": _cards(claims, get_language())})


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source.objects.select_related("outlet"), pk=pk)
    claims = list(public_claims().filter(appearances__source=source).distinct())
    return render(request, "claims/source_detail.html", {"source": source, "cards": _cards(claims, get_language())})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
