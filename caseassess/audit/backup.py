"""Backup and restore of all application data: one JSON file holding Django's dumpdata
output and a manifest with, per model, the row count and the SHA-256 of its rows, plus the
SHA-256 of the whole data (docs/security.md). Restore refuses a damaged file, a database
at a different migration state and a database that is not empty, loads with loaddata in
one transaction and re-computes every count and checksum before it commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections import defaultdict
from io import StringIO
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "caseassess-backup"
VERSION = 1
# Not data: rebuilt by migrate (content types, permissions), or short-lived state that must
# not come back (sessions, sign-in throttling counters).
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes.accessattempt", "axes.accessattemptexpiration"]


class BackupError(Exception):
    pass


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _dump(using: str = DEFAULT_DB_ALIAS) -> list[dict[str, Any]]:
    out = StringIO()
    call_command("dumpdata", exclude=EXCLUDE, natural_foreign=True, format="json", database=using, stdout=out, verbosity=0)
    return [_m2m_sorted(r) for r in json.loads(out.getvalue() or "[]")]


def _manifest_models(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_model[r["model"]].append(r)
    out = {}
    for label in sorted(_labels() | set(by_model)):
        rows = sorted((_m2m_sorted(r) for r in by_model.get(label, [])), key=lambda r: json.dumps(r.get("pk"), sort_keys=True))
        out[label] = {"count": len(rows), "sha256": hashlib.sha256(_canonical(rows)).hexdigest()}
    return out


def _m2m_sorted(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its many-to-many lists in a fixed order: dumpdata lists them in
    the order the database returns the link rows, which PostgreSQL does not fix."""
    try:
        names = [f.name for f in apps.get_model(record["model"])._meta.many_to_many]
    except (LookupError, ValueError, KeyError):
        return record
    fields = record.get("fields") or {}
    if not any(isinstance(fields.get(n), list) for n in names):
        return record
    return {**record, "fields": {**fields, **{n: sorted(fields[n], key=lambda v: json.dumps(v, sort_keys=True)) for n in names if isinstance(fields.get(n), list)}}}


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


def _migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = defaultdict(list)
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        applied[app].append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def backup_write(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    with transaction.atomic(using=using):  # one consistent snapshot
        records = _dump(using)
        migrations = _migrations(using)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database_vendor": connections[using].vendor,
        "migrations": migrations,
        "models": _manifest_models(records),
        "data_sha256": hashlib.sha256(_canonical(records)).hexdigest(),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:  # mkstemp: readable by the owner only
            json.dump({"manifest": manifest, "data": records}, f, ensure_ascii=False, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return manifest


def backup_read(*, path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The manifest and records of a backup file, after checking every checksum."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        manifest, records = doc["manifest"], doc["data"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} is not a caseassess backup file: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{path} is not a caseassess backup file (format {FORMAT} version {VERSION})")
    if hashlib.sha256(_canonical(records)).hexdigest() != manifest.get("data_sha256"):
        raise BackupError(f"{path} is damaged: the SHA-256 of its data does not match its manifest")
    got = _manifest_models(records)
    bad = [m for m, v in manifest.get("models", {}).items() if got.get(m, {"count": 0, "sha256": _empty_sha()}) != v]
    if bad or set(got) - set(manifest.get("models", {})):
        raise BackupError(f"{path} is damaged: counts or checksums differ for {', '.join(sorted(bad)) or 'unlisted models'}")
    return manifest, records


def _empty_sha() -> str:
    return hashlib.sha256(_canonical([])).hexdigest()


def _non_empty(using: str) -> list[str]:
    out = []
    for label in sorted(_labels()):
        model = apps.get_model(label)
        if model._base_manager.using(using).exists():
            out.append(f"{label} ({model._base_manager.using(using).count()} rows)")
    return out


def restore_load(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    manifest, records = backup_read(path=path)
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
    fd, tmp = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(records, f, ensure_ascii=False)
        with transaction.atomic(using=using):
            call_command("loaddata", tmp, database=using, verbosity=0)
            after = _manifest_models(_dump(using))
            if after != manifest["models"]:
                bad = sorted(m for m in set(after) | set(manifest["models"]) if after.get(m) != manifest["models"].get(m))
                raise BackupError("Restored data does not match the backup (rolled back): " + ", ".join(bad))
    finally:
        Path(tmp).unlink(missing_ok=True)
    return manifest
