"""Who may see what. Every lookup by id goes through here and answers 404, never 403,
so that ids of inspections and cases a user is not part of are not disclosed. The 404s carry
no text: neither the 404 page (caseassess/govuk/errors.py) nor the API's 404 reply ("Not
Found") shows one outside DEBUG.

A person's part in an inspection is the role of their membership of it (lead inspector,
assessor, analyst); the account's own role only adds administrator (everything) or analyst
(aggregate findings only, whatever the membership says)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from caseassess.accounts.models import Role
from caseassess.assessments.models import Assessment
from caseassess.inspections.models import Area, Case, Inspection, Membership, MembershipRole, Programme

ADMINISTRATOR = "administrator"


def _is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.ADMINISTRATOR)


def inspections_visible(user: Any) -> Any:
    if _is_admin(user):
        return Inspection.objects.all()
    if not user.is_authenticated:
        return Inspection.objects.none()
    return Inspection.objects.filter(memberships__user=user)


def inspection_role(user: Any, inspection: Inspection | int) -> str | None:
    """The user's effective role on the inspection (given or by id): "administrator",
    "lead_inspector", "assessor", "analyst", or None when they are not part of it (one small
    query)."""
    if not user.is_authenticated:
        return None
    if _is_admin(user):
        return ADMINISTRATOR
    role = Membership.objects.filter(inspection=inspection, user_id=user.pk).values_list("role", flat=True).first()
    if role is not None and user.role == Role.ANALYST:
        return str(MembershipRole.ANALYST)
    return role


LEAD_ROLES = (ADMINISTRATOR, MembershipRole.LEAD_INSPECTOR)
CASE_RECORD_ROLES = (ADMINISTRATOR, MembershipRole.LEAD_INSPECTOR, MembershipRole.ASSESSOR)


def is_lead_of(user: Any, inspection: Inspection | int) -> bool:
    return inspection_role(user, inspection) in LEAD_ROLES


def sees_findings_of(user: Any, inspection: Inspection | int) -> bool:
    """Lead inspectors, analysts and administrators see an inspection's aggregate findings."""
    return inspection_role(user, inspection) in (ADMINISTRATOR, MembershipRole.LEAD_INSPECTOR, MembershipRole.ANALYST)


def inspections_led(user: Any) -> Any:
    if _is_admin(user):
        return Inspection.objects.all()
    if not user.is_authenticated or user.role == Role.ANALYST:
        return Inspection.objects.none()
    return Inspection.objects.filter(memberships__user=user, memberships__role=MembershipRole.LEAD_INSPECTOR)


def inspections_with_findings(user: Any) -> Any:
    """Inspections whose aggregate findings the user may see."""
    if _is_admin(user):
        return Inspection.objects.all()
    if not user.is_authenticated:
        return Inspection.objects.none()
    if user.role == Role.ANALYST:
        return Inspection.objects.filter(memberships__user=user)
    return Inspection.objects.filter(memberships__user=user, memberships__role__in=[MembershipRole.LEAD_INSPECTOR, MembershipRole.ANALYST])


def programmes_for_new_inspections(user: Any) -> Any:
    """Programmes a user may create an inspection in: all for administrators, otherwise the
    programmes where they lead an inspection. Other teams' programmes are not listed."""
    if _is_admin(user):
        return Programme.objects.order_by("name")
    return Programme.objects.filter(inspections__in=inspections_led(user)).distinct().order_by("name")


def inspection_for(user: Any, pk: int) -> Inspection:
    # The instrument's definition (hundreds of KB of JSON) is never read from here:
    # instrument_get parses it once per process, keyed by id and checksum.
    if inspection_role(user, pk) is None:
        raise Http404
    inspection = Inspection.objects.filter(pk=pk).select_related("programme", "instrument", "area").defer("instrument__definition").first()
    if inspection is None:
        raise Http404
    return inspection


def inspection_for_lead(user: Any, pk: int) -> Inspection:
    inspection = inspection_for(user, pk)
    if not is_lead_of(user, inspection):
        raise Http404
    return inspection


def may_change_area(user: Any, area: Area) -> bool:
    """An area's settings are changed by its own leads and administrators only."""
    return _is_admin(user) or bool(user.is_authenticated and user.role != Role.ANALYST and area.leads.filter(pk=user.pk).exists())


def case_for(user: Any, pk: int) -> Case:
    """Case records: lead inspectors of the inspection, and assessors allocated to the case.
    Analysts see aggregate findings only."""
    case = Case.objects.select_related("inspection__instrument").defer("inspection__instrument__definition").filter(pk=pk).first()
    role = inspection_role(user, case.inspection_id) if case is not None else None
    if case is None or role not in CASE_RECORD_ROLES:
        raise Http404
    if role not in LEAD_ROLES and not case.assessments.filter(assessor=user).exists():
        raise Http404
    return case


def assessment_for(user: Any, pk: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("case__inspection__instrument", "assessor")
        .defer("case__inspection__instrument__definition")
        .filter(pk=pk)
        .first()
    )
    # One query for the role on the inspection (an autosave runs this on every save).
    role = inspection_role(user, assessment.case.inspection_id) if assessment is not None else None
    if assessment is None or role not in CASE_RECORD_ROLES:
        raise Http404
    if role not in LEAD_ROLES and assessment.assessor_id != user.pk:
        raise Http404
    return assessment


def can_edit(user: Any, assessment: Assessment) -> bool:
    if assessment.case.inspection.closed_at is not None:
        return False
    return bool(assessment.editable and (assessment.assessor_id == user.pk or (is_lead_of(user, assessment.case.inspection_id) and assessment.assessor_id is None)))


def inspection_assessors(inspection: Inspection) -> list[Any]:
    """The people who may be allocated cases of the inspection: its assessors and lead
    inspectors (analysts never see case records)."""
    from caseassess.accounts.models import User

    return list(
        User.objects.filter(
            memberships__inspection=inspection,
            memberships__role__in=[MembershipRole.ASSESSOR, MembershipRole.LEAD_INSPECTOR],
        ).exclude(role=Role.ANALYST).order_by("username")
    )
