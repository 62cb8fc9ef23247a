from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from caseassess.audit.selectors import AuditFilter


def _date(data: Any, prefix: str, label: str, errors: dict[str, str]) -> dt.date | None:
    parts = [(data.get(f"{prefix}-{p}") or "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(parts):
        missing = [n for n, v in zip(("day", "month", "year"), parts, strict=True) if not v]
        errors[prefix] = f"The {label} must include a {' and '.join(missing)}"
        return None
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValueError
        return dt.date(year, month, day)
    except ValueError:
        errors[prefix] = f"The {label} must be a real date, for example 26 3 2011"
        return None


class AuditFilterForm(forms.Form):
    """Filters from the query string; ``problems`` maps a field id to its message."""

    def __init__(self, data: Any, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data)
        self.choices = choices
        self.problems: dict[str, str] = {}
        self.filter = self._read()

    def _pick(self, name: str, options: list[tuple[str, str]], message: str) -> str:
        value = (self.data.get(name) or "").strip()
        if value and value not in {v for v, _ in options}:
            self.problems[name] = message
            return ""
        return value

    def _read(self) -> AuditFilter:
        log = self.data.get("log") or "changes"
        if log not in ("changes", "views"):
            log = "changes"
        person = self._pick("person", self.choices["people"], "Select a person from the list")
        inspection = self._pick("inspection", self.choices["inspections"], "Select an inspection from the list")
        action = self._pick("action", self.choices["actions"], "Select an action from the list")
        case_ref = (self.data.get("case") or "").strip()[:40]
        date_from = _date(self.data, "from", "start date", self.problems)
        date_to = _date(self.data, "to", "end date", self.problems)
        if date_from and date_to and date_to < date_from:
            self.problems["to"] = "The end date must be the same as or after the start date"
        return AuditFilter(
            log=log,
            person=int(person) if person else None, inspection=int(inspection) if inspection else None,
            case_ref=case_ref, action=action, date_from=date_from, date_to=date_to,
        )

    @property
    def ok(self) -> bool:
        return not self.problems
