"""The teaching tools read nodes only through contract A (``_prev``, ``_local``, ``_op``
with ``op.input_names(n)`` / ``op.local_rules(n)``), so they work for nodes of any
arity (the weighted-sum op of contract B: Mazur's network with one net node per
neuron) and for hand-built nodes whose op the table does not know (micrograd's way
to add an op: ``Value(x, (a,), 'softplus')`` with its own ``_backward``). A small
stand-in (a ``Value`` subclass reporting its inputs through ``_prev``/``_local``)
checks that nothing but contract A is read."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value, weighted_sum as real_weighted_sum
from autograd_tiny.core.graph import snapshot
from autograd_tiny.core.ops import Op
from autograd_tiny.teach import backward_steps, explain, number_text, steps_table
from autograd_tiny.teach.walkthrough import BIASES, INPUTS, TARGETS, WEIGHTS


class WeightedSum(Op):
    """Contract B's rules: inputs (w1..wn, x1..xn, b); d/dwi = xi, d/dxi = wi, d/db = 1."""

    def input_names(self, arity: int) -> tuple[str, ...]:
        n = arity // 2
        return (*(f"w{i}" for i in range(1, n + 1)), *(f"x{i}" for i in range(1, n + 1)), "b")

    def local_rules(self, arity: int) -> tuple[str, ...]:
        n = arity // 2
        return (*(f"x{i}" for i in range(1, n + 1)), *(f"w{i}" for i in range(1, n + 1)), "1.0")


WSUM = WeightedSum("wsum", "weighted_sum", "a b", "a + b", ("1.0", "1.0"))


class Node(Value):
    """A node as contract A shows it: any number of inputs, their local derivatives."""

    def __init__(self, data: float, parents: tuple, local: tuple, op: str, label: str = ""):
        super().__init__(data, label=label)
        self._parents = tuple(parents)
        self._recorded = tuple(local)
        self._op = op

    @property
    def _prev(self) -> tuple:  # type: ignore[override]
        return self._parents

    @property
    def _local(self) -> tuple:  # type: ignore[override]
        return self._recorded


def weighted_sum(weights: list[Value], inputs: list[Value], bias: Value, label: str = "") -> Node:
    data = sum(w.data * x.data for w, x in zip(weights, inputs)) + bias.data
    local = (*(x.data for x in inputs), *(w.data for w in weights), 1.0)
    return Node(data, (*weights, *inputs, bias), local, WSUM, label)


def mazur_with_weighted_sums() -> dict[str, Value]:
    """Mazur's 2-2-2 network with one weighted-sum node per neuron (contract B)."""
    v = {name: Value(x, label=name) for name, x in {**INPUTS, **WEIGHTS, **BIASES}.items()}
    nodes = dict(v)

    def neuron(name: str, ws: list[str], xs: list[Value], b: str) -> Value:
        net = real_weighted_sum([v[w] for w in ws], xs, v[b])
        net.label = f"net_{name}"
        out = net.sigmoid()
        out.label = f"out_{name}"
        nodes[net.label], nodes[out.label] = net, out
        return out

    h1 = neuron("h1", ["w1", "w2"], [v["i1"], v["i2"]], "b1")
    h2 = neuron("h2", ["w3", "w4"], [v["i1"], v["i2"]], "b1")
    o1 = neuron("o1", ["w5", "w6"], [h1, h2], "b2")
    o2 = neuron("o2", ["w7", "w8"], [h1, h2], "b2")
    errors = []
    for out, name in ((o1, "o1"), (o2, "o2")):
        target = Value(TARGETS[name], label=f"target_{name}")
        error = 0.5 * (target - out) ** 2
        error.label = f"E_{name}"
        nodes[error.label] = error
        errors.append(error)
    total = errors[0] + errors[1]
    total.label = "E_total"
    nodes["E_total"] = total
    return nodes


def reference_gradients() -> dict[str, float]:
    """Mazur's network built with binary ops (as lecture code writes it)."""
    from test_teach import binary_network

    nodes = binary_network()
    nodes["E_total"].backward()
    return {name: node.grad for name, node in nodes.items()}


def test_snapshot_reads_any_arity():
    nodes = mazur_with_weighted_sums()
    graph = snapshot(nodes["E_total"])
    net_o1 = nodes["net_o1"]
    assert len(net_o1._prev) == 5
    assert graph.uses[nodes["out_h1"]] == 2 and graph.uses[nodes["b2"]] == 2
    assert graph.edge_count == sum(len(node._prev) for node in graph.order)
    position = {node: i for i, node in enumerate(graph.order)}
    for node in graph.order:  # every node after the nodes that use it
        assert all(position[parent] > position[node] for parent in node._prev)
    assert graph.groups[net_o1] == graph.groups[nodes["out_o1"]] == "o1"
    unnamed = weighted_sum([nodes["w5"], nodes["w6"]], [nodes["out_h1"], nodes["out_h2"]],
                           nodes["b2"])
    assert snapshot(unnamed).names[unnamed] == "w5*out_h1 + w6*out_h2 + b2"


def test_explain_weighted_sum_gives_mazurs_chain_edge_by_edge():
    nodes = mazur_with_weighted_sums()
    e = explain(nodes["E_total"], nodes["w5"])
    (route,) = e.routes
    assert route.chain.endswith("∂out_o1/∂net_o1 * ∂net_o1/∂w5")  # one edge each
    assert route.factors[-1].rule == "out_h1"  # contract B's d net/d w1 = x1, named
    assert [(s.name, number_text(s.value)) for s in route.stages] == [
        ("∂E_total/∂E_o1", "1"), ("∂E_o1/∂out_o1", "0.74136507"),
        ("∂out_o1/∂net_o1", "0.186815602"), ("∂net_o1/∂w5", "0.593269992")]
    reference = reference_gradients()
    assert e.total == pytest.approx(reference["w5"], rel=1e-14)
    w1 = explain(nodes["E_total"], nodes["w1"])
    assert w1.routes[0].chain.endswith(
        "∂out_o1/∂net_o1 * ∂net_o1/∂out_h1 * ∂out_h1/∂net_h1 * ∂net_h1/∂w1")
    assert [f.rule for f in w1.routes[0].factors][-3:] == [
        "w5", "out_h1 * (1.0 - out_h1)", "i1"]
    assert w1.total == pytest.approx(reference["w1"], rel=1e-13)
    assert explain(nodes["E_total"], nodes["b1"]).total == pytest.approx(reference["b1"],
                                                                          rel=1e-13)


def test_backward_steps_weighted_sum_edge_and_neuron():
    nodes = mazur_with_weighted_sums()
    graph = snapshot(nodes["E_total"])
    steps = list(backward_steps(nodes["E_total"]))
    assert len(steps) == graph.edge_count
    to_w5 = [step for step in steps if step.parent is nodes["w5"]]
    assert [(step.local_name, step.rule) for step in to_w5] == [("∂net_o1/∂w5", "out_h1")]
    reference = reference_gradients()
    for name in ("w1", "w5", "b1", "b2", "i2"):
        assert nodes[name].grad == pytest.approx(reference[name], rel=1e-13)
    assert "∂net_o1/∂w5" in "".join(str(step) for step in steps)

    fresh = mazur_with_weighted_sums()
    by_neuron = list(backward_steps(fresh["E_total"], by="neuron"))
    o1 = next(step for step in by_neuron if step.name == "o1")
    assert [link.target_name for link in o1.links] == ["w5", "w6", "out_h1", "out_h2", "b2"]
    assert [link.rule for link in o1.links] == ["out_h1", "out_h2", "w5", "w6", "1.0"]
    assert number_text(o1.delta) == "0.138498562"
    assert [step.name for step in by_neuron if step.neuron] == ["o1", "o2", "h1", "h2"]
    assert fresh["w5"].grad == pytest.approx(reference["w5"], rel=1e-14)


def softplus(x: Value) -> Value:
    """micrograd's way to add an op: a hand-built node, an op name the table does not
    know, and a ``_backward`` that adds into the input's ``grad``."""
    out = Value(math.log1p(math.exp(x.data)), (x,), "softplus")

    def _backward() -> None:
        x.grad += out.grad / (1.0 + math.exp(-x.data))

    out._backward = _backward
    return out


def test_custom_op_with_its_own_backward_is_explained_without_crashing():
    x = Value(0.5, label="x")
    x.grad = 7.0
    s = softplus(x)
    y = s * 3.0
    y.label = "y"
    assert math.isnan(s._local[0])  # nothing recorded until a backward() runs through it
    sigmoid = 1 / (1 + math.exp(-0.5))
    e = explain(y, x)
    assert e.total == pytest.approx(3 * sigmoid, rel=1e-15)
    assert [f.name for f in e.routes[0].factors] == ["∂y/∂(softplus(x))", "∂(softplus(x))/∂x"]
    assert e.routes[0].factors[1].rule == number_text(sigmoid)  # no rule: the number
    assert "'softplus' is not in the op table" in str(e)
    assert (x.grad, s.grad) == (7.0, 0.0)  # measuring put every .grad back
    steps = list(backward_steps(y))
    assert steps[-1].local == pytest.approx(sigmoid, rel=1e-15)
    assert x.grad == pytest.approx(7.0 + 3 * sigmoid, rel=1e-15)
    assert "softplus" in str(steps[-1])
    x.grad = 0.0
    y.backward()  # the engine agrees, and records the derivative it applied
    assert x.grad == pytest.approx(3 * sigmoid, rel=1e-15)
    assert explain(y, x).total == pytest.approx(x.grad, rel=1e-15)


def test_stand_in_custom_node_read_through_contract_a_only():
    class Softplus(Value):
        """Reports its input through _prev and records no local derivative."""

        def __init__(self, x: Value):
            super().__init__(math.log1p(math.exp(x.data)))
            self._x = x
            self._op = "softplus"

        @property
        def _prev(self) -> tuple:  # type: ignore[override]
            return (self._x,)

        @property
        def _local(self) -> tuple:  # type: ignore[override]
            return ()

        @property
        def _backward(self):  # type: ignore[override]
            return lambda: setattr(self._x, "grad",
                                   self._x.grad + self.grad / (1.0 + math.exp(-self._x.data)))

    x = Value(0.5, label="x")
    y = Softplus(x) * 3.0
    assert explain(y, x).total == pytest.approx(3 / (1 + math.exp(-0.5)), rel=1e-15)


def test_custom_op_with_recorded_numbers_and_a_plain_str_op():
    x = Value(2.0, label="x")
    cube = Node(8.0, (x,), (12.0,), "cube", label="c")
    L = cube * 2
    L.label = "L"
    e = explain(L, x)
    assert e.routes[0].chain == "∂L/∂c * ∂c/∂x" and e.total == 24.0
    assert e.routes[0].factors[1].rule == "12"
    assert "  ∂L/∂c * ∂c/∂x = 2 * 12 = 24" in str(e).splitlines()
    table = steps_table(backward_steps(L))
    assert table.row_count == 3 and x.grad == 24.0  # L->c, L->2, c->x
    pair = Node(5.0, (x, x), (1.0, 2.0), "twice")  # one input used twice, custom op
    route_names = [route.chain for route in explain(pair, x).routes]
    assert route_names == ["∂(twice(x, x))/∂x (as input 1)", "∂(twice(x, x))/∂x (as input 2)"]


def test_a_guard_on_parameters_is_not_printed_as_part_of_the_rule():
    # x**2's rule carries a guard for k = 0 (0 * inf); with k = 2 a reader sees the power rule
    from autograd_tiny import Value, explain
    x = Value(3.0, label="x")
    y = x ** 2; y.label = "y"
    text = str(explain(y, x))
    assert "∂y/∂x = 2 * pow(x, 2 - 1.0) = 6" in text
    assert " if " not in text
    z = x ** 0; z.label = "z"
    assert "∂z/∂x = 0" in str(explain(z, x))
