"""``manage.py restore_json FILE``: load a ``backup_json`` file into a new, migrated database.

Refuses a database that already holds users, sources or claims: a backup is restored whole, never
merged into a live newsroom (rows with the same ids would be overwritten). The newsroom's groups that
``migrate`` created are replaced by the backup's own, with the permissions they had. One transaction:
a file that fails to load leaves the database as it was.

Search documents come with the backup, so the indexing that adding mentions and places would trigger
is paused while loading (it would rebuild documents the file then overwrites, and queue duplicate
scans for every claim). ``manage.py reindex_search`` rebuilds them anyway, if ever wanted. Their facets
(a claim's language and claimant, migration 0022, its verdict's rating, 0023, the outlets and sources it
appeared in and the actors it mentions, 0024) are filled in from the claims and their rows, for a backup
made before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models.signals import m2m_changed

from claims import signals
from claims.models import Claim
from claims.search import fill_facets
from sources.models import Source


def _search_links_signals() -> list[tuple[Any, str]]:
    return [(through, f"search-{through.__name__}") for through in (Claim.mentions.through, Claim.places.through)]


class Command(BaseCommand):
    help = "Load a backup_json file into a new, migrated database (refuses one that holds data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fixture", type=Path, help="The file backup_json wrote.")

    def handle(self, *args: Any, **options: Any) -> None:
        fixture: Path = options["fixture"]
        if not fixture.is_file():
            raise CommandError(f"{fixture}: no such file.")
        held = [model._meta.label for model in (get_user_model(), Source, Claim) if model._default_manager.exists()]
        if held:
            raise CommandError(
                f"This database already holds rows of {', '.join(held)}: restore into a new database "
                "(createdb, then manage.py migrate), never over a live one."
            )
        for through, uid in _search_links_signals():
            m2m_changed.disconnect(sender=through, dispatch_uid=uid)
        try:
            with transaction.atomic():
                Group.objects.all().delete()  # migrate's role groups; the backup has them as they were
                call_command("loaddata", str(fixture), verbosity=options["verbosity"])
                fill_facets()  # a backup made before migration 0022 has none
        finally:
            for through, uid in _search_links_signals():
                m2m_changed.connect(signals.links_changed, sender=through, dispatch_uid=uid)
