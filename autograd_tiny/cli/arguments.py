"""What the subcommands share: checking an output path, building the expression,
and whole-number flags. Each turns a user's mistake into a one-line ``CommandError``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable, Iterable

from . import CommandError
from ..core.engine import Value
from .expr import ExpressionError, build, parse_settings


def output_path(text: str, suffixes: Iterable[str], kind: str) -> Path:
    """``--output`` as a path, refused before any work if the suffix or folder is wrong.

    >>> output_path("x.txt", [".svg"], "a graph")
    Traceback (most recent call last):
    ...
    autograd_tiny.cli.CommandError: --output x.txt: unknown format '.txt' for a graph (use .svg)
    """
    path = Path(text)
    allowed = list(suffixes)
    if path.suffix.lower() not in allowed:
        raise CommandError(f"--output {text}: unknown format {path.suffix or '(none)'!r} "
                           f"for {kind} (use {', '.join(allowed)})")
    if not path.parent.is_dir():
        raise CommandError(f"--output {text}: no such directory {str(path.parent)!r}")
    return path


def expression(text: str, settings: list[str] | None) -> tuple[Value, dict[str, Value]]:
    """The graph of ``EXPR`` with its ``--set NAME=VALUE`` values, and its leaves.

    >>> root, leaves = expression("a*b", ["a=2", "b=3"])
    >>> root.data, sorted(leaves)
    (6.0, ['a', 'b'])
    """
    try:
        return build(text, parse_settings(settings or []))
    except ExpressionError as error:
        raise CommandError(str(error)) from None


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse ``type=`` for whole numbers of at least ``minimum``.

    >>> whole_number(1)("5")
    5
    """
    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {number}")
        return number

    return parse
