"""The tasks of ``django-tasks`` that the worker (``manage.py db_worker``) runs. Each reads
its ``Job`` row, does the work with a progress callback, and stores what the result page
shows. An exception marks the task failed (the worker records the traceback; the page
says it failed in people's words)."""

from __future__ import annotations

import io
from typing import Any

from django_tasks import task

from caseassess.jobs.models import Job
from caseassess.jobs.services import JobProgress


@task()
def import_cases_task(job_id: str) -> dict[str, Any]:
    from caseassess.inspections import services

    job = Job.objects.select_related("inspection", "owner").get(pk=job_id)
    progress = JobProgress(job.pk)
    progress("Checking the file", force=True)
    try:
        text = services.decode_upload(bytes(job.upload or b""), name=job.upload_name or "The file")
        report = services.cases_import_csv(inspection=job.inspection, actor=job.owner, text=text, progress=progress)
        result: dict[str, Any] = {"ok": not report.errors, "created": report.created, "errors": report.errors}
    except services.CaseError as exc:
        result = {"ok": False, "created": 0, "errors": [str(exc)]}
    Job.objects.filter(pk=job.pk).update(result=result, upload=None, phase="Finished")
    return {"ok": result["ok"], "created": result["created"]}


@task()
def import_assessments_task(job_id: str) -> dict[str, Any]:
    from caseassess.reporting.dataexchange import import_stream_result

    job = Job.objects.select_related("inspection", "owner").get(pk=job_id)
    progress = JobProgress(job.pk)
    progress("Checking the file", force=True)
    data = bytes(job.upload or b"")
    result = import_stream_result(inspection=job.inspection, actor=job.owner, data=io.BytesIO(data), size=len(data),
                                  name=job.upload_name or "The file", progress=progress)
    Job.objects.filter(pk=job.pk).update(result=result, upload=None, phase="Finished")
    return {"ok": result["ok"], "rows": result.get("rows", 0)}


@task()
def pdf_task(job_id: str) -> dict[str, Any]:
    from caseassess.reporting import exports

    job = Job.objects.get(pk=job_id)
    JobProgress(job.pk)("Laying out the PDF", force=True)
    data = exports.to_pdf(job.params["html"], job.params.get("base_url", "/"))
    Job.objects.filter(pk=job.pk).update(output=data, params={"bytes": len(data)}, phase="Finished")
    return {"bytes": len(data)}


@task()
def counts_rebuild_task(job_id: str) -> dict[str, Any]:
    from caseassess.reporting.counts import counts_ensure

    job = Job.objects.get(pk=job_id)
    ids = [int(i) for i in job.params.get("inspection_ids", [])]
    JobProgress(job.pk)(f"Counting the answers of {len(ids)} inspection(s)", 0, len(ids), force=True)
    rebuilt = counts_ensure(inspection_ids=ids)
    # The key frees up for the next change: a later stale state starts a new rebuild.
    Job.objects.filter(pk=job.pk).update(key=None, phase="Finished", done=len(ids), total=len(ids), result={"rebuilt": rebuilt})
    return {"rebuilt": rebuilt}


@task()
def within_counts_task(job_id: str) -> dict[str, Any]:
    """The counts of a two-attribute comparison of a large programme (grouped from the answers):
    kept in the job row, which the compare page and its downloads read while the data is the
    same (the job's key carries the inspections' count state)."""
    from caseassess.inspections.models import Inspection
    from caseassess.reporting.selectors import within_counts

    job = Job.objects.get(pk=job_id)
    p = job.params
    inspections = list(Inspection.objects.filter(pk__in=[int(i) for i in p["inspection_ids"]]).select_related("area"))
    JobProgress(job.pk)(f"Counting the answers of {p.get('cases', 0):,} cases", force=True)
    counted = within_counts(inspections=inspections, fields=list(p["fields"]), within=(p["within"][0], list(p["within"][1])))
    Job.objects.filter(pk=job.pk).update(result=counted, phase="Finished")
    return {"groups": sum(len(v) for v in counted["answers"].values())}
