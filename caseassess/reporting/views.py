from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from markupsafe import Markup

from caseassess.audit.services import access_log
from caseassess.dbrouter import reads_from_replica
from caseassess.inspections.models import Programme
from caseassess.inspections.permissions import inspection_for, inspections_visible
from caseassess.reporting import exports, pdfcache
from caseassess.reporting.selectors import (
    STANDARD,
    custom_dimension,
    findings_report,
    programme_inspections,
    scope_instrument,
)
from caseassess_core.findings import charts
from caseassess_core.findings.report import Report

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def charts_for(report: Report) -> dict[str, Any]:
    """Accessible SVG charts (each with a data table beside it in the page)."""
    return {
        "chart1": Markup(charts.chart1_svg(report.chart1, title="Chart 1: headline and general criteria scores")),  # noqa: S704 - SVG built with escaped text
        "chart2": Markup(charts.chart2_svg(report.chart2, title="Chart 2: headline scores by area")),  # noqa: S704
        "tables": [Markup(charts.comparison_svg(t, title=t.title, chart_id=f"chart-{t.id}")) for t in report.tables],  # noqa: S704
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    visible = inspections_visible(request.user).select_related("programme")
    programmes = Programme.objects.filter(inspections__in=visible).distinct().order_by("name")
    return render(
        request, "reporting/index.html",
        {"title": "Findings", "programmes": programmes, "inspections": visible, "section_nav": "findings"},
    )


def _render(request: HttpRequest, report: Report, fmt: str | None, *, scope: str, export_base: str, compare_url: str = "", agreement_url: str = "") -> HttpResponse:
    if fmt is None:
        access_log(user=request.user, kind="report_view", path=request.path)
        return render(request, "reporting/report.html", {
            "title": report.title, "report": report, "charts": charts_for(report), "scope": scope,
            "export_base": export_base, "compare_url": compare_url, "agreement_url": agreement_url, "breadcrumbs": [{"text": "Findings", "href": reverse("reporting:index")}],
            "section_nav": "findings",
        })
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    access_log(user=request.user, kind="export", path=request.path)
    name = f"findings-{scope}".replace(" ", "-").lower()
    if fmt == "csv":
        body: str | bytes = exports.to_csv(report)
    elif fmt == "json":
        body = exports.to_json(report)
    elif fmt == "xlsx":
        body = exports.to_xlsx(report)
    else:
        key = pdfcache.report_key(report)
        status, pdf = pdfcache.pdf_status(key)
        if pdf is None:
            if status == "missing" or (status == "failed" and request.GET.get("retry") == "1"):
                html = render_to_string("reporting/report_print.html", {"report": report, "charts": charts_for(report), "scope": scope}, request=request)
                pdfcache.pdf_start(key, html, request.build_absolute_uri("/"))
                status = "running"
            return render(request, "reporting/preparing.html", {
                "title": "Preparing the PDF", "status": status, "report": report, "back": export_base,
                "section_nav": "findings",
            }, status=202 if status == "running" else 500)
        body = pdf
    resp = HttpResponse(body, content_type=FORMATS[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


def _counts_pending(request: HttpRequest, inspections: list[Any]) -> HttpResponse | None:
    """When the count table of a large inspection must be rebuilt first (answers changed by
    a route that does not keep it, e.g. a restore), a background task rebuilds it and this
    page waits for it, refreshing itself: no request spends minutes counting."""
    from caseassess.jobs.models import JobKind
    from caseassess.jobs.services import job_retry, job_start, job_state
    from caseassess.reporting.counts import REBUILD_INLINE_MAX_CASES, counts_stale

    stale, cases, current = counts_stale(inspection_ids=[i.pk for i in inspections])
    if not stale or cases <= REBUILD_INLINE_MAX_CASES:
        return None
    key = "counts:" + hashlib.sha256("|".join(f"{i}:{current[i]}" for i in sorted(stale)).encode()).hexdigest()[:40]
    job = job_start(kind=JobKind.COUNTS, title="Bringing the findings up to date", key=key, params={"inspection_ids": sorted(stale)})
    state = job_state(job)
    if state.status in ("FAILED", "MISSING") and request.GET.get("retry") == "1":
        state = job_state(job_retry(job))
    query = request.GET.copy()
    query["retry"] = "1"
    return render(request, "jobs/counts_pending.html", {
        "title": "Bringing the findings up to date", "state": state, "cases": cases, "inspections": len(stale),
        "retry_url": f"{request.path}?{query.urlencode()}",
        "section_nav": "findings",
    }, status=500 if state.status == "FAILED" else 202)


@login_required
@reads_from_replica
def programme(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    prog = get_object_or_404(Programme, pk=pk)
    inspections = programme_inspections(programme=prog, visible=inspections_visible(request.user))
    if not inspections:
        raise Http404("No such programme")
    if (pending := _counts_pending(request, inspections)) is not None:
        return pending
    report = findings_report(inspections=inspections, title=f"Aggregate findings: {prog.name}")
    return _render(request, report, fmt, scope=prog.name, export_base=reverse("reporting:programme", args=[pk]), compare_url=reverse("reporting:compare", args=[pk]),
                   agreement_url=reverse("sampling:agreement_programme", args=[pk]))


@login_required
@reads_from_replica
def inspection(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    insp = inspection_for(request.user, pk)
    if (pending := _counts_pending(request, [insp])) is not None:
        return pending
    report = findings_report(inspections=[insp], title=f"Findings: {insp.name}", dimensions=STANDARD[:1])
    return _render(request, report, fmt, scope=insp.name, export_base=reverse("reporting:inspection", args=[pk]),
                   agreement_url=reverse("sampling:agreement_inspection", args=[pk]))


@login_required
@reads_from_replica
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Compare any case attribute: two groups of values, or one group against all cases."""
    prog = get_object_or_404(Programme, pk=pk)
    inspections = programme_inspections(programme=prog, visible=inspections_visible(request.user))
    if not inspections:
        raise Http404("No such programme")
    ins = scope_instrument(inspections)
    fields = [f for f in ins.case_details if f.type.value == "single_choice" and ins.options_for(f)]
    by = request.GET.get("by", "")
    field = next((f for f in fields if f.id == by), None)
    group_a = request.GET.getlist("a")
    group_b = request.GET.getlist("b")
    versus_all = request.GET.get("versus") == "all"
    errors: dict[str, str] = {}
    report = None
    allowed = {o.value for o in ins.options_for(field)} if field else set()
    group_a = [v for v in group_a if v in allowed]  # values of another attribute are dropped
    group_b = [v for v in group_b if v in allowed]
    if field is not None and (group_a or group_b):
        if not group_a:
            errors["a"] = "Choose at least one value for the first group"
        elif not versus_all and not group_b:
            errors["b"] = "Choose at least one value for the second group, or compare with all cases"
        elif not versus_all and set(group_a) & set(group_b):
            errors["b"] = "A value cannot be in both groups"
        else:
            dim = custom_dimension(field=field.id, groups=None if versus_all else ["+".join(group_a), "+".join(group_b)],
                                   versus_all="+".join(group_a) if versus_all else None, instrument=ins)
            if (pending := _counts_pending(request, inspections)) is not None:
                return pending
            report = findings_report(inspections=inspections, title=f"{prog.name}: {dim.title}", dimensions=[dim])
            access_log(user=request.user, kind="report_view", path=request.get_full_path())
    return render(request, "reporting/compare.html", {
        "title": f"Compare findings by any case attribute: {prog.name}", "programme": prog, "fields": fields, "field": field,
        "options": ins.options_for(field) if field else [], "group_a": group_a, "group_b": group_b, "versus_all": versus_all,
        "errors": errors, "form_has_errors": bool(errors), "report": report,
        "charts": {"tables": [Markup(charts.comparison_svg(t, title=t.title, chart_id=f"chart-{t.id}")) for t in report.tables]} if report else {},  # noqa: S704
        "breadcrumbs": [{"text": "Findings", "href": reverse("reporting:index")}, {"text": prog.name, "href": reverse("reporting:programme", args=[pk])}],
        "section_nav": "findings",
    }, status=400 if errors else 200)
