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
indexes (migration 0007), so a query never scans the claims table. The keys are ASCII: the database's
``LC_CTYPE`` cannot change what its parser and pg_trgm see. SQLite (the embedded default): the same
rules, scored in Python over the documents — meant for a newsroom's laptop, not a million claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from sources.folding import exact, key

from .models import Claim, SearchDocument

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


# --- Indexing ----------------------------------------------------------------------------------------------


def _names(actor_or_place: object) -> list[str]:
    return [actor_or_place.name, *(alias.name for alias in actor_or_place.aliases.all())]  # type: ignore[attr-defined]


def document_for(claim: Claim) -> SearchDocument:
    """The search document of a claim (its relations prefetched or not)."""
    texts = [claim.text, *(t.text for t in claim.translations.all()), *(a.quote for a in claim.appearances.all())]
    names: list[str] = []
    if claim.claimant is not None:
        names += _names(claim.claimant)
    for actor in claim.mentions.all():
        names += _names(actor)
    for place in claim.places.all():
        names += _names(place)
    # Each text once, in order: a quote is often the wording itself.
    texts = list(dict.fromkeys(texts))
    names = list(dict.fromkeys(names))
    text_key = "\n".join(key(t) for t in texts)
    names_key = "\n".join(key(n) for n in names)
    return SearchDocument(
        claim=claim,
        exact="\n".join(exact(t) for t in texts + names),
        text_key=text_key,
        names_key=names_key,
        all_key=f"{text_key}\n{names_key}".strip(),
    )


def index_claims(claim_ids: Iterable[int]) -> int:
    """Rewrite the search documents of these claims (missing ones are skipped); return how many."""
    ids = sorted(set(claim_ids))
    if not ids:
        return 0
    claims = (
        Claim.objects.filter(pk__in=ids)
        .select_related("claimant")
        .prefetch_related("translations", "appearances", "claimant__aliases", "mentions__aliases", "places__aliases")
    )
    documents = [document_for(claim) for claim in claims]
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["claim"],
        update_fields=["exact", "text_key", "names_key", "all_key"],
        batch_size=500,
    )
    return len(documents)


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


@dataclass(frozen=True)
class Query:
    exact: str
    words: list[str]

    @property
    def key(self) -> str:
        return " ".join(self.words)

    @classmethod
    def parse(cls, text: str) -> Query:
        text = (text or "")[:MAX_QUERY_LENGTH]
        return cls(" ".join(exact(text).split()), key(text).split()[:MAX_QUERY_WORDS])


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def word_similarity(word: str, document_words: Iterable[str]) -> float:
    """The best similarity of ``word`` to one document word (pg_trgm's similarity on single words)."""
    mine = trigrams(word)
    best = 0.0
    for other in document_words:
        theirs = trigrams(other)
        best = max(best, len(mine & theirs) / len(mine | theirs))
    return best


def _python_ranked(ids_queryset: QuerySet[Claim], query: Query) -> list[int]:
    documents = SearchDocument.objects.filter(claim__in=ids_queryset).values_list(
        "claim_id", "exact", "all_key", "claim__published_at", "claim__created_at"
    )
    scored = []
    phrase = f" {query.key} "
    for claim_id, exact_text, all_key, published_at, created_at in documents.iterator():
        words = set(all_key.split())
        similarity = 0.0
        for word in query.words:
            if word in words:
                similarity += 1.0
                continue
            best = word_similarity(word, words) if len(word) >= FUZZY_MIN_LENGTH else 0.0
            if best < SIMILARITY:
                break
            similarity += best
        else:
            score = similarity / len(query.words)
            if query.exact and query.exact in exact_text:
                score += 8
            if len(query.words) > 1 and any(phrase in f" {line} " for line in all_key.split("\n")):
                score += 4
            scored.append((score, published_at or created_at, claim_id))
    scored.sort(key=lambda row: (row[0], row[1], row[2]), reverse=True)
    return [claim_id for _score, _when, claim_id in scored[:MAX_RESULTS]]


#: A search document's full-text vector, exactly as the GIN index of migration 0007 has it (table alias d).
DOCUMENT_TSVECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, d.text_key), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, d.names_key), 'B'))"
)


def _postgres_ranked(ids_queryset: QuerySet[Claim], query: Query) -> list[int]:
    candidates_sql, candidates_params = ids_queryset.order_by().values("pk").query.sql_with_params()
    conditions, params = [], []
    for word in query.words:
        if len(word) >= FUZZY_MIN_LENGTH:
            conditions.append(f"({DOCUMENT_TSVECTOR} @@ to_tsquery('simple'::regconfig, %s) OR d.all_key %%> %s)")
            params += [word, word]
        else:
            conditions.append(f"{DOCUMENT_TSVECTOR} @@ to_tsquery('simple'::regconfig, %s)")
            params.append(word)
    # Built from constants, the query's own placeholders and Django's compiled subquery; every value
    # (the query's words included) goes in as a parameter.
    sql = f"""
        SELECT d.claim_id
        FROM claims_searchdocument d
        JOIN claims_claim c ON c.id = d.claim_id
        WHERE {" AND ".join(conditions)} AND d.claim_id IN ({candidates_sql})
        ORDER BY
            (strpos(d.exact, %s) > 0)::int * 8
            + (CASE WHEN %s THEN ({DOCUMENT_TSVECTOR} @@ phraseto_tsquery('simple'::regconfig, %s))::int * 4
               ELSE 0 END)
            + ts_rank({DOCUMENT_TSVECTOR}, plainto_tsquery('simple'::regconfig, %s))
            + word_similarity(%s, d.all_key) DESC,
            COALESCE(c.published_at, c.created_at) DESC,
            d.claim_id DESC
        LIMIT {MAX_RESULTS}
    """  # noqa: S608
    order_params: list[Any] = [query.exact or "\x01", len(query.words) > 1, query.key, query.key, query.key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *candidates_params, *order_params])
        return [row[0] for row in cursor.fetchall()]


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
        return queryset.none()
    rank = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids, start=1)), output_field=IntegerField())
    return queryset.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank")
