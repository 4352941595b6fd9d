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
    # No table row and no _backward of its own to measure: the engine records nan
    # ("not known") and the rule text says just that, instead of inventing a formula.
    assert local_rule(custom, 0) == "nan"


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
    assert "&= b + 1 \\\\\n  &= 1 \\cdot (-3) + 1 \\\\\n  &= -2\n" in latex


def test_route_formula_in_chain_order_for_the_network():
    from autograd_tiny.teach.quiz import network_2_2_2
    from autograd_tiny.teach.simplify import route_formula

    E = network_2_2_2((0.05, 0.1), [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55],
                      (0.35, 0.6), (0.01, 0.99)).root
    w5 = next(n for n in __import__("autograd_tiny").core.graph.snapshot(E).order
              if n.label == "w5")
    e = explain(E, w5)
    assert e.total == pytest.approx(0.08216704056423078, rel=1e-12)
    assert route_formula(e.routes[0]) == "(out_o1 - target_o1) * out_o1*(1 - out_o1) * out_h1"
    assert r"\left(out_{o1} - target_{o1}\right) \cdot out_{o1} \left(1 - out_{o1}\right)" \
        r" \cdot out_{h1}" in e.latex()


@pytest.mark.skipif(__import__("shutil").which("pdflatex") is None, reason="no TeX")
def test_explanation_latex_compiles(tmp_path):
    import subprocess

    a, t = Value(2.0, label="L1.N1.w1"), Value(0.5, label="target_o1")
    d = t - a; d.label = "d_1"
    L = d * d + a; L.label = "E_total"
    body = explain(L, a).latex()
    (tmp_path / "e.tex").write_text("\\documentclass{article}\\usepackage{amsmath}"
                                    "\\begin{document}\n" + body + "\n\\end{document}\n")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "e.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
