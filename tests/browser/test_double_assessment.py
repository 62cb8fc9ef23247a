"""Double assessment in Chromium: the lead draws a sample and marks a case for double
assessment, the second assessor answers blind, the lead moderates. Every new page type
is screenshotted, checked with axe-core (0 violations) and checked to reflow at 320 px."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import check_page
from tests.browser.test_walkthrough import answer_unanswered
from tests.web.conftest import add_members, mini_version, verified_client_for  # noqa: F401 - shared fixture
from tests.web.test_sampling import caseload_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    """Start the browser in a session made by the test client's force_login (a user who has
    completed sign-in, two-factor step included); the sign-in pages have their own tests."""
    from django.conf import settings

    from caseassess.accounts.models import User

    client = verified_client_for(User.objects.get(username=username))
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}])


@pytest.fixture
def first(mini_version: Any, users: dict[str, Any]) -> Any:  # noqa: F811
    from caseassess.assessments.models import Answer, Assessment, Status
    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.inspections.services import case_add

    insp = Inspection.objects.create(
        programme=Programme.objects.create(name="IAOW 2013–2017"), name="IAOW Doubleshire", area=Area.objects.create(name="Doubleshire Probation Trust"),
        fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=mini_version,
    )
    add_members(insp, users, assessor="assessor", assessor2="assessor", lead="lead_inspector", analyst="analyst")
    details = {"report_type": "standard_delivery", "sentence_type": "community_order", "rosh_at_start": "high", "gender": "male", "design_weight": 2.0}
    a = case_add(inspection=insp, actor=users["lead"], case_ref="DBL-0001", assessor=users["assessor"], details=details).assessments.get()
    case_add(inspection=insp, actor=users["lead"], case_ref="DBL-0002", assessor=users["assessor"], details=details)
    scoring = {"yes": "sufficient", "no": "insufficient"}
    for qid, v in {"A.1.1.4": "yes", "B.4.1.1": "no", "B.4.1.6": "yes", "D.2.2.8": "yes"}.items():
        Answer.objects.create(assessment=a, question_id=qid, value=v, scoring=scoring[v], updated_by=users["assessor"])
    Assessment.objects.filter(pk=a.pk).update(status=Status.SUBMITTED, submitted_at=dt.datetime(2013, 11, 5, 12, tzinfo=dt.UTC))
    return a


def test_the_lead_marks_a_case_the_second_assessor_answers_blind_and_the_lead_moderates(live_server: Any, page: Any, first: Any, users: dict[str, Any], tmp_path: Any) -> None:
    from caseassess.sampling.models import DoubleAssessment

    base = live_server.url
    insp = first.case.inspection
    sign_in(page, base, "lead")

    # Sampling: upload a caseload, draw, see the sample beside the caseload.
    page.goto(f"{base}/sampling/inspections/{insp.pk}/")
    check_page(page, "da-01-sampling")
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_csv())
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Upload caseload").click()
    assert "Caseload uploaded: 120 cases" in page.locator(".govuk-notification-banner").inner_text()
    page.fill("#size", "30")
    page.fill("#min_high_rosh", "15")
    page.fill("#seed", "2013")
    page.get_by_role("button", name="Draw the sample").click()
    assert "All quotas met" in page.locator("#quota-messages").inner_text()
    check_page(page, "da-02-sample")
    page.goto(f"{base}/sampling/inspections/{insp.pk}/")
    page.fill("#size", "")
    page.get_by_role("button", name="Draw the sample").click()
    assert "Enter the sample size" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "da-03-sampling-error")

    # Double assessment: tick DBL-0001 for assessor2.
    page.goto(f"{base}/sampling/inspections/{insp.pk}/double/")
    page.select_option("#second_assessor", "assessor2")
    page.locator("#mode-ticked").check()
    page.get_by_label("DBL-0001").check()
    page.get_by_role("button", name="Mark for double assessment").click()
    assert "1 case marked for double assessment by assessor2: DBL-0001" in page.locator(".govuk-notification-banner").inner_text()
    check_page(page, "da-04-double")
    pair = DoubleAssessment.objects.get()

    # The second assessor answers blind.
    sign_in(page, base, "assessor2")
    assert page.goto(f"{base}/assessments/{first.pk}/").status == 404
    assert page.goto(f"{base}/assessments/{first.pk}/sections/B.4.1/").status == 404
    page.goto(f"{base}/")
    page.get_by_role("link", name="DBL-0001").first.click()
    assert page.url.endswith(f"/assessments/{pair.second_id}/")
    for sec in ("A.1.1", "B.4.1", "D.2.2"):
        page.goto(f"{base}/assessments/{pair.second_id}/sections/{sec}/")
        # Blind: nothing is pre-filled from the first assessment (which answered every one of these).
        assert page.locator("input[type=radio]:checked, input[type=checkbox]:checked").count() == 0, f"{sec}: answers pre-filled"
        assert page.locator("textarea").evaluate_all("els => els.map(e => e.value.trim()).join('')") == "", f"{sec}: text pre-filled"
        answer_unanswered(page, {"B.4.1.1": "yes", "D.2.2.8": "yes", "B.4.1.6": "yes", "A.1.1.4": "yes"})
        page.get_by_role("button", name="Save and return to task list").click()
    page.goto(f"{base}/assessments/{pair.second_id}/check/")
    page.get_by_role("button", name="Submit assessment").last.click()
    assert "Assessment submitted" in page.locator(".govuk-panel").inner_text()
    pair.second.refresh_from_db()
    assert pair.second.status == "submitted" and pair.second.counts is False

    # The lead moderates: the differing question comes first.
    sign_in(page, base, "lead")
    page.goto(f"{base}/sampling/inspections/{insp.pk}/double/")
    page.get_by_role("link", name="Moderate case DBL-0001").click()
    assert page.locator("#n-differ").inner_text() == "1"
    check_page(page, "da-05-moderate")
    page.get_by_role("button", name="Record the moderated assessment").click()
    assert "B.4.1.1: choose the agreed answer" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "da-06-moderate-error")
    page.locator('input[name="agreed-B.4.1.1"][value="no"]').check()
    page.fill("#reason-B\\.4\\.1\\.1", "The screening was 3 weeks late: not timely.")
    page.get_by_role("button", name="Record the moderated assessment").click()
    assert "only the moderated answers count" in page.locator(".govuk-notification-banner").inner_text()
    check_page(page, "da-07-moderated")
    pair.refresh_from_db()
    assert pair.moderated is not None and pair.moderated.counts and not pair.moderated.answers.filter(question_id="B.4.1.1", value="yes").exists()

    # Agreement, weighted findings and benchmark pages.
    page.goto(f"{base}/sampling/inspections/{insp.pk}/agreement/")
    assert "1 double-assessed case" in page.locator("main").inner_text()
    check_page(page, "da-08-agreement")
    page.goto(f"{base}/sampling/programmes/{insp.programme_id}/agreement/")
    check_page(page, "da-09-agreement-programme")
    page.goto(f"{base}/sampling/inspections/{insp.pk}/weighted/")
    assert "Weighted by design weights" in page.locator("main").inner_text()
    check_page(page, "da-10-weighted")
    page.goto(f"{base}/sampling/inspections/{insp.pk}/benchmark/")
    page.select_option("#reference", str(pair.moderated_id))
    page.get_by_role("button", name="Make it a benchmark case").click()
    page.select_option("#assessor", "assessor")  # already assessed this case: refused
    page.get_by_role("button", name="Give the case DBL-0001").click()
    assert "assessor already has an assessment of case DBL-0001" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "da-11-benchmark-error")
    insp.members.add(users["outsider"])
    page.goto(f"{base}/sampling/inspections/{insp.pk}/benchmark/")
    page.select_option("#assessor", "outsider")
    page.get_by_role("button", name="Give the case DBL-0001").click()
    assert "Benchmark case DBL-0001 given to outsider" in page.locator(".govuk-notification-banner").inner_text()
    check_page(page, "da-12-benchmark")
