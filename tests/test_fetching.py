"""Fetching a source's page: the article text comes out whole and right, and nothing private is reached.

A real HTTP server in a thread serves the seed articles as news pages (with a menu and a footer to
leave out) and the awkward cases: redirects, errors, a huge body, an image, a slow and a dripping
server. Only one thing is faked: the name ``internal.example`` resolves to a private address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import pickle
import socket
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from datetime import timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sources.fetching import (
    FetchBlocked,
    FetchFailed,
    FetchResult,
    content_hash,
    detect_language,
    fetch,
    is_public_address,
)
from sources.models import hash_text

from .factories import SEED_A1, SEED_A2

HEADLINE_A1 = "Nga và EU kêu gọi ngừng bắn ở Libya"
HEADLINE_A2 = "Tướng Haftar tiến quân vào Tripoli"
MENU = "Trang chủ | Thế giới | Kinh tế | Thể thao"
FOOTER = "Giấy phép hoạt động báo chí số 999/GP-BTTTT. Liên hệ quảng cáo: quangcao@bao-mau.example"

HEADLINE_EN = "Harbour city votes to rebuild its flooded seawall"
ARTICLE_EN = """\
The city council voted on Tuesday to rebuild the seawall that failed during last winter's storms, \
after months of argument over who should pay for the work and how high the new wall should stand.
Engineers told the council that the old wall, built of stone more than a century ago, had been \
undermined by the sea in several places and could not be repaired in a way that would last.
The new wall will be two metres higher than the old one. Residents of the lower town, whose homes \
were flooded twice in one month, said they were relieved but would believe it when they saw it.
Work is expected to begin in the spring and to take about three years, the mayor said, adding that \
the harbour would stay open to fishing boats for the whole of that time."""

# Vietnamese tone marks, which windows-1258 writes as combining characters after the letter.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def news_page(headline: str, text: str, charset: str | None = "utf-8", lang: str = "vi") -> str:
    paragraphs = "\n".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
    meta = f'<meta charset="{charset}">' if charset else ""
    menu = " | ".join(f'<a href="/{n}">{escape(item)}</a>' for n, item in enumerate(MENU.split(" | ")))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta}<title>{escape(headline)} | Báo Mẫu</title></head>
<body>
<header><nav>{menu}</nav></header>
<main><article><h1>{escape(headline)}</h1>
{paragraphs}
</article></main>
<footer><p>{escape(FOOTER)}</p></footer>
</body></html>"""


def windows_1258(text: str) -> bytes:
    """Encode as windows-1258 does: shaped letters (ê, ơ, ư…) whole, tone marks combining after them."""
    out = []
    for character in unicodedata.normalize("NFC", text):
        try:
            out.append(character.encode("cp1258"))
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", character)
            tones = "".join(mark for mark in decomposed if mark in TONE_MARKS)
            letter = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in TONE_MARKS))
            out.append((letter + tones).encode("cp1258"))
    return b"".join(out)


def lines_of(text: str) -> list[str]:
    return [unicodedata.normalize("NFC", line.strip()) for line in text.splitlines() if line.strip()]


PAGE_A1 = news_page(HEADLINE_A1, SEED_A1).encode("utf-8")
# A page whose text a script would write: there is none to extract.
APP_SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Báo Mẫu</title></head>
<body><div id="app"></div><script src="/app.js"></script></body></html>""".encode()


# --- The local site ---------------------------------------------------------------------------------


class Site:
    """What the local server saw: every request's path and User-Agent."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.port = 0
        self.ipv6_port: int | None = None

    def url(self, path: str, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}{path}"


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer

    def do_GET(self) -> None:
        site = self.server.site
        site.requests.append(self.path)
        site.user_agents.append(self.headers.get("User-Agent", ""))
        route = ROUTES.get(self.path)
        try:
            if route is None:
                self.reply(404, "text/html; charset=utf-8", "<html><body><p>Không tìm thấy</p></body></html>".encode())
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should have

    def reply(self, status: int, content_type: str, body: bytes, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _redirect_chain(handler: SiteHandler) -> None:
    hops = int(handler.path.rsplit("/", 1)[1])
    handler.redirect(f"/redirect/{hops - 1}" if hops > 1 else "/article/vi-1")


def _huge(handler: SiteHandler) -> None:
    # No Content-Length: only counting the body as it comes can stop it.
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()
    handler.wfile.write(b"<html><body>")
    for _ in range(100):
        handler.wfile.write(b"<p>" + b"x" * 16_000 + b"</p>")


def _slow(handler: SiteHandler) -> None:
    time.sleep(1.0)
    handler.reply(200, "text/html; charset=utf-8", PAGE_A1)


def _drip(handler: SiteHandler) -> None:
    # One byte well within each read timeout, forever: only an overall budget ends it.
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()
    for _ in range(100):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.05)


ROUTES: dict[str, Callable[[SiteHandler], None]] = {
    "/article/vi-1": lambda h: h.reply(200, "text/html; charset=utf-8", PAGE_A1),
    # The charset only in <meta>, as many Vietnamese sites send it.
    "/article/vi-2": lambda h: h.reply(200, "text/html", news_page(HEADLINE_A2, SEED_A2).encode("utf-8")),
    "/article/vi-1258-meta": lambda h: h.reply(
        200, "text/html", windows_1258(news_page(HEADLINE_A1, SEED_A1, charset="windows-1258"))
    ),
    "/article/vi-1258-header": lambda h: h.reply(
        200, "text/html; charset=windows-1258", windows_1258(news_page(HEADLINE_A1, SEED_A1, charset=None))
    ),
    "/article/en": lambda h: h.reply(
        200, "application/xhtml+xml; charset=utf-8", news_page(HEADLINE_EN, ARTICLE_EN, lang="en").encode()
    ),
    "/plain": lambda h: h.reply(200, "text/plain; charset=utf-8", SEED_A2.replace("\n", "\r\n").encode("utf-8")),
    "/app-shell": lambda h: h.reply(200, "text/html; charset=utf-8", APP_SHELL),
    "/redirect/1": _redirect_chain,
    "/redirect/2": _redirect_chain,
    "/redirect/3": _redirect_chain,
    "/loop": lambda h: h.redirect("/loop"),
    "/to-loopback": lambda h: h.redirect(f"http://127.0.0.1:{h.server.server_port}/article/vi-1"),
    "/to-internal": lambda h: h.redirect(f"http://internal.example:{h.server.server_port}/article/vi-1"),
    "/to-ftp": lambda h: h.redirect("ftp://localhost/article.txt"),
    "/removed": lambda h: h.reply(410, "text/html; charset=utf-8", b"<html><body><p>Gone</p></body></html>"),
    "/forbidden": lambda h: h.reply(403, "text/html; charset=utf-8", b"<html><body><p>No</p></body></html>"),
    "/broken": lambda h: h.reply(500, "text/html; charset=utf-8", b"<html><body><p>Oops</p></body></html>"),
    "/unavailable": lambda h: h.reply(503, "text/html; charset=utf-8", b"<html><body><p>Later</p></body></html>"),
    "/busy": lambda h: h.reply(429, "text/plain", b"slow down"),
    "/huge": _huge,
    "/huge-declared": lambda h: h.reply(200, "text/html; charset=utf-8", b"<html>", length=10_000_000),
    "/image": lambda h: h.reply(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
    "/slow": _slow,
    "/drip": _drip,
}


class SiteServer(ThreadingHTTPServer):
    site: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-body is part of the tests


class SiteServerIPv6(SiteServer):
    address_family = socket.AF_INET6


def _serve(server_class: type[SiteServer], host: str, site: Site) -> SiteServer:
    server = server_class((host, 0), SiteHandler)
    server.site = site
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def _servers() -> Iterator[Site]:
    site = Site()
    servers = [_serve(SiteServer, "127.0.0.1", site)]
    site.port = servers[0].server_port
    try:
        servers.append(_serve(SiteServerIPv6, "::1", site))
        site.ipv6_port = servers[-1].server_port
    except OSError:
        pass  # no IPv6 loopback here; the one test that needs it says so
    yield site
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(_servers: Site) -> Site:
    _servers.requests.clear()
    _servers.user_agents.clear()
    return _servers


@pytest.fixture(autouse=True)
def _fetch_settings(settings: Any) -> None:
    settings.FETCH_ALLOWED_HOSTS = ["localhost"]
    settings.FETCH_CONNECT_TIMEOUT = 2
    settings.FETCH_READ_TIMEOUT = 2
    settings.FETCH_MAX_BYTES = 1_000_000
    settings.FETCH_MAX_REDIRECTS = 5
    settings.FETCH_USER_AGENT = "factcheck-claim-database/test (+http://newsroom.example)"


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address a socket was opened to (the real call still happens)."""
    opened: list[tuple[str, int]] = []
    create_connection = socket.create_connection

    def recording(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address)
        return create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording)
    return opened


@pytest.fixture
def internal_name(monkeypatch: pytest.MonkeyPatch) -> str:
    """``internal.example`` resolves to 10.1.2.3, as an intranet name would (the one fake)."""
    getaddrinfo = socket.getaddrinfo

    def resolving(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "internal.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port or 0))]
        return getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    return "internal.example"


# --- Pages that come out right ----------------------------------------------------------------------


def test_vietnamese_article_comes_out_whole_with_title_language_and_hash(site: Site) -> None:
    result = fetch(site.url("/article/vi-1"))

    assert isinstance(result, FetchResult)
    assert (result.url, result.final_url) == (site.url("/article/vi-1"), site.url("/article/vi-1"))
    assert (result.status, result.content_type) == (200, "text/html")
    assert result.title == HEADLINE_A1
    for line in lines_of(SEED_A1):
        assert line in result.text
    assert "Người phát ngôn Điện Kremlin Dmitry Peskov cho biết Moskva kêu gọi" in result.text
    assert result.language == "vi"
    assert result.sha256 == hashlib.sha256(result.text.encode("utf-8")).hexdigest()
    assert result.sha256 == content_hash(result.text) == hash_text(result.text)
    assert result.byte_count == len(PAGE_A1)
    assert result.fetched_at.utcoffset() == timedelta(0)


def test_menu_and_footer_are_left_out_of_the_text(site: Site) -> None:
    text = fetch(site.url("/article/vi-1")).text

    assert "Trang chủ" not in text
    assert "Thể thao" not in text
    assert "Giấy phép hoạt động báo chí" not in text
    assert "Báo Mẫu" not in text


def test_charset_declared_only_in_the_page_is_honoured(site: Site) -> None:
    result = fetch(site.url("/article/vi-2"))

    assert result.title == HEADLINE_A2
    assert all(line in result.text for line in lines_of(SEED_A2))
    assert result.language == "vi"


@pytest.mark.parametrize("path", ["/article/vi-1258-meta", "/article/vi-1258-header"])
def test_windows_1258_page_gives_the_same_vietnamese_as_utf_8(site: Site, path: str) -> None:
    result = fetch(site.url(path))

    assert result.title == HEADLINE_A1
    assert result.text == fetch(site.url("/article/vi-1")).text
    assert result.language == "vi"


def test_plain_text_is_the_body_itself_with_line_endings_normalised(site: Site) -> None:
    result = fetch(site.url("/plain"))

    assert result.content_type == "text/plain"
    assert result.text == unicodedata.normalize("NFC", SEED_A2).strip()
    assert "\r" not in result.text
    assert result.title == ""
    assert result.language == "vi"
    assert result.sha256 == hash_text(result.text)


def test_english_page_is_detected_as_english(site: Site) -> None:
    result = fetch(site.url("/article/en"))

    assert result.content_type == "application/xhtml+xml"
    assert result.title == HEADLINE_EN
    assert "The new wall will be two metres higher than the old one." in result.text
    assert result.language == "en"


def test_requests_name_the_product_in_the_user_agent(site: Site, settings: Any) -> None:
    fetch(site.url("/article/vi-1"))

    assert site.user_agents == [settings.FETCH_USER_AGENT]


def test_redirects_are_followed_hop_by_hop(site: Site) -> None:
    result = fetch(site.url("/redirect/3"))

    assert result.url == site.url("/redirect/3")
    assert result.final_url == site.url("/article/vi-1")
    assert site.requests == ["/redirect/3", "/redirect/2", "/redirect/1", "/article/vi-1"]
    assert result.title == HEADLINE_A1


def test_exactly_the_allowed_number_of_redirects_is_followed(site: Site, settings: Any) -> None:
    settings.FETCH_MAX_REDIRECTS = 3
    assert fetch(site.url("/redirect/3")).final_url == site.url("/article/vi-1")

    settings.FETCH_MAX_REDIRECTS = 2
    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/redirect/3"))
    assert failure.value.transient is False


def test_redirect_loop_fails_for_good_after_the_allowed_hops(site: Site, settings: Any) -> None:
    settings.FETCH_MAX_REDIRECTS = 4

    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/loop"))

    assert failure.value.transient is False
    assert "redirects more than 4 times" in str(failure.value)
    assert site.requests == ["/loop"] * 5


# --- Failures: for good, or worth another try --------------------------------------------------------


@pytest.mark.parametrize(("path", "status"), [("/nowhere", 404), ("/removed", 410)])
def test_missing_page_is_gone_for_good(site: Site, path: str, status: int) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch(site.url(path))

    assert (failure.value.gone, failure.value.transient, failure.value.status) == (True, False, status)


def test_forbidden_page_fails_for_good_but_is_not_gone(site: Site) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/forbidden"))

    assert (failure.value.gone, failure.value.transient, failure.value.status) == (False, False, 403)


@pytest.mark.parametrize(("path", "status"), [("/broken", 500), ("/unavailable", 503), ("/busy", 429)])
def test_server_errors_and_rate_limits_are_worth_retrying(site: Site, path: str, status: int) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch(site.url(path))

    assert (failure.value.gone, failure.value.transient, failure.value.status) == (False, True, status)


def test_body_over_the_cap_is_refused_while_streaming(site: Site, settings: Any) -> None:
    settings.FETCH_MAX_BYTES = 100_000

    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/huge"))

    assert failure.value.transient is False
    assert "larger than 100000 bytes" in str(failure.value)


def test_body_declared_over_the_cap_is_refused_before_reading(site: Site, settings: Any) -> None:
    settings.FETCH_MAX_BYTES = 100_000

    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/huge-declared"))

    assert failure.value.transient is False


def test_image_is_refused_as_the_wrong_content_type(site: Site) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/image"))

    assert failure.value.transient is False
    assert "image/png" in str(failure.value)


def test_page_without_article_text_fails_for_good(site: Site) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/app-shell"))

    assert failure.value.transient is False
    assert "No article text" in str(failure.value)


def test_server_slower_than_the_read_timeout_is_worth_retrying(site: Site, settings: Any) -> None:
    settings.FETCH_READ_TIMEOUT = 0.3
    started = time.monotonic()

    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/slow"))

    assert failure.value.transient is True
    assert time.monotonic() - started < 0.9


def test_server_dripping_bytes_is_cut_off_by_the_overall_budget(site: Site, settings: Any) -> None:
    settings.FETCH_CONNECT_TIMEOUT = 0.2
    settings.FETCH_READ_TIMEOUT = 0.2  # budget: 0.2 + 4 × 0.2 = 1 s; the drip would last 5 s
    started = time.monotonic()

    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/drip"))

    assert failure.value.transient is True
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("url", ["ftp://localhost/article.txt", "javascript:alert(1)", "file:///etc/passwd", "http://"])
def test_only_http_and_https_addresses_are_fetched(url: str, connections: list[tuple[str, int]]) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch(url)

    assert failure.value.transient is False
    assert connections == []


def test_redirect_to_another_scheme_fails_for_good(site: Site) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch(site.url("/to-ftp"))

    assert failure.value.transient is False
    assert site.requests == ["/to-ftp"]


def test_failure_survives_pickling_for_the_task_queue() -> None:
    failure = FetchFailed("The page is gone (HTTP 410).", transient=False, gone=True, status=410)

    copy = pickle.loads(pickle.dumps(failure))  # noqa: S301 - our own bytes

    assert (str(copy), copy.transient, copy.gone, copy.status) == (str(failure), False, True, 410)


# --- Nothing private is reached ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",  # loopback
        "127.1",  # the same, spelled short
        "2130706433",  # the same, as one number
        "0.0.0.0",  # noqa: S104 - unspecified: Linux connects it to this machine
        "[::ffff:127.0.0.1]",  # loopback, IPv4-mapped in IPv6
    ],
)
def test_loopback_in_any_spelling_is_blocked_before_any_request(
    site: Site, host: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(FetchBlocked):
        fetch(site.url("/article/vi-1", host=host))

    assert site.requests == []
    assert connections == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://192.168.1.1/admin",
        "http://172.16.0.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
    ],
)
def test_private_and_metadata_addresses_are_blocked_without_connecting(
    url: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(FetchBlocked) as blocked:
        fetch(url)

    assert connections == []
    assert "not on the public internet" in str(blocked.value)


def test_ipv6_loopback_is_blocked(site: Site, connections: list[tuple[str, int]]) -> None:
    if site.ipv6_port is None:
        pytest.skip("this machine has no IPv6 loopback (::1)")

    with pytest.raises(FetchBlocked):
        fetch(f"http://[::1]:{site.ipv6_port}/article/vi-1")

    assert site.requests == []
    assert connections == []


def test_localhost_is_blocked_unless_allowed_by_name(site: Site, settings: Any) -> None:
    settings.FETCH_ALLOWED_HOSTS = []

    with pytest.raises(FetchBlocked):
        fetch(site.url("/article/vi-1"))

    assert site.requests == []


def test_an_ip_literal_in_the_allowed_hosts_opens_nothing(site: Site, settings: Any) -> None:
    settings.FETCH_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

    with pytest.raises(FetchBlocked):
        fetch(site.url("/article/vi-1", host="127.0.0.1"))

    assert site.requests == []


def test_redirect_to_loopback_is_blocked_after_the_redirect(site: Site) -> None:
    with pytest.raises(FetchBlocked):
        fetch(site.url("/to-loopback"))

    assert site.requests == ["/to-loopback"]


def test_name_resolving_to_a_private_address_is_blocked_at_connect(
    internal_name: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(FetchBlocked) as blocked:
        fetch(f"http://{internal_name}/")

    assert "10.1.2.3" in str(blocked.value)
    assert connections == []


def test_redirect_to_a_name_resolving_to_a_private_address_is_blocked(
    site: Site, internal_name: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(FetchBlocked):
        fetch(site.url("/to-internal"))

    assert site.requests == ["/to-internal"]
    assert [address for address, _port in connections] == ["127.0.0.1"]


def test_allowed_hosts_are_matched_by_name_whatever_the_case_or_final_dot(site: Site, settings: Any) -> None:
    settings.FETCH_ALLOWED_HOSTS = ["LocalHost."]

    assert fetch(site.url("/article/vi-1")).title == HEADLINE_A1


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.31.255.255",
        "192.168.0.1",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fc00::1",
        "fe80::1",
        "fec0::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::",  # 6to4 of 10.0.0.1
    ],
)
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::808:808"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is True


# --- Language and hash ------------------------------------------------------------------------------


def test_text_too_short_has_no_language() -> None:
    assert detect_language("Hà Nội") == ""
    assert detect_language("12 345 — 2019") == ""


def test_languages_come_from_the_settings(settings: Any) -> None:
    sentence = "Le conseil municipal a voté mardi la reconstruction de la digue emportée par les tempêtes."
    assert detect_language(sentence) == "fr"

    settings.FETCH_LANGUAGES = ["vi", "en"]
    assert detect_language(sentence) in {"en", ""}


def test_content_hash_ignores_line_endings_and_surrounding_whitespace() -> None:
    expected = hashlib.sha256("Dòng một\nDòng hai".encode()).hexdigest()

    assert content_hash("  Dòng một\r\nDòng hai\r\n") == expected
    assert content_hash("Dòng một\rDòng hai") == expected
