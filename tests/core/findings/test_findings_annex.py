"""Annex 1: characteristics of the sample."""

import pytest
from golden_programme import CASES

from caseassess_core.findings import CaseCount, sample_characteristics
from caseassess_core.findings.annex import pct_label
from caseassess_core.instrument.schema import AnswerType, CaseDetailField, Instrument, Option


def test_each_value_gets_its_number_and_percentage_of_cases():
    gender, tier = sample_characteristics(CASES)
    assert (gender.field, gender.total) == ("gender", 100)
    assert [(v.value, v.n, v.pct_label) for v in gender.values] == [("male", 88, "88%"), ("female", 12, "12%")]
    # 1/1000 = 0.1%: the seed prints small shares with one decimal ("Unallocated 0.1%")
    assert [(v.label, v.n, v.pct, v.pct_label) for v in tier.values] == [
        ("tier_1", 999, 99.9, "100%"),
        ("unallocated", 1, 0.1, "0.1%"),
        ("Not recorded", 0, 0.0, "0%"),
    ]


def test_labels_and_value_order_come_from_the_instrument():
    ins = Instrument(
        id="x",
        title="x",
        version="1",
        case_details=[
            CaseDetailField(
                id="gender",
                label="Gender",
                type=AnswerType.SINGLE_CHOICE,
                options=[Option(value="female", label="Female"), Option(value="male", label="Male")],
            )
        ],
    )
    (gender,) = sample_characteristics(CASES + [CaseCount("gender", None, 5)], ins, fields=["gender"])
    assert gender.label == "Gender"
    assert [(v.label, v.n, v.pct_label) for v in gender.values] == [
        ("Female", 12, "11%"),  # 12/105 = 11.4%
        ("Male", 88, "84%"),  # 88/105 = 83.8%
        ("Not recorded", 5, "5%"),  # 5/105 = 4.76%
    ]


def test_small_shares_round_half_up_to_one_decimal():
    assert pct_label(1, 2213) == "<0.1%"  # 0.045% would print as 0.0% although there is a case
    assert pct_label(1, 1000) == "0.1%"
    assert pct_label(1, 2001) == "<0.1%"  # 0.04998% is below 0.05%: it rounds down
    assert pct_label(1, 1999) == "0.1%"  # 0.05003% rounds up
    assert pct_label(5, 1000) == "0.5%"
    assert pct_label(10, 1000) == "1%"
    assert pct_label(199, 20000) == "1%"  # 0.995% rounds up to 1.0%, printed as a whole 1%
    assert pct_label(0, 0) == ""


def _gender_instrument():
    return Instrument(
        id="x",
        title="x",
        version="1",
        case_details=[
            CaseDetailField(
                id="gender",
                label="Gender",
                type=AnswerType.SINGLE_CHOICE,
                options=[Option(value="female", label="Female"), Option(value="male", label="Male")],
            )
        ],
    )


def test_instrument_options_come_first_then_unknown_values_by_number_then_not_recorded():
    rows = [
        CaseCount("gender", None, 7),
        CaseCount("gender", "zeta", 3),  # not an option of the instrument
        CaseCount("gender", "male", 1),
        CaseCount("gender", "alpha", 3),  # same number as "zeta": alphabetical
        CaseCount("gender", "other", 9),  # more cases than any option, still after them
        CaseCount("gender", "female", 2),
        CaseCount("gender", "unused", 0),  # an unknown value with no cases still comes before "Not recorded"
    ]
    (gender,) = sample_characteristics(rows, _gender_instrument())
    # total 7 + 3 + 1 + 3 + 9 + 2 = 25
    assert [(v.label, v.n, v.pct, v.pct_label) for v in gender.values] == [
        ("Female", 2, 8.0, "8%"),
        ("Male", 1, 4.0, "4%"),
        ("other", 9, 36.0, "36%"),
        ("alpha", 3, 12.0, "12%"),
        ("zeta", 3, 12.0, "12%"),
        ("unused", 0, 0.0, "0%"),
        ("Not recorded", 7, 28.0, "28%"),
    ]


def test_without_an_instrument_values_go_by_number_then_name_and_not_recorded_is_last():
    rows = [("area", None, 50), ("area", "b", 1), ("area", "c", 2), ("area", "a", 1), ("area", "b", 2)]
    (area,) = sample_characteristics(rows)
    # repeated rows are summed: b = 1 + 2 = 3; total 50 + 3 + 2 + 1 = 56
    assert (area.label, area.total) == ("area", 56)
    assert [(v.value, v.label, v.n) for v in area.values] == [
        ("b", "b", 3),
        ("c", "c", 2),
        ("a", "a", 1),
        (None, "Not recorded", 50),
    ]
    # one decimal, half up: 3/56 = 5.357% -> 5.4; 2/56 = 3.571% -> 3.6; 1/56 = 1.786% -> 1.8;
    # 50/56 = 89.286% -> 89.3
    assert [v.pct for v in area.values] == [5.4, 3.6, 1.8, 89.3]
    assert [v.pct_label for v in area.values] == ["5%", "4%", "2%", "89%"]


def test_a_field_the_instrument_does_not_define_keeps_its_own_names_and_the_fields_order():
    rows = [CaseCount("gender", "male", 2), CaseCount("tier", "tier_2", 1), CaseCount("tier", "tier_1", 3)]
    tier, gender, missing = sample_characteristics(rows, _gender_instrument(), fields=["tier", "gender", "age"])
    assert (tier.label, [(v.label, v.n) for v in tier.values]) == ("tier", [("tier_1", 3), ("tier_2", 1)])
    assert (gender.label, [(v.label, v.pct) for v in gender.values]) == ("Gender", [("Male", 100.0)])
    # a field with no cases at all: an empty table, nothing divided by zero
    assert (missing.field, missing.total, missing.values) == ("age", 0, ())


def test_a_field_whose_counts_are_all_zero_shows_zero_percent_and_no_label():
    (field,) = sample_characteristics([CaseCount("gender", "male", 0)])
    assert [(v.n, v.pct, v.pct_label) for v in field.values] == [(0, 0.0, "")]


def test_a_negative_count_is_refused_naming_the_row():
    with pytest.raises(ValueError, match=r"^case count \('gender', 'male', -1\): negative count$"):
        sample_characteristics([CaseCount("gender", "female", 3), CaseCount("gender", "male", -1)])


def test_shares_at_and_around_one_percent():
    # exactly 1%: a whole 1%, never "1.0%" or "0.10%"
    assert pct_label(1, 100) == "1%"
    assert pct_label(3, 300) == "1%"
    # 0.94%: one decimal, 9400 / 10000 -> 0.9%; 0.95% rounds half up to 1.0% -> printed "1%"
    assert pct_label(94, 10000) == "0.9%"
    assert pct_label(95, 10000) == "1%"
    # 1.5% -> 2% (half up, not to even), 2.5% -> 3%
    assert pct_label(3, 200) == "2%"
    assert pct_label(5, 200) == "3%"
    assert pct_label(0, 7) == "0%"
