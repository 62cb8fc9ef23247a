from __future__ import annotations

from typing import Any

import pytest

from caseassess.assessments import services
from caseassess.assessments.models import Answer, Status
from caseassess.audit.models import AccessLog, AuditEvent
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def save(assessment: Any, user: Any, section: str, values: dict[str, Any], versions: dict[str, int] | None = None, stamp: int = 0) -> services.SaveResult:
    return services.assessment_save_section(
        assessment=assessment, actor=user, section_id=section, values=values, comments={},
        base_versions=versions or {}, client_stamp=stamp,
    )


def test_it_saves_answers_with_their_scoring_class(assessment: Any, users: dict[str, Any]) -> None:
    result = save(assessment, users["assessor"], "B.4.1", {"B.4.1.1": "yes", "B.4.1.6": "na"})
    assert result.ok
    assert dict(Answer.objects.values_list("question_id", "scoring")) == {"B.4.1.1": "sufficient", "B.4.1.6": "excluded"}
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_PROGRESS


def test_it_refuses_an_out_of_range_answer_and_saves_nothing(assessment: Any, users: dict[str, Any]) -> None:
    result = save(assessment, users["assessor"], "B.4.1", {"B.4.1.1": "yes", "B.4.1.6": "maybe"})
    assert result.errors == {"B.4.1.6": "B.4.1.6: choose one of the listed answers"}
    assert not Answer.objects.exists()


def test_a_later_save_by_someone_else_is_a_conflict_showing_both_versions(assessment: Any, users: dict[str, Any]) -> None:
    assert save(assessment, users["assessor"], "B.4.1", {"B.4.1.1": "yes"}).ok
    # The lead opened the page before that save (version 0) and now saves "no".
    assessment.assessor = users["assessor"]
    result = save(assessment, users["lead"], "B.4.1", {"B.4.1.1": "no"}, versions={"B.4.1.1": 0})
    assert not result.ok
    assert [(c.question_id, c.mine, c.theirs) for c in result.conflicts] == [("B.4.1.1", "no", "yes")]
    assert Answer.objects.get().value == "yes"


def test_an_out_of_order_autosave_never_overwrites_a_newer_answer(assessment: Any, users: dict[str, Any]) -> None:
    # Two autosaves from the same page: "no" typed at t=2000 arrives first, "yes" typed at t=1000 arrives late.
    assert save(assessment, users["assessor"], "B.4.1", {"B.4.1.1": "no"}, versions={"B.4.1.1": 0}, stamp=2000).ok
    late = save(assessment, users["assessor"], "B.4.1", {"B.4.1.1": "yes"}, versions={"B.4.1.1": 0}, stamp=1000)
    assert late.ok and late.ignored_stale == ["B.4.1.1"]
    assert Answer.objects.get().value == "no"


def test_every_answer_change_is_audited_with_old_and_new_values(assessment: Any, users: dict[str, Any]) -> None:
    save(assessment, users["assessor"], "B.4.1", {"B.4.1.1": "yes"}, stamp=1)
    save(assessment, users["assessor"], "B.4.1", {"B.4.1.1": "no"}, versions={"B.4.1.1": 1}, stamp=2)
    events = list(AuditEvent.objects.filter(action="answer").order_by("id").values_list("field", "old", "new", "actor__username"))
    assert events == [("B.4.1.1", None, "yes", "assessor"), ("B.4.1.1", "yes", "no", "assessor")]


def test_audit_rows_cannot_be_altered(assessment: Any, users: dict[str, Any]) -> None:
    from django.db import DatabaseError, transaction

    from caseassess.audit.models import AppendOnlyError

    ev = AuditEvent.objects.first()
    assert ev is not None
    ev.new = "tampered"
    with pytest.raises(AppendOnlyError):
        ev.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().update(new="tampered")


def test_a_question_that_stops_applying_is_excluded_from_findings(assessment: Any, users: dict[str, Any]) -> None:
    assert save(assessment, users["assessor"], "A.1.1", {"A.1.1.4": "yes"}).ok
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "sufficient"
    res = services.case_details_save(case=assessment.case, actor=users["assessor"], values={"report_type": "oral"}, base_version=0)
    assert res.ok
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "excluded"


def test_submission_needs_every_section_and_explained_warnings(assessment: Any, users: dict[str, Any]) -> None:
    a = users["assessor"]
    blockers = services.assessment_submit(assessment=assessment, actor=a)
    assert blockers.incomplete_sections == ["case details", "A.1.1", "B.4.1", "D.2.2"]
    # The case details that decide the subgroup tables are needed before submission.
    assert blockers.missing_details == ["rosh_at_start", "gender"]
    assert blockers.first_unanswered == {"A.1.1": "A.1.1.4", "B.4.1": "B.4.1.1", "D.2.2": "D.2.2.8"}
    case = assessment.case
    assert services.case_details_save(case=case, actor=a, values={"rosh_at_start": "high", "gender": "female"}, base_version=case.details_version).ok
    save(assessment, a, "A.1.1", {"A.1.1.4": "yes"})
    save(assessment, a, "B.4.1", {"B.4.1.1": "yes", "B.4.1.6": "no"})
    save(assessment, a, "D.2.2", {"D.2.2.8": "yes"})
    blockers = services.assessment_submit(assessment=assessment, actor=a)
    assert blockers.incomplete_sections == [] and blockers.unexplained_warnings == ["CR01"]
    services.assessment_explain(assessment=assessment, actor=a, explanations={"CR01": "Contact was right although the analysis missed the victim."})
    assert not services.assessment_submit(assessment=assessment, actor=a).any
    assert assessment.status == Status.SUBMITTED
    services.assessment_sign_off(assessment=assessment, actor=users["lead"])
    assert assessment.status == Status.SIGNED_OFF
    with pytest.raises(services.NotEditable):
        save(assessment, a, "B.4.1", {"B.4.1.1": "no"}, versions={"B.4.1.1": 1})


def test_an_assessor_outside_the_inspection_gets_404_on_every_case_page(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["outsider"])
    for url in [
        f"/assessments/{assessment.pk}/", f"/assessments/{assessment.pk}/case-details/",
        f"/assessments/{assessment.pk}/sections/B.4.1/", f"/assessments/{assessment.pk}/check/",
        f"/cases/{assessment.case_id}/history/", f"/inspections/{assessment.case.inspection_id}/",
    ]:
        assert c.get(url).status_code == 404, url


def test_analysts_see_no_case_records(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    assert c.get(f"/assessments/{assessment.pk}/").status_code == 404
    assert c.get(f"/cases/{assessment.case_id}/history/").status_code == 404


def test_the_section_page_shows_quick_indicator_guidance_and_not_applicable_reason(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    html = c.get(f"/assessments/{assessment.pk}/sections/A.1.1/").content.decode()
    assert "This question is not assessed for oral reports." in html
    assert "Extended guidance for A.1.1.4" in html
    assert "Not applicable: Only asked for oral reports" in html
    assert AccessLog.objects.filter(kind="case_view", case_id=assessment.case_id).exists()


def test_posting_a_section_without_javascript_saves_and_continues(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    r = c.post(f"/assessments/{assessment.pk}/sections/B.4.1/", {"q-B.4.1.1": "yes", "q-B.4.1.1-present": "1", "q-B.4.1.6": "no", "q-B.4.1.6-present": "1", "action": "continue"})
    assert r.status_code == 302 and r["Location"].endswith("/sections/D.2.2/")
    assert Answer.objects.count() == 2


def test_the_lead_inspector_sees_progress_by_status_and_assessor(assessment: Any, users: dict[str, Any]) -> None:
    html = client_for(users["lead"]).get(f"/inspections/{assessment.case.inspection_id}/").content.decode()
    assert "By assessor" in html and "TST-0001" in html and "4 sections to complete" in html


def test_a_client_stamp_too_large_for_the_database_is_ignored_not_a_500(assessment: Any, users: dict[str, Any]) -> None:
    """Found by the fuzz test: 10^20 overflowed SQLite's 64-bit integer."""
    from tests.web.conftest import client_for

    r = client_for(users["assessor"]).post(f"/assessments/{assessment.pk}/sections/B.4.1/", {"q-B.4.1.1": "yes", "client_stamp": "99999999999999999999"})
    assert r.status_code in (200, 302)
    assert assessment.answers.get(question_id="B.4.1.1").value == "yes"
