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
