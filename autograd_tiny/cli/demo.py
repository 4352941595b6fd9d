"""Walk through backpropagation in Matt Mazur's 2-2-2 sigmoid network ("A Step by Step
Backpropagation Example"), step by step.

    autograd-tiny demo [--out DIR] [--steps N] [--no-files]

Prints the forward pass, the errors, the backward pass for w5 and w1 as products of
local derivatives, all eight updated weights and the error after one and after N
updates; writes the network's graph and the slides into DIR and names it at the end.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import CommandError
from .arguments import nothing_written_on_failure, whole_number
from ..teach.walkthrough import DEFAULT_FOLDER, TRAINING_STEPS, run as run_walkthrough


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``demo`` subcommand's flags.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--steps", "100"])
    >>> args.out, args.steps, args.files
    ('autograd_tiny_demo', 100, True)
    """
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_FOLDER,
                        help=f"where to write the graph and the slides (default "
                             f"{DEFAULT_FOLDER}/ in the current directory)")
    parser.add_argument("--steps", metavar="N", type=whole_number(0), default=TRAINING_STEPS,
                        help=f"how many updates of gradient descent to train for at the "
                             f"end (default {TRAINING_STEPS:,})")
    parser.add_argument("--no-files", dest="files", action="store_false",
                        help="only print; write no graph and no slides")


def run(args: argparse.Namespace) -> int:
    """Prints the walkthrough and writes its files.

    >>> import contextlib, io
    >>> args = argparse.Namespace(out="unused", steps=2, files=False)
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     status = run(args)
    >>> status, "0.082167041" in out.getvalue()
    (0, True)
    """
    from rich.console import Console

    from ..draw.renderer import RenderError

    if not args.files:
        run_walkthrough(None, steps=args.steps, console=Console())
        return 0
    folder = Path(args.out)
    _check_folder(folder, args.out)
    # The walkthrough writes its files one after another: if a later one fails, the
    # earlier ones are put back too (a failing command writes nothing).
    files = [folder / name for name in ("network.svg", "slides.html", "graph.svg",
                                        "graph_slides.html", "graph.dot")]
    try:
        with nothing_written_on_failure(files, folder):
            run_walkthrough(folder, steps=args.steps, console=Console())
    except RenderError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write into {args.out}: "
                           f"{error.strerror or error}") from None
    return 0


def _check_folder(folder: Path, text: str) -> None:
    """Refuses, before anything is printed or computed, an ``--out`` that cannot be
    a folder we write into."""
    for candidate in [folder, *folder.parents]:
        if candidate.exists():
            if not candidate.is_dir():
                what = "is a file" if candidate == folder else f"{str(candidate)!r} is a file"
                raise CommandError(f"cannot write into {text}: {what}")
            if not os.access(candidate, os.W_OK | os.X_OK):
                raise CommandError(f"cannot write into {text}: permission denied "
                                   f"on {str(candidate)!r}")
            return
