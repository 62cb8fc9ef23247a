"""Reads for reports and exports on a PostgreSQL read replica (streaming replication).

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and turn
``CASEASSESS_READ_REPLICA`` on. This router then sends to it the reads made inside
``replica_reads()`` (the findings pages and exports, the export commands), and
everything else to the primary (``default``):

* every write;
* every read inside a transaction on the primary (a count rebuild, an increment, a
  ``select_for_update``), so a write never decides on what a lagging replica says;
* every read outside ``replica_reads()`` (sign-in, sessions, assessments, audit).

The replica is PostgreSQL's own (a hot standby); nothing here copies data.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("caseassess_replica_reads", default=False)
F = TypeVar("F", bound=Callable[..., Any])


def replica_enabled() -> bool:
    return bool(getattr(settings, "CASEASSESS_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block (a report, an export) may be served by the replica."""
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads in this block go to the primary even inside ``replica_reads()``: the state of a
    background job a report page has just started (a lagging replica would not have it yet)."""
    token = _reads.set(False)
    try:
        yield
    finally:
        _reads.reset(token)


def reads_from_replica(view: F) -> F:
    """Decorator for report and export views."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        if _reads.get() and replica_enabled() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == "default"  # a hot standby follows the primary's schema
