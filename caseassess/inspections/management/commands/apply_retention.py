"""apply_retention [--dry-run]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caseassess.inspections.retention import retention_apply


class Command(BaseCommand):
    help = ("Pseudonymise the case references and free text of every programme whose retention date has passed "
            "(answers and counts are kept, so findings reproduce). Audited; --dry-run shows what would change and writes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="report what would be pseudonymised; change nothing")

    def handle(self, *args: Any, **o: Any) -> None:
        plans = retention_apply(dry_run=o["dry_run"])
        if not plans:
            self.stdout.write("No programme is past its retention date and not yet pseudonymised; nothing to do")
            return
        verb = "Would pseudonymise" if o["dry_run"] else "Pseudonymised"
        for p in plans:
            self.stdout.write(
                f"{verb} {p.programme} (retention date {p.retention_date:%-d %B %Y}): {p.case_refs} case references, "
                f"{p.caseload_rows} references in caseload uploads, {p.comments} answer comments, {p.text_answers} free-text answers, "
                f"{p.text_details} free-text case details, {p.explanations} explanations, {p.return_reasons} return reasons, "
                f"{p.moderation_reasons} moderation reasons"
            )
        if o["dry_run"]:
            self.stdout.write("Dry run: nothing was changed")
