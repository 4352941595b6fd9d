"""Losses: values by hand, gradients against finite differences, stability at +-1000."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, gradcheck, grad, reverse_topological_order
from autograd_tiny.losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_penalty,
    logsumexp,
    mse_loss,
)
from autograd_tiny.core.ops import TABLE, Op

logits = st.floats(-8.0, 8.0)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# -- values worked by hand ---------------------------------------------------------------


def test_mse_by_hand():
    assert mse_loss([Value(1.0), Value(3.0), Value(-1.0)], [0.0, 1.0, 1.0]).data == \
        pytest.approx((1 + 4 + 4) / 3)
    assert mse_loss(Value(2.5), 0.5).data == 4.0


def test_hinge_by_hand():
    # margins 1 - y*s: 1 - 2 = -1 -> 0, 1 + 0.5 = 1.5, 1 - 0.25 = 0.75
    loss = hinge_loss([Value(2.0), Value(0.5), Value(0.25)], [1, -1, 1])
    assert loss.data == pytest.approx((0 + 1.5 + 0.75) / 3)


def test_bce_by_hand():
    z = [0.3, -1.2]
    y = [1.0, 0.0]
    expected = (-math.log(sigmoid(0.3)) - math.log(1 - sigmoid(-1.2))) / 2
    assert binary_cross_entropy_with_logits([Value(v) for v in z], y).data == \
        pytest.approx(expected, rel=1e-12)


def test_cross_entropy_by_hand():
    z = [1.0, 2.0, 0.5]
    expected = -math.log(math.exp(2.0) / sum(math.exp(v) for v in z))
    assert cross_entropy([Value(v) for v in z], 1).data == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_batch_is_the_mean():
    a, b = [Value(1.0), Value(0.0)], [Value(-1.0), Value(3.0)]
    batch = cross_entropy([a, b], [0, 0]).data
    assert batch == pytest.approx((cross_entropy(a, 0).data + cross_entropy(b, 0).data) / 2)


def test_l2_penalty_by_hand():
    assert l2_penalty([Value(3.0), Value(-4.0)], alpha=1e-4).data == pytest.approx(25e-4)
    assert l2_penalty([]).data == 0.0


# -- gradients against central finite differences -----------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(logits, min_size=2, max_size=4), st.data())
def test_mse_gradient(points, data):
    targets = data.draw(st.lists(st.floats(-3, 3), min_size=len(points), max_size=len(points)))
    assert gradcheck(lambda *zs: mse_loss(list(zs), targets), points)


@settings(max_examples=40, deadline=None)
@given(st.lists(logits, min_size=1, max_size=4), st.data())
def test_bce_gradient(points, data):
    targets = data.draw(st.lists(st.floats(0, 1), min_size=len(points), max_size=len(points)))
    assert gradcheck(lambda *zs: binary_cross_entropy_with_logits(list(zs), targets), points)


@settings(max_examples=40, deadline=None)
@given(st.lists(logits, min_size=2, max_size=5), st.data())
def test_cross_entropy_gradient(points, data):
    target = data.draw(st.integers(0, len(points) - 1))
    assert gradcheck(lambda *zs: cross_entropy(list(zs), target), points)


@settings(max_examples=40, deadline=None)
@given(st.lists(logits, min_size=1, max_size=4), st.data())
def test_hinge_gradient_away_from_the_kink(points, data):
    targets = data.draw(st.lists(st.sampled_from([-1, 1]), min_size=len(points),
                                 max_size=len(points)))
    # finite differences across relu's kink at margin 0 are meaningless
    for z, y in zip(points, targets):
        if abs(1 - y * z) < 1e-3:
            return
    assert gradcheck(lambda *zs: hinge_loss(list(zs), targets), points)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=4))
def test_l2_gradient(points):
    assert gradcheck(lambda *ps: l2_penalty(list(ps), alpha=0.3), points)


@settings(max_examples=40, deadline=None)
@given(st.lists(logits, min_size=1, max_size=5))
def test_logsumexp_gradient_is_the_softmax(points):
    nodes = [Value(v) for v in points]
    grads = grad(logsumexp(nodes), nodes)
    total = sum(math.exp(v) for v in points)
    assert list(grads) == pytest.approx([math.exp(v) / total for v in points], abs=1e-12)
    assert logsumexp(nodes).data == pytest.approx(math.log(total), rel=1e-12)


def test_bce_gradient_at_a_logit_of_exactly_zero():
    # The logit of an untrained model is often exactly 0: no kink may spoil it there.
    for y in (0.0, 0.3, 1.0):
        z = Value(0.0)
        binary_cross_entropy_with_logits(z, y).backward()
        assert z.grad == pytest.approx(0.5 - y, abs=1e-15)


# -- stability ------------------------------------------------------------------------------


@pytest.mark.parametrize("z, y, loss, slope", [
    (1000.0, 1.0, 0.0, 0.0),
    (1000.0, 0.0, 1000.0, 1.0),
    (-1000.0, 1.0, 1000.0, -1.0),
    (-1000.0, 0.0, 0.0, 0.0),
])
def test_bce_is_finite_for_huge_logits(z, y, loss, slope):
    node = Value(z)
    out = binary_cross_entropy_with_logits(node, y)
    out.backward()
    assert out.data == loss and node.grad == slope


def test_cross_entropy_is_finite_for_huge_logits():
    zs = [Value(1000.0), Value(-1000.0), Value(999.0)]
    out = cross_entropy(zs, 1)
    out.backward()
    assert out.data == pytest.approx(2000.0 + math.log(1 + math.exp(-1.0)), rel=1e-15)
    p = 1 / (1 + math.exp(-1.0))
    assert [z.grad for z in zs] == pytest.approx([p, -1.0, 1 - p], abs=1e-12)
    assert all(math.isfinite(v) for v in (out.data, *[z.grad for z in zs]))


def test_logsumexp_of_all_equal_huge_values():
    assert logsumexp([Value(-1000.0)] * 3).data == pytest.approx(-1000.0 + math.log(3.0))


# -- built from the op table alone ------------------------------------------------------------


@pytest.mark.parametrize("build", [
    lambda zs: mse_loss(zs[:2], [1.0, 2.0]),
    lambda zs: binary_cross_entropy_with_logits(zs[:2], [1.0, 0.0]),
    lambda zs: hinge_loss(zs[:2], [1, -1]),
    lambda zs: cross_entropy(zs, 2),
    lambda zs: l2_penalty(zs, 1e-4),
])
def test_every_node_is_an_op_of_the_table(build):
    zs = [Value(0.5), Value(-0.25), Value(1.5)]
    for node in reverse_topological_order(build(zs)):
        # a table op, possibly with a parameter bound (x ** 2 is pow with k = 2)
        assert node.is_leaf or (isinstance(node._op, Op) and node._op.name in TABLE)


# -- wrong input ------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, words", [
    (lambda: mse_loss([Value(1.0)], [1.0, 2.0]), ValueError, "1 outputs but 2 targets"),
    (lambda: mse_loss([], []), ValueError, "no examples"),
    (lambda: mse_loss("ab", [1, 2]), TypeError, "str"),
    (lambda: mse_loss([Value(1.0)], ["1"]), TypeError, "str"),
    (lambda: hinge_loss([Value(1.0)], [0]), ValueError, "-1 or \\+1"),
    (lambda: binary_cross_entropy_with_logits(Value(1.0), 2.0), ValueError, r"\[0, 1\]"),
    (lambda: cross_entropy([Value(1.0), Value(2.0)], 2), ValueError, "class index"),
    (lambda: cross_entropy([Value(1.0)], 0.5), TypeError, "float"),
    (lambda: cross_entropy(Value(1.0), 0), TypeError, "Value"),
    (lambda: logsumexp([]), ValueError, "no values"),
    (lambda: l2_penalty([1.0]), TypeError, "float"),
])
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_numpy_arrays_are_accepted_as_lists():
    np = pytest.importorskip("numpy")
    scores = [Value(0.5), Value(-2.0)]
    assert hinge_loss(scores, np.array([1, -1])).data == hinge_loss(scores, [1, -1]).data
    logits = np.array([[1.0, 2.0], [0.5, -0.5]])
    assert cross_entropy(logits, np.array([1, 0])).data == \
        pytest.approx(cross_entropy([[1.0, 2.0], [0.5, -0.5]], [1, 0]).data)
