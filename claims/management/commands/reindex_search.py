"""Rebuild every claim's search document (after a restore, a bulk update, or a change of folding rules)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from claims.models import Claim, SearchDocument
from claims.search import TRIGRAM_COST, index_claims, refresh_recent_index


class Command(BaseCommand):
    help = "Rebuild the search documents of all claims."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(ids), 1000):
            done += index_claims(ids[start : start + 1000], scan_duplicates=False)
        if connection.vendor == "postgresql":  # lost by a dump and restore: see migration 0008
            with connection.cursor() as cursor:
                cursor.execute(TRIGRAM_COST)
            refresh_recent_index()  # the index of the newest documents, moved up if it fell behind
        orphans = SearchDocument.objects.exclude(claim__in=Claim.objects.all()).delete()[0]
        self.stdout.write(f"Indexed {done} claims; removed {orphans} stale documents.")
