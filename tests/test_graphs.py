"""Whole graphs: random expressions with shared subexpressions, the lecture's numbers,
accumulation, depth, and memory (no reference cycles)."""

from __future__ import annotations

import gc
import math
import sys
import threading

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, grad, no_grad, reverse_topological_order

EPS = 1e-6

# Ops that are smooth everywhere, so finite differences hold at any point. Each one
# takes nodes picked from everything built so far: reuse gives shared subexpressions.
UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "exp_tanh": lambda a: a.tanh().exp(),
    "log1p_sq": lambda a: (a * a + 1).log(),
    "sqrt1p_sq": lambda a: (a ** 2 + 1).sqrt(),
    "neg": lambda a: -a,
    "cube": lambda a: a ** 3,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "pow": lambda a, b: (a * a + 1) ** b.tanh(),
    "const": lambda a, b: 2.5 * a - b / 3,
}

steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 99)),
        st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 99), st.integers(0, 99)),
    ),
    min_size=1, max_size=12,
)


def run_program(program, point):
    """Builds the graph: each step applies an op to nodes chosen from all earlier ones."""
    nodes = [Value(x) for x in point]
    leaves = list(nodes)
    for step in program:
        name, *picks = step
        args = [nodes[i % len(nodes)] for i in picks]
        nodes.append((UNARY.get(name) or BINARY[name])(*args))
    # The output uses the last node and an earlier one: more sharing.
    return nodes[-1] * 0.5 + nodes[len(nodes) // 2], leaves


def numeric(program, point, i):
    up, down = list(point), list(point)
    up[i] += EPS
    down[i] -= EPS
    return (run_program(program, up)[0].data - run_program(program, down)[0].data) / (2 * EPS)


@settings(max_examples=150, deadline=None)
@given(steps, st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_random_graphs_match_finite_differences(program, point):
    out, leaves = run_program(program, point)
    assume(abs(out.data) < 1e4)
    out.backward()
    for i, leaf in enumerate(leaves):
        n = numeric(program, point, i)
        assume(abs(n) < 1e4)
        assert leaf.grad == pytest.approx(n, rel=1e-4, abs=1e-5), (program, point, i)
    # grad() gives the same numbers without touching .grad
    before = [leaf.grad for leaf in leaves]
    assert list(grad(out, leaves)) == pytest.approx(before, rel=1e-12, abs=1e-15)
    assert [leaf.grad for leaf in leaves] == before


@settings(max_examples=60, deadline=None)
@given(steps, st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_random_graphs_second_derivatives(program, point):
    out, leaves = run_program(program, point)
    assume(abs(out.data) < 1e3)
    gradients = grad(out, leaves, create_graph=True)
    hessian_row = grad(gradients[0], leaves)
    for j in range(len(leaves)):
        up, down = list(point), list(point)
        up[j] += 1e-5
        down[j] -= 1e-5
        g_up = grad(*_graph_and_leaves(program, up))[0]
        g_down = grad(*_graph_and_leaves(program, down))[0]
        n = (g_up - g_down) / 2e-5
        assume(abs(n) < 1e3)
        assert hessian_row[j] == pytest.approx(n, rel=1e-3, abs=1e-4), (program, point, j)


def _graph_and_leaves(program, point):
    return run_program(program, point)


def test_shared_subexpressions():
    a = Value(3.0)
    b = a + a  # one node with the same parent twice
    c = b * b
    c.backward()
    assert (b._prev, b._local) == ((a, a), (1.0, 1.0))
    assert a.grad == 2 * 2 * 6.0  # dc/da = 2b * 2 = 24
    x = Value(-2.0)
    y = x * x
    y.backward()
    assert x.grad == -4.0


# -- the lecture's numbers ---------------------------------------------------------------


def test_lecture_expression():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, f.grad) == (6.0, -4.0, -2.0, 4.0)
    assert (d.grad, e.grad) == (-2.0, -2.0)


def test_lecture_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476, rel=1e-15, abs=2e-16)
    expected = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    for node in (x1, w1, x2, w2, b):
        assert node.grad == pytest.approx(expected[node.label], abs=1e-12), node.label


def test_lecture_neuron_with_exp_decomposition_of_tanh():
    # The lecture's second version: tanh written as (e**2n - 1) / (e**2n + 1).
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    n = x1 * w1 + x2 * w2 + 6.8813735870195432
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476, abs=1e-15)
    assert (x1.grad, w1.grad, x2.grad) == pytest.approx((-1.5, 1.0, 0.5), abs=1e-12)


# -- accumulation ------------------------------------------------------------------------


def test_backward_twice_doubles_every_grad():
    x, w = Value(0.5), Value(-1.5)
    h = (x * w).tanh()
    y = h * h + x
    y.backward()
    once = (x.grad, w.grad, h.grad)
    y.backward()
    assert (x.grad, w.grad, h.grad) == pytest.approx(tuple(2 * g for g in once), rel=1e-15)
    assert y.grad == 2.0


def test_backward_with_a_seed_gradient_scales():
    x = Value(3.0)
    y = x * x
    y.backward(0.5)
    assert x.grad == 3.0


def test_grad_leaves_dot_grad_alone_and_reports_unused_inputs_as_zero():
    x, unused = Value(2.0), Value(7.0)
    x.grad = 100.0
    y = x.exp()
    assert grad(y, [x, unused]) == (pytest.approx(math.exp(2.0)), 0.0)
    assert (x.grad, y.grad, unused.grad) == (100.0, 0.0, 0.0)


def test_grad_of_a_single_input_returns_a_one_tuple():
    x = Value(2.0)
    assert grad(x * 5, x) == (5.0,)


# -- depth, width, memory ------------------------------------------------------------------


def test_million_op_chain_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000 * 10  # the default (pytest keeps it modest)
    x = Value(0.5)
    y = x
    for _ in range(500_000):
        y = (y * 1.000001).tanh()
    assert len(reverse_topological_order(y)) == 1 + 2 * 500_000 + 500_000  # + constants
    y.backward()
    # d/dx of the chain, by the chain rule on floats: prod of 1.000001 * (1 - t_i^2)
    t, expected = 0.5, 1.0
    for _ in range(500_000):
        t = math.tanh(t * 1.000001)
        expected *= 1.000001 * (1 - t * t)
    assert x.grad == pytest.approx(expected, rel=1e-9)


def test_million_term_sum():
    terms = [Value(float(i % 7)) for i in range(1_000_000)]
    total = sum(terms)
    total.backward()
    assert total.data == sum(float(i % 7) for i in range(1_000_000))
    assert terms[0].grad == 1.0 and terms[-1].grad == 1.0


def test_dropping_the_output_frees_the_whole_graph_without_the_collector():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for i in range(20_000):
            y = (y * 0.5 + x).tanh() if i % 2 else y.relu() + y
        y.backward()
        del y
        # With no reference cycles, reference counting has freed everything already:
        # the collector finds nothing to collect.
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_create_graph_gradients_have_no_cycles_either():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.3)
        y = (x.sin() * x.exp()).tanh()
        (g,) = grad(y, [x], create_graph=True)
        (g2,) = grad(g, [x])
        del y, g
        assert gc.collect() == 0
        assert math.isfinite(g2)
    finally:
        gc.enable()


# -- no_grad and detach ------------------------------------------------------------------------


def test_no_grad_records_no_parents_and_is_per_thread():
    x = Value(2.0)
    inside_started = threading.Event()
    outside_done = threading.Event()
    results = {}

    def inside():
        with no_grad():
            inside_started.set()
            outside_done.wait(5)
            results["inside"] = x * 3

    def outside():
        inside_started.wait(5)
        results["outside"] = x * 3
        outside_done.set()

    threads = [threading.Thread(target=inside), threading.Thread(target=outside)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results["inside"]._prev == () and results["inside"].data == 6.0
    assert len(results["outside"]._prev) == 2


def test_no_grad_as_decorator_with_and_without_parentheses():
    @no_grad
    def bare(v):
        return v * 2

    @no_grad()
    def called(v):
        return v * 2

    x = Value(1.0)
    assert bare(x)._prev == () and called(x)._prev == ()
    assert len((x * 2)._prev) == 2  # recording is back on afterwards
    assert bare.__name__ == "bare"


def test_detach_cuts_the_graph():
    x = Value(2.0)
    y = (x * x).detach() * x
    y.backward()
    assert x.grad == 4.0  # only the outer multiplication
