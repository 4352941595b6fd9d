"""Finding and running a Graphviz renderer: DOT source in, SVG or PNG bytes out.

A system Graphviz ``dot`` is preferred where one is installed; otherwise the static
``graphviz-pure`` binary that ``pip install autograd-tiny`` brings along (it is not
named ``dot``, which is why the ``graphviz`` package cannot find it by itself). The
environment variable ``AUTOGRAD_TINY_DOT`` overrides the search: a path to a binary,
or an empty value for "no renderer" (how the tests exercise the ``.dot`` fallback).

>>> binary = find_renderer()
>>> binary is None or b"<svg" in run_renderer("digraph { a -> b }", "svg", binary)
True
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path
from typing import Any

from .style import halo_edge_labels

ENVIRONMENT_VARIABLE = "AUTOGRAD_TINY_DOT"
# Generous: 2,000 nodes take a few seconds; a minute means something is wrong.
TIMEOUT_SECONDS = 120.0
HOW_TO_GET_ONE = ("get one with `pip install graphviz-pure` or install Graphviz "
                  "(https://graphviz.org/download/)")


class RenderError(RuntimeError):
    """The renderer could not draw the graph (a format it lacks, a crash, a timeout).

    >>> issubclass(RenderError, RuntimeError)
    True
    """


class RendererNotFound(RenderError):
    """No Graphviz renderer on this machine; the message says how to get one.

    >>> issubclass(RendererNotFound, RenderError)
    True
    """


def find_renderer() -> str | None:
    """The path of a Graphviz renderer binary, or None when there is none.

    Looks, in order, at ``$AUTOGRAD_TINY_DOT`` (if set, it alone decides), a system
    ``dot`` on PATH, and ``graphviz-pure`` next to the running Python (a virtual
    environment's ``bin`` need not be on PATH) or on PATH.

    >>> binary = find_renderer()
    >>> binary is None or os.access(binary, os.X_OK)
    True
    """
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override is not None:
        return override if override and _is_executable(override) else None
    found = shutil.which("dot")
    if found:
        return found
    for folder in _script_folders():
        found = shutil.which("graphviz-pure", path=folder)
        if found:
            return found
    return shutil.which("graphviz-pure")


def renderer_name(binary: str) -> str:
    """A short name for error messages: ``'dot'``, ``'graphviz-pure'``.

    >>> renderer_name("/usr/local/bin/dot")
    'dot'
    """
    return Path(binary).stem


def missing_renderer_message() -> str:
    """Why no renderer was found, and how to get one.

    >>> "pip install graphviz-pure" in missing_renderer_message()
    True
    """
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override:
        return (f"${ENVIRONMENT_VARIABLE} is {override!r}, which is not an executable "
                f"Graphviz renderer; unset it or point it at one, or {HOW_TO_GET_ONE}")
    if override is not None:
        return f"no Graphviz renderer (${ENVIRONMENT_VARIABLE} is empty); {HOW_TO_GET_ONE}"
    return f"no Graphviz renderer found (no `dot`, no `graphviz-pure`); {HOW_TO_GET_ONE}"


@lru_cache(maxsize=8)
def supported_formats(binary: str) -> frozenset[str]:
    """The output formats a renderer knows, as it lists them for ``-T?``.

    Both Graphviz and graphviz-pure answer an unknown format with "Use one of: ...";
    entries like ``pdf:cairo`` name a format and the plugin that writes it.

    >>> binary = find_renderer()
    >>> binary is None or "svg" in supported_formats(binary)
    True
    """
    try:
        answer = subprocess.run([binary, "-T?"], input=b"", capture_output=True,
                                timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    text = answer.stderr.decode(errors="replace") + answer.stdout.decode(errors="replace")
    _, _, listed = text.partition("Use one of:")
    return frozenset(entry.split(":")[0] for entry in listed.split())


def run_renderer(source: str, fmt: str, binary: str | None = None) -> bytes:
    """``source`` (DOT text) laid out and drawn as ``fmt`` (``'svg'``, ``'png'``, ...).

    >>> binary = find_renderer()
    >>> binary is None or run_renderer("digraph { a -> b }", "svg").startswith(b"<?xml")
    True
    """
    binary = binary or find_renderer()
    if binary is None:
        raise RendererNotFound(missing_renderer_message())
    name = renderer_name(binary)
    formats = supported_formats(binary)
    if formats and fmt not in formats:
        raise RenderError(f"the renderer {name} ({binary}) cannot write {fmt} "
                          f"(it writes {', '.join(sorted(formats & _COMMON) or formats)}); "
                          f"install Graphviz (https://graphviz.org/download/) for {fmt}")
    try:
        result = subprocess.run([binary, f"-T{fmt}"], input=source.encode(),
                                capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{name} took longer than {TIMEOUT_SECONDS:g} s; "
                          f"draw fewer nodes (max_nodes=...)") from None
    except OSError as error:
        raise RenderError(f"could not run {name} ({binary}): {error.strerror}") from None
    if result.returncode < 0:  # killed by a signal: its stderr may say nothing useful
        detail = error_line(result.stderr.decode(errors="replace"))
        useful = "" if detail == "no output" or _NOISE.search(detail) else f": {detail}"
        raise RenderError(f"{name} was killed by {_signal_name(-result.returncode)}{useful}")
    if result.returncode != 0 or not result.stdout:
        raise RenderError(f"{name} failed (exit {result.returncode}): "
                          f"{error_line(result.stderr.decode(errors='replace'))}")
    if fmt.split(":")[0] == "svg":  # every SVG (svg:cairo too): edge labels readable over lines
        return halo_edge_labels(result.stdout.decode("utf-8")).encode("utf-8")
    return result.stdout


def error_line(stderr: str) -> str:
    """The one line of a renderer's stderr that says what went wrong.

    Graphviz and the libraries it loads print warnings first (a missing font, a
    fontconfig cache), then the error: the line that names an error wins, then the
    first line that is not a warning, then the first line.

    >>> error_line("Fontconfig warning: no fonts found\\nError: syntax error in line 1\\n")
    'Error: syntax error in line 1'
    >>> error_line("Warning: Arial not found\\nsegmentation fault\\n")
    'segmentation fault'
    >>> error_line("")
    'no output'
    """
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "no output"
    for line in lines:
        if _ERROR.search(line) and not _NOISE.search(line):
            return line
    for line in lines:
        if not _NOISE.search(line):
            return line
    return lines[0]


# "Error: ...", "dot: error: ...", "(dot:123): Pango-CRITICAL **: ...".
_ERROR = re.compile(r"\b(error|critical|fatal|failed|cannot|can't|unable)\b", re.IGNORECASE)
# Warnings say so; fontconfig complains about its cache or config ("Fontconfig error:
# Cannot load default config file") on machines that draw perfectly well.
_NOISE = re.compile(r"warn(ing)?\b|^fontconfig\b", re.IGNORECASE)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def to_svg(digraph: Any, binary: str | None = None) -> str:
    """The SVG text of a ``graphviz.Digraph`` (or anything with a ``.source``), drawn
    by ``binary``, or by the renderer ``find_renderer()`` finds.

    >>> import graphviz
    >>> graph = graphviz.Digraph()
    >>> graph.edge("a", "b")
    >>> find_renderer() is None or "</svg>" in to_svg(graph)
    True
    """
    source = getattr(digraph, "source", None)
    if not isinstance(source, str):
        raise TypeError(f"to_svg: expected a graphviz.Digraph, got {type(digraph).__name__}")
    return run_renderer(source, "svg", binary).decode("utf-8")


# The formats worth naming in an error message (the full lists are long).
_COMMON = frozenset({"svg", "png", "pdf", "jpg", "dot", "json", "plain"})


def _script_folders() -> list[str]:
    """Where pip puts console scripts for the running Python: next to the interpreter
    (a virtual environment) and the install scheme's scripts folder."""
    folders = [str(Path(sys.executable).parent), sysconfig.get_path("scripts")]
    return list(dict.fromkeys(folder for folder in folders if folder))


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)
