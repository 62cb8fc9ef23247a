from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caseassess.assessments.models import Assessment
from caseassess.assessments.services import assessment_blockers
from caseassess.inspections import services
from caseassess.inspections.forms import CaseForm, UploadForm
from caseassess.inspections.models import Inspection
from caseassess.inspections.permissions import (
    inspection_assessors,
    inspection_for,
    inspection_for_lead,
    inspection_role,
    inspections_visible,
    is_lead_of,
    may_change_area,
    programmes_for_new_inspections,
    sees_findings_of,
)
from caseassess.inspections.selectors import (
    allocation_work,
    inspection_assessments,
    inspection_disagreements,
    inspection_progress,
)
from caseassess.jobs.models import JobKind
from caseassess.jobs.services import job_start


def _crumbs(inspection: Inspection | None = None) -> list[dict[str, str]]:
    items = [{"text": "Inspections", "href": reverse("inspections:home")}]
    if inspection:
        items.append({"text": inspection.name, "href": reverse("inspections:detail", args=[inspection.pk])})
    return items


@login_required
def home(request: HttpRequest) -> HttpResponse:
    inspections = list(inspections_visible(request.user).select_related("programme", "instrument"))
    mine = list(
        Assessment.objects.filter(assessor=request.user).exclude(status="signed_off").select_related("case", "case__inspection")
    )
    can_create = programmes_for_new_inspections(request.user).exists()
    return render(request, "inspections/home.html", {"title": "Inspections", "inspections": inspections, "mine": mine, "can_create": can_create, "section_nav": "inspections"})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_for(request.user, pk)
    role = inspection_role(request.user, inspection.pk)
    is_lead = is_lead_of(request.user, inspection)
    assessments = inspection_assessments(inspection=inspection, user=request.user) if role != "analyst" else []
    progress = inspection_progress(inspection=inspection)
    blockers = {}
    if is_lead:
        for a in assessments:
            if a.status in ("not_started", "in_progress", "returned"):
                b = assessment_blockers(assessment=a)
                blockers[a.pk] = b
    members = list(inspection.memberships.select_related("user").order_by("user__username"))
    from caseassess.inspections.selectors import area_tiering_rows
    from caseassess.instruments.selectors import instrument_get

    return render(
        request,
        "inspections/detail.html",
        {
            "title": inspection.name, "inspection": inspection, "assessments": assessments, "progress": progress,
            "blockers": blockers, "members": members, "is_lead": is_lead, "sees_findings": sees_findings_of(request.user, inspection),
            "may_change_area": may_change_area(request.user, inspection.area),
            "local_tiering": area_tiering_rows(inspection=inspection, ins=instrument_get(version=inspection.instrument)),
            "disagreements": inspection_disagreements(inspection=inspection) if is_lead else [], "assessors": inspection_assessors(inspection),
            "breadcrumbs": _crumbs(), "section_nav": "inspections",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_case(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_for_lead(request.user, pk)
    form = CaseForm(request.POST or None)
    upload = UploadForm()
    import_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        assessor = None
        username = form.cleaned_data["assessor"]
        if username:
            assessor = next((u for u in inspection_assessors(inspection) if u.username == username), None)
        try:
            services.case_add(inspection=inspection, actor=request.user, case_ref=form.cleaned_data["case_ref"], assessor=assessor)
        except services.CaseError as exc:
            form.add_error("case_ref", str(exc))
        else:
            messages.success(request, f"Case {form.cleaned_data['case_ref']} added")
            return redirect("inspections:detail", pk=inspection.pk)
    return render(request, "inspections/add_case.html", {"title": "Add cases", "inspection": inspection, "form": form, "upload": upload, "import_errors": import_errors, "form_has_errors": bool(form.errors), "assessors": inspection_assessors(inspection), "breadcrumbs": _crumbs(inspection), "section_nav": "inspections"}, status=400 if form.errors else 200)


@login_required
@require_POST
def import_cases(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_for_lead(request.user, pk)
    upload = UploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if upload.is_valid():
        f = request.FILES["file"]
        data = f.read(services.MAX_UPLOAD_BYTES + 1)
        try:
            text = services.decode_upload(data, name=f.name or "The file")
            errors = services.cases_import_header_errors(inspection=inspection, text=text)
        except services.CaseError as exc:
            errors = [str(exc)]
        if not errors:
            # The rows are checked and written by a background job (django-tasks); its page shows the progress.
            job = job_start(kind=JobKind.IMPORT_CASES, title=f"Importing cases into {inspection.name}", owner=request.user,
                            inspection=inspection, upload=data, upload_name=f.name or "cases.csv")
            return redirect("jobs:detail", pk=job.pk)
    else:
        errors = ["Choose a CSV file to upload"]
    return render(request, "inspections/add_case.html", {"title": "Add cases", "inspection": inspection, "form": CaseForm(), "upload": upload, "import_errors": errors, "form_has_errors": True, "assessors": inspection_assessors(inspection), "breadcrumbs": _crumbs(inspection), "section_nav": "inspections"}, status=400)


#: The largest answers file the web page takes (the command line reads up to 1 GB).
WEB_ANSWERS_MAX_BYTES = 100 * 1024 * 1024


@login_required
@require_POST
def import_assessments(request: HttpRequest, pk: int) -> HttpResponse:
    """Answers from a long CSV (as ``import_assessments``): checked and written by a
    background job whose page shows the progress; the request only stores the file."""
    inspection = inspection_for_lead(request.user, pk)
    upload = UploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if upload.is_valid():
        f = request.FILES["file"]
        if (f.size or 0) > WEB_ANSWERS_MAX_BYTES:
            errors = [f"{f.name} is larger than 100 MB; import it with the import_assessments command, or split it"]
        else:
            data = f.read()
            job = job_start(kind=JobKind.IMPORT_ASSESSMENTS, title=f"Importing answers into {inspection.name}", owner=request.user,
                            inspection=inspection, upload=data, upload_name=f.name or "answers.csv")
            return redirect("jobs:detail", pk=job.pk)
    else:
        errors = ["Choose a CSV file to upload"]
    return render(request, "inspections/add_case.html", {"title": "Add cases", "inspection": inspection, "form": CaseForm(), "upload": upload, "answer_errors": errors, "form_has_errors": True, "assessors": inspection.members.order_by("username"), "breadcrumbs": _crumbs(inspection), "section_nav": "inspections"}, status=400)


@login_required
@require_POST
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Allocate one case (its row's Allocate button) or every ticked case (bulk). Cases that
    already have answers are reallocated only after a warning saying how much work has been
    done and by whom. Afterwards the page goes back to the case's row."""
    inspection = inspection_for_lead(request.user, pk)
    post = request.POST
    if post.get("row"):  # one row's Allocate button: that row's chosen assessor
        ids, username = [post["row"]], post.get(f"assessor-{post['row']}", "")
    elif post.get("action") == "bulk" or post.get("action") == "confirm":
        ids, username = post.getlist("assessments"), post.get("bulk_assessor", "")
    else:  # the single-case form: assessment + assessor
        ids, username = [post.get("assessment", "")], post.get("assessor", "")
    try:
        wanted = [int(i) for i in ids]
    except ValueError:
        raise Http404("No such case") from None
    back = reverse("inspections:detail", args=[inspection.pk])
    if not wanted:
        messages.error(request, "Tick the cases to allocate")
        return redirect(back + "#cases")
    assessments = list(Assessment.objects.select_related("case", "assessor").filter(pk__in=wanted, case__inspection=inspection).order_by("case__case_ref"))
    if len(assessments) != len(set(wanted)):
        raise Http404("No such case")
    assessor = next((u for u in inspection_assessors(inspection) if u.username == username), None) if username else None
    if username and assessor is None:
        messages.error(request, f"{username} is not part of this inspection")
        return redirect(back + f"#case-{assessments[0].pk}")
    moving = [a for a in assessments if a.assessor_id != (assessor.pk if assessor else None)]
    work = allocation_work(assessments=moving)
    if work and post.get("action") != "confirm":
        return render(
            request,
            "inspections/allocate_confirm.html",
            {
                "title": "Reallocate cases with answers?" if len(work) > 1 else f"Reallocate case {work[0].assessment.case.case_ref}?",
                "inspection": inspection, "assessments": assessments, "work": work, "assessor": assessor,
                "without_work": [a for a in moving if a.pk not in {w.assessment.pk for w in work}],
                "breadcrumbs": _crumbs(inspection), "section_nav": "inspections",
            },
        )
    try:
        services.cases_allocate(assessments=moving, actor=request.user, assessor=assessor)
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        who = (assessor.get_full_name() or assessor.username) if assessor else "nobody"
        refs = ", ".join(a.case.case_ref for a in assessments)
        messages.success(request, f"Case{'s' if len(assessments) > 1 else ''} {refs} allocated to {who}")
    return redirect(back + f"#case-{assessments[0].pk}")


@login_required
@require_http_methods(["GET", "POST"])
def area_tiering(request: HttpRequest, pk: int) -> HttpResponse:
    """Local determination of the tiering grid rows that the grid leaves to the area (leads only)."""
    from caseassess.inspections.selectors import area_tiering_rows, local_tiering_rows
    from caseassess.instruments.selectors import instrument_get

    inspection = inspection_for(request.user, pk)
    if not may_change_area(request.user, inspection.area):
        # Only the area's own leads (and administrators) change its settings: leading an
        # inspection that names the area grants nothing.
        raise Http404("No such inspection")
    ins = instrument_get(version=inspection.instrument)
    errors: dict[str, str] = {}
    submitted: dict[str, str] = {}
    if request.method == "POST":
        submitted = {k[4:]: v for k, v in request.POST.items() if k.startswith("row-")}
        try:
            changed = services.area_tiering_set(inspection=inspection, actor=request.user, choices=submitted)
        except services.AreaSettingsError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"Local determination for {inspection.area} saved" if changed else "No changes to save")
            return redirect("inspections:detail", pk=inspection.pk)
    local_ids = {str(r["id"]) for r in local_tiering_rows(ins=ins)}
    return render(
        request,
        "inspections/area_tiering.html",
        {
            "title": "Local determination of tiering", "inspection": inspection,
            "rows": area_tiering_rows(inspection=inspection, ins=ins), "tiers": ["tier_1", "tier_2", "tier_3", "tier_4"],
            "errors": errors, "submitted": submitted, "local_ids": local_ids, "form_has_errors": bool(errors),
            "breadcrumbs": _crumbs(inspection), "section_nav": "inspections",
        },
        status=400 if errors else 200,
    )
