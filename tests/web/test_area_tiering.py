"""Local determination of the tiering grid per area: the page, who may use it, bad input,
the audit trail, and the suggestions and explain_rules that use it."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Area
from tests.web.conftest import add_members, client_for

pytestmark = pytest.mark.django_db

AREA = "Rules Trust"
DID_LIAP_CASE = {
    "sentence_type": "community_order", "requirements": ["supervision"], "rosh_at_start": "low",
    "ogp_score": 10, "interventions": ["did_liap"], "ppo": "no", "mappa_level": "none", "report_type": "standard_delivery",
}


@pytest.fixture
def iaow_inspection(users: dict[str, Any]) -> Any:
    from caseassess.inspections.models import Inspection, Programme
    from caseassess.instruments.services import instrument_load

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    area = Area.objects.create(name=AREA)
    area.leads.add(users["lead"])
    insp = Inspection.objects.create(
        programme=Programme.objects.create(name="IAOW"), name="IAOW Rules", area=area,
        fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=version,
    )
    add_members(insp, users, assessor="assessor", lead="lead_inspector", analyst="analyst")
    return insp


def stored() -> dict[str, str]:
    return dict(Area.objects.get(name=AREA).tiering_local_determination)


@pytest.fixture
def did_liap_assessment(iaow_inspection: Any, users: dict[str, Any]) -> Any:
    from caseassess.inspections.services import case_add

    case = case_add(inspection=iaow_inspection, actor=users["lead"], case_ref="LOC-1", assessor=users["assessor"], details=dict(DID_LIAP_CASE))
    return case.assessments.get()


def url(insp: Any) -> str:
    return f"/inspections/{insp.pk}/area-tiering/"


def test_the_inspection_page_links_leads_to_the_local_determination_page(iaow_inspection: Any, users: dict[str, Any]) -> None:
    html = client_for(users["lead"]).get(f"/inspections/{iaow_inspection.pk}/").content.decode()
    assert url(iaow_inspection) in html and "Tiering: local determination" in html and "Grid defaults" in html
    assert url(iaow_inspection) not in client_for(users["assessor"]).get(f"/inspections/{iaow_inspection.pk}/").content.decode()


def test_the_page_offers_each_local_determination_row_with_the_tiers_and_the_grid_default(iaow_inspection: Any, users: dict[str, Any]) -> None:
    r = client_for(users["lead"]).get(url(iaow_inspection))
    assert r.status_code == 200
    html = r.content.decode()
    for row_id in ("did_liap", "atr", "activity_requirement"):
        assert f'name="row-{row_id}" type="radio" value="default" checked' in html
        for tier in ("tier_1", "tier_2", "tier_3", "tier_4"):
            assert f'id="row-{row_id}-{tier}" name="row-{row_id}" type="radio" value="{tier}"' in html
    assert "Grid default (Tier 2)" in html
    assert 'name="row-ppo"' not in html and 'name="row-rosh_high"' not in html


@pytest.mark.parametrize("who", ["assessor", "analyst", "outsider", "assessor2"])
def test_only_leads_of_the_inspection_may_open_or_change_it(iaow_inspection: Any, users: dict[str, Any], who: str) -> None:
    c = client_for(users[who])
    assert c.get(url(iaow_inspection)).status_code == 404
    assert c.post(url(iaow_inspection), {"row-did_liap": "tier_1"}).status_code == 404
    assert stored() == {}


def test_a_lead_of_another_inspection_cannot_change_this_area(iaow_inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User

    other = User.objects.create_user(username="other-lead", password="x-long-password-1")
    assert client_for(other).post(url(iaow_inspection), {"row-did_liap": "tier_1"}).status_code == 404
    assert stored() == {}


def test_leading_an_inspection_that_names_the_area_does_not_grant_its_settings(iaow_inspection: Any, users: dict[str, Any]) -> None:
    """Issue 14 item 3: a lead of another team creates an inspection naming this team's area
    (the area is a record they choose from a list) and is not one of the area's leads."""
    from caseassess.accounts.models import User
    from caseassess.inspections.models import Programme
    from caseassess.inspections.setup import inspection_save

    other = User.objects.create_user(username="other-lead", password="x-long-password-1")
    prog = Programme.objects.create(name="Other team", period_start=dt.date(2015, 1, 1), period_end=dt.date(2015, 12, 31))
    prog.instruments.add(iaow_inspection.instrument)
    theirs = inspection_save(actor=other, programme=prog, name="Other team's inspection", area=Area.objects.get(name=AREA),
                             fieldwork_start=dt.date(2015, 2, 2), fieldwork_end=dt.date(2015, 2, 6), instrument=iaow_inspection.instrument, lead=other)
    c = client_for(other)
    assert c.get(f"/inspections/{theirs.pk}/").status_code == 200  # they lead their own inspection
    assert "Local determination of tiering" not in c.get(f"/inspections/{theirs.pk}/").content.decode()
    assert c.get(url(theirs)).status_code == 404
    assert c.post(url(theirs), {"row-did_liap": "tier_1"}).status_code == 404
    assert stored() == {}
    # The area's own lead (and an administrator) may.
    assert client_for(users["lead"]).post(url(iaow_inspection), {"row-did_liap": "tier_1"}).status_code == 302
    assert client_for(users["admin"]).post(url(theirs), {"row-atr": "tier_2"}).status_code == 302
    assert stored() == {"did_liap": "tier_1", "atr": "tier_2"}


def test_a_lead_of_the_inspection_who_is_not_a_lead_of_its_area_cannot_change_it(iaow_inspection: Any, users: dict[str, Any]) -> None:
    add_members(iaow_inspection, users, assessor2="lead_inspector")
    c = client_for(users["assessor2"])
    assert c.get(f"/inspections/{iaow_inspection.pk}/edit/").status_code == 200  # leads the inspection
    assert c.post(url(iaow_inspection), {"row-did_liap": "tier_1"}).status_code == 404
    assert stored() == {}


def test_a_lead_sets_a_row_and_the_change_is_audited(iaow_inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    r = c.post(url(iaow_inspection), {"row-did_liap": "tier_1", "row-atr": "default", "row-activity_requirement": "tier_3"})
    assert r.status_code == 302 and r["Location"] == f"/inspections/{iaow_inspection.pk}/"
    assert stored() == {"did_liap": "tier_1", "activity_requirement": "tier_3"}
    event = AuditEvent.objects.get(action="area_tiering_set")
    assert (event.actor, event.inspection_id, event.field, event.old) == (users["lead"], iaow_inspection.pk, "tiering_local_determination", {})
    assert event.new == {"did_liap": "tier_1", "activity_requirement": "tier_3"}
    html = c.get(url(iaow_inspection)).content.decode()
    assert 'id="row-did_liap-tier_1" name="row-did_liap" type="radio" value="tier_1" checked' in html
    detail = c.get(f"/inspections/{iaow_inspection.pk}/").content.decode()
    assert "DID or LIAP: Tier 1" in detail and "Activity Requirement or licence equivalent: Tier 3" in detail
    # Back to the grid default; saving the same again changes (and audits) nothing.
    c.post(url(iaow_inspection), {"row-did_liap": "default", "row-activity_requirement": "tier_3"})
    assert stored() == {"activity_requirement": "tier_3"}
    c.post(url(iaow_inspection), {"row-did_liap": "default", "row-activity_requirement": "tier_3"})
    assert AuditEvent.objects.filter(action="area_tiering_set").count() == 2


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"row-did_liap": "tier_9"}, "Select Tier 1, 2, 3 or 4, or the grid default, for DID or LIAP (for local determination)"),
        ({"row-did_liap": ""}, "Select Tier 1, 2, 3 or 4, or the grid default"),
        ({"row-did_liap": "tier_1", "row-ppo": "tier_1"}, "‘ppo’ is not left to local determination: its tick is set by the grid"),
        ({"row-did_liap": "tier_1", "row-no_such_row": "tier_1"}, "‘no_such_row’ is not a row of the tiering grid"),
    ],
)
def test_bad_input_gets_an_error_summary_and_saves_nothing(iaow_inspection: Any, users: dict[str, Any], post: dict[str, str], message: str) -> None:
    r = client_for(users["lead"]).post(url(iaow_inspection), post)
    assert r.status_code == 400
    html = r.content.decode()
    start = html.index('class="govuk-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert "There is a problem" in summary and message in summary
    assert "<title>Error: " in html
    assert stored() == {}
    assert not AuditEvent.objects.filter(action="area_tiering_set").exists()


def test_the_error_for_a_row_on_the_page_links_to_its_radios(iaow_inspection: Any, users: dict[str, Any]) -> None:
    html = client_for(users["lead"]).post(url(iaow_inspection), {"row-atr": "tier_0"}).content.decode()
    assert '<a href="#row-atr">' in html and 'id="row-atr-error"' in html and "govuk-form-group--error" in html


def test_an_instrument_without_a_tiering_grid_has_nothing_to_set(inspection: Any, users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    assert "has no tiering grid rows left to local determination" in c.get(url(inspection)).content.decode()
    assert c.post(url(inspection), {"row-did_liap": "tier_1"}).status_code == 400
    assert Area.objects.get(pk=inspection.area_id).tiering_local_determination == {}


def test_the_tiering_suggestion_uses_the_area_setting_and_says_local_determination(did_liap_assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    page = f"/assessments/{did_liap_assessment.pk}/case-details/"
    before = c.get(page).content.decode()
    tier = before[before.index('id="field-tier"') :][:6000]
    # nothing set by the area: the grid leaves DID/LIAP to local determination (issue 13 item 5)
    assert "The grid indicates Tier 1 or Tier 2 (local determination not set)" in tier
    assert "The grid indicates Tier 2." not in tier and "counts as" not in tier
    client_for(users["lead"]).post(url(did_liap_assessment.case.inspection), {"row-did_liap": "tier_4"})
    after = c.get(page).content.decode()
    tier = after[after.index('id="field-tier"') :][:6000]
    assert "The grid indicates Tier 4. In this area DID or LIAP counts as Tier 4 (local determination)." in tier
    assert "→ Tier 4 column (local determination)" in tier


def test_the_setting_applies_to_every_inspection_of_the_area(iaow_inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.inspections.models import Inspection
    from caseassess.inspections.selectors import area_tiering_overrides
    from caseassess.instruments.selectors import instrument_get

    client_for(users["lead"]).post(url(iaow_inspection), {"row-atr": "tier_1"})
    again = Inspection.objects.create(programme=iaow_inspection.programme, name="IAOW Rules again", area=Area.objects.get(name=AREA),
                                      fieldwork_start=dt.date(2015, 1, 5), fieldwork_end=dt.date(2015, 1, 9), instrument=iaow_inspection.instrument)
    elsewhere = Inspection.objects.create(programme=iaow_inspection.programme, name="IAOW Elsewhere", area=Area.objects.create(name="Elsewhere Trust"),
                                          fieldwork_start=dt.date(2015, 1, 5), fieldwork_end=dt.date(2015, 1, 9), instrument=iaow_inspection.instrument)
    ins = instrument_get(version=iaow_inspection.instrument)
    assert area_tiering_overrides(inspection=again, ins=ins) == {"atr": "tier_1"}
    assert area_tiering_overrides(inspection=elsewhere, ins=ins) == {}


def test_a_stored_setting_for_a_row_the_grid_does_not_leave_to_the_area_is_ignored(iaow_inspection: Any) -> None:
    from caseassess.inspections.selectors import area_tiering_overrides
    from caseassess.instruments.selectors import instrument_get

    Area.objects.filter(name=AREA).update(tiering_local_determination={"ppo": "tier_1", "atr": "tier_9", "did_liap": "tier_1"})
    ins = instrument_get(version=iaow_inspection.instrument)
    assert area_tiering_overrides(inspection=iaow_inspection, ins=ins) == {"did_liap": "tier_1"}


def test_disagreements_and_explain_rules_use_the_area_setting(did_liap_assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services

    res = services.case_details_save(case=did_liap_assessment.case, actor=users["assessor"], values={"tier": "tier_2"}, base_version=0)
    assert res.ok
    check = f"/assessments/{did_liap_assessment.pk}/check/"
    assert "Indicative tier" not in client_for(users["assessor"]).get(check).content.decode().split('id="disagreements"')[-1]
    client_for(users["lead"]).post(url(did_liap_assessment.case.inspection), {"row-did_liap": "tier_4"})
    html = client_for(users["assessor"]).get(check).content.decode()
    assert "the Indicative tier (post-sentence Tiering Decision Grid) rule suggests “Tier 4”" in html
    out = StringIO()
    call_command("explain_rules", "--case", "LOC-1", stdout=out)
    text = out.getvalue()
    assert f"Local determination of tiering in {AREA}: did_liap -> Tier 4" in text
    block = next(b for b in text.split("\n\n") if "[tiering]" in b)
    assert "outcome: tier_4" in block and "(local determination)" in block
