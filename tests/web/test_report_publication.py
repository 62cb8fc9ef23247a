"""A report an inspectorate can publish (issue 13 items 7-12, issue 14 items 6 and 10):
front matter, method note, the small-numbers rule, layout of the PDF and XLSX, comparison
exports and download names."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from caseassess.inspections.models import Programme
from caseassess.reporting.selectors import long_date
from tests.web.conftest import client_for
from tests.web.test_decision_aids import iaow_assessment  # noqa: F401 - fixture
from tests.web.test_quality import double_assessed
from tests.web.test_reporting_pages import findings  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _page(users: dict[str, Any], programme_id: int) -> str:
    return client_for(users["analyst"]).get(f"/findings/programmes/{programme_id}/").content.decode()


def test_the_report_opens_with_what_it_covers(findings: Any, users: dict[str, Any]) -> None:  # noqa: F811
    html = _page(users, findings.programme_id)
    about = html[html.index('id="about"'):html.index('id="key-findings"')]
    for needed in ("IAOW test programme", "IAOW Testshire", "Testshire Probation Trust",
                   "4 November 2013 to 8 November 2013", "Submitted and signed-off assessments",
                   "version", long_date(timezone.localdate())):
        assert needed in about, needed
    assert re.search(r"Cases</dt><dd[^>]*>4<", about)


def test_the_method_note_explains_the_computation_the_test_and_the_small_numbers_rule(findings: Any, users: dict[str, Any]) -> None:  # noqa: F811
    html = _page(users, findings.programme_id)
    note = html[html.index('id="method"'):]
    for needed in ("% done sufficiently well", "Not applicable", "Pearson&#39;s chi-square", "continuity correction",
                   "outside it", "*** p &lt; 0.001", "Wilson", "fewer than 10 answers", "caution mark"):
        assert needed in note, needed


def test_percentages_on_fewer_than_the_minimum_carry_a_caution_mark_and_no_key_finding(findings: Any, users: dict[str, Any], settings: Any) -> None:  # noqa: F811
    html = _page(users, findings.programme_id)
    key = html[html.index('id="key-findings"'):html.index('id="chart-1"')]
    assert "75%" not in key  # Risk of Harm on 4 answers: below the minimum of 10
    assert 'class="app-caution"' in html and "fewer than 10 answers: treat with caution" in html
    settings.REPORT_MIN_N = 2  # the rule is configurable (CASEASSESS_REPORT_MIN_N)
    html = _page(users, findings.programme_id)
    key = html[html.index('id="key-findings"'):html.index('id="chart-1"')]
    assert "(75%, N = 4 answers)" in key


def test_every_bar_shows_its_n_and_a_single_area_has_no_area_chart(findings: Any, users: dict[str, Any]) -> None:  # noqa: F811
    html = _page(users, findings.programme_id)
    assert "(N=4)" in html  # beside the bars of Chart 1
    assert 'id="chart-2"' not in html  # one area: Chart 2 is suppressed
    assert "app-sticky-head" in html


def _disposition(resp: Any) -> str:
    assert resp.status_code == 200, resp.status_code
    return str(resp["Content-Disposition"])


def test_downloads_are_named_from_a_slug_with_rfc6266_filename_star(findings: Any, users: dict[str, Any]) -> None:  # noqa: F811
    Programme.objects.filter(pk=findings.programme_id).update(name="IAOW 2013\u20132017\r\nevil.html\"")
    c = client_for(users["analyst"])
    day = timezone.localdate().isoformat()
    stem = f"findings-iaow-2013\u20132017-evil-html-{day}"
    for fmt in ("csv", "json", "xlsx"):
        value = _disposition(c.get(f"/findings/programmes/{findings.programme_id}/findings.{fmt}"))
        assert value.startswith("attachment; ")  # JSON downloads too, never opens in the browser
        assert f"filename*=UTF-8''{quote(stem, safe='')}.{fmt}" in value
        assert f'filename="findings-iaow-2013-2017-evil-html-{day}.{fmt}"' in value
        assert "\r" not in value and "\n" not in value and ".html" not in value


def test_an_inspection_name_never_chooses_the_extension(findings: Any, users: dict[str, Any]) -> None:  # noqa: F811
    type(findings).objects.filter(pk=findings.pk).update(name="evil.html\r\nX-Injected: 1")
    value = _disposition(client_for(users["analyst"]).get(f"/findings/inspections/{findings.pk}/findings.csv"))
    assert value.endswith(".csv") and "evil-html-x-injected-1" in value and "\n" not in value


def test_the_comparison_is_exportable_in_every_format(findings: Any, users: dict[str, Any]) -> None:  # noqa: F811
    c = client_for(users["analyst"])
    base = f"/findings/programmes/{findings.programme_id}/compare/"
    query = {"by": "gender", "a": "male", "b": "female"}
    html = c.get(base, query).content.decode()
    assert "findings.csv?by=gender" in html and "findings.pdf?by=gender" in html
    data = json.loads(c.get(base + "findings.json", query).content)
    (table,) = data["tables"]
    assert [g["label"] for g in table["groups"]] == ["Male", "Female"]
    cell = table["score_rows"][0]["cells"][0]
    assert cell["n"] == 2 and cell["caution"] is True  # the small-numbers rule in the export
    csv_text = c.get(base + "findings.csv", query).content.decode()
    assert "fewer than 10 answers" in csv_text
    assert c.get(base + "findings.xlsx", query).content[:2] == b"PK"
    assert c.get(base + "findings.csv", {"by": "gender"}).status_code == 404


def test_the_spreadsheet_has_frozen_headers_filters_widths_readable_sheets_and_p_to_3_decimals(findings: Any, users: dict[str, Any]) -> None:  # noqa: F811
    from openpyxl import load_workbook

    body = client_for(users["analyst"]).get(f"/findings/programmes/{findings.programme_id}/findings.xlsx").content
    wb = load_workbook(io.BytesIO(body))
    assert wb.sheetnames[:3] == ["About this report", "Key findings", "Scores"]
    assert "Table 3 High and very high RoSH" in wb.sheetnames[3]
    assert "Annex 1 sample" in wb.sheetnames
    table = wb[wb.sheetnames[3]]
    assert table.freeze_panes == "A3" and table.auto_filter.ref and table.auto_filter.ref.startswith("A2:")
    assert table.column_dimensions["B"].width >= 40
    p_cells = [row[8] for row in table.iter_rows(min_row=3) if row[8].value is not None]
    assert p_cells and all(c.number_format == "0.000" for c in p_cells)
    assert wb["Scores"].freeze_panes == "A2"
    about = [r[0] for r in wb["About this report"].iter_rows(values_only=True)]
    assert "Method note" in about and "Fieldwork period" in about


def test_the_pdf_has_a_cover_contents_method_note_running_headers_and_page_numbers(findings: Any, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "report.pdf"
    call_command("export_findings", "--programme", "IAOW test programme", "--format", "pdf", "--output", str(out))
    pdf = out.read_bytes()
    assert pdf[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)  # tagged structure (PDF/UA-1)
    pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 4
    cover, contents = pages[0], pages[1]
    assert "About this report" in cover and "IAOW Testshire" in cover and "Page " not in cover
    assert "Contents" in contents and "Method note" in contents and re.search(r"Key findings\W+\d+", contents)
    assert any("Pearson" in p and "Small numbers" in p for p in pages)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
        assert "Aggregate findings: IAOW test programme" in page.splitlines()[0]  # running header
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(pages) and all(p.stat().st_size > 1000 for p in pngs)


def test_kappa_is_hidden_below_the_minimum_number_of_double_assessed_cases(inspection: Any, users: dict[str, Any], settings: Any) -> None:
    # 2 double-assessed cases; the pair of assessors has 12 pairs of answers, still only 2 cases
    first = [{"B.4.1.1": "yes", "B.4.1.6": "yes", "D.2.2.8": "no"}, {"B.4.1.1": "no", "B.4.1.6": "no", "D.2.2.8": "yes"}]
    second = [{"B.4.1.1": "yes", "B.4.1.6": "no", "D.2.2.8": "no"}, {"B.4.1.1": "yes", "B.4.1.6": "no", "D.2.2.8": "yes"}]
    double_assessed(inspection, users, first, second)
    settings.KAPPA_MIN_CASES = 5  # the pair's 6 answer pairs would pass a per-row rule; 2 cases do not
    url = reverse("sampling:agreement_inspection", args=[inspection.pk])
    html = client_for(users["analyst"]).get(url).content.decode()
    assert "2 double-assessed cases" in html and "too few cases</td>" in html
    assert "Low agreement</strong></td>" not in html
    body = html[html.index("<tbody"):]
    assert not re.search(r"\d\.\d\d to \d\.\d\d", body)  # no kappa interval shown
    settings.KAPPA_MIN_CASES = 2
    html = client_for(users["analyst"]).get(url).content.decode()
    assert "too few cases</td>" not in html


def test_the_instrument_browser_shows_which_scores_each_question_counts_in(db: Any, users: dict[str, Any]) -> None:
    from caseassess.instruments.services import instrument_load

    root = Path(__file__).resolve().parents[2] / "instruments" / "iaow-2013-10"
    instrument_load(path=root)
    html = client_for(users["analyst"]).get("/instruments/iaow-2013-10/sections/D.2.2/").content.decode()
    block = html[html.index('id="D.2.2.9"'):]
    block = block[:block.index('class="app-question"', 10) if 'class="app-question"' in block[10:] else len(block)]
    assert "Counts in: Risk of Harm to others" in block and "Likelihood of Reoffending" in block
    assert "Implementation of interventions" in block and "Compliance and enforcement" not in block


def test_an_assessor_records_a_measure_of_change_per_factor_and_it_is_scored(iaow_assessment: Any, users: dict[str, Any]) -> None:  # noqa: F811
    from caseassess.assessments.models import Answer

    assessment = iaow_assessment
    c = client_for(users["assessor"])
    url = f"/assessments/{assessment.pk}/sections/E.3.3/"
    page = c.get(url).content.decode()
    assert 'name="q-E.3.3.2:drug_misuse"' in page and "Got worse" in page
    r = c.post(url, {"q-E.3.3.2-present": "1", "q-E.3.3.2:drug_misuse": "improved", "q-E.3.3.2:accommodation": "worse",
                     "q-E.3.3.3-present": "1", "q-E.3.3.3:attitudes": "no_change",
                     "q-E.3.3.4-present": "1", "q-E.3.3.4:alcohol_misuse": "not_a_factor", "action": "continue"})
    assert r.status_code in (302, 303), r.status_code
    saved = {a.question_id: (a.value, a.scoring) for a in Answer.objects.filter(assessment=assessment)}
    assert saved["E.3.3.2"] == ({"accommodation": "worse", "drug_misuse": "improved"}, "sufficient")
    assert saved["E.3.3.3"] == ({"attitudes": "no_change"}, "insufficient")
    assert saved["E.3.3.4"] == ({"alcohol_misuse": "not_a_factor"}, "excluded")
    again = c.get(url).content.decode()
    assert re.search(r'name="q-E\.3\.3\.2:drug_misuse" type="radio" value="improved"\s+checked', again)
    bad = c.post(url, {"q-E.3.3.2-present": "1", "q-E.3.3.2:gambling": "improved", "action": "continue"})
    assert bad.status_code == 400 and "E.3.3.2: &#39;gambling&#39; is not one of the listed factors" in bad.content.decode()
