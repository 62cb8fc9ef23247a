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
