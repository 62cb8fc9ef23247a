"""Ratings as versioned data: bands over "% done sufficiently well" and how units combine.

A rating scheme is a YAML file beside the instrument (``ratings.yaml``). ``load_rating_scheme``
checks it against the instrument and reports every problem as ``file:line: path: message``;
``rate`` turns counts into ratings with their 95% Wilson interval, a flag when the interval
crosses a band boundary, the question or unit that limited a rating, and how many more
sufficient cases would reach the next band.
"""

from caseassess_core.ratings.evaluate import ProgrammeRatings, Rating, RatingLine, UnitRating, rate, rating_lines
from caseassess_core.ratings.loader import RatingSchemeError, load_rating_scheme
from caseassess_core.ratings.schema import Band, OverallBand, RatingScheme, Unit

__all__ = [
    "Band",
    "OverallBand",
    "ProgrammeRatings",
    "Rating",
    "RatingLine",
    "RatingScheme",
    "RatingSchemeError",
    "Unit",
    "UnitRating",
    "load_rating_scheme",
    "rate",
    "rating_lines",
]
