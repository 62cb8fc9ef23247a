"""Statistics for findings: proportions, Wilson intervals, 2x2 chi-square and stars.

(Inter-rater agreement lives in ``caseassess_core.statistics.agreement``.)
"""

from caseassess_core.statistics.contingency import (
    NOT_SIGNIFICANT,
    ChiSquare2x2,
    chi2_sf_1df,
    chi_square_2x2,
    stars,
)
from caseassess_core.statistics.proportions import Proportion, format_pct, pct_half_up, wilson_interval

__all__ = [
    "NOT_SIGNIFICANT",
    "ChiSquare2x2",
    "Proportion",
    "chi2_sf_1df",
    "chi_square_2x2",
    "format_pct",
    "pct_half_up",
    "stars",
    "wilson_interval",
]
