"""Datasets of published claims for researchers: one CSV row or one JSON Lines line per claim.

Owns what an export holds (its columns, in the API's field names where the API has them), how it
reads the database (keyset chunks by id, each with a fixed number of queries, so an export of
hundreds of thousands of claims stays flat in memory), and the two writers. The ``export_claims``
command and the API's ``/api/v1/exports/claims.{csv,jsonl}`` are thin edges over it.

Everything starts from ``Claim.objects.public()``: published claims, and retracted ones with their
retraction only when asked. Drafts and claims in review never reach an export, whoever asks.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) get a leading apostrophe, as OWASP advises; JSON Lines carries texts unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import translation

from sources.languages import site_language

from .api import ClaimFilter
from .claimreview import absolute
from .models import Appearance, Claim, ClaimStatus, ClaimTranslation, Correction, VerdictText
from .ratings import RatingScale, rating_scale
from .selectors import verdict_text_for

#: Claims read per query. Large enough that the per-chunk queries cost little, small enough that a
#: chunk with its texts and appearances fits comfortably in a web worker's memory.
CHUNK_SIZE = 1000

#: The CSV's columns; ``RETRACTION_COLUMNS`` follow when retracted claims are included.
CSV_COLUMNS = [
    "id",
    "url",
    "status",
    "language",
    "text",
    "translations",
    "claimant",
    "claimant_id",
    "claim_date",
    "rating",
    "rating_label",
    "rating_class",
    "rating_value",
    "verdict_language",
    "headline",
    "explanation",
    "first_appearance_url",
    "appearances_count",
    "published_at",
    "updated_at",
    "corrections_count",
]
RETRACTION_COLUMNS = ["retracted_at", "retraction_reason"]

#: A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP, "CSV
#: injection"): such a cell is written with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Characters Python's ``str.splitlines`` (and some JSON Lines readers) take for line breaks that
#: ``json.dumps(ensure_ascii=False)`` leaves raw: escaped, so that one claim is always one line.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}

#: How much text the HTTP stream gathers before handing it to the server: one write per row would
#: cost a system call per claim.
STREAM_BUFFER = 64 * 1024


class ExportFilter(ClaimFilter):
    """The claims list's filters, without full-text search (ranked, too costly for a whole dataset)
    and without ``status`` (an export is public whoever asks; ``include_retracted`` adds retractions)."""

    q = None
    status = None


class InvalidExportFilter(ValueError):
    """A filter value the claims list would answer with a 400, e.g. ``rating_class=SOMETIMES``."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.errors.items()))


@dataclass(frozen=True)
class ExportOptions:
    #: The language of the rating label, the headline and the explanation (each falls back as the API's
    #: do) and of the public pages linked to.
    language: str
    include_retracted: bool = False


def exportable_claims(include_retracted: bool = False) -> QuerySet[Claim]:
    """The public claims an export may hold: published ones, and retracted ones when asked."""
    public = Claim.objects.public()
    return public if include_retracted else public.filter(status=ClaimStatus.PUBLISHED)


def filter_claims(queryset: QuerySet[Claim], data: Mapping[str, Any]) -> QuerySet[Claim]:
    """``queryset`` narrowed by the claims list's filters in ``data`` (a QueryDict or a plain dict)."""
    if not isinstance(data, QueryDict):
        query = QueryDict(mutable=True)
        query.update(data)
        data = query
    filterset = ExportFilter(data=data, queryset=queryset)
    if not filterset.is_valid():
        raise InvalidExportFilter(
            {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}
        )
    return filterset.qs


def _with_what_a_row_shows(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    corrections = (
        Correction.objects.filter(claim=OuterRef("pk")).order_by().values("claim").annotate(n=Count("pk")).values("n")
    )
    # A source's text can be half a megabyte: an appearance reads only the source's address and outlet.
    appearances = (
        Appearance.objects.select_related("source__outlet")
        .only("claim", "source", "quote", "is_first", "source__url", "source__outlet", "source__outlet__name")
        .order_by("-is_first", "id")
    )
    return (
        queryset.select_related("claimant", "verdict")
        .defer("internal_notes", "claimant__description")
        .prefetch_related(
            Prefetch("translations", queryset=ClaimTranslation.objects.order_by("language")),
            Prefetch("verdict__texts", queryset=VerdictText.objects.order_by("language")),
            # A plain list (to_attr): no model method reads a claim's appearances, and Django then skips
            # building a queryset per claim to hold them.
            Prefetch("appearances", queryset=appearances, to_attr="exported_appearances"),
        )
        .annotate(corrections_count=Coalesce(Subquery(corrections), Value(0), output_field=IntegerField()))
    )


def iter_claims(queryset: QuerySet[Claim], chunk_size: int | None = None) -> Iterator[Claim]:
    """Every claim of ``queryset`` by ascending id, read ``chunk_size`` at a time.

    Keyset chunks (``id > last``) rather than offsets, so that the last chunk costs what the first
    does; each chunk is four queries (claims with claimant, verdict and corrections count; translations;
    verdict texts; appearances with sources and outlets), whatever its size.
    """
    size = chunk_size or CHUNK_SIZE
    shaped = _with_what_a_row_shows(queryset).order_by("pk")
    last = 0
    while True:
        chunk = list(shaped.filter(pk__gt=last)[:size])
        yield from chunk
        if len(chunk) < size:
            return
        last = chunk[-1].pk


def _moment(value: dt.datetime | None) -> str | None:
    # UTC with a Z: a dataset compared across newsrooms should not carry the server's time zone.
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def claim_record(claim: Claim, options: ExportOptions, scale: RatingScale) -> dict[str, Any]:
    """One claim as a JSON Lines record (the CSV row flattens it)."""
    verdict = getattr(claim, "verdict", None)
    rating = scale.ratings.get(verdict.rating_id) if verdict is not None else None
    text = verdict_text_for(claim, options.language)
    record: dict[str, Any] = {
        "id": claim.pk,
        "url": absolute(claim.get_absolute_url()),
        "status": claim.status,
        "language": claim.language,
        "text": claim.text,
        "translations": [
            {"language": t.language, "text": t.text, "origin": t.origin} for t in claim.translations.all()
        ],
        "claimant": claim.claimant.name if claim.claimant else None,
        "claimant_id": claim.claimant_id,
        "claim_date": claim.claim_date.isoformat() if claim.claim_date else None,
        "rating": rating.slug if rating else None,
        "rating_label": rating.label(options.language) if rating else None,
        "rating_class": rating.rating_class if rating else None,
        "rating_value": rating.value if rating else None,
        "verdict_language": text.language if text else None,
        "headline": text.headline if text else None,
        "explanation": text.explanation if text else None,
        "appearances": [
            {
                "source_id": a.source_id,
                # The original where we know it, else our archived copy (as the API and ClaimReview do).
                "url": a.source.url or absolute(a.source.get_absolute_url()),
                "quote": a.quote,
                "outlet": a.source.outlet.name if a.source.outlet else None,
            }
            for a in claim.exported_appearances  # type: ignore[attr-defined]
        ],
        "published_at": _moment(claim.published_at),
        "updated_at": _moment(claim.updated_at),
        "corrections_count": getattr(claim, "corrections_count", 0),
    }
    if options.include_retracted:
        record["retracted_at"] = _moment(claim.retracted_at)
        record["retraction_reason"] = claim.retraction_reason or None
    return record


def iter_records(
    queryset: QuerySet[Claim], options: ExportOptions, chunk_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """The export's records, one per claim of ``queryset`` (which should come from ``exportable_claims``)."""
    scale = rating_scale()  # once: from Redis, a lookup per claim would be a round trip per claim
    # Public pages are under /<lang>/: their links follow the export's language where the site has it.
    page_language = site_language(options.language) or settings.LANGUAGE_CODE
    for claim in iter_claims(queryset, chunk_size):
        # Activated per record, not across the yield: a stream abandoned half-way must not restore a
        # language later, in whatever this thread is doing by then.
        with translation.override(page_language):
            record = claim_record(claim, options, scale)
        yield record


# --- Writers ------------------------------------------------------------------------------------------


def jsonl_line(record: Mapping[str, Any]) -> str:
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _LINE_BREAKS.items():
        if character in line:  # only ever inside a string: JSON has no other place for them
            line = line.replace(character, escaped)
    return line + "\n"


def iter_jsonl(records: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """JSON Lines: one UTF-8 JSON object per line, ``\\n``-terminated."""
    for record in records:
        yield jsonl_line(record)


def csv_columns(include_retracted: bool) -> list[str]:
    return [*CSV_COLUMNS, *RETRACTION_COLUMNS] if include_retracted else list(CSV_COLUMNS)


def safe_cell(value: Any) -> str:
    """A value as a CSV cell: empty for none, and never a formula a spreadsheet would run."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cells(record: Mapping[str, Any], columns: list[str]) -> list[str]:
    appearances = record["appearances"]
    flat = {
        **record,
        # A cell holds one value: the translations as JSON text, the appearances as the first one's address.
        "translations": json.dumps(record["translations"], ensure_ascii=False),
        "first_appearance_url": appearances[0]["url"] if appearances else None,
        "appearances_count": len(appearances),
    }
    return [safe_cell(flat.get(column)) for column in columns]


class _Line:
    """A file-like object whose ``write`` hands back what it was given: the csv module then formats one
    row at a time, with nothing accumulating (the pattern Django's docs give for streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def iter_csv(
    records: Iterable[Mapping[str, Any]], *, include_retracted: bool = False, bom: bool = False
) -> Iterator[str]:
    """CSV (RFC 4180: comma-separated, double-quoted where needed, CRLF rows), header first.

    ``bom`` starts it with a byte order mark, which Excel needs to read UTF-8 (Vietnamese) correctly
    and which most other tools do not expect.
    """
    columns = csv_columns(include_retracted)
    writer = csv.writer(_Line())
    header: str = writer.writerow(columns)  # type: ignore[func-returns-value]
    yield ("\ufeff" + header) if bom else header
    for record in records:
        yield writer.writerow(csv_cells(record, columns))  # type: ignore[func-returns-value]


def buffered(pieces: Iterable[str], size: int = STREAM_BUFFER) -> Iterator[str]:
    """``pieces`` joined into strings of about ``size`` characters, for a streamed HTTP response."""
    gathered: list[str] = []
    length = 0
    for piece in pieces:
        gathered.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(gathered)
            gathered, length = [], 0
    if gathered:
        yield "".join(gathered)


def write_csv(
    records: Iterable[Mapping[str, Any]], stream: IO[str], *, include_retracted: bool = False, bom: bool = False
) -> int:
    """Write ``records`` as CSV to ``stream`` (opened with ``newline=""``); the number of claims written."""
    lines = iter_csv(records, include_retracted=include_retracted, bom=bom)
    stream.write(next(lines))  # the header
    count = 0
    for line in lines:
        stream.write(line)
        count += 1
    return count


def write_jsonl(records: Iterable[Mapping[str, Any]], stream: IO[str]) -> int:
    """Write ``records`` as JSON Lines to ``stream``; the number of lines written."""
    count = 0
    for line in iter_jsonl(records):
        stream.write(line)
        count += 1
    return count
