"""First run: create or update the database, load the shipped instruments, create the
first administrator and print a one-time sign-in link. Safe to run again: nothing is
duplicated, and an administrator who has not yet used their link gets a new one."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.accounts.management.commands._common import print_link
from caseassess.accounts.models import User
from caseassess.accounts.roles import ADMINISTRATOR
from caseassess.accounts.services import AccountError, invitation_issue, user_create
from caseassess.instruments.services import instrument_load
from caseassess_core.instrument.loader import InstrumentError


class Command(BaseCommand):
    help = "First run (idempotent): migrate the database, load the instruments in instruments/, create the first administrator and print a one-time sign-in link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="the first administrator's username (asked for when run in a terminal)")
        parser.add_argument("--email", default=None, help="the first administrator's email address")
        parser.add_argument("--new-link", action="store_true", help="print a new one-time link for the administrator even if they have signed in")
        parser.add_argument("--site-url", default=None, help="address people open (default CASEASSESS_SITE_URL)")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="never ask questions")

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write("Database: applying migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database: up to date")
        self._instruments()
        self._administrator(opts)
        try:
            settings.SECRET_KEY  # noqa: B018
        except ImproperlyConfigured:
            self.stdout.write("Before starting the web server: " + settings.UNCONFIGURED_HELP)

    def _instruments(self) -> None:
        root = settings.INSTRUMENTS_DIR
        dirs = sorted(p for p in root.iterdir() if (p / "instrument.yaml").is_file()) if root.is_dir() else []
        if not dirs:
            raise CommandError(f"No instrument found in {root}: each instrument is a directory with an instrument.yaml")
        for path in dirs:
            try:
                outcome = instrument_load(path=path)
            except InstrumentError as exc:
                raise CommandError(f"Instrument {path.name} not loaded ({len(exc.problems)} problem(s)):\n{exc}") from None
            v = outcome.version
            self.stdout.write(f"Instrument {v.instrument_id}: " + ("loaded" if outcome.created else "already loaded"))

    def _ask(self, prompt: str) -> str:
        self.stdout.write(prompt, ending="")
        self.stdout.flush()
        return sys.stdin.readline().strip()

    def _administrator(self, opts: dict[str, Any]) -> None:
        username, email = opts["username"], opts["email"]
        interactive = opts["interactive"] and sys.stdin.isatty()
        admins = User.objects.filter(role=ADMINISTRATOR, is_active=True).order_by("pk")
        if not username and admins.exists():
            username = admins.first().username  # type: ignore[union-attr]
        if not username and interactive:
            username = self._ask("Administrator's username: ")
            if email is None:
                email = self._ask("Administrator's email address (optional): ")
        if not username:
            raise CommandError("Give the first administrator's username: manage.py setup_site --username NAME [--email ADDRESS]")
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            try:
                link = user_create(actor=None, username=username, email=email or "", role=ADMINISTRATOR)
            except AccountError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(self.style.SUCCESS(f"Administrator {link.user.username}: created"))
            print_link(self.stdout, link, opts["site_url"])
            return
        if user.role != ADMINISTRATOR or not user.is_active:
            raise CommandError(f"{user.username} exists but is not an active administrator; choose another username")
        if user.has_usable_password() and not opts["new_link"]:
            self.stdout.write(f"Administrator {user.username}: already set up (sign in at {opts['site_url'] or settings.SITE_URL}/account/sign-in/; --new-link for a new one-time link)")
            return
        self.stdout.write(f"Administrator {user.username}: exists; a new one-time link replaces any earlier one")
        print_link(self.stdout, invitation_issue(user=user, actor=None), opts["site_url"])
