"""Issue 14, items 7, 8 and 9 end to end: non-finite numbers, CSV newlines, control
characters and formula starts through the form, the web case import and the command.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from caseassess.assessments.models import Answer
from caseassess.inspections.models import Case
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

ANSWERS_HEADER = "case_ref,question_id,answer,ogrs_score\n"


def upload_cases(inspection: Any, users: dict[str, Any], data: bytes) -> tuple[int, str]:
    """The web case import runs as a background job: post, run the queued job, read its page.
    A refused file answers 400 here when its job page says nothing was imported."""
    import html as html_module

    from tests.web.conftest import run_jobs

    c = client_for(users["lead"])
    r = c.post(f"/inspections/{inspection.pk}/cases/import/", {"file": SimpleUploadedFile("cases.csv", data, content_type="text/csv")})
    if r.status_code != 302 or not r["Location"].startswith("/jobs/"):
        return r.status_code, r.content.decode()
    run_jobs()
    page = html_module.unescape(c.get(r["Location"]).content.decode())
    return (400 if "nothing was imported" in page else 200), page


def import_answers(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stderr=err, stdout=io.StringIO())
    return err.getvalue()


# -- item 7 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["nan", "inf", "Infinity", "1e400"])
def test_non_finite_numbers_are_refused_by_the_form_the_web_import_and_the_command(raw: str, assessment: Any, users: dict[str, Any], tmp_path: Path) -> None:
    case = assessment.case
    r = client_for(users["assessor"]).post(
        f"/assessments/{assessment.pk}/case-details/", {"d-ogrs_score": raw, "details_version": case.details_version}
    )
    assert r.status_code == 400
    assert "is not a finite number" in r.content.decode()
    case.refresh_from_db()
    assert "ogrs_score" not in case.details

    status, html = upload_cases(assessment.case.inspection, users, f"case_ref,ogrs_score\nNUM-1,{raw}\n".encode())
    assert status == 400 and "Row 2, column ogrs_score" in html and "is not a finite number" in html
    assert not Case.objects.filter(case_ref="NUM-1").exists()

    err = import_answers(tmp_path, f"{ANSWERS_HEADER}NUM-2,B.4.1.1,yes,{raw}\n".encode())
    assert "Row 2, column ogrs_score" in err and "is not a finite number" in err
    assert not Case.objects.filter(case_ref="NUM-2").exists()


# -- item 8 --------------------------------------------------------------------------------------

def test_the_web_case_import_reads_cr_lf_and_crlf_inside_and_between_fields(inspection: Any, users: dict[str, Any]) -> None:
    data = b'case_ref,assessor\r\nNL-1,assessor\nNL-2,"assessor"\r\nNL-3,\n'
    status, _ = upload_cases(inspection, users, data)
    assert status in (200, 302)
    assert sorted(Case.objects.values_list("case_ref", flat=True)) == ["NL-1", "NL-2", "NL-3"]


@pytest.mark.parametrize("data", [b"case_ref\nTST-1\rb\n", b"case_ref\r\nTST-1\rb\r\n", b"case_ref,assessor\nTST-1,assessor\rb\n"])
def test_a_stray_carriage_return_in_the_web_case_import_creates_no_bogus_case(data: bytes, inspection: Any, users: dict[str, Any]) -> None:
    status, html = upload_cases(inspection, users, data)
    assert status == 400
    assert "line 2 has a carriage return inside a value that is not in double quotes" in html
    assert not Case.objects.exists()


def test_the_answers_import_keeps_line_breaks_inside_quotes_and_refuses_a_stray_carriage_return(inspection: Any, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(b'case_ref,question_id,answer\r\nNL-1,D.2.2.9,"first\r\nsecond\nthird"\nNL-1,B.4.1.1,yes\r\n')
    call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path), stdout=io.StringIO())
    assert Answer.objects.get(question_id="D.2.2.9").value == "first\r\nsecond\nthird"
    err = import_answers(tmp_path, b"case_ref,question_id,answer\nNL-2,B.4.1.1,yes\rb\n")
    assert "line 2 has a carriage return" in err
    assert not Case.objects.filter(case_ref="NL-2").exists()


# -- item 9 --------------------------------------------------------------------------------------

def test_imports_refuse_nul_and_control_characters_in_case_references_and_answers(inspection: Any, users: dict[str, Any], tmp_path: Path) -> None:
    status, html = upload_cases(inspection, users, b"case_ref\nNUL\x00-1\n=HYPERLINK(1)\n")
    assert status == 400 and "Row 2: case_ref" in html and "Row 3: case_ref" in html and "is not a valid case reference" in html
    # A NUL byte anywhere: the answers import refuses the whole file before reading rows.
    err = import_answers(tmp_path, b"case_ref,question_id,answer\nCTL-1,D.2.2.9,abc\x00def\nCTL\x00-3,B.4.1.1,yes\n")
    assert "answers.csv is not a text file (it contains NUL bytes); save it as CSV UTF-8" in err
    # Other control characters are named by row and character.
    err = import_answers(tmp_path, b"case_ref,question_id,answer\nCTL-1,D.2.2.9,ok\nCTL-2,D.2.2.9,\x1b[2Jcleared\nCTL\x07-3,B.4.1.1,yes\n")
    assert "Row 3: answer" in err and "U+001B" in err
    assert "Row 4: case_ref" in err
    assert not Case.objects.exists() and not Answer.objects.exists()


def test_the_caseload_upload_refuses_formula_case_references_and_neutralises_formula_text(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess_core.sampling import REQUIRED_COLUMNS

    header = ",".join(REQUIRED_COLUMNS) + ",team"
    row = "{ref},community_order,2013-01-15,female,bme,high,burglary,supervision,yes,tier_3,{team}"
    c = client_for(users["lead"])
    url = f"/sampling/inspections/{inspection.pk}/caseload/"
    bad = f"{header}\n{row.format(ref='=cmd|calc', team='North')}\n".encode()
    r = c.post(url, {"file": SimpleUploadedFile("caseload.csv", bad, content_type="text/csv")})
    assert "There is a problem" in r.content.decode() and "is not a case reference" in r.content.decode()
    good = f"{header}\n{row.format(ref='C001', team='=1+1')}\n".encode()
    c.post(url, {"file": SimpleUploadedFile("caseload.csv", good, content_type="text/csv")})
    from caseassess.sampling.models import CaseloadUpload

    rows = CaseloadUpload.objects.get(inspection=inspection).rows
    assert rows[0]["case_ref"] == "C001" and rows[0]["attributes"]["team"] == "'=1+1"


def test_a_comment_with_a_nul_byte_is_refused_by_the_section_form(assessment: Any, users: dict[str, Any]) -> None:
    r = client_for(users["assessor"]).post(
        f"/assessments/{assessment.pk}/sections/B.4.1/", {"q-B.4.1.1": "yes", "c-B.4.1.1": "fine\x00", "client_stamp": "1"}
    )
    assert r.status_code == 400 and "from the comment" in r.content.decode()
    assert not Answer.objects.exists()


def test_the_api_import_reads_newlines_as_the_other_uploads_do(inspection: Any, users: dict[str, Any]) -> None:
    from django.test import Client

    from tests.web.test_api import bearer, token

    url = f"/api/v1/inspections/{inspection.pk}/import"
    auth = bearer(token(users["lead"], "import"))
    r = Client().post(url, {"file": io.BytesIO(b"case_ref,question_id,answer\nAPI-1,B.4.1.1,yes\rb\n")}, **auth)
    assert r.status_code == 400 and "line 2 has a carriage return" in r.json()["errors"][0]
    assert not Case.objects.exists()
    r = Client().post(url, {"file": io.BytesIO(b'case_ref,question_id,answer\r\nAPI-1,D.2.2.9,"one\r\ntwo"\nAPI-1,B.4.1.1,yes\r\n')}, **auth)
    assert r.status_code == 200 and Answer.objects.get(question_id="D.2.2.9").value == "one\r\ntwo"
