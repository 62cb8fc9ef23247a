"""A case's audit events in people's words, for the history page.

The audit trail keeps what the code did (``status:submitted``, ``explain_warning CR05``,
raw answer values such as ``planning_not_completed``); this module turns each event into
a row a person reads: "Submitted", "Explained warning: C.2.1.16 ...", "Planning not
completed". Nothing here writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from caseassess_core.instrument.schema import Instrument

STATUS_WORDS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "returned": "Returned for changes",
    "signed_off": "Signed off",
}

ACTION_WORDS = {
    "case_add": "Case added",
    "allocate": "Allocated",
    "import": "Imported from a file",
    "double_assessment_mark": "Marked for double assessment",
    "moderate": "Moderated answer",
    "moderation_complete": "Moderation completed",
    "counts": "Counts in findings",
    "benchmark_mark": "Marked as a benchmark case",
    "benchmark_assign": "Benchmark case given to an assessor",
}

KEY_WORDS = {
    "case_ref": "case reference",
    "assessor": "assessor",
    "second_assessor": "second assessor",
    "created": "new case",
    "answers_created": "answers added",
    "answers_changed": "answers changed",
    "details": "case details",
    "agreed": "agreed answer",
    "reason": "reason",
    "first": "first assessor's answer",
    "second": "second assessor's answer",
    "differences": "answers that differed",
}


@dataclass(frozen=True)
class HistoryRow:
    at: Any
    who: str
    what: str
    old: str
    new: str


def _label(ins: Instrument | None, item: Any, value: Any) -> str:
    """An answer or case-detail value as the page shows it (option labels, dates in words)."""
    from caseassess.govuk.jinja import date_filter

    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_label(ins, item, v) for v in value)
    if isinstance(value, dict) and ins is not None and item is not None and getattr(item.type, "value", "") == "factor_outcomes":
        names = {f.value: f.label for f in ins.factors_for(item)}
        return "; ".join(f"{names.get(k, k)}: {_label(ins, item, v)}" for k, v in value.items())
    if isinstance(value, dict):
        return "; ".join(f"{KEY_WORDS.get(k, k.replace('_', ' '))}: {_label(ins, item, v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if ins is not None and item is not None:
        for o in ins.options_for(item):
            if o.value == value:
                return str(o.label)
        if getattr(item, "table", None) and value == "none":
            return "Not a Schedule 15 offence"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            datetime.date.fromisoformat(value[:10])
        except ValueError:
            pass
        else:
            return date_filter(value)
    if isinstance(value, str) and value in STATUS_WORDS:
        return STATUS_WORDS[value]
    return str(value)


def _question(ins: Instrument | None, qid: str) -> Any:
    if ins is None:
        return None
    try:
        return ins.question(qid)
    except KeyError:
        return None


def _case_field(ins: Instrument | None, fid: str) -> Any:
    if ins is None:
        return None
    return next((f for f in ins.case_details if f.id == fid), None)


def warning_words(ins: Instrument | None, rule_id: str) -> str:
    """A consistency rule in its own words (its message), never its id."""
    if ins is not None:
        for r in ins.consistency_rules:
            if r.id == rule_id:
                return str(r.message)
    return "a consistency warning"


def history_row(event: Any, ins: Instrument | None) -> HistoryRow:
    action, fld = event.action, event.field
    who = (event.actor.get_full_name() or event.actor.username) if event.actor else "The system"
    item = None
    if action.startswith("status:"):
        to = action.split(":", 1)[1]
        return HistoryRow(event.at, who, STATUS_WORDS.get(to, to.replace("_", " ").capitalize()), _label(None, None, event.old), _label(None, None, event.new))
    if action == "answer":
        item = _question(ins, fld)
        what = f"Answer to {fld}"
    elif action == "case_detail":
        item = _case_field(ins, fld)
        what = f"Case detail: {item.label}" if item is not None else "Case detail"
    elif action == "comment":
        return HistoryRow(event.at, who, f"Comment on {fld}", "" if event.old is None else str(event.old), "" if event.new is None else str(event.new))
    elif action == "explain_warning":
        what = f"Explained warning: {warning_words(ins, fld)}"
    elif action == "moderate":
        item = _question(ins, fld)
        what = f"Moderated answer to {fld}"
    else:
        what = ACTION_WORDS.get(action, action.replace("_", " ").capitalize())
        if action == "counts":
            what = "Counts in findings"
    return HistoryRow(event.at, who, what, _label(ins, item, event.old), _label(ins, item, event.new))


def case_history(*, events: Iterable[Any], ins: Instrument | None) -> list[HistoryRow]:
    return [history_row(e, ins) for e in events]
