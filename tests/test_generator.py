"""The synthetic data generator (``manage.py generate_claims``): its rows keep every rule the product
holds, the public surfaces serve them at their pinned query budgets, search finds them, and one seed
always gives the same rows."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
import re
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation
from django.utils.html import escape
from rest_framework.test import APIClient

from claims import generator, search, workflow
from claims.generator import (
    ACTORS,
    PLACES,
    BatchBuilder,
    GeneratorError,
    Named,
    RatingInfo,
    Stamps,
    World,
    check_columns,
    generate,
)
from claims.models import (
    PUBLIC_STATUSES,
    Appearance,
    Claim,
    ClaimStatus,
    ClaimTranslation,
    Correction,
    Evidence,
    Rating,
    ReviewEvent,
    SearchDocument,
    Topic,
    Verdict,
    VerdictText,
    VerdictVersion,
)
from claims.search import document_appearances, document_for, search_claims
from sources.models import Actor, ActorAlias, Outlet, Place, PlaceAlias, Source

from .conftest import on_postgres
from .factories import ClaimFactory, SourceFactory, make_ratings, role_group
from .test_public_site import PINNED_QUERIES

CLAIMS_API = "/api/v1/claims/"
#: Query budgets pinned for claims made the ordinary way (tests/test_api_claims.py, test_public_site.py).
API_LIST_QUERIES = 4
API_DETAIL_QUERIES = 7


@pytest.fixture
def roles(db: None) -> None:
    for name in ("Researcher", "Editor", "Publisher"):
        role_group(name)


def test_batches_are_written_without_automatic_garbage_collections_and_a_young_one_every_eighth(
    roles: None,
) -> None:
    """A full collection walks every live row (bench/README.md): none starts while batches are written."""
    paused: list[bool] = []
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not gc.isenabled():  # while the batches are written
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        generate(18, seed=5, batch_size=2, progress=lambda _claims: paused.append(not gc.isenabled()))
    finally:
        gc.callbacks.remove(seen)

    assert paused == [True] * 9, "each batch written with the collector paused"
    assert collections == [1], "one young collection, after the eighth batch of nine"
    assert gc.isenabled()


@pytest.fixture
def generated(roles: None) -> list[Claim]:
    """300 generated claims, in batches of 120 (so the batch boundary is crossed twice)."""
    generate(300, seed=3, batch_size=120)
    return list(Claim.objects.order_by("pk"))


# --- Determinism -------------------------------------------------------------------------------------------

#: What a run writes, for comparing runs: every generated table, and the reference rows it creates.
DIGESTED = [model for model, _columns in generator.TABLES] + [
    get_user_model(),
    Outlet,
    Actor,
    ActorAlias,
    Place,
    PlaceAlias,
    Topic,
    Rating,
]


def digest() -> str:
    """A hash of every row of the generated tables, in primary-key order, values as the ORM reads them."""
    sha = hashlib.sha256()
    for model in DIGESTED:
        fields = [field.attname for field in model._meta.concrete_fields]
        for row in model._default_manager.order_by("pk").values_list(*fields):
            sha.update(repr(row).encode())
        sha.update(model._meta.db_table.encode())
    return sha.hexdigest()


def fresh_database() -> None:
    """Empty tables and sequences, and the newsroom's groups as the migrations create them."""
    Claim.objects.filter(status__in=PUBLIC_STATUSES).update(status="draft")  # the delete trigger refuses them
    call_command("flush", interactive=False, verbosity=0)
    for name in ("Researcher", "Editor", "Publisher"):
        role_group(name)


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_one_seed_gives_the_same_rows_on_a_fresh_database() -> None:
    runs = []
    for _ in range(2):
        fresh_database()
        generate(150, seed=7, batch_size=60)
        runs.append(digest())
    assert Claim.objects.count() == 150
    assert runs[0] == runs[1]
    fresh_database()
    generate(150, seed=8, batch_size=60)
    assert digest() != runs[0], "another seed, other claims"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_a_run_plans_the_search_s_recent_index_for_the_ids_it_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RECENT_DOCUMENTS", 50)
    monkeypatch.setattr(search, "_recent", {})
    fresh_database()
    try:
        generate(150, seed=7, batch_size=60)
        newest = Claim.objects.order_by("-pk").values_list("pk", flat=True)[0]
        # Only the run's last 50 claims went into it: set before the rows were written.
        assert search.recent_threshold() == newest - 50
    finally:
        search.refresh_recent_index(newest=0, force=True)  # as migration 0017 leaves a new database


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.parametrize("bulk", [False, True])
def test_a_run_leaves_the_search_s_band_indexes_built(monkeypatch: pytest.MonkeyPatch, bulk: bool) -> None:
    # A plain run builds them once its rows are in; a bulk run plans them first (on no rows), drops them
    # with the other indexes and builds them from the rows at the end.
    monkeypatch.setattr(search, "RECENT_DOCUMENTS", 50)
    monkeypatch.setattr(search, "BAND_IDS", 40)
    monkeypatch.setattr(search, "_recent", {})
    fresh_database()
    try:
        generate(150, seed=7, batch_size=60, bulk=bulk)
        assert search.recent_threshold() == 100
        assert search.covering_bands(100) == [(80, 120), (40, 80), (0, 40)]
        with connection.cursor() as cursor:
            cursor.execute(  # the band's commonest word
                "SELECT word FROM ts_stat('SELECT terms FROM claims_searchdocument WHERE claim_id > 40 "
                "AND claim_id <= 80') ORDER BY ndoc DESC, word LIMIT 1"
            )
            word = cursor.fetchone()[0]
            in_band_sql = (
                "SELECT count(*) FROM claims_searchdocument d WHERE d.terms @@ %s::tsquery "
                "AND (d.claim_id + 0) > 40 AND (d.claim_id + 0) <= 80"
            )
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + in_band_sql, [word])
            assert "claims_search_band_40_80" in " ".join(row[0] for row in cursor.fetchall())
            cursor.execute(in_band_sql, [word])
            in_band = cursor.fetchone()[0]
            cursor.execute("RESET enable_seqscan")
            cursor.execute(
                "SELECT count(*) FROM claims_searchdocument WHERE terms @@ %s::tsquery AND claim_id > 40 "
                "AND claim_id <= 80",
                [word],
            )
            assert in_band == cursor.fetchone()[0] > 0  # the band's index holds every row of its band
    finally:
        with connection.cursor() as cursor:
            for name, *_bounds in search._band_indexes(cursor):
                cursor.execute(f'DROP INDEX "{name}"')
        search.refresh_recent_index(newest=0, force=True)


def generated_tables_schema() -> tuple[set[str], set[tuple[str, str, bool]]]:
    """Every index and constraint of the tables the generator writes, as PostgreSQL would dump them."""
    tables = [model._meta.db_table for model, _columns in generator.TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY(%s::regclass[])", [tables]
        )
        # The search's recent index moves up with every run (its threshold): its name and shape are kept.
        # A predicate PostgreSQL prints back from its own text places its casts differently (as after
        # pg_dump and restore): casts to text and parentheses are left out of the comparison.
        indexes = {re.sub(r"::text(\[\])?|[()]", "", re.sub(r"> \d+\)", "> N)", row[0])) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [tables],
        )
        constraints = set(cursor.fetchall())
    return indexes, constraints


def bulk_list_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [generator.BULK_TABLE])
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_a_bulk_run_writes_the_same_rows_and_puts_back_every_index_and_foreign_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh_database()
    schema = generated_tables_schema()
    assert len(schema[0]) > 50 and sum(1 for c in schema[1] if c[1].startswith("FOREIGN KEY")) > 20
    assert not generate(150, seed=7, batch_size=60).bulk  # fewer than BULK_MIN_COUNT
    plain = digest()
    fresh_database()
    monkeypatch.setattr(generator, "BULK_MIN_COUNT", 100)
    summary = generate(150, seed=7, batch_size=60)  # a database without claims: bulk
    assert summary.bulk and summary.restoring_seconds > 0
    assert digest() == plain
    assert generated_tables_schema() == schema  # the same definitions, every foreign key validated
    assert not bulk_list_exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_a_bulk_run_that_fails_half_way_puts_everything_back(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh_database()
    schema = generated_tables_schema()
    copy = generator.PostgresWriter._copy
    calls = []

    def failing(self: Any, raw: Any, batch: Any) -> None:
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        copy(self, raw, batch)

    monkeypatch.setattr(generator.PostgresWriter, "_copy", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        generate(150, seed=7, batch_size=60, bulk=True, jobs=1)
    assert generated_tables_schema() == schema
    assert not bulk_list_exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_what_a_killed_bulk_run_dropped_is_re_created_and_checked_before_anything_else() -> None:
    fresh_database()
    generate(20, seed=3)
    schema = generated_tables_schema()
    tables = [model._meta.db_table for model, _columns in generator.TABLES]
    generator.drop_indexes(tables)  # then the process dies: the list stays
    assert bulk_list_exists() and generated_tables_schema() != schema
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND (x.indisunique OR i.relname = 'claims_search_recent')",
            [tables],
        )
        kept = {row[0] for row in cursor.fetchall()}
    # Uniqueness is never suspended; the search's recent index is left to its own refresh.
    assert {"source_url_unique", "appearance_one_first_per_claim", "claims_search_recent"} <= kept

    # A row no foreign key stops meanwhile: re-creating the keys refuses it, and keeps the list.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_claimtranslation (claim_id, language, text, origin, created_at, updated_at) "
            "VALUES (987654321, 'xx', 'orphan', 'human', now(), now())"
        )
    with pytest.raises(
        CommandError, match=r"(?s)violates foreign key constraint.*is not present.*generate_claims --restore-indexes"
    ):
        call_command("generate_claims", restore_indexes=True, stdout=io.StringIO())
    assert bulk_list_exists()
    with pytest.raises(GeneratorError, match="listed in the table generate_claims_dropped"):
        generate(10, seed=4)  # the next run tries first, and says why it cannot go on
    ClaimTranslation.objects.filter(claim_id=987654321).delete()

    out = io.StringIO()
    call_command("generate_claims", restore_indexes=True, stdout=out)
    assert out.getvalue().startswith("Re-created ")
    assert generated_tables_schema() == schema and not bulk_list_exists()

    # The next run mends it too, before writing anything.
    generator.drop_indexes(tables)
    generate(10, seed=4, bulk=False)
    assert generated_tables_schema() == schema and not bulk_list_exists()
    call_command("generate_claims", restore_indexes=True, stdout=out)
    assert out.getvalue().endswith("Nothing to restore.\n")


def test_a_bulk_run_needs_postgresql_outside_a_transaction(roles: None) -> None:
    with pytest.raises(GeneratorError, match="bulk run needs PostgreSQL"):
        generate(5, seed=1, bulk=True)  # the test's own transaction, or SQLite


def fake_world() -> World:
    """Reference rows with made-up ids: the builder never reads the database."""
    named = [
        Named(1000 + n, spec, (spec.name, *(alias for alias, _lang in spec.aliases))) for n, spec in enumerate(ACTORS)
    ]
    places = [Named(2000 + n, spec, (spec.name,)) for n, spec in enumerate(PLACES)]
    return World(
        researchers=[1, 2, 3],
        editors=[4, 5],
        publishers=[6, 7],
        ratings=[RatingInfo(10, "true", "TRUE", {}), RatingInfo(11, "false", "FALSE", {})],
        rating_weights=[1, 3],
        outlets={lang: [(30 + n, f"Outlet {lang}", f"{lang}.example")] for n, lang in enumerate(generator.LANGUAGES)},
        persons=[a for a in named if a.spec.kind == "person"],
        organizations=[a for a in named if a.spec.kind == "organization"],
        countries=[p for p in places if p.spec.kind == "country"],
        cities=[p for p in places if p.spec.kind == "city"],
        topics={slug: 50 + n for n, slug in enumerate(generator.TOPICS)},
    )  # fmt: skip


def built(seed: int) -> dict[str, list[tuple[Any, ...]]]:
    builder = BatchBuilder(fake_world(), seed, dt.date(2026, 1, 1), 400, Stamps("+00", 7 * 3600))
    ids = {model._meta.db_table: 1 for model, _columns in generator.TABLES}
    first = builder.build(0, 200, ids)
    second = builder.build(200, 200, first.next_ids)
    return {table: first.rows[table] + second.rows[table] for table in first.rows}


def test_the_builder_is_pure_and_reproducible() -> None:
    assert built(5) == built(5)
    assert built(5) != built(6)


def test_the_generated_columns_are_the_models_columns() -> None:
    # A field added to a model must be added to the generator (or it would write rows without it).
    assert check_columns() == []


# --- The rows keep the product's rules ---------------------------------------------------------------------


def test_a_sample_passes_the_models_validation(generated: list[Claim]) -> None:
    claims = Claim.objects.filter(pk__in=[c.pk for c in generated[::7]]).prefetch_related(
        "translations", "appearances__source__outlet"
    )
    checked: Counter[str] = Counter()
    for claim in claims:
        claim.full_clean()
        checked["claim"] += 1
        for item in claim.translations.all():
            item.full_clean()
            checked["translation"] += 1
        for appearance in claim.appearances.all():
            appearance.full_clean()
            appearance.source.full_clean()
            appearance.source.outlet.full_clean()
            checked["appearance"] += 1
        if claim.claimant_id:
            claim.claimant.full_clean()
            checked["actor"] += 1
        verdict = Verdict.objects.filter(claim=claim).first()
        if verdict is not None:
            verdict.full_clean()
            for text in verdict.texts.all():
                text.full_clean()
                checked["verdict text"] += 1
            for evidence in verdict.evidence.all():
                evidence.full_clean()
    assert min(checked.values()) > 3, checked
    assert set(checked) == {"claim", "translation", "appearance", "actor", "verdict text"}


def test_every_quote_is_its_source_s_text_at_its_offsets(generated: list[Claim]) -> None:
    appearances = Appearance.objects.filter(claim__in=generated).select_related("source")
    assert appearances.count() >= len(generated)
    for appearance in appearances:
        assert appearance.source.text[appearance.start : appearance.end] == appearance.quote
    assert Appearance.objects.filter(claim__in=generated, is_first=True).count() == len(generated)
    assert {a.source.language for a in appearances} == set(generator.LANGUAGES)


def test_the_status_mix_is_mostly_published_with_every_state(roles: None) -> None:
    generate(1000, seed=11)
    statuses = Counter(Claim.objects.values_list("status", flat=True))
    assert set(statuses) == set(ClaimStatus.values)
    assert 0.75 <= statuses["published"] / 1000 <= 0.85, statuses
    languages = Counter(Claim.objects.values_list("language", flat=True))
    assert set(languages) == {"vi", "en", "fr", "ru", "ar"}
    assert languages["vi"] == max(languages.values())
    texts = " ".join(Claim.objects.values_list("text", flat=True))
    assert any(mark in texts for mark in ("ệ", "ữ", "ấ", "đ")), "Vietnamese with its diacritics"
    assert any("\u0400" <= char <= "\u04ff" for char in texts), "Cyrillic"
    assert any("\u0600" <= char <= "\u06ff" for char in texts), "Arabic script"
    assert ClaimTranslation.objects.filter(origin="human").exists()
    assert ClaimTranslation.objects.filter(origin="machine").exists()
    assert set(Verdict.objects.values_list("rating__slug", flat=True)) == set(
        Rating.objects.values_list("slug", flat=True)
    )
    years = Counter(Claim.objects.values_list("created_at__year", flat=True))
    assert len(years) >= 10, "spread over ten years"
    assert years[2025] > years[2017], "more claims in recent years"


def test_public_claims_have_what_publishing_needs_and_their_history(generated: list[Claim]) -> None:
    public = [claim for claim in generated if claim.status in PUBLIC_STATUSES]
    assert public
    for claim in public:
        assert workflow.publish_problems(claim) == [], claim.pk
        verdict = Verdict.objects.get(claim=claim)
        assert verdict.reviewer_id and verdict.reviewer_id != claim.author_id
        events = list(claim.events.order_by("created_at", "id"))
        actions = [event.action for event in events]
        assert actions[0] == "create"
        assert actions.index("submit") < actions.index("approve") < actions.index("publish")
        assert all(event.actor_id != claim.author_id for event in events if event.action in ("approve", "publish"))
        assert [event.created_at for event in events] == sorted(event.created_at for event in events)
        assert events[-1].to_status == claim.status
        assert claim.published_at == next(event.created_at for event in events if event.action == "publish")
        assert claim.created_at <= claim.published_at <= claim.updated_at <= dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert VerdictVersion.objects.filter(verdict=verdict, number=1).exists()
        if claim.status == ClaimStatus.RETRACTED:
            assert claim.retracted_at and claim.retraction_reason
            assert actions[-1] == "retract"
    corrections = Correction.objects.filter(claim__in=public).select_related("version")
    for correction in corrections:
        assert correction.version.number == 2
        assert "correct" in correction.claim.events.values_list("action", flat=True)
    others = [claim for claim in generated if claim.status not in PUBLIC_STATUSES]
    assert all(claim.published_at is None for claim in others)
    assert all(claim.events.last().to_status == claim.status for claim in others)


def test_search_documents_are_the_ones_indexing_builds(generated: list[Claim]) -> None:
    claims = Claim.objects.filter(pk__in=[c.pk for c in generated]).select_related("claimant")
    claims = claims.prefetch_related(
        "translations", document_appearances(), "claimant__aliases", "mentions__aliases", "places__aliases"
    )
    stored = {d.claim_id: d for d in SearchDocument.objects.filter(claim__in=generated)}
    for claim in claims:
        expected = document_for(claim)
        document = stored[claim.pk]
        for name in ("exact", "text_key", "names_key", "all_key", "sound_key", "facets"):
            assert getattr(document, name) == getattr(expected, name), (claim.pk, name)
        # Generated claims are not queued for a duplicate scan (see claims.generator).
        assert document.needs_duplicate_scan is False


def test_rows_made_the_ordinary_way_after_a_run_get_fresh_ids(generated: list[Claim], ratings: None) -> None:
    # The ids were taken from the sequences: the next ORM insert must not collide with a generated row.
    source = SourceFactory()
    claim = ClaimFactory(author=get_user_model().objects.get(username="gen-researcher-1"))
    assert source.pk > Source.objects.exclude(pk=source.pk).order_by("-pk")[0].pk
    assert claim.pk > max(c.pk for c in generated)
    event = workflow.record_created(claim, claim.author)
    assert event.pk > ReviewEvent.objects.exclude(pk=event.pk).order_by("-pk")[0].pk


# --- The public surfaces serve generated claims ------------------------------------------------------------


def test_the_api_serves_generated_claims_at_the_pinned_query_counts(
    generated: list[Claim], django_assert_num_queries: Any
) -> None:
    client = APIClient()
    client.get(CLAIMS_API)  # warms the cached rating scale
    with django_assert_num_queries(API_LIST_QUERIES):
        response = client.get(CLAIMS_API, {"page_size": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 100
    assert all(row["verdict"] and row["appearances"] for row in rows)
    corrected = Correction.objects.filter(claim__in=generated).values_list("claim_id", flat=True).first()
    assert corrected is not None
    with django_assert_num_queries(API_DETAIL_QUERIES):
        detail = client.get(f"{CLAIMS_API}{corrected}/")
    assert detail.status_code == 200
    assert detail.json()["corrections"]


def test_a_generated_verdict_page_answers_at_the_pinned_query_count(
    client: Any, generated: list[Claim], django_assert_num_queries: Any
) -> None:
    # The pinned page (tests/test_public_site.py) has evidence and a correction: so does this one.
    claim = Claim.objects.get(pk=Correction.objects.filter(claim__in=generated).values_list("claim_id", flat=True)[0])
    for language in ("vi", "en"):
        with translation.override(language):
            address = claim.get_absolute_url()
        assert client.get(address).status_code == 200  # warm the caches (rating scale, languages)
        with django_assert_num_queries(PINNED_QUERIES["verdict"]):
            page = client.get(address)
        assert page.status_code == 200
        assert escape(claim.text) in page.content.decode()
    retracted = next(c for c in generated if c.status == ClaimStatus.RETRACTED)
    assert client.get(retracted.get_absolute_url()).status_code == 200


def test_search_finds_a_generated_claim_by_a_word_of_it(generated: list[Claim]) -> None:
    # A published Vietnamese claim naming a place, and a word of its wording as a reader types it, without
    # diacritics (five letters or more: not a syllable shared by half the claims). Which claims the seed
    # gives depends on where the ids start (PostgreSQL's sequences move on with earlier tests), so look.
    claim, word = next(
        (c, w)
        for c in generated
        if c.status == ClaimStatus.PUBLISHED and c.language == "vi" and c.places.exists()
        for w in SearchDocument.objects.get(claim=c).text_key.split("\n")[0].split()
        if len(w) >= 5
    )
    found = set(search_claims(Claim.objects.public(), word).values_list("pk", flat=True))
    assert claim.pk in found
    response = APIClient().get(CLAIMS_API, {"q": word, "page_size": 100})
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert listed and listed <= found
    # Its place, spelled in another script (Ливия, ليبيا): found through the place's aliases.
    other_script = claim.places.get().aliases.filter(language__in=["ru", "ar"]).first()
    assert other_script is not None
    assert claim.pk in set(search_claims(Claim.objects.public(), other_script.name).values_list("pk", flat=True))


# --- The command ------------------------------------------------------------------------------------------


def test_the_command_adds_claims_and_their_ids_continue(roles: None) -> None:
    out = io.StringIO()
    call_command("generate_claims", count=12, seed=2, no_progress=True, stdout=out)
    assert "Generated 12 claims" in out.getvalue()
    first = set(Claim.objects.values_list("pk", flat=True))
    call_command("generate_claims", count=8, seed=2, no_progress=True, until=dt.date(2020, 6, 30), stdout=io.StringIO())
    second = set(Claim.objects.values_list("pk", flat=True)) - first
    assert len(second) == 8 and min(second) > max(first)
    later = Claim.objects.filter(pk__in=second)
    assert all(claim.created_at < dt.datetime(2020, 6, 30, tzinfo=dt.UTC) for claim in later)
    assert get_user_model().objects.filter(username__startswith="gen-").count() == len(generator.USERS)
    assert Actor.objects.filter(name="Khalid al-Qadhi").count() == 1, "reference rows are reused"


def test_the_command_refuses_a_count_below_one(roles: None) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_claims", count=0, no_progress=True)
    with pytest.raises(CommandError, match="--count is required"):
        call_command("generate_claims", no_progress=True)


def test_the_rating_scale_is_created_when_missing(roles: None) -> None:
    assert not Rating.objects.exists()
    generate(5, seed=1)
    assert Rating.objects.filter(slug="mostly-false", labels__language="vi").exists()


def test_an_existing_scale_is_used(roles: None) -> None:
    make_ratings()
    before = Rating.objects.count()
    generate(40, seed=1)
    assert Rating.objects.count() == before
    assert Verdict.objects.exists()


# --- PostgreSQL: the COPY path ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_on_postgresql_rows_go_through_copy_and_the_search_terms_are_computed(generated: list[Claim]) -> None:
    assert isinstance(generator.writer_for_connection(), generator.PostgresWriter)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM claims_searchdocument WHERE length(terms) > 0 AND claim_id = ANY(%s)",
            [[c.pk for c in generated]],
        )
        assert cursor.fetchone()[0] == len(generated)
        cursor.execute("SELECT pg_sequence_last_value(pg_get_serial_sequence('claims_claim', 'id'))")
        assert cursor.fetchone()[0] == max(c.pk for c in generated)


@pytest.mark.postgres
def test_on_postgresql_the_quote_trigger_still_guards_generated_sources(generated: list[Claim]) -> None:
    from django.db import IntegrityError, transaction

    appearance = Appearance.objects.filter(claim__in=generated).select_related("source").first()
    assert appearance is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=appearance.source_id).update(text="rewritten")


def test_sqlite_is_written_with_plain_inserts_when_it_is_the_database(generated: list[Claim]) -> None:
    if on_postgres():
        pytest.skip("the SQLite path: runs in the SQLite pass")
    assert isinstance(generator.writer_for_connection(), generator.SqliteWriter)
    assert Evidence.objects.filter(verdict__claim__in=generated).exists()
    assert VerdictText.objects.filter(verdict__claim__in=generated).values("language").distinct().count() >= 3
