from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.audit.backup import BackupError, restore_load


class Command(BaseCommand):
    help = (
        "Load a backup_data file into an empty, migrated database. Refuses a file without a valid signature "
        "(CASEASSESS_BACKUP_KEY); verifies every count, checksum and the audit hash chains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            manifest = restore_load(path=opts["path"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not opts["verbosity"]:
            return
        rows = sum(m["count"] for m in manifest["models"].values())
        self.stdout.write(f"Restored {rows} rows of {len(manifest['models'])} models from {opts['path']} (backup of {manifest['created_at']})")
        self.stdout.write("The signature is valid, every count and SHA-256 checksum matches the manifest, and the audit trail is intact")
