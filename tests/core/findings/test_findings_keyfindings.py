"""Key findings and table main points are sentences built from the numbers."""

from golden_programme import AREAS, ROSH, SUPERVISION, instrument

from caseassess_core.findings import (
    ALL_CASES,
    CountRow,
    GroupSpec,
    area_ranges,
    key_findings,
    question_table,
    table_points,
)
from caseassess_core.findings.keyfindings import _highlights, general_point, headline_points

HIGH = GroupSpec("High and very high RoSH", ("high", "very_high"), "high RoSH cases")
COMMUNITY = GroupSpec("Community orders", ("community",))
LICENCES = GroupSpec("Licences", ("licence_determinate", "licence_indeterminate"))


PHRASES = {"roh": "work to keep to a minimum each offender's Risk of Harm to others"}


def test_headline_points_give_the_overall_score_and_the_range_between_areas():
    points = headline_points(area_ranges(instrument(), AREAS), phrases=PHRASES)
    assert points == [
        "The overall average percentage of work to keep to a minimum each offender's Risk of Harm to others "
        "judged to have been done sufficiently well was 56%, with scores for individual areas ranging from 40% to 70%.",
        # no phrase given: "work on <title>" (the score description documents membership, it is not prose)
        "The overall average percentage of work on Compliance & <Enforcement> judged to have been done "
        "sufficiently well was 61%, with scores for individual areas ranging from 45% to 75%.",
    ]


def test_a_single_area_has_no_range_clause():
    rows = [CountRow("B.1.1.1", "North", "sufficient", 3), CountRow("B.1.1.1", "North", "insufficient", 1)]
    (roh, _) = headline_points(area_ranges(instrument(), rows), area_word="Trust areas")
    assert (
        roh
        == "The overall average percentage of work on Risk of Harm judged to have been done sufficiently well was 75%."
    )


def test_general_criteria_scores_are_listed_in_one_sentence():
    assert general_point(area_ranges(instrument(), AREAS)) == (
        "Scores for Assessment and sentence planning and Implementation of interventions were 56% and 65% respectively."
    )


def test_a_versus_all_table_names_its_best_and_worst_aspects_and_counts_significant_differences():
    table = question_table(instrument(), ROSH, [HIGH, ALL_CASES], "versus_all")
    assert table_points(table, highlights=1) == [
        # all-cases %: B.1.1.1 55%, B.1.1.2 57%, C.2.1.1 65%
        "For 1 of the 3 key aspects, the work was rated as done sufficiently well in 60% or more of all the cases scrutinised.",
        "For none of the 3 key aspects was the work rated as done sufficiently well in 75% or more of all the cases scrutinised.",
        # C.2.1.1 has no high RoSH answers: no bracket
        "In 65% of all cases, work on \u201cWas every effort made to promote compliance?\u201d was done sufficiently well.",
        # lowest; high RoSH significantly better -> "but"
        "In only 55% of all cases (but 88% of high RoSH cases) was work on \u201cAccurate RoH analysis in the PSR?\u201d "
        "done sufficiently well.",
        # tested: B.1.1.1 (*) and B.1.1.2 (--); C.2.1.1 untested
        "For 1 of the 2 aspects compared there was a statistically significant difference in the quality of the work "
        "between high RoSH cases and all cases as a whole.",
        "For the one aspect where there was a statistically significant difference, the proportion of cases "
        "rated \u2018done sufficiently well\u2019 was higher for high RoSH cases than for all cases as a whole.",
        "The headline and general criteria scores show no statistically significant difference between high RoSH "
        "cases and all cases as a whole.",
    ]


def test_an_a_versus_b_table_counts_applicable_aspects_and_names_significant_scores():
    table = question_table(instrument(), SUPERVISION, [COMMUNITY, LICENCES], "a_vs_b")
    assert table_points(table) == [
        "For 1 of the 2 applicable aspects there was a statistically significant difference between community "
        "orders and licences in the proportion of work done sufficiently well (higher for licences).",
        "The headline and general criteria scores show a statistically significant difference between community "
        "orders and licences for Compliance & <Enforcement> (lower for community orders, 35% against 90%) and "
        "Implementation of interventions (lower for community orders, 30% against 100%).",
    ]


def test_key_findings_start_with_headlines_then_general_scores_then_tables():
    rosh = question_table(instrument(), ROSH, [HIGH, ALL_CASES], "versus_all")
    supervision = question_table(instrument(), SUPERVISION, [COMMUNITY, LICENCES], "a_vs_b")
    findings = key_findings(area_ranges(instrument(), AREAS), [rosh, supervision], phrases=PHRASES)
    assert findings[0].startswith("The overall average percentage of work to keep to a minimum")
    assert findings[2].startswith("Scores for Assessment and sentence planning")
    assert findings[3].startswith("In 65% of all cases")
    assert findings[4].startswith("In only 55% of all cases (but 88% of high RoSH cases)")
    assert any(f.startswith("For 1 of the 2 applicable aspects") for f in findings)
    assert all(f[0].isupper() for f in findings)


def test_tables_without_any_tested_aspect_say_nothing_about_significance():
    rows = [CountRow("B.1.1.2", "male", "sufficient", 4)]
    table = question_table(
        instrument(), rows, [GroupSpec("Males", ("male",)), GroupSpec("Females", ("female",))], "a_vs_b"
    )
    assert table_points(table) == []


def test_highlights_leave_out_aspects_answered_in_few_cases():
    # B.1.1.2 is 100% but answered in 2 cases, under a quarter of C.2.1.1's 20: it is not a highlight.
    rows = [
        CountRow("B.1.1.1", "high", "sufficient", 10), CountRow("B.1.1.1", "low", "insufficient", 10),
        CountRow("B.1.1.2", "high", "sufficient", 2),
        CountRow("C.2.1.1", "high", "sufficient", 15), CountRow("C.2.1.1", "low", "insufficient", 5),
    ]
    table = question_table(instrument(), rows, [HIGH, ALL_CASES], "versus_all")
    points = " ".join(table_points(table, highlights=1))
    assert "In 75% of all cases" in points
    assert "In 100% of all cases" not in points


# Same proportion in the subgroup and the rest of each aspect (so no difference is significant):
#   B.1.1.1 high 8/10, rest 72/90 -> all 80/100 = 80% (highest)
#   C.2.1.1 high 5/10, rest 45/90 -> all 50/100 = 50%
#   B.1.1.2 high 2/10, rest 18/90 -> all 20/100 = 20% (lowest)
EVEN = [
    CountRow("B.1.1.1", "high", "sufficient", 8), CountRow("B.1.1.1", "high", "insufficient", 2),
    CountRow("B.1.1.1", "low", "sufficient", 72), CountRow("B.1.1.1", "low", "insufficient", 18),
    CountRow("C.2.1.1", "high", "sufficient", 5), CountRow("C.2.1.1", "high", "insufficient", 5),
    CountRow("C.2.1.1", "low", "sufficient", 45), CountRow("C.2.1.1", "low", "insufficient", 45),
    CountRow("B.1.1.2", "high", "sufficient", 2), CountRow("B.1.1.2", "high", "insufficient", 8),
    CountRow("B.1.1.2", "low", "sufficient", 18), CountRow("B.1.1.2", "low", "insufficient", 72),
]


def test_a_subgroup_that_does_not_differ_is_joined_with_and():
    table = question_table(instrument(), EVEN, [HIGH, ALL_CASES], "versus_all")
    assert table_points(table, highlights=1) == [
        "For 1 of the 3 key aspects, the work was rated as done sufficiently well in 60% or more of all the cases scrutinised.",
        "For 1 of the 3 key aspects, the work was rated as done sufficiently well in 75% or more of all the cases scrutinised.",
        "In 80% of all cases (and 80% of high RoSH cases), work on \u201cAccurate RoH analysis in the PSR?\u201d was done sufficiently well.",
        "In only 20% of all cases (and 20% of high RoSH cases) was work on \u201cWas the risk management plan on time?\u201d "
        "done sufficiently well.",
        "For none of the 3 aspects compared was there a statistically significant difference in the quality of the work "
        "between high RoSH cases and all cases as a whole.",
        "The headline and general criteria scores show no statistically significant difference between high RoSH "
        "cases and all cases as a whole.",
    ]


def test_one_aspect_is_counted_in_the_singular():
    rows = [r for r in EVEN if r.question_id == "B.1.1.1"]
    table = question_table(instrument(), rows, [HIGH, ALL_CASES], "versus_all")
    points = table_points(table, highlights=0)
    assert points[:3] == [
        "For 1 of the 1 key aspect, the work was rated as done sufficiently well in 60% or more of all the cases scrutinised.",
        "For 1 of the 1 key aspect, the work was rated as done sufficiently well in 75% or more of all the cases scrutinised.",
        "For none of the 1 aspect compared was there a statistically significant difference in the quality of the work "
        "between high RoSH cases and all cases as a whole.",
    ]


def test_a_headline_score_with_no_cases_says_so_and_the_next_score_still_follows():
    # Only C.2.1.1 answered: Risk of Harm (section B.1.1) has no cases; compliance = C.2.1.1 + B.1.1.2 = 3/4.
    rows = [CountRow("C.2.1.1", "North", "sufficient", 3), CountRow("C.2.1.1", "North", "insufficient", 1)]
    points = headline_points(area_ranges(instrument(), rows), phrases={"roh": "work on Risk of Harm."})
    assert points == [
        "No work was assessed for work on Risk of Harm.",
        "The overall average percentage of work on Compliance & <Enforcement> judged to have been done sufficiently "
        "well was 75%.",
    ]


def test_a_single_general_criterion_is_one_sentence():
    from caseassess_core.findings.areas import ScoreRange
    from caseassess_core.findings.tables import Cell

    general = ScoreRange("general", "ga1", "Assessment and sentence planning", Cell(2, 5, 40, None, None), 40, 40, "North", "North", 1)
    assert general_point([general]) == "The score for Assessment and sentence planning was 40%."


def _rows(spec):
    return [CountRow(q, g, o, n) for (q, g), (suf, ins) in spec.items() for o, n in (("sufficient", suf), ("insufficient", ins))]


def test_significant_differences_in_both_directions_are_counted_each_way():
    from caseassess_core.findings.keyfindings import significance_points

    # B.1.1.1 community 40/50 vs licences 20/50: ad-bc = 1200 - 200 = 1000, chi2 = 100 * 1000^2 / (50*50*60*40) = 16.7 (***)
    # B.1.1.2 community 20/50 vs licences 40/50: the mirror image, 16.7 (***); C.2.1.1 25/50 each: chi2 0
    # compliance = C.2.1.1 + B.1.1.2: 45/100 vs 65/100, ad-bc = 1575 - 3575 = -2000,
    #   chi2 = 200 * 2000^2 / (100*100*110*90) = 8.08, p = .0045 (**); roh 60/100 each: no difference
    rows = _rows({
        ("B.1.1.1", "community"): (40, 10), ("B.1.1.1", "licence_determinate"): (20, 30),
        ("B.1.1.2", "community"): (20, 30), ("B.1.1.2", "licence_determinate"): (40, 10),
        ("C.2.1.1", "community"): (25, 25), ("C.2.1.1", "licence_determinate"): (25, 25),
    })
    table = question_table(instrument(), rows, [COMMUNITY, LICENCES], "a_vs_b")
    assert significance_points(table) == [
        "For 2 of the 3 applicable aspects there were statistically significant differences between community orders "
        "and licences in the proportion of work done sufficiently well (higher for community orders in 1 and for licences in 1).",
        "The headline and general criteria scores show a statistically significant difference between community orders "
        "and licences for Compliance & <Enforcement> (lower for community orders, 45% against 65%).",
    ]


def test_one_lower_aspect_among_three_is_the_majority_sentence_and_names_both_scores():
    from caseassess_core.findings.keyfindings import significance_points

    # B.1.1.1 high 10/40 vs rest 40/60: ad-bc = 200 - 1200 = -1000, chi2 = 100 * 1000^2 / (40*60*50*50) = 16.7 (lower)
    # B.1.1.2 high 20/40 vs rest 30/60 and C.2.1.1 high 24/40 vs rest 36/60: the same %, chi2 0
    # roh (= ga1) = B.1.1.1 + B.1.1.2: high 30/80 = 37.5% -> 38% vs rest 70/120; all 100/200 = 50%
    #   ad-bc = 30*50 - 50*70 = -2000, chi2 = 200 * 2000^2 / (80*120*100*100) = 8.33, p = .0039 (lower)
    rows = _rows({
        ("B.1.1.1", "high"): (10, 30), ("B.1.1.1", "low"): (40, 20),
        ("B.1.1.2", "high"): (20, 20), ("B.1.1.2", "low"): (30, 30),
        ("C.2.1.1", "high"): (24, 16), ("C.2.1.1", "low"): (36, 24),
    })
    table = question_table(instrument(), rows, [HIGH, ALL_CASES], "versus_all")
    assert significance_points(table) == [
        "For the majority of the aspects compared (2 of the 3) there was no statistically significant difference in "
        "the quality of the work between high RoSH cases and all cases as a whole.",
        "For the one aspect where there was a statistically significant difference, the proportion of cases rated "
        "\u2018done sufficiently well\u2019 was lower for high RoSH cases than for all cases as a whole.",
        "The headline and general criteria scores show a statistically significant difference between high RoSH cases "
        "and all cases as a whole for Risk of Harm (lower for high RoSH cases, 38% against 50%) and Assessment and "
        "sentence planning (lower for high RoSH cases, 38% against 50%).",
    ]


def test_three_general_criteria_are_joined_with_commas_and_a_missing_score_is_a_dash():
    from caseassess_core.findings.areas import ScoreRange
    from caseassess_core.findings.tables import Cell

    def general(title, cell):
        return ScoreRange("general", title[:3], title, cell, cell.pct, cell.pct, None, None, 1)

    ranges = [general("Assessment", Cell(2, 5, 40, None, None)), general("Delivery", Cell(0, 0, None, None, None)),
              general("Outcomes", Cell(3, 4, 75, None, None))]
    assert general_point(ranges) == "Scores for Assessment, Delivery and Outcomes were 40%, - and 75% respectively."


def test_the_key_findings_use_the_callers_word_for_areas_and_trim_only_the_final_full_stop():
    # Risk of Harm 56%, South 40% to North 70% (see the golden programme)
    findings = key_findings(area_ranges(instrument(), AREAS), area_word="probation trusts",
                            phrases={"roh": "  work under MAPPA category X. "})
    assert findings[0] == (
        "The overall average percentage of work under MAPPA category X judged to have been done sufficiently well "
        "was 56%, with scores for individual probation trusts ranging from 40% to 70%."
    )
    assert key_findings(area_ranges(instrument(), AREAS))[1].endswith("with scores for individual areas ranging from "
                                                                       "45% to 75%.")


def test_significance_points_leave_out_aspects_where_a_tested_group_is_below_the_minimum():
    from caseassess_core.findings.keyfindings import significance_points
    from caseassess_core.findings.tables import Cell, Comparison, FindingsTable, Row, Test

    def row(kind, rid, sub_n, all_n, significant, diff, pcts=(55, 54)):
        test = Test(9.0 if significant else 0.1, 0.003 if significant else 0.75, "**" if significant else "--",
                    False, diff)
        return Row(kind, rid, rid, (Cell(1, sub_n, pcts[0], None, None), Cell(1, all_n, pcts[1], None, None)), test)

    table = FindingsTable("t3", "Table 3", Comparison.VERSUS_ALL, (HIGH, ALL_CASES), (
        row("question", "Q1", 12, 40, True, 0.5),  # the rest: 28; significant, half a point higher
        row("question", "Q2", 9, 40, True, -30.0),  # 9 high RoSH cases: left out below 10
        row("question", "Q3", 30, 38, True, -30.0),  # the rest: 38 - 30 = 8: left out below 10
        row("question", "Q4", 10, 20, False, 2.0),  # 10 and 10: tested
    ), (
        row("headline", "Risk of Harm", 10, 20, True, 0.5),
        row("general", "Delivery", 9, 20, True, -20.0, (30, 50)),  # left out below 10
    ))
    pair = "between high RoSH cases and all cases as a whole"
    assert significance_points(table, min_n=10) == [
        f"For 1 of the 2 aspects compared there was a statistically significant difference in the quality of the "
        f"work {pair}.",
        "For the one aspect where there was a statistically significant difference, the proportion of cases rated "
        "\u2018done sufficiently well\u2019 was higher for high RoSH cases than for all cases as a whole.",
        f"The headline and general criteria scores show a statistically significant difference {pair} for Risk of "
        "Harm (higher for high RoSH cases, 55% against 54%).",
    ]
    # without the minimum every aspect is counted: 3 of 4 significant, 1 higher and 2 lower
    assert significance_points(table)[:2] == [
        f"For 3 of the 4 aspects compared there was a statistically significant difference in the quality of the "
        f"work {pair}.",
        "Of the 3 aspects with a statistically significant difference, the proportion done sufficiently well was "
        "higher for high RoSH cases in 1 and lower in 2.",
    ]


def _hand_table(rows, groups=None):
    from caseassess_core.findings.tables import Cell, Comparison, FindingsTable, GroupSpec, Row, Test

    def row(label, sub, all_, diff=None):
        test = None if diff is None else Test(9.0, 0.003, "**", False, diff)
        return Row("question", label, label, (Cell(*sub, None, None), Cell(*all_, None, None)), test)

    groups = groups or (GroupSpec("Female", ("female",)), ALL_CASES)
    return FindingsTable("t", "T", Comparison.VERSUS_ALL, groups, tuple(row(*r) for r in rows), ())


def test_highlights_rank_exact_proportions_leave_out_thin_aspects_and_say_but_when_the_subgroup_differs():
    table = _hand_table([
        ("Aspect one", (5, 10, 50), (36, 40, 90), -40.0),  # significantly lower for the subgroup: "but"
        ("Aspect two", (8, 10, 80), (75, 100, 75), 0.5),  # higher by half a point: "and"
        ("Aspect three", (6, 10, 60), (8, 40, 20), 45.0),  # lowest, higher for the subgroup: "but"
        ("Aspect five", (0, 5, 0), (0, 24, 0)),  # 24 answers, under a quarter of 100: left out
        ("Aspect six", (3, 12, 25), (6, 25, 24), 0.5),  # 25 answers, exactly a quarter: kept
        ("Aspect seven", (0, 0, None), (0, 0, None)),  # nobody answered
    ])
    # ranked by the all-cases proportion: 36/40, 75/100, 6/25, 8/40; the top two, then the bottom two lowest first
    assert _highlights(table, 2) == [
        "In 90% of all cases (but 50% of female cases), work on \u201cAspect one\u201d was done sufficiently well.",
        "In 75% of all cases (and 80% of female cases), work on \u201cAspect two\u201d was done sufficiently well.",
        "In only 20% of all cases (but 60% of female cases) was work on \u201cAspect three\u201d done sufficiently well.",
        "In only 24% of all cases (but 25% of female cases) was work on \u201cAspect six\u201d done sufficiently well.",
    ]


def test_the_main_points_keep_to_aspects_answered_in_at_least_min_n_cases():
    table = _hand_table([
        ("R1", (9, 9, 100), (9, 9, 100)),  # 9 answers: not a key aspect under the rule of 10
        ("R2", (9, 9, 100), (30, 40, 75)),  # 9 high cases: their % is left out of the sentence
        ("R3", (5, 10, 50), (2, 10, 20), 40.0),  # 10 and 10: kept, with the subgroup's %
    ])
    assert table_points(table, highlights=1, min_n=10) == [
        "For 1 of the 2 key aspects, the work was rated as done sufficiently well in 60% or more of all the cases "
        "scrutinised.",
        # R2 at exactly 75% counts
        "For 1 of the 2 key aspects, the work was rated as done sufficiently well in 75% or more of all the cases "
        "scrutinised.",
        "In 75% of all cases, work on \u201cR2\u201d was done sufficiently well.",
        "In only 20% of all cases (but 50% of female cases) was work on \u201cR3\u201d done sufficiently well.",
        # R3's test compared its 10 female cases with the 0 outside them: below 10, so nothing is claimed
    ]
    one = _hand_table([("Only", (1, 2, 50), (5, 10, 50))])
    assert table_points(one, highlights=0) == [
        "For none of the 1 key aspect was the work rated as done sufficiently well in 60% or more of all the cases "
        "scrutinised.",
        "For none of the 1 key aspect was the work rated as done sufficiently well in 75% or more of all the cases "
        "scrutinised.",
    ]


def test_significance_points_between_two_groups_in_each_direction():
    from caseassess_core.findings.keyfindings import significance_points
    from caseassess_core.findings.tables import Cell, Comparison, FindingsTable, GroupSpec, Row, Test

    men, women = GroupSpec("Men", ("male",), "men"), GroupSpec("Women", ("female",), "women")

    def row(kind, rid, diff, n=20):
        # diff None: tested, not significant
        test = Test(0.2, 0.65, "--", False, 0.0) if diff is None else Test(9.0, 0.003, "**", False, diff)
        return Row(kind, rid, rid, (Cell(10, n, 50, None, None), Cell(10, n, 50, None, None)), test)

    def table(rows, scores=()):
        return FindingsTable("t", "T", Comparison.A_VS_B, (men, women), tuple(rows), tuple(scores))

    start = "applicable aspects there"
    end = "between men and women in the proportion of work done sufficiently well"
    assert significance_points(table([row("question", "Q1", 20.0), row("question", "Q2", 15.0),
                                      row("question", "Q3", None)],
                                     [row("headline", "Risk of Harm", 30.0, n=5)]), min_n=10) == [
        f"For 2 of the 3 {start} were statistically significant differences {end} (higher for men in each).",
    ]
    assert significance_points(table([row("question", "Q1", -20.0), row("question", "Q3", None),
                                      row("question", "Q4", None)])) == [
        f"For 1 of the 3 {start} was a statistically significant difference {end} (higher for women).",
    ]
    assert significance_points(table([row("question", "Q1", -20.0), row("question", "Q2", -15.0)])) == [
        f"For 2 of the 2 {start} were statistically significant differences {end} (higher for women in each).",
    ]
    assert significance_points(table([row("question", "Q1", 20.0)])) == [
        f"For 1 of the 1 {start} was a statistically significant difference {end} (higher for men).",
    ]
    assert significance_points(table([row("question", "Q1", None), row("question", "Q2", None)])) == [
        "For none of the 2 applicable aspects was there a statistically significant difference between men and "
        "women in the proportion of work done sufficiently well.",
    ]


def test_a_lowest_aspect_without_enough_subgroup_answers_has_no_clause():
    table = _hand_table([
        ("Top", (5, 10, 50), (30, 40, 75)),
        ("Low", (1, 2, 50), (8, 40, 20)),  # 2 female cases: below the minimum of 10
    ])
    assert _highlights(table, 1, 10) == [
        "In 75% of all cases (and 50% of female cases), work on \u201cTop\u201d was done sufficiently well.",
        "In only 20% of all cases was work on \u201cLow\u201d done sufficiently well.",
    ]
