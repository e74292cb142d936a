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

from collections.abc import Iterable, Set
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from sources.folding import key, sound, sound_words

from .models import Claim, ClaimLink, DuplicateSuggestion, LinkKind, SearchDocument
from .search import FUZZY_MIN_LENGTH, LIGHT_WORDS, SIMILARITY, SOUND_MATCH, word_similarity, word_weight

CANDIDATES = 200
#: Below this score a claim is not suggested.
MIN_SCORE = 0.35


@dataclass(frozen=True)
class Suggestion:
    claim_id: int
    score: float


@lru_cache(maxsize=1024)
def _probe_parts(probe: tuple[str, ...]) -> tuple[float, frozenset[tuple[str, str]]]:
    """A probe's total weight and its word pairs that hold a content word ("of the" says nothing):
    the same for every line it is scored against."""
    total = sum(word_weight(word) for word in probe)
    pairs = frozenset(pair for pair in pairwise(probe) if max(word_weight(word) for word in pair) == 1.0)
    return total, pairs


def score_line(probe: list[str], line: list[str], sounds: Set[str] = frozenset()) -> float:
    """How much of ``probe`` (key words) ``line`` says, 0..1.5: weighted word overlap (a respelled word
    counts by its trigram similarity or its sound key), plus a bonus for shared word pairs."""
    if not probe or not line:
        return 0.0
    words = set(line)
    total, pairs = _probe_parts(tuple(probe))
    long_words: list[str] | None = None
    found = 0.0
    for word in probe:
        if word in words:
            found += word_weight(word)
        elif len(word) >= FUZZY_MIN_LENGTH:
            if long_words is None:
                long_words = [w for w in words if len(w) >= FUZZY_MIN_LENGTH - 1]
            similarity = word_similarity(word, long_words)
            best = similarity if similarity >= SIMILARITY else 0.0
            if sound(word) in sounds:
                best = max(best, SOUND_MATCH)
            found += best * word_weight(word)
    pair_bonus = 0.5 * len(pairs & set(pairwise(line))) / len(pairs) if pairs else 0.0
    return found / total + pair_bonus


def _candidates(queryset: QuerySet[Claim], probe: list[str]) -> Iterable[tuple[int, str]]:
    documents = SearchDocument.objects.filter(claim__in=queryset.order_by().values("pk"))
    if connection.vendor != "postgresql":
        return documents.values_list("claim_id", "all_key").iterator()
    words = sorted({word for word in probe if word not in LIGHT_WORDS}) or sorted(set(probe))
    tsquery = " | ".join(words)  # key words are [a-z0-9]+: nothing to escape in a tsquery
    sound_query = " | ".join(sorted(set(sound_words(" ".join(words))))) or "\x01"
    sql, params = documents.values("claim_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.claim_id, d.all_key FROM claims_searchdocument d
            WHERE (d.vector @@ to_tsquery('simple'::regconfig, %s)
                   OR d.sound_vector @@ to_tsquery('simple'::regconfig, %s))
                AND d.claim_id IN ({sql})
            ORDER BY ts_rank(d.vector, to_tsquery('simple'::regconfig, %s))
                + 0.5 * ts_rank(d.sound_vector, to_tsquery('simple'::regconfig, %s)) DESC
            LIMIT {CANDIDATES}
            """,  # noqa: S608 - constants and Django's compiled subquery; values are parameters
            [tsquery, sound_query, *params, tsquery, sound_query],
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
            score = max(score_line(probe, line, set(sound_words(" ".join(line)))) for line in lines)
            best[claim_id] = max(best.get(claim_id, 0.0), score)
    ranked = sorted(((score, claim_id) for claim_id, score in best.items() if score >= MIN_SCORE), reverse=True)
    return [Suggestion(claim_id, round(score, 3)) for score, claim_id in ranked[:limit]]


# --- Editors' decisions ----------------------------------------------------------------------------------


class DecisionError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decide(suggestion_id: int, user: Any, confirm: bool) -> DuplicateSuggestion:
    """Confirm (the claims are linked as the same claim) or dismiss a suggested duplicate, once."""
    with transaction.atomic():
        suggestion = DuplicateSuggestion.objects.select_for_update().filter(pk=suggestion_id).first()
        if suggestion is None:
            raise DecisionError(gettext("This suggestion no longer exists: the claim was changed or deleted."))
        if suggestion.status != DuplicateSuggestion.Status.PENDING:
            raise DecisionError(
                gettext("This suggestion was already decided (%(status)s).")
                % {"status": suggestion.get_status_display()}
            )
        if confirm:
            existing = ClaimLink.objects.filter(
                Q(from_claim_id=suggestion.claim_id, to_claim_id=suggestion.candidate_id)
                | Q(from_claim_id=suggestion.candidate_id, to_claim_id=suggestion.claim_id)
            ).first()
            if existing is not None and existing.kind != LinkKind.SAME_AS:
                raise DecisionError(
                    gettext("These claims are already linked (%(link)s): change that link instead.")
                    % {"link": existing.get_kind_display()}
                )
            if existing is None:
                try:
                    with transaction.atomic():  # someone linking the pair by hand right now wins
                        ClaimLink.objects.create(
                            from_claim_id=suggestion.claim_id,
                            to_claim_id=suggestion.candidate_id,
                            kind=LinkKind.SAME_AS,
                            created_by=user,
                            note=gettext("Confirmed duplicate suggestion (likeness %(score).2f).")
                            % {"score": suggestion.score},
                        )
                except IntegrityError:
                    raise DecisionError(
                        gettext("These claims were just linked by someone else: reload the page.")
                    ) from None
        suggestion.status = DuplicateSuggestion.Status.CONFIRMED if confirm else DuplicateSuggestion.Status.DISMISSED
        suggestion.decided_by = user
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        return suggestion
