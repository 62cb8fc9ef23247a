from __future__ import annotations

from typing import Any

from caseassess.audit.models import AccessLog, AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    entity: str,
    entity_id: Any = "",
    inspection_id: int | None = None,
    case_id: int | None = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        inspection_id=inspection_id,
        case_id=case_id,
        field=field,
        old=old,
        new=new,
    )


def access_log(*, user: Any, kind: str, path: str, case_id: int | None = None, inspection_id: int | None = None) -> None:
    AccessLog.objects.create(user=user, kind=kind, case_id=case_id, inspection_id=inspection_id, path=path[:300])
