"""Issue 14, item 2 in Chromium: when the database is busy, an autosave shows "Not saved
automatically: the service is busy" in its save status (htmx shows the 503), and a
full save gets the GOV.UK "Sorry, the service is busy" page (0 axe violations, 320 px)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from tests.browser.conftest import check_page
from tests.browser.test_walkthrough import programme, sign_in  # noqa: F401 - shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_busy_database_shows_not_saved_on_autosave_and_the_busy_page_on_save(live_server: Any, page: Any, programme: Any, monkeypatch: Any) -> None:  # noqa: F811
    from caseassess.assessments import services

    def locked(**kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    sign_in(page, live_server.url, "assessor")
    page.goto(f"{live_server.url}/assessments/{programme.pk}/sections/B.4.1/")
    monkeypatch.setattr(services, "assessment_save_section", locked)
    page.locator('input[type=radio][name="q-B.4.1.1"]').first.check()
    note = page.locator("#saved-note")
    note.get_by_text("Not saved automatically").wait_for()
    assert "the service is busy" in note.inner_text()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Sorry, the service is busy").wait_for()
    check_page(page, "busy-database")
