"""Writes that set an inspectorate up: programmes, areas, inspections and their members.
Each is validated whole (a ``SetupError`` maps fields to messages and nothing is written),
transactional, and audited with the old and new values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from caseassess.accounts.models import Role, User
from caseassess.audit.services import audit_record
from caseassess.inspections.models import Area, Inspection, Membership, MembershipRole, Programme
from caseassess.instruments.models import InstrumentVersion


class SetupError(ValueError):
    """Refused; ``errors`` maps a field name to the message shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _day(d: dt.date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else "not set"


def _programme_state(p: Programme) -> dict[str, Any]:
    return {
        "name": p.name, "description": p.description,
        "period_start": p.period_start.isoformat() if p.period_start else None,
        "period_end": p.period_end.isoformat() if p.period_end else None,
        "instruments": sorted(p.instruments.values_list("instrument_id", flat=True)) if p.pk else [],
        "retention_date": p.retention_date.isoformat() if p.retention_date else None,
    }


def programme_save(
    *, actor: Any, programme: Programme | None = None, name: str, description: str = "",
    period_start: dt.date, period_end: dt.date, instruments: list[InstrumentVersion], retention_date: dt.date | None = None,
) -> Programme:
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the programme"
    elif Programme.objects.filter(name__iexact=name).exclude(pk=programme.pk if programme else None).exists():
        errors["name"] = f"A programme called {name} already exists: choose another name"
    if period_end < period_start:
        errors["period_end"] = "The end of the programme must be on or after its start"
    if not instruments:
        errors["instruments"] = "Select at least one instrument version the programme's inspections may use"
    if retention_date is not None and retention_date < period_end:
        errors["retention_date"] = f"The retention date must be after the programme ends ({_day(period_end)})"
    if programme is not None and not errors:
        allowed = {i.pk for i in instruments}
        for insp in programme.inspections.all():
            if insp.fieldwork_start < period_start or insp.fieldwork_end > period_end:
                errors["period_start"] = (
                    f"{insp.name} has fieldwork from {_day(insp.fieldwork_start)} to {_day(insp.fieldwork_end)}, "
                    "outside this period"
                )
                break
        for insp in programme.inspections.exclude(instrument__in=allowed).select_related("instrument"):
            errors["instruments"] = f"{insp.name} uses {insp.instrument.title} ({insp.instrument.instrument_id}): keep it allowed"
            break
    if errors:
        raise SetupError(errors)
    with transaction.atomic():
        old = _programme_state(programme) if programme else None
        p = programme or Programme()
        p.name, p.description = name, description.strip()
        p.period_start, p.period_end, p.retention_date = period_start, period_end, retention_date
        p.save()
        p.instruments.set(instruments)
        new = _programme_state(p)
        if old != new:
            audit_record(actor=actor, action="programme_edit" if old else "programme_create", entity="programme", entity_id=p.pk, old=old, new=new)
    return p


def area_save(*, actor: Any, area: Area | None = None, name: str, description: str = "", leads: list[User] | None = None) -> Area:
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the name of the Probation Trust or region"
    elif Area.objects.filter(name__iexact=name).exclude(pk=area.pk if area else None).exists():
        errors["name"] = f"An area called {name} already exists"
    for u in leads or []:
        if u.role == Role.ANALYST or not u.is_active:
            errors["leads"] = f"{u.username} cannot lead an area ({'an analyst account' if u.is_active else 'deactivated'})"
    if errors:
        raise SetupError(errors)
    with transaction.atomic():
        old = {"name": area.name, "description": area.description, "leads": sorted(area.leads.values_list("username", flat=True))} if area else None
        a = area or Area()
        a.name, a.description = name, description.strip()
        a.updated_by = actor if getattr(actor, "pk", None) else None
        a.save()
        if leads is not None:
            a.leads.set(leads)
        new = {"name": a.name, "description": a.description, "leads": sorted(a.leads.values_list("username", flat=True))}
        if old != new:
            audit_record(actor=actor, action="area_edit" if old else "area_create", entity="area", entity_id=a.pk, old=old, new=new)
    return a


def _inspection_state(i: Inspection) -> dict[str, Any]:
    return {
        "programme": i.programme.name, "name": i.name, "area": i.area.name, "topic": i.topic,
        "fieldwork_start": i.fieldwork_start.isoformat(), "fieldwork_end": i.fieldwork_end.isoformat(),
        "instrument": i.instrument.instrument_id,
    }


def inspection_save(
    *, actor: Any, inspection: Inspection | None = None, programme: Programme, name: str, area: Area, topic: str = "",
    fieldwork_start: dt.date, fieldwork_end: dt.date, instrument: InstrumentVersion, lead: User | None = None,
) -> Inspection:
    """Create (with ``lead`` as its lead inspector) or edit an inspection of ``programme``.
    Fieldwork must fall within the programme's period and the instrument version must be one
    the programme allows; an inspection with cases keeps its instrument version."""
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the inspection"
    elif Inspection.objects.filter(programme=programme, name__iexact=name).exclude(pk=inspection.pk if inspection else None).exists():
        errors["name"] = f"An inspection called {name} already exists in {programme.name}: choose another name"
    if fieldwork_end < fieldwork_start:
        errors["fieldwork_end"] = "The last day of fieldwork must be on or after the first day"
    def outside(d: dt.date) -> bool:
        return bool((programme.period_start and d < programme.period_start) or (programme.period_end and d > programme.period_end))

    if outside(fieldwork_start):
        errors["fieldwork_start"] = f"Fieldwork must start within the programme, which runs from {_day(programme.period_start)} to {_day(programme.period_end)}"
    if outside(fieldwork_end) and "fieldwork_end" not in errors:
        errors["fieldwork_end"] = f"Fieldwork must end within the programme, which runs from {_day(programme.period_start)} to {_day(programme.period_end)}"
    if not programme.instruments.filter(pk=instrument.pk).exists():
        errors["instrument"] = f"{programme.name} does not allow {instrument.title} ({instrument.instrument_id}); select one of its instrument versions"
    if inspection is not None and inspection.instrument_id != instrument.pk and inspection.cases.exists():
        errors["instrument"] = "This inspection has cases: their answers keep its instrument version, so it cannot change"
    if inspection is not None and inspection.closed:
        errors["name"] = "This inspection is closed and cannot be changed"
    if lead is not None and (lead.role == Role.ANALYST or not lead.is_active):
        errors["lead"] = f"{lead.username} cannot lead an inspection ({'an analyst account' if lead.is_active else 'deactivated'})"
    if errors:
        raise SetupError(errors)
    with transaction.atomic():
        old = _inspection_state(inspection) if inspection else None
        i = inspection or Inspection()
        i.programme, i.name, i.area, i.topic = programme, name, area, topic.strip()
        i.fieldwork_start, i.fieldwork_end, i.instrument = fieldwork_start, fieldwork_end, instrument
        i.save()
        new = _inspection_state(i)
        if old != new:
            audit_record(actor=actor, action="inspection_edit" if old else "inspection_create", entity="inspection", entity_id=i.pk, inspection_id=i.pk, old=old, new=new)
        if lead is not None:
            membership_set(actor=actor, inspection=i, user=lead, role=MembershipRole.LEAD_INSPECTOR)
    return i


def membership_set(*, actor: Any, inspection: Inspection, user: User, role: str) -> bool:
    """Make ``user`` a member of the inspection with ``role`` (or change their role).
    Returns whether anything changed; analyst accounts are analyst members only."""
    if role not in MembershipRole.values:
        raise SetupError({"role": "Select lead inspector, assessor or analyst"})
    if not user.is_active:
        raise SetupError({"username": f"{user.username}'s account is deactivated"})
    if user.role == Role.ANALYST and role != MembershipRole.ANALYST:
        raise SetupError({"role": f"{user.username} has an analyst account: they can only be an analyst (findings only) on an inspection"})
    with transaction.atomic():
        m = Membership.objects.select_for_update().filter(inspection=inspection, user=user).first()
        old = m.role if m else None
        if old == role:
            return False
        if m is None:
            Membership.objects.create(inspection=inspection, user=user, role=role)
        else:
            if old == MembershipRole.ASSESSOR and role == MembershipRole.ANALYST and inspection.cases.filter(assessments__assessor=user).exists():
                raise SetupError({"role": f"{user.username} has cases allocated in this inspection: reallocate them first"})
            m.role = role
            m.save(update_fields=["role"])
        audit_record(actor=actor, action="member_set", entity="inspection", entity_id=inspection.pk, inspection_id=inspection.pk,
                     field=user.username, old=old, new=role)
    return True


def membership_remove(*, actor: Any, inspection: Inspection, user: User) -> None:
    """Take ``user`` off the inspection's team: refused while they have cases there, and for
    the last lead inspector. Audited."""
    with transaction.atomic():
        m = Membership.objects.select_for_update().filter(inspection=inspection, user=user).first()
        if m is None:
            raise SetupError({"username": f"{user.username} is not on this inspection's team"})
        if inspection.cases.filter(assessments__assessor=user).exists():
            raise SetupError({"username": f"{user.username} has cases in this inspection: reallocate them first"})
        if m.role == MembershipRole.LEAD_INSPECTOR and not Membership.objects.filter(inspection=inspection, role=MembershipRole.LEAD_INSPECTOR).exclude(pk=m.pk).exists():
            raise SetupError({"username": f"{user.username} is the inspection's only lead inspector: make someone else lead first"})
        m.delete()
        audit_record(actor=actor, action="member_remove", entity="inspection", entity_id=inspection.pk, inspection_id=inspection.pk,
                     field=user.username, old=m.role, new=None)


def member_for_username(*, inspection: Inspection, username: str) -> User:
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise SetupError({"username": f"There is no account called {username.strip() or '(blank)'}: an administrator creates it first"})
    return user


def inspection_close(*, actor: Any, inspection: Inspection) -> bool:
    """Close an inspection: its assessments become read-only; its findings are still reported."""
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.closed_at is not None:
            return False
        locked.closed_at = timezone.now()
        locked.closed_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, action="inspection_close", entity="inspection", entity_id=locked.pk, inspection_id=locked.pk,
                     field="closed_at", old=None, new=locked.closed_at.isoformat())
    inspection.closed_at, inspection.closed_by = locked.closed_at, locked.closed_by
    return True


def inspection_reopen(*, actor: Any, inspection: Inspection) -> bool:
    """Reopen a closed inspection (administrators only): its assessments, case details and
    allocation can be changed again. Audited with the closing date it had."""
    if getattr(actor, "role", None) != Role.ADMINISTRATOR:
        raise SetupError({"inspection": "Only an administrator can reopen an inspection"})
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.closed_at is None:
            return False
        closed_at = locked.closed_at
        locked.closed_at, locked.closed_by = None, None
        locked.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, action="inspection_reopen", entity="inspection", entity_id=locked.pk, inspection_id=locked.pk,
                     field="closed_at", old=closed_at.isoformat(), new=None)
    inspection.closed_at, inspection.closed_by = None, None
    return True


def inspection_by_name(name: str, programme: str | None = None) -> Inspection:
    """The inspection called ``name`` (for commands); names are unique within a programme."""
    qs = Inspection.objects.filter(name=name)
    if programme:
        qs = qs.filter(programme__name=programme)
    found = list(qs.select_related("programme")[:2])
    if not found:
        raise SetupError({"inspection": f"No inspection called {name!r}" + (f" in {programme!r}" if programme else "")})
    if len(found) > 1:
        raise SetupError({"inspection": f"More than one programme has an inspection called {name!r}: add --programme"})
    return found[0]
