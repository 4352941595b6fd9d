"""``Drawing``: the ``graphviz.Digraph`` every drawing function returns, drawn with the
renderer this package finds (a system ``dot``, else the pip ``graphviz-pure``).

A plain ``graphviz.Digraph`` looks for a program named ``dot`` on PATH and fails in
a notebook that only has the pip renderer; a ``Drawing`` draws itself inline in
Jupyter (``_repr_mimebundle_``), and its ``pipe()`` and ``render()`` use the same
renderer. At the REPL its ``repr`` says how to see it.

>>> drawing = Drawing(name="example")
>>> drawing.edge("a", "b")
>>> drawing.format
'svg'
>>> print(repr(drawing))  # doctest: +ELLIPSIS
<Drawing 'example': 2 nodes, 1 edge. In Jupyter it draws itself; elsewhere .render('graph.svg') ...>
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import graphviz

from ..core.files import write_atomically
from .renderer import RenderError, RendererNotFound, find_renderer, missing_renderer_message, run_renderer

# Suffixes render() understands, and the format each one means.
SUFFIX_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot",
                  ".jpg": "jpg", ".jpeg": "jpeg"}
# A file name with one of these suffixes is written alone, in that format. ".gv" is not
# one: it is graphviz's name for the source, to which graphviz adds the picture.
_EXPLICIT_FORMATS = {suffix: fmt for suffix, fmt in SUFFIX_FORMATS.items() if suffix != ".gv"}


# A node id in DOT source: a word, or a quoted string.
_ID = r'"(?:[^"\\]|\\.)*"|\w+'


# Wider than this (1,120 px), a picture shown in a notebook is scaled down to it: the
# width of an output cell in JupyterLab or VS Code at 1280 pixels. A notebook shows
# an SVG output as an <img> at its own size, and some (a saved notebook's HTML) do not
# scale it to the cell, which hid half of a wide network behind a scroll bar.
NOTEBOOK_WIDTH_PT = 840.0


def fit_to_width(svg: str, width_pt: float = NOTEBOOK_WIDTH_PT) -> str:
    """``svg`` (Graphviz's, sized in pt with a viewBox) for a notebook: at most
    ``width_pt`` wide, its height scaled alike, and scaled down further where it is
    shown inline in something narrower; a smaller picture keeps its size.

    >>> fit_to_width('<svg width="1680pt" height="200pt" viewBox="0 0 1680 200">')
    '<svg style="max-width:100%;height:auto" width="840pt" height="100pt" viewBox="0 0 1680 200">'
    >>> fit_to_width('<svg width="300pt" height="90pt" viewBox="0 0 300 90">')
    '<svg style="max-width:100%;height:auto" width="300pt" height="90pt" viewBox="0 0 300 90">'
    """
    root = re.search(r"<svg\b[^>]*>", svg)
    if root is None:
        return svg
    tag = root.group(0)
    width = re.search(r'\swidth="([\d.]+)pt"', tag)
    height = re.search(r'\sheight="([\d.]+)pt"', tag)
    if width and height and float(width.group(1)) > width_pt and "viewBox=" in tag:
        scale = width_pt / float(width.group(1))
        tag = tag.replace(width.group(0), f' width="{width_pt:g}pt"').replace(
            height.group(0), f' height="{float(height.group(1)) * scale:.6g}pt"')
    tag = tag.replace("<svg", '<svg style="max-width:100%;height:auto"', 1)
    return svg[:root.start()] + tag + svg[root.end():]


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders through :func:`find_renderer`, so it
    displays inline in Jupyter, VS Code and Colab with the pip renderer alone.
    Its default format is SVG.

    >>> d = Drawing()
    >>> d.node("x")
    >>> find_renderer() is None or d.pipe().startswith(b"<?xml")
    True
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "svg")
        super().__init__(*args, **kwargs)

    def pipe(self, format: str | None = None, renderer: str | None = None,  # noqa: A002
             formatter: str | None = None, neato_no_op: Any = None, quiet: bool = False,
             *, engine: str | None = None, encoding: str | None = None) -> bytes | str:
        """The drawing as bytes (or text, given ``encoding``) in ``format`` (default:
        the drawing's own, SVG), drawn by the renderer this package finds.

        >>> d = Drawing()
        >>> d.edge("a", "b")
        >>> find_renderer() is None or "</svg>" in d.pipe(encoding="utf-8")
        True
        """
        fmt = format or self.format or "svg"
        if fmt in ("dot", "gv", "canon"):
            data = self.source.encode()
        else:
            binary = find_renderer()
            if binary is None:
                raise RendererNotFound(missing_renderer_message())
            data = run_renderer(self.source, fmt, binary)
        return data.decode(encoding) if encoding else data

    def render(self, filename: str | os.PathLike[str] | None = None,  # type: ignore[override]
               directory: str | os.PathLike[str] | None = None, view: bool = False,
               cleanup: bool = False, format: str | None = None,  # noqa: A002
               *args: Any, outfile: str | os.PathLike[str] | None = None,
               **ignored: Any) -> str:
        """Writes the picture and returns its path.

        ``render('graph.svg')`` (or ``.png``, ``.pdf`` where the renderer has it,
        ``.dot``) writes only that file, in the format its suffix names. Every other
        call works like ``graphviz.Digraph.render``, file names and return value
        included: the source goes to ``filename`` (default: the drawing's
        ``filename``, ``NAME.gv``), the picture beside it with the format appended
        (``render()`` writes ``autograd_tiny.gv`` and returns ``'autograd_tiny.gv.svg'``;
        ``render('gout')`` writes ``gout`` and ``gout.svg``); ``directory`` (default:
        the drawing's) is the folder for both; ``outfile='g.png'`` names the picture
        and puts the source in ``g.gv``; ``format=`` overrides the drawing's format;
        ``cleanup=True`` removes the source. ``view`` is accepted and ignored.

        >>> import tempfile, pathlib
        >>> d = Drawing(); d.edge("a", "b")
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = d.render(pathlib.Path(folder) / "g.dot")
        ...     pathlib.Path(path).read_text().startswith("digraph")
        True
        >>> with tempfile.TemporaryDirectory() as folder:  # .dot needs no renderer
        ...     path = Drawing(name="spam", directory=folder).render(format="dot")
        ...     pathlib.Path(path).name, sorted(p.name for p in pathlib.Path(folder).iterdir())
        ('spam.gv.dot', ['spam.gv', 'spam.gv.dot'])
        """
        # graphviz keeps where it saves in these two attributes (mypy cannot see their
        # type through graphviz's mixins)
        own_directory: str = self.directory  # type: ignore[has-type]
        own_filename: str = self.filename  # type: ignore[has-type]
        folder = Path(own_directory if directory is None else directory)
        if outfile is not None:
            # graphviz: the picture is outfile, its format from the suffix, and the
            # source is saved beside it as .gv (unless a filename is given).
            picture = folder / Path(outfile)
            fmt = SUFFIX_FORMATS.get(picture.suffix.lower())
            if fmt is None:
                raise ValueError(f"render: cannot tell the format of {str(outfile)!r} from "
                                 f"its suffix; use one of {', '.join(SUFFIX_FORMATS)}")
            if filename is None:
                filename = Path(outfile).with_suffix(".gv")
            source = folder / Path(filename)
        else:
            if filename is not None:
                path = folder / Path(filename)
                fmt = _EXPLICIT_FORMATS.get(path.suffix.lower())
                if fmt is not None and format in (None, fmt):
                    # The project's own rule for a file name with a picture's suffix
                    # (render('graph.svg')): that one file, nothing beside it.
                    write_atomically(path, self.pipe(format=fmt))  # type: ignore[arg-type]
                    return str(path)
            source = folder / Path(own_filename if filename is None else filename)
            fmt = format or self.format or "svg"
            picture = source.with_name(f"{source.name}.{fmt}")
        drawing = self.pipe(format=fmt)  # before writing anything: a failure leaves no file
        # graphviz creates the folders it saves into; so does this (the explicit-path
        # form above does not, as documented for render('graph.svg')).
        source.parent.mkdir(parents=True, exist_ok=True)
        picture.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(source, self.source.encode())
        write_atomically(picture, drawing)  # type: ignore[arg-type]
        # graphviz remembers where it saved: a later render() with no name goes there too
        if filename is not None:
            self.filename = os.fspath(filename)
        if directory is not None:
            self.directory = os.fspath(directory)
        if cleanup:
            source.unlink()
        return str(picture)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **options: Any) -> dict[str, Any]:
        """What Jupyter shows: the SVG; with no renderer, one line saying how to get one
        (never a traceback in the notebook).

        >>> bundle = Drawing()._repr_mimebundle_()
        >>> sorted(bundle) in (["image/svg+xml"], ["text/plain"])
        True
        """
        try:
            bundle = super()._repr_mimebundle_(include, exclude, **options)
        except RenderError as error:
            return {"text/plain": f"{repr(self)}\n(not drawn: {error})"}
        if "image/svg+xml" in bundle:
            bundle["image/svg+xml"] = fit_to_width(bundle["image/svg+xml"])
        return bundle

    def __repr__(self) -> str:
        pairs = re.findall(rf"^\s+({_ID}) -> ({_ID})", self.source, re.M)
        declared = re.findall(rf"^\s+({_ID}) \[", self.source, re.M)
        nodes = len({*declared, *(end for edge in pairs for end in edge)}
                    - {"graph", "node", "edge"})
        edges = len(pairs)
        return (f"<{type(self).__name__} {self.name!r}: {nodes} node{'s' * (nodes != 1)}, "
                f"{edges} edge{'s' * (edges != 1)}. In Jupyter it draws itself; elsewhere "
                f".render('graph.svg') writes a picture (.png, .dot too), .source is the "
                f"Graphviz text>")
