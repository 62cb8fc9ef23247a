from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.instruments.services import instrument_load
from caseassess_core.instrument.loader import InstrumentError


class Command(BaseCommand):
    help = "Load an instrument version (a directory with instrument.yaml, or the file itself)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            outcome = instrument_load(path=opts["path"])
        except InstrumentError as exc:
            raise CommandError(f"Instrument not loaded ({len(exc.problems)} problem(s)):\n{exc}") from None
        v = outcome.version
        if outcome.created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {v.instrument_id} ({v.title}), checksum {v.checksum[:12]}"))
        else:
            self.stdout.write(f"{v.instrument_id} is already loaded with the same content; nothing to do")
