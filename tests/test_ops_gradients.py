"""Every op's first and second derivatives against central finite differences.

First derivatives come from the floats recorded when the op ran (``backward`` and
``grad``); second derivatives from ``grad(..., create_graph=True)``, which evaluates
the same table rules on ``Value``s. Each is checked against a finite difference of
the level below, starting from the plain forward value.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, grad
from autograd_tiny.core.engine import weighted_sum
from autograd_tiny.core.ops import OPS

EPS = 1e-5


def away_from_zero(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats with low <= |x| <= high, either sign: keeps kinks and poles out of reach."""
    return st.tuples(st.floats(low, high), st.booleans()).map(lambda t: t[0] if t[1] else -t[0])


# op name -> (function of Values, strategies for its inputs). Inputs stay where the
# op is smooth, so finite differences are meaningful.
CASES = {
    "add": (lambda a, b: a + b, [st.floats(-5, 5), st.floats(-5, 5)]),
    "sub": (lambda a, b: a - b, [st.floats(-5, 5), st.floats(-5, 5)]),
    "mul": (lambda a, b: a * b, [st.floats(-5, 5), st.floats(-5, 5)]),
    "truediv": (lambda a, b: a / b, [st.floats(-5, 5), away_from_zero(0.5, 5)]),
    "vpow": (lambda a, b: a ** b, [st.floats(0.5, 3), st.floats(-2, 2)]),
    "pow": (lambda a: a ** 3, [st.floats(-3, 3)]),
    "neg": (lambda a: -a, [st.floats(-5, 5)]),
    "abs": (lambda a: abs(a), [away_from_zero(0.1, 5)]),
    "exp": (lambda a: a.exp(), [st.floats(-5, 5)]),
    "log": (lambda a: a.log(), [st.floats(0.1, 10)]),
    "sqrt": (lambda a: a.sqrt(), [st.floats(0.1, 10)]),
    "tanh": (lambda a: a.tanh(), [st.floats(-3, 3)]),
    "sigmoid": (lambda a: a.sigmoid(), [st.floats(-6, 6)]),
    "relu": (lambda a: a.relu(), [away_from_zero(0.1, 5)]),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), [away_from_zero(0.1, 5)]),
    "sin": (lambda a: a.sin(), [st.floats(-5, 5)]),
    "cos": (lambda a: a.cos(), [st.floats(-5, 5)]),
    "weighted_sum": (lambda w1, w2, x1, x2, b: weighted_sum([w1, w2], [x1, x2], b),
                     [st.floats(-5, 5)] * 5),
}

# Exponents for the one-input power op, including fractional and negative ones.
POWERS = [(-2.0, st.floats(0.3, 3)), (-1.0, away_from_zero(0.3, 3)), (0.5, st.floats(0.1, 5)),
          (1.5, st.floats(0.1, 5)), (2, st.floats(-3, 3)), (3, st.floats(-3, 3))]


def close(analytic: float, numeric: float, scale: float = 1.0) -> bool:
    return abs(analytic - numeric) <= 1e-4 * scale + 1e-4 * abs(numeric)


def value_of(fn, point):
    return fn(*map(Value, point)).data


def first_derivatives(fn, point) -> tuple[float, ...]:
    nodes = [Value(x) for x in point]
    return grad(fn(*nodes), nodes)


def numeric_gradient(f, point) -> list[float]:
    """Central differences of a float function of a point, one per coordinate."""
    result = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += EPS
        down[i] -= EPS
        result.append((f(up) - f(down)) / (2 * EPS))
    return result


def test_every_op_in_the_table_has_a_gradient_case():
    assert {op.name for op in OPS} == set(CASES)


def check_first_and_second_order(fn, point):
    # First order: the recorded local derivatives, through backward and through grad.
    analytic = first_derivatives(fn, point)
    numeric = numeric_gradient(lambda p: value_of(fn, p), point)
    for a, n in zip(analytic, numeric):
        assert close(a, n), (point, analytic, numeric)
    nodes = [Value(x) for x in point]
    fn(*nodes).backward()
    assert [node.grad for node in nodes] == pytest.approx(analytic, rel=1e-12, abs=1e-12)

    # Second order: differentiate the create_graph gradient again, row by row of the
    # Hessian, against finite differences of the first derivatives.
    nodes = [Value(x) for x in point]
    gradients = grad(fn(*nodes), nodes, create_graph=True)
    for i, g in enumerate(gradients):
        assert g.data == pytest.approx(analytic[i], rel=1e-12, abs=1e-12)
        hessian_row = grad(g, nodes)
        numeric_row = numeric_gradient(lambda p: first_derivatives(fn, p)[i], point)
        for h, n in zip(hessian_row, numeric_row):
            assert close(h, n, scale=max(1.0, abs(n))), (point, i, hessian_row, numeric_row)


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_gradients_match_finite_differences(name):
    fn, strategies = CASES[name]

    @settings(max_examples=40, deadline=None)
    @given(st.tuples(*strategies))
    def check(point):
        check_first_and_second_order(fn, point)

    check()


@pytest.mark.parametrize("k, base", POWERS, ids=[str(k) for k, _ in POWERS])
def test_power_by_number_gradients(k, base):
    @settings(max_examples=25, deadline=None)
    @given(base)
    def check(x):
        check_first_and_second_order(lambda a: a ** k, (x,))

    check()


def test_number_to_the_power_of_a_value():
    x = Value(1.5)
    y = 2 ** x
    y.backward()
    assert y.data == pytest.approx(2 ** 1.5)
    assert x.grad == pytest.approx(2 ** 1.5 * math.log(2))


def test_both_base_and_exponent_get_gradients():
    a, b = Value(2.0), Value(3.0)
    c = a ** b
    c.backward()
    assert (c.data, a.grad) == (8.0, 12.0)
    assert b.grad == pytest.approx(8.0 * math.log(2.0), rel=1e-15)


def test_reflected_operators_differentiate_the_right_input():
    x = Value(4.0)
    for expr, expected_value, expected_grad in [
        (lambda v: 10 - v, 6.0, -1.0),
        (lambda v: 2 / v, 0.5, -2 / 16),
        (lambda v: 3 * v, 12.0, 3.0),
        (lambda v: 1 + v, 5.0, 1.0),
    ]:
        x.grad = 0.0
        y = expr(x)
        y.backward()
        assert (y.data, x.grad) == (expected_value, pytest.approx(expected_grad))


def test_third_derivative_of_a_cube():
    x = Value(2.0)
    (d1,) = grad(x ** 3, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert (d1.data, d2.data, d3) == (12.0, 12.0, 6.0)


def test_mixed_second_derivative_of_a_product_of_functions():
    # f = sin(x) * exp(y): d2f/dxdy = cos(x) * exp(y)
    x, y = Value(0.7), Value(-0.3)
    dfdx, _ = grad(x.sin() * y.exp(), [x, y], create_graph=True)
    _, d2 = grad(dfdx, [x, y])
    assert d2 == pytest.approx(math.cos(0.7) * math.exp(-0.3), rel=1e-12)
