"""Optimisers with PyTorch's names and update rules: ``SGD`` and ``Adam``.

An optimiser holds a list of parameters (``Value``s) and, on ``step()``, changes each
parameter's ``data`` using its ``grad``; ``zero_grad()`` clears the gradients before
the next backward pass. The learning rate is the attribute ``lr``: set it between
steps for a schedule (micrograd's demo decays it from 1.0 to 0.1).

>>> from autograd_tiny import Value
>>> w = Value(3.0)
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(50):
...     opt.zero_grad()
...     loss = (w - 1.0) ** 2
...     loss.backward()
...     opt.step()
>>> round(w.data, 6)
1.000029
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable

from ..core.engine import Value


class Optimizer:
    """What every optimiser shares: the parameter list, ``lr`` and ``zero_grad()``.

    A parameter listed twice is kept once, so a shared weight is updated once per step.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        who = type(self).__name__
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"{who}: params must be a list of Values (model.parameters()), "
                            f"got {type(params).__name__}")
        unique: dict[int, Value] = {}
        for p in params:
            if not isinstance(p, Value):
                raise TypeError(f"{who}: params must be Values, got {type(p).__name__}")
            unique.setdefault(id(p), p)
        if not unique:
            raise ValueError(f"{who}: got an empty parameter list")
        self.params: list[Value] = list(unique.values())
        self.lr = _number(lr, who, "lr", low=0.0)

    def zero_grad(self) -> None:
        """Sets every parameter's ``grad`` to 0.

        >>> from autograd_tiny import Value
        >>> w = Value(1.0); w.grad = 5.0
        >>> SGD([w], lr=0.1).zero_grad(); w.grad
        0.0
        """
        for p in self.params:
            p.grad = 0.0

    def _gradients(self, decay: float) -> list[float]:
        """Each parameter's gradient, plus ``decay * data`` (PyTorch's weight decay:
        the gradient of an L2 penalty ``decay/2 * data**2``)."""
        if not decay:
            return [p.grad for p in self.params]
        return [p.grad + decay * p.data for p in self.params]

    def step(self) -> None:
        """Updates every parameter from its gradient."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        count = len(self.params)
        return f"{type(self).__name__}({count} parameter{'s' if count != 1 else ''}, {settings})"

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr}


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD`` (without dampening)::

        g = p.grad + weight_decay * p.data
        v = g on the first step, then momentum * v + g
        p.data -= lr * v          (lr * g when momentum is 0)

    >>> from autograd_tiny import Value
    >>> w = Value(1.0); w.grad = 2.0
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> opt.step(); opt.step()
    >>> round(w.data, 6)  # 1 - 0.1*2 - 0.1*(0.9*2 + 2)
    0.42
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _number(momentum, "SGD", "momentum", low=0.0)
        self.weight_decay = _number(weight_decay, "SGD", "weight_decay", low=0.0)
        self._velocity: list[float] | None = None  # made on the first step with momentum

    def step(self) -> None:
        lr, momentum = self.lr, self.momentum
        grads = self._gradients(self.weight_decay)
        if not momentum:
            for p, g in zip(self.params, grads):
                p.data -= lr * g
            return
        if self._velocity is None:
            self._velocity = grads
        else:
            self._velocity = [momentum * v + g for v, g in zip(self._velocity, grads)]
        for p, v in zip(self.params, self._velocity):
            p.data -= lr * v

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay}


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``: running means of the gradient (m) and of its
    square (v), corrected for their start at zero::

        g = p.grad + weight_decay * p.data
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        p.data -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    The first step moves each parameter by about ``lr`` against its gradient's sign.

    >>> from autograd_tiny import Value
    >>> w = Value(1.0); w.grad = 123.0
    >>> Adam([w], lr=0.01).step()
    >>> round(w.data, 6)
    0.99
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair of numbers, got {betas!r}")
        beta1 = _number(betas[0], "Adam", "betas[0]", low=0.0)
        beta2 = _number(betas[1], "Adam", "betas[1]", low=0.0)
        if beta1 >= 1.0 or beta2 >= 1.0:
            raise ValueError(f"Adam: betas must be in [0, 1), got {tuple(betas)}")
        self.betas = (beta1, beta2)
        self.eps = _number(eps, "Adam", "eps", low=0.0)
        self.weight_decay = _number(weight_decay, "Adam", "weight_decay", low=0.0)
        self.t = 0  # steps taken: the bias corrections depend on it
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        beta1, beta2 = self.betas
        lr, eps = self.lr, self.eps
        self.t += 1
        step_size = lr / (1.0 - beta1 ** self.t)
        root_correction = math.sqrt(1.0 - beta2 ** self.t)
        m, v = self._m, self._v
        for i, (p, g) in enumerate(zip(self.params, self._gradients(self.weight_decay))):
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / root_correction + eps)

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay}


def _number(x: Any, who: str, name: str, low: float) -> float:
    """``x`` as a float, checked: a real number, finite, at least ``low``."""
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        raise TypeError(f"{who}: {name} must be a number, got {type(x).__name__}")
    x = float(x)
    if not math.isfinite(x) or x < low:
        raise ValueError(f"{who}: {name} must be a finite number >= {low:g}, got {x}")
    return x
