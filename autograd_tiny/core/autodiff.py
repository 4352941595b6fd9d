"""Gradients as return values: ``grad()`` (with grad of grad) and ``gradcheck()``.

``Value.backward()`` accumulates into ``.grad``; ``grad()`` returns the gradients and
leaves every ``.grad`` alone, like ``torch.autograd.grad``. With ``create_graph=True``
it evaluates the table's derivative rules on ``Value``s instead of floats, so the
gradients it returns are graphs themselves and can be differentiated again.

>>> from autograd_tiny import Value, grad
>>> x = Value(3.0)
>>> y = x ** 3
>>> (dy,) = grad(y, [x], create_graph=True)
>>> (d2y,) = grad(dy, [x])
>>> dy.data, d2y
(27.0, 18.0)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence, Union

from .engine import (Value, _backpropagate, _gradient_seed, _operand, _real, local_rule,
                     reverse_topological_order)
from .ops import Op
from .modes import enable_grad, no_grad

Gradient = Union[float, Value]


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False,
         gradient: float = 1.0) -> tuple[Gradient, ...]:
    """d(output)/d(input) for each of ``inputs``, in order, without touching ``.grad``.

    With ``create_graph=False`` the gradients are floats, from the local derivatives
    recorded when the ops ran. With ``create_graph=True`` they are ``Value``s whose
    own graphs lead back to the inputs, so ``grad`` of a gradient gives a second
    derivative. An input that ``output`` does not depend on gets 0.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> grad(a * b + a, [a, b])
    (-2.0, 2.0)
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    wanted = (inputs,) if isinstance(inputs, Value) else tuple(inputs)
    for x in wanted:
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values, got {type(x).__name__}")
    seed = _gradient_seed(gradient, "grad")
    if not create_graph:
        grads = _backpropagate(output, seed)
        return tuple(grads.get(x, 0.0) for x in wanted)
    with enable_grad():
        grads = _propagate(output, Value(seed), _local_values)
        return tuple(grads.get(x) or Value(0.0) for x in wanted)


def _local_values(node: Value) -> tuple[Any, ...]:
    """The node's local derivatives recomputed as ``Value``s (floats where constant)."""
    op = node._op
    if not isinstance(op, Op) or node._backward != node._chain_rule_step:
        raise ValueError(f"grad(create_graph=True): the node {node!r} was built by hand with "
                         f"its own _backward; its derivative is not a formula of the op table, "
                         f"so it cannot be differentiated again (use create_graph=False)")
    prev = node._prev
    return local_rule(op, len(prev), on_values=True)(*prev, out=node, **op.params)


def _propagate(output: Value, seed: Any, local_of: Callable[[Value], tuple]) -> dict:
    """The chain rule into a dictionary: ``grads[node] = d(output)/d(node) * seed``."""
    grads: dict[Value, Any] = {output: seed}
    for node in reverse_topological_order(output):
        upstream = grads.get(node)
        if upstream is None or not node._prev:
            continue
        for parent, local in zip(node._prev, local_of(node)):
            # A local derivative of exactly 1.0 (a sum) passes the gradient through
            # unchanged: no multiplication node in a create_graph gradient.
            contribution = upstream if local.__class__ is float and local == 1.0 else local * upstream
            before = grads.get(parent)
            grads[parent] = contribution if before is None else before + contribution
    return grads


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message is a table of both."""


def gradcheck(fn: Callable[..., Value], inputs: Sequence[float | Value], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Compares ``grad()`` with central finite differences (f(x+eps) - f(x-eps)) / 2eps
    for each input. Returns True, or raises ``GradcheckError`` with a table of every
    input's analytic and numeric gradient.

    >>> from autograd_tiny import gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -0.7])
    True
    """
    points = [x.data if isinstance(x, Value) else _real(x, "gradcheck") for x in inputs]
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(points)]
    output = _operand(fn(*nodes), "gradcheck")
    analytic = [float(g) for g in grad(output, nodes)]  # floats: no create_graph here
    numeric = []
    with no_grad():
        for i in range(len(points)):
            up = list(points)
            down = list(points)
            up[i] += eps
            down[i] -= eps
            f_up = _operand(fn(*map(Value, up)), "gradcheck").data
            f_down = _operand(fn(*map(Value, down)), "gradcheck").data
            numeric.append((f_up - f_down) / (2 * eps))
    rows = []
    failed = False
    for i, (x, a, n) in enumerate(zip(points, analytic, numeric)):
        ok = _close(a, n, atol, rtol)
        failed |= not ok
        rows.append(f"x{i:<4} {x:>14.6g} {a:>18.10g} {n:>18.10g} {abs(a - n):>12.3g}  "
                    f"{'ok' if ok else 'MISMATCH'}")
    if failed:
        header = f"{'input':<5} {'at':>14} {'analytic':>18} {'numeric':>18} {'|diff|':>12}"
        raise GradcheckError("gradcheck failed (atol={}, rtol={}):\n{}\n{}".format(
            atol, rtol, header, "\n".join(rows)))
    return True


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)
