"""The flush command waits out another connection's table lock (SQLite) instead of failing
half-way; any other failure is reported at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import OperationalError

from caseassess.audit.management.commands import flush


def _failing(times: int, message: str) -> Any:
    calls = {"n": 0}

    def handle(self: Any, **options: Any) -> None:
        calls["n"] += 1
        if calls["n"] <= times:
            try:
                raise OperationalError(message)
            except OperationalError as exc:
                raise CommandError("Database couldn't be flushed.") from exc

    return handle, calls


def test_a_locked_table_is_waited_out_and_the_flush_completes(monkeypatch: Any) -> None:
    handle, calls = _failing(2, "database table is locked")
    monkeypatch.setattr(DjangoFlush, "handle", handle)
    flush.Command().handle(interactive=False, database="default", verbosity=0, inhibit_post_migrate=True, reset_sequences=False,
                           allow_cascade=False)
    assert calls["n"] == 3


def test_any_other_failure_is_reported_at_once(monkeypatch: Any) -> None:
    handle, calls = _failing(5, "no such table: accounts_user")
    monkeypatch.setattr(DjangoFlush, "handle", handle)
    with pytest.raises(CommandError, match="^Database couldn't be flushed.$"):
        flush.Command().handle(interactive=False, database="default", verbosity=0)
    assert calls["n"] == 1


def test_a_lock_that_never_ends_is_reported_after_the_wait(monkeypatch: Any) -> None:
    handle, calls = _failing(10_000, "database table is locked")
    monkeypatch.setattr(DjangoFlush, "handle", handle)
    monkeypatch.setattr(flush, "RETRY_SECONDS", 0.5)
    with pytest.raises(CommandError, match="^Database couldn't be flushed.$"):
        flush.Command().handle(interactive=False, database="default", verbosity=0)
    assert 2 <= calls["n"] <= 5
