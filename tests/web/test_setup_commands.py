"""The set-up commands (issue 12 item 4): from an empty database, a programme, an area,
an inspection and its team are created without code, so import_assessments can run."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Area, Inspection, Membership, Programme
from tests.web.conftest import MINI
from tests.web.test_data_exchange import GOOD

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_assessments_runs_on_a_fresh_database_set_up_by_commands(tmp_path: Path) -> None:
    from caseassess.accounts.models import User

    assert not Programme.objects.exists() and not Inspection.objects.exists()
    run("load_instrument", str(MINI))
    User.objects.create_user(username="lena", password="a-long-test-password-2013")
    User.objects.create_user(username="asha", password="a-long-test-password-2013")
    assert "Programme IAOW 2013–2017 created" in run("create_programme", "--name", "IAOW 2013–2017", "--start", "2013-04-01", "--end", "2017-03-31", "--instrument", "mini-2013")
    assert "Area Testshire Probation Trust created" in run("create_area", "--name", "Testshire Probation Trust", "--lead", "lena")
    assert "Inspection IAOW Testshire created" in run(
        "create_inspection", "--programme", "IAOW 2013–2017", "--name", "IAOW Testshire", "--area", "Testshire Probation Trust",
        "--start", "2013-11-04", "--end", "2013-11-08", "--instrument", "mini-2013", "--lead", "lena",
    )
    assert "asha is assessor on IAOW Testshire" in run("add_member", "--inspection", "IAOW Testshire", "--user", "asha", "--role", "assessor")
    assert "already assessor" in run("add_member", "--inspection", "IAOW Testshire", "--user", "asha", "--role", "assessor")
    insp = Inspection.objects.get(name="IAOW Testshire")
    assert sorted(Membership.objects.filter(inspection=insp).values_list("user__username", "role")) == [("asha", "assessor"), ("lena", "lead_inspector")]
    assert list(Area.objects.get().leads.values_list("username", flat=True)) == ["lena"]
    (tmp_path / "answers.csv").write_text(GOOD, encoding="utf-8")
    out = run("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(tmp_path / "answers.csv"))
    assert "Imported 10 rows into IAOW Testshire: 3 new cases" in out
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"programme_create", "area_create", "inspection_create", "member_set"} <= actions


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create_programme", "--name", "P", "--start", "2013-04-01", "--end", "2017-03-31", "--instrument", "nope"], "No instrument version 'nope' (loaded: mini-2013); load it first"),
        (["create_programme", "--name", "P", "--start", "2013-04-01", "--end", "2012-03-31", "--instrument", "mini-2013"], "period_end: The end of the programme must be on or after its start"),
        (["create_programme", "--name", "P", "--start", "1 April", "--end", "2017-03-31", "--instrument", "mini-2013"], "--start must be a date like 2013-11-04"),
        (["create_programme", "--name", "IAOW test programme", "--start", "2013-04-01", "--end", "2017-03-31", "--instrument", "mini-2013"], "already exists"),
        (["create_area", "--name", "Testshire Probation Trust"], "An area called Testshire Probation Trust already exists"),
        (["create_area", "--name", "X", "--lead", "nobody"], "There is no account called 'nobody'"),
        (["create_inspection", "--programme", "Nope", "--name", "I", "--area", "Testshire Probation Trust", "--start", "2013-11-04", "--end", "2013-11-08", "--instrument", "mini-2013"], "No programme called 'Nope'; create it first with create_programme"),
        (["create_inspection", "--programme", "IAOW test programme", "--name", "I", "--area", "Atlantis", "--start", "2013-11-04", "--end", "2013-11-08", "--instrument", "mini-2013"], "No area called 'Atlantis'; create it first with create_area"),
        (["create_inspection", "--programme", "IAOW test programme", "--name", "I", "--area", "Testshire Probation Trust", "--start", "2019-11-04", "--end", "2019-11-08", "--instrument", "mini-2013"], "Fieldwork must start within the programme"),
        (["add_member", "--inspection", "IAOW Testshire", "--user", "nobody", "--role", "assessor"], "There is no account called nobody"),
        (["add_member", "--inspection", "Nowhere", "--user", "lead", "--role", "assessor"], "No inspection called 'Nowhere'"),
        (["add_member", "--inspection", "IAOW Testshire", "--user", "analyst", "--role", "lead_inspector"], "analyst has an analyst account"),
    ],
)
def test_bad_arguments_get_one_clear_line_and_nothing_is_written(inspection: Any, args: list[str], message: str) -> None:
    counts = (Programme.objects.count(), Area.objects.count(), Inspection.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert message in str(info.value) and "\n" not in str(info.value)
    assert counts == (Programme.objects.count(), Area.objects.count(), Inspection.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
