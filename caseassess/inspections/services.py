"""Writes for programmes, inspections and cases: transactional and audited."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from caseassess.accounts.models import User
from caseassess.assessments.models import Assessment
from caseassess.audit.models import AuditEvent
from caseassess.audit.services import audit_record
from caseassess.inspections.models import Case, Inspection
from caseassess.instruments.selectors import instrument_get
from caseassess_core.csvrows import StrayCarriageReturn, records_from_text
from caseassess_core.instrument.schema import AnswerType
from caseassess_core.scoring.assess import AnswerError, clean_answer
from caseassess_core.textcheck import CASE_REF

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class CaseError(ValueError):
    pass


def case_add(*, inspection: Inspection, actor: Any, case_ref: str, assessor: User | None = None, details: dict[str, Any] | None = None) -> Case:
    case_ref = case_ref.strip()
    if not CASE_REF.match(case_ref):
        raise CaseError("Enter a case reference of letters, numbers, / . _ or - (up to 40 characters); never an offender's name")
    if inspection.closed:
        raise CaseError("This inspection is closed: no cases can be added")
    with transaction.atomic():
        if Case.objects.filter(inspection=inspection, case_ref=case_ref).exists():
            raise CaseError(f"Case {case_ref} is already in this inspection")
        case = Case.objects.create(inspection=inspection, case_ref=case_ref, details=details or {})
        Assessment.objects.create(case=case, assessor=assessor)
        audit_record(actor=actor, action="case_add", entity="case", entity_id=case.pk, inspection_id=inspection.pk, case_id=case.pk, new={"case_ref": case_ref, "assessor": assessor.username if assessor else None})
    return case


def case_allocate(*, assessment: Assessment, actor: Any, assessor: User | None) -> None:
    from caseassess.inspections.permissions import inspection_assessors

    if assessment.case.inspection.closed:
        raise CaseError("This inspection is closed: its cases can no longer be allocated")
    if assessor is not None and assessor not in inspection_assessors(assessment.case.inspection):
        raise CaseError(f"{assessor.username} is not part of this inspection")
    with transaction.atomic():
        old = assessment.assessor.username if assessment.assessor else None
        assessment.assessor = assessor
        assessment.save(update_fields=["assessor", "updated_at"])
        audit_record(actor=actor, action="allocate", entity="assessment", entity_id=assessment.pk, inspection_id=assessment.case.inspection_id, case_id=assessment.case_id, field="assessor", old=old, new=assessor.username if assessor else None)


def cases_allocate(*, assessments: list[Assessment], actor: Any, assessor: User | None) -> None:
    """Allocate several cases to one assessor (or to nobody): all or none."""
    with transaction.atomic():
        for assessment in assessments:
            case_allocate(assessment=assessment, actor=actor, assessor=assessor)


@dataclass
class ImportReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)


def decode_upload(data: bytes, *, name: str = "file") -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise CaseError(f"{name} is larger than 5 MB; split it into smaller files")
    if data.startswith(b"PK\x03\x04"):
        raise CaseError(f"{name} looks like a spreadsheet (XLSX); save it as CSV (UTF-8) and upload again")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(f"{name} is not UTF-8 text (byte {exc.start + 1}); save it as CSV UTF-8") from None


def cases_import_header_errors(*, inspection: Inspection, text: str) -> list[str]:
    """The checks a request can afford before the rows are read by a background job: the
    header row names case_ref and only known columns."""
    ins = instrument_get(version=inspection.instrument)
    try:
        header = next(records_from_text(text), [])
    except StrayCarriageReturn as exc:
        return [f"The file is not valid CSV: {exc}"]
    except csv.Error as exc:
        return [f"This is not a readable CSV file ({exc}); save it as CSV UTF-8"]
    headers = [h.strip() for h in header]
    if "case_ref" not in headers:
        return ["Row 1: the header must include a case_ref column"]
    known = {f.id for f in ins.case_details}
    unknown = [h for h in headers if h not in known and h not in ("case_ref", "assessor")]
    if unknown:
        return [f"Row 1: unknown column(s) {', '.join(unknown)}; use case-detail ids such as sentence_type, rosh_at_start"]
    return []


def cases_import_csv(*, inspection: Inspection, actor: Any, text: str, progress: Any = None) -> ImportReport:
    """Import cases from CSV: case_ref, optional assessor (username), and case-detail columns
    named by the instrument's case-detail ids (multiple choice values separated by ';').
    All-or-nothing: every bad row is reported with its row number and nothing is created.
    The web page runs it as a background job (``caseassess.jobs``); ``progress(phase, done,
    total)`` is told how far it got. The write is three bulk inserts in one transaction,
    so the database's write lock is held for a moment, not a query per case."""
    say = progress or (lambda *a, **k: None)
    ins = instrument_get(version=inspection.instrument)
    report = ImportReport()
    try:
        records = list(records_from_text(text))
    except StrayCarriageReturn as exc:
        report.errors.append(f"The file is not valid CSV: {exc}")
        return report
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KB limit
        report.errors.append(f"This is not a readable CSV file ({exc}); save it as CSV UTF-8")
        return report
    headers = [h.strip() for h in (records[0] if records else [])]
    raws: list[dict[str | None, Any]] = []
    for rec in records[1:]:
        if not rec:
            continue  # a blank line (as csv.DictReader skips)
        raw: dict[str | None, Any] = dict(zip(headers, rec, strict=False))
        if len(rec) > len(headers):
            raw[None] = rec[len(headers):]
        raws.append(raw)
    if "case_ref" not in headers:
        report.errors.append("Row 1: the header must include a case_ref column")
        return report
    known = {f.id: f for f in ins.case_details}
    unknown = [h for h in headers if h not in known and h not in ("case_ref", "assessor")]
    if unknown:
        report.errors.append(f"Row 1: unknown column(s) {', '.join(unknown)}; use case-detail ids such as sentence_type, rosh_at_start")
        return report
    from caseassess.inspections.permissions import inspection_assessors

    members = {u.username: u for u in inspection_assessors(inspection)}
    existing = set(inspection.cases.values_list("case_ref", flat=True))
    seen: set[str] = set()
    rows: list[tuple[str, User | None, dict[str, Any]]] = []
    for i, raw in enumerate(raws, start=2):
        if i % 1000 == 0:
            say("Checking the rows", i - 1, len(raws))
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            report.errors.append(f"Row {i}: more values than columns")
            continue
        ref = row.get("case_ref", "")
        if not CASE_REF.match(ref):
            report.errors.append(f"Row {i}: case_ref {ref!r} is not a valid case reference")
            continue
        if ref in seen or ref in existing:
            report.errors.append(f"Row {i}: case {ref} appears twice" if ref in seen else f"Row {i}: case {ref} is already in this inspection")
            continue
        seen.add(ref)
        assessor = None
        if row.get("assessor"):
            assessor = members.get(row["assessor"])
            if assessor is None:
                report.errors.append(f"Row {i}: assessor {row['assessor']!r} is not part of this inspection")
                continue
        details: dict[str, Any] = {}
        for key, value in row.items():
            if key in known and value != "":
                f = known[key]
                raw_value: Any = [v.strip() for v in value.split(";") if v.strip()] if f.type == AnswerType.MULTIPLE_CHOICE else value
                try:
                    details[key] = clean_answer(ins, f, raw_value)
                except AnswerError as exc:
                    report.errors.append(f"Row {i}, column {key}: {str(exc).split(': ', 1)[-1]} (got {value!r})")
        rows.append((ref, assessor, details))
    if report.errors:
        return report
    if not rows:
        report.errors.append("The file has no cases under its header row")
        return report
    say("Writing the cases", len(rows), len(rows), force=True)
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        taken = set(Case.objects.filter(inspection=inspection, case_ref__in=[r for r, _, _ in rows]).values_list("case_ref", flat=True))
        if taken:  # added by someone else while the file was being checked
            report.errors.extend(f"Case {ref} is already in this inspection" for ref in sorted(taken))
            return report
        cases = Case.objects.bulk_create([Case(inspection=inspection, case_ref=ref, details=details) for ref, _, details in rows], batch_size=2000)
        Assessment.objects.bulk_create([Assessment(case=c, assessor=a) for c, (_, a, _) in zip(cases, rows, strict=True)], batch_size=2000)
        AuditEvent.objects.bulk_create([
            AuditEvent(actor=user, action="case_add", entity="case", entity_id=str(c.pk), inspection_id=inspection.pk, case_id=c.pk,
                       new={"case_ref": ref, "assessor": a.username if a else None})
            for c, (ref, a, _) in zip(cases, rows, strict=True)
        ], batch_size=2000)
    report.created = len(rows)
    return report


GRID_DEFAULT = "default"


class AreaSettingsError(ValueError):
    """Local determination refused; ``errors`` maps a grid row id (or "") to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def area_tiering_set(*, inspection: Inspection, actor: Any, choices: dict[str, str]) -> bool:
    """The caller has checked that ``actor`` may change the area (``permissions.may_change_area``).
    Set the tier the inspection's area ticks for rows of the tiering grid left to local
    determination. ``choices`` maps a row id to a tier of the grid or ``"default"`` (the grid's
    own tick); rows not in ``choices`` keep their setting. All or nothing: any row that is not
    for local determination, or any value that is not a tier, refuses the whole change.
    Returns whether anything changed; a change is audited with the old and new settings."""
    from caseassess.inspections.models import Area
    from caseassess.inspections.selectors import local_tiering_rows
    from caseassess_core.rules.base import TIERS, has_table, rows

    ins = instrument_get(version=inspection.instrument)
    grid_ids = {str(r["id"]) for r in rows(ins, "tiering_grid")} if has_table(ins, "tiering_grid") else set()
    local = {str(r["id"]): r for r in local_tiering_rows(ins=ins)}
    errors: dict[str, str] = {}
    if not local:
        errors[""] = "The instrument of this inspection has no tiering grid rows left to local determination"
    for row_id, value in choices.items():
        if row_id not in local:
            errors[row_id] = (
                f"‘{row_id}’ is not a row of the tiering grid" if row_id not in grid_ids
                else f"‘{row_id}’ is not left to local determination: its tick is set by the grid"
            )
        elif value != GRID_DEFAULT and value not in TIERS:
            errors[row_id] = f"Select Tier 1, 2, 3 or 4, or the grid default, for {local[row_id]['condition']}"
    if errors:
        raise AreaSettingsError(errors)
    with transaction.atomic():
        settings_row = Area.objects.select_for_update().get(pk=inspection.area_id)
        old = dict(settings_row.tiering_local_determination or {})
        new = dict(old)
        for row_id, value in choices.items():
            if value == GRID_DEFAULT:
                new.pop(row_id, None)
            else:
                new[row_id] = value
        if new == old:
            return False
        settings_row.tiering_local_determination = new
        settings_row.updated_by = actor if getattr(actor, "pk", None) else None
        settings_row.save(update_fields=["tiering_local_determination", "updated_by", "updated_at"])
        audit_record(
            actor=actor, action="area_tiering_set", entity="area", entity_id=settings_row.pk,
            inspection_id=inspection.pk, field="tiering_local_determination", old=old, new=new,
        )
    return True
