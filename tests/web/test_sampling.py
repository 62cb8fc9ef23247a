"""Sampling: caseload upload, seeded draw, quotas, adding the sample, the command, weighted findings."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Case
from caseassess.sampling.models import CaseloadUpload, SampleDraw
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

HEADER = "case_ref,sentence_type,supervision_start_date,gender,ethnicity,rosh_at_start,principal_offence,requirements,child_protection_concerns,tier"
OFFENCES = ["violence_against_the_person", "burglary", "theft_and_handling", "drug_offences", "motoring", "other"]


def caseload_csv(n: int = 120) -> str:
    """A synthetic caseload: 100 cases inside a 6-9 month window before 2013-11-04, the rest outside.
    RoSH high when i % 5 == 0, very high when i % 10 == 3; female when i % 4 == 1; BME when i % 6 == 2."""
    lines = [HEADER]
    for i in range(n):
        start = dt.date(2013, 2, 10) + dt.timedelta(days=i % 80) if i < 100 else dt.date(2012, 1, 10)
        rosh = "high" if i % 5 == 0 else "very_high" if i % 10 == 3 else ("medium" if i % 2 else "low")
        sentence = "community_order" if i % 2 == 0 else "licence_determinate"
        if sentence == "community_order":
            req = "unpaid_work" if i % 7 == 0 else "supervision;unpaid_work" if i % 3 == 0 else "supervision"
        else:
            req = "licence_additional_conditions"
        lines.append(",".join([
            f"TS-{i:04d}", sentence, start.isoformat(), "female" if i % 4 == 1 else "male",
            "bme" if i % 6 == 2 else ("not_known" if i % 13 == 0 else "white"), rosh, OFFENCES[i % len(OFFENCES)], req,
            "yes" if i % 9 == 4 else "no", f"tier_{1 + i % 4}",
        ]))
    return "\n".join(lines) + "\n"


DESIGN = {
    "size": "30", "reference_date": "2013-11-04", "min_months": "6", "max_months": "9", "min_high_rosh": "15",
    "min_unpaid_work_only": "3", "child_protection_cap": "4", "tolerance": "5", "seed": "2013",
}


def upload(client: Any, inspection: Any, text: str, name: str = "caseload.csv") -> Any:
    return client.post(reverse("sampling:upload_caseload", args=[inspection.pk]), {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def draw(client: Any, inspection: Any, **changes: str) -> Any:
    return client.post(reverse("sampling:draw", args=[inspection.pk]), {**DESIGN, **changes})


def test_a_lead_uploads_a_caseload_and_it_is_stored_with_who_and_when(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    r = upload(c, inspection, caseload_csv())
    assert r.status_code == 302
    up = CaseloadUpload.objects.get()
    assert up.row_count == 120 and up.uploaded_by == users["lead"] and up.filename == "caseload.csv"
    assert up.rows[0]["case_ref"] == "TS-0000" and up.rows[0]["requirements"] == ["unpaid_work"]
    assert AuditEvent.objects.filter(action="caseload_upload", inspection_id=inspection.pk).count() == 1
    assert "120 cases" in c.get(reverse("sampling:inspection", args=[inspection.pk])).content.decode()


def test_a_bad_caseload_reports_each_row_and_column_and_stores_nothing(inspection: Any, users: dict[str, Any]) -> None:
    lines = caseload_csv(5).splitlines()
    lines[1] = lines[1].replace(",male,", ",unknown,")  # row 2
    lines[4] = lines[4].replace("2013-02-", "2013/02/")  # row 5
    r = upload(client_for(users["lead"]), inspection, "\n".join(lines))
    assert r.status_code == 400
    html = r.content.decode()
    assert "There is a problem: the caseload was not stored" in html
    assert "Row 2, column gender: unknown value &#39;unknown&#39;; expected one of female, male" in html
    assert "Row 5, column supervision_start_date: bad date" in html
    assert not CaseloadUpload.objects.exists()
    assert not AuditEvent.objects.filter(action="caseload_upload").exists()


def test_the_sample_meets_every_quota_on_an_uploaded_caseload(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    upload(c, inspection, caseload_csv())
    r = draw(c, inspection)
    assert r.status_code == 302
    d = SampleDraw.objects.get()
    res = d.result
    assert res["sample_size"] == 30 and res["eligible_count"] == 100
    assert res["ineligible"] == {"outside the supervision window": 20}
    quotas = {q["name"]: (q["required"], q["eligible"], q["achieved"], q["met"]) for q in res["quotas"]}
    assert quotas == {"child_protection": (4, 11, 4, True), "high_rosh": (15, 30, 15, True), "unpaid_work_only": (3, 8, 3, True)}
    assert res["high_rosh_count"] == 15
    shares = {s["name"]: (round(100 * s["caseload_share"], 1), round(100 * s["sample_share"], 1), s["passed"]) for s in res["shares"]}
    assert shares == {"female": (25.0, 26.7, True), "bme": (17.0, 13.3, True)}
    assert res["all_quotas_met"] and res["messages"] == []
    # Weights add up to the eligible caseload.
    assert sum(res["weights"].values()) == pytest.approx(100)
    page = c.get(reverse("sampling:draw_detail", args=[d.pk])).content.decode()
    assert "All quotas met" in page and "The sample beside the caseload" in page and "Pass" in page


def test_the_same_seed_draws_the_same_cases_and_another_seed_others(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    upload(c, inspection, caseload_csv())
    draw(c, inspection)
    draw(c, inspection)
    draw(c, inspection, seed="7")
    first, second, other = (d.result["case_refs"] for d in SampleDraw.objects.order_by("id"))
    assert first == second
    assert other != first


def test_a_clear_message_says_when_a_quota_cannot_be_met(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    upload(c, inspection, caseload_csv())
    draw(c, inspection, min_high_rosh="40")
    d = SampleDraw.objects.get()
    eligible_high = next(q["eligible"] for q in d.result["quotas"] if q["name"] == "high_rosh")
    assert eligible_high == 30
    message = f"Only {eligible_high} eligible high/very high RoSH cases; the design asks for 40."
    assert message in d.result["messages"]
    assert "The design asks for 3 unpaid-work-only cases; together with the quotas above at most 2 fit in a sample of 30." in d.result["messages"]
    assert not d.result["all_quotas_met"]
    page = c.get(reverse("sampling:draw_detail", args=[d.pk])).content.decode()
    assert message in page and "Not met" in page and "Not every quota could be met" in page


def test_an_invalid_design_is_refused_with_field_errors(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    upload(c, inspection, caseload_csv())
    r = draw(c, inspection, size="", max_months="3")
    assert r.status_code == 400
    html = r.content.decode()
    assert "Enter the sample size" in html and "The longest time under supervision must be at least the shortest" in html
    assert not SampleDraw.objects.exists()


def test_adding_the_sample_creates_cases_with_details_and_design_weights(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    upload(c, inspection, caseload_csv())
    draw(c, inspection)
    d = SampleDraw.objects.get()
    r = c.post(reverse("sampling:add_sample", args=[d.pk]))
    assert r.status_code == 302
    cases = list(Case.objects.filter(inspection=inspection))
    assert sorted(x.case_ref for x in cases) == sorted(d.result["case_refs"])
    case = next(x for x in cases if x.case_ref == d.result["case_refs"][0])
    row = next(x for x in d.caseload.rows if x["case_ref"] == case.case_ref)
    for key in ("sentence_type", "gender", "ethnicity", "rosh_at_start", "tier", "principal_offence", "requirements", "child_protection_concerns"):
        assert case.details[key] == row[key]
    assert case.details["design_weight"] == d.result["weights"][case.case_ref]
    assert Assessment.objects.filter(case__inspection=inspection, counts=True).count() == 30
    assert AuditEvent.objects.filter(action="sample_add").count() == 1
    # A second add is refused and adds nothing.
    c.post(reverse("sampling:add_sample", args=[d.pk]))
    assert Case.objects.filter(inspection=inspection).count() == 30


def test_pages_are_for_the_lead_of_the_inspection_only(inspection: Any, users: dict[str, Any]) -> None:
    for who in ("assessor", "analyst", "outsider"):
        assert client_for(users[who]).get(reverse("sampling:inspection", args=[inspection.pk])).status_code == 404


def test_the_draw_sample_command_draws_prints_the_checks_and_adds_the_cases(inspection: Any, users: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "extract.csv"
    path.write_text(caseload_csv())
    out = StringIO()
    call_command("draw_sample", "--inspection", inspection.name, "--seed", "2013", "--caseload", str(path), "--size", "30",
                 "--reference-date", "2013-11-04", "--min-high-rosh", "15", "--min-unpaid-work-only", "3", "--child-protection-cap", "4",
                 "--user", "lead", "--add", stdout=out)
    text = out.getvalue()
    assert "Caseload stored: 120 cases" in text
    assert "quota high_rosh: asked 15, eligible 30" in text and "-> met" in text
    assert "share female:" in text and "-> pass" in text
    assert "30 cases added" in text
    assert Case.objects.filter(inspection=inspection).count() == 30
    # The same design and seed on the web page draws the same cases.
    c = client_for(users["lead"])
    draw(c, inspection)
    cmd, web = (d.result["case_refs"] for d in SampleDraw.objects.order_by("id"))
    assert cmd == web


def test_the_draw_sample_command_refuses_a_bad_caseload(inspection: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\nX1,community_order,2013-03-01,male,white,high,burglary,supervision,no,tier_9\n")
    with pytest.raises(CommandError, match="row 2, column tier: unknown value 'tier_9'"):
        call_command("draw_sample", "--inspection", inspection.name, "--seed", "1", "--caseload", str(path))
    assert not CaseloadUpload.objects.exists()


def _answer(assessment: Any, values: dict[str, str]) -> None:
    scoring = {"yes": "sufficient", "no": "insufficient", "na": "excluded"}
    for qid, v in values.items():
        Answer.objects.create(assessment=assessment, question_id=qid, value=v, scoring=scoring[v])
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)


def test_weighted_findings_weight_each_answer_by_its_case_design_weight(inspection: Any, users: dict[str, Any]) -> None:
    """Two high RoSH cases (weight 1) done well, two low RoSH cases (weight 3) not:
    unweighted 50%, weighted (2 x 1) / (2 x 1 + 2 x 3) = 25%, effective N 8^2 / 20 = 3.2."""
    from caseassess.inspections.services import case_add

    for i, (rosh, w, v) in enumerate([("high", 1.0, "yes"), ("high", 1.0, "yes"), ("low", 3.0, "no"), ("low", 3.0, "no")]):
        case = case_add(inspection=inspection, actor=users["lead"], case_ref=f"W-{i}", details={"rosh_at_start": rosh, "design_weight": w})
        _answer(case.assessments.get(), {"B.4.1.1": v})
    from caseassess.sampling.selectors import weighted_findings

    rows = {r.id: r for r in weighted_findings(inspections=[inspection]).rows}
    assert rows["risk_of_harm"].unweighted_pct == 50 and rows["risk_of_harm"].unweighted_n == 4
    assert rows["risk_of_harm"].weighted_pct == pytest.approx(25.0)
    assert rows["risk_of_harm"].weighted_n == pytest.approx(8.0)
    assert rows["risk_of_harm"].effective_n == pytest.approx(3.2)
    assert rows["delivery_and_review"].weighted_pct is None
    html = client_for(users["analyst"]).get(reverse("sampling:weighted", args=[inspection.pk])).content.decode()
    assert "Unweighted (as published)" in html and "Weighted by design weights" in html
    assert "50%" in html and "25.0%" in html
    assert client_for(users["assessor"]).get(reverse("sampling:weighted", args=[inspection.pk])).status_code == 404


def test_cases_without_a_design_weight_count_with_weight_one_and_are_named(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.inspections.services import case_add
    from caseassess.sampling.selectors import weighted_findings

    case = case_add(inspection=inspection, actor=users["lead"], case_ref="NW-1")
    _answer(case.assessments.get(), {"B.4.1.1": "yes"})
    f = weighted_findings(inspections=[inspection])
    assert f.cases == 1 and f.cases_without_weight == 1
    assert next(r for r in f.rows if r.id == "risk_of_harm").weighted_pct == pytest.approx(100.0)
