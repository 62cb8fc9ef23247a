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


def test_the_oasys_layer_words(tables: Any) -> None:
    from caseassess_core.rules.base import RuleResult

    rule = ("oasys_layer", "Expected OASys layer", ("B.3.1.1",))
    upw = {"requirements": ["unpaid_work"], "tier": "tier_2", "ppo": "no", "iom": "no"}
    assert expected_oasys_layer(upw, tables) == RuleResult(
        *rule, "basic",
        "A basic layer OASys is expected (Standalone unpaid work). B.3.1.1 does not apply to standalone unpaid work "
        "cases with a basic layer OASys.",
        ("Standalone unpaid work \u2192 basic layer",), (),
    )
    # a tier given in place of the recorded one is named in the reason; "ppo" and "iom" not recorded yet
    assert expected_oasys_layer({}, tables, tier="tier_2") == RuleResult(
        *rule, "standard", "A standard layer OASys is expected (Managed at Tier 2).",
        ("Managed at Tier 2 \u2192 standard layer (Tier 2 as given)",), ("ppo", "iom", "requirements"),
    )
    assert expected_oasys_layer({"tier": "tier_3"}, tables) == RuleResult(
        *rule, "full", "A full layer OASys is expected (Managed at Tier 3).", ("Managed at Tier 3 \u2192 full layer",),
        ())
    # a "tier" value that is a single string, never a list: it is not read as requirements
    assert expected_oasys_layer({"tier": "unpaid_work", "requirements": ["supervision"], "ppo": "no", "iom": "no"},
                                tables).outcome == "unknown"
