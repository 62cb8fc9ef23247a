from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini-instrument"
PASSWORD = "a-long-test-password-2013"


@pytest.fixture
def mini_version(db: Any) -> Any:
    from caseassess.instruments.services import instrument_load

    return instrument_load(path=MINI).version


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    from caseassess.accounts.models import User

    out = {}
    for name, role in [("assessor", "assessor"), ("assessor2", "assessor"), ("lead", "lead_inspector"), ("analyst", "analyst"), ("outsider", "assessor"), ("admin", "administrator")]:
        out[name] = User.objects.create_user(username=name, password=PASSWORD, role=role)
    return out


@pytest.fixture
def inspection(mini_version: Any, users: dict[str, Any]) -> Any:
    from caseassess.inspections.models import Inspection, Programme

    prog = Programme.objects.create(name="IAOW test programme")
    insp = Inspection.objects.create(
        programme=prog, name="IAOW Testshire", area="Testshire Probation Trust", topic="protecting children",
        fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=mini_version,
    )
    insp.members.add(users["assessor"], users["assessor2"], users["lead"], users["analyst"])
    return insp


@pytest.fixture
def assessment(inspection: Any, users: dict[str, Any]) -> Any:
    from caseassess.inspections.services import case_add

    case = case_add(inspection=inspection, actor=users["lead"], case_ref="TST-0001", assessor=users["assessor"], details={"report_type": "standard_delivery", "sentence_type": "community_order"})
    return case.assessments.get()


def client_for(user: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c
