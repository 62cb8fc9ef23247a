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
from django.views.decorators.http import require_http_methods

from caseassess.assessments import services
from caseassess.assessments.history import case_history
from caseassess.assessments.models import Status
from caseassess.assessments.rules import disagreements, suggestions
from caseassess.assessments.selectors import (
    answered_on_the_page,
    assessment_state,
    first_unanswered,
    next_case_for,
    next_section_id,
    section_of,
)
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
            if post.get("action") == "continue":
                nxt = next_section_id(ins, None)
                if nxt:
                    return redirect("assessments:section", pk=assessment.pk, section_id=nxt)
            messages.success(request, "Case details saved")
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
            # A millisecond time: anything outside a 64-bit column (the fuzz test sent 10^20) is not one.
            stamp = int(request.POST.get("client_stamp") or 0)
            if not 0 <= stamp < 2**62:
                stamp = 0
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
            if request.POST.get("action") == "continue":
                # No "saved" banner on the next section: it would push its first question
                # below the fold on every page of the case (issue 11).
                nxt = next_section_id(ins, sec.id)
                if nxt:
                    return redirect("assessments:section", pk=assessment.pk, section_id=nxt)
                return redirect("assessments:check", pk=assessment.pk)
            messages.success(request, f"{sec.id} saved")
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
            "live": answered_on_the_page(sec),
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
                return redirect("assessments:submitted", pk=assessment.pk)
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
            "sections_by_id": {s.id: s for s in state.instrument.sections()},
            "first_missing": first_unanswered(state),
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
def submitted(request: HttpRequest, pk: int) -> HttpResponse:
    """GOV.UK confirmation page after submission: short, with what happens next."""
    assessment = assessment_for(request.user, pk)
    _log_view(request, assessment)
    nxt = next_case_for(user=request.user, after=assessment)
    return render(
        request,
        "assessments/submitted.html",
        {"title": f"Case {assessment.case.case_ref} submitted", "a": assessment, "next_case": nxt,
         "breadcrumbs": _crumbs(assessment)[:2], "section_nav": "inspections"},
    )


def _review_context(assessment: Any, state: Any) -> dict[str, Any]:
    ins = state.instrument
    return {
        "title": f"Review case {assessment.case.case_ref}",
        "a": assessment,
        "state": state,
        "ins": ins,
        "blockers": services.assessment_blockers(assessment=assessment),
        "sections_by_id": {s.id: s for s in ins.sections()},
        "first_missing": first_unanswered(state),
        "disagreements": disagreements(
            ins, dict(assessment.case.details), state.answers,
            local_overrides=area_tiering_overrides(inspection=assessment.case.inspection, ins=ins),
        ),
        "breadcrumbs": _crumbs(assessment),
        "section_nav": "inspections",
    }


@login_required_keep_post
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead inspector's review: every answer, the warnings with the assessor's
    explanations and the decision-aid disagreements, then Sign off (with a confirmation
    step) or Return (with a reason)."""
    assessment = assessment_for(request.user, pk)
    if not is_lead_of(request.user, assessment.case.inspection_id):
        raise Http404("No such assessment")
    _log_view(request, assessment)
    state = assessment_state(assessment=assessment)
    ctx = _review_context(assessment, state)
    errors: dict[str, str] = {}
    template = "assessments/review.html"
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "").strip()
        ctx["reason"] = reason
        try:
            if action == "sign_off":
                if ctx["blockers"].any:
                    raise services.SignOffRefused(ctx["blockers"])
                if assessment.status != Status.SUBMITTED:
                    raise services.NotEditable(f"This assessment is {assessment.get_status_display().lower()}")
                template = "assessments/review_confirm.html"
                ctx["title"] = f"Sign off case {assessment.case.case_ref}?"
            elif action == "confirm_sign_off":
                services.assessment_sign_off(assessment=assessment, actor=request.user)
                messages.success(request, f"Case {assessment.case.case_ref} signed off")
                return redirect(reverse("inspections:detail", args=[assessment.case.inspection_id]) + f"#case-{assessment.pk}")
            elif action == "return":
                if not reason:
                    errors["reason"] = "Enter what needs to change before returning the assessment"
                else:
                    services.assessment_return(assessment=assessment, actor=request.user, reason=reason)
                    messages.success(request, f"Case {assessment.case.case_ref} returned to {assessment.assessor.get_full_name() or assessment.assessor.username if assessment.assessor else 'the assessor'}")
                    return redirect(reverse("inspections:detail", args=[assessment.case.inspection_id]) + f"#case-{assessment.pk}")
            else:
                return HttpResponseBadRequest("Unknown action")
        except services.SignOffRefused as exc:
            errors["sign_off"] = "You cannot sign off this assessment yet: " + "; ".join(_blocker_words(state, exc.blockers))
        except services.NotEditable as exc:
            errors["sign_off"] = f"{exc}: it cannot be signed off or returned"
    ctx.update({"errors": errors, "form_has_errors": bool(errors)})
    return render(request, template, ctx, status=400 if errors else 200)


def _blocker_words(state: Any, blockers: Any) -> list[str]:
    words = []
    for s in blockers.incomplete_sections:
        words.append("the case details are not complete" if s == "case details" else f"section {s} is not complete")
    for w in state.warnings:
        if w.rule_id in blockers.unexplained_warnings:
            words.append(f"the warning on {' and '.join(w.questions)} is not explained")
    return words


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
    events = case_history(events=events_qs[:1000], ins=instrument_get(version=case.inspection.instrument))
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
