"""Ingestion: a source registered by its URL is fetched, archived and filled in; its check-worthy sentences
become claim candidates an editor accepts (a draft claim quoting them) or dismisses; cited sources' links
are re-checked for changed and vanished pages. Tasks run eagerly here, against a real local news site
(``tests.pages``); ``test_worker_ingestion`` runs the same pipeline on a real worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from celery.exceptions import Retry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import candidates as claim_candidates
from claims.models import Appearance, CandidateStatus, Claim, ClaimCandidate, ReviewEvent
from claims.tasks import sweep_claim_candidates
from factcheck.celery import app as celery_app
from sources import tasks
from sources.models import Actor, ActorAlias, Source, SourceSnapshot

from .factories import QUOTE_7_PERCENT, SEED_A1, SEED_A2, AppearanceFactory, SourceFactory, UserFactory
from .pages import HEADLINE_A1, HEADLINE_A2, PageServer, news_page
from .test_api_writes import api as api_client

# Committed for real: fetches and candidate scans are sent after the commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

CASUALTIES_A1 = "đã có ít nhất 32 người thiệt mạng và khoảng 50 người bị thương"
SOLDIERS_A2 = "ít nhất đã có 14 binh sĩ LNA thiệt mạng"
FIGHTER_JETS = "LNA “tránh sử dụng” máy bay chiến đấu"


@pytest.fixture(scope="module")
def _site() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.stop()


@pytest.fixture
def site(_site: PageServer, settings: Any) -> Iterator[PageServer]:
    settings.FETCH_ALLOWED_HOSTS = ["localhost"]
    settings.FETCH_CONNECT_TIMEOUT = 2
    settings.FETCH_READ_TIMEOUT = 2
    _site.requests.clear()
    original = dict(_site.pages)
    yield _site
    _site.pages.clear()
    _site.pages.update(original)


@pytest.fixture
def libya_actors() -> dict[str, Actor]:
    mismari = Actor.objects.create_with_aliases(name="Ahmed al-Mismari", aliases=["al-Mesmari"])
    lna = Actor.objects.create_with_aliases(
        name="Quân đội Quốc gia Libya", kind=Actor.Kind.ORGANIZATION, aliases=["LNA"]
    )
    haftar = Actor.objects.create_with_aliases(name="Khalifa Haftar", aliases=["Haftar"])
    ministry = Actor.objects.create_with_aliases(
        name="Libya's Ministry of Health", kind=Actor.Kind.ORGANIZATION, aliases=["Bộ Y tế Libya"]
    )
    return {"mismari": mismari, "lna": lna, "haftar": haftar, "ministry": ministry}


def api(user: Any = None) -> Any:
    client = api_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def register(user: Any, url: str, **fields: Any) -> dict[str, Any]:
    response = api(user).post("/api/v1/sources/", {"url": url, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def rank(source: Source, sentence_part: str) -> int:
    ordered = list(ClaimCandidate.objects.filter(source=source).order_by("-score", "start"))
    return next(i for i, c in enumerate(ordered, 1) if sentence_part in c.text)


# --- Fetching -------------------------------------------------------------------------------------------


def test_a_source_registered_with_only_its_url_is_fetched_archived_and_filled_in(site: PageServer) -> None:
    researcher = UserFactory(role="Researcher")
    created = register(researcher, site.url("/libya/haftar-tripoli"))

    source = Source.objects.get(pk=created["id"])
    assert source.fetch_status == Source.FetchStatus.FETCHED
    assert source.title == HEADLINE_A2
    assert source.language == "vi"
    assert QUOTE_7_PERCENT in source.text
    assert "Trang chủ" not in source.text  # the menu is not the article
    snapshot = SourceSnapshot.objects.get(source=source)
    assert snapshot.sha256 == source.content_hash
    assert snapshot.text == source.text
    assert snapshot.http_status == 200
    assert source.link_status == Source.LinkStatus.LIVE
    assert source.fetched_at is not None and source.fetched_at == snapshot.fetched_at

    shown = api(researcher).get(f"/api/v1/sources/{source.pk}/").json()
    assert shown["fetch_status"] == "fetched"
    assert shown["title"] == HEADLINE_A2
    assert shown["language"] == "vi"
    assert shown["content_hash"] == snapshot.sha256


def test_the_seed_articles_claims_come_out_near_the_top_of_the_candidates(
    site: PageServer, libya_actors: dict[str, Actor]
) -> None:
    researcher = UserFactory(role="Researcher")
    a1 = Source.objects.get(pk=register(researcher, site.url("/libya/ngung-ban"))["id"])
    a2 = Source.objects.get(pk=register(researcher, site.url("/libya/haftar-tripoli"))["id"])

    assert a1.title == HEADLINE_A1
    assert rank(a1, CASUALTIES_A1) == 1
    assert rank(a2, SOLDIERS_A2) <= 3
    assert rank(a2, QUOTE_7_PERCENT) <= 3
    assert rank(a2, FIGHTER_JETS) <= 8
    soldiers = ClaimCandidate.objects.get(source=a2, text__contains=SOLDIERS_A2)
    # “Theo Thiếu tướng của LNA Ahmed al-Mismari, …”: the person speaking, not the army he speaks for.
    assert soldiers.claimant == libya_actors["mismari"]
    assert {"number", "casualty", "attribution"} <= set(soldiers.reasons)
    casualties = ClaimCandidate.objects.get(source=a1, text__contains=CASUALTIES_A1)
    # “Bộ Y tế Libya đã cập nhật … kể từ khi Tướng Khalifa Haftar bắt đầu …, theo đó …”: the ministry.
    assert casualties.claimant == libya_actors["ministry"]
    seven = ClaimCandidate.objects.get(source=a2, text__contains=QUOTE_7_PERCENT)
    assert seven.claimant is None  # reported by the article, nobody named says it
    for candidate in ClaimCandidate.objects.filter(source__in=[a1, a2]).select_related("source"):
        assert candidate.source.text[candidate.start : candidate.end] == candidate.text
    assert not Source.objects.filter(needs_candidates=True).exists()


def test_a_pasted_text_gets_candidates_too() -> None:
    source = SourceFactory(text=SEED_A1, url="")
    assert rank(source, CASUALTIES_A1) == 1


def test_a_source_without_a_url_still_needs_its_title_and_language() -> None:
    response = api(UserFactory(role="Researcher")).post("/api/v1/sources/", {"text": "Một văn bản."}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["title"] == ["Give a title, or a URL to take it from."]
    assert fields["language"] == ["Give the language, or a URL to detect it from."]


def test_a_given_title_and_text_are_kept_and_the_page_is_archived_beside_them(site: PageServer) -> None:
    created = register(
        UserFactory(role="Researcher"),
        site.url("/libya/haftar-tripoli"),
        title="Haftar tiến vào Tripoli (bản in)",
        language="vi",
        text="Bản in của bài báo.",
    )
    source = Source.objects.get(pk=created["id"])
    assert source.title == "Haftar tiến vào Tripoli (bản in)"
    assert source.text == "Bản in của bài báo."
    assert source.fetch_status == Source.FetchStatus.FETCHED
    assert QUOTE_7_PERCENT in source.snapshots.get().text


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("127.0.0.1", "/libya/haftar-tripoli"),  # loopback by address
        ("[::1]", "/libya/haftar-tripoli"),  # IPv6 loopback
        ("10.1.2.3", "/"),  # private network
        ("169.254.169.254", "/latest/meta-data/"),  # cloud metadata
    ],
)
def test_a_private_address_is_blocked_and_the_source_says_so(site: PageServer, host: str, path: str) -> None:
    port = f":{site.server_port}" if host in ("127.0.0.1", "[::1]") else ""
    created = register(UserFactory(role="Researcher"), f"http://{host}{port}{path}")

    source = Source.objects.get(pk=created["id"])
    assert source.fetch_status == Source.FetchStatus.BLOCKED
    assert source.fetch_error  # the reason, for the editor
    assert source.text == "" and source.title == ""
    assert not source.snapshots.exists()
    assert site.requests == []  # nothing reached the server


def test_a_redirect_to_loopback_is_blocked(site: PageServer) -> None:
    site.redirects["/moved"] = f"http://127.0.0.1:{site.server_port}/libya/haftar-tripoli"
    try:
        created = register(UserFactory(role="Researcher"), site.url("/moved"))
    finally:
        site.redirects.clear()
    source = Source.objects.get(pk=created["id"])
    assert source.fetch_status == Source.FetchStatus.BLOCKED
    assert site.requests == ["/moved"]  # the redirect was read, its target never asked for


def test_a_missing_page_fails_with_the_reason_and_shows_as_gone(site: PageServer) -> None:
    created = register(UserFactory(role="Researcher"), site.url("/libya/khong-co"))
    source = Source.objects.get(pk=created["id"])
    assert source.fetch_status == Source.FetchStatus.FAILED
    assert source.link_status == Source.LinkStatus.GONE
    assert source.fetch_error


def test_a_passing_failure_is_retried_later_with_backoff_and_the_sweep_waits_for_it(
    site: PageServer, settings: Any
) -> None:
    site.pages["/busy"] = (503, "text/html", b"<p>later</p>")
    source = SourceFactory(url=site.url("/busy"), text="", title="", language="")
    Source.objects.filter(pk=source.pk).update(fetch_status="pending", fetch_due_at=timezone.now())

    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    tasks.fetch_source.push_request(
        id="attempt-1", args=[source.pk], kwargs={}, retries=0, is_eager=False, called_directly=False
    )
    try:
        with pytest.raises(Retry):
            tasks.fetch_source.run(source.pk)
    finally:
        tasks.fetch_source.pop_request()
        celery_app.conf.task_always_eager = True
        settings.CELERY_TASK_ALWAYS_EAGER = True

    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.PENDING  # not failed: it will be tried again
    assert source.fetch_error
    assert source.fetch_due_at is not None
    waited = (source.fetch_due_at - timezone.now()).total_seconds()
    assert settings.FETCH_RETRY_DELAY - 5 < waited <= settings.FETCH_RETRY_DELAY
    assert tasks.retry_delay(0) == settings.FETCH_RETRY_DELAY
    assert tasks.retry_delay(3) == 8 * settings.FETCH_RETRY_DELAY
    assert tasks.retry_delay(20) == 1800  # half the default visibility timeout (3600 s)
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    assert tasks.retry_delay(20) == 300

    assert tasks.sweep_pending_fetches() == 0  # the retry is on its way: not re-sent

    # The retry's message was lost after all: once well past due, the sweep sends the fetch again.
    site.pages["/busy"] = site.pages["/libya/haftar-tripoli"]
    Source.objects.filter(pk=source.pk).update(fetch_due_at=timezone.now() - tasks.FETCH_GRACE - dt.timedelta(1))
    assert tasks.sweep_pending_fetches() == 1
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FETCHED
    assert source.title == HEADLINE_A2


def test_without_a_worker_a_passing_failure_fails_at_once_and_can_be_fetched_again(site: PageServer) -> None:
    site.pages["/busy"] = (503, "text/html", b"<p>later</p>")
    editor = UserFactory(role="Editor")
    created = register(editor, site.url("/busy"))
    assert Source.objects.get(pk=created["id"]).fetch_status == Source.FetchStatus.FAILED

    site.pages["/busy"] = site.pages["/libya/ngung-ban"]
    response = api(editor).post(f"/api/v1/sources/{created['id']}/fetch/")
    assert response.status_code == 202
    source = Source.objects.get(pk=created["id"])
    assert source.fetch_status == Source.FetchStatus.FETCHED
    assert source.title == HEADLINE_A1


def test_fetching_again_through_the_api_needs_a_url_and_the_right(site: PageServer) -> None:
    no_url = SourceFactory(url="")
    editor = UserFactory(role="Editor")
    response = api(editor).post(f"/api/v1/sources/{no_url.pk}/fetch/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "url: This source has no URL to fetch."
    assert api().post(f"/api/v1/sources/{no_url.pk}/fetch/").status_code in (401, 403)
    outsider = UserFactory()  # staff, no role
    assert api(outsider).post(f"/api/v1/sources/{no_url.pk}/fetch/").status_code == 403


def test_a_second_delivery_of_a_fetch_does_nothing(site: PageServer) -> None:
    created = register(UserFactory(role="Researcher"), site.url("/libya/haftar-tripoli"))
    requests = len(site.requests)
    assert tasks.fetch_source.apply(args=[created["id"]]).get() == "skipped"
    assert len(site.requests) == requests
    assert SourceSnapshot.objects.filter(source_id=created["id"]).count() == 1


def test_a_lost_fetch_message_is_sent_again_by_the_sweep(site: PageServer) -> None:
    source = SourceFactory(url=site.url("/libya/ngung-ban"), text="", title="", language="")
    long_ago = timezone.now() - tasks.FETCH_GRACE - dt.timedelta(minutes=1)
    Source.objects.filter(pk=source.pk).update(fetch_status="pending", fetch_due_at=long_ago)
    recent = SourceFactory(url=site.url("/libya/haftar-tripoli"), text="", title="", language="")
    Source.objects.filter(pk=recent.pk).update(fetch_status="pending", fetch_due_at=timezone.now())

    assert tasks.sweep_pending_fetches() == 1
    assert Source.objects.get(pk=source.pk).fetch_status == Source.FetchStatus.FETCHED
    assert Source.objects.get(pk=recent.pk).fetch_status == Source.FetchStatus.PENDING


# --- Link rot -------------------------------------------------------------------------------------------


def test_a_cited_pages_changes_and_disappearance_are_flagged_and_its_text_kept(site: PageServer) -> None:
    source = SourceFactory(url=site.url("/libya/haftar-tripoli"))
    AppearanceFactory(source=source)
    text = source.text

    assert tasks.check_source_link.apply(args=[source.pk]).get() == "live"
    assert tasks.check_source_link.apply(args=[source.pk]).get() == "live"
    assert source.snapshots.count() == 1  # the same page is archived once

    site.pages["/libya/haftar-tripoli"] = (
        200,
        "text/html; charset=utf-8",
        news_page(HEADLINE_A2, SEED_A2.replace("7%", "10%")),
    )
    assert tasks.check_source_link.apply(args=[source.pk]).get() == "changed"
    source.refresh_from_db()
    assert source.link_status == Source.LinkStatus.CHANGED
    assert source.snapshots.count() == 2
    assert source.text == text  # quotes point into it: never replaced

    site.pages["/libya/haftar-tripoli"] = (410, "text/html", b"<p>Gone</p>")
    assert tasks.check_source_link.apply(args=[source.pk]).get() == "gone"
    source.refresh_from_db()
    assert source.link_status == Source.LinkStatus.GONE
    assert source.fetch_error
    assert source.snapshots.count() == 2  # the archive outlives the page


def test_the_periodic_recheck_looks_at_cited_sources_not_checked_lately(site: PageServer, settings: Any) -> None:
    cited = SourceFactory(url=site.url("/libya/haftar-tripoli"))
    AppearanceFactory(source=cited)
    uncited = SourceFactory(url=site.url("/libya/ngung-ban"))
    recently = SourceFactory(url=site.url("/libya/ngung-ban?recent"))
    AppearanceFactory(source=recently)
    Source.objects.filter(pk=recently.pk).update(link_checked_at=timezone.now() - dt.timedelta(days=1))
    stale = SourceFactory(url=site.url("/libya/khong-co"))
    AppearanceFactory(source=stale)
    Source.objects.filter(pk=stale.pk).update(
        link_checked_at=timezone.now() - dt.timedelta(days=settings.SOURCE_RECHECK_DAYS + 1)
    )

    assert tasks.recheck_source_links() == 2
    assert Source.objects.get(pk=cited.pk).link_status == Source.LinkStatus.LIVE
    assert Source.objects.get(pk=stale.pk).link_status == Source.LinkStatus.GONE
    assert Source.objects.get(pk=uncited.pk).link_status == Source.LinkStatus.UNCHECKED
    assert Source.objects.get(pk=recently.pk).link_status == Source.LinkStatus.UNCHECKED
    assert tasks.recheck_source_links() == 0  # all checked now


# --- Candidates -----------------------------------------------------------------------------------------


def test_candidates_are_stored_once_and_a_new_text_keeps_the_decided_ones() -> None:
    editor = UserFactory(role="Editor")
    source = SourceFactory(text=SEED_A2, url="")
    first = {c.pk: (c.start, c.end) for c in ClaimCandidate.objects.filter(source=source)}
    assert first
    assert claim_candidates.store_candidates(source.pk) == 0  # nothing marked: a second delivery
    assert {c.pk: (c.start, c.end) for c in ClaimCandidate.objects.filter(source=source)} == first

    seven = ClaimCandidate.objects.get(source=source, text__contains=QUOTE_7_PERCENT)
    claim_candidates.dismiss_candidates([seven.pk], editor)
    source.text = SEED_A2 + "\nMột câu mới: ít nhất 99 người thiệt mạng ở Tripoli, Bộ Y tế cho biết."
    source.save()

    after = ClaimCandidate.objects.filter(source=source)
    assert after.get(pk=seven.pk).status == CandidateStatus.DISMISSED  # not re-opened
    assert after.filter(text__contains="99 người").exists()
    assert after.filter(text__contains=QUOTE_7_PERCENT).count() == 1


def test_a_lost_candidates_message_is_sent_again_by_the_sweep() -> None:
    source = SourceFactory(text=SEED_A1, url="")
    ClaimCandidate.objects.filter(source=source).delete()
    old = timezone.now() - dt.timedelta(minutes=10)
    Source.objects.filter(pk=source.pk).update(needs_candidates=True, updated_at=old)
    assert sweep_claim_candidates() == 1
    assert rank(source, CASUALTIES_A1) == 1
    assert sweep_claim_candidates() == 0


def test_accepting_a_candidate_makes_a_draft_claim_quoting_it(libya_actors: dict[str, Actor]) -> None:
    researcher = UserFactory(role="Researcher")
    source = SourceFactory(text=SEED_A2, url="", published_at=dt.datetime(2019, 4, 8, tzinfo=dt.UTC))
    ClaimCandidate.objects.filter(source=source).delete()
    Source.objects.filter(pk=source.pk).update(needs_candidates=True)
    claim_candidates.store_candidates(source.pk)
    candidate = ClaimCandidate.objects.get(source=source, text__contains=SOLDIERS_A2)

    claim = claim_candidates.accept_candidate(candidate.pk, researcher)

    assert claim.status == "draft"
    assert claim.text == candidate.text
    assert claim.language == "vi"
    assert claim.claimant == libya_actors["mismari"]
    assert claim.claim_date == dt.date(2019, 4, 8)
    assert claim.author == researcher
    appearance = Appearance.objects.get(claim=claim)
    assert (appearance.source_id, appearance.start, appearance.end) == (source.pk, candidate.start, candidate.end)
    assert appearance.is_first
    assert ReviewEvent.objects.filter(claim=claim, action="create").count() == 1
    candidate.refresh_from_db()
    assert (candidate.status, candidate.claim_id, candidate.decided_by) == ("accepted", claim.pk, researcher)

    with pytest.raises(claim_candidates.CandidateError, match="already decided"):
        claim_candidates.accept_candidate(candidate.pk, researcher)
    assert Claim.objects.count() == 1


def test_a_candidate_whose_source_changed_under_it_is_refused() -> None:
    source = SourceFactory(text=SEED_A2, url="")
    candidate = ClaimCandidate.objects.filter(source=source).first()
    assert candidate is not None
    Source.objects.filter(pk=source.pk).update(text="Một văn bản khác hẳn.")
    with pytest.raises(claim_candidates.CandidateError, match="text changed"):
        claim_candidates.accept_candidate(candidate.pk, UserFactory(role="Researcher"))
    assert not Claim.objects.exists()


# --- Admin ----------------------------------------------------------------------------------------------


#: An empty snapshots inline, as the admin's add form posts it.
NO_SNAPSHOTS = {"snapshots-TOTAL_FORMS": "0", "snapshots-INITIAL_FORMS": "0"}


def logged_in(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_researcher_adds_a_source_by_its_url_in_the_admin(site: PageServer) -> None:
    researcher = UserFactory(role="Researcher")
    client = logged_in(researcher)
    response = client.post(
        reverse("admin:sources_source_add"),
        {
            "url": site.url("/libya/haftar-tripoli"),
            "kind": "article",
            "title": "",
            "language": "",
            "text": "",
            **NO_SNAPSHOTS,
        },
        follow=True,
    )
    assert response.status_code == 200
    source = Source.objects.get()
    assert source.title == HEADLINE_A2 and source.fetch_status == "fetched"
    assert "is being fetched and archived" in response.content.decode()

    page = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    pending = ClaimCandidate.objects.filter(source=source, status="pending").count()
    assert f"{pending} sentences worth checking" in page
    assert site.url("/libya/haftar-tripoli") in page


def test_a_source_with_neither_url_nor_title_is_a_form_error_in_the_admin() -> None:
    client = logged_in(UserFactory(role="Researcher"))
    response = client.post(reverse("admin:sources_source_add"), {"kind": "article", "text": "Văn bản.", **NO_SNAPSHOTS})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give a title, or a URL to take it from." in body
    assert "Give the language, or a URL to detect it from." in body
    assert not Source.objects.exists()


def test_editors_find_sources_with_link_problems_and_fetch_them_again(site: PageServer) -> None:
    editor = UserFactory(role="Editor")
    gone = SourceFactory(url=site.url("/libya/haftar-tripoli"), title="Bài đã mất")
    AppearanceFactory(source=gone)
    Source.objects.filter(pk=gone.pk).update(link_status="gone")
    SourceFactory(title="Bài vẫn còn")
    client = logged_in(editor)

    listing = client.get(reverse("admin:sources_source_changelist") + "?link_trouble=cited").content.decode()
    assert "Bài đã mất" in listing and "Bài vẫn còn" not in listing

    response = client.post(
        reverse("admin:sources_source_changelist"),
        {"action": "check_links", "_selected_action": [gone.pk]},
        follow=True,
    )
    assert "1 link is being checked." in response.content.decode()
    assert Source.objects.get(pk=gone.pk).link_status == Source.LinkStatus.LIVE


def test_an_editor_accepts_and_dismisses_candidates_from_the_admin(libya_actors: dict[str, Actor]) -> None:
    editor = UserFactory(role="Editor")
    source = SourceFactory(text=SEED_A2, url="")
    ClaimCandidate.objects.filter(source=source).delete()
    Source.objects.filter(pk=source.pk).update(needs_candidates=True)
    claim_candidates.store_candidates(source.pk)
    soldiers = ClaimCandidate.objects.get(source=source, text__contains=SOLDIERS_A2)
    seven = ClaimCandidate.objects.get(source=source, text__contains=QUOTE_7_PERCENT)
    client = logged_in(editor)

    page = client.get(reverse("admin:claims_claimcandidate_change", args=[soldiers.pk])).content.decode()
    assert "Accept: make a draft claim" in page
    assert "<mark>" in page and "Ahmed al-Mismari" in page

    response = client.post(reverse("admin:claims_claimcandidate_decide", args=[soldiers.pk]), {"decision": "accept"})
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:claims_claim_change", args=[claim.pk])
    assert claim.claimant == libya_actors["mismari"]

    response = client.post(
        reverse("admin:claims_claimcandidate_decide", args=[soldiers.pk]), {"decision": "accept"}, follow=True
    )
    assert "already decided" in response.content.decode()
    assert Claim.objects.count() == 1

    client.post(reverse("admin:claims_claimcandidate_decide", args=[seven.pk]), {"decision": "dismiss"})
    seven.refresh_from_db()
    assert seven.status == CandidateStatus.DISMISSED and seven.decided_by == editor

    listing = client.get(reverse("admin:claims_claimcandidate_changelist") + f"?source__id__exact={source.pk}")
    assert listing.status_code == 200


def test_bulk_accepting_candidates_makes_one_draft_each() -> None:
    researcher = UserFactory(role="Researcher")
    source = SourceFactory(text=SEED_A1, url="")
    picked = list(ClaimCandidate.objects.filter(source=source).order_by("-score")[:2])
    response = logged_in(researcher).post(
        reverse("admin:claims_claimcandidate_changelist"),
        {"action": "accept", "_selected_action": [c.pk for c in picked]},
        follow=True,
    )
    assert "Draft claims made" in response.content.decode()
    assert Claim.objects.filter(status="draft", author=researcher).count() == 2


def test_who_may_decide_candidates() -> None:
    source = SourceFactory(text=SEED_A1, url="")
    candidate = ClaimCandidate.objects.filter(source=source).first()
    assert candidate is not None
    outsider = UserFactory()  # staff without a newsroom role
    url = reverse("admin:claims_claimcandidate_decide", args=[candidate.pk])
    assert logged_in(outsider).post(url, {"decision": "accept"}).status_code == 403
    assert Client().post(url, {"decision": "accept"}).status_code == 302  # to the login page
    assert not Claim.objects.exists()
    assert ClaimCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.PENDING


def test_the_candidates_list_costs_the_same_for_many_sources(django_assert_max_num_queries: Any) -> None:
    editor = UserFactory(role="Editor")
    SourceFactory(text=SEED_A1, url="")
    client = logged_in(editor)
    url = reverse("admin:claims_claimcandidate_changelist")
    client.get(url)
    for _ in range(4):
        SourceFactory(text=SEED_A2, url="")
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_page_titles_are_escaped_in_the_admin(site: PageServer) -> None:
    site.pages["/xss"] = (200, "text/html; charset=utf-8", news_page("<script>alert(1)</script> Tin", SEED_A1))
    created = register(UserFactory(role="Researcher"), site.url("/xss"))
    source = Source.objects.get(pk=created["id"])
    assert "<script>" in source.title
    page = logged_in(UserFactory(role="Editor")).get(reverse("admin:sources_source_change", args=[source.pk]))
    assert b"<script>alert(1)</script>" not in page.content


def test_actor_aliases_name_the_claimant(libya_actors: dict[str, Actor]) -> None:
    ActorAlias.objects.create(actor=libya_actors["mismari"], name="Thiếu tướng Mismari")
    source = SourceFactory(text="Thiếu tướng Mismari cho biết 14 binh sĩ đã thiệt mạng ở Tripoli hôm qua.", url="")
    candidate = ClaimCandidate.objects.get(source=source)
    assert candidate.claimant == libya_actors["mismari"]


# --- Review findings ------------------------------------------------------------------------------------


def test_why_a_fetch_failed_is_shown_to_the_newsroom_only(site: PageServer) -> None:
    from .factories import make_ratings, ready_claim
    from .test_api_claims import publish

    make_ratings()
    claim = publish(
        ready_claim(UserFactory(role="Researcher")), UserFactory(role="Editor"), UserFactory(role="Publisher")
    )
    source = claim.appearances.get().source
    Source.objects.filter(pk=source.pk).update(url=f"http://127.0.0.1:{site.server_port}/x")
    assert tasks.check_source_link.apply(args=[source.pk]).get() == "unreachable"
    assert Source.objects.get(pk=source.pk).fetch_error

    public = api().get(f"/api/v1/sources/{source.pk}/").json()
    assert public["fetch_error"] == "" and public["link_status"] == "unreachable"
    listed = api().get("/api/v1/sources/").json()["results"]
    assert [s["fetch_error"] for s in listed] == [""]
    staff = api(UserFactory(role="Researcher")).get(f"/api/v1/sources/{source.pk}/").json()
    assert staff["fetch_error"]


def test_the_cited_filter_keeps_each_sources_count_of_quotes() -> None:
    source = SourceFactory(title="Bài được trích ba lần", url="https://news.example/three")
    for _ in range(3):
        AppearanceFactory(source=source)
    Source.objects.filter(pk=source.pk).update(link_status="gone")
    client = logged_in(UserFactory(role="Editor"))
    url = reverse("admin:sources_source_changelist")
    plain = client.get(url).content.decode()
    cited = client.get(url + "?link_trouble=cited").content.decode()
    count_cell = '<td class="field-appearance_count">3</td>'
    assert count_cell in plain and count_cell in cited


def test_the_snapshots_list_costs_the_same_for_more_snapshots(site: PageServer) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(UserFactory(role="Editor"))
    url = reverse("admin:sources_sourcesnapshot_changelist")
    register(UserFactory(role="Researcher"), site.url("/libya/ngung-ban"))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    register(UserFactory(role="Researcher"), site.url("/libya/haftar-tripoli"))
    for path in ("/a", "/b", "/c"):
        site.pages[path] = (*site.pages["/libya/ngung-ban"][:2], news_page(path, SEED_A1 + path))
        register(UserFactory(role="Researcher"), site.url(path))
    assert SourceSnapshot.objects.count() == 5
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_a_fetch_of_an_address_changed_meanwhile_is_not_written(site: PageServer) -> None:
    from sources.fetching import fetch

    source = SourceFactory(url=site.url("/libya/ngung-ban"), text="", title="", language="")
    Source.objects.filter(pk=source.pk).update(fetch_status="pending")
    old_page = fetch(source.url)  # the fetch in flight, of the old address
    Source.objects.filter(pk=source.pk).update(url=site.url("/libya/haftar-tripoli"))
    assert tasks.archive(source.pk, old_page, fill_in=True) is None
    source.refresh_from_db()
    assert (source.text, source.fetch_status) == ("", "pending")
    assert not source.snapshots.exists()


def test_a_broker_that_is_down_leaves_the_work_recorded_for_the_sweep(site: PageServer, settings: Any) -> None:
    """Nothing answers on the broker's port: registering a source still succeeds, the fetch stays pending,
    and the sweep sends it once the broker is back (here: eager again)."""
    from tests.test_worker import reset_connections

    previous = {
        key: celery_app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_publish_retry", "broker_connection_retry")
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.update(
        broker_url="redis://127.0.0.1:1/0",
        task_always_eager=False,
        task_publish_retry=False,
        broker_connection_retry=False,
    )
    reset_connections()
    try:
        created = register(UserFactory(role="Researcher"), site.url("/libya/ngung-ban"))
    finally:
        celery_app.conf.update(**previous)
        settings.CELERY_TASK_ALWAYS_EAGER = True
        reset_connections()

    source = Source.objects.get(pk=created["id"])
    assert source.fetch_status == Source.FetchStatus.PENDING
    assert site.requests == []
    Source.objects.filter(pk=source.pk).update(fetch_due_at=timezone.now() - tasks.FETCH_GRACE - dt.timedelta(1))
    assert tasks.sweep_pending_fetches() == 1
    assert Source.objects.get(pk=source.pk).fetch_status == Source.FetchStatus.FETCHED
