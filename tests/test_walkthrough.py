"""The worked examples: every number of Matt Mazur's 2-2-2 network ("A Step by Step
Backpropagation Example") against the reference to 1e-9, the network built as an
nn.MLP with the example's names, what the walkthrough prints, and the y = 2x weight
table."""

from __future__ import annotations

import html
import importlib.util
import io
import json
import os
import re
import sys
from pathlib import Path

import pytest
from rich.console import Console

from autograd_tiny.draw.renderer import find_renderer

from autograd_tiny.teach import walkthrough
from autograd_tiny.core.graph import snapshot
from autograd_tiny.nn import MLP
from autograd_tiny.teach.walkthrough import compute, network, nine, report

# shared/reference/mazur_2_2_2.json: exact doubles from a direct float computation,
# independent of autograd_tiny. Copied here so the tests run in a fresh clone; the
# test below compares this copy with the file where the file is present.
REFERENCE = {
    "forward": {
        "net_h1": 0.3775, "net_h2": 0.39249999999999996,
        "out_h1": 0.5932699921071872, "out_h2": 0.596884378259767,
        "net_o1": 1.10590596705977, "net_o2": 1.2249214040964653,
        "out_o1": 0.7513650695523157, "out_o2": 0.7729284653214625,
        "E_total": 0.2983711087600027,
    },
    "errors": {"E_o1": 0.274811083176155, "E_o2": 0.023560025583847746},
    "backward": {
        "dE_dout_o1": 0.7413650695523157, "dout_o1_dnet_o1": 0.18681560180895948,
        "dnet_o1_dw5": 0.5932699921071872,
        "dE_dw1": 0.0004385677344743465, "dE_dw2": 0.000877135468948693,
        "dE_dw3": 0.0004977127352608599, "dE_dw4": 0.0009954254705217198,
        "dE_dw5": 0.08216704056423077, "dE_dw6": 0.08266762784753325,
        "dE_dw7": -0.02260254047747507, "dE_dw8": -0.022740242215978222,
    },
    "after_one_update": {
        "w1": 0.1497807161327628, "w2": 0.19956143226552567, "w3": 0.24975114363236958,
        "w4": 0.29950228726473915, "w5": 0.35891647971788465, "w6": 0.4086661860762334,
        "w7": 0.5113012702387375, "w8": 0.5613701211079891, "E_total": 0.29102777369359933,
    },
    "after_10000_updates": {
        "E_total": 3.510187782978859e-05, "out_o1": 0.01591362044355068,
        "out_o2": 0.9840642735146238,
    },
}
# The shared file sits beside the project's checkout (or one level further up from a
# worktree); a fresh clone has only the copy above.
REFERENCE_FILE = next(
    (folder / "shared" / "reference" / "mazur_2_2_2.json"
     for folder in Path(__file__).resolve().parents[2:4]
     if (folder / "shared" / "reference" / "mazur_2_2_2.json").exists()),
    Path("shared") / "reference" / "mazur_2_2_2.json")


@pytest.fixture(scope="module")
def walk():
    return compute(steps=10_000)  # about a second and a half on a slow machine


@pytest.fixture(scope="module")
def printed(walk):
    out = io.StringIO()
    report(walk, Console(file=out, width=100, color_system=None))
    return out.getvalue()


def test_reference_copy_matches_the_shared_file():
    if not REFERENCE_FILE.exists():
        pytest.skip("shared/reference/mazur_2_2_2.json is not beside this clone")
    shared = json.loads(REFERENCE_FILE.read_text())
    for section, numbers in REFERENCE.items():
        assert shared[section] == numbers
    assert shared["inputs"] == walkthrough.INPUTS
    assert shared["weights"] == walkthrough.WEIGHTS
    assert shared["biases"] == walkthrough.BIASES
    assert shared["learning_rate"] == walkthrough.LEARNING_RATE
    assert shared["targets"] == walkthrough.TARGETS


def test_every_number_matches_the_reference(walk):
    computed = walk.as_reference()
    assert set(computed) == set(REFERENCE)
    for section, numbers in REFERENCE.items():
        assert set(computed[section]) == set(numbers), section
        for name, expected in numbers.items():
            assert computed[section][name] == pytest.approx(expected, abs=1e-9), (section, name)


def test_every_reference_number_is_printed_to_nine_decimals(walk, printed):
    for section in ("forward", "errors", "after_one_update", "after_10000_updates"):
        for name, value in REFERENCE[section].items():
            assert nine(value) in printed, (section, name)
    for name in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"):
        assert nine(REFERENCE["backward"][f"dE_d{name}"]) in printed


def test_printed_chain_for_w5_is_the_seeds(printed):
    assert ("∂E_total/∂out_o1 * ∂out_o1/∂net_o1 * ∂net_o1/∂w5 = 0.74136507 * 0.186815602 * "
            "0.593269992 = 0.082167041") in printed
    assert "same numbers" in printed


def test_printed_backward_for_w1_sums_two_routes(printed):
    assert "dE_total/dw1 = sum of the routes = 0.000668396 - 0.000229828 = 0.000438568" in printed


def test_note_on_the_published_error_after_one_update(walk, printed):
    # The published 0.291027924 is what using the updated output weights for the
    # hidden-layer gradients gives; correct gradient descent gives 0.291027774.
    assert nine(walk.mistaken_error) == "0.291027924"
    assert nine(walk.error_after_update) == "0.291027774"
    assert "0.291027924" in printed and "0.291027774" in printed


def test_output_weights_do_not_change_the_mistaken_hidden_update():
    # The mistake only touches w1..w4: with no update to w5..w8 it vanishes.
    nodes, updated = walkthrough.gradient_step(walkthrough.WEIGHTS)
    unchanged_outputs = dict(updated, **{w: walkthrough.WEIGHTS[w] for w in ("w5", "w6", "w7", "w8")})
    mistaken = walkthrough.mistaken_error_after_update(nodes, unchanged_outputs)
    assert mistaken == pytest.approx(network(unchanged_outputs)["E_total"].data, abs=1e-15)


def test_the_network_is_an_mlp_with_the_examples_names():
    model = walkthrough.model()
    assert isinstance(model, MLP)
    assert [len(layer.neurons) for layer in model.layers] == [2, 2]
    assert [n.activation for layer in model.layers for n in layer.neurons] == ["sigmoid"] * 4
    # one bias per layer, shared by its neurons, and Mazur's numbers under Mazur's names
    assert model.state_dict() == {
        "w1": 0.15, "w2": 0.2, "b1": 0.35, "w3": 0.25, "w4": 0.3,
        "w5": 0.4, "w6": 0.45, "b2": 0.6, "w7": 0.5, "w8": 0.55}
    hidden, output = model.layers
    assert hidden.neurons[0].b is hidden.neurons[1].b
    assert [n.name for n in hidden.neurons + output.neurons] == ["h1", "h2", "o1", "o2"]
    # the nodes the walkthrough prints are the ones the model labelled when it ran
    nodes = network()
    parameters = dict(model.named_parameters())
    assert set(walkthrough.FORWARD_NAMES) <= set(nodes) and set(parameters) <= set(nodes)
    for neuron, (first, second) in (("h1", ("w1", "w2")), ("h2", ("w3", "w4")),
                                     ("o1", ("w5", "w6")), ("o2", ("w7", "w8"))):
        net, out = nodes[f"net_{neuron}"], nodes[f"out_{neuron}"]
        assert out._prev == (net,)
        inside = {node.label for node in snapshot(net).order}
        assert {first, second, "b1" if neuron[0] == "h" else "b2"} <= inside
        assert snapshot(net).names[net] == f"net_{neuron}"


def test_the_walkthrough_leaves_the_global_random_state_alone():
    import random

    state = random.getstate()
    network()
    walkthrough.train(walkthrough.WEIGHTS, 1)
    assert random.getstate() == state


def test_forward_formulas_show_each_weighted_input_and_the_bias(printed):
    # The forward table writes each net input with the example's names (in whatever
    # order the engine adds them), e.g. net_o1 = w5*out_h1 + w6*out_h2 + b2.
    rows: dict[str, str] = {}
    for line in printed.splitlines():  # the first row of each node: the forward table
        if line.strip().startswith(("net_", "out_")):
            rows.setdefault(line.split()[0], line)
    for net, terms in (("net_h1", ("w1*i1", "w2*i2", "b1")), ("net_h2", ("w3*i1", "w4*i2", "b1")),
                       ("net_o1", ("w5*out_h1", "w6*out_h2", "b2")),
                       ("net_o2", ("w7*out_h1", "w8*out_h2", "b2"))):
        assert all(term in rows[net] for term in terms), rows[net]
        assert f"sigmoid({net})" in rows[net.replace("net_", "out_")]


def test_texts_name_the_sources(printed):
    assert 'Matt Mazur\'s "A Step by Step Backpropagation Example"' in " ".join(printed.split())
    assert "Mazur's example: 0.74136507 * 0.186815602 * 0.593269992 = 0.082167041" in printed
    sources = [Path(walkthrough.__file__), Path(walkthrough.__file__).parents[1] / "cli" / "demo.py"]
    for text in [printed] + [path.read_text() for path in sources]:
        for word in ("seed 000", "seed 001", "shared/", "shared/reference"):
            assert word not in text.lower()


def test_gradients_against_finite_differences():
    nodes = network()
    nodes["E_total"].backward()
    for name, value in walkthrough.WEIGHTS.items():
        h = 1e-6
        up = network(dict(walkthrough.WEIGHTS, **{name: value + h}))["E_total"].data
        down = network(dict(walkthrough.WEIGHTS, **{name: value - h}))["E_total"].data
        assert nodes[name].grad == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-10)


def test_biases_are_not_trained():
    trained = walkthrough.train(walkthrough.WEIGHTS, 3)
    assert set(trained) == set(walkthrough.WEIGHTS)
    assert network(trained)["b1"].data == 0.35


def test_train_rejects_bad_steps():
    with pytest.raises(ValueError, match="train: steps must be at least 0, got -1"):
        walkthrough.train(walkthrough.WEIGHTS, -1)
    with pytest.raises(TypeError, match="train: steps must be an int, got float"):
        walkthrough.train(walkthrough.WEIGHTS, 2.0)


def test_network_needs_every_weight():
    with pytest.raises(ValueError, match="network: no value for w8"):
        network({name: 0.1 for name in ("w1", "w2", "w3", "w4", "w5", "w6", "w7")})


def test_run_writes_graph_and_slides_and_names_the_folder(tmp_path):
    out = io.StringIO()
    folder = tmp_path / "demo"
    written = walkthrough.run(folder, steps=2, console=Console(file=out, width=100))
    # The SVG wherever a renderer exists; the .dot source only where none does.
    expected = (["graph.svg", "graph_slides.html", "network.svg", "slides.html"]
                if find_renderer() else ["graph.dot"])
    assert sorted(path.name for path in written) == expected
    assert all(path.parent == folder and path.stat().st_size > 0 for path in written)
    assert out.getvalue().strip().splitlines()[-1] == f"Everything is in {folder}{os.sep}"
    if (folder / "network.svg").exists():
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", (folder / "network.svg").read_text())
        # the network as drawn on the board: Mazur's names and his numbers
        text = " ".join(texts)
        for label in ("i1", "w1", "w5", "b2", "h1", "o1", "E"):
            assert label in text
        for number in ("0.593269992", "0.75136507", "0.082167041"):  # out_h1, out_o1, dE/dw5
            assert number in text
        graph = re.findall(r"<text[^>]*>([^<]*)</text>", (folder / "graph.svg").read_text())
        for label in ("net_o1", "out_h1", "E_o1", "E_total"):
            assert label in graph


@pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
def test_the_network_picture_and_slides_call_the_error_what_the_text_calls_it(tmp_path):
    """The console says E_total and dE_total/dw5 (Mazur's names): the network picture
    and its slides, written beside it, say the same, and never E or dE/dw."""
    out = io.StringIO()
    walkthrough.run(tmp_path, steps=2, console=Console(file=out, width=100, color_system=None))
    printed = out.getvalue()
    # the error's name and its gradients with respect to the weights and biases
    names = set(re.findall(r"\bdE_total/d(?:w\d?|b\d)\b", printed))
    assert {"dE_total/dw5", "dE_total/dw1", "dE_total/dw"} <= names
    assert "E_total" in printed and "E " not in printed.replace("E = 1/2", "")

    svg = html.unescape((tmp_path / "network.svg").read_text())
    nodes = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
    assert "E_total" in nodes and "E" not in nodes
    picture_text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert "E_total" in picture_text and "2 routes from E_total back to w1" in picture_text
    slides = html.unescape((tmp_path / "slides.html").read_text())
    for name in sorted(names):
        assert name in svg, name  # on the weight's edge (its tooltip) or in the caption
        assert name in slides, name
    for text in (svg, slides):
        assert "dE/d" not in text and not re.search(r"\bE =", text)
        assert not re.search(r">E<", text)


def test_readable_when_piped(printed):
    assert "\x1b[" not in printed  # no terminal escapes in plain output
    # Only a chain of derivatives is kept on one line (as Mazur writes it); the rest
    # fits the console's width.
    long_lines = [line for line in printed.splitlines() if len(line) > 100]
    assert long_lines and all(" * " in line and "/∂" in line for line in long_lines)


# -- demos/weight_table.py ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def weight_table():
    path = Path(__file__).resolve().parents[1] / "demos" / "weight_table.py"
    spec = importlib.util.spec_from_file_location("weight_table", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["weight_table"] = module  # dataclasses look their module up here
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["weight_table"]


def test_weight_table_numbers_are_the_seeds(weight_table):
    # The seed's tables for y = 2x: outputs 0 3 6 / 0 4 8 / 0 2 4, squared errors
    # 0 1 4 / 0 4 16 / 0 0 0.
    three, four, two = (weight_table.evaluate(w) for w in (3.0, 4.0, 2.0))
    assert three.outputs == (0.0, 3.0, 6.0) and three.squared_errors == (0.0, 1.0, 4.0)
    assert three.absolute_errors == (0.0, 1.0, 2.0)
    assert four.outputs == (0.0, 4.0, 8.0) and four.squared_errors == (0.0, 4.0, 16.0)
    assert two.outputs == (0.0, 2.0, 4.0) and two.squared_errors == (0.0, 0.0, 0.0)
    # E = sum (W x - 2x)^2 = 5 (W - 2)^2, so dE/dW = 10 (W - 2).
    assert (three.gradient, four.gradient, two.gradient) == (10.0, 20.0, 0.0)


def test_weight_table_descent_settles_at_two(weight_table):
    path = weight_table.descend(start=3.0, learning_rate=0.05)
    assert path[0].weight == 3.0 and path[1].weight == 2.5
    assert abs(path[-1].weight - 2.0) < 1e-9
    assert all(b.error < a.error for a, b in zip(path, path[1:]))


def test_weight_table_prints_the_tables(weight_table, capsys):
    assert weight_table.main([]) == 0
    text = capsys.readouterr().out
    assert "Model output (W=3)" in text and "Model output (W=4)" in text
    assert re.search(r"W settles at 2\.000000000 after \d+ updates", text)
