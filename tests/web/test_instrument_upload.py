"""Instrument versions from the browser (issue 12 item 6): upload, every problem listed with
file and line and nothing stored, the dangerous uploads refused with a clear message, the
difference from the previous version, publishing for new inspections."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caseassess.audit.models import AuditEvent
from caseassess.instruments.models import InstrumentVersion
from tests.web.conftest import MINI, client_for

pytestmark = pytest.mark.django_db
URL = "/instruments/manage/versions/"


def mini_files(**replace: str) -> dict[str, str]:
    """The mini instrument's files as text, as version mini-2014 with edits."""
    files = {p.name: p.read_text(encoding="utf-8") for p in MINI.iterdir()}
    files["instrument.yaml"] = files["instrument.yaml"].replace("id: mini-2013", "id: mini-2014")
    for old, new in replace.items():
        for name in files:
            files[name] = files[name].replace(old, new)
    return files


def as_zip(files: dict[str, str | bytes], *, prefix: str = "mini-2014/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(prefix + name, body)
    return buf.getvalue()


def post(c: Any, *uploads: tuple[str, bytes]) -> Any:
    return c.post(URL, {"files": [SimpleUploadedFile(n, b) for n, b in uploads]})


def problems_of(r: Any) -> str:
    html = r.content.decode()
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


@pytest.fixture
def admin(users: dict[str, Any]) -> Any:
    return client_for(users["admin"])


def test_a_zip_is_loaded_unpublished_reviewed_against_the_previous_version_and_published(admin: Any, mini_version: Any, inspection: Any) -> None:
    files = mini_files(**{
        "text: Was there a timely RoSH screening?": "text: Was there a timely Risk of Serious Harm screening?",
        "          - id: D.2.2.9\n": "          - id: D.2.2.10\n",
        "{value: na, label: Not applicable, scoring: excluded}": "{value: na, label: Not applicable, scoring: insufficient}",
    })
    r = post(admin, ("mini-2014.zip", as_zip(files)))
    assert r.status_code == 302
    new = InstrumentVersion.objects.get(instrument_id="mini-2014")
    assert not new.published and r["Location"] == f"{URL}{new.pk}/"
    review = admin.get(r["Location"]).content.decode()
    assert "Changes from mini-2013" in review
    assert "Questions added (1)" in review and "D.2.2.10" in review
    assert "Questions removed (1)" in review and "D.2.2.9" in review
    assert "Questions reworded (1)" in review and "Was there a timely Risk of Serious Harm screening?" in review
    assert "Scoring changed" in review and "na: excluded" in review and "na: insufficient" in review
    # Not offered for new inspections until published.
    assert "mini-2014" not in admin.get("/inspections/new/").content.decode()
    assert admin.post(f"{URL}{new.pk}/publish/").status_code == 302
    new.refresh_from_db()
    assert new.published
    assert "(mini-2014)" in admin.get("/inspections/new/").content.decode()
    assert [e.action for e in AuditEvent.objects.filter(entity="instrument", entity_id="mini-2014").order_by("id")] == ["instrument_upload", "instrument_publish"]


def test_the_loose_files_of_the_directory_can_be_uploaded_too(admin: Any) -> None:
    files = mini_files()
    r = post(admin, *[(n, b.encode()) for n, b in files.items()])
    assert r.status_code == 302 and InstrumentVersion.objects.filter(instrument_id="mini-2014").exists()


def test_every_problem_is_listed_with_file_and_line_and_nothing_is_loaded(admin: Any, mini_version: Any) -> None:
    files = mini_files(**{"options: yes_no_na\n            comment: true": "options: nope\n            comment: true", "id: A.1.1.4": "id: A.1.1.3"})
    r = post(admin, ("broken.zip", as_zip(files)))
    assert r.status_code == 400
    summary = problems_of(r)
    assert "The instrument was not loaded: 2 problems" in summary
    assert "views.yaml, line 41: views[0].sections[1].questions[1].options: unknown option set &#39;nope&#39;" in summary
    assert "views.yaml, line 18: views[0].sections[0].questions[1].id: duplicate question id A.1.1.3" in summary
    assert not InstrumentVersion.objects.filter(instrument_id="mini-2014").exists()
    assert not AuditEvent.objects.filter(action="instrument_upload").exists()


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("zip-slip", lambda: as_zip({**mini_files(), "../../outside.yaml": "x: 1"}), "has a path outside the instrument directory"),
        ("absolute path", lambda: as_zip({"/etc/cron.d/evil": "x"}, prefix=""), "has a path outside the instrument directory"),
        ("zip bomb", lambda: as_zip({**mini_files(), "tables/big.md": "0" * (1024 * 1024)}), "packed 1"),
        ("over-size file", lambda: as_zip({**mini_files(), "tables/huge.md": "".join(f"{i:x}" for i in range(500_000))}), "the limit is 2 MB per file"),
        ("not UTF-8", lambda: as_zip({**mini_files(), "views.yaml": mini_files()["views.yaml"].encode().replace(b"Delivery & review", b"D\xe9livery & review")}),
         "views.yaml, line 44"),
        ("include outside", lambda: as_zip(mini_files(**{"include: [views.yaml]": "include: [views.yaml, ../../../../etc/passwd]"})), "is outside the instrument directory"),
        ("not a zip", lambda: b"PK\x03\x04 not really", "this is not a zip file"),
        ("no instrument.yaml", lambda: as_zip({"views.yaml": mini_files()["views.yaml"]}), "the upload has no instrument.yaml"),
    ],
)
def test_dangerous_or_broken_uploads_get_a_clear_message_and_nothing_is_stored(admin: Any, mini_version: Any, tmp_path: Path, name: str, build: Any, message: str) -> None:
    before = InstrumentVersion.objects.count()
    r = post(admin, ("upload.zip", build()))
    assert r.status_code == 400, name
    assert message in problems_of(r), (name, problems_of(r))
    assert InstrumentVersion.objects.count() == before
    assert not AuditEvent.objects.filter(action="instrument_upload").exists()


def test_a_non_utf8_file_names_the_byte_and_the_line(admin: Any) -> None:
    files: dict[str, str | bytes] = dict(mini_files())
    files["views.yaml"] = str(files["views.yaml"]).encode().replace(b"Delivery & review", b"D\xe9livery & review")
    summary = problems_of(post(admin, ("upload.zip", as_zip(files))))
    assert "views.yaml, line 44: the file is not UTF-8" in summary and "is 0xe9" in summary


def test_a_loose_file_over_the_size_limit_is_refused(admin: Any) -> None:
    r = post(admin, ("instrument.yaml", b"id: x\n" + b"#" * (3 * 1024 * 1024)))
    assert r.status_code == 400 and "the limit is 2 MB per file" in problems_of(r)
    assert not InstrumentVersion.objects.exists()


def test_a_loaded_version_is_never_changed_in_place(admin: Any, mini_version: Any) -> None:
    files = {p.name: p.read_text(encoding="utf-8") for p in MINI.iterdir()}
    files["views.yaml"] = files["views.yaml"].replace("Was there a timely RoSH screening?", "Reworded")
    r = post(admin, ("mini.zip", as_zip(files)))
    assert r.status_code == 400 and "a version in use is never changed in place" in problems_of(r)
    mini_version.refresh_from_db()
    assert mini_version.definition["views"][0]["sections"][1]["questions"][0]["text"] == "Was there a timely RoSH screening?"


@pytest.mark.parametrize("who", ["lead", "assessor", "analyst"])
def test_only_administrators_upload_or_publish(who: str, users: dict[str, Any], mini_version: Any) -> None:
    c = client_for(users[who])
    assert c.get(URL).status_code == 404
    assert post(c, ("mini-2014.zip", as_zip(mini_files()))).status_code == 404
    assert c.get(f"{URL}{mini_version.pk}/").status_code == 404
    InstrumentVersion.objects.filter(pk=mini_version.pk).update(published=False)
    assert c.post(f"{URL}{mini_version.pk}/publish/").status_code == 404
    assert InstrumentVersion.objects.count() == 1 and not InstrumentVersion.objects.get().published
