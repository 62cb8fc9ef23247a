"""The report bundles everything; report_to_dict is what every export reads."""

import json
import time

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
