"""Search (claims.search): diacritics, respellings, translations and ranking, on SQLite and PostgreSQL.

The same examples run in both passes of ``make test``; the plan check runs on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from claims.models import Claim, ClaimStatus, ClaimTranslation, SearchDocument
from claims.search import index_claims, query_sound, ranked_ids, search_claims
from sources.folding import sound
from sources.models import Actor, ActorAlias, Place, PlaceAlias

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def corpus(researcher: Any) -> dict[str, Claim]:
    """Claims that look alike once folded, in several languages, published on different days."""
    gadhafi = Actor.objects.create(name="Moamer Gadhafi", kind="person")
    ActorAlias.objects.create(actor=gadhafi, name="Gaddafi")
    ActorAlias.objects.create(actor=gadhafi, name="Каддафи")
    haftar = Actor.objects.create(name="Khalifa Haftar", kind="person")
    ActorAlias.objects.create(actor=haftar, name="Хафтар")
    libya = Place.objects.create(name="Libya", country="LY")
    PlaceAlias.objects.create(place=libya, name="Lybia")
    rows = {
        "ceasefire": (
            "Bà Mogherini kêu gọi ngừng bắn nhân đạo",
            "vi",
            None,
            "Mogherini called for a humanitarian ceasefire",
        ),
        "selling": ("Công ty đã ngừng bán xăng tại Hà Nội", "vi", None, "The company stopped selling petrol in Hanoi"),
        "scattered": ("Lệnh ngừng giao tranh không được tôn trọng, súng vẫn bắn", "vi", None, None),
        "germany": ("Đức gửi viện trợ tới Libya", "vi", None, "Germany sends aid to Libya"),
        "casting": ("Nhà máy đúc thép đóng cửa", "vi", None, None),
        "gadhafi": ("chế độ của nhà độc tài bị lật đổ năm 2011", "vi", gadhafi, "the dictator's regime fell in 2011"),
        "haftar": ("Haftar ra lệnh tiến quân vào Tripoli", "vi", haftar, "Haftar ordered the advance on Tripoli"),
        "russian": ("Хафтар контролирует большую часть Ливии", "ru", haftar, "Haftar controls most of Libya"),
    }
    claims = {}
    for age, (name, (text, language, claimant, english)) in enumerate(rows.items()):
        claim = Claim.objects.create(text=text, language=language, claimant=claimant, author=researcher)
        if english:
            ClaimTranslation.objects.create(claim=claim, language="en", text=english, origin="human")
        if name in ("germany", "russian"):
            claim.places.add(libya)
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PUBLISHED, published_at=timezone.now() - age * DAY)
        claims[name] = claim
    return claims


def found(corpus: dict[str, Claim], query: str) -> list[str]:
    names = {claim.pk: name for name, claim in corpus.items()}
    return [names[pk] for pk in ranked_ids(Claim.objects.public(), query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ngung ban", {"ceasefire", "selling", "scattered"}),
        ("duc", {"germany", "casting"}),
        ("Gaddafi", {"gadhafi"}),
        ("Gadafi", {"gadhafi"}),
        ("каддафи", {"gadhafi"}),
        ("Lybia", {"germany", "russian"}),
        ("ceasefire", {"ceasefire"}),
        ("Mogherni", {"ceasefire"}),
        ("Хафтар", {"haftar", "russian"}),
        ("Tripolli", {"haftar"}),
        ("HÀ NỘI", {"selling"}),
        ("stopped selling", {"selling"}),
    ],
)
def test_a_query_finds_through_diacritics_spellings_scripts_and_translations(corpus, query, expected):
    assert set(found(corpus, query)) == expected


def test_the_spelling_typed_with_its_marks_ranks_first(corpus):
    assert found(corpus, "ngừng bắn")[0] == "ceasefire"
    assert found(corpus, "ngừng bán")[0] == "selling"
    assert found(corpus, "Đức")[0] == "germany"
    assert found(corpus, "đúc")[0] == "casting"


def test_a_phrase_ranks_above_the_same_words_scattered(corpus):
    Claim.objects.filter(pk=corpus["scattered"].pk).update(published_at=timezone.now() + DAY)  # the newest
    ranked = found(corpus, "ngung ban")
    assert set(ranked[:2]) == {"ceasefire", "selling"}  # "ngừng bắn" / "ngừng bán" as a phrase
    assert ranked[2] == "scattered"  # "ngừng … bắn", newer but scattered


def test_without_a_better_reason_the_newest_comes_first(corpus, researcher):
    older, newer = (
        Claim.objects.create(text=f"Tin {n} về Benghazi", language="vi", author=researcher) for n in ("A", "B")
    )
    for claim, age in ((older, 3), (newer, 1)):
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PUBLISHED, published_at=timezone.now() - age * DAY)
    assert ranked_ids(Claim.objects.public(), "Benghazi") == [newer.pk, older.pk]
    Claim.objects.filter(pk=older.pk).update(published_at=timezone.now())
    assert ranked_ids(Claim.objects.public(), "Benghazi") == [older.pk, newer.pk]


def test_every_word_must_match(corpus):
    assert found(corpus, "Haftar Tripoli") == ["haftar"]
    assert found(corpus, "Haftar Berlin") == []


def test_a_vietnamese_syllable_is_not_matched_by_its_sound_key_a_name_is(corpus, researcher):
    killed, civilians = (
        Claim.objects.create(text=text, language="vi", author=researcher)
        for text in ("Khoảng 97 người đã thiệt mạng ở Tunisia kể từ tháng 12", "Hai dân thường thiệt mạng ở Sirte")
    )
    Claim.objects.filter(pk__in=[killed.pk, civilians.pk]).update(
        status=ClaimStatus.PUBLISHED, published_at=timezone.now()
    )
    # "thuong" (thường) and "thang" (tháng: month) share a consonant skeleton, ``tnk``: three of the four
    # words with that one at 0.8 of a word was a match.
    assert sound("thuong") == sound("thang") == "tnk"
    assert ranked_ids(Claim.objects.public(), "dân thuong thiet mạng") == [civilians.pk]
    assert query_sound("thuong") == ""
    # A name is still found by its sound alone ("hafatr" and "haftar" share 3 of 11 trigrams).
    assert query_sound("hafatr") == "hftr"
    assert set(found(corpus, "Hafatr")) == {"haftar", "russian"}


def test_search_never_returns_what_the_public_may_not_see(corpus, researcher):
    draft = Claim.objects.create(text="Bản nháp: ngừng bắn bí mật", language="vi", author=researcher)
    assert draft.pk not in ranked_ids(Claim.objects.public(), "ngung ban bi mat")
    assert draft.pk in ranked_ids(Claim.objects.all(), "ngung ban bi mat")
    body = APIClient().get("/api/v1/claims/", {"q": "ngung ban"}).json()
    assert draft.pk not in [claim["id"] for claim in body["results"]]
    page = APIClient().get("/vi/claims/", {"q": "ngừng bắn bí mật"}).content.decode()
    assert "Bản nháp" not in page


def test_the_api_orders_a_search_by_relevance_and_pages_along_it(corpus):
    client = APIClient()
    first = client.get("/api/v1/claims/", {"q": "ngừng bắn", "page_size": 1}).json()
    assert [claim["id"] for claim in first["results"]] == [corpus["ceasefire"].pk]
    second = client.get(first["next"]).json()
    assert [claim["id"] for claim in second["results"]] == [corpus["selling"].pk]
    third = client.get(second["next"]).json()
    assert [claim["id"] for claim in third["results"]] == [corpus["scattered"].pk]
    assert third["next"] is None


def test_the_public_list_orders_a_search_by_relevance(client, corpus):
    page = client.get("/en/claims/", {"q": "ngừng bán"}).content.decode()
    assert page.index("The company stopped selling petrol") < page.index("Mogherini called for a humanitarian")


def test_documents_follow_edits_of_every_text_they_are_built_from(corpus):
    claim = corpus["casting"]
    assert found(corpus, "foundry") == []
    ClaimTranslation.objects.create(claim=claim, language="en", text="Steel foundry closes", origin="human")
    assert found(corpus, "foundry") == ["casting"]
    ClaimTranslation.objects.filter(claim=claim).delete()
    assert found(corpus, "foundry") == []
    alias = ActorAlias.objects.create(actor=corpus["haftar"].claimant, name="Belqasim")
    assert set(found(corpus, "Belqasim")) == {"haftar", "russian"}
    alias.delete()
    assert found(corpus, "Belqasim") == []
    claim.mentions.add(corpus["gadhafi"].claimant)
    assert "casting" in found(corpus, "Gaddafi")
    claim.mentions.clear()
    assert "casting" not in found(corpus, "Gaddafi")


def test_a_claim_can_be_deleted_with_its_document(corpus, researcher):
    draft = Claim.objects.create(text="Bản nháp sẽ bị xóa", language="vi", author=researcher)
    ClaimTranslation.objects.create(claim=draft, language="en", text="A draft to delete", origin="human")
    assert SearchDocument.objects.filter(claim=draft).exists()
    draft.delete()
    assert not SearchDocument.objects.filter(claim_id=draft.pk).exists()


def test_the_keys_the_database_indexes_are_ascii(corpus):
    for document in SearchDocument.objects.all():
        for value in (document.text_key, document.names_key, document.all_key):
            assert value.isascii(), value


def test_an_empty_or_punctuation_only_query_is_no_search(corpus):
    everything = Claim.objects.public()
    assert search_claims(everything, "").count() == everything.count()
    assert search_claims(everything, " ,.!? ").count() == everything.count()


@pytest.mark.postgres
def test_a_search_never_scans_the_claims_table_on_postgresql(corpus, researcher):
    # Enough claims for the planner to prefer indexes, as it will on a real archive.
    words = ["tripoli", "benghazi", "misrata", "sirte", "tobruk", "derna", "sabha", "zawiya"]
    fillers = Claim.objects.bulk_create(
        Claim(
            text=f"Tin số {n} về {words[n % 8]} và {words[(n * 3) % 8]}",
            language="vi",
            author=researcher,
            status=ClaimStatus.PUBLISHED,
            published_at=timezone.now() - n * DAY / 24,
        )
        for n in range(4000)
    )
    index_claims(claim.pk for claim in fillers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
        cursor.execute("ANALYZE claims_searchdocument")
        # As autovacuum does on a live server: move fresh entries out of the GIN indexes' pending lists
        # (the planner prices a long pending list as a slow index).
        cursor.execute("SELECT gin_clean_pending_list('claims_search_terms'::regclass)")
    # A short query must match every word (AND over the indexes); a longer one a share of its words
    # (OR over the indexes, then the share is checked on those rows only).
    for query, first, every in [
        ("Mogherini ceasefire", "ceasefire", True),
        ("ngung ban Mogherini", "ceasefire", False),
    ]:
        with CaptureQueriesContext(connection) as queries:
            ranked = ranked_ids(Claim.objects.public(), query)
        assert ranked[0] == corpus[first].pk
        if every:
            assert ranked == [corpus[first].pk]
        search_sql = next(q["sql"] for q in queries.captured_queries if "d.terms @@" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + search_sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on claims_claim" not in plan, plan
        # A respelled word is looked up in the documents' vocabulary first, never by a trigram similarity
        # computed on every document; the documents are read by index, newest first, band by band of ids.
        assert "similarity" not in plan and "%>" not in plan, plan
        assert "Seq Scan on claims_searchdocument" not in plan, plan


@pytest.mark.postgres
def test_every_postgresql_connection_uses_the_search_s_similarity_threshold():
    from claims.search import SIMILARITY

    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == SIMILARITY


def test_reindex_search_rebuilds_every_document_and_drops_stale_ones(corpus):
    SearchDocument.objects.all().delete()
    assert found(corpus, "ceasefire") == []
    out = StringIO()
    call_command("reindex_search", stdout=out)
    assert out.getvalue().strip() == f"Indexed {len(corpus)} claims; removed 0 stale documents."
    assert found(corpus, "ceasefire") == ["ceasefire"]


@pytest.mark.postgres
def test_reindex_search_gives_pg_trgm_its_honest_cost_back_after_a_restore(corpus):
    from django.core.management import call_command

    def trigram_cost() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT procost FROM pg_proc WHERE proname = 'word_similarity_commutator_op'")
            return float(cursor.fetchone()[0])

    assert trigram_cost() == 100  # migration 0008
    with connection.cursor() as cursor:  # what a restored dump has: the extension's default
        cursor.execute("ALTER FUNCTION word_similarity_commutator_op(text, text) COST 1")
    call_command("reindex_search", stdout=StringIO())
    assert trigram_cost() == 100


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_search_indexes_keep_a_short_pending_list():
    # Every search reads a GIN index's whole pending list (migration 0016): at most 256 kB of it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
            [["claims_search_terms", "claims_search_recent"]],
        )
        options = dict(cursor.fetchall())
    assert options == {
        "claims_search_recent": ["gin_pending_list_limit=256"],
        "claims_search_terms": ["gin_pending_list_limit=256"],
    }


def _moved_document_values() -> int:
    """How many values of search documents PostgreSQL has moved out of their rows (its TOAST table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'claims_searchdocument'")
        cursor.execute(f"SELECT count(DISTINCT chunk_id) FROM {cursor.fetchone()[0]}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _long_text(words: int) -> str:
    return " ".join(f"binh{n} sĩ{n} Libya{n} sân{n} bay{n}" for n in range(words // 5))


@pytest.mark.postgres
def test_a_long_document_stays_in_its_row_and_a_huge_one_still_fits(researcher):
    # Ranking reads a document's vectors once per query word: moved to the TOAST table, every read went
    # there (migration 0019). Up to a page, a document stays in its row; beyond, it is moved as before.
    before = _moved_document_values()
    claim = Claim.objects.create(text=_long_text(100), language="vi", author=researcher)  # ~900 characters
    index_claims([claim.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_size(d.*) FROM claims_searchdocument d WHERE claim_id = %s", [claim.pk])
        assert 2_500 < cursor.fetchone()[0] < 8_000  # past PostgreSQL's default 2 kB, within a page
    assert _moved_document_values() == before
    assert ranked_ids(Claim.objects.filter(pk=claim.pk), "binh0 Libya5") == [claim.pk]

    huge = Claim.objects.create(text=_long_text(500), language="vi", author=researcher)
    index_claims([huge.pk])
    assert _moved_document_values() > before  # a row of ~20 kB: moved out of it, as before, and still found
    assert ranked_ids(Claim.objects.filter(pk=huge.pk), "binh0 Libya5") == [huge.pk]


@pytest.mark.postgres
def test_reindexing_moves_a_document_written_before_into_its_row(researcher):
    # Documents written before migration 0019 keep their layout until rewritten: reindex_search does it.
    before = _moved_document_values()
    with connection.cursor() as cursor:  # the table as it was (the test's transaction puts it back)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL alters no table with checks pending
        cursor.execute("ALTER TABLE claims_searchdocument RESET (toast_tuple_target)")
    claim = Claim.objects.create(text=_long_text(100), language="vi", author=researcher)
    index_claims([claim.pk])
    assert _moved_document_values() > before
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL alters no table with checks pending
        cursor.execute("ALTER TABLE claims_searchdocument SET (toast_tuple_target = 8160)")
    call_command("reindex_search", stdout=StringIO())
    assert _moved_document_values() == before
    assert ranked_ids(Claim.objects.filter(pk=claim.pk), "binh0 Libya5") == [claim.pk]


@pytest.mark.postgres
def test_the_vocabulary_trigger_plans_for_the_vocabulary_it_finds(researcher):
    # A connection's first documents meet an empty vocabulary (a new database). Its later documents must
    # not be checked word by word against the whole vocabulary with the plan made then (migration 0018).
    def vocabulary_rows_read() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'claims_searchword'")
            return int(cursor.fetchone()[0])

    with connection.cursor() as cursor:
        cursor.execute("DISCARD PLANS")  # this connection plans the trigger afresh, as a new one would
        # An empty vocabulary, as the planner sees a new database's: no pages, statistics of no rows
        # (the test's transaction gives the rows back; the statistics are only statistics).
        cursor.execute("TRUNCATE claims_searchword")
        cursor.execute("ANALYZE claims_searchword")
    first = Claim.objects.create(text="Tin đầu tiên về Tripoli", language="vi", author=researcher)
    index_claims([first.pk])
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO claims_searchword (word) SELECT 'tu' || n FROM generate_series(1, 3000) n")
    words = " ".join(f"chữ{n}" for n in range(30))
    second = Claim.objects.create(text=f"Tin thứ hai: {words}", language="vi", author=researcher)
    before = vocabulary_rows_read()
    index_claims([second.pk])
    # One read of the vocabulary at most (a hash join), not one per word of the new document.
    assert vocabulary_rows_read() - before <= 3100


@pytest.mark.postgres
def test_terms_answers_as_the_word_and_sound_vectors_did(corpus: dict[str, Claim]) -> None:
    # Migration 0021 dropped ``vector`` (the words, A: texts, B: names) and ``sound_vector``: ``terms``
    # holds both. Rebuilt here from the document's keys, as those columns were generated.
    vector = "setweight(to_tsvector('simple', d.text_key), 'A') || setweight(to_tsvector('simple', d.names_key), 'B')"
    queries = ["gaddafi", "mogherini | ngung | ban", "haftar & libya", "libya | tripoli | airport", "kdf | trpl"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_searchdocument")
        documents = cursor.fetchone()[0]
        assert documents == len(corpus)
        cursor.execute(
            f"SELECT count(*) FROM claims_searchdocument d WHERE ts_filter(d.terms, '{{a,b}}') = {vector}"  # noqa: S608
        )
        assert cursor.fetchone()[0] == documents
        for words in queries:
            sounds = re.sub("([a-z]+)", r"0\1", words)
            cursor.execute(
                f"""
                SELECT count(*) FILTER (WHERE ts_rank(d.terms, w) = ts_rank({vector}, w)
                    AND (d.terms @@ w) = ({vector} @@ w)
                    -- (an empty tsvector ranks 0, any other at least 1e-20)
                    AND abs(ts_rank(d.terms, s) - ts_rank(to_tsvector('simple', d.sound_key), p)) < 1e-12
                    AND (d.terms @@ s) = (to_tsvector('simple', d.sound_key) @@ p)),
                    count(*) FILTER (WHERE d.terms @@ w OR d.terms @@ s)
                FROM claims_searchdocument d, to_tsquery('simple', %s) w, to_tsquery('simple', %s) s,
                    to_tsquery('simple', %s) p
                """,  # noqa: S608
                [words, sounds, words],
            )
            same, matching = cursor.fetchone()
            assert same == documents, words
            assert matching > 0, words
        for phrase in ["khalifa haftar", "ngung ban", "humanitarian ceasefire"]:
            cursor.execute(
                f"""
                SELECT count(*) FILTER (WHERE (d.terms @@ q) = ({vector} @@ q)), count(*) FILTER (WHERE d.terms @@ q)
                FROM claims_searchdocument d, phraseto_tsquery('simple', %s) q
                """,  # noqa: S608
                [phrase],
            )
            same, matching = cursor.fetchone()
            assert same == documents, phrase
            assert matching > 0, phrase
        # The vocabulary (respellings are looked up there) holds the words, never a sound key.
        cursor.execute("SELECT count(*) FROM claims_searchword WHERE word ~ '^0[a-z]'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM claims_searchword WHERE word IN ('mogherini', 'gaddafi', 'haftar')")
        assert cursor.fetchone()[0] == 3


@pytest.mark.postgres
def test_a_word_spelled_like_a_sound_key_is_not_taken_for_it(researcher: Any) -> None:
    # In ``terms`` the word ``0km`` and the sound key of "comma" (``km``, written ``0km``) are one lexeme:
    # the index finds both documents, the scoring only the one holding the word.
    marker = Claim.objects.create(text="The 0km marker stands at Tripoli", language="en", author=researcher)
    comma = Claim.objects.create(text="A comma decides the treaty", language="en", author=researcher)
    index_claims([marker.pk, comma.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_searchdocument WHERE terms @@ '0km'::tsquery")
        assert cursor.fetchone()[0] == 2

    assert ranked_ids(Claim.objects.all(), "0km") == [marker.pk]
    assert ranked_ids(Claim.objects.all(), "comma") == [comma.pk]


def test_a_document_holds_the_keys_of_each_text_and_name_once(researcher: Any) -> None:
    from claims.search import document_for
    from sources.folding import exact, key, sound_words

    from .factories import ActorAliasFactory, AppearanceFactory, ClaimFactory, TranslationFactory

    claimant = ActorAliasFactory(name="Аль-Мисмари", actor__name="Ahmed al-Mismari").actor
    claim = ClaimFactory(text="Quân đội LNA  bắn hạ\u00a0một máy bay – “7%”", claimant=claimant, author=researcher)
    TranslationFactory(claim=claim, text="The LNA shot down a plane")
    TranslationFactory(claim=claim, language="ar", text="الجيش الوطني الليبي أسقط طائرة")
    AppearanceFactory(claim=claim)

    document = document_for(Claim.objects.get(pk=claim.pk))

    texts = list(
        dict.fromkeys(
            [
                claim.text,
                *claim.translations.values_list("text", flat=True),
                *(claim.appearances.values_list("quote", flat=True)),
            ]
        )
    )
    names = ["Ahmed al-Mismari", "Аль-Мисмари"]
    text_key, names_key = "\n".join(map(key, texts)), "\n".join(map(key, names))
    assert document.text_key == text_key
    assert document.names_key == names_key
    assert document.all_key == f"{text_key}\n{names_key}"
    assert document.exact == "\n".join(map(exact, texts + names))
    assert document.sound_key == " ".join(sound_words(document.all_key))
