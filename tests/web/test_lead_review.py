"""The lead inspector's review page: answers, warnings with explanations, decision-aid
disagreements, then Sign off (refused with the reason when incomplete or unexplained,
with a confirmation step) or Return (a reason is required: error summary, not a banner)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseassess.assessments import services
from caseassess.assessments.models import Answer, Status
from tests.web.conftest import client_for
from tests.web.test_assessment_workflow import save

pytestmark = pytest.mark.django_db

EXPLANATION = "Contact was right although the analysis missed the victim."


@pytest.fixture
def submitted(assessment: Any, users: dict[str, Any]) -> Any:
    a = users["assessor"]
    save(assessment, a, "A.1.1", {"A.1.1.4": "yes"})
    save(assessment, a, "B.4.1", {"B.4.1.1": "yes", "B.4.1.6": "no"})
    save(assessment, a, "D.2.2", {"D.2.2.8": "yes"})
    services.assessment_explain(assessment=assessment, actor=a, explanations={"CR01": EXPLANATION})
    assert not services.assessment_submit(assessment=assessment, actor=a).any
    return assessment


def url(a: Any) -> str:
    return reverse("assessments:review", args=[a.pk])


def test_the_review_page_shows_answers_warnings_with_explanations_and_the_decision_at_the_bottom(submitted: Any, users: dict[str, Any]) -> None:
    page = client_for(users["lead"]).get(url(submitted)).content.decode()
    assert "Review case TST-0001" in page
    assert "Sufficient contact (D.2.2.8) usually follows a sufficient RoH analysis (B.4.1.6)" in page
    assert EXPLANATION in page
    assert "Where the answers differ from the decision aids" in page
    assert "B.4.1.1" in page and "A.1.1 " in page  # the answers, by section
    answers, decision = page.index('<h2 class="govuk-heading-m">Answers</h2>'), page.index('id="decision"')
    assert answers < decision < page.index('value="sign_off"') < page.index('value="return"')
    assert "CR01" not in page.replace('"explain-CR01"', "")  # the rule's words, not its id


def test_the_task_list_links_the_lead_to_the_review_instead_of_signing_off_in_place(submitted: Any, users: dict[str, Any]) -> None:
    page = client_for(users["lead"]).get(reverse("assessments:task_list", args=[submitted.pk])).content.decode()
    assert url(submitted) in page and 'value="sign_off"' not in page


def test_sign_off_asks_for_confirmation_first(submitted: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    r = c.post(url(submitted), {"action": "sign_off"})
    assert r.status_code == 200 and "Sign off case TST-0001?" in r.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    r = c.post(url(submitted), {"action": "confirm_sign_off"})
    assert r.status_code == 302 and r["Location"].endswith(f"#case-{submitted.pk}")
    submitted.refresh_from_db()
    assert submitted.status == Status.SIGNED_OFF and submitted.signed_off_by == users["lead"]


def test_sign_off_of_an_incomplete_assessment_is_refused_with_the_reason(submitted: Any, users: dict[str, Any]) -> None:
    # An answer removed after submission (e.g. by an import): the section is incomplete again.
    Answer.objects.filter(assessment=submitted, question_id="A.1.1.4").delete()
    c = client_for(users["lead"])
    for action in ("sign_off", "confirm_sign_off"):
        r = c.post(url(submitted), {"action": action})
        page = r.content.decode()
        assert r.status_code == 400
        assert "govuk-error-summary" in page and "You cannot sign off this assessment yet: section A.1.1 is not complete" in page
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    with pytest.raises(services.SignOffRefused):
        services.assessment_sign_off(assessment=submitted, actor=users["lead"])


def test_sign_off_with_an_unexplained_warning_is_refused_with_the_reason(submitted: Any, users: dict[str, Any]) -> None:
    type(submitted).objects.filter(pk=submitted.pk).update(explanations={})
    r = client_for(users["lead"]).post(url(submitted), {"action": "confirm_sign_off"})
    assert r.status_code == 400
    assert "the warning on D.2.2.8 and B.4.1.6 is not explained" in r.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_return_needs_a_reason_shown_in_an_error_summary(submitted: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    r = c.post(url(submitted), {"action": "return", "reason": "  "})
    page = r.content.decode()
    assert r.status_code == 400
    assert '<a href="#reason">Enter what needs to change before returning the assessment</a>' in page
    assert "govuk-notification-banner" not in page and 'id="reason-error"' in page
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    r = c.post(url(submitted), {"action": "return", "reason": "Check B.4.1.6 against the OASys record"})
    assert r.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED and submitted.return_reason == "Check B.4.1.6 against the OASys record"


def test_only_a_lead_of_the_inspection_reviews(submitted: Any, users: dict[str, Any]) -> None:
    assert client_for(users["assessor"]).get(url(submitted)).status_code == 404
    assert client_for(users["assessor"]).post(url(submitted), {"action": "confirm_sign_off"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
