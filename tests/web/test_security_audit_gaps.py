"""Issue 14, items 5 and 14: comment-only edits are audited with their text, refused
attempts on id routes are logged (rate-limited, with user and route), the database
refuses deleting audit rows on SQLite as on PostgreSQL, the application's PostgreSQL role
cannot change the audit tables, and only raised warnings can be explained."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from caseassess.assessments import services
from caseassess.audit.middleware import REFUSED_PER_WINDOW
from caseassess.audit.models import AccessLog, AuditEvent
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_comment_only_edit_is_audited_with_the_comment_text(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    url = f"/assessments/{assessment.pk}/sections/B.4.1/"
    c.post(url, {"q-B.4.1.1": "yes", "c-B.4.1.1": "", "client_stamp": "1"})
    c.post(url, {"q-B.4.1.1": "yes", "c-B.4.1.1": "Seen the OASys review of 26 March 2011", "v-B.4.1.1": "1", "client_stamp": "2"})
    c.post(url, {"q-B.4.1.1": "yes", "c-B.4.1.1": "Seen the review", "v-B.4.1.1": "2", "client_stamp": "3"})
    rows = list(AuditEvent.objects.filter(field="B.4.1.1").order_by("id").values_list("action", "old", "new", "actor__username"))
    assert rows == [
        ("answer", None, "yes", "assessor"),
        ("comment", None, "Seen the OASys review of 26 March 2011", "assessor"),
        ("comment", "Seen the OASys review of 26 March 2011", "Seen the review", "assessor"),
    ]


def test_refused_attempts_on_id_routes_are_logged_with_user_and_route_and_rate_limited(assessment: Any, users: dict[str, Any]) -> None:
    outsider = client_for(users["outsider"])
    url = reverse("assessments:task_list", kwargs={"pk": assessment.pk})
    assert outsider.get(url).status_code == 404
    row = AccessLog.objects.get(kind="refused")
    assert (row.user, row.path) == (users["outsider"], f"GET {url}")
    assert outsider.post(f"/assessments/{assessment.pk}/sections/B.4.1/", {"q-B.4.1.1": "no"}).status_code == 404
    assert AccessLog.objects.filter(kind="refused", path=f"POST /assessments/{assessment.pk}/sections/B.4.1/").exists()
    for pk in range(assessment.pk + 1, assessment.pk + 2 * REFUSED_PER_WINDOW):  # walking ids
        outsider.get(reverse("assessments:task_list", kwargs={"pk": pk}))
    refused = AccessLog.objects.filter(kind="refused", user=users["outsider"])
    assert refused.count() == REFUSED_PER_WINDOW + 1  # the limit, then one "limit reached" row
    assert refused.order_by("-id").first().path.startswith("(limit reached; not recording)")  # type: ignore[union-attr]
    # Someone else's refusals are counted separately; pages that are not id routes are not logged.
    client_for(users["analyst"]).get(reverse("assessments:task_list", kwargs={"pk": assessment.pk}))
    assert AccessLog.objects.filter(kind="refused", user=users["analyst"]).count() == 1
    client_for(users["assessor"]).get("/no-such-page/")
    assert not AccessLog.objects.filter(kind="refused", user=users["assessor"]).exists()


def _refused(statement: Any) -> bool:
    try:
        with transaction.atomic():
            statement()
    except DatabaseError:
        return True
    return False


def _sql(sql: str) -> Any:
    def run() -> None:
        with connection.cursor() as cur:
            cur.execute(sql)

    return run


def test_the_database_refuses_deleting_audit_rows_on_sqlite_and_postgresql(assessment: Any, users: dict[str, Any]) -> None:
    client_for(users["assessor"]).get(reverse("assessments:task_list", kwargs={"pk": assessment.pk}))
    counts = (AuditEvent.objects.count(), AccessLog.objects.count())
    assert all(counts)
    assert _refused(lambda: AuditEvent.objects.all().delete())
    assert _refused(lambda: AccessLog.objects.filter(kind="case_view").delete())
    assert _refused(_sql("DELETE FROM audit_auditevent WHERE id = (SELECT MAX(id) FROM audit_auditevent)"))
    assert _refused(_sql("DELETE FROM audit_accesslog"))
    assert (AuditEvent.objects.count(), AccessLog.objects.count()) == counts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")
def test_the_application_role_cannot_truncate_alter_or_disable_the_triggers_of_the_audit_tables(assessment: Any, users: dict[str, Any]) -> None:
    call_command("grant_app_role", "caseassess_app_test", create=True, verbosity=0)
    client_for(users["assessor"]).get(reverse("assessments:task_list", kwargs={"pk": assessment.pk}))
    counts = (AuditEvent.objects.count(), AccessLog.objects.count())
    with connection.cursor() as cur:
        cur.execute("SET ROLE caseassess_app_test")
    try:
        # The application still works: it reads, writes answers and adds audit rows.
        services.assessment_save_section(
            assessment=assessment, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "yes"},
            comments={}, base_versions={}, client_stamp=1,
        )
        assert AuditEvent.objects.count() == counts[0] + 1
        for sql in (
            "TRUNCATE audit_auditevent",
            "TRUNCATE audit_accesslog",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
            "ALTER TABLE audit_accesslog DISABLE TRIGGER audit_accesslog_append_only",
            "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
            "UPDATE audit_auditevent SET new = '\"x\"'",
            "DELETE FROM audit_accesslog",
        ):
            assert _refused(_sql(sql)), sql
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET ROLE")
    assert (AuditEvent.objects.count(), AccessLog.objects.count()) == (counts[0] + 1, counts[1])


def test_only_the_ids_of_warnings_actually_raised_can_be_explained(assessment: Any, users: dict[str, Any]) -> None:
    a, c = users["assessor"], client_for(users["assessor"])
    check = f"/assessments/{assessment.pk}/check/"
    c.post(check, {"explain-CR01": "not raised yet", "explain-INVENTED-99": "made up", "action": "save"})
    assessment.refresh_from_db()
    assert assessment.explanations == {}
    for section, values in (("B.4.1", {"B.4.1.6": "no"}), ("D.2.2", {"D.2.2.8": "yes"})):  # raises CR01
        services.assessment_save_section(assessment=assessment, actor=a, section_id=section, values=values, comments={}, base_versions={}, client_stamp=1)
    c.post(check, {"explain-CR01": "Contact was right although the analysis missed the victim.", "explain-INVENTED-99": "made up", "action": "save"})
    assessment.refresh_from_db()
    assert assessment.explanations == {"CR01": "Contact was right although the analysis missed the victim."}
    assert not AuditEvent.objects.filter(field="INVENTED-99").exists()
