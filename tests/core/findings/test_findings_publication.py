"""Small numbers and key findings by rules a reader can check (issue 13 items 9 and 10)."""

import re

import pytest
from golden_programme import AREAS, instrument

from caseassess_core.findings import ALL_CASES, CountRow, GroupSpec, area_ranges, question_table
from caseassess_core.findings.areas import area_scores
from caseassess_core.findings.counts import CountIndex
from caseassess_core.findings.publication import (
    MAX_KEY_FINDINGS,
    key_findings_by_rules,
    method_note,
    proportion_words,
)
from caseassess_core.findings.report import build_report

SUF, INS = "sufficient", "insufficient"
MEN, WOMEN = GroupSpec("Male", ("male",), "men"), GroupSpec("Female", ("female",), "women")
HIGH = GroupSpec("High and very high RoSH", ("high", "very_high"), "high RoSH cases")


@pytest.mark.parametrize(
    ("pct", "words"),
    [(100, "almost all"), (91, "almost all"), (90, "most"), (75, "most"), (74, "a majority"), (50, "a majority"),
     (49, "less than half"), (15, "less than half"), (14, "few"), (0, "few")],
)
def test_proportions_are_described_with_the_fixed_vocabulary(pct: int, words: str) -> None:
    assert proportion_words(pct) == words


def _key_findings(rows: list[CountRow], groups: list[GroupSpec], comparison: str, min_n: int = 10) -> list[str]:
    ins = instrument()
    index = CountIndex(AREAS)
    table = question_table(ins, rows, groups, comparison)
    return key_findings_by_rules(area_ranges(ins, index), area_scores(ins, index), [table], min_n=min_n, cases=41)


def test_a_subgroup_of_three_is_never_in_the_key_findings_even_when_its_test_is_significant() -> None:
    # 3 women all insufficient against 30 men all sufficient: chi-square is significant
    rows = [CountRow(q, "male", SUF, 30) for q in ("B.1.1.1", "B.1.1.2", "C.2.1.1")]
    rows += [CountRow(q, "female", INS, 1) for q in ("B.1.1.1", "B.1.1.2", "C.2.1.1")]
    table = question_table(instrument(), rows, [MEN, WOMEN], "a_vs_b")
    assert any(r.test is not None and r.test.significant for r in table.score_rows)
    findings = _key_findings(rows, [MEN, WOMEN], "a_vs_b")
    assert not any("women" in f for f in findings)
    # the same difference with 30 women is claimed
    big = [CountRow(q, "male", SUF, 30) for q in ("B.1.1.1", "B.1.1.2", "C.2.1.1")]
    big += [CountRow(q, "female", INS, 30) for q in ("B.1.1.1", "B.1.1.2", "C.2.1.1")]
    assert any("for men" in f and "than for women" in f for f in _key_findings(big, [MEN, WOMEN], "a_vs_b"))


def test_a_difference_that_is_not_significant_is_never_claimed() -> None:
    rows = [CountRow(q, g, s, 10) for q in ("B.1.1.1", "B.1.1.2", "C.2.1.1") for g in ("male", "female") for s in (SUF, INS)]
    findings = _key_findings(rows, [MEN, WOMEN], "a_vs_b")
    assert not any("statistically significant" in f for f in findings)


def test_every_key_finding_states_its_n_and_there_are_at_most_eight() -> None:
    rows = []
    for q in ("B.1.1.1", "B.1.1.2", "C.2.1.1"):
        rows += [CountRow(q, "high", SUF, 40), CountRow(q, "high", INS, 2), CountRow(q, "low", SUF, 10),
                 CountRow(q, "low", INS, 40)]
    findings = _key_findings(rows, [HIGH, ALL_CASES], "versus_all")
    assert 0 < len(findings) <= MAX_KEY_FINDINGS
    for f in findings:
        assert re.search(r"N = [\d,]+", f), f


def test_the_key_aspects_have_one_denominator_and_small_aspects_are_left_out() -> None:
    rows = [CountRow("B.1.1.1", "low", SUF, 20), CountRow("B.1.1.2", "low", SUF, 3), CountRow("C.2.1.1", "low", INS, 12)]
    findings = _key_findings(rows, [HIGH, ALL_CASES], "versus_all")
    denominators = {m for f in findings for m in re.findall(r"of the (\d+) key aspects", f)}
    assert denominators == {"2"}  # B.1.1.2 (N = 3) is not a key aspect
    text = " ".join(findings)
    assert "B.1.1.2" not in text
    assert "The highest-scoring key aspect was B.1.1.1" in text and "the lowest was C.2.1.1" in text


def test_a_percentage_on_fewer_than_min_n_answers_carries_no_key_finding_and_the_rule_is_configurable() -> None:
    rows = [CountRow("B.1.1.1", "low", SUF, 6)]
    assert not any("key aspect" in f for f in _key_findings(rows, [HIGH, ALL_CASES], "versus_all", min_n=10))
    assert any("key aspect" in f or "of the 1 key" in f for f in _key_findings(rows, [HIGH, ALL_CASES], "versus_all", min_n=5))


def test_the_report_carries_the_rule_its_method_note_and_the_key_aspect_count() -> None:
    rows = [CountRow("B.1.1.1", "low", SUF, 20), CountRow("C.2.1.1", "low", INS, 12)]
    table = question_table(instrument(), rows, [HIGH, ALL_CASES], "versus_all")
    report = build_report(instrument(), area_counts=AREAS, tables=[table], min_n=12, kappa_min_cases=7)
    assert report.min_n == 12 and report.key_aspects == 2
    note = dict(report.method)
    assert "fewer than 12 answers" in note["Small numbers"] and "fewer than 7 double-assessed" in note["Small numbers"]
    assert "no continuity correction" in note["Statistical significance"].replace("without", "no")
    assert "\u201calmost all\u201d more than 90%" in note["Key findings"]


def test_the_method_note_names_the_test_the_stars_the_intervals_and_the_exclusions() -> None:
    text = " ".join(p for _, p in method_note(min_n=10, kappa_min_cases=10))
    for needed in ("Pearson's chi-square", "*** p < 0.001", "Wilson", "Not applicable", "outside it", "caution mark"):
        assert needed in text


def test_the_main_points_and_the_key_findings_share_one_denominator_of_key_aspects() -> None:
    rows = [CountRow("B.1.1.1", "low", SUF, 20), CountRow("B.1.1.2", "high", SUF, 3), CountRow("C.2.1.1", "low", INS, 12)]
    table = question_table(instrument(), rows, [HIGH, ALL_CASES], "versus_all")
    report = build_report(instrument(), area_counts=AREAS, tables=[table], min_n=10)
    sentences = list(report.key_findings) + [p for points in report.points for p in points]
    denominators = {int(m) for s in sentences for m in re.findall(r"of the (\d+) key aspects?", s)}
    assert denominators == {report.key_aspects} == {2}


def test_significant_score_differences_are_worded_with_their_p_value_most_significant_first() -> None:
    from caseassess_core.findings.areas import AreaChart
    from caseassess_core.findings.tables import Cell, Comparison, FindingsTable, Row, Test

    def row(kind, label, a, b, p, stars, diff):
        return Row(kind, label[:3], label, (a, b), Test(9.0, p, stars, False, diff))

    a_vs_b = FindingsTable("t7", "Table 7", Comparison.A_VS_B, (MEN, WOMEN), (), (
        row("headline", "Risk of Harm", Cell(40, 50, 80, None, None), Cell(20, 50, 40, None, None), 0.0004, "***", 40.0),
        row("general", "Assessment", Cell(1200, 2000, 60, None, None), Cell(1400, 2000, 70, None, None), 0.03, "*", -10.0),
        row("general", "Delivery", Cell(30, 40, 75, None, None), Cell(15, 40, 38, None, None), 0.004, "**", 37.5),
        row("general", "Review", Cell(30, 40, 75, None, None), Cell(15, 40, 38, None, None), 0.2, "--", 37.5),
        # significant, but 9 women: below the minimum of 10, never claimed
        row("general", "Outcomes", Cell(30, 40, 75, None, None), Cell(0, 9, 0, None, None), 0.0001, "***", 75.0),
    ))
    # versus all: 30 of 40 high RoSH cases against 45 of 100 in all; the test compared the 40 with the
    # 60 outside them, 15 of 60 = 25%
    versus_all = FindingsTable("t3", "Table 3", Comparison.VERSUS_ALL, (HIGH, ALL_CASES), (), (
        row("headline", "Compliance", Cell(30, 40, 75, None, None), Cell(45, 100, 45, None, None), 0.001, "**", 50.0),
    ))
    assert key_findings_by_rules([], AreaChart((), ()), [a_vs_b, versus_all], min_n=10) == [
        "Work counted in the Risk of Harm headline score was done sufficiently well more often for men (80%, N = 50) "
        "than for women (40%, N = 50); the difference is statistically significant (p < 0.001).",
        "Work counted in the Compliance headline score was done sufficiently well more often for high RoSH cases "
        "(75%, N = 40) than for the other cases (25%, N = 60); the difference is statistically significant (p < 0.01).",
        "Work counted in the Delivery general criteria score was done sufficiently well more often for men (75%, N = 40) "
        "than for women (38%, N = 40); the difference is statistically significant (p < 0.01).",
        "Work counted in the Assessment general criteria score was done sufficiently well less often for men "
        "(60%, N = 2,000) than for women (70%, N = 2,000); the difference is statistically significant (p < 0.05).",
    ]


def test_the_method_note_word_for_word() -> None:
    assert method_note(min_n=12, kappa_min_cases=8) == (
        ("% done sufficiently well",
         "Each question asks whether one aspect of the work in one case was done to a sufficiently high level "
         "of quality. \u201c% done sufficiently well\u201d is the number of answers judged sufficient divided "
         "by N, the number of answers judged sufficient or insufficient, as a whole percentage (half up). A "
         "headline or general criteria score pools the answers of every question that counts in it "
         "(the instrument's CHANGELOG lists them question by question)."),
        ("Answers left out",
         "Answers such as \u201cNot applicable\u201d, \u201cNot required\u201d, \u201cNot used\u201d or "
         "\u201cNot a factor\u201d, and questions that do not apply to a case, are left out of both the "
         "percentage and N: they say the work was not needed, not whether it was done well. Only submitted "
         "and signed-off assessments count; of a double-assessed case only the moderated assessment counts."),
        ("Statistical significance",
         "Two groups are compared with Pearson's chi-square test on the 2\u00d72 table of sufficient and "
         "insufficient answers, without continuity correction. A subgroup shown beside \u201cAll cases\u201d "
         "is tested against the cases outside it. Stars: *** p < 0.001 (highly significant), ** p < 0.01, "
         "* p < 0.05; -- not significant (the difference is likely to have arisen by chance). A \u2021 beside "
         "the stars means an expected count is below 5, where the test is less reliable."),
        ("Confidence intervals",
         "Where shown, the 95% confidence interval of a percentage is the Wilson score interval."),
        ("Small numbers",
         "A percentage on fewer than 12 answers is shown with a caution mark (\u2020) and is never used in a key "
         "finding. Agreement between assessors (kappa) is not shown for fewer than 8 double-assessed cases "
         "(\u201ctoo few cases\u201d). Charts show N beside each bar; a chart of areas is not drawn for a single area."),
        ("Key findings",
         "Key findings are written from the numbers by fixed rules: at most 8; every sentence states its N; a "
         "difference between groups is claimed only when its test is significant and both groups have at least 12 "
         "answers; the key aspects are the questions answered in at least 12 cases, one number for the whole report; "
         "proportions are described as \u201calmost all\u201d more than 90%; \u201cmost\u201d 75\u201390%; "
         "\u201ca majority\u201d 50\u201374%; \u201cless than half\u201d 15\u201349%; \u201cfew\u201d less than 15%."),
    )


def test_key_findings_by_rules_from_hand_made_scores_areas_and_a_table() -> None:
    from caseassess_core.findings.areas import AreaChart, AreaScores, ScoreRange
    from caseassess_core.findings.tables import Cell, Comparison, FindingsTable, Row, Test

    def score(kind, sid, title, cell):
        return ScoreRange(kind, sid, title, cell, None, None, None, None, 0)

    ranges = [
        score("headline", "roh", "Risk of Harm", Cell(6, 10, 60, None, None)),  # N = 10: just enough
        score("headline", "com", "Compliance", Cell(5, 9, 56, None, None)),  # N = 9: no key finding
        score("general", "ga1", "Assessment", Cell(4, 10, 40, None, None)),
        score("general", "ga2", "Delivery", Cell(9, 12, 75, None, None)),
        score("general", "ga3", "Small", Cell(1, 9, 11, None, None)),  # N = 9: left out
        score("general", "ga4", "Empty", Cell(0, 0, None, None, None)),  # no cases: left out
        score("general", "ga5", "Review", Cell(1000, 2000, 50, None, None)),
    ]
    # Risk of Harm by area: Abbey 9/10 = 90%, Kent 2/20 = 10%, York 30/40 = 75%, Zed 1/9 (too few)
    chart2 = AreaChart((("roh", "Risk of Harm"),), tuple(
        AreaScores(area, (Cell(s, n, p, None, None),))
        for area, s, n, p in (("Abbey", 9, 10, 90), ("Kent", 2, 20, 10), ("York", 30, 40, 75), ("Zed", 1, 9, 11))
    ))

    def row(label, a, b, p, diff):
        stars = "**" if p < 0.01 else "*" if p < 0.05 else "--"
        return Row("general", label[:3], label, (a, b), Test(9.0, p, stars, False, diff))

    table = FindingsTable("t7", "Table 7", Comparison.A_VS_B, (MEN, WOMEN), (), (
        row("Outcomes", Cell(5, 10, 50, None, None), Cell(9, 10, 90, None, None), 0.2, -40.0),  # not significant
        row("Review", Cell(5, 9, 56, None, None), Cell(9, 10, 90, None, None), 0.001, -34.0),  # 9 men: too few
        # 1,205 of 2,000 (60.25%) against 1,195 of 2,000 (59.75%): half a point, both print as 60%
        row("Risk of Harm", Cell(1205, 2000, 60, None, None), Cell(1195, 2000, 60, None, None), 0.004, 0.5),
        row("Assessment", Cell(7, 10, 70, None, None), Cell(2, 10, 20, None, None), 0.004, 50.0),
    ))
    findings = key_findings_by_rules(ranges, chart2, [table], min_n=10, phrases={"roh": " work under category X. "})
    assert findings == [
        "Work under category X was judged done sufficiently well in a majority of the answers examined (60%, N = 10 "
        "answers), with individual areas ranging from 10% (N = 20) to 90% (N = 10).",
        "The general criteria scores were: assessment 40% (N = 10), delivery 75% (N = 12) and review 50% (N = 2,000).",
        # equal p: the table's order is kept
        "Work counted in the Risk of Harm general criteria score was done sufficiently well more often for men (60%, "
        "N = 2,000) than for women (60%, N = 2,000); the difference is statistically significant (p < 0.01).",
        "Work counted in the Assessment general criteria score was done sufficiently well more often for men (70%, "
        "N = 10) than for women (20%, N = 10); the difference is statistically significant (p < 0.01).",
    ]
    one = key_findings_by_rules(ranges[2:3], AreaChart((), ()), [], min_n=10)
    assert one == ["The general criteria scores were: assessment 40% (N = 10)."]
