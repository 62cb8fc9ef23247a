"""The instrument file schema.

An instrument version is declarative data: views, sections, criteria, questions with
their quick indicator and extended guidance, answer options with a scoring class,
applicability expressions, consistency rules, headline-score and general-criteria
membership, case-detail fields and decision-aid tables.

The schema is the single source of truth for ``docs/instrument-format.md``
(``python -m caseassess_core.instrument.docs`` regenerates it and a test checks the
document is current).
"""

from __future__ import annotations

import datetime
import re
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

QUESTION_ID = re.compile(r"^[A-G]\.\d+\.\d+\.\d+(\.[A-Za-z])?$")
SECTION_ID = re.compile(r"^[A-G]\.\d+\.\d+$")
CRITERION_ID = re.compile(r"^\d+\.\d+(\.[a-z])?(\.\d+)?$")
FIELD_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Scoring(str, Enum):
    """How an answer counts towards '% done sufficiently well'."""

    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    EXCLUDED = "excluded"


class AnswerType(str, Enum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    DATE = "date"
    TEXT = "text"
    FACTOR_OUTCOMES = "factor_outcomes"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One answer option. ``scoring`` is required on scored questions."""

    value: str = Field(description="Stable machine value stored with the answer, e.g. `yes`.")
    label: str = Field(description="Text shown to the assessor, e.g. `Yes`.")
    scoring: Scoring | None = Field(
        default=None,
        description="`sufficient`, `insufficient` or `excluded` (left out of both % and N).",
    )
    hint: str | None = Field(default=None, description="Optional hint shown under the option.")


class CaseDetailField(_Strict):
    """A View 0 case-detail field, usable in applicability expressions as `case.<id>`."""

    id: str = Field(description="Identifier used in expressions (`case.sentence_type`).")
    number: str | None = Field(default=None, description="Number as the guide prints it, e.g. `11`, `13a`.")
    label: str
    type: AnswerType
    options: list[Option] | str | None = Field(
        default=None, description="Inline options or the name of an `option_sets` entry."
    )
    hint: str | None = None
    quick_indicator: str | None = None
    guidance: str | None = Field(default=None, description="Extended guidance, Markdown.")
    required: bool = False
    subgroup: bool = Field(default=False, description="Offered as a subgroup for findings tables.")
    min: float | None = None
    max: float | None = None
    table: str | None = Field(
        default=None, description="Name of a decision-aid table whose rows are the options (e.g. offences)."
    )

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not FIELD_ID.match(v):
            raise ValueError(f"case-detail id {v!r} must be lower_snake_case")
        return v


class Question(_Strict):
    """One question of the tool, keyed by its tool number as the guide prints it."""

    id: str = Field(description="Tool number as printed in the guide, e.g. `B.4.1.6`.")
    criterion: str | None = Field(default=None, description="Criterion number, e.g. `4.1.a.2`.")
    text: str = Field(description="Question wording, exactly as the guide prints it.")
    quick_indicator: str | None = None
    hint: str | None = Field(default=None, description="How to answer, shown under the quick indicator.")
    guidance: str | None = Field(default=None, description="Extended guidance, Markdown.")
    type: AnswerType = AnswerType.SINGLE_CHOICE
    options: list[Option] | str | None = Field(
        default=None, description="Inline options or the name of an `option_sets` entry."
    )
    factors: list[Option] | str | None = Field(
        default=None,
        description="`factor_outcomes` only: the rows (e.g. offending-related factors), each answered with one "
        "of `options`. The answer is sufficient when any row's outcome is sufficient, otherwise insufficient "
        "when any row's is insufficient, otherwise excluded.",
    )
    scored: bool | None = Field(
        default=None,
        description="Counts towards findings. Defaults to true for single choice and factor outcomes, "
        "false otherwise.",
    )
    scores: list[str] = Field(
        default_factory=list,
        description="Ids of the headline scores (and any general criterion not given by `sections`) this "
        "question counts in; one question may count in several.",
    )
    applies_when: str | None = Field(
        default=None, description="Applicability expression; the question is asked only when it is true."
    )
    not_applicable_reason: str | None = Field(
        default=None, description="Readable reason shown when `applies_when` is false."
    )
    comment: bool = Field(default=False, description="Offer a free-text comment box beside the answer.")
    key_aspect: str | None = Field(
        default=None,
        description="Short wording for findings tables (seed Tables 3-6), e.g. `Was the RoH screening accurate?`.",
    )
    note: str | None = Field(default=None, description="Editorial note (source problems, decisions).")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not QUESTION_ID.match(v):
            raise ValueError(f"question id {v!r} must look like B.4.1.6 (or A.1.1.9.A)")
        return v

    @property
    def is_scored(self) -> bool:
        if self.scored is not None:
            return self.scored
        return self.type in (AnswerType.SINGLE_CHOICE, AnswerType.FACTOR_OUTCOMES)


class SubCriterion(_Strict):
    id: str = Field(description="Sub-criterion number, e.g. `4.1.a`.")
    statement: str


class Section(_Strict):
    id: str = Field(description="Section as printed in the guide, e.g. `B.4.1`.")
    criterion: str = Field(description="Criterion number, e.g. `4.1`.")
    title: str
    statement: str | None = None
    subcriteria: list[SubCriterion] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not SECTION_ID.match(v):
            raise ValueError(f"section id {v!r} must look like B.4.1")
        return v


class View(_Strict):
    id: str = Field(description="View number, e.g. `1`.")
    title: str
    sections: list[Section] = Field(default_factory=list)


class ConsistencyRule(_Strict):
    """`when` true and `expect` false produces a warning with `message`."""

    id: str
    when: str
    expect: str
    message: str
    questions: list[str] = Field(default_factory=list, description="Questions the warning is shown beside.")


class ScoreDefinition(_Strict):
    """A headline score or general criteria score: pooled answers of its member questions."""

    id: str
    title: str
    description: str | None = None
    phrase: str | None = Field(
        default=None,
        description="Wording inside key-findings sentences, e.g. "
        "`work to keep to a minimum each offender's Risk of Harm to others`.",
    )
    sections: list[str] = Field(default_factory=list, description="Every scored question of these sections.")
    questions: list[str] = Field(default_factory=list, description="Extra member questions.")
    exclude: list[str] = Field(default_factory=list, description="Questions left out.")


class Table(_Strict):
    """A decision-aid data table (offences lists, tiering grid...)."""

    id: str
    title: str
    source: str | None = None
    columns: list[str]
    rows: list[dict[str, Any]]


class Instrument(_Strict):
    """A whole instrument version (one or more YAML files joined by `include`)."""

    id: str = Field(description="Instrument version id, e.g. `iaow-2013-10`.")
    title: str
    version: str
    effective_from: datetime.date | None = Field(default=None, description="ISO date the version comes into use.")
    source: str | None = None
    include: list[str] = Field(default_factory=list, description="Further YAML files, relative to this one.")
    option_sets: dict[str, list[Option]] = Field(default_factory=dict)
    case_details: list[CaseDetailField] = Field(default_factory=list)
    views: list[View] = Field(default_factory=list)
    consistency_rules: list[ConsistencyRule] = Field(default_factory=list)
    headline_scores: list[ScoreDefinition] = Field(default_factory=list)
    general_criteria: list[ScoreDefinition] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)

    # ---- navigation helpers (pure) -------------------------------------------------
    def sections(self) -> list[Section]:
        return [s for v in self.views for s in v.sections]

    def questions(self) -> list[Question]:
        return [q for s in self.sections() for q in s.questions]

    def question(self, qid: str) -> Question:
        for q in self.questions():
            if q.id == qid:
                return q
        raise KeyError(qid)

    def section_of(self, qid: str) -> Section:
        for s in self.sections():
            if any(q.id == qid for q in s.questions):
                return s
        raise KeyError(qid)

    def factors_for(self, item: Question) -> list[Option]:
        """The rows of a `factor_outcomes` question ([] for other types)."""
        if item.factors is None:
            return []
        if isinstance(item.factors, str):
            return self.option_sets[item.factors]
        return item.factors

    def options_for(self, item: Question | CaseDetailField) -> list[Option]:
        if item.options is None:
            return []
        if isinstance(item.options, str):
            return self.option_sets[item.options]
        return item.options

    def case_field(self, fid: str) -> CaseDetailField:
        for f in self.case_details:
            if f.id == fid:
                return f
        raise KeyError(fid)

    def table(self, tid: str) -> Table:
        for t in self.tables:
            if t.id == tid:
                return t
        raise KeyError(tid)

    def score_members(self, score: ScoreDefinition) -> list[str]:
        """Ids of the scored questions pooled in a headline or general criteria score, in instrument order:
        every scored question of ``score.sections``, every question listing the score in its own
        ``scores``, and ``score.questions``; less ``score.exclude``."""
        wanted: list[str] = []
        for s in self.sections():
            for q in s.questions:
                if q.is_scored and (s.id in score.sections or score.id in q.scores):
                    wanted.append(q.id)
        for qid in score.questions:
            if qid not in wanted:
                wanted.append(qid)
        return [q for q in wanted if q not in score.exclude]

    def scores_of(self, qid: str) -> list[tuple[Literal["headline", "general"], ScoreDefinition]]:
        """Every headline and general criteria score a question counts in (instrument order)."""
        return [(kind, s) for kind, s in self.all_scores() if qid in self.score_members(s)]

    def all_scores(self) -> list[tuple[Literal["headline", "general"], ScoreDefinition]]:
        out: list[tuple[Literal["headline", "general"], ScoreDefinition]] = []
        out.extend(("headline", s) for s in self.headline_scores)
        out.extend(("general", s) for s in self.general_criteria)
        return out
