"""How duplicate candidates are chosen and scored fast (``claims.duplicates``): the pruned document score
equals scoring every pair, and on PostgreSQL the candidates come from the probe's rarest words by the
planner's statistics, with a bounded fallback when every word is common."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from claims import duplicates, search
from claims.models import Claim
from sources.folding import key

from .factories import ClaimFactory, TranslationFactory

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
    """Stand-in planner statistics: ``set(shares, documents)``; every sound key in half the documents."""

    def set_statistics(shares: dict[str, float], documents: float) -> None:
        table = {
            "vector": (time.monotonic(), (shares, min(shares.values()), documents)),
            "sound_vector": (time.monotonic(), ({}, 0.5, documents)),
        }
        monkeypatch.setattr(search, "_statistics", table)

    return set_statistics


def test_the_filter_takes_the_rarest_words_within_the_budget(statistics: Any) -> None:
    statistics({"tripoli": 0.03, "kiem": 0.004, "soat": 0.004, "common": 0.0002}, 1_000_000)

    words, sounds, window = duplicates._filter([["7", "kiem", "lanh", "soat", "tripoli"]])

    # Words below the most common statistics count as at most the floor (200 documents): "7" and "lanh"
    # first, then one of the 4,000-document words would pass the budget; "tripoli" (30,000) never.
    assert set(words.split(" | ")) == {"7", "lanh"}
    assert window is None
    assert sounds == "\x01", "every sound key is common here"


def test_every_word_common_falls_back_to_two_words_in_the_newest_documents(statistics: Any) -> None:
    statistics({"chien": 0.01, "dau": 0.02, "geneva": 0.03, "fighter": 0.04, "jets": 0.05}, 1_000_000)

    words, _sounds, window = duplicates._filter([["chien", "dau", "fighter", "geneva", "jets"]])

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
    statistics({"libya": 0.5, "forces": 0.5, "control": 0.5, "rarer": 0.0001}, 1_000_000)  # "benghazi": rare
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
