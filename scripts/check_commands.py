#!/usr/bin/env python3
"""Every management command on a fresh checkout: ``--help``, and one real invocation, each
on a fresh, unmigrated SQLite database with nothing set in the environment but PATH and
CASEASSESS_VAR_DIR (a new temporary directory, so the developer's var/ is never touched).
Fails on any traceback, on a failure without a message, and on a database error shown
raw instead of "run manage.py setup_site" (issue 12).

    .venv/bin/python scripts/check_commands.py        (scripts/test.sh runs it)

Commands of this project get a real invocation (the arguments below, or none: argparse
then names what is missing); Django's and the libraries' get the safe ones listed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

# A real invocation per command: "{tmp}" is the command's own temporary directory.
INVOCATIONS: dict[str, list[str]] = {
    "validate_instrument": ["instruments/iaow-2013-10"],
    "load_instrument": ["instruments/iaow-2013-10"],
    "load_demo": [],
    "setup_site": ["--username", "admin", "--email", "admin@example.gov.uk", "--no-input"],
    "create_user": ["someone", "--role", "analyst"],
    "deactivate_user": ["someone"],
    "reset_two_factor": ["someone"],
    "backup_data": ["{tmp}/backup.json"],
    "restore_data": ["{tmp}/no-such-backup.json"],
    "verify_audit": [],
    "grant_app_role": ["caseassess_app"],
    "explain_rules": ["--case", "CASE-1"],
    "import_assessments": ["--instrument", "iaow-2013-10", "--inspection", "Nowhere", "{tmp}/no-such.csv"],
    "export_findings": [
        "--programme",
        "Nothing",
        "--by",
        "gender",
        "--format",
        "csv",
        "--output",
        "{tmp}/findings.csv",
    ],
    "export_answers": ["--programme", "Nothing", "--shape", "long", "--format", "csv", "--output", "{tmp}/answers.csv"],
    "draw_sample": ["--inspection", "Nowhere", "--seed", "1"],
    "rebuild_findings_counts": ["--check"],
    "draft_crosswalk": ["tests/fixtures/mini-instrument", "tests/fixtures/mini-instrument-2014", "--output", "-"],
    "export_openapi": ["{tmp}/openapi.json"],
    # Django's and the libraries' commands that are safe to run for real
    "check": [],
    "showmigrations": [],
    "migrate": ["--plan"],
    "clearsessions": [],
    "diffsettings": [],
    "axes_list_attempts": [],
}
# Commands expected to succeed on an empty database with nothing set.
MUST_SUCCEED = {
    "validate_instrument", "setup_site", "check", "showmigrations", "migrate", "diffsettings", "draft_crosswalk",
    "export_openapi",
}
NEVER_RUN = {  # interactive, long-running, or writing into the checkout: --help only
    "runserver",
    "testserver",
    "shell",
    "dbshell",
    "test",
    "flush",
    "makemigrations",
    "squashmigrations",
    "optimizemigration",
    "startapp",
    "startproject",
    "makemessages",
    "compilemessages",
    "createsuperuser",
    "changepassword",
    "collectstatic",
    "sendtestemail",
    "loaddata",
    "dumpdata",
    "inspectdb",
    "sqlflush",
    "sqlmigrate",
    "sqlsequencereset",
    "findstatic",
    "createcachetable",
    "remove_stale_contenttypes",
    "db_worker",
}
RAW_ERRORS = (
    "Traceback (most recent call last)",
    "django.db.utils",
    "OperationalError",
    "ProgrammingError",
    "ImproperlyConfigured",
)


@dataclass(frozen=True)
class Outcome:
    command: str
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    def problems(self) -> list[str]:
        out = []
        text = self.stdout + self.stderr
        for raw in RAW_ERRORS:
            if raw in text:
                out.append(f"shows {raw!r}")
        if self.returncode != 0 and not self.stderr.strip():
            out.append("fails without saying why")
        if self.returncode != 0:
            lines = [ln for ln in self.stderr.strip().splitlines() if ln.strip() and not ln.startswith(("usage:", " "))]
            if len(lines) > 1 and not lines[0].startswith("CommandError") and "problem" not in lines[0]:
                out.append(f"says more than one line: {lines[:3]}")
        if self.argv[-1] == "--help" and self.returncode != 0:
            out.append("--help fails")
        if self.command in MUST_SUCCEED and self.argv[-1] != "--help" and self.returncode != 0:
            out.append("should work on an empty database")
        return out

    def describe(self) -> str:
        head = f"manage.py {' '.join(self.argv)} (exit {self.returncode})"
        return f"{head}\n--- stdout\n{self.stdout[-1500:]}\n--- stderr\n{self.stderr[-1500:]}"


def run(argv: list[str], *, timeout: int = 300) -> Outcome:
    """``manage.py argv`` with an empty environment and a fresh, empty database."""
    with tempfile.TemporaryDirectory(prefix="caseassess-cmd-") as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CASEASSESS_VAR_DIR": tmp, "LANG": "C.UTF-8"}
        args = [a.replace("{tmp}", tmp) for a in argv]
        p = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return Outcome(argv[0], args, p.returncode, p.stdout, p.stderr)


def commands() -> list[str]:
    listing = run(["help", "--commands"])
    if listing.returncode != 0 or "Traceback" in listing.stderr:
        raise SystemExit("manage.py help --commands failed:\n" + listing.describe())
    return sorted(listing.stdout.split())


def project_commands() -> set[str]:
    return {p.stem for p in ROOT.glob("caseassess/*/management/commands/*.py") if not p.stem.startswith("_")}


HELP_DRIVER = """
import sys, traceback
from config.cli import run
for name in sys.argv[1:]:
    for stream in (sys.stdout, sys.stderr):
        print("@@@ " + name, file=stream, flush=True)
    code = 0
    try:
        run(["manage.py", name, "--help"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    print("@@@ exit %d" % code, flush=True)
"""


def helps(names: list[str], *, timeout: int = 600) -> list[Outcome]:
    """``manage.py NAME --help`` for every command, in one process (the same empty
    environment and fresh database): one interpreter start instead of one per command."""
    with tempfile.TemporaryDirectory(prefix="caseassess-cmd-") as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CASEASSESS_VAR_DIR": tmp, "LANG": "C.UTF-8"}
        p = subprocess.run(
            [PYTHON, "-c", HELP_DRIVER, *names],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    outs = dict(_split(p.stdout))
    errs = dict(_split(p.stderr))
    result = []
    for name in names:
        body = outs.get(name)
        if body is None:  # the driver itself died before this command
            result.append(Outcome(name, [name, "--help"], p.returncode or 1, p.stdout[-500:], p.stderr[-1500:]))
            continue
        text, _, code = body.rpartition("@@@ exit ")
        result.append(Outcome(name, [name, "--help"], int(code.strip() or 1), text, errs.get(name, "")))
    return result


def _split(text: str) -> list[tuple[str, str]]:
    parts = text.split("@@@ ")
    out = []
    for part in parts[1:]:
        if part.startswith("exit "):
            if out:
                out[-1] = (out[-1][0], out[-1][1] + "@@@ " + part)
            continue
        name, _, body = part.partition("\n")
        out.append((name.strip(), body))
    return out


def invocations(names: Iterable[str]) -> list[list[str]]:
    """One real invocation of each of this project's commands and of the safe others."""
    ours = project_commands()
    return [
        [name, *INVOCATIONS.get(name, [])]
        for name in names
        if name not in NEVER_RUN and (name in INVOCATIONS or name in ours)
    ]


def check_all(workers: int = 2) -> list[tuple[Outcome, list[str]]]:
    names = commands()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = pool.map(run, invocations(names))
        outcomes = helps(names) + list(runs)
    return [(o, o.problems()) for o in outcomes]


def main() -> int:
    results = check_all()
    bad = [(o, p) for o, p in results if p]
    for o, problems in bad:
        print(f"FAIL {'; '.join(problems)}\n{o.describe()}\n")
    fine = len(results) - len(bad)
    print(f"{len(results)} runs on a fresh, unmigrated database, nothing set: {fine} fine, {len(bad)} failing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
