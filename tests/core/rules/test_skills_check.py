from __future__ import annotations

from typing import Any

import pytest

from caseassess_core.rules.skills_check import first_move_band


@pytest.mark.parametrize(
    ("score", "band", "signpost"),
    [
        (100, "band_60_plus", False), (60, "band_60_plus", False), (59, "band_40_59", True),
        (59.5, "band_40_59", True), (40, "band_40_59", True), (39, "band_below_40", True),
        (0, "band_below_40", True),
    ],
)
def test_it_bands_the_score_and_signposts_at_59_and_under(tables: Any, score: float, band: str, signpost: bool) -> None:
    result = first_move_band({"first_move_score": score}, tables)
    assert result.outcome == band
    assert ("signpost: yes" in result.reasons) is signpost
    assert result.informs == ("C.2.1.11",)


def test_it_asks_for_the_score_when_none_is_recorded(tables: Any) -> None:
    assert first_move_band({}, tables).missing == ("first_move_score",)


def test_the_skills_check_words(tables: Any) -> None:
    from caseassess_core.instrument.schema import Table
    from caseassess_core.rules.base import RuleResult

    rule = ("skills_check", "First Move skills check", ("C.2.1.11",))
    assert first_move_band({"first_move_score": 59.5}, tables) == RuleResult(
        *rule, "band_40_59",
        "The offender should have been signposted to a service for a full diagnostic assessment of skills"
        " development needs (C.2.1.11).",
        ("First Move score 59.5 \u2265 40 \u2192 band_40_59: Will have skills development needs.",
         "signpost: yes"),
    )
    assert first_move_band({"first_move_score": 60}, tables) == RuleResult(
        *rule, "band_60_plus", "Signposting for a diagnostic assessment is not required by the score.",
        ("First Move score 60 \u2265 60 \u2192 band_60_plus: Unlikely to have significant skills needs but may well"
         " have very specific skills needs (e.g. spelling).", "signpost: no"),
    )
    assert first_move_band({}, tables) == RuleResult(
        *rule, "unknown", "No First Move score recorded: was the screening done where literacy difficulties exist?",
        (), ("first_move_score",))
    # a table whose lowest band starts at 20: a score of 10 is below every band
    high_only = dict(tables, first_move_bands=Table(
        id="first_move_bands", title="t", source="s", columns=["id", "min", "meaning", "signpost"],
        rows=[{"id": "band_20_plus", "min": 20, "meaning": "m", "signpost": False}]))
    assert first_move_band({"first_move_score": 10}, high_only) == RuleResult(
        *rule, "unknown", "Score 10 is below every band.", (), ())
