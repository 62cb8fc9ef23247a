"""Proportions as the seed prints them: whole % (half up), N, Wilson 95% interval."""

import pytest

from caseassess_core.statistics import Proportion, format_pct, pct_half_up, wilson_interval


def test_it_prints_whole_percentages_rounding_half_up():
    # 1/8 = 12.5% -> 13% (half up, not banker's 12%); 2213 cases: 1594/2213 = 72.03% -> 72%
    assert pct_half_up(1, 8) == 13
    assert pct_half_up(5, 200) == 3  # 2.5% -> 3%
    assert pct_half_up(1594, 2213) == 72
    assert pct_half_up(2, 3) == 67  # 66.67%
    assert pct_half_up(0, 5) == 0
    assert pct_half_up(5, 5) == 100


def test_it_has_no_percentage_when_there_are_no_cases():
    assert pct_half_up(0, 0) is None
    assert Proportion(0, 0).pct is None
    assert Proportion(0, 0).interval is None
    assert format_pct(None) == ""


def test_it_rejects_impossible_counts():
    with pytest.raises(ValueError, match=r"need 0 <= successes <= n, got successes=6, n=5"):
        Proportion(6, 5)
    with pytest.raises(ValueError, match=r"need 0 <= successes <= n, got successes=-1, n=5"):
        Proportion(-1, 5)


def test_the_wilson_interval_matches_a_hand_computation_for_45_of_100():
    # p = .45, z = 1.96, z^2 = 3.8415; denom = 1 + z^2/n = 1.038415
    # centre = (.45 + z^2/200) / denom = .469207 / 1.038415 = .451850
    # half = z/denom * sqrt(p(1-p)/n + z^2/(4n^2)) = 1.88745 * sqrt(.002475 + .000096) = .095705
    # -> (.3561, .5476)
    low, high = wilson_interval(45, 100)
    assert low == pytest.approx(0.3561, abs=5e-5)
    assert high == pytest.approx(0.5476, abs=5e-5)


def test_the_wilson_interval_matches_a_hand_computation_for_35_of_100():
    # p = .35; centre = (.35 + .019207) / 1.038415 = .355555
    # half = 1.88745 * sqrt(.35 * .65 / 100 + .000096) = 1.88745 * .048689 = .091898
    # -> (.2636, .4475); as the findings tables print it: 26.4% to 44.7%
    low, high = wilson_interval(35, 100)
    assert low == pytest.approx(0.2636, abs=5e-5)
    assert high == pytest.approx(0.4475, abs=5e-5)
    assert Proportion(35, 100).interval == pytest.approx((0.2636, 0.4475), abs=5e-5)


def test_the_wilson_interval_stays_inside_zero_and_one_at_the_extremes():
    # 0/10: upper = z^2/n / (1 + z^2/n) = .38415/1.38415 = .2775
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-5)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=5e-5)
    # one away from the extremes the bounds are no longer 0 and 1: 1/10 -> (.0179, .4042)
    assert wilson_interval(1, 10) == pytest.approx((0.0179, 0.4042), abs=5e-5)
    assert wilson_interval(9, 10) == pytest.approx((0.5958, 0.9821), abs=5e-5)


def test_proportions_add_and_subtract_as_counts():
    assert Proportion(45, 100) + Proportion(30, 100) == Proportion(75, 200)
    assert Proportion(75, 200) - Proportion(30, 100) == Proportion(45, 100)
    assert str(Proportion(45, 100)) == "45% (N=100)"
    assert str(Proportion(0, 0)) == "- (N=0)"
