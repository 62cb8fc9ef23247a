"""From an EMPTY database, no fixture, no shell (issue 12 "How it is checked"): the first-run
command, the administrator's one-time link, password and authenticator; adding people (with
mistakes first) and a role change; uploading a broken instrument version (its problems
listed, nothing loaded), then a good one, reviewed and published; a programme, an area and an
inspection that uses the uploaded version, its team with per-inspection roles; the invited
people setting a password and two-factor; the lead adding a case and allocating it; the
assessor recording and submitting it; the lead signing it off; the analyst reading the
findings, whose numbers follow from the answers typed here; the audit log. Each page type is
checked with axe-core and at 320 px.

The server is a separate process with production settings (DEBUG off, two-factor on) on
a fresh SQLite database in a temporary directory; the test talks to it only over HTTP."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from ci_serve_check import totp  # noqa: E402

pytestmark = [pytest.mark.browser]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "first-run-long-password-2013"
MINI_2014 = ROOT / "tests" / "fixtures" / "mini-instrument-2014"
WIDE = {"width": 1024, "height": 900}


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
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))  # the home page (the set-up page's URL also ends in /)


def _add_user(page: Any, base: str, username: str, role_label: str) -> str:
    page.goto(base + "/account/users/new/")
    page.fill("#username", username)
    page.get_by_label(role_label, exact=True).check()
    page.get_by_role("button", name="Add user").click()
    page.get_by_role("heading", name="Account created").wait_for()
    return page.locator("#one-time-link").inner_text()


def _zip(files: dict[str, str]) -> bytes:
    """The instrument directory as an administrator would zip it (one folder inside)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr("mini-instrument-2014/" + name, text)
    return buf.getvalue()


def _choose(page: Any, label: str, text: str) -> None:
    select = page.get_by_label(label, exact=True)
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def _upload(page: Any, files: dict[str, str]) -> None:
    page.set_input_files("#files", files=[{"name": "mini-instrument-2014.zip", "mimeType": "application/zip", "buffer": _zip(files)}])
    page.get_by_role("button", name="Check and load").click()


def _upload_and_publish_the_instrument(admin: Any, base: str) -> None:
    """A broken version first (its problem listed with file, line and message; nothing
    loaded), then the good one: reviewed against the version loaded by the first-run
    command, and published for new inspections."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(MINI_2014.iterdir())}
    views = files["views.yaml"]
    good = "options: yes_no_na\n            comment: true"
    assert views.count(good) == 1
    bad_line = views[: views.index(good)].count("\n") + 1  # the line of B.4.1.7's options, counted here
    admin.goto(base + "/instruments/manage/versions/")
    check_page(admin, "first-run-instrument-versions")
    _upload(admin, dict(files, **{"views.yaml": views.replace(good, "options: yes_or_no_maybe\n            comment: true")}))
    summary = admin.locator(".govuk-error-summary")
    summary.wait_for()
    assert "The instrument was not loaded" in summary.inner_text()
    assert f"views.yaml, line {bad_line}" in summary.inner_text()
    row = admin.locator("#problems + .app-table-wrapper tbody tr")
    assert row.count() == 1
    cells = [c.strip() for c in row.first.locator("td").all_inner_texts()]
    assert cells[0] == "views.yaml" and cells[1] == str(bad_line) and "yes_or_no_maybe" in cells[2]
    assert "mini-2014" not in admin.locator("table").first.inner_text()  # nothing was loaded
    check_page(admin, "first-run-instrument-problems")

    _upload(admin, files)
    admin.wait_for_url("**/instruments/manage/versions/*/")
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Mini test instrument (mini-2014) loaded")
    assert admin.locator(".govuk-caption-l").inner_text().startswith("Not published")
    changes = admin.locator("main").inner_text()
    # Against the shipped version: of the five mini questions, three are worded differently there.
    assert "Changes from iaow-2013-10" in changes and "Questions reworded (3)" in changes
    assert "Was there a sufficient RoH analysis?" in admin.locator("tr", has_text="B.4.1.7").inner_text()
    check_page(admin, "first-run-instrument-review")
    admin.get_by_role("button", name="Publish for new inspections").click()
    admin.wait_for_url(base + "/instruments/manage/versions/")
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("mini-2014 is published")
    mini_row = admin.locator("tbody tr", has_text="(mini-2014)")
    assert "Published" in mini_row.inner_text() and "Not published" not in mini_row.inner_text()


def _set_up_the_inspection(admin: Any, base: str) -> None:
    """Programme (allowing the uploaded version), area, inspection using it, its team."""
    admin.goto(base + "/programmes/new/")
    admin.get_by_label("Name").fill("IAOW 2013–2017")
    admin.get_by_label("First day of the programme").fill("2013-04-01")
    admin.get_by_label("Last day of the programme").fill("2017-03-31")
    admin.get_by_label(re.compile(r"\(iaow-2013-10\)")).check()
    admin.get_by_label(re.compile(r"\(mini-2014\)")).check()
    admin.get_by_role("button", name="Create programme").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("IAOW 2013–2017 created")
    admin.goto(base + "/areas/new/")
    admin.get_by_label("Name").fill("Cumbria Probation Trust")
    admin.get_by_label("Its lead inspectors (optional)").fill("l.lead")
    admin.get_by_role("button", name="Create area").click()
    admin.wait_for_url(base + "/areas/")
    admin.goto(base + "/inspections/new/")
    _choose(admin, "Inspection programme", "IAOW 2013–2017")
    _choose(admin, "Area", "Cumbria Probation Trust")
    _choose(admin, "Instrument version", "(mini-2014)")  # the version uploaded and published above
    admin.get_by_label("Name", exact=True).fill("IAOW Cumbria")
    admin.get_by_label("First day of fieldwork").fill("2014-11-03")
    admin.get_by_label("Last day of fieldwork").fill("2014-11-07")
    admin.get_by_label("Lead inspector").fill("l.lead")
    admin.get_by_role("button", name="Create inspection").click()
    admin.wait_for_url(re.compile(r".*/inspections/\d+/$"))
    inspection_url = admin.url
    admin.get_by_role("link", name="Team and roles").click()
    for username, role in (("a.assessor", "Assessor"), ("b.analyst", "Analyst (findings only)")):
        admin.get_by_label("Username").fill(username)
        admin.get_by_label(role, exact=True).check()
        admin.get_by_role("button", name="Save role").click()
        admin.locator(".govuk-notification-banner", has_text=username).wait_for()
    team = admin.locator("table").inner_text()
    assert all(name in team for name in ("l.lead", "a.assessor", "b.analyst"))
    check_page(admin, "first-run-team")
    admin.goto(inspection_url)
    expect(admin.locator(".govuk-summary-list")).to_contain_text("Mini test instrument")  # the uploaded version


def _add_and_allocate_a_case(lead: Any) -> None:
    """The lead adds one case (allocated later), then allocates it from its row."""
    lead.get_by_role("link", name="IAOW Cumbria").first.click()
    lead.get_by_role("link", name="Add cases").click()
    check_page(lead, "first-run-add-case")
    lead.get_by_label("Case reference").fill("CUM-0001")
    lead.get_by_label("Assessor").select_option(label="Allocate later")
    lead.get_by_role("button", name="Add case").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Case CUM-0001 added")
    row = lead.locator("tr", has_text="CUM-0001")
    assert "Not allocated" in row.inner_text()
    row.get_by_label("Assessor for case CUM-0001").select_option("a.assessor")
    row.get_by_role("button", name="Allocate case CUM-0001").click()
    lead.wait_for_url(re.compile(r".*#case-\d+$"))
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Case CUM-0001 allocated to a.assessor")
    assert "a.assessor" in lead.locator("tr", has_text="CUM-0001").inner_text()
    assert lead.get_by_text("1 case assessment by status", exact=True).count() == 1
    check_page(lead, "first-run-inspection-lead")


def _group(page: Any, legend: str) -> Any:
    return page.get_by_role("group", name=re.compile(legend))


def _record_the_case(assessor: Any, base: str) -> None:
    """Case details, every applicable question, check answers, submit — by the forms."""
    assessor.goto(base + "/")
    assessor.get_by_role("link", name="CUM-0001").first.click()
    assessor.wait_for_url(re.compile(r".*/assessments/\d+/$"))
    check_page(assessor, "first-run-task-list")
    assessor.get_by_role("link", name="Case details").click()
    assessor.wait_for_url("**/case-details/")
    for legend, label in (("Sentence type", "Community order"), ("Report type", "Standard delivery report"),
                          ("RoSH at start", "Medium"), ("Gender", "Female"), ("Order requirements", "Supervision")):
        _group(assessor, legend).get_by_label(label, exact=True).check()
    assessor.get_by_label(re.compile("OGRS 3 score")).fill("42")
    check_page(assessor, "first-run-case-details")
    assessor.get_by_role("button", name="Save and continue").click()

    # A.1.1: standard delivery report, so A.1.1.4 applies and A.1.1.3 (oral reports) does not.
    assessor.wait_for_url("**/sections/A.1.1/")
    assert "Not applicable: Only asked for oral reports" in assessor.locator("#question-A_1_1_3").inner_text()
    _group(assessor, r"^A\.1\.1\.4 ").get_by_label("Yes", exact=True).check()
    check_page(assessor, "first-run-section")
    assessor.get_by_role("button", name="Save and continue").click()
    assessor.wait_for_url("**/sections/B.4.1/")
    _group(assessor, r"^B\.4\.1\.1 ").get_by_label("Yes", exact=True).check()
    _group(assessor, r"^B\.4\.1\.7 ").get_by_label("No", exact=True).check()
    assessor.get_by_label("Comment on B.4.1.7 (optional)").fill("No analysis of the risk to the victim.")
    assessor.get_by_role("button", name="Save and return to task list").click()
    assessor.wait_for_url(re.compile(r".*/assessments/\d+/$"))
    for task in ("case-details", "A_1_1", "B_4_1"):
        assert assessor.locator(f"#task-{task}-status").inner_text().strip() == "Completed"
    # D.2.2 has only a free-text question (not needed to submit); the assessor still fills it.
    assessor.get_by_role("link", name="Delivery and review of the sentence plan").click()
    assessor.wait_for_url("**/sections/D.2.2/")
    assessor.get_by_label(re.compile(r"^D\.2\.2\.9 ")).fill("Contact was regular and purposeful.")
    assessor.get_by_role("button", name="Save and continue").click()

    assessor.wait_for_url("**/check/")
    assessor.locator("#section-B_4_1 summary").click()
    answer = assessor.locator("#section-B_4_1 .govuk-summary-list__row", has_text="B.4.1.7")
    answer.wait_for()
    assert "No" in answer.locator(".govuk-summary-list__value").inner_text()
    check_page(assessor, "first-run-check-answers")
    assessor.get_by_role("button", name="Submit assessment").first.click()
    assessor.wait_for_url("**/submitted/")
    assert "Assessment submitted" in assessor.locator(".govuk-panel").inner_text()
    check_page(assessor, "first-run-submitted")


def _sign_off(lead: Any, base: str) -> None:
    lead.goto(base + "/")
    lead.get_by_role("link", name="IAOW Cumbria").first.click()
    lead.get_by_role("link", name="Review case CUM-0001").click()
    lead.wait_for_url("**/review/")
    lead.locator("#section-B_4_1 summary").click()
    comment = lead.locator("#section-B_4_1 .govuk-summary-list__row", has_text="B.4.1.7")
    comment.wait_for()
    assert "No analysis of the risk to the victim." in comment.inner_text()  # the assessor's comment
    check_page(lead, "first-run-review")
    lead.get_by_role("button", name="Sign off").click()
    lead.get_by_role("button", name="Yes, sign off").wait_for()
    check_page(lead, "first-run-sign-off-confirm")
    lead.get_by_role("button", name="Yes, sign off").click()
    lead.wait_for_url(re.compile(r".*/inspections/\d+/#case-\d+$"))
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Case CUM-0001 signed off")
    assert "Signed off" in lead.locator("tr", has_text="CUM-0001").inner_text()


def _all_cases(page: Any, row_name: str) -> tuple[str, str]:
    """The "All cases" % done sufficiently well (without its caution mark) and N of a row of
    the findings table."""
    cells = page.locator("tr", has_text=row_name).first.locator("td").all_inner_texts()
    return cells[2].split("†")[0].strip(), cells[3].strip()


def _read_the_findings(analyst: Any) -> None:
    analyst.get_by_role("link", name="IAOW Cumbria").first.click()
    analyst.wait_for_url(re.compile(r".*/inspections/\d+/$"))
    assert analyst.get_by_role("link", name="CUM-0001").count() == 0  # findings only, never the case record
    analyst.get_by_role("link", name="Findings for this inspection").click()
    analyst.wait_for_url(re.compile(r".*/findings/inspections/\d+/$"))
    check_page(analyst, "first-run-findings")
    assert "Cases\t1" in analyst.locator("main").inner_text()
    # Worked out by hand from the answers recorded above ("No" is insufficient, "Yes" sufficient,
    # A.1.1.3 not applicable and left out; the free-text D.2.2.9 is not scored):
    # Risk of Harm to others pools B.4.1 — B.4.1.1 Yes, B.4.1.7 No: 1 of 2 = 50%, N 2.
    assert _all_cases(analyst, "Risk of Harm to others (headline score)") == ("50%", "2")
    # Assessment and sentence planning pools A.1.1 and B.4.1 — Yes, Yes, No: 2 of 3 = 66.7%, shown 67%, N 3.
    assert _all_cases(analyst, "Assessment and sentence planning (general criteria score)") == ("67%", "3")
    # Delivery and review (D.2.2) has no scored answer.
    assert _all_cases(analyst, "Delivery and review (general criteria score)") == ("–", "0")
    assert _all_cases(analyst, "A.1.1.4 ") == ("100%", "1")
    assert _all_cases(analyst, "B.4.1.7 ") == ("0%", "1")


def test_from_an_empty_database_an_inspectorate_sets_up_records_signs_off_and_reports(empty_site: dict[str, Any], browser: Any) -> None:
    base = empty_site["base"]
    admin = browser.new_context(viewport=WIDE, bypass_csp=True).new_page()
    _set_password_and_authenticator(admin, empty_site["link"], "administrator")
    assert "Signed in as" in admin.content()

    admin.get_by_role("link", name="Users").click()
    admin.wait_for_url(base + "/account/users/")
    check_page(admin, "first-run-users")
    admin.get_by_role("button", name="Add a user").click()
    admin.get_by_role("button", name="Add user").click()  # nothing filled in
    summary = admin.locator(".govuk-error-summary")
    assert "Enter a username" in summary.inner_text()
    check_page(admin, "first-run-add-user-errors")
    admin.fill("#username", "chief")  # taken
    admin.get_by_label("Inspector", exact=True).check()
    admin.get_by_role("button", name="Add user").click()
    expect(admin.locator(".govuk-error-summary")).to_contain_text("already taken")

    assessor_link = _add_user(admin, base, "a.assessor", "Inspector")
    check_page(admin, "first-run-one-time-link")
    analyst_link = _add_user(admin, base, "b.analyst", "Analyst")
    lead_link = _add_user(admin, base, "l.lead", "Analyst")  # a slip, corrected below

    admin.goto(base + "/account/users/")
    admin.get_by_role("link", name="l.lead").click()
    admin.wait_for_url(re.compile(r".*/account/users/\d+/$"))
    check_page(admin, "first-run-user-detail")
    admin.get_by_label("Inspector", exact=True).check()
    admin.get_by_role("button", name="Change role").click()
    expect(admin.locator("main")).to_contain_text("is now: Inspector")

    _upload_and_publish_the_instrument(admin, base)
    _set_up_the_inspection(admin, base)

    assessor = browser.new_context(viewport=WIDE, bypass_csp=True).new_page()
    _set_password_and_authenticator(assessor, assessor_link, "assessor")
    assert "a.assessor" in assessor.content() and "IAOW Cumbria" in assessor.content()
    assert assessor.goto(base + "/account/users/").status == 404  # administrators only
    lead = browser.new_context(viewport=WIDE, bypass_csp=True).new_page()
    _set_password_and_authenticator(lead, lead_link, "lead")
    assert "IAOW Cumbria" in lead.content()

    _add_and_allocate_a_case(lead)
    _record_the_case(assessor, base)
    _sign_off(lead, base)
    lead.context.close()
    assessor.context.close()

    analyst = browser.new_context(viewport=WIDE, bypass_csp=True).new_page()
    _set_password_and_authenticator(analyst, analyst_link, "analyst")
    _read_the_findings(analyst)
    analyst.context.close()

    admin.get_by_role("link", name="Audit log").click()
    admin.select_option("#action", label="Added a user")
    admin.get_by_role("button", name="Show events").click()
    expect(admin.locator("h2").first).to_contain_text("4 events")  # chief (by setup_site), a.assessor, b.analyst, l.lead
    assert "A command on the server" in admin.locator("table").inner_text()
    check_page(admin, "first-run-audit-log")
    admin.get_by_role("link", name="Record views").click()
    expect(admin.locator("[aria-current=page]")).to_have_text("Record views")
    check_page(admin, "first-run-record-views")
    admin.context.close()
