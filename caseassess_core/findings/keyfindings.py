"""Plain-English findings generated from the numbers, in the seed report's style.

Every sentence is built from the same dataclasses the exports read, so the words
can never disagree with the tables. Percentages are the printed whole %.

* ``headline_points`` - "The overall average percentage of <score phrase> judged
  to have been done sufficiently well was 72%, with scores for individual areas
  ranging from 64% to 80%." The phrase is ``phrases[score_id]`` when given (e.g.
  "work to keep to a minimum each offender's Risk of Harm to others", the seed's
  wording), else "work on <title>". (The instrument's score ``description``
  documents membership, so it is not used as prose.)
* ``table_points`` - for a table: how many aspects reach 60% / 75% (versus-all
  tables), the highest and lowest aspects ("In 73% of all cases (and 80% of high
  RoSH cases) ..."; "In only 37% of all cases (but 65% of ...) ..."), and the
  number of aspects with a statistically significant difference and its direction.
* ``key_findings`` - the report's opening bullets: headline points, the general
  criteria scores, the highest and lowest aspects of each versus-all table and
  the significance summary of every table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from caseassess_core.findings.areas import ScoreRange
from caseassess_core.findings.tables import Comparison, FindingsTable, Row

THRESHOLDS = (60, 75)


def _pct(value: int | None) -> str:
    return "-" if value is None else f"{value}%"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _aspect(label: str) -> str:
    return f"work on \u201c{label.strip()}\u201d"


def _aspects(k: int) -> str:
    return "key aspect" if k == 1 else "key aspects"


def _compared(k: int) -> str:
    return "aspect compared" if k == 1 else "aspects compared"


def _score_phrase(score: ScoreRange, phrases: Mapping[str, str] | None) -> str:
    if phrases and phrases.get(score.id):
        return phrases[score.id].strip().rstrip(".")
    return f"work on {score.title}"


def headline_points(
    ranges: Sequence[ScoreRange], *, area_word: str = "areas", phrases: Mapping[str, str] | None = None
) -> list[str]:
    """One sentence per headline score, with the range between areas when there are two or more."""
    out = []
    for score in ranges:
        if score.kind != "headline":
            continue
        phrase = _score_phrase(score, phrases)
        if score.overall.n == 0:
            out.append(f"No work was assessed for {phrase}.")
            continue
        sentence = (
            f"The overall average percentage of {phrase} judged to have been done sufficiently well "
            f"was {_pct(score.overall.pct)}"
        )
        if score.n_areas >= 2:
            sentence += (
                f", with scores for individual {area_word} ranging from {_pct(score.min_pct)} to {_pct(score.max_pct)}"
            )
        out.append(sentence + ".")
    return out


def general_point(ranges: Sequence[ScoreRange]) -> str | None:
    """ "Scores for A, B and C were 76%, 76% and 57% respectively." (None without general scores)."""
    general = [r for r in ranges if r.kind == "general"]
    if not general:
        return None
    if len(general) == 1:
        return f"The score for {general[0].title} was {_pct(general[0].overall.pct)}."
    titles = _join([r.title for r in general])
    values = _join([_pct(r.overall.pct) for r in general])
    return f"Scores for {titles} were {values} respectively."


def _highlights(table: FindingsTable, count: int, min_n: int = 0) -> list[str]:
    """Highest and lowest aspects of a versus-all table by the all-cases % (aspects answered in at
    least ``min_n`` cases; a subgroup % on fewer than ``min_n`` is left out of the sentence)."""
    if table.comparison is not Comparison.VERSUS_ALL or count <= 0:
        return []
    sub = table.groups[0].phrase
    sub = sub if sub.endswith("cases") else f"{sub} cases"
    rows = [r for r in table.rows if r.cells[1].n > 0 and r.cells[1].n >= min_n]
    if not rows:
        return []
    # A highlight speaks for the sample: leave out aspects answered in few cases
    # (under a quarter of the most-answered aspect's N), which swing to 0% or 100%.
    floor = max(r.cells[1].n for r in rows) / 4
    rows = [r for r in rows if r.cells[1].n >= floor]
    # exact ordering by proportion; instrument order breaks ties
    ranked = sorted(rows, key=lambda r: -r.cells[1].sufficient / r.cells[1].n)
    top = ranked[:count]
    bottom = [r for r in reversed(ranked[-count:]) if r not in top]
    out = []
    for row in top:
        s, a = row.cells
        clause = ""
        if s.n > 0 and s.n >= min_n:
            word = "but" if row.test is not None and row.test.significant and row.test.diff_points < 0 else "and"
            clause = f" ({word} {_pct(s.pct)} of {sub})"
        out.append(f"In {_pct(a.pct)} of all cases{clause}, {_aspect(row.label)} was done sufficiently well.")
    for row in bottom:
        s, a = row.cells
        clause = ""
        if s.n > 0 and s.n >= min_n:
            word = "but" if row.test is not None and row.test.significant and row.test.diff_points > 0 else "and"
            clause = f" ({word} {_pct(s.pct)} of {sub})"
        out.append(f"In only {_pct(a.pct)} of all cases{clause} was {_aspect(row.label)} done sufficiently well.")
    return out


def _threshold_points(table: FindingsTable, min_n: int = 0) -> list[str]:
    """Key aspects (all-cases N >= ``min_n``: the report's one denominator) reaching 60% and 75%."""
    if table.comparison is not Comparison.VERSUS_ALL:
        return []
    rows = [r for r in table.rows if r.cells[1].n > 0 and r.cells[1].n >= min_n]
    if not rows:
        return []
    total = len(rows)
    out = []
    for threshold in THRESHOLDS:
        k = sum(1 for r in rows if (r.cells[1].pct or 0) >= threshold)
        if k == 0:
            out.append(
                f"For none of the {total} {_aspects(total)} was the work rated as done sufficiently well "
                f"in {threshold}% or more of all the cases scrutinised."
            )
        else:
            out.append(
                f"For {k} of the {total} {_aspects(total)}, the work was rated as done sufficiently well "
                f"in {threshold}% or more of all the cases scrutinised."
            )
    return out


def _direction_counts(rows: Sequence[Row]) -> tuple[int, int]:
    higher = sum(1 for r in rows if r.test is not None and r.test.diff_points > 0)
    lower = sum(1 for r in rows if r.test is not None and r.test.diff_points < 0)
    return higher, lower


def _large_enough(table: FindingsTable, row: Row, min_n: int) -> bool:
    """Both tested groups have at least ``min_n`` answers (in versus-all: the subgroup and the rest)."""
    a, b = row.cells
    second_n = b.n - a.n if table.comparison is Comparison.VERSUS_ALL else b.n
    return a.n >= min_n and second_n >= min_n


def significance_points(table: FindingsTable, min_n: int = 0) -> list[str]:
    """How many tested aspects (and scores) differ significantly, and which way. Aspects where a
    tested group has fewer than ``min_n`` answers are left out (the small-numbers rule)."""
    tested = tuple(r for r in table.tested_rows if _large_enough(table, r, min_n))
    if not tested:
        return []
    first, second = table.groups
    significant = [r for r in tested if r.test is not None and r.test.significant]
    higher, lower = _direction_counts(significant)
    n_sig, n_tested = len(significant), len(tested)
    out = []
    if table.comparison is Comparison.VERSUS_ALL:
        sub = first.phrase
        pair = f"between {sub} and all cases as a whole"
        none = n_tested - n_sig
        if n_sig == 0:
            out.append(
                f"For none of the {n_tested} {_compared(n_tested)} was there a statistically significant "
                f"difference in the quality of the work {pair}."
            )
        elif none * 2 > n_tested:
            out.append(
                f"For the majority of the aspects compared ({none} of the {n_tested}) there was no statistically "
                f"significant difference in the quality of the work {pair}."
            )
        else:
            out.append(
                f"For {n_sig} of the {n_tested} aspects compared there was a statistically significant "
                f"difference in the quality of the work {pair}."
            )
        where = (
            "For the one aspect where there was a statistically significant difference"
            if n_sig == 1
            else f"For each of the {n_sig} aspects where there was a statistically significant difference"
        )
        if n_sig and lower == 0:
            out.append(
                f"{where}, the proportion of cases rated \u2018done sufficiently well\u2019 was higher for "
                f"{sub} than for all cases as a whole."
            )
        elif n_sig and higher == 0:
            out.append(
                f"{where}, the proportion of cases rated \u2018done sufficiently well\u2019 was lower for "
                f"{sub} than for all cases as a whole."
            )
        elif n_sig:
            out.append(
                f"Of the {n_sig} aspects with a statistically significant difference, the proportion "
                f"done sufficiently well was higher for {sub} in {higher} and lower in {lower}."
            )
    else:
        pair = f"between {first.phrase} and {second.phrase}"
        if n_sig == 0:
            out.append(
                f"For none of the {n_tested} applicable aspects was there a statistically significant "
                f"difference {pair} in the proportion of work done sufficiently well."
            )
        else:
            if lower == 0:
                direction = f"higher for {first.phrase} in each" if n_sig > 1 else f"higher for {first.phrase}"
            elif higher == 0:
                direction = f"higher for {second.phrase} in each" if n_sig > 1 else f"higher for {second.phrase}"
            else:
                direction = f"higher for {first.phrase} in {higher} and for {second.phrase} in {lower}"
            were = (
                "was a statistically significant difference"
                if n_sig == 1
                else "were statistically significant differences"
            )
            out.append(
                f"For {n_sig} of the {n_tested} applicable aspects there {were} {pair} in the proportion "
                f"of work done sufficiently well ({direction})."
            )
    out.extend(_score_significance(table, pair, min_n))
    return out


def _score_significance(table: FindingsTable, pair: str, min_n: int = 0) -> list[str]:
    tested = [r for r in table.score_rows if r.test is not None and _large_enough(table, r, min_n)]
    if not tested:
        return []
    significant = [r for r in tested if r.test is not None and r.test.significant]
    if not significant:
        return [f"The headline and general criteria scores show no statistically significant difference {pair}."]
    first = table.groups[0].phrase
    parts = []
    for r in significant:
        direction = "higher" if r.test is not None and r.test.diff_points > 0 else "lower"
        parts.append(f"{r.label} ({direction} for {first}, {_pct(r.cells[0].pct)} against {_pct(r.cells[1].pct)})")
    return [
        f"The headline and general criteria scores show a statistically significant difference {pair} for "
        f"{_join(parts)}."
    ]


def table_points(table: FindingsTable, *, highlights: int = 2, min_n: int = 0) -> list[str]:
    """The 'main points' paragraph above a table (highlights only from aspects with N >= ``min_n``)."""
    return _threshold_points(table, min_n) + _highlights(table, highlights, min_n) + significance_points(table, min_n)


def key_findings(
    ranges: Sequence[ScoreRange],
    tables: Sequence[FindingsTable] = (),
    *,
    area_word: str = "areas",
    highlights: int = 1,
    phrases: Mapping[str, str] | None = None,
) -> list[str]:
    """The report's key findings bullets. ``phrases``: score id -> wording for the headline sentences."""
    out = headline_points(ranges, area_word=area_word, phrases=phrases)
    general = general_point(ranges)
    if general:
        out.append(general)
    for table in tables:
        out.extend(_highlights(table, highlights))
    for table in tables:
        out.extend(significance_points(table))
    return [_capital(s) for s in out]
