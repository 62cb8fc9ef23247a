"""Background work on django-tasks (database backend): web imports, PDF exports and count
rebuilds run as tasks of a worker; the pages read the task's state; no request does the work."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.models import DBTaskResult

from caseassess.assessments.models import Status
from caseassess.inspections.models import Case
from caseassess.jobs.models import Job
from caseassess.reporting import counts
from caseassess.reporting.models import FindingsCountState
from tests.web.conftest import client_for, run_jobs

ROOT = Path(__file__).resolve().parents[2]
GOOD = b"case_ref,assessor,rosh_at_start,gender\nJ-1,assessor,high,male\nJ-2,,low,female\nJ-3,assessor,medium,male\n"


def _post(c: Any, inspection: Any, data: bytes = GOOD, name: str = "cases.csv") -> Any:
    return c.post(f"/inspections/{inspection.pk}/cases/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


@pytest.mark.django_db
def test_a_web_case_import_is_a_task_the_request_only_queues_and_its_page_shows_the_state(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    r = _post(c, inspection)
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")
    assert not Case.objects.filter(case_ref__startswith="J-").exists()  # the request wrote no case
    job = Job.objects.get()
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    waiting = c.get(r["Location"]).content.decode()
    assert "Waiting to start" in waiting and 'id="app-poll"' in waiting and "waiting for the background worker" in waiting
    assert 'http-equiv="refresh"' not in waiting  # htmx asks again (axe meta-refresh)
    run_jobs()
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    done = c.get(r["Location"]).content.decode()
    assert "3 cases imported" in done and "Finished" in done and 'id="app-poll"' not in done
    assert Case.objects.filter(case_ref__startswith="J-").count() == 3
    assert Job.objects.get().upload is None  # the uploaded file is not kept


@pytest.mark.django_db
def test_only_the_person_who_started_a_job_sees_its_page(inspection: Any, users: dict[str, Any]) -> None:
    r = _post(client_for(users["lead"]), inspection)
    assert client_for(users["analyst"]).get(r["Location"]).status_code == 404
    assert client_for(users["outsider"]).get(r["Location"]).status_code == 404
    assert client_for(users["admin"]).get(r["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_task_that_crashes_is_shown_as_failed_in_peoples_words_and_writes_nothing(inspection: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    from caseassess.inspections import services

    def boom(**kw: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "cases_import_csv", boom)
    c = client_for(users["lead"])
    r = _post(c, inspection)
    run_jobs()
    html = c.get(r["Location"]).content.decode()
    assert "Failed" in html and "Something went wrong while the job ran" in html
    assert "disk full" not in html and "Traceback" not in html
    assert not Case.objects.filter(case_ref__startswith="J-").exists()


@pytest.mark.django_db
def test_a_stale_count_table_of_a_large_inspection_is_rebuilt_by_a_task_while_the_page_waits(
    inspection: Any, users: dict[str, Any], monkeypatch: Any
) -> None:
    from caseassess.inspections.services import case_add

    for k in range(3):
        a = case_add(inspection=inspection, actor=users["lead"], case_ref=f"S-{k}", details={"gender": "male"}).assessments.get()
        a.status = Status.SUBMITTED
        a.save()
    monkeypatch.setattr(counts, "REBUILD_INLINE_MAX_CASES", 2)  # "large": more than 2 cases
    c = client_for(users["analyst"])
    url = f"/findings/programmes/{inspection.programme_id}/"
    r = c.get(url)
    assert r.status_code == 202 and "Bringing the findings up to date" in r.content.decode()
    assert not FindingsCountState.objects.filter(inspection=inspection).exclude(state="").exists()  # not counted in the request
    assert c.get(url).status_code == 202 and Job.objects.filter(kind="counts").count() == 1  # one rebuild, however many refreshes
    run_jobs()
    r = c.get(url)
    assert r.status_code == 200 and "Annex 1" in r.content.decode()
    assert Job.objects.get(kind="counts").key is None  # the next change may start a new rebuild


@pytest.mark.django_db(transaction=True)
def test_end_to_end_a_real_worker_process_runs_the_import_while_the_page_is_polled(inspection: Any, users: dict[str, Any]) -> None:
    """A worker started as the demo and the production start do (``manage.py db_worker``):
    a separate process on PostgreSQL; on SQLite (an in-memory test database only this
    process can open) the same Worker loop in a thread."""
    c = client_for(users["lead"])
    proc = None
    worker = None
    if connection.vendor == "postgresql":
        import os

        env = {**os.environ, "DATABASE_URL": _url(), "CASEASSESS_TESTING": "1"}
        proc = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    else:
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(queue_names=["default"], interval=0.1, batch=False, backend_name="default", startup_delay=False,
                        max_tasks=1, worker_id="e2e", excluded_queue_names=[])
        thread = threading.Thread(target=worker.run, daemon=True)
    try:
        r = _post(c, inspection)
        assert r.status_code == 302
        if worker is not None:
            thread.start()
            # SQLite's shared in-memory test database locks whole tables between its two
            # connections: wait for the worker's one task instead of polling alongside it.
            thread.join(120)
            assert not thread.is_alive()
        seen = []
        for _ in range(300):
            html = c.get(r["Location"]).content.decode()
            seen.append("refresh" in html)
            if "cases imported" in html:
                break
            time.sleep(0.1)
        assert "3 cases imported" in html, html[html.find("<main"):][:800]
        assert Case.objects.filter(case_ref__startswith="J-").count() == 3
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        if worker is not None:
            worker.running = False


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


ANSWERS = (b"case_ref,question_id,answer,sentence_type,rosh_at_start,gender\n"
           b"W-1,B.4.1.1,yes,community_order,high,male\nW-1,B.4.1.6,no,,,\nW-2,B.4.1.1,No,community_order,low,female\n")


def _post_answers(c: Any, inspection: Any, data: bytes, name: str = "answers.csv") -> Any:
    return c.post(f"/inspections/{inspection.pk}/assessments/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


@pytest.mark.django_db
def test_a_web_answers_import_runs_as_a_job_keeps_the_counts_and_reports_rows_and_cases(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.reporting.counts import counts_stale

    c = client_for(users["lead"])
    r = _post_answers(c, inspection, ANSWERS)
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")
    assert not Case.objects.filter(case_ref__startswith="W-").exists()
    run_jobs()
    html = c.get(r["Location"]).content.decode()
    assert "3 rows imported" in html and "2 new cases, 3 new answers" in html
    assert Case.objects.filter(case_ref__startswith="W-").count() == 2
    assert counts_stale(inspection_ids=[inspection.pk])[0] == []  # the next report needs no rebuild


@pytest.mark.django_db
def test_a_web_answers_import_with_bad_rows_lists_them_on_the_job_page_and_writes_nothing(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    bad = ANSWERS + b"W-3,B.4.1.1,perhaps,,,\nW-4,Z.1,yes,,,\n"
    r = _post_answers(c, inspection, bad)
    run_jobs()
    html = c.get(r["Location"]).content.decode().replace("&#39;", "'")
    assert "There is a problem: nothing was imported" in html and "Refused" in html
    assert "Row 5: answer 'perhaps' is not allowed for B.4.1.1" in html and "Row 6: unknown question id 'Z.1'" in html
    assert not Case.objects.filter(case_ref__startswith="W-").exists()
    r = _post_answers(c, inspection, b"%PDF-1.4 not a csv", name="report.pdf")
    run_jobs()
    assert "report.pdf is a PDF, not a CSV file" in c.get(r["Location"]).content.decode()


@pytest.mark.django_db
def test_the_progress_of_a_running_import_is_on_its_page(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.jobs.services import JobProgress

    c = client_for(users["lead"])
    r = _post_answers(c, inspection, ANSWERS)
    job = Job.objects.get()
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")
    JobProgress(job.pk)("Reading and checking", 40, 100, rows=120_000, cases=1_300, force=True)
    html = c.get(r["Location"]).content.decode()
    assert "In progress" in html and "Reading and checking: 120,000 rows, 1,300 cases" in html and "Progress: 40%" in html
    assert 'id="app-poll"' in html and 'hx-trigger="every 2s"' in html


@pytest.mark.django_db
def test_a_job_row_read_before_the_task_finished_shows_the_result_once_it_has(inspection: Any, users: dict[str, Any]) -> None:
    """The job page reads the job, then the task's status: a task that finishes between
    the two must not show "Finished" with an empty result ("0 rows imported")."""
    from caseassess.jobs.services import job_state

    r = _post_answers(client_for(users["lead"]), inspection, ANSWERS)
    assert r.status_code == 302
    stale = Job.objects.get()  # read while the task is still waiting
    run_jobs()
    state = job_state(stale)
    assert state.status == "SUCCESSFUL"
    assert (stale.result["rows"], stale.result["answers_created"], stale.phase) == (3, 3, "Finished")
