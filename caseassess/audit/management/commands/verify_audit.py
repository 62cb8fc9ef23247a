from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from caseassess.audit import chain
from caseassess.audit.backup import BackupError, backup_check


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chains (every audit event and access log row): a changed, deleted or "
        "inserted row is reported and the command fails. With --backup, also check that nothing was cut off the "
        "end of each chain since that (signed) backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backup", type=Path, help="a backup_data file whose recorded chain ends must still be in the database")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            reports = chain.verify_all()
        except DatabaseError:
            raise CommandError("The database has no audit trail to verify yet; run manage.py setup_site (or migrate) first") from None
        problems = [p for r in reports for p in r.problems]
        total = sum(r.problem_count for r in reports)
        if opts["backup"]:
            try:
                manifest = backup_check(path=opts["backup"])
            except BackupError as exc:
                raise CommandError(str(exc)) from None
            for model in chain.audit_models():
                head = manifest.get("audit_chains", {}).get(model._meta.label_lower)
                if head and (cut := chain.extends(head, model)):
                    problems.append(cut)
                    total += 1
        for r in reports:
            state = "intact" if not r.problem_count else f"{r.problem_count} problem(s)"
            self.stdout.write(f"{r.table}: {r.rows} rows, chain {state}, last hash {r.head[:16]}…")
        if problems:
            for p in problems:
                self.stderr.write(p)
            if total > len(problems):
                self.stderr.write(f"… and {total - len(problems)} more")
            raise CommandError(f"The audit trail has been tampered with: {total} problem(s) found")
        self.stdout.write("The audit trail is intact" + (f" and extends the backup {opts['backup']}" if opts["backup"] else ""))
