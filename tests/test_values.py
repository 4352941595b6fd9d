"""A Value from the user's seat: bad input, IEEE results, display, micrograd habits,
gradcheck and anomaly detection."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rich.console import Console

import autograd_tiny as at
from autograd_tiny import AnomalyError, GradcheckError, Value, detect_anomaly, gradcheck

BAD = ["2", None, [1.0], 1j, {"x": 1}]
BINARY_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
              "/": lambda a, b: a / b, "**": lambda a, b: a ** b}


@pytest.mark.parametrize("bad", BAD, ids=lambda b: type(b).__name__)
@pytest.mark.parametrize("symbol", sorted(BINARY_OPS))
def test_wrong_types_raise_type_error_naming_op_and_type(symbol, bad):
    op = BINARY_OPS[symbol]
    for left, right in ((Value(2.0), bad), (bad, Value(2.0))):
        with pytest.raises(TypeError) as info:
            op(left, right)
        message = str(info.value)
        assert type(bad).__name__ in message
        # Python's own message for list * Value names the op its own way; ours names it first.
        assert symbol in message or "multiply" in message or "unsupported operand" in message


@pytest.mark.parametrize("bad", BAD, ids=lambda b: type(b).__name__)
def test_wrong_types_elsewhere(bad):
    with pytest.raises(TypeError, match=f"Value: .*{type(bad).__name__}"):
        Value(bad)
    with pytest.raises(TypeError, match=f"<: .*{type(bad).__name__}"):
        Value(1.0) < bad
    with pytest.raises(TypeError, match=f"exp: .*{type(bad).__name__}"):
        at.exp(bad)
    with pytest.raises(TypeError, match=f"leaky_relu: .*{type(bad).__name__}"):
        Value(1.0).leaky_relu(bad)
    with pytest.raises(TypeError, match=f"backward: .*{type(bad).__name__}"):
        Value(1.0).backward(bad)
    with pytest.raises(TypeError, match="grad: inputs must be Values"):
        at.grad(Value(1.0), [bad])


def test_numbers_of_every_kind_work_on_either_side():
    x = Value(3.0)
    for number in (2, 2.0, np.float64(2.0), np.float32(2.0), np.int64(2), True + True):
        for y in (x * number, number * x, x + number, number - x, number / x, x ** number):
            assert type(y.data) is float
        assert (number * x).data == 6.0
    assert type(Value(np.float64(1.5)).data) is float


@pytest.mark.parametrize("expression, expected", [
    (lambda: Value(0.0).log(), -math.inf),
    (lambda: Value(1000.0).exp(), math.inf),
    (lambda: Value(1000.0).tanh(), 1.0),
    (lambda: Value(-1000.0).tanh(), -1.0),
    (lambda: 1 / Value(0.0), math.inf),
    (lambda: -1 / Value(0.0), -math.inf),
    (lambda: Value(0.0) ** -1, math.inf),
    (lambda: Value(10.0) ** 400, math.inf),
    (lambda: Value(1000.0).sigmoid(), 1.0),
    (lambda: Value(-1000.0).sigmoid(), 0.0),
])
def test_ieee_results_instead_of_exceptions(expression, expected):
    assert expression().data == expected


@pytest.mark.parametrize("expression", [
    lambda: Value(-1.0).log(), lambda: Value(-1.0).sqrt(), lambda: Value(-8.0) ** (1 / 3),
    lambda: Value(0.0) / Value(0.0), lambda: Value(math.inf).sin(),
])
def test_nan_results_instead_of_exceptions(expression):
    assert math.isnan(expression().data)


def test_gradients_through_infinities_follow_ieee():
    x = Value(0.0)
    y = x.log()
    y.backward()
    assert x.grad == math.inf


def test_comparisons_compare_data_and_build_no_graph():
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= 1, a > 0.5, b >= 2, 3 > a) == (True, True, True, True, True)
    assert (a < b) is True
    assert a != Value(1.0)  # equality is identity, as in micrograd: nodes are dict keys
    assert len({a, b, a}) == 2


def test_repr_shows_label_data_grad_and_op():
    a = Value(2.0, label="a")
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    y = a * 3
    y.backward()
    assert repr(y) == "Value(data=6.0, grad=1.0, op='*')"
    assert f"{a:.2f}" == "2.00" and float(a) == 2.0 and a.item() == 2.0


def test_rich_shows_the_same_fields():
    console = Console(record=True, width=100, color_system=None)
    console.print(Value(0.5, label="w1") * 2)
    text = console.export_text()
    assert "data=1.0" in text and "op='*'" in text


def test_micrograd_style_hand_built_nodes_know_their_local_derivatives():
    a, b = Value(2.0), Value(-3.0)
    c = Value(a.data * b.data, (a, b), "*")
    assert c._local == (-3.0, 2.0)
    c.backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
    t = Value(math.tanh(0.5), (a,), "tanh")
    assert t._local == pytest.approx((1 - math.tanh(0.5) ** 2,))
    sq = Value(4.0, (a,), "**2")
    assert sq._local == (4.0,)
    # An op the table does not know is allowed (micrograd code adds its own ops): its
    # _op is a plain str and, until a _backward is set, the gradient stops there.
    m = Value(1.0, (a,), "mystery")
    assert type(m._op) is str and m._op == "mystery" and m._prev == (a,)
    assert math.isnan(m._local[0])
    a.grad = 0.0
    (m * 3).backward()
    assert a.grad == 0.0 and m.grad == 3.0


def test_micrograd_attributes():
    a = Value(1.0)
    b = (a * 2 + 1).relu()
    assert b._op == "ReLU" and (a * 2)._op == "*" and (a ** 2)._op == "**2"
    assert "+" + (a + 1)._op == "++"  # lecture code concatenates _op strings
    assert all(isinstance(p, Value) for p in b._prev)
    b.grad = 1.0
    b._backward()  # the lecture's manual one-node step
    assert b._prev[0].grad == 1.0
    b.label = "b"
    assert b.label == "b"


def test_local_derivatives_are_recorded_per_edge():
    x = Value(0.5)
    y = x.tanh()
    [(parent, local)] = y.local_derivatives()
    assert parent is x and local == pytest.approx(1 - math.tanh(0.5) ** 2)


def test_gradcheck_passes_and_fails_with_a_table():
    assert gradcheck(lambda x, y: (x * y).sigmoid() / (y * y + 1), [0.4, -1.2])

    def wrong(x):  # detach hides the x * x term from the analytic gradient
        return x * x.detach()

    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong, [1.5])
    message = str(info.value)
    assert "analytic" in message and "numeric" in message and "MISMATCH" in message
    assert "1.5" in message and "3" in message  # analytic 1.5, numeric 3.0


def test_detect_anomaly_names_the_op_inputs_and_labels():
    x = Value(0.0, label="x")
    with detect_anomaly():
        y = x + 1  # fine
        with pytest.raises(AnomalyError) as info:
            x.log()
        assert str(info.value) == "log turned a finite input into -inf: log(x) with x = 0.0"
        with pytest.raises(AnomalyError) as info:
            1 / x
        assert str(info.value) == "1.0 / x turned finite inputs into inf: x = 0.0"
        with pytest.raises(AnomalyError) as info:
            Value(2.0, label="x") / Value(0.0, label="y")
        assert str(info.value) == "x / y turned finite inputs into inf: x = 2.0, y = 0.0"
        with pytest.raises(AnomalyError) as info:
            x.sqrt()
        assert str(info.value) == ("sqrt has local derivative d/dx = inf at a finite input: "
                                   "sqrt(x) with x = 0.0")
        with pytest.raises(AnomalyError) as info:
            x ** -1  # the exponent is written as the student wrote it, not as k
        assert str(info.value) == "x ** -1 turned a finite input into inf: x = 0.0"
        with pytest.raises(AnomalyError) as info:
            x / x  # one input used twice is named once
        assert str(info.value) == "x / x turned finite inputs into nan: x = 0.0"
        with pytest.raises(AnomalyError) as info:
            Value(0.0).log()  # no label: the value stands for the input
        assert str(info.value) == "log turned a finite input into -inf: log(0.0)"
        inf = Value(math.inf)
        assert (inf * 0).data != (inf * 0).data  # nan from a non-finite input: not flagged
    assert y.data == 1.0
    assert x.log().data == -math.inf  # outside the block, no checks


def test_generated_methods_carry_their_rule_as_documentation():
    assert "1.0 - out * out" in Value.tanh.__doc__
    assert Value.__mul__.__name__ == "__mul__"


def test_the_flat_layouts_import_paths_still_work():
    # the package grew from one folder of modules; code that imported them by path runs on
    import importlib

    for old, name in [("engine", "Value"), ("ops", "TABLE"), ("autodiff", "grad"),
                      ("modes", "no_grad"), ("data", "make_moons"), ("losses", "mse_loss"),
                      ("optim", "SGD"), ("train", "fit"), ("viz", "draw_dot"),
                      ("renderer", "find_renderer"), ("slides", "write_slides"),
                      ("routes", "explain"), ("stepping", "backward_steps"),
                      ("notation", "formula"), ("walkthrough", "compute"),
                      ("expr", "build"), ("files", "write_atomically"),
                      ("floatmath", "sigmoid"), ("repl", "interact")]:
        module = importlib.import_module(f"autograd_tiny.{old}")
        assert hasattr(module, name), (old, name)
    from autograd_tiny.nn import MLP, Layer, Neuron  # micrograd's own import, name swapped
    assert MLP and Layer and Neuron


def test_a_value_given_a_value_says_to_pass_its_number():
    """Value(Value(2.0)) used to say 'expected a Value or a real number, got Value'."""
    v = Value(2.0)
    with pytest.raises(TypeError) as info:
        Value(v)
    message = str(info.value)
    assert message.startswith("Value: data must be a real number, got a Value")
    assert "Value(v.data)" in message and "(2.0)" in message
    assert Value(v.data).data == 2.0 and Value(True).data == 1.0
