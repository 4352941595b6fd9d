"""Draw an expression's computation graph, with gradients and local derivatives.

    autograd-tiny graph "tanh(w1*x1 + w2*x2 + b)" \\
        --set x1=2 x2=0 w1=-3 w2=1 b=6.88 --output neuron.svg --highlight w1

The expression is parsed against an allow-list (see ``autograd_tiny.expr``), never
``eval``ed; backward runs from its value so every node shows its gradient.
"""

from __future__ import annotations

import argparse

from . import CommandError
from .arguments import (expression, nothing_written_on_failure, output_path,
                        warn_if_not_finite, whole_number)
from ..core.engine import reverse_topological_order
from ..draw.dot import DEFAULT_MAX_NODES, FORMATS, RenderError, render
from ..draw.renderer import find_renderer, missing_renderer_message


# What each --output suffix is, for --help. Built from draw.dot.FORMATS (what the
# "unknown format" error lists), so help and error cannot drift apart again.
_NOTES = {".pdf": "system Graphviz only", ".gv": "Graphviz source, as .dot",
          ".tex": "a LaTeX document with a TikZ picture", ".tikz": "the bare TikZ picture"}
_FORMATS_HELP = ", ".join(f"{suffix} ({_NOTES[suffix]})" if suffix in _NOTES else suffix
                          for suffix in FORMATS)


# How to use a .tikz file is not obvious from its suffix, and the answer (where to put
# it, what it needs, how big it comes out) is the same for every graph: say it in --help.
_TIKZ_HELP = r"""LaTeX: --output graph.tex writes a document that compiles on its own
(pdflatex graph.tex); --output graph.tikz writes the picture alone, to \input
where it goes, with \usepackage{tikz} in the preamble:

  \begin{frame}{A neuron} \input{graph.tikz} \end{frame}      (Beamer)
  \begin{center} \input{graph.tikz} \end{center}             (an article)

The picture shrinks itself (never grows) to the line width and to 0.85 of the
text height, and writes the scale it used to the LaTeX log. For other limits,
define \autogradtinymaxwidth or \autogradtinymaxheight before the \input, e.g.
\newcommand\autogradtinymaxwidth{8cm}. A long expression comes out larger on
a slide top to bottom (--rankdir TB)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``graph`` subcommand's flags.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["x*y", "--set", "x=2", "y=3", "--output", "g.svg"])
    >>> args.set, args.rankdir, args.grad
    (['x=2', 'y=3'], 'LR', True)
    >>> print(parser.epilog.splitlines()[4].strip())
    \\begin{frame}{A neuron} \\input{graph.tikz} \\end{frame}      (Beamer)
    """
    parser.epilog = _TIKZ_HELP
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the LaTeX lines
    parser.add_argument("expression", metavar="EXPR",
                        help='the expression, e.g. "tanh(w*x + b)" or "-a*b"; one '
                             'that begins like a flag (-o..., -h...) goes last, after --')
    parser.add_argument("--set", metavar="NAME=VALUE", nargs="+", action="extend",
                        default=[], help="a value for each variable, e.g. --set x=2 w=-3")
    parser.add_argument("--output", "-o", metavar="FILE", required=True,
                        help=f"where to draw, the format from the suffix: {_FORMATS_HELP}")
    parser.add_argument("--highlight", metavar="NAME",
                        help="draw in colour the routes the gradient takes to this variable")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                        help="layout direction: left to right (default) or top to bottom")
    parser.add_argument("--no-grad", dest="grad", action="store_false",
                        help="leave the gradients out of the nodes")
    parser.add_argument("--no-local", dest="local", action="store_false",
                        help="leave the local derivatives off the edges")
    parser.add_argument("--max-nodes", metavar="N", type=whole_number(1),
                        default=DEFAULT_MAX_NODES,
                        help=f"draw at most N values, those nearest the output "
                             f"(default {DEFAULT_MAX_NODES})")


def run(args: argparse.Namespace) -> int:
    """Builds the expression, runs backward, draws it; one line on stdout says where.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = pathlib.Path(folder) / "g.dot"
    ...     args = argparse.Namespace(expression="x*y", set=["x=2", "y=3"], output=str(out),
    ...                               highlight="x", rankdir="LR", grad=True, local=True,
    ...                               max_nodes=400)
    ...     status = run(args)  # doctest: +ELLIPSIS
    ...     status, "grad 3.0000" in out.read_text()
    wrote .../g.dot (3 values)
    (0, True)
    """
    output = output_path(args.output, FORMATS, "a graph")
    root, leaves = expression(args.expression, args.set)
    highlight = None
    if args.highlight is not None:
        if args.highlight not in leaves:
            known = ", ".join(leaves) or "none"
            raise CommandError(f"--highlight {args.highlight}: not a variable of the "
                               f"expression (variables: {known})")
        highlight = leaves[args.highlight]
    if FORMATS[output.suffix.lower()] != "dot" and find_renderer() is None:
        # render() would leave the graph's source in a .dot file: a failing command
        # writes nothing, so say how to get a renderer or the source instead.
        raise CommandError(f"{missing_renderer_message()}; or write the graph's source "
                           f"with --output {output.with_suffix('.dot')}")

    root.backward()
    try:
        with nothing_written_on_failure([output, output.with_suffix(".dot")]):
            written = render(root, output, rankdir=args.rankdir, show_grad=args.grad,
                             show_local=args.local, highlight=highlight,
                             max_nodes=args.max_nodes)
    except RenderError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror or error}") from None
    nodes = reverse_topological_order(root)
    total = len(nodes)
    drawn = f"{args.max_nodes:,} of {total:,}" if total > args.max_nodes else f"{total}"
    print(f"wrote {written} ({drawn} value{'s' if total != 1 else ''})")
    warn_if_not_finite(nodes, args.expression, args.set)
    return 0
