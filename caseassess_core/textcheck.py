"""Checks on text that arrives from outside (forms, CSV uploads, commands): control
characters are refused, and identifiers that a spreadsheet would read as a formula are
refused or neutralised (docs/security.md, "Bad input")."""

from __future__ import annotations

import re

# A cell starting with one of these is a formula in Excel, LibreOffice or Google Sheets
# (tab and carriage return start one too after some imports).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A case reference: letters, digits and / _ . - (up to 40), starting with a letter or
# digit, so it can never start a formula. Anchored with ``\Z`` (``$`` would accept a
# trailing newline), so ``CASE_REF.match`` checks the whole text.
CASE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}\Z")

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc
_CONTROL_NOT_BREAK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str, *, allow_line_breaks: bool = False) -> str | None:
    """The first control character in ``text`` described for a message ("U+0000 at
    character 5"), or None. NUL, the other C0 and C1 controls and DEL count; tab, line feed
    and carriage return are allowed only where ``allow_line_breaks`` (free text)."""
    m = (_CONTROL_NOT_BREAK if allow_line_breaks else _CONTROL).search(text)
    return None if m is None else f"U+{ord(m.group()):04X} at character {m.start() + 1}"


def is_case_ref(text: str) -> bool:
    return CASE_REF.match(text) is not None


def neutralise_formula(text: str) -> str:
    """Text kept as an identifier that a spreadsheet would run as a formula gets a leading
    apostrophe, the spreadsheet's own "this is text" mark."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
