from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.inspections.models import Case
from caseassess.inspections.selectors import area_tiering_overrides
from caseassess.instruments.selectors import instrument_get
from caseassess_core.rules import explain
from caseassess_core.rules.base import label


class Command(BaseCommand):
    help = (
        "Print every decision-aid rule's result for a case, with the reasons that fired: dates and counts"
        " from the case details, and the area's local determination of tiering rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", required=True, help="case reference")
        parser.add_argument("--inspection", help="inspection name (needed when the reference is in several)")

    def handle(self, *args: Any, **opts: Any) -> None:
        cases = Case.objects.filter(case_ref=opts["case"]).select_related("inspection", "inspection__instrument")
        if opts["inspection"]:
            cases = cases.filter(inspection__name=opts["inspection"])
        found = list(cases)
        if not found:
            raise CommandError(f"No case {opts['case']!r}" + (f" in {opts['inspection']!r}" if opts["inspection"] else ""))
        if len(found) > 1:
            names = ", ".join(c.inspection.name for c in found)
            raise CommandError(f"Case {opts['case']!r} is in several inspections ({names}); add --inspection")
        case = found[0]
        ins = instrument_get(version=case.inspection.instrument)
        overrides = area_tiering_overrides(inspection=case.inspection, ins=ins)
        self.stdout.write(f"Case {case.case_ref} ({case.inspection.name}, {ins.id})\n")
        if overrides:
            chosen = ", ".join(f"{row} -> {label(tier)}" for row, tier in sorted(overrides.items()))
            self.stdout.write(f"Local determination of tiering in {case.inspection.area}: {chosen}\n")
        self.stdout.write("\n" + explain(dict(case.details), ins, local_overrides=overrides or None))
