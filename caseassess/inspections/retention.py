"""Retention: after a programme's retention date its case references and free text are
pseudonymised; answers, scoring classes, subgroup case details and every count are kept,
so the published findings reproduce exactly (docs/security.md, "Retention").

What is changed, per inspection of the programme:
* each case reference becomes ``PSN-`` and 12 hex characters, a keyed hash under a random key
  that is discarded after the run (the same reference maps to the same pseudonym in case
  records, caseload uploads and sample draws, and cannot be mapped back);
* free text is removed: answer comments, answers to free-text questions, free-text case
  details, explanations of consistency warnings, return reasons, moderation reasons.

A programme is pseudonymised once (``pseudonymised_at``); the run is one transaction and
audited with the counts (never the references). ``dry_run`` reports the same counts and
writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment
from caseassess.audit.services import audit_record
from caseassess.inspections.models import Case, Programme
from caseassess.instruments.selectors import instrument_get
from caseassess_core.instrument.schema import AnswerType

REMOVED = "[removed at retention]"


@dataclass
class RetentionPlan:
    programme: str
    retention_date: dt.date
    case_refs: int = 0
    comments: int = 0
    text_answers: int = 0
    text_details: int = 0
    explanations: int = 0
    return_reasons: int = 0
    moderation_reasons: int = 0
    caseload_rows: int = 0

    def summary(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def programmes_due(*, today: dt.date) -> list[Programme]:
    return list(Programme.objects.filter(retention_date__lt=today, pseudonymised_at__isnull=True).order_by("retention_date", "name"))


def _walk(value: Any, refs: dict[str, str]) -> tuple[Any, int]:
    """``value`` with every string (and key) that is a known case reference replaced."""
    if isinstance(value, str):
        return (refs[value], 1) if value in refs else (value, 0)
    if isinstance(value, list):
        out, n = [], 0
        for v in value:
            w, k = _walk(v, refs)
            out.append(w)
            n += k
        return out, n
    if isinstance(value, dict):
        d, n = {}, 0
        for key, v in value.items():
            w, k = _walk(v, refs)
            d[refs.get(key, key)] = w
            n += k + (1 if key in refs else 0)
        return d, n
    return value, 0


def _pseudonymise(programme: Programme, *, dry_run: bool) -> RetentionPlan:
    from caseassess.sampling.models import CaseloadUpload, ModerationDecision, SampleDraw

    plan = RetentionPlan(programme.name, programme.retention_date)  # type: ignore[arg-type]
    key = secrets.token_bytes(32)  # discarded after the run: pseudonyms cannot be mapped back

    def pseudonym(ref: str) -> str:
        return "PSN-" + hmac.new(key, ref.encode("utf-8"), hashlib.sha256).hexdigest()[:12].upper()

    for insp in programme.inspections.select_related("instrument").order_by("pk"):
        ins = instrument_get(version=insp.instrument)
        text_questions = {q.id for q in ins.questions() if q.type == AnswerType.TEXT}
        text_details = {f.id for f in ins.case_details if f.type == AnswerType.TEXT}
        cases = list(Case.objects.filter(inspection=insp))
        uploads = list(CaseloadUpload.objects.filter(inspection=insp))
        refs = {c.case_ref: pseudonym(c.case_ref) for c in cases if not c.case_ref.startswith("PSN-")}
        for up in uploads:
            for row in up.rows or []:
                if isinstance(row, dict) and isinstance(row.get("case_ref"), str) and not row["case_ref"].startswith("PSN-"):
                    refs.setdefault(row["case_ref"], pseudonym(row["case_ref"]))
        plan.case_refs += sum(1 for c in cases if c.case_ref in refs)
        for c in cases:
            details = dict(c.details or {})
            removed = [f for f in text_details if details.get(f) not in (None, "", REMOVED)]
            plan.text_details += len(removed)
            if not dry_run and (c.case_ref in refs or removed):
                for f in removed:
                    details[f] = REMOVED
                Case.objects.filter(pk=c.pk).update(case_ref=refs.get(c.case_ref, c.case_ref), details=details)
        answers = Answer.objects.filter(assessment__case__inspection=insp)
        with_comment = answers.exclude(comment="").exclude(comment=REMOVED)
        text_answers = answers.filter(question_id__in=text_questions, value__isnull=False).exclude(value="").exclude(value=REMOVED)
        plan.comments += with_comment.count()
        plan.text_answers += text_answers.count()
        assessments = Assessment.objects.filter(case__inspection=insp)
        with_reason = assessments.exclude(return_reason="").exclude(return_reason=REMOVED)
        plan.return_reasons += with_reason.count()
        explained = [(a.pk, a.explanations) for a in assessments.exclude(explanations={}) if any(v and v != REMOVED for v in a.explanations.values())]
        plan.explanations += sum(sum(1 for v in e.values() if v and v != REMOVED) for _, e in explained)
        decisions = ModerationDecision.objects.filter(double__case__inspection=insp).exclude(reason="").exclude(reason=REMOVED)
        plan.moderation_reasons += decisions.count()
        for up in uploads:
            rows, n = _walk(up.rows, refs)
            plan.caseload_rows += n
            if not dry_run and n:
                CaseloadUpload.objects.filter(pk=up.pk).update(rows=rows)
        if dry_run:
            continue
        with_comment.update(comment=REMOVED)
        text_answers.update(value=REMOVED)
        with_reason.update(return_reason=REMOVED)
        for pk, e in explained:
            Assessment.objects.filter(pk=pk).update(explanations={k: (REMOVED if v else v) for k, v in e.items()})
        decisions.update(reason=REMOVED)
        for draw in SampleDraw.objects.filter(inspection=insp):
            result, n = _walk(draw.result, refs)
            if n:
                SampleDraw.objects.filter(pk=draw.pk).update(result=result)
    return plan


def retention_apply(*, today: dt.date | None = None, dry_run: bool = False, actor: Any = None) -> list[RetentionPlan]:
    """Pseudonymise every programme whose retention date has passed (all in one transaction)."""
    today = today or timezone.localdate()
    plans = []
    with transaction.atomic():
        for programme in programmes_due(today=today):
            plan = _pseudonymise(programme, dry_run=dry_run)
            plans.append(plan)
            if not dry_run:
                Programme.objects.filter(pk=programme.pk).update(pseudonymised_at=timezone.now())
                audit_record(actor=actor, action="retention_apply", entity="programme", entity_id=programme.pk,
                             field="pseudonymised", old=None, new={"retention_date": programme.retention_date.isoformat(), **plan.summary()})  # type: ignore[union-attr]
    return plans
