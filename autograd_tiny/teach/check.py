"""``check``: compare a student's hand-derived gradients with the engine's, node by node.

Each answer is marked **exact**, **close** (with the difference: a rounding) or
**wrong**; for a wrong one the checker shows how the right value comes about (the
routes from the output back to the node, each a chain of local derivatives with the op
table's rules), and names common slips (a sign, a route left out). Only the nodes the
student asked about are explained: no other gradient is given away.

Nothing in the graph changes: the gradients are worked out the way ``backward()`` does
it, without touching ``.grad``.

>>> from autograd_tiny import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b; c.label = "c"
>>> L = c + a; L.label = "L"
>>> check({"c": 1, "a": "-2.00001", "b": -2}, L)
c: exact (1)
a: close: -2.00001, the gradient is -2 (difference -1e-05)
b: wrong: -2 is not dL/db
  1 route leads from L back to b:
    ∂L/∂c * ∂c/∂b = 1 * a
  where ∂c/∂b = a = 2 (rule of *)
  so dL/db = 2
  hint: the sign is wrong
score: 2 of 3 right (1 exact, 1 close)

The report is what the result shows, once: at the prompt or as a notebook cell's last
line, or with ``print(check(...))`` in a script. Its parts are there for code:

>>> result = check({"c": 1, "a": "-2.00001", "b": -2}, L)
>>> result.score, [entry.status for entry in result.entries]
(2, ['exact', 'close', 'wrong'])
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import IO, Any, Mapping

from ..core.engine import Value
from ..core.graph import GraphSnapshot, number_text, snapshot
from ..core.ops import Op
from .notation import derivative_text, local_derivative_text, printable

__all__ = ["AnswerError", "parse_answer", "check", "CheckResult", "CheckEntry",
           "gradients", "EXACT", "CLOSE", "WRONG", "UNKNOWN", "INVALID", "is_close",
           "ENOUGH_DIGITS"]

EXACT, CLOSE, WRONG, UNKNOWN, INVALID = "exact", "close", "wrong", "unknown", "invalid"

# "close": what rounding a number by hand gives. Relative 1e-3, with an absolute floor
# for answers near zero.
CLOSE_RELATIVE = 1e-3
CLOSE_ABSOLUTE = 1e-6
# The significant digits that always pass as close, which the quiz and the sheets tell
# the student: rounding to n digits is off by at most half a unit of the n-th digit,
# 5 * 10**-n of a number whose first digit is 1; n = 4 is within 1e-3, n = 3 is not
# (1.0049 rounds to 1.00, off by 0.49%).
ENOUGH_DIGITS = math.ceil(-math.log10(CLOSE_RELATIVE / 5) - 1e-9)
_EXACT_RELATIVE = 1e-12  # a float computed another way (sums in another order): the same
_ROUTE_LIMIT = 8  # a wrong answer's explanation lists at most this many routes

_FRACTION = re.compile(r"\s*([-+]?\s*[\d.]+(?:[eE][-+]?\d+)?)\s*/\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*\Z")


class AnswerError(ValueError):
    """An answer that is not a number; the message says what to type instead."""


def parse_answer(text: Any) -> float:
    """A student's answer as a float: a number (``-0.25``, ``1e-3``) or a fraction
    (``3/4``, ``-1/3``). Blank, ``nan``, infinities and words raise AnswerError with
    a message to show the student.

    >>> parse_answer("3/4"), parse_answer(" -2 "), parse_answer(0.5), parse_answer("1e-3")
    (0.75, -2.0, 0.5, 0.001)
    >>> parse_answer("nan")
    Traceback (most recent call last):
    ...
    autograd_tiny.teach.check.AnswerError: 'nan' is not a number you can work out by hand; type a number such as -0.25 or 3/4
    """
    if isinstance(text, bool):
        raise AnswerError(f"{text!r} is not a number; type a number such as -0.25 or 3/4")
    if isinstance(text, (int, float, Fraction)):
        value = float(text)
    elif isinstance(text, str):
        value = _parse_text(text)
    else:
        raise TypeError(f"parse_answer: expected a number or a str, got {type(text).__name__}")
    if not math.isfinite(value):
        raise AnswerError(f"{str(text).strip()!r} is not a number you can work out by hand; "
                          f"type a number such as -0.25 or 3/4")
    return value


def _parse_text(text: str) -> float:
    stripped = text.strip()
    if not stripped:
        raise AnswerError("the answer is blank; type a number such as -0.25 or 3/4")
    fraction = _FRACTION.match(stripped)
    if fraction:
        top, bottom = (float(part.replace(" ", "")) for part in fraction.groups())
        if bottom == 0:
            raise AnswerError(f"{stripped!r} divides by zero; type a number such as -0.25 or 3/4")
        return top / bottom
    try:
        return float(stripped.replace("\u2212", "-"))  # a typographic minus sign, too
    except ValueError:
        raise AnswerError(f"{stripped!r} is not a number; type a number such as -0.25 "
                          f"or a fraction such as 3/4") from None


def is_close(answer: float, expected: float) -> bool:
    """True when ``answer`` is ``expected`` rounded by hand: within 1e-3 of it,
    relatively, which ``expected`` rounded to ``ENOUGH_DIGITS`` (4) significant digits
    always is.

    >>> is_close(0.7414, 0.7413650695523157), is_close(0.74, 0.7413650695523157)
    (True, False)
    """
    return abs(answer - expected) <= max(CLOSE_ABSOLUTE, CLOSE_RELATIVE * abs(expected))


def _is_exact(answer: float, expected: float) -> bool:
    return abs(answer - expected) <= _EXACT_RELATIVE * abs(expected) + 1e-15


def gradients(graph: GraphSnapshot) -> dict[Value, float]:
    """d(root)/d(node) for every node of ``graph``, as ``backward()`` works them out
    (one pass from the root, chain rule on every edge), without touching ``.grad``.

    >>> from autograd_tiny import Value
    >>> x = Value(3.0, label="x")
    >>> g = gradients(snapshot(x * x + x))
    >>> g[x]
    7.0
    """
    grads = {node: 0.0 for node in graph.order}
    grads[graph.root] = 1.0
    for node in graph.order:
        upstream = grads[node]
        for parent, local in zip(node._prev, node._local):
            grads[parent] += local * upstream
    return grads


@dataclass
class CheckEntry:
    """One answer, marked: ``status`` is ``exact``, ``close``, ``wrong``, ``unknown``
    (no such node) or ``invalid`` (not a number). ``expected`` is None unless the
    node exists; ``message`` is what :func:`check` printed for it."""

    name: str
    node: Value | None
    answer: float | None
    expected: float | None
    status: str
    message: str = ""

    @property
    def difference(self) -> float | None:
        """answer - expected, where both exist."""
        if self.answer is None or self.expected is None:
            return None
        return self.answer - self.expected

    @property
    def right(self) -> bool:
        """Exact or close."""
        return self.status in (EXACT, CLOSE)


@dataclass
class CheckResult:
    """What :func:`check` found, one :class:`CheckEntry` per answer, in the order given."""

    entries: list[CheckEntry] = field(default_factory=list)

    @property
    def score(self) -> int:
        """How many answers are exact or close."""
        return sum(entry.right for entry in self.entries)

    @property
    def all_right(self) -> bool:
        """True when every answer is exact or close (and there is at least one)."""
        return bool(self.entries) and self.score == len(self.entries)

    def __getitem__(self, name: str) -> CheckEntry:
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise KeyError(name)

    def summary(self) -> str:
        """``score: 2 of 3 right (1 exact, 1 close)``.

        >>> from autograd_tiny import Value
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> check({a: -3, b: "2.001", "a": 3}, c, quiet=True).summary()
        'score: 2 of 3 right (1 exact, 1 close)'
        """
        exact = sum(entry.status == EXACT for entry in self.entries)
        close = sum(entry.status == CLOSE for entry in self.entries)
        return (f"score: {self.score} of {len(self.entries)} right "
                f"({exact} exact, {close} close)")

    def text(self) -> str:
        """The report, with ∂ whatever the console (for a file)."""
        return "\n".join([entry.message for entry in self.entries] + [self.summary()])

    def __str__(self) -> str:
        # print(check(...)) on a console that cannot encode ∂ (cp1252, a C locale)
        # gets d, as explain's and the stepper's text do.
        return printable(sys.stdout)(self.text())

    def __repr__(self) -> str:
        # The report itself: check() prints nothing, so a bare check(...) at the prompt
        # or in a notebook shows it once. With ∂ written d where stdout cannot encode it.
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython, Jupyter
        printer.text(repr(self))


def check(answers: Mapping[Any, Any], L: Value, *, file: IO[str] | None = None,
          quiet: bool = False) -> CheckResult:
    """Checks hand-derived gradients dL/dnode against the engine's. ``answers`` maps a
    node (a ``Value``, or its name as the pictures print it: its label, such as
    ``"w5"`` or ``"L1.N1.w1"``) to a number or a text such as ``"3/4"``. Returns a
    :class:`CheckResult`, which shows itself as the report: one verdict per answer
    and the score. Nothing is printed, so the report appears once at the prompt or in
    a notebook; in a script, ``print(check(...))``, or pass ``file`` to have the
    report written there (``quiet`` keeps even that from being written).

    >>> from autograd_tiny import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x; y.label = "y"
    >>> check({x: 3.0, "z": 1}, y)
    x: wrong: 3 is not dy/dx
      2 routes lead from y back to x:
        route 1: ∂y/∂x (as input 1) = x
        route 2: ∂y/∂x (as input 2) = x
      where ∂y/∂x (as input 1) = x = 3 (rule of *)
            ∂y/∂x (as input 2) = x = 3 (rule of *)
      so dy/dx = 6
      hint: x is used 2 times; each use is a route, and the gradient adds them up
    z: unknown: y's graph has no node called 'z' (names: x, y)
    score: 0 of 2 right (0 exact, 0 close)
    """
    if not isinstance(answers, Mapping):
        raise TypeError(f"check: answers must be a dict of node or name -> number, "
                        f"got {type(answers).__name__}")
    if not isinstance(L, Value):
        raise TypeError(f"check: L must be a Value, got {type(L).__name__}")
    graph = snapshot(L)
    grads = gradients(graph)
    by_name = _nodes_by_name(graph)
    result = CheckResult()
    for key, given in answers.items():
        result.entries.append(_check_one(key, given, graph, grads, by_name))
    if file is not None and not quiet:
        print(printable(file)(result.text()), file=file)
    return result


def _nodes_by_name(graph: GraphSnapshot) -> dict[str, list[Value]]:
    by_name: dict[str, list[Value]] = {}
    for node in graph.order:
        by_name.setdefault(graph.names[node], []).append(node)
        if node.label and node.label != graph.names[node]:
            by_name.setdefault(node.label, []).append(node)
    return by_name


def _check_one(key: Any, given: Any, graph: GraphSnapshot, grads: dict[Value, float],
               by_name: dict[str, list[Value]]) -> CheckEntry:
    root_name = graph.names[graph.root]
    if isinstance(key, Value):
        node: Value | None = key if key in grads else None
        name = graph.names.get(key) or key.label or number_text(key.data)
        if node is None:
            return CheckEntry(name, None, None, None, UNKNOWN,
                              f"{name}: unknown: this node is not in {root_name}'s graph")
    elif isinstance(key, str):
        name = key
        found = by_name.get(key.strip(), [])
        if len(found) != 1:
            labelled = sorted({n for n, nodes in by_name.items()
                               if any(node.label == n for node in nodes)})
            shown = ", ".join(labelled[:12]) + (", ..." if len(labelled) > 12 else "")
            why = (f"{len(found)} nodes are called {key!r}; pass the node itself"
                   if found else f"{root_name}'s graph has no node called {key!r}")
            return CheckEntry(name, None, None, None, UNKNOWN,
                              f"{name}: unknown: {why}" + (f" (names: {shown})" if shown and not found else ""))
        node = found[0]
    else:
        raise TypeError(f"check: an answer's key must be a Value or a name (str), "
                        f"got {type(key).__name__}")
    expected = grads[node]
    gradient = derivative_text(root_name, name)
    try:
        answer = parse_answer(given)
    except AnswerError as error:
        return CheckEntry(name, node, None, expected, INVALID, f"{name}: not checked: {error}")
    if _is_exact(answer, expected):
        return CheckEntry(name, node, answer, expected, EXACT,
                          f"{name}: exact ({number_text(answer)})")
    if is_close(answer, expected):
        return CheckEntry(name, node, answer, expected, CLOSE,
                          f"{name}: close: {number_text(answer)}, the gradient is "
                          f"{_more_digits(expected, answer)} (difference "
                          f"{number_text(answer - expected)})")
    lines = [f"{name}: wrong: {number_text(answer)} is not {gradient}"]
    lines += ["  " + line for line in _how(node, graph, grads, gradient)]
    hint = _hint(answer, expected, node, graph)
    if hint:
        lines.append(f"  hint: {hint}")
    return CheckEntry(name, node, answer, expected, WRONG, "\n".join(lines))


def _more_digits(expected: float, answer: float) -> str:
    """``expected`` printed so that it differs visibly from ``answer``."""
    text = number_text(expected)
    return repr(expected) if text == number_text(answer) else text


def _how(node: Value, graph: GraphSnapshot, grads: dict[Value, float],
         gradient: str) -> list[str]:
    """How the right value comes about: the routes back to ``node`` (each a chain of
    local derivatives; the gradients of other nodes are not shown) and the local
    rules at the node itself."""
    from .routes import equation_lines, explain
    from .simplify import simplify_formula

    if node is graph.root:  # no route to follow: this is where backward starts
        return [f"{gradient} = 1: backward starts at the output with gradient 1 "
                f"(d of anything with respect to itself)"]
    lines: list[str] = []
    explanation = explain(graph.root, node, limit=_ROUTE_LIMIT)
    if explanation.listed and explanation.routes:
        count = explanation.route_count
        lines.append(f"{'1 route leads' if count == 1 else f'{count} routes lead'} from "
                     f"{graph.names[graph.root]} back to {graph.names[node]}:")
        for number, route in enumerate(explanation.routes, 1):
            # Numbered and folded as explain() writes a route, so that a long chain
            # reads on a notebook's width and the hint can name "route 1".
            prefix = f"  route {number}: " if count > 1 else "  "
            lines += equation_lines(prefix, [factor.name for factor in route.factors],
                               [_factor_text(factor) for factor in route.factors], [])
    elif explanation.route_count:
        count = explanation.route_count
        lines.append(f"{count:,} route{'s lead' if count != 1 else ' leads'} back to "
                     f"{graph.names[node]}; backward adds "
                     f"{'them' if count != 1 else 'it'} up one edge at a time:")
        root, name = graph.names[graph.root], graph.names[node]
        lines.append(f"  {gradient} = sum over the nodes u using {name} of "
                     f"{derivative_text(root, 'u')} * {local_derivative_text('u', name)}")
    # The local derivatives at the node itself, with the op table's rules: the last
    # factor of each route (through unnamed nodes, as the routes write it).
    wheres: list[str] = []
    if explanation.listed and explanation.routes:
        seen: set[str] = set()
        for route in explanation.routes:
            factor = route.factors[-1]
            if factor.name in seen:
                continue
            seen.add(factor.name)
            user, slot = factor.edges[-1]
            rule = simplify_formula(factor.rule)
            value = number_text(factor.value)
            wheres.append(f"{factor.name} = " + (f"{rule} = " if rule != value else "")
                          + f"{value}{_table_note(user)}")
    else:
        for user in graph.order:
            slots = [slot for slot, parent in enumerate(user._prev) if parent is node]
            if not slots:
                continue
            local = number_text(sum(user._local[slot] for slot in slots))
            rule = simplify_formula(" + ".join(_rule_of(user, slot, graph.written)
                                               for slot in slots))
            wheres.append(f"{local_derivative_text(graph.names[user], graph.names[node])} = "
                          + (f"{rule} = " if rule != local else "")
                          + f"{local}{_table_note(user)}")
    if wheres:
        lines.append("where " + wheres[0])
        lines += ["      " + line for line in wheres[1:]]
    lines.append(f"so {gradient} = {number_text(grads[node])}")
    return lines


def _factor_text(factor: Any) -> str:
    """A route's factor as its simplified rule (its value is shown under 'where' for
    the node's own local derivatives; the others are the student's to work out)."""
    from .simplify import simplify_formula

    from .simplify import is_sum

    text = simplify_formula(factor.rule) if factor.rule else number_text(factor.value)
    return f"({text})" if is_sum(factor.rule) else text


def _rule_of(user: Value, slot: int, names: dict[Value, str]) -> str:
    """The op's rule with the whole graph's names (not a sub-graph's, which could
    number equal leaves differently from the rest of the report)."""
    from .simplify import local_rule

    return local_rule(user, slot, names)


def _table_note(user: Value) -> str:
    """Which op's rule the "where" line wrote out, with the graph's names in it
    (``∂net_o1/∂w5 = out_h1``). The table's own letters (``∂/∂w1 = x1``, ``∂/∂b = a``)
    are left out: they would read as the student's nodes of the same names."""
    op = user._op
    if not isinstance(op, Op):
        return " (custom op: the recorded number)"
    return f" (rule of {op})"


def _hint(answer: float, expected: float, node: Value, graph: GraphSnapshot) -> str:
    """A common slip, where the answer shows one."""
    from .routes import explain

    if expected != 0 and is_close(-answer, expected):
        return "the sign is wrong"
    uses = graph.uses.get(node, 0)
    if uses > 1:
        return (f"{graph.names[node]} is used {uses} times; each use is a route, and "
                f"the gradient adds them up")
    # The classic slip in a network: following one route back (w1 through o1 only)
    # when the node reaches the output by several.
    explanation = explain(graph.root, node, limit=_ROUTE_LIMIT)
    if explanation.listed and len(explanation.routes) > 1:
        for number, route in enumerate(explanation.routes, 1):
            if is_close(answer, route.product):
                routes = len(explanation.routes)
                return (f"that is route {number} alone ({number_text(route.product)}); the "
                        f"gradient adds up the products of "
                        f"{'both routes' if routes == 2 else f'all {routes} routes'}")
    return ""
