"""`autograd-tiny network MODEL.json`: draws a saved model; every user mistake is one
line on stderr and exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd_tiny import MLP
from autograd_tiny.cli import main
from autograd_tiny.cli.network import load_model
from autograd_tiny.draw.renderer import find_renderer

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def mazur_file(tmp_path):
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    weights = [0.15, 0.20, 0.35, 0.25, 0.30, 0.35, 0.40, 0.45, 0.60, 0.50, 0.55, 0.60]
    for p, value in zip(model.parameters(), weights):
        p.data = value
    return model.save(tmp_path / "mazur.json")


def node_texts(svg: str) -> dict[str, list[str]]:
    tree = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text: [t.text for t in g.iter(f"{SVG}text")]
            for g in tree.iter(f"{SVG}g") if g.get("class") == "node"}


@needs_renderer
def test_draws_a_saved_model_with_input_target_and_highlight(mazur_file, tmp_path, capsys):
    out = tmp_path / "net.svg"
    status = main(["network", str(mazur_file), "--input", "0.05", "0.10", "--target", "0.01",
                   "0.99", "--activation", "sigmoid", "--output-activation", "sigmoid",
                   "--highlight", "L1.N1.w1", "--output", str(out)])
    assert status == 0
    assert capsys.readouterr().out == f"wrote {out} (network 2 -> 2 -> 2, 12 parameters)\n"
    svg = out.read_text()
    nodes = node_texts(svg)
    assert "out 0.593269992" in nodes["L1.N1"]  # Mazur's out_h1
    assert nodes["E"] == ["E", "0.298371109"]
    assert "2 routes from E back to L1.N1.w1" in svg
    # a bias is highlighted the same way
    assert main(["network", str(mazur_file), "--input", "0.05", "0.10", "--target", "0.01",
                 "0.99", "--highlight", "L2.N2.b", "--output", str(out)]) == 0
    assert "1 route from E back to L2.N2.b (in red): the bias of L2.N2" in out.read_text()


def test_without_activations_the_hidden_layers_are_relu_as_in_micrograd(mazur_file, tmp_path):
    import json
    document = json.loads(mazur_file.read_text())
    assert "activation='sigmoid'" in document["model"]  # the file says what the model used
    document["model"] = "MLP(2, [2, 2], parameters=12)"  # a file that does not
    mazur_file.write_text(json.dumps(document))
    out = tmp_path / "net.dot"
    assert main(["network", str(mazur_file), "--input", "0.05", "0.10", "--output",
                 str(out)]) == 0
    # relu(0.3775) = 0.3775: out equals net in the hidden layer; the last layer is linear
    assert "net 0.3775<br/>out 0.3775" in out.read_text()


def test_dot_output_needs_no_renderer(mazur_file, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_TINY_DOT", "")
    out = tmp_path / "net.dot"
    assert main(["network", str(mazur_file), "--output", str(out)]) == 0
    assert out.read_text().startswith("digraph network")


def test_a_model_saved_under_its_own_names_is_loaded_by_position(tmp_path):
    names = ["w1", "w2", "b1", "w3", "w4", "b1_", "w5", "w6", "b2", "w7", "w8", "b2_"]
    document = {"format": "autograd_tiny.state_dict", "version": 1,
                "model": "MLP(2, [2, 2], parameters=12)",
                "parameters": {name: 0.1 * i for i, name in enumerate(names)}}
    path = tmp_path / "renamed.json"
    path.write_text(json.dumps(document))
    model = load_model(path, "sigmoid", "sigmoid")
    assert [p.label for p in model.parameters()] == names
    assert model.layers[1].neurons[0].w[1].data == pytest.approx(0.7)
    out = tmp_path / "n.dot"
    assert main(["network", str(path), "--highlight", "w5", "--output", str(out)]) == 0
    assert "w5 = 0.6" in out.read_text()


@pytest.mark.parametrize("arguments, message", [
    (["--input", "0.5", "--output", "{tmp}/x.svg"], "--input: the model has 2 inputs, got 1 number"),
    (["--input", "1", "2", "--target", "1", "--output", "{tmp}/x.svg"],
     "--target: the model has 2 outputs, got 1 number"),
    (["--target", "1", "2", "--output", "{tmp}/x.svg"], "--target needs --input"),
    (["--highlight", "w9", "--output", "{tmp}/x.svg"],
     "--highlight w9: no weight or bias named 'w9'"),
    (["--output", "{tmp}/x.gif"], "unknown format '.gif' for a network picture"),
    (["--output", "{tmp}/no/such/x.svg"], "no such directory"),
    (["--input", "a", "b", "--output", "{tmp}/x.svg"], "'a' is not a number"),
    (["--input", "nan", "1", "--output", "{tmp}/x.svg"], "'nan' is not a finite number"),
    (["--activation", "swish", "--output", "{tmp}/x.svg"], "invalid choice: 'swish'"),
])
def test_mistakes_are_one_line_and_exit_2(mazur_file, tmp_path, capsys, arguments, message):
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    assert main(["network", str(mazur_file), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("autograd-tiny: error: ") and err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("not json", "not a model file (invalid JSON"),
    ('{"format": "something else"}', "not a model file"),
    ('{"format": "autograd_tiny.state_dict", "version": 1, "parameters": {}}',
     'no "model" line'),
    ('{"format": "autograd_tiny.state_dict", "version": 1, "model": "Conv(3)", '
     '"parameters": {}}', "this command draws MLP, Layer and Neuron files"),
    ('{"format": "autograd_tiny.state_dict", "version": 1, '
     '"model": "MLP(2, [2, 1], parameters=9)", "parameters": {"a": 1}}', "does not fit"),
])
def test_bad_model_files_are_one_line_errors(tmp_path, capsys, content, message):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content)
    assert main(["network", str(path), "--output", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_the_installed_command_has_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograd_tiny", "network",
                             str(tmp_path / "missing.json"), "--output", str(tmp_path / "x.svg")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("missing.json: no such file")
    assert "Traceback" not in result.stderr


def test_a_model_with_one_bias_per_layer_is_loaded_when_the_nn_side_ties_biases(tmp_path):
    if not hasattr(MLP, "tie_biases"):
        pytest.skip("nn's tie_biases() is not merged yet")
    names = ["w1", "w2", "b1", "w3", "w4", "w5", "w6", "b2", "w7", "w8"]
    values = [0.15, 0.2, 0.35, 0.25, 0.3, 0.4, 0.45, 0.6, 0.5, 0.55]
    document = {"format": "autograd_tiny.state_dict", "version": 1,
                "model": "MLP(2, [2, 2], parameters=10)",
                "parameters": dict(zip(names, values))}
    path = tmp_path / "mazur.json"
    path.write_text(json.dumps(document))
    out = tmp_path / "n.dot"
    assert main(["network", str(path), "--input", "0.05", "0.10", "--target", "0.01", "0.99",
                 "--activation", "sigmoid", "--output-activation", "sigmoid",
                 "--output", str(out)]) == 0
    source = out.read_text()
    assert "E = 0.298371109" in source and "w8 = 0.55" in source


def test_a_saved_model_keeps_its_activations(tmp_path):
    # the file's model line names activations other than relu/linear, and the network
    # command rebuilds the model with them (a tanh model drawn as relu would show wrong numbers)
    from autograd_tiny import MLP
    from autograd_tiny.cli.network import load_model

    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    path = model.save(tmp_path / "m.json")
    rebuilt = load_model(path)
    assert rebuilt([0.3, -0.7]).data == model([0.3, -0.7]).data
    assert [layer.neurons[0].activation for layer in rebuilt.layers] == ["tanh", "sigmoid"]
