"""What the compile tests compare: loss and gradients the eager way and by a replay,
and equality to 1e-12. Shared by test_compile.py, test_compile_exact.py and
test_compile_numpy.py."""

from __future__ import annotations

import math


def close(a: float, b: float) -> bool:
    """Equal to 1e-12 (relative, or absolute near zero); nan only matches nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def eager(fn, params) -> list[float]:
    """[loss, *gradients] the ordinary way: zero grads, build, backward."""
    for p in params:
        p.grad = 0.0
    root = fn()
    root.backward()
    return [root.data] + [p.grad for p in params]


def replay(step, params) -> list[float]:
    """[loss, *gradients] from one call of a compiled step (it sets every .grad)."""
    loss = step()
    return [loss] + [p.grad for p in params]
