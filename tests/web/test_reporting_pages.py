"""Findings pages and exports read the same numbers as the core report."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from caseassess.assessments import services
from caseassess.assessments.models import Status
from caseassess.inspections.services import case_add
from tests.web.conftest import client_for, run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(inspection: Any, users: dict[str, Any]) -> Any:
    """Four submitted cases: 3 of 4 'yes' on B.4.1.1; high RoSH cases 2 of 2."""
    plan = [("F1", "high", "male", "yes"), ("F2", "very_high", "female", "yes"), ("F3", "low", "male", "yes"), ("F4", "low", "female", "no")]
    for ref, rosh, gender, ans in plan:
        case = case_add(inspection=inspection, actor=users["lead"], case_ref=ref, assessor=users["assessor"],
                        details={"rosh_at_start": rosh, "gender": gender, "report_type": "none"})
        a = case.assessments.get()
        services.assessment_save_section(assessment=a, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": ans, "B.4.1.6": "na"}, comments={}, base_versions={}, client_stamp=0)
        a.status = Status.SUBMITTED
        a.save()
    return inspection


def test_the_programme_report_shows_scores_tables_and_annex(findings: Any, users: dict[str, Any]) -> None:
    html = client_for(users["analyst"]).get(f"/findings/programmes/{findings.programme_id}/").content.decode()
    assert "Key findings" in html and "Chart 1" in html and "Annex 1" in html
    assert "<svg" in html and 'role="img"' in html
    assert "75%" in html  # Risk of Harm headline: 3 of 4


def test_the_annex_describes_only_what_the_instrument_asks_about(findings: Any, users: dict[str, Any]) -> None:
    # The mini instrument has no tier, ethnicity, disability or age group: no table of bare ids.
    html = client_for(users["analyst"]).get(f"/findings/inspections/{findings.pk}/").content.decode()
    annex = html[html.index('id="annex-1"'):]
    assert "Annex 1: characteristics of the sample (4 cases)" in annex
    for label in ("Sentence type", "RoSH at start", "Gender"):
        assert label in annex
    for field in ("tier", "ethnicity", "disability", "age_group"):
        assert f">{field}<" not in annex


def test_the_exports_carry_the_same_numbers(findings: Any, users: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path  # an empty PDF cache
    c = client_for(users["analyst"])
    base = f"/findings/programmes/{findings.programme_id}/findings"
    data = json.loads(c.get(base + ".json").content)
    roh = next(r for r in data["scores"] if r["id"] == "risk_of_harm")
    assert (roh["cells"][0]["pct"], roh["cells"][0]["n"]) == (75, 4)
    rows = list(csv.DictReader(io.StringIO(c.get(base + ".csv").content.decode())))
    row = next(r for r in rows if r["table"] == "rosh" and r["id"] == "B.4.1.1")
    assert (row["pct_a"], row["n_a"], row["pct_b"], row["n_b"]) == ("100", "2", "75", "4")
    xlsx = c.get(base + ".xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = c.get(base + ".pdf")
    assert pdf.status_code == 202 and "Preparing the PDF" in pdf.content.decode()
    run_jobs()  # the PDF is laid out by the background worker (django-tasks)
    pdf = c.get(base + ".pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_any_case_attribute_can_be_compared(findings: Any, users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    url = f"/findings/programmes/{findings.programme_id}/compare/"
    html = c.get(url, {"by": "gender", "a": "male", "b": "female"}).content.decode()
    assert "Findings by gender" in html
    assert c.get(url, {"by": "gender", "a": "male"}).status_code == 400


def test_an_outsider_cannot_read_an_inspection_report(findings: Any, users: dict[str, Any]) -> None:
    c = client_for(users["outsider"])
    assert c.get(f"/findings/inspections/{findings.pk}/").status_code == 404
    assert c.get(f"/findings/programmes/{findings.programme_id}/").status_code == 404


def test_a_cached_report_changes_when_another_assessment_is_submitted(findings: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    from caseassess.reporting import selectors
    from caseassess.reporting.selectors import findings_report

    builds = []
    real = selectors._build_findings_report
    monkeypatch.setattr(selectors, "_build_findings_report", lambda **kw: builds.append(1) or real(**kw))
    before = findings_report(inspections=[findings], title="t")
    assert findings_report(inspections=[findings], title="t") == before
    assert len(builds) == 1  # the second read came from the cache
    case = case_add(inspection=findings, actor=users["lead"], case_ref="F5", assessor=users["assessor"], details={"rosh_at_start": "low"})
    a = case.assessments.get()
    services.assessment_save_section(assessment=a, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "no"}, comments={}, base_versions={}, client_stamp=0)
    assert findings_report(inspections=[findings], title="t") == before  # in progress: not counted
    assert len(builds) == 1
    a.status = Status.SUBMITTED
    a.save()
    after = findings_report(inspections=[findings], title="t")
    roh = next(r for r in after.scores if r.id == "risk_of_harm")
    assert (roh.cells[0].sufficient, roh.cells[0].n) == (3, 5)


def test_spreadsheet_cells_that_would_start_a_formula_are_text_but_the_significance_mark_is_not() -> None:
    from caseassess.reporting.exports import safe_cell

    assert [safe_cell(v) for v in ["=SUM(A1)", "+1", "-1", "@x", "--", "Yes", 3]] == ["'=SUM(A1)", "'+1", "'-1", "'@x", "--", "Yes", 3]
    # A leading tab or carriage return is also read as the start of a formula by some spreadsheets (OWASP CSV injection).
    assert [safe_cell(v) for v in ["\t=1+2", "\r=1+2", "a\tb"]] == ["'\t=1+2", "'\r=1+2", "a\tb"]
