"""Fetching a source's web page: one safe HTTP GET, its article text, title, language and hash.

``fetch(url)`` returns a ``FetchResult`` or raises ``FetchBlocked`` (the address is not on the public
internet) or ``FetchFailed`` (everything else; ``transient`` says whether trying later may help,
``gone`` marks a 404/410). Reasons are translatable sentences for the newsroom, not stack traces.
``fetch_document(url, content_types)`` is the same guarded GET for a document that is data, not an
article (a ClaimReview feed): it returns the decoded text as sent, with the final address and type.

Server-side request forgery is refused where it matters, at connect time: the HTTP client's network
backend resolves the host itself, vets every address it gets (``is_public_address``) and connects to
a vetted address, for every connection, including each redirect hop, which we follow ourselves. So
DNS rebinding (a name that resolves to a public address when checked and a private one when used) has
no window, and numeric spellings of addresses (``http://2130706433/``) are vetted after the resolver
has read them. TLS still verifies the certificate against the host name, not the address. No proxy is
used, whatever the environment says: a proxy would resolve names for us. Names in
``FETCH_ALLOWED_HOSTS`` may resolve to private addresses; an IP literal never counts as a name.

Limits (settings, read at each call): connect and read timeouts, and an overall budget of
``connect + 4 × read`` seconds so a server dripping a byte per read timeout cannot hold a worker; a
body cap counted after HTTP decompression (a compressed chunk may overshoot it once, by at most what
one 64 KiB read inflates to, before we stop); a number of redirects; the content types we can read.
"""

from __future__ import annotations

import codecs
import dataclasses
import ipaddress
import logging
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import charset_normalizer
import httpcore
import httpx
import trafilatura
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from .models import hash_text

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

READABLE_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_PAGE_ACCEPT = "text/html, application/xhtml+xml, text/plain;q=0.9"
#: What a JSON document (a ClaimReview feed, JSON-LD, JSON Lines) may be served as.
JSON_CONTENT_TYPES = frozenset({"application/json", "application/ld+json", "application/x-ndjson", "text/plain"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
GONE_STATUSES = frozenset({404, 410})
RETRY_LATER_STATUSES = frozenset({408, 429})

# IPv6 prefixes that carry an IPv4 address a gateway will connect to (RFC 6052, RFC 8215).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

# Fewer letters than this and the detector guesses; below this confidence it is guessing too.
MIN_LETTERS_FOR_LANGUAGE = 20
MIN_LANGUAGE_CONFIDENCE = 0.5
LANGUAGE_SAMPLE_CHARS = 10_000  # the opening of an article tells its language; the whole is slow

# Where an HTML page may declare its encoding: <meta charset=…> or <meta http-equiv … content=…charset=…>.
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE)
_META_SNIFF_BYTES = 4096
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do pages written for them.
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"}


class FetchError(Exception):
    """A page could not be fetched. ``reason`` says why, in the reader's language (a lazy string)."""

    def __init__(self, reason: str | Promise, *args: Any) -> None:
        super().__init__(reason, *args)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


class FetchBlocked(FetchError):
    """Refused before any request was sent: the address is not on the public internet."""


class FetchFailed(FetchError):
    """The fetch failed. ``transient``: trying again later may work. ``gone``: the page was removed."""

    # Every argument is positional too, so the exception survives pickling (Celery retries).
    def __init__(self, reason: str | Promise, transient: bool, gone: bool = False, status: int | None = None) -> None:
        super().__init__(reason, transient, gone, status)
        self.transient = transient
        self.gone = gone
        self.status = status


@dataclass(frozen=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # the media type, without parameters
    title: str  # "" when the page names none (always for plain text)
    text: str  # the article's text: NFC, "\n" line endings, stripped
    language: str  # ISO 639-1 code from FETCH_LANGUAGES, or "" when the text is too short to tell
    sha256: str  # content_hash(text): what Source.content_hash becomes when this text is saved
    fetched_at: datetime  # timezone-aware (UTC)
    byte_count: int  # size of the body received, after HTTP decompression


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the text with line endings made "\\n" and surrounding whitespace stripped."""
    return hash_text(text.replace("\r\n", "\n").replace("\r", "\n").strip())


def is_public_address(ip: IPAddress) -> bool:
    """Whether an address is on the public internet, including any IPv4 address an IPv6 one carries."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64:
            # An IPv6-only network reaches IPv4 sites through these (DNS64): judge the site's address.
            return is_public_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip in _NAT64_LOCAL or ip.is_site_local:
            return False
        embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        if any(inner is not None and not is_public_address(inner) for inner in embedded):
            return False
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def fetch(url: str) -> FetchResult:
    """GET a web page and extract its article text, following at most FETCH_MAX_REDIRECTS redirects."""
    response, content_type, body = _get(url, READABLE_CONTENT_TYPES, _PAGE_ACCEPT)
    return _result(url, response, content_type, body)


def fetch_document(url: str, content_types: frozenset[str], max_bytes: int | None = None) -> tuple[str, str, str]:
    """GET a document of one of ``content_types`` (JSON, say) through the same guard, limits and
    redirects as ``fetch``; return ``(final_url, content_type, text)``, the text decoded but otherwise
    as sent. ``max_bytes`` replaces FETCH_MAX_BYTES (a data feed may be larger than any article)."""
    accept = ", ".join(sorted(content_types))
    response, content_type, body = _get(url, content_types, accept, max_bytes)
    return str(response.url), content_type, _decode(body, response.charset_encoding, sniff_html=False)


def _get(
    url: str, content_types: frozenset[str], accept: str, max_bytes: int | None = None
) -> tuple[httpx.Response, str, bytes]:
    """The guarded GET both fetchers share: hop by hop through redirects, status and type checked, the
    body read under the size cap and the overall time budget. Returns the final (closed) response."""
    limits = _Limits.from_settings()
    if max_bytes is not None:
        limits = dataclasses.replace(limits, max_bytes=max_bytes)
    deadline = time.monotonic() + limits.budget
    target = _parse_url(url)
    try:
        with _client(limits, accept) as client:
            for _hop in range(limits.max_redirects + 1):
                _check_deadline(deadline)
                response = client.send(client.build_request("GET", target), stream=True)
                try:
                    if response.status_code in REDIRECT_STATUSES:
                        target = _redirect_target(response)
                        continue
                    _check_status(response.status_code)
                    content_type = _readable_content_type(response, content_types)
                    body = _read_body(response, limits.max_bytes, deadline)
                finally:
                    response.close()
                return response, content_type, body
    except httpx.TimeoutException as exc:
        raise FetchFailed(_("The site did not answer in time."), transient=True) from exc
    except httpx.DecodingError as exc:
        raise FetchFailed(_("The site sent a compressed body that could not be unpacked."), transient=False) from exc
    except httpx.RequestError as exc:
        logger.info("fetching %s failed: %r", url, exc)
        raise FetchFailed(_("The site could not be reached."), transient=True) from exc
    raise FetchFailed(
        format_lazy(_("The page redirects more than {limit} times."), limit=limits.max_redirects), transient=False
    )


def detect_language(text: str) -> str:
    """The language of a text among FETCH_LANGUAGES (ISO 639-1), or "" when it is too short to tell."""
    return _detector.detect(text, settings.FETCH_LANGUAGES)


# --- The connection guard ---------------------------------------------------------------------------


class _PublicOnlyBackend(httpcore.SyncBackend):
    """Connects only to public addresses (or to the allowed hosts), resolving each host itself."""

    def __init__(self, allowed_hosts: Iterable[str]) -> None:
        self._allowed_hosts = frozenset(host.lower().rstrip(".") for host in allowed_hosts)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        if not self._is_allowed_name(host):
            refused = [address for address in addresses if not is_public_address(address)]
            if refused:
                logger.warning("refused to fetch from %s: it resolves to %s", host, ", ".join(map(str, refused)))
                raise FetchBlocked(
                    format_lazy(
                        _("{host} is not on the public internet (it leads to {address}): fetching from it is refused."),
                        host=host,
                        address=refused[0],
                    )
                )
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                # A numeric host: the socket connects to this very address, no second lookup.
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    def _is_allowed_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self._allowed_hosts and not _is_numeric_host(host)


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address")
    return addresses


def _is_numeric_host(host: str) -> bool:
    # What the resolver reads as an address (also "2130706433" or "127.1") is not a name.
    try:
        socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        return False
    return True


class _PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that connects through ``_PublicOnlyBackend``."""

    def __init__(self, allowed_hosts: Iterable[str]) -> None:
        # httpx 0.28's HTTPTransport takes no network backend, and all it does goes through its
        # `_pool`; so we build that pool ourselves instead of calling its __init__. No proxy, by design.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_PublicOnlyBackend(allowed_hosts),
        )


@dataclass(frozen=True)
class _Limits:
    allowed_hosts: tuple[str, ...]
    connect_timeout: float
    read_timeout: float
    max_bytes: int
    max_redirects: int
    user_agent: str

    @classmethod
    def from_settings(cls) -> _Limits:
        return cls(
            allowed_hosts=tuple(settings.FETCH_ALLOWED_HOSTS),
            connect_timeout=float(settings.FETCH_CONNECT_TIMEOUT),
            read_timeout=float(settings.FETCH_READ_TIMEOUT),
            max_bytes=int(settings.FETCH_MAX_BYTES),
            max_redirects=int(settings.FETCH_MAX_REDIRECTS),
            user_agent=settings.FETCH_USER_AGENT,
        )

    @property
    def budget(self) -> float:
        return self.connect_timeout + 4 * self.read_timeout


def _client(limits: _Limits, accept: str) -> httpx.Client:
    return httpx.Client(
        transport=_PublicOnlyTransport(limits.allowed_hosts),
        follow_redirects=False,  # each hop goes through _parse_url and the guard again
        trust_env=False,  # no proxy or .netrc from the environment
        timeout=httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout, pool=limits.connect_timeout),
        headers={
            "User-Agent": limits.user_agent,
            "Accept": accept,
        },
    )


# --- The steps of a fetch ---------------------------------------------------------------------------


def _parse_url(url: str | httpx.URL) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchFailed(format_lazy(_("“{url}” is not a web address."), url=url), transient=False) from exc
    if parsed.scheme not in {"http", "https"}:
        raise FetchFailed(_("Only http:// and https:// addresses can be fetched."), transient=False)
    if not parsed.host:
        raise FetchFailed(format_lazy(_("“{url}” is not a web address."), url=url), transient=False)
    return parsed


def _redirect_target(response: httpx.Response) -> httpx.URL:
    location = response.headers.get("Location", "").strip()
    if not location:
        raise FetchFailed(
            _("The site redirected without saying where to."), transient=False, status=response.status_code
        )
    try:
        target = response.url.join(location)
    except httpx.InvalidURL as exc:
        raise FetchFailed(
            format_lazy(_("The site redirected to “{url}”, which is not a web address."), url=location),
            transient=False,
        ) from exc
    return _parse_url(target)


def _check_status(status: int) -> None:
    if 200 <= status < 300:
        return
    if status in GONE_STATUSES:
        raise FetchFailed(
            format_lazy(_("The page is gone (HTTP {status})."), status=status),
            transient=False,
            gone=True,
            status=status,
        )
    if status >= 500 or status in RETRY_LATER_STATUSES:
        raise FetchFailed(
            format_lazy(_("The site cannot serve the page for now (HTTP {status})."), status=status),
            transient=True,
            status=status,
        )
    raise FetchFailed(
        format_lazy(_("The site refused the page (HTTP {status})."), status=status), transient=False, status=status
    )


def _readable_content_type(response: httpx.Response, content_types: frozenset[str]) -> str:
    media_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type not in content_types:
        found = media_type or _("an undeclared type")
        if content_types == READABLE_CONTENT_TYPES:
            reason = format_lazy(
                _("The address holds “{content_type}”, not a web page or plain text."), content_type=found
            )
        else:
            reason = format_lazy(
                _("The address holds “{content_type}”, not what was expected ({expected})."),
                content_type=found,
                expected=", ".join(sorted(content_types)),
            )
        raise FetchFailed(reason, transient=False, status=response.status_code)
    return media_type


def _read_body(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    too_large = FetchFailed(
        format_lazy(_("The page is larger than {limit} bytes."), limit=max_bytes),
        transient=False,
        status=response.status_code,
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        _check_deadline(deadline)
        chunks.append(chunk)
    return b"".join(chunks)


def _check_deadline(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise FetchFailed(_("The site did not answer in time."), transient=True)


def _result(url: str, response: httpx.Response, content_type: str, body: bytes) -> FetchResult:
    markup = _decode(body, response.charset_encoding, sniff_html=content_type != "text/plain")
    title = ""
    if content_type == "text/plain":
        text = markup
    else:
        document = trafilatura.bare_extraction(
            markup, url=str(response.url), with_metadata=True, include_comments=False
        )
        text = getattr(document, "text", None) or ""
        title = " ".join((getattr(document, "title", None) or "").split())
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise FetchFailed(_("No article text was found on the page."), transient=False, status=response.status_code)
    return FetchResult(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        content_type=content_type,
        title=unicodedata.normalize("NFC", title),
        text=text,
        language=detect_language(text),
        sha256=content_hash(text),
        fetched_at=datetime.now(UTC),
        byte_count=len(body),
    )


def _decode(body: bytes, declared: str | None, *, sniff_html: bool) -> str:
    """Bytes to text: byte-order mark, then the declared charset (header, then <meta>), then UTF-8,
    then a guess. A declared charset Python does not know is passed over, not trusted."""
    for bom, bom_encoding in _BYTE_ORDER_MARKS:
        if body.startswith(bom):
            return body.decode(bom_encoding, errors="replace")
    labels = [declared]
    if sniff_html:
        match = _META_CHARSET.search(body[:_META_SNIFF_BYTES])
        labels.append(match.group(1).decode("ascii") if match else None)
    for label in labels:
        encoding = _known_encoding(label)
        if encoding:
            return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = body if len(body) <= 200_000 else body[:100_000] + body[-100_000:]
    guess = charset_normalizer.from_bytes(sample).best()
    encoding = _known_encoding(guess.encoding if guess else None) or "utf-8"
    return body.decode(encoding, errors="replace")


def _known_encoding(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _LATIN1_LABELS:
        label = "windows-1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


# --- Language ---------------------------------------------------------------------------------------


class _LanguageDetector:
    """py3langid's identifier, loaded on first use (half a second), restricted to the languages asked.

    One identifier serves the process; restricting it changes its state, so a lock serialises use.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._identifier: Any = None
        self._languages: tuple[str, ...] | None = None

    def detect(self, text: str, languages: Iterable[str]) -> str:
        sample = text[:LANGUAGE_SAMPLE_CHARS]
        if sum(character.isalpha() for character in sample) < MIN_LETTERS_FOR_LANGUAGE:
            return ""
        wanted = tuple(sorted({code.strip().lower() for code in languages if code.strip()}))
        with self._lock:
            identifier = self._load()
            if wanted != self._languages:
                try:
                    identifier.set_languages(list(wanted) or None)
                except ValueError as exc:
                    raise ImproperlyConfigured(f"FETCH_LANGUAGES: {exc}") from None
                self._languages = wanted
            language, confidence = identifier.classify(sample)
        return language if confidence >= MIN_LANGUAGE_CONFIDENCE else ""

    def _load(self) -> Any:
        if self._identifier is None:
            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return self._identifier


_detector = _LanguageDetector()
