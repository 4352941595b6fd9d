"""Every op's derivatives of order 1, 2 and 3 (all partial derivatives, mixed ones
included) from ``grad(..., create_graph=True)``, against ``mpmath.diff`` at 50 digits:
at random points (hypothesis) and at edge points (0, negative bases, saturation,
overflow). A modest number of random points by default; many more under
``@pytest.mark.slow`` (``make test-all``)."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, grad, weighted_sum
from autograd_tiny.core.ops import TABLE

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp

FLOAT_MAX = 1.7976931348623157e308


def sigmoid_mp(a):
    return 1 / (1 + mpmath.exp(-a))


def spread(low: float, high: float) -> st.SearchStrategy[float]:
    """low <= |x| <= high, either sign: away from kinks and poles."""
    return st.tuples(st.floats(low, high), st.booleans()).map(lambda t: t[0] if t[1] else -t[0])


# name -> (function of Values, the same function in mpmath, input strategies)
OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, [st.floats(-5, 5)] * 2),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, [st.floats(-5, 5)] * 2),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, [st.floats(-5, 5)] * 2),
    "truediv": (lambda a, b: a / b, lambda a, b: a / b, [st.floats(-5, 5), spread(0.2, 5)]),
    "vpow": (lambda a, b: a ** b, lambda a, b: a ** b, [st.floats(0.2, 4), st.floats(-3, 3)]),
    "pow": (lambda a: a ** 3, lambda a: a ** 3, [st.floats(-4, 4)]),
    "neg": (lambda a: -a, lambda a: -a, [st.floats(-5, 5)]),
    "abs": (lambda a: abs(a), lambda a: a if a > 0 else -a, [spread(0.1, 5)]),
    "exp": (lambda a: a.exp(), mpmath.exp, [st.floats(-20, 20)]),
    "log": (lambda a: a.log(), mpmath.log, [st.floats(0.05, 50)]),
    "sqrt": (lambda a: a.sqrt(), mpmath.sqrt, [st.floats(0.05, 50)]),
    "tanh": (lambda a: a.tanh(), mpmath.tanh, [st.floats(-5, 5)]),
    "sigmoid": (lambda a: a.sigmoid(), sigmoid_mp, [st.floats(-10, 10)]),
    "relu": (lambda a: a.relu(), lambda a: a if a > 0 else 0 * a, [spread(0.1, 5)]),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), lambda a: a if a > 0 else a / 10, [spread(0.1, 5)]),
    "sin": (lambda a: a.sin(), mpmath.sin, [st.floats(-10, 10)]),
    "cos": (lambda a: a.cos(), mpmath.cos, [st.floats(-10, 10)]),
    "weighted_sum": (lambda w1, w2, x1, x2, b: weighted_sum([w1, w2], [x1, x2], b),
                     lambda w1, w2, x1, x2, b: b + w1 * x1 + w2 * x2, [st.floats(-5, 5)] * 5),
}

# Powers with a number exponent, including fractional and negative ones: (k, strategy).
POWERS = {0: st.floats(-3, 3), 1: st.floats(-3, 3), 2: st.floats(-3, 3), -1: spread(0.3, 3),
          -2: spread(0.3, 3), 0.5: st.floats(0.05, 5), 1.5: st.floats(0.05, 5), 2.5: st.floats(0.05, 5)}


def our_derivatives(fn, point, order=3):
    """{(i, j, ...): d^n f / dx_i dx_j ...} for every sorted multi-index up to ``order``."""
    xs = [Value(x) for x in point]
    found = {(): fn(*xs)}
    frontier = [()]
    for n in range(order):
        following = []
        for index in frontier:
            last = n == order - 1
            grads = grad(found[index], xs, create_graph=not last)
            first = index[-1] if index else 0
            for i in range(first, len(xs)):
                g = grads[i]
                found[index + (i,)] = g if last else (g if isinstance(g, Value) else Value(g))
                following.append(index + (i,))
        frontier = following
    return {index: (v.data if isinstance(v, Value) else v) for index, v in found.items() if index}


def exact_derivative(mp_fn, point, index):
    counts = tuple(index.count(i) for i in range(len(point)))
    with mp.workdps(50):
        if len(point) == 1:
            value = mpmath.diff(mp_fn, mpmath.mpf(point[0]), counts[0])
        else:
            value = mpmath.diff(mp_fn, tuple(map(mpmath.mpf, point)), counts)
    return value


def agree(ours: float, exact, tolerance: float = 1e-9) -> bool:
    if isinstance(exact, mpmath.mpc):
        return math.isnan(ours)  # a real op where the true value is complex: nan
    if abs(exact) > FLOAT_MAX:
        return ours == (math.inf if exact > 0 else -math.inf)
    return abs(ours - float(exact)) <= tolerance * max(1.0, abs(float(exact)))


def check(fn, mp_fn, point, order=3, only=None, tolerance=1e-9):
    ours = our_derivatives(fn, point, order)
    for index, value in ours.items():
        if only is not None and not set(index) <= only:
            continue
        exact = exact_derivative(mp_fn, point, index)
        assert agree(value, exact, tolerance), (point, index, value, exact)
    return ours


def test_every_op_has_an_mpmath_case():
    assert set(OPS) == set(TABLE)


@pytest.mark.parametrize("name", sorted(OPS))
def test_derivatives_to_third_order_at_random_points(name):
    fn, mp_fn, strategies = OPS[name]

    @settings(max_examples=6 if name != "weighted_sum" else 2, deadline=None, derandomize=True)
    @given(st.tuples(*strategies))
    def run(point):
        check(fn, mp_fn, point)

    run()


@pytest.mark.parametrize("k", sorted(POWERS))
def test_powers_to_third_order_at_random_points(k):
    @settings(max_examples=5, deadline=None, derandomize=True)
    @given(POWERS[k])
    def run(x):
        check(lambda a: a ** k, lambda a: a ** k, (x,))

    run()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OPS))
def test_derivatives_to_third_order_at_many_random_points(name):
    fn, mp_fn, strategies = OPS[name]

    @settings(max_examples=150 if name != "weighted_sum" else 20, deadline=None)
    @given(st.tuples(*strategies))
    def run(point):
        check(fn, mp_fn, point)

    run()


# -- edge points ------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
def test_powers_at_zero(k):
    # x**k at 0: every derivative finite (k! at order k, 0 elsewhere); mpmath agrees.
    ours = check(lambda a: a ** k, lambda a: a ** k, (0.0,), order=3)
    assert [ours[(0,) * n] for n in (1, 2, 3)] == [math.factorial(n) if n == k else 0.0
                                                   for n in (1, 2, 3)]


@pytest.mark.parametrize("k, x", [(3, -2.0), (2, -1.5), (-1, -0.5), (-2, -3.0), (5, -1.1)])
def test_integer_powers_of_negative_bases(k, x):
    check(lambda a: a ** k, lambda a: a ** k, (x,))


def test_value_powers_of_negative_bases_in_the_base():
    # (-2) ** b is real only at integer b: check d/da (b held fixed); d/db is nan.
    check(lambda a, b: a ** b, lambda a, b: a ** b, (-2.0, 3.0), only={0})
    a, b = Value(-2.0), Value(3.0)
    assert math.isnan(grad(a ** b, [b])[0])


@pytest.mark.parametrize("name, x", [("tanh", 20.0), ("tanh", -20.0), ("sigmoid", 40.0),
                                     ("sigmoid", -40.0), ("sigmoid", -700.0), ("tanh", 400.0)])
def test_saturation(name, x):
    fn, mp_fn, _ = OPS[name]
    check(fn, mp_fn, (x,))


@pytest.mark.parametrize("x", [-745.0, -700.0, 700.0, 709.0, 709.78, 710.0, 1000.0])
def test_exp_near_and_past_overflow(x):
    fn, mp_fn, _ = OPS["exp"]
    ours = check(fn, mp_fn, (x,))
    if x >= 710.0:
        assert ours[(0,)] == ours[(0, 0)] == ours[(0, 0, 0)] == math.inf


@pytest.mark.parametrize("name, point", [("log", (1e-3,)), ("sqrt", (1e-4,)),
                                         ("truediv", (1.0, 1e-3)), ("truediv", (-2.0, -1e-2)),
                                         ("sin", (1000.0,)), ("cos", (-1000.0,)),
                                         ("vpow", (1e-3, 2.5)), ("vpow", (50.0, -3.0)),
                                         ("exp", (0.0,)), ("log", (1e6,))])
def test_near_poles_and_far_out(name, point):
    fn, mp_fn, _ = OPS[name]
    check(fn, mp_fn, point, tolerance=1e-8)


def test_weighted_sum_mixed_partials_are_the_products_rule():
    ours = check(*OPS["weighted_sum"][:2], (0.5, -1.5, 2.0, 3.0, 0.25))
    # d2/dw1 dx1 = 1, d2/dw1 dw2 = 0, every third derivative 0
    assert ours[(0, 2)] == 1.0 and ours[(1, 3)] == 1.0 and ours[(0, 1)] == 0.0
    assert all(v == 0.0 for index, v in ours.items() if len(index) == 3)
    assert len(list(itertools.combinations_with_replacement(range(5), 3))) == \
        sum(len(index) == 3 for index in ours)
