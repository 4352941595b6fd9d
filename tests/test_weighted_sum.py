"""The n-ary weighted-sum op (issue 9 section 1, contract B): one node per neuron's
net input, its rules in the op table, first and second order, in compile, and
micrograd's numbers from nn."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_tiny
from autograd_tiny import MLP, Neuron, Value, grad, no_grad, weighted_sum
from autograd_tiny.compile import compile
from autograd_tiny.core.engine import reverse_topological_order
from autograd_tiny.core.ops import TABLE, Op


def test_the_row_and_contract_b():
    op = TABLE["weighted_sum"]
    assert isinstance(op, Op) and op == "wsum" and op.name == "weighted_sum"
    assert op.input_names(7) == ("w1", "w2", "w3", "x1", "x2", "x3", "b")
    assert op.local_rules(7) == ("x1", "x2", "x3", "w1", "w2", "w3", "1.0")
    assert op.forward_text(7) == "b + w1 * x1 + w2 * x2 + w3 * x3"
    assert not op.accepts(6) and op.accepts(3) and not op.accepts(1)
    assert autograd_tiny.weighted_sum is weighted_sum
    # one-input and two-input ops keep their arity
    assert TABLE["mul"].input_names(2) == ("a", "b") and TABLE["tanh"].local_rules(1) == ("1.0 - out * out",)


def test_one_node_with_its_inputs_and_local_derivatives_in_order():
    w = [Value(0.5), Value(-2.0), Value(0.25)]
    x = [Value(3.0), Value(1.5), Value(-4.0)]
    b = Value(0.125)
    net = weighted_sum(w, x, b)
    assert net.data == 0.125 + 0.5 * 3.0 + -2.0 * 1.5 + 0.25 * -4.0
    assert net._op == "wsum" and net._op is TABLE["weighted_sum"]
    assert net._prev == (*w, *x, b)
    assert net._local == (3.0, 1.5, -4.0, 0.5, -2.0, 0.25, 1.0)
    assert net.local_derivatives() == list(zip((*w, *x, b), net._local))
    assert not net.is_leaf
    net.backward(2.0)
    assert [v.grad for v in w] == [6.0, 3.0, -8.0]
    assert [v.grad for v in x] == [1.0, -4.0, 0.5]
    assert b.grad == 2.0 and net.grad == 2.0
    assert [n._op for n in reverse_topological_order(net)][0] == "wsum"


def test_numbers_become_constants_and_bad_arguments_are_refused():
    x = Value(2.0)
    net = weighted_sum([3, 0.5], [x, 4.0], 1)
    assert net.data == 1 + 3 * 2.0 + 0.5 * 4.0 and len(net._prev) == 5
    assert grad(net, [x]) == (3.0,)
    with pytest.raises(ValueError, match="as many weights as inputs"):
        weighted_sum([x], [x, x], 0.0)
    with pytest.raises(ValueError, match="at least one"):
        weighted_sum([], [], 0.0)
    with pytest.raises(TypeError, match="weighted_sum: weights must be a list"):
        weighted_sum(x, [x], 0.0)
    with pytest.raises(TypeError, match="weighted_sum: expected a Value or a real number, got str"):
        weighted_sum(["a"], [x], 0.0)
    with no_grad():
        assert weighted_sum([x], [x], 1.0)._prev == ()


def test_adds_left_to_right_like_micrograds_sum():
    # ((b + w1 x1) + w2 x2) + w3 x3 in floats: 1e16 + 1 - 1e16 is 0, not 1
    w = [Value(1.0)] * 3
    net = weighted_sum(w, [Value(1.0), Value(1e16), Value(-1e16)], Value(0.0))
    manual = sum([w[0] * 1.0, w[1] * 1e16, w[2] * -1e16], Value(0.0))
    assert net.data == manual.data == 0.0


def test_a_hand_built_node_of_the_op():
    w, x, b = Value(2.0), Value(3.0), Value(1.0)
    node = Value(7.0, (w, x, b), "wsum")
    assert node._op is TABLE["weighted_sum"] and node._local == (3.0, 2.0, 1.0)


finite = st.floats(-4, 4)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(st.lists(finite, min_size=n, max_size=n),
                                                     st.lists(finite, min_size=n, max_size=n),
                                                     finite)))
def test_first_and_second_order_against_the_exact_values(case):
    """net = b + sum wi xi: d/dwi = xi, d/dxi = wi; d2/dwi dxi = 1, all others 0.
    Checked through f = net**2 (so second derivatives are not trivially zero):
    df/dv = 2 net dnet/dv, d2f/du dv = 2 (dnet/du dnet/dv + net d2net/du dv)."""
    ws, xs, bias = case
    n = len(ws)
    w, x, b = list(map(Value, ws)), list(map(Value, xs)), Value(bias)
    net = weighted_sum(w, x, b)
    f = net * net
    nodes = w + x + [b]
    dnet = xs + ws + [1.0]
    first = grad(f, nodes, create_graph=True)
    for g, d in zip(first, dnet):
        assert g.data == pytest.approx(2 * net.data * d, rel=1e-12, abs=1e-12)
    for i, g in enumerate(first):
        row = grad(g, nodes)
        for j, h in enumerate(row):
            cross = 1.0 if abs(i - j) == n and max(i, j) < 2 * n else 0.0
            assert h == pytest.approx(2 * (dnet[i] * dnet[j] + net.data * cross), rel=1e-9, abs=1e-9)


def test_against_finite_differences_with_a_nonlinearity():
    point = [0.3, -0.7, 1.1, 0.4, 0.2]

    def f(w1, w2, x1, x2, b):
        return weighted_sum([w1, w2], [x1, x2.tanh()], b).sigmoid() * x1

    nodes = list(map(Value, point))
    analytic = grad(f(*nodes), nodes)
    second = [grad(g, nodes) for g in grad(f(*nodes), nodes, create_graph=True)]
    eps = 1e-6
    for i in range(5):
        up, down = list(point), list(point)
        up[i] += eps
        down[i] -= eps
        numeric = (f(*map(Value, up)).data - f(*map(Value, down)).data) / (2 * eps)
        assert analytic[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
        up_nodes, down_nodes = list(map(Value, up)), list(map(Value, down))
        up_g = grad(f(*up_nodes), up_nodes)
        down_g = grad(f(*down_nodes), down_nodes)
        for j in range(5):
            assert second[j][i] == pytest.approx((up_g[j] - down_g[j]) / (2 * eps), rel=1e-5, abs=1e-7)


def test_compiled_equals_eager_bit_for_bit():
    rng = random.Random(5)
    model = MLP(3, [4, 4, 1], seed=3)
    params = model.parameters()
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(6)]

    def loss():
        return sum(((model(xi) - 1.0) ** 2 for xi in X), Value(0.0)) * (1 / 6)

    step = compile(loss, params)
    # the row's formula written out: bias + w1 * x1 + ... (first layer: inputs are constants)
    assert re.search(r"= v\d+ \+ v\d+ \* \(?-?0\.\d+\)? \+ v\d+ \* ", step.source)
    for _ in range(3):
        compiled_loss = step()
        compiled_grads = [p.grad for p in params]
        model.zero_grad()
        eager = loss()
        eager.backward()
        assert compiled_loss == eager.data
        # equal as floats (the sign of a zero gradient is issue 11 item 11, in compile)
        assert compiled_grads == [p.grad for p in params]
        for p in params:
            p.data -= 0.1 * p.grad
    assert sum(node._op == "wsum" for node in reverse_topological_order(loss())) == 6 * 9


def test_a_neuron_makes_one_net_node():
    n = Neuron(3, seed=1)
    out = n([1.0, 2.0, 3.0])
    net = out._prev[0]
    assert out._op == "ReLU" and net._op == "wsum" and net._prev[:3] == tuple(n.w)
    assert net._prev[-1] is n.b
    assert net.data == n.b.data + n.w[0].data * 1.0 + n.w[1].data * 2.0 + n.w[2].data * 3.0


def micrograd_demo(mg_engine, mg_nn, weights, X, y, alpha=1e-4):
    model = mg_nn.MLP(2, [16, 16, 1])
    for p, value in zip(model.parameters(), weights):
        p.data = value
    inputs = [list(map(mg_engine.Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + alpha * sum(p * p for p in model.parameters())
    loss.backward()
    return loss.data, [p.grad for p in model.parameters()]


def test_same_loss_and_gradients_as_micrograds_nn_on_its_demo():
    mg_engine = pytest.importorskip("micrograd.engine")
    mg_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    weights = [p.data for p in mg_nn.MLP(2, [16, 16, 1]).parameters()]
    X, y = autograd_tiny.data.make_moons(40, noise=0.1, seed=1337, signed=True)
    expected_loss, expected_grads = micrograd_demo(mg_engine, mg_nn, weights, X, y)

    model = MLP(2, [16, 16, 1])
    for p, value in zip(model.parameters(), weights):
        p.data = value
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    loss.backward()
    assert loss.data == pytest.approx(expected_loss, rel=1e-12, abs=1e-12)
    grads = [p.grad for p in model.parameters()]
    assert len(grads) == 337
    assert grads == pytest.approx(expected_grads, rel=1e-12, abs=1e-12)
    assert any(abs(g) > 1e-3 for g in grads)  # not a vacuous comparison of zeros
    # the graph: one net node per neuron per data point
    assert sum(n._op == "wsum" for n in reverse_topological_order(loss)) == 33 * len(X)
