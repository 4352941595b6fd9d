"""Models for the drawing tests, named by the nn side (contract C: parameters
``L{i}.N{j}.w{k}``, ``.b``; each call labels ``L{i}.N{j}.net`` and ``.out``), and
micrograd's demo training step."""

from __future__ import annotations

from autograd_tiny import MLP, Value
from autograd_tiny.data import make_moons
from autograd_tiny.losses import hinge_loss, l2_penalty


def name_model(model: MLP) -> MLP:
    """The model, checked to carry contract C's names (the drawing relies on them)."""
    for i, layer in enumerate(model.layers, 1):
        for j, neuron in enumerate(layer.neurons, 1):
            assert neuron.w[0].label == f"L{i}.N{j}.w1", neuron.w[0].label
            assert neuron.b.label == f"L{i}.N{j}.b", neuron.b.label
    return model


def demo_step(points: int = 100) -> tuple[Value, MLP]:
    """micrograd's demo training step: MLP(2, [16, 16, 1]) on make_moons, mean hinge
    loss plus 1e-4 * L2, after backward."""
    X, y = make_moons(points, noise=0.1, seed=1, signed=True)
    model = name_model(MLP(2, [16, 16, 1], seed=1337))
    scores = [model(x) for x in X]
    loss = hinge_loss(scores, y) + l2_penalty(model.parameters(), 1e-4)
    loss.backward()
    return loss, model
