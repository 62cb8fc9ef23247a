"""Ratings on the findings pages and exports (issue: ratings as versioned data).

Expected values are worked out by hand from the answers each test writes, not from the code:
the mini instrument's Risk of Harm headline pools B.4.1's scored questions."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from caseassess.assessments import services
from caseassess.assessments.models import Status
from caseassess.inspections.services import case_add
from caseassess.instruments.models import RatingSchemeVersion
from tests.web.conftest import MINI, add_members, client_for

pytestmark = pytest.mark.django_db

SCHEME = """\
id: mini-ratings
title: Mini rating scheme
version: "1"
effective_from: "2013-10-01"
instrument: mini-2013
min_n: 3
bands:
  - {id: outstanding, label: Outstanding, from_percent: 80, to_percent: 100, score: 3}
  - {id: good, label: Good, from_percent: 65, to_percent: 80, score: 2}
  - {id: requires_improvement, label: Requires improvement, from_percent: 50, to_percent: 65, score: 1}
  - {id: inadequate, label: Inadequate, from_percent: 0, to_percent: 50, score: 0}
units:
  - {id: roh, title: Risk of Harm to others, score: risk_of_harm}
overall:
  - {label: Outstanding, min_total: 3}
  - {label: Good, min_total: 2}
  - {label: Requires improvement, min_total: 1}
  - {label: Inadequate, min_total: 0}
"""


@pytest.fixture
def rated_version(db: Any, tmp_path: Path) -> Any:
    from caseassess.instruments.services import instrument_load

    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "ratings.yaml").write_text(SCHEME, encoding="utf-8")
    return instrument_load(path=folder).version


@pytest.fixture
def rated(rated_version: Any, users: dict[str, Any]) -> Any:
    """Four submitted cases: B.4.1.1 yes, yes, yes, no -> Risk of Harm 3 of 4 = 75% (Good)."""
    import datetime as dt

    from caseassess.inspections.models import Area, Inspection, Programme

    prog = Programme.objects.create(name="IAOW 2013–2017")
    insp = Inspection.objects.create(
        programme=prog, name="IAOW Testshire", area=Area.objects.create(name="Testshire Probation Trust"),
        fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=rated_version,
    )
    add_members(insp, users, assessor="assessor", lead="lead_inspector", analyst="analyst")
    for ref, ans in [("R1", "yes"), ("R2", "yes"), ("R3", "yes"), ("R4", "no")]:
        case = case_add(inspection=insp, actor=users["lead"], case_ref=ref, assessor=users["assessor"], details={})
        a = case.assessments.get()
        services.assessment_save_section(assessment=a, actor=users["assessor"], section_id="B.4.1",
                                         values={"B.4.1.1": ans, "B.4.1.6": "na"}, comments={}, base_versions={},
                                         client_stamp=0)
        a.status = Status.SUBMITTED
        a.save()
    return insp


def test_loading_an_instrument_loads_the_rating_scheme_beside_it_once(rated_version: Any, tmp_path: Path) -> None:
    from caseassess.instruments.services import instrument_load

    row = RatingSchemeVersion.objects.get()
    assert (row.scheme_id, row.version, row.instrument_id) == ("mini-ratings", "1", rated_version.pk)
    instrument_load(path=tmp_path / "mini")  # the same files again: a no-op
    assert RatingSchemeVersion.objects.count() == 1


def test_a_changed_scheme_under_the_same_version_is_refused(rated_version: Any, tmp_path: Path) -> None:
    from caseassess.instruments.services import rating_scheme_load
    from caseassess_core.instrument.loader import InstrumentError

    path = tmp_path / "mini" / "ratings.yaml"
    path.write_text(SCHEME.replace("from_percent: 80, to_percent: 100", "from_percent: 85, to_percent: 100")
                    .replace("from_percent: 65, to_percent: 80", "from_percent: 65, to_percent: 85"), encoding="utf-8")
    with pytest.raises(InstrumentError, match="already loaded with different content; a changed scheme needs a new version"):
        rating_scheme_load(path=path, version=rated_version)
    assert RatingSchemeVersion.objects.count() == 1


def test_a_broken_scheme_stops_the_instrument_loading_and_names_the_line(db: Any, tmp_path: Path) -> None:
    from caseassess.instruments.models import InstrumentVersion
    from caseassess.instruments.services import instrument_load
    from caseassess_core.instrument.loader import InstrumentError

    folder = tmp_path / "broken"
    shutil.copytree(MINI, folder)
    (folder / "ratings.yaml").write_text(SCHEME.replace("to_percent: 65, score: 1", "to_percent: 60, score: 1"), encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"ratings.yaml:10: bands\[2\].to_percent: gap between bands"):
        instrument_load(path=folder)
    assert not InstrumentVersion.objects.exists()  # nothing loaded
    with pytest.raises(CommandError, match="gap between bands: Requires improvement ends at 60% but Good starts at 65%"):
        call_command("validate_instrument", str(folder))


def test_the_ratings_page_shows_the_band_n_interval_and_the_cases_to_the_next_band(rated: Any, users: dict[str, Any]) -> None:
    html = client_for(users["analyst"]).get(f"/findings/inspections/{rated.pk}/ratings/").content.decode()
    assert "Good" in html and "75%" in html
    # Wilson 95% for 3 of 4: 30.1%-95.4% -> "30–95%", which spans every band.
    assert "30–95%" in html
    assert "The interval crosses a band boundary" in html
    # Outstanding needs 80% of 4 = 3.2 -> 4 sufficient: 1 more.
    assert "1 more sufficient case would make this Outstanding." in html
    assert "Overall rating: Good" in html


def test_the_ratings_exports_carry_the_same_numbers_and_are_named(rated: Any, users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    base = f"/findings/programmes/{rated.programme_id}/ratings/ratings"
    data = json.loads(c.get(base + ".json").content)
    unit = next(r for r in data["ratings"] if r["unit"] == "Risk of Harm to others")
    assert (unit["rating"], unit["percent_sufficiently_well"], unit["n"], unit["sufficient"]) == ("Good", 75, 4, 3)
    assert (unit["ci_low_percent"], unit["ci_high_percent"]) == (30.1, 95.4)
    assert unit["interval_crosses_band_boundary"] is True and unit["sufficient_cases_to_next_band"] == 1
    resp = c.get(base + ".csv")
    day = __import__("datetime").date.today().isoformat()
    assert resp["Content-Disposition"] == (
        f"attachment; filename=\"ratings-iaow-2013-2017-{day}.csv\"; filename*=UTF-8''ratings-iaow-2013%E2%80%932017-{day}.csv"
    )
    rows = list(csv.DictReader(io.StringIO(resp.content.decode())))
    assert rows[0]["rating"] == "Good" and rows[0]["n"] == "4"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(c.get(base + ".xlsx").content))
    ws = wb["Ratings"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert [ws.cell(2, i).value for i in (4, 5, 7)] == ["Good", 75, 4]


def test_outsiders_get_404_on_the_ratings_pages(rated: Any, users: dict[str, Any]) -> None:
    c = client_for(users["outsider"])
    assert c.get(f"/findings/inspections/{rated.pk}/ratings/").status_code == 404
    assert c.get(f"/findings/programmes/{rated.programme_id}/ratings/ratings.csv").status_code == 404


def test_an_instrument_without_a_scheme_has_no_ratings_page(inspection: Any, users: dict[str, Any]) -> None:
    assert client_for(users["lead"]).get(f"/findings/inspections/{inspection.pk}/ratings/").status_code == 404


def test_the_shipped_iaow_scheme_loads_with_the_instrument(db: Any) -> None:
    from caseassess.instruments.services import instrument_load

    root = Path(__file__).resolve().parents[2] / "instruments" / "iaow-2013-10"
    instrument_load(path=root)
    row = RatingSchemeVersion.objects.get()
    assert row.scheme_id == "iaow-ratings-example" and row.instrument.instrument_id == "iaow-2013-10"


def test_the_instrument_browser_shows_the_scheme(rated_version: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    browse = c.get("/instruments/mini-2013/").content.decode()
    assert "Mini rating scheme" in browse and "/instruments/mini-2013/ratings/" in browse
    html = c.get("/instruments/mini-2013/ratings/").content.decode()
    assert "from 1 October 2013" in html
    assert "80% or more" in html and "from 65% to below 80%" in html and "below 50%" in html
    assert "The Risk of Harm to others score" in html
    assert "Outstanding: 3 or more" in html


def test_the_findings_report_and_its_exports_carry_the_same_ratings(rated: Any, users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    base = f"/findings/programmes/{rated.programme_id}/"
    page = c.get(base).content.decode()
    assert 'href="#ratings"' in page and 'id="ratings"' in page and "By Mini rating scheme (version 1)" in page
    data = json.loads(c.get(base + "findings.json").content)
    roh = next(r for r in data["ratings"] if r["unit"] == "Risk of Harm to others")
    # 3 of 4 sufficient: 75%, Good; Wilson 30.1-95.4%.
    assert (roh["scope"], roh["rating"], roh["pct"], roh["n"], roh["ci_low"], roh["ci_high"]) == (
        "All areas", "Good", 75, 4, 30.1, 95.4)
    assert roh["crosses_boundary"] is True and roh["too_few"] is False
    assert "1 more sufficient case would make this Outstanding." in roh["notes"]
    overall = next(r for r in data["ratings"] if r["unit"] == "Overall")
    assert overall["rating"] == "Good"
    rows = list(csv.DictReader(io.StringIO(c.get(base + "findings.csv").content.decode())))
    line = next(r for r in rows if r["table"] == "ratings" and r["id"] == "Risk of Harm to others")
    assert (line["label"], line["pct_a"], line["n_a"], line["caution_a"]) == ("Good", "75", "4", "interval crosses a band boundary")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(c.get(base + "findings.xlsx").content))["Ratings"]
    assert [ws.cell(2, i).value for i in (1, 2, 3, 4, 5)] == ["All areas", "Risk of Harm to others", "Good", 75, 4]


def test_without_a_scheme_the_report_has_no_ratings(inspection: Any, users: dict[str, Any]) -> None:
    data = json.loads(client_for(users["analyst"]).get(f"/findings/programmes/{inspection.programme_id}/findings.json").content)
    assert data["ratings"] == [] and data["rating_scheme"] == ""
