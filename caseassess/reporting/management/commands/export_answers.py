"""export_answers --programme NAME [--inspection NAME] --shape long|wide --format csv|sav --output PATH"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.audit.services import access_log
from caseassess.dbrouter import replica_reads
from caseassess.reporting import dataexchange as dx
from caseassess.reporting.management.commands.export_findings import scope
from caseassess.reporting.selectors import scope_instrument


class Command(BaseCommand):
    help = "Export the answers of counted (submitted or signed-off) assessments, one row per answer (long) or per case (wide)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True)
        parser.add_argument("--inspection", help="only this inspection of the programme")
        parser.add_argument("--shape", choices=["long", "wide"], default="long")
        parser.add_argument("--format", choices=["csv", "sav"], default="csv")
        parser.add_argument("--output", required=True, help="file to write ('-' for standard output, CSV only)")

    def handle(self, *args: Any, **opts: Any) -> None:
        with replica_reads():  # export reads may be served by the read replica (docs/deploy.md)
            self._handle(*args, **opts)

    def _handle(self, *args: Any, **opts: Any) -> None:
        _, inspections = scope(opts["programme"], opts.get("inspection"))
        ins = scope_instrument(inspections)
        out = opts["output"]
        say = (lambda msg: self.stderr.write(msg)) if out == "-" else (lambda msg: self.stdout.write(msg))
        if opts["format"] == "sav":
            if out == "-":
                raise CommandError("an SPSS file needs --output PATH")
            n = dx.write_sav(out, shape=opts["shape"], inspections=inspections, ins=ins)
        else:
            if opts["shape"] == "long":
                header, rows = list(dx.LONG_COLUMNS), dx.long_rows(inspections=inspections)
            else:
                details, questions = dx.wide_columns(ins)
                header, rows = [*dx.CASE_COLUMNS, *details, *questions], dx.wide_rows(inspections=inspections, ins=ins)
            if out == "-":
                n = dx.write_csv(self.stdout, header, rows)
            else:
                try:
                    with open(out, "w", encoding="utf-8", newline="") as fh:
                        n = dx.write_csv(fh, header, rows, progress=say)
                except OSError as exc:
                    raise CommandError(str(exc)) from None
        access_log(user=None, kind="export", path=f"manage.py export_answers {opts['programme']} {opts['shape']} {opts['format']}"[:300])
        say(f"Wrote {n:,} {'answers' if opts['shape'] == 'long' else 'cases'} to {out}")
