"""Backup and restore of all application data (docs/security.md, "Backup and restore").

A backup is one UTF-8 JSON Lines file, written and read in constant memory:

* line 1: ``{"header": {format, version, created_at, database_vendor, migrations}}``;
* one line per row, ``{"fields": …, "model": …, "pk": …}`` in canonical JSON (Django's
  python serialisation with natural foreign keys), models in dependency order, rows by pk;
* last line: ``{"manifest": {…, models: {label: {count, sha256}}, data_sha256,
  audit_chains: {label: {rows, head}}, key_id}, "signature": "…"}``.

The signature is HMAC-SHA256, with the key in ``CASEASSESS_BACKUP_KEY`` (never in the
backup), over every byte before the last line and then the canonical manifest. A restore
refuses a file without a valid signature, a damaged one (counts, checksums), a database at
other migrations or not empty; it loads in one transaction, then re-computes every count
and checksum and verifies the audit hash chains, and rolls back if anything differs.

The rows are read from a consistent snapshot that does not block writers: SQLite is first
copied with its online backup API (one read transaction; WAL lets writers go on) and the
copy is read; PostgreSQL is read in one REPEATABLE READ, READ ONLY transaction (the
snapshot ``pg_dump`` takes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from caseassess.audit import chain

FORMAT = "caseassess-backup"
VERSION = 2
CHUNK = 2000
KEY_MIN_CHARS = 32
# Not data: rebuilt by migrate (content types, permissions), or short-lived state that must
# not come back (sessions, sign-in throttling counters).
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes.accessattempt", "axes.accessattemptexpiration"]

_encoder = DjangoJSONEncoder()


class BackupError(Exception):
    pass


def _json_default(o: Any) -> Any:
    # Times always with three decimals: DjangoJSONEncoder writes ".000" for 0.000456 s but
    # nothing for 0 s, so a restored time (to the millisecond) would not read back the same.
    if isinstance(o, (dt.datetime, dt.time)):
        return o.isoformat(timespec="milliseconds")
    return _encoder.default(o)


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default).encode("utf-8")


# ---------------------------------------------------------------------------- key


def backup_key() -> bytes:
    key = getattr(settings, "CASEASSESS_BACKUP_KEY", "") or ""
    if len(key) < KEY_MIN_CHARS:
        raise BackupError(
            f"Set CASEASSESS_BACKUP_KEY to a secret of at least {KEY_MIN_CHARS} characters, kept apart from the backups "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))'); backups are signed with it"
        )
    return key.encode("utf-8")


def _key_id(key: bytes) -> str:
    """Names the key without revealing it, so a restore can say "signed with another key"."""
    return hmac.new(key, b"caseassess backup key id", hashlib.sha256).hexdigest()[:16]


def _signature(mac: Any, manifest: dict[str, Any]) -> str:
    final = mac.copy()
    final.update(_canonical(manifest))
    return "hmac-sha256:" + str(final.hexdigest())


# ---------------------------------------------------------------------------- what is backed up


def _labels() -> set[str]:
    """Every model the backup covers (concrete, managed, not excluded)."""
    excluded_apps = {e for e in EXCLUDE if "." not in e}
    excluded_models = {e for e in EXCLUDE if "." in e}
    labels = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in excluded_apps or meta.label_lower in excluded_models:
            continue
        labels.add(meta.label_lower)
    return labels


def _models_in_order() -> list[Any]:
    """The backed-up models in dependency order (as dumpdata orders them)."""
    labels = _labels()
    by_app: dict[Any, list[Any]] = defaultdict(list)
    for model in apps.get_models():
        if model._meta.label_lower in labels:
            by_app[apps.get_app_config(model._meta.app_label)].append(model)
    return list(serializers.sort_dependencies(list(by_app.items()), allow_cycles=True))


def _m2m_sorted(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its many-to-many lists in a fixed order: the database returns the
    link rows in an order PostgreSQL does not fix."""
    try:
        names = [f.name for f in apps.get_model(record["model"])._meta.many_to_many]
    except (LookupError, ValueError, KeyError):
        return record
    fields = record.get("fields") or {}
    if not any(isinstance(fields.get(n), list) for n in names):
        return record
    return {**record, "fields": {**fields, **{n: sorted(fields[n], key=lambda v: json.dumps(v, sort_keys=True)) for n in names if isinstance(fields.get(n), list)}}}


def _records(model: Any, using: str) -> Iterator[dict[str, Any]]:
    """The model's rows as serialised records, by pk, CHUNK rows in memory at a time."""
    qs = model._base_manager.using(using).order_by(model._meta.pk.name)
    # Foreign keys are written as natural keys (a user's username): fetch those rows in the
    # same query, not one query per row.
    natural = [f.name for f in model._meta.concrete_fields if f.many_to_one and hasattr(f.related_model, "natural_key")]
    if natural:
        qs = qs.select_related(*natural)
    batch: list[Any] = []
    for obj in qs.iterator(chunk_size=CHUNK):
        batch.append(obj)
        if len(batch) >= CHUNK:
            yield from (_m2m_sorted(r) for r in serializers.serialize("python", batch, use_natural_foreign_keys=True))
            batch = []
    if batch:
        yield from (_m2m_sorted(r) for r in serializers.serialize("python", batch, use_natural_foreign_keys=True))


def _dump(using: str = DEFAULT_DB_ALIAS) -> Iterator[dict[str, Any]]:
    for model in _models_in_order():
        yield from _records(model, using)


def _empty_sha() -> str:
    return hashlib.sha256(b"").hexdigest()


class _Tally:
    """Per-model row counts and SHA-256 of the canonical record lines, plus the whole data's."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.shas: dict[str, Any] = {}
        self.all = hashlib.sha256()

    def add(self, label: str, line: bytes) -> None:
        self.counts[label] += 1
        self.shas.setdefault(label, hashlib.sha256()).update(line)
        self.all.update(line)

    def models(self) -> dict[str, dict[str, Any]]:
        return {
            label: {"count": self.counts.get(label, 0), "sha256": self.shas[label].hexdigest() if label in self.shas else _empty_sha()}
            for label in sorted(_labels() | set(self.counts))
        }


def _manifest_models(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Counts and checksums of records (any order within a model: rows are taken by pk)."""
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_model[r["model"]].append(_m2m_sorted(r))
    tally = _Tally()
    for label in sorted(by_model):
        for r in sorted(by_model[label], key=lambda r: (isinstance(r.get("pk"), str), r.get("pk"))):
            tally.add(label, _canonical(r) + b"\n")
    return tally.models()


def _migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = defaultdict(list)
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        applied[app].append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


# ---------------------------------------------------------------------------- snapshot


@contextmanager
def _snapshot(using: str, *, during: Callable[[], None] | None = None) -> Iterator[str]:
    """A database alias holding one consistent, read-only view of the data, taken without
    blocking writers. ``during`` (tests) runs once the snapshot is taken."""
    conn = connections[using]
    if conn.vendor == "postgresql":
        with transaction.atomic(using=using):
            with conn.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur.execute("SELECT 1")  # the snapshot is taken at the first query
            if during:
                during()
            yield using
        return
    if conn.vendor != "sqlite":
        raise BackupError(f"backups support SQLite and PostgreSQL, not {conn.vendor}")
    tmpdir = tempfile.mkdtemp(prefix="caseassess-backup-")
    alias = f"{using}__backup_snapshot"
    try:
        copy = Path(tmpdir) / "snapshot.sqlite3"
        conn.ensure_connection()
        dest = sqlite3.connect(copy)
        try:
            conn.connection.backup(dest)  # pages=-1: one step, one read transaction on the source
        finally:
            dest.close()
        if during:
            during()
        # A connection of its own to the copy, registered for this thread only (not in
        # settings.DATABASES): querysets reach it with .using(alias).
        cfg = {**conn.settings_dict, "NAME": str(copy)}
        connections[alias] = load_backend(cfg["ENGINE"]).DatabaseWrapper(cfg, alias)
        with transaction.atomic(using=alias):
            yield alias
    finally:
        snap = getattr(connections._connections, alias, None)
        if snap is not None:
            snap.close()
            del connections[alias]
        shutil.rmtree(tmpdir, ignore_errors=True)


# ---------------------------------------------------------------------------- write


def backup_write(*, path: Path, using: str = DEFAULT_DB_ALIAS, during: Callable[[], None] | None = None) -> dict[str, Any]:
    key = backup_key()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f, _snapshot(using, during=during) as source:
            mac = hmac.new(key, digestmod=hashlib.sha256)

            def emit(line: bytes) -> None:
                f.write(line)
                mac.update(line)

            header = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database_vendor": connections[using].vendor,
                "migrations": _migrations(source),
            }
            emit(_canonical({"header": header}) + b"\n")
            tally = _Tally()
            for record in _dump(source):
                line = _canonical(record) + b"\n"
                tally.add(record["model"], line)
                emit(line)
            manifest = {
                **header,
                "models": tally.models(),
                "data_sha256": tally.all.hexdigest(),
                "audit_chains": chain.heads(source),
                "key_id": _key_id(key),
            }
            f.write(_canonical({"manifest": manifest, "signature": _signature(mac, manifest)}) + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return manifest


# ---------------------------------------------------------------------------- read


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from f


def _parse(path: Path, line: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(line)
    except ValueError as exc:
        raise BackupError(f"{path} is not a caseassess backup file: {exc}") from None
    if not isinstance(doc, dict):
        raise BackupError(f"{path} is not a caseassess backup file")
    return doc


def backup_check(*, path: Path) -> dict[str, Any]:
    """The manifest of a backup file after checking, in one streamed pass, its signature
    (with this server's key), every count and checksum. Raises BackupError."""
    key = backup_key()
    path = Path(path)
    try:
        lines = _lines(path)
        first = next(lines, b"")
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    head = _parse(path, first) if first.startswith(b"{") else {}
    header = head.get("header")
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        if isinstance(head.get("manifest"), dict) or b'"manifest"' in first[:200]:
            raise BackupError(f"{path} is an unsigned backup of an earlier format; it cannot be restored (take a new backup)")
        raise BackupError(f"{path} is not a caseassess backup file (format {FORMAT} version {VERSION})")
    if header.get("version") != VERSION:
        raise BackupError(f"{path} is a backup of format version {header.get('version')}; this version restores version {VERSION}")
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(first)
    tally = _Tally()
    trailer: dict[str, Any] | None = None
    for line in lines:
        if trailer is not None:
            raise BackupError(f"{path} is damaged: there is data after its manifest")
        doc = _parse(path, line)
        if "manifest" in doc:
            trailer = doc
            continue
        mac.update(line)
        model = doc.get("model")
        if not isinstance(model, str):
            raise BackupError(f"{path} is damaged: a line is neither a row nor the manifest")
        tally.add(model, _canonical(doc) + b"\n")
    if trailer is None:
        raise BackupError(f"{path} is damaged or incomplete: it has no manifest (last line)")
    manifest, signature = trailer.get("manifest"), trailer.get("signature")
    if not isinstance(manifest, dict) or not isinstance(signature, str):
        raise BackupError(f"{path} is damaged: its manifest is not readable")
    if not hmac.compare_digest(signature, _signature(mac, manifest)):
        if manifest.get("key_id") != _key_id(key):
            raise BackupError(
                f"{path} is not signed with this server's backup key (CASEASSESS_BACKUP_KEY): restore refused. "
                "Restore with the key the backup was made with"
            )
        raise BackupError(f"{path} has been changed since it was written: its signature does not match (restore refused)")
    if {k: manifest.get(k) for k in header} != header:
        raise BackupError(f"{path} is damaged: its header and manifest differ")
    if tally.all.hexdigest() != manifest.get("data_sha256"):
        raise BackupError(f"{path} is damaged: the SHA-256 of its data does not match its manifest")
    got = tally.models()
    bad = sorted(m for m in set(got) | set(manifest.get("models", {})) if got.get(m, {"count": 0, "sha256": _empty_sha()}) != manifest.get("models", {}).get(m))
    if bad:
        raise BackupError(f"{path} is damaged: counts or checksums differ for {', '.join(bad)}")
    return manifest


def backup_read(*, path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The manifest and every record of a (checked) backup, in memory: for tests and small files."""
    manifest = backup_check(path=path)
    records = [doc for doc in (json.loads(line) for line in _lines(Path(path))) if "model" in doc]
    return manifest, records


# ---------------------------------------------------------------------------- restore


def _non_empty(using: str) -> list[str]:
    out = []
    for label in sorted(_labels()):
        model = apps.get_model(label)
        if model._base_manager.using(using).exists():
            out.append(f"{label} ({model._base_manager.using(using).count()} rows)")
    return out


def _load(path: Path, using: str) -> None:
    """Insert every row of the file (raw saves, as loaddata), streaming."""
    conn = connections[using]
    rows = (doc for doc in (json.loads(line) for line in _lines(path)) if "model" in doc)
    deferred = []
    models = set()
    with conn.constraint_checks_disabled():
        for obj in serializers.deserialize("python", rows, using=using, handle_forward_references=True):
            obj.save(using=using)
            models.add(type(obj.object))
            if obj.deferred_fields:
                deferred.append(obj)
        for obj in deferred:
            obj.save_deferred_fields(using=using)
    conn.check_constraints(table_names=[m._meta.db_table for m in models])
    sequence_sql = conn.ops.sequence_reset_sql(no_style(), list(models))
    if sequence_sql:
        with conn.cursor() as cur:
            for sql in sequence_sql:
                cur.execute(sql)


def restore_load(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    path = Path(path)
    manifest = backup_check(path=path)
    mine = _migrations(using)
    if mine != manifest["migrations"]:
        missing = sorted(f"{a}.{n}" for a, ns in manifest["migrations"].items() for n in ns if n not in mine.get(a, []))
        extra = sorted(f"{a}.{n}" for a, ns in mine.items() for n in ns if n not in manifest["migrations"].get(a, []))
        raise BackupError(
            "The database is not at the backup's migration state. "
            + (f"Not applied here: {', '.join(missing[:10])}. " if missing else "")
            + (f"Applied here but not in the backup: {', '.join(extra[:10])}." if extra else "")
        )
    full = _non_empty(using)
    if full:
        raise BackupError("Restore needs an empty database (run migrate on a new one). Not empty: " + ", ".join(full[:10]))
    with transaction.atomic(using=using):
        _load(path, using)
        tally = _Tally()
        for record in _dump(using):
            tally.add(record["model"], _canonical(record) + b"\n")
        after = tally.models()
        if after != manifest["models"]:
            bad = sorted(m for m in set(after) | set(manifest["models"]) if after.get(m) != manifest["models"].get(m))
            raise BackupError("Restored data does not match the backup (rolled back): " + ", ".join(bad))
        broken = [p for report in chain.verify_all(using) for p in report.problems]
        if broken:
            raise BackupError("The backup's audit trail is broken (rolled back): " + "; ".join(broken[:5]))
    return manifest
