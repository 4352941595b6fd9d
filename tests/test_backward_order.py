"""Backward in one pass, highest node first (issue 13): every node is made higher than
its inputs, so when the pass reaches a node every user has passed its gradient on.
These tests check the promises that order must keep: each node passes its gradient on
once and only after all its users, whatever else uses it (nodes outside the graph,
dead or alive), after an interrupted pass, for hand-built nodes and inside
``no_grad``, and with nothing left on the nodes or anywhere else."""

from __future__ import annotations

import gc
import math
import random
import threading

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, Value, grad, no_grad, reverse_topological_order, weighted_sum

mpmath.mp.dps = 40


def recorder(x: Value, log: list[Value], scale: float = 1.0) -> Value:
    """micrograd's way to add an op: ``scale * x`` as a hand-built node whose
    ``_backward`` writes down when it ran."""
    out = Value(scale * x.data, (x,), "scale")

    def _backward() -> None:
        log.append(out)
        x.grad += scale * out.grad

    out._backward = _backward
    return out


# Random graphs: each op takes one or two earlier nodes, so there are long and short
# paths to the same node, nodes used many times, and nodes no one uses.
graph_specs = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10**6), st.integers(0, 10**6)),
                       min_size=1, max_size=40)


def build(spec: list[tuple[int, int, int]], leaves: list[Value]) -> list[Value]:
    pool = list(leaves)
    for kind, i, j in spec:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append([a * b, a + b, (a * 0.5).tanh(), weighted_sum([a, b], [b, a], 0.25),
                     a - b][kind])
    return pool


@settings(max_examples=150, deadline=None)
@given(graph_specs)
def test_every_node_is_higher_than_each_of_its_inputs(spec):
    leaves = [Value(0.3), Value(-0.7)]
    for node in build(spec, leaves):
        assert node._h == (1 + max(p._h for p in node._prev) if node._prev else 0)
    hand = Value(2.0, (leaves[0], leaves[1]), "*")
    custom = Value(1.0, (hand, leaves[0], hand), "softplus")
    assert (hand._h, custom._h) == (1, 2)
    with no_grad():
        assert (leaves[0] * leaves[1])._h == 0  # records nothing, so it is a leaf


def exact_gradients(spec: list[tuple[int, int, int]], values: list[float]) -> list[float]:
    """d(last node)/d(leaf) for each leaf, by forward-mode dual numbers in mpmath."""
    results = []
    for k in range(len(values)):
        pool = [(mpmath.mpf(v), mpmath.mpf(int(i == k))) for i, v in enumerate(values)]
        for kind, i, j in spec:
            (a, da), (b, db) = pool[i % len(pool)], pool[j % len(pool)]
            if kind == 0:
                pool.append((a * b, da * b + a * db))
            elif kind == 1:
                pool.append((a + b, da + db))
            elif kind == 2:
                t = mpmath.tanh(a / 2)
                pool.append((t, (1 - t * t) * da / 2))
            elif kind == 3:
                pool.append((2 * a * b + mpmath.mpf(0.25), 2 * (da * b + a * db)))
            else:
                pool.append((a - b, da - db))
        results.append(float(pool[-1][1]))
    return results


@settings(max_examples=150, deadline=None)
@given(graph_specs)
def test_gradients_of_random_graphs_match_forward_mode_in_high_precision(spec):
    values = [0.3, -0.7]
    leaves = [Value(v) for v in values]
    pool = build(spec, leaves)
    pool[-1].backward()
    for leaf, exact in zip(leaves, exact_gradients(spec, values)):
        assert math.isclose(leaf.grad, exact, rel_tol=1e-12, abs_tol=1e-12)


def test_each_node_passes_its_gradient_on_once_and_after_all_its_users():
    log: list[Value] = []
    x = Value(0.5, label="x")
    shared = recorder(x, log)  # used by 50 nodes of different heights
    users = []
    for k in range(50):
        node = shared
        for _ in range(k % 7):  # paths of length 0..6 above the shared node
            node = recorder(node * 1.0, log)
        users.append(node)
    root = recorder(sum(users, Value(0.0)), log)
    root.backward()
    recorders = 2 + sum(k % 7 for k in range(50))  # shared, root, and one per path step
    assert len(log) == recorders  # every one ran ...
    assert log.count(shared) == 1 and len(log) == len(set(map(id, log)))  # ... once
    position = {id(node): i for i, node in enumerate(log)}
    for node in log:  # a recorder's input chain reaches the recorders below it
        below = node._prev[0]
        while below._prev and id(below) not in position:
            below = below._prev[0]
        if id(below) in position:
            assert position[id(below)] > position[id(node)]
    assert x.grad == 50.0


def test_nodes_used_outside_the_graph_do_not_hold_the_pass_up():
    # A node used by nodes this backward never reaches (kept alive or already dropped)
    # must still pass its gradient on: a count of uses kept on the node would wait
    # for them forever.
    a, b = Value(2.0), Value(3.0)
    e = a * b
    kept = e * 10.0  # alive, not part of the graph below
    e * 20.0  # dropped at once
    d = e + a
    d.backward()
    assert (a.grad, b.grad, e.grad, kept.grad) == (4.0, 2.0, 1.0, 0.0)
    e.backward()  # a node in the middle of a graph as the root
    assert (a.grad, b.grad) == (7.0, 4.0)


def test_a_pass_that_failed_half_way_leaves_nothing_behind():
    x = Value(1.5)
    y = (x * x).tanh()
    broken = Value(y.data, (y,), "broken")

    def _backward() -> None:
        raise RuntimeError("half way")

    broken._backward = _backward
    try:
        (broken + y).backward()
    except RuntimeError:
        pass
    assert x.grad == 0.0 and y.grad == 0.0  # nothing written
    y.backward()
    assert math.isclose(x.grad, 2 * 1.5 * (1 - math.tanh(2.25) ** 2), rel_tol=1e-15)


def test_backward_on_a_network_loss_equals_grad_and_accumulates():
    model = MLP(2, [8, 8, 1], seed=3)
    rng = random.Random(0)
    points = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(20)]

    def loss() -> Value:
        return sum(((model(p) - 0.5) ** 2 for p in points), Value(0.0)) / len(points)

    params = model.parameters()
    expected = grad(loss(), params)  # returns gradients, writes nothing
    assert all(p.grad == 0.0 for p in params)
    loss().backward()
    assert [p.grad for p in params] == list(expected)
    loss().backward()
    assert [p.grad for p in params] == [g + g for g in expected]


def test_threads_building_and_back_propagating_their_own_graphs_at_once():
    results: dict[int, list[float]] = {}
    start = threading.Barrier(4)

    def work(k: int) -> None:
        ws = [Value(0.1 * k + 0.01 * i) for i in range(30)]
        start.wait()
        for _ in range(20):
            for w in ws:
                w.grad = 0.0
            out = sum((w * w * (i + 1) for i, w in enumerate(ws)), Value(0.0)).tanh()
            out.backward()
        results[k] = [w.grad for w in ws]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, grads in results.items():
        ws = [0.1 * k + 0.01 * i for i in range(30)]
        s = sum(w * w * (i + 1) for i, w in enumerate(ws))
        for i, (w, g) in enumerate(zip(ws, grads)):
            assert math.isclose(g, (1 - math.tanh(s) ** 2) * 2 * w * (i + 1), rel_tol=1e-12)


def test_backward_keeps_no_record_a_dropped_graph_could_live_on_in():
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        x = Value(0.5)
        out = sum((x * k for k in range(1000)), Value(0.0)).tanh()
        out.backward()
        before = len(gc.get_objects())
        del out
        assert len(gc.get_objects()) < before - 1000  # the graph went at once
        assert gc.collect() == 0  # and nothing was left for the collector
    finally:
        if was:
            gc.enable()


def test_teaching_order_is_backwards_order():
    # The tools step through reverse_topological_order: the order backward passes
    # gradients on, which the log of hand-built nodes shows.
    log: list[Value] = []
    a = Value(1.0)
    b = recorder(a, log, 2.0)
    c = recorder(b, log, 3.0)
    d = recorder(b * c, log)
    e = recorder(d + c, log)
    e.backward()
    assert {id(n) for n in log} == {id(b), id(c), id(d), id(e)}
    order = [n for n in reverse_topological_order(e) if n in set(log)]
    assert [id(n) for n in order] == [id(n) for n in log]


def test_nodes_of_one_height_go_in_the_order_they_were_reached():
    # Six recorders at height 1 and three at height 2, reached in an order that is
    # neither the order they were made in nor its reverse: the tools and the compiled
    # replay must list them exactly as backward visits them.
    log: list[Value] = []
    x = Value(0.5)
    low = [recorder(x, log, k + 1.0) for k in range(6)]
    high = [recorder(low[i] * low[j], log) for i, j in ((4, 1), (0, 5), (3, 2))]
    root = recorder(high[2] + high[0] + high[1], log)
    root.backward()
    assert len(log) == 10
    order = [n for n in reverse_topological_order(root) if n in set(log)]
    assert [id(n) for n in order] == [id(n) for n in log]
    heights = [n._h for n in log]
    assert heights == sorted(heights, reverse=True)


def test_a_users_backward_on_a_node_made_without_inputs_still_runs():
    # micrograd-style code that forgets to list the inputs: Value(x.data ** 2) with a
    # _backward that reaches x by itself. micrograd runs it; so does backward().
    x = Value(3.0)
    out = Value(x.data ** 2)

    def _backward() -> None:
        x.grad += 2 * x.data * out.grad

    out._backward = _backward
    (out * 2).backward()
    assert x.grad == 12.0
    x.grad = 0.0
    out.backward()  # as the root, too
    assert x.grad == 6.0


def test_a_numpy_scalar_as_a_weight_takes_the_checked_path():
    np = pytest.importorskip("numpy")
    neuron = MLP(2, [1], seed=0).layers[0].neurons[0]
    neuron.w[0] = np.float64(0.3)
    y = neuron([1.0, 2.0])
    assert y.data == neuron.b.data + 0.3 * 1.0 + neuron.w[1].data * 2.0  # micrograd's order


def test_a_neuron_whose_weight_or_bias_was_replaced_by_a_computed_node_gets_the_height_right():
    # A neuron keeps its weights' highest height from its last call; replacing a weight
    # or the bias by a node made of others (a tied, scaled weight) must raise the
    # height of the next net input, or backward would reach it too early.
    from autograd_tiny.core.engine import _heights

    model = MLP(2, [2, 1], seed=4)
    neuron = model.layers[1].neurons[0]
    x = [Value(0.5), Value(-1.5)]
    before = model(x)
    assert before._h == _heights(before)[before]
    shared = Value(0.7, label="shared")
    deep = ((shared * 2).tanh() * 3).tanh() * 4  # height 5: higher than the hidden layer's nodes
    neuron.w[1] = deep
    after = model(x)
    assert after._h == _heights(after)[after] == deep._h + 1
    after.backward()
    h2 = model.layers[0].neurons[1]([0.5, -1.5])  # the hidden output this weight multiplies
    assert h2.data > 0.5
    expected = h2.data * 4 * (1 - math.tanh(3 * math.tanh(1.4)) ** 2) * 3 \
        * (1 - math.tanh(1.4) ** 2) * 2
    assert shared.grad == pytest.approx(expected, rel=1e-12)
    neuron.b = deep * 1.0  # the bias too, one higher still
    again = model(x)
    assert again._h == _heights(again)[again] == deep._h + 2


def test_a_neuron_with_a_tuple_of_weights_or_no_copy_yet_still_builds_the_right_node():
    from autograd_tiny.core.engine import _heights

    neuron = MLP(2, [1], seed=4).layers[0].neurons[0]
    expected = neuron.b.data + neuron.w[0].data * 0.5 + neuron.w[1].data * -1.5
    deep = (Value(0.2) * 3).tanh()
    neuron.w = (neuron.w[0], deep)  # a tuple: the copy is a tuple too, and compares equal
    y = neuron([0.5, -1.5])
    assert y._h == _heights(y)[y] == deep._h + 1
    assert neuron._parameters_seen[0] == neuron.w  # kept: the next call reuses it
    del neuron._parameters_seen  # as in a subclass that skips Neuron.__init__
    again = neuron([0.5, -1.5])
    assert again.data == y.data != expected and again._h == y._h
