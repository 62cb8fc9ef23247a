"""Bad input (docs/security.md): random POST bodies to the autosave endpoints and random
bytes to the CSV uploads never cause a server error (500); malformed CSV files get
clear messages and import nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseassess.inspections.models import Case
from tests.web.conftest import client_for, follow_job

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

KEYS = st.one_of(
    st.sampled_from(["q-B.4.1.1", "q-B.4.1.1-present", "v-B.4.1.1", "c-B.4.1.1", "q-B.4.1.6", "client_stamp", "autosave",
                     "force", "action", "details_version", "d-gender", "d-report_type", "d-sentence_type", "d-gender-present",
                     "status", "assessor", "counts"]),
    st.text(min_size=1, max_size=20),
)
VALUES = st.one_of(
    st.sampled_from(["yes", "no", "na", "", "1", "-1", "0", "99999999999999999999", "female", "=1+1", "<script>", "continue"]),
    st.text(max_size=200),
)
BODIES = st.dictionaries(KEYS, st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=12)


def _ok(status: int) -> bool:
    return status < 500


def test_random_post_bodies_to_the_section_autosave_never_cause_a_server_error(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    url = f"/assessments/{assessment.pk}/sections/B.4.1/"

    @FUZZ
    @given(body=BODIES, htmx=st.booleans())
    def run(body: dict[str, Any], htmx: bool) -> None:
        r = c.post(url, body, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
        assert _ok(r.status_code), (body, r.status_code)

    run()


def test_random_post_bodies_to_the_case_details_autosave_never_cause_a_server_error(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    url = f"/assessments/{assessment.pk}/case-details/"

    @FUZZ
    @given(body=BODIES)
    def run(body: dict[str, Any]) -> None:
        r = c.post(url, body, HTTP_HX_REQUEST="true")
        assert _ok(r.status_code), (body, r.status_code)

    run()


CSV_LIKE = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=5), min_size=1, max_size=6).map(
        lambda rows: "\n".join(",".join(r) for r in [["case_ref", "gender", "sentence_type"], *rows]).encode("utf-8")
    ),
)


def test_random_bytes_uploaded_as_a_case_import_never_cause_a_server_error(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    url = f"/inspections/{assessment.case.inspection_id}/cases/import/"

    @FUZZ
    @given(data=CSV_LIKE, name=st.sampled_from(["cases.csv", "cases.xlsx", "", "../../etc/passwd", "x" * 300]))
    def run(data: bytes, name: str) -> None:
        r = follow_job(c, c.post(url, {"file": SimpleUploadedFile(name or "f", data, content_type="text/csv")}))
        assert _ok(r.status_code) and "Something went wrong" not in r.content.decode(), (data[:100], r.status_code)

    run()


def test_random_bytes_uploaded_as_a_caseload_never_cause_a_server_error(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    url = f"/sampling/inspections/{assessment.case.inspection_id}/caseload/"

    @FUZZ
    @given(data=CSV_LIKE)
    def run(data: bytes) -> None:
        r = c.post(url, {"file": SimpleUploadedFile("caseload.csv", data, content_type="text/csv")})
        assert _ok(r.status_code), (data[:100], r.status_code)

    run()


def import_csv(assessment: Any, users: dict[str, Any], data: bytes, name: str = "cases.csv") -> tuple[int, str]:
    c = client_for(users["lead"])
    r = follow_job(c, c.post(f"/inspections/{assessment.case.inspection_id}/cases/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")}))
    return r.status_code, r.content.decode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("case_ref,gender\nÄÖÜ-1,male\n".encode("latin-1"), "cases.csv", "is not UTF-8 text"),
        (b"PK\x03\x04" + b"\x00" * 100, "cases.xlsx", "looks like a spreadsheet"),
        (b"gender,sentence_type\nmale,community_order\n", "cases.csv", "the header must include a case_ref column"),
        (b"case_ref,favourite_colour\nNEW-1,blue\n", "cases.csv", "unknown column(s) favourite_colour"),
        (b"case_ref,gender\n=HYPERLINK(&quot;x&quot;),male\n", "cases.csv", "is not a valid case reference"),
        (b"case_ref,sentence_type\nNEW-1,=cmd|' /C calc'!A0\n", "cases.csv", "Row 2, column sentence_type"),
        (b"case_ref\n", "cases.csv", "no cases under its header row"),
        (b"case_ref,gender\nNEW-1,male,extra\n", "cases.csv", "more values than columns"),
        (b"case_ref\n" + b"NEW-1\n" * (5 * 1024 * 1024 // 6 + 10), "cases.csv", "larger than 5 MB"),
    ],
    ids=["latin-1", "xlsx", "no-case-ref", "unknown-column", "formula-case-ref", "formula-detail", "empty", "ragged", "huge"],
)
def test_a_malformed_case_import_is_refused_with_a_clear_message_and_imports_nothing(
    assessment: Any, users: dict[str, Any], data: bytes, name: str, message: str
) -> None:
    before = Case.objects.count()
    status, html = import_csv(assessment, users, data, name)
    assert status == 400 or (status == 200 and "nothing was imported" in html)  # rows are checked by the background job
    assert message in html.replace("&#39;", "'").replace("&quot;", '"'), html[html.find("There is a problem"):][:600]
    assert Case.objects.count() == before


@pytest.mark.parametrize(
    "data",
    [b"case_ref\n" + b"A" * 200_000 + b"\n", b"case_ref,gender\nNEW-1,ma\rle\n", b"case_ref,gender\n\"NEW-1,male\n"],
    ids=["field-over-128KB", "bare-carriage-return", "unclosed-quote"],
)
def test_csv_the_csv_module_cannot_read_gets_a_clear_message_from_both_uploads(assessment: Any, users: dict[str, Any], data: bytes) -> None:
    status, html = import_csv(assessment, users, data)
    assert status in (200, 400) and "There is a problem" in html
    r = client_for(users["lead"]).post(
        f"/sampling/inspections/{assessment.case.inspection_id}/caseload/",
        {"file": SimpleUploadedFile("caseload.csv", data, content_type="text/csv")},
    )
    assert r.status_code in (200, 400) and "There is a problem" in r.content.decode()
