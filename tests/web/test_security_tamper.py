"""Issue 14, item 4: the audit trail is tamper-evident. Audit rows are hash-chained per
table, ``verify_audit`` finds a changed, deleted or cut-off row, backups are signed with a
key that is not in them, and ``restore_data`` refuses an edited backup. SQLite and
PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from caseassess.accounts.models import User
from caseassess.assessments import services
from caseassess.audit import chain
from caseassess.audit.backup import _canonical, _key_id, _Tally
from caseassess.audit.models import AccessLog, AuditEvent
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)

Records = list[dict[str, Any]]


def populated(assessment: Any, users: dict[str, Any]) -> None:
    for k, value in enumerate(["yes", "no", "yes"], start=1):
        services.assessment_save_section(
            assessment=assessment, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": value},
            comments={}, base_versions={"B.4.1.1": k - 1}, client_stamp=k,
        )
    for _ in range(3):
        client_for(users["lead"]).get(f"/assessments/{assessment.pk}/")
    assert AuditEvent.objects.count() >= 4 and AccessLog.objects.count() >= 3


def backup(tmp_path: Path) -> Path:
    path = tmp_path / "backup.jsonl"
    call_command("backup_data", str(path), verbosity=0)
    return path


def empty_the_database() -> None:
    call_command("flush", interactive=False, verbosity=0)


def rewrite(path: Path, edit: Callable[[Records], Records], *, sign_with: bytes | None, rechain: bool = False) -> None:
    """Edit a backup's rows as an attacker would: recompute every count and checksum of the
    manifest (and, with ``rechain``, the audit hash chains); sign with ``sign_with`` or keep
    the old signature."""
    header, *rows, trailer_line = path.read_bytes().splitlines(keepends=True)
    trailer = json.loads(trailer_line)
    manifest = trailer["manifest"]
    records = edit([json.loads(r) for r in rows])
    if rechain:
        ids = dict(User.objects.values_list("username", "id"))
        for label, table, fk in (("audit.auditevent", "audit_auditevent", "actor"), ("audit.accesslog", "audit_accesslog", "user")):
            prev = chain.GENESIS
            for r in (r for r in records if r["model"] == label):
                f = r["fields"]
                values = {**f, f"{fk}_id": ids[f[fk][0]] if f[fk] else None}
                f["prev_hash"], f["row_hash"] = prev, chain.row_hash(table, prev, values)
                prev = f["row_hash"]
    body = [header]
    tally = _Tally()
    for r in records:
        line = _canonical(r) + b"\n"
        tally.add(r["model"], line)
        body.append(line)
    manifest["models"], manifest["data_sha256"] = tally.models(), tally.all.hexdigest()
    signature = trailer["signature"]
    if sign_with is not None:
        manifest["key_id"] = _key_id(sign_with)
        mac = hmac.new(sign_with, b"".join(body), hashlib.sha256)
        mac.update(_canonical(manifest))
        signature = "hmac-sha256:" + mac.hexdigest()
    path.write_bytes(b"".join(body) + _canonical({"manifest": manifest, "signature": signature}) + b"\n")


def change_one_audit_row_and_delete_another(records: Records) -> Records:
    events = [r for r in records if r["model"] == "audit.auditevent"]
    events[1]["fields"]["new"] = "no one answered this"  # one audit row changed
    gone = events[2]  # another deleted
    return [r for r in records if r is not gone]


def restore_fails(path: Path, match: str) -> None:
    empty_the_database()
    with pytest.raises(CommandError, match=match):
        call_command("restore_data", str(path), verbosity=0)
    assert AuditEvent.objects.count() == AccessLog.objects.count() == User.objects.count() == 0


def test_an_edited_backup_with_its_manifest_recomputed_is_refused(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    populated(assessment, users)
    path = backup(tmp_path)
    rewrite(path, change_one_audit_row_and_delete_another, sign_with=None)
    restore_fails(path, "has been changed since it was written: its signature does not match")


def test_an_edited_backup_with_its_hash_chain_recomputed_but_without_the_key_is_refused(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    populated(assessment, users)
    path = backup(tmp_path)
    rewrite(path, change_one_audit_row_and_delete_another, sign_with=b"an attacker's own key, not the server's", rechain=True)
    restore_fails(path, "not signed with this server's backup key")


def test_an_edited_backup_re_signed_with_the_key_is_refused_by_the_audit_hash_chain(assessment: Any, users: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    populated(assessment, users)
    path = backup(tmp_path)
    rewrite(path, change_one_audit_row_and_delete_another, sign_with=settings.CASEASSESS_BACKUP_KEY.encode())
    restore_fails(path, r"audit trail is broken \(rolled back\).*content does not match its hash.*does not follow the row before it")


def test_a_backup_without_a_signature_or_without_a_key_is_refused(assessment: Any, users: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    populated(assessment, users)
    path = backup(tmp_path)
    trailer = json.loads(path.read_bytes().splitlines()[-1])
    assert trailer["signature"].startswith("hmac-sha256:")
    assert settings.CASEASSESS_BACKUP_KEY not in path.read_text()  # the key is not in the backup
    unsigned = tmp_path / "unsigned.jsonl"
    unsigned.write_bytes(path.read_bytes().replace(trailer["signature"].encode(), b""))
    settings.CASEASSESS_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="^Set CASEASSESS_BACKUP_KEY to a secret of at least 32 characters"):
        call_command("backup_data", str(tmp_path / "other.jsonl"), verbosity=0)
    assert not (tmp_path / "other.jsonl").exists()
    restore_fails(path, "Set CASEASSESS_BACKUP_KEY")
    settings.CASEASSESS_BACKUP_KEY = "a different key of more than thirty-two characters"
    restore_fails(path, "not signed with this server's backup key")
    settings.CASEASSESS_BACKUP_KEY = "test-only-backup-signing-key-0123456789abcdef"
    restore_fails(unsigned, "signature does not match")
    call_command("restore_data", str(path), verbosity=0)  # the right key: restored
    assert AuditEvent.objects.count() >= 4


def _bypassing_triggers(sql: list[str]) -> None:
    """Run ``sql`` as the database owner with the append-only triggers out of the way (what
    someone with the owner's rights could do), and put them back."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            for s in sql:
                cur.execute(s)
            cur.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cur.execute("DROP TRIGGER audit_auditevent_no_update")
            cur.execute("DROP TRIGGER audit_auditevent_no_delete")
            for s in sql:
                cur.execute(s)
            m = importlib.import_module("caseassess.audit.migrations.0003_f_hash_chain_and_sqlite_delete_triggers")
            cur.execute(m.SQLITE_NO_UPDATE.format(t="audit_auditevent"))  # back as migration 0003 makes them
            cur.execute(m.SQLITE_NO_DELETE.format(t="audit_auditevent"))


def verify(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}")
    return out.getvalue(), err.getvalue()


def test_verify_audit_finds_a_changed_row_and_a_deleted_row(assessment: Any, users: dict[str, Any]) -> None:
    populated(assessment, users)
    out, err = verify()
    assert "The audit trail is intact" in out and not err
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    _bypassing_triggers([
        f"UPDATE audit_auditevent SET new = '\"no\"' WHERE id = {ids[1]}",
        f"DELETE FROM audit_auditevent WHERE id = {ids[2]}",
    ])
    out, err = verify()
    assert f"audit_auditevent id {ids[1]}: its content does not match its hash (the row was changed)" in err
    assert f"audit_auditevent id {ids[3]}: does not follow the row before it" in err
    assert "CommandError: The audit trail has been tampered with: 2 problem(s) found" in err


def test_verify_audit_with_a_backup_finds_rows_cut_off_the_end(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    populated(assessment, users)
    path = backup(tmp_path)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    _bypassing_triggers([f"DELETE FROM audit_auditevent WHERE id = {last}"])
    out, _ = verify()
    assert "The audit trail is intact" in out  # a cut end leaves a consistent chain …
    _, err = verify("--backup", str(path))
    assert "the backup's last row" in err and "is no longer in the database" in err  # … that the signed backup exposes
    assert "CommandError: The audit trail has been tampered with" in err


def test_every_audit_row_written_by_the_application_is_chained(assessment: Any, users: dict[str, Any]) -> None:
    populated(assessment, users)
    reports = chain.verify_all()
    assert [(r.table, r.problem_count) for r in reports] == [("audit_auditevent", 0), ("audit_accesslog", 0)]
    rows = list(AuditEvent.objects.order_by("id").values_list("prev_hash", "row_hash"))
    assert rows[0][0] == chain.GENESIS
    assert all(rows[i][0] == rows[i - 1][1] for i in range(1, len(rows)))
