"""The published report, the comparison page and the per-factor grid in Chromium: 0 axe
violations, reflow at 320 px (issue 13 items 3, 7-11)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import check_page
from tests.browser.test_walkthrough import programme, sign_in  # noqa: F401 - fixture
from tests.web.conftest import inspection, mini_version  # noqa: F401 - fixtures
from tests.web.test_reporting_pages import findings  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_and_the_comparison_pass_axe_and_reflow(live_server: Any, page: Any, findings: Any) -> None:  # noqa: F811
    sign_in(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/findings/programmes/{findings.programme_id}/")
    assert page.locator("#about").is_visible() and page.locator("#method").count() == 1
    check_page(page, "13-programme-report")
    page.goto(f"{live_server.url}/findings/programmes/{findings.programme_id}/compare/?by=gender&a=male&b=female")
    assert page.get_by_role("link", name="spreadsheet (XLSX)").count() == 1
    check_page(page, "14-compare")


def test_the_measures_of_change_grid_passes_axe_and_reflows(live_server: Any, page: Any, programme: Any) -> None:  # noqa: F811
    sign_in(page, live_server.url, "assessor")
    page.goto(f"{live_server.url}/assessments/{programme.pk}/sections/E.3.3/")
    page.check('input[name="q-E.3.3.2:drug_misuse"][value="improved"]')
    assert page.locator('input[name="q-E.3.3.2:drug_misuse"]').count() == 4
    check_page(page, "15-measures-of-change")
