"""The property of issue 11: every command-line input gives exit 0, or exit 2 with
exactly one line on stderr, no traceback and no file written. ``main([...])`` runs
in-process on hypothesis' expression strings and ``--set`` values."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_tiny.cli import main
from autograd_tiny.cli.expr import variables

pieces = st.sampled_from([
    "x", "y", "2", "0.5", "1e999", "0x" + "f" * 300, "+", "-", "*", "/", "**", "//", "(", ")",
    ",", "tanh(", "leaky_relu(", "exp", "frob(", ".", "[", "]", "=", "'", '"', "lambda",
    " ", "\n", "\t", "#", "\\", "$", "\x00", "\udcff", "\ud800", "é", "ﬁ", "0777", "1j",
    "not ", "if", "True", "__import__", "x.data", "{", "}", ":", "@", "~", "%", "<", "&",
])
expression_text = st.one_of(st.lists(pieces, max_size=12).map("".join),
                            st.text(max_size=20))
setting_text = st.one_of(
    st.sampled_from(["x=1", "y=-2.5", "x=nan", "x=inf", "x=", "=1", "x", "x=1e999", "if=1",
                     "tanh=1", "x=0x10", "ﬁ=1", "x=1_0", "x=\udcff", "y==2", " x = 3 "]),
    st.text(max_size=8))


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=expression_text, sets=st.lists(setting_text, max_size=3),
       command=st.sampled_from(["graph", "slides"]))
def test_every_input_is_exit_0_or_exit_2_with_one_line(tmp_path, monkeypatch, capsys,
                                                       expression, sets, command):
    monkeypatch.setenv("AUTOGRAD_TINY_DOT", "")  # slides stop before drawing: fast
    out = tmp_path / ("g.dot" if command == "graph" else "s.html")
    argv = [command, expression, *(["--set", *sets] if sets else []), "--output", str(out)]
    capsys.readouterr()
    status = main(argv)
    captured = capsys.readouterr()
    assert status in (0, 2), (argv, status, captured.err)
    if status == 2:
        assert captured.err.count("\n") == 1, (argv, captured.err)
        assert captured.err.startswith("autograd-tiny: error: ") and "Traceback" not in \
            captured.err, (argv, captured.err)
        assert not out.exists()
    else:
        # Success says nothing on stderr, but for one line of warning when the picture
        # holds nan or inf (0/0): still written, exit 0.
        warned = (captured.err.count("\n") == 1
                  and captured.err.startswith("autograd-tiny: warning: ")
                  and ("nan" in captured.err or "inf" in captured.err))
        assert captured.err == "" or warned, (argv, captured.err)
        assert captured.out.startswith("wrote ")
        assert command == "graph" and out.exists()
        out.unlink()


@st.composite
def valid_expressions(draw, depth=4):
    """An expression of the allowed grammar over x and y (numbers, + - * / **, unary
    minus, parentheses, every function)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["x", "y", "2", "0.5", "0", "1e-3", "3"]))
    form = draw(st.integers(0, 3))
    inner = draw(valid_expressions(depth - 1))
    if form == 0:
        op = draw(st.sampled_from(["+", "-", "*", "/", "**"]))
        return f"({inner}) {op} ({draw(valid_expressions(depth - 1))})"
    if form == 1:
        return f"-({inner})"
    if form == 2:
        name = draw(st.sampled_from(["exp", "log", "sqrt", "tanh", "sigmoid", "relu",
                                     "sin", "cos", "abs", "leaky_relu"]))
        return f"{name}({inner})"
    return f"leaky_relu({inner}, {draw(valid_expressions(depth - 1))})"


numbers = st.sampled_from(["0", "-0", "1e308", "-1e308", "5e-324", "2", "-3", "0.5"])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=valid_expressions(), x=numbers, y=numbers)
def test_every_valid_expression_is_drawn_whatever_its_values(tmp_path, capsys, expression,
                                                             x, y):
    out = tmp_path / "g.dot"
    used = variables(expression)
    sets = [f"{name}={value}" for name, value in (("x", x), ("y", y)) if name in used]
    argv = ["graph", *(["--set", *sets] if sets else []), "--output", str(out), "--", expression]
    capsys.readouterr()
    assert main(argv) == 0, (argv, capsys.readouterr().err)
    captured = capsys.readouterr()
    assert captured.out.startswith(f"wrote {out} (")
    picture = out.read_text()
    assert picture.startswith("digraph")
    if captured.err:  # values like 1e308 overflow: still drawn, with one line saying where
        assert captured.err.startswith("autograd-tiny: warning: ")
        assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
        assert "nan" in picture or "inf" in picture
    out.unlink()
