"""Regenerates the README's pictures with the command line, exactly as a reader would.

    .venv/bin/python demos/graph.py

Writes demos/images/neuron.svg: the neuron from micrograd's lecture,
tanh(x1*w1 + x2*w2 + b), after backward, with the gradient's route to w1 in red.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograd_tiny.cli import main

IMAGES = Path(__file__).resolve().parent / "images"

# The lecture's numbers: b is chosen so that n = 0.8814 and tanh(n) = 0.7071.
NEURON = ["graph", "tanh(x1*w1 + x2*w2 + b)",
          "--set", "x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432",
          "--highlight", "w1"]


def regenerate() -> int:
    """Draws every picture; returns the first non-zero exit status, or 0."""
    IMAGES.mkdir(exist_ok=True)
    return main([*NEURON, "--output", str(IMAGES / "neuron.svg")])


if __name__ == "__main__":
    sys.exit(regenerate())
