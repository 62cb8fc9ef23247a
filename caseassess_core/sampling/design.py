"""What a lead inspector asks of a sample: size, eligibility window, quotas, topic, seed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from caseassess_core.sampling.caseload import PRINCIPAL_OFFENCES, CaseRecord


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` calendar months earlier (clamped to the month's end)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class SamplingDesign:
    """The sampling design of one inspection.

    Eligibility: a case is eligible when its supervision started between
    ``max_months_supervised`` and ``min_months_supervised`` calendar months before
    ``reference_date`` (both ends included: "about six to nine months"), and, for a
    topic on offences, its principal offence is in ``principal_offences``.

    Quotas, in priority order (a lower one gives way to a higher one when they
    cannot all be met; see ``draw_sample``):

    1. ``child_protection_cap``: include every eligible case with child protection
       concerns, up to this many (``None``: no such topic).
    2. ``min_high_rosh``: at least this many high / very high RoSH cases.
    3. ``min_unpaid_work_only``: at least this many cases whose only requirement is unpaid work.
    4. The female share of the sample within ``share_tolerance_points`` percentage
       points of the eligible caseload's share.
    5. The same for the BME share (BME cases over all cases, ``not_known`` included).
    """

    size: int
    reference_date: date
    seed: int
    min_months_supervised: int = 6
    max_months_supervised: int = 9
    min_high_rosh: int = 0
    min_unpaid_work_only: int = 0
    child_protection_cap: int | None = None
    share_tolerance_points: float = 5.0
    principal_offences: frozenset[str] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.size < 1:
            problems.append("size must be at least 1")
        if self.min_months_supervised < 0 or self.max_months_supervised < self.min_months_supervised:
            problems.append("the eligibility window needs 0 <= min_months_supervised <= max_months_supervised")
        if self.min_high_rosh < 0 or self.min_unpaid_work_only < 0:
            problems.append("minimum counts cannot be negative")
        if self.child_protection_cap is not None and self.child_protection_cap < 0:
            problems.append("child_protection_cap cannot be negative")
        if not 0 <= self.share_tolerance_points <= 100:
            problems.append("share_tolerance_points must be between 0 and 100")
        if self.principal_offences is not None:
            unknown = sorted(set(self.principal_offences) - PRINCIPAL_OFFENCES)
            if unknown:
                problems.append(f"unknown principal offences: {', '.join(unknown)}")
            if not self.principal_offences:
                problems.append("principal_offences, when given, cannot be empty")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def earliest_start(self) -> date:
        return months_before(self.reference_date, self.max_months_supervised)

    @property
    def latest_start(self) -> date:
        return months_before(self.reference_date, self.min_months_supervised)

    def ineligibility(self, case: CaseRecord) -> str | None:
        """Why ``case`` cannot be sampled under this design, or ``None`` if it can."""
        if not self.earliest_start <= case.supervision_start_date <= self.latest_start:
            return "outside the supervision window"
        if self.principal_offences is not None and case.principal_offence not in self.principal_offences:
            return "principal offence outside the topic"
        return None
