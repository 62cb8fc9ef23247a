"""Counts -> ratings, with the uncertainty a reader needs to trust them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from caseassess_core.findings.counts import CountIndex
from caseassess_core.instrument.schema import Instrument
from caseassess_core.ratings.schema import Band, OverallBand, RatingScheme, Unit
from caseassess_core.statistics.proportions import Proportion, pct_half_up


@dataclass(frozen=True, slots=True)
class Rating:
    """The rating of one proportion. ``band`` is ``None`` when nothing was scored (N = 0)."""

    successes: int
    n: int
    band: Band | None
    interval: tuple[float, float] | None  # Wilson 95%, as fractions
    interval_bands: tuple[Band, ...]  # every band the interval touches, highest first
    too_few: bool  # N below the scheme's minimum
    next_band: Band | None
    cases_to_next: int | None  # more sufficient cases, of the same N, that would reach next_band

    @property
    def pct(self) -> int | None:
        return pct_half_up(self.successes, self.n)

    @property
    def exact_pct(self) -> float | None:
        return None if self.n == 0 else 100 * self.successes / self.n

    @property
    def crosses_boundary(self) -> bool:
        """The 95% interval reaches into another band: the evidence cannot tell the two apart."""
        return len(self.interval_bands) > 1


@dataclass(frozen=True, slots=True)
class UnitRating:
    unit: Unit
    rating: Rating
    # The question (key-question units: the lowest-rated one; score units: the lowest-scoring member
    # with at least the minimum N) and its rating - "limited by D.4.2.13: 58%".
    limited_by: str | None
    limited_by_rating: Rating | None
    parts: tuple[tuple[str, Rating], ...]

    @property
    def label(self) -> str:
        return self.rating.band.label if self.rating.band else "Not rated (no scored answers)"


@dataclass(frozen=True, slots=True)
class ProgrammeRatings:
    """The ratings of one population (an inspection, an area or a programme)."""

    scheme: RatingScheme
    units: tuple[UnitRating, ...]
    overall: OverallBand | None
    total: int | None  # sum of the units' band scores, None when a unit has no rating
    limited_by_unit: str | None


def _rating(scheme: RatingScheme, successes: int, n: int) -> Rating:
    if n == 0:
        return Rating(successes, n, None, None, (), True, None, None)
    proportion = Proportion(successes, n)
    exact = Fraction(100 * successes, n)
    band = _band(scheme, exact)
    interval = proportion.interval
    assert interval is not None
    low, high = (_band(scheme, Fraction(100) * Fraction(v)) for v in interval)
    order = [b.id for b in scheme.bands]
    touched = tuple(scheme.bands[order.index(high.id) : order.index(low.id) + 1])
    index = order.index(band.id)
    next_band = scheme.bands[index - 1] if index > 0 else None
    cases = None
    if next_band is not None:
        needed = math.ceil(Fraction(next_band.from_percent) * n / 100 - successes)
        cases = needed if needed <= n - successes else None
    return Rating(successes, n, band, interval, touched, n < scheme.min_n, next_band, cases)


def _band(scheme: RatingScheme, pct: Fraction) -> Band:
    for band in scheme.bands:
        lo, hi = Fraction(band.from_percent), Fraction(band.to_percent)
        if lo <= pct < hi or (hi == 100 and pct == 100):
            return band
    raise ValueError(f"{float(pct)}% is in no band of {scheme.id}")


def _rank(scheme: RatingScheme, rating: Rating) -> int:
    """Position from the bottom band (0); unrated parts sort above everything (they cannot limit)."""
    if rating.band is None:
        return len(scheme.bands)
    return len(scheme.bands) - 1 - [b.id for b in scheme.bands].index(rating.band.id)


def rate_unit(
    scheme: RatingScheme,
    instrument: Instrument,
    unit: Unit,
    counts: CountIndex,
    values: Sequence[str | None] | None = None,
) -> UnitRating:
    """Rate one unit from ``counts``; ``values``: only these groups of the index (e.g. one area)."""
    if unit.score is not None:
        score = next(s for _, s in instrument.all_scores() if s.id == unit.score)
        members = instrument.score_members(score)
        pooled = counts.proportion(members, values)
        rating = _rating(scheme, pooled.successes, pooled.n)
        parts = tuple(
            (qid, _rating(scheme, p.successes, p.n)) for qid in members if (p := counts.proportion([qid], values)).n
        )
        weighable = [(qid, r) for qid, r in parts if not r.too_few]
        weakest = min(weighable, key=lambda p: (Fraction(p[1].successes, p[1].n), p[0]), default=None)
        return UnitRating(unit, rating, weakest[0] if weakest else None, weakest[1] if weakest else None, parts)

    parts = tuple(
        (qid, _rating(scheme, (p := counts.proportion([qid], values)).successes, p.n)) for qid in unit.key_questions
    )
    if unit.combine == "pooled":
        pooled = counts.proportion(unit.key_questions, values)
        rating = _rating(scheme, pooled.successes, pooled.n)
        rated = [(qid, r) for qid, r in parts if r.n and not r.too_few]
        weakest = min(rated, key=lambda p: (Fraction(p[1].successes, p[1].n), p[0]), default=None)
        return UnitRating(unit, rating, weakest[0] if weakest else None, weakest[1] if weakest else None, parts)

    # combine: lowest - the unit takes the lowest rating among its key questions.
    rated = [(qid, r) for qid, r in parts if r.band is not None]
    if not rated:
        return UnitRating(unit, _rating(scheme, 0, 0), None, None, parts)
    qid, lowest = min(rated, key=lambda p: (_rank(scheme, p[1]), Fraction(p[1].successes, p[1].n), p[0]))
    # To move the unit up a band, every key question below the next band must reach it.
    cases: int | None = None
    if lowest.next_band is not None:
        target = Fraction(lowest.next_band.from_percent)
        total = 0
        for _, r in rated:
            if Fraction(100 * r.successes, r.n) < target:
                need = math.ceil(target * r.n / 100 - r.successes)
                if need > r.n - r.successes:
                    total = -1
                    break
                total += need
        cases = None if total < 0 else total
    unit_rating = Rating(
        lowest.successes,
        lowest.n,
        lowest.band,
        lowest.interval,
        lowest.interval_bands,
        lowest.too_few,
        lowest.next_band,
        cases,
    )
    return UnitRating(unit, unit_rating, qid, lowest, parts)


def rate(
    scheme: RatingScheme, instrument: Instrument, counts: CountIndex, values: Sequence[str | None] | None = None
) -> ProgrammeRatings:
    """Rate every unit of ``scheme`` from ``counts`` (answers of one population, or of the groups
    ``values`` of it), then overall."""
    units = tuple(rate_unit(scheme, instrument, unit, counts, values) for unit in scheme.units)
    total: int | None = None
    overall: OverallBand | None = None
    limiting: str | None = None
    if units and all(u.rating.band is not None for u in units):
        total = sum(u.rating.band.score for u in units if u.rating.band is not None)
        if scheme.overall:
            overall = next(b for b in scheme.overall if total >= b.min_total)
        limiting = min(units, key=lambda u: (_rank(scheme, u.rating), u.unit.id)).unit.id
    return ProgrammeRatings(scheme, units, overall, total, limiting)


def explain(unit: UnitRating) -> tuple[str, ...]:
    """The sentences printed beside a unit's rating, in people's words."""
    r = unit.rating
    if r.band is None:
        return ("No scored answers, so no rating.",)
    lines = []
    if r.too_few:
        lines.append(f"Only {r.n} cases: too few to rate with confidence.")
    if r.crosses_boundary:
        words = " or ".join(b.label for b in r.interval_bands)
        lines.append(f"The 95% interval crosses a band boundary: the evidence fits {words}.")
    if unit.limited_by and unit.limited_by_rating is not None and unit.limited_by_rating.pct is not None:
        verb = "Limited by" if unit.unit.combine == "lowest" and unit.unit.key_questions else "Lowest aspect"
        lines.append(f"{verb} {unit.limited_by}: {unit.limited_by_rating.pct}%.")
    if r.next_band is not None:
        if r.cases_to_next is None:
            lines.append(f"{r.next_band.label} cannot be reached with these {r.n} cases.")
        else:
            plural = "case" if r.cases_to_next == 1 else "cases"
            lines.append(f"{r.cases_to_next} more sufficient {plural} would make this {r.next_band.label}.")
    return tuple(lines)


def parts_below(unit: UnitRating, band: Band) -> Sequence[str]:
    """Key questions of ``unit`` rated below ``band``."""
    return [
        qid
        for qid, r in unit.parts
        if r.band is not None and Fraction(100 * r.successes, r.n) < Fraction(band.from_percent)
    ]


@dataclass(frozen=True, slots=True)
class RatingLine:
    """One rating as a report prints it (plain values: every export reads these)."""

    scope: str  # "All areas" or the area's name
    unit: str  # the rated unit's title, or "Overall"
    rating: str  # the band's words ("" when not rated)
    sufficient: int | None
    n: int | None
    pct: int | None
    ci_low: float | None  # Wilson 95%, percent, one decimal
    ci_high: float | None
    crosses_boundary: bool
    too_few: bool
    limited_by: str
    notes: tuple[str, ...]


def rating_lines(scope: str, ratings: ProgrammeRatings) -> list[RatingLine]:
    out = []
    for unit in ratings.units:
        r = unit.rating
        out.append(
            RatingLine(
                scope, unit.unit.title, r.band.label if r.band else "", r.successes, r.n, r.pct,
                round(100 * r.interval[0], 1) if r.interval else None,
                round(100 * r.interval[1], 1) if r.interval else None,
                r.crosses_boundary, r.too_few, unit.limited_by or "", explain(unit),
            )
        )
    titles = {u.unit.id: u.unit.title for u in ratings.units}
    total = "" if ratings.total is None else f"Sum of unit scores: {ratings.total}."
    out.append(
        RatingLine(
            scope, "Overall", ratings.overall.label if ratings.overall else "", None, None, None, None, None, False,
            False, titles.get(ratings.limited_by_unit or "", ""), (total,) if total else ("Not every unit is rated.",),
        )
    )
    return out
