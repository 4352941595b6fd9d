"""Lecture slides of backpropagation: one self-contained HTML file that works offline.

The frames follow the computation: the forward pass, node by node, then backward
one step at a time (a frame per step of :func:`~autograd_tiny.teach.backward_steps`),
then the gradients it found. Every frame is the graph's SVG, drawn by ``viz`` with
the current node and edge in focus and the running gradients in the nodes, beside
the step's arithmetic. Arrow keys, space and the buttons move between frames.
Everything (SVG, style, script) is inline: nothing is loaded from the network.

>>> import tempfile, pathlib
>>> from autograd_tiny import Value
>>> from autograd_tiny.renderer import find_renderer
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = (w * x).tanh(); y.label = "y"
>>> with tempfile.TemporaryDirectory() as folder:  # y = tanh(w*x): 3 backward steps
...     path = pathlib.Path(folder) / "slides.html"
...     find_renderer() is None or write_slides(y, path).read_text().count('data-kind="step"')
3
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..core.engine import Value, reverse_topological_order
from ..core.files import write_atomically
from ..core.graph import node_names, number_text
from .notation import derivative_text, formula
from .stepping import backward_steps
from ..draw.renderer import RendererNotFound, find_renderer, missing_renderer_message
from ..draw.dot import DEFAULT_MAX_NODES, FOCUS_COLOR, draw_dot, to_svg

MAX_STEPS = 400  # a frame each: past this, a lecture cannot follow them anyway


@dataclass(frozen=True)
class Frame:
    """One slide: what kind it is, a heading, (what, arithmetic) lines, the SVG."""

    kind: str  # "forward", "start", "step" or "done"
    heading: str
    lines: tuple[tuple[str, str], ...]
    svg: str


def write_slides(root: Value, path: str | os.PathLike[str], *, title: str | None = None,
                 rankdir: str = "LR", max_steps: int = MAX_STEPS,
                 max_nodes: int = DEFAULT_MAX_NODES) -> Path:
    """Writes the slides for ``root``'s forward and backward pass to ``path`` (one
    HTML file, written atomically) and returns the path.

    Backward runs inside (step by step) on gradients starting from zero; every
    node's ``.grad`` is put back as it was afterwards. ``max_steps`` guards against
    graphs too big for slides (a ``ValueError`` says how many steps there are).
    Needs a Graphviz renderer (``RendererNotFound`` says how to get one).
    """
    if not isinstance(root, Value):
        raise TypeError(f"write_slides: root must be a Value, got {type(root).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"write_slides: path must be a str or a path, got {type(path).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"write_slides: title must be a str, got {type(title).__name__}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int):
        raise TypeError(f"write_slides: max_steps must be an int, got {type(max_steps).__name__}")
    order = reverse_topological_order(root)
    steps = sum(len(node._prev) for node in order)
    if steps > max_steps:
        raise ValueError(f"write_slides: backward takes {steps:,} steps here, more than "
                         f"max_steps={max_steps:,}; slides are for small graphs (pass a "
                         f"larger max_steps to draw them anyway)")
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"write_slides: folder {str(path.parent)!r} does not exist")
    # Looked up once, and before any gradient is touched: no renderer, no work done.
    binary = find_renderer()
    if binary is None:
        raise RendererNotFound(missing_renderer_message())
    names = node_names(root)
    title = title or f"Backpropagation through {names[root]}"
    saved = [node.grad for node in order]
    try:
        frames = list(_frames(root, order, names, rankdir, max_nodes, binary))
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
    write_atomically(path, page(title, frames).encode("utf-8"))
    return path


def _frames(root: Value, order: list[Value], names: dict[Value, str], rankdir: str,
            max_nodes: int, binary: str) -> Iterator[Frame]:
    def svg(show_grad: bool = True, node: Value | None = None,
            edge: tuple[Value, Value, int] | None = None) -> str:
        graph = draw_dot(root, rankdir=rankdir, show_grad=show_grad, max_nodes=max_nodes,
                         focus_node=node, focus_edge=edge)
        return to_svg(graph, binary)

    for node in order:
        node.grad = 0.0
    for node in _forward_stops(order):
        name, made_of = names[node], formula(node)
        lines = [("compute", name if name == made_of else f"{name} = {made_of}")]
        with_numbers = formula(node, numbers=True)
        if with_numbers != made_of:
            lines.append(("with numbers", f"= {with_numbers}"))
        lines.append(("value", f"= {number_text(node.data)}"))
        yield Frame("forward", f"forward: {name}", tuple(lines), svg(False, node))

    root_name = names[root]
    root.grad = 1.0  # what backward does first, drawn before any step
    start = svg(True, root)
    root.grad = 0.0  # backward_steps would add anything left here to its result
    yield Frame("start", f"backward starts at {root_name}",
                (("seed", f"{derivative_text(root_name, root_name)} = 1: "
                          f"{root_name}.grad = 1"),
                 ("then", "each node, once every node that uses it is done, passes "
                          "upstream * local to each of its inputs")),
                start)
    for step in backward_steps(root):
        yield Frame("step", step.headline, tuple(step.rows()),
                    svg(True, step.node, (step.parent, step.node, step.slot)))

    leaves = [node for node in order if node.is_leaf and node.label]
    shown = sorted(leaves, key=lambda node: node.label) or [n for n in order if n.is_leaf]
    yield Frame("done", "backward is done: every gradient",
                tuple((derivative_text(root_name, names[node]), number_text(node.grad))
                      for node in shown[:24]), svg(True, root))


def _forward_stops(order: list[Value]) -> list[Value]:
    """The nodes the forward frames show, inputs first: the labelled ones (the names
    a lecture uses), or every op of a graph with no labelled ops."""
    ops = [node for node in reversed(order) if node._prev]
    labelled = [node for node in ops if node.label]
    return labelled or ops


# -- the page -----------------------------------------------------------------------------

_XML_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def inline_svg(svg: str, prefix: str) -> str:
    """Graphviz's SVG made fit to sit in a page next to others: no XML prolog, no
    fixed size (the page scales it), and ids prefixed so they stay unique.

    >>> inline_svg('<?xml version="1.0"?><svg width="8pt" height="4pt" viewBox="0 0 8 4">'
    ...            '<g id="node1"><title>a</title></g></svg>', "f3-")
    '<svg viewBox="0 0 8 4"><g id="f3-node1"><title>a</title></g></svg>'
    """
    svg = _XML_PROLOG.sub("", svg, count=1)
    head, _, body = svg.partition(">")
    head = _SIZE.sub("", head)
    body = body.replace('id="', f'id="{prefix}').replace("url(#", f"url(#{prefix}")
    body = body.replace('href="#', f'href="#{prefix}')
    return f"{head}>{body}"


def page(title: str, frames: list[Frame]) -> str:
    """The HTML of the slides: every frame inline, one shown at a time.

    >>> text = page("t", [Frame("step", "step 1", (("local", "2 * 3 = 6"),), "<svg></svg>")])
    >>> 'data-kind="step"' in text, "2 * 3 = 6" in text, "http" in text.replace(
    ...     "http://www.w3.org", "")
    (True, True, False)
    """
    sections = []
    total = len(frames)
    for number, frame in enumerate(frames, 1):
        rows = "".join(f"<tr><th>{html.escape(what)}</th><td>{html.escape(text)}</td></tr>"
                       for what, text in frame.lines)
        sections.append(
            f'<section class="frame" id="frame-{number}" data-kind="{frame.kind}">'
            f'<div class="graph">{inline_svg(frame.svg, f"f{number}-")}</div>'
            f'<div class="text"><p class="count">{number} / {total} · {frame.kind}</p>'
            f'<h2>{html.escape(frame.heading)}</h2><table>{rows}</table></div></section>')
    return _PAGE.format(title=html.escape(title), frames="\n".join(sections), total=total,
                        focus=FOCUS_COLOR)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
        background: #fafafa; color: #222; }}
header {{ display: flex; align-items: center; gap: 0.6em; padding: 0.5em 1em;
          background: #1f3a5f; color: white; position: sticky; top: 0; z-index: 1; }}
header h1 {{ font-size: 1.05em; margin: 0 auto 0 0; font-weight: 600; }}
header button {{ font: inherit; white-space: nowrap; padding: 0.25em 0.9em; border-radius: 4px; border: 0;
                 cursor: pointer; }}
header .position {{ min-width: 5em; text-align: center; white-space: nowrap; }}
.frame {{ padding: 1em; border-bottom: 1px solid #ddd; }}
.js .frame {{ display: none; border: 0; }}
.js .frame.current {{ display: block; }}
.graph {{ overflow-x: auto; }}
.graph svg {{ display: block; width: 100%; height: 62vh; }}
.zoomed .graph svg {{ width: auto; max-width: none; }}
.text h2 {{ font-size: 1.2em; margin: 0.3em 0; }}
.text .count {{ color: #888; margin: 0; font-size: 0.85em; }}
.text table {{ border-collapse: collapse; font-family: ui-monospace, Menlo, Consolas,
               monospace; font-size: 1.05em; }}
.text th {{ text-align: left; color: #666; font-weight: normal; padding: 0.15em 1.2em 0.15em 0; }}
.text td {{ padding: 0.15em 0; }}
.help {{ color: #ccd; font-size: 0.85em; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<span class="help">&larr; &rarr; or space</span>
<button id="first" title="first (Home)">&#x25C0;&#x25C0; first</button>
<button id="previous" title="previous (&larr;)">&#x25C0; back</button>
<span class="position" id="position">1 / {total}</span>
<button id="next" title="next (&rarr;)">next &#x25B6;</button>
<button id="last" title="last (End)">last &#x25B6;&#x25B6;</button>
<button id="zoom" title="fit the graph to the window, or zoom in and follow the focus (z)">zoom</button>
</header>
<main>
{frames}
</main>
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var position = document.getElementById("position");
  var zoomButton = document.getElementById("zoom");
  var current = 0;
  document.body.classList.add("js");
  // A graph much wider than the window (a network drawn left to right) is unreadable
  // when fitted to it: start zoomed in, and scroll to the node in focus on every
  // frame. A smaller one reads best whole. (Graphviz sizes in points: 4/3 px each.)
  var first = frames.length ? frames[0].querySelector("svg") : null;
  var box = first && first.viewBox && first.viewBox.baseVal;
  var page = (document.documentElement && document.documentElement.clientWidth) || 1024;
  setZoom(!!(box && box.width * 4 / 3 > 1.6 * page));
  function setZoom(on) {{
    document.body.classList.toggle("zoomed", on);
    zoomButton.textContent = on ? "fit" : "zoom";
  }}
  function follow() {{
    var focus = frames[current].querySelector('[stroke="{focus}"]');
    if (focus && focus.scrollIntoView && document.body.classList.contains("zoomed")) {{
      focus.scrollIntoView({{block: "nearest", inline: "center"}});
    }}
  }}
  function show(index) {{
    current = Math.max(0, Math.min(frames.length - 1, index));
    for (var i = 0; i < frames.length; i++) {{
      frames[i].classList.toggle("current", i === current);
    }}
    position.textContent = (current + 1) + " / " + frames.length;
    if (history.replaceState) {{ history.replaceState(null, "", "#frame-" + (current + 1)); }}
    follow();
  }}
  button("zoom", function () {{
    setZoom(!document.body.classList.contains("zoomed"));
    follow();
  }});
  // A clicked button keeps the focus, and space would then press it as well as
  // move on: hand the focus back to the page.
  function button(id, action) {{
    document.getElementById(id).onclick = function () {{ action(); this.blur(); }};
  }}
  button("first", function () {{ show(0); }});
  button("previous", function () {{ show(current - 1); }});
  button("next", function () {{ show(current + 1); }});
  button("last", function () {{ show(frames.length - 1); }});
  document.addEventListener("keydown", function (event) {{
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown" || key === " ") {{
      show(current + 1);
    }} else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") {{
      show(current - 1);
    }} else if (key === "Home") {{ show(0);
    }} else if (key === "End") {{ show(frames.length - 1);
    }} else if (key === "z") {{ setZoom(!document.body.classList.contains("zoomed")); follow();
    }} else {{ return; }}
    event.preventDefault();
  }});
  var match = /^#frame-(\\d+)$/.exec(location.hash);
  show(match ? parseInt(match[1], 10) - 1 : 0);
}})();
</script>
</body>
</html>
"""
