"""Backpropagation through time: a tiny recurrent cell learns to keep a running sum.

    .venv/bin/python demos/recurrent.py [--out FOLDER] [--epochs 300] [--steps 8]

The backpropagation overview's "recurrent backpropagation": the network runs forward over a sequence, one
time step after another, and the error then flows backward through every step. The
cell is four scalar ``Value``s::

    h[t] = tanh(w_h * h[t-1] + w_x * x[t] + b)        y[t] = w_y * h[t]

Unrolled over a sequence it is one ordinary graph, so ``backward()`` is all it takes.
The task: after each input, output the sum of the inputs so far. To get it right the
last output must depend on the first input as much as on the last one, which is only
possible if the gradient reaches back through all the steps: the demo prints how
strongly y[T] depends on each x[t] (its gradient) before and after training.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence, TextIO

from autograd_tiny import Value, plots, reverse_topological_order
from autograd_tiny.data import Seed, random_source
from autograd_tiny.losses import mse_loss
from autograd_tiny.nn import Module
from autograd_tiny.optim import Adam
from autograd_tiny.train import fit
from autograd_tiny.cli.arguments import whole_number

DEFAULT_OUT = Path("autograd_tiny_demo") / "recurrent"


class RecurrentCell(Module):
    """``h[t] = tanh(w_h * h[t-1] + w_x * x[t] + b)``, ``y[t] = w_y * h[t]``, from h[0] = 0."""

    def __init__(self, seed: Seed = None) -> None:
        rng = random_source(seed)
        self.w_x = Value(rng.uniform(-1.0, 1.0), label="w_x")
        self.w_h = Value(rng.uniform(-1.0, 1.0), label="w_h")
        self.b = Value(0.0, label="b")
        self.w_y = Value(rng.uniform(-1.0, 1.0), label="w_y")

    def unroll(self, xs: Sequence[Value | float]) -> tuple[list[Value], list[Value]]:
        """Runs the cell over ``xs``: the outputs y[1..T] and the states h[0..T]."""
        h = Value(0.0, label="h0")
        states, outputs = [h], []
        for t, x in enumerate(xs, start=1):
            h = (self.w_h * h + self.w_x * x + self.b).tanh()
            h.label = f"h{t}"
            states.append(h)
            outputs.append(self.w_y * h)
        return outputs, states

    def __call__(self, xs: Sequence[Value | float]) -> list[Value]:
        return self.unroll(xs)[0]


def running_sums(n: int, steps: int, seed: Seed) -> tuple[list[list[float]], list[list[float]]]:
    """``n`` random sequences of ``steps`` inputs in [-0.2, 0.2] and their running sums."""
    rng = random_source(seed)
    sequences = [[rng.uniform(-0.2, 0.2) for _ in range(steps)] for _ in range(n)]
    sums = []
    for xs in sequences:
        total, partial = 0.0, []
        for x in xs:
            total += x
            partial.append(total)
        sums.append(partial)
    return sequences, sums


def sequence_loss(outputs: list[list[Value]], targets: Sequence[Sequence[float]]) -> Value:
    """Mean squared error over every time step of every sequence."""
    return mse_loss([y for ys in outputs for y in ys], [s for ss in targets for s in ss])


def reach(cell: RecurrentCell, xs: Sequence[float]) -> tuple[list[float], list[float]]:
    """Backpropagates from the last output y[T] alone: d y[T] / d x[t] for each input
    and d y[T] / d h[t] for each state, t = 1..T. The chain rule carries the gradient
    one step back at a time: dy/dh[t-1] = dy/dh[t] * (1 - h[t]**2) * w_h."""
    inputs = [Value(x, label=f"x{t}") for t, x in enumerate(xs, start=1)]
    outputs, states = cell.unroll(inputs)
    cell.zero_grad()
    outputs[-1].backward()
    by_input = [x.grad for x in inputs]
    by_state = [h.grad for h in states[1:]]
    cell.zero_grad()
    return by_input, by_state


def main(argv: Sequence[str] | None = None, file: TextIO | None = None) -> int:
    out = file if file is not None else sys.stdout
    args = _parser().parse_args(argv)
    X, Y = running_sums(32, args.steps, seed=args.seed)
    probe, probe_sums = running_sums(1, args.steps, seed=args.seed + 1)
    cell = RecurrentCell(seed=args.seed)
    print(f"{cell}: {', '.join(f'{n} = {p.data:+.3f}' for n, p in cell.named_parameters())}",
          file=out)
    before_x, before_h = reach(cell, probe[0])
    graph = reverse_topological_order(cell(probe[0])[-1])
    print(f"unrolled over {args.steps} steps, y[{args.steps}] is one graph of {len(graph)} "
          f"nodes: backward() walks back through every step", file=out)

    history = fit(cell, X, Y, sequence_loss, Adam(cell.parameters(), lr=0.05),
                  epochs=args.epochs, accuracy=None, file=out)
    after_x, after_h = reach(cell, probe[0])
    print(f"learned: {', '.join(f'{n} = {p.data:+.3f}' for n, p in cell.named_parameters())}"
          f"; loss {history.loss[0]:.5f} -> {history.loss[-1]:.5f}", file=out)

    outputs = cell(probe[0])
    print("\nan unseen sequence:\n   t   x[t]   running sum   y[t]", file=out)
    for t, (x, s, y) in enumerate(zip(probe[0], probe_sums[0], outputs), start=1):
        print(f"{t:4d} {x:+6.3f} {s:+13.3f} {y.data:+7.3f}", file=out)

    T = args.steps
    print(f"\nhow far back the gradient reaches: d y[{T}] / d x[t] (ideal: 1 for every t, "
          f"each input counts the same)\n   t   before training   after training   "
          f"d y[{T}] / d h[t] after", file=out)
    for t in range(T):
        print(f"{t + 1:4d} {before_x[t]:+17.4f} {after_x[t]:+16.4f} {after_h[t]:+23.4f}",
              file=out)

    args.out.mkdir(parents=True, exist_ok=True)
    bars = plots.plot_bars([f"x{t}" for t in range(1, T + 1)],
                           {"before training": before_x, "after training": after_x},
                           args.out / "recurrent_gradient.png",
                           title=f"d y[{T}] / d x[t]: the gradient reaching back in time",
                           ylabel="gradient")
    curve = plots.plot_loss_curve(history, args.out / "recurrent_loss.png",
                                  title="running sum: training")
    plots.report([bars, curve], file=out)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the pictures (default: {DEFAULT_OUT})")
    parser.add_argument("--epochs", type=whole_number(1), default=300, help="training epochs (300)")
    parser.add_argument("--steps", type=whole_number(1), default=8, help="sequence length (8)")
    parser.add_argument("--seed", type=int, default=4, help="seed for data and weights")
    return parser


if __name__ == "__main__":
    sys.exit(main())
