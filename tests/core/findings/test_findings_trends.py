"""Trends across rounds. Expected figures are worked out by hand in the comments."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from caseassess_core.findings.counts import CountIndex, CountRow
from caseassess_core.findings.trends import (
    Crosswalk,
    CrosswalkError,
    draft_crosswalk,
    load_crosswalk,
    trend_rows_to_dicts,
    trend_table,
)
from caseassess_core.instrument.loader import load_instrument

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CROSSWALK = FIXTURES / "mini-instrument-2014" / "crosswalk-from-mini-2013.yaml"


@cache
def both():
    return load_instrument(FIXTURES / "mini-instrument").instrument, load_instrument(FIXTURES / "mini-instrument-2014").instrument


def counts(**q: tuple[int, int]) -> CountIndex:
    rows = []
    for key, (good, bad) in q.items():
        qid = key.replace("_", ".")
        rows += [CountRow(qid, None, "sufficient", good), CountRow(qid, None, "insufficient", bad)]
    return CountIndex(rows)


def table(earlier_counts: CountIndex, later_counts: CountIndex, crosswalk: Crosswalk | None = None, min_n: int = 10):
    old, new = both()
    return trend_table(earlier=old, later=new, crosswalk=crosswalk or load_crosswalk(CROSSWALK, old, new),
                       earlier_counts=earlier_counts, later_counts=later_counts, title="t", earlier_label="2013",
                       later_label="2014", min_n=min_n)


def test_a_renamed_question_is_compared_with_its_counterpart_and_tested():
    # B.4.1.6 then: 40 of 100; B.4.1.7 now: 60 of 100. Change +20.0 points.
    # chi2 = 200 * (60*60 - 40*40)^2 / (100*100*100*100) = 8.0, p = 0.0047 -> **
    t = table(counts(B_4_1_6=(40, 60)), counts(B_4_1_7=(60, 40)))
    row = next(r for r in t.rows if r.id == "B.4.1.7")
    assert (row.earlier_id, row.earlier.pct, row.earlier.n, row.later.pct, row.later.n) == ("B.4.1.6", 40, 100, 60, 100)
    assert row.change_points == 20.0
    assert row.test.chi2 == pytest.approx(8.0) and row.test.p == pytest.approx(0.004678, abs=1e-5)
    assert row.test.stars == "**"
    assert row.note == "renumbered from B.4.1.6; same wording"
    assert not row.caution


def test_a_dropped_question_is_shown_with_the_earlier_figure_only():
    t = table(counts(D_2_2_8=(7, 3)), counts())
    row = next(r for r in t.rows if r.id == "D.2.2.8")
    assert (row.earlier.pct, row.earlier.n, row.later, row.change_points, row.test) == (70, 10, None, None, None)
    assert row.note == "frequency of contact is not asked in 2014"


def test_headline_scores_pool_each_rounds_own_members():
    # Risk of Harm then: B.4.1.1 30/50 + B.4.1.6 20/50 = 50/100; now B.4.1.1 45/50 + B.4.1.7 35/50 = 80/100.
    # chi2 = 200 * (80*50 - 20*50)^2 / (100*100*130*70) = 200 * 9e6 / 9.1e7 = 19.78 -> ***
    t = table(counts(B_4_1_1=(30, 20), B_4_1_6=(20, 30)), counts(B_4_1_1=(45, 5), B_4_1_7=(35, 15)))
    roh = next(r for r in t.rows if r.id == "risk_of_harm")
    assert (roh.earlier.sufficient, roh.earlier.n, roh.later.sufficient, roh.later.n) == (50, 100, 80, 100)
    assert roh.change_points == 30.0
    assert roh.test.chi2 == pytest.approx(19.78, abs=0.01) and roh.test.stars == "***"


def test_small_numbers_carry_a_caution():
    t = table(counts(B_4_1_1=(3, 1)), counts(B_4_1_1=(40, 10)))
    row = next(r for r in t.rows if r.id == "B.4.1.1")
    assert row.caution  # 4 answers in the earlier round, below 10
    assert trend_rows_to_dicts(t)[[r.id for r in t.rows].index("B.4.1.1")]["caution_small_numbers"] is True


def test_the_draft_maps_same_ids_and_same_wording_and_lists_the_dropped():
    old, new = both()
    text = draft_crosswalk(old, new)
    assert "  - {question: B.4.1.7, earlier: B.4.1.6, note: renamed from B.4.1.6 (same wording)}" in text
    assert "  - {question: B.4.1.1, earlier: B.4.1.1}" in text
    assert "  - {earlier: D.2.2.8, note: not asked in the later version}" in text
    assert text.splitlines()[1].startswith("# DRAFT")


def test_the_draft_is_refused_until_checked_then_loads_as_a_valid_crosswalk(tmp_path):
    old, new = both()
    path = tmp_path / "crosswalk-from-mini-2013.yaml"
    draft = draft_crosswalk(old, new)
    path.write_text(draft, encoding="utf-8")
    with pytest.raises(CrosswalkError, match="crosswalk-from-mini-2013.yaml:2: this crosswalk is still a draft"):
        load_crosswalk(path, old, new)
    path.write_text("".join(line for line in draft.splitlines(True) if not line.startswith("# DRAFT")), encoding="utf-8")
    cw = load_crosswalk(path, old, new)
    assert cw.pairs == {"A.1.1.3": "A.1.1.3", "A.1.1.4": "A.1.1.4", "B.4.1.1": "B.4.1.1", "B.4.1.7": "B.4.1.6"}
    assert cw.dropped == ("D.2.2.8",)


def test_a_crosswalk_that_misses_or_misplaces_questions_is_refused_with_lines(tmp_path):
    old, new = both()
    path = tmp_path / "cw.yaml"
    path.write_text(
        "earlier: mini-2013\nlater: mini-2014\nquestions:\n"
        "  - {question: B.4.1.1, earlier: B.4.1.1}\n"
        "  - {question: B.4.1.7, earlier: B.4.1.1}\n"
        "  - {question: Z.1.1.1, earlier: null}\n"
        "dropped: []\n",
        encoding="utf-8",
    )
    with pytest.raises(CrosswalkError) as err:
        load_crosswalk(path, old, new)
    text = str(err.value)
    assert "cw.yaml:5: questions[1].earlier: B.4.1.1 is already the counterpart of B.4.1.1" in text
    assert "cw.yaml:6: questions[2].question: Z.1.1.1 is not a scored question of mini-2014" in text
    assert "scored question A.1.1.3 of mini-2014 is missing (give earlier: null if it is new)" in text
    assert "scored question D.2.2.8 of mini-2013 is neither mapped nor listed as dropped" in text


def test_the_same_instrument_needs_no_file():
    old, _ = both()
    cw = Crosswalk.identity(old)
    assert cw.pairs["B.4.1.6"] == "B.4.1.6" and cw.dropped == ()
