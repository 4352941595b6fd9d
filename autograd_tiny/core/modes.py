"""Recording modes: ``no_grad``, ``enable_grad`` and ``detect_anomaly``.

The mode lives in a ``contextvars.ContextVar`` so that one thread (or asyncio task)
turning recording off never affects another. Every op reads it once: a single
integer of flags keeps that read cheap on the hot path.

>>> from autograd_tiny import Value, no_grad
>>> x = Value(2.0)
>>> with no_grad():
...     y = x * x
>>> y._prev
()
"""

from __future__ import annotations

import functools
from contextvars import ContextVar, Token
from typing import Any, Callable, TypeVar

NO_GRAD = 1  # ops build leaves: no parents, no local derivatives
ANOMALY = 2  # ops check for finite inputs turning into nan/inf

mode: ContextVar[int] = ContextVar("autograd_tiny_mode", default=0)

# The tokens of the switches entered in this context, innermost last, as an immutable
# tuple: each thread and each asyncio task (which runs in a copy of its creator's
# context) sees only the switches it entered itself.
_entered: ContextVar[tuple[tuple["_ModeSwitch", Token[int]], ...]] = ContextVar(
    "autograd_tiny_entered", default=())

F = TypeVar("F", bound=Callable[..., Any])


class AnomalyError(FloatingPointError):
    """Raised inside ``detect_anomaly()`` by the first op that turns finite inputs into
    ``nan`` or ``inf`` (in its output or in a local derivative)."""


class _ModeSwitch:
    """A context manager and decorator that sets or clears one mode flag.

    A fresh switch is used per ``with`` block and per decorated call. The state of
    a shared instance is kept per context (thread or asyncio task), so one instance
    entered by several threads or tasks, which leave in any order, is safe.
    """

    _set: int = 0
    _clear: int = 0

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        self._func = func
        if func is not None:
            functools.update_wrapper(self, func)

    def __enter__(self) -> "_ModeSwitch":
        token = mode.set((mode.get() | self._set) & ~self._clear)
        _entered.set(_entered.get() + ((self, token),))
        return self

    def __exit__(self, *exc: object) -> None:
        entered = _entered.get()
        for i in range(len(entered) - 1, -1, -1):
            switch, token = entered[i]
            if switch is self:
                _entered.set(entered[:i] + entered[i + 1:])
                mode.reset(token)
                return
        raise RuntimeError(f"{type(self).__name__}: exited in a context that did not enter it")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._func is not None:  # used bare, as ``@no_grad``
            with type(self)():
                return self._func(*args, **kwargs)
        func = args[0]  # used as ``@no_grad()``

        @functools.wraps(func)
        def wrapper(*a: Any, **kw: Any) -> Any:
            with type(self)():
                return func(*a, **kw)

        return wrapper


class no_grad(_ModeSwitch):
    """Ops inside record no parents: results are constants, and nothing is kept for
    ``backward()``. Use for evaluation and for parameter updates. Works as
    ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.

    >>> from autograd_tiny import Value
    >>> @no_grad
    ... def predict(x):
    ...     return (x * 3).tanh()
    >>> predict(Value(0.0))._prev
    ()
    """

    _set = NO_GRAD


class enable_grad(_ModeSwitch):
    """Turns recording back on inside a ``no_grad`` block.

    >>> from autograd_tiny import Value
    >>> with no_grad(), enable_grad():
    ...     len((Value(1.0) + 1)._prev)
    2
    """

    _clear = NO_GRAD


class detect_anomaly(_ModeSwitch):
    """The first op whose finite inputs give a ``nan`` or ``inf`` output (or local
    derivative) raises ``AnomalyError`` naming the op as it is written (``x / y``,
    ``log``) and each input by its label, or by its value when it has none.

    >>> from autograd_tiny import Value
    >>> with detect_anomaly():
    ...     Value(0.0, label="x").log()
    Traceback (most recent call last):
    ...
    autograd_tiny.core.modes.AnomalyError: log turned a finite input into -inf: log(x) with x = 0.0
    """

    _set = ANOMALY


def is_grad_enabled() -> bool:
    """Whether ops record their parents here and now.

    >>> is_grad_enabled()
    True
    """
    return not mode.get() & NO_GRAD
