"""The demo loader (``manage.py load_demo``): the newsroom it builds from the seed articles, and that it is
safe to run again — it adds what is missing and never rewrites what editors changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from claims.demo import content
from claims.models import Claim, ClaimStatus, Rating, ReviewEvent
from sources.models import Actor, Outlet, Place, Source

pytestmark = pytest.mark.django_db

ARTICLES_DIR = Path(__file__).resolve().parent.parent / "claims" / "demo" / "articles"
README_LOGINS = {
    "researcher": ("researcher-demo", "Researcher"),
    "editor": ("editor-demo", "Editor"),
    "publisher": ("publisher-demo", "Publisher"),
}
#: The audit trail the loader must leave, by the status content.py gives a claim: (action, by whom).
TRAILS = {
    ClaimStatus.DRAFT: [("create", "researcher")],
    ClaimStatus.IN_REVIEW: [("create", "researcher"), ("submit", "researcher")],
    ClaimStatus.APPROVED: [("create", "researcher"), ("submit", "researcher"), ("approve", "editor")],
    ClaimStatus.PUBLISHED: [
        ("create", "researcher"),
        ("submit", "researcher"),
        ("approve", "editor"),
        ("publish", "publisher"),
    ],
}


def load_demo(**options: Any) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict[str, str]:
    """Every row of the claims and sources apps, the users and the groups, serialised in full."""
    models = [
        *apps.get_app_config("claims").get_models(),
        *apps.get_app_config("sources").get_models(),
        get_user_model(),
        Group,
    ]
    return {model._meta.label: serializers.serialize("json", model.objects.order_by("pk")) for model in models}


def demo_claim(key: str) -> Claim:
    item = next(item for item in content.CLAIMS if item["key"] == key)
    title = next(article["title"] for article in content.ARTICLES if article["key"] == item["article"])
    return Claim.objects.get(text=item["text"], appearances__source__title=title)


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo, loaded once (DEBUG off) for the read-mostly tests of a class; rolled back after it.

    Each test runs in its own savepoint inside this transaction, so what one test changes the next
    does not see.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(DEBUG=False):
                output = load_demo()
            yield output
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.usefixtures("demo")
class TestTheLoadedDemo:
    def test_both_seed_articles_are_sources_with_their_full_text(self) -> None:
        files = sorted(path.read_text(encoding="utf-8") for path in ARTICLES_DIR.glob("*.txt"))

        sources = list(Source.objects.select_related("outlet").order_by("pk"))

        assert len(files) == 2
        assert sorted(source.text for source in sources) == files
        for source in sources:
            assert source.language == "vi"
            assert source.published_at is not None
            published = source.published_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
            assert (published.year, published.month) == (2019, 4)
            assert source.outlet is not None
        assert Outlet.objects.count() == 2
        assert {source.outlet_id for source in sources} == set(Outlet.objects.values_list("pk", flat=True))

    def test_actors_are_loaded_each_with_aliases(self) -> None:
        actors = Actor.objects.annotate(alias_count=Count("aliases"))

        assert actors.count() >= 8
        assert [actor.name for actor in actors if actor.alias_count == 0] == []

    def test_spellings_the_articles_use_are_aliases(self) -> None:
        a1, a2 = (Source.objects.get(title=article["title"]).text for article in content.ARTICLES)
        gaddafi = set(Actor.objects.get(name="Muammar Gaddafi").aliases.values_list("name", flat=True))
        libya = set(Place.objects.get(name="Libya").aliases.values_list("name", flat=True))

        assert {"Gadhafi", "Moamer Gadhafi", "Muammar Gaddafi"} <= gaddafi
        assert "Moamer Gadhafi" in a1
        assert "Muammar Gaddafi" in a2
        assert {"Lybia", "Liyba"} <= libya
        assert "Lybia" in a1
        assert "Liyba" in a1

    def test_the_six_ratings_have_vietnamese_and_english_labels(self) -> None:
        ratings = Rating.objects.prefetch_related("labels").order_by("-value")

        assert [r.slug for r in ratings] == ["true", "mostly-true", "misleading", "mostly-false", "false", "unproven"]
        for rating in ratings:
            labels = {label.language: label.label for label in rating.labels.all()}
            assert set(labels) == {"vi", "en"}
            assert all(labels.values())
        assert rating.label("vi") == "Chưa được chứng minh"
        assert rating.label("en") == "Unproven"

    def test_every_claim_is_verbatim_translated_and_appears_at_its_offsets(self) -> None:
        claims = Claim.objects.prefetch_related("translations", "appearances__source")

        assert claims.count() == len(content.CLAIMS) >= 12
        for claim in claims:
            assert claim.language == "vi"
            appearance = claim.appearances.get(is_first=True)
            source_text = appearance.source.text
            assert source_text[appearance.start : appearance.end] == appearance.quote
            assert claim.text in appearance.quote
            assert claim.text in source_text
            english = claim.translations.get(language="en")
            assert english.text.strip()
            assert english.text != claim.text

    def test_claimants_and_statuses_are_as_the_content_says(self) -> None:
        actor_names = {item["key"]: item["name"] for item in content.ACTORS}

        for item in content.CLAIMS:
            claim = demo_claim(item["key"])
            claimant = claim.claimant.name if claim.claimant else None
            assert (item["key"], claimant) == (item["key"], actor_names.get(item["claimant"] or ""))
            assert (item["key"], claim.status) == (item["key"], item["status"])
        assert Claim.objects.filter(claimant__isnull=False).count() >= 8

    def test_published_claims_have_a_verdict_in_vietnamese_and_english(self) -> None:
        published = Claim.objects.published().select_related("verdict__rating", "verdict__reviewer")

        assert published.count() >= 8
        for claim in published:
            texts = {text.language: text for text in claim.verdict.texts.all()}
            assert set(texts) >= {"vi", "en"}, claim
            for text in texts.values():
                assert text.headline.strip()
                assert text.explanation.strip()
            assert claim.published_at is not None
            assert claim.verdict.reviewer.username == "editor"
            assert claim.verdict.versions.count() == 1

    def test_the_audit_trail_is_the_real_workflow_with_four_eyes(self) -> None:
        for claim in Claim.objects.select_related("author"):
            events = ReviewEvent.objects.filter(claim=claim).select_related("actor").order_by("created_at", "id")
            trail = [(event.action, event.actor.username if event.actor else None) for event in events]
            assert (claim.pk, trail) == (claim.pk, TRAILS[claim.status])
            assert claim.author.username == "researcher"
            assert claim.author not in {event.actor for event in events if event.action in ("approve", "publish")}

    def test_with_debug_off_the_demo_users_have_no_usable_password(self, demo: str) -> None:
        User = get_user_model()

        for username, (_password, group) in README_LOGINS.items():
            user = User.objects.get(username=username)
            assert user.has_usable_password() is False
            assert list(user.groups.values_list("name", flat=True)) == [group]
        assert "DEBUG is off: demo users have no usable password." in demo

    def test_running_it_again_changes_nothing(self) -> None:
        before = snapshot()

        with override_settings(DEBUG=False):
            output = load_demo()

        after = snapshot()
        assert [label for label in before if before[label] != after[label]] == []
        assert after == before
        assert "nothing to do" in output

    def test_running_it_again_keeps_what_editors_changed(self) -> None:
        claim = demo_claim("gna-7-percent")  # content.py names no claimant for it
        haftar = Actor.objects.get(name="Khalifa Haftar")
        claim.claimant = haftar
        claim.save(update_fields=["claimant"])
        mismari = Actor.objects.get(name="Ahmed al-Mismari")
        mismari.description = "Người phát ngôn LNA (biên tập viên đã sửa)."
        mismari.save(update_fields=["description"])
        actors = Actor.objects.count()

        with override_settings(DEBUG=False):
            output = load_demo()

        assert demo_claim("gna-7-percent").claimant == haftar
        assert Actor.objects.get(pk=mismari.pk).description == "Người phát ngôn LNA (biên tập viên đã sửa)."
        assert Actor.objects.count() == actors
        assert "nothing to do" in output

    def test_running_it_again_keeps_an_outlet_an_editor_renamed(self) -> None:
        # The seed files name no publisher; editors are invited to put the real one in.
        placeholder = content.OUTLETS[0]["name"]
        Outlet.objects.filter(name=placeholder).update(name="Báo Tin tức (đã xác minh)")

        with override_settings(DEBUG=False):
            output = load_demo()

        assert not Outlet.objects.filter(name=placeholder).exists()
        assert Outlet.objects.count() == 2
        assert "nothing to do" in output

    def test_running_it_again_keeps_a_source_whose_text_an_editor_amended(self) -> None:
        # Editing a source's text away from quoted spans is allowed; the seed source is found by its reference.
        source = Source.objects.get(title=content.ARTICLES[1]["title"])
        source.text += "\n(Bài viết được cập nhật.)"
        source.save(update_fields=["text"])
        claims = Claim.objects.count()

        with override_settings(DEBUG=False):
            output = load_demo()

        assert Source.objects.count() == 2
        assert Claim.objects.count() == claims
        assert "nothing to do" in output


def test_with_debug_off_known_passwords_are_refused(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        load_demo(with_passwords=True)

    assert not get_user_model().objects.filter(username__in=README_LOGINS).exists()
    assert not Claim.objects.exists()


def test_with_debug_on_the_demo_users_get_the_readme_passwords_and_their_roles(settings: Any) -> None:
    settings.DEBUG = True
    assert not Claim.objects.exists()  # nothing left over from the class above

    output = load_demo()

    User = get_user_model()
    for username, (password, group) in README_LOGINS.items():
        user = User.objects.get(username=username)
        assert user.check_password(password), username
        assert user.is_staff
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert f"{username} / {password}" in output
    assert Claim.objects.published().count() >= 8
