"""First run from nothing (issue 12 item 1 and the command-line check): setup_site, commands
on an unconfigured checkout and an unmigrated database, and /healthz (item 9)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import check_commands  # noqa: E402


def bare(argv: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """manage.py with nothing set but PATH and a fresh CASEASSESS_VAR_DIR."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CASEASSESS_VAR_DIR": str(tmp_path), **env}
    return subprocess.run([check_commands.PYTHON, "manage.py", *argv], cwd=ROOT, env=base, capture_output=True, text=True, timeout=300, check=False)


# --- the command-line check (also run by scripts/test.sh) ------------------------------


def test_every_command_helps_and_runs_on_a_fresh_unmigrated_database_with_nothing_set_without_a_traceback() -> None:
    results = check_commands.check_all()
    ran = {o.command for o, _ in results if o.argv[-1] != "--help"}
    # Project commands are run for real, except the ones that must never run here (flush is the
    # audit app's guarded override of Django's: --help only).
    assert check_commands.project_commands() - check_commands.NEVER_RUN <= ran
    assert {"setup_site", "create_user", "deactivate_user", "reset_two_factor", "validate_instrument"} <= ran
    bad = [f"{'; '.join(p)}\n{o.describe()}" for o, p in results if p]
    assert not bad, "\n\n".join(bad)
    by_argv = {" ".join(o.argv[:1]): o for o, _ in results if o.argv[-1] != "--help"}
    for name in ("load_demo", "create_user", "backup_data", "export_findings"):
        assert by_argv[name].stderr.strip() == check_commands_hint(), name


def check_commands_hint() -> str:
    from config.cli import SETUP_HINT

    return SETUP_HINT


def test_the_check_itself_fails_on_a_traceback() -> None:
    broken = check_commands.Outcome("x", ["x"], 1, "", 'Traceback (most recent call last):\n  File "x"\nOperationalError: no such table: y')
    assert broken.problems()
    assert not check_commands.Outcome("x", ["x"], 1, "", "The database has no tables yet: run it").problems()
    assert check_commands.Outcome("x", ["x", "--help"], 1, "", "nope").problems()


def test_the_one_process_help_run_attributes_each_failure_to_its_command() -> None:
    got = {o.command: o for o in check_commands.helps(["check", "no_such_command", "setup_site"])}
    assert got["check"].returncode == 0 and "usage: manage.py check" in got["check"].stdout and not got["check"].problems()
    assert got["no_such_command"].returncode == 1 and "--help fails" in got["no_such_command"].problems()
    assert "usage: manage.py setup_site" in got["setup_site"].stdout and not got["setup_site"].problems()


def test_without_a_secret_key_the_web_server_says_what_to_set_in_one_line(tmp_path: Path) -> None:
    r = bare(["runserver", "127.0.0.1:8103", "--noreload"], tmp_path)
    assert r.returncode == 1 and r.stderr.strip().splitlines() == ["Set DJANGO_SECRET_KEY to a long random value (or DJANGO_DEBUG=1 for development on this machine)."]
    w = subprocess.run([check_commands.PYTHON, "-c", "import config.wsgi"], cwd=ROOT, env={"PATH": os.environ["PATH"], "CASEASSESS_VAR_DIR": str(tmp_path)},
                       capture_output=True, text=True, timeout=120, check=False)
    assert w.returncode == 1 and "Traceback" not in w.stderr and "DJANGO_SECRET_KEY" in w.stderr


def test_a_malformed_database_url_is_one_line(tmp_path: Path) -> None:
    r = bare(["check"], tmp_path, DATABASE_URL="nonsense://")
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "DATABASE_URL" in r.stderr


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    r = bare(["load_demo"], tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Check DATABASE_URL" in r.stderr


def test_postgresql_missing_relations_count_as_an_unmigrated_database() -> None:
    from config.cli import missing_tables

    assert missing_tables(Exception('relation "instruments_instrumentversion" does not exist\nLINE 1: SELECT ...'))
    assert missing_tables(Exception("no such table: instruments_instrumentversion"))
    assert not missing_tables(Exception("connection refused"))


def test_a_database_behind_the_code_says_run_migrate(tmp_path: Path) -> None:
    assert bare(["setup_site", "--username", "chief", "--no-input"], tmp_path).returncode == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "caseassess.sqlite3") as db:
        db.execute("ALTER TABLE accounts_user DROP COLUMN role")  # as if a migration were not applied
    r = bare(["create_user", "someone"], tmp_path)
    assert r.returncode == 1 and r.stderr.strip().splitlines() == [
        "The database is older than this version of caseassess: run `python manage.py migrate` (docs/deploy.md, Upgrade)."]


def test_setup_site_asks_for_the_administrator_in_a_terminal(monkeypatch: Any, db: Any) -> None:
    from caseassess.accounts.models import User

    answers = iter(["the.chief\n", "chief@example.gov.uk\n"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdin, "readline", lambda: next(answers), raising=False)
    out = StringIO()
    call_command("setup_site", stdout=out)
    assert "Administrator's username: " in out.getvalue() and "/account/welcome/" in out.getvalue()
    assert User.objects.get(username="the.chief").email == "chief@example.gov.uk"


def test_setup_site_from_nothing_then_again_is_idempotent(tmp_path: Path) -> None:
    first = bare(["setup_site", "--username", "chief", "--email", "chief@example.gov.uk", "--site-url", "https://ca.example"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Instrument iaow-2013-10: loaded" in first.stdout
    link = re.search(r"https://ca\.example/account/welcome/\S+/", first.stdout)
    assert link, first.stdout
    again = bare(["setup_site", "--no-input"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already loaded" in again.stdout and "chief: exists" in again.stdout
    assert "Traceback" not in first.stderr + again.stderr
    counted = bare(["shell", "--no-imports", "-c", "from caseassess.accounts.models import User, Invitation; from caseassess.instruments.models import InstrumentVersion; "
                    "print(User.objects.count(), Invitation.objects.filter(used_at=None).count(), InstrumentVersion.objects.count())"], tmp_path)
    assert counted.stdout.split() == ["1", "1", "1"], counted.stderr


@pytest.mark.django_db
def test_setup_site_creates_the_administrator_once_and_stops_offering_links_once_they_have_signed_in() -> None:
    from caseassess.accounts.models import Invitation, User

    out = StringIO()
    call_command("setup_site", "--username", "chief", "--no-input", stdout=out)
    chief = User.objects.get(username="chief")
    assert chief.role == "administrator" and not chief.has_usable_password()
    assert "/account/welcome/" in out.getvalue()
    chief.set_password("a-long-test-password-2013")
    chief.save()
    links = list(Invitation.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("setup_site", "--no-input", stdout=out)
    assert "already set up" in out.getvalue() and "/account/welcome/" not in out.getvalue()
    assert User.objects.count() == 1 and list(Invitation.objects.values_list("pk", flat=True)) == links
    out = StringIO()
    call_command("setup_site", "--no-input", "--new-link", stdout=out)
    assert "/account/welcome/" in out.getvalue()


@pytest.mark.django_db
def test_setup_site_without_a_username_says_how_to_give_one() -> None:
    with pytest.raises(CommandError, match="--username"):
        call_command("setup_site", "--no-input", stdout=StringIO())


@pytest.mark.django_db
def test_setup_site_refuses_an_existing_account_that_is_not_an_administrator(users: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="not an active administrator"):
        call_command("setup_site", "--username", "assessor", "--no-input", stdout=StringIO())


# --- /healthz ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_without_sign_in_when_database_migrations_and_instruments_are_fine() -> None:
    r = Client().get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "instruments": "ok"}}
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_instrument_files_are_missing_and_says_nothing_else(settings: Any, tmp_path: Path) -> None:
    settings.INSTRUMENTS_DIR = tmp_path / "gone"
    r = Client().get("/healthz")
    assert r.status_code == 503 and r.json()["checks"]["instruments"] == "failing"
    assert str(tmp_path) not in r.content.decode()


@pytest.mark.django_db
def test_healthz_is_503_when_migrations_are_pending(monkeypatch: Any) -> None:
    import config.health as health

    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [("accounts", "9999_pending")])
    r = Client().get("/healthz")
    assert r.status_code == 503 and r.json()["checks"]["migrations"] == "failing"


def test_healthz_is_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    code = "from django.test import Client; r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    r = bare(["shell", "--no-imports", "-c", code], tmp_path, DATABASE_URL="postgres://nobody:secretpw@127.0.0.1:1/none", DJANGO_SECRET_KEY="k" * 50)
    assert r.stdout.startswith("503 "), r.stdout + r.stderr
    assert '"database": "failing"' in r.stdout and "secretpw" not in r.stdout and "127.0.0.1" not in r.stdout


# --- scripts/serve.sh refuses to start half-configured (CI starts it for real) -------------


@pytest.mark.parametrize(("env", "says"), [
    ({}, "Set DJANGO_SECRET_KEY"),
    ({"DJANGO_SECRET_KEY": "k" * 50}, "Set DJANGO_ALLOWED_HOSTS"),
])
def test_serve_sh_names_the_missing_setting_in_one_line_and_starts_nothing(env: dict[str, str], says: str, tmp_path: Path) -> None:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CASEASSESS_VAR_DIR": str(tmp_path), **env}
    r = subprocess.run(["bash", "scripts/serve.sh"], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1 and says in r.stderr
    assert not (tmp_path / "caseassess.sqlite3").exists()  # not even migrated
