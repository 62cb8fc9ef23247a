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


def _caution(cell: dict[str, Any], min_n: int) -> str:
    """The small-numbers rule in a spreadsheet cell: a word, not a symbol."""
    return f"fewer than {min_n} answers" if 0 < cell["n"] < min_n else ""


def flat_rows(report: Report) -> Iterator[list[Any]]:
    """The per-question tables as one long table: one line per row and table."""
    data = report_to_dict(report)
    min_n = data["min_n"]
    yield ["table", "comparison", "kind", "id", "label", "group_a", "pct_a", "n_a", "caution_a", "group_b", "pct_b", "n_b",
           "caution_b", "chi2", "p", "stars", "small_expected"]
    for row in data["scores"]:
        c = row["cells"][0]
        yield ["overall", "", row["kind"], row["id"], row["label"], "All cases", c["pct"], c["n"], _caution(c, min_n),
               "", "", "", "", "", "", "", ""]
    for t in data["tables"]:
        ga, gb = (g["label"] for g in t["groups"])
        for row in [*t["score_rows"], *t["rows"]]:
            a, b = row["cells"]
            test = row["test"] or {}
            yield [t["id"], t["comparison"], row["kind"], row["id"], row["label"], ga, a["pct"], a["n"], _caution(a, min_n),
                   gb, b["pct"], b["n"], _caution(b, min_n), test.get("chi2"), test.get("p"),
                   test.get("stars", ""), test.get("small_expected", "")]
    for r in data["ratings"]:  # kind "rating": the band's words in label, the scope in group_a
        yield ["ratings", "", "rating", r["unit"], r["rating"], r["scope"], r["pct"], r["n"],
               "too few cases" if r["too_few"] else ("interval crosses a band boundary" if r["crosses_boundary"] else ""),
               "", "", "", "", "", "", "", ""]


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in flat_rows(report):
        w.writerow([safe_cell(v) for v in r])
    return buf.getvalue()


def to_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False)


_BAD_SHEET = re.compile(r"[\[\]:*?/\\]+")


def sheet_name(title: str, taken: set[str]) -> str:
    """A readable, unique worksheet name of at most 31 characters (Excel's limit), without []:*?/\\."""
    base = _BAD_SHEET.sub(" ", title).strip(" '")[:31].strip() or "Sheet"
    name, i = base, 2
    while name.lower() in taken:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        i += 1
    taken.add(name.lower())
    return name


def _table_sheet_title(t: dict[str, Any]) -> str:
    ga, gb = (g["label"] for g in t["groups"])
    prefix = t["title"].split(":")[0] if t["title"].startswith("Table ") else ""
    return f"{prefix} {ga} v {gb}".strip()


def _layout(sheet: Any, header_row: int, widths: list[int], *, filters: bool = True) -> None:
    """Frozen header rows, a filter on the header, and column widths."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    if filters and sheet.max_row > header_row:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(widths))}{sheet.max_row}"


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    data = report_to_dict(report)
    min_n = data["min_n"]
    taken: set[str] = set()
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = sheet_name("About this report", taken)
    about.append([safe_cell(data["title"])])
    about["A1"].font = Font(bold=True, size=14)
    front = data.get("front") or {}
    if front:
        for label, value in (
            ("Programme", front["programme"]),
            ("Inspections and areas", "; ".join(f"{i['name']} – {i['area']} (fieldwork {i['fieldwork']})" for i in front["inspections"])),
            ("Fieldwork period", front["fieldwork_period"]),
            ("Cases", front["cases"]),
            ("Assessments included", front["statuses"]),
            ("Instrument", front["instrument"]),
            ("Date produced", front["produced"]),
        ):
            about.append([label, safe_cell(value)])
    about.append([])
    about.append(["Method note"])
    about.cell(row=about.max_row, column=1).font = Font(bold=True)
    for heading, text in data["method"]:
        about.append([heading, safe_cell(text)])
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 110
    for row in about.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        if len(row) > 1:
            row[1].alignment = Alignment(wrap_text=True, vertical="top")

    kf = wb.create_sheet(sheet_name("Key findings", taken))
    kf.append(["Key finding"])
    for line in data["key_findings"]:
        kf.append([safe_cell(line)])
    _layout(kf, 1, [140], filters=False)
    for row in kf.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    ws = wb.create_sheet(sheet_name("Scores", taken))
    ws.append(["Score", "Kind", "% done sufficiently well", "N", "Caution", "Lowest area %", "Highest area %"])
    ranges = {r["id"]: r for r in data["chart1"]}
    for row in data["scores"]:
        c = row["cells"][0]
        rg = ranges.get(row["id"], {})
        kind = "Headline score" if row["kind"] == "headline" else "General criteria score"
        ws.append([safe_cell(row["label"]), kind, c["pct"], c["n"], _caution(c, min_n), rg.get("min_pct"), rg.get("max_pct")])
    _layout(ws, 1, [46, 22, 14, 10, 20, 14, 14])

    for t in data["tables"]:
        sheet = wb.create_sheet(sheet_name(_table_sheet_title(t), taken))
        sheet.append([safe_cell(t["title"])])
        sheet["A1"].font = Font(bold=True)
        ga, gb = (g["label"] for g in t["groups"])
        sheet.append(["Question", "Aspect", f"{ga} %", f"{ga} N", f"{ga} caution", f"{gb} %", f"{gb} N", f"{gb} caution",
                      "p", "Significance"])
        for row in [*t["score_rows"], *t["rows"]]:
            a, b = row["cells"]
            test = row["test"] or {}
            label = row["label"] if row["kind"] == "question" else f"{row['label']} ({'headline' if row['kind'] == 'headline' else 'general criteria'} score)"
            sheet.append([row["id"] if row["kind"] == "question" else "", safe_cell(label), a["pct"], a["n"], _caution(a, min_n),
                          b["pct"], b["n"], _caution(b, min_n), test.get("p"), safe_cell(test.get("stars", ""))])
            sheet.cell(row=sheet.max_row, column=9).number_format = "0.000"
        _layout(sheet, 2, [12, 60, 10, 8, 18, 10, 8, 18, 9, 12])

    if data["ratings"]:
        rs = wb.create_sheet(sheet_name("Ratings", taken))
        rs.append(["Scope", "Rated", "Rating", "% done sufficiently well", "N", "95% interval low %", "95% interval high %",
                   "Interval crosses a band boundary", "Too few cases", "Limited by", "Notes"])
        for r in data["ratings"]:
            rs.append([safe_cell(r["scope"]), safe_cell(r["unit"]), safe_cell(r["rating"]), r["pct"], r["n"], r["ci_low"],
                       r["ci_high"], "yes" if r["crosses_boundary"] else "", "yes" if r["too_few"] else "",
                       safe_cell(r["limited_by"]), safe_cell(" ".join(r["notes"]))])
        _layout(rs, 1, [30, 30, 22, 14, 8, 12, 12, 16, 10, 20, 80])

    annex = wb.create_sheet(sheet_name("Annex 1 sample", taken))
    annex.append(["Characteristic", "Value", "Cases", "%"])
    for tbl in data["annex"]:
        for v in tbl["values"]:
            annex.append([safe_cell(tbl["label"]), safe_cell(v["label"]), v["n"], v["pct"]])
    _layout(annex, 1, [30, 40, 10, 8])
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
