"""The readers' inbox in the admin: claims sent to check and complaints, as each role handles them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from claims.models import Claim, ClaimStatus, ClaimTip, Complaint, InboxStatus, ReviewEvent

from .factories import ready_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

HOSTILE = '<script>alert("tip")</script> Haftar chiếm sân bay Tripoli'


@pytest.fixture(autouse=True)
def _english_interface(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def tip() -> ClaimTip:
    return ClaimTip.objects.create(
        text=HOSTILE, language="vi", context="Thấy trên Facebook", where_seen="https://example.org/post/1"
    )


@pytest.fixture
def complaint(researcher: Any, editor: Any, publisher: Any) -> Complaint:
    claim = ready_claim(researcher)
    from claims import workflow

    for user, action in ((researcher, "submit"), (editor, "approve"), (publisher, "publish")):
        workflow.transition(claim.pk, user, action)
    return Complaint.objects.create(
        kind=Complaint.Kind.REPLY, claim=claim, message="Tôi không nói câu đó.", name="N. V. A", email="a@example.org"
    )


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "tips", "complaints"),
    [
        ("researcher", 200, 403),
        ("editor", 200, 200),
        ("publisher", 200, 200),
        ("outsider", 403, 403),
    ],
)
def test_who_sees_the_inbox(request, client, tip, complaint, persona, tips, complaints):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("admin:claims_claimtip_changelist")).status_code == tips
    assert client.get(reverse("admin:claims_complaint_changelist")).status_code == complaints


def test_a_reader_s_text_is_escaped_in_the_list_and_the_form(client, editor, tip):
    login(client, editor)
    for url in (reverse("admin:claims_claimtip_changelist"), reverse("admin:claims_claimtip_change", args=[tip.pk])):
        page = client.get(url).content.decode()
        assert '<script>alert("tip")</script>' not in page
        assert escape('<script>alert("tip")</script>') in page


def test_what_the_reader_wrote_cannot_be_edited_only_status_and_notes(client, editor, tip):
    login(client, editor)
    url = reverse("admin:claims_claimtip_change", args=[tip.pk])
    response = client.post(
        url, {"text": "rewritten", "status": "done", "editor_notes": "Đã kiểm tra: tin giả cũ.", "claim": ""}
    )
    assert response.status_code == 302, response.content[:2000]
    tip.refresh_from_db()
    assert tip.text == HOSTILE
    assert (tip.status, tip.editor_notes, tip.handled_by) == ("done", "Đã kiểm tra: tin giả cũ.", editor)
    assert tip.handled_at is not None


def test_nobody_adds_inbox_messages_in_the_admin_and_only_a_superuser_deletes(client, editor, superuser, tip):
    login(client, editor)
    assert client.get(reverse("admin:claims_claimtip_add")).status_code == 403
    assert client.get(reverse("admin:claims_claimtip_delete", args=[tip.pk])).status_code == 403
    login(client, superuser)
    assert client.get(reverse("admin:claims_claimtip_delete", args=[tip.pk])).status_code == 200


def test_mark_handled_records_who_and_when(client, editor, complaint):
    login(client, editor)
    response = client.post(
        reverse("admin:claims_complaint_changelist"),
        {"action": "mark_done", "_selected_action": [complaint.pk]},
        follow=True,
    )
    assert "1 message marked" in response.content.decode()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.handled_by) == (InboxStatus.DONE, editor)
    assert complaint.handled_at is not None
    # Back in the queue: nobody has handled it any more.
    client.post(
        reverse("admin:claims_complaint_changelist"), {"action": "mark_in_progress", "_selected_action": [complaint.pk]}
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.handled_by, complaint.handled_at) == (InboxStatus.IN_PROGRESS, None, None)


def test_a_researcher_makes_a_draft_claim_from_a_tip(client, researcher, tip):
    login(client, researcher)
    response = client.post(
        reverse("admin:claims_claimtip_changelist"),
        {"action": "make_drafts", "_selected_action": [tip.pk]},
        follow=True,
    )
    assert "1 draft claim made" in response.content.decode()
    tip.refresh_from_db()
    claim = tip.claim
    assert claim is not None
    assert (claim.text, claim.language, claim.status, claim.author) == (HOSTILE, "vi", ClaimStatus.DRAFT, researcher)
    assert "https://example.org/post/1" in claim.internal_notes
    assert ReviewEvent.objects.filter(claim=claim, action="create").count() == 1
    assert tip.status == InboxStatus.IN_PROGRESS
    # Twice is once: a tip already made into a claim is left alone.
    client.post(reverse("admin:claims_claimtip_changelist"), {"action": "make_drafts", "_selected_action": [tip.pk]})
    assert Claim.objects.filter(text=HOSTILE).count() == 1


def test_the_admin_front_page_counts_new_inbox_messages(client, editor, tip, complaint):
    ClaimTip.objects.create(text="Đã xử lý", language="vi", status=InboxStatus.DONE)
    login(client, editor)
    page = client.get(reverse("admin:index")).content.decode()
    tips_url = reverse("admin:claims_claimtip_changelist") + "?status__exact=new"
    assert f'<a href="{tips_url}">Claims sent by readers, new</a>' in page
    counts = dict(re.findall(r">([^<>]+, new)</a></th><td[^>]*><strong>(\d+)<", page))
    assert counts == {"Claims sent by readers, new": "1", "Complaints and replies, new": "1"}


def test_a_researcher_s_front_page_has_no_complaints_queue(client, researcher, tip):
    login(client, researcher)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Claims sent by readers, new" in page
    assert "Complaints and replies, new" not in page
