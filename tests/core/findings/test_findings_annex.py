"""Annex 1: characteristics of the sample."""

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
