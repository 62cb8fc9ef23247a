"""Reads for assessment pages, returned as plain dataclasses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from caseassess.assessments.models import Assessment
from caseassess.instruments.selectors import instrument_expressions, instrument_get
from caseassess_core.instrument.schema import Instrument, Section
from caseassess_core.scoring.assess import (
    Applicability,
    RuleWarning,
    applicability,
    consistency_warnings,
    section_status,
    unanswered,
)

STATUS_LABEL = {"not_started": "Not started", "in_progress": "In progress", "completed": "Completed"}


@dataclass(frozen=True)
class TaskRow:
    key: str
    title: str
    status: str
    href_name: str
    section_id: str | None
    unanswered: int


@dataclass(frozen=True)
class TaskGroup:
    title: str
    rows: list[TaskRow]


@dataclass(frozen=True)
class AssessmentState:
    instrument: Instrument
    answers: dict[str, Any]
    comments: dict[str, str]
    versions: dict[str, int]
    applies: dict[str, Applicability]
    warnings: list[RuleWarning]
    groups: list[TaskGroup]
    completed: int
    total: int
    last_saved: Any


def assessment_state(*, assessment: Assessment) -> AssessmentState:
    version = assessment.case.inspection.instrument
    ins = instrument_get(version=version)
    rows = list(assessment.answers.values_list("question_id", "value", "comment", "version", "updated_at"))
    answers = {r[0]: r[1] for r in rows}
    comments = {r[0]: r[2] for r in rows}
    versions = {r[0]: r[3] for r in rows}
    last_saved = max((r[4] for r in rows), default=None)
    case = assessment.case.details
    applies = applicability(ins, case, answers, instrument_expressions(version=version))
    warnings = consistency_warnings(ins, case, answers, applies)
    filled = [f for f in ins.case_details if case.get(f.id) not in (None, "", [])]
    required = [f for f in ins.case_details if f.required]
    if required:
        details_status = "completed" if all(case.get(f.id) not in (None, "", []) for f in required) else ("in_progress" if filled else "not_started")
    else:
        details_status = "completed" if filled else "not_started"
    groups = [TaskGroup("View 0: case details", [TaskRow("case-details", "Case details", details_status, "assessments:case_details", None, 0)])]
    for view in ins.views:
        trs = []
        for sec in view.sections:
            st = section_status(sec, applies, answers)
            missing = sum(
                1 for q in sec.questions if applies[q.id].applies and q.is_scored and answers.get(q.id) in (None, "")
            )
            trs.append(TaskRow(sec.id, f"{sec.id} {sec.title}", st, "assessments:section", sec.id, missing))
        groups.append(TaskGroup(f"View {view.id}: {view.title}", trs))
    all_rows = [r for g in groups for r in g.rows]
    completed = sum(1 for r in all_rows if r.status == "completed")
    return AssessmentState(ins, answers, comments, versions, applies, warnings, groups, completed, len(all_rows), last_saved)


_ANSWER_REF = re.compile(r"answer\(\s*['\"]([^'\"]+)['\"]\s*\)")


def answered_on_the_page(section: Section) -> set[str]:
    """Questions of ``section`` whose applicability depends on another answer in the same
    section (B.4.1.14 applies when B.4.1.16 says the case is a MAPPA case). The page shows
    them as questions, with when they apply, so the assessor answers the whole section in
    one go instead of saving and coming back for a question that has just started to apply.
    An answer to a question that turns out not to apply is kept but excluded from scoring."""
    ids = {q.id for q in section.questions}
    return {q.id for q in section.questions if q.applies_when and ids & set(_ANSWER_REF.findall(q.applies_when)) - {q.id}}


def section_of(ins: Instrument, section_id: str) -> Section | None:
    return next((s for s in ins.sections() if s.id == section_id), None)


def next_section_id(ins: Instrument, section_id: str | None) -> str | None:
    ids = [s.id for s in ins.sections()]
    if section_id is None:
        return ids[0] if ids else None
    i = ids.index(section_id)
    return ids[i + 1] if i + 1 < len(ids) else None


def first_unanswered(state: AssessmentState) -> dict[str, str]:
    """Per section, the first applicable question that must be answered and is not: the
    place a "Complete this section" link goes to."""
    out: dict[str, str] = {}
    for sec in state.instrument.sections():
        for q in unanswered(sec, state.applies, state.answers):
            out[sec.id] = q.id
            break
    return out


def next_case_for(*, user: Any, after: Assessment) -> Assessment | None:
    """The assessor's next case still to do (not ``after``), for the confirmation page."""
    return (
        Assessment.objects.filter(assessor=user, status__in=("not_started", "in_progress", "returned"))
        .exclude(pk=after.pk).select_related("case").order_by("case__inspection_id", "case__case_ref").first()
    )
