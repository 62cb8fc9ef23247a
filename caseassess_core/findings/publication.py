"""What makes a findings report publishable: the small-numbers rule, key findings written by
rules a reader can check, the front matter and the method note.

Key findings (at most ``MAX_KEY_FINDINGS`` sentences), in this order:

1. one sentence per headline score, with the range between areas when two or more areas
   have at least ``min_n`` answers for it;
2. one sentence giving the general criteria scores;
3. how many of the report's key aspects reach 75% (the denominator is fixed for the whole
   report: every scored question answered in at least ``min_n`` cases);
4. the highest and the lowest key aspect;
5. subgroup differences in the headline and general criteria scores, most significant first,
   only where the chi-square test is significant (p < 0.05) and both tested groups have at
   least ``min_n`` answers, until the report has ``MAX_KEY_FINDINGS`` sentences.

Every sentence states its N; a percentage on fewer than ``min_n`` answers is never used.
Proportions are described with one fixed vocabulary (``proportion_words``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from caseassess_core.findings.areas import AreaChart, ScoreRange
from caseassess_core.findings.tables import Cell, Comparison, FindingsTable, Row
from caseassess_core.statistics.proportions import Proportion

DEFAULT_MIN_N = 10
MAX_KEY_FINDINGS = 8
KEY_THRESHOLD = 75
CAUTION = "\u2020"  # the caution mark printed beside a percentage on fewer than min_n answers

# (lowest whole % included, words), highest band first; the method note prints this table.
VOCABULARY: tuple[tuple[int, int, str], ...] = (
    (91, 100, "almost all"),
    (75, 90, "most"),
    (50, 74, "a majority"),
    (15, 49, "less than half"),
    (0, 14, "few"),
)


def proportion_words(pct: int) -> str:
    """The fixed words for a whole percentage: almost all > 90%, most 75-90%, a majority 50-74%,
    less than half 15-49%, few < 15%."""
    for low, high, words in VOCABULARY:
        if low <= pct <= high:
            return words
    raise ValueError(f"{pct} is not a whole percentage from 0 to 100")


def _n(n: int) -> str:
    return f"{n:,}"


def _stars_words(stars: str) -> str:
    return {"***": "p < 0.001", "**": "p < 0.01", "*": "p < 0.05"}.get(stars, "")


@dataclass(frozen=True, slots=True)
class InspectionLine:
    name: str
    area: str
    fieldwork: str  # "3 March 2010 to 14 March 2010", already in people's words


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """What the report covers, printed before the key findings (and as the PDF's cover)."""

    programme: str
    inspections: tuple[InspectionLine, ...]
    fieldwork_period: str
    cases: int
    statuses: str  # e.g. "Submitted and signed off assessments"
    instrument: str  # e.g. "Inspection of Adult Offending Work ... (iaow-2013-10, version 2013-10)"
    produced: str  # e.g. "29 November 2026"


def key_aspect_rows(tables: Sequence[FindingsTable], min_n: int) -> list[Row]:
    """The report's key aspects: the question rows of the first table, by their all-cases
    column (versus-all tables) answered in at least ``min_n`` cases. The same list serves every
    sentence, so the denominator is one number per report."""
    for table in tables:
        if table.comparison is Comparison.VERSUS_ALL:
            return [r for r in table.rows if r.cells[1].n >= min_n]
    return []


def _headline_sentence(score: ScoreRange, chart2: AreaChart, phrase: str, min_n: int, area_word: str) -> str | None:
    cell = score.overall
    if cell.n < min_n or cell.pct is None:
        return None
    sentence = (
        f"{phrase[:1].upper()}{phrase[1:]} was judged done sufficiently well in {proportion_words(cell.pct)} of "
        f"the answers examined ({cell.pct}%, N = {_n(cell.n)} answers)"
    )
    index = next((i for i, (sid, _) in enumerate(chart2.scores) if sid == score.id), None)
    if index is not None:
        shown = [a.cells[index] for a in chart2.areas if a.cells[index].n >= min_n]
        if len(shown) >= 2:
            ranked = sorted(shown, key=lambda c: c.sufficient / c.n)
            low, high = ranked[0], ranked[-1]
            sentence += (
                f", with individual {area_word} ranging from {low.pct}% (N = {_n(low.n)}) to "
                f"{high.pct}% (N = {_n(high.n)})"
            )
    return sentence + "."


def _general_sentence(ranges: Sequence[ScoreRange], min_n: int) -> str | None:
    parts = [
        f"{r.title.lower()} {r.overall.pct}% (N = {_n(r.overall.n)})"
        for r in ranges
        if r.kind == "general" and r.overall.n >= min_n and r.overall.pct is not None
    ]
    if not parts:
        return None
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"The general criteria scores were: {joined}."


def _aspect(row: Row) -> str:
    return f"{row.id} \u201c{row.label.strip()}\u201d"


def _aspect_sentences(aspects: Sequence[Row], cases: int | None, min_n: int) -> list[str]:
    if not aspects:
        return []
    k = len(aspects)
    reach = sum(1 for r in aspects if r.cells[1].sufficient * 100 >= KEY_THRESHOLD * r.cells[1].n)
    n_text = f"N = {_n(cases)} cases" if cases else f"each answered in at least {min_n} cases"
    out = [
        f"For {reach} of the {k} key aspects ({n_text}), the work was done sufficiently well in "
        f"{KEY_THRESHOLD}% or more of the cases."
    ]
    ranked = sorted(aspects, key=lambda r: (-r.cells[1].sufficient / r.cells[1].n))
    best, worst = ranked[0], ranked[-1]
    b, w = best.cells[1], worst.cells[1]
    if best is worst:
        return out
    out.append(
        f"The highest-scoring key aspect was {_aspect(best)}, done sufficiently well in "
        f"{proportion_words(b.pct or 0)} of the cases ({b.pct}%, N = {_n(b.n)}); the lowest was {_aspect(worst)}, "
        f"in {proportion_words(w.pct or 0)} of the cases ({w.pct}%, N = {_n(w.n)})."
    )
    return out


def _tested_cells(table: FindingsTable, row: Row) -> tuple[Cell, Cell]:
    """The two cells the test compared: in versus-all tables the subgroup and the cases outside it."""
    first, second = row.cells
    if table.comparison is Comparison.VERSUS_ALL:
        rest = Proportion(second.sufficient - first.sufficient, second.n - first.n)
        return first, Cell.of(rest)
    return first, second


def _difference_sentences(tables: Sequence[FindingsTable], min_n: int) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []
    for table in tables:
        first_group, second_group = table.groups
        second_phrase = "the other cases" if table.comparison is Comparison.VERSUS_ALL else second_group.phrase
        for row in table.score_rows:
            test = row.test
            if test is None or not test.significant:
                continue
            a, b = _tested_cells(table, row)
            if a.n < min_n or b.n < min_n:
                continue
            more = "more" if test.diff_points > 0 else "less"
            kind = "headline" if row.kind == "headline" else "general criteria"
            found.append((
                test.p,
                f"Work counted in the {row.label} {kind} score was done sufficiently well {more} often for "
                f"{first_group.phrase} ({a.pct}%, N = {_n(a.n)}) than for {second_phrase} ({b.pct}%, "
                f"N = {_n(b.n)}); the difference is statistically significant ({_stars_words(test.stars)}).",
            ))
    found.sort(key=lambda item: item[0])
    return found


def key_findings_by_rules(
    ranges: Sequence[ScoreRange],
    chart2: AreaChart,
    tables: Sequence[FindingsTable] = (),
    *,
    min_n: int = DEFAULT_MIN_N,
    cases: int | None = None,
    area_word: str = "areas",
    phrases: Mapping[str, str] | None = None,
) -> list[str]:
    """The report's key findings, by the rules in this module's docstring."""
    out: list[str] = []
    for score in ranges:
        if score.kind != "headline":
            continue
        phrase = (phrases or {}).get(score.id) or f"work on {score.title}"
        sentence = _headline_sentence(score, chart2, phrase.strip().rstrip("."), min_n, area_word)
        if sentence:
            out.append(sentence)
    general = _general_sentence(ranges, min_n)
    if general:
        out.append(general)
    out.extend(_aspect_sentences(key_aspect_rows(tables, min_n), cases, min_n))
    out = out[:MAX_KEY_FINDINGS]
    for _, sentence in _difference_sentences(tables, min_n):
        if len(out) >= MAX_KEY_FINDINGS:
            break
        out.append(sentence)
    return out


def _band(low: int, high: int) -> str:
    if high == 100:
        return f"more than {low - 1}%"
    if low == 0:
        return f"less than {high + 1}%"
    return f"{low}\u2013{high}%"


def method_note(*, min_n: int, kappa_min_cases: int) -> tuple[tuple[str, str], ...]:
    """The method note as (heading, paragraph) pairs: the same words on the page, in the PDF and
    the spreadsheet."""
    words = "; ".join(f"\u201c{w}\u201d {_band(lo, hi)}" for lo, hi, w in VOCABULARY)
    return (
        (
            "% done sufficiently well",
            "Each question asks whether one aspect of the work in one case was done to a sufficiently high level "
            "of quality. \u201c% done sufficiently well\u201d is the number of answers judged sufficient divided "
            "by N, the number of answers judged sufficient or insufficient, as a whole percentage (half up). A "
            "headline or general criteria score pools the answers of every question that counts in it "
            "(the instrument's CHANGELOG lists them question by question).",
        ),
        (
            "Answers left out",
            "Answers such as \u201cNot applicable\u201d, \u201cNot required\u201d, \u201cNot used\u201d or "
            "\u201cNot a factor\u201d, and questions that do not apply to a case, are left out of both the "
            "percentage and N: they say the work was not needed, not whether it was done well. Only submitted "
            "and signed-off assessments count; of a double-assessed case only the moderated assessment counts.",
        ),
        (
            "Statistical significance",
            "Two groups are compared with Pearson's chi-square test on the 2\u00d72 table of sufficient and "
            "insufficient answers, without continuity correction. A subgroup shown beside \u201cAll cases\u201d "
            "is tested against the cases outside it. Stars: *** p < 0.001 (highly significant), ** p < 0.01, "
            "* p < 0.05; -- not significant (the difference is likely to have arisen by chance). A \u2021 beside "
            "the stars means an expected count is below 5, where the test is less reliable.",
        ),
        (
            "Confidence intervals",
            "Where shown, the 95% confidence interval of a percentage is the Wilson score interval.",
        ),
        (
            "Small numbers",
            f"A percentage on fewer than {min_n} answers is shown with a caution mark ({CAUTION}) and is never "
            f"used in a key finding. Agreement between assessors (kappa) is not shown for fewer than "
            f"{kappa_min_cases} double-assessed cases (\u201ctoo few cases\u201d). Charts show N beside each bar; "
            "a chart of areas is not drawn for a single area.",
        ),
        (
            "Key findings",
            f"Key findings are written from the numbers by fixed rules: at most {MAX_KEY_FINDINGS}; every sentence "
            f"states its N; a difference between groups is claimed only when its test is significant and both "
            f"groups have at least {min_n} answers; the key aspects are the questions answered in at least "
            f"{min_n} cases, one number for the whole report; proportions are described as {words}.",
        ),
    )
