"""The structure of one graph, worked out once and shared by every tool that draws,
explains or steps through it: the nodes in backward's order, how often each node is
used, the name each node goes by, and the module (``L1.N2``) that made it.

Names: a node's label if it has one, otherwise the expression that made it
(``w*x + b``); a long expression writes its long parts as ``…`` (``tanh(… + b)``). The same
name is printed on the node in every picture, so text and pictures agree. An unlabelled
leaf is named by its value (the ``1`` of ``w*x + 1``) unless that would not tell it
apart: where no leaf is labelled the leaves are ``v1``, ``v2``, ... (``v1*v2 + v1``),
and constants that share a value are ``const1``, ``const2``, ... as nodes, while
expressions still write them as numbers (``e - 1``, ``e + 1``).

>>> from autograd_tiny import Value
>>> w, x = Value(-3.0, label="w"), Value(2.0, label="x")
>>> y = (w * x + 1).tanh()
>>> graph = snapshot(y)
>>> [graph.names[node] for node in graph.order]
['tanh(w*x + 1)', 'w*x + 1', 'w*x', 'x', 'w', '1']
>>> graph.uses[x]
1
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from .engine import Value, reverse_topological_order

_NAME_LENGTH = 32  # an unlabelled node's expression text longer than this gets a short name

# Precedence of a node's name, for parentheses: a sum inside a product needs them.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_BINARY = {"add": (" + ", _SUM), "sub": (" - ", _SUM), "mul": ("*", _PRODUCT),
           "truediv": ("/", _PRODUCT), "vpow": ("**", _POWER)}


def number_text(x: float) -> str:
    """A number as Mazur's example prints it: nine decimals, trailing zeros dropped
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

_ELLIPSIS = "…"  # stands for a sub-expression too long to write out


def node_names(root: Value) -> dict[Value, str]:
    """A readable name for every node ``root`` depends on: its label if it has one,
    otherwise the expression that made it (``w*x + b``). A long expression keeps its
    own op and its short neighbours and writes ``…`` for the long ones
    (``tanh(… + b)``), so every part of a name can be found in the picture.
    Unlabelled constants are named by their value.

    >>> from autograd_tiny import Value
    >>> w, x = Value(-3.0, label="w"), Value(2.0, label="x")
    >>> n = (w * x + 1).tanh()
    >>> node_names(n)[n]
    'tanh(w*x + 1)'
    """
    if not isinstance(root, Value):
        raise TypeError(f"node_names: root must be a Value, got {type(root).__name__}")
    return snapshot(root).names


def label_text(node: Value) -> str:
    """A node's label as text ('' for none): a label that is not a ``str`` (an int, bytes)
    is shown with ``str()`` rather than breaking the tools that print it.

    >>> from autograd_tiny import Value
    >>> label_text(Value(1.0, label="w1")), label_text(Value(1.0))
    ('w1', '')
    """
    label = node.label
    if isinstance(label, str):
        return label
    return "" if label is None else str(label)


def _names(order: list[Value], numbers: bool = False,
           length: int = _NAME_LENGTH) -> dict[Value, tuple[str, int]]:
    """(name, precedence) per node; ``order`` is root first, so walk it backwards:
    every node is named after its parents. With ``numbers``, labelled nodes and
    leaves are written as their values instead of their names.

    A name longer than ``length`` writes its longest unlabelled parts as ``…``;
    only if that is not enough (long labels) does it fall back to the op and a
    number (``add#2``), a name the pictures print on the node as well."""
    return _named(order, numbers, length, {} if numbers else _variable_names(order))


def _variable_names(order: list[Value]) -> dict[Value, str]:
    """``v1``, ``v2``, ... for unlabelled leaves of equal value in a graph in which no
    leaf is labelled (``x = Value(2.0); y = Value(2.0); x*y + x`` reads
    ``v1*v2 + v1``): named by their values, two different nodes would both be ``2``,
    and ``d(2*2 + 2)/d2`` could be about either. A leaf whose value no other leaf
    shares keeps it as its name (``2*x + 1``'s 2 and 1). Where some leaf is labelled,
    unlabelled ones read as constants and keep their values inside expressions (see
    :func:`snapshot` for the names of equal ones as nodes of their own)."""
    leaves = [node for node in order if not node._prev]
    if any(label_text(node) for node in leaves):
        return {}
    counts = Counter(number_text(node.data) for node in leaves)
    equal = {node for node in leaves if counts[number_text(node.data)] > 1}
    return _numbered(order, equal, "v", set())


def _numbered(order: list[Value], nodes: set[Value], prefix: str,
              taken: set[str]) -> dict[Value, str]:
    """``prefix1``, ``prefix2``, ... for ``nodes``, in the order the root's expression
    is written (left to right), skipping names in ``taken`` (a label the user chose
    wins)."""
    names: dict[Value, str] = {}
    if not nodes:
        return names
    number = 0
    seen: set[Value] = set()
    stack = [order[0]]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node in nodes:
            number += 1
            while f"{prefix}{number}" in taken:
                number += 1
            names[node] = f"{prefix}{number}"
        stack.extend(parent for parent in reversed(node._prev) if parent not in seen)
    return names


def _named(order: list[Value], numbers: bool, length: int,
           leaf_names: dict[Value, str]) -> dict[Value, tuple[str, int]]:
    """:func:`_names`' walk, with ``leaf_names`` for the leaves that have one."""
    names: dict[Value, tuple[str, int]] = {}
    counters: dict[str, int] = {}
    stubs: dict[Value, tuple[str, int]] = {}
    runs: dict[Value, tuple[str, tuple[str, ...]]] = {}
    for node in reversed(order):
        label = label_text(node)
        if label and not numbers:
            names[node] = (label, _ATOM)
            continue
        parents = node._prev
        if node in leaf_names:
            names[node] = (leaf_names[node], _ATOM)
            continue
        if not parents or label:
            names[node] = (number_text(node.data), _UNARY if node.data < 0 else _ATOM)
            continue
        text, precedence = _format(node, [names[parent] for parent in parents])
        run = _run(node, names, runs)
        if len(text) > length and run:
            text, precedence = _run_text(run, length) or (text, precedence)
        if len(text) > length:
            text, precedence = _shortened(node, parents, names, length, stubs)
        if len(text) > length:
            op_name = _op_name(node._op)
            counters[op_name] = counters.get(op_name, 0) + 1
            text, precedence = f"{op_name}#{counters[op_name]}", _ATOM
        names[node] = (text, precedence)
    return names


_RUN_TAIL = 8  # a sum remembers at most its last 8 terms: more never fit in a name


def _run(node: Value, names: dict[Value, tuple[str, int]],
         runs: dict[Value, tuple[str, tuple[str, ...]]]) -> tuple[str, tuple[str, ...]] | None:
    """A sum written term by term (``sum(...)``, ``a + b + c``) as its first term and
    its last few signed terms (``' + x*12'``), built from the sum it extends, so a
    long sum costs the same per node as a short one. None for any other node."""
    name = _op_name(node._op)
    parents = node._prev
    if name not in ("add", "sub") or len(parents) != 2:
        return None
    left, right = parents
    right_text, right_p = names[right]
    symbol = _BINARY[name][0]
    term = symbol + _paren(right_text, right_p < _SUM or (right_p == _SUM and name == "sub"))
    if left in runs:
        first, tail = runs[left]
        tail = (tail + (term,))[-_RUN_TAIL:]
    else:
        first, tail = names[left][0], (term,)
    runs[node] = (first, tail)
    return first, tail


def _run_text(run: tuple[str, tuple[str, ...]], length: int) -> tuple[str, int] | None:
    """A long sum as its first term, one ``…`` for the run left out and as many of its
    last terms as fit: ``x*1 + … + x*11 + x*12``."""
    first, tail = run
    for kept in range(len(tail) - 1, 0, -1):
        text = first + " + " + _ELLIPSIS + "".join(tail[-kept:])
        if len(text) <= length:
            return text, _SUM
    return None


def _shortened(node: Value, parents: tuple[Value, ...], names: dict[Value, tuple[str, int]],
               length: int, stubs: dict[Value, tuple[str, int]]) -> tuple[str, int]:
    """The node's expression with its longest expression-named parents cut short, one
    at a time, until it fits: first to the parent's own op with ``…`` inside
    (``0.5*relu(…)``), then to a bare ``…``. Labels and numbers are kept."""
    parts = [names[parent] for parent in parents]
    candidates = sorted({parent for parent in parents
                         if parent._prev and not label_text(parent)},
                        key=lambda parent: -len(names[parent][0]))
    text, precedence = parts[0] if len(parts) == 1 else ("", _ATOM)
    for stage in (0, 1):
        for parent in candidates:
            if stage == 0:
                if parent not in stubs:
                    stubs[parent] = _stub(parent, names)
                replacement = stubs[parent]
            else:
                replacement = (_ELLIPSIS, _ATOM)
            parts = [replacement if other is parent else part
                     for other, part in zip(parents, parts)]
            text, precedence = _format(node, parts)
            if len(text) <= length:
                return text, precedence
    return _format(node, parts)


def _stub(node: Value, names: dict[Value, tuple[str, int]]) -> tuple[str, int]:
    """The node's op with its expression-named parents written as ``…``."""
    return _format(node, [names[parent] if label_text(parent) or not parent._prev
                          else (_ELLIPSIS, _ATOM) for parent in node._prev])


def _op_name(op: object) -> str:
    return str(getattr(op, "name", op)) or "op"


def _expression(node: Value, names: dict[Value, tuple[str, int]]) -> tuple[str, int]:
    """The node's expression written with its parents' names."""
    return _format(node, [names[parent] for parent in node._prev])


def _format(node: Value, parts: list[tuple[str, int]]) -> tuple[str, int]:
    """The node's expression written with ``parts``: (name, precedence) per input."""
    op = node._op
    name = _op_name(op)
    if name in _BINARY and len(parts) == 2:
        symbol, precedence = _BINARY[name]
        (left, left_p), (right, right_p) = parts
        # ** groups to the right, - and / do not regroup: a - (b - c), a / (b * c).
        left_needs = left_p < precedence or (precedence == _POWER and left_p == _POWER)
        right_needs = right_p < precedence or (
            right_p == precedence and name in ("sub", "truediv"))
        return (_paren(left, left_needs) + symbol + _paren(right, right_needs), precedence)
    if name == "weighted_sum" and len(parts) % 2 == 1:  # (w1..wn, x1..xn, b): contract B
        n = len(parts) // 2
        terms = [_paren(w, wp < _PRODUCT) + "*" + _paren(x, xp < _PRODUCT)
                 for (w, wp), (x, xp) in zip(parts[:n], parts[n:2 * n])]
        bias, _ = parts[-1]
        return " + ".join(terms + [bias]), _SUM
    if len(parts) == 1:
        (inner, inner_p), = parts
        if name == "pow":
            k = getattr(op, "params", {}).get("k", 1.0)
            return _paren(inner, inner_p <= _POWER) + "**" + number_text(k), _POWER
        if name == "neg":
            return "-" + _paren(inner, inner_p < _UNARY), _UNARY
    method = getattr(op, "method", name)  # tanh(x); a custom op: softplus(x), f(x, y)
    return f"{method}({', '.join(text for text, _ in parts)})", _ATOM


def _paren(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def module_of(label: str) -> str:
    """The module a named node belongs to, from its name: ``'L1.N2'`` for
    ``'L1.N2.net'`` or ``'L1.N2.w1'``; the neuron of a name in Mazur's style,
    ``'h1'`` for ``'net_h1'`` and ``'out_h1'``; ``''`` for a name with no module part.

    >>> module_of("L1.N2.net"), module_of("L2.N1.b"), module_of("out_o1"), module_of("x")
    ('L1.N2', 'L2.N1', 'o1', '')
    """
    if not isinstance(label, str):
        return ""
    head, dot, _ = label.rpartition(".")
    if dot:
        return head
    for prefix in ("net_", "out_"):
        if label.startswith(prefix) and len(label) > len(prefix):
            return label[len(prefix):]
    return ""


@dataclass
class GraphSnapshot:
    """One graph's structure, built once by :func:`snapshot` and read by the tools."""

    root: Value
    order: list[Value]  # root first; every node after all the nodes that use it
    uses: dict[Value, int]  # edges into each node from nodes that use it (root: 0)
    names: dict[Value, str]  # what text and pictures call each node
    groups: dict[Value, str]  # the module whose forward made the node, '' if none
    # How tightly each name binds (for parentheses when a name goes into a formula).
    precedence: dict[Value, int] = field(default_factory=dict, repr=False)
    # How each node is written inside the expressions of the nodes that use it: its
    # name, except a constant named constN (see snapshot) is written as its value.
    written: dict[Value, str] = field(default_factory=dict, repr=False)

    def term(self, node: Value) -> tuple[str, int]:
        """(text, precedence) of ``node`` inside a formula or an op's rule: the 0.5 of
        ``0.5*d**2`` stays 0.5 even where two 0.5 nodes go by const1 and const2.

        >>> from autograd_tiny import Value
        >>> e = Value(2.0, label="e")
        >>> graph = snapshot((e - 1) / (e + 1))
        >>> one = graph.root._prev[0]._prev[1]
        >>> graph.names[one], graph.term(one)
        ('const1', ('1', 5))
        """
        text = self.written.get(node, self.names[node])
        if text == self.names[node]:
            return text, self.precedence.get(node, _ATOM)
        return text, _UNARY if text.startswith("-") else _ATOM

    def __len__(self) -> int:
        return len(self.order)

    @property
    def edge_count(self) -> int:
        """Edges in the graph: one per input of every node (``x*x`` has two)."""
        return sum(self.uses.values())


def snapshot(root: Value) -> GraphSnapshot:
    """The structure of ``root``'s graph, walked once. Nodes are read only through
    ``_prev`` (contract A), so a node with any number of inputs takes part.

    ``order`` is the order ``backward()`` visits the nodes in: a node comes once
    every node that uses it has come
    (:func:`~autograd_tiny.core.engine.reverse_topological_order`).

    >>> from autograd_tiny import Value
    >>> a = Value(2.0, label="L1.N1.w1")
    >>> s = snapshot(a * a)
    >>> len(s), s.uses[a], s.groups[a], s.names[s.root], s.edge_count
    (2, 2, 'L1.N1', 'L1.N1.w1*L1.N1.w1', 2)
    """
    if not isinstance(root, Value):
        raise TypeError(f"snapshot: root must be a Value, got {type(root).__name__}")
    order = reverse_topological_order(root)
    uses: dict[Value, int] = dict.fromkeys(order, 0)
    for node in order:  # the edges into each node
        for parent in node._prev:
            uses[parent] += 1
    written = _names(order)
    names = {node: text for node, (text, _) in written.items()}
    groups = {node: module_of(label_text(node)) for node in order}
    precedence = {node: binding for node, (_, binding) in written.items()}
    # Constants that share a name with another node (the two 1s of (e - 1)/(e + 1))
    # are still written as their value inside expressions, where a person writes the
    # number; as nodes of their own (a picture's box, a step's "passes gradient to",
    # a derivative's bottom) each goes by a name of its own: const1, const2, ...
    # In a graph with no label at all (x = Value(2.0); y = Value(2.0); x*y + x) they
    # are the user's variables rather than constants: v1, v2, ...
    counts = Counter(names.values())
    clashing = {node for node in order if not node._prev and not label_text(node)
                and counts[names[node]] > 1}
    labelled = any(label_text(node) for node in order if not node._prev)
    for node, name in _numbered(order, clashing, "const" if labelled else "v",
                                set(counts)).items():
        names[node] = name
        precedence[node] = _ATOM
    return GraphSnapshot(root, order, uses, names, groups, precedence,
                         {node: text for node, (text, _) in written.items()})
