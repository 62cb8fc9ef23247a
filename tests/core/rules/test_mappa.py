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


# --- Every word the assessor reads --------------------------------------------------------------

HIGH_LEVEL = ("High or very high RoSH: Level 2 multi-agency management is indicated; Level 3 where senior"
              " representation or significant resources at short notice are needed.")
LOW_LEVEL = ("Level 1 (ordinary agency management) unless multi-agency management adds value or active"
             " coordination of other agencies is needed (Level 2), or media or public interest calls for Level 3.")


def _level(**details: Any) -> tuple[Any, ...]:
    r = mappa_level(details)
    assert (r.rule_id, r.title, r.informs) == ("mappa_level", "MAPPA level of management", ("B.4.1.18",))
    return (r.outcome, r.suggestion, r.reasons, r.missing)


def test_the_level_suggestion_names_the_category_the_rosh_and_a_recorded_level_below_it() -> None:
    assert _level(mappa_category="category_2", rosh_at_start="very_high", mappa_level="level_1") == (
        "level_2",
        HIGH_LEVEL + " It is recorded at Level 1, below what the RoSH indicates: check the reason.",
        ("MAPPA Category 2", "RoSH at start is very high", "Recorded at Level 1"),
        (),
    )
    # recorded at the level indicated, or above it: no warning
    assert _level(mappa_category="category_2", rosh_at_start="high", mappa_level="level_2") == (
        "level_2", HIGH_LEVEL, ("MAPPA Category 2", "RoSH at start is high", "Recorded at Level 2"), ())
    assert _level(mappa_category="category_1", rosh_at_start="low", mappa_level="level_3") == (
        "level_1", LOW_LEVEL, ("MAPPA Category 1", "RoSH at start is low", "Recorded at Level 3"), ())
    assert _level(mappa_category="category_3", rosh_at_start="medium") == (
        "level_1", LOW_LEVEL, ("MAPPA Category 3", "RoSH at start is medium"), ())


def test_the_level_waits_for_the_category_and_the_rosh() -> None:
    assert _level(mappa_category="none", rosh_at_start="high") == ("not_applicable", "Not a recorded MAPPA case.", (), ())
    assert _level(rosh_at_start="high") == ("unknown", "Not a recorded MAPPA case.", (), ("mappa_category",))
    assert _level(mappa_category="category_4") == ("unknown", "Not a recorded MAPPA case.", (), ("mappa_category",))
    for rosh in (None, "not_completed", ""):
        details = {"mappa_category": "category_1"} | ({} if rosh is None else {"rosh_at_start": rosh})
        assert _level(**details) == ("unknown", "Record the RoSH level.", (), ("rosh_at_start",))


def _visor(tables: Any, **details: Any) -> tuple[Any, ...]:
    r = visor_expected(details, tables)
    assert (r.rule_id, r.title, r.informs) == ("visor", "ViSOR record", ("B.4.1.14", "D.4.2.10"))
    return (r.outcome, r.suggestion, r.reasons, r.missing)


def test_the_visor_expectation_word_for_word(tables: Any) -> None:
    assert _visor(tables, mappa_category="category_1", mappa_level="level_1") == (
        "expected",
        "The case should have a ViSOR record (B.4.1.14), and ViSOR should be used in planning (D.4.2.10).",
        ("MAPPA Category 1 at Level 1", "\u2192 ViSOR record expected"), (),
    )
    assert _visor(tables, mappa_category="category_2", mappa_level="level_1") == (
        "not_usually", "Most such cases will not have a ViSOR record, although arrangements vary locally.",
        ("MAPPA Category 2 at Level 1", "\u2192 ViSOR record not usually expected"), (),
    )
    assert _visor(tables, mappa_category="none") == (
        "not_applicable", "Not a MAPPA case: no ViSOR record expected.", ("MAPPA category is none",), ())
    assert _visor(tables, mappa_category="category_2", mappa_level="none") == (
        "unknown", "Record the MAPPA category and level.", (), ("mappa_level",))
    assert _visor(tables, mappa_level="level_2") == (
        "unknown", "Record the MAPPA category and level.", (), ("mappa_category",))
    assert _visor(tables, mappa_category="category_9", mappa_level="level_2") == (
        "unknown", "No ViSOR expectation is set for this category and level.", ("MAPPA Category 9 at Level 2",), ())


CAT_2 = "The case meets the criteria for MAPPA Category 2; B.4.1.16 would be 'Yes'."
WOUNDING = "Wounding with intent to cause grievous bodily harm (s.18 Offences against the Person Act 1861)"


@pytest.mark.parametrize(
    ("details", "hospital", "expected"),
    [
        ({"sex_offender_notification": "yes", "sentence_type": "community_order", "mappa_category": "category_2"},
         None,
         ("category_1", "The case meets the criteria for MAPPA Category 1; B.4.1.16 would be 'Yes'. The case is "
          "recorded as Category 2: check it.", ("Subject to sex offender notification requirements \u2192 Category 1",),
          ())),
        ({"schedule15_offence": "p1-06", "custodial_length_months": 12, "mappa_category": "category_2"}, None,
         ("category_2", CAT_2, ("Licence determinate with custody of 12 months \u2265 12",
                                f"{WOUNDING}: Schedule 15 Part 1 offence with qualifying custody \u2192 Category 2"), ())),
        ({"schedule15_offence": "p2-01", "sentence_type": "community_order"}, True,
         ("category_2", CAT_2, ("Community order: no custodial sentence", "Rape (s.1 Sexual Offences Act 1956): "
                                "Schedule 15 Part 2 offence with qualifying hospital order \u2192 Category 2"), ())),
        ({"schedule15_offence": "p1-06", "custodial_length_months": 6}, None,
         ("unknown", "Record the missing details to decide the MAPPA category.",
          ("Licence determinate with custody of 6 months < 12", f"{WOUNDING}: Schedule 15 Part 1 offence"),
          ("hospital_order",))),
        ({"schedule15_offence": "p1-06", "custodial_length_months": 6}, False,
         ("none", "No MAPPA category is indicated by the recorded details (Category 3 remains a judgement).",
          ("Licence determinate with custody of 6 months < 12", f"{WOUNDING}: Schedule 15 Part 1 offence"), ())),
        ({"disqualified_from_working_with_children": "yes", "sentence_type": "community_order"}, None,
         ("category_2", CAT_2, ("Disqualified from working with children \u2192 Category 2",), ())),
        ({"rosh_at_start": "very_high", "mappa_category": "category_1"}, None,
         ("consider_category_3", "Not Category 1 or 2 on the recorded details. Consider Category 3 (other dangerous "
          "offender): it needs a judgement that the offence shows capacity for serious harm requiring multi-agency "
          "management.", ("RoSH at start is very high: capable of causing serious harm",), ())),
        ({"mappa_category": "category_1"}, None,
         ("none", "No MAPPA category is indicated by the recorded details (Category 3 remains a judgement). The case "
          "is recorded as Category 1: check it.", (), ())),
        ({"mappa_category": "none"}, None,
         ("none", "No MAPPA category is indicated by the recorded details (Category 3 remains a judgement).", (), ())),
    ],
)
def test_the_mappa_category_words(tables: Any, details: dict[str, Any], hospital: bool | None,
                                  expected: tuple[Any, ...]) -> None:
    r = mappa_category(case(**details), tables, hospital_order=hospital)
    assert (r.rule_id, r.title, r.informs) == ("mappa_category", "MAPPA category", ("B.4.1.16",))
    assert (r.outcome, r.suggestion, r.reasons, r.missing) == expected


def test_the_mappa_category_lists_each_missing_detail(tables: Any) -> None:
    r = mappa_category({}, tables)
    assert (r.outcome, r.missing) == (
        "unknown", ("sex_offender_notification", "schedule15_offence", "disqualified_from_working_with_children"))


COMMUNITY_TEXT = "Community cases referred to MAPPA within ten days of the assessment that they meet the criteria"
CUSTODY_TEXT = "Custody cases meeting Level 2 or 3 criteria referred no later than six months before release"


def test_the_mappa_referral_results_word_for_word(tables: Any) -> None:
    from caseassess_core.rules.base import RuleResult

    rule = ("mappa_referral", "MAPPA referral timescale", ("B.4.1.20",))
    assert mappa_referral({}, tables) == RuleResult(*rule, "unknown", "Record the MAPPA level.", (), ("mappa_level",))
    assert mappa_referral({"mappa_level": "none"}, tables) == RuleResult(*rule, "not_applicable", "Not a MAPPA case.")
    assert mappa_referral({"mappa_level": "level_1"}, tables, in_custody=True) == RuleResult(
        *rule, "not_required", "Level 1 cases no longer need to be notified to MAPPA.", ("MAPPA Level 1",))
    level_2 = {"mappa_level": "level_2"}
    assert mappa_referral(level_2, tables) == RuleResult(
        *rule, "unknown", "Say whether the case was in custody when assessed.", ("MAPPA Level 2",), ("in_custody",))
    assert mappa_referral(level_2, tables, in_custody=False) == RuleResult(
        *rule, "unknown", "Record the date the timescale runs from.", ("MAPPA Level 2",),
        ("mappa_criteria_assessed_date",))
    assert mappa_referral(level_2, tables, in_custody=True, criteria_met_date=date(2013, 12, 20)) == RuleResult(
        *rule, "unknown", "Record the date the timescale runs from.", ("MAPPA Level 2",), ("release_date",))
    # criteria met Friday 20 December 2013: ten working days (Christmas, Boxing Day, New Year skipped) -> 8 January
    due = date(2014, 1, 8)
    counted = ("MAPPA Level 2", f"{COMMUNITY_TEXT}: due by 8 January 2014")
    assert mappa_referral(level_2, tables, in_custody=False, criteria_met_date=date(2013, 12, 20)) == RuleResult(
        *rule, "unknown", "Referral due by 8 January 2014.", counted, ("mappa_referral_date",), due)
    assert mappa_referral(level_2, tables, in_custody=False, criteria_met_date=date(2013, 12, 20),
                          referral_date=due) == RuleResult(
        *rule, "met", "Referred within the timescale.", (*counted, "Referred 8 January 2014 \u2264 due 8 January 2014"),
        (), due)
    # custody: released 31 August 2014, six months before -> 28 February 2014 (the last day of the shorter month)
    custody = {"mappa_level": "level_3", "release_date": "2014-08-31"}
    assert mappa_referral(custody, tables, in_custody=True, referral_date=date(2014, 3, 1)) == RuleResult(
        *rule, "not_met", "Referred later than the timescale.",
        ("MAPPA Level 3", f"{CUSTODY_TEXT}: due by 28 February 2014", "Referred 1 March 2014 > due 28 February 2014"),
        (), date(2014, 2, 28))
