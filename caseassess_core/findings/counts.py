"""Findings input: counts from one grouped database query, never individual answers.

The Django layer runs one query per grouping dimension, e.g.::

    Answer.objects.values_list("question_id", "case__rosh", "scoring").annotate(n=Count("id"))

and passes the rows as ``CountRow(*row)``. ``group`` is the subgroup value of the
dimension (``"licence"``, ``"female"``, an area name) or ``None`` when the case has
no value for it; such cases still count in "All cases".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from caseassess_core.instrument.schema import Scoring
from caseassess_core.statistics.proportions import Proportion

_SCORINGS = {s.value for s in Scoring}


class CountRow(NamedTuple):
    """Answers to one question, in one subgroup, with one scoring outcome."""

    question_id: str
    group: str | None
    scoring: str  # 'sufficient' | 'insufficient' | 'excluded'
    n: int


class CaseCount(NamedTuple):
    """Cases with one value of one case-detail field (Annex 1). ``value`` None = not recorded."""

    field: str
    value: str | None
    n_cases: int


class CountIndex:
    """Sufficient and scored (sufficient + insufficient) totals by question and group.

    Excluded answers are dropped here, so they are out of both % and N everywhere.
    Rows with the same key are summed. Building the index is linear in the number
    of rows; every lookup afterwards is a dictionary access.
    """

    __slots__ = ("_by_question", "_groups")

    def __init__(self, rows: Iterable[CountRow | tuple[str, str | None, str, int]]) -> None:
        by_question: dict[str, dict[str | None, list[int]]] = {}
        groups: dict[str | None, None] = {}
        for row in rows:
            qid, group, scoring, n = row
            scoring = getattr(scoring, "value", scoring)  # accept the Scoring enum too
            if scoring not in _SCORINGS:
                raise ValueError(f"count row {tuple(row)!r}: scoring must be one of {sorted(_SCORINGS)}")
            if n < 0:
                raise ValueError(f"count row {tuple(row)!r}: negative count")
            groups.setdefault(group, None)
            if scoring == Scoring.EXCLUDED.value:
                continue
            cell = by_question.setdefault(qid, {}).setdefault(group, [0, 0])
            if scoring == Scoring.SUFFICIENT.value:
                cell[0] += n
            cell[1] += n
        self._by_question = by_question
        self._groups = groups

    def groups(self) -> list[str | None]:
        """Every group value seen (including ones with only excluded answers), first-seen order."""
        return list(self._groups)

    def proportion(self, question_ids: Sequence[str], values: Iterable[str | None] | None = None) -> Proportion:
        """Pooled sufficient / N over ``question_ids`` in the groups ``values`` (None = every group)."""
        wanted = None if values is None else set(values)
        succ = total = 0
        for qid in question_ids:
            for group, (s, n) in self._by_question.get(qid, {}).items():
                if wanted is None or group in wanted:
                    succ += s
                    total += n
        return Proportion(succ, total)
