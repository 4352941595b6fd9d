"""The structure of one graph, worked out once and shared by every tool that draws,
explains or steps through it: the nodes in backward's order, how often each node is
used, the name each node goes by, and the module (``L1.N2``) that made it.

Names: a node's label if it has one, otherwise the expression that made it
(``w*x + b``), or for a long expression the op and a number (``tanh#2``). The same
name is printed on the node in every picture, so text and pictures agree.

>>> from autograd_tiny import Value
>>> w, x = Value(-3.0, label="w"), Value(2.0, label="x")
>>> y = (w * x + 1).tanh()
>>> graph = snapshot(y)
>>> [graph.names[node] for node in graph.order]
['tanh(w*x + 1)', 'w*x + 1', '1', 'w*x', 'x', 'w']
>>> graph.uses[x]
1
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .engine import Value, _count_uses, reverse_topological_order

_NAME_LENGTH = 32  # an unlabelled node's expression text longer than this gets a short name

# Precedence of a node's name, for parentheses: a sum inside a product needs them.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_BINARY = {"add": (" + ", _SUM), "sub": (" - ", _SUM), "mul": ("*", _PRODUCT),
           "truediv": ("/", _PRODUCT), "vpow": ("**", _POWER)}


def number_text(x: float) -> str:
    """A number as the seeds print it: nine decimals, trailing zeros dropped
    (scientific notation for very small or very large numbers).

    >>> number_text(0.7413650695523157), number_text(2.0), number_text(-3.5e-07)
    ('0.74136507', '2', '-3.5e-07')
    """
    if not math.isfinite(x):
        return str(x)
    if x == 0 or 1e-4 <= abs(x) < 1e12:
        text = f"{x:.9f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return f"{x:.9g}"


# -- naming nodes ------------------------------------------------------------------------


def node_names(root: Value) -> dict[Value, str]:
    """A readable name for every node ``root`` depends on: its label if it has one,
    otherwise the expression that made it (``w*x + b``), or for long expressions the
    op and a number (``tanh#2``). Unlabelled constants are named by their value.

    >>> from autograd_tiny import Value
    >>> w, x = Value(-3.0, label="w"), Value(2.0, label="x")
    >>> n = (w * x + 1).tanh()
    >>> node_names(n)[n]
    'tanh(w*x + 1)'
    """
    if not isinstance(root, Value):
        raise TypeError(f"node_names: root must be a Value, got {type(root).__name__}")
    return {node: text for node, (text, _) in _names(reverse_topological_order(root)).items()}


def _names(order: list[Value], numbers: bool = False,
           length: int = _NAME_LENGTH) -> dict[Value, tuple[str, int]]:
    """(name, precedence) per node; ``order`` is root first, so walk it backwards:
    every node is named after its parents. With ``numbers``, labelled nodes and
    leaves are written as their values instead of their names."""
    names: dict[Value, tuple[str, int]] = {}
    counters: dict[str, int] = {}
    for node in reversed(order):
        if node.label and not numbers:
            names[node] = (node.label, _ATOM)
            continue
        if not node._prev or node.label:
            names[node] = (number_text(node.data), _UNARY if node.data < 0 else _ATOM)
            continue
        text, precedence = _expression(node, names)
        if len(text) > length:
            op_name = getattr(node._op, "name", str(node._op))
            counters[op_name] = counters.get(op_name, 0) + 1
            text, precedence = f"{op_name}#{counters[op_name]}", _ATOM
        names[node] = (text, precedence)
    return names


def _expression(node: Value, names: dict[Value, tuple[str, int]]) -> tuple[str, int]:
    """The node's expression written with its parents' names."""
    op = node._op
    name = getattr(op, "name", str(op))
    parts = [names[parent] for parent in node._prev]
    if name in _BINARY and len(parts) == 2:
        symbol, precedence = _BINARY[name]
        (left, left_p), (right, right_p) = parts
        # ** groups to the right, - and / do not regroup: a - (b - c), a / (b * c).
        left_needs = left_p < precedence or (precedence == _POWER and left_p == _POWER)
        right_needs = right_p < precedence or (
            right_p == precedence and name in ("sub", "truediv"))
        return (_paren(left, left_needs) + symbol + _paren(right, right_needs), precedence)
    (inner, inner_p), = parts[:1] or [("?", _ATOM)]
    if name == "pow":
        k = getattr(op, "params", {}).get("k", 1.0)
        return _paren(inner, inner_p <= _POWER) + "**" + number_text(k), _POWER
    if name == "neg":
        return "-" + _paren(inner, inner_p < _UNARY), _UNARY
    return f"{getattr(op, 'method', name)}({inner})", _ATOM




def _paren(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def module_of(label: str) -> str:
    """The module a named node belongs to, from its name: ``'L1.N2'`` for
    ``'L1.N2.net'`` or ``'L1.N2.w1'``; ``''`` for a name with no module part.

    >>> module_of("L1.N2.net"), module_of("L2.N1.b"), module_of("x")
    ('L1.N2', 'L2.N1', '')
    """
    head, dot, _ = label.rpartition(".")
    return head if dot else ""


@dataclass
class GraphSnapshot:
    """One graph's structure, built once by :func:`snapshot` and read by the tools."""

    root: Value
    order: list[Value]  # root first; every node after all the nodes that use it
    uses: dict[Value, int]  # edges into each node from nodes that use it (root: 0)
    names: dict[Value, str]  # what text and pictures call each node
    groups: dict[Value, str]  # the module whose forward made the node, '' if none

    def __len__(self) -> int:
        return len(self.order)


def snapshot(root: Value) -> GraphSnapshot:
    """The structure of ``root``'s graph, walked once.

    >>> from autograd_tiny import Value
    >>> a = Value(2.0, label="L1.N1.w1")
    >>> s = snapshot(a * a)
    >>> len(s), s.uses[a], s.groups[a], s.names[s.root]
    (2, 2, 'L1.N1', 'L1.N1.w1*L1.N1.w1')
    """
    if not isinstance(root, Value):
        raise TypeError(f"snapshot: root must be a Value, got {type(root).__name__}")
    order = reverse_topological_order(root)
    uses = _count_uses(root)
    uses.setdefault(root, 0)
    names = {node: text for node, (text, _) in _names(order).items()}
    groups = {node: module_of(node.label) if isinstance(node.label, str) else ""
              for node in order}
    return GraphSnapshot(root, order, uses, names, groups)
