"""A small, safe expression language over case details and answers.

Syntax is a subset of Python expressions:

* ``case.<field>``: a case-detail value (``None`` when not recorded);
* ``answer('B.4.1.1')``: the stored value of another answer (``None`` when unanswered);
* ``answered('B.4.1.1')``: whether it has been answered;
* literals: strings, numbers, ``true``/``false``/``null`` (also ``True``/``False``/``None``),
  lists ``['a', 'b']``;
* ``and``, ``or``, ``not``, comparisons ``== != < <= > >=``, ``in`` and ``not in``
  (``'drug_rehabilitation' in case.requirements`` for a multiple choice).

Comparisons involving a missing value (``None``) with ``<``/``>`` are false, never
an error. Expressions are parsed once; :func:`parse` raises :class:`ExpressionError`
with the column of the problem.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FUNCTIONS = {"answer", "answered"}
_NAMES = {"true": True, "false": False, "null": None}


class ExpressionError(ValueError):
    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message if column is None else f"{message} (at column {column + 1})")
        self.column = column


@dataclass(frozen=True)
class Expression:
    source: str
    tree: ast.expr
    case_fields: frozenset[str] = field(default_factory=frozenset)
    questions: frozenset[str] = field(default_factory=frozenset)

    def evaluate(self, case: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
        return bool(_eval(self.tree, case, answers))


def parse(source: str) -> Expression:
    """Parse and check an expression; collect the case fields and questions it reads."""
    text = source.strip()
    if not text:
        raise ExpressionError("empty expression")
    try:
        module = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = (exc.offset - 1) if exc.offset else None
        raise ExpressionError(f"does not parse: {exc.msg}", col) from None
    fields: set[str] = set()
    questions: set[str] = set()
    _check(module.body, fields, questions)
    return Expression(text, module.body, frozenset(fields), frozenset(questions))


def _check(node: ast.AST, fields: set[str], questions: set[str]) -> None:
    col = getattr(node, "col_offset", None)
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, fields, questions)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        _check(node.operand, fields, questions)
    elif isinstance(node, ast.Compare):
        allowed = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
        for op in node.ops:
            if not isinstance(op, allowed):
                raise ExpressionError(f"operator {type(op).__name__} is not allowed", col)
        _check(node.left, fields, questions)
        for c in node.comparators:
            _check(c, fields, questions)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (str, int, float, bool, type(None))):
            raise ExpressionError("unsupported literal", col)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for e in node.elts:
            _check(e, fields, questions)
    elif isinstance(node, ast.Name):
        if node.id not in _NAMES and node.id not in {"True", "False", "None"}:
            raise ExpressionError(f"unknown name {node.id!r} (use case.<field> or answer('<id>'))", col)
    elif isinstance(node, ast.Attribute):
        if not (isinstance(node.value, ast.Name) and node.value.id == "case"):
            raise ExpressionError("only case.<field> attributes are allowed", col)
        fields.add(node.attr)
    elif isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise ExpressionError("only answer('<id>') and answered('<id>') may be called", col)
        if node.keywords or len(node.args) != 1:
            raise ExpressionError(f"{node.func.id}() takes one question id", col)
        arg = node.args[0]
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise ExpressionError(f"{node.func.id}() takes a quoted question id", col)
        questions.add(arg.value)
    else:
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression", col)


def _eval(node: ast.expr, case: Mapping[str, Any], answers: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, case, answers) for v in node.values)
        return any(_eval(v, case, answers) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        val = _eval(node.operand, case, answers)
        if isinstance(node.op, ast.Not):
            return not val
        return -val if isinstance(val, (int, float)) else None
    if isinstance(node, ast.Compare):
        left = _eval(node.left, case, answers)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, case, answers)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, case, answers) for e in node.elts]
    if isinstance(node, ast.Name):
        return {"True": True, "False": False, "None": None}.get(node.id, _NAMES.get(node.id))
    if isinstance(node, ast.Attribute):
        return case.get(node.attr)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        arg = node.args[0]
        assert isinstance(arg, ast.Constant)
        value = answers.get(str(arg.value))
        if node.func.id == "answered":
            return value not in (None, "", [])
        return value
    raise ExpressionError(f"cannot evaluate {type(node).__name__}")


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return bool(left == right)
    if isinstance(op, ast.NotEq):
        return bool(left != right)
    if isinstance(op, (ast.In, ast.NotIn)):
        if right is None:
            found = False
        elif isinstance(left, list):
            found = any(item in right for item in left)
        else:
            found = left in right
        return found if isinstance(op, ast.In) else not found
    if left is None or right is None:
        return False
    try:
        if isinstance(op, ast.Lt):
            return bool(left < right)
        if isinstance(op, ast.LtE):
            return bool(left <= right)
        if isinstance(op, ast.Gt):
            return bool(left > right)
        if isinstance(op, ast.GtE):
            return bool(left >= right)
    except TypeError:
        return False
    return False
