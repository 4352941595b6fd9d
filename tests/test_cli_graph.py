"""``autograd-tiny graph``: the picture it writes, its errors (one line, exit 2, no
traceback, no output file) and expressions that try to run code."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_tiny.draw import renderer
from autograd_tiny.cli import main
from autograd_tiny.draw.renderer import find_renderer
from autograd_tiny.draw.dot import HIGHLIGHT_COLOR

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
SVG = "{http://www.w3.org/2000/svg}"
NEURON = ["graph", "tanh(x1*w1 + x2*w2 + b)",
          "--set", "x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432"]


def groups(svg_path: Path, kind: str) -> list[ET.Element]:
    tree = ET.parse(svg_path)
    return [g for g in tree.iter(f"{SVG}g") if g.get("class") == kind]


def texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def the_error(capsys: pytest.CaptureFixture[str]) -> str:
    """stderr, checked to be exactly one line and no traceback."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("autograd-tiny: error: ")
    return err


# -- pictures ----------------------------------------------------------------------------


@needs_renderer
def test_the_lecture_neuron_is_drawn_with_gradients_and_the_route_to_w1(tmp_path, capsys):
    out = tmp_path / "neuron.svg"
    assert main([*NEURON, "--output", str(out), "--highlight", "w1"]) == 0
    assert capsys.readouterr().out == f"wrote {out} (10 values)\n"
    records = {texts(g)[0]: texts(g)[1:] for g in groups(out, "node")
               if g.find(f"{SVG}title").text[1:].isdigit()}
    # backward ran: the lecture's gradients (do/dn = 0.5, dw1 = x1 * 0.5, dx1 = w1 * 0.5)
    assert records["w1"] == ["data -3.0000", "grad 1.0000"]
    assert records["x1"] == ["data 2.0000", "grad -1.5000"]
    assert records["w2"] == ["data 1.0000", "grad 0.0000"]
    red = [g for g in groups(out, "edge")
           if g.find(f"{SVG}path").get("stroke").lower() == HIGHLIGHT_COLOR]
    # w1 -> *, * -> x1*w1, x1*w1 -> +, + -> sum, sum -> +, + -> n, n -> tanh, tanh -> o
    assert len(red) == 8
    assert sorted(t for g in red for t in texts(g)) == ["0.5000", "1.0000", "1.0000", "2.0000"]


def test_flags_reach_the_drawing(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert main(["graph", "x*y + x", "--set", "x=2", "y=3", "--output", str(out),
                 "--rankdir", "TB", "--no-grad", "--no-local"]) == 0
    source = out.read_text()
    assert "rankdir=TB" in source
    assert "data 2.0000" in source and "grad " not in source
    assert "->" in source and "label=1.0000" not in source
    assert capsys.readouterr().out == f"wrote {out} (4 values)\n"  # x, y, x*y, +


def test_max_nodes_draws_the_values_nearest_the_output(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert main(["graph", "sin(sin(sin(sin(x))))", "--set", "x=1", "--output", str(out),
                 "--max-nodes", "3"]) == 0
    assert "2 more values not drawn" in out.read_text()
    assert "(3 of 5 values)" in capsys.readouterr().out


# -- mistakes: one line, exit 2, nothing written --------------------------------------------


@pytest.mark.parametrize("argv, problem", [
    (["graph", "x *", "--set", "x=1"], "syntax error"),
    (["graph", "frobnicate(x)", "--set", "x=1"], "unknown function 'frobnicate'"),
    (["graph", "x * y", "--set", "x=1"], "no value for y"),
    (["graph", "x", "--set", "x=one"], "'one' is not a number"),
    (["graph", "x", "--set", "x=1", "y=2"], "y: not used"),
    (["graph", "x * y", "--set", "x=1", "y=2", "--highlight", "z"], "--highlight z"),
    (["graph", "x", "--set", "x=1", "--rankdir", "XY"], "invalid choice: 'XY'"),
    (["graph", "x", "--set", "x=1", "--max-nodes", "0"], "at least 1"),
])
def test_mistakes_are_one_line_exit_2_and_no_file(argv, problem, tmp_path, capsys):
    assert main([*argv, "--output", str(tmp_path / "g.svg")]) == 2
    assert problem in the_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_output_format_or_folder_is_refused(tmp_path, capsys):
    assert main(["graph", "x", "--set", "x=1", "--output", str(tmp_path / "g.gif")]) == 2
    assert "unknown format '.gif'" in the_error(capsys)
    assert main(["graph", "x", "--set", "x=1", "--output", str(tmp_path / "no" / "g.svg")]) == 2
    assert "no such directory" in the_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_output_asks_for_a_file_name(tmp_path, capsys):
    # an existing folder, with or without the trailing slash, and a new one with it
    for output in [f"{tmp_path}/", str(tmp_path), f"{tmp_path}/new/"]:
        assert main(["graph", "a", "--set", "a=1", "--output", output]) == 2
        err = the_error(capsys)
        assert f"--output {output}: a folder, not a file; add a file name" in err, err
        assert "unknown format" not in err
    (tmp_path / "g.svg").mkdir()  # a folder whose name looks like a file's
    assert main(["graph", "a", "--set", "a=1", "--output", str(tmp_path / "g.svg")]) == 2
    assert f"e.g. {tmp_path / 'g.svg' / 'graph.svg'}" in the_error(capsys)
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]


@pytest.mark.parametrize("expression, settings, warning", [
    ("a**b", ["a=-1", "b=0.5"], "a ** b turned finite inputs into nan: a = -1.0, b = 0.5"),
    ("log(a)*b", ["a=0", "b=2"], "log turned a finite input into -inf: log(a) with a = 0.0"),
    ("sqrt(x)*2", ["x=0"],  # a finite value whose local derivative is inf
     "sqrt has local derivative d/dx = inf at a finite input: sqrt(x) with x = 0.0"),
])
def test_nan_or_inf_is_drawn_with_a_one_line_warning(expression, settings, warning,
                                                     tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert main(["graph", expression, "--set", *settings, "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"autograd-tiny: warning: {warning}\n"
    assert captured.out.startswith(f"wrote {out}")
    assert "nan" in out.read_text() or "inf" in out.read_text()


def test_finite_graphs_have_no_warning(tmp_path, capsys):
    assert main(["graph", "a**b", "--set", "a=2", "b=0.5",
                 "--output", str(tmp_path / "g.dot")]) == 0
    assert capsys.readouterr().err == ""


def test_quiz_graph_errors_name_the_graph_flag(tmp_path, capsys):
    assert main(["quiz", "--graph", f"{tmp_path}/"]) == 2
    assert f"--graph {tmp_path}/: a folder, not a file" in the_error(capsys)


@pytest.mark.parametrize("expression, refused", [
    ("__import__('os').system('touch PWNED')", "__import__('os').system"),
    ("x.__class__", "x.__class__"),
    ("x.real", "'.real' (attribute access) in 'x.real'"),
    ("(lambda: 1)()", "lambda"),
    ("(lambda: __import__('os').system('touch PWNED'))()", "lambda"),
    ("exp.__globals__", "exp.__globals__"),
    ("[c for c in ().__class__.__bases__]", "'for' (a comprehension)"),
    ("open('PWNED', 'w')", "unknown function 'open'"),
    ("exp(x, **{'a': 1})", "keyword arguments"),
])
def test_code_in_the_expression_is_refused_never_run(expression, refused, tmp_path,
                                                     monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", expression, "--set", "x=1", "--output", "g.svg"]) == 2
    assert refused in the_error(capsys)
    assert list(tmp_path.iterdir()) == []  # neither PWNED nor g.svg


def test_without_a_renderer_the_error_says_how_to_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    out = tmp_path / "g.svg"
    assert main(["graph", "x*x", "--set", "x=3", "--output", str(out)]) == 2
    assert "pip install graphviz-pure" in the_error(capsys)
    assert list(tmp_path.iterdir()) == []  # a failing command writes nothing
    assert main(["graph", "x*x", "--set", "x=3", "--output", str(tmp_path / "g.dot")]) == 0
    assert "data 9.0000" in (tmp_path / "g.dot").read_text()  # the source, as it said


@needs_renderer
def test_pdf_from_a_renderer_without_pdf_is_one_line(tmp_path, capsys):
    binary = find_renderer()
    if "pdf" in renderer.supported_formats(binary):
        pytest.skip(f"{binary} writes PDF")
    assert main(["graph", "x", "--set", "x=1", "--output", str(tmp_path / "g.pdf")]) == 2
    assert renderer.renderer_name(binary) in the_error(capsys)
    assert list(tmp_path.iterdir()) == []


# -- the installed command, in a real process ---------------------------------------------


def command() -> list[str]:
    script = Path(sys.executable).parent / "autograd-tiny"
    return [str(script)] if script.exists() else [sys.executable, "-m", "autograd_tiny"]


def test_the_installed_command_refuses_an_injection_with_exit_2(tmp_path):
    result = subprocess.run(
        [*command(), "graph", "__import__('os').system('touch PWNED')", "--output", "g.svg"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "not allowed in an expression" in result.stderr
    assert list(tmp_path.iterdir()) == []


@needs_renderer
def test_the_installed_command_draws_an_svg(tmp_path):
    result = subprocess.run([*command(), *NEURON, "--output", "n.svg"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "wrote n.svg (10 values)\n"
    assert len(groups(tmp_path / "n.svg", "edge")) == 9 + 5


def test_help_the_error_and_the_readme_list_the_same_output_formats(capsys):
    """Reported: --help left out .tex although the error message and README list it."""
    with pytest.raises(SystemExit) as exit_:
        main(["graph", "--help"])
    assert exit_.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert main(["graph", "x", "--set", "x=1", "--output", "x.gif"]) == 2
    error = the_error(capsys)
    listed = error.split("(use ")[1].rstrip(")\n").split(", ")
    assert listed == [".svg", ".png", ".pdf", ".dot", ".gv", ".tex", ".tikz"]
    for suffix in listed:
        assert f" {suffix}" in help_text, suffix
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `autograd-tiny graph"))
    assert row.split("; `")[1].split("`")[0].split() == listed
