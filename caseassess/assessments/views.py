from __future__ import annotations

import json
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caseassess.assessments import services
from caseassess.assessments.models import Status
from caseassess.assessments.rules import disagreements, suggestions
from caseassess.assessments.selectors import assessment_state, next_section_id, section_of
from caseassess.audit.models import AuditEvent
from caseassess.audit.services import access_log
from caseassess.inspections.permissions import assessment_for, can_edit, case_for, is_lead_of
from caseassess.inspections.selectors import area_tiering_overrides
from caseassess.instruments.selectors import instrument_get
from caseassess_core.instrument.schema import AnswerType

PENDING_KEY = "pending_posts"


def login_required_keep_post(view: Any) -> Any:
    """Like login_required, but a POST that arrives after the session has ended is kept in
    the new (anonymous) session and offered back after sign-in: typed answers are never lost."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            data = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
            if len(json.dumps(data)) < 200_000:
                pending = request.session.get(PENDING_KEY, {})
                pending[request.path] = data
                request.session[PENDING_KEY] = pending
            if request.headers.get("HX-Request"):
                resp = HttpResponse("Your session has ended. Sign in again: your answers are kept.", status=401)
                resp["HX-Redirect"] = reverse("accounts:sign_in") + "?next=" + request.path
                return resp
        return redirect_to_login(request.get_full_path())

    return wrapped


def _crumbs(assessment: Any) -> list[dict[str, str]]:
    insp = assessment.case.inspection
    return [
        {"text": "Inspections", "href": reverse("inspections:home")},
        {"text": insp.name, "href": reverse("inspections:detail", args=[insp.pk])},
        {"text": f"Case {assessment.case.case_ref}", "href": reverse("assessments:task_list", args=[assessment.pk])},
    ]


def _log_view(request: HttpRequest, assessment: Any) -> None:
    access_log(user=request.user, kind="case_view", path=request.path, case_id=assessment.case_id, inspection_id=assessment.case.inspection_id)


@login_required_keep_post
def task_list(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for(request.user, pk)
    _log_view(request, assessment)
    state = assessment_state(assessment=assessment)
    return render(
        request,
        "assessments/task_list.html",
        {
            "title": f"Case {assessment.case.case_ref}",
            "a": assessment,
            "state": state,
            "editable": can_edit(request.user, assessment),
            "is_lead": is_lead_of(request.user, assessment.case.inspection_id),
            "breadcrumbs": _crumbs(assessment)[:2],
            "section_nav": "inspections",
        },
    )


def _pending(request: HttpRequest) -> dict[str, list[str]] | None:
    pending = request.session.get(PENDING_KEY, {})
    data = pending.pop(request.path, None)
    if data is not None:
        request.session[PENDING_KEY] = pending
    return data


@login_required_keep_post
@require_http_methods(["GET", "POST"])
def case_details(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for(request.user, pk)
    _log_view(request, assessment)
    case = assessment.case
    state = assessment_state(assessment=assessment)
    ins = state.instrument
    editable = can_edit(request.user, assessment) or (is_lead_of(request.user, assessment.case.inspection_id) and assessment.editable and not assessment.case.inspection.closed)
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(case.details)
    conflict = None
    restored = False
    post: Any = request.POST if request.method == "POST" else None
    if post is None:
        data = _pending(request)
        if data:
            restored = True
            values.update(_details_from(ins, data))
    if post is not None:
        if not editable:
            raise Http404("This assessment cannot be changed")
        submitted = _details_from(ins, {k: post.getlist(k) for k in post})
        try:
            base = int(post.get("details_version", "-1"))
        except ValueError:
            return HttpResponseBadRequest("Bad form")
        result = services.case_details_save(case=case, actor=request.user, values=submitted, base_version=base, force=post.get("force") == "1")
        if result.ok:
            if post.get("autosave"):
                return _saved_fragment(request, {"details_version": case.details_version})
            messages.success(request, "Case details saved")
            if post.get("action") == "continue":
                nxt = next_section_id(ins, None)
                if nxt:
                    return redirect("assessments:section", pk=assessment.pk, section_id=nxt)
            return redirect("assessments:task_list", pk=assessment.pk)
        errors = result.errors
        values.update(submitted)
        if result.conflict:
            conflict = {"theirs": result.theirs, "mine": submitted}
        if post.get("autosave"):
            return _autosave_problem(request, errors, bool(conflict))
    return render(
        request,
        "assessments/case_details.html",
        {
            "title": "Case details",
            "a": assessment,
            "ins": ins,
            "values": values,
            "errors": errors,
            "form_has_errors": bool(errors),
            "conflict": conflict,
            "restored": restored,
            "editable": editable,
            "details_version": case.details_version,
            "suggestions": suggestions(ins, dict(case.details), local_overrides=area_tiering_overrides(inspection=case.inspection, ins=ins)),
            "breadcrumbs": _crumbs(assessment),
            "section_nav": "inspections",
        },
        status=400 if errors else (409 if conflict else 200),
    )


def _details_from(ins: Any, data: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in ins.case_details:
        key = f"d-{f.id}"
        if key not in data and f"{key}-present" not in data:
            continue
        vals = [v for v in data.get(key, []) if v != ""]
        out[f.id] = vals if f.type == AnswerType.MULTIPLE_CHOICE else (vals[0] if vals else None)
    return out


def _section_from(section: Any, data: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, str], dict[str, int]]:
    values: dict[str, Any] = {}
    comments: dict[str, str] = {}
    versions: dict[str, int] = {}
    for q in section.questions:
        key = f"q-{q.id}"
        present = key in data or f"{key}-present" in data
        if present and q.type == AnswerType.FACTOR_OUTCOMES:
            prefix = f"{key}:"
            values[q.id] = {k[len(prefix):]: v[0] for k, v in data.items() if k.startswith(prefix) and v and v[0] != ""}
        elif present:
            vals = [v for v in data.get(key, []) if v != ""]
            values[q.id] = vals if q.type == AnswerType.MULTIPLE_CHOICE else (vals[0] if vals else None)
        if f"c-{q.id}" in data:
            comments[q.id] = data[f"c-{q.id}"][0]
            values.setdefault(q.id, None)
        try:
            versions[q.id] = int((data.get(f"v-{q.id}") or ["0"])[0])
        except ValueError:
            versions[q.id] = -1
    return values, comments, versions


def _saved_fragment(request: HttpRequest, versions: dict[str, int]) -> HttpResponse:
    return render(request, "assessments/_saved.html", {"at": timezone.now(), "versions": versions})


def _autosave_problem(request: HttpRequest, errors: dict[str, str], conflict: bool) -> HttpResponse:
    return render(request, "assessments/_autosave_problem.html", {"errors": errors, "conflict": conflict})


@login_required_keep_post
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, pk: int, section_id: str) -> HttpResponse:
    assessment = assessment_for(request.user, pk)
    autosave = request.method == "POST" and bool(request.POST.get("autosave"))
    if not autosave:  # an autosave is a write (audited), not a consultation of the record
        _log_view(request, assessment)
    ins = instrument_get(version=assessment.case.inspection.instrument)
    sec = section_of(ins, section_id)
    if sec is None:
        raise Http404("No such section")
    editable = can_edit(request.user, assessment)
    values: dict[str, Any] = {}
    comments: dict[str, str] = {}
    errors: dict[str, str] = {}
    conflicts: list[Any] = []
    restored = False
    if request.method == "GET":
        state = assessment_state(assessment=assessment)
        values, comments = dict(state.answers), dict(state.comments)
        data = _pending(request)
        if data:
            restored = True
            v, c, _ = _section_from(sec, data)
            values.update(v)
            comments.update(c)
    else:
        if not editable:
            raise Http404("This assessment cannot be changed")
        data = {k: request.POST.getlist(k) for k in request.POST}
        v, c, base = _section_from(sec, data)
        try:
            stamp = int(request.POST.get("client_stamp") or 0)
        except ValueError:
            stamp = 0
        try:
            result = services.assessment_save_section(
                assessment=assessment, actor=request.user, section_id=sec.id, values=v, comments=c,
                base_versions=base, client_stamp=stamp, force=request.POST.get("force") == "1",
            )
        except services.NotEditable as exc:
            messages.error(request, str(exc))
            return redirect("assessments:task_list", pk=assessment.pk)
        if autosave:
            if result.ok:
                return _saved_fragment(request, {f"v-{k}": n for k, n in result.versions.items()})
            return _autosave_problem(request, result.errors, bool(result.conflicts))
        if result.ok:
            messages.success(request, f"{sec.id} saved")
            if request.POST.get("action") == "continue":
                nxt = next_section_id(ins, sec.id)
                if nxt:
                    return redirect("assessments:section", pk=assessment.pk, section_id=nxt)
                return redirect("assessments:check", pk=assessment.pk)
            return redirect("assessments:task_list", pk=assessment.pk)
        errors = result.errors
        conflicts = result.conflicts
        state = assessment_state(assessment=assessment)
        values, comments = dict(state.answers), dict(state.comments)
        values.update(v)
        comments.update(c)
    warnings = [w for w in state.warnings if any(q in {x.id for x in sec.questions} for q in w.questions)]
    return render(
        request,
        "assessments/section.html",
        {
            "title": f"{sec.id} {sec.title}",
            "a": assessment,
            "ins": ins,
            "sec": sec,
            "state": state,
            "values": values,
            "comments": comments,
            "errors": errors,
            "form_has_errors": bool(errors),
            "conflicts": conflicts,
            "warnings": warnings,
            "suggestions": suggestions(ins, dict(assessment.case.details), local_overrides=area_tiering_overrides(inspection=assessment.case.inspection, ins=ins)),
            "restored": restored,
            "editable": editable,
            "breadcrumbs": _crumbs(assessment),
            "section_nav": "inspections",
        },
        status=400 if errors else (409 if conflicts else 200),
    )


@login_required_keep_post
@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for(request.user, pk)
    _log_view(request, assessment)
    editable = can_edit(request.user, assessment)
    if request.method == "POST":
        if not editable:
            raise Http404("This assessment cannot be changed")
        explanations = {k[8:]: v for k, v in request.POST.items() if k.startswith("explain-")}
        services.assessment_explain(assessment=assessment, actor=request.user, explanations=explanations)
        if request.POST.get("action") == "submit":
            blockers = services.assessment_submit(assessment=assessment, actor=request.user)
            if not blockers.any:
                messages.success(request, f"Assessment of case {assessment.case.case_ref} submitted")
                return redirect("assessments:task_list", pk=assessment.pk)
        else:
            messages.success(request, "Explanations saved")
            return redirect("assessments:check", pk=assessment.pk)
    state = assessment_state(assessment=assessment)
    blockers = services.assessment_blockers(assessment=assessment)
    return render(
        request,
        "assessments/check.html",
        {
            "title": "Check your answers",
            "a": assessment,
            "state": state,
            "ins": state.instrument,
            "blockers": blockers,
            "disagreements": disagreements(
                state.instrument, dict(assessment.case.details), state.answers,
                local_overrides=area_tiering_overrides(inspection=assessment.case.inspection, ins=state.instrument),
            ),
            "editable": editable,
            "form_has_errors": request.method == "POST" and blockers.any,
            "breadcrumbs": _crumbs(assessment),
            "section_nav": "inspections",
        },
        status=400 if request.method == "POST" and blockers.any else 200,
    )


@login_required_keep_post
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for(request.user, pk)
    if not is_lead_of(request.user, assessment.case.inspection_id):
        raise Http404("No such assessment")
    action = request.POST.get("action")
    try:
        if action == "sign_off":
            services.assessment_sign_off(assessment=assessment, actor=request.user)
            messages.success(request, f"Case {assessment.case.case_ref} signed off")
        elif action == "return":
            reason = request.POST.get("reason", "").strip()
            if not reason:
                messages.error(request, "Enter what needs to change before returning the assessment")
                return redirect("assessments:task_list", pk=assessment.pk)
            services.assessment_return(assessment=assessment, actor=request.user, reason=reason)
            messages.success(request, f"Case {assessment.case.case_ref} returned to the assessor")
        else:
            return HttpResponseBadRequest("Unknown action")
    except services.NotEditable as exc:
        messages.error(request, str(exc))
    return redirect("assessments:task_list", pk=assessment.pk)


@login_required_keep_post
def history(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    access_log(user=request.user, kind="case_view", path=request.path, case_id=case.pk, inspection_id=case.inspection_id)
    events_qs = AuditEvent.objects.filter(case_id=case.pk).select_related("actor")
    if not is_lead_of(request.user, case.inspection_id):
        # Double assessment is blind: an assessor sees the case's shared events and their
        # own assessment's, never another assessor's answers.
        own = [str(pk) for pk in case.assessments.filter(assessor=request.user).values_list("pk", flat=True)]
        events_qs = events_qs.exclude(Q(entity="assessment") & ~Q(entity_id__in=own))
    events = list(events_qs[:1000])
    return render(
        request,
        "assessments/history.html",
        {
            "title": f"History of case {case.case_ref}",
            "case": case,
            "events": events,
            "assessments": list(case.assessments.all()),
            "breadcrumbs": [
                {"text": "Inspections", "href": reverse("inspections:home")},
                {"text": case.inspection.name, "href": reverse("inspections:detail", args=[case.inspection_id])},
            ],
            "section_nav": "inspections",
            "Status": Status,
        },
    )
