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


# --- Every word of the draft, every refusal, every row: worked out by hand -----------------------

def _ins(iid, version, questions, scores=()):
    from caseassess_core.instrument.schema import Instrument, Question, ScoreDefinition, Section, View

    return Instrument(
        id=iid, title=iid, version=version,
        views=[View(id="1", title="v", sections=[Section(id="A.1.1", criterion="1.1", title="s", questions=[
            Question(id=q, text=t, **({"type": "text"} if t.startswith("Comments") else {})) for q, t in questions
        ])])],
        headline_scores=[ScoreDefinition(id=s, title=s.upper(), sections=["A.1.1"]) for s in scores],
    )


def test_the_draft_of_the_mini_instruments_word_for_word():
    old, new = both()
    assert draft_crosswalk(old, new) == (
        "# Crosswalk from mini-2013 (1) to mini-2014 (2).\n"
        "# DRAFT written by `manage.py draft_crosswalk`: check each line against both guides, then remove this line.\n"
        "earlier: mini-2013\n"
        "later: mini-2014\n"
        "questions:\n"
        "  - {question: A.1.1.3, earlier: A.1.1.3}\n"
        "  - {question: A.1.1.4, earlier: A.1.1.4}\n"
        "  - {question: B.4.1.1, earlier: B.4.1.1}\n"
        "  - {question: B.4.1.7, earlier: B.4.1.6, note: renamed from B.4.1.6 (same wording)}\n"
        "dropped:\n"
        "  - {earlier: D.2.2.8, note: not asked in the later version}\n"
    )


def test_the_draft_notes_changed_wording_new_questions_and_an_empty_dropped_list():
    old = _ins("old", "1", [("A.1.1.1", "Was it timely?"), ("A.1.1.2", "Was it sufficient?"), ("A.1.1.9", "Comments")])
    # A.1.1.1 keeps its id with new wording; A.1.1.3 has A.1.1.2's wording (case and spaces aside) but
    # A.1.1.2 is still asked, so it is not a rename; A.1.1.4 is new; the text question is never listed
    new = _ins("new", "2", [("A.1.1.1", "Was it timely enough?"), ("A.1.1.2", "Was it sufficient?"),
                            ("A.1.1.3", "  was it SUFFICIENT? "), ("A.1.1.4", "Was it on time?"), ("A.1.1.9", "Comments")])
    assert draft_crosswalk(old, new).splitlines()[4:] == [
        "questions:",
        "  - {question: A.1.1.1, earlier: A.1.1.1, note: same id; wording changed}",
        "  - {question: A.1.1.2, earlier: A.1.1.2}",
        "  - {question: A.1.1.3, earlier: null, note: 'new question: no counterpart'}",
        "  - {question: A.1.1.4, earlier: null, note: 'new question: no counterpart'}",
        "dropped: []",
    ]
    # the same wording under a new id when the old id is gone: a rename
    renamed = _ins("new", "2", [("A.1.1.1", "Was it timely?"), ("A.1.1.5", "was it sufficient?")])
    assert draft_crosswalk(old, renamed).splitlines()[6:] == [
        "  - {question: A.1.1.5, earlier: A.1.1.2, note: renamed from A.1.1.2 (same wording)}",
        "dropped: []",
    ]


def _refusal(tmp_path, text):
    old, new = both()
    path = tmp_path / "cw.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CrosswalkError) as err:
        load_crosswalk(path, old, new)
    return [str(p) for p in err.value.problems], str(err.value)


GOOD_QUESTIONS = (
    "questions:\n"
    "  - {question: A.1.1.3, earlier: A.1.1.3}\n"
    "  - {question: A.1.1.4, earlier: A.1.1.4}\n"
    "  - {question: B.4.1.1, earlier: B.4.1.1}\n"
    "  - {question: B.4.1.7, earlier: B.4.1.6}\n"
)


def test_a_crosswalk_file_that_is_missing_is_refused(tmp_path):
    old, new = both()
    with pytest.raises(CrosswalkError, match=r"^.*nowhere\.yaml: file not found$"):
        load_crosswalk(tmp_path / "nowhere.yaml", old, new)


def test_a_crosswalk_that_is_not_a_mapping_is_refused_at_line_1(tmp_path):
    problems, _ = _refusal(tmp_path, "- just\n- a list\n")
    assert problems == [f"{tmp_path / 'cw.yaml'}:1: a crosswalk must be a mapping with earlier, later, questions, dropped"]


def test_wrong_instruments_unknown_keys_and_lists_that_are_not_lists_are_named_with_their_lines(tmp_path):
    problems, text = _refusal(
        tmp_path,
        "earlier: mini-2012\n"  # line 1
        "later: mini-2015\n"  # line 2
        "extra: 1\n"  # line 3
        "questions: none\n"  # line 4
        "dropped: none\n",  # line 5
    )
    f = tmp_path / "cw.yaml"
    assert problems == [
        f"{f}:3: extra: unknown key 'extra' (a crosswalk has earlier, later, questions, dropped)",
        f"{f}:1: earlier: earlier must be 'mini-2013', the instrument this crosswalk maps from",
        f"{f}:2: later: later must be 'mini-2014', the instrument this file sits beside",
        f"{f}:4: questions: questions must be a list of {{question: ID, earlier: ID or null}}",
        f"{f}:4: questions: scored question A.1.1.3 of mini-2014 is missing (give earlier: null if it is new)",
        f"{f}:4: questions: scored question A.1.1.4 of mini-2014 is missing (give earlier: null if it is new)",
        f"{f}:4: questions: scored question B.4.1.1 of mini-2014 is missing (give earlier: null if it is new)",
        f"{f}:4: questions: scored question B.4.1.7 of mini-2014 is missing (give earlier: null if it is new)",
        f"{f}:5: dropped: dropped must be a list of {{earlier: ID}}",
        f"{f}:5: dropped: scored question A.1.1.3 of mini-2013 is neither mapped nor listed as dropped",
        f"{f}:5: dropped: scored question A.1.1.4 of mini-2013 is neither mapped nor listed as dropped",
        f"{f}:5: dropped: scored question B.4.1.1 of mini-2013 is neither mapped nor listed as dropped",
        f"{f}:5: dropped: scored question B.4.1.6 of mini-2013 is neither mapped nor listed as dropped",
        f"{f}:5: dropped: scored question D.2.2.8 of mini-2013 is neither mapped nor listed as dropped",
    ]
    assert text == "\n".join(problems)


def test_each_bad_question_entry_is_named_with_its_line_and_the_rest_still_checked(tmp_path):
    problems, _ = _refusal(
        tmp_path,
        "earlier: mini-2013\nlater: mini-2014\n"
        "questions:\n"
        "  - {question: A.1.1.3}\n"  # line 4: no earlier
        "  - just text\n"  # line 5
        "  - {question: A.1.1.4, earlier: A.1.1.4}\n"
        "  - {question: A.1.1.4, earlier: null}\n"  # line 7: twice
        "  - {question: B.4.1.1, earlier: X.9.9.9}\n"  # line 8: no such question
        "  - {question: B.4.1.7, earlier: D.2.2.9}\n"  # line 9: a text question, not scored
        "  - {question: A.1.1.3, earlier: A.1.1.4}\n"  # line 10: A.1.1.4 already taken
        "dropped:\n"
        "  - {earlier: A.1.1.4}\n"  # line 12: mapped, so not dropped
        "  - {earlier: D.2.2.9}\n"  # line 13: not scored
        "  - D.2.2.8\n"  # a plain id is accepted
    )
    f = tmp_path / "cw.yaml"
    assert problems == [
        f"{f}:4: questions[0]: each entry needs question: and earlier: (earlier: null when there is none)",
        f"{f}:5: questions[1]: each entry needs question: and earlier: (earlier: null when there is none)",
        f"{f}:7: questions[3].question: A.1.1.4 is listed twice",
        f"{f}:8: questions[4].earlier: X.9.9.9 is not a question of mini-2013",
        f"{f}:9: questions[5].earlier: D.2.2.9 is not scored in mini-2013, so it cannot be compared",
        f"{f}:10: questions[6].earlier: A.1.1.4 is already the counterpart of A.1.1.4",
        f"{f}:3: questions: scored question A.1.1.3 of mini-2014 is missing (give earlier: null if it is new)",
        f"{f}:3: questions: scored question B.4.1.1 of mini-2014 is missing (give earlier: null if it is new)",
        f"{f}:3: questions: scored question B.4.1.7 of mini-2014 is missing (give earlier: null if it is new)",
        f"{f}:12: dropped[0]: A.1.1.4 is the counterpart of A.1.1.4, so it was not dropped",
        f"{f}:13: dropped[1]: D.2.2.9 is not a scored question of mini-2013",
        f"{f}:11: dropped: scored question A.1.1.3 of mini-2013 is neither mapped nor listed as dropped",
        f"{f}:11: dropped: scored question B.4.1.1 of mini-2013 is neither mapped nor listed as dropped",
        f"{f}:11: dropped: scored question B.4.1.6 of mini-2013 is neither mapped nor listed as dropped",
    ]


def test_a_valid_crosswalk_keeps_pairs_notes_and_dropped_and_round_trips_through_a_dict(tmp_path):
    old, new = both()
    path = tmp_path / "cw.yaml"
    path.write_text(
        "earlier: mini-2013\nlater: mini-2014\n" + GOOD_QUESTIONS.replace(
            "B.4.1.6}", "B.4.1.6, note: renumbered}") + "dropped:\n  - D.2.2.8\n",
        encoding="utf-8",
    )
    cw = load_crosswalk(path, old, new)
    expected = {
        "earlier": "mini-2013", "later": "mini-2014",
        "pairs": {"A.1.1.3": "A.1.1.3", "A.1.1.4": "A.1.1.4", "B.4.1.1": "B.4.1.1", "B.4.1.7": "B.4.1.6"},
        "dropped": ["D.2.2.8"], "notes": {"B.4.1.7": "renumbered"},
    }
    assert cw.to_dict() == expected
    assert Crosswalk.from_dict(expected) == cw
    with_null = load_crosswalk(CROSSWALK, old, new)
    assert with_null.notes == {"B.4.1.7": "renumbered from B.4.1.6; same wording",
                               "D.2.2.8": "frequency of contact is not asked in 2014"}


def test_the_identity_crosswalk_maps_every_scored_question_to_itself():
    old, _ = both()
    cw = Crosswalk.identity(old)
    assert (cw.earlier, cw.later, cw.dropped, cw.notes) == ("mini-2013", "mini-2013", (), {})
    assert cw.pairs == {"A.1.1.3": "A.1.1.3", "A.1.1.4": "A.1.1.4", "B.4.1.1": "B.4.1.1", "B.4.1.6": "B.4.1.6",
                        "D.2.2.8": "D.2.2.8"}


def test_every_row_of_the_trend_table_and_its_dict_by_hand():
    # then: A.1.1.3 5/10, A.1.1.4 0/0, B.4.1.1 30/50, B.4.1.6 20/50, D.2.2.8 7/10
    # now:  A.1.1.3 9/10, A.1.1.4 3/4,  B.4.1.1 45/50, B.4.1.7 35/50
    then = counts(A_1_1_3=(5, 5), B_4_1_1=(30, 20), B_4_1_6=(20, 30), D_2_2_8=(7, 3))
    now = counts(A_1_1_3=(9, 1), A_1_1_4=(3, 1), B_4_1_1=(45, 5), B_4_1_7=(35, 15))
    t = table(then, now, min_n=5)
    assert (t.title, t.earlier_label, t.later_label, t.min_n) == ("t", "2013", "2014", 5)
    rows = trend_rows_to_dicts(t)
    # scores: risk_of_harm 50/100 -> 80/100 (+30.0; chi2 19.78, p = 0.0000087 -> 0.0, ***);
    # assessment_and_planning = A.1.1 + B.4.1: 55/110 -> 92/114; +30.7 points (80.70 - 50.00);
    #   chi2 = 224 * (92*55 - 22*55)^2 / (114*110*147*77) = 224 * 3850^2 / 141,940,260 = 23.4, p < .001;
    # delivery_and_review: 7/10 then, no scored question now (0 answers): no change, no test, caution
    assert [(r["kind"], r["id"], r["earlier_id"], r["earlier_pct"], r["earlier_n"], r["later_pct"], r["later_n"],
             r["change_points"], r["stars"], r["caution_small_numbers"], r["note"]) for r in rows] == [
        ("headline", "risk_of_harm", "risk_of_harm", 50, 100, 80, 100, 30.0, "***", False, ""),
        ("general", "assessment_and_planning", "assessment_and_planning", 50, 110, 81, 114, 30.7, "***", False, ""),
        ("general", "delivery_and_review", "delivery_and_review", 70, 10, None, 0, None, "", True, ""),
        # A.1.1.3 5/10 -> 9/10: +40.0; chi2 = 20 (90 - 25)^2... = 20 * (9*5 - 1*5)^2 / (10*10*14*6) = 3.81, p = .051
        ("question", "A.1.1.3", "A.1.1.3", 50, 10, 90, 10, 40.0, "--", False, ""),
        # A.1.1.4: no answers then, 3 of 4 now: no change, no test; 0 and 4 answers: caution
        ("question", "A.1.1.4", "A.1.1.4", None, 0, 75, 4, None, "", True, ""),
        ("question", "B.4.1.1", "B.4.1.1", 60, 50, 90, 50, 30.0, "***", False, ""),
        ("question", "B.4.1.7", "B.4.1.6", 40, 50, 70, 50, 30.0, "**", False, "renumbered from B.4.1.6; same wording"),
        ("question", "D.2.2.8", "D.2.2.8", 70, 10, None, None, None, "", False, "frequency of contact is not asked in 2014"),
    ]
    assert [r["label"] for r in rows] == [
        "Risk of Harm to others", "Assessment and sentence planning", "Delivery and review",
        "Was there a written copy of the report if delivered orally?",
        "Was the report based on sufficient information for this court appearance?",
        "Was there a timely RoSH screening?", "Was there a sufficient RoH analysis?",
        "Was the frequency of contact sufficient?",
    ]
    assert rows[0]["p"] == 0.0 and rows[3]["p"] == 0.051 and rows[4]["p"] is None
    # B.4.1.6 20/50 then, B.4.1.7 35/50 now: chi2 = 100 * (35*30 - 15*20)^2 / (50*50*55*45) = 9.09,
    # p = 0.00257: three decimals
    assert rows[6]["p"] == 0.003
    assert set(rows[0]) == {"kind", "id", "earlier_id", "label", "earlier_pct", "earlier_n", "later_pct", "later_n",
                            "change_points", "p", "stars", "caution_small_numbers", "note"}
    row = t.rows[3]
    assert row.test.chi2 == pytest.approx(3.8095, abs=1e-4) and row.test.diff_points == 40.0
    assert row.test.small_expected  # 14 sufficient, 6 not: expected counts 7 and 3 in each round, 3 < 5
    assert len(t.rows) == 8


def test_questions_can_be_left_out_and_notes_fill_in_for_a_crosswalk_without_them():
    old, new = both()
    cw = Crosswalk("mini-2013", "mini-2014", {"A.1.1.3": None, "A.1.1.4": "A.1.1.4", "B.4.1.1": "B.4.1.1",
                                              "B.4.1.7": "B.4.1.6"}, ("A.1.1.3", "D.2.2.8"), {})
    t = table(counts(A_1_1_3=(1, 1)), counts(), crosswalk=cw)
    assert [(r.id, r.earlier_id, r.note) for r in t.rows if r.kind == "question"] == [
        ("A.1.1.3", None, "no counterpart in the earlier round"),
        ("A.1.1.4", "A.1.1.4", ""),
        ("B.4.1.1", "B.4.1.1", ""),
        ("B.4.1.7", "B.4.1.6", "was B.4.1.6"),
        ("A.1.1.3", "A.1.1.3", "not asked in the later round"),
        ("D.2.2.8", "D.2.2.8", "not asked in the later round"),
    ]
    first = t.rows[3]
    assert (first.earlier, first.later.n, first.change_points, first.test) == (None, 0, None, None)
    scores_only = trend_table(earlier=old, later=new, crosswalk=cw, earlier_counts=counts(), later_counts=counts(),
                              title="s", earlier_label="a", later_label="b", questions=False)
    assert [r.id for r in scores_only.rows] == ["risk_of_harm", "assessment_and_planning", "delivery_and_review"]
    assert scores_only.min_n == 10


def test_a_score_the_earlier_version_did_not_have_is_shown_without_a_comparison():
    old = _ins("old", "1", [("A.1.1.1", "Q?")], scores=["roh"])
    new = _ins("new", "2", [("A.1.1.1", "Q?")], scores=["roh", "extra"])
    rows = [CountRow("A.1.1.1", None, "sufficient", 12)]
    t = trend_table(earlier=old, later=new, crosswalk=Crosswalk("old", "new", {"A.1.1.1": "A.1.1.1"}, (), {}),
                    earlier_counts=CountIndex(rows), later_counts=CountIndex(rows), title="t", earlier_label="a",
                    later_label="b")
    assert [(r.kind, r.id, r.earlier_id, r.earlier, r.later.pct, r.note) for r in t.rows[:2]] == [
        ("headline", "roh", "roh", t.rows[0].earlier, 100, ""),
        ("headline", "extra", None, None, 100, "not a score of old"),
    ]
    assert t.rows[0].earlier.pct == 100 and t.rows[0].change_points == 0.0
    extra = trend_rows_to_dicts(t)[1]
    assert (extra["earlier_pct"], extra["earlier_n"], extra["later_pct"], extra["later_n"], extra["p"], extra["stars"]) == (
        None, None, 100, 12, None, "")
    # 12/12 both times: the rounds cannot differ: chi-square 0, p = 1, not significant
    assert (t.rows[0].test.chi2, t.rows[0].test.p, t.rows[0].test.stars) == (0.0, 1.0, "--")


def test_yaml_that_cannot_be_read_is_refused_with_its_line(tmp_path):
    old, new = both()
    path = tmp_path / "cw.yaml"
    path.write_text("earlier: mini-2013\nquestions: [unclosed\n", encoding="utf-8")
    with pytest.raises(CrosswalkError) as err:
        load_crosswalk(path, old, new)
    assert err.value.problems and all(str(path) in str(p) for p in err.value.problems)


def test_a_problem_inside_an_entry_is_placed_on_the_entrys_line(tmp_path):
    # an unknown key nested in an entry: reported at the entry (line 5), not at the top of the file
    problems, _ = _refusal(
        tmp_path,
        "earlier: mini-2013\nlater: mini-2014\nquestions:\n"
        "  - {question: A.1.1.3, earlier: A.1.1.3}\n"
        "  - [A.1.1.4, A.1.1.4]\n"  # line 5: a list, not a mapping
        "  - {question: B.4.1.1, earlier: B.4.1.1}\n"
        "  - {question: B.4.1.7, earlier: B.4.1.6}\n"
        "  - {question: B.4.1.7, earlier: null}\n"  # line 8: listed twice; the entries after it still checked
        "  - {question: A.1.1.4, earlier: A.1.1.4}\n"
        "dropped: [D.2.2.8]\n",
    )
    f = tmp_path / "cw.yaml"
    assert problems == [
        f"{f}:5: questions[1]: each entry needs question: and earlier: (earlier: null when there is none)",
        f"{f}:8: questions[4].question: B.4.1.7 is listed twice",
    ]


def test_a_file_not_found_names_the_file_only(tmp_path):
    old, new = both()
    with pytest.raises(CrosswalkError) as err:
        load_crosswalk(tmp_path / "missing.yaml", old, new)
    assert str(err.value) == f"{tmp_path / 'missing.yaml'}: file not found"


def test_changes_keep_one_decimal_and_the_caution_starts_below_min_n():
    # A.1.1.3 then 1 of 3 (33.33%), now 2 of 3 (66.67%): +33.3 points; 3 answers each, min_n 3: no caution
    t = table(counts(A_1_1_3=(1, 2)), counts(A_1_1_3=(2, 1)), min_n=3)
    row = next(r for r in t.rows if r.id == "A.1.1.3")
    assert (row.change_points, row.caution) == (33.3, False)
    # every scored question of the later version (not the text question D.2.2.9), then the dropped one
    assert [r.id for r in t.rows if r.kind == "question"] == ["A.1.1.3", "A.1.1.4", "B.4.1.1", "B.4.1.7", "D.2.2.8"]


def test_a_text_question_between_scored_ones_is_skipped_not_the_end_of_the_list():
    old = _ins("old", "1", [("A.1.1.1", "Q one?"), ("A.1.1.2", "Q two?")])
    new = _ins("new", "2", [("A.1.1.1", "Q one?"), ("A.1.1.8", "Comments on it"), ("A.1.1.2", "Q two?")])
    assert draft_crosswalk(old, new).splitlines()[5:] == [
        "  - {question: A.1.1.1, earlier: A.1.1.1}",
        "  - {question: A.1.1.2, earlier: A.1.1.2}",
        "dropped: []",
    ]
    rows = [CountRow("A.1.1.2", None, "sufficient", 3)]
    t = trend_table(earlier=old, later=new, crosswalk=Crosswalk("old", "new", {"A.1.1.1": "A.1.1.1",
                                                                              "A.1.1.2": "A.1.1.2"}, (), {}),
                    earlier_counts=CountIndex(rows), later_counts=CountIndex(rows), title="t", earlier_label="a",
                    later_label="b")
    assert [(r.id, r.later.n) for r in t.rows if r.kind == "question"] == [("A.1.1.1", 0), ("A.1.1.2", 3)]
