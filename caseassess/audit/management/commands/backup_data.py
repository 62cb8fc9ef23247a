import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.audit.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Write all application data to one file (JSON lines) from a consistent snapshot that does not block "
        "writers, with a SHA-256 manifest signed with CASEASSESS_BACKUP_KEY (restore with restore_data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--nice", type=int, default=10,
            help="lower this process's CPU priority by N (default 10) so the web workers keep theirs; 0 to keep it",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["nice"] > 0 and hasattr(os, "nice") and getattr(self, "_called_from_command_line", False):
            os.nice(opts["nice"])  # its own process yields the CPU to requests (docs/security.md, load)
        try:
            manifest = backup_write(path=opts["path"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if not opts["verbosity"]:
            return
        rows = sum(m["count"] for m in manifest["models"].values())
        self.stdout.write(f"Backed up {rows} rows of {len(manifest['models'])} models to {opts['path']}")
        self.stdout.write(f"SHA-256 of the data: {manifest['data_sha256']}; signed with key {manifest['key_id']}")
