"""CaseScorer (bulk imports) gives every answer the class the assessment form gives it:
the option's scoring class, or 'excluded' when its question does not apply."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from caseassess_core.instrument.loader import load_instrument
from caseassess_core.scoring.assess import CaseScorer, applicability, scoring_of

INSTRUMENT = Path(__file__).resolve().parents[3] / "instruments" / "iaow-2013-10"


@pytest.fixture(scope="module")
def loaded() -> Any:
    return load_instrument(INSTRUMENT)


def _random_case(ins: Any, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    details: dict[str, Any] = {}
    for f in ins.case_details:
        opts = [o.value for o in ins.options_for(f)]
        if f.type.value == "single_choice" and opts and rng.random() < 0.9:
            details[f.id] = rng.choice(opts)
        elif f.type.value == "multiple_choice" and opts:
            details[f.id] = rng.sample(opts, k=min(len(opts), rng.randint(0, 2)))
    answers: dict[str, Any] = {}
    for q in ins.questions():
        opts = [o.value for o in ins.options_for(q)]
        if opts and rng.random() < 0.85:
            answers[q.id] = rng.choice(opts) if q.type.value == "single_choice" else rng.sample(opts, k=1)
    return details, answers


def _expected(ins: Any, exprs: Any, details: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    applies = applicability(ins, details, answers, exprs)
    out = {}
    for qid, value in answers.items():
        sc = scoring_of(ins, ins.question(qid), value)
        out[qid] = "" if sc is None else ("excluded" if not applies[qid].applies else sc.value)
    return out


def test_it_scores_every_answer_as_the_form_does_across_many_random_cases(loaded: Any) -> None:
    ins, exprs = loaded.instrument, loaded.expressions
    scorer = CaseScorer(ins, exprs)
    rng = random.Random(7)
    seen_excluded = seen_sufficient = 0
    for _ in range(400):
        details, answers = _random_case(ins, rng)
        got = scorer(details, answers)
        assert got == _expected(ins, exprs, details, answers)
        seen_excluded += sum(v == "excluded" for v in got.values())
        seen_sufficient += sum(v == "sufficient" for v in got.values())
    assert seen_excluded > 100 and seen_sufficient > 100
    remembered = len(scorer._not_applying)
    rng = random.Random(7)
    for _ in range(400):  # the same cases again: all remembered, still right
        details, answers = _random_case(ins, rng)
        assert scorer(details, answers) == _expected(ins, exprs, details, answers)
    assert len(scorer._not_applying) == remembered


def test_what_it_remembers_is_keyed_on_everything_the_expressions_read(loaded: Any) -> None:
    ins, exprs = loaded.instrument, loaded.expressions
    scorer = CaseScorer(ins, exprs)
    assert "rosh_at_start" in scorer.fields
    answers = {"D.4.2.15": "yes"} if any(q.id == "D.4.2.15" for q in ins.questions()) else {}
    low = scorer({"rosh_at_start": "low"}, answers)
    high = scorer({"rosh_at_start": "high"}, answers)
    assert low == _expected(ins, exprs, {"rosh_at_start": "low"}, answers)
    assert high == _expected(ins, exprs, {"rosh_at_start": "high"}, answers)
    assert low != high


def test_questions_outside_the_instrument_are_left_out(loaded: Any) -> None:
    scorer = CaseScorer(loaded.instrument, loaded.expressions)
    assert scorer({}, {"Z.9.9.9": "yes"}) == {}
