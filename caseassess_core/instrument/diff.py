"""What changed between two instrument versions, question by question: added, removed,
reworded (question text), options changed (values or labels added, removed or relabelled)
and scoring changed (an option's scoring class, or whether the question is scored).
Plain data for the review page before a new version is published."""

from __future__ import annotations

from dataclasses import dataclass, field

from caseassess_core.instrument.schema import Instrument, Question


@dataclass(frozen=True)
class QuestionChange:
    question_id: str
    kind: str  # "reworded" | "options" | "scoring" | "applicability"
    before: str
    after: str


@dataclass(frozen=True)
class InstrumentDiff:
    old_id: str
    new_id: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changes: list[QuestionChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changes)

    def of_kind(self, kind: str) -> list[QuestionChange]:
        return [c for c in self.changes if c.kind == kind]


def _options(ins: Instrument, q: Question) -> dict[str, str]:
    return {o.value: o.label for o in ins.options_for(q)}


def _scoring(ins: Instrument, q: Question) -> dict[str, str]:
    return {o.value: (o.scoring.value if o.scoring is not None else "none") for o in ins.options_for(q)}


def _show(d: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in d.items()) or "none"


def instrument_diff(old: Instrument, new: Instrument) -> InstrumentDiff:
    """Questions are matched by id (the tool number the guide prints)."""
    before = {q.id: q for q in old.questions()}
    after = {q.id: q for q in new.questions()}
    changes: list[QuestionChange] = []
    for qid, q in after.items():
        p = before.get(qid)
        if p is None:
            continue
        if p.text.strip() != q.text.strip():
            changes.append(QuestionChange(qid, "reworded", p.text.strip(), q.text.strip()))
        po, qo = _options(old, p), _options(new, q)
        if po != qo:
            changes.append(QuestionChange(qid, "options", _show(po), _show(qo)))
        ps, qs = _scoring(old, p), _scoring(new, q)
        common = set(ps) & set(qs)
        if any(ps[v] != qs[v] for v in common) or bool(p.scored) != bool(q.scored):
            was = _show({v: ps[v] for v in ps if v in common}) + ("" if p.scored is None else f" (scored: {p.scored})")
            now = _show({v: qs[v] for v in qs if v in common}) + ("" if q.scored is None else f" (scored: {q.scored})")
            changes.append(QuestionChange(qid, "scoring", was, now))
        if (p.applies_when or "") != (q.applies_when or ""):
            changes.append(QuestionChange(qid, "applicability", p.applies_when or "always", q.applies_when or "always"))
    return InstrumentDiff(
        old_id=old.id,
        new_id=new.id,
        added=[qid for qid in after if qid not in before],
        removed=[qid for qid in before if qid not in after],
        changes=changes,
    )
