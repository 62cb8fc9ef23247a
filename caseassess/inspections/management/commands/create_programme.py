"""create_programme --name NAME --start DATE --end DATE --instrument ID [--instrument ID ...]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.inspections.management.commands._setup_args import date_arg, refused
from caseassess.inspections.models import Programme
from caseassess.inspections.setup import SetupError, programme_save
from caseassess.instruments.models import InstrumentVersion


class Command(BaseCommand):
    help = ("Create an inspection programme (or change it, with --update): its period, the instrument versions "
            "its inspections may use, and an optional retention date. Audited.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--start", required=True, help="first day of the programme, e.g. 2013-04-01")
        parser.add_argument("--end", required=True, help="last day of the programme, e.g. 2017-03-31")
        parser.add_argument("--instrument", action="append", required=True, help="instrument version id (repeat for several)")
        parser.add_argument("--description", default="")
        parser.add_argument("--retention-date", default="", help="after this date case references and free text are pseudonymised")
        parser.add_argument("--update", action="store_true", help="change the programme of that name instead of refusing")

    def handle(self, *args: Any, **o: Any) -> None:
        versions = []
        for iid in o["instrument"]:
            v = InstrumentVersion.objects.filter(instrument_id=iid).first()
            if v is None:
                known = ", ".join(InstrumentVersion.objects.values_list("instrument_id", flat=True)) or "none loaded"
                raise CommandError(f"No instrument version {iid!r} (loaded: {known}); load it first with load_instrument")
            versions.append(v)
        existing = Programme.objects.filter(name=o["name"].strip()).first() if o["update"] else None
        try:
            p = programme_save(
                actor=None, programme=existing, name=o["name"], description=o["description"],
                period_start=date_arg(o["start"], "--start"), period_end=date_arg(o["end"], "--end"), instruments=versions,
                retention_date=date_arg(o["retention_date"], "--retention-date") if o["retention_date"] else None,
            )
        except SetupError as exc:
            raise refused(exc) from None
        self.stdout.write(self.style.SUCCESS(f"Programme {p.name} {'saved' if existing else 'created'} ({p.period_start} to {p.period_end})"))
