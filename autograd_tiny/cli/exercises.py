"""Write an exercise sheet and its answer key, as an offline HTML page and as LaTeX.

    autograd-tiny exercises --count 10 --seed 7 --output sheet7/

Writes sheet.html (graphs with blanks; the page checks answers in the browser, no
network), key.html (filled graphs, each gradient's routes as products of local
derivatives), sheet.tex and key.tex (A4; TikZ graphs fitted to the page, routes in
lines that break to its width). The same arguments give the same files, byte for
byte.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import CommandError
from .arguments import whole_number
from ..teach.exercises import write_exercises


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``exercises`` subcommand's flags.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--output", "out", "--seed", "3"])
    >>> args.count, args.seed, args.output
    (10, 3, 'out')
    """
    parser.add_argument("--count", metavar="N", type=whole_number(1), default=10,
                        help="how many exercises (default 10, at most 100)")
    parser.add_argument("--seed", metavar="S", type=whole_number(0), default=0,
                        help="the same seed gives the same sheet (default 0)")
    parser.add_argument("--output", "-o", metavar="DIR", required=True,
                        help="the folder to write into (made if missing)")


def run(args: argparse.Namespace) -> int:
    """Writes the four files and names them.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     run(argparse.Namespace(count=1, seed=2, output=folder))  # doctest: +ELLIPSIS
    wrote 1 exercise (seed 2) to ...: sheet.html, key.html, sheet.tex, key.tex
    0
    """
    if args.count > 100:
        raise CommandError(f"--count {args.count}: at most 100 exercises per sheet")
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"--output {args.output}: not a folder")
    try:
        written = write_exercises(folder, args.count, args.seed)
    except OSError as error:
        raise CommandError(f"cannot write into {args.output}: {error.strerror or error}") from None
    plural = "s" if args.count != 1 else ""
    print(f"wrote {args.count} exercise{plural} (seed {args.seed}) to {folder}: "
          f"{', '.join(written)}")
    return 0
