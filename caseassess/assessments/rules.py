"""Decision aids beside the questions they inform: suggestions, never answers.

Where the informed question or case detail has an option whose value is the rule's
outcome (e.g. statutory victim case "yes", tier "tier_4", MAPPA "category_2"), an
answer that differs is a disagreement, shown on check-your-answers and counted per
inspection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseassess_core.instrument.schema import Instrument
from caseassess_core.rules import RuleResult, evaluate_all

QUIET = {"unknown", "not_applicable"}


@dataclass(frozen=True)
class Disagreement:
    target: str  # question id or case.<field>
    label: str
    rule: RuleResult
    expected: str
    answer: Any


def suggestions(ins: Instrument, case: dict[str, Any]) -> dict[str, list[RuleResult]]:
    """Rule results keyed by what they inform (question id, or ``case.<field>``)."""
    out: dict[str, list[RuleResult]] = {}
    try:
        results = evaluate_all(case, ins)
    except KeyError:  # an instrument version without the decision-aid tables
        return out
    for r in results:
        for target in r.informs:
            out.setdefault(target, []).append(r)
    return out


def _options(ins: Instrument, target: str) -> tuple[str, list[str]]:
    if target.startswith("case."):
        try:
            f = ins.case_field(target[5:])
        except KeyError:
            return target, []
        return f.label, [o.value for o in ins.options_for(f)]
    try:
        q = ins.question(target)
    except KeyError:
        return target, []
    return f"{q.id} {q.text}", [o.value for o in ins.options_for(q)]


def disagreements(ins: Instrument, case: dict[str, Any], answers: dict[str, Any]) -> list[Disagreement]:
    out: list[Disagreement] = []
    for target, results in suggestions(ins, case).items():
        label, values = _options(ins, target)
        answer = case.get(target[5:]) if target.startswith("case.") else answers.get(target)
        if answer in (None, "", []):
            continue
        for r in results:
            if r.outcome in QUIET or r.outcome not in values:
                continue
            if answer != r.outcome:
                out.append(Disagreement(target, label, r, r.outcome, answer))
    return out
