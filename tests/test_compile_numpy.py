"""The numpy backend of compile (issue 13, vectorised replay): equal to eager mode to
1e-12 relative on random graphs of every op of the table, before and after the
parameters move; IEEE specials (inf, nan, signed zero) as eager mode gives them;
staleness checks and debug mode work as with the python backend."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, weighted_sum
from autograd_tiny.compile import StaleTraceError, compile
from autograd_tiny.core.ops import TABLE
from autograd_tiny.nn import MLP

from compile_checks import close, eager, replay

np = pytest.importorskip("numpy")


def assert_close(got, want):
    for j, (g, w) in enumerate(zip(got, want)):
        assert close(g, w), f"[{j}] numpy {g!r}, eager {w!r}"


# Guarded inputs (as tests/test_compile.py does) keep most graphs finite, so the
# comparison is between real numbers.
BUILD = {
    "add": lambda a, b, k: a + b,
    "sub": lambda a, b, k: a - b,
    "mul": lambda a, b, k: a * b,
    "truediv": lambda a, b, k: a / (abs(b) + 0.5),
    "vpow": lambda a, b, k: (abs(a) + 0.5) ** b.tanh(),
    "pow": lambda a, b, k: (abs(a) + 0.5) ** k,
    "neg": lambda a, b, k: -a,
    "abs": lambda a, b, k: abs(a),
    "exp": lambda a, b, k: a.tanh().exp(),
    "log": lambda a, b, k: (abs(a) + 0.5).log(),
    "sqrt": lambda a, b, k: (abs(a) + 0.5).sqrt(),
    "tanh": lambda a, b, k: a.tanh(),
    "sigmoid": lambda a, b, k: a.sigmoid(),
    "relu": lambda a, b, k: a.relu(),
    "leaky_relu": lambda a, b, k: a.leaky_relu(k / 10),
    "sin": lambda a, b, k: a.sin(),
    "cos": lambda a, b, k: a.cos(),
    # 1 to 4 weights; a node used in several slots of one node, and constants
    "weighted_sum": lambda a, b, k: weighted_sum([a, b, a, k][:1 + int(abs(k) * 3) % 4],
                                                 [b, k, b.tanh(), a][:1 + int(abs(k) * 3) % 4],
                                                 a if k > 0 else 0.25),
}


def test_every_op_is_covered():
    assert set(BUILD) == set(TABLE)


def random_graph(seed: int, n_ops: int = 40):
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2)) for _ in range(5)]
    names = sorted(BUILD)
    rng.shuffle(names)
    names += [rng.choice(sorted(BUILD)) for _ in range(n_ops - len(names))]
    program = [(name, rng.randrange(5 + i), rng.randrange(5 + i),
                rng.choice([2.0, 3.0, -1.0, 0.5, -0.0])) for i, name in enumerate(names)]

    def fn():
        nodes = list(leaves)
        for name, i, j, k in program:
            nodes.append(BUILD[name](nodes[i], nodes[j], k))
        return sum(nodes[5:], Value(0.0))
    return rng, leaves[:4], fn  # leaf 4 is data: a constant of the trace


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_graphs_match_eager_to_1e_12(seed):
    rng, params, fn = random_graph(seed)
    step = compile(fn, params, backend="numpy")
    assert_close(replay(step, params), eager(fn, params))
    for _ in range(3):
        for p in params:  # other branches of relu, abs and leaky_relu too
            p.data = rng.choice([-1, 1]) * rng.uniform(0, 2)
        assert_close(replay(step, params), eager(fn, params))


@pytest.mark.parametrize("build, at", [
    (lambda p: p.log(), [0.0, -1.0, -0.0, 2.0]),
    (lambda p: (p * 1000).exp(), [1.0, -1.0]),
    (lambda p: 1 / p, [0.0, -0.0, 4.0]),
    (lambda p: p ** -1.0, [0.0, -0.0]),
    (lambda p: p ** 0.5, [-4.0, 0.0, 9.0]),
    (lambda p: p.sqrt(), [-1.0, 0.0, 4.0]),
    (lambda p: p.sigmoid(), [-1000.0, 1000.0, 0.0]),
    (lambda p: p.relu() + abs(p) + p.leaky_relu(-0.0), [0.0, -0.0, -3.0, math.nan]),
    (lambda p: p.sin() * p.cos(), [math.inf, 1.0]),
    (lambda p: p.tanh(), [1e6, -1e6]),
])
def test_ieee_specials_are_eager_modes(build, at):
    p = Value(1.0)
    step = compile(lambda: build(p), [p], backend="numpy")
    for x in at:
        p.data = x
        assert_close(replay(step, [p]), eager(lambda: build(p), [p]))


def test_the_micrograd_demo_step_matches_eager():
    from autograd_tiny.data import make_moons
    X, y = make_moons(30, noise=0.1, seed=1, signed=True)
    model = MLP(2, [8, 8, 1], seed=2)

    def loss():
        scores = [model(x) for x in X]
        hinge = sum(((1 + -yi * s).relu() for yi, s in zip(y, scores)), Value(0.0)) / len(X)
        return hinge + 1e-4 * sum((p * p for p in model.parameters()), Value(0.0))
    params = model.parameters()
    step = compile(loss, params, backend="numpy")
    for _ in range(3):
        assert_close(replay(step, params), eager(loss, params))
        for p in params:
            p.data -= 0.1 * p.grad


def test_staleness_and_debug_work_with_numpy():
    x = Value(1.0)
    step = compile(lambda: x * 2 if x.data > 0 else x * -3, [x], check_every=1,
                   backend="numpy")
    assert (step(), x.grad) == (2.0, 2.0)
    x.data = -1.0
    with pytest.raises(StaleTraceError, match="node 1 was the constant 2.0"):
        step()
    debug = compile(lambda: (x * x).tanh(), [x], debug=True, backend="numpy")
    assert debug() == math.tanh(1.0)


def test_unreached_params_and_a_parameter_loss():
    p, q = Value(4.0), Value(1.0)
    step = compile(lambda: p * 1.0, [p, q], backend="numpy")
    assert replay(step, [p, q]) == [4.0, 1.0, 0.0]
    step = compile(lambda: p, [p], backend="numpy")
    assert replay(step, [p]) == [4.0, 1.0]


def test_a_bad_backend_is_refused():
    with pytest.raises(ValueError, match="backend must be one of 'python', 'numpy', got 'jax'"):
        compile(lambda: Value(1.0), [], backend="jax")


def test_the_groups_are_described():
    a, b = Value(1.0), Value(2.0)
    step = compile(lambda: (a * b + a * 3.0).tanh(), [a, b], backend="numpy")
    assert step.source.splitlines() == ["level 1: 2 x '*'", "level 2: 1 x '+'",
                                        "level 3: 1 x 'tanh'"]
    assert repr(step).startswith("CompiledStep(nodes=7, params=2, backend='numpy'")


def test_a_sum_chain_is_one_group_added_in_eager_order():
    ps = [Value(x) for x in (1e16, 1.0, -1e16, 3.0, 0.1)]  # order matters for this sum
    fn = lambda: sum((p * p for p in ps[:1]), Value(0.0)) + sum(ps, Value(0.0))  # noqa: E731
    step = compile(fn, ps, backend="numpy")
    assert "sum of 6" in step.source
    got, want = replay(step, ps), eager(fn, ps)
    assert got == want  # the same additions in the same order: equal, not just close


def test_the_backend_reads_weighted_sums_rules_from_the_op_table():
    from autograd_tiny.compile.vectorised import _plain_rules
    op = TABLE["weighted_sum"]
    for n in (1, 2, 5):
        rules = _plain_rules(op, 2 * n + 1)
        names = op.input_names(2 * n + 1)
        # each input's derivative is the input the table's rule names, or its number
        spelled = [names[row] if row >= 0 else repr(number) for row, number in rules]
        assert spelled == list(op.local_rules(2 * n + 1))
        assert spelled == [f"x{i}" for i in range(1, n + 1)] + \
            [f"w{i}" for i in range(1, n + 1)] + ["1.0"]


def weighted_sum_graph(seed: int, levels: int = 4, width: int = 12):
    """Layers of weighted sums of random arity (1 to 5) over random earlier nodes,
    with shared weights and biases, a nonlinearity between layers, constants mixed in."""
    rng = random.Random(seed)
    params = [Value(rng.uniform(-1, 1)) for _ in range(8)]
    data = [rng.uniform(-2, 2) for _ in range(3)]
    plan = []
    for _ in range(levels):
        layer = []
        for _ in range(width):
            n = rng.randint(1, 5)
            layer.append((n, [rng.randrange(8) for _ in range(n)],
                          [rng.randrange(-3, 20) for _ in range(n)], rng.randrange(8),
                          rng.choice(["tanh", "relu", "sigmoid"])))
        plan.append(layer)

    def fn():
        nodes = [Value(x) for x in data] + list(params)
        for layer in plan:
            made = []
            for n, ws, xs, b, act in layer:
                inputs = [nodes[k % len(nodes)] if k >= 0 else float(k) for k in xs]
                made.append(getattr(weighted_sum([params[w] for w in ws], inputs,
                                                 params[b]), act)())
            nodes = nodes + made
        return sum(nodes[-width:], Value(0.0)) * 0.5
    return rng, params, fn


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_weighted_sum_graphs_match_eager_to_1e_12(seed):
    rng, params, fn = weighted_sum_graph(seed)
    step = compile(fn, params, backend="numpy")
    assert "'wsum'" in step.source
    assert_close(replay(step, params), eager(fn, params))
    for _ in range(2):
        for p in params:
            p.data = rng.uniform(-1.5, 1.5)
        assert_close(replay(step, params), eager(fn, params))


def test_weighted_sums_of_one_level_and_arity_are_one_group():
    ws, xs, b = [Value(0.5), Value(-1.0)], [Value(2.0), Value(3.0)], Value(0.25)
    fn = lambda: (weighted_sum(ws, xs, b) + weighted_sum(xs, ws, 1.0)  # noqa: E731
                  + weighted_sum(ws[:1], [4.0], b))
    step = compile(fn, ws + xs + [b], backend="numpy")
    assert step.source.splitlines() == ["level 1: 2 x 'wsum'", "level 1: 1 x 'wsum'",
                                        "level 2: 1 x 'sum of 3'"]
    # -1.75 + (1.0 - 3.0 + 1.0) + (2.0 + 0.25); d/dw1 = 2 + 2 + 4, d/dx1 = 0.5 + 0.5
    assert replay(step, ws + xs + [b]) == [-0.5, 8.0, 6.0, 1.0, -2.0, 2.0]
    assert replay(step, ws + xs + [b]) == eager(fn, ws + xs + [b])


def moons_demo(points: int):
    """micrograd's demo step: MLP(2, [16, 16, 1]), hinge loss plus L2 (demos/bench.py)."""
    from autograd_tiny.data import make_moons
    X, y = make_moons(points, noise=0.1, seed=1337, signed=True)
    model = MLP(2, [16, 16, 1], seed=3)

    def loss():
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    return model.parameters(), loss


def test_the_full_demo_step_matches_eager_in_every_gradient():
    params, loss = moons_demo(100)
    assert len(params) == 337
    step = compile(loss, params, backend="numpy")
    assert step.source.count("'wsum'") == 3  # one group per layer
    for _ in range(2):
        got, want = replay(step, params), eager(loss, params)
        assert len(got) == 338 and sum(g != 0.0 for g in want[1:]) > 300
        assert got[0] == want[0]  # forward adds in eager mode's order: the same loss
        assert_close(got, want)
        for p in params:
            p.data -= 0.05 * p.grad


def test_weighted_sums_other_rules_are_evaluated_as_formulas(monkeypatch):
    from autograd_tiny.compile import vectorised
    monkeypatch.setattr(vectorised, "_plain_rules", lambda op, arity: None)
    rng, params, fn = weighted_sum_graph(7, levels=2, width=5)
    step = compile(fn, params, backend="numpy")
    assert_close(replay(step, params), eager(fn, params))


def test_the_rules_come_from_the_nodes_op():
    from autograd_tiny.core.ops import Op
    doubled = Op("wsum", "weighted_sum", "w{i} x{i} b", "b + sum_i(w{i} * x{i})",
                 ("x{i}", "3.0 * w{i}", "2.0"))  # not the table's rules: d/dxi, d/db differ
    w, x, b = Value(0.5), Value(4.0), Value(1.0)

    def fn():
        node = weighted_sum([w], [x], b)
        node._op = doubled
        return node
    step = compile(fn, [w, x, b], backend="numpy")
    assert replay(step, [w, x, b]) == [3.0, 4.0, 1.5, 2.0]


def grids(step):
    """The shapes (A, B) of a compiled numpy step's groups that are read as grids."""
    return [(group.grid.a, group.grid.b) for group in step._replay.groups
            if group.grid is not None]


# Weighted sums over P points and J neurons, in either order, each slot reading a
# point's node (a row slot when points are the outer loop), a neuron's node, or both
# kinds of partner: every case of the grid's backward (a rule naming a slot of the
# other kind, of its own kind, or a number), a node in several slots of one node.
GRID_LAYOUTS = {
    "layer": lambda w, x, b, u, v, j, p: weighted_sum(w[j], x[p], b[j]),
    "own kind": lambda w, x, b, u, v, j, p: weighted_sum([w[j][0], v[p]], [u[j], x[p][1]], v[p]),
    "repeats": lambda w, x, b, u, v, j, p: weighted_sum([w[j][0], w[j][0]], [x[p][0], x[p][0]],
                                                        w[j][0]),
    # numbers that are no parameter, the same Values in every node
    "constants": lambda w, x, b, u, v, j, p: weighted_sum([w[j][0], CONSTANTS[0]],
                                                          [CONSTANTS[1], x[p][0]], CONSTANTS[2]),
}
CONSTANTS = [Value(2.0), Value(0.5), Value(1.5)]


@pytest.mark.parametrize("layout", sorted(GRID_LAYOUTS))
@pytest.mark.parametrize("points_outer", [True, False])
@pytest.mark.parametrize("points, neurons", [(7, 5), (9, 1), (1, 6)])
def test_a_layer_over_a_batch_is_read_as_a_grid(layout, points_outer, points, neurons):
    rng = random.Random(points * 100 + neurons)
    draw = lambda n: [Value(rng.uniform(-1, 1)) for _ in range(n)]  # noqa: E731
    w, x = [draw(3) for _ in range(neurons)], [draw(3) for _ in range(points)]
    b, u, v = draw(neurons), draw(neurons), draw(points)
    params = [q for row in w + x for q in row] + b + u + v
    pairs = ([(j, p) for p in range(points) for j in range(neurons)] if points_outer else
             [(j, p) for j in range(neurons) for p in range(points)])
    build = GRID_LAYOUTS[layout]

    def fn():
        return sum((build(w, x, b, u, v, j, p).tanh() for j, p in pairs), Value(0.0)) * 0.5
    step = compile(fn, params, backend="numpy")
    if points > 1 and neurons > 1:
        outer, inner = (points, neurons) if points_outer else (neurons, points)
        assert grids(step) == [(outer, inner)]
    for _ in range(3):
        assert_close(replay(step, params), eager(fn, params))
        for q in params:
            q.data = rng.uniform(-1.5, 1.5)


def test_the_demo_steps_layers_are_grids():
    params, loss = moons_demo(100)
    step = compile(loss, params, backend="numpy")
    # the first two layers: 100 points x 16 neurons; the output neuron: 100 x 1
    assert grids(step) == [(100, 16), (100, 16), (100, 1)]


def test_a_group_that_is_no_grid_is_gathered_whole():
    ws = [Value(0.1 * k) for k in range(6)]
    fn = lambda: sum((weighted_sum([ws[k]], [ws[(k * 5 + 1) % 6]], ws[(k * 2) % 6])  # noqa: E731
                      for k in range(6)), Value(0.0))
    step = compile(fn, ws, backend="numpy")
    assert grids(step) == []
    assert_close(replay(step, ws), eager(fn, ws))
