"""Agreement between two assessors who answered the same cases (double assessment).

Cohen's kappa with the asymptotic standard error of Fleiss, Cohen and Everitt
(1969), "Large sample standard errors of kappa and weighted kappa", Psychological
Bulletin 72(5), 323-327: the non-null variance, suitable for a confidence interval
around an observed kappa (not the null variance used to test kappa = 0). The 95%
interval is kappa +/- 1.96 SE, clipped to [-1, 1].

Instrument-agnostic: answers are plain strings, categories are whatever appears
(or what the caller lists); ``None`` means the assessor gave no answer and the pair
is left out (and counted as ``missing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import sqrt
from typing import NamedTuple

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa of a k x k table; ``kappa`` and the interval are ``None`` when undefined (see ``reason``)."""

    kappa: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    observed_agreement: float | None
    expected_agreement: float | None
    n: int
    reason: str | None = None


def cohen_kappa(table: Sequence[Sequence[int]]) -> Kappa:
    """Kappa for ``table[i][j]`` = cases rater 1 put in category i and rater 2 in category j.

    Undefined (``None`` with a reason) when the table is empty, or when expected
    agreement is 1 (both raters used one and the same category for every case).
    """
    k = len(table)
    if any(len(row) != k for row in table):
        raise ValueError("the agreement table must be square (k x k)")
    if any(count < 0 for row in table for count in row):
        raise ValueError("the agreement table cannot hold negative counts")
    n = sum(sum(row) for row in table)
    if n == 0:
        return Kappa(None, None, None, None, None, None, 0, "no pairs of answers")
    # Agreement and kappa exactly (fractions), so 0.40 on the threshold is 0.40, not 0.3999...
    row_totals = [sum(row) for row in table]
    col_totals = [sum(table[i][j] for i in range(k)) for j in range(k)]
    exact_po = Fraction(sum(table[i][i] for i in range(k)), n)
    exact_pe = Fraction(sum(r * c for r, c in zip(row_totals, col_totals, strict=True)), n * n)
    po, pe = float(exact_po), float(exact_pe)
    if exact_pe == 1:
        return Kappa(
            None,
            None,
            None,
            None,
            po,
            pe,
            n,
            "kappa is undefined: expected agreement is 1 (both assessors gave the same single answer throughout)",
        )
    kappa = float((exact_po - exact_pe) / (1 - exact_pe))
    p = [[count / n for count in row] for row in table]
    rows = [total / n for total in row_totals]
    cols = [total / n for total in col_totals]
    # Fleiss, Cohen & Everitt (1969): the non-null asymptotic variance.
    a = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(k))
    b = (1 - kappa) ** 2 * sum(p[i][j] * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j)
    c = (kappa - pe * (1 - kappa)) ** 2
    se = sqrt(max(0.0, (a + b - c) / (n * (1 - pe) ** 2)))
    return Kappa(
        kappa,
        se,
        max(-1.0, kappa - Z_95 * se),
        min(1.0, kappa + Z_95 * se),
        po,
        pe,
        n,
    )


@dataclass(frozen=True)
class PairAgreement:
    """Agreement of a set of answer pairs: the table, % agreement (0-100) and kappa."""

    categories: tuple[str, ...]
    table: tuple[tuple[int, ...], ...]
    n: int
    missing: int
    percent_agreement: float | None
    kappa: Kappa


def agreement_from_pairs(
    pairs: Iterable[tuple[str | None, str | None]], categories: Sequence[str] | None = None
) -> PairAgreement:
    """Build the table from (answer_a, answer_b) pairs and measure agreement.

    ``categories`` fixes the table's order and must include every answer given;
    without it the categories are the answers seen, sorted. Pairs with a ``None``
    are left out and counted in ``missing``.
    """
    complete: list[tuple[str, str]] = []
    missing = 0
    for a, b in pairs:
        if a is None or b is None:
            missing += 1
        else:
            complete.append((a, b))
    seen = {answer for pair in complete for answer in pair}
    if categories is None:
        order = tuple(sorted(seen))
    else:
        order = tuple(categories)
        unknown = sorted(seen - set(order))
        if unknown:
            raise ValueError(f"answers outside the categories: {', '.join(unknown)}")
    index = {category: i for i, category in enumerate(order)}
    table = [[0] * len(order) for _ in order]
    for a, b in complete:
        table[index[a]][index[b]] += 1
    agreed = sum(table[i][i] for i in range(len(order)))
    n = len(complete)
    return PairAgreement(
        categories=order,
        table=tuple(tuple(row) for row in table),
        n=n,
        missing=missing,
        percent_agreement=100 * agreed / n if n else None,
        kappa=cohen_kappa(table),
    )


class DoubleAssessment(NamedTuple):
    """One question of one case answered by two assessors."""

    question_id: str
    section_id: str
    assessor_pair: tuple[str, str]
    answer_a: str | None
    answer_b: str | None


@dataclass(frozen=True)
class AgreementRow:
    """Agreement for one question, section or assessor pair (``key``)."""

    key: str
    n: int
    missing: int
    percent_agreement: float | None
    kappa: Kappa
    low_agreement: bool


@dataclass(frozen=True)
class AgreementReport:
    by_question: tuple[AgreementRow, ...]
    by_section: tuple[AgreementRow, ...]
    by_assessor_pair: tuple[AgreementRow, ...]
    kappa_threshold: float
    percent_threshold: float


def agreement_report(
    double_assessments: Iterable[DoubleAssessment],
    *,
    kappa_threshold: float = 0.40,
    percent_threshold: float = 70.0,
) -> AgreementReport:
    """Agreement per question, per section and per assessor pair, rows sorted by key.

    Sections and assessor pairs pool their questions into one table over all the
    answers seen (a pooled kappa). An assessor pair is named ``"A / B"`` with the
    names sorted; answers are swapped to match, which leaves kappa unchanged.
    A row is ``low_agreement`` when kappa < ``kappa_threshold`` or % agreement <
    ``percent_threshold``; an undefined kappa alone does not flag a row.
    """
    groups: dict[str, dict[str, list[tuple[str | None, str | None]]]] = {
        "question": {},
        "section": {},
        "pair": {},
    }
    for row in double_assessments:
        first, second = row.assessor_pair
        answers = (row.answer_a, row.answer_b)
        if second < first:
            first, second = second, first
            answers = (row.answer_b, row.answer_a)
        groups["question"].setdefault(row.question_id, []).append(answers)
        groups["section"].setdefault(row.section_id, []).append(answers)
        groups["pair"].setdefault(f"{first} / {second}", []).append(answers)

    def rows(grouped: Mapping[str, list[tuple[str | None, str | None]]]) -> tuple[AgreementRow, ...]:
        result = []
        for key in sorted(grouped):
            measured = agreement_from_pairs(grouped[key])
            kappa = measured.kappa.kappa
            percent = measured.percent_agreement
            low = (kappa is not None and kappa < kappa_threshold) or (
                percent is not None and percent < percent_threshold
            )
            result.append(AgreementRow(key, measured.n, measured.missing, percent, measured.kappa, low))
        return tuple(result)

    return AgreementReport(
        by_question=rows(groups["question"]),
        by_section=rows(groups["section"]),
        by_assessor_pair=rows(groups["pair"]),
        kappa_threshold=kappa_threshold,
        percent_threshold=percent_threshold,
    )
