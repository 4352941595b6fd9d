"""micrograd's demo: an MLP learns to separate two moons.

    .venv/bin/python demos/moons.py [--out FOLDER] [--steps 100] [--seed 1337] [--compiled]

The setup of micrograd's demo notebook: ``MLP(2, [16, 16, 1])``, 100 noisy moons
points with labels -1/+1, the max-margin (hinge) loss plus L2 regularisation 1e-4,
full-batch gradient descent with the learning rate falling from 1.0 to 0.1 over 100
steps. It then saves the trained weights, reloads them into a fresh model, and draws
the decision boundary and the loss curve (when matplotlib is installed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, Sequence, TextIO

from autograd_tiny import Value, compile, no_grad, plots
from autograd_tiny.data import make_moons
from autograd_tiny.losses import hinge_loss, l2_penalty
from autograd_tiny.nn import MLP
from autograd_tiny.optim import SGD
from autograd_tiny.train import History, TrainingProgress, accuracy, gc_paused
from autograd_tiny.cli.arguments import whole_number

ALPHA = 1e-4  # micrograd's L2 strength
DEFAULT_OUT = Path("autograd_tiny_demo") / "moons"


def loss(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> tuple[Value, float]:
    """micrograd's loss on the whole data set: mean hinge loss plus L2 penalty, and the
    accuracy. A function of (model, data) alone, so a compiled step can wrap it."""
    scores = [model(x) for x in X]
    total = hinge_loss(scores, y) + l2_penalty(model.parameters(), ALPHA)
    return total, accuracy(scores, y)


def train(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], steps: int = 100,
          step_loss: Callable[[MLP, Sequence[Sequence[float]], Sequence[int]],
                              tuple[Value, float]] = loss,
          file: TextIO | None = None, compiled: bool = False) -> History:
    """micrograd's training loop: forward, backward, SGD with a decaying learning rate.

    ``compiled=True`` traces the loss once and replays it as float code: it sets the
    same gradients without building a graph per step. The replay returns the loss
    only, so the accuracy is measured with a graph-free forward pass, before the
    update, at the epochs the progress report prints (the same parameters the loss
    was computed from); the history holds ``None`` for the epochs in between.
    """
    optimizer = SGD(model.parameters(), lr=1.0)
    history = History()
    step = compile(lambda: step_loss(model, X, y)[0], model.parameters()) if compiled else None
    acc: float | None
    # gc_paused: the graphs have no cycles, so the cycle collector only costs time.
    with TrainingProgress(steps, file=file) as progress, gc_paused():
        for k in range(steps):
            if step is None:
                total_value, acc = step_loss(model, X, y)
                optimizer.zero_grad()
                total_value.backward()
                total = total_value.data
            else:
                total = step()  # overwrites every .grad: no zero_grad needed
                acc = None
                if k == 0 or (k + 1) % progress.every == 0 or k == steps - 1:
                    with no_grad():  # the parameters step() just used: not yet updated
                        acc = accuracy([model(x) for x in X], y)
            optimizer.lr = 1.0 - 0.9 * k / steps  # 1.0 down to 0.1, as in micrograd
            optimizer.step()
            history.record(total, acc, optimizer.lr)
            progress.update(k, total, acc)
    return history


def main(argv: Sequence[str] | None = None, file: TextIO | None = None) -> int:
    out = file if file is not None else sys.stdout
    args = _parser().parse_args(argv)
    X, y = make_moons(args.points, noise=0.1, seed=args.seed, signed=True)
    model = MLP(2, [16, 16, 1], seed=args.seed)
    print(f"{model}\n{len(X)} moons points, labels -1/+1; hinge loss + L2 {ALPHA:g}; "
          f"SGD, lr 1.0 -> 0.1 over {args.steps} steps", file=out)
    started = time.perf_counter()
    history = train(model, X, y, args.steps, file=out, compiled=args.compiled)
    seconds = time.perf_counter() - started
    final = accuracy([model(x) for x in X], y) or 0.0
    print(f"trained in {seconds:.1f} s ({1000 * seconds / args.steps:.0f} ms per step): "
          f"loss {history.loss[0]:.4f} -> {history.loss[-1]:.4f}, "
          f"training accuracy {100 * final:.0f}%", file=out)

    args.out.mkdir(parents=True, exist_ok=True)
    weights = model.save(args.out / "moons_model.json")
    reloaded = MLP(2, [16, 16, 1]).load(weights)
    same = [reloaded(x).data for x in X] == [model(x).data for x in X]
    print(f"saved the weights to {weights}; a fresh model loaded from it gives "
          f"{'the same' if same else 'DIFFERENT'} scores", file=out)

    boundary = plots.plot_decision_boundary(model, X, y, args.out / "moons_boundary.png",
                                            title="moons: decision boundary")
    curve = plots.plot_loss_curve(history, args.out / "moons_loss.png", title="moons: training")
    plots.report([boundary, curve], file=out)
    return 0 if same else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the pictures and weights (default: {DEFAULT_OUT})")
    parser.add_argument("--steps", type=whole_number(1), default=100, help="training steps (100)")
    parser.add_argument("--points", type=whole_number(1), default=100, help="moons points (100)")
    parser.add_argument("--seed", type=int, default=1337, help="seed for data and weights")
    parser.add_argument("--compiled", action="store_true",
                        help="trace the step once and replay it as float code (autograd_tiny.compile)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
