"""The trace: the graph ``fn()`` built, flattened into a few compact columns.

Both backends compile from a ``Trace``, never from the ``Value`` graph itself. A node
of micrograd's demo step costs about 290 bytes as ``Value``s (the object, its floats,
its tuples of inputs and of local derivatives: it has 8 inputs on average) and about
60 as columns (25 bytes, plus 4 per input). The graph is read once and dropped as soon
as it has been read, so it is never alive together with what a backend builds from
the trace: a compile's peak is the larger of the graph plus its columns, and the
columns plus the replay.

Node ``i`` of a trace (``0 <= i < n``; leaves first, the root last, in the reverse of
the order eager ``backward()`` visits the nodes, so a replay adds the gradients in the
same order as eager mode):

- ``ops[op[i]]`` is its op; ``op[i] == -1`` for a leaf;
- ``inputs[first[i]:first[i + 1]]`` are its inputs, as node numbers;
- ``data[i]`` is its value when traced (what a constant keeps);
- ``param[i]`` is the parameter it is (an index into ``params``), or -1;
- ``variable[i]`` is 1 if it depends on a parameter (it is one, or an input is);
- ``local[first[i] + k]`` (only with ``locals_too``) is the local derivative the engine
  recorded for its ``k``-th input.

>>> from autograd_tiny import Value
>>> a, b = Value(2.0), Value(3.0)
>>> t = Trace(a * b + 1.0, [a])
>>> t.n, [str(op) for op in t.ops], list(t.op), list(t.inputs), list(t.first)
(5, ['*', '+'], [-1, -1, -1, 0, 1], [1, 2, 3, 0], [0, 0, 0, 0, 2, 4])
>>> list(t.data), list(t.param), list(t.variable), t.reached
([1.0, 2.0, 3.0, 6.0, 7.0], [-1, 0, -1, -1, -1], [0, 1, 0, 1, 1], {0})
"""

from __future__ import annotations

import math
from array import array
from typing import Any

from ..core.engine import Value, reverse_topological_order
from ..core.ops import Op

__all__ = ["Signature", "Trace"]


class Trace:
    """The graph below ``root`` as columns (see the module docstring): ``n``, ``ops``,
    ``op``, ``first``, ``inputs``, ``data``, ``param``, ``variable``, ``local`` (or
    None), and ``reached`` (the indices of the params the root depends on)."""

    __slots__ = ("n", "ops", "op", "first", "inputs", "data", "param", "variable", "local",
                 "reached")

    def __init__(self, root: Value, params: list[Value], locals_too: bool = False) -> None:
        order = reverse_topological_order(root)
        order.reverse()
        self.n = n = len(order)
        # array.array columns: 4 or 8 bytes an entry, against 8 for a list's pointer
        # plus 32 for each int or float object it points to.
        self.op = array("i")
        self.first = array("q", [0])
        self.inputs = array("i")
        self.data = array("d")
        self.param = array("i")
        self.variable = bytearray(n)
        self.local = array("d") if locals_too else None
        self.ops: list[Op] = []
        # the only per-node dictionary, and only while the graph is read
        number = {node: i for i, node in enumerate(order)}
        param_of = {id(p): j for j, p in enumerate(params)}
        op_number: dict[int, int] = {}  # by id(op): ops are alive while the graph is
        op, first, inputs, data, param = (self.op, self.first, self.inputs, self.data,
                                          self.param)
        variable, local = self.variable, self.local
        for i, node in enumerate(order):
            data.append(node.data)
            j = param_of.get(id(node), -1)
            param.append(j)
            parents = node._prev
            if not parents:
                op.append(-1)
                first.append(len(inputs))
                variable[i] = j >= 0
                continue
            kind = node._op
            k = op_number.get(id(kind))
            if k is None:
                if not isinstance(kind, Op):
                    raise ValueError(
                        f"compile: the node {node!r} was built by hand with its own _backward "
                        f"(op {str(kind)!r} is not in the op table), so it has no formula "
                        f"to compile; use eager mode")
                k = op_number[id(kind)] = len(self.ops)
                self.ops.append(kind)
            op.append(k)
            mine = list(map(number.__getitem__, parents))
            inputs.extend(mine)
            first.append(len(inputs))
            variable[i] = j >= 0 or any(map(variable.__getitem__, mine))
            if local is not None:
                local.extend(node._local)
        self.reached = {j for j in param if j >= 0}

    def inputs_of(self, i: int) -> array:
        """Node ``i``'s inputs, as node numbers.

        >>> from autograd_tiny import Value
        >>> x = Value(1.0)
        >>> list(Trace(x * x, [x]).inputs_of(1))
        [0, 0]
        """
        return self.inputs[self.first[i]:self.first[i + 1]]

    def signature(self) -> "Signature":
        return Signature(self)


class Signature:
    """What decides the computation of a trace, to compare two traces of ``fn()``: per
    node its op (by name, symbol and parameters: not by identity, a bound op may be
    a new object each time) and inputs, or which parameter it is, or its value if it
    is a constant. Equal signatures mean equal code.

    Kept as columns (a few bytes per node: a step with ``check_every`` keeps one for
    as long as it lives), compared in one go (``array`` compares integer columns with
    ``memcmp``); a difference is described node by node.

    >>> from autograd_tiny import Value
    >>> x = Value(1.0)
    >>> old, new = Trace(x * 2.0, [x]).signature(), Trace(x * -3.0, [x]).signature()
    >>> old == Trace(x * 2.0, [x]).signature(), old.first_difference(new)
    (True, 'node 1 was the constant 2.0, now the constant -3.0')
    """

    __slots__ = ("n", "keys", "op", "first", "inputs", "param", "constant")

    def __init__(self, trace: Trace) -> None:
        keys: list[tuple[Any, ...]] = []
        key_number: dict[tuple[Any, ...], int] = {}
        numbers = []  # per op of the trace, the number of its key
        for op in trace.ops:
            key = (op.name, str(op), tuple(op.params.values()))
            if key not in key_number:
                key_number[key] = len(keys)
                keys.append(key)
            numbers.append(key_number[key])
        self.n = trace.n
        self.keys = keys
        self.op = array("i", [numbers[k] if k >= 0 else -1 for k in trace.op])
        # shared with the trace, not copied: neither changes them
        self.first, self.inputs, self.param = trace.first, trace.inputs, trace.param
        # Only a constant's value is part of the signature (a leaf that is no
        # parameter); the column holds 0.0 for every other node. Compared as bytes:
        # any nan is written as the one nan (its bits may differ), and -0.0 differs
        # from 0.0 (1/x tells them apart), as _constant_key says.
        constant = array("d", bytes(8 * trace.n))
        for i, (k, j, x) in enumerate(zip(trace.op, trace.param, trace.data)):
            if k < 0 and j < 0:
                constant[i] = x if x == x else math.nan
        self.constant = constant.tobytes()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        return (self.keys == other.keys and self.op == other.op and self.first == other.first
                and self.inputs == other.inputs and self.param == other.param
                and self.constant == other.constant)

    __hash__ = None  # type: ignore[assignment]

    def entry(self, i: int) -> tuple[Any, ...]:
        """Node ``i`` as the message about a difference describes it."""
        j = self.param[i]
        if j >= 0:
            return ("param", j)
        k = self.op[i]
        if k < 0:
            return ("constant", _constant_key(array("d", self.constant[8 * i:8 * i + 8])[0]))
        return ("op", self.keys[k][1], self.keys[k],
                tuple(self.inputs[self.first[i]:self.first[i + 1]]))

    def first_difference(self, other: "Signature") -> str | None:
        """Where two signatures first differ, in words, or None if they are equal."""
        if self == other:
            return None
        for i in range(min(self.n, other.n)):
            was, now = self.entry(i), other.entry(i)
            if was != now:
                return f"node {i} was {_describe(was)}, now {_describe(now)}"
        return f"the graph had {self.n} nodes, now {other.n}"


def _constant_key(x: float) -> Any:
    """``x`` as compared between traces: nan equals nan, -0.0 differs from 0.0 (1/x
    tells them apart), anything else by value.

    >>> _constant_key(2.0), _constant_key(float("nan")), _constant_key(-0.0)
    (2.0, 'nan', '-0.0')
    """
    if x != x:
        return "nan"
    if x == 0.0 and math.copysign(1.0, x) < 0:
        return "-0.0"
    return x


def _describe(entry: tuple[Any, ...]) -> str:
    if entry[0] == "param":
        return f"params[{entry[1]}]"
    if entry[0] == "constant":
        return f"the constant {entry[1]}"
    return f"{entry[1]!r} of {entry[3]}"
