"""Django's flush, allowed to empty the audit tables on SQLite (caseassess.audit.sqlite).

On SQLite another connection (a server thread finishing a request) can hold a table lock
for a moment: the flush then waits and tries again, for up to 15 seconds, as a save waits
out the busy timeout, instead of failing half-way with "database table is locked"."""

import time
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import OperationalError

from caseassess.audit.sqlite import flushing

RETRY_SECONDS = 15.0


def _locked(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__
    return isinstance(cause, OperationalError) and "locked" in str(cause).lower()


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            try:
                with flushing():
                    super().handle(**options)
                return
            except CommandError as exc:
                if not _locked(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
