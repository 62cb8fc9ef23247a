from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.accounts.management.commands._common import user_named
from caseassess.accounts.services import AccountError, user_deactivate


class Command(BaseCommand):
    help = "Deactivate an account: it can no longer sign in; nothing is deleted (the audit trail keeps the name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = user_named(opts["username"])
        try:
            changed = user_deactivate(actor=None, user=user)
        except AccountError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Deactivated {user.username}" if changed else f"{user.username} is already deactivated; nothing to do")
