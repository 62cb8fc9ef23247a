"""How far an assessor scrolls, and how many pages they load, to record one whole demo case.

An assessor records 20-60 cases in an inspection week with the case file open beside
them; every screen they scroll and every page they wait for is paid 20-60 times. This
test walks a not-started demo case (CUM-1001) at 1280 px the way a newcomer would -
task list, case details, every section with "Save and continue", check your answers,
submit - and measures:

* the total page height scrolled (the sum of the full height of every page loaded),
* the number of page loads,
* the height of the check-your-answers page.

The figures are printed (``pytest -s`` shows them) and asserted against the targets of
issue 11; docs/assessor-speed.md keeps them with the date they were measured.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_walkthrough import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET_TOTAL_HEIGHT = 40_000
TARGET_PAGE_LOADS = 15
TARGET_CHECK_HEIGHT = 8_000
WIDTH = 1280

# Answers a real case would give; E.2.3.2 "No" raises a consistency warning to explain.
OVERRIDES = {"D.2.2.8": "yes", "E.2.3.2": "no"}


@pytest.fixture
def demo_case(db: Any, settings: Any, tmp_path: Any) -> Any:
    """The demo programme with the test users' passwords; CUM-1001 has no case details or answers."""
    from caseassess.accounts.models import User
    from caseassess.assessments.models import Assessment
    from caseassess.inspections.demo import load_demo
    from tests.web.conftest import PASSWORD

    settings.VAR_DIR = tmp_path
    load_demo(cases_per_inspection=4)
    for u in User.objects.all():
        u.set_password(PASSWORD)
        u.save()
    return Assessment.objects.select_related("case").get(case__case_ref="CUM-1001", assessor__username="assessor")


class Walk:
    """Counts page loads and adds up the height of every page loaded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.loads: list[tuple[str, int]] = []
        self._seen = 0
        self._events = 0
        page.on("load", self._on_load)

    def _on_load(self, _page: Any) -> None:
        self._events += 1

    def settle(self) -> None:
        """After an action: if it loaded a page, record that page's height."""
        self.page.wait_for_load_state("load")
        if self._events > self._seen:
            self._seen = self._events
            height = int(self.page.evaluate("document.documentElement.scrollHeight"))
            path = re.sub(r"^https?://[^/]+", "", self.page.url).split("#")[0]
            # The wider layout must never scroll sideways, at this width or at 1024 px.
            for width in (WIDTH, 1024):
                self.page.set_viewport_size({"width": width, "height": 900})
                scroll = int(self.page.evaluate("document.documentElement.scrollWidth"))
                assert scroll <= width, f"{path} is {scroll} px wide at {width} px"
            self.page.set_viewport_size({"width": WIDTH, "height": 900})
            self.loads.append((path, height))

    @property
    def total_height(self) -> int:
        return sum(h for _, h in self.loads)


def _answer_section(page: Any) -> None:
    for qid, value in OVERRIDES.items():
        radio = page.locator(f'input[type=radio][name="q-{qid}"][value="{value}"]')
        if radio.count() and not radio.is_checked():
            radio.check()
    for name in page.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll("
        "'input[type=radio]:not([disabled]),input[type=checkbox]:not([disabled])')).map(i => i.name)))"
    ):
        group = page.locator(f'input[name="{name}"]')
        if not any(group.nth(i).is_checked() for i in range(group.count())):
            group.first.check()


def _fill_case_details(page: Any) -> None:
    checks = {
        "sentence_type": "licence_determinate", "rosh_at_start": "high", "ppo": "yes", "report_type": "standard_delivery",
        "gender": "male", "statutory_victim_case": "yes", "tier": "tier_4",
    }
    for name, value in checks.items():
        page.locator(f'input[name="d-{name}"][value="{value}"]').check()
    page.fill("#d-custodial_length_months", "24")
    page.select_option("#d-schedule15_offence", "p1-07")
    # Subgroup fields (ethnicity, disability, age group): the first option, whatever it is.
    for name in ("ethnicity", "disability", "age_group"):
        group = page.locator(f'input[name="d-{name}"]')
        if group.count() and not any(group.nth(i).is_checked() for i in range(group.count())):
            group.first.check()


def walk_case(page: Any, base: str, assessment: Any) -> Walk:
    walk = Walk(page)
    page.goto(f"{base}/assessments/{assessment.pk}/")
    walk.settle()
    page.get_by_role("link", name="Case details").click()
    walk.settle()
    _fill_case_details(page)
    page.get_by_role("button", name="Save and continue").first.click()
    walk.settle()
    for _ in range(40):
        path = walk.loads[-1][0]
        if "/sections/" in path or path.endswith("/case-details/"):
            if path.endswith("/case-details/"):
                _fill_case_details(page)
            else:
                _answer_section(page)
            page.get_by_role("button", name="Save and continue").last.click()
        elif path.endswith("/check/"):
            incomplete = page.locator(".govuk-error-summary a[href*='/sections/'], .govuk-error-summary a[href*='case-details']")
            if incomplete.count():
                incomplete.first.click()
            else:
                for box in page.locator("textarea[name^='explain-']").all():
                    if not box.input_value().strip():
                        box.fill("Contact was sufficient; the offender did not comply in the first months.")
                page.get_by_role("button", name="Submit assessment").last.click()
                walk.settle()
                break
        else:
            raise AssertionError(f"the walk ended up on {path}")
        walk.settle()
    return walk


def test_an_assessor_records_a_whole_demo_case_within_the_scroll_and_page_load_targets(
    live_server: Any, browser: Any, demo_case: Any
) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server.url, "assessor")
        walk = walk_case(page, live_server.url, demo_case)
    finally:
        context.close()
    demo_case.refresh_from_db()
    assert demo_case.status == "submitted", "\n".join(f"{p} {h}" for p, h in walk.loads)
    check_heights = [h for p, h in walk.loads if p.endswith("/check/")]
    print(f"\nAssessor speed at {WIDTH} px, one whole demo case (CUM-1001):")
    for path, height in walk.loads:
        print(f"  {height:>7,} px  {path}")
    print(f"  total page height scrolled: {walk.total_height:,} px (target <= {TARGET_TOTAL_HEIGHT:,})")
    print(f"  page loads: {len(walk.loads)} (target <= {TARGET_PAGE_LOADS})")
    print(f"  check-your-answers page: {max(check_heights):,} px (target <= {TARGET_CHECK_HEIGHT:,})")
    assert walk.total_height <= TARGET_TOTAL_HEIGHT
    assert len(walk.loads) <= TARGET_PAGE_LOADS
    assert max(check_heights) <= TARGET_CHECK_HEIGHT
