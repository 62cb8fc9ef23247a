from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess_core.instrument.loader import InstrumentError, load_instrument
from caseassess_core.ratings import RatingSchemeError, load_rating_scheme


class Command(BaseCommand):
    help = "Check an instrument file without loading it; lists every problem as file:line: path: message."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            loaded = load_instrument(opts["path"])
        except InstrumentError as exc:
            raise CommandError(f"{len(exc.problems)} problem(s):\n{exc}") from None
        ins = loaded.instrument
        ratings = Path(loaded.files[0]).parent / "ratings.yaml"
        scheme_note = ""
        if ratings.is_file():
            try:
                scheme = load_rating_scheme(ratings, ins)
            except RatingSchemeError as exc:
                raise CommandError(f"{len(exc.problems)} problem(s):\n{exc}") from None
            scheme_note = f"; rating scheme {scheme.id} version {scheme.version}: {len(scheme.units)} rated units"
        self.stdout.write(
            self.style.SUCCESS(
                f"{ins.id}: valid — {len(ins.views)} views, {len(ins.sections())} sections, "
                f"{len(ins.questions())} questions, {len(ins.case_details)} case-detail fields, "
                f"{len(ins.consistency_rules)} consistency rules, {len(ins.tables)} tables{scheme_note}"
            )
        )
