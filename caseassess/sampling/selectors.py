"""Reads for sampling and quality pages: plain dataclasses for templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform

from caseassess.assessments.models import Answer, Assessment
from caseassess.inspections.models import Inspection
from caseassess.reporting.selectors import COUNTED, answer_counts, scope_instrument
from caseassess.sampling.models import BenchmarkCase, DoubleAssessment
from caseassess.sampling.quality import DONE
from caseassess.sampling.services import DESIGN_WEIGHT
from caseassess.sampling.weighting import WeightedCountRow, WeightedScore, weighted_scores
from caseassess_core.findings.tables import overall_scores
from caseassess_core.instrument.text import people_text
from caseassess_core.statistics.agreement import (
    AgreementReport,
    PairAgreement,
    agreement_from_pairs,
    agreement_report,
)
from caseassess_core.statistics.agreement import (
    DoubleAssessment as AnswerPair,
)

# ---------------------------------------------------------------- weighted findings


@dataclass(frozen=True)
class WeightedRow:
    kind: str
    id: str
    title: str
    unweighted_pct: int | None
    unweighted_n: int
    weighted_pct: float | None
    weighted_n: float
    effective_n: float | None


@dataclass(frozen=True)
class WeightedFindings:
    rows: list[WeightedRow]
    cases: int
    cases_without_weight: int


def weighted_counts(*, inspections: Sequence[Inspection]) -> tuple[list[WeightedCountRow], int, int]:
    """One grouped query: (question, scoring, design weight) -> n over the counting answers.
    A case with no design weight (not added from a sample) counts with weight 1."""
    qs = (
        Answer.objects.filter(assessment__case__inspection__in=inspections, assessment__counts=True, assessment__status__in=COUNTED)
        .exclude(scoring="")
        .annotate(w=KeyTextTransform(DESIGN_WEIGHT, "assessment__case__details"))
        .values_list("question_id", "scoring", "w")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [WeightedCountRow(q, s, 1.0 if w in (None, "") else float(w), n) for q, s, w, n in qs]
    cases = (
        Assessment.objects.filter(case__inspection__in=inspections, counts=True, status__in=COUNTED)
        .annotate(w=KeyTextTransform(DESIGN_WEIGHT, "case__details"))
        .values_list("w").annotate(n=Count("case_id", distinct=True)).order_by()
    )
    total = without = 0
    for w, n in cases:
        total += n
        if w in (None, ""):
            without += n
    return rows, total, without


def weighted_findings(*, inspections: Sequence[Inspection]) -> WeightedFindings:
    inspections = list(inspections)
    ins = scope_instrument(inspections)
    published = {r.id: r for r in overall_scores(ins, answer_counts(inspections=inspections, by=None))}
    rows, cases, without = weighted_counts(inspections=inspections)
    weighted: list[WeightedScore] = weighted_scores(ins, rows)
    out = []
    for w in weighted:
        cell = published[w.id].cells[0]
        out.append(WeightedRow(w.kind, w.id, w.title, cell.pct, cell.n, w.pct, w.weighted_n, w.effective_n))
    return WeightedFindings(out, cases, without)


# ---------------------------------------------------------------- agreement


@dataclass(frozen=True)
class AgreementView:
    report: AgreementReport
    cases: int
    labels: dict[str, str] = field(default_factory=dict)
    # kappa (and the low-agreement flag) is shown only from this many double-assessed cases
    min_cases: int = 10


def _value_text(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        return ";".join(sorted(str(v) for v in value))
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in sorted(value.items()))
    return str(value)


def agreement_for(*, inspections: Sequence[Inspection]) -> AgreementView:
    """Agreement over every double-assessed case whose two assessments are both submitted.
    All answers of those assessments come from ONE query."""
    inspections = list(inspections)
    pairs = list(
        DoubleAssessment.objects.filter(case__inspection__in=inspections, first__status__in=DONE, second__status__in=DONE)
        .select_related("first__assessor", "second__assessor")
    )
    ins = scope_instrument(inspections) if inspections else None
    if not pairs or ins is None:
        return AgreementView(agreement_report([]), 0, min_cases=settings.KAPPA_MIN_CASES)
    scored = {q.id for q in ins.questions() if q.is_scored}
    section_of = {q.id: s.id for s in ins.sections() for q in s.questions}
    ids = [p.first_id for p in pairs] + [p.second_id for p in pairs]
    answers: dict[int, dict[str, Any]] = {}
    for aid, qid, value in Answer.objects.filter(assessment_id__in=ids, question_id__in=scored).values_list("assessment_id", "question_id", "value"):
        answers.setdefault(aid, {})[qid] = value
    rows = []
    for p in pairs:
        a, b = answers.get(p.first_id, {}), answers.get(p.second_id, {})
        who = (_name(p.first.assessor), _name(p.second.assessor))
        for qid in sorted(set(a) | set(b)):
            rows.append(AnswerPair(qid, section_of.get(qid, "?"), who, _value_text(a.get(qid)), _value_text(b.get(qid))))
    labels = {q.id: people_text(q.key_aspect or q.text) for q in ins.questions()} | {s.id: s.title for s in ins.sections()}
    return AgreementView(agreement_report(rows), len(pairs), labels, min_cases=settings.KAPPA_MIN_CASES)


def _name(user: Any) -> str:
    return user.username if user is not None else "not allocated"


# ---------------------------------------------------------------- double assessment and moderation


@dataclass(frozen=True)
class DoubleRow:
    pk: int
    case_ref: str
    first_pk: int
    first_assessor: str
    first_status: str
    second_pk: int
    second_assessor: str
    second_status: str
    moderated_pk: int | None
    ready: bool


def double_assessments(*, inspection: Inspection) -> list[DoubleRow]:
    out = []
    for p in DoubleAssessment.objects.filter(case__inspection=inspection).select_related("case", "first__assessor", "second__assessor"):
        out.append(DoubleRow(p.pk, p.case.case_ref, p.first_id, _name(p.first.assessor), p.first.get_status_display(), p.second_id,
                             _name(p.second.assessor), p.second.get_status_display(), p.moderated_id,
                             p.first.status in DONE and p.second.status in DONE))
    return out


# ---------------------------------------------------------------- benchmark


@dataclass(frozen=True)
class BenchmarkAttempt:
    assessment_pk: int
    assessor: str
    status: str
    done: bool
    agreement: PairAgreement | None
    differences: list[tuple[str, str, str | None, str | None]]


@dataclass(frozen=True)
class BenchmarkView:
    pk: int
    case_ref: str
    reference_pk: int
    reference_assessor: str
    attempts: list[BenchmarkAttempt]


def benchmarks(*, inspection: Inspection) -> list[BenchmarkView]:
    """Each benchmark case with each assessor's agreement with the reference answers.
    One query for the answers of every reference and attempt."""
    benches = list(BenchmarkCase.objects.filter(case__inspection=inspection).select_related("case", "reference__assessor"))
    if not benches:
        return []
    ins = scope_instrument([inspection])
    scored = [q for q in ins.questions() if q.is_scored]
    attempts_by_case: dict[int, list[Assessment]] = {}
    for a in (
        Assessment.objects.filter(case__in=[b.case for b in benches], counts=False).select_related("assessor").order_by("assessor__username", "id")
    ):
        attempts_by_case.setdefault(a.case_id, []).append(a)
    ids = [b.reference_id for b in benches] + [a.pk for lst in attempts_by_case.values() for a in lst]
    answers: dict[int, dict[str, Any]] = {}
    for aid, qid, value in Answer.objects.filter(assessment_id__in=ids).values_list("assessment_id", "question_id", "value"):
        answers.setdefault(aid, {})[qid] = value
    out = []
    for b in benches:
        ref = answers.get(b.reference_id, {})
        rows = []
        for a in attempts_by_case.get(b.case_id, []):
            if a.pk == b.reference_id:
                continue
            done = a.status in DONE
            mine = answers.get(a.pk, {})
            asked = [q for q in scored if q.id in ref or q.id in mine]
            pairs = [(_value_text(ref.get(q.id)), _value_text(mine.get(q.id))) for q in asked]
            diffs = [(q.id, people_text(q.key_aspect or q.text), r, m) for q, (r, m) in zip(asked, pairs, strict=True) if r != m]
            rows.append(BenchmarkAttempt(a.pk, _name(a.assessor), a.get_status_display(), done,
                                         agreement_from_pairs(pairs) if done else None, diffs if done else []))
        out.append(BenchmarkView(b.pk, b.case.case_ref, b.reference_id, _name(b.reference.assessor), rows))
    return out
