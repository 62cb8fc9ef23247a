"""The audit trail's hash chain (docs/security.md, "Audit").

Each row of an audit table carries ``prev_hash``, the ``row_hash`` of the row before it in
the same table (by id; the first row's is GENESIS), and ``row_hash`` = SHA-256 of
``prev_hash`` and the row's content (its table and the fields below, as canonical JSON).
A changed row no longer matches its own hash; a deleted (or inserted) row breaks the link
to the next row. Rows are chained under a lock (PostgreSQL: a transaction-level advisory
lock per table; SQLite: the write lock that ``BEGIN IMMEDIATE`` takes), so two writers
never chain onto the same row.

The chain proves the trail has not been rewritten row by row. Someone who can write to the
database could recompute every hash after a change; against that, the application runs as
a database role that cannot change the audit tables (PostgreSQL, docs/security.md), and
every signed backup records each chain's length and last hash, which ``verify_audit
--backup`` checks the database against."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

GENESIS = "0" * 64

# The content of each table that the hash covers, in a fixed list: adding a field to a
# model later does not change the hashes of rows written before.
HASHED_FIELDS: dict[str, tuple[str, ...]] = {
    "audit_auditevent": ("at", "actor_id", "action", "entity", "entity_id", "inspection_id", "case_id", "field", "old", "new"),
    "audit_accesslog": ("at", "user_id", "kind", "case_id", "inspection_id", "path"),
}
_LOCK_KEYS = {"audit_auditevent": 7_310_001, "audit_accesslog": 7_310_002}


def now_ms() -> dt.datetime:
    """The current time to the millisecond: what a backup keeps (Django's JSON serialiser),
    so a restored row hashes as it did when it was written."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return v


def row_hash(table: str, prev_hash: str, values: dict[str, Any]) -> str:
    content = {name: _value(values.get(name)) for name in HASHED_FIELDS[table]}
    doc = json.dumps([table, prev_hash, content], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def _lock(table: str, using: str) -> None:
    conn = connections[using]
    if conn.vendor == "postgresql":
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEYS[table]])


def _last_hash(model: Any, using: str) -> str:
    last = model._base_manager.using(using).order_by("-id").values_list("row_hash", flat=True).first()
    return last or GENESIS


def settle_deferred_checks(using: str) -> None:
    """PostgreSQL: run the transaction's pending deferred checks (Django's foreign keys are
    checked at commit) now, before a bulk write takes the chain lock that it then holds
    until the commit. A bulk import's commit checks hundreds of thousands of keys; under
    the lock every other writer of an audit row (every autosave) would wait for them.
    The constraints are deferred again afterwards, as Django creates them."""
    conn = connections[using]
    if conn.vendor == "postgresql" and conn.in_atomic_block:
        with conn.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def chain_new_rows(model: Any, objs: list[Any], using: str) -> None:
    """Give ``objs`` (unsaved, in insert order) their chain hashes. Call inside the
    transaction that inserts them: the lock is held until it ends."""
    table = model._meta.db_table
    _lock(table, using)
    prev = _last_hash(model, using)
    for obj in objs:
        if obj.at is None:
            obj.at = now_ms()
        obj.prev_hash = prev
        obj.row_hash = prev = row_hash(table, prev, {f: getattr(obj, f) for f in HASHED_FIELDS[table]})


@dataclass
class ChainReport:
    table: str
    rows: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < 20:
            self.problems.append(text)


def _rows(model: Any, using: str) -> Iterator[tuple[Any, ...]]:
    fields = HASHED_FIELDS[model._meta.db_table]
    qs = model._base_manager.using(using).order_by("id").values_list("id", "prev_hash", "row_hash", *fields)
    return qs.iterator(chunk_size=5000)  # type: ignore[no-any-return]


def verify_model(model: Any, using: str = DEFAULT_DB_ALIAS) -> ChainReport:
    table = model._meta.db_table
    names = HASHED_FIELDS[table]
    report = ChainReport(table)
    prev = GENESIS
    for pk, stored_prev, stored_hash, *values in _rows(model, using):
        report.rows += 1
        if stored_prev != prev:
            report.problem(f"{table} id {pk}: does not follow the row before it (a row before it was deleted, inserted or re-chained)")
        if row_hash(table, stored_prev, dict(zip(names, values, strict=True))) != stored_hash:
            report.problem(f"{table} id {pk}: its content does not match its hash (the row was changed)")
        prev = stored_hash
    report.head = prev
    return report


def audit_models() -> list[Any]:
    from caseassess.audit.models import AccessLog, AuditEvent

    return [AuditEvent, AccessLog]


def verify_all(using: str = DEFAULT_DB_ALIAS) -> list[ChainReport]:
    with transaction.atomic(using=using):  # one consistent view of both tables
        return [verify_model(m, using) for m in audit_models()]


def heads(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """Per audit table: rows and the last row's hash (recorded in signed backups)."""
    out = {}
    for m in audit_models():
        qs = m._base_manager.using(using)
        out[m._meta.label_lower] = {"rows": qs.count(), "head": _last_hash(m, using)}
    return out


def extends(head: dict[str, Any], model: Any, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """None if the table's chain still holds the row ``head`` names at the same position
    (so nothing up to that point was cut off the end), else what is wrong."""
    if head["rows"] == 0:
        return None
    qs = model._base_manager.using(using)
    row = qs.filter(row_hash=head["head"]).values_list("id", flat=True).first()
    if row is None:
        return f"{model._meta.db_table}: the backup's last row (hash {head['head'][:12]}…) is no longer in the database"
    position = qs.filter(id__lte=row).count()
    if position != head["rows"]:
        return f"{model._meta.db_table}: the backup's last row is row {position} here, not row {head['rows']}"
    return None
