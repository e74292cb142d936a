"""Writing through the API with a token: every write endpoint from every persona, the workflow's rules
as the API answers them, and bad input answered with a 400 in the one JSON error shape, never a 500."""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import workflow
from claims.models import Appearance, Claim, ClaimStatus, Correction, ReviewEvent, Verdict, VerdictVersion
from claims.workflow import Action
from sources.models import Actor, Source

from .factories import QUOTE_7_PERCENT, SEED_A2, ActorFactory, SourceFactory, UserFactory, ready_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

#: A quote from the seed article with Vietnamese diacritics (ít, nhất, sĩ, thiệt, mạng), found once in it.
QUOTE_14_SOLDIERS = "ít nhất đã có 14 binh sĩ LNA thiệt mạng"


def api(user: Any = None) -> APIClient:
    """A client speaking as ``user`` through a token, or anonymously. A 500 is answered, not raised."""
    client = APIClient(raise_request_exception=False)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """The one error shape: ``{"error": {"status", "code", "message", "fields"?}}``, as JSON."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) <= {"status", "code", "message", "fields"}
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return error


def take(claim: Claim, user: Any, action: str, comment: str = "") -> Claim:
    return workflow.transition(claim.pk, user, action, comment=comment)


def published(author: Any, editor: Any, publisher: Any, **fields: Any) -> Claim:
    claim = ready_claim(author, **fields)
    take(claim, author, Action.SUBMIT)
    take(claim, editor, Action.APPROVE)
    return take(claim, publisher, Action.PUBLISH)


@pytest.fixture
def second_publisher(db: None) -> Any:
    return UserFactory(username="pia_publisher", role="Publisher")


def persona(request: pytest.FixtureRequest, name: str) -> Any:
    return None if name == "anonymous" else request.getfixturevalue(name)


SOURCE = {
    "url": "https://news.example/libya/tripoli-airport",
    "title": "Lực lượng của Tướng Haftar tiến vào Tripoli",
    "language": "vi",
    "published_at": "2019-04-08T08:00:00+07:00",
    "outlet": None,
    "text": SEED_A2,
}
ACTOR = {
    "name": "Khalifa Haftar",
    "kind": "person",
    "aliases": ["Haftar", "Tướng Haftar", "خليفة حفتر", "Халифа Хафтар", "哈夫塔尔"],
}
CLAIM = {
    "text": "ít nhất đã có 14 binh sĩ LNA thiệt mạng",
    "language": "vi",
    "claimant": None,
    "claim_date": "2019-04-07",
    "translations": [{"language": "en", "text": "at least 14 LNA soldiers were killed", "origin": "human"}],
}


# --- Sources, actors, claims: who may create them -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 403), ("researcher", 201), ("editor", 201), ("publisher", 201)],
)
def test_registering_a_source_needs_the_researcher_role(request, who, status):
    response = api(persona(request, who)).post("/api/v1/sources/", SOURCE, format="json")
    if status != 201:
        assert_error(response, status)
        assert not Source.objects.exists()
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in ("url", "title", "language", "outlet", "text")} == {
        key: SOURCE[key] for key in ("url", "title", "language", "outlet", "text")
    }
    assert body["content_hash"] == hashlib.sha256(SEED_A2.encode()).hexdigest()
    assert Source.objects.get(pk=body["id"]).created_by == persona(request, who)


def test_an_outsider_is_refused_before_the_source_is_validated(outsider):
    SourceFactory(url=SOURCE["url"])
    assert_error(api(outsider).post("/api/v1/sources/", SOURCE, format="json"), 403)


def test_a_duplicate_source_url_or_actor_wikidata_id_is_a_400_naming_the_field(researcher):
    client = api(researcher)
    assert client.post("/api/v1/sources/", SOURCE, format="json").status_code == 201
    duplicate = client.post("/api/v1/sources/", {**SOURCE, "title": "Bản sao"}, format="json")
    assert list(assert_error(duplicate, 400)["fields"]) == ["url"]
    haftar = {**ACTOR, "wikidata_id": "Q312610"}
    assert client.post("/api/v1/actors/", haftar, format="json").status_code == 201
    duplicate = client.post("/api/v1/actors/", {**haftar, "name": "Hafter"}, format="json")
    assert list(assert_error(duplicate, 400)["fields"]) == ["wikidata_id"]
    assert Source.objects.count() == Actor.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 403), ("researcher", 201), ("editor", 201), ("publisher", 201)],
)
def test_registering_an_actor_needs_the_researcher_role(request, who, status):
    response = api(persona(request, who)).post("/api/v1/actors/", ACTOR, format="json")
    if status != 201:
        assert_error(response, status)
        assert not Actor.objects.exists()
        return
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Khalifa Haftar"


def test_actor_aliases_in_several_scripts_round_trip(researcher):
    created = api(researcher).post("/api/v1/actors/", ACTOR, format="json").json()
    assert sorted(created["aliases"]) == sorted(ACTOR["aliases"])
    again = api(researcher).get(f"/api/v1/actors/{created['id']}/").json()
    assert sorted(again["aliases"]) == sorted(ACTOR["aliases"])
    assert sorted(Actor.objects.get(pk=created["id"]).alias_names) == sorted(ACTOR["aliases"])


@pytest.mark.parametrize("field", ["description", "country", "wikidata_id"])
def test_actor_text_fields_refuse_numbers(researcher, field):
    response = api(researcher).post("/api/v1/actors/", {**ACTOR, field: 12}, format="json")
    assert list(assert_error(response, 400)["fields"]) == [field]


def test_actor_aliases_are_trimmed_and_given_once(researcher):
    body = {"name": "Ahmed al-Mismari", "aliases": [" al-Mesmari ", "al-Mesmari", "Al-Mismari"]}
    created = api(researcher).post("/api/v1/actors/", body, format="json").json()
    assert sorted(created["aliases"]) == ["Al-Mismari", "al-Mesmari"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 403), ("researcher", 201), ("editor", 201), ("publisher", 201)],
)
def test_creating_a_claim_needs_the_researcher_role(request, who, status):
    response = api(persona(request, who)).post("/api/v1/claims/", CLAIM, format="json")
    if status != 201:
        assert_error(response, status)
        assert not Claim.objects.exists()
        return
    assert response.status_code == 201, response.content


def test_a_created_claim_is_a_draft_by_the_token_s_user_with_its_audit_trail_opened(researcher):
    mismari = ActorFactory(name="Ahmed al-Mismari")
    response = api(researcher).post("/api/v1/claims/", {**CLAIM, "claimant": mismari.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["url"] is None
    assert body["text"] == CLAIM["text"]
    assert body["claimant"]["id"] == mismari.pk
    assert body["claim_date"] == "2019-04-07"
    assert body["translations"] == CLAIM["translations"]
    claim = Claim.objects.get(pk=body["id"])
    assert claim.author == researcher
    [event] = ReviewEvent.objects.filter(claim=claim)
    assert (event.action, event.to_status, event.actor) == ("create", "draft", researcher)


def test_a_translation_in_the_claim_s_own_language_is_a_400(researcher):
    body = {**CLAIM, "translations": [{"language": "vi", "text": "bản dịch", "origin": "human"}]}
    error = assert_error(api(researcher).post("/api/v1/claims/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert list(error["fields"]) == ["translations"]
    assert "own language" in error["message"]
    assert not Claim.objects.exists()


@pytest.mark.parametrize("second", ["en", "EN", "en_US"])
def test_two_translations_in_the_same_language_are_a_400(researcher, second):
    body = {
        **CLAIM,
        "translations": [
            {"language": "en", "text": "at least 14 soldiers died", "origin": "human"},
            {"language": second, "text": "14 soldiers or more were killed", "origin": "machine"},
        ],
    }
    response = api(researcher).post("/api/v1/claims/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    if second == "en_US":  # a regional tag is another language: both are kept
        assert response.status_code == 201
        assert [t["language"] for t in response.json()["translations"]] == ["en", "en-US"]
        return
    error = assert_error(response, 400)
    assert "one translation per language" in error["message"]
    assert not Claim.objects.exists()


# --- Appearances ---------------------------------------------------------------------------------------


def appearances_url(claim: Claim) -> str:
    return f"/api/v1/claims/{claim.pk}/appearances/"


def test_an_appearance_without_offsets_finds_them_from_the_quote(researcher):
    claim = ready_claim(researcher)
    source = SourceFactory(text=SEED_A2)
    response = api(researcher).post(
        appearances_url(claim), {"source": source.pk, "quote": QUOTE_14_SOLDIERS}, format="json"
    )
    assert response.status_code == 201, response.content
    [row] = [a for a in response.json()["appearances"] if a["source"] == source.pk]
    assert source.text[row["start"] : row["end"]] == QUOTE_14_SOLDIERS
    assert row["start"] == SEED_A2.index(QUOTE_14_SOLDIERS)
    assert row["is_first"] is False  # the claim already had its first appearance
    stored = Appearance.objects.get(pk=row["id"])
    assert (stored.start, stored.end) == (row["start"], row["end"])


def test_an_appearance_with_the_right_offsets_is_recorded_and_the_first_one_is_first(researcher):
    claim = Claim.objects.create(text=QUOTE_14_SOLDIERS, language="vi", author=researcher)
    source = SourceFactory(text=SEED_A2)
    start = SEED_A2.index(QUOTE_14_SOLDIERS)
    body = {"source": source.pk, "quote": QUOTE_14_SOLDIERS, "start": start, "end": start + len(QUOTE_14_SOLDIERS)}
    response = api(researcher).post(appearances_url(claim), body, format="json")
    assert response.status_code == 201, response.content
    [row] = response.json()["appearances"]
    assert (row["start"], row["end"], row["is_first"]) == (body["start"], body["end"], True)
    assert response.json()["version"] == claim.version + 1


def test_an_appearance_with_wrong_offsets_is_a_400_that_says_where_the_quote_is(researcher):
    claim = ready_claim(researcher)
    source = SourceFactory(text=SEED_A2)
    body = {"source": source.pk, "quote": QUOTE_14_SOLDIERS, "start": 3, "end": 3 + len(QUOTE_14_SOLDIERS)}
    response = api(researcher).post(appearances_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    error = assert_error(response, 400)
    assert "start" in error["fields"]
    assert str(SEED_A2.index(QUOTE_14_SOLDIERS)) in error["message"]
    assert not claim.appearances.filter(source=source).exists()


def test_a_quote_that_is_not_in_the_source_is_a_400(researcher):
    claim = ready_claim(researcher)
    source = SourceFactory(text=SEED_A2)
    body = {"source": source.pk, "quote": "ít nhất đã có 15 binh sĩ LNA thiệt mạng"}
    response = api(researcher).post(appearances_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    error = assert_error(response, 400)
    assert list(error["fields"]) == ["quote"]
    assert "not in the source's text" in error["message"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),  # a draft is not even visible to a token without a newsroom role
        ("other_researcher", 403),
        ("researcher", 201),
        ("editor", 201),
        ("publisher", 201),
    ],
)
def test_adding_an_appearance_to_a_draft_is_for_its_author_and_editors(request, researcher, who, status):
    claim = ready_claim(researcher)
    source = SourceFactory(text=SEED_A2)
    response = api(persona(request, who)).post(
        appearances_url(claim), {"source": source.pk, "quote": QUOTE_14_SOLDIERS}, format="json"
    )
    if status != 201:
        assert_error(response, status)
        assert not claim.appearances.filter(source=source).exists()
    else:
        assert response.status_code == 201, response.content


def test_an_outsider_adding_an_appearance_to_a_published_claim_is_refused_with_a_403(
    researcher, editor, publisher, outsider
):
    claim = published(researcher, editor, publisher)
    body = {"source": SourceFactory().pk, "quote": QUOTE_14_SOLDIERS}
    assert_error(api(outsider).post(appearances_url(claim), body, format="json"), 403)


# --- The verdict ---------------------------------------------------------------------------------------


def verdict_url(claim: Claim) -> str:
    return f"/api/v1/claims/{claim.pk}/verdict/"


VERDICT = {
    "rating": "false",
    "headline": {"vi": "Con số 14 binh sĩ chưa đúng", "en": "The figure of 14 soldiers is wrong"},
    "explanation": {"vi": "Bộ Y tế Libya đưa ra con số khác.", "en": "Libya's Ministry of Health gives another one."},
}


def test_putting_a_verdict_on_a_draft_creates_it(researcher):
    claim = Claim.objects.create(text=QUOTE_14_SOLDIERS, language="vi", author=researcher)
    evidence = SourceFactory()
    body = {**VERDICT, "evidence": [{"source": evidence.pk, "stance": "refutes"}]}
    response = api(researcher).put(verdict_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    verdict = response.json()["verdict"]
    assert verdict["rating"]["slug"] == "false"
    assert verdict["rating"]["class"] == "FALSE"
    assert verdict["headline"] == "The figure of 14 soldiers is wrong"
    assert verdict["texts"]["vi"]["headline"] == "Con số 14 binh sĩ chưa đúng"
    assert [(e["source"], e["stance"]) for e in verdict["evidence"]] == [(evidence.pk, "refutes")]
    stored = Verdict.objects.get(claim=claim)
    assert (stored.rating.slug, stored.author) == ("false", researcher)


def test_putting_a_verdict_again_replaces_it(researcher):
    claim = ready_claim(researcher)
    response = api(researcher).put(verdict_url(claim), VERDICT, format="json")
    assert response.status_code == 200
    assert Verdict.objects.get(claim=claim).rating.slug == "false"
    assert sorted(Verdict.objects.get(claim=claim).texts.values_list("headline", flat=True)) == sorted(
        VERDICT["headline"].values()
    )


def test_an_unknown_rating_slug_is_a_400(researcher):
    claim = ready_claim(researcher)
    body = {**VERDICT, "rating": "pants-on-fire"}
    error = assert_error(api(researcher).put(verdict_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert list(error["fields"]) == ["rating"]
    assert "pants-on-fire" in error["message"]
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"


def test_a_headline_and_an_explanation_in_different_languages_are_a_400(researcher):
    claim = ready_claim(researcher)
    body = {**VERDICT, "explanation": {"vi": VERDICT["explanation"]["vi"]}}
    error = assert_error(api(researcher).put(verdict_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert "same languages" in error["message"]
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),
        ("other_researcher", 403),
        ("researcher", 200),
        ("editor", 200),
    ],
)
def test_writing_the_verdict_of_a_draft_is_for_its_author_and_editors(request, researcher, who, status):
    claim = ready_claim(researcher)
    response = api(persona(request, who)).put(verdict_url(claim), VERDICT, format="json")
    if status != 200:
        assert_error(response, status)
        assert Verdict.objects.get(claim=claim).rating.slug == "unproven"
    else:
        assert response.status_code == 200, response.content
        assert Verdict.objects.get(claim=claim).rating.slug == "false"


def test_changing_a_published_verdict_without_a_correction_note_is_a_400(researcher, editor, publisher):
    claim = published(researcher, editor, publisher)
    error = assert_error(api(publisher).put(verdict_url(claim), VERDICT, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert "correction needs a public note" in error["message"]
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"
    assert not Correction.objects.exists()


def test_a_publisher_corrects_someone_else_s_published_verdict_with_a_note(researcher, editor, publisher):
    claim = published(researcher, editor, publisher)
    body = {**VERDICT, "correction_note": "Rated false after the ministry's statement."}
    response = api(publisher).put(verdict_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response.json()["verdict"]["rating"]["slug"] == "false"
    assert [c["note"] for c in response.json()["corrections"]] == ["Rated false after the ministry's statement."]
    correction = Correction.objects.get(claim=claim)
    assert correction.created_by == publisher
    assert correction.version.number == 2
    assert list(VerdictVersion.objects.filter(verdict__claim=claim).values_list("number", "rating__slug")) == [
        (1, "unproven"),
        (2, "false"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 403), ("researcher", 403), ("editor", 403)],
)
def test_only_publishers_correct_a_published_verdict(request, researcher, editor, publisher, who, status):
    claim = published(UserFactory(username="rita_researcher", role="Researcher"), editor, publisher)
    body = {**VERDICT, "correction_note": "Rated false."}
    assert_error(api(persona(request, who)).put(verdict_url(claim), body, format="json"), status)
    assert not Correction.objects.exists()


def test_the_claim_s_author_cannot_correct_it_even_as_a_publisher(editor, publisher, second_publisher):
    claim = published(publisher, editor, second_publisher)
    body = {**VERDICT, "correction_note": "Rated false."}
    error = assert_error(api(publisher).put(verdict_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en"), 403)
    assert "Four eyes" in error["message"]
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"
    assert not Correction.objects.exists()


# --- Transitions ---------------------------------------------------------------------------------------


def transitions_url(claim: Claim) -> str:
    return f"/api/v1/claims/{claim.pk}/transitions/"


def test_the_full_path_through_review_to_publication_by_the_right_tokens(researcher, editor, publisher):
    claim = ready_claim(researcher)
    path = [
        (researcher, "submit", "", "in_review"),
        (editor, "request_changes", "Cite the ministry's own statement.", "changes_requested"),
        (researcher, "submit", "Added the statement.", "in_review"),
        (editor, "approve", "", "approved"),
        (publisher, "publish", "", "published"),
    ]
    version = claim.version
    for user, action, comment, status in path:
        response = api(user).post(transitions_url(claim), {"action": action, "comment": comment}, format="json")
        assert response.status_code == 200, (action, response.content)
        assert response.json() == {"id": claim.pk, "status": status, "version": version + 1}
        version += 1
    events = ReviewEvent.objects.filter(claim=claim).order_by("created_at", "id")
    assert [(e.action, e.actor) for e in events] == [(action, user) for user, action, _c, _s in path]
    assert api().get(f"/api/v1/claims/{claim.pk}/").json()["status"] == "published"


def test_a_researcher_cannot_approve(researcher, other_researcher):
    claim = take(ready_claim(other_researcher), other_researcher, Action.SUBMIT)
    response = api(researcher).post(transitions_url(claim), {"action": "approve"}, format="json")
    assert assert_error(response, 403)["code"] == "not_allowed"
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW


def test_the_author_cannot_publish_their_own_claim_even_as_a_publisher(editor, publisher):
    claim = take(take(ready_claim(publisher), publisher, Action.SUBMIT), editor, Action.APPROVE)
    response = api(publisher).post(
        transitions_url(claim), {"action": "publish"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Four eyes" in assert_error(response, 403)["message"]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED


def test_publishing_a_draft_is_a_409(researcher, publisher):
    claim = ready_claim(researcher)
    response = api(publisher).post(transitions_url(claim), {"action": "publish"}, format="json")
    assert assert_error(response, 409)["code"] == "conflict"
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.DRAFT


def test_a_stale_version_is_a_409_and_nothing_changes(researcher):
    claim = ready_claim(researcher)
    stale = claim.version
    workflow.note_content_changed(claim)  # someone else edited it meanwhile
    response = api(researcher).post(
        transitions_url(claim), {"action": "submit", "version": stale}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Reload" in assert_error(response, 409)["message"]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.DRAFT
    current = Claim.objects.get(pk=claim.pk).version
    response = api(researcher).post(transitions_url(claim), {"action": "submit", "version": current}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("action", ["fly", "", "PUBLISH", "recheck_due"])
def test_an_unknown_action_is_a_400(researcher, action):
    claim = ready_claim(researcher)
    error = assert_error(api(researcher).post(transitions_url(claim), {"action": action}, format="json"), 400)
    assert list(error["fields"]) == ["action"]


def test_retracting_needs_a_comment_and_the_public_detail_then_shows_the_retraction(researcher, editor, publisher):
    claim = published(researcher, editor, publisher)
    response = api(publisher).post(
        transitions_url(claim), {"action": "retract", "comment": "  "}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "comment" in assert_error(response, 400)["message"]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PUBLISHED

    reason = "The quote was misattributed: the ministry never said it."
    response = api(publisher).post(transitions_url(claim), {"action": "retract", "comment": reason}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "retracted"
    public = api().get(f"/api/v1/claims/{claim.pk}/")
    assert public.status_code == 200
    assert public.json()["status"] == "retracted"
    assert public.json()["retraction"]["reason"] == reason


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("outsider", 403), ("editor", 403)])
def test_retracting_is_for_publishers_only(request, researcher, editor, publisher, who, status):
    claim = published(researcher, editor, publisher)
    response = api(persona(request, who)).post(
        transitions_url(claim), {"action": "retract", "comment": "Misattributed."}, format="json"
    )
    assert_error(response, status)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PUBLISHED


# --- Bad input: always a 400 in the error shape, never a 500 -------------------------------------------

TWO_MB = "a" * (2 * 1024 * 1024)


def claim_body(**fields: Any) -> bytes:
    return json.dumps({"text": "Haftar 75 tuổi", "language": "vi", **fields}).encode()


BAD_CLAIMS = {
    "malformed JSON": (b'{"text": "Haftar", "language": ', None),
    "not UTF-8": (b'{"text": "\xff\xfe", "language": "vi"}', None),
    "NaN": (b'{"text": "Haftar", "language": "vi", "claimant": NaN}', None),
    "JSON nested deeper than the recursion limit": (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", None),
    "a list instead of an object": (b'[{"text": "Haftar", "language": "vi"}]', "non_field_errors"),
    "NUL byte in text": (b'{"text": "Haftar\\u0000 75", "language": "vi"}', "text"),
    "lone surrogate in text": (b'{"text": "x\\ud800y", "language": "vi"}', "text"),
    "lone surrogate in a translation": (
        b'{"text": "x", "language": "vi", "translations": [{"language": "en", "text": "\\udfffy"}]}',
        "translations",
    ),
    "2 MB text": (claim_body(text=TWO_MB), "text"),
    "blank text": (claim_body(text="   "), "text"),
    "unknown language tag": (claim_body(language="xx-zzzz-123456789"), "language"),
    "impossible date": (claim_body(claim_date="2019-02-30"), "claim_date"),
    "missing claimant": (claim_body(claimant=999999), "claimant"),
    "claimant beyond any id": (claim_body(claimant=2**70), "claimant"),
    "claimant too big for a float": (b'{"text": "Haftar", "language": "vi", "claimant": 1e999}', "claimant"),
    "claimant as a string": (claim_body(claimant="Haftar"), "claimant"),
    "text as a number": (claim_body(text=75), "text"),
    "text as a list": (claim_body(text=["Haftar", "75"]), "text"),
    "text as an object": (claim_body(text={"vi": "Haftar"}), "text"),
    "translations as a string": (claim_body(translations="en: Haftar is 75"), "translations"),
    "unknown translation origin": (
        claim_body(translations=[{"language": "en", "text": "x", "origin": "robot"}]),
        "translations",
    ),
}


@pytest.mark.parametrize("body, field", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
def test_bad_input_to_create_a_claim_is_a_400_with_the_error_shape(researcher, body, field):
    response = api(researcher).post("/api/v1/claims/", body, content_type="application/json")
    error = assert_error(response, 400)
    if field is None:
        assert error["code"] == "parse_error"
        assert "fields" not in error
    else:
        assert list(error["fields"]) == [field]
        assert error["message"].startswith(f"{field}: ") or field == "non_field_errors"
    assert not Claim.objects.exists()


def test_bad_input_to_register_a_source_or_an_actor_is_a_400(researcher):
    client = api(researcher)
    for path, body, field in [
        ("/api/v1/sources/", {**SOURCE, "published_at": "2019-02-30T08:00:00Z"}, "published_at"),
        ("/api/v1/sources/", {**SOURCE, "outlet": 999999}, "outlet"),
        ("/api/v1/sources/", {**SOURCE, "text": "Tripoli\x00"}, "text"),
        ("/api/v1/sources/", {**SOURCE, "language": "Vietnamese!"}, "language"),
        ("/api/v1/sources/", {**SOURCE, "url": "javascript:alert(1)"}, "url"),
        ("/api/v1/actors/", {**ACTOR, "aliases": "Haftar"}, "aliases"),
        ("/api/v1/actors/", {**ACTOR, "aliases": ["Haf\x00tar"]}, "aliases"),
        ("/api/v1/actors/", {**ACTOR, "kind": "robot"}, "kind"),
        ("/api/v1/actors/", {**ACTOR, "name": 12}, "name"),
    ]:
        response = client.post(path, body, format="json")
        assert list(assert_error(response, 400)["fields"]) == [field], (path, body)
    assert not Source.objects.exists()
    assert not Actor.objects.exists()


def test_bad_input_to_appearances_verdicts_and_transitions_is_a_400(researcher):
    claim = ready_claim(researcher)
    source = SourceFactory(text=SEED_A2)
    client = api(researcher)
    for path, body, field in [
        (appearances_url(claim), {"source": 999999, "quote": QUOTE_7_PERCENT}, "source"),
        (appearances_url(claim), {"source": source.pk, "quote": QUOTE_7_PERCENT, "start": -1}, "start"),
        (appearances_url(claim), {"source": source.pk, "quote": QUOTE_7_PERCENT, "start": 10**6}, "end"),
        (appearances_url(claim), {"source": source.pk, "quote": QUOTE_7_PERCENT, "start": "abc"}, "start"),
        (appearances_url(claim), {"source": [source.pk], "quote": QUOTE_7_PERCENT}, "source"),
        (transitions_url(claim), {"action": ["submit"]}, "action"),
        (transitions_url(claim), {"action": "submit", "version": "abc"}, "version"),
        (transitions_url(claim), {"action": "submit", "recheck_after": "2019-02-30"}, "recheck_after"),
    ]:
        assert list(assert_error(client.post(path, body, format="json"), 400)["fields"]) == [field], body
    surrogate = b'{"source": %d, "quote": "\\ud800"}' % source.pk
    response = client.post(appearances_url(claim), surrogate, content_type="application/json")
    assert list(assert_error(response, 400)["fields"]) == ["quote"]
    for body, field in [
        ({**VERDICT, "rating": 5}, "rating"),
        ({**VERDICT, "headline": ["a headline"]}, "headline"),
        ({**VERDICT, "headline": {"vi\x00": "a"}, "explanation": {"vi\x00": "b"}}, "headline"),
        ({**VERDICT, "headline": {"vi": "x" * 301, "en": "y"}}, "headline"),
        ({**VERDICT, "evidence": [{"source": source.pk, "stance": "agrees"}]}, "evidence"),
        ({**VERDICT, "evidence": [{"source": source.pk, "stance": "supports"}] * 2}, "evidence"),
        ({**VERDICT, "valid_as_of": "2019-02-30"}, "valid_as_of"),
    ]:
        assert list(assert_error(client.put(verdict_url(claim), body, format="json"), 400)["fields"]) == [field], body
    assert claim.appearances.count() == 1
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"


def test_a_recheck_date_before_the_valid_as_of_date_is_a_400(researcher):
    claim = ready_claim(researcher)
    body = {**VERDICT, "valid_as_of": "2019-04-09", "recheck_after": "2019-04-01"}
    assert_error(api(researcher).put(verdict_url(claim), body, format="json"), 400)
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"


@pytest.mark.parametrize("name", ["claimant", "source", "outlet", "mentions"])
def test_an_id_too_large_for_the_database_in_a_filter_is_a_400_not_a_500(name):
    for value in (2**70, "-1.1e+198", "1e999"):
        assert list(assert_error(api().get("/api/v1/claims/", {name: value}), 400)["fields"]) == [name]


def test_a_huge_id_in_a_path_or_a_body_is_a_404_or_a_400(researcher):
    assert_error(api(researcher).get(f"/api/v1/claims/{2**70}/"), 404)
    body = claim_body(claimant=2**70)
    assert list(
        assert_error(api(researcher).post("/api/v1/claims/", body, content_type="application/json"), 400)["fields"]
    ) == ["claimant"]


# --- Tokens from the command line ----------------------------------------------------------------------


def test_drf_create_token_makes_a_token_that_acts_as_its_user(researcher):
    out = io.StringIO()
    call_command("drf_create_token", researcher.username, stdout=out)
    key = re.fullmatch(r"Generated token (\w+) for user rosa_researcher\n", out.getvalue()).group(1)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post("/api/v1/claims/", CLAIM, format="json")
    assert response.status_code == 201, response.content
    assert Claim.objects.get(pk=response.json()["id"]).author == researcher
    client.credentials(HTTP_AUTHORIZATION=f"Token {key[:-1]}x")
    assert assert_error(client.post("/api/v1/claims/", CLAIM, format="json"), 401)["code"] == "authentication_failed"


# --- Corrections through transitions (DESIGN: action "correct") -----------------------------------------


def test_the_correct_action_carries_the_corrected_verdict_and_its_note(researcher, editor, publisher):
    claim = published(researcher, editor, publisher)
    body = {"action": "correct", "comment": "Rated false after the ministry's statement.", "verdict": VERDICT}
    response = api(publisher).post(transitions_url(claim), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"id": claim.pk, "status": "published", "version": claim.version + 1}
    correction = Correction.objects.get(claim=claim)
    assert (correction.note, correction.created_by, correction.version.number) == (
        "Rated false after the ministry's statement.",
        publisher,
        2,
    )
    assert Verdict.objects.get(claim=claim).rating.slug == "false"
    assert ReviewEvent.objects.filter(claim=claim, action="correct").count() == 1


def test_the_correct_action_without_a_verdict_is_a_400_naming_it(researcher, editor, publisher):
    claim = published(researcher, editor, publisher)
    body = {"action": "correct", "comment": "Rated false."}
    error = assert_error(api(publisher).post(transitions_url(claim), body, format="json"), 400)
    assert list(error["fields"]) == ["verdict"]
    assert not Correction.objects.exists()


def test_the_correct_action_without_a_note_is_a_400(researcher, editor, publisher):
    claim = published(researcher, editor, publisher)
    body = {"action": "correct", "comment": "  ", "verdict": VERDICT}
    error = assert_error(
        api(publisher).post(transitions_url(claim), body, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400
    )
    assert "correction needs a public note" in error["message"]
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"


@pytest.mark.parametrize(("who", "status"), [("outsider", 403), ("researcher", 403), ("editor", 403)])
def test_the_correct_action_is_for_publishers_whatever_the_body(request, researcher, editor, publisher, who, status):
    claim = published(UserFactory(username="rita_researcher", role="Researcher"), editor, publisher)
    assert_error(api(persona(request, who)).post(transitions_url(claim), {"action": "correct"}, format="json"), status)
    assert not Correction.objects.exists()


def test_correcting_a_draft_is_a_409(researcher, publisher):
    claim = ready_claim(researcher)
    body = {"action": "correct", "comment": "Rated false.", "verdict": VERDICT}
    assert_error(api(publisher).post(transitions_url(claim), body, format="json"), 409)


def test_a_correction_that_changes_nothing_is_a_400(researcher, editor, publisher):
    claim = published(researcher, editor, publisher)
    body = {"action": "correct", "comment": "Rated false.", "verdict": VERDICT}
    assert api(publisher).post(transitions_url(claim), body, format="json").status_code == 200
    again = {**body, "comment": "Rated false, again."}
    error = assert_error(
        api(publisher).post(transitions_url(claim), again, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400
    )
    assert "Nothing in the verdict changed" in error["message"]
    assert Correction.objects.filter(claim=claim).count() == 1
