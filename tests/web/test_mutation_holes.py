"""Holes a mutation check found (issue 17, docs/testing.md): each test here failed with one
small change to the code and passes without it. They check what users see — pages, status
codes, what ends up stored — so that refactors of the code under them keep them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from caseassess.assessments.models import Answer
from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Case
from tests.web.conftest import add_members, client_for

pytestmark = pytest.mark.django_db


# --- A member of the inspection who is not allocated to the case ----------------------


@pytest.fixture
def other_case(inspection: Any, users: dict[str, Any]) -> Any:
    """A second case of the same inspection, allocated to assessor2 only."""
    from caseassess.inspections.services import case_add

    return case_add(inspection=inspection, actor=users["lead"], case_ref="TST-0002", assessor=users["assessor2"],
                    details={"report_type": "standard_delivery", "sentence_type": "community_order"})


def test_an_assessor_of_the_inspection_cannot_read_the_history_of_a_case_allocated_to_someone_else(
    assessment: Any, other_case: Any, users: dict[str, Any]
) -> None:
    url = reverse("assessments:history", kwargs={"case_id": other_case.pk})
    # assessor is a member of the inspection (allocated to TST-0001), not of TST-0002.
    assert client_for(users["assessor"]).get(url).status_code == 404
    # The allocated assessor and the lead do see it: the 404 is about allocation, not the page.
    own = client_for(users["assessor2"]).get(url)
    assert own.status_code == 200 and "TST-0002" in own.content.decode()
    assert client_for(users["lead"]).get(url).status_code == 200


def test_an_assessor_of_the_inspection_cannot_open_an_assessment_allocated_to_someone_else(
    assessment: Any, other_case: Any, users: dict[str, Any]
) -> None:
    theirs = other_case.assessments.get()
    c = client_for(users["assessor"])
    assert c.get(reverse("assessments:task_list", kwargs={"pk": theirs.pk})).status_code == 404
    assert c.get(reverse("assessments:section", kwargs={"pk": theirs.pk, "section_id": "B.4.1"})).status_code == 404
    assert client_for(users["assessor2"]).get(reverse("assessments:task_list", kwargs={"pk": theirs.pk})).status_code == 200


def test_ids_that_do_not_exist_answer_404_to_every_role(assessment: Any, users: dict[str, Any]) -> None:
    for name in ("assessor", "lead", "analyst", "admin"):
        c = client_for(users[name])
        assert c.get(reverse("assessments:history", kwargs={"case_id": 999_999})).status_code == 404, name
        assert c.get(reverse("assessments:task_list", kwargs={"pk": 999_999})).status_code == 404, name
        assert c.get(reverse("inspections:detail", kwargs={"pk": 999_999})).status_code == 404, name


def test_the_lead_and_an_administrator_outside_the_inspection_open_its_pages(assessment: Any, users: dict[str, Any]) -> None:
    insp = assessment.case.inspection
    assert client_for(users["lead"]).get(reverse("inspections:add_case", kwargs={"pk": insp.pk})).status_code == 200
    assert client_for(users["assessor"]).get(reverse("inspections:add_case", kwargs={"pk": insp.pk})).status_code == 404
    # The administrator is not a member of the inspection, yet sees it and its case records.
    admin = client_for(users["admin"])
    assert admin.get(reverse("inspections:detail", kwargs={"pk": insp.pk})).status_code == 200
    assert admin.get(reverse("assessments:history", kwargs={"case_id": assessment.case_id})).status_code == 200


def test_a_lead_reads_but_cannot_change_an_assessment_allocated_to_an_assessor(assessment: Any, users: dict[str, Any]) -> None:
    url = reverse("assessments:section", kwargs={"pk": assessment.pk, "section_id": "B.4.1"})
    lead = client_for(users["lead"])
    assert lead.get(url).status_code == 200
    assert lead.post(url, {"q-B.4.1.1": "yes", "v-B.4.1.1": "0", "action": "save"}).status_code == 404
    assert not Answer.objects.exists()


def test_a_submitted_assessment_cannot_be_changed_by_its_own_assessor(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments.models import Assessment, Status

    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    url = reverse("assessments:section", kwargs={"pk": assessment.pk, "section_id": "B.4.1"})
    assert client_for(users["assessor"]).post(url, {"q-B.4.1.1": "yes", "v-B.4.1.1": "0", "action": "save"}).status_code == 404
    assert not Answer.objects.exists()


def test_opening_a_case_record_reads_the_inspection_without_the_instrument_definition(assessment: Any, users: dict[str, Any]) -> None:
    """The instrument definition is hundreds of KB of JSON: the permission lookups that run on
    every page never read it, and bring the inspection, programme and instrument version with
    the record (no further query to show them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from caseassess.inspections.permissions import assessment_for, case_for, inspection_for

    def looked_up(fetch: Any, show: Any) -> Any:
        with CaptureQueriesContext(connection) as lookup:
            record = fetch()
        assert not any('"definition"' in q["sql"] for q in lookup.captured_queries), "the lookup read the definition"
        with CaptureQueriesContext(connection) as after:
            shown = show(record)
        assert after.captured_queries == [], "showing the record needed another query"
        return shown

    insp_id = assessment.case.inspection_id
    assert looked_up(lambda: case_for(users["assessor"], assessment.case_id),
                     lambda c: (c.case_ref, c.inspection.name, c.inspection.instrument.instrument_id)) == ("TST-0001", "IAOW Testshire", "mini-2013")
    assert looked_up(lambda: assessment_for(users["assessor"], assessment.pk),
                     lambda a: (a.case.case_ref, a.case.inspection.name, a.assessor.username, a.case.inspection.instrument.instrument_id)
                     ) == ("TST-0001", "IAOW Testshire", "assessor", "mini-2013")
    assert looked_up(lambda: inspection_for(users["assessor"], insp_id),
                     lambda i: (i.programme.name, i.instrument.instrument_id)) == ("IAOW test programme", "mini-2013")


# --- "Keep mine" after a conflict --------------------------------------------------------


def test_keep_mine_after_a_conflict_saves_my_answer_over_theirs(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User
    from caseassess.inspections.services import case_add

    # A case nobody is allocated to yet: both lead inspectors of the inspection may answer it.
    case = case_add(inspection=inspection, actor=users["lead"], case_ref="TST-0009", assessor=None,
                    details={"report_type": "standard_delivery", "sentence_type": "community_order"})
    lead2 = User.objects.create_user(username="lead2", password="a-long-test-password-2013", role="inspector")
    add_members(inspection, {**users, "lead2": lead2}, lead2="lead_inspector")
    url = reverse("assessments:section", kwargs={"pk": case.assessments.get().pk, "section_id": "B.4.1"})
    lead = client_for(users["lead"])
    assert lead.get(url).status_code == 200  # the lead opens the page: no answer yet (version 0)
    # Meanwhile the other lead saves "yes".
    r = client_for(lead2).post(url, {"q-B.4.1.1": "yes", "v-B.4.1.1": "0", "action": "save"})
    assert r.status_code == 302
    # The lead, from the page opened before, saves "no": a conflict, nothing saved.
    conflict = lead.post(url, {"q-B.4.1.1": "no", "v-B.4.1.1": "0", "action": "save"})
    assert conflict.status_code == 409
    body = conflict.content.decode()
    assert "Your answers have not been saved" in body and 'name="force" value="1"' in body
    assert Answer.objects.get(question_id="B.4.1.1").value == "yes"
    # "Keep mine": the same form again, with the page's force field.
    kept = lead.post(url, {"q-B.4.1.1": "no", "v-B.4.1.1": "0", "force": "1", "action": "save"})
    assert kept.status_code == 302
    assert Answer.objects.get(question_id="B.4.1.1").value == "no"
    assert list(AuditEvent.objects.filter(action="answer", field="B.4.1.1").order_by("id").values_list("old", "new", "actor__username")) == [
        (None, "yes", "lead2"), ("yes", "no", "lead"),
    ]


# --- Imports: a failure while writing leaves nothing half-written ------------------------

CASES_CSV = "case_ref,assessor,sentence_type\nTST-0101,assessor,community_order\nTST-0102,assessor2,community_order\nTST-0103,,community_order\n"


def test_a_web_case_import_that_fails_while_writing_creates_no_case(inspection: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    """The import writes cases, then their assessments, then the audit rows, in one transaction:
    the database going away after the cases are written must leave no case behind."""
    from caseassess.assessments.models import Assessment
    from caseassess.inspections import services

    written: list[int] = []

    def failing_bulk_create(objs: Any, *args: Any, **kw: Any) -> Any:
        written.append(Case.objects.filter(inspection=inspection).count())
        raise RuntimeError("connection lost")

    monkeypatch.setattr(Assessment.objects, "bulk_create", failing_bulk_create)
    with pytest.raises(RuntimeError, match="connection lost"):
        services.cases_import_csv(inspection=inspection, actor=users["lead"], text=CASES_CSV)
    assert written == [3]  # the three cases were in the database when the write failed
    assert not Case.objects.filter(inspection=inspection).exists()
    assert not AuditEvent.objects.filter(case_id__isnull=False).exists()


def test_a_web_case_import_that_succeeds_creates_every_case(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.inspections import services

    report = services.cases_import_csv(inspection=inspection, actor=users["lead"], text=CASES_CSV)
    assert report.errors == [] and report.created == 3
    assert sorted(Case.objects.filter(inspection=inspection).values_list("case_ref", flat=True)) == ["TST-0101", "TST-0102", "TST-0103"]


ANSWERS_CSV = (
    "case_ref,question_id,answer,sentence_type\n"
    "IMP-1,B.4.1.1,yes,community_order\nIMP-1,B.4.1.6,no,community_order\nIMP-2,B.4.1.1,no,community_order\n"
)


def test_a_command_line_import_that_fails_while_writing_writes_nothing(inspection: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from django.db.models.query import QuerySet

    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS_CSV)
    real = QuerySet.bulk_create

    def bulk_create(self: Any, objs: Any, *a: Any, **kw: Any) -> Any:
        if self.model is AuditEvent:  # the last write of the import: cases and answers are already in
            raise RuntimeError("disk full")
        return real(self, objs, *a, **kw)

    monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)
    with pytest.raises(RuntimeError, match="disk full"):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path),
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not Case.objects.filter(inspection=inspection).exists()
    assert not Answer.objects.exists()
    monkeypatch.undo()
    # The same file imports once the fault is gone.
    out = io.StringIO()
    call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stdout=out, stderr=io.StringIO())
    assert "2 new cases" in out.getvalue() and "3 new answers" in out.getvalue()
    assert Answer.objects.count() == 3


def test_a_command_line_import_with_a_bad_row_names_it_and_writes_nothing(inspection: Any, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS_CSV + "IMP-3,B.4.1.1,perhaps,community_order\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) in .*answers\.csv; nothing was imported"):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stdout=io.StringIO(), stderr=err)
    assert "Row 5: answer 'perhaps' is not allowed for B.4.1.1" in err.getvalue()
    assert not Case.objects.exists()


# --- Case details (View 0): all or nothing, conflicts, keep mine, after submission -----


def _details_post(client: Any, assessment: Any, version: int, **fields: str) -> Any:
    url = reverse("assessments:case_details", kwargs={"pk": assessment.pk})
    return client.post(url, {"details_version": str(version), "action": "save", **{f"d-{k}": v for k, v in fields.items()}})


def test_case_details_are_saved_audited_and_versioned(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    assert _details_post(c, assessment, 0, gender="female", ogrs_score="45").status_code == 302
    case = Case.objects.get(pk=assessment.case_id)
    assert case.details == {"report_type": "standard_delivery", "sentence_type": "community_order", "gender": "female", "ogrs_score": 45}
    assert case.details_version == 1 and case.details_updated_by == users["assessor"]
    assert sorted(AuditEvent.objects.filter(action="case_detail").values_list("field", "old", "new")) == [
        ("gender", None, "female"), ("ogrs_score", None, 45),
    ]
    # Clearing a detail removes it; an unchanged form writes nothing and keeps the version.
    assert _details_post(c, assessment, 1, gender="", ogrs_score="45").status_code == 302
    case.refresh_from_db()
    assert "gender" not in case.details and case.details_version == 2
    assert _details_post(c, assessment, 2, ogrs_score="45").status_code == 302
    case.refresh_from_db()
    assert case.details_version == 2 and AuditEvent.objects.filter(action="case_detail").count() == 3


def test_a_bad_case_detail_is_refused_and_the_valid_ones_on_the_form_are_saved(assessment: Any, users: dict[str, Any]) -> None:
    # Issue 11 item 6: one bad field never blocks the others.
    r = _details_post(client_for(users["assessor"]), assessment, 0, gender="female", ogrs_score="140")
    assert r.status_code == 400 and "enter a number from 0 to 100" in r.content.decode()
    case = Case.objects.get(pk=assessment.case_id)
    assert case.details["gender"] == "female" and "ogrs_score" not in case.details


def test_stale_case_details_are_a_conflict_until_the_user_keeps_theirs(assessment: Any, users: dict[str, Any]) -> None:
    lead, assessor = client_for(users["lead"]), client_for(users["assessor"])
    assert _details_post(assessor, assessment, 0, gender="female").status_code == 302
    stale = _details_post(lead, assessment, 0, gender="male")
    assert stale.status_code == 409 and 'name="force" value="1"' in stale.content.decode()
    assert Case.objects.get(pk=assessment.case_id).details["gender"] == "female"
    url = reverse("assessments:case_details", kwargs={"pk": assessment.pk})
    kept = lead.post(url, {"details_version": "0", "d-gender": "male", "force": "1", "action": "save"})
    assert kept.status_code == 302
    case = Case.objects.get(pk=assessment.case_id)
    assert case.details["gender"] == "male" and case.details_version == 2


def test_a_stale_form_holding_the_values_already_saved_is_not_a_conflict(assessment: Any, users: dict[str, Any]) -> None:
    # The page's autosave stored the OGRS score while the form (with the version it was shown
    # with) was being posted: the same values are no conflict, and nothing is written twice.
    assessor = client_for(users["assessor"])
    assert _details_post(assessor, assessment, 0, ogrs_score="42").status_code == 302
    again = _details_post(assessor, assessment, 0, ogrs_score="42", report_type="standard_delivery", sentence_type="community_order")
    assert again.status_code == 302
    case = Case.objects.get(pk=assessment.case_id)
    assert case.details["ogrs_score"] == 42 and case.details_version == 1
    assert AuditEvent.objects.filter(action="case_detail").count() == 1
    # A stale form that would change a saved value is still a conflict.
    assert _details_post(assessor, assessment, 0, ogrs_score="43").status_code == 409
    assert Case.objects.get(pk=assessment.case_id).details["ogrs_score"] == 42


def test_a_changed_case_detail_rescores_the_answers_and_a_submitted_record_is_read_only(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments.models import Assessment, Status

    assessor = client_for(users["assessor"])
    section = reverse("assessments:section", kwargs={"pk": assessment.pk, "section_id": "A.1.1"})
    assert assessor.post(section, {"q-A.1.1.4": "yes", "v-A.1.1.4": "0", "action": "save"}).status_code == 302
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "sufficient"
    # An oral report: A.1.1.4 no longer applies and leaves the findings.
    assert _details_post(assessor, assessment, 0, report_type="oral").status_code == 302
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "excluded"
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    for name in ("assessor", "lead"):
        assert _details_post(client_for(users[name]), assessment, 1, report_type="standard_delivery").status_code == 404, name
    assert Case.objects.get(pk=assessment.case_id).details["report_type"] == "oral"
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "excluded"
