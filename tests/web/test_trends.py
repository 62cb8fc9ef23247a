"""Trends across rounds on the page and in every export: two generated programmes with a known
difference, under two instrument versions joined by a crosswalk (one renamed, one dropped question)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from caseassess.inspections.models import Area, Inspection, Programme
from caseassess.instruments.models import CrosswalkVersion
from caseassess.reporting.dataexchange import assessments_import_csv
from tests.web.conftest import MINI, client_for, run_jobs

pytestmark = pytest.mark.django_db
MINI_2014 = Path(__file__).resolve().parents[1] / "fixtures" / "mini-instrument-2014"


def programme(name: str, version: Any, year: int, members: list[Any], rows: list[list[str]]) -> Programme:
    prog = Programme.objects.create(name=name)
    insp = Inspection.objects.create(programme=prog, name=f"{name} Testshire", area=Area.objects.get_or_create(name="Testshire Probation Trust")[0],
                                     fieldwork_start=dt.date(year, 11, 4), fieldwork_end=dt.date(year, 11, 8),
                                     instrument=version)
    for m in members:  # roles are per inspection: the lead leads it, the analyst reads its findings
        insp.members.add(m, through_defaults={"role": "analyst" if m.role == "analyst" else "lead_inspector"})
    result = assessments_import_csv(inspection=insp, actor=None, rows=[["case_ref", "question_id", "answer"], *rows])
    assert result.ok, result.errors
    return prog


@pytest.fixture
def rounds(users: dict[str, Any]) -> tuple[Programme, Programme]:
    """2013: B.4.1.1 yes in 8 of 20 cases, B.4.1.6 yes in 10 of 20, D.2.2.8 yes in 5 of 20.
    2014: B.4.1.1 yes in 18 of 20, B.4.1.7 (was B.4.1.6) yes in 10 of 20; D.2.2.8 no longer asked."""
    from caseassess.instruments.services import instrument_load

    old = instrument_load(path=MINI).version
    new = instrument_load(path=MINI_2014).version
    members = [users["lead"], users["analyst"]]
    before = [[f"A{i:02}", "B.4.1.1", "yes" if i < 8 else "no"] for i in range(20)]
    before += [[f"A{i:02}", "B.4.1.6", "yes" if i < 10 else "no"] for i in range(20)]
    before += [[f"A{i:02}", "D.2.2.8", "yes" if i < 5 else "no"] for i in range(20)]
    after = [[f"B{i:02}", "B.4.1.1", "yes" if i < 18 else "no"] for i in range(20)]
    after += [[f"B{i:02}", "B.4.1.7", "yes" if i < 10 else "no"] for i in range(20)]
    return programme("IAOW 2013", old, 2013, members, before), programme("IAOW 2014", new, 2014, members, after)


def test_loading_the_later_instrument_loads_its_crosswalk(rounds: Any) -> None:
    row = CrosswalkVersion.objects.get()
    assert (row.earlier_instrument_id, row.later.instrument_id) == ("mini-2013", "mini-2014")
    assert row.definition["pairs"]["B.4.1.7"] == "B.4.1.6" and row.definition["dropped"] == ["D.2.2.8"]


def test_the_trends_page_shows_the_change_and_its_test(rounds: Any, users: dict[str, Any]) -> None:
    earlier, later = rounds
    html = client_for(users["analyst"]).get(f"/findings/programmes/{later.pk}/trends/?earlier={earlier.pk}").content.decode()
    # B.4.1.1: 40% (20) -> 90% (20), +50.0 points; chi2 = 40 * (18*12 - 2*8)^2 / (20*20*26*14) = 10.99 -> ***
    assert "40% (20)" in html and "90% (20)" in html and "+50.0" in html and "***" in html
    assert "renumbered from B.4.1.6; same wording" in html
    assert "frequency of contact is not asked in 2014" in html
    assert "By area" in html and "Testshire Probation Trust" in html
    report = client_for(users["analyst"]).get(f"/findings/programmes/{later.pk}/").content.decode()
    assert f'href="/findings/programmes/{later.pk}/trends/"' in report


def test_the_trends_exports_carry_the_same_rows(rounds: Any, users: dict[str, Any]) -> None:
    earlier, later = rounds
    c = client_for(users["analyst"])
    base = f"/findings/programmes/{later.pk}/trends/trends"
    data = json.loads(c.get(f"{base}.json?earlier={earlier.pk}").content)
    row = next(r for r in data["rows"] if r["area"] == "All areas" and r["id"] == "B.4.1.1")
    assert (row["earlier_pct"], row["earlier_n"], row["later_pct"], row["later_n"]) == (40, 20, 90, 20)
    assert row["change_points"] == 50.0 and row["stars"] == "***" and row["p"] == 0.001
    renamed = next(r for r in data["rows"] if r["area"] == "All areas" and r["id"] == "B.4.1.7")
    assert (renamed["earlier_id"], renamed["earlier_pct"], renamed["later_pct"], renamed["stars"]) == ("B.4.1.6", 50, 50, "--")
    dropped = next(r for r in data["rows"] if r["area"] == "All areas" and r["id"] == "D.2.2.8")
    assert (dropped["earlier_pct"], dropped["later_pct"]) == (25, None)
    resp = c.get(f"{base}.csv?earlier={earlier.pk}")
    day = dt.date.today().isoformat()
    assert f'filename="trends-iaow-2014-vs-iaow-2013-{day}.csv"' in resp["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.content.decode())))
    assert len(rows) == len(data["rows"])
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(c.get(f"{base}.xlsx?earlier={earlier.pk}").content))["Trends"]
    assert ws.max_row == len(data["rows"]) + 1
    waiting = c.get(f"{base}.pdf?earlier={earlier.pk}")
    assert waiting.status_code == 202 and "Preparing the PDF" in waiting.content.decode()  # laid out by the background worker
    run_jobs()
    pdf = c.get(f"{base}.pdf?earlier={earlier.pk}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "attachment" in pdf["Content-Disposition"]


def test_small_numbers_are_marked_with_a_caution(rounds: Any, users: dict[str, Any]) -> None:
    earlier, later = rounds
    data = client_for(users["analyst"]).get(f"/findings/programmes/{later.pk}/trends/trends.json?earlier={earlier.pk}").json()
    assert data["min_n"] == 10
    assert all(r["caution_small_numbers"] is False for r in data["rows"] if r["id"] == "B.4.1.1")


def test_without_a_crosswalk_the_page_says_what_to_do(users: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    from caseassess.instruments.services import instrument_load

    folder = tmp_path / "mini-2014"
    shutil.copytree(MINI_2014, folder)
    (folder / "crosswalk-from-mini-2013.yaml").unlink()
    old, new = instrument_load(path=MINI).version, instrument_load(path=folder).version
    members = [users["analyst"]]
    a = programme("Round one", old, 2013, members, [["A1", "B.4.1.1", "yes"]])
    b = programme("Round two", new, 2014, members, [["B1", "B.4.1.1", "yes"]])
    resp = client_for(users["analyst"]).get(f"/findings/programmes/{b.pk}/trends/?earlier={a.pk}")
    assert resp.status_code == 400
    assert "There is no crosswalk from mini-2013 to mini-2014" in resp.content.decode()


def test_a_programme_the_user_cannot_see_is_not_offered_or_accepted(rounds: Any, users: dict[str, Any]) -> None:
    earlier, later = rounds
    Inspection.objects.filter(programme=earlier).first().members.remove(users["analyst"])
    resp = client_for(users["analyst"]).get(f"/findings/programmes/{later.pk}/trends/?earlier={earlier.pk}")
    assert resp.status_code == 400 and "Choose one of the listed programmes" in resp.content.decode()
    assert "IAOW 2013" not in resp.content.decode().split("<select")[1].split("</select>")[0]
