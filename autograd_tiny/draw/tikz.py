"""Graphs as TikZ pictures, for Beamer slides and exam papers.

Graphviz lays the graph out and reports every stroke it would draw (its ``-Tjson``
output carries the xdot drawing operations: polygons, ellipses, Bézier edges, arrow
heads, text with its font, size and colour); this module writes each stroke as one
TikZ command. So the picture has the same content and the same positions as the SVG
(values, gradients, local derivatives on edges, highlighted routes, the legend) and
no coordinate is placed by hand. One Graphviz point is one TeX ``bp``.

>>> from autograd_tiny import Value
>>> from autograd_tiny.draw.renderer import find_renderer
>>> x = Value(2.0, label="x"); y = x * 3; y.backward()
>>> find_renderer() is None or "data 2.0000" in tikz_picture(y)
True
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable

from ..core.engine import Value
from ..core.files import write_atomically
from .renderer import RendererNotFound, find_renderer, missing_renderer_message, run_renderer

__all__ = ["tikz_picture", "tikz_document", "dot_to_tikz", "dot_to_tikz_parts", "write_tikz",
           "tikz_escape"]

# The drawing operations of each object, in the order Graphviz paints them.
_DRAW_KEYS = ("_draw_", "_ldraw_", "_hdraw_", "_tdraw_", "_hldraw_", "_tldraw_")
_NAMED = {"black": "000000", "white": "FFFFFF", "red": "FF0000", "green": "00FF00",
          "blue": "0000FF", "gray": "C0C0C0", "grey": "C0C0C0", "none": None,
          "transparent": None}
# Written for LaTeX's default (OT1) fonts, which need no extra font package:
# < > | \ come from math mode there.
_SPECIAL = {"\\": r"$\backslash$", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
            "#": r"\#", "^": r"\^{}", "_": r"\_", "~": r"\~{}",
            "%": r"\%", "<": r"$<$", ">": r"$>$", "|": r"$|$",
            # the symbols the pictures print, which pdflatex's text fonts lack
            "∂": r"$\partial$", "δ": r"$\delta$", "…": r"\ldots{}", "·": r"$\cdot$",
            "×": r"$\times$", "→": r"$\to$", "≈": r"$\approx$", "Σ": r"$\Sigma$"}


def tikz_escape(text: str) -> str:
    """``text`` as LaTeX that prints exactly ``text`` (in a text font).

    >>> print(tikz_escape("L1.N1.w1 | grad_x #2 {a}"))
    L1.N1.w1 $|$ grad\\_x \\#2 \\{a\\}
    >>> print(tikz_escape("∂out/∂in, δ"))
    $\\partial$out/$\\partial$in, $\\delta$
    """
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def dot_to_tikz(source: str, binary: str | None = None, fit: bool = True) -> str:
    """A ``tikzpicture`` of any DOT source (a ``Digraph``'s ``.source``), laid out by
    the Graphviz renderer: works for op-level graphs and network pictures alike.

    With ``fit`` (the default) the picture shrinks itself, where it is ``\\input``, to
    ``\\linewidth`` when wider and to ``\\textheight`` when taller, and writes the
    scale it used to the LaTeX log; ``fit=False`` gives the bare picture at its own size.

    >>> find_renderer() is None or dot_to_tikz("digraph { a -> b }").count("ellipse") == 2
    True
    """
    if not isinstance(source, str):
        raise TypeError(f"dot_to_tikz: source must be a str, got {type(source).__name__}")
    layout = json.loads(run_renderer(source, "json", binary).decode("utf-8"))
    return _picture(layout, fit)


def tikz_picture(root: Value, fit: bool = True, **options: Any) -> str:
    """``root``'s graph, as :func:`~autograd_tiny.draw.dot.draw_dot` draws it (same
    options: ``highlight``, ``show_grad``, ...), as a ``tikzpicture`` to ``\\input``
    into a document that loads TikZ: in a Beamer frame or an article it shrinks itself
    to the line width (see :func:`dot_to_tikz`).

    >>> from autograd_tiny import Value
    >>> a = Value(-1.5, label="a_1")
    >>> picture = tikz_picture(a.tanh()) if find_renderer() else "\\\\begin{tikzpicture} a\\\\_1"
    >>> "\\\\begin{tikzpicture}" in picture, "a\\\\_1" in picture
    (True, True)
    """
    from .dot import draw_dot

    if not isinstance(root, Value):
        raise TypeError(f"tikz_picture: root must be a Value, got {type(root).__name__}")
    return dot_to_tikz(draw_dot(root, **options).source, fit=fit)


def tikz_document(root: Value, **options: Any) -> str:
    """A complete LaTeX document (``article``, TikZ, the page the picture's size) that
    compiles on its own with ``pdflatex``: what ``render(root, "graph.tex")`` writes.

    >>> from autograd_tiny import Value
    >>> find_renderer() is None or "\\\\end{document}" in tikz_document(Value(1.0) * 2)
    True
    """
    picture = tikz_picture(root, **options)
    return document(picture)


def document(picture: str, margin: float = 6.0) -> str:
    r"""``picture`` (a ``tikzpicture`` from this module) on a page of its own size.

    >>> page = document("% bounding box: 100.00 x 50.00 bp\n" + r"\begin{tikzpicture}\end{tikzpicture}")
    >>> print(page.splitlines()[1])
    \usepackage[paperwidth=112.00bp,paperheight=62.00bp,margin=6bp]{geometry}
    """
    match = re.search(r"% bounding box: ([\d.]+) x ([\d.]+) bp", picture)
    width, height = (float(match.group(1)), float(match.group(2))) if match else (400, 300)
    return "\n".join([
        r"\documentclass{article}",
        rf"\usepackage[paperwidth={width + 2 * margin:.2f}bp,"
        rf"paperheight={height + 2 * margin:.2f}bp,margin={margin:g}bp]{{geometry}}",
        r"\usepackage{graphicx}",
        r"\usepackage{tikz}",
        r"\pagestyle{empty}",
        # the page is the picture's size: let it take the whole text height
        r"\newcommand\autogradtinymaxheight{\textheight}",
        r"\begin{document}",
        r"\noindent",
        picture.rstrip(),
        r"\end{document}",
        "",
    ])


def write_tikz(root: Value, path: str | os.PathLike[str], fmt: str = "tex",
               **options: Any) -> Path:
    r"""Writes ``root``'s graph to ``path``: ``fmt='tex'`` a complete document,
    ``'tikz'`` the bare picture. Used by ``render(root, "graph.tex")``.

    >>> import tempfile, pathlib
    >>> from autograd_tiny import Value
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "g.tex"
    ...     find_renderer() is None or write_tikz(Value(2.0) * 3, path).read_text().startswith(
    ...         r"\documentclass{article}")
    True
    """
    if find_renderer() is None:
        raise RendererNotFound(f"render: {missing_renderer_message()}; TikZ output takes "
                               f"its positions from Graphviz's layout")
    picture = tikz_picture(root, **options)
    text = document(picture) if fmt == "tex" else picture
    path = Path(path)
    write_atomically(path, text.encode("utf-8"))
    return path


# -- from xdot operations to TikZ --------------------------------------------------------


class _Painter:
    """Graphviz's drawing state (pen, fill, font, line style) and the TikZ lines."""

    def __init__(self) -> None:
        self.colors: dict[str, str] = {}
        self.lines: list[str] = []
        self.reset()

    def reset(self) -> None:
        self.pen: str | None = "000000"
        self.fill: str | None = "000000"
        self.width = 1.0
        self.dashed = False
        self.font_size = 14.0
        self.bold = False

    def color(self, value: str) -> str | None:
        """A TikZ colour name for a Graphviz colour (None: transparent)."""
        text = value.strip().lower()
        if text.startswith("#"):
            digits = text[1:]
            if len(digits) == 8 and digits[6:] == "00":
                return None
            digits = digits[:6].upper()
        else:
            found = _NAMED.get(text, "000000")
            if found is None:
                return None
            digits = found
        return self.colors.setdefault(digits, f"gv{digits}")

    def style(self, fill: bool) -> str:
        parts = []
        if self.pen is None:
            parts.append("draw=none")
        else:
            parts.append(f"draw={self.color('#' + self.pen)}")
        if fill:
            parts.append(f"fill={self.color('#' + self.fill)}" if self.fill else "fill=none")
        if self.width != 1.0:
            parts.append(f"line width={self.width:g}bp")
        if self.dashed:
            parts.append("dashed")
        return ", ".join(parts)

    def run(self, ops: Iterable[dict[str, Any]]) -> None:
        for op in ops:
            kind = op.get("op")
            if kind == "c":
                self.pen = self._hex(op["color"])
            elif kind == "C":
                self.fill = self._hex(op["color"])
            elif kind == "S":
                self._set_style(op.get("style", ""))
            elif kind == "F":
                self.font_size = float(op.get("size", 14.0))
            elif kind == "t":
                self.bold = bool(int(op.get("fontchar", 0)) & 1)
            elif kind in ("p", "P", "L"):
                self._polygon(op["points"], closed=kind != "L", fill=kind == "P")
            elif kind in ("b", "B"):
                self._bezier(op["points"], fill=kind == "B")
            elif kind in ("e", "E"):
                self._ellipse(op["rect"], fill=kind == "E")
            elif kind == "T":
                self._text(op)

    def _hex(self, value: str) -> str | None:
        name = self.color(value)
        return name[2:] if name else None

    def _set_style(self, style: str) -> None:
        width = re.fullmatch(r"setlinewidth\(([\d.]+)\)", style)
        if width:
            self.width = float(width.group(1))
        elif style == "dashed":
            self.dashed = True
        elif style in ("solid", "filled", "rounded"):
            self.dashed = self.dashed and style != "solid"
        elif style == "bold":
            self.width = 2.0

    def _polygon(self, points: list[list[float]], closed: bool, fill: bool) -> None:
        if fill and self.fill is None and self.pen is None:
            return
        path = " -- ".join(_point(p) for p in points) + (" -- cycle" if closed else "")
        command = "filldraw" if fill and self.fill else "draw"
        if not fill or self.fill:
            self.lines.append(f"\\{command}[{self.style(fill and bool(self.fill))}] {path};")
        elif self.pen:
            self.lines.append(f"\\draw[{self.style(False)}] {path};")

    def _bezier(self, points: list[list[float]], fill: bool) -> None:
        if self.pen is None and not fill:
            return
        path = _point(points[0])
        for i in range(1, len(points) - 2, 3):
            path += (f" .. controls {_point(points[i])} and {_point(points[i + 1])} .. "
                     f"{_point(points[i + 2])}")
        command = "filldraw" if fill and self.fill else "draw"
        self.lines.append(f"\\{command}[{self.style(fill and bool(self.fill))}] {path};")

    def _ellipse(self, rect: list[float], fill: bool) -> None:
        x, y, rx, ry = rect
        if fill and self.fill is None and self.pen is None:
            return
        command = "filldraw" if fill and self.fill else "draw"
        self.lines.append(f"\\{command}[{self.style(fill and bool(self.fill))}] "
                          f"({x:.2f},{y:.2f}) ellipse [x radius={rx:.2f}, y radius={ry:.2f}];")

    def _text(self, op: dict[str, Any]) -> None:
        x, y = op["pt"]
        anchor = {"l": "base west", "r": "base east"}.get(op.get("align", "c"), "base")
        size = self.font_size
        color = self.color("#" + self.pen) if self.pen else self.color("#000000")
        text = tikz_escape(str(op.get("text", "")))
        if self.bold:
            text = r"\bfseries " + text
        # Graphviz fits the box to the text width it measured: ask LaTeX for that width
        # too (a sans-serif font close to Helvetica's), so long names stay in their box.
        width = float(op.get("width", 0.0))
        self.lines.append(
            f"\\node[anchor={anchor}, inner sep=0, text={color}, "
            f"font=\\fontsize{{{size:g}}}{{{size * 1.2:.1f}}}\\selectfont\\sffamily] "
            f"at ({x:.2f},{y:.2f}) {{{_fit(text, width)}}};")


def _fit(text: str, width: float) -> str:
    """Text no wider than Graphviz's measured ``width`` (scaled down if the TeX font
    runs wider; never scaled up)."""
    if width <= 0:
        return text
    return (rf"\setbox0\hbox{{{text}}}\ifdim\wd0>{width:.2f}bp"
            rf"\resizebox{{{width:.2f}bp}}{{!}}{{\box0}}\else\box0\fi")


def _point(p: list[float]) -> str:
    return f"({p[0]:.2f},{p[1]:.2f})"


def _paint(layout: dict[str, Any]) -> tuple[_Painter, tuple[float, float, float, float]]:
    """Every stroke of the layout as TikZ lines, and its bounding box (x0, y0, x1, y1)."""
    painter = _Painter()
    for obj in list(layout.get("objects", [])) + list(layout.get("edges", [])):
        for key in _DRAW_KEYS:
            if key in obj:
                painter.reset()
                painter.run(obj[key])
    x0, y0, x1, y1 = (float(v) for v in layout.get("bb", "0,0,0,0").split(","))
    return painter, (x0, y0, x1, y1)


def _colors(painter: _Painter) -> list[str]:
    return [f"\\definecolor{{{name}}}{{HTML}}{{{digits}}}"
            for digits, name in sorted(painter.colors.items())]


def _picture(layout: dict[str, Any], fit: bool = True) -> str:
    painter, (x0, y0, x1, y1) = _paint(layout)
    head = [f"% bounding box: {x1 - x0:.2f} x {y1 - y0:.2f} bp",
            "% drawn from Graphviz's layout (autograd_tiny.draw.tikz); needs \\usepackage{tikz}"]
    if fit:
        head += [_FIT_COMMENT, "\\begingroup", "\\setbox0=\\hbox{%"]
    head += ["\\begin{tikzpicture}[x=1bp, y=1bp]", *_colors(painter),
             f"\\useasboundingbox ({x0:.2f},{y0:.2f}) rectangle ({x1:.2f},{y1:.2f});"]
    tail = ["\\end{tikzpicture}"]
    if fit:
        tail = ["\\end{tikzpicture}}%", _FIT.format(width=x1 - x0, height=y1 - y0)]
    return "\n".join(head + painter.lines + tail + [""])


# A graph is often far wider than a slide or a column (the lecture neuron, left to right,
# is 1816 bp; a Beamer frame is about 307 pt): the picture measures itself where it is
# input and shrinks to fit, so `\input{graph.tikz}` works unchanged in a frame, an article
# or a minipage. It never grows: Graphviz's 10-14 pt labels are already the size to read.
# The height limit leaves 15% of the text height for a frame title or a caption; a
# document can set both limits by defining the two macros before the \input.
_FIT_COMMENT = ("% and graphicx (\\scalebox; TikZ loads it). It shrinks itself (never grows) "
                "to \\autogradtinymaxwidth\n% (default \\linewidth) and "
                "\\autogradtinymaxheight (default 0.85\\textheight), and logs its scale.")
_FIT = ("\\providecommand\\autogradtinymaxwidth{{\\linewidth}}%\n"
        "\\providecommand\\autogradtinymaxheight{{0.85\\textheight}}%\n"
        "\\pgfmathsetmacro\\agtscale{{min(1, \\the\\dimexpr\\autogradtinymaxwidth\\relax/\\the\\wd0, "
        "\\the\\dimexpr\\autogradtinymaxheight\\relax/\\the\\ht0)}}%\n"
        "\\typeout{{autograd_tiny: graph {width:.2f} x {height:.2f} bp drawn at scale "
        "\\agtscale}}%\n"
        "\\scalebox{{\\agtscale}}{{\\box0}}%\n"
        "\\endgroup")


def dot_to_tikz_parts(source: str, width: float, height: float, least_scale: float = 0.75,
                      binary: str | None = None) -> tuple[float, list[str]]:
    """The graph of DOT ``source`` as pictures for pages ``width`` x ``height`` bp:
    the scale and one or more ``tikzpicture``s already scaled by it.

    The picture is shrunk to ``width``. If it is then too tall, it is shrunk to
    ``height`` as well as long as the scale stays at least ``least_scale`` (text no
    smaller than that fraction of its size); otherwise it is cut into parts of at most
    ``height``, each part a picture of its own (one per page), the cuts between rows
    of nodes so that no box or label is cut in half.

    >>> if find_renderer() is None:
    ...     (1.0, 3)
    ... else:
    ...     chain = "digraph { " + " -> ".join(f"n{i}" for i in range(12)) + " }"
    ...     scale, parts = dot_to_tikz_parts(chain, 400, 300)
    ...     scale, len(parts)
    (1.0, 3)
    """
    if not isinstance(source, str):
        raise TypeError(f"dot_to_tikz_parts: source must be a str, got {type(source).__name__}")
    layout = json.loads(run_renderer(source, "json", binary).decode("utf-8"))
    painter, (x0, y0, x1, y1) = _paint(layout)
    scale = min(1.0, width / max(x1 - x0, 1.0))
    if (y1 - y0) * scale > height and height / (y1 - y0) >= least_scale:
        scale = height / (y1 - y0)
    scale = math.floor(scale * 1000) / 1000  # as written (3 decimals), never wider
    tall = height / scale  # the most of the layout, in its own units, one part can hold
    cuts = [y1]
    while cuts[-1] - y0 > tall:
        cuts.append(_cut(layout, cuts[-1], cuts[-1] - tall))
    cuts.append(y0)
    parts = []
    for top, bottom in zip(cuts, cuts[1:]):
        parts.append("\n".join([
            f"% part of the graph from y={bottom:.2f} to y={top:.2f} bp "
            f"(autograd_tiny.draw.tikz); needs \\usepackage{{tikz}}",
            f"\\scalebox{{{scale:.3f}}}{{%",
            "\\begin{tikzpicture}[x=1bp, y=1bp]", *_colors(painter),
            f"\\useasboundingbox ({x0:.2f},{bottom:.2f}) rectangle ({x1:.2f},{top:.2f});",
            # The cut is top and bottom only: a box drawn on the layout's left or
            # right edge keeps the half of its outline that lies outside.
            f"\\clip ({x0 - 2:.2f},{bottom:.2f}) rectangle ({x1 + 2:.2f},{top:.2f});",
            *painter.lines, "\\end{tikzpicture}%", "}", ""]))
    return scale, parts


def _cut(layout: dict[str, Any], top: float, lowest: float) -> float:
    """The lowest height between ``top`` and ``lowest`` where a horizontal cut crosses
    no node and no edge label (only edges), or ``lowest`` when there is none."""
    taken = []  # the y ranges of every node's box and every edge label
    for obj in layout.get("objects", []):
        if "pos" in obj and "height" in obj:  # a node (clusters have no pos)
            y = float(obj["pos"].split(",")[1])
            half = float(obj["height"]) * 36.0  # inches to bp, halved
            taken.append((y - half - 2.0, y + half + 2.0))
    for edge in layout.get("edges", []):
        if "lp" in edge:
            y = float(edge["lp"].split(",")[1])
            taken.append((y - 8.0, y + 10.0))
    for cut in sorted({lowest} | {high + 1.0 for _, high in taken}):
        if lowest <= cut < top - 1.0 and not any(low < cut < high for low, high in taken):
            return cut
    return lowest
