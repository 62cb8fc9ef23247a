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
