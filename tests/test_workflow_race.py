"""Two people acting on the same claim at the same moment, on PostgreSQL: one wins, the other is told."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from claims import workflow
from claims.models import Claim, ClaimStatus, ReviewEvent
from claims.workflow import Action

from .factories import UserFactory, make_ratings, ready_claim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*steps: Callable[[], object]) -> list[object]:
    """Run the steps in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(steps))
    results: list[object] = [None] * len(steps)

    def run(index: int, step: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = step()
        except Exception as error:  # the loser's error is the result we check
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def audit_matches_state(claim: Claim) -> None:
    trail = list(ReviewEvent.objects.filter(claim=claim).order_by("created_at", "id"))
    for before, after in itertools.pairwise(trail):
        assert after.from_status == before.to_status
    assert trail[-1].to_status == Claim.objects.get(pk=claim.pk).status


@pytest.mark.parametrize("rounds", range(5))
def test_two_editors_approving_the_same_claim_at_once_one_wins_and_the_log_matches(rounds: int) -> None:
    make_ratings()
    author = UserFactory(username=f"author{rounds}", role="Researcher")
    editors = [UserFactory(username=f"ed{rounds}_{i}", role="Editor") for i in range(2)]
    claim = ready_claim(author)
    workflow.record_created(claim, author)
    workflow.transition(claim.pk, author, Action.SUBMIT)

    results = race(*(lambda e=e: workflow.transition(claim.pk, e, Action.APPROVE) for e in editors))

    winners = [r for r in results if isinstance(r, Claim)]
    losers = [r for r in results if isinstance(r, workflow.WorkflowError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].status_code == 409
    assert ReviewEvent.objects.filter(claim=claim, action="approve").count() == 1
    audit_matches_state(claim)


def test_approve_and_request_changes_racing_leave_one_coherent_outcome() -> None:
    make_ratings()
    author = UserFactory(username="author-x", role="Researcher")
    first, second = (UserFactory(username=f"ed-x{i}", role="Editor") for i in range(2))
    claim = ready_claim(author)
    workflow.record_created(claim, author)
    workflow.transition(claim.pk, author, Action.SUBMIT)

    # Both editors act on the version they saw (as the admin's form and the API send it): approving and
    # then reopening would both be legal one after the other, but not based on the same view.
    seen = Claim.objects.get(pk=claim.pk).version
    results = race(
        lambda: workflow.transition(claim.pk, first, Action.APPROVE, expected_version=seen),
        lambda: workflow.transition(
            claim.pk, second, Action.REQUEST_CHANGES, "Needs a second source.", expected_version=seen
        ),
    )

    assert sum(isinstance(r, Claim) for r in results) == 1, results
    assert [r.status_code for r in results if isinstance(r, workflow.WorkflowError)] == [409]
    final = Claim.objects.get(pk=claim.pk).status
    assert final in (ClaimStatus.APPROVED, ClaimStatus.CHANGES_REQUESTED)
    audit_matches_state(claim)


def test_two_publishers_publishing_at_once_publish_once() -> None:
    make_ratings()
    author = UserFactory(username="author-p", role="Researcher")
    editor = UserFactory(username="ed-p", role="Editor")
    publishers = [UserFactory(username=f"pub{i}", role="Publisher") for i in range(2)]
    claim = ready_claim(author)
    workflow.transition(claim.pk, author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)

    results = race(*(lambda p=p: workflow.transition(claim.pk, p, Action.PUBLISH) for p in publishers))

    assert sum(isinstance(r, Claim) for r in results) == 1, results
    assert ReviewEvent.objects.filter(claim=claim, action="publish").count() == 1
    assert Claim.objects.get(pk=claim.pk).verdict.versions.count() == 1
