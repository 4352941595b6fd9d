"""Write lecture slides (one offline HTML file) stepping through an expression's backward pass.

    autograd-tiny slides "tanh(w*x + b)" --set w=-3 x=2 b=6.8813735870195432 \\
        --output neuron.html

Frames: the forward pass node by node, then one frame per step of backward, each the
graph with the current node and edge in focus and the step's arithmetic written out.
``--handout`` writes the printable page instead: one frame per sheet, no buttons.
"""

from __future__ import annotations

import argparse

from . import CommandError
from .arguments import expression, output_path, warn_if_not_finite, whole_number
from ..core.engine import reverse_topological_order
from ..draw.renderer import RenderError
from ..teach.slides import MAX_STEPS, write_slides

DEFAULT_NAMES = ("f", "y", "out", "result")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``slides`` subcommand's flags.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["x*y", "--set", "x=2", "y=3", "--output", "s.html"])
    >>> args.set, args.output, args.rankdir, args.handout
    (['x=2', 'y=3'], 's.html', 'LR', False)
    """
    parser.add_argument("expression", metavar="EXPR",
                        help='the expression, e.g. "tanh(w*x + b)"')
    parser.add_argument("--set", metavar="NAME=VALUE", nargs="+", action="extend",
                        default=[], help="a value for each variable, e.g. --set x=2 w=-3")
    parser.add_argument("--output", "-o", metavar="FILE.html", required=True,
                        help="the HTML file to write")
    parser.add_argument("--title", help="the slides' title (default: from the expression)")
    parser.add_argument("--name", metavar="NAME",
                        help="a name for the expression's value, as in dNAME/dx "
                             "(default: f, or y if f is a variable)")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                        help="layout direction: left to right (default) or top to bottom")
    parser.add_argument("--handout", action="store_true",
                        help="write a page for printing (a handout, or a PDF through the "
                             "browser): every frame on a sheet of its own, the whole graph "
                             "and the step's text under it, no buttons")
    parser.add_argument("--max-steps", metavar="N", type=whole_number(1), default=MAX_STEPS,
                        help=f"refuse graphs whose backward takes more steps "
                             f"(default {MAX_STEPS})")


def run(args: argparse.Namespace) -> int:
    """Builds the expression and writes the slides; one line on stdout says where.

    >>> import contextlib, io, tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = pathlib.Path(folder) / "s.html"
    ...     args = argparse.Namespace(expression="x*y", set=["x=2", "y=3"], output=str(out),
    ...                               title=None, name=None, rankdir="LR", max_steps=400)
    ...     with contextlib.redirect_stdout(io.StringIO()):
    ...         status = run(args)
    ...     status, out.read_text().count('data-kind="step"')
    (0, 2)
    """
    output = output_path(args.output, [".html", ".htm"], "slides")
    root, leaves = expression(args.expression, args.set)
    if args.name is not None:
        if not args.name.isidentifier():
            raise CommandError(f"--name {args.name!r}: use a plain name such as f or loss")
        if args.name in leaves:  # d x/d x on every slide would read as nonsense
            raise CommandError(f"--name {args.name}: already a variable of the expression")
        root.label = args.name
    elif not root.label:
        # A short name reads better on every slide: df/dw rather than d(tanh(w*x + b))/dw.
        root.label = next((name for name in DEFAULT_NAMES if name not in leaves), "value")

    try:
        written = write_slides(root, output, title=args.title or f"Backpropagation through "
                               f"{args.expression.strip()}", rankdir=args.rankdir,
                               max_steps=args.max_steps,
                               handout=getattr(args, "handout", False))
    except ValueError as error:
        # The library's advice names its keyword; on the command line it is a flag.
        message = str(error).removeprefix("write_slides: ").replace(
            "a larger max_steps", "a larger --max-steps").replace("max_steps=", "--max-steps ")
        raise CommandError(message) from None
    except RenderError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(f"wrote {written}")
    warn_if_not_finite(reverse_topological_order(root), args.expression, args.set)
    return 0
