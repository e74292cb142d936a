"""The public site as readers, search engines and feed readers meet it, in Vietnamese and English.

Every page answers in its language; nothing unpublished reaches a page, a feed, a sitemap or the
corrections log; what staff and readers type cannot break out of the HTML or the JSON-LD; filters and
page links survive bad input; the reader forms store what they should and nothing else; and each page
costs a fixed number of queries however many claims there are.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import django_ratelimit.core
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from claims import search, workflow
from claims.models import (
    MAX_READER_MESSAGE,
    MAX_TIP_TEXT,
    Claim,
    ClaimStatus,
    ClaimTip,
    Complaint,
    Correction,
    Evidence,
    Rating,
)
from claims.selectors import _encode
from claims.workflow import Action, VerdictContent
from sources.languages import language_name
from sources.models import Actor, Outlet, Source

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

LANGUAGES = ("vi", "en")
SITE = "https://factcheck.example"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SECTIONS = ("pages", "claims", "actors", "sources", "outlets")

# Quotes of the second seed article, each occurring once in it.
QUOTE_75 = "viên tướng chỉ huy 75 tuổi"
QUOTE_14 = "ít nhất đã có 14 binh sĩ LNA thiệt mạng"
QUOTE_AIRPORT = "đã chiếm được sân bay quốc tế Tripoli"

HOSTILE = 'Haftar nói "</script><script>alert(1)</script>" và <img src=x onerror=alert(1)> & hơn thế'
HOSTILE_EN = 'Haftar said "</script><script>alert(1)</script>" and <img src=x onerror=alert(1)> & more'


# --- Helpers -----------------------------------------------------------------------------------------------


def publish(claim: Claim, editor: Any, publisher: Any) -> Claim:
    workflow.transition(claim.pk, claim.author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)
    return workflow.transition(claim.pk, publisher, Action.PUBLISH)


def retract(claim: Claim, publisher: Any, reason: str) -> Claim:
    return workflow.transition(claim.pk, publisher, Action.RETRACT, reason)


def in_language(language: str, obj: Any = None, name: str = "", **kwargs: Any) -> str:
    """The path of an object's public page (or a named page) in one interface language."""
    with translation.override(language):
        return obj.get_absolute_url() if obj is not None else reverse(name, kwargs=kwargs or None)


def words(reader: str, message: str, **values: Any) -> str:
    """An interface message as a reader of that language sees it in the page's HTML."""
    with translation.override(reader):
        text = gettext(message)
    return escape(text % values if values else text)


def get_page(client: Client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, f"{path} answered {response.status_code}, not {status}"
    return response.content.decode()


def card_ids(page: str, language: str) -> list[int]:
    """The claims listed as cards on a page, in order (each card's heading links to the verdict)."""
    return [int(pk) for pk in re.findall(rf'<h2><a href="/{language}/claims/(\d+)-', page)]


def next_link(page: str) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def parse_xml(body: str | bytes) -> ET.Element:
    """Our own feed or sitemap, parsed strictly: a malformed document fails the test."""
    return ET.fromstring(body)  # noqa: S314 - the site's own response, not untrusted input


def jsonld_blocks(page: str) -> list[str]:
    return JSONLD.findall(page)


def alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def leaked(body: str, allowed: tuple[str, ...] = ()) -> set[str]:
    """The markers of unpublished material (all spelled ZZ + capitals) that a body contains.

    Whole words only: a random token in the page (the CSRF token) can hold "ZZYG" inside it."""
    return set(re.findall(r"\bZZ[A-Z]+\b", body)) - set(allowed)


def rating_label(slug: str, language: str) -> str:
    return Rating.objects.prefetch_related("labels").get(slug=slug).label(language)


def make_claim(
    author: Any,
    text: str,
    *,
    language: str = "vi",
    translation_text: str | None = None,
    translation_language: str = "en",
    origin: str = "human",
    claimant: Actor | None = None,
    source: Source | None = None,
    quote: str = QUOTE_7_PERCENT,
    rating_slug: str = "unproven",
    headlines: dict[str, str] | None = None,
    explanations: dict[str, str] | None = None,
    evidence: list[Source] | None = None,
    mentions: list[Actor] | None = None,
    extra_appearances: list[tuple[Source, str]] | None = None,
) -> Claim:
    """A draft claim with everything publishing needs; every text it shows can be chosen."""
    claim = ClaimFactory(author=author, text=text, language=language, claimant=claimant)
    if translation_text:
        TranslationFactory(claim=claim, language=translation_language, text=translation_text, origin=origin)
    AppearanceFactory(claim=claim, source=source or SourceFactory(), quote=quote)
    for other, other_quote in extra_appearances or []:
        AppearanceFactory(claim=claim, source=other, quote=other_quote, is_first=False)
    verdict = VerdictFactory(claim=claim, rating=rating(rating_slug))
    headlines = headlines or {"vi": "Con số chưa được kiểm chứng", "en": "The figure is unverified"}
    explanations = explanations or {"vi": "Bài viết không dẫn nguồn.", "en": "The article cites no source."}
    for lang, headline in headlines.items():
        VerdictTextFactory(verdict=verdict, language=lang, headline=headline, explanation=explanations[lang])
    for cited in evidence or []:
        Evidence.objects.create(verdict=verdict, source=cited, stance=Evidence.Stance.REFUTES, note="Bộ Y tế")
    if mentions:
        claim.mentions.add(*mentions)
    return claim


def correct(claim: Claim, publisher: Any, rating_slug: str, note: str, evidence: list[Source] | None = None) -> Any:
    return workflow.correct_verdict(
        claim.pk,
        publisher,
        VerdictContent(
            rating=rating_slug,
            texts={
                "vi": ("Con số đã được xem lại", "Số liệu mới của Bộ Y tế."),
                "en": ("The figure was reviewed", "New figures from the ministry."),
            },
            evidence=tuple((s.pk, "refutes", "") for s in evidence or []),
        ),
        note,
        language="vi",
    )


@dataclass
class World:
    """A small published newsroom: claims by one actor, quoted from one outlet's article."""

    outlet: Outlet
    source: Source
    evidence_source: Source
    actor: Actor
    mentioned: Actor
    claim: Claim
    retracted: Claim
    correction: Correction
    people: SimpleNamespace
    claims: list[Claim] = field(default_factory=list)

    def add_published(self, count: int) -> None:
        """More verdicts by the same actor from the same article, each corrected, every third retracted."""
        p = self.people
        for i in range(count):
            claim = make_claim(
                p.researcher,
                f"Tuyên bố số {len(self.claims) + 1} về Tripoli",
                translation_text=f"Statement number {len(self.claims) + 1} about Tripoli",
                claimant=self.actor,
                source=self.source,
                rating_slug="false",
                evidence=[self.evidence_source],
                mentions=[self.mentioned],
            )
            publish(claim, p.editor, p.publisher)
            correct(claim, p.publisher, "mostly-false", f"Sửa xếp hạng số {i}.", [self.evidence_source])
            if i % 3 == 0:
                retract(claim, p.publisher, f"Rút lại số {i}.")
            self.claims.append(claim)


def build_world(researcher: Any, editor: Any, publisher: Any) -> World:
    outlet = OutletFactory(name="Báo Công Khai", home_url="https://congkhai.example", domain="congkhai.example")
    source = SourceFactory(outlet=outlet, title="Tình hình Libya hôm nay", text=SEED_A2)
    evidence_source = SourceFactory(outlet=outlet, title="Số liệu của Bộ Y tế Libya", text="Ít nhất 32 người chết.")
    actor = ActorFactory(name="Ahmed al-Mismari")
    ActorAliasFactory(actor=actor, name="al-Mesmari")
    mentioned = ActorFactory(name="Khalifa Haftar")
    claim = make_claim(
        researcher,
        "Chính quyền Tripoli chỉ kiểm soát 7% lãnh thổ",
        translation_text="Tripoli's government controls only 7% of the territory",
        claimant=actor,
        source=source,
        rating_slug="false",
        evidence=[evidence_source],
        mentions=[mentioned],
    )
    publish(claim, editor, publisher)
    correction = correct(claim, publisher, "mostly-false", "Đã sửa xếp hạng theo số liệu mới.", [evidence_source])
    old = make_claim(
        researcher,
        "Haftar đã 75 tuổi",
        translation_text="Haftar is 75 years old",
        origin="machine",
        claimant=actor,
        source=source,
        quote=QUOTE_75,
        rating_slug="true",
    )
    publish(old, editor, publisher)
    retracted = retract(old, publisher, "Trích dẫn bị gán nhầm cho LNA.")
    people = SimpleNamespace(researcher=researcher, editor=editor, publisher=publisher)
    claim.refresh_from_db()
    return World(outlet, source, evidence_source, actor, mentioned, claim, retracted, correction, people, [claim, old])


@pytest.fixture
def world(settings: Any, researcher: Any, editor: Any, publisher: Any) -> World:
    settings.SITE_URL = SITE
    return build_world(researcher, editor, publisher)


@pytest.fixture
def hidden(world: World, researcher: Any, editor: Any) -> SimpleNamespace:
    """Everything the public must never see, each text marked ZZ…: a draft (with its own actor, source
    and outlet), a claim in review and an approved one (both quoting the public article, the approved
    one by the public actor), and the internal notes and review comments of the published claim."""
    outlet = OutletFactory(name="ZZOUTLET Báo Nháp")
    source = SourceFactory(outlet=outlet, title="ZZSOURCE nguồn nháp", text="Văn bản ZZSOURCETEXT: Haftar đã 99 tuổi.")
    side_source = SourceFactory(outlet=world.outlet, title="ZZSIDESOURCE bài phụ", text="Bài phụ: Haftar đã 99 tuổi.")
    actor = ActorFactory(name="ZZACTOR Draftonly")
    mentioned = ActorFactory(name="ZZMENTIONED Nobody")
    draft = make_claim(
        researcher,
        "ZZDRAFT Haftar đã 99 tuổi",
        translation_text="ZZDRAFTEN Haftar is 99",
        claimant=actor,
        source=source,
        quote="Haftar đã 99 tuổi",
        headlines={"vi": "ZZDRAFTHEAD sai", "en": "ZZDRAFTHEAD false"},
        explanations={"vi": "ZZDRAFTEXPL vi", "en": "ZZDRAFTEXPL en"},
        evidence=[source],
        mentions=[mentioned],
        extra_appearances=[(side_source, "Haftar đã 99 tuổi")],
    )
    Claim.objects.filter(pk=draft.pk).update(internal_notes="ZZINTERNAL do not publish")
    in_review = make_claim(
        researcher,
        "ZZREVIEW 14 binh sĩ",
        translation_text="ZZREVIEW 14 soldiers",
        source=world.source,
        quote=QUOTE_14,
        headlines={"vi": "ZZREVIEW tiêu đề", "en": "ZZREVIEW headline"},
        explanations={"vi": "ZZREVIEW giải thích", "en": "ZZREVIEW explanation"},
    )
    workflow.transition(in_review.pk, researcher, Action.SUBMIT, "ZZCOMMENT please review")
    approved = make_claim(
        researcher,
        "ZZAPPROVED sân bay",
        translation_text="ZZAPPROVED airport",
        claimant=world.actor,
        source=world.source,
        quote=QUOTE_AIRPORT,
        rating_slug="true",
        headlines={"vi": "ZZAPPROVED tiêu đề", "en": "ZZAPPROVED headline"},
        explanations={"vi": "ZZAPPROVED giải thích", "en": "ZZAPPROVED explanation"},
    )
    workflow.transition(approved.pk, researcher, Action.SUBMIT)
    workflow.transition(approved.pk, editor, Action.APPROVE, "ZZCOMMENT approved")
    Claim.objects.filter(pk=world.claim.pk).update(internal_notes="ZZINTERNAL source is a friend")
    workflow.transition(world.claim.pk, editor, Action.RECHECK, "ZZCOMMENT still holds")
    return SimpleNamespace(
        draft=draft,
        in_review=in_review,
        approved=approved,
        actor=actor,
        mentioned=mentioned,
        source=source,
        side_source=side_source,
        outlet=outlet,
        claims=[draft, in_review, approved],
    )


@pytest.fixture
def frozen_rate_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-ratelimit counts per time window; pin its clock so no window ends between two requests."""
    now = int(time.time())
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


def language_pages(w: World, language: str) -> dict[str, str]:
    """Every public page under /<language>/, by name."""
    named = {
        name: in_language(language, name=f"public:{name}")
        for name in (
            "home",
            "claims",
            "methodology",
            "corrections-policy",
            "corrections",
            "corrections-json",
            "submit",
            "complaint",
            "thanks",
        )
    }
    return {
        **named,
        "claims-search": f"/{language}/claims/?q=Tripoli",
        "verdict": in_language(language, w.claim),
        "retracted": in_language(language, w.retracted),
        "actor": in_language(language, w.actor),
        "mentioned-actor": in_language(language, w.mentioned),
        "source": in_language(language, w.source),
        "evidence-source": in_language(language, w.evidence_source),
        "outlet": in_language(language, w.outlet),
        "complaint-about": f"/{language}/complaint/?claim={w.claim.pk}",
    }


def other_pages(w: World) -> dict[str, str]:
    """The public documents outside the language prefix: feeds, sitemaps, robots.txt."""
    return {
        "feed": "/feeds/claims.xml",
        "feed-vi": "/feeds/claims.xml?lang=vi",
        "feed-en": "/feeds/claims.xml?lang=en",
        "actor-feed": f"/feeds/actors/{w.actor.pk}.xml",
        "actor-feed-en": f"/feeds/actors/{w.actor.pk}.xml?lang=en",
        "sitemap": "/sitemap.xml",
        **{f"sitemap-{section}": f"/sitemap-{section}.xml" for section in SECTIONS},
        "robots": "/robots.txt",
    }


def all_public_bodies(client: Client, w: World) -> dict[str, str]:
    bodies = {}
    for language in LANGUAGES:
        for path in language_pages(w, language).values():
            bodies[path] = get_page(client, path)
    for path in other_pages(w).values():
        bodies[path] = get_page(client, path)
    return bodies


# --- 1. Every public page answers, in its language -----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_answers_in_its_language(client, world, language):
    for name, path in language_pages(world, language).items():
        response = client.get(path)
        assert response.status_code == 200, (name, path)
        if name == "corrections-json":
            assert response["Content-Type"] == "application/json"
            continue
        assert f'<html lang="{language}">' in response.content.decode(), (name, path)
        assert response["Content-Language"] == language, (name, path)


def test_feeds_sitemaps_and_robots_answer_with_their_content_types(client, world):
    types = {"feed": "application/atom+xml", "sitemap": "application/xml", "robots": "text/plain"}
    for name, path in other_pages(world).items():
        response = client.get(path)
        assert response.status_code == 200, path
        kind = name if name == "robots" else "sitemap" if name.startswith("sitemap") else "feed"
        assert response["Content-Type"].startswith(types[kind]), (path, response["Content-Type"])
        if kind != "robots":
            parse_xml(response.content)  # well-formed XML


# --- 2. Nothing unpublished on any public surface ------------------------------------------------------------


def test_nothing_unpublished_appears_on_any_public_page_feed_or_sitemap(client, world, hidden):
    for path, body in all_public_bodies(client, world).items():
        assert not leaked(body), f"{path} shows unpublished material: {leaked(body)}"
        for claim in hidden.claims:
            assert f"/claims/{claim.pk}-" not in body, (path, claim.text)
        assert f"/actors/{hidden.actor.pk}-" not in body, path
        assert f"/actors/{hidden.mentioned.pk}-" not in body, path
        assert f"/sources/{hidden.source.pk}/" not in body, path
        assert f"/sources/{hidden.side_source.pk}/" not in body, path
        assert f"/outlets/{hidden.outlet.pk}-" not in body, path


@pytest.mark.parametrize("persona", ["researcher", "editor", "outsider"])
def test_signed_in_staff_see_the_public_site_as_readers_do(client, world, hidden, persona, request):
    # The newsroom reads drafts in the admin; the public site never shows them, whoever is signed in.
    client.force_login(request.getfixturevalue(persona))
    for language in LANGUAGES:
        for path in (f"/{language}/", f"/{language}/claims/", f"/{language}/claims/?q=99+tuổi"):
            assert not leaked(get_page(client, path)), (persona, path)
        for path in (in_language(language, world.actor), in_language(language, world.source)):
            assert not leaked(get_page(client, path)), (persona, path)
        for claim in hidden.claims:
            assert client.get(in_language(language, claim)).status_code == 404, (persona, claim.status)
        assert client.get(in_language(language, hidden.actor)).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_searching_for_the_words_of_unpublished_claims_finds_nothing(client, world, hidden, language):
    for query, echoed in (("ZZDRAFT", ("ZZDRAFT",)), ("99 tuổi", ()), ("ZZREVIEW", ("ZZREVIEW",))):
        page = get_page(client, f"/{language}/claims/?q={query}")
        assert card_ids(page, language) == []
        assert not leaked(page, allowed=echoed), (query, leaked(page, allowed=echoed))
    for query in ("ZZAPPROVED", "Draftonly", "ZZSOURCETEXT", "sân bay"):
        page = get_page(client, f"/{language}/claims/?q={query}")
        assert card_ids(page, language) == [], query
    # The public actor's name finds their public verdicts only, never the approved one.
    page = get_page(client, f"/{language}/claims/?q=Mismari")
    assert sorted(card_ids(page, language)) == sorted(c.pk for c in world.claims)


@pytest.mark.parametrize("language", LANGUAGES)
def test_unpublished_claims_and_what_only_they_cite_have_no_public_page(client, world, hidden, language):
    for claim in hidden.claims:
        assert client.get(f"/{language}/claims/{claim.pk}-{claim.slug}/").status_code == 404, claim.status
        assert client.get(f"/{language}/claims/{claim.pk}/").status_code == 404, claim.status
        assert client.get(f"/{language}/complaint/?claim={claim.pk}").status_code == 404, claim.status
    for actor in (hidden.actor, hidden.mentioned):
        assert client.get(in_language(language, actor)).status_code == 404
        assert client.get(f"/feeds/actors/{actor.pk}.xml").status_code == 404
    for source in (hidden.source, hidden.side_source):
        assert client.get(in_language(language, source)).status_code == 404
    assert client.get(in_language(language, hidden.outlet)).status_code == 404


def test_filter_choices_name_no_outlet_or_language_only_drafts_use(client, world, hidden, researcher):
    french = make_claim(researcher, "ZZFRENCH Haftar a 99 ans", language="fr", source=hidden.source, quote="99")
    assert french.status == ClaimStatus.DRAFT
    page = get_page(client, "/en/claims/")
    assert f'<option value="{hidden.outlet.pk}"' not in page
    assert f'<option value="{world.outlet.pk}"' in page
    assert '<option value="fr"' not in page
    assert '<option value="vi"' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_retracted_claim_keeps_its_page_with_the_notice_and_no_claimreview(client, world, language):
    page = get_page(client, in_language(language, world.retracted))
    assert words(language, "This fact-check has been retracted") in page
    assert escape(world.retracted.retraction_reason) in page
    assert jsonld_blocks(page) == []
    assert f'datetime="{timezone.localtime(world.retracted.retracted_at).isoformat()}"' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_corrections_log_lists_retractions_and_corrections_of_public_claims(client, world, hidden, language):
    page = get_page(client, in_language(language, name="public:corrections"))
    entries = re.findall(r'<li class="log-(\w+)">(.*?)</li>', page, re.S)
    kinds = dict(entries)
    assert [kind for kind, _body in entries] == ["retraction", "correction"]  # newest first
    assert f'href="{in_language(language, world.retracted)}"' in kinds["retraction"]
    assert words(language, "Retraction") in kinds["retraction"]
    assert escape(world.retracted.retraction_reason) in kinds["retraction"]
    assert f'href="{in_language(language, world.claim)}"' in kinds["correction"]
    assert escape(world.correction.note) in kinds["correction"]

    data = client.get(in_language(language, name="public:corrections-json")).json()
    assert [(e["kind"], e["claim"], e["note"]) for e in data["results"]] == [
        ("retraction", world.retracted.pk, world.retracted.retraction_reason),
        ("correction", world.claim.pk, world.correction.note),
    ]
    assert data["results"][0]["claim_url"] == SITE + in_language(language, world.retracted)
    assert data["next"] is None


@pytest.mark.parametrize(
    "before",
    [
        "0001-01-01",
        "9999-12-31T23:59:59-12:00",
        "not-a-date",
        "2019-02-30",
        "2019-04-10T10:00:00+07:00",
    ],
)
def test_the_corrections_log_survives_any_before_parameter(client, world, before):
    for path in ("/en/corrections/", "/en/corrections.json"):
        response = client.get(path, {"before": before})
        assert response.status_code == 200, (path, before, response.status_code)


def test_the_corrections_log_pages_on_to_older_entries(client, world):
    base = timezone.now() - dt.timedelta(days=1)
    Correction.objects.bulk_create(
        Correction(
            claim=world.claim,
            note=f"Sửa lần {i}",
            language="vi",
            created_by=world.people.publisher,
            created_at=base - dt.timedelta(hours=i),
        )
        for i in range(105)
    )
    total = Correction.objects.count() + 1  # and the retraction
    first = get_page(client, "/en/corrections/")
    older = next_link(first)
    assert older is not None
    second = get_page(client, older)
    entries = re.findall(r'<li class="log-\w+">(.*?)</li>', first + second, re.S)
    assert len(entries) == len(set(entries)) == total
    assert next_link(second) is None
    data = client.get("/en/corrections.json").json()
    rest = client.get(urlsplit(data["next"]).path + "?" + urlsplit(data["next"]).query).json()
    notes = [e["note"] for e in data["results"] + rest["results"]]
    assert len(notes) == len(set(notes)) == total


# --- 3. The verdict page -------------------------------------------------------------------------------------


@pytest.fixture
def hostile(world: World, researcher: Any, editor: Any, publisher: Any) -> Claim:
    """A published claim whose every typed text tries to break out of the page."""
    actor = ActorFactory(name="<b onmouseover=alert(7)>Evil</b> Actor")
    source = SourceFactory(
        outlet=OutletFactory(name="<script>alert(8)</script> Outlet"),
        title="<img src=x onerror=alert(9)> Nguồn",
        text=f"Mở đầu. {HOSTILE} Kết thúc.",
    )
    claim = make_claim(
        researcher,
        HOSTILE,
        translation_text=HOSTILE_EN,
        claimant=actor,
        source=source,
        quote=HOSTILE,
        headlines={"vi": "</script><script>alert(10)</script>", "en": "</script><script>alert(10)</script>"},
    )
    return publish(claim, editor, publisher)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_verdict_page_embeds_exactly_one_claimreview_that_round_trips_hostile_text(client, hostile, language):
    page = get_page(client, in_language(language, hostile))
    blocks = jsonld_blocks(page)
    assert len(blocks) == 1
    review = json.loads(blocks[0])
    wording = HOSTILE if language == "vi" else HOSTILE_EN
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == wording
    assert review["name"] == "</script><script>alert(10)</script>"
    assert review["itemReviewed"]["author"]["name"] == "<b onmouseover=alert(7)>Evil</b> Actor"
    assert review["itemReviewed"]["appearance"][0]["headline"] == "<img src=x onerror=alert(9)> Nguồn"
    assert review["url"] == SITE + in_language(language, hostile)
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", "</script><script>"):
        assert raw not in page, raw
    assert escape(wording) in page  # shown, as text


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_text_stays_text_on_lists_actor_source_and_outlet_pages(client, hostile, language):
    actor = hostile.claimant
    source = hostile.appearances.get().source
    for path in (
        f"/{language}/",
        f"/{language}/claims/",
        in_language(language, actor),
        in_language(language, source),
        in_language(language, source.outlet),
    ):
        page = get_page(client, path)
        for raw in ("<script>alert", "<img src=x", "<b onmouseover"):
            assert raw not in page, (path, raw)
    assert escape(actor.name) in get_page(client, in_language(language, actor))


def test_the_explanation_is_rendered_markdown_with_raw_html_escaped_and_script_links_dropped(
    client, world, researcher, editor, publisher
):
    explanation = (
        "The ministry's figure is **32 dead**.\n\n"
        "<script>alert(2)</script>\n\n"
        '[bad link](javascript:alert(3)) [also bad](JaVaScRiPt:alert(4)) <a href="javascript:alert(5)">raw</a>\n\n'
        "[the report](https://example.org/report)\n\n"
        "# A heading"
    )
    claim = make_claim(
        researcher,
        "Có 32 người chết",
        translation_text="32 people died",
        headlines={"vi": "Đúng", "en": "True"},
        explanations={"vi": explanation, "en": explanation},
    )
    publish(claim, editor, publisher)
    for language in LANGUAGES:
        page = get_page(client, in_language(language, claim))
        assert "<strong>32 dead</strong>" in page
        assert "<script>alert(2)" not in page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
        hrefs = re.findall(r'<a\s[^>]*href="([^"]*)"', page)
        assert hrefs and not [href for href in hrefs if "script:" in href.lower()]
        assert '&lt;a href="javascript:alert(5)"&gt;raw&lt;/a&gt;' in page  # raw HTML stays text
        report = re.search(r'<a href="https://example.org/report"([^>]*)>the report</a>', page)
        assert report is not None
        assert 'rel="nofollow noopener noreferrer"' in report.group(1)
        assert "<h3>A heading</h3>" in page  # below the page's own h1 and h2


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_verdict_page_has_hreflang_alternates_a_canonical_link_and_open_graph(client, world, language):
    page = get_page(client, in_language(language, world.claim))
    vi, en = in_language("vi", world.claim), in_language("en", world.claim)
    assert alternates(page) == {"vi": SITE + vi, "en": SITE + en, "x-default": SITE + vi}
    assert f'<link rel="canonical" href="{SITE}{in_language(language, world.claim)}">' in page
    assert '<meta property="og:type" content="article">' in page
    wording = world.claim.text if language == "vi" else "Tripoli's government controls only 7% of the territory"
    assert f'<meta property="og:title" content="{escape(wording)}">' in page
    assert f'<meta property="og:url" content="{SITE}{in_language(language, world.claim)}">' in page


def test_hreflang_alternates_of_a_verdict_ignore_tracking_parameters(client, world):
    page = get_page(client, in_language("en", world.claim) + "?utm_source=newsletter")
    vi, en = in_language("vi", world.claim), in_language("en", world.claim)
    assert alternates(page) == {"vi": SITE + vi, "en": SITE + en, "x-default": SITE + vi}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_or_missing_slug_redirects_permanently_to_the_right_one(client, world, language):
    right = in_language(language, world.claim)
    for wrong in (f"/{language}/claims/{world.claim.pk}-wrong-slug/", f"/{language}/claims/{world.claim.pk}/"):
        response = client.get(wrong)
        assert response.status_code == 301, wrong
        assert response["Location"] == right
    actor = client.get(f"/{language}/actors/{world.actor.pk}-someone-else/")
    assert (actor.status_code, actor["Location"]) == (301, in_language(language, world.actor))
    outlet = client.get(f"/{language}/outlets/{world.outlet.pk}-other/")
    assert (outlet.status_code, outlet["Location"]) == (301, in_language(language, world.outlet))


def test_the_english_page_of_a_vietnamese_claim_shows_the_translation_and_the_original_with_its_language(client, world):
    page = get_page(client, in_language("en", world.claim))
    assert '<h1 lang="en">Tripoli&#x27;s government controls only 7% of the territory</h1>' in page
    original = words("en", "Original wording (%(language)s):", language=language_name("vi", "en"))
    assert original == "Original wording (Vietnamese):"
    assert original in page
    assert f'<q lang="vi">{escape(world.claim.text)}</q>' in page
    assert words("en", "Machine translation of the original wording below.") not in page  # a human translation
    vietnamese = get_page(client, in_language("vi", world.claim))
    assert f'<h1 lang="vi">{escape(world.claim.text)}</h1>' in vietnamese
    assert "<q lang=" not in vietnamese  # the original is the heading itself


def test_a_machine_translation_is_labelled_as_such(client, world):
    page = get_page(client, in_language("en", world.retracted))
    assert '<h1 lang="en">Haftar is 75 years old</h1>' in page
    assert words("en", "Machine translation of the original wording below.") in page
    vietnamese = get_page(client, in_language("vi", world.retracted))
    assert words("vi", "Machine translation of the original wording below.") not in vietnamese


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_verdict_page_lists_its_corrections_with_dates(client, world, language):
    second = correct(
        world.claim, world.people.publisher, "misleading", "Thêm bối cảnh về lãnh thổ.", [world.evidence_source]
    )
    page = get_page(client, in_language(language, world.claim))
    section = page.split('id="corrections-title"', 1)[1]
    for correction in (world.correction, second):
        moment = timezone.localtime(correction.created_at)
        assert f'<time datetime="{moment.isoformat()}">' in section
        assert escape(correction.note) in section
    assert page.count('<span class="stance') == 1  # the evidence, listed once


def test_internal_notes_and_review_comments_stay_off_the_verdict_page(client, world, hidden):
    for language in LANGUAGES:
        page = get_page(client, in_language(language, world.claim))
        assert not leaked(page)


# --- 4. The language switcher --------------------------------------------------------------------------------


def switcher(page: str) -> dict[str, str]:
    nav = page.split('<nav class="lang"', 1)[1].split("</nav>", 1)[0]
    return {code: html.unescape(href) for href, code in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', nav)}


def test_the_language_switcher_links_to_the_same_verdict_in_the_other_language(client, world):
    english = get_page(client, in_language("en", world.claim))
    assert switcher(english) == {"vi": in_language("vi", world.claim), "en": in_language("en", world.claim)}
    assert re.search(r'hreflang="en" lang="en" aria-current="page"', english)
    vietnamese = get_page(client, in_language("vi", world.actor))
    assert switcher(vietnamese)["en"] == in_language("en", world.actor)


def test_the_language_switcher_keeps_the_search(client, world):
    page = get_page(client, f"/en/claims/?q=Tripoli&rating=mostly-false&outlet={world.outlet.pk}")
    assert switcher(page)["vi"] == f"/vi/claims/?q=Tripoli&rating=mostly-false&outlet={world.outlet.pk}"
    assert card_ids(page, "en") == [world.claim.pk]


# --- 5. The /claims/ filters and its pages -------------------------------------------------------------------


@pytest.fixture
def catalogue(settings: Any, researcher: Any, editor: Any, publisher: Any) -> SimpleNamespace:
    """Three verdicts told apart by every filter: words, rating, language, outlet, date and claimant."""
    settings.SITE_URL = SITE
    one, two = OutletFactory(name="Báo Một"), OutletFactory(name="Báo Hai")
    mismari, haftar = ActorFactory(name="Ahmed al-Mismari"), ActorFactory(name="Khalifa Haftar")
    english_source = SourceFactory(outlet=two, language="en", text="Reports say Haftar is 75 years old, aides said.")
    a = make_claim(
        researcher,
        "LNA tránh sử dụng máy bay chiến đấu",
        translation_text="The LNA avoided using fighter jets",
        claimant=mismari,
        source=SourceFactory(outlet=one),
        rating_slug="false",
    )
    b = make_claim(
        researcher,
        "Haftar is 75 years old",
        language="en",
        translation_text="Haftar 75 tuổi",
        translation_language="vi",
        claimant=haftar,
        source=english_source,
        quote="Haftar is 75 years old",
        rating_slug="true",
    )
    c = make_claim(researcher, "GNA chưa thành lập được quân đội", source=SourceFactory(outlet=one))
    for claim, day in ((a, "2019-04-10"), (b, "2019-05-20"), (c, "2019-06-01")):
        publish(claim, editor, publisher)
        moment = timezone.make_aware(dt.datetime.fromisoformat(f"{day}T10:00:00"))
        Claim.objects.filter(pk=claim.pk).update(published_at=moment)
    return SimpleNamespace(a=a, b=b, c=c, one=one, two=two, mismari=mismari, haftar=haftar)


FILTER_CASES = [
    ("", "cba"),
    ("q=Mismari", "a"),
    ("q=mismari+LNA", "a"),
    ("q=75", "b"),
    ("q=quân+đội", "c"),
    ("q=nobody-said-this", ""),
    ("rating=false", "a"),
    ("rating=true", "b"),
    ("rating=unproven", "c"),
    ("language=en", "b"),
    ("language=vi", "ca"),
    ("outlet={one}", "ca"),
    ("outlet={two}", "b"),
    ("published_from=2019-05-01", "cb"),
    ("published_to=2019-05-31", "ba"),
    ("published_from=2019-05-01&published_to=2019-05-31", "b"),
    ("published_from=2019-05-20&published_to=2019-05-20", "b"),
    ("claimant={mismari}", "a"),
    ("claimant={haftar}&rating=true", "b"),
    ("q=Haftar&language=vi", ""),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_the_claim_list_filters(client, catalogue, language, query, expected):
    ids = {"one": catalogue.one.pk, "two": catalogue.two.pk, "mismari": catalogue.mismari.pk}
    ids["haftar"] = catalogue.haftar.pk
    page = get_page(client, f"/{language}/claims/?{query.format(**ids)}")
    assert card_ids(page, language) == [getattr(catalogue, key).pk for key in expected]
    assert 'class="errorlist' not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_filtering_by_claimant_names_them(client, catalogue, language):
    page = get_page(client, f"/{language}/claims/?claimant={catalogue.mismari.pk}")
    assert f'<a href="{in_language(language, catalogue.mismari)}">Ahmed al-Mismari</a>' in page


def test_a_search_runs_within_the_filters_not_before_them(client, researcher, editor, publisher, monkeypatch):
    """A search ranks at most MAX_RESULTS claims: the claimant's older match is found within the filter, not
    lost among the newer matches of others."""
    older_by, newer_by = ActorFactory(name="Ahmed al-Mismari"), ActorFactory(name="Khalifa Haftar")
    older = publish(make_claim(researcher, "Ceasefire broken at the airport", claimant=older_by), editor, publisher)
    publish(make_claim(researcher, "Ceasefire holds in the south", claimant=newer_by), editor, publisher)
    monkeypatch.setattr(search, "MAX_RESULTS", 1)

    page = get_page(client, f"/en/claims/?q=ceasefire&claimant={older_by.pk}")

    assert card_ids(page, "en") == [older.pk]


BAD_FILTERS = [
    ("published_from=2019-02-30", "Enter a valid date."),
    ("published_to=2019-13-01", "Enter a valid date."),
    ("rating=nonexistent", "Select a valid choice. nonexistent is not one of the available choices."),
    ("outlet=abc", "Select a valid choice. That choice is not one of the available choices."),
    ("outlet=999999", "Select a valid choice. That choice is not one of the available choices."),
    ("claimant=-1", "Ensure this value is greater than or equal to 1."),
    ("claimant=abc", "Enter a whole number."),
    ("language=xx", "Select a valid choice. xx is not one of the available choices."),
    ("q=" + "x" * 300, "Ensure this value has at most 200 characters (it has 300)."),
    ("q=%00Haftar", "Null characters are not allowed."),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("query", "message"), BAD_FILTERS)
def test_bad_filter_input_is_a_form_error_not_a_500(client, catalogue, language, query, message):
    page = get_page(client, f"/{language}/claims/?{query}")
    assert 'class="errorlist' in page
    assert words(language, "Please correct the search above.") in page
    assert card_ids(page, language) == []
    if language == "en":
        assert escape(message) in page


@pytest.mark.parametrize(
    "query",
    [
        "claimant=99999999999999999999999",
        "claimant=1e30",
        "outlet=99999999999999999999999",
        "published_from=0001-01-01",
        "published_to=9999-12-31",
        "after=1_99999999999999999999999",
        "q=%F0%9F%98%80",
        "rating=&language=&outlet=&q=",
    ],
)
def test_extreme_filter_input_never_breaks_the_claim_list(client, catalogue, query):
    response = client.get(f"/en/claims/?{query}")
    assert response.status_code == 200, response.status_code


def test_a_fractional_claimant_id_matches_no_actor(client, catalogue):
    page = get_page(client, f"/en/claims/?claimant={catalogue.mismari.pk}.5")
    assert card_ids(page, "en") == []


@pytest.mark.parametrize("tied", [False, True], ids=["distinct-times", "same-time"])
def test_keyset_pages_list_every_claim_once_in_order(client, researcher, editor, publisher, tied):
    claims = [publish(make_claim(researcher, f"Tuyên bố số {i}"), editor, publisher) for i in range(45)]
    if tied:  # a batch published in one go: the id alone orders them
        Claim.objects.update(published_at=timezone.now())
    expected = list(Claim.objects.public().order_by("-published_at", "-pk").values_list("pk", flat=True))
    assert sorted(expected) == sorted(c.pk for c in claims)
    for language in LANGUAGES:
        seen: list[int] = []
        path: str | None = f"/{language}/claims/"
        pages = 0
        while path:
            page = get_page(client, path)
            ids = card_ids(page, language)
            assert ids, path
            assert len(ids) <= 20
            seen += ids
            path = next_link(page)
            pages += 1
            assert path is None or "after=" in path
        assert pages == 3
        assert seen == expected


def test_the_next_page_link_keeps_the_filters(client, researcher, editor, publisher):
    for i in range(22):
        publish(make_claim(researcher, f"Tuyên bố Tripoli số {i}", rating_slug="false"), editor, publisher)
    publish(make_claim(researcher, "Tuyên bố Tripoli khác", rating_slug="true"), editor, publisher)
    first = get_page(client, "/en/claims/?q=Tripoli&rating=false")
    second_path = next_link(first)
    assert second_path is not None and "q=Tripoli" in second_path and "rating=false" in second_path
    second = get_page(client, second_path)
    found = card_ids(first, "en") + card_ids(second, "en")
    assert len(found) == len(set(found)) == 22
    assert next_link(second) is None


@pytest.mark.parametrize(
    "cursor", ["garbage", "123", "1_x", "_", "9" * 30 + "_1", "-" + "9" * 30 + "_1", "1_2" + "3" * 40, "%00"]
)
@pytest.mark.parametrize("where", ["claims", "actor", "outlet"])
def test_a_damaged_page_link_shows_a_notice_and_the_newest(client, world, cursor, where):
    paths = {
        "claims": "/en/claims/",
        "actor": in_language("en", world.actor),
        "outlet": in_language("en", world.outlet),
    }
    page = get_page(client, f"{paths[where]}?after={cursor}")
    assert '<p class="notice" role="status">' in page  # "That page link was damaged: here are …"
    assert card_ids(page, "en")  # the first page instead


@pytest.mark.parametrize("cursor", ["garbage", "1_x", "-1", "9" * 30, "%00", "1.5"])
def test_a_damaged_page_link_of_a_search_shows_a_notice_and_the_first_results(client, world, cursor):
    page = get_page(client, f"/en/claims/?q=Tripoli&after={cursor}")
    assert '<p class="notice" role="status">' in page
    assert card_ids(page, "en") == [world.claim.pk]


# --- 6. The actor page and its chart -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_actor_chart_counts_current_verdicts_only(client, world, hidden, researcher, editor, publisher, language):
    # world: one published claim (corrected to mostly-false) and one retracted, both by world.actor;
    # hidden: one approved claim by world.actor (rated true). Add two false and a draft false.
    for i in range(2):
        publish(
            make_claim(researcher, f"Sai số {i}", claimant=world.actor, source=world.source, rating_slug="false"),
            editor,
            publisher,
        )
    make_claim(researcher, "Bản nháp sai", claimant=world.actor, source=world.source, rating_slug="false")
    page = get_page(client, in_language(language, world.actor))
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg.group(0), re.S).group(1)
    counts = {"mostly-false": 1, "false": 2}
    expected = "; ".join(
        f"{escape(r.label(language))}: {counts.get(r.slug, 0)}"
        for r in Rating.objects.prefetch_related("labels").order_by("-value")
    )
    assert desc == expected
    with translation.override(language):
        caption = ngettext("%(total)s current verdict", "%(total)s current verdicts", 3) % {"total": 3}
    assert f"<figcaption>{escape(caption)}</figcaption>" in page
    # The list shows the retracted verdict (its notice stays public), never the approved one.
    listed = card_ids(page, language)
    assert world.retracted.pk in listed and world.claim.pk in listed
    assert hidden.approved.pk not in listed
    assert len(listed) == 4


def test_an_actor_who_is_only_mentioned_has_a_page_without_a_chart(client, world):
    page = get_page(client, in_language("en", world.mentioned))
    assert "<svg" not in page
    assert card_ids(page, "en") == []
    assert words("en", "No published verdicts yet.") in page


def test_the_actor_page_lists_aliases_and_links_their_feed(client, world):
    page = get_page(client, in_language("vi", world.actor))
    assert "al-Mesmari" in page
    assert f'href="/feeds/actors/{world.actor.pk}.xml?lang=vi"' in page


# --- 7. The source page --------------------------------------------------------------------------------------


def marks(page: str) -> list[tuple[int, str]]:
    return [(int(pk), inner) for pk, inner in re.findall(r'<mark id="q(\d+)"[^>]*>(.*?)</mark>', page, re.S)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_source_page_marks_quotes_of_public_claims_only(client, world, hidden, language):
    page = get_page(client, in_language(language, world.source))
    published = world.claim.appearances.get()
    retracted = world.retracted.appearances.get()
    # In the order of the text: the 75-years quote comes first in the article.
    assert marks(page) == [(retracted.pk, escape(QUOTE_75)), (published.pk, escape(QUOTE_7_PERCENT))]
    for claim in (hidden.in_review, hidden.approved):
        appearance = claim.appearances.get()
        assert f'id="q{appearance.pk}"' not in page
        assert escape(appearance.quote) in page  # the text is there, unmarked
    assert sorted(card_ids(page, language)) == sorted([world.claim.pk, world.retracted.pk])
    # Each mark carries the claim's wording in the reader's language as its title.
    title = re.search(rf'<mark id="q{published.pk}" title="([^"]*)"', page).group(1)
    assert html.unescape(title) == (world.claim.text if language == "vi" else world.claim.translations.get().text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_source_text_is_escaped_and_its_quote_still_marked(
    client, world, researcher, editor, publisher, language
):
    text = 'Mở đầu <script>alert(5)</script> rồi "<i>trích dẫn</i> của Haftar" & kết thúc.'
    source = SourceFactory(outlet=world.outlet, title="<img src=x onerror=alert(6)> Nguồn", text=text)
    claim = publish(
        make_claim(researcher, "Trích dẫn của Haftar", source=source, quote="<i>trích dẫn</i> của Haftar"),
        editor,
        publisher,
    )
    page = get_page(client, in_language(language, source))
    assert "<script>alert(5)" not in page and "<img src=x" not in page and "<i>trích" not in page
    assert "Mở đầu &lt;script&gt;alert(5)&lt;/script&gt; rồi" in page
    assert marks(page) == [(claim.appearances.get().pk, "&lt;i&gt;trích dẫn&lt;/i&gt; của Haftar")]
    assert "&amp; kết thúc." in page
    outlet_page = get_page(client, in_language(language, world.outlet))
    assert "<img src=x" not in outlet_page
    assert escape("<img src=x onerror=alert(6)> Nguồn") in outlet_page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_outlet_page_lists_its_public_claims_and_articles_only(client, world, hidden, language):
    page = get_page(client, in_language(language, world.outlet))
    assert sorted(card_ids(page, language)) == sorted([world.claim.pk, world.retracted.pk])
    assert f'href="{in_language(language, world.source)}"' in page
    assert f'href="{in_language(language, world.evidence_source)}"' in page  # cited as evidence
    assert f"/sources/{hidden.side_source.pk}/" not in page  # only a draft quotes it
    assert not leaked(page)


# --- 8. The reader forms -------------------------------------------------------------------------------------

TIP = {"text": "Haftar nói LNA kiểm soát 90% lãnh thổ", "where_seen": "https://social.example/p/1", "context": ""}
COMPLAINT = {"kind": "correction", "message": "The 7% figure is from 2019.", "name": "Lan", "email": "lan@example.org"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reader_sends_a_claim_to_check(client, language):
    response = client.post(f"/{language}/submit/", {**TIP, "name": "Minh", "email": "minh@example.org"})
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/thanks/"
    tip = ClaimTip.objects.get()
    assert (tip.text, tip.where_seen, tip.name, tip.email) == (
        TIP["text"],
        TIP["where_seen"],
        "Minh",
        "minh@example.org",
    )
    assert tip.language == language
    assert re.fullmatch(r"[0-9a-f]{64}", tip.sender_hash)
    assert tip.claim is None
    assert words(language, "Thank you") in get_page(client, response["Location"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reader_asks_for_a_correction_of_a_published_verdict(client, world, language):
    page = get_page(client, f"/{language}/complaint/?claim={world.claim.pk}")
    assert f'name="claim" value="{world.claim.pk}"' in page
    response = client.post(f"/{language}/complaint/?claim={world.claim.pk}", {**COMPLAINT, "claim": world.claim.pk})
    assert (response.status_code, response["Location"]) == (302, f"/{language}/thanks/")
    complaint = Complaint.objects.get()
    assert (complaint.claim, complaint.kind, complaint.message) == (world.claim, "correction", COMPLAINT["message"])
    assert complaint.language == language


def test_a_complaint_need_not_name_a_claim(client):
    response = client.post("/en/complaint/", {**COMPLAINT, "kind": "complaint"})
    assert response.status_code == 302
    assert Complaint.objects.get().claim is None


@pytest.mark.parametrize("path", ["/vi/submit/", "/en/complaint/"])
def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept(client, path):
    response = client.post(path, {**TIP, **COMPLAINT, "website": "https://spam.example"})
    assert (response.status_code, response["Location"]) == (302, path[:4] + "thanks/")
    assert ClaimTip.objects.count() == 0 and Complaint.objects.count() == 0


BAD_TIPS = {
    "missing text": {**TIP, "text": ""},
    "blank text": {**TIP, "text": "   \n "},
    "text too long": {**TIP, "text": "x" * (MAX_TIP_TEXT + 1)},
    "context too long": {**TIP, "context": "x" * (MAX_READER_MESSAGE + 1)},
    "invalid email": {**TIP, "email": "not-an-email"},
    "ftp where_seen": {**TIP, "where_seen": "ftp://files.example/claim.txt"},
    "javascript where_seen": {**TIP, "where_seen": "javascript:alert(1)"},
    "NUL byte": {**TIP, "text": "Haftar\x00 nói"},
    "name too long": {**TIP, "name": "x" * 201},
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", BAD_TIPS)
def test_a_bad_tip_is_a_400_with_the_error_and_nothing_is_stored(client, language, case):
    response = client.post(f"/{language}/submit/", BAD_TIPS[case])
    assert response.status_code == 400
    page = response.content.decode()
    assert words(language, "Please correct the errors below.") in page
    assert 'class="errorlist' in page
    assert ClaimTip.objects.count() == 0


BAD_COMPLAINTS = {
    "missing message": {**COMPLAINT, "message": ""},
    "missing name": {**COMPLAINT, "name": ""},
    "missing email": {**COMPLAINT, "email": ""},
    "message too long": {**COMPLAINT, "message": "x" * (MAX_READER_MESSAGE + 1)},
    "invalid email": {**COMPLAINT, "email": "lan@"},
    "NUL byte": {**COMPLAINT, "message": "sai\x00 rồi"},
    "unknown kind": {**COMPLAINT, "kind": "praise"},
    "claim not a number": {**COMPLAINT, "claim": "abc"},
    "claim out of range": {**COMPLAINT, "claim": "99999999999999999999999"},
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", BAD_COMPLAINTS)
def test_a_bad_complaint_is_a_400_with_the_error_and_nothing_is_stored(client, language, case):
    response = client.post(f"/{language}/complaint/", BAD_COMPLAINTS[case])
    assert response.status_code == 400
    page = response.content.decode()
    assert words(language, "Please correct the errors below.") in page
    assert 'class="errorlist' in page
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_complaint_about_an_unpublished_claim_is_refused(client, world, hidden, language):
    for claim in hidden.claims:
        response = client.post(f"/{language}/complaint/", {**COMPLAINT, "claim": claim.pk})
        assert response.status_code == 400
        assert words(language, "There is no published fact-check with this number.") in response.content.decode()
        assert not leaked(response.content.decode())
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(("path", "data"), [("/vi/submit/", TIP), ("/en/complaint/", COMPLAINT)])
def test_the_forms_need_a_csrf_token(path, data, db):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(path, data).status_code == 403
    assert ClaimTip.objects.count() == 0 and Complaint.objects.count() == 0
    page = get_page(browser, path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(path, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert ClaimTip.objects.count() + Complaint.objects.count() == 1


@pytest.mark.usefixtures("frozen_rate_clock")
@pytest.mark.parametrize(
    ("path", "data", "typed", "model"),
    [
        ("/vi/submit/", TIP, "text", ClaimTip),
        ("/en/submit/", TIP, "text", ClaimTip),
        ("/en/complaint/", COMPLAINT, "message", Complaint),
        ("/vi/complaint/", COMPLAINT, "message", Complaint),
    ],
)
def test_the_third_post_in_a_minute_is_a_429_that_keeps_what_was_typed(client, settings, path, data, typed, model):
    settings.PUBLIC_FORM_RATE = "2/m"
    assert client.post(path, data).status_code == 302
    assert client.post(path, data).status_code == 302
    third = {**data, typed: "Lần thứ ba: <đừng mất> chữ này"}
    response = client.post(path, third)
    assert response.status_code == 429
    assert response["Retry-After"]
    page = response.content.decode()
    assert escape("Lần thứ ba: <đừng mất> chữ này") in page
    assert 'role="alert"' in page
    assert model.objects.count() == 2
    assert client.get(path).status_code == 200  # reading the form is not limited


def test_what_readers_send_never_appears_on_a_public_page(client, world):
    client.post("/vi/submit/", {**TIP, "text": "ZZTIP Haftar nói điều bí mật", "context": "ZZTIPCONTEXT"})
    client.post("/en/complaint/", {**COMPLAINT, "claim": world.claim.pk, "message": "ZZCOMPLAINT", "name": "ZZREADER"})
    assert ClaimTip.objects.count() == 1 and Complaint.objects.count() == 1
    for path, body in all_public_bodies(client, world).items():
        assert not leaked(body), (path, leaked(body))


# --- 9. The search rate limit --------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_rate_clock")
def test_the_third_search_in_a_minute_is_a_429(client, world, settings):
    settings.PUBLIC_SEARCH_RATE = "2/m"
    assert client.get("/en/claims/?q=x").status_code == 200
    assert client.get("/en/claims/?q=Tripoli").status_code == 200
    response = client.get("/en/claims/?q=x")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert words("en", "Too many requests") in response.content.decode()
    assert '<html lang="en">' in response.content.decode()
    # Browsing and filtering without words are not searches.
    assert client.get("/en/claims/").status_code == 200
    assert client.get("/en/claims/?rating=false").status_code == 200


# --- 10. Query counts ----------------------------------------------------------------------------------------

#: Queries per page with 3 and with 10 public claims (the same both times), measured and pinned.
#: Since the ratings' labels come from the cached scale, no page asks for them (one query fewer each).
PINNED_QUERIES = {
    "home": 3,
    "claims": 4,
    "claims-search": 5,
    "claims-filtered": 6,
    "claims-page-2": 4,
    "verdict": 7,  # evidence with its sources and outlets in one query (was 10)
    "retracted": 7,
    "actor": 6,
    "source": 5,
    "outlet": 5,
    "methodology": 2,
    "corrections-policy": 0,
    "corrections": 5,
    "corrections-json": 5,
    "submit": 0,
    "complaint": 0,
    "complaint-about": 1,
    "feed": 3,
    "actor-feed": 4,
    "sitemap": 4,  # one count per section but the pages' (a list)
    "sitemap-pages": 0,
    "sitemap-claims": 3,  # the count, the page's claims, their translations
    "sitemap-actors": 2,  # the count, the page's rows
    "sitemap-sources": 2,
    "sitemap-outlets": 2,
    "robots": 0,
}
#: On PostgreSQL a search also looks its words up in the vocabulary (respellings), and ranks in its own
#: transaction (here a savepoint and its release) with JIT and parallel plans off: 4 more, as many for 3
#: claims as for 10.
POSTGRESQL_SEARCH_EXTRA = 4


def counted_paths(w: World, language: str) -> dict[str, str]:
    pages = language_pages(w, language)
    filtered = (
        f"/{language}/claims/?rating=mostly-false&language=vi&outlet={w.outlet.pk}"
        f"&published_from=2000-01-01&published_to=2100-01-01&claimant={w.actor.pk}"
    )
    # A cursor as the list's "Older verdicts" link carries it (made by the selector that makes those links):
    # the page after the newest claim, so it exists with 3 claims as with 10.
    newest = Claim.objects.public().order_by("-published_at", "-pk")[0]

    return {
        **{name: path for name, path in pages.items() if name in PINNED_QUERIES},
        "claims-filtered": filtered,
        "claims-page-2": f"/{language}/claims/?after={_encode(newest.published_at, newest.pk)}",
        "feed": f"/feeds/claims.xml?lang={language}",
        "actor-feed": f"/feeds/actors/{w.actor.pk}.xml?lang={language}",
        **{name: path for name, path in other_pages(w).items() if name.startswith("sitemap") or name == "robots"},
    }


@pytest.mark.parametrize("page", PINNED_QUERIES)
def test_page_query_counts_are_pinned_and_do_not_grow_with_the_claims(
    client, settings, researcher, editor, publisher, django_assert_num_queries, page
):
    settings.SITE_URL = SITE
    settings.PAGE_CACHE_SECONDS = 0  # pins a render's queries; cache hits are pinned in tests/test_page_cache.py
    w = build_world(researcher, editor, publisher)
    w.add_published(1)
    assert Claim.objects.public().count() == 3
    for step in ("3 claims", "10 claims"):
        if step == "10 claims":
            w.add_published(7)
            # The verdict page's claim gains a correction and two more pieces of evidence too.
            more = [w.evidence_source, SourceFactory(outlet=w.outlet), SourceFactory()]
            correct(w.claim, publisher, "misleading", "Thêm bằng chứng.", more)
            assert Claim.objects.public().count() == 10
        for language in LANGUAGES:
            path = counted_paths(w, language)[page]
            # Warm up first: the rating scale and the public language list are cached after one request.
            assert client.get(path).status_code == 200
            expected = PINNED_QUERIES[page]
            if page == "claims-search" and connection.vendor == "postgresql":
                expected += POSTGRESQL_SEARCH_EXTRA
            with django_assert_num_queries(expected):
                assert client.get(path).status_code == 200, (step, path)


# --- 11. The Atom feeds --------------------------------------------------------------------------------------


def feed_entries(client: Client, path: str) -> tuple[ET.Element, list[dict[str, str]]]:
    response = client.get(path)
    assert response.status_code == 200
    root = parse_xml(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "summary": entry.findtext(f"{ATOM}summary") or "",
        }
        for entry in root.findall(f"{ATOM}entry")
    ]
    return root, entries


@pytest.mark.parametrize(
    ("query", "language"), [("", "vi"), ("?lang=vi", "vi"), ("?lang=en", "en"), ("?lang=xx", "vi")]
)
def test_the_atom_feed_links_each_verdict_in_the_asked_language(client, world, hidden, query, language):
    root, entries = feed_entries(client, f"/feeds/claims.xml{query}")
    assert [e["link"] for e in entries] == [SITE + in_language(language, c) for c in (world.retracted, world.claim)]
    assert [e["id"] for e in entries] == [e["link"] for e in entries]
    wording = world.claim.text if language == "vi" else "Tripoli's government controls only 7% of the territory"
    assert entries[1]["title"] == f"{rating_label('mostly-false', language)}: {wording}"
    old = world.retracted.text if language == "vi" else "Haftar is 75 years old"
    with translation.override(language):
        assert entries[0]["title"] == gettext("Retracted: %(claim)s") % {"claim": old}
    assert "Ahmed al-Mismari" in entries[1]["summary"]
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == f"{SITE}/feeds/claims.xml?lang={language}"


def test_the_actor_feed_lists_that_actor_s_verdicts_only(client, world, researcher, editor, publisher):
    other = publish(make_claim(researcher, "Người khác nói", claimant=ActorFactory(name="Peskov")), editor, publisher)
    _root, entries = feed_entries(client, f"/feeds/actors/{world.actor.pk}.xml?lang=en")
    assert [e["link"] for e in entries] == [SITE + in_language("en", c) for c in (world.retracted, world.claim)]
    assert SITE + in_language("en", other) not in [e["link"] for e in entries]


def test_the_feed_carries_hostile_text_as_text(client, hostile):
    _root, entries = feed_entries(client, "/feeds/claims.xml?lang=en")
    assert entries[0]["title"].endswith(HOSTILE_EN)
    assert "<b onmouseover=alert(7)>Evil</b> Actor" in entries[0]["summary"]


def test_a_claim_with_a_control_character_does_not_break_the_feed(client, world, researcher, editor, publisher):
    # Text pasted from PDFs and word processors carries form feeds and vertical tabs.
    publish(
        make_claim(researcher, "Haftar nói\x0bLNA thắng\x0c", translation_text="Haftar said\x0bLNA won"),
        editor,
        publisher,
    )
    for language in LANGUAGES:
        _root, entries = feed_entries(client, f"/feeds/claims.xml?lang={language}")
        assert len(entries) == 3


# --- 12. The sitemap -----------------------------------------------------------------------------------------


def sitemap_urls(client: Client, section: str) -> list[ET.Element]:
    response = client.get(f"/sitemap-{section}.xml")
    assert response.status_code == 200
    return parse_xml(response.content).findall(f"{SITEMAP}url")


def test_the_sitemap_index_lists_every_section(client, world):
    root = parse_xml(get_page(client, "/sitemap.xml"))
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert sorted(urlsplit(loc).path for loc in locations) == sorted(f"/sitemap-{s}.xml" for s in SECTIONS)


def test_the_sitemap_index_points_at_sections_on_the_site_url(client, world):
    root = parse_xml(get_page(client, "/sitemap.xml"))
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert sorted(locations) == sorted(f"{SITE}/sitemap-{s}.xml" for s in SECTIONS)


@pytest.mark.parametrize(
    ("section", "objects"),
    [
        ("claims", lambda w: [w.claim, w.retracted]),
        ("actors", lambda w: [w.actor, w.mentioned]),
        ("sources", lambda w: [w.source, w.evidence_source]),
        ("outlets", lambda w: [w.outlet]),
    ],
)
def test_each_sitemap_section_lists_public_pages_in_both_languages_with_hreflang(
    client, world, hidden, section, objects
):
    urls = sitemap_urls(client, section)
    expected = {SITE + in_language(language, obj) for obj in objects(world) for language in LANGUAGES}
    assert {url.findtext(f"{SITEMAP}loc") for url in urls} == expected
    assert len(urls) == len(expected)
    for url in urls:
        links = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert all(link.get("rel") == "alternate" for link in url.findall(f"{XHTML}link"))
        assert set(links) == {"vi", "en", "x-default"}
        assert all(href.startswith(SITE + "/") for href in links.values())
        assert url.findtext(f"{SITEMAP}loc") in (links["vi"], links["en"])
        # x-default is the page without a language prefix, which sends each reader to their language.
        neutral = urlsplit(links["x-default"]).path
        for language in LANGUAGES:
            response = client.get(neutral, HTTP_ACCEPT_LANGUAGE=language)
            assert (response.status_code, response["Location"]) == (302, urlsplit(links[language]).path)


def test_the_pages_section_lists_the_site_s_own_pages(client, world):
    locations = {url.findtext(f"{SITEMAP}loc") for url in sitemap_urls(client, "pages")}
    for language in LANGUAGES:
        for name in ("home", "claims", "methodology", "corrections-policy", "corrections"):
            assert SITE + in_language(language, name=f"public:{name}") in locations


# --- 13. robots.txt ------------------------------------------------------------------------------------------


def robots_rules(body: str) -> list[re.Pattern[str]]:
    """Disallow lines as Google reads them: ``*`` any run of characters, ``$`` the end, else a prefix."""
    rules = []
    for line in body.splitlines():
        if line.startswith("Disallow:") and line.split(":", 1)[1].strip():
            rule = line.split(":", 1)[1].strip()
            pattern = re.escape(rule).replace(r"\*", ".*")
            pattern = pattern[:-2] + "$" if pattern.endswith(r"\$") else pattern
            rules.append(re.compile(pattern))
    return rules


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, world):
    body = get_page(client, "/robots.txt")
    assert f"Sitemap: {SITE}/sitemap.xml" in body.splitlines()
    assert "Disallow: /admin/" in body.splitlines()
    rules = robots_rules(body)
    assert any(rule.match("/admin/claims/claim/") for rule in rules)
    assert any(rule.match("/en/claims/?q=Haftar") for rule in rules)
    for path in ("/en/claims/", in_language("vi", world.claim), in_language("en", world.actor)):
        assert not any(rule.match(path) for rule in rules), path


def test_no_page_the_sitemap_lists_is_disallowed_by_robots_txt(client, world):
    rules = robots_rules(get_page(client, "/robots.txt"))
    blocked = [
        url.findtext(f"{SITEMAP}loc")
        for section in SECTIONS
        for url in sitemap_urls(client, section)
        if any(rule.match(urlsplit(url.findtext(f"{SITEMAP}loc")).path) for rule in rules)
    ]
    assert blocked == []


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/claims/favicon.svg")
    from django.contrib.staticfiles import finders

    assert finders.find("claims/favicon.svg")  # served by whitenoise (or runserver) from static files
