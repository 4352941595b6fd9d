"""Graphs built by nn modules: clusters per neuron, collapse to neurons or layers, one
data point's path for a batch, automatic collapse beyond max_nodes, expand=.

Names follow contract C (the nn side sets them; tests/network_names.py checks).
SVG is checked by structure (titles, texts), never by bytes."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import pytest

from autograd_tiny import MLP, Value, draw_dot
from autograd_tiny.core.graph import snapshot
from autograd_tiny.draw.collapse import structure
from autograd_tiny.draw.renderer import find_renderer, to_svg
from autograd_tiny.losses import mse_loss

from network_names import demo_step, name_model

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
SVG = "{http://www.w3.org/2000/svg}"


def svg_parts(svg: str) -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """Nodes (title -> texts), edge titles, clusters (label -> node titles inside)."""
    tree = ET.fromstring(svg)
    nodes, edges, clusters = {}, [], {}
    for g in tree.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title").text if g.find(f"{SVG}title") is not None else ""
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if g.get("class") == "node":
            nodes[title] = texts
        elif g.get("class") == "edge":
            edges.append(title)
    # A node is in a cluster when it sits inside the cluster's frame (Graphviz writes
    # frames and nodes as siblings, so the tree does not say which holds which).
    frames = []
    for g in tree.iter(f"{SVG}g"):
        if g.get("class") == "cluster":
            texts = [t.text or "" for t in g.iter(f"{SVG}text")]
            shape = g.find(f"{SVG}polygon")
            outline = shape.get("points") if shape is not None else g.find(f"{SVG}path").get("d")
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", outline)]
            xs, ys = numbers[0::2], numbers[1::2]
            frames.append((texts[0] if texts else "", min(xs), max(xs), min(ys), max(ys)))
            clusters.setdefault(frames[-1][0], [])
    for g in tree.iter(f"{SVG}g"):
        text = g.find(f"{SVG}text")
        if g.get("class") != "node" or text is None:
            continue
        x, y = float(text.get("x")), float(text.get("y"))
        for label, left, right, top, bottom in frames:
            if left <= x <= right and top <= y <= bottom:
                clusters[label].append(g.find(f"{SVG}title").text)
    return nodes, edges, clusters


def batch_loss(points: int = 4, sizes=(4, 4, 1)) -> tuple[Value, MLP]:
    model = name_model(MLP(2, list(sizes), seed=3))
    X = [[0.1 * i, -0.2 * i + 0.5] for i in range(points)]
    y = [1.0 if i % 2 else -1.0 for i in range(points)]
    loss = mse_loss([model(x) for x in X], y)
    loss.backward()
    return loss, model


# -- groups -------------------------------------------------------------------------------


def test_the_structure_finds_groups_instances_and_kinds():
    loss, model = batch_loss(points=3)
    parts = structure(snapshot(loss))
    assert parts.instance_count == 3
    assert {parts.group[p] for p in model.parameters()} == {
        f"L{i}.N{j}" for i, n in ((1, 4), (2, 4), (3, 1)) for j in range(1, n + 1)}
    kinds = {}
    for node, kind in parts.kind.items():
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["parameter"] == len(model.parameters()) == 37
    # Each of the 3 forward passes: 8 neurons with a net (one weighted-sum node) and
    # an out, and the linear output neuron whose net is its out.
    assert kinds["model"] == 3 * (8 * 2 + 1)
    assert "aggregate" in kinds and "point" in kinds


def test_a_net_input_written_with_binary_ops_belongs_to_its_neuron():
    # sum(w*x ...) by hand: the unlabelled products and partial sums under the
    # labelled net are the neuron's too; the data leaves are not
    w1, w2, b = (Value(v, label=f"N1.{n}") for v, n in ((0.5, "w1"), (-1.0, "w2"), (0.1, "b")))
    x1, x2 = Value(2.0), Value(3.0)
    net = w1 * x1 + w2 * x2 + b
    net.label = "N1.net"
    out = net.tanh()
    out.label = "N1.out"
    parts = structure(snapshot(out * 2))
    inner = [n for n in parts.graph.order if n._prev and not n.label and n is not parts.graph.root]
    assert len(inner) == 3 and all(parts.group[n] == "N1" for n in inner)
    assert x1 not in parts.group and parts.kind[x1] == "point"
    assert parts.kind[parts.graph.root] == "point" and parts.instance_count == 1


@needs_renderer
def test_each_neurons_nodes_are_drawn_in_a_cluster_named_after_it():
    model = name_model(MLP(2, [2, 1], seed=0))
    out = model([0.5, -1.0])
    out.backward()
    nodes, _, clusters = svg_parts(to_svg(draw_dot(out)))
    assert set(clusters) == {"L1.N1", "L1.N2", "L2.N1"}
    for name, inside in clusters.items():
        first_texts = {nodes[title][0] for title in inside}
        assert {f"{name}.w1", f"{name}.b", f"{name}.out" if name != "L2.N1"
                else f"{name}.net"} <= first_texts
        # every node drawn in the cluster is the neuron's: labelled with its name,
        # an op, or an unlabelled sum/product under its net
        assert not any(text.startswith("L") and not text.startswith(name)
                       for text in first_texts)


# -- collapse ------------------------------------------------------------------------------


@needs_renderer
def test_collapse_neuron_draws_one_box_per_neuron_and_one_data_points_path():
    loss, model = batch_loss(points=4)
    drawing = draw_dot(loss, collapse="neuron")
    nodes, edges, clusters = svg_parts(to_svg(drawing))
    boxes = {title for title in nodes if title.startswith("box L")}
    assert boxes == {f"box L{i}.N{j}" for i, n in ((1, 4), (2, 4), (3, 1))
                     for j in range(1, n + 1)}
    assert nodes["box L1.N1"][0] == "L1.N1"
    assert any(label.startswith("one data point's path (x 4 data points") for label in clusters)
    assert {"layer L1", "layer L2", "layer L3"} <= set(clusters)
    # the mean over the points is its own box, fed by one drawn point: "x 4 data points"
    aggregate = [t for t in nodes if t.startswith("box aggregate")]
    assert len(aggregate) == 1 and "over 4 data points" in " ".join(nodes[aggregate[0]])
    assert "x 4 data points" in drawing.source
    # 4 x 4 connections between layers 1 and 2: drawn one by one (<= 8 would be), or
    # bundled into one edge saying how many
    assert "4 x 4 = 16 connections" in drawing.source


def test_a_neuron_box_shows_the_drawn_points_output_and_tooltips_list_the_weights():
    loss, model = batch_loss(points=2)
    source = draw_dot(loss, collapse="neuron").source
    w = model.layers[0].neurons[0].w[0]
    assert f"L1.N1.w1 = {w.data:.4f}, grad {w.grad:.4f}" in source
    line = next(l for l in source.splitlines() if l.strip().startswith('"box L2.N1" ['))
    assert 'label="L2.N1 | out ' in line and "| grad " in line


def test_collapse_layer_draws_one_box_per_layer():
    loss, _ = batch_loss(points=3)
    source = draw_dot(loss, collapse="layer").source
    for layer, neurons, parameters in (("L1", 4, 12), ("L2", 4, 20), ("L3", 1, 5)):
        assert f'"box {layer}" [label="{layer} | {neurons} neuron' in source
        assert f"{parameters} parameters" in source
    assert '"box L1.N1"' not in source


@needs_renderer
def test_expand_draws_one_neuron_op_by_op_inside_the_collapsed_picture():
    loss, model = batch_loss(points=3)
    nodes, _, clusters = svg_parts(to_svg(draw_dot(loss, collapse="neuron", expand="L2.N3")))
    assert "box L2.N3" not in nodes and "box L2.N2" in nodes
    inside = {nodes[t][0] for t in clusters["L2.N3"]}
    assert {"L2.N3.w1", "L2.N3.w4", "L2.N3.b", "L2.N3.net", "L2.N3.out"} <= inside


def test_collapse_needs_groups_and_expand_needs_a_known_name():
    x = Value(2.0, label="x")
    with pytest.raises(ValueError, match="collapse needs a graph built by nn modules"):
        draw_dot(x * x, collapse="neuron")
    with pytest.raises(ValueError, match="collapse must be"):
        draw_dot(x * x, collapse="everything")
    loss, _ = batch_loss(points=2)
    with pytest.raises(ValueError, match="expand='L9.N1' is not a neuron or layer"):
        draw_dot(loss, collapse="neuron", expand="L9.N1")
    with pytest.raises(TypeError, match="expand"):
        draw_dot(loss, collapse="neuron", expand=[3])  # type: ignore[list-item]


def test_beyond_max_nodes_a_model_graph_collapses_and_says_so():
    loss, _ = batch_loss(points=4)
    total = len(snapshot(loss))
    source = draw_dot(loss, max_nodes=total - 1).source
    assert f"more than max_nodes={total - 1} values, so collapsed automatically" in source
    assert '"box L1.N1"' in source
    assert "box L1.N1" not in draw_dot(loss, max_nodes=total).source  # fits: op by op
    cut = draw_dot(loss, max_nodes=50, collapse="none").source
    assert "more values not drawn" in cut and "box L1" not in cut


@needs_renderer
def test_micrograds_demo_step_on_20_points_is_drawn_whole_in_few_boxes():
    loss, _ = demo_step(points=20)
    nodes, edges, clusters = svg_parts(to_svg(draw_dot(loss)))
    assert len(nodes) <= 80
    assert len([t for t in nodes if t.startswith("box L")]) == 33
    assert any(t.startswith("box parameter term") for t in nodes)  # the L2 penalty
    assert any(label.startswith("one data point's path (x 20 data points") for label in clusters)


@pytest.mark.slow
@needs_renderer
def test_micrograds_demo_step_is_drawn_whole_in_at_most_80_boxes():
    loss, _ = demo_step(points=100)
    assert len(snapshot(loss)) > 8_000  # one weighted-sum node per neuron and point
    start = time.perf_counter()
    svg = to_svg(draw_dot(loss))
    elapsed = time.perf_counter() - start
    nodes, _, _ = svg_parts(svg)
    assert len(nodes) <= 80
    print(f"demo step: {len(snapshot(loss)):,} values drawn as {len(nodes)} nodes "
          f"in {elapsed:.2f} s")


@needs_renderer
def test_a_big_model_loss_shows_collapsed_in_the_notebook():
    from autograd_tiny.draw.dot import NOTEBOOK_MAX_NODES
    loss, _ = batch_loss(points=6)
    assert len(snapshot(loss)) > NOTEBOOK_MAX_NODES
    nodes, _, _ = svg_parts(loss._repr_svg_())
    assert "box L1.N1" in nodes and len(nodes) < 40


def test_highlight_in_a_collapsed_picture_colours_the_boxes_the_gradient_passes():
    from autograd_tiny.draw.style import HIGHLIGHT_COLOR
    loss, model = batch_loss(points=3)
    j, w = next((j, n.w[0]) for j, n in enumerate(model.layers[0].neurons, 1)
                if n.w[0].grad != 0)
    source = draw_dot(loss, collapse="neuron", highlight=w).source
    red = {line.split(" [")[0].strip().strip('"') for line in source.splitlines()
           if HIGHLIGHT_COLOR in line and "->" not in line}
    assert {f"box L1.N{j}", "box L3.N1"} <= red
    # the weight reaches the loss through its own neuron only, not its neighbours
    assert not any(f"box L1.N{k}" in red for k in range(1, 5) if k != j)
    assert f"in red: where the gradient to L1.N{j}.w1 flows" in source
    dead = next(p for n in model.layers[0].neurons for p in n.w if p.grad == 0)
    assert "no gradient reaches" in draw_dot(loss, collapse="neuron", highlight=dead).source
