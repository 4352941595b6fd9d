"""An interactive console with Value, nn, explain, backward_steps and drawing ready.

    autograd-tiny repl            # at a terminal: prompts, tab completion, rich output
    autograd-tiny repl < lesson.py  # piped: results only; exit status 1 if a line failed
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``repl`` subcommand's flags.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--quiet"]).banner
    False
    """
    parser.add_argument("--quiet", "-q", dest="banner", action="store_false",
                        help="start without the banner")


def run(args: argparse.Namespace) -> int:
    """Runs the console on standard input until it ends."""
    from .console import interact

    return interact(banner=args.banner)
