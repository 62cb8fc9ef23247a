import pytest

from caseassess_core.statistics.agreement import (
    DoubleAssessment,
    agreement_from_pairs,
    agreement_report,
    cohen_kappa,
)


def test_it_gives_the_reference_kappa_with_the_fleiss_cohen_everitt_standard_error():
    # n = 50; p = [[.4, .1], [.2, .3]]; rows .5/.5, columns .6/.4; po = .70, pe = .5*.6 + .5*.4 = .50
    # kappa = (.7 - .5) / (1 - .5) = .4
    # A = .4 (1 - 1.1 * .6)^2 + .3 (1 - .9 * .6)^2 = .04624 + .06348 = .10972
    # B = .6^2 [.1 (.6 + .5)^2 + .2 (.4 + .5)^2] = .36 * .283 = .10188
    # C = (.4 - .5 * .6)^2 = .01
    # var = (A + B - C) / (50 * .5^2) = .2016 / 12.5 = .016128; se = .126996
    result = cohen_kappa([[20, 5], [10, 15]])
    assert result.kappa == pytest.approx(0.400)
    assert result.observed_agreement == pytest.approx(0.70)
    assert result.expected_agreement == pytest.approx(0.50)
    assert result.n == 50
    assert result.se == pytest.approx(0.016128**0.5)
    assert result.ci_low == pytest.approx(0.4 - 1.959964 * 0.126996, abs=1e-5)
    assert result.ci_high == pytest.approx(0.4 + 1.959964 * 0.126996, abs=1e-5)
    assert result.reason is None


def test_perfect_agreement_gives_kappa_one_with_no_spread():
    result = cohen_kappa([[12, 0, 0], [0, 7, 0], [0, 0, 5]])
    assert result.kappa == pytest.approx(1.0)
    assert result.se == pytest.approx(0.0)
    assert (result.ci_low, result.ci_high) == (pytest.approx(1.0), 1.0)


def test_a_three_by_three_table_computed_by_hand():
    # n = 30; diagonal 10 + 8 + 6 = 24, po = 24/30 = .8
    # rows 12, 10, 8; columns 11, 12, 7; pe = (12*11 + 10*12 + 8*7) / 900 = 308/900
    # kappa = (720 - 308) / (900 - 308) = 412/592 = .695946
    result = cohen_kappa([[10, 2, 0], [1, 8, 1], [0, 2, 6]])
    assert result.observed_agreement == pytest.approx(0.8)
    assert result.expected_agreement == pytest.approx(308 / 900)
    assert result.kappa == pytest.approx(412 / 592)
    # Fleiss-Cohen-Everitt variance with exact fractions: var = 23488245/1919140864 = .0122389,
    # se = .110630 -> 95% interval .695946 -/+ 1.959964 * .110630 = (.479116, .912776)
    assert result.se == pytest.approx(0.1106297, abs=1e-6)
    assert result.ci_low == pytest.approx(0.479116, abs=1e-6)
    assert result.ci_high == pytest.approx(0.912776, abs=1e-6)


def test_kappa_is_undefined_when_expected_agreement_is_one():
    result = cohen_kappa([[9, 0], [0, 0]])
    assert result.kappa is None and result.se is None and result.ci_low is None
    assert result.observed_agreement == 1.0
    assert "expected agreement is 1" in (result.reason or "")


def test_an_empty_table_has_no_kappa():
    result = cohen_kappa([[0, 0], [0, 0]])
    assert (result.kappa, result.n, result.reason) == (None, 0, "no pairs of answers")


def test_a_table_that_is_not_square_is_refused():
    with pytest.raises(ValueError, match="square"):
        cohen_kappa([[1, 2], [3]])


def test_kappa_can_be_negative_and_the_interval_stays_within_minus_one_and_one():
    result = cohen_kappa([[0, 5], [5, 0]])
    assert result.kappa == pytest.approx(-1.0)
    assert (result.ci_low, result.ci_high) == (pytest.approx(-1.0), pytest.approx(-1.0))


def test_the_lower_bound_of_a_wide_interval_is_clipped_at_minus_one():
    # n = 5, [[0, 3], [2, 0]]: po = 0, rows .6/.4, columns .4/.6, pe = .48, kappa = -.48/.52 = -12/13
    # A = 0; B = (25/13)^2 (.6 * .8^2 + .4 * 1.2^2) = 600/169; C = (-12/13 - .48 * 25/13)^2 = 576/169
    # var = (24/169) / (5 * .52^2) = 3000/28561, se = .324096
    # kappa - 1.96 se = -1.5583 -> clipped to -1; kappa + 1.96 se = -0.2879
    result = cohen_kappa([[0, 3], [2, 0]])
    assert result.kappa == pytest.approx(-12 / 13)
    assert result.se == pytest.approx((3000 / 28561) ** 0.5)
    assert result.ci_low == -1.0
    assert result.ci_high == pytest.approx(-0.287860, abs=1e-6)


def test_it_builds_the_table_from_pairs_and_leaves_out_missing_answers():
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15 + [("yes", None)]
    result = agreement_from_pairs(pairs, categories=["yes", "no"])
    assert result.table == ((20, 5), (10, 15))
    assert (result.n, result.missing) == (50, 1)
    assert result.percent_agreement == pytest.approx(70.0)
    assert result.kappa.kappa == pytest.approx(0.4)


def test_pairs_outside_the_listed_categories_are_refused_and_unlisted_categories_are_sorted():
    with pytest.raises(ValueError, match="maybe"):
        agreement_from_pairs([("yes", "maybe")], categories=["yes", "no"])
    assert agreement_from_pairs([("yes", "no")]).categories == ("no", "yes")


def rows(question: str, section: str, pair: tuple[str, str], table: list[list[int]], labels=("yes", "no")):
    return [
        DoubleAssessment(question, section, pair, labels[i], labels[j])
        for i, row in enumerate(table)
        for j, count in enumerate(row)
        for _ in range(count)
    ]


def test_the_report_measures_questions_sections_and_assessor_pairs_and_flags_low_agreement():
    data = (
        rows("C.1.1", "C", ("ann", "bob"), [[20, 5], [10, 15]])  # kappa .40, 70%
        + rows("C.1.2", "C", ("bob", "ann"), [[10, 0], [0, 10]])  # perfect, recorded the other way round
        + rows("D.1.1", "D", ("cat", "dan"), [[5, 5], [5, 5]])  # kappa 0, 50%
    )
    report = agreement_report(data)
    questions = {row.key: row for row in report.by_question}
    assert questions["C.1.1"].kappa.kappa == pytest.approx(0.4)
    assert questions["C.1.1"].percent_agreement == pytest.approx(70.0)
    assert not questions["C.1.1"].low_agreement  # thresholds are "below 0.40" and "below 70%"
    assert not questions["C.1.2"].low_agreement
    assert questions["D.1.1"].low_agreement
    assert [row.key for row in report.by_section] == ["C", "D"]
    assert report.by_section[0].n == 70
    assert [row.key for row in report.by_assessor_pair] == ["ann / bob", "cat / dan"]
    assert report.by_assessor_pair[0].percent_agreement == pytest.approx(100 * 55 / 70)


def test_the_report_thresholds_are_parameters():
    data = rows("C.1.1", "C", ("ann", "bob"), [[20, 5], [10, 15]])
    report = agreement_report(data, kappa_threshold=0.5, percent_threshold=60)
    assert report.by_question[0].low_agreement
    assert (report.kappa_threshold, report.percent_threshold) == (0.5, 60)


def test_a_question_everyone_answers_the_same_way_is_not_flagged_though_kappa_is_undefined():
    report = agreement_report(rows("E.1", "E", ("ann", "bob"), [[8, 0], [0, 0]]))
    (row,) = report.by_question
    assert row.kappa.kappa is None and row.percent_agreement == 100.0 and not row.low_agreement


def test_the_upper_bound_of_a_wide_interval_is_clipped_at_one():
    # [[4, 1], [1, 4]]: kappa = (.8 - .5) / .5 = .6; var = (.288 + .032 - .16) / (10 * .25) = .064
    # se = .2529822; 1.959964 * .2529822 = .4958360: .6 + .4958 = 1.0958 -> 1; .6 - .4958360 = .1041640
    result = cohen_kappa([[4, 1], [1, 4]])
    assert result.kappa == pytest.approx(0.6)
    assert result.ci_high == 1.0
    assert result.ci_low == pytest.approx(0.104164, abs=1e-6)


def test_negative_counts_are_refused_with_a_message():
    with pytest.raises(ValueError, match=r"^the agreement table cannot hold negative counts$"):
        cohen_kappa([[1, -1], [0, 2]])
    with pytest.raises(ValueError, match=r"^the agreement table must be square \(k x k\)$"):
        cohen_kappa([[1, 2, 3], [4, 5, 6]])


def test_an_undefined_kappa_still_reports_the_agreement_it_measured():
    result = cohen_kappa([[9, 0], [0, 0]])
    assert (result.observed_agreement, result.expected_agreement, result.n) == (1.0, 1.0, 9)
    assert result.reason == "kappa is undefined: expected agreement is 1 (both assessors gave the same single answer throughout)"


def test_every_missing_answer_is_counted_and_no_pairs_give_no_percentage():
    result = agreement_from_pairs([("yes", None), (None, "no"), (None, None), ("yes", "yes")])
    assert (result.n, result.missing, result.percent_agreement) == (1, 3, 100.0)
    empty = agreement_from_pairs([(None, "no")])
    assert (empty.n, empty.missing, empty.percent_agreement) == (0, 1, None)


def test_every_answer_outside_the_categories_is_named():
    with pytest.raises(ValueError, match=r"^answers outside the categories: maybe, perhaps$"):
        agreement_from_pairs([("perhaps", "maybe"), ("yes", "no")], categories=["yes", "no"])


def test_a_row_is_flagged_on_percentage_alone_and_keeps_its_missing_count():
    data = rows("C.1.1", "C", ("ann", "bob"), [[20, 5], [10, 15]]) + [DoubleAssessment("C.1.1", "C", ("ann", "bob"), "yes", None)]
    report = agreement_report(data, kappa_threshold=0.0, percent_threshold=75)  # kappa .40 passes, 70% does not
    (row,) = report.by_question
    assert row.low_agreement is True
    assert (row.n, row.missing) == (50, 1)
