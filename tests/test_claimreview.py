"""ClaimReview JSON-LD over the API, for every published claim of the demo newsroom: the fields Google
documents for fact-check markup, one review per claim and a DataFeed of them all, never a draft."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import workflow
from claims.demo.content import CLAIMS as DEMO_CLAIMS
from claims.models import Claim, ClaimStatus
from claims.workflow import Action

pytestmark = pytest.mark.django_db

FEED = "/api/v1/claimreview/"
EN_HEADLINES = {item["text"]: item["verdict"]["headline"]["en"] for item in DEMO_CLAIMS if item.get("verdict")}


def review_url(claim: Claim) -> str:
    return f"/api/v1/claims/{claim.pk}/claimreview/"


@pytest.fixture
def demo(settings) -> list[Claim]:
    """The demo newsroom, loaded as `make run` loads it; returns its published claims."""
    cache.clear()
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    claims = list(
        Claim.objects.published()
        .select_related("claimant", "verdict__rating")
        .prefetch_related("appearances__source", "verdict__rating__labels")
    )
    assert len(claims) == sum(1 for item in DEMO_CLAIMS if item["status"] == "published")
    return claims


def public_paths(claim: Claim) -> set[str]:
    """The claim's public page in each interface language."""
    paths = set()
    for language in ("vi", "en"):
        with translation.override(language):
            paths.add(claim.get_absolute_url())
    return paths


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def token_client(username: str) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user(username))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_absolute_page(client: Any, url: str) -> None:
    """An absolute http(s) URL whose path answers 200 on this site."""
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, url
    assert client.get(parts.path).status_code == 200, url


def assert_google_fields(review: dict[str, Any], claim: Claim, language: str, client: Any) -> None:
    from django.conf import settings

    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert isinstance(review["claimReviewed"], str) and review["claimReviewed"].strip()
    assert urlsplit(review["url"]).path in public_paths(claim)
    if language in ("vi", "en"):
        assert urlsplit(review["url"]).path.startswith(f"/{language}/"), (language, review["url"])
    assert_absolute_page(client, review["url"])
    assert dt.date.fromisoformat(review["datePublished"]) == timezone.localdate(claim.published_at)
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"] == settings.NEWSROOM_NAME
    assert review["inLanguage"] == language

    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert all(isinstance(rating[key], int) for key in ("ratingValue", "bestRating", "worstRating"))
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert rating["worstRating"] < rating["bestRating"]
    assert rating["ratingValue"] == claim.verdict.rating.value
    assert rating["alternateName"] == claim.verdict.rating.label(language)

    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    if claim.claimant is not None:
        assert item["author"]["name"] == claim.claimant.name
        assert item["author"]["@type"] == ("Person" if claim.claimant.kind == "person" else "Organization")
    else:
        assert "author" not in item
    assert item["datePublished"] == claim.claim_date.isoformat()
    assert item["appearance"], "every published claim has an appearance"
    for work in item["appearance"]:
        assert work["@type"] == "CreativeWork"
        assert_absolute_page(client, work["url"])
    assert item["firstAppearance"]["url"] in [work["url"] for work in item["appearance"]]
    first = claim.appearances.get(is_first=True)
    assert item["firstAppearance"]["headline"] == first.source.title


def test_every_published_demo_claim_has_a_claimreview_with_google_s_fields(demo, client):
    api = APIClient()
    for claim in demo:
        response = api.get(review_url(claim))
        assert response.status_code == 200, (claim.pk, response.content)
        assert_google_fields(response.json(), claim, "vi", client)


def test_lang_en_gives_the_english_rating_name_and_headline(demo, client):
    api = APIClient()
    for claim in demo:
        review = api.get(review_url(claim), {"lang": "en"}).json()
        assert_google_fields(review, claim, "en", client)
        assert review["reviewRating"]["alternateName"] == claim.verdict.rating.label("en")
        assert review["name"] == EN_HEADLINES[claim.text]
        assert review["claimReviewed"] == claim.translations.get(language="en").text
    unproven = next(c for c in demo if c.verdict.rating.slug == "unproven")
    review = api.get(review_url(unproven), {"lang": "en"}).json()
    assert review["reviewRating"]["alternateName"] == "Unproven"
    assert api.get(review_url(unproven)).json()["reviewRating"]["alternateName"] == "Chưa được chứng minh"


@pytest.mark.parametrize("status", ["draft", "in_review", "approved"])
def test_claims_that_are_not_published_have_no_claimreview_even_for_the_newsroom(demo, status):
    texts = [item["text"] for item in DEMO_CLAIMS if item["status"] == status]
    assert texts
    for claim in Claim.objects.filter(text__in=texts):
        assert claim.status == status
        for api in (APIClient(), token_client("editor")):
            response = api.get(review_url(claim))
            assert response.status_code == 404
            assert response.json()["error"]["status"] == 404
            assert claim.text not in response.content.decode()


def test_a_retracted_claim_has_no_claimreview_and_leaves_the_feed(demo):
    claim = demo[0]
    workflow.transition(claim.pk, user("publisher"), Action.RETRACT, comment="The figure was misquoted.")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.RETRACTED

    assert APIClient().get(review_url(claim)).status_code == 404
    urls = [review["url"] for review in all_feed_elements(APIClient(), page_size=100)]
    assert len(urls) == len(demo) - 1
    assert not any(urlsplit(url).path in public_paths(claim) for url in urls)
    # Its public page stays, with the notice, for readers who follow old links.
    assert APIClient().get(f"/api/v1/claims/{claim.pk}/").json()["retraction"]["reason"] == "The figure was misquoted."


def all_feed_elements(api: APIClient, page_size: int, **params: Any) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    response = api.get(FEED, {"page_size": page_size, **params})
    while True:
        assert response.status_code == 200, response.content
        feed = response.json()
        assert feed["@context"] == "https://schema.org"
        assert feed["@type"] == "DataFeed"
        assert feed["name"]
        assert len(feed["dataFeedElement"]) <= page_size
        elements += feed["dataFeedElement"]
        if not feed["next"]:
            return elements
        response = api.get(feed["next"])


def test_the_feed_pages_through_every_published_claim_exactly_once(demo):
    api = APIClient()
    elements = all_feed_elements(api, page_size=4)
    assert len(elements) == len(demo)
    with translation.override("vi"):
        assert sorted(urlsplit(e["url"]).path for e in elements) == sorted(c.get_absolute_url() for c in demo)


def test_each_feed_element_is_the_claim_s_own_claimreview_without_its_context(demo):
    api = APIClient()
    by_path = {urlsplit(e["url"]).path: e for e in all_feed_elements(api, page_size=100)}
    assert len(by_path) == len(demo)
    for claim in demo:
        single = api.get(review_url(claim)).json()
        assert by_path[urlsplit(single["url"]).path] == {k: v for k, v in single.items() if k != "@context"}


def test_the_feed_speaks_english_with_lang_en(demo):
    labels = {e["reviewRating"]["alternateName"] for e in all_feed_elements(APIClient(), page_size=100, lang="en")}
    assert labels <= {"True", "Mostly true", "Misleading", "Mostly false", "False", "Unproven"}
    assert "Unproven" in labels


def test_the_feed_never_shows_drafts_or_approved_claims(demo):
    hidden = {item["text"] for item in DEMO_CLAIMS if item["status"] != "published"}
    reviewed = {e["claimReviewed"] for e in all_feed_elements(token_client("editor"), page_size=100)}
    assert reviewed.isdisjoint(hidden)
    assert len(reviewed) == len(demo)


def test_an_invalid_page_size_or_lang_on_the_feed_is_a_400(demo):
    for params in ({"page_size": 0}, {"page_size": "many"}, {"lang": "not a language"}):
        response = APIClient().get(FEED, params)
        assert response.status_code == 400
        assert response.json()["error"]["fields"]


def test_the_url_follows_lang_not_only_accept_language(demo):
    api = APIClient()
    claim = demo[0]
    review = api.get(review_url(claim), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="vi").json()
    assert urlsplit(review["url"]).path == f"/en/claims/{claim.pk}-{claim.slug}/"
    review = api.get(review_url(claim), {"lang": "vi"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert urlsplit(review["url"]).path == f"/vi/claims/{claim.pk}-{claim.slug}/"
    detail = api.get(f"/api/v1/claims/{claim.pk}/", {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="vi").json()
    assert urlsplit(detail["url"]).path == f"/en/claims/{claim.pk}-{claim.slug}/"


def test_date_published_is_the_newsroom_s_date_not_the_utc_date(demo, settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    claim = demo[0]
    # 00:30 on 12 April in Hanoi is still 11 April in UTC.
    moment = dt.datetime(2019, 4, 11, 17, 30, tzinfo=dt.UTC)
    Claim.objects.filter(pk=claim.pk).update(published_at=moment)
    review = APIClient().get(review_url(claim)).json()
    assert review["datePublished"] == "2019-04-12"
