"""The compare page with a second attribute ("gender within licences") in Chromium: the form
works without JavaScript, keyboard and mouse alike; 0 axe violations; reflow at 320 px, with the
error summary too (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import check_page, shot
from tests.browser.test_walkthrough import sign_in
from tests.web.conftest import inspection, mini_version, run_jobs  # noqa: F401 - fixtures
from tests.web.test_within_comparison import cases  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_comparison_within_licences_is_chosen_on_the_page_and_passes_axe_and_reflow(live_server: Any, page: Any, cases: Any) -> None:  # noqa: F811
    sign_in(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/findings/programmes/{cases.programme_id}/compare/")
    page.select_option("#by", "gender")
    page.select_option("#within", "sentence_type")
    page.get_by_role("button", name="Choose the groups").click()
    page.get_by_label("Male").first.check()
    page.locator('input[name="b"][value="female"]').check()
    page.get_by_label("Licence (determinate)").check()
    page.get_by_label("Licence (indeterminate)").check()
    page.get_by_role("button", name="Compare").click()
    assert page.locator("#within-scope").inner_text() == (
        "This comparison counts 4 cases, only the cases whose sentence type is Licence (determinate) or Licence (indeterminate).")
    row = page.locator("tr", has=page.locator("text=B.4.1.1")).first
    assert row.locator("td").nth(1).inner_text() == "2" and row.locator("td").nth(3).inner_text() == "2"
    check_page(page, "15-compare-within")
    page.set_viewport_size({"width": 320, "height": 800})
    shot(page, "15-compare-within-320px")
    page.set_viewport_size({"width": 1024, "height": 900})
    # The same attribute twice: the error summary names the second attribute.
    page.select_option("#within", "gender")
    page.get_by_role("button", name="Compare").click()
    assert "the comparison is already by gender" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "15-compare-within-error")


def test_the_page_that_waits_for_a_large_within_comparison_passes_axe_and_reflow(live_server: Any, page: Any, cases: Any, monkeypatch: Any) -> None:  # noqa: F811
    from caseassess.reporting import counts

    monkeypatch.setattr(counts, "REBUILD_INLINE_MAX_CASES", 3)  # licences: 4 cases, "large"
    sign_in(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/findings/programmes/{cases.programme_id}/compare/?by=gender&a=male&b=female"
              "&within=sentence_type&in=licence_determinate&in=licence_indeterminate")
    assert page.locator("h1").inner_text() == "Counting the comparison"
    check_page(page, "15-compare-within-waiting")
    run_jobs()  # the worker counts; the waiting page (htmx, every 3 s) then loads the comparison itself
    page.locator("#within-scope").wait_for(timeout=15000)
    assert page.locator("#within-scope").inner_text().startswith("This comparison counts 4 cases")
