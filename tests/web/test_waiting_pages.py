"""Pages that wait for background work ask again through htmx (``caseassess/govuk/poll.py``),
never with a timed meta refresh (axe ``meta-refresh``, WCAG 2.2.1). A poll of a page that is
still waiting gets the page (htmx swaps the region in); once the work is done, or the answer
is anything else, the poll gets 204 with ``HX-Refresh`` and the browser loads the whole page;
a busy server's 503 passes through so htmx simply asks again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from caseassess.jobs.models import Job
from tests.web.conftest import client_for, run_jobs

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER": "app-poll"}
CASES = b"case_ref,assessor,rosh_at_start,gender\nP-1,assessor,high,male\n"


def _job_page(c: Any, inspection: Any) -> str:
    r = c.post(f"/inspections/{inspection.pk}/cases/import/", {"file": SimpleUploadedFile("cases.csv", CASES, content_type="text/csv")})
    assert r.status_code == 302
    return str(r["Location"])


@pytest.mark.django_db
def test_a_waiting_job_page_has_a_polled_region_and_no_timed_reload(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    url = _job_page(c, inspection)
    html = c.get(url).content.decode()
    assert 'http-equiv="refresh"' not in html
    region = html[html.index('<div id="app-poll"'):]
    assert region.startswith(f'<div id="app-poll" aria-live="polite" hx-get="{url}" hx-trigger="every 2s" hx-select="#app-poll" hx-swap="outerHTML">')
    assert "Check now" in html  # without JavaScript


@pytest.mark.django_db
def test_a_poll_of_a_page_still_waiting_gets_the_page_and_of_a_finished_one_a_refresh(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    url = _job_page(c, inspection)
    waiting = c.get(url, **POLL)
    assert waiting.status_code == 200 and 'id="app-poll"' in waiting.content.decode()
    assert not waiting.has_header("HX-Refresh")
    run_jobs()
    done = c.get(url, **POLL)
    assert done.status_code == 204 and done["HX-Refresh"] == "true" and done.content == b""
    page = c.get(url)  # the reload htmx then makes: the finished page, nothing polls any more
    assert page.status_code == 200 and "1 case imported" in page.content.decode().replace("1 cases", "1 case")
    assert 'id="app-poll"' not in page.content.decode()


@pytest.mark.django_db
def test_a_request_that_is_not_the_poll_is_left_alone(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    url = _job_page(c, inspection)
    run_jobs()
    other_htmx = c.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="something-else")
    assert other_htmx.status_code == 200 and not other_htmx.has_header("HX-Refresh")
    plain = c.get(url)
    assert plain.status_code == 200 and not plain.has_header("HX-Refresh")


@pytest.mark.django_db
def test_a_poll_answered_with_a_failed_job_loads_the_whole_page(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    url = _job_page(c, inspection)
    DBTaskResult.objects.filter(id=Job.objects.get().task_id).update(status="FAILED")
    r = c.get(url, **POLL)
    assert r.status_code == 204 and r["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_a_busy_database_during_a_poll_passes_through_so_htmx_asks_again(inspection: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    c = client_for(users["lead"])
    url = _job_page(c, inspection)
    from caseassess.jobs import views

    def locked(*_a: Any, **_k: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "job_state", locked)
    r = c.get(url, **POLL)
    assert r.status_code == 503 and not r.has_header("HX-Refresh")
