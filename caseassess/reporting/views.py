from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup

from caseassess.audit.services import access_log
from caseassess.dbrouter import primary_reads, reads_from_replica
from caseassess.inspections.models import Programme
from caseassess.inspections.permissions import inspection_for, inspections_visible
from caseassess.reporting import exports, pdfcache
from caseassess.reporting.downloads import content_disposition as download_disposition
from caseassess.reporting.downloads import download_name
from caseassess.reporting.ratings import RatingsView, content_disposition, ratings_rows, ratings_view, rows_to_xlsx
from caseassess.reporting.selectors import (
    STANDARD,
    custom_dimension,
    dimension_within,
    findings_report,
    programme_inspections,
    scope_instrument,
    within_cases,
    within_check,
    within_words,
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
        "chart1": Markup(charts.chart1_svg(report.chart1, title="Chart 1: headline and general criteria scores", min_n=report.min_n)),  # noqa: S704 - SVG built with escaped text
        "chart2": Markup(charts.chart2_svg(report.chart2, title="Chart 2: headline scores by area", min_n=report.min_n)),  # noqa: S704
        "tables": [Markup(charts.comparison_svg(t, title=t.title, chart_id=f"chart-{t.id}", min_n=report.min_n)) for t in report.tables],  # noqa: S704
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
            "export_base": export_base, "compare_url": compare_url, "agreement_url": agreement_url,
            "trends_url": compare_url.replace("/compare/", "/trends/") if compare_url else "", "breadcrumbs": [{"text": "Findings", "href": reverse("reporting:index")}],
            "section_nav": "findings",
        })
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    access_log(user=request.user, kind="export", path=request.get_full_path())
    name = download_name("findings", scope, fmt, timezone.localdate())
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
                html = render_to_string("reporting/report_print.html", {"report": report, "charts": charts_for(report), "scope": scope, "print_mode": True}, request=request)
                pdfcache.pdf_start(key, html, request.build_absolute_uri("/"))
                status = "running"
            return render(request, "reporting/preparing.html", {
                "title": "Preparing the PDF", "status": status, "report": report, "back": export_base,
                "section_nav": "findings",
            }, status=202 if status == "running" else 500)
        body = pdf
    resp = HttpResponse(body, content_type=FORMATS[fmt])
    resp["Content-Disposition"] = download_disposition(name)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _pdf_in_background(request: HttpRequest, html: str, *, title: str, back: str) -> bytes | HttpResponse:
    """The PDF of this HTML if the background worker has laid it out, else a page that
    waits for it (the layout is a task of django-tasks, never done in the request)."""
    key = hashlib.sha256(html.encode()).hexdigest()[:32]
    status, pdf = pdfcache.pdf_status(key)
    if pdf is not None:
        return pdf
    if status == "missing" or (status == "failed" and request.GET.get("retry") == "1"):
        pdfcache.pdf_start(key, html, request.build_absolute_uri("/"))
        status = "running"
    query = request.GET.copy()
    query["retry"] = "1"
    return render(request, "jobs/pdf_preparing.html", {
        "title": "Preparing the PDF", "status": status, "document": title, "back": back, "retry_url": f"{request.path}?{query.urlencode()}",
        "section_nav": "findings",
    }, status=202 if status == "running" else 500)


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
    with primary_reads():  # the job this page starts: a replica may not have it yet
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


def _compare_state(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The compare form's choices and, when they are complete and valid, the report (or,
    while a large inspection's count table is rebuilt in the background, ``pending``)."""
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
    pending = None
    allowed = {o.value for o in ins.options_for(field)} if field else set()
    group_a = [v for v in group_a if v in allowed]  # values of another attribute are dropped
    group_b = [v for v in group_b if v in allowed]
    within, within_field, within_values, within_errors = _within_state(request, fields, field, ins, choosing=bool(group_a or group_b))
    errors.update(within_errors)
    if field is not None and (group_a or group_b):
        if not group_a:
            errors["a"] = "Choose at least one value for the first group"
        elif not versus_all and not group_b:
            errors["b"] = "Choose at least one value for the second group, or compare with all cases"
        elif not versus_all and set(group_a) & set(group_b):
            errors["b"] = "A value cannot be in both groups"
        elif errors or (within_field is not None and within is None):
            pass  # fix the restriction first (or, the restricting attribute just changed: choose its values)
        else:
            dim = custom_dimension(field=field.id, groups=None if versus_all else ["+".join(group_a), "+".join(group_b)],
                                   versus_all="+".join(group_a) if versus_all else None, instrument=ins)
            dim = dimension_within(dim, ins, within)
            counted = None
            if within is None:
                pending = _counts_pending(request, inspections)
            else:
                pending, counted = _within_pending(request, inspections, [dim.field], within)
            if pending is None:
                report = findings_report(inspections=inspections, title=f"{prog.name}: {dim.title}", dimensions=[dim], within=within, counted=counted)
    errors = {k: errors[k] for k in ("within", "a", "b", "in") if k in errors}  # the order of the page
    return {"programme": prog, "ins": ins, "fields": fields, "field": field, "group_a": group_a, "group_b": group_b,
            "versus_all": versus_all, "errors": errors, "report": report, "pending": pending,
            "within_field": within_field, "within_values": within_values, "within": within}


def _within_pending(request: HttpRequest, inspections: list[Any], fields: list[str], within: Any) -> tuple[HttpResponse | None, dict[str, Any] | None]:
    """A two-attribute comparison groups the answers of the cases within the second attribute.
    Over more than a few thousand cases a background task counts them (no request spends long
    on it) and this page waits, asking again; the task's counts, kept in its job row under
    a key of the inspections' count state, serve the page and its downloads until the data
    changes. Returns (the waiting page, None) or (None, the counts or None to count here)."""
    from caseassess.jobs.models import Job, JobKind
    from caseassess.jobs.services import job_retry, job_start, job_state
    from caseassess.reporting.counts import REBUILD_INLINE_MAX_CASES, current_states

    cases = within_cases(inspections=inspections, within=within)
    if cases <= REBUILD_INLINE_MAX_CASES:
        return None, None
    ids = sorted(i.pk for i in inspections)
    states = current_states(ids)
    key = "within:" + hashlib.sha256("|".join([*(f"{k}:{states[k]}" for k in sorted(states)), repr(tuple(within)), *fields]).encode()).hexdigest()[:40]
    with primary_reads():  # the job this page starts: a replica may not have it yet
        job = job_start(kind=JobKind.WITHIN, title="Counting a two-attribute comparison", key=key,
                        params={"inspection_ids": ids, "fields": fields, "within": [within[0], list(within[1])], "cases": cases})
        state = job_state(job)
        if state.status == "MISSING" or (state.status == "FAILED" and request.GET.get("retry") == "1"):
            state = job_state(job_retry(job))
        if state.status == "SUCCESSFUL":
            counted = Job.objects.filter(pk=job.pk).values_list("result", flat=True).first()
            if counted:
                return None, counted
    query = request.GET.copy()
    query["retry"] = "1"
    return render(request, "reporting/within_pending.html", {
        "title": "Counting the comparison", "state": state, "cases": cases, "retry_url": f"{request.path}?{query.urlencode()}",
        "section_nav": "findings",
    }, status=500 if state.status == "FAILED" else 202), None


def _within_state(request: HttpRequest, fields: list[Any], field: Any, ins: Any, *, choosing: bool) -> tuple[Any, Any, list[str], dict[str, str]]:
    """The optional second attribute of a comparison ("only cases whose … is one of …"):
    (the restriction or None, its field, the values ticked, errors in people's words)."""
    raw = request.GET.get("within", "")
    if not raw:
        return None, None, [], {}
    wfield = next((f for f in fields if f.id == raw), None)
    if wfield is None:
        return None, None, [], {"within": "Choose the case attribute to restrict the cases by from the list"}
    values = request.GET.getlist("in")
    word = wfield.label.lower()
    if field is not None and wfield.id == field.id:
        return None, wfield, [], {"within": f"Choose a different case attribute to restrict the cases by: the comparison is already by {word}"}
    shown = request.GET.get("within_shown")
    if shown is not None and shown != raw:
        return None, wfield, [], {}  # the ticked values were another attribute's: choose this one's
    allowed = {o.value for o in ins.options_for(wfield)}
    if any(v not in allowed for v in values):
        return None, wfield, [v for v in values if v in allowed], {"in": f"Choose the values of {word} to keep from the list"}
    if not values:
        return None, wfield, [], ({"in": f"Choose at least one value of {word} to keep"} if choosing and field is not None else {})
    return within_check(instrument=ins, by=field.id if field else None, field=wfield.id, values=values), wfield, values, {}


@login_required
@reads_from_replica
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Compare any case attribute: two groups of values, or one group against all cases."""
    state = _compare_state(request, pk)
    if state["pending"] is not None:  # the waiting page (it asks again through htmx: govuk/poll.py)
        return state["pending"]  # type: ignore[no-any-return]
    prog, report, field, errors = state["programme"], state["report"], state["field"], state["errors"]
    if report is not None:
        access_log(user=request.user, kind="report_view", path=request.get_full_path())
    query = request.GET.urlencode()
    return render(request, "reporting/compare.html", {
        "title": f"Compare findings by any case attribute: {prog.name}", "programme": prog, "fields": state["fields"], "field": field,
        "options": state["ins"].options_for(field) if field else [], "group_a": state["group_a"], "group_b": state["group_b"],
        "versus_all": state["versus_all"], "errors": errors,
        "within_field": state["within_field"], "within_values": state["within_values"],
        "within_options": state["ins"].options_for(state["within_field"]) if state["within_field"] else [],
        "within_words": within_words(state["ins"], state["within"]) if state["within"] and report else "",
        "form_has_errors": bool(errors), "report": report,
        "export_base": reverse("reporting:compare", args=[pk]), "query": query,
        "charts": {"tables": [Markup(charts.comparison_svg(t, title=t.title, chart_id=f"chart-{t.id}", min_n=report.min_n)) for t in report.tables]} if report else {},  # noqa: S704
        "breadcrumbs": [{"text": "Findings", "href": reverse("reporting:index")}, {"text": prog.name, "href": reverse("reporting:programme", args=[pk])}],
        "section_nav": "findings",
    }, status=400 if errors else 200)


@login_required
@reads_from_replica
def compare_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The comparison as PDF, XLSX, CSV or JSON (the same choices as the page, in the query string)."""
    state = _compare_state(request, pk)
    if state["pending"] is not None:
        return state["pending"]  # type: ignore[no-any-return]
    if state["report"] is None:
        raise Http404("Choose the case attribute and the groups to compare first")
    prog = state["programme"]
    return _render(request, state["report"], fmt, scope=f"{prog.name} comparison",
                   export_base=reverse("reporting:compare", args=[pk]))


def _ratings_response(request: HttpRequest, view: RatingsView | None, fmt: str | None, *, title: str, scope: str,
                      export_base: str, crumbs: list[dict[str, str]]) -> HttpResponse:
    if view is None:
        raise Http404("The instrument of these inspections has no rating scheme")
    if fmt is None:
        access_log(user=request.user, kind="report_view", path=request.path)
        effective = datetime.date.fromisoformat(view.scheme.effective_from)
        return render(request, "reporting/ratings.html", {
            "title": title, "ratings": view, "ratings_effective": f"{effective.day} {effective:%B %Y}",
            "export_base": export_base, "breadcrumbs": crumbs, "section_nav": "findings",
        })
    if fmt not in ("csv", "json", "xlsx"):
        raise Http404("Unknown format")
    access_log(user=request.user, kind="export", path=request.path)
    rows = ratings_rows(view)
    body: str | bytes
    if fmt == "json":
        body = json.dumps({"scheme": {"id": view.scheme.id, "version": view.scheme.version, "title": view.scheme.title},
                           "ratings": rows}, indent=2, ensure_ascii=False)
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(list(rows[0]) if rows else [])
        for row in rows:
            writer.writerow([exports.safe_cell("" if v is None else v) for v in row.values()])
        body = out.getvalue()
    else:
        body = rows_to_xlsx("Ratings", rows)
    resp = HttpResponse(body, content_type=FORMATS[fmt])
    resp["Content-Disposition"] = content_disposition("ratings", scope, fmt)
    return resp


@login_required
@reads_from_replica
def programme_ratings(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    prog = get_object_or_404(Programme, pk=pk)
    inspections = programme_inspections(programme=prog, visible=inspections_visible(request.user))
    if not inspections:
        raise Http404("No such programme")
    if (pending := _counts_pending(request, inspections)) is not None:
        return pending
    view = ratings_view(inspections=inspections, title=prog.name)
    crumbs = [{"text": "Findings", "href": reverse("reporting:index")},
              {"text": prog.name, "href": reverse("reporting:programme", args=[pk])}]
    return _ratings_response(request, view, fmt, title=f"Ratings: {prog.name}", scope=prog.name,
                             export_base=reverse("reporting:programme_ratings", args=[pk]), crumbs=crumbs)


@login_required
@reads_from_replica
def inspection_ratings(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    insp = inspection_for(request.user, pk)
    if (pending := _counts_pending(request, [insp])) is not None:
        return pending
    view = ratings_view(inspections=[insp], title=insp.name)
    crumbs = [{"text": "Findings", "href": reverse("reporting:index")},
              {"text": insp.name, "href": reverse("reporting:inspection", args=[pk])}]
    return _ratings_response(request, view, fmt, title=f"Ratings: {insp.name}", scope=insp.name,
                             export_base=reverse("reporting:inspection_ratings", args=[pk]), crumbs=crumbs)


@login_required
@reads_from_replica
def trends(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    """This programme against an earlier one: per score and question, the change and its test."""
    from caseassess.reporting.trends import TrendError, trends_rows, trends_view

    prog = get_object_or_404(Programme, pk=pk)
    visible = inspections_visible(request.user)
    later = programme_inspections(programme=prog, visible=visible)
    if not later:
        raise Http404("No such programme")
    choices = list(Programme.objects.filter(inspections__in=visible).exclude(pk=pk).distinct().order_by("name"))
    raw = request.GET.get("earlier", "")
    chosen = next((p for p in choices if str(p.pk) == raw), None)
    error = ""
    view = None
    if raw and chosen is None:
        error = "Choose one of the listed programmes"
    elif chosen is not None:
        if (pending := _counts_pending(request, later + programme_inspections(programme=chosen, visible=visible))) is not None:
            return pending
        try:
            view = trends_view(earlier=chosen, earlier_inspections=programme_inspections(programme=chosen, visible=visible),
                               later=prog, later_inspections=later)
        except TrendError as exc:
            error = str(exc)
    title = f"Trends: {prog.name}"
    export_base = reverse("reporting:trends", args=[pk])
    if fmt is not None:
        if view is None:
            raise Http404(error or "Choose the earlier programme (?earlier=ID)")
        access_log(user=request.user, kind="export", path=request.get_full_path())
        rows = trends_rows(view)
        stem = f"{prog.name} vs {chosen.name if chosen else ''}"
        body: str | bytes
        if fmt == "json":
            body = json.dumps({"earlier": view.earlier.name, "later": view.later.name, "earlier_instrument": view.earlier_instrument,
                               "later_instrument": view.later_instrument, "min_n": view.overall.min_n, "rows": rows},
                              indent=2, ensure_ascii=False)
        elif fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(list(rows[0]) if rows else [])
            for row in rows:
                writer.writerow([exports.safe_cell("" if v is None else v) for v in row.values()])
            body = out.getvalue()
        elif fmt == "xlsx":
            body = rows_to_xlsx("Trends", rows)
        elif fmt == "pdf":
            today = datetime.date.today()
            html = render_to_string("reporting/trends_print.html", {
                "title": f"{prog.name} compared with {view.earlier.name}", "view": view,
                "produced": f"{today.day} {today:%B %Y}"}, request=request)
            waiting = _pdf_in_background(request, html, title=f"{prog.name} compared with {view.earlier.name}", back=export_base)
            if isinstance(waiting, HttpResponse):
                return waiting
            body = waiting
        else:
            raise Http404("Unknown format")
        resp = HttpResponse(body, content_type=FORMATS[fmt])
        resp["Content-Disposition"] = content_disposition("trends", stem, fmt)
        return resp
    if view is not None:
        access_log(user=request.user, kind="report_view", path=request.get_full_path())
    return render(request, "reporting/trends.html", {
        "title": title, "choices": choices, "chosen": chosen, "view": view, "error": error, "export_base": export_base,
        "breadcrumbs": [{"text": "Findings", "href": reverse("reporting:index")},
                        {"text": prog.name, "href": reverse("reporting:programme", args=[pk])}],
        "section_nav": "findings",
    }, status=400 if error else 200)
