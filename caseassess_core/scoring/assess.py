"""One case's assessment, evaluated against its instrument: applicability with reasons,
answer validation, scoring classes, consistency warnings and section progress.

Pure functions over plain mappings: ``case`` is the View 0 case details
(``{field id: value}``) and ``answers`` is ``{question id: stored value}``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from caseassess_core.applicability.expression import Expression, parse
from caseassess_core.instrument.schema import (
    AnswerType,
    CaseDetailField,
    ConsistencyRule,
    Instrument,
    Question,
    Scoring,
    Section,
)
from caseassess_core.textcheck import control_character

SectionStatus = Literal["not_started", "in_progress", "completed"]


@dataclass(frozen=True)
class Applicability:
    applies: bool
    reason: str | None = None


@dataclass(frozen=True)
class RuleWarning:
    rule_id: str
    message: str
    questions: tuple[str, ...]


class AnswerError(ValueError):
    """An answer that the question does not accept; the message names the question."""


def applicability(
    instrument: Instrument,
    case: Mapping[str, Any],
    answers: Mapping[str, Any],
    expressions: Mapping[str, Expression] | None = None,
) -> dict[str, Applicability]:
    """Whether each question applies. A question whose expression reads an answer to a
    question that does not apply sees that answer as missing."""
    exprs = dict(expressions) if expressions is not None else _expressions(instrument)
    result: dict[str, Applicability] = {}
    effective: dict[str, Any] = {}

    def visit(q: Question) -> Applicability:
        if q.id in result:
            return result[q.id]
        expr = exprs.get(q.id)
        if expr is None:
            verdict = Applicability(True)
        else:
            for dep in expr.questions:
                try:
                    dq = instrument.question(dep)
                except KeyError:
                    continue
                visit(dq)
            ok = expr.evaluate(case, effective)
            reason = q.not_applicable_reason or _default_reason(expr)
            verdict = Applicability(True) if ok else Applicability(False, reason)
        result[q.id] = verdict
        if verdict.applies and q.id in answers:
            effective[q.id] = answers[q.id]
        return verdict

    for q in instrument.questions():
        visit(q)
    return result


def _default_reason(expr: Expression) -> str:
    return f"Does not apply to this case ({expr.source})"


def _expressions(instrument: Instrument) -> dict[str, Expression]:
    return {q.id: parse(q.applies_when) for q in instrument.questions() if q.applies_when}


def scoring_of(instrument: Instrument, question: Question, value: Any) -> Scoring | None:
    """The scoring class of a stored answer, or None for unscored or unanswered questions."""
    if not question.is_scored or value in (None, "", {}):
        return None
    if question.type == AnswerType.FACTOR_OUTCOMES:
        return factor_scoring(instrument, question, value)
    for option in instrument.options_for(question):
        if option.value == value:
            return option.scoring
    return None


def factor_scoring(instrument: Instrument, question: Question, value: Any) -> Scoring | None:
    """A factor-outcomes answer's class: sufficient when any factor's outcome is sufficient (OMI 2:
    "demonstrable evidence of positive change"), otherwise insufficient when any is insufficient,
    otherwise (every factor "not a factor") excluded."""
    if not isinstance(value, Mapping):
        return None
    classes = {o.value: o.scoring for o in instrument.options_for(question)}
    found = {classes.get(v) for v in value.values()}
    for scoring in (Scoring.SUFFICIENT, Scoring.INSUFFICIENT, Scoring.EXCLUDED):
        if scoring in found:
            return scoring
    return None


def _clean_factor_outcomes(instrument: Instrument, item: Question, raw: Any, label: str) -> dict[str, str] | None:
    """``{factor: outcome}`` (or the text form ``factor=outcome; ...``) -> dict in factor order."""
    if isinstance(raw, str):
        pairs: dict[str, str] = {}
        for part in raw.split(";"):
            if not part.strip():
                continue
            name, sep, result = part.partition("=")
            if not sep:
                raise AnswerError(f"{label}: write each factor as factor=outcome, separated by ';'")
            pairs[name.strip()] = result.strip()
        raw = pairs
    if not isinstance(raw, Mapping):
        raise AnswerError(f"{label}: give an outcome for each factor")
    factors = [f.value for f in instrument.factors_for(item)]
    outcomes = {o.value for o in instrument.options_for(item)}
    by_label = {f.label.lower(): f.value for f in instrument.factors_for(item)}
    out_by_label = {o.label.lower(): o.value for o in instrument.options_for(item)}
    cleaned: dict[str, str] = {}
    for key, val in raw.items():
        if val in (None, ""):
            continue
        factor: str | None = str(key) if key in factors else by_label.get(str(key).lower())
        if factor is None:
            raise AnswerError(f"{label}: {key!r} is not one of the listed factors")
        outcome: str | None = str(val) if val in outcomes else out_by_label.get(str(val).lower())
        if outcome is None:
            raise AnswerError(f"{label}: {val!r} is not one of the listed outcomes for {key}")
        cleaned[factor] = outcome
    ordered = {f: cleaned[f] for f in factors if f in cleaned}
    return ordered or None


def clean_answer(instrument: Instrument, item: Question | CaseDetailField, raw: Any) -> Any:
    """Turn a submitted value into the stored value, or raise AnswerError naming the question.

    Empty input means "not answered" and returns None."""
    label = item.id if isinstance(item, Question) else (item.number or item.label)
    if raw is None or raw == "" or raw == [] or raw == {}:
        return None
    for part in ([raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []):
        control = control_character(str(part), allow_line_breaks=item.type == AnswerType.TEXT)
        if control is not None:
            raise AnswerError(f"{label}: remove the control character {control}")
    if isinstance(item, Question) and item.type == AnswerType.FACTOR_OUTCOMES:
        return _clean_factor_outcomes(instrument, item, raw, label)
    if item.type == AnswerType.SINGLE_CHOICE:
        allowed = _allowed_values(instrument, item)
        if not isinstance(raw, str) or raw not in allowed:
            raise AnswerError(f"{label}: choose one of the listed answers")
        return raw
    if item.type == AnswerType.MULTIPLE_CHOICE:
        values = [raw] if isinstance(raw, str) else list(raw)
        allowed = _allowed_values(instrument, item)
        bad = [v for v in values if v not in allowed]
        if bad:
            raise AnswerError(f"{label}: {bad[0]!r} is not one of the listed answers")
        return [v for v in allowed if v in values]  # instrument order, no duplicates
    if item.type == AnswerType.NUMBER:
        try:
            number = float(str(raw).strip())
        except ValueError:
            raise AnswerError(f"{label}: enter a number") from None
        if not math.isfinite(number):
            # float() reads nan, inf, Infinity and 1e400 (too big: infinity); none is a count or a score.
            shown = str(raw).strip()[:20]
            raise AnswerError(f"{label}: enter a number such as 12 or 3.5 ({shown!r} is not a finite number)")
        lo = getattr(item, "min", None)
        hi = getattr(item, "max", None)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise AnswerError(f"{label}: enter a number from {_fmt_num(lo)} to {_fmt_num(hi)}")
        return int(number) if number.is_integer() else number
    if item.type == AnswerType.DATE:
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise AnswerError(f"{label}: enter a real date, for example 2013-10-27") from None
    text = str(raw)
    if len(text) > 5000:
        raise AnswerError(f"{label}: keep the text to 5,000 characters or fewer")
    return text.strip()


def _fmt_num(v: float | None) -> str:
    if v is None:
        return "any"
    return str(int(v)) if float(v).is_integer() else str(v)


def _allowed_values(instrument: Instrument, item: Question | CaseDetailField) -> list[str]:
    if isinstance(item, CaseDetailField) and item.table:
        rows = instrument.table(item.table).rows
        return [str(r["id"]) for r in rows] + ["none"]
    return [o.value for o in instrument.options_for(item)]


def consistency_warnings(
    instrument: Instrument,
    case: Mapping[str, Any],
    answers: Mapping[str, Any],
    applies: Mapping[str, Applicability] | None = None,
) -> list[RuleWarning]:
    """Rules whose ``when`` holds and whose ``expect`` does not, on applicable answers."""
    if applies is None:
        applies = applicability(instrument, case, answers)
    effective = {k: v for k, v in answers.items() if applies.get(k, Applicability(True)).applies}
    out: list[RuleWarning] = []
    for rule in instrument.consistency_rules:
        if _fires(rule, case, effective):
            out.append(RuleWarning(rule.id, rule.message, tuple(rule.questions)))
    return out


@lru_cache(maxsize=4096)
def _parsed(source: str) -> Expression:
    """Rule expressions are parsed once per process, not on every page view."""
    return parse(source)


def _fires(rule: ConsistencyRule, case: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    return _parsed(rule.when).evaluate(case, answers) and not _parsed(rule.expect).evaluate(case, answers)


def section_status(section: Section, applies: Mapping[str, Applicability], answers: Mapping[str, Any]) -> SectionStatus:
    needed = [q for q in section.questions if applies.get(q.id, Applicability(True)).applies and _required(q)]
    done = [q for q in needed if answers.get(q.id) not in (None, "", [], {})]
    touched = any(answers.get(q.id) not in (None, "", [], {}) for q in section.questions)
    if needed and len(done) == len(needed):
        return "completed"
    if not needed:
        return "completed"  # nothing in this section applies to the case
    return "in_progress" if touched else "not_started"


def section_unanswered(section: Section, applies: Mapping[str, Applicability], answers: Mapping[str, Any]) -> list[str]:
    """Ids of the questions still to answer before the section is completed, in page order."""
    return [
        q.id for q in section.questions
        if applies.get(q.id, Applicability(True)).applies and _required(q) and answers.get(q.id) in (None, "", [])
    ]


def _required(q: Question) -> bool:
    """Choice questions must be answered; free text, numbers and dates are optional."""
    return q.type in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE, AnswerType.FACTOR_OUTCOMES)


def unanswered(section: Section, applies: Mapping[str, Applicability], answers: Mapping[str, Any]) -> list[Question]:
    return [
        q
        for q in section.questions
        if applies.get(q.id, Applicability(True)).applies and _required(q) and answers.get(q.id) in (None, "", [], {})
    ]


EXCLUDED = "excluded"


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class CaseScorer:
    """The stored scoring class of each answer of a case, applicability included: ``""``
    for an unscored or unanswered question, ``"excluded"`` for a scored answer to a
    question that does not apply, else the option's class (what the assessment form
    stores). For bulk imports, one case at a time: the questions that do not apply are
    remembered for each combination of the case details and answers the instrument's
    applicability expressions read, so thousands of cases cost a few evaluations."""

    def __init__(
        self, instrument: Instrument, expressions: Mapping[str, Expression] | None = None, *, memo_size: int = 100_000
    ) -> None:
        self.instrument = instrument
        self.expressions = dict(expressions) if expressions is not None else _expressions(instrument)
        self.fields = sorted({f for e in self.expressions.values() for f in e.case_fields})
        self.questions = sorted({q for e in self.expressions.values() for q in e.questions})
        self.memo_size = memo_size
        self._not_applying: dict[tuple[Any, ...], frozenset[str]] = {}
        self._classes: dict[tuple[str, Any], str] = {}
        self._question = {q.id: q for q in instrument.questions()}

    def not_applying(self, case: Mapping[str, Any], answers: Mapping[str, Any]) -> frozenset[str]:
        key = (*(_frozen(case.get(f)) for f in self.fields), *(_frozen(answers.get(q)) for q in self.questions))
        try:
            found = self._not_applying.get(key)
        except TypeError:  # an unhashable value (a dict): evaluate without remembering
            return self._evaluate(case, answers)
        if found is None:
            if len(self._not_applying) >= self.memo_size:
                self._not_applying.clear()
            found = self._evaluate(case, answers)
            self._not_applying[key] = found
        return found

    def _evaluate(self, case: Mapping[str, Any], answers: Mapping[str, Any]) -> frozenset[str]:
        verdicts = applicability(self.instrument, case, answers, self.expressions)
        return frozenset(q for q, a in verdicts.items() if not a.applies)

    def scoring_class(self, qid: str, value: Any) -> str:
        """The class of an answer when its question applies ('' when unscored)."""
        key = (qid, _frozen(value))
        try:
            return self._classes[key]
        except KeyError:
            pass
        except TypeError:
            sc = scoring_of(self.instrument, self._question[qid], value)
            return "" if sc is None else sc.value
        sc = scoring_of(self.instrument, self._question[qid], value)
        out = self._classes[key] = "" if sc is None else sc.value
        return out

    def __call__(self, case: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, str]:
        """Question id -> stored scoring class, for every answer to a question of the instrument."""
        off = self.not_applying(case, answers)
        out: dict[str, str] = {}
        for qid, value in answers.items():
            if qid not in self._question:
                continue
            sc = self.scoring_class(qid, value)
            out[qid] = EXCLUDED if sc and qid in off else sc
        return out
