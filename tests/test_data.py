"""Toy data sets: shapes, labels, geometry, seeds, and the global random state."""

from __future__ import annotations

import math
import random

import pytest

from autograd_tiny.data import make_circles, make_moons, make_spirals, make_xor, random_source

MAKERS = [
    lambda seed: make_xor(12, noise=0.1, seed=seed),
    lambda seed: make_moons(50, noise=0.1, seed=seed),
    lambda seed: make_circles(50, noise=0.05, seed=seed),
    lambda seed: make_spirals(60, classes=3, noise=0.2, seed=seed),
]


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_other_data(make):
    assert make(7) == make(7)
    assert make(7) != make(8)


@pytest.mark.parametrize("make", MAKERS)
def test_global_random_state_is_untouched(make):
    state = random.getstate()
    make(1)
    make(None)
    assert random.getstate() == state


@pytest.mark.parametrize("make", MAKERS)
def test_shapes(make):
    X, y = make(0)
    assert len(X) == len(y)
    assert all(len(x) == 2 and all(isinstance(v, float) for v in x) for x in X)
    assert all(isinstance(label, int) for label in y)


def test_xor_labels_are_exclusive_or_of_the_corners():
    X, y = make_xor(8, noise=0.0)
    for (a, b), label in zip(X, y):
        assert label == (int(a) ^ int(b))
    assert make_xor(4, signed=True)[1] == [-1, 1, 1, -1]


def test_xor_noise_jitters_around_the_corners():
    X, _ = make_xor(400, noise=0.1, seed=0)
    offsets = [x[0] - round(x[0]) for x in X]
    spread = math.sqrt(sum(d * d for d in offsets) / len(offsets))
    assert 0.08 < spread < 0.12


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(40, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon: unit circle about (0, 0), upper half
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower moon: unit circle about (1, 0.5), lower half
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert y.count(0) == 20 and y.count(1) == 20


def test_moons_signed_labels_for_hinge():
    X, y = make_moons(30, seed=2, signed=True)
    assert set(y) == {-1, 1}
    assert (X, [(label + 1) // 2 for label in y]) == make_moons(30, seed=2)


def test_circles_radii():
    X, y = make_circles(30, noise=0.0, factor=0.3, seed=1)
    for x, label in zip(X, y):
        assert math.hypot(*x) == pytest.approx(0.3 if label == 1 else 1.0)


def test_spirals_classes_and_radius():
    X, y = make_spirals(100, classes=4, noise=0.0, seed=0)
    assert [y.count(k) for k in range(4)] == [25, 25, 25, 25]
    assert all(math.hypot(*x) <= 1.0 + 1e-12 for x in X)
    # each arm reaches radius 1 at its own angle: 2*pi*k/4 + 4 radians
    ends = {label: x for x, label in zip(X, y) if math.hypot(*x) == pytest.approx(1.0)}
    assert sorted(ends) == [0, 1, 2, 3]
    for k, (a, b) in ends.items():
        angle = 4.0 + 2.0 * math.pi * k / 4
        assert (a, b) == pytest.approx((math.sin(angle), math.cos(angle)))


def test_random_source():
    shared = random.Random(3)
    assert random_source(shared) is shared
    assert random_source(5).random() == random.Random(5).random()
    assert isinstance(random_source(None), random.Random)


@pytest.mark.parametrize("call, error, words", [
    (lambda: make_moons(0), ValueError, "at least 1"),
    (lambda: make_moons(10.0), TypeError, "float"),
    (lambda: make_moons(10, noise=-0.1), ValueError, "noise"),
    (lambda: make_moons(10, noise="a"), TypeError, "str"),
    (lambda: make_moons(10, seed="1"), TypeError, "seed"),
    (lambda: make_moons(10, seed=1.5), TypeError, "float"),
    (lambda: make_circles(10, factor=1.0), ValueError, "factor"),
    (lambda: make_spirals(10, classes=1), ValueError, "at least 2"),
    (lambda: make_xor(-1), ValueError, "at least 1"),
])
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()
