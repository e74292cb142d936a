"""Cached public pages (``claims.pagecache``): a second anonymous visit costs no query, and whatever the
newsroom publishes, corrects, retracts or edits shows on the very next visit; editors, readers with a
session or a message, searches and the reader forms are never served from the cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from claims import workflow
from claims.models import Claim, ClaimTip, ClaimTranslation, VerdictText
from claims.pagecache import forget_pages_now_and_after_commit, generation
from claims.workflow import Action, VerdictContent

from .factories import ActorFactory, ready_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]


@pytest.fixture(autouse=True)
def _pages_cached(settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 60


def publish(claim: Claim, editor: Any, publisher: Any) -> Claim:
    workflow.transition(claim.pk, claim.author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)
    return workflow.transition(claim.pk, publisher, Action.PUBLISH)


@pytest.fixture
def claim(researcher, editor, publisher) -> Claim:
    return publish(ready_claim(researcher, claimant=ActorFactory(name="Ahmed al-Mismari")), editor, publisher)


def cached_paths(claim: Claim) -> dict[str, str]:
    appearance = claim.appearances.select_related("source__outlet").get()
    return {
        "home": "/en/",
        "list": "/en/claims/",
        "list filtered": "/en/claims/?rating=unproven",
        "verdict": claim.get_absolute_url(),
        "verdict vi": claim.get_absolute_url().replace("/en/", "/vi/", 1),
        "actor": claim.claimant.get_absolute_url(),
        "source": appearance.source.get_absolute_url(),
        "outlet": appearance.source.outlet.get_absolute_url(),
        "methodology": "/en/methodology/",
        "corrections": "/en/corrections/",
        "corrections json": "/en/corrections.json",
        "feed": "/feeds/claims.xml?lang=en",
        "actor feed": f"/feeds/actors/{claim.claimant_id}.xml",
        "sitemap": "/sitemap.xml",
        "sitemap claims": "/sitemap-claims.xml",
    }


def rendered(response: Any) -> bool:
    """The view rendered this answer (a page replayed from the cache renders no template)."""
    assert response.status_code == 200
    return bool(response.templates)


def test_a_second_anonymous_visit_is_the_same_page_without_a_query(claim, django_assert_num_queries):
    for name, path in cached_paths(claim).items():
        first = Client().get(path)
        assert first.status_code == 200, name
        with django_assert_num_queries(0):
            again = Client().get(path)
        assert again.status_code == 200, name
        assert again.content == first.content, name
        assert again["Content-Type"] == first["Content-Type"], name
        # The middleware above the cache still add their headers to a stored page.
        assert again["X-Frame-Options"] == first["X-Frame-Options"] == "DENY", name
        assert again.get("ETag") == first.get("ETag"), name


def test_a_correction_shows_at_once_on_the_cached_pages(claim, publisher):
    pages = ["/en/", claim.get_absolute_url(), "/feeds/claims.xml?lang=en"]
    for path in pages:
        assert b"The 7% figure is unverified" in Client().get(path).content
    workflow.correct_verdict(
        claim.pk,
        publisher,
        VerdictContent(rating="false", texts={"vi": ("Sai", "Bộ Y tế nói khác."), "en": ("Corrected: false", "No.")}),
        note="The ministry's figure came out.",
    )
    for path in pages:
        page = Client().get(path).content
        assert b"Corrected: false" in page, path
        assert b"The 7% figure is unverified" not in page, path
    assert b"The ministry&#x27;s figure came out." in Client().get(claim.get_absolute_url()).content


def test_a_retraction_shows_at_once_and_the_claimreview_markup_goes(claim, publisher):
    page = Client().get(claim.get_absolute_url()).content
    assert b'"ClaimReview"' in page and b"has been retracted" not in page
    workflow.transition(claim.pk, publisher, Action.RETRACT, comment="The quote was misattributed.")
    page = Client().get(claim.get_absolute_url()).content
    assert b"This fact-check has been retracted" in page
    assert b"The quote was misattributed." in page
    assert b'"ClaimReview"' not in page


def test_a_newly_published_claim_is_on_the_cached_lists_feed_and_sitemap_at_once(claim, researcher, editor, publisher):
    lists = ["/en/", "/en/claims/", "/feeds/claims.xml?lang=en", "/sitemap-claims.xml"]
    for path in lists:
        Client().get(path)
    waiting = ready_claim(researcher, text="ít nhất đã có 14 binh sĩ LNA thiệt mạng")
    workflow.transition(waiting.pk, researcher, Action.SUBMIT)
    workflow.transition(waiting.pk, editor, Action.APPROVE)
    for path in lists:  # approved is not published: nothing of it anywhere
        assert f"/claims/{waiting.pk}-".encode() not in Client().get(path).content, path
    workflow.transition(waiting.pk, publisher, Action.PUBLISH)
    for path in lists:
        assert f"/claims/{waiting.pk}-".encode() in Client().get(path).content, path


def test_a_draft_s_page_is_never_stored_and_shows_once_published(researcher, editor, publisher):
    draft = ready_claim(researcher, text="Haftar 75 tuổi")
    path = f"/en/claims/{draft.pk}-haftar-75-tuoi/"
    assert Client().get(path).status_code == 404
    assert Client().get(path).status_code == 404
    publish(draft, editor, publisher)
    assert Client().get(Claim.objects.get(pk=draft.pk).get_absolute_url()).status_code == 200


def test_translation_and_verdict_text_edits_show_at_once(claim):
    path = claim.get_absolute_url()
    assert b"controls only 7%" in Client().get(path).content
    translation = ClaimTranslation.objects.get(claim=claim, language="en")
    translation.text = "the GNA holds just 7 percent of Libya"
    translation.save()  # as the admin's inline saves it
    assert b"the GNA holds just 7 percent of Libya" in Client().get(path, follow=True).content  # a new slug
    path = Claim.objects.get(pk=claim.pk).get_absolute_url()
    text = VerdictText.objects.get(verdict__claim=claim, language="en")
    text.headline = "Nobody has verified the figure"
    text.save()
    assert b"Nobody has verified the figure" in Client().get(path).content


def test_a_logged_in_editor_never_reads_nor_fills_the_cache(claim, editor, django_assert_num_queries):
    newsroom = Client()
    newsroom.force_login(editor)
    assert newsroom.get("/en/").status_code == 200  # rendered for the editor: not stored
    reader = Client()
    first = reader.get("/en/")
    with django_assert_num_queries(0):
        assert reader.get("/en/").content == first.content
    assert rendered(newsroom.get("/en/"))  # not served the reader's page either


def test_readers_with_a_session_or_a_message_waiting_get_a_fresh_page(claim, settings):
    Client().get("/en/")
    for cookie in (settings.SESSION_COOKIE_NAME, "messages"):
        reader = Client()
        reader.cookies[cookie] = "anything"
        assert rendered(reader.get("/en/")), cookie


def test_searches_are_never_cached(claim):
    assert rendered(Client().get("/en/claims/?q=Tripoli"))
    assert rendered(Client().get("/en/claims/?q=Tripoli"))
    assert rendered(Client().get("/en/claims/"))
    assert not rendered(Client().get("/en/claims/"))


def test_each_reader_gets_a_form_with_their_own_csrf_token(claim):
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        response = reader.get("/en/complaint/")
        assert "csrftoken" in response.cookies  # rendered for this reader, not replayed
        assert b"csrfmiddlewaretoken" in response.content


def test_a_reader_s_tip_or_a_reindex_leaves_the_cached_pages_in_place(claim, django_assert_num_queries):
    Client().get("/en/")
    ClaimTip.objects.create(text="Haftar nói đã chiếm sân bay Tripoli")
    from claims.search import index_claims

    index_claims([claim.pk])
    with django_assert_num_queries(0):
        Client().get("/en/")


def test_pages_are_kept_per_language(claim):
    english = Client().get("/feeds/claims.xml?lang=en")
    vietnamese = Client().get("/feeds/claims.xml?lang=vi")
    assert b'xml:lang="en"' in english.content and b'xml:lang="vi"' in vietnamese.content
    assert b'xml:lang="vi"' in Client().get("/feeds/claims.xml?lang=vi").content
    assert b'<html lang="en">' in Client().get("/en/").content
    assert b'<html lang="vi">' in Client().get("/vi/").content
    assert b'<html lang="en">' in Client().get("/en/").content


def test_a_change_forgets_the_pages_again_once_it_commits(django_capture_on_commit_callbacks):
    before = generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        forget_pages_now_and_after_commit()
        # What a reader renders now (the change not yet committed) is stored under this generation...
        during = generation()
    # ... which no one asks for once the change is committed.
    assert len(callbacks) == 1
    assert len({before, during, generation()}) == 3


def test_no_page_is_cached_when_page_cache_seconds_is_0(claim, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert rendered(Client().get("/en/"))
    assert rendered(Client().get("/en/"))


# --- The API's claims list ------------------------------------------------------------------------------

API_LIST = "/api/v1/claims/?page_size=1&lang=en"


def test_an_anonymous_client_s_second_list_page_costs_no_query_and_is_the_same(claim, django_assert_num_queries):
    first = Client().get(API_LIST)
    assert first.status_code == 200 and first.json()["results"][0]["id"] == claim.pk
    with django_assert_num_queries(0):
        again = Client().get(API_LIST)
    assert again.content == first.content
    for header in ("Content-Type", "ETag", "Last-Modified", "Vary"):
        assert again[header] == first[header], header
    browsable = Client().get(API_LIST, HTTP_ACCEPT="text/html")  # the stored page, written as asked
    assert browsable["Content-Type"].startswith("text/html") and b"Ahmed al-Mismari" in browsable.content


def test_what_the_newsroom_publishes_corrects_or_retracts_shows_on_the_next_list_page(
    claim, researcher, editor, publisher
):
    assert [c["id"] for c in Client().get(API_LIST.replace("page_size=1", "page_size=5")).json()["results"]] == [
        claim.pk
    ]
    newer = publish(ready_claim(researcher), editor, publisher)
    ids = [c["id"] for c in Client().get(API_LIST.replace("page_size=1", "page_size=5")).json()["results"]]
    assert ids == [newer.pk, claim.pk]

    workflow.correct_verdict(
        claim.pk,
        publisher,
        VerdictContent(rating="false", texts={"vi": ("Sai", "Bộ Y tế nói khác."), "en": ("Corrected: false", "No.")}),
        note="The ministry's figure came out.",
    )
    workflow.transition(newer.pk, publisher, Action.RETRACT, comment="The quote was misattributed.")
    body = Client().get(API_LIST.replace("page_size=1", "page_size=5")).json()
    shown = {c["id"]: c for c in body["results"]}
    assert shown[newer.pk]["status"] == "retracted"
    assert (shown[claim.pk]["verdict"]["rating"]["slug"], shown[claim.pk]["verdict"]["headline"]) == (
        "false",
        "Corrected: false",
    )


def test_the_list_is_kept_per_language_and_never_for_a_signed_in_client_or_a_search(claim, editor):
    from rest_framework.authtoken.models import Token

    english = Client().get("/api/v1/claims/?lang=en").json()
    vietnamese = Client().get("/api/v1/claims/?lang=vi").json()
    assert english["results"][0]["localized"]["language"] != vietnamese["results"][0]["localized"]["language"]
    by_header = Client().get("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert by_header["results"][0]["localized"] == vietnamese["results"][0]["localized"]
    assert (
        Client().get("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["localized"]
        == (english["results"][0]["localized"])
    )
    # Two languages the site is not written in (its own language is then the default for both): the
    # wording is still the one asked for.
    ClaimTranslation.objects.create(claim=claim, language="fr", text="Haftar contrôle 7 % du territoire.")
    french = Client().get("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0]["localized"]
    german = Client().get("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]["localized"]
    assert french["language"] == "fr" and german["language"] != "fr"

    token, _ = Token.objects.get_or_create(user=editor)
    staff = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    draft = ready_claim(editor)
    drafts = Client().get("/api/v1/claims/?status=draft&lang=en", **staff).json()["results"]
    assert [c["id"] for c in drafts] == [draft.pk]
    denied = Client().get("/api/v1/claims/?status=draft&lang=en")
    assert denied.status_code == 403, "a staff page is never replayed to an anonymous client"

    searched = Client().get("/api/v1/claims/?q=Tripoli&lang=en")
    assert searched.status_code == 200
    from claims.api import ClaimViewSet, wanted_languages

    def key(request: Any) -> str | None:
        return ClaimViewSet()._list_cache_key(request, wanted_languages(request))

    assert key(_drf_request("/api/v1/claims/?q=Tripoli")) is None
    assert key(_drf_request("/api/v1/claims/?q=%20")) is not None
    assert key(_drf_request("/api/v1/claims/?status=draft")) is None, "staff's pages: never kept"
    assert key(_drf_request("/api/v1/claims/?status=retracted")) is not None
    # Only the list's own parameters make pages of their own, in any order.
    assert key(_drf_request("/api/v1/claims/?page_size=5&lang=en&rating=false")) == key(
        _drf_request("/api/v1/claims/?rating=false&lang=en&page_size=5")
    )
    assert key(_drf_request("/api/v1/claims/?page_size=5&x=1")) is None
    assert key(_drf_request("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="vi,en,fr")) is not None
    assert key(_drf_request("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="vi,en,fr,de")) is None


def _drf_request(path: str, **headers: str) -> Any:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from rest_framework.request import Request

    request = Request(RequestFactory().get(path, **headers))
    request.user = AnonymousUser()
    return request


def test_a_cached_list_page_still_counts_against_the_throttle(claim, settings):
    settings.API_ANON_RATE = "3/minute"
    reader = Client()
    for _ in range(3):
        assert reader.get(API_LIST).status_code == 200
    refused = reader.get(API_LIST)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"


def test_no_list_page_is_kept_when_page_cache_seconds_is_0(claim, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    Client().get(API_LIST)
    with CaptureQueriesContext(connection) as again:
        Client().get(API_LIST)
    assert len(again) > 0, "the page is made again"


def test_a_rating_label_renamed_shows_on_the_next_list_page(claim, django_capture_on_commit_callbacks):
    from claims.models import RatingLabel

    def label() -> str:
        return Client().get(API_LIST).json()["results"][0]["verdict"]["rating"]["label"]

    assert label() == "Unproven"
    with django_capture_on_commit_callbacks(execute=True):
        renamed = RatingLabel.objects.get(rating__slug="unproven", language="en")
        renamed.label = "Not proven"
        renamed.save()
        # A reader between the save and the commit reads the scale as it then is...
        assert label() == "Not proven"
        RatingLabel.objects.filter(pk=renamed.pk).update(label="Unproven (renamed)")  # (what commits)
    # ... and leaves no old scale behind once the change commits: pages are made from the new one.
    assert label() == "Unproven (renamed)"


def test_a_rating_label_renamed_shows_on_the_next_verdict_page(claim, django_capture_on_commit_callbacks):
    """The verdict page reads its rating's label from the cached scale (no query of its own since session
    20): a renamed label must reach the page as soon as it commits, cached page or not."""
    from django.utils import translation

    from claims.models import RatingLabel

    with translation.override("en"):
        address = claim.get_absolute_url()

    def rating() -> str:
        page = Client().get(address).content.decode()
        return page.split('<p class="rating', 1)[1].split(">", 1)[1].split("</p>", 1)[0]

    assert rating() == "Unproven"
    assert rating() == "Unproven"  # (the page is now kept)
    with django_capture_on_commit_callbacks(execute=True):
        renamed = RatingLabel.objects.get(rating__slug="unproven", language="en")
        renamed.label = "Not <proven>"
        renamed.save()
    assert rating() == "Not &lt;proven&gt;"


def test_a_page_reads_the_rating_scale_from_the_shared_cache_once(researcher, editor, publisher, settings, monkeypatch):
    """Each card's rating label comes from the scale (``Rating.label``): kept for the request once read,
    not one read of the shared cache (a round trip to Redis in production) per card."""
    from claims import ratings

    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(4):
        publish(ready_claim(researcher), editor, publisher)
    reads: list[str] = []
    shared_get = ratings.cache.get
    monkeypatch.setattr(ratings.cache, "get", lambda key, *a, **k: reads.append(key) or shared_get(key, *a, **k))
    page = Client().get("/en/")
    assert page.status_code == 200 and page.content.decode().count('<p class="rating') == 4
    assert reads.count(ratings.CACHE_KEY) == 1
    # Outside a request, each call reads the shared cache (a worker's scale is never older than it).
    reads.clear()
    ratings.rating_scale()
    ratings.rating_scale()
    assert reads.count(ratings.CACHE_KEY) == 2
