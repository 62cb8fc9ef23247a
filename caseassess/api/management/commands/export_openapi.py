"""export_openapi PATH: write the API's OpenAPI 3 document (the snapshot in docs/openapi.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ to PATH ('-' for standard output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="file to write, e.g. docs/openapi.json, or - for standard output")

    def handle(self, *args: Any, **opts: Any) -> None:
        from caseassess.api.api import api

        doc = api.get_openapi_schema(path_prefix="/api/v1/")
        text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if opts["path"] == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(opts["path"]).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Wrote the OpenAPI document ({len(doc['paths'])} paths) to {opts['path']}")
