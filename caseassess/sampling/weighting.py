"""Design-weighted headline and general criteria scores (pure Python, no Django).

The sample over-represents some cells by design (high RoSH cases above all), so
"all cases" scores from the sample describe the sample, not the caseload. Each
case carries a design weight (eligible cases in its cell over sampled cases in its
cell); weighting an answer by its case's weight estimates the caseload score.

Input rows come from one grouped query: (question id, scoring, weight, n answers).
Excluded answers are left out of both the numerator and N, as everywhere else.
The effective sample size is Kish's (sum w)^2 / sum w^2 over the scored answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple


class WeightedCountRow(NamedTuple):
    question_id: str
    scoring: str
    weight: float
    n: int


@dataclass(frozen=True)
class WeightedScore:
    kind: str
    id: str
    title: str
    n: int
    pct: float | None
    weighted_n: float
    effective_n: float | None


def weighted_scores(instrument: Any, rows: Iterable[WeightedCountRow]) -> list[WeightedScore]:
    """Every headline and general criteria score, weighted; in instrument order."""
    by_question: dict[str, list[float]] = {}
    for qid, scoring, weight, n in rows:
        if scoring not in ("sufficient", "insufficient"):
            continue
        if n < 0 or weight < 0:
            raise ValueError(f"row {(qid, scoring, weight, n)!r}: negative count or weight")
        cell = by_question.setdefault(qid, [0.0, 0.0, 0.0, 0.0])  # sufficient w, total w, total w^2, n
        if scoring == "sufficient":
            cell[0] += weight * n
        cell[1] += weight * n
        cell[2] += weight * weight * n
        cell[3] += n
    out = []
    for kind, score in instrument.all_scores():
        s = t = t2 = 0.0
        n = 0
        for qid in instrument.score_members(score):
            cell = by_question.get(qid)
            if cell:
                s, t, t2, n = s + cell[0], t + cell[1], t2 + cell[2], n + int(cell[3])
        out.append(
            WeightedScore(
                kind, score.id, score.title, n,
                None if t == 0 else 100 * s / t,
                t,
                None if t2 == 0 else t * t / t2,
            )
        )
    return out
