from __future__ import annotations

import re
from typing import Any

import pytest

from caseassess_core.rules.tiering import indicative_tier

SUP = ["supervision"]


def case(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sentence_type": "community_order", "requirements": SUP, "rosh_at_start": "low", "ogp_score": 10,
        "interventions": [], "ppo": "no", "mappa_level": "none",
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"requirements": ["unpaid_work"], "rosh_at_start": "medium"}, "tier_1"),
        ({"requirements": ["unpaid_work", "curfew"]}, "tier_1"),
        ({"requirements": ["unpaid_work", "attendance_centre"]}, "tier_1"),
        ({}, "tier_1"),
        ({"rosh_at_start": "medium"}, "tier_3"),
        ({"rosh_at_start": "high"}, "tier_4"),
        ({"rosh_at_start": "very_high"}, "tier_4"),
        ({"sentence_type": "licence_determinate", "requirements": []}, "tier_1"),
        ({"sentence_type": "licence_indeterminate", "rosh_at_start": "high"}, "tier_4"),
        ({"sentence_type": "suspended_sentence_order", "rosh_at_start": "medium"}, "tier_3"),
        ({"interventions": ["cognitive_skills_booster"]}, "tier_2"),
        ({"interventions": ["accredited_programme"]}, "tier_3"),
        ({"interventions": ["drr_low"]}, "tier_2"),
        ({"interventions": ["drr_medium"]}, "tier_3"),
        ({"interventions": ["drr_high"]}, "tier_3"),
        ({"interventions": ["did_liap"]}, "tier_1_or_tier_2"),
        ({"interventions": ["atr"]}, "tier_1_or_tier_2"),
        ({"interventions": ["activity_requirement"]}, "tier_1_or_tier_2"),
        ({"interventions": ["atr", "drr_low"]}, "tier_2"),
        ({"interventions": ["atr"], "rosh_at_start": "medium"}, "tier_3"),
        ({"requirements": ["unpaid_work"], "ppo": "yes"}, "tier_4"),
        ({"mappa_level": "level_2"}, "tier_4"),
        ({"mappa_level": "level_3"}, "tier_4"),
        ({"mappa_level": "level_1"}, "tier_1"),
    ],
)
def test_it_takes_the_furthest_right_tick_of_the_rows_that_apply(
    tables: Any, details: dict[str, Any], expected: str
) -> None:
    assert indicative_tier(case(**details), tables).outcome == expected


@pytest.mark.parametrize(
    ("score_field", "score", "expected"),
    [
        ("ogp_score", 0, "tier_1"), ("ogp_score", 33, "tier_1"), ("ogp_score", 34, "tier_2"),
        ("ogp_score", 66, "tier_2"), ("ogp_score", 67, "tier_3"), ("ogp_score", 84, "tier_3"),
        ("ogp_score", 85, "tier_4"), ("ogp_score", 100, "tier_4"), ("ogp_score", 33.4, "tier_1"),
        ("ogp_score", 33.5, "tier_2"),
        ("ogrs_score", 49, "tier_1"), ("ogrs_score", 50, "tier_2"), ("ogrs_score", 74, "tier_2"),
        ("ogrs_score", 75, "tier_3"), ("ogrs_score", 89, "tier_3"), ("ogrs_score", 90, "tier_4"),
    ],
)
def test_it_places_ogp_and_ogrs_scores_in_the_bands_the_table_states(
    tables: Any, score_field: str, score: float, expected: str
) -> None:
    details = case(ogp_score=None)
    details[score_field] = score
    assert indicative_tier(details, tables).outcome == expected


def test_it_prefers_ogp_over_ogrs_when_both_are_recorded(tables: Any) -> None:
    result = indicative_tier(case(ogp_score=20, ogrs_score=95), tables)
    assert result.outcome == "tier_1"
    assert any("OGP" in r for r in result.reasons)


def test_it_ignores_scores_and_rosh_for_a_community_order_without_supervision(tables: Any) -> None:
    details = case(requirements=["unpaid_work"], rosh_at_start="high", ogp_score=95)
    assert indicative_tier(details, tables).outcome == "tier_1"


def test_it_applies_a_local_determination_override_for_did_liap(tables: Any) -> None:
    details = case(interventions=["did_liap"])
    assert indicative_tier(details, tables, local_overrides={"did_liap": "tier_1"}).outcome == "tier_1"
    result = indicative_tier(details, tables, local_overrides={"atr": "tier_3"})
    assert result.outcome == "tier_1_or_tier_2"
    result = indicative_tier(case(interventions=["atr"]), tables, local_overrides={"atr": "tier_3"})
    assert result.outcome == "tier_3"
    assert any("local determination" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("interventions", "overrides", "expected", "note"),
    [
        (["atr"], {"atr": "tier_3"}, "tier_3", "Alcohol Treatment Requirement or licence equivalent counts as Tier 3 (local determination)"),
        (["activity_requirement"], {"activity_requirement": "tier_4"}, "tier_4",
         "Activity Requirement or licence equivalent counts as Tier 4 (local determination)"),
        (["did_liap"], {"did_liap": "tier_2"}, "tier_2", "DID or LIAP counts as Tier 2 (local determination)"),
    ],
)
def test_the_suggestion_says_which_rows_the_area_set_by_local_determination(
    tables: Any, interventions: list[str], overrides: dict[str, str], expected: str, note: str
) -> None:
    result = indicative_tier(case(interventions=interventions), tables, local_overrides=overrides)
    assert result.outcome == expected
    assert f"In this area {note}." in result.suggestion


def test_an_override_of_a_row_the_case_does_not_tick_is_not_mentioned(tables: Any) -> None:
    result = indicative_tier(case(interventions=["did_liap"]), tables, local_overrides={"atr": "tier_4"})
    assert result.outcome == "tier_1_or_tier_2"
    assert "(local determination)" not in result.suggestion
    assert not any(r.endswith("(local determination)") for r in result.reasons)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ppo": "tier_1"}, "tiering grid row 'ppo' is not for local determination"),
        ({"no_such_row": "tier_1"}, "local override for unknown tiering grid row 'no_such_row'"),
        ({"did_liap": "tier_5"}, "local override 'did_liap' -> 'tier_5': tier must be one of tier_1, tier_2, tier_3, tier_4"),
    ],
)
def test_it_refuses_overrides_of_rows_not_left_to_local_determination(tables: Any, overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        indicative_tier(case(), tables, local_overrides=overrides)


def test_it_lists_each_fact_that_fired_as_a_reason(tables: Any) -> None:
    result = indicative_tier(case(rosh_at_start="high", ogp_score=50, interventions=["drr_low"]), tables)
    assert result.outcome == "tier_4"
    assert result.informs == ("case.tier", "C.2.1.1", "C.2.1.2")
    assert len(result.reasons) == 3
    assert any("RoSH at start is high" in r and "Tier 4" in r for r in result.reasons)


def test_it_names_missing_details_and_says_the_tier_may_be_higher(tables: Any) -> None:
    result = indicative_tier({"sentence_type": "community_order", "requirements": SUP}, tables)
    assert result.outcome == "undetermined"
    assert set(result.missing) >= {"rosh_at_start", "ogp_score or ogrs_score", "interventions", "ppo", "mappa_level"}
    result = indicative_tier({"sentence_type": "licence_determinate", "rosh_at_start": "medium"}, tables)
    assert result.outcome == "tier_3"
    assert "at least" in result.suggestion


def test_it_treats_rosh_not_completed_as_missing(tables: Any) -> None:
    assert "rosh_at_start" in indicative_tier(case(rosh_at_start="not_completed"), tables).missing


def test_it_points_to_c_2_1_2_when_the_allocated_tier_differs(tables: Any) -> None:
    result = indicative_tier(case(rosh_at_start="medium", tier="tier_2"), tables)
    assert "C.2.1.2" in result.suggestion
    result = indicative_tier(case(rosh_at_start="medium", tier="tier_3"), tables)
    assert "matches" in result.suggestion


def test_it_takes_the_grid_from_the_table_not_the_code(tables: Any) -> None:
    from caseassess_core.instrument.schema import Table

    grid = tables["tiering_grid"]
    rows = [dict(r, tier_3=False, tier_2=True) if r["id"] == "rosh_medium" else r for r in grid.rows]
    changed = dict(tables, tiering_grid=Table(id=grid.id, title=grid.title, columns=grid.columns, rows=rows))
    assert indicative_tier(case(rosh_at_start="medium"), changed).outcome == "tier_2"


@pytest.mark.parametrize("row", ["did_liap", "atr", "activity_requirement"])
def test_a_row_left_to_local_determination_and_not_set_is_tier_1_or_tier_2_never_a_confident_tier_2(
    tables: Any, row: str
) -> None:
    # Guide Appendix 2 leaves these rows "for local determination"; with nothing set by the area the
    # tool cannot know which column the area ticks.
    result = indicative_tier(case(interventions=[row]), tables)
    assert result.outcome == "tier_1_or_tier_2"
    assert "Tier 1 or Tier 2 (local determination not set)" in result.suggestion
    assert "Tier 2." not in result.suggestion
