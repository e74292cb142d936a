"""Finding claims by words, across diacritics, spellings, scripts and languages.

One entry point, ``search_claims(queryset, query)``, for the API's ``q`` and the public ``/claims/``
page (the admin's claim search is still Django's own; ``claims.duplicates`` reuses the documents and
the similarity). It reads ``SearchDocument`` rows: per claim, its wording, every
translation and every quote, and the names (with aliases) of its claimant, the actors it mentions and
its places — folded by ``sources.folding``. A claim is found through any of them: ``ngung ban`` finds
``ngừng bắn``, ``Lybia`` finds claims about Libya, ``ceasefire`` a Vietnamese claim whose English
translation says it.

Matching: every word of the query must match a word of the document — exactly (after folding), or, for
words of five letters or more, by trigram similarity (a typo or a respelling: ``Gaddafi``/``Gadhafi``).
Ranking, best first: the query with its diacritics as typed appears in the document; the query's words
appear as a phrase (syllables of one Vietnamese word stay together); full-text rank and trigram
similarity; then the newest.

PostgreSQL: full-text search (``simple`` configuration) and pg_trgm over the ASCII keys, with GIN
indexes (migrations 0007, 0012 and 0015: one ``terms`` column holds a document's words and sound keys, so
that a query's whole condition is one indexed full-text query), so a query never scans the claims
table. A query expected to match few documents (``word_statistics``) reads them all in one pass.
Another first asks the index of the newest documents (migration 0017, ``refresh_recent_index``), where a
common word finds enough. Below it, the index is also cut into bands of BAND_IDS claim ids, each a partial
index of its own: when the matches among the newest documents promise enough in the newest few bands,
those are read, newest first, each asking only its own index. Else one pass over the older documents'
index says which match, and up to PROBE_DOCUMENTS of them are read by id, newest first (beyond, band by
band of ids). Every route ranks the same claims: each statement returns its candidates with their scores,
and they are ranked in Python. A share of the words (three of five) is asked of the index in groups of
word sets that share a word (``_required_groups``), which GIN can walk without the union of every word's
documents. Within one language, one claimant, one rating or rating class, one outlet, one source or one
mentioned actor (``filter(language=...)``, ``filter(claimant=...)``, ``filter(verdict__rating__slug=...)``,
the API's ``rating_class=``, ``outlet=``, ``source=`` and ``mentions=``), the index is also asked for the
documents' facets (migrations 0022 to 0024, ``document_facets``), so that it reads only the filter's
matches. The keys are ASCII: the database's ``LC_CTYPE`` cannot change what its parser and pg_trgm see.
SQLite (the embedded default): the same rules, scored in Python over the documents — meant for a
newsroom's laptop, not a million claims.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, In
from django.db.models.sql.constants import INNER
from django.db.models.sql.where import AND, WhereNode

from sources.folding import WordKeys, exact, is_syllable, key, sound
from sources.models import Actor, ActorAlias

from .bulk import alongside, insert_values
from .models import Appearance, Claim, Rating, SearchDocument, Verdict

logger = logging.getLogger(__name__)

#: Words of a query that are used; the rest are ignored (a pasted paragraph is not a query).
MAX_QUERY_WORDS = 10
MAX_QUERY_LENGTH = 200
#: How many of the best matches a search returns (it finds; exports are elsewhere).
MAX_RESULTS = 500
#: Shortest word matched by similarity rather than only exactly: shorter ones (Vietnamese syllables)
#: have too many look-alikes.
FUZZY_MIN_LENGTH = 5
#: The trigram similarity a respelled word needs ("Gadafi" ~ "Gadhafi" is 0.5; pg_trgm's default of
#: 0.6 misses it). Set on every PostgreSQL connection as ``pg_trgm.word_similarity_threshold``, which
#: its ``%>`` operator reads (``set_similarity_threshold`` below, connected in ``ClaimsConfig.ready``).
SIMILARITY = 0.5
#: pg_trgm prices "%>" like an equality, so on a small table the planner runs it on every row instead of
#: asking the trigram index (130 ms against 8 ms at 40,000 documents). Migration 0008 sets an honest
#: cost; ``reindex_search`` sets it again (a dump and restore re-creates the extension's defaults).
TRIGRAM_COST = "ALTER FUNCTION word_similarity_commutator_op(text, text) COST 100"


# --- Indexing ----------------------------------------------------------------------------------------------


def _names(actor_or_place: object) -> list[str]:
    return [actor_or_place.name, *(alias.name for alias in actor_or_place.aliases.all())]  # type: ignore[attr-defined]


def document_for(claim: Claim, keys: WordKeys | None = None, ratings: dict[int, int] | None = None) -> SearchDocument:
    """The search document of a claim (its relations prefetched or not: ``_index_locked`` prefetches its
    appearances with their sources' outlets, ``document_appearances``); ``keys`` as for ``_document``;
    ``ratings``: the verdicts' ratings by claim id as the caller read them (else the claim's is read here)."""
    if ratings is None:
        verdict = getattr(claim, "verdict", None)  # None if it has none
        rating_id = verdict.rating_id if verdict is not None else None
    else:
        rating_id = ratings.get(claim.pk)
    appearances = list(claim.appearances.all())
    texts = [claim.text, *(t.text for t in claim.translations.all()), *(a.quote for a in appearances)]
    names: list[str] = []
    if claim.claimant is not None:
        names += _names(claim.claimant)
    mentioned = list(claim.mentions.all())
    for actor in mentioned:
        names += _names(actor)
    for place in claim.places.all():
        names += _names(place)
    facets = document_facets(
        claim.language,
        claim.claimant_id,
        rating_id,
        outlet_ids=[_outlet_of(appearance) for appearance in appearances],
        source_ids=[appearance.source_id for appearance in appearances],
        mention_ids=[actor.pk for actor in mentioned],
    )
    return _document(claim, texts, names, facets, keys)


def document_appearances() -> Prefetch:
    """A claim's appearances as ``document_for`` reads them: each with its source's outlet, in the same
    statement (the appearances' ordering joins the sources already). A new one each time: prefetching
    stores hints on its queryset."""
    return Prefetch("appearances", queryset=Appearance.objects.annotate(source_outlet_id=F("source__outlet_id")))


def _outlet_of(appearance: Appearance) -> int | None:
    if "source_outlet_id" in appearance.__dict__:
        return appearance.__dict__["source_outlet_id"]  # type: ignore[no-any-return]
    return appearance.source.outlet_id


#: A new document's values, as ``WordKeys.document`` makes them after the claim's id, then its facets
#: (``index_new_claims``).
DOCUMENT_NAMES = ("claim_id", "exact", "text_key", "names_key", "all_key", "sound_key", "facets")


def document_facets(
    language: str,
    claimant_id: int | None,
    rating_id: int | None = None,
    outlet_ids: Iterable[int | None] = (),
    source_ids: Iterable[int] = (),
    mention_ids: Iterable[int] = (),
) -> str:
    """A document's facets (``SearchDocument.facets``, lexemes of ``terms``: migrations 0022 to 0024, whose
    SQL agrees): ``1l`` and the claim's language tag in lowercase letters and digits, then ``1c`` and its
    claimant's id, ``1r`` and its verdict's rating's id, then ``1o`` and the id of each outlet it appeared
    in, ``1s`` and that of each source, ``1m`` and that of each actor it mentions (each in increasing
    order, once). A search within one language, claimant, rating (or rating class), outlet, source or
    mentioned actor asks the index for them (``_filter_facets``). A key word spelled so (``1c8`` in a
    text) only adds a candidate that the claims' own filter then drops."""
    facets = [language_facet(language)]
    if claimant_id is not None:
        facets.append(claimant_facet(claimant_id))
    if rating_id is not None:
        facets.append(rating_facet(rating_id))
    facets += [outlet_facet(i) for i in sorted({i for i in outlet_ids if i is not None})]
    facets += [source_facet(i) for i in sorted(set(source_ids))]
    facets += [mention_facet(i) for i in sorted(set(mention_ids))]
    return " ".join(facets)


def language_facet(language: str) -> str:
    return "1l" + re.sub(r"[^a-z0-9]", "", language.lower())


def claimant_facet(claimant_id: int) -> str:
    return f"1c{claimant_id}"


def rating_facet(rating_id: int) -> str:
    return f"1r{rating_id}"


def either_facet(facets: Sequence[str]) -> str:
    """A condition on ``terms`` that any one of ``facets`` meets (a rating class: ``(1r2 | 1r5)``), as
    ``_filter_facets`` gives it; one facet is itself."""
    alternatives = sorted(set(facets))
    return alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"


def facet_alternatives(facet: str) -> list[str]:
    """The facets of which ``facet`` (from ``either_facet``) needs one."""
    return facet.strip("()").split(" | ")


def outlet_facet(outlet_id: int) -> str:
    return f"1o{outlet_id}"


def source_facet(source_id: int) -> str:
    return f"1s{source_id}"


def mention_facet(actor_id: int) -> str:
    return f"1m{actor_id}"


#: ``document_facets`` in SQL, over a claim row ``c``, its verdict's row ``v`` and its outlets', sources' and
#: mentioned actors' facets ``fo``, ``fs`` and ``fm`` (``FACETS_FROM``), as migration 0024 fills them in
#: (tested to agree). Set-based: filling in a million documents joins each table once.
FACETS_SQL = (
    "'1l' || regexp_replace(lower(c.language), '[^a-z0-9]', '', 'g') || COALESCE(' 1c' || c.claimant_id::text, '')"
    " || COALESCE(' 1r' || v.rating_id::text, '') || COALESCE(fo.facets, '') || COALESCE(fs.facets, '')"
    " || COALESCE(fm.facets, '')"
)
FACETS_FROM = (
    "claims_claim c LEFT JOIN claims_verdict v ON v.claim_id = c.id"
    " LEFT JOIN (SELECT claim_id, string_agg(' 1o' || outlet_id::text, '' ORDER BY outlet_id) AS facets"
    " FROM (SELECT DISTINCT a.claim_id, s.outlet_id FROM claims_appearance a"
    " JOIN sources_source s ON s.id = a.source_id WHERE s.outlet_id IS NOT NULL) o GROUP BY claim_id) fo"
    " ON fo.claim_id = c.id"
    " LEFT JOIN (SELECT claim_id, string_agg(' 1s' || source_id::text, '' ORDER BY source_id) AS facets"
    " FROM (SELECT DISTINCT claim_id, source_id FROM claims_appearance) a GROUP BY claim_id) fs"
    " ON fs.claim_id = c.id"
    " LEFT JOIN (SELECT claim_id, string_agg(' 1m' || actor_id::text, '' ORDER BY actor_id) AS facets"
    " FROM claims_claim_mentions GROUP BY claim_id) fm ON fm.claim_id = c.id"
)


def fill_facets() -> int:
    """Write the facets of every document whose claim's differ; return how many. For documents loaded as
    they were written (``restore_json``): a backup made before migration 0022 has none (before 0023, no
    rating; before 0024, no outlets, sources or mentions), and a search within one of them would not find
    those claims."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE claims_searchdocument d SET facets = {FACETS_SQL} FROM {FACETS_FROM} "  # noqa: S608
                f"WHERE c.id = d.claim_id AND d.facets IS DISTINCT FROM {FACETS_SQL}"
            )
            return cursor.rowcount
    related: dict[str, dict[int, list[int]]] = {"outlet_ids": {}, "source_ids": {}, "mention_ids": {}}
    for name, pairs in (
        ("outlet_ids", Appearance.objects.values_list("claim_id", "source__outlet_id")),
        ("source_ids", Appearance.objects.values_list("claim_id", "source_id")),
        ("mention_ids", Claim.mentions.through.objects.values_list("claim_id", "actor_id")),
    ):
        for claim_id, related_id in pairs.order_by().iterator():
            related[name].setdefault(claim_id, []).append(related_id)
    stale = []
    for claim_id, language, claimant_id, rating_id, facets in SearchDocument.objects.values_list(
        "claim_id", "claim__language", "claim__claimant_id", "claim__verdict__rating_id", "facets"
    ).iterator():
        expected = document_facets(
            language, claimant_id, rating_id, **{name: ids.get(claim_id, ()) for name, ids in related.items()}
        )
        if facets != expected:
            stale.append(SearchDocument(claim_id=claim_id, facets=expected))
    SearchDocument.objects.bulk_update(stale, ["facets"], batch_size=500)
    return len(stale)


def _document(
    claim: Claim, texts: list[str], names: list[str], facets: str, keys: WordKeys | None = None
) -> SearchDocument:
    """``facets``: the claim's (``document_facets``); ``keys``: the word cache of a batch of documents (a new
    one by default)."""
    exact_, text_key, names_key, all_key, sound_key = (keys or WordKeys()).document(texts, names)
    return SearchDocument(
        claim=claim,
        exact=exact_,
        text_key=text_key,
        names_key=names_key,
        all_key=all_key,
        sound_key=sound_key,
        facets=facets,
    )


def index_claims(claim_ids: Iterable[int], scan_duplicates: bool = True) -> int:
    """Rewrite the search documents of these claims (missing ones are skipped); return how many.

    A claim whose own texts changed (new, reworded, translated, quoted) is marked for a duplicate scan
    in the same transaction, and the scan is queued once it commits (``claims.tasks``); a lost message
    is re-sent by the beat sweep, which finds the mark.
    """
    ids = sorted(set(claim_ids))
    if not ids:
        return 0
    with transaction.atomic(savepoint=False):
        return _index_locked(ids, scan_duplicates)


def _index_locked(ids: list[int], scan_duplicates: bool) -> int:
    # The claims are locked (in id order) while their documents are written: of two transactions indexing
    # one claim (an edit of its claimant, a translation saved meanwhile), the second waits for the first
    # and reads the claim as it committed, so the older state is never written last. A document's facets
    # decide what a search within a language, claimant, rating, outlet, source or mentioned actor finds.
    # The verdicts' ratings are read once the claims are locked, in a statement of their own: it sees what
    # committed before the lock.
    claims = list(
        Claim.objects.filter(pk__in=ids)
        .order_by("pk")
        .select_for_update(of=("self",))
        .select_related("claimant")
        .prefetch_related(
            "translations", document_appearances(), "claimant__aliases", "mentions__aliases", "places__aliases"
        )
    )
    ratings = dict(Verdict.objects.filter(claim_id__in=ids).values_list("claim_id", "rating_id"))
    keys = WordKeys()
    documents = [document_for(claim, keys, ratings) for claim in claims]
    before = {
        claim_id: (text_key, pending)
        for claim_id, text_key, pending in SearchDocument.objects.filter(claim_id__in=ids).values_list(
            "claim_id", "text_key", "needs_duplicate_scan"
        )
    }
    to_scan = []
    for document in documents:
        old_text, pending = before.get(document.claim_id, (None, False))
        changed = scan_duplicates and old_text != document.text_key
        document.needs_duplicate_scan = pending or changed
        if changed:
            to_scan.append(document.claim_id)
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["claim"],
        update_fields=["exact", "text_key", "names_key", "all_key", "sound_key", "facets", "needs_duplicate_scan"],
        batch_size=500,
    )
    if to_scan:
        from .tasks import queue_duplicate_scans  # the tasks module imports the models: import it late

        transaction.on_commit(lambda: queue_duplicate_scans(to_scan))
    return len(documents)


def index_new_claims(claims: list[Claim], meanwhile: Iterable[Any] = ()) -> int:
    """Write the search documents of claims just created with no translations, quotes, mentions or
    places yet (a ClaimReview import): built from what is in memory, plus one query for the claimants'
    aliases, and inserted without ``index_claims``'s prefetching and upsert. Not marked for a duplicate
    scan, as ``index_claims(..., scan_duplicates=False)`` would not mark them.

    ``meanwhile``: the caller's work (an iterator, no queries), a step after each document is handed to the
    ``COPY`` (``bulk.alongside``): the server's side, the documents' two full-text indexes and the
    vocabulary trigger, is the slower, and the client's next rows are made while it writes."""
    claimant_ids = {claim.claimant_id for claim in claims if claim.claimant_id is not None}
    names: dict[int, list[str]] = {}
    if claimant_ids:
        for actor_id, name in Actor.objects.filter(pk__in=claimant_ids).values_list("pk", "name"):
            names[actor_id] = [name]
        for actor_id, alias in (
            ActorAlias.objects.filter(actor_id__in=claimant_ids)
            .order_by("actor", "name")
            .values_list("actor_id", "name")
        ):
            names[actor_id].append(alias)
    keys = WordKeys()
    # Made as they are written, as rows of values (``insert_values``): the server indexes the first while
    # the next are folded.
    documents = (
        (
            claim.pk,
            *keys.document([claim.text], names.get(claim.claimant_id, []) if claim.claimant_id else []),
            document_facets(claim.language, claim.claimant_id),
        )
        for claim in claims
    )
    return insert_values(SearchDocument, DOCUMENT_NAMES, alongside(documents, meanwhile))


def claims_naming(actor_ids: Iterable[int] = (), place_ids: Iterable[int] = ()) -> list[int]:
    """Claims whose document holds these actors' or places' names (claimant, mention, place)."""
    actor_ids, place_ids = list(actor_ids), list(place_ids)
    condition = Q(pk__in=[])
    if actor_ids:
        condition |= Q(claimant_id__in=actor_ids) | Q(mentions__id__in=actor_ids)
    if place_ids:
        condition |= Q(places__id__in=place_ids)
    return list(Claim.objects.filter(condition).values_list("pk", flat=True).distinct())


# --- Matching and ranking --------------------------------------------------------------------------------

#: Words that carry little meaning, as keys (English and Vietnamese function words): they count a
#: quarter of another word, and never find a claim on their own.
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
        "not",
        "no",
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
#: A query of more content words than this may leave some out (a paraphrase, a word the claim does not
#: use); a shorter one must match all of them.
ALL_WORDS_UP_TO = 2
#: The share of a longer query (by weight) a claim must match.
MIN_COVERAGE = 0.6
#: What a word matched only by its sound key (``sources.folding.sound``) counts for.
SOUND_MATCH = 0.8
#: PostgreSQL ranks at most this many matching claims, the most recently written: a common word matches
#: a tenth of a million-claim archive, and ranking all of those took seconds. Below it, every match is
#: ranked, as on SQLite.
RANKED_CANDIDATES = MAX_RESULTS
#: A search expected to match at most this many documents reads them all in one pass; beyond, the recent
#: index first, then the bands or the probe. The estimate is a bound, often ten times the matches; one pass
#: reads and scores every match, the other routes the newest ones first (at 1,000,000 claims, a query of
#: 1,500 matches estimated at 17,000: 14.6 ms in one pass, 9.6 ms by the recent index and the bands).
ONE_PASS_DOCUMENTS = 10_000
#: Bands of claim ids, counted back from the newest, searched in turn until RANKED_CANDIDATES match.
_BANDS = [10_000, 40_000, 160_000, 640_000, 2_560_000, 10_240_000]
#: Respellings of a query word looked up in the documents, the most similar first.
MAX_SPELLINGS = 16
#: How long the planner's word statistics (``word_statistics``) are reused before being read again.
STATISTICS_SECONDS = 600
_statistics: dict[str, tuple[float, tuple[dict[str, float], float, float]]] = {}
#: Sets of words of a long query spelled out for the index; beyond, any one word finds a candidate.
MAX_WORD_SETS = 16
#: The newest documents have a full-text index of their own (``refresh_recent_index``): between this many
#: and twice as many. A common word's newest matches are read there, without the whole index.
RECENT_DOCUMENTS = 40_000
RECENT_INDEX = "claims_search_recent"
#: How long a process trusts the threshold of the recent index it read (a moved one is only slower).
RECENT_SECONDS = 60
_recent: dict[str, tuple[float, Any]] = {}  # the threshold, and the bands (``covering_bands``)
#: Older documents: up to this many matches are read by id after one pass over the index; beyond, bands.
PROBE_DOCUMENTS = 5_000
#: Below the recent index, the documents' full-text index is also cut into bands of this many claim ids,
#: each a partial index of its own (``claims_search_band_<low>_<high>``, built by ``refresh_recent_index``
#: once the recent index's threshold has reached them).
BAND_IDS = 100_000
BAND_INDEX = "claims_search_band"
#: A query whose matches among the recent documents promise enough candidates (1.5 times those still
#: wanted, in proportion) in at most this share of the bands reads those bands, newest first, each asking
#: only its own index. One that would ask more makes one pass over the whole index instead (the bands'
#: GIN evaluations add up to more than the whole index's).
BAND_SHARE = 0.5


def word_weight(word: str) -> float:
    # A lone letter is what folding leaves of "Haftar's" or "U.N.": as light as a function word.
    return 0.25 if word in LIGHT_WORDS or (len(word) == 1 and not word.isdigit()) else 1.0


@dataclass(frozen=True)
class Query:
    exact: str
    words: list[str]

    @property
    def key(self) -> str:
        return " ".join(self.words)

    @property
    def content_words(self) -> list[str]:
        """The words a claim is found by: all but the light ones (all of them if only light ones)."""
        return [word for word in self.words if word not in LIGHT_WORDS] or self.words

    @property
    def every_word(self) -> bool:
        """Whether a claim must match every content word (a short query) or a share of the query."""
        return len(self.content_words) <= ALL_WORDS_UP_TO

    @property
    def min_share(self) -> float:
        return 0.0 if self.every_word else MIN_COVERAGE

    @classmethod
    def parse(cls, text: str) -> Query:
        text = (text or "")[:MAX_QUERY_LENGTH]
        words = list(dict.fromkeys(key(text).split()))[:MAX_QUERY_WORDS]
        return cls(" ".join(exact(text).split()), words)


@lru_cache(maxsize=65536)
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after. Cached: duplicate
    scoring compares the same few thousand words again and again."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


@lru_cache(maxsize=1 << 18)
def _similarity(word: str, other: str) -> float:
    """pg_trgm's similarity of two words. Cached: a duplicate scan meets the same pairs again and again."""
    mine, theirs = trigrams(word), trigrams(other)
    return len(mine & theirs) / len(mine | theirs)


def word_similarity(word: str, document_words: Iterable[str]) -> float:
    """The best similarity of ``word`` to one document word (pg_trgm's similarity on single words)."""
    return max((_similarity(word, other) for other in document_words), default=0.0)


@lru_cache(maxsize=4096)
def query_sound(word: str) -> str:
    """The sound key a query word is also matched by (``sources.folding.sound``), or "": none for a word
    shorter than FUZZY_MIN_LENGTH, nor for one shaped as a Vietnamese syllable. Such a word's key already
    matches every way of marking it (``thuong``: thương, thường, thưởng), and its consonant skeleton is
    shared by dozens of other syllables (``thuong``, ``thang``, ``thong``, ``tieng``: all ``tnk``): a match
    by it is noise, and its documents (a sixth of the archive for ``tnk``) the longest list the index
    walks. Names keep theirs: ``gadhafi``, ``haftar``, ``libya`` are no syllables."""
    if len(word) < FUZZY_MIN_LENGTH or is_syllable(word):
        return ""
    return sound(word)


def word_match(word: str, words: set[str], sounds: set[str]) -> float:
    """How well one query word matches a document's words (0..1): exactly, by trigram similarity (words
    of FUZZY_MIN_LENGTH letters or more), or by sound key (``query_sound``)."""
    if word in words:
        return 1.0
    if len(word) < FUZZY_MIN_LENGTH:
        return 0.0
    similarity = word_similarity(word, words)
    best = similarity if similarity >= SIMILARITY else 0.0
    if query_sound(word) in sounds:
        best = max(best, SOUND_MATCH)
    return best


def coverage(query: Query, words: set[str], sounds: set[str]) -> float | None:
    """The weighted share of the query a document matches, or None when it does not match enough."""
    matched = {word: word_match(word, words, sounds) for word in query.words}
    if query.every_word and not all(matched[word] for word in query.content_words):
        return None
    total = sum(word_weight(word) for word in query.words)
    share = sum(word_weight(word) * score for word, score in matched.items()) / total
    return share if share >= query.min_share else None


def _python_ranked(ids_queryset: QuerySet[Claim], query: Query) -> list[int]:
    documents = SearchDocument.objects.filter(claim__in=ids_queryset).values_list(
        "claim_id", "exact", "all_key", "sound_key", "claim__published_at", "claim__created_at"
    )
    scored = []
    phrase = f" {query.key} "
    for claim_id, exact_text, all_key, sound_key, published_at, created_at in documents.iterator():
        share = coverage(query, set(all_key.split()), set(sound_key.split()))
        if share is None:
            continue
        score = 2 * share
        if query.exact and query.exact in exact_text:
            score += 8
        if len(query.words) > 1 and any(phrase in f" {line} " for line in all_key.split("\n")):
            score += 4
        scored.append((score, published_at or created_at, claim_id))
    scored.sort(key=lambda row: (row[0], row[1], row[2]), reverse=True)
    return [claim_id for _score, _when, claim_id in scored[:MAX_RESULTS]]


@dataclass(frozen=True)
class _Term:
    """How one query word is matched on PostgreSQL: the indexed words that stand for it, with what each
    counts for (itself 1.0; a respelling its trigram similarity), best first, and its sound key."""

    word: str
    spellings: list[tuple[str, float]]
    sound: str

    @property
    def best(self) -> float:
        """The most a document can score on this word (whether any document has its sound is unknown)."""
        return max([score for _word, score in self.spellings] + [SOUND_MATCH if self.sound else 0.0])

    @property
    def lexemes(self) -> list[str]:
        """The word's entries in ``terms`` (migration 0015: the words and the sound keys, these written with
        a leading ``0``, in one indexed column): its spellings, then its sound key."""
        return [word for word, _score in self.spellings] + ([f"0{self.sound}"] if self.sound else [])

    def condition(self) -> str:
        """The documents matching the word, as a part of a query on ``terms``. Key words and sound keys are
        [a-z0-9]+: nothing to escape in a tsquery."""
        return "(" + " | ".join(self.lexemes) + ")"

    def score(self) -> tuple[str, list[Any]]:
        """How well a document row ``d`` matches the word, 0..1 (``word_match``). On ``terms``, spellings as
        words (weights A and B: texts, names) and the sound key as a sound key (D): a word spelled like a
        sound key (``0km``) and that key are one lexeme there (migration 0021)."""
        cases = " ".join(f"WHEN d.terms @@ to_tsquery('simple'::regconfig, %s) THEN {s!r}" for _w, s in self.spellings)
        spelled = f"CASE {cases} ELSE 0 END" if cases else "0"
        params: list[Any] = [f"{word}:AB" for word, _score in self.spellings]
        if not self.sound:
            return spelled, params
        sounded = f"CASE WHEN d.terms @@ to_tsquery('simple'::regconfig, %s) THEN {SOUND_MATCH} ELSE 0 END"
        return f"GREATEST({spelled}, {sounded})", [*params, f"0{self.sound}:D"]


def _terms(query: Query) -> tuple[dict[str, _Term], int]:
    """The query's words looked up in the vocabulary of the documents (``claims_searchword``, migration
    0012): which of them some document holds, and, for words of FUZZY_MIN_LENGTH letters or more, the
    document words within SIMILARITY of them (``word_similarity``: pg_trgm's ``similarity`` is the same
    measure). One query over a table of distinct words instead of a trigram filter over every document.
    Also returns the newest document's claim id (0: none), where the search starts."""
    fuzzy = [word for word in query.words if len(word) >= FUZZY_MIN_LENGTH]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT NULL, NULL, COALESCE(MAX(claim_id), 0) FROM claims_searchdocument
            UNION
            SELECT word, word, 1.0 FROM claims_searchword WHERE word = ANY(%s)
            UNION
            SELECT q.word, s.word, similarity(s.word, q.word)
            FROM unnest(%s::text[]) AS q(word) JOIN claims_searchword s ON s.word %% q.word AND s.word <> q.word
            WHERE similarity(s.word, q.word) >= %s
            """,
            [query.words, fuzzy, SIMILARITY],
        )
        found: dict[str, list[tuple[str, float]]] = {}
        newest = 0
        for word, spelling, score in cursor.fetchall():
            if word is None:
                newest = int(score)
            else:
                found.setdefault(word, []).append((spelling, float(score)))
    terms = {}
    for word in query.words:
        spellings = sorted(found.get(word, []), key=lambda pair: (-pair[1], pair[0]))[:MAX_SPELLINGS]
        terms[word] = _Term(word, spellings, query_sound(word))
    return terms, newest


def _enough_words(query: Query, terms: dict[str, _Term]) -> list[list[str]] | None:
    """The smallest sets of content words a document must match for the query's share to be reachable
    (at best, every light word matching too), for the index to look up only those; None: any one word
    (too many sets to spell out). Empty: no document can match."""
    content = [word for word in query.content_words if terms[word].best > 0]
    if query.every_word:
        return [content] if len(content) == len(query.content_words) else []
    total = sum(word_weight(word) for word in query.words)
    light = sum(word_weight(word) * terms[word].best for word in query.words if word not in query.content_words)
    needed = query.min_share * total - light - 1e-9
    enough: list[list[str]] = []
    for size in range(1, len(content) + 1):
        for words in combinations(content, size):
            if sum(word_weight(word) * terms[word].best for word in words) >= needed and not any(
                set(smaller) <= set(words) for smaller in enough
            ):
                enough.append(list(words))
                if len(enough) > MAX_WORD_SETS:
                    return None
    return enough


def _required_groups(enough: list[list[str]], terms: dict[str, _Term]) -> list[list[list[str]]]:
    """The sets of words (``_enough_words``) in groups that each share a word, for the index to ask one group
    at a time (``OR`` of one full-text condition a group: a ``BitmapOr``).

    A condition such as three of five words has no word every match holds, and GIN then walks the union
    of all their posting lists, testing the whole condition at each document. A group whose sets all hold
    one word has entries every match of it holds: GIN walks only those (the rarest first, by its own
    counts) and skips along the others. The shared word chosen first is the one whose spellings are
    rarest (the planner's statistics), so that GIN's rarest entries are its own; then the word in most of
    the sets left. At 1,000,000 claims, `Libya giảm sản lượng dầu` (three of five words: four sets):
    25.8 ms as one union, 14.0 ms as two groups (one sharing `libya`, one the set without it)."""
    frequencies, floor, _documents = word_statistics()

    def rarity(word: str) -> float:
        return max((frequencies.get(lexeme, floor) for lexeme in terms[word].lexemes), default=floor)

    groups: list[list[list[str]]] = []
    left = [words for words in enough if words]
    while left:
        if len(left) == 1 or set(left[0]).intersection(*left[1:]):
            groups.append(left)  # one set, or sets that already share a word
            break
        counts: dict[str, int] = {}
        for words in left:
            for word in words:
                counts[word] = counts.get(word, 0) + 1
        shared = min(counts, key=lambda word: (rarity(word), -counts[word], word))
        groups.append([words for words in left if shared in words])
        left = [words for words in left if shared not in words]
    return groups


def _estimated_matches(enough: list[list[str]], terms: dict[str, _Term], facets: Sequence[str] = ()) -> float:
    """About how many documents the condition matches, at most, by the planner's statistics of ``terms``:
    for each set of words the rarest word's documents (a word: its spellings' and its sound's), or the
    rarest facet's (``_filter_facets``) when fewer, summed over the sets. Only chooses between reading
    every match and the bands: both give the same result."""
    frequencies, floor, documents = word_statistics()

    def share(lexemes: Iterable[str]) -> float:
        """Of documents holding one of ``lexemes`` (a word's spellings and sound; a facet's alternatives)."""
        return sum(frequencies.get(lexeme, floor) for lexeme in lexemes)

    facet_share = min((share(facet_alternatives(facet)) for facet in facets), default=1.0)
    return documents * sum(
        min(facet_share, *(share(terms[word].lexemes) for word in words)) for words in enough if words
    )


def _filter_facets(queryset: QuerySet[Claim]) -> list[str]:
    """The facets (``document_facets``) every claim of ``queryset`` has, read from its conditions: an equality
    on the claims' own ``language`` or ``claimant`` (``filter(language="ar")``, ``filter(claimant_id=8)``), on
    their verdict's rating (``filter(verdict__rating__slug="false")``, ``filter(verdict__rating=3)``) or its
    class (``filter(verdict__rating__rating_class="FALSE")``: any one of the class's ratings' facets), on an
    appearance's source or its outlet (``filter(appearances__source=35)``,
    ``filter(appearances__source__outlet=3)``) or on a mentioned actor (``filter(mentions=6)``), in
    conditions all ANDed, or inside ``pk__in=`` a queryset of claims with such conditions (the API's
    ``source=``, ``outlet=`` and ``mentions=``). A rating's slug or class is looked up: one query. None from a
    negation, an ``OR``, another lookup, another path (an imported review's rating) or a combined
    queryset: the facets only narrow what the index reads, and the queryset's own conditions still decide."""
    facets: set[str] = set()
    _add_facets(queryset.query, facets)
    return sorted(facets)


#: The joins whose equalities ``_filter_facets`` reads, each from the alias of the one before it (``None``:
#: the claims), with the facet of each column.
_FACET_JOINS: tuple[tuple[str, str | None, Any, dict[str, Any]], ...] = (
    ("verdict", None, Verdict._meta.get_field("claim").remote_field, {"rating_id": rating_facet}),
    ("appearance", None, Appearance._meta.get_field("claim").remote_field, {"source_id": source_facet}),
    ("source", "appearance", Appearance._meta.get_field("source"), {"outlet_id": outlet_facet}),
    ("mention", None, Claim.mentions.through._meta.get_field("claim").remote_field, {"actor_id": mention_facet}),
)


def _add_facets(query: Any, facets: set[str]) -> None:
    if query.combinator:
        return
    aliases: dict[str, str | None] = {}
    columns: dict[Any, dict[str, Any]] = {}  # by alias
    for name, parent, join_field, facets_of_columns in _FACET_JOINS:
        parent_alias = query.base_table if parent is None else aliases[parent]
        aliases[name] = _inner_join(query, parent_alias, join_field)
        if aliases[name] is not None:
            columns[aliases[name]] = facets_of_columns
    columns[query.base_table] = {"language": language_facet, "claimant_id": claimant_facet}
    verdict_alias = aliases["verdict"]
    rating_alias = _inner_join(query, verdict_alias, Verdict._meta.get_field("rating"))
    nodes = [query.where]
    while nodes:
        node = nodes.pop()
        if node.connector != AND or node.negated:
            continue
        for child in node.children:
            if isinstance(child, WhereNode):
                nodes.append(child)
                continue
            if isinstance(child, In) and isinstance(child.lhs, Col) and _selects_claim_ids(child, query):
                _add_facets(child.rhs, facets)  # pk__in=Claim.objects.filter(...).values("pk")
                continue
            if not (isinstance(child, Exact) and isinstance(child.lhs, Col)):
                continue
            alias, column, value = child.lhs.alias, child.lhs.target.column, child.rhs
            facet_of = columns.get(alias, {}).get(column or "")
            if facet_of is not None:
                if (isinstance(value, str) and value) if column == "language" else _is_id(value):
                    facets.add(facet_of(value))
            elif alias == rating_alias and child.lhs.target.name in ("slug", "rating_class") and isinstance(value, str):
                # From the table, not the cached scale: a stale slug or class would ask for other ratings' facets.
                rating_ids = list(Rating.objects.filter(**{child.lhs.target.name: value}).values_list("pk", flat=True))
                if rating_ids:
                    facets.add(either_facet([rating_facet(rating_id) for rating_id in rating_ids]))


def _selects_claim_ids(child: In, query: Any) -> bool:
    """Whether this ``IN`` is ``pk__in=`` a query that selects claims' ids: its claims are the outer ones."""
    inner = child.rhs
    if not (
        child.lhs.alias == query.base_table
        and child.lhs.target == Claim._meta.pk
        and hasattr(inner, "alias_map")
        and inner.model is Claim
        and len(inner.select) == 1
    ):
        return False
    selected = inner.select[0]
    return isinstance(selected, Col) and selected.alias == inner.base_table and selected.target == Claim._meta.pk


def _inner_join(query: Any, parent_alias: str | None, join_field: Any) -> str | None:
    """The alias of the query's inner join from ``parent_alias`` through ``join_field``, if it has one."""
    if parent_alias is None:
        return None
    return next(
        (
            alias
            for alias, join in query.alias_map.items()
            if getattr(join, "parent_alias", None) == parent_alias
            and getattr(join, "join_field", None) == join_field
            and join.join_type == INNER
        ),
        None,
    )


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _postgres_ranked(ids_queryset: QuerySet[Claim], query: Query) -> list[int]:
    terms, newest = _terms(query)
    enough = _enough_words(query, terms)
    if enough == []:
        return []
    if enough is None:
        enough = [[word] for word in query.content_words if terms[word].best > 0]
    # One query on one column: the index finds exactly the documents holding one of the sets of words
    # (each word by a spelling or its sound). A condition per word and column let the planner check only
    # part of it in the index and read tens of thousands of documents to reject them.
    groups = _required_groups(enough, terms)
    if not groups:
        return []
    # Within one language, claimant, rating or rating class, outlet, source or mentioned actor, the index is
    # asked for their facets too: it then walks the rarer of the facet's and the words' entries, not every
    # claim's matches for the filter to drop.
    facets = _filter_facets(ids_queryset)
    required = "".join(f" & {facet}" for facet in facets)
    condition = " OR ".join(["d.terms @@ to_tsquery('simple'::regconfig, %s)"] * len(groups))
    condition_params: list[Any] = [
        "("
        + " | ".join("(" + " & ".join(terms[word].condition() for word in words) + ")" for words in group)
        + ")"
        + required
        for group in groups
    ]
    scores = [terms[word].score() for word in query.words]
    total = sum(word_weight(word) for word in query.words)
    share = " + ".join(
        f"{word_weight(word)} * ({sql})" for word, (sql, _params) in zip(query.words, scores, strict=True)
    )
    share_params = [param for _sql, params in scores for param in params]
    claims_sql, claims_params = _claims_sql(ids_queryset)

    def band(where: str, params: Sequence[Any] = (), order: str = "d.claim_id") -> tuple[str, list[Any]]:
        """The documents of one part of the archive (``where``: which), the newest first."""
        sql = f"""
            (SELECT d.claim_id, d.exact, d.terms FROM claims_searchdocument d
            WHERE {where}
            ORDER BY {order} DESC)
        """  # noqa: S608
        return sql, list(params)

    def matching(bounds: str, order: str = "d.claim_id") -> tuple[str, list[Any]]:
        return band(f"({condition}) AND {bounds}", condition_params, order)

    # A share above 0 at least: the condition also finds a document whose only match is a word spelled like
    # a sound key, or the other way round (one lexeme of ``terms``), which scores 0.
    lowest = query.min_share - 1e-9 if query.min_share > 0 else 1e-9
    scoring_params: list[Any] = [query.exact or "\x01", len(query.words) > 1, query.key]

    def candidates(parts: list[tuple[str, list[Any]]], wanted: int) -> list[tuple[int, Any, Any]]:
        """Up to ``wanted`` candidates of these parts, in their order: each document's id, score and date."""
        documents = " UNION ALL ".join(part for part, _params in parts)
        sql = _candidates_sql(documents, f"({share}) / {total}", claims_sql, wanted)
        parts_params = (param for _part, params in parts for param in params)
        cursor.execute(sql, [*scoring_params, *claims_params, *share_params, *parts_params, lowest])
        return cursor.fetchall()

    wanted = RANKED_CANDIDATES + 1  # one more than are ranked: whether more match
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiles for longer than these statements run; a parallel plan would read the bands out of
        # order (and is not needed for a bounded read).
        cursor.execute("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
        if _estimated_matches(enough, terms, facets) <= ONE_PASS_DOCUMENTS:
            # Most searches match few documents: all of them, read once through the full-text index; the
            # newest RANKED_CANDIDATES that reach the share are ranked (all of them, when fewer match).
            return _best(candidates([matching("true")], wanted))
        # Maybe a common word. Evaluating it over the whole index costs tens of milliseconds at a million
        # documents, whatever part of them is asked for: first the newest documents, in their own index
        # (``(claim_id + 0)`` keeps the planner off the primary key, whose range would take it back to
        # the whole index, and whose order to reading tens of thousands of documents one by one); a
        # common word finds its RANKED_CANDIDATES there. Those found are kept, and the older documents
        # asked for only as many more as are wanted: no part is read twice.
        found: list[tuple[int, Any, Any]] = []
        parts = []
        older = newest
        recent = recent_threshold()
        if recent is not None and recent < newest:
            found = candidates([matching(f"(d.claim_id + 0) > {recent}", order="(d.claim_id + 0)")], wanted)
            if len(found) > RANKED_CANDIDATES:
                return _best(found)
            older = recent
            bands = _bands_to_read(len(found), recent, newest)
            if bands:
                for low, high in bands:
                    bounds = f"(d.claim_id + 0) > {low} AND (d.claim_id + 0) <= {min(high, older)}"
                    parts.append(matching(bounds, order="(d.claim_id + 0)"))
                    older = low
                if older > 0:  # the rest, in case those bands hold fewer than expected
                    parts.append(matching(f"d.claim_id <= {older}"))
                return _best(found + candidates(parts, wanted - len(found)))
        # The older documents: one pass over the index says which match, up to PROBE_DOCUMENTS (the
        # statistics' estimate is a bound that can be a hundred times too high); those are read by id.
        probe = f"SELECT d.claim_id FROM claims_searchdocument d WHERE ({condition}) AND d.claim_id <= {older}"  # noqa: S608
        cursor.execute(f"{probe} LIMIT {PROBE_DOCUMENTS + 1}", condition_params)
        probed = [row[0] for row in cursor.fetchall()]
        if len(probed) <= PROBE_DOCUMENTS:
            if not probed:  # no older document matches
                return _best(found)
            # Read back along the primary key, newest first: the LIMIT stops the scoring once enough
            # candidates reach the share.
            parts.append(band("d.claim_id = ANY(%s::bigint[])", [probed]))
            return _best(found + candidates(parts, wanted - len(found)))
        # Many older matches: band by band of claim ids (``_BANDS``) until RANKED_CANDIDATES are found;
        # the LIMIT stops the bands still to come. The bounds are constants, so the planner sees how much
        # of the table each band is (a walk back along the primary key, or the index ANDed with it).
        upper = older
        for width in _BANDS:
            if older - width <= 0:
                break
            parts.append(matching(f"d.claim_id <= {upper} AND d.claim_id > {older - width}"))
            upper = older - width
        parts.append(matching(f"d.claim_id <= {upper}"))
        return _best(found + candidates(parts, wanted - len(found)))


def _claims_sql(ids_queryset: QuerySet[Claim]) -> tuple[str, list[Any]]:
    """The claims a search may return, as SQL of rows ``(id, happened)``, joined to the documents by id.

    A queryset of one table (the public claims, and most filters) becomes the claims table itself with
    its conditions: one look-up of a claim per document (an ``IN`` over the same table looked each claim
    up twice). One with joins (a filter across a relation, which can repeat a claim), ``distinct()``, a
    ``union()`` or ``extra(tables=...)`` stays a semi-join, ``id IN (...)``."""
    query = ids_queryset.query
    # A filter on a foreign key's column (``claimant_id=``) leaves the relation's alias behind, unused.
    tables = [alias for alias in query.alias_map if query.alias_refcount[alias]]
    if len(tables) <= 1 and not (query.distinct or query.combinator or query.extra_tables):
        happened = Coalesce("published_at", "created_at")
        claims = ids_queryset.order_by().annotate(search_happened=happened).values_list("pk", "search_happened")
        sql, params = claims.query.sql_with_params()
        return f"SELECT s.pk AS id, s.search_happened AS happened FROM ({sql}) s", list(params)  # noqa: S608
    sql, params = ids_queryset.order_by().values("pk").query.sql_with_params()
    return (
        f"SELECT c.id, COALESCE(c.published_at, c.created_at) AS happened FROM claims_claim c "  # noqa: S608
        f"WHERE c.id IN ({sql})",
        list(params),
    )


def _candidates_sql(documents: str, share: str, claims: str, wanted: int) -> str:
    """The first ``wanted`` of these documents that reach the share and are of these claims (``_claims_sql``),
    in their order, each with its score for the ranking (``_best``) and its claim's date. The score: 8 when
    the query with its diacritics is in the document, 4 when its words are there as a phrase, plus twice
    its share.

    The share is computed above the parts (``OFFSET 0`` keeps it there), so that PostgreSQL plans its
    expression once, not once a part; the claim is looked up by id (a subquery in the select list) only
    for a document that reaches the share, and no further than ``wanted``. Each level reads one relation,
    so PostgreSQL plans the parts for the ``LIMIT`` (a join there would have it plan them for every row).
    Built from constants, the query's own placeholders and Django's compiled subquery; every value (the
    query's words included) goes in as a parameter."""
    return f"""
        SELECT x.claim_id,
            (strpos(x.exact, %s) > 0)::int * 8
            + (CASE WHEN %s THEN (x.terms @@ phraseto_tsquery('simple'::regconfig, %s))::int * 4 ELSE 0 END)
            + 2 * x.share,
            x.happened
        FROM (
            SELECT s.claim_id, s.exact, s.terms, s.share,
                (SELECT k.happened FROM ({claims}) k WHERE k.id = s.claim_id) AS happened
            FROM (SELECT d.claim_id, d.exact, d.terms, {share} AS share FROM ({documents}) d OFFSET 0) s
            WHERE s.share >= %s
            OFFSET 0
        ) x
        WHERE x.happened IS NOT NULL
        LIMIT {wanted}
    """  # noqa: S608


def _best(found: list[tuple[int, Any, Any]]) -> list[int]:
    """The ids of the best MAX_RESULTS candidates (``_candidates_sql``): the highest score first, then the
    newest (its date, then its id), as one ``ORDER BY`` over them all would rank them."""
    found.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
    return [claim_id for claim_id, _score, _happened in found[:MAX_RESULTS]]


def word_statistics() -> tuple[dict[str, float], float, float]:
    """The planner's statistics of the documents' ``terms``: the share of documents holding each of its
    most common words (sound keys after their ``0``), the share no other word exceeds, and the number of
    documents. Read from ``pg_stats`` (kept by ANALYZE and autovacuum) at most every STATISTICS_SECONDS
    per process; empty before the first ANALYZE (every word then counts as rare)."""
    now = time.monotonic()
    cached = _statistics.get("terms")
    if cached is not None and now - cached[0] < STATISTICS_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
            FROM pg_class c LEFT JOIN pg_stats s
                ON s.schemaname = current_schema() AND s.tablename = c.relname AND s.attname = 'terms'
            WHERE c.relname = 'claims_searchdocument' AND c.relnamespace = current_schema()::regnamespace
            """
        )
        row = cursor.fetchone()
    frequencies: dict[str, float] = {}
    floor, documents = 0.0, 0.0
    if row is not None:
        words, shares, documents = row[0] or [], row[1] or [], max(0.0, float(row[2] or 0))
        frequencies = dict(zip(words, (float(share) for share in shares[: len(words)]), strict=True))
        floor = min(frequencies.values(), default=0.0)
    _statistics["terms"] = (now, (frequencies, floor, documents))
    return frequencies, floor, documents


def recent_threshold() -> int | None:
    """The claim id above which documents are in the recent index (``refresh_recent_index``), read at
    most every RECENT_SECONDS per process; None: there is none (SQLite, or a refresh is swapping it)."""
    now = time.monotonic()
    cached = _recent.get("threshold")
    if cached is not None and now - cached[0] < RECENT_SECONDS:
        return cached[1]
    threshold = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            threshold = _read_threshold(cursor)
    _recent["threshold"] = (now, threshold)
    return threshold


def _bands_to_read(sampled: int, recent: int, newest: int) -> list[tuple[int, int]]:
    """The newest bands below the recent index (threshold ``recent``) a query reads, having found
    ``sampled`` candidates among the documents above it (up to ``newest``); empty: none. Those documents
    are a sample of the archive: as many candidates per claim id are expected below. When the candidates
    still wanted (1.5 times) are expected in at most BAND_SHARE of the bands, those are read."""
    covering = covering_bands(recent) if sampled else []
    if not covering:
        return []
    per_band = sampled * BAND_IDS / (newest - recent)
    needed = 1 + int(1.5 * (RANKED_CANDIDATES + 1 - sampled) / per_band)
    return covering[:needed] if needed <= BAND_SHARE * len(covering) else []


def covering_bands(older: int) -> list[tuple[int, int]]:
    """The band indexes (``BAND_IDS``) holding every document up to claim ``older``, as (low, high] bounds,
    the newest first; empty when some band is missing. Read at most every RECENT_SECONDS per process."""
    now = time.monotonic()
    cached = _recent.get("bands")
    if cached is None or now - cached[0] >= RECENT_SECONDS:
        bands: list[tuple[int, int]] = []
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                bands = sorted(
                    (low, high)
                    for _name, low, high, valid in _band_indexes(cursor)
                    if valid and high - low == BAND_IDS  # another width's: left by an older setting
                )
        _recent["bands"] = cached = (now, bands)
    covering = []
    reached = 0
    for low, high in cached[1]:  # lowest first
        if reached >= older:
            break
        if low != reached:
            return []
        covering.append((low, high))
        reached = high
    return covering[::-1] if reached >= older else []


def _band_indexes(cursor: Any) -> list[tuple[str, int, int, bool]]:
    """The band indexes: name, (low, high] claim id bounds, and whether valid (an interrupted
    ``CONCURRENTLY`` build leaves an invalid one)."""
    cursor.execute(
        "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid), i.indisvalid "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'claims_searchdocument'::regclass AND c.relname LIKE %s",
        [r"claims\_search\_band\_%"],  # BAND_INDEX
    )
    bands = []
    for name, predicate, valid in cursor.fetchall():
        match = re.search(r">\s*'?(\d+).*<=\s*'?(\d+)", predicate or "")
        if match:
            bands.append((name, int(match.group(1)), int(match.group(2)), bool(valid)))
    return bands


def _read_threshold(cursor: Any) -> int | None:
    cursor.execute(
        "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
        "WHERE i.indexrelid = to_regclass(%s) AND i.indisvalid",
        [RECENT_INDEX],
    )
    row = cursor.fetchone()
    match = re.search(r">\s*'?(\d+)", row[0]) if row and row[0] else None
    return int(match.group(1)) if match else None


def refresh_recent_index(newest: int | None = None, force: bool = False, bands: bool = True) -> int | None:
    """Move the recent index (``claims_search_recent``: the full-text index of the documents above a claim
    id) up to the newest RECENT_DOCUMENTS documents, when more than twice that many are above it (or it
    is missing, or above the newest); return its new threshold, or None when it did not move.

    ``newest``: the highest claim id to plan for (the generator passes the last id it will write, so that
    only the last of its claims enter the index). Built ``CONCURRENTLY`` outside a transaction (writes
    go on), then swapped in for the old one; one refresh at a time (an advisory lock). PostgreSQL only.
    Inside a transaction, PostgreSQL builds no index on a table with deferred checks still pending.

    Then (``bands``) the band indexes (BAND_IDS) below the threshold are built where missing, whether the
    recent index moved or not, ``CONCURRENTLY`` outside a transaction. A band's index stays once built (the
    band the threshold is in still takes new claims until they pass its top). Not while a generator bulk
    run has the indexes dropped (``claims.generator.drop_indexes``): it puts them back itself.
    """
    if connection.vendor != "postgresql":
        return None
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    moved = None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [RECENT_INDEX])
        if not cursor.fetchone()[0]:
            return None  # another process is refreshing it
        try:
            if newest is None:
                cursor.execute("SELECT COALESCE(MAX(claim_id), 0) FROM claims_searchdocument")
                newest = int(cursor.fetchone()[0])
            threshold = _read_threshold(cursor)
            if force or threshold is None or not threshold <= newest <= threshold + 2 * RECENT_DOCUMENTS:
                threshold = moved = max(0, newest - RECENT_DOCUMENTS)
                building = f"{RECENT_INDEX}_new"
                cursor.execute(f"DROP INDEX{concurrently} IF EXISTS {building}")  # an interrupted build's
                cursor.execute(
                    f"CREATE INDEX{concurrently} {building} ON claims_searchdocument USING gin (terms) "
                    f"WITH (gin_pending_list_limit = 256) WHERE (claim_id + 0) > {threshold}"
                )
                cursor.execute(f"DROP INDEX{concurrently} IF EXISTS {RECENT_INDEX}")
                cursor.execute(f"ALTER INDEX {building} RENAME TO {RECENT_INDEX}")
            built = _build_bands(cursor, threshold, concurrently) if bands else 0
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [RECENT_INDEX])
    _recent.clear()
    if built:
        logger.info("built %d band indexes of the search, up to claim %d", built, threshold)
    return moved


def _build_bands(cursor: Any, threshold: int, concurrently: str) -> int:
    """Build the missing band indexes below ``threshold``; return how many. Those an interrupted build left
    invalid, and those of another width (an older BAND_IDS), are dropped first."""
    from .generator import BULK_TABLE  # the generator imports this module

    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [BULK_TABLE])
    if cursor.fetchone()[0]:
        return 0
    built = set()
    for name, low, high, valid in _band_indexes(cursor):
        if valid and high - low == BAND_IDS:
            built.add(low)
        else:
            cursor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')
    missing = [low for low in range(0, threshold, BAND_IDS) if low not in built]
    for low in missing:
        cursor.execute(
            f"CREATE INDEX{concurrently} IF NOT EXISTS {BAND_INDEX}_{low}_{low + BAND_IDS} "
            "ON claims_searchdocument USING gin (terms) WITH (gin_pending_list_limit = 256) "
            f"WHERE (claim_id + 0) > {low} AND (claim_id + 0) <= {low + BAND_IDS}"
        )
    return len(missing)


def set_similarity_threshold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new PostgreSQL connection: the threshold ``%>`` uses (one statement per connection)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET pg_trgm.word_similarity_threshold = {SIMILARITY:.2f}")


def ranked_ids(queryset: QuerySet[Claim], query: str) -> list[int]:
    """The ids of the claims of ``queryset`` matching ``query``, best first (at most MAX_RESULTS)."""
    parsed = Query.parse(query)
    if not parsed.words:
        return []
    if connection.vendor == "postgresql":
        return _postgres_ranked(queryset, parsed)
    return _python_ranked(queryset, parsed)


def search_claims(queryset: QuerySet[Claim], query: str) -> QuerySet[Claim]:
    """The claims of ``queryset`` matching ``query``, annotated ``search_rank`` (1 = best) and ordered by it.

    An empty query (no word) leaves the queryset as it is.
    """
    if not Query.parse(query).words:
        return queryset
    ids = ranked_ids(queryset, query)
    if not ids:
        return queryset.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    rank = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids, start=1)), output_field=IntegerField())
    return queryset.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank")
