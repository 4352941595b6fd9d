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
from autograd_tiny.teach import (
    backward_steps,
    derivative_text,
    explain,
    formula,
    node_names,
    number_text,
    steps_table,
)
from autograd_tiny.teach.walkthrough import network

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
    assert [route.chain for route in e.routes] == ["dL/dc * dc/da", "dL/da"]
    assert [route.product for route in e.routes] == [-3.0, 1.0]
    assert e.total == -2.0
    assert "total: dL/da = -3 + 1 = -2" in str(e)


def test_explain_seed_chain_for_w5_reads_like_the_seed():
    nodes = network()
    e = explain(nodes["E_total"], nodes["w5"])
    assert e.route_count == 1
    assert ("dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.74136507 * 0.186815602 "
            "* 0.593269992 = 0.082167041") in str(e).splitlines()[1]
    rules = {factor.name: factor.rule for factor in e.routes[0].factors}
    assert rules["dout_o1/dnet_o1"] == "out_o1 * (1.0 - out_o1)"  # sigmoid's row in ops.py
    assert rules["dnet_o1/dw5"] == "out_h1"                         # mul: d(a*b)/da = b


def test_explain_w1_has_a_route_through_each_output():
    nodes = network()
    e = explain(nodes["E_total"], nodes["w1"])
    assert [route.factors[0].name for route in e.routes] == ["dE_total/dout_o1",
                                                            "dE_total/dout_o2"]
    assert all(route.factors[-1].name == "dnet_h1/dw1" for route in e.routes)
    nodes["E_total"].backward()
    assert e.total == pytest.approx(nodes["w1"].grad, rel=1e-12)


def test_an_input_used_twice_gives_two_routes_told_apart():
    x = Value(3.0, label="x")
    y = x / x  # d/da = 1/b = 1/3 and d/db = -out/b = -1/3: the two uses differ
    y.label = "y"
    e = explain(y, x)
    assert [(route.chain, route.product) for route in e.routes] == [
        ("dy/dx (as a)", 1 / 3), ("dy/dx (as b)", -1 / 3)]
    assert e.total == 0.0
    assert [step.local_name for step in backward_steps(y)] == ["dy/dx (as a)", "dy/dx (as b)"]


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
    assert "Efficiency" in text and "one multiplication per edge: 120" in text
    rendered = render(e)
    assert "Efficiency" in rendered and "1,152,921,504,606,846,976" in rendered


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
    nodes = network()
    text = render(explain(nodes["E_total"], nodes["w1"]), width=200)
    assert "dE_total/dout_o2 * dout_o2/dnet_o2 * dnet_o2/dout_h1" in text
    assert "out_h1 * (1.0 - out_h1)" in text
    assert "total: dE_total/dw1 = 0.000438568" in text


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


def test_long_expressions_get_short_names():
    x = Value(1.0, label="x")
    y = x
    for _ in range(12):
        y = y * x + 1
    assert node_names(y)[y].startswith("add#")


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
        "  local          dc/da = b = -3    (*)",
        "  contribution   1 * -3 = -3",
        "  running total  dL/da = 1 - 3 = -2    (complete)",
    ]
    assert repr(third) == "<step 3: c -> a: 1 * -3 = -3, a.grad = -2>"
    assert "dc/da = b = -3" in render(third)


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


def test_a_step_walk_stopped_part_way_leaves_every_gradient_as_it_was():
    x = Value(3.0, label="x")
    x.grad = 5.0
    y = x * x
    steps = backward_steps(y)
    next(steps)
    assert x.grad == 3.0  # mid-walk: this pass's running total
    steps.close()
    assert (x.grad, y.grad) == (5.0, 0.0)
    for _ in backward_steps(y):  # a complete walk adds to what was there
        pass
    assert x.grad == 5.0 + 6.0
