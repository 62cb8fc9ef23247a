"""Decision aids: each rule reads case details and decision-aid tables and suggests an answer.

    evaluate_all(case, tables, *, local_overrides=None, events=None) -> list[RuleResult]
    explain(case, tables, *, local_overrides=None, events=None) -> str

``tables`` is an ``Instrument`` or a mapping of table id -> ``Table`` (``load_tables`` reads
YAML files of the form ``tables: [...]``). The dates and counts the timescale rules need are
read from the case details (``case_events``); ``events`` gives them, or facts the case details
do not hold, explicitly and wins over the case details. A rule never fills in an answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from caseassess_core.instrument.schema import Table
from caseassess_core.rules.base import TIERS, Case, RuleResult, TableMissing, Tables, has_table, iso_date, number, text
from caseassess_core.rules.early_revocation import early_revocation
from caseassess_core.rules.mappa import mappa_category, mappa_level, mappa_referral, visor_expected
from caseassess_core.rules.oasys_layer import expected_oasys_layer
from caseassess_core.rules.skills_check import first_move_band
from caseassess_core.rules.tiering import indicative_tier
from caseassess_core.rules.timescales import (
    add_working_days,
    first_appointment_timescale,
    is_working_day,
    sentence_plan_timescale,
    weekly_contact,
)
from caseassess_core.rules.victim_contact import statutory_victim_contact

__all__ = [
    "CASE_EVENT_FIELDS",
    "CaseEvents",
    "RuleResult",
    "TableMissing",
    "add_working_days",
    "case_events",
    "early_revocation",
    "evaluate_all",
    "expected_oasys_layer",
    "explain",
    "first_appointment_timescale",
    "first_move_band",
    "indicative_tier",
    "is_working_day",
    "load_tables",
    "mappa_category",
    "mappa_level",
    "mappa_referral",
    "sentence_plan_timescale",
    "statutory_victim_contact",
    "visor_expected",
    "weekly_contact",
]


@dataclass(frozen=True)
class CaseEvents:
    """Facts the case details do not hold, recorded by the assessor from the case file (all optional)."""

    sentence_plan_date: date | None = None
    first_appointment_date: date | None = None
    contact_dates: tuple[date, ...] = ()
    contact_period_end: date | None = None
    contact_weeks_checked: int | None = None
    contact_weeks_with_contact: int | None = None
    hospital_order: bool | None = None
    mappa_in_custody: bool | None = None
    mappa_criteria_met_date: date | None = None
    mappa_referral_date: date | None = None
    sustained_compliance: bool | None = None
    requirements_completed: bool | None = None
    needs_met: bool | None = None
    low_risk_of_harm: bool | None = None
    likelihood_stabilised: bool | None = None


# Case-detail ids (docs/case-details-contract.md) the timescale rules read, by CaseEvents field.
CASE_EVENT_FIELDS = {
    "sentence_plan_date": "sentence_plan_date",
    "first_appointment_date": "first_appointment_date",
    "contact_weeks_checked": "contact_weeks_checked",
    "contact_weeks_with_contact": "contact_weeks_with_contact",
}


def _whole(case: Case, field: str) -> int | None:
    value = number(case, field)
    if value is None or not value.is_integer():
        return None
    return int(value)


def case_events(case: Case, events: CaseEvents | None = None) -> CaseEvents:
    """``events`` with every fact it leaves empty read from the case details (the inspector's
    record of the case file: sentence plan and first appointment dates, weeks of contact)."""
    ev = events or CaseEvents()
    return replace(
        ev,
        sentence_plan_date=ev.sentence_plan_date or iso_date(case, CASE_EVENT_FIELDS["sentence_plan_date"]),
        first_appointment_date=ev.first_appointment_date
        or iso_date(case, CASE_EVENT_FIELDS["first_appointment_date"]),
        contact_weeks_checked=ev.contact_weeks_checked
        if ev.contact_weeks_checked is not None
        else _whole(case, CASE_EVENT_FIELDS["contact_weeks_checked"]),
        contact_weeks_with_contact=ev.contact_weeks_with_contact
        if ev.contact_weeks_with_contact is not None
        else _whole(case, CASE_EVENT_FIELDS["contact_weeks_with_contact"]),
    )


def load_tables(paths: Iterable[str | Path]) -> dict[str, Table]:
    """Decision-aid tables from YAML files holding ``tables: [{id, title, source, columns, rows}]``."""
    out: dict[str, Table] = {}
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for raw in data.get("tables") or []:
            t = Table(**raw)
            out[t.id] = t
    return out


def evaluate_all(
    case: Case,
    tables: Tables,
    *,
    local_overrides: Mapping[str, str] | None = None,
    events: CaseEvents | None = None,
) -> list[RuleResult]:
    """Every decision aid for one case, in the order of the tool."""
    ev = case_events(case, events)
    tier = indicative_tier(case, tables, local_overrides=local_overrides)
    recorded_tier = text(case, "tier")
    layer_tier = None if recorded_tier in TIERS else (tier.outcome if tier.outcome in TIERS else None)
    results = [
        statutory_victim_contact(case, tables),
        expected_oasys_layer(case, tables, tier=layer_tier),
        visor_expected(case, tables),
        mappa_category(case, tables, hospital_order=ev.hospital_order),
        mappa_level(case),
        mappa_referral(case, tables, in_custody=ev.mappa_in_custody, criteria_met_date=ev.mappa_criteria_met_date,
                       referral_date=ev.mappa_referral_date),
        tier,
        first_appointment_timescale(case, tables, first_appointment_date=ev.first_appointment_date),
        sentence_plan_timescale(case, tables, sentence_plan_date=ev.sentence_plan_date),
        first_move_band(case, tables),
        weekly_contact(case, tables, contact_dates=ev.contact_dates, period_end=ev.contact_period_end,
                       weeks_checked=ev.contact_weeks_checked, weeks_with_contact=ev.contact_weeks_with_contact),
        early_revocation(case, tables, sustained_compliance=ev.sustained_compliance,
                         requirements_completed=ev.requirements_completed, needs_met=ev.needs_met,
                         low_risk_of_harm=ev.low_risk_of_harm, likelihood_stabilised=ev.likelihood_stabilised),
    ]
    if not has_table(tables, "schedule_15"):
        results[0] = RuleResult(
            results[0].rule_id, results[0].title, results[0].informs, results[0].outcome, results[0].suggestion,
            (*results[0].reasons, "Table schedule_15 not available: offence part taken from the row id"),
            results[0].missing, results[0].due_date,
        )
    return results


def format_result(result: RuleResult) -> str:
    lines = [f"{result.title} [{result.rule_id}] informs {', '.join(result.informs)}",
             f"  outcome: {result.outcome}"]
    if result.due_date is not None:
        lines.append(f"  due: {result.due_date.isoformat()}")
    lines.append(f"  suggestion: {result.suggestion}")
    lines.extend(f"  - {reason}" for reason in result.reasons)
    if result.missing:
        lines.append(f"  missing: {', '.join(result.missing)}")
    return "\n".join(lines)


def explain(
    case: Case,
    tables: Tables,
    *,
    local_overrides: Mapping[str, str] | None = None,
    events: CaseEvents | None = None,
) -> str:
    """Every rule's result with its reasons, one block per rule, for a CLI."""
    results = evaluate_all(case, tables, local_overrides=local_overrides, events=events)
    return "\n\n".join(format_result(r) for r in results) + "\n"
