"""add_member --inspection NAME --user USERNAME --role lead_inspector|assessor|analyst [--programme NAME]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caseassess.inspections.management.commands._setup_args import refused
from caseassess.inspections.models import MembershipRole
from caseassess.inspections.setup import SetupError, inspection_by_name, member_for_username, membership_set


class Command(BaseCommand):
    help = "Add a person to an inspection with their role on it (or change their role). Audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inspection", required=True)
        parser.add_argument("--programme", default="", help="needed only when two programmes have an inspection of that name")
        parser.add_argument("--user", required=True, help="username of an existing account")
        parser.add_argument("--role", required=True, choices=MembershipRole.values)

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            insp = inspection_by_name(o["inspection"], o["programme"] or None)
            user = member_for_username(inspection=insp, username=o["user"])
            changed = membership_set(actor=None, inspection=insp, user=user, role=o["role"])
        except SetupError as exc:
            raise refused(exc) from None
        label = MembershipRole(o["role"]).label.lower()
        self.stdout.write(self.style.SUCCESS(f"{user.username} is {label} on {insp.name}") if changed else f"{user.username} is already {label} on {insp.name}")
