"""The README's demo command loads a programme a newcomer can click through."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from caseassess.inspections.demo import DEMO_PASSWORD, load_demo
from caseassess.inspections.models import Inspection, Programme

pytestmark = pytest.mark.django_db


def test_the_demo_programme_loads_once_and_its_findings_render(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.CASEASSESS_REQUIRE_2FA = False  # the demo runs with DJANGO_DEBUG=1, where 2FA is off
    assert load_demo(cases_per_inspection=12)["created"] == 24
    assert load_demo(cases_per_inspection=12)["created"] == 0
    assert Inspection.objects.count() == 2
    c = Client()
    assert c.post("/account/sign-in/", {"username": "assessor", "password": DEMO_PASSWORD}).status_code == 302
    home = c.get("/").content.decode()
    assert "CUM-1001" in home  # cases allocated to the newcomer, one half done
    c = Client()
    c.post("/account/sign-in/", {"username": "analyst", "password": DEMO_PASSWORD})
    report = c.get(f"/findings/programmes/{Programme.objects.get().pk}/").content.decode()
    assert "Key findings" in report and "Chart 2" in report and "Annex 1" in report
    agreement = c.get(f"/sampling/inspections/{Inspection.objects.get(name='IAOW Leicestershire').pk}/agreement/").content.decode()
    assert "double-assessed cases" in agreement


def test_the_demo_cases_carry_the_dates_and_weeks_the_timescale_rules_read(settings: Any, tmp_path: Any) -> None:
    from caseassess.inspections.models import Case
    from caseassess.instruments.selectors import instrument_get
    from caseassess_core.rules import evaluate_all

    settings.VAR_DIR = tmp_path
    load_demo(cases_per_inspection=12)
    cases = [c for c in Case.objects.select_related("inspection", "inspection__instrument") if c.details]
    assert all("sentence_date" in c.details and "supervision_start_date" in c.details for c in cases)
    for c in cases:
        start = c.details["supervision_start_date"]
        assert c.details["sentence_date"] <= start < c.inspection.fieldwork_start.isoformat()
        if c.details["sentence_type"].startswith("licence"):
            assert c.details["release_date"] == start
        if "first_appointment_date" in c.details:
            assert c.details["first_appointment_date"] >= start
    high = [c for c in cases if c.details["rosh_at_start"] in ("high", "very_high")]
    assert high and all(0 < c.details["contact_weeks_with_contact"] <= c.details["contact_weeks_checked"] for c in high)
    outcomes = set()
    for c in cases:
        ins = instrument_get(version=c.inspection.instrument)
        results = evaluate_all(dict(c.details), ins)
        outcomes |= {(r.rule_id, r.outcome) for r in results if r.rule_id.startswith("timescale_")}
    # The demo shows timescales met and missed.
    assert ("timescale_first_appointment", "met") in outcomes and ("timescale_first_appointment", "not_met") in outcomes
    assert ("timescale_sentence_plan", "met") in outcomes
    assert ("timescale_weekly_contact", "met") in outcomes or ("timescale_weekly_contact", "not_met") in outcomes


def test_a_database_that_loaded_an_earlier_version_of_the_instrument_files_keeps_it_and_the_demo_still_loads(settings: Any, tmp_path: Any) -> None:
    """As `bash scripts/demo.sh` run again on an existing var/ database after the instrument files changed:
    the loader refuses changed content under the same version id, so the demo keeps the loaded version."""
    from caseassess.inspections.models import Case
    from caseassess.instruments.models import InstrumentVersion
    from caseassess.instruments.services import instrument_load

    settings.VAR_DIR = tmp_path
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    earlier = dict(version.definition)
    earlier["case_details"] = [f for f in earlier["case_details"] if f["id"] not in ("first_appointment_date", "sentence_plan_date")]
    InstrumentVersion.objects.filter(pk=version.pk).update(checksum="0" * 64, definition=earlier)

    first = load_demo(cases_per_inspection=6)
    assert first["created"] == 12
    assert "have changed since this database loaded them" in first["warning"]
    assert InstrumentVersion.objects.count() == 1
    assert Inspection.objects.filter(instrument_id=version.pk).count() == 2
    # Case details follow the loaded version: no field it does not know.
    assert not any("first_appointment_date" in c.details for c in Case.objects.all())
    again = load_demo(cases_per_inspection=6)
    assert again["created"] == 0 and "have changed" in again["warning"]

    out = StringIO()
    call_command("load_demo", "--cases", "6", stdout=out)
    assert "Demo programme already loaded" in out.getvalue() and "remove" in out.getvalue()


def test_a_new_database_loads_the_current_instrument_files_without_a_warning(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    result = load_demo(cases_per_inspection=2)
    assert result == {"created": 4, "warning": ""}


def test_the_demo_has_a_person_who_leads_one_inspection_and_assesses_on_the_other(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.CASEASSESS_REQUIRE_2FA = False
    load_demo(cases_per_inspection=4)
    cumbria, leicestershire = Inspection.objects.get(name="IAOW Cumbria"), Inspection.objects.get(name="IAOW Leicestershire")
    c = Client()
    assert c.post("/account/sign-in/", {"username": "lead2", "password": DEMO_PASSWORD}).status_code == 302
    assert c.get(f"/inspections/{leicestershire.pk}/team/").status_code == 200
    assert c.get(f"/inspections/{cumbria.pk}/team/").status_code == 404
    lead = Client()
    lead.post("/account/sign-in/", {"username": "lead", "password": DEMO_PASSWORD})
    assert lead.get(f"/inspections/{cumbria.pk}/team/").status_code == 200
    admin = Client()
    admin.post("/account/sign-in/", {"username": "admin", "password": DEMO_PASSWORD})
    for url in ("/", "/programmes/", "/areas/", "/instruments/manage/versions/"):
        assert admin.get(url).status_code == 200, url
