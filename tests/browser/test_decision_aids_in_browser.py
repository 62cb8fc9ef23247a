"""Decision aids in Chromium: a lead inspector sets the area's local determination of the
tiering grid and the tier suggestion says so; a case's recorded dates give a timescale
suggestion beside C.2.1.3 with its due date. Every page is screenshotted, checked with
axe-core (0 violations) and checked to reflow at 320 px."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from tests.browser.conftest import check_page
from tests.browser.test_double_assessment import sign_in
from tests.web.conftest import add_members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AREA = "Localshire Probation Trust"


def _area(users: dict[str, Any]) -> Any:
    from caseassess.inspections.models import Area

    area = Area.objects.create(name=AREA)
    area.leads.add(users["lead"])
    return area


@pytest.fixture
def inspection(users: dict[str, Any]) -> Any:
    from caseassess.inspections.models import Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(
        programme=Programme.objects.create(name="IAOW 2013–2017"), name="IAOW Localshire", area=_area(users),
        fieldwork_start=dt.date(2014, 3, 3), fieldwork_end=dt.date(2014, 3, 7), instrument=version,
    )
    add_members(insp, users, assessor="assessor", lead="lead_inspector")
    case_add(inspection=insp, actor=users["lead"], case_ref="LOC-0001", assessor=users["assessor"], details={
        "sentence_type": "community_order", "requirements": ["supervision"], "rosh_at_start": "low", "ogp_score": 10,
        "interventions": ["did_liap"], "ppo": "no", "mappa_level": "none", "report_type": "standard_delivery",
    })
    case_add(inspection=insp, actor=users["lead"], case_ref="LOC-0002", assessor=users["assessor"], details={
        "sentence_type": "community_order", "requirements": ["supervision"], "rosh_at_start": "high",
        "report_type": "standard_delivery", "sentence_date": "2013-12-24", "supervision_start_date": "2013-12-24",
        "first_appointment_date": "2013-12-31", "sentence_plan_date": "2014-01-10",
        "contact_weeks_checked": 8, "contact_weeks_with_contact": 8,
    })
    return insp


def test_a_lead_sets_the_local_determination_of_a_tiering_row_and_the_tier_suggestion_says_so(
    live_server: Any, page: Any, inspection: Any
) -> None:
    from caseassess.inspections.models import Area

    base = live_server.url
    sign_in(page, base, "lead")
    page.goto(f"{base}/inspections/{inspection.pk}/")
    page.get_by_role("link", name=f"Local determination of tiering for {AREA}").click()
    assert page.locator("h1").inner_text() == "Local determination of tiering"
    assert page.locator("#row-did_liap").is_checked()  # the grid default
    check_page(page, "20-area-tiering")

    # A value that is not a tier (as a tampered form would send) is refused with an error summary.
    page.evaluate("document.querySelector('#row-did_liap-tier_4').value = 'tier_9'")
    page.locator("#row-did_liap-tier_4").check()
    page.get_by_role("button", name="Save local determination").click()
    summary = page.locator(".govuk-error-summary")
    assert "Select Tier 1, 2, 3 or 4, or the grid default, for DID or LIAP" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert Area.objects.get(name=AREA).tiering_local_determination == {}
    check_page(page, "21-area-tiering-error")

    page.get_by_label("Tier 4").first.check()  # the DID or LIAP row comes first
    page.get_by_role("button", name="Save local determination").click()
    assert f"Local determination for {AREA} saved" in page.locator(".govuk-notification-banner").inner_text()
    assert Area.objects.get(name=AREA).tiering_local_determination == {"did_liap": "tier_4"}
    assert "DID or LIAP: Tier 4" in page.locator(".govuk-summary-list").first.inner_text()

    a = inspection.cases.get(case_ref="LOC-0001").assessments.get()
    page.goto(f"{base}/assessments/{a.pk}/case-details/")
    tier = page.locator("#field-tier")
    assert "In this area DID or LIAP counts as Tier 4 (local determination)." in tier.inner_text()
    tier.get_by_text("Why (Indicative tier").click()
    assert "→ Tier 4 column (local determination)" in tier.inner_text()
    check_page(page, "22-case-details-local-determination")


def test_a_case_shows_its_first_appointment_timescale_beside_c_2_1_3_with_the_due_date(
    live_server: Any, page: Any, inspection: Any
) -> None:
    base = live_server.url
    a = inspection.cases.get(case_ref="LOC-0002").assessments.get()
    sign_in(page, base, "assessor")
    page.goto(f"{base}/assessments/{a.pk}/sections/C.2.1/")
    question = page.locator("#question-C_2_1_3")
    text = question.inner_text()
    assert "Suggestion from the First appointment timescale rule" in text
    assert "Due date: Monday 30 December 2013 (not met)" in text
    question.get_by_text("Why (First appointment timescale)").click()
    assert "First appointment date 31 December 2013 > due 30 December 2013" in question.inner_text()
    assert not page.locator('input[name="q-C.2.1.3"]:checked').count()  # a suggestion, never an answer
    plan = page.locator("#question-C_2_1_8").inner_text()
    assert "Due date: Friday 17 January 2014 (met)" in plan
    question.scroll_into_view_if_needed()
    check_page(page, "23-section-timescale-suggestion")
