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


@pytest.mark.slow  # measures time: left out of the mutation run, whose tracing slows everything
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


def test_the_refusals_name_the_row_and_the_three_outcomes():
    with pytest.raises(ValueError, match=(
        r"^count row \('Q1', None, 'yes', 1\): scoring must be one of \['excluded', 'insufficient', 'sufficient'\]$"
    )):
        CountIndex([CountRow("Q1", None, "sufficient", 2), CountRow("Q1", None, "yes", 1)])
    with pytest.raises(ValueError, match=r"^count row \('Q1', 'a', 'excluded', -1\): negative count$"):
        CountIndex([CountRow("Q1", "a", "excluded", -1)])


def test_each_question_and_group_keeps_its_own_sufficient_and_scored_totals():
    index = CountIndex([
        CountRow("Q1", "a", "sufficient", 3), CountRow("Q1", "a", "insufficient", 1),
        CountRow("Q1", "b", "insufficient", 4), CountRow("Q2", "a", "sufficient", 7),
        CountRow("Q2", None, "insufficient", 2), CountRow("Q2", "b", Scoring.EXCLUDED, 9),  # type: ignore[arg-type]
    ])
    # Q1: a 3/4, b 0/4; Q2: a 7/7, None 0/2 (b only excluded)
    def p(qs, groups=None):
        r = index.proportion(qs, groups)
        return (r.successes, r.n)

    assert p(["Q1"]) == (3, 8)
    assert p(["Q1"], ["a"]) == (3, 4)
    assert p(["Q1"], ["b"]) == (0, 4)
    assert p(["Q2"]) == (7, 9)
    assert p(["Q2"], [None]) == (0, 2)
    assert p(["Q1", "Q2"], ["a"]) == (10, 11)
    assert p(["Q1", "Q2"], ["a", "b"]) == (10, 15)
    assert p(["Q1", "Q2"], []) == (0, 0)
    assert index.groups() == ["a", "b", None]
