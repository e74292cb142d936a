"""``manage.py generate_claims --count N [--seed S] [--until DATE]``: synthetic claims for benchmarks.

Adds N claims with all their rows (sources, translations, appearances, verdicts, review events, search
documents) to what the database holds; see ``claims.generator``. The same seed on the same database
gives the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.generator import BULK_MIN_COUNT, DEFAULT_UNTIL, GeneratorError, generate, restore_indexes


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until wants a date like 2026-01-01, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Add COUNT synthetic claims (five languages, all workflow states, most published) with their "
        "sources, verdicts, review events and search documents. For load tests and benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, help="How many claims to add (required).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (default 1).")
        parser.add_argument(
            "--until",
            type=_date,
            default=None,
            help=f"Last day of the ten generated years (default {DEFAULT_UNTIL.isoformat()}, fixed so reruns match).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="PostgreSQL connections writing batches at once (default: the CPUs, at most 4).",
        )
        parser.add_argument(
            "--bulk",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "Drop the tables' secondary indexes and foreign keys while writing and re-create them at the "
                f"end (default: for {BULK_MIN_COUNT:,} claims or more into a database without claims). "
                "PostgreSQL only."
            ),
        )
        parser.add_argument(
            "--restore-indexes",
            action="store_true",
            help="Only re-create what an interrupted bulk run dropped, then stop (--count is then ignored).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["restore_indexes"]:
            try:
                restored = restore_indexes()
            except GeneratorError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Re-created {restored} indexes and foreign keys." if restored else "Nothing to restore.")
            return
        count = options["count"]
        if count is None:
            raise CommandError("--count is required: how many claims to add.")
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if options["jobs"] is not None and options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        show = not options["no_progress"] and options["verbosity"] > 0 and sys.stderr.isatty()
        try:
            if show:
                summary = self._with_progress_bar(count, options)
            else:
                summary = generate(
                    count, seed=options["seed"], until=options["until"], jobs=options["jobs"], bulk=options["bulk"]
                )
        except GeneratorError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] > 0:
            rows = sum(summary.rows.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {summary.claims} claims ({rows} rows) in {summary.seconds:.1f} s: "
                    f"{summary.rate:,.0f} claims/s (of which "
                    + (
                        f"{summary.restoring_seconds:.1f} s re-creating indexes and foreign keys, "
                        if summary.bulk
                        else ""
                    )
                    + f"{summary.finishing_seconds:.1f} s of ANALYZE"
                    + ("" if summary.bulk else " and the search's band indexes")
                    + " at the end)."
                )
            )
        if options["verbosity"] > 1:
            for table, written in summary.rows.items():
                self.stdout.write(f"  {table}: {written}")

    def _with_progress_bar(self, count: int, options: dict[str, Any]) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (
            TextColumn("claims"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(file=sys.stderr)) as progress:
            task = progress.add_task("claims", total=count, rate="")

            def advance(done: int) -> None:
                progress.advance(task, done)
                speed = progress.tasks[0].speed
                progress.update(task, rate=f"{speed:,.0f} claims/s" if speed else "")

            return generate(
                count,
                seed=options["seed"],
                until=options["until"],
                progress=advance,
                jobs=options["jobs"],
                bulk=options["bulk"],
            )
