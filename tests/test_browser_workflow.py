"""A claim's whole review in the admin, in a real browser (Debian's Chromium driven by Playwright).

Researcher submits, editor requests changes, researcher resubmits, editor approves, publisher publishes;
then the public page shows the verdict. Screenshots land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claims import workflow
from claims.models import Claim, ClaimStatus, ReviewEvent

from .factories import UserFactory, make_ratings, ready_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "pass-word-123"
#: Runs in every page before its own code: reports what the Content-Security-Policy blocked.
POLICY_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => window.reportPolicyViolation(
  `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"} in ${event.sourceFile || document.URL}`));
"""


class Desk:
    """One newsroom member at their own browser session."""

    def __init__(self, browser: Any, base_url: str, user: Any) -> None:
        self.context = browser.new_context(locale="en-US")
        self.page = self.context.new_page()
        self.base_url = base_url
        self.user = user
        # What the Content-Security-Policy blocked and what the browser logged as an error, page after page.
        self.violations: list[str] = []
        self.console_errors: list[str] = []
        self.context.expose_function("reportPolicyViolation", lambda text: self.violations.append(text))
        self.context.add_init_script(POLICY_LISTENER)
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught error: {error}"))
        self.page.goto(f"{base_url}/admin/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_selector("#user-tools")

    def open_claim(self, claim: Claim) -> None:
        self.page.goto(f"{self.base_url}/admin/claims/claim/{claim.pk}/change/")
        self.page.wait_for_selector("#workflow")

    def take(self, action: str, comment: str = "") -> str:
        if comment:
            self.page.fill("#workflow-comment", comment)
        self.page.click(f"#workflow-form button[data-action={action}]")
        self.page.wait_for_selector("ul.messagelist")
        return str(self.page.inner_text("ul.messagelist"))

    def buttons(self) -> list[str]:
        return [b.get_attribute("data-action") for b in self.page.query_selector_all("#workflow-form button")]

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def test_researcher_editor_and_publisher_take_a_claim_to_publication_in_the_admin(
    browser: Any, live_server: Any
) -> None:
    make_ratings()
    researcher = UserFactory(username="rosa", role="Researcher")
    editor = UserFactory(username="eva", role="Editor")
    publisher = UserFactory(username="paula", role="Publisher")
    claim = ready_claim(researcher)
    workflow.record_created(claim, researcher)

    rosa = Desk(browser, live_server.url, researcher)
    rosa.open_claim(claim)
    assert rosa.buttons() == ["submit"]
    assert "đang kiểm soát chỉ 7% lãnh thổ" in rosa.page.inner_text("#claim_form")
    rosa.shot("1-researcher-draft")
    assert "in review" in rosa.take("submit")

    eva = Desk(browser, live_server.url, editor)
    eva.open_claim(claim)
    assert set(eva.buttons()) == {"withdraw", "request_changes", "approve"}
    assert "changes requested" in eva.take("request_changes", "Cite the LNA's own statement, please.")
    eva.shot("2-editor-requested-changes")

    rosa.open_claim(claim)
    assert "Cite the LNA's own statement, please." in rosa.page.inner_text("#claim-history")
    assert "in review" in rosa.take("submit", "Statement added.")

    eva.open_claim(claim)
    assert "approved" in eva.take("approve")
    assert "publish" not in eva.buttons()

    paula = Desk(browser, live_server.url, publisher)
    paula.open_claim(claim)
    assert "published" in paula.take("publish")
    paula.shot("3-publisher-published")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    trail = list(
        ReviewEvent.objects.filter(claim=claim).order_by("created_at", "id").values_list("action", "actor__username")
    )
    assert trail == [
        ("create", "rosa"),
        ("submit", "rosa"),
        ("request_changes", "eva"),
        ("submit", "rosa"),
        ("approve", "eva"),
        ("publish", "paula"),
    ]

    public = paula.context.new_page()
    public.goto(f"{live_server.url}{claim.get_absolute_url()}")
    assert "Con số 7% chưa được kiểm chứng" in public.inner_text("main") or "7%" in public.inner_text("main")
    public.screenshot(path=str(ARTIFACTS / "4-public-verdict.png"), full_page=True)
    for desk in (rosa, eva, paula):
        assert desk.violations == [], desk.user.username
        desk.close()


def test_the_author_sees_no_approve_or_publish_button_on_their_own_claim(browser: Any, live_server: Any) -> None:
    make_ratings()
    author = UserFactory(username="pia", role="Publisher")
    claim = ready_claim(author)
    workflow.transition(claim.pk, author, workflow.Action.SUBMIT)

    pia = Desk(browser, live_server.url, author)
    pia.open_claim(claim)
    assert "approve" not in pia.buttons()
    assert "publish" not in pia.buttons()
    pia.close()


def test_the_admin_and_the_api_docs_work_under_the_content_security_policy(browser: Any, live_server: Any) -> None:
    make_ratings()
    researcher = UserFactory(username="rosa", role="Researcher")
    claim = ready_claim(researcher)
    editor = Desk(browser, live_server.url, UserFactory(username="eva", role="Editor"))  # the login page
    page = editor.page

    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#newsroom-queues, #content-main")
    page.goto(f"{live_server.url}/admin/claims/claim/")
    page.wait_for_selector("#result_list")
    page.click("#action-toggle")  # the changelist's own scripts run: every row is selected
    assert page.locator("#result_list input.action-select:checked").count() == 1
    editor.open_claim(claim)
    # The admin's inline scripts run from files: "Add another" adds a blank appearance form.
    appearances = page.locator("#appearances-group .inline-related:not(.empty-form)")
    before = appearances.count()
    page.locator("#appearances-group .add-row a").click()
    assert appearances.count() == before + 1
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert "Fact-check claim database API" in page.locator(".swagger-ui .info .title").inner_text()
    editor.shot("5-api-docs-as-editor")

    assert editor.violations == []
    assert editor.console_errors == []
    editor.close()
