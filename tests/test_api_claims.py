"""The claims API as its clients read it: what is public, the claim's shape, languages, filters, search,
cursor pagination, conditional GETs, query budgets and throttling."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import search, workflow
from claims.models import Claim, ClaimStatus, ClaimTranslation, Verdict, VerdictText
from claims.workflow import Action, VerdictContent
from sources.models import Actor, Source

from .factories import (
    QUOTE_7_PERCENT,
    ActorAliasFactory,
    ActorFactory,
    AppearanceFactory,
    ClaimFactory,
    SourceFactory,
    rating,
    ready_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

CLAIMS = "/api/v1/claims/"


def api(user: Any = None) -> APIClient:
    """A client speaking as ``user`` through a token, or anonymously."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def publish(claim: Claim, editor: Any, publisher: Any) -> Claim:
    workflow.transition(claim.pk, claim.author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)
    return workflow.transition(claim.pk, publisher, Action.PUBLISH)


def make_claim(
    author: Any,
    *,
    text: str,
    quote: str = QUOTE_7_PERCENT,
    language: str = "vi",
    translation: str | None = None,
    claimant: Actor | None = None,
    source: Source | None = None,
    rating_slug: str = "unproven",
) -> Claim:
    """A complete draft: wording, an optional English translation, an appearance and a vi + en verdict."""
    claim = ClaimFactory(author=author, text=text, language=language, claimant=claimant)
    if translation is not None:
        ClaimTranslation.objects.create(claim=claim, language="en", text=translation, origin="human")
    AppearanceFactory(claim=claim, source=source or SourceFactory(), quote=quote)
    verdict = Verdict.objects.create(claim=claim, rating=rating(rating_slug), author=author)
    VerdictText.objects.create(
        verdict=verdict, language="vi", headline="Chưa kiểm chứng", explanation="Không có nguồn."
    )
    VerdictText.objects.create(verdict=verdict, language="en", headline="Not verified", explanation="No source.")
    return claim


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """The one error shape: ``{"error": {"status", "code", "message", "fields"?}}``, as JSON."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return error


@pytest.fixture
def claim_in_every_state(researcher, editor, publisher) -> dict[str, Claim]:
    claims = {status: ready_claim(researcher, text=f"Nhận định ở trạng thái {status}") for status in ClaimStatus.values}
    steps = {
        ClaimStatus.DRAFT: [],
        ClaimStatus.IN_REVIEW: [(researcher, Action.SUBMIT, "")],
        ClaimStatus.CHANGES_REQUESTED: [(researcher, Action.SUBMIT, ""), (editor, Action.REQUEST_CHANGES, "Nguồn?")],
        ClaimStatus.APPROVED: [(researcher, Action.SUBMIT, ""), (editor, Action.APPROVE, "")],
        ClaimStatus.PUBLISHED: [
            (researcher, Action.SUBMIT, ""),
            (editor, Action.APPROVE, ""),
            (publisher, Action.PUBLISH, ""),
        ],
        ClaimStatus.RETRACTED: [
            (researcher, Action.SUBMIT, ""),
            (editor, Action.APPROVE, ""),
            (publisher, Action.PUBLISH, ""),
            (publisher, Action.RETRACT, "The quote was misattributed."),
        ],
    }
    for status, path in steps.items():
        for user, action, comment in path:
            workflow.transition(claims[status].pk, user, action, comment=comment)
    return claims


# --- What the public sees ------------------------------------------------------------------------------


def test_anonymous_list_shows_published_and_retracted_claims_and_never_drafts_reviews_or_approved_ones(
    claim_in_every_state,
):
    response = api().get(CLAIMS)
    rows = {row["id"]: row for row in response.json()["results"]}

    published, retracted = claim_in_every_state["published"], claim_in_every_state["retracted"]
    assert set(rows) == {published.pk, retracted.pk}
    assert rows[published.pk]["retraction"] is None
    assert rows[retracted.pk]["status"] == "retracted"
    assert rows[retracted.pk]["retraction"]["reason"] == "The quote was misattributed."
    assert rows[retracted.pk]["retraction"]["retracted_at"]


def test_a_draft_is_404_for_anonymous_and_for_a_token_without_a_newsroom_role(researcher, outsider):
    draft = ready_claim(researcher)
    for client in (api(), api(outsider)):
        error = assert_error(client.get(f"{CLAIMS}{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en"), 404)
        assert error["code"] == "not_found"
        assert draft.text not in str(error)


def test_a_draft_is_readable_with_a_newsroom_token_author_or_not(researcher, other_researcher):
    draft = ready_claim(researcher)
    for user in (researcher, other_researcher):
        response = api(user).get(f"{CLAIMS}{draft.pk}/")
        assert response.status_code == 200
        assert response.json()["status"] == "draft"
        assert response.json()["url"] is None  # no public page yet


def test_status_filter_for_drafts_is_refused_to_anonymous_and_outsiders(claim_in_every_state, outsider):
    for client in (api(), api(outsider)):
        error = assert_error(client.get(CLAIMS, {"status": "draft"}, HTTP_ACCEPT_LANGUAGE="en"), 403)
        assert "newsroom" in error["message"]


def test_status_filter_lists_drafts_for_researcher_and_editor_tokens(claim_in_every_state, researcher, editor):
    for user in (researcher, editor):
        assert ids(api(user).get(CLAIMS, {"status": "draft"})) == {claim_in_every_state["draft"].pk}
        assert ids(api(user).get(CLAIMS, {"status": "approved"})) == {claim_in_every_state["approved"].pk}


def test_a_search_runs_within_the_status_asked_for(claim_in_every_state, editor, monkeypatch):
    """A search ranks at most MAX_RESULTS claims: within ``status``, not among every claim's matches."""
    monkeypatch.setattr(search, "MAX_RESULTS", 1)
    draft = claim_in_every_state["draft"]
    word = draft.text.split()[0]
    for status, claim in claim_in_every_state.items():
        assert ids(api(editor).get(CLAIMS, {"status": status, "q": word})) == {claim.pk}, status


def test_without_a_status_filter_newsroom_tokens_see_the_public_list_too(claim_in_every_state, editor):
    public = {claim_in_every_state["published"].pk, claim_in_every_state["retracted"].pk}
    assert ids(api(editor).get(CLAIMS)) == public


# --- The shape of a claim ------------------------------------------------------------------------------


@pytest.fixture
def full_claim(researcher, editor, publisher) -> Claim:
    claimant = ActorFactory(name="Ahmed al-Mismari")
    claim = ready_claim(researcher, claimant=claimant, claim_date=dt.date(2019, 4, 8))
    return publish(claim, editor, publisher)


def assert_claim_shape(row: dict[str, Any], claim: Claim) -> None:
    assert isinstance(row["id"], int) and row["id"] == claim.pk
    assert row["status"] == "published"
    assert row["language"] == "vi"
    assert row["text"] == claim.text
    assert row["translations"] == [
        {
            "language": "en",
            "text": "the UN-backed government in Tripoli controls only 7% of the country's territory",
            "origin": "human",
        }
    ]
    assert row["claimant"] == {"id": claim.claimant_id, "name": "Ahmed al-Mismari", "kind": "person"}
    assert row["claim_date"] == "2019-04-08"
    rating = row["verdict"]["rating"]
    assert {"slug", "label", "class"} <= set(rating)
    assert (rating["slug"], rating["class"]) == ("unproven", "OTHER")
    assert isinstance(row["verdict"]["headline"], str) and row["verdict"]["headline"]
    assert isinstance(row["verdict"]["explanation"], str) and row["verdict"]["explanation"]
    [appearance] = row["appearances"]
    assert appearance["quote"] == QUOTE_7_PERCENT
    assert isinstance(appearance["source"], int)
    assert appearance["source_url"].startswith("https://news.example/libya/")
    assert (appearance["start"], appearance["end"]) == (
        claim.appearances.get().start,
        claim.appearances.get().start + len(QUOTE_7_PERCENT),
    )
    assert appearance["is_first"] is True
    published_at = dt.datetime.fromisoformat(row["published_at"])
    updated_at = dt.datetime.fromisoformat(row["updated_at"])
    assert published_at.tzinfo is not None and updated_at >= published_at


def test_a_claim_in_the_list_and_in_detail_carries_every_documented_field(full_claim):
    listed = api().get(CLAIMS).json()["results"][0]
    detail = api().get(f"{CLAIMS}{full_claim.pk}/").json()
    for row in (listed, detail):
        assert_claim_shape(row, full_claim)
    assert detail["corrections"] == []
    assert detail["verdict"]["evidence"] == []


def test_the_url_is_the_absolute_public_page_and_it_answers(client, full_claim):
    url = api().get(f"{CLAIMS}{full_claim.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["url"]
    with translation.override("en"):
        assert url == settings.SITE_URL + full_claim.get_absolute_url()
    assert urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc
    assert client.get(urlsplit(url).path).status_code == 200


def test_lang_parameter_chooses_the_localized_wording_and_the_verdict_language(full_claim):
    english = api().get(f"{CLAIMS}{full_claim.pk}/", {"lang": "en"}).json()
    assert english["localized"] == {
        "language": "en",
        "text": "the UN-backed government in Tripoli controls only 7% of the country's territory",
        "origin": "human",
    }
    assert english["verdict"]["headline"] == "The 7% figure is unverified"
    assert english["verdict"]["rating"]["label"] == "Unproven"
    assert english["text"] == full_claim.text  # the original is always there

    vietnamese = api().get(f"{CLAIMS}{full_claim.pk}/", {"lang": "vi"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert vietnamese["localized"] == {"language": "vi", "text": full_claim.text, "origin": "original"}
    assert vietnamese["verdict"]["headline"] == "Con số 7% chưa được kiểm chứng"
    assert vietnamese["verdict"]["rating"]["label"] == "Chưa được chứng minh"


def test_accept_language_chooses_the_localized_wording_when_no_lang_is_given(full_claim):
    row = api().get(CLAIMS, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,vi;q=0.5").json()["results"][0]
    assert row["localized"]["language"] == "en"
    assert row["localized"]["text"].startswith("the UN-backed government")
    assert row["verdict"]["headline"] == "The 7% figure is unverified"
    assert row["text"] == full_claim.text


def test_a_claim_without_an_english_translation_falls_back_to_the_original(researcher, editor, publisher):
    claim = ClaimFactory(author=researcher, text="viên tướng chỉ huy 75 tuổi này")
    AppearanceFactory(claim=claim, quote="viên tướng chỉ huy 75 tuổi này")
    verdict = Verdict.objects.create(claim=claim, rating=rating("unproven"), author=researcher)
    VerdictText.objects.create(verdict=verdict, language="vi", headline="Tuổi chưa rõ", explanation="Không có nguồn.")
    publish(claim, editor, publisher)

    row = api().get(f"{CLAIMS}{claim.pk}/", {"lang": "en"}).json()
    assert row["localized"] == {"language": "vi", "text": "viên tướng chỉ huy 75 tuổi này", "origin": "original"}
    assert row["translations"] == []
    assert row["verdict"]["headline"] == "Tuổi chưa rõ"
    assert row["verdict"]["rating"]["slug"] == "unproven"


def test_an_invalid_lang_parameter_is_a_400_with_a_message(full_claim):
    error = assert_error(api().get(CLAIMS, {"lang": "not a language"}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert "lang" in error["fields"]
    assert "BCP 47" in error["message"]


# --- Filters -------------------------------------------------------------------------------------------


@pytest.fixture
def make_public(researcher, editor, publisher):
    def make(**fields: Any) -> Claim:
        return publish(make_claim(researcher, **fields), editor, publisher)

    return make


def test_language_filter_keeps_claims_in_that_original_language(make_public):
    vietnamese = make_public(text="viên tướng chỉ huy 75 tuổi này", quote="viên tướng chỉ huy 75 tuổi này")
    english = make_public(text="Haftar is 75 years old", language="en", quote="viên tướng chỉ huy 75 tuổi này")
    assert ids(api().get(CLAIMS, {"language": "en"})) == {english.pk}
    assert ids(api().get(CLAIMS, {"language": "vi"})) == {vietnamese.pk}
    assert ids(api().get(CLAIMS, {"language": "VI"})) == {vietnamese.pk}  # tags are compared canonically


def test_an_invalid_language_tag_is_a_400_that_says_why(make_public):
    make_public(text="viên tướng chỉ huy 75 tuổi này")
    error = assert_error(api().get(CLAIMS, {"language": "xx-zzzz-123456789"}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["language"]
    assert "“xx-zzzz-123456789” is not a valid BCP 47 language tag" in error["message"]


def test_rating_and_rating_class_filters(make_public):
    unproven = make_public(text="viên tướng chỉ huy 75 tuổi này")
    false = make_public(text="Haftar 80 tuổi", rating_slug="false")
    assert ids(api().get(CLAIMS, {"rating": "false"})) == {false.pk}
    assert ids(api().get(CLAIMS, {"rating": "unproven"})) == {unproven.pk}
    assert ids(api().get(CLAIMS, {"rating": "true"})) == set()
    assert ids(api().get(CLAIMS, {"rating_class": "FALSE"})) == {false.pk}
    assert ids(api().get(CLAIMS, {"rating_class": "OTHER"})) == {unproven.pk}
    error = assert_error(api().get(CLAIMS, {"rating_class": "PANTS"}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert "rating_class" in error["fields"]


def test_claimant_filter(make_public):
    mismari = ActorFactory(name="Ahmed al-Mismari")
    said_by_mismari = make_public(text="ít nhất đã có 14 binh sĩ LNA thiệt mạng", claimant=mismari)
    make_public(text="viên tướng chỉ huy 75 tuổi này")
    assert ids(api().get(CLAIMS, {"claimant": mismari.pk})) == {said_by_mismari.pk}
    assert ids(api().get(CLAIMS, {"claimant": mismari.pk + 1000})) == set()


def test_source_and_outlet_filters(make_public):
    first_source, second_source = SourceFactory(), SourceFactory()
    in_first = make_public(text="viên tướng chỉ huy 75 tuổi này", source=first_source)
    in_second = make_public(text="Haftar 80 tuổi", source=second_source)
    assert ids(api().get(CLAIMS, {"source": first_source.pk})) == {in_first.pk}
    assert ids(api().get(CLAIMS, {"source": second_source.pk})) == {in_second.pk}
    assert ids(api().get(CLAIMS, {"outlet": second_source.outlet_id})) == {in_second.pk}
    assert ids(api().get(CLAIMS, {"outlet": first_source.outlet_id})) == {in_first.pk}


def test_mentions_filter(make_public):
    gna = ActorFactory(name="GNA", kind="organization")
    mentioning = make_public(text="GNA vẫn chưa thể thành lập lực lượng quân đội")
    mentioning.mentions.add(gna)
    make_public(text="viên tướng chỉ huy 75 tuổi này")
    assert ids(api().get(CLAIMS, {"mentions": gna.pk})) == {mentioning.pk}


def test_published_after_and_before_filters(make_public):
    early = make_public(text="viên tướng chỉ huy 75 tuổi này")
    late = make_public(text="Haftar 80 tuổi")
    Claim.objects.filter(pk=early.pk).update(published_at=dt.datetime(2019, 4, 9, 10, tzinfo=dt.UTC))
    Claim.objects.filter(pk=late.pk).update(published_at=dt.datetime(2019, 4, 20, 10, tzinfo=dt.UTC))
    assert ids(api().get(CLAIMS, {"published_after": "2019-04-15T00:00:00Z"})) == {late.pk}
    assert ids(api().get(CLAIMS, {"published_before": "2019-04-15T00:00:00Z"})) == {early.pk}
    window = {"published_after": "2019-04-01", "published_before": "2019-04-10"}
    assert ids(api().get(CLAIMS, window)) == {early.pk}


def test_updated_since_returns_what_changed_since_then(make_public):
    old = make_public(text="viên tướng chỉ huy 75 tuổi này")
    recent = make_public(text="Haftar 80 tuổi")
    Claim.objects.filter(pk=old.pk).update(updated_at=dt.datetime(2019, 4, 9, tzinfo=dt.UTC))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids(api().get(CLAIMS, {"updated_since": since})) == {recent.pk}
    assert ids(api().get(CLAIMS, {"updated_since": "2019-01-01T00:00:00Z"})) == {old.pk, recent.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"updated_since": "2019-02-30"},
        {"updated_since": "2019-02-30T10:00:00Z"},
        {"updated_since": "yesterday"},
        {"published_after": "2019-13-01"},
        {"published_before": "2019-04-31T00:00:00Z"},
    ],
)
def test_impossible_dates_in_date_filters_are_a_400(make_public, params):
    make_public(text="viên tướng chỉ huy 75 tuổi này")
    error = assert_error(api().get(CLAIMS, params, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert list(error["fields"]) == list(params)


DATE_FILTERS = ["published_after", "published_before", "updated_since"]


# Once 500s (PostgreSQL refused the offset; SQLite overflowed making the date UTC): now a 400 on both.
@pytest.mark.parametrize(
    "value", ["2019-04-01T00:00:00-20:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"]
)
@pytest.mark.parametrize("name", DATE_FILTERS)
def test_a_date_filter_the_database_cannot_compare_is_a_400_not_a_500(make_public, name, value):
    make_public(text="viên tướng chỉ huy 75 tuổi này")
    response = APIClient(raise_request_exception=False).get(CLAIMS, {name: value})
    assert list(assert_error(response, 400)["fields"]) == [name]


@pytest.mark.parametrize(
    "name", ["language", "rating_class", "claimant", "source", "outlet", "mentions", "updated_since", "published_after"]
)
def test_a_filter_given_with_no_value_is_a_400_naming_it(make_public, name):
    make_public(text="Haftar kiểm soát phần lớn Libya")
    error = assert_error(api().get(CLAIMS, {name: ""}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert list(error["fields"]) == [name]
    assert "Give a value" in error["message"]


def test_an_empty_q_is_no_search_at_all(make_public):
    claim = make_public(text="Haftar kiểm soát phần lớn Libya")
    assert ids(api().get(CLAIMS, {"q": ""})) == {claim.pk}


def test_a_source_filter_given_with_no_value_is_a_400(make_public):
    error = assert_error(api().get("/api/v1/sources/", {"outlet": ""}), 400)
    assert list(error["fields"]) == ["outlet"]


@pytest.fixture
def searchable(make_public) -> dict[str, Claim]:
    mismari = ActorFactory(name="Ahmed al-Mismari")
    ActorAliasFactory(actor=mismari, name="al-Mesmari")
    return {
        "general": make_public(
            text="viên tướng chỉ huy 75 tuổi này",
            quote="viên tướng chỉ huy 75 tuổi này",
            translation="this 75-year-old commanding general",
        ),
        "soldiers": make_public(
            text="ít nhất đã có 14 binh sĩ LNA thiệt mạng",
            quote="ít nhất đã có 14 binh sĩ LNA thiệt mạng",
            translation="at least 14 LNA soldiers were killed",
            claimant=mismari,
        ),
        "airport": make_public(
            text="Haftar đã chiếm được sân bay",
            quote="quân đội của ông đã chiếm được sân bay quốc tế Tripoli",
            translation="Haftar's forces captured the airport",
        ),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("tuổi", "general"),  # Vietnamese wording, with its diacritics
        ("binh sĩ", "soldiers"),
        ("commanding", "general"),  # the English translation
        ("Mesmari", "soldiers"),  # an alias of the claimant, not the name the newsroom uses
        ("quốc tế", "airport"),  # only in the quote from the source
        ("binh sĩ Mesmari", "soldiers"),  # every word must match, each anywhere
    ],
)
def test_q_finds_claims_by_wording_translation_claimant_alias_and_quote(searchable, q, expected):
    assert ids(api().get(CLAIMS, {"q": q})) == {searchable[expected].pk}


def test_q_matches_nothing_for_words_no_claim_contains(searchable):
    assert ids(api().get(CLAIMS, {"q": "Mogherini"})) == set()


def test_q_is_diacritic_tolerant(searchable):
    assert ids(api().get(CLAIMS, {"q": "tuoi"})) == {searchable["general"].pk}


# --- Cursor pagination ---------------------------------------------------------------------------------


@pytest.fixture
def seven_public_claims(make_public, researcher) -> set[int]:
    ready_claim(researcher, text="Bản nháp: không bao giờ trong danh sách công khai")
    return {make_public(text=f"Haftar {age} tuổi").pk for age in range(70, 77)}


@pytest.mark.parametrize("size", [1, 2, 7, 100])
def test_page_size_from_1_to_100_gives_pages_of_that_size(seven_public_claims, size):
    body = api().get(CLAIMS, {"page_size": size}).json()
    assert len(body["results"]) == min(size, 7)
    assert (body["next"] is not None) == (size < 7)


@pytest.mark.parametrize("size", ["0", "101", "abc", "-1", "1.5"])
def test_page_size_outside_1_to_100_is_a_400(seven_public_claims, size):
    error = assert_error(api().get(CLAIMS, {"page_size": size}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert list(error["fields"]) == ["page_size"]
    assert error["message"] == "page_size: Give a whole number from 1 to 100."


def test_following_next_yields_every_public_claim_exactly_once(seven_public_claims):
    seen: list[int] = []
    url: str | None = f"{CLAIMS}?page_size=2"
    pages = 0
    while url:
        body = api().get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 4
    assert sorted(seen) == sorted(seven_public_claims)


def test_next_keeps_the_filters(seven_public_claims, make_public):
    false = {make_public(text=f"Haftar {age} tuổi là sai", rating_slug="false").pk for age in range(3)}
    seen: list[int] = []
    url: str | None = f"{CLAIMS}?page_size=1&rating=false"
    while url:
        body = api().get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(false)


# --- Conditional GETs ----------------------------------------------------------------------------------


def correct(claim: Claim, publisher: Any) -> None:
    workflow.correct_verdict(
        claim.pk,
        publisher,
        VerdictContent(
            rating="false",
            texts={"vi": ("Sai", "Bộ Y tế nói khác."), "en": ("False", "The ministry says otherwise.")},
        ),
        note="The rating was changed after the ministry's statement.",
    )


@pytest.mark.parametrize("path", ["list", "detail"])
def test_etag_and_last_modified_give_304s_until_the_claim_changes(full_claim, publisher, path):
    url = CLAIMS if path == "list" else f"{CLAIMS}{full_claim.pk}/"
    first = api().get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    updated = dt.datetime.fromisoformat(
        first.json()["results"][0]["updated_at"] if path == "list" else first.json()["updated_at"]
    )
    assert last_modified == updated.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")

    again = api().get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    correct(full_claim, publisher)
    changed = api().get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    row = changed.json()["results"][0] if path == "list" else changed.json()
    assert row["verdict"]["rating"]["slug"] == "false"


def test_etags_differ_between_languages(full_claim):
    english = api().get(f"{CLAIMS}{full_claim.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = api().get(f"{CLAIMS}{full_claim.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert english["ETag"] != vietnamese["ETag"]
    assert "Accept-Language" in english["Vary"]


# --- Query budgets -------------------------------------------------------------------------------------


def make_many_public(count: int, author: Any) -> None:
    """Complete claims made public in bulk: the workflow is not what these tests measure."""
    for number in range(count):
        claim = ready_claim(author, text=f"Nhận định số {number}", claimant=ActorFactory())
        claim.mentions.add(claim.claimant)
    Claim.objects.filter(status=ClaimStatus.DRAFT).update(status=ClaimStatus.PUBLISHED, published_at=timezone.now())


def test_anonymous_list_query_count_does_not_grow_with_the_number_of_claims(researcher, django_assert_num_queries):
    make_many_public(5, researcher)
    client = api()
    client.get(CLAIMS)  # warms the cached rating scale
    # claims (+ claimant, verdict), translations, verdict texts, appearances (+ source, outlet)
    with django_assert_num_queries(4):
        assert len(client.get(CLAIMS, {"page_size": 100}).json()["results"]) == 5
    make_many_public(45, researcher)
    with django_assert_num_queries(4):
        body = client.get(CLAIMS, {"page_size": 100}).json()
    assert len(body["results"]) == 50
    assert all(
        row["verdict"] and row["claimant"] and row["translations"] and row["appearances"] for row in body["results"]
    )


def test_detail_takes_seven_queries_however_many_appearances_evidence_and_corrections_it_has(
    full_claim, researcher, editor, publisher, django_assert_num_queries
):
    bare = publish(ready_claim(researcher), editor, publisher)
    rich = full_claim
    for quote in ("viên tướng chỉ huy 75 tuổi này", "ít nhất đã có 14 binh sĩ LNA thiệt mạng"):
        AppearanceFactory(claim=rich, quote=quote, is_first=False)
    correct(rich, publisher)
    workflow.correct_verdict(
        rich.pk,
        publisher,
        VerdictContent(
            rating="mostly-false",
            texts={"vi": ("Sai", "Bộ Y tế nói khác."), "en": ("False", "The ministry says otherwise.")},
            evidence=((SourceFactory().pk, "refutes", ""), (SourceFactory().pk, "context", "")),
        ),
        note="Two sources added; mostly false.",
    )
    client = api()
    client.get(CLAIMS)  # warms the cached rating scale
    # The budget is 7 whatever the claim carries (the 7th: its links to other claims).
    with django_assert_num_queries(7):
        client.get(f"{CLAIMS}{bare.pk}/")
    with django_assert_num_queries(7):
        body = client.get(f"{CLAIMS}{rich.pk}/").json()
    assert len(body["appearances"]) == 3
    assert len(body["verdict"]["evidence"]) == 2
    assert len(body["corrections"]) == 2


# --- Throttling ----------------------------------------------------------------------------------------


def test_anonymous_clients_are_throttled_with_a_json_429(settings, full_claim):
    settings.API_ANON_RATE = "3/minute"
    cache.clear()
    client = api()
    for _ in range(3):
        assert client.get(CLAIMS).status_code == 200
    error = assert_error(client.get(CLAIMS, HTTP_ACCEPT_LANGUAGE="en"), 429)
    assert error["code"] == "throttled"
    response = client.get(f"{CLAIMS}{full_claim.pk}/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
