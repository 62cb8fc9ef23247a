"""Golden tests for the OMI 2 method (issue 13, items 1-5), built from the seeds' own statements.

Each test quotes the sentence of the OMI 2 report (seed 003) or the IAOW guide (seed 000) it checks.
The mapping test lists every scored question row by row; it is the shipped mapping, and the CHANGELOG
must give the same headlines with a reason for each row.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest

from caseassess_core.applicability.expression import parse
from caseassess_core.instrument.loader import InstrumentError, LoadedInstrument, load_instrument
from caseassess_core.instrument.schema import Scoring
from caseassess_core.rules import base as rules_base
from caseassess_core.rules.early_revocation import early_revocation
from caseassess_core.scoring.assess import applicability, clean_answer, consistency_warnings, scoring_of

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = ROOT / "instruments" / "iaow-2013-10"

R, L, C = "risk_of_harm", "likelihood_of_reoffending", "compliance_and_enforcement"


@lru_cache(maxsize=1)
def loaded() -> LoadedInstrument:
    return load_instrument(INSTRUMENT)


def headlines_of(qid: str) -> set[str]:
    ins = loaded().instrument
    return {s.id for kind, s in ins.scores_of(qid) if kind == "headline"}


# Every scored question and the headline scores it counts in (the shipped mapping, row by row).
MAPPING: dict[str, set[str]] = {
    "A.1.1.3": set(), "A.1.1.4": set(), "A.1.1.5": set(), "A.1.1.6": set(), "A.1.1.7": set(),
    "A.1.1.8": set(), "A.1.1.9.A": set(), "A.1.1.9.B": set(),
    "B.3.1.1": {L}, "B.3.1.2": {L},
    "B.4.1.2": {R}, "B.4.1.5": {R}, "B.4.1.6": {R}, "B.4.1.7": {R}, "B.4.1.8": {R}, "B.4.1.9": {R},
    "B.4.1.11": {R}, "B.4.1.12": {R}, "B.4.1.13": {R}, "B.4.1.14": {R}, "B.4.1.15": {R}, "B.4.1.18": {R},
    "B.4.1.20": {R},
    "C.2.1.1": {C}, "C.2.1.2": {C}, "C.2.1.3": {C}, "C.2.1.4": {C}, "C.2.1.6": {C}, "C.2.1.7": {C},
    "C.2.1.8": {C}, "C.2.1.9": {L}, "C.2.1.10": {L}, "C.2.1.11": {L}, "C.2.1.12": {C}, "C.2.1.13": {C},
    "C.2.1.14": {C}, "C.2.1.15": {C}, "C.2.1.16": {C}, "C.2.1.17.a": {C}, "C.2.1.17.b": {C},
    "C.2.1.18": {C}, "C.2.1.19": {C}, "C.2.1.20": {C},
    "D.2.2.1": {C}, "D.2.2.3": {R, C}, "D.2.2.4": {L}, "D.2.2.5": {C}, "D.2.2.6.A": {C}, "D.2.2.7": {C},
    "D.2.2.8": {C}, "D.2.2.9": {R, L}, "D.2.2.13": {C}, "D.2.2.16": {C}, "D.2.2.19": {C}, "D.2.2.21": {C},
    "D.2.2.22": {C, L}, "D.2.2.23": {C}, "D.2.2.24": {C}, "D.2.2.27": {C}, "D.2.2.28": {C}, "D.2.2.30": {C},
    "D.3.2.1": {L}, "D.3.2.2": {L}, "D.3.2.5": {L}, "D.3.2.6": {L}, "D.3.2.10": {L}, "D.3.2.11": {L},
    "D.3.2.12": {L}, "D.3.2.13": {L}, "D.3.2.15": {L},
    "D.4.2.1": {R}, "D.4.2.2": {R}, "D.4.2.3": {R}, "D.4.2.4": {R}, "D.4.2.5": {R}, "D.4.2.6": {R},
    "D.4.2.7.A": {C}, "D.4.2.8": {R}, "D.4.2.9": {R}, "D.4.2.10": {R}, "D.4.2.11": {R}, "D.4.2.13": {R},
    "D.4.2.14": {R}, "D.4.2.15": {R}, "D.4.2.16": {R},
    "E.2.3.2": {C}, "E.2.3.4": {C}, "E.2.3.5": {C}, "E.2.3.7": {C},
    "E.3.3.1": {L}, "E.3.3.2": {L}, "E.3.3.3": {L}, "E.3.3.4": {L}, "E.3.3.5": {L}, "E.3.3.6": {L, R},
    "E.3.3.8": {L},
    "E.4.3.1": {R}, "E.4.3.2": {R}, "E.4.3.3": {R}, "E.4.3.3.U": {R}, "E.4.3.6": {R}, "E.4.3.7": {R},
    "F.5.5.1": {R}, "F.5.5.5": set(),
}


def test_the_shipped_headline_mapping_row_by_row() -> None:
    ins = loaded().instrument
    scored = [q.id for q in ins.questions() if q.is_scored]
    assert scored == list(MAPPING), "every scored question has exactly one row here, in instrument order"
    for qid, expected in MAPPING.items():
        assert headlines_of(qid) == expected, qid


def test_the_changelog_gives_the_same_headlines_and_a_reason_for_every_scored_question() -> None:
    text = (INSTRUMENT / "CHANGELOG.md").read_text(encoding="utf-8")
    names = {"Risk of Harm": R, "Likelihood of Reoffending": L, "Compliance and Enforcement": C, "none": None}
    rows: dict[str, tuple[set[str], str]] = {}
    for line in text.splitlines():
        m = re.match(r"^\| (\S+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", line)
        if m and m.group(1) in MAPPING:
            heads = {names[h.strip()] for h in m.group(2).split(",")} - {None}
            rows[m.group(1)] = (heads, m.group(4).strip())
    assert set(rows) == set(MAPPING)
    for qid, (heads, reason) in rows.items():
        assert heads == MAPPING[qid], qid
        assert len(reason) > 8, qid


def test_omi2_counts_resources_under_risk_of_harm_and_likelihood_of_reoffending() -> None:
    # OMI 2 Table 4: "Were appropriate resources allocated throughout the sentence to address RoH?"
    # Table 5: "Were appropriate resources allocated throughout the sentence to address the purpose of the sentence?"
    assert headlines_of("D.2.2.9") == {R, L}


def test_omi2_counts_community_integration_under_likelihood_of_reoffending() -> None:
    # OMI 2 Table 5: "Was sufficient work directed at overcoming practical obstacles to community
    # integration and promoting and achieving key life skills?"
    for qid in ("D.2.2.4", "C.2.1.9", "C.2.1.10", "C.2.1.11"):
        assert headlines_of(qid) == {L}, qid


def test_omi2_counts_statutory_victim_contact_under_risk_of_harm() -> None:
    # OMI 2 Table 4: "Where statutory victim contact was required was offer of face-to-face contact with
    # VLO made within 40 days of sentence?" (and two information-exchange aspects).
    assert R in headlines_of("F.5.5.1")


def test_omi2_counts_re_engagement_after_breach_under_compliance_and_enforcement_not_risk_of_harm() -> None:
    # OMI 2 Table 6: "Were efforts made to re-engage the offender with the sentence plan following breach action?"
    for qid in ("D.4.2.7.A", "D.2.2.19"):
        assert headlines_of(qid) == {C}, qid


def test_omi2_scores_positive_change_in_lifestyle_attitudes_and_behaviour_under_likelihood_of_reoffending() -> None:
    # OMI 2 Table 5: "Is there demonstrable evidence of positive change in the offender's lifestyle?",
    # "Is there a positive demonstrable change in attitudes?", "... in behaviour?"
    ins = loaded().instrument
    for qid in ("E.3.3.2", "E.3.3.3", "E.3.3.4"):
        assert ins.question(qid).is_scored
        assert headlines_of(qid) == {L}


def test_a_question_may_count_in_several_headlines() -> None:
    assert any(len(h) > 1 for h in MAPPING.values())


def test_the_three_general_criteria_are_named_as_omi2_names_them_and_each_question_counts_in_one() -> None:
    # OMI 2 para 4: "assessment and sentence planning; implementation of interventions; achieving and
    # sustaining planned outcomes"; para 5: "Each question contributes to one of the 'general criteria' scores".
    ins = loaded().instrument
    titles = [s.title.lower() for s in ins.general_criteria]
    assert titles == [
        "assessment and sentence planning",
        "implementation of interventions",
        "achieving and sustaining planned outcomes",
    ]
    for q in ins.questions():
        if q.is_scored:
            general = [s.id for kind, s in ins.scores_of(q.id) if kind == "general"]
            assert len(general) == 1, q.id
    # View 4 (victims) is placed in implementation of interventions (documented in the CHANGELOG)
    assert [s.id for k, s in ins.scores_of("F.5.5.1") if k == "general"] == ["implementation_of_interventions"]


# ---- the validator ------------------------------------------------------------------------------

BASE = """
id: t
title: T
version: "1"
views:
  - id: "1"
    title: V
    sections:
      - id: B.4.1
        criterion: "4.1"
        title: S
        questions:
          - {id: B.4.1.1, text: "Q1", options: [{value: "yes", label: "Yes", scoring: sufficient}, {value: "no", label: "No", scoring: insufficient}]}
          - {id: B.4.1.2, text: "Q2", type: text%s}
"""


def _load(tmp_path: Path, extra: str, q2: str = "") -> LoadedInstrument:
    p = tmp_path / "instrument.yaml"
    p.write_text(textwrap.dedent(BASE % q2) + textwrap.dedent(extra), encoding="utf-8")
    return load_instrument(p)


def test_the_validator_refuses_a_headline_with_an_unknown_question(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="unknown question B.4.1.9"):
        _load(tmp_path, "headline_scores:\n  - {id: h, title: H, questions: [B.4.1.9]}\n")


def test_the_validator_refuses_a_general_criterion_with_an_unscored_question(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="question B.4.1.2 is not scored"):
        _load(tmp_path, "general_criteria:\n  - {id: g, title: G, questions: [B.4.1.1, B.4.1.2]}\n")


def test_the_validator_refuses_a_question_naming_an_unknown_score(tmp_path: Path) -> None:
    extra = "headline_scores:\n  - {id: h, title: H}\n"
    _load(tmp_path, extra)
    p = tmp_path / "instrument.yaml"
    p.write_text(p.read_text().replace('text: "Q1",', 'text: "Q1", scores: [nope],'), encoding="utf-8")
    with pytest.raises(InstrumentError, match="B.4.1.1 names unknown score 'nope'"):
        load_instrument(p)


def test_the_validator_refuses_an_unscored_question_in_a_headline_through_its_own_scores(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="B.4.1.2 is not scored, so it cannot count in 'h'"):
        _load(tmp_path, "headline_scores:\n  - {id: h, title: H}\n", q2=", scores: [h]")


def test_the_validator_refuses_a_scored_question_in_no_general_criterion(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="B.4.1.1 counts in no general criterion"):
        _load(tmp_path, "general_criteria:\n  - {id: g, title: G, questions: []}\n  - {id: g2, title: G2}\n")


# ---- measures of change and reconstructed questions ---------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ({"drug_misuse": "improved", "accommodation": "worse"}, Scoring.SUFFICIENT),
        ({"drug_misuse": "no_change", "accommodation": "worse"}, Scoring.INSUFFICIENT),
        ({"drug_misuse": "not_a_factor"}, Scoring.EXCLUDED),
        ({"attitudes": "improved"}, Scoring.SUFFICIENT),
    ],
)
def test_measures_of_change_are_recorded_per_factor_and_scored_as_demonstrable_positive_change(
    outcomes: dict[str, str], expected: Scoring
) -> None:
    # Guide E.3.3.1: "The degree of progress itself is assessed in questions E.3.3.4 & E.3.3.5";
    # OMI 2 Table 5: "demonstrable evidence of positive change".
    ins = loaded().instrument
    for qid in ("E.3.3.2", "E.3.3.3", "E.3.3.4"):
        q = ins.question(qid)
        value = clean_answer(ins, q, outcomes)
        assert scoring_of(ins, q, value) is expected


def test_a_factor_outcome_answer_has_a_text_form_and_refuses_unknown_factors() -> None:
    ins = loaded().instrument
    q = ins.question("E.3.3.2")
    assert clean_answer(ins, q, "drug_misuse=improved; Accommodation=No change") == {
        "accommodation": "no_change",
        "drug_misuse": "improved",
    }
    with pytest.raises(ValueError, match="E.3.3.2: 'gambling' is not one of the listed factors"):
        clean_answer(ins, q, {"gambling": "improved"})
    with pytest.raises(ValueError, match="not one of the listed outcomes"):
        clean_answer(ins, q, {"drug_misuse": "better"})


def test_one_policy_for_reconstructed_questions_every_one_is_scored() -> None:
    # C.2.1.13 (named by D.2.2.7) and E.3.3.5 (named by E.3.3.1) are both referred to by the guide
    # with what they assess: both are included, marked as reconstructed, and scored.
    ins = loaded().instrument
    reconstructed = [q for q in ins.questions() if "wording reconstructed" in q.text]
    assert {q.id for q in reconstructed} == {"C.2.1.13", "E.3.3.5"}
    assert all(q.is_scored for q in reconstructed)


# ---- RoSH gates -------------------------------------------------------------------------------------

GATES = ("B.4.1.11", "B.4.1.12", "D.4.2.13", "D.4.2.15", "D.4.2.16")


def _applies(case: dict[str, object], answers: dict[str, object]) -> dict[str, bool]:
    ins = loaded().instrument
    result = applicability(ins, case, answers, loaded().expressions)
    return {qid: result[qid].applies for qid in GATES}


def test_a_low_rosh_judged_wrong_by_the_assessor_opens_the_risk_management_plan_gates() -> None:
    # Guide B.4.1.11: "There should be a risk management plan in all cases except those assessed as
    # posing a low risk of serious harm"; B.4.1.2 "In your view was this the correct classification?"
    wrong = _applies({"rosh_at_start": "low"}, {"B.4.1.1": "low", "B.4.1.2": "no"})
    assert all(wrong.values()), wrong
    right = _applies({"rosh_at_start": "low"}, {"B.4.1.1": "low", "B.4.1.2": "yes"})
    assert not any(right.values()), right


@pytest.mark.parametrize("rosh", [None, "not_completed"])
def test_unknown_and_not_completed_rosh_are_treated_the_same_in_every_gate(rosh: str | None) -> None:
    case = {} if rosh is None else {"rosh_at_start": rosh}
    assert all(_applies(case, {}).values())


def test_the_recorded_classification_must_match_the_case_details() -> None:
    ins = loaded().instrument
    fired = consistency_warnings(ins, {"rosh_at_start": "medium"}, {"B.4.1.1": "high"})
    assert any(w.rule_id == "CR09" for w in fired)
    same = consistency_warnings(ins, {"rosh_at_start": "high"}, {"B.4.1.1": "high"})
    assert not any(w.rule_id == "CR09" for w in same)


# ---- decision aids read the same tests as the guide -------------------------------------------------


def test_early_revocation_reads_the_same_sentence_types_as_e237_applicability() -> None:
    # Guide E.2.3.7: suspended sentence orders are "classed as community orders".
    ins = loaded().instrument
    expr = parse(ins.question("E.2.3.7").applies_when or "true")
    tables = {t.id: t for t in ins.tables}
    for option in ins.options_for(ins.case_field("sentence_type")):
        case = {"sentence_type": option.value}
        applies = expr.evaluate(case, {})
        result = early_revocation(case, tables)
        assert (result.outcome != "not_applicable") == applies, option.value
    assert {"suspended_sentence_order"} <= rules_base.CO_SSO
