"""Per-question and per-score tables: "% done sufficiently well" and N per group, with a test.

Two comparison modes, as in the seed report:

* ``Comparison.A_VS_B`` (Tables 7-11): two groups side by side, e.g. community
  orders against licences, tested against each other;
* ``Comparison.VERSUS_ALL`` (Tables 3-6): a subgroup (high and very high RoSH)
  beside "All cases". The columns show the subgroup and all cases, but the test
  compares the subgroup with the cases **outside** it (all minus subgroup), because
  a group cannot be tested against a total that contains it.

Headline and general criteria scores pool every answer of their member questions
(``Instrument.score_members``) and come out with the same cell and test structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from caseassess_core.findings.counts import CountIndex, CountRow
from caseassess_core.instrument.schema import Instrument
from caseassess_core.instrument.text import people_text
from caseassess_core.statistics.contingency import chi_square_2x2
from caseassess_core.statistics.proportions import Proportion

RowKind = Literal["question", "headline", "general"]


class Comparison(str, Enum):
    A_VS_B = "a_vs_b"
    VERSUS_ALL = "versus_all"


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A column: a label and the raw group values it pools (``values=None``: all cases).

    ``noun`` is the wording used inside sentences ("high RoSH cases"); by default
    it is derived from the label.
    """

    label: str
    values: tuple[str, ...] | None = None
    noun: str | None = None

    @property
    def is_all(self) -> bool:
        return self.values is None

    @property
    def phrase(self) -> str:
        """Wording for sentences: ``"Licences"`` -> ``"licences"``, ``"BME"`` stays."""
        if self.noun:
            return self.noun
        label = self.label
        if len(label) > 1 and label[0].isupper() and label[1].islower():
            label = label[0].lower() + label[1:]
        return label


ALL_CASES = GroupSpec("All cases", None, "all cases")


@dataclass(frozen=True, slots=True)
class Cell:
    """One group's result. ``pct`` is the printed whole %, ``None`` when ``n == 0``.

    ``ci_low``/``ci_high`` are the Wilson 95% interval in percent, one decimal.
    """

    sufficient: int
    n: int
    pct: int | None
    ci_low: float | None
    ci_high: float | None

    @classmethod
    def of(cls, proportion: Proportion) -> Cell:
        ci = proportion.interval
        return cls(
            sufficient=proportion.successes,
            n=proportion.n,
            pct=proportion.pct,
            ci_low=None if ci is None else round(100 * ci[0], 1),
            ci_high=None if ci is None else round(100 * ci[1], 1),
        )

    @property
    def proportion(self) -> Proportion:
        return Proportion(self.sufficient, self.n)


@dataclass(frozen=True, slots=True)
class Test:
    """Chi-square between the two tested groups (in VERSUS_ALL: subgroup vs the rest).

    ``diff_points`` is first tested group minus second, in percentage points (exact,
    one decimal): positive means the first group (the subgroup) did better.
    """

    __test__ = False  # not a pytest test class

    chi2: float
    p: float
    stars: str
    small_expected: bool
    diff_points: float

    @property
    def significant(self) -> bool:
        return self.p < 0.05


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: a question or a pooled score, with one cell per displayed group."""

    kind: RowKind
    id: str
    label: str
    cells: tuple[Cell, ...]
    test: Test | None


@dataclass(frozen=True, slots=True)
class FindingsTable:
    id: str
    title: str
    comparison: Comparison
    groups: tuple[GroupSpec, ...]
    rows: tuple[Row, ...]
    score_rows: tuple[Row, ...]

    @property
    def tested_rows(self) -> tuple[Row, ...]:
        """Rows where both compared groups had cases (the seed's "applicable aspects")."""
        return tuple(r for r in self.rows if r.test is not None)


def _check_groups(groups: Sequence[GroupSpec], comparison: Comparison) -> tuple[GroupSpec, GroupSpec]:
    if len(groups) != 2:
        raise ValueError(f"a findings table compares exactly two groups, got {len(groups)}")
    first, second = groups
    if comparison is Comparison.VERSUS_ALL:
        if first.is_all or not second.is_all:
            raise ValueError("versus_all needs a subgroup first and all cases (values=None) second")
    elif first.is_all or second.is_all:
        raise ValueError("a_vs_b needs two subgroups; use versus_all to compare with all cases")
    return first, second


def _row(
    index: CountIndex,
    kind: RowKind,
    row_id: str,
    label: str,
    members: Sequence[str],
    groups: tuple[GroupSpec, GroupSpec],
    comparison: Comparison,
) -> Row:
    shown = tuple(index.proportion(members, g.values) for g in groups)
    tested = (shown[0], shown[1] - shown[0]) if comparison is Comparison.VERSUS_ALL else shown
    a, b = tested
    result = chi_square_2x2(a.successes, a.n, b.successes, b.n)
    test = None
    if result is not None:
        diff = 100 * (a.successes / a.n - b.successes / b.n)
        test = Test(result.chi2, result.p, result.stars, result.small_expected, round(diff, 1))
    return Row(kind, row_id, label, tuple(Cell.of(p) for p in shown), test)


def _as_index(counts: CountIndex | Iterable[CountRow]) -> CountIndex:
    return counts if isinstance(counts, CountIndex) else CountIndex(counts)


def score_rows(
    instrument: Instrument,
    counts: CountIndex | Iterable[CountRow],
    groups: Sequence[GroupSpec],
    comparison: Comparison | str,
) -> tuple[Row, ...]:
    """Headline then general criteria score rows, in instrument order."""
    comparison = Comparison(comparison)
    pair = _check_groups(groups, comparison)
    index = _as_index(counts)
    return tuple(
        _row(index, kind, score.id, score.title, instrument.score_members(score), pair, comparison)
        for kind, score in instrument.all_scores()
    )


def question_table(
    instrument: Instrument,
    counts: CountIndex | Iterable[CountRow],
    groups: Sequence[GroupSpec],
    comparison: Comparison | str,
    *,
    table_id: str = "",
    title: str = "",
    questions: Sequence[str] | None = None,
    skip_empty: bool = True,
) -> FindingsTable:
    """One row per scored question (instrument order, or the order of ``questions``).

    ``counts`` are the rows of one grouping dimension; ``groups`` are the two
    displayed columns. Rows whose every displayed cell has N = 0 are dropped unless
    ``skip_empty`` is false. Score rows are computed from the same counts.
    """
    comparison = Comparison(comparison)
    pair = _check_groups(groups, comparison)
    index = _as_index(counts)
    if questions is None:
        chosen = [q for q in instrument.questions() if q.is_scored]
    else:
        chosen = [instrument.question(qid) for qid in questions]
    rows = []
    for q in chosen:
        row = _row(index, "question", q.id, people_text(q.key_aspect or q.text), (q.id,), pair, comparison)
        if skip_empty and all(c.n == 0 for c in row.cells):
            continue
        rows.append(row)
    return FindingsTable(
        id=table_id,
        title=title,
        comparison=comparison,
        groups=tuple(groups),
        rows=tuple(rows),
        score_rows=score_rows(instrument, index, groups, comparison),
    )


def overall_scores(instrument: Instrument, counts: CountIndex | Iterable[CountRow]) -> tuple[Row, ...]:
    """Every headline and general criteria score over all cases (one cell, no test)."""
    index = _as_index(counts)
    return tuple(
        Row(kind, s.id, s.title, (Cell.of(index.proportion(instrument.score_members(s))),), None)
        for kind, s in instrument.all_scores()
    )
