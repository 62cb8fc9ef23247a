from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caseassess.inspections.demo import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demonstration programme (idempotent): instrument, two inspections, users of each role, cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=24, help="cases per inspection")

    def handle(self, *args: Any, **opts: Any) -> None:
        result = load_demo(cases_per_inspection=opts["cases"])
        if result.get("warning"):
            self.stdout.write(self.style.WARNING(result["warning"]))
        if result["created"]:
            self.stdout.write(self.style.SUCCESS(f"Demo programme loaded: {result['created']} cases"))
        else:
            self.stdout.write("Demo programme already loaded")
        self.stdout.write("Sign in as one of: " + ", ".join(f"{u} ({r.label.lower()})" for u, _, _, r in USERS))
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
