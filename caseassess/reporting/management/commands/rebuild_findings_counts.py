"""rebuild_findings_counts [--programme NAME] [--inspection NAME] [--check]"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.inspections.models import Inspection
from caseassess.reporting.counts import counts_ensure, counts_rebuild, fields_for
from caseassess.reporting.selectors import answer_counts, answer_counts_live, case_counts, case_counts_live


class Command(BaseCommand):
    help = ("Rebuild the findings count table from the answers (every inspection, or one programme or inspection), "
            "or with --check compare the table with the answers and exit 1 on any difference.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="only the inspections of this programme")
        parser.add_argument("--inspection", help="only this inspection")
        parser.add_argument("--check", action="store_true", help="compare, do not rebuild (counts whose state is stale are rebuilt first)")

    def handle(self, *args: Any, **opts: Any) -> None:
        qs = Inspection.objects.order_by("fieldwork_start", "name")
        if opts.get("programme"):
            qs = qs.filter(programme__name=opts["programme"])
        if opts.get("inspection"):
            qs = qs.filter(name=opts["inspection"])
        inspections = list(qs)
        if not inspections:
            scope = " and ".join(f"{k} {opts[k]!r}" for k in ("programme", "inspection") if opts.get(k))
            raise CommandError(f"no inspection matches {scope}" if scope else "there are no inspections")
        if opts["check"]:
            self._check(inspections)
            return
        for insp in inspections:
            t = time.perf_counter()
            rows = counts_rebuild(inspection_id=insp.pk)
            self.stdout.write(f"{insp.name}: {rows:,} count rows in {time.perf_counter() - t:.1f} s")

    def _check(self, inspections: list[Inspection]) -> None:
        stale = counts_ensure(inspection_ids=[i.pk for i in inspections])
        if stale:
            self.stdout.write(f"rebuilt {len(stale)} inspection(s) whose answers had changed since their counts were built")
        problems = 0
        fields = fields_for([i.pk for i in inspections])
        for insp in inspections:
            counted = fields[insp.pk]
            for by in (None, "area", *counted):
                table = sorted(answer_counts(inspections=[insp], by=by), key=repr)
                live = sorted(answer_counts_live(inspections=[insp], by=by), key=repr)
                if table != live:
                    problems += 1
                    diff = sorted(set(table) ^ set(live), key=repr)[:5]
                    self.stderr.write(f"{insp.name}: counts by {by or 'all cases'} differ from the answers, e.g. {diff}")
            if sorted(case_counts(inspections=[insp], fields=counted), key=repr) != sorted(case_counts_live(inspections=[insp], fields=counted), key=repr):
                problems += 1
                self.stderr.write(f"{insp.name}: case counts differ from the cases")
        if problems:
            raise CommandError(f"{problems} difference(s); run rebuild_findings_counts to rebuild the table", returncode=1)
        self.stdout.write(f"The findings count table matches the answers of {len(inspections)} inspection(s).")
