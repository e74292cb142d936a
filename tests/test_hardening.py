"""Hardening: what production settings switch on, the headers every answer carries, nothing inline for the
Content-Security-Policy, refused password and token guessing, rate limits per address, and size limits.

The browser's side of the policy (no violation reported on the main pages, the admin and the API docs)
is in test_browser_public.py and test_browser_workflow.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import django_ratelimit.core
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Claim, ClaimTip, ImportRun

from .factories import role_group

ROOT = Path(__file__).resolve().parent.parent
#: What the README's Production section exports, with a real-looking key.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qz9vL2pX!mR4tW8yB1nC6dF3hJ5sA0eG&uI*oP-lK=ZxVbN",
    "ALLOWED_HOSTS": "factcheck.example.org",
    "DATABASE_URL": "postgres://factcheck:secret@db:5432/factcheck",
    "REDIS_URL": "redis://redis:6379/0",
    "SITE_URL": "https://factcheck.example.org",
}
PASSWORD = "pass-word-123"  # tests.factories.UserFactory's
OTHER_ADDRESS = "203.0.113.7"


def started_env(**env: str) -> dict[str, str]:
    """This process's environment without any settings variable, plus ``env``."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (tests/conftest.py), never a server's.
    names = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"}
    names.add("DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in names and not k.startswith(("SECURE_", "ADMIN_", "API_"))}
    return {**clean, **env}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` in a fresh interpreter with only these settings variables, as a server starts."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=started_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


TRANSPORT = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
]


def transport_settings(**env: str) -> dict[str, Any]:
    """The transport settings a server started with these variables has (no database, no Redis needed)."""
    code = "import django, json; django.setup(); from django.conf import settings as s;"
    code += f"print(json.dumps({{name: getattr(s, name) for name in {TRANSPORT!r}}}))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=started_env(
            **{**PRODUCTION, "DATABASE_URL": "", "REDIS_URL": "", **env}, DJANGO_SETTINGS_MODULE="factcheck.settings"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


@pytest.fixture
def frozen_rate_clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """django-ratelimit counts per time window; pin its clock (and let a test move it on)."""
    clock = SimpleNamespace(now=int(time.time()))
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


# --- 1. Production settings ----------------------------------------------------------------------------------


def test_check_deploy_finds_no_issue_with_the_production_settings_of_the_readme() -> None:
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_each_protection_a_site_on_plain_http_leaves_off() -> None:
    result = manage("check", "--deploy", **{**PRODUCTION, "SITE_URL": "http://factcheck.example.org"})
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr, check


def test_an_https_site_redirects_sends_hsts_and_keeps_cookies_secure_by_default() -> None:
    assert transport_settings() == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_a_site_on_plain_http_like_make_run_neither_redirects_nor_marks_cookies_secure() -> None:
    found = transport_settings(DEBUG="1", SITE_URL="http://127.0.0.1:8000")
    assert not any(found[name] for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"))
    assert not found["CSRF_COOKIE_SECURE"]


def test_each_transport_setting_can_be_set_on_its_own() -> None:
    found = transport_settings(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SECURE_HSTS_SECONDS="300",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="1",
        SECURE_SSL_REDIRECT="0",
    )
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (found["SECURE_HSTS_SECONDS"], found["SECURE_HSTS_INCLUDE_SUBDOMAINS"], found["SECURE_HSTS_PRELOAD"]) == (
        300,
        False,
        True,
    )
    assert found["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, "is not a header name"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "is not an integer"),
        ({"ADMIN_LOGIN_RATE": "five"}, "is not a rate like 5/15m"),
        ({"API_INVALID_TOKEN_RATE": "0/h"}, "is not a rate like 5/15m"),
    ],
)
def test_malformed_security_settings_stop_the_start(env: dict[str, str], message: str) -> None:
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": "", "REDIS_URL": "", **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


@pytest.mark.django_db
def test_an_https_site_redirects_plain_http_except_the_health_check(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/en/methodology/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/en/methodology/"
    assert client.get("/healthz").status_code == 200
    secure = client.get("/en/methodology/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_behind_a_proxy_its_x_forwarded_proto_makes_a_request_secure(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/en/methodology/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/en/methodology/", HTTP_X_FORWARDED_PROTO="http").status_code == 301


# --- 2. Headers ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/api/v1/claims/", "/admin/login/", "/api/docs/", "/api/schema/"])
def test_every_kind_of_answer_carries_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


class InlineCode(HTMLParser):
    """Collects what a 'self'-only policy would block: inline scripts and styles, style and on* attributes."""

    DATA = {"application/ld+json", "application/json"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not named.get("src") and named.get("type") not in self.DATA:
            self.found.append(f"inline <script {attrs}>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def demo(db: None) -> None:
    role_group("Researcher")
    call_command("load_demo", stdout=StringIO())


def public_pages(claim: Claim) -> list[str]:
    appearance = claim.appearances.select_related("source__outlet").first()
    assert appearance is not None and appearance.source.outlet is not None and claim.claimant is not None
    pages = ["/en/", "/en/claims/", "/en/claims/?q=Haftar", "/en/methodology/", "/en/corrections/"]
    pages += ["/en/corrections-policy/", "/en/submit/", "/en/complaint/", "/en/nowhere/"]
    return [
        *pages,
        claim.get_absolute_url(),
        claim.claimant.get_absolute_url(),
        appearance.source.get_absolute_url(),
        appearance.source.outlet.get_absolute_url(),
    ]


def test_no_page_the_public_or_the_newsroom_sees_has_inline_code(demo: None, client: Client) -> None:
    claim = Claim.objects.public().filter(appearances__source__outlet__isnull=False, claimant__isnull=False)[0]
    assert '<script type="application/ld+json">' in client.get(claim.get_absolute_url()).content.decode()
    newsroom = [
        "/admin/",
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_claim_change", args=[claim.pk]),
    ]
    newsroom += [reverse("admin:claims_importrun_add"), reverse("admin:claims_claimtip_changelist")]
    for path in [*public_pages(claim), "/admin/login/", "/api/docs/", "login", *newsroom]:
        if path == "login":
            client.force_login(role_group("Editor").user_set.get(username="editor"))
            continue
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert inline_code(response.content.decode()) == [], path


@pytest.mark.django_db
def test_the_api_docs_start_swagger_ui_from_a_script_file_of_their_own(client: Client) -> None:
    page = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/schema/"' in script.content.decode()


# --- 3. Password guessing in the admin -----------------------------------------------------------------------


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1") -> Any:
    data = {"username": username, "password": password}
    return client.post("/admin/login/", data, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.usefixtures("frozen_rate_clock")
def test_after_five_failed_logins_the_right_password_is_refused_too_with_a_429(client: Client, editor: Any) -> None:
    for _ in range(5):
        response = log_in(client, editor.username, "wrong guess")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    refused = log_in(client, editor.username, PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed logins. Wait" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session
    # The username counts whatever its case; the refusal is the address's with this username.
    assert log_in(client, editor.username.upper(), PASSWORD).status_code == 429


@pytest.mark.usefixtures("frozen_rate_clock")
def test_a_guesser_elsewhere_cannot_lock_an_editor_out(client: Client, editor: Any, other_editor: Any) -> None:
    for _ in range(6):
        log_in(client, editor.username, "wrong guess", address=OTHER_ADDRESS)
    assert log_in(client, editor.username, "wrong guess", address=OTHER_ADDRESS).status_code == 429

    assert log_in(Client(), other_editor.username, PASSWORD, address=OTHER_ADDRESS).status_code == 302
    assert log_in(client, editor.username, PASSWORD).status_code == 302


def test_the_refusal_ends_with_its_window(client: Client, editor: Any, frozen_rate_clock: SimpleNamespace) -> None:
    for _ in range(5):
        log_in(client, editor.username, "wrong guess")
    refused = log_in(client, editor.username, PASSWORD)
    assert refused.status_code == 429

    frozen_rate_clock.now += int(refused["Retry-After"]) + 1
    assert log_in(client, editor.username, PASSWORD).status_code == 302


@pytest.mark.usefixtures("frozen_rate_clock")
def test_one_address_trying_many_usernames_is_refused_after_thirty_failures(client: Client, editor: Any) -> None:
    for number in range(30):
        assert log_in(client, f"guess{number}", "wrong guess").status_code == 200
    assert log_in(client, editor.username, PASSWORD).status_code == 429
    assert log_in(Client(), editor.username, PASSWORD, address=OTHER_ADDRESS).status_code == 302


@pytest.mark.usefixtures("frozen_rate_clock")
def test_a_good_login_is_not_counted(client: Client, editor: Any) -> None:
    for _ in range(8):
        assert log_in(Client(), editor.username, PASSWORD).status_code == 302


# --- 4. Token guessing in the API ----------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_rate_clock")
def test_an_address_sending_invalid_tokens_is_throttled_with_the_api_s_json_error(
    settings: Any, researcher: Any
) -> None:
    settings.API_INVALID_TOKEN_RATE = "3/h"
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    for _ in range(3):
        response = guesser.get("/api/v1/claims/")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"

    response = guesser.get("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == 429 and error["code"] == "throttled"
    assert error["message"].startswith("Too many requests with an invalid token.")
    assert int(response["Retry-After"]) > 0

    # A valid token from that address waits too (else the guessing simply goes on); elsewhere it works,
    # and so does reading without a token.
    key = Token.objects.create(user=researcher).key
    with_key = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert APIClient().get("/api/v1/claims/", **with_key).status_code == 429
    assert APIClient().get("/api/v1/claims/", **with_key, REMOTE_ADDR=OTHER_ADDRESS).status_code == 200
    assert APIClient().get("/api/v1/claims/").status_code == 200


@pytest.mark.usefixtures("frozen_rate_clock")
def test_valid_tokens_are_never_counted(settings: Any, researcher: Any) -> None:
    settings.API_INVALID_TOKEN_RATE = "2/h"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=researcher).key}")
    for _ in range(4):
        assert client.get("/api/v1/claims/").status_code == 200


# --- 5. The public forms' and search's limits are per address -------------------------------------------------

TIP = {"text": "Haftar đã ra lệnh tấn công Tripoli", "where_seen": "https://news.example/a"}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_rate_clock")
def test_a_public_form_s_limit_is_per_address(client: Client, settings: Any) -> None:
    settings.PUBLIC_FORM_RATE = "1/h"
    assert client.post("/en/submit/", TIP).status_code == 302
    assert client.post("/en/submit/", TIP).status_code == 429
    assert client.post("/en/submit/", TIP, REMOTE_ADDR=OTHER_ADDRESS).status_code == 302
    assert ClaimTip.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_rate_clock")
def test_behind_a_proxy_the_limits_count_the_address_its_header_names(client: Client, settings: Any) -> None:
    settings.PUBLIC_SEARCH_RATE = "1/m"
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    assert client.get("/en/claims/?q=Haftar", HTTP_X_REAL_IP="198.51.100.1").status_code == 200
    assert client.get("/en/claims/?q=Haftar", HTTP_X_REAL_IP="198.51.100.1").status_code == 429
    assert client.get("/en/claims/?q=Haftar", HTTP_X_REAL_IP="198.51.100.2").status_code == 200


# --- 6. Size limits ------------------------------------------------------------------------------------------


def test_the_size_limits_are_set_on_purpose(settings: Any) -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 5


@pytest.mark.django_db
def test_a_public_form_too_big_or_with_too_many_fields_is_a_400_not_a_500() -> None:
    client = Client(raise_request_exception=False)
    assert client.post("/en/submit/", {**TIP, "text": "a" * 2_700_000}).status_code == 400
    assert client.post("/en/submit/", {**TIP, **{f"f{n}": "x" for n in range(1001)}}).status_code == 400
    assert not ClaimTip.objects.exists()


def test_an_uploaded_feed_over_the_limit_is_a_form_error(admin_client: Client, editor: Any) -> None:
    admin_client.force_login(editor)
    feed = SimpleUploadedFile("feed.json", b"[" + b" " * 2_700_000 + b"]")
    response = admin_client.post(reverse("admin:claims_importrun_add"), {"upload": feed}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "at most 2.5\xa0MB can be uploaded" in response.content.decode()
    assert not ImportRun.objects.exists()
