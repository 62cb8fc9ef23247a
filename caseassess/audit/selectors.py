"""The audit log as people read it: filtered events with names, people's words for each
action, dates like "26 March 2011", and the same rows for the CSV export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from caseassess.audit.models import AccessLog, AuditEvent

ACTION_LABELS: dict[str, str] = {
    "sign_in": "Signed in with password",
    "two_factor": "Entered security code",
    "two_factor_set_up": "Set up authenticator app",
    "two_factor_reset": "Reset two-factor sign-in",
    "invitation_issue": "Made a one-time link",
    "invitation_accept": "Set password from one-time link",
    "user_create": "Added a user",
    "user_role": "Changed a user's role",
    "user_deactivate": "Deactivated a user",
    "user_reactivate": "Reactivated a user",
    "user_unlock": "Unlocked a user",
    "audit_view": "Viewed the audit log",
    "audit_export": "Downloaded the audit log",
    "load_instrument": "Loaded an instrument version",
    "load_rating_scheme": "Loaded a rating scheme",
    "load_crosswalk": "Loaded a crosswalk between instrument versions",
    "update_crosswalk": "Changed a crosswalk between instrument versions",
    "create_api_token": "Created an API token",
    "revoke_api_token": "Revoked an API token",
    "inspection_create": "Created an inspection",
    "inspection_close": "Closed an inspection",
    "inspection_reopen": "Reopened an inspection",
    "case_add": "Added a case",
    "allocate": "Allocated a case",
    "answer": "Answered a question",
    "comment": "Changed a comment on a question",
    "case_detail": "Changed a case detail",
    "explain_warning": "Explained a consistency warning",
    "import": "Imported assessments",
    "area_tiering_set": "Set local tiering rows",
    "caseload_upload": "Uploaded a caseload",
    "sample_draw": "Drew a sample",
    "sample_add": "Added sampled cases",
    "double_assessment_mark": "Marked a case for double assessment",
    "moderate": "Moderated an answer",
    "moderation_complete": "Completed moderation",
    "counts": "Changed whether an assessment counts",
    "benchmark_mark": "Marked a benchmark case",
    "benchmark_assign": "Assigned a benchmark case",
    "status:not_started": "Reopened as not started",
    "status:in_progress": "Started",
    "status:submitted": "Submitted",
    "status:returned": "Returned for changes",
    "status:signed_off": "Signed off",
}

# The consultation log (AccessLog): who opened which case record, report or export.
KIND_LABELS: dict[str, str] = {
    "case_view": "Opened a case record",
    "report_view": "Opened findings",
    "export": "Downloaded an export",
    "api_call": "Used the API",
    "refused": "Was refused a record (page not found)",
}
LOGS = {"changes": "Changes", "views": "Record views"}

VALUE_WORDS = {True: "Yes", False: "No", None: ""}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    return action.replace("status:", "").replace("_", " ").capitalize()


def value_text(value: Any) -> str:
    """Old and new values in words: no JSON braces or internal codes."""
    if isinstance(value, bool) or value is None:
        return VALUE_WORDS[value]
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')}: {value_text(v)}" for k, v in value.items() if v not in ("", None, [], {}))
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, str):
        return value.replace("_", " ") if value.isidentifier() and value.islower() else value
    return json.dumps(value) if not isinstance(value, int | float) else str(value)


@dataclass(frozen=True)
class AuditFilter:
    log: str = "changes"  # "changes" (AuditEvent) or "views" (AccessLog)
    person: int | None = None
    inspection: int | None = None
    case_ref: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_record(self) -> dict[str, Any]:
        """What was asked for, for the audit row of the viewing itself."""
        out = {
            "log": self.log if self.log != "changes" else None,
            "person": self.person, "inspection": self.inspection, "case": self.case_ref, "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else None, "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    person: str
    action: str
    inspection: str
    case: str
    field: str
    old: str
    new: str


@dataclass
class Names:
    people: dict[int, str] = field(default_factory=dict)
    inspections: dict[int, str] = field(default_factory=dict)
    cases: dict[int, str] = field(default_factory=dict)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(*, flt: AuditFilter) -> QuerySet[Any]:
    """Changes (AuditEvent) or record views (AccessLog), filtered, newest first."""
    from caseassess.inspections.models import Case

    views = flt.log == "views"
    qs: QuerySet[Any] = AccessLog.objects.all() if views else AuditEvent.objects.all()
    if flt.person:
        qs = qs.filter(user_id=flt.person) if views else qs.filter(actor_id=flt.person)
    if flt.inspection:
        qs = qs.filter(inspection_id=flt.inspection)
    if flt.case_ref:
        case_ids = Case.objects.filter(case_ref__iexact=flt.case_ref.strip())
        if flt.inspection:
            case_ids = case_ids.filter(inspection_id=flt.inspection)
        qs = qs.filter(case_id__in=list(case_ids.values_list("pk", flat=True)))
    if flt.action:
        qs = qs.filter(kind=flt.action) if views else qs.filter(action=flt.action)
    if flt.date_from:
        qs = qs.filter(at__gte=_day_start(flt.date_from))
    if flt.date_to:
        qs = qs.filter(at__lt=_day_start(flt.date_to + dt.timedelta(days=1)))
    return qs.order_by("-at", "-id")


def _actor_id(e: Any) -> int | None:
    return e.user_id if isinstance(e, AccessLog) else e.actor_id


def _names(events: list[Any]) -> Names:
    from caseassess.accounts.models import User
    from caseassess.inspections.models import Case, Inspection

    names = Names()
    people = {_actor_id(e) for e in events if _actor_id(e)}
    for u in User.objects.filter(pk__in=people):
        names.people[u.pk] = u.get_full_name() or u.username
    names.inspections = dict(Inspection.objects.filter(pk__in={e.inspection_id for e in events if e.inspection_id}).values_list("pk", "name"))
    names.cases = dict(Case.objects.filter(pk__in={e.case_id for e in events if e.case_id}).values_list("pk", "case_ref"))
    return names


def audit_rows(events: list[Any]) -> list[AuditRow]:
    names = _names(events)
    rows = []
    for e in events:
        actor = _actor_id(e)
        view = isinstance(e, AccessLog)
        rows.append(AuditRow(
            at=timezone.localtime(e.at),
            person=names.people.get(actor, "") if actor else "A command on the server",
            action=KIND_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize()) if view else action_label(e.action),
            inspection=names.inspections.get(e.inspection_id, "") if e.inspection_id else "",
            case=names.cases.get(e.case_id, "") if e.case_id else "",
            field="address" if view else e.field.replace("_", " "),
            old="" if view else value_text(e.old),
            new=e.path if view else value_text(e.new),
        ))
    return rows


def audit_filter_choices(log: str = "changes") -> dict[str, list[tuple[str, str]]]:
    from caseassess.accounts.models import User
    from caseassess.inspections.models import Inspection

    if log == "views":
        kinds = set(KIND_LABELS) | set(AccessLog.objects.values_list("kind", flat=True).distinct())
        action_choices = sorted(((k, KIND_LABELS.get(k, k.replace("_", " ").capitalize())) for k in kinds), key=lambda kv: kv[1])
    else:
        present = set(AuditEvent.objects.values_list("action", flat=True).distinct())
        action_choices = [(a, action_label(a)) for a in sorted(set(ACTION_LABELS) | present, key=action_label)]
    return {
        "people": [(str(u.pk), u.get_full_name() or u.username) for u in User.objects.order_by("username")],
        "inspections": [(str(pk), name) for pk, name in Inspection.objects.order_by("name").values_list("pk", "name")],
        "actions": action_choices,
    }


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet would read as a formula is written as text."""
    return "'" + value if value.startswith(FORMULA_START) else value


CSV_HEADER = ["When", "Person", "Action", "Inspection", "Case", "Field", "Old value", "New value"]


def audit_csv_rows(qs: QuerySet[Any], *, chunk: int = 2000) -> Iterator[list[str]]:
    yield CSV_HEADER
    last: tuple[Any, Any] | None = None
    while True:
        page = qs
        if last is not None:
            from django.db.models import Q

            page = qs.filter(Q(at__lt=last[0]) | Q(at=last[0], id__lt=last[1]))
        events = list(page[:chunk])
        if not events:
            return
        for r in audit_rows(events):
            yield [csv_safe(v) for v in (r.at.strftime("%-d %B %Y %H:%M:%S"), r.person, r.action, r.inspection, r.case, r.field, r.old, r.new)]
        last = (events[-1].at, events[-1].pk)
