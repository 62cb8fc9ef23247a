"""create_area --name NAME [--lead USERNAME ...]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.accounts.models import User
from caseassess.inspections.management.commands._setup_args import refused
from caseassess.inspections.setup import SetupError, area_save


class Command(BaseCommand):
    help = "Create an area (Probation Trust or region) with its lead inspectors, who alone may change its settings. Audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--description", default="")
        parser.add_argument("--lead", action="append", default=[], help="username of one of its lead inspectors (repeat for several)")

    def handle(self, *args: Any, **o: Any) -> None:
        leads = []
        for username in o["lead"]:
            u = User.objects.filter(username=username).first()
            if u is None:
                raise CommandError(f"There is no account called {username!r}: create it first")
            leads.append(u)
        try:
            area = area_save(actor=None, name=o["name"], description=o["description"], leads=leads)
        except SetupError as exc:
            raise refused(exc) from None
        self.stdout.write(self.style.SUCCESS(f"Area {area.name} created"))
