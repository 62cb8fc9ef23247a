"""Writes for assessments: transactional, audited, with optimistic locking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.audit.services import audit_record
from caseassess.inspections.models import Case
from caseassess.inspections.permissions import is_lead_of
from caseassess.instruments.selectors import instrument_expressions, instrument_get
from caseassess.reporting.counts import findings_change
from caseassess_core.instrument.schema import Instrument
from caseassess_core.scoring.assess import (
    AnswerError,
    applicability,
    clean_answer,
    consistency_warnings,
    scoring_of,
    section_status,
    section_unanswered,
)
from caseassess_core.textcheck import control_character


def _refuse_if_closed(inspection_id: int) -> None:
    """A closed inspection is read-only for assessment writes (its findings are still reported)."""
    from caseassess.inspections.models import Inspection

    if Inspection.objects.filter(pk=inspection_id, closed_at__isnull=False).exists():
        raise NotEditable("This inspection is closed: its assessments can no longer be changed")


class NotEditable(Exception):
    pass


@dataclass(frozen=True)
class Conflict:
    question_id: str
    mine: Any
    theirs: Any
    theirs_by: str
    theirs_at: Any


@dataclass
class SaveResult:
    saved: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    ignored_stale: list[str] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts


def _instrument(assessment: Assessment) -> Instrument:
    return instrument_get(version=assessment.case.inspection.instrument)


def answers_of(assessment: Assessment) -> dict[str, Any]:
    return dict(assessment.answers.values_list("question_id", "value"))


def assessment_rescore(assessment: Assessment, ins: Instrument) -> None:
    """Recompute every answer's scoring class: applicability may have changed with a case
    detail or another answer, and an answer to a question that no longer applies is excluded."""
    rows = list(assessment.answers.all())
    changed = _scoring_changes(
        ins, assessment.case.details, rows, instrument_expressions(version=assessment.case.inspection.instrument)
    )
    if changed:
        Answer.objects.bulk_update(changed, ["scoring"])


def _scoring_changes(ins: Instrument, details: dict[str, Any], rows: list[Answer], expressions: Any) -> list[Answer]:
    """Set each row's scoring class in memory (applicability over all of ``rows``) and
    return the rows whose class changed. Nothing is written."""
    answers = {a.question_id: a.value for a in rows}
    applies = applicability(ins, details, answers, expressions)
    changed = []
    for a in rows:
        try:
            q = ins.question(a.question_id)
        except KeyError:
            continue
        sc = scoring_of(ins, q, a.value)
        new = "" if sc is None else ("excluded" if not applies[q.id].applies else sc.value)
        if a.scoring != new:
            a.scoring = new
            changed.append(a)
    return changed


def assessment_save_section(
    *,
    assessment: Assessment,
    actor: Any,
    section_id: str,
    values: dict[str, Any],
    comments: dict[str, str],
    base_versions: dict[str, int],
    client_stamp: int,
    force: bool = False,
    client_tab: str = "",
) -> SaveResult:
    """Save the answers of one section.

    * Every value is validated first; one bad value saves nothing.
    * Optimistic locking: an answer changed by someone else since the page was shown is a
      conflict and nothing is saved (``force`` after the user chose "keep mine").
    * The same person is held to the same versions: a value based on an older version, sent
      from another tab or device (``client_tab``), is a conflict too, never written over the
      answer they saved elsewhere. Only a later edit from the tab that saved the answer may
      follow its own earlier save (its autosaves and the save made as it was left can cross).
    * Autosaves can arrive out of order: an edit older (by ``client_stamp``) than the stored
      one is ignored, never written over newer answers.
    """
    ins = _instrument(assessment)
    section = next((s for s in ins.sections() if s.id == section_id), None)
    if section is None:
        raise KeyError(section_id)
    result = SaveResult()
    cleaned: dict[str, Any] = {}
    for q in section.questions:
        if q.id not in values and q.id not in comments:
            continue
        try:
            cleaned[q.id] = clean_answer(ins, q, values.get(q.id))
        except AnswerError as exc:
            result.errors[q.id] = str(exc)
            continue
        bad = control_character(comments.get(q.id) or "", allow_line_breaks=True)
        if bad is not None:
            result.errors[q.id] = f"{q.id}: remove the control character {bad} from the comment"
    if result.errors:
        return result
    # The instrument version is already loaded with the assessment (permissions.assessment_for):
    # reading it again through ``locked`` would fetch its whole definition from the database.
    expressions = instrument_expressions(version=assessment.case.inspection.instrument)
    with transaction.atomic():
        # Locks the assessment row only; the case comes along for its details (applicability)
        # and ids (audit) without another query.
        locked = Assessment.objects.select_for_update(of=("self",)).select_related("case").get(pk=assessment.pk)
        if not locked.editable:
            raise NotEditable(f"This assessment is {locked.get_status_display().lower()} and cannot be changed")
        _refuse_if_closed(locked.case.inspection_id)
        # Every answer of the assessment, locked: the ones this save may change, and the rest
        # for the applicability of the rescoring below (one query instead of two).
        rows = {a.question_id: a for a in Answer.objects.select_for_update().filter(assessment=locked).order_by("id")}
        writes: list[tuple[str, Answer | None, Any, str]] = []
        for qid, value in cleaned.items():
            comment = (comments.get(qid) or "").strip()[:5000]
            current = rows.get(qid)
            cur_value = current.value if current else None
            cur_comment = current.comment if current else ""
            if value == cur_value and comment == cur_comment:
                continue
            base = base_versions.get(qid, 0)
            cur_version = current.version if current else 0
            if cur_version != base and not force:
                same_person = current is not None and current.updated_by_id == getattr(actor, "pk", None)
                if same_person and client_stamp and current is not None and client_stamp < current.client_stamp:
                    result.ignored_stale.append(qid)
                    continue
                same_tab = same_person and bool(client_tab) and current is not None and current.client_tab == client_tab
                if not same_tab:
                    if same_person:
                        by = "you, in another tab or on another device"
                    elif current is not None and current.updated_by:
                        by = current.updated_by.get_full_name() or current.updated_by.username
                    else:
                        by = "someone else"
                    result.conflicts.append(Conflict(qid, value, cur_value, by, current.updated_at if current else None))
                    continue
            writes.append((qid, current, value, comment))
        if result.conflicts:
            return result
        olds: dict[str, tuple[Any, str]] = {}
        for qid, current, value, comment in writes:
            olds[qid] = (current.value, current.comment) if current else (None, "")
            if current is None:
                current = rows[qid] = Answer(assessment=locked, question_id=qid, version=1)
            else:
                current.version += 1
            current.value = value
            current.comment = comment
            current.updated_by = actor
            current.client_stamp = client_stamp or int(timezone.now().timestamp() * 1000)
            current.client_tab = client_tab[:40]
        # Rescore every answer (applicability may change with the new answers) before writing,
        # so each written answer is saved once with its scoring class.
        rescored = _scoring_changes(ins, locked.case.details, list(rows.values()), expressions)
        for qid, _current, value, comment in writes:
            rows[qid].save()
            result.saved.append(qid)
            old_value, old_comment = olds[qid]
            where = {"entity": "assessment", "entity_id": locked.pk, "inspection_id": locked.case.inspection_id,
                     "case_id": locked.case_id, "field": qid}
            if value != old_value or comment == old_comment:
                audit_record(actor=actor, action="answer", old=old_value, new=value, **where)
            if comment != old_comment:  # a comment-only edit is audited with the comment text
                audit_record(actor=actor, action="comment", old=old_comment or None, new=comment or None, **where)
        if result.saved and locked.status == Status.NOT_STARTED:
            locked.status = Status.IN_PROGRESS
            locked.save(update_fields=["status", "updated_at"])
        elif result.saved:
            locked.save(update_fields=["updated_at"])
        written = set(result.saved)
        if others := [a for a in rescored if a.question_id not in written]:
            Answer.objects.bulk_update(others, ["scoring"])
    section_ids = {q.id for q in section.questions}
    result.versions = {qid: a.version for qid, a in rows.items() if qid in section_ids}
    return result


@dataclass
class DetailsResult:
    errors: dict[str, str] = field(default_factory=dict)
    conflict: bool = False
    theirs: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    version: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflict


def case_details_save(
    *, case: Case, actor: Any, values: dict[str, Any], base_version: int, force: bool = False,
    errors: dict[str, str] | None = None,
) -> DetailsResult:
    """Save View 0 case details, optimistic locking on the whole record.

    One bad field never blocks the others: every valid field is saved and each invalid one
    is returned in ``errors`` (with ``errors`` passed in: fields the form could not even
    read, such as a date with no month). A conflict saves nothing."""
    ins = instrument_get(version=case.inspection.instrument)
    result = DetailsResult(errors=dict(errors or {}))
    cleaned: dict[str, Any] = {}
    for f in ins.case_details:
        if f.id not in values or f.id in result.errors:
            continue
        try:
            cleaned[f.id] = clean_answer(ins, f, values[f.id])
        except AnswerError as exc:
            result.errors[f.id] = str(exc)
    counted = Assessment.objects.filter(case=case, counts=True, status__in=(Status.SUBMITTED, Status.SIGNED_OFF)).exists()
    # Only a case that counts in findings changes the findings count table.
    with findings_change([case.pk]) if counted else transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _refuse_if_closed(locked.inspection_id)
        # A newer version is a conflict only if this save would change what it holds: the
        # tab's own autosave, still in flight when the form was posted, stored the same values.
        stale = locked.details_version != base_version and any(locked.details.get(fid) != v for fid, v in cleaned.items())
        if stale and not force:
            result.conflict = True
            result.theirs = dict(locked.details)
            result.version = locked.details_version
            return result
        if any(a.status in (Status.SUBMITTED, Status.SIGNED_OFF) for a in locked.assessments.all()) and not is_lead_of(actor, locked.inspection_id):
            raise NotEditable("The case details cannot be changed after the assessment is submitted")
        details = dict(locked.details)
        for fid, value in cleaned.items():
            if details.get(fid) != value:
                audit_record(
                    actor=actor, action="case_detail", entity="case", entity_id=locked.pk,
                    inspection_id=locked.inspection_id, case_id=locked.pk, field=fid, old=details.get(fid), new=value,
                )
                result.changed.append(fid)
                if value is None:
                    details.pop(fid, None)
                else:
                    details[fid] = value
        if result.changed:
            locked.details = details
            locked.details_version += 1
            locked.details_updated_by = actor
            locked.save(update_fields=["details", "details_version", "details_updated_by"])
            for a in locked.assessments.all():
                a.case = locked
                assessment_rescore(a, ins)
    case.refresh_from_db()
    result.version = case.details_version
    return result


@dataclass(frozen=True)
class SubmitBlockers:
    incomplete_sections: list[str]
    unexplained_warnings: list[str]
    # Case details still to record (ids) and, per incomplete section, its first unanswered
    # applicable question: the error summary links straight to them.
    missing_details: list[str] = field(default_factory=list)
    first_unanswered: dict[str, str] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.incomplete_sections or self.unexplained_warnings)


def assessment_blockers(*, assessment: Assessment) -> SubmitBlockers:
    ins = _instrument(assessment)
    answers = answers_of(assessment)
    applies = applicability(ins, assessment.case.details, answers, instrument_expressions(version=assessment.case.inspection.instrument))
    incomplete = [s.id for s in ins.sections() if section_status(s, applies, answers) != "completed"]
    first_unanswered = {}
    for s in ins.sections():
        if s.id in incomplete and (missing := section_unanswered(s, applies, answers)):
            first_unanswered[s.id] = missing[0]
    missing_details = [f.id for f in required_details(ins) if assessment.case.details.get(f.id) in (None, "", [])]
    if missing_details:
        incomplete.insert(0, "case details")
    warnings = consistency_warnings(ins, assessment.case.details, answers, applies)
    unexplained = [w.rule_id for w in warnings if not (assessment.explanations or {}).get(w.rule_id, "").strip()]
    return SubmitBlockers(incomplete, unexplained, missing_details, first_unanswered)


def required_details(ins: Instrument) -> list[Any]:
    """Case details needed before submission: those the instrument marks required and every
    detail that drives a subgroup table (sentence type, RoSH at start, gender, ethnicity,
    disability, age group in the 2013 guide): a case without them would drop out of the tables."""
    return [f for f in ins.case_details if f.required or f.subgroup]


def assessment_explain(*, assessment: Assessment, actor: Any, explanations: dict[str, str]) -> list[str]:
    """Store the assessor's explanations of consistency warnings. Only the ids of warnings
    the assessment raises now are accepted (an invented or stale id is not stored); returns
    the ids that were ignored."""
    ins = _instrument(assessment)
    expressions = instrument_expressions(version=assessment.case.inspection.instrument)
    ignored: list[str] = []
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().select_related("case").get(pk=assessment.pk)
        if not locked.editable:
            raise NotEditable("This assessment cannot be changed")
        _refuse_if_closed(locked.case.inspection_id)
        answers = answers_of(locked)
        applies = applicability(ins, locked.case.details, answers, expressions)
        raised = {w.rule_id for w in consistency_warnings(ins, locked.case.details, answers, applies)}
        current = dict(locked.explanations or {})
        for rid, text in explanations.items():
            if rid not in raised:
                ignored.append(rid)
                continue
            text = text.strip()[:2000]
            if current.get(rid, "") != text:
                audit_record(actor=actor, action="explain_warning", entity="assessment", entity_id=locked.pk,
                             inspection_id=locked.case.inspection_id, case_id=locked.case_id, field=rid,
                             old=current.get(rid), new=text)
                current[rid] = text
        locked.explanations = current
        locked.save(update_fields=["explanations", "updated_at"])
    assessment.refresh_from_db()
    return ignored


def _transition(assessment: Assessment, actor: Any, allowed_from: tuple[str, ...], to: str, **extra: Any) -> None:
    with findings_change([assessment.case_id]):
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status not in allowed_from:
            raise NotEditable(f"This assessment is {locked.get_status_display().lower()}")
        _refuse_if_closed(locked.case.inspection_id)
        old = locked.status
        locked.status = to
        for k, v in extra.items():
            setattr(locked, k, v)
        locked.save()
        audit_record(actor=actor, action=f"status:{to}", entity="assessment", entity_id=locked.pk,
                     inspection_id=locked.case.inspection_id, case_id=locked.case_id, field="status", old=old, new=to)
    assessment.refresh_from_db()


def assessment_submit(*, assessment: Assessment, actor: Any) -> SubmitBlockers:
    blockers = assessment_blockers(assessment=assessment)
    if blockers.any:
        return blockers
    _transition(assessment, actor, (Status.IN_PROGRESS, Status.RETURNED, Status.NOT_STARTED), Status.SUBMITTED, submitted_at=timezone.now())
    return blockers


def assessment_return(*, assessment: Assessment, actor: Any, reason: str) -> None:
    _transition(assessment, actor, (Status.SUBMITTED,), Status.RETURNED, return_reason=reason.strip()[:2000])


class SignOffRefused(Exception):
    """Sign-off of an assessment that is incomplete or has unexplained warnings."""

    def __init__(self, blockers: SubmitBlockers) -> None:
        self.blockers = blockers
        super().__init__("This assessment cannot be signed off until it is complete and every warning is explained")


def assessment_sign_off(*, assessment: Assessment, actor: Any) -> None:
    """Sign off a submitted assessment. Refused (``SignOffRefused``) while a section is
    incomplete or a consistency warning is unexplained: answers can change after submission
    (a lead's change to the case details makes a question apply, an import)."""
    blockers = assessment_blockers(assessment=assessment)
    if blockers.any:
        raise SignOffRefused(blockers)
    _transition(assessment, actor, (Status.SUBMITTED,), Status.SIGNED_OFF, signed_off_at=timezone.now(), signed_off_by=actor)
