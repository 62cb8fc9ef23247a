"""Pearson's chi-square on a 2x2 table, 1 df, no continuity correction, with stars."""

import math

import pytest

from caseassess_core.statistics import chi2_sf_1df, chi_square_2x2, stars


def test_45_of_100_against_30_of_100_gives_the_reference_p_of_0_0285():
    # a=45 b=55 c=30 d=70, N=200; ad-bc = 3150-1650 = 1500
    # chi2 = 200 * 1500^2 / (100*100*75*125) = 450,000,000 / 93,750,000 = 4.8
    # p = erfc(sqrt(2.4)) = 0.02846
    result = chi_square_2x2(45, 100, 30, 100)
    assert result is not None
    assert result.chi2 == pytest.approx(4.8)
    assert result.p == pytest.approx(0.0285, abs=5e-5)
    assert result.stars == "*"
    assert result.small_expected is False
    assert result.min_expected == pytest.approx(37.5)  # 100 * 75 / 200


def test_the_test_is_symmetric_in_the_two_groups():
    assert chi_square_2x2(45, 100, 30, 100) == chi_square_2x2(30, 100, 45, 100)


def test_the_p_value_matches_the_textbook_critical_values_of_chi_square_with_one_df():
    # 3.841459 -> 0.05, 6.634897 -> 0.01, 10.827566 -> 0.001
    assert chi2_sf_1df(3.841459) == pytest.approx(0.05, abs=1e-6)
    assert chi2_sf_1df(6.634897) == pytest.approx(0.01, abs=1e-7)
    assert chi2_sf_1df(10.827566) == pytest.approx(0.001, abs=1e-8)
    assert chi2_sf_1df(0.0) == 1.0


def test_stars_follow_the_seed_thresholds():
    assert stars(0.0009) == "***"
    assert stars(0.001) == "**"
    assert stars(0.0099) == "**"
    assert stars(0.01) == "*"
    assert stars(0.0499) == "*"
    assert stars(0.05) == "--"
    assert stars(0.9) == "--"
    assert stars(None) == "--"


def test_there_is_no_test_when_a_group_has_no_cases():
    assert chi_square_2x2(0, 0, 30, 100) is None
    assert chi_square_2x2(30, 100, 0, 0) is None


def test_identical_outcomes_everywhere_give_chi2_zero_and_no_stars():
    # pooled proportion 1: nobody could differ -> chi2 = 0, p = 1, "--"
    result = chi_square_2x2(10, 10, 20, 20)
    assert result is not None
    assert (result.chi2, result.p, result.stars) == (0.0, 1.0, "--")
    # expected insufficient counts are 0 -> flagged as small
    assert result.small_expected is True
    assert result.min_expected == 0.0  # 10 * 0 / 30 in the insufficient column
    none_sufficient = chi_square_2x2(0, 10, 0, 20)
    assert none_sufficient is not None and none_sufficient.p == 1.0


def test_it_flags_expected_counts_below_five():
    # 3/4 vs 1/4: expected sufficient = 4*4/8 = 2 in each group -> small
    # ad-bc = 3*3 - 1*1 = 8; chi2 = 8 * 64 / (4*4*4*4) = 2.0; p = erfc(1) = 0.1573
    result = chi_square_2x2(3, 4, 1, 4)
    assert result is not None
    assert result.chi2 == pytest.approx(2.0)
    assert result.p == pytest.approx(math.erfc(1.0))
    assert result.small_expected is True
    assert result.min_expected == pytest.approx(2.0)


def test_very_large_samples_keep_precision():
    # 72% vs 72% of a million each: no difference at all
    result = chi_square_2x2(720_000, 1_000_000, 720_000, 1_000_000)
    assert result is not None and result.chi2 == 0.0 and result.p == 1.0


def test_it_rejects_impossible_counts():
    with pytest.raises(ValueError, match=r"need 0 <= successes <= n, got successes=11, n=10"):
        chi_square_2x2(11, 10, 1, 10)
    with pytest.raises(ValueError, match=r"need 0 <= successes <= n, got successes=-1, n=10"):
        chi_square_2x2(5, 10, -1, 10)


def test_an_expected_count_of_exactly_five_is_not_flagged_but_just_below_is():
    # 5/10 vs 5/10: column totals 10 and 10 of 20 -> every expected count 10 * 10 / 20 = 5 (not below 5)
    exactly_five = chi_square_2x2(5, 10, 5, 10)
    assert exactly_five is not None
    assert exactly_five.min_expected == 5.0
    assert exactly_five.small_expected is False
    # 5/10 vs 4/10: 9 sufficient of 20 -> expected 10 * 9 / 20 = 4.5 -> flagged
    below = chi_square_2x2(5, 10, 4, 10)
    assert below is not None
    assert below.min_expected == pytest.approx(4.5)
    assert below.small_expected is True


def test_a_negative_chi_square_is_refused_with_a_message():
    with pytest.raises(ValueError, match=r"^chi-square cannot be negative: -1.0$"):
        chi2_sf_1df(-1.0)
