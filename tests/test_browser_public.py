"""The public site as a reader meets it, in a real browser (Debian's Chromium driven by Playwright).

A verdict page in Vietnamese and in English (wording, rating, ClaimReview markup, a phone's width),
the language switcher, the search box and its filters, and the "submit a claim" form. Every page a
test visits must leave the browser silent: no console message, no uncaught error, no failed request,
no Content-Security-Policy violation and no response of 400 or more unless the step says it expects one.
Screenshots land in test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import translation

from claims.demo import content
from claims.models import Claim, ClaimTip

from .factories import role_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
LANGUAGES = ["vi", "en"]
PHONE = {"width": 390, "height": 844}
#: Demo claims, by their key in ``claims.demo.content``.
OFFENSIVE = "offensive-4-april"  # "Tướng Haftar đã ra lệnh …", rated true
HAFTAR_CONTROLS_MOST = "haftar-controls-most"  # claimed by Khalifa Haftar, rated unproven
RATING_TRUE = {"vi": "Đúng", "en": "True"}
#: Runs in every page before its own code: reports what the Content-Security-Policy blocked.
POLICY_LISTENER = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = event.sourceFile || document.URL;
  const text = `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"} in ${where}`;
  window.policyViolations.push(text);
  window.reportPolicyViolation(text);
});
"""


@pytest.fixture
def demo(live_server: Any) -> None:
    """The demo newsroom (two seed articles, 16 published verdicts), loaded as ``manage.py load_demo`` does."""
    # A transactional test that ran before this one flushed the role groups the loader puts its users in.
    role_group("Researcher")
    call_command("load_demo", stdout=StringIO())


class Reader:
    """One reader's browser tab, noting everything the browser complains about on the way."""

    def __init__(self, browser: Any, base_url: str, **context_options: Any) -> None:
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.problems: list[str] = []
        self.violations: list[str] = []
        self.context.expose_function("reportPolicyViolation", self._violation)
        self.context.add_init_script(POLICY_LISTENER)
        # (path, status) pairs a step has said it expects, e.g. the 400 of a form sent with errors.
        self.expected_errors: set[tuple[str, int]] = set()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))
        # On the context, not the page: the requests the browser makes for the page itself (the icon) count.
        self.context.on("requestfailed", self._failed)
        self.context.on("response", self._response)

    def _violation(self, text: str) -> None:
        self.violations.append(text)
        self.problems.append(f"Content-Security-Policy violation: {text}")

    def _failed(self, request: Any) -> None:
        # ERR_ABORTED is the browser cancelling a request it no longer needs (the page navigated away
        # while the icon loaded): not an answer of the site's. Every other failure is a problem.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _expected(self, url: str, status: int) -> bool:
        return (urlsplit(url).path, status) in self.expected_errors

    def _console(self, message: Any) -> None:
        url = message.location.get("url", "")
        # Chromium echoes every 4xx/5xx response in the console; an expected one is not a problem twice.
        for path, status in self.expected_errors:
            if urlsplit(url).path == path and message.text.startswith(
                f"Failed to load resource: the server responded with a status of {status}"
            ):
                return
        self.problems.append(f"console {message.type}: {message.text} (at {url})")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and not self._expected(response.url, response.status):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def visit(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"

    def shot(self, request: pytest.FixtureRequest, language: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{request.node.originalname}-{language}.png"), full_page=True)

    def assert_browser_was_silent(self) -> None:
        assert self.problems == []


@pytest.fixture
def open_reader(browser: Any, live_server: Any) -> Iterator[Callable[..., Reader]]:
    readers: list[Reader] = []

    def open_reader(**context_options: Any) -> Reader:
        reader = Reader(browser, live_server.url, **context_options)
        readers.append(reader)
        return reader

    yield open_reader
    for reader in readers:
        reader.context.close()


def demo_claim(key: str) -> Claim:
    item = next(item for item in content.CLAIMS if item["key"] == key)
    return Claim.objects.get(language="vi", text=item["text"])


def english_wording(key: str) -> str:
    return str(next(item for item in content.CLAIMS if item["key"] == key)["translation_en"])


def url_in(claim: Claim, language: str) -> str:
    with translation.override(language):
        return claim.get_absolute_url()


def locale_for(language: str) -> str:
    return {"vi": "vi-VN", "en": "en-US"}[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_verdict_page_shows_the_claim_its_rating_and_one_claimreview_in_the_reader_s_language(
    demo: None, open_reader: Callable[..., Reader], request: pytest.FixtureRequest, language: str
) -> None:
    claim = demo_claim(OFFENSIVE)
    reader = open_reader(locale=locale_for(language))
    page = reader.page

    reader.visit(url_in(claim, language))
    reader.shot(request, language)

    assert page.get_attribute("html", "lang") == language
    heading = page.locator("article.verdict h1")
    if language == "vi":
        assert heading.inner_text() == claim.text
        assert heading.get_attribute("lang") == "vi"
        assert page.locator("article.verdict .original").count() == 0
    else:
        assert heading.inner_text() == english_wording(OFFENSIVE)
        assert heading.get_attribute("lang") == "en"
        original = page.locator("article.verdict .original")
        assert "Original wording (Vietnamese):" in original.inner_text()
        assert original.locator("q").inner_text() == claim.text
        assert original.locator("q").get_attribute("lang") == "vi"
    badge = page.locator("article.verdict header .rating")
    assert badge.inner_text() == RATING_TRUE[language]

    markup = page.locator('script[type="application/ld+json"]')
    assert markup.count() == 1
    review = json.loads(markup.text_content() or "")
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == heading.inner_text()
    assert review["reviewRating"]["alternateName"] == badge.inner_text()
    reader.assert_browser_was_silent()


def test_a_verdict_page_fits_a_phone_screen_without_sideways_scrolling(
    demo: None, open_reader: Callable[..., Reader], request: pytest.FixtureRequest
) -> None:
    reader = open_reader(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)

    reader.visit(url_in(demo_claim(OFFENSIVE), "vi"))
    reader.shot(request, "vi")

    widths = reader.page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " client: document.documentElement.clientWidth})"
    )
    # In mobile emulation an overflowing page widens window.innerWidth to the content (a 600px element
    # gave scroll = inner = 612), so scrollWidth <= innerWidth alone cannot fail: pin the inner width and
    # compare with the layout width (clientWidth) as well.
    assert widths["inner"] == PHONE["width"], widths
    assert widths["scroll"] <= widths["inner"], widths
    assert widths["scroll"] <= widths["client"], widths
    reader.assert_browser_was_silent()


def test_the_language_switcher_leads_from_the_vietnamese_verdict_to_the_english_one(
    demo: None, open_reader: Callable[..., Reader], request: pytest.FixtureRequest
) -> None:
    claim = demo_claim(OFFENSIVE)
    reader = open_reader(locale="vi-VN")
    page = reader.page
    reader.visit(url_in(claim, "vi"))
    assert page.locator("article.verdict header .rating").inner_text() == RATING_TRUE["vi"]
    # Django's own name for Vietnamese is stored decomposed (NFD); what a reader sees is the same.
    current = page.locator('nav.lang a[aria-current="page"]').inner_text()
    assert unicodedata.normalize("NFC", current) == "Tiếng Việt"

    page.locator("nav.lang").get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(reader.base_url + url_in(claim, "en"))
    reader.shot(request, "en")

    assert page.get_attribute("html", "lang") == "en"
    assert page.locator('nav.lang a[aria-current="page"]').inner_text() == "English"
    assert page.locator("article.verdict h1").inner_text() == english_wording(OFFENSIVE)
    assert page.locator("article.verdict header .rating").inner_text() == RATING_TRUE["en"]
    assert "Original wording (Vietnamese):" in page.locator("article.verdict .original").inner_text()
    site_nav = page.locator("header.site nav").first
    for label in ("Verdicts", "Methodology", "Corrections", "Submit a claim"):
        assert site_nav.get_by_role("link", name=label, exact=True).is_visible()
    reader.assert_browser_was_silent()


def test_the_vietnamese_pages_speak_vietnamese_around_the_verdict(
    demo: None, open_reader: Callable[..., Reader], request: pytest.FixtureRequest
) -> None:
    claim = demo_claim(OFFENSIVE)
    reader = open_reader(locale="vi-VN")
    page = reader.page
    interface = "header.site nav:not(.lang) a, footer.site p, a.skip, footer.site a:not([href^='/api/'])"

    reader.visit(url_in(claim, "en"))
    english = page.locator(interface).all_text_contents()
    reader.visit(url_in(claim, "vi"))
    reader.shot(request, "vi")
    vietnamese = page.locator(interface).all_text_contents()

    assert len(english) == len(vietnamese) > 5
    untranslated = [text for text, other in zip(vietnamese, english, strict=True) if text == other]
    assert untranslated == []
    reader.assert_browser_was_silent()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reader_searches_from_the_home_page_and_narrows_the_results_by_rating(
    demo: None, open_reader: Callable[..., Reader], request: pytest.FixtureRequest, language: str
) -> None:
    reader = open_reader(locale=locale_for(language))
    page = reader.page
    reader.visit(f"/{language}/")

    page.fill("form.search input[name=q]", "Haftar")
    page.click("form.search button[type=submit]")
    page.wait_for_url(f"{reader.base_url}/{language}/claims/?q=Haftar")

    cards = page.locator("main section[aria-live] article.card")
    found = cards.locator("h2 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    offensive = url_in(demo_claim(OFFENSIVE), language)
    controls_most = url_in(demo_claim(HAFTAR_CONTROLS_MOST), language)
    assert {offensive, controls_most} <= set(found)
    published = Claim.objects.public().count()
    assert len(found) < published, "the search returned every published verdict"
    assert page.input_value("form.filters input[name=q]") == "Haftar"

    page.select_option("form.filters select[name=rating]", "true")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "rating=true" in url)
    reader.shot(request, language)

    parts = urlsplit(page.url)
    assert parts.path == f"/{language}/claims/"
    query = parse_qs(parts.query)
    assert query["q"] == ["Haftar"]
    assert query["rating"] == ["true"]
    assert cards.locator("h2 a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [offensive]
    assert cards.locator(".rating").all_inner_texts() == [RATING_TRUE[language]]
    assert page.input_value("form.filters select[name=rating]") == "true"
    reader.assert_browser_was_silent()


def test_a_reader_submits_a_claim_and_an_empty_one_is_refused_with_a_form_error(
    demo: None, open_reader: Callable[..., Reader], request: pytest.FixtureRequest
) -> None:
    tip = "Russia has sent 2,000 mercenaries to fight for Haftar in Tripoli"
    reader = open_reader(locale="en-US")
    page = reader.page
    already = ClaimTip.objects.count()  # the demo's own inbox

    reader.visit("/en/submit/")
    page.fill("#id_text", tip)
    page.fill("#id_where_seen", "https://news.example/libya/mercenaries")
    page.fill("#id_email", "reader@example.org")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"{reader.base_url}/en/thanks/")
    assert page.locator("main h1").inner_text() == "Thank you"

    stored = ClaimTip.objects.get(text=tip)
    assert stored.language == "en"
    assert stored.where_seen == "https://news.example/libya/mercenaries"
    assert stored.email == "reader@example.org"
    assert ClaimTip.objects.count() == already + 1

    reader.visit("/en/submit/")
    page.fill("#id_email", "reader@example.org")
    # The view answers a form with errors with 400, by design: expected for this one step.
    reader.expected_errors.add(("/en/submit/", 400))
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    reader.shot(request, "en")

    assert page.locator("form.reader-form .errors[role=alert]").is_visible()
    text_field = page.locator(".field.has-errors", has=page.locator("#id_text"))
    assert "This field is required." in text_field.locator(".errorlist").inner_text()
    assert page.input_value("#id_email") == "reader@example.org"
    assert ClaimTip.objects.count() == already + 1
    reader.assert_browser_was_silent()


def test_the_public_pages_and_the_api_docs_break_no_content_security_policy(
    demo: None, open_reader: Callable[..., Reader], request: pytest.FixtureRequest
) -> None:
    claim = demo_claim(HAFTAR_CONTROLS_MOST)
    appearance = claim.appearances.select_related("source__outlet").get(is_first=True)
    assert claim.claimant is not None and appearance.source.outlet is not None
    reader = open_reader(locale="en-US")
    page = reader.page
    pages = ["/en/", "/en/claims/", "/en/claims/?q=Haftar", url_in(claim, "en"), "/en/methodology/"]
    pages += ["/en/corrections/", "/en/submit/", "/en/complaint/"]
    with translation.override("en"):
        pages += [
            claim.claimant.get_absolute_url(),
            appearance.source.get_absolute_url(),
            appearance.source.outlet.get_absolute_url(),
        ]
    for path in pages:
        reader.visit(path)
        assert page.evaluate("window.policyViolations") == [], path
    assert page.locator("main").count() == 1

    # Swagger UI, its start-up script a file of its own, draws the API's operations.
    reader.visit("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    reader.shot(request, "en")
    assert "Fact-check claim database API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert reader.violations == []
    reader.assert_browser_was_silent()

    # The listener hears what the policy blocks: an inline script is refused and reported.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }")
    page.wait_for_function("window.policyViolations.length > 0")
    assert page.evaluate("window.policyViolations")[0].startswith("script-src-elem blocked inline")
