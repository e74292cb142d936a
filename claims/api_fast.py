"""The claims list of the API without model instances: ``values()`` rows shaped by plain functions.

A page of 50 claims through ``ClaimSerializer`` built ~460 model instances and ran DRF's nested
serializers and one ``reverse()`` per URL: ~40 ms of Python a page, where the four statements take
~3 ms (bench/README.md). Here the same four statements return tuples (the page's own through the
ORM, for the filters and the cursor; the three after it as plain SQL), the URL prefixes are reversed
once a page, and the rating scale is read once. The output is the serializer's, field for field and in
the same order: ``tests/test_api_fast.py`` renders both and compares the bytes. A change to the list's
shape is made in both places (``ClaimSerializer`` stays the detail's shape and the OpenAPI schema's).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from sources.text import slugify_any

from .claimreview import absolute
from .models import PUBLIC_STATUSES, Claim, ClaimStatus, ClaimTranslation
from .ratings import rating_scale

#: The claim's own columns and its claimant's and verdict's (joined), as the list shows them.
CLAIM_COLUMNS = (
    "id",
    "status",
    "language",
    "text",
    "claim_date",
    "published_at",
    "updated_at",
    "version",
    "retracted_at",
    "retraction_reason",
    "claimant_id",
    "claimant__name",
    "claimant__kind",
    "verdict__id",
    "verdict__rating",
    "verdict__valid_as_of",
    "verdict__recheck_after",
)

_PUBLIC = frozenset(PUBLIC_STATUSES)

# The three statements after the page's own, written out: the ORM's ``values_list`` built the same SQL
# again for every page (compiling the lookups, converting each id), 1.3 ms of a page's ~7 ms of Python
# (bench/README.md). Plain SQL that PostgreSQL and SQLite both read; the ids go in as parameters.
TRANSLATIONS_SQL = """
    SELECT claim_id, language, text, origin FROM claims_claimtranslation
    WHERE claim_id IN ({ids}) ORDER BY language
"""
VERDICT_TEXTS_SQL = """
    SELECT verdict_id, language, headline, explanation FROM claims_verdicttext
    WHERE verdict_id IN ({ids}) ORDER BY language
"""
APPEARANCES_SQL = """
    SELECT a.claim_id, a.id, a.source_id, s.url, s.title, s.outlet_id, o.name, s.published_at,
        a.quote, a.start, a."end", a.is_first
    FROM claims_appearance a
    INNER JOIN sources_source s ON s.id = a.source_id
    LEFT OUTER JOIN sources_outlet o ON o.id = s.outlet_id
    WHERE a.claim_id IN ({ids}) ORDER BY a.is_first DESC, a.id
"""


def _fetch(sql: str, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The rows of one of the statements above for these ids (none without ids)."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), list(ids))
        return cursor.fetchall()


def claim_rows(queryset: QuerySet[Claim]) -> QuerySet[Claim, dict[str, Any]]:
    """``queryset`` (filtered, not yet paginated) as rows of ``CLAIM_COLUMNS``, for the cursor paginator:
    it pages on ``id``, or on ``search_rank`` when a search annotated it."""
    columns = CLAIM_COLUMNS + (("search_rank",) if "search_rank" in queryset.query.annotations else ())
    return queryset.values(*columns)


def _moment(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """As DRF's ``DateTimeField`` writes it: in the current time zone, ``Z`` for UTC."""
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite's plain SQL: Django stores UTC there, without an offset
        value = value.replace(tzinfo=dt.UTC)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _utc_moment(value: dt.datetime | None) -> str | None:
    """As DRF's JSON encoder writes a datetime no field formatted (``retraction.retracted_at``)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _path_around(name: str, kwargs: dict[str, Any], marker: str) -> tuple[str, str]:
    """The absolute URL of ``name`` split around ``marker`` (what each row fills in): one reverse a page."""
    head, found, tail = absolute(reverse(name, kwargs=kwargs)).rpartition(marker)
    if not found:  # pragma: no cover - the URL patterns changed shape
        raise ValueError(f"{name} does not end with {marker!r}")
    return head, tail


def _localized(
    language: str, text: str, translations: Sequence[tuple[str, str, str]], wanted: Sequence[str]
) -> dict[str, str]:
    """``claims.api.localized`` on plain rows: the first wanted language we have the wording in."""
    for asked in wanted:
        found = (language, text, "original")
        if not (language == asked or language.split("-")[0] == asked):
            for t_language, t_text, t_origin in translations:
                if t_language == asked or t_language.split("-")[0] == asked:
                    found = (t_language, t_text, "machine" if t_origin == ClaimTranslation.Origin.MACHINE else "human")
                    break
        if found[0].split("-")[0] == asked.split("-")[0]:
            return {"language": found[0], "text": found[1], "origin": found[2]}
    return {"language": language, "text": text, "origin": "original"}


def claims_json(rows: Sequence[dict[str, Any]], wanted: Sequence[str]) -> list[dict[str, Any]]:
    """The list's JSON of one page of ``claim_rows``, in ``wanted`` languages (as ``ClaimSerializer``).

    Three statements more, whatever the page holds: translations, verdict texts, appearances with
    their sources and outlets."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    translations: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for claim_id, language, text, origin in _fetch(TRANSLATIONS_SQL, ids):
        translations[claim_id].append((language, text, origin))
    verdict_ids = [row["verdict__id"] for row in rows if row["verdict__id"] is not None]
    texts: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for verdict_id, language, headline, explanation in _fetch(VERDICT_TEXTS_SQL, verdict_ids):
        texts[verdict_id][language] = (headline, explanation)
    appearances: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for appearance in _fetch(APPEARANCES_SQL, ids):
        appearances[appearance[0]].append(appearance)

    zone = timezone.get_current_timezone()
    ratings = rating_scale().ratings
    claim_head, claim_tail = _path_around("public:claim", {"pk": 0, "slug": "claim"}, "0-claim")
    source_head, source_tail = _path_around("public:source", {"pk": 0}, "0")
    results = []
    for row in rows:
        claim_id, language, text, status = row["id"], row["language"], row["text"], row["status"]
        own = translations.get(claim_id, [])
        url = None
        if status in _PUBLIC:
            english = next((t_text for t_language, t_text, _o in own if t_language.startswith("en")), None)
            url = f"{claim_head}{claim_id}-{slugify_any(english or text) or 'claim'}{claim_tail}"
        verdict = None
        if row["verdict__id"] is not None:
            by_language = texts.get(row["verdict__id"], {})
            candidates = [tag for choice in (*wanted, language) for tag in (choice, choice.split("-")[0])]
            chosen_language = next((tag for tag in candidates if tag in by_language), None)
            chosen_language = chosen_language or next(iter(by_language), None)
            chosen = by_language[chosen_language] if chosen_language else None
            verdict_language = chosen_language or language
            rating = ratings[row["verdict__rating"]]
            verdict = {
                "rating": {
                    "slug": rating.slug,
                    "label": rating.label(verdict_language),
                    "class": rating.rating_class,
                    "value": rating.value,
                },
                "language": verdict_language,
                "headline": chosen[0] if chosen else None,
                "explanation": chosen[1] if chosen else None,
                "valid_as_of": _day(row["verdict__valid_as_of"]),
                "recheck_after": _day(row["verdict__recheck_after"]),
            }
        results.append(
            {
                "id": claim_id,
                "url": url,
                "status": status,
                "language": language,
                "text": text,
                "localized": _localized(language, text, own, wanted),
                "translations": [{"language": t[0], "text": t[1], "origin": t[2]} for t in own],
                "claimant": (
                    {"id": row["claimant_id"], "name": row["claimant__name"], "kind": row["claimant__kind"]}
                    if row["claimant_id"] is not None
                    else None
                ),
                "claim_date": _day(row["claim_date"]),
                "verdict": verdict,
                "appearances": [
                    {
                        "id": a[1],
                        "source": a[2],
                        "source_url": a[3] or f"{source_head}{a[2]}{source_tail}",
                        "title": a[4],
                        "outlet": {"id": a[5], "name": a[6]} if a[5] is not None else None,
                        "published_at": _moment(a[7], zone),
                        "quote": a[8],
                        "start": a[9],
                        "end": a[10],
                        "is_first": a[11],
                    }
                    for a in appearances.get(claim_id, [])
                ],
                "published_at": _moment(row["published_at"], zone),
                "updated_at": _moment(row["updated_at"], zone),
                "version": row["version"],
                "retraction": (
                    {"reason": row["retraction_reason"], "retracted_at": _utc_moment(row["retracted_at"])}
                    if status == ClaimStatus.RETRACTED
                    else None
                ),
            }
        )
    return results
