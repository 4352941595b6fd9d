"""The compiled replay equals eager mode bit for bit (issue 11, item 11): the loss and
every gradient, the sign of zero included, on random graphs of every op of the table
with edge values (0.0, -0.0, tiny, huge, inf, nan; a slope or exponent of -0.0).
Floats are compared as their 8 bytes, so -0.0 differs from 0.0 (a nan matches any
nan: see ``bits``)."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, weighted_sum
from autograd_tiny.compile import compile
from autograd_tiny.core.ops import TABLE
from compile_checks import eager, replay


def bits(x: float) -> bytes:
    """The float's 8 bytes; every nan as one pattern. IEEE 754 leaves the sign and
    payload of an arithmetic nan open, and CPython does not fix them either: with
    two nan operands, its specialised float add (after a few calls) and its generic
    one can return different operands, so eager mode alone is not repeatable there."""
    return struct.pack("<d", math.nan if x != x else x)


def assert_bitwise(compiled: list[float], eager: list[float]) -> None:
    for j, (got, want) in enumerate(zip(compiled, eager)):
        assert bits(got) == bits(want), (f"[{j}]: compiled {got!r} "
                                         f"(sign {math.copysign(1.0, got)}), eager {want!r} "
                                         f"(sign {math.copysign(1.0, want)})")


# op name -> (number of operands, how to build it): every op, with no guard on its
# inputs, so nan, inf and signed zeros flow through the graph.
BUILD = {
    "add": (2, lambda a, b, k: a + b),
    "sub": (2, lambda a, b, k: a - b),
    "mul": (2, lambda a, b, k: a * b),
    "truediv": (2, lambda a, b, k: a / b),
    "vpow": (2, lambda a, b, k: a ** b),
    "pow": (1, lambda a, k: a ** k),
    "neg": (1, lambda a, k: -a),
    "abs": (1, lambda a, k: abs(a)),
    "exp": (1, lambda a, k: a.exp()),
    "log": (1, lambda a, k: a.log()),
    "sqrt": (1, lambda a, k: a.sqrt()),
    "tanh": (1, lambda a, k: a.tanh()),
    "sigmoid": (1, lambda a, k: a.sigmoid()),
    "relu": (1, lambda a, k: a.relu()),
    "leaky_relu": (1, lambda a, k: a.leaky_relu(k)),
    "sin": (1, lambda a, k: a.sin()),
    "cos": (1, lambda a, k: a.cos()),
    # n-ary: a node used as a weight, an input and the bias at once; k a constant input
    "weighted_sum": (2, lambda a, b, k: weighted_sum([a, b], [b, k], a)),
}

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 2.0, 3.0, 5e-324, -1e-310, 1e308, -1e308,
         math.inf, -math.inf, math.nan]
numbers = st.one_of(st.sampled_from(EDGES), st.floats(-3, 3), st.floats(allow_nan=True))
parameters = st.sampled_from([0.0, -0.0, 2.0, 3.0, -1.0, 0.5, -0.5, 0.01, 0.2, -2.0])


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(1, 4))
    steps = []
    for index in range(draw(st.integers(1, 14))):
        name = draw(st.sampled_from(sorted(BUILD)))
        available = n_leaves + index
        i = draw(st.integers(0, available - 1))
        j = draw(st.integers(0, available - 1))
        number = draw(st.one_of(st.none(), numbers))  # a plain number as one operand
        left = draw(st.booleans())  # ... on the left (a reflected op) or the right
        steps.append((name, i, j, number, left, draw(parameters)))
    uses_all = draw(st.booleans())  # the loss: the last node, or the sum of all
    return n_leaves, steps, uses_all


def run(program, leaves):
    _, steps, uses_all = program
    nodes = list(leaves)
    for name, i, j, number, left, parameter in steps:
        arity, build = BUILD[name]
        a, b = nodes[i], nodes[j]
        if arity == 1:
            nodes.append(build(a, parameter))
        elif number is None:
            nodes.append(build(a, b, parameter))
        elif name == "vpow":
            nodes.append(number ** b if left else a ** Value(number))
        else:
            nodes.append(build(number, b, parameter) if left else build(a, number, parameter))
    return sum(nodes[len(leaves):], Value(0.0)) if uses_all else nodes[-1]


cases = dict(program=programs(), start=st.lists(numbers, min_size=4, max_size=4),
             moves=st.lists(st.lists(numbers, min_size=4, max_size=4), max_size=2))


@settings(max_examples=120, deadline=None)
@given(**cases)
def test_compiled_equals_eager_bit_for_bit(program, start, moves):
    check(program, start, moves)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(**cases)
def test_compiled_equals_eager_bit_for_bit_many(program, start, moves):
    check(program, start, moves)


def check(program, start, moves):
    leaves = [Value(x) for x in start[:program[0]]]
    fn = lambda: run(program, leaves)  # noqa: E731
    step = compile(fn, leaves)
    assert_bitwise(replay(step, leaves), eager(fn, leaves))
    for values in moves:  # the parameters move: the replay, not the trace, decides
        for leaf, x in zip(leaves, values):
            leaf.data = x
        assert_bitwise(replay(step, leaves), eager(fn, leaves))


def test_every_op_is_generated():
    assert set(BUILD) == set(TABLE)


def test_a_slope_of_negative_zero_after_one_of_zero():
    Value(1.0).leaky_relu(0.0)  # the bound op with slope 0.0 is cached first
    p = Value(-1.0)
    fn = lambda: 1 / p.leaky_relu(-0.0)  # noqa: E731
    assert fn().data == math.inf  # -1 * -0.0 = 0.0, 1/0.0 = inf
    assert compile(fn, [p])() == math.inf
    assert str(fn()._prev[1]._op.params["slope"]) == "-0.0"


def test_an_exponent_of_negative_zero_after_one_of_zero():
    Value(2.0) ** 0.0
    p = Value(-3.0)
    fn = lambda: (p ** -0.0) * 0.0 - p  # noqa: E731
    eager_grads = eager(fn, [p])
    assert_bitwise(replay(compile(fn, [p]), [p]), eager_grads)
    assert (p ** -0.0)._op.params["k"] == 0.0
    assert math.copysign(1.0, (p ** -0.0)._op.params["k"]) == -1.0


def test_a_gradient_of_zero_is_positive_zero_as_in_eager_mode():
    # d/dp of (0.0 - p*0) style graphs: -0.0 contributions summed from 0.0 give 0.0.
    p, q = Value(2.0), Value(0.0)
    fn = lambda: -(p * q) + (q * 0.0)  # noqa: E731
    want = eager(fn, [p, q])
    assert bits(want[1]) == bits(0.0)
    assert_bitwise(replay(compile(fn, [p, q]), [p, q]), want)
