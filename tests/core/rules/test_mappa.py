from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caseassess_core.rules.mappa import mappa_category, mappa_level, mappa_referral, visor_expected


def case(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sentence_type": "licence_determinate", "custodial_length_months": 24, "schedule15_offence": "none",
        "sex_offender_notification": "no", "disqualified_from_working_with_children": "no", "rosh_at_start": "low",
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("details", "hospital", "expected"),
    [
        ({"sex_offender_notification": "yes", "sentence_type": "community_order"}, None, "category_1"),
        ({"schedule15_offence": "p1-06", "custodial_length_months": 12}, None, "category_2"),
        ({"schedule15_offence": "p1-06", "custodial_length_months": 11.9}, False, "none"),
        ({"schedule15_offence": "p1-06", "sentence_type": "community_order"}, True, "category_2"),
        ({"disqualified_from_working_with_children": "yes", "sentence_type": "community_order"}, None, "category_2"),
        ({"rosh_at_start": "high"}, None, "consider_category_3"),
        ({}, None, "none"),
    ],
)
def test_it_suggests_the_mappa_category(
    tables: Any, details: dict[str, Any], hospital: bool | None, expected: str
) -> None:
    result = mappa_category(case(**details), tables, hospital_order=hospital)
    assert result.outcome == expected
    assert result.informs == ("B.4.1.16",)


def test_it_only_ever_suggests_category_3_as_consider(tables: Any) -> None:
    result = mappa_category(case(rosh_at_start="very_high"), tables)
    assert result.outcome == "consider_category_3"
    assert "Consider" in result.suggestion


def test_it_asks_for_the_hospital_order_when_custody_is_short(tables: Any) -> None:
    result = mappa_category(case(schedule15_offence="p1-06", custodial_length_months=6), tables)
    assert result.outcome == "unknown"
    assert "hospital_order" in result.missing


@pytest.mark.parametrize(
    ("category", "rosh", "expected"),
    [("category_1", "low", "level_1"), ("category_2", "high", "level_2"), ("category_2", "very_high", "level_2"),
     ("none", "high", "not_applicable")],
)
def test_it_suggests_the_lowest_safe_level(category: str, rosh: str, expected: str) -> None:
    assert mappa_level({"mappa_category": category, "rosh_at_start": rosh}).outcome == expected


@pytest.mark.parametrize(
    ("category", "level", "expected"),
    [
        ("category_1", "level_1", "expected"), ("category_1", "level_3", "expected"),
        ("category_2", "level_2", "expected"), ("category_3", "level_3", "expected"),
        ("category_2", "level_1", "not_usually"), ("category_3", "level_1", "not_usually"),
        ("none", "none", "not_applicable"),
    ],
)
def test_it_expects_a_visor_record_for_category_1_and_levels_2_and_3(
    tables: Any, category: str, level: str, expected: str
) -> None:
    result = visor_expected({"mappa_category": category, "mappa_level": level}, tables)
    assert result.outcome == expected
    assert result.informs == ("B.4.1.14", "D.4.2.10")


def test_it_expects_community_referral_within_ten_working_days(tables: Any) -> None:
    details = {"mappa_level": "level_2"}
    result = mappa_referral(details, tables, in_custody=False, criteria_met_date=date(2013, 12, 20),
                            referral_date=date(2014, 1, 8))
    # 23, 24, 27, 30, 31 Dec, 2, 3, 6, 7, 8 Jan: Christmas, Boxing Day and New Year's Day skipped
    assert result.due_date == date(2014, 1, 8)
    assert result.outcome == "met"
    late = mappa_referral(details, tables, in_custody=False, criteria_met_date=date(2013, 12, 20),
                          referral_date=date(2014, 1, 9))
    assert late.outcome == "not_met"


def test_it_expects_custody_referral_six_months_before_release(tables: Any) -> None:
    details = {"mappa_level": "level_3", "release_date": "2014-08-31"}
    result = mappa_referral(details, tables, in_custody=True, referral_date=date(2014, 3, 1))
    assert result.due_date == date(2014, 2, 28)
    assert result.outcome == "not_met"


def test_it_needs_no_referral_at_level_1(tables: Any) -> None:
    assert mappa_referral({"mappa_level": "level_1"}, tables).outcome == "not_required"
