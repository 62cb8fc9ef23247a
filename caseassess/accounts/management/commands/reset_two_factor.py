from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.accounts.management.commands._common import print_link, user_named
from caseassess.accounts.services import AccountError, user_reset_two_factor


class Command(BaseCommand):
    help = "Remove an account's authenticator and password, and print a one-time link to set both again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--site-url", default=None, help="address people open (default CASEASSESS_SITE_URL)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = user_named(opts["username"])
        try:
            link = user_reset_two_factor(actor=None, user=user)
        except AccountError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Two-factor sign-in reset for {user.username}"))
        print_link(self.stdout, link, opts["site_url"])
