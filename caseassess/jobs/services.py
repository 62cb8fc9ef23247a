"""Start background jobs and report their progress. A job is a ``Job`` row plus a task
of ``django-tasks`` (database backend) that a worker process (``manage.py db_worker``)
runs; the request that starts it only writes two rows."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction

from caseassess.jobs.models import Job, JobKind

#: People's words for the task framework's states.
STATUS_LABELS = {
    "READY": "Waiting to start",
    "RUNNING": "In progress",
    "SUCCESSFUL": "Finished",
    "FAILED": "Failed",
    "MISSING": "Not found",
}


def _task_for(kind: str) -> Any:
    from caseassess.jobs import tasks

    return {
        JobKind.IMPORT_CASES: tasks.import_cases_task,
        JobKind.IMPORT_ASSESSMENTS: tasks.import_assessments_task,
        JobKind.PDF: tasks.pdf_task,
        JobKind.COUNTS: tasks.counts_rebuild_task,
        JobKind.WITHIN: tasks.within_counts_task,
    }[JobKind(kind)]


def job_start(*, kind: str, title: str, owner: Any = None, inspection: Any = None, params: dict[str, Any] | None = None,
              upload: bytes | None = None, upload_name: str = "", key: str | None = None) -> Job:
    """Create the job and enqueue its task. With ``key``, an unfinished or finished job of
    the same key is returned instead (one PDF per report, one rebuild per inspection)."""
    if key is not None:
        found = Job.objects.filter(key=key).first()
        if found is not None:
            return found
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, title=title[:200], owner=owner if getattr(owner, "pk", None) else None, inspection=inspection,
                params=params or {}, upload=upload, upload_name=upload_name[:200], key=key, phase="Waiting for a worker",
            )
            result = _task_for(kind).enqueue(str(job.pk))
            job.task_id = str(result.id)
            job.save(update_fields=["task_id"])
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)  # another web process started it a moment ago
    return job


def job_retry(job: Job) -> Job:
    """Enqueue a failed job's task again (the same row, progress reset)."""
    result = _task_for(job.kind).enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id), phase="Waiting for a worker", done=0, total=0, result=None)
    job.refresh_from_db()
    return job


def task_status(job: Job) -> str:
    """READY, RUNNING, SUCCESSFUL, FAILED (the task framework's state), or MISSING."""
    from django_tasks import default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not job.task_id:
        return "MISSING"
    try:
        return str(default_task_backend.get_result(job.task_id).status)
    except TaskResultDoesNotExist:
        return "MISSING"


@dataclass(frozen=True)
class JobState:
    job: Job
    status: str  # READY | RUNNING | SUCCESSFUL | FAILED | MISSING
    label: str
    finished: bool
    percent: int | None


def job_state(job: Job) -> JobState:
    status = task_status(job)
    if status in ("SUCCESSFUL", "FAILED"):
        # The task writes its result to the job row before the worker marks it finished: a row
        # read before the status may predate that write ("0 rows imported" seen by the load run).
        job.refresh_from_db(fields=["result", "phase", "done", "total", "params"])
    pct = min(100, int(100 * job.done / job.total)) if job.total else None
    if status == "SUCCESSFUL":
        pct = 100
    return JobState(job=job, status=status, label=STATUS_LABELS[status], finished=status in ("SUCCESSFUL", "FAILED", "MISSING"), percent=pct)


class JobProgress:
    """The ``progress(phase, done, total)`` callback a task hands to the work it runs: it
    writes the job row at most twice a second, and never from inside a transaction (on
    SQLite the writer holds the only write lock; elsewhere nobody else would see it)."""

    def __init__(self, job_id: Any, every: float = 0.5) -> None:
        self.job_id = job_id
        self.every = every
        self._last = 0.0
        self._depth = len(connection.atomic_blocks)  # transactions already open when the task began

    def __call__(self, phase: str, done: int = 0, total: int = 0, *, force: bool = False, rows: int | None = None, cases: int | None = None) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        if len(connection.atomic_blocks) > self._depth:
            return  # inside the work's own transaction
        self._last = now
        if rows is not None:
            phase = f"{phase}: {rows:,} rows, {cases or 0:,} cases"
        Job.objects.filter(pk=self.job_id).update(phase=phase[:120], done=done, total=total)
