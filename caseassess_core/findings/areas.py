"""Scores across areas: Chart 1 (overall with the range between areas) and Chart 2.

Counts here are grouped by area (``CountRow.group`` is the area name). The overall
score pools every row, including answers whose case has no area (``group=None``);
the range and the per-area bars only use named areas. An area with no scored
answers for a score (N = 0) is left out of that score's range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from caseassess_core.findings.counts import CountIndex, CountRow
from caseassess_core.findings.tables import Cell, RowKind, _as_index
from caseassess_core.instrument.schema import Instrument


@dataclass(frozen=True, slots=True)
class ScoreRange:
    """Chart 1 bar: one score overall, with the lowest and highest area.

    ``min_pct``/``max_pct`` are the printed whole % of the areas with the lowest and
    highest exact proportion (``None`` when no area has cases).
    """

    kind: RowKind
    id: str
    title: str
    overall: Cell
    min_pct: int | None
    max_pct: int | None
    min_area: str | None
    max_area: str | None
    n_areas: int


@dataclass(frozen=True, slots=True)
class AreaScores:
    """Chart 2 group: one area's cells, aligned with ``AreaChart.scores``."""

    area: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class AreaChart:
    """Chart 2: headline scores per area, in fieldwork order. ``scores`` = ((id, title), ...)."""

    scores: tuple[tuple[str, str], ...]
    areas: tuple[AreaScores, ...]


def _areas(index: CountIndex) -> list[str]:
    return sorted(g for g in index.groups() if g is not None)


def area_ranges(instrument: Instrument, counts: CountIndex | Iterable[CountRow]) -> tuple[ScoreRange, ...]:
    """Chart 1: every headline then general criteria score, overall and min/max across areas."""
    index = _as_index(counts)
    areas = _areas(index)
    out = []
    for kind, score in instrument.all_scores():
        members = instrument.score_members(score)
        overall = index.proportion(members)
        per_area = [(a, index.proportion(members, (a,))) for a in areas]
        # exact comparison by cross-multiplication (no float ties); area name breaks ties
        present = [(a, p) for a, p in per_area if p.n > 0]
        lowest = highest = None
        for area, p in present:
            if lowest is None or p.successes * lowest[1].n < lowest[1].successes * p.n:
                lowest = (area, p)
            if highest is None or p.successes * highest[1].n > highest[1].successes * p.n:
                highest = (area, p)
        out.append(
            ScoreRange(
                kind=kind,
                id=score.id,
                title=score.title,
                overall=Cell.of(overall),
                min_pct=None if lowest is None else lowest[1].pct,
                max_pct=None if highest is None else highest[1].pct,
                min_area=None if lowest is None else lowest[0],
                max_area=None if highest is None else highest[0],
                n_areas=len(present),
            )
        )
    return tuple(out)


def area_scores(
    instrument: Instrument,
    counts: CountIndex | Iterable[CountRow],
    area_order: Sequence[str] = (),
    *,
    kinds: Sequence[RowKind] = ("headline",),
) -> AreaChart:
    """Chart 2: the headline scores (or ``kinds``) of each area.

    Areas come in ``area_order`` (fieldwork order); areas present in the counts but
    missing from the order follow, alphabetically, so no data is dropped silently.
    Areas in the order with no counts appear with empty cells (N = 0).
    """
    index = _as_index(counts)
    scores = [(k, s) for k, s in instrument.all_scores() if k in kinds]
    order = list(dict.fromkeys(area_order))
    order += [a for a in _areas(index) if a not in order]
    members = [instrument.score_members(s) for _, s in scores]
    return AreaChart(
        scores=tuple((s.id, s.title) for _, s in scores),
        areas=tuple(AreaScores(area, tuple(Cell.of(index.proportion(m, (area,))) for m in members)) for area in order),
    )
