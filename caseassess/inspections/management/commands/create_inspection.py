"""create_inspection --programme NAME --name NAME --area NAME --start DATE --end DATE --instrument ID [--lead USERNAME]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.accounts.models import User
from caseassess.inspections.management.commands._setup_args import date_arg, refused
from caseassess.inspections.models import Area, Programme
from caseassess.inspections.setup import SetupError, inspection_save
from caseassess.instruments.models import InstrumentVersion


class Command(BaseCommand):
    help = ("Create an inspection in a programme: its area, fieldwork dates (within the programme's period), "
            "instrument version (one the programme allows) and lead inspector. Audited.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="name of an existing programme (create_programme)")
        parser.add_argument("--name", required=True, help="e.g. IAOW Cumbria")
        parser.add_argument("--area", required=True, help="name of an existing area (create_area)")
        parser.add_argument("--start", required=True, help="first day of fieldwork, e.g. 2013-11-04")
        parser.add_argument("--end", required=True, help="last day of fieldwork")
        parser.add_argument("--instrument", required=True, help="instrument version id, e.g. iaow-2013-10")
        parser.add_argument("--topic", default="")
        parser.add_argument("--lead", default="", help="username of the lead inspector (optional; add_member adds more)")

    def handle(self, *args: Any, **o: Any) -> None:
        programme = Programme.objects.filter(name=o["programme"]).first()
        if programme is None:
            raise CommandError(f"No programme called {o['programme']!r}; create it first with create_programme")
        area = Area.objects.filter(name=o["area"]).first()
        if area is None:
            raise CommandError(f"No area called {o['area']!r}; create it first with create_area --name {o['area']!r}")
        version = InstrumentVersion.objects.filter(instrument_id=o["instrument"]).first()
        if version is None:
            raise CommandError(f"No instrument version {o['instrument']!r}; load it first with load_instrument")
        lead = None
        if o["lead"]:
            lead = User.objects.filter(username=o["lead"]).first()
            if lead is None:
                raise CommandError(f"There is no account called {o['lead']!r}: create it first")
        try:
            insp = inspection_save(
                actor=None, programme=programme, name=o["name"], area=area, topic=o["topic"],
                fieldwork_start=date_arg(o["start"], "--start"), fieldwork_end=date_arg(o["end"], "--end"),
                instrument=version, lead=lead,
            )
        except SetupError as exc:
            raise refused(exc) from None
        self.stdout.write(self.style.SUCCESS(f"Inspection {insp.name} created in {programme.name}"))
