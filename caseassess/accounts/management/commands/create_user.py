from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.accounts.management.commands._common import print_link
from caseassess.accounts.roles import account_role_values, default_account_role
from caseassess.accounts.services import AccountError, user_create


class Command(BaseCommand):
    help = "Create an account and print a one-time link for its owner to set a password and two-factor sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--role", default=None, help=f"one of: {', '.join(account_role_values())} (default: {default_account_role()})")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--site-url", default=None, help="address people open (default CASEASSESS_SITE_URL)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            link = user_create(
                actor=None, username=opts["username"], email=opts["email"], role=opts["role"] or default_account_role(),
                first_name=opts["first_name"], last_name=opts["last_name"],
            )
        except AccountError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Created {link.user.username} ({link.user.role_label})"))
        print_link(self.stdout, link, opts["site_url"])
