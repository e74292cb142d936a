"""The data model's invariants: what validation refuses, what the database itself refuses, how rows read.

Each rule is tested where a user meets it (``full_clean()``, as the admin and the API run it, with the
message on the field to fix) and, where the database holds it, below validation: a plain ``create`` or
``update()`` must hit the constraint or trigger. Texts are the seed articles' real Vietnamese sentences.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.db.models.functions import Length, Substr
from django.forms import modelform_factory
from django.utils import timezone, translation

from claims.models import (
    Appearance,
    Claim,
    ClaimStatus,
    ClaimTranslation,
    Correction,
    Evidence,
    RatingLabel,
    ReviewEvent,
    Topic,
    Verdict,
    VerdictText,
    VerdictVersion,
)
from sources.languages import LanguageField, normalize_language_tag, validate_language_tag
from sources.models import Actor, ActorAlias, Outlet, Place, PlaceAlias, Source
from sources.text import slugify_any

from .factories import (
    QUOTE_7_PERCENT,
    SEED_A2,
    ActorAliasFactory,
    ActorFactory,
    AppearanceFactory,
    ClaimFactory,
    OutletFactory,
    SourceFactory,
    TranslationFactory,
    VerdictFactory,
    VerdictTextFactory,
    rating,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

APRIL_8 = dt.datetime(2019, 4, 8, 9, 0, tzinfo=dt.UTC)
# Occurs exactly twice in article a2.
TWICE_IN_A2 = "cuộc giao tranh"
# The end of article a2, after about 2,900 characters (3,800 bytes) of Vietnamese.
LAVROV_CLOSING = "Chúng tôi không hề nghiêng về bất kỳ bên nào cả”, ông Lavrov phát biểu."


@pytest.fixture(autouse=True)
def _messages_in_english() -> Iterator[None]:
    # The interface defaults to Vietnamese; messages are asserted in their source language.
    with translation.override("en"):
        yield


@contextmanager
def refused_by_database(reason: str) -> Iterator[None]:
    """The block must fail in the database with ``IntegrityError`` whose message matches ``reason``.

    The savepoint keeps the test's transaction usable after the refusal.
    """
    with pytest.raises(IntegrityError, match=reason), transaction.atomic():
        yield


def errors_of(instance: Any, **kwargs: Any) -> dict[str, list[str]]:
    """The messages ``full_clean()`` raises, by field ("__all__" for the rest)."""
    with pytest.raises(ValidationError) as caught:
        instance.full_clean(**kwargs)
    return caught.value.message_dict


def unique_violation(constraint: str, *columns: str) -> str:
    """PostgreSQL names the constraint; SQLite names the table's columns instead."""
    return f"{constraint}|" + re.escape(", ".join(columns)) + "$"


@pytest.fixture
def claim(researcher: Any) -> Claim:
    return ClaimFactory(author=researcher)


@pytest.fixture
def source() -> Source:
    return SourceFactory(text=SEED_A2)


def set_status(claim: Claim, status: str, **fields: Any) -> None:
    """Move a claim's row directly, below the workflow (which has its own tests)."""
    Claim.objects.filter(pk=claim.pk).update(status=status, **fields)


def make_public(claim: Claim, status: str = ClaimStatus.PUBLISHED) -> None:
    now = timezone.now()
    if status == ClaimStatus.RETRACTED:
        set_status(claim, status, published_at=now, retracted_at=now, retraction_reason="Nguồn đã rút lại bài.")
    else:
        set_status(claim, status, published_at=now)


# --- Language tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["xx-yy", "klingon!", "und"])
def test_unknown_or_malformed_language_tag_is_refused(tag: str, researcher: Any) -> None:
    claim = Claim(text="Nga kêu gọi ngừng bắn", language=tag, author=researcher)

    errors = errors_of(claim)

    assert list(errors) == ["language"]
    assert f"“{tag}” is not a valid BCP 47 language tag" in errors["language"][0]
    with pytest.raises(ValidationError):
        normalize_language_tag(tag)


@pytest.mark.parametrize(("typed", "stored"), [("VI", "vi"), ("en_us", "en-US"), ("vie", "vi"), (" pt_br ", "pt-BR")])
def test_language_tag_is_stored_in_its_canonical_form(typed: str, stored: str) -> None:
    assert LanguageField().to_python(typed) == stored

    OutletForm = modelform_factory(Outlet, fields=["name", "language"])
    form = OutletForm(data={"name": "Báo Thế giới", "language": typed})
    assert form.is_valid(), form.errors
    outlet = form.save()

    outlet.refresh_from_db()
    assert outlet.language == stored


def test_full_clean_canonicalises_the_language_tag_typed_on_a_claim(researcher: Any) -> None:
    claim = Claim(text="Nga kêu gọi ngừng bắn", language="VI", author=researcher)

    claim.full_clean()

    assert claim.language == "vi"


@pytest.mark.parametrize(("typed", "canonical"), [("VI", "vi"), ("en-us", "en-US"), ("vie", "vi")])
def test_validate_language_tag_rejects_a_tag_that_is_not_written_canonically(typed: str, canonical: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_language_tag(typed)

    assert caught.value.code == "non_canonical_language"
    assert f"“{canonical}”" in caught.value.messages[0]
    validate_language_tag(canonical)  # the canonical form passes


# --- Claims -------------------------------------------------------------------------------------------


def test_claim_with_blank_wording_is_refused(researcher: Any) -> None:
    claim = Claim(text="  \n ", language="vi", author=researcher)

    assert errors_of(claim)["text"] == ["A claim needs its wording: the text cannot be empty."]


def test_claim_with_empty_wording_is_refused_by_validation_and_by_the_database(researcher: Any) -> None:
    assert "text" in errors_of(Claim(text="", language="vi", author=researcher))

    with refused_by_database("claim_text_not_empty"):
        Claim.objects.create(text="", language="vi", author=researcher)


def test_claim_status_must_be_one_of_the_workflow_states_in_the_database(claim: Claim) -> None:
    with refused_by_database("claim_status_valid"):
        set_status(claim, "archived")


def test_public_claim_without_a_publication_time_is_refused_by_the_database(claim: Claim) -> None:
    with refused_by_database("claim_public_has_published_at"):
        set_status(claim, ClaimStatus.PUBLISHED)
    with refused_by_database("claim_public_has_published_at"):
        set_status(claim, ClaimStatus.RETRACTED, retracted_at=timezone.now(), retraction_reason="Sai nguồn.")

    set_status(claim, ClaimStatus.PUBLISHED, published_at=timezone.now())
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PUBLISHED


def test_retracted_claim_needs_a_retraction_time_and_a_notice_in_the_database(claim: Claim) -> None:
    now = timezone.now()
    with refused_by_database("claim_retraction_has_notice"):
        set_status(claim, ClaimStatus.RETRACTED, published_at=now, retraction_reason="Sai nguồn.")
    with refused_by_database("claim_retraction_has_notice"):
        set_status(claim, ClaimStatus.RETRACTED, published_at=now, retracted_at=now, retraction_reason="")

    set_status(claim, ClaimStatus.RETRACTED, published_at=now, retracted_at=now, retraction_reason="Sai nguồn.")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.RETRACTED


@pytest.mark.parametrize("status", [ClaimStatus.PUBLISHED, ClaimStatus.RETRACTED])
def test_public_claim_cannot_be_deleted_in_the_database(claim: Claim, source: Source, status: str) -> None:
    AppearanceFactory(claim=claim, source=source)
    make_public(claim, status)
    claim.refresh_from_db()

    with refused_by_database("a published or retracted claim cannot be deleted"):
        claim.delete()
    with refused_by_database("a published or retracted claim cannot be deleted"):
        Claim.objects.filter(pk=claim.pk).delete()

    # Nothing of it was lost: the cascade ran inside the refused transaction.
    assert Claim.objects.filter(pk=claim.pk, status=status).exists()
    assert Appearance.objects.filter(claim_id=claim.pk).count() == 1


def test_draft_claim_can_be_deleted(claim: Claim, source: Source) -> None:
    AppearanceFactory(claim=claim, source=source)
    TranslationFactory(claim=claim)

    claim.delete()

    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not Appearance.objects.filter(claim_id=claim.pk).exists()


def test_public_queryset_holds_published_and_retracted_claims_and_nothing_else(researcher: Any) -> None:
    claims = {status: ClaimFactory(author=researcher) for status in ClaimStatus.values}
    for status, claim in claims.items():
        if status in (ClaimStatus.PUBLISHED, ClaimStatus.RETRACTED):
            make_public(claim, status)
        else:
            set_status(claim, status)

    assert set(Claim.objects.public()) == {claims[ClaimStatus.PUBLISHED], claims[ClaimStatus.RETRACTED]}
    assert list(Claim.objects.published()) == [claims[ClaimStatus.PUBLISHED]]


# --- Translations -------------------------------------------------------------------------------------


def test_second_translation_in_the_same_language_is_refused(claim: Claim) -> None:
    TranslationFactory(claim=claim, language="en")
    second = ClaimTranslation(claim=claim, language="en", text="Tripoli's government holds only 7% of Libya")

    errors = errors_of(second)

    assert errors["__all__"] == ["Translation with this Claim and Language already exists."]
    with refused_by_database(
        unique_violation(
            "claim_translation_one_per_language", "claims_claimtranslation.claim_id", "claims_claimtranslation.language"
        )
    ):
        second.save()


def test_translations_in_different_languages_are_accepted(claim: Claim) -> None:
    TranslationFactory(claim=claim, language="en")
    russian = ClaimTranslation(claim=claim, language="ru", text="правительство в Триполи контролирует лишь 7%")

    russian.full_clean()
    russian.save()

    assert sorted(claim.translations.values_list("language", flat=True)) == ["en", "ru"]


@pytest.mark.parametrize("typed", ["vi", "VI"])
def test_translation_in_the_claims_own_original_language_is_refused(claim: Claim, typed: str) -> None:
    translation_ = ClaimTranslation(claim=claim, language=typed, text="chính quyền Tripoli kiểm soát 7% lãnh thổ")

    assert errors_of(translation_)["language"] == [
        "This is the claim's original language: its wording is on the claim itself."
    ]


def test_empty_translation_is_refused_by_validation_and_by_the_database(claim: Claim) -> None:
    assert errors_of(ClaimTranslation(claim=claim, language="en", text=" "))["text"] == [
        "A translation cannot be empty."
    ]
    with refused_by_database("claim_translation_not_empty"):
        ClaimTranslation.objects.create(claim=claim, language="en", text="")


# --- Appearances: validation --------------------------------------------------------------------------


def test_appearance_whose_quote_is_not_in_the_source_is_refused(claim: Claim, source: Source) -> None:
    misquoted = "đang kiểm soát chỉ 70% lãnh thổ đất nước"  # the article says 7%
    message = "This quote is not in the source's text. Copy it exactly, character for character."

    assert errors_of(Appearance(claim=claim, source=source, quote=misquoted))["quote"] == [message]
    assert errors_of(Appearance(claim=claim, source=source, quote=misquoted, start=1927, end=1967))["quote"] == [
        message
    ]


def test_appearance_whose_offsets_do_not_match_the_quote_names_where_the_quote_is(claim: Claim, source: Source) -> None:
    actual = SEED_A2.index(QUOTE_7_PERCENT)
    wrong = actual + 3
    appearance = Appearance(
        claim=claim, source=source, quote=QUOTE_7_PERCENT, start=wrong, end=wrong + len(QUOTE_7_PERCENT)
    )

    errors = errors_of(appearance)

    assert list(errors) == ["start"]
    assert errors["start"] == [
        f"The offsets {wrong}–{wrong + len(QUOTE_7_PERCENT)} do not match the quote; it is at offset {actual}."
    ]


def test_appearance_whose_offsets_run_past_the_end_of_the_text_is_refused(claim: Claim, source: Source) -> None:
    start = len(SEED_A2) - 5
    appearance = Appearance(
        claim=claim, source=source, quote=QUOTE_7_PERCENT, start=start, end=start + len(QUOTE_7_PERCENT)
    )

    assert errors_of(appearance)["end"] == [
        f"The offsets run past the end of the source's text ({len(SEED_A2)} characters)."
    ]


def test_appearance_without_offsets_finds_them_from_the_quote(claim: Claim, source: Source) -> None:
    appearance = Appearance(claim=claim, source=source, quote=QUOTE_7_PERCENT, is_first=True)

    appearance.full_clean()
    appearance.save()

    appearance.refresh_from_db()
    assert appearance.start == SEED_A2.index(QUOTE_7_PERCENT)
    assert SEED_A2[appearance.start : appearance.end] == QUOTE_7_PERCENT


def test_appearance_with_only_a_start_offset_gets_its_end_from_the_quote(claim: Claim, source: Source) -> None:
    start = SEED_A2.index(QUOTE_7_PERCENT)
    appearance = Appearance(claim=claim, source=source, quote=QUOTE_7_PERCENT, start=start)

    appearance.full_clean()

    assert appearance.end == start + len(QUOTE_7_PERCENT)


def test_ambiguous_quote_without_offsets_is_refused_with_the_positions_it_occurs_at(
    claim: Claim, source: Source
) -> None:
    first = SEED_A2.index(TWICE_IN_A2)
    second = SEED_A2.index(TWICE_IN_A2, first + 1)
    assert SEED_A2.count(TWICE_IN_A2) == 2

    errors = errors_of(Appearance(claim=claim, source=source, quote=TWICE_IN_A2))

    assert errors["start"] == [
        f"The quote occurs 2 times in the source (at offsets {first}, {second}): "
        "give the start offset of the one you mean."
    ]
    # Naming the occurrence settles it.
    chosen = Appearance(claim=claim, source=source, quote=TWICE_IN_A2, start=second)
    chosen.full_clean()
    assert chosen.end == second + len(TWICE_IN_A2)


# --- Appearances: what the database holds -------------------------------------------------------------


def test_offsets_count_characters_not_bytes(claim: Claim, source: Source) -> None:
    start = SEED_A2.index(LAVROV_CLOSING)
    assert len(SEED_A2[:start].encode("utf-8")) > start + 500  # many multi-byte letters come before it

    appearance = Appearance(claim=claim, source=source, quote=LAVROV_CLOSING)
    appearance.full_clean()
    appearance.save()  # the trigger compares the database's substring at the same offsets

    appearance.refresh_from_db()
    assert (appearance.start, appearance.end) == (start, start + len(LAVROV_CLOSING))
    assert source.text[appearance.start : appearance.end] == LAVROV_CLOSING
    in_database = Source.objects.annotate(
        length=Length("text"), span=Substr("text", appearance.start + 1, len(LAVROV_CLOSING))
    ).get(pk=source.pk)
    assert in_database.span == LAVROV_CLOSING
    assert in_database.length == len(SEED_A2)


def test_appearance_whose_quote_is_not_the_source_text_at_its_offsets_is_refused_by_the_database(
    claim: Claim, source: Source
) -> None:
    with refused_by_database("appearance quote does not match"):
        Appearance.objects.create(claim=claim, source=source, quote=QUOTE_7_PERCENT, start=0, end=len(QUOTE_7_PERCENT))
    start = SEED_A2.index(QUOTE_7_PERCENT)
    altered = QUOTE_7_PERCENT.replace("7%", "8%")
    with refused_by_database("appearance quote does not match"):
        Appearance.objects.create(claim=claim, source=source, quote=altered, start=start, end=start + len(altered))


def test_moving_an_appearances_offsets_off_its_quote_is_refused_by_the_database(claim: Claim, source: Source) -> None:
    appearance = AppearanceFactory(claim=claim, source=source)

    with refused_by_database("appearance quote does not match"):
        Appearance.objects.filter(pk=appearance.pk).update(start=F("start") + 1, end=F("end") + 1)

    assert Appearance.objects.get(pk=appearance.pk).start == SEED_A2.index(QUOTE_7_PERCENT)


def test_appearance_offsets_must_span_exactly_the_quote_in_the_database(claim: Claim, source: Source) -> None:
    # The text's last characters, with an end past the text: the substring still equals the quote,
    # so only the check constraint can tell that the offsets are wrong.
    quote = SEED_A2[-20:]
    start = len(SEED_A2) - 20

    with refused_by_database("appearance_offsets_span_quote"):
        Appearance.objects.create(claim=claim, source=source, quote=quote, start=start, end=start + 25)


def test_appearance_with_an_empty_span_is_refused_by_the_database(claim: Claim, source: Source) -> None:
    with refused_by_database("appearance_end_after_start|appearance_quote_not_empty"):
        Appearance.objects.create(claim=claim, source=source, quote="", start=10, end=10)


def test_second_first_appearance_of_a_claim_is_refused(claim: Claim, source: Source) -> None:
    AppearanceFactory(claim=claim, source=source, is_first=True)
    start = SEED_A2.index(LAVROV_CLOSING)
    second = Appearance(
        claim=claim, source=source, quote=LAVROV_CLOSING, start=start, end=start + len(LAVROV_CLOSING), is_first=True
    )

    assert errors_of(second)["__all__"] == ["A claim has one first appearance: untick “first appearance” on the other."]
    with refused_by_database(unique_violation("appearance_one_first_per_claim", "claims_appearance.claim_id")):
        second.save()

    second.is_first = False
    second.save()
    assert claim.appearances.count() == 2


def test_changing_a_quoted_span_of_a_source_text_is_refused_by_the_database(source: Source, claim: Claim) -> None:
    AppearanceFactory(claim=claim, source=source)

    source.text = SEED_A2.replace("chỉ 7%", "chỉ 8%")
    with refused_by_database("would break the quotes"):
        source.save()
    with refused_by_database("would break the quotes"):
        Source.objects.filter(pk=source.pk).update(text=SEED_A2.replace("chỉ 7%", "chỉ 8%"))
    # Inserting before the quote moves it away from its offsets: refused as well.
    with refused_by_database("would break the quotes"):
        Source.objects.filter(pk=source.pk).update(text="Cập nhật: " + SEED_A2)

    assert Source.objects.get(pk=source.pk).text == SEED_A2


def test_changing_a_source_text_away_from_its_quotes_is_allowed(source: Source, claim: Claim) -> None:
    AppearanceFactory(claim=claim, source=source)
    appended = SEED_A2 + "\n(Bài viết được cập nhật lúc 10 giờ.)"
    # A same-length fix before the quote leaves every quoted character where it was.
    fixed = "Tướng Haftar đã ra lệnh" + appended[len("Tướng Haftar đã ra lệnh") :]

    source.text = appended
    source.save()
    Source.objects.filter(pk=source.pk).update(text=fixed)

    assert Source.objects.get(pk=source.pk).text == fixed


# --- Verdicts ------------------------------------------------------------------------------------------


def test_verdict_whose_rating_is_missing_is_refused(claim: Claim, researcher: Any) -> None:
    verdict = Verdict(claim=claim, author=researcher)

    assert errors_of(verdict)["rating"] == ["This field cannot be null."]
    with refused_by_database("rating_id"):
        Verdict.objects.create(claim=claim, author=researcher, rating_id=None)


def test_second_verdict_text_in_the_same_language_is_refused(claim: Claim) -> None:
    verdict = VerdictFactory(claim=claim)
    VerdictTextFactory(verdict=verdict, language="vi")
    second = VerdictText(verdict=verdict, language="vi", headline="Con số 7% sai", explanation="Không có nguồn.")

    assert errors_of(second)["__all__"] == ["Verdict text with this Verdict and Language already exists."]
    with refused_by_database(
        unique_violation(
            "verdict_text_one_per_language", "claims_verdicttext.verdict_id", "claims_verdicttext.language"
        )
    ):
        second.save()

    VerdictText.objects.create(verdict=verdict, language="en", headline="7% is unverified", explanation="No source.")
    assert verdict.texts.count() == 2


def test_verdict_text_without_headline_or_explanation_is_refused(claim: Claim) -> None:
    verdict = VerdictFactory(claim=claim)

    no_headline = VerdictText(verdict=verdict, language="vi", headline="", explanation="Không có nguồn.")
    assert list(errors_of(no_headline)) == ["headline"]
    no_explanation = VerdictText(verdict=verdict, language="vi", headline="Chưa kiểm chứng", explanation="")
    assert list(errors_of(no_explanation)) == ["explanation"]
    blank = VerdictText(verdict=verdict, language="vi", headline="   ", explanation="\n\t ")
    assert errors_of(blank) == {
        "headline": ["The headline cannot be blank."],
        "explanation": ["The explanation cannot be blank."],
    }

    with refused_by_database("verdict_text_headline_not_empty"):
        VerdictText.objects.create(verdict=verdict, language="vi", headline="", explanation="Không có nguồn.")
    with refused_by_database("verdict_text_explanation_not_empty"):
        VerdictText.objects.create(verdict=verdict, language="vi", headline="Chưa kiểm chứng", explanation="")


def test_recheck_date_before_the_valid_as_of_date_is_refused(claim: Claim, researcher: Any) -> None:
    backwards = {"valid_as_of": dt.date(2019, 4, 8), "recheck_after": dt.date(2019, 4, 1)}

    verdict = Verdict(claim=claim, author=researcher, rating=rating("unproven"), **backwards)
    assert errors_of(verdict)["__all__"] == ["The re-check date cannot be before the “valid as of” date."]
    with refused_by_database("verdict_recheck_after_valid_as_of"):
        Verdict.objects.create(claim=claim, author=researcher, rating=rating("unproven"), **backwards)

    same_day = Verdict.objects.create(
        claim=claim, author=researcher, rating=rating("unproven"), valid_as_of=dt.date(2019, 4, 8)
    )
    Verdict.objects.filter(pk=same_day.pk).update(recheck_after=dt.date(2019, 4, 8))
    with refused_by_database("verdict_recheck_after_valid_as_of"):
        Verdict.objects.filter(pk=same_day.pk).update(recheck_after=dt.date(2019, 4, 7))


# --- What a published verdict cites is protected -------------------------------------------------------


def test_source_cited_by_an_appearance_cannot_be_deleted(claim: Claim, source: Source) -> None:
    AppearanceFactory(claim=claim, source=source)

    with pytest.raises(ProtectedError), transaction.atomic():
        source.delete()

    assert Source.objects.filter(pk=source.pk).exists()


def test_source_cited_as_evidence_cannot_be_deleted(claim: Claim, source: Source) -> None:
    Evidence.objects.create(verdict=VerdictFactory(claim=claim), source=source, stance=Evidence.Stance.REFUTES)

    with pytest.raises(ProtectedError), transaction.atomic():
        source.delete()

    assert Source.objects.filter(pk=source.pk).exists()


def test_uncited_source_can_be_deleted(source: Source) -> None:
    source.delete()

    assert not Source.objects.filter(pk=source.pk).exists()


def test_rating_used_by_a_verdict_cannot_be_deleted(claim: Claim) -> None:
    VerdictFactory(claim=claim, rating=rating("unproven"))

    with pytest.raises(ProtectedError), transaction.atomic():
        rating("unproven").delete()

    assert rating("unproven").labels.count() == 2


def test_actor_who_made_a_claim_cannot_be_deleted(researcher: Any) -> None:
    mismari = ActorFactory(name="Ahmed al-Mismari")
    ClaimFactory(author=researcher, claimant=mismari)

    with pytest.raises(ProtectedError), transaction.atomic():
        mismari.delete()

    assert Actor.objects.filter(pk=mismari.pk).exists()


# --- The audit trail ------------------------------------------------------------------------------------


def test_review_event_cannot_be_changed_or_deleted(claim: Claim, researcher: Any) -> None:
    event = ReviewEvent.objects.create(claim=claim, actor=researcher, action="create", to_status="draft")

    event.comment = "Viết lại lịch sử"
    with pytest.raises(ValidationError, match="cannot be changed"):
        event.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        event.delete()

    stored = ReviewEvent.objects.get(pk=event.pk)
    assert stored.comment == ""


# --- Sources --------------------------------------------------------------------------------------------


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_source_content_hash_is_the_sha256_of_its_text_and_follows_every_change(source: Source) -> None:
    assert Source.objects.get(pk=source.pk).content_hash == sha256(SEED_A2)

    source.text = SEED_A2 + "\nCập nhật."
    source.save()
    assert Source.objects.get(pk=source.pk).content_hash == sha256(SEED_A2 + "\nCập nhật.")

    source.text = SEED_A2 + "\nCập nhật lần hai."
    source.save(update_fields=["text"])
    assert Source.objects.get(pk=source.pk).content_hash == sha256(SEED_A2 + "\nCập nhật lần hai.")


# --- How rows read ---------------------------------------------------------------------------------------


@pytest.fixture
def cited_source() -> Source:
    outlet = OutletFactory(name="Báo Tin tức Việt Nam")
    return SourceFactory(outlet=outlet, title="Lực lượng của Tướng Haftar tiến vào Tripoli", published_at=APRIL_8)


def test_outlet_actor_place_aliases_and_topic_read_as_their_names() -> None:
    alias = ActorAliasFactory(actor=ActorFactory(name="Muammar Gaddafi"), name="Муаммар Каддафи")
    place = Place.objects.create(name="Libya", country="LY")

    assert str(OutletFactory(name="Báo điện tử Đức Anh")) == "Báo điện tử Đức Anh"
    assert str(alias.actor) == "Muammar Gaddafi"
    assert str(ActorAlias.objects.get(pk=alias.pk)) == "Муаммар Каддафи"
    assert str(place) == "Libya"
    assert str(PlaceAlias.objects.create(place=place, name="ليبيا", language="ar")) == "ليبيا"
    assert str(Topic.objects.create(name="Xung đột vũ trang", slug="xung-dot")) == "Xung đột vũ trang"


def test_source_reads_as_outlet_title_and_date(cited_source: Source) -> None:
    assert str(cited_source) == "Báo Tin tức Việt Nam — Lực lượng của Tướng Haftar tiến vào Tripoli (2019-04-08)"
    assert str(Source(title="Tuyên bố của Điện Kremlin", language="vi")) == "Tuyên bố của Điện Kremlin"


def test_long_claim_reads_as_its_first_words_with_an_ellipsis(researcher: Any) -> None:
    long_text = SEED_A2[:300]
    claim = ClaimFactory(author=researcher, text=long_text)
    flat = " ".join(long_text.split())

    assert str(claim) == flat[:89] + "…"
    assert len(str(claim)) == 90
    assert "\n" not in str(claim)
    assert str(ClaimFactory(author=researcher, text="Nga kêu gọi\n ngừng bắn")) == "Nga kêu gọi ngừng bắn"


def test_translation_and_appearance_read_with_language_and_offsets(claim: Claim, cited_source: Source) -> None:
    english = TranslationFactory(claim=claim, language="en", text="Tripoli controls only 7% of the territory")
    appearance = AppearanceFactory(claim=claim, source=cited_source)
    start = SEED_A2.index(QUOTE_7_PERCENT)

    assert str(english) == "[en] Tripoli controls only 7% of the territory"
    assert str(appearance) == f"{cited_source} [{start}:{start + len(QUOTE_7_PERCENT)}]"


def test_rating_reads_as_its_label_in_the_active_language() -> None:
    unproven = rating("unproven")

    with translation.override("vi"):
        assert str(unproven) == "Chưa được chứng minh"
    with translation.override("en"):
        assert str(unproven) == "Unproven"
    with translation.override("ru"):  # no Russian label: English
        assert str(unproven) == "Unproven"
    assert str(RatingLabel.objects.get(rating=unproven, language="vi")) == "[vi] Chưa được chứng minh"


def test_verdict_its_text_evidence_and_versions_read_with_rating_and_headline(
    claim: Claim, cited_source: Source, researcher: Any
) -> None:
    verdict = VerdictFactory(claim=claim, rating=rating("unproven"))
    text = VerdictTextFactory(verdict=verdict, language="vi", headline="Con số 7% chưa được kiểm chứng")
    evidence = Evidence.objects.create(verdict=verdict, source=cited_source, stance=Evidence.Stance.CONTEXT)
    version = VerdictVersion.objects.create(verdict=verdict, number=2, rating=rating("false"), texts={})

    with translation.override("en"):
        assert str(verdict) == f"Unproven: {claim}"
        assert str(evidence) == f"context: {cited_source}"
        assert str(version) == "v2 — False"
    with translation.override("vi"):
        assert str(verdict).startswith("Chưa được chứng minh: chính quyền ở Tripoli")
        assert str(version) == "v2 — Sai"
    assert str(text) == "[vi] Con số 7% chưa được kiểm chứng"


def test_review_event_reads_as_when_who_and_what(claim: Claim, researcher: Any) -> None:
    event = ReviewEvent.objects.create(
        claim=claim, actor=researcher, action="submit", from_status="draft", to_status="in_review", created_at=APRIL_8
    )
    by_system = ReviewEvent.objects.create(
        claim=claim, action="recheck_due", from_status="published", to_status="published", created_at=APRIL_8
    )

    assert str(event) == "2019-04-08 09:00 rosa_researcher: submit (draft → in_review)"
    with translation.override("en"):
        assert str(by_system) == "2019-04-08 09:00 system: recheck_due (published → published)"


def test_correction_reads_as_its_date_and_note(claim: Claim, publisher: Any) -> None:
    note = "Sửa lại con số thương vong theo thông báo của Bộ Y tế Libya ngày 7/4."
    correction = Correction.objects.create(
        claim=claim, note=note, language="vi", created_by=publisher, created_at=APRIL_8
    )

    assert str(correction) == f"2019-04-08: {note}"


# --- Slugs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Đức", "duc"),
        ("Сергей Лавров", "sergey-lavrov"),
        ("Lëtzebuerg", "letzebuerg"),
        ("Tướng Haftar", "tuong-haftar"),
    ],
)
def test_slugify_any_transliterates_every_script(text: str, slug: str) -> None:
    assert slugify_any(text) == slug


def test_slugify_any_gives_an_ascii_slug_for_arabic() -> None:
    slug = slugify_any("معمر القذافي")

    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug


def test_slugify_any_cuts_a_long_slug_at_a_word_boundary() -> None:
    slug = slugify_any(SEED_A2, max_length=40)

    assert len(slug) <= 40
    assert slugify_any(SEED_A2).startswith(slug + "-")


def test_claim_slug_prefers_the_english_translation(claim: Claim) -> None:
    assert claim.slug.startswith("chinh-quyen-o-tripoli-duoc-lien-hop-quoc-ung-ho")

    ClaimTranslation.objects.create(claim=claim, language="ru", text="правительство в Триполи")
    assert Claim.objects.get(pk=claim.pk).slug.startswith("chinh-quyen-o-tripoli")

    TranslationFactory(claim=claim, language="en", text="The UN-backed government in Tripoli controls only 7%")
    assert Claim.objects.get(pk=claim.pk).slug == "the-un-backed-government-in-tripoli-controls-only-7"
