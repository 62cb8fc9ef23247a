"""Golden tables: every cell (%, N, p, stars) of the hand-computed programme."""

import math

import pytest
from golden_programme import ROSH, SUPERVISION, instrument

from caseassess_core.findings import (
    ALL_CASES,
    Cell,
    Comparison,
    CountIndex,
    CountRow,
    GroupSpec,
    overall_scores,
    question_table,
    score_rows,
)

HIGH = GroupSpec("High and very high RoSH", ("high", "very_high"), "high RoSH cases")
COMMUNITY = GroupSpec("Community orders", ("community",))
LICENCES = GroupSpec("Licences", ("licence_determinate", "licence_indeterminate"))


def _flat(table_rows):
    """(id, pct1, n1, pct2, n2, stars or None, p or None) per row."""
    out = []
    for r in table_rows:
        (a, b) = r.cells
        out.append((r.id, a.pct, a.n, b.pct, b.n, None if r.test is None else r.test.stars))
    return out


def _p(table_rows):
    return {r.id: (None if r.test is None else r.test.p) for r in table_rows}


# ---------------------------------------------------------------------------------
# Tables 3-6 style: high + very high RoSH beside all cases, tested against the rest
# ---------------------------------------------------------------------------------
def test_the_versus_all_table_matches_the_hand_computation_cell_by_cell():
    table = question_table(instrument(), ROSH, [HIGH, ALL_CASES], Comparison.VERSUS_ALL, table_id="t3", title="Table 3")
    # B.1.1.1  high 5/6 + very high 2/2 = 7/8 = 87.5% -> 88%; all 11/20 = 55%
    #          tested against the rest 4/12: ad-bc = 7*8 - 1*4 = 52, N = 20
    #          chi2 = 20*52^2 / (8*12*11*9) = 54080/9504 = 5.6902, p = erfc(sqrt(2.8451)) = 0.0171 -> *
    # B.1.1.2  high 2/5 = 40%; all 12/21 = 57.1% -> 57%; rest 10/16
    #          ad-bc = 2*6 - 3*10 = -18; chi2 = 21*324/(5*16*12*9) = 6804/8640 = 0.7875, p = 0.3749 -> --
    # C.2.1.1  high: all 4 answers excluded -> N = 0, no test; all 13/20 = 65%
    assert _flat(table.rows) == [
        ("B.1.1.1", 88, 8, 55, 20, "*"),
        ("B.1.1.2", 40, 5, 57, 21, "--"),
        ("C.2.1.1", None, 0, 65, 20, None),
    ]
    assert _p(table.rows)["B.1.1.1"] == pytest.approx(0.01706, abs=5e-6)
    assert table.rows[0].test.chi2 == pytest.approx(54080 / 9504)
    assert table.rows[1].test.chi2 == pytest.approx(0.7875)
    assert _p(table.rows)["B.1.1.2"] == pytest.approx(0.37486, abs=5e-6)
    # 7/8 - 4/12 = 87.5 - 33.3 = 54.2 points, subgroup better
    assert table.rows[0].test.diff_points == 54.2
    assert table.rows[0].test.small_expected is True  # expected insufficient in high = 8*9/20 = 3.6
    assert [g.label for g in table.groups] == ["High and very high RoSH", "All cases"]
    assert (table.id, table.title, table.comparison) == ("t3", "Table 3", Comparison.VERSUS_ALL)


def test_the_versus_all_score_rows_pool_member_questions():
    rows = score_rows(instrument(), ROSH, [HIGH, ALL_CASES], "versus_all")
    # roh = B.1.1.1 + B.1.1.2: high 7/8 + 2/5 = 9/13 = 69.2% -> 69%; all 23/41 = 56.1% -> 56%
    #   rest 14/28; ad-bc = 9*14 - 4*14 = 70; chi2 = 41*4900/(13*28*23*18) = 200900/150696 = 1.3332 -> p 0.2482
    # compliance = C.2.1.1 + B.1.1.2: high 0/0 + 2/5 = 40%; all 13/20 + 12/21 = 25/41 = 61%
    #   rest 23/36; ad-bc = 2*13 - 3*23 = -43; chi2 = 41*1849/(5*36*25*16) = 75809/72000 = 1.0529 -> p 0.3048
    # ga1 = roh; ga2 = C.2.1.1 -> high N = 0, no test
    assert [(r.kind, r.label) for r in rows] == [
        ("headline", "Risk of Harm"),
        ("headline", "Compliance & <Enforcement>"),
        ("general", "Assessment and sentence planning"),
        ("general", "Implementation of interventions"),
    ]
    assert _flat(rows) == [
        ("roh", 69, 13, 56, 41, "--"),
        ("compliance", 40, 5, 61, 41, "--"),
        ("ga1", 69, 13, 56, 41, "--"),
        ("ga2", None, 0, 65, 20, None),
    ]
    assert rows[0].test.chi2 == pytest.approx(200900 / 150696)
    assert rows[0].test.p == pytest.approx(0.24825, abs=5e-6)
    assert rows[1].test.chi2 == pytest.approx(75809 / 72000)
    assert rows[1].test.p == pytest.approx(0.30484, abs=5e-6)


def test_a_subgroup_beside_all_cases_is_tested_against_the_cases_outside_it():
    # Shown: 45/100 beside all 75/200. Tested: 45/100 against the other 30/100 -> the
    # reference chi2 = 4.8, p = 0.0285, not 45/100 against 75/200 (chi2 = 1.6, p = 0.206).
    counts = [
        CountRow("B.1.1.1", "high", "sufficient", 45),
        CountRow("B.1.1.1", "high", "insufficient", 55),
        CountRow("B.1.1.1", "low", "sufficient", 30),
        CountRow("B.1.1.1", "low", "insufficient", 70),
    ]
    table = question_table(instrument(), counts, [GroupSpec("High", ("high",)), ALL_CASES], "versus_all")
    (row,) = table.rows
    assert [(c.pct, c.n) for c in row.cells] == [(45, 100), (38, 200)]  # 75/200 = 37.5% -> 38%
    assert row.test.chi2 == pytest.approx(4.8)
    assert row.test.p == pytest.approx(0.0285, abs=5e-5)
    assert row.test.stars == "*"


# ---------------------------------------------------------------------------------
# Table 7 style: community orders against licences (two raw values pooled)
# ---------------------------------------------------------------------------------
def test_the_a_versus_b_table_matches_the_hand_computation_cell_by_cell():
    table = question_table(instrument(), SUPERVISION, [COMMUNITY, LICENCES], Comparison.A_VS_B)
    # B.1.1.1  community 9/15 = 60%; no licence answers -> blank, no test (as the seed's PSR rows)
    # B.1.1.2  community 4/10 = 40%; licences 6/7 + 2/3 = 8/10 = 80%
    #          ad-bc = 4*2 - 6*8 = -40; chi2 = 20*1600/(10*10*12*8) = 3.3333; p = erfc(sqrt(1.6667)) = 0.0679 -> --
    # C.2.1.1  community 3/10 = 30%; licences 10/10 = 100% (5 excluded answers ignored)
    #          ad-bc = 3*0 - 7*10 = -70; chi2 = 20*4900/(10*10*13*7) = 10.7692; p = 0.00103 -> ** (not ***)
    assert _flat(table.rows) == [
        ("B.1.1.1", 60, 15, None, 0, None),
        ("B.1.1.2", 40, 10, 80, 10, "--"),
        ("C.2.1.1", 30, 10, 100, 10, "**"),
    ]
    assert table.rows[1].test.chi2 == pytest.approx(20 * 1600 / 9600)
    assert table.rows[1].test.p == pytest.approx(math.erfc(math.sqrt(10 / 6)))
    assert table.rows[2].test.chi2 == pytest.approx(98000 / 9100)
    assert table.rows[2].test.p == pytest.approx(0.00103, abs=5e-6)
    assert table.rows[2].test.diff_points == -70.0
    assert len(table.tested_rows) == 2
    # scores: roh community 9/15 + 4/10 = 13/25 = 52%, licences 8/10 = 80%
    #   ad-bc = 13*2 - 12*8 = -70; chi2 = 35*4900/(25*10*21*14) = 2.3333; p = 0.1266 -> --
    # compliance community 3/10 + 4/10 = 7/20 = 35%, licences 18/20 = 90%
    #   ad-bc = 7*2 - 13*18 = -220; chi2 = 40*48400/(20*20*25*15) = 12.9067; p = 0.00033 -> ***
    assert _flat(table.score_rows) == [
        ("roh", 52, 25, 80, 10, "--"),
        ("compliance", 35, 20, 90, 20, "***"),
        ("ga1", 52, 25, 80, 10, "--"),
        ("ga2", 30, 10, 100, 10, "**"),
    ]
    assert table.score_rows[0].test.chi2 == pytest.approx(171500 / 73500)
    assert table.score_rows[1].test.chi2 == pytest.approx(1936000 / 150000)
    assert table.score_rows[1].test.p == pytest.approx(0.00033, abs=5e-6)


def test_it_leaves_excluded_answers_out_of_both_percentage_and_n():
    counts = [
        CountRow("B.1.1.2", "licence", "sufficient", 3),
        CountRow("B.1.1.2", "licence", "insufficient", 1),
        CountRow("B.1.1.2", "licence", "excluded", 50),
    ]
    table = question_table(instrument(), counts, [GroupSpec("Licences", ("licence",)), ALL_CASES], "versus_all")
    (row,) = table.rows
    # Wilson 95% interval of 3/4 by hand: centre = (.75 + .48015) / 1.96038 = .627500,
    # half = .999794 * sqrt(.046875 + .060019) = .326929 -> 30.1% to 95.4%
    assert row.cells[1] == Cell(3, 4, 75, 30.1, 95.4)


def test_cases_without_a_subgroup_value_still_count_in_all_cases():
    counts = [
        CountRow("B.1.1.2", None, "sufficient", 5),
        CountRow("B.1.1.2", "female", "sufficient", 1),
        CountRow("B.1.1.2", "female", "insufficient", 1),
    ]
    table = question_table(instrument(), counts, [GroupSpec("Female", ("female",)), ALL_CASES], "versus_all")
    assert [(c.sufficient, c.n) for c in table.rows[0].cells] == [(1, 2), (6, 7)]


def test_an_empty_group_gives_blank_cells_and_no_test():
    counts = [CountRow("B.1.1.2", "male", "sufficient", 4), CountRow("B.1.1.2", "male", "insufficient", 1)]
    table = question_table(
        instrument(), counts, [GroupSpec("Males", ("male",)), GroupSpec("Females", ("female",))], "a_vs_b"
    )
    (row,) = table.rows
    assert row.cells[1] == Cell(0, 0, None, None, None)
    assert row.test is None
    assert table.tested_rows == ()


def test_questions_nobody_answered_are_dropped_unless_asked_for():
    counts = [CountRow("B.1.1.2", "male", "sufficient", 4)]
    groups = [GroupSpec("Males", ("male",)), GroupSpec("Females", ("female",))]
    assert [r.id for r in question_table(instrument(), counts, groups, "a_vs_b").rows] == ["B.1.1.2"]
    full = question_table(instrument(), counts, groups, "a_vs_b", skip_empty=False)
    assert [r.id for r in full.rows] == ["B.1.1.1", "B.1.1.2", "C.2.1.1"]  # text question B.1.1.3 never scored


def test_a_key_aspect_selection_keeps_its_own_order_and_labels():
    table = question_table(instrument(), ROSH, [HIGH, ALL_CASES], "versus_all", questions=["C.2.1.1", "B.1.1.1"])
    assert [(r.id, r.label) for r in table.rows] == [
        ("C.2.1.1", "Was every effort made to promote compliance?"),
        ("B.1.1.1", "Accurate RoH analysis in the PSR?"),
    ]


def test_it_refuses_group_layouts_that_cannot_be_tested():
    with pytest.raises(ValueError, match=r"^versus_all needs a subgroup first and all cases \(values=None\) second$"):
        question_table(instrument(), ROSH, [ALL_CASES, HIGH], "versus_all")
    with pytest.raises(ValueError, match=r"^versus_all needs a subgroup first and all cases \(values=None\) second$"):
        question_table(instrument(), ROSH, [HIGH, GroupSpec("Low RoSH", ("low",))], "versus_all")
    with pytest.raises(ValueError, match="^a_vs_b needs two subgroups; use versus_all to compare with all cases$"):
        question_table(instrument(), ROSH, [HIGH, ALL_CASES], "a_vs_b")
    with pytest.raises(ValueError, match="^a findings table compares exactly two groups, got 1$"):
        question_table(instrument(), ROSH, [HIGH], "a_vs_b")
    with pytest.raises(ValueError, match="chalk_vs_cheese"):
        question_table(instrument(), ROSH, [HIGH, ALL_CASES], "chalk_vs_cheese")


def test_overall_scores_pool_every_group():
    rows = overall_scores(instrument(), CountIndex(ROSH))
    assert [(r.id, r.cells[0].pct, r.cells[0].n, r.test) for r in rows] == [
        ("roh", 56, 41, None),
        ("compliance", 61, 41, None),
        ("ga1", 56, 41, None),
        ("ga2", 65, 20, None),
    ]


def test_group_phrases_read_naturally_in_sentences():
    assert LICENCES.phrase == "licences"
    assert GroupSpec("BME offenders", ("bme",)).phrase == "BME offenders"
    assert HIGH.phrase == "high RoSH cases"


def test_a_table_without_an_id_or_title_has_empty_ones():
    table = question_table(instrument(), ROSH, [HIGH, ALL_CASES], "versus_all")
    assert (table.id, table.title) == ("", "")
