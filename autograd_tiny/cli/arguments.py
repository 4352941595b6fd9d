"""What the subcommands share: checking an output path, building the expression,
and whole-number flags. Each turns a user's mistake into a one-line ``CommandError``.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import CommandError
from ..core.engine import Value
from ..core.modes import AnomalyError, detect_anomaly
from ..core.files import write_atomically
from .expr import ExpressionError, build, parse_settings


def output_path(text: str, suffixes: Iterable[str], kind: str, flag: str = "--output") -> Path:
    """``--output`` (or ``flag``) as a path, refused before any work if the suffix or
    folder is wrong.

    >>> output_path("x.txt", [".svg"], "a graph")
    Traceback (most recent call last):
    ...
    autograd_tiny.cli.CommandError: --output x.txt: unknown format '.txt' for a graph (use .svg)
    >>> output_path("pictures/", [".svg"], "a graph")
    Traceback (most recent call last):
    ...
    autograd_tiny.cli.CommandError: --output pictures/: a folder, not a file; add a file name, e.g. pictures/graph.svg
    """
    path = Path(text)
    allowed = list(suffixes)
    # A folder has no suffix, so the format check below would call it "unknown format
    # '(none)'": say what is really wrong. A trailing separator means a folder even
    # when it does not exist yet; an existing folder is one whatever its name.
    if text.endswith(tuple(filter(None, (os.sep, os.altsep, "/")))) or path.is_dir():
        example = path / f"{kind.split()[-1]}{allowed[0]}"
        raise CommandError(f"{flag} {text}: a folder, not a file; add a file name, "
                           f"e.g. {example}")
    if path.suffix.lower() not in allowed:
        raise CommandError(f"{flag} {text}: unknown format {path.suffix or '(none)'!r} "
                           f"for {kind} (use {', '.join(allowed)})")
    if not path.parent.is_dir():
        raise CommandError(f"{flag} {text}: no such directory {str(path.parent)!r}")
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


def first_anomaly(text: str, settings: list[str] | None) -> str | None:
    """Which op first turned finite values into ``nan`` or ``inf`` (in its value or a
    local derivative) when ``EXPR`` is built, as ``detect_anomaly()`` words it; None
    if none did. A picture full of nan is still a picture, so callers warn and go on.

    The expression is built again inside ``detect_anomaly()`` rather than checked on
    the first build: the anomaly check stops at the first bad op, and the picture
    needs the whole graph.

    >>> first_anomaly("a**b", ["a=-1", "b=0.5"])
    'a ** b turned finite inputs into nan: a = -1.0, b = 0.5'
    >>> first_anomaly("a*b", ["a=2", "b=3"]) is None
    True
    """
    with detect_anomaly():
        try:
            expression(text, settings)
        except AnomalyError as anomaly:
            return str(anomaly)
    return None


def warn_if_not_finite(nodes: Iterable[Value], text: str, settings: list[str] | None) -> None:
    """One warning line on stderr when a value, gradient or local derivative of
    ``nodes`` (the graph ``EXPR`` built) is nan or inf, naming the op that made it.

    A nan or inf drawn with no word of where it came from leaves the student
    guessing; the exit status stays 0 because the picture is what was asked for. Only
    then is the expression built a second time, to find the op to blame.

    >>> import contextlib, io
    >>> root, _ = expression("log(a)", ["a=0"])
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     warn_if_not_finite([root], "log(a)", ["a=0"])
    >>> err.getvalue()
    'autograd-tiny: warning: log turned a finite input into -inf: log(a) with a = 0.0\\n'
    """
    if all(math.isfinite(x) for node in nodes
           for x in (node.data, node.grad, *(d for _, d in node.local_derivatives()))):
        return
    anomaly = first_anomaly(text, settings)
    if anomaly is not None:
        print(f"autograd-tiny: warning: {anomaly}", file=sys.stderr)


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


@contextlib.contextmanager
def nothing_written_on_failure(files: Iterable[Path], folder: Path | None = None
                               ) -> Iterator[None]:
    """Runs the block; if it raises, puts ``files`` back as they were before it (the
    old bytes, or no file) and removes the folders it created on the way to
    ``folder``: a failing command leaves the disk as it found it.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     notes = Path(tmp) / "notes.dot"
    ...     _ = notes.write_text("mine")
    ...     try:
    ...         with nothing_written_on_failure([notes, Path(tmp) / "new.svg"]):
    ...             _ = notes.write_text("overwritten")
    ...             _ = (Path(tmp) / "new.svg").write_text("half")
    ...             raise CommandError("the renderer failed")
    ...     except CommandError:
    ...         pass
    ...     notes.read_text(), sorted(p.name for p in Path(tmp).iterdir())
    ('mine', ['notes.dot'])
    """
    saved: dict[Path, bytes | None] = {}
    for path in files:
        try:
            saved[path] = path.read_bytes()
        except FileNotFoundError:
            saved[path] = None
        except OSError:
            pass  # a folder or unreadable: nothing we could write there either
    created: list[Path] = []  # the folders that do not exist yet, innermost first
    if folder is not None:
        for candidate in [folder, *folder.parents]:
            if candidate.exists() or candidate.is_symlink():
                break
            created.append(candidate)
    try:
        yield
    except BaseException:
        for path, data in saved.items():
            with contextlib.suppress(OSError):
                if data is None:
                    if path.is_file() or path.is_symlink():
                        path.unlink()
                elif not path.is_file() or path.read_bytes() != data:
                    write_atomically(path, data)
        for made in created:
            with contextlib.suppress(OSError):
                os.rmdir(made)  # only if empty: never a file the user put there
        raise
