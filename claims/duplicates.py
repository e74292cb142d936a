"""Likely duplicates of a claim: "have we (or anyone) checked this already?"

Unlike a search, a duplicate need not contain every word: a claim is reworded, shortened, translated or
its names respelled. Candidates are the claims sharing the most words with the new one (PostgreSQL: the
documents holding the new claim's rarest words or their sound keys, found through the GIN indexes, best
200 by rank over all its words; SQLite: every document), then re-scored here
line by line (the wording and each translation are lines of the document): the share of the new claim's
words found in the line (short function words count little, a respelled name counts by its trigram
similarity), plus a bonus for shared word pairs. Translations are how another language is matched:
an English probe meets the English translation of a Vietnamese claim.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from sources.folding import key, sound, sound_words

from .models import Claim, ClaimLink, DuplicateSuggestion, LinkKind, SearchDocument
from .search import (
    FUZZY_MIN_LENGTH,
    LIGHT_WORDS,
    SIMILARITY,
    SOUND_MATCH,
    word_similarity,
    word_statistics,
    word_weight,
)

CANDIDATES = 200
#: PostgreSQL: about how many documents (by the planner's statistics) the candidates are chosen from.
CANDIDATE_DOCUMENTS = 4_000
#: When even the probe's rarest word is in more documents: candidates hold two of its rarest words.
FALLBACK_WORDS = 4
#: ... and among the newest this many documents (by claim id).
FALLBACK_WINDOW = 50_000
#: Below this score a claim is not suggested.
MIN_SCORE = 0.35


@dataclass(frozen=True)
class Suggestion:
    claim_id: int
    score: float


@dataclass(frozen=True)
class _Probe:
    """A probe's key words prepared once for every line it is scored against: each word with its weight,
    the long ones (which may be respelled), the total weight, and the word pairs that hold a content word
    ("of the" says nothing)."""

    words: tuple[tuple[str, float], ...]
    long_words: tuple[tuple[str, float], ...]
    total: float
    pairs: frozenset[tuple[str, str]]

    @classmethod
    @lru_cache(maxsize=1024)
    def of(cls, probe: tuple[str, ...]) -> _Probe:
        words = tuple((word, word_weight(word)) for word in probe)
        return cls(
            words,
            tuple((word, weight) for word, weight in words if len(word) >= FUZZY_MIN_LENGTH),
            sum(weight for _word, weight in words),
            frozenset(pair for pair in pairwise(probe) if max(word_weight(word) for word in pair) == 1.0),
        )


class _Line:
    """One line of a document (the wording or a translation): its words, word pairs, and, when first
    needed, its long words and sound keys."""

    __slots__ = ("_long", "pairs", "words")

    def __init__(self, line: list[str]) -> None:
        self.words = set(line)
        self.pairs = set(pairwise(line))
        self._long: tuple[list[str], set[str]] | None = None

    def long_words_and_sounds(self) -> tuple[list[str], set[str]]:
        if self._long is None:
            long_words = [w for w in self.words if len(w) >= FUZZY_MIN_LENGTH - 1]
            self._long = long_words, {sound(w) for w in self.words} - {""}
        return self._long


def _bound(probe: _Probe, line: _Line) -> tuple[float, float, float]:
    """The cheap part of a probe against a line: the exact words' weight, the shared pairs' bonus, and
    the most the line can score once respellings are looked for (each missing long word at best 1.0)."""
    words = line.words
    found = sum(weight for word, weight in probe.words if word in words)
    missing = sum(weight for word, weight in probe.long_words if word not in words)
    bonus = 0.5 * len(probe.pairs & line.pairs) / len(probe.pairs) if probe.pairs else 0.0
    return (found + missing) / probe.total + bonus, found, bonus


def _score(probe: _Probe, line: _Line, found: float, bonus: float) -> float:
    long_words: list[str] | None = None
    sounds: set[str] = set()
    for word, weight in probe.long_words:
        if word in line.words:
            continue
        if long_words is None:
            long_words, sounds = line.long_words_and_sounds()
        similarity = word_similarity(word, long_words)
        best = similarity if similarity >= SIMILARITY else 0.0
        if sound(word) in sounds:
            best = max(best, SOUND_MATCH)
        found += best * weight
    return found / probe.total + bonus


def score_line(probe: list[str], line: list[str]) -> float:
    """How much of ``probe`` (key words) ``line`` says, 0..1.5: weighted word overlap (a respelled word
    counts by its trigram similarity or its sound key), plus a bonus for shared word pairs."""
    if not probe or not line:
        return 0.0
    prepared, prepared_line = _Probe.of(tuple(probe)), _Line(line)
    _most, found, bonus = _bound(prepared, prepared_line)
    return _score(prepared, prepared_line, found, bonus)


def score_document(probes: list[list[str]], lines: list[list[str]], floor: float = 0.0) -> float:
    """The best ``score_line`` of any probe against any line, or 0.0 when it cannot exceed ``floor``.

    Looking for respellings (trigram similarity of every missing word to every long word of the line) is
    the costly part: it is done best bound first, and only while a line could still raise the score above
    ``floor`` and the best so far. The result is the same as scoring every pair."""
    prepared = [_Probe.of(tuple(probe)) for probe in probes if probe]
    prepared_lines = [_Line(line) for line in lines if line]
    matches = []
    for probe in prepared:
        for line in prepared_lines:
            bound, found, bonus = _bound(probe, line)
            if bound > floor:
                matches.append((bound, found, bonus, probe, line))
    matches.sort(key=lambda match: match[0], reverse=True)
    best = 0.0
    for bound, found, bonus, probe, line in matches:
        if bound + 1e-9 <= best:
            break
        best = max(best, _score(probe, line, found, bonus))
    return best if best > floor else 0.0


def _filter(probes: list[list[str]]) -> tuple[str, int | None]:
    """The full-text query on ``terms`` that chooses the candidates (PostgreSQL): the probes' rarest words
    and sound keys, by the planner's statistics, as many as keep the documents to read under
    CANDIDATE_DOCUMENTS.

    Ranking every document that shares any word took seconds at a million claims: common Vietnamese
    syllables are in a third of them. A claim worth suggesting shares its rare words (names, numbers,
    places) or their respellings. When even the rarest word is common (a generic statement), a candidate
    must hold two of a probe's FALLBACK_WORDS rarest and be among the newest FALLBACK_WINDOW documents
    (the second value: the window, or None).

    One query on ``terms``, answered by its index, which holds the words and the sound keys (these after a
    ``0``, migration 0015); its statistics count both."""
    frequencies, floor, documents = word_statistics()
    words = {word for probe in probes for word in probe}
    terms = sorted(
        [(frequencies.get(word, floor) * documents, 0, word) for word in words]
        + [(frequencies.get(f"0{key}", floor) * documents, 1, key) for key in sound_words(" ".join(words))]
    )
    chosen: dict[int, list[str]] = {0: [], 1: []}
    expected = 0.0
    for estimate, kind, term in terms:
        if expected + estimate > CANDIDATE_DOCUMENTS and (chosen[0] or kind == 1):
            continue
        chosen[kind].append(term)
        expected += estimate
    if expected <= CANDIDATE_DOCUMENTS or all(len(probe) < 2 for probe in probes):
        # Sound keys as ``terms`` holds them, after a 0 (migration 0015).
        return " | ".join([*chosen[0], *(f"0{key}" for key in chosen[1])]) or "\x01", None
    pairs: set[str] = set()
    for probe in probes:
        rarest = sorted(probe, key=lambda word: (frequencies.get(word, floor), word))[:FALLBACK_WORDS]
        pairs.update(f"({first} & {second})" for first, second in combinations(sorted(rarest), 2))
    return " | ".join(sorted(pairs)) or "\x01", FALLBACK_WINDOW


def _candidates(queryset: QuerySet[Claim], probes: list[list[str]]) -> Iterable[tuple[int, str]]:
    """The documents worth scoring against the probes (each a list of key words)."""
    documents = SearchDocument.objects.filter(claim__in=queryset.order_by().values("pk"))
    if connection.vendor != "postgresql":
        return documents.values_list("claim_id", "all_key").iterator()
    probes = [sorted({word for word in probe if word not in LIGHT_WORDS}) or sorted(set(probe)) for probe in probes]
    filter_terms, window = _filter(probes)
    window_sql = "" if window is None else "AND d.claim_id > (SELECT max(claim_id) FROM claims_searchdocument) - %s"
    ranks, rank_params = [], []
    for words in probes:
        # On ``terms``, as on the words alone: ``ts_rank`` counts only the lexemes its query names (migration
        # 0021). Key words are [a-z0-9]+: nothing to escape in a tsquery.
        ranks.append(
            "ts_rank(d.terms, to_tsquery('simple'::regconfig, %s))"
            " + 0.5 * ts_rank(d.terms, to_tsquery('simple'::regconfig, %s))"
        )
        rank_params += [" | ".join(words), " | ".join(f"0{key}" for key in sound_words(" ".join(words))) or "\x01"]
    sql, params = documents.values("claim_id").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # The filter was built to be selective: the full-text indexes, not a scan of every document (the
        # planner's estimate for OR queries is several times too high); JIT compiles for longer than this
        # bounded read runs. Both are put back afterwards: a caller's transaction (the duplicate scan) goes on.
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
            "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"
        )
        seqscan, jit = cursor.fetchone()[:2]
        # Ranked before the queryset's condition (OFFSET 0 keeps it so), which is then checked on the best
        # ones only, until CANDIDATES pass it: checking it on every match cost as much as the ranking.
        cursor.execute(
            f"""
            SELECT r.claim_id, r.all_key FROM (
                SELECT d.claim_id, d.all_key, GREATEST({", ".join(ranks)}) AS rank
                FROM claims_searchdocument d
                WHERE d.terms @@ to_tsquery('simple'::regconfig, %s) {window_sql}
                ORDER BY rank DESC OFFSET 0
            ) r
            WHERE r.claim_id IN ({sql})
            ORDER BY r.rank DESC
            LIMIT {CANDIDATES}
            """,  # noqa: S608 - constants and Django's compiled subquery; values are parameters
            [*rank_params, filter_terms, *([] if window is None else [window]), *params],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT set_config('enable_seqscan', %s, true), set_config('jit', %s, true)", [seqscan, jit])
        return rows


def find_duplicates(
    texts: Iterable[str], queryset: QuerySet[Claim] | None = None, exclude: int | None = None, limit: int = 10
) -> list[Suggestion]:
    """Claims of ``queryset`` (default: all) that likely say what ``texts`` say (a claim's wording and
    its translations), best first."""
    probes = [probe for probe in (key(text).split() for text in texts) if probe]
    if not probes or limit <= 0:
        return []
    queryset = Claim.objects.all() if queryset is None else queryset
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    # The best ``limit`` so far (a heap, worst first): a claim that cannot beat the worst of them once
    # there are ``limit`` is not scored in full.
    kept: list[tuple[float, int]] = []
    for claim_id, all_key in _candidates(queryset, probes):
        floor = MIN_SCORE - 1e-9 if len(kept) < limit else max(MIN_SCORE, kept[0][0]) - 1e-9
        score = score_document(probes, [line.split() for line in all_key.split("\n")], floor)
        if score >= MIN_SCORE:
            if len(kept) < limit:
                heapq.heappush(kept, (score, claim_id))
            else:
                heapq.heappushpop(kept, (score, claim_id))
    ranked = sorted(kept, reverse=True)
    return [Suggestion(claim_id, round(score, 3)) for score, claim_id in ranked]


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
