"""Proportions as the seed report prints them: "% done sufficiently well" with N.

Conventions (see ``/work/shared/DESIGN.md``):

* ``pct`` is the whole percentage the report prints, rounded half *up*
  (12.5% -> 13%), computed with integer arithmetic so 0.5 boundaries never
  depend on binary floating point. ``None`` when N is 0 (the seed leaves the
  cell blank).
* The 95% interval is Wilson's score interval, which behaves at 0%, 100% and
  small N where the normal ("Wald") interval does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: two-sided 95% normal quantile
Z95 = 1.959963984540054


def pct_half_up(successes: int, n: int) -> int | None:
    """Whole percentage ``100 * successes / n`` rounded half up; ``None`` if ``n == 0``.

    ``floor(100 s / n + 1/2) == (200 s + n) // (2 n)`` exactly, in integers.
    """
    _check(successes, n)
    if n == 0:
        return None
    return (200 * successes + n) // (2 * n)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion, as fractions in [0, 1].

    ``centre = (p + z²/2n) / (1 + z²/n)``,
    ``half = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)``. ``None`` if ``n == 0``.
    """
    _check(successes, n)
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def format_pct(pct: int | None) -> str:
    """``72`` -> ``"72%"``; ``None`` (no cases) -> ``""`` as the seed leaves the cell blank."""
    return "" if pct is None else f"{pct}%"


@dataclass(frozen=True, slots=True)
class Proportion:
    """``successes`` out of ``n`` (excluded answers already left out of both)."""

    successes: int
    n: int

    def __post_init__(self) -> None:
        _check(self.successes, self.n)

    @property
    def value(self) -> float | None:
        """Exact proportion in [0, 1], ``None`` when ``n == 0``."""
        return None if self.n == 0 else self.successes / self.n

    @property
    def pct(self) -> int | None:
        """Whole percentage as printed (half up), ``None`` when ``n == 0``."""
        return pct_half_up(self.successes, self.n)

    @property
    def interval(self) -> tuple[float, float] | None:
        """Wilson 95% interval as fractions, ``None`` when ``n == 0``."""
        return wilson_interval(self.successes, self.n)

    @property
    def ci_low(self) -> float | None:
        ci = self.interval
        return None if ci is None else ci[0]

    @property
    def ci_high(self) -> float | None:
        ci = self.interval
        return None if ci is None else ci[1]

    def __add__(self, other: Proportion) -> Proportion:
        return Proportion(self.successes + other.successes, self.n + other.n)

    def __sub__(self, other: Proportion) -> Proportion:
        return Proportion(self.successes - other.successes, self.n - other.n)

    def __str__(self) -> str:
        return f"{format_pct(self.pct) or '-'} (N={self.n})"


def _check(successes: int, n: int) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
