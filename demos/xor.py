"""A small tanh network learns XOR, the problem no single neuron can solve.

    .venv/bin/python demos/xor.py [--out FOLDER] [--epochs 200] [--seed 0]

Four points, labels -1/+1 (exclusive or), an ``MLP(2, [4, 1])`` with tanh in both
layers, mean squared error, Adam. A few lines with ``fit``; then the table of
predictions, the decision boundary and the loss curve.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence, TextIO

from autograd_tiny import plots
from autograd_tiny.data import make_xor
from autograd_tiny.losses import mse_loss
from autograd_tiny.nn import MLP
from autograd_tiny.optim import Adam
from autograd_tiny.train import accuracy, fit
from autograd_tiny.cli.arguments import whole_number

DEFAULT_OUT = Path("autograd_tiny_demo") / "xor"


def main(argv: Sequence[str] | None = None, file: TextIO | None = None) -> int:
    out = file if file is not None else sys.stdout
    args = _parser().parse_args(argv)
    X, y = make_xor(signed=True)
    model = MLP(2, [4, 1], activation="tanh", output_activation="tanh", seed=args.seed)
    print(model, file=out)
    optimizer = Adam(model.parameters(), lr=0.05)
    history = fit(model, X, y, mse_loss, optimizer, epochs=args.epochs, file=out)

    print("\n  x0   x1   target   output", file=out)
    for x, target in zip(X, y):
        print(f"{x[0]:4.0f} {x[1]:4.0f} {target:+8d} {model(x).data:+9.4f}", file=out)
    final = accuracy([model(x) for x in X], y) or 0.0
    print(f"training accuracy {100 * final:.0f}% after {args.epochs} epochs "
          f"(loss {history.loss[0]:.4f} -> {history.loss[-1]:.4f})", file=out)

    args.out.mkdir(parents=True, exist_ok=True)
    boundary = plots.plot_decision_boundary(model, X, y, args.out / "xor_boundary.png",
                                            title="xor: decision boundary")
    curve = plots.plot_loss_curve(history, args.out / "xor_loss.png", title="xor: training")
    plots.report([boundary, curve], file=out)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the pictures (default: {DEFAULT_OUT})")
    parser.add_argument("--epochs", type=whole_number(1), default=200, help="training epochs (200)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the initial weights")
    return parser


if __name__ == "__main__":
    sys.exit(main())
