"""The network picture: circles per neuron, an edge per weight with value and
gradient, Mazur's 2-2-2 numbers, highlighted routes, compact drawing of micrograd's
MLP(2, [16, 16, 1]). SVG checked by structure and text, never by bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_tiny import MLP, Layer, Neuron, Value, draw_network
from autograd_tiny.draw.renderer import find_renderer, to_svg
from autograd_tiny.draw.style import HIGHLIGHT_COLOR

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
# Matt Mazur's 2-2-2 network ("A Step by Step Backpropagation Example"): exact doubles
# from a direct float computation, independent of autograd_tiny (the project's
# reference file, copied so the tests run in a fresh clone).
MAZUR = {
    "weights": {"w1": 0.15, "w2": 0.2, "w3": 0.25, "w4": 0.3,
                "w5": 0.4, "w6": 0.45, "w7": 0.5, "w8": 0.55},
    "biases": {"b1": 0.35, "b2": 0.6},
    "forward": {"net_h1": 0.3775, "out_h1": 0.5932699921071872,
                "net_o1": 1.10590596705977, "out_o1": 0.7513650695523157,
                "E_total": 0.2983711087600027},
    "backward": {
        "dE_dout_o1": 0.7413650695523157, "dout_o1_dnet_o1": 0.18681560180895948,
        "dE_dw1": 0.0004385677344743465, "dE_dw2": 0.000877135468948693,
        "dE_dw3": 0.0004977127352608599, "dE_dw4": 0.0009954254705217198,
        "dE_dw5": 0.08216704056423077, "dE_dw6": 0.08266762784753325,
        "dE_dw7": -0.02260254047747507, "dE_dw8": -0.022740242215978222,
    },
}


class NetworkPicture:
    def __init__(self, svg: str) -> None:
        tree = ET.fromstring(svg)
        self.nodes: dict[str, ET.Element] = {}
        self.edges: dict[str, ET.Element] = {}
        for g in tree.iter(f"{SVG}g"):
            kind = g.get("class")
            if kind in ("node", "edge"):
                title = g.find(f"{SVG}title").text
                (self.nodes if kind == "node" else self.edges)[title] = g
        self.caption = " ".join(t.text or "" for t in tree.find(f"{SVG}g").findall(f"{SVG}text"))

    @staticmethod
    def texts(g: ET.Element) -> list[str]:
        return [t.text or "" for t in g.iter(f"{SVG}text")]

    @staticmethod
    def tooltip(g: ET.Element) -> str:
        links = [a.get(f"{XLINK}title") for a in g.iter(f"{SVG}a")]
        return " ".join(link for link in links if link)

    @staticmethod
    def stroke(g: ET.Element) -> str:
        return next(e.get("stroke") for e in g.iter() if e.tag in (f"{SVG}path", f"{SVG}ellipse"))

    def red(self) -> set[str]:
        return {t for t, g in self.edges.items() if self.stroke(g).lower() == HIGHLIGHT_COLOR}


def mazur_model() -> MLP:
    """Mazur's 2-2-2 network: w1..w4 into the hidden neurons, w5..w8 into the
    outputs, bias b1 for both hidden neurons and b2 for both outputs."""
    ref = MAZUR
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
    (h1, h2), (o1, o2) = model.layers[0].neurons, model.layers[1].neurons
    for neuron, weights, bias in ((h1, "w1 w2", "b1"), (h2, "w3 w4", "b1"),
                                  (o1, "w5 w6", "b2"), (o2, "w7 w8", "b2")):
        for p, name in zip(neuron.w, weights.split()):
            p.data = ref["weights"][name]
        neuron.b.data = ref["biases"][bias]
    return model


def nine(x: float) -> str:
    """A number as the picture prints it (nine decimals, trailing zeros dropped)."""
    return f"{round(x, 9):.9f}".rstrip("0").rstrip(".")


@needs_renderer
def test_mazurs_network_shows_the_seed_numbers():
    ref = MAZUR
    model = mazur_model()
    p = NetworkPicture(to_svg(draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99])))
    fwd, back = ref["forward"], ref["backward"]
    h1 = p.texts(p.nodes["L1.N1"])
    assert h1[0] == "L1.N1"
    assert f"net {nine(fwd['net_h1'])}" in h1 and f"out {nine(fwd['out_h1'])}" in h1
    o1 = p.texts(p.nodes["L2.N1"])
    assert f"out {nine(fwd['out_o1'])}" in o1 and f"net {nine(fwd['net_o1'])}" in o1
    # delta of o1 = dE/dout_o1 * dout_o1/dnet_o1 (the seed's two factors)
    delta_o1 = back["dE_dout_o1"] * back["dout_o1_dnet_o1"]
    assert f"\u03b4 {nine(delta_o1)}" in o1
    assert p.texts(p.nodes["E"]) == ["E", nine(fwd["E_total"])]
    # every weight: its value and dE/dw on its edge (w1 = x1 -> h1, w5 = h1 -> o1, ...)
    edges = {"w1": "x1->L1.N1", "w2": "x2->L1.N1", "w3": "x1->L1.N2", "w4": "x2->L1.N2",
             "w5": "L1.N1->L2.N1", "w6": "L1.N2->L2.N1", "w7": "L1.N1->L2.N2",
             "w8": "L1.N2->L2.N2"}
    for name, title in edges.items():
        texts = p.texts(p.edges[title])
        assert any(t.endswith(f"= {nine(ref['weights'][name])}") for t in texts), (name, texts)
        assert f"grad {nine(back['dE_d' + name])}" in texts, (name, texts)
    assert p.texts(p.edges["L2.N1->E"]) == ["target 0.01", "dE/dout", nine(back["dE_dout_o1"])]


@needs_renderer
def test_one_circle_per_neuron_and_one_edge_per_weight():
    model = mazur_model()
    p = NetworkPicture(to_svg(draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99])))
    assert set(p.nodes) == {"x1", "x2", "L1.N1", "L1.N2", "L2.N1", "L2.N2", "E"}
    for name in ("L1.N1", "L1.N2", "L2.N1", "L2.N2"):
        ellipse = next(p.nodes[name].iter(f"{SVG}ellipse"))
        assert ellipse.get("rx") == ellipse.get("ry")  # a circle
    weights = [t for t in p.edges if not t.endswith("->E")]
    assert len(weights) == 8 == sum(len(n.w) for layer in model.layers for n in layer.neurons)


def test_drawing_with_a_target_leaves_the_models_grad_alone():
    model = mazur_model()
    draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99])
    assert all(p.grad == 0.0 for p in model.parameters())


@needs_renderer
def test_highlight_colours_every_route_from_e_back_to_the_weight_and_counts_them():
    model = mazur_model()
    w1 = model.layers[0].neurons[0].w[0]
    picture = draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99], highlight=w1)
    p = NetworkPicture(to_svg(picture))
    assert "2 routes from E back to L1.N1.w1" in p.caption
    assert p.red() == {"x1->L1.N1", "L1.N1->L2.N1", "L1.N1->L2.N2", "L2.N1->E", "L2.N2->E"}
    # an output weight has one route: through its own neuron only
    p = NetworkPicture(to_svg(draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99],
                                           highlight="L2.N1.w1")))
    assert "1 route from E back to L2.N1.w1" in p.caption
    assert p.red() == {"L1.N1->L2.N1", "L2.N1->E"}


@needs_renderer
def test_a_bias_shared_by_two_neurons_is_highlighted_with_its_routes_through_both():
    # Mazur's network as the walkthrough builds it: b1 is one parameter, the bias of
    # both h1 and h2 (tie_biases()), so it has two routes through each of them.
    from autograd_tiny.teach.walkthrough import model as mazur

    net = mazur()
    b1 = net.layers[0].neurons[0].b
    assert b1 is net.layers[0].neurons[1].b
    for highlight in ("b1", b1):
        picture = draw_network(net, inputs=[0.05, 0.10], target=[0.01, 0.99],
                               input_names=["i1", "i2"], highlight=highlight)
        p = NetworkPicture(to_svg(picture))
        assert "4 routes from E back to b1 (in red): the bias of h1 and h2" in p.caption
        # every edge from h1 and h2 onwards, and none into them (no weight is chosen)
        assert p.red() == {"h1->o1", "h1->o2", "h2->o1", "h2->o2", "o1->E", "o2->E"}
        for name in ("h1", "h2", "o1", "o2", "E"):
            assert p.stroke(p.nodes[name]).lower() == HIGHLIGHT_COLOR, name
        assert p.stroke(p.nodes["i1"]).lower() != HIGHLIGHT_COLOR
        # the bias itself (its value and gradient), printed in each neuron it belongs
        # to, is red there and only there
        for name in ("h1", "h2", "o1", "o2"):
            red = [t.text for t in p.nodes[name].iter(f"{SVG}text")
                   if t.get("fill", "").lower() == HIGHLIGHT_COLOR]
            assert red == (["b1 0.35", "grad 0.018725609"] if name[0] == "h" else []), name
    # b2, the output layer's: one route through each output neuron
    p = NetworkPicture(to_svg(draw_network(net, inputs=[0.05, 0.10], target=[0.01, 0.99],
                                           input_names=["i1", "i2"], highlight="b2")))
    assert "2 routes from E back to b2 (in red): the bias of o1 and o2" in p.caption
    assert p.red() == {"o1->E", "o2->E"}


@needs_renderer
def test_a_bias_of_one_neuron_is_highlighted_like_its_weights():
    model = mazur_model()  # untied biases: L1.N1.b belongs to L1.N1 alone
    p = NetworkPicture(to_svg(draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99],
                                           highlight="L1.N1.b")))
    assert "2 routes from E back to L1.N1.b (in red): the bias of L1.N1" in p.caption
    # the weight w1's routes without w1's own edge
    assert p.red() == {"L1.N1->L2.N1", "L1.N1->L2.N2", "L2.N1->E", "L2.N2->E"}
    # without a target: routes to the outputs
    source = draw_network(model, highlight=model.layers[1].neurons[1].b).source
    assert "1 route from the outputs back to L2.N2.b (in red): the bias of L2.N2" in source


@needs_renderer
def test_the_error_is_drawn_under_the_name_the_text_uses():
    model = mazur_model()
    w1 = model.layers[0].neurons[0].w[0]
    p = NetworkPicture(to_svg(draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99],
                                           highlight=w1, error_name="E_total")))
    assert "E" not in p.nodes and p.texts(p.nodes["E_total"])[0] == "E_total"
    assert "2 routes from E_total back to L1.N1.w1" in p.caption
    assert "\u03b4 = dE_total/dnet" in p.caption and "the weight and dE_total/dw" in p.caption
    assert p.red() == {"x1->L1.N1", "L1.N1->L2.N1", "L1.N1->L2.N2", "L2.N1->E_total",
                       "L2.N2->E_total"}
    assert p.texts(p.edges["L2.N1->E_total"])[1] == "dE_total/dout"
    assert "dE_total/dL1.N1.w1 = " in p.tooltip(p.edges["x1->L1.N1"])
    assert "delta dE_total/dnet = " in p.tooltip(p.nodes["L1.N1"])
    # no text in the picture calls the error anything else
    texts = " ".join(" ".join(p.texts(g)) + " " + p.tooltip(g)
                     for g in [*p.nodes.values(), *p.edges.values()]) + " " + p.caption
    assert not re.search(r"\bE\b|dE/", texts)


@needs_renderer
def test_micrograds_demo_model_is_drawn_compact_with_numbers_in_tooltips():
    model = MLP(2, [16, 16, 1], seed=1337)
    assert model.num_parameters() == 337
    p = NetworkPicture(to_svg(draw_network(model, inputs=[0.5, -0.3], target=[1.0],
                                           highlight="L1.N3.w2")))
    neurons = [t for t in p.nodes if re.fullmatch(r"L\d\.N\d+", t)]
    assert len(neurons) == 33
    weight_edges = [t for t in p.edges if not t.endswith("->E")]
    assert len(weight_edges) == 2 * 16 + 16 * 16 + 16
    # no printed numbers on weight edges; every one has its numbers in the tooltip
    for title in weight_edges:
        g = p.edges[title]
        assert p.texts(g) == []
        assert re.search(r"= -?\d.*, dE/d\S+ = -?\d", p.tooltip(g)), title
    # a neuron prints its name and out; net, delta and bias are in its tooltip
    texts = p.texts(p.nodes["L2.N5"])
    assert texts[0] == "L2.N5" and len(texts) == 2
    assert "delta dE/dnet = " in p.tooltip(p.nodes["L2.N5"])
    assert "16 routes from E back to L1.N3.w2" in p.caption
    # edge widths follow the size of the gradient
    widths = {float(next(g.iter(f"{SVG}path")).get("stroke-width", "1")) for t, g in p.edges.items()
              if t in weight_edges and p.stroke(g).lower() != HIGHLIGHT_COLOR}
    assert len(widths) > 10


def test_without_inputs_the_architecture_and_weights_are_drawn():
    source = draw_network(MLP(3, [2, 1], seed=0)).source
    assert "network 3 -> 2 -> 1: 11 parameters" in source
    assert '"E"' not in source and "net " not in source


def test_a_layer_and_a_neuron_are_networks_too():
    assert "network 2 -> 3: 9 parameters" in draw_network(Layer(2, 3, seed=0)).source
    assert "network 4 -> 1: 5 parameters" in draw_network(Neuron(4, seed=0)).source


def test_bad_arguments_name_draw_network_and_the_problem():
    model = mazur_model()
    with pytest.raises(TypeError, match="draw_network: model must be an MLP, Layer or Neuron, got Value"):
        draw_network(Value(1.0))
    with pytest.raises(ValueError, match="the model has 2 inputs, got 3 inputs"):
        draw_network(model, inputs=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="inputs must be a list of numbers"):
        draw_network(model, inputs="12")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a target needs inputs"):
        draw_network(model, target=[0.0, 1.0])
    with pytest.raises(ValueError, match=r"no weight or bias named 'w9' \(parameters: "
                                         r"L1\.N1\.w1, L1\.N1\.w2, L1\.N1\.b, "):
        draw_network(model, highlight="w9")
    with pytest.raises(ValueError, match="not a weight or a bias of this model"):
        draw_network(model, highlight=Value(0.1))
    with pytest.raises(TypeError, match="error_name must be a non-empty str, got ''"):
        draw_network(model, error_name="")
    with pytest.raises(ValueError, match="error_name 'L2.N1' is already the name of an "
                                         "input or a neuron"):
        draw_network(model, inputs=[0.05, 0.1], target=[0.01, 0.99], error_name="L2.N1")
    with pytest.raises(ValueError, match="unknown format"):
        draw_network(model, format="gif2")


def test_a_custom_loss_is_used_for_the_gradients():
    model = mazur_model()
    source = draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99],
                          loss=lambda outs, ts: sum(((o - t) ** 2 for o, t in zip(outs, ts)),
                                                    Value(0.0))).source
    ref = MAZUR
    assert f"E = {nine(2 * ref['forward']['E_total'])}" in source


@needs_renderer
def test_the_network_picture_shows_itself_in_a_notebook_and_renders_files(tmp_path):
    picture = draw_network(mazur_model(), inputs=[0.05, 0.10], target=[0.01, 0.99])
    assert "</svg>" in picture._repr_mimebundle_()["image/svg+xml"]
    assert Path(picture.render(tmp_path / "net.png")).read_bytes().startswith(b"\x89PNG")
    assert Path(picture.render(tmp_path / "net.dot")).read_text().startswith("digraph")


def test_a_model_with_its_own_names_is_drawn_with_them():
    if not hasattr(MLP, "rename"):
        pytest.skip("nn's rename() is not merged yet")
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    model = model.tie_biases().rename(["h1", "h2", "o1", "o2"],  # type: ignore[attr-defined]
                                      weights=[f"w{k}" for k in range(1, 9)],
                                      biases=["b1", "b2"], net="net_{neuron}",
                                      out="out_{neuron}")
    model.load_state_dict({**{f"w{k}": v for k, v in zip(range(1, 9), (
        0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55))}, "b1": 0.35, "b2": 0.6})
    source = draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99], highlight="w5",
                          input_names=["i1", "i2"]).source
    assert "network 2 -> 2 -> 2: 10 parameters" in source
    assert '"h1" -> "o1"' in source or "h1 -> o1" in source
    assert "w5 = 0.4" in source and "b1 0.35" in source
    assert "1 route from E back to w5" in source


def test_a_linear_neuron_says_its_net_is_its_out():
    # the engine names a linear neuron's only node L2.N1.net; the picture must show "net"
    from autograd_tiny import MLP, draw_network

    model = MLP(2, [2, 1], seed=0)
    source = draw_network(model, inputs=[0.5, -1.0]).source
    assert model([0.5, -1.0]).label == "L2.N1.net"
    assert "net = out " in source


def _has_halo(text: ET.Element) -> bool:
    return (text.get("paint-order") == "stroke" and text.get("stroke", "").lower() in
            ("#ffffff", "white") and float(text.get("stroke-width", "0")) >= 3)


@needs_renderer
def test_every_edge_label_has_a_white_halo_and_keeps_clear_of_the_circles():
    """An edge or a circle running behind a weight's label does not cut its digits (a
    white outline under the letters); node text has none. Each weight's label (its
    box at a generous 0.6 of the text size per character) touches no circle."""
    model = mazur_model()
    svg = to_svg(draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99],
                              highlight="L1.N1.w1"))
    p = NetworkPicture(svg)
    labels = [t for g in p.edges.values() for t in g.iter(f"{SVG}text")]
    assert len(labels) == 8 * 2 + 2 * 3 and all(map(_has_halo, labels))
    assert not any(_has_halo(t) for g in p.nodes.values() for t in g.iter(f"{SVG}text"))
    circles = [next(g.iter(f"{SVG}ellipse")) for g in p.nodes.values()]
    for title, g in p.edges.items():
        if title.endswith("->E"):
            continue
        texts = list(g.iter(f"{SVG}text"))
        x = float(texts[0].get("x"))
        half = max(len(t.text or "") for t in texts) * 12 * 0.6 / 2
        top, bottom = float(texts[0].get("y")) - 12, float(texts[-1].get("y")) + 3
        for c in circles:
            cx, cy, r = float(c.get("cx")), float(c.get("cy")), float(c.get("rx"))
            nx = max(abs(cx - x) - half, 0.0)
            ny = max(top - cy, cy - bottom, 0.0)
            assert (nx * nx + ny * ny) ** 0.5 > r, (title, [t.text for t in texts])


@needs_renderer
def test_the_halo_is_in_the_pictures_files_and_notebook_output(tmp_path):
    model = mazur_model()
    drawing = draw_network(model, inputs=[0.05, 0.10], target=[0.01, 0.99])
    written = Path(drawing.render(tmp_path / "network.svg")).read_text(encoding="utf-8")
    notebook = drawing._repr_mimebundle_()["image/svg+xml"]
    for svg in (written, notebook):
        p = NetworkPicture(svg)
        assert all(_has_halo(t) for g in p.edges.values() for t in g.iter(f"{SVG}text"))


def _label_boxes(p: NetworkPicture) -> dict[str, tuple[float, float, float, float]]:
    """Each edge label's box (left, top, right, bottom in SVG units) from its texts:
    centred on x, each line 12 points tall above its baseline, a character 0.55 of
    the text size wide (Helvetica's digits are 0.556)."""
    boxes = {}
    for title, g in p.edges.items():
        texts = list(g.iter(f"{SVG}text"))
        if not texts:
            continue
        size = float(texts[0].get("font-size"))
        x = float(texts[0].get("x"))
        half = max(len(t.text or "") for t in texts) * size * 0.55 / 2
        boxes[title] = (x - half, float(texts[0].get("y")) - size * 0.8,
                        x + half, float(texts[-1].get("y")) + size * 0.2)
    return boxes


@needs_renderer
@pytest.mark.parametrize("nin, sizes, rankdir", [(2, [3, 1], "LR"), (3, [4, 3], "LR"),
                                                 (3, [4, 3], "TB"), (2, [2, 2], "LR"),
                                                 (2, [3, 3, 2], "LR"), (4, [5, 2], "LR")])
def test_edge_labels_of_small_networks_overlap_no_other_label_and_no_circle(nin, sizes,
                                                                            rankdir):
    """A lecturer's own small network, every number printed: each weight's label and
    each error edge's label lies beside its line, clear of every other label and of
    every circle (a label crowded on its first spot moves along its line, to the other
    side, or the columns move apart). Where no spread lets every label keep its own
    line to itself (tests/test_network_labels.py), they still keep off each other."""
    model = MLP(nin, sizes, activation="sigmoid", seed=0)
    inputs = [0.5, -0.3, 0.2, 0.1][:nin]
    target = [1.0, 0.0, 0.5][:sizes[-1]]
    p = NetworkPicture(to_svg(draw_network(model, inputs=inputs, target=target,
                                           rankdir=rankdir)))
    weights = sum(n * m for n, m in zip([nin, *sizes], sizes))
    boxes = _label_boxes(p)
    assert len(boxes) == weights + sizes[-1] == len(p.edges)
    items = sorted(boxes.items())
    for i, (one, (l1, t1, r1, b1)) in enumerate(items):
        for other, (l2, t2, r2, b2) in items[i + 1:]:
            assert min(r1, r2) <= max(l1, l2) or min(b1, b2) <= max(t1, t2), (one, other)
    circles = [next(g.iter(f"{SVG}ellipse")) for g in p.nodes.values()]
    for title, (left, top, right, bottom) in boxes.items():
        for c in circles:
            cx, cy, r = float(c.get("cx")), float(c.get("cy")), float(c.get("rx"))
            nx = max(left - cx, 0.0, cx - right)
            ny = max(top - cy, 0.0, cy - bottom)
            assert (nx * nx + ny * ny) ** 0.5 > r, (title, cx, cy)


@needs_renderer
def test_a_step_shows_only_the_gradients_backpropagation_has_reached():
    """``show_gradients=['o1']``: o1's delta, its weights' gradients and its dE/dout;
    everything else reads "?"; the shared bias b2 has o1's delta so far, and the whole
    sum once o2 is reached too. The layout is the finished picture's."""
    from autograd_tiny.teach.walkthrough import model

    ref = MAZUR["backward"]
    delta_o1 = ref["dE_dout_o1"] * ref["dout_o1_dnet_o1"]  # from the reference, not the picture
    net = model()  # Mazur's names, one bias per layer (b1, b2)
    args = dict(inputs=[0.05, 0.10], target=[0.01, 0.99], input_names=["i1", "i2"])
    full = draw_network(net, **args)
    step = draw_network(net, show_gradients=["o1"], **args)
    p = NetworkPicture(to_svg(step))
    o1, o2, h1 = (p.texts(p.nodes[name]) for name in ("o1", "o2", "h1"))
    assert f"δ {nine(delta_o1)}" in o1 and "δ ?" in o2 and "δ ?" in h1
    assert o1[-2:] == ["b2 0.6", f"grad {nine(delta_o1)}"]  # b2's sum so far: o1's delta
    assert h1[-2:] == ["b1 0.35", "grad ?"]
    assert p.texts(p.edges["h1->o1"]) == ["w5 = 0.4", f"grad {nine(ref['dE_dw5'])}"]
    assert p.texts(p.edges["h1->o2"]) == ["w7 = 0.5", "grad ?"]
    assert p.texts(p.edges["i1->h1"]) == ["w1 = 0.15", "grad ?"]
    assert p.texts(p.edges["o1->E"])[-1] == nine(ref["dE_dout_o1"])
    assert p.texts(p.edges["o2->E"])[-1] == "?"
    assert "dE/dw1 = ?" in p.tooltip(p.edges["i1->h1"])

    both = NetworkPicture(to_svg(draw_network(net, show_gradients=["o1", "o2"], **args)))
    whole = NetworkPicture(to_svg(full))
    b2_total = whole.texts(whole.nodes["o1"])[-1]
    assert both.texts(both.nodes["o1"])[-1] == b2_total != f"grad {nine(delta_o1)}"
    assert both.texts(both.nodes["h1"])[-1] == "grad ?"
    everyone = NetworkPicture(to_svg(draw_network(net, show_gradients=["o1", "o2", "h1", "h2"],
                                                        **args)))
    for name in ("h1", "h2", "o1", "o2"):
        assert everyone.texts(everyone.nodes[name]) == whole.texts(whole.nodes[name])
    # the same places for every node and every label, only the texts differ
    placed = re.compile(r'\b(?:pos|labelangle|labeldistance)="?[-\d.,!]+')
    spots = placed.findall(full.source)
    assert len(spots) == 7 + 2 * 10  # 7 nodes; 8 weights' and 2 error edges' labels
    assert placed.findall(step.source) == spots


def test_show_gradients_names_must_be_neurons_of_a_picture_with_a_target():
    from autograd_tiny.teach.walkthrough import model

    args = dict(inputs=[0.05, 0.10], target=[0.01, 0.99])
    with pytest.raises(ValueError, match="names no neuron 'w5'"):
        draw_network(model(), show_gradients=["o1", "w5"], **args)
    with pytest.raises(TypeError, match="list of neuron names"):
        draw_network(model(), show_gradients="o1", **args)
    with pytest.raises(ValueError, match="needs a target"):
        draw_network(model(), inputs=[0.05, 0.10], show_gradients=["o1"])
