"""CSV records from uploaded text with the csv module's own newline handling, one way for
every upload (cases, caseloads, answers).

Records may end with LF, CRLF or (in a file that has no LF at all: old Mac "CSV") CR.
Inside double quotes any of them is part of the value. A carriage return on its own in a
file whose lines end with LF or CRLF is a stray: read with universal newlines it would end
the record there and start a bogus one (``TST-1\\rb`` became cases ``TST-1`` and ``b``),
so it is refused with the line it is on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO


class StrayCarriageReturn(csv.Error):
    """A carriage return outside double quotes in a file whose lines end with LF."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(
            f"line {line} has a carriage return inside a value that is not in double quotes; "
            "remove it, or put the value in double quotes"
        )


def _records(lines: Iterable[str]) -> Iterator[list[str]]:
    reader = csv.reader(lines)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "new-line character" in str(exc):
                raise StrayCarriageReturn(reader.line_num) from None
            raise
        yield record


def _cr_only(sample: str) -> bool:
    return "\n" not in sample and "\r" in sample


def records_from_text(text: str) -> Iterator[list[str]]:
    """The CSV records of ``text``; a stray carriage return raises StrayCarriageReturn."""
    return _records(io.StringIO(text, newline="" if _cr_only(text) else "\n"))


def records_from_binary(fh: BinaryIO, *, encoding: str = "utf-8-sig", errors: str = "strict") -> Iterator[list[str]]:
    """The CSV records of a seekable binary file object (an upload), streamed."""
    sample = fh.read(1 << 16)
    fh.seek(0)
    cr_only = b"\n" not in sample and b"\r" in sample
    yield from _records(io.TextIOWrapper(fh, encoding=encoding, errors=errors, newline="" if cr_only else "\n"))


def records_from_file(path: str | Path, *, encoding: str = "utf-8-sig", errors: str = "strict") -> Iterator[list[str]]:
    """The CSV records of a file, streamed (as ``records_from_text``)."""
    with open(path, encoding=encoding, errors=errors, newline="") as fh:
        cr_only = _cr_only(fh.read(1 << 16))
    with open(path, encoding=encoding, errors=errors, newline="" if cr_only else "\n") as fh:
        yield from _records(fh)
