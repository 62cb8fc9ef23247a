"""Retention (issue 12 item 8): after a programme's retention date, case references and free
text are pseudonymised; answers and counts are kept so the findings reproduce exactly."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from caseassess.assessments.models import Answer, Assessment
from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Case, Programme
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def findings(inspection: Any) -> str:
    from caseassess.reporting.selectors import findings_report
    from caseassess_core.findings.report import report_to_dict

    report = findings_report(inspections=[inspection], title="Findings")
    return json.dumps(report_to_dict(report), sort_keys=True, default=str)


@pytest.fixture
def recorded(inspection: Any, users: dict[str, Any]) -> Any:
    """Two submitted cases with comments and free text, a returned one, a caseload upload
    and a sample draw that name the case references."""
    from caseassess.assessments.services import assessment_save_section
    from caseassess.inspections.services import case_add
    from caseassess.sampling.models import CaseloadUpload, SampleDraw

    for i, (roh, comment) in enumerate([("yes", "Mr Smith's RoH analysis was thorough"), ("no", "Missed the domestic abuse call-out")]):
        a = case_add(inspection=inspection, actor=users["lead"], case_ref=f"TST-{i + 1:04d}", assessor=users["assessor"],
                     details={"report_type": "none", "sentence_type": "community_order", "rosh_at_start": "high", "gender": "male"}).assessments.get()
        assessment_save_section(assessment=a, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "yes", "B.4.1.6": roh},
                                comments={"B.4.1.6": comment}, base_versions={}, client_stamp=1)
        assessment_save_section(assessment=a, actor=users["assessor"], section_id="D.2.2", values={"D.2.2.8": "yes", "D.2.2.9": "Lives at 4 Acacia Avenue"},
                                comments={}, base_versions={}, client_stamp=2)
        Assessment.objects.filter(pk=a.pk).update(status="submitted", explanations={"CR01": "Contact was agreed with the police"})
    Assessment.objects.filter(case__case_ref="TST-0002").update(return_reason="Please check TST-0002 with Mr Smith's OM")
    rows = [{"case_ref": "TST-0001", "gender": "male"}, {"case_ref": "TST-0099", "gender": "female"}]
    upload = CaseloadUpload.objects.create(inspection=inspection, filename="caseload.csv", rows=rows, row_count=2)
    SampleDraw.objects.create(inspection=inspection, caseload=upload, design={}, seed=1, result={"case_refs": ["TST-0001"], "weights": {"TST-0001": 2.0}})
    Programme.objects.filter(pk=inspection.programme_id).update(retention_date=dt.date(2020, 3, 31))
    return inspection


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_dry_run_reports_what_would_change_and_changes_nothing(recorded: Any) -> None:
    before = sorted(Case.objects.values_list("case_ref", flat=True))
    out = run("--dry-run")
    assert "Would pseudonymise IAOW test programme (retention date 31 March 2020): 2 case references, 2 references in caseload uploads, 2 answer comments, 2 free-text answers" in out
    assert "1 return reasons" in out and "2 explanations" in out and "Dry run: nothing was changed" in out
    assert sorted(Case.objects.values_list("case_ref", flat=True)) == before
    assert Answer.objects.filter(comment__startswith="Mr Smith").exists()
    assert not AuditEvent.objects.filter(action="retention_apply").exists()
    assert Programme.objects.get(pk=recorded.programme_id).pseudonymised_at is None


def test_retention_pseudonymises_references_and_free_text_and_the_findings_reproduce(recorded: Any, users: dict[str, Any]) -> None:
    from caseassess.sampling.models import CaseloadUpload, SampleDraw

    before = findings(recorded)
    answers_before = sorted(Answer.objects.exclude(question_id="D.2.2.9").values_list("question_id", "value", "scoring"))
    out = run()
    assert "Pseudonymised IAOW test programme" in out
    refs = sorted(Case.objects.values_list("case_ref", flat=True))
    assert all(r.startswith("PSN-") and len(r) == 16 for r in refs) and len(set(refs)) == 2
    assert not Answer.objects.exclude(comment="").exclude(comment="[removed at retention]").exists()
    assert list(Answer.objects.filter(question_id="D.2.2.9").values_list("value", flat=True)) == ["[removed at retention]"] * 2
    assert set(Assessment.objects.values_list("return_reason", flat=True)) <= {"", "[removed at retention]"}
    assert all(e == {"CR01": "[removed at retention]"} for e in Assessment.objects.values_list("explanations", flat=True))
    # Answers, scoring classes and the findings are unchanged.
    assert sorted(Answer.objects.exclude(question_id="D.2.2.9").values_list("question_id", "value", "scoring")) == answers_before
    assert findings(recorded) == before
    # The caseload and the draw use the same pseudonyms; no reference is left anywhere.
    upload = CaseloadUpload.objects.get()
    first = Case.objects.get(pk=Case.objects.order_by("pk").first().pk).case_ref
    assert upload.rows[0]["case_ref"] == first and upload.rows[1]["case_ref"].startswith("PSN-")
    assert SampleDraw.objects.get().result == {"case_refs": [first], "weights": {first: 2.0}}
    assert "TST-00" not in json.dumps([list(Case.objects.values()), upload.rows, SampleDraw.objects.get().result], default=str)
    event = AuditEvent.objects.get(action="retention_apply")
    assert event.new["case_refs"] == 2 and "TST-0001" not in json.dumps(event.new)
    assert Programme.objects.get(pk=recorded.programme_id).pseudonymised_at is not None
    # Once only; the pages still work.
    assert "nothing to do" in run()
    assert client_for(users["lead"]).get(f"/inspections/{recorded.pk}/").status_code == 200


def test_a_programme_before_its_retention_date_is_left_alone(recorded: Any) -> None:
    Programme.objects.filter(pk=recorded.programme_id).update(retention_date=dt.date.today())
    assert "nothing to do" in run()
    assert Case.objects.filter(case_ref="TST-0001").exists()


def test_on_an_empty_database_it_says_there_is_nothing_to_do(db: Any) -> None:
    assert run("--dry-run").strip() == "No programme is past its retention date and not yet pseudonymised; nothing to do"
