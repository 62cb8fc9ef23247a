"""Counts from one grouped query, indexed for the tables."""

import time

import pytest

from caseassess_core.findings import CountIndex, CountRow
from caseassess_core.instrument.schema import Scoring


def test_it_sums_repeated_rows_and_drops_excluded_answers():
    index = CountIndex(
        [
            ("Q1", "a", "sufficient", 2),
            CountRow("Q1", "a", "sufficient", 3),
            CountRow("Q1", "a", "insufficient", 5),
            CountRow("Q1", "a", "excluded", 100),
        ]
    )
    p = index.proportion(["Q1"])
    assert (p.successes, p.n) == (5, 10)


def test_it_accepts_the_scoring_enum():
    index = CountIndex([CountRow("Q1", None, Scoring.SUFFICIENT, 1)])  # type: ignore[arg-type]
    assert index.proportion(["Q1"]).n == 1


def test_it_rejects_unknown_outcomes_and_negative_counts():
    with pytest.raises(ValueError, match="scoring must be one of"):
        CountIndex([CountRow("Q1", None, "yes", 1)])
    with pytest.raises(ValueError, match="negative"):
        CountIndex([CountRow("Q1", None, "sufficient", -1)])


def test_groups_are_listed_even_when_all_their_answers_are_excluded():
    index = CountIndex([CountRow("Q1", "x", "excluded", 1), CountRow("Q1", None, "sufficient", 1)])
    assert index.groups() == ["x", None]
    assert index.proportion(["Q1"], ["x"]).n == 0


def test_a_unknown_question_has_no_cases():
    assert CountIndex([]).proportion(["Q9"]).n == 0


def test_counts_for_a_large_programme_are_indexed_in_well_under_a_second():
    # 110 questions x 35 areas x 3 outcomes = 11,550 rows (100,000 cases' answers already grouped)
    rows = [
        CountRow(f"Q{q}", f"area{a}", s, 100 + q + a)
        for q in range(110)
        for a in range(35)
        for s in ("sufficient", "insufficient", "excluded")
    ]
    start = time.perf_counter()
    index = CountIndex(rows)
    for q in range(110):
        index.proportion([f"Q{q}"], ["area1", "area2"])
    assert time.perf_counter() - start < 0.5
