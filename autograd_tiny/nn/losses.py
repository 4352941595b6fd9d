"""Loss functions built from engine ops, so their gradients come from the op table.

Each loss takes a model's outputs and the targets and returns one ``Value``: the mean
over the examples. A single example may be passed bare (a ``Value`` and a number).

=========================================  =============  ===========================
loss                                       scores         targets
=========================================  =============  ===========================
``mse_loss``                               any number     any number
``binary_cross_entropy_with_logits``       a logit        0 or 1 (or a probability)
``hinge_loss`` (micrograd's max-margin)    a score        -1 or +1
``cross_entropy``                          a list of k    a class index 0..k-1
                                           logits
=========================================  =============  ===========================

The log-sum-exp trick keeps the cross-entropies finite for logits of +-1000: the
largest logit is subtracted as a constant before ``exp`` (it cancels in the result
and in the gradient, so nothing is approximated).

>>> from autograd_tiny import Value
>>> z = Value(1000.0)
>>> loss = binary_cross_entropy_with_logits(z, 0)
>>> loss.backward()
>>> loss.data, z.grad
(1000.0, 1.0)
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Sequence, Union

from ..core.engine import Value

Scalar = Union[Value, float]


def mse_loss(predictions: Scalar | Sequence[Scalar], targets: float | Sequence[float]) -> Value:
    """Mean squared error: the mean of ``(prediction - target) ** 2``.

    >>> from autograd_tiny import Value
    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    pairs = _pairs(predictions, targets, "mse_loss")
    return _mean([(p - t) ** 2 for p, t in pairs])


def binary_cross_entropy_with_logits(logits: Scalar | Sequence[Scalar],
                                     targets: float | Sequence[float]) -> Value:
    """Binary cross-entropy of ``sigmoid(logit)`` against targets in [0, 1], computed
    from the logit directly: ``log(1 + exp(z)) - y * z``, with ``log(1 + exp(z))`` as
    a log-sum-exp of ``[0, z]``. Its gradient is ``sigmoid(z) - y``.

    >>> from autograd_tiny import Value
    >>> z = Value(0.0)
    >>> loss = binary_cross_entropy_with_logits(z, 1)
    >>> loss.backward()
    >>> round(loss.data, 6), z.grad
    (0.693147, -0.5)
    """
    pairs = _pairs(logits, targets, "binary_cross_entropy_with_logits")
    for _, y in pairs:
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy_with_logits: targets must be in [0, 1], "
                             f"got {y}")
    return _mean([logsumexp([0.0, z]) - y * z for z, y in pairs])


def hinge_loss(scores: Scalar | Sequence[Scalar], targets: int | Sequence[int]) -> Value:
    """micrograd's "max-margin" loss: the mean of ``relu(1 - y * score)`` for labels
    y = -1 or +1. A score on the right side by a margin of 1 costs nothing.

    >>> from autograd_tiny import Value
    >>> hinge_loss([Value(2.0), Value(0.5)], [1, -1]).data
    0.75
    """
    pairs = _pairs(scores, targets, "hinge_loss")
    for _, y in pairs:
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss: targets must be -1 or +1, got {y:g} "
                             f"(0/1 labels become -1/+1 with 2 * y - 1)")
    # Written as micrograd's demo writes it: (1 + -y * score).relu().
    return _mean([(1 + -y * s).relu() for s, y in pairs])


def cross_entropy(logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
                  targets: int | Sequence[int]) -> Value:
    """Softmax cross-entropy: ``-log softmax(logits)[target]``, computed as
    ``logsumexp(logits) - logits[target]``. One example is a list of k logits and a
    class index; a batch is a list of such lists and a list of indices (the mean).

    >>> from autograd_tiny import Value
    >>> logits = [Value(2.0), Value(1.0), Value(0.1)]
    >>> loss = cross_entropy(logits, 0)
    >>> loss.backward()
    >>> round(loss.data, 6), [round(z.grad, 6) for z in logits]
    (0.41703, [-0.340999, 0.242433, 0.098566])
    """
    if isinstance(targets, numbers.Integral):
        logits, targets = [logits], [targets]  # type: ignore[assignment,list-item]
    logits = _as_list(logits, "cross_entropy", "logits")
    targets = _as_list(targets, "cross_entropy", "targets")
    if len(logits) != len(targets):
        raise ValueError(f"cross_entropy: {len(logits)} examples but {len(targets)} targets")
    if not logits:
        raise ValueError("cross_entropy: no examples")
    losses = []
    for row, target in zip(logits, targets):
        row = _as_list(row, "cross_entropy", "each example's logits")
        if not isinstance(target, numbers.Integral) or isinstance(target, bool):
            raise TypeError(f"cross_entropy: targets must be class indices (ints), "
                            f"got {type(target).__name__}")
        if not 0 <= int(target) < len(row):
            raise ValueError(f"cross_entropy: target {target} is not a class index for "
                             f"{len(row)} logits")
        losses.append(logsumexp(row) - row[target])
    return _mean(losses)


def logsumexp(values: Sequence[Scalar]) -> Value:
    """``log(sum(exp(v)))`` without overflow: ``m + log(sum(exp(v - m)))`` with ``m``
    the largest value taken as a constant. The result and its gradient (the softmax)
    are exact for any ``m``, so a constant shift costs no accuracy.

    >>> from autograd_tiny import Value
    >>> round(logsumexp([Value(1000.0), Value(1000.0)]).data - 1000.0, 6)
    0.693147
    """
    values = _as_list(values, "logsumexp", "values")
    if not values:
        raise ValueError("logsumexp: no values")
    nodes = [_check_scalar(v, "logsumexp") for v in values]
    finite = [_data(v) for v in nodes if math.isfinite(_data(v))]
    shift = max(finite) if finite else 0.0  # all infinite: let exp and log say inf/nan
    # floats stay floats; a float plus a Value is one '+' node
    total = _sum([_shifted_exp(v, shift) for v in nodes])
    return _as_value(total).log() + shift


def l2_penalty(parameters: Iterable[Value], alpha: float = 1.0) -> Value:
    """``alpha * sum(p * p)``: the L2 regularisation micrograd's demo adds to its loss
    (there with alpha = 1e-4).

    >>> from autograd_tiny import Value
    >>> l2_penalty([Value(1.0), Value(-2.0)], alpha=0.5).data
    2.5
    """
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool):
        raise TypeError(f"l2_penalty: alpha must be a number, got {type(alpha).__name__}")
    squares = []
    for p in parameters:
        if not isinstance(p, Value):
            raise TypeError(f"l2_penalty: parameters must be Values, got {type(p).__name__}")
        squares.append(p * p)
    if not squares:
        return Value(0.0)
    return alpha * _sum(squares)


# -- shared pieces -----------------------------------------------------------------------


def _pairs(outputs: Any, targets: Any, who: str) -> list[tuple[Value, float]]:
    """(output, target) pairs with outputs as Values and targets as floats, checked."""
    if isinstance(outputs, (Value, numbers.Real)):
        outputs, targets = [outputs], [targets]
    outputs = _as_list(outputs, who, "outputs")
    targets = _as_list(targets, who, "targets")
    if len(outputs) != len(targets):
        raise ValueError(f"{who}: {len(outputs)} outputs but {len(targets)} targets")
    if not outputs:
        raise ValueError(f"{who}: no examples")
    pairs = []
    for output, target in zip(outputs, targets):
        node = _as_value(_check_scalar(output, who))
        if isinstance(target, Value):
            target = target.data  # a target is a constant: no gradient flows into it
        if not isinstance(target, numbers.Real) or isinstance(target, bool):
            raise TypeError(f"{who}: targets must be numbers, got {type(target).__name__}")
        pairs.append((node, float(target)))
    return pairs


def _as_list(items: Any, who: str, what: str) -> list[Any]:
    """``items`` as a list: any list, tuple or other iterable (a NumPy array), but not a
    string or a single ``Value``."""
    if isinstance(items, (Value, str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(f"{who}: {what} must be a list, got {type(items).__name__}")
    return list(items)


def _check_scalar(x: Any, who: str) -> Scalar:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    raise TypeError(f"{who}: expected a Value or a number, got {type(x).__name__}")


def _data(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else x


def _as_value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _shifted_exp(x: Scalar, shift: float) -> Scalar:
    # A plain float (a constant such as BCE's 0) stays a float: no graph node needed.
    return (x - shift).exp() if isinstance(x, Value) else math.exp(x - shift)


def _sum(terms: list[Any]) -> Any:
    """Sum starting from the first term (Python's ``sum`` adds a constant 0 node)."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _mean(terms: list[Value]) -> Value:
    total = _sum(terms)
    return total if len(terms) == 1 else total / len(terms)
