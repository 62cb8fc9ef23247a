"""Reports and exports read from the ``replica`` alias when a read replica is configured;
writes, and reads inside a write transaction, go to the primary. The replica mirrors the
default test database (``TEST: {"MIRROR": "default"}``), so each query is checked by the
alias (connection) that ran it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from caseassess.assessments.models import Status
from caseassess.dbrouter import ReplicaRouter, replica_reads
from caseassess.inspections.models import Inspection
from caseassess.inspections.services import case_add
from tests.web import test_ratings, test_trends
from tests.web.conftest import client_for, run_jobs

# The ratings and trends pages' own fixtures (a rating scheme beside the mini instrument; two rounds with a crosswalk).
rated_version, rated, rounds = test_ratings.rated_version, test_ratings.rated, test_trends.rounds
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)


@pytest.fixture
def replica_on(settings: Any) -> None:
    assert connections["replica"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]  # the test mirror
    settings.CASEASSESS_READ_REPLICA = True


def _findings(inspection: Any, users: dict[str, Any]) -> None:
    for k, (rosh, gender) in enumerate([("high", "male"), ("low", "female"), ("low", "male")]):
        a = case_add(inspection=inspection, actor=users["lead"], case_ref=f"R-{k}", assessor=users["assessor"],
                     details={"rosh_at_start": rosh, "gender": gender}).assessments.get()
        a.status = Status.SUBMITTED
        a.save()


def _sql(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_findings_page_reads_from_the_replica_and_writes_to_the_primary(replica_on: None, inspection: Any, users: dict[str, Any]) -> None:
    _findings(inspection, users)
    c = client_for(users["analyst"])
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        r = c.get(f"/findings/programmes/{inspection.programme_id}/")
    assert r.status_code == 200 and "Annex 1" in r.content.decode()
    on_replica, on_primary = _sql(replica), _sql(primary)
    assert on_replica and not [q for q in on_replica if WRITE.match(q)], "the replica is only read"
    assert any("reporting_findingscount" in q for q in on_replica), "the report's counts come from the replica"
    assert any("assessments_assessment" in q for q in on_replica)
    # The count table was stale (cases just submitted): its rebuild reads and writes on the primary, in one transaction.
    assert any(WRITE.match(q) and "reporting_findingscount" in q for q in on_primary)
    assert any("assessments_answer" in q and not WRITE.match(q) for q in on_primary), "reads inside the rebuild's transaction stay on the primary"
    assert any(WRITE.match(q) and "audit_accesslog" in q for q in on_primary), "the access log is written to the primary"
    assert any("django_session" in q for q in on_primary) and not any("django_session" in q for q in on_replica)

    # The second view: counts current, so the report reads only the replica (plus the session and the access log).
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        assert c.get(f"/findings/programmes/{inspection.programme_id}/findings.csv").status_code == 200
    assert not [q for q in _sql(primary) if "reporting_findingscount" in q or "assessments_answer" in q]
    assert _sql(replica)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_export_commands_read_from_the_replica(replica_on: None, inspection: Any, users: dict[str, Any], tmp_path: Any) -> None:
    _findings(inspection, users)
    call_command("rebuild_findings_counts")
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        call_command("export_findings", "--programme", inspection.programme.name, "--format", "json", "--output", str(tmp_path / "f.json"),
                     stdout=io.StringIO())
        call_command("export_answers", "--programme", inspection.programme.name, "--shape", "long", "--format", "csv",
                     "--output", str(tmp_path / "a.csv"), stdout=io.StringIO())
    assert any("reporting_findingscount" in q for q in _sql(replica)) and any("assessments_answer" in q for q in _sql(replica))
    assert not [q for q in _sql(primary) if "reporting_findingscount" in q or "assessments_answer" in q]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_without_a_replica_configured_everything_uses_the_primary(inspection: Any, users: dict[str, Any], settings: Any) -> None:
    settings.CASEASSESS_READ_REPLICA = False
    _findings(inspection, users)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client_for(users["analyst"]).get(f"/findings/programmes/{inspection.programme_id}/").status_code == 200
    assert _sql(replica) == []


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_router_sends_reads_in_a_write_transaction_and_every_write_to_the_primary(replica_on: None) -> None:
    from django.db import transaction

    router = ReplicaRouter()
    assert router.db_for_read(Inspection) == "default"  # outside a report: the primary
    with replica_reads():
        assert router.db_for_read(Inspection) == "replica"
        assert router.db_for_write(Inspection) == "default"
        with transaction.atomic():
            assert router.db_for_read(Inspection) == "default"
    assert router.allow_migrate("replica", "inspections") is False and router.allow_migrate("default", "inspections") is True


def _only_replica_reads_the_findings(primary: CaptureQueriesContext, replica: CaptureQueriesContext) -> None:
    on_replica, on_primary = _sql(replica), _sql(primary)
    assert on_replica and not [q for q in on_replica if WRITE.match(q)], "the replica is only read"
    assert any("reporting_findingscount" in q for q in on_replica), "the counts come from the replica"
    assert not [q for q in on_primary if "reporting_findingscount" in q or "assessments_answer" in q or "inspections_case" in q]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_ratings_pages_and_exports_read_from_the_replica(replica_on: None, rated: Any, users: dict[str, Any]) -> None:
    call_command("rebuild_findings_counts")  # counts current: a page only reads them
    c = client_for(users["analyst"])
    for url in (f"/findings/programmes/{rated.programme_id}/ratings/", f"/findings/inspections/{rated.pk}/ratings/",
                *(f"/findings/programmes/{rated.programme_id}/ratings/ratings.{fmt}" for fmt in ("csv", "json", "xlsx"))):
        with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
            r = c.get(url)
        assert r.status_code == 200, url
        _only_replica_reads_the_findings(primary, replica)
        assert any("instruments_ratingschemeversion" in q for q in _sql(replica)), url
        assert any(WRITE.match(q) and "audit_accesslog" in q for q in _sql(primary)), "the access log is written to the primary"
    assert "Good" in c.get(f"/findings/programmes/{rated.programme_id}/ratings/").content.decode()  # 3 of 4 = 75%


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_trends_page_and_exports_read_from_the_replica_and_the_pdf_job_from_the_primary(replica_on: None, rounds: Any, users: dict[str, Any]) -> None:
    earlier, later = rounds
    call_command("rebuild_findings_counts")
    c = client_for(users["analyst"])
    base = f"/findings/programmes/{later.pk}/trends/"
    for url in (base, *(f"{base}trends.{fmt}" for fmt in ("csv", "json", "xlsx"))):
        with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
            r = c.get(url, {"earlier": earlier.pk})
        assert r.status_code == 200, url
        _only_replica_reads_the_findings(primary, replica)
        assert any("instruments_crosswalkversion" in q for q in _sql(replica)), url
    # The PDF: the numbers are read from the replica; the background job it starts (and its state,
    # which a lagging replica would not have yet) is written and read on the primary.
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        r = c.get(f"{base}trends.pdf", {"earlier": earlier.pk})
    assert r.status_code == 202
    _only_replica_reads_the_findings(primary, replica)
    assert any(WRITE.match(q) and "jobs_job" in q for q in _sql(primary))
    assert not [q for q in _sql(replica) if "jobs_job" in q or "django_tasks" in q]
    run_jobs()
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        r = c.get(f"{base}trends.pdf", {"earlier": earlier.pk})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert any("jobs_job" in q for q in _sql(primary)) and not [q for q in _sql(replica) if "jobs_job" in q]
    _only_replica_reads_the_findings(primary, replica)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_two_attribute_comparison_reads_the_answers_from_the_replica(replica_on: None, inspection: Any, users: dict[str, Any]) -> None:
    _findings(inspection, users)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        r = client_for(users["analyst"]).get(f"/findings/programmes/{inspection.programme_id}/compare/",
                                             {"by": "gender", "a": "male", "b": "female", "within": "rosh_at_start", "in": ["low"]})
    assert r.status_code == 200 and "only cases whose rosh at start is Low" in r.content.decode()
    assert any("assessments_answer" in q and "inspections_case" in q for q in _sql(replica))
    assert not [q for q in _sql(primary) if "assessments_answer" in q or "reporting_findingscount" in q]
