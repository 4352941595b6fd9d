"""The engine at its edges (issue 11): powers at 0, odd exponents, failing calls that
must change nothing, labels, no_grad shared between asyncio tasks, threads sharing
nodes, micrograd code that attaches attributes and adds its own ops, and the source
of the generated op methods."""

from __future__ import annotations

import asyncio
import inspect
import linecache
import math
import sys
import threading
import traceback

import pytest

from autograd_tiny import Value, grad, is_grad_enabled, no_grad, weighted_sum
from autograd_tiny.core.ops import Op


# -- item 1: d(x**k)/dx at 0, every order ------------------------------------------------


def derivatives(f, x0: float, order: int) -> list[float]:
    """[f'(x0), f''(x0), ...] through grad(create_graph=True)."""
    x = Value(x0)
    out, result = f(x), []
    for _ in range(order):
        (out,) = grad(out, [x], create_graph=True)
        result.append(out.data)
    return result


def test_derivative_of_x_to_the_zero_at_zero_is_zero():
    x = Value(0.0)
    assert grad(x ** 0, [x]) == (0.0,)
    assert grad(x ** 0.0, [x], create_graph=True)[0].data == 0.0


@pytest.mark.parametrize("k, expected", [
    (1, [1.0, 0.0, 0.0]),
    (2, [0.0, 2.0, 0.0, 0.0]),
    (3, [0.0, 0.0, 6.0, 0.0]),
    (4, [0.0, 0.0, 0.0, 24.0, 0.0]),
])
def test_every_derivative_of_x_to_the_k_at_zero_is_finite_and_right(k, expected):
    assert derivatives(lambda x: x ** k, 0.0, len(expected)) == expected


def test_derivatives_of_x_to_the_k_away_from_zero_are_unchanged():
    assert derivatives(lambda x: x ** 3, 2.0, 4) == [12.0, 12.0, 6.0, 0.0]
    assert derivatives(lambda x: x ** -1, 2.0, 2) == [-0.25, 0.25]


# -- item 2: 0 ** b with a Value exponent -------------------------------------------------


def test_zero_to_a_value_power_has_derivative_zero_in_the_exponent():
    a, b = Value(0.0), Value(2.0)
    assert grad(a ** b, [a, b]) == (0.0, 0.0)
    b3 = Value(3.0)
    assert grad(0.0 ** b3, [b3]) == (0.0,)
    # 0 ** 0.5: d/da is infinite (as 0.5 * 0**-0.5), d/db is 0 (0**b is constant for b > 0)
    a, b = Value(0.0), Value(0.5)
    assert grad(a ** b, [a, b]) == (math.inf, 0.0)
    # 0 ** 0 == 1 (PyTorch: both derivatives 0)
    a, b = Value(0.0), Value(0.0)
    assert grad(a ** b, [a, b]) == (0.0, 0.0)


def test_value_power_elsewhere_keeps_its_formula():
    a, b = Value(2.0), Value(3.0)
    da, db = grad(a ** b, [a, b])
    assert da == 12.0 and db == pytest.approx(8 * math.log(2), rel=1e-15)
    # d/da at b == 0 stays differentiable in b: d2(a**b)/da db = a**(b-1) (1 + b ln a) = 1/a
    a, b = Value(2.0), Value(0.0)
    (da,) = grad(a ** b, [a], create_graph=True)
    assert da.data == 0.0
    assert grad(da, [b]) == (0.5,)


# -- item 4: ** nan, ** inf ---------------------------------------------------------------


def test_powers_by_nan_and_inf_give_ieee_results():
    y = Value(2.0) ** float("nan")
    assert math.isnan(y.data) and y._op == "**nan"
    assert (Value(2.0) ** float("inf")).data == math.inf
    z = Value(2.0) ** float("-inf")
    assert z.data == 0.0 and z._op == "**-inf"
    assert (Value(0.5) ** 1e300)._op == "**1e+300"
    assert Value(2.0, (Value(1.0),), "**inf")._op == "**inf"


# -- items 9 and 14: a failing backward changes nothing, and says what is wrong ------------


def test_a_backward_with_a_bad_gradient_changes_nothing():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert (x.grad, y.grad) == (6.0, 1.0)
    for bad in ("1", None, [1.0]):
        with pytest.raises(TypeError, match=f"backward: gradient must be a real number, got {type(bad).__name__}"):
            y.backward(bad)
    assert (x.grad, y.grad) == (6.0, 1.0)


def test_backward_with_a_value_gradient_says_to_pass_a_number():
    y = Value(1.0) * 2
    with pytest.raises(TypeError) as error:
        y.backward(Value(2.0))
    assert str(error.value) == ("backward: gradient must be a number, got a Value; "
                                "pass its .data (gradient=2.0) instead")
    assert y.grad == 0.0
    with pytest.raises(TypeError, match="grad: gradient must be a number, got a Value"):
        grad(y, [y], gradient=Value(1.0))


def test_a_backward_that_fails_in_a_user_backward_changes_nothing():
    x, w = Value(2.0), Value(5.0)
    x.grad, w.grad = 0.5, -1.0
    h = x * w
    out = Value(h.data, (h,), "broken")

    def _backward():
        h.grad += out.grad  # added, then the function fails
        raise RuntimeError("broken op")

    out._backward = _backward
    loss = out * 3 + x
    with pytest.raises(RuntimeError, match="broken op"):
        loss.backward()
    assert [v.grad for v in (x, w, h, out, loss)] == [0.5, -1.0, 0.0, 0.0, 0.0]


# -- item 8: labels -------------------------------------------------------------------------


def test_labels_are_strings_without_control_characters():
    v = Value(1.0, label="w₁ (größe)")
    assert v.label == "w₁ (größe)"
    v.label = "L1.N2.w3"
    assert v.label == "L1.N2.w3" and repr(v) == "Value(data=1.0, grad=0.0, label='L1.N2.w3')"
    for bad in (3, 2.5, b"w", None):
        with pytest.raises(TypeError, match=f"label: expected a str, got {type(bad).__name__}"):
            Value(1.0, label=bad)
        with pytest.raises(TypeError, match="label: expected a str"):
            v.label = bad
    for bad in ("a\x00b", "two\nlines", "tab\there", "bell\x07", "c1\x85"):
        with pytest.raises(ValueError, match="label: control character"):
            v.label = bad
    assert v.label == "L1.N2.w3"  # a refused label changes nothing


def test_a_str_subclass_label_is_stored_as_a_plain_str():
    class Name(str):
        pass

    v = Value(1.0, label=Name("w"))
    assert type(v.label) is str and v.label == "w"


# -- item 6: one no_grad instance shared by asyncio tasks ----------------------------------


def test_one_no_grad_instance_entered_by_two_tasks_that_leave_first_in_first_out():
    switch = no_grad()

    async def main():
        both_in, first_out = asyncio.Event(), asyncio.Event()
        seen = {}

        async def first():
            with switch:
                await both_in.wait()
                seen["first inside"] = is_grad_enabled()
            first_out.set()
            seen["first after"] = is_grad_enabled()

        async def second():
            with switch:
                both_in.set()
                await first_out.wait()  # the first task has left already
                seen["second inside"] = is_grad_enabled()
                seen["second records"] = len((Value(1.0) * 2)._prev)
            seen["second after"] = is_grad_enabled()

        await asyncio.gather(first(), second())
        return seen

    seen = asyncio.run(main())
    assert seen == {"first inside": False, "first after": True, "second inside": False,
                    "second records": 0, "second after": True}
    assert is_grad_enabled()


def test_one_no_grad_instance_in_threads_and_nested():
    switch = no_grad()
    results = []
    barrier = threading.Barrier(2)

    def work():
        with switch:
            barrier.wait()
            results.append(is_grad_enabled())
            barrier.wait()
        results.append(is_grad_enabled())

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True, True]
    with switch:
        with switch:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


# -- item 21: threads whose graphs share an interior node ----------------------------------


def test_two_threads_back_propagating_graphs_that_share_an_interior_node():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    exact = 0
    try:
        for _ in range(30):
            w = Value(1.5)
            h = w * 2.0  # built once, used by both graphs
            xs = [Value(float(i + 1)) for i in range(2)]
            losses = []
            for x in xs:
                t = h
                for _ in range(200):  # a long chain through h, so the passes overlap
                    t = t * 1.0 + x * 0.0
                losses.append(t * x)
            barrier = threading.Barrier(2)
            functional = [None, None]

            def work(i):
                barrier.wait()
                losses[i].backward()
                functional[i] = grad(losses[i], [w, h])

            threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            # dloss_i/dh = x_i, dloss_i/dw = 2 x_i: each pass saw only its own graph
            assert functional == [(2.0, 1.0), (4.0, 2.0)]
            # each x is in one graph only: exact. The final += into the shared nodes may
            # lose one of two simultaneous additions (documented), never mix passes.
            assert [x.grad for x in xs] == [3.0, 3.0]
            assert (h.grad, w.grad) in [(3.0, 6.0), (1.0, 6.0), (2.0, 6.0), (3.0, 2.0),
                                        (3.0, 4.0), (1.0, 2.0), (2.0, 4.0), (1.0, 4.0),
                                        (2.0, 2.0)]
            exact += (h.grad, w.grad) == (3.0, 6.0)
    finally:
        sys.setswitchinterval(old)
    assert exact >= 20  # a lost addition is rare: the final additions take microseconds


def test_a_pass_does_not_see_gradients_that_are_already_in_grad():
    x = Value(2.0)
    h = x * 3
    y = h * h
    h.grad = 100.0  # left from elsewhere: must not be passed on again
    y.backward()
    assert h.grad == 100.0 + 12.0 and x.grad == 36.0
    y.backward()
    assert h.grad == 100.0 + 24.0 and x.grad == 72.0 and y.grad == 2.0


# -- item 18: attributes and user-defined ops, micrograd style -----------------------------


def test_attributes_can_be_attached_to_any_node():
    a = Value(1.0)
    b = a * 2
    b._vis_color = "red"
    a.m, a.v = 0.0, 0.0
    assert (b._vis_color, a.m, a.v) == ("red", 0.0, 0.0)
    assert not hasattr(Value(1.0) * 3, "m")  # others stay without
    with pytest.raises(AttributeError):
        b.m


def softplus(x: Value) -> Value:
    """micrograd's way to add an op: a node built by hand and its own _backward."""
    out = Value(math.log1p(math.exp(x.data)), (x,), "softplus")

    def _backward():
        x.grad += (1.0 / (1.0 + math.exp(-x.data))) * out.grad

    out._backward = _backward
    return out


def test_a_user_op_with_its_own_backward_takes_part_in_backward():
    x, w = Value(0.3), Value(-1.2)
    s = softplus(x * w)
    loss = s * s + x
    assert type(s._op) is str and not isinstance(s._op, Op) and s._op == "softplus"
    assert math.isnan(s._local[0])  # not recorded until a backward ran through it
    loss.backward()
    z = 0.3 * -1.2
    sig = 1 / (1 + math.exp(-z))
    sp = math.log1p(math.exp(z))
    assert x.grad == pytest.approx(2 * sp * sig * -1.2 + 1, rel=1e-14)
    assert w.grad == pytest.approx(2 * sp * sig * 0.3, rel=1e-14)
    assert s.grad == pytest.approx(2 * sp, rel=1e-14)
    assert s._local[0] == pytest.approx(sig, rel=1e-14)  # what the function applied
    loss.backward()  # accumulates like every node
    assert w.grad == pytest.approx(2 * 2 * sp * sig * 0.3, rel=1e-14)
    # grad() runs it too, and writes nothing
    x2 = Value(0.3)
    assert grad(softplus(x2), [x2])[0] == pytest.approx(1 / (1 + math.exp(-0.3)), rel=1e-15)
    assert x2.grad == 0.0
    with pytest.raises(ValueError, match="built by hand with its own _backward"):
        grad(softplus(x2) * 2, [x2], create_graph=True)


def test_a_user_backward_on_a_node_used_twice_and_with_a_repeated_child():
    x = Value(2.0)
    out = Value(x.data * x.data, (x, x), "square")

    def _backward():
        x.grad += 2 * x.data * out.grad

    out._backward = _backward
    loss = out + out * 3  # out used twice: its gradient is 4
    loss.backward()
    assert (out.grad, x.grad) == (4.0, 16.0)
    assert out._local == (2.0, 2.0)  # 4 per unit of gradient, split over the two edges


def test_setting_backward_on_a_table_node_replaces_its_rule():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    c._backward = lambda: None  # the user says: no gradient through here
    assert type(c._op) is str and c._op == "*"
    (c + a).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    with pytest.raises(TypeError, match="_backward: expected a function"):
        c._backward = 3


def test_micrograd_adamw_keeps_its_moments_on_the_parameters():
    """The EurekaLabs-style AdamW: m and v live on each parameter."""
    params = [Value(0.5), Value(-0.25)]
    lr, b1, b2, eps, wd = 0.1, 0.9, 0.95, 1e-8, 0.01
    for p in params:
        p.m, p.v = 0.0, 0.0
    expected = [p.data for p in params]
    m_ref, v_ref = [0.0, 0.0], [0.0, 0.0]
    for t in range(1, 4):
        for p in params:
            p.grad = 0.0
        loss = softplus(params[0] * params[1] * 4) + params[0] ** 2
        loss.backward()
        # the same step by hand, from hand-derived gradients
        a, b = expected
        sig = 1 / (1 + math.exp(-4 * a * b))
        grads = [sig * 4 * b + 2 * a, sig * 4 * a]
        for i, p in enumerate(params):
            assert p.grad == pytest.approx(grads[i], rel=1e-13)
            p.m = b1 * p.m + (1 - b1) * p.grad
            p.v = b2 * p.v + (1 - b2) * p.grad ** 2
            m_hat, v_hat = p.m / (1 - b1 ** t), p.v / (1 - b2 ** t)
            p.data -= lr * (m_hat / (v_hat ** 0.5 + eps) + wd * p.data)
            m_ref[i] = b1 * m_ref[i] + (1 - b1) * grads[i]
            v_ref[i] = b2 * v_ref[i] + (1 - b2) * grads[i] ** 2
            mh, vh = m_ref[i] / (1 - b1 ** t), v_ref[i] / (1 - b2 ** t)
            expected[i] -= lr * (mh / (vh ** 0.5 + eps) + wd * expected[i])
        assert [p.data for p in params] == pytest.approx(expected, rel=1e-12)


# -- item 20: the generated op methods have source ----------------------------------------


def test_generated_op_methods_show_their_source():
    source = inspect.getsource(Value.__mul__)
    assert "out = a * b" in source and "node._da = b" in source
    assert "out = tanh(a)" in inspect.getsource(Value.tanh)
    assert "1.0 - out * out" in inspect.getsource(Value.tanh)
    filename = Value.__add__.__code__.co_filename
    assert linecache.getline(filename, Value.__add__.__code__.co_firstlineno).startswith("def ")


def test_a_traceback_through_an_op_shows_the_line_that_failed():
    try:
        Value(1.0) * "x"
    except TypeError:
        text = traceback.format_exc()
    assert "<autograd_tiny op mul __mul__>" in text
    assert "b_node = other if other.__class__ is Value else _operand(other, '*')" in text


# -- promises kept by the new backward -----------------------------------------------------


def test_a_dropped_graph_is_freed_by_reference_counting_alone():
    import gc

    from autograd_tiny import MLP

    model = MLP(3, [4, 1], seed=0)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            loss = (model([1.0, -2.0, 0.5]) - 1.0) ** 2
            loss.backward()
            grad(loss, model.parameters(), create_graph=True)
            del loss
        assert gc.collect() == 0  # nothing was left for the cycle collector
    finally:
        gc.enable()


def test_a_deep_chain_backward_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(200_000):  # far past Python's recursion limit
        y = weighted_sum([y], [1.0], 1.0) if len(y._prev) == 2 else y + 1.0
    y.backward()
    assert x.grad == 1.0 and y.data == 200_001.0
