"""Measure search and duplicate suggestions on the labelled set in ``claims/search_eval/eval_set.json``.

The corpus is the demo newsroom (the seed articles' claims) plus the set's extra claims — written to be
hard: Vietnamese words that differ only by their marks, the same names in several scripts, claims in
Russian, French and Arabic. Everything is created inside a transaction that is rolled back at the end:
the command leaves the database as it found it, and runs on SQLite and PostgreSQL alike.

Prints, for search and for duplicates: success@1 (the first result is expected), success@10 (an
expected claim is in the first ten) and MAP@5 (mean average precision of the first five), overall and by
kind of query.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from claims.demo import content
from claims.demo.loader import load_demo
from claims.duplicates import find_duplicates
from claims.models import Claim, ClaimStatus, ClaimTranslation
from claims.search import ranked_ids
from sources.models import Actor

EVAL_SET = Path(__file__).resolve().parents[2] / "search_eval" / "eval_set.json"


class Rollback(Exception):
    """Raised to undo the evaluation corpus."""


def average_precision(ranked: list[int], expected: set[int], k: int = 5) -> float:
    hits, total = 0, 0.0
    for position, claim_id in enumerate(ranked[:k], start=1):
        if claim_id in expected:
            hits += 1
            total += hits / position
    return total / min(len(expected), k) if expected else 0.0


class Metrics:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float]] = []

    def add(self, kind: str, ranked: list[int], expected: set[int]) -> None:
        self.rows.append(
            (
                kind,
                float(bool(ranked) and ranked[0] in expected),
                float(bool(expected & set(ranked[:10]))),
                average_precision(ranked, expected),
            )
        )

    def summary(self, rows: list[tuple[str, float, float, float]]) -> tuple[int, float, float, float]:
        n = len(rows)
        return n, sum(r[1] for r in rows) / n, sum(r[2] for r in rows) / n, sum(r[3] for r in rows) / n

    def table(self, title: str) -> list[str]:
        lines = [f"{title}: {'n':>4} {'success@1':>10} {'success@10':>11} {'MAP@5':>7}"]
        by_kind: dict[str, list[Any]] = defaultdict(list)
        for row in self.rows:
            by_kind[row[0]].append(row)
        for kind, rows in [("all", self.rows), *sorted(by_kind.items())]:
            n, s1, s10, map5 = self.summary(rows)
            lines.append(f"  {kind:<20} {n:>4} {s1:>10.3f} {s10:>11.3f} {map5:>7.3f}")
        return lines


class Command(BaseCommand):
    help = "Measure search and duplicate suggestions on the labelled evaluation set (changes nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", default=str(EVAL_SET), help="the evaluation set (JSON)")
        parser.add_argument("--show-misses", action="store_true", help="list the queries whose top 10 missed")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the evaluation set: {error}") from None
        output: list[str] = []
        try:
            with transaction.atomic():
                self._evaluate(data, options["show_misses"], output)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write("\n".join(output))

    def _evaluate(self, data: dict[str, Any], show_misses: bool, output: list[str]) -> None:
        load_demo(create_users_with_passwords=False)
        refs = self._corpus(data["extra_claims"])
        public = Claim.objects.public()
        claims = public.count()

        search, misses = Metrics(), []
        for item in data["search"]:
            expected = {refs[ref] for ref in item["expected"]}
            ranked = ranked_ids(public, item["query"])
            search.add(item["kind"], ranked, expected)
            if not expected & set(ranked[:10]):
                misses.append(f"  search [{item['kind']}] {item['query']!r}")

        duplicates = Metrics()
        for item in data["duplicates"]:
            expected = {refs[ref] for ref in item["expected"]}
            ranked = [s.claim_id for s in find_duplicates([item["text"]], public)]
            duplicates.add(item["kind"], ranked, expected)
            if not expected & set(ranked[:10]):
                misses.append(f"  duplicates [{item['kind']}] {item['text'][:70]!r}")

        output.append(f"Corpus: {claims} public claims ({len(data['extra_claims'])} from the evaluation set).")
        output += search.table("Search")
        output += duplicates.table("Duplicates")
        if show_misses:
            output.append(f"Misses ({len(misses)}):")
            output += misses

    def _corpus(self, extra: list[dict[str, Any]]) -> dict[str, int]:
        refs: dict[str, int] = {}
        for index, item in enumerate(content.CLAIMS):
            claim = Claim.objects.filter(text=item["text"], language="vi").first()
            if claim is None:
                raise CommandError(f"Demo claim {index} is missing: load the demo data first.")
            refs[f"demo:{index}"] = claim.pk
        actors = {item["key"]: item["name"] for item in content.ACTORS}
        author = Claim.objects.filter(pk__in=refs.values()).first().author  # type: ignore[union-attr]
        now = timezone.now()
        for n, item in enumerate(extra):
            claimant = Actor.objects.filter(name=actors[item["claimant"]]).first() if item.get("claimant") else None
            claim = Claim.objects.create(text=item["text"], language=item["language"], claimant=claimant, author=author)
            if item.get("translation_en"):
                ClaimTranslation.objects.create(claim=claim, language="en", text=item["translation_en"])
            Claim.objects.filter(pk=claim.pk).update(
                status=ClaimStatus.PUBLISHED, published_at=now - dt.timedelta(hours=n + 1)
            )
            refs[f"extra:{item['key']}"] = claim.pk
        return refs
