"""Thin views: authorise, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caseassess.accounts.models import User
from caseassess.assessments.models import Assessment
from caseassess.audit.services import access_log
from caseassess.inspections.models import Inspection, Programme
from caseassess.inspections.permissions import (
    inspection_assessors,
    inspection_for,
    inspection_for_lead,
    inspections_with_findings,
    sees_findings_of,
)
from caseassess.inspections.services import MAX_UPLOAD_BYTES
from caseassess.instruments.selectors import instrument_get
from caseassess.sampling import quality, selectors, services
from caseassess.sampling.forms import OFFENCE_CHOICES, CaseloadForm, DesignForm, DoubleForm
from caseassess.sampling.models import BenchmarkCase, CaseloadUpload, DoubleAssessment, SampleDraw


def _crumbs(inspection: Inspection | None = None, *extra: tuple[str, str]) -> list[dict[str, str]]:
    items = [{"text": "Inspections", "href": reverse("inspections:home")}]
    if inspection:
        items.append({"text": inspection.name, "href": reverse("inspections:detail", args=[inspection.pk])})
    items += [{"text": t, "href": h} for t, h in extra]
    return items


def _sampling_page(request: HttpRequest, inspection: Inspection, *, upload_errors: list[str] | None = None, form: DesignForm | None = None, status: int = 200) -> HttpResponse:
    uploads = list(CaseloadUpload.objects.filter(inspection=inspection).select_related("uploaded_by").defer("rows")[:20])
    draws = list(SampleDraw.objects.filter(inspection=inspection).select_related("drawn_by")[:20])
    if form is None:
        form = DesignForm(initial={"reference_date": inspection.fieldwork_start.isoformat(), "min_months": 6, "max_months": 9, "tolerance": 5, "min_high_rosh": 0, "min_unpaid_work_only": 0})
    errors = bool(upload_errors) or bool(form.errors)
    return render(request, "sampling/inspection.html", {
        "title": f"Draw the case sample – {inspection.name}", "inspection": inspection, "uploads": uploads, "draws": draws,
        "upload_errors": upload_errors or [], "form": form, "offences": OFFENCE_CHOICES, "form_has_errors": errors,
        "breadcrumbs": _crumbs(inspection), "section_nav": "inspections",
    }, status=status)


@login_required
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    return _sampling_page(request, inspection_for_lead(request.user, pk))


@login_required
@require_POST
def upload_caseload(request: HttpRequest, pk: int) -> HttpResponse:
    insp = inspection_for_lead(request.user, pk)
    upload_form = CaseloadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _sampling_page(request, insp, upload_errors=["Choose the caseload extract (a CSV file) to upload"], status=400)
    f = request.FILES["file"]
    data = f.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _sampling_page(request, insp, upload_errors=["The file is larger than 5 MB"], status=400)
    if data.startswith(b"PK\x03\x04"):
        return _sampling_page(request, insp, upload_errors=["The file looks like a spreadsheet (XLSX); save it as CSV UTF-8 and upload again"], status=400)
    upload, errors = services.caseload_upload(inspection=insp, actor=request.user, data=data, filename=f.name or "")
    if upload is None:
        shown = [str(e)[0].upper() + str(e)[1:] for e in errors[:200]]
        if len(errors) > 200:
            shown.append(f"… and {len(errors) - 200} more problems")
        return _sampling_page(request, insp, upload_errors=shown, status=400)
    messages.success(request, f"Caseload uploaded: {upload.row_count} cases")
    return redirect("sampling:inspection", pk=insp.pk)


@login_required
@require_POST
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    insp = inspection_for_lead(request.user, pk)
    form = DesignForm(request.POST)
    upload = CaseloadUpload.objects.filter(inspection=insp).first()
    if upload is None:
        form.is_valid()
        form.add_error(None, "Upload a caseload extract before drawing a sample")
        return _sampling_page(request, insp, form=form, status=400)
    if form.is_valid():
        try:
            design = form.design()
        except ValueError as exc:
            form.add_error(None, str(exc).capitalize())
        else:
            d = services.sample_draw(upload=upload, design=design, actor=request.user)
            return redirect("sampling:draw_detail", pk=d.pk)
    return _sampling_page(request, insp, form=form, status=400)


def _draw_for(request: HttpRequest, pk: int) -> SampleDraw:
    d = SampleDraw.objects.select_related("inspection", "caseload", "drawn_by", "added_by").filter(pk=pk).first()
    if d is None:
        raise Http404("No such sample")
    inspection_for_lead(request.user, d.inspection_id)
    return d


@login_required
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = _draw_for(request, pk)
    rows = {r["case_ref"]: r for r in d.caseload.rows}
    sample = [(ref, rows.get(ref, {}), d.result["weights"].get(ref)) for ref in d.result["case_refs"]]
    return render(request, "sampling/draw.html", {
        "title": f"Sample drawn with seed {d.seed}", "draw": d, "r": d.result, "sample": sample, "inspection": d.inspection,
        "breadcrumbs": _crumbs(d.inspection, ("Draw the case sample", reverse("sampling:inspection", args=[d.inspection_id]))),
        "section_nav": "inspections",
    })


@login_required
@require_POST
def add_sample(request: HttpRequest, pk: int) -> HttpResponse:
    d = _draw_for(request, pk)
    try:
        n = services.sample_add_to_inspection(draw=d, actor=request.user)
    except services.SamplingError as exc:
        messages.error(request, str(exc))
        return redirect("sampling:draw_detail", pk=d.pk)
    messages.success(request, f"{n} cases added to {d.inspection.name}, each with its design weight")
    return redirect("inspections:detail", pk=d.inspection_id)


def _analyst_inspection(request: HttpRequest, pk: int) -> Inspection:
    insp = inspection_for(request.user, pk)
    if not sees_findings_of(request.user, insp):
        raise Http404("No such inspection")
    return insp


@login_required
def weighted(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _analyst_inspection(request, pk)
    findings = selectors.weighted_findings(inspections=[insp])
    return render(request, "sampling/weighted.html", {
        "title": f"Weighted findings – {insp.name}", "inspection": insp, "findings": findings,
        "breadcrumbs": _crumbs(insp), "section_nav": "inspections",
    })


@login_required
@require_http_methods(["GET", "POST"])
def double_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    insp = inspection_for_lead(request.user, pk)
    form = DoubleForm(request.POST or None)
    assessors = inspection_assessors(insp)
    ticked = [int(x) for x in request.POST.getlist("cases") if x.isdigit()]
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            second = next((m for m in assessors if m.username == d["second_assessor"]), None)
            if second is None:
                errors.append(("second_assessor", "Select a second assessor from the inspection team"))
            else:
                candidates = quality.double_assessment_candidates(inspection=insp, second_assessor=second)
                try:
                    if d["mode"] == "ticked":
                        chosen = [a for a in candidates if a.pk in ticked]
                        if not ticked:
                            raise quality.QualityError("Tick at least one case")
                        if len(chosen) != len(ticked):
                            raise quality.QualityError(f"{second.username} cannot double assess {len(ticked) - len(chosen)} of the ticked cases (their own, or already double assessed)")
                    else:
                        chosen = quality.double_assessment_choose(
                            candidates=candidates, number=d.get("number") if d["mode"] == "number" else None,
                            percent=float(d["percent"]) if d["mode"] == "percent" else None, seed=d.get("seed") or 0)
                    pairs = quality.double_assessment_mark(inspection=insp, actor=request.user, second_assessor=second, firsts=chosen)
                except quality.QualityError as exc:
                    errors.append(("cases-0" if d["mode"] == "ticked" else d["mode"] if d["mode"] in ("number", "percent") else "mode", str(exc)))
                else:
                    messages.success(request, f"{len(pairs)} case{'' if len(pairs) == 1 else 's'} marked for double assessment by {second.username}: {', '.join(p.case.case_ref for p in pairs)}")
                    return redirect("sampling:double_assessment", pk=insp.pk)
        errors = [(f, e) for f, errs in form.errors.items() for e in errs] + errors
    return render(request, "sampling/double.html", {
        "title": f"Double assessment – {insp.name}", "inspection": insp, "form": form, "assessors": assessors,
        "candidates": quality.double_assessment_candidates(inspection=insp), "pairs": selectors.double_assessments(inspection=insp),
        "errors": errors, "ticked": ticked, "form_has_errors": bool(errors),
        "breadcrumbs": _crumbs(insp), "section_nav": "inspections",
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    pair = DoubleAssessment.objects.select_related("case", "case__inspection", "first__assessor", "second__assessor", "moderated").filter(pk=pk).first()
    if pair is None:
        raise Http404("No such double assessment")
    insp = inspection_for_lead(request.user, pair.case.inspection_id)
    access_log(user=request.user, kind="case_view", path=request.path, case_id=pair.case_id, inspection_id=insp.pk)
    ins = instrument_get(version=insp.instrument)
    first, second, differ = quality.moderation_differences(pair=pair)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        decisions = {}
        for qid in differ:
            q = ins.question(qid)
            value: Any = request.POST.getlist(f"agreed-{qid}") if q.type.value == "multiple_choice" else request.POST.get(f"agreed-{qid}")
            if q.type.value == "factor_outcomes":  # the agreed answer is one of the two recorded grids
                value = {"first": first.get(qid), "second": second.get(qid)}.get(value or "")
            decisions[qid] = (value, request.POST.get(f"reason-{qid}", ""))
            if value in (None, "", []):
                errors.append((f"agreed-{qid}", f"{qid}: choose the agreed answer"))
            if not decisions[qid][1].strip():
                errors.append((f"reason-{qid}", f"{qid}: give the reason for the agreed answer"))
        if not errors:
            try:
                quality.moderation_record(pair=pair, actor=request.user, decisions=decisions)
            except quality.QualityError as exc:
                errors.append(("moderation", str(exc)))
            else:
                messages.success(request, f"Case {pair.case.case_ref} moderated: only the moderated answers count in the findings")
                return redirect("sampling:moderate", pk=pair.pk)
    questions = [q for q in ins.questions() if q.options is not None and (q.id in first or q.id in second)]
    ordered = [q for q in questions if q.id in differ] + [q for q in questions if q.id not in differ]
    labels = {q.id: {o.value: o.label for o in ins.options_for(q)} for q in questions}
    decisions_done = list(pair.decisions.all()) if pair.moderated_id else []
    return render(request, "sampling/moderate.html", {
        "title": f"Moderate case {pair.case.case_ref}", "inspection": insp, "pair": pair, "questions": ordered, "differ": set(differ),
        "n_differ": len(differ), "first": first, "second": second, "labels": labels, "ins": ins, "errors": errors,
        "post": request.POST if request.method == "POST" else None, "decisions": decisions_done,
        "ready": pair.first.status in quality.DONE and pair.second.status in quality.DONE, "form_has_errors": bool(errors),
        "breadcrumbs": _crumbs(insp, ("Double assessment", reverse("sampling:double_assessment", args=[insp.pk]))), "section_nav": "inspections",
    }, status=400 if errors else 200)


@login_required
def agreement_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _analyst_inspection(request, pk)
    view = selectors.agreement_for(inspections=[insp])
    return render(request, "sampling/agreement.html", {
        "title": f"Agreement between assessors – {insp.name}", "scope": insp.name, "view": view,
        "breadcrumbs": _crumbs(insp), "section_nav": "inspections",
    })


@login_required
def agreement_programme(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme, pk=pk)
    inspections = list(inspections_with_findings(request.user).filter(programme=programme).select_related("instrument"))
    if not inspections:
        raise Http404("No such programme")
    view = selectors.agreement_for(inspections=inspections)
    return render(request, "sampling/agreement.html", {
        "title": f"Agreement between assessors – {programme.name}", "scope": programme.name, "view": view, "inspections": inspections,
        "breadcrumbs": [{"text": "Findings", "href": reverse("reporting:index")}], "section_nav": "findings",
    })


@login_required
@require_http_methods(["GET", "POST"])
def benchmark(request: HttpRequest, pk: int) -> HttpResponse:
    insp = inspection_for_lead(request.user, pk)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "mark":
                ref = Assessment.objects.select_related("case").filter(pk=int(request.POST.get("reference") or 0), case__inspection=insp).first()
                if ref is None:
                    raise quality.QualityError("Select the assessment that holds the agreed answers")
                quality.benchmark_mark(case=ref.case, reference=ref, actor=request.user)
                messages.success(request, f"Case {ref.case.case_ref} is now a benchmark case")
            elif action == "assign":
                bench = BenchmarkCase.objects.select_related("case", "case__inspection").filter(pk=int(request.POST.get("benchmark") or 0), case__inspection=insp).first()
                who = User.objects.filter(username=request.POST.get("assessor", "")).first()
                if bench is None or who is None:
                    raise quality.QualityError("Select an assessor to give the benchmark case to")
                quality.benchmark_assign(bench=bench, actor=request.user, assessor=who)
                messages.success(request, f"Benchmark case {bench.case.case_ref} given to {who.username}")
            else:
                raise Http404()
        except (quality.QualityError, ValueError) as exc:
            errors.append(("reference" if action == "mark" else "assessor", str(exc)))
        else:
            return redirect("sampling:benchmark", pk=insp.pk)
    from caseassess.assessments.models import Status

    references = list(Assessment.objects.filter(case__inspection=insp, status__in=(Status.SUBMITTED, Status.SIGNED_OFF), case__benchmark__isnull=True)
                      .select_related("case", "assessor").order_by("case__case_ref", "id"))
    return render(request, "sampling/benchmark.html", {
        "title": f"Benchmark cases – {insp.name}", "inspection": insp, "benches": selectors.benchmarks(inspection=insp),
        "references": references, "assessors": inspection_assessors(insp),
        "errors": errors, "form_has_errors": bool(errors), "breadcrumbs": _crumbs(insp), "section_nav": "inspections",
    }, status=400 if errors else 200)
