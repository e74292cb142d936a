"""Importing other newsrooms' fact-checks: schema.org ClaimReview feeds, read onto draft claims.

One entry point, ``import_feed(data_or_text, user, run=None, progress=None)``, used by the
``import_claimreview`` command and, through ``run_import(run_id)``, by the task the admin queues.

Accepted shapes: a schema.org ``DataFeed`` (Google's fact-check markup feed: ``dataFeedElement`` of
``DataFeedItem``s whose ``item`` is a ClaimReview or a list of them, or of ClaimReviews directly, as our own
``/api/v1/claimreview/`` serves), a single ClaimReview, a JSON list of them, a JSON-LD ``@graph`` (its other
nodes are ignored) and JSON Lines (one ClaimReview per line).

The steps: parse (a feed that is not JSON is refused whole) → validate the items (a malformed one is
recorded in the problems, with its index, its url and why, and skipped; the batch goes on), of items
repeating a url only the last valid one kept (the earlier are reported as duplicates) → upsert in chunks of
``BATCH_SIZE``: per chunk one query finds the reviews already imported (by ``review_url``), new claims,
their search documents, audit rows and reviews are inserted in bulk, changed reviews updated in bulk, and
the reworded claims' search documents rewritten. The queries per chunk do not grow with its size, so a
large feed costs a few queries per thousand items. The items are validated chunk by chunk (``FeedItems``):
the next chunk's while the database writes the search documents of the one before (bench/README.md).

Idempotent: the review's url is its identity. Importing a feed again creates nothing; a review whose fields
changed is updated, and its claim's wording follows only while the claim is still a draft whose wording is
the one imported before (an editor's rewording is never overwritten). Imported claims are drafts by the
importing user: nothing reaches a public page before the newsroom's own workflow publishes it.

Ratings: the other newsroom's label is kept as written (``ExternalReview.original_label``) with its numbers;
``ExternalReview.rating`` is its reading on our scale through ``RatingMapping`` (labels compared by
``sources.folding.key``). A label no mapping knows is added unmapped for editors; mapping it in the admin
updates every review carrying it (``apply_mapping``). Numbers alone are never turned into a rating: scales
differ too much between newsrooms.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from sources.fetching import JSON_CONTENT_TYPES, FetchError, detect_language, fetch_document
from sources.folding import key
from sources.languages import normalize_language_tag
from sources.models import Actor, ActorAlias

from .bulk import insert_rows, insert_values, young_collections_only
from .models import (
    Claim,
    ClaimStatus,
    ExternalReview,
    ImportRun,
    ImportStatus,
    Rating,
    RatingClass,
    RatingLabel,
    RatingMapping,
    ReviewEvent,
)
from .search import index_claims, index_new_claims
from .workflow import Action

logger = logging.getLogger(__name__)

#: Items upserted per transaction: one lookup, a few bulk writes.
BATCH_SIZE = 1000
#: The largest feed fetched from a URL (a full DataFeed is bigger than any article).
MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_URL_LENGTH = 2048
MAX_CLAIM_LENGTH = 5000
MAX_LABEL_LENGTH = 200
MAX_PUBLISHER_LENGTH = 300
MAX_NAME_LENGTH = 200
#: Deeper than this, an item is not a ClaimReview but an attack on the recursion limit.
MAX_DEPTH = 64
#: Problems kept on an import run (the count stays exact): enough to fix a feed, not a copy of it.
MAX_STORED_PROBLEMS = 5000

#: ``progress(done, total)``: items dealt with so far, of all the feed's items.
Progress = Callable[[int, int], None]

_url_validator = URLValidator(schemes=["http", "https"])


class FeedError(Exception):
    """The feed as a whole cannot be imported (not JSON, nothing recognisable, unreachable).

    ``transient``: fetching it again later may work (the task retries).
    """

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message, transient)
        self.message = message
        self.transient = transient

    def __str__(self) -> str:
        return self.message


class Malformed(Exception):
    """One item cannot be imported; the message says why, for the newsroom."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass
class ImportResult:
    item_count: int = 0
    created_count: int = 0
    updated_count: int = 0
    unchanged_count: int = 0
    #: ``{"index", "url", "message", "kind"}`` per skipped item, in feed order; kind is "malformed" or
    #: "duplicate" (an earlier item with the url of a later one, which is imported instead).
    problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def skipped_count(self) -> int:
        return len(self.problems)


@dataclasses.dataclass(frozen=True)
class ReviewData:
    """One valid ClaimReview, read into the fields it fills."""

    index: int
    url: str
    text: str
    language: str
    claimant: str
    claimant_kind: str
    claim_date: dt.date | None
    publisher: str
    publisher_url: str
    headline: str
    label: str
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    reviewed_at: dt.datetime | None
    item: dict[str, Any]


# --- Parsing --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _UnreadableLine:
    """A line of a JSON Lines feed that is not JSON: an item to report, not a reason to stop."""

    number: int


def parse_feed(data: Any) -> list[Any]:
    """The items of a feed (text, bytes, or JSON already parsed), in order, not yet validated.

    Raises ``FeedError`` when the feed is not JSON (nor JSON Lines) or holds no ClaimReview at all.
    """
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FeedError(_("The feed is not UTF-8 text.")) from None
    items = _parse_text(data) if isinstance(data, str) else _items_of(data)
    if not any(_looks_like_review(item) for item in items):
        raise FeedError(
            _(
                "No ClaimReview was found. A feed is a schema.org DataFeed, one ClaimReview, a list or an "
                "@graph of ClaimReviews, or JSON Lines (one ClaimReview per line)."
            )
        )
    return items


def _parse_text(text: str) -> list[Any]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise FeedError(_("The feed is empty."))
    try:
        return _items_of(json.loads(text))
    except (ValueError, RecursionError):
        pass
    # JSON Lines: the first line must be a whole JSON object, or this is broken JSON, not JSON Lines.
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not isinstance(_loads_or_none(lines[0][1]), dict):
        raise FeedError(
            _("The feed is not JSON (nor JSON Lines): check that the file or address is a ClaimReview feed.")
        )
    items: list[Any] = []
    for number, line in lines:
        value = _loads_or_none(line)
        items.append(_UnreadableLine(number) if value is None else value)
    return items


def _loads_or_none(line: str) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _items_of(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for element in value for item in _unwrap(element)]
    if isinstance(value, dict):
        if _has_type(value, "DataFeed") or "dataFeedElement" in value:
            elements = value.get("dataFeedElement")
            if isinstance(elements, dict):
                elements = [elements]
            if not isinstance(elements, list):
                raise FeedError(_("The DataFeed has no list of elements (dataFeedElement)."))
            return [item for element in elements for item in _unwrap(element)]
        if "@graph" in value:
            graph = value["@graph"]
            graph = [graph] if isinstance(graph, dict) else graph
            if not isinstance(graph, list):
                raise FeedError(_("The @graph of the feed is not a list."))
            # A graph describes a whole page (the site, the article, the author…): only its reviews count.
            return [node for element in graph for node in _unwrap(element) if _looks_like_review(node)]
        return _unwrap(value)
    raise FeedError(_("The feed is JSON, but neither an object nor a list."))


def _unwrap(element: Any) -> list[Any]:
    """A DataFeedItem's ClaimReview(s); anything else as it is."""
    if isinstance(element, dict) and "item" in element and not _looks_like_review(element):
        inner = element["item"]
        return list(inner) if isinstance(inner, list) else [inner]
    return [element]


def _types(value: dict[str, Any]) -> list[str]:
    declared = value.get("@type")
    names = declared if isinstance(declared, list) else [declared]
    # "ClaimReview", "schema:ClaimReview" and "https://schema.org/ClaimReview" all name the type.
    return [name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if isinstance(name, str)]


def _has_type(value: dict[str, Any], name: str) -> bool:
    return name in _types(value)


def _looks_like_review(value: Any) -> bool:
    return isinstance(value, dict) and (_has_type(value, "ClaimReview") or "claimReviewed" in value)


# --- Validation -----------------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("a text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return _("null") if value is None else type(value).__name__


def _wrong_type(field: str, expected: str, value: Any) -> Malformed:
    return Malformed(
        _("“%(field)s” should be %(expected)s, not %(found)s.")
        % {"field": field, "expected": expected, "found": _json_type(value)}
    )


def _plainly_storable(item: dict[str, Any]) -> bool:
    """Whether an item parsed from JSON text (dicts, lists, texts, numbers, booleans, None) certainly holds
    nothing ``_check_values`` refuses, without walking it in Python (a tenth of a second for 5,000 reviews):
    orjson writes it (no unpaired surrogate), with no NUL (written ``\\u0000``), no ``null`` (where NaN and
    the infinities would be written as well), and no more containers than MAX_DEPTH (so no deeper). Any
    doubt (a text holding one of these, many brackets): False, and the item is walked."""
    try:
        written = orjson.dumps(item)
    except orjson.JSONEncodeError:
        return False
    return (
        b"\\u0000" not in written and b"null" not in written and written.count(b"{") + written.count(b"[") <= MAX_DEPTH
    )


def _check_values(value: Any, depth: int = 0) -> None:
    """Refuse what the database could not store as JSON and text (the whole batch would fail on it)."""
    if depth > MAX_DEPTH:
        raise Malformed(_("The item is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH})
    if isinstance(value, str):
        if "\x00" in value:
            raise Malformed(_("The item contains a NUL character, which no text may hold."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Malformed(_("The item contains a broken character (an unpaired surrogate).")) from None
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Malformed(_("The item contains a number JSON cannot carry (NaN or Infinity)."))
    elif isinstance(value, dict):
        for name, inner in value.items():
            if not isinstance(name, str):
                raise Malformed(_("The item has a property name that is not a text."))
            _check_values(name, depth + 1)
            _check_values(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _check_values(inner, depth + 1)
    elif value is not None and not isinstance(value, bool | int):
        raise Malformed(_("The item contains a value JSON cannot carry (%(type)s).") % {"type": type(value).__name__})


def _text(container: dict[str, Any], field: str, max_length: int | None = None, label: str | None = None) -> str:
    """A text property, stripped ("" when absent); another JSON type is malformed."""
    value = container.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _wrong_type(label or field, _("a text"), value)
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise Malformed(
            _("“%(field)s” is longer than %(limit)d characters.") % {"field": label or field, "limit": max_length}
        )
    return value


def _object(container: dict[str, Any], field: str, label: str | None = None) -> dict[str, Any] | None:
    """An object property (the first, when a list is given); None when absent."""
    value = container.get(field)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _wrong_type(label or field, _("an object"), value)
    return value


def _number(container: dict[str, Any], field: str, label: str) -> float | None:
    """A rating number as a float; None when absent or not numeric ("" or "n/a" say nothing)."""
    value = container.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _wrong_type(label, _("a number"), value)
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


@functools.lru_cache(maxsize=1024)
def _canonical_language(tag: str) -> str:
    try:
        return normalize_language_tag(tag)
    except ValidationError:
        return ""


def _language(container: dict[str, Any] | None, label: str) -> str:
    """The canonical tag of ``inLanguage`` (a tag, or a Language object), "" when absent or invalid."""
    if container is None:
        return ""
    value = container.get("inLanguage")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _wrong_type(label, _("a language tag"), value)
    return _canonical_language(value.strip()[:64])


@functools.lru_cache(maxsize=256)  # a feed names its publisher's address on every review
def _is_publisher_address(url: str) -> bool:
    return _is_web_address(url)


#: The common shape of a web address: an http(s) scheme as written in lowercase, an ASCII host name of labels
#: (each of 1–63 letters, digits and inner hyphens) and a top-level domain of letters, an optional port, then
#: anything but whitespace. A subset of the validator's own pattern: with the validator's length limits (the
#: address's 2,048 characters, the host's 253: ``_is_web_address``), every address it matches is one Django's
#: ``URLValidator`` accepts, tested so (tests/test_claimreview_import.py); any other is left to the validator.
_PLAIN_WEB_ADDRESS = re.compile(
    r"https?://((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63})(?::[0-9]{1,5})?(?:[/?#]\S*)?"
)


def _is_web_address(url: str) -> bool:
    """Whether ``url`` is an http:// or https:// address ``URLValidator`` accepts. The validator takes 6–10 µs
    an address (URL parsing, its pattern): a tenth of a ClaimReview import (bench/README.md). An address of
    the common shape (``_PLAIN_WEB_ADDRESS``) is answered by that pattern alone, in about 1 µs."""
    plain = _PLAIN_WEB_ADDRESS.fullmatch(url)
    if plain is not None and len(url) <= MAX_URL_LENGTH and len(plain[1]) <= 253:  # the validator's limits
        return True
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


def _review_date(value: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value[:10])
            if day is None:
                return None
            moment = dt.datetime.combine(day, dt.time())
        # A date without an offset is the newsroom's (TIME_ZONE), whatever zone the importing thread has
        # active. ``get_default_timezone`` is cached; the current zone is an asgiref lookup per date
        # (4.74 against 1.44 µs a date, bench/README.md).
        moment = timezone.make_aware(moment, timezone.get_default_timezone()) if timezone.is_naive(moment) else moment
        moment.astimezone(dt.UTC)  # the database stores UTC: a moment that has none is no date
    except (ValueError, OverflowError):  # well-formed but impossible ("2024-02-30", year 9999 at -05:00)
        return None
    return moment


def _claim_date(value: str) -> dt.date | None:
    try:
        return parse_date(value[:10])
    except ValueError:
        return None


def read_review(raw: Any, index: int = -1, parsed_here: bool = False) -> ReviewData:
    """Validate one item of a feed; raise ``Malformed`` (with the reason) when it cannot be imported.
    ``parsed_here``: the item comes from ``parse_feed``'s own parsing of JSON text (JSON's types only)."""
    if isinstance(raw, _UnreadableLine):
        raise Malformed(_("Line %(line)d is not valid JSON.") % {"line": raw.number})
    if not isinstance(raw, dict):
        raise Malformed(_("The item is not a JSON object but %(found)s.") % {"found": _json_type(raw)})
    if not (parsed_here and _plainly_storable(raw)):
        _check_values(raw)
    if not _has_type(raw, "ClaimReview"):
        types = ", ".join(_types(raw))
        if types:
            raise Malformed(_("The item is not a ClaimReview (its @type is “%(type)s”).") % {"type": types})
        raise Malformed(_("The item is not a ClaimReview: it has no @type."))

    url = raw.get("url")
    if url is None or (isinstance(url, str) and not url.strip()):
        raise Malformed(_("The item has no url: the review's address is what identifies it."))
    if not isinstance(url, str):
        raise _wrong_type("url", _("a text"), url)
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise Malformed(_("The url is longer than %(limit)d characters.") % {"limit": MAX_URL_LENGTH})
    if not _is_web_address(url):
        raise Malformed(_("The url “%(url)s” is not an http:// or https:// web address.") % {"url": url[:200]})

    text = _text(raw, "claimReviewed")
    if not text:
        raise Malformed(_("The item has no claimReviewed: the claim's wording is required."))
    if len(text) > MAX_CLAIM_LENGTH:
        raise Malformed(
            _("The claim is %(length)d characters long; at most %(limit)d are accepted.")
            % {"length": len(text), "limit": MAX_CLAIM_LENGTH}
        )

    item = _object(raw, "itemReviewed")
    language = _language(raw, "inLanguage") or _language(item, "itemReviewed.inLanguage")
    if not language:
        language = _canonical_language(detect_language(text))
    if not language:
        raise Malformed(
            _("The claim's language is unknown: the item has no valid inLanguage and its text is too short to tell.")
        )

    claimant, claimant_kind, claim_date = "", Actor.Kind.PERSON, None
    if item is not None:
        author = _object(item, "author", "itemReviewed.author")
        if author is not None:
            claimant = _text(author, "name", MAX_NAME_LENGTH, "itemReviewed.author.name")
            author_types = _types(author)
            if author_types and "Person" not in author_types:
                claimant_kind = Actor.Kind.ORGANIZATION
        claim_date = _claim_date(_text(item, "datePublished", label="itemReviewed.datePublished"))

    rating = _object(raw, "reviewRating")
    label, rating_value, best_rating, worst_rating = "", None, None, None
    if rating is not None:
        for field in ("alternateName", "name"):
            value = rating.get(field)
            if value is None:
                continue
            if not isinstance(value, str):
                raise _wrong_type(f"reviewRating.{field}", _("a text"), value)
            if len(value) > MAX_LABEL_LENGTH:
                raise Malformed(
                    _("“%(field)s” is longer than %(limit)d characters.")
                    % {"field": f"reviewRating.{field}", "limit": MAX_LABEL_LENGTH}
                )
            if value.strip():
                label = value  # as they wrote it: the original is what is kept
                break
        rating_value = _number(rating, "ratingValue", "reviewRating.ratingValue")
        best_rating = _number(rating, "bestRating", "reviewRating.bestRating")
        worst_rating = _number(rating, "worstRating", "reviewRating.worstRating")

    publisher, publisher_url = "", ""
    by = _object(raw, "author") if raw.get("author") is not None else _object(raw, "publisher")
    if by is not None:
        publisher = _text(by, "name", MAX_PUBLISHER_LENGTH, "author.name")
        publisher_url = _text(by, "url", label="author.url")
        if len(publisher_url) > MAX_URL_LENGTH or not _is_publisher_address(publisher_url):
            publisher_url = ""  # a detail: a bad one is left out, the review still counts

    headline = _text(raw, "headline") or _text(raw, "name")
    reviewed_at = _review_date(_text(raw, "datePublished"))
    return ReviewData(
        index=index,
        url=url,
        text=text,
        language=language,
        claimant=claimant,
        claimant_kind=claimant_kind,
        claim_date=claim_date,
        publisher=publisher,
        publisher_url=publisher_url,
        headline=headline,
        label=label,
        rating_value=rating_value,
        best_rating=best_rating,
        worst_rating=worst_rating,
        reviewed_at=reviewed_at,
        item=raw,
    )


def read_feed(data: Any) -> tuple[list[ReviewData], ImportResult]:
    """Parse and validate a whole feed: the reviews to import (one per url, the last), and the result so
    far (item count, problems). Raises ``FeedError`` only for the feed as a whole."""
    feed = FeedItems(data)
    reviews = feed.take(feed.result.item_count)
    feed.result.problems.sort(key=lambda problem: problem["index"])
    return reviews, feed.result


class FeedItems:
    """A feed's items, parsed at once (a feed that is not JSON is refused before anything is written) and
    validated in order as they are asked for: an import validates the next chunk while the database writes
    the search documents of the one before (``ahead``).

    Of items with one url, the last valid one is imported and the valid ones before it are reported as
    duplicates. The urls are looked at first: the items sharing one (rare) are validated then, to know
    which is imported; any other item is imported if valid, whatever comes after it. Each other item is
    judged as its chunk comes: the chunks before it may be written by then.
    """

    def __init__(self, data: Any) -> None:
        self.items = parse_feed(data)
        self._parsed_here = isinstance(data, str | bytes | bytearray)
        self.result = ImportResult(item_count=len(self.items))
        self._next = 0  # the next item to validate
        self._ready: collections.deque[ReviewData] = collections.deque()
        self._settled = self._settle_shared_urls()

    @property
    def done(self) -> int:
        """Items dealt with: validated and either skipped or handed out."""
        return self._next - len(self._ready)

    def take(self, count: int) -> list[ReviewData]:
        """The next ``count`` reviews to import (fewer at the end), in feed order."""
        while len(self._ready) < count and self._step():
            pass
        return [self._ready.popleft() for _n in range(min(count, len(self._ready)))]

    def ahead(self, count: int) -> Iterator[None]:
        """Validate until ``count`` reviews are ready (or the items run out), one item a step."""
        while len(self._ready) < count and self._step():
            yield

    def _step(self) -> bool:
        if self._next >= len(self.items):
            return False
        index = self._next
        self._next += 1
        review = self._settled.pop(index) if index in self._settled else self._read(index)
        if review is not None:
            self._ready.append(review)
        return True

    def _read(self, index: int) -> ReviewData | None:
        """The item at ``index`` validated; None, its problem recorded, when malformed."""
        raw = self.items[index]
        try:
            return read_review(raw, index, self._parsed_here)
        except Malformed as problem:
            url = raw.get("url") if isinstance(raw, dict) else None
            self.result.problems.append(
                {
                    "index": index,
                    "url": url[:MAX_URL_LENGTH] if isinstance(url, str) else None,
                    "message": problem.message,
                    "kind": "malformed",
                }
            )
            return None

    def _settle_shared_urls(self) -> dict[int, ReviewData | None]:
        """The items whose url another item has too, validated: the review to import (the last valid one) by
        its index, and None for the others, their problems recorded. A review's url is its item's, stripped."""
        indexes: dict[str, list[int]] = {}
        for index, raw in enumerate(self.items):
            url = raw.get("url") if isinstance(raw, dict) else None
            if isinstance(url, str):
                indexes.setdefault(url.strip(), []).append(index)
        settled: dict[int, ReviewData | None] = {}
        for shared in indexes.values():
            if len(shared) < 2:
                continue
            earlier: ReviewData | None = None
            for index in shared:
                review = settled[index] = self._read(index)
                if review is None:
                    continue
                if earlier is not None:
                    settled[earlier.index] = None
                    self.result.problems.append(
                        {
                            "index": earlier.index,
                            "url": earlier.url,
                            "message": _("Item %(later)d has the same url: the later one is imported instead.")
                            % {"later": index},
                            "kind": "duplicate",
                        }
                    )
                earlier = review
        return settled


# --- Rating mappings ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # a feed's few labels, on every review (looked up twice)
def label_key(label: str) -> str:
    """What labels are compared by: case, accents, punctuation and spacing ignored (``Faux`` = ``FAUX!``)."""
    return key(label)[:MAX_LABEL_LENGTH].strip()


#: Other newsrooms' common labels, by the rating they mean on a scale like ours (see ``_default_targets``).
DEFAULT_LABELS: dict[str, list[str]] = {
    "true": ["True", "Correct", "Accurate", "Đúng", "Chính xác", "Vrai", "Правда", "Verdadero", "Wahr"],
    "mostly-true": ["Mostly true", "Mostly correct", "Mostly accurate", "Phần lớn đúng", "Plutôt vrai"],
    "misleading": [
        "Half true",
        "Mixture",
        "Mixed",
        "Misleading",
        "Partly false",
        "Missing context",
        "Gây hiểu lầm",
        "Trompeur",
        "Manipulation",
    ],
    "mostly-false": ["Mostly false", "Phần lớn sai", "Plutôt faux"],
    "false": ["False", "Faux", "Sai", "Fake", "Ложь", "Фейк", "Pants on Fire", "Incorrect", "Inaccurate", "Falso"],
    "unproven": ["Unproven", "Unverified", "Unsupported", "Chưa kiểm chứng", "Non prouvé", "Не доказано"],
}


def _default_targets(ratings: list[Rating]) -> dict[str, Rating]:
    """Which of our ratings each group of DEFAULT_LABELS means: by slug where our scale has it, else by
    class for the ends of the scale (the truest TRUE, the falsest FALSE) and the middle ones."""
    by_slug = {rating.slug: rating for rating in ratings}
    by_class: dict[str, list[Rating]] = {}
    for rating in sorted(ratings, key=lambda rating: rating.value):
        by_class.setdefault(rating.rating_class, []).append(rating)
    targets: dict[str, Rating] = {}
    trues, falses = by_class.get(RatingClass.TRUE, []), by_class.get(RatingClass.FALSE, [])
    if trues:
        targets["true"] = trues[-1]
    if falses:
        targets["false"] = falses[0]
    for slug, rating_class in (("misleading", RatingClass.MIXTURE), ("unproven", RatingClass.OTHER)):
        middle = by_slug.get(slug)
        if middle is None and len(by_class.get(rating_class, [])) == 1:
            middle = by_class[rating_class][0]
        if middle is not None:
            targets[slug] = middle
    for slug, rating_class in (("mostly-true", RatingClass.TRUE), ("mostly-false", RatingClass.FALSE)):
        nearly = by_slug.get(slug)
        if nearly is not None and nearly.rating_class == rating_class and nearly not in targets.values():
            targets[slug] = nearly
    return targets


def ensure_default_mappings() -> int:
    """Add the mappings every import needs, without touching any that exists (an editor's word stands).

    Our own labels (``RatingLabel``, every language) map to their rating, so our own feed reads back as
    itself; then the common labels of ``DEFAULT_LABELS``, for the ratings our scale has. Returns how many
    mappings were added.
    """
    ratings = list(Rating.objects.filter(is_active=True))
    wanted: dict[str, tuple[str, int]] = {}
    for rating_id, label in RatingLabel.objects.filter(rating__is_active=True).values_list("rating_id", "label"):
        wanted.setdefault(label_key(label), (label, rating_id))
    for slug, rating in _default_targets(ratings).items():
        for label in DEFAULT_LABELS[slug]:
            wanted.setdefault(label_key(label), (label, rating.pk))
    wanted.pop("", None)
    existing = set(RatingMapping.objects.filter(label_key__in=list(wanted)).values_list("label_key", flat=True))
    new = [
        RatingMapping(label=label, label_key=label_key_, rating_id=rating_id)
        for label_key_, (label, rating_id) in wanted.items()
        if label_key_ not in existing
    ]
    RatingMapping.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def labels_with_key(keys: Iterable[str]) -> list[str]:
    """The labels, as imported, of the reviews whose label has one of these keys."""
    wanted = set(keys)
    # Distinct labels are few (and indexed): fold them here rather than store a second key per review.
    labels = ExternalReview.objects.order_by().values_list("original_label", flat=True).distinct()
    return [label for label in labels if label and label_key(label) in wanted]


def apply_mapping(mapping: RatingMapping) -> int:
    """Give every imported review whose label has this mapping's key the mapping's rating (or none);
    returns how many reviews changed. Called by the admin when a mapping is saved."""
    return _set_rating([mapping.label_key], mapping.rating_id)


def unmap_labels(keys: Iterable[str]) -> int:
    """Reviews whose mapping was deleted no longer read on our scale."""
    return _set_rating(keys, None)


def _set_rating(keys: Iterable[str], rating_id: int | None) -> int:
    labels = labels_with_key(keys)
    if not labels:
        return 0
    reviews = ExternalReview.objects.filter(original_label__in=labels)
    reviews = reviews.exclude(rating_id=rating_id) if rating_id is not None else reviews.exclude(rating=None)
    return reviews.update(rating_id=rating_id, updated_at=timezone.now())


# --- Upsert ---------------------------------------------------------------------------------------------

#: The review fields an import writes, compared to tell an updated review from an unchanged one.
REVIEW_FIELDS = [
    "publisher",
    "publisher_url",
    "headline",
    "language",
    "original_label",
    "rating_value",
    "best_rating",
    "worst_rating",
    "rating_id",
    "reviewed_at",
    "item",
]
#: The values of a new review's row (``insert_values``), REVIEW_FIELDS last; of a new claim's audit event.
NEW_REVIEW_NAMES = ("claim_id", "review_url", "import_run_id", "created_at", "updated_at", *REVIEW_FIELDS)
EVENT_NAMES = ("claim_id", "actor_id", "action", "from_status", "to_status", "created_at")


class _Importer:
    """The state one import keeps between chunks: who imports, the mappings and the actors by key."""

    def __init__(self, user: Any, run: ImportRun | None) -> None:
        self.user = user
        self.run_id = run.pk if run is not None else None
        self.mappings: dict[str, int | None] = dict(RatingMapping.objects.values_list("label_key", "rating_id"))
        self._actors: dict[str, int] | None = None

    def actors(self) -> dict[str, int]:
        """Every actor's name and alias by key (names first, then aliases; the oldest actor wins)."""
        if self._actors is None:
            actors: dict[str, int] = {}
            for actor_id, name in Actor.objects.order_by("pk").values_list("pk", "name"):
                actors.setdefault(key(name), actor_id)
            for actor_id, name in ActorAlias.objects.order_by("actor_id", "pk").values_list("actor_id", "name"):
                actors.setdefault(key(name), actor_id)
            actors.pop("", None)
            self._actors = actors
        return self._actors

    def upsert(self, chunk: list[ReviewData], result: ImportResult, meanwhile: Iterable[Any] = ()) -> None:
        """Upsert a chunk in one transaction; if the database refuses it, item by item, so that one item
        the validation let through cannot sink the others. ``meanwhile``: work (no queries) done while the
        search documents of the chunk's new claims are written (``index_new_claims``); with none, all at once
        in their place. What a refused chunk leaves of it is done when the caller needs it (``FeedItems``)."""
        steps = iter(meanwhile)
        try:
            counts = self._upsert_retrying(chunk, steps)
        except OperationalError:
            raise  # the database is gone: nothing to isolate, the run is retried
        except DatabaseError as error:
            if len(chunk) > 1:
                for review in chunk:
                    self.upsert([review], result, steps)
                return
            logger.warning("the database refused review %s: %s", chunk[0].url, error)
            result.problems.append(
                {
                    "index": chunk[0].index,
                    "url": chunk[0].url,
                    "message": _("The database refused this item: %(error)s") % {"error": str(error)[:300]},
                    "kind": "malformed",
                }
            )
            return
        result.created_count += counts[0]
        result.updated_count += counts[1]
        result.unchanged_count += counts[2]

    def _upsert_retrying(self, chunk: list[ReviewData], meanwhile: Iterator[Any]) -> tuple[int, int, int]:
        for _attempt in range(2):
            try:
                return self._upsert(chunk, meanwhile)
            except IntegrityError:
                pass  # another import created one of these reviews since we looked: look again
        return self._upsert(chunk, meanwhile)

    def _upsert(self, chunk: list[ReviewData], meanwhile: Iterator[Any]) -> tuple[int, int, int]:
        now = timezone.now()
        # What this chunk adds to the run's memory only counts once its transaction has committed.
        new_actors: dict[str, int] = {}
        new_labels: dict[str, None] = {}
        with transaction.atomic():
            existing = {
                review.review_url: review
                for review in ExternalReview.objects.filter(review_url__in=[r.url for r in chunk]).select_related(
                    "claim"
                )
            }
            fresh = [review for review in chunk if review.url not in existing]
            claimants = self._claimants(fresh, new_actors)
            ratings = self._ratings(chunk, new_labels)

            claims = [
                Claim(
                    text=review.text,
                    language=review.language,
                    claimant_id=claimants.get(key(review.claimant)) if review.claimant else None,
                    claim_date=review.claim_date,
                    author=self.user,
                    status=ClaimStatus.DRAFT,
                )
                for review in fresh
            ]
            insert_rows(Claim, claims, with_ids=True)
            # Their audit trail opens, as ``workflow.record_created`` opens it for one claim, and their
            # reviews are written. Both are made while the search documents stream into their COPY
            # (``index_new_claims``' ``meanwhile``), whose indexes keep the server busy for longer than the
            # documents take to make here (bench/README.md); as rows of values, not model instances
            # (``insert_values``).
            events: list[tuple[Any, ...]] = []
            made: list[tuple[Any, ...]] = []
            actor_id = self.user.pk
            written = timezone.now()  # after the claims' own moments: their creation is recorded after it

            def make_events_and_reviews() -> Iterator[None]:
                for review, claim in zip(fresh, claims, strict=True):
                    events.append((claim.pk, actor_id, Action.CREATE, "", claim.status, written))
                    made.append((claim.pk, review.url, self.run_id, now, written, *self._values(review, ratings)))
                    next(meanwhile, None)  # and a step of the caller's work
                    yield
                yield from meanwhile  # the rest after the last document, the server indexing those sent

            index_new_claims(claims, meanwhile=make_events_and_reviews())
            insert_values(ReviewEvent, EVENT_NAMES, events)
            insert_values(ExternalReview, NEW_REVIEW_NAMES, made)

            changed: list[ExternalReview] = []
            reworded: dict[int, tuple[str, str, str]] = {}  # claim id: (old text, new text, language)
            for review in chunk:
                current = existing.get(review.url)
                if current is None:
                    continue
                fields = self._fields(review, ratings)
                if all(getattr(current, name) == value for name, value in fields.items()):
                    continue
                previous_text = current.item.get("claimReviewed") if isinstance(current.item, dict) else None
                claim = current.claim
                if (
                    claim.status == ClaimStatus.DRAFT
                    and isinstance(previous_text, str)
                    and claim.text == previous_text.strip()
                    and claim.text != review.text
                ):
                    reworded[claim.pk] = (claim.text, review.text, review.language)
                for name, value in fields.items():
                    setattr(current, name, value)
                current.import_run_id = self.run_id
                current.updated_at = now
                changed.append(current)
            ExternalReview.objects.bulk_update(changed, [*REVIEW_FIELDS, "import_run", "updated_at"])
            reworded_ids = self._reword(reworded, now)
            index_claims(reworded_ids, scan_duplicates=False)
        if self._actors is not None:
            self._actors.update(new_actors)
        self.mappings.update(new_labels)
        return len(claims), len(changed), len(chunk) - len(claims) - len(changed)

    def _fields(self, review: ReviewData, ratings: dict[str, int | None]) -> dict[str, Any]:
        return dict(zip(REVIEW_FIELDS, self._values(review, ratings), strict=True))

    def _values(self, review: ReviewData, ratings: dict[str, int | None]) -> tuple[Any, ...]:
        """The review's REVIEW_FIELDS, in their order."""
        return (
            review.publisher,
            review.publisher_url,
            review.headline,
            review.language,
            review.label,
            review.rating_value,
            review.best_rating,
            review.worst_rating,
            ratings.get(label_key(review.label)) if review.label else None,
            review.reviewed_at,
            review.item,
        )

    def _claimants(self, reviews: list[ReviewData], new_actors: dict[str, int]) -> dict[str, int]:
        """The actor of each claimant name of these reviews, by key; unknown ones are created."""
        names: dict[str, ReviewData] = {}
        for review in reviews:  # a new actor is named as the first review naming it spells it
            if review.claimant:
                names.setdefault(key(review.claimant), review)
        names.pop("", None)
        if not names:
            return {}
        known = self.actors()
        missing = [name_key for name_key in names if name_key not in known]
        actors = [Actor(name=names[name_key].claimant, kind=names[name_key].claimant_kind) for name_key in missing]
        Actor.objects.bulk_create(actors)
        new_actors.update({name_key: actor.pk for name_key, actor in zip(missing, actors, strict=True)})
        return {name_key: known.get(name_key) or new_actors[name_key] for name_key in names}

    def _ratings(self, reviews: list[ReviewData], new_labels: dict[str, None]) -> dict[str, int | None]:
        """Our rating of each label of these reviews, by key; labels never seen are added unmapped."""
        for review in reviews:
            label_key_ = label_key(review.label) if review.label else ""
            if label_key_ and label_key_ not in self.mappings and label_key_ not in new_labels:
                new_labels[label_key_] = None
        if new_labels:
            labels: dict[str, str] = {}
            for review in reviews:  # a new mapping is named as the first review carrying it spells it
                if review.label:
                    labels.setdefault(label_key(review.label), review.label.strip())
            RatingMapping.objects.bulk_create(
                [RatingMapping(label=labels[label_key_], label_key=label_key_) for label_key_ in new_labels],
                ignore_conflicts=True,  # another import may have added it meanwhile: theirs stands
            )
        return {**self.mappings, **new_labels}

    def _reword(self, reworded: dict[int, tuple[str, str, str]], now: dt.datetime) -> list[int]:
        """Follow a review's new wording on its claim, only while the claim is a draft still worded as
        imported: the row is locked and checked again, so an editor's concurrent edit wins."""
        if not reworded:
            return []
        claims = []
        for claim in Claim.objects.select_for_update().filter(pk__in=list(reworded), status=ClaimStatus.DRAFT):
            old_text, new_text, language = reworded[claim.pk]
            if claim.text != old_text:
                continue
            claim.text, claim.language, claim.updated_at = new_text, language, now
            claim.version = F("version") + 1  # type: ignore[assignment]  # a stale admin form sees a conflict
            claims.append(claim)
        Claim.objects.bulk_update(claims, ["text", "language", "updated_at", "version"])
        return [claim.pk for claim in claims]


def check_can_import(user: Any) -> None:
    """Raise ``FeedError`` unless ``user`` may author the claims an import creates."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise FeedError(_("An import needs an active user to author its claims."))
    if not user.has_perm("claims.add_claim"):
        raise FeedError(_("%(user)s may not create claims, so cannot import them.") % {"user": user.get_username()})


def import_feed(
    data_or_text: Any,
    user: Any,
    run: ImportRun | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import a ClaimReview feed (text, bytes or parsed JSON) as ``user``; return what it did.

    Malformed items are skipped and reported in the result's problems. Raises ``FeedError`` when the
    feed as a whole is unusable (not JSON, nothing recognisable) or the user may not create claims.
    ``progress(done, total)`` is called as items are dealt with; ``run`` is recorded on the reviews written.
    """
    check_can_import(user)
    size = max(1, batch_size)
    with young_collections_only() as collect:
        feed = FeedItems(data_or_text)
        result = feed.result
        reported = 0
        if progress is not None:
            progress(reported, result.item_count)
        ensure_default_mappings()
        importer = _Importer(user, run)
        while chunk := feed.take(size):
            # The next chunk is validated while the database writes this one's new search documents.
            importer.upsert(chunk, result, meanwhile=feed.ahead(size))
            collect()
            if progress is not None:
                reported = feed.done
                progress(reported, result.item_count)
        if progress is not None and reported != feed.done:  # items skipped after the last chunk, or all
            progress(feed.done, result.item_count)
    result.problems.sort(key=lambda problem: problem["index"])
    return result


# --- Runs -----------------------------------------------------------------------------------------------


def fetch_feed(url: str) -> str:
    """The text of the feed at ``url``, fetched through the SSRF guard; ``FeedError`` when it cannot be."""
    try:
        _final_url, _content_type, text = fetch_document(url, JSON_CONTENT_TYPES, max_bytes=MAX_FEED_BYTES)
    except FetchError as error:
        raise FeedError(
            _("The feed could not be fetched: %(reason)s") % {"reason": error.reason},
            transient=bool(getattr(error, "transient", False)),
        ) from error
    return text


def start_run(run: ImportRun) -> None:
    run.status = ImportStatus.RUNNING
    run.message = ""
    run.save(update_fields=["status", "message"])


def finish_run(run: ImportRun, result: ImportResult | None = None, message: str = "") -> None:
    """Record the outcome on the run: its counts and problems (done), or why it failed."""
    if result is None:
        run.status = ImportStatus.FAILED
        run.message = message
    else:
        run.status = ImportStatus.DONE
        run.item_count = result.item_count
        run.created_count = result.created_count
        run.updated_count = result.updated_count
        run.unchanged_count = result.unchanged_count
        run.skipped_count = result.skipped_count
        run.problems = result.problems[:MAX_STORED_PROBLEMS]
        run.message = summary(result)
        if result.skipped_count > MAX_STORED_PROBLEMS:
            run.message += " " + _("Only the first %(count)d skipped items are listed.") % {
                "count": MAX_STORED_PROBLEMS
            }
    run.finished_at = timezone.now()
    run.save()


def summary(result: ImportResult) -> str:
    return _(
        "%(items)d items read: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(skipped)d skipped."
    ) % {
        "items": result.item_count,
        "created": result.created_count,
        "updated": result.updated_count,
        "unchanged": result.unchanged_count,
        "skipped": result.skipped_count,
    }


def run_import(run_id: int) -> ImportRun | None:
    """Carry out a queued run (the task's body): its uploaded payload, or the feed at its URL.

    A finished run (done or failed) is left alone; a run left "running" by a worker that died is run
    again, which is safe because the upsert is idempotent. A network failure worth retrying raises
    ``FeedError`` with ``transient`` set and leaves the run as it is, for the task to retry.
    """
    run = ImportRun.objects.filter(pk=run_id).select_related("created_by").first()
    if run is None or run.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return run
    # What the run records (its message, the skipped items' reasons) is read later by anyone in the
    # newsroom: it is written in the newsroom's language, whoever's request ran it (as fetch errors are).
    with translation.override(settings.LANGUAGE_CODE):
        return _run(run)


def _run(run: ImportRun) -> ImportRun:
    start_run(run)
    try:
        if run.payload:
            text = run.payload
        elif run.location.startswith(("http://", "https://")):
            text = fetch_feed(run.location)
        else:
            # A worker never opens a path a database row names: only the command reads local files.
            raise FeedError(_("This run has neither an uploaded feed nor a web address to fetch it from."))
        result = import_feed(text, run.created_by, run=run)
    except FeedError as error:
        if error.transient:
            raise
        finish_run(run, message=error.message)
        return run
    except OperationalError:
        raise  # the database is unreachable: the task is retried, the run stays as it is
    except Exception:
        logger.exception("ClaimReview import run %s stopped", run.pk)
        finish_run(run, message=_("The import stopped on an unexpected error; the details are in the server log."))
        return run
    finish_run(run, result)
    return run


def fail_run(run_id: int, message: str) -> None:
    """Mark a run failed (the task gave up retrying), unless it finished meanwhile."""
    run = ImportRun.objects.filter(pk=run_id).exclude(status__in=[ImportStatus.DONE, ImportStatus.FAILED]).first()
    if run is not None:
        finish_run(run, message=message)
