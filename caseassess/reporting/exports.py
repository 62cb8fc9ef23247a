"""Every export reads the same Report (report_to_dict), so page, PDF, spreadsheet, CSV
and JSON print the same numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from caseassess_core.findings.report import Report, report_to_dict

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Spreadsheet cells that would start a formula are exported as text."""
    if value == "--":  # the "not significant" mark is not a formula
        return value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def flat_rows(report: Report) -> Iterator[list[Any]]:
    """The per-question tables as one long table: one line per row and table."""
    data = report_to_dict(report)
    yield ["table", "comparison", "kind", "id", "label", "group_a", "pct_a", "n_a", "group_b", "pct_b", "n_b", "chi2", "p", "stars", "small_expected"]
    for row in data["scores"]:
        c = row["cells"][0]
        yield ["overall", "", row["kind"], row["id"], row["label"], "All cases", c["pct"], c["n"], "", "", "", "", "", "", ""]
    for t in data["tables"]:
        ga, gb = (g["label"] for g in t["groups"])
        for row in [*t["score_rows"], *t["rows"]]:
            a, b = row["cells"]
            test = row["test"] or {}
            yield [t["id"], t["comparison"], row["kind"], row["id"], row["label"], ga, a["pct"], a["n"], gb, b["pct"], b["n"],
                   test.get("chi2"), test.get("p"), test.get("stars", ""), test.get("small_expected", "")]


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in flat_rows(report):
        w.writerow([safe_cell(v) for v in r])
    return buf.getvalue()


def to_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = report_to_dict(report)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Scores"
    ws.append(["Score", "Kind", "% done sufficiently well", "N", "Lowest area %", "Highest area %"])
    ranges = {r["id"]: r for r in data["chart1"]}
    for row in data["scores"]:
        c = row["cells"][0]
        rg = ranges.get(row["id"], {})
        ws.append([safe_cell(row["label"]), row["kind"], c["pct"], c["n"], rg.get("min_pct"), rg.get("max_pct")])
    for t in data["tables"]:
        sheet = wb.create_sheet(t["id"][:31])
        sheet.append([safe_cell(t["title"])])
        sheet["A1"].font = Font(bold=True)
        ga, gb = (g["label"] for g in t["groups"])
        sheet.append(["Question", "Aspect", f"{ga} %", f"{ga} N", f"{gb} %", f"{gb} N", "p", "Significance"])
        for row in [*t["score_rows"], *t["rows"]]:
            a, b = row["cells"]
            test = row["test"] or {}
            sheet.append([row["id"], safe_cell(row["label"]), a["pct"], a["n"], b["pct"], b["n"], test.get("p"), safe_cell(test.get("stars", ""))])
    annex = wb.create_sheet("Sample")
    annex.append(["Characteristic", "Value", "Cases", "%"])
    for tbl in data["annex"]:
        for v in tbl["values"]:
            annex.append([safe_cell(tbl["label"]), safe_cell(v["label"]), v["n"], v["pct"]])
    kf = wb.create_sheet("Key findings")
    for line in data["key_findings"]:
        kf.append([safe_cell(line)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_CAPTION = re.compile(r"(<table[^>]*>)\s*<caption[^>]*>(.*?)</caption>", re.S)


def to_pdf(html: str, base_url: str) -> bytes:
    """A tagged PDF (PDF/UA-1). WeasyPrint cannot tag a table that has a <caption>
    ("Table wrapper without a table"), so captions become a bold line above the table."""
    from weasyprint import HTML

    html = _CAPTION.sub(r'<p class="app-caption"><strong>\2</strong></p>\1', html)
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")  # type: ignore[no-any-return]
