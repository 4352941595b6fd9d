"""autograd_tiny.nn: micrograd compatibility, initialisation, names, save and load."""

from __future__ import annotations

import json
import math
import os
import random
import re
import struct
from pathlib import Path

import pytest

from autograd_tiny import Value
from autograd_tiny.data import make_moons
from autograd_tiny.nn import MLP, Layer, Module, Neuron


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def with_global_seed(seed: int, build):
    """Runs ``build()`` with the global random module seeded, then puts the global
    state back: micrograd draws its weights from the global state."""
    saved = random.getstate()
    try:
        random.seed(seed)
        return build()
    finally:
        random.setstate(saved)


# -- micrograd's shapes and defaults -----------------------------------------------------


def test_weights_uniform_in_minus_one_one_and_bias_zero():
    model = MLP(3, [8, 8, 1], seed=0)
    for layer in model.layers:
        for neuron in layer.neurons:
            assert all(-1.0 <= w.data <= 1.0 for w in neuron.w)
            assert neuron.b.data == 0.0
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    assert min(weights) < -0.5 and max(weights) > 0.5  # spread over the range, not a constant


def test_relu_hidden_layers_and_linear_last_layer():
    model = MLP(2, [3, 4, 2])
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert [layer.neurons[0].nonlin for layer in model.layers] == [True, True, False]


def test_parameters_in_micrograd_order_per_neuron_weights_then_bias():
    model = MLP(2, [3, 1], seed=1)
    expected = []
    for layer in model.layers:
        for neuron in layer.neurons:
            expected.extend(neuron.w)
            expected.append(neuron.b)
    assert [id(p) for p in model.parameters()] == [id(p) for p in expected]
    assert len(model.parameters()) == (2 + 1) * 3 + (3 + 1) * 1


def test_same_seed_as_micrograd_gives_same_weights_outputs_and_gradients():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    micrograd_engine = pytest.importorskip("micrograd.engine")
    theirs = with_global_seed(42, lambda: micrograd_nn.MLP(3, [4, 4, 1]))
    ours = MLP(3, [4, 4, 1], seed=42)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]

    x = [0.5, -1.5, 2.0]
    their_out = theirs([micrograd_engine.Value(v) for v in x])
    our_out = ours(x)
    assert our_out.data == pytest.approx(their_out.data, abs=1e-12)
    their_out.backward()
    our_out.backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.grad == pytest.approx(q.grad, abs=1e-12)


def test_outputs_a_value_for_one_output_neuron_else_a_list():
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(v, Value) for v in out)
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    assert len(Layer(2, 3)([1.0, 2.0])) == 3


def test_takes_floats_or_values():
    model = MLP(2, [3, 1], seed=3)
    x = [Value(0.25), Value(-0.75)]
    from_values = model(x)
    assert model([0.25, -0.75]).data == from_values.data
    from_values.backward()
    assert any(v.grad != 0.0 for v in x)  # the inputs are in the graph


def test_one_neuron_hidden_layer_works_where_micrograd_crashes():
    model = MLP(2, [16, 1, 1], seed=0)
    out = model([0.5, -0.5])
    assert isinstance(out, Value)
    # the output really goes through the one-neuron layer: it is relu(h) * w + b
    hidden = model.layers[1].neurons[0]([n([0.5, -0.5]) for n in model.layers[0].neurons])
    last = model.layers[2].neurons[0]
    assert out.data == pytest.approx(last.w[0].data * hidden.data + last.b.data)
    # and a single Value is accepted where one input is expected
    assert Layer(1, 1, seed=0)(hidden).data == Layer(1, 1, seed=0)([hidden]).data


def test_layer_kwargs_go_to_each_neuron():
    layer = Layer(3, 2, nonlin=False)
    assert all(n.activation == "linear" for n in layer.neurons)
    layer = Layer(3, 2, activation="tanh", seed=5)
    assert all(n.activation == "tanh" for n in layer.neurons)
    assert layer.neurons[0].w[0].data != layer.neurons[1].w[0].data  # a seed, not a copy


@pytest.mark.parametrize("activation, f", [
    ("relu", lambda s: max(s, 0.0)),
    ("tanh", math.tanh),
    ("sigmoid", lambda s: 1.0 / (1.0 + math.exp(-s))),
    ("linear", lambda s: s),
])
def test_activations(activation, f):
    neuron = Neuron(3, activation=activation, seed=7)
    neuron.b.data = 0.3
    x = [0.5, -1.0, 2.0]
    weighted = sum(w.data * xi for w, xi in zip(neuron.w, x)) + 0.3
    assert neuron(x).data == pytest.approx(f(weighted), abs=1e-12)
    last_op = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "weighted_sum"}
    assert neuron(x)._op.name == last_op[activation]


def test_mlp_gradients_match_finite_differences():
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=11)
    x = [0.3, -0.8]

    def output() -> float:
        a, b = model(x)
        return (a * b + a).data

    a, b = model(x)
    model.zero_grad()
    (a * b + a).backward()
    eps = 1e-6
    for p in model.parameters():
        saved = p.data
        p.data = saved + eps
        up = output()
        p.data = saved - eps
        down = output()
        p.data = saved
        assert p.grad == pytest.approx((up - down) / (2 * eps), abs=1e-7)


# -- seeds ------------------------------------------------------------------------------


def test_seed_reproduces_and_global_random_state_is_untouched():
    state = random.getstate()
    first = MLP(2, [4, 1], seed=123).state_dict()
    assert MLP(2, [4, 1], seed=123).state_dict() == first
    assert MLP(2, [4, 1], seed=124).state_dict() != first
    Layer(3, 2, seed=5), Neuron(2, seed=random.Random(1))
    assert random.getstate() == state  # seed=: a generator of its own


def test_no_seed_draws_from_the_global_random_module_like_micrograd():
    # micrograd: random.uniform(-1, 1) per weight, neuron by neuron, layer by layer.
    def expected(counts):
        return [random.uniform(-1, 1) for _ in range(counts)]

    for build, weights in ((lambda: MLP(2, [3, 1]), 2 * 3 + 3 * 1),
                           (lambda: Layer(3, 2), 3 * 2), (lambda: Neuron(4), 4)):
        model = with_global_seed(1337, build)
        drawn = [p.data for p in model.parameters() if p.data != 0.0]  # biases are 0
        assert drawn == with_global_seed(1337, lambda: expected(weights))
        # ... and the global state moved exactly as far as micrograd moves it
        after = with_global_seed(1337, lambda: (build(), random.random())[1])
        assert after == with_global_seed(1337, lambda: (expected(weights), random.random())[1])


def test_random_seed_then_mlp_gives_micrograds_weights():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    theirs = with_global_seed(1337, lambda: micrograd_nn.MLP(2, [16, 16, 1]))
    ours = with_global_seed(1337, lambda: MLP(2, [16, 16, 1]))
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    assert [bits(p.data) for p in ours.parameters()] == [
        bits(float(p.data)) for p in theirs.parameters()]
    # A seed= of the same number draws the same stream from a generator of its own.
    assert MLP(2, [16, 16, 1], seed=1337).state_dict() == ours.state_dict()


def test_micrograd_demo_step_same_loss_and_gradients_after_random_seed():
    # micrograd's demo notebook: random.seed(1337), MLP(2, [16, 16, 1]), 100 moons,
    # hinge loss + 1e-4 L2, one backward pass. Same data for both.
    micrograd_nn = pytest.importorskip("micrograd.nn")
    micrograd_engine = pytest.importorskip("micrograd.engine")
    X, y = make_moons(100, noise=0.1, seed=1337, signed=True)
    theirs = with_global_seed(1337, lambda: micrograd_nn.MLP(2, [16, 16, 1]))
    ours = with_global_seed(1337, lambda: MLP(2, [16, 16, 1]))
    their_loss, their_acc = micrograd_demo_loss(theirs, X, y, micrograd_engine.Value)
    our_loss, our_acc = micrograd_demo_loss(ours, X, y, Value)
    theirs.zero_grad()
    their_loss.backward()
    ours.zero_grad()
    our_loss.backward()
    assert our_loss.data == pytest.approx(their_loss.data, abs=1e-12)
    assert 0.5 < our_loss.data < 2.0 and our_acc == their_acc
    pairs = list(zip(ours.parameters(), theirs.parameters()))
    assert len(pairs) == 337
    assert sum(1 for p, _ in pairs if p.grad != 0.0) > 100  # real gradients, not zeros
    for p, q in pairs:
        assert p.grad == pytest.approx(q.grad, abs=1e-12)


def test_no_seed_gives_different_models():
    # The global stream moves on between two models, as in micrograd.
    assert MLP(2, [4, 1]).state_dict() != MLP(2, [4, 1]).state_dict()


def test_a_random_instance_is_used_as_a_stream():
    rng = random.Random(9)
    a, b = Neuron(2, seed=rng), Neuron(2, seed=rng)
    assert a.state_dict() != b.state_dict()
    expected = random.Random(9)
    assert [w.data for w in a.w + b.w] == [expected.uniform(-1, 1) for _ in range(4)]


# -- Module: names, repr, zero_grad ----------------------------------------------------


def test_named_parameters_match_parameters():
    model = MLP(2, [2, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == ["L1.N1.w1", "L1.N1.w2", "L1.N1.b", "L1.N2.w1", "L1.N2.w2", "L1.N2.b",
                     "L2.N1.w1", "L2.N1.w2", "L2.N1.b"]
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_custom_module_found_by_attributes_and_shared_parameters_listed_once():
    class Tied(Module):
        def __init__(self):
            self.inner = Neuron(2, seed=0)
            self.scale = Value(2.0)
            self.again = self.scale  # the same parameter under a second name
            self.extras = [Value(1.0), Neuron(1, seed=1)]
            self._cache = Value(9.0)  # private: not a parameter

    model = Tied()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["inner.w1", "inner.w2", "inner.b", "scale", "extras.0",
                     "extras.1.w1", "extras.1.b"]
    # files saved with the old names still load
    old = ["inner.w.0", "inner.w.1", "inner.b", "scale", "extras.0", "extras.1.w.0",
           "extras.1.b"]
    model.load_state_dict(dict(zip(old, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5])))
    assert [p.data for p in model.parameters()] == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]
    assert model.num_parameters() == 7


def test_micrograd_style_module_with_handwritten_parameters():
    class Pair(Module):
        def __init__(self):
            self.table = {"a": Value(1.0), "b": Value(2.0)}  # not found by the walk

        def parameters(self):
            return [self.table["a"], self.table["b"]]

    model = Pair()
    assert model.named_parameters() == [("0", model.table["a"]), ("1", model.table["b"])]
    assert model.state_dict() == {"0": 1.0, "1": 2.0}


def test_zero_grad():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 1.0]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_repr_is_readable_and_counts_parameters():
    text = repr(MLP(2, [16, 16, 1]))
    assert text.splitlines()[0] == "MLP(2, [16, 16, 1], parameters=337)"
    assert "Layer(16, 16, activation='relu', parameters=272)" in text
    assert repr(Neuron(3, nonlin=False)) == "Neuron(3, activation='linear', parameters=4)"


# -- wrong input ------------------------------------------------------------------------


@pytest.mark.parametrize("build, error, words", [
    (lambda: Neuron(0), ValueError, "at least 1"),
    (lambda: Neuron("2"), TypeError, "str"),
    (lambda: Neuron(2, activation="softmax"), ValueError, "softmax"),
    (lambda: Layer(2, 0), ValueError, "nout"),
    (lambda: MLP(2, []), ValueError, "at least one"),
    (lambda: MLP(2, 16), TypeError, "int"),
    (lambda: MLP(2, [16, 2.5]), TypeError, "float"),
    (lambda: MLP(2, [3], seed="abc"), TypeError, "seed"),
])
def test_bad_construction(build, error, words):
    with pytest.raises(error, match=words):
        build()


@pytest.mark.parametrize("x, error, words", [
    ([1.0], ValueError, "expected 2 inputs, got 1"),
    ([1.0, 2.0, 3.0], ValueError, "expected 2 inputs, got 3"),
    ("ab", TypeError, "str"),
    (None, TypeError, "NoneType"),
    ([1.0, "2"], TypeError, "str"),
])
def test_bad_inputs(x, error, words):
    with pytest.raises(error, match=words):
        MLP(2, [3, 1])(x)


# -- micrograd's demo code, unchanged but for the import -------------------------------


def micrograd_demo_loss(model, X, y, value_class):
    """The loss function of micrograd's demo notebook, as written there."""
    inputs = [list(map(value_class, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


def micrograd_demo_training(model, X, y, value_class, steps):
    """micrograd's demo training loop, as written there: (loss, accuracy) per step."""
    trace = []
    for k in range(steps):
        total_loss, acc = micrograd_demo_loss(model, X, y, value_class)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        trace.append((total_loss.data, acc))
    return trace


def test_micrograd_demo_code_trains_an_autograd_tiny_model():
    X, y = make_moons(40, noise=0.1, seed=3, signed=True)
    model = MLP(2, [16, 16, 1], seed=1337)
    trace = micrograd_demo_training(model, X, y, Value, steps=25)
    losses = [loss for loss, _ in trace]
    assert losses[-1] < 0.5 * losses[0]
    assert trace[-1][1] > trace[0][1]
    assert trace[-1][1] >= 0.9


def test_micrograd_demo_code_gives_micrograds_numbers():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    micrograd_engine = pytest.importorskip("micrograd.engine")
    X, y = make_moons(20, noise=0.1, seed=4, signed=True)
    theirs = with_global_seed(1337, lambda: micrograd_nn.MLP(2, [16, 16, 1]))
    ours = MLP(2, [16, 16, 1], seed=1337)
    their_trace = micrograd_demo_training(theirs, X, y, micrograd_engine.Value, steps=3)
    our_trace = micrograd_demo_training(ours, X, y, Value, steps=3)
    for (our_loss, our_acc), (their_loss, their_acc) in zip(our_trace, their_trace):
        assert our_loss == pytest.approx(their_loss, rel=1e-9)
        assert our_acc == their_acc


# -- state_dict, save, load -------------------------------------------------------------


def test_state_dict_round_trip_between_models():
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert target([0.3, 0.4]).data == source([0.3, 0.4]).data


def test_save_load_is_bit_exact(tmp_path):
    model = MLP(2, [5, 3, 1], seed=8)
    awkward = [0.1, -0.0, 1e-310, 1.0000000000000002, -123456.789e200, math.pi]
    for p, value in zip(model.parameters(), awkward):
        p.data = value
    path = model.save(tmp_path / "model.json")
    copy = MLP(2, [5, 3, 1], seed=9).load(path)
    assert [bits(p.data) for p in copy.parameters()] == [bits(p.data) for p in model.parameters()]
    assert json.loads(path.read_text())["format"] == "autograd_tiny.state_dict"


def test_save_replaces_atomically_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old contents")
    MLP(2, [2, 1], seed=0).save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    assert json.loads(path.read_text())["parameters"] == MLP(2, [2, 1], seed=0).state_dict()


def test_save_to_a_missing_folder_fails_without_leaving_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        MLP(2, [2, 1]).save(tmp_path / "missing" / "model.json")
    assert list(tmp_path.iterdir()) == []


def saved_document(tmp_path) -> dict:
    return json.loads(MLP(2, [3, 1], seed=0).save(tmp_path / "good.json").read_text())


BAD_FILES = {
    "not json": lambda doc: b"{not json",
    "not utf-8": lambda doc: b"\xff\xfe\x00garbage",
    "a list": lambda doc: b"[1, 2, 3]",
    "no format": lambda doc: _without(doc, "format"),
    "another format": lambda doc: _dump({**doc, "format": "something else"}),
    "no parameters": lambda doc: _without(doc, "parameters"),
    "wrong version": lambda doc: _dump({**doc, "version": 99}),
    "a missing weight": lambda doc: _dump({**doc, "parameters": _drop_first(doc["parameters"])}),
    "an extra weight": lambda doc: _dump({**doc, "parameters": {**doc["parameters"], "x": 1.0}}),
    "a string weight": lambda doc: _dump({**doc, "parameters": _first_set(doc["parameters"], "1")}),
    "a null weight": lambda doc: _dump({**doc, "parameters": _first_set(doc["parameters"], None)}),
    "a weight too large for a float": lambda doc: _dump(
        {**doc, "parameters": _first_set(doc["parameters"], 10 ** 400)}),
    # issue 11 items 7 and 17: strict JSON, finite weights, an int version
    "nested 100,000 deep": lambda doc: b"[" * 100_000 + b"]" * 100_000,
    "a weight nested 100,000 deep": lambda doc: _dump(doc).replace(
        b'"parameters": {', b'"deep": ' + b"[" * 100_000 + b"]" * 100_000 + b', "parameters": {'),
    "a NaN weight": lambda doc: _literal_first(doc, "NaN"),
    "an Infinity weight": lambda doc: _literal_first(doc, "Infinity"),
    "a -Infinity weight": lambda doc: _literal_first(doc, "-Infinity"),
    "a 1e400 weight": lambda doc: _literal_first(doc, "1e400"),
    "a -1e400 weight": lambda doc: _literal_first(doc, "-1e400"),
    "version true": lambda doc: _dump({**doc, "version": True}),
    "version 1.0": lambda doc: _dump({**doc, "version": 1.0}),
    "version '1'": lambda doc: _dump({**doc, "version": "1"}),
    "a name twice": lambda doc: _dump(doc).replace(
        b'"parameters": {', b'"parameters": {"' + next(iter(doc["parameters"])).encode() + b'": 0.5, '),
}


def _literal_first(doc: dict, literal: str) -> bytes:
    """The document with its first weight written as ``literal`` (JSON text)."""
    text = _dump({**doc, "parameters": _first_set(doc["parameters"], 12345.5)}).decode()
    return text.replace("12345.5", literal, 1).encode()


def _dump(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def _without(doc: dict, key: str) -> bytes:
    return _dump({k: v for k, v in doc.items() if k != key})


def _drop_first(params: dict) -> dict:
    return dict(list(params.items())[1:])


def _first_set(params: dict, value) -> dict:
    first = next(iter(params))
    return {**params, first: value}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_and_the_model_is_unchanged(tmp_path, case):
    path = tmp_path / "bad.json"
    path.write_bytes(BAD_FILES[case](saved_document(tmp_path)))
    model = MLP(2, [3, 1], seed=5)
    before = [(p, bits(p.data)) for p in model.parameters()]
    with pytest.raises(ValueError, match="bad.json"):
        model.load(path)
    assert [(p, bits(p.data)) for p in model.parameters()] == before


def test_a_file_from_another_shape_is_refused_with_the_names(tmp_path):
    path = MLP(2, [3, 1], seed=0).save(tmp_path / "small.json")
    model = MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError) as info:
        model.load(path)
    message = str(info.value)
    # the fourth hidden neuron (2 weights, a bias) and the output's fourth weight
    assert "missing 4 parameters (L1.N4.w1, L1.N4.w2, L1.N4.b, ...)" in message
    assert "MLP(2, [4, 1], parameters=17)" in message
    assert model.state_dict() == before


def test_load_state_dict_wants_a_mapping_of_numbers():
    with pytest.raises(TypeError, match="list"):
        Neuron(1).load_state_dict([1.0, 2.0])
    neuron = Neuron(1, seed=0)
    before = neuron.state_dict()
    with pytest.raises(TypeError, match="'b' must be a number, got str"):
        neuron.load_state_dict({"w1": 0.5, "b": "0"})
    assert neuron.state_dict() == before


def test_a_numpy_row_is_an_input():
    np = pytest.importorskip("numpy")
    model = MLP(2, [3, 1], seed=0)
    assert model(np.array([0.25, -0.5])).data == model([0.25, -0.5]).data


def test_deeply_nested_modules_are_walked_once_per_level(monkeypatch):
    class Wrapper(Module):
        def __init__(self, inner):
            self.inner = inner

    model = Neuron(2, seed=0)
    for _ in range(12):
        model = Wrapper(model)
    walks = []
    walk = Module._found_parameters
    monkeypatch.setattr(Module, "_found_parameters", lambda self: walks.append(1) or walk(self))
    names = [name for name, _ in model.named_parameters()]
    assert names == [".".join(["inner"] * 12 + [leaf]) for leaf in ("w1", "w2", "b")]
    assert len(walks) == 12  # one walk per wrapper (the neuron knows its names); 2**12 if twice


# -- the file policy: strict JSON, finite weights (issue 11, items 7 and 17) --------------


@pytest.mark.parametrize("literal, words", [
    ("NaN", "NaN is not a JSON number"), ("Infinity", "Infinity is not a JSON number"),
    ("-Infinity", "-Infinity is not a JSON number"),
    ("1e400", "parameter 'L1.N1.w1' is inf"), ("-1e400", "parameter 'L1.N1.w1' is -inf"),
])
def test_load_says_which_number_is_refused(tmp_path, literal, words):
    path = tmp_path / "bad.json"
    document = saved_document(tmp_path)
    path.write_bytes(_literal_first(document, literal))
    with pytest.raises(ValueError, match=re.escape(words)):
        MLP(2, [3, 1], seed=5).load(path)


def test_load_of_json_nested_too_deeply_is_a_value_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError, match=r"deep\.json: not a model file \(JSON nested too deeply\)"):
        Neuron(2).load(path)


def test_load_refuses_a_version_that_is_not_the_int_1(tmp_path):
    doc = saved_document(tmp_path)
    path = tmp_path / "v.json"
    path.write_bytes(_dump({**doc, "version": True}))
    with pytest.raises(ValueError, match="unsupported model file version True"):
        MLP(2, [3, 1]).load(path)
    path.write_bytes(_dump({**doc, "version": 1}))
    assert MLP(2, [3, 1]).load(path).state_dict() == MLP(2, [3, 1], seed=0).state_dict()


def test_load_state_dict_refuses_non_finite_values_and_changes_nothing():
    neuron = Neuron(2, seed=0)
    before = neuron.state_dict()
    for bad in (math.nan, math.inf, -math.inf):
        state = dict(before)
        state[list(state)[1]] = bad
        with pytest.raises(ValueError, match=f"is {bad} \\(weights must be finite numbers\\)"):
            neuron.load_state_dict(state)
        assert neuron.state_dict() == before


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_save_refuses_non_finite_weights_and_leaves_the_old_file(tmp_path, bad):
    path = tmp_path / "model.json"
    model = MLP(2, [3, 1], seed=0)
    model.save(path)
    old = path.read_bytes()
    name, parameter = model.named_parameters()[4]
    parameter.data = bad
    with pytest.raises(ValueError, match=f"save: parameter {re.escape(repr(name))} is {bad}; "
                                         f"a model file holds finite numbers only"):
        model.save(path)
    assert path.read_bytes() == old  # byte for byte
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    with pytest.raises(ValueError):
        model.save(tmp_path / "new.json")
    assert not (tmp_path / "new.json").exists()


def test_saved_files_are_strict_json(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    model.parameters()[0].data = 1e308  # the largest numbers are still plain JSON numbers
    model.parameters()[1].data = -5e-324
    path = model.save(tmp_path / "model.json")

    def refuse(name):
        raise AssertionError(f"{name} in a saved file")

    document = json.loads(path.read_text(), parse_constant=refuse)
    assert document["version"] == 1 and type(document["version"]) is int
    assert list(document["parameters"].values())[:2] == [1e308, -5e-324]


def test_save_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "v1.json"
    MLP(2, [3, 1], seed=1).save(target)
    link = tmp_path / "latest.json"
    link.symlink_to(Path("models") / "v1.json")  # relative, as people make them
    model = MLP(2, [3, 1], seed=2)
    assert model.save(link) == link
    assert link.is_symlink() and os.readlink(link) == str(Path("models") / "v1.json")
    assert MLP(2, [3, 1]).load(target).state_dict() == model.state_dict()
    # the temporary file was made beside the target and renamed over it: nothing left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "models"]
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["v1.json"]


def test_save_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "model.json"
    link.symlink_to(tmp_path / "made.json")
    MLP(2, [2, 1], seed=0).save(link)
    assert link.is_symlink() and (tmp_path / "made.json").is_file()


def test_a_model_and_a_graph_survive_pickle():
    # multiprocessing and joblib pickle models: each activation is found by its name
    # (Value.relu), and the copy computes what the original computes.
    import pickle

    model = MLP(2, [3, 3, 1], activation="tanh", seed=0)
    copy = pickle.loads(pickle.dumps(model))
    assert copy([0.5, -1.0]).data == model([0.5, -1.0]).data
    assert [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]
    loss = (copy([0.5, -1.0]) - 1.0) ** 2
    again = pickle.loads(pickle.dumps(loss))
    loss.backward()
    again.backward()
    from autograd_tiny import reverse_topological_order
    assert [n.grad for n in reverse_topological_order(again)] == \
        [n.grad for n in reverse_topological_order(loss)]
    assert again.data == loss.data and len(reverse_topological_order(again)) > 20


def test_load_called_on_the_class_says_to_build_the_model_first(tmp_path):
    """MLP.load(path) used to fail with "missing 1 required positional argument"."""
    path = MLP(2, [3, 1], seed=0).save(tmp_path / "small.json")
    with pytest.raises(TypeError) as info:
        MLP.load(path)
    message = str(info.value)
    assert message.startswith("load: call it on a model of the file's shape")
    assert "(the file holds MLP(2, [3, 1], parameters=13))" in message
    with pytest.raises(TypeError, match="load: missing the path"):
        MLP(2, [3, 1]).load()
    loaded = MLP(2, [3, 1], seed=5).load(path)
    assert loaded.state_dict() == MLP(2, [3, 1], seed=0).state_dict()
