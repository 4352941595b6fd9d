"""The ``autograd-tiny`` command line: one subcommand per module in this folder.

Every failure a user can cause (a bad flag, a bad expression, a missing file) is one
line on stderr and exit status 2: no traceback.

>>> main(["graph", "x *", "--set", "x=1", "--output", "never.svg"])
2
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn, Sequence

# subcommand -> module in autograd_tiny.cli; each module has a one-line
# docstring, add_arguments(parser) and run(args) -> exit status.
COMMANDS = {
    "demo": "demo",
    "graph": "graph",
    "slides": "slides",
    "repl": "repl",
    "network": "network",
    "quiz": "quiz",
    "exercises": "exercises",
}


class CommandError(Exception):
    """A mistake in what the user asked for; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse prints usage; one line is enough
        raise CommandError(message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered.

    >>> sorted(build_parser()._subparsers._group_actions[0].choices)
    ['demo', 'exercises', 'graph', 'network', 'quiz', 'repl', 'slides']
    """
    parser = _Parser(prog="autograd-tiny",
                     description="Scalar autodiff for learning and teaching backpropagation.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"autograd_tiny.cli.{module_name}")
        summary = " ".join((module.__doc__ or "").strip().split("\n\n")[0].split())
        command = sub.add_parser(name, help=summary, description=summary)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    >>> main(["graph", "x", "--set", "x=oops", "--output", "x.svg"])
    2
    """
    try:
        arguments = list(sys.argv[1:] if argv is None else argv)
        _check_arguments(arguments)
        args = build_parser().parse_args(arguments)
        return int(args.run(args) or 0)
    except CommandError as error:
        print(f"autograd-tiny: error: {_one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograd-tiny: interrupted", file=sys.stderr)
        return 130


def _one_line(message: str) -> str:
    r"""An error message on one line: a newline or other control character that came
    from the user's arguments (argparse quotes them) is written as its escape.

    >>> print(_one_line("unrecognized arguments: a\nb"))
    unrecognized arguments: a\nb
    """
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in message)


def _check_arguments(arguments: list[str]) -> None:
    """Every argument must be text: a byte that is not UTF-8 (or a NUL, possible
    only in-process) is refused before anything reads it, and never printed raw."""
    from .expr import ExpressionError, check_text, printable, shown

    for item in arguments:
        if not isinstance(item, str):
            raise TypeError(f"main: arguments must be str, got {type(item).__name__}")
        try:
            check_text(item, f"the argument '{shown(printable(item))}'")
        except ExpressionError as error:
            raise CommandError(str(error)) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
