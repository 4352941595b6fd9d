"""An expression that starts with a minus ("-a*b"): argparse takes it for an unknown
flag and used to say the expression was missing. Every subcommand that takes an
expression reads it as the expression; where it begins like one of our own flags
('-o*x' is -o with the value '*x'), the one-line error says how to write it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograd_tiny.cli import main


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    assert captured.err.startswith("autograd-tiny: error: "), captured.err
    return captured.err.removeprefix("autograd-tiny: error: ").rstrip("\n")


@pytest.mark.parametrize("arguments", [
    ["-a*b", "--set", "a=1", "b=2", "--output", "m.dot"],
    ["--set", "a=1", "b=2", "-a*b", "--output", "m.dot"],  # ends --set's values
    ["--set", "a=1", "b=2", "--output", "m.dot", "-a*b"],
    ["-o", "m.dot", "--set", "a=1", "b=2", "--", "-a*b"],  # the user's own --
])
def test_graph_draws_an_expression_that_starts_with_a_minus(arguments, tmp_path,
                                                          monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", *arguments]) == 0
    assert capsys.readouterr().out == "wrote m.dot (4 values)\n"
    source = (tmp_path / "m.dot").read_text()
    assert "data -2.0000" in source  # (-a)*b with a=1, b=2
    assert "grad 2.0000" in source and "grad -1.0000" in source  # d/da = -b, d/db = -a


@pytest.mark.parametrize("expression, value", [
    ("-(a+b)", "data -3.0000"), ("--a", "data 1.0000"), ("-tanh(a)*b", "data -1.5232"),
])
def test_other_expressions_that_start_with_a_minus(expression, value, tmp_path, capsys):
    out = tmp_path / "m.dot"
    variables = ["a=1", "b=2"] if "b" in expression else ["a=1"]
    assert main(["graph", expression, "--set", *variables, "--output", str(out)]) == 0
    assert value in out.read_text()


def test_slides_takes_an_expression_that_starts_with_a_minus(tmp_path, capsys):
    out = tmp_path / "s.html"
    assert main(["slides", "-a*b", "--set", "a=1", "b=2", "--output", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert "</html>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("expression, stray", [("-o*a", "-o*a"), ("-h*a", "-h*a")])
def test_an_expression_that_begins_like_a_flag_gets_a_one_line_how_to(expression, stray,
                                                                      tmp_path, capsys):
    out = tmp_path / "m.dot"
    assert main(["graph", expression, "--set", "a=1", "--output", str(out)]) == 2
    message = one_error_line(capsys)
    assert message.endswith(f'(an expression that starts with a minus goes last, after --: '
                            f'autograd-tiny graph ... -- "{stray}")')
    assert not out.exists()
    # ... and what it says works
    assert main(["graph", "--set", "o=1", "a=2", "--output", str(out), "--", "-o*a"]) == 0
    assert "data -2.0000" in out.read_text()


def test_an_unknown_flag_after_the_expression_is_still_an_unknown_flag(tmp_path, capsys):
    out = tmp_path / "m.dot"
    assert main(["graph", "a", "--set", "a=1", "--output", str(out), "--bogus"]) == 2
    assert one_error_line(capsys) == "unrecognized arguments: --bogus"
    assert main(["graph", "-a", "--set", "a=1", "--output", str(out), "--bogus"]) == 2
    assert one_error_line(capsys).startswith("unrecognized arguments: --bogus")
    assert not out.exists()


def test_the_installed_command_reads_the_reported_line(tmp_path):
    """The report, word for word, through the real console script."""
    script = Path(sys.executable).parent / "autograd-tiny"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "autograd_tiny"]
    result = subprocess.run([*command, "graph", "-a*b", "--set", "a=1", "b=2", "--output",
                             "m.dot"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "wrote m.dot (4 values)\n"
