"""Django's flush, allowed to empty the audit tables on SQLite (caseassess.audit.sqlite)."""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from caseassess.audit.sqlite import flushing


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with flushing():
            super().handle(**options)
