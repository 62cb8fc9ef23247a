from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from caseassess.inspections.models import Case
from caseassess.instruments.models import InstrumentVersion
from tests.web.conftest import MINI, client_for, follow_job

pytestmark = pytest.mark.django_db


def upload(c: Any, inspection: Any, text: str | bytes, name: str = "cases.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = text.encode() if isinstance(text, str) else text
    # The rows are checked by a background job: follow it to its page.
    return follow_job(c, c.post(f"/inspections/{inspection.pk}/cases/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")}))


def test_a_case_csv_with_bad_rows_reports_each_row_and_imports_nothing(inspection: Any, users: dict[str, Any]) -> None:
    text = "case_ref,assessor,rosh_at_start,gender,ogrs_score\nA-1,assessor,high,male,40\nA-2,nobody,low,male,20\nA-1,assessor,low,female,10\nA-4,assessor,extreme,male,101\n"
    r = upload(client_for(users["lead"]), inspection, text)
    html = r.content.decode()
    assert r.status_code == 200 and "There is a problem: nothing was imported" in html
    assert "Row 3: assessor &#39;nobody&#39; is not part of this inspection" in html
    assert "Row 4: case A-1 appears twice" in html
    assert "Row 5, column rosh_at_start: choose one of the listed answers (got &#39;extreme&#39;)" in html
    assert "Row 5, column ogrs_score: enter a number from 0 to 100 (got &#39;101&#39;)" in html
    assert not Case.objects.exists()


def test_a_good_case_csv_creates_every_case_with_its_details_and_assessor(inspection: Any, users: dict[str, Any]) -> None:
    text = "\ufeffcase_ref,assessor,rosh_at_start,requirements\nB-1,assessor,high,supervision;unpaid_work\nB-2,,low,\n"
    r = upload(client_for(users["lead"]), inspection, text)
    assert r.status_code == 200 and "2 cases imported" in r.content.decode()
    b1 = Case.objects.get(case_ref="B-1")
    assert b1.details == {"rosh_at_start": "high", "requirements": ["supervision", "unpaid_work"]}
    assert b1.assessments.get().assessor == users["assessor"]
    assert Case.objects.get(case_ref="B-2").assessments.get().assessor is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"case_ref\n\xff\xfeA-1\n", "is not UTF-8 text"),
        (b"PK\x03\x04rest-of-a-zip", "looks like a spreadsheet (XLSX)"),
        (b"ref,gender\nA-1,male\n", "the header must include a case_ref column"),
        (b"case_ref,shoe_size\nA-1,9\n", "unknown column(s) shoe_size"),
        (b"case_ref\n", "no cases under its header row"),
    ],
)
def test_a_malformed_case_file_gets_a_clear_message(inspection: Any, users: dict[str, Any], data: bytes, message: str) -> None:
    r = upload(client_for(users["lead"]), inspection, data)
    # Encoding, type and header are checked by the request (400); rows by the job (its page lists them).
    assert r.status_code == (200 if message.startswith("no cases") else 400) and message in r.content.decode()
    assert not Case.objects.exists()


def test_an_assessor_cannot_add_cases(inspection: Any, users: dict[str, Any]) -> None:
    assert client_for(users["assessor"]).get(f"/inspections/{inspection.pk}/cases/new/").status_code == 404


def test_a_lead_inspector_creates_an_inspection_and_bad_dates_are_named(mini_version: Any, users: dict[str, Any], inspection: Any) -> None:
    c = client_for(users["lead"])
    form = {"programme": inspection.programme_id, "name": "IAOW Newshire", "area": inspection.area_id, "topic": "", "fieldwork_start": "2014-02-10",
            "fieldwork_end": "2014-02-03", "instrument": mini_version.pk}
    r = c.post("/inspections/new/", form)
    assert r.status_code == 400 and "The last day of fieldwork must be on or after the first day" in r.content.decode()
    form["fieldwork_end"] = "2014-02-14"
    r = c.post("/inspections/new/", form)
    assert r.status_code == 302


def test_a_case_reference_that_looks_like_a_name_with_spaces_is_refused(inspection: Any, users: dict[str, Any]) -> None:
    r = client_for(users["lead"]).post(f"/inspections/{inspection.pk}/cases/new/", {"case_ref": "John Smith"})
    assert r.status_code == 400 and "never an offender" in r.content.decode()


def test_loading_an_instrument_twice_is_idempotent_and_a_changed_file_is_refused(db: Any, tmp_path: Path) -> None:
    out = StringIO()
    call_command("load_instrument", str(MINI), stdout=out)
    call_command("load_instrument", str(MINI), stdout=out)
    assert "already loaded with the same content" in out.getvalue()
    assert InstrumentVersion.objects.count() == 1
    changed = tmp_path / "mini"
    changed.mkdir()
    for f in MINI.iterdir():
        (changed / f.name).write_text(f.read_text().replace("Was there a timely RoSH screening?", "Reworded"))
    with pytest.raises(CommandError, match="already loaded with different content"):
        call_command("load_instrument", str(changed))


def test_validate_instrument_lists_problems_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "instrument.yaml").write_text("id: x\ntitle: X\nversion: '1'\nviews: [{id: '1', title: V, sections: [{id: A.1.1, criterion: '1.1', title: S, questions: [{id: A.1.1.1, text: Q, options: nope}]}]}]\n")
    with pytest.raises(CommandError) as info:
        call_command("validate_instrument", str(tmp_path))
    assert f"{tmp_path / 'instrument.yaml'}:4" in str(info.value) and "unknown option set 'nope'" in str(info.value)


def test_the_instrument_browser_shows_every_question_and_searches_guidance(mini_version: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    html = c.get("/instruments/mini-2013/sections/A.1.1/").content.decode()
    assert "A.1.1.4" in html and "Extended guidance for A.1.1.4" in html and "OGRS score" in html
    found = c.get("/instruments/mini-2013/search/", {"q": "OGRS"}).content.decode()
    assert "1 question found" in found and "found in the guidance" in found


@pytest.mark.parametrize(
    ("password", "ok"),
    [("short-pw1", False), ("password1234", False), ("correct horse battery staple", True), ("alllowercaseletters", True)],
)
def test_passwords_follow_ncsc_guidance_length_and_deny_list_without_composition_rules(password: str, ok: bool) -> None:
    try:
        validate_password(password)
        valid = True
    except ValidationError:
        valid = False
    assert valid is ok


def test_sign_in_failure_does_not_say_whether_the_user_exists(users: dict[str, Any]) -> None:
    from django.test import Client

    a = Client().post("/account/sign-in/", {"username": "assessor", "password": "wrong-password-123"}).content.decode()
    b = Client().post("/account/sign-in/", {"username": "no-such-user", "password": "wrong-password-123"}).content.decode()
    assert "Enter a correct username and password" in a and "Enter a correct username and password" in b
