"""Links between claims and suggested duplicates.

A claim written through the admin, the API or the workflow is compared with every other claim once its
transaction commits: a look-alike (typed without diacritics, a name respelled, said in another language)
becomes a suggestion editors confirm (a same-as link) or dismiss, once; the scan is safe to run twice, a
lost message is re-sent by the sweep, and a real worker on Redis does it in production. Links show in the
admin both ways, on the public verdict page (public claims only) and in the API. The admin's claim search
is the newsroom search.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import duplicates, workflow
from claims.claimreview import absolute
from claims.models import Claim, ClaimLink, ClaimTranslation, DuplicateSuggestion, LinkKind, SearchDocument
from claims.selectors import RELATION_LABELS
from claims.tasks import SCAN_GRACE, suggest_duplicates, sweep_duplicate_scans
from claims.workflow import Action
from factcheck.celery import app as celery_app

from .factories import (
    AppearanceFactory,
    ClaimFactory,
    TranslationFactory,
    UserFactory,
    VerdictFactory,
    VerdictTextFactory,
)
from .test_admin import form_data, prefixes

# The module-scoped fixture of tests/test_worker.py (a real Celery worker on Redis), imported so pytest
# finds it in this module. The one test asking for it comes last in this file: the fixture keeps Celery
# non-eager until the module ends.
from .test_worker import running_worker, wait_for  # noqa: F401

pytestmark = pytest.mark.django_db

PENDING = DuplicateSuggestion.Status.PENDING
DISMISSED = DuplicateSuggestion.Status.DISMISSED
CONFIRMED = DuplicateSuggestion.Status.CONFIRMED

#: The seed article's sentence, and its English translation (the factories' defaults).
VI_7_PERCENT = "chính quyền ở Tripoli được Liên Hợp Quốc ủng hộ đang kiểm soát chỉ 7% lãnh thổ đất nước"
EN_7_PERCENT = "the UN-backed government in Tripoli controls only 7% of the country's territory"
GADDAFI = "Muammar Gaddafi was overthrown in 2011 by a NATO-backed uprising"
LAVROV = "Sergei Lavrov called on all sides in Libya to show restraint"


@pytest.fixture(autouse=True)
def _english_interface(client: Client) -> None:
    # The admin speaks the default language (vi) unless asked; the messages asserted here are the msgids.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def scans(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what the commit would run (the duplicate scan, eagerly): ``with scans(): ...``."""

    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def world(researcher: Any) -> dict[str, Claim]:
    """Claims already in the database: a Vietnamese one with its English translation, an English one
    naming Gaddafi, and one about something else."""
    vietnamese = ClaimFactory(author=researcher, text=VI_7_PERCENT)
    TranslationFactory(claim=vietnamese, text=EN_7_PERCENT)
    return {
        "vietnamese": vietnamese,
        "gaddafi": ClaimFactory(author=researcher, language="en", text=GADDAFI),
        "lavrov": ClaimFactory(author=researcher, language="en", text=LAVROV),
    }


def pending(claim: Claim) -> set[int]:
    """The claims suggested as possible duplicates of ``claim``, still to decide."""
    return set(DuplicateSuggestion.objects.filter(claim=claim, status=PENDING).values_list("candidate_id", flat=True))


def flagged(claim: Claim) -> bool:
    return SearchDocument.objects.get(claim=claim).needs_duplicate_scan


def api(user: Any = None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def page(response: Any) -> str:
    return response.content.decode("utf-8")


def shown_messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- 1. A claim written anywhere is compared with the others once it is committed ------------------------


def create_in_admin(client: Client, user: Any, text: str, language: str, translation: tuple[str, str] | None) -> Claim:
    client.force_login(user)
    response = client.get(admin_url("claims_claim_add"))
    data = form_data(response)
    data.update({"text": text, "language": language})
    if translation:
        prefix = prefixes(response)["claimtranslation"]
        data.update(
            {
                f"{prefix}-0-language": translation[0],
                f"{prefix}-0-text": translation[1],
                f"{prefix}-0-origin": "human",
            }
        )
    response = client.post(admin_url("claims_claim_add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return Claim.objects.get(text=text)


def create_in_api(client: Client, user: Any, text: str, language: str, translation: tuple[str, str] | None) -> Claim:
    body: dict[str, Any] = {"text": text, "language": language}
    if translation:
        body["translations"] = [{"language": translation[0], "text": translation[1]}]
    response = api(user).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201, response.content[:500]
    return Claim.objects.get(pk=response.json()["id"])


def create_in_workflow(
    client: Client, user: Any, text: str, language: str, translation: tuple[str, str] | None
) -> Claim:
    return workflow.create_claim(user, text, language, translations=[(*translation, "human")] if translation else [])


CREATE = {"admin": create_in_admin, "api": create_in_api, "workflow": create_in_workflow}

LOOK_ALIKES = {
    # The seed sentence typed without a single diacritic.
    "without-diacritics": (
        "chinh quyen o Tripoli duoc Lien Hop Quoc ung ho dang kiem soat chi 7% lanh tho dat nuoc",
        "vi",
        None,
        {"vietnamese"},
    ),
    # Kadhafi, as French and others spell Gaddafi, and other words.
    "respelled-name": ("Kadhafi was toppled in 2011 by an uprising backed by NATO", "en", None, {"gaddafi"}),
    # An English claim meets the English translation of the Vietnamese one.
    "english-vs-translation": (
        "The government in Tripoli backed by the UN controls only 7% of the country's territory",
        "en",
        None,
        {"vietnamese"},
    ),
    # A Vietnamese claim's English translation meets the English claim.
    "translation-vs-english": (
        "Tổng thống Gaddafi bị lật đổ năm 2011",
        "vi",
        ("en", "President Gaddafi was overthrown in 2011"),
        {"gaddafi"},
    ),
    "unrelated": ("Germany said the G7 countries agreed to put pressure on the parties", "en", None, set()),
}


@pytest.mark.parametrize("how", CREATE)
@pytest.mark.parametrize("case", LOOK_ALIKES)
def test_a_new_claim_gets_its_look_alikes_as_pending_suggestions(client, scans, researcher, world, how, case):
    text, language, translation, expected = LOOK_ALIKES[case]

    with scans():
        claim = CREATE[how](client, researcher, text, language, translation)

    assert pending(claim) == {world[name].pk for name in expected}
    assert not flagged(claim), "the scan clears the claim's mark"
    # Nothing is decided for the editors, and no other claim got a suggestion of its own.
    assert not ClaimLink.objects.exists()
    assert set(DuplicateSuggestion.objects.values_list("claim_id", flat=True)) <= {claim.pk}


def test_a_possessive_and_function_words_do_not_make_a_duplicate(scans, researcher, world):
    with scans():
        claim = workflow.create_claim(researcher, "Haftar's LNA is one of the two largest forces in the country", "en")

    assert pending(claim) == set()


def test_nothing_is_scanned_before_the_claim_is_committed(researcher, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claim = workflow.create_claim(researcher, GADDAFI.replace("Muammar Gaddafi", "Kadhafi"), "en")

    assert callbacks, "the scan is queued on commit"
    assert flagged(claim)
    assert not DuplicateSuggestion.objects.exists()


# --- 2. The scan is safe to run twice and keeps the editors' decisions ------------------------------------


@pytest.fixture
def look_alike(scans: Any, researcher: Any, world: dict[str, Claim]) -> Claim:
    """A new claim respelling the Gaddafi claim, scanned: one pending suggestion."""
    with scans():
        claim = workflow.create_claim(researcher, "Kadhafi was overthrown in 2011 by a NATO-backed uprising", "en")
    assert pending(claim) == {world["gaddafi"].pk}
    return claim


def reword(claim: Claim, text: str) -> None:
    claim.text = text
    claim.save()


def rows() -> list[tuple[Any, ...]]:
    return list(
        DuplicateSuggestion.objects.order_by("pk").values_list(
            "pk", "claim_id", "candidate_id", "score", "status", "created_at"
        )
    )


def test_a_second_delivery_of_the_scan_changes_nothing(look_alike):
    SearchDocument.objects.filter(claim=look_alike).update(needs_duplicate_scan=True)
    before = rows()

    assert suggest_duplicates.delay(look_alike.pk).get() == 1
    after_first = rows()
    assert suggest_duplicates.delay(look_alike.pk).get() == 0, "the second delivery finds no mark"

    assert after_first == before, "the same suggestion, not a new row"
    assert rows() == after_first
    assert not flagged(look_alike)


def test_a_dismissed_suggestion_stays_dismissed_when_the_claim_is_reworded(scans, editor, world, look_alike):
    duplicates.decide(DuplicateSuggestion.objects.get(claim=look_alike).pk, editor, confirm=False)

    with scans():
        reword(look_alike, "Kadhafi was overthrown in 2011 by an uprising that NATO backed")

    assert not flagged(look_alike), "it was scanned again"
    assert pending(look_alike) == set()
    assert list(DuplicateSuggestion.objects.values_list("claim_id", "candidate_id", "status")) == [
        (look_alike.pk, world["gaddafi"].pk, DISMISSED)
    ]


def test_a_dismissed_pair_is_not_suggested_again_when_the_other_claim_is_reworded(scans, editor, world, look_alike):
    duplicates.decide(DuplicateSuggestion.objects.get(claim=look_alike).pk, editor, confirm=False)

    with scans():
        reword(world["gaddafi"], "Muammar Gaddafi was overthrown in 2011 by an uprising that NATO backed")

    assert not flagged(world["gaddafi"])
    # One suggestion per pair, whichever claim was scanned: the editors' "no" stands.
    assert list(DuplicateSuggestion.objects.values_list("claim_id", "candidate_id", "status")) == [
        (look_alike.pk, world["gaddafi"].pk, DISMISSED)
    ]


def test_a_pending_pair_is_not_suggested_twice_when_the_other_claim_is_reworded(scans, world, look_alike):
    with scans():
        reword(world["gaddafi"], "Muammar Gaddafi was overthrown in 2011 by an uprising that NATO backed")

    assert not flagged(world["gaddafi"])
    assert pending(world["gaddafi"]) == set()
    assert pending(look_alike) == {world["gaddafi"].pk}


def test_a_pending_suggestion_that_no_longer_matches_is_dropped(scans, world, look_alike):
    with scans():
        reword(look_alike, "Haftar is 75 years old")

    assert not flagged(look_alike)
    assert not DuplicateSuggestion.objects.exists()


@pytest.mark.parametrize("direction", ["from-new-claim", "to-new-claim"])
@pytest.mark.parametrize("kind", [LinkKind.REFINES, LinkKind.CONTRADICTS, LinkKind.SAME_AS])
def test_claims_already_linked_are_not_suggested(scans, researcher, world, look_alike, direction, kind):
    ends = (look_alike, world["gaddafi"]) if direction == "from-new-claim" else (world["gaddafi"], look_alike)
    ClaimLink.objects.create(from_claim=ends[0], to_claim=ends[1], kind=kind, created_by=researcher)

    with scans():
        reword(look_alike, "Kadhafi was overthrown in 2011 by an uprising that NATO backed")

    assert not flagged(look_alike)
    assert pending(look_alike) == set(), "the pending suggestion of a linked pair goes"


def test_a_claim_s_translation_added_later_brings_suggestions(scans, researcher, world):
    with scans():
        claim = workflow.create_claim(researcher, "Tổng thống Gaddafi bị mất quyền lực", "vi")
    assert pending(claim) == set()

    with scans():
        ClaimTranslation.objects.create(claim=claim, language="en", text="Gaddafi was overthrown in 2011")

    assert pending(claim) == {world["gaddafi"].pk}


# --- 3. Editors decide, once ----------------------------------------------------------------------------


def test_confirming_links_the_claims_as_the_same_claim_once(editor, world, look_alike):
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)

    decided = duplicates.decide(suggestion.pk, editor, confirm=True)

    assert (decided.status, decided.decided_by, decided.decided_at is not None) == (CONFIRMED, editor, True)
    link = ClaimLink.objects.get()
    assert (link.from_claim, link.to_claim, link.kind, link.created_by) == (
        look_alike,
        world["gaddafi"],
        LinkKind.SAME_AS,
        editor,
    )


@pytest.mark.parametrize("first", [True, False], ids=["confirmed", "dismissed"])
@pytest.mark.parametrize("second", [True, False], ids=["then-confirm", "then-dismiss"])
def test_a_decided_suggestion_cannot_be_decided_again(editor, other_editor, look_alike, first, second):
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)
    duplicates.decide(suggestion.pk, editor, confirm=first)

    with pytest.raises(duplicates.DecisionError, match="already decided"):
        duplicates.decide(suggestion.pk, other_editor, confirm=second)

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (CONFIRMED if first else DISMISSED, editor)
    assert ClaimLink.objects.count() == (1 if first else 0)


@pytest.mark.parametrize("direction", ["same-way", "other-way"])
def test_confirming_a_pair_linked_otherwise_is_refused(editor, researcher, world, look_alike, direction):
    ends = (look_alike, world["gaddafi"]) if direction == "same-way" else (world["gaddafi"], look_alike)
    ClaimLink.objects.create(from_claim=ends[0], to_claim=ends[1], kind=LinkKind.CONTRADICTS, created_by=researcher)
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)

    with pytest.raises(duplicates.DecisionError, match="already linked"):
        duplicates.decide(suggestion.pk, editor, confirm=True)

    suggestion.refresh_from_db()
    assert suggestion.status == PENDING
    assert list(ClaimLink.objects.values_list("kind", flat=True)) == [LinkKind.CONTRADICTS]


def test_confirming_a_pair_already_linked_as_the_same_claim_adds_no_second_link(editor, researcher, world, look_alike):
    ClaimLink.objects.create(
        from_claim=world["gaddafi"], to_claim=look_alike, kind=LinkKind.SAME_AS, created_by=researcher
    )

    duplicates.decide(DuplicateSuggestion.objects.get(claim=look_alike).pk, editor, confirm=True)

    assert ClaimLink.objects.count() == 1


def test_a_link_made_by_hand_while_confirming_is_a_clear_refusal_not_a_crash(editor, researcher, world, look_alike):
    from django.db.models.signals import pre_save

    def someone_links_first(sender: Any, instance: ClaimLink, **kwargs: Any) -> None:
        if instance.kind == LinkKind.SAME_AS and not instance.pk:  # between decide()'s check and its insert
            pre_save.disconnect(someone_links_first, sender=ClaimLink)
            ClaimLink.objects.create(
                from_claim=look_alike, to_claim=world["gaddafi"], kind=LinkKind.CONTRADICTS, created_by=researcher
            )

    pre_save.connect(someone_links_first, sender=ClaimLink)
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)
    try:
        with pytest.raises(duplicates.DecisionError, match="just linked by someone else"):
            duplicates.decide(suggestion.pk, editor, confirm=True)
    finally:
        pre_save.disconnect(someone_links_first, sender=ClaimLink)

    # (The stand-in for the other editor wrote inside decide()'s savepoint, so it went with it; a real
    # one commits in its own transaction.)
    suggestion.refresh_from_db()
    assert suggestion.status == PENDING
    assert not ClaimLink.objects.filter(kind=LinkKind.SAME_AS).exists()


def test_deciding_a_suggestion_that_is_gone_is_refused(editor):
    with pytest.raises(duplicates.DecisionError, match="no longer exists"):
        duplicates.decide(987654, editor, confirm=True)


def decide_in_admin(client: Client, claim: Claim, suggestion: Any, decision: str) -> Any:
    return client.post(
        admin_url("claims_claim_duplicate", claim.pk), {"suggestion": str(suggestion), "decision": decision}
    )


@pytest.mark.parametrize("persona", ["researcher", "editor", "publisher"])
@pytest.mark.parametrize("side", ["claim", "candidate"])
def test_a_duplicate_is_confirmed_from_either_claim_s_page(request, client, world, look_alike, persona, side):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)
    here, other = (look_alike, world["gaddafi"]) if side == "claim" else (world["gaddafi"], look_alike)

    shown = client.get(admin_url("claims_claim_change", here.pk))
    assert shown.status_code == 200
    assert f'name="suggestion" value="{suggestion.pk}"' in page(shown)

    response = decide_in_admin(client, here, suggestion.pk, "confirm")

    assert response.status_code == 302
    assert response["Location"] == admin_url("claims_claim_change", here.pk)
    assert shown_messages(response) == [f"Linked as the same claim as #{other.pk}."]
    assert ClaimLink.objects.filter(kind=LinkKind.SAME_AS, created_by=user).count() == 1
    after = page(client.get(admin_url("claims_claim_change", here.pk)))
    assert f"Linked as the same claim as #{other.pk}." in after, "the message is shown on the claim's page"
    assert f'name="suggestion" value="{suggestion.pk}"' not in after, "no buttons once decided"
    assert f"confirmed duplicate ({user.username})" in after


def test_a_duplicate_is_dismissed_from_the_claim_s_page(client, editor, world, look_alike):
    client.force_login(editor)
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)

    response = decide_in_admin(client, look_alike, suggestion.pk, "dismiss")

    assert response.status_code == 302
    assert shown_messages(response) == [f"Dismissed: #{world['gaddafi'].pk} is not a duplicate."]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (DISMISSED, editor)
    assert not ClaimLink.objects.exists()


def test_a_second_decision_in_the_admin_is_a_message(client, editor, other_editor, look_alike):
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)
    client.force_login(editor)
    client.post(
        admin_url("claims_claim_duplicate", look_alike.pk),
        {"suggestion": suggestion.pk, "decision": "dismiss"},
        follow=True,  # the first editor reads their message
    )
    client.force_login(other_editor)

    response = decide_in_admin(client, look_alike, suggestion.pk, "confirm")

    assert response.status_code == 302
    assert shown_messages(response) == ["This suggestion was already decided (dismissed)."]
    assert not ClaimLink.objects.exists()


def test_the_suggestions_still_to_decide_come_first_on_the_claim_page(client, scans, editor, world, look_alike):
    with scans():
        reword(world["lavrov"], "Gaddafi was overthrown in 2011 by a NATO-backed uprising")
    decided = DuplicateSuggestion.objects.get(claim=world["lavrov"], candidate=look_alike)
    duplicates.decide(decided.pk, editor, confirm=False)
    still_open = DuplicateSuggestion.objects.get(claim=look_alike)
    client.force_login(editor)

    html = page(client.get(admin_url("claims_claim_change", look_alike.pk)))

    table = html[html.index('id="duplicate-suggestions"') :]
    assert table.index(f'name="suggestion" value="{still_open.pk}"') < table.index(f"#{world['lavrov'].pk} ")


@pytest.fixture
def viewer(db: None) -> Any:
    """Staff who may read claims, and nothing else."""
    user = UserFactory(username="vera_viewer")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="claims", codename="view_claim"))
    return user


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_deciding_without_the_permission_is_refused(request, client, look_alike, persona):
    client.force_login(request.getfixturevalue(persona))
    client.raise_request_exception = False
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)

    for decision in ("confirm", "dismiss"):
        assert decide_in_admin(client, look_alike, suggestion.pk, decision).status_code == 403

    suggestion.refresh_from_db()
    assert suggestion.status == PENDING
    assert not ClaimLink.objects.exists()


def test_a_viewer_sees_the_suggestions_without_the_buttons(client, viewer, look_alike):
    client.force_login(viewer)
    suggestion = DuplicateSuggestion.objects.get(claim=look_alike)

    response = client.get(admin_url("claims_claim_change", look_alike.pk))

    assert response.status_code == 200
    table = page(response)[page(response).index('id="duplicate-suggestions"') :]
    assert f">#{suggestion.candidate_id} {GADDAFI}</a>" in table
    assert "to decide" in table
    assert 'name="decision"' not in table


@pytest.mark.parametrize(
    "posted",
    [
        pytest.param("another-claim-s", id="another-claim-s-suggestion"),
        pytest.param("987654", id="no-such-suggestion"),
        pytest.param("twelve", id="not-a-number"),
        pytest.param("", id="empty"),
        pytest.param("own-with-bad-decision", id="bad-decision"),
    ],
)
def test_a_bad_decision_request_is_a_message_not_a_500(client, scans, researcher, editor, world, look_alike, posted):
    with scans():
        other = workflow.create_claim(researcher, "chinh quyen o Tripoli kiem soat chi 7% lanh tho dat nuoc", "vi")
    others_suggestion = DuplicateSuggestion.objects.get(claim=other)
    own = DuplicateSuggestion.objects.get(claim=look_alike)
    client.force_login(editor)
    client.raise_request_exception = False
    suggestion = {"another-claim-s": others_suggestion.pk, "own-with-bad-decision": own.pk}.get(posted, posted)
    decision = "maybe" if posted == "own-with-bad-decision" else "confirm"

    response = decide_in_admin(client, look_alike, suggestion, decision)

    assert response.status_code == 302
    assert shown_messages(response) == ["Choose a suggestion of this claim to confirm or dismiss."]
    assert set(DuplicateSuggestion.objects.values_list("status", flat=True)) == {PENDING}
    assert not ClaimLink.objects.exists()


def test_the_decision_address_redirects_a_get_to_the_claim(client, editor, look_alike):
    client.force_login(editor)

    response = client.get(admin_url("claims_claim_duplicate", look_alike.pk))

    assert response.status_code == 302
    assert response["Location"] == admin_url("claims_claim_change", look_alike.pk)
    assert DuplicateSuggestion.objects.get(claim=look_alike).status == PENDING


def test_the_suggestion_queue_confirms_and_dismisses_in_bulk(client, scans, researcher, editor, world, look_alike):
    with scans():
        other = workflow.create_claim(researcher, "chinh quyen o Tripoli kiem soat chi 7% lanh tho dat nuoc", "vi")
    to_confirm = DuplicateSuggestion.objects.get(claim=look_alike)
    to_dismiss = DuplicateSuggestion.objects.get(claim=other)
    client.force_login(editor)
    changelist = admin_url("claims_duplicatesuggestion_changelist")

    confirmed = client.post(changelist, {"action": "confirm", "_selected_action": [to_confirm.pk]}, follow=True)
    assert [str(message) for message in confirmed.context["messages"]] == ["1 suggestion decided."]
    response = client.post(changelist, {"action": "dismiss", "_selected_action": [to_dismiss.pk, to_confirm.pk]})

    assert response.status_code == 302
    assert shown_messages(response) == [
        "1 suggestion decided.",
        f"#{to_confirm.pk}: This suggestion was already decided (confirmed duplicate).",
    ]
    assert dict(DuplicateSuggestion.objects.values_list("pk", "status")) == {
        to_confirm.pk: CONFIRMED,
        to_dismiss.pk: DISMISSED,
    }
    assert ClaimLink.objects.count() == 1


# --- 4. The sweep re-sends a scan whose message was lost ---------------------------------------------------


def lose_the_message(claim: Claim, age: dt.timedelta) -> None:
    """The claim changed ``age`` ago and was marked, but its scan never ran."""
    DuplicateSuggestion.objects.filter(claim=claim).delete()
    SearchDocument.objects.filter(claim=claim).update(needs_duplicate_scan=True)
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now() - age)


def test_the_sweep_re_sends_a_scan_lost_longer_than_the_grace_period(world, look_alike):
    lose_the_message(look_alike, SCAN_GRACE + dt.timedelta(minutes=1))

    assert sweep_duplicate_scans.delay().get() == 1

    assert not flagged(look_alike)
    assert pending(look_alike) == {world["gaddafi"].pk}


def test_the_sweep_leaves_a_scan_still_within_its_grace_period(world, look_alike):
    lose_the_message(look_alike, SCAN_GRACE - dt.timedelta(minutes=1))

    assert sweep_duplicate_scans.delay().get() == 0

    assert flagged(look_alike)
    assert pending(look_alike) == set()


# --- 6. Links: made in the admin, shown both ways in the admin, on the verdict page and in the API ---------


def test_a_link_made_from_a_claim_s_page_is_prefilled_signed_and_leads_back(client, researcher, world):
    here, there = world["vietnamese"], world["gaddafi"]
    client.force_login(researcher)
    claim_page = client.get(admin_url("claims_claim_change", here.pk))
    add_url = f"{admin_url('claims_claimlink_add')}?from_claim={here.pk}"
    assert escape(add_url) in page(claim_page)

    form = client.get(add_url)
    assert form.status_code == 200
    assert str(form.context["adminform"].form["from_claim"].value()) == str(here.pk)

    response = client.post(
        add_url, {"from_claim": here.pk, "kind": LinkKind.REFINES, "to_claim": there.pk, "note": "", "_save": "Save"}
    )

    assert response.status_code == 302
    assert response["Location"] == admin_url("claims_claim_change", here.pk)
    assert shown_messages(response) == ["Linked: refines."]
    link = ClaimLink.objects.get()
    assert (link.from_claim, link.to_claim, link.kind, link.created_by) == (here, there, LinkKind.REFINES, researcher)


def test_the_claim_page_lists_its_links_both_ways(client, researcher, world):
    vietnamese, gaddafi = world["vietnamese"], world["gaddafi"]
    ClaimLink.objects.create(from_claim=vietnamese, to_claim=gaddafi, kind=LinkKind.REFINES, created_by=researcher)
    client.force_login(researcher)

    from_page = page(client.get(admin_url("claims_claim_change", vietnamese.pk)))
    to_page = page(client.get(admin_url("claims_claim_change", gaddafi.pk)))

    to_gaddafi = admin_url("claims_claim_change", gaddafi.pk)
    to_vietnamese = admin_url("claims_claim_change", vietnamese.pk)
    assert f'<strong>States more precisely</strong>: <a href="{to_gaddafi}">#{gaddafi.pk} ' in from_page
    assert f'<strong>Stated more precisely by</strong>: <a href="{to_vietnamese}">#{vietnamese.pk} ' in to_page
    assert "No linked claims." in page(client.get(admin_url("claims_claim_change", world["lavrov"].pk)))


def test_every_link_on_the_claim_page_opens_its_own_edit_page_whichever_way_it_was_made(client, researcher, world):
    vietnamese, gaddafi, lavrov = world["vietnamese"], world["gaddafi"], world["lavrov"]
    outgoing = ClaimLink.objects.create(from_claim=gaddafi, to_claim=vietnamese, kind=LinkKind.REFINES)
    incoming = ClaimLink.objects.create(from_claim=lavrov, to_claim=gaddafi, kind=LinkKind.SAME_AS)
    client.force_login(researcher)
    html = page(client.get(admin_url("claims_claim_change", gaddafi.pk)))

    addresses = re.findall(r'href="([^"]*)">edit links<', html)
    assert sorted(addresses) == sorted(admin_url("claims_claimlink_change", link.pk) for link in (outgoing, incoming))
    for address in addresses:
        assert client.get(address).status_code == 200


def link_form_errors(response: Any) -> list[str]:
    assert response.status_code == 200, "expected the form again with its errors"
    form = response.context["adminform"].form
    return [message for messages in form.errors.values() for message in messages]


def test_linking_a_pair_already_linked_the_other_way_is_a_form_error(client, researcher, world):
    ClaimLink.objects.create(
        from_claim=world["vietnamese"], to_claim=world["gaddafi"], kind=LinkKind.REFINES, created_by=researcher
    )
    client.force_login(researcher)
    client.raise_request_exception = False

    response = client.post(
        admin_url("claims_claimlink_add"),
        {"from_claim": world["gaddafi"].pk, "kind": LinkKind.SAME_AS, "to_claim": world["vietnamese"].pk},
    )

    assert link_form_errors(response) == ["These two claims are already linked (from the other claim's page)."]
    assert ClaimLink.objects.count() == 1


def test_linking_the_same_pair_twice_is_a_form_error(client, researcher, world):
    ClaimLink.objects.create(
        from_claim=world["vietnamese"], to_claim=world["gaddafi"], kind=LinkKind.REFINES, created_by=researcher
    )
    client.force_login(researcher)
    client.raise_request_exception = False

    response = client.post(
        admin_url("claims_claimlink_add"),
        {"from_claim": world["vietnamese"].pk, "kind": LinkKind.SAME_AS, "to_claim": world["gaddafi"].pk},
    )

    assert link_form_errors(response)
    assert ClaimLink.objects.count() == 1


def test_linking_a_claim_to_itself_is_a_form_error(client, researcher, world):
    client.force_login(researcher)
    client.raise_request_exception = False

    response = client.post(
        admin_url("claims_claimlink_add"),
        {"from_claim": world["gaddafi"].pk, "kind": LinkKind.SAME_AS, "to_claim": world["gaddafi"].pk},
    )

    assert "A claim cannot be linked to itself." in link_form_errors(response)
    assert not ClaimLink.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_linking_without_the_permission_is_refused(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))
    client.raise_request_exception = False

    response = client.post(
        admin_url("claims_claimlink_add"),
        {"from_claim": world["vietnamese"].pk, "kind": LinkKind.SAME_AS, "to_claim": world["gaddafi"].pk},
    )

    assert response.status_code == 403
    assert not ClaimLink.objects.exists()


def publish(claim: Claim, editor: Any, publisher: Any) -> Claim:
    workflow.transition(claim.pk, claim.author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)
    return workflow.transition(claim.pk, publisher, Action.PUBLISH)


def checked_claim(author: Any, vi: str, en: str) -> Claim:
    """A draft ready to publish: Vietnamese wording, English translation, appearance, verdict in both."""
    claim = ClaimFactory(author=author, text=vi)
    TranslationFactory(claim=claim, text=en)
    AppearanceFactory(claim=claim)
    verdict = VerdictFactory(claim=claim)
    VerdictTextFactory(verdict=verdict, language="vi")
    VerdictTextFactory(verdict=verdict, language="en", headline="The figure is unverified", explanation="No source.")
    return claim


@pytest.fixture
def linked_verdicts(ratings, researcher, editor, publisher) -> dict[str, Claim]:
    """Published: a general claim, and one stating it more precisely; a draft contradicting the first."""
    general = publish(checked_claim(researcher, VI_7_PERCENT, EN_7_PERCENT), editor, publisher)
    precise = publish(
        checked_claim(
            researcher,
            "chính quyền Tripoli chỉ kiểm soát 7% lãnh thổ Libya vào ngày 4/4",
            "on 4 April the Tripoli government controlled only 7% of Libya",
        ),
        editor,
        publisher,
    )
    draft = checked_claim(researcher, "BẢN NHÁP chính quyền Tripoli kiểm soát 70% lãnh thổ", "DRAFT Tripoli holds 70%")
    ClaimLink.objects.create(from_claim=precise, to_claim=general, kind=LinkKind.REFINES, created_by=researcher)
    ClaimLink.objects.create(from_claim=draft, to_claim=general, kind=LinkKind.CONTRADICTS, created_by=researcher)
    return {"general": general, "precise": precise, "draft": draft}


def verdict_page(client: Client, claim: Claim, language: str) -> str:
    with translation.override(language):
        address = Claim.objects.get(pk=claim.pk).get_absolute_url()
    response = client.get(address)
    assert response.status_code == 200
    return page(response)


def linked_section(html: str) -> str:
    start = html.index('id="linked-claims"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_verdict_page_shows_a_public_linked_claim_from_both_ends(client, linked_verdicts, language):
    general, precise = linked_verdicts["general"], linked_verdicts["precise"]
    with translation.override(language):
        refines, refined_by = str(RELATION_LABELS["refines"]), str(RELATION_LABELS["refined_by"])
        precise_url, general_url = precise.get_absolute_url(), general.get_absolute_url()
    wording = {"vi": (precise.text, general.text), "en": (precise.translations.get().text, EN_7_PERCENT)}[language]

    on_general = linked_section(verdict_page(client, general, language))
    on_precise = linked_section(verdict_page(client, precise, language))

    assert f'<li class="linked-refined_by"><span class="relation">{refined_by}</span>' in on_general
    assert f'href="{precise_url}"' in on_general
    assert escape(wording[0]) in on_general
    assert f'<li class="linked-refines"><span class="relation">{refines}</span>' in on_precise
    assert f'href="{general_url}"' in on_precise
    assert escape(wording[1]) in on_precise
    assert "linked-contradicts" not in on_general


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_verdict_page_never_shows_a_linked_draft(client, linked_verdicts, language):
    html = verdict_page(client, linked_verdicts["general"], language)

    assert "BẢN NHÁP" not in html
    assert "DRAFT" not in html
    assert linked_section(html).count("<li") == 1, "the published claim only"


def test_a_link_from_a_public_claim_to_a_draft_shows_only_to_the_newsroom(client, linked_verdicts, researcher):
    """The other direction: the draft at the link's far end (``to_claim``), not at its start."""
    general, precise, draft = linked_verdicts["general"], linked_verdicts["precise"], linked_verdicts["draft"]
    ClaimLink.objects.create(from_claim=precise, to_claim=draft, kind=LinkKind.CONTRADICTS, created_by=researcher)

    html = verdict_page(client, precise, "en")
    assert "DRAFT" not in html and "BẢN NHÁP" not in html
    assert linked_section(html).count("<li") == 1, "the published claim only"
    assert [item["id"] for item in related(None, precise)] == [general.pk]
    assert sorted(item["id"] for item in related(researcher, precise)) == sorted([general.pk, draft.pk])


def test_a_verdict_page_without_public_links_has_no_linked_section(client, linked_verdicts, researcher):
    ClaimLink.objects.filter(to_claim=linked_verdicts["general"], from_claim=linked_verdicts["precise"]).delete()

    html = verdict_page(client, linked_verdicts["general"], "en")

    assert 'id="linked-claims"' not in html


def test_a_retracted_linked_claim_is_shown_as_retracted(client, linked_verdicts, publisher):
    workflow.transition(linked_verdicts["precise"].pk, publisher, Action.RETRACT, comment="Nguồn sai.")

    section = linked_section(verdict_page(client, linked_verdicts["general"], "en"))

    assert "on 4 April the Tripoli government controlled only 7% of Libya" in section
    assert "(retracted)" in section


def test_the_relation_labels_are_in_vietnamese_on_the_vietnamese_page(client, linked_verdicts):
    on_general = linked_section(verdict_page(client, linked_verdicts["general"], "vi"))
    on_precise = linked_section(verdict_page(client, linked_verdicts["precise"], "vi"))

    assert "Được nói rõ hơn bởi" in on_general
    assert "Nói rõ hơn nhận định" in on_precise
    assert "precisely" not in on_general + on_precise


def related(user: Any, claim: Claim) -> list[dict[str, Any]]:
    response = api(user).get(f"/api/v1/claims/{claim.pk}/", {"lang": "en"})
    assert response.status_code == 200, response.content[:300]
    return response.json()["related"]


def test_the_api_lists_public_related_claims_to_anyone(linked_verdicts):
    general, precise = linked_verdicts["general"], linked_verdicts["precise"]
    with translation.override("en"):
        precise_url = absolute(precise.get_absolute_url())

    assert related(None, general) == [
        {
            "relation": "refined_by",
            "id": precise.pk,
            "url": precise_url,
            "language": "vi",
            "text": precise.text,
            "status": "published",
        }
    ]
    assert [(item["relation"], item["id"]) for item in related(None, precise)] == [("refines", general.pk)]


@pytest.mark.parametrize("persona", ["researcher", "editor", "publisher"])
def test_the_api_lists_draft_related_claims_to_the_newsroom(request, linked_verdicts, persona):
    general, precise, draft = linked_verdicts["general"], linked_verdicts["precise"], linked_verdicts["draft"]

    found = related(request.getfixturevalue(persona), general)

    assert [(item["relation"], item["id"], item["status"]) for item in found] == [
        ("contradicts", draft.pk, "draft"),
        ("refined_by", precise.pk, "published"),
    ]
    assert found[0]["url"] is None, "a draft has no public page"
    assert found[0]["text"] == draft.text


def test_the_api_never_lists_a_draft_related_claim_to_an_outsider(outsider, linked_verdicts):
    found = related(outsider, linked_verdicts["general"])

    assert [item["id"] for item in found] == [linked_verdicts["precise"].pk]


def test_a_client_asking_if_modified_since_sees_a_new_link(linked_verdicts):
    general, precise = linked_verdicts["general"], linked_verdicts["precise"]
    ClaimLink.objects.filter(from_claim=precise).delete()
    # Last-Modified counts whole seconds: the copy the client holds is a minute old.
    Claim.objects.filter(pk=general.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=1))
    first = api().get(f"/api/v1/claims/{general.pk}/")
    assert first.json()["related"] == []

    ClaimLink.objects.create(from_claim=precise, to_claim=general, kind=LinkKind.REFINES)
    again = api().get(f"/api/v1/claims/{general.pk}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 200, "a 304 keeps the client's copy without the link"


#: The verdict page's queries when it has linked claims (tests/test_public_site.py pins a page without
#: any): those of a page without evidence or corrections, 6, plus one for the links with both their ends
#: and one for the linked claims' translations, whatever their number.
VERDICT_PAGE_QUERIES = 8
#: The API's claim detail with linked claims: tests/test_api_claims.py's 7, plus the linked claims'
#: translations; staff add their token and their permissions (user's, groups').
API_DETAIL_QUERIES = {"anonymous": 8, "editor": 11}


def test_the_verdict_page_s_queries_do_not_grow_with_its_links(
    client, linked_verdicts, researcher, editor, publisher, django_assert_num_queries
):
    general = linked_verdicts["general"]
    for step in ("one public link", "three public links"):
        if step == "three public links":
            for n in range(2):
                more = publish(
                    checked_claim(
                        researcher, f"chính quyền Tripoli kiểm soát {8 + n}% lãnh thổ", f"Tripoli holds {8 + n}%"
                    ),
                    editor,
                    publisher,
                )
                ClaimLink.objects.create(from_claim=general, to_claim=more, kind=LinkKind.CONTRADICTS)
        for language in ("vi", "en"):
            verdict_page(client, general, language)  # warm the caches (rating scale, languages)
            with translation.override(language):
                address = general.get_absolute_url()
            with django_assert_num_queries(VERDICT_PAGE_QUERIES):
                assert client.get(address).status_code == 200
    assert linked_section(verdict_page(client, general, "en")).count("<li") == 3


@pytest.mark.parametrize("persona", ["anonymous", "editor"])
def test_the_api_detail_s_queries_do_not_grow_with_its_links(
    request, linked_verdicts, researcher, editor, publisher, django_assert_num_queries, persona
):
    general = linked_verdicts["general"]
    client = api(None if persona == "anonymous" else request.getfixturevalue(persona))
    address = f"/api/v1/claims/{general.pk}/"
    for step in ("one or two links", "four or five links"):
        if step == "four or five links":
            for n in range(3):
                more = ClaimFactory(author=researcher, text=f"chính quyền Tripoli kiểm soát {8 + n}% lãnh thổ")
                TranslationFactory(claim=more, text=f"Tripoli holds {8 + n}%")
                ClaimLink.objects.create(from_claim=general, to_claim=more, kind=LinkKind.CONTRADICTS)
        client.get(address)  # warm the cached rating scale
        with django_assert_num_queries(API_DETAIL_QUERIES[persona]):
            found = client.get(address).json()["related"]
    assert len(found) == (1 if persona == "anonymous" else 5)


# --- 7. The admin's claim search is the newsroom search --------------------------------------------------


@pytest.fixture
def gaddafi_claims(researcher: Any) -> dict[str, Claim]:
    best = ClaimFactory(author=researcher, language="en", text="Muammar Gaddafi was overthrown in 2011")
    weaker = ClaimFactory(author=researcher, language="en", text="Gaddafi held power in Libya until 2011")
    other = ClaimFactory(author=researcher, language="en", text=LAVROV)
    # The weaker match is the newest, so it would come first without ranking.
    Claim.objects.filter(pk=best.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    return {"best": best, "weaker": weaker, "other": other}


def changelist(client: Client, **params: Any) -> list[int]:
    response = client.get(admin_url("claims_claim_changelist"), params)
    assert response.status_code == 200
    return [claim.pk for claim in response.context["cl"].result_list]


def test_the_admin_search_finds_a_respelled_name_best_first(client, editor, gaddafi_claims):
    client.force_login(editor)

    assert set(changelist(client, q="Kadhafi")) == {gaddafi_claims["best"].pk, gaddafi_claims["weaker"].pk}
    assert changelist(client, q="Kadhafi overthrown in 2011") == [
        gaddafi_claims["best"].pk,
        gaddafi_claims["weaker"].pk,
    ]
    assert changelist(client, q="Kadhafi", o="-7") == [gaddafi_claims["weaker"].pk, gaddafi_claims["best"].pk], (
        "sorted by a column when the editor asks"
    )


@pytest.mark.parametrize("form", ["#{pk}", "{pk}", " #{pk} "])
def test_the_admin_search_finds_a_claim_by_its_number(client, editor, gaddafi_claims, form):
    client.force_login(editor)
    wanted = gaddafi_claims["other"]

    assert changelist(client, q=form.format(pk=wanted.pk)) == [wanted.pk]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("zzzqqq", set()),
        ("#987654", set()),
        ("Gaddafi Lavrov Haftar Tripoli", set()),
        ("!!!", {"best", "weaker", "other"}),  # no word: no search
    ],
)
def test_an_admin_search_for_nothing_findable_is_a_list_not_a_500(client, editor, gaddafi_claims, query, expected):
    client.force_login(editor)
    client.raise_request_exception = False

    assert set(changelist(client, q=query)) == {gaddafi_claims[name].pk for name in expected}


def test_the_link_form_s_autocomplete_finds_the_claim(client, researcher, gaddafi_claims):
    client.force_login(researcher)
    client.raise_request_exception = False

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "claims", "model_name": "claimlink", "field_name": "to_claim", "term": "Kadhafi overthrown"},
    )

    assert response.status_code == 200
    found = [int(result["id"]) for result in response.json()["results"]]
    assert found[0] == gaddafi_claims["best"].pk
    assert gaddafi_claims["other"].pk not in found


def test_the_link_form_s_autocomplete_refuses_an_outsider(client, outsider, gaddafi_claims):
    client.force_login(outsider)
    client.raise_request_exception = False

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "claims", "model_name": "claimlink", "field_name": "to_claim", "term": "Gaddafi"},
    )

    assert response.status_code == 403


# --- 5. A real worker on Redis stores the suggestions (keep last: its fixture is module-wide) -------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("running_worker")
def test_a_real_worker_stores_the_suggestions_of_a_committed_claim() -> None:
    researcher = UserFactory(username="rosa-dup", role="Researcher")
    gaddafi = ClaimFactory(author=researcher, language="en", text=GADDAFI)
    lavrov = ClaimFactory(author=researcher, language="en", text=LAVROV)

    assert not celery_app.conf.task_always_eager, "the scan goes through Redis to the worker"
    # Their own scans first: one still queued when the new claim commits would find it and hold the pair
    # (one suggestion per pair, whichever way round), leaving the new claim's scan nothing to add.
    assert wait_for(lambda: not flagged(gaddafi) and not flagged(lavrov)), "the worker did not scan them"

    claim = workflow.create_claim(researcher, "Kadhafi was toppled in 2011 by an uprising backed by NATO", "en")

    assert wait_for(lambda: not flagged(claim)), "the worker did not scan the claim"
    assert pending(claim) == {gaddafi.pk}
    assert DuplicateSuggestion.objects.count() == 1
