"""The README's demo command loads a programme a newcomer can click through."""

from __future__ import annotations

from typing import Any

import pytest
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
