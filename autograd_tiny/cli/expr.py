"""Expressions typed on the command line, parsed with ``ast`` against an allow-list.

Nothing is ever ``eval``ed: the parser walks the syntax tree and accepts only numbers,
variable names, ``+ - * / **``, unary minus and the engine's functions. Anything else
(attribute access, subscripts, lambdas, keyword arguments, unknown names) is an
``ExpressionError`` naming what was refused.

>>> root, leaves = build("tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 6.8813735870195432})
>>> round(root.data, 6), sorted(leaves)
(0.707107, ['b', 'w', 'x'])
"""

from __future__ import annotations

import ast
import math
from typing import Callable, Iterable, Mapping

from ..core import engine
from ..core.engine import Value

FUNCTIONS: dict[str, Callable[..., Value]] = {
    "exp": engine.exp, "log": engine.log, "sqrt": engine.sqrt, "tanh": engine.tanh,
    "sigmoid": engine.sigmoid, "relu": engine.relu, "leaky_relu": engine.leaky_relu,
    "sin": engine.sin, "cos": engine.cos, "abs": abs,
}
# How many arguments each function takes: (fewest, most).
_ARITY = {name: (1, 1) for name in FUNCTIONS}
_ARITY["leaky_relu"] = (1, 2)

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


_TOO_DEEP = ("the expression is nested too deeply to build from the command line "
             "(several hundred levels); build it in Python instead")


class ExpressionError(ValueError):
    """An expression or a ``NAME=VALUE`` setting that cannot be used; says why."""


def parse_settings(items: Iterable[str]) -> dict[str, float]:
    """``["x1=2", "w1=-3"]`` as ``{"x1": 2.0, "w1": -3.0}``.

    >>> parse_settings(["x1=2", "w1=-3.5"])
    {'x1': 2.0, 'w1': -3.5}
    """
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"--set takes NAME=VALUE, got {item!r}")
        try:
            value = float(text)
        except ValueError:
            raise ExpressionError(f"--set {name}: {text.strip()!r} is not a number") from None
        if name in FUNCTIONS:
            raise ExpressionError(f"--set {name}: {name!r} is a function name")
        values[name] = value
    return values


def variables(expression: str) -> list[str]:
    """The variable names an expression uses, in order of first appearance.

    >>> variables("a*b + a")
    ['a', 'b']
    """
    tree = _parse(expression)
    _check(tree)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called and node.id not in names:
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(x)")
            names.append(node.id)
    return names


def build(expression: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The expression's graph, and its leaves by name (each variable is one leaf,
    labelled with its name, however often it appears).

    >>> root, leaves = build("x*x", {"x": 3.0})
    >>> root.data, leaves["x"].label
    (9.0, 'x')
    """
    tree = _parse(expression)
    used = variables(expression)
    missing = [name for name in used if name not in values]
    if missing:
        raise ExpressionError(f"no value for {', '.join(missing)}: add --set "
                              + " ".join(f"{name}=..." for name in missing))
    unused = sorted(set(values) - set(used))
    if unused:
        raise ExpressionError(f"--set {', '.join(unused)}: not used in {expression!r}")
    leaves = {name: Value(value, label=name) for name, value in values.items()}
    try:
        return _Builder(leaves).visit(tree.body), leaves
    except RecursionError:  # the builder follows the syntax tree, one frame a level
        raise ExpressionError(_TOO_DEEP) from None


def _parse(expression: str) -> ast.Expression:
    if not expression.strip():
        raise ExpressionError("the expression is empty")
    try:
        return ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"syntax error in {expression!r}: {error.msg}") from None
    except (RecursionError, MemoryError):  # Python's own parser has a depth limit too
        raise ExpressionError(_TOO_DEEP) from None


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call,
            ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)


def _check(tree: ast.Expression) -> None:
    """Refuses, before anything is built, every node outside the allow-list."""
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            text = ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__
            raise ExpressionError(f"not allowed in an expression: {text!r} "
                                  f"({type(node).__name__})")
        if isinstance(node, ast.Constant) and (
                isinstance(node.value, bool) or not isinstance(node.value, (int, float))):
            raise ExpressionError(f"not allowed in an expression: {ast.unparse(node)} "
                                  f"(only numbers and variable names)")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExpressionError(f"not allowed in an expression: "
                                      f"{ast.unparse(node.func)!r} (only the engine's "
                                      f"functions can be called)")
            if node.func.id not in FUNCTIONS:
                known = ", ".join(sorted(FUNCTIONS))
                raise ExpressionError(f"unknown function {node.func.id!r} (known: {known})")
            if node.keywords:
                raise ExpressionError(f"{node.func.id}: keyword arguments are not allowed")


class _Builder(ast.NodeVisitor):
    """Builds ``Value``s from the allowed nodes; every other node is refused."""

    def __init__(self, leaves: Mapping[str, Value]) -> None:
        self.leaves = leaves

    def generic_visit(self, node: ast.AST) -> Value:
        text = ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__
        raise ExpressionError(f"not allowed in an expression: {text!r} "
                              f"({type(node).__name__})")

    def visit_Constant(self, node: ast.Constant) -> Value:
        number = float(node.value)  # type: ignore[arg-type]  # _check let only ints and floats through
        if not math.isfinite(number):
            raise ExpressionError(f"number out of range: {ast.unparse(node)}")
        return Value(number)

    def visit_Name(self, node: ast.Name) -> Value:
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(x)")
        return self.leaves[node.id]

    def visit_BinOp(self, node: ast.BinOp) -> Value:
        symbol = _BINARY.get(type(node.op))
        if symbol is None:
            return self.generic_visit(node)
        left, right = self.visit(node.left), self.visit(node.right)
        if symbol == "**" and isinstance(node.right, ast.Constant):
            return left ** right.data  # x**2 is one '**2' node, as in micrograd
        return {"+": left.__add__, "-": left.__sub__, "*": left.__mul__,
                "/": left.__truediv__, "**": left.__pow__}[symbol](right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Value:
        if isinstance(node.op, ast.USub):
            if isinstance(node.operand, ast.Constant):
                return Value(-self.visit(node.operand).data)  # -3 is a number, not neg(3)
            return -self.visit(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self.visit(node.operand)
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> Value:
        if not isinstance(node.func, ast.Name):
            return self.generic_visit(node)
        name = node.func.id
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(f"unknown function {name!r} (known: {known})")
        if node.keywords:
            raise ExpressionError(f"{name}: keyword arguments are not allowed")
        fewest, most = _ARITY[name]
        if not fewest <= len(node.args) <= most:
            raise ExpressionError(f"{name} takes {fewest if fewest == most else f'{fewest} or {most}'}"
                                  f" argument{'s' if most > 1 else ''}, got {len(node.args)}")
        args = [self.visit(arg) for arg in node.args]
        if name == "leaky_relu" and len(args) == 2:
            return args[0].leaky_relu(args[1].data)
        return FUNCTIONS[name](args[0])
