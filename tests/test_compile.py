"""The compiled path against eager mode: the same loss and gradients (to 1e-12) on
random graphs that use every op of the table, after the parameters move (relu, abs
and leaky_relu taking their other branch included), on big graphs split into several
functions; stale traces detected; bad arguments refused with clear errors."""

from __future__ import annotations

import importlib
import math
import random
import sys
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, weighted_sum
from autograd_tiny.compile import CompiledStep, StaleTraceError, compile
from autograd_tiny.engine import FLOAT_NAMESPACE, reverse_topological_order
from autograd_tiny.nn import MLP
from autograd_tiny.core.ops import TABLE
from compile_checks import close

# The module itself (``autograd_tiny.compile`` may name the function once the package
# re-exports it).
compile_module = importlib.import_module("autograd_tiny.compile.replay")


def eager(fn, params):
    """Loss and gradients the ordinary way: zero grads, build, backward."""
    for p in params:
        p.grad = 0.0
    root = fn()
    root.backward()
    return root.data, [p.grad for p in params]


def compiled(step, params):
    loss = step()
    return loss, [p.grad for p in params]


def assert_same(got, want):
    (loss, grads), (want_loss, want_grads) = got, want
    assert close(loss, want_loss), (loss, want_loss)
    for j, (g, w) in enumerate(zip(grads, want_grads)):
        assert close(g, w), f"params[{j}]: compiled {g!r}, eager {w!r}"


# -- random graphs over the whole op table --------------------------------------------------

# op name -> (number of operands, how to build it). log, sqrt and a Value power get a
# positive base, so most graphs stay finite and the comparison says something.
BUILD = {
    "add": (2, lambda a, b, k: a + b),
    "sub": (2, lambda a, b, k: a - b),
    "mul": (2, lambda a, b, k: a * b),
    "truediv": (2, lambda a, b, k: a / (abs(b) + 0.5)),
    "vpow": (2, lambda a, b, k: (abs(a) + 0.5) ** b.tanh()),
    "pow": (1, lambda a, k: (abs(a) + 0.5) ** k),
    "neg": (1, lambda a, k: -a),
    "abs": (1, lambda a, k: abs(a)),
    "exp": (1, lambda a, k: a.tanh().exp()),
    "log": (1, lambda a, k: (abs(a) + 0.5).log()),
    "sqrt": (1, lambda a, k: (abs(a) + 0.5).sqrt()),
    "tanh": (1, lambda a, k: a.tanh()),
    "sigmoid": (1, lambda a, k: a.sigmoid()),
    "relu": (1, lambda a, k: a.relu()),
    "leaky_relu": (1, lambda a, k: a.leaky_relu(k)),
    "sin": (1, lambda a, k: a.sin()),
    "cos": (1, lambda a, k: a.cos()),
    # n-ary: two weights, one of them a constant, and a node used twice.
    "weighted_sum": (2, lambda a, b, k: weighted_sum([a, b], [b, 1.5], a)),
}


def test_every_op_of_the_table_can_be_built():
    assert set(BUILD) == set(TABLE)


def random_program(rng: random.Random, n_leaves: int, n_ops: int) -> list[tuple]:
    """A recipe for a graph: every op once (in random order), then random ops. Each
    step: (op name, operand indices, a number operand or None, a parameter)."""
    names = list(BUILD)
    rng.shuffle(names)
    names += [rng.choice(list(BUILD)) for _ in range(n_ops - len(names))]
    program = []
    for step_index, name in enumerate(names):
        available = n_leaves + step_index
        # Mostly recent nodes, so the graph is deep as well as wide.
        pick = lambda: max(0, available - 1 - int(rng.expovariate(0.4))) if rng.random() < 0.8 \
            else rng.randrange(available)
        operands = (pick(), pick())
        number = rng.choice([None, None, rng.uniform(-2, 2), -0.0, 2.0])
        parameter = rng.choice([2.0, 3.0, -1.0, 0.5]) if name == "pow" else rng.choice([0.01, 0.2])
        program.append((name, operands, number, parameter))
    return program


def run_program(program: list[tuple], leaves: list[Value]) -> Value:
    nodes = list(leaves)
    for name, (i, j), number, parameter in program:
        arity, build = BUILD[name]
        a, b = nodes[i], nodes[j]
        if arity == 1:
            nodes.append(build(a, parameter))
        elif number is None:
            nodes.append(build(a, b, parameter))
        elif name in ("add", "sub", "mul") and number > 0:
            nodes.append(build(number, b, parameter))  # a number on the left: reflected op
        else:
            nodes.append(build(a, number, parameter) if name != "vpow" else build(a, b, parameter))
    # Every node counts in the loss, so every op is reached.
    return sum(nodes, Value(0.0))


def random_case(seed: int):
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2)) for _ in range(6)]
    params = leaves[:4]  # leaves 4 and 5 are data: constants of the trace
    program = random_program(rng, len(leaves), 30)
    return rng, leaves, params, lambda: run_program(program, leaves)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_graphs_match_eager_before_and_after_the_parameters_move(seed):
    rng, _, params, fn = random_case(seed)
    step = compile(fn, params)
    assert_same(compiled(step, params), eager(fn, params))
    for _ in range(3):
        for p in params:  # new values, signs flipped at random: other branches of relu, abs
            p.data = rng.choice([-1, 1]) * rng.uniform(0, 2)
        assert_same(compiled(step, params), eager(fn, params))


def test_random_graphs_use_every_op_and_mostly_stay_finite():
    finite = 0
    for seed in range(20):
        _, _, params, fn = random_case(seed)
        root = fn()
        assert {node._op.name for node in reverse_topological_order(root) if node._op} == set(TABLE)
        loss = compile(fn, params)()
        finite += math.isfinite(loss)
    assert finite >= 15  # the comparisons above are mostly between real numbers


def test_big_graphs_split_into_several_functions_still_match(monkeypatch):
    monkeypatch.setattr(compile_module, "CHUNK_STATEMENTS", 7)
    for seed in range(5):
        _, _, params, fn = random_case(seed)
        step = compile(fn, params)
        assert step.chunks > 1
        assert_same(compiled(step, params), eager(fn, params))


def test_a_small_mlp_training_run_follows_the_same_trajectory():
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(10)]
    y = [1 if a * b > 0 else -1 for a, b in X]
    models = [MLP(2, [4, 4, 1], seed=3), MLP(2, [4, 4, 1], seed=3)]

    def loss(model):
        scores = [model(x) for x in X]
        data = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(X))
        return data + 1e-4 * sum(p * p for p in model.parameters())

    eager_model, compiled_model = models
    step = compile(lambda: loss(compiled_model), compiled_model.parameters())
    for _ in range(15):
        want = eager(lambda: loss(eager_model), eager_model.parameters())
        got = compiled(step, compiled_model.parameters())
        assert_same(got, want)
        for model in models:
            for p in model.parameters():
                p.data -= 0.5 * p.grad


@pytest.mark.slow
def test_micrograd_demo_step_matches_eager_exactly():
    from autograd_tiny.data import make_moons

    X, y = make_moons(100, noise=0.1, seed=1, signed=True)
    model = MLP(2, [16, 16, 1], seed=1)
    params = model.parameters()

    def loss():
        scores = [model(list(map(Value, x))) for x in X]
        data = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(X))
        return data + 1e-4 * sum(p * p for p in params)

    step = compile(loss, params)
    assert step.nodes == 8_318  # each neuron's net input one weighted_sum node (65,818 without)
    for _ in range(2):
        assert_same(compiled(step, params), eager(loss, params))
        for p in params:
            p.data -= 0.5 * p.grad


# -- what a replay is: exact branches, overwritten grads, no Values -------------------------


def test_relu_abs_and_leaky_relu_take_the_other_branch_exactly():
    w, c = Value(2.0), Value(-1.0)

    def fn():
        return (w * 3.0).relu() + abs(w - 1.0) + (w * c).leaky_relu(0.1)

    step = compile(fn, [w, c])
    for value in [2.0, -2.0, 0.5, -0.5, 0.0, 1.0]:
        w.data = value
        assert_same(compiled(step, [w, c]), eager(fn, [w, c]))
    # By hand at w = -2, c = -1: relu(-6) = 0, |-3| = 3, leaky_relu(2) = 2.
    w.data = -2.0
    assert compiled(step, [w, c]) == (5.0, [-2.0, -2.0])


def test_grads_are_overwritten_not_accumulated():
    p = Value(3.0)
    step = compile(lambda: p * p, [p])
    p.grad = 100.0
    step()
    step()
    assert p.grad == 6.0


def test_a_replay_calls_float_functions_only():
    a, b = Value(0.3), Value(-0.4)
    step = compile(lambda: (a * b).tanh().exp() + a.relu() / (b.sigmoid() + 1), [a, b])
    called = set()

    def profile(frame, event, arg):
        if event == "call":
            called.add(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        step()
    finally:
        sys.setprofile(None)
    # CompiledStep.__call__, the generated function, the table's float functions.
    assert called - set(FLOAT_NAMESPACE) == {"__call__", "replay"}, called
    assert {"tanh", "exp", "relu", "sigmoid", "div", "step"} <= called


def test_constants_inf_nan_and_negative_zero_are_written_exactly():
    w = Value(0.5)
    cases = [
        lambda: w * math.inf + w,
        lambda: (w * -math.inf).relu() + w,
        lambda: w * math.nan,
        lambda: w / 0.0,
        lambda: 1.0 / (w * -0.0 + -0.0),
        lambda: (w * 1e308) * 10.0,
    ]
    for fn in cases:
        for value in (0.5, -0.5):
            w.data = value
            assert_same(compiled(compile(fn, [w]), [w]), eager(fn, [w]))


def test_deep_chains_compile_without_recursion_trouble():
    x, w = Value(0.5), Value(0.999)

    def fn():
        y = x
        for _ in range(3000):
            y = (y * w + 0.001).relu()
        return y

    step = compile(fn, [x, w])
    assert_same(compiled(step, [x, w]), eager(fn, [x, w]))


def test_the_source_is_the_code_that_runs():
    p = Value(2.0)
    step = compile(lambda: (p * p).tanh(), [p])
    namespace = compile_module._namespace()
    exec(step.source, namespace)
    assert namespace["replay"]([p]) == step()
    assert step.source.startswith("def replay(P):")


# -- what the trace cannot see: stale traces ------------------------------------------------


def branchy(x):
    return lambda: x * 2 if x.data > 0 else x * -3


def test_check_every_n_checks_every_nth_call_only():
    x = Value(1.0)
    step = compile(branchy(x), [x], check_every=3)
    x.data = -1.0
    # Calls 1 and 2 are not checked: they replay the old branch (documented).
    assert [step(), step()] == [-2.0, -2.0]
    with pytest.raises(StaleTraceError, match="changed since it was traced"):
        step()


def test_check_every_one_raises_at_once_and_names_what_changed():
    x = Value(1.0)
    step = compile(branchy(x), [x], check_every=1)
    assert step() == 2.0 and x.grad == 2.0
    x.data = -1.0
    with pytest.raises(StaleTraceError) as info:
        step()
    assert isinstance(info.value, RuntimeError)
    assert "constant -3.0" in str(info.value) and "retrace" in str(info.value)


def test_on_stale_retrace_recompiles_and_gives_eager_results():
    x = Value(1.0)
    fn = branchy(x)
    step = compile(fn, [x], check_every=1, on_stale="retrace")
    x.data = -1.0
    assert compiled(step, [x]) == eager(fn, [x]) == (3.0, [-3.0])


def test_retrace_by_hand():
    x = Value(1.0)
    fn = branchy(x)
    step = compile(fn, [x])
    x.data = -1.0
    assert step() == -2.0  # stale, unchecked: the old branch
    step.retrace()
    assert step() == 3.0


def test_a_value_read_from_data_is_a_constant_that_the_check_catches():
    p = Value(2.0)
    fn = lambda: p * Value(p.data)  # the second factor is data, not a parameter
    step = compile(fn, [p], check_every=1)
    assert compiled(step, [p]) == (4.0, [2.0])
    p.data = 3.0
    with pytest.raises(StaleTraceError):
        step()


def test_data_leaves_are_constants_of_the_trace():
    p, x = Value(2.0), Value(5.0)
    step = compile(lambda: p * x, [p])
    x.data = 7.0
    assert compiled(step, [p]) == (10.0, [5.0])  # x as it was at the trace
    step.retrace()
    assert compiled(step, [p]) == (14.0, [7.0])


def test_debug_mode_compares_every_call_with_eager():
    x = Value(1.0)
    step = compile(branchy(x), [x], debug=True)
    assert step() == 2.0
    x.data = 0.5
    assert step() == 1.0
    x.data = -1.0
    with pytest.raises(StaleTraceError):
        step()


def test_debug_mode_catches_a_wrong_replay(monkeypatch):
    p = Value(2.0)
    step = compile(lambda: p * p, [p], debug=True)
    monkeypatch.setattr(step, "_replay", lambda P: 5.0)  # a broken compiler
    with pytest.raises(StaleTraceError, match="loss"):
        step()


# -- what can be detected: bad arguments ------------------------------------------------------


def test_params_the_loss_does_not_reach_get_zero():
    a, b = Value(2.0), Value(3.0)
    step = compile(lambda: a * 4.0, [a, b])
    b.grad = 9.0
    assert compiled(step, [a, b]) == (8.0, [4.0, 0.0])
    assert step.unreached == (1,)


def test_a_loss_that_reaches_no_param_warns():
    p = Value(1.0)
    with pytest.warns(RuntimeWarning, match="none of the params"):
        step = compile(lambda: Value(3.0) * 2.0, [p])
    assert compiled(step, [p]) == (6.0, [0.0])


def test_the_loss_may_be_a_parameter_itself():
    p = Value(4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step = compile(lambda: p, [p])
    assert compiled(step, [p]) == (4.0, [1.0])


@pytest.mark.parametrize("fn, params, error, words", [
    (3.0, [], TypeError, ["fn", "float"]),
    (lambda: 3.0, [], TypeError, ["must return a Value", "float"]),
    (lambda: [Value(1.0)], [], TypeError, ["must return a Value", "list"]),
    (lambda: Value(1.0), Value(1.0), TypeError, ["params", "list of Values", "Value"]),
    (lambda: Value(1.0), [Value(1.0), 2.0], TypeError, ["params[1]", "float"]),
])
def test_wrong_types_raise_type_error(fn, params, error, words):
    with pytest.raises(error) as info:
        compile(fn, params)
    for word in words:
        assert word in str(info.value)
    assert "compile" in str(info.value)


def test_a_parameter_listed_twice_is_refused():
    p = Value(1.0)
    with pytest.raises(ValueError, match=r"params\[1\] is the same Value as params\[0\]"):
        compile(lambda: p * p, [p, p])


def test_a_computed_parameter_is_refused():
    p = Value(1.0)
    q = p * 2
    with pytest.raises(ValueError, match=r"params\[0\].*leaves"):
        compile(lambda: q * q, [q])


@pytest.mark.parametrize("kwargs, error", [
    ({"check_every": 0}, ValueError),
    ({"check_every": "2"}, TypeError),
    ({"check_every": True}, TypeError),
    ({"on_stale": "ignore"}, ValueError),
])
def test_bad_options_are_refused(kwargs, error):
    p = Value(1.0)
    with pytest.raises(error, match="compile"):
        compile(lambda: p * p, [p], **kwargs)


def test_repr_and_attributes_describe_the_compiled_step():
    p = Value(1.0)
    step = compile(lambda: (p * 2.0).tanh(), [p])
    assert isinstance(step, CompiledStep)
    assert step.nodes == 4 and step.chunks == 1 and step.unreached == ()
    assert set(step.timings) == {"trace", "generate", "compile"}
    assert repr(step).startswith("CompiledStep(nodes=4, params=1")
