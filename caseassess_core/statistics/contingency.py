"""Two groups compared on "% done sufficiently well": Pearson's chi-square on a 2x2 table.

Convention (DESIGN.md, following the seed report): no continuity correction, one
degree of freedom, significance shown as ``***`` (p < 0.001), ``**`` (p < 0.01),
``*`` (p < 0.05) and ``--`` otherwise.

Edge cases, decided here once for every export:

* a group with N = 0 -> **no test** (``chi_square_2x2`` returns ``None``; the table
  shows the significance cell blank, as the seed does for licence cases on
  pre-sentence report questions);
* every answer in both groups has the same outcome (pooled proportion 0 or 1) ->
  the two groups cannot differ, the statistic is 0, p = 1 and the stars are ``--``;
* any expected cell count below 5 sets ``small_expected`` so a reader can be warned
  that the chi-square approximation is rough (the result is still reported).

The p-value for one degree of freedom is ``P(X > chi2) = erfc(sqrt(chi2 / 2))``
(chi-square with 1 df is the square of a standard normal), so no scipy is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NOT_SIGNIFICANT = "--"
SMALL_EXPECTED = 5.0


def stars(p: float | None) -> str:
    """``***`` below 0.001, ``**`` below 0.01, ``*`` below 0.05, otherwise ``--``.

    ``None`` (no test) also gives ``--``; callers that want a blank cell check for
    the absent test themselves.
    """
    if p is None:
        return NOT_SIGNIFICANT
    if p < 0.001:
        return "***"
    if p < 0.01:
        return "**"
    if p < 0.05:
        return "*"
    return NOT_SIGNIFICANT


def chi2_sf_1df(chi2: float) -> float:
    """Upper tail of the chi-square distribution with one degree of freedom."""
    if chi2 < 0:
        raise ValueError(f"chi-square cannot be negative: {chi2}")
    return math.erfc(math.sqrt(chi2 / 2.0))


@dataclass(frozen=True, slots=True)
class ChiSquare2x2:
    """Result of Pearson's chi-square test (1 df, no continuity correction)."""

    chi2: float
    p: float
    stars: str
    small_expected: bool
    min_expected: float

    @property
    def significant(self) -> bool:
        return self.p < 0.05


def chi_square_2x2(a_succ: int, a_n: int, b_succ: int, b_n: int) -> ChiSquare2x2 | None:
    """Compare ``a_succ/a_n`` with ``b_succ/b_n``; ``None`` when either group is empty.

    With the table ``[[a, b], [c, d]]`` (rows = groups, columns = sufficient /
    insufficient) and N = a+b+c+d::

        chi2 = N (ad - bc)^2 / (row1 * row2 * col1 * col2)

    The numerator is computed in integers, so large samples lose no precision.
    """
    for succ, n in ((a_succ, a_n), (b_succ, b_n)):
        if n < 0 or succ < 0 or succ > n:
            raise ValueError(f"need 0 <= successes <= n, got successes={succ}, n={n}")
    if a_n == 0 or b_n == 0:
        return None
    a, b = a_succ, a_n - a_succ
    c, d = b_succ, b_n - b_succ
    total = a_n + b_n
    col_succ, col_fail = a + c, b + d
    min_expected = min(r * col for r in (a_n, b_n) for col in (col_succ, col_fail)) / total
    if col_succ == 0 or col_fail == 0:
        # Everyone had the same outcome: no difference to test.
        return ChiSquare2x2(0.0, 1.0, NOT_SIGNIFICANT, min_expected < SMALL_EXPECTED, min_expected)
    numerator = total * (a * d - b * c) ** 2
    chi2 = numerator / (a_n * b_n * col_succ * col_fail)
    p = chi2_sf_1df(chi2)
    return ChiSquare2x2(chi2, p, stars(p), min_expected < SMALL_EXPECTED, min_expected)
