"""Names of network nodes (contract C): every parameter labelled from its place when the
model is built, net/out nodes labelled when a neuron runs, rename() and tied biases,
and files saved with the old attribute-path names."""

from __future__ import annotations

import json
import math
import re

import pytest

from autograd_tiny import Value
from autograd_tiny.core.graph import snapshot
from autograd_tiny.nn import MLP, Layer, Module, Neuron
from autograd_tiny.optim import SGD

MAZUR = dict(weights=[f"w{k}" for k in range(1, 9)], biases=["b1", "b2"],
             net="net_{neuron}", out="out_{neuron}")


def mazur_model() -> MLP:
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    return model.tie_biases().rename(["h1", "h2", "o1", "o2"], **MAZUR)  # type: ignore[return-value]


def expected_names(nin: int, sizes: list[int]) -> list[str]:
    names, widths = [], [nin] + sizes
    for layer, (fan_in, width) in enumerate(zip(widths, widths[1:]), start=1):
        for neuron in range(1, width + 1):
            names += [f"L{layer}.N{neuron}.w{k}" for k in range(1, fan_in + 1)]
            names.append(f"L{layer}.N{neuron}.b")
    return names


# -- names from the place --------------------------------------------------------------


def test_every_parameter_of_an_mlp_is_labelled_by_its_place():
    model = MLP(2, [4, 4, 1], seed=0)
    named = model.named_parameters()
    assert [name for name, _ in named] == expected_names(2, [4, 4, 1])
    assert len(named) == 37 and [p for _, p in named] == model.parameters()
    assert all(p.label == name for name, p in named)
    assert named[0][0] == "L1.N1.w1" and named[-1][0] == "L3.N1.b"
    assert list(model.state_dict()) == expected_names(2, [4, 4, 1])


def test_bare_layer_and_bare_neuron_names():
    layer = Layer(3, 2, seed=0)
    assert [p.label for p in layer.parameters()] == [
        "N1.w1", "N1.w2", "N1.w3", "N1.b", "N2.w1", "N2.w2", "N2.w3", "N2.b"]
    neuron = Neuron(3, seed=0)
    assert [name for name, _ in neuron.named_parameters()] == ["w1", "w2", "w3", "b"]
    assert [p.label for p in neuron.parameters()] == ["w1", "w2", "w3", "b"]
    assert Layer(2, 2, name="hidden").neurons[1].b.label == "hidden.N2.b"
    with pytest.raises(ValueError, match=re.escape("Neuron: name 'a\\x00b' has a control character")):
        Neuron(2, name="a\x00b")
    with pytest.raises(TypeError, match="Layer: name must be a string, got int"):
        Layer(2, 2, name=1)


def test_running_a_model_labels_each_neurons_net_and_out_nodes():
    model = MLP(2, [3, 2, 1], activation="tanh", seed=3)
    x = [0.5, -1.0]
    y = model(x)
    # the last layer is linear: its output node is its net input, labelled net
    assert y.label == "L3.N1.net"
    graph = snapshot(y)
    by_label = {node.label: node for node in graph.order if node.label}
    for layer, width in ((1, 3), (2, 2)):
        for n in range(1, width + 1):
            out, net = by_label[f"L{layer}.N{n}.out"], by_label[f"L{layer}.N{n}.net"]
            assert out._prev == (net,) and out.data == math.tanh(net.data)
            assert graph.groups[out] == graph.groups[net] == f"L{layer}.N{n}"
    first = model.layers[0].neurons[0]
    net = by_label["L1.N1.net"]
    assert net.data == pytest.approx(first.b.data + first.w[0].data * 0.5 - first.w[1].data)
    # every node a picture names is either a parameter, a neuron's node, or unnamed
    groups = {graph.groups[node] for node in graph.order} - {""}
    assert groups == {"L1.N1", "L1.N2", "L1.N3", "L2.N1", "L2.N2", "L3.N1"}
    assert graph.names[by_label["L2.N2.w3"]] == "L2.N2.w3"


def test_a_bare_neuron_labels_net_and_out():
    neuron = Neuron(2, activation="sigmoid", seed=0)
    out = neuron([1.0, 2.0])
    assert (out.label, out._prev[0].label) == ("out", "net")
    assert Neuron(2, nonlin=False, seed=0)([1.0, 2.0]).label == "net"


def test_each_call_makes_new_labelled_nodes_and_inputs_keep_their_labels():
    model = MLP(2, [2, 1], seed=0)
    x1, x2 = Value(1.0, label="x1"), Value(2.0, label="x2")
    first, second = model([x1, x2]), model([x1, x2])
    assert first is not second and first.label == second.label == "L2.N1.net"
    assert (x1.label, x2.label) == ("x1", "x2")


# -- a label the user sets wins ----------------------------------------------------------


def test_a_label_set_by_hand_survives_renaming_and_tying():
    model = MLP(2, [2, 2], seed=0)
    model.layers[0].neurons[0].w[1].label = "special"
    model.layers[1].neurons[0].b.label = "my bias"
    model.tie_biases().rename(["h1", "h2", "o1", "o2"], **MAZUR)
    assert model.layers[0].neurons[0].w[1].label == "special"
    assert model.layers[1].neurons[0].b.label == "my bias"
    # the model's own names (for files) follow rename all the same
    assert [name for name, _ in model.named_parameters()] == [
        "w1", "w2", "b1", "w3", "w4", "w5", "w6", "b2", "w7", "w8"]
    assert model.layers[0].neurons[1].w[0].label == "w3"


def test_a_label_set_on_an_output_node_after_the_call_stays():
    model = MLP(2, [2, 1], seed=0)
    y = model([1.0, 1.0])
    y.label = "score"
    assert snapshot(y * 2).names[y] == "score"


# -- rename: the seed's network -----------------------------------------------------------


def test_rename_gives_mazurs_names():
    model = mazur_model()
    assert [name for name, _ in model.named_parameters()] == [
        "w1", "w2", "b1", "w3", "w4", "w5", "w6", "b2", "w7", "w8"]
    assert [n.name for n in model.layers[0].neurons + model.layers[1].neurons] == [
        "h1", "h2", "o1", "o2"]
    # w1..w8 in Mazur's order: w1 i1->h1, w2 i2->h1, w3 i1->h2, ..., w7 h1->o2, w8 h2->o2
    h1, h2 = model.layers[0].neurons
    o1, o2 = model.layers[1].neurons
    assert [w.label for w in h1.w + h2.w + o1.w + o2.w] == [f"w{k}" for k in range(1, 9)]
    assert h1.b is h2.b and h1.b.label == "b1" and o1.b is o2.b and o2.b.label == "b2"
    model.load_state_dict({"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40,
                           "w6": 0.45, "w7": 0.50, "w8": 0.55, "b1": 0.35, "b2": 0.60})
    out_o1, out_o2 = model([0.05, 0.10])
    by_label = {n.label: n for n in snapshot(out_o1 + out_o2).order if n.label}
    assert {"net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2",
            "out_o2", "w5", "b1"} <= set(by_label)
    # Mazur's numbers (reference doubles, to 1e-12)
    assert by_label["net_h1"].data == pytest.approx(0.3775, abs=1e-12)
    assert by_label["out_h1"].data == pytest.approx(0.5932699921071872, abs=1e-12)
    assert out_o1.data == pytest.approx(0.7513650695523157, abs=1e-12)
    assert out_o2.data == pytest.approx(0.7729284653214625, abs=1e-12)


def test_rename_defaults_and_templates():
    model = MLP(2, [2, 1], seed=0).rename(["a", "b", "c"])
    assert [name for name, _ in model.named_parameters()] == [
        "a.w1", "a.w2", "a.b", "b.w1", "b.w2", "b.b", "c.w1", "c.w2", "c.b"]
    y = model([1.0, 2.0])
    assert y.label == "c.net" and {n.label for n in snapshot(y).order} >= {"a.out", "b.net"}
    # weights and nodes only, neurons keep their names
    model = MLP(1, [1], seed=0).rename(weights=["slope"], biases=["intercept"], net="line")
    assert [name for name, _ in model.named_parameters()] == ["slope", "intercept"]
    assert model([2.0]).label == "line"
    neuron = Neuron(2, seed=0).rename(net="z", out="a")
    assert neuron([1.0, 1.0]).label == "a" and [n for n, _ in neuron.named_parameters()] == [
        "w1", "w2", "b"]


@pytest.mark.parametrize("arguments, error, words", [
    (dict(neurons=["h1", "h2"]), ValueError, "rename: neurons needs 4 names, got 2"),
    (dict(weights=["w1"]), ValueError, "rename: weights needs 8 names, got 1"),
    (dict(biases=["b"]), ValueError, "rename: biases needs 4 names, got 1"),
    (dict(neurons="h1h2o1o2"), TypeError, "rename: neurons must be a list of strings, got str"),
    (dict(weights=[1, 2, 3, 4, 5, 6, 7, 8]), TypeError, "each of weights must be a string, got int"),
    (dict(neurons=["h1", "h1", "o1", "o2"]), ValueError, "the name 'h1.w1' is used twice"),
    (dict(net="net"), ValueError, "the name 'net' is used twice"),
    (dict(weights=["w"] * 8), ValueError, "the name 'w' is used twice"),
    (dict(out=3), TypeError, "rename: out must be a string, got int"),
    (dict(biases=["b1", "b2", "b3", "b\n4"]), ValueError, "'b\\n4' has a control character"),
    (dict(net="net\t{neuron}"), ValueError, "rename: net 'net\\t{neuron}' has a control"),
    (dict(neurons=["", "h2", "o1", "o2"], net="{neuron}"), ValueError, "must not be empty"),
])
def test_rename_refuses_bad_names_and_changes_nothing(arguments, error, words):
    model = MLP(2, [2, 2], seed=0)
    before = [(name, p.label) for name, p in model.named_parameters()]
    with pytest.raises(error, match=re.escape(words)):
        model.rename(**arguments)
    assert [(name, p.label) for name, p in model.named_parameters()] == before
    assert model([1.0, 1.0])[0].label == "L2.N1.net"


def test_rename_needs_neurons():
    class Plain(Module):
        def __init__(self):
            self.scale = Value(1.0)

    with pytest.raises(TypeError, match="rename: Plain has no neurons to name"):
        Plain().rename()


def test_rename_reaches_neurons_inside_a_custom_module():
    class Wrapper(Module):
        def __init__(self):
            self.body = MLP(2, [1], seed=0)
            self.scale = Value(2.0)

    model = Wrapper().rename(["unit"])
    assert [name for name, _ in model.named_parameters()] == [
        "body.unit.w1", "body.unit.w2", "body.unit.b", "scale"]


# -- tied biases ---------------------------------------------------------------------------


def test_tied_biases_are_one_parameter_updated_once():
    model = MLP(2, [3, 1], seed=0).tie_biases()
    shared = model.layers[0].neurons[0].b
    assert all(n.b is shared for n in model.layers[0].neurons)
    assert model.num_parameters() == 2 * 3 + 1 + 3 + 1
    assert [p for p in model.parameters() if p is shared] == [shared]
    assert [name for name, p in model.named_parameters() if p is shared] == ["L1.b"]
    y = model([0.5, -0.5])
    y.backward()
    # the shared bias gathers the gradient of every net input it feeds
    nets = [n for n in snapshot(y).order if n.label.startswith("L1.N") and n.label.endswith(".net")]
    assert len(nets) == 3
    assert shared.grad == pytest.approx(sum(n.grad for n in nets), abs=1e-15)
    before = shared.data
    SGD(model.parameters(), lr=0.1).step()
    assert shared.data == pytest.approx(before - 0.1 * shared.grad, abs=1e-15)  # once, not 3x


# -- files saved with the old names --------------------------------------------------------


def old_names_file(tmp_path, model: Module, names: list[str]) -> str:
    document = {"format": "autograd_tiny.state_dict", "version": 1, "model": "old",
                "parameters": {name: 0.25 * i for i, name in enumerate(names)}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_files_saved_with_the_old_dotted_names_still_load(tmp_path):
    old = [f"layers.{layer}.neurons.{n}.{leaf}"
           for layer, (width, fan_in) in enumerate(((3, 2), (1, 3)))
           for n in range(width) for leaf in [f"w.{k}" for k in range(fan_in)] + ["b"]]
    assert old[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                       "layers.0.neurons.0.b", "layers.0.neurons.1.w.0"]
    model = MLP(2, [3, 1], seed=1)
    model.load(old_names_file(tmp_path, model, old))
    assert [p.data for p in model.parameters()] == [0.25 * i for i in range(len(old))]
    assert model.state_dict()["L1.N2.w1"] == 0.75  # layers.0.neurons.1.w.0
    # ... and so does a renamed model, a bare layer and a neuron
    renamed = mazur_model()
    renamed.load_state_dict({name: 1.0 for name in [
        "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1",
        "layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.b",
        "layers.1.neurons.1.w.0", "layers.1.neurons.1.w.1"]})
    assert set(renamed.state_dict().values()) == {1.0}
    layer = Layer(2, 1, seed=0)
    layer.load_state_dict({"neurons.0.w.0": 3.0, "neurons.0.w.1": 4.0, "neurons.0.b": 5.0})
    assert layer.state_dict() == {"N1.w1": 3.0, "N1.w2": 4.0, "N1.b": 5.0}
    neuron = Neuron(1, seed=0)
    neuron.load_state_dict({"w.0": 6.0, "b": 7.0})
    assert neuron.state_dict() == {"w1": 6.0, "b": 7.0}


def test_a_mix_of_old_and_new_names_is_refused(tmp_path):
    model = MLP(2, [1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"missing 1 parameter \(L1.N1.b\); "
                                         r"unexpected 1 parameter \(layers.0.neurons.0.b\)"):
        model.load_state_dict({"L1.N1.w1": 1.0, "L1.N1.w2": 1.0, "layers.0.neurons.0.b": 1.0})
    assert model.state_dict() == before


def test_saved_files_use_the_models_names(tmp_path):
    model = mazur_model()
    path = model.save(tmp_path / "mazur.json")
    assert list(json.loads(path.read_text())["parameters"]) == [
        "w1", "w2", "b1", "w3", "w4", "w5", "w6", "b2", "w7", "w8"]
    copy = mazur_model()
    copy.load(path)
    assert copy.state_dict() == model.state_dict()
    with pytest.raises(ValueError, match="unexpected 10 parameters \\(w1, w2, b1, ...\\)"):
        MLP(2, [2, 2]).tie_biases().load(path)
