"""A new assessor walks a whole case in Chromium; the lead inspector signs it off.

Every page type is screenshotted into artifacts/screenshots/, checked with axe-core
(0 violations) and checked to reflow at 320 px."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings

from tests.browser.conftest import check_page, shot
from tests.web.conftest import PASSWORD, add_members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme(users: dict[str, Any]) -> Any:
    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(
        programme=Programme.objects.create(name="IAOW 2013–2017"), name="IAOW Walkshire", area=Area.objects.create(name="Walkshire Probation Trust"),
        topic="protecting children", fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=version,
    )
    add_members(insp, users, assessor="assessor", lead="lead_inspector", analyst="analyst")
    case = case_add(inspection=insp, actor=users["lead"], case_ref="WLK-0001", assessor=users["assessor"])
    return case.assessments.get()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/account/sign-in/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    if "/account/two-factor/" in page.url:  # two-factor sign-in: set up, then the code
        from caseassess.accounts.models import User
        from tests.web.conftest import totp_code, totp_device

        user = User.objects.get(username=username)
        confirmed = "/set-up/" not in page.url
        page.fill("#code", totp_code(totp_device(user, confirmed=confirmed)))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r".*/$"))


def answer_unanswered(page: Any, overrides: dict[str, str]) -> None:
    """Choose an answer for every applicable choice question that has none yet."""
    for qid, value in overrides.items():
        radio = page.locator(f'input[type=radio][name="q-{qid}"][value="{value}"]')
        if radio.count() and not radio.is_checked():
            radio.check()
    for name in page.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll('input[type=radio]:not([disabled]),input[type=checkbox]:not([disabled])')).map(i => i.name)))"
    ):
        group = page.locator(f'input[name="{name}"]')
        if not any(group.nth(i).is_checked() for i in range(group.count())):
            group.first.check()


def test_a_new_assessor_walks_a_whole_case_and_the_lead_signs_it_off(live_server: Any, page: Any, programme: Any) -> None:
    base = live_server.url
    a = programme
    page.goto(base + "/account/sign-in/")
    check_page(page, "01-sign-in")
    sign_in(page, base, "assessor")
    check_page(page, "02-home")
    page.get_by_role("link", name="WLK-0001").first.click()
    check_page(page, "03-task-list")

    # Case details: a licence for a Schedule 15 offence, high RoSH, PPO.
    page.get_by_role("link", name="Case details").click()
    page.locator('input[name="d-sentence_type"][value="licence_determinate"]').check()
    page.fill("#d-custodial_length_months", "24")
    page.select_option("#d-schedule15_offence", "p1-07")
    page.locator('input[name="d-rosh_at_start"][value="high"]').check()
    page.locator('input[name="d-ppo"][value="yes"]').check()
    page.locator('input[name="d-report_type"][value="standard_delivery"]').check()
    page.locator('input[name="d-gender"][value="male"]').check()
    page.get_by_role("button", name="Save and return to task list").click()
    page.get_by_role("link", name="Case details").click()
    # The decision aids show beside the fields they inform, as suggestions only.
    victim = page.locator("#field-statutory_victim_case")
    assert "Suggestion from the Statutory victim contact rule" in victim.inner_text()
    assert "Tier 4" in page.locator("#field-tier").inner_text()
    assert not page.locator('input[name="d-statutory_victim_case"]:checked').count()
    page.locator('input[name="d-statutory_victim_case"][value="yes"]').check()
    page.locator('input[name="d-tier"][value="tier_4"]').check()
    check_page(page, "04-case-details")
    page.get_by_role("button", name="Save and continue").click()

    # Every section, in order: answer every applicable question; E.2.3.2 "No" meets CR01.
    from caseassess.instruments.selectors import instrument_get

    ins = instrument_get(version=a.case.inspection.instrument)
    # B.4.1.1 records the same classification as the case details (CR09)
    overrides = {"B.4.1.1": "high", "D.2.2.8": "yes", "E.2.3.2": "no"}
    for i, sec in enumerate(ins.sections()):
        url = f"{base}/assessments/{a.pk}/sections/{sec.id}/"
        for _ in range(3):  # a later question may apply once an earlier one is saved
            page.goto(url)
            answer_unanswered(page, overrides)
            page.get_by_role("button", name="Save and return to task list").click()
            page.wait_for_url(f"{base}/assessments/{a.pk}/")
            status = page.locator(f"#task-{sec.id.replace('.', '_')}-status").inner_text().strip()
            if status == "Completed":
                break
        assert status == "Completed", f"{sec.id} is {status}"
        if i == 0:
            page.goto(url)
            check_page(page, "05-section")
    page.goto(f"{base}/assessments/{a.pk}/sections/E.2.3/")
    assert "If you answered" in page.locator(".govuk-warning-text").first.inner_text()
    check_page(page, "06-section-with-warning")

    # Check your answers: the warning blocks submission until it is explained.
    page.goto(f"{base}/assessments/{a.pk}/check/")
    check_page(page, "07-check-answers")
    # Submit is at the top (beside the blockers) as well as at the bottom.
    page.get_by_role("button", name="Submit assessment").first.click()
    assert "Change the answers to E.2.3.2 and D.2.2.8 or explain why both are right" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "08-check-answers-error")
    page.fill("#explain-CR01", "Contact was sufficient but the offender did not comply in the first months.")
    page.get_by_role("button", name="Submit assessment").last.click()
    assert "Assessment submitted" in page.locator(".govuk-panel").inner_text()
    check_page(page, "08b-submitted")
    page.goto(f"{base}/cases/{a.case_id}/history/")
    check_page(page, "09-history")

    # The lead inspector quality-assures and signs off.
    page.context.clear_cookies()
    sign_in(page, base, "lead")
    page.goto(f"{base}/inspections/{a.case.inspection_id}/")
    check_page(page, "10-inspection")
    page.goto(f"{base}/assessments/{a.pk}/")
    page.get_by_role("link", name="Review the assessment").click()
    assert "Contact was sufficient" in page.locator("main").inner_text()  # the assessor's explanation
    check_page(page, "10b-review")
    # Return without a reason: an error summary, nothing changes.
    page.get_by_role("button", name="Return to the assessor").click()
    assert "Enter what needs to change" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "10c-review-error")
    page.get_by_role("button", name="Sign off").click()
    check_page(page, "10d-sign-off-confirm")
    a.refresh_from_db()
    assert a.status == "submitted"
    page.get_by_role("button", name="Yes, sign off").click()
    assert "signed off" in page.locator(".govuk-notification-banner").inner_text()
    assert page.url.endswith(f"#case-{a.pk}")
    a.refresh_from_db()
    assert a.status == "signed_off"
    shot(page, "11-signed-off")

    # Findings and the instrument browser.
    page.goto(f"{base}/findings/inspections/{a.case.inspection_id}/")
    check_page(page, "12-findings")
    page.goto(f"{base}/instruments/iaow-2013-10/")
    check_page(page, "13-instrument")
    page.goto(f"{base}/instruments/iaow-2013-10/sections/B.4.1/")
    check_page(page, "14-instrument-section")
    page.goto(f"{base}/instruments/iaow-2013-10/search/?q=MAPPA")
    check_page(page, "15-instrument-search")


def test_the_keyboard_alone_reaches_and_answers_a_question(live_server: Any, page: Any, programme: Any) -> None:
    base = live_server.url
    sign_in(page, base, "assessor")
    page.goto(f"{base}/assessments/{programme.pk}/sections/B.4.1/")
    # Tab from the top of the page: the skip link comes first.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    # Tab on to the first radio of the first applicable question and choose it with the space bar.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    name = page.evaluate("document.activeElement.name")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    assert name.startswith("q-B.4.1.")
