"""Seeded toy data sets from the standard library alone: xor, two moons, circles, spirals.

Each function returns ``(X, y)``: ``X`` a list of ``[x0, x1]`` float pairs, ``y`` a list
of int labels. The same ``seed`` always gives the same data, and the global ``random``
state is never read or changed (with no seed, a fresh ``random.Random()`` is used).

Labels come in the form each loss expects:

- binary sets (xor, moons, circles) give 0/1 labels by default, what
  ``binary_cross_entropy_with_logits`` expects; ``signed=True`` gives -1/+1 labels,
  what ``hinge_loss`` (micrograd's max-margin loss) expects;
- ``make_spirals`` gives class indices 0..k-1, what ``cross_entropy`` expects.

>>> X, y = make_moons(6, noise=0.1, seed=1, signed=True)
>>> len(X), sorted(set(y))
(6, [-1, 1])
>>> make_moons(6, noise=0.1, seed=1, signed=True) == (X, y)
True
"""

from __future__ import annotations

import math
import random
from typing import Union

Seed = Union[int, random.Random, None]
Dataset = tuple[list[list[float]], list[int]]


def random_source(seed: Seed, who: str = "random_source") -> random.Random:
    """A ``random.Random`` for ``seed``: an int seeds a new generator, a ``Random`` is
    used as it is (so several calls can share one stream), ``None`` gives a fresh
    generator seeded by the operating system. Never the global ``random`` state.

    >>> random_source(3).random() == random_source(3).random()
    True
    >>> shared = random.Random(0)
    >>> random_source(shared) is shared
    True
    """
    if seed is None:
        return random.Random()
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"{who}: seed must be an int, a random.Random or None, "
                    f"got {type(seed).__name__}")


def make_xor(n: int = 4, noise: float = 0.0, seed: Seed = None, signed: bool = False) -> Dataset:
    """The XOR problem: points near the corners (0,0), (0,1), (1,0), (1,1), labelled 1
    where exactly one coordinate is 1. ``n`` points cycle through the corners in that
    order; ``noise`` is the standard deviation of Gaussian jitter added to each
    coordinate. No single line separates the classes, so a network needs a hidden layer.

    >>> make_xor()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    >>> make_xor(signed=True)[1]
    [-1, 1, 1, -1]
    """
    _check_count(n, "make_xor")
    rng = random_source(seed, "make_xor")
    noise = _check_noise(noise, "make_xor")
    corners = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
    X, y = [], []
    for i in range(n):
        a, b = corners[i % 4]
        X.append([a + _jitter(rng, noise), b + _jitter(rng, noise)])
        y.append(int(a != b))
    return X, _labels(y, signed)


def make_moons(n: int = 100, noise: float = 0.1, seed: Seed = None,
               signed: bool = False) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons``, rebuilt): the
    upper moon is label 0, the lower one label 1 (-1 and +1 with ``signed=True``).
    Points are spread evenly along each arc, jittered by Gaussian ``noise``, then
    shuffled.

    >>> X, y = make_moons(100, seed=0)
    >>> len(X), y.count(0), y.count(1)
    (100, 50, 50)
    """
    _check_count(n, "make_moons")
    rng = random_source(seed, "make_moons")
    noise = _check_noise(noise, "make_moons")
    upper = n // 2
    lower = n - upper
    points = []
    for i in range(upper):
        t = math.pi * _fraction(i, upper)
        points.append(([math.cos(t), math.sin(t)], 0))
    for i in range(lower):
        t = math.pi * _fraction(i, lower)
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    return _finish(points, rng, noise, signed)


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: Seed = None,
                 signed: bool = False) -> Dataset:
    """A small circle inside a large one (scikit-learn's ``make_circles``, rebuilt):
    the outer circle (radius 1) is label 0, the inner one (radius ``factor``) label 1.

    >>> X, y = make_circles(8, noise=0.0, seed=0)
    >>> sorted(round(math.hypot(*x), 6) for x in X)
    [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    """
    _check_count(n, "make_circles")
    rng = random_source(seed, "make_circles")
    noise = _check_noise(noise, "make_circles")
    if not isinstance(factor, (int, float)) or isinstance(factor, bool):
        raise TypeError(f"make_circles: factor must be a number, got {type(factor).__name__}")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: factor must be between 0 and 1 (exclusive), got {factor}")
    outer = n // 2
    inner = n - outer
    points = []
    for count, radius, label in ((outer, 1.0, 0), (inner, float(factor), 1)):
        for i in range(count):
            t = 2.0 * math.pi * i / count  # a full turn: the end point would repeat the start
            points.append(([radius * math.cos(t), radius * math.sin(t)], label))
    return _finish(points, rng, noise, signed)


def make_spirals(n: int = 150, classes: int = 3, noise: float = 0.2, seed: Seed = None) -> Dataset:
    """``classes`` spiral arms winding out from the origin (the CS231n toy problem);
    labels are class indices 0..classes-1, for ``cross_entropy``. ``n`` points in all,
    split as evenly as the count allows; ``noise`` jitters each point's angle.

    >>> X, y = make_spirals(9, classes=3, seed=0)
    >>> [y.count(k) for k in range(3)]
    [3, 3, 3]
    """
    _check_count(n, "make_spirals")
    if not isinstance(classes, int) or isinstance(classes, bool):
        raise TypeError(f"make_spirals: classes must be an int, got {type(classes).__name__}")
    if classes < 2:
        raise ValueError(f"make_spirals: classes must be at least 2, got {classes}")
    rng = random_source(seed, "make_spirals")
    noise = _check_noise(noise, "make_spirals")
    points = []
    for k in range(classes):
        count = n // classes + (1 if k < n % classes else 0)
        for i in range(count):
            radius = _fraction(i, count)
            # Each arm turns through 4 radians; arms start 2*pi/classes apart.
            angle = 4.0 * radius + 2.0 * math.pi * k / classes + _jitter(rng, noise)
            points.append(([radius * math.sin(angle), radius * math.cos(angle)], k))
    rng.shuffle(points)
    return [x for x, _ in points], [label for _, label in points]


# -- shared pieces ---------------------------------------------------------------------


def _check_count(n: int, who: str) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"{who}: n must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{who}: n must be at least 1, got {n}")


def _check_noise(noise: float, who: str) -> float:
    if not isinstance(noise, (int, float)) or isinstance(noise, bool):
        raise TypeError(f"{who}: noise must be a number, got {type(noise).__name__}")
    if not (math.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"{who}: noise must be finite and >= 0, got {noise}")
    return float(noise)


def _fraction(i: int, count: int) -> float:
    """The i-th of ``count`` evenly spaced points in [0, 1], ends included."""
    return i / (count - 1) if count > 1 else 0.0


def _jitter(rng: random.Random, noise: float) -> float:
    # No draw at all without noise, so noiseless data does not depend on the seed.
    return rng.gauss(0.0, noise) if noise else 0.0


def _labels(y: list[int], signed: bool) -> list[int]:
    return [2 * label - 1 for label in y] if signed else y


def _finish(points: list[tuple[list[float], int]], rng: random.Random, noise: float,
            signed: bool) -> Dataset:
    """Jitter every coordinate, shuffle, and split into ``(X, y)``."""
    for x, _ in points:
        x[0] += _jitter(rng, noise)
        x[1] += _jitter(rng, noise)
    rng.shuffle(points)
    return [x for x, _ in points], _labels([label for _, label in points], signed)
