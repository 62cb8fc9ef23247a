"""Consultation logs and the append-only audit tables (docs/security.md). Runs on SQLite
and on PostgreSQL (scripts/test.sh); the database-level refusals are checked on both."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from caseassess.audit.models import AccessLog, AuditEvent
from tests.web import test_security_access
from tests.web.conftest import client_for
from tests.web.test_security_access import CASE_RECORD_ROUTES, ROUTES

world = test_security_access.world  # shared fixture: one of each protected thing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", sorted(CASE_RECORD_ROUTES))
def test_every_view_of_a_case_record_is_logged_with_who_which_case_and_when(route: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    url = reverse(route, kwargs=ROUTES[route](world))
    before = set(AccessLog.objects.values_list("id", flat=True))
    r = client_for(users["lead"]).get(url)
    assert r.status_code == 200, url
    new = list(AccessLog.objects.exclude(id__in=before).values("user__username", "kind", "case_id", "inspection_id", "path", "at"))
    assert [(e["user__username"], e["kind"], e["case_id"], e["inspection_id"], e["path"]) for e in new] == [
        ("lead", "case_view", world["case"], world["inspection"], url)
    ]
    assert new[0]["at"] is not None


def test_a_refused_case_view_is_not_logged_as_a_consultation(world: dict[str, Any], users: dict[str, Any]) -> None:
    client_for(users["outsider"]).get(reverse("assessments:task_list", kwargs={"pk": world["assessment"]}))
    assert not AccessLog.objects.filter(kind="case_view").exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_every_export_is_logged(fmt: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    for route in ("reporting:inspection_export", "reporting:programme_export"):
        url = reverse(route, kwargs={"pk": world["inspection"] if "inspection" in route else world["programme"], "fmt": fmt})
        assert c.get(url).status_code == 200
        assert AccessLog.objects.filter(kind="export", path=url, user=users["analyst"]).count() == 1


def _refused(statement: Any) -> bool:
    try:
        with transaction.atomic():
            statement()
    except DatabaseError:
        return True
    return False


def test_the_database_refuses_a_bulk_update_of_either_audit_table(assessment: Any, users: dict[str, Any]) -> None:
    client_for(users["assessor"]).get(reverse("assessments:task_list", kwargs={"pk": assessment.pk}))
    assert AuditEvent.objects.exists() and AccessLog.objects.exists()
    assert _refused(lambda: AuditEvent.objects.all().update(new="tampered"))
    assert _refused(lambda: AccessLog.objects.all().update(path="/nothing-to-see"))

    def raw_update() -> None:
        with connection.cursor() as cur:
            cur.execute("UPDATE audit_accesslog SET user_id = NULL")

    assert _refused(raw_update)
    assert not AuditEvent.objects.filter(new="tampered").exists()
    assert not AccessLog.objects.filter(path="/nothing-to-see").exists()


def test_audit_rows_cannot_be_deleted_by_the_application_nor_in_bulk(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.audit.models import AppendOnlyError

    client_for(users["assessor"]).get(reverse("assessments:task_list", kwargs={"pk": assessment.pk}))
    counts = (AuditEvent.objects.count(), AccessLog.objects.count())
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.first().delete()  # type: ignore[union-attr]
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.first().delete()  # type: ignore[union-attr]
    # The database itself refuses, on SQLite too (its DELETE triggers let only flush through).
    assert _refused(lambda: AuditEvent.objects.all().delete())
    assert _refused(lambda: AccessLog.objects.all().delete())
    assert (AuditEvent.objects.count(), AccessLog.objects.count()) == counts
