"""Fifty people acting on the same few claims at the same moment, on PostgreSQL.

Each test releases 50 threads together (a barrier), each with its own database connection, through the
workflow's functions, the API and the admin. What must hold whatever the interleaving: of the steps
taken on the same version of a claim exactly one wins and the rest are told (409), never a 500 and
never a silent overwrite; the audit trail replayed from the first state ends in the claim's state, with
one event per accepted step and none for a refused one; every accepted verdict edit is there — a new
verdict version for a correction — and the verdict reads as the last one accepted.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import workflow
from claims.models import Claim, ClaimStatus, Correction, ReviewEvent, SearchDocument, Verdict, VerdictVersion
from claims.search import document_facets, index_claims
from claims.workflow import TRANSITIONS, Action

from .factories import ActorFactory, ClaimFactory, UserFactory, make_ratings, ready_claim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50
#: The messages the losers read, as the workflow and the admin word them (English interface).
CLAIM_CONFLICT = "Someone else changed this claim"
FORM_CONFLICT = "Someone else saved this while you were editing it."


def race(steps: list[Callable[[], Any]]) -> list[Any]:
    """Run the steps in threads released together, each on its own database connection; return each
    one's result, or the exception it raised."""
    barrier = threading.Barrier(len(steps))
    results: list[Any] = [None] * len(steps)

    def run(index: int, step: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):  # the test's language is the thread's own
                results[index] = step()
        except Exception as error:  # a loser's error is the result we check
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting: a deadlock?"
    return results


#: What each action may do to the status, besides the requestable transitions.
OTHER_MOVES = {
    Action.CREATE: ({""}, ClaimStatus.DRAFT),
    Action.CORRECT: ({ClaimStatus.PUBLISHED}, ClaimStatus.PUBLISHED),
    Action.RECHECK_DUE: ({ClaimStatus.PUBLISHED}, ClaimStatus.PUBLISHED),
}


def replay(claim: Claim, since: int = 0) -> str:
    """Replay the claim's audit trail (events after id ``since``) from the state before the first one;
    each event must be a legal move from where the previous one left the claim. Returns the end state."""
    trail = list(ReviewEvent.objects.filter(claim=claim, id__gt=since).order_by("id"))
    assert trail, "no events to replay"
    state = trail[0].from_status
    for event in trail:
        assert event.from_status == state, f"event {event} does not start where the claim was ({state})"
        if event.action in TRANSITIONS:
            spec = TRANSITIONS[event.action]
            sources, target = spec.sources, spec.target
        else:
            sources, target = OTHER_MOVES[event.action]
        assert state in sources and event.to_status == target, f"illegal move {event}"
        state = event.to_status
    return state


def claim_status(claim: Claim) -> str:
    return str(Claim.objects.values_list("status", flat=True).get(pk=claim.pk))


def last_event_id() -> int:
    return ReviewEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def newsroom(db: None) -> dict[str, Any]:
    make_ratings()
    return {
        "author": UserFactory(username="rosa-race", role="Researcher"),
        "editors": [UserFactory(username=f"eva-race{i}", role="Editor") for i in range(10)],
        "publishers": [UserFactory(username=f"paula-race{i}", role="Publisher") for i in range(10)],
    }


def in_review(author: Any) -> Claim:
    claim = ready_claim(author)
    workflow.record_created(claim, author)
    return workflow.transition(claim.pk, author, Action.SUBMIT)


def approved(author: Any, editor: Any) -> Claim:
    return workflow.transition(in_review(author).pk, editor, Action.APPROVE)


def published(author: Any, editor: Any, publisher: Any) -> Claim:
    return workflow.transition(approved(author, editor).pk, publisher, Action.PUBLISH)


# --- Workflow steps ------------------------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(3))
def test_fifty_steps_on_the_same_versions_of_three_claims_have_one_winner_per_claim(
    newsroom: dict[str, Any], round_: int
) -> None:
    author, editors, publishers = newsroom["author"], newsroom["editors"], newsroom["publishers"]
    claims = [in_review(author), in_review(author), approved(author, editors[0])]
    seen = {claim.pk: Claim.objects.get(pk=claim.pk).version for claim in claims}
    # What each person may do to a claim in that state, all on the version they saw.
    choices = {
        ClaimStatus.IN_REVIEW: [
            lambda pk, i: (editors[i % 10], Action.APPROVE, ""),
            lambda pk, i: (editors[i % 10], Action.REQUEST_CHANGES, f"Needs a second source ({i})."),
            lambda pk, i: (author, Action.WITHDRAW, ""),
        ],
        ClaimStatus.APPROVED: [
            lambda pk, i: (publishers[i % 10], Action.PUBLISH, ""),
            lambda pk, i: (editors[i % 10], Action.REQUEST_CHANGES, f"One more look ({i})."),
        ],
    }
    planned: list[tuple[int, Any, str, str]] = []
    for i in range(THREADS):
        claim = claims[(i + round_) % len(claims)]
        options = choices[claim.status]
        user, action, comment = options[(i // len(claims) + round_) % len(options)](claim.pk, i)
        planned.append((claim.pk, user, action, comment))
    before = last_event_id()

    results = race(
        [
            lambda pk=pk, user=user, action=action, comment=comment: workflow.transition(
                pk, user, action, comment, expected_version=seen[pk]
            )
            for pk, user, action, comment in planned
        ]
    )

    unexpected = [r for r in results if not isinstance(r, Claim | workflow.Conflict)]
    assert unexpected == [], unexpected  # losers are told of the conflict; nothing else goes wrong
    for claim in claims:
        mine = [(plan, result) for plan, result in zip(planned, results, strict=True) if plan[0] == claim.pk]
        winners = [(plan, result) for plan, result in mine if isinstance(result, Claim)]
        assert len(winners) == 1, (claim.pk, [r for _p, r in mine])
        (_pk, _user, action, _comment), won = winners[0]
        assert all(CLAIM_CONFLICT in str(r.message) for _p, r in mine if isinstance(r, workflow.Conflict))
        events = list(ReviewEvent.objects.filter(claim=claim, id__gt=before))
        assert [e.action for e in events] == [action]
        final = Claim.objects.get(pk=claim.pk)
        assert final.status == won.status == events[0].to_status
        assert final.version == seen[claim.pk] + 1
        assert replay(claim) == final.status
        assert VerdictVersion.objects.filter(verdict__claim=claim).count() == (action == Action.PUBLISH)


def test_fifty_steps_without_a_version_each_take_effect_once_and_the_trail_replays_to_the_final_state(
    newsroom: dict[str, Any],
) -> None:
    """Nobody says which version they saw: steps that are legal one after the other all happen, in
    some order; each accepted step is one event, each refused one (wrong state by then) none."""
    author, editors, publishers = newsroom["author"], newsroom["editors"], newsroom["publishers"]
    claims = [in_review(author) for _ in range(3)]
    start = {claim.pk: Claim.objects.get(pk=claim.pk) for claim in claims}
    before = last_event_id()
    steps = itertools.cycle(
        [
            lambda i: (editors[i % 10], Action.APPROVE, ""),
            lambda i: (publishers[i % 10], Action.PUBLISH, ""),
            lambda i: (editors[i % 10], Action.REQUEST_CHANGES, f"Check the figure again ({i})."),
            lambda i: (author, Action.SUBMIT, ""),
            lambda i: (author, Action.WITHDRAW, ""),
        ]
    )
    planned = [(claims[i % 3].pk, *next(steps)(i)) for i in range(THREADS)]

    results = race(
        [
            lambda pk=pk, user=user, action=action, comment=comment: workflow.transition(pk, user, action, comment)
            for pk, user, action, comment in planned
        ]
    )

    unexpected = [r for r in results if not isinstance(r, Claim | workflow.WrongState)]
    assert unexpected == [], unexpected
    for claim in claims:
        mine = [(plan, result) for plan, result in zip(planned, results, strict=True) if plan[0] == claim.pk]
        accepted = Counter(plan[2] for plan, result in mine if isinstance(result, Claim))
        print(f"\nclaim {claim.pk}: {len(mine)} steps, accepted {dict(accepted)}, final {claim_status(claim)}")
        events = list(ReviewEvent.objects.filter(claim=claim, id__gt=before).order_by("id"))
        assert Counter(e.action for e in events) == accepted  # no event without its step, no step without its event
        final = Claim.objects.get(pk=claim.pk)
        assert final.version == start[claim.pk].version + sum(accepted.values())
        assert replay(claim) == final.status
        assert (events[-1].to_status if events else start[claim.pk].status) == final.status
        # A claim is published at most once, with one frozen verdict.
        assert accepted[Action.PUBLISH] <= 1
        assert VerdictVersion.objects.filter(verdict__claim=claim).count() == accepted[Action.PUBLISH]


# --- Verdict edits through the API ---------------------------------------------------------------------


def api(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def verdict_body(headline: str, version: int, note: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "rating": "false",
        "headline": {"vi": headline},
        "explanation": {"vi": f"Giải thích: {headline}."},
        "version": version,
    }
    if note:
        body["correction_note"] = note
    return body


def verdict_url(claim: Claim) -> str:
    return f"/api/v1/claims/{claim.pk}/verdict/"


def headline_now(claim: Claim) -> str:
    return Verdict.objects.get(claim=claim).texts.get(language="vi").headline


def test_fifty_api_edits_of_a_verdict_from_the_same_version_save_one_and_tell_the_others(
    newsroom: dict[str, Any],
) -> None:
    editors = newsroom["editors"]
    claim = in_review(newsroom["author"])
    seen = Claim.objects.get(pk=claim.pk).version
    verdict_version = Verdict.objects.get(claim=claim).version
    clients = [api(editors[i % 10]) for i in range(THREADS)]
    headlines = [f"Con số 7% là sai (bản {i})" for i in range(THREADS)]

    responses = race(
        [
            lambda c=c, h=h: c.put(verdict_url(claim), verdict_body(h, seen), format="json")
            for c, h in zip(clients, headlines, strict=True)
        ]
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: THREADS - 1}, statuses
    winner = next(h for h, r in zip(headlines, responses, strict=True) if r.status_code == 200)
    for response in responses:
        if response.status_code == 409:
            error = response.json()["error"]
            assert error["status"] == 409 and CLAIM_CONFLICT in error["message"]
    assert headline_now(claim) == winner  # the winner's words, not a loser's written over them
    assert Verdict.objects.get(claim=claim).version == verdict_version + 1
    assert Claim.objects.get(pk=claim.pk).version == seen + 1
    assert responses[headlines.index(winner)].json()["version"] == seen + 1


def test_fifty_publishers_correcting_a_published_verdict_lose_no_accepted_correction(
    newsroom: dict[str, Any],
) -> None:
    """Each publisher tries up to three times, reloading the version after a 409: every correction that
    was accepted is a verdict version and a public note, and the verdict reads as the last accepted."""
    editors, publishers = newsroom["editors"], newsroom["publishers"]
    claim = published(newsroom["author"], editors[0], publishers[0])
    before = last_event_id()
    clients = [api(publishers[i % 10]) for i in range(THREADS)]

    def correct(index: int) -> list[tuple[str, Any]]:
        tries = []
        for attempt in range(3):
            headline = f"Đính chính {index}.{attempt}"
            version = Claim.objects.values_list("version", flat=True).get(pk=claim.pk)
            body = verdict_body(headline, version, note=f"Nguồn mới ({index}.{attempt}).")
            response = clients[index].put(verdict_url(claim), body, format="json")
            tries.append((headline, response))
            if response.status_code == 200:
                break
        return tries

    results = race([lambda i=i: correct(i) for i in range(THREADS)])

    tries = [attempt for result in results for attempt in result]
    statuses = Counter(response.status_code for _headline, response in tries)
    assert set(statuses) <= {200, 409}, statuses
    accepted = {response.json()["version"]: headline for headline, response in tries if response.status_code == 200}
    assert len(accepted) == statuses[200] >= 1  # each accepted edit made its own claim version
    for _headline, response in tries:
        if response.status_code == 409:
            assert CLAIM_CONFLICT in response.json()["error"]["message"]
    versions = list(VerdictVersion.objects.filter(verdict__claim=claim).order_by("number"))
    assert [v.number for v in versions] == list(range(1, len(accepted) + 2))  # publish, then each correction
    assert [v.texts["vi"]["headline"] for v in versions[1:]] == [accepted[k] for k in sorted(accepted)]
    assert Correction.objects.filter(claim=claim).count() == len(accepted)
    events = list(ReviewEvent.objects.filter(claim=claim, id__gt=before))
    assert [e.action for e in events] == [Action.CORRECT] * len(accepted)
    assert replay(claim) == ClaimStatus.PUBLISHED
    last = accepted[max(accepted)]
    assert headline_now(claim) == last == versions[-1].texts["vi"]["headline"]
    print(f"\ncorrections: {len(tries)} tries by {THREADS} publishers: {dict(statuses)}")


# --- Verdict edits through the admin -------------------------------------------------------------------


def admin_verdict_form(client: Client, verdict: Verdict) -> dict[str, Any]:
    """What the browser posts back for the verdict's admin form as rendered now."""
    from .test_admin import form_data

    response = client.get(reverse("admin:claims_verdict_change", args=[verdict.pk]))
    assert response.status_code == 200
    return form_data(response)


def vi_headline_field(form: dict[str, Any]) -> str:
    """The name of the form's field holding the verdict's Vietnamese headline."""
    language_field = next(name for name, value in form.items() if name.endswith("-language") and value == "vi")
    return language_field.removesuffix("language") + "headline"


def test_fifty_editors_saving_the_same_verdict_form_in_the_admin_save_one_and_tell_the_others(
    newsroom: dict[str, Any],
) -> None:
    editors = newsroom["editors"]
    claim = in_review(newsroom["author"])
    verdict = Verdict.objects.get(claim=claim)
    browsers = []
    for i in range(THREADS):
        browser = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
        browser.force_login(editors[i % 10])
        browsers.append(browser)
    form = admin_verdict_form(browsers[0], verdict)  # all opened the same version of the form
    headline_field = vi_headline_field(form)
    headlines = [f"Con số 7% là sai (biểu mẫu {i})" for i in range(THREADS)]
    address = reverse("admin:claims_verdict_change", args=[verdict.pk])

    responses = race(
        [
            lambda b=b, h=h: b.post(address, {**form, headline_field: h})
            for b, h in zip(browsers, headlines, strict=True)
        ]
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {302: 1, 200: THREADS - 1}, statuses
    for response in responses:
        if response.status_code == 200:  # the form again, saying why
            assert FORM_CONFLICT in response.content.decode()
    winner = next(h for h, r in zip(headlines, responses, strict=True) if r.status_code == 302)
    assert headline_now(claim) == winner
    assert Verdict.objects.get(pk=verdict.pk).version == verdict.version + 1


def test_admin_verdict_edits_racing_an_approval_never_change_an_approved_verdict(
    newsroom: dict[str, Any],
) -> None:
    """Half the editors save the verdict form they opened while the claim was in review, half approve
    it: once approved, the verdict is what was approved (an edit after it is refused, not saved)."""
    editors = newsroom["editors"]
    claim = in_review(newsroom["author"])
    verdict = Verdict.objects.get(claim=claim)
    browsers = []
    for i in range(THREADS // 2):
        browser = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
        browser.force_login(editors[i % 10])
        browsers.append(browser)
    form = admin_verdict_form(browsers[0], verdict)
    headline_field = vi_headline_field(form)
    address = reverse("admin:claims_verdict_change", args=[verdict.pk])
    steps: list[Callable[[], Any]] = []
    for i in range(THREADS // 2):
        steps.append(lambda b=browsers[i], i=i: b.post(address, {**form, headline_field: f"Sửa lúc duyệt {i}"}))
        steps.append(lambda i=i: workflow.transition(claim.pk, editors[i % 10], Action.APPROVE))
    before = last_event_id()

    results = race(steps)

    saves = results[0::2]
    approvals = results[1::2]
    assert Counter(type(r).__name__ for r in approvals) == {"Claim": 1, "WrongState": THREADS // 2 - 1}, approvals
    assert {r.status_code for r in saves} <= {200, 302, 403}, Counter(r.status_code for r in saves)
    final = Claim.objects.get(pk=claim.pk)
    assert final.status == ClaimStatus.APPROVED and replay(claim) == ClaimStatus.APPROVED
    approval = ReviewEvent.objects.get(claim=claim, id__gt=before, action=Action.APPROVE)
    saved_after = Verdict.objects.get(pk=verdict.pk)
    assert saved_after.reviewer is not None  # the approval's reviewer was not written over by a stale form
    # The approval stamps the verdict just before its event; a form saved after it would stamp it later.
    assert saved_after.updated_at <= approval.created_at, "a verdict edit was saved after the claim was approved"


def test_admin_corrections_racing_a_retraction_are_saved_before_it_or_refused_never_a_500(
    newsroom: dict[str, Any],
) -> None:
    editors, publishers = newsroom["editors"], newsroom["publishers"]
    claim = published(newsroom["author"], editors[0], publishers[0])
    verdict = Verdict.objects.get(claim=claim)
    browsers = []
    for i in range(THREADS // 2):
        browser = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
        browser.force_login(publishers[i % 10])
        browsers.append(browser)
    form = admin_verdict_form(browsers[0], verdict)
    headline_field = vi_headline_field(form)
    address = reverse("admin:claims_verdict_change", args=[verdict.pk])

    def retract(index: int) -> Claim:
        time.sleep(0.02 * index)  # spread over the half-second the forms arrive in
        return workflow.transition(claim.pk, publishers[(index + 1) % 10], Action.RETRACT, "The source was forged.")

    steps: list[Callable[[], Any]] = []
    for i in range(THREADS // 2):
        data = {**form, headline_field: f"Đính chính {i}", "correction_note": f"Nguồn mới ({i})."}
        steps.append(lambda b=browsers[i], data=data: b.post(address, data))
        steps.append(lambda i=i: retract(i))

    results = race(steps)

    saves, retractions = results[0::2], results[1::2]
    assert Counter(type(r).__name__ for r in retractions) == {"Claim": 1, "WrongState": THREADS // 2 - 1}
    statuses = Counter(r.status_code for r in saves)
    assert set(statuses) <= {200, 302, 403}, statuses  # saved, the form again saying why, or read-only
    assert Correction.objects.filter(claim=claim).count() == statuses[302]
    assert replay(claim) == Claim.objects.get(pk=claim.pk).status == ClaimStatus.RETRACTED


def test_a_search_document_is_written_from_the_claim_as_it_was_last_committed(researcher: Any) -> None:
    """Two transactions index one claim: an edit of its claimant, and a re-index (a translation saved
    meanwhile) that starts while the edit is still uncommitted. The document must end with the new
    claimant's facet: a search within that claimant finds the claim."""
    first, second = ActorFactory(), ActorFactory()
    claim = ClaimFactory(author=researcher, claimant=first)
    saved = threading.Event()

    def edit() -> None:
        try:
            with transaction.atomic():
                editing = Claim.objects.get(pk=claim.pk)
                editing.claimant = second
                editing.save()  # its document rewritten in this transaction
                saved.set()
                time.sleep(1.0)  # uncommitted while the other transaction indexes the claim
        finally:
            connection.close()

    def reindex() -> None:
        try:
            assert saved.wait(timeout=30)
            with transaction.atomic():
                index_claims([claim.pk])
        finally:
            connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=reindex)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert SearchDocument.objects.get(claim=claim).facets == document_facets(claim.language, second.pk)
