"""The data migration of issue 12 items 3 and 5, run on a database made before it: global
lead inspectors become lead members of their inspections, area strings become Area records
carrying their tiering settings, programmes get a period and allowed instruments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("inspections", "0002_area_settings"), ("accounts", "0001_initial"), ("instruments", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_old_roles_and_area_names_are_migrated(users: Any = None) -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    lead = User.objects.create(username="old-lead", role="lead_inspector")
    assessor = User.objects.create(username="old-assessor", role="assessor")
    analyst = User.objects.create(username="old-analyst", role="analyst")
    version = old.get_model("instruments", "InstrumentVersion").objects.create(
        instrument_id="x-1", title="X", version="1", checksum="c", definition={})
    Programme = old.get_model("inspections", "Programme")
    Inspection = old.get_model("inspections", "Inspection")
    prog = Programme.objects.create(name="Old programme")
    a = Inspection.objects.create(programme=prog, name="A", area="Cumbria Probation Trust", fieldwork_start=dt.date(2013, 11, 4),
                                  fieldwork_end=dt.date(2013, 11, 8), instrument=version)
    b = Inspection.objects.create(programme=prog, name="B", area="Cumbria Probation Trust", fieldwork_start=dt.date(2014, 2, 3),
                                  fieldwork_end=dt.date(2014, 2, 7), instrument=version)
    a.members.add(lead, assessor, analyst)
    b.members.add(assessor)
    old.get_model("inspections", "AreaSettings").objects.create(area="Cumbria Probation Trust", tiering_local_determination={"atr": "tier_1"})

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(leaves)

    from caseassess.accounts.models import User as NewUser
    from caseassess.inspections.models import Area, Membership
    from caseassess.inspections.models import Programme as NewProgramme

    assert dict(NewUser.objects.filter(username__startswith="old-").values_list("username", "role")) == {
        "old-lead": "inspector", "old-assessor": "inspector", "old-analyst": "analyst"}
    assert sorted(Membership.objects.values_list("inspection__name", "user__username", "role")) == [
        ("A", "old-analyst", "analyst"), ("A", "old-assessor", "assessor"), ("A", "old-lead", "lead_inspector"), ("B", "old-assessor", "assessor")]
    area = Area.objects.get()
    assert (area.name, area.tiering_local_determination, list(area.leads.values_list("username", flat=True))) == (
        "Cumbria Probation Trust", {"atr": "tier_1"}, ["old-lead"])
    assert set(Area.objects.get().inspections.values_list("name", flat=True)) == {"A", "B"}
    p = NewProgramme.objects.get()
    assert (p.period_start, p.period_end, list(p.instruments.values_list("instrument_id", flat=True))) == (dt.date(2013, 11, 4), dt.date(2014, 2, 7), ["x-1"])
