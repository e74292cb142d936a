"""Data safety: what a published verdict cites is never hard-deleted (admin, API, shell), a PostgreSQL
backup restores every row, and ``backup_json``/``restore_json`` give back every row of every table."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import workflow
from claims.generator import generate
from claims.models import (
    PUBLIC_STATUSES,
    Appearance,
    Claim,
    ClaimCandidate,
    ClaimLink,
    ClaimTip,
    ClaimTranslation,
    Complaint,
    Correction,
    DuplicateSuggestion,
    Evidence,
    ExternalReview,
    ImportRun,
    Rating,
    RatingLabel,
    RatingMapping,
    ReviewEvent,
    SearchDocument,
    Verdict,
    VerdictText,
    VerdictVersion,
)
from claims.search import document_facets
from claims.workflow import Action
from sources.models import Actor, ActorAlias, Outlet, Place, PlaceAlias, Source, SourceSnapshot, hash_text

from .factories import ActorFactory, ClaimFactory, SourceFactory, ready_claim, role_group
from .services import CI


def walk(claim: Claim, *steps: tuple[Any, str]) -> Claim:
    for user, action in steps:
        claim = workflow.transition(claim.pk, user, action, comment="Đã kiểm tra lại nguồn.")
    return claim


@pytest.fixture
def published_claim(ratings: None, researcher: Any, editor: Any, publisher: Any) -> Claim:
    claim = ready_claim(researcher)
    return walk(claim, (researcher, Action.SUBMIT), (editor, Action.APPROVE), (publisher, Action.PUBLISH))


@pytest.fixture
def retracted_claim(published_claim: Claim, publisher: Any) -> Claim:
    return walk(published_claim, (publisher, Action.RETRACT))


@pytest.fixture(autouse=True)
def _english_interface(client: Any) -> None:
    # The admin speaks Vietnamese by default; the messages asserted here are the msgids.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def text_of(response: Any) -> str:
    return response.content.decode("utf-8")


# --- In the admin: the delete page and the bulk action refuse, and say why --------------------------------


@pytest.mark.parametrize("which", ["published_claim", "retracted_claim"])
def test_the_delete_page_of_a_public_claim_sends_the_editor_back_to_retract_it(
    client: Any, request: pytest.FixtureRequest, superuser: Any, which: str
) -> None:
    claim = request.getfixturevalue(which)
    client.force_login(superuser)

    response = client.post(admin_url("claims_claim_delete", claim.pk), {"post": "yes"}, follow=True)

    assert response.redirect_chain == [(admin_url("claims_claim_change", claim.pk), 302)]
    assert "A published or retracted claim cannot be deleted; retract it instead." in text_of(response)
    assert Claim.objects.filter(pk=claim.pk, status=claim.status).exists()
    assert VerdictVersion.objects.filter(verdict__claim=claim).exists()


def test_deleting_selected_claims_names_the_public_ones_and_deletes_none(
    client: Any, superuser: Any, researcher: Any, published_claim: Claim
) -> None:
    draft = ClaimFactory(author=researcher)
    client.force_login(superuser)

    response = client.post(
        admin_url("claims_claim_changelist"),
        {"action": "delete_selected", "_selected_action": [draft.pk, published_claim.pk]},
        follow=True,
    )

    assert f"#{published_claim.pk} A published or retracted claim cannot be deleted" in text_of(response)
    assert "Are you sure" not in text_of(response)
    assert Claim.objects.filter(pk__in=[draft.pk, published_claim.pk]).count() == 2


def test_deleting_selected_drafts_still_works(client: Any, superuser: Any, researcher: Any) -> None:
    drafts = [ClaimFactory(author=researcher) for _ in range(2)]
    client.force_login(superuser)

    client.post(
        admin_url("claims_claim_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in drafts], "post": "yes"},
    )

    assert not Claim.objects.filter(pk__in=[d.pk for d in drafts]).exists()


def cited(claim: Claim) -> dict[str, models.Model]:
    """What the published claim's appearance names: its source, the source's outlet, the claimant."""
    appearance = claim.appearances.select_related("source__outlet").get()
    return {"source": appearance.source, "outlet": appearance.source.outlet, "claimant": claim.claimant}


@pytest.fixture
def named_claim(ratings: None, researcher: Any, editor: Any, publisher: Any) -> Claim:
    """A published claim with a claimant, a mentioned actor and a place."""
    claim = ready_claim(researcher, claimant=ActorFactory(name="Ahmed al-Mismari"))
    claim.mentions.add(ActorFactory(name="Khalifa Haftar"))
    claim.places.add(Place.objects.create(name="Tripoli", country="LY"))
    return walk(claim, (researcher, Action.SUBMIT), (editor, Action.APPROVE), (publisher, Action.PUBLISH))


def protected_targets(claim: Claim) -> list[tuple[str, models.Model]]:
    appearance = claim.appearances.select_related("source__outlet").get()
    return [
        ("sources_source", appearance.source),
        ("sources_outlet", appearance.source.outlet),
        ("sources_actor", claim.claimant),
        ("sources_actor", claim.mentions.get()),
        ("sources_place", claim.places.get()),
        ("claims_rating", claim.verdict.rating),
    ]


def test_what_a_published_claim_cites_or_names_cannot_be_deleted_from_its_admin_page(
    client: Any, superuser: Any, named_claim: Claim
) -> None:
    client.force_login(superuser)
    for prefix, obj in protected_targets(named_claim):
        address = admin_url(f"{prefix}_delete", obj.pk)

        shown = client.get(address)
        confirmed = client.post(address, {"post": "yes"})

        assert "Cannot delete" in text_of(shown), prefix
        assert "protected related objects" in text_of(shown), prefix
        assert confirmed.status_code == 200 and "Cannot delete" in text_of(confirmed), prefix
        assert type(obj).objects.filter(pk=obj.pk).exists(), prefix
    assert named_claim.mentions.count() == 1 and named_claim.places.count() == 1


def test_what_a_published_claim_cites_or_names_cannot_be_deleted_in_bulk(
    client: Any, superuser: Any, named_claim: Claim
) -> None:
    client.force_login(superuser)
    for prefix, obj in protected_targets(named_claim):
        response = client.post(
            admin_url(f"{prefix}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )

        assert "Cannot delete" in text_of(response), prefix
        assert type(obj).objects.filter(pk=obj.pk).exists(), prefix


def test_an_actor_no_claim_names_can_still_be_deleted(client: Any, superuser: Any) -> None:
    actor = ActorFactory(name="Nobody in particular")
    client.force_login(superuser)

    client.post(admin_url("sources_actor_delete", actor.pk), {"post": "yes"})

    assert not Actor.objects.filter(pk=actor.pk).exists()


def test_the_record_of_a_published_claim_has_no_delete_in_the_admin(
    client: Any, superuser: Any, published_claim: Claim, publisher: Any
) -> None:
    workflow.record_correction(published_claim, publisher, "Sửa tiêu đề.")
    client.force_login(superuser)
    records = [
        ("claims_verdict", published_claim.verdict),
        ("claims_reviewevent", published_claim.events.first()),
        ("claims_correction", published_claim.corrections.get()),
    ]
    for prefix, obj in records:
        assert client.post(admin_url(f"{prefix}_delete", obj.pk), {"post": "yes"}).status_code == 403, prefix
        changelist = client.get(admin_url(f"{prefix}_changelist"))
        assert 'value="delete_selected"' not in text_of(changelist) or prefix == "claims_verdict", prefix
        assert type(obj).objects.filter(pk=obj.pk).exists(), prefix


# --- In the shell: PROTECT, and the database's own refusal ---------------------------------------------


def test_the_shell_cannot_cascade_through_what_a_published_claim_cites(named_claim: Claim) -> None:
    appearance = named_claim.appearances.select_related("source__outlet").get()
    for obj in (appearance.source, appearance.source.outlet, named_claim.claimant, named_claim.verdict.rating):
        with pytest.raises(ProtectedError), transaction.atomic():
            obj.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Source.objects.filter(pk=appearance.source_id).delete()

    assert Source.objects.filter(pk=appearance.source_id).exists()
    assert Appearance.objects.filter(claim=named_claim).count() == 1


def test_the_shell_cannot_delete_a_published_verdict_and_its_versions(published_claim: Claim) -> None:
    verdict = published_claim.verdict

    with pytest.raises(ProtectedError), transaction.atomic():
        verdict.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Verdict.objects.filter(pk=verdict.pk).delete()

    assert VerdictVersion.objects.filter(verdict=verdict).count() == 1
    assert verdict.texts.count() == 2


def test_a_corrected_claim_is_protected_by_its_corrections(published_claim: Claim, publisher: Any) -> None:
    workflow.record_correction(published_claim, publisher, "Sửa con số thương vong.")
    Claim.objects.filter(pk=published_claim.pk).update(status="draft")  # past the trigger: PROTECT still holds

    with pytest.raises(ProtectedError), transaction.atomic():
        Claim.objects.get(pk=published_claim.pk).delete()

    assert Correction.objects.filter(claim=published_claim).count() == 1


# --- In the API: no endpoint deletes -----------------------------------------------------------------------


def test_every_api_address_answers_delete_with_a_405_in_the_error_shape(publisher: Any, published_claim: Claim) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=publisher).key}")
    source = published_claim.appearances.get().source
    addresses = [
        f"/api/v1/claims/{published_claim.pk}/",
        f"/api/v1/claims/{published_claim.pk}/verdict/",
        f"/api/v1/claims/{published_claim.pk}/appearances/",
        f"/api/v1/claims/{published_claim.pk}/transitions/",
        f"/api/v1/sources/{source.pk}/",
        f"/api/v1/outlets/{source.outlet_id}/",
        f"/api/v1/actors/{ActorFactory().pk}/",
        "/api/v1/claims/",
        "/api/v1/ratings/",
    ]
    for address in addresses:
        response = api.delete(address)

        assert response.status_code == 405, address
        assert response["Content-Type"].startswith("application/json"), address
        error = response.json()["error"]
        assert error["status"] == 405 and error["code"] == "method_not_allowed", address
        assert "DELETE" in error["message"], address
    assert Claim.objects.filter(pk=published_claim.pk).exists() and Source.objects.filter(pk=source.pk).exists()


# --- A PostgreSQL backup: pg_dump, then pg_restore into a scratch database ----------------------------------

RESTORE_DATABASE = "factcheck_h4_restore"
#: What readers see of claims and verdicts, hashed in id order.
CHECKSUMS = {
    "claims": "SELECT md5(string_agg(id || ':' || status || ':' || text, '|' ORDER BY id)) FROM claims_claim",
    "translations": "SELECT md5(string_agg(id || ':' || text, '|' ORDER BY id)) FROM claims_claimtranslation",
    "verdicts": "SELECT md5(string_agg(id || ':' || headline || ':' || explanation, '|' ORDER BY id)) "
    "FROM claims_verdicttext",
    "versions": "SELECT md5(string_agg(id || ':' || texts::text, '|' ORDER BY id)) FROM claims_verdictversion",
}


def table_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    return {
        table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]  # noqa: S608 - names from pg_tables
        for table in sorted(tables)
    }


def checksums(conn: psycopg.Connection[Any]) -> dict[str, str]:
    return {name: conn.execute(sql).fetchone()[0] for name, sql in CHECKSUMS.items()}  # type: ignore[index]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_give_back_every_row(tmp_path: Path) -> None:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        if CI:
            pytest.fail("CI=true and pg_dump/pg_restore are missing (Debian: postgresql-client).")
        pytest.skip("pg_dump/pg_restore are missing (Debian: postgresql-client)")
    for name in ("Researcher", "Editor", "Publisher"):
        role_group(name)
    call_command("load_demo", verbosity=0)
    settings = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGPORT": str(settings["PORT"] or 5432),
        "PGUSER": settings["USER"] or "postgres",
        "PGPASSWORD": settings["PASSWORD"] or "",
    }
    conninfo = {"host": env["PGHOST"], "port": env["PGPORT"], "user": env["PGUSER"], "password": env["PGPASSWORD"]}
    dump = tmp_path / "factcheck.dump"
    server = psycopg.connect(dbname="postgres", autocommit=True, **conninfo)
    try:
        # What the README says to run: a custom-format dump, restored into a new database.
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), settings["NAME"]], env=env, check=True)
        server.execute(f"DROP DATABASE IF EXISTS {RESTORE_DATABASE} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {RESTORE_DATABASE} TEMPLATE template0 ENCODING 'UTF8'")
        subprocess.run(
            ["pg_restore", "--exit-on-error", "--no-owner", "--dbname", RESTORE_DATABASE, str(dump)],
            env=env,
            check=True,
        )
        with psycopg.connect(dbname=settings["NAME"], **conninfo) as original:
            counts, sums = table_counts(original), checksums(original)
        with psycopg.connect(dbname=RESTORE_DATABASE, **conninfo) as restored:
            assert table_counts(restored) == counts
            assert checksums(restored) == sums
            # The restore is a working database: its triggers came with it.
            public = restored.execute("SELECT id FROM claims_claim WHERE status = 'published' LIMIT 1").fetchone()
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="cannot be deleted"):
                restored.execute("DELETE FROM claims_claim WHERE id = %s", public)
    finally:
        server.execute(f"DROP DATABASE IF EXISTS {RESTORE_DATABASE} WITH (FORCE)")
        server.close()
    assert counts["claims_claim"] == 20 and counts["claims_verdictversion"] > 0
    assert all(sums.values())


# --- The JSON round trip: backup_json, an empty database, restore_json -------------------------------------

#: Tables migrate fills by itself (referred to by natural key in the backup) and logins (not backed up).
NOT_COMPARED = {ContentType, Permission, apps.get_model("sessions", "Session")}


def natural(model: type[models.Model]) -> dict[int, tuple[Any, ...]]:
    return {obj.pk: obj.natural_key() for obj in model._default_manager.all()}  # type: ignore[attr-defined]


def table_digests() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows: primary-key order, values as the ORM reads them.

    Content types and permissions are compared by natural key (``migrate`` numbers them its own way);
    the join tables of many-to-many fields by their pairs (their own ids are never referred to).
    """
    by_natural_key = {ContentType: natural(ContentType), Permission: natural(Permission)}
    digests = {}
    for model in apps.get_models(include_auto_created=True):
        if model in NOT_COMPARED or model._meta.proxy:
            continue
        fields = [f for f in model._meta.concrete_fields if not (model._meta.auto_created and f.primary_key)]
        rows = []
        for values in model._default_manager.order_by("pk").values_list(*[f.attname for f in fields]):
            rows.append(
                tuple(
                    by_natural_key[f.related_model].get(value, value) if f.related_model in by_natural_key else value
                    for f, value in zip(fields, values, strict=True)
                )
            )
        if model._meta.auto_created:
            rows.sort()
        digests[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return digests


#: Everything the round trip must carry, each with rows in the test (so that a loss would show).
MUST_HAVE_ROWS = [
    Claim,
    ClaimTranslation,
    Appearance,
    Verdict,
    VerdictText,
    Evidence,
    VerdictVersion,
    ReviewEvent,
    Correction,
    Source,
    SourceSnapshot,
    Actor,
    ActorAlias,
    Outlet,
    Place,
    PlaceAlias,
    Rating,
    RatingLabel,
    ClaimLink,
    DuplicateSuggestion,
    ClaimCandidate,
    ExternalReview,
    ImportRun,
    RatingMapping,
    ClaimTip,
    Complaint,
    SearchDocument,
    Token,
    LogEntry,
    Claim.mentions.through,
    Claim.places.through,
    Claim.topics.through,
]


def add_what_demo_and_generator_leave_out() -> None:
    """Links, snapshots, an import with its mapping and review, an API token, an admin history line."""
    editor = role_group("Editor").user_set.first()
    first, second = Claim.objects.filter(status="published").order_by("pk")[:2]
    ClaimLink.objects.create(
        from_claim=first, to_claim=second, kind="contradicts", note="Số liệu khác.", created_by=editor
    )
    source = first.appearances.first().source
    now = timezone.now()
    SourceSnapshot.objects.create(
        source=source,
        url=source.url or "https://news.example/a",
        final_url="https://news.example/a?amp=1",
        http_status=200,
        content_type="text/html; charset=utf-8",
        title=source.title,
        text=source.text,
        language=source.language,
        sha256=hash_text(source.text),
        byte_count=len(source.text.encode()),
        fetched_at=now,
        last_seen_at=now,
    )
    run = ImportRun.objects.create(
        location="https://feeds.example/claimreview.json",
        status="done",
        item_count=2,
        created_count=1,
        skipped_count=1,
        problems=[{"item": 2, "reason": "no claimReviewed", "url": "https://feeds.example/2"}],
        created_by=editor,
        finished_at=now,
    )
    false = Rating.objects.get(slug="false")
    RatingMapping.objects.create(label="Faux", label_key="faux", rating=false)
    ExternalReview.objects.create(
        claim=first,
        review_url="https://factuel.example/verif/1",
        publisher="Factuel",
        headline="Non, le GNA ne contrôle pas 7 %",
        language="fr",
        original_label="Faux",
        rating_value=1.0,
        best_rating=5.0,
        worst_rating=1.0,
        rating=false,
        reviewed_at=now,
        item={"@type": "ClaimReview", "reviewRating": {"alternateName": "Faux", "ratingValue": 1}, "author": [{}]},
        import_run=run,
    )
    Token.objects.create(user=editor)
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Claim),
        object_id=str(first.pk),
        object_repr=str(first)[:200],
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Internal notes"]}}]',
    )


def empty_database() -> None:
    Claim.objects.filter(status__in=PUBLIC_STATUSES).update(status="draft")  # the delete trigger refuses them
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_backup_json_and_restore_json_give_back_every_row_of_every_table(tmp_path: Path) -> None:
    for name in ("Researcher", "Editor", "Publisher"):
        role_group(name)
    call_command("load_demo", verbosity=0)
    generate(300, seed=11, batch_size=120)
    add_what_demo_and_generator_leave_out()
    before = table_digests()
    empty = [model._meta.label for model in MUST_HAVE_ROWS if before[model._meta.label][0] == 0]
    assert not empty, f"the test data lacks {empty}"
    backup = tmp_path / "backup.json"

    call_command("backup_json", output=backup, verbosity=0)
    empty_database()
    assert Claim.objects.count() == 0 and Source.objects.count() == 0
    call_command("restore_json", str(backup), verbosity=0)

    after = table_digests()
    assert {label for label in before if before[label] != after[label]} == set()
    assert Claim.objects.count() == 320
    # The restored database goes on: new rows take ids after the restored ones (sequences moved on).
    last_source = Source.objects.order_by("pk").last()
    assert last_source is not None and SourceFactory().pk > last_source.pk


@pytest.mark.django_db(transaction=True)
def test_a_backup_made_before_the_search_facets_is_restored_with_them(tmp_path: Path, researcher: Any) -> None:
    claimant = ActorFactory()
    claims = [ClaimFactory(author=researcher, claimant=claimant), ClaimFactory(author=researcher, language="en")]
    backup = tmp_path / "backup.json"
    call_command("backup_json", output=backup, verbosity=0)
    rows = json.loads(backup.read_text(encoding="utf-8"))
    documents = [row for row in rows if row["model"] == "claims.searchdocument"]
    assert len(documents) == 2
    for row in documents:  # as backup_json wrote them before migration 0022
        del row["fields"]["facets"]
    backup.write_text(json.dumps(rows), encoding="utf-8")
    empty_database()

    call_command("restore_json", str(backup), verbosity=0)

    for claim in claims:
        facets = SearchDocument.objects.get(claim_id=claim.pk).facets
        assert facets == document_facets(claim.language, claim.claimant_id) != ""


@pytest.mark.django_db(transaction=True)
def test_restore_json_refuses_a_database_that_holds_data(tmp_path: Path, researcher: Any) -> None:
    ClaimFactory(author=researcher)
    backup = tmp_path / "backup.json"
    call_command("backup_json", output=backup, verbosity=0)

    with pytest.raises(CommandError, match="restore into a new database"):
        call_command("restore_json", str(backup), verbosity=0)

    assert Claim.objects.count() == 1
