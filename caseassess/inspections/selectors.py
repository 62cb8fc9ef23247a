from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.inspections.models import Inspection


@dataclass(frozen=True)
class Progress:
    by_status: list[tuple[str, str, int]]
    by_assessor: list[tuple[str, dict[str, int], int]]
    total: int


def inspection_progress(*, inspection: Inspection) -> Progress:
    rows = list(
        Assessment.objects.filter(case__inspection=inspection).values_list("status", "assessor__username")
    )
    by_status = Counter(s for s, _ in rows)
    per: dict[str, Counter[str]] = {}
    for status, who in rows:
        per.setdefault(who or "Not allocated", Counter())[status] += 1
    return Progress(
        [(s.value, str(s.label), by_status.get(s.value, 0)) for s in Status],
        [(who, dict(c), sum(c.values())) for who, c in sorted(per.items())],
        len(rows),
    )


def inspection_assessments(*, inspection: Inspection, user: Any) -> list[Assessment]:
    qs = Assessment.objects.filter(case__inspection=inspection).select_related("case", "assessor").order_by("case__case_ref", "id")
    if not user.is_lead:
        qs = qs.filter(assessor=user)
    return list(qs)


@dataclass(frozen=True)
class DisagreementSummary:
    rule: str
    target: str
    cases: list[str]


def inspection_disagreements(*, inspection: Inspection) -> list[DisagreementSummary]:
    """Where assessors' answers differ from the decision aids, per rule and question."""
    from caseassess.assessments.rules import disagreements
    from caseassess.instruments.selectors import instrument_get

    ins = instrument_get(version=inspection.instrument)
    answers: dict[int, dict[str, Any]] = {}
    for aid, qid, value in Answer.objects.filter(assessment__case__inspection=inspection).values_list("assessment_id", "question_id", "value"):
        answers.setdefault(aid, {})[qid] = value
    found: dict[tuple[str, str], list[str]] = {}
    for a in Assessment.objects.filter(case__inspection=inspection).select_related("case"):
        for d in disagreements(ins, dict(a.case.details), answers.get(a.pk, {})):
            found.setdefault((d.rule.title, d.label), []).append(a.case.case_ref)
    return [DisagreementSummary(r, t, sorted(set(c))) for (r, t), c in sorted(found.items())]
