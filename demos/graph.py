"""Regenerates the README's pictures, with the command line where there is one, exactly
as a reader would.

    .venv/bin/python demos/graph.py              # the SVGs
    .venv/bin/python demos/graph.py --png        # and PNG screenshots (headless Chromium)

Writes into demos/images/:

- neuron.svg: the neuron from micrograd's lecture, tanh(x1*w1 + x2*w2 + b), after
  backward, with the gradient's route to w1 in red;
- network.svg: Matt Mazur's 2-2-2 sigmoid network ("A Step by Step Backpropagation
  Example") for his input and target, with his names (i1, h1, w1, b1, E_total: one
  bias per layer), exactly as ``make demo`` draws it: net, out and delta in every
  neuron, every weight with its gradient, the two routes from E_total back to w1 in
  red;
- network_mlp.svg: micrograd's demo model MLP(2, [16, 16, 1]) (337 parameters) for
  one input, compact: edge width and shade by gradient size, numbers in tooltips;
- training_step.svg: micrograd's whole demo training step (100 points, hinge loss
  plus L2: about 8,300 values, 65,800 before the weighted-sum op) drawn collapsed
  to one box per neuron.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from autograd_tiny import MLP, draw_dot, draw_network
from autograd_tiny.cli import main
from autograd_tiny.core.graph import snapshot
from autograd_tiny.data import make_moons
from autograd_tiny.losses import hinge_loss, l2_penalty
from autograd_tiny.teach import walkthrough as mazur

IMAGES = Path(__file__).resolve().parent / "images"

# The lecture's numbers: b is chosen so that n = 0.8814 and tanh(n) = 0.7071.
NEURON = ["graph", "tanh(x1*w1 + x2*w2 + b)",
          "--set", "x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432",
          "--highlight", "w1"]


def training_step(points: int = 100):
    """micrograd's demo step: MLP(2, [16, 16, 1]) on the moons, mean hinge loss plus
    1e-4 * L2, after backward."""
    X, y = make_moons(points, noise=0.1, seed=1, signed=True)
    model = MLP(2, [16, 16, 1], seed=1337)
    loss = hinge_loss([model(x) for x in X], y) + l2_penalty(model.parameters(), 1e-4)
    loss.backward()
    return loss


def regenerate(png: bool = False) -> int:
    """Draws every picture; returns the first non-zero exit status, or 0."""
    IMAGES.mkdir(exist_ok=True)
    status = main([*NEURON, "--output", str(IMAGES / "neuron.svg")])
    # Mazur's network the way make demo draws it (the command line has no flags for
    # his input and error names): the README's picture and the demo's slides match.
    draw_network(mazur.model(), list(mazur.INPUTS.values()), list(mazur.TARGETS.values()),
                 input_names=list(mazur.INPUTS), highlight="w1",
                 error_name=mazur.ERROR_NAME).render(IMAGES / "network.svg")
    print(f"wrote {IMAGES / 'network.svg'}")
    with tempfile.TemporaryDirectory() as folder:
        mlp = MLP(2, [16, 16, 1], seed=1337).save(Path(folder) / "mlp.json")
        status = status or main(["network", str(mlp), "--input", "0.5", "-0.3",
                                 "--target", "1", "--highlight", "L1.N6.w1",
                                 "--output", str(IMAGES / "network_mlp.svg")])
    start = time.perf_counter()
    loss = training_step()
    built = time.perf_counter()
    drawing = draw_dot(loss)
    written = drawing.render(IMAGES / "training_step.svg")
    done = time.perf_counter()
    print(f"wrote {written} ({len(snapshot(loss)):,} values; graph built in "
          f"{built - start:.2f} s, drawn and rendered in {done - built:.2f} s)")
    if png and status == 0:
        from screenshots import screenshot  # beside this file
        for name in ("network", "network_mlp", "training_step"):
            print(f"wrote {screenshot(IMAGES / f'{name}.svg', IMAGES / f'{name}.png')}")
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", action="store_true",
                        help="also take 1920x1080 screenshots with headless Chromium")
    return parser


def cli(argv: Sequence[str] | None = None) -> int:
    return regenerate(png=_parser().parse_args(argv).png)


if __name__ == "__main__":
    sys.exit(cli())
