"""The first example of the article "How does backpropagation work?" (whose network
example is Matt Mazur's 2-2-2): learn ``y = 2x`` by moving one weight ``W``.

    python demos/weight_table.py [--learning-rate 0.05]

Prints the article's tables (model outputs and squared errors for W = 3, 4 and 2, each
number computed with autograd_tiny), then what the article describes in words done with
gradients: from W = 3, follow -dE/dW until W settles at 2.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from autograd_tiny import Value
from autograd_tiny.teach import explain, number_text

INPUTS = (0.0, 1.0, 2.0)
DESIRED = (0.0, 2.0, 4.0)  # y = 2x
TRIED_WEIGHTS = (3.0, 4.0, 2.0)  # the article's order: start at 3, try 4, then 2
START = 3.0
LEARNING_RATE = 0.05
TOLERANCE = 1e-10  # stop once an update moves W by less than this
MAX_UPDATES = 1_000


@dataclass(frozen=True)
class Evaluation:
    """The model ``W * x`` on every input: outputs, errors and the summed squared
    error ``E`` with its gradient dE/dW (from ``backward()``)."""

    weight: float
    outputs: tuple[float, ...]
    absolute_errors: tuple[float, ...]
    squared_errors: tuple[float, ...]
    error: float
    gradient: float
    graph: Value
    weight_node: Value


def evaluate(weight: float) -> Evaluation:
    """The article's table columns for one ``W``, and dE/dW.

    >>> e = evaluate(3.0)
    >>> e.outputs, e.squared_errors, e.error, e.gradient
    ((0.0, 3.0, 6.0), (0.0, 1.0, 4.0), 5.0, 10.0)
    """
    w = Value(weight, label="W")
    outputs, squares = [], []
    for index, (x, y) in enumerate(zip(INPUTS, DESIRED)):
        output = w * x
        output.label = f"out_{index}"
        square = (output - y) ** 2
        square.label = f"E_{index}"
        outputs.append(output)
        squares.append(square)
    total = squares[0] + squares[1] + squares[2]
    total.label = "E"
    total.backward()
    return Evaluation(weight, tuple(o.data for o in outputs),
                      tuple(abs(o.data - y) for o, y in zip(outputs, DESIRED)),
                      tuple(s.data for s in squares), total.data, w.grad, total, w)


def descend(start: float = START, learning_rate: float = LEARNING_RATE,
            tolerance: float = TOLERANCE) -> list[Evaluation]:
    """Gradient descent on ``W``: each evaluation, from ``start`` until an update
    moves ``W`` by less than ``tolerance`` (at most ``MAX_UPDATES``).

    >>> path = descend()
    >>> path[0].weight, path[1].weight, round(path[-1].weight, 6)
    (3.0, 2.5, 2.0)
    >>> abs(path[-1].weight - 2.0) < 1e-9
    True
    """
    path = [evaluate(start)]
    for _ in range(MAX_UPDATES):
        step = learning_rate * path[-1].gradient
        path.append(evaluate(path[-1].weight - step))
        if abs(step) < tolerance:
            break
    return path


def seed_table(evaluation: Evaluation) -> Table:
    """The article's table for one W: inputs, desired outputs, the model's outputs and
    their absolute and squared errors; the sum E and dE/dW below."""
    w = number_text(evaluation.weight)
    table = Table(title=f"W = {w}", title_justify="left")
    for heading in ("Input", "Desired Output", f"Model output (W={w})", "Absolute Error",
                    "Square Error"):
        table.add_column(heading, justify="right")
    for row, (x, y) in enumerate(zip(INPUTS, DESIRED)):
        table.add_row(number_text(x), number_text(y), number_text(evaluation.outputs[row]),
                      number_text(evaluation.absolute_errors[row]),
                      number_text(evaluation.squared_errors[row]),
                      end_section=row == len(INPUTS) - 1)
    table.add_row("", "", "", "E, summed", number_text(evaluation.error), style="bold")
    table.add_row("", "", "", "dE/dW", number_text(evaluation.gradient))
    return table


def descent_table(path: list[Evaluation], learning_rate: float, shown: int = 10) -> Table:
    """One row per update: W, E, dE/dW and the next W (the middle rows elided)."""
    table = Table(title=f"gradient descent from W = {number_text(path[0].weight)}: "
                        f"W <- W - {number_text(learning_rate)} * dE/dW",
                  title_justify="left")
    for heading in ("update", "W", "E", "dE/dW", "next W"):
        table.add_column(heading, justify="right")
    rows = list(enumerate(path[:-1]))
    if len(rows) > shown + 2:
        rows = rows[:shown] + [(-1, None)] + rows[-2:]
    for number, evaluation in rows:
        if evaluation is None:
            table.add_row("...", "", "", "", "")
            continue
        following = path[number + 1]
        table.add_row(str(number + 1), f"{evaluation.weight:.9f}", f"{evaluation.error:.9f}",
                      f"{evaluation.gradient:.9f}", f"{following.weight:.9f}")
    return table


def main(argv: list[str] | None = None) -> int:
    """Prints the tables; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE,
                        help=f"step size of gradient descent (default {LEARNING_RATE})")
    args = parser.parse_args(argv)
    if not 0 < args.learning_rate < 0.1:
        # E = 5 (W - 2)^2 here, so any rate of 0.2 or more overshoots for ever.
        parser.error("--learning-rate must be between 0 and 0.1 (from 0.1 on, "
                     "W jumps over 2 or away from it)")
    console = Console()
    console.print(Rule('"How does backpropagation work?": learning y = 2x by changing W',
                       style="cyan"))
    tried = [evaluate(w) for w in TRIED_WEIGHTS]
    for evaluation in tried:
        console.print(seed_table(evaluation))
    start, up, down = tried
    console.print(Text(
        f"From W = 3, increasing W to 4 raised the error from {number_text(start.error)} to "
        f"{number_text(up.error)}; decreasing it to 2 brought it to {number_text(down.error)}. "
        f"The gradient says so without trying: dE/dW = {number_text(start.gradient)} at "
        f"W = 3 is positive, so the error grows with W and W should go down. "
        f"(The article's own W = 2 table repeats W = 3's numbers by mistake; these are "
        f"computed.)"))
    console.print(Text("Where dE/dW = 10 comes from: one route per example, added up.",
                       style="dim"))
    console.print(explain(start.graph, start.weight_node))

    path = descend(learning_rate=args.learning_rate)
    console.print(descent_table(path, args.learning_rate))
    final = path[-1]
    console.print(Text.assemble(
        "W settles at ", (f"{final.weight:.9f}", "bold green"), f" after {len(path) - 1} "
        f"updates (E = {final.error:.3g}): the model learned y = 2x."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
