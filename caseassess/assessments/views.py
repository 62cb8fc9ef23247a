from __future__ import annotations

import contextlib
import datetime as dt
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caseassess.assessments import services
from caseassess.assessments.history import case_history
from caseassess.assessments.kept import keep_post, take_pending
from caseassess.assessments.models import Status
from caseassess.assessments.rules import disagreements, suggestions
from caseassess.assessments.selectors import (
    answered_on_the_page,
    assessment_state,
    first_unanswered,
    next_case_for,
    next_unfinished_section_id,
    section_of,
)
from caseassess.audit.models import AuditEvent
from caseassess.audit.services import access_log
from caseassess.govuk.errors import is_autosave, restorable, session_ended_json
from caseassess.inspections.permissions import assessment_for, can_edit, case_for, is_lead_of
from caseassess.inspections.selectors import area_tiering_overrides
from caseassess.instruments.selectors import instrument_get
from caseassess_core.instrument.schema import AnswerType
from caseassess_core.scoring.assess import section_unanswered


def login_required_keep_post(view: Any) -> Any:
    """Like login_required, but a section or case-details POST that arrives after the
    session has ended is kept for the same person and offered back after they sign in
    again (caseassess/assessments/kept.py): typed answers are never lost."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        kept = request.method == "POST" and restorable(request) and keep_post(request)
        if request.method == "POST" and is_autosave(request):
            return session_ended_json(request, kept=kept, status=401)
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
    return take_pending(request)


def _option_label(ins: Any, item: Any, value: Any) -> str:
    """People's words for a stored answer (the conflict message of an autosave)."""
    if value in (None, "", []):
        return "not answered"
    labels = {o.value: o.label for o in ins.options_for(item)}
    if isinstance(value, dict):  # one outcome per factor
        factors = {f.value: f.label for f in ins.factors_for(item)}
        return "; ".join(f"{factors.get(k, k)}: {labels.get(v, v)}" for k, v in value.items())
    vals = value if isinstance(value, list) else [value]
    return ", ".join(str(labels.get(v, v)) for v in vals)


def _saved_at() -> str:
    return timezone.localtime(timezone.now()).strftime("%H:%M")


@login_required_keep_post
@require_http_methods(["GET", "POST"])
def case_details(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for(request.user, pk)
    autosave = request.method == "POST" and (is_autosave(request) or bool(request.POST.get("autosave")))
    if not autosave:
        _log_view(request, assessment)
    case = assessment.case
    state = assessment_state(assessment=assessment)
    ins = state.instrument
    editable = can_edit(request.user, assessment) or (is_lead_of(request.user, assessment.case.inspection_id) and assessment.editable and not assessment.case.inspection.closed)
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(case.details)
    conflict = None
    restored: list[str] = []
    details_version = case.details_version
    post: Any = request.POST if request.method == "POST" else None
    if post is None:
        data = _pending(request)
        if data:
            kept, _ = _details_from(ins, data)
            restored = [f"d-{k}" for k, v in kept.items() if v != values.get(k)]
            values.update(kept)
            # The version the kept answers were typed over: a newer one is a conflict on save.
            with contextlib.suppress(ValueError):
                if restored:
                    details_version = int((data.get("details_version") or [str(details_version)])[0])
    if post is not None:
        if not editable:
            raise Http404("This assessment cannot be changed")
        submitted, unreadable = _details_from(ins, {k: post.getlist(k) for k in post})
        try:
            base = int(post.get("details_version", "-1"))
        except ValueError:
            return HttpResponseBadRequest("Bad form")
        try:
            result = services.case_details_save(
                case=case, actor=request.user, values=submitted, base_version=base,
                force=post.get("force") == "1", errors=unreadable,
            )
        except services.NotEditable as exc:
            if autosave:
                return JsonResponse({"state": "not_editable", "message": str(exc)}, status=409)
            messages.error(request, str(exc))
            return redirect("assessments:task_list", pk=assessment.pk)
        if autosave:
            return _details_json(ins, result)
        if result.ok:
            if post.get("action") == "continue":
                nxt = next_unfinished_section_id(assessment_state(assessment=assessment), None)
                if nxt:
                    return redirect("assessments:section", pk=assessment.pk, section_id=nxt)
                return redirect("assessments:check", pk=assessment.pk)
            messages.success(request, "Case details saved")
            return redirect("assessments:task_list", pk=assessment.pk)
        errors = result.errors
        values = dict(case.details)
        values.update({k: v for k, v in submitted.items() if k in errors or result.conflict})
        for k in unreadable:  # keep what was typed in the day/month/year boxes
            values[k] = _date_parts(post, k)
        details_version = case.details_version if not result.conflict else base
        if result.conflict:
            conflict = {"theirs": result.theirs, "mine": submitted}
            details_version = result.version
        state = assessment_state(assessment=assessment)
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
            "saved_others": bool(errors) and request.method == "POST",
            "conflict": conflict,
            "restored": bool(restored),
            "restored_fields": restored,
            "editable": editable,
            "details_version": details_version,
            "required_ids": [f.id for f in services.required_details(ins)],
            "suggestions": suggestions(ins, dict(case.details), local_overrides=area_tiering_overrides(inspection=case.inspection, ins=ins)),
            "breadcrumbs": _crumbs(assessment),
            "section_nav": "inspections",
        },
        status=400 if errors else (409 if conflict else 200),
    )


def _details_json(ins: Any, result: services.DetailsResult) -> JsonResponse:
    if result.conflict:
        return JsonResponse({"state": "conflict", "details_version": result.version, "errors": result.errors,
                             "message": "Someone else changed the case details since this page was opened"}, status=409)
    labels = {f.id: f.label for f in ins.case_details}
    return JsonResponse(
        {
            "state": "saved" if result.ok else "invalid",
            "saved_at": _saved_at(),
            "details_version": result.version,
            "errors": {f"d-{k}": v for k, v in result.errors.items()},
            "labels": {f"d-{k}": labels.get(k, k) for k in result.errors},
        },
        status=200 if result.ok else 400,
    )


def _date_parts(post: Any, fid: str) -> dict[str, str]:
    return {p: (post.get(f"d-{fid}-{p}") or "").strip() for p in ("day", "month", "year")}


def _date_from(label: str, day: str, month: str, year: str) -> tuple[str | None, str | None]:
    """A GOV.UK date input's three boxes -> ISO date, or the error message to show."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    if not any(parts.values()):
        return None, None
    missing = [k for k, v in parts.items() if not v]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}"
    try:
        d = int(parts["day"]), int(parts["month"]), int(parts["year"])
    except ValueError:
        return None, f"{label} must be a real date, in numbers"
    if not 1000 <= d[2] <= 9999:
        return None, f"{label}: the year must have 4 numbers"
    try:
        return dt.date(d[2], d[1], d[0]).isoformat(), None
    except ValueError:
        return None, f"{label} must be a real date"


def _details_from(ins: Any, data: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Case-detail values present in a post, and the dates that cannot be read (id -> message)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in ins.case_details:
        key = f"d-{f.id}"
        if f.type == AnswerType.DATE and f"{key}-day" in data:
            first = {p: (data.get(f"{key}-{p}") or [""])[0] for p in ("day", "month", "year")}
            value, error = _date_from(f.label, first["day"], first["month"], first["year"])
            if error:
                errors[f.id] = error
            else:
                out[f.id] = value
            continue
        if key not in data and f"{key}-present" not in data:
            continue
        vals = [v for v in data.get(key, []) if v != ""]
        out[f.id] = vals if f.type == AnswerType.MULTIPLE_CHOICE else (vals[0] if vals else None)
    return out, errors


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


def _section_warnings(sec: Any, warnings: list[Any]) -> list[Any]:
    ids = {q.id for q in sec.questions}
    return [w for w in warnings if ids.intersection(w.questions)]


def _section_json(assessment: Any, ins: Any, sec: Any, result: services.SaveResult, sent: dict[str, Any]) -> JsonResponse:
    """The autosave's answer: what was saved, the new versions, and what the page must now
    say (errors, conflicts, the section's consistency warnings, questions still to answer)."""
    state = assessment_state(assessment=assessment)
    explained = {k for k, v in (assessment.explanations or {}).items() if str(v).strip()}
    conflicts = [
        {"question": c.question_id, "name": f"q-{c.question_id}", "theirs": _option_label(ins, ins.question(c.question_id), c.theirs), "by": c.theirs_by}
        for c in result.conflicts
    ]
    # An out-of-order edit older than the saved one is not written: say so when the page
    # still shows something other than the saved answer.
    for qid in result.ignored_stale:
        if state.answers.get(qid) != sent.get(qid):
            conflicts.append({"question": qid, "name": f"q-{qid}", "theirs": _option_label(ins, ins.question(qid), state.answers.get(qid)), "by": "a later change"})
    ok = not result.errors and not conflicts
    body = {
        "state": "saved" if ok else ("conflict" if conflicts else "invalid"),
        "saved_at": _saved_at(),
        "versions": {f"v-{q.id}": state.versions.get(q.id, 0) for q in sec.questions},
        "errors": {f"q-{k}": v for k, v in result.errors.items()},
        "conflicts": conflicts,
        "warnings": [
            {"rule": w.rule_id, "message": w.message, "questions": list(w.questions), "explained": w.rule_id in explained}
            for w in _section_warnings(sec, state.warnings)
        ],
        "unanswered": section_unanswered(sec, state.applies, state.answers),
    }
    return JsonResponse(body, status=200 if ok else (409 if conflicts else 400))


@login_required_keep_post
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, pk: int, section_id: str) -> HttpResponse:
    assessment = assessment_for(request.user, pk)
    autosave = request.method == "POST" and (is_autosave(request) or bool(request.POST.get("autosave")))
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
    restored: list[str] = []
    if request.method == "GET":
        state = assessment_state(assessment=assessment)
        values, comments = dict(state.answers), dict(state.comments)
        versions = dict(state.versions)
        data = _pending(request)
        if data:
            v, c, base = _section_from(sec, data)
            restored = [q for q in v if v[q] != values.get(q) or (q in c and c[q] != comments.get(q, ""))]
            values.update({q: v[q] for q in restored})
            comments.update({q: c[q] for q in restored if q in c})
            # Kept answers carry the version they were typed over: saving them over a newer
            # answer shows the conflict page, never writes silently.
            versions.update({q: base[q] for q in restored if q in base})
    else:
        if not editable:
            if autosave:
                return JsonResponse({"state": "not_editable", "message": "This assessment cannot be changed"}, status=409)
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
                client_tab=(request.POST.get("client_tab") or "")[:40],
            )
        except services.NotEditable as exc:
            if autosave:
                return JsonResponse({"state": "not_editable", "message": str(exc)}, status=409)
            messages.error(request, str(exc))
            return redirect("assessments:task_list", pk=assessment.pk)
        if autosave:
            return _section_json(assessment, ins, sec, result, v)
        if result.ok:
            state = assessment_state(assessment=assessment)
            if request.POST.get("action") == "continue":
                # No "saved" banner on the next section: it would push its first question
                # below the fold on every page of the case (issue 11). Only what is left
                # (questions, warnings) is said, so a section never looks done unexplained.
                _say_what_is_left(request, assessment, sec, state, saved_banner=False)
                nxt = next_unfinished_section_id(state, sec.id)
                if nxt:
                    return redirect("assessments:section", pk=assessment.pk, section_id=nxt)
                return redirect("assessments:check", pk=assessment.pk)
            _say_what_is_left(request, assessment, sec, state)
            return redirect("assessments:task_list", pk=assessment.pk)
        errors = result.errors
        conflicts = result.conflicts
        state = assessment_state(assessment=assessment)
        values, comments = dict(state.answers), dict(state.comments)
        versions = dict(state.versions)
        values.update(v)
        comments.update(c)
    warnings = _section_warnings(sec, state.warnings)
    explained = {k for k, txt in (assessment.explanations or {}).items() if str(txt).strip()}
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
            "versions": versions,
            "last_saved": state.last_saved,
            "comments": comments,
            "errors": errors,
            "form_has_errors": bool(errors),
            "conflicts": conflicts,
            "warnings": warnings,
            "explained": explained,
            "warnings_by_question": {q: [w for w in warnings if q in w.questions] for q in {x for w in warnings for x in w.questions}},
            # Marked only once the section is started: a fresh page is not a page of errors.
            "unanswered": set(section_unanswered(sec, state.applies, state.answers)) if any(state.answers.get(q.id) not in (None, "", []) for q in sec.questions) else set(),
            "suggestions": suggestions(ins, dict(assessment.case.details), local_overrides=area_tiering_overrides(inspection=assessment.case.inspection, ins=ins)),
            "live": answered_on_the_page(sec),
            "restored": bool(restored),
            "restored_fields": [f"q-{q}" for q in restored],
            "editable": editable,
            "breadcrumbs": _crumbs(assessment),
            "section_nav": "inspections",
        },
        status=400 if errors else (409 if conflicts else 200),
    )


def _say_what_is_left(request: HttpRequest, assessment: Any, sec: Any, state: Any, saved_banner: bool = True) -> None:
    """The banner after "Save": saved, and what still stops the section counting as done
    (after "Save and continue" only that, when there is something)."""
    row = next(r for g in state.groups for r in g.rows if r.section_id == sec.id)
    left = []
    if row.unanswered:
        left.append(f"{row.unanswered} question{'' if row.unanswered == 1 else 's'} still to answer")
    if row.warnings:
        left.append(f"{row.warnings} consistency warning{'' if row.warnings == 1 else 's'} to resolve or explain before you submit")
    if left:
        messages.info(request, f"{sec.id} saved. It has {' and '.join(left)}.")
    elif saved_banner:
        messages.success(request, f"{sec.id} saved")


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
