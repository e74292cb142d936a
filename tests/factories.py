"""factory_boy factories: realistic rows, built from the seed articles' real sentences."""

from __future__ import annotations

import importlib
from pathlib import Path

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims.models import Appearance, Claim, ClaimTranslation, Rating, RatingLabel, Verdict, VerdictText
from sources.models import Actor, ActorAlias, Outlet, Source

ARTICLES = Path(__file__).resolve().parent.parent / "claims" / "demo" / "articles"
SEED_A1 = (ARTICLES / "000_148b000f4ba1f632.txt").read_text(encoding="utf-8")
SEED_A2 = (ARTICLES / "002_bebbaa35625aef12.txt").read_text(encoding="utf-8")
QUOTE_7_PERCENT = "đang kiểm soát chỉ 7% lãnh thổ đất nước"


def role_group(name: str) -> Group:
    """The role's group, re-created by its migration's code after a transactional test flushed it."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        roles = importlib.import_module("claims.migrations.0003_newsroom_roles")
        roles.create_roles(django_apps, None)
        importlib.import_module("claims.migrations.0005_reader_inbox_roles").grant_inbox(django_apps, None)
        importlib.import_module("claims.migrations.0009_link_and_duplicate_roles").grant(django_apps, None)
        importlib.import_module("claims.migrations.0011_ingestion_roles").grant(django_apps, None)
        group = Group.objects.get(name=name)
    return group


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.test")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted:
            self.groups.add(role_group(extracted))
        if create:
            self.save()


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Báo Tin tức {n}")
    country = "VN"
    language = "vi"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    outlet = factory.SubFactory(OutletFactory)
    title = factory.Sequence(lambda n: f"Tình hình Libya, bài {n}")
    language = "vi"
    text = SEED_A2
    url = factory.Sequence(lambda n: f"https://news.example/libya/{n}")


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Ahmed al-Mismari {n}")
    kind = Actor.Kind.PERSON


class ActorAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorAlias

    actor = factory.SubFactory(ActorFactory)
    name = "al-Mesmari"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    text = "chính quyền ở Tripoli được Liên Hợp Quốc ủng hộ đang kiểm soát chỉ 7% lãnh thổ đất nước"
    language = "vi"
    author = factory.SubFactory(UserFactory, role="Researcher")


class TranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimTranslation

    claim = factory.SubFactory(ClaimFactory)
    language = "en"
    text = "the UN-backed government in Tripoli controls only 7% of the country's territory"


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appearance

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    quote = QUOTE_7_PERCENT
    start = factory.LazyAttribute(lambda a: a.source.text.index(a.quote))
    end = factory.LazyAttribute(lambda a: a.start + len(a.quote))
    is_first = True


def rating(slug: str = "unproven") -> Rating:
    """A rating of the default scale (created by the ``ratings`` fixture)."""
    return Rating.objects.get(slug=slug)


def make_ratings() -> None:
    from claims.demo.content import RATINGS

    for item in RATINGS:
        r, _ = Rating.objects.get_or_create(
            slug=item["slug"], defaults={"value": item["value"], "rating_class": item["class"]}
        )
        for language, label in item["labels"].items():
            RatingLabel.objects.get_or_create(rating=r, language=language, defaults={"label": label})


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verdict

    claim = factory.SubFactory(ClaimFactory)
    rating = factory.LazyFunction(lambda: rating("unproven"))
    author = factory.LazyAttribute(lambda v: v.claim.author)


class VerdictTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerdictText

    verdict = factory.SubFactory(VerdictFactory)
    language = "vi"
    headline = "Con số 7% chưa được kiểm chứng"
    explanation = "Bài viết không dẫn nguồn cho con số này."


def ready_claim(author: object, **claim_fields: object) -> Claim:
    """A draft claim with everything publishing needs: appearance, verdict with vi + en texts."""
    claim = ClaimFactory(author=author, **claim_fields)
    TranslationFactory(claim=claim)
    AppearanceFactory(claim=claim)
    verdict = VerdictFactory(claim=claim)
    VerdictTextFactory(verdict=verdict, language="vi")
    VerdictTextFactory(verdict=verdict, language="en", headline="The 7% figure is unverified", explanation="No source.")
    return claim
