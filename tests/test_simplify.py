"""Formulas a reader would write: SymPy-simplified rule and route text, LaTeX."""

import pytest

from autograd_tiny import Value, explain
from autograd_tiny.teach.simplify import (
    explanation_latex, formula_latex, local_rule, simplify_formula, to_sympy)


@pytest.mark.parametrize("text, simple", [
    ("0.5 * 2 * pow(target_o1 - out_o1, 2 - 1.0) * -1.0", "out_o1 - target_o1"),
    ("1.0 - out * out", "1 - out**2"),
    ("div(1.0, b)", "1/b"),
    ("-div(out, b)", "-out/b"),
    ("L1.N1.w1 * 1.0 + 0.0", "L1.N1.w1"),
    ("(1.0 - tanh#2 * tanh#2) * x1", "x1*(1 - tanh#2**2)"),
    ("b * pow(a, b - 1.0)", "a**(b - 1)*b"),
])
def test_simplify(text, simple):
    assert simplify_formula(text) == simple


def test_names_with_dots_are_one_symbol():
    expr = to_sympy("L1.N1.w1 * L1.N2.w1")
    assert sorted(s.name for s in expr.free_symbols) == ["L1.N1.w1", "L1.N2.w1"]


def test_unreadable_formula_is_kept():
    assert simplify_formula("1.0 if a > 0.0 else slope") == "1.0 if a > 0.0 else slope"
    assert formula_latex("1.0 if a > 0.0 else slope").startswith(r"\text{1.0 if a")


def test_latex_names():
    assert formula_latex("out_o1 * (1.0 - out_o1)") == r"out_{o1} \left(1 - out_{o1}\right)"
    assert formula_latex("L1.N1.w1 * x1") == r"\mathit{L1.N1.w1} x_{1}"


def test_local_rule_reads_contract_a():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a / b; c.label = "c"
    assert local_rule(c, 0) == "div(1.0, b)"
    assert local_rule(c, 1) == "-div(c, b)"
    try:  # a hand-built op the table does not know (contract B; core branch)
        custom = Value(1.5, (a,), "softplus")
    except ValueError:
        pytest.skip("this engine does not take custom ops yet")
    assert local_rule(custom, 0) == "0"


def test_explanation_latex_mazur_output_layer():
    o = Value(0.7513650695523157, label="out_o1")
    t = Value(0.01, label="target_o1")
    E = 0.5 * (t - o) ** 2; E.label = "E_o1"
    e = explain(E, o)
    latex = e.latex()
    assert latex.startswith("\\begin{align*}") and latex.endswith("\\end{align*}")
    assert r"out_{o1} - target_{o1}" in latex
    assert "0.74136507" in latex
    assert "out_o1 - target_o1 = 0.74136507" in e.simplified()


def test_explanation_latex_two_routes_sum():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b; c.label = "c"
    L = c + a; L.label = "L"
    latex = explanation_latex(explain(L, a))
    assert "&= b + 1" in latex and "&= -3 + 1 = -2" in latex
