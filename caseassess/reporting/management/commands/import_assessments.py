"""import_assessments --instrument ID --inspection NAME FILE.csv"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.reporting.dataexchange import DataExchangeError, assessments_import_file, import_target


class Command(BaseCommand):
    help = ("Import case assessments from a long CSV (case_ref, question_id, answer, optional case-detail columns, "
            "area, fieldwork_date). All-or-nothing: every bad row is listed and nothing is written.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8)")
        parser.add_argument("--instrument", required=True, help="instrument version id, e.g. iaow-2013-10")
        parser.add_argument("--inspection", required=True, help="name of an existing inspection that uses that instrument")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            inspection = import_target(instrument=opts["instrument"], inspection=opts["inspection"])
            result = assessments_import_file(inspection=inspection, actor=None, path=opts["file"],
                                             progress=lambda msg: self.stdout.write(msg))
        except (DataExchangeError, OSError) as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            for line in result.errors:
                self.stderr.write(line)
            more = result.error_count - len(result.errors)
            if more > 0:
                self.stderr.write(f"... and {more:,} more")
            raise CommandError(f"{result.error_count:,} problem(s) in {opts['file']}; nothing was imported")
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.rows:,} rows into {inspection.name}: {result.cases_created:,} new cases, "
            f"{result.cases_updated:,} cases with changed details, {result.answers_created:,} new answers, "
            f"{result.answers_updated:,} changed answers, {result.answers_unchanged:,} unchanged"
        ))
