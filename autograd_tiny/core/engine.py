"""``Value``: a scalar that records the op that made it, and ``backward()``: the chain rule.

Each node keeps its inputs (``_a``, ``_b``) and, for each input, the local derivative
d(node)/d(input) computed when the op ran (``_da``, ``_db``); ``_prev`` and ``_local``
show them as tuples, as micrograd's ``_prev`` does. Backward is then the seed's
formula, literally: walk the nodes from the output back to the inputs, and for each
edge do ``input.grad += local * node.grad``.

The op methods (``__mul__``, ``tanh``, ...) are generated from the table in ``ops.py``
so that every forward formula and derivative is written exactly once. A node refers
to its parents only (no closures), so graphs have no reference cycles and are freed
by reference counting the moment they are dropped.

>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + 10
>>> c.backward()
>>> c.data, a.grad, b.grad
(4.0, -3.0, 2.0)
"""

from __future__ import annotations

import math
import numbers
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Union

from . import floatmath
from .modes import ANOMALY, NO_GRAD, AnomalyError, mode
from .ops import OPS, TABLE, Op

Operand = Union["Value", float, int]


class Value:
    """A scalar in a computation graph: ``data``, ``grad``, how it was made, a label.

    Compatible with micrograd: ``Value(data, _children=(), _op='', label='')``.
    Operators ``+ - * / **`` and unary ``-`` take a ``Value`` or a plain number on
    either side; ``exp log sqrt tanh sigmoid relu leaky_relu sin cos abs`` are methods
    (and functions of the package). Comparisons compare ``data`` and build no graph.
    ``==`` is identity, as in micrograd, so nodes can be dictionary keys.

    >>> x = Value(3.0, label="x")
    >>> y = x ** 2 + 1
    >>> y.backward()
    >>> y, x.grad
    (Value(data=10.0, grad=1.0, op='+'), 6.0)
    """

    # Every op takes one or two inputs, so a node keeps them in slots of its own
    # rather than in tuples: one allocation per node instead of three. That keeps
    # nodes small and the garbage collector's share of a training step low (it scans
    # every container allocated, even in graphs like ours that have no cycles).
    __slots__ = ("data", "grad", "_a", "_b", "_da", "_db", "_op", "label")
    __array_ufunc__ = None  # NumPy scalars defer to our reflected operators

    data: float
    grad: float
    _a: "Value | None"  # first input; None for a leaf
    _b: "Value | None"  # second input; None for a leaf or a one-input op
    _da: float  # d(self)/d(_a), recorded when the op ran
    _db: float  # d(self)/d(_b)
    _op: str
    label: str

    def __init__(self, data: float, _children: Iterable["Value"] = (), _op: str = "",
                 label: str = "") -> None:
        self.data = _real(data, "Value")
        self.grad = 0.0
        self.label = label
        parents = tuple(_children)
        if not parents:
            _set_inputs(self, (), ())
            self._op = _op
            return
        # micrograd's lecture builds nodes by hand: Value(a.data * b.data, (a, b), '*').
        # Look the op up in the table so the node knows its local derivatives too.
        for parent in parents:
            if not isinstance(parent, Value):
                raise TypeError(f"Value: _children must be Values, got {type(parent).__name__}")
        op = _op_for_symbol(_op, len(parents))
        inputs = [parent.data for parent in parents]
        self._op = op
        _set_inputs(self, parents, FLOAT_RULES[op.name](*inputs, out=self.data, **op.params))

    @property
    def _prev(self) -> tuple["Value", ...]:
        """The node's inputs in order (micrograd's name): ``(a + a)._prev`` is ``(a, a)``.

        >>> a = Value(1.0)
        >>> (a + a)._prev == (a, a), a._prev
        (True, ())
        """
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple[float, ...]:
        """d(self)/d(input) for each of ``_prev``, recorded when the op ran.

        >>> (Value(3.0) * 4)._local
        (4.0, 3.0)
        """
        if self._a is None:
            return ()
        return (self._da,) if self._b is None else (self._da, self._db)

    # -- reading a node ------------------------------------------------------------

    def __repr__(self) -> str:
        extra = "".join(f", {key}={value!r}" for key, value in self._described() if value)
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    def _described(self) -> list[tuple[str, str]]:
        return [("label", self.label), ("op", str(self._op))]

    def __rich_repr__(self) -> Iterator[Any]:
        yield "data", self.data
        yield "grad", self.grad
        for key, value in self._described():
            if value:
                yield key, value

    def __format__(self, spec: str) -> str:
        """Format specs apply to ``data``: ``f"{v:.3f}"`` is ``'0.707'``."""
        return format(self.data, spec) if spec else repr(self)

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The plain float, like PyTorch's ``tensor.item()``.

        >>> Value(2.5).item()
        2.5
        """
        return self.data

    @property
    def is_leaf(self) -> bool:
        """True for inputs and weights: nodes that no recorded op produced.

        >>> Value(1.0).is_leaf, (Value(1.0) * 2).is_leaf
        (True, False)
        """
        return self._a is None

    def local_derivatives(self) -> list[tuple["Value", float]]:
        """Each parent with the local derivative d(self)/d(parent) recorded by the op.

        >>> a = Value(3.0)
        >>> [(p.data, d) for p, d in (a * 4).local_derivatives()]
        [(3.0, 4.0), (4.0, 3.0)]
        """
        return list(zip(self._prev, self._local))

    def detach(self) -> "Value":
        """A new leaf with the same data and label and no history.

        >>> y = Value(2.0) * 3
        >>> y.detach().is_leaf, y.detach().data
        (True, 6.0)
        """
        return Value(self.data, label=self.label)

    # -- comparisons: on data, no graph -----------------------------------------

    def __lt__(self, other: Any) -> bool:
        return self.data < _operand_data(other, "<")

    def __le__(self, other: Any) -> bool:
        return self.data <= _operand_data(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self.data > _operand_data(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self.data >= _operand_data(other, ">=")

    __hash__ = object.__hash__  # identity, like micrograd: nodes are dictionary keys

    if TYPE_CHECKING:  # the op methods are generated below from ops.TABLE
        def __add__(self, other: Operand) -> Value: ...
        def __radd__(self, other: Operand) -> Value: ...
        def __sub__(self, other: Operand) -> Value: ...
        def __rsub__(self, other: Operand) -> Value: ...
        def __mul__(self, other: Operand) -> Value: ...
        def __rmul__(self, other: Operand) -> Value: ...
        def __truediv__(self, other: Operand) -> Value: ...
        def __rtruediv__(self, other: Operand) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def relu(self) -> Value: ...
        def leaky_relu(self, slope: float = 0.01) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...

    # -- ops with a special shape ------------------------------------------------

    def __pow__(self, exponent: Any) -> "Value":
        """``x ** 2`` records one ``'**2'`` node; ``x ** y`` with a ``Value`` exponent
        gives both base and exponent a gradient (d(a**b)/db = a**b * ln a).

        >>> a, b = Value(2.0), Value(3.0)
        >>> c = a ** b
        >>> c.backward()
        >>> c.data, a.grad, round(b.grad, 6)
        (8.0, 12.0, 5.545177)
        """
        if isinstance(exponent, Value):
            return _vpow(self, exponent)
        return _pow(self, _real(exponent, "**"))

    def __rpow__(self, base: Any) -> "Value":
        return _vpow(_operand(base, "**"), self)

    # -- the chain rule --------------------------------------------------------------

    def _backward(self) -> None:
        """One step of the chain rule for this node only, as in micrograd's lecture:
        each parent gets ``local * self.grad`` added to its ``grad``.

        >>> a, b = Value(2.0), Value(5.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (5.0, 2.0)
        """
        grad = self.grad
        for parent, local in zip(self._prev, self._local):
            parent.grad += local * grad

    def backward(self, gradient: float = 1.0) -> None:
        """Adds d(self)/d(node) * ``gradient`` to the ``grad`` of every node ``self``
        depends on (gradients accumulate, as in PyTorch and micrograd: call
        ``zero_grad()`` or set ``.grad = 0`` between steps). Iterative, so a chain of a
        million ops works at Python's default recursion limit.

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward(); y.backward()
        >>> x.grad
        12.0
        """
        uses = _count_uses(self)
        # Gradients from earlier backward calls are set aside and added back at the
        # end, so that each node passes on only this pass's gradient.
        earlier = [node for node in uses if node.grad]
        if self.grad:
            earlier.append(self)
        before = [node.grad for node in earlier]
        for node in earlier:
            node.grad = 0.0
        self.grad = _real(gradient, "backward")
        # A node passes its gradient on once every node that uses it has passed it
        # theirs, so its gradient is complete (the order of reverse_topological_order).
        # Both inputs are written out rather than looped over: this loop is most of
        # backward's time, and a loop over (input, local) pairs measured slower.
        ready = [self]
        while ready:
            node = ready.pop()
            a = node._a
            if a is None:
                continue  # a leaf: nothing to pass on
            grad = node.grad
            a.grad += node._da * grad  # the chain rule: local derivative x upstream
            remaining = uses[a] - 1
            if remaining:
                uses[a] = remaining
            else:
                ready.append(a)
            b = node._b
            if b is not None:
                b.grad += node._db * grad
                remaining = uses[b] - 1
                if remaining:
                    uses[b] = remaining
                else:
                    ready.append(b)
        for node, grad in zip(earlier, before):
            node.grad += grad


def reverse_topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each listed after all the nodes that use it
    (``root`` first, leaves last): the order in which backward visits them.

    Iterative, with no recursion. A node becomes ready once every node that uses it
    has been visited, so when backward reaches a node its gradient is complete.

    >>> a = Value(1.0, label="a")
    >>> b = (a * 2).tanh()
    >>> [n._op or n.label for n in reverse_topological_order(b)]
    ['tanh', '*', '', 'a']
    """
    uses = _count_uses(root)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node._prev:
            remaining = uses[parent] - 1
            uses[parent] = remaining
            if not remaining:
                ready.append(parent)
    return order


def _count_uses(root: Value) -> dict[Value, int]:
    """For every node below ``root``: the number of edges into it from nodes that
    depend on it. Its gradient is complete once that many have passed theirs on."""
    uses: dict[Value, int] = {}
    stack = [root]
    # Both inputs written out, as in backward: a loop over (_a, _b) measured 30% slower.
    while stack:
        node = stack.pop()
        a = node._a
        if a is None:
            continue
        if a in uses:
            uses[a] += 1
        else:
            uses[a] = 1
            stack.append(a)
        b = node._b
        if b is None:
            continue
        if b in uses:
            uses[b] += 1
        else:
            uses[b] = 1
            stack.append(b)
    return uses


def _set_inputs(node: Value, parents: tuple[Value, ...], local: Iterable[float]) -> None:
    """Stores up to two inputs and their local derivatives in the node's slots."""
    node._a, node._b = (*parents, None, None)[:2]
    node._da, node._db = (*local, 0.0, 0.0)[:2]


# -- checking operands ---------------------------------------------------------------


def _real(x: Any, op: str) -> float:
    """``x`` as a float if it is a real number (int, float, NumPy scalar), else a
    ``TypeError`` naming the op and the type."""
    if x.__class__ is float:
        return x
    if isinstance(x, numbers.Real):  # int, bool, NumPy scalars (np.float64 is a float subclass)
        return float(x)
    raise TypeError(f"{op}: expected a Value or a real number, got {type(x).__name__}")


def _operand(x: Any, op: str) -> Value:
    """``x`` as a node: a ``Value`` as it is, a number as a new constant leaf."""
    if isinstance(x, Value):
        return x
    return _leaf(_real(x, op))


def _leaf(data: float) -> Value:
    """A new leaf, skipping ``__init__``'s checks: ``2 * x`` makes one per op."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node._a = node._b = None
    node._da = node._db = 0.0
    node._op = node.label = ""
    return node


_new = object.__new__


def _operand_data(x: Any, op: str) -> float:
    return x.data if isinstance(x, Value) else _real(x, op)


def _op_for_symbol(symbol: str, arity: int) -> Op:
    """The table's op for a hand-built node: ``'*'``, ``'tanh'``, ``'**2'``, ..."""
    if isinstance(symbol, Op):
        return symbol
    for op in OPS:
        if op == symbol and len(op.inputs) == arity and not op.params:
            return op
    if symbol.startswith("**") and arity == 1:
        try:
            k = float(symbol[2:])
            return (_bound(TABLE["pow"], "k", k) if k else
                    _bound_zero(TABLE["pow"], "k", k, math.copysign(1.0, k)))
        except ValueError:
            pass
    if symbol.lower() == "relu" and arity == 1:
        return TABLE["relu"]
    known = ", ".join(sorted({str(op) for op in OPS}))
    raise ValueError(f"Value: unknown op {symbol!r} with {arity} children (known: {known}, **k)")


@lru_cache(maxsize=1024)
def _bound(op: Op, name: str, value: float) -> Op:
    """``op`` with one parameter set (cached: ``x ** 2`` in a loop makes one op).
    Not for a zero: -0.0 == 0.0 would share one entry (see ``_bound_zero``)."""
    return op.bind(**{name: value})


@lru_cache(maxsize=16)
def _bound_zero(op: Op, name: str, value: float, sign: float) -> Op:
    """``_bound`` for a zero ``value``, keyed on its sign: a slope of -0.0 is not 0.0."""
    return op.bind(**{name: value})


# -- generating the op methods from the table ----------------------------------------

# What the formulas in ops.py may call: on floats (when an op runs) ...
FLOAT_NAMESPACE: dict[str, Any] = {
    name: getattr(floatmath, name)
    for name in ("exp", "log", "sqrt", "div", "pow", "sin", "cos", "tanh", "sigmoid",
                 "relu", "step", "sign")
}
FLOAT_NAMESPACE["abs"] = abs

# Named 'generated' while compiling (renamed after): the formulas call exp, tanh, ...
# from the namespace, and a function named tanh would shadow the float tanh.
_NODE_TEMPLATE = '''\
def generated({signature}):
{bind}
{unpack}
    out = {forward}
    if _mode_get():
        return _record_in_mode(OP, out, ({nodes},), ({local},))
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node._a = a_node
    node._b = {b_node}
    node._da = {da}
    node._db = {db}
    node._op = OP
    node.label = ""
    return node
'''


def _node_function(op: Op, fname: str, signature: str, bind: list[str]) -> Callable[..., Value]:
    """Python source for one op, compiled: forward and local derivatives inline.

    Inline formulas (no call per op) are what make the ordinary path fast; the
    source is built from the table's text, so nothing is written twice.
    """
    nodes = [f"{x}_node" for x in op.inputs]
    unpack = [f"    {x} = {x}_node.data" for x in op.inputs]
    if op.params:
        (param,) = op.params
        unpack.append(f"    OP = _bound(BASE, {param!r}, {param}) if {param} else "
                      f"_bound_zero(BASE, {param!r}, {param}, _copysign(1.0, {param}))")
    source = _NODE_TEMPLATE.format(
        signature=signature, bind="\n".join(f"    {line}" for line in bind),
        unpack="\n".join(unpack), forward=op.forward, local=", ".join(op.local),
        nodes=", ".join(nodes), b_node=nodes[1] if len(nodes) == 2 else "None",
        da=op.local[0], db=op.local[1] if len(op.local) == 2 else "0.0",
    )
    namespace = dict(FLOAT_NAMESPACE, Value=Value, OP=op, BASE=op, _bound=_bound,
                     _bound_zero=_bound_zero, _copysign=math.copysign,
                     _new=object.__new__, _mode_get=mode.get, _record_in_mode=_record_in_mode,
                     _operand=_operand, _real=_real)
    exec(compile(source, f"<autograd_tiny op {op.name}>", "exec"), namespace)
    function = namespace["generated"]
    function.__name__ = function.__qualname__ = fname
    function.__doc__ = f"{op.describe()}  (generated from ops.TABLE[{op.name!r}])"
    return function


def _coerce(name: str, op: Op) -> str:
    return f"{name} if {name}.__class__ is Value else _operand({name}, {str(op)!r})"


def _record_in_mode(op: Op, out: float, parents: tuple[Value, ...], local: tuple) -> Value:
    """The careful path, taken only inside ``no_grad()`` or ``detect_anomaly()``."""
    flags = mode.get()
    if flags & ANOMALY:
        _check_anomaly(op, out, parents, local)
    node = _leaf(out)
    if not flags & NO_GRAD:
        node._op = op
        _set_inputs(node, parents, local)
    return node


def _check_anomaly(op: Op, out: float, parents: tuple[Value, ...], local: tuple) -> None:
    values = [p.data for p in parents] + list(op.params.values())
    if not all(map(math.isfinite, values)):
        return  # not where the trouble started: an input was already nan or inf
    inputs = ", ".join(f"{x} = {p.label + ' (' + repr(p.data) + ')' if p.label else repr(p.data)}"
                       for x, p in zip(op.inputs, parents))
    params = "".join(f", {k} = {v!r}" for k, v in op.params.items())
    if not math.isfinite(out):
        raise AnomalyError(f"{op.name} turned finite inputs into {out}: {inputs}{params}")
    for x, d in zip(op.inputs, local):
        if not math.isfinite(d):
            raise AnomalyError(f"{op.name}: local derivative d/d{x} is {d} at finite "
                               f"inputs: {inputs}{params}")


# Binary ops that are Python operators: (op name, method, reflected method).
_OPERATORS = [
    ("add", "__add__", "__radd__"),
    ("sub", "__sub__", "__rsub__"),
    ("mul", "__mul__", "__rmul__"),
    ("truediv", "__truediv__", "__rtruediv__"),
]
# Unary ops: (op name, method names).
_UNARY = {
    "neg": ("__neg__",), "abs": ("__abs__",), "exp": ("exp",), "log": ("log",),
    "sqrt": ("sqrt",), "tanh": ("tanh",), "sigmoid": ("sigmoid",), "relu": ("relu",),
    "sin": ("sin",), "cos": ("cos",),
}

for _name, _method, _reflected in _OPERATORS:
    _op = TABLE[_name]
    setattr(Value, _method, _node_function(
        _op, _method, "self, other", ["a_node = self", "b_node = " + _coerce("other", _op)]))
    setattr(Value, _reflected, _node_function(
        _op, _reflected, "self, other", ["a_node = " + _coerce("other", _op), "b_node = self"]))
for _name, _methods in _UNARY.items():
    _function = _node_function(TABLE[_name], _methods[0], "self", ["a_node = self"])
    for _method in _methods:
        setattr(Value, _method, _function)
Value.leaky_relu = _node_function(  # type: ignore[method-assign]
    TABLE["leaky_relu"], "leaky_relu", "self, slope=0.01",
    ["a_node = self", "slope = _real(slope, 'leaky_relu')"])
_pow = _node_function(TABLE["pow"], "_pow", "a_node, k", [])
_vpow = _node_function(TABLE["vpow"], "_vpow", "a_node, b_node", [])


def _rule(op: Op, namespace: dict[str, Any]) -> Callable[..., tuple]:
    """``op``'s local derivatives as a function of (inputs..., out=, **params)."""
    args = ", ".join([*op.inputs, "out", *op.params])
    source = f"def rule({args}):\n    return ({', '.join(op.local)},)\n"
    scope = dict(namespace)
    exec(compile(source, f"<autograd_tiny rule {op.name}>", "exec"), scope)
    return scope["rule"]


# The same rules evaluated on floats, and on Values for create_graph=True. On Values
# every formula builds graph nodes, so the gradients it returns are differentiable.
def _value_function(method: str) -> Callable[[Any], Value]:
    return lambda x: getattr(_operand(x, method), method)()


VALUE_NAMESPACE: dict[str, Any] = {
    name: _value_function(name)
    for name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu")
}
VALUE_NAMESPACE.update(abs=abs, step=floatmath.step, sign=floatmath.sign,
                       div=lambda a, b: a / b, pow=lambda a, b: a ** b)
FLOAT_RULES = {op.name: _rule(op, FLOAT_NAMESPACE) for op in OPS}
VALUE_RULES = {op.name: _rule(op, VALUE_NAMESPACE) for op in OPS}


# -- the ops as functions of the package ----------------------------------------------


def _public_function(method: str) -> Callable[..., Value]:
    op = TABLE[method]

    def function(x: Any, *args: Any) -> Value:
        return getattr(_operand(x, method), method)(*args)

    function.__name__ = function.__qualname__ = method
    function.__doc__ = (f"``{method}(x)`` for a Value or a number: {op.describe()}.\n\n"
                        f"    >>> from autograd_tiny import Value, {method}\n"
                        f"    >>> isinstance({method}(Value(0.5)), Value)\n    True\n")
    return function


exp = _public_function("exp")
log = _public_function("log")
sqrt = _public_function("sqrt")
tanh = _public_function("tanh")
sigmoid = _public_function("sigmoid")
relu = _public_function("relu")
leaky_relu = _public_function("leaky_relu")
sin = _public_function("sin")
cos = _public_function("cos")
