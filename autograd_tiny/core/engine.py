"""``Value``: a scalar that records the op that made it, and ``backward()``: the chain rule.

Each node keeps its inputs and, for each input, the local derivative d(node)/d(input)
computed when the op ran; ``_prev`` and ``_local`` show them as tuples, as micrograd's
``_prev`` does. Backward is then the textbook formula, literally: walk the nodes from the
output back to the inputs, and for each edge add ``local * (the node's gradient)`` to
the input's gradient.

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

import linecache
import math
import numbers
import operator
import re
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

    # Almost every op takes one or two inputs, so a node keeps them in slots of its
    # own rather than in tuples: one allocation per node instead of three. That keeps
    # nodes small and the garbage collector's share of a training step low (it scans
    # every container allocated, even in graphs like ours that have no cycles).
    # The layout (private: tools read ``_prev`` and ``_local``):
    #   leaf            _a None,   _b None
    #   one input       _a parent, _b None,   _da its local derivative
    #   two inputs      _a, _b,               _da, _db
    #   any other node  _a None,   _b (parents...), _da (locals...), _db None for a
    #                   table op (weighted_sum), or the user's _backward function
    # ``_h`` is the node's height: 0 for a leaf, else 1 + the highest of its inputs'.
    # Every node is higher than the nodes it was made from, so backward can visit the
    # nodes highest first and each gradient is complete when its node is reached,
    # with no pass over the graph beforehand to count who uses what (see
    # ``_backpropagate``). Heights are small ints for most graphs (CPython shares
    # those up to 256), so the slot is usually all they cost.
    # ``__dict__`` lets code attach attributes (``p.m``, ``v._vis_color``) as it can to
    # micrograd's nodes. The label, which a node built by an op does not have, lives
    # there too rather than in a slot of every node: an unlabelled node reads the
    # class's default ''.
    __slots__ = ("data", "grad", "_a", "_b", "_da", "_db", "_op", "_h", "__dict__")
    __array_ufunc__ = None  # NumPy scalars defer to our reflected operators

    data: float
    grad: float
    _a: "Value | None"
    _b: Any
    _da: Any
    _db: Any
    _op: str
    _h: int
    _label: str = ""

    def __init__(self, data: float, _children: Iterable["Value"] = (), _op: str = "",
                 label: str = "") -> None:
        self.data = data if data.__class__ is float else _leaf_data(data)
        self.grad = 0.0
        if label or label.__class__ is not str:
            self._label = _checked_label(label)
        if not isinstance(_op, str):
            raise TypeError(f"Value: _op must be a str, got {type(_op).__name__}")
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
        if op is None:
            # An op the table does not know (micrograd-style code adding 'softplus'):
            # its gradient flows through the _backward the user sets, as in micrograd.
            self._op = str(_op)
            self._a = None
            self._b = parents
            self._h = 1 + max(parent._h for parent in parents)
            self._da = (math.nan,) * len(parents)
            self._db = _no_backward
            return
        inputs = [parent.data for parent in parents]
        self._op = op
        _set_inputs(self, parents, local_rule(op, len(parents))(*inputs, out=self.data, **op.params))

    @property
    def label(self) -> str:
        """The node's name in pictures and explanations ('' for none).

        Any ``str`` without control characters: setting anything else raises
        ``TypeError`` (not a str) or ``ValueError`` (a newline, tab, NUL, ...), so
        every tool can print every label as it is.

        >>> v = Value(1.0, label="w1")
        >>> v.label = "L1.N1.w1"; v.label
        'L1.N1.w1'
        >>> v.label = "a\\nb"
        Traceback (most recent call last):
        ...
        ValueError: label: control character '\\n' in 'a\\nb'; labels are printed on one line
        """
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        self._label = _checked_label(value)

    @property
    def _prev(self) -> tuple["Value", ...]:
        """The node's inputs in order (micrograd's name): ``(a + a)._prev`` is ``(a, a)``.

        >>> a = Value(1.0)
        >>> (a + a)._prev == (a, a), a._prev
        (True, ())
        """
        a = self._a
        if a is None:
            b = self._b
            return () if b is None else b
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple[float, ...]:
        """d(self)/d(input) for each of ``_prev``, recorded when the op ran.

        >>> (Value(3.0) * 4)._local
        (4.0, 3.0)

        A node built by hand with an op the table does not know records no local
        derivative: its entries are ``nan`` until a ``backward()`` has run through it,
        then the derivative its ``_backward`` applied (the added gradient / the
        node's gradient, when that gradient was finite and non-zero).
        """
        if self._a is None:
            return () if self._b is None else tuple(self._da)
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
        return self._a is None and not self._b

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

    def _chain_rule_step(self) -> None:
        grad = self.grad
        for parent, local in zip(self._prev, self._local):
            parent.grad += local * grad

    @property
    def _backward(self) -> Callable[[], None]:
        """One step of the chain rule for this node only, as in micrograd's lecture:
        each parent gets ``local * self.grad`` added to its ``grad``.

        >>> a, b = Value(2.0), Value(5.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (5.0, 2.0)

        micrograd's way to add an op works too: build the node by hand and set its
        ``_backward`` to a function that adds into its children's ``grad`` (reading
        ``out.grad``). ``backward()`` calls it with ``out.grad`` holding this pass's
        gradient. Such a node's ``_op`` is a plain ``str``: the table has no rule
        for it, and ``grad(create_graph=True)`` cannot differentiate it again.

        >>> import math
        >>> x = Value(0.5)
        >>> out = Value(math.log1p(math.exp(x.data)), (x,), "softplus")
        >>> def _backward():
        ...     x.grad += out.grad / (1.0 + math.exp(-x.data))
        >>> out._backward = _backward
        >>> (out * 2).backward()
        >>> round(x.grad, 12) == round(2 / (1 + math.exp(-0.5)), 12)
        True
        """
        if self._a is None and self._b is not None and self._db is not None:
            return self._db
        return self._chain_rule_step

    @_backward.setter
    def _backward(self, function: Callable[[], None]) -> None:
        if not callable(function):
            raise TypeError(f"_backward: expected a function of no arguments, "
                            f"got {type(function).__name__}")
        parents, local = self._prev, self._local
        self._a = None
        self._b = parents
        self._da = local
        self._db = function
        self._op = str(self._op)  # no longer the table's rule: the user's function is

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

        The pass works out every gradient in a dictionary of its own and adds them to
        ``.grad`` at the end: a call that fails (a bad ``gradient``, an error in a
        user's ``_backward``) changes no ``.grad``, and two threads back-propagating
        graphs that share nodes do not see each other's partial gradients. (The final
        additions to a node both graphs share are not atomic: like most engines, it
        can lose one of two simultaneous ``+=``; give each thread its own parameters
        or use ``grad()``, which returns gradients and writes nothing.)
        """
        seed = _gradient_seed(gradient, "backward")
        grads = _backpropagate(self, seed)
        for node, grad in grads.items():
            node.grad += grad


def _gradient_seed(gradient: Any, function: str) -> float:
    """The number backward starts from, checked before anything is touched."""
    if isinstance(gradient, Value):
        raise TypeError(f"{function}: gradient must be a number, got a Value; "
                        f"pass its .data (gradient={gradient.data!r}) instead")
    if gradient.__class__ is float:
        return gradient
    if isinstance(gradient, numbers.Real):
        return float(gradient)
    raise TypeError(f"{function}: gradient must be a real number, got {type(gradient).__name__}")


def _backpropagate(root: Value, seed: float) -> dict[Value, float]:
    """The chain rule: ``{node: d(root)/d(node) * seed}`` for ``root`` and every node
    below it. Writes nothing to the graph (except around a user's ``_backward``,
    which works on ``.grad`` by its nature; see ``_user_step``).

    One pass, highest node first. A node is higher than every node it was made from
    (``Value._h``), so by the time the pass comes down to a node's height, every node
    that uses it has passed its gradient on: the gradient is complete. Nodes wait in
    ``waiting[height]`` in the order they were first reached, and a leaf (height 0)
    never waits: it only collects. No walk beforehand counts who uses what, no
    record of the graph outlives the call, and nothing is stored on the nodes.
    ``reverse_topological_order`` lists the same visits, for code that must
    follow them."""
    grads = {root: seed}
    get = grads.get  # bound once: the hot loop calls it for every edge
    top = root._h
    waiting: list[list[Value] | None] = [None] * (top + 1)
    waiting[top] = [root]
    # Nodes of height 0 that run a _backward of the user's: micrograd-style code that
    # built a node as Value(data) and set its _backward without listing its inputs.
    # Nothing uses what they pass on through the graph, so they run last.
    inputless = [] if top or root._b is None else [root]
    # The gradient each node receives first is stored as ``0.0 + contribution``, as
    # adding to a 0.0 would: a lone -0.0 becomes 0.0, exactly as in an eager sum.
    for height in range(top, 0, -1):
        nodes = waiting[height]
        if nodes is None:
            continue
        waiting[height] = None  # done with: let the list go as the pass goes down
        for node in nodes:
            grad = grads[node]
            a = node._a
            if a is None:  # weighted_sum, or a node with the user's _backward
                if node._db is not None:
                    _user_step(node, grads, waiting)
                    continue
                for parent, local in zip(node._b, node._da):
                    before = get(parent)
                    if before is None:
                        grads[parent] = 0.0 + local * grad
                        height_of = parent._h
                        if height_of:
                            bucket = waiting[height_of]
                            if bucket is None:
                                waiting[height_of] = [parent]
                            else:
                                bucket.append(parent)
                        elif parent._b is not None:  # a node with no inputs and the user's _backward
                            inputless.append(parent)
                    else:
                        grads[parent] = before + local * grad
                continue
            # One or two inputs, written out rather than looped over, and _wait
            # written inline: this is most of backward's time. The chain rule: local
            # derivative x upstream.
            before = get(a)
            if before is None:
                grads[a] = 0.0 + node._da * grad
                height_of = a._h
                if height_of:
                    bucket = waiting[height_of]
                    if bucket is None:
                        waiting[height_of] = [a]
                    else:
                        bucket.append(a)
                elif a._b is not None:  # a node with no inputs and the user's _backward
                    inputless.append(a)
            else:
                grads[a] = before + node._da * grad
            b = node._b
            if b is None:
                continue
            before = get(b)
            if before is None:
                grads[b] = 0.0 + node._db * grad
                height_of = b._h
                if height_of:
                    bucket = waiting[height_of]
                    if bucket is None:
                        waiting[height_of] = [b]
                    else:
                        bucket.append(b)
                elif b._b is not None:  # a node with no inputs and the user's _backward
                    inputless.append(b)
            else:
                grads[b] = before + node._db * grad
    for node in inputless:
        _user_step(node, grads, waiting)
    return grads


def _user_step(node: Value, grads: dict[Value, float],
               waiting: list[list[Value] | None]) -> None:
    """Runs a user's ``_backward`` (micrograd style: it reads ``node.grad`` and adds
    into its children's ``.grad``) with ``node.grad`` set to this pass's gradient and
    the children's ``.grad`` at 0, and takes what it added into this pass's
    gradients; every ``.grad`` it touched is put back as it was, even if it raises."""
    parents = node._b
    grad = grads[node]
    children = dict.fromkeys(parents)
    saved = [child.grad for child in children]
    saved_own = node.grad
    try:
        for child in children:
            child.grad = 0.0
        node.grad = grad
        node._db()
        added = [child.grad for child in children]
    finally:
        for child, before in zip(children, saved):
            child.grad = before
        node.grad = saved_own
    for child, extra in zip(children, added):
        before = grads.get(child)
        if before is None:
            grads[child] = 0.0 + extra
            if child._h:
                _wait(waiting, child, child._h)
        else:
            grads[child] = before + extra
    if grad and math.isfinite(grad):  # record what the function did, for the tools
        share = dict(zip(children, added))
        node._da = tuple(share[p] / grad / parents.count(p) for p in parents)


def _no_backward() -> None:
    """The ``_backward`` of a hand-built node with an unknown op until the user sets
    one (micrograd's default: the gradient stops there)."""


def _wait(waiting: list[list[Value] | None], node: Value, height: int) -> None:
    """Puts ``node`` in line at ``height`` (backward's hot loop writes this inline)."""
    bucket = waiting[height]
    if bucket is None:
        waiting[height] = [node]
    else:
        bucket.append(node)


def reverse_topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each listed after all the nodes that use it:
    the order in which ``backward()`` passes gradients on. ``root`` first, then the
    other nodes highest first (in the order they were first reached), then the
    leaves, which pass nothing on (the last reached first, so that the reversed list,
    a forward order, meets them in order). The teaching tools step through it, and
    the compiled replay follows it, so both add gradients up in eager mode's order,
    bit for bit. Iterative, with no recursion.

    >>> a = Value(1.0, label="a")
    >>> b = (a * 2).tanh()
    >>> [n._op or n.label for n in reverse_topological_order(b)]
    ['tanh', '*', '', 'a']
    """
    height = _heights(root)
    top = height[root]
    seen = {root}
    waiting: list[list[Value] | None] = [None] * (top + 1)
    waiting[top] = [root]
    order = []
    leaves = [] if top else [root]
    for level in range(top, 0, -1):
        for node in waiting[level] or ():
            order.append(node)
            for parent in node._prev:
                if parent not in seen:
                    seen.add(parent)
                    if height[parent]:
                        _wait(waiting, parent, height[parent])
                    else:
                        leaves.append(parent)
    leaves.reverse()
    return order + leaves


def _heights(root: Value) -> dict[Value, int]:
    """Each node's height (0 for a leaf, else 1 + its highest input's), worked out
    from ``_prev`` alone, so that tools also order nodes that stand in for a
    ``Value`` (for real nodes it equals the ``_h`` each node was given when made)."""
    height: dict[Value, int] = {}
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:  # depth first, without recursion: a node's height once its inputs have one
        node, inputs_done = stack.pop()
        if node in height:
            continue
        parents = node._prev
        if inputs_done or not parents:
            height[node] = 1 + max(height[p] for p in parents) if parents else 0
            continue
        stack.append((node, True))
        stack.extend((p, False) for p in parents if p not in height)
    return height


def _set_inputs(node: Value, parents: tuple[Value, ...], local: Iterable[float]) -> None:
    """Stores a node's inputs and local derivatives in its slots (see ``Value``)."""
    node._h = 1 + max(parent._h for parent in parents) if parents else 0
    if len(parents) > 2:
        node._a = None
        node._b = tuple(parents)
        node._da = tuple(local)
        node._db = None
        return
    node._a, node._b = (*parents, None, None)[:2]
    node._da, node._db = (*local, 0.0, 0.0)[:2]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _checked_label(label: Any) -> str:
    """A label is a str with no control characters (so DOT, SVG, LaTeX and terminals
    can print it on one line as it is)."""
    if label.__class__ is not str:
        if not isinstance(label, str):
            raise TypeError(f"label: expected a str, got {type(label).__name__}")
        label = str(label)
    if not label.isprintable():  # fast for the usual label; then look closer
        bad = _CONTROL.search(label)
        if bad:
            raise ValueError(f"label: control character {bad.group()!r} in {label!r}; "
                             f"labels are printed on one line")
    return label


# -- checking operands ---------------------------------------------------------------


def _real(x: Any, op: str) -> float:
    """``x`` as a float if it is a real number (int, float, NumPy scalar), else a
    ``TypeError`` naming the op and the type."""
    if x.__class__ is float:
        return x
    if isinstance(x, numbers.Real):  # int, bool, NumPy scalars (np.float64 is a float subclass)
        return float(x)
    raise TypeError(f"{op}: expected a Value or a real number, got {type(x).__name__}")


def _leaf_data(data: Any) -> float:
    """The number a new ``Value`` holds; the constructor takes a number, not a node."""
    if isinstance(data, Value):
        raise TypeError(f"Value: data must be a real number, got a Value; "
                        f"Value(v.data) makes a new leaf with its number "
                        f"({data.data!r}), or use the Value itself")
    if isinstance(data, numbers.Real):
        return float(data)
    raise TypeError(f"Value: data must be a real number, got {type(data).__name__}")


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
    node._op = ""
    node._h = 0
    return node


_new = object.__new__


def _operand_data(x: Any, op: str) -> float:
    return x.data if isinstance(x, Value) else _real(x, op)


def _op_for_symbol(symbol: str, arity: int) -> Op | None:
    """The table's op for a hand-built node: ``'*'``, ``'tanh'``, ``'**2'``, ...;
    None for an op the table does not know (a user's op with its own ``_backward``)."""
    if isinstance(symbol, Op) and symbol.accepts(arity):
        return symbol
    for op in OPS:
        if op == symbol and op.accepts(arity) and not op.params:
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
    return None


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
FLOAT_NAMESPACE["iszero"] = floatmath.iszero

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
    node._h = {height}
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
        height=("1 + (a_node._h if a_node._h > b_node._h else b_node._h)" if len(nodes) == 2
                else "1 + a_node._h"),
    )
    namespace = dict(FLOAT_NAMESPACE, Value=Value, OP=op, BASE=op, _bound=_bound,
                     _bound_zero=_bound_zero, _copysign=math.copysign,
                     _new=object.__new__, _mode_get=mode.get, _record_in_mode=_record_in_mode,
                     _operand=_operand, _real=_real)
    function = _exec_source(source, f"<autograd_tiny op {op.name} {fname}>", namespace)["generated"]
    function.__name__ = function.__qualname__ = fname
    function.__doc__ = f"{op.describe()}  (generated from ops.TABLE[{op.name!r}])"
    return function


def _exec_source(source: str, filename: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Runs generated source, registered with ``linecache`` under ``filename`` so that
    tracebacks, ``inspect.getsource`` and pdb show the code that runs."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace


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
    if not math.isfinite(out):
        raise AnomalyError(_anomaly_message(op, parents, f"turned {{}} into {out}"))
    for i, d in enumerate(local):
        if not math.isfinite(d):
            raise AnomalyError(_anomaly_message(
                op, parents, f"has local derivative {_wrt(parents, i)} = {d} at {{}}"))


def _anomaly_message(op: Op, parents: tuple[Value, ...], what: str) -> str:
    """The op as a student writes it (``x / y``, ``log``), ``what`` happened (its
    ``{}`` becomes "finite inputs" or "a finite input"), and the labelled inputs' values.

    The op table's argument names (a, b) and op names (truediv) are the engine's, not
    the student's: the student knows the inputs by their labels and the op by its symbol.

    >>> x, y = Value(2.0, label="x"), Value(0.0, label="y")
    >>> _anomaly_message(TABLE["truediv"], (x, y), "turned {} into inf")
    'x / y turned finite inputs into inf: x = 2.0, y = 0.0'
    >>> _anomaly_message(TABLE["log"], (y,), "turned {} into -inf")
    'log turned a finite input into -inf: log(y) with y = 0.0'
    >>> _anomaly_message(TABLE["pow"].bind(k=-1), (Value(0.0),), "turned {} into inf")
    '0.0 ** -1 turned a finite input into inf'
    """
    names = [p.label or repr(p.data) for p in parents]
    seen: dict[str, None] = {}  # x * x binds x once; dict keeps the order of first use
    for p in parents:
        if p.label:
            seen.setdefault(f"{p.label} = {p.data!r}")
    params = {k: v for k, v in op.params.items() if op.name != "pow"}  # k is in the text
    bindings = ", ".join([*seen, *(f"{k} = {v!r}" for k, v in params.items())])
    what = what.format("a finite input" if len(parents) == 1 else "finite inputs")
    if op.name == "pow":
        written = f"{names[0]} ** {str(op)[2:]}"  # '**-1' is x ** -1
    elif len(parents) == 2 and not op.nary and op in ("+", "-", "*", "/", "**"):
        written = f"{names[0]} {op} {names[1]}"
    else:
        call = f"{op}({', '.join(names)})"
        return f"{op} {what}: {call}" + (f" with {bindings}" if bindings else "")
    return f"{written} {what}" + (f": {bindings}" if bindings else "")


def _wrt(parents: tuple[Value, ...], i: int) -> str:
    """'d/dx' for the input labelled x; by position when no label names it alone
    (unlabelled, or x * x), as the graph's edges say 'as input 1'."""
    label = parents[i].label
    if label and [p.label for p in parents].count(label) == 1:
        return f"d/d{label}"
    return "d/d(its input)" if len(parents) == 1 else f"d/d(input {i + 1})"


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
# Named where they live, so that tracebacks say Value.relu and pickle finds them (a
# model keeps its activation, Value.relu, and pickles by that name).
for _function in (_pow, _vpow):
    _function.__module__ = __name__
for _method, _function in list(vars(Value).items()):
    if getattr(getattr(_function, "__code__", None), "co_filename", "").startswith("<autograd_tiny op"):
        _function.__qualname__ = f"Value.{_method}"
        _function.__module__ = __name__


# -- ops with any number of inputs (weighted_sum) ---------------------------------------

_NARY_TEMPLATE = '''\
def generated({groups}, {fixed}):
    out = {head}
    for {each} in zip({groups}):
        out = out + {term}
    return out, ({local},)
'''

# The same sum for a term that is a product of two repeated inputs (``w{i} * x{i}``):
# ``sum`` of ``map(mul, ...)`` runs the same float additions in the same order, in C.
_NARY_PRODUCTS_TEMPLATE = '''\
def generated({groups}, {fixed}):
    return _sum(_map(_mul, {factors}), {head}), ({local},)
'''

# True where ``sum`` adds floats one after another, as ``+`` does (CPython up to 3.11).
# Newer versions compensate for rounding (1e100 + 1.0 - 1e100 gives 1.0 there), which
# would make a neuron's output differ from the formula in its last bit.
_SUM_ADDS_IN_ORDER = sum([1e100, 1.0, -1e100]) == 0.0


def _nary_function(op: Op) -> Callable[..., tuple[float, tuple[float, ...]]]:
    """Float code for an n-ary row ``HEAD + sum_i(TERM)``: a function of one list per
    repeated input (``w``, ``x``) and the fixed inputs (``b``), returning the output
    and every local derivative. The loop adds left to right, as the formula
    ``Op.forward_text`` spells out does, so compiled replays agree bit for bit."""
    groups = [x.replace("{i}", "") for x in op.inputs if "{i}" in x]
    fixed = [x for x in op.inputs if "{i}" not in x]
    head, term = re.fullmatch(r"(.+) \+ sum_i\((.+)\)", op.forward).groups()  # type: ignore[union-attr]
    each = ", ".join(f"{g}_i" for g in groups)
    local = []
    for x, rule in zip(op.inputs, op.local):
        if "{i}" not in x:
            local.append(rule)
        elif rule.replace("{i}", "") in groups and rule.endswith("{i}"):
            local.append("*" + rule.replace("{i}", ""))  # the list itself: x1..xn
        else:
            local.append(f"*[{rule.replace('{i}', '_i')} for {each} in zip({', '.join(groups)})]")
    product = re.fullmatch(r"(\w+)\{i\} \* (\w+)\{i\}", term)
    if _SUM_ADDS_IN_ORDER and product and sorted(product.groups()) == sorted(groups):
        source = _NARY_PRODUCTS_TEMPLATE.format(
            groups=", ".join(groups), fixed=", ".join(fixed), head=head,
            factors=", ".join(product.groups()), local=", ".join(local))
    else:
        source = _NARY_TEMPLATE.format(groups=", ".join(groups), fixed=", ".join(fixed),
                                       head=head, each=each, term=term.replace("{i}", "_i"),
                                       local=", ".join(local))
    namespace = dict(FLOAT_NAMESPACE, _sum=sum, _map=map, _mul=operator.mul)
    scope = _exec_source(source, f"<autograd_tiny op {op.name}>", namespace)
    return scope["generated"]


_WEIGHTED_SUM = TABLE["weighted_sum"]

_weighted_sum_floats = _nary_function(_WEIGHTED_SUM)


def _node_list(items: Any, function: str, what: str) -> list[Value]:
    if isinstance(items, (Value, str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(f"{function}: {what} must be a list of Values or numbers, "
                        f"got {type(items).__name__}")
    nodes = list(items)
    for i, x in enumerate(nodes):
        if x.__class__ is not Value:
            nodes[i] = _operand(x, function)
    return nodes


def weighted_sum(weights: Iterable[Operand], inputs: Iterable[Operand], bias: Operand) -> Value:
    """``w1*x1 + ... + wn*xn + b`` as ONE node (a neuron's net input, as Mazur's example
    writes it), with local derivatives d/dwi = xi, d/dxi = wi, d/db = 1. Its inputs
    are ``(w1..wn, x1..xn, b)``, in that order; numbers become constant leaves.

    >>> w, x, b = [Value(0.5), Value(-1.0)], [Value(2.0), Value(3.0)], Value(0.25)
    >>> net = weighted_sum(w, x, b)
    >>> net.backward()
    >>> net.data, net._op, len(net._prev), [v.grad for v in w + x], b.grad
    (-1.75, 'wsum', 5, [2.0, 3.0, 0.5, -1.0], 1.0)
    """
    ws = _node_list(weights, "weighted_sum", "weights")
    xs = _node_list(inputs, "weighted_sum", "inputs")
    b = bias if bias.__class__ is Value else _operand(bias, "weighted_sum")
    highest = max([v._h for v in xs] + [w._h for w in ws], default=0)
    return _weighted_sum_of_nodes(ws, xs, b, [x.data for x in xs],
                                  b._h if b._h > highest else highest)


def _weighted_sum_of_nodes(ws: list[Value], xs: list[Value], b: Value, x_data: list[float],
                           highest: int) -> Value:
    """``weighted_sum`` for a caller whose lists hold Values only (a neuron: its own
    weights and its inputs, checked once at the model's door), so nothing is checked
    again per call. ``x_data`` is the inputs' data (a layer reads it once for all its
    neurons) and ``highest`` the highest height among weights, inputs and bias (the
    new node is one higher): a neuron knows its weights' heights from its last call.
    Building a network's nodes is most of its forward pass."""
    if len(ws) != len(xs) or not ws:
        raise ValueError(f"weighted_sum: needs as many weights as inputs, at least one; "
                         f"got {len(ws)} weights and {len(xs)} inputs")
    # Comprehensions, not map(attrgetter(...)): CPython specialises their attribute
    # reads, several times faster for a neuron's twenty or so inputs.
    out, local = _weighted_sum_floats([w.data for w in ws], x_data, b.data)
    parents = (*ws, *xs, b)
    if mode.get():
        return _record_in_mode(_WEIGHTED_SUM, out, parents, local)
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node._a = None
    node._b = parents
    node._da = local
    node._db = None
    node._op = _WEIGHTED_SUM
    node._h = 1 + highest
    return node


def _rule(op: Op, namespace: dict[str, Any], arity: int) -> Callable[..., tuple]:
    """``op``'s local derivatives as a function of (inputs..., out=, **params)."""
    args = ", ".join([*op.input_names(arity), "out", *op.params])
    source = f"def rule({args}):\n    return ({', '.join(op.local_rules(arity))},)\n"
    kind = "values" if namespace is VALUE_NAMESPACE else "floats"
    return _exec_source(source, f"<autograd_tiny rule {op.name} {arity} {kind}>",
                        dict(namespace))["rule"]


# The same rules evaluated on floats, and on Values for create_graph=True. On Values
# every formula builds graph nodes, so the gradients it returns are differentiable.
def _value_function(method: str) -> Callable[[Any], Value]:
    return lambda x: getattr(_operand(x, method), method)()


VALUE_NAMESPACE: dict[str, Any] = {
    name: _value_function(name)
    for name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu")
}
VALUE_NAMESPACE.update(abs=abs, step=floatmath.step, sign=floatmath.sign, iszero=floatmath.iszero,
                       div=lambda a, b: a / b, pow=lambda a, b: a ** b)
FLOAT_RULES = {op.name: _rule(op, FLOAT_NAMESPACE, len(op.inputs)) for op in OPS if not op.nary}
VALUE_RULES = {op.name: _rule(op, VALUE_NAMESPACE, len(op.inputs)) for op in OPS if not op.nary}


@lru_cache(maxsize=256)
def _nary_rule(name: str, arity: int, on_values: bool) -> Callable[..., tuple]:
    return _rule(TABLE[name], VALUE_NAMESPACE if on_values else FLOAT_NAMESPACE, arity)


def local_rule(op: Op, arity: int, on_values: bool = False) -> Callable[..., tuple]:
    """``op``'s local derivatives for a node with ``arity`` inputs, as a function of
    (inputs..., out=, **params), evaluated on floats or (``on_values``) on Values.

    >>> local_rule(TABLE["mul"], 2)(3.0, 4.0, out=12.0)
    (4.0, 3.0)
    >>> local_rule(TABLE["weighted_sum"], 5)(0.5, 2.0, 1.0, 3.0, 0.1, out=6.6)
    (1.0, 3.0, 0.5, 2.0, 1.0)
    """
    if not op.nary:
        return (VALUE_RULES if on_values else FLOAT_RULES)[op.name]
    return _nary_rule(op.name, arity, on_values)


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
