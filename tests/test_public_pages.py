"""The public pages that exist so far: home, verdict page, actor and source pages. Only public claims."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import workflow
from claims.models import Claim
from claims.workflow import Action

from .factories import ready_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]


def publish(claim: Claim, editor, publisher) -> Claim:  # type: ignore[no-untyped-def]
    workflow.transition(claim.pk, claim.author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)
    return workflow.transition(claim.pk, publisher, Action.PUBLISH)


def test_home_lists_published_verdicts_and_never_drafts(client, researcher, editor, publisher):
    published = publish(ready_claim(researcher), editor, publisher)
    draft = ready_claim(researcher, text="Bản nháp chưa duyệt: Haftar 80 tuổi")
    page = client.get("/vi/").content.decode()
    assert published.text in page
    assert draft.text not in page


def test_root_redirects_to_a_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_home_page_query_count_does_not_grow_with_the_number_of_claims(
    client, researcher, editor, publisher, django_assert_num_queries
):
    for _ in range(3):
        publish(ready_claim(researcher), editor, publisher)
    client.get("/en/")  # warms the rating scale: the ratings' labels are read once, not per page
    with django_assert_num_queries(3):  # claims+verdict+rating, translations, verdict texts
        client.get("/en/")
    for _ in range(5):
        publish(ready_claim(researcher), editor, publisher)
    with django_assert_num_queries(3):
        client.get("/en/")


def test_verdict_page_shows_the_reader_s_language_and_the_original(client, researcher, editor, publisher):
    claim = publish(ready_claim(researcher), editor, publisher)
    page = client.get(claim.get_absolute_url().replace("/vi/", "/en/")).content.decode()
    assert "the UN-backed government in Tripoli controls only 7%" in page
    assert claim.text in page  # the original wording is always shown
    assert "The 7% figure is unverified" in page


def test_a_draft_has_no_public_page(client, researcher):
    claim = ready_claim(researcher)
    response = client.get(reverse("public:claim", kwargs={"pk": claim.pk, "slug": claim.slug}))
    assert response.status_code == 404


def test_a_wrong_slug_redirects_to_the_right_one(client, researcher, editor, publisher):
    claim = publish(ready_claim(researcher), editor, publisher)
    response = client.get(f"/vi/claims/{claim.pk}-wrong-slug/")
    assert response.status_code == 301
    assert response["Location"] == claim.get_absolute_url()


def test_a_retracted_claim_shows_its_retraction_notice_not_a_404(client, researcher, editor, publisher):
    claim = publish(ready_claim(researcher), editor, publisher)
    workflow.transition(claim.pk, publisher, Action.RETRACT, "The quote was misattributed.")
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert "The quote was misattributed." in response.content.decode()


def test_user_text_is_escaped_on_public_pages(client, researcher, editor, publisher):
    claim = ready_claim(researcher, text='<script>alert("x")</script> Haftar')
    publish(claim, editor, publisher)
    page = client.get("/vi/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_healthz_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_verdict_page_embeds_exactly_one_claimreview_that_no_claim_text_can_break_out_of(
    client, researcher, editor, publisher
):
    import json
    import re

    claim = publish(
        ready_claim(researcher, text='Haftar nói "</script><script>alert(1)</script>" & hơn thế'), editor, publisher
    )
    page = client.get(claim.get_absolute_url().replace("/en/", "/vi/", 1)).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    assert "<script>alert(1)" not in page
    review = json.loads(blocks[0])
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim.text  # the page is Vietnamese: the original wording
    assert review["reviewRating"]["alternateName"] == "Chưa được chứng minh"
    english = client.get(claim.get_absolute_url().replace("/vi/", "/en/", 1)).content.decode()
    review = json.loads(re.findall(r'<script type="application/ld\+json">(.*?)</script>', english, re.S)[0])
    assert review["claimReviewed"] == "the UN-backed government in Tripoli controls only 7% of the country's territory"
    assert review["reviewRating"]["alternateName"] == "Unproven"
