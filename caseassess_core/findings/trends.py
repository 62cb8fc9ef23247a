"""Trends across rounds: one programme against an earlier one (OMI 1 -> OMI 2, one IAOW year -> the next).

Questions are matched by a *crosswalk* between instrument versions: a YAML file beside the newer
instrument (``crosswalk-from-<earlier id>.yaml``) that names, for every scored question of the newer
version, its counterpart in the earlier one (or none), and lists the earlier questions that were
dropped. ``draft_crosswalk`` writes a first draft from the difference between the two versions, to
be checked and edited by hand; ``load_crosswalk`` refuses a file that does not match the two
instruments, naming file and line.

Each row compares "% done sufficiently well" then and now: the change in percentage points and
Pearson's chi-square on the 2x2 table (the two-proportion test, no continuity correction), with
the report's stars. A row resting on fewer than ``min_n`` answers in either round carries a caution.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from caseassess_core.findings.counts import CountIndex
from caseassess_core.findings.tables import Cell, Test
from caseassess_core.instrument.loader import InstrumentError, Problem, _compose, _fmt
from caseassess_core.instrument.schema import Instrument
from caseassess_core.statistics.contingency import chi_square_2x2


class CrosswalkError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Crosswalk:
    earlier: str  # instrument id
    later: str
    pairs: dict[str, str | None]  # later question id -> earlier question id (None: no counterpart)
    dropped: tuple[str, ...]  # earlier scored questions with no later counterpart
    notes: dict[str, str]  # question id (later, or earlier for dropped) -> the editor's note

    @classmethod
    def identity(cls, instrument: Instrument) -> Crosswalk:
        scored = [q.id for q in instrument.questions() if q.is_scored]
        return cls(instrument.id, instrument.id, {q: q for q in scored}, (), {})

    def to_dict(self) -> dict[str, Any]:
        return {"earlier": self.earlier, "later": self.later, "pairs": self.pairs, "dropped": list(self.dropped),
                "notes": self.notes}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Crosswalk:
        return cls(data["earlier"], data["later"], dict(data["pairs"]), tuple(data["dropped"]), dict(data["notes"]))


DRAFT_MARK = "# DRAFT written by"


def crosswalk_filename(earlier_id: str) -> str:
    return f"crosswalk-from-{earlier_id}.yaml"


def _scored(ins: Instrument) -> list[str]:
    return [q.id for q in ins.questions() if q.is_scored]


def draft_crosswalk(earlier: Instrument, later: Instrument) -> str:
    """A first draft: the same id maps to itself; a new id whose wording equals an earlier question's
    maps to it ("renamed"); anything else has no counterpart; earlier questions left over are dropped.
    Check every line by hand before use."""
    old = {q.id: q for q in earlier.questions() if q.is_scored}
    by_text = {q.text.strip().lower(): q.id for q in old.values()}
    used: set[str] = set()
    lines = [
        f"# Crosswalk from {earlier.id} ({earlier.version}) to {later.id} ({later.version}).",
        f"{DRAFT_MARK} `manage.py draft_crosswalk`: check each line against both guides, then remove this line.",
        f"earlier: {earlier.id}",
        f"later: {later.id}",
        "questions:",
    ]
    for q in later.questions():
        if not q.is_scored:
            continue
        if q.id in old:
            target, note = q.id, ("same id; wording changed" if old[q.id].text != q.text else "")
        elif (match := by_text.get(q.text.strip().lower())) and match not in {q2.id for q2 in later.questions()}:
            target, note = match, f"renamed from {match} (same wording)"
        else:
            target, note = None, "new question: no counterpart"
        if target:
            used.add(target)
        entry = {"question": q.id, "earlier": target}
        if note:
            entry["note"] = note
        dumped = yaml.safe_dump(entry, default_flow_style=True, sort_keys=False, allow_unicode=True)
        lines.append("  - " + dumped.strip())
    left = [qid for qid in old if qid not in used]
    lines.append("dropped:" + ("" if left else " []"))
    for qid in left:
        lines.append("  - " + yaml.safe_dump({"earlier": qid, "note": "not asked in the later version"},
                                             default_flow_style=True, sort_keys=False).strip())
    return "\n".join(lines) + "\n"


def load_crosswalk(path: str | Path, earlier: Instrument, later: Instrument) -> Crosswalk:
    """Load and check a crosswalk file against both instruments."""
    file = Path(path)
    name = str(file)
    if not file.is_file():
        raise CrosswalkError([Problem(name, None, "", "file not found")])
    try:
        data, lines = _compose(file)
    except InstrumentError as exc:
        raise CrosswalkError(exc.problems) from None
    for number, text in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if text.startswith(DRAFT_MARK):
            message = "this crosswalk is still a draft: check every line, then remove this line"
            raise CrosswalkError([Problem(name, number, "", message)])

    def line(loc: tuple[str | int, ...]) -> int | None:
        probe = loc
        while probe:
            if probe in lines:
                return lines[probe]
            probe = probe[:-1]
        return lines.get(())

    problems: list[Problem] = []

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(name, line(loc), _fmt(loc), message))

    if not isinstance(data, dict):
        message = "a crosswalk must be a mapping with earlier, later, questions, dropped"
        raise CrosswalkError([Problem(name, 1, "", message)])
    for key in data:
        if key not in {"earlier", "later", "questions", "dropped"}:
            problem((key,), f"unknown key {key!r} (a crosswalk has earlier, later, questions, dropped)")
    if data.get("earlier") != earlier.id:
        problem(("earlier",), f"earlier must be {earlier.id!r}, the instrument this crosswalk maps from")
    if data.get("later") != later.id:
        problem(("later",), f"later must be {later.id!r}, the instrument this file sits beside")
    new_scored, old_scored = _scored(later), set(_scored(earlier))
    old_all = {q.id for q in earlier.questions()}
    pairs: dict[str, str | None] = {}
    notes: dict[str, str] = {}
    mapped_from: dict[str, str] = {}
    entries = data.get("questions")
    if not isinstance(entries, list):
        problem(("questions",), "questions must be a list of {question: ID, earlier: ID or null}")
        entries = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "question" not in entry or "earlier" not in entry:
            problem(("questions", i), "each entry needs question: and earlier: (earlier: null when there is none)")
            continue
        qid, old = str(entry["question"]), entry["earlier"]
        if qid not in new_scored:
            problem(("questions", i, "question"), f"{qid} is not a scored question of {later.id}")
            continue
        if qid in pairs:
            problem(("questions", i, "question"), f"{qid} is listed twice")
            continue
        if old is not None:
            old = str(old)
            if old not in old_all:
                problem(("questions", i, "earlier"), f"{old} is not a question of {earlier.id}")
                continue
            if old not in old_scored:
                problem(("questions", i, "earlier"), f"{old} is not scored in {earlier.id}, so it cannot be compared")
                continue
            if old in mapped_from:
                problem(("questions", i, "earlier"), f"{old} is already the counterpart of {mapped_from[old]}")
                continue
            mapped_from[old] = qid
        pairs[qid] = old
        if entry.get("note"):
            notes[qid] = str(entry["note"])
    for qid in new_scored:
        if qid not in pairs:
            problem(("questions",), f"scored question {qid} of {later.id} is missing (give earlier: null if it is new)")
    dropped: list[str] = []
    raw = data.get("dropped") or []
    if not isinstance(raw, list):
        problem(("dropped",), "dropped must be a list of {earlier: ID}")
        raw = []
    for i, entry in enumerate(raw):
        old = str(entry.get("earlier")) if isinstance(entry, dict) else str(entry)
        if old not in old_scored:
            problem(("dropped", i), f"{old} is not a scored question of {earlier.id}")
        elif old in mapped_from:
            problem(("dropped", i), f"{old} is the counterpart of {mapped_from[old]}, so it was not dropped")
        else:
            dropped.append(old)
            if isinstance(entry, dict) and entry.get("note"):
                notes[old] = str(entry["note"])
    for old in sorted(old_scored - set(mapped_from) - set(dropped)):
        problem(("dropped",), f"scored question {old} of {earlier.id} is neither mapped nor listed as dropped")
    if problems:
        raise CrosswalkError(problems)
    return Crosswalk(earlier.id, later.id, pairs, tuple(dropped), notes)


@dataclass(frozen=True, slots=True)
class TrendRow:
    kind: str  # "headline" | "general" | "question"
    id: str  # the later id (the earlier id for a dropped question)
    earlier_id: str | None
    label: str
    earlier: Cell | None
    later: Cell | None
    change_points: float | None  # later minus earlier, exact, one decimal
    test: Test | None
    caution: bool  # fewer than min_n answers in either round
    note: str


@dataclass(frozen=True, slots=True)
class TrendTable:
    title: str
    earlier_label: str
    later_label: str
    rows: tuple[TrendRow, ...]
    min_n: int


def _row(kind: str, rid: str, earlier_id: str | None, label: str, before: Cell | None, after: Cell | None,
         note: str, min_n: int) -> TrendRow:
    change = test = None
    if before is not None and after is not None and before.n and after.n:
        change = round(100 * (after.sufficient / after.n - before.sufficient / before.n), 1)
        chi = chi_square_2x2(after.sufficient, after.n, before.sufficient, before.n)
        if chi is not None:
            test = Test(chi.chi2, chi.p, chi.stars, chi.small_expected, change)
    caution = any(c is not None and c.n < min_n for c in (before, after))
    return TrendRow(kind, rid, earlier_id, label, before, after, change, test, caution, note)


def trend_table(
    *,
    earlier: Instrument,
    later: Instrument,
    crosswalk: Crosswalk,
    earlier_counts: CountIndex,
    later_counts: CountIndex,
    title: str,
    earlier_label: str,
    later_label: str,
    min_n: int = 10,
    questions: bool = True,
) -> TrendTable:
    """Scores present in both versions (matched by id, each pooled by its own version's members),
    then every scored question of the later version, then the earlier questions that were dropped."""
    rows: list[TrendRow] = []
    old_scores = {s.id: s for _, s in earlier.all_scores()}
    for kind, score in later.all_scores():
        before = None
        if score.id in old_scores:
            before = Cell.of(earlier_counts.proportion(earlier.score_members(old_scores[score.id])))
        after = Cell.of(later_counts.proportion(later.score_members(score)))
        note = "" if before is not None else f"not a score of {earlier.id}"
        rows.append(_row(kind, score.id, score.id if before else None, score.title, before, after, note, min_n))
    if questions:
        for q in later.questions():
            if not q.is_scored:
                continue
            old = crosswalk.pairs.get(q.id)
            after = Cell.of(later_counts.proportion([q.id]))
            before = Cell.of(earlier_counts.proportion([old])) if old else None
            note = crosswalk.notes.get(q.id, "")
            if old is None:
                note = note or "no counterpart in the earlier round"
            elif old != q.id and not note:
                note = f"was {old}"
            rows.append(_row("question", q.id, old, q.key_aspect or q.text, before, after, note, min_n))
        for old in crosswalk.dropped:
            oq = earlier.question(old)
            before = Cell.of(earlier_counts.proportion([old]))
            note = crosswalk.notes.get(old) or "not asked in the later round"
            rows.append(_row("question", old, old, oq.key_aspect or oq.text, before, None, note, min_n))
    return TrendTable(title, earlier_label, later_label, tuple(rows), min_n)


def trend_rows_to_dicts(table: TrendTable) -> list[dict[str, Any]]:
    out = []
    for r in table.rows:
        out.append({
            "kind": r.kind, "id": r.id, "earlier_id": r.earlier_id, "label": r.label,
            "earlier_pct": r.earlier.pct if r.earlier else None, "earlier_n": r.earlier.n if r.earlier else None,
            "later_pct": r.later.pct if r.later else None, "later_n": r.later.n if r.later else None,
            "change_points": r.change_points,
            "p": round(r.test.p, 3) if r.test else None, "stars": r.test.stars if r.test else "",
            "caution_small_numbers": r.caution, "note": r.note,
        })
    return out
