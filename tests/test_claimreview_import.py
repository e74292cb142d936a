"""ClaimReview import: other newsrooms' fact-checks read onto draft claims, as editors use it.

A feed with good, duplicate and broken items imports the good ones and reports each of the others; a
second import changes nothing; changed reviews are updated without overwriting an editor's wording; labels
are read on our scale through the editable mapping; nothing imported reaches a public surface. The
command reads files, stdin and URLs (a local HTTP server, allowed by name as in ``test_fetching``), the
task runs eagerly, the admin starts imports for editors and refuses researchers, our own DataFeed reads
back as itself, and no structure a feed may hold makes the parser raise.
"""

from __future__ import annotations

import gc
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from claims import importing
from claims.importing import FeedError, ImportResult, import_feed, read_feed
from claims.models import (
    Claim,
    ClaimStatus,
    ExternalReview,
    ImportRun,
    ImportStatus,
    RatingMapping,
    ReviewEvent,
    SearchDocument,
)
from claims.search import document_for, search_claims
from claims.tasks import import_claimreview
from claims.workflow import Action
from factcheck.celery import app as celery_app
from sources.models import Actor

from .factories import ActorAliasFactory, ActorFactory, rating
from .pages import PageServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

CLAIM_EN = "The GNA controls only seven percent of the territory of Libya"
CLAIM_VI = "Chính quyền ở Tripoli được Liên Hợp Quốc ủng hộ đang kiểm soát chỉ 7% lãnh thổ đất nước"


def claim_review(
    url: str,
    text: str = CLAIM_EN,
    label: str | None = "False",
    language: str | None = "en",
    claimant: str | None = "Khalifa Haftar",
    claimant_type: str = "Person",
    **extra: Any,
) -> dict[str, Any]:
    """A ClaimReview as fact-checkers publish it (Google's fact-check markup)."""
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": text,
        "datePublished": "2019-04-09",
        "author": {"@type": "Organization", "name": "Libya Fact Check", "url": "https://factcheck.example/"},
        "itemReviewed": {"@type": "Claim", "datePublished": "2019-04-07T10:00:00+02:00"},
        "name": f"Checked: {text[:40]}",
    }
    if language is not None:
        review["inLanguage"] = language
    if claimant is not None:
        review["itemReviewed"]["author"] = {"@type": claimant_type, "name": claimant}
    if label is not None:
        review["reviewRating"] = {
            "@type": "Rating",
            "alternateName": label,
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
        }
    review.update(extra)
    return review


def data_feed(*items: Any) -> dict[str, Any]:
    """Google's DataFeed shape: each element a DataFeedItem carrying one ClaimReview."""
    return {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [{"@type": "DataFeedItem", "item": item} for item in items],
    }


def url(n: int | str) -> str:
    return f"https://factcheck.example/reviews/{n}"


def counts(result: ImportResult) -> tuple[int, int, int, int, int]:
    return (
        result.item_count,
        result.created_count,
        result.updated_count,
        result.unchanged_count,
        result.skipped_count,
    )


# --- The feed of the issue: good, duplicate and broken items ---------------------------------------------


def test_a_feed_of_good_duplicate_and_broken_items_imports_the_good_and_reports_each_other_exactly(editor):
    import_feed(data_feed(claim_review(url("already"))), editor)
    claims_before = Claim.objects.count()
    long_url = "https://factcheck.example/" + "x" * 2030
    feed = data_feed(
        claim_review(url("new")),  # 0: good
        claim_review(url("twice"), label="Mostly false"),  # 1: good, but item 12 has the same url
        "just a string",  # 2
        claim_review(url("article"), **{"@type": "NewsArticle"}),  # 3
        {k: v for k, v in claim_review(url("no-url")).items() if k != "url"},  # 4
        claim_review(url("no-text"), text="   "),  # 5
        claim_review("ftp://factcheck.example/reviews/ftp"),  # 6
        claim_review(long_url),  # 7
        claim_review(url("long-text"), text="x " * 2501),  # 8
        claim_review(url("no-language"), text="Sai?", language=None),  # 9
        claim_review(url("bad-type"), reviewRating="False"),  # 10
        claim_review(url("already")),  # 11: imported before, unchanged
        claim_review(url("twice"), label="Pants on Fire"),  # 12: the later one wins
    )

    result = import_feed(feed, editor)

    assert counts(result) == (13, 2, 0, 1, 10)
    assert result.problems == [
        {
            "index": 1,
            "url": url("twice"),
            "message": "Item 12 has the same url: the later one is imported instead.",
            "kind": "duplicate",
        },
        {"index": 2, "url": None, "message": "The item is not a JSON object but a text.", "kind": "malformed"},
        {
            "index": 3,
            "url": url("article"),
            "message": "The item is not a ClaimReview (its @type is “NewsArticle”).",
            "kind": "malformed",
        },
        {
            "index": 4,
            "url": None,
            "message": "The item has no url: the review's address is what identifies it.",
            "kind": "malformed",
        },
        {
            "index": 5,
            "url": url("no-text"),
            "message": "The item has no claimReviewed: the claim's wording is required.",
            "kind": "malformed",
        },
        {
            "index": 6,
            "url": "ftp://factcheck.example/reviews/ftp",
            "message": "The url “ftp://factcheck.example/reviews/ftp” is not an http:// or https:// web address.",
            "kind": "malformed",
        },
        {"index": 7, "url": long_url[:2048], "message": "The url is longer than 2048 characters.", "kind": "malformed"},
        {
            "index": 8,
            "url": url("long-text"),
            "message": "The claim is 5001 characters long; at most 5000 are accepted.",
            "kind": "malformed",
        },
        {
            "index": 9,
            "url": url("no-language"),
            "message": "The claim's language is unknown: the item has no valid inLanguage and its text is too "
            "short to tell.",
            "kind": "malformed",
        },
        {
            "index": 10,
            "url": url("bad-type"),
            "message": "“reviewRating” should be an object, not a text.",
            "kind": "malformed",
        },
    ]
    assert Claim.objects.count() == claims_before + 2
    twice = ExternalReview.objects.get(review_url=url("twice"))
    assert twice.original_label == "Pants on Fire"
    assert twice.rating == rating("false")
    assert set(ExternalReview.objects.values_list("review_url", flat=True)) == {
        url("already"),
        url("new"),
        url("twice"),
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"@type": "ClaimReview", "url": 42, "claimReviewed": CLAIM_EN}, "“url” should be a text, not a number."),
        (claim_review(url(1), text=["a", "list"]), "“claimReviewed” should be a text, not a list."),
        (claim_review(url(1), itemReviewed="Haftar"), "“itemReviewed” should be an object, not a text."),
        (claim_review(url(1), inLanguage=7), "“inLanguage” should be a language tag, not a number."),
        (
            claim_review(url(1), itemReviewed={"author": {"name": True}}),
            "“itemReviewed.author.name” should be a text, not true or false.",
        ),
        (
            claim_review(url(1), reviewRating={"alternateName": "False", "ratingValue": True}),
            "“reviewRating.ratingValue” should be a number, not true or false.",
        ),
        (
            claim_review(url(1), reviewRating={"alternateName": 0}),
            "“reviewRating.alternateName” should be a text, not a number.",
        ),
        (claim_review(url(1), datePublished=20190409), "“datePublished” should be a text, not a number."),
        (claim_review(url(1), author="Libya Fact Check"), "“author” should be an object, not a text."),
        (claim_review(url(1), note=float("nan")), "The item contains a number JSON cannot carry (NaN or Infinity)."),
        (claim_review(url(1), note="nul \x00 byte"), "The item contains a NUL character, which no text may hold."),
        ({"claimReviewed": CLAIM_EN, "url": url(1)}, "The item is not a ClaimReview: it has no @type."),
    ],
)
def test_each_kind_of_bad_value_skips_its_item_with_a_clear_reason(editor, item, message):
    result = import_feed([item, claim_review(url("good"))], editor)

    assert counts(result) == (2, 1, 0, 0, 1)
    assert result.problems[0]["message"] == message
    assert result.problems[0]["index"] == 0


def review_text(**extra_json: str) -> str:
    """A ClaimReview written as JSON text, with properties given as raw JSON (what ``json.dumps`` cannot
    write: NaN, lone surrogates)."""
    text = json.dumps(claim_review(url(1)), ensure_ascii=False)[:-1]
    return text + "".join(f', "{name}": {value}' for name, value in extra_json.items()) + "}"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"note": "NaN"}, "The item contains a number JSON cannot carry (NaN or Infinity)."),
        ({"note": "[-Infinity]"}, "The item contains a number JSON cannot carry (NaN or Infinity)."),
        ({"note": "1e999"}, "The item contains a number JSON cannot carry (NaN or Infinity)."),
        ({"note": '"nul \\u0000 byte"'}, "The item contains a NUL character, which no text may hold."),
        ({"note": '{"\\u0000": 1}'}, "The item contains a NUL character, which no text may hold."),
        ({"note": '"\\ud800 alone"'}, "The item contains a broken character (an unpaired surrogate)."),
        ({"note": "[" * 65 + "]" * 65}, "The item is nested more than 64 levels deep."),
    ],
)
def test_a_feed_read_from_text_refuses_the_same_values_as_one_given_parsed(editor, extra, message):
    # Items parsed from text are checked without walking them when orjson writes them plainly.
    feed = f"[{review_text(**extra)}, {json.dumps(claim_review(url('good')))}]"

    result = import_feed(feed, editor)

    assert counts(result) == (2, 1, 0, 0, 1)
    assert result.problems[0]["message"] == message


def test_a_plain_item_read_from_text_is_not_walked_value_by_value(editor, monkeypatch):
    walked: list[int] = []
    check_values = importing._check_values

    def walk(value: Any, depth: int = 0) -> None:
        if depth == 0:
            walked.append(1)
        check_values(value, depth)

    monkeypatch.setattr(importing, "_check_values", walk)
    plain, parsed = claim_review(url(1)), claim_review(url(2))

    result = import_feed(json.dumps([plain]), editor)
    assert (counts(result), walked) == ((1, 1, 0, 0, 0), [])

    result = import_feed([parsed], editor)  # given parsed, of any Python types: walked
    assert (counts(result), walked) == ((1, 1, 0, 0, 0), [1])


@pytest.mark.parametrize(
    "extra",
    [
        {"note": "null"},
        {"note": '"a text saying null"'},
        {"note": '"a backslash and u0000: \\\\u0000"'},
        {"note": '["' + "[" * 70 + '"]'},  # more brackets than MAX_DEPTH, in a text
        {"note": "123456789012345678901234567890"},
    ],
)
def test_values_that_only_look_doubtful_in_a_feed_read_from_text_are_imported(editor, extra):
    result = import_feed(f"[{review_text(**extra)}]", editor)

    assert counts(result) == (1, 1, 0, 0, 0)
    assert ExternalReview.objects.get().item["note"] == json.loads(review_text(**extra))["note"]


def test_of_items_sharing_a_url_the_last_valid_one_is_imported_wherever_they_stand(editor):
    feed = [
        claim_review(url("a"), text=f"{CLAIM_EN}, first"),  # 0: duplicate of 3
        claim_review(url("b"), text=f"{CLAIM_EN}, b"),  # 1: imported: the later b is broken
        claim_review(url("a"), text=f"{CLAIM_EN}, broken", label=7),  # 2: broken
        claim_review(" " + url("a") + " ", text=f"{CLAIM_EN}, last"),  # 3: imported (its url stripped)
        claim_review(url("b"), claimReviewed=""),  # 4: broken
        claim_review(url("c"), text=f"{CLAIM_EN}, c"),  # 5: imported
    ]

    result = import_feed(feed, editor, batch_size=1)

    assert counts(result) == (6, 3, 0, 0, 3)
    assert [(problem["index"], problem["kind"]) for problem in result.problems] == [
        (0, "duplicate"),
        (2, "malformed"),
        (4, "malformed"),
    ]
    assert result.problems[0]["message"] == "Item 3 has the same url: the later one is imported instead."
    assert sorted(ExternalReview.objects.values_list("review_url", "claim__text")) == [
        (url("a"), f"{CLAIM_EN}, last"),
        (url("b"), f"{CLAIM_EN}, b"),
        (url("c"), f"{CLAIM_EN}, c"),
    ]
    assert read_feed(feed)[1].problems == result.problems


def test_the_next_chunk_is_validated_while_the_search_documents_of_one_are_written(editor, monkeypatch):
    writing: list[bool] = [False]
    validated: list[tuple[int, bool]] = []
    index_new_claims, read_review = importing.index_new_claims, importing.read_review

    def documents(*args: Any, **kwargs: Any) -> int:
        writing[0] = True
        try:
            return index_new_claims(*args, **kwargs)
        finally:
            writing[0] = False

    def read(raw: Any, index: int = -1, parsed_here: bool = False) -> Any:
        validated.append((index, writing[0]))
        return read_review(raw, index, parsed_here)

    monkeypatch.setattr(importing, "index_new_claims", documents)
    monkeypatch.setattr(importing, "read_review", read)
    feed = [claim_review(url(n), text=f"{CLAIM_EN}, claim {n}") for n in range(5)]
    feed[3]["claimReviewed"] = ""  # broken: the third chunk is item 4 alone

    result = import_feed(feed, editor, batch_size=2)

    assert counts(result) == (5, 4, 0, 0, 1)
    # The first chunk before any writing; each later one while the chunk before writes its documents.
    assert validated == [(0, False), (1, False), (2, True), (3, True), (4, True)]
    assert list(Claim.objects.order_by("pk").values_list("text", flat=True)) == [
        f"{CLAIM_EN}, claim {n}" for n in (0, 1, 2, 4)
    ]


# --- Idempotence and updates ------------------------------------------------------------------------------


def test_importing_the_same_feed_again_creates_nothing_and_changes_nothing(editor):
    feed = data_feed(*(claim_review(url(n), text=f"{CLAIM_EN}, claim {n}") for n in range(5)))
    import_feed(feed, editor)
    snapshot = list(ExternalReview.objects.order_by("pk").values())
    claims, events, documents = Claim.objects.count(), ReviewEvent.objects.count(), SearchDocument.objects.count()

    again = import_feed(feed, editor)

    assert counts(again) == (5, 0, 0, 5, 0)
    assert (Claim.objects.count(), ReviewEvent.objects.count(), SearchDocument.objects.count()) == (
        claims,
        events,
        documents,
    )
    assert list(ExternalReview.objects.order_by("pk").values()) == snapshot


def test_a_changed_review_is_updated_and_its_untouched_draft_follows_the_new_wording(editor):
    import_feed([claim_review(url(1), label="Unverified")], editor)
    review = ExternalReview.objects.get()
    claim_id, version = review.claim_id, review.claim.version

    result = import_feed([claim_review(url(1), text=CLAIM_EN + " today", label="Faux")], editor)

    assert counts(result) == (1, 0, 1, 0, 0)
    review.refresh_from_db()
    assert (review.claim_id, review.original_label, review.rating) == (claim_id, "Faux", rating("false"))
    assert review.claim.text == CLAIM_EN + " today"
    assert review.claim.version == version + 1  # an admin form opened before sees a conflict
    assert search_claims(Claim.objects.all(), "today").filter(pk=claim_id).exists()
    assert Claim.objects.count() == 1


def test_an_editors_wording_is_never_overwritten_by_a_later_import(editor):
    import_feed([claim_review(url(1))], editor)
    claim = ExternalReview.objects.get().claim
    Claim.objects.filter(pk=claim.pk).update(text="The GNA controls 7% of Libya (as the editor put it)")

    result = import_feed([claim_review(url(1), text=CLAIM_EN + " again")], editor)

    assert result.updated_count == 1
    claim.refresh_from_db()
    assert claim.text == "The GNA controls 7% of Libya (as the editor put it)"
    assert ExternalReview.objects.get().item["claimReviewed"] == CLAIM_EN + " again"


def test_a_claim_past_draft_keeps_its_wording_when_the_review_changes(editor):
    import_feed([claim_review(url(1))], editor)
    claim = ExternalReview.objects.get().claim
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)

    import_feed([claim_review(url(1), text=CLAIM_EN + " again")], editor)

    claim.refresh_from_db()
    assert claim.text == CLAIM_EN


# --- What an imported claim is --------------------------------------------------------------------------


def test_an_imported_claim_is_a_draft_by_the_importer_with_its_audit_trail_claimant_date_and_language(editor):
    import_feed([claim_review(url(1), language="EN_us")], editor)

    review = ExternalReview.objects.select_related("claim__claimant").get()
    claim = review.claim
    assert (claim.status, claim.author, claim.text, claim.language) == (ClaimStatus.DRAFT, editor, CLAIM_EN, "en-US")
    assert claim.claim_date.isoformat() == "2019-04-07"
    assert claim.claimant.name == "Khalifa Haftar"
    assert claim.claimant.kind == Actor.Kind.PERSON
    event = ReviewEvent.objects.get(claim=claim)
    assert (event.action, event.actor, event.from_status, event.to_status) == (Action.CREATE, editor, "", "draft")
    assert event.created_at >= claim.created_at, "the creation is recorded once the claim exists"
    assert review.created_at <= review.updated_at
    assert (review.publisher, review.publisher_url, review.headline) == (
        "Libya Fact Check",
        "https://factcheck.example/",
        "Checked: " + CLAIM_EN[:40],
    )
    assert (review.rating_value, review.best_rating, review.worst_rating) == (1.0, 5.0, 1.0)
    assert timezone.localtime(review.reviewed_at).isoformat() == "2019-04-09T00:00:00+07:00"  # newsroom time


def test_a_date_without_an_offset_is_the_newsroom_s_whatever_zone_the_importer_has_active(editor):
    with timezone.override("America/New_York"):
        import_feed([claim_review(url(1))], editor)
    reviewed_at = ExternalReview.objects.get().reviewed_at
    assert timezone.localtime(reviewed_at, timezone.get_default_timezone()).isoformat() == "2019-04-09T00:00:00+07:00"


def test_claimants_are_matched_by_name_or_alias_whatever_the_case_and_accents_or_created_once(editor):
    haftar = ActorFactory(name="Khalifa Haftar")
    mismari = ActorAliasFactory(name="Ahmed al-Mismari", actor__name="LNA spokesman").actor
    feed = [
        claim_review(url(1), claimant="KHALIFA HAFTAR"),
        claim_review(url(2), claimant="Ahmed al-Mismarí"),
        claim_review(url(3), claimant="Bộ Y tế Libya", claimant_type="GovernmentOrganization"),
        claim_review(url(4), claimant="bo y te libya", claimant_type="GovernmentOrganization"),
        claim_review(url(5), claimant=None),
    ]

    import_feed(feed, editor)

    claimant_of = dict(ExternalReview.objects.values_list("review_url", "claim__claimant"))
    assert claimant_of[url(1)] == haftar.pk
    assert claimant_of[url(2)] == mismari.pk
    ministry = Actor.objects.get(name="Bộ Y tế Libya")
    assert ministry.kind == Actor.Kind.ORGANIZATION
    assert claimant_of[url(3)] == claimant_of[url(4)] == ministry.pk
    assert claimant_of[url(5)] is None
    assert Actor.objects.count() == 3


def test_imported_claims_are_indexed_as_the_full_indexer_would_index_them(editor):
    """The import writes search documents from what it has in memory; they must equal ``document_for``'s."""
    mismari = ActorAliasFactory(name="Ahmed al-Mismari", actor__name="LNA spokesman").actor
    ActorAliasFactory(actor=mismari, name="Аль-Мисмари")
    feed = [
        claim_review(url(1), claimant="Ahmed al-Mismari", text="Quân đội LNA bắn hạ một máy bay chiến đấu"),
        claim_review(url(2), claimant="Bộ Y tế Libya", text="Giao tranh ở Tripoli làm 56 người chết"),
        claim_review(url(3), claimant=None, text="The airport was captured"),
    ]

    import_feed(feed, editor)

    fields = ["exact", "text_key", "names_key", "all_key", "sound_key", "facets", "needs_duplicate_scan"]
    for claim in Claim.objects.filter(external_reviews__review_url__in=[url(1), url(2), url(3)]):
        stored = SearchDocument.objects.get(claim=claim)
        expected = document_for(claim)
        assert [getattr(stored, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert "mismari" in SearchDocument.objects.get(claim__external_reviews__review_url=url(1)).names_key


def test_a_missing_language_is_detected_from_the_wording_or_taken_from_the_claim(editor):
    import_feed(
        [
            claim_review(url(1), text=CLAIM_VI, language=None),
            claim_review(url(2), text="GNA: 7%", language=None, itemReviewed={"inLanguage": "vi"}),
        ],
        editor,
    )

    assert dict(ExternalReview.objects.values_list("review_url", "claim__language")) == {url(1): "vi", url(2): "vi"}


def test_rating_numbers_are_kept_as_floats_and_never_turned_into_a_rating(editor):
    item = claim_review(url(1), label="Nonsense on stilts")
    item["reviewRating"].update({"ratingValue": "2", "bestRating": "n/a", "worstRating": 0})

    import_feed([item], editor)

    review = ExternalReview.objects.get()
    assert (review.rating_value, review.best_rating, review.worst_rating, review.rating) == (2.0, None, 0.0, None)


# --- The rating mapping ---------------------------------------------------------------------------------


def test_an_unknown_label_is_added_unmapped_and_mapping_it_in_the_admin_updates_its_reviews(editor, client):
    import_feed([claim_review(url(1), label="Totalement faux"), claim_review(url(2), label="TOTALEMENT FAUX!")], editor)
    mapping = RatingMapping.objects.get(label_key="totalement faux")
    assert (mapping.label, mapping.rating) == ("Totalement faux", None)
    assert set(ExternalReview.objects.values_list("rating", flat=True)) == {None}

    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_ratingmapping_change", args=[mapping.pk]),
        {"rating": rating("false").pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert set(ExternalReview.objects.values_list("rating", flat=True)) == {rating("false").pk}
    assert sorted(ExternalReview.objects.values_list("original_label", flat=True)) == [
        "TOTALEMENT FAUX!",
        "Totalement faux",
    ]
    # Later imports of the label read it through the editor's mapping.
    import_feed([claim_review(url(3), label="totalement  Faux")], editor)
    assert ExternalReview.objects.get(review_url=url(3)).rating == rating("false")


def test_mapping_from_the_editable_list_updates_reviews_and_unmapping_clears_them(editor, superuser, client):
    import_feed([claim_review(url(1), label="Cherry-picked")], editor)
    mapping = RatingMapping.objects.get(label_key="cherry picked")
    client.force_login(editor)
    changelist = reverse("admin:claims_ratingmapping_changelist") + "?mapped=no"
    page = client.get(changelist, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Cherry-picked" in page.content.decode()

    response = client.post(
        changelist,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(mapping.pk),
            "form-0-rating": str(rating("misleading").pk),
            "_save": "Save",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert ExternalReview.objects.get().rating == rating("misleading")
    client.force_login(superuser)
    client.post(reverse("admin:claims_ratingmapping_delete", args=[mapping.pk]), {"post": "yes"})
    assert ExternalReview.objects.get().rating is None


def test_default_mappings_read_common_labels_and_never_overwrite_an_editors_mapping(editor):
    RatingMapping.objects.create(label="Fake", label_key="fake", rating=rating("misleading"))
    labels = ["Faux", "Pants on Fire", "Đúng", "Gây hiểu lầm", "Chưa kiểm chứng", "Mostly true", "Правда", "Fake"]

    import_feed([claim_review(url(n), label=label) for n, label in enumerate(labels)], editor)

    read_as = dict(ExternalReview.objects.values_list("original_label", "rating__slug"))
    assert read_as == {
        "Faux": "false",
        "Pants on Fire": "false",
        "Đúng": "true",
        "Gây hiểu lầm": "misleading",
        "Chưa kiểm chứng": "unproven",
        "Mostly true": "mostly-true",
        "Правда": "true",
        "Fake": "misleading",  # the editor's word stands
    }


def test_the_mapping_list_costs_the_same_queries_for_3_or_12_labels(editor, client):
    client.force_login(editor)
    changelist = reverse("admin:claims_ratingmapping_changelist")

    def queries_for(labels: int) -> int:
        RatingMapping.objects.all().delete()
        RatingMapping.objects.bulk_create(
            RatingMapping(label=f"Label {chr(97 + n)}", label_key=f"label {chr(97 + n)}") for n in range(labels)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(changelist, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)


# --- Nothing imported is public -------------------------------------------------------------------------


def test_imported_claims_stay_off_the_public_api_pages_and_search(editor, client):
    import_feed([claim_review(url(1), text="Tripoli airport was captured by the LNA on 6 April")], editor)
    claim = ExternalReview.objects.get().claim

    listed = APIClient().get("/api/v1/claims/").json()["results"]
    assert claim.pk not in {row["id"] for row in listed}
    assert APIClient().get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    with translation.override("en"):
        page = claim.get_absolute_url()
    assert client.get(page).status_code == 404
    assert claim.text not in client.get("/en/claims/", {"q": "airport captured"}).content.decode()
    # Indexed all the same: the newsroom finds it, the public does not.
    assert list(search_claims(Claim.objects.all(), "airport captured")) == [claim]
    assert not search_claims(Claim.objects.public(), "airport captured").exists()


# --- Feed shapes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    ["single", "list", "graph", "json-lines", "feed-item-list", "feed-of-reviews"],
)
def test_every_accepted_shape_of_feed_imports(editor, shape):
    first, second = claim_review(url(1)), claim_review(url(2), text=CLAIM_VI, language="vi")
    feeds: dict[str, Any] = {
        "single": json.dumps(first),
        "list": json.dumps([first, second]),
        "graph": json.dumps(
            {
                "@context": "https://schema.org",
                "@graph": [{"@type": "WebSite", "url": "https://factcheck.example/"}, first, second],
            }
        ),
        "json-lines": json.dumps(first) + "\n\n" + json.dumps(second) + "\n",
        "feed-item-list": json.dumps(
            {"@type": "DataFeed", "dataFeedElement": [{"@type": "DataFeedItem", "item": [first, second]}]}
        ),
        "feed-of-reviews": json.dumps({"@type": "DataFeed", "dataFeedElement": [first, second]}),
    }

    result = import_feed(feeds[shape], editor)

    expected = 1 if shape == "single" else 2
    assert counts(result) == (expected, expected, 0, 0, 0)


def test_a_broken_line_of_json_lines_is_one_skipped_item(editor):
    text = json.dumps(claim_review(url(1))) + "\n{not json\n" + json.dumps(claim_review(url(2))) + "\n"

    result = import_feed(text, editor)

    assert counts(result) == (3, 2, 0, 0, 1)
    assert result.problems == [{"index": 1, "url": None, "message": "Line 2 is not valid JSON.", "kind": "malformed"}]


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        ("", "The feed is empty."),
        ("<html><body>Not a feed</body></html>", "The feed is not JSON (nor JSON Lines)"),
        ('{"@type": "DataFeed", "dataFeedElement": [', "The feed is not JSON (nor JSON Lines)"),
        ("[]", "No ClaimReview was found."),
        ('{"@type": "DataFeed", "dataFeedElement": []}', "No ClaimReview was found."),
        ('{"@type": "WebPage", "url": "https://factcheck.example/"}', "No ClaimReview was found."),
        ("[1, 2, 3]", "No ClaimReview was found."),
        ('"ClaimReview"', "The feed is JSON, but neither an object nor a list."),
        ('{"@type": "DataFeed", "dataFeedElement": 5}', "The DataFeed has no list of elements"),
        (b"\xff\xfe{}", "The feed is not UTF-8 text."),
    ],
)
def test_a_feed_that_cannot_be_read_at_all_fails_with_a_clear_message_and_writes_nothing(editor, feed, message):
    with pytest.raises(FeedError) as failure:
        import_feed(feed, editor)

    assert message in failure.value.message
    assert not Claim.objects.exists()
    assert gc.isenabled(), "the import paused the garbage collector and left it paused"


def test_a_user_who_may_not_create_claims_cannot_import(outsider):
    with pytest.raises(FeedError, match="may not create claims"):
        import_feed([claim_review(url(1))], outsider)


def test_an_import_runs_without_full_garbage_collections_and_collects_the_young_after_each_chunk(editor):
    """A full collection walks the whole parsed feed (bench/README.md): none starts during an import, whose
    chunks end with a young collection each; the collector is on again afterwards."""
    feed = data_feed(*(claim_review(url(n)) for n in range(5)))
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not gc.isenabled():  # during the import, not before it
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        result = import_feed(feed, editor, batch_size=2)
    finally:
        gc.callbacks.remove(seen)

    assert result.created_count == 5
    assert collections == [1, 1, 1]  # three chunks, one young collection after each, nothing else
    assert gc.isenabled()


# --- Cost: queries per chunk do not grow with its size ----------------------------------------------------


def test_an_import_costs_the_same_queries_for_10_or_30_new_items_in_one_chunk(editor):
    importing.ensure_default_mappings()
    editor.has_perm("claims.add_claim")  # the user's permissions are read once, then cached on it

    def queries_for(first: int, size: int) -> int:
        feed = [
            claim_review(url(n), text=f"{CLAIM_EN}, claim {n}", claimant=f"Speaker {n}", label="Faux")
            for n in range(first, first + size)
        ]
        with CaptureQueriesContext(connection) as queries:
            result = import_feed(feed, editor)
        assert result.created_count == size
        return len(queries)

    assert queries_for(0, 10) == queries_for(100, 30)


@pytest.mark.parametrize("good", [[], [0], [0, 1, 2]])
def test_progress_reaches_the_total_when_items_after_the_last_chunk_or_all_are_skipped(editor, good):
    feed = [claim_review(url(n), text=f"{CLAIM_EN}, claim {n}") for n in range(5)]
    for n in range(5):
        if n not in good:
            feed[n]["claimReviewed"] = ""
    ticks: list[tuple[int, int]] = []

    result = import_feed(feed, editor, batch_size=2, progress=lambda done, total: ticks.append((done, total)))

    assert counts(result) == (5, len(good), 0, 0, 5 - len(good))
    assert ticks[0] == (0, 5)
    assert ticks[-1] == (5, 5)
    assert [done for done, _total in ticks] == sorted(done for done, _total in ticks)


def test_a_feed_larger_than_a_chunk_is_written_chunk_by_chunk_with_the_same_result(editor):
    feed = [claim_review(url(n), text=f"{CLAIM_EN}, claim {n}") for n in range(7)]
    ticks: list[tuple[int, int]] = []

    result = import_feed(feed, editor, batch_size=3, progress=lambda done, total: ticks.append((done, total)))

    assert counts(result) == (7, 7, 0, 0, 0)
    assert ticks == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert ExternalReview.objects.count() == 7


# --- The command ----------------------------------------------------------------------------------------


SERVED_FEED = json.dumps(data_feed(claim_review(url("served-1")), claim_review(url("served-2")))).encode()
FEED_PAGES = {
    "/feed.json": (200, "application/ld+json; charset=utf-8", SERVED_FEED),
    "/feed.jsonl": (
        200,
        "application/x-ndjson",
        b"\n".join(json.dumps(claim_review(url(f"line-{n}"))).encode() for n in range(3)),
    ),
    "/page.html": (200, "text/html; charset=utf-8", b"<html><body>A page</body></html>"),
    "/down": (503, "text/plain", b"later"),
}


@pytest.fixture(scope="module")
def feed_server() -> Iterator[PageServer]:
    """The ingestion tests' local site (``tests.pages``), serving feeds."""
    server = PageServer()
    server.pages.update(FEED_PAGES)
    yield server
    server.stop()


@pytest.fixture
def served(feed_server: Any, settings: Any) -> Callable[[str], str]:
    """The local server's address for a path; ``localhost`` is allowed by name, as in test_fetching."""
    settings.FETCH_ALLOWED_HOSTS = ["localhost"]
    settings.FETCH_CONNECT_TIMEOUT = 2
    settings.FETCH_READ_TIMEOUT = 2
    feed_server.requests.clear()
    return feed_server.url


def run_command(*args: str, stdin: Any = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    options: dict[str, Any] = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = stdin
    call_command("import_claimreview", *args, **options)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file_prints_the_counts_and_records_the_run(editor, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(data_feed(claim_review(url(1)), claim_review(url(2)), 42)), encoding="utf-8")

    out, err = run_command(str(feed), "--user", editor.username)

    assert "3 items read: 2 created, 0 updated, 0 unchanged, 1 skipped." in out
    assert "Skipped item 2 (—): The item is not a JSON object but a number." in err
    run = ImportRun.objects.get()
    assert (run.status, run.location, run.created_by, run.item_count, run.created_count, run.skipped_count) == (
        ImportStatus.DONE,
        str(feed),
        editor,
        3,
        2,
        1,
    )
    assert run.finished_at is not None
    assert set(ExternalReview.objects.values_list("import_run", flat=True)) == {run.pk}

    out, _err = run_command(str(feed), "--user", editor.username, "--batch-size", "1")
    assert "3 items read: 0 created, 0 updated, 2 unchanged, 1 skipped." in out


def test_the_command_reads_standard_input(editor):
    stdin = io.StringIO("\n".join(json.dumps(claim_review(url(n))) for n in range(3)))

    out, _err = run_command("-", "--user", editor.username, stdin=stdin)

    assert "3 items read: 3 created" in out


def test_the_command_fetches_a_url_through_the_guarded_fetcher(editor, served):
    out, _err = run_command(served("/feed.json"), "--user", editor.username)
    assert "2 items read: 2 created" in out
    out, _err = run_command(served("/feed.jsonl"), "--user", editor.username)
    assert "3 items read: 3 created" in out


def test_the_command_refuses_a_private_address_not_allowed_by_name(editor, served, settings):
    settings.FETCH_ALLOWED_HOSTS = []

    with pytest.raises(CommandError, match="not on the public internet"):
        run_command(served("/feed.json"), "--user", editor.username)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "The feed could not be fetched: The page is gone (HTTP 404)."),
        ("/page.html", "not what was expected"),
    ],
)
def test_the_command_fails_cleanly_when_the_url_is_no_feed(editor, served, path, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run_command(served(path), "--user", editor.username)


def test_the_command_fails_cleanly_on_a_file_that_is_no_feed_and_records_why(editor, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text("<html>no</html>", encoding="utf-8")

    with pytest.raises(CommandError, match="The feed is not JSON"):
        run_command(str(feed), "--user", editor.username)

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert "The feed is not JSON" in run.message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/feed.json", "--user", "eva_editor"], "Cannot read /nonexistent/feed.json"),
        (["feed.json", "--user", "nobody"], "There is no user “nobody”."),
        (["feed.json", "--user", "eva_editor", "--batch-size", "0"], "The batch size must be at least 1."),
    ],
)
def test_the_command_refuses_bad_arguments_with_a_message(editor, args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)


def test_the_command_exits_non_zero_without_a_traceback(editor, tmp_path, capsys):
    feed = tmp_path / "feed.json"
    feed.write_text("not json", encoding="utf-8")
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_claimreview", str(feed), "--user", editor.username]).execute()

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "CommandError: The feed is not JSON" in err
    assert "Traceback" not in err


# --- The task -------------------------------------------------------------------------------------------


@pytest.fixture
def english_newsroom(settings: Any) -> None:
    """A run records its messages in the newsroom's language (LANGUAGE_CODE): English for these tests."""
    settings.LANGUAGE_CODE = "en"


def test_the_task_imports_a_run_once_and_leaves_a_finished_run_alone(english_newsroom, editor):
    payload = json.dumps(data_feed(claim_review(url(1)), claim_review(url(2)), "broken"))
    run = ImportRun.objects.create(location="feed.json", payload=payload, created_by=editor)

    assert import_claimreview.delay(run.pk).get() == ImportStatus.DONE

    run.refresh_from_db()
    assert (run.item_count, run.created_count, run.skipped_count) == (3, 2, 1)
    assert run.problems == [
        {"index": 2, "url": None, "message": "The item is not a JSON object but a text.", "kind": "malformed"}
    ]
    finished = run.finished_at
    assert import_claimreview.delay(run.pk).get() == ImportStatus.DONE
    run.refresh_from_db()
    assert run.finished_at == finished
    assert Claim.objects.count() == 2


def test_a_run_left_running_by_a_dead_worker_is_run_again_safely(editor):
    payload = json.dumps(data_feed(claim_review(url(1)), claim_review(url(2))))
    import_feed(payload, editor)  # the dead worker had written everything
    run = ImportRun.objects.create(location="feed.json", payload=payload, created_by=editor, status="running")

    import_claimreview.delay(run.pk)

    run.refresh_from_db()
    assert (run.status, run.created_count, run.unchanged_count) == (ImportStatus.DONE, 0, 2)
    assert Claim.objects.count() == 2


def test_the_task_fetches_a_url_run(editor, served):
    run = ImportRun.objects.create(location=served("/feed.json"), created_by=editor)

    import_claimreview.delay(run.pk)

    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportStatus.DONE, 2)


def test_on_a_worker_a_feed_that_is_down_is_retried_then_the_run_fails_with_the_reason(
    english_newsroom, editor, served, settings
):
    run = ImportRun.objects.create(location=served("/down"), created_by=editor)
    celery_app.conf.task_always_eager = False
    try:
        for attempt in range(import_claimreview.max_retries):
            import_claimreview.push_request(
                id="attempt", args=[run.pk], retries=attempt, is_eager=False, called_directly=False
            )
            try:
                with pytest.raises(Retry):
                    import_claimreview.run(run.pk)
            finally:
                import_claimreview.pop_request()
            run.refresh_from_db()
            assert run.status == ImportStatus.RUNNING  # not failed: it will be tried again
        import_claimreview.push_request(
            id="last", args=[run.pk], retries=import_claimreview.max_retries, is_eager=False, called_directly=False
        )
        try:
            assert import_claimreview.run(run.pk) == "failed"
        finally:
            import_claimreview.pop_request()
    finally:
        celery_app.conf.task_always_eager = True

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.message == "The feed could not be fetched: The site cannot serve the page for now (HTTP 503)."


def test_without_a_worker_a_feed_that_is_down_fails_at_once(editor, served, feed_server):
    run = ImportRun.objects.create(location=served("/down"), created_by=editor)

    assert import_claimreview.delay(run.pk).get() == "failed"

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert "HTTP 503" in run.message
    assert feed_server.requests == ["/down"]


def test_the_task_fails_a_run_for_good_on_a_feed_that_is_no_feed(editor, served, feed_server):
    run = ImportRun.objects.create(location=served("/page.html"), created_by=editor)

    import_claimreview.delay(run.pk)

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert feed_server.requests == ["/page.html"]


# --- The admin ------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


ADD_RUN = "admin:claims_importrun_add"


def test_an_editor_imports_an_uploaded_file_from_the_admin(
    english_newsroom, editor, admin_client, django_capture_on_commit_callbacks
):
    admin_client.force_login(editor)
    upload = SimpleUploadedFile(
        "feed.json", json.dumps(data_feed(claim_review(url(1)), 42)).encode(), content_type="application/json"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse(ADD_RUN), {"url": "", "upload": upload})

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:claims_importrun_change", args=[run.pk])
    assert (run.status, run.location, run.created_by, run.created_count, run.skipped_count) == (
        ImportStatus.DONE,
        "feed.json",
        editor,
        1,
        1,
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "The item is not a JSON object but a number." in page
    assert "2 items read: 1 created, 0 updated, 0 unchanged, 1 skipped." in page


def test_an_editor_imports_a_url_from_the_admin(publisher, admin_client, served, django_capture_on_commit_callbacks):
    admin_client.force_login(publisher)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse(ADD_RUN), {"url": served("/feed.json")})

    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert (run.status, run.location, run.payload, run.created_count) == (
        ImportStatus.DONE,
        served("/feed.json"),
        "",
        2,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Give the feed&#x27;s URL or choose a file."),
        (
            {"url": "https://factcheck.example/feed.json", "upload": json.dumps(claim_review(url(1))).encode()},
            "Give either a feed URL or a file",
        ),
        ({"url": "ftp://factcheck.example/feed.json"}, "Only http:// and https:// addresses can be fetched."),
        ({"upload": b"\xff\xfe\x00not utf-8"}, "The file is not UTF-8 text"),
        ({"upload": b"<html>a page</html>"}, "The feed is not JSON (nor JSON Lines)"),
        ({"upload": b'{"@type": "WebPage"}'}, "No ClaimReview was found."),
        ({"upload": b"x" * 2000}, "at most 1.0\xa0KB can be uploaded"),
    ],
)
def test_a_bad_import_form_is_an_error_on_the_form_and_queues_nothing(editor, admin_client, settings, data, message):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    admin_client.force_login(editor)
    if "upload" in data:
        data = {**data, "upload": SimpleUploadedFile("feed.json", data["upload"])}

    response = admin_client.post(reverse(ADD_RUN), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_researcher_reads_imports_and_reviews_but_cannot_start_an_import_or_map_labels(
    researcher, editor, admin_client
):
    import_feed([claim_review(url(1), label="Bogus")], editor)
    run = ImportRun.objects.create(location="feed.json", created_by=editor, status="done")
    mapping = RatingMapping.objects.get(label_key="bogus")
    admin_client.force_login(researcher)

    assert admin_client.get(reverse(ADD_RUN)).status_code == 403
    assert admin_client.post(reverse(ADD_RUN), {"url": "https://factcheck.example/feed.json"}).status_code == 403
    assert not ImportRun.objects.exclude(pk=run.pk).exists()
    assert admin_client.get(reverse("admin:claims_importrun_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:claims_importrun_change", args=[run.pk])).status_code == 200
    reviews = admin_client.get(reverse("admin:claims_externalreview_changelist"))
    assert reviews.status_code == 200
    claim_id = ExternalReview.objects.get().claim_id
    assert reverse("admin:claims_claim_change", args=[claim_id]) in reviews.content.decode()
    assert admin_client.get(reverse("admin:claims_ratingmapping_changelist")).status_code == 200
    response = admin_client.post(
        reverse("admin:claims_ratingmapping_change", args=[mapping.pk]), {"rating": rating("false").pk}
    )
    assert response.status_code == 403
    mapping.refresh_from_db()
    assert mapping.rating is None


def test_the_reviews_list_costs_the_same_queries_for_3_or_12_reviews(editor, admin_client):
    admin_client.force_login(editor)
    labels = ["Faux", "Sai", "Unheard of"]

    def queries_for(first: int, size: int) -> int:
        import_feed([claim_review(url(n), label=labels[n % 3]) for n in range(first, first + size)], editor)
        admin_client.get(reverse("admin:claims_externalreview_changelist"))  # warms the rating scale's cache
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(reverse("admin:claims_externalreview_changelist"))
        assert page.status_code == 200
        return len(queries)

    assert queries_for(0, 3) == queries_for(100, 9)


def test_staff_without_a_role_sees_no_imports(outsider, admin_client):
    admin_client.force_login(outsider)

    assert admin_client.get(reverse("admin:claims_importrun_changelist")).status_code == 403
    assert admin_client.get(reverse("admin:claims_externalreview_changelist")).status_code == 403


def test_an_external_review_page_shows_the_review_as_imported_and_links_to_its_claim(editor, admin_client):
    import_feed([claim_review(url(1), label="Sai")], editor)
    review = ExternalReview.objects.get()
    admin_client.force_login(editor)

    page = admin_client.get(reverse("admin:claims_externalreview_change", args=[review.pk])).content.decode()

    assert url(1) in page
    assert reverse("admin:claims_claim_change", args=[review.claim_id]) in page
    assert "&quot;claimReviewed&quot;" in page


def test_an_editor_maps_a_label_before_any_review_carries_it(editor, admin_client):
    admin_client.force_login(editor)

    response = admin_client.post(
        reverse("admin:claims_ratingmapping_add"), {"label": "Bịa đặt", "rating": rating("false").pk}
    )

    assert response.status_code == 302
    assert RatingMapping.objects.get(label="Bịa đặt").label_key == "bia dat"
    import_feed([claim_review(url(1), text=CLAIM_VI, language="vi", label="BỊA ĐẶT")], editor)
    assert ExternalReview.objects.get().rating == rating("false")


def test_the_claim_page_can_list_its_reviews_by_other_newsrooms(editor, admin_client, monkeypatch):
    # claims/admin.py wires the inline into ClaimAdmin; until then it is mounted here as it will be.
    from django.contrib import admin as django_admin

    from claims.admin_imports import ExternalReviewInline

    claim_admin = django_admin.site._registry[Claim]
    monkeypatch.setattr(claim_admin, "inlines", [*claim_admin.inlines, ExternalReviewInline])
    import_feed([claim_review(url(1), label="Sai")], editor)
    review = ExternalReview.objects.get()
    admin_client.force_login(editor)

    page = admin_client.get(reverse("admin:claims_claim_change", args=[review.claim_id]))

    assert page.status_code == 200
    assert url(1) in page.content.decode()
    assert "Libya Fact Check" in page.content.decode()


def test_a_label_typed_twice_in_other_spellings_is_refused_in_the_admin(editor, admin_client):
    RatingMapping.objects.create(label="Faux", label_key="faux", rating=rating("false"))
    admin_client.force_login(editor)

    response = admin_client.post(
        reverse("admin:claims_ratingmapping_add"), {"label": "FAUX !", "rating": rating("false").pk}
    )

    assert response.status_code == 200
    assert "already has a mapping" in response.content.decode()
    assert RatingMapping.objects.count() == 1


# --- Our own feed reads back as itself -------------------------------------------------------------------


def test_our_own_claimreview_feed_imports_cleanly_with_our_ratings(editor, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    published = {claim.pk: claim for claim in Claim.objects.published().select_related("verdict__rating", "claimant")}
    feed = APIClient().get("/api/v1/claimreview/", {"page_size": 100}).json()
    assert len(feed["dataFeedElement"]) == len(published) > 0

    result = import_feed(json.dumps(feed), editor)

    assert counts(result) == (len(published), len(published), 0, 0, 0)
    for review in ExternalReview.objects.select_related("claim__claimant"):
        original = published[int(review.review_url.rstrip("/").rsplit("/", 1)[-1].split("-", 1)[0])]
        assert review.rating == original.verdict.rating
        assert review.claim.text == original.text
        assert review.claim.language == original.language
        assert review.claim.status == ClaimStatus.DRAFT
        assert (review.claim.claimant.name if review.claim.claimant else None) == (
            original.claimant.name if original.claimant else None
        )
    assert counts(import_feed(json.dumps(feed), editor)) == (len(published), 0, 0, len(published), 0)


# --- No structure makes the parser raise ------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "@type",
        "@graph",
        "url",
        "claimReviewed",
        "itemReviewed",
        "author",
        "name",
        "reviewRating",
        "alternateName",
        "ratingValue",
        "bestRating",
        "inLanguage",
        "datePublished",
        "dataFeedElement",
        "item",
        "headline",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["ClaimReview", "DataFeed", "DataFeedItem", "Person", "en", "vi", "2019-04-07", url(1)])
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=6),
    max_leaves=30,
)


def _validator_accepts(address: str) -> bool:
    try:
        importing._url_validator(address)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("address", "plain", "valid"),
    [
        ("https://other-newsroom.example/fact-checks/12-345", True, True),
        ("http://Vnexpress.NET:8080?a=1#b", True, True),
        ("https://a.bc#" + "é" * 10, True, True),
        (f"https://{'a' * 63}.example/", True, True),
        (f"https://{'a' * 64}.example/", False, False),  # a label of 64 characters
        (f"https://{'a.' * 125}example/", True, False),  # the shape, but a host of 257 characters
        ("https://example.com/a b", False, False),
        ("https://-example.com/", False, False),
        ("https://example.c0m/", False, False),
        ("HTTPS://example.com/", False, True),
        ("https://xn--bcher-kva.example/", True, True),
        ("https://bücher.example/", False, True),
        ("https://localhost:8000/", False, True),
        ("https://192.168.0.1/", False, True),
        ("https://[::1]:443/", False, True),
        ("https://[::1/", False, False),
        ("https://user:secret@example.com/", False, True),
        ("ftp://example.com/", False, False),
        ("https://example.com./", False, True),
    ],
)
def test_a_common_address_is_judged_by_its_shape_any_other_by_django_s_validator(address, plain, valid):
    assert bool(importing._PLAIN_WEB_ADDRESS.fullmatch(address)) is plain
    assert _validator_accepts(address) is valid
    assert importing._is_web_address(address) is valid


#: Pieces of an address: mostly of the common shape (``importing._PLAIN_WEB_ADDRESS``), some at its edges
#: (any mix of its characters, a character over a limit), some not.
LABEL = st.one_of(
    st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?", fullmatch=True),
    st.text("aX0-", max_size=65),
    st.sampled_from(["é", "a_b", "xn--bcher-kva", "192", "localhost"]),
)
TOP_LABEL = st.one_of(
    st.from_regex(r"[a-zA-Z]{2,63}", fullmatch=True),
    st.text("aX0-", max_size=65),
    st.sampled_from(["c0m", "co.", "a", "xn--p1ai", "рф"]),
)
REST = st.one_of(
    st.tuples(st.sampled_from(["", "/", "?", "#"]), st.from_regex(r"\S*", fullmatch=True)).map("".join),
    st.sampled_from(["/a b", "?q=\t", "# x", "/\n", "/\u00a0"]),
    st.tuples(st.sampled_from(["", "/", "?q=", "#", "@", " ", "\n", ":"]), st.text(max_size=20)).map("".join),
)


@hypothesis_settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(["http://", "https://"]) | st.sampled_from(["Https://", "ftp://", "https:/", "https://u@", ""]),
    st.lists(LABEL, min_size=1, max_size=6),
    TOP_LABEL,
    st.sampled_from(["", ":8080", ":123456", ":"]),
    REST,
)
def test_every_address_is_judged_as_django_s_url_validator_judges_it(scheme, labels, top, port, rest):
    address = f"{scheme}{'.'.join(labels)}.{top}{port}{rest}"
    assert importing._is_web_address(address) is _validator_accepts(address)


@hypothesis_settings(max_examples=300, deadline=None)
@given(JSONISH | JSONISH.map(json.dumps))
def test_no_structure_makes_the_parser_raise_anything_but_a_feed_error(data):
    try:
        reviews, result = read_feed(data)
    except FeedError as error:
        assert error.message
        return
    assert len(reviews) + result.skipped_count == result.item_count
    assert all(problem["message"] for problem in result.problems)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(JSONISH.map(lambda extra: {"extra": extra}), min_size=1, max_size=3), st.data())
def test_whatever_a_valid_review_carries_the_database_stores_it(editor, extras, data):
    items = [
        claim_review(
            url(data.draw(st.integers(0, 5))),
            text=data.draw(st.text(min_size=1, max_size=40).filter(str.strip)),
            label=data.draw(st.none() | st.text(max_size=20)),
            claimant=data.draw(st.none() | st.text(max_size=20)),
            **extra,
        )
        for extra in extras
    ]

    result = import_feed(items, editor)

    assert result.created_count + result.updated_count + result.unchanged_count + result.skipped_count == len(items)


def test_a_run_whose_message_was_lost_is_sent_again_by_the_sweep(editor):
    import datetime as dt

    from claims.tasks import IMPORT_GRACE, sweep_pending_imports

    payload = json.dumps(data_feed(claim_review(url(1))))
    lost = ImportRun.objects.create(location="feed.json", payload=payload, created_by=editor)
    ImportRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - IMPORT_GRACE - dt.timedelta(minutes=1))
    just_queued = ImportRun.objects.create(location="feed.json", payload=payload, created_by=editor)

    assert sweep_pending_imports() == 1
    assert ImportRun.objects.get(pk=lost.pk).status == ImportStatus.DONE
    assert ImportRun.objects.get(pk=just_queued.pk).status == ImportStatus.PENDING
    assert sweep_pending_imports() == 0
