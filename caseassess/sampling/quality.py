"""Writes for the quality features: double assessment, moderation and benchmark cases.
Transactional and audited."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.assessments.services import assessment_rescore
from caseassess.audit.services import audit_record
from caseassess.inspections.models import Case, Inspection
from caseassess.instruments.selectors import instrument_get
from caseassess.reporting.counts import findings_change
from caseassess.sampling.models import BenchmarkCase, DoubleAssessment, ModerationDecision
from caseassess_core.scoring.assess import AnswerError, clean_answer

DONE = (Status.SUBMITTED, Status.SIGNED_OFF)

CASE_ROLES = ("assessor", "lead_inspector")  # members who may be given cases (never analysts)


def _refuse_if_closed(inspection_id: int) -> None:
    """A closed inspection is read-only for assessment writes (its findings are still reported)."""
    if Inspection.objects.filter(pk=inspection_id, closed_at__isnull=False).exists():
        raise QualityError("This inspection is closed: its assessments can no longer be changed")


class QualityError(ValueError):
    pass


def double_assessment_candidates(*, inspection: Inspection, second_assessor: Any | None = None) -> list[Assessment]:
    """The counting assessments of cases not yet double assessed (nor benchmark cases),
    excluding those the second assessor is already doing."""
    qs = (
        Assessment.objects.filter(case__inspection=inspection, counts=True, case__double_assessment__isnull=True, case__benchmark__isnull=True)
        .select_related("case", "assessor").order_by("case__case_ref", "id")
    )
    if second_assessor is not None:
        qs = qs.exclude(assessor=second_assessor)
    return list(qs)


def double_assessment_choose(*, candidates: Sequence[Assessment], number: int | None = None, percent: float | None = None, seed: int = 0) -> list[Assessment]:
    """A seeded choice of ``number`` cases, or ``percent`` % of the candidates (rounded up)."""
    pool = sorted(candidates, key=lambda a: a.case.case_ref)
    if percent is not None:
        if not 0 < percent <= 100:
            raise QualityError("Enter a percentage between 1 and 100")
        number = -(-len(pool) * int(round(percent * 100)) // 10000)
    if number is None or number < 1:
        raise QualityError("Enter how many cases to double assess (at least 1)")
    if number > len(pool):
        raise QualityError(f"Only {len(pool)} cases can be double assessed by this assessor; you asked for {number}")
    return sorted(random.Random(seed).sample(pool, number), key=lambda a: a.case.case_ref)


def double_assessment_mark(*, inspection: Inspection, actor: Any, second_assessor: Any, firsts: Sequence[Assessment]) -> list[DoubleAssessment]:
    """Create a second, blind assessment (counts=False) by ``second_assessor`` on each case."""
    _refuse_if_closed(inspection.pk)
    if not inspection.memberships.filter(user_id=second_assessor.pk, role__in=CASE_ROLES).exclude(user__role="analyst").exists():
        raise QualityError(f"{second_assessor.username} is not part of this inspection")
    out = []
    with transaction.atomic():
        for first in firsts:
            if first.case.inspection_id != inspection.pk or not first.counts:
                raise QualityError(f"Case {first.case.case_ref} cannot be double assessed")
            if first.assessor_id == second_assessor.pk:
                raise QualityError(f"{second_assessor.username} is already the assessor of case {first.case.case_ref}; choose someone else")
            if DoubleAssessment.objects.filter(case=first.case).exists():
                raise QualityError(f"Case {first.case.case_ref} is already double assessed")
            second = Assessment.objects.create(case=first.case, assessor=second_assessor, counts=False)
            pair = DoubleAssessment.objects.create(case=first.case, first=first, second=second, marked_by=actor)
            audit_record(actor=actor, action="double_assessment_mark", entity="assessment", entity_id=second.pk,
                         inspection_id=inspection.pk, case_id=first.case_id, new={"first": first.pk, "second": second.pk, "second_assessor": second_assessor.username})
            out.append(pair)
    return out


def moderation_differences(*, pair: DoubleAssessment) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Both answer sets (choice questions) and the ids of questions where they differ, instrument order."""
    ins = instrument_get(version=pair.case.inspection.instrument)
    chosen = {q.id for q in ins.questions() if q.options is not None}
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    for aid, qid, value in Answer.objects.filter(assessment_id__in=[pair.first_id, pair.second_id], question_id__in=chosen).values_list("assessment_id", "question_id", "value"):
        (a if aid == pair.first_id else b)[qid] = value
    differ = [q.id for q in ins.questions() if q.id in chosen and _norm(a.get(q.id)) != _norm(b.get(q.id))]
    return a, b, differ


def _norm(value: Any) -> Any:
    if value in ("", []):
        return None
    return sorted(value) if isinstance(value, list) else value


def moderation_record(*, pair: DoubleAssessment, actor: Any, decisions: Mapping[str, tuple[Any, str]]) -> Assessment:
    """Record the agreed answer (with a reason) for every question where the assessors differ.

    The result is a third, moderated assessment (counts=True, signed off): the first
    assessment's answers overridden by the agreed ones, rescored. Both original
    assessments stop counting, so only the moderated answers reach the findings."""
    ins = instrument_get(version=pair.case.inspection.instrument)
    with findings_change([pair.case_id]):
        locked = DoubleAssessment.objects.select_for_update().select_related("first", "second", "case", "case__inspection").get(pk=pair.pk)
        if locked.moderated_id is not None:
            raise QualityError("This case has already been moderated")
        _refuse_if_closed(locked.case.inspection_id)
        if locked.first.status not in DONE or locked.second.status not in DONE:
            raise QualityError("Both assessments must be submitted before moderation")
        first_answers, second_answers, differ = moderation_differences(pair=locked)
        problems = []
        cleaned: dict[str, Any] = {}
        for qid in differ:
            value, reason = decisions.get(qid, (None, ""))
            if value in (None, "", []):
                problems.append(f"{qid}: choose the agreed answer")
                continue
            if not (reason or "").strip():
                problems.append(f"{qid}: give the reason for the agreed answer")
            try:
                cleaned[qid] = clean_answer(ins, ins.question(qid), value)
            except AnswerError as exc:
                problems.append(str(exc))
        if problems:
            raise QualityError("; ".join(problems))
        now = timezone.now()
        moderated = Assessment.objects.create(
            case=locked.case, assessor=actor, counts=True, status=Status.SIGNED_OFF, submitted_at=now,
            signed_off_at=now, signed_off_by=actor, explanations=dict(locked.first.explanations or {}),
        )
        copied = [
            Answer(assessment=moderated, question_id=a.question_id, value=cleaned.get(a.question_id, a.value), comment=a.comment, updated_by=actor)
            for a in locked.first.answers.all()
        ]
        missing = [qid for qid in cleaned if qid not in {a.question_id for a in copied}]
        copied += [Answer(assessment=moderated, question_id=qid, value=cleaned[qid], updated_by=actor) for qid in missing]
        Answer.objects.bulk_create(copied)
        assessment_rescore(moderated, ins)
        for qid in differ:
            ModerationDecision.objects.create(double=locked, question_id=qid, first_value=first_answers.get(qid),
                                              second_value=second_answers.get(qid), agreed_value=cleaned[qid], reason=decisions[qid][1].strip()[:2000])
            audit_record(actor=actor, action="moderate", entity="assessment", entity_id=moderated.pk, inspection_id=locked.case.inspection_id,
                         case_id=locked.case_id, field=qid, old={"first": first_answers.get(qid), "second": second_answers.get(qid)},
                         new={"agreed": cleaned[qid], "reason": decisions[qid][1].strip()[:2000]})
        for original in (locked.first, locked.second):
            if original.counts:
                Assessment.objects.filter(pk=original.pk).update(counts=False, updated_at=now)
                audit_record(actor=actor, action="counts", entity="assessment", entity_id=original.pk, inspection_id=locked.case.inspection_id,
                             case_id=locked.case_id, field="counts", old=True, new=False)
        locked.moderated = moderated
        locked.moderated_by = actor
        locked.moderated_at = now
        locked.save(update_fields=["moderated", "moderated_by", "moderated_at"])
        audit_record(actor=actor, action="moderation_complete", entity="assessment", entity_id=moderated.pk, inspection_id=locked.case.inspection_id,
                     case_id=locked.case_id, new={"moderated": moderated.pk, "differences": len(differ)})
    pair.refresh_from_db()
    return moderated


def benchmark_mark(*, case: Case, reference: Assessment, actor: Any) -> BenchmarkCase:
    """Mark a case as a benchmark (reference) case; ``reference`` holds the agreed answers."""
    _refuse_if_closed(case.inspection_id)
    if reference.case_id != case.pk:
        raise QualityError("The reference answers must be an assessment of the same case")
    if reference.status not in DONE:
        raise QualityError("The reference assessment must be submitted or signed off")
    with transaction.atomic():
        if BenchmarkCase.objects.filter(case=case).exists():
            raise QualityError(f"Case {case.case_ref} is already a benchmark case")
        bench = BenchmarkCase.objects.create(case=case, reference=reference, created_by=actor)
        audit_record(actor=actor, action="benchmark_mark", entity="case", entity_id=case.pk, inspection_id=case.inspection_id,
                     case_id=case.pk, new={"reference": reference.pk})
    return bench


def benchmark_assign(*, bench: BenchmarkCase, actor: Any, assessor: Any) -> Assessment:
    """Give an assessor the benchmark case to complete (an assessment with counts=False)."""
    _refuse_if_closed(bench.case.inspection_id)
    if not bench.case.inspection.memberships.filter(user_id=assessor.pk, role__in=CASE_ROLES).exclude(user__role="analyst").exists():
        raise QualityError(f"{assessor.username} is not part of this inspection")
    with transaction.atomic():
        if Assessment.objects.filter(case=bench.case, assessor=assessor).exists():
            raise QualityError(f"{assessor.username} already has an assessment of case {bench.case.case_ref}")
        attempt = Assessment.objects.create(case=bench.case, assessor=assessor, counts=False)
        audit_record(actor=actor, action="benchmark_assign", entity="assessment", entity_id=attempt.pk, inspection_id=bench.case.inspection_id,
                     case_id=bench.case_id, new={"assessor": assessor.username})
    return attempt
