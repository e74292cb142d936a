"""``manage.py import_claimreview FILE|URL|- --user NAME``: import another newsroom's ClaimReview feed.

The feed (a file, ``-`` for standard input, or an http(s) address fetched through the SSRF-guarded
fetcher) is imported by ``claims.importing.import_feed`` as the named user, with a progress bar on a
terminal. The run is recorded as an ``ImportRun`` (visible in the admin with every skipped item); the
counts are printed at the end. Malformed items are reported and skipped; only a feed that cannot be
read at all (or a wrong user) ends with an error and a non-zero exit status.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from claims import importing
from claims.models import ImportRun, ImportStatus

#: Skipped items printed; the rest are listed on the run in the admin.
PROBLEMS_SHOWN = 20


class Command(BaseCommand):
    help = "Import a ClaimReview feed (DataFeed, ClaimReview JSON-LD or JSON Lines) from a file, stdin or a URL."
    # Tests hand the command a stream in place of the process's standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("location", help=_("A file, “-” for standard input, or an http(s):// address."))
        parser.add_argument("--user", required=True, help=_("Username of the person the claims are authored by."))
        parser.add_argument(
            "--batch-size",
            type=int,
            default=importing.BATCH_SIZE,
            help=_("Items written per transaction (default %(default)s)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        location: str = options["location"]
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("There is no user “%(user)s”.") % {"user": options["user"]})
        if options["batch_size"] < 1:
            raise CommandError(_("The batch size must be at least 1."))
        try:
            importing.check_can_import(user)
            text = self._read(location, options.get("stdin"))
        except importing.FeedError as error:
            raise CommandError(error.message) from None

        run = ImportRun.objects.create(location=location[:2048], status=ImportStatus.RUNNING, created_by=user)
        bar: tqdm[Any] | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                # tqdm rewrites one line with "\r": it needs the raw stream, not Django's line-ending wrapper.
                stream = getattr(self.stderr, "_out", sys.stderr)
                bar = tqdm(total=total, unit=_("items"), file=stream, disable=not stream.isatty())
            bar.update(done - bar.n)

        try:
            result = importing.import_feed(text, user, run=run, progress=progress, batch_size=options["batch_size"])
        except importing.FeedError as error:
            importing.finish_run(run, message=error.message)
            raise CommandError(error.message) from None
        except KeyboardInterrupt:
            # The chunks written so far stay (running the same feed again is safe): say where it stopped.
            importing.finish_run(run, message=_("Interrupted before the end of the feed."))
            raise
        finally:
            if bar is not None:
                bar.close()
        importing.finish_run(run, result)

        for problem in result.problems[:PROBLEMS_SHOWN]:
            self.stderr.write(
                _("Skipped item %(index)d (%(url)s): %(message)s")
                % {"index": problem["index"], "url": problem["url"] or "—", "message": problem["message"]}
            )
        if result.skipped_count > PROBLEMS_SHOWN:
            self.stderr.write(
                _("… and %(count)d more skipped items: see import #%(run)d in the admin.")
                % {"count": result.skipped_count - PROBLEMS_SHOWN, "run": run.pk}
            )
        self.stdout.write(importing.summary(result))

    def _read(self, location: str, stdin: Any) -> str | bytes:
        if location == "-":
            stream = stdin or sys.stdin
            return stream.buffer.read() if hasattr(stream, "buffer") else stream.read()  # type: ignore[no-any-return]
        if location.startswith(("http://", "https://")):
            return importing.fetch_feed(location)
        path = Path(location)
        try:
            return path.read_bytes()
        except OSError as error:
            raise importing.FeedError(
                _("Cannot read %(path)s: %(reason)s") % {"path": location, "reason": error.strerror or error}
            ) from None
