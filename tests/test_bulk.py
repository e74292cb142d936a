"""``claims.bulk.insert_rows``: COPY on PostgreSQL writes the rows ``bulk_create`` would, and fails as it
would (the SQLite pass checks the ``bulk_create`` fallback against the same expectations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from claims.bulk import insert_rows
from claims.models import ExternalReview

from .factories import ClaimFactory

pytestmark = pytest.mark.django_db

ITEM = {"@type": "ClaimReview", "claimReviewed": "Lực lượng của ông Haftar “kiểm soát” 7%", "nested": [1, None, 2.5]}


def _review(claim: Any, url: str) -> ExternalReview:
    return ExternalReview(
        claim=claim,
        review_url=url,
        publisher="Kiểm chứng",
        headline="Sai: “7%”\ttab\nnew line \\ backslash",
        rating_value=1.5,
        reviewed_at=dt.datetime(2019, 4, 9, 3, 0, tzinfo=dt.UTC),
        item=ITEM,
    )


def test_copied_rows_are_the_rows_bulk_create_writes(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    ExternalReview.objects.bulk_create([_review(claim, "https://a.example/1")])
    before = dt.datetime.now(dt.UTC)

    assert insert_rows(ExternalReview, [_review(claim, "https://a.example/2")]) == 1

    created, copied = ExternalReview.objects.order_by("review_url")
    fields = [f.attname for f in ExternalReview._meta.concrete_fields if f.attname not in {"id", "review_url"}]
    differing = {name for name in fields if getattr(created, name) != getattr(copied, name)}
    assert differing <= {"created_at", "updated_at"}, "only the moments they were made differ"
    assert copied.item == ITEM
    assert copied.updated_at >= before, "auto_now is applied as bulk_create applies it"
    assert insert_rows(ExternalReview, []) == 0


def test_a_duplicate_row_raises_django_s_integrity_error(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    insert_rows(ExternalReview, [_review(claim, "https://a.example/1")])

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(ExternalReview, [_review(claim, "https://a.example/1")])
    assert ExternalReview.objects.count() == 1
