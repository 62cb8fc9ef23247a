"""What every decision aid shares: the result type and reading case details and tables.

A rule reads case details (ids and values of ``docs/case-details-contract.md``) and the
instrument's decision-aid tables, and *suggests*; it never fills in an answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from caseassess_core.instrument.schema import Instrument, Table

Tables: TypeAlias = Mapping[str, Table] | Instrument
Case: TypeAlias = Mapping[str, Any]

TIERS = ("tier_1", "tier_2", "tier_3", "tier_4")
CO_SSO = frozenset({"community_order", "suspended_sentence_order"})
LICENCES = frozenset({"licence_determinate", "licence_indeterminate"})
HIGH_ROSH = frozenset({"high", "very_high"})


@dataclass(frozen=True)
class RuleResult:
    """What one decision aid suggests for one case."""

    rule_id: str
    title: str
    informs: tuple[str, ...]
    outcome: str
    suggestion: str
    reasons: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    due_date: date | None = None


class TableMissing(KeyError):
    """A rule needs a decision-aid table the instrument does not have."""


def table(tables: Tables, table_id: str) -> Table:
    if isinstance(tables, Instrument):
        try:
            return tables.table(table_id)
        except KeyError:
            raise TableMissing(f"decision-aid table {table_id!r} is not in instrument {tables.id!r}") from None
    try:
        return tables[table_id]
    except KeyError:
        raise TableMissing(f"decision-aid table {table_id!r} was not given") from None


def has_table(tables: Tables, table_id: str) -> bool:
    if isinstance(tables, Instrument):
        return any(t.id == table_id for t in tables.tables)
    return table_id in tables


def rows(tables: Tables, table_id: str) -> list[dict[str, Any]]:
    return table(tables, table_id).rows


def row(tables: Tables, table_id: str, row_id: str) -> dict[str, Any]:
    for r in rows(tables, table_id):
        if r.get("id") == row_id:
            return r
    raise KeyError(f"row {row_id!r} is not in decision-aid table {table_id!r}")


def threshold(tables: Tables, threshold_id: str) -> float:
    value = row(tables, "statutory_thresholds", threshold_id)["value"]
    return float(value)


def text(case: Case, field: str) -> str | None:
    value = case.get(field)
    if value is None or value == "":
        return None
    return str(value)


def number(case: Case, field: str) -> float | None:
    value = case.get(field)
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def choices(case: Case, field: str) -> frozenset[str] | None:
    """A multiple-choice case detail as a set; None when not recorded (an empty list is recorded)."""
    value = case.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Sequence | set | frozenset):
        return frozenset(str(v) for v in value)
    return None


def iso_date(case: Case, field: str) -> date | None:
    value = case.get(field)
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


_FIELD_LABELS = {
    "rosh_at_start": "RoSH at start",
    "ppo": "PPO",
    "iom": "IOM",
    "mappa_level": "MAPPA level",
    "mappa_category": "MAPPA category",
}


def long_date(value: date) -> str:
    """A date in words, as pages and reasons show it: "26 March 2011" (never 2011-03-26)."""
    return f"{value.day} {value.strftime('%B %Y')}"


def label(value: str) -> str:
    """`very_high` -> `very high`, `tier_3` -> `Tier 3`."""
    if value.startswith("tier_"):
        return "Tier " + value.removeprefix("tier_")
    if value.startswith("level_"):
        return "Level " + value.removeprefix("level_")
    if value in _FIELD_LABELS:
        return _FIELD_LABELS[value]
    if value.startswith("category_"):
        return "Category " + value.removeprefix("category_")
    return value.replace("_", " ")
