"""explain() and backward_steps(): the chain rule route by route and step by step,
checked against backward(), an independent route count, and known numbers."""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from autograd_tiny import Value, reverse_topological_order
from autograd_tiny.core.graph import snapshot
from autograd_tiny.teach import (
    backward_steps,
    derivative_text,
    explain,
    formula,
    local_derivative_text,
    node_names,
    number_text,
    steps_table,
)
from autograd_tiny.teach.walkthrough import BIASES, INPUTS, TARGETS, WEIGHTS, network

# Random graphs: each op takes nodes picked from everything built so far, so
# subexpressions are shared and there are several routes to an input.
UNARY = [lambda a: a.tanh(), lambda a: a.sigmoid(), lambda a: a.sin(), lambda a: -a,
         lambda a: a ** 2, lambda a: a.exp().tanh()]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
          lambda a, b: a / (b * b + 1)]

graphs = st.tuples(
    st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=3),
    st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.integers(0, 99),
                       st.integers(0, 99)), min_size=1, max_size=10),
)


def build(spec: tuple[list[float], list[tuple[bool, int, int, int]]]) -> tuple[Value, list[Value]]:
    inputs, ops = spec
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    pool = list(leaves)
    for unary, kind, i, j in ops:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(UNARY[kind % len(UNARY)](a) if unary else BINARY[kind % len(BINARY)](a, b))
    return pool[-1], leaves


def binary_network() -> dict[str, Value]:
    """Mazur's 2-2-2 network written with binary ops, as lecture code writes it
    (net_o1 = w5*out_h1 + w6*out_h2 + b2 is three nodes); ``network()`` is the same
    network built by ``nn.MLP``, one weighted-sum node per net input."""
    nodes = {name: Value(x, label=name) for name, x in {**INPUTS, **WEIGHTS, **BIASES}.items()}

    def named(name: str, node: Value) -> Value:
        node.label = name
        nodes[name] = node
        return node

    def unit(name: str, w1: str, x1: Value, w2: str, x2: Value, b: str) -> Value:
        net = named(f"net_{name}", nodes[w1] * x1 + nodes[w2] * x2 + nodes[b])
        return named(f"out_{name}", net.sigmoid())

    i1, i2 = nodes["i1"], nodes["i2"]
    h1, h2 = unit("h1", "w1", i1, "w2", i2, "b1"), unit("h2", "w3", i1, "w4", i2, "b1")
    o1, o2 = unit("o1", "w5", h1, "w6", h2, "b2"), unit("o2", "w7", h1, "w8", h2, "b2")
    errors = []
    for out, name in ((o1, "o1"), (o2, "o2")):
        target = nodes[f"target_{name}"] = Value(TARGETS[name], label=f"target_{name}")
        errors.append(named(f"E_{name}", 0.5 * (target - out) ** 2))
    named("E_total", errors[0] + errors[1])
    return nodes


def count_routes_naively(node: Value, wrt: Value) -> int:
    """Every path, walked one by one (recursion is fine on these tiny graphs)."""
    if node is wrt:
        return 1
    return sum(count_routes_naively(parent, wrt) for parent in node._prev)


def backward_grads(root: Value) -> dict[Value, float]:
    for node in reverse_topological_order(root):
        node.grad = 0.0
    root.backward()
    grads = {node: node.grad for node in reverse_topological_order(root)}
    for node in grads:
        node.grad = 0.0
    return grads


def render(renderable: object, width: int = 120) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


# -- explain -----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_explain_total_equals_backward_on_random_graphs(spec):
    root, leaves = build(spec)
    grads = backward_grads(root)
    for leaf in leaves:
        explanation = explain(root, leaf, limit=100_000)
        expected = grads.get(leaf, 0.0)
        scale = sum(abs(route.product) for route in explanation.routes) + abs(expected)
        assert explanation.total == pytest.approx(expected, rel=1e-9, abs=1e-12 * (1 + scale))
        assert explanation.route_count == count_routes_naively(root, leaf)
        assert len(explanation.routes) == explanation.route_count
        for route in explanation.routes:  # each product is the product of its edge locals
            product = math.prod(node._local[slot] for factor in route.factors
                                for node, slot in factor.edges)
            assert route.product == pytest.approx(product, rel=1e-12, abs=1e-300)
            # one factor per edge, and the route visits every node on its way
            assert len(route.factors) == len(route.nodes) - 1
            for factor, (top, bottom) in zip(route.factors, zip(route.nodes, route.nodes[1:])):
                ((node, slot),) = factor.edges
                assert (factor.top, factor.bottom, node._prev[slot]) == (top, bottom, bottom)
                assert factor.value == node._local[slot]
            assert math.prod(stage.value for stage in route.stages) == pytest.approx(
                route.product, rel=1e-12, abs=1e-300)


@settings(max_examples=30, deadline=None)
@given(graphs)
def test_explain_past_the_limit_gives_backwards_table(spec):
    root, leaves = build(spec)
    grads = backward_grads(root)
    explanation = explain(root, leaves[0], limit=1)
    assert explanation.total == pytest.approx(grads.get(leaves[0], 0.0), rel=1e-12, abs=1e-15)
    if explanation.route_count > 1:
        assert not explanation.listed and explanation.routes == ()
        rows = {row.node: row for row in explanation.nodes}
        for node, row in rows.items():
            assert row.gradient == pytest.approx(grads.get(node, 0.0), rel=1e-12, abs=1e-15)
            assert row.routes_from_root == count_routes_naively(root, node)


def test_explain_lecture_example_routes():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = c + a
    L.label = "L"
    e = explain(L, a)
    assert [route.chain for route in e.routes] == ["∂L/∂c * ∂c/∂a", "∂L/∂a"]
    assert [route.product for route in e.routes] == [-3.0, 1.0]
    assert e.total == -2.0
    assert "total: dL/da = -3 + 1 = -2" in str(e)


def test_explain_seed_chain_for_w5_one_factor_per_edge_and_the_seeds_stages():
    nodes = binary_network()
    e = explain(nodes["E_total"], nodes["w5"])
    assert e.route_count == 1
    route = e.routes[0]
    # Every factor is one edge: the local derivative the engine recorded on it.
    assert all(len(factor.edges) == 1 for factor in route.factors)
    assert [factor.value for factor in route.factors] == [
        node._local[slot] for factor in route.factors for node, slot in factor.edges]
    assert route.chain == (
        "∂E_total/∂E_o1 * ∂E_o1/∂((target_o1 - out_o1)**2) * "
        "∂((target_o1 - out_o1)**2)/∂(target_o1 - out_o1) * ∂(target_o1 - out_o1)/∂out_o1 * "
        "∂out_o1/∂net_o1 * ∂net_o1/∂(w5*out_h1 + w6*out_h2) * "
        "∂(w5*out_h1 + w6*out_h2)/∂(w5*out_h1) * ∂(w5*out_h1)/∂w5")
    assert route.values == "1 * 0.5 * -1.482730139 * -1 * 0.186815602 * 1 * 1 * 0.593269992"
    assert route.product == pytest.approx(0.082167041, abs=5e-10)
    # Between labelled nodes the route is Mazur's, with Mazur's numbers.
    assert [(stage.name, number_text(stage.value)) for stage in route.stages] == [
        ("∂E_total/∂E_o1", "1"), ("∂E_o1/∂out_o1", "0.74136507"),
        ("∂out_o1/∂net_o1", "0.186815602"), ("∂net_o1/∂w5", "0.593269992")]
    assert len(route.stages[1].edges) == 3 and len(route.stages[3].edges) == 3
    text = str(e)
    assert ("between labelled nodes: ∂E_total/∂E_o1 * ∂E_o1/∂out_o1 * ∂out_o1/∂net_o1 * "
            "∂net_o1/∂w5") in text
    assert "= 1 * 0.74136507 * 0.186815602 * 0.593269992" in text
    assert "= 0.082167041" in text
    route_lines = text.split("\nwhere")[0].splitlines()
    assert max(len(line) for line in route_lines) <= 100  # long routes wrap
    rules = {factor.name: factor.rule for factor in route.factors}
    assert rules["∂out_o1/∂net_o1"] == "out_o1 * (1.0 - out_o1)"  # sigmoid's row in ops.py
    assert rules["∂(w5*out_h1)/∂w5"] == "out_h1"                    # mul: ∂(a*b)/∂a = b
    assert rules["∂net_o1/∂(w5*out_h1 + w6*out_h2)"] == "1.0"        # add passes it on


def test_a_route_grouped_as_mazur_writes_it():
    nodes = network()
    (route,) = explain(nodes["E_total"], nodes["w5"]).routes
    seed = route.grouped_at([nodes["out_o1"], nodes["net_o1"]])
    assert [(f.name, number_text(f.value)) for f in seed] == [
        ("∂E_total/∂out_o1", "0.74136507"), ("∂out_o1/∂net_o1", "0.186815602"),
        ("∂net_o1/∂w5", "0.593269992")]
    assert seed[2].rule == "out_h1" and len(seed[0].edges) == 4
    assert math.prod(f.value for f in seed) == route.product
    assert route.grouped_at([]) == (route.grouped_at([])[0],)  # one stretch: the whole route
    assert route.grouped_at([])[0].name == "∂E_total/∂w5"


def test_explain_w1_has_a_route_through_each_output():
    nodes = binary_network()
    e = explain(nodes["E_total"], nodes["w1"])
    assert [route.factors[0].name for route in e.routes] == ["∂E_total/∂E_o1",
                                                            "∂E_total/∂E_o2"]
    assert all(route.factors[-1].name == "∂(w1*i1)/∂w1" for route in e.routes)
    assert all(route.stages[-1].name == "∂net_h1/∂w1" for route in e.routes)
    assert [len(route.factors) for route in e.routes] == [12, 12]
    nodes["E_total"].backward()
    assert e.total == pytest.approx(nodes["w1"].grad, rel=1e-12)
    assert e.total == pytest.approx(0.000438568, abs=5e-10)


def test_explain_never_skips_a_labelled_node_lecture_chain():
    """Issue 11 item 3: with e = a*b and d = e + c labelled, the chain goes through e."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    explanation = explain(L, a)
    (route,) = explanation.routes
    assert route.chain == "∂L/∂d * ∂d/∂e * ∂e/∂a"
    assert [factor.value for factor in route.factors] == [-2.0, 1.0, -3.0]
    assert [factor.rule for factor in route.factors] == ["f", "1.0", "b"]
    assert route.nodes == (L, d, e, a) and not route.grouped
    assert str(explanation).splitlines() == [
        "dL/da: 1 route leads from L back to a",
        "  ∂L/∂d * ∂d/∂e * ∂e/∂a = -2 * 1 * -3 = 6",
        "where",
        "  ∂L/∂d = f = -2",
        "  ∂e/∂a = b = -3",
    ]
    # Unlabelled in between: the picture names that node "a*b", and so does the chain.
    g = (a * b + c) * f
    (route,) = explain(g, a).routes
    assert route.chain == "∂((a*b + c)*f)/∂(a*b + c) * ∂(a*b + c)/∂(a*b) * ∂(a*b)/∂a"
    assert route.product == 6.0


def test_an_input_used_twice_gives_two_routes_told_apart():
    x = Value(3.0, label="x")
    y = x / x  # d/da = 1/b = 1/3 and d/db = -out/b = -1/3: the two uses differ
    y.label = "y"
    e = explain(y, x)
    assert [(route.chain, route.product) for route in e.routes] == [
        ("∂y/∂x (as input 1)", 1 / 3), ("∂y/∂x (as input 2)", -1 / 3)]
    assert e.total == 0.0
    assert [step.local_name for step in backward_steps(y)] == ["∂y/∂x (as input 1)", "∂y/∂x (as input 2)"]


def test_explain_too_many_routes_counts_them_without_listing():
    x = Value(1.5, label="x")
    y = x
    for _ in range(60):  # each level doubles the routes: 2**60 of them
        y = y + y
    y.label = "y"
    e = explain(y, x)
    assert e.route_count == 2 ** 60
    assert not e.listed and e.routes == ()
    assert e.total == 2.0 ** 60  # d(2**60 x)/dx
    assert e.edge_count == 120
    text = str(e)
    assert "too many to list (limit 64)" in text
    # The reason quotes its source by title now, and gives the count in its own words.
    assert '"Backpropagation - Simple Notes"' in text
    assert "one multiplication per edge, 120 here" in text
    rendered = render(e)
    assert "Why backward() does not list routes" in rendered and "1,152,921,504,606,846,976" in rendered


def test_explain_long_chain_needs_no_recursion():
    x = Value(0.5, label="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    e = explain(y, x)
    assert e.route_count == 1
    assert e.total == pytest.approx(1.0001 ** 20_000, rel=1e-9)


def test_explain_input_not_in_graph_and_root_itself():
    x, other = Value(2.0, label="x"), Value(1.0, label="z")
    y = x * x
    y.label = "y"
    missing = explain(y, other)
    assert (missing.route_count, missing.total, missing.routes) == (0, 0.0, ())
    assert str(missing) == "y does not depend on z: no route leads back to it, so dy/dz = 0"
    itself = explain(y, y)
    assert itself.total == 1.0 and itself.routes[0].chain == "1"


def test_explain_bad_arguments():
    x = Value(1.0)
    with pytest.raises(TypeError, match="explain: root must be a Value, got float"):
        explain(1.0, x)
    with pytest.raises(TypeError, match="explain: wrt must be a Value, got str"):
        explain(x, "x")
    with pytest.raises(ValueError, match="explain: limit must be at least 1, got 0"):
        explain(x, x, limit=0)
    with pytest.raises(TypeError, match="explain: limit must be an int"):
        explain(x, x, limit=2.5)


def test_explain_renders_with_rich():
    nodes = binary_network()
    text = render(explain(nodes["E_total"], nodes["w1"]), width=200)
    assert "∂(w7*out_h1)/∂out_h1 * ∂out_h1/∂net_h1" in text
    assert "between labelled nodes: ∂E_total/∂E_o2 * ∂E_o2/∂out_o2 * ∂out_o2/∂net_o2" in text
    assert "out_h1 * (1.0 - out_h1)" in text
    assert "total: dE_total/dw1 = 0.000438568" in text


def test_explain_sqrt_minus_sqrt_at_zero_is_nan_with_a_note():
    """Issue 11 item 5: inf - inf in the route sum is IEEE's nan, never fsum's ValueError."""
    x = Value(0.0, label="x")
    y = x.sqrt() - x.sqrt()
    e = explain(y, x)
    assert [route.product for route in e.routes] == [math.inf, -math.inf]
    assert math.isnan(e.total)
    text = str(e)
    assert "total: d(sqrt(x) - sqrt(x))/dx = inf - inf = nan" in text
    assert "their sum is nan (IEEE: inf - inf is undefined)" in text
    y.backward()
    assert math.isnan(x.grad)  # backward agrees
    assert "note" in render(e)
    big = Value(1e308, label="big")
    z = big * 10 - big * 10  # the data overflows (inf - inf); the gradient is 10 - 10
    assert explain(z, big).total == 0.0


def test_explain_says_when_grad_holds_earlier_passes():
    """Issue 11 item 13: after a second backward(), a.grad is 12; explain shows this
    pass's 6 and says that .grad includes earlier passes."""
    a = Value(3.0, label="a")
    L = a * a
    L.label = "L"
    assert explain(L, a).notes() == []  # before backward: nothing to say
    L.backward()
    assert explain(L, a).notes() == []  # one pass: .grad is this pass's gradient
    L.backward()
    e = explain(L, a)
    assert (e.total, e.grad, a.grad, e.accumulated) == (6.0, 12.0, 12.0, True)
    assert ("note: a.grad = 12 now, not 6: this explains one backward pass, and .grad adds "
            "up every backward() since it was last zeroed, so it includes earlier passes"
            ) in str(e)
    assert "includes earlier passes" in render(e)
    a.grad = 0.0
    L.backward()
    assert not explain(L, a).accumulated


def test_every_name_explain_prints_is_a_snapshot_name():
    nodes = network()
    graph = snapshot(nodes["E_total"])
    names = set(graph.names.values())
    for weight in ("w1", "w5", "b1"):
        e = explain(nodes["E_total"], nodes[weight])
        for route in e.routes:
            for factor in route.factors + route.stages:
                assert graph.names[factor.top] in names and graph.names[factor.bottom] in names
                assert factor.name.startswith(local_derivative_text(
                    graph.names[factor.top], graph.names[factor.bottom]))


def test_explain_leaves_gradients_alone():
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    explain(y, x)
    assert x.grad == 0.0 and y.grad == 0.0


# -- names and numbers ----------------------------------------------------------------------


def test_names_of_unlabelled_nodes_are_their_expressions():
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(1.0, label="b")
    s = w * (x + b)
    t = (s - (x - b)).tanh() ** 2
    names = node_names(t)
    assert names[s] == "w*(x + b)"
    assert names[t._prev[0]._prev[0]] == "w*(x + b) - (x - b)"
    assert names[t] == "tanh(w*(x + b) - (x - b))**2"
    assert derivative_text("y", "w*x") == "dy/d(w*x)"


def test_long_expressions_get_short_names_made_of_their_neighbours():
    x = Value(1.0, label="x")
    y = x
    for _ in range(12):
        y = y * x + 1
    names = node_names(y)
    assert names[y] == "((… + 1)*x + 1)*x + 1"
    assert all("#" not in name and len(name) <= 32 for name in names.values())
    # A label too long to shorten around falls back to the op and a number.
    long = Value(1.0, label="a_very_long_label_that_fills_the_name")
    z = long * long
    assert node_names(z)[z] == "mul#1"


def test_formula_with_names_and_numbers():
    nodes = network()  # an nn.MLP: its net input is one weighted-sum node (contract B),
    if len(nodes["net_o1"]._prev) == 5:  # written w5*out_h1 + w6*out_h2 + b2,
        assert formula(nodes["net_o1"]) == "w5*out_h1 + w6*out_h2 + b2"
        assert formula(nodes["net_h1"], numbers=True) == "0.15*0.05 + 0.2*0.1 + 0.35"
    else:  # or binary nodes added in micrograd's order, bias first
        assert formula(nodes["net_o1"]) == "b2 + w5*out_h1 + w6*out_h2"
        assert formula(nodes["net_h1"], numbers=True) == "0.35 + 0.15*0.05 + 0.2*0.1"
    assert formula(nodes["E_o1"]) == "0.5*(target_o1 - out_o1)**2"
    minus = Value(-3.0, label="m") ** 2
    assert formula(minus, numbers=True) == "(-3)**2"


def test_number_text():
    assert number_text(0.08216704056423077) == "0.082167041"
    assert number_text(-0.0) == "0"
    assert number_text(1e-12) == "1e-12"
    assert number_text(float("inf")) == "inf"


# -- backward_steps ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_steps_end_where_backward_ends(spec):
    root, _ = build(spec)
    expected = backward_grads(root)
    steps = list(backward_steps(root))
    order = reverse_topological_order(root)
    assert len(steps) == sum(len(node._prev) for node in order)
    for node in order:
        assert node.grad == expected[node]  # the same arithmetic in the same order
    totals: dict[Value, float] = {}
    for step in steps:
        assert step.contribution == step.upstream * step.local
        assert step.before == totals.get(step.parent, 0.0)
        totals[step.parent] = step.total
    last = {step.parent: step for step in steps}
    assert all(step.final for step in last.values())
    assert sum(step.final for step in steps) == len(last)


def test_steps_accumulate_like_backward():
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    for _ in backward_steps(y):
        pass
    assert x.grad == 12.0  # 6 from backward(), 6 more from the steps


def test_steps_do_nothing_until_asked():
    x = Value(3.0, label="x")
    x.grad = 5.0
    steps = backward_steps(x * x)
    assert x.grad == 5.0
    first = next(steps)
    assert (first.upstream, first.local, first.total) == (1.0, 3.0, 3.0)


def test_steps_text_repr_and_rich():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = c + a
    L.label = "L"
    steps = list(backward_steps(L))
    third = steps[2]
    assert (third.node_name, third.parent_name) == ("c", "a")
    assert str(third).splitlines() == [
        "step 3: c passes gradient to a",
        "  upstream       dL/dc = 1",
        "  local          ∂c/∂a = b = -3    (*)",
        "  contribution   1 * -3 = -3",
        "  running total  dL/da = 1 - 3 = -2    (complete)",
    ]
    assert repr(third) == "<step 3: c -> a: 1 * -3 = -3, a.grad = -2>"
    assert "∂c/∂a = b = -3" in render(third)


def test_steps_table_renders_every_step():
    nodes = network()
    text = render(steps_table(backward_steps(nodes["E_total"])), width=220)
    edges = sum(len(n._prev) for n in reverse_topological_order(nodes["E_total"]))
    assert text.count("\n") > edges
    assert "out_o1 * (1.0 - out_o1)" in text
    assert nodes["w5"].grad == pytest.approx(0.08216704056423077, rel=1e-12)


def test_steps_bad_arguments():
    with pytest.raises(TypeError, match="backward_steps: root must be a Value, got int"):
        backward_steps(3)
    with pytest.raises(TypeError, match="backward_steps: gradient must be a number, got str"):
        backward_steps(Value(1.0), "1")


def test_a_step_walk_stopped_part_way_takes_back_only_its_own_work():
    x = Value(3.0, label="x")
    x.grad = 5.0
    y = x * x
    steps = backward_steps(y)
    first = next(steps)
    assert x.grad == 8.0  # mid-walk .grad tells the truth: 5 from before + 3 so far
    assert (first.total, first.grad, first.earlier) == (3.0, 8.0, 5.0)
    steps.close()
    assert (x.grad, y.grad) == (5.0, 0.0)
    for _ in backward_steps(y):  # a complete walk adds to what was there
        pass
    assert x.grad == 5.0 + 6.0


def test_a_dropped_half_walk_keeps_a_later_backward():
    """Issue 11 item 13: deleting a half-stepped generator must not roll back the
    gradients of a full backward() that ran after it started."""
    a = Value(3.0, label="a")
    L = a * a
    steps = backward_steps(L)
    next(steps)
    assert a.grad == 3.0
    L.backward()  # the user moves on
    assert a.grad == 9.0  # 3 from the half walk, 6 from backward
    del steps  # the walk is dropped: it takes back its 3, and only that
    assert (a.grad, L.grad) == (6.0, 1.0)


def test_steps_end_exactly_where_backward_ends_with_earlier_gradients():
    nodes, again = network(), network()
    for graph in (nodes, again):
        graph["E_total"].backward()
    again["E_total"].backward()
    for _ in backward_steps(nodes["E_total"]):
        pass
    for name in ("w1", "w5", "b1", "out_h1", "E_o1", "E_total"):
        assert nodes[name].grad == again[name].grad


def test_steps_table_grad_column_agrees_with_grad():
    """Issue 11 item 13: after steps_table(backward_steps(L)) on top of an earlier
    backward, the '.grad now' column shows what .grad holds."""
    a = Value(3.0, label="a")
    L = a * a
    L.label = "L"
    L.backward()
    steps = list(backward_steps(L))
    assert [(step.total, step.grad, step.earlier) for step in steps] == [
        (3.0, 9.0, 6.0), (6.0, 12.0, 6.0)]
    assert a.grad == 12.0
    assert str(steps[1]).splitlines()[-1] == (
        "  .grad          a.grad = 6 + 6 from earlier passes = 12")
    a.grad = L.grad = 0.0
    L.backward()
    text = render(steps_table(backward_steps(L)), width=160)
    last = [line for line in text.splitlines() if line.strip().startswith("│ 2")
            or line.lstrip("│ ").startswith("2 ")][0]
    assert last.rstrip(" │").endswith("12") and "this pass" in text
    assert "earlier backward() passes" in text
    assert a.grad == 12.0


def test_a_negative_earlier_gradient_is_subtracted_in_the_grad_row():
    """A negative number added is written as a subtraction, as the running total is:
    the .grad row reads "1 - 2", never "1 + -2"."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b; c.label = "c"
    L = c + a; L.label = "L"
    L.backward()
    earlier = a.grad  # dL/da = b + 1, from the first pass
    rows = {step.index: str(step).splitlines()[-1] for step in backward_steps(L)
            if step.parent is a}
    assert earlier < 0 and "+ -" not in "".join(rows.values())
    first, second = sorted(rows)
    assert rows[first].endswith(f"a.grad = 1 - {-earlier:g} from earlier passes = "
                                f"{1 + earlier:g}")
    assert rows[second].endswith(f"a.grad = {earlier:g} - {-earlier:g} from earlier "
                                 f"passes = {2 * earlier:g}")
    assert a.grad == 2 * earlier


def test_steps_table_takes_a_value_and_refuses_other_things():
    """Issue 10: steps_table(L) with a Value steps it instead of a raw TypeError."""
    x = Value(3.0, label="x")
    y = x * x
    table = steps_table(y)
    # A Value is stepped as a dry run now: the table shows the steps, .grad is left alone.
    assert table.row_count == 2 and x.grad == 0.0
    with pytest.raises(TypeError, match="steps_table: steps must be backward_steps"
                                        r"\(...\) or a Value, got int"):
        steps_table(3)
    with pytest.raises(TypeError, match="steps_table: expected the steps of "
                                        "backward_steps.*got float"):
        steps_table([1.0])


def test_steps_by_neuron_on_mazurs_network():
    nodes = binary_network()
    steps = list(backward_steps(nodes["E_total"], by="neuron"))
    assert [(step.name, step.neuron) for step in steps] == [
        ("E_total", False), ("E_o1", False), ("E_o2", False),
        ("o1", True), ("o2", True), ("h1", True), ("h2", True)]  # output layer first
    o1 = steps[3]
    assert [node.label for node in o1.nodes] == ["out_o1", "net_o1"]
    assert number_text(o1.gradients[0]) == "0.74136507"   # dE_total/dout_o1
    assert number_text(o1.delta) == "0.138498562"          # dE_total/dnet_o1
    (inside,) = o1.inside
    assert (inside.rule, number_text(inside.local)) == ("out_o1 * (1.0 - out_o1)",
                                                        "0.186815602")
    links = {link.target_name: link for link in o1.links}
    assert list(links) == ["w5", "out_h1", "w6", "out_h2", "b2"]  # as net_o1 is written
    assert (links["w5"].rule, links["w5"].local) == ("out_h1", nodes["out_h1"].data)
    assert number_text(links["w5"].contribution) == "0.082167041"
    assert links["w5"].final and not links["out_h1"].final  # o2 adds to dE/dout_h1 next
    o2_links = {link.target_name: link for link in steps[4].links}
    assert o2_links["out_h1"].final and o2_links["b2"].final
    assert number_text(o2_links["b2"].total) == "0.100400325"  # dE_total/db2, told in order
    assert links["out_h1"].rule == "w5" and links["out_h1"].local == 0.4
    text = str(o1)
    assert text.splitlines()[0] == "step 4: neuron o1 passes gradient back"
    assert "  delta     dE_total/dnet_o1 = 0.74136507 * 0.186815602 = 0.138498562" in text
    assert ("∂net_o1/∂w5 = out_h1 = 0.593269992: dE_total/dw5 gets 0.138498562 * "
            "0.593269992 = 0.082167041    (complete)") in text
    h1 = steps[5]
    assert number_text(h1.gradients[0]) == "0.036350306"  # dE_total/dout_h1, both outputs
    assert number_text({link.target_name: link for link in h1.links}["w1"].contribution
                       ) == "0.000438568"
    # every edge is in exactly one neuron step, and the walk is backward's
    assert sum(len(step.edges) for step in steps) == snapshot(nodes["E_total"]).edge_count
    again = binary_network()
    again["E_total"].backward()
    for name in ("w1", "w5", "b1", "b2", "i1"):
        assert nodes[name].grad == again[name].grad


def test_steps_by_neuron_bad_arguments_and_stopping():
    x = Value(2.0, label="x")
    with pytest.raises(ValueError, match="by must be 'edge' or 'neuron', got 'layer'"):
        backward_steps(x * x, by="layer")
    with pytest.raises(TypeError, match="by must be a str, got int"):
        backward_steps(x * x, by=1)
    nodes = network()
    walk = backward_steps(nodes["E_total"], by="neuron")
    next(walk)
    walk.close()
    assert all(node.grad == 0.0 for node in nodes.values())


# -- a network named as nn names it (contract C), built by hand until nn is merged ------------


def named_mlp() -> tuple[Value, dict[str, Value]]:
    """A 2-2-1 tanh network on two data points with mse: parameters L1.N1.w1 ...,
    each call's net and out labelled L1.N1.net / L1.N1.out, the loss unlabelled."""
    from autograd_tiny.nn.losses import mse_loss

    values = {"L1.N1.w1": 0.5, "L1.N1.w2": -0.3, "L1.N1.b": 0.1, "L1.N2.w1": -0.2,
              "L1.N2.w2": 0.8, "L1.N2.b": 0.0, "L2.N1.w1": 1.5, "L2.N1.w2": -1.1,
              "L2.N1.b": 0.2}
    p = {name: Value(value, label=name) for name, value in values.items()}

    def neuron(name: str, inputs: list, activation: bool = True) -> Value:
        net = p[f"{name}.w1"] * inputs[0] + p[f"{name}.w2"] * inputs[1] + p[f"{name}.b"]
        net.label = f"{name}.net"
        if not activation:
            return net
        out = net.tanh()
        out.label = f"{name}.out"
        return out

    def model(x: list[float]) -> Value:
        return neuron("L2.N1", [neuron("L1.N1", x), neuron("L1.N2", x)], activation=False)

    return mse_loss([model([1.0, 2.0]), model([-1.0, 0.5])], [1.0, -1.0]), p


def test_explain_a_named_network_reads_through_named_neurons():
    loss, p = named_mlp()
    grads = backward_grads(loss)
    graph = snapshot(loss)
    for name, weight in p.items():
        e = explain(loss, weight)
        assert e.total == pytest.approx(grads[weight], rel=1e-12, abs=1e-15)
        for route in e.routes:
            for factor in route.factors + route.stages:
                assert factor.name.startswith(local_derivative_text(
                    graph.names[factor.top], graph.names[factor.bottom]))
    e = explain(loss, p["L1.N1.w1"])
    assert e.route_count == 2  # one route per data point
    stage_names = [[stage.name for stage in route.stages][1:] for route in e.routes]
    assert stage_names == [["∂L2.N1.net/∂L1.N1.out", "∂L1.N1.out/∂L1.N1.net",
                            "∂L1.N1.net/∂L1.N1.w1"]] * 2
    assert all(route.stages[0].name.endswith("/∂L2.N1.net") for route in e.routes)


def test_steps_by_neuron_on_a_named_network():
    loss, p = named_mlp()
    grads = backward_grads(loss)
    steps = list(backward_steps(loss, by="neuron"))
    assert [step.name for step in steps][1:] == [
        "L2.N1 (call 1 of 2)", "L2.N1 (call 2 of 2)",
        "L1.N1 (call 1 of 2)", "L1.N2 (call 1 of 2)",
        "L1.N1 (call 2 of 2)", "L1.N2 (call 2 of 2)"]
    assert not steps[0].neuron and all(step.neuron for step in steps[1:])
    for weight in p.values():  # what the steps pass to a weight adds up to its gradient
        passed = [link.contribution for step in steps for link in step.links
                  if link.target is weight]
        assert math.fsum(passed) == pytest.approx(grads[weight], rel=1e-12, abs=1e-15)
        assert weight.grad == grads[weight]  # the walk is backward's arithmetic
    last = [link for link in steps[-1].links if link.target is p["L1.N2.w1"]][0]
    assert last.final and last.total == pytest.approx(grads[p["L1.N2.w1"]], rel=1e-12)
    first_l1 = steps[3]
    assert [node.label for node in first_l1.nodes] == ["L1.N1.out", "L1.N1.net"]
    out, net = first_l1.nodes  # this call's nodes: the steps' numbers are backward's
    assert first_l1.gradients == (grads[out], grads[net]) and first_l1.delta == grads[net]
    assert first_l1.delta == pytest.approx(grads[out] * (1 - out.data ** 2), rel=1e-12)


def test_explain_and_steps_on_a_real_named_mlp():
    """nn.MLP names its weights and each call's net and out nodes (contract C) and
    computes each net input as one weighted-sum node (contract B): explain goes
    through the named neurons one edge per factor, and by-neuron steps go layer by
    layer; every name printed is a name the snapshot (and so the picture) has."""
    from autograd_tiny import MLP
    from autograd_tiny.nn.losses import mse_loss

    model = MLP(2, [3, 1], seed=1)
    loss = mse_loss([model([1.0, 2.0]), model([-1.0, 0.5])], [1.0, -1.0])
    loss.label = "loss"
    graph = snapshot(loss)
    names = set(graph.names.values())
    grads = backward_grads(loss)
    for name, weight in model.named_parameters():
        e = explain(loss, weight)
        assert (e.root_name, e.wrt_name) == ("loss", name)
        assert e.total == pytest.approx(grads[weight], rel=1e-12, abs=1e-15)
        for route in e.routes:
            for factor in route.factors:
                assert {factor.top_name, factor.bottom_name} <= names
                assert len(factor.edges) == 1
    (route, _) = explain(loss, dict(model.named_parameters())["L1.N1.w1"]).routes
    assert route.chain.endswith(
        "∂L2.N1.net/∂L1.N1.out * ∂L1.N1.out/∂L1.N1.net * ∂L1.N1.net/∂L1.N1.w1")
    assert [factor.rule for factor in route.factors][-3:] == [
        "L2.N1.w1", "step(L1.N1.net)", "1"]  # weighted_sum's d net/d w1 = x1 (here 1.0)
    steps = list(backward_steps(loss, by="neuron"))
    assert [step.name for step in steps] == [
        "loss", "L2.N1 (call 1 of 2)", "L2.N1 (call 2 of 2)",
        "L1.N1 (call 1 of 2)", "L1.N2 (call 1 of 2)", "L1.N3 (call 1 of 2)",
        "L1.N1 (call 2 of 2)", "L1.N2 (call 2 of 2)", "L1.N3 (call 2 of 2)"]
    for step in steps:
        assert set(step.node_names) <= names
        assert {link.target_name for link in step.links} <= names
    for _, weight in model.named_parameters():
        passed = [link.contribution for step in steps for link in step.links
                  if link.target is weight]
        assert math.fsum(passed) == pytest.approx(grads[weight], rel=1e-12, abs=1e-15)
        assert weight.grad == grads[weight]


def test_rules_multiplied_keep_their_meaning():
    from autograd_tiny.teach.notation import _product_of_rules

    assert _product_of_rules(["0.5", "x if c else y", "1.0", "a + b", "f(a - b)", "-1.0"]) == (
        "0.5 * (x if c else y) * (a + b) * f(a - b) * -1.0")
    assert _product_of_rules(["1.0", "a + b"]) == "a + b"  # alone: no parentheses
    assert _product_of_rules(["1.0", "1.0"]) == "1.0"


def test_steps_table_of_neuron_steps():
    nodes = network()
    steps = list(backward_steps(nodes["E_total"], by="neuron"))
    for node in nodes.values():
        node.grad = 0.0
    table = steps_table(backward_steps(nodes["E_total"], by="neuron"))
    assert table.row_count == sum(len(step.links) for step in steps) == 2 + 2 + 2 + 5 * 4
    text = render(table, width=160)
    assert "backward, one neuron at a time" in text
    o1_w5 = [line for line in text.splitlines() if "│ w5 " in line][0]
    assert "0.593269992" in o1_w5 and "0.082167041" in o1_w5
    assert "0.138498562" in text  # neuron o1's delta, its upstream for w5..b2


@settings(max_examples=40, deadline=None)
@given(graphs)
def test_snapshot_is_backwards_order_and_counts(spec):
    root, _ = build(spec)
    graph = snapshot(root)
    assert graph.order == reverse_topological_order(root)  # the order backward visits
    assert graph.uses[root] == 0 and graph.edge_count == sum(
        len(node._prev) for node in graph.order)
    for node in graph.order:
        assert graph.uses[node] == sum(parent is node for user in graph.order
                                       for parent in user._prev)
