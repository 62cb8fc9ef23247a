"""SQLite's side of the append-only audit tables. Its DELETE triggers (migration 0003)
refuse a row delete unless ``caseassess_flushing()`` is true, and that SQL function is
true only on a connection of this application while ``manage.py flush`` empties the
whole database (the test set-up; PostgreSQL's equivalent is TRUNCATE, which its row
triggers do not see). Anything else that deletes audit rows - the application, a bulk
delete, the sqlite3 shell, where the function does not exist - is refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()


def _flushing() -> int:
    return 1 if getattr(_state, "flushing", False) else 0


@contextmanager
def flushing() -> Iterator[None]:
    _state.flushing = True
    try:
        yield
    finally:
        _state.flushing = False


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: give every SQLite connection the function the triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("caseassess_flushing", 0, _flushing)
