"""The audit log viewer (issue 12 item 7): filter by person, case, inspection, action and
date; CSV export (formula-guarded, named download); every look at it audited; people's
words and dates like "26 March 2011"."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(assessment: Any, users: dict[str, Any]) -> dict[str, Any]:
    """A few events at known times: the case_add from the fixture, plus these."""
    from caseassess.audit.services import audit_record

    insp = assessment.case.inspection
    submitted = audit_record(actor=users["assessor"], action="status:submitted", entity="assessment", entity_id=assessment.pk,
                             inspection_id=insp.pk, case_id=assessment.case_id, field="status", old="in_progress", new="submitted")
    formula = audit_record(actor=users["lead"], action="case_detail", entity="case", entity_id=assessment.case_id,
                           inspection_id=insp.pk, case_id=assessment.case_id, field="offence", old=None, new="=HYPERLINK(\"http://x\")")
    # auto_now_add stamps "at" from timezone.now, and the table refuses UPDATE: stamp it then.
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2011, 3, 26, 9, 15, tzinfo=dt.UTC)):
        audit_record(actor=users["admin"], action="user_role", entity="user", entity_id=users["analyst"].pk, field="role", old="Inspector", new="Analyst")
    return {"inspection": insp, "case": assessment.case, "submitted": submitted, "formula": formula}


def _page(client: Any, **params: Any) -> Any:
    return client.get(reverse("audit:log"), params)


def _table(response: Any) -> str:
    """The events table and its count (the filter's own option lists left out)."""
    html = response.content.decode()
    start = html.find('<h2 class="govuk-heading-m">')
    return html[start : html.find("</table>", start) + 8] if start >= 0 else ""


def test_the_log_lists_events_in_words_with_dates_like_26_march_2011(events: dict[str, Any], users: dict[str, Any]) -> None:
    html = _table(_page(client_for(users["admin"])))
    assert "Submitted" in html and "status:submitted" not in html
    assert "26 March 2011" in html and "Changed a user&#39;s role" in html
    assert "TST-0001" in html and "IAOW Testshire" in html
    assert "in progress → submitted" in html


def test_filters_by_person_inspection_case_action_and_date(events: dict[str, Any], users: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    by_person = _table(_page(c, person=users["lead"].pk))
    assert "Changed a case detail" in by_person and "Submitted" not in by_person
    by_action = _table(_page(c, action="status:submitted"))
    assert "1 event<" in by_action and "Submitted" in by_action
    by_case = _table(_page(c, case="tst-0001"))
    assert "Submitted" in by_case and "Changed a user" not in by_case
    by_inspection = _table(_page(c, inspection=events["inspection"].pk))
    assert "Added a case" in by_inspection and "Changed a user" not in by_inspection
    by_date = _table(_page(c, **{"from-day": "26", "from-month": "3", "from-year": "2011", "to-day": "26", "to-month": "3", "to-year": "2011"}))
    assert "1 event<" in by_date and "Changed a user" in by_date
    since = _table(_page(c, **{"from-day": "27", "from-month": "3", "from-year": "2011"}))
    assert "Submitted" in since and "Changed a user" not in since


@pytest.mark.parametrize(
    ("params", "anchor", "message"),
    [
        ({"from-day": "31", "from-month": "2", "from-year": "2011"}, "from-day", "real date"),
        ({"to-day": "1", "to-year": "2011"}, "to-day", "must include a month"),
        ({"from-day": "2", "from-month": "3", "from-year": "2011", "to-day": "1", "to-month": "3", "to-year": "2011"}, "to-day", "same as or after"),
        ({"person": "999999"}, "person", "Select a person"),
        ({"action": "drop_tables"}, "action", "Select an action"),
    ],
)
def test_bad_filters_get_an_error_summary_and_are_not_applied(events: dict[str, Any], users: dict[str, Any], params: dict[str, str], anchor: str, message: str) -> None:
    from caseassess.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    r = _page(client_for(users["admin"]), **params)
    html = r.content.decode()
    assert r.status_code == 400 and "govuk-error-summary" in html and f'href="#{anchor}"' in html and message in html
    assert AuditEvent.objects.count() == before  # nothing shown, so no viewing recorded


def test_every_view_of_the_log_is_itself_audited_with_what_was_asked(events: dict[str, Any], users: dict[str, Any]) -> None:
    from caseassess.audit.models import AuditEvent

    _page(client_for(users["admin"]), action="status:submitted", case="TST-0001")
    ev = AuditEvent.objects.filter(action="audit_view").latest("id")
    assert ev.actor_id == users["admin"].pk
    assert ev.new == {"action": "status:submitted", "case": "TST-0001", "page": 1}
    html = _table(_page(client_for(users["admin"]), action="audit_view"))
    assert "Viewed the audit log" in html


def test_the_csv_export_is_named_guarded_against_formulas_and_audited(events: dict[str, Any], users: dict[str, Any]) -> None:
    from caseassess.audit.models import AuditEvent

    r = client_for(users["admin"]).get(reverse("audit:export"), {"inspection": events["inspection"].pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    disposition = r["Content-Disposition"]
    assert disposition.startswith('attachment; filename="audit-log-') and "filename*=UTF-8''audit-log-" in disposition
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert rows[0] == ["When", "Person", "Action", "Inspection", "Case", "Field", "Old value", "New value"]
    body = rows[1:]
    assert {row[2] for row in body} >= {"Submitted", "Changed a case detail", "Added a case"}
    formula = next(row for row in body if row[2] == "Changed a case detail")
    assert formula[7] == "'=HYPERLINK(\"http://x\")"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)
    ev = AuditEvent.objects.filter(action="audit_export").latest("id")
    assert ev.actor_id == users["admin"].pk and ev.new["inspection"] == events["inspection"].pk and ev.new["rows"] == len(body)


def test_the_export_pages_through_every_matching_event(events: dict[str, Any], users: dict[str, Any]) -> None:
    from caseassess.audit.models import AuditEvent
    from caseassess.audit.selectors import AuditFilter, audit_csv_rows, audit_events

    AuditEvent.objects.bulk_create([AuditEvent(actor=users["lead"], action="answer", entity="assessment", entity_id="1") for _ in range(25)])
    rows = list(audit_csv_rows(audit_events(flt=AuditFilter(action="answer")), chunk=7))
    assert len(rows) == 1 + 25


def test_record_views_show_who_opened_which_case_and_can_be_filtered_and_downloaded(events: dict[str, Any], users: dict[str, Any]) -> None:
    from caseassess.audit.models import AuditEvent

    assessment = events["case"].assessments.get()
    assert client_for(users["lead"]).get(reverse("assessments:task_list", kwargs={"pk": assessment.pk})).status_code == 200
    admin = client_for(users["admin"])
    html = _table(_page(admin, log="views", case="TST-0001"))
    assert "Opened a case record" in html and "lead" in html and "TST-0001" in html and "case_view" not in html
    assert AuditEvent.objects.filter(action="audit_view").latest("id").new["log"] == "views"
    assert "Opened a case record" not in _table(_page(admin, log="views", person=users["assessor"].pk))
    assert "Opened a case record" not in _table(_page(admin, case="TST-0001"))  # the changes log is separate
    r = admin.get(reverse("audit:export"), {"log": "views", "action": "case_view"})
    assert "audit-log-record-views-" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert [row[2] for row in rows[1:]] == ["Opened a case record"] and rows[1][4] == "TST-0001"
