"""An interactive console for learning backpropagation: ``autograd-tiny repl``.

``Value``, the functions (``exp``, ``tanh``, ...), ``grad``, ``no_grad``, ``nn``,
``explain``, ``backward_steps`` and the drawing helpers are already imported, and
results are printed by ``rich`` (explanations and steps as tables). Standard input
may be a pipe: then no prompts or banner are printed, only results, so a session
can be scripted and tested.

>>> import io
>>> out = io.StringIO()
>>> interact(io.StringIO("x = Value(3.0, label='x')\\ny = x * x\\ny.backward()\\nx.grad\\n"), out)
0
>>> out.getvalue()
'6.0\\n'
"""

from __future__ import annotations

import builtins
import code
import contextlib
import os
import sys
from typing import Any, Callable, TextIO

BANNER = """autograd_tiny REPL: Value, grad, no_grad, the functions (exp, tanh, ...), nn,
explain, backward_steps, steps_table, draw_dot, render, write_slides and show_backward
are imported.
Try:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b; c.label = "c"
    L = c + a; L.label = "L"
    explain(L, a)
    for step in backward_steps(L): step
See a graph: a terminal shows no pictures, so write one and open it:
    render(L, "L.svg")            the graph as a picture (open L.svg in a browser)
    write_slides(L, "L.html")     backward step by step, as slides in a browser
(draw_dot(L) is the graph's Graphviz source; in Jupyter it draws itself.)
Ctrl-D leaves."""

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _engine_file(filename: str) -> bool:
    """A file of this package, or the source of an op it generated."""
    return filename.startswith("<autograd_tiny ") or os.path.abspath(filename).startswith(
        _PACKAGE + os.sep)


def namespace() -> dict[str, Any]:
    """What the console starts with.

    >>> names = namespace()
    >>> all(name in names for name in ("Value", "tanh", "explain", "backward_steps",
    ...                                "write_slides", "show_backward", "render"))
    True
    """
    import autograd_tiny

    from ..teach.notation import formula

    # Everything the package exports (Value, grad, nn, explain, draw_dot, write_slides,
    # show_backward, ...), plus a teaching helper it keeps out of its top level.
    names: dict[str, Any] = {"__name__": "__console__", "__doc__": None,
                             "autograd_tiny": autograd_tiny}
    names.update((name, getattr(autograd_tiny, name)) for name in autograd_tiny.__all__)
    names.update(formula=formula)
    return names


class TeachingConsole(code.InteractiveConsole):
    """``code.InteractiveConsole`` reading from any stream, printing results with
    ``rich``, and remembering whether any input failed."""

    def __init__(self, names: dict[str, Any], stdin: TextIO, stderr: TextIO) -> None:
        super().__init__(names, filename="<console>")
        self.stdin = stdin
        self.stderr = stderr
        self.interactive = _is_terminal(stdin)
        self.failed = False
        self.exit_status: int | None = None  # set by exit(n) or sys.exit(n)

    def raw_input(self, prompt: str = "") -> str:
        if self.interactive:
            return input(prompt)
        line = self.stdin.readline()
        if not line:
            if self.buffer:  # a block still open at the end of the input: finish it
                return ""
            raise EOFError
        return line.rstrip("\r\n")

    def write(self, data: str) -> None:
        self.stderr.write(data)

    def showtraceback(self) -> None:
        """Python's traceback, less the engine's own frames below the student's last
        line: ``Value(1.0) * "2"`` shows the line typed and the TypeError naming the
        op, not the generated operator and the checks it went through. An error
        raised in the student's own code called from the engine (a ``_backward``)
        keeps every frame down to it."""
        self.failed = True
        _, _, trace = sys.exc_info()
        last_own = None
        while trace is not None:
            if not _engine_file(trace.tb_frame.f_code.co_filename):
                last_own = trace
            trace = trace.tb_next
        if last_own is not None:
            last_own.tb_next = None
        super().showtraceback()

    def showsyntaxerror(self, filename: str | None = None, **kwargs: Any) -> None:
        self.failed = True
        super().showsyntaxerror(filename, **kwargs)

    def loop(self) -> None:
        """Reads and runs input until it ends (Ctrl-D, ``exit()`` or end of the pipe)."""
        more = False
        while True:
            prompt = "... " if more else ">>> "
            try:
                line = self.raw_input(prompt)
            except EOFError:
                if self.interactive:
                    print()
                return
            except KeyboardInterrupt:
                self.write("\nKeyboardInterrupt\n")
                self.resetbuffer()
                more = False
                continue
            try:
                more = self.push(line)
            except SystemExit as leaving:
                self.exit_status = _exit_status(leaving.code, self.stderr)
                return


def interact(stdin: TextIO | None = None, stdout: TextIO | None = None,
             stderr: TextIO | None = None, banner: bool = True) -> int:
    r"""Runs the console until its input ends. Exit status 0, or 1 when input that
    was not typed at a terminal (a pipe, a file) raised an error.

    >>> import io
    >>> out, err = io.StringIO(), io.StringIO()
    >>> interact(io.StringIO("1/0\n"), out, err), err.getvalue().splitlines()[-1]
    (1, 'ZeroDivisionError: division by zero')
    """
    from rich.console import Console

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    console = Console(file=stdout)
    teaching = TeachingConsole(namespace(), stdin, stderr)
    if teaching.interactive:
        _enable_completion(teaching.locals)
        if banner:
            console.print(BANNER, highlight=False)
    saved_hook = sys.displayhook
    sys.displayhook = _rich_displayhook(console)
    try:
        with contextlib.redirect_stdout(stdout):
            teaching.loop()
    finally:
        sys.displayhook = saved_hook
    if teaching.exit_status is not None:  # exit(n) or sys.exit(n): n, as Python gives
        return teaching.exit_status
    return 1 if teaching.failed and not teaching.interactive else 0


def _exit_status(code: object, stderr: TextIO) -> int:
    """The status ``sys.exit(code)`` gives a process: 0 for None, the number itself,
    or 1 after printing any other value (a message).

    >>> import io
    >>> _exit_status(None, io.StringIO()), _exit_status(3, io.StringIO())
    (0, 3)
    """
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)
    return 1


def _rich_displayhook(console: Any) -> Callable[[Any], None]:
    """Prints results as the plain REPL would, but through ``rich``: objects with
    ``__rich__`` as tables, everything else pretty-printed."""
    from rich.pretty import Pretty

    from ..teach.notation import partials_or_d

    def display(value: Any) -> None:
        if value is None:
            return
        builtins._ = None  # type: ignore[attr-defined]  # as sys.__displayhook__ does
        with partials_or_d(console):  # ∂ written d where the terminal has no ∂
            if hasattr(value, "__rich__") or hasattr(value, "__rich_console__"):
                console.print(value)
            else:
                console.print(Pretty(value))
        builtins._ = value  # type: ignore[attr-defined]

    return display


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _enable_completion(names: dict[str, Any]) -> None:
    """Tab completes names in the console, where ``readline`` exists."""
    try:
        import readline
        import rlcompleter
    except ImportError:  # Windows without pyreadline
        return
    readline.set_completer(rlcompleter.Completer(names).complete)
    readline.parse_and_bind("tab: complete")
