"""The lead's pages in Chromium: bulk allocation by keyboard alone, the warning before
reallocating work, back at the row; the review and sign-off without JavaScript; the tiering
grid. Each page: 0 axe violations and no horizontal scroll at 320 px."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from tests.browser.conftest import check_page
from tests.browser.test_walkthrough import sign_in
from tests.web.conftest import add_members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inspection(users: dict[str, Any]) -> Any:
    from caseassess.assessments import services
    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(
        programme=Programme.objects.create(name="IAOW 2013–2017"), name="IAOW Leadshire", area=Area.objects.create(name="Leadshire Probation Trust"),
        topic="", fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=version,
    )
    add_members(insp, users, assessor="assessor", assessor2="assessor", lead="lead_inspector")
    users["assessor"].first_name, users["assessor"].last_name = "Asha", "Patel"
    users["assessor"].save()
    for i in range(1, 5):
        case_add(inspection=insp, actor=users["lead"], case_ref=f"LDS-000{i}", assessor=users["assessor"] if i == 1 else None)
    first = insp.cases.get(case_ref="LDS-0001").assessments.get()
    saved = services.assessment_save_section(assessment=first, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.2": "yes"},
                                             comments={}, base_versions={}, client_stamp=0)
    assert saved.ok and saved.saved == ["B.4.1.2"]
    return insp


def test_the_lead_allocates_ticked_cases_by_keyboard_and_is_warned_about_work_done(live_server: Any, page: Any, inspection: Any) -> None:
    from caseassess.assessments.models import Assessment

    base = live_server.url
    sign_in(page, base, "lead")
    page.goto(f"{base}/inspections/{inspection.pk}/")
    check_page(page, "20-inspection-bulk-allocation")
    ids = {a.case.case_ref: a.pk for a in Assessment.objects.filter(case__inspection=inspection).select_related("case")}
    # Keyboard only: focus each tick box and press Space; choose the assessor; press Enter on the button.
    for ref in ("LDS-0001", "LDS-0003"):
        page.focus(f"#tick-{ids[ref]}")
        page.keyboard.press("Space")
    page.focus("#bulk_assessor")
    page.keyboard.press("ArrowDown")  # from "Nobody" past Asha Patel (LDS-0001's assessor) to the next
    page.keyboard.press("ArrowDown")
    chosen = page.eval_on_selector("#bulk_assessor", "s => s.value")
    page.get_by_role("button", name="Allocate ticked cases").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.locator("main").inner_text()
    assert "Work has already been done" in main and "answer by Asha Patel" in main
    check_page(page, "21-reallocate-warning")
    page.get_by_role("button", name="Yes, reallocate").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"#case-{ids['LDS-0001']}")
    assert "allocated to" in page.locator(".govuk-notification-banner").inner_text()
    # The page is back at the row: it is in view.
    assert page.evaluate(f"(() => {{ const r = document.getElementById('case-{ids['LDS-0001']}').getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }})()")
    got = dict(Assessment.objects.filter(case__inspection=inspection).values_list("case__case_ref", "assessor__username"))
    assert got == {"LDS-0001": chosen, "LDS-0002": None, "LDS-0003": chosen, "LDS-0004": None}


def test_the_review_and_sign_off_work_without_javascript(live_server: Any, browser: Any, inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments.models import Assessment, Status

    a = Assessment.objects.get(case__case_ref="LDS-0001")
    Assessment.objects.filter(pk=a.pk).update(status=Status.SUBMITTED)  # submitted with an incomplete section
    context = browser.new_context(viewport={"width": 1024, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "lead")
        page.goto(f"{live_server.url}/assessments/{a.pk}/review/")
        page.get_by_role("button", name="Return to the assessor").click()
        assert "Enter what needs to change" in page.locator(".govuk-error-summary").inner_text()
        page.get_by_role("button", name="Sign off").click()
        assert "You cannot sign off this assessment yet: the case details are not complete" in page.locator(".govuk-error-summary").inner_text()
        a.refresh_from_db()
        assert a.status == Status.SUBMITTED
        page.fill("#reason", "Complete the case details and A.1.1")
        page.get_by_role("button", name="Return to the assessor").click()
        assert "returned to Asha Patel" in page.locator(".govuk-notification-banner").inner_text()
        a.refresh_from_db()
        assert a.status == Status.RETURNED
    finally:
        context.close()


def test_the_review_page_and_the_tiering_grid_are_accessible(live_server: Any, page: Any, inspection: Any) -> None:
    from caseassess.assessments.models import Assessment, Status

    a = Assessment.objects.get(case__case_ref="LDS-0001")
    Assessment.objects.filter(pk=a.pk).update(status=Status.SUBMITTED)
    sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/assessments/{a.pk}/review/")
    page.get_by_role("button", name="Sign off").click()
    check_page(page, "22-review-refused")
    page.goto(f"{live_server.url}/instruments/iaow-2013-10/tables/tiering_grid/")
    assert page.locator("table th").first.inner_text() == "Question"
    check_page(page, "23-tiering-grid")


def test_the_links_to_unanswered_details_inside_a_task_list_row_can_be_clicked(live_server: Any, page: Any, inspection: Any) -> None:
    """The GOV.UK task list lays its row link over the whole row; the hint's own links must
    still take the pointer (they were covered, so a click opened the row's page instead)."""
    a = inspection.cases.get(case_ref="LDS-0001").assessments.get()
    sign_in(page, live_server.url, "assessor")
    page.goto(f"{live_server.url}/assessments/{a.pk}/")
    page.locator(".govuk-task-list__hint a", has_text="Gender").click(timeout=5000)
    page.wait_for_url("**/case-details/#field-gender")
