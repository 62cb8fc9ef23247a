"""Early revocation of a community order for good progress (E.2.3.7; community orders only,
suspended sentence orders included as the guide classes them as community orders: the same
sentence types as E.2.3.7's applicability).

All five criteria of table ``early_revocation_criteria`` must be met. The case details do
not record them, so each is an optional keyword: True (met), False (not met), None (unknown).
"""

from __future__ import annotations

from caseassess_core.rules.base import CO_SSO, Case, RuleResult, Tables, rows, text

RULE_ID = "early_revocation"
TITLE = "Early revocation for good progress"
INFORMS = ("E.2.3.7",)


def early_revocation(
    case: Case,
    tables: Tables,
    *,
    sustained_compliance: bool | None = None,
    requirements_completed: bool | None = None,
    needs_met: bool | None = None,
    low_risk_of_harm: bool | None = None,
    likelihood_stabilised: bool | None = None,
) -> RuleResult:
    known: dict[str, bool | None] = {
        "sustained_compliance": sustained_compliance,
        "requirements_completed": requirements_completed,
        "needs_met": needs_met,
        "low_risk_of_harm": low_risk_of_harm,
        "likelihood_stabilised": likelihood_stabilised,
    }
    sentence = text(case, "sentence_type")
    if sentence is None:
        return RuleResult(RULE_ID, TITLE, INFORMS, "unknown", "Record the sentence type.", (), ("sentence_type",))
    if sentence not in CO_SSO:  # the sentence types of E.2.3.7's applies_when
        return RuleResult(RULE_ID, TITLE, INFORMS, "not_applicable",
                          "E.2.3.7 applies to community orders only (suspended sentence orders are classed as "
                          "community orders for inspection).", (f"Sentence is {sentence.replace('_', ' ')}",))
    reasons: list[str] = []
    unmet: list[str] = []
    unknown: list[str] = []
    for r in rows(tables, "early_revocation_criteria"):
        key = str(r["input"])
        if key not in known:
            raise ValueError(f"early_revocation_criteria row {r['id']!r}: unknown input {key!r}")
        state = known[key]
        word = "met" if state else "not met" if state is False else "unknown"
        reasons.append(f"{r['criterion']}: {word}")
        if state is False:
            unmet.append(key)
        elif state is None:
            unknown.append(key)
    if unmet:
        outcome = "criteria_not_met"
        suggestion = "Early revocation was not indicated: not every criterion is met."
    elif unknown:
        outcome = "unknown"
        suggestion = "Check the remaining criteria; early revocation is appropriate only when all five are met."
    else:
        outcome = "criteria_met"
        suggestion = (
            "All five criteria are met: an application to revoke the order early for good progress was appropriate."
        )
    return RuleResult(RULE_ID, TITLE, INFORMS, outcome, suggestion, tuple(reasons), tuple(unknown))
