"""PDF exports take seconds to lay out (WeasyPrint), so the web page asks a background
task to prepare them and shows a progress page that refreshes itself (no JavaScript).

A PDF is keyed by the SHA-256 of the report's numbers and title: the same findings are
laid out once, and a report whose numbers changed gets a new file. The job row's unique
key (``caseassess.jobs``) is what keeps two web processes from laying out the same PDF
twice, and the PDF is kept in the database, so any web process can serve it; the task
runs in the worker (``manage.py db_worker``) of ``django-tasks``."""

from __future__ import annotations

import hashlib
import json

from caseassess.dbrouter import primary_reads
from caseassess.jobs.models import Job, JobKind
from caseassess.jobs.services import job_retry, job_start, task_status
from caseassess_core.findings.report import Report, report_to_dict


def report_key(report: Report) -> str:
    return hashlib.sha256(json.dumps(report_to_dict(report), sort_keys=True, default=str).encode()).hexdigest()[:32]


def _job(key: str) -> Job | None:
    return Job.objects.filter(key=f"pdf:{key}").defer("output").first()


def pdf_status(key: str) -> tuple[str, bytes | None]:
    """('ready', bytes) | ('running', None) | ('failed', None) | ('missing', None).
    Read from the primary: a replica may not yet have the job this page just started."""
    with primary_reads():
        return _pdf_status(key)


def _pdf_status(key: str) -> tuple[str, bytes | None]:
    job = _job(key)
    if job is None:
        return "missing", None
    status = task_status(job)
    if status == "SUCCESSFUL":
        data = Job.objects.filter(pk=job.pk).values_list("output", flat=True).first()
        return ("ready", bytes(data)) if data else ("failed", None)
    if status in ("FAILED", "MISSING"):
        return "failed", None
    return "running", None


def pdf_start(key: str, html: str, base_url: str) -> None:
    """Enqueue the layout unless a job for this report exists; a failed one is tried again."""
    with primary_reads():
        _pdf_start(key, html, base_url)


def _pdf_start(key: str, html: str, base_url: str) -> None:
    job = job_start(kind=JobKind.PDF, title="PDF of the findings", key=f"pdf:{key}", params={"html": html, "base_url": base_url})
    if task_status(job) in ("FAILED", "MISSING"):
        Job.objects.filter(pk=job.pk).update(params={"html": html, "base_url": base_url})
        job_retry(job)
