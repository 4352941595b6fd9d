"""The command-line expression parser: an allow-list over ``ast``, never ``eval``."""

from __future__ import annotations

import pytest

from autograd_tiny.cli.expr import ExpressionError, build, parse_settings, variables


def test_builds_the_lecture_neuron_with_one_leaf_per_variable():
    root, leaves = build("tanh(x1*w1 + x2*w2 + b)",
                         {"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": 6.8813735870195432})
    root.backward()
    assert root.data == pytest.approx(0.7071067811865476)
    assert leaves["w1"].grad == pytest.approx(1.0) and leaves["x1"].label == "x1"


def test_a_variable_used_twice_is_one_leaf():
    root, leaves = build("x*x + x", {"x": 3.0})
    root.backward()
    assert (root.data, leaves["x"].grad) == (12.0, 7.0)


def test_powers_of_numbers_are_one_node_and_negative_literals_are_numbers():
    root, _ = build("x**2", {"x": 3.0})
    assert (root._op, root.data) == ("**2", 9.0)
    root, _ = build("-2 * x", {"x": 3.0})
    assert root.data == -6.0 and root._prev[0]._prev == ()
    root, leaves = build("2**x + leaky_relu(x - 5, 0.1)", {"x": 3.0})
    assert root.data == pytest.approx(8.0 - 0.2)


@pytest.mark.parametrize("expression, message", [
    ("__import__('os').system('echo hi')", "only the engine's functions can be called"),
    ("x.data", "not allowed in an expression: '.data' (attribute access) in 'x.data'"),
    ("(lambda: x)()", "only the engine's functions"),
    ("lambda: x", "'lambda' (a function definition) in 'lambda: x'"),
    ("x[0]", "'[...]' (indexing) in 'x[0]'"),
    ("x if x else x", "'if ... else' (a conditional)"),
    ("open('f')", "unknown function 'open'"),
    ("exp(x, base=2)", "keyword arguments"),
    ("tanh(x, x)", "tanh takes 1 argument, got 2"),
    ("x +", "syntax error"),
    ("", "empty"),
    ("x // 2", "'//' (floor division) in 'x // 2'"),
    ("tanh", "tanh is a function"),
    ("'x'", "not allowed"),
    ("x and x", "'and' (logical and) in 'x and x'"),
])
def test_everything_outside_the_allow_list_is_refused(expression, message):
    with pytest.raises(ExpressionError, match=None) as info:
        build(expression, {"x": 1.0})
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("expression, symbol", [
    ("a@b", "'@' (matrix multiplication) in 'a@b'"),
    ("a // b", "'//' (floor division)"), ("a % b", "'%' (remainder)"),
    ("a << b", "'<<' (bit shift)"), ("a >> b", "'>>' (bit shift)"),
    ("a & b", "'&' (bitwise and)"), ("a | b", "'|' (bitwise or)"),
    ("a ^ b", "'^' (bitwise xor; a power is **)"), ("~a", "'~' (bitwise not)"),
    ("not a", "'not' (logical not)"), ("a or b", "'or' (logical or)"),
    ("a < b", "'<' (comparison)"), ("a <= b", "'<=' (comparison)"),
    ("a == b", "'==' (comparison)"), ("a != b", "'!=' (comparison)"),
    ("a >= b", "'>=' (comparison)"), ("a > b", "'>' (comparison)"),
    ("a is not b", "'is not' (comparison)"), ("a not in b", "'not in' (membership test)"),
    ("lambda a: a", "'lambda' (a function definition)"),
    ("a.grad * b", "'.grad' (attribute access) in 'a.grad'"),
    ("(a, b)", "',' (a tuple)"), ("[a, b]", "'[...]' (a list)"), ("{a}", "'{...}' (a set)"),
    ("(a := b)", "':=' (an assignment)"), ("[a for a in b]", "'for' (a comprehension)"),
    ("a + b @ a", "'@' (matrix multiplication) in 'b @ a'"),
])
def test_refused_syntax_is_named_as_typed_and_the_allow_list_is_given(expression, symbol):
    """Reported: 'a@b' was refused as \"'MatMult' (MatMult)\", Python's class name."""
    with pytest.raises(ExpressionError) as info:
        build(expression, {"a": 1.0, "b": 2.0})
    message = str(info.value)
    assert message.startswith(f"not allowed in an expression: {symbol}")
    assert message.endswith("; allowed: numbers, variable names, + - * / ** (and a leading "
                            "- or +), parentheses and the functions abs, cos, exp, "
                            "leaky_relu, log, relu, sigmoid, sin, sqrt, tanh")
    for ast_name in ("MatMult", "FloorDiv", "BinOp", "Compare", "BoolOp", "Attribute",
                     "Lambda", "Tuple", "NamedExpr", "ListComp", "Invert", "Not"):
        assert ast_name not in message


def test_missing_and_unused_values_are_named():
    with pytest.raises(ExpressionError, match="no value for b: add --set b=..."):
        build("a * b", {"a": 1.0})
    with pytest.raises(ExpressionError, match="--set z: not used"):
        build("a", {"a": 1.0, "z": 2.0})


def test_settings():
    assert parse_settings(["a=1", "b = -2.5e1"]) == {"a": 1.0, "b": -25.0}
    for bad, message in [("a", "NAME=VALUE"), ("1a=2", "NAME=VALUE"), ("a=x", "not a number"),
                         ("exp=1", "function name")]:
        with pytest.raises(ExpressionError, match=message):
            parse_settings([bad])
    assert variables("w*x + b*w") == ["w", "x", "b"]


def test_long_flat_sums_build_and_deep_nesting_is_a_clear_error():
    for terms in (2_000, 50_000):  # the parser keeps a stack: no recursion limit
        root, leaves = build("+".join(["x"] * terms), {"x": 1.0})
        root.backward()
        assert (root.data, leaves["x"].grad) == (terms, terms)
    root, _ = build("(" * 1_000 + "x" + ")" * 1_000, {"x": 2.0})
    assert root.data == 2.0
    for depth in (1_001, 100_000):
        with pytest.raises(ExpressionError) as info:
            build("(" * depth + "x" + ")" * depth, {"x": 1.0})
        assert str(info.value) == ("the expression nests parentheses more than 1,000 deep; "
                                   "build it in Python instead")
    with pytest.raises(ExpressionError, match="nests parentheses more than 1,000 deep"):
        build("tanh(" * 1_001 + "x" + ")" * 1_001, {"x": 1.0})
