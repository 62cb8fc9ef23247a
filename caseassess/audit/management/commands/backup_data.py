from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caseassess.audit.backup import backup_write


class Command(BaseCommand):
    help = "Write all application data to one JSON file with a SHA-256 manifest (restore with restore_data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        manifest = backup_write(path=opts["path"])
        if not opts["verbosity"]:
            return
        rows = sum(m["count"] for m in manifest["models"].values())
        self.stdout.write(f"Backed up {rows} rows of {len(manifest['models'])} models to {opts['path']}")
        self.stdout.write(f"SHA-256 of the data: {manifest['data_sha256']}")
