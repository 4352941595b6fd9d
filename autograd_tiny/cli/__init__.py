"""The ``autograd-tiny`` command line: one subcommand per module in this folder.

Every failure a user can cause (a bad flag, a bad expression, a missing file) is one
line on stderr and exit status 2: no traceback.

>>> main(["graph", "x *", "--set", "x=1", "--output", "never.svg"])
2
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
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
        parser = build_parser()
        try:
            args = parser.parse_args(arguments)
        except CommandError as error:
            # Read again only when argparse found no expression, so nothing that
            # parsed before, and no other mistake, means something else now.
            moved = expression_last(arguments, parser)
            if moved == arguments or "EXPR" not in str(error):
                raise CommandError(_with_hint(str(error), arguments, parser)) from None
            args = parser.parse_args(moved)  # its error: what is wrong besides EXPR
        return int(args.run(args) or 0)
    except CommandError as error:
        print(f"autograd-tiny: error: {_one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograd-tiny: interrupted", file=sys.stderr)
        return 130


# What argparse itself reads as a positional although it starts with '-': a negative
# number, or anything with a space in it.
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")


def expression_last(arguments: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``arguments`` with an expression that starts with a minus moved after ``--``,
    where argparse reads it as the expression and not as an unknown option.

    argparse takes ``"-a*b"`` for a flag and then says the expression is missing;
    an argument that starts with '-' but is none of the subcommand's flags can only
    be meant as the expression. Only subcommands that take an expression are changed,
    and only when the user has not written ``--`` themselves.

    >>> expression_last(["graph", "-a*b", "--set", "a=1", "b=2", "-o", "m.svg"], build_parser())
    ['graph', '--set', 'a=1', 'b=2', '-o', 'm.svg', '--', '-a*b']
    >>> expression_last(["graph", "-x", "-o", "m.svg", "--", "-y"], build_parser())
    ['graph', '-x', '-o', 'm.svg', '--', '-y']
    """
    command = _command_parser(arguments, parser)
    if command is None or "--" in arguments:
        return arguments
    flags = _flags(command)
    for index, argument in enumerate(arguments[1:], start=1):
        if _meant_as_expression(argument, flags):
            return [*arguments[:index], *arguments[index + 1:], "--", argument]
    return arguments


def _command_parser(arguments: list[str], parser: argparse.ArgumentParser,
                    expression: bool = True) -> argparse.ArgumentParser | None:
    """The subcommand's parser, if ``arguments`` name a subcommand (one that takes
    EXPR, unless ``expression`` is False)."""
    if not arguments:
        return None
    for action in parser._actions:  # argparse keeps subcommands in a private table
        if isinstance(action, argparse._SubParsersAction):
            command = action.choices.get(arguments[0])
            if command is not None and (not expression or any(
                    a.dest == "expression" for a in command._actions)):
                return command
    return None


def _flags(command: argparse.ArgumentParser) -> set[str]:
    return {flag for action in command._actions for flag in action.option_strings}


def _meant_as_expression(argument: str, flags: set[str]) -> bool:
    """Starts with '-', argparse would take it for a flag, and it is none of ours
    (nor, for a long one, an abbreviation argparse would accept)."""
    if not argument.startswith("-") or argument in ("-", "--"):
        return False
    if " " in argument or _NEGATIVE_NUMBER.match(argument):
        return False  # argparse already reads it as the expression
    if argument.startswith("--"):
        name = argument.split("=", 1)[0]
        return not any(flag.startswith(name) for flag in flags if flag.startswith("--"))
    return argument[:2] not in flags  # '-ofile' is -o with the value 'file'


def _with_hint(message: str, arguments: list[str], parser: argparse.ArgumentParser) -> str:
    """argparse's message, and when the expression is "missing" because it began like
    one of our flags ('-o*x' reads as -o with the value '*x', '-h*x' as -h), how to
    write it."""
    command = _command_parser(arguments, parser, expression=False)
    if command is None:
        return message
    flags = _flags(command)
    if "arguments are required" in message:
        # argparse reports a required option as missing before it looks at unknown
        # ones, so "--outptu x.svg" read as "--output is required": name the typo.
        for argument in arguments[1:]:
            name = argument.split("=", 1)[0]
            if name.startswith("--") and len(name) > 2 and not any(
                    flag.startswith(name) for flag in flags):
                close = difflib.get_close_matches(name, sorted(flags), n=1)
                return (f"unrecognized argument {name}"
                        + (f" (did you mean {close[0]}?)" if close else "")
                        + f"; {message}")
    if "EXPR" not in message and "explicit argument" not in message \
            or _command_parser(arguments, parser) is None:
        return message
    for argument in arguments[1:]:
        if argument.startswith("-") and argument not in flags and argument != "--" \
                and "=" not in argument:
            return (f"{message} (an expression that starts with a minus goes last, after "
                    f"--: autograd-tiny {arguments[0]} ... -- \"{argument}\")")
    return message


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
