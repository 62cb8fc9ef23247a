"""How many cases to take from each cell: an exact search under count bounds.

A cell is a set of interchangeable cases (same high-RoSH, unpaid-work-only, child
protection, female and BME flags). Each quota is a bound ``lower <= sum <= upper``
on the number taken from the cells it covers, and the total is fixed. The search
is a depth-first search over the cells with bound propagation and memoised dead
ends (a dynamic programme explored lazily), so it answers exactly whether the
bounds can be met together; ``node_limit`` guards against pathological inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    """``lower <= sum(x[c] for c where members[c]) <= upper``."""

    members: tuple[bool, ...]
    lower: int
    upper: int


class SearchLimitReached(Exception):
    """The search gave up before deciding; the caller treats the bounds as not met."""


def _raked_targets(capacity: Sequence[int], bounds: Sequence[Bound], total: int) -> list[float]:
    """Proportional targets nudged (iterative proportional fitting) towards the bounds; only orders the search."""
    available = sum(capacity)
    targets = [total * c / available if available else 0.0 for c in capacity]
    for _ in range(30):
        for bound in bounds:
            inside = sum(t for t, m in zip(targets, bound.members, strict=True) if m)
            outside = sum(t for t, m in zip(targets, bound.members, strict=True) if not m)
            wanted = min(max(inside, bound.lower), bound.upper)
            if wanted == inside:
                continue
            for i, member in enumerate(bound.members):
                if member and inside > 0:
                    targets[i] *= wanted / inside
                elif not member and outside > 0:
                    targets[i] *= (total - wanted) / outside
            targets = [min(max(t, 0.0), c) for t, c in zip(targets, capacity, strict=True)]
    return targets


def allocate(
    capacity: Sequence[int], bounds: Sequence[Bound], total: int, *, node_limit: int = 500_000
) -> tuple[int, ...] | None:
    """Counts per cell meeting every bound and summing to ``total``, or ``None`` if none exist.

    Among many solutions it prefers counts near a proportional allocation adjusted
    towards the bounds. Raises ``SearchLimitReached`` after ``node_limit`` steps.
    """
    if any(b.lower > min(b.upper, total) for b in bounds):
        return None
    cells = len(capacity)
    targets = _raked_targets(capacity, bounds, total)
    # Cells that count towards many bounds first: they decide the most.
    order = sorted(range(cells), key=lambda c: (-sum(b.members[c] for b in bounds), c))
    caps = [capacity[c] for c in order]
    member = [[b.members[c] for c in order] for b in bounds]
    rem_total = [sum(caps[i:]) for i in range(cells + 1)]
    rem_in = [
        [sum(cap for cap, m in zip(caps[i:], row[i:], strict=True) if m) for i in range(cells + 1)] for row in member
    ]
    # Pairs of lower bounds: a case in both covers two deficits at once, but only so many are left.
    pairs = [
        (j, k) for j in range(len(bounds)) for k in range(j + 1, len(bounds)) if bounds[j].lower and bounds[k].lower
    ]
    rem_both = {
        (j, k): [
            sum(cap for cap, a, b in zip(caps[i:], member[j][i:], member[k][i:], strict=True) if a and b)
            for i in range(cells + 1)
        ]
        for j, k in pairs
    }
    # A lower-only bound can be tracked up to its lower value: more makes no difference.
    capped = [b.upper >= total for b in bounds]
    dead: set[tuple[int, ...]] = set()
    chosen = [0] * cells
    steps = 0

    def viable(i: int, taken: int, sums: Sequence[int]) -> bool:
        slots = total - taken
        if slots < 0 or rem_total[i] < slots:
            return False
        for j, bound in enumerate(bounds):
            inside = rem_in[j][i]
            outside = rem_total[i] - inside
            if sums[j] + min(slots, inside) < bound.lower:
                return False
            if sums[j] + max(0, slots - outside) > bound.upper:
                return False
        for j, k in pairs:
            need_j = bounds[j].lower - sums[j]
            need_k = bounds[k].lower - sums[k]
            if need_j > 0 and need_k > 0 and need_j + need_k - min(need_j, need_k, rem_both[j, k][i]) > slots:
                return False
        return True

    def search(i: int, taken: int, sums: list[int]) -> bool:
        nonlocal steps
        steps += 1
        if steps > node_limit:
            raise SearchLimitReached
        if not viable(i, taken, sums):
            return False
        if i == cells:
            return True
        key = (i, taken, *(min(s, b.lower) if cap else s for s, b, cap in zip(sums, bounds, capped, strict=True)))
        if key in dead:
            return False
        slots = total - taken
        low = max(0, slots - rem_total[i + 1])
        high = min(caps[i], slots)
        for j, bound in enumerate(bounds):
            if member[j][i]:
                high = min(high, bound.upper - sums[j])
        target = targets[order[i]]
        for x in sorted(range(low, high + 1), key=lambda v: (abs(v - target), v)):
            chosen[i] = x
            child = [s + x if member[j][i] else s for j, s in enumerate(sums)]
            if search(i + 1, taken + x, child):
                return True
        chosen[i] = 0
        dead.add(key)
        return False

    if not search(0, 0, [0] * len(bounds)):
        return None
    counts = [0] * cells
    for position, cell in enumerate(order):
        counts[cell] = chosen[position]
    return tuple(counts)
