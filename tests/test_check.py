"""check(): hand-derived gradients marked exact / close / wrong, with the way to the
right value for the wrong ones only; parse_answer's bad input."""

import io
import json
from pathlib import Path

import pytest

from autograd_tiny import Value, check
from autograd_tiny.teach.check import AnswerError, parse_answer
from autograd_tiny.teach.quiz import network_2_2_2

REFERENCE = Path("/work/shared/reference/mazur_2_2_2.json")


def expression():
    a, b = Value(0.5, label="a"), Value(-2.0, label="b")
    c = a * b; c.label = "c"
    d = c + a; d.label = "d"
    L = d.tanh(); L.label = "L"
    return L, a, b, c, d


def test_exact_close_wrong_against_backward():
    L, a, b, c, d = expression()
    # d = a*b + a = -0.5, L = tanh(-0.5); dL/dd = 1 - tanh(-0.5)**2 = 0.786448...
    dLdd = 1 - 0.46211715726000974 ** 2
    result = check({"a": 0.0, c: 0.7864, "b": 2 * dLdd}, L, quiet=True)
    L.backward()
    assert dLdd == pytest.approx(d.grad, rel=1e-15)
    assert [e.status for e in result.entries] == ["wrong", "close", "wrong"]
    assert result["a"].expected == pytest.approx(a.grad, abs=1e-15)
    assert result["a"].expected == pytest.approx((b.data + 1) * dLdd, rel=1e-12)
    assert result["b"].expected == pytest.approx(0.5 * dLdd, rel=1e-12)
    assert result["c"].difference == pytest.approx(0.7864 - c.grad)
    assert result.score == 1 and not result.all_right
    exact = check({"a": a.grad, "b": b.grad, "d": d.grad}, L, quiet=True)
    assert exact.all_right and [e.status for e in exact.entries] == ["exact"] * 3


def test_grad_untouched_and_printed_text():
    L, a, b, c, d = expression()
    out = io.StringIO()
    check({"b": 1.0}, L, file=out)
    text = out.getvalue()
    assert a.grad == b.grad == c.grad == 0.0  # the graph is not changed
    assert "b: wrong: 1 is not dL/db" in text
    # The route, one factor per edge (∂d/∂c = 1 is the + the lecture is about), with rules.
    assert "∂L/∂d * ∂d/∂c * ∂c/∂b = (1 - L**2) * 1 * a" in text
    assert "∂c/∂b = a = 0.5 (rule of *)" in text  # the local rule at b, in L's names
    assert "so dL/db = 0.393223866" in text
    # Gradients the student did not ask about are not given away.
    assert "dL/da" not in text and "dL/dc =" not in text


def test_hints_sign_and_missed_route():
    L, a, b, c, d = expression()
    L.backward()
    result = check({"b": -b.grad, "a": c.grad * b.data}, L, quiet=True)
    assert "hint: the sign is wrong" in result["b"].message
    assert "a is used 2 times" in result["a"].message  # only the route through c


def test_one_route_of_several_is_named_as_the_slip_and_long_routes_fold():
    """Mazur's classic slip: dE/dw1 through o1 only. A node used once whose gradient
    comes by two routes (x feeds h, h feeds two outputs)."""
    x = Value(1.5, label="x")
    h = x * 2; h.label = "h"
    o1 = h * 3; o1.label = "o1"
    o2 = h * 5; o2.label = "o2"
    L = o1 + o2; L.label = "L"
    result = check({"x": 6, "h": 3}, L, quiet=True)  # dL/dx = 2*3 + 2*5 = 16
    message = result["x"].message
    assert "  route 1: ∂L/∂o1 * ∂o1/∂h * ∂h/∂x = 1 * 3 * 2" in message
    assert "  route 2: ∂L/∂o2 * ∂o2/∂h * ∂h/∂x = 1 * 5 * 2" in message
    assert message.endswith("hint: that is route 1 alone (6); the gradient adds up the "
                            "products of both routes")
    # h is used twice: the hint says so, as it did before routes were named.
    assert result["h"].message.endswith("hint: h is used 2 times; each use is a route, "
                                        "and the gradient adds them up")
    assert result["x"].expected == 16.0 and result["h"].expected == 8.0
    # A route too long for one line is folded under its number, every line short.
    problem = network_2_2_2((0.05, 0.1), [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55],
                            (0.35, 0.6), (0.01, 0.99))
    folded = check({"w1": 0.000668396}, problem.root, quiet=True)["w1"].message
    assert "hint: that is route 1 alone (0.000668396)" in folded
    routes = [line for line in folded.splitlines() if line.lstrip().startswith("route ")]
    assert len(routes) == 2 and all(len(line) <= 102 for line in folded.splitlines()[:-1])


def test_bad_answers_and_unknown_names():
    L, *_ = expression()
    other = Value(1.0, label="z")
    result = check({"a": "abc", "b": "", "nope": 1, other: 2, "c": "nan", "d": "1/0"},
                   L, quiet=True)
    assert [e.status for e in result.entries] == [
        "invalid", "invalid", "unknown", "unknown", "invalid", "invalid"]
    assert "'abc' is not a number" in result["a"].message
    assert "blank" in result["b"].message
    assert "no node called 'nope'" in result["nope"].message
    assert "not in L's graph" in result["z"].message
    assert result.score == 0


def test_fractions_accepted():
    x = Value(4.0, label="x")
    y = x.sqrt(); y.label = "y"
    result = check({"x": "1/4"}, y, quiet=True)  # d sqrt(x)/dx = 1/(2*2)
    assert result["x"].status == "exact"


@pytest.mark.parametrize("text, value", [("3/4", 0.75), ("-3/4", -0.75), (" 1 / 8 ", 0.125),
                                          ("2.5e-3", 0.0025), ("\u22121", -1.0)])
def test_parse_answer(text, value):
    assert parse_answer(text) == value


@pytest.mark.parametrize("text", ["", "  ", "nan", "inf", "-inf", "x", "3/", "1/0", "3//4"])
def test_parse_answer_rejects(text):
    with pytest.raises(AnswerError):
        parse_answer(text)


def test_type_errors():
    L, *_ = expression()
    with pytest.raises(TypeError, match="check: answers must be a dict"):
        check([("a", 1)], L)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="check: L must be a Value, got float"):
        check({}, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="check: an answer's key"):
        check({3: 1.0}, L, quiet=True)


def test_mazur_network_with_the_seed_numbers():
    ref = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else None
    weights = [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]
    problem = network_2_2_2((0.05, 0.1), weights, (0.35, 0.6), (0.01, 0.99))
    E = problem.root
    # Mazur's printed numbers (9 significant digits): dE/dw5 = 0.082167041,
    # dE/dw1 = 0.000438568.
    result = check({"w5": 0.082167041, "w1": 0.000438568, "out_o1": 0.7413650695523157,
                    "w6": 0.08}, E, quiet=True)
    assert [e.status for e in result.entries] == ["close", "close", "exact", "wrong"]
    if ref:
        assert result["w1"].expected == pytest.approx(ref["backward"]["dE_dw1"], abs=1e-12)
    # A long route is folded as explain() folds it; read it as one line.
    message = " ".join(line.strip() for line in result["w6"].message.splitlines())
    # One factor per edge (explain never skips a node the picture shows).
    assert ("∂E_total/∂E_o1 * ∂E_o1/∂((target_o1 - out_o1)**2) * "
            "∂((target_o1 - out_o1)**2)/∂(target_o1 - out_o1) * ∂(target_o1 - out_o1)/∂out_o1 * "
            "∂out_o1/∂net_o1 * ∂net_o1/∂(w5*out_h1 + w6*out_h2)") in message
    assert "(-2*out_o1 + 2*target_o1)" in message  # the simplified squared-error rule
    assert "out_o1*(1 - out_o1)" in message
    assert "∂(w6*out_h2)/∂w6 = out_h2 = 0.596884378" in message


def test_rules_are_written_with_the_networks_names_not_the_op_tables_letters():
    """Mazur's network built as the walkthrough builds it, net inputs as weighted sums:
    the op table calls wsum's inputs w1, x1 ..., and w1 is also a weight of this
    network. The rule at w5 is written with the nodes' own names, and no rule in the
    table's letters (``∂/∂w1 = x1``) is printed beside it."""
    from autograd_tiny.teach.walkthrough import network

    nodes = network()
    E = nodes["E_total"]
    result = check({"w5": 0.08, "w1": 0.0004, "out_h1": 1.0}, E, quiet=True)
    text = "\n".join(entry.message for entry in result.entries)
    assert [entry.status for entry in result.entries] == ["wrong"] * 3
    out_h1, i1, w5 = (f"{nodes[name].data:.9g}" for name in ("out_h1", "i1", "w5"))
    assert f"where ∂net_o1/∂w5 = out_h1 = {out_h1} (rule of wsum)" in text
    assert f"where ∂net_h1/∂w1 = i1 = {i1} (rule of wsum)" in text
    assert f"where ∂net_o1/∂out_h1 = w5 = {w5} (rule of wsum)" in text
    assert "∂/∂" not in text and "x1" not in text  # no op-table letters anywhere


def test_nn_style_names_with_dots():
    # Contract C names, labelled by hand until the nn branch is merged.
    w = Value(0.5, label="L1.N1.w1"); x = Value(2.0, label="x1")
    b = Value(-0.25, label="L1.N1.b")
    net = w * x + b; net.label = "L1.N1.net"
    out = net.tanh(); out.label = "L1.N1.out"
    out.backward()
    result = check({"L1.N1.w1": w.grad, "L1.N1.b": 1.0}, out, quiet=True)
    assert result["L1.N1.w1"].status == "exact"
    assert result["L1.N1.b"].status == "wrong"
    assert "1 - L1.N1.out**2" in result["L1.N1.b"].message


def test_nn_model_by_node():
    """An nn model's parameters checked by passing the nodes themselves (names come
    with the networks branch; until then unlabelled parameters are named by value)."""
    from autograd_tiny import MLP

    model = MLP(2, [2, 1])
    x = [Value(0.5), Value(-1.0)]
    out = model(x)
    loss = (out - 1.0) ** 2
    params = model.parameters()
    loss.backward()
    truth = {p: p.grad for p in params}
    answers = {params[0]: truth[params[0]], params[1]: truth[params[1]] + 1.0}
    result = check(answers, loss, quiet=True)
    assert [e.status for e in result.entries] == ["exact", "wrong"]
    assert result.entries[1].expected == truth[params[1]]
    assert "so d" in result.entries[1].message


def test_a_wrong_answer_for_the_output_itself_is_explained():
    x = Value(3.0, label="x")
    y = x * x; y.label = "y"
    result = check({y: 2}, y, quiet=True)
    assert result["y"].status == "wrong"
    assert "dy/dy = 1: backward starts at the output with gradient 1" in result["y"].message


def test_the_report_shows_once_at_the_prompt_and_in_print(capsys):
    """check() prints nothing itself; the result it returns is the report. A bare
    check(...) at the prompt shows it once (the prompt's displayhook), and so does
    print(check(...)): never the report twice, nor the score twice."""
    import sys

    L, a, b, c, d = expression()
    result = check({"a": a.grad + 1.0, "b": 1.0}, L)
    assert capsys.readouterr().out == ""
    sys.displayhook(result)
    shown = capsys.readouterr().out
    assert shown.count("score:") == 1 and shown.count("b: wrong") == 1
    assert shown.rstrip("\n").endswith(result.summary())
    print(result)
    assert capsys.readouterr().out == shown
    written = io.StringIO()
    check({"a": a.grad + 1.0, "b": 1.0}, L, file=written)  # a file of one's own
    assert written.getvalue() == shown and capsys.readouterr().out == ""


def test_the_teaching_console_shows_the_report_once():
    from autograd_tiny.cli.console import interact

    out, err = io.StringIO(), io.StringIO()
    status = interact(io.StringIO(
        'a, b = Value(2.0, label="a"), Value(-3.0, label="b")\n'
        'L = a * b + a; L.label = "L"\n'
        'check({"a": 1, "b": 2}, L)\n'), out, err)
    text = out.getvalue()
    assert (status, err.getvalue()) == (0, "")
    assert text.count("score: 1 of 2 right") == 1 and text.count("a: wrong") == 1


def _rounded(x: float, digits: int) -> float:
    return float(f"{x:.{digits - 1}e}")  # x rounded to `digits` significant digits


def test_the_digits_the_texts_promise_always_pass_and_one_fewer_does_not():
    """ENOUGH_DIGITS, which the quiz and the exercise sheet tell the student, is what
    is_close accepts: any gradient rounded to that many significant digits is close,
    while one digit fewer fails for some (1.0049 rounds to 1.00, off by 0.49%)."""
    from hypothesis import given, settings, strategies as st

    from autograd_tiny.teach.check import ENOUGH_DIGITS, is_close

    @settings(max_examples=500, deadline=None)
    @given(st.floats(min_value=1e-9, max_value=1e9) | st.floats(min_value=-1e9,
                                                                max_value=-1e-9))
    def rounded_is_close(x):
        assert is_close(_rounded(x, ENOUGH_DIGITS), x)

    rounded_is_close()
    # Worst case for n digits: a first digit 1 and the rest just under a half unit.
    fewer = ENOUGH_DIGITS - 1
    worst = 1 + 0.49 * 10.0 ** (1 - fewer)
    assert not is_close(_rounded(worst, fewer), worst)


def test_the_quiz_and_the_sheet_say_the_same_number_of_digits():
    from autograd_tiny.teach.check import ENOUGH_DIGITS
    from autograd_tiny.teach.exercises import TOLERANCE, make_exercises, sheet_html
    from autograd_tiny.teach.quiz import make_problem, run_quiz
    from rich.console import Console

    said = f"{ENOUGH_DIGITS} significant digits are enough"
    assert said in sheet_html(make_exercises(1, seed=5), 5)
    out = io.StringIO()
    run_quiz(make_problem(1, seed=3), Console(file=out, width=200), ask=lambda _: "q")
    assert said in out.getvalue()
    # The sheet's page checks with check()'s tolerance, so the sentence holds there too.
    from autograd_tiny.teach.check import CLOSE_ABSOLUTE, CLOSE_RELATIVE
    assert TOLERANCE == {"relative": CLOSE_RELATIVE, "absolute": CLOSE_ABSOLUTE}


def test_a_wrong_answers_rules_use_the_names_of_the_whole_report():
    """The 'where' line of a node used many times took its names from a sub-graph:
    with two unlabelled leaves of equal value the report calls x v1, but the
    sub-graph x*x has x alone, which kept its number there."""
    x = Value(1.01)
    y = x
    for _ in range(7):
        y = y * y
    L = y * Value(1.01)
    message = check({x: 0}, L, quiet=True).entries[0].message
    assert message.startswith("v1: wrong: 0 is not d(")
    assert "where ∂(v1*v1)/∂v1 = 2*v1 = 2.02 (rule of *)" in message
    assert "1.01*1.01" not in message
