"""``manage.py evaluate_search``: it runs, measures, and leaves the database as it found it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from claims.models import Claim, SearchDocument

pytestmark = pytest.mark.django_db


def metrics(output: str, section: str) -> dict[str, tuple[int, float, float, float]]:
    block = (
        output.split(f"{section}:", 1)[1].split(":", 1)[0] if section == "Search" else output.split(f"{section}:", 1)[1]
    )
    rows = re.findall(r"^\s+(\S+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", block, re.MULTILINE)
    return {kind: (int(n), float(a), float(b), float(c)) for kind, n, a, b, c in rows}


def test_the_evaluation_measures_search_and_duplicates_and_changes_nothing():
    out = io.StringIO()
    call_command("evaluate_search", "--show-misses", stdout=out)
    output = out.getvalue()
    assert not Claim.objects.exists() and not SearchDocument.objects.exists()  # rolled back
    search, duplicates = metrics(output, "Search"), metrics(output, "Duplicates")
    assert search["all"][0] >= 100 and duplicates["all"][0] >= 60
    # Floors well below today's figures (README): a regression fails here, not a small change.
    assert search["exact"][2] == 1.0
    assert search["no-diacritics"][2] == 1.0
    assert search["translation"][2] >= 0.9
    assert search["name-variant"][2] >= 0.9
    assert search["typo"][2] >= 0.9
    assert search["all"][2] >= 0.9  # the goal
    assert duplicates["all"][2] >= 0.9
    assert "Misses (" in output
