"""Rating schemes: golden values worked out by hand from the example scheme's bands
(>= 80 Outstanding, 65-79 Good, 50-64 Requires improvement, < 50 Inadequate)."""

from __future__ import annotations

import textwrap
from functools import cache
from pathlib import Path

import pytest

from caseassess_core.findings.counts import CountIndex, CountRow
from caseassess_core.instrument.loader import load_instrument
from caseassess_core.ratings import RatingSchemeError, load_rating_scheme, rate
from caseassess_core.ratings.evaluate import explain, rate_unit

ROOT = Path(__file__).resolve().parents[3]
IAOW = ROOT / "instruments" / "iaow-2013-10"


@cache
def instrument():
    return load_instrument(IAOW).instrument


@cache
def scheme():
    return load_rating_scheme(IAOW / "ratings.yaml", instrument())


def counts(**per_question: tuple[int, int]) -> CountIndex:
    """question id (with _ for .) -> (sufficient, insufficient)."""
    rows = []
    for key, (good, bad) in per_question.items():
        qid = key.replace("_", ".")
        rows += [CountRow(qid, None, "sufficient", good), CountRow(qid, None, "insufficient", bad)]
    return CountIndex(rows)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "ratings.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


HEADER = """\
id: test-scheme
title: Test
version: "1"
effective_from: "2013-10-01"
instrument: iaow-2013-10
"""
BANDS = """\
bands:
  - {id: outstanding, label: Outstanding, from_percent: 80, to_percent: 100, score: 3}
  - {id: good, label: Good, from_percent: 65, to_percent: 80, score: 2}
  - {id: requires_improvement, label: Requires improvement, from_percent: 50, to_percent: 65, score: 1}
  - {id: inadequate, label: Inadequate, from_percent: 0, to_percent: 50, score: 0}
"""


def key_unit_scheme(tmp_path: Path, combine: str = "lowest"):
    body = HEADER + BANDS + textwrap.dedent(f"""\
        units:
          - id: keeping_safe
            title: Keeping other people safe
            key_questions: [B.4.1.6, D.4.2.13]
            combine: {combine}
        """)
    return load_rating_scheme(write(tmp_path, body), instrument())


def test_the_shipped_scheme_loads_with_the_four_bands_in_order():
    assert [(b.label, int(b.from_percent), int(b.to_percent)) for b in scheme().bands] == [
        ("Outstanding", 80, 100),
        ("Good", 65, 80),
        ("Requires improvement", 50, 65),
        ("Inadequate", 0, 50),
    ]
    assert [u.score for u in scheme().units] == [
        "risk_of_harm",
        "likelihood_of_reoffending",
        "compliance_and_enforcement",
    ]


def test_a_unit_at_79_9_percent_is_good_and_at_80_0_percent_is_outstanding(tmp_path):
    s = key_unit_scheme(tmp_path, "pooled")
    unit = s.units[0]
    good = rate_unit(s, instrument(), unit, counts(B_4_1_6=(799, 201)))
    assert good.rating.band.label == "Good"
    assert good.rating.pct == 80  # printed rounded, rated exact
    out = rate_unit(s, instrument(), unit, counts(B_4_1_6=(800, 200)))
    assert out.rating.band.label == "Outstanding"
    assert out.rating.next_band is None and out.rating.cases_to_next is None


def test_twelve_cases_with_an_interval_across_65_percent_are_flagged(tmp_path):
    # 9 of 12 = 75%: Good. Wilson 95% for 9/12 is 0.4677-0.9111 (by hand: centre 0.6894, half-width 0.2217),
    # which reaches below 65% (and 50%) and above 80%.
    s = key_unit_scheme(tmp_path, "pooled")
    unit = rate_unit(s, instrument(), s.units[0], counts(B_4_1_6=(9, 3)))
    r = unit.rating
    assert r.band.label == "Good"
    assert r.interval == pytest.approx((0.4677, 0.9111), abs=5e-5)
    assert r.crosses_boundary
    # 46.8% is below 50, so the interval spans every band.
    assert [b.label for b in r.interval_bands] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert "The 95% interval crosses a band boundary" in " ".join(explain(unit))
    assert r.too_few is False  # 12 >= the minimum of 10


def test_a_rating_well_inside_its_band_is_not_flagged(tmp_path):
    s = key_unit_scheme(tmp_path, "pooled")
    # 900 of 1000 = 90%, Wilson 0.8798-0.9178: all Outstanding.
    r = rate_unit(s, instrument(), s.units[0], counts(B_4_1_6=(900, 100))).rating
    assert r.band.label == "Outstanding" and not r.crosses_boundary


def test_the_lowest_key_question_limits_the_unit_and_is_named(tmp_path):
    s = key_unit_scheme(tmp_path, "lowest")
    # B.4.1.6 45/50 = 90% Outstanding; D.4.2.13 29/50 = 58% Requires improvement.
    unit = rate_unit(s, instrument(), s.units[0], counts(B_4_1_6=(45, 5), D_4_2_13=(29, 21)))
    assert unit.rating.band.label == "Requires improvement"
    assert unit.limited_by == "D.4.2.13"
    assert "Limited by D.4.2.13: 58%." in explain(unit)
    # Good needs 65% of 50 = 32.5 -> 33 sufficient: 4 more in D.4.2.13 (B.4.1.6 is already above).
    assert unit.rating.cases_to_next == 4
    assert "4 more sufficient cases would make this Good." in explain(unit)


def test_cases_to_the_next_band_counts_exactly(tmp_path):
    s = key_unit_scheme(tmp_path, "pooled")
    # 63 of 100 = 63%: Requires improvement; Good at 65 of 100 -> 2 more.
    r = rate_unit(s, instrument(), s.units[0], counts(B_4_1_6=(63, 37))).rating
    assert (r.band.label, r.cases_to_next, r.next_band.label) == ("Requires improvement", 2, "Good")
    # 64 of 99 = 64.6%: Good needs 64.35 -> 65, i.e. 1 more.
    r = rate_unit(s, instrument(), s.units[0], counts(B_4_1_6=(64, 35))).rating
    assert r.cases_to_next == 1


def test_too_few_cases_are_marked(tmp_path):
    s = key_unit_scheme(tmp_path, "pooled")
    unit = rate_unit(s, instrument(), s.units[0], counts(B_4_1_6=(3, 0)))
    assert unit.rating.too_few
    assert explain(unit)[0] == "Only 3 cases: too few to rate with confidence."


@pytest.mark.parametrize(
    ("good", "unit_label", "total", "overall"),
    [(9, "Outstanding", 9, "Outstanding"), (7, "Good", 6, "Good"), (6, "Requires improvement", 3, "Requires improvement")],
)
def test_headline_units_pool_their_questions_and_the_overall_adds_band_scores(good, unit_label, total, overall):
    inst = instrument()
    scored = [q.id for q in inst.questions() if q.is_scored]
    rows = []
    for qid in scored:  # every scored question: `good` of 10 sufficient
        rows += [CountRow(qid, None, "sufficient", good), CountRow(qid, None, "insufficient", 10 - good)]
    result = rate(scheme(), inst, CountIndex(rows))
    for u in result.units:
        members = inst.score_members(next(s for _, s in inst.all_scores() if s.id == u.unit.score))
        assert (u.rating.successes, u.rating.n) == (good * len(members), 10 * len(members))
        assert u.rating.band.label == unit_label
    assert result.total == total
    assert result.overall.label == overall


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            BANDS.replace("from_percent: 65, to_percent: 80", "from_percent: 66, to_percent: 80"),
            "gap between bands: Requires improvement ends at 65% but Good starts at 66%",
        ),
        (
            BANDS.replace("from_percent: 50, to_percent: 65", "from_percent: 50, to_percent: 70"),
            "bands overlap: Requires improvement runs to 70% but Good starts at 65%",
        ),
        (
            BANDS.replace("from_percent: 80, to_percent: 100", "from_percent: 80, to_percent: 99"),
            "the highest band (Outstanding) must reach 100%, not 99%",
        ),
    ],
)
def test_bands_with_gaps_or_overlaps_are_refused_with_file_and_line(tmp_path, bands, message):
    path = write(tmp_path, HEADER + bands + "units:\n  - {id: roh, title: RoH, score: risk_of_harm}\n")
    with pytest.raises(RatingSchemeError, match="ratings.yaml:") as err:
        load_rating_scheme(path, instrument())
    assert any(message in str(p) for p in err.value.problems), err.value.problems
    assert all(p.line for p in err.value.problems)


def test_unknown_or_unscored_questions_and_unknown_scores_are_refused(tmp_path):
    body = HEADER + BANDS + textwrap.dedent("""\
        units:
          - id: a
            title: A
            key_questions: [B.4.1.6, Z.9.9.9]
          - id: b
            title: B
            key_questions: [B.4.1.1]
          - id: c
            title: C
            score: no_such_score
        """)
    with pytest.raises(RatingSchemeError) as err:
        load_rating_scheme(write(tmp_path, body), instrument())
    text = str(err.value)
    assert "ratings.yaml:14: units[0].key_questions[1]: unknown question 'Z.9.9.9'" in text
    assert "units[1].key_questions[0]: question B.4.1.1 is not scored, so it cannot be rated" in text
    assert "ratings.yaml:20: units[2].score: unknown score 'no_such_score'" in text


def test_a_scheme_for_another_instrument_is_refused(tmp_path):
    body = HEADER.replace("instrument: iaow-2013-10", "instrument: omi-2") + BANDS
    body += "units:\n  - {id: roh, title: RoH, score: risk_of_harm}\n"
    with pytest.raises(RatingSchemeError, match="the scheme rates 'omi-2' but sits beside 'iaow-2013-10'"):
        load_rating_scheme(write(tmp_path, body), instrument())


def test_a_report_rates_all_areas_then_each_area_in_fieldwork_order():
    from caseassess_core.findings.report import build_report, report_to_dict

    inst = instrument()
    members = inst.score_members(next(s for _, s in inst.all_scores() if s.id == "risk_of_harm"))
    rows = []
    for area, good in (("North", 9), ("South", 5)):  # North 90% on every RoH question, South 50%
        for qid in members:
            rows += [CountRow(qid, area, "sufficient", good), CountRow(qid, area, "insufficient", 10 - good)]
    report = build_report(inst, area_counts=rows, area_order=["South", "North"], rating_scheme=scheme())
    roh = [(r.scope, r.rating, r.pct) for r in report.ratings if r.unit == "Risk of Harm to others"]
    assert roh == [("All areas", "Good", 70), ("South", "Requires improvement", 50), ("North", "Outstanding", 90)]
    data = report_to_dict(report)
    assert data["rating_scheme"] == "Example rating scheme on the IAOW headline scores (version 2013-10-example-1)"
    overall = [r for r in data["ratings"] if r["unit"] == "Overall"]
    assert [r["scope"] for r in overall] == ["All areas", "South", "North"]


def test_areas_missing_from_the_fieldwork_order_are_rated_after_it_alphabetically():
    from caseassess_core.findings.report import build_report

    inst = instrument()
    members = inst.score_members(next(s for _, s in inst.all_scores() if s.id == "risk_of_harm"))
    rows = []
    for area, good in (("South", 5), ("North", 9), ("Abbey", 7)):  # 50%, 90%, 70% on every RoH question
        for qid in members:
            rows += [CountRow(qid, area, "sufficient", good), CountRow(qid, area, "insufficient", 10 - good)]
    rows += [CountRow(members[0], None, "sufficient", 1)]  # a case with no area: in "All areas" only
    report = build_report(inst, area_counts=rows, area_order=["North"], rating_scheme=scheme())
    roh = [(r.scope, r.pct) for r in report.ratings if r.unit == "Risk of Harm to others"]
    # the fieldwork order names North only: North first, then Abbey and South alphabetically
    assert [scope for scope, _ in roh] == ["All areas", "North", "Abbey", "South"]
    assert [pct for _, pct in roh][1:] == [90, 70, 50]
    one_area = build_report(inst, area_counts=[r for r in rows if r.group in ("North", None)], rating_scheme=scheme())
    assert [r.scope for r in one_area.ratings if r.unit == "Risk of Harm to others"] == ["All areas"]
