"""Who may see what. Every lookup by id goes through here and answers 404, never 403,
so that ids of inspections and cases a user is not part of are not disclosed."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from caseassess.accounts.models import Role
from caseassess.assessments.models import Assessment
from caseassess.inspections.models import Case, Inspection


def _is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.ADMINISTRATOR)


def inspections_visible(user: Any) -> Any:
    if _is_admin(user):
        return Inspection.objects.all()
    return Inspection.objects.filter(members=user)


def inspection_for(user: Any, pk: int) -> Inspection:
    # The instrument's definition (hundreds of KB of JSON) is never read from here:
    # instrument_get parses it once per process, keyed by id and checksum.
    inspection = inspections_visible(user).filter(pk=pk).select_related("programme", "instrument").defer("instrument__definition").first()
    if inspection is None:
        raise Http404("No such inspection")
    return inspection


def _require_member(user: Any, inspection_id: int) -> None:
    if not inspections_visible(user).filter(pk=inspection_id).exists():
        raise Http404("No such inspection")


def inspection_for_lead(user: Any, pk: int) -> Inspection:
    inspection = inspection_for(user, pk)
    if not user.is_lead:
        raise Http404("No such inspection")
    return inspection


def case_for(user: Any, pk: int) -> Case:
    """Case records: lead inspectors of the inspection, and assessors allocated to the case.
    Analysts see aggregate findings only."""
    case = Case.objects.select_related("inspection", "inspection__instrument").defer("inspection__instrument__definition").filter(pk=pk).first()
    if case is None or user.role == Role.ANALYST:
        raise Http404("No such case")
    _require_member(user, case.inspection_id)
    if not user.is_lead and not case.assessments.filter(assessor=user).exists():
        raise Http404("No such case")
    return case


def assessment_for(user: Any, pk: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("case", "case__inspection", "case__inspection__instrument", "assessor")
        .defer("case__inspection__instrument__definition")
        .filter(pk=pk)
        .first()
    )
    if assessment is None or user.role == Role.ANALYST:
        raise Http404("No such assessment")
    _require_member(user, assessment.case.inspection_id)
    if not user.is_lead and assessment.assessor_id != user.pk:
        raise Http404("No such assessment")
    return assessment


def can_edit(user: Any, assessment: Assessment) -> bool:
    return bool(assessment.editable and (assessment.assessor_id == user.pk or (user.is_lead and assessment.assessor_id is None)))
