"""Export published claims as a dataset (CSV or JSON Lines), to a file or standard output.

The same rows as the API's ``/api/v1/exports/claims.{csv,jsonl}`` (``claims.exports``), read in chunks
so that the whole database can be exported in constant memory. With ``--output``, the number of claims
written goes to standard error; standard output then stays free for nothing but data.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from claims.exports import (
    ExportOptions,
    InvalidExportFilter,
    exportable_claims,
    filter_claims,
    iter_records,
    write_csv,
    write_jsonl,
)
from sources.languages import normalize_language_tag

#: Command-line options that are the claims list's filters (``--rating-class`` is ``rating_class``).
FILTERS = (
    "language",
    "rating",
    "rating_class",
    "claimant",
    "mentions",
    "source",
    "outlet",
    "updated_since",
    "published_after",
    "published_before",
)


class _Unchanged:
    """The command's standard output, written to as it is: no newline added, no colour."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, style_func=lambda same: same, ending="")


class Command(BaseCommand):
    # Help texts stay in English, as Django's own commands' do; messages to the operator are translated.
    help = "Export published claims for researchers as CSV or JSON Lines (never drafts or claims in review)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "jsonl"], required=True, help="File format.")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE (default: standard output).")
        parser.add_argument(
            "--lang",
            help="Language of the rating label, headline and explanation (each falling back to the claim's own "
            "language) and of the linked pages. Default: LANGUAGE_CODE.",
        )
        parser.add_argument(
            "--include-retracted",
            action="store_true",
            help="Also export retracted claims, with retracted_at and retraction_reason.",
        )
        parser.add_argument("--bom", action="store_true", help="CSV only: start with a byte order mark (for Excel).")
        parser.add_argument("--chunk-size", type=int, default=None, help="Claims read per query (default 1000).")
        filters = parser.add_argument_group("filters (those of GET /api/v1/claims/)")
        filters.add_argument("--language", help="Original language of the claim, e.g. vi.")
        filters.add_argument("--rating", help="Rating slug, e.g. false.")
        filters.add_argument("--rating-class", help="TRUE, FALSE, MIXTURE or OTHER.")
        filters.add_argument("--claimant", metavar="ID", help="Actor id of the claimant.")
        filters.add_argument("--mentions", metavar="ID", help="Actor id the claim mentions.")
        filters.add_argument("--source", metavar="ID", help="Source id the claim appeared in.")
        filters.add_argument("--outlet", metavar="ID", help="Outlet id of a source it appeared in.")
        for name in ("updated-since", "published-after", "published-before"):
            filters.add_argument(f"--{name}", metavar="DATETIME", help="ISO 8601, e.g. 2019-04-07T00:00:00+07:00.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bom"] and options["format"] != "csv":
            raise CommandError(_("--bom applies to CSV only."))
        if options["chunk_size"] is not None and options["chunk_size"] < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        language = settings.LANGUAGE_CODE
        if options["lang"] is not None:
            try:
                language = normalize_language_tag(options["lang"])
            except ValidationError as error:
                raise CommandError(f"--lang: {' '.join(error.messages)}") from None
        export = ExportOptions(language=language, include_retracted=options["include_retracted"])
        data = {name: options[name] for name in FILTERS if options[name] is not None}
        try:
            claims = filter_claims(exportable_claims(export.include_retracted), data)
        except InvalidExportFilter as error:
            raise CommandError(
                "; ".join(
                    f"--{name.replace('_', '-')}: {' '.join(messages)}" for name, messages in error.errors.items()
                )
            ) from None
        records = iter_records(claims, export, options["chunk_size"])
        if not options["output"]:
            try:
                self._write(records, _Unchanged(self.stdout), options)
            except BrokenPipeError:
                # The reader had enough (``export_claims … | head``): not an error. Standard output is
                # pointed at /dev/null so that Python's final flush does not report it either.
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        path = Path(options["output"])
        # Written beside the target and renamed when complete: an export that fails half-way (a lost
        # database connection, a full disk) leaves the previous file, never a truncated dataset.
        partial = path.with_name(f".{path.name}.partial")
        try:
            # newline="": the csv module writes its own CRLF row ends, which must not be translated.
            with partial.open("w", encoding="utf-8", newline="") as stream:
                count = self._write(records, stream, options)
            partial.replace(path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        message = _("Exported %(count)d claims to %(path)s.") % {"count": count, "path": path}
        self.stderr.write(message, style_func=lambda text: text)  # news, not an error: not in red

    def _write(self, records: Any, stream: Any, options: dict[str, Any]) -> int:
        if options["format"] == "csv":
            return write_csv(records, stream, include_retracted=options["include_retracted"], bom=options["bom"])
        return write_jsonl(records, stream)
