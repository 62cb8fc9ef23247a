"""The read API under /api/v1/ (django-ninja) and its one write: importing assessments.

Every call needs a personal token (``Authorization: Bearer ca_…``) with the scope the route
names; the same per-inspection rules as the pages apply (an inspection or programme the
token's owner may not see answers 404). Every call is written to the access log with the
token's id. Numbers come from the same selectors as the pages and exports."""

from __future__ import annotations

import base64
import csv
import dataclasses
import enum
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from caseassess.api.models import ApiToken, Scope
from caseassess.api.services import rate_limited, token_authenticate
from caseassess.assessments.models import Answer
from caseassess.audit.services import access_log
from caseassess.inspections.models import Case, Inspection, Programme
from caseassess.inspections.permissions import inspection_for, inspections_visible
from caseassess.reporting.counts import COUNTED
from caseassess.reporting.ratings import ratings_rows, ratings_view
from caseassess.reporting.selectors import (
    STANDARD,
    custom_dimension,
    findings_report,
    programme_inspections,
    scope_instrument,
)
from caseassess.sampling.selectors import agreement_for
from caseassess_core.findings.report import report_to_dict
from caseassess_core.instrument.schema import AnswerType

MAX_IMPORT_BYTES = 50 * 1024 * 1024


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        access_log(user=found.user, kind="api_call", path=f"{request.method} {request.get_full_path()} token {found.pk}")
        if rate_limited(found, per_minute=getattr(settings, "CASEASSESS_API_RATE_PER_MINUTE", 120)):
            raise HttpError(429, "Too many requests for this token: wait a minute and try again")
        return found


api = NinjaAPI(
    title="caseassess API",
    version="1",
    description=__doc__ or "",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


def _need(request: HttpRequest, scope: Scope) -> ApiToken:
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    if scope.value not in token.scopes:
        raise HttpError(403, f"This token may not {scope.label[0].lower()}{scope.label[1:]}; make a token with that scope")
    return token


def _plain(value: Any) -> Any:
    """Dataclasses, enums and tuples as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _programme_scope(request: HttpRequest, pk: int) -> tuple[Programme, list[Inspection]]:
    prog = get_object_or_404(Programme, pk=pk)
    inspections = programme_inspections(programme=prog, visible=inspections_visible(request.user))
    if not inspections:
        raise Http404("No such programme")
    return prog, inspections


def _case_records_allowed(request: HttpRequest, inspection: Inspection) -> None:
    """Cases and answers: the inspection's lead inspectors and analysts (their role on that
    inspection, or an analyst account) and administrators."""
    from caseassess.inspections.permissions import sees_findings_of

    if not sees_findings_of(request.user, inspection):
        raise Http404("No such inspection")


# ------------------------------------------------------------------------------ schemas


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    inspections: int


class InspectionOut(Schema):
    id: int
    name: str
    programme_id: int
    programme: str
    area: str
    fieldwork_start: str
    fieldwork_end: str
    instrument: str


class CaseOut(Schema):
    id: int
    case_ref: str
    details: dict[str, Any]


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class AnswerOut(Schema):
    id: int
    case_ref: str
    assessment_id: int
    status: str
    question_id: str
    value: Any
    scoring: str
    comment: str | None = None


class AnswerPage(Schema):
    items: list[AnswerOut]
    next_cursor: str | None


class ImportOut(Schema):
    ok: bool
    rows: int
    cases_created: int
    cases_updated: int
    answers_created: int
    answers_updated: int
    answers_unchanged: int
    error_count: int
    errors: list[str]


class Message(Schema):
    detail: str


def _cursor_in(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "The cursor is not one this API gave out; start again without it") from None


def _cursor_out(last: int | None) -> str | None:
    return None if last is None else base64.urlsafe_b64encode(str(last).encode()).decode()


def _limit(limit: int) -> int:
    if not 1 <= limit <= 5000:
        raise HttpError(400, "limit must be between 1 and 5000")
    return limit


# ------------------------------------------------------------------------------- routes


@api.get("/programmes", response=list[ProgrammeOut], tags=["programmes"])
def programmes(request: HttpRequest) -> list[dict[str, Any]]:
    """Programmes with at least one inspection you can see."""
    _need(request, Scope.FINDINGS)
    visible = inspections_visible(request.user)
    out = []
    for prog in Programme.objects.filter(inspections__in=visible).distinct().order_by("name"):
        out.append({"id": prog.pk, "name": prog.name, "description": prog.description,
                    "inspections": visible.filter(programme=prog).count()})
    return out


@api.get("/inspections", response=list[InspectionOut], tags=["inspections"])
def inspections(request: HttpRequest, programme: int | None = None) -> list[dict[str, Any]]:
    """Inspections you can see (optionally of one programme)."""
    _need(request, Scope.FINDINGS)
    qs = inspections_visible(request.user).select_related("programme", "instrument").order_by("fieldwork_start", "name")
    if programme is not None:
        qs = qs.filter(programme_id=programme)
    return [
        {"id": i.pk, "name": i.name, "programme_id": i.programme_id, "programme": i.programme.name, "area": str(i.area),
         "fieldwork_start": i.fieldwork_start.isoformat(), "fieldwork_end": i.fieldwork_end.isoformat(),
         "instrument": i.instrument.instrument_id}
        for i in qs
    ]


@api.get("/inspections/{inspection_id}/cases", response=CasePage, tags=["cases and answers"])
def cases(request: HttpRequest, inspection_id: int, cursor: str | None = None, limit: int = 500) -> dict[str, Any]:
    """Case references and case details. Text case details only with the free_text scope."""
    token = _need(request, Scope.ANSWERS)
    insp = inspection_for(request.user, inspection_id)
    _case_records_allowed(request, insp)
    ins = scope_instrument([insp])
    text_fields = {f.id for f in ins.case_details if f.type == AnswerType.TEXT}
    free_text = Scope.FREE_TEXT.value in token.scopes
    rows = list(Case.objects.filter(inspection=insp, pk__gt=_cursor_in(cursor)).order_by("pk")[: _limit(limit)])
    items = [
        {"id": c.pk, "case_ref": c.case_ref,
         "details": {k: v for k, v in c.details.items() if free_text or k not in text_fields}}
        for c in rows
    ]
    return {"items": items, "next_cursor": _cursor_out(rows[-1].pk) if len(rows) == limit else None}


@api.get("/inspections/{inspection_id}/answers", response=AnswerPage, tags=["cases and answers"])
def answers(request: HttpRequest, inspection_id: int, cursor: str | None = None, limit: int = 1000,
            counted_only: bool = True) -> dict[str, Any]:
    """Answers in long form, one per assessment and question, paginated by cursor. ``counted_only``
    (default): submitted and signed-off assessments that count in findings. Comments and the
    values of free-text questions only with the free_text scope (otherwise null)."""
    token = _need(request, Scope.ANSWERS)
    insp = inspection_for(request.user, inspection_id)
    _case_records_allowed(request, insp)
    free_text = Scope.FREE_TEXT.value in token.scopes
    text_questions = {q.id for q in scope_instrument([insp]).questions() if q.type == AnswerType.TEXT}
    qs = Answer.objects.filter(assessment__case__inspection=insp, pk__gt=_cursor_in(cursor))
    if counted_only:
        qs = qs.filter(assessment__counts=True, assessment__status__in=COUNTED)
    rows = list(
        qs.order_by("pk").values_list("pk", "assessment__case__case_ref", "assessment_id", "assessment__status",
                                      "question_id", "value", "scoring", "comment")[: _limit(limit)]
    )
    items = [
        {"id": pk, "case_ref": ref, "assessment_id": aid, "status": status, "question_id": qid,
         "value": value if free_text or qid not in text_questions else None,
         "scoring": scoring, "comment": comment if free_text else None}
        for pk, ref, aid, status, qid, value, scoring, comment in rows
    ]
    return {"items": items, "next_cursor": _cursor_out(rows[-1][0]) if len(rows) == limit else None}


@api.get("/programmes/{programme_id}/findings", response=dict[str, Any], tags=["findings"])
def programme_findings(request: HttpRequest, programme_id: int) -> dict[str, Any]:
    """The aggregate findings report: the same document as the JSON export."""
    _need(request, Scope.FINDINGS)
    prog, insps = _programme_scope(request, programme_id)
    return report_to_dict(findings_report(inspections=insps, title=f"Aggregate findings: {prog.name}", dimensions=STANDARD))


@api.get("/inspections/{inspection_id}/findings", response=dict[str, Any], tags=["findings"])
def inspection_findings(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    """One inspection's findings: the same document as its JSON export."""
    _need(request, Scope.FINDINGS)
    insp = inspection_for(request.user, inspection_id)
    return report_to_dict(findings_report(inspections=[insp], title=f"Findings: {insp.name}", dimensions=STANDARD))


class CompareQuery(Schema):
    by: str
    groups: str | None = None
    versus_all: str | None = None


@api.get("/programmes/{programme_id}/comparisons", response={200: dict[str, Any], 400: Message}, tags=["findings"])
def comparison(request: HttpRequest, programme_id: int, q: Query[CompareQuery]) -> Any:
    """Findings compared by any case detail: ``?by=gender&groups=male,female`` or
    ``?by=rosh_at_start&versus_all=high+very_high``."""
    _need(request, Scope.FINDINGS)
    prog, insps = _programme_scope(request, programme_id)
    ins = scope_instrument(insps)
    if bool(q.groups) == bool(q.versus_all):
        return Status(400, {"detail": "give either groups=A,B or versus_all=A"})
    try:
        field = ins.case_field(q.by)
    except KeyError:
        return Status(400, {"detail": f"by={q.by!r} is not a case-detail field of {ins.id}"})
    allowed = {o.value for o in ins.options_for(field)}
    spec = q.groups or q.versus_all or ""
    unknown = [v for part in spec.split(",") for v in part.split("+") if v.strip() not in allowed]
    if unknown:
        return Status(400, {"detail": f"{unknown[0]!r} is not a value of {q.by} (values: {', '.join(sorted(allowed))})"})
    try:
        dim = custom_dimension(field=q.by, groups=q.groups.split(",") if q.groups else None, versus_all=q.versus_all,
                               instrument=ins)
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    return report_to_dict(findings_report(inspections=insps, title=f"{prog.name}: {dim.title}", dimensions=[dim]))


@api.get("/programmes/{programme_id}/agreement", response=dict[str, Any], tags=["findings"])
def programme_agreement(request: HttpRequest, programme_id: int) -> dict[str, Any]:
    """Agreement between assessors over double-assessed cases (kappa with its interval; withheld below
    the minimum number of double-assessed cases)."""
    _need(request, Scope.FINDINGS)
    _, insps = _programme_scope(request, programme_id)
    return _agreement(agreement_for(inspections=insps))


@api.get("/inspections/{inspection_id}/agreement", response=dict[str, Any], tags=["findings"])
def inspection_agreement(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    _need(request, Scope.FINDINGS)
    return _agreement(agreement_for(inspections=[inspection_for(request.user, inspection_id)]))


def _agreement(view: Any) -> dict[str, Any]:
    """As the agreement page: below the minimum number of double-assessed cases, kappa and the
    low-agreement flag are withheld ("too few cases"); percent agreement and N are kept."""
    report = _plain(view.report)
    too_few = view.cases < view.min_cases
    if too_few:
        for key in ("by_question", "by_section", "by_assessor_pair"):
            for row in report[key]:
                row["kappa"] = None
                row["low_agreement"] = None
    return {"cases": view.cases, "kappa_min_cases": view.min_cases, "too_few_cases": too_few, "report": report,
            "labels": view.labels}


def _ratings(view: Any) -> dict[str, Any]:
    if view is None:
        raise Http404("The instrument of these inspections has no rating scheme")
    return {"scheme": {"id": view.scheme.id, "version": view.scheme.version, "title": view.scheme.title},
            "ratings": ratings_rows(view)}


@api.get("/programmes/{programme_id}/ratings", response=dict[str, Any], tags=["findings"])
def programme_ratings(request: HttpRequest, programme_id: int) -> dict[str, Any]:
    """Ratings for the programme, per area and per inspection, with N, interval and flags."""
    _need(request, Scope.FINDINGS)
    prog, insps = _programme_scope(request, programme_id)
    return _ratings(ratings_view(inspections=insps, title=prog.name))


@api.get("/inspections/{inspection_id}/ratings", response=dict[str, Any], tags=["findings"])
def inspection_ratings(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    _need(request, Scope.FINDINGS)
    insp = inspection_for(request.user, inspection_id)
    return _ratings(ratings_view(inspections=[insp], title=insp.name))


@api.post("/inspections/{inspection_id}/import", response={200: ImportOut, 400: ImportOut, 413: Message},
          tags=["import"])
def import_assessments(request: HttpRequest, inspection_id: int, file: File[UploadedFile]) -> Any:
    """Import assessments from a long CSV, exactly as ``manage.py import_assessments``:
    all-or-nothing, every bad row listed with its row number, nothing written on any error.
    Lead inspectors of the inspection (and administrators) only."""
    from caseassess.reporting.dataexchange import DataExchangeError, assessments_import_csv
    from caseassess_core.csvrows import records_from_binary

    _need(request, Scope.IMPORT)
    insp = inspection_for(request.user, inspection_id)
    from caseassess.inspections.permissions import is_lead_of

    if not is_lead_of(request.user, insp):
        raise Http404("No such inspection")
    if file.size and file.size > MAX_IMPORT_BYTES:
        return Status(413, {"detail": f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; "
                                      "use manage.py import_assessments"})
    # One CSV reader for every upload (caseassess_core.csvrows): a stray carriage return is refused, not a new row.
    rows = records_from_binary(file.file, errors="surrogateescape")
    try:
        result = assessments_import_csv(inspection=insp, actor=request.user, rows=rows)
    except csv.Error as exc:
        return Status(400, _import_out(None, [f"The file is not valid CSV: {exc}"]))
    except DataExchangeError as exc:
        return Status(400, _import_out(None, [str(exc)]))
    return Status(200 if result.ok else 400, _import_out(result, []))


def _import_out(result: Any, errors: list[str]) -> dict[str, Any]:
    if result is None:
        return {"ok": False, "rows": 0, "cases_created": 0, "cases_updated": 0, "answers_created": 0,
                "answers_updated": 0, "answers_unchanged": 0, "error_count": len(errors), "errors": errors}
    return {"ok": result.ok, "rows": result.rows, "cases_created": result.cases_created,
            "cases_updated": result.cases_updated, "answers_created": result.answers_created,
            "answers_updated": result.answers_updated, "answers_unchanged": result.answers_unchanged,
            "error_count": result.error_count, "errors": list(result.errors)}
