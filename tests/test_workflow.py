"""The editorial workflow's rules, from every persona: states, roles, four eyes, audit trail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from claims import workflow
from claims.models import Claim, ClaimStatus, Correction, Notification, ReviewEvent, Verdict, VerdictVersion
from claims.workflow import Action, NotAllowed, VerdictContent, WorkflowError, WrongState

from .factories import ClaimFactory, SourceFactory, UserFactory, ready_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]


def events(claim: Claim) -> list[tuple[str, str, str, str]]:
    return [
        (e.action, e.from_status, e.to_status, e.actor.username if e.actor else "system")
        for e in ReviewEvent.objects.filter(claim=claim).order_by("created_at", "id")
    ]


def take(claim: Claim, user, action: str, comment: str = "") -> Claim:  # type: ignore[no-untyped-def]
    return workflow.transition(claim.pk, user, action, comment=comment)


def to_status(claim: Claim, status: str, editor, publisher) -> Claim:  # type: ignore[no-untyped-def]
    """Walk a ready claim through the workflow to ``status``."""
    path = {
        ClaimStatus.IN_REVIEW: [(claim.author, Action.SUBMIT)],
        ClaimStatus.APPROVED: [(claim.author, Action.SUBMIT), (editor, Action.APPROVE)],
        ClaimStatus.PUBLISHED: [(claim.author, Action.SUBMIT), (editor, Action.APPROVE), (publisher, Action.PUBLISH)],
    }[status]
    for user, action in path:
        claim = take(claim, user, action)
    return claim


# --- The happy path and its record --------------------------------------------------------------------


def test_researcher_submits_editor_requests_changes_researcher_resubmits_editor_approves_publisher_publishes(
    researcher, editor, publisher
):
    claim = ready_claim(researcher)
    workflow.record_created(claim, researcher)
    take(claim, researcher, Action.SUBMIT)
    take(claim, editor, Action.REQUEST_CHANGES, "Cite the ministry's own statement.")
    take(claim, researcher, Action.SUBMIT, "Added the source.")
    take(claim, editor, Action.APPROVE)
    claim = take(claim, publisher, Action.PUBLISH)

    assert claim.status == ClaimStatus.PUBLISHED
    assert claim.published_at is not None
    assert events(claim) == [
        ("create", "", "draft", "rosa_researcher"),
        ("submit", "draft", "in_review", "rosa_researcher"),
        ("request_changes", "in_review", "changes_requested", "eva_editor"),
        ("submit", "changes_requested", "in_review", "rosa_researcher"),
        ("approve", "in_review", "approved", "eva_editor"),
        ("publish", "approved", "published", "paula_publisher"),
    ]
    assert (
        ReviewEvent.objects.get(claim=claim, action="request_changes").comment == "Cite the ministry's own statement."
    )
    verdict = Verdict.objects.get(claim=claim)
    assert verdict.reviewer == editor
    assert verdict.versions.count() == 1


def test_every_transition_bumps_the_claim_version(researcher, editor):
    claim = ready_claim(researcher)
    before = claim.version
    claim = take(claim, researcher, Action.SUBMIT)
    assert claim.version == before + 1
    assert Claim.objects.get(pk=claim.pk).version == before + 1


# --- Who may do what ----------------------------------------------------------------------------------


def test_only_the_author_or_an_editor_submits(researcher, other_researcher, editor):
    claim = ready_claim(researcher)
    with pytest.raises(NotAllowed, match="author or an editor"):
        take(claim, other_researcher, Action.SUBMIT)
    assert take(claim, editor, Action.SUBMIT).status == ClaimStatus.IN_REVIEW


def test_researcher_cannot_approve_or_publish(researcher, other_researcher, editor):
    claim = to_status(ready_claim(other_researcher), ClaimStatus.IN_REVIEW, editor, None)
    with pytest.raises(NotAllowed, match="permission to approve"):
        take(claim, researcher, Action.APPROVE)
    claim = take(claim, editor, Action.APPROVE)
    with pytest.raises(NotAllowed, match="permission to publish"):
        take(claim, researcher, Action.PUBLISH)
    with pytest.raises(NotAllowed, match="permission to publish"):
        take(claim, editor, Action.PUBLISH)


def test_outsider_and_anonymous_can_do_nothing(researcher, outsider):
    from django.contrib.auth.models import AnonymousUser

    claim = ready_claim(researcher)
    for user in (outsider, AnonymousUser()):
        for action in workflow.TRANSITIONS:
            with pytest.raises(NotAllowed):
                take(claim, user, action, comment="x")
    assert ReviewEvent.objects.filter(claim=claim).count() == 0


def test_author_cannot_approve_own_claim_even_as_editor(editor, other_editor):
    claim = to_status(ready_claim(editor), ClaimStatus.IN_REVIEW, other_editor, None)
    with pytest.raises(NotAllowed, match="Four eyes"):
        take(claim, editor, Action.APPROVE)
    with pytest.raises(NotAllowed, match="Four eyes"):
        take(claim, editor, Action.REQUEST_CHANGES, "I changed my mind")


def test_author_cannot_publish_own_claim_even_as_publisher(publisher, editor):
    author_publisher = UserFactory(username="pia_publisher_author", role="Publisher")
    claim = to_status(ready_claim(author_publisher), ClaimStatus.APPROVED, editor, None)
    with pytest.raises(NotAllowed, match="Four eyes"):
        take(claim, author_publisher, Action.PUBLISH)
    assert take(claim, publisher, Action.PUBLISH).status == ClaimStatus.PUBLISHED


def test_a_superuser_bypasses_none_of_the_four_eyes_rule(superuser, editor, publisher):
    claim = ready_claim(superuser)
    take(claim, superuser, Action.SUBMIT)
    with pytest.raises(NotAllowed, match="Four eyes"):
        take(claim, superuser, Action.APPROVE)
    take(claim, editor, Action.APPROVE)
    with pytest.raises(NotAllowed, match="Four eyes"):
        take(claim, superuser, Action.PUBLISH)
    claim = take(claim, publisher, Action.PUBLISH)
    with pytest.raises(NotAllowed, match="Four eyes"):
        take(claim, superuser, Action.RETRACT, "wrong")


def test_the_superuser_may_review_and_publish_claims_of_others(superuser, researcher):
    claim = to_status(ready_claim(researcher), ClaimStatus.IN_REVIEW, None, None)
    take(claim, superuser, Action.APPROVE)
    assert take(claim, superuser, Action.PUBLISH).status == ClaimStatus.PUBLISHED


# --- States ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (ClaimStatus.DRAFT, Action.APPROVE),
        (ClaimStatus.DRAFT, Action.PUBLISH),
        (ClaimStatus.IN_REVIEW, Action.PUBLISH),
        (ClaimStatus.IN_REVIEW, Action.SUBMIT),
        (ClaimStatus.APPROVED, Action.APPROVE),
        (ClaimStatus.PUBLISHED, Action.PUBLISH),
        (ClaimStatus.PUBLISHED, Action.SUBMIT),
        (ClaimStatus.DRAFT, Action.RETRACT),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message_and_no_event(
    status, action, researcher, editor, publisher, superuser
):
    claim = ready_claim(researcher)
    if status != ClaimStatus.DRAFT:
        claim = to_status(claim, status, editor, publisher)
    before = ReviewEvent.objects.filter(claim=claim).count()
    with pytest.raises(WrongState, match=r"This claim's status is “.+”: it cannot be .+ now\."):
        take(claim, superuser, action, comment="trying")
    assert ReviewEvent.objects.filter(claim=claim).count() == before
    assert Claim.objects.get(pk=claim.pk).status == status


def test_unknown_action_is_refused(researcher):
    with pytest.raises(WorkflowError, match="Unknown action"):
        take(ready_claim(researcher), researcher, "bless")


def test_request_changes_and_retract_need_a_comment(researcher, editor, publisher):
    claim = to_status(ready_claim(researcher), ClaimStatus.IN_REVIEW, editor, publisher)
    with pytest.raises(WorkflowError, match="comment"):
        take(claim, editor, Action.REQUEST_CHANGES, "   ")
    claim = to_status(ready_claim(researcher), ClaimStatus.PUBLISHED, editor, publisher)
    with pytest.raises(WorkflowError, match="comment"):
        take(claim, publisher, Action.RETRACT)


def test_the_author_may_withdraw_a_submission(researcher, editor):
    claim = to_status(ready_claim(researcher), ClaimStatus.IN_REVIEW, editor, None)
    assert take(claim, researcher, Action.WITHDRAW).status == ClaimStatus.DRAFT


def test_an_editor_may_reopen_an_approved_claim_by_requesting_changes(researcher, editor, other_editor):
    claim = to_status(ready_claim(researcher), ClaimStatus.APPROVED, editor, None)
    claim = take(claim, other_editor, Action.REQUEST_CHANGES, "New figures from the ministry.")
    assert claim.status == ClaimStatus.CHANGES_REQUESTED


# --- What publishing needs ----------------------------------------------------------------------------


def test_publishing_needs_a_verdict_with_rating_and_texts_in_the_original_language_and_an_appearance(
    researcher, editor
):
    claim = ClaimFactory(author=researcher)
    take(claim, researcher, Action.SUBMIT)
    with pytest.raises(WrongState) as refused:
        take(claim, editor, Action.APPROVE)
    assert "no verdict" in refused.value.message
    assert "no appearance" in refused.value.message

    workflow.save_verdict(
        claim, editor, VerdictContent(rating="unproven", texts={"en": ("Unverified", "No source is given.")})
    )
    with pytest.raises(WrongState, match=r"original language \(vi\)"):
        take(claim, editor, Action.APPROVE)


def test_approved_claims_are_locked_until_changes_are_requested(researcher, editor):
    claim = to_status(ready_claim(researcher), ClaimStatus.APPROVED, editor, None)
    with pytest.raises(WrongState, match="request changes before editing"):
        workflow.check_can_edit(editor, claim)
    content = VerdictContent(rating="false", texts={"vi": ("Sai", "Sai vì…")})
    with pytest.raises(WrongState):
        workflow.save_verdict(claim, editor, content)


def test_in_review_only_editors_edit_and_drafts_only_author_or_editor(researcher, other_researcher, editor):
    claim = ready_claim(researcher)
    assert workflow.can_edit(researcher, claim)
    assert workflow.can_edit(editor, claim)
    assert not workflow.can_edit(other_researcher, claim)
    claim = take(claim, researcher, Action.SUBMIT)
    assert not workflow.can_edit(researcher, claim)
    assert workflow.can_edit(editor, claim)


def test_available_actions_lists_only_what_this_user_may_do_now(researcher, editor, publisher):
    claim = ready_claim(researcher)
    assert workflow.available_actions(researcher, claim) == [Action.SUBMIT]
    claim = take(claim, researcher, Action.SUBMIT)
    assert workflow.available_actions(researcher, claim) == [Action.WITHDRAW]
    assert set(workflow.available_actions(editor, claim)) == {Action.WITHDRAW, Action.REQUEST_CHANGES, Action.APPROVE}
    claim = take(claim, editor, Action.APPROVE)
    assert Action.PUBLISH in workflow.available_actions(publisher, claim)
    assert Action.PUBLISH not in workflow.available_actions(researcher, claim)


# --- Corrections and retractions ------------------------------------------------------------------------


def test_correcting_a_published_verdict_keeps_the_old_version_and_adds_a_public_note(researcher, editor, publisher):
    claim = to_status(ready_claim(researcher), ClaimStatus.PUBLISHED, editor, publisher)
    source = SourceFactory()
    correction = workflow.correct_verdict(
        claim,
        publisher,
        VerdictContent(
            rating="false",
            texts={"vi": ("Sai", "Bản đồ độc lập cho thấy khác."), "en": ("False", "Independent maps disagree.")},
            evidence=((source.pk, "refutes", ""),),
        ),
        note="New independent maps show the figure is wrong.",
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    assert correction.note == "New independent maps show the figure is wrong."
    versions = list(VerdictVersion.objects.filter(verdict__claim=claim).order_by("number"))
    assert [(v.number, v.rating.slug) for v in versions] == [(1, "unproven"), (2, "false")]
    assert versions[0].texts["vi"]["headline"] == "Con số 7% chưa được kiểm chứng"
    assert versions[1].evidence == [{"source": source.pk, "stance": "refutes", "note": ""}]
    assert events(claim)[-1][:3] == ("correct", "published", "published")


def test_a_correction_needs_a_note_a_change_and_someone_other_than_the_author(researcher, editor, publisher):
    claim = to_status(ready_claim(researcher), ClaimStatus.PUBLISHED, editor, publisher)
    changed = VerdictContent(rating="false", texts={"vi": ("Sai", "Sai.")})
    with pytest.raises(WorkflowError, match="public note"):
        workflow.correct_verdict(claim, publisher, changed, note="  ")
    same = VerdictContent(
        rating="unproven",
        texts={
            "vi": ("Con số 7% chưa được kiểm chứng", "Bài viết không dẫn nguồn cho con số này."),
            "en": ("The 7% figure is unverified", "No source."),
        },
    )
    with pytest.raises(WorkflowError, match="Nothing in the verdict changed"):
        workflow.correct_verdict(claim, publisher, same, note="Typo")
    with pytest.raises(NotAllowed):
        workflow.correct_verdict(claim, editor, changed, note="Editor tries")
    assert Correction.objects.count() == 0
    assert Verdict.objects.get(claim=claim).rating.slug == "unproven"


def test_retraction_keeps_a_public_notice_and_the_claim_cannot_be_deleted(researcher, editor, publisher):
    claim = to_status(ready_claim(researcher), ClaimStatus.PUBLISHED, editor, publisher)
    claim = take(claim, publisher, Action.RETRACT, "The quoted statement was misattributed.")
    assert claim.status == ClaimStatus.RETRACTED
    assert claim.retraction_reason == "The quoted statement was misattributed."
    assert claim in Claim.objects.public()
    with pytest.raises(WrongState, match="cannot be deleted"):
        workflow.check_can_delete(publisher, claim)


def test_only_drafts_and_unpublished_claims_may_be_deleted_by_their_author_or_an_editor(
    researcher, other_researcher, editor
):
    claim = ready_claim(researcher)
    workflow.check_can_delete(researcher, claim)
    workflow.check_can_delete(editor, claim)
    with pytest.raises(NotAllowed):
        workflow.check_can_delete(other_researcher, claim)


# --- Concurrency (the version the caller saw) ----------------------------------------------------------


def test_a_step_based_on_a_stale_version_is_refused_as_a_conflict(researcher, editor, other_editor):
    claim = to_status(ready_claim(researcher), ClaimStatus.IN_REVIEW, editor, None)
    seen = claim.version
    workflow.transition(claim.pk, editor, Action.APPROVE, expected_version=seen)
    with pytest.raises(workflow.Conflict, match="Someone else changed this claim"):
        workflow.transition(claim.pk, other_editor, Action.REQUEST_CHANGES, "no", expected_version=seen)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED


def test_the_loser_of_two_approvals_is_told_the_claim_is_already_approved(researcher, editor, other_editor):
    claim = to_status(ready_claim(researcher), ClaimStatus.IN_REVIEW, editor, None)
    take(claim, editor, Action.APPROVE)
    with pytest.raises(WrongState, match="approved"):
        take(claim, other_editor, Action.APPROVE)
    assert [e[0] for e in events(claim)].count("approve") == 1


# --- Re-checks and notifications ---------------------------------------------------------------------


def test_verdicts_past_their_recheck_date_are_queued_once_and_editors_are_notified(
    researcher, editor, publisher, other_editor, django_capture_on_commit_callbacks
):
    claim = to_status(ready_claim(researcher), ClaimStatus.PUBLISHED, editor, publisher)
    Verdict.objects.filter(claim=claim).update(recheck_after=timezone.localdate() - dt.timedelta(days=1))
    fresh = to_status(ready_claim(researcher), ClaimStatus.PUBLISHED, editor, publisher)
    Verdict.objects.filter(claim=fresh).update(recheck_after=timezone.localdate() + dt.timedelta(days=30))
    mail.outbox.clear()

    from claims.tasks import flag_due_rechecks

    with django_capture_on_commit_callbacks(execute=True):
        assert flag_due_rechecks.delay().get() == 1
        assert flag_due_rechecks.delay().get() == 0  # idempotent: flagged once
    assert Verdict.objects.get(claim=claim).recheck_due_since is not None
    assert events(claim)[-1] == ("recheck_due", "published", "published", "system")
    assert sorted(m.to[0] for m in mail.outbox) == ["emil_editor@newsroom.test", "eva_editor@newsroom.test"]

    take(claim, other_editor, Action.RECHECK)
    verdict = Verdict.objects.get(claim=claim)
    assert verdict.recheck_due_since is None
    assert verdict.valid_as_of == timezone.localdate()


def test_submitting_emails_editors_but_not_the_author(
    researcher, editor, other_editor, django_capture_on_commit_callbacks
):
    claim = ready_claim(researcher)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        take(claim, researcher, Action.SUBMIT)
    # One notification (the outbox row of the step), done, with one e-mail per editor.
    notification = Notification.objects.get(event__claim=claim)
    assert (notification.done_at is not None, notification.sent_count) == (True, 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["emil_editor@newsroom.test", "eva_editor@newsroom.test"]
    # E-mails go out in the newsroom's language (LANGUAGE_CODE, vi by default).
    assert mail.outbox[0].subject.startswith("Nhận định chờ duyệt: chính quyền ở Tripoli")


def test_the_notification_is_enqueued_only_when_the_transaction_commits(
    researcher, editor, django_capture_on_commit_callbacks
):
    claim = ready_claim(researcher)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        take(claim, researcher, Action.SUBMIT)
    assert mail.outbox == []  # nothing sent before commit
    assert Notification.objects.get(event__claim=claim).done_at is None  # owed, in the step's transaction
    for callback in callbacks:  # the commit
        callback()
    assert len(mail.outbox) == 1  # the one editor
    assert Notification.objects.get(event__claim=claim).done_at is not None


def test_a_refused_step_enqueues_no_notification(researcher, django_capture_on_commit_callbacks):
    claim = ready_claim(researcher)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(NotAllowed):
        take(claim, researcher, Action.APPROVE)
    assert callbacks == []


def test_requesting_changes_emails_the_author(researcher, editor, django_capture_on_commit_callbacks):
    claim = to_status(ready_claim(researcher), ClaimStatus.IN_REVIEW, editor, None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        take(claim, editor, Action.REQUEST_CHANGES, "Add the ministry's statement.")
    assert [m.to for m in mail.outbox] == [["rosa_researcher@newsroom.test"]]
    assert "Add the ministry's statement." in mail.outbox[0].body


def test_the_admin_front_page_counts_each_persona_s_queues(client, researcher, editor, publisher):
    mine = ready_claim(researcher)
    waiting = ready_claim(researcher)
    take(waiting, researcher, Action.SUBMIT)
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert re.search(r'\?queue=review">[^<]+</a></th><td[^>]*><strong>1</strong>', page)
    assert "?queue=publish" not in page  # an editor does not publish
    client.force_login(researcher)
    page = client.get("/admin/").content.decode()
    assert re.search(r'\?queue=drafts">[^<]+</a></th><td[^>]*><strong>1</strong>', page)  # `mine`
    assert "?queue=review" not in page  # researchers do not review
    assert "?queue=recheck" not in page
    assert mine.status == ClaimStatus.DRAFT


def test_refusals_speak_the_newsroom_s_language(researcher, editor, publisher):
    from django.utils import translation

    claim = to_status(ready_claim(editor), ClaimStatus.IN_REVIEW, None, None)
    with translation.override("vi"), pytest.raises(NotAllowed) as refused:
        take(claim, editor, Action.APPROVE)
    assert refused.value.message.startswith("Nguyên tắc bốn mắt")
    with translation.override("vi"), pytest.raises(WrongState) as refused:
        take(ready_claim(researcher), publisher, Action.PUBLISH)
    assert "“bản nháp”" in refused.value.message
