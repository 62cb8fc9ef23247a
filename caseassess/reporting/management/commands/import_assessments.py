"""import_assessments --instrument ID --inspection NAME FILE.csv"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseassess.reporting.importing import DataExchangeError, assessments_import_file, import_target


class TerminalProgress:
    """A progress bar on a terminal (rows, cases, rate, ETA), redrawn in place at most ten
    times a second; plain lines every few seconds when the output is not a terminal."""

    def __init__(self, out: TextIO, *, tty: bool | None = None, width: int = 28) -> None:
        self.out = out
        self.tty = out.isatty() if tty is None else tty
        self.width = width
        self.start = time.monotonic()
        self.phase_start = self.start
        self.phase = ""
        self._last = 0.0
        self._drawn = False

    def __call__(self, phase: str, done: int = 0, total: int = 0, *, rows: int = 0, cases: int = 0, force: bool = False) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self._drawn and self.tty:
                self.out.write("\n")
            self.phase, self.phase_start, self._drawn = phase, now, False
        if not force and now - self._last < (0.1 if self.tty else 5.0):
            return
        self._last = now
        frac = min(1.0, done / total) if total else 0.0
        elapsed = now - self.phase_start
        eta = f"ETA {elapsed / frac - elapsed:4.0f} s" if 0 < frac < 1 and elapsed > 0.5 else ("done" if frac >= 1 else "ETA   ? s")
        rate = rows / (now - self.start) if now > self.start else 0.0
        unit = f"{rate:,.0f} rows/s" if phase.startswith("Reading") else f"{cases / elapsed if elapsed else 0:,.0f} cases/s"
        filled = int(self.width * frac)
        bar = "#" * filled + "." * (self.width - filled)
        line = f"{phase:<20} [{bar}] {frac * 100:3.0f}%  {rows:,} rows  {cases:,} cases  {unit}  {eta}"
        if self.tty:
            self.out.write("\r" + line + "\x1b[K")
            self._drawn = True
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        if self._drawn and self.tty:
            self.out.write("\n")
            self.out.flush()


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = ("Import case assessments from a long CSV (case_ref, question_id, answer, optional case-detail columns, "
            "area, fieldwork_date). All-or-nothing: every bad row is listed and nothing is written.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8)")
        parser.add_argument("--instrument", required=True, help="instrument version id, e.g. iaow-2013-10")
        parser.add_argument("--inspection", required=True, help="name of an existing inspection that uses that instrument")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--dry-run", action="store_true", help="read and check the whole file; write nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        # The bar is drawn on a terminal's stderr; without a terminal, progress lines go to stdout
        # (stderr carries only the problems found in the file).
        err = getattr(self.stderr, "_out", sys.stderr)
        out = err if err.isatty() else getattr(self.stdout, "_out", sys.stdout)
        bar = None if opts["no_progress"] or opts["verbosity"] == 0 else TerminalProgress(out)
        try:
            inspection = import_target(instrument=opts["instrument"], inspection=opts["inspection"])
            if not os.path.isfile(opts["file"]):
                raise CommandError(f"{opts['file']}: no such file")
            result = assessments_import_file(inspection=inspection, actor=None, path=opts["file"], progress=bar, dry_run=opts["dry_run"])
        except (DataExchangeError, OSError) as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        if not result.ok:
            for line in result.errors:
                self.stderr.write(line)
            more = result.error_count - len(result.errors)
            if more > 0:
                self.stderr.write(f"... and {more:,} more")
            raise CommandError(f"{result.error_count:,} problem(s) in {opts['file']}; nothing was imported")
        seconds = time.monotonic() - started
        if opts["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"Checked {result.rows:,} rows: no problems; nothing was written (--dry-run)"))
            self.stdout.write(f"{seconds:.1f} s ({result.rows / seconds if seconds else 0:,.0f} rows/s), peak memory {peak_rss_mb():,.0f} MB")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.rows:,} rows into {inspection.name}: {result.cases_created:,} new cases, "
            f"{result.cases_updated:,} cases with changed details, {result.answers_created:,} new answers, "
            f"{result.answers_updated:,} changed answers, {result.answers_unchanged:,} unchanged"
        ))
        if opts["verbosity"] >= 1:
            self.stdout.write(f"{seconds:.1f} s ({result.rows / seconds if seconds else 0:,.0f} rows/s), peak memory {peak_rss_mb():,.0f} MB; "
                              f"findings counts {'kept by the import' if result.counts_kept else 'rebuilt'}")
        if opts["verbosity"] >= 2:
            self.stdout.write("phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
