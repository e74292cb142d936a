"""``manage.py backup_json [--output FILE]``: every row the newsroom holds, as a Django fixture.

What ``dumpdata`` would write, with two differences that make the round trip lose nothing:

- times keep their microseconds (``dumpdata``'s JSON encoder cuts them to milliseconds, so the claims
  list's order, ``updated_since`` and the audit trail's order would shift after a restore);
- sources come before claims, so the trigger that checks each appearance's quote against its source's
  text finds the source already loaded (``dumpdata`` orders apps as ``INSTALLED_APPS`` lists them).

Users, groups, API tokens, the admin's history and both apps' tables are written with their primary
keys; content types and permissions are referred to by natural key (``migrate`` creates them, with ids
of its own). Sessions are left out: restoring logs nobody in. ``manage.py restore_json FILE`` loads it
into a new, migrated database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

#: In load order: what a row refers to comes first (sources before the claims that quote them).
BACKUP_APPS = ("auth", "authtoken", "admin", "sources", "claims")
#: Created by ``migrate`` in every database; rows refer to them by natural key.
NOT_BACKED_UP = {"auth.Permission"}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


def backed_up_models() -> list[type[models.Model]]:
    ordered = serializers.sort_dependencies(
        [(apps.get_app_config(label), None) for label in BACKUP_APPS], allow_cycles=True
    )
    return [
        model
        for model in ordered
        if model._meta.managed and not model._meta.proxy and model._meta.label not in NOT_BACKED_UP
    ]


def backup_rows() -> Iterator[models.Model]:
    for model in backed_up_models():
        yield from model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000)


class Command(BaseCommand):
    help = "Write every row of the newsroom (claims, verdicts, sources, users, history) to a JSON fixture."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One snapshot for every table, however long the dump takes and whoever writes meanwhile.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            with output.open("w", encoding="utf-8") if output else contextlib.nullcontext(sys.stdout) as stream:
                serializers.serialize(
                    "json",
                    backup_rows(),
                    stream=stream,
                    cls=ExactJSONEncoder,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=False,
                )
            if output and options["verbosity"] > 0:
                counts = {model._meta.label: model._base_manager.count() for model in backed_up_models()}
                summary = ", ".join(f"{label} {count}" for label, count in counts.items() if count)
                sys.stderr.write(f"Backed up {sum(counts.values())} rows to {output}: {summary}.\n")
