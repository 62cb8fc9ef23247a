"""The loader names the file, line and path of every problem, and loads nothing on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseassess_core.instrument.docs import render
from caseassess_core.instrument.loader import InstrumentError, load_instrument

ROOT = Path(__file__).resolve().parents[3]
MINI = ROOT / "tests" / "fixtures" / "mini-instrument"

HEAD = """id: t
title: T
version: "1"
option_sets:
  yes_no:
    - {value: "yes", label: "Yes", scoring: sufficient}
    - {value: "no", label: "No", scoring: insufficient}
case_details:
  - {id: report_type, label: Report type, type: single_choice, options: [{value: oral, label: Oral}, {value: written, label: Written}]}
"""


def views(questions: str, extra: str = "") -> str:
    return HEAD + extra + f"""views:
  - id: "1"
    title: View
    sections:
      - id: A.1.1
        criterion: "1.1"
        title: Reports
        questions:
{questions}"""


Q1 = """          - id: A.1.1.3
            text: First question
            options: yes_no
"""
Q2 = """          - id: A.1.1.4
            text: Second question
            options: yes_no
"""

BROKEN = {
    "duplicate question id": (views(Q1 + Q1), "duplicate question id A.1.1.3"),
    "question id of the wrong shape": (views(Q1.replace("A.1.1.3", "A113")), "question id 'A113' must look like B.4.1.6 (or A.1.1.9.A)"),
    "question outside its section": (views(Q1.replace("A.1.1.3", "B.1.1.3")), "question B.1.1.3 does not belong to section A.1.1"),
    "option without scoring class": (
        views(Q1.replace("options: yes_no", 'options: [{value: "yes", label: "Yes"}]')),
        "option 'Yes' of scored question A.1.1.3 has no scoring class",
    ),
    "unknown option set": (views(Q1.replace("options: yes_no", "options: maybe")), "unknown option set 'maybe'"),
    "expression that does not parse": (
        views(Q1 + "            applies_when: \"case.report_type ==\"\n"),
        "does not parse",
    ),
    "unknown question in an expression": (
        views(Q1 + "            applies_when: \"answer('Z.9.9.9') == 'yes'\"\n"),
        "names unknown question Z.9.9.9",
    ),
    "unknown case detail in an expression": (
        views(Q1 + "            applies_when: \"case.shoe_size > 9\"\n"),
        "names unknown case detail case.shoe_size",
    ),
    "forbidden construct in an expression": (
        views(Q1 + "            applies_when: \"__import__('os')\"\n"),
        "only answer('<id>') and answered('<id>') may be called",
    ),
    "cycle in applicability": (
        views(
            Q1 + "            applies_when: \"answer('A.1.1.4') == 'yes'\"\n" + Q2 + "            applies_when: \"answer('A.1.1.3') == 'yes'\"\n"
        ),
        "cycle in applicability: A.1.1.3 -> A.1.1.4 -> A.1.1.3",
    ),
    "unknown question in a consistency rule": (
        views(Q1, extra="consistency_rules:\n  - {id: CR1, when: \"answer('A.1.1.3') == 'yes'\", expect: \"answer('A.1.1.9') == 'yes'\", message: m}\n"),
        "names unknown question A.1.1.9",
    ),
    "headline score naming an unknown section": (
        views(Q1, extra="headline_scores:\n  - {id: roh, title: RoH, sections: [B.4.1]}\n"),
        "unknown section B.4.1",
    ),
    "YAML that does not parse": (HEAD + "views: [\n  - id: 1\n", "YAML does not parse"),
    "missing required field": (views(Q1.replace("            text: First question\n", "")), "Field required"),
    "duplicate YAML key": (views(Q1.replace("            text: First question\n", "            text: A\n            text: B\n")), "duplicate key 'text'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_instrument_fails_with_the_expected_message_and_line(case: str, tmp_path: Path) -> None:
    text, expected = BROKEN[case]
    path = tmp_path / "instrument.yaml"
    path.write_text(text)
    with pytest.raises(InstrumentError) as info:
        load_instrument(tmp_path)
    message = str(info.value)
    assert expected in message
    first = info.value.problems[0]
    assert first.file == str(path)
    assert first.line is not None and 1 <= first.line <= len(text.splitlines()) + 1


def test_it_points_at_the_line_of_the_problem(tmp_path: Path) -> None:
    text = views(Q1 + Q2.replace("options: yes_no", "options: nope"))
    (tmp_path / "instrument.yaml").write_text(text)
    with pytest.raises(InstrumentError) as info:
        load_instrument(tmp_path)
    line = info.value.problems[0].line
    assert line is not None and "options: nope" in text.splitlines()[line - 1]


def test_problems_in_an_included_file_name_that_file(tmp_path: Path) -> None:
    (tmp_path / "instrument.yaml").write_text(HEAD + "include: [more.yaml]\n")
    (tmp_path / "more.yaml").write_text("views:\n  - id: '1'\n    title: V\n    sections:\n      - {id: A.1.1, criterion: '1.1', title: S, questions: [{id: A.1.1.3, text: Q, options: nope}]}\n")
    with pytest.raises(InstrumentError) as info:
        load_instrument(tmp_path)
    assert info.value.problems[0].file == str(tmp_path / "more.yaml")
    assert info.value.problems[0].line == 5


def test_a_missing_file_is_reported() -> None:
    with pytest.raises(InstrumentError, match="file not found"):
        load_instrument("/nonexistent/instrument.yaml")


def test_it_loads_a_valid_instrument_with_a_stable_checksum() -> None:
    a = load_instrument(MINI)
    b = load_instrument(MINI)
    assert a.checksum == b.checksum
    assert [q.id for q in a.instrument.questions()] == ["A.1.1.3", "A.1.1.4", "B.4.1.1", "B.4.1.6", "D.2.2.8", "D.2.2.9"]
    assert a.instrument.score_members(a.instrument.headline_scores[0]) == ["B.4.1.1", "B.4.1.6"]


def test_the_format_document_is_generated_from_the_schema() -> None:
    assert (ROOT / "docs" / "instrument-format.md").read_text() == render()
