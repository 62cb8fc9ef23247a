from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from caseassess.assessments.models import Assessment, Status
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
