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
    from caseassess.inspections.permissions import is_lead_of

    if not is_lead_of(user, inspection):
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
    overrides = area_tiering_overrides(inspection=inspection, ins=ins)
    answers: dict[int, dict[str, Any]] = {}
    for aid, qid, value in Answer.objects.filter(assessment__case__inspection=inspection).values_list("assessment_id", "question_id", "value"):
        answers.setdefault(aid, {})[qid] = value
    found: dict[tuple[str, str], list[str]] = {}
    for a in Assessment.objects.filter(case__inspection=inspection).select_related("case"):
        for d in disagreements(ins, dict(a.case.details), answers.get(a.pk, {}), local_overrides=overrides):
            found.setdefault((d.rule.title, d.label), []).append(a.case.case_ref)
    return [DisagreementSummary(r, t, sorted(set(c))) for (r, t), c in sorted(found.items())]


@dataclass(frozen=True)
class LocalTieringRow:
    """One row of the tiering grid left to local determination, with the area's choice."""

    row_id: str
    condition: str
    default_tiers: tuple[str, ...]
    chosen: str | None  # a tier, or None for the grid's default tick


def local_tiering_rows(*, ins: Any) -> list[dict[str, Any]]:
    """The rows of the instrument's tiering grid marked ``local_determination`` (none without a grid)."""
    from caseassess_core.rules.base import has_table, rows

    if not has_table(ins, "tiering_grid"):
        return []
    return [r for r in rows(ins, "tiering_grid") if r.get("local_determination")]


def area_tiering_overrides(*, inspection: Inspection, ins: Any) -> dict[str, str]:
    """The area's local determination for the rows of this instrument's grid (row id -> tier).

    Entries for rows the grid does not leave to local determination, or for tiers that are
    not tiers, are ignored so that a later instrument version never breaks the suggestions."""
    from caseassess.inspections.models import Area
    from caseassess_core.rules.base import TIERS

    stored = Area.objects.filter(pk=inspection.area_id).values_list("tiering_local_determination", flat=True).first()
    if not stored:
        return {}
    local = {r["id"] for r in local_tiering_rows(ins=ins)}
    return {row_id: tier for row_id, tier in stored.items() if row_id in local and tier in TIERS}


def area_tiering_rows(*, inspection: Inspection, ins: Any) -> list[LocalTieringRow]:
    from caseassess_core.rules.base import TIERS

    chosen = area_tiering_overrides(inspection=inspection, ins=ins)
    return [
        LocalTieringRow(str(r["id"]), str(r["condition"]), tuple(t for t in TIERS if r.get(t)), chosen.get(str(r["id"])))
        for r in local_tiering_rows(ins=ins)
    ]


@dataclass(frozen=True)
class WorkDone:
    """Answers already recorded on an assessment, for the warning before reallocating it."""

    assessment: Assessment
    answers: int
    by: list[str]  # people who saved them, most answers first
    last_saved: Any


def allocation_work(*, assessments: list[Assessment]) -> list[WorkDone]:
    """The assessments among ``assessments`` that have answers, with how many and by whom."""
    from django.db.models import Count, Max

    rows = (
        Answer.objects.filter(assessment__in=assessments)
        .values("assessment_id", "updated_by__first_name", "updated_by__last_name", "updated_by__username")
        .annotate(n=Count("id"), last=Max("updated_at"))
    )
    per: dict[int, list[tuple[int, str, Any]]] = {}
    for r in rows:
        name = f"{r['updated_by__first_name']} {r['updated_by__last_name']}".strip() or r["updated_by__username"] or "an import"
        per.setdefault(r["assessment_id"], []).append((r["n"], name, r["last"]))
    out = []
    for a in assessments:
        if a.pk in per:
            items = sorted(per[a.pk], key=lambda t: -t[0])
            out.append(WorkDone(a, sum(n for n, _, _ in items), [name for _, name, _ in items], max(last for _, _, last in items)))
    return out
