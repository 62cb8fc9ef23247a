import random
from datetime import date
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseassess_core.sampling import CaseRecord, SamplingDesign, draw_sample

REFERENCE = date(2013, 10, 1)
IN_WINDOW = date(2013, 2, 15)  # seven and a half months before the reference date


def case(
    ref: str,
    *,
    start: date = IN_WINDOW,
    gender: str = "male",
    ethnicity: str = "white",
    rosh: str = "low",
    offence: str = "burglary",
    requirements: tuple[str, ...] = ("supervision",),
    cp: str = "no",
) -> CaseRecord:
    return CaseRecord(ref, "community_order", start, gender, ethnicity, rosh, offence, requirements, cp, "tier_2")


def design(**overrides: object) -> SamplingDesign:
    values: dict[str, object] = {"size": 10, "reference_date": REFERENCE, "seed": 7}
    values.update(overrides)
    return SamplingDesign(**values)  # type: ignore[arg-type]


def area(count: int = 200, seed: int = 1) -> list[CaseRecord]:
    rng = random.Random(seed)
    return [
        case(
            f"C{i:04d}",
            gender=rng.choices(["male", "female"], [85, 15])[0],
            ethnicity=rng.choices(["white", "bme", "not_known"], [80, 15, 5])[0],
            rosh=rng.choices(["low", "medium", "high", "very_high", "not_completed"], [40, 40, 12, 3, 5])[0],
            requirements=rng.choices([("unpaid_work",), ("supervision",), ("supervision", "unpaid_work")], [2, 6, 2])[
                0
            ],
            cp=rng.choices(["yes", "no"], [1, 9])[0],
            offence=rng.choice(["burglary", "violence_against_the_person", "robbery"]),
        )
        for i in range(count)
    ]


def test_it_samples_only_cases_in_the_supervision_window_and_topic():
    cases = [
        case("in"),
        case("too-new", start=date(2013, 5, 2)),
        case("too-old", start=date(2012, 12, 31)),
        case("edge-new", start=date(2013, 4, 1)),
        case("edge-old", start=date(2013, 1, 1)),
        case("robbery", offence="robbery"),
    ]
    result = draw_sample(cases, design(principal_offences=frozenset({"burglary"})))
    assert result.case_refs == ("edge-new", "edge-old", "in")
    assert result.ineligible == {"outside the supervision window": 2, "principal offence outside the topic": 1}
    assert result.messages[0] == "Only 3 eligible cases; the design asks for 10, so the sample takes all of them."


def test_it_meets_a_realistic_design_and_reports_shares():
    result = draw_sample(area(), design(size=100, min_high_rosh=30, min_unpaid_work_only=10, child_protection_cap=15))
    assert result.sample_size == 100
    assert result.all_quotas_met, result.messages
    assert result.high_rosh_count >= 30
    female = next(s for s in result.shares if s.name == "female")
    assert female.passed and female.difference_points <= 5
    strata = {s.name: s for s in result.strata}
    assert strata["high/very high RoSH"].sample_count == result.high_rosh_count
    assert strata["high/very high RoSH"].sample_share > strata["high/very high RoSH"].caseload_share


def test_it_says_plainly_when_there_are_too_few_high_rosh_cases_and_still_draws():
    cases = [case(f"C{i}", rosh="high" if i < 12 else "low") for i in range(200)]
    result = draw_sample(cases, design(size=100, min_high_rosh=30))
    assert "Only 12 eligible high/very high RoSH cases; the design asks for 30." in result.messages
    assert result.sample_size == 100 and result.high_rosh_count == 12
    (rosh,) = [q for q in result.quotas if q.name == "high_rosh"]
    assert (rosh.required, rosh.eligible, rosh.achieved, rosh.met) == (30, 12, 12, False)
    assert not result.all_quotas_met


def test_it_gives_way_in_priority_order_when_quotas_conflict():
    # 10 places; 6 child protection cases (all low RoSH) must come in, so at most 4 high RoSH fit.
    cases = [case(f"cp{i}", cp="yes") for i in range(6)] + [case(f"h{i}", rosh="high") for i in range(8)]
    result = draw_sample(cases, design(child_protection_cap=10, min_high_rosh=8))
    checks = {q.name: q for q in result.quotas}
    assert checks["child_protection"].met and checks["child_protection"].achieved == 6
    assert checks["high_rosh"].achieved == 4 and not checks["high_rosh"].met
    assert any("at most 4 fit in a sample of 10" in m for m in result.messages)


def test_the_child_protection_cap_limits_how_many_must_be_included():
    cases = [case(f"cp{i}", cp="yes") for i in range(30)] + [case(f"o{i}") for i in range(70)]
    result = draw_sample(cases, design(size=20, child_protection_cap=5))
    (cp,) = [q for q in result.quotas if q.name == "child_protection"]
    assert cp.required == 5 and cp.achieved >= 5 and cp.met


def test_weights_are_the_inverse_selection_probability_and_sum_to_the_eligible_caseload():
    cases = [case(f"h{i}", rosh="high") for i in range(10)] + [case(f"l{i}") for i in range(90)]
    result = draw_sample(cases, design(size=20, min_high_rosh=10))
    assert all(result.weights[f"h{i}"] == 1.0 for i in range(10))
    assert {result.weights[r] for r in result.case_refs if r.startswith("l")} == {9.0}
    assert sum(result.weights.values()) == pytest.approx(100)


def test_an_empty_eligible_caseload_gives_an_empty_sample_with_a_message():
    result = draw_sample([case("old", start=date(2010, 1, 1))], design())
    assert result.case_refs == () and result.weights == {}
    assert result.messages == ("Only 0 eligible cases; the design asks for 10, so the sample takes all of them.",)


def test_the_design_rejects_nonsense():
    with pytest.raises(ValueError, match="size must be at least 1"):
        design(size=0)
    with pytest.raises(ValueError, match="unknown principal offences: arson"):
        design(principal_offences=frozenset({"arson"}))


# ---- properties -------------------------------------------------------------------------

case_flags = st.tuples(
    st.booleans(), st.booleans(), st.sampled_from(["white", "bme", "not_known"]), st.booleans(), st.booleans()
)


@st.composite
def caseloads(draw: st.DrawFn, max_size: int = 11) -> list[CaseRecord]:
    flags = draw(st.lists(case_flags, min_size=0, max_size=max_size))
    return [
        case(
            f"C{i:03d}",
            gender="female" if female else "male",
            ethnicity=ethnicity,
            rosh="very_high" if high else "medium",
            requirements=("unpaid_work",) if uwo else ("supervision", "unpaid_work"),
            cp="yes" if cp else "no",
        )
        for i, (female, high, ethnicity, uwo, cp) in enumerate(flags)
    ]


designs = st.builds(
    design,
    size=st.integers(1, 8),
    seed=st.integers(0, 2**32),
    min_high_rosh=st.integers(0, 5),
    min_unpaid_work_only=st.integers(0, 4),
    child_protection_cap=st.none() | st.integers(0, 5),
    share_tolerance_points=st.sampled_from([0.0, 5.0, 10.0, 20.0, 50.0]),
)


def meets_every_quota(chosen: tuple[CaseRecord, ...], eligible: list[CaseRecord], d: SamplingDesign) -> bool:
    """The oracle: the quotas as the design states them, checked on one candidate sample."""
    n = len(chosen)
    cp_wanted = (
        0
        if d.child_protection_cap is None
        else min(d.child_protection_cap, sum(c.is_child_protection for c in eligible))
    )
    if sum(c.is_child_protection for c in chosen) < cp_wanted:
        return False
    if sum(c.is_high_rosh for c in chosen) < d.min_high_rosh:
        return False
    if sum(c.is_unpaid_work_only for c in chosen) < d.min_unpaid_work_only:
        return False
    tolerance = Fraction(str(d.share_tolerance_points)) / 100
    for flag in ("is_female", "is_bme"):
        caseload_share = Fraction(sum(getattr(c, flag) for c in eligible), len(eligible))
        if abs(Fraction(sum(getattr(c, flag) for c in chosen), n) - caseload_share) > tolerance:
            return False
    return True


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(caseloads(), designs)
def test_the_sample_meets_every_quota_whenever_some_sample_could(cases, d):
    result = draw_sample(cases, d)
    n = min(d.size, len(cases))
    assert result.sample_size == n
    if n == 0:
        return
    feasible = any(meets_every_quota(chosen, cases, d) for chosen in combinations(cases, n))
    by_ref = {c.case_ref: c for c in cases}
    chosen = tuple(by_ref[r] for r in result.case_refs)
    assert result.all_quotas_met == meets_every_quota(chosen, cases, d)
    assert result.all_quotas_met == feasible, result.messages
    if not feasible:
        assert result.messages


@settings(max_examples=100, deadline=None)
@given(caseloads(max_size=40), designs, st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_sample_whatever_the_input_order(cases, d, rng):
    first = draw_sample(cases, d)
    shuffled = list(cases)
    rng.shuffle(shuffled)
    again = draw_sample(shuffled, d)
    assert again.case_refs == first.case_refs
    assert again.weights == first.weights


@settings(max_examples=100, deadline=None)
@given(caseloads(max_size=40), designs)
def test_the_sample_size_is_the_smaller_of_size_and_eligible_and_weights_sum_to_the_eligible_caseload(cases, d):
    result = draw_sample(cases, d)
    assert result.sample_size == min(d.size, result.eligible_count) == len(set(result.case_refs))
    assert set(result.weights) == set(result.case_refs)
    if result.case_refs:
        assert sum(result.weights.values()) == pytest.approx(result.eligible_count)
        assert all(w >= 1 for w in result.weights.values())


def test_different_seeds_usually_give_different_samples():
    samples = {draw_sample(area(), design(size=50, seed=s)).case_refs for s in range(5)}
    assert len(samples) == 5


def test_it_reports_a_share_that_no_sample_of_this_size_can_match():
    cases = [case(f"f{i}", gender="female") for i in range(1)] + [case(f"m{i}") for i in range(2)]
    result = draw_sample(cases, design(size=2, share_tolerance_points=0))
    (female,) = [s for s in result.shares if s.name == "female"]
    assert not female.passed
    assert any(
        m.startswith("The female share of the sample is") and "33.3% in the eligible caseload" in m
        for m in result.messages
    )
