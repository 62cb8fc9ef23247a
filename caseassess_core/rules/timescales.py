"""National Standards 2011 timescales the guide inspects against (table ``timescales``).

Working days skip Saturdays, Sundays and England and Wales bank holidays (``holidays``
package, subdivision ENG; Wales has the same bank holidays). Every function takes its
dates explicitly and returns the due date with 'met' / 'not_met' / 'unknown' /
'not_applicable'.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays

from caseassess_core.rules.base import (
    CO_SSO,
    HIGH_ROSH,
    LICENCES,
    Case,
    RuleResult,
    Tables,
    iso_date,
    label,
    long_date,
    row,
    text,
)

TABLE_ID = "timescales"


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date, extra_holidays: Iterable[date] = ()) -> bool:
    """Monday to Friday and not an England and Wales bank holiday (nor one of ``extra_holidays``)."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in set(extra_holidays)


def add_working_days(start: date, n: int, extra_holidays: Iterable[date] = ()) -> date:
    """The ``n``-th working day after ``start`` (``n`` = 0 gives ``start``); negative counts back."""
    extra = frozenset(extra_holidays)
    day, step, left = start, (1 if n >= 0 else -1), abs(n)
    while left:
        day += timedelta(days=step)
        if is_working_day(day, extra):
            left -= 1
    return day


def add_months(start: date, months: int) -> date:
    """Calendar months, keeping the day or the month's last day (2014-08-31 - 6 months = 2014-02-28)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def due_date(start: date, amount: int, unit: str) -> date:
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "months":
        return add_months(start, amount)
    raise ValueError(f"timescales: unknown unit {unit!r}")


def _spec(tables: Tables, timescale_id: str) -> dict[str, Any]:
    return row(tables, TABLE_ID, timescale_id)


def _informs(spec: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(q) for q in spec.get("informs") or ())


def _verdict(
    rule_id: str,
    title: str,
    spec: dict[str, Any],
    start: date,
    due: date,
    done: date | None,
    done_field: str,
    reasons: list[str],
) -> RuleResult:
    informs = _informs(spec)
    reasons = [*reasons, f"{spec['text']}: due by {long_date(due)}"]
    if done is None:
        return RuleResult(
            rule_id, title, informs, "unknown",
            f"Due by {long_date(due)}; record the date to check it.", tuple(reasons), (done_field,), due,
        )
    if done < start:
        reasons.append(f"{label(done_field).capitalize()} {long_date(done)} is before {long_date(start)}")
    met = done <= due
    reasons.append(f"{label(done_field).capitalize()} {long_date(done)} {'≤' if met else '>'} due {long_date(due)}")
    outcome = "met" if met else "not_met"
    suggestion = (
        f"Within the timescale (due by {long_date(due)})."
        if met
        else f"Later than the timescale (due by {long_date(due)}): look for a recorded, acceptable reason."
    )
    return RuleResult(rule_id, title, informs, outcome, suggestion, tuple(reasons), (), due)


def _high_rosh(case: Case) -> tuple[bool | None, str]:
    rosh = text(case, "rosh_at_start")
    if rosh is None or rosh == "not_completed":
        return None, "rosh_at_start"
    return rosh in HIGH_ROSH, f"RoSH at start is {label(rosh)}"


def _plan_start(case: Case, spec: dict[str, Any]) -> tuple[date | None, str]:
    """Initial planning runs from sentence, or from release for licences (C.2.1.8: "at the start of
    sentence or release on licence"); a licence without a release date falls back on the start of
    supervision in the community."""
    if text(case, "sentence_type") in LICENCES and spec.get("licence_from_date"):
        field = str(spec["licence_from_date"])
        found = iso_date(case, field)
        if found is None and iso_date(case, "supervision_start_date") is not None:
            return iso_date(case, "supervision_start_date"), "supervision_start_date"
        return found, field
    field = str(spec["from_date"])
    return iso_date(case, field), field


def sentence_plan_timescale(case: Case, tables: Tables, *, sentence_plan_date: date | None) -> RuleResult:
    """Sentence plan within the table's working days of sentence (of release for licences) in high /
    very high RoSH cases (C.2.1.8)."""
    rule_id, title = "timescale_sentence_plan", "Sentence plan timescale"
    spec = _spec(tables, "sentence_plan")
    high, fact = _high_rosh(case)
    if high is None:
        return RuleResult(rule_id, title, _informs(spec), "unknown", "Record the RoSH level.", (), (fact,))
    if not high:
        return RuleResult(
            rule_id, title, _informs(spec), "not_applicable",
            "No prescribed timescale: the plan should be in place in sufficient time to give the sentence purpose"
            " and direction.", (fact,),
        )
    start, start_field = _plan_start(case, spec)
    if start is None:
        return RuleResult(rule_id, title, _informs(spec), "unknown", f"Record the {label(start_field)}.", (fact,),
                          (start_field,))
    due = due_date(start, int(spec["amount"]), str(spec["unit"]))
    reasons = [fact, f"Counted from the {label(start_field)}, {long_date(start)}"]
    if text(case, "transferred_in") == "yes":
        reasons.append("Transferred in: the guide times initial planning from the transfer into the area, which the"
                       " case details do not record; judge the timeliness from the transfer date")
    return _verdict(rule_id, title, spec, start, due, sentence_plan_date, "sentence_plan_date", reasons)


def first_appointment_timescale(case: Case, tables: Tables, *, first_appointment_date: date | None) -> RuleResult:
    """First appointment: licence cases on the day of release or the next working day; community
    orders with high / very high RoSH within two working days of sentence (C.2.1.3)."""
    rule_id, title = "timescale_first_appointment", "First appointment timescale"
    sentence = text(case, "sentence_type")
    if sentence is None:
        return RuleResult(rule_id, title, ("C.2.1.3",), "unknown", "Record the sentence type.", (), ("sentence_type",))
    if sentence in LICENCES:
        spec = _spec(tables, "licence_first_appointment")
        fact = f"{label(sentence).capitalize()}"
        release = iso_date(case, str(spec["from_date"])) or iso_date(case, "supervision_start_date")
        if release is None:
            return RuleResult(
                rule_id, title, _informs(spec), "unknown", "Record the release date.", (fact,), ("release_date",)
            )
        due = due_date(release, int(spec["amount"]), str(spec["unit"]))
        result = _verdict(rule_id, title, spec, release, due, first_appointment_date, "first_appointment_date", [fact])
        if first_appointment_date == release:
            result = RuleResult(
                result.rule_id, result.title, result.informs, result.outcome,
                "Seen on the day of release.", (*result.reasons, "Seen on the day of release"), (), due,
            )
        return result
    spec = _spec(tables, "first_appointment")
    high, fact = _high_rosh(case)
    if high is None:
        return RuleResult(rule_id, title, _informs(spec), "unknown", "Record the RoSH level.", (), (fact,))
    if not high or sentence not in CO_SSO:
        return RuleResult(
            rule_id, title, _informs(spec), "not_applicable",
            "No prescribed timescale: judge whether the first appointment came soon enough to address the risks"
            " and engage the offender.", (fact,),
        )
    start = iso_date(case, str(spec["from_date"]))
    if start is None:
        return RuleResult(rule_id, title, _informs(spec), "unknown", "Record the date.", (fact,), (spec["from_date"],))
    due = due_date(start, int(spec["amount"]), str(spec["unit"]))
    return _verdict(rule_id, title, spec, start, due, first_appointment_date, "first_appointment_date", [fact])


def weekly_contact(
    case: Case,
    tables: Tables,
    *,
    contact_dates: Sequence[date] = (),
    period_end: date | None = None,
    weeks_checked: int | None = None,
    weeks_with_contact: int | None = None,
) -> RuleResult:
    """High / very high RoSH cases in the community: contact arranged at least weekly (D.2.2.8).

    Either from ``contact_dates``: the period runs from ``supervision_start_date`` (or the first
    contact) to ``period_end`` (or the last contact) and any gap longer than the table's interval
    is reported; or from what an inspector counts in the contact log: ``weeks_checked`` weeks in
    the community, of which ``weeks_with_contact`` had a contact arranged (case details
    ``contact_weeks_checked`` and ``contact_weeks_with_contact``).
    """
    rule_id, title = "timescale_weekly_contact", "Weekly contact (high / very high RoSH)"
    spec = _spec(tables, "weekly_contact")
    informs = _informs(spec)
    high, fact = _high_rosh(case)
    if high is None:
        return RuleResult(rule_id, title, informs, "unknown", "Record the RoSH level.", (), (fact,))
    if not high:
        return RuleResult(
            rule_id, title, informs, "not_applicable",
            "Weekly contact is prescribed only for high or very high RoSH; contact should still be sufficient"
            " (normally not less often than monthly in community orders).", (fact,),
        )
    interval = int(spec["amount"])
    dates = sorted(set(contact_dates))
    if not dates and (weeks_checked is not None or weeks_with_contact is not None):
        return _weekly_counts(case, spec, fact, weeks_checked, weeks_with_contact)
    start = iso_date(case, str(spec["from_date"])) or (dates[0] if dates else None)
    if start is None or not dates:
        return RuleResult(
            rule_id, title, informs, "unknown",
            "Record the weeks in the community checked and how many of them had contact arranged.", (fact,),
            ("contact_weeks_checked", "contact_weeks_with_contact"),
        )
    end = period_end or dates[-1]
    points = [start, *[d for d in dates if start <= d <= end], end]
    gaps = [(a, b) for a, b in zip(points, points[1:], strict=False) if (b - a).days > interval]
    counted = len([d for d in dates if start <= d <= end])
    reasons = [fact, f"{spec['text']}: {counted} contact{'' if counted == 1 else 's'}"
               f" from {long_date(start)} to {long_date(end)}"]
    reasons.extend(f"No contact for {(b - a).days} days between {long_date(a)} and {long_date(b)}" for a, b in gaps)
    first_gap_due = due_date(gaps[0][0], interval, "days") if gaps else None
    if gaps:
        return RuleResult(
            rule_id, title, informs, "not_met",
            f"Contact was less frequent than every {interval} days at least once: judge whether this was justified.",
            tuple(reasons), (), first_gap_due,
        )
    return RuleResult(
        rule_id, title, informs, "met", f"Contact was arranged at least every {interval} days.", tuple(reasons), ()
    )


def _weekly_counts(
    case: Case, spec: dict[str, Any], fact: str, weeks_checked: int | None, weeks_with_contact: int | None
) -> RuleResult:
    """Weekly contact from the inspector's count of weeks with an arranged contact."""
    rule_id, title = "timescale_weekly_contact", "Weekly contact (high / very high RoSH)"
    informs = _informs(spec)
    if weeks_checked is None or weeks_with_contact is None:
        missing = tuple(
            f for f, v in (("contact_weeks_checked", weeks_checked), ("contact_weeks_with_contact", weeks_with_contact))
            if v is None
        )
        return RuleResult(rule_id, title, informs, "unknown",
                          "Record the weeks in the community checked and how many of them had contact arranged.",
                          (fact,), missing)
    if weeks_checked <= 0 or weeks_with_contact < 0 or weeks_with_contact > weeks_checked:
        return RuleResult(
            rule_id, title, informs, "unknown",
            f"Check the figures: {weeks_with_contact} weeks with contact of {weeks_checked} weeks checked.",
            (fact, "The weeks with contact must be between 0 and the (positive) number of weeks checked"),
            ("contact_weeks_checked", "contact_weeks_with_contact"),
        )
    start = iso_date(case, str(spec["from_date"]))
    since = f" from {long_date(start)}" if start else ""
    reasons = [fact, str(spec["text"]),
               f"Contact arranged in {weeks_with_contact} of the {weeks_checked} weeks checked{since}"]
    if weeks_with_contact == weeks_checked:
        return RuleResult(rule_id, title, informs, "met",
                          f"Contact was arranged every week of the {weeks_checked} weeks checked.", tuple(reasons))
    without = weeks_checked - weeks_with_contact
    return RuleResult(
        rule_id, title, informs, "not_met",
        f"No contact was arranged in {without} of the {weeks_checked} weeks checked: it would be hard to justify"
        " seeing a high risk of harm offender less often than weekly; judge whether this was justified.",
        (*reasons, f"{without} week{'s' if without != 1 else ''} without contact"),
    )
