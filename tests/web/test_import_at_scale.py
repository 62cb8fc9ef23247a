"""Bad input at scale, the progress bar, and a kill -9 in the middle of the write: the
import is all-or-nothing however large the file, and says what is wrong within seconds."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseassess.assessments.models import Answer
from caseassess.inspections.models import Case
from caseassess.reporting.management.commands.import_assessments import TerminalProgress
from caseassess.reporting.models import FindingsCount

ROOT = Path(__file__).resolve().parents[2]
HEADER = "case_ref,question_id,answer,sentence_type,rosh_at_start,gender\n"


def big_file(path: Path, cases: int, bad_last: str | None = None) -> Path:
    """``cases`` cases of 3 answers each (mini instrument); optionally one bad row at the very end."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        for k in range(cases):
            rosh = "high" if k % 3 == 0 else "low"
            fh.write(f"BIG-{k:06d},B.4.1.1,{'yes' if k % 4 else 'no'},community_order,{rosh},{'male' if k % 2 else 'female'}\n")
            fh.write(f"BIG-{k:06d},B.4.1.6,no,,,\n")
            fh.write(f"BIG-{k:06d},D.2.2.8,yes,,,\n")
        if bad_last is not None:
            fh.write(bad_last)
    return path


def run_import(path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_one_bad_row_at_the_end_of_a_large_file_is_named_and_nothing_is_written(inspection: Any, tmp_path: Path) -> None:
    path = big_file(tmp_path / "big.csv", 40_000, bad_last="BIG-000001,B.4.1.1,perhaps,,,\n")  # 120,001 rows
    t = time.perf_counter()
    with pytest.raises(CommandError, match="1 problem"):
        run_import(path)
    refused = time.perf_counter() - t
    assert not Case.objects.filter(case_ref__startswith="BIG-").exists() and not Answer.objects.exists()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stdout=out, stderr=err)
    assert "Row 120002: answer 'perhaps' is not allowed for B.4.1.1" in err.getvalue()
    t = time.perf_counter()
    run_import(big_file(tmp_path / "good.csv", 40_000))
    imported = time.perf_counter() - t
    assert Answer.objects.count() == 120_000
    assert refused < imported * 1.5 + 1, (refused, imported)  # checking alone: no longer than an import


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF, not a CSV file"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "looks like a spreadsheet"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "contains NUL bytes"),
        (HEADER.encode(), "The file has no rows under its header"),
        (b"", "the file is empty"),
        (b"name,colour\nx,y\n", "missing column(s) case_ref, question_id, answer"),
    ],
    ids=["pdf", "xlsx", "binary", "header-only", "empty", "not-our-csv"],
)
def test_a_file_that_is_not_an_answers_csv_gets_a_clear_message_at_once(inspection: Any, tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    t = time.perf_counter()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stdout=out, stderr=err)
    assert message in err.getvalue()
    assert time.perf_counter() - t < 5


@pytest.mark.django_db
def test_a_2_gb_file_is_refused_within_seconds_without_reading_it(inspection: Any, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.write(HEADER.encode())
        fh.truncate(2 * 1024**3 + 5)  # sparse: 2 GB on paper, nothing on disk
    out, err = io.StringIO(), io.StringIO()
    t = time.perf_counter()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stdout=out, stderr=err)
    assert "huge.csv is 2.0 GB; an import reads files up to 1 GB" in err.getvalue()
    assert time.perf_counter() - t < 5


def test_the_progress_bar_shows_rows_cases_rate_and_eta_redrawn_in_place() -> None:
    out = io.StringIO()
    bar = TerminalProgress(out, tty=True)
    bar("Reading and checking", 0, 1000, rows=0, cases=0, force=True)
    bar.start -= 2  # two seconds in
    bar.phase_start -= 2
    bar("Reading and checking", 500, 1000, rows=50_000, cases=500, force=True)
    bar("Writing", 1000, 1000, rows=100_000, cases=1000, force=True)
    bar.close()
    text = out.getvalue()
    assert "\r" in text and "[##############..............]  50%" in text
    assert "50,000 rows  500 cases" in text and "rows/s" in text and "ETA    2 s" in text
    assert "Writing" in text and "100%" in text and "done" in text


def test_without_a_terminal_the_progress_is_plain_lines() -> None:
    out = io.StringIO()
    bar = TerminalProgress(out, tty=False)
    bar("Reading and checking", 10, 100, rows=10, cases=1, force=True)
    assert "\r" not in out.getvalue() and out.getvalue().endswith("\n")


def _manage(env: dict[str, str], *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, **kw)


def test_kill_9_during_the_write_leaves_the_database_exactly_as_before(tmp_path: Path) -> None:
    """A real process on a real (file) database: import once, then kill -9 a second, larger
    import in its write phase; the answers and the count table are as after the first."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"CASEASSESS_VAR_DIR": str(tmp_path / "var"), "CASEASSESS_TESTING": "1", "PYTHONUNBUFFERED": "1"})
    assert _manage(env, "migrate", "-v", "0").returncode == 0
    assert _manage(env, "load_instrument", "tests/fixtures/mini-instrument").returncode == 0
    setup = ("from caseassess.inspections.models import Inspection, Programme; from caseassess.instruments.models import InstrumentVersion; "
             "import datetime as dt; p = Programme.objects.create(name='Kill'); "
             "from caseassess.inspections.models import Area; "
             "Inspection.objects.create(programme=p, name='IAOW Testshire', area=Area.objects.create(name='Testshire'), fieldwork_start=dt.date(2013, 11, 4), "
             "fieldwork_end=dt.date(2013, 11, 8), instrument=InstrumentVersion.objects.get())")
    assert _manage(env, "shell", "-v", "0", "-c", setup).returncode == 0
    first = big_file(tmp_path / "first.csv", 2_000)
    done = _manage(env, "import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(first))
    assert done.returncode == 0, done.stderr
    count_sql = ("import hashlib; from caseassess.assessments.models import Answer; from caseassess.reporting.models import FindingsCount; "
                 "print(Answer.objects.count(), hashlib.sha256(repr(sorted(FindingsCount.objects.values_list('field', 'value', 'question_id', "
                 "'scoring', 'n'))).encode()).hexdigest())")
    before = _manage(env, "shell", "-v", "0", "-c", count_sql).stdout.split()
    assert before[0] == "6000"

    second = big_file(tmp_path / "second.csv", 30_000)  # other answers for the same cases, and many new ones
    proc = subprocess.Popen([sys.executable, "manage.py", "import_assessments", "--instrument", "mini-2013", "--inspection",
                             "IAOW Testshire", str(second)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # plain progress lines: wait for the write phase
        line = proc.stdout.readline()  # progress lines (no terminal): stdout
        seen += line
        if line.startswith("Writing"):  # printed inside the transaction, after the new cases went in
            break
        if not line and proc.poll() is not None:
            break
    assert "Writing" in seen, seen
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    after = _manage(env, "shell", "-v", "0", "-c", count_sql).stdout.split()
    assert after == before
    check = _manage(env, "rebuild_findings_counts", "--check")
    assert check.returncode == 0 and "matches the answers" in check.stdout, check.stdout + check.stderr


_ = FindingsCount  # imported for the reader: the count table is part of what must be unchanged


@pytest.mark.django_db
def test_a_dry_run_checks_the_whole_file_and_writes_nothing(inspection: Any, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", "--dry-run",
                 str(big_file(tmp_path / "ok.csv", 100)), stdout=out, stderr=err)
    assert "Checked 300 rows: no problems; nothing was written" in out.getvalue()
    assert not Case.objects.filter(case_ref__startswith="BIG-").exists()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", "--dry-run",
                     str(big_file(tmp_path / "bad.csv", 100, bad_last="BIG-000001,B.4.1.1,perhaps,,,\n")), stdout=io.StringIO(), stderr=err)
    assert "Row 302: answer 'perhaps'" in err.getvalue()
