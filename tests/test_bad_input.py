"""Bad input everywhere: text helpers that take any Unicode, quote offsets that validate or refuse, and
malformed or oversized input on every public form and API write, answered with a 4xx and a message,
never a 500, and nothing half-saved. (The ClaimReview import's parser has its own fuzz test.)"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import MAX_READER_MESSAGE, MAX_TIP_TEXT, Appearance, Claim, ClaimTip, Complaint, Verdict
from sources.api import MAX_CLAIM_TEXT
from sources.folding import exact, fold, key, sound_words
from sources.models import Actor, Source
from sources.text import QuoteAmbiguous, QuoteNotFound, find_quote, mark_spans, slugify_any

from .factories import SEED_A2, SourceFactory, ready_claim

# --- Text helpers take any Unicode ----------------------------------------------------------------------

#: Characters that break naive text code: NUL and controls, zero-width and direction marks, combining
#: marks (stacked Vietnamese tones), RTL letters, compatibility forms, a BOM, astral characters.
TRICKY = (
    "\x00\x01\x1f\x7f\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202e\u2066\u2069"
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u0651\u064e\u05b8"
    "ạẤđĐǅﬁ℃Å①ＡｂİıßẞςΣ"
    "ليبياالقذافيקדאפי Ливия ёй"
    "\U0001f600\U0001d400\U00010400"
)
any_text = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY)), max_size=80)


@given(any_text)
@example("\x00")
@example("\u200b\u200d")
@example("e\u0301\u0323\u0302")
@example("\u202eLNA\u202c")
def test_folding_takes_any_text_and_its_forms_are_stable(text: str) -> None:
    assert exact(exact(text)) == exact(text)
    folded_key = key(text)
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", folded_key), folded_key
    assert key(folded_key) == folded_key
    assert key(fold(text)) == folded_key
    assert all(re.fullmatch(r"[a-z]{2,}", word) for word in sound_words(text))


@given(any_text, st.integers(min_value=1, max_value=120))
@example("\x00\u200b", 80)
@example("Đ" * 200, 80)
def test_a_slug_is_short_plain_ascii_whatever_the_text(text: str, max_length: int) -> None:
    slug = slugify_any(text, max_length=max_length)
    assert re.fullmatch(r"([a-z0-9_]+(-[a-z0-9_]+)*)?", slug), slug
    assert len(slug) <= max_length


@given(st.data(), any_text.filter(bool))
def test_find_quote_gives_offsets_of_exactly_the_quote_or_refuses(data: st.DataObject, text: str) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    try:
        found = find_quote(text, quote)
    except QuoteAmbiguous as many:
        assert start in many.positions
        assert all(text[at : at + len(quote)] == quote for at in many.positions)
    else:
        assert text[found[0] : found[1]] == quote


@given(any_text, any_text)
def test_a_quote_that_is_not_in_the_text_is_not_found(text: str, quote: str) -> None:
    if quote and quote not in text:
        with pytest.raises(QuoteNotFound):
            find_quote(text, quote)


@given(any_text, st.lists(st.tuples(st.integers(-5, 100), st.integers(-5, 100)), max_size=6))
@example("a<b>&\x00", [(0, 2), (1, 3)])
def test_marking_spans_keeps_the_text_and_escapes_it(text: str, spans: list[tuple[int, int]]) -> None:
    marked = mark_spans(text, [(start, end, {"class": "quote"}) for start, end in spans])
    assert "<" not in re.sub(r'<mark class="quote">|</mark>', "", marked)
    assert html.unescape(re.sub(r'<mark class="quote">|</mark>', "", marked)) == text


# --- Quote offsets: the exact substring, or a ValidationError ---------------------------------------------

offset = st.one_of(st.none(), st.integers(-3, 12), st.integers(-(2**70), 2**70))


def validate_appearance(text: str, quote: str, start: int | None, end: int | None) -> Appearance:
    """What the admin form and the API run on an appearance before saving (``full_clean`` minus the
    database checks): field validation, then the model's ``clean``."""
    source = Source(pk=1, text=text, title="t", language="vi")
    appearance = Appearance(source=source, quote=quote, start=start, end=end)
    errors: dict[str, Any] = {}
    for step in (lambda: appearance.clean_fields(exclude=["claim", "source"]), appearance.clean):
        try:
            step()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return appearance


@hypothesis_settings(max_examples=300)
@given(st.sampled_from(["abcabc", "ít nhất 14 binh sĩ", "\u200bLNA\u200b LNA", "e\u0301e\u0301"]), st.data())
@example("abcabc", None)
def test_any_offsets_validate_to_exactly_the_quote_or_give_a_validation_error(text: str, data: Any) -> None:
    if data is None:  # the explicit example: offsets left out for an ambiguous quote
        with pytest.raises(ValidationError, match="occurs 2 times"):
            validate_appearance(text, "abc", None, None)
        return
    quote = data.draw(st.one_of(st.sampled_from(["abc", "c", "LNA", "e\u0301", "14", "x", ""]), any_text))
    start, end = data.draw(offset), data.draw(offset)
    try:
        appearance = validate_appearance(text, quote, start, end)
    except ValidationError:
        return
    assert 0 <= appearance.start < appearance.end <= len(text)
    assert text[appearance.start : appearance.end] == quote


# --- Public forms: a form error, never a 500, nothing kept ------------------------------------------------


def tip(**fields: str) -> dict[str, str]:
    return {"text": "GNA chỉ kiểm soát 7% lãnh thổ", "where_seen": "", "context": "", "name": "", "email": "", **fields}


def complaint(**fields: str) -> dict[str, str]:
    return {"kind": "correction", "message": "Con số sai.", "name": "Lan", "email": "lan@example.org", **fields}


FORM_CASES = [
    ("submit", tip(text="x" * (MAX_TIP_TEXT + 1)), "text"),
    ("submit", tip(text="GNA\x00 kiểm soát"), "text"),
    ("submit", tip(text=" \u200b "), "text"),
    ("submit", tip(context="y" * (MAX_READER_MESSAGE + 1)), "context"),
    ("submit", tip(where_seen="javascript:alert(1)"), "where_seen"),
    ("submit", tip(where_seen="https://" + "a" * 2100 + ".example/"), "where_seen"),
    ("submit", tip(name="n" * 201), "name"),
    ("submit", tip(email="not-an-address"), "email"),
    ("submit", tip(email="a\x00@example.org"), "email"),
    ("complaint", complaint(message="m" * (MAX_READER_MESSAGE + 1)), "message"),
    ("complaint", complaint(message="\x00"), "message"),
    ("complaint", complaint(kind="delete-everything"), "kind"),
    ("complaint", complaint(claim="-1"), "claim"),
    ("complaint", complaint(claim="9" * 30), "claim"),
    ("complaint", complaint(claim="9223372036854775808"), "claim"),
    ("complaint", complaint(claim="1e3"), "claim"),
    ("complaint", complaint(name=""), "name"),
]


@pytest.mark.parametrize(("form", "data", "field"), FORM_CASES, ids=[f"{f}-{x}" for f, _d, x in FORM_CASES])
def test_a_public_form_answers_bad_input_with_a_form_error_and_keeps_nothing(
    client: Any, db: None, form: str, data: dict[str, str], field: str
) -> None:
    response = client.post(reverse(f"public:{form}"), data)

    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert ClaimTip.objects.count() == 0 and Complaint.objects.count() == 0


def test_a_public_form_posted_as_invalid_utf8_is_a_form_error(client: Any, db: None) -> None:
    body = b"text=%FF%FEGNA%ED%A0%80&where_seen=&context=&name=&email=%C3"
    response = client.post(reverse("public:submit"), body, content_type="application/x-www-form-urlencoded")

    assert response.status_code in (200, 302, 400)
    assert response.status_code != 302 or ClaimTip.objects.get().text.startswith("\ufffd")


# --- Public pages: overlong and malformed query strings ----------------------------------------------------

QUERY_CASES: list[Any] = [
    {"q": "Haftar " * 2000},
    {"q": "\x00"},
    "q=%ED%A0%80",  # a lone surrogate, as UTF-8-ish bytes
    "q=%FF%FE",
    {"claimant": "9" * 40},
    {"claimant": "-1"},
    {"rating": "no such rating"},
    {"language": "not a language!"},
    {"published_after": "2019-13-45"},
    {"page": "9" * 40},
    {"page": "-1"},
]


@pytest.mark.parametrize("query", QUERY_CASES, ids=[str(i) for i in range(len(QUERY_CASES))])
def test_the_public_claims_list_answers_any_query_string_without_a_500(client: Any, db: None, query: Any) -> None:
    address = reverse("public:claims")
    response = client.get(f"{address}?{query}") if isinstance(query, str) else client.get(address, query)

    assert response.status_code in (200, 400, 404)


# --- The API: a 4xx in the error shape, never a 500, nothing half-saved -----------------------------------


@pytest.fixture
def api(researcher: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=researcher).key}")
    return client


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Claim, Source, Actor, Appearance, Verdict))


def assert_refused(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    return error


HUGE = 10**30
DEEP = "[" * 100_000 + "]" * 100_000

CLAIM = {"text": "GNA chỉ kiểm soát 7% lãnh thổ Libya", "language": "vi"}
CLAIM_CASES = [
    {**CLAIM, "text": "x" * (MAX_CLAIM_TEXT + 1)},
    {**CLAIM, "text": "GNA\x00"},
    {**CLAIM, "text": ""},
    {**CLAIM, "text": " \u200b\u200b "},
    {**CLAIM, "text": 7},
    {**CLAIM, "text": ["GNA"]},
    {**CLAIM, "text": {"vi": "GNA"}},
    {**CLAIM, "text": None},
    {**CLAIM, "language": "xx-!!"},
    {**CLAIM, "language": "i-klingon-and-more"},
    {**CLAIM, "language": 7},
    {**CLAIM, "language": "vi" * 100},
    {**CLAIM, "claimant": HUGE},
    {**CLAIM, "claimant": -1},
    {**CLAIM, "claimant": "abc"},
    {**CLAIM, "claimant": True},
    {**CLAIM, "claimant": 1.5},
    {**CLAIM, "claim_date": "2019-13-45"},
    {**CLAIM, "claim_date": HUGE},
    {**CLAIM, "claim_date": "99999-01-01"},
    {**CLAIM, "translations": "en: GNA"},
    {**CLAIM, "translations": [{"language": "en", "text": "GNA", "origin": "robot"}]},
    {**CLAIM, "translations": [{"language": "vi", "text": "GNA"}]},
    {**CLAIM, "translations": [{"language": "en", "text": "a"}, {"language": "en", "text": "b"}]},
    {**CLAIM, "translations": [[["en"]]]},
    {**CLAIM, "translations": [{"language": "en", "text": "x" * (MAX_CLAIM_TEXT + 1)}]},
    ["not", "an", "object"],
    "just a string",
    HUGE,
]


@pytest.mark.parametrize("payload", CLAIM_CASES, ids=[str(i) for i in range(len(CLAIM_CASES))])
def test_creating_a_claim_with_bad_input_is_a_400_and_saves_nothing(api: APIClient, payload: Any) -> None:
    before = counts()

    assert_refused(api.post("/api/v1/claims/", payload, format="json"))

    assert counts() == before


RAW_BODIES = [
    ("deep nesting", DEEP.encode()),
    ("deep objects", ('{"a":' * 50_000 + "1" + "}" * 50_000).encode()),
    ("invalid utf-8", b'{"text": "GNA \xff\xfe", "language": "vi"}'),
    ("lone surrogate", b'{"text": "GNA \\ud800", "language": "vi"}'),
    ("lone low surrogate", b'{"text": "\\udc00GNA", "language": "vi"}'),
    ("NUL escape", b'{"text": "GNA\\u0000", "language": "vi"}'),
    ("truncated", b'{"text": "GNA'),
    ("not json", b"text=GNA&language=vi"),
    ("empty", b""),
    ("huge number", b'{"text": "GNA", "language": "vi", "claimant": 1' + b"0" * 5000 + b"}"),
    ("NaN", b'{"text": "GNA", "language": "vi", "claimant": NaN}'),
    ("duplicate keys", b'{"text": "GNA", "text": 5, "language": "vi"}'),
]


@pytest.mark.parametrize(("name", "body"), RAW_BODIES, ids=[name for name, _b in RAW_BODIES])
def test_a_malformed_json_body_is_a_400_and_saves_nothing(api: APIClient, name: str, body: bytes) -> None:
    before = counts()

    assert_refused(api.post("/api/v1/claims/", body, content_type="application/json"))

    assert counts() == before


def test_a_body_over_the_upload_limit_is_refused_in_the_error_shape(api: APIClient, settings: Any) -> None:
    body = json.dumps({**CLAIM, "text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    before = counts()

    response = api.post("/api/v1/claims/", body, content_type="application/json")

    assert response.status_code in (400, 413)
    assert_refused(response, response.status_code)
    assert counts() == before


SOURCE = {"title": "Tình hình Libya", "language": "vi", "text": "GNA kiểm soát 7%."}
SOURCE_CASES = [
    {**SOURCE, "url": "javascript:alert(1)"},
    {**SOURCE, "url": "https://" + "a" * 3000 + ".example/"},
    {**SOURCE, "url": "http://[::1"},
    {**SOURCE, "url": 7},
    {**SOURCE, "title": "t" * 501},
    {**SOURCE, "title": "GNA\x00"},
    {**SOURCE, "text": "GNA\x00"},
    {**SOURCE, "language": "zz-zz-zz-zz"},
    {**SOURCE, "published_at": "yesterday"},
    {**SOURCE, "published_at": "99999-01-01T00:00:00Z"},
    {**SOURCE, "outlet": HUGE},
    {**SOURCE, "outlet": "1; DROP TABLE sources_source"},
    {**SOURCE, "kind": "rumour"},
    {"text": "no title, no language, no URL"},
]


@pytest.mark.parametrize("payload", SOURCE_CASES, ids=[str(i) for i in range(len(SOURCE_CASES))])
def test_registering_a_source_with_bad_input_is_a_400_and_saves_nothing(api: APIClient, payload: Any) -> None:
    before = counts()

    assert_refused(api.post("/api/v1/sources/", payload, format="json"))

    assert counts() == before


ACTOR = {"name": "Ahmed al-Mismari", "kind": "person"}
ACTOR_CASES = [
    {**ACTOR, "name": "n" * 201},
    {**ACTOR, "name": ""},
    {**ACTOR, "name": "al-Mismari\x00"},
    {**ACTOR, "kind": "robot"},
    {**ACTOR, "aliases": "al-Mesmari"},
    {**ACTOR, "aliases": [7]},
    {**ACTOR, "aliases": [""]},
    {**ACTOR, "aliases": ["a" * 201]},
    {**ACTOR, "aliases": ["x"] * 101},
    {**ACTOR, "aliases": [["nested"]]},
    {**ACTOR, "country": "Libya"},
]


@pytest.mark.parametrize("payload", ACTOR_CASES, ids=[str(i) for i in range(len(ACTOR_CASES))])
def test_registering_an_actor_with_bad_input_is_a_400_and_saves_nothing(api: APIClient, payload: Any) -> None:
    before = counts()

    assert_refused(api.post("/api/v1/actors/", payload, format="json"))

    assert counts() == before


@pytest.fixture
def draft(researcher: Any, ratings: None) -> Claim:
    return ready_claim(researcher)


def appearance_cases(source: Source) -> list[dict[str, Any]]:
    quote = "Libya"
    at = source.text.index(quote)
    return [
        {"source": source.pk, "quote": quote, "start": -1},
        {"source": source.pk, "quote": quote, "start": at, "end": HUGE},
        {"source": source.pk, "quote": quote, "start": HUGE},
        {"source": source.pk, "quote": quote, "start": at + len(quote), "end": at},
        {"source": source.pk, "quote": quote, "start": at + 1},
        {"source": source.pk, "quote": quote, "start": "abc"},
        {"source": source.pk, "quote": quote, "start": 1.5},
        {"source": source.pk, "quote": quote, "start": True},
        {"source": source.pk, "quote": "không có trong bài"},
        {"source": source.pk, "quote": ""},
        {"source": source.pk, "quote": "x" * 5001},
        {"source": source.pk, "quote": "Libya\x00"},
        {"source": HUGE, "quote": quote},
        {"source": -1, "quote": quote},
        {"source": None, "quote": quote},
        {"quote": quote},
        {"source": source.pk, "quote": quote, "version": HUGE},
    ]


def test_adding_an_appearance_with_bad_offsets_or_quotes_is_a_400_and_saves_nothing(
    api: APIClient, draft: Claim
) -> None:
    source = SourceFactory(text=SEED_A2)
    for payload in appearance_cases(source):
        before = counts()

        response = api.post(f"/api/v1/claims/{draft.pk}/appearances/", payload, format="json")

        assert response.status_code in (400, 409), (payload, response.content[:300])
        assert_refused(response, response.status_code)
        assert counts() == before, payload


VERDICT = {"rating": "false", "headline": {"vi": "Sai"}, "explanation": {"vi": "Không có nguồn."}}


def verdict_cases(source: Source) -> list[Any]:
    return [
        {**VERDICT, "rating": "pants-on-fire"},
        {**VERDICT, "rating": 7},
        {**VERDICT, "headline": {}},
        {**VERDICT, "headline": ["Sai"]},
        {**VERDICT, "headline": {"zz-!!": "Sai"}},
        {**VERDICT, "headline": {"vi": "h" * 301}},
        {**VERDICT, "headline": {"vi": "Sai\x00"}},
        {**VERDICT, "headline": {"vi": 7}},
        {**VERDICT, "explanation": {"vi": "e" * 20_001}},
        {**VERDICT, "evidence": "all of them"},
        {**VERDICT, "evidence": [{"source": source.pk, "stance": "agrees"}]},
        {**VERDICT, "evidence": [{"source": HUGE, "stance": "refutes"}]},
        {**VERDICT, "evidence": [{"source": source.pk, "stance": "refutes"}] * 2},
        {**VERDICT, "version": -1},
        [VERDICT],
    ]


def test_writing_a_verdict_with_bad_input_is_a_4xx_and_changes_nothing(api: APIClient, draft: Claim) -> None:
    source = SourceFactory(text=SEED_A2)
    verdict = Verdict.objects.get(claim=draft)
    texts = list(verdict.texts.values_list("language", "headline", "explanation"))
    for payload in verdict_cases(source):
        response = api.put(f"/api/v1/claims/{draft.pk}/verdict/", payload, format="json")

        assert response.status_code in (400, 409), (payload, response.content[:300])
        assert_refused(response, response.status_code)
        assert list(verdict.texts.values_list("language", "headline", "explanation")) == texts, payload
        assert not verdict.evidence.exists(), payload


def test_a_transition_with_bad_input_is_a_4xx_and_moves_nothing(api: APIClient, draft: Claim) -> None:
    payloads: list[Any] = [
        {"action": "obliterate"},
        {"action": 7},
        {"action": ["submit"]},
        {"action": "submit", "comment": "c" * 5001},
        {"action": "submit", "comment": "\x00"},
        {"action": "submit", "version": "latest"},
        {"action": "submit", "version": HUGE},
        {},
    ]
    for payload in payloads:
        response = api.post(f"/api/v1/claims/{draft.pk}/transitions/", payload, format="json")

        assert response.status_code in (400, 409), (payload, response.content[:300])
        assert_refused(response, response.status_code)
        assert Claim.objects.get(pk=draft.pk).status == "draft", payload


@pytest.mark.parametrize("address", ["/api/v1/claims/{pk}/appearances/", "/api/v1/claims/{pk}/transitions/"])
def test_writes_to_a_claim_id_out_of_range_are_a_404(api: APIClient, address: str) -> None:
    for pk in (HUGE, 2**63):
        assert_refused(api.post(address.format(pk=pk), {"action": "submit"}, format="json"), 404)


LIST_QUERIES: list[Any] = [
    {"page_size": str(HUGE)},
    {"page_size": "-1"},
    {"page_size": "0"},
    {"page_size": "abc"},
    {"page_size": "1" * 5000},
    {"cursor": "garbage"},
    {"cursor": "cD0" + "A" * 10_000},
    {"cursor": "\x00"},
    {"q": "Haftar " * 3000},
    {"q": "\x00"},
    "q=%ED%A0%80",
    "q=%FF%FE&page_size=%00",
    {"language": "not a language!"},
    {"claimant": str(HUGE)},
    {"claimant": "-1"},
    {"mentions": "abc"},
    {"published_after": "2019-13-45"},
    {"updated_since": "9" * 50},
    {"rating_class": "BOTH"},
    {"status": "draft"},
]


@pytest.mark.parametrize("address", ["/api/v1/claims/", "/api/v1/sources/", "/api/v1/actors/"])
def test_list_endpoints_answer_overlong_and_malformed_query_strings_with_a_400_or_a_page(
    client: Any, db: None, address: str
) -> None:
    for query in LIST_QUERIES:
        response = client.get(f"{address}?{query}") if isinstance(query, str) else client.get(address, query)

        # An invalid cursor is DRF's 404 ("Invalid cursor"); drafts (?status=draft) are 403 to the public.
        assert response.status_code in (200, 400, 403, 404), (query, response.status_code, response.content[:300])
        assert response["Content-Type"].startswith("application/json"), query
        if response.status_code != 200:
            assert response.json()["error"]["message"], query


# --- Shared with the admin: the same refusals as the API -------------------------------------------------


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(-(2**64), 2**64), length=st.integers(-3, 40))
def test_the_api_takes_any_integer_offsets_without_a_500(api: APIClient, draft: Claim, start: int, length: int) -> None:
    source = draft.appearances.get().source
    before = counts()
    payload = {"source": source.pk, "quote": source.text[max(0, start) : max(0, start) + max(1, length)] or "x"}
    payload.update(start=start, end=start + length)

    response = api.post(f"/api/v1/claims/{draft.pk}/appearances/", payload, format="json")

    assert response.status_code in (201, 400, 409), response.content[:300]
    if response.status_code == 201:
        stored = Appearance.objects.get(claim=draft, start=start)
        assert source.text[stored.start : stored.end] == stored.quote
        stored.delete()
    assert counts() == before
