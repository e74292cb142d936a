"""``claims.bulk.insert_rows`` and ``insert_values``: COPY on PostgreSQL writes the rows ``bulk_create`` would,
and fails as it would (the SQLite pass checks the ``bulk_create`` fallback against the same expectations)."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from claims.bulk import alongside, insert_rows, insert_values, young_collections_only
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


def test_json_orjson_cannot_write_is_written_as_django_writes_it(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    item = {**ITEM, "huge": 2**70, "escapes": 'tab\there "quoted" back\\slash \u2028 emoji 🇻🇳'}
    review = _review(claim, "https://a.example/1")
    review.item = item

    insert_rows(ExternalReview, [review])

    assert ExternalReview.objects.get().item == item


def test_rows_given_ids_are_written_with_them_and_can_be_referred_to(researcher: Any) -> None:
    from claims.models import Claim, ClaimStatus, ReviewEvent
    from claims.workflow import Action

    older = ClaimFactory(author=researcher)
    claims = [
        Claim(text=f"Khẳng định số {n}", language="vi", author=researcher, status=ClaimStatus.DRAFT) for n in range(3)
    ]

    assert insert_rows(Claim, claims, with_ids=True) == 3

    ids = [claim.pk for claim in claims]
    assert all(isinstance(pk, int) and pk > older.pk for pk in ids)
    assert len(set(ids)) == 3
    assert not any(claim._state.adding for claim in claims), "saved, as bulk_create leaves them"
    assert dict(Claim.objects.filter(pk__in=ids).values_list("pk", "text")) == {c.pk: c.text for c in claims}
    insert_rows(
        ReviewEvent,
        [ReviewEvent(claim=c, actor=researcher, action=Action.CREATE, to_status=c.status) for c in claims],
    )
    assert ReviewEvent.objects.filter(claim__in=ids).count() == 3
    assert ClaimFactory(author=researcher).pk > max(ids), "the table's own ids go on after the ones taken"


def test_rows_made_as_they_are_written_are_written_and_left_saved(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    made: list[ExternalReview] = []

    def reviews() -> Iterator[ExternalReview]:
        for n in range(3):
            made.append(_review(claim, f"https://a.example/{n}"))
            yield made[-1]

    with CaptureQueriesContext(connection) as nothing:
        assert insert_rows(ExternalReview, iter([])) == 0
    assert insert_rows(ExternalReview, reviews()) == 3

    assert len(nothing) == 0, "nothing to write: no savepoint, no COPY"
    assert sorted(ExternalReview.objects.values_list("review_url", flat=True)) == [r.review_url for r in made]
    assert not any(review._state.adding for review in made), "saved, as bulk_create leaves them"
    with pytest.raises(TypeError, match="give the instances as a sequence"):
        insert_rows(ExternalReview, (review for review in made), with_ids=True)


def test_rows_whose_making_fails_midway_write_nothing_and_stay_new(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    made: list[ExternalReview] = []

    def reviews() -> Iterator[ExternalReview]:
        made.append(_review(claim, "https://a.example/1"))
        yield made[-1]
        raise LookupError("the second row cannot be made")

    with pytest.raises(LookupError, match="the second row"), transaction.atomic():
        insert_rows(ExternalReview, reviews())

    assert not ExternalReview.objects.exists(), "the row written before the failure is not kept"
    assert made[0]._state.adding, "not saved"
    assert insert_rows(ExternalReview, [_review(claim, "https://a.example/2")]) == 1, "the connection still works"


def test_ids_are_only_given_to_new_rows(researcher: Any) -> None:
    from claims.models import Claim

    existing = ClaimFactory(author=researcher)

    with pytest.raises(ValueError, match="some have an id already"):
        insert_rows(Claim, [Claim(text="x", language="en", author=researcher), existing], with_ids=True)


def test_values_are_prepared_as_django_prepares_them(researcher: Any, settings: Any) -> None:
    """What the fast path sends as it is, and what it leaves to the fields: a tag to normalise, a naive
    moment to make aware, a number given as text, a lazy text."""
    from django.utils.functional import lazy

    from claims.models import Claim, ClaimStatus

    lazy_text = lazy(lambda: "Văn bản lười", str)()
    made = [
        Claim(text="Khẳng định", language="VI", author=researcher, status=ClaimStatus.DRAFT),
        Claim(
            text=lazy_text,
            language="en_us",
            author_id=str(researcher.pk),
            status=ClaimStatus.PUBLISHED,
            claim_date=dt.date(2019, 4, 9),
            published_at=dt.datetime(2019, 4, 9, 10, 30),  # naive: read in the site's time zone
            version="3",
        ),
    ]
    expected_published = dt.datetime(2019, 4, 9, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"

    with pytest.warns(RuntimeWarning, match="naive datetime"):
        insert_rows(Claim, made, with_ids=True)

    first, second = Claim.objects.filter(pk__in=[c.pk for c in made]).order_by("pk")
    assert (first.language, first.version, first.claim_date, first.published_at) == ("vi", 1, None, None)
    assert (second.text, second.language, second.author_id, second.version) == (
        "Văn bản lười",
        "en-US",
        researcher.pk,
        3,
    )
    assert second.claim_date == dt.date(2019, 4, 9)
    assert second.published_at == expected_published


def test_rows_that_fail_are_left_new(researcher: Any) -> None:
    from claims.models import Claim, SearchDocument

    claims = [
        Claim(text="Khẳng định", language="vi", author=researcher),
        Claim(text=None, language="vi", author=researcher),
    ]

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Claim, claims, with_ids=True)

    assert [claim.pk for claim in claims] == [None, None], "no ids kept from a failed insert"
    assert not Claim.objects.exists()
    with pytest.raises(ValueError, match="takes ids from a sequence"):
        insert_rows(SearchDocument, [SearchDocument(claim=ClaimFactory(author=researcher))], with_ids=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ids_wait_for_a_generator_run_moving_the_sequence(researcher: Any) -> None:
    """The generator takes a range of ids under an EXCLUSIVE lock on the table (``PostgresWriter.reserve``):
    ids taken meanwhile must come after that range, not from inside it."""
    import threading
    import time

    from django.db import connection

    from claims.models import Claim

    locked, reserved = threading.Event(), {}

    def generator_reserving() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE claims_claim IN EXCLUSIVE MODE")
                cursor.execute("SELECT nextval(pg_get_serial_sequence('claims_claim', 'id'))")
                reserved["first"] = cursor.fetchone()[0]
                locked.set()
                time.sleep(0.5)  # the importer asks for its ids now
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('claims_claim', 'id'), %s)", [reserved["first"] + 1000]
                )
        finally:
            connection.close()

    thread = threading.Thread(target=generator_reserving)
    thread.start()
    assert locked.wait(timeout=10)
    claims = [Claim(text=f"Khẳng định {n}", language="vi", author=researcher) for n in range(3)]
    insert_rows(Claim, claims, with_ids=True)
    thread.join()

    assert min(claim.pk for claim in claims) > reserved["first"] + 1000


def test_bulk_work_pauses_automatic_collections_and_leaves_the_collector_as_it_found_it() -> None:
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not gc.isenabled():
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        assert gc.isenabled()
        with young_collections_only() as collect:
            assert not gc.isenabled()
            garbage = [[] for _ in range(50_000)]  # far past the thresholds of every generation
            del garbage
            with young_collections_only():  # nested: the outer one still holds it
                pass
            assert not gc.isenabled()
            collect()
        assert gc.isenabled()
        assert collections == [1]  # the one asked for: young generations only, no automatic one

        # Two threads' works, the first leaving before the second: the collector waits for the second.
        first, second = young_collections_only(), young_collections_only()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        assert not gc.isenabled()
        second.__exit__(None, None, None)
        assert gc.isenabled()

        with pytest.raises(ZeroDivisionError), young_collections_only():
            1 / 0  # noqa: B018
        assert gc.isenabled()

        gc.disable()  # someone paused it before: it stays paused
        with young_collections_only():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.callbacks.remove(seen)


def test_alongside_does_a_step_of_the_work_after_each_row_and_the_rest_after_the_last() -> None:
    log: list[str] = []

    def work(steps: int) -> Iterator[None]:
        for n in range(steps):
            log.append(f"step {n}")
            yield

    def rows(count: int) -> Iterator[int]:
        for n in range(count):
            log.append(f"row {n}")
            yield n

    assert list(alongside(rows(2), work(4))) == [0, 1]
    assert log == ["row 0", "step 0", "row 1", "step 1", "step 2", "step 3"]

    log.clear()
    assert list(alongside(rows(3), work(1))) == [0, 1, 2]
    assert log == ["row 0", "step 0", "row 1", "row 2"]

    log.clear()
    assert list(alongside(rows(0), work(2))) == []
    assert log == ["step 0", "step 1"]


def test_rows_written_alongside_other_work_are_all_written_and_the_work_all_done(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    done: list[int] = []

    def work() -> Iterator[None]:
        for n in range(5):
            done.append(n)
            yield

    reviews = (_review(claim, f"https://example.org/alongside/{n}") for n in range(3))

    assert insert_rows(ExternalReview, alongside(reviews, work())) == 3

    assert done == [0, 1, 2, 3, 4]
    assert sorted(ExternalReview.objects.values_list("review_url", flat=True)) == [
        f"https://example.org/alongside/{n}" for n in range(3)
    ]


# --- insert_values: rows of values, no instances ------------------------------------------------------------

#: ``_review``'s fields as values (the item and the moments left to their defaults).
VALUE_NAMES = ("claim_id", "review_url", "publisher", "headline", "rating_value", "reviewed_at")


def _values(claim: Any, url: str) -> tuple[Any, ...]:
    review = _review(claim, url)
    return tuple(getattr(review, name) for name in VALUE_NAMES)


def test_rows_of_values_are_the_rows_instances_make_with_the_fields_defaults(researcher: Any) -> None:
    from claims.models import ReviewEvent
    from claims.workflow import Action

    claim = ClaimFactory(author=researcher)
    insert_rows(ExternalReview, [_review(claim, "https://a.example/1")])
    before = dt.datetime.now(dt.UTC)

    assert insert_values(ExternalReview, VALUE_NAMES, [_values(claim, "https://a.example/2")]) == 1

    from_instance, from_values = ExternalReview.objects.order_by("review_url")
    fields = [f.attname for f in ExternalReview._meta.concrete_fields if f.attname not in {"id", "review_url"}]
    differing = {name for name in fields if getattr(from_instance, name) != getattr(from_values, name)}
    assert differing == {"item", "created_at", "updated_at"}, "the item given to one, and the moments"
    assert from_values.item == {}, "a callable default (dict) made for the row"
    assert from_values.headline == "Sai: “7%”\ttab\nnew line \\ backslash"
    assert from_values.created_at >= before and from_values.updated_at >= before, "default now(), auto_now"
    assert from_values.language == "" and from_values.rating_id is None, "the defaults of fields not given"

    names = ("claim_id", "actor_id", "action", "to_status", "created_at")
    moment = dt.datetime(2019, 4, 9, 3, 0, tzinfo=dt.UTC)
    insert_values(ReviewEvent, names, [(claim.pk, researcher.pk, Action.CREATE, "draft", moment)])
    event = ReviewEvent.objects.get(claim=claim, created_at=moment)
    assert (event.actor_id, event.action, event.from_status, event.to_status, event.comment) == (
        researcher.pk,
        Action.CREATE,
        "",
        "draft",
        "",
    ), "a moment given is kept; from_status and comment are their defaults"


def test_values_are_prepared_by_their_fields(researcher: Any) -> None:
    """A tag normalised by its field, JSON written as Django would (orjson where it can), a number as text."""
    claim = ClaimFactory(author=researcher)
    item = {**ITEM, "huge": 2**70, "escapes": 'tab\there "quoted" \u2028 emoji 🇻🇳'}
    names = ("claim_id", "review_url", "language", "item", "best_rating")

    insert_values(ExternalReview, names, [(str(claim.pk), "https://a.example/1", "EN_us", item, "5")])

    review = ExternalReview.objects.get()
    assert (review.claim_id, review.language, review.item, review.best_rating) == (claim.pk, "en-US", item, 5.0)


def test_rows_of_values_made_as_they_are_written(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    made: list[str] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(3):
            made.append(f"https://a.example/{n}")
            yield _values(claim, made[-1])

    with CaptureQueriesContext(connection) as nothing:
        assert insert_values(ExternalReview, VALUE_NAMES, iter([])) == 0
    assert insert_values(ExternalReview, VALUE_NAMES, alongside(rows(), iter([None] * 5))) == 3

    assert len(nothing) == 0, "nothing to write: no savepoint, no COPY"
    assert sorted(ExternalReview.objects.values_list("review_url", flat=True)) == made


def test_rows_of_values_that_fail_write_nothing(researcher: Any) -> None:
    claim = ClaimFactory(author=researcher)
    insert_values(ExternalReview, VALUE_NAMES, [_values(claim, "https://a.example/1")])

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_values(
            ExternalReview, VALUE_NAMES, [_values(claim, "https://a.example/2"), _values(claim, "https://a.example/1")]
        )
    with pytest.raises(ValueError, match="a row of 2 values for 6 fields"), transaction.atomic():
        insert_values(
            ExternalReview, VALUE_NAMES, [_values(claim, "https://a.example/3"), (claim.pk, "https://a.example/4")]
        )

    assert list(ExternalReview.objects.values_list("review_url", flat=True)) == ["https://a.example/1"]
    with pytest.raises(ValueError, match="no writable field"):
        insert_values(ExternalReview, ("claim", "review_url"), [(claim, "https://a.example/5")])
    with pytest.raises(ValueError, match="does not write ids"):
        insert_values(ExternalReview, ("id", *VALUE_NAMES), [(10**9, *_values(claim, "https://a.example/5"))])
    with pytest.raises(ValueError, match="once each"):
        insert_values(ExternalReview, ("review_url", "review_url"), [("https://a.example/5",) * 2])
    assert insert_values(ExternalReview, VALUE_NAMES, [_values(claim, "https://a.example/6")]) == 1, "still works"
