"""Ratings read from the findings count table: for the programme (or inspection), per area and
per inspection, by the rating scheme loaded beside the instrument. Pages and exports read
``ratings_view``; the numbers are the report's own (the same count rows)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from caseassess.inspections.models import Inspection
from caseassess.instruments.models import RatingSchemeVersion
from caseassess.instruments.selectors import rating_scheme_for
from caseassess.reporting.counts import counts_ensure
from caseassess.reporting.selectors import answer_counts, scope_instrument
from caseassess_core.findings.counts import CountIndex, CountRow
from caseassess_core.ratings import ProgrammeRatings, RatingScheme, rate
from caseassess_core.ratings.evaluate import explain


@dataclass(frozen=True)
class RatedScope:
    """One rated population: ``kind`` is "programme", "area" or "inspection"."""

    kind: str
    name: str
    ratings: ProgrammeRatings

    def notes(self) -> list[tuple[str, ...]]:
        return [explain(u) for u in self.ratings.units]


@dataclass(frozen=True)
class RatingsView:
    scheme_row: RatingSchemeVersion
    scheme: RatingScheme
    scopes: tuple[RatedScope, ...]


def ratings_view(*, inspections: Sequence[Inspection], title: str) -> RatingsView | None:
    """Ratings for ``inspections`` together, then per area and per inspection (when more than one).
    ``None`` when the instrument has no rating scheme."""
    inspections = list(inspections)
    ins = scope_instrument(inspections)
    latest = max(inspections, key=lambda i: (i.instrument.effective_from or i.fieldwork_start, i.instrument_id))
    found = rating_scheme_for(version=latest.instrument)
    if found is None:
        return None
    row, scheme = found
    counts_ensure(inspection_ids=[i.pk for i in inspections])
    scopes = [RatedScope("programme", title, rate(scheme, ins, CountIndex(answer_counts(inspections=inspections, by=None, ensured=True))))]
    if len(inspections) > 1:
        by_area: dict[str | None, list[CountRow]] = {}
        for r in answer_counts(inspections=inspections, by="area", ensured=True):
            by_area.setdefault(r.group, []).append(CountRow(r.question_id, None, r.scoring, r.n))
        areas = sorted({i.area.name for i in inspections})
        if 1 < len(areas) < len(inspections):  # per area only when an area had several inspections
            scopes += [RatedScope("area", str(a), rate(scheme, ins, CountIndex(by_area.get(a, [])))) for a in areas]
        for insp in sorted(inspections, key=lambda i: (i.fieldwork_start, i.name)):
            counts = answer_counts(inspections=[insp], by=None, ensured=True)
            scopes.append(RatedScope("inspection", insp.name, rate(scheme, ins, CountIndex(counts))))
    return RatingsView(row, scheme, tuple(scopes))


def ratings_rows(view: RatingsView) -> list[dict[str, object]]:
    """Flat rows for CSV / XLSX / JSON: one per scope and unit, then the overall rating."""
    out: list[dict[str, object]] = []
    for scope in view.scopes:
        for unit, notes in zip(scope.ratings.units, scope.notes(), strict=True):
            r = unit.rating
            out.append({
                "scope": scope.kind,
                "name": scope.name,
                "unit": unit.unit.title,
                "rating": r.band.label if r.band else "",
                "percent_sufficiently_well": r.pct,
                "sufficient": r.successes,
                "n": r.n,
                "ci_low_percent": round(100 * r.interval[0], 1) if r.interval else None,
                "ci_high_percent": round(100 * r.interval[1], 1) if r.interval else None,
                "interval_crosses_band_boundary": r.crosses_boundary,
                "too_few_cases": r.too_few,
                "limited_by": unit.limited_by or "",
                "next_band": r.next_band.label if r.next_band else "",
                "sufficient_cases_to_next_band": r.cases_to_next,
                "notes": " ".join(notes),
            })
        out.append({
            "scope": scope.kind,
            "name": scope.name,
            "unit": "Overall",
            "rating": scope.ratings.overall.label if scope.ratings.overall else "",
            "percent_sufficiently_well": None,
            "sufficient": None,
            "n": None,
            "ci_low_percent": None,
            "ci_high_percent": None,
            "interval_crosses_band_boundary": None,
            "too_few_cases": None,
            "limited_by": scope.ratings.limited_by_unit or "",
            "next_band": "",
            "sufficient_cases_to_next_band": None,
            "notes": f"Sum of unit scores: {scope.ratings.total}" if scope.ratings.total is not None else "Not every unit is rated",
        })
    return out


def rows_to_xlsx(sheet_name: str, rows: list[dict[str, object]]) -> bytes:
    """One readable sheet: bold frozen header, a filter, column widths to fit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from caseassess.reporting.exports import safe_cell

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_name[:31]
    headers = [h.replace("_", " ").capitalize() for h in (rows[0] if rows else {})]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row.values()])
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    for col in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def content_disposition(kind: str, scope: str, ext: str) -> str:
    """The same download names as every findings export (``reporting.downloads``):
    ``<kind>-<slug of scope>-<date>.<ext>`` with RFC 6266 ``filename*``."""
    import datetime as dt

    from caseassess.reporting import downloads

    return downloads.content_disposition(downloads.download_name(kind, scope, ext, dt.date.today()))
