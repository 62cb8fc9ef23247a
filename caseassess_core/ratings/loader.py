"""Load a rating scheme and check it against its instrument; every problem names file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from caseassess_core.instrument.loader import InstrumentError, Loc, Problem, _compose, _fmt
from caseassess_core.instrument.schema import Instrument
from caseassess_core.ratings.schema import RatingScheme

ProblemSink = Callable[[Loc, str], None]


class RatingSchemeError(Exception):
    """Raised with every problem found in a rating scheme file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_rating_scheme(path: str | Path, instrument: Instrument) -> RatingScheme:
    """Load ``path`` (a ``ratings.yaml``) and check it against ``instrument``."""
    file = Path(path)
    name = str(file)
    if not file.is_file():
        raise RatingSchemeError([Problem(name, None, "", "file not found")])
    try:
        data, lines = _compose(file)
    except InstrumentError as exc:
        raise RatingSchemeError(exc.problems) from None
    except UnicodeDecodeError:
        raise RatingSchemeError([Problem(name, None, "", "the file is not UTF-8 text")]) from None

    def at(loc: Loc) -> int | None:
        probe = tuple(loc)
        while probe:
            if probe in lines:
                return lines[probe]
            probe = probe[:-1]
        return lines.get(())

    if not isinstance(data, dict):
        raise RatingSchemeError([Problem(name, 1, "", "a rating scheme must be a mapping")])
    try:
        scheme = RatingScheme.model_validate(data)
    except ValidationError as exc:
        found = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            found.append(Problem(name, at(loc), _fmt(loc), err["msg"]))
        raise RatingSchemeError(found) from None

    problems: list[Problem] = []

    def problem(loc: Loc, message: str) -> None:
        problems.append(Problem(name, at(loc), _fmt(loc), message))

    if scheme.instrument != instrument.id:
        problem(("instrument",), f"the scheme rates {scheme.instrument!r} but sits beside {instrument.id!r}")
    _check_bands(scheme, problem)
    _check_units(scheme, instrument, problem)
    _check_overall(scheme, problem)
    if problems:
        raise RatingSchemeError(problems)
    return scheme


def _check_bands(scheme: RatingScheme, problem: ProblemSink) -> None:
    seen: set[str] = set()
    for i, band in enumerate(scheme.bands):
        if band.id in seen:
            problem(("bands", i, "id"), f"duplicate band id {band.id!r}")
        seen.add(band.id)
        if band.from_percent >= band.to_percent:
            problem(
                ("bands", i),
                f"{band.label}: from_percent ({band.from_percent}) must be below to_percent ({band.to_percent})",
            )
    first, last = scheme.bands[0], scheme.bands[-1]
    if first.to_percent != 100:
        problem(
            ("bands", 0, "to_percent"), f"the highest band ({first.label}) must reach 100%, not {first.to_percent}%"
        )
    if last.from_percent != 0:
        problem(
            ("bands", len(scheme.bands) - 1, "from_percent"),
            f"the lowest band ({last.label}) must start at 0%, not {last.from_percent}%",
        )
    for i in range(1, len(scheme.bands)):
        upper, lower = scheme.bands[i - 1], scheme.bands[i]
        if lower.to_percent > upper.from_percent:
            problem(
                ("bands", i, "to_percent"),
                f"bands overlap: {lower.label} runs to {lower.to_percent}% "
                f"but {upper.label} starts at {upper.from_percent}%",
            )
        elif lower.to_percent < upper.from_percent:
            problem(
                ("bands", i, "to_percent"),
                f"gap between bands: {lower.label} ends at {lower.to_percent}% "
                f"but {upper.label} starts at {upper.from_percent}%",
            )
        if lower.score > upper.score:
            problem(("bands", i, "score"), f"{lower.label} scores more than the band above it ({upper.label})")


def _check_units(scheme: RatingScheme, instrument: Instrument, problem: ProblemSink) -> None:
    scores = {s.id for _, s in instrument.all_scores()}
    questions = {q.id: q for q in instrument.questions()}
    seen: set[str] = set()
    for i, unit in enumerate(scheme.units):
        if unit.id in seen:
            problem(("units", i, "id"), f"duplicate unit id {unit.id!r}")
        seen.add(unit.id)
        if (unit.score is None) == (not unit.key_questions):
            problem(("units", i), f"{unit.id}: give either a score or key_questions, not both or neither")
            continue
        if unit.score is not None:
            if unit.score not in scores:
                problem(
                    ("units", i, "score"),
                    f"unknown score {unit.score!r} (the instrument has {', '.join(sorted(scores))})",
                )
            if unit.combine != "pooled":
                problem(
                    ("units", i, "combine"),
                    "a score unit is rated on its pooled percentage: combine must be 'pooled'",
                )
        for j, qid in enumerate(unit.key_questions):
            question = questions.get(qid)
            if question is None:
                problem(("units", i, "key_questions", j), f"unknown question {qid!r}")
            elif not question.is_scored:
                problem(("units", i, "key_questions", j), f"question {qid} is not scored, so it cannot be rated")


def _check_overall(scheme: RatingScheme, problem: ProblemSink) -> None:
    if not scheme.overall:
        return
    top = max(b.score for b in scheme.bands) * len(scheme.units)
    for i in range(1, len(scheme.overall)):
        if scheme.overall[i].min_total >= scheme.overall[i - 1].min_total:
            problem(("overall", i, "min_total"), "overall bands must be listed highest first, each starting lower")
    if scheme.overall[-1].min_total != 0:
        problem(("overall", len(scheme.overall) - 1, "min_total"), "the lowest overall band must start at 0")
    if scheme.overall[0].min_total > top:
        problem(
            ("overall", 0, "min_total"),
            f"no set of unit ratings can reach {scheme.overall[0].min_total} (at most {top})",
        )
