"""``autograd-tiny demo`` and ``autograd-tiny slides`` from the command line: output,
files, and one-line errors with exit status 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_tiny.cli import main
from autograd_tiny.draw.renderer import find_renderer

ROOT = Path(__file__).resolve().parents[1]
needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


@needs_renderer
def test_demo_writes_into_the_default_folder_and_names_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "autograd_tiny_demo"
    assert sorted(p.name for p in folder.iterdir()) == ["graph.svg", "graph_slides.html",
                                                        "network.svg", "slides.html"]
    assert out.strip().splitlines()[-1] == f"Everything is in autograd_tiny_demo{os.sep}"
    assert "after 2 updates" in out
    # the network slides: forward, the two output neurons, the two hidden ones, the updates
    network = (folder / "slides.html").read_text()
    assert network.count('data-kind="step"') == 4
    assert "0.082167041" in network and "0.35891648" in network  # dE/dw5, w5 after the update
    slides = (folder / "graph_slides.html").read_text()
    # one per edge of the network's graph: 5 into each of the four weighted-sum net nodes,
    # 1 into each sigmoid, 5 per output's error term 0.5*(target - out)**2, 2 into their sum
    assert slides.count('data-kind="step"') == 4 * 5 + 4 * 1 + 2 * 5 + 2


def test_demo_without_a_renderer_writes_the_graph_source(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUTOGRAD_TINY_DOT", "")  # the renderer's switch for "none"
    assert main(["demo", "--out", str(tmp_path), "--steps", "0"]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot"]
    assert "pictures and slides not drawn: " in out and "graphviz-pure" in out
    assert "digraph" in (tmp_path / "graph.dot").read_text()


def test_demo_prints_the_walkthrough_without_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--no-files", "--steps", "1"]) == 0
    out = capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    for expected in ("0.298371109", "0.082167041", "0.000438568", "0.291027774",
                     "0.291027924", "0.358916480"):
        assert expected in out


@pytest.mark.parametrize("arguments, message", [
    (["--steps", "-3"], "must be at least 0, got -3"),
    (["--steps", "many"], "'many' is not a whole number"),
])
def test_demo_bad_flags(arguments, message, capsys):
    assert main(["demo", "--no-files", *arguments]) == 2
    assert message in one_line_error(capsys)


def test_demo_output_folder_that_is_a_file(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    assert main(["demo", "--out", str(blocker), "--steps", "0"]) == 2
    assert f"cannot write into {blocker}" in one_line_error(capsys)


def test_demo_piped_output_is_plain_text():
    env = dict(os.environ, COLUMNS="100", TERM="dumb")
    result = subprocess.run([sys.executable, str(ROOT / "demos" / "mazur.py"), "--no-files",
                             "--steps", "3"], capture_output=True, text=True, timeout=300,
                            env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    assert ("∂E_total/∂out_o1 * ∂out_o1/∂net_o1 * ∂net_o1/∂w5 = 0.74136507 * 0.186815602 * "
            "0.593269992 = 0.082167041") in result.stdout


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "ascii"])
def test_demo_on_a_console_without_the_partial_sign_writes_d(encoding):
    """A Windows pipe in cp1252 (or a C locale, in ASCII) has no ∂: the local
    derivatives are written with d, and the demo runs to the end."""
    env = dict(os.environ, COLUMNS="100", TERM="dumb", PYTHONIOENCODING=encoding)
    result = subprocess.run([sys.executable, str(ROOT / "demos" / "mazur.py"), "--no-files",
                             "--steps", "3"], capture_output=True, timeout=300,
                            env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr.decode(encoding, "replace")
    stdout = result.stdout.decode(encoding)
    assert ("dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.74136507 * 0.186815602 * "
            "0.593269992 = 0.082167041") in stdout
    if encoding == "ascii":  # the section titles keep their separator as a plain stand-in
        assert "Step 3 - backward pass" in stdout and "Step 3 ? " not in stdout


@needs_renderer
def test_slides_command_writes_one_frame_per_step(tmp_path, capsys):
    output = tmp_path / "neuron.html"
    status = main(["slides", "tanh(w*x + b)", "--set", "w=-3", "x=2", "b=6.8813735870195432",
                   "--output", str(output)])
    assert status == 0
    assert capsys.readouterr().out == f"wrote {output}\n"
    text = output.read_text()
    assert text.count('data-kind="step"') == 5  # tanh 1, + 2, * 2
    assert "df/dw" in text  # the expression's value is called f on the slides
    assert "<title>Backpropagation through tanh(w*x + b)</title>" in text


@needs_renderer
def test_slides_name_option(tmp_path, capsys):
    output = tmp_path / "s.html"
    assert main(["slides", "f*x", "--set", "f=2", "x=3", "--output", str(output)]) == 0
    assert "dy/df" in output.read_text()  # f is taken: the value is called y
    assert main(["slides", "x*x", "--set", "x=3", "--name", "loss",
                 "--output", str(output)]) == 0
    assert "dloss/dx" in output.read_text()


@pytest.mark.parametrize("arguments, message", [
    (["x *", "--set", "x=1"], "syntax error"),
    (["x*y", "--set", "x=1"], "no value for y"),
    (["x", "--set", "x=1", "--name", "two words"], "--name 'two words'"),
    (["x*y", "--set", "x=1", "y=2", "--name", "x"], "--name x: already a variable"),
    (["x*x*x", "--set", "x=1", "--max-steps", "2"],
     "backward takes 4 steps here, more than --max-steps 2; slides are for small graphs "
     "(pass a larger --max-steps to draw them anyway)"),
])
def test_slides_bad_input(arguments, message, tmp_path, capsys):
    assert main(["slides", *arguments, "--output", str(tmp_path / "s.html")]) == 2
    assert message in one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_slides_bad_output(tmp_path, capsys):
    assert main(["slides", "x", "--set", "x=1", "--output", str(tmp_path / "s.svg")]) == 2
    assert "unknown format '.svg' for slides" in one_line_error(capsys)
    missing = tmp_path / "nowhere" / "s.html"
    assert main(["slides", "x", "--set", "x=1", "--output", str(missing)]) == 2
    assert re.search(r"no such directory", one_line_error(capsys))
