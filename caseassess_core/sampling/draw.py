"""Draw a seeded, stratified inspection sample from an area's caseload.

Method
------
1. Eligible cases: the design's supervision window and topic (``SamplingDesign``).
2. Cells: eligible cases grouped by five flags: high/very high RoSH,
   unpaid-work-only, child protection concerns, female, BME.
3. Allocation: how many cases to take from each cell so that every quota holds
   (``allocation.allocate``, an exact search). The quotas are taken in the
   design's priority order; each is added at full strength when it can be met
   together with those already fixed, otherwise a count quota is lowered to the
   most that can be met and a share quota is dropped, and a message says so.
   So: whenever all quotas can be met together, all are met. The function never
   refuses: it returns the best sample with one message per unmet quota, and the
   lead inspector decides whether to go ahead.
4. Draw: within each cell, ``random.Random(seed).sample`` over the cell's cases
   sorted by case_ref, cells taken in a fixed order; so the same caseload (in any
   row order) and design always give the same sample.
5. Weights: a case's design weight is its cell's eligible count over its sampled
   count (the inverse of its selection probability). Cells with no sampled case
   are merged into the nearest sampled cell (same RoSH group first), so the
   weights of the sample add up to the eligible caseload.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

from caseassess_core.sampling.allocation import Bound, SearchLimitReached, allocate
from caseassess_core.sampling.caseload import ETHNICITIES, ROSH_LEVELS, SENTENCE_TYPES, CaseRecord
from caseassess_core.sampling.design import SamplingDesign

CellKey = tuple[bool, bool, bool, bool, bool]
CELL_FLAGS = ("high_rosh", "unpaid_work_only", "child_protection", "female", "bme")
# Merging an empty cell into a sampled one: a RoSH mismatch costs most, BME least.
_MISMATCH_COST = (16, 4, 8, 2, 1)


def cell_of(case: CaseRecord) -> CellKey:
    return (case.is_high_rosh, case.is_unpaid_work_only, case.is_child_protection, case.is_female, case.is_bme)


@dataclass(frozen=True)
class QuotaCheck:
    """A count quota: the design asked for ``required``, the caseload had ``eligible``."""

    name: str
    required: int
    eligible: int
    achieved: int
    met: bool


@dataclass(frozen=True)
class ShareCheck:
    """A share to reflect the caseload within ``tolerance_points`` percentage points."""

    name: str
    caseload_share: float
    sample_share: float
    difference_points: float
    tolerance_points: float
    passed: bool


@dataclass(frozen=True)
class StratumShare:
    name: str
    caseload_count: int
    caseload_share: float
    sample_count: int
    sample_share: float


@dataclass(frozen=True)
class CellAllocation:
    """One sampling cell: its flags (see ``CELL_FLAGS``), counts and the weight of its cases."""

    flags: CellKey
    eligible_count: int
    sample_count: int
    weight: float

    @property
    def label(self) -> str:
        return ", ".join(name if flag else f"not {name}" for name, flag in zip(CELL_FLAGS, self.flags, strict=True))


@dataclass(frozen=True)
class SampleResult:
    case_refs: tuple[str, ...]
    requested_size: int
    eligible_count: int
    ineligible: Mapping[str, int]
    quotas: tuple[QuotaCheck, ...]
    shares: tuple[ShareCheck, ...]
    strata: tuple[StratumShare, ...]
    cells: tuple[CellAllocation, ...]
    weights: Mapping[str, float]
    messages: tuple[str, ...]
    seed: int

    @property
    def sample_size(self) -> int:
        return len(self.case_refs)

    @property
    def high_rosh_count(self) -> int:
        return next(q.achieved for q in self.quotas if q.name == "high_rosh")

    @property
    def all_quotas_met(self) -> bool:
        return all(q.met for q in self.quotas) and all(s.passed for s in self.shares)


@dataclass(frozen=True)
class _Quota:
    name: str
    flag: int
    lower: int
    upper: int
    is_share: bool


_COUNT_LABELS = {
    "child_protection": "cases with child protection concerns",
    "high_rosh": "high/very high RoSH cases",
    "unpaid_work_only": "unpaid-work-only cases",
}

_SHARE_LABELS = {"female": "female", "bme": "BME"}


def _share_bounds(part: int, whole: int, n: int, tolerance_points: float) -> tuple[int, int]:
    share = Fraction(part, whole)
    tolerance = Fraction(str(tolerance_points)) / 100
    return max(0, ceil(n * (share - tolerance))), min(n, floor(n * (share + tolerance)))


def _strata_definitions() -> list[tuple[str, Callable[[CaseRecord], bool]]]:
    def equals(attribute: str, value: str) -> Callable[[CaseRecord], bool]:
        return lambda case: getattr(case, attribute) == value

    definitions: list[tuple[str, Callable[[CaseRecord], bool]]] = [
        ("gender: female", equals("gender", "female")),
        ("gender: male", equals("gender", "male")),
    ]
    definitions += [(f"ethnicity: {v}", equals("ethnicity", v)) for v in sorted(ETHNICITIES)]
    definitions += [(f"rosh_at_start: {v}", equals("rosh_at_start", v)) for v in sorted(ROSH_LEVELS)]
    definitions += [
        ("high/very high RoSH", lambda case: case.is_high_rosh),
        ("child protection concerns", lambda case: case.is_child_protection),
        ("unpaid work only", lambda case: case.is_unpaid_work_only),
    ]
    definitions += [(f"sentence_type: {v}", equals("sentence_type", v)) for v in sorted(SENTENCE_TYPES)]
    return definitions


def _stratum(
    name: str, test: Callable[[CaseRecord], bool], eligible: list[CaseRecord], sample: list[CaseRecord]
) -> StratumShare:
    in_caseload = sum(1 for case in eligible if test(case))
    in_sample = sum(1 for case in sample if test(case))
    return StratumShare(
        name,
        in_caseload,
        in_caseload / len(eligible) if eligible else 0.0,
        in_sample,
        in_sample / len(sample) if sample else 0.0,
    )


def draw_sample(caseload: Iterable[CaseRecord], design: SamplingDesign) -> SampleResult:
    """Draw the sample; see the module docstring for the method and its guarantees."""
    cases = sorted(caseload, key=lambda case: case.case_ref)
    refs = [case.case_ref for case in cases]
    if len(set(refs)) != len(refs):
        raise ValueError("the caseload has duplicate case_refs")
    ineligible: Counter[str] = Counter()
    eligible: list[CaseRecord] = []
    for case in cases:
        reason = design.ineligibility(case)
        if reason is None:
            eligible.append(case)
        else:
            ineligible[reason] += 1
    n = min(design.size, len(eligible))
    messages: list[str] = []
    if len(eligible) < design.size:
        messages.append(
            f"Only {len(eligible)} eligible cases; the design asks for {design.size}, so the sample takes all of them."
        )

    by_cell: dict[CellKey, list[CaseRecord]] = {}
    for case in eligible:
        by_cell.setdefault(cell_of(case), []).append(case)
    keys = sorted(by_cell)
    capacity = [len(by_cell[k]) for k in keys]

    def available(flag: int) -> int:
        return sum(c for k, c in zip(keys, capacity, strict=True) if k[flag])

    quotas: list[_Quota] = []
    asked = {
        "child_protection": 0
        if design.child_protection_cap is None
        else min(design.child_protection_cap, available(2)),
        "high_rosh": design.min_high_rosh,
        "unpaid_work_only": design.min_unpaid_work_only,
    }
    for name, flag in (("child_protection", 2), ("high_rosh", 0), ("unpaid_work_only", 1)):
        wanted, have = asked[name], available(flag)
        if have < wanted:
            messages.append(f"Only {have} eligible {_COUNT_LABELS[name]}; the design asks for {wanted}.")
        elif wanted > n:
            messages.append(f"The design asks for {wanted} {_COUNT_LABELS[name]} but the sample has {n} places.")
        quotas.append(_Quota(name, flag, min(wanted, have, n), n, is_share=False))
    if eligible:
        for name, flag in (("female", 3), ("bme", 4)):
            low, high = _share_bounds(available(flag), len(eligible), n, design.share_tolerance_points)
            quotas.append(_Quota(name, flag, low, high, is_share=True))

    def bound(quota: _Quota, lower: int | None = None) -> Bound:
        members = tuple(k[quota.flag] for k in keys)
        return Bound(members, quota.lower if lower is None else lower, quota.upper)

    counts: tuple[int, ...] | None = tuple(0 for _ in keys) if n == 0 else None
    fixed: list[Bound] = []

    def attempt(candidate: Bound) -> tuple[int, ...] | None:
        try:
            return allocate(capacity, [*fixed, candidate], n)
        except SearchLimitReached:
            messages.append("The search for an allocation stopped at its step limit; a quota was treated as not met.")
            return None

    if n > 0:
        counts = allocate(capacity, [], n)
        for quota in quotas:
            found = attempt(bound(quota))
            if found is not None:
                counts = found
                fixed.append(bound(quota))
                continue
            if quota.is_share:
                continue  # reported with its numbers below
            # The largest lower bound that still fits with the quotas already fixed (0 always does).
            low, high = 0, quota.lower - 1
            while low < high:
                middle = (low + high + 1) // 2
                found = attempt(bound(quota, middle))
                if found is None:
                    high = middle - 1
                else:
                    low, counts = middle, found
            fixed.append(bound(quota, low))
            messages.append(
                f"The design asks for {quota.lower} {_COUNT_LABELS[quota.name]}; together with the quotas above "
                f"at most {low} fit in a sample of {n}."
            )
    assert counts is not None

    rng = random.Random(design.seed)
    sampled_by_cell: dict[CellKey, list[CaseRecord]] = {}
    for key, count in zip(keys, counts, strict=True):
        sampled_by_cell[key] = rng.sample(by_cell[key], count)
    sample = sorted((case for chosen in sampled_by_cell.values() for case in chosen), key=lambda c: c.case_ref)

    cell_weights = _cell_weights({k: len(by_cell[k]) for k in keys}, {k: len(v) for k, v in sampled_by_cell.items()})
    weights = {case.case_ref: cell_weights[key] for key, chosen in sampled_by_cell.items() for case in chosen}

    quota_checks: list[QuotaCheck] = []
    share_checks: list[ShareCheck] = []
    for quota in quotas:
        achieved = sum(1 for case in sample if cell_of(case)[quota.flag])
        if quota.is_share:
            share = Fraction(available(quota.flag), len(eligible))
            sample_share = Fraction(achieved, n)
            difference = abs(sample_share - share) * 100
            passed = difference <= Fraction(str(design.share_tolerance_points))
            if not passed:
                messages.append(
                    f"The {_SHARE_LABELS[quota.name]} share of the sample is {float(sample_share):.1%} against "
                    f"{float(share):.1%} in the eligible caseload "
                    f"(tolerance {design.share_tolerance_points:g} points); "
                    "no sample of this size meets it together with the quotas above."
                )
            share_checks.append(
                ShareCheck(
                    quota.name,
                    float(share),
                    float(sample_share),
                    float(difference),
                    design.share_tolerance_points,
                    passed,
                )
            )
        else:
            wanted = asked[quota.name]
            quota_checks.append(QuotaCheck(quota.name, wanted, available(quota.flag), achieved, achieved >= wanted))

    strata = tuple(_stratum(name, test, eligible, sample) for name, test in _strata_definitions())
    cells = tuple(CellAllocation(key, len(by_cell[key]), len(sampled_by_cell[key]), cell_weights[key]) for key in keys)
    return SampleResult(
        case_refs=tuple(case.case_ref for case in sample),
        requested_size=design.size,
        eligible_count=len(eligible),
        ineligible=dict(ineligible),
        quotas=tuple(quota_checks),
        shares=tuple(share_checks),
        strata=strata,
        cells=cells,
        weights=weights,
        messages=tuple(dict.fromkeys(messages)),
        seed=design.seed,
    )


def _cell_weights(eligible: Mapping[CellKey, int], sampled: Mapping[CellKey, int]) -> dict[CellKey, float]:
    """Weight per cell: eligible over sampled, after merging unsampled cells into their nearest sampled cell."""
    sampled_keys = sorted(k for k, count in sampled.items() if count)
    if not sampled_keys:
        return dict.fromkeys(eligible, 0.0)

    def distance(a: CellKey, b: CellKey) -> int:
        return sum(cost for cost, x, y in zip(_MISMATCH_COST, a, b, strict=True) if x != y)

    home = {
        key: key if sampled.get(key) else min(sampled_keys, key=lambda s: (distance(key, s), s)) for key in eligible
    }
    group_size: Counter[CellKey] = Counter()
    for key, count in eligible.items():
        group_size[home[key]] += count
    return {key: group_size[home[key]] / sampled[home[key]] for key in eligible}
