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
                     lambda i: (i.programme.name, i.instrument.instrument_id, i.area.name)
                     ) == ("IAOW test programme", "mini-2013", "Testshire Probation Trust")


def test_an_analyst_account_is_an_analyst_whatever_its_membership_and_nothing_outside_it(
    assessment: Any, users: dict[str, Any]
) -> None:
    """The account role analyst limits a member to aggregate findings, even with a lead
    inspector's membership; and an analyst who is no member of the inspection has no part in
    it at all (not "analyst" of every inspection)."""
    from caseassess.accounts.models import User

    insp = assessment.case.inspection
    detail = reverse("inspections:detail", kwargs={"pk": insp.pk})
    analyst_lead = User.objects.create_user(username="analyst_lead", password="a-long-test-password-2013", role="analyst")
    add_members(insp, {"analyst_lead": analyst_lead}, analyst_lead="lead_inspector")
    c = client_for(analyst_lead)
    assert c.get(detail).status_code == 200
    assert c.get(reverse("inspections:add_case", kwargs={"pk": insp.pk})).status_code == 404
    assert c.get(reverse("assessments:history", kwargs={"case_id": assessment.case_id})).status_code == 404
    assert c.get(reverse("assessments:task_list", kwargs={"pk": assessment.pk})).status_code == 404
    stranger = User.objects.create_user(username="analyst_elsewhere", password="a-long-test-password-2013", role="analyst")
    assert client_for(stranger).get(detail).status_code == 404
    # Leading an inspection with an analyst's account does not let them create inspections.
    assert c.get("/inspections/new/").status_code == 404


def test_an_assessor_whose_account_becomes_an_analyst_no_longer_reads_their_cases(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    history = reverse("assessments:history", kwargs={"case_id": assessment.case_id})
    assert c.get(history).status_code == 200
    users["assessor"].role = "analyst"
    users["assessor"].save()
    assert c.get(history).status_code == 404
    assert c.get(reverse("assessments:task_list", kwargs={"pk": assessment.pk})).status_code == 404


def test_only_the_inspections_own_assessors_and_leads_can_be_allocated_cases(inspection: Any, users: dict[str, Any]) -> None:
    """Not its analysts (by membership or by account), nor assessors of another inspection."""
    import datetime as dt

    from caseassess.accounts.models import User
    from caseassess.inspections.models import Inspection
    from caseassess.inspections.permissions import inspection_assessors

    analyst_account = User.objects.create_user(username="analyst_acct", password="a-long-test-password-2013", role="analyst")
    add_members(inspection, {"analyst_acct": analyst_account}, analyst_acct="assessor")
    elsewhere = Inspection.objects.create(
        programme=inspection.programme, name="IAOW Elsewhere", area=inspection.area, topic="protecting children",
        fieldwork_start=dt.date(2014, 1, 6), fieldwork_end=dt.date(2014, 1, 10), instrument=inspection.instrument,
    )
    add_members(elsewhere, users, outsider="assessor")
    observer = User.objects.create_user(username="observer", password="a-long-test-password-2013", role="inspector")
    add_members(inspection, {"observer": observer}, observer="analyst")  # an inspector taking part as analyst
    assert [u.username for u in inspection_assessors(inspection)] == ["assessor", "assessor2", "lead"]
    assert [u.username for u in inspection_assessors(elsewhere)] == ["outsider"]


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


# --- The assessment write services, called directly (docs/testing.md, services) ----------
# Each expected value is written out by hand from the mini instrument
# (tests/fixtures/mini-instrument): sections A.1.1 (A.1.1.3, A.1.1.4), B.4.1 (B.4.1.1,
# B.4.1.6), D.2.2 (D.2.2.8, D.2.2.9); rule CR01 (D.2.2.8 yes expects B.4.1.6 yes).


def _save(assessment: Any, user: Any, values: dict[str, Any], *, section: str = "B.4.1", comments: dict[str, str] | None = None,
          versions: dict[str, int] | None = None, stamp: int = 0, tab: str = "", force: bool = False) -> Any:
    from caseassess.assessments import services

    return services.assessment_save_section(
        assessment=assessment, actor=user, section_id=section, values=values, comments=comments or {},
        base_versions=versions or {}, client_stamp=stamp, client_tab=tab, force=force,
    )


def _events(action: str) -> list[tuple[Any, ...]]:
    return list(AuditEvent.objects.filter(action=action).order_by("id").values_list("field", "old", "new", "actor__username"))


def test_saving_a_section_the_instrument_does_not_have_is_refused_by_name(assessment: Any, users: dict[str, Any]) -> None:
    with pytest.raises(KeyError, match="Z.9.9"):
        _save(assessment, users["assessor"], {"Z.9.9.1": "yes"}, section="Z.9.9")
    assert not Answer.objects.exists()


def test_a_control_character_in_a_comment_is_named_and_nothing_in_the_section_is_saved(assessment: Any, users: dict[str, Any]) -> None:
    result = _save(assessment, users["assessor"], {"B.4.1.1": "yes", "B.4.1.6": "no"}, comments={"B.4.1.6": "ok\x07"})
    assert result.errors == {"B.4.1.6": "B.4.1.6: remove the control character U+0007 at character 3 from the comment"}
    assert result.saved == [] and not Answer.objects.exists()
    # Every bad value is named, not only the first.
    assert _save(assessment, users["assessor"], {"B.4.1.1": "maybe", "B.4.1.6": "perhaps"}).errors == {
        "B.4.1.1": "B.4.1.1: choose one of the listed answers", "B.4.1.6": "B.4.1.6: choose one of the listed answers"}
    # Line breaks and tabs are fine in a comment.
    result = _save(assessment, users["assessor"], {"B.4.1.6": "no"}, comments={"B.4.1.6": "line one\r\nline\ttwo"})
    assert result.ok and Answer.objects.get().comment == "line one\r\nline\ttwo"


def test_a_comment_is_trimmed_cut_at_5000_characters_and_audited_on_its_own(assessment: Any, users: dict[str, Any]) -> None:
    a = users["assessor"]
    # A comment alone, no answer: it is saved, with no answer event.
    assert _save(assessment, a, {}, comments={"B.4.1.6": "  Contact was weekly.  "}, stamp=1).saved == ["B.4.1.6"]
    row = Answer.objects.get()
    assert (row.value, row.comment, row.version, row.scoring) == (None, "Contact was weekly.", 1, "")
    ev = AuditEvent.objects.get(action="comment")
    assert (ev.entity, ev.entity_id, ev.inspection_id, ev.case_id) == (
        "assessment", str(assessment.pk), assessment.case.inspection_id, assessment.case_id)
    assert _events("answer") == [] and _events("comment") == [("B.4.1.6", None, "Contact was weekly.", "assessor")]
    # The answer changes, the comment does not: one answer event.
    assert _save(assessment, a, {"B.4.1.6": "no"}, comments={"B.4.1.6": "Contact was weekly."}, versions={"B.4.1.6": 1}, stamp=2).ok
    assert _events("answer") == [("B.4.1.6", None, "no", "assessor")]
    # Only the comment changes (cleared): one comment event with the old text.
    assert _save(assessment, a, {"B.4.1.6": "no"}, comments={"B.4.1.6": ""}, versions={"B.4.1.6": 2}, stamp=3).ok
    assert _events("answer") == [("B.4.1.6", None, "no", "assessor")]
    assert _events("comment")[1:] == [("B.4.1.6", "Contact was weekly.", None, "assessor")]
    # Both change at once: both are audited.
    assert _save(assessment, a, {"B.4.1.6": "yes"}, comments={"B.4.1.6": "Weekly."}, versions={"B.4.1.6": 3}, stamp=4).ok
    assert _events("answer")[1:] == [("B.4.1.6", "no", "yes", "assessor")]
    assert _events("comment")[2:] == [("B.4.1.6", None, "Weekly.", "assessor")]
    long = "a" * 6000
    assert _save(assessment, a, {"B.4.1.6": "no"}, comments={"B.4.1.6": long}, versions={"B.4.1.6": 4}, stamp=5).ok
    assert Answer.objects.get().comment == "a" * 5000


def test_an_unchanged_save_writes_nothing_and_a_change_bumps_only_its_own_version(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments.models import Assessment

    a = users["assessor"]
    # A question left unanswered, with no answer stored, writes nothing.
    assert _save(assessment, a, {"A.1.1.4": None}, section="A.1.1").saved == [] and not Answer.objects.exists()
    untouched = Assessment.objects.get(pk=assessment.pk).updated_at
    assert _save(assessment, a, {"A.1.1.4": "yes"}, section="A.1.1").versions == {"A.1.1.4": 1}
    assert Assessment.objects.get(pk=assessment.pk).updated_at > untouched
    first = _save(assessment, a, {"B.4.1.1": "yes", "B.4.1.6": "no"})
    # Only the section's own answers, not A.1.1.4.
    assert first.saved == ["B.4.1.1", "B.4.1.6"] and first.versions == {"B.4.1.1": 1, "B.4.1.6": 1}
    touched = Assessment.objects.get(pk=assessment.pk).updated_at
    same = _save(assessment, a, {"B.4.1.1": "yes", "B.4.1.6": "no"}, versions={"B.4.1.1": 1, "B.4.1.6": 1})
    assert same.saved == [] and same.versions == {"B.4.1.1": 1, "B.4.1.6": 1}
    assert Assessment.objects.get(pk=assessment.pk).updated_at == touched
    assert len(_events("answer")) == 3
    changed = _save(assessment, a, {"B.4.1.1": "no", "B.4.1.6": "no"}, versions={"B.4.1.1": 1, "B.4.1.6": 1})
    assert changed.saved == ["B.4.1.1"] and changed.versions == {"B.4.1.1": 2, "B.4.1.6": 1}
    assert Assessment.objects.get(pk=assessment.pk).updated_at > touched
    assert dict(Answer.objects.values_list("question_id", "version")) == {"A.1.1.4": 1, "B.4.1.1": 2, "B.4.1.6": 1}
    # An unchanged answer before a changed one does not stop the changed one.
    after = _save(assessment, a, {"B.4.1.1": "no", "B.4.1.6": "yes"}, versions={"B.4.1.1": 2, "B.4.1.6": 1})
    assert after.saved == ["B.4.1.6"] and after.versions == {"B.4.1.1": 2, "B.4.1.6": 2}


def test_a_save_stores_the_edit_time_and_the_tab_and_keeps_a_returned_assessment_returned(assessment: Any, users: dict[str, Any]) -> None:
    import time

    from caseassess.assessments.models import Assessment, Status

    a = users["assessor"]
    assert _save(assessment, a, {"B.4.1.1": "yes"}, stamp=1_234, tab="t" * 50).ok
    row = Answer.objects.get()
    assert (row.client_stamp, row.client_tab, row.updated_by) == (1_234, "t" * 40, a)
    before = int(time.time() * 1000)
    assert _save(assessment, a, {"B.4.1.1": "no"}, versions={"B.4.1.1": 1}).ok  # no stamp: the server's time
    row.refresh_from_db()
    assert before - 1000 <= row.client_stamp <= int(time.time() * 1000) + 1000
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.RETURNED)
    assessment.refresh_from_db()
    assert _save(assessment, a, {"B.4.1.6": "no"}).ok
    assert Assessment.objects.get(pk=assessment.pk).status == Status.RETURNED


def test_a_conflict_names_who_saved_the_other_version(assessment: Any, users: dict[str, Any]) -> None:
    a, lead = users["assessor"], users["lead"]
    assert _save(assessment, a, {"B.4.1.1": "yes"}, stamp=1_000, tab="tab-a").ok
    saved_at = Answer.objects.get().updated_at
    # The same person from another tab, from no known tab, and someone else.
    for tab in ("tab-b", ""):
        other = _save(assessment, a, {"B.4.1.1": "no"}, stamp=2_000, tab=tab)
        assert [(c.question_id, c.mine, c.theirs, c.theirs_by, c.theirs_at) for c in other.conflicts] == [
            ("B.4.1.1", "no", "yes", "you, in another tab or on another device", saved_at)], tab
    assert _save(assessment, lead, {"B.4.1.1": "no"}, stamp=2_000).conflicts[0].theirs_by == "assessor"
    a.first_name, a.last_name = "Ann", "Assessor"
    a.save()
    assert _save(assessment, lead, {"B.4.1.1": "no"}, stamp=2_000).conflicts[0].theirs_by == "Ann Assessor"
    assert _save(assessment, a, {"B.4.1.1": "no"}, stamp=2_000, tab="tab-b").conflicts[0].theirs_by == "you, in another tab or on another device"
    # A stamp equal to the stored one is not older: still a conflict, never silently dropped.
    same_time = _save(assessment, a, {"B.4.1.1": "no"}, stamp=1_000, tab="tab-b")
    assert (len(same_time.conflicts), same_time.ignored_stale, same_time.ok) == (1, [], False)
    # An out-of-order autosave of one answer does not hold back a new answer after it.
    late = _save(assessment, a, {"B.4.1.1": "no", "B.4.1.6": "na"}, stamp=500, tab="tab-b")
    assert (late.ignored_stale, late.saved, late.conflicts) == (["B.4.1.1"], ["B.4.1.6"], [])
    Answer.objects.filter(question_id="B.4.1.6").delete()
    Answer.objects.update(updated_by=None)
    assert _save(assessment, a, {"B.4.1.1": "no"}, stamp=2_000).conflicts[0].theirs_by == "someone else"
    assert Answer.objects.get().value == "yes"
    Answer.objects.update(updated_by=a)
    # A conflict on one answer saves none of the section, not even a new answer beside it.
    both = _save(assessment, users["assessor2"], {"B.4.1.1": "no", "B.4.1.6": "yes"}, stamp=2_000)
    assert [c.question_id for c in both.conflicts] == ["B.4.1.1"] and both.saved == []
    assert list(Answer.objects.values_list("question_id", flat=True)) == ["B.4.1.1"]
    # Every conflicting answer is listed, not only the first.
    Answer.objects.create(assessment=assessment, question_id="B.4.1.6", value="na", scoring="excluded", updated_by=lead)
    two = _save(assessment, users["assessor2"], {"B.4.1.1": "no", "B.4.1.6": "yes"}, stamp=2_000)
    assert [(c.question_id, c.theirs_by) for c in two.conflicts] == [("B.4.1.1", "Ann Assessor"), ("B.4.1.6", "lead")]
    Answer.objects.filter(question_id="B.4.1.6").delete()
    # A page that showed a version of an answer since deleted: someone else, at no known time.
    gone = _save(assessment, a, {"B.4.1.6": "yes"}, versions={"B.4.1.6": 3}, stamp=2_000)
    assert [(c.theirs, c.theirs_by, c.theirs_at) for c in gone.conflicts] == [(None, "someone else", None)]
    # The tab that saved it may follow its own save; a stamp of 0 is never "older".
    assert _save(assessment, a, {"B.4.1.1": "no"}, stamp=0, tab="tab-a").saved == ["B.4.1.1"]
    assert Answer.objects.get().version == 2
    # Two pages of no known tab are not the same tab.
    Answer.objects.update(client_tab="")
    later = Answer.objects.get().client_stamp + 1
    assert len(_save(assessment, a, {"B.4.1.1": "yes"}, stamp=later, tab="").conflicts) == 1


def test_a_save_rescores_every_other_answer_of_the_assessment(assessment: Any, users: dict[str, Any]) -> None:
    a = users["assessor"]
    assert _save(assessment, a, {"A.1.1.4": "yes"}, section="A.1.1").ok
    Answer.objects.filter(question_id="A.1.1.4").update(scoring="")  # a class gone stale
    assert _save(assessment, a, {"B.4.1.1": "no"}).ok
    assert dict(Answer.objects.values_list("question_id", "scoring")) == {"A.1.1.4": "sufficient", "B.4.1.1": "insufficient"}


def test_an_answer_to_a_question_the_instrument_no_longer_has_is_kept_and_the_rest_rescored(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services

    # A.0.0.0 comes first whichever way the rows are read (by id or by question id).
    Answer.objects.create(assessment=assessment, question_id="A.0.0.0", value="yes", scoring="sufficient")
    assert _save(assessment, users["assessor"], {"A.1.1.4": "yes"}, section="A.1.1").ok
    assert dict(Answer.objects.values_list("question_id", "scoring")) == {"A.0.0.0": "sufficient", "A.1.1.4": "sufficient"}
    res = services.case_details_save(case=assessment.case, actor=users["assessor"], values={"report_type": "oral"}, base_version=0)
    assert res.ok
    assert dict(Answer.objects.values_list("question_id", "scoring")) == {"A.0.0.0": "sufficient", "A.1.1.4": "excluded"}


def test_submitted_and_closed_assessments_refuse_writes_with_the_reason(assessment: Any, users: dict[str, Any]) -> None:
    from django.utils import timezone

    from caseassess.assessments import services
    from caseassess.assessments.models import Assessment, Status
    from caseassess.inspections.models import Inspection

    a = users["assessor"]
    # Another inspection being closed changes nothing for this one.
    other = Inspection.objects.create(programme=assessment.case.inspection.programme, name="IAOW Closed", area=assessment.case.inspection.area,
                                      topic="t", fieldwork_start=assessment.case.inspection.fieldwork_start,
                                      fieldwork_end=assessment.case.inspection.fieldwork_end, instrument=assessment.case.inspection.instrument,
                                      closed_at=timezone.now())
    assert other.closed and _save(assessment, a, {"B.4.1.1": "yes"}).saved == ["B.4.1.1"]
    Answer.objects.all().delete()
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    with pytest.raises(services.NotEditable, match="^This assessment is submitted and cannot be changed$"):
        _save(assessment, a, {"B.4.1.1": "yes"})
    with pytest.raises(services.NotEditable, match="^This assessment cannot be changed$"):
        services.assessment_explain(assessment=assessment, actor=a, explanations={})
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.IN_PROGRESS)
    Inspection.objects.filter(pk=assessment.case.inspection_id).update(closed_at=timezone.now())
    closed = "^This inspection is closed: its assessments can no longer be changed$"
    with pytest.raises(services.NotEditable, match=closed):
        _save(assessment, a, {"B.4.1.1": "yes"})
    with pytest.raises(services.NotEditable, match=closed):
        services.assessment_explain(assessment=assessment, actor=a, explanations={})
    with pytest.raises(services.NotEditable, match=closed):
        services.case_details_save(case=assessment.case, actor=a, values={"gender": "male"}, base_version=0)
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    with pytest.raises(services.NotEditable, match=closed):
        services.assessment_return(assessment=assessment, actor=users["lead"], reason="x")
    assert Assessment.objects.get(pk=assessment.pk).status == Status.SUBMITTED
    assert not Answer.objects.exists() and assessment.case.details.get("gender") is None


def test_case_details_keep_the_forms_own_errors_report_the_changes_and_conflicts(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services

    a, case = users["assessor"], assessment.case
    res = services.case_details_save(case=case, actor=a, values={"gender": "female", "ogrs_score": "abc", "rosh_at_start": "high"},
                                     base_version=0, errors={"ogrs_score": "Enter the OGRS 3 score as a number"})
    assert res.errors == {"ogrs_score": "Enter the OGRS 3 score as a number"} and not res.ok
    assert res.changed == ["rosh_at_start", "gender"] and res.version == 1
    assert Case.objects.get(pk=case.pk).details_updated_by == a
    # A stale version: nothing saved, their details and version returned.
    stale = services.case_details_save(case=case, actor=users["lead"], values={"gender": "male"}, base_version=0)
    assert (stale.conflict, stale.ok, stale.version, stale.changed) == (True, False, 1, [])
    assert stale.theirs == {"report_type": "standard_delivery", "sentence_type": "community_order", "rosh_at_start": "high", "gender": "female"}
    assert Case.objects.get(pk=case.pk).details["gender"] == "female"


def test_after_submission_only_a_lead_changes_case_details_and_the_answers_are_rescored(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services
    from caseassess.assessments.models import Assessment, Status

    assert _save(assessment, users["assessor"], {"A.1.1.4": "yes"}, section="A.1.1").ok
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    with pytest.raises(services.NotEditable, match="^The case details cannot be changed after the assessment is submitted$"):
        services.case_details_save(case=assessment.case, actor=users["assessor"], values={"report_type": "oral"}, base_version=0)
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SIGNED_OFF)
    with pytest.raises(services.NotEditable, match="^The case details cannot be changed after the assessment is submitted$"):
        services.case_details_save(case=assessment.case, actor=users["assessor"], values={"report_type": "oral"}, base_version=0)
    res = services.case_details_save(case=assessment.case, actor=users["lead"], values={"report_type": "oral"}, base_version=0)
    assert res.ok and res.changed == ["report_type"] and res.version == 1
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "excluded"
    assert _events("case_detail") == [("report_type", "standard_delivery", "oral", "lead")]
    ev = AuditEvent.objects.get(action="case_detail")
    assert (ev.entity, ev.entity_id, ev.inspection_id, ev.case_id) == ("case", str(assessment.case_id), assessment.case.inspection_id, assessment.case_id)


def test_a_detail_change_on_a_case_not_counted_leaves_the_findings_count_state_alone(
    assessment: Any, other_case: Any, users: dict[str, Any]
) -> None:
    """Only a case that counts in the findings (a counted assessment submitted or signed off)
    goes through the findings count table: an edit to any other case never takes the
    inspection's count-state lock nor rewrites it."""
    from caseassess.assessments import services
    from caseassess.assessments.models import Assessment, Status
    from caseassess.reporting.models import FindingsCountState
    from caseassess.reporting.selectors import answer_counts

    insp = assessment.case.inspection
    other_case.assessments.update(status=Status.SUBMITTED)  # another case of the inspection counts
    # A second, blind assessment of this case, submitted but not counted.
    Assessment.objects.create(case=assessment.case, assessor=users["assessor2"], counts=False, status=Status.SUBMITTED)
    answer_counts(inspections=[insp], by=None)  # builds the table and its state
    state = FindingsCountState.objects.get(inspection_id=insp.pk)
    before = (state.state, state.updated_at)
    res = services.case_details_save(case=assessment.case, actor=users["lead"], values={"gender": "male"}, base_version=0)
    assert res.ok and res.changed == ["gender"]
    state.refresh_from_db()
    assert (state.state, state.updated_at) == before


def test_submission_blockers_count_empty_details_and_blank_explanations(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services
    from caseassess.assessments.models import Assessment

    a = users["assessor"]
    assert [f.id for f in services.required_details(services._instrument(assessment))] == ["sentence_type", "rosh_at_start", "gender"]
    Case.objects.filter(pk=assessment.case_id).update(details={"report_type": "standard_delivery", "sentence_type": [], "rosh_at_start": "", "gender": "male"})
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert _save(assessment, a, {"A.1.1.4": "yes"}, section="A.1.1").ok
    assert _save(assessment, a, {"D.2.2.8": "yes"}, section="D.2.2").ok
    blockers = services.assessment_blockers(assessment=assessment)
    assert blockers.incomplete_sections == ["case details", "B.4.1"]
    assert blockers.missing_details == ["sentence_type", "rosh_at_start"]
    assert blockers.first_unanswered == {"B.4.1": "B.4.1.1"}
    assert blockers.unexplained_warnings == ["CR01"] and blockers.any
    # A blank explanation is no explanation: nothing stored, nothing audited.
    assert services.assessment_explain(assessment=assessment, actor=a, explanations={"CR01": "   "}) == []
    assert assessment.explanations == {} and not AuditEvent.objects.filter(action="explain_warning").exists()
    assert services.assessment_blockers(assessment=assessment).unexplained_warnings == ["CR01"]


def test_explanations_are_kept_only_for_raised_warnings_trimmed_cut_and_audited_once(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services

    a = users["assessor"]
    assert _save(assessment, a, {"D.2.2.8": "yes"}, section="D.2.2").ok
    ignored = services.assessment_explain(assessment=assessment, actor=a, explanations={"CR01": "  Seen weekly.  ", "CR99": "invented"})
    assert ignored == ["CR99"] and assessment.explanations == {"CR01": "Seen weekly."}
    assert services.assessment_explain(assessment=assessment, actor=a, explanations={"CR01": "Seen weekly."}) == []
    assert _events("explain_warning") == [("CR01", None, "Seen weekly.", "assessor")]
    services.assessment_explain(assessment=assessment, actor=a, explanations={"CR01": "b" * 2500})
    assert assessment.explanations == {"CR01": "b" * 2000}
    ev = AuditEvent.objects.filter(action="explain_warning").order_by("id").last()
    assert (ev.entity, ev.entity_id, ev.inspection_id, ev.case_id, ev.old) == (
        "assessment", str(assessment.pk), assessment.case.inspection_id, assessment.case_id, "Seen weekly.")


def _complete(assessment: Any, user: Any) -> None:
    from caseassess.assessments import services

    case = assessment.case
    assert services.case_details_save(case=case, actor=user, values={"rosh_at_start": "high", "gender": "female"}, base_version=case.details_version).ok
    assert _save(assessment, user, {"A.1.1.4": "yes"}, section="A.1.1").ok
    assert _save(assessment, user, {"B.4.1.1": "yes", "B.4.1.6": "yes"}).ok
    assert _save(assessment, user, {"D.2.2.8": "yes"}, section="D.2.2").ok


def test_submit_return_and_sign_off_record_who_when_and_why(assessment: Any, users: dict[str, Any]) -> None:
    from django.utils import timezone

    from caseassess.assessments import services
    from caseassess.assessments.models import Status

    a, lead = users["assessor"], users["lead"]
    with pytest.raises(services.NotEditable, match="^This assessment is not started$"):
        services.assessment_return(assessment=assessment, actor=lead, reason="Too early")
    _complete(assessment, a)
    start = timezone.now()
    assert not services.assessment_submit(assessment=assessment, actor=a).any
    assert assessment.status == Status.SUBMITTED and assessment.submitted_at >= start
    services.assessment_return(assessment=assessment, actor=lead, reason="  Say more about the RoH analysis.  " + "x" * 2100)
    assert assessment.status == Status.RETURNED
    assert assessment.return_reason == "Say more about the RoH analysis.  " + "x" * (2000 - 34)
    with pytest.raises(services.NotEditable, match="^This assessment is returned for changes$"):
        services.assessment_sign_off(assessment=assessment, actor=lead)
    assert not services.assessment_submit(assessment=assessment, actor=a).any
    services.assessment_sign_off(assessment=assessment, actor=lead)
    assert (assessment.status, assessment.signed_off_by) == (Status.SIGNED_OFF, lead) and assessment.signed_off_at >= start
    status = list(AuditEvent.objects.filter(field="status").order_by("id").values_list(
        "action", "old", "new", "actor__username", "entity", "entity_id", "inspection_id", "case_id"))
    ids = ("assessment", str(assessment.pk), assessment.case.inspection_id, assessment.case_id)
    assert status == [
        ("status:submitted", "in_progress", "submitted", "assessor", *ids),
        ("status:returned", "submitted", "returned", "lead", *ids),
        ("status:submitted", "returned", "submitted", "assessor", *ids),
        ("status:signed_off", "submitted", "signed_off", "lead", *ids),
    ]


def test_a_complete_assessment_not_yet_marked_started_can_be_submitted(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services
    from caseassess.assessments.models import Assessment, Status

    _complete(assessment, users["assessor"])
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.NOT_STARTED)  # e.g. answers brought by an import
    assessment.refresh_from_db()
    assert not services.assessment_submit(assessment=assessment, actor=users["assessor"]).any
    assert Assessment.objects.get(pk=assessment.pk).status == Status.SUBMITTED


def test_sign_off_of_an_incomplete_assessment_is_refused_with_its_blockers(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services
    from caseassess.assessments.models import Assessment, Status

    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    with pytest.raises(services.SignOffRefused, match="^This assessment cannot be signed off until it is complete and every warning is explained$") as refused:
        services.assessment_sign_off(assessment=assessment, actor=users["lead"])
    assert refused.value.blockers.incomplete_sections == ["case details", "A.1.1", "B.4.1", "D.2.2"]
    assert Assessment.objects.get(pk=assessment.pk).status == Status.SUBMITTED


@pytest.fixture
def rules_assessment(tmp_path: Path, inspection: Any, users: dict[str, Any]) -> Any:
    """The mini instrument with two more rules and a question that applies on an answer:
    D.2.2.10 is asked only when contact (D.2.2.8) was not sufficient; CR02 reads A.1.1.3,
    asked only for oral reports; CR03 reads D.2.2.10; CR04 reads the report type."""
    import shutil

    from caseassess.inspections.models import Inspection
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load

    src = Path(__file__).resolve().parent.parent / "fixtures" / "mini-instrument"
    shutil.copy(src / "views.yaml", tmp_path / "views.yaml")
    text = (src / "instrument.yaml").read_text().replace("id: mini-2013", "id: mini-rules-2013")
    text += """  - id: CR02
    when: "answer('A.1.1.3') == 'no'"
    expect: "answer('B.4.1.1') == 'yes'"
    message: "An oral report with no written copy (A.1.1.3) usually lacks a timely RoSH screening (B.4.1.1)"
    questions: [A.1.1.3, B.4.1.1]
  - id: CR03
    when: "answer('D.2.2.10') == 'no'"
    expect: "answer('B.4.1.6') == 'yes'"
    message: "Contact not increased (D.2.2.10) usually follows a sufficient RoH analysis (B.4.1.6)"
    questions: [D.2.2.10, B.4.1.6]
  - id: CR04
    when: "case.report_type == 'oral'"
    expect: "answer('A.1.1.3') == 'yes'"
    message: "An oral report (case details) should have a written copy (A.1.1.3)"
    questions: [A.1.1.3]
"""
    (tmp_path / "instrument.yaml").write_text(text)
    views = (tmp_path / "views.yaml").read_text()
    (tmp_path / "views.yaml").write_text(views + """          - id: D.2.2.10
            criterion: 2.2.e.2
            text: Was contact increased when it was not sufficient?
            options: yes_no
            applies_when: "answer('D.2.2.8') == 'no'"
""")
    version = instrument_load(path=tmp_path).version
    inspection.programme.instruments.add(version)
    Inspection.objects.filter(pk=inspection.pk).update(instrument=version)
    inspection.refresh_from_db()
    case = case_add(inspection=inspection, actor=users["lead"], case_ref="TST-0042", assessor=users["assessor"],
                    details={"report_type": "oral", "sentence_type": "community_order", "rosh_at_start": "low", "gender": "male"})
    return case.assessments.get()


def test_warnings_and_blockers_follow_applicability_from_case_details_and_answers(rules_assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services

    a, assessment = users["assessor"], rules_assessment
    assert _save(assessment, a, {"A.1.1.3": "no"}, section="A.1.1").ok  # asked: the report was oral
    assert _save(assessment, a, {"D.2.2.8": "no"}, section="D.2.2").ok  # so D.2.2.10 is asked
    blockers = services.assessment_blockers(assessment=assessment)
    assert blockers.incomplete_sections == ["B.4.1", "D.2.2"] and blockers.first_unanswered == {"B.4.1": "B.4.1.1", "D.2.2": "D.2.2.10"}
    assert blockers.unexplained_warnings == ["CR02", "CR04"]
    assert _save(assessment, a, {"D.2.2.10": "no"}, section="D.2.2").ok
    assert Answer.objects.get(question_id="D.2.2.10").scoring == "insufficient"
    assert services.assessment_blockers(assessment=assessment).unexplained_warnings == ["CR02", "CR03", "CR04"]
    ignored = services.assessment_explain(assessment=assessment, actor=a, explanations={
        "CR01": "not raised", "CR02": "The court kept the written copy.", "CR03": "Contact was already weekly.",
        "CR04": "The copy is on the court file."})
    assert ignored == ["CR01"]
    assert assessment.explanations == {"CR02": "The court kept the written copy.", "CR03": "Contact was already weekly.",
                                       "CR04": "The copy is on the court file."}
    # Contact sufficient after all: D.2.2.10 is no longer asked, its answer leaves the findings and CR03 goes.
    assert _save(assessment, a, {"D.2.2.8": "yes"}, section="D.2.2", versions={"D.2.2.8": 1}).ok
    assert Answer.objects.get(question_id="D.2.2.10").scoring == "excluded"
    blockers = services.assessment_blockers(assessment=assessment)
    assert blockers.incomplete_sections == ["B.4.1"] and blockers.unexplained_warnings == ["CR01"]
    assert services.assessment_explain(assessment=assessment, actor=a, explanations={"CR03": "stale"}) == ["CR03"]


def test_saves_from_no_known_tab_are_never_taken_for_the_same_tab(assessment: Any, users: dict[str, Any]) -> None:
    """A caller that names no tab (an import, the API, an old page) is no tab at all: its stale
    version is a conflict even for the same person, never written over their other save."""
    from caseassess.assessments import services

    def save(value: str, stamp: int) -> Any:
        return services.assessment_save_section(assessment=assessment, actor=users["assessor"], section_id="B.4.1",
                                                values={"B.4.1.1": value}, comments={}, base_versions={}, client_stamp=stamp)

    assert save("yes", 1_000).saved == ["B.4.1.1"]
    assert Answer.objects.get().client_tab == ""
    assert [c.theirs_by for c in save("no", 2_000).conflicts] == ["you, in another tab or on another device"]
    assert Answer.objects.get().value == "yes"
