"""backup_data / restore_data round trip (docs/security.md): nothing is lost, a damaged
file or a non-empty database is refused. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseassess.assessments import services
from caseassess.assessments.models import Answer, Assessment
from caseassess.audit.backup import backup_read
from caseassess.audit.models import AccessLog, AuditEvent
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def populated(assessment: Any, users: dict[str, Any]) -> None:
    services.assessment_save_section(
        assessment=assessment, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "yes", "B.4.1.6": "na"},
        comments={"B.4.1.1": "Ünïcode comment — with a dash"}, base_versions={}, client_stamp=1,
    )
    client_for(users["lead"]).get(f"/assessments/{assessment.pk}/")


def empty_the_database() -> None:
    # flush uses TRUNCATE on PostgreSQL (the audit triggers refuse row DELETE) and DELETE on SQLite.
    call_command("flush", interactive=False, verbosity=0)


def test_a_backup_restores_every_assessment_answer_and_audit_row_with_equal_counts_and_checksums(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    populated(assessment, users)
    counts = {m: m.objects.count() for m in (Assessment, Answer, AuditEvent, AccessLog)}
    assert all(counts.values())
    first = tmp_path / "backup.json"
    call_command("backup_data", str(first), verbosity=0)
    manifest, records = backup_read(path=first)
    assert manifest["models"]["assessments.answer"]["count"] == counts[Answer]
    assert manifest["models"]["audit.auditevent"]["count"] == counts[AuditEvent]
    assert manifest["models"]["accounts.user"]["count"] == len(users)
    assert not any(r["model"] in ("sessions.session", "contenttypes.contenttype") for r in records)

    empty_the_database()
    assert Answer.objects.count() == AuditEvent.objects.count() == 0
    call_command("restore_data", str(first), verbosity=0)
    assert {m: m.objects.count() for m in (Assessment, Answer, AuditEvent, AccessLog)} == counts
    assert Answer.objects.get(question_id="B.4.1.1").comment == "Ünïcode comment — with a dash"

    second = tmp_path / "again.json"
    call_command("backup_data", str(second), verbosity=0)
    again, _ = backup_read(path=second)
    assert again["models"] == manifest["models"] and again["data_sha256"] == manifest["data_sha256"]
    # Restored users can still sign in with their passwords.
    from caseassess.accounts.models import User

    assert User.objects.get(username="assessor").check_password("a-long-test-password-2013")


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    populated(assessment, users)
    path = tmp_path / "backup.json"
    call_command("backup_data", str(path), verbosity=0)
    before = Answer.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match="Restore needs an empty database"):
        call_command("restore_data", str(path), verbosity=0)
    assert (Answer.objects.count(), AuditEvent.objects.count()) == before


def test_restore_refuses_a_damaged_backup_file(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    populated(assessment, users)
    path = tmp_path / "backup.json"
    call_command("backup_data", str(path), verbosity=0)
    lines = path.read_bytes().splitlines(keepends=True)
    k = next(i for i, line in enumerate(lines) if b'"model":"assessments.answer"' in line)
    record = json.loads(lines[k])
    record["fields"]["value"] = "no" if record["fields"]["value"] != "no" else "yes"
    lines[k] = json.dumps(record).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    empty_the_database()
    with pytest.raises(CommandError, match="has been changed since it was written"):
        call_command("restore_data", str(path), verbosity=0)
    path.write_bytes(b"".join(lines[:-1]))  # cut short: no manifest
    with pytest.raises(CommandError, match="incomplete: it has no manifest"):
        call_command("restore_data", str(path), verbosity=0)
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not a caseassess backup"):
        call_command("restore_data", str(path), verbosity=0)
    assert Answer.objects.count() == 0


def test_the_backup_file_is_readable_by_its_owner_only(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    call_command("backup_data", str(path), verbosity=0)
    assert path.stat().st_mode & 0o077 == 0


def test_the_checksum_of_a_model_does_not_depend_on_the_order_the_database_lists_many_to_many_links() -> None:
    from caseassess.audit.backup import _manifest_models

    def inspection(members: list[list[str]]) -> list[dict[str, Any]]:
        return [{"model": "inspections.inspection", "pk": 1, "fields": {"name": "IAOW Testshire", "members": members}}]

    a = _manifest_models(inspection([["assessor"], ["lead"], ["analyst"]]))["inspections.inspection"]
    b = _manifest_models(inspection([["lead"], ["analyst"], ["assessor"]]))["inspections.inspection"]
    c = _manifest_models(inspection([["lead"], ["analyst"]]))["inspections.inspection"]
    assert a == b and a != c


def test_a_backup_lists_many_to_many_links_in_a_fixed_order(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.audit.backup import _dump

    inspection.area.leads.clear()
    inspection.area.leads.add(users["lead"], users["assessor2"], users["analyst"])  # link rows not in name order
    record = next(r for r in _dump() if r["model"] == "inspections.area")
    assert [list(m) for m in record["fields"]["leads"]] == [["analyst"], ["assessor2"], ["lead"]]
    # Memberships (with their per-inspection role) are records of their own.
    roles = sorted((list(r["fields"]["user"]), r["fields"]["role"]) for r in _dump() if r["model"] == "inspections.membership")
    assert roles == [(["analyst"], "analyst"), (["assessor"], "assessor"), (["assessor2"], "assessor"), (["lead"], "lead_inspector")]


@pytest.mark.parametrize("microsecond", [0, 456, 999, 123456])
def test_a_time_reads_back_from_a_restore_exactly_as_it_was_written(microsecond: int) -> None:
    """Times are kept to the millisecond; 0.000456 s must not be written as '.000' and read
    back as a time that is then written without decimals (a restore would not match)."""
    import datetime as dt

    from django.db.models import DateTimeField

    from caseassess.audit.backup import _canonical

    t = dt.datetime(2011, 3, 26, 9, 15, 0, microsecond, tzinfo=dt.UTC)
    written = json.loads(_canonical({"t": t}))["t"]
    assert _canonical({"t": DateTimeField().to_python(written)}) == _canonical({"t": t})
