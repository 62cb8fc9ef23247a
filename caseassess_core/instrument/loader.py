"""Load an instrument version from YAML with error messages that name the place.

Every problem is reported as ``file:line: path: message``; nothing is returned unless
the whole instrument is valid. The loader checks, beyond the schema:

* duplicate ids (questions, sections, case-detail fields, rules, scores, tables);
* options without a scoring class on scored questions, unknown option sets;
* expressions that do not parse, or name unknown questions or case fields;
* cycles between applicability expressions;
* headline / general-criteria members and rule targets that do not exist, or that are
  not scored (a question's own ``scores`` naming an unknown score, or an unscored
  question in a score);
* a scored question that counts in no general criterion, or in more than one (OMI 2:
  "each question contributes to one of the 'general criteria' scores"), when the
  instrument defines general criteria.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from caseassess_core.applicability.expression import Expression, ExpressionError, parse
from caseassess_core.instrument.schema import Instrument, Question

Loc = tuple[str | int, ...]
_LIST_KEYS = ("case_details", "views", "consistency_rules", "headline_scores", "general_criteria", "tables")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InstrumentError(Exception):
    """Raised with every problem found; ``problems`` holds them in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedInstrument:
    instrument: Instrument
    checksum: str
    files: tuple[str, ...]
    expressions: dict[str, Expression]  # question id -> applicability


# Limits on one instrument file (the shipped instrument's largest file is 114 KB and holds
# under 3,000 values): a file over a limit is refused with the limit named, before it can
# take the loader's memory or time (a "billion laughs" of YAML aliases, a 60 MB file,
# 100,000 nested lists).
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 40
MAX_VALUES = 500_000  # after expanding aliases


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that refuses nesting deeper than MAX_DEPTH while composing (PyYAML's
    composer recurses once per level)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(int(self.line) + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document holds once aliases are expanded (each alias counts its
    anchor's whole subtree again), computed without expanding; stops counting past the cap."""
    sizes: dict[int, int] = {}
    order: list[yaml.Node] = []
    stack: list[yaml.Node] = [root]
    seen: set[int] = set()
    while stack:  # children before parents, each node once
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        order.append(n)
        if isinstance(n, yaml.MappingNode):
            stack.extend(x for kv in n.value for x in kv)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    for n in reversed(order):
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(sizes.get(id(x), 1) for kv in n.value for x in kv)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(sizes.get(id(x), 1) for x in n.value)
        else:
            total = 1
        sizes[id(n)] = min(total, MAX_VALUES + 1)
    return sizes[id(root)]


def _compose(path: Path) -> tuple[Any, dict[Loc, int]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            msg = f"the file is {size:,} bytes; the limit on file size is {MAX_FILE_BYTES:,} bytes"
            raise InstrumentError([Problem(str(path), None, "", msg)])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InstrumentError([Problem(str(path), None, "", "the file is not UTF-8 text")]) from None
    except OSError as exc:
        raise InstrumentError([Problem(str(path), None, "", f"cannot be read: {exc.strerror or exc}")]) from None
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
    except _TooDeep as exc:
        msg = f"nesting is deeper than {MAX_DEPTH} levels (limit on nesting depth)"
        raise InstrumentError([Problem(str(path), exc.line, "", msg)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InstrumentError([Problem(str(path), line, "", f"YAML does not parse: {problem}")]) from None
    lines: dict[Loc, int] = {}
    if node is None:
        return {}, lines
    if _expanded_size(node) > MAX_VALUES:
        raise InstrumentError(
            [Problem(str(path), None, "", f"the YAML expands to more than {MAX_VALUES:,} values "
                     "(limit on alias expansion: anchors (&) repeated by aliases (*))")]
        )

    def walk(n: yaml.Node, loc: Loc) -> None:
        lines[loc] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in n.value:
                key = k.value
                if key in seen:
                    raise InstrumentError(
                        [Problem(str(path), k.start_mark.line + 1, _fmt(loc), f"duplicate key {key!r}")]
                    )
                seen.add(key)
                walk(v, (*loc, key))
                lines[(*loc, key)] = k.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, (*loc, i))

    walk(node, ())
    data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader; within the limits checked above
    return data, lines


def _fmt(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Places:
    """Maps a location in the merged document to (file, line)."""

    def __init__(self) -> None:
        self._map: dict[Loc, tuple[str, int]] = {}

    def add(self, file: str, lines: dict[Loc, int], remap: dict[Loc, Loc]) -> None:
        for loc, line in lines.items():
            target = loc
            for prefix, new in remap.items():
                if loc[: len(prefix)] == prefix:
                    target = (*new, *loc[len(prefix) :])
                    break
            self._map.setdefault(target, (file, line))

    def at(self, loc: Loc) -> tuple[str, int | None]:
        probe = tuple(loc)
        while probe:
            if probe in self._map:
                return self._map[probe]
            probe = probe[:-1]
        return self._map.get((), ("?", 0))


def load_instrument(path: str | Path) -> LoadedInstrument:
    """Load and fully check an instrument file (and its includes)."""
    root_path = Path(path)
    if root_path.is_dir():
        root_path = root_path / "instrument.yaml"
    if not root_path.exists():
        raise InstrumentError([Problem(str(root_path), None, "", "file not found")])
    places = _Places()
    digest = hashlib.sha256()
    data, lines = _compose(root_path)
    if not isinstance(data, dict):
        raise InstrumentError([Problem(str(root_path), 1, "", "an instrument file must be a mapping")])
    digest.update(root_path.read_bytes())
    places.add(str(root_path), lines, {})
    files = [str(root_path)]
    merged: dict[str, Any] = dict(data)
    problems: list[Problem] = []
    home = root_path.parent.resolve()
    for i, inc in enumerate(data.get("include") or []):
        inc_path = root_path.parent / str(inc)
        f, ln = places.at(("include", i))
        # Resolved (.., absolute paths and symbolic links followed) before the check: an
        # include can name only a file inside the instrument's own directory.
        if not inc_path.resolve().is_relative_to(home):
            msg = f"included file {inc!r} is outside the instrument directory {home}"
            problems.append(Problem(f, ln, f"include[{i}]", msg))
            continue
        if not inc_path.is_file():
            problems.append(Problem(f, ln, f"include[{i}]", f"included file {inc!r} not found"))
            continue
        part, part_lines = _compose(inc_path)
        digest.update(inc_path.read_bytes())
        files.append(str(inc_path))
        if not isinstance(part, dict):
            problems.append(Problem(str(inc_path), 1, "", "an included file must be a mapping"))
            continue
        remap: dict[Loc, Loc] = {}
        for key, value in part.items():
            if key in _LIST_KEYS:
                if not isinstance(value, list):
                    problems.append(Problem(str(inc_path), part_lines.get((key,)), key, "must be a list"))
                    continue
                existing = merged.setdefault(key, [])
                for j in range(len(value)):
                    remap[(key, j)] = (key, len(existing) + j)
                existing.extend(value)
            elif key == "option_sets" and isinstance(value, dict):
                sets = merged.setdefault("option_sets", {})
                for name in value:
                    if name in sets:
                        line = part_lines.get((key, name))
                        problems.append(Problem(str(inc_path), line, f"option_sets.{name}", "duplicate option set"))
                sets.update(value)
            else:
                problems.append(
                    Problem(str(inc_path), part_lines.get((key,)), key, f"unknown key {key!r} in an included file")
                )
        places.add(str(inc_path), part_lines, remap)
    if problems:
        raise InstrumentError(problems)

    try:
        instrument = Instrument.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in {"list[Option]", "str"}))
            f, ln = places.at(loc)
            problems.append(Problem(f, ln, _fmt(loc), err["msg"]))
        raise InstrumentError(_dedupe(problems)) from None

    expressions = _check_semantics(instrument, places, problems)
    if problems:
        raise InstrumentError(problems)
    return LoadedInstrument(instrument, digest.hexdigest(), tuple(files), expressions)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def _check_semantics(ins: Instrument, places: _Places, problems: list[Problem]) -> dict[str, Expression]:
    def report(loc: Loc, message: str) -> None:
        f, ln = places.at(loc)
        problems.append(Problem(f, ln, _fmt(loc), message))

    question_locs: dict[str, Loc] = {}
    section_ids: set[str] = set()
    for vi, view in enumerate(ins.views):
        for si, sec in enumerate(view.sections):
            sloc: Loc = ("views", vi, "sections", si)
            if sec.id in section_ids:
                report((*sloc, "id"), f"duplicate section id {sec.id}")
            section_ids.add(sec.id)
            for qi, q in enumerate(sec.questions):
                qloc: Loc = (*sloc, "questions", qi)
                if q.id in question_locs:
                    first = places.at(question_locs[q.id])
                    report((*qloc, "id"), f"duplicate question id {q.id} (first at line {first[1]})")
                else:
                    question_locs[q.id] = qloc
                if not q.id.startswith(sec.id + "."):
                    report((*qloc, "id"), f"question {q.id} does not belong to section {sec.id}")
                _check_options(ins, q, qloc, report)

    field_ids: set[str] = set()
    for fi, fld in enumerate(ins.case_details):
        if fld.id in field_ids:
            report(("case_details", fi, "id"), f"duplicate case-detail id {fld.id}")
        field_ids.add(fld.id)
        if isinstance(fld.options, str) and fld.options not in ins.option_sets:
            report(("case_details", fi, "options"), f"unknown option set {fld.options!r}")
        if fld.table is not None and fld.table not in {t.id for t in ins.tables}:
            report(("case_details", fi, "table"), f"unknown table {fld.table!r}")

    for name, opts in ins.option_sets.items():
        values = [o.value for o in opts]
        if len(values) != len(set(values)):
            report(("option_sets", name), f"option set {name!r} repeats a value")

    def check_expr(source: str, loc: Loc) -> Expression | None:
        try:
            expr = parse(source)
        except ExpressionError as exc:
            report(loc, f"expression {source!r} {exc}")
            return None
        for qid in sorted(expr.questions):
            if qid not in question_locs:
                report(loc, f"expression {source!r} names unknown question {qid}")
        for fid in sorted(expr.case_fields):
            if fid not in field_ids:
                report(loc, f"expression {source!r} names unknown case detail case.{fid}")
        return expr

    expressions: dict[str, Expression] = {}
    for qid, qloc in question_locs.items():
        q = ins.question(qid)
        if q.applies_when:
            expr = check_expr(q.applies_when, (*qloc, "applies_when"))
            if expr is not None:
                expressions[qid] = expr
    _check_cycles(expressions, question_locs, report)

    rule_ids: set[str] = set()
    for ri, rule in enumerate(ins.consistency_rules):
        if rule.id in rule_ids:
            report(("consistency_rules", ri, "id"), f"duplicate rule id {rule.id}")
        rule_ids.add(rule.id)
        check_expr(rule.when, ("consistency_rules", ri, "when"))
        check_expr(rule.expect, ("consistency_rules", ri, "expect"))
        for qi, qid in enumerate(rule.questions):
            if qid not in question_locs:
                report(("consistency_rules", ri, "questions", qi), f"unknown question {qid}")

    for key in ("headline_scores", "general_criteria"):
        seen: set[str] = set()
        for i, score in enumerate(getattr(ins, key)):
            if score.id in seen:
                report((key, i, "id"), f"duplicate score id {score.id}")
            seen.add(score.id)
            for j, sid in enumerate(score.sections):
                if sid not in section_ids:
                    report((key, i, "sections", j), f"unknown section {sid}")
            for part in ("questions", "exclude"):
                for j, qid in enumerate(getattr(score, part)):
                    if qid not in question_locs:
                        report((key, i, part, j), f"unknown question {qid}")
                    elif not ins.question(qid).is_scored:
                        report((key, i, part, j), f"question {qid} is not scored")
    score_ids = {s.id for _, s in ins.all_scores()}
    for qid, qloc in question_locs.items():
        q = ins.question(qid)
        for j, sid in enumerate(q.scores):
            if sid not in score_ids:
                report((*qloc, "scores", j), f"{qid} names unknown score {sid!r}")
            elif not q.is_scored:
                report((*qloc, "scores", j), f"{qid} is not scored, so it cannot count in {sid!r}")
    if ins.general_criteria and not problems:
        counts = {qid: 0 for qid in question_locs if ins.question(qid).is_scored}
        for score in ins.general_criteria:
            for qid in ins.score_members(score):
                if qid in counts:
                    counts[qid] += 1
        for qid, k in counts.items():
            if k != 1:
                where = "no general criterion" if k == 0 else f"{k} general criteria"
                report((*question_locs[qid], "id"), f"scored question {qid} counts in {where}; it must count in one")
    table_ids: set[str] = set()
    for ti, table in enumerate(ins.tables):
        if table.id in table_ids:
            report(("tables", ti, "id"), f"duplicate table id {table.id}")
        table_ids.add(table.id)
        for ri, row in enumerate(table.rows):
            unknown = set(row) - set(table.columns)
            if unknown:
                report(("tables", ti, "rows", ri), f"unknown column(s) {sorted(unknown)}")
    return expressions


def _check_options(ins: Instrument, q: Question, qloc: Loc, report: Any) -> None:
    if q.type.value == "factor_outcomes":
        if q.factors is None:
            report((*qloc, "factors"), f"{q.id} is a factor_outcomes question without factors")
        elif isinstance(q.factors, str) and q.factors not in ins.option_sets:
            report((*qloc, "factors"), f"unknown option set {q.factors!r}")
    elif q.factors is not None:
        report((*qloc, "factors"), f"{q.id}: only factor_outcomes questions have factors")
    if q.type.value in ("single_choice", "multiple_choice", "factor_outcomes"):
        if q.options is None:
            report((*qloc, "options"), f"{q.id} is a {q.type.value} question without options")
            return
        if isinstance(q.options, str):
            if q.options not in ins.option_sets:
                report((*qloc, "options"), f"unknown option set {q.options!r}")
                return
            opts = ins.option_sets[q.options]
            base: Loc = ("option_sets", q.options)
        else:
            opts = q.options
            base = (*qloc, "options")
        values = [o.value for o in opts]
        if len(values) != len(set(values)):
            report(base, f"{q.id} repeats an option value")
        if q.is_scored:
            for oi, o in enumerate(opts):
                if o.scoring is None:
                    report((*base, oi), f"option {o.label!r} of scored question {q.id} has no scoring class")
    elif q.is_scored:
        report((*qloc, "scored"), f"{q.id}: only single choice and factor outcomes questions can be scored")


def _check_cycles(exprs: dict[str, Expression], locs: dict[str, Loc], report: Any) -> None:
    state: dict[str, int] = {}

    def visit(qid: str, stack: list[str]) -> None:
        state[qid] = 1
        expr = exprs.get(qid)
        for dep in sorted(expr.questions) if expr else []:
            if dep not in locs:
                continue
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep) :], dep] if dep in stack else [qid, dep]
                report((*locs[qid], "applies_when"), "cycle in applicability: " + " -> ".join(cycle))
            elif state.get(dep) is None:
                visit(dep, [*stack, dep])
        state[qid] = 2

    for qid in sorted(exprs):
        if state.get(qid) is None:
            visit(qid, [qid])
