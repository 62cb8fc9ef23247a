"""Decision aids beside the questions they inform: suggestions, never answers.

Where the informed question or case detail has an option whose value is the rule's
outcome (e.g. statutory victim case "yes", tier "tier_4", MAPPA "category_2"), an
answer that differs is a disagreement, shown on check-your-answers and counted per
inspection. A timescale the case details show was not met (outcome "not_met": first
appointment, sentence plan, weekly contact, MAPPA referral) makes an answer scored
sufficient a disagreement too: the guide's benchmark is that the timescale is met
unless the assessor finds an acceptable reason, so the assessor is asked to check.

The dates and counts the timescale rules need are case details (``case_events`` in the
core reads them); the area's local determination of tiering rows comes from
``caseassess.inspections.selectors.area_tiering_overrides``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caseassess_core.instrument.schema import Instrument, Scoring
from caseassess_core.rules import RuleResult, evaluate_all

QUIET = {"unknown", "not_applicable"}
NOT_MET = "not_met"


@dataclass(frozen=True)
class Disagreement:
    target: str  # question id or case.<field>
    label: str
    rule: RuleResult
    expected: str
    answer: Any


def suggestions(
    ins: Instrument, case: dict[str, Any], *, local_overrides: Mapping[str, str] | None = None
) -> dict[str, list[RuleResult]]:
    """Rule results keyed by what they inform (question id, or ``case.<field>``)."""
    out: dict[str, list[RuleResult]] = {}
    try:
        results = evaluate_all(case, ins, local_overrides=local_overrides or None)
    except KeyError:  # an instrument version without the decision-aid tables
        return out
    for r in results:
        for target in r.informs:
            out.setdefault(target, []).append(r)
    return out


def _options(ins: Instrument, target: str) -> tuple[str, list[str], dict[str, str]]:
    """Label, option values and the scoring class of each scored option of a target."""
    if target.startswith("case."):
        try:
            f = ins.case_field(target[5:])
        except KeyError:
            return target, [], {}
        return f.label, [o.value for o in ins.options_for(f)], {}
    try:
        q = ins.question(target)
    except KeyError:
        return target, [], {}
    opts = ins.options_for(q)
    scoring = {o.value: o.scoring.value for o in opts if o.scoring is not None} if q.is_scored else {}
    return f"{q.id} {q.text}", [o.value for o in opts], scoring


def _insufficient_answer(values: list[str], scoring: dict[str, str]) -> str | None:
    """The answer a missed timescale points to: "No" where the question has it, else the first insufficient option."""
    insufficient = [v for v in values if scoring.get(v) == Scoring.INSUFFICIENT.value]
    if not insufficient:
        return None
    return "no" if "no" in insufficient else insufficient[0]


def disagreements(
    ins: Instrument,
    case: dict[str, Any],
    answers: dict[str, Any],
    *,
    local_overrides: Mapping[str, str] | None = None,
) -> list[Disagreement]:
    out: list[Disagreement] = []
    for target, results in suggestions(ins, case, local_overrides=local_overrides).items():
        label, values, scoring = _options(ins, target)
        answer = case.get(target[5:]) if target.startswith("case.") else answers.get(target)
        if answer in (None, "", []):
            continue
        for r in results:
            if r.outcome in QUIET:
                continue
            if r.outcome == NOT_MET:
                expected = _insufficient_answer(values, scoring)
                if expected is not None and scoring.get(answer) == Scoring.SUFFICIENT.value:
                    out.append(Disagreement(target, label, r, expected, answer))
                continue
            if r.outcome not in values:
                continue
            if answer != r.outcome:
                out.append(Disagreement(target, label, r, r.outcome, answer))
    return out
