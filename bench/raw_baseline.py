"""The raw baseline of the API list benchmark: a minimal WSGI app, no Django request cycle, no DRF.

It answers ``GET /api/v1/claims/?page_size=50&lang=en[&cursor=…]`` with the JSON the API gives (the same
``results``; ``next``/``previous`` links in the same cursor format), by running the four queries Django
runs for that page — the same tables, joins, columns, filters and order (the claims with claimant and
verdict; their translations; their verdict texts; their appearances with source and outlet) — through
one psycopg connection per worker, and serialising with orjson. The rating scale is read once per
worker, as Django keeps it in its cache.

Run by ``bench/api_list.py`` under gunicorn, with the same workers as the Django app:
``gunicorn bench.raw_baseline:application`` with ``DATABASE_URL`` set.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import orjson
import psycopg
from anyascii import anyascii
from django.utils.text import slugify

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ZONE = zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh"))
SITE_LANGUAGES = {"vi", "en"}
PUBLIC = ("published", "retracted")

# The statements Django issues for the page (claims.api.ClaimViewSet.list; see the module docstring).
CLAIMS_SQL = """
SELECT c.id, c.text, c.language, c.claimant_id, c.claim_date, c.status, c.author_id, c.internal_notes, c.version,
       c.created_at, c.updated_at, c.published_at, c.retracted_at, c.retraction_reason,
       a.id, a.name, a.kind, a.description, a.country, a.wikidata_id, a.created_at,
       v.id, v.claim_id, v.rating_id, v.author_id, v.reviewer_id, v.valid_as_of, v.recheck_after,
       v.recheck_due_since, v.version, v.created_at, v.updated_at
FROM claims_claim c
LEFT OUTER JOIN sources_actor a ON c.claimant_id = a.id
LEFT OUTER JOIN claims_verdict v ON c.id = v.claim_id
WHERE c.status IN ('published', 'retracted') {before}
ORDER BY c.id DESC LIMIT %s
"""
TRANSLATIONS_SQL = """
SELECT id, claim_id, language, text, origin, created_at, updated_at FROM claims_claimtranslation
WHERE claim_id = ANY(%s) ORDER BY language ASC
"""
VERDICT_TEXTS_SQL = """
SELECT id, verdict_id, language, headline, explanation FROM claims_verdicttext
WHERE verdict_id = ANY(%s) ORDER BY language ASC
"""
APPEARANCES_SQL = """
SELECT ap.id, ap.claim_id, ap.source_id, ap.quote, ap.start, ap."end", ap.is_first, ap.created_at,
       s.id, s.outlet_id, s.kind, s.url, s.title, s.language, s.published_at, s.text, s.content_hash, s.reference,
       s.fetch_status, s.fetch_error, s.fetched_at, s.fetch_due_at, s.link_status, s.link_checked_at,
       s.needs_candidates, s.created_by_id, s.created_at, s.updated_at,
       o.id, o.name, o.home_url, o.domain, o.country, o.language, o.created_at
FROM claims_appearance ap
INNER JOIN sources_source s ON ap.source_id = s.id
LEFT OUTER JOIN sources_outlet o ON s.outlet_id = o.id
WHERE ap.claim_id = ANY(%s) ORDER BY ap.is_first DESC, ap.id ASC
"""
RATINGS_SQL = """
SELECT r.id, r.slug, r.value, r.rating_class, l.language, l.label
FROM claims_rating r LEFT OUTER JOIN claims_ratinglabel l ON l.rating_id = r.id ORDER BY r.value DESC, l.language
"""

_connection: psycopg.Connection[Any] | None = None
_ratings: dict[int, dict[str, Any]] = {}


def connection() -> psycopg.Connection[Any]:
    """This worker's connection (opened after gunicorn forks), reopened if it broke."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        with _connection.cursor() as cursor:
            cursor.execute(RATINGS_SQL)
            for rating_id, slug, value, rating_class, language, label in cursor.fetchall():
                rating = _ratings.setdefault(
                    rating_id, {"slug": slug, "value": value, "class": rating_class, "labels": {}}
                )
                if language:
                    rating["labels"][language] = label
    return _connection


def rating_json(rating_id: int, language: str) -> dict[str, Any]:
    rating = _ratings[rating_id]
    labels = rating["labels"]
    label = next(
        (labels[tag] for tag in (language, language.split("-")[0], "en") if tag in labels),
        next(iter(labels.values()), rating["slug"]),
    )
    return {"slug": rating["slug"], "label": label, "class": rating["class"], "value": rating["value"]}


def moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    text = value.astimezone(ZONE).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def utc_moment(value: dt.datetime | None) -> str | None:
    """As DRF's JSON encoder writes a datetime no serializer field formatted (``retraction.retracted_at``)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def slug_of(text: str) -> str:
    slug = slugify(anyascii(unicodedata.normalize("NFC", text)))
    if len(slug) > 80:
        slug = slug[:80].rsplit("-", 1)[0] or slug[:80]
    return slug or "claim"


def grouped(rows: Iterable[tuple[Any, ...]], column: int) -> dict[int, list[tuple[Any, ...]]]:
    groups: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return groups


def page(lang: str, size: int, before: int | None) -> tuple[list[dict[str, Any]], bool]:
    """One page of public claims, newest id first, below ``before``; and whether there are more."""
    cursor = connection().cursor()
    if before is None:
        cursor.execute(CLAIMS_SQL.format(before=""), [size + 1])
    else:
        cursor.execute(CLAIMS_SQL.format(before="AND c.id < %s"), [before, size + 1])
    claims = cursor.fetchall()
    more = len(claims) > size
    claims = claims[:size]
    ids = [row[0] for row in claims]
    verdict_ids = [row[21] for row in claims if row[21] is not None]
    cursor.execute(TRANSLATIONS_SQL, [ids])
    translations = grouped(cursor.fetchall(), 1)
    texts = grouped(cursor.execute(VERDICT_TEXTS_SQL, [verdict_ids]).fetchall(), 1) if verdict_ids else {}
    cursor.execute(APPEARANCES_SQL, [ids])
    appearances = grouped(cursor.fetchall(), 1)
    cursor.close()
    site = lang.split("-")[0] if lang.split("-")[0] in SITE_LANGUAGES else "vi"
    results = []
    for row in claims:
        claim_id, text, language, status = row[0], row[1], row[2], row[5]
        claim_translations = translations.get(claim_id, [])
        localized = {"language": language, "text": text, "origin": "original"}
        if not (language == lang or language.split("-")[0] == lang):
            for t in claim_translations:
                if t[2] == lang or t[2].split("-")[0] == lang:
                    localized = {"language": t[2], "text": t[3], "origin": "machine" if t[4] == "machine" else "human"}
                    break
        english = next((t[3] for t in claim_translations if t[2].startswith("en")), None)
        verdict = None
        if row[21] is not None:
            by_language = {t[2]: t for t in texts.get(row[21], [])}
            wanted = [tag for choice in (lang, language) for tag in (choice, choice.split("-")[0])]
            chosen = next((by_language[tag] for tag in wanted if tag in by_language), None)
            chosen = chosen or next(iter(by_language.values()), None)
            verdict_language = chosen[2] if chosen else language
            verdict = {
                "rating": rating_json(row[23], verdict_language),
                "language": verdict_language,
                "headline": chosen[3] if chosen else None,
                "explanation": chosen[4] if chosen else None,
                "valid_as_of": day(row[26]),
                "recheck_after": day(row[27]),
            }
        public = status in PUBLIC
        results.append(
            {
                "id": claim_id,
                "url": f"{SITE_URL}/{site}/claims/{claim_id}-{slug_of(english or text)}/" if public else None,
                "status": status,
                "language": language,
                "text": text,
                "localized": localized,
                "translations": [{"language": t[2], "text": t[3], "origin": t[4]} for t in claim_translations],
                "claimant": {"id": row[14], "name": row[15], "kind": row[16]} if row[14] is not None else None,
                "claim_date": day(row[4]),
                "verdict": verdict,
                "appearances": [
                    {
                        "id": a[0],
                        "source": a[2],
                        "source_url": a[11] or f"{SITE_URL}/{site}/sources/{a[8]}/",
                        "title": a[12],
                        "outlet": {"id": a[28], "name": a[29]} if a[28] is not None else None,
                        "published_at": moment(a[14]),
                        "quote": a[3],
                        "start": a[4],
                        "end": a[5],
                        "is_first": a[6],
                    }
                    for a in appearances.get(claim_id, [])
                ],
                "published_at": moment(row[11]),
                "updated_at": moment(row[10]),
                "version": row[8],
                "retraction": {"reason": row[13], "retracted_at": utc_moment(row[12])}
                if status == "retracted"
                else None,
            }
        )
    return results, more


def cursor_link(host: str, query: dict[str, str], position: int, reverse: bool = False) -> str:
    fields = {"r": "1", "p": str(position)} if reverse else {"p": str(position)}
    token = base64.b64encode(urlencode(fields).encode()).decode()
    rest = {key: value for key, value in sorted(query.items()) if key != "cursor"}
    return f"http://{host}/api/v1/claims/?cursor={quote(token)}&" + urlencode(rest)


def decode_cursor(token: str) -> int | None:
    fields = parse_qs(base64.b64decode(token.encode()).decode())
    return int(fields["p"][0]) if "p" in fields and "r" not in fields else None


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
    size = int(query.get("page_size", "20"))
    lang = query.get("lang", "vi")
    before = decode_cursor(query["cursor"]) if "cursor" in query else None
    results, more = page(lang, size, before)
    host = environ.get("HTTP_HOST", "127.0.0.1")
    body = orjson.dumps(
        {
            "next": cursor_link(host, query, results[-1]["id"]) if more and results else None,
            "previous": cursor_link(host, query, results[0]["id"], reverse=True) if before and results else None,
            "results": results,
        }
    )
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
