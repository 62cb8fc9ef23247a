"""The whole findings report as plain data, and its JSON-ready form.

Every export (HTML, PDF, XLSX, CSV, JSON) reads ``Report`` or ``report_to_dict``,
so all of them print the same numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from caseassess_core.findings.annex import SampleTable, sample_characteristics
from caseassess_core.findings.areas import AreaChart, ScoreRange, area_ranges, area_scores
from caseassess_core.findings.counts import CaseCount, CountIndex, CountRow
from caseassess_core.findings.keyfindings import table_points
from caseassess_core.findings.publication import (
    DEFAULT_MIN_N,
    FrontMatter,
    key_aspect_rows,
    key_findings_by_rules,
    method_note,
)
from caseassess_core.findings.tables import FindingsTable, Row, overall_scores
from caseassess_core.instrument.schema import Instrument

if TYPE_CHECKING:  # caseassess_core.ratings imports findings.counts: import it lazily below
    from caseassess_core.ratings.evaluate import RatingLine
    from caseassess_core.ratings.schema import RatingScheme


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a findings report shows.

    ``points[i]`` are the main-points sentences printed above ``tables[i]``.
    ``total_cases`` is the number of cases in Annex 1 (``None`` without case counts).
    """

    title: str
    instrument_id: str
    instrument_version: str
    total_cases: int | None
    scores: tuple[Row, ...]
    chart1: tuple[ScoreRange, ...]
    chart2: AreaChart
    tables: tuple[FindingsTable, ...]
    points: tuple[tuple[str, ...], ...]
    annex: tuple[SampleTable, ...]
    key_findings: tuple[str, ...]
    min_n: int = DEFAULT_MIN_N
    key_aspects: int = 0
    method: tuple[tuple[str, str], ...] = ()
    front: FrontMatter | None = None
    ratings: tuple[RatingLine, ...] = ()
    rating_scheme: str = ""  # "<title> (version <v>)" when the instrument has a rating scheme

    @property
    def n_areas(self) -> int:
        """Areas with answers (a chart of areas is drawn only for two or more)."""
        return len(self.chart2.areas)


def build_report(
    instrument: Instrument,
    *,
    area_counts: Iterable[CountRow],
    area_order: Sequence[str] = (),
    tables: Sequence[FindingsTable] = (),
    case_counts: Iterable[CaseCount] = (),
    annex_fields: Sequence[str] | None = None,
    title: str = "",
    area_word: str = "areas",
    phrases: Mapping[str, str] | None = None,
    min_n: int = DEFAULT_MIN_N,
    kappa_min_cases: int = DEFAULT_MIN_N,
    front: FrontMatter | None = None,
    rating_scheme: RatingScheme | None = None,
) -> Report:
    """Assemble a report.

    ``area_counts``: answers grouped by area (one query) - overall scores, Chart 1
    and Chart 2 come from them. ``tables``: built with ``question_table`` from
    the counts of their own dimension. ``case_counts``: Annex 1. ``phrases``: score id
    -> wording of the headline key findings (default "work on <title>"). ``min_n``: the
    small-numbers rule (caution mark, never in a key finding). ``front``: the front matter.
    """
    index = CountIndex(area_counts)
    ranges = area_ranges(instrument, index)
    annex = sample_characteristics(case_counts, instrument, fields=annex_fields)
    chart2 = area_scores(instrument, index, area_order)
    total_cases = annex[0].total if annex else None
    lines: list[RatingLine] = []
    if rating_scheme is not None:
        from caseassess_core.ratings.evaluate import rate, rating_lines

        lines += rating_lines("All areas", rate(rating_scheme, instrument, index))
        areas = [a for a in index.groups() if a is not None]
        if len(areas) > 1:
            order = list(area_order)
            for area in sorted(areas, key=lambda a: (order.index(a) if a in order else len(order), a)):
                lines += rating_lines(area, rate(rating_scheme, instrument, index, [area]))
    return Report(
        title=title,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        total_cases=total_cases,
        scores=overall_scores(instrument, index),
        chart1=ranges,
        chart2=chart2,
        tables=tuple(tables),
        points=tuple(tuple(table_points(t, min_n=min_n)) for t in tables),
        annex=annex,
        key_findings=tuple(
            key_findings_by_rules(
                ranges, chart2, tables, min_n=min_n, cases=total_cases, area_word=area_word, phrases=phrases
            )
        ),
        min_n=min_n,
        key_aspects=len(key_aspect_rows(tables, min_n)),
        method=method_note(min_n=min_n, kappa_min_cases=kappa_min_cases),
        front=front,
        ratings=tuple(lines),
        rating_scheme=f"{rating_scheme.title} (version {rating_scheme.version})" if rating_scheme else "",
    )


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready dicts and lists (``json.dumps`` works directly).

    Keys::

        title, instrument_id, instrument_version, total_cases (int|null)
        scores:   [Row]                       overall headline + general scores, one cell each
        chart1:   [{kind, id, title, overall: Cell, min_pct, max_pct, min_area, max_area, n_areas}]
        chart2:   {scores: [[id, title]], areas: [{area, cells: [Cell]}]}   (cells align with scores)
        tables:   [{id, title, comparison ('a_vs_b'|'versus_all'),
                    groups: [{label, values ([str]|null = all cases), noun}],
                    rows: [Row], score_rows: [Row]}]
        points:   [[str]]                     main points per table, aligned with tables
        annex:    [{field, label, total, values: [{value, label, n, pct (1 dp), pct_label}]}]
        key_findings: [str]                    at most 8, by the rules of findings.publication
        min_n: int                            the small-numbers rule (caution mark below it)
        key_aspects: int                      the report's one denominator of key aspects
        method: [[heading, paragraph]]        the method note
        front: {programme, inspections: [{name, area, fieldwork}], fieldwork_period, cases,
                statuses, instrument, produced} | null
        ratings:  [{scope ('All areas'|area), unit, rating, sufficient, n, pct, ci_low, ci_high,
                    crosses_boundary, too_few, limited_by, notes: [str]}]   (empty without a scheme)
        rating_scheme: str                    the scheme's title and version ('' without one)

        Row  = {kind ('question'|'headline'|'general'), id, label, cells: [Cell], test: Test|null}
        Cell = {sufficient, n, pct (whole %, null if n=0), ci_low, ci_high (Wilson 95%, %, 1 dp),
                caution (0 < n < min_n: shown with the caution mark)}
        Test = {chi2, p, stars ('***'|'**'|'*'|'--'), small_expected, diff_points}

    ``test`` is null when a compared group has no cases (the significance cell is
    blank). In ``versus_all`` tables the test compares the subgroup with the cases
    outside it, although the second column shows all cases.
    """
    result = _mark_small(_plain(report), report.min_n)
    assert isinstance(result, dict)
    return result


def _mark_small(value: Any, min_n: int) -> Any:
    """Every cell ({sufficient, n, pct, ...}) gains ``caution``: 0 < n < min_n (the small-numbers rule)."""
    if isinstance(value, dict):
        out = {k: _mark_small(v, min_n) for k, v in value.items()}
        if {"sufficient", "n", "pct"} <= set(value):
            out["caution"] = isinstance(value["n"], int) and 0 < value["n"] < min_n
        return out
    if isinstance(value, list):
        return [_mark_small(v, min_n) for v in value]
    return value
