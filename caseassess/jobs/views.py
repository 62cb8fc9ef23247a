from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caseassess.jobs.models import Job, JobKind
from caseassess.jobs.services import job_retry, job_state


def _own_job(request: HttpRequest, pk: str) -> Job:
    """A person sees only the jobs they started (an administrator sees every one)."""
    job = Job.objects.select_related("inspection").filter(pk=pk).first()
    if job is None or not (job.owner_id == request.user.pk or getattr(request.user, "role", "") == "administrator"):
        raise Http404("No such job")
    return job


@login_required
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = _own_job(request, pk)
    state = job_state(job)
    back = reverse("inspections:detail", args=[job.inspection_id]) if job.inspection_id else reverse("inspections:home")
    result = job.result or {}
    return render(request, "jobs/detail.html", {
        "title": job.title, "job": job, "state": state, "result": result, "back": back,
        "errors": result.get("errors", []) if state.status == "SUCCESSFUL" else [],
        "is_import": job.kind in (JobKind.IMPORT_CASES, JobKind.IMPORT_ASSESSMENTS),
        "breadcrumbs": [{"text": job.inspection.name, "href": back}] if job.inspection_id else [],
        "section_nav": "inspections",
    })


@login_required
@require_POST
def retry(request: HttpRequest, pk: str) -> HttpResponse:
    job = _own_job(request, pk)
    if job_state(job).status == "FAILED" and job.kind in (JobKind.PDF, JobKind.COUNTS):
        job_retry(job)
    return redirect("jobs:detail", pk=job.pk)
