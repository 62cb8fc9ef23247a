from __future__ import annotations

from pathlib import Path

from caseassess_core.instrument.diff import instrument_diff
from caseassess_core.instrument.loader import load_instrument
from caseassess_core.instrument.schema import Instrument

MINI = Path(__file__).resolve().parents[2] / "fixtures" / "mini-instrument"


def mini() -> Instrument:
    return load_instrument(MINI).instrument


def edited(**changes: object) -> Instrument:
    data = mini().model_dump(mode="json")
    questions = {q["id"]: q for v in data["views"] for s in v["sections"] for q in s["questions"]}
    for qid, fields in changes.items():
        if fields is None:
            for v in data["views"]:
                for s in v["sections"]:
                    s["questions"] = [q for q in s["questions"] if q["id"] != qid]
        else:
            questions[qid].update(fields)  # type: ignore[call-overload]
    return Instrument.model_validate(data)


def test_the_same_instrument_has_no_differences() -> None:
    assert instrument_diff(mini(), mini()).empty


def test_it_lists_added_and_removed_questions_by_tool_number() -> None:
    d = instrument_diff(mini(), edited(**{"D.2.2.9": None}))
    assert d.removed == ["D.2.2.9"] and d.added == [] and not d.changes
    d = instrument_diff(edited(**{"D.2.2.9": None}), mini())
    assert d.added == ["D.2.2.9"] and d.removed == []


def test_it_reports_a_reworded_question_with_both_wordings() -> None:
    d = instrument_diff(mini(), edited(**{"B.4.1.1": {"text": "Was there a timely Risk of Serious Harm screening?"}}))
    [c] = d.of_kind("reworded")
    assert (c.question_id, c.before, c.after) == ("B.4.1.1", "Was there a timely RoSH screening?", "Was there a timely Risk of Serious Harm screening?")


def test_it_separates_changed_options_from_changed_scoring() -> None:
    new_options = [{"value": "yes", "label": "Yes", "scoring": "sufficient"}, {"value": "no", "label": "No", "scoring": "excluded"}]
    d = instrument_diff(mini(), edited(**{"B.4.1.1": {"options": new_options}}))
    assert [c.kind for c in d.changes] == ["scoring"]
    assert "no: insufficient" in d.changes[0].before and "no: excluded" in d.changes[0].after
    relabelled = [{"value": "yes", "label": "Yes, timely", "scoring": "sufficient"}, {"value": "no", "label": "No", "scoring": "insufficient"}]
    d = instrument_diff(mini(), edited(**{"B.4.1.1": {"options": relabelled}}))
    assert [c.kind for c in d.changes] == ["options"] and "yes: Yes, timely" in d.changes[0].after


def test_it_reports_a_changed_applicability() -> None:
    d = instrument_diff(mini(), edited(**{"B.4.1.1": {"applies_when": "case.rosh_at_start == 'high'"}}))
    [c] = d.of_kind("applicability")
    assert (c.before, c.after) == ("always", "case.rosh_at_start == 'high'")
