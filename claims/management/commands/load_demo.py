"""``manage.py load_demo``: load the demo newsroom built from the seed articles (idempotent)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.demo.loader import DEMO_USERS, DemoRefused, load_demo


class Command(BaseCommand):
    help = "Load the demo data built from the two seed articles. Safe to run again: it only adds what is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-passwords",
            action="store_true",
            default=None,
            help="Give the demo users their README passwords (the default when DEBUG is on; refused otherwise).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = load_demo(create_users_with_passwords=options["with_passwords"])
        except DemoRefused as refused:
            raise CommandError(str(refused)) from None
        if any(created.values()):
            summary = ", ".join(f"{count} {name}" for name, count in sorted(created.items()) if count)
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        else:
            self.stdout.write("Demo data already present: nothing to do.")
        if settings.DEBUG:
            logins = ", ".join(f"{user} / {password}" for user, (_group, password) in DEMO_USERS.items())
            self.stdout.write(f"Demo logins (admin at /admin/): {logins}")
        else:
            self.stdout.write("DEBUG is off: demo users have no usable password.")
