from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caseassess.inspections.demo import AREAS, DEMO_PASSWORD, TEAMS, USERS, load_demo


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
        self.stdout.write("Sign in as one of: " + ", ".join(f"{u} ({_roles(u, r)})" for u, _, _, r in USERS))
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")


def _roles(username: str, account_role: Any) -> str:
    """What the demo user does: the account's role, or their role on each demo inspection."""
    per = {TEAMS[i][username] for i in TEAMS if username in TEAMS[i]} if account_role == "inspector" else set()
    if len(per) == 1:
        return per.pop().replace("_", " ")
    if per:
        return "; ".join(f"{TEAMS[i][username].replace('_', ' ')} on {AREAS[i][0]}" for i in sorted(TEAMS))
    return str(account_role.label).lower()
