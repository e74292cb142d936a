"""How duplicate candidates are chosen and scored fast (``claims.duplicates``): the pruned document score
equals scoring every pair, and on PostgreSQL the candidates come from the probe's rarest words by the
planner's statistics, with a bounded fallback when every word is common."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from claims import duplicates, search, tasks
from claims.api import ClaimFilter
from claims.models import Claim, ClaimStatus, Rating, SearchDocument
from claims.search import index_claims
from sources.folding import key, sound_words
from sources.models import Actor

from .factories import (
    ActorFactory,
    AppearanceFactory,
    ClaimFactory,
    OutletFactory,
    SourceFactory,
    TranslationFactory,
    VerdictFactory,
    rating,
    ready_claim,
)

WORDS = ["libya", "lybia", "tripoli", "tripolli", "haftar", "hafter", "7", "lanh", "tho", "cua", "the", "of", "a"]
word_lists = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(probes=st.lists(word_lists, min_size=1, max_size=3), lines=st.lists(word_lists, min_size=1, max_size=4))
def test_the_pruned_document_score_is_the_best_pair_score(probes: list[list[str]], lines: list[list[str]]) -> None:
    every_pair = max(duplicates.score_line(probe, line) for probe in probes for line in lines)

    assert duplicates.score_document(probes, lines) == pytest.approx(every_pair)
    # Below the floor the document is worth nothing; above it, its exact score.
    assert duplicates.score_document(probes, lines, floor=every_pair + 0.01) == 0.0
    if every_pair > 0.2:
        assert duplicates.score_document(probes, lines, floor=every_pair - 0.1) == pytest.approx(every_pair)


def test_a_respelled_name_still_scores_through_its_sound_key() -> None:
    probe, line = key("Khalifa Hafter's forces").split(), key("Khalifa Haftar's forces").split()

    assert duplicates.score_line(probe, line) > duplicates.score_line(probe, key("forces of the government").split())
    assert duplicates.score_document([probe], [line]) == pytest.approx(duplicates.score_line(probe, line))


@pytest.mark.django_db
def test_no_suggestions_are_asked_for_no_suggestions_are_given(researcher: Any) -> None:
    ClaimFactory(author=researcher, language="en", text="Haftar's forces control Benghazi")

    assert duplicates.find_duplicates(["Haftar's forces control Benghazi"], limit=0) == []
    assert len(duplicates.find_duplicates(["Haftar's forces control Benghazi"], limit=1)) == 1


@pytest.fixture
def statistics(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Stand-in planner statistics of ``terms``: ``set(shares, documents, probe)``; the sound key of every
    word of the probe in half the documents."""

    def set_statistics(shares: dict[str, float], documents: float, probe: str) -> None:
        sounds = {f"0{sound_key}": 0.5 for sound_key in sound_words(probe)}
        table = {"terms": (time.monotonic(), ({**shares, **sounds}, min(shares.values()), documents))}
        monkeypatch.setattr(search, "_statistics", table)

    return set_statistics


def test_the_filter_takes_the_rarest_words_within_the_budget(statistics: Any) -> None:
    statistics({"tripoli": 0.03, "kiem": 0.004, "soat": 0.004, "common": 0.0002}, 1_000_000, "kiem lanh soat tripoli")

    terms, window = duplicates._filter([["7", "kiem", "lanh", "soat", "tripoli"]])

    # Words below the most common statistics count as at most the floor (200 documents): "7" and "lanh"
    # first, then one of the 4,000-document words would pass the budget; "tripoli" (30,000) never.
    # Every sound key is common here: none is asked.
    assert set(terms.split(" | ")) == {"7", "lanh"}
    assert window is None


def test_a_rare_sound_key_is_asked_as_terms_holds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    shares = {"gaddafi": 0.03, "tripoli": 0.001, "0kdf": 0.0001, "0trpl": 0.5}
    table = {"terms": (time.monotonic(), (shares, 0.0001, 1_000_000))}
    monkeypatch.setattr(search, "_statistics", table)

    terms, window = duplicates._filter([["gaddafi", "tripoli"]])

    # Gaddafi's respellings (100 documents), not the word itself (30,000); Tripoli's sound key is common.
    assert terms == "tripoli | 0kdf"
    assert window is None


def test_every_word_common_falls_back_to_two_words_in_the_newest_documents(statistics: Any) -> None:
    statistics(
        {"chien": 0.01, "dau": 0.02, "geneva": 0.03, "fighter": 0.04, "jets": 0.05},
        1_000_000,
        "chien dau fighter geneva jets",
    )

    words, window = duplicates._filter([["chien", "dau", "fighter", "geneva", "jets"]])

    assert window == duplicates.FALLBACK_WINDOW
    assert words.split(" | ") == sorted(
        f"({a} & {b})"
        for a, b in [
            ("chien", "dau"),
            ("chien", "geneva"),
            ("chien", "fighter"),
            ("dau", "geneva"),
            ("dau", "fighter"),
            ("fighter", "geneva"),
        ]
    )


@pytest.mark.django_db
@pytest.mark.postgres
def test_postgres_candidates_hold_a_rare_word_and_the_settings_are_put_back(researcher: Any, statistics: Any) -> None:
    # "benghazi": rare
    statistics(
        {"libya": 0.5, "forces": 0.5, "control": 0.5, "rarer": 0.0001}, 1_000_000, "forces control benghazi libya"
    )
    match = ClaimFactory(author=researcher, language="en", text="Haftar's forces control Benghazi, Libya")
    TranslationFactory(claim=match, language="vi", text="Lực lượng của Haftar kiểm soát Benghazi, Libya")
    ClaimFactory(author=researcher, language="en", text="Forces control most of Libya")
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        before = cursor.fetchone()[0]

    candidates = dict(duplicates._candidates(Claim.objects.all(), [key("forces control Benghazi in Libya").split()]))
    found = duplicates.find_duplicates(["Forces control Benghazi in Libya"])

    assert set(candidates) == {match.pk}, "a candidate must hold the rare word"
    assert [suggestion.claim_id for suggestion in found] == [match.pk]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == before
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] in {"on", "off"}


def _published(researcher: Any, texts: list[str]) -> list[Claim]:
    now = timezone.now()
    claims = Claim.objects.bulk_create(
        Claim(
            text=text,
            language="en",
            author=researcher,
            status=ClaimStatus.PUBLISHED,
            published_at=now - dt.timedelta(hours=len(texts) - n),
        )
        for n, text in enumerate(texts)
    )
    index_claims(claim.pk for claim in claims)
    return claims


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_generic_claim_s_candidates_are_in_the_newest_documents(
    researcher: Any, statistics: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = ["haftar", "forces", "control", "benghazi", "airport"]
    statistics(dict.fromkeys(words, 0.5), 1_000_000, " ".join(words))  # every word common: the fallback
    old, _a, _b, new = _published(
        researcher,
        [
            "Haftar forces control Benghazi airport",
            "Rain in Hanoi",
            "Rain in Hue",
            "Haftar forces control Benghazi airport",
        ],
    )
    probe = ["Haftar's forces control the Benghazi airport"]

    everything = [suggestion.claim_id for suggestion in duplicates.find_duplicates(probe)]
    monkeypatch.setattr(duplicates, "FALLBACK_WINDOW", 2)
    newest = [suggestion.claim_id for suggestion in duplicates.find_duplicates(probe)]

    assert set(everything) == {old.pk, new.pk}
    assert newest == [new.pk], "the older claim is outside the newest two documents"


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_planner_s_word_statistics_are_read_from_pg_stats(researcher: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _published(researcher, [f"Libya report {n}" for n in range(40)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_searchdocument")
    monkeypatch.setattr(search, "_statistics", {})

    shares, floor, documents = search.word_statistics()

    assert documents == 40
    assert shares["libya"] == pytest.approx(1.0)
    assert 0 < floor < 1


def _check_now() -> None:
    """The test's transaction runs its deferred checks: PostgreSQL builds no index while some are pending."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _route(monkeypatch: pytest.MonkeyPatch, route: str) -> None:
    """Make the PostgreSQL search take one of its routes (``claims.search._postgres_ranked``)."""
    monkeypatch.setattr(search, "ONE_PASS_DOCUMENTS", 10**9 if route == "one pass" else -1)
    monkeypatch.setattr(search, "PROBE_DOCUMENTS", 10**9 if route.endswith("by id") else -1)
    monkeypatch.setattr(search, "BAND_SHARE", 10**9 if route.endswith("band indexes") else 0)
    monkeypatch.setattr(search, "_BANDS", [2, 5])
    monkeypatch.setattr(search, "RECENT_DOCUMENTS", 6)
    monkeypatch.setattr(search, "BAND_IDS", 4)
    if route.startswith("recent"):
        _check_now()
        assert search.refresh_recent_index(force=True) is not None
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {search.RECENT_INDEX}")
    monkeypatch.setattr(search, "_recent", {})


def _ids_from_one() -> None:
    """Claims from id 1 on (the band indexes are counted from claim 0: a few of them for a test's claims).
    Safe because no test leaves claims behind (each test's transaction is rolled back); the sequence
    itself is not rolled back, and later tests simply go on from where it is."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('claims_claim', 'id'), 1, false)")


ROUTES = [
    "one pass",
    "recent, then by id",
    "recent, then bands",
    "recent, then band indexes",
    "whole index, by id",
    "whole index, bands",
]


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_search_joins_the_claims_once_and_keeps_a_filter_across_a_relation(researcher: Any) -> None:
    claims = _published(researcher, ["Ceasefire in Tripoli", "Ceasefire in Misrata", "Rain in Hanoi"])
    first, second = ActorFactory(), ActorFactory()
    claims[0].mentions.add(first, second)
    claims[2].mentions.add(first)
    # The public claims, one table: joined to the documents as the claims table itself, looked up once.
    with CaptureQueriesContext(connection) as statements:
        found = search.ranked_ids(Claim.objects.public(), "ceasefire")
    assert found == [claims[1].pk, claims[0].pk]
    scored = [statement["sql"] for statement in statements if "s.share >=" in statement["sql"]]
    assert len(scored) == 1 and scored[0].count('FROM "claims_claim"') == 1 and " IN (SELECT" not in scored[0]
    # A filter on the claimant's id leaves Django's unused alias of the actors' table behind: still one table.
    claims[0].claimant = first
    claims[0].save()  # and its search document, with its facets
    by_claimant = Claim.objects.public().filter(claimant_id=first.pk)
    assert "sources_actor" in by_claimant.query.alias_map
    with CaptureQueriesContext(connection) as statements:
        assert search.ranked_ids(by_claimant, "ceasefire") == [claims[0].pk]
    scored = [statement["sql"] for statement in statements if "s.share >=" in statement["sql"]]
    assert len(scored) == 1 and " IN (SELECT" not in scored[0] and "sources_actor" not in scored[0]
    # Across a relation the filter repeats a claim (one row per actor it mentions): a semi-join keeps it
    # once, and the filter still holds.
    mentioning = Claim.objects.public().filter(mentions__in=[first, second])
    assert sorted(mentioning.values_list("pk", flat=True)) == [claims[0].pk, claims[0].pk, claims[2].pk]
    assert search.ranked_ids(mentioning, "ceasefire") == [claims[0].pk]
    assert search.ranked_ids(mentioning.distinct(), "ceasefire") == [claims[0].pk]


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("route", ROUTES[1:])
def test_every_route_of_a_search_finds_the_same_claims_as_one_pass(
    researcher: Any, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    _ids_from_one()
    _published(researcher, [f"Ceasefire talk number {n} in Tripoli" for n in range(12)] + ["Rain in Hanoi"] * 3)
    public = Claim.objects.public()

    def both() -> tuple[list[int], list[int]]:
        _route(monkeypatch, "one pass")
        one_pass = search.ranked_ids(public, "ceasefire Tripoli")
        _route(monkeypatch, route)
        return one_pass, search.ranked_ids(public, "ceasefire Tripoli")

    one_pass, other = both()
    assert len(one_pass) == 12
    assert one_pass == other
    if route.endswith("band indexes"):  # it did read them: the band under the recent index, up to it
        with CaptureQueriesContext(connection) as statements:
            search.ranked_ids(public, "ceasefire Tripoli")
        assert any("(d.claim_id + 0) > 8 AND (d.claim_id + 0) <= 9" in statement["sql"] for statement in statements)
    # With fewer candidates ranked than match, every route ranks the newest ones: the recent index
    # (the newest six documents: three of them about the ceasefire) holds fewer, the older ones the rest.
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 4)
    one_pass, other = both()
    newest = set(public.filter(text__startswith="Ceasefire").order_by("-pk").values_list("pk", flat=True)[:5])
    assert one_pass == other
    assert set(one_pass) == newest
    # When the recent index holds enough candidates, the older documents are not read.
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    one_pass, other = both()
    assert one_pass == other
    assert len(one_pass) == 3
    with CaptureQueriesContext(connection) as statements:
        search.ranked_ids(public, "ceasefire Tripoli")
    probe = f"LIMIT {search.PROBE_DOCUMENTS + 1}"  # the pass over the older documents' index
    probed = any(statement["sql"].endswith(probe) for statement in statements)
    assert probed == route.startswith("whole index"), "the recent index alone answers"


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_common_query_reads_the_newest_band_indexes(researcher: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _ids_from_one()
    claims = _published(researcher, [f"Ceasefire talk number {n} in Tripoli" for n in range(15)] + ["Rain"] * 5)
    newest = max(claim.pk for claim in claims)
    _route(monkeypatch, "recent, then band indexes")
    monkeypatch.setattr(search, "BAND_SHARE", 0.5)
    # The newest six documents (the recent index: 15 to 20) hold one match: about as many per six older
    # ones are expected. The three more candidates wanted (RANKED_CANDIDATES + 1, less the one), 1.5 times,
    # would take some seven bands of four, more than half of the four there are: one pass over the whole
    # index (the probe).
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 3)
    with CaptureQueriesContext(connection) as statements:
        one = search.ranked_ids(Claim.objects.public(), "ceasefire Tripoli")
    assert any(statement["sql"].endswith(f"LIMIT {search.PROBE_DOCUMENTS + 1}") for statement in statements)
    assert len(one) == 4  # RANKED_CANDIDATES + 1 candidates ranked
    # A common word: every document of the recent index matches (six), and so, in proportion, would the
    # older ones: four a band. Three more candidates wanted, 1.5 times: the two newest bands below the
    # recent index are asked, then, if they fall short, the whole index below them.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claim SET text = 'Ceasefire in Tripoli' WHERE id > %s", [newest - 6])
    index_claims(claim.pk for claim in claims)
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 8)
    with CaptureQueriesContext(connection) as statements:
        banded = search.ranked_ids(Claim.objects.public(), "ceasefire Tripoli")
    scored = [statement["sql"] for statement in statements if "s.share >=" in statement["sql"]]
    # The recent index's candidates are read once, and kept: the bands' statement asks only for the rest.
    assert [bool(re.search(r"\(d\.claim_id \+ 0\) > 14\b", sql)) for sql in scored] == [True, False]
    last = scored[-1]
    assert "(d.claim_id + 0) > 12 AND (d.claim_id + 0) <= 14" in last
    assert "(d.claim_id + 0) > 8 AND (d.claim_id + 0) <= 12" in last
    assert "(d.claim_id + 0) > 4 AND" not in last and "d.claim_id <= 8" in last
    monkeypatch.setattr(search, "BAND_SHARE", 0)
    assert search.ranked_ids(Claim.objects.public(), "ceasefire Tripoli") == banded
    # The two bands fall short (nothing matches from 9 to 14): the rest comes from the whole index below
    # them, its newest first (claim 8, at the bound, included), as one pass ranks them.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claim SET text = 'Rain in Hanoi' WHERE id > 8 AND id <= 14")
    index_claims(claim.pk for claim in claims)
    monkeypatch.setattr(search, "BAND_SHARE", 0.5)
    short = search.ranked_ids(Claim.objects.public(), "ceasefire Tripoli")
    assert sorted(short, reverse=True) == [20, 19, 18, 17, 16, 15, 8, 7, 6]
    monkeypatch.setattr(search, "ONE_PASS_DOCUMENTS", 10**9)
    assert search.ranked_ids(Claim.objects.public(), "ceasefire Tripoli") == short


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_band_indexes_are_built_below_the_recent_index(researcher: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _ids_from_one()
    monkeypatch.setattr(search, "RECENT_DOCUMENTS", 3)
    monkeypatch.setattr(search, "BAND_IDS", 4)
    monkeypatch.setattr(search, "_recent", {})
    claims = _published(researcher, [f"Report {n} from Tripoli" for n in range(13)])
    assert max(claim.pk for claim in claims) == 13
    _check_now()
    assert search.refresh_recent_index(force=True) == 10

    def bands() -> list[tuple[str, int, int, bool]]:
        with connection.cursor() as cursor:
            return sorted(search._band_indexes(cursor), key=lambda band: band[1])

    assert bands() == [  # the last one still takes new claims, up to 12
        ("claims_search_band_0_4", 0, 4, True),
        ("claims_search_band_4_8", 4, 8, True),
        ("claims_search_band_8_12", 8, 12, True),
    ]
    assert search.covering_bands(10) == [(8, 12), (4, 8), (0, 4)]
    with connection.cursor() as cursor:  # a band's query is one its index answers
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT claim_id FROM claims_searchdocument d WHERE d.terms @@ to_tsquery('simple', 'tripoli') "
            "AND (d.claim_id + 0) > 4 AND (d.claim_id + 0) <= 7"
        )
        assert "claims_search_band_4_8" in " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    assert search.refresh_recent_index() is None, "nothing to move, nothing to build"
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX claims_search_band_4_8")
    monkeypatch.setattr(search, "_recent", {})
    assert search.covering_bands(10) == [], "a band is missing: the search asks the whole index"
    with connection.cursor() as cursor:  # a generator bulk run has the indexes dropped: it restores them
        cursor.execute("CREATE TABLE generate_claims_dropped (id int)")
        assert search.refresh_recent_index() is None
        assert [band[0] for band in bands()] == ["claims_search_band_0_4", "claims_search_band_8_12"]
        cursor.execute("DROP TABLE generate_claims_dropped")
    assert search.refresh_recent_index() is None  # the recent index stays; the missing band is built
    assert search.covering_bands(10) == [(8, 12), (4, 8), (0, 4)]
    # Another width (BAND_IDS changed): the old bands are not read, and are dropped for the new ones.
    monkeypatch.setattr(search, "BAND_IDS", 5)
    monkeypatch.setattr(search, "_recent", {})  # a process started with the new setting
    assert search.covering_bands(10) == []
    search.refresh_recent_index()
    assert [band[1:3] for band in bands()] == [(0, 5), (5, 10)]
    assert search.covering_bands(10) == [(5, 10), (0, 5)]


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_recent_index_moves_up_with_the_archive(researcher: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RECENT_DOCUMENTS", 3)
    monkeypatch.setattr(search, "_recent", {})
    claims = _published(researcher, [f"Report {n} from Tripoli" for n in range(4)])
    newest = max(claim.pk for claim in claims)
    _check_now()

    assert search.refresh_recent_index(force=True) == newest - 3
    assert search.recent_threshold() == newest - 3
    assert search.refresh_recent_index() is None, "it is where it should be: nothing to do"
    more = _published(researcher, [f"Report {n} from Benghazi" for n in range(7)])
    newest = max(claim.pk for claim in more)

    assert tasks.refresh_recent_search_index() == newest - 3, "more than twice RECENT_DOCUMENTS came in above it"
    assert search.recent_threshold() == newest - 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [search.RECENT_INDEX])
        assert cursor.fetchone()[0].endswith(f"WHERE ((claim_id + 0) > {newest - 3})")
    # A generator run plans for the ids it is about to write (an index above the newest is moved down).
    assert search.refresh_recent_index(newest=newest + 100) == newest + 97
    assert search.refresh_recent_index() == newest - 3


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_candidates_are_read_from_the_terms_index(researcher: Any) -> None:
    """Words and sound keys in one query on ``terms`` (migration 0020 dropped the indexes of ``vector`` and
    ``sound_vector``): a respelled name finds its claim through the sound key's ``0`` form."""
    gaddafi = ClaimFactory(author=researcher, language="en", text="Gaddafi's son stands for election in Libya")
    for n in range(30):
        ClaimFactory(author=researcher, language="en", text=f"Fighting near Tripoli goes on, report {n}")
    index_claims(Claim.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_searchdocument")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'claims_searchdocument' AND indexdef LIKE '%%gin%%'"
        )
        assert {name for (name,) in cursor.fetchall()} & {"claims_search_vector", "claims_search_sound"} == set()

    with CaptureQueriesContext(connection) as queries:
        found = duplicates.find_duplicates(["Qaddafi's son stands for election"])

    assert found[0].claim_id == gaddafi.pk
    # The name alone, respelled: no word in common, found through the sound key only.
    assert gaddafi.pk in {claim_id for claim_id, _key in duplicates._candidates(Claim.objects.all(), [["qaddafi"]])}
    candidates = next(q["sql"] for q in queries if "d.terms @@" in q["sql"])
    assert "0kdf" in candidates, "the respelling is asked by its sound key"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {candidates}")
        assert "claims_search_terms" in " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")


def _terms_of(*words: str) -> dict[str, search._Term]:
    return {word: search._Term(word, [(word, 1.0)], "") for word in words}


@given(st.lists(st.sets(st.sampled_from("abcdefg"), min_size=1, max_size=4), min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_the_sets_of_words_are_asked_in_groups_that_each_share_a_word(sets: list[set[str]]) -> None:
    enough = [sorted(words) for words in sets]
    shares = {word: (ord(word) - 96) / 100 for word in "abcdefg"}
    original = search.word_statistics
    search.word_statistics = lambda: (shares, 0.01, 1000.0)  # type: ignore[assignment]
    try:
        groups = search._required_groups(enough, _terms_of(*"abcdefg"))
    finally:
        search.word_statistics = original  # type: ignore[assignment]
    # Every set is asked once, in one group; a group's sets share a word (GIN's required entries), but
    # for a lone set, which needs none.
    assert sorted(words for group in groups for words in group) == sorted(enough)
    for group in groups:
        assert len(group) == 1 or set(group[0]).intersection(*group[1:])


def test_the_first_group_shares_the_word_whose_spellings_are_rarest(monkeypatch: pytest.MonkeyPatch) -> None:
    # Three of "libya giam san luong dau" that some document holds (no document holds "giam"): four sets.
    enough = [["libya", "san", "luong"], ["libya", "san", "dau"], ["libya", "luong", "dau"], ["san", "luong", "dau"]]
    terms = _terms_of("san", "luong", "dau")
    terms["libya"] = search._Term("libya", [("libya", 1.0), ("libye", 0.5)], "lb")
    shares = {"libya": 0.040, "libye": 0.041, "0lb": 0.041, "san": 0.043, "luong": 0.085, "dau": 0.043}
    monkeypatch.setattr(search, "word_statistics", lambda: (shares, 0.001, 1_000_000.0))
    assert search._required_groups(enough, terms) == [enough[:3], enough[3:]]
    # A spelling of it as common as "luong" makes "dau" and "san" rarer ("dau" first, alphabetically).
    shares["libye"] = 0.085
    assert search._required_groups(enough, terms) == [enough[1:], enough[:1]]


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_share_of_the_words_is_asked_of_the_index_in_groups(researcher: Any) -> None:
    texts = [
        "Alpha bravo charlie",
        "Bravo charlie delta",
        "Alpha charlie delta",
        "Alpha bravo delta",
        "Alpha bravo",
        "Charlie delta",
        "Echo foxtrot",
    ]
    claims = _published(researcher, texts)
    with CaptureQueriesContext(connection) as statements:
        found = search.ranked_ids(Claim.objects.public(), "alpha bravo charlie delta")
    # Three of the four words (MIN_COVERAGE 0.6 of four): the four claims holding three, none holding two.
    assert sorted(found) == sorted(claim.pk for claim in claims[:4])
    scored = [statement["sql"] for statement in statements if "s.share >=" in statement["sql"]]
    assert len(scored) == 1 and scored[0].count(") OR d.terms @@ to_tsquery(") == 1  # two groups


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_probe_that_finds_no_older_match_reads_nothing_by_id(
    researcher: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ids_from_one()
    claims = _published(researcher, ["Rain in Hanoi"] * 12 + ["Ceasefire in Tripoli"] * 3)
    _route(monkeypatch, "recent, then by id")  # the recent index: the newest six documents
    with CaptureQueriesContext(connection) as statements:
        found = search.ranked_ids(Claim.objects.public(), "ceasefire Tripoli")
    assert sorted(found) == sorted(claim.pk for claim in claims[-3:])
    sql = [statement["sql"] for statement in statements]
    assert any(statement.endswith(f"LIMIT {search.PROBE_DOCUMENTS + 1}") for statement in sql)  # it probed
    assert not any("d.claim_id = ANY(" in statement for statement in sql)
    # A union of querysets (no annotation allowed after it) is searched through a semi-join.
    union = Claim.objects.public().filter(pk__lte=claims[13].pk).union(Claim.objects.filter(pk=claims[14].pk))
    assert sorted(search.ranked_ids(union, "ceasefire Tripoli")) == sorted(claim.pk for claim in claims[-3:])


def test_the_candidates_are_ranked_by_score_then_date_then_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monday, tuesday = dt.datetime(2019, 4, 8, tzinfo=dt.UTC), dt.datetime(2019, 4, 9, tzinfo=dt.UTC)
    found = [(1, Decimal("2.0"), tuesday), (2, Decimal("10.0"), monday), (3, Decimal("2.0"), monday)]
    found += [(4, Decimal("2.0"), tuesday), (5, Decimal("1.999"), tuesday)]
    assert search._best(list(found)) == [2, 4, 1, 3, 5]
    monkeypatch.setattr(search, "MAX_RESULTS", 2)
    assert search._best(list(found)) == [2, 4]


@pytest.mark.django_db
@pytest.mark.postgres
def test_claims_of_one_score_and_date_are_ranked_newest_id_first(researcher: Any) -> None:
    claims = _published(researcher, ["Ceasefire in Tripoli"] * 3)
    Claim.objects.filter(pk__in=[claim.pk for claim in claims]).update(published_at=claims[0].published_at)
    assert search.ranked_ids(Claim.objects.public(), "ceasefire Tripoli") == sorted(
        (claim.pk for claim in claims), reverse=True
    )


# --- Facets: a search within one language, claimant, rating, outlet, source or actor (migrations 0022-0024) --

MIGRATION_0024 = importlib.import_module("claims.migrations.0024_search_document_relation_facets")
FACETS_SQL, FACETS_FROM = MIGRATION_0024.FACETS_SQL, MIGRATION_0024.FACETS_FROM


def test_a_document_s_facets_name_its_claim_s_language_claimant_rating_outlets_sources_and_mentions() -> None:
    assert search.document_facets("vi", None) == "1lvi"
    assert search.document_facets("zh-Hant", 42) == "1lzhhant 1c42"
    assert search.document_facets("vi", None, 3) == "1lvi 1r3"
    assert search.document_facets("zh-Hant", 42, 7) == "1lzhhant 1c42 1r7"
    # Each related id once, in increasing order (as the migration's SQL orders them); a source without an
    # outlet adds none.
    assert (
        search.document_facets("vi", 4, None, outlet_ids=[12, None, 3, 12], source_ids=[35, 9, 35], mention_ids=[6, 2])
        == "1lvi 1c4 1o3 1o12 1s9 1s35 1m2 1m6"
    )


@pytest.mark.django_db
def test_a_search_asks_for_the_facets_of_equalities_anded_on_the_claims_own_columns() -> None:
    actor = ActorFactory()
    public = Claim.objects.public()
    assert search._filter_facets(public) == []
    assert search._filter_facets(public.filter(language="ar")) == ["1lar"]
    assert search._filter_facets(public.filter(claimant=actor)) == [f"1c{actor.pk}"]
    assert search._filter_facets(public.filter(Q(claimant_id=actor.pk) & Q(language="vi"))) == [
        f"1c{actor.pk}",
        "1lvi",
    ]
    # Nothing that may not hold for every claim of the queryset.
    assert search._filter_facets(public.exclude(language="ar")) == []
    assert search._filter_facets(public.filter(Q(language="ar") | Q(language="vi"))) == []
    assert search._filter_facets(public.filter(language__in=["ar"])) == []
    assert search._filter_facets(public.filter(claimant__name=actor.name)) == []  # the actors' column
    assert search._filter_facets(public.filter(language="ar").union(public.filter(language="ar"))) == []
    # Inside ``pk__in=`` claims' ids, the same; not of another column or model.
    assert search._filter_facets(public.filter(pk__in=Claim.objects.filter(language="ar").values("pk"))) == ["1lar"]
    assert search._filter_facets(public.filter(pk__in=Claim.objects.filter(language="ar").values("claimant"))) == []
    assert search._filter_facets(public.filter(pk__in=Actor.objects.filter(name="ar").values("pk"))) == []
    assert search._filter_facets(public.exclude(pk__in=Claim.objects.filter(language="ar").values("pk"))) == []


@pytest.mark.django_db
def test_a_search_asks_for_the_facets_of_an_outlet_a_source_or_a_mentioned_actor() -> None:
    actor, source = ActorFactory(), SourceFactory()
    public = Claim.objects.public()
    outlet, source_facet, mention = f"1o{source.outlet_id}", f"1s{source.pk}", f"1m{actor.pk}"
    # Joined, as a filter across the relation writes them (the public list's outlet), and inside the
    # subqueries of the API's ``outlet=``, ``source=`` and ``mentions=``.
    assert search._filter_facets(public.filter(appearances__source__outlet=source.outlet)) == [outlet]
    assert search._filter_facets(public.filter(appearances__source=source)) == [source_facet]
    assert search._filter_facets(public.filter(mentions=actor)) == [mention]
    api = ClaimFilter(data={}, queryset=public)
    assert search._filter_facets(api.filter_outlet(public, "outlet", source.outlet_id)) == [outlet]
    assert search._filter_facets(api.filter_source(public, "source", source.pk)) == [source_facet]
    assert search._filter_facets(api.filter_mentions(public, "mentions", actor.pk)) == [mention]
    both = api.filter_mentions(
        api.filter_outlet(public.filter(language="vi"), "outlet", source.outlet_id), "", actor.pk
    )
    assert search._filter_facets(both) == ["1lvi", mention, outlet]
    # Not through another relation to a source (a verdict's evidence), another column, a negation or an OR.
    assert search._filter_facets(public.filter(verdict__evidence__source=source)) == []
    assert search._filter_facets(public.filter(appearances__source__outlet__name="x")) == []
    assert search._filter_facets(public.filter(mentions__name=actor.name)) == []
    assert search._filter_facets(public.exclude(appearances__source=source)) == []
    assert search._filter_facets(public.filter(Q(mentions=actor) | Q(language="vi"))) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("ratings")
def test_a_search_asks_for_the_facet_of_its_verdict_s_rating_by_slug_or_id() -> None:
    false = rating("false")
    public = Claim.objects.public()
    assert search._filter_facets(public.filter(verdict__rating__slug="false")) == [f"1r{false.pk}"]
    assert search._filter_facets(public.filter(verdict__rating=false)) == [f"1r{false.pk}"]
    assert search._filter_facets(public.filter(verdict__rating_id=false.pk, language="vi")) == [
        "1lvi",
        f"1r{false.pk}",
    ]
    # Nothing from another path to a rating (an imported review's: a claim may have several), a
    # negation, an OR, a rating that does not exist or another of the rating's columns.
    assert search._filter_facets(public.filter(external_reviews__rating__slug="false")) == []
    assert search._filter_facets(public.exclude(verdict__rating__slug="false")) == []
    assert search._filter_facets(public.filter(Q(verdict__rating__slug="false") | Q(language="vi"))) == []
    assert search._filter_facets(public.filter(verdict__rating__slug="no-such-rating")) == []
    assert search._filter_facets(public.filter(verdict__rating__value=1)) == []
    # A rating class (the API's rating_class=): any one of its ratings' facets; none for a class no rating
    # has.
    mostly_false, unproven = rating("mostly-false"), rating("unproven")
    either = "(" + " | ".join(sorted([f"1r{false.pk}", f"1r{mostly_false.pk}"])) + ")"
    assert search._filter_facets(public.filter(verdict__rating__rating_class="FALSE")) == [either]
    assert search._filter_facets(ClaimFilter({"rating_class": "FALSE"}, queryset=public).qs) == [either]
    assert search._filter_facets(public.filter(verdict__rating__rating_class="OTHER")) == [f"1r{unproven.pk}"]
    assert search._filter_facets(public.exclude(verdict__rating__rating_class="FALSE")) == []
    Rating.objects.filter(slug="misleading").update(rating_class="OTHER")
    assert search._filter_facets(public.filter(verdict__rating__rating_class="MIXTURE")) == []


def test_a_rating_class_counts_its_ratings_documents_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """A facet of several ratings holds the documents of each: a search within it reads them all at once
    only when they are few (``_estimated_matches`` against ONE_PASS_DOCUMENTS)."""
    shares = {"ceasefire": 0.5, "1r4": 0.01, "1r5": 0.02, "1r6": 0.001}
    monkeypatch.setattr(search, "_statistics", {"terms": (time.monotonic(), (shares, 0.0001, 1_000_000))})
    terms = {"ceasefire": search._Term("ceasefire", [("ceasefire", 1.0)], "")}

    assert search._estimated_matches([["ceasefire"]], terms, ["(1r4 | 1r5)"]) == pytest.approx(30_000)
    assert search._estimated_matches([["ceasefire"]], terms, ["(1r4 | 1r5)", "1r6"]) == pytest.approx(1_000)
    assert search._estimated_matches([["ceasefire"]], terms, []) == pytest.approx(500_000)


def _published_by(researcher: Any, rows: list[tuple[str, str, Any]]) -> list[Claim]:
    """Published claims of (text, language, claimant), the first the oldest, indexed."""
    now = timezone.now()
    claims = Claim.objects.bulk_create(
        Claim(
            text=text,
            language=language,
            claimant=claimant,
            author=researcher,
            status=ClaimStatus.PUBLISHED,
            published_at=now - dt.timedelta(hours=len(rows) - n),
        )
        for n, (text, language, claimant) in enumerate(rows)
    )
    index_claims(claim.pk for claim in claims)
    return claims


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("ratings")
def test_a_document_s_facets_are_the_ones_the_migration_fills_in(researcher: Any) -> None:
    actor, mentioned = ActorFactory(), ActorFactory()
    rated = ready_claim(researcher, language="ar", claimant=actor)
    quoted = ClaimFactory(author=researcher)
    first = AppearanceFactory(claim=quoted, source=SourceFactory(outlet=OutletFactory()))
    AppearanceFactory(claim=quoted, source=SourceFactory(outlet=None), is_first=False)
    AppearanceFactory(claim=quoted, source=SourceFactory(outlet=first.source.outlet), is_first=False)
    quoted.mentions.add(mentioned, actor)
    claims = [ClaimFactory(author=researcher, language="zh-Hant", claimant=actor), ClaimFactory(author=researcher)]
    for claim in [*claims, rated, quoted]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {FACETS_SQL} FROM {FACETS_FROM} WHERE c.id = %s", [claim.pk])  # noqa: S608
            (migrated,) = cursor.fetchone()
        stored = SearchDocument.objects.get(claim=claim).facets
        appearances = list(claim.appearances.select_related("source"))
        expected = search.document_facets(
            claim.language,
            claim.claimant_id,
            claim.verdict.rating_id if claim is rated else None,
            outlet_ids=[appearance.source.outlet_id for appearance in appearances],
            source_ids=[appearance.source_id for appearance in appearances],
            mention_ids=claim.mentions.values_list("pk", flat=True),
        )
        assert migrated == stored == expected
    source = rated.appearances.get().source
    assert SearchDocument.objects.get(claim=rated).facets == (
        f"1lar 1c{actor.pk} 1r{rating('unproven').pk} 1o{source.outlet_id} 1s{source.pk}"
    )
    assert SearchDocument.objects.get(claim=quoted).facets.count(" 1o") == 1  # two sources of one outlet, one without
    assert SearchDocument.objects.get(claim=quoted).facets.count(" 1s") == 3
    assert SearchDocument.objects.get(claim=quoted).facets.count(" 1m") == 2
    # What restore_json fills in (``fill_facets``).
    assert (FACETS_SQL, FACETS_FROM) == (search.FACETS_SQL, search.FACETS_FROM)


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("route", ROUTES)
def test_a_search_within_a_claimant_or_a_language_asks_the_index_for_its_facets(
    researcher: Any, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    _ids_from_one()
    first, second = ActorFactory(), ActorFactory()
    rows = [
        (f"Ceasefire talk number {n} in Tripoli", ["en", "fr"][n % 2], [first, second, None][n % 3]) for n in range(12)
    ]
    claims = _published_by(researcher, [*rows, ("Rain in Hanoi", "en", first)])
    public = Claim.objects.public()
    _route(monkeypatch, route)
    everything = search.ranked_ids(public, "ceasefire Tripoli")
    assert len(everything) == 12
    for queryset, facet in [
        (public.filter(claimant=first), f"1c{first.pk}"),
        (public.filter(language="fr"), "1lfr"),
        (public.filter(claimant=second, language="en"), f"1c{second.pk}"),
    ]:
        kept = set(queryset.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as statements:
            found = search.ranked_ids(queryset, "ceasefire Tripoli")
        assert found and found == [pk for pk in everything if pk in kept]
        assert any(f"& {facet}" in statement["sql"] for statement in statements)
    # A claim given another claimant, or another language, is found under the new one only: its document
    # follows it.
    moved = claims[0]
    moved.claimant, moved.language = second, "fr"
    moved.save()
    assert moved.pk in search.ranked_ids(public.filter(claimant=second), "ceasefire Tripoli")
    assert moved.pk not in search.ranked_ids(public.filter(claimant=first), "ceasefire Tripoli")
    assert moved.pk in search.ranked_ids(public.filter(language="fr"), "ceasefire Tripoli")
    assert moved.pk not in search.ranked_ids(public.filter(language="en"), "ceasefire Tripoli")


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("ratings")
@pytest.mark.parametrize("route", ROUTES)
def test_a_search_within_a_rating_asks_the_index_for_its_facet_and_follows_the_verdict(
    researcher: Any, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    _ids_from_one()
    claims = _published_by(researcher, [(f"Ceasefire talk number {n} in Tripoli", "en", None) for n in range(12)])
    slugs = ["false", "unproven", "true"]
    for n, claim in enumerate(claims[:9]):  # three left without a verdict, one of which gets mostly-false
        VerdictFactory(claim=claim, rating=rating(slugs[n % 3]))
    public = Claim.objects.public()
    _route(monkeypatch, route)
    everything = search.ranked_ids(public, "ceasefire Tripoli")
    assert len(everything) == 12
    for slug in slugs:
        queryset = public.filter(verdict__rating__slug=slug)
        kept = set(queryset.values_list("pk", flat=True))
        assert len(kept) == 3
        with CaptureQueriesContext(connection) as statements:
            found = search.ranked_ids(queryset, "ceasefire Tripoli")
        assert found == [pk for pk in everything if pk in kept]
        assert any(f"& 1r{rating(slug).pk}" in statement["sql"] for statement in statements)
    # Within a rating class: its ratings' facets, read from the ratings when asked, so that a rating moved
    # to another class is followed from the next search on.
    VerdictFactory(claim=claims[9], rating=rating("mostly-false"))
    either = search.either_facet([f"1r{rating('false').pk}", f"1r{rating('mostly-false').pk}"])
    for rating_class, expected, condition in [
        ("FALSE", {*claims[0:9:3], claims[9]}, f"& {either}"),
        (
            "TRUE",
            set(claims[2:9:3]),
            f"& {search.either_facet([f'1r{rating(s).pk}' for s in ('true', 'mostly-true')])}",
        ),
    ]:
        queryset = public.filter(verdict__rating__rating_class=rating_class)
        assert set(queryset) == expected
        with CaptureQueriesContext(connection) as statements:
            found = search.ranked_ids(queryset, "ceasefire Tripoli")
        assert found == [pk for pk in everything if pk in {claim.pk for claim in expected}]
        assert any(condition in statement["sql"] for statement in statements)
    Rating.objects.filter(slug="unproven").update(rating_class="FALSE")
    within_false_class = search.ranked_ids(public.filter(verdict__rating__rating_class="FALSE"), "ceasefire Tripoli")
    assert set(within_false_class) == {claim.pk for claim in claims[0:10] if claim not in claims[2:9:3]}
    Rating.objects.filter(slug="unproven").update(rating_class="OTHER")
    # A verdict given another rating moves its claim to the other rating's searches; a claim given its
    # first verdict joins them; a deleted verdict leaves them.
    moved, unrated = claims[0], claims[10]
    verdict = moved.verdict
    verdict.rating = rating("true")
    verdict.save(update_fields=["rating"])
    VerdictFactory(claim=unrated, rating=rating("false"))
    within_false = search.ranked_ids(public.filter(verdict__rating__slug="false"), "ceasefire Tripoli")
    within_true = search.ranked_ids(public.filter(verdict__rating__slug="true"), "ceasefire Tripoli")
    assert moved.pk in within_true and moved.pk not in within_false
    assert unrated.pk in within_false
    Claim.objects.get(pk=unrated.pk).verdict.delete()
    assert SearchDocument.objects.get(claim=unrated).facets == "1len"


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("route", ROUTES)
def test_a_search_within_an_outlet_a_source_or_an_actor_asks_the_index_for_its_facet_and_follows_them(
    researcher: Any, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    _ids_from_one()
    claims = _published_by(researcher, [(f"Ceasefire talk number {n} in Tripoli", "en", None) for n in range(12)])
    outlets = [OutletFactory(), OutletFactory()]
    sources = [SourceFactory(outlet=outlets[n % 2]) for n in range(4)]
    actor = ActorFactory()
    for n, claim in enumerate(claims[:8]):  # four left without a source
        AppearanceFactory(claim=claim, source=sources[n % 4])
    for claim in claims[::3]:
        claim.mentions.add(actor)
    public = Claim.objects.public()
    api = ClaimFilter(data={}, queryset=public)
    _route(monkeypatch, route)
    everything = search.ranked_ids(public, "ceasefire Tripoli")
    assert len(everything) == 12

    def within(name: str, value: int) -> list[int]:
        return search.ranked_ids(getattr(api, f"filter_{name}")(public, name, value), "ceasefire Tripoli")

    for name, value, facet, expected in [
        ("outlet", outlets[0].pk, f"1o{outlets[0].pk}", claims[0:8:2]),
        ("source", sources[1].pk, f"1s{sources[1].pk}", claims[1:8:4]),
        ("mentions", actor.pk, f"1m{actor.pk}", claims[::3]),
    ]:
        with CaptureQueriesContext(connection) as statements:
            found = within(name, value)
        assert found == [pk for pk in everything if pk in {claim.pk for claim in expected}]
        assert any(f"& {facet}" in statement["sql"] for statement in statements)
    # A claim quoted from another source, no longer mentioning the actor, or whose source moves to another
    # outlet, is found under its new ones only: its document follows it.
    moved = claims[0]
    AppearanceFactory(claim=moved, source=sources[1], is_first=False)
    moved.mentions.remove(actor)
    assert moved.pk in within("source", sources[1].pk)
    assert moved.pk not in within("mentions", actor.pk)
    source = sources[2]  # outlets[0]'s, of claims[2] and claims[6]
    source.outlet = outlets[1]
    source.save()
    assert {claims[2].pk, claims[6].pk} & set(within("outlet", outlets[0].pk)) == set()
    assert {claims[2].pk, claims[6].pk} <= set(within("outlet", outlets[1].pk))
    assert moved.pk in within("outlet", outlets[0].pk) and moved.pk in within("outlet", outlets[1].pk)


@pytest.mark.django_db
def test_an_actor_cleared_from_its_claims_or_deleted_leaves_their_documents(researcher: Any) -> None:
    """Cleared from the actor's side, or deleted (its mentions go with no ``m2m_changed``): the documents
    lose its facet and its name, as ``document_for`` would write them."""
    cleared, deleted = ActorFactory(name="Khalifa Haftar"), ActorFactory(name="Fayez al-Sarraj")
    claims = [ClaimFactory(author=researcher) for _ in range(3)]
    for claim in claims:
        claim.mentions.add(cleared, deleted)

    def documents() -> list[SearchDocument]:
        return list(SearchDocument.objects.filter(claim__in=claims).order_by("claim_id"))

    assert all(f"1m{cleared.pk}" in d.facets and "haftar" in d.names_key for d in documents())
    cleared.mentioned_in_claims.clear()
    assert all(f"1m{cleared.pk}" not in d.facets and "haftar" not in d.names_key for d in documents())
    deleted_facet = f"1m{deleted.pk}"
    assert all(deleted_facet in d.facets and "sarraj" in d.names_key for d in documents())
    deleted.delete()
    assert all(deleted_facet not in d.facets and "sarraj" not in d.names_key for d in documents())
    assert [d.facets for d in documents()] == [search.document_for(claim).facets for claim in claims]


@pytest.mark.django_db
@pytest.mark.usefixtures("ratings")
def test_fill_facets_writes_the_facets_of_a_document_written_without_them(researcher: Any) -> None:
    """As ``restore_json`` leaves a backup made before migration 0023 or 0024: documents without their rating,
    outlets, sources or mentions."""
    rated, unrated = ready_claim(researcher), ClaimFactory(author=researcher)
    actor = ActorFactory()
    rated.mentions.add(actor)
    source = rated.appearances.get().source
    SearchDocument.objects.filter(claim=rated).update(facets=search.document_facets(rated.language, None))
    assert search.fill_facets() == 1
    assert SearchDocument.objects.get(claim=rated).facets == (
        f"1lvi 1r{rating('unproven').pk} 1o{source.outlet_id} 1s{source.pk} 1m{actor.pk}"
    )
    assert SearchDocument.objects.get(claim=unrated).facets == search.document_facets(unrated.language, None)
    assert search.fill_facets() == 0
