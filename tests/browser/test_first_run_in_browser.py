"""From an EMPTY database, no fixture, no shell (issue 12 "How it is checked"), as far as
the pages exist on this branch: the first-run command, the administrator's one-time link,
password and authenticator, adding two people (one with a mistake first), an invited
assessor setting a password and two-factor, a role change, the audit log. Each page is
checked with axe-core and at 320 px.

The server is a separate process with production settings (DEBUG off, two-factor on) on
a fresh SQLite database in a temporary directory; the test talks to it only over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import check_page

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from ci_serve_check import totp  # noqa: E402

pytestmark = [pytest.mark.browser]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "first-run-long-password-2013"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def empty_site() -> Iterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="caseassess-firstrun-") as var:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CASEASSESS_VAR_DIR": var, "DJANGO_SECRET_KEY": "first-run-" + "k" * 50,
               "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
        setup = subprocess.run([PYTHON, "manage.py", "setup_site", "--username", "chief", "--email", "chief@example.gov.uk", "--no-input",
                                "--site-url", base], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert setup.returncode == 0, setup.stderr
        link = re.search(rf"{re.escape(base)}/account/welcome/\S+/", setup.stdout)
        assert link, setup.stdout
        server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(120):
                try:
                    if urllib.request.urlopen(base + "/healthz", timeout=2).status == 200:  # noqa: S310
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("the server did not start")
            yield {"base": base, "link": link.group(0)}
        finally:
            server.terminate()
            server.wait(timeout=30)


def _set_password_and_authenticator(page: Any, link: str, name: str) -> None:
    page.goto(link)
    check_page(page, f"first-run-{name}-set-password")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()
    page.wait_for_url(re.compile(r".*/account/two-factor/set-up/.*"))
    check_page(page, f"first-run-{name}-authenticator")
    key = page.locator("#otp-key").inner_text()
    page.fill("#code", totp(key))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/$"))


def _add_user(page: Any, base: str, username: str, role_label: str) -> str:
    page.goto(base + "/account/users/new/")
    page.fill("#username", username)
    page.get_by_label(role_label, exact=True).check()
    page.get_by_role("button", name="Add user").click()
    page.get_by_role("heading", name="Account created").wait_for()
    return page.locator("#one-time-link").inner_text()


def test_from_an_empty_database_the_administrator_sets_up_and_invites_people(empty_site: dict[str, Any], browser: Any) -> None:
    base = empty_site["base"]
    admin = browser.new_context(viewport={"width": 1024, "height": 900}, bypass_csp=True).new_page()
    _set_password_and_authenticator(admin, empty_site["link"], "administrator")
    assert "Signed in as" in admin.content()

    admin.get_by_role("link", name="Users").click()
    check_page(admin, "first-run-users")
    admin.get_by_role("button", name="Add a user").click()
    admin.get_by_role("button", name="Add user").click()  # nothing filled in
    summary = admin.locator(".govuk-error-summary")
    assert "Enter a username" in summary.inner_text()
    check_page(admin, "first-run-add-user-errors")
    admin.fill("#username", "chief")  # taken
    admin.get_by_label("Inspector", exact=True).check()
    admin.get_by_role("button", name="Add user").click()
    assert "already taken" in admin.locator(".govuk-error-summary").inner_text()

    assessor_link = _add_user(admin, base, "a.assessor", "Inspector")
    check_page(admin, "first-run-one-time-link")
    _add_user(admin, base, "b.analyst", "Analyst")
    lead_link = _add_user(admin, base, "l.lead", "Analyst")  # a slip, corrected below

    admin.goto(base + "/account/users/")
    admin.get_by_role("link", name="l.lead").click()
    check_page(admin, "first-run-user-detail")
    admin.get_by_label("Inspector", exact=True).check()
    admin.get_by_role("button", name="Change role").click()
    assert "is now: Inspector" in admin.content()

    # Programme, area, inspection and its team with per-inspection roles (no fixture).
    admin.goto(base + "/programmes/new/")
    admin.get_by_label("Name").fill("IAOW 2013–2017")
    admin.get_by_label("First day of the programme").fill("2013-04-01")
    admin.get_by_label("Last day of the programme").fill("2017-03-31")
    admin.get_by_label(re.compile(r"\(iaow-2013-10\)")).check()
    admin.get_by_role("button", name="Create programme").click()
    assert "IAOW 2013–2017 created" in admin.locator(".govuk-notification-banner").inner_text()
    admin.goto(base + "/areas/new/")
    admin.get_by_label("Name").fill("Cumbria Probation Trust")
    admin.get_by_label("Its lead inspectors (optional)").fill("l.lead")
    admin.get_by_role("button", name="Create area").click()
    admin.goto(base + "/inspections/new/")
    for label, text in (("Inspection programme", "IAOW 2013–2017"), ("Area", "Cumbria Probation Trust"), ("Instrument version", "iaow-2013-10")):
        select = admin.get_by_label(label, exact=True)
        select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))
    admin.get_by_label("Name", exact=True).fill("IAOW Cumbria")
    admin.get_by_label("First day of fieldwork").fill("2013-11-04")
    admin.get_by_label("Last day of fieldwork").fill("2013-11-08")
    admin.get_by_label("Lead inspector").fill("l.lead")
    admin.get_by_role("button", name="Create inspection").click()
    admin.get_by_role("link", name="Team and roles").click()
    for username, role in (("a.assessor", "Assessor"), ("b.analyst", "Analyst (findings only)")):
        admin.get_by_label("Username").fill(username)
        admin.get_by_label(role, exact=True).check()
        admin.get_by_role("button", name="Save role").click()
    team = admin.locator("table").inner_text()
    assert all(name in team for name in ("l.lead", "a.assessor", "b.analyst"))
    check_page(admin, "first-run-team")

    assessor = browser.new_context(viewport={"width": 1024, "height": 900}, bypass_csp=True).new_page()
    _set_password_and_authenticator(assessor, assessor_link, "assessor")
    assert "a.assessor" in assessor.content() and "IAOW Cumbria" in assessor.content()
    assert assessor.goto(base + "/account/users/").status == 404  # administrators only
    lead = browser.new_context(viewport={"width": 1024, "height": 900}, bypass_csp=True).new_page()
    _set_password_and_authenticator(lead, lead_link, "lead")
    assert "IAOW Cumbria" in lead.content()
    lead.context.close()

    admin.get_by_role("link", name="Audit log").click()
    admin.select_option("#action", label="Added a user")
    admin.get_by_role("button", name="Show events").click()
    assert "4 events" in admin.locator("h2").first.inner_text()  # chief (by setup_site), a.assessor, b.analyst, l.lead
    assert "A command on the server" in admin.locator("table").inner_text()
    check_page(admin, "first-run-audit-log")
    admin.get_by_role("link", name="Record views").click()
    assert admin.locator("[aria-current=page]").inner_text() == "Record views"
    check_page(admin, "first-run-record-views")
    admin.context.close()
    assessor.context.close()
