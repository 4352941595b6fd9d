"""SGD (plain, weight decay, momentum) and Adam against steps worked by hand."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value
from autograd_tiny.optim import SGD, Adam


def stepped(optimizer, param: Value, grads: list[float]) -> list[float]:
    """Sets the gradient by hand before each step; the parameter after each step."""
    trace = []
    for g in grads:
        param.grad = g
        optimizer.step()
        trace.append(param.data)
    return trace


def test_sgd_step():
    w = Value(1.0)
    assert stepped(SGD([w], lr=0.1), w, [2.0, -1.0]) == pytest.approx([0.8, 0.9])


def test_sgd_weight_decay_adds_decay_times_weight_to_the_gradient():
    w = Value(1.0)
    # g = 2 + 0.1 * 1 = 2.1 -> 1 - 0.21 = 0.79; then g = 0 + 0.1 * 0.79
    assert stepped(SGD([w], lr=0.1, weight_decay=0.1), w, [2.0, 0.0]) == \
        pytest.approx([0.79, 0.79 - 0.1 * 0.079])


def test_sgd_momentum_by_hand():
    w = Value(1.0)
    # v1 = 2            -> w = 1 - 0.2 = 0.8
    # v2 = 0.9*2 - 1    = 0.8  -> w = 0.8 - 0.08 = 0.72
    # v3 = 0.9*0.8 + .5 = 1.22 -> w = 0.72 - 0.122 = 0.598
    trace = stepped(SGD([w], lr=0.1, momentum=0.9), w, [2.0, -1.0, 0.5])
    assert trace == pytest.approx([0.8, 0.72, 0.598], abs=1e-15)


def test_sgd_learning_rate_can_change_between_steps():
    w = Value(0.0)
    opt = SGD([w], lr=1.0)
    w.grad = 1.0
    opt.step()
    opt.lr = 0.1
    opt.step()
    assert w.data == pytest.approx(-1.1)


def test_adam_first_step_moves_by_lr():
    for g in (1e-3, 0.5, 250.0):
        w = Value(1.0)
        (after,) = stepped(Adam([w], lr=0.1), w, [g])
        # m_hat = g and v_hat = g*g, so the step is lr * g / (|g| + eps)
        assert after == pytest.approx(1.0 - 0.1 * g / (g + 1e-8), abs=1e-15)


def textbook_adam(p: float, grads: list[float], lr: float, beta1: float, beta2: float,
                  eps: float, decay: float = 0.0) -> list[float]:
    """Kingma and Ba's Algorithm 1 (plus L2 weight decay, as in PyTorch), written out."""
    m = v = 0.0
    trace = []
    for t, g in enumerate(grads, start=1):
        g = g + decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        trace.append(p)
    return trace


def test_adam_second_step_by_hand():
    w = Value(1.0)
    trace = stepped(Adam([w], lr=0.1), w, [0.5, -1.0])
    # t = 2: m = 0.9*0.05 - 0.1 = -0.055, v = 0.999*0.00025 + 0.001 = 0.00124975
    m_hat, v_hat = -0.055 / 0.19, 0.00124975 / (1 - 0.999 ** 2)
    assert trace[1] == pytest.approx(trace[0] - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8),
                                     abs=1e-14)
    assert trace[1] == pytest.approx(0.936610, abs=1e-6)


@pytest.mark.parametrize("betas, eps, decay", [
    ((0.9, 0.999), 1e-8, 0.0),
    ((0.5, 0.9), 1e-3, 0.0),
    ((0.9, 0.999), 1e-8, 0.01),
])
def test_adam_matches_the_textbook_over_many_steps(betas, eps, decay):
    grads = [0.3, -1.2, 2.0, 0.0, 0.7, -0.1, 5.0, -3.0]
    w = Value(0.4)
    opt = Adam([w], lr=0.05, betas=betas, eps=eps, weight_decay=decay)
    assert stepped(opt, w, grads) == pytest.approx(
        textbook_adam(0.4, grads, 0.05, *betas, eps, decay), rel=1e-12, abs=1e-15)


def test_adam_keeps_state_per_parameter():
    a, b = Value(1.0), Value(1.0)
    opt = Adam([a, b], lr=0.1)
    for ga, gb in [(1.0, -2.0), (0.5, 3.0)]:
        a.grad, b.grad = ga, gb
        opt.step()
    assert a.data == pytest.approx(textbook_adam(1.0, [1.0, 0.5], 0.1, 0.9, 0.999, 1e-8)[-1])
    assert b.data == pytest.approx(textbook_adam(1.0, [-2.0, 3.0], 0.1, 0.9, 0.999, 1e-8)[-1])


def test_zero_grad_and_training_converge():
    for optimizer in (lambda ps: SGD(ps, lr=0.1, momentum=0.5), lambda ps: Adam(ps, lr=0.1)):
        x, y = Value(3.0), Value(-2.0)
        opt = optimizer([x, y])
        for _ in range(300):
            opt.zero_grad()
            loss = (x - 1.0) ** 2 + (y + 0.5) ** 2 * 2
            loss.backward()
            opt.step()
        assert (x.data, y.data) == pytest.approx((1.0, -0.5), abs=1e-3)


def test_zero_grad_clears():
    w = Value(1.0)
    w.grad = 3.0
    SGD([w], lr=0.1).zero_grad()
    assert w.grad == 0.0


def test_a_shared_parameter_is_updated_once():
    w = Value(1.0)
    opt = SGD([w, w], lr=0.1)
    w.grad = 1.0
    opt.step()
    assert w.data == pytest.approx(0.9)


def test_repr_shows_settings():
    assert repr(SGD([Value(1.0)], lr=0.5, momentum=0.9)) == \
        "SGD(1 parameter, lr=0.5, momentum=0.9, weight_decay=0.0)"
    assert repr(Adam([Value(1.0), Value(2.0)], lr=0.01)).startswith("Adam(2 parameters, lr=0.01")


@pytest.mark.parametrize("build, error, words", [
    (lambda: SGD([], lr=0.1), ValueError, "empty"),
    (lambda: SGD(Value(1.0), lr=0.1), TypeError, "list of Values"),
    (lambda: SGD([1.0], lr=0.1), TypeError, "float"),
    (lambda: SGD([Value(1.0)], lr=-0.1), ValueError, "lr"),
    (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "str"),
    (lambda: SGD([Value(1.0)], lr=0.1, momentum=-0.5), ValueError, "momentum"),
    (lambda: SGD([Value(1.0)], lr=math.nan), ValueError, "finite"),
    (lambda: Adam([Value(1.0)], betas=(1.0, 0.999)), ValueError, "betas"),
    (lambda: Adam([Value(1.0)], betas=0.9), TypeError, "pair"),
    (lambda: Adam([Value(1.0)], eps=-1.0), ValueError, "eps"),
])
def test_bad_arguments(build, error, words):
    with pytest.raises(error, match=words):
        build()
