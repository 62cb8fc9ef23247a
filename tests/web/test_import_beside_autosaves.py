"""Issue 14, the load run: a large web import (a background job) must not make the
assessors' autosaves in other inspections wait or fail.

PostgreSQL: every save writes an audit row, and chaining audit rows takes a lock that the
import, too, holds from its own audit rows to its commit (caseassess.audit.chain).
SQLite: one writer at a time, so the import writes whole cases in parts, one transaction
each, and the saves get the write lock between them."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from caseassess.audit.models import AuditEvent
from caseassess.audit.services import audit_record
from caseassess.inspections.models import Area, Inspection, Programme
from caseassess.instruments.selectors import instrument_get
from caseassess.instruments.services import instrument_load
from caseassess.reporting import counts, importing
from tests.web import test_import_paths
from tests.web.test_import_paths import generated, pair  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]


def _target() -> tuple[Inspection, list[list[str]]]:
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    start = dt.date(2014, 3, 10)
    insp = Inspection.objects.create(programme=Programme.objects.create(name="Import beside autosaves"), name="Importshire",
                                     area=Area.objects.create(name="Importshire"), fieldwork_start=start,
                                     fieldwork_end=start + dt.timedelta(days=4), instrument=version)
    rows, _ = generated(instrument_get(version=version), seed=14, n=20)
    return insp, rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row and advisory locks (SQLite: one writer at a time)")
@pytest.mark.django_db(transaction=True)
def test_an_autosave_elsewhere_is_not_held_by_the_import_while_it_writes_its_answers_and_counts(users: dict[str, Any], monkeypatch: Any) -> None:
    """While the import is still working inside its transaction (here: keeping the findings
    counts), another person's save, which writes an audit row, goes through at once."""
    insp, rows = _target()
    other: dict[str, Any] = {}

    def save_elsewhere() -> None:  # an assessor's autosave in another inspection: its audit row
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '2s'")
                t0 = time.monotonic()
                audit_record(actor=users["assessor"], action="autosave", entity="assessment", entity_id="1")
                other["seconds"] = time.monotonic() - t0
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            other["error"] = repr(exc)
        finally:
            connections.close_all()

    real = counts.apply_increments

    def counting_while_someone_saves(*args: Any, **kwargs: Any) -> Any:
        done = real(*args, **kwargs)
        t = threading.Thread(target=save_elsewhere)
        t.start()
        t.join(timeout=30)
        return done

    monkeypatch.setattr(counts, "apply_increments", counting_while_someone_saves)
    result = importing.assessments_import_csv(inspection=insp, actor=users["lead"], rows=iter(rows))
    assert result.ok and result.cases_created == 20 and result.counts_kept
    assert "error" not in other, other  # before: "canceling statement due to lock timeout"
    assert other["seconds"] < 1
    # Both the import's rows and the save's row are in one unbroken chain.
    from caseassess.audit.chain import verify_all

    assert not [p for r in verify_all("default") for p in r.problems]
    assert AuditEvent.objects.filter(action="import", inspection_id=insp.pk).count() == 20


@pytest.mark.django_db
def test_an_import_written_in_parts_stores_the_same_cases_answers_counts_and_audit_as_one_transaction(pair: Any, monkeypatch: Any) -> None:  # noqa: F811
    """The import-paths test (new cases, then changed answers and details of stored cases
    plus new ones, then the same file again), with the new import written in parts of
    about 300 answers: each step gives what the reference import gives."""
    parts: list[bool] = []
    real = importing._write

    def spy(**kw: Any) -> Any:
        parts.append(kw.get("part", False))
        return real(**kw)

    with mock.patch.object(importing, "_part_rows", lambda parts: 300), mock.patch.object(importing, "_write", spy), \
            mock.patch.object(importing, "SQLITE_PART_PAUSE", 0):
        test_import_paths.test_a_generated_file_with_every_answer_type_then_changes_then_the_same_again_is_imported_identically(pair, monkeypatch)
    assert all(parts) and len(parts) >= 3 * 5  # three imports of 2,000 to 3,000 answers, each in parts


SCRIPT = textwrap.dedent("""
    import json, sys, threading, time
    import django
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import OperationalError, connections
    from caseassess.accounts.models import User
    from caseassess.audit.chain import verify_all
    from caseassess.audit.services import audit_record
    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.instruments.selectors import instrument_get
    from caseassess.instruments.services import instrument_load
    from caseassess.reporting import counts, importing
    from tests.web.test_import_paths import START, generated
    import datetime as dt
    call_command("migrate", verbosity=0)
    importing.SQLITE_PART_ROWS = int(sys.argv[1])
    assessor = User.objects.create_user(username="assessor", password="a-long-test-password-2013")
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(programme=Programme.objects.create(name="P"), name="Importshire", area=Area.objects.create(name="A"),
                                     fieldwork_start=START, fieldwork_end=START + dt.timedelta(days=4), instrument=version)
    rows, _ = generated(instrument_get(version=version), seed=14, n=int(sys.argv[2]))
    out = {"saves": [], "failed": []}
    def run_import():
        t0 = time.monotonic()
        r = importing.assessments_import_csv(inspection=insp, actor=None, rows=iter(rows), in_parts=True)  # as the web job
        out.update(ok=r.ok, cases=r.cases_created, kept=r.counts_kept, seconds=time.monotonic() - t0)
        connections.close_all()
    t = threading.Thread(target=run_import)
    t.start()
    time.sleep(0.5)  # the import is reading the file; then writing
    while t.is_alive():  # an assessor's autosave every 50 ms: its audit row, as a save writes one
        t0 = time.monotonic()
        try:
            audit_record(actor=assessor, action="autosave", entity="assessment", entity_id="1")
            out["saves"].append(time.monotonic() - t0)
        except OperationalError as exc:
            out["failed"].append(str(exc))
        time.sleep(0.05)
    t.join()
    out["chain_problems"] = [p for r in verify_all("default") for p in r.problems]
    out["stale"] = counts.counts_stale(inspection_ids=[insp.pk])[0]
    print(json.dumps(out))
""")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single write lock")
def test_on_sqlite_autosaves_get_the_write_lock_between_the_parts_of_a_large_import(tmp_path: Path) -> None:
    """A real SQLite file with a busy timeout of 2 s: an import of 600 cases (about 36,000
    answers) in parts of 1,000 answers, and an assessor saving every 50 ms meanwhile. Before,
    the import was one transaction holding the write lock for its whole write: the saves
    waited for it and failed with "database is locked"."""
    env = {**os.environ, "CASEASSESS_VAR_DIR": str(tmp_path), "CASEASSESS_SQLITE_BUSY_SECONDS": "2", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, "1000", "600"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["ok"] and out["cases"] == 600 and out["kept"], out
    assert out["failed"] == [], out["failed"][:3]
    assert len(out["saves"]) >= 5 and max(out["saves"]) < 1.5, (len(out["saves"]), max(out["saves"], default=None), out["seconds"])
    assert out["chain_problems"] == [] and out["stale"] == []


@pytest.mark.django_db
def test_the_web_answers_import_job_asks_for_parts_and_the_command_does_not(inspection: Any, users: dict[str, Any], tmp_path: Path) -> None:
    """The background job runs while people work; the command (one transaction, the
    fastest on SQLite) is an administrator's bulk load."""
    from django.core.management import call_command

    from tests.web.conftest import client_for, run_jobs
    from tests.web.test_jobs import ANSWERS, _post_answers

    asked: list[bool] = []
    real = importing._part_rows
    with mock.patch.object(importing, "_part_rows", lambda parts: asked.append(parts) or real(parts)):
        r = _post_answers(client_for(users["lead"]), inspection, ANSWERS)
        assert r.status_code == 302
        run_jobs()
        assert asked == [True]
        path = tmp_path / "answers.csv"
        path.write_bytes(ANSWERS.replace(b"W-", b"C-"))
        call_command("import_assessments", str(path), "--inspection", inspection.name, "--instrument", inspection.instrument.instrument_id, "--no-progress", verbosity=0)
        assert asked == [True, False]


@pytest.mark.django_db(transaction=True)
def test_by_default_the_web_import_is_one_transaction_and_parts_are_an_installations_choice(monkeypatch: Any) -> None:
    """All or nothing unless the installation opts in (CASEASSESS_SQLITE_IMPORT_PART_ROWS):
    a worker killed mid-way must leave the database as it was (issue 15)."""
    from django.conf import settings

    assert settings.CASEASSESS_SQLITE_IMPORT_PART_ROWS == 0 and importing.SQLITE_PART_ROWS == 0
    assert importing._part_rows(True) == 0 and importing._part_rows(False) == 0
    monkeypatch.setattr(importing, "SQLITE_PART_ROWS", 2_000)
    from django.db import connection

    assert importing._part_rows(True) == (2_000 if connection.vendor == "sqlite" else 0)
    assert importing._part_rows(False) == 0
