from __future__ import annotations

from typing import Any

import pytest

from caseassess_core.rules.early_revocation import early_revocation

CO = {"sentence_type": "community_order"}
ALL = {"sustained_compliance": True, "requirements_completed": True, "needs_met": True,
       "low_risk_of_harm": True, "likelihood_stabilised": True}


def test_it_is_met_only_when_all_five_criteria_are_met(tables: Any) -> None:
    result = early_revocation(CO, tables, **ALL)
    assert result.outcome == "criteria_met"
    assert len(result.reasons) == 5
    assert result.informs == ("E.2.3.7",)


@pytest.mark.parametrize("criterion", sorted(ALL))
def test_one_unmet_criterion_is_enough_to_rule_it_out(tables: Any, criterion: str) -> None:
    result = early_revocation(CO, tables, **dict(ALL, **{criterion: False}))
    assert result.outcome == "criteria_not_met"


def test_it_lists_the_unknown_criteria_as_missing(tables: Any) -> None:
    result = early_revocation(CO, tables, sustained_compliance=True, needs_met=False)
    assert result.outcome == "criteria_not_met"
    assert result.missing == ("requirements_completed", "low_risk_of_harm", "likelihood_stabilised")
    result = early_revocation(CO, tables, sustained_compliance=True)
    assert result.outcome == "unknown"


def test_it_applies_to_community_orders_only(tables: Any) -> None:
    assert early_revocation({"sentence_type": "licence_determinate"}, tables, **ALL).outcome == "not_applicable"


CRITERIA = (
    "The offender has demonstrated sustained compliance with the order",
    "All of the specific requirements of the order have been completed",
    "The needs associated with the likelihood of offending have been met",
    "The offender is assessed as presenting a low risk of harm",
    "The likelihood of offending is assessed as having stabilised or reduced",
)


def _said(result: Any) -> tuple[Any, ...]:
    assert (result.rule_id, result.title, result.informs) == (
        "early_revocation", "Early revocation for good progress", ("E.2.3.7",))
    return (result.outcome, result.suggestion, result.reasons, result.missing)


def test_each_criterion_is_reported_met_not_met_or_unknown_word_for_word(tables: Any) -> None:
    assert _said(early_revocation({"sentence_type": "suspended_sentence_order"}, tables, **ALL)) == (
        "criteria_met",
        "All five criteria are met: an application to revoke the order early for good progress was appropriate.",
        tuple(f"{c}: met" for c in CRITERIA), (),
    )
    mixed = early_revocation(CO, tables, sustained_compliance=True, requirements_completed=False, needs_met=None,
                             low_risk_of_harm=True)
    assert _said(mixed) == (
        "criteria_not_met", "Early revocation was not indicated: not every criterion is met.",
        (f"{CRITERIA[0]}: met", f"{CRITERIA[1]}: not met", f"{CRITERIA[2]}: unknown", f"{CRITERIA[3]}: met",
         f"{CRITERIA[4]}: unknown"),
        ("needs_met", "likelihood_stabilised"),
    )
    assert _said(early_revocation(CO, tables, **dict(ALL, low_risk_of_harm=None))) == (
        "unknown", "Check the remaining criteria; early revocation is appropriate only when all five are met.",
        tuple(f"{c}: {'unknown' if i == 3 else 'met'}" for i, c in enumerate(CRITERIA)), ("low_risk_of_harm",),
    )


def test_other_sentences_and_a_missing_sentence_type(tables: Any) -> None:
    assert _said(early_revocation({"sentence_type": "licence_determinate"}, tables, **ALL)) == (
        "not_applicable",
        "E.2.3.7 applies to community orders only (suspended sentence orders are classed as community orders for "
        "inspection).",
        ("Sentence is licence determinate",), (),
    )
    assert _said(early_revocation({}, tables, **ALL)) == ("unknown", "Record the sentence type.", (), ("sentence_type",))


def test_a_criteria_table_naming_an_unknown_input_is_refused(tables: Any) -> None:
    from caseassess_core.instrument.schema import Table

    bad = dict(tables)
    bad["early_revocation_criteria"] = Table(
        id="early_revocation_criteria", title="t", source="s", columns=["id", "criterion", "input"],
        rows=[{"id": "x1", "criterion": "Something else", "input": "good_weather"}],
    )
    with pytest.raises(ValueError, match=r"^early_revocation_criteria row 'x1': unknown input 'good_weather'$"):
        early_revocation(CO, bad, **ALL)
