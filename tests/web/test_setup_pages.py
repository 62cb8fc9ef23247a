"""Setting an inspectorate up from pages: programmes, areas, inspections, teams with
per-inspection roles, closing an inspection (issue 12 items 3-5, issue 14 item 13)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Area, Inspection, Membership, Programme
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def error_summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


def marked(html: str, field: str) -> bool:
    """The field carries the GOV.UK error style and its message id."""
    return f'id="{field}-error"' in html and "govuk-form-group--error" in html


PROGRAMME = {"name": "IAOW 2018", "description": "", "period_start": "2018-04-01", "period_end": "2019-03-31", "retention_date": ""}


def test_an_administrator_creates_a_programme_and_it_is_audited(mini_version: Any, users: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    assert c.get("/programmes/new/").status_code == 200
    r = c.post("/programmes/new/", {**PROGRAMME, "instruments": [mini_version.pk]})
    assert r.status_code == 302
    p = Programme.objects.get(name="IAOW 2018")
    assert (p.period_start, p.period_end, list(p.instruments.all())) == (dt.date(2018, 4, 1), dt.date(2019, 3, 31), [mini_version])
    event = AuditEvent.objects.get(action="programme_create")
    assert event.actor == users["admin"] and event.new["instruments"] == ["mini-2013"] and event.old is None
    r = c.post(f"/programmes/{p.pk}/edit/", {**PROGRAMME, "description": "Changed", "instruments": [mini_version.pk]})
    assert r.status_code == 302
    edit = AuditEvent.objects.get(action="programme_edit")
    assert (edit.old["description"], edit.new["description"]) == ("", "Changed")
    assert "IAOW 2018" in c.get("/programmes/").content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name for the programme"),
        ({"period_end": "2018-01-01"}, "period_end", "The end of the programme must be on or after its start"),
        ({"period_start": "2018-02-30"}, "period_start", "Enter the first day of the programme as a real date"),
        ({"instruments": []}, "instruments", "Select at least one instrument version"),
        ({"name": "iaow test programme"}, "name", "A programme called iaow test programme already exists"),
        ({"retention_date": "2018-06-01"}, "retention_date", "The retention date must be after the programme ends"),
    ],
)
def test_bad_programme_input_is_named_and_nothing_is_saved(mini_version: Any, users: dict[str, Any], inspection: Any, change: dict[str, Any], field: str, message: str) -> None:
    before = Programme.objects.count()
    data = {**PROGRAMME, "instruments": [mini_version.pk], **change}
    r = client_for(users["admin"]).post("/programmes/new/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert message in error_summary(html) and f'href="#{field}"' in error_summary(html)
    assert marked(html, field)
    assert Programme.objects.count() == before and not AuditEvent.objects.filter(action="programme_create").exists()


def test_a_programme_period_that_would_leave_an_inspection_outside_is_refused(inspection: Any, users: dict[str, Any], mini_version: Any) -> None:
    r = client_for(users["admin"]).post(f"/programmes/{inspection.programme_id}/edit/", {
        **PROGRAMME, "name": inspection.programme.name, "period_start": "2014-01-01", "period_end": "2016-01-01", "instruments": [mini_version.pk],
    })
    assert r.status_code == 400 and "IAOW Testshire has fieldwork from 4 November 2013 to 8 November 2013" in r.content.decode()
    inspection.programme.refresh_from_db()
    assert inspection.programme.period_start == dt.date(2013, 4, 1)


@pytest.mark.parametrize("who", ["lead", "assessor", "analyst"])
def test_only_administrators_open_the_programme_and_area_pages(who: str, users: dict[str, Any], inspection: Any) -> None:
    c = client_for(users[who])
    for url in ("/programmes/", "/programmes/new/", f"/programmes/{inspection.programme_id}/edit/", "/areas/", "/areas/new/", f"/areas/{inspection.area_id}/edit/"):
        assert c.get(url).status_code == 404, url
    assert c.post("/areas/new/", {"name": "Sneaky Trust"}).status_code == 404
    assert not Area.objects.filter(name="Sneaky Trust").exists()


def test_an_administrator_creates_an_area_with_its_leads(users: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    r = c.post("/areas/new/", {"name": "Durham Tees Valley Probation Trust", "description": "", "leads": "lead, assessor2"})
    assert r.status_code == 302
    area = Area.objects.get(name="Durham Tees Valley Probation Trust")
    assert sorted(area.leads.values_list("username", flat=True)) == ["assessor2", "lead"]
    assert AuditEvent.objects.get(action="area_create").new["leads"] == ["assessor2", "lead"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "leads": ""}, "name", "Enter the name of the Probation Trust or region"),
        ({"name": "testshire probation trust", "leads": ""}, "name", "An area called testshire probation trust already exists"),
        ({"name": "New Trust", "leads": "lead, nobody-here"}, "leads", "There is no account called nobody-here"),
        ({"name": "New Trust", "leads": "analyst"}, "leads", "analyst cannot lead an area (an analyst account)"),
    ],
)
def test_bad_area_input_is_named_and_nothing_is_saved(users: dict[str, Any], inspection: Any, data: dict[str, str], field: str, message: str) -> None:
    before = Area.objects.count()
    r = client_for(users["admin"]).post("/areas/new/", {"description": "", **data})
    assert r.status_code == 400
    html = r.content.decode()
    assert message in error_summary(html) and marked(html, field)
    assert Area.objects.count() == before


def inspection_form(inspection: Any, **change: Any) -> dict[str, Any]:
    return {"programme": inspection.programme_id, "name": "IAOW Newshire", "area": inspection.area_id, "topic": "",
            "fieldwork_start": "2014-02-10", "fieldwork_end": "2014-02-14", "instrument": inspection.instrument_id, "lead": "", **change}


def test_an_administrator_creates_an_inspection_with_its_lead(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    r = c.post("/inspections/new/", inspection_form(inspection, lead=""))
    assert r.status_code == 400 and "Enter the username of the lead inspector" in error_summary(r.content.decode())
    r = c.post("/inspections/new/", inspection_form(inspection, lead="assessor2"))
    assert r.status_code == 302
    new = Inspection.objects.get(name="IAOW Newshire")
    assert Membership.objects.get(inspection=new).user == users["assessor2"]
    assert Membership.objects.get(inspection=new).role == "lead_inspector"
    # assessor2 now leads IAOW Newshire and is still an assessor on IAOW Testshire.
    c2 = client_for(users["assessor2"])
    assert c2.get(f"/inspections/{new.pk}/cases/new/").status_code == 200
    assert c2.get(f"/inspections/{inspection.pk}/cases/new/").status_code == 404
    assert AuditEvent.objects.filter(action="inspection_create", inspection_id=new.pk).exists()
    assert AuditEvent.objects.filter(action="member_set", inspection_id=new.pk, field="assessor2", new="lead_inspector").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fieldwork_start": "2013-03-01", "fieldwork_end": "2013-03-05"}, "fieldwork_start", "Fieldwork must start within the programme, which runs from 1 April 2013 to 31 March 2017"),
        ({"fieldwork_start": "2017-03-27", "fieldwork_end": "2017-04-03"}, "fieldwork_end", "Fieldwork must end within the programme"),
        ({"fieldwork_end": "2014-02-01"}, "fieldwork_end", "The last day of fieldwork must be on or after the first day"),
        ({"name": "iaow testshire"}, "name", "An inspection called iaow testshire already exists in IAOW test programme"),
        ({"area": "999999"}, "area", "Select the area from the list"),
        ({"lead": "nobody-here"}, "lead", "There is no account called nobody-here"),
        ({"lead": "analyst"}, "lead", "analyst cannot lead an inspection (an analyst account)"),
    ],
)
def test_bad_inspection_input_is_named_and_nothing_is_saved(inspection: Any, users: dict[str, Any], change: dict[str, str], field: str, message: str) -> None:
    data = inspection_form(inspection, **{"lead": "lead", **change})
    r = client_for(users["admin"]).post("/inspections/new/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert message in error_summary(html) and marked(html, field)
    assert Inspection.objects.count() == 1 and Membership.objects.filter(inspection__name="IAOW Newshire").count() == 0


def test_an_instrument_version_the_programme_does_not_allow_is_refused(inspection: Any, users: dict[str, Any]) -> None:
    from django.conf import settings

    from caseassess.instruments.services import instrument_load

    other = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    r = client_for(users["admin"]).post("/inspections/new/", inspection_form(inspection, lead="lead", instrument=other.pk))
    assert r.status_code == 400 and "IAOW test programme does not allow" in error_summary(r.content.decode())
    assert Inspection.objects.count() == 1


def test_the_create_page_shows_a_lead_only_their_own_programmes_and_confirms_no_other_names(inspection: Any, users: dict[str, Any]) -> None:
    """Issue 14 item 13: another team's programme is neither listed nor accepted (answered like a
    programme that does not exist), and its inspection names are not confirmed."""
    secret = Programme.objects.create(name="Secret team programme", period_start=dt.date(2013, 1, 1), period_end=dt.date(2018, 1, 1))
    secret.instruments.add(inspection.instrument)
    Inspection.objects.create(programme=secret, name="IAOW Hidden", area=inspection.area, fieldwork_start=dt.date(2014, 1, 6),
                              fieldwork_end=dt.date(2014, 1, 10), instrument=inspection.instrument)
    c = client_for(users["lead"])
    page = c.get("/inspections/new/").content.decode()
    assert "IAOW test programme" in page and "Secret team programme" not in page
    into_secret = c.post("/inspections/new/", inspection_form(inspection, programme=secret.pk, name="Anything"))
    nowhere = c.post("/inspections/new/", inspection_form(inspection, programme=999999, name="Anything"))
    assert into_secret.status_code == nowhere.status_code == 400
    message = "Select the inspection programme from the list"
    assert message in error_summary(into_secret.content.decode()) and message in error_summary(nowhere.content.decode())
    assert "Secret team programme" not in into_secret.content.decode()
    # Another team's inspection name in the lead's own programme: created, nothing confirmed.
    r = c.post("/inspections/new/", inspection_form(inspection, name="IAOW Hidden"))
    assert r.status_code == 302
    mine = Inspection.objects.get(name="IAOW Hidden", programme=inspection.programme)
    assert Membership.objects.get(inspection=mine, user=users["lead"]).role == "lead_inspector"


@pytest.mark.parametrize("who", ["assessor", "analyst", "outsider"])
def test_people_who_lead_nothing_cannot_create_inspections(who: str, inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users[who])
    assert c.get("/inspections/new/").status_code == 404
    assert c.post("/inspections/new/", inspection_form(inspection, name="Nope")).status_code == 404
    assert "Create an inspection" not in c.get("/").content.decode()
    assert not Inspection.objects.filter(name="Nope").exists()


def test_a_lead_changes_the_inspection_but_not_to_dates_outside_the_programme(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    data = {"name": "IAOW Testshire", "area": inspection.area_id, "topic": "victims", "fieldwork_start": "2012-11-04", "fieldwork_end": "2013-11-08", "instrument": inspection.instrument_id}
    r = c.post(f"/inspections/{inspection.pk}/edit/", data)
    assert r.status_code == 400 and marked(r.content.decode(), "fieldwork_start")
    inspection.refresh_from_db()
    assert inspection.topic == "protecting children"
    r = c.post(f"/inspections/{inspection.pk}/edit/", {**data, "fieldwork_start": "2013-11-04"})
    assert r.status_code == 302
    inspection.refresh_from_db()
    assert inspection.topic == "victims"
    event = AuditEvent.objects.get(action="inspection_edit")
    assert (event.old["topic"], event.new["topic"]) == ("protecting children", "victims")


def test_the_team_page_sets_per_inspection_roles(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    assert c.get(f"/inspections/{inspection.pk}/team/").status_code == 200
    r = c.post(f"/inspections/{inspection.pk}/team/", {"username": "outsider", "role": "assessor"})
    assert r.status_code == 302
    assert Membership.objects.get(inspection=inspection, user=users["outsider"]).role == "assessor"
    r = c.post(f"/inspections/{inspection.pk}/team/", {"username": "assessor2", "role": "lead_inspector"})
    assert r.status_code == 302
    assert client_for(users["assessor2"]).get(f"/inspections/{inspection.pk}/cases/new/").status_code == 200
    event = AuditEvent.objects.get(action="member_set", field="assessor2")
    assert (event.old, event.new, event.actor) == ("assessor", "lead_inspector", users["lead"])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "nobody-here", "role": "assessor"}, "username", "There is no account called nobody-here"),
        ({"username": "", "role": "assessor"}, "username", "Enter the username of the person to add"),
        ({"username": "outsider", "role": "boss"}, "role", "Select lead inspector, assessor or analyst"),
        ({"username": "analyst", "role": "lead_inspector"}, "role", "analyst has an analyst account"),
        ({"username": "assessor", "role": "analyst"}, "role", "assessor has cases allocated in this inspection"),
    ],
)
def test_bad_team_input_is_named_and_nothing_is_saved(inspection: Any, assessment: Any, users: dict[str, Any], data: dict[str, str], field: str, message: str) -> None:
    before = sorted(Membership.objects.values_list("user__username", "role"))
    r = client_for(users["lead"]).post(f"/inspections/{inspection.pk}/team/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert message in error_summary(html) and re.search(f'href="#{field}"', html) and marked(html, field)
    assert sorted(Membership.objects.values_list("user__username", "role")) == before


def test_a_closed_inspection_is_read_only_and_still_reported(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services as assessment_services
    from caseassess.inspections import services

    inspection = assessment.case.inspection
    c = client_for(users["lead"])
    assert c.get(f"/inspections/{inspection.pk}/close/").status_code == 200
    assert c.post(f"/inspections/{inspection.pk}/close/").status_code == 302
    inspection.refresh_from_db()
    assert inspection.closed and inspection.closed_by == users["lead"]
    assert AuditEvent.objects.filter(action="inspection_close", inspection_id=inspection.pk).count() == 1
    with pytest.raises(assessment_services.NotEditable, match="This inspection is closed"):
        assessment_services.assessment_save_section(assessment=assessment, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "yes"}, comments={}, base_versions={}, client_stamp=1)
    with pytest.raises(services.CaseError, match="closed"):
        services.case_add(inspection=inspection, actor=users["lead"], case_ref="TST-9")
    with pytest.raises(services.CaseError, match="closed"):
        services.case_allocate(assessment=assessment, actor=users["lead"], assessor=users["assessor2"])
    assert not assessment.answers.exists()
    section = client_for(users["assessor"]).get(f"/assessments/{assessment.pk}/sections/B.4.1/").content.decode()
    assert "Save and continue" not in section
    assert c.get(f"/findings/inspections/{inspection.pk}/").status_code == 200
    assert "was closed on" in c.get(f"/inspections/{inspection.pk}/").content.decode()


def test_only_an_administrator_reopens_a_closed_inspection_and_it_is_audited(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services as assessment_services
    from caseassess.audit.selectors import action_label
    from caseassess.inspections.setup import inspection_close

    inspection = assessment.case.inspection
    inspection_close(actor=users["lead"], inspection=inspection)
    url = f"/inspections/{inspection.pk}/reopen/"
    lead = client_for(users["lead"])
    assert "Reopen the inspection" not in lead.get(f"/inspections/{inspection.pk}/").content.decode()
    assert lead.get(url).status_code == 404 and lead.post(url).status_code == 404
    inspection.refresh_from_db()
    assert inspection.closed and not AuditEvent.objects.filter(action="inspection_reopen").exists()

    admin = client_for(users["admin"])
    assert f'href="{url}"' in admin.get(f"/inspections/{inspection.pk}/").content.decode()
    page = admin.get(url).content.decode()
    assert "This inspection was closed on" in page and "by lead" in page
    r = admin.post(url, follow=True)
    assert "Inspection IAOW Testshire reopened" in r.content.decode()
    inspection.refresh_from_db()
    assert not inspection.closed and inspection.closed_by is None
    event = AuditEvent.objects.get(action="inspection_reopen", inspection_id=inspection.pk)
    assert event.actor == users["admin"] and event.old is not None and event.new is None
    assert action_label("inspection_reopen") == "Reopened an inspection"
    # Open again: the assessor can answer; a second reopen changes nothing.
    saved = assessment_services.assessment_save_section(assessment=assessment, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "yes"}, comments={}, base_versions={}, client_stamp=1)
    assert saved.ok
    assert admin.post(url).status_code == 302
    assert AuditEvent.objects.filter(action="inspection_reopen").count() == 1


def test_double_assessment_moderation_and_benchmarks_are_refused_on_a_closed_inspection(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments.models import Assessment
    from caseassess.inspections.setup import inspection_close
    from caseassess.sampling import quality
    from caseassess.sampling.models import DoubleAssessment

    inspection = assessment.case.inspection
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    assessment.refresh_from_db()
    second = Assessment.objects.create(case=assessment.case, assessor=users["assessor2"], counts=False, status="submitted")
    pair = DoubleAssessment.objects.create(case=assessment.case, first=assessment, second=second)
    inspection_close(actor=users["lead"], inspection=inspection)
    with pytest.raises(quality.QualityError, match="closed"):
        quality.double_assessment_mark(inspection=inspection, actor=users["lead"], second_assessor=users["assessor2"], firsts=[assessment])
    with pytest.raises(quality.QualityError, match="closed"):
        quality.moderation_record(pair=pair, actor=users["lead"], decisions={})
    with pytest.raises(quality.QualityError, match="closed"):
        quality.benchmark_mark(case=assessment.case, reference=assessment, actor=users["lead"])
    assert Assessment.objects.filter(case=assessment.case).count() == 2


def test_a_lead_removes_a_member_but_not_one_with_cases_or_the_last_lead(inspection: Any, assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    url = f"/inspections/{inspection.pk}/team/"
    r = c.post(url, {"remove": "assessor"}, follow=True)
    assert "assessor has cases in this inspection: reallocate them first" in r.content.decode()
    r = c.post(url, {"remove": "lead"}, follow=True)
    assert "lead is the inspection&#39;s only lead inspector: make someone else lead first" in r.content.decode()
    assert Membership.objects.filter(inspection=inspection, user__username__in=["assessor", "lead"]).count() == 2
    r = c.post(url, {"remove": "assessor2"}, follow=True)
    assert "assessor2 is no longer on the team" in r.content.decode()
    assert not Membership.objects.filter(inspection=inspection, user=users["assessor2"]).exists()
    event = AuditEvent.objects.get(action="member_remove")
    assert (event.field, event.old, event.actor) == ("assessor2", "assessor", users["lead"])
    assert client_for(users["assessor2"]).get(f"/inspections/{inspection.pk}/").status_code == 404
