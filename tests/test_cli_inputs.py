"""Command-line inputs that gave tracebacks or were wrongly accepted (issue 11, item
15) are one-line errors with exit status 2; the expression parser reads what Python's
grammar says, for any length of flat sum."""

from __future__ import annotations

import ast
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value
from autograd_tiny.cli import main
from autograd_tiny.cli.expr import FUNCTIONS, ExpressionError, build
from autograd_tiny.core.engine import reverse_topological_order


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    assert captured.err.startswith("autograd-tiny: error: "), captured.err
    return captured.err.removeprefix("autograd-tiny: error: ").rstrip("\n")


def graph(tmp_path, expression, *settings):
    return main(["graph", expression, "--set", *settings, "--output", str(tmp_path / "g.dot")]
                if settings else ["graph", expression, "--output", str(tmp_path / "g.dot")])


# -- the cases of item 15 -----------------------------------------------------------------


def test_a_huge_hexadecimal_number_is_out_of_range_not_a_traceback(tmp_path, capsys):
    typed = "0x" + "f" * 300
    assert graph(tmp_path, typed) == 2
    assert one_error_line(capsys) == ("number out of range: 0xffffffffffffffffffffffffffffff"
                                      "ffffffff...ffffffffffff (302 characters)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("typed", ["1e999", "-1e999", "1_0e999", "9" * 400 + ".0", "1" * 5000])
def test_a_number_out_of_range_is_reported_as_typed(tmp_path, capsys, typed):
    assert graph(tmp_path, f"x * {typed}", "x=1") == 2
    digits = typed.lstrip("-")
    expected = digits if len(digits) <= 60 else f"{digits[:40]}...{digits[-12:]}"
    assert one_error_line(capsys).startswith(f"number out of range: {expected}")


def test_an_expression_that_is_not_utf8_is_one_line_in_process(tmp_path, capsys):
    bad = b"x*\xff".decode("utf-8", "surrogateescape")  # how Python hands over argv
    assert graph(tmp_path, bad, "x=1") == 2
    assert one_error_line(capsys) == ("the argument 'x*\\xff' is not valid UTF-8 "
                                      "(the byte 0xff at character 3)")
    with pytest.raises(ExpressionError, match="the byte 0xff at character 3"):
        build(bad, {"x": 1.0})


def command() -> list[str]:
    script = Path(sys.executable).parent / "autograd-tiny"
    return [str(script)] if script.exists() else [sys.executable, "-m", "autograd_tiny"]


@pytest.mark.parametrize("argv, where", [
    ([b"graph", b"x*\xff", b"--set", b"x=1", b"--output", b"g.dot"], b"'x*\\xff'"),
    ([b"graph", b"\xc3(x)", b"--set", b"x=1", b"--output", b"g.dot"], b"'\\xc3(x)'"),
    ([b"graph", b"x", b"--set", b"x=1\xff", b"--output", b"g.dot"], b"'x=1\\xff'"),
    ([b"graph", b"x", b"--set", b"x=1", b"--output", b"\xed\xa0\x80.dot"],
     b"'\\xed\\xa0\\x80.dot'"),
    ([b"slides", b"x", b"--set", b"x=1", b"--title", b"\xff", b"--output", b"s.html"],
     b"'\\xff'"),
])
def test_invalid_utf8_in_a_real_command_line_exits_2(tmp_path, argv, where):
    result = subprocess.run([*map(os.fsencode, command()), *argv], cwd=tmp_path,
                            capture_output=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(b"autograd-tiny: error: the argument " + where +
                                    b" is not valid UTF-8 (the byte 0x")
    assert result.stderr.count(b"\n") == 1 and b"Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_set_refuses_values_that_are_not_finite(tmp_path, capsys, value):
    assert graph(tmp_path, "x", f"x={value}") == 2
    assert one_error_line(capsys) == (f"--set x: {value!r} is not a finite number "
                                      f"(numbers must be finite, as in the expression)")


def test_a_variable_set_twice_is_an_error_naming_it(tmp_path, capsys):
    assert main(["graph", "x*y", "--set", "x=1", "y=2", "--set", "x=3",
                 "--output", str(tmp_path / "g.dot")]) == 2
    assert one_error_line(capsys) == "--set x: given twice (x=1, then x=3)"
    assert graph(tmp_path, "x", "x=1", "x=1") == 2  # even with the same value
    assert one_error_line(capsys) == "--set x: given twice (x=1, then x=1)"
    assert list(tmp_path.iterdir()) == []


def test_a_long_flat_sum_is_drawn(tmp_path, capsys):
    terms = 20_000
    assert main(["graph", "+".join(["x"] * terms), "--set", "x=0.5",
                 "--output", str(tmp_path / "g.dot"), "--max-nodes", "50"]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'g.dot'} (50 of 20,000 values)\n"
    source = (tmp_path / "g.dot").read_text()
    # the part nearest the output is drawn (each drawn value with every value that uses
    # it), and the picture says how much was left out
    assert "19,950 more values not drawn" in source
    assert source.count("grad 1.0000") == 50  # d(sum)/d(each partial sum) = 1


def test_pathological_nesting_is_one_clear_line(tmp_path, capsys):
    assert graph(tmp_path, "(" * 5000 + "x" + ")" * 5000, "x=1") == 2
    assert one_error_line(capsys) == ("the expression nests parentheses more than 1,000 "
                                      "deep; build it in Python instead")


@pytest.mark.parametrize("setting, message", [
    ("if=1", "--set if: 'if' is a Python keyword, not a variable name"),
    ("x=", "--set x: '' is not a number"),
    ("=1", "--set takes NAME=VALUE, got '=1'"),
])
def test_other_bad_settings(tmp_path, capsys, setting, message):
    assert graph(tmp_path, "x", setting) == 2
    assert one_error_line(capsys) == message


# -- the parser reads Python's grammar ------------------------------------------------------


def reference(expression: str, leaves: dict[str, Value]) -> Value:
    """The expression built from Python's own syntax tree (recursively: fine for the
    small expressions generated here), with the command line's rules: a typed number
    is a constant, ``x ** 2`` with a typed 2 is one '**2' node, ``-3`` is a number."""
    def visit(node):
        if isinstance(node, ast.Constant):
            return Value(float(node.value))
        if isinstance(node, ast.Name):
            return leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                if isinstance(node.operand, ast.Constant):
                    return Value(-float(node.operand.value))
                return -visit(node.operand)
            return visit(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = visit(node.left), visit(node.right)
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant):
                return left ** right.data
            return {ast.Add: left.__add__, ast.Sub: left.__sub__, ast.Mult: left.__mul__,
                    ast.Div: left.__truediv__, ast.Pow: left.__pow__}[type(node.op)](right)
        assert isinstance(node, ast.Call)
        args = [visit(arg) for arg in node.args]
        if node.func.id == "leaky_relu" and len(args) == 2:
            return args[0].leaky_relu(args[1].data)
        return FUNCTIONS[node.func.id](args[0])
    return visit(ast.parse(expression, mode="eval").body)


def shape(root: Value) -> list[tuple]:
    """The graph as (op, label, data bytes, parent positions), in backward's order."""
    order = reverse_topological_order(root)
    where = {node: i for i, node in enumerate(order)}
    return [(str(node._op), node.label, struct.pack("<d", node.data),
             tuple(where[p] for p in node._prev)) for node in order]


def pythonic(draw, depth: int) -> str:
    """A random expression of the allowed grammar, written with random spacing and
    parentheses, as a person might type it."""
    choice = draw(st.integers(0, 9 if depth > 0 else 1))
    if choice == 0:
        return draw(st.sampled_from(["x", "y", "w1", "b"]))
    if choice == 1:
        return draw(st.sampled_from(["2", "0.5", "3.0", "1e-3", "0", "0x10", "1_0", ".5",
                                     "2.", "0.0", "1E2"]))
    inner = pythonic(draw, depth - 1)
    if choice in (2, 3, 4, 5):
        op = draw(st.sampled_from(["+", "-", "*", "/", "**"]))
        space = draw(st.sampled_from(["", " "]))
        return f"{inner}{space}{op}{space}{pythonic(draw, depth - 1)}"
    if choice == 6:
        return f"{draw(st.sampled_from(['-', '+', '- ']))}{inner}"
    if choice == 7:
        return f"({inner})"
    if choice == 8:
        name = draw(st.sampled_from(sorted(set(FUNCTIONS) - {"leaky_relu"})))
        return f"{name}({inner})"
    return f"leaky_relu({inner}, {pythonic(draw, depth - 1)})"


@st.composite
def expressions(draw):
    return pythonic(draw, draw(st.integers(0, 5)))


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_the_parser_builds_what_pythons_grammar_says(expression):
    values = {"x": 1.5, "y": -0.5, "w1": 2.0, "b": 0.25}
    mine_leaves = {name: Value(v, label=name) for name, v in values.items()}
    theirs_leaves = {name: Value(v, label=name) for name, v in values.items()}
    used = {n.id for n in ast.walk(ast.parse(expression, mode="eval"))
            if isinstance(n, ast.Name) and n.id in values}
    mine, leaves = build(expression, {name: values[name] for name in used})
    theirs = reference(expression, theirs_leaves)
    assert shape(mine) == shape(theirs), expression
    del mine_leaves
