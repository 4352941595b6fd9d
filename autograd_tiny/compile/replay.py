"""``compile(fn, params)``: trace a loss once, then replay it as straight-line float code.

The first call of ``compile`` calls ``fn()`` once, which builds the loss as a graph of
``Value`` nodes (the *trace*). From that graph it writes one Python function of plain
float arithmetic: the forward pass, node by node, from the op table's ``forward``
formulas, then the backward pass, edge by edge, from its ``local`` formulas (the same
text the engine runs, evaluated with the same IEEE-safe float functions). Every call
of the compiled step runs that function: it reads each parameter's ``.data``, returns
the loss as a float and *sets* each parameter's ``.grad`` (as after ``zero_grad()``
and ``backward()``), without creating a single ``Value``. The result equals eager
mode's bit for bit, the sign of a zero included: the same formulas are evaluated in
the same order (a nan is a nan; which of two nans an addition returns is not fixed
even in eager mode, see ``tests/test_compile_exact.py``).

>>> from autograd_tiny import Value
>>> from autograd_tiny.compile import compile
>>> w, b = Value(0.5), Value(0.0)
>>> xs, ys = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]
>>> def loss():
...     return sum(((w * x + b - y) ** 2 for x, y in zip(xs, ys)), Value(0.0)) / len(xs)
>>> step = compile(loss, [w, b])
>>> step(), w.grad, b.grad           # the loss as a float; .grad set, as by backward()
(10.5, -14.0, -6.0)
>>> for _ in range(300):
...     value = step()
...     w.data -= 0.1 * w.grad
...     b.data -= 0.1 * b.grad
>>> round(w.data, 3), round(b.data, 3), value < 1e-6
(2.0, 0.0, True)
>>> print(step.source.splitlines()[0])        # the generated code can be read
def replay(P):

What is recorded, and what is not (the limits of tracing, as in JAX)
--------------------------------------------------------------------

- **Parameters** (``params``) are read from ``p.data`` on every call. Every other leaf
  is a **constant of the trace**: numbers in the expression, and also input data
  ``Value``s created inside ``fn`` (``Value(x)`` for a data point) or outside it. A
  new batch of data therefore needs a new ``compile`` (or ``retrace()``).
- **Ops are recorded, Python control flow is not.** ``relu``, ``abs``,
  ``leaky_relu`` are ops: a replay whose values fall on the other side of zero is
  still exact. But a Python ``if`` on ``.data`` (or a comparison such as
  ``x > 0``), a ``Value(p.data * 2)``, or a loop whose length depends on values runs
  once, during the trace, and its outcome is baked in. If that outcome would change
  as the parameters change, the trace goes **stale** and the replay silently
  computes the old graph.
- ``fn`` must have no side effects the loss depends on: it is not called on a
  normal replay.

When to check: if ``fn`` has no Python branch on values (an ``MLP`` with a loss from
``losses`` or micrograd's demo), nothing can go stale. Otherwise pass
``check_every=N``: every N-th call re-runs ``fn()`` eagerly and compares the new
graph with the trace (ops, wiring and every constant), raising
``StaleTraceError`` if they differ (or re-compiling, with ``on_stale="retrace"``).
A check costs one eager forward pass. ``debug=True`` checks on every call and also
compares the loss and every gradient with eager mode's: for development only.

>>> x = Value(1.0)
>>> def branchy():
...     return x * 2 if x.data > 0 else x * -3    # a Python if on .data: not recorded
>>> step = compile(branchy, [x], check_every=1)
>>> step(), x.grad
(2.0, 2.0)
>>> x.data = -1.0
>>> step()
Traceback (most recent call last):
...
autograd_tiny.compile.replay.StaleTraceError: compile: the graph fn() builds has changed since it was traced (node 1 was the constant 2.0, now the constant -3.0); a Python if on .data or a value read from .data took another path. Call step.retrace(), pass on_stale='retrace', or use eager mode.

What it costs, and what it buys: micrograd's demo step (``MLP(2, [16, 16, 1])`` on
100 points, a graph of 8,318 nodes with 69,354 edges) compiles in about 2 s on a
slow 2-core machine, then replays in about 4 ms, some 30 times faster than building
and back-propagating the graph eagerly, and as fast as the same step written by hand
in plain floats (``demos/bench.py`` measures all three). Compiling pays off after a
dozen or so steps.

Memory: the graph ``fn()`` returns is read once into a ``Trace`` (a few compact
columns, :mod:`autograd_tiny.compile.trace`) and freed before any code is built, so
the two are never alive together. Compiling the demo step with the numpy backend
peaks at about 430 bytes per traced node, 290 of them the graph itself, and stays
linear in the graph (``tests/test_compile_memory.py``); the python backend's peak is
CPython's compiler's, some 30 KB per node.

How the code is written: a node used once, by one formula, and by no derivative is
written inline in its user's expression (``b + w0 * x0 + w1 * x1``); every gradient is
a new variable (a sum passes its gradient on under the same name, at no cost);
constant sub-graphs are folded to numbers (``repr`` writes floats exactly). The code
is one function while it has at most ``CHUNK_STATEMENTS`` statements (locals are
Python's fastest variables); beyond that it is split into several functions that
hand values on through a list, because CPython's compile time grows faster than
linearly with the length of one function.

Nodes built by hand (``Value(data, (a, b), '*')``) are replayed with their op's
formula, not with the ``data`` they were given.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
import time
import warnings
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any, Callable

from ..core.engine import FLOAT_NAMESPACE, Value
from .trace import Signature, Trace

__all__ = ["CompiledStep", "StaleTraceError", "compile"]

BACKENDS = ("python", "numpy")
"""How a compiled step replays: generated float code, or NumPy arrays."""

CHUNK_STATEMENTS = 100_000
"""Statements per generated function before the code is split into several."""

_FUSE_LIMIT = 24  # ops in one fused expression: keeps nesting far from compiler limits


class StaleTraceError(RuntimeError):
    """The graph ``fn()`` builds is no longer the one that was compiled (a Python
    ``if`` on ``.data`` took another path), or debug mode found the compiled loss or
    a gradient differing from eager mode's."""


def compile(fn: Callable[[], Value], params: Iterable[Value], *, check_every: int | None = None,
            on_stale: str = "raise", debug: bool = False,
            backend: str = "python") -> "CompiledStep":  # noqa: A001
    """Traces ``fn()`` once and returns a ``CompiledStep``: calling it returns the loss
    as a float and sets each parameter's ``.grad``, replaying the trace as float code.

    ``check_every=N`` re-traces every N-th call and raises ``StaleTraceError`` if the
    graph changed (``on_stale="retrace"`` re-compiles instead); ``debug=True`` checks
    every call against eager mode. See the module docstring for what tracing records.
    ``backend="python"`` (the default) writes float code, equal to eager mode bit for
    bit; ``backend="numpy"`` replays the graph as arrays, one NumPy operation per
    (level, op) group (``autograd_tiny.compile.vectorised``): much faster on big
    graphs, equal to eager mode to about 1e-15 relative.

    >>> from autograd_tiny import Value
    >>> a, b = Value(3.0), Value(-2.0)
    >>> step = compile(lambda: (a * b).tanh() + a.relu(), [a, b])
    >>> loss = step()
    >>> grads = a.grad, b.grad
    >>> eager = (a * b).tanh() + a.relu()
    >>> a.grad = b.grad = 0.0
    >>> eager.backward()
    >>> loss == eager.data, grads == (a.grad, b.grad)
    (True, True)
    """
    return CompiledStep(fn, params, check_every=check_every, on_stale=on_stale, debug=debug,
                        backend=backend)


class CompiledStep:
    """A traced loss compiled to float code: each call returns the loss and sets every
    parameter's ``.grad``, forward and backward in one go.

    Attributes: ``source`` (the generated Python), ``nodes`` (graph size at the trace),
    ``statements``, ``chunks`` (generated functions), ``unreached`` (indices of params
    the loss does not depend on: their grad is always 0.0), ``timings`` (seconds spent
    tracing, generating and compiling), ``calls``.

    >>> from autograd_tiny import Value
    >>> p = Value(2.0)
    >>> step = CompiledStep(lambda: p * p + 1, [p])
    >>> step(), p.grad, step.nodes
    (5.0, 4.0, 4)
    """

    def __init__(self, fn: Callable[[], Value], params: Iterable[Value], *,
                 check_every: int | None = None, on_stale: str = "raise",
                 debug: bool = False, backend: str = "python") -> None:
        if not callable(fn):
            raise TypeError(f"compile: fn must be a function of no arguments, got {type(fn).__name__}")
        self._params = _checked_params(params)
        if check_every is not None:
            if not isinstance(check_every, int) or isinstance(check_every, bool):
                raise TypeError(f"compile: check_every must be an int or None, "
                                f"got {type(check_every).__name__}")
            if check_every < 1:
                raise ValueError(f"compile: check_every must be at least 1, got {check_every}")
        if on_stale not in ("raise", "retrace"):
            raise ValueError(f"compile: on_stale must be 'raise' or 'retrace', got {on_stale!r}")
        if backend not in BACKENDS:
            raise ValueError(f"compile: backend must be one of {', '.join(map(repr, BACKENDS))}, "
                             f"got {backend!r}")
        self.backend = backend
        self._fn = fn
        self._check_every = 1 if debug else check_every
        self._on_stale = on_stale
        self._debug = bool(debug)
        self.calls = 0
        self.retrace()

    # -- building --------------------------------------------------------------------

    def retrace(self) -> None:
        """Calls ``fn()`` again and compiles the graph it builds now (after a change
        of data or of the branch a Python ``if`` takes)."""
        started = time.perf_counter()
        # The graph fn() returns lives only while it is read into the trace: nothing
        # here keeps a name for it, so it is freed before the replay is built.
        self._build(self._trace(self._call_fn()), started)

    def _call_fn(self) -> Value:
        root = self._fn()
        if not isinstance(root, Value):
            raise TypeError(f"compile: fn() must return a Value (the loss), got {type(root).__name__}")
        return root

    def _trace(self, root: Value) -> Trace:
        # the python backend writes the recorded local derivative of an edge whose
        # rule reads only constants; the numpy backend evaluates every rule
        return Trace(root, self._params, locals_too=self.backend == "python")

    def _build(self, trace: Trace, started: float) -> None:
        traced = time.perf_counter()
        self._signature: Signature | None = (trace.signature() if self._check_every is not None
                                             else None)
        build = self._build_vectorised if self.backend == "numpy" else self._build_python
        self.timings = {"trace": traced - started, **build(trace)}
        self.nodes = trace.n
        self.unreached = tuple(j for j in range(len(self._params)) if j not in trace.reached)
        if self._params and not trace.reached:
            warnings.warn("compile: the loss depends on none of the params; every grad will "
                          "be 0.0 (was fn() run inside no_grad()?)", RuntimeWarning, stacklevel=5)

    def _build_python(self, trace: Trace) -> dict[str, float]:
        started = time.perf_counter()
        code = _Generator(trace, len(self._params)).generate()
        generated = time.perf_counter()
        scope = _namespace()
        exec(builtins.compile(code.source, "<autograd_tiny compiled step>", "exec"), scope)
        self._replay: Callable[[list[Value]], float] = scope["replay"]
        self.source = code.source
        self.statements = code.statements
        self.chunks = code.chunks
        return {"generate": generated - started, "compile": time.perf_counter() - generated}

    def _build_vectorised(self, trace: Trace) -> dict[str, float]:
        started = time.perf_counter()
        try:
            from .vectorised import VectorisedReplay
        except ImportError:  # numpy is missing
            raise ImportError("compile(backend='numpy') needs NumPy: pip install numpy "
                              "(or use backend='python')") from None
        replay = VectorisedReplay(trace, len(self._params))
        self._replay = replay
        self.source = replay.describe()
        self.statements = len(replay.groups)
        self.chunks = 1
        return {"generate": time.perf_counter() - started, "compile": 0.0}

    # -- running -----------------------------------------------------------------------

    def __call__(self) -> float:
        """Runs the compiled forward and backward pass: returns the loss and sets
        every parameter's ``.grad``."""
        self.calls += 1
        eager = None
        if self._check_every is not None and self.calls % self._check_every == 0:
            eager = self._check()
        loss = self._replay(self._params)
        if self._debug and eager is not None:
            self._compare(eager, loss)
        return loss

    def _check(self) -> Value | None:
        """Re-traces and compares the new graph with the compiled one; returns the new
        graph's root in debug mode (to compare with), else None."""
        started = time.perf_counter()
        root = self._call_fn()
        trace = self._trace(root)
        # debug mode compares with the graph; otherwise it is freed here, before a
        # re-compile builds a new replay
        eager = root if self._debug else None
        del root
        assert self._signature is not None  # check_every is set
        difference = self._signature.first_difference(trace.signature())
        if difference is not None:
            if self._on_stale == "raise":
                raise StaleTraceError(
                    f"compile: the graph fn() builds has changed since it was traced "
                    f"({difference}); a Python if on .data or a value read from .data took "
                    f"another path. Call step.retrace(), pass on_stale='retrace', or use "
                    f"eager mode.")
            self._build(trace, started)
        return eager

    def _compare(self, root: Value, loss: float) -> None:
        from ..core.autodiff import grad  # here: autodiff is only needed in debug mode

        expected = grad(root, self._params) if self._params else ()
        checks = [("the loss", root.data, loss)]
        checks += [(f"the grad of params[{j}]", float(e), p.grad)
                   for j, (e, p) in enumerate(zip(expected, self._params))]
        for what, want, got in checks:
            if not _close(want, got):
                raise StaleTraceError(f"compile (debug): {what} is {got!r} compiled but "
                                      f"{want!r} in eager mode")

    def __repr__(self) -> str:
        backend = "" if self.backend == "python" else f", backend={self.backend!r}"
        return (f"CompiledStep(nodes={self.nodes}, params={len(self._params)}{backend}, "
                f"statements={self.statements}, chunks={self.chunks})")


# -- checking the arguments ----------------------------------------------------------------


def _checked_params(params: Iterable[Value]) -> list[Value]:
    if isinstance(params, Value) or not isinstance(params, Iterable):
        raise TypeError(f"compile: params must be a list of Values, got {type(params).__name__}")
    checked = list(params)
    seen: dict[int, int] = {}
    for j, p in enumerate(checked):
        if not isinstance(p, Value):
            raise TypeError(f"compile: params must be Values, params[{j}] is {type(p).__name__}")
        if id(p) in seen:
            raise ValueError(f"compile: params[{j}] is the same Value as params[{seen[id(p)]}]; "
                             f"list each parameter once")
        if not p.is_leaf:
            raise ValueError(f"compile: params[{j}] was computed by an op ({str(p._op)!r}); "
                             f"parameters must be leaves")
        seen[id(p)] = j
    return checked


def _close(want: float, got: float) -> bool:
    if want == got or (want != want and got != got):
        return True
    return abs(want - got) <= 1e-9 * max(1.0, abs(want), abs(got))


# -- writing the code ------------------------------------------------------------------------


class _Formula:
    """One formula of the op table, parsed once and cut into ``parts``: literal text,
    and the positions of the names it reads (the op's inputs, then ``out`` last).
    Parameters (``k``, ``slope``) are already written in as numbers.

    >>> f = _Formula("b * pow(a, b - 1.0)", ("a", "b", "out"), {})
    >>> f.fill(["v1", "2.0", "v9"]), f.reads
    ('2.0 * pow(v1, 2.0 - 1.0)', (1, 2, 0))
    """

    __slots__ = ("text", "parts", "reads", "bare")

    def __init__(self, text: str, names: tuple[str, ...], literals: dict[str, str]) -> None:
        tree = ast.parse(text, mode="eval")
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and (node.id in names or node.id in literals):
                node.id = f"__slot_{node.id}__"
        self.text = ast.unparse(tree)
        parts: list[str | int] = []
        for n, piece in enumerate(_SLOT.split(self.text)):
            if n % 2 == 0 or piece in literals:
                text_piece = piece if n % 2 == 0 else literals[piece]
                if parts and isinstance(parts[-1], str):
                    parts[-1] += text_piece
                else:
                    parts.append(text_piece)
            else:
                parts.append(names.index(piece))
        self.parts = tuple(part for part in parts if part != "")
        self.reads = tuple(self.parts.count(position) for position in range(len(names)))
        # The position of the one name the formula is, if it is nothing else ('b').
        self.bare = self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], int) else None

    def fill(self, args: list[str]) -> str:
        return "".join([args[part] if isinstance(part, int) else part for part in self.parts])


_SLOT = re.compile(r"__slot_(\w+?)__")


class _OpCode:
    """An op's forward and local formulas, ready to be filled in with operand text."""

    __slots__ = ("forward", "local", "twice")

    def __init__(self, op: Any, arity: int) -> None:
        inputs = op.input_names(arity)
        names = tuple(inputs) + ("out",)
        literals = {name: _literal(value) for name, value in op.params.items()}
        self.forward = _Formula(op.forward_text(arity), names, literals)
        self.local = tuple(_Formula(rule, names, literals) for rule in op.local_rules(arity))
        # Inputs the forward formula reads twice are kept in a variable: written
        # inline they would be computed twice.
        self.twice = tuple(self.forward.reads[position] > 1 for position in range(len(inputs)))


_OPCODES: dict[tuple[Any, ...], _OpCode] = {}


def _opcode(op: Any, arity: int) -> _OpCode:
    # repr: a slope of -0.0 is not one of 0.0 (the sign of a zero product differs)
    key = (op.name, arity, tuple((name, repr(value)) for name, value in op.params.items()))
    if key not in _OPCODES:
        _OPCODES[key] = _OpCode(op, arity)
    return _OPCODES[key]


def _literal(x: float) -> str:
    """Source text for the float ``x``, exact (``repr`` round-trips), safe as an operand.

    >>> _literal(0.1), _literal(-2.0), _literal(float("-inf"))
    ('0.1', '(-2.0)', '(-_INF)')
    """
    if x != x:
        return "_NAN"
    if math.isinf(x):
        return "_INF" if x > 0 else "(-_INF)"
    text = repr(float(x))
    return f"({text})" if text.startswith("-") else text


def _namespace() -> dict[str, Any]:
    """The globals of generated code: the table's float functions, and inf and nan.

    >>> namespace = _namespace()
    >>> namespace["div"](1.0, 0.0) == namespace["_INF"]
    True
    """
    return dict(FLOAT_NAMESPACE, _INF=math.inf, _NAN=math.nan)


@dataclass
class _Code:
    source: str
    statements: int
    chunks: int


def _is_variable(name: str) -> bool:
    return name[0] in "vg"


class _Generator:
    """Writes the replay function for one traced graph.

    Forward: one statement per node, except that a node read once, by the forward
    formula of one other node, and by no derivative formula, is written inline in
    that node's expression (``b + w0 * x0 + w1 * x1`` rather than four statements):
    fewer stores and loads, the same float operations in the same order.

    Backward: every gradient variable is assigned once (no ``+=``), so a gradient that
    merely passes through a sum (local derivative 1.0) can be a second name for the
    same variable, with no code at all.
    """

    def __init__(self, trace: Trace, n_params: int) -> None:
        self.trace = trace
        self.n_params = n_params
        # Python lists for the columns read in the loops below: a list returns the
        # object it holds, an array makes a new one on every read (this backend's
        # memory is CPython's compiler's anyway, some 30 KB a node).
        self.variable = list(map(bool, trace.variable))
        self.param = trace.param.tolist()
        self.parents = [trace.inputs_of(i).tolist() for i in range(trace.n)]
        opcodes: dict[tuple[int, int], _OpCode] = {}
        self.code: list[_OpCode | None] = []
        for k, mine in zip(trace.op, self.parents):
            if k < 0:
                self.code.append(None)
                continue
            key = (k, len(mine))
            if key not in opcodes:
                opcodes[key] = _opcode(trace.ops[k], len(mine))
            self.code.append(opcodes[key])
        # statements: (target name or '', text, names read)
        self.statements: list[tuple[str, str, tuple[str, ...]]] = []
        self.counter = 0

    def _new(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def generate(self) -> _Code:
        trace, code, parents = self.trace, self.code, self.parents
        n, variable = trace.n, self.variable
        emit = self.statements.append
        inline = self._inlinable()
        # text[i]: how node i's value is written where it is used; reads[i]: the
        # variables that text reads; size[i]: ops in the text, to bound inlining.
        text: list[str] = [""] * n
        reads: list[tuple[str, ...]] = [()] * n
        size = [0] * n
        for i in range(n):
            if not variable[i]:
                text[i] = _literal(trace.data[i])
                continue
            j = self.param[i]
            if j >= 0:
                if inline[i]:  # read once, by a sum say: read it there
                    text[i] = f"P[{j}].data"
                    continue
                name = self._new("v")
                emit((name, f"P[{j}].data", ()))
                text[i], reads[i] = name, (name,)
                continue
            mine = parents[i]
            expression = code[i].forward.fill([text[k] for k in mine])  # type: ignore[union-attr]
            used = tuple(name for k in mine for name in reads[k])
            ops = 1 + sum(size[k] for k in mine)
            if inline[i] and ops <= _FUSE_LIMIT:
                text[i], reads[i], size[i] = f"({expression})", used, ops
            else:
                name = self._new("v")
                emit((name, expression, used))
                text[i], reads[i] = name, (name,)
        root = n - 1
        grads = self._backward(text, reads)
        for j in range(self.n_params):
            g = grads.get(j)
            if g is None:
                emit(("", f"P[{j}].grad = 0.0", ()))
                continue
            # Eager mode adds every contribution to a .grad that starts at 0.0, so a
            # zero gradient is +0.0 there; the code below starts from the first
            # contribution, which may be -0.0. Contributions differ from eager's at
            # most in the sign of a zero (gradients are only multiplied and added), so
            # one + 0.0 at the end gives eager's bits: x + 0.0 is x, and 0.0 for -0.0.
            emit(("", f"P[{j}].grad = {g} + 0.0", (g,) if _is_variable(g) else ()))
        emit(("", f"return {text[root]}", reads[root]))
        return self._assemble()

    def _inlinable(self) -> list[bool]:
        """Which variable nodes may be written inline in their one consumer."""
        code, parents = self.code, self.parents
        variable = self.variable
        n = len(variable)
        uses = [0] * n
        pinned = [False] * n  # needed by name: in a derivative, or read twice
        for i in range(n):
            if not variable[i] or code[i] is None:
                continue
            mine = parents[i]
            opcode = code[i]
            for k, twice in zip(mine, opcode.twice):  # type: ignore[union-attr]
                uses[k] += 1
                if twice:
                    pinned[k] = True
            for rule, p in zip(opcode.local, mine):  # type: ignore[union-attr]
                if not variable[p]:
                    continue  # no gradient flows to a constant: its rule is never written
                *by_input, by_out = rule.reads
                if by_out:
                    pinned[i] = True
                for k, count in zip(mine, by_input):
                    if count:
                        pinned[k] = True
        root = n - 1
        return [variable[i] and uses[i] == 1 and not pinned[i] and i != root for i in range(n)]

    def _backward(self, text: list[str], reads: list[tuple[str, ...]]) -> dict[int, str]:
        """Emits the chain rule, in eager ``backward()``'s order; returns each reached
        parameter's gradient expression (a variable name or a literal)."""
        trace, code, parents = self.trace, self.code, self.parents
        variable, param = self.variable, self.param
        emit = self.statements.append
        root = len(variable) - 1
        grad: list[str | None] = [None] * len(variable)
        grad[root] = "1.0"
        for i in range(root, -1, -1):
            opcode = code[i]
            if not variable[i] or opcode is None:
                continue
            g: str = grad[i]  # type: ignore[assignment]
            g_reads: tuple[str, ...] = (g,) if _is_variable(g) else ()
            mine = parents[i]
            args: list[str] | None = None
            for slot, (rule, k) in enumerate(zip(opcode.local, mine)):
                if not variable[k]:
                    continue
                if rule.text == "1.0":
                    term, sign, term_reads = g, "+", g_reads
                elif rule.text == "-1.0":
                    term, sign, term_reads = g, "-", g_reads
                else:
                    if args is None:
                        args = [text[q] for q in mine]
                        args.append(text[i])
                    local = rule.fill(args)
                    *by_input, by_out = rule.reads
                    used = tuple(name for q, count in zip(mine, by_input) if count
                                 for name in reads[q])
                    if by_out:
                        used += reads[i]
                    if not used:
                        # The rule reads only constants of the trace, so its value is the
                        # local derivative the engine recorded for this edge when tracing.
                        local = _literal(trace.local[trace.first[i] + slot])  # type: ignore[index]
                    elif rule.bare is None:
                        local = f"({local})"
                    if g == "1.0":  # the root's own edges: 1.0 * local is local, exactly
                        term, sign, term_reads = local, "+", used
                    else:  # local * g, as eager writes it: a nan operand wins the same way
                        term, sign, term_reads = f"{local} * {g}", "+", used + g_reads
                before = grad[k]
                if before is None:
                    if sign == "+" and term == g:
                        grad[k] = g  # a sum passes the gradient on unchanged: same variable
                        continue
                    name = self._new("g")
                    # 0.0 - g, not -g: eager's 0.0 + -1.0 * g, bit for bit (-g would
                    # flip the sign of a zero and of a nan).
                    emit((name, term if sign == "+" else f"0.0 - {term}", term_reads))
                else:
                    name = self._new("g")
                    before_reads = (before,) if _is_variable(before) else ()
                    emit((name, f"{before} {sign} {term}", before_reads + term_reads))
                grad[k] = name
        return {param[i]: grad[i] for i in range(len(variable))  # type: ignore[misc]
                if param[i] >= 0 and grad[i] is not None}

    # -- one function, or several -------------------------------------------------------

    def _assemble(self) -> _Code:
        statements = self.statements
        if len(statements) <= CHUNK_STATEMENTS:
            lines = ["def replay(P):"]
            lines += [f"    {target} = {text}" if target else f"    {text}"
                      for target, text, _ in statements]
            return _Code("\n".join(lines) + "\n", len(statements), 1)
        return self._assemble_chunks()

    def _assemble_chunks(self) -> _Code:
        """Several functions; a variable used in a later function than the one that
        assigns it travels in the list ``S`` (one slot per such variable)."""
        statements = self.statements
        starts = list(range(0, len(statements), CHUNK_STATEMENTS))
        chunk_of_definition: dict[str, int] = {}
        slot: dict[str, int] = {}
        loads: list[list[str]] = [[] for _ in starts]
        stores: list[list[str]] = [[] for _ in starts]
        for c, start in enumerate(starts):
            loaded: set[str] = set()
            for target, _, reads in statements[start:start + CHUNK_STATEMENTS]:
                for name in reads:
                    d = chunk_of_definition[name]
                    if d != c and name not in loaded:
                        loaded.add(name)
                        loads[c].append(name)
                        if name not in slot:
                            slot[name] = len(slot)
                            stores[d].append(name)
                if target:
                    chunk_of_definition[target] = c
        lines: list[str] = []
        for c, start in enumerate(starts):
            lines.append(f"def chunk{c}(P, S):")
            lines += [f"    {name} = S[{slot[name]}]" for name in loads[c]]
            for target, text, _ in statements[start:start + CHUNK_STATEMENTS]:
                lines.append(f"    {target} = {text}" if target else f"    {text}")
            lines += [f"    S[{slot[name]}] = {name}" for name in stores[c]]
        lines.append("def replay(P):")
        lines.append(f"    S = [0.0] * {len(slot)}")
        lines += [f"    chunk{c}(P, S)" for c in range(len(starts) - 1)]
        lines.append(f"    return chunk{len(starts) - 1}(P, S)")
        return _Code("\n".join(lines) + "\n", len(statements), len(starts))
