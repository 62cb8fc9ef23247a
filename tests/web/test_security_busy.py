"""Issue 14, item 2 (the database half): SQLite runs in WAL mode with a busy timeout
shorter than the request timeout, a busy database answers "try again" (503) instead of a
500, and a backup reads a consistent snapshot without blocking writers. SQLite and
PostgreSQL (the real-lock test is SQLite's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection, connections

from caseassess.assessments import services
from caseassess.audit.backup import backup_read, backup_write
from caseassess.audit.models import AuditEvent
from caseassess.audit.services import audit_record
from tests.web.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_TIMEOUT = 30  # gunicorn's default request timeout (docs/security.md, production command)


def test_sqlite_is_set_to_wal_with_a_busy_timeout_shorter_than_the_request_timeout() -> None:
    from config import settings as config

    if config.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        options = config.DATABASES["default"]["OPTIONS"]
        assert "journal_mode=WAL" in options["init_command"]
        assert 0 < options["timeout"] < GUNICORN_TIMEOUT / 2


@pytest.mark.django_db
def test_a_locked_database_answers_try_again_with_503_not_500(assessment: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    def locked(**kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "assessment_save_section", locked)
    c = client_for(users["assessor"])
    url = f"/assessments/{assessment.pk}/sections/B.4.1/"
    r = c.post(url, {"q-B.4.1.1": "yes", "client_stamp": "1"})
    assert r.status_code == 503 and r["Retry-After"] == "10"
    html = r.content.decode()
    assert "Sorry, the service is busy" in html and "govuk-template" in html and "Nothing was saved" in html
    r = c.post(url, {"q-B.4.1.1": "yes", "client_stamp": "2", "autosave": "1"}, headers={"HX-Request": "true"})
    assert r.status_code == 503 and "Not saved automatically" in r.content.decode() and "<html" not in r.content.decode()


@pytest.mark.django_db
def test_a_database_busy_outside_the_view_also_answers_503_and_other_errors_the_govuk_500_page(assessment: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    c = client_for(users["assessor"])
    c.raise_request_exception = False
    monkeypatch.setattr(SessionStore, "save", lambda self, must_create=False: (_ for _ in ()).throw(OperationalError("database is locked")))
    r = c.get(f"/assessments/{assessment.pk}/")
    assert r.status_code == 503 and "Sorry, the service is busy" in r.content.decode()
    monkeypatch.setattr(SessionStore, "save", lambda self, must_create=False: (_ for _ in ()).throw(RuntimeError("boom")))
    r = c.get(f"/assessments/{assessment.pk}/")
    assert r.status_code == 500 and "Sorry, there is a problem with the service" in r.content.decode()


SCRIPT = textwrap.dedent("""
    import json, sqlite3, sys, time
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from caseassess.accounts.models import User
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(username="assessor", password="a-long-test-password-2013")
    c = Client(raise_request_exception=False)
    c.force_login(user)
    out = {"journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]}
    connection.close()
    other = sqlite3.connect(sys.argv[1], isolation_level=None)
    other.execute("BEGIN")  # a long reader (a backup, a report): in WAL mode writers go on
    other.execute("SELECT COUNT(*) FROM accounts_user").fetchone()
    out["write_beside_reader"] = c.post("/account/keep-alive/").status_code
    other.execute("COMMIT")
    other.execute("BEGIN IMMEDIATE")  # a long writer (an import) holds the write lock
    start = time.monotonic()
    r = c.post("/account/keep-alive/")
    out["locked"] = [r.status_code, round(time.monotonic() - start, 2), r.content.decode()]
    other.execute("ROLLBACK")
    print(json.dumps(out))
""")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_a_real_sqlite_lock_beyond_the_busy_timeout_answers_503_quickly_and_a_reader_blocks_no_one(tmp_path: Path) -> None:
    env = {**os.environ, "CASEASSESS_VAR_DIR": str(tmp_path), "CASEASSESS_SQLITE_BUSY_SECONDS": "1", "DJANGO_DEBUG": "0",
           "DJANGO_SECRET_KEY": "x" * 60, "CASEASSESS_REQUIRE_2FA": "0", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("CASEASSESS_TESTING", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "caseassess.sqlite3")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["journal_mode"] == "wal"
    assert out["write_beside_reader"] in (200, 302)  # the session was saved beside the open reader
    status, seconds, html = out["locked"]
    assert status == 503 and "Sorry, the service is busy" in html
    assert seconds < 5  # the busy timeout (1 s here), not the 30 s request timeout


@pytest.mark.django_db(transaction=True)
def test_a_backup_reads_one_snapshot_and_writers_go_on_while_it_runs(assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    audit_record(actor=users["lead"], action="before_backup", entity="test")
    before = AuditEvent.objects.count()
    written: dict[str, Any] = {}

    def writer() -> None:
        try:
            start = time.monotonic()
            audit_record(actor=users["lead"], action="during_backup", entity="test")
            written["seconds"] = time.monotonic() - start
        except Exception as exc:  # noqa: BLE001 - reported below
            written["error"] = repr(exc)
        finally:
            connections.close_all()

    def during() -> None:  # runs once the snapshot is taken, before the rows are read
        t = threading.Thread(target=writer)
        t.start()
        t.join(timeout=20)

    manifest = backup_write(path=tmp_path / "backup.jsonl", during=during)
    assert "error" not in written and written["seconds"] < 2  # the writer was not blocked
    assert AuditEvent.objects.count() == before + 1
    assert manifest["models"]["audit.auditevent"]["count"] == before  # the snapshot: as it was when taken
    _, records = backup_read(path=tmp_path / "backup.jsonl")
    actions = [r["fields"]["action"] for r in records if r["model"] == "audit.auditevent"]
    assert "before_backup" in actions and "during_backup" not in actions


@pytest.mark.django_db(transaction=True)
def test_a_backup_streams_rows_in_chunks(assessment: Any, users: dict[str, Any], tmp_path: Path, monkeypatch: Any) -> None:
    """Constant memory: rows are read CHUNK at a time and written as lines, never all at once."""
    from caseassess.audit import backup

    for k in range(25):
        audit_record(actor=users["lead"], action=f"row {k}", entity="test")
    monkeypatch.setattr(backup, "CHUNK", 10)
    sizes: list[int] = []
    real = backup.serializers.serialize

    def counting(fmt: str, objects: Any, **kw: Any) -> Any:
        objects = list(objects)
        sizes.append(len(objects))
        return real(fmt, objects, **kw)

    monkeypatch.setattr(backup.serializers, "serialize", counting)
    call_command("backup_data", str(tmp_path / "b.jsonl"), verbosity=0)
    assert max(sizes) == 10 and sum(sizes) > 25
    lines = (tmp_path / "b.jsonl").read_bytes().splitlines()
    assert json.loads(lines[0])["header"]["format"] == "caseassess-backup" and "manifest" in json.loads(lines[-1])
    assert settings.CASEASSESS_BACKUP_KEY.encode() not in (tmp_path / "b.jsonl").read_bytes()
