"""The import as it was before the bulk write path (kept verbatim as the oracle that the new
PostgreSQL COPY and SQLite batch paths must equal, row for row, score for score)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Case, Inspection
from caseassess.inspections.services import CASE_REF
from caseassess.instruments.models import InstrumentVersion
from caseassess.instruments.selectors import instrument_expressions, instrument_get
from caseassess.reporting.counts import counts_ensure
from caseassess.reporting.selectors import COUNTED
from caseassess_core.instrument.schema import AnswerType, CaseDetailField, Instrument, Question
from caseassess_core.scoring.assess import AnswerError, applicability, clean_answer, scoring_of

REQUIRED_COLUMNS = ("case_ref", "question_id", "answer")
CHECK_COLUMNS = ("inspection", "area", "fieldwork_date")  # checked against the inspection
IGNORED_COLUMNS = ("scoring",)  # the long export's scoring class: recomputed on import
BATCH = 5_000
PROGRESS_EVERY = 10_000
MAX_ERRORS = 1_000  # the report stops listing after this many (the count stays exact)
_BAD_BYTES = re.compile("[\udc80-\udcff]")

Progress = Callable[[str], None]


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

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, msg: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(msg)


# ---------------------------------------------------------------------------- import


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
    """clean_answer, after mapping option labels (any case) to option values."""

    def __init__(self, ins: Instrument) -> None:
        self.ins = ins
        self._lookups: dict[str, dict[str, str]] = {}

    def __call__(self, item: Question | CaseDetailField, raw: str) -> Any:
        if item.type in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
            lookup = self._lookups.get(item.id)
            if lookup is None:
                lookup = self._lookups[item.id] = _choice_lookup(self.ins, item)
            parts = [p.strip() for p in raw.split(";") if p.strip()] if item.type == AnswerType.MULTIPLE_CHOICE else [raw.strip()]
            mapped = [lookup.get(p.lower(), p) for p in parts]
            return clean_answer(self.ins, item, mapped if item.type == AnswerType.MULTIPLE_CHOICE else mapped[0])
        return clean_answer(self.ins, item, raw)


def _unescape(text: str) -> str:
    """Undo the export's formula guard: '=x -> =x (a long export imports back unchanged)."""
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


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


@dataclass
class _CaseIn:
    row: int
    details: dict[str, Any] = field(default_factory=dict)
    detail_rows: dict[str, int] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    answer_rows: dict[str, int] = field(default_factory=dict)


def _read_rows(path: Path | str) -> Iterator[list[str]]:
    """CSV records; bytes that are not UTF-8 survive as surrogates so that the row can be named."""
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        yield from csv.reader(fh)


def assessments_import_csv(
    *, inspection: Inspection, actor: Any, rows: Iterable[list[str]], progress: Progress | None = None
) -> ImportResult:
    """Import answers from long CSV records (the header first): ``case_ref, question_id,
    answer`` (or ``value``) and optional case-detail columns (instrument ids),
    ``inspection``, ``area`` and ``fieldwork_date`` (checked against the inspection) and
    ``scoring`` (ignored: recomputed). A long export therefore imports back unchanged.

    Upsert by (inspection, case_ref, question): a new case gets one counted Assessment
    with status submitted; a re-import of the same file changes nothing. Every answer is
    rescored as the assessment form does (excluded when its question does not apply).
    All-or-nothing: any error and nothing is written."""
    say = progress or (lambda _msg: None)
    ins = instrument_get(version=inspection.instrument)
    questions = {q.id: q for q in ins.questions()}
    fields = {f.id: f for f in ins.case_details}
    clean = _Cleaner(ins)
    result = ImportResult()
    it = iter(rows)
    header = next(it, None)
    if header is None:
        result.error("Row 1: the file is empty; the header must be case_ref,question_id,answer")
        return result
    header = [h.strip().lstrip("\ufeff") for h in header]
    if "answer" not in header and "value" in header:
        header = ["answer" if h == "value" else h for h in header]  # the long export's name
    if any(_BAD_BYTES.search(h) for h in header):
        result.error("Row 1: the file is not UTF-8 text; save it as CSV UTF-8")
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        result.error(f"Row 1: missing column(s) {', '.join(missing)}; the header must include case_ref, question_id and answer")
    unknown = [h for h in header if h not in REQUIRED_COLUMNS and h not in CHECK_COLUMNS and h not in IGNORED_COLUMNS and h not in fields]
    if unknown:
        result.error(f"Row 1: unknown column(s) {', '.join(unknown)}; use case-detail ids of {ins.id} such as sentence_type, rosh_at_start")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        result.error(f"Row 1: column(s) {', '.join(dupes)} appear more than once")
    if not result.ok:
        return result
    pos = {h: i for i, h in enumerate(header)}
    i_ref, i_q, i_a = pos["case_ref"], pos["question_id"], pos["answer"]
    detail_cols = [(pos[f], fields[f]) for f in header if f in fields]
    i_insp, i_area, i_date = pos.get("inspection"), pos.get("area"), pos.get("fieldwork_date")
    width = len(header)
    cases: dict[str, _CaseIn] = {}
    area_ok = inspection.area.name.strip().lower()

    n = 1
    for n, rec in enumerate(it, start=2):
        if n % PROGRESS_EVERY == 0:
            say(f"checked {n:,} rows")
        if not rec or all(not c.strip() for c in rec):
            continue  # blank line
        result.rows += 1
        if len(rec) != width:
            result.error(f"Row {n}: {len(rec)} values but the header has {width} columns")
            continue
        if any(_BAD_BYTES.search(c) for c in rec):
            result.error(f"Row {n}: not UTF-8 text (bad encoding); save the file as CSV UTF-8")
            continue
        rec = [_unescape(c.strip()) for c in rec]
        ref, qid, raw = rec[i_ref], rec[i_q], rec[i_a]
        if not CASE_REF.match(ref):
            result.error(f"Row {n}: case_ref {ref!r} is not a valid case reference")
            continue
        if i_insp is not None and rec[i_insp].strip() and rec[i_insp].strip() != inspection.name:
            result.error(f"Row {n}: inspection {rec[i_insp].strip()!r} is not {inspection.name!r}")
        if i_area is not None and rec[i_area].strip() and rec[i_area].strip().lower() != area_ok:
            result.error(f"Row {n}: area {rec[i_area].strip()!r} does not match the inspection's area {inspection.area.name!r}")
        if i_date is not None and rec[i_date].strip():
            d = _parse_date(rec[i_date].strip())
            if d is None:
                result.error(f"Row {n}: fieldwork_date {rec[i_date].strip()!r} is not a date (YYYY-MM-DD)")
            elif not inspection.fieldwork_start <= d <= inspection.fieldwork_end:
                result.error(f"Row {n}: fieldwork_date {d.isoformat()} is outside the inspection's fieldwork "
                             f"({inspection.fieldwork_start.isoformat()} to {inspection.fieldwork_end.isoformat()})")
        case = cases.get(ref)
        if case is None:
            case = cases[ref] = _CaseIn(row=n)
        for col, f in detail_cols:
            text = rec[col].strip()
            if not text:
                continue
            try:
                value = clean(f, text)
            except AnswerError as exc:
                result.error(f"Row {n}, column {f.id}: {_reason(exc)} (got {text!r}){_fmt_allowed(ins, f)}")
                continue
            if f.id in case.details and case.details[f.id] != value:
                result.error(f"Row {n}: case {ref} has {f.id} {value!r} here but {case.details[f.id]!r} on row {case.detail_rows[f.id]} (conflicting case details)")
                continue
            case.details.setdefault(f.id, value)
            case.detail_rows.setdefault(f.id, n)
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
        if qid in case.answers and case.answers[qid] != value:
            result.error(f"Row {n}: case {ref} question {qid} is answered {value!r} here but {case.answers[qid]!r} on row {case.answer_rows[qid]}")
            continue
        case.answers[qid] = value
        case.answer_rows.setdefault(qid, n)
    if result.rows == 0 and result.ok:
        result.error("The file has no rows under its header")
    if not result.ok:
        return result
    say(f"checked {result.rows:,} rows of {len(cases):,} cases; no errors")
    _write(inspection=inspection, actor=actor, ins=ins, cases=cases, result=result, say=say)
    if result.ok:
        # The findings count table is rebuilt for this inspection now, so the first report after the import is quick.
        counts_ensure(inspection_ids=[inspection.pk])
        say("findings counts brought up to date")
    return result


def _write(*, inspection: Inspection, actor: Any, ins: Instrument, cases: dict[str, _CaseIn], result: ImportResult, say: Progress) -> None:
    exprs = instrument_expressions(version=inspection.instrument)
    questions = {q.id: q for q in ins.questions()}
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        existing = {ref: (pk, details or {}) for pk, ref, details in
                    Case.objects.filter(inspection=inspection).values_list("id", "case_ref", "details").iterator(chunk_size=BATCH)
                    if ref in cases}
        # The counted assessment of each existing case (the first one if several count).
        counted: dict[int, tuple[int, str]] = {}
        for aid, cid, status in Assessment.objects.filter(case__inspection=inspection, counts=True).order_by("id").values_list("id", "case_id", "status"):
            counted.setdefault(cid, (aid, status))
        blocked = [(c.row, ref, counted[existing[ref][0]][1]) for ref, c in cases.items()
                   if ref in existing and existing[ref][0] in counted and counted[existing[ref][0]][1] not in COUNTED]
        if blocked:
            for row, ref, status in blocked[:MAX_ERRORS]:
                result.error(f"Row {row}: case {ref} is being assessed in the application ({Status(status).label.lower()}); "
                             "an import only adds to new, submitted or signed-off cases")
            result.error_count += max(0, len(blocked) - MAX_ERRORS)
            return
        # New cases and their counted assessments.
        new_cases = [Case(inspection=inspection, case_ref=ref, details=c.details) for ref, c in cases.items() if ref not in existing]
        Case.objects.bulk_create(new_cases, batch_size=BATCH)
        for case in new_cases:
            # The one change from the import as it was: it scored a new case's answers with
            # empty case details (so questions applying to, say, medium RoSH only were
            # scored as applying or not by accident). Both imports now score with them.
            existing[case.case_ref] = (case.pk, case.details)
        result.cases_created = len(new_cases)
        need = [Assessment(case_id=existing[ref][0], status=Status.SUBMITTED, submitted_at=now, counts=True)
                for ref in cases if existing[ref][0] not in counted]
        Assessment.objects.bulk_create(need, batch_size=BATCH)
        for a in need:
            counted[a.case_id] = (a.pk, Status.SUBMITTED)
        new_ids = {c.pk for c in new_cases}
        if new_cases:
            say(f"created {len(new_cases):,} cases")
        # Case details that change on existing cases.
        changed_cases: list[Case] = []
        detail_changes: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        for ref, c in cases.items():
            pk, old = existing[ref]
            if pk in new_ids:
                continue
            diff = {k: v for k, v in c.details.items() if old.get(k) != v}
            if diff:
                merged = {**old, **diff}
                changed_cases.append(Case(pk=pk, details=merged, details_version=0))
                detail_changes[ref] = ({k: old.get(k) for k in diff}, diff)
                existing[ref] = (pk, merged)
        if changed_cases:
            versions = dict(Case.objects.filter(pk__in=[c.pk for c in changed_cases]).values_list("id", "details_version"))
            for c in changed_cases:
                c.details_version = versions[c.pk] + 1
            Case.objects.bulk_update(changed_cases, ["details", "details_version"], batch_size=BATCH)
        result.cases_updated = len(changed_cases)
        # Stored answers of the touched assessments (one streamed query).
        by_assessment = {counted[existing[ref][0]][0]: ref for ref in cases}
        stored: dict[int, dict[str, tuple[int, Any, str, int]]] = {}
        old_ids = [aid for aid, ref in by_assessment.items() if existing[ref][0] not in new_ids]
        for start in range(0, len(old_ids), 900):
            chunk = old_ids[start:start + 900]
            for pk, aid, qid, value, scoring, version in Answer.objects.filter(assessment_id__in=chunk).values_list(
                "id", "assessment_id", "question_id", "value", "scoring", "version"
            ).iterator(chunk_size=BATCH):
                stored.setdefault(aid, {})[qid] = (pk, value, scoring, version)
        creates: list[Answer] = []
        updates: dict[tuple[str, str, int], tuple[Any, list[int]]] = {}
        events: list[AuditEvent] = []
        for k, (aid, ref) in enumerate(by_assessment.items(), start=1):
            c = cases[ref]
            case_pk, details = existing[ref]
            mine = stored.get(aid, {})
            answers = {qid: v for qid, (_, v, _, _) in mine.items()}
            answers.update(c.answers)
            applies = applicability(ins, details, answers, exprs)
            n_new = n_upd = 0
            for qid, value in answers.items():
                q = questions.get(qid)
                if q is None:
                    continue
                sc = scoring_of(ins, q, value)
                scoring = "" if sc is None else ("excluded" if not applies[qid].applies else sc.value)
                old = mine.get(qid)
                if old is None:
                    creates.append(Answer(assessment_id=aid, question_id=qid, value=value, scoring=scoring, updated_by=user))
                    n_new += 1
                elif old[1] != value or old[2] != scoring:
                    updates.setdefault((_json_key(value), scoring, old[3] + int(old[1] != value)), (value, []))[1].append(old[0])
                    n_upd += int(old[1] != value)
                elif qid in c.answers:
                    result.answers_unchanged += 1
            result.answers_created += n_new
            result.answers_updated += n_upd
            if n_new or n_upd or ref in detail_changes:
                old_d, new_d = detail_changes.get(ref, ({}, c.details if case_pk in new_ids else {}))
                events.append(AuditEvent(
                    actor=user, action="import", entity="case", entity_id=str(case_pk), inspection_id=inspection.pk, case_id=case_pk,
                    field="answers", old={"details": old_d} if old_d else None,
                    new={"case_ref": ref, "created": case_pk in new_ids, "answers_created": n_new, "answers_changed": n_upd, "details": new_d},
                ))
            if len(creates) >= BATCH:
                Answer.objects.bulk_create(creates, batch_size=BATCH)
                creates.clear()
            if k % 1000 == 0:
                say(f"written {k:,} of {len(by_assessment):,} cases")
        Answer.objects.bulk_create(creates, batch_size=BATCH)
        # Changed answers share few (value, scoring, version) combinations: one UPDATE per
        # combination and 900 ids (bulk_update's CASE per row is far slower at this size).
        for (_, scoring, version), (value, ids) in updates.items():
            for start in range(0, len(ids), 900):
                Answer.objects.filter(pk__in=ids[start:start + 900]).update(
                    value=value, scoring=scoring, version=version, updated_by=user, updated_at=now)
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        # Changed assessments get a new updated_at: the findings count state (counts.current_states) sees the change.
        touched = [counted[e.case_id][0] for e in events if e.case_id is not None and e.case_id not in new_ids]
        for start in range(0, len(touched), 900):
            Assessment.objects.filter(pk__in=touched[start:start + 900]).update(updated_at=now)


def assessments_import_file(*, inspection: Inspection, actor: Any, path: Path | str, progress: Progress | None = None) -> ImportResult:
    if str(path).lower().endswith((".xlsx", ".xls", ".sav")):
        raise DataExchangeError(f"{path} is not a CSV file; save it as CSV UTF-8")
    try:
        return assessments_import_csv(inspection=inspection, actor=actor, rows=_read_rows(path), progress=progress)
    except csv.Error as exc:
        result = ImportResult()
        result.error(f"The file is not valid CSV: {exc}")
        return result


