"""Trends across rounds: a programme against an earlier programme, overall and per area,
read from the findings count table of both (the same numbers as each programme's report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from caseassess.inspections.models import Inspection, Programme
from caseassess.instruments.models import CrosswalkVersion, InstrumentVersion
from caseassess.reporting.counts import counts_ensure
from caseassess.reporting.selectors import answer_counts, scope_instrument
from caseassess_core.findings.counts import CountIndex, CountRow
from caseassess_core.findings.trends import Crosswalk, TrendTable, crosswalk_filename, trend_table

MIN_N = 10


class TrendError(ValueError):
    pass


@dataclass(frozen=True)
class TrendsView:
    earlier: Programme
    later: Programme
    earlier_instrument: str
    later_instrument: str
    overall: TrendTable
    areas: tuple[TrendTable, ...]


def _latest_version(inspections: Sequence[Inspection]) -> InstrumentVersion:
    latest = max(inspections, key=lambda i: (i.instrument.effective_from or i.fieldwork_start, i.instrument_id))
    return latest.instrument


def _by_area(inspections: list[Inspection]) -> dict[str, CountIndex]:
    rows: dict[str, list[CountRow]] = {}
    for r in answer_counts(inspections=inspections, by="area", ensured=True):
        rows.setdefault(str(r.group), []).append(CountRow(r.question_id, None, r.scoring, r.n))
    return {area: CountIndex(v) for area, v in rows.items()}


def trends_view(*, earlier: Programme, earlier_inspections: Sequence[Inspection], later: Programme,
                later_inspections: Sequence[Inspection]) -> TrendsView:
    before, after = list(earlier_inspections), list(later_inspections)
    if not before or not after:
        raise TrendError("Both programmes need at least one inspection you can see")
    old_ins, new_ins = scope_instrument(before), scope_instrument(after)
    if old_ins.id == new_ins.id:
        crosswalk = Crosswalk.identity(new_ins)
    else:
        row = CrosswalkVersion.objects.filter(later=_latest_version(after), earlier_instrument_id=old_ins.id).first()
        if row is None:
            raise TrendError(
                f"There is no crosswalk from {old_ins.id} to {new_ins.id}. Add {crosswalk_filename(old_ins.id)} beside "
                f"{new_ins.id}'s instrument.yaml (draft it with manage.py draft_crosswalk) and load the instrument again."
            )
        crosswalk = Crosswalk.from_dict(row.definition)
    counts_ensure(inspection_ids=[i.pk for i in before + after])
    overall = trend_table(
        earlier=old_ins, later=new_ins, crosswalk=crosswalk,
        earlier_counts=CountIndex(answer_counts(inspections=before, by=None, ensured=True)),
        later_counts=CountIndex(answer_counts(inspections=after, by=None, ensured=True)),
        title=f"{later.name} compared with {earlier.name}", earlier_label=earlier.name, later_label=later.name,
        min_n=MIN_N,
    )
    old_areas, new_areas = _by_area(before), _by_area(after)
    areas = tuple(
        trend_table(earlier=old_ins, later=new_ins, crosswalk=crosswalk, earlier_counts=old_areas[a],
                    later_counts=new_areas[a], title=a, earlier_label=earlier.name, later_label=later.name, min_n=MIN_N)
        for a in sorted(set(old_areas) & set(new_areas))
    )
    return TrendsView(earlier, later, old_ins.id, new_ins.id, overall, areas)


def trends_rows(view: TrendsView) -> list[dict[str, object]]:
    """Flat rows for CSV / XLSX / JSON: the whole programme, then each area in both rounds."""
    from caseassess_core.findings.trends import trend_rows_to_dicts

    out: list[dict[str, object]] = []
    for scope, table in [("All areas", view.overall), *((t.title, t) for t in view.areas)]:
        for row in trend_rows_to_dicts(table):
            out.append({"area": scope, **row})
    return out
