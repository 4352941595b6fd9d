"""Contract C names for an MLP, set by hand: until the nn branch names parameters and
the net/out nodes itself, the drawing tests label them exactly as it will
(``L{i}.N{j}.w{k}``, ``.b``, ``.net``, ``.out``; 1-based)."""

from __future__ import annotations

from typing import Any

from autograd_tiny import MLP, Value
from autograd_tiny.data import make_moons
from autograd_tiny.losses import hinge_loss, l2_penalty


def name_model(model: MLP) -> MLP:
    """Labels every parameter and, when the model runs, every net and out node."""
    for i, layer in enumerate(model.layers, 1):
        for j, neuron in enumerate(layer.neurons, 1):
            prefix = f"L{i}.N{j}"
            if neuron.w[0].label and not neuron.w[0].label.startswith("w."):
                continue  # already named (the nn branch does it when merged)
            for k, w in enumerate(neuron.w, 1):
                w.label = f"{prefix}.w{k}"
            neuron.b.label = f"{prefix}.b"
            _name_outputs(neuron, prefix)
    return model


def _name_outputs(neuron: Any, prefix: str) -> None:
    forward = neuron._forward

    def named_forward(x: list[Value]) -> Value:
        out = forward(x)
        if out.label:
            return out
        if neuron._act is None:
            out.label = f"{prefix}.net"
        else:
            out.label = f"{prefix}.out"
            if out._prev and not out._prev[0].label:
                out._prev[0].label = f"{prefix}.net"
        return out

    neuron._forward = named_forward


def demo_step(points: int = 100) -> tuple[Value, MLP]:
    """micrograd's demo training step: MLP(2, [16, 16, 1]) on make_moons, mean hinge
    loss plus 1e-4 * L2, after backward."""
    X, y = make_moons(points, noise=0.1, seed=1, signed=True)
    model = name_model(MLP(2, [16, 16, 1], seed=1337))
    scores = [model(x) for x in X]
    loss = hinge_loss(scores, y) + l2_penalty(model.parameters(), 1e-4)
    loss.backward()
    return loss, model
