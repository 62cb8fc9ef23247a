"""Import answers from a long CSV at the speed of the database.

Two phases:

1. **Read and check** the whole file, streaming: every bad row is reported with its row
   number (all-or-nothing: any error and nothing is written). Cleaning an answer is
   remembered per (question, text), so a million rows cost a few dictionary look-ups each.
2. **Write** in one transaction: scoring and applicability per case in the core
   (``CaseScorer``), then the answers that are new or changed go in with PostgreSQL
   ``COPY`` into a temporary staging table and one set-based ``INSERT … ON CONFLICT DO
   UPDATE``, or on SQLite with ``executemany`` of the same upsert in large batches. The
   findings count table is kept exact by the import's own increments (computed per case
   with numpy), so the next report does not rebuild it. Killing the process at any point
   leaves the database as it was (one transaction). On SQLite, which has one writer at a
   time, an installation may opt in (``CASEASSESS_SQLITE_IMPORT_PART_ROWS``) to the web's
   background import writing a large file in parts of whole cases, one transaction each,
   with a pause between them, so that assessors' saves get the write lock in between
   instead of the "busy, try again" page; a worker stopped part-way then leaves whole
   cases (answers, counts and audit rows together), and importing the same file again
   writes only what is missing.

``progress(phase, done, total, rows=, cases=)`` is told how far it got: the terminal
draws a bar (``import_assessments``), a background job stores it for its page.
"""

from __future__ import annotations

import array
import csv
import datetime as dt
import io
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Case, Inspection
from caseassess.inspections.services import CASE_REF
from caseassess.instruments.models import InstrumentVersion
from caseassess.instruments.selectors import instrument_expressions, instrument_get
from caseassess.reporting import counts
from caseassess.reporting.models import FindingsCount
from caseassess_core.csvrows import records_from_binary
from caseassess_core.instrument.schema import AnswerType, CaseDetailField, Instrument, Question
from caseassess_core.scoring.assess import AnswerError, CaseScorer, clean_answer

REQUIRED_COLUMNS = ("case_ref", "question_id", "answer")
CHECK_COLUMNS = ("inspection", "area", "fieldwork_date")  # checked against the inspection
IGNORED_COLUMNS = ("scoring",)  # the long export's scoring class: recomputed on import
BATCH = 5_000
WRITE_BATCH = 50_000  # answers per executemany / COPY flush
PROGRESS_EVERY = 10_000
MAX_ERRORS = 1_000  # the report stops listing after this many (the count stays exact)
#: SQLite has one writer at a time: an import there commits every this many answer rows
#: (whole cases) and pauses, so the assessors' saves get the write lock between its parts
#: instead of waiting out the busy timeout. 0 (the default): one transaction, all or
#: nothing (PostgreSQL always is one). Opt in with CASEASSESS_SQLITE_IMPORT_PART_ROWS.
SQLITE_PART_ROWS = int(getattr(settings, "CASEASSESS_SQLITE_IMPORT_PART_ROWS", 0))
SQLITE_PART_PAUSE = 0.15  # seconds; longer than SQLite's longest busy-handler sleep (100 ms)
#: The largest file an import reads (a national programme's ten years is about 500 MB).
MAX_IMPORT_BYTES = int(getattr(settings, "CASEASSESS_IMPORT_MAX_BYTES", 1024**3))
_BAD_BYTES = re.compile("[\udc80-\udcff\x00]")

Progress = Callable[..., None]


def _quiet(*_a: Any, **_k: Any) -> None:
    return None


class DataExchangeError(ValueError):
    """A problem with the request itself (unknown inspection, wrong instrument)."""


@dataclass
class ImportResult:
    rows: int = 0
    cases_created: int = 0
    cases_updated: int = 0
    answers_created: int = 0
    answers_updated: int = 0
    answers_unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    counts_kept: bool = False  # the findings count table was kept by the import (no rebuild needed)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase (import_assessments -v 2)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, msg: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(msg)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "cases_created": self.cases_created, "cases_updated": self.cases_updated,
                "answers_created": self.answers_created, "answers_updated": self.answers_updated,
                "answers_unchanged": self.answers_unchanged, "errors": self.errors, "error_count": self.error_count}


def import_target(*, instrument: str, inspection: str) -> Inspection:
    """The inspection to import into; it must exist and use that instrument version."""
    version = InstrumentVersion.objects.filter(instrument_id=instrument).first()
    if version is None:
        known = ", ".join(InstrumentVersion.objects.values_list("instrument_id", flat=True)) or "none loaded"
        raise DataExchangeError(f"no instrument version {instrument!r} (loaded: {known}); load it with load_instrument first")
    insp = Inspection.objects.select_related("instrument").filter(name=inspection).first()
    if insp is None:
        raise DataExchangeError(f"no inspection named {inspection!r}; create it first (the import never creates inspections)")
    if insp.instrument_id != version.pk:
        raise DataExchangeError(
            f"inspection {inspection!r} uses instrument {insp.instrument.instrument_id!r}, not {instrument!r}; "
            "answers keep the instrument version of their inspection"
        )
    return insp


# ---------------------------------------------------------------------------- reading


def _choice_lookup(ins: Instrument, item: Question | CaseDetailField) -> dict[str, str]:
    """Lower-cased option value or label -> option value (values win over labels)."""
    out: dict[str, str] = {}
    if isinstance(item, CaseDetailField) and item.table:
        out.update({str(r["id"]).lower(): str(r["id"]) for r in ins.table(item.table).rows})
        out["none"] = "none"
        return out
    opts = ins.options_for(item)
    for o in opts:
        out.setdefault(o.label.strip().lower(), o.value)
    for o in opts:
        out[o.value.lower()] = o.value
    return out


class _Cleaner:
    """clean_answer, after mapping option labels (any case) to option values; the outcome
    (value or error) is remembered per (item, text) for choice and yes/no items."""

    MEMO = 200_000

    def __init__(self, ins: Instrument) -> None:
        self.ins = ins
        self._lookups: dict[str, dict[str, str]] = {}
        self._memo: dict[tuple[str, str], tuple[bool, Any]] = {}

    def _clean(self, item: Question | CaseDetailField, raw: str) -> Any:
        if item.type in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
            lookup = self._lookups.get(item.id)
            if lookup is None:
                lookup = self._lookups[item.id] = _choice_lookup(self.ins, item)
            parts = [p.strip() for p in raw.split(";") if p.strip()] if item.type == AnswerType.MULTIPLE_CHOICE else [raw.strip()]
            mapped = [lookup.get(p.lower(), p) for p in parts]
            return clean_answer(self.ins, item, mapped if item.type == AnswerType.MULTIPLE_CHOICE else mapped[0])
        return clean_answer(self.ins, item, raw)

    def __call__(self, item: Question | CaseDetailField, raw: str) -> Any:
        key = (item.id, raw)
        hit = self._memo.get(key)
        if hit is None:
            try:
                hit = (True, self._clean(item, raw))
            except AnswerError as exc:
                hit = (False, exc)
            if len(self._memo) < self.MEMO:
                self._memo[key] = hit
        if hit[0]:
            return hit[1]
        raise hit[1]


def _unescape(text: str) -> str:
    """Undo the export's formula guard: '=x -> =x (a long export imports back unchanged)."""
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _reason(exc: AnswerError) -> str:
    return str(exc).split(": ", 1)[-1]


def _fmt_allowed(ins: Instrument, item: Question | CaseDetailField) -> str:
    opts = ins.options_for(item)
    return f" (allowed: {', '.join(o.value for o in opts)})" if opts else ""


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _CaseIn:
    """One case of the file: its details and answers, and the row each was first given on
    (row numbers in arrays aligned with the dicts' insertion order: 4 bytes an answer)."""

    __slots__ = ("row", "details", "detail_rows", "answers", "answer_rows")

    def __init__(self, row: int) -> None:
        self.row = row
        self.details: dict[str, Any] = {}
        self.detail_rows = array.array("I")
        self.answers: dict[str, Any] = {}
        self.answer_rows = array.array("I")

    def detail_row(self, fid: str) -> int:
        return self.detail_rows[list(self.details).index(fid)]

    def answer_row(self, qid: str) -> int:
        return self.answer_rows[list(self.answers).index(qid)]


def _sniff(head: bytes, name: str) -> str | None:
    """A clear message for a file that is plainly not CSV text, from its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return f"{name} looks like a spreadsheet or a zip archive (XLSX); save it as CSV UTF-8"
    if head.startswith(b"%PDF"):
        return f"{name} is a PDF, not a CSV file"
    if head.startswith((b"\xd0\xcf\x11\xe0", b"$FL2", b"$FL3")):
        return f"{name} is a spreadsheet or SPSS file, not a CSV file; save it as CSV UTF-8"
    if b"\x00" in head[:65536]:
        return f"{name} is not a text file (it contains NUL bytes); save it as CSV UTF-8"
    return None


class _Source:
    """The file as text records, with the bytes read so far for the progress bar."""

    def __init__(self, binary: IO[bytes], size: int) -> None:
        self.binary = binary
        self.size = size

    def records(self) -> Iterator[list[str]]:
        # The csv module's own newline handling, as every upload (a stray carriage return
        # outside quotes is refused with its line, never read as a new record).
        return records_from_binary(self.binary, encoding="utf-8-sig", errors="surrogateescape")

    def position(self) -> int:
        try:
            return self.binary.tell()
        except (OSError, ValueError):
            return 0


def _read(*, inspection: Inspection, ins: Instrument, source: _Source, result: ImportResult, say: Progress) -> dict[str, _CaseIn]:
    questions = {q.id: q for q in ins.questions()}
    fields = {f.id: f for f in ins.case_details}
    clean = _Cleaner(ins)
    cases: dict[str, _CaseIn] = {}
    it = source.records()
    header = next(it, None)
    if header is None:
        result.error("Row 1: the file is empty; the header must be case_ref,question_id,answer")
        return cases
    header = [h.strip().lstrip("\ufeff") for h in header]
    if "answer" not in header and "value" in header:
        header = ["answer" if h == "value" else h for h in header]  # the long export's name
    if any(_BAD_BYTES.search(h) for h in header):
        result.error("Row 1: the file is not UTF-8 text; save it as CSV UTF-8")
        return cases
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        result.error(f"Row 1: missing column(s) {', '.join(missing)}; the header must include case_ref, question_id and answer")
    unknown = [h for h in header if h not in REQUIRED_COLUMNS and h not in CHECK_COLUMNS and h not in IGNORED_COLUMNS and h not in fields]
    if unknown:
        result.error(f"Row 1: unknown column(s) {', '.join(unknown)[:300]}; use case-detail ids of {ins.id} such as sentence_type, rosh_at_start")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        result.error(f"Row 1: column(s) {', '.join(dupes)} appear more than once")
    if not result.ok:
        return cases
    pos = {h: i for i, h in enumerate(header)}
    i_ref, i_q, i_a = pos["case_ref"], pos["question_id"], pos["answer"]
    detail_cols = [(pos[f], fields[f]) for f in header if f in fields]
    i_insp, i_area, i_date = pos.get("inspection"), pos.get("area"), pos.get("fieldwork_date")
    width = len(header)
    area_ok = inspection.area.name.strip().lower()
    ok_refs: set[str] = set()
    ok_insp: set[str] = {"", inspection.name}
    ok_area: set[str] = {""}
    ok_dates: set[str] = {""}
    bad = _BAD_BYTES.search

    n = 1
    for n, rec in enumerate(it, start=2):
        if n % PROGRESS_EVERY == 0:
            say("Reading and checking", source.position(), source.size, rows=result.rows, cases=len(cases))
        if not rec or (not rec[0].strip() and all(not c.strip() for c in rec)):
            continue  # blank line
        result.rows += 1
        if len(rec) != width:
            result.error(f"Row {n}: {len(rec)} values but the header has {width} columns")
            continue
        if bad("\x1f".join(rec)):
            result.error(f"Row {n}: not UTF-8 text (bad encoding); save the file as CSV UTF-8")
            continue
        ref, qid, raw = rec[i_ref].strip(), rec[i_q].strip(), rec[i_a].strip()
        if raw.startswith("'"):
            raw = _unescape(raw)
        if ref.startswith("'"):
            ref = _unescape(ref)
        if ref not in ok_refs:
            if not CASE_REF.match(ref):
                result.error(f"Row {n}: case_ref {ref!r} is not a valid case reference")
                continue
            ok_refs.add(ref)
        if i_insp is not None and (v := rec[i_insp].strip()) not in ok_insp:
            result.error(f"Row {n}: inspection {v!r} is not {inspection.name!r}")
        if i_area is not None and (v := rec[i_area].strip()) not in ok_area:
            if v.lower() != area_ok:
                result.error(f"Row {n}: area {v!r} does not match the inspection's area {inspection.area.name!r}")
            else:
                ok_area.add(v)
        if i_date is not None and (v := rec[i_date].strip()) not in ok_dates:
            d = _parse_date(v)
            if d is None:
                result.error(f"Row {n}: fieldwork_date {v!r} is not a date (YYYY-MM-DD)")
            elif not inspection.fieldwork_start <= d <= inspection.fieldwork_end:
                result.error(f"Row {n}: fieldwork_date {d.isoformat()} is outside the inspection's fieldwork "
                             f"({inspection.fieldwork_start.isoformat()} to {inspection.fieldwork_end.isoformat()})")
            else:
                ok_dates.add(v)
        case = cases.get(ref)
        if case is None:
            case = cases[ref] = _CaseIn(row=n)
        for col, f in detail_cols:
            text = rec[col].strip()
            if not text:
                continue
            if text.startswith("'"):
                text = _unescape(text)
            try:
                value = clean(f, text)
            except AnswerError as exc:
                result.error(f"Row {n}, column {f.id}: {_reason(exc)} (got {text!r}){_fmt_allowed(ins, f)}")
                continue
            had = case.details.get(f.id, case)
            if had is case:
                case.details[f.id] = value
                case.detail_rows.append(n)
            elif had != value:
                result.error(f"Row {n}: case {ref} has {f.id} {value!r} here but {had!r} on row {case.detail_row(f.id)} (conflicting case details)")
        q = questions.get(qid)
        if q is None:
            result.error(f"Row {n}: unknown question id {qid!r} in {ins.id}")
            continue
        if not raw:
            continue  # not answered: nothing to import for this question
        try:
            value = clean(q, raw)
        except AnswerError as exc:
            result.error(f"Row {n}: answer {raw!r} is not allowed for {qid}: {_reason(exc)}{_fmt_allowed(ins, q)}")
            continue
        had = case.answers.get(qid, case)
        if had is case:
            case.answers[qid] = value
            case.answer_rows.append(n)
        elif had != value:
            result.error(f"Row {n}: case {ref} question {qid} is answered {value!r} here but {had!r} on row {case.answer_row(qid)}")
    if result.rows == 0 and result.ok:
        result.error("The file has no rows under its header")
    say("Reading and checking", source.size, source.size, rows=result.rows, cases=len(cases), force=True)
    return cases


# ---------------------------------------------------------------------------- count increments


class _CountDelta:
    """The difference an import makes to the findings count table, case by case: each
    case's answers before (sign -1) and after (+1), with its counted case-detail values,
    summed per (field, value, question, scoring) with numpy (one matrix row per case
    version), so the table follows the import without a rebuild."""

    def __init__(self, inspection_id: int, fields: tuple[str, ...]) -> None:
        self.inspection_id = inspection_id
        self.fields = fields
        self.keys: dict[tuple[str, str], int] = {("", counts.CASE): 0}
        self.row_values: list[tuple[str, ...]] = []
        self.signs = array.array("b")
        self.ri = array.array("q")
        self.ki = array.array("q")

    def add(self, details: dict[str, Any], scorings: Iterable[tuple[str, str]], sign: int) -> None:
        r = len(self.row_values)
        self.row_values.append(tuple(counts.value_text(details.get(f)) for f in self.fields))
        self.signs.append(sign)
        keys, ri, ki = self.keys, self.ri, self.ki
        ri.append(r)
        ki.append(0)  # the case itself (Annex 1)
        for qs in scorings:
            if qs[1]:
                k = keys.get(qs)
                if k is None:
                    k = keys[qs] = len(keys)
                ri.append(r)
                ki.append(k)

    def delta(self) -> dict[counts.Key, int]:
        if not self.row_values:
            return {}
        m = np.zeros((len(self.row_values), len(self.keys)), dtype=np.int32)
        np.add.at(m, (np.frombuffer(self.ri, dtype=np.int64), np.frombuffer(self.ki, dtype=np.int64)), 1)
        self.ri, self.ki = array.array("q"), array.array("q")
        m *= np.frombuffer(self.signs, dtype=np.int8).astype(np.int32)[:, None]
        names = [("", "")] * len(self.keys)
        for (q, s), k in self.keys.items():
            names[k] = ("", s) if k == 0 else (q, s)
        out: dict[counts.Key, int] = {}
        iid = self.inspection_id

        def emit(f: str, v: str, vec: Any) -> None:
            for k in np.flatnonzero(vec):
                q, s = names[k]
                out[(iid, f, v, q, s)] = int(vec[k])

        emit("", "", m.sum(axis=0))
        for j, f in enumerate(self.fields):
            groups: dict[str, list[int]] = {}
            for r, vals in enumerate(self.row_values):
                groups.setdefault(vals[j], []).append(r)
            for v, rows in groups.items():
                emit(f, v, m[rows].sum(axis=0))
        return out


# ---------------------------------------------------------------------------- writing


_ANSWER_COLUMNS = ("assessment_id", "question_id", "value", "scoring", "comment", "version", "client_stamp", "updated_by_id", "updated_at")


class _AnswerWriter:
    """New and changed answers, flushed in large batches: PostgreSQL ``COPY`` into a
    temporary staging table then one ``INSERT … ON CONFLICT DO UPDATE`` per flush;
    SQLite ``executemany`` of the same upsert. Inside the import's transaction."""

    def __init__(self) -> None:
        self.table = Answer._meta.db_table
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.seconds = 0.0
        self.hold = False  # no flush while a read of the same table is open
        self.pg = connection.vendor == "postgresql"
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in _ANSWER_COLUMNS)
        upd = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in ("value", "scoring", "version", "updated_by_id", "updated_at"))
        conflict = f"ON CONFLICT ({qn('assessment_id')}, {qn('question_id')}) DO UPDATE SET {upd}"
        if self.pg:
            with connection.cursor() as cur:
                cur.execute("CREATE TEMPORARY TABLE IF NOT EXISTS caseassess_import_staging (assessment_id bigint, question_id varchar(20), "
                            "value jsonb, scoring varchar(12), comment text, version integer, client_stamp bigint, updated_by_id bigint, "
                            "updated_at timestamptz) ON COMMIT DROP")
            self.copy_sql = f"COPY caseassess_import_staging ({cols}) FROM STDIN"
            self.merge_sql = (f"INSERT INTO {qn(self.table)} ({cols}) SELECT {cols} FROM caseassess_import_staging {conflict}")  # noqa: S608
        else:
            marks = ", ".join(["%s"] * len(_ANSWER_COLUMNS))
            # New answers go in with a plain INSERT (SQLite's upsert costs three times as much
            # per row with the deferred foreign keys Django declares); changed ones are upserted.
            self.plain_sql = f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({marks})"  # noqa: S608
            self.insert_sql = f"{self.plain_sql} {conflict}"
        self.new_rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...], *, new: bool = False) -> None:
        """``new``: no answer to this question of this assessment is stored (read in this transaction)."""
        (self.new_rows if new and not self.pg else self.rows).append(row)
        if len(self.rows) + len(self.new_rows) >= WRITE_BATCH and not self.hold:
            self.flush()

    def flush(self) -> None:
        if not self.rows and not self.new_rows:
            return
        t = time.perf_counter()
        with connection.cursor() as cur:
            if self.pg:
                cur.execute("TRUNCATE caseassess_import_staging")
                with cur.copy(self.copy_sql) as cp:
                    for r in self.rows:
                        cp.write_row(r)
                cur.execute(self.merge_sql)
            else:
                if self.new_rows:
                    cur.executemany(self.plain_sql, self.new_rows)
                if self.rows:
                    cur.executemany(self.insert_sql, self.rows)
        self.written += len(self.rows) + len(self.new_rows)
        self.rows = []
        self.new_rows = []
        self.seconds += time.perf_counter() - t


def _stored_answers(inspection_id: int, aids: list[int] | None = None) -> Iterator[tuple[int, str, Any, str, int]]:
    """(assessment, question, value, scoring, version) of the inspection's counted
    assessments (or of ``aids`` among them), ordered by assessment: one raw query read in
    chunks (the ORM's per-row work would cost more than the query on a re-import of a
    million answers)."""
    qn = connection.ops.quote_name
    ans, ass, case = Answer._meta.db_table, Assessment._meta.db_table, Case._meta.db_table
    sql = (f"SELECT a.{qn('assessment_id')}, a.{qn('question_id')}, a.{qn('value')}, a.{qn('scoring')}, a.{qn('version')} "  # noqa: S608 - fixed names
           f"FROM {qn(ans)} a JOIN {qn(ass)} s ON s.{qn('id')} = a.{qn('assessment_id')} JOIN {qn(case)} c ON c.{qn('id')} = s.{qn('case_id')} "
           f"WHERE c.{qn('inspection_id')} = %s AND s.{qn('counts')} "
           + (f"AND a.{qn('assessment_id')} IN ({', '.join(['%s'] * len(aids))}) " if aids is not None else "")
           + f"ORDER BY a.{qn('assessment_id')}")
    loads = json.loads  # both backends hand the JSON over as text (Django leaves jsonb undecoded)
    with connection.chunked_cursor() as cur:  # a server-side cursor on PostgreSQL: constant memory
        cur.execute(sql, [inspection_id, *(aids or [])])
        while rows := cur.fetchmany(20_000):
            for aid, qid, value, scoring, version in rows:
                yield aid, qid, (loads(value) if isinstance(value, str) else value), scoring, version


def _audit_many(events: list[AuditEvent]) -> None:
    """The import's audit events (one per case it changed), in batches."""
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)


def _report_blocked(result: ImportResult, blocked: list[tuple[int, str, str]]) -> None:
    for row, ref, status in blocked[:MAX_ERRORS]:
        result.error(f"Row {row}: case {ref} is being assessed in the application ({Status(status).label.lower()}); "
                     "an import only adds to new, submitted or signed-off cases")
    result.error_count += max(0, len(blocked) - MAX_ERRORS)


def _blocked_anywhere(inspection: Inspection, cases: dict[str, _CaseIn]) -> list[tuple[int, str, str]]:
    """Before an import written in parts: the file's cases that are being assessed."""
    ids = dict(Case.objects.filter(inspection=inspection).values_list("case_ref", "id"))
    status: dict[int, str] = {}
    for cid, st in Assessment.objects.filter(case__inspection=inspection, counts=True).order_by("id").values_list("case_id", "status"):
        status.setdefault(cid, st)
    return [(c.row, ref, status[ids[ref]]) for ref, c in cases.items()
            if ref in ids and ids[ref] in status and status[ids[ref]] not in counts.COUNTED]


def _part_rows(parts: bool) -> int:
    """Answers per part, or 0 for one transaction: parts when asked for (the web's
    background import, which runs while people work), on SQLite, outside a caller's own
    transaction (inside one, nothing would be committed between the parts anyway)."""
    if parts and connection.vendor == "sqlite" and not connection.in_atomic_block:
        return SQLITE_PART_ROWS
    return 0


def _parts(cases: dict[str, _CaseIn], rows: int) -> list[dict[str, _CaseIn]]:
    """The cases in file order, in parts of about ``rows`` answers (whole cases)."""
    parts: list[dict[str, _CaseIn]] = [{}]
    n = 0
    for ref, c in cases.items():
        if n >= rows:
            parts.append({})
            n = 0
        parts[-1][ref] = c
        n += len(c.answers) + 1
    return parts


def _write(*, inspection: Inspection, actor: Any, ins: Instrument, cases: dict[str, _CaseIn], result: ImportResult, say: Progress,
           part: bool = False, done_before: int = 0, total_all: int | None = None) -> None:
    """Write ``cases`` in one transaction. ``part``: these are one part of the file's cases
    (SQLite): only their own rows are looked up."""
    scorer = CaseScorer(ins, instrument_expressions(version=inspection.instrument))
    fields = counts.counted_fields(ins)
    now = timezone.now()
    now_db = connection.ops.adapt_datetimefield_value(now)  # raw rows: the value Django itself would store
    user = actor if getattr(actor, "pk", None) else None
    uid = user.pk if user else None
    total = total_all or len(cases)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:  # a 64 MB page cache for this connection: index pages stay in memory while rows go in
            cur.execute("PRAGMA cache_size = -65536")
    # A part (SQLite): the scoring of its new cases, the CPU-heavy step, is done before the
    # transaction takes the write lock; inside, only the database work remains.
    scored: dict[str, dict[str, str]] = {}
    if part:
        taken = set(Case.objects.filter(inspection=inspection, case_ref__in=list(cases)).values_list("case_ref", flat=True))
        scored = {ref: scorer(c.details, c.answers) for ref, c in cases.items() if ref not in taken}
    with transaction.atomic():
        existing: dict[str, tuple[int, dict[str, Any], int]] = {}
        case_qs = Case.objects.filter(inspection=inspection)
        if part:
            case_qs = case_qs.filter(case_ref__in=list(cases))
        for pk, ref, details, dv in case_qs.values_list("id", "case_ref", "details", "details_version").iterator(chunk_size=BATCH):
            if ref in cases:
                existing[ref] = (pk, details or {}, dv)
        counted: dict[int, tuple[int, str]] = {}
        assessment_qs = Assessment.objects.filter(case__inspection=inspection, counts=True)
        if part:
            assessment_qs = assessment_qs.filter(case_id__in=[pk for pk, _, _ in existing.values()])
        for aid, cid, status in assessment_qs.order_by("id").values_list("id", "case_id", "status"):
            counted.setdefault(cid, (aid, status))
        blocked = [(c.row, ref, counted[existing[ref][0]][1]) for ref, c in cases.items()
                   if ref in existing and existing[ref][0] in counted and counted[existing[ref][0]][1] not in counts.COUNTED]
        if blocked:
            _report_blocked(result, blocked)
            return
        # The count table follows by increments when it is current (or the inspection has
        # nothing counted yet); otherwise the next read rebuilds it, as before.
        state = counts.lock_state(inspection.pk)
        had_counted = Assessment.objects.filter(case__inspection=inspection, counts=True, status__in=counts.COUNTED).exists()
        tracked = (bool(state.state) and state.state == counts.current_states([inspection.pk])[inspection.pk]) or not had_counted
        if tracked and not had_counted:
            FindingsCount.objects.filter(inspection_id=inspection.pk).delete()
        delta = _CountDelta(inspection.pk, fields) if tracked else None

        # New cases and their counted assessments.
        new_refs = [ref for ref in cases if ref not in existing]
        clock = time.perf_counter()
        new_cases = Case.objects.bulk_create([Case(inspection=inspection, case_ref=ref, details=cases[ref].details) for ref in new_refs], batch_size=BATCH)
        for c in new_cases:
            existing[c.case_ref] = (c.pk, c.details, 0)
        result.cases_created += len(new_cases)
        counted_before = {cid for cid, (_, st) in counted.items() if st in counts.COUNTED}
        need = [Assessment(case_id=existing[ref][0], status=Status.SUBMITTED, submitted_at=now, counts=True)
                for ref in cases if existing[ref][0] not in counted]
        Assessment.objects.bulk_create(need, batch_size=BATCH)
        for a in need:
            counted[a.case_id] = (a.pk, Status.SUBMITTED)
        new_ids = {c.pk for c in new_cases}
        if new_cases:
            say("Writing", done_before, total, rows=result.rows, cases=done_before + len(new_cases), force=True)
        # Case details that change on existing cases.
        changed_cases: list[Case] = []
        detail_changes: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        old_details: dict[str, dict[str, Any]] = {}
        for ref, c in cases.items():
            pk, old, dv = existing[ref]
            if pk in new_ids:
                continue
            diff = {k: v for k, v in c.details.items() if old.get(k) != v}
            if diff:
                merged = {**old, **diff}
                changed_cases.append(Case(pk=pk, details=merged, details_version=dv + 1))
                detail_changes[ref] = ({k: old.get(k) for k in diff}, diff)
                old_details[ref] = old
                existing[ref] = (pk, merged, dv + 1)
        if changed_cases:
            Case.objects.bulk_update(changed_cases, ["details", "details_version"], batch_size=BATCH)
        result.cases_updated += len(changed_cases)

        writer = _AnswerWriter()
        events: list[AuditEvent] = []
        ref_of = {counted[existing[ref][0]][0]: ref for ref in cases}
        done = 0

        def process(aid: int, ref: str, stored: dict[str, tuple[Any, str, int]]) -> None:
            """One case: merge the file's answers into the stored ones, score them in the
            core, queue what is new or changed, and note the case's count increments."""
            nonlocal done
            c = cases[ref]
            case_pk, details, _ = existing[ref]
            if (ref not in detail_changes and case_pk in counted_before
                    and all(qid in stored and stored[qid][0] == v for qid, v in c.answers.items())):
                # Nothing in the file changes this case: its stored scoring classes came from
                # the same answers and details (every write scores the whole case), so
                # scoring it again would find them equal. The re-import of an unchanged
                # file spends its time reading, not scoring (issue 15: re-import <= 2x the read).
                result.answers_unchanged += len(c.answers)
                c.answers = {}
                done += 1
                if done % 500 == 0:
                    say("Writing", done_before + done, total, rows=result.rows, cases=done_before + done)
                return
            answers = {qid: v for qid, (v, _, _) in stored.items()}
            answers.update(c.answers)
            scorings = scored[ref] if case_pk in new_ids and ref in scored else scorer(details, answers)
            n_new = n_upd = n_rescored = 0
            for qid, scoring in scorings.items():
                value = answers[qid]
                old = stored.get(qid)
                if old is None:
                    writer.add((aid, qid, json.dumps(value), scoring, "", 1, 0, uid, now_db), new=True)
                    n_new += 1
                elif old[0] != value or old[1] != scoring:
                    writer.add((aid, qid, json.dumps(value), scoring, "", old[2] + int(old[0] != value), 0, uid, now_db))
                    n_upd += int(old[0] != value)
                    n_rescored += 1
                elif qid in c.answers:
                    result.answers_unchanged += 1
            result.answers_created += n_new
            result.answers_updated += n_upd
            if delta is not None and (n_new or n_rescored or ref in detail_changes or case_pk not in counted_before):
                if case_pk in counted_before:
                    delta.add(old_details.get(ref, details), ((q, s) for q, (_, s, _) in stored.items()), -1)
                delta.add(details, scorings.items(), +1)
            if n_new or n_upd or ref in detail_changes:
                old_d, new_d = detail_changes.get(ref, ({}, c.details if case_pk in new_ids else {}))
                events.append(AuditEvent(
                    actor=user, action="import", entity="case", entity_id=str(case_pk), inspection_id=inspection.pk, case_id=case_pk,
                    field="answers", old={"details": old_d} if old_d else None,
                    new={"case_ref": ref, "created": case_pk in new_ids, "answers_created": n_new, "answers_changed": n_upd, "details": new_d},
                ))
            c.answers = {}  # written: free it (the import's memory shrinks as the write goes on)
            done += 1
            if done % 500 == 0:
                say("Writing", done_before + done, total, rows=result.rows, cases=done_before + done)

        # Cases that have answers already: their stored answers, one streamed query read to
        # the end before anything is written (SQLite gives no isolation within a connection).
        # Cases that have answers already: merged case by case as their stored answers
        # stream in (one query, ordered by assessment); what changes is held back and
        # written after the read (SQLite gives no isolation within a connection).
        seen: set[int] = set()
        old_aids = {aid for aid, ref in ref_of.items() if existing[ref][0] not in new_ids}
        if old_aids:
            writer.hold = True
            cur_aid: int | None = None
            cur: dict[str, tuple[Any, str, int]] = {}
            for aid, qid, value, scoring, version in _stored_answers(inspection.pk, sorted(old_aids) if part else None):
                if aid != cur_aid:
                    if cur_aid in old_aids:
                        process(cur_aid, ref_of[cur_aid], cur)
                        seen.add(cur_aid)
                    cur_aid, cur = aid, {}
                cur[qid] = (value, scoring, version)
            if cur_aid in old_aids:
                process(cur_aid, ref_of[cur_aid], cur)
                seen.add(cur_aid)
            writer.hold = False
        result.timings["stored answers"] = result.timings.get("stored answers", 0.0) + time.perf_counter() - clock
        clock = time.perf_counter()
        for aid, ref in ref_of.items():
            if aid not in seen:
                process(aid, ref, {})
        writer.flush()
        result.timings["score and write answers"] = result.timings.get("score and write answers", 0.0) + time.perf_counter() - clock
        result.timings["of which the database"] = result.timings.get("of which the database", 0.0) + writer.seconds
        clock = time.perf_counter()
        say("Writing", done_before + len(cases), total, rows=result.rows, cases=done_before + len(cases), force=True)
        # Changed assessments get a new updated_at: the findings count state sees the change.
        touched = [counted[e.case_id][0] for e in events if e.case_id is not None and e.case_id not in new_ids]
        for start in range(0, len(touched), 900):
            Assessment.objects.filter(pk__in=touched[start:start + 900]).update(updated_at=now)
        if delta is not None:
            counts.apply_increments(delta.delta(), state, inspection.pk)
            result.counts_kept = True
        result.timings["count table"] = result.timings.get("count table", 0.0) + time.perf_counter() - clock
        clock = time.perf_counter()
        # The audit rows last: chaining them takes the audit table's lock (PostgreSQL: an
        # advisory lock) until the commit, and every save by anyone writes an audit row.
        # Written first, they made every assessor's autosave wait for the rest of the
        # import's transaction (counts, deferred checks, commit).
        _audit_many(events)
        result.timings["audit"] = result.timings.get("audit", 0.0) + time.perf_counter() - clock
        clock = time.perf_counter()
    result.timings["commit"] = result.timings.get("commit", 0.0) + time.perf_counter() - clock


# ---------------------------------------------------------------------------- entry points


def assessments_import_stream(*, inspection: Inspection, actor: Any, binary: IO[bytes], size: int, name: str = "The file",
                              progress: Progress | None = None, dry_run: bool = False, in_parts: bool = False) -> ImportResult:
    """Import answers from a long CSV (the header first): ``case_ref, question_id, answer``
    (or ``value``) and optional case-detail columns (instrument ids), ``inspection``,
    ``area`` and ``fieldwork_date`` (checked against the inspection) and ``scoring``
    (ignored: recomputed). A long export therefore imports back unchanged.

    Upsert by (inspection, case_ref, question): a new case gets one counted Assessment
    with status submitted; a re-import of the same file changes nothing. Every answer is
    rescored as the assessment form does (excluded when its question does not apply).
    All-or-nothing: any error and nothing is written. (``in_parts``, the web's background
    import: on SQLite a file of more than ``SQLITE_PART_ROWS`` answers is written in parts
    after it has been checked; see below.)"""
    say = progress or _quiet
    result = ImportResult()
    if size > MAX_IMPORT_BYTES:
        result.error(f"{name} is {size / 1024**3:.1f} GB; an import reads files up to {MAX_IMPORT_BYTES / 1024**3:.0f} GB: "
                     "split it (by inspection or by year) and import the parts")
        return result
    head = binary.read(65536)
    binary.seek(0)
    if (msg := _sniff(head, name)) is not None:
        result.error(msg)
        return result
    ins = instrument_get(version=inspection.instrument)
    say("Reading and checking", 0, size, rows=0, cases=0, force=True)
    clock = time.perf_counter()
    try:
        cases = _read(inspection=inspection, ins=ins, source=_Source(binary, size), result=result, say=say)
    except csv.Error as exc:
        result.error(f"The file is not valid CSV: {exc}")
        return result
    result.timings["read and check"] = time.perf_counter() - clock
    if not result.ok or dry_run:
        return result
    parts = _parts(cases, n) if (n := _part_rows(in_parts)) else [cases]
    if len(parts) == 1:
        _write(inspection=inspection, actor=actor, ins=ins, cases=cases, result=result, say=say)
    else:
        # SQLite, a large file: whole cases in parts of about SQLITE_PART_ROWS answers, each
        # part one transaction (its cases, answers, count increments and audit rows
        # together) and a pause after it, so other people's saves are not locked out for
        # the whole import. Everything is checked before the first part is written; a
        # worker stopped part-way leaves whole cases, and importing the same file again
        # writes only what is missing.
        if blocked := _blocked_anywhere(inspection, cases):
            _report_blocked(result, blocked)
            return result
        kept, done = True, 0
        for i, part in enumerate(parts):
            result.counts_kept = False
            _write(inspection=inspection, actor=actor, ins=ins, cases=part, result=result, say=say, part=True,
                   done_before=done, total_all=len(cases))
            if not result.ok:
                break
            kept = kept and result.counts_kept
            done += len(part)
            say("Writing", done, len(cases), rows=result.rows, cases=done, force=True)
            if i + 1 < len(parts):
                time.sleep(SQLITE_PART_PAUSE)
        result.counts_kept = kept
    if result.ok and not result.counts_kept:
        counts.counts_ensure(inspection_ids=[inspection.pk])
    return result


def assessments_import_csv(*, inspection: Inspection, actor: Any, rows: Iterable[list[str]], progress: Progress | None = None,
                           in_parts: bool = False) -> ImportResult:
    """The same import from CSV records already parsed (tests, small callers)."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    data = buf.getvalue().encode("utf-8", errors="surrogateescape")
    return assessments_import_stream(inspection=inspection, actor=actor, binary=io.BytesIO(data), size=len(data), progress=progress,
                                     in_parts=in_parts)


def assessments_import_file(*, inspection: Inspection, actor: Any, path: Path | str, progress: Progress | None = None,
                            dry_run: bool = False) -> ImportResult:
    """``dry_run``: read and check the whole file, write nothing."""
    if str(path).lower().endswith((".xlsx", ".xls", ".sav")):
        raise DataExchangeError(f"{path} is not a CSV file; save it as CSV UTF-8")
    p = Path(path)
    with open(p, "rb") as fh:
        return assessments_import_stream(inspection=inspection, actor=actor, binary=fh, size=p.stat().st_size, name=p.name,
                                         progress=progress, dry_run=dry_run)


def import_stream_result(*, inspection: Inspection, actor: Any, data: IO[bytes], size: int, name: str = "The file",
                         progress: Progress | None = None) -> dict[str, Any]:
    """For the background job: the import's outcome as plain data for its page. It runs
    while people work: on SQLite it is written in parts, so their saves get the write lock
    between the parts (the ``import_assessments`` command stays one transaction)."""
    return assessments_import_stream(inspection=inspection, actor=actor, binary=data, size=size, name=name, progress=progress,
                                     in_parts=True).as_dict()


__all__ = [
    "DataExchangeError", "ImportResult", "assessments_import_csv", "assessments_import_file", "assessments_import_stream",
    "import_stream_result", "import_target",
]
