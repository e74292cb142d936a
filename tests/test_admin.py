"""The newsroom's admin, page by page, as each persona uses it: lists, forms, the workflow panel, locks."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from claims import workflow
from claims.models import (
    Appearance,
    Claim,
    ClaimStatus,
    ClaimTranslation,
    Correction,
    ReviewEvent,
    Verdict,
    VerdictText,
    VerdictVersion,
)
from claims.workflow import Action
from sources.models import Place, Source

from .factories import (
    QUOTE_7_PERCENT,
    SEED_A2,
    ActorAliasFactory,
    ActorFactory,
    AppearanceFactory,
    ClaimFactory,
    SourceFactory,
    TranslationFactory,
    UserFactory,
    VerdictFactory,
    rating,
    ready_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

QUOTE_14_SOLDIERS = "ít nhất đã có 14 binh sĩ LNA thiệt mạng trong các cuộc giao tranh diễn ra trong những ngày qua"
QUOTE_4_CIVILIANS = "đã có 4 dân thường thiệt mạng khi nhà của họ bị không kích"


@pytest.fixture(autouse=True)
def _english_interface(client: Client) -> None:
    # The interface defaults to Vietnamese (a complete catalogue); the messages asserted here are the msgids.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def english_client(user: Any) -> Client:
    """A second browser, for the second of two people working at once."""
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(user)
    return other


# --- Helpers ---------------------------------------------------------------------------------------------


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def page(response: Any) -> str:
    return response.content.decode("utf-8")


def shows(response: Any, text: str) -> bool:
    """The text appears on the page as the user reads it (HTML-escaped, like every message)."""
    return escape(text) in page(response)


def listed(response: Any) -> set[int]:
    """The claims (or rows) shown in a changelist."""
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def buttons(response: Any) -> set[str]:
    """The workflow steps offered as buttons on a claim's change page."""
    return set(re.findall(r'data-action="([a-z_]+)"', page(response)))


def _post_value(bound: forms.BoundField) -> Any:
    value = bound.value()
    if isinstance(bound.field, forms.BooleanField):
        return "on" if value else None
    if isinstance(bound.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return [str(getattr(item, "pk", item)) for item in value or []]  # nothing selected: nothing sent
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_data(response: Any) -> dict[str, Any]:
    """What the browser posts back for an admin form rendered by ``response``, before any edit."""
    data: dict[str, Any] = {"_save": "Save"}
    every_form = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        every_form.append(inline.formset.management_form)
        every_form.extend(inline.formset.forms)
    for form in every_form:
        for bound in form:
            value = _post_value(bound)
            if value is not None:
                data[bound.html_name] = value
    return data


def prefixes(response: Any) -> dict[str, str]:
    """The inline formsets' prefixes on an admin form, by model name."""
    return {
        inline.formset.model._meta.model_name: inline.formset.prefix
        for inline in response.context["inline_admin_formsets"]
    }


def errors(response: Any) -> list[str]:
    """Every error message of an admin form and its inlines, as rendered."""
    assert response.status_code == 200, f"expected the form again with errors, got {response.status_code}"
    found: list[str] = []
    form = response.context["adminform"].form
    found += [message for messages in form.errors.values() for message in messages]
    for inline in response.context["inline_admin_formsets"]:
        found += list(inline.formset.non_form_errors())
        for form_errors in inline.formset.errors:
            found += [message for messages in form_errors.values() for message in messages]
    return found


def walk(claim: Claim, *steps: tuple[Any, str]) -> Claim:
    for user, action in steps:
        claim = workflow.transition(claim.pk, user, action, comment="Looks right.")
    return claim


def in_review(claim: Claim) -> Claim:
    return walk(claim, (claim.author, Action.SUBMIT))


def approved(claim: Claim, editor: Any) -> Claim:
    return walk(claim, (claim.author, Action.SUBMIT), (editor, Action.APPROVE))


def published(claim: Claim, editor: Any, publisher: Any) -> Claim:
    return walk(claim, (claim.author, Action.SUBMIT), (editor, Action.APPROVE), (publisher, Action.PUBLISH))


# --- Every page the newsroom uses renders ----------------------------------------------------------------

NEWSROOM_PAGES = [
    "claims_claim_changelist",
    "claims_claim_add",
    "claims_verdict_changelist",
    "claims_verdict_add",
    "sources_source_changelist",
    "sources_source_add",
    "sources_actor_changelist",
    "sources_actor_add",
    "sources_outlet_changelist",
    "sources_outlet_add",
    "sources_place_changelist",
    "sources_place_add",
    "claims_rating_changelist",
    "claims_reviewevent_changelist",
    "claims_correction_changelist",
]


@pytest.fixture
def newsroom_record(researcher, editor, publisher) -> Claim:
    """One of everything the lists show: a published, then corrected claim with its sources and people."""
    claimant = ActorFactory(name="Ahmed al-Mismari")
    ActorAliasFactory(actor=claimant, name="al-Mesmari")
    claim = published(ready_claim(researcher, claimant=claimant), editor, publisher)
    workflow.correct_verdict(
        claim,
        publisher,
        workflow.VerdictContent(rating="false", texts={"vi": ("Sai", "Có nguồn mới."), "en": ("False", "New source.")}),
        note="The ministry published its own figure.",
    )
    Place.objects.create(name="Tripoli", country="LY")
    return claim


@pytest.mark.parametrize("name", NEWSROOM_PAGES)
def test_every_newsroom_page_renders_for_a_researcher(client, researcher, newsroom_record, name):
    client.force_login(researcher)

    response = client.get(url(name))

    assert response.status_code == 200
    if name.endswith("_changelist"):
        assert response.context["cl"].result_count >= 1, "the list should show the record made for it"


def test_ratings_are_view_only_for_a_researcher(client, researcher):
    client.force_login(researcher)

    assert client.get(url("claims_rating_changelist")).status_code == 200
    assert client.get(url("claims_rating_add")).status_code == 403
    assert client.get(url("claims_rating_change", rating("false").pk)).status_code == 200
    assert client.post(url("claims_rating_change", rating("false").pk), {"value": 99}).status_code == 403


def test_the_audit_record_cannot_be_added_to_by_hand_even_by_a_superuser(client, superuser):
    client.force_login(superuser)

    assert client.get(url("claims_reviewevent_add")).status_code == 403
    assert client.get(url("claims_correction_add")).status_code == 403


def test_staff_without_a_newsroom_role_is_refused_the_claims_list(client, outsider, researcher):
    ClaimFactory(author=researcher)
    client.force_login(outsider)

    response = client.get(url("claims_claim_changelist"))

    assert response.status_code == 403


# --- The claims list: filters, queues, search, cost --------------------------------------------------------


def claims_list(client: Client, **params: Any) -> set[int]:
    return listed(client.get(url("claims_claim_changelist"), params))


def test_the_claims_list_filters_by_status_language_rating_claimant_and_outlet(client, researcher, editor):
    mismari = ActorFactory(name="Ahmed al-Mismari")
    peskov = ActorFactory(name="Dmitry Peskov")
    seven_percent = ready_claim(researcher, claimant=mismari)  # vi, unproven, in review
    in_review(seven_percent)
    soldiers = ClaimFactory(author=researcher, text=QUOTE_14_SOLDIERS, claimant=peskov)
    AppearanceFactory(claim=soldiers, quote=QUOTE_14_SOLDIERS)
    VerdictFactory(claim=soldiers, rating=rating("false"))
    english = ClaimFactory(author=researcher, language="en", text="Only 7% of Libya is held by Tripoli.")
    client.force_login(editor)

    assert claims_list(client) == {seven_percent.pk, soldiers.pk, english.pk}
    assert claims_list(client, status__exact="in_review") == {seven_percent.pk}
    assert claims_list(client, status__exact="draft") == {soldiers.pk, english.pk}
    assert claims_list(client, language__exact="en") == {english.pk}
    assert claims_list(client, language__exact="vi") == {seven_percent.pk, soldiers.pk}
    assert claims_list(client, verdict__rating__id__exact=rating("false").pk) == {soldiers.pk}
    assert claims_list(client, verdict__rating__id__exact=rating("unproven").pk) == {seven_percent.pk}
    assert claims_list(client, claimant__id__exact=mismari.pk) == {seven_percent.pk}
    outlet = soldiers.appearances.get().source.outlet
    assert claims_list(client, appearances__source__outlet__id__exact=outlet.pk) == {soldiers.pk}


@pytest.fixture
def queues(researcher, editor, publisher) -> dict[str, Claim]:
    """A claim in each place of the newsroom's queues."""
    claims = {
        "researcher_draft": ClaimFactory(author=researcher),
        "editor_draft": ClaimFactory(author=editor),
        "researcher_in_review": in_review(ready_claim(researcher)),
        "editor_in_review": in_review(ready_claim(editor)),
        "researcher_changes": walk(
            ready_claim(researcher), (researcher, Action.SUBMIT), (editor, Action.REQUEST_CHANGES)
        ),
        "researcher_approved": approved(ready_claim(researcher), editor),
        "publisher_approved": approved(ready_claim(publisher), editor),
        "published_due": published(ready_claim(researcher), editor, publisher),
        "published_fresh": published(ready_claim(researcher), editor, publisher),
    }
    Verdict.objects.filter(claim=claims["published_due"]).update(recheck_due_since=timezone.now())
    return claims


@pytest.mark.parametrize(
    ("persona", "queue", "expected"),
    [
        ("editor", "review", {"researcher_in_review"}),
        ("researcher", "review", {"editor_in_review"}),
        ("editor", "drafts", {"editor_draft"}),
        ("researcher", "drafts", {"researcher_draft"}),
        ("researcher", "changes", {"researcher_changes"}),
        ("editor", "changes", set()),
        ("publisher", "publish", {"researcher_approved"}),
        ("editor", "publish", {"researcher_approved", "publisher_approved"}),
        ("editor", "recheck", {"published_due"}),
    ],
)
def test_each_work_queue_lists_what_waits_for_this_person(client, request, queues, persona, queue, expected):
    client.force_login(request.getfixturevalue(persona))

    assert claims_list(client, queue=queue) == {queues[name].pk for name in expected}


def test_waiting_for_my_review_shows_claims_in_review_by_others_and_not_my_own(client, editor, queues):
    client.force_login(editor)

    response = client.get(url("claims_claim_changelist"), {"queue": "review"})

    assert listed(response) == {queues["researcher_in_review"].pk}
    assert queues["editor_in_review"].pk not in listed(response)
    assert shows(response, "waiting for my review")


@pytest.fixture
def searchable(researcher) -> dict[str, Claim]:
    mismari = ActorFactory(name="Ahmed al-Mismari")
    ActorAliasFactory(actor=mismari, name="al-Mesmari")
    seven_percent = ClaimFactory(author=researcher)
    TranslationFactory(claim=seven_percent)
    soldiers = ClaimFactory(author=researcher, text="14 binh sĩ LNA thiệt mạng", claimant=mismari)
    civilians = ClaimFactory(author=researcher, text="4 dân thường thiệt mạng vì không kích")
    AppearanceFactory(claim=civilians, quote=QUOTE_4_CIVILIANS)
    return {"seven_percent": seven_percent, "soldiers": soldiers, "civilians": civilians}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("kiểm soát chỉ 7%", "seven_percent"),  # the original Vietnamese wording
        ("controls only 7%", "seven_percent"),  # its English translation
        ("al-Mesmari", "soldiers"),  # another spelling of the claimant
        ("Ahmed al-Mismari", "soldiers"),  # the claimant's name
        ("nhà của họ bị không kích", "civilians"),  # words only in the appearance's quote
    ],
)
def test_searching_the_claims_list_finds_a_claim_by_wording_translation_claimant_or_quote(
    client, editor, searchable, term, expected
):
    client.force_login(editor)

    assert claims_list(client, q=term) == {searchable[expected].pk}


def test_searching_for_words_in_no_claim_lists_nothing(client, editor, searchable):
    client.force_login(editor)

    assert claims_list(client, q="Mogherini") == set()


def _claims_for_the_list(author: Any, count: int) -> None:
    outlet = SourceFactory().outlet
    for n in range(count):
        claim = ClaimFactory(author=author, claimant=ActorFactory(), text=f"Tuyên bố số {n}: {QUOTE_7_PERCENT}")
        TranslationFactory(claim=claim)
        AppearanceFactory(claim=claim, source=SourceFactory(outlet=outlet))
        VerdictFactory(claim=claim, rating=rating("false" if n % 2 else "unproven"))


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("claims_claim_changelist"))
    assert response.status_code == 200
    return len(queries)


def test_the_claims_list_costs_the_same_queries_for_5_or_30_claims(client, researcher, editor):
    client.force_login(editor)
    _claims_for_the_list(researcher, 5)
    _list_queries(client)  # warms the caches, as any earlier page would (the rating scale: its labels)
    with_5 = _list_queries(client)
    _claims_for_the_list(researcher, 25)
    with_30 = _list_queries(client)

    assert with_30 == with_5


#: Session, user, two permission lookups, the related-only filters (ratings with labels, claimants,
#: outlets), two counts, the page of claims, their ratings' labels, the languages filter. Measured.
QUERY_BUDGET = 14


def test_the_claims_list_of_30_claims_stays_within_its_query_budget(
    client, researcher, editor, django_assert_max_num_queries
):
    _claims_for_the_list(researcher, 30)
    client.force_login(editor)

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(url("claims_claim_changelist"))

    assert len(listed(response)) == 30


# --- Vietnamese text --------------------------------------------------------------------------------------


def test_vietnamese_wording_is_shown_intact_in_utf8(client, researcher, editor):
    claim = ready_claim(researcher)
    client.force_login(editor)

    for address in (url("claims_claim_changelist"), url("claims_claim_change", claim.pk)):
        response = client.get(address)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert "đang kiểm soát chỉ 7% lãnh thổ" in page(response)


# --- Creating a claim through the admin -------------------------------------------------------------------


def add_claim_data(client: Client, source: Source, **overrides: Any) -> dict[str, Any]:
    """The add form as a researcher fills it in: wording, one English translation, one appearance."""
    response = client.get(url("claims_claim_add"))
    assert response.status_code == 200
    data = form_data(response)
    prefix = prefixes(response)
    translations, appearances = prefix["claimtranslation"], prefix["appearance"]
    assert (translations, appearances) == ("translations", "appearances")
    data.update(
        {
            "text": "chính quyền ở Tripoli được Liên Hợp Quốc ủng hộ đang kiểm soát chỉ 7% lãnh thổ đất nước",
            "language": "vi",
            f"{translations}-0-language": "en",
            f"{translations}-0-text": "the UN-backed government in Tripoli controls only 7% of the country's territory",
            f"{translations}-0-origin": "human",
            f"{appearances}-0-source": str(source.pk),
            f"{appearances}-0-quote": QUOTE_7_PERCENT,
            f"{appearances}-0-start": "",
            f"{appearances}-0-end": "",
            f"{appearances}-0-is_first": "on",
        }
    )
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def row_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Claim, ClaimTranslation, Appearance, ReviewEvent, Verdict))


def test_a_claim_created_in_the_admin_is_the_researchers_with_its_translation_appearance_and_history(
    client, researcher
):
    source = SourceFactory()
    client.force_login(researcher)

    response = client.post(url("claims_claim_add"), add_claim_data(client, source))

    assert response.status_code == 302, errors(response)
    assert response["Location"] == url("claims_claim_changelist")
    claim = Claim.objects.get()
    assert claim.author == researcher
    assert claim.status == ClaimStatus.DRAFT
    assert claim.translations.get().text.startswith("the UN-backed government")
    appearance = claim.appearances.get()
    assert (appearance.start, appearance.end) == (
        SEED_A2.index(QUOTE_7_PERCENT),
        SEED_A2.index(QUOTE_7_PERCENT) + len(QUOTE_7_PERCENT),
    )
    assert SEED_A2[appearance.start : appearance.end] == QUOTE_7_PERCENT
    assert list(ReviewEvent.objects.filter(claim=claim).values_list("action", "to_status", "actor")) == [
        ("create", "draft", researcher.pk)
    ]


def test_staff_without_a_role_cannot_create_a_claim(client, outsider):
    client.force_login(outsider)

    assert client.get(url("claims_claim_add")).status_code == 403
    response = client.post(url("claims_claim_add"), {"text": "Tripoli kiểm soát 7%", "language": "vi"})

    assert response.status_code == 403
    assert not Claim.objects.exists()


BAD_INPUT = [
    pytest.param(
        {"language": "xx-yy"},
        "“xx-yy” is not a valid BCP 47 language tag (for example “vi”, “en” or “pt-BR”).",
        id="unknown-language-tag",
    ),
    pytest.param({"text": ""}, "This field is required.", id="empty-claim-text"),
    pytest.param({"text": "   "}, "This field is required.", id="blank-claim-text"),
    pytest.param(
        {"appearances-0-quote": "Haftar đã chiếm được Tripoli"},
        "This quote is not in the source's text. Copy it exactly, character for character.",
        id="quote-not-in-source",
    ),
    pytest.param(
        {"appearances-0-start": "0", "appearances-0-end": str(len(QUOTE_7_PERCENT))},
        f"The offsets 0–{len(QUOTE_7_PERCENT)} do not match the quote; "
        f"it is at offset {SEED_A2.index(QUOTE_7_PERCENT)}.",
        id="offsets-not-matching-quote",
    ),
    pytest.param(
        {"translations-0-language": "vi"},
        "This is the claim's original language: its wording is on the claim itself.",
        id="translation-in-the-original-language",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_input_on_the_claim_form_is_an_error_on_the_form_and_saves_nothing(client, researcher, overrides, message):
    source = SourceFactory()
    client.force_login(researcher)
    before = row_counts()

    response = client.post(url("claims_claim_add"), add_claim_data(client, source, **overrides))

    assert message in errors(response)
    assert shows(response, message)
    assert row_counts() == before


def test_two_translations_in_the_same_language_in_one_submit_are_refused(client, researcher):
    source = SourceFactory()
    client.force_login(researcher)
    data = add_claim_data(client, source)
    data.update(
        {
            "translations-TOTAL_FORMS": "2",
            "translations-1-language": "en",
            "translations-1-text": "Tripoli holds 7% of Libya.",
            "translations-1-origin": "machine",
        }
    )
    before = row_counts()

    response = client.post(url("claims_claim_add"), data)

    assert "Please correct the duplicate data for language." in errors(response)
    assert shows(response, "Please correct the duplicate data for language.")
    assert row_counts() == before


@pytest.mark.parametrize(
    "second_row",
    [
        pytest.param(
            {
                "translations-TOTAL_FORMS": "2",
                "translations-1-language": "EN",
                "translations-1-text": "Tripoli holds 7% of Libya.",
                "translations-1-origin": "machine",
            },
            id="translations-en-and-EN",
        ),
        pytest.param(
            {
                "appearances-TOTAL_FORMS": "2",
                "appearances-1-source": "{source}",
                "appearances-1-quote": QUOTE_7_PERCENT,
            },
            id="the-same-appearance-twice",
        ),
        pytest.param(
            {
                "appearances-TOTAL_FORMS": "2",
                "appearances-1-source": "{source}",
                "appearances-1-quote": QUOTE_14_SOLDIERS,
                "appearances-1-is_first": "on",
            },
            id="two-first-appearances",
        ),
    ],
)
def test_a_second_inline_row_the_database_would_refuse_is_a_form_error_not_a_500(client, researcher, second_row):
    source = SourceFactory()
    client.force_login(researcher)
    client.raise_request_exception = False
    data = add_claim_data(client, source)
    data.update({key: value.format(source=source.pk) for key, value in second_row.items()})
    before = row_counts()

    response = client.post(url("claims_claim_add"), data)

    assert response.status_code == 200
    assert errors(response)
    assert row_counts() == before


def verdict_add_data(client: Client, claim: Claim, **overrides: Any) -> dict[str, Any]:
    response = client.get(url("claims_verdict_add"), {"claim": claim.pk})
    assert response.status_code == 200
    data = form_data(response)
    texts = prefixes(response)["verdicttext"]
    data.update(
        {
            "claim": str(claim.pk),
            f"{texts}-0-language": "vi",
            f"{texts}-0-headline": "Con số 7% chưa được kiểm chứng",
            f"{texts}-0-explanation": "Bài viết không dẫn nguồn cho con số này.",
        }
    )
    data.update(overrides)
    return data


def test_a_researcher_writes_the_verdict_of_their_draft_in_the_admin(client, researcher):
    claim = ClaimFactory(author=researcher)
    client.force_login(researcher)

    response = client.post(url("claims_verdict_add"), verdict_add_data(client, claim, rating=str(rating("false").pk)))

    assert response.status_code == 302, errors(response)
    verdict = Verdict.objects.get(claim=claim)
    assert (verdict.rating.slug, verdict.author) == ("false", researcher)
    assert verdict.texts.get().headline == "Con số 7% chưa được kiểm chứng"


def test_a_verdict_without_a_rating_is_a_form_error_and_saves_nothing(client, researcher):
    claim = ClaimFactory(author=researcher)
    client.force_login(researcher)

    response = client.post(url("claims_verdict_add"), verdict_add_data(client, claim, rating=""))

    assert "This field is required." in response.context["adminform"].form.errors["rating"]
    assert shows(response, "This field is required.")
    assert not Verdict.objects.exists()
    assert not VerdictText.objects.exists()


def test_another_researcher_cannot_write_the_verdict_of_someone_elses_draft(client, researcher, other_researcher):
    claim = ClaimFactory(author=researcher)
    client.force_login(other_researcher)

    response = client.post(url("claims_verdict_add"), verdict_add_data(client, claim, rating=str(rating("false").pk)))

    assert "Only the claim's author or an editor can edit it." in errors(response)
    assert not Verdict.objects.exists()


# --- Quotes in context, and escaping ----------------------------------------------------------------------


def test_the_claim_page_shows_its_quote_highlighted_in_the_source_text(client, researcher, editor):
    claim = ready_claim(researcher)
    client.force_login(editor)

    response = client.get(url("claims_claim_change", claim.pk))

    start = SEED_A2.index(QUOTE_7_PERCENT)
    end = start + len(QUOTE_7_PERCENT)
    before, after = SEED_A2[start - 120 : start], SEED_A2[end : end + 120]
    assert "chính quyền ở Tripoli được Liên Hợp Quốc ủng hộ " in before  # the sentence the quote comes from
    assert f"…{escape(before)}<mark>{QUOTE_7_PERCENT}</mark>{escape(after)}…" in page(response)


def test_the_source_page_marks_every_quoted_claim_in_its_text(client, researcher, editor):
    source = SourceFactory()
    seven = ClaimFactory(author=researcher)
    AppearanceFactory(claim=seven, source=source)
    soldiers = ClaimFactory(author=researcher, text=QUOTE_14_SOLDIERS)
    AppearanceFactory(claim=soldiers, source=source, quote=QUOTE_14_SOLDIERS)
    client.force_login(editor)

    response = client.get(url("sources_source_change", source.pk))

    assert response.status_code == 200
    marks = re.findall(r"<mark [^>]*>(.*?)</mark>", page(response), flags=re.S)
    assert marks == [QUOTE_14_SOLDIERS, QUOTE_7_PERCENT]  # in the order they occur in the text


def test_text_typed_into_the_newsroom_is_escaped_on_every_admin_page(client, researcher, editor):
    attack = "<script>alert(1)</script>"
    source = SourceFactory(text=f"Trích dẫn: {attack} hết.", title=f"Bài {attack}")
    claim = ClaimFactory(author=researcher, text=f"Tuyên bố {attack}")
    AppearanceFactory(claim=claim, source=source, quote=attack)
    workflow.transition(claim.pk, researcher, Action.SUBMIT, comment=f"Xem {attack}")
    client.force_login(editor)

    for address in (
        url("claims_claim_changelist"),
        url("claims_claim_change", claim.pk),
        url("sources_source_change", source.pk),
        url("sources_source_changelist"),
        url("claims_reviewevent_changelist"),
    ):
        response = client.get(address)
        assert response.status_code == 200
        assert attack not in page(response), address
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page(response), address


# --- The workflow panel -----------------------------------------------------------------------------------


def change_page(client: Client, claim: Claim) -> Any:
    response = client.get(url("claims_claim_change", claim.pk))
    assert response.status_code == 200
    return response


def test_the_author_of_a_ready_draft_is_offered_submit_for_review(client, researcher):
    claim = ready_claim(researcher)
    client.force_login(researcher)

    response = change_page(client, claim)

    assert buttons(response) == {"submit"}
    assert ">Submit for review</button>" in page(response)


def test_another_researcher_is_offered_no_step_on_someone_elses_draft(client, researcher, other_researcher):
    claim = ready_claim(researcher)
    client.force_login(other_researcher)

    response = change_page(client, claim)

    assert buttons(response) == set()
    assert shows(response, "There is no workflow step you can take on this claim now.")


def test_an_editor_looking_at_anothers_claim_in_review_is_offered_approve_and_request_changes(
    client, researcher, editor
):
    claim = in_review(ready_claim(researcher))
    client.force_login(editor)

    response = change_page(client, claim)

    assert buttons(response) == {"approve", "request_changes", "withdraw"}
    assert ">Approve</button>" in page(response)
    assert ">Request changes</button>" in page(response)


@pytest.mark.parametrize("author", ["editor", "superuser"])
def test_the_author_is_never_offered_approve_on_their_own_claim_in_review(client, request, author):
    user = request.getfixturevalue(author)
    claim = in_review(ready_claim(user))
    client.force_login(user)

    response = change_page(client, claim)

    assert buttons(response) == {"withdraw"}
    assert ">Approve</button>" not in page(response)


@pytest.mark.parametrize("author", ["publisher", "superuser"])
def test_the_author_is_never_offered_publish_on_their_own_approved_claim(client, request, editor, author):
    user = request.getfixturevalue(author)
    claim = approved(ready_claim(user), editor)
    client.force_login(user)

    response = change_page(client, claim)

    assert buttons(response) == set()
    assert ">Publish</button>" not in page(response)


def test_a_publisher_is_offered_publish_on_anothers_approved_claim(client, researcher, editor, publisher):
    claim = approved(ready_claim(researcher), editor)
    client.force_login(publisher)

    assert buttons(change_page(client, claim)) == {"publish", "request_changes"}


def test_a_draft_missing_its_verdict_says_what_it_still_lacks(client, researcher):
    claim = ClaimFactory(author=researcher)
    client.force_login(researcher)

    response = change_page(client, claim)

    assert shows(response, "It has no verdict yet.")
    assert shows(response, "It has no appearance: record where the claim appeared.")


def test_the_claim_page_shows_its_history(client, researcher, editor):
    claim = ready_claim(researcher)
    workflow.record_created(claim, researcher)
    workflow.transition(claim.pk, researcher, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.REQUEST_CHANGES, comment="Trích dẫn nguồn của bộ.")
    client.force_login(editor)

    response = change_page(client, claim)

    history = page(response).split('id="claim-history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>.*?</tr>", history, flags=re.S)
    assert len(rows) == 3
    assert "rosa_researcher" in rows[0] and "create" in rows[0]
    assert "submit" in rows[1] and "draft → in review" in rows[1]
    assert "eva_editor" in rows[2] and "Trích dẫn nguồn của bộ." in rows[2]


# --- Workflow steps from the panel ------------------------------------------------------------------------


def take_step(client: Client, claim: Claim, action: str, comment: str = "", version: int | None = None) -> Any:
    seen = Claim.objects.get(pk=claim.pk).version if version is None else version
    return client.post(
        url("claims_claim_transition", claim.pk),
        {"action": action, "comment": comment, "version": seen},
        follow=True,
    )


def test_submitting_from_the_panel_moves_the_claim_and_records_it(client, researcher):
    claim = ready_claim(researcher)
    client.force_login(researcher)

    response = take_step(client, claim, "submit")

    assert response.redirect_chain == [(url("claims_claim_change", claim.pk), 302)]
    assert shows(response, "Done (submit for review). The claim's status is now “in review”.")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW
    event = ReviewEvent.objects.get(claim=claim)
    assert (event.action, event.from_status, event.to_status) == ("submit", "draft", "in_review")
    assert event.actor == researcher


def test_an_editor_requests_changes_with_a_comment_from_the_panel(client, researcher, editor):
    claim = in_review(ready_claim(researcher))
    client.force_login(editor)

    response = take_step(client, claim, "request_changes", comment="Cần dẫn nguồn.")

    assert shows(response, "Done (request changes). The claim's status is now “changes requested”.")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.CHANGES_REQUESTED
    assert ReviewEvent.objects.get(claim=claim, action="request_changes").comment == "Cần dẫn nguồn."


REFUSED_STEPS = [
    pytest.param(
        "researcher",
        "in_review",
        "approve",
        "",
        "You do not have permission to approve claims.",
        id="researcher-approves",
    ),
    pytest.param(
        "publisher",
        "approved",
        "publish",
        "",
        "Four eyes: you wrote this claim, so someone else must publish it.",
        id="author-publishes-own-claim",
    ),
    pytest.param(
        "editor",
        "in_review",
        "request_changes",
        "  ",
        "Say why in the comment: it is required to request changes.",
        id="request-changes-without-comment",
    ),
    pytest.param(
        "editor",
        "draft",
        "approve",
        "",
        "This claim's status is “draft”: it cannot be approved now.",
        id="approve-a-draft",
    ),
    pytest.param(
        "editor",
        "in_review",
        "publish_everything",
        "",
        "Unknown action “publish_everything”. Use one of: submit, withdraw, request_changes, approve, publish, "
        "retract, recheck, correct.",
        id="unknown-action",
    ),
]


@pytest.mark.parametrize(("persona", "state", "action", "comment", "message"), REFUSED_STEPS)
def test_a_refused_step_changes_nothing_and_says_why(
    client, request, researcher, editor, publisher, persona, state, action, comment, message
):
    author = publisher if state == "approved" else researcher
    claim = ready_claim(author)
    if state == "in_review":
        claim = in_review(claim)
    elif state == "approved":
        claim = approved(claim, editor)
    events_before = ReviewEvent.objects.count()
    client.force_login(request.getfixturevalue(persona))

    response = take_step(client, claim, action, comment=comment)

    assert response.status_code == 200
    assert shows(response, message)
    assert Claim.objects.get(pk=claim.pk).status == claim.status
    assert ReviewEvent.objects.count() == events_before


def test_a_step_from_a_page_rendered_before_someone_else_acted_is_refused(client, researcher, editor, other_editor):
    claim = in_review(ready_claim(researcher))
    seen = claim.version
    workflow.transition(claim.pk, other_editor, Action.REQUEST_CHANGES, comment="Thiếu nguồn.")
    client.force_login(editor)

    response = take_step(client, claim, "approve", version=seen)

    assert shows(
        response,
        "Someone else changed this claim while you were looking at it (it is now changes requested). "
        "Reload it and try again.",
    )
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.CHANGES_REQUESTED
    assert not ReviewEvent.objects.filter(claim=claim, action="approve").exists()


def test_staff_without_a_role_cannot_take_a_step(client, researcher, outsider):
    claim = ready_claim(researcher)
    client.force_login(outsider)

    response = client.post(url("claims_claim_transition", claim.pk), {"action": "submit", "version": claim.version})

    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.DRAFT
    assert not ReviewEvent.objects.exists()


# --- Bulk actions -----------------------------------------------------------------------------------------


def bulk(client: Client, action: str, claims: list[Claim]) -> Any:
    return client.post(
        url("claims_claim_changelist"),
        {"action": action, "_selected_action": [str(claim.pk) for claim in claims], "index": "0"},
        follow=True,
    )


def test_bulk_approve_applies_the_four_eyes_rule_claim_by_claim(client, researcher, editor):
    theirs = in_review(ready_claim(researcher))
    mine = in_review(ready_claim(editor))
    client.force_login(editor)

    response = bulk(client, "approve_claims", [theirs, mine])

    assert Claim.objects.get(pk=theirs.pk).status == ClaimStatus.APPROVED
    assert Claim.objects.get(pk=mine.pk).status == ClaimStatus.IN_REVIEW
    assert shows(response, "1 claim: approve done.")
    assert shows(response, f"#{mine.pk}: Four eyes: you wrote this claim, so someone else must approve it.")
    assert not ReviewEvent.objects.filter(claim=mine, action="approve").exists()


def test_bulk_publish_publishes_only_what_this_publisher_may(client, researcher, editor, publisher):
    ready = approved(ready_claim(researcher), editor)
    own = approved(ready_claim(publisher), editor)
    draft = ready_claim(researcher)
    client.force_login(publisher)

    response = bulk(client, "publish_claims", [ready, own, draft])

    statuses = dict(Claim.objects.filter(pk__in=[ready.pk, own.pk, draft.pk]).values_list("pk", "status"))
    assert statuses == {ready.pk: "published", own.pk: "approved", draft.pk: "draft"}
    assert shows(response, "1 claim: publish done.")
    assert shows(response, f"#{own.pk}: Four eyes: you wrote this claim, so someone else must publish it.")
    assert shows(response, f"#{draft.pk}: This claim's status is “draft”: it cannot be published now.")


def test_bulk_submit_by_a_researcher_submits_only_their_own_drafts(client, researcher, other_researcher):
    mine = ready_claim(researcher)
    theirs = ready_claim(other_researcher)
    client.force_login(researcher)

    response = bulk(client, "submit_claims", [mine, theirs])

    assert Claim.objects.get(pk=mine.pk).status == ClaimStatus.IN_REVIEW
    assert Claim.objects.get(pk=theirs.pk).status == ClaimStatus.DRAFT
    assert shows(response, "1 claim: submit for review done.")
    assert shows(response, f"#{theirs.pk}: Only the claim's author or an editor can submit for review it.")


# --- Two people editing at once ---------------------------------------------------------------------------

CONFLICT = (
    "Someone else saved this while you were editing it. Your changes were not saved: "
    "open it again to see their version, then redo your edits."
)


def test_the_second_of_two_editors_saving_a_claim_is_told_and_the_first_edit_stays(
    client, researcher, editor, other_editor
):
    claim = in_review(ready_claim(researcher))
    address = url("claims_claim_change", claim.pk)
    client.force_login(editor)
    second = english_client(other_editor)
    first_form = form_data(client.get(address))
    second_form = form_data(second.get(address))
    assert first_form["seen_version"] == second_form["seen_version"] == str(claim.version)

    first = client.post(address, {**first_form, "internal_notes": "Eva: checked the ministry's figure."})
    assert first.status_code == 302, errors(first)
    late = second.post(address, {**second_form, "internal_notes": "Emil: the figure is from 2019."})

    assert CONFLICT in errors(late)
    assert shows(late, CONFLICT)
    saved = Claim.objects.get(pk=claim.pk)
    assert saved.internal_notes == "Eva: checked the ministry's figure."
    assert saved.version == claim.version + 1


def test_saving_a_claim_form_opened_before_a_workflow_step_is_refused(client, researcher, editor):
    claim = ready_claim(researcher)
    address = url("claims_claim_change", claim.pk)
    client.force_login(editor)
    stale = form_data(client.get(address))
    workflow.transition(claim.pk, researcher, Action.SUBMIT)

    response = client.post(address, {**stale, "text": "Tripoli kiểm soát 7%"})

    assert CONFLICT in errors(response)
    assert Claim.objects.get(pk=claim.pk).text == claim.text


def test_the_second_of_two_editors_saving_a_verdict_is_told_and_the_first_edit_stays(
    client, researcher, editor, other_editor
):
    claim = in_review(ready_claim(researcher))
    verdict = Verdict.objects.get(claim=claim)
    address = url("claims_verdict_change", verdict.pk)
    client.force_login(editor)
    second = english_client(other_editor)
    first_form = form_data(client.get(address))
    second_form = form_data(second.get(address))
    assert first_form["seen_version"] == second_form["seen_version"] == str(verdict.version)

    first = client.post(address, {**first_form, "rating": str(rating("false").pk)})
    assert first.status_code == 302, errors(first)
    late = second.post(address, {**second_form, "rating": str(rating("mostly-true").pk)})

    assert CONFLICT in errors(late)
    assert shows(late, CONFLICT)
    assert Verdict.objects.get(pk=verdict.pk).rating.slug == "false"


# --- Published claims are not edited or deleted in place --------------------------------------------------


@pytest.fixture
def published_claim(researcher, editor, publisher) -> Claim:
    return published(ready_claim(researcher), editor, publisher)


@pytest.mark.parametrize("persona", ["researcher", "editor", "publisher", "superuser"])
def test_a_published_claim_is_read_only_for_everyone(client, request, published_claim, persona):
    client.force_login(request.getfixturevalue(persona))
    address = url("claims_claim_change", published_claim.pk)

    response = client.get(address)

    assert response.status_code == 200
    assert 'name="_save"' not in page(response)
    assert 'name="text"' not in page(response)
    data = {"text": "Tripoli kiểm soát 70%", "language": "vi", "seen_version": published_claim.version}
    assert client.post(address, data).status_code == 403
    assert Claim.objects.get(pk=published_claim.pk).text == published_claim.text


@pytest.mark.parametrize("persona", ["researcher", "editor", "publisher", "superuser"])
def test_a_published_claim_cannot_be_deleted_by_anyone(client, request, published_claim, persona):
    client.force_login(request.getfixturevalue(persona))
    address = url("claims_claim_delete", published_claim.pk)

    for response in (client.get(address, follow=True), client.post(address, {"post": "yes"}, follow=True)):
        # Back on the claim's page (where the Retract button is), told why.
        assert response.redirect_chain == [(url("claims_claim_change", published_claim.pk), 302)]
        assert "cannot be deleted; retract it instead" in page(response)
    assert Claim.objects.filter(pk=published_claim.pk).exists()


def test_deleting_selected_claims_refuses_a_batch_with_a_published_claim(
    client, researcher, superuser, published_claim
):
    draft = ClaimFactory(author=researcher)
    client.force_login(superuser)

    response = client.post(
        url("claims_claim_changelist"),
        {"action": "delete_selected", "_selected_action": [str(draft.pk), str(published_claim.pk)], "post": "yes"},
        follow=True,
    )

    assert f"#{published_claim.pk} A published or retracted claim cannot be deleted; retract" in page(response)
    assert Claim.objects.filter(pk__in=[draft.pk, published_claim.pk]).count() == 2


def test_the_author_deletes_their_own_draft(client, researcher):
    claim = ClaimFactory(author=researcher)
    TranslationFactory(claim=claim)
    client.force_login(researcher)

    response = client.post(url("claims_claim_delete", claim.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_a_researcher_cannot_delete_someone_elses_draft(client, researcher, other_researcher):
    claim = ClaimFactory(author=researcher)
    client.force_login(other_researcher)

    assert client.post(url("claims_claim_delete", claim.pk), {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_the_author_deletes_their_own_draft_created_in_the_admin(client, researcher):
    source = SourceFactory()
    client.force_login(researcher)
    created = client.post(url("claims_claim_add"), add_claim_data(client, source))
    assert created.status_code == 302
    claim = Claim.objects.get()

    response = client.post(url("claims_claim_delete", claim.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_the_author_deletes_their_own_draft_that_has_a_verdict(client, researcher):
    claim = ClaimFactory(author=researcher)
    VerdictFactory(claim=claim)
    client.force_login(researcher)

    response = client.post(url("claims_claim_delete", claim.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()


# --- Correcting a published verdict -----------------------------------------------------------------------


def verdict_change(client: Client, claim: Claim) -> tuple[str, dict[str, Any]]:
    verdict = Verdict.objects.get(claim=claim)
    address = url("claims_verdict_change", verdict.pk)
    response = client.get(address)
    assert response.status_code == 200
    return address, form_data(response)


def record_of(claim: Claim) -> tuple[Any, ...]:
    verdict = Verdict.objects.get(claim=claim)
    return (
        verdict.rating.slug,
        verdict.version,
        Correction.objects.filter(claim=claim).count(),
        VerdictVersion.objects.filter(verdict=verdict).count(),
        ReviewEvent.objects.filter(claim=claim).count(),
    )


def test_changing_a_published_verdict_without_a_correction_note_is_refused(client, publisher, published_claim):
    client.force_login(publisher)
    address, data = verdict_change(client, published_claim)
    before = record_of(published_claim)

    response = client.post(address, {**data, "rating": str(rating("false").pk), "correction_note": ""})

    assert "A correction needs a public note saying what changed and why." in errors(response)
    assert shows(response, "A correction needs a public note saying what changed and why.")
    assert record_of(published_claim) == before


def test_changing_a_published_verdict_with_a_note_records_a_correction_and_a_new_version(
    client, publisher, published_claim
):
    client.force_login(publisher)
    address, data = verdict_change(client, published_claim)
    note = "Bộ Quốc phòng đã công bố số liệu riêng: con số 7% là sai."

    response = client.post(address, {**data, "rating": str(rating("false").pk), "correction_note": note})

    assert response.status_code == 302, errors(response)
    verdict = Verdict.objects.get(claim=published_claim)
    assert verdict.rating.slug == "false"
    correction = Correction.objects.get(claim=published_claim)
    assert (correction.note, correction.created_by, correction.version.number) == (note, publisher, 2)
    assert correction.version.rating.slug == "false"
    assert list(verdict.versions.values_list("number", "rating__slug")) == [(1, "unproven"), (2, "false")]
    event = ReviewEvent.objects.filter(claim=published_claim).latest("created_at", "id")
    assert (event.action, event.actor, event.comment) == ("correct", publisher, note)
    assert Claim.objects.get(pk=published_claim.pk).status == ClaimStatus.PUBLISHED


def test_saving_a_published_verdict_with_a_note_but_no_change_publishes_no_correction(
    client, publisher, published_claim
):
    client.force_login(publisher)
    address, data = verdict_change(client, published_claim)
    before = record_of(published_claim)

    response = client.post(address, {**data, "correction_note": "Đã xem lại, không có gì thay đổi."}, follow=True)

    rating_, _version, *published_record = record_of(published_claim)
    assert (rating_, *published_record) == (before[0], *before[2:])  # no correction, version or event
    assert shows(response, "no correction was published")


def test_the_author_may_not_change_their_published_verdict_even_as_a_publisher(client, editor, other_editor):
    author = UserFactory(username="pia_publisher_author", role="Publisher")
    claim = published(ready_claim(author), editor, UserFactory(username="pedro_publisher", role="Publisher"))
    verdict = Verdict.objects.get(claim=claim)
    address = url("claims_verdict_change", verdict.pk)
    client.force_login(author)
    before = record_of(claim)

    response = client.get(address)
    assert response.status_code == 200
    assert 'name="_save"' not in page(response)  # shown read-only
    refused = client.post(
        address,
        {"rating": str(rating("false").pk), "correction_note": "Tự sửa.", "seen_version": str(verdict.version)},
    )

    assert refused.status_code == 403
    assert record_of(claim) == before
