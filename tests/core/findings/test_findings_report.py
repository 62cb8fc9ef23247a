"""The report bundles everything; report_to_dict is what every export reads."""

import json
import time

import pytest
from golden_programme import AREAS, CASES, ROSH, SUPERVISION, instrument

from caseassess_core.findings import (
    ALL_CASES,
    CountRow,
    GroupSpec,
    build_report,
    question_table,
    report_to_dict,
)
from caseassess_core.instrument.schema import Instrument, Question, ScoreDefinition, Section, View

HIGH = GroupSpec("High and very high RoSH", ("high", "very_high"), "high RoSH cases")
COMMUNITY = GroupSpec("Community orders", ("community",))
LICENCES = GroupSpec("Licences", ("licence_determinate", "licence_indeterminate"))


def _report():
    ins = instrument()
    tables = [
        question_table(ins, ROSH, [HIGH, ALL_CASES], "versus_all", table_id="rosh", title="Table 3"),
        question_table(ins, SUPERVISION, [COMMUNITY, LICENCES], "a_vs_b", table_id="supervision", title="Table 7"),
    ]
    return build_report(
        ins, area_counts=AREAS, area_order=["South", "North"], tables=tables, case_counts=CASES, title="OMI golden"
    )


def test_the_report_bundles_scores_charts_tables_annex_and_key_findings():
    report = _report()
    assert (report.title, report.instrument_id, report.instrument_version, report.total_cases) == (
        "OMI golden",
        "golden-1",
        "1",
        100,
    )
    assert [(r.id, r.cells[0].pct) for r in report.scores] == [
        ("roh", 56),
        ("compliance", 61),
        ("ga1", 56),
        ("ga2", 65),
    ]
    assert [r.id for r in report.chart1] == ["roh", "compliance", "ga1", "ga2"]
    assert [a.area for a in report.chart2.areas] == ["South", "North"]
    assert [t.id for t in report.tables] == ["rosh", "supervision"]
    assert len(report.points) == 2 and report.points[0][0].startswith("For 1 of the 3 key aspects")
    assert [t.field for t in report.annex] == ["gender", "tier"]
    assert report.key_findings[0].startswith("Work on Risk of Harm was judged done sufficiently well in a majority")
    assert report.min_n == 10 and [h for h, _ in report.method][0] == "% done sufficiently well"


def test_report_to_dict_is_json_ready_and_carries_the_same_numbers():
    data = report_to_dict(_report())
    text = json.dumps(data)  # no custom encoder needed
    back = json.loads(text)
    assert set(back) == {
        "title",
        "instrument_id",
        "instrument_version",
        "total_cases",
        "scores",
        "chart1",
        "chart2",
        "tables",
        "points",
        "annex",
        "key_findings",
        "min_n",
        "key_aspects",
        "method",
        "front",
        "ratings",
        "rating_scheme",
    }
    rosh = back["tables"][0]
    assert rosh["comparison"] == "versus_all"
    assert rosh["groups"][1] == {"label": "All cases", "values": None, "noun": "all cases"}
    assert rosh["groups"][0]["values"] == ["high", "very_high"]
    first = rosh["rows"][0]
    assert first["id"] == "B.1.1.1" and first["kind"] == "question"
    assert [(c["pct"], c["n"]) for c in first["cells"]] == [(88, 8), (55, 20)]
    assert first["test"]["stars"] == "*"
    assert set(first["test"]) == {"chi2", "p", "stars", "small_expected", "diff_points"}
    assert set(first["cells"][0]) == {"sufficient", "n", "pct", "ci_low", "ci_high", "caution"}
    assert first["cells"][0]["caution"] is True  # N = 8, below the default minimum of 10
    assert rosh["rows"][2]["test"] is None  # no high RoSH answers: blank significance
    assert back["chart1"][0]["min_pct"] == 40 and back["chart1"][0]["max_area"] == "North"
    assert back["chart2"]["scores"][0] == ["roh", "Risk of Harm"]
    assert back["annex"][1]["values"][1]["pct_label"] == "0.1%"


@pytest.mark.slow  # measures time: left out of the mutation run, whose tracing slows everything
def test_a_large_programme_reports_in_well_under_a_second():
    # 110 questions in 11 sections, 35 areas, 3 outcomes: ~11,500 area rows, plus 6 subgroup tables
    sections = [
        Section(
            id=f"B.{s}.1",
            criterion=f"{s}.1",
            title=f"Section {s}",
            questions=[Question(id=f"B.{s}.1.{q}", text=f"Question {s}.{q}?") for q in range(1, 11)],
        )
        for s in range(1, 12)
    ]
    ins = Instrument(
        id="big",
        title="big",
        version="1",
        views=[View(id="1", title="v", sections=sections)],
        headline_scores=[ScoreDefinition(id=f"h{s}", title=f"H{s}", sections=[f"B.{s}.1"]) for s in range(1, 4)],
        general_criteria=[ScoreDefinition(id=f"g{s}", title=f"G{s}", sections=[f"B.{s}.1"]) for s in range(1, 12)],
    )
    qids = [q.id for q in ins.questions()]
    outcomes = ("sufficient", "insufficient", "excluded")
    areas = [
        CountRow(q, f"Area {a}", s, 20 + (i + a) % 7) for i, q in enumerate(qids) for a in range(35) for s in outcomes
    ]
    sub = [CountRow(q, g, s, 300 + i % 11) for i, q in enumerate(qids) for g in ("a", "b", "c", None) for s in outcomes]
    start = time.perf_counter()
    tables = [
        question_table(ins, sub, [GroupSpec("A", ("a",)), GroupSpec("B+C", ("b", "c"))], "a_vs_b", table_id=str(k))
        for k in range(5)
    ] + [question_table(ins, sub, [GroupSpec("A", ("a",)), ALL_CASES], "versus_all")]
    report = build_report(ins, area_counts=areas, area_order=[f"Area {a}" for a in range(35)], tables=tables)
    json.dumps(report_to_dict(report))
    elapsed = time.perf_counter() - start
    assert len(report.tables[0].rows) == 110 and len(report.chart2.areas) == 35
    assert elapsed < 1.0, elapsed


def test_a_callers_own_wording_and_annex_fields_reach_the_report():
    from caseassess_core.instrument.schema import AnswerType, CaseDetailField, Option

    ins = instrument().model_copy(update={"case_details": [
        CaseDetailField(id="tier", label="Tier", type=AnswerType.SINGLE_CHOICE,
                        options=[Option(value="unallocated", label="Unallocated"), Option(value="tier_1", label="Tier 1")]),
    ]})
    report = build_report(
        ins, area_counts=AREAS, area_order=["South", "North"], case_counts=CASES, annex_fields=["tier"],
        area_word="probation trusts", phrases={"roh": "  Work to keep the public safe. "},
    )
    # only the tier field, labelled by the instrument, in its option order, "Not recorded" last
    assert [(t.field, t.label, t.total) for t in report.annex] == [("tier", "Tier", 1000)]
    assert [(v.label, v.n) for v in report.annex[0].values] == [("Unallocated", 1), ("Tier 1", 999), ("Not recorded", 0)]
    assert report.total_cases == 1000
    # Risk of Harm = B.1.1.1 + B.1.1.2: 23 of 41 (56%); South 8/20 = 40%, North 14/20 = 70%
    assert report.key_findings[0] == (
        "Work to keep the public safe was judged done sufficiently well in a majority of the answers examined "
        "(56%, N = 41 answers), with individual probation trusts ranging from 40% (N = 20) to 70% (N = 20)."
    )
    # Compliance = C.2.1.1 + B.1.1.2: 25 of 41 (61%); South 9/20 = 45%, North 15/20 = 75%; default wording
    assert report.key_findings[1] == (
        "Work on Compliance & <Enforcement> was judged done sufficiently well in a majority of the answers examined "
        "(61%, N = 41 answers), with individual probation trusts ranging from 45% (N = 20) to 75% (N = 20)."
    )
    # without a title, the report's title is empty (the page supplies its own)
    assert report.title == ""


def test_the_caution_flag_marks_cells_with_some_but_fewer_than_min_n_answers():
    from caseassess_core.findings.report import _mark_small

    cells = [{"sufficient": 0, "n": n, "pct": None} for n in (0, 1, 9, 10)]
    assert [c["caution"] for c in _mark_small({"cells": cells, "n": 3}, 10)["cells"]] == [False, True, True, False]
    # a mapping without sufficient, n and pct is not a cell
    assert _mark_small({"n": 3, "pct": 5}, 10) == {"n": 3, "pct": 5}
    assert _mark_small([{"sufficient": 1, "n": 1, "pct": 100, "ci_low": 2.5}], 10) == [
        {"sufficient": 1, "n": 1, "pct": 100, "ci_low": 2.5, "caution": True}
    ]


def test_report_to_dict_keeps_mapping_keys_and_values():
    from caseassess_core.findings.report import _plain

    assert _plain({1: ("a", {"b": 2})}) == {"1": ["a", {"b": 2}]}


def test_the_default_wording_and_the_front_matter_reach_the_report():
    from caseassess_core.findings.publication import FrontMatter, InspectionLine

    report = _report()
    # Risk of Harm 23 of 41 (56%); South 8/20 = 40%, North 14/20 = 70%
    assert report.key_findings[0] == (
        "Work on Risk of Harm was judged done sufficiently well in a majority of the answers examined "
        "(56%, N = 41 answers), with individual areas ranging from 40% (N = 20) to 70% (N = 20)."
    )
    assert (report.front, report.ratings, report.rating_scheme) == (None, (), "")
    front = FrontMatter("OMI 2", (InspectionLine("OMI 2 North", "North", "3 March 2010 to 14 March 2010"),),
                        "March 2010", 41, "Submitted assessments", "Golden (golden-1, version 1)", "29 November 2026")
    assert build_report(instrument(), area_counts=AREAS, front=front).front == front


def test_the_key_aspects_count_the_cases_and_the_small_numbers_rule_reaches_the_key_findings():
    report = _report()
    # key aspects of the RoSH table (all cases, N >= 10): B.1.1.1 11/20 = 55%, B.1.1.2 12/21 = 57%,
    # C.2.1.1 13/20 = 65%: none reaches 75%; 100 cases in the sample (the first annex table)
    assert report.key_findings[3:5] == (
        "For 0 of the 3 key aspects (N = 100 cases), the work was done sufficiently well in 75% or more of the cases.",
        "The highest-scoring key aspect was C.2.1.1 \u201cWas every effort made to promote compliance?\u201d, done "
        "sufficiently well in a majority of the cases (65%, N = 20); the lowest was B.1.1.1 \u201cAccurate RoH "
        "analysis in the PSR?\u201d, in a majority of the cases (55%, N = 20).",
    )
    # with a minimum of 21 answers each area (20 answers) is too small for the range clause
    strict = build_report(instrument(), area_counts=AREAS, min_n=21)
    assert strict.key_findings[0] == (
        "Work on Risk of Harm was judged done sufficiently well in a majority of the answers examined (56%, N = 41 "
        "answers)."
    )
    assert [(r.kind, r.id, r.label) for r in strict.scores] == [
        ("headline", "roh", "Risk of Harm"), ("headline", "compliance", "Compliance & <Enforcement>"),
        ("general", "ga1", "Assessment and sentence planning"), ("general", "ga2", "Implementation of interventions"),
    ]
