from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caseassess_core.rules.timescales import (
    add_months,
    add_working_days,
    first_appointment_timescale,
    is_working_day,
    sentence_plan_timescale,
    weekly_contact,
)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2013, 12, 24), 2, date(2013, 12, 30)),  # Christmas Day and Boxing Day skipped
        (date(2014, 4, 17), 1, date(2014, 4, 22)),  # Good Friday, the weekend and Easter Monday skipped
        (date(2014, 4, 16), 2, date(2014, 4, 22)),
        (date(2013, 10, 4), 1, date(2013, 10, 7)),  # Friday to Monday
        (date(2013, 10, 7), 0, date(2013, 10, 7)),
        (date(2014, 4, 22), -1, date(2014, 4, 17)),
    ],
)
def test_it_counts_working_days_skipping_weekends_and_bank_holidays(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_it_knows_the_england_and_wales_bank_holidays() -> None:
    assert not is_working_day(date(2014, 4, 18))
    assert not is_working_day(date(2014, 4, 21))
    assert is_working_day(date(2014, 4, 22))
    assert not is_working_day(date(2014, 4, 22), extra_holidays=[date(2014, 4, 22)])


def test_it_keeps_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2014, 8, 31), -6) == date(2014, 2, 28)


HIGH_CO = {"sentence_type": "community_order", "rosh_at_start": "high", "sentence_date": "2013-12-24"}


def test_high_rosh_first_appointment_is_due_within_two_working_days(tables: Any) -> None:
    result = first_appointment_timescale(HIGH_CO, tables, first_appointment_date=date(2013, 12, 30))
    assert (result.outcome, result.due_date) == ("met", date(2013, 12, 30))
    late = first_appointment_timescale(HIGH_CO, tables, first_appointment_date=date(2013, 12, 31))
    assert late.outcome == "not_met"
    assert first_appointment_timescale(HIGH_CO, tables, first_appointment_date=None).outcome == "unknown"


def test_low_rosh_first_appointment_has_no_prescribed_timescale(tables: Any) -> None:
    details = dict(HIGH_CO, rosh_at_start="medium")
    assert first_appointment_timescale(details, tables, first_appointment_date=None).outcome == "not_applicable"


@pytest.mark.parametrize(
    ("seen", "expected"),
    [(date(2014, 4, 17), "met"), (date(2014, 4, 22), "met"), (date(2014, 4, 23), "not_met")],
)
def test_licence_cases_are_seen_on_release_or_the_next_working_day(tables: Any, seen: date, expected: str) -> None:
    details = {"sentence_type": "licence_determinate", "release_date": "2014-04-17", "rosh_at_start": "low"}
    result = first_appointment_timescale(details, tables, first_appointment_date=seen)
    assert result.due_date == date(2014, 4, 22)
    assert result.outcome == expected


def test_high_rosh_sentence_plan_is_due_within_fifteen_working_days(tables: Any) -> None:
    details = dict(HIGH_CO, sentence_date="2014-04-01")
    # April 2014: Good Friday 18th and Easter Monday 21st push the 15th working day to the 24th
    result = sentence_plan_timescale(details, tables, sentence_plan_date=date(2014, 4, 24))
    assert (result.outcome, result.due_date) == ("met", date(2014, 4, 24))
    assert sentence_plan_timescale(details, tables, sentence_plan_date=date(2014, 4, 25)).outcome == "not_met"
    assert result.informs == ("C.2.1.8",)


def test_weekly_contact_reports_any_gap_longer_than_seven_days(tables: Any) -> None:
    details = {"rosh_at_start": "very_high", "supervision_start_date": "2014-01-06"}
    weekly = [date(2014, 1, 6), date(2014, 1, 13), date(2014, 1, 20)]
    assert weekly_contact(details, tables, contact_dates=weekly).outcome == "met"
    gap = [date(2014, 1, 6), date(2014, 1, 14)]
    result = weekly_contact(details, tables, contact_dates=gap)
    assert result.outcome == "not_met"
    assert any("8 days" in r for r in result.reasons)
    assert weekly_contact({"rosh_at_start": "low"}, tables, contact_dates=gap).outcome == "not_applicable"


# --- The dates and counts come from the case details (what the application records) ------------

def _by_rule(details: dict[str, Any], tables: Any, events: Any = None) -> dict[str, Any]:
    from caseassess_core.rules import evaluate_all

    return {r.rule_id: r for r in evaluate_all(details, tables, events=events)}


@pytest.mark.parametrize(
    ("details", "due", "outcome"),
    [
        # High RoSH community order sentenced on a Friday: the weekend is skipped.
        ({"sentence_date": "2013-12-20", "first_appointment_date": "2013-12-24"}, date(2013, 12, 24), "met"),
        ({"sentence_date": "2013-12-20", "first_appointment_date": "2013-12-27"}, date(2013, 12, 24), "not_met"),
        # Sentenced on Christmas Eve: Christmas Day, Boxing Day and the weekend are skipped.
        ({"sentence_date": "2013-12-24", "first_appointment_date": "2013-12-30"}, date(2013, 12, 30), "met"),
        ({"sentence_date": "2013-12-24", "first_appointment_date": "2013-12-31"}, date(2013, 12, 30), "not_met"),
        ({"sentence_date": "2013-12-24"}, date(2013, 12, 30), "unknown"),
        # Licences: the day of release or the next working day (Easter; the early May bank holiday).
        ({"sentence_type": "licence_determinate", "release_date": "2014-04-17", "first_appointment_date": "2014-04-17"},
         date(2014, 4, 22), "met"),
        ({"sentence_type": "licence_determinate", "release_date": "2014-04-17", "first_appointment_date": "2014-04-22"},
         date(2014, 4, 22), "met"),
        ({"sentence_type": "licence_determinate", "release_date": "2014-04-17", "first_appointment_date": "2014-04-23"},
         date(2014, 4, 22), "not_met"),
        ({"sentence_type": "licence_determinate", "release_date": "2014-05-02", "first_appointment_date": "2014-05-06"},
         date(2014, 5, 6), "met"),
        ({"sentence_type": "licence_indeterminate", "release_date": "2014-05-02", "first_appointment_date": "2014-05-07"},
         date(2014, 5, 6), "not_met"),
        # A licence without a release date falls back on the start of supervision in the community.
        ({"sentence_type": "licence_determinate", "supervision_start_date": "2013-10-04",
          "first_appointment_date": "2013-10-07"}, date(2013, 10, 7), "met"),
    ],
)
def test_the_first_appointment_timescale_reads_its_dates_from_the_case_details(
    tables: Any, details: dict[str, Any], due: date, outcome: str
) -> None:
    result = _by_rule(dict(HIGH_CO, **details), tables)["timescale_first_appointment"]
    assert (result.outcome, result.due_date) == (outcome, due)
    assert "C.2.1.3" in result.informs
    assert any(f"due by {due.day} {due:%B %Y}" in r for r in result.reasons)


def test_a_licence_first_appointment_also_informs_the_level_of_contact(tables: Any) -> None:
    details = {"sentence_type": "licence_determinate", "rosh_at_start": "low", "release_date": "2014-04-17"}
    assert _by_rule(details, tables)["timescale_first_appointment"].informs == ("C.2.1.3", "D.2.2.8")


@pytest.mark.parametrize(
    ("details", "due", "outcome"),
    [
        ({"sentence_date": "2014-04-01", "sentence_plan_date": "2014-04-24"}, date(2014, 4, 24), "met"),  # Easter skipped
        ({"sentence_date": "2014-04-01", "sentence_plan_date": "2014-04-25"}, date(2014, 4, 24), "not_met"),
        ({"sentence_date": "2014-04-01", "sentence_plan_date": "2014-04-04"}, date(2014, 4, 24), "met"),  # early is fine
        ({"sentence_date": "2014-04-01"}, date(2014, 4, 24), "unknown"),
        # Licences run from release, not from sentence: the summer bank holiday (25 August 2014) is skipped.
        ({"sentence_type": "licence_determinate", "sentence_date": "2012-01-10", "release_date": "2014-08-15",
          "sentence_plan_date": "2014-09-08"}, date(2014, 9, 8), "met"),
        ({"sentence_type": "licence_determinate", "sentence_date": "2012-01-10", "release_date": "2014-08-15",
          "sentence_plan_date": "2014-09-09"}, date(2014, 9, 8), "not_met"),
    ],
)
def test_the_sentence_plan_timescale_reads_its_dates_from_the_case_details(
    tables: Any, details: dict[str, Any], due: date, outcome: str
) -> None:
    result = _by_rule(dict(HIGH_CO, **details), tables)["timescale_sentence_plan"]
    assert (result.outcome, result.due_date) == (outcome, due)
    assert result.informs == ("C.2.1.8",)


def test_a_licence_sentence_plan_says_it_counts_from_release(tables: Any) -> None:
    details = dict(HIGH_CO, sentence_type="licence_determinate", sentence_date="2012-01-10", release_date="2014-08-15")
    result = _by_rule(details, tables)["timescale_sentence_plan"]
    assert "Counted from the release date, 15 August 2014" in result.reasons


def test_a_transferred_in_case_is_told_to_judge_from_the_transfer(tables: Any) -> None:
    details = dict(HIGH_CO, sentence_date="2014-04-01", sentence_plan_date="2014-05-30", transferred_in="yes")
    result = _by_rule(details, tables)["timescale_sentence_plan"]
    assert any("Transferred in" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("checked", "with_contact", "outcome", "missing"),
    [
        (12, 12, "met", ()),
        (12, 11, "not_met", ()),
        (1, 0, "not_met", ()),
        (12, 13, "unknown", ("contact_weeks_checked", "contact_weeks_with_contact")),
        (0, 0, "unknown", ("contact_weeks_checked", "contact_weeks_with_contact")),
        (12, None, "unknown", ("contact_weeks_with_contact",)),
        (None, 12, "unknown", ("contact_weeks_checked",)),
        (11.5, 11, "unknown", ("contact_weeks_checked",)),  # whole weeks only
        (None, None, "unknown", ("contact_weeks_checked", "contact_weeks_with_contact")),
    ],
)
def test_weekly_contact_reads_the_weeks_counted_in_the_contact_log(
    tables: Any, checked: Any, with_contact: Any, outcome: str, missing: tuple[str, ...]
) -> None:
    details = dict(HIGH_CO, supervision_start_date="2014-01-06")
    for key, value in (("contact_weeks_checked", checked), ("contact_weeks_with_contact", with_contact)):
        if value is not None:
            details[key] = value
    result = _by_rule(details, tables)["timescale_weekly_contact"]
    assert (result.outcome, result.missing) == (outcome, missing)
    assert result.informs == ("D.2.2.8",)
    if outcome == "not_met":
        assert f"Contact arranged in {with_contact} of the {checked} weeks checked from 6 January 2014" in result.reasons


def test_weekly_contact_is_only_prescribed_for_high_and_very_high_rosh(tables: Any) -> None:
    details = {"rosh_at_start": "medium", "contact_weeks_checked": 12, "contact_weeks_with_contact": 3}
    assert _by_rule(details, tables)["timescale_weekly_contact"].outcome == "not_applicable"
    very_high = dict(details, rosh_at_start="very_high")
    assert _by_rule(very_high, tables)["timescale_weekly_contact"].outcome == "not_met"


def test_a_date_that_is_not_a_real_date_counts_as_not_recorded(tables: Any) -> None:
    details = dict(HIGH_CO, sentence_date="2013-12-24", first_appointment_date="2014-02-30")
    assert _by_rule(details, tables)["timescale_first_appointment"].outcome == "unknown"


def test_dates_given_explicitly_win_over_the_case_details(tables: Any) -> None:
    from caseassess_core.rules import CaseEvents, case_events

    details = dict(HIGH_CO, sentence_date="2013-12-24", first_appointment_date="2014-01-15", contact_weeks_checked=4,
                   contact_weeks_with_contact=4)
    events = case_events(details, CaseEvents(first_appointment_date=date(2013, 12, 27), contact_weeks_with_contact=2))
    assert events.first_appointment_date == date(2013, 12, 27)
    assert (events.contact_weeks_checked, events.contact_weeks_with_contact) == (4, 2)
    results = _by_rule(details, tables, CaseEvents(first_appointment_date=date(2013, 12, 27)))
    assert results["timescale_first_appointment"].outcome == "met"
    assert _by_rule(details, tables)["timescale_first_appointment"].outcome == "not_met"


def test_explain_prints_each_timescale_with_its_due_date_and_reasons(tables: Any) -> None:
    from caseassess_core.rules import explain

    details = dict(HIGH_CO, sentence_date="2013-12-24", first_appointment_date="2013-12-31",
                   sentence_plan_date="2014-01-10", contact_weeks_checked=20, contact_weeks_with_contact=18)
    out = explain(details, tables)
    block = next(b for b in out.split("\n\n") if "[timescale_first_appointment]" in b)
    assert "outcome: not_met" in block and "due: 2013-12-30" in block
    assert "First appointment date 31 December 2013 > due 30 December 2013" in block
    plan = next(b for b in out.split("\n\n") if "[timescale_sentence_plan]" in b)
    assert "outcome: met" in plan and "due: 2014-01-17" in plan  # Christmas, Boxing Day, New Year skipped
    weekly = next(b for b in out.split("\n\n") if "[timescale_weekly_contact]" in b)
    assert "outcome: not_met" in weekly and "Contact arranged in 18 of the 20 weeks checked" in weekly


# --- Weekly contact from the weeks counted: every word the assessor reads ------------------------

WEEKLY_TITLE = "Weekly contact (high / very high RoSH)"
WEEKLY_TEXT = "Contact arranged weekly for high or very high RoSH offenders in the community"
RECORD_WEEKS = "Record the weeks in the community checked and how many of them had contact arranged."


def _weekly(tables: Any, checked: Any, with_contact: Any, **details: Any) -> Any:
    case = {"rosh_at_start": "high", **details}
    return weekly_contact(case, tables, weeks_checked=checked, weeks_with_contact=with_contact)


def test_every_week_with_contact_is_met_and_says_how_many_weeks_from_when(tables: Any) -> None:
    from caseassess_core.rules.base import RuleResult

    assert _weekly(tables, 12, 12, supervision_start_date="2014-01-06") == RuleResult(
        "timescale_weekly_contact", WEEKLY_TITLE, ("D.2.2.8",), "met",
        "Contact was arranged every week of the 12 weeks checked.",
        ("RoSH at start is high", WEEKLY_TEXT, "Contact arranged in 12 of the 12 weeks checked from 6 January 2014"),
        (), None,
    )


@pytest.mark.parametrize(("with_contact", "without", "weeks"), [(11, 1, "1 week"), (9, 3, "3 weeks"), (0, 12, "12 weeks")])
def test_weeks_without_contact_are_counted_in_the_suggestion_and_the_reasons(
    tables: Any, with_contact: int, without: int, weeks: str
) -> None:
    from caseassess_core.rules.base import RuleResult

    # no supervision start recorded: the count is given without "from <date>"
    assert _weekly(tables, 12, with_contact) == RuleResult(
        "timescale_weekly_contact", WEEKLY_TITLE, ("D.2.2.8",), "not_met",
        f"No contact was arranged in {without} of the 12 weeks checked: it would be hard to justify seeing a high"
        " risk of harm offender less often than weekly; judge whether this was justified.",
        ("RoSH at start is high", WEEKLY_TEXT, f"Contact arranged in {with_contact} of the 12 weeks checked",
         f"{weeks} without contact"),
        (), None,
    )


@pytest.mark.parametrize(("checked", "with_contact"), [(12, 13), (0, 0), (-1, 0), (12, -1)])
def test_impossible_week_counts_ask_the_assessor_to_check_the_figures(
    tables: Any, checked: int, with_contact: int
) -> None:
    from caseassess_core.rules.base import RuleResult

    assert _weekly(tables, checked, with_contact, rosh_at_start="very_high") == RuleResult(
        "timescale_weekly_contact", WEEKLY_TITLE, ("D.2.2.8",), "unknown",
        f"Check the figures: {with_contact} weeks with contact of {checked} weeks checked.",
        ("RoSH at start is very high", "The weeks with contact must be between 0 and the (positive) number of weeks checked"),
        ("contact_weeks_checked", "contact_weeks_with_contact"),
    )


@pytest.mark.parametrize(
    ("checked", "with_contact", "missing"),
    [(12, None, ("contact_weeks_with_contact",)), (None, 3, ("contact_weeks_checked",))],
)
def test_a_missing_week_count_is_named(tables: Any, checked: Any, with_contact: Any, missing: tuple[str, ...]) -> None:
    from caseassess_core.rules.base import RuleResult

    assert _weekly(tables, checked, with_contact) == RuleResult(
        "timescale_weekly_contact", WEEKLY_TITLE, ("D.2.2.8",), "unknown", RECORD_WEEKS, ("RoSH at start is high",),
        missing,
    )


def test_a_licence_without_a_release_date_plans_from_the_start_of_supervision(tables: Any) -> None:
    licence = dict(HIGH_CO, sentence_type="licence_determinate", sentence_date="2012-01-10")
    # no release date: the start of supervision in the community, Tuesday 1 April 2014;
    # 15 working days skipping Good Friday and Easter Monday -> Thursday 24 April 2014
    result = sentence_plan_timescale(dict(licence, supervision_start_date="2014-04-01"), tables,
                                     sentence_plan_date=None)
    assert (result.outcome, result.due_date) == ("unknown", date(2014, 4, 24))
    assert result.reasons[:2] == ("RoSH at start is high", "Counted from the supervision start date, 1 April 2014")
    assert result.missing == ("sentence_plan_date",)
    # a release date wins over the start of supervision: Friday 15 August 2014, 15 working days
    # skipping the summer bank holiday (25 August) -> Monday 8 September 2014
    both = dict(licence, supervision_start_date="2014-04-01", release_date="2014-08-15")
    result = sentence_plan_timescale(both, tables, sentence_plan_date=None)
    assert result.due_date == date(2014, 9, 8)
    assert result.reasons[1] == "Counted from the release date, 15 August 2014"
    # neither: the release date is asked for
    result = sentence_plan_timescale(licence, tables, sentence_plan_date=None)
    assert (result.outcome, result.suggestion, result.missing) == ("unknown", "Record the release date.",
                                                                   ("release_date",))


PLAN_TEXT = ("Sentence plan completed within 5-15 working days of sentence (of release on licence) in high or very high"
             " RoSH cases")


def test_the_sentence_plan_verdict_word_for_word(tables: Any) -> None:
    from caseassess_core.rules.base import RuleResult

    details = dict(HIGH_CO, sentence_date="2014-04-01")
    counted = ("RoSH at start is high", "Counted from the sentence date, 1 April 2014",
               f"{PLAN_TEXT}: due by 24 April 2014")
    title = ("timescale_sentence_plan", "Sentence plan timescale", ("C.2.1.8",))
    assert sentence_plan_timescale(details, tables, sentence_plan_date=None) == RuleResult(
        *title, "unknown", "Due by 24 April 2014; record the date to check it.", counted, ("sentence_plan_date",),
        date(2014, 4, 24),
    )
    # a plan dated before the sentence is met, but the date is questioned
    assert sentence_plan_timescale(details, tables, sentence_plan_date=date(2014, 3, 31)) == RuleResult(
        *title, "met", "Within the timescale (due by 24 April 2014).",
        (*counted, "Sentence plan date 31 March 2014 is before 1 April 2014",
         "Sentence plan date 31 March 2014 \u2264 due 24 April 2014"), (), date(2014, 4, 24),
    )
    # on the day of sentence: nothing to question
    same_day = sentence_plan_timescale(details, tables, sentence_plan_date=date(2014, 4, 1))
    assert same_day.reasons == (*counted, "Sentence plan date 1 April 2014 \u2264 due 24 April 2014")
    assert sentence_plan_timescale(details, tables, sentence_plan_date=date(2014, 4, 25)) == RuleResult(
        *title, "not_met",
        "Later than the timescale (due by 24 April 2014): look for a recorded, acceptable reason.",
        (*counted, "Sentence plan date 25 April 2014 > due 24 April 2014"), (), date(2014, 4, 24),
    )


LICENCE_TEXT = "Licence cases seen on the day of release, or the next working day if impractical"
FIRST_TEXT = "First appointment within two working days of sentence in high or very high RoSH cases"


def test_the_first_appointment_results_word_for_word(tables: Any) -> None:
    from caseassess_core.rules.base import RuleResult

    rule = ("timescale_first_appointment", "First appointment timescale")
    licence = {"sentence_type": "licence_indeterminate", "release_date": "2014-04-17"}
    due = date(2014, 4, 22)  # Thursday 17 April 2014: Good Friday, the weekend and Easter Monday skipped
    released = ("Licence indeterminate", f"{LICENCE_TEXT}: due by 22 April 2014")
    assert first_appointment_timescale(licence, tables, first_appointment_date=date(2014, 4, 17)) == RuleResult(
        *rule, ("C.2.1.3", "D.2.2.8"), "met", "Seen on the day of release.",
        (*released, "First appointment date 17 April 2014 \u2264 due 22 April 2014", "Seen on the day of release"),
        (), due,
    )
    assert first_appointment_timescale(licence, tables, first_appointment_date=date(2014, 4, 22)) == RuleResult(
        *rule, ("C.2.1.3", "D.2.2.8"), "met", "Within the timescale (due by 22 April 2014).",
        (*released, "First appointment date 22 April 2014 \u2264 due 22 April 2014"), (), due,
    )
    no_release = {"sentence_type": "licence_determinate"}
    assert first_appointment_timescale(no_release, tables, first_appointment_date=None) == RuleResult(
        *rule, ("C.2.1.3", "D.2.2.8"), "unknown", "Record the release date.", ("Licence determinate",),
        ("release_date",),
    )
    assert first_appointment_timescale({}, tables, first_appointment_date=None) == RuleResult(
        *rule, ("C.2.1.3",), "unknown", "Record the sentence type.", (), ("sentence_type",))
    high = {"sentence_type": "community_order", "rosh_at_start": "high"}
    assert first_appointment_timescale(high, tables, first_appointment_date=None) == RuleResult(
        *rule, ("C.2.1.3",), "unknown", "Record the date.", ("RoSH at start is high",), ("sentence_date",))
    no_timescale = ("No prescribed timescale: judge whether the first appointment came soon enough to address the"
                    " risks and engage the offender.")
    for details, fact in (({"sentence_type": "community_order", "rosh_at_start": "medium"}, "RoSH at start is medium"),
                          ({"sentence_type": "custody", "rosh_at_start": "very_high"}, "RoSH at start is very high")):
        assert first_appointment_timescale(details, tables, first_appointment_date=None) == RuleResult(
            *rule, ("C.2.1.3",), "not_applicable", no_timescale, (fact,))
    assert first_appointment_timescale({"sentence_type": "community_order"}, tables,
                                       first_appointment_date=None) == RuleResult(
        *rule, ("C.2.1.3",), "unknown", "Record the RoSH level.", (), ("rosh_at_start",))
    sentenced = dict(high, sentence_date="2013-12-24")
    assert first_appointment_timescale(sentenced, tables, first_appointment_date=date(2013, 12, 31)).reasons == (
        "RoSH at start is high", f"{FIRST_TEXT}: due by 30 December 2013",
        "First appointment date 31 December 2013 > due 30 December 2013")


def test_weekly_contact_from_dates_word_for_word(tables: Any) -> None:
    from caseassess_core.rules.base import RuleResult

    rule = ("timescale_weekly_contact", WEEKLY_TITLE, ("D.2.2.8",))
    case = {"rosh_at_start": "high", "supervision_start_date": "2014-01-06"}
    # contacts on Mon 6, Mon 13 (7 days: fine), Wed 22 (9 days: a gap) and Wed 29 January; the period
    # ends on Wed 29 January
    dates = [date(2014, 1, 22), date(2014, 1, 6), date(2014, 1, 13), date(2014, 1, 29), date(2014, 1, 13)]
    assert weekly_contact(case, tables, contact_dates=dates) == RuleResult(
        *rule, "not_met",
        "Contact was less frequent than every 7 days at least once: judge whether this was justified.",
        ("RoSH at start is high", f"{WEEKLY_TEXT}: 4 contacts from 6 January 2014 to 29 January 2014",
         "No contact for 9 days between 13 January 2014 and 22 January 2014"),
        (), date(2014, 1, 20),  # 7 days after the last contact before the gap
    )
    # no supervision start recorded: the period runs from the first contact; a contact on the last day counts
    weekly = [date(2014, 1, 13), date(2014, 1, 20), date(2014, 1, 27)]
    assert weekly_contact({"rosh_at_start": "very_high"}, tables, contact_dates=weekly,
                          period_end=date(2014, 1, 27)) == RuleResult(
        *rule, "met", "Contact was arranged at least every 7 days.",
        ("RoSH at start is very high", f"{WEEKLY_TEXT}: 3 contacts from 13 January 2014 to 27 January 2014"), (),
    )
    # a contact before the supervision start is not counted; the start itself is the first point
    early = [date(2014, 1, 1), date(2014, 1, 13)]
    result = weekly_contact(case, tables, contact_dates=early)
    assert result.reasons[1:] == (f"{WEEKLY_TEXT}: 1 contact from 6 January 2014 to 13 January 2014",)
    assert result.outcome == "met"
    assert weekly_contact({"rosh_at_start": "high"}, tables) == RuleResult(
        *rule, "unknown", RECORD_WEEKS, ("RoSH at start is high",),
        ("contact_weeks_checked", "contact_weeks_with_contact"))
    assert weekly_contact({"rosh_at_start": "low"}, tables, contact_dates=weekly) == RuleResult(
        *rule, "not_applicable",
        "Weekly contact is prescribed only for high or very high RoSH; contact should still be sufficient"
        " (normally not less often than monthly in community orders).", ("RoSH at start is low",))
    assert weekly_contact({}, tables) == RuleResult(*rule, "unknown", "Record the RoSH level.", (), ("rosh_at_start",))


def test_the_sentence_plan_asks_for_what_it_needs_word_for_word(tables: Any) -> None:
    from caseassess_core.rules.base import RuleResult

    rule = ("timescale_sentence_plan", "Sentence plan timescale", ("C.2.1.8",))
    assert sentence_plan_timescale({}, tables, sentence_plan_date=None) == RuleResult(
        *rule, "unknown", "Record the RoSH level.", (), ("rosh_at_start",))
    assert sentence_plan_timescale({"rosh_at_start": "not_completed"}, tables, sentence_plan_date=None) == RuleResult(
        *rule, "unknown", "Record the RoSH level.", (), ("rosh_at_start",))
    assert sentence_plan_timescale({"rosh_at_start": "medium"}, tables, sentence_plan_date=None) == RuleResult(
        *rule, "not_applicable",
        "No prescribed timescale: the plan should be in place in sufficient time to give the sentence purpose and"
        " direction.", ("RoSH at start is medium",))
    assert sentence_plan_timescale({"rosh_at_start": "very_high", "sentence_type": "community_order"}, tables,
                                   sentence_plan_date=None) == RuleResult(
        *rule, "unknown", "Record the sentence date.", ("RoSH at start is very high",), ("sentence_date",))
    transferred = dict(HIGH_CO, sentence_date="2014-04-01", transferred_in="yes")
    assert sentence_plan_timescale(transferred, tables, sentence_plan_date=None).reasons[2] == (
        "Transferred in: the guide times initial planning from the transfer into the area, which the case details do"
        " not record; judge the timeliness from the transfer date")
