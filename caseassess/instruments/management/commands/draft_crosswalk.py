"""draft_crosswalk EARLIER LATER [--output PATH]: a first draft of the question crosswalk between
two instrument versions (directories or instrument.yaml files), to check and edit by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess_core.findings.trends import crosswalk_filename, draft_crosswalk
from caseassess_core.instrument.loader import InstrumentError, load_instrument


class Command(BaseCommand):
    help = ("Draft the crosswalk from an earlier instrument version to a later one (same ids map to themselves, "
            "same wording is taken as a renumbering, the rest is new or dropped). Check it by hand before use.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("earlier", help="the earlier instrument directory, e.g. instruments/iaow-2013-10")
        parser.add_argument("later", help="the later instrument directory")
        parser.add_argument("--output", help="file to write (default: crosswalk-from-<earlier>.yaml beside the later "
                                             "instrument; '-' for standard output). An existing file is never overwritten.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            earlier = load_instrument(opts["earlier"]).instrument
            later_loaded = load_instrument(opts["later"])
        except InstrumentError as exc:
            raise CommandError(f"{len(exc.problems)} problem(s):\n{exc}") from None
        later = later_loaded.instrument
        text = draft_crosswalk(earlier, later)
        out = opts.get("output") or str(Path(later_loaded.files[0]).parent / crosswalk_filename(earlier.id))
        if out == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(out)
        if path.exists():
            raise CommandError(f"{path} exists; edit it, or give --output for a new draft")
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote a draft crosswalk {earlier.id} -> {later.id} to {path}: check every line, "
                          "then remove the DRAFT line")
