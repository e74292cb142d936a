"""Likely duplicates of a claim: "have we (or anyone) checked this already?"

Unlike a search, a duplicate need not contain every word: a claim is reworded, shortened, translated or
its names respelled. Candidates are the claims sharing the most words with the new one (PostgreSQL:
full-text OR query over the GIN index, best 200 by rank; SQLite: every document), then re-scored here
line by line (the wording and each translation are lines of the document): the share of the new claim's
words found in the line (short function words count little, a respelled name counts by its trigram
similarity), plus a bonus for shared word pairs. Translations are how another language is matched:
an English probe meets the English translation of a Vietnamese claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from django.db import connection
from django.db.models import QuerySet

from sources.folding import key

from .models import Claim, SearchDocument
from .search import DOCUMENT_TSVECTOR, FUZZY_MIN_LENGTH, SIMILARITY, word_similarity

CANDIDATES = 200
#: Below this score a claim is not suggested.
MIN_SCORE = 0.35
#: Words that carry little meaning, folded (Vietnamese and English function words, digits aside).
LIGHT_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "by",
        "with",
        "from",
        "that",
        "this",
        "it",
        "its",
        "as",
        "cua",
        "da",
        "la",
        "va",
        "cac",
        "nhung",
        "mot",
        "co",
        "khi",
        "de",
        "cho",
        "voi",
        "tai",
        "trong",
        "ve",
        "duoc",
        "nay",
        "do",
        "thi",
        "se",
        "dang",
        "rang",
        "cung",
        "nhu",
        "tu",
        "o",
        "ra",
        "vao",
        "ong",
        "ba",
        "ho",
    ]
)


@dataclass(frozen=True)
class Suggestion:
    claim_id: int
    score: float


def _weight(word: str) -> float:
    return 0.25 if word in LIGHT_WORDS else 1.0


def score_line(probe: list[str], line: list[str]) -> float:
    """How much of ``probe`` (key words) ``line`` says, 0..1.5: weighted word overlap, pair bonus."""
    if not probe or not line:
        return 0.0
    words = set(line)
    total = sum(_weight(word) for word in probe)
    found = 0.0
    for word in probe:
        if word in words:
            found += _weight(word)
        elif len(word) >= FUZZY_MIN_LENGTH:
            similarity = word_similarity(word, (w for w in words if len(w) >= FUZZY_MIN_LENGTH - 1))
            if similarity >= SIMILARITY:
                found += similarity * _weight(word)
    pairs = set(pairwise(probe))
    line_pairs = set(pairwise(line))
    pair_bonus = 0.5 * len(pairs & line_pairs) / len(pairs) if pairs else 0.0
    return found / total + pair_bonus


def _candidates(queryset: QuerySet[Claim], probe: list[str]) -> Iterable[tuple[int, str]]:
    documents = SearchDocument.objects.filter(claim__in=queryset.order_by().values("pk"))
    if connection.vendor != "postgresql":
        return documents.values_list("claim_id", "all_key").iterator()
    words = sorted({word for word in probe if word not in LIGHT_WORDS}) or sorted(set(probe))
    tsquery = " | ".join(words)  # key words are [a-z0-9]+: nothing to escape in a tsquery
    sql, params = documents.values("claim_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.claim_id, d.all_key FROM claims_searchdocument d
            WHERE {DOCUMENT_TSVECTOR} @@ to_tsquery('simple'::regconfig, %s) AND d.claim_id IN ({sql})
            ORDER BY ts_rank({DOCUMENT_TSVECTOR}, to_tsquery('simple'::regconfig, %s)) DESC
            LIMIT {CANDIDATES}
            """,  # noqa: S608 - constants and Django's compiled subquery; values are parameters
            [tsquery, *params, tsquery],
        )
        return cursor.fetchall()


def find_duplicates(
    texts: Iterable[str], queryset: QuerySet[Claim] | None = None, exclude: int | None = None, limit: int = 10
) -> list[Suggestion]:
    """Claims of ``queryset`` (default: all) that likely say what ``texts`` say (a claim's wording and
    its translations), best first."""
    probes = [probe for probe in (key(text).split() for text in texts) if probe]
    if not probes:
        return []
    queryset = Claim.objects.all() if queryset is None else queryset
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    best: dict[int, float] = {}
    for probe in probes:
        for claim_id, all_key in _candidates(queryset, probe):
            lines = [line.split() for line in all_key.split("\n")]
            score = max(score_line(probe, line) for line in lines)
            best[claim_id] = max(best.get(claim_id, 0.0), score)
    ranked = sorted(((score, claim_id) for claim_id, score in best.items() if score >= MIN_SCORE), reverse=True)
    return [Suggestion(claim_id, round(score, 3)) for score, claim_id in ranked[:limit]]
