"""Float functions with IEEE 754 semantics: they return ``inf`` or ``nan``, never raise.

Python's ``math`` module raises ``OverflowError`` and ``ValueError`` where IEEE 754
(and PyTorch, and NumPy) return ``inf`` or ``nan``. An exception in the middle of
building a graph loses the whole expression, so the engine's forward formulas and
local-derivative formulas call these instead. Each is a plain float -> float function.

>>> exp(1000.0), log(0.0), div(1.0, 0.0), pow(-8.0, 1 / 3)
(inf, -inf, inf, nan)
"""

from __future__ import annotations

import math

inf = math.inf
nan = math.nan


def exp(x: float) -> float:
    """``e ** x``; ``inf`` on overflow.

    >>> exp(0.0), exp(1000.0)
    (1.0, inf)
    """
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x: float) -> float:
    """Natural logarithm; ``log(0)`` is ``-inf`` and a negative argument gives ``nan``.

    >>> log(1.0), log(0.0), log(-1.0)
    (0.0, -inf, nan)
    """
    if x > 0.0:
        return math.log(x)
    return -inf if x == 0.0 else nan


def sqrt(x: float) -> float:
    """Square root; ``nan`` for a negative argument.

    >>> sqrt(4.0), sqrt(-1.0)
    (2.0, nan)
    """
    return math.sqrt(x) if x >= 0.0 else nan


def div(a: float, b: float) -> float:
    """``a / b`` where division by zero gives a signed ``inf`` (or ``nan`` for ``0/0``).

    >>> div(1.0, 0.0), div(-1.0, 0.0), div(1.0, -0.0), div(0.0, 0.0)
    (inf, -inf, -inf, nan)
    """
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def pow(a: float, b: float) -> float:  # noqa: A001 - the float twin of the ``**`` op
    """``a ** b`` as a real number: overflow is ``+-inf``, ``0 ** -1`` is ``inf``, a
    negative base with a fractional exponent is ``nan`` (never a complex number).

    >>> pow(2.0, 3.0), pow(10.0, 400.0), pow(0.0, -1.0), pow(-8.0, 1 / 3)
    (8.0, inf, inf, nan)
    """
    try:
        return math.pow(a, b)
    except OverflowError:
        odd_integer = b == int(b) and int(b) % 2 == 1
        return -inf if a < 0.0 and odd_integer else inf
    except ValueError:
        if a == 0.0 and b < 0.0:
            odd_integer = b == int(b) and int(b) % 2 == 1
            return math.copysign(inf, a) if odd_integer else inf
        return nan


def sin(x: float) -> float:
    """Sine; ``nan`` for an infinite argument.

    >>> sin(0.0), sin(inf)
    (0.0, nan)
    """
    return math.sin(x) if math.isfinite(x) else nan


def cos(x: float) -> float:
    """Cosine; ``nan`` for an infinite argument.

    >>> cos(0.0), cos(inf)
    (1.0, nan)
    """
    return math.cos(x) if math.isfinite(x) else nan


def tanh(x: float) -> float:
    """Hyperbolic tangent; exactly ``+-1.0`` for large arguments.

    >>> tanh(0.0), tanh(1000.0), tanh(-1000.0)
    (0.0, 1.0, -1.0)
    """
    return math.tanh(x)


def sigmoid(x: float) -> float:
    """The logistic function ``1 / (1 + e**-x)``, computed without overflow.

    >>> sigmoid(0.0), sigmoid(1000.0), sigmoid(-1000.0)
    (0.5, 1.0, 0.0)
    """
    if x >= 0.0:
        return 1.0 / (1.0 + exp(-x))
    e = exp(x)  # x < 0, so e is in (0, 1): no overflow on this side either
    return e / (1.0 + e)


def relu(x: float) -> float:
    """``max(0, x)``; ``nan`` stays ``nan``.

    >>> relu(-2.0), relu(3.0)
    (0.0, 3.0)
    """
    return x if x > 0.0 or x != x else 0.0


def step(x) -> float:
    """The derivative of ``relu``: 1.0 where ``x > 0``, else 0.0.

    Works on floats and on ``Value`` nodes alike (a ``Value`` compares by its data),
    and always returns a plain float: a step has no derivative of its own.

    >>> step(2.0), step(-2.0)
    (1.0, 0.0)
    """
    return 1.0 if x > 0.0 else 0.0


def sign(x) -> float:
    """The derivative of ``abs``: 1.0, -1.0 or 0.0 (at 0, like PyTorch). Floats or Values.

    >>> sign(3.0), sign(-3.0), sign(0.0)
    (1.0, -1.0, 0.0)
    """
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


def iszero(x) -> bool:
    """Whether ``x`` is 0.0 or -0.0 (``nan`` is not zero). Floats or Values (a
    ``Value`` compares by its data), so a derivative rule can test for zero either way.

    >>> iszero(0.0), iszero(-0.0), iszero(1e-300), iszero(float("nan"))
    (True, True, False, False)
    """
    return x >= 0.0 and x <= 0.0
