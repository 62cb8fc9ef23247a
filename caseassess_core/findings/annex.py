"""Annex 1: characteristics of the sample, from case-level counts ``(field, value, n_cases)``.

Percentages are of the cases counted for that field (including "not recorded").
``pct`` keeps one decimal; ``pct_label`` prints it as the seed's pie charts do:
whole % from 1% upwards (half up), one decimal below 1% ("0.1%", "<0.1%" when a
share with cases would round to nothing), "0%" for none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from caseassess_core.findings.counts import CaseCount
from caseassess_core.instrument.schema import Instrument
from caseassess_core.statistics.proportions import pct_half_up

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True, slots=True)
class SampleValue:
    value: str | None
    label: str
    n: int
    pct: float
    pct_label: str


@dataclass(frozen=True, slots=True)
class SampleTable:
    field: str
    label: str
    total: int
    values: tuple[SampleValue, ...]


def pct_label(n: int, total: int) -> str:
    """Whole % (half up) from 1% upwards; one decimal (half up) between 0 and 1%."""
    if total == 0:
        return ""
    if n == 0:
        return "0%"
    if 100 * n < total:  # below 1%
        tenths = (2000 * n + total) // (2 * total)
        if tenths == 0:
            return "<0.1%"
        return "1%" if tenths == 10 else f"0.{tenths}%"
    return f"{pct_half_up(n, total)}%"


def sample_characteristics(
    case_counts: Iterable[CaseCount | tuple[str, str | None, int]],
    instrument: Instrument | None = None,
    *,
    fields: Sequence[str] | None = None,
) -> tuple[SampleTable, ...]:
    """One table per field: each value's number and % of cases.

    Fields come in ``fields`` order (others dropped) or first-seen order. With an
    ``instrument``, field and value labels come from its case-detail definitions and
    values follow the option order; otherwise values are ordered by descending n.
    "Not recorded" (value None) is always last. Repeated (field, value) rows are summed.
    """
    by_field: dict[str, dict[str | None, int]] = {}
    for field, value, n in case_counts:
        if n < 0:
            raise ValueError(f"case count ({field!r}, {value!r}, {n}): negative count")
        values = by_field.setdefault(field, {})
        values[value] = values.get(value, 0) + n
    order = list(fields) if fields is not None else list(by_field)
    tables = []
    for field in order:
        values = by_field.get(field, {})
        total = sum(values.values())
        field_label, option_labels, option_order = field, {}, []
        if instrument is not None:
            try:
                definition = instrument.case_field(field)
            except KeyError:
                definition = None
            if definition is not None:
                field_label = definition.label
                options = instrument.options_for(definition)
                option_labels = {o.value: o.label for o in options}
                option_order = [o.value for o in options]

        def sort_key(item: tuple[str | None, int], option_order: list[str] = option_order) -> tuple[int, int, str]:
            value, n = item
            if value is None:
                return (2, 0, "")
            if value in option_order:
                return (0, option_order.index(value), "")
            return (1, -n, value)

        rows = tuple(
            SampleValue(
                value=value,
                label=NOT_RECORDED if value is None else option_labels.get(value, value),
                n=n,
                pct=round(100 * n / total, 1) if total else 0.0,
                pct_label=pct_label(n, total),
            )
            for value, n in sorted(values.items(), key=sort_key)
        )
        tables.append(SampleTable(field, field_label, total, rows))
    return tuple(tables)
