"""Practise the chain rule: a random graph, its local derivatives and gradients asked one by one.

    autograd-tiny quiz --level 2 --seed 7

Level 1 is one op, level 2 a few ops with a node used twice, level 3 a neuron or a
2-2-2 sigmoid network. The questions come in backward order; a miss shows the op
table's rule and allows one more try; the score comes at the end (also after Ctrl-C,
the end of input, or ``q``). The same seed gives the same quiz, so a class can share
one. Answers are typed (or piped) one per line.
"""

from __future__ import annotations

import argparse
import random

from . import CommandError
from .arguments import output_path, whole_number
from ..teach.quiz import LEVELS, make_problem, run_quiz


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``quiz`` subcommand's flags.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--level", "3", "--seed", "12"])
    >>> args.level, args.seed, args.graph
    (3, 12, None)
    """
    parser.add_argument("--level", type=int, choices=LEVELS, default=1,
                        help="1: one op; 2: a few ops, one node used twice; "
                             "3: a neuron or a 2-2-2 network (default 1)")
    parser.add_argument("--seed", metavar="S", type=whole_number(0), default=None,
                        help="the same seed gives the same quiz (default: a new one)")
    parser.add_argument("--graph", metavar="FILE", default=None,
                        help="also draw the graph (values only, no gradients) into "
                             "FILE: .svg, .png, .pdf, .tex or .dot")


def run(args: argparse.Namespace) -> int:
    """Runs the quiz at the terminal; exit status 0 when it ends (however it ends).

    >>> import io, sys
    >>> stdin, sys.stdin = sys.stdin, io.StringIO("-2\\n")
    >>> try:
    ...     status = run(argparse.Namespace(level=1, seed=3, graph=None))  # doctest: +ELLIPSIS
    ... finally:
    ...     sys.stdin = stdin
    Level 1: one op (seed 3)
    ...
    [1/2] ∂L/∂b (local derivative of *) = -2
      right
    [2/2] ∂L/∂a (local derivative of *) = 
    stopped.
    score: 1 of 1 (stopped after 1 of 2 questions)
    """
    from rich.console import Console

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10_000)
    problem = make_problem(args.level, seed)
    console = Console(highlight=False, soft_wrap=True)
    if args.graph:
        from ..draw.dot import FORMATS, RenderError, render

        path = output_path(args.graph, FORMATS, "a graph", "--graph")
        try:
            render(problem.root, path, show_grad=False, show_local=False)
        except (RenderError, OSError) as error:
            raise CommandError(f"--graph {args.graph}: {error}") from None
        console.print(f"the graph is in {path}")
    run_quiz(problem, console)
    return 0
