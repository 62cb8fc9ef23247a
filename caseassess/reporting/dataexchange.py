"""Data exchange: export answers (long or wide; CSV or SPSS .sav); the import of a long
CSV is ``importing`` (re-exported here). Findings exports live in ``exports`` (they read
the same Report). Exports stream ``values_list`` queries.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from caseassess.assessments.models import Answer, Assessment
from caseassess.inspections.models import Inspection
from caseassess.reporting.exports import safe_cell
from caseassess.reporting.selectors import COUNTED
from caseassess_core.instrument.schema import AnswerType, CaseDetailField, Instrument, Question

BATCH = 5_000
PROGRESS_EVERY = 10_000

Progress = Callable[[str], None]


# ---------------------------------------------------------------------------- answer export

CASE_COLUMNS = ("inspection", "area", "case_ref")
LONG_COLUMNS = (*CASE_COLUMNS, "question_id", "value", "scoring")


def cell(value: Any) -> str:
    """A stored JSON value as text: multiple choice joined with ';', factor outcomes as 'factor=outcome;...'."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _answers(inspections: Sequence[Inspection]) -> Any:
    return Answer.objects.filter(
        assessment__case__inspection__in=inspections, assessment__counts=True, assessment__status__in=COUNTED
    )


def long_rows(*, inspections: Sequence[Inspection]) -> Iterator[tuple[Any, ...]]:
    """One row per answer of a counted assessment: inspection, area, case_ref, question_id, value, scoring."""
    order = {i.pk: k for k, i in enumerate(sorted(inspections, key=lambda i: (i.fieldwork_start, i.name)))}
    for insp in sorted(inspections, key=lambda i: order[i.pk]):
        qs = _answers([insp]).order_by("assessment__case__case_ref", "assessment_id", "question_id").values_list(
            "assessment__case__case_ref", "question_id", "value", "scoring"
        )
        for ref, qid, value, scoring in qs.iterator(chunk_size=BATCH):
            yield (insp.name, insp.area.name, ref, qid, cell(value), scoring)


def wide_columns(ins: Instrument) -> tuple[list[str], list[str]]:
    """(case-detail ids, question ids) in instrument order."""
    return [f.id for f in ins.case_details], [q.id for q in ins.questions()]


def wide_rows(*, inspections: Sequence[Inspection], ins: Instrument) -> Iterator[tuple[Any, ...]]:
    """One row per counted case: inspection, area, case_ref, case details, then one value per question.
    Cases and answers are two streamed queries in the same order, merged."""
    detail_ids, question_ids = wide_columns(ins)
    qpos = {qid: k for k, qid in enumerate(question_ids)}
    for insp in sorted(inspections, key=lambda i: (i.fieldwork_start, i.name)):
        assessments = Assessment.objects.filter(case__inspection=insp, counts=True, status__in=COUNTED)
        case_q = assessments.order_by("case__case_ref", "id").values_list("id", "case__case_ref", "case__details")
        ans_q = _answers([insp]).order_by("assessment__case__case_ref", "assessment_id").values_list("assessment_id", "question_id", "value")
        ans_it = ans_q.iterator(chunk_size=BATCH)
        pending = next(ans_it, None)
        for aid, ref, details in case_q.iterator(chunk_size=BATCH):
            values = [""] * len(question_ids)
            while pending is not None and pending[0] == aid:
                k = qpos.get(pending[1])
                if k is not None:
                    values[k] = cell(pending[2])
                pending = next(ans_it, None)
            yield (insp.name, insp.area.name, ref, *(cell((details or {}).get(f)) for f in detail_ids), *values)


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]], progress: Progress | None = None) -> int:
    """CSV with formula-looking cells (= + - @) exported as text."""
    w = csv.writer(out)
    w.writerow([safe_cell(h) for h in header])
    n = 0
    for n, row in enumerate(rows, start=1):
        w.writerow([safe_cell(v) for v in row])
        if progress and n % PROGRESS_EVERY == 0:
            progress(f"written {n:,} rows")
    return n


# ---------------------------------------------------------------------------- SPSS

SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}


def spss_name(name: str, taken: set[str]) -> str:
    """An SPSS-safe variable name: letters, digits and _ only, starting with a letter,
    at most 64 characters, not a reserved word, unique (case-insensitive) in ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "v"
    if not base[0].isalpha():
        base = "v_" + base
    if base.upper() in SPSS_RESERVED:
        base += "_"
    base = base[:64]
    out, k = base, 2
    while out.lower() in taken:
        suffix = f"_{k}"
        out, k = base[: 64 - len(suffix)] + suffix, k + 1
    taken.add(out.lower())
    return out


def write_sav(path: Path | str, *, shape: str, inspections: Sequence[Inspection], ins: Instrument) -> int:
    """Write answers to an SPSS .sav file: variable labels from question text, value labels
    from option labels (wide shape); values as stored (multiple choice joined with ';'),
    number questions and case details as SPSS numbers."""
    import pandas as pd
    import pyreadstat

    taken: set[str] = set()
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[str, str]] = {}
    numeric: list[int] = []
    if shape == "long":
        names = [spss_name(c, taken) for c in LONG_COLUMNS]
        rows = list(long_rows(inspections=inspections))
        labels = dict(zip(names, ["Inspection", "Area (Probation Trust)", "Case reference", "Question id (tool number)",
                                  "Answer value (multiple choice joined with ;)", "Scoring class"], strict=True))
    else:
        detail_ids, question_ids = wide_columns(ins)
        source = [*CASE_COLUMNS, *detail_ids, *question_ids]
        names = [spss_name(c, taken) for c in source]
        rows = list(wide_rows(inspections=inspections, ins=ins))
        items: dict[str, Question | CaseDetailField] = {f.id: f for f in ins.case_details}
        items.update({q.id: q for q in ins.questions()})
        labels = {"inspection": "Inspection", "area": "Area (Probation Trust)", "case_ref": "Case reference"}
        for src, name in zip(source, names, strict=True):
            item = items.get(src)
            if item is None:
                continue
            text = item.text if isinstance(item, Question) else item.label
            labels[name] = f"{src} {text}"[:256] if isinstance(item, Question) else text[:256]
            opts = ins.options_for(item)
            if opts and item.type == AnswerType.SINGLE_CHOICE:
                value_labels[name] = {o.value: o.label[:120] for o in opts}
        numeric = [k for k, src in enumerate(source) if src in items and items[src].type == AnswerType.NUMBER]
        if numeric:
            rows = [tuple(float(v) if k in numeric and v != "" else (None if k in numeric else v) for k, v in enumerate(r)) for r in rows]
    df = pd.DataFrame.from_records(rows, columns=names)
    for k in numeric:
        df[names[k]] = df[names[k]].astype("float64")
    pyreadstat.write_sav(df, str(path), column_labels=labels, variable_value_labels=value_labels,
                         file_label=f"caseassess answers ({shape}), {ins.id}"[:64])
    return len(rows)


from caseassess.reporting.importing import (  # noqa: E402 - the import's public names, where callers found them
    DataExchangeError,
    ImportResult,
    assessments_import_csv,
    assessments_import_file,
    assessments_import_stream,
    import_stream_result,
    import_target,
)

__all__ = [
    "DataExchangeError", "ImportResult", "assessments_import_csv", "assessments_import_file", "assessments_import_stream",
    "import_stream_result", "import_target", "long_rows", "wide_rows", "write_csv", "write_sav", "spss_name", "cell",
]
