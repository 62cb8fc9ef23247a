from __future__ import annotations

from typing import Any

import pytest

from caseassess_core.rules.oasys_layer import expected_oasys_layer


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"tier": "tier_4"}, "full"),
        ({"tier": "tier_3"}, "full"),
        ({"tier": "tier_2"}, "standard"),
        ({"tier": "tier_1"}, "basic"),
        ({"tier": "tier_1", "ppo": "yes"}, "full"),
        ({"tier": "tier_2", "iom": "yes"}, "full"),
        ({"tier": "tier_2", "requirements": ["unpaid_work"]}, "basic"),
        ({"tier": "tier_2", "requirements": ["unpaid_work", "supervision"]}, "standard"),
        ({"requirements": ["unpaid_work"]}, "basic"),
        ({}, "unknown"),
    ],
)
def test_it_expects_the_oasys_layer_for_the_tier(tables: Any, details: dict[str, Any], expected: str) -> None:
    result = expected_oasys_layer(details, tables)
    assert result.outcome == expected
    assert result.informs == ("B.3.1.1",)


def test_it_uses_a_given_tier_when_none_is_recorded(tables: Any) -> None:
    assert expected_oasys_layer({}, tables, tier="tier_3").outcome == "full"


def test_it_says_b_3_1_1_does_not_apply_to_standalone_unpaid_work(tables: Any) -> None:
    result = expected_oasys_layer({"requirements": ["unpaid_work"], "tier": "tier_1"}, tables)
    assert "does not apply" in result.suggestion
