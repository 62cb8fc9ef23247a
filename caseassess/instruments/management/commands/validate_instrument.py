from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess_core.findings.trends import CrosswalkError, load_crosswalk
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
        for crosswalk in sorted(ratings.parent.glob("crosswalk-from-*.yaml")):
            earlier_id = crosswalk.name.removeprefix("crosswalk-from-").removesuffix(".yaml")
            sibling = ratings.parent.parent / earlier_id
            if not (sibling / "instrument.yaml").is_file():
                scheme_note += f"; {crosswalk.name} not checked ({earlier_id} is not in {ratings.parent.parent})"
                continue
            try:
                earlier = load_instrument(sibling).instrument
                cw = load_crosswalk(crosswalk, earlier, ins)
            except (InstrumentError, CrosswalkError) as exc:
                raise CommandError(f"{len(exc.problems)} problem(s):\n{exc}") from None
            scheme_note += f"; crosswalk from {earlier_id}: {len(cw.pairs)} questions, {len(cw.dropped)} dropped"
        self.stdout.write(
            self.style.SUCCESS(
                f"{ins.id}: valid — {len(ins.views)} views, {len(ins.sections())} sections, "
                f"{len(ins.questions())} questions, {len(ins.case_details)} case-detail fields, "
                f"{len(ins.consistency_rules)} consistency rules, {len(ins.tables)} tables{scheme_note}"
            )
        )
