"""Computation graphs as pictures, in the style of micrograd's lecture.

Each value is a record ``{ label | data | grad }``; the op that made it is a small
ellipse between its inputs and itself. Every edge into an op carries the local
derivative ∂out/∂input the engine recorded when the op ran, so the chain rule can
be read off the picture: a node's ``grad`` is the sum, over the edges leaving it, of
(edge number) x (``grad`` of the value the op made). ``highlight=w`` draws in colour
the routes along which gradient flows from the output to ``w``.

>>> from autograd_tiny import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = (x * w).tanh(); y.backward()
>>> graph = draw_dot(y, highlight=w)
>>> graph.source.count("->")  # x, w -> *, * -> (x*w), (x*w) -> tanh, tanh -> y
5
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Sequence

import graphviz

from ..core.engine import Value
from ..core.graph import GraphSnapshot, snapshot
from ..core.files import write_atomically
from .collapse import COLLAPSE_MODES, draw_collapsed, structure
from .picture import Drawing, fit_to_width
from .style import (
    FOCUS_COLOR,
    FOCUS_FILL,
    FONT,
    HIGHLIGHT_COLOR,
    INTERMEDIATE_FILL,
    LEAF_FILL,
    OUTPUT_FILL,
    number as _number,
    plain_text as _plain_text,
    record_label as _record_label,
    value_fill,
)
from .renderer import (
    RenderError,
    RendererNotFound,
    find_renderer,
    missing_renderer_message,
    run_renderer,
    to_svg,
)

__all__ = ["draw_dot", "render", "notebook_svg", "to_svg", "find_renderer",
           "RenderError", "RendererNotFound"]

# One micrograd training step is ~65,000 nodes: no layout is readable at that size,
# and 400 records still lay out in about a second.
DEFAULT_MAX_NODES = 400
# Jupyter draws a Value inline only below this size; bigger graphs show as text.
NOTEBOOK_MAX_NODES = 150


RANKDIRS = ("LR", "TB", "RL", "BT")
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot",
           ".tex": "tex", ".tikz": "tikz"}  # TikZ: a document / a bare picture (tikz.py)


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR",  # noqa: A002
             show_grad: bool = True, show_local: bool = True,
             highlight: Value | None = None, max_nodes: int = DEFAULT_MAX_NODES,
             focus_node: Value | None = None,
             focus_edge: tuple[Value, Value] | tuple[Value, Value, int] | None = None,
             *, collapse: str | None = None, expand: str | Sequence[str] = (),
             snapshot: GraphSnapshot | None = None) -> Drawing:
    """The computation graph of ``root`` as a :class:`Drawing` (a ``graphviz.Digraph``
    that draws itself inline in Jupyter with the renderer this package finds, the pip
    one included; ``.render('graph.svg')`` writes a file). ``format`` and
    ``rankdir`` are micrograd's: ``draw_dot(root, format='svg', rankdir='LR')``.

    ``highlight``: a node whose gradient routes from ``root`` are drawn in colour
    (edges with a local derivative of 0 carry no gradient and stay black).
    ``max_nodes``: beyond this many values, only those nearest ``root`` are drawn
    and a note says how many were left out. ``focus_node`` and ``focus_edge``
    (``(parent, child)``: the edge from ``parent`` into ``child``'s op; or
    ``(parent, child, slot)`` to pick one of two edges when ``parent`` is both
    inputs, as in ``x * x``) are drawn in a colour of their own, for slides that walk
    through backward one step at a time.

    Graphs built by ``nn`` modules (labels such as ``L1.N2.w1``, ``L1.N2.net``)
    draw each neuron's nodes in a cluster named after it. ``collapse='neuron'``
    or ``'layer'`` draws each neuron or layer as one box with the edges between
    them; when the model ran on many data points, one data point's path is drawn
    and marked ``x 100 data points``, with the sum or mean over the points and any
    term of the parameters alone (an L2 penalty) as boxes of their own. Beyond
    ``max_nodes`` such a graph collapses by itself (``collapse='none'`` cuts it
    instead), and the caption says what was done. ``expand='L1.N2'`` (a neuron or
    a layer, or a list of them) draws those op by op inside the collapsed picture.

    Every value shows the name text uses for it (``snapshot(root).names``: its
    label, else the expression that made it, such as ``w*x + b`` or ``add#3``).
    ``snapshot``: the graph's :func:`~autograd_tiny.core.graph.snapshot`, if the
    caller already has one (a slide deck draws many frames of one graph); else it
    is built here, once. Node ids follow the snapshot's order (root first), so the
    source is the same on every run.

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> b = a + a; b.backward()
    >>> source = draw_dot(b).source
    >>> "data 3.0000 | grad 2.0000" in source, source.count('v1 -> v0_op [label=1.0000]')
    (True, 2)
    """
    _check_arguments(root, format, rankdir, highlight, max_nodes, focus_node, focus_edge)
    if collapse not in (None, "none", *COLLAPSE_MODES):
        raise ValueError(f"draw_dot: collapse must be 'neuron', 'layer', 'none' or None, "
                         f"got {collapse!r}")
    expanded = [expand] if isinstance(expand, str) else list(expand)
    if not all(isinstance(name, str) for name in expanded):
        raise TypeError("draw_dot: expand must be a neuron or layer name, or a list of them")
    graph_snapshot = _snapshot_of(root, snapshot)
    parts = structure(graph_snapshot) if any(graph_snapshot.groups.values()) else None
    mode, reason = collapse, ""
    if mode is None and parts is not None and len(graph_snapshot) > max_nodes:
        mode = "neuron"
        reason = (f"more than max_nodes={max_nodes:,} values, so collapsed "
                  f"automatically to ")
    if mode in COLLAPSE_MODES:
        if parts is None:
            raise ValueError("draw_dot: collapse needs a graph built by nn modules "
                             "(nodes labelled like 'L1.N2.net'); this graph has none")
        route = (_gradient_route(graph_snapshot, highlight) if highlight is not None
                 else set())
        marked = (graph_snapshot.names[highlight], route) if highlight is not None else None
        drawing = draw_collapsed(parts, mode, expanded, rankdir, format, show_grad,
                                 show_local, reason, marked)
        if collapse is None and _box_count(drawing) > max_nodes:
            drawing = draw_collapsed(parts, "layer", expanded, rankdir, format, show_grad,
                                     show_local, reason, marked)
        return drawing
    # The snapshot's order puts every node after all its users, so a prefix of it is
    # the part of the graph nearest the output, with no node drawn without its users.
    ids = {node: f"v{i}" for i, node in enumerate(graph_snapshot.order[:max_nodes])}
    omitted = len(graph_snapshot) - len(ids)
    names = graph_snapshot.names
    route = (_gradient_route(graph_snapshot, highlight) if highlight is not None else set())
    focus_parent, focus_child, *focus_slot = focus_edge if focus_edge else (None, None)

    graph = Drawing(
        name="autograd_tiny", format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT},
        node_attr={"fontname": FONT, "fontsize": "11", "shape": "record",
                   "style": "filled"},
        edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.7"},
    )
    clusters: dict[str, graphviz.Digraph] = {}
    for node, node_id in ids.items():
        home = graph
        if parts is not None and parts.group.get(node):
            home = _group_cluster(clusters, parts.group[node])
        inputs_missing = any(parent not in ids for parent in node._prev)
        attrs = {"label": _record_label(node, names[node], show_grad),
                 "fillcolor": value_fill(node, root)}
        if node is focus_node:
            attrs.update(color=FOCUS_COLOR, penwidth="3", fillcolor=FOCUS_FILL)
        elif node in route or node is highlight:
            attrs.update(color=HIGHLIGHT_COLOR, penwidth="2.5")
        home.node(node_id, **attrs)
        if node.is_leaf:
            continue

        op_id = f"{node_id}_op"
        on_route = node in route and node is not highlight
        op_attrs = {"label": graphviz.nohtml(_plain_text(str(node._op) or "?")),
                    "shape": "ellipse", "fillcolor": "white", "margin": "0.05,0.02",
                    "height": "0.3"}
        if inputs_missing:  # mark where the drawing was cut short
            op_attrs.update(style="filled,dashed", tooltip="some inputs not drawn")
        if on_route:
            op_attrs.update(color=HIGHLIGHT_COLOR, penwidth="2.5")
        home.node(op_id, **op_attrs)
        graph.edge(op_id, node_id, **(_route_style() if on_route else {}))

        for slot, (parent, local) in enumerate(zip(node._prev, node._local)):
            if parent not in ids:
                continue
            edge = {"label": _number(local)} if show_local else {}
            if node is focus_child and parent is focus_parent and focus_slot in ([], [slot]):
                edge.update(color=FOCUS_COLOR, fontcolor=FOCUS_COLOR, penwidth="3")
            elif local != 0 and node in route and parent in route:
                edge.update(_route_style())
            graph.edge(ids[parent], op_id, **edge)

    for cluster in clusters.values():
        graph.subgraph(cluster)
    notes = []
    if omitted:
        notes.append(f"{omitted:,} more value{'s' if omitted != 1 else ''} not drawn: "
                     f"the {len(ids):,} nearest the output are shown")
        notes.append("a dashed op has inputs that are not drawn")
    if highlight is not None and not route:
        notes.append(f"no gradient reaches {names[highlight]}: "
                     f"every route to it has a local derivative of 0")
    if notes:
        graph.node("note", label=graphviz.nohtml("\\n".join(map(_plain_text, notes))),
                   shape="note", style="filled", fillcolor="#fff8dc")
    graph.node("legend", label=_legend(show_local, highlight, focus_node or focus_edge),
               shape="plain", style="")
    return graph


def render(root: Value, path: str | os.PathLike[str], **options: object) -> Path:
    """Draws ``root``'s graph into ``path``; the format comes from the suffix:
    ``.svg``, ``.png``, ``.pdf`` (where the renderer supports it) or ``.dot`` (the
    Graphviz source, written with or without a renderer). Options are
    ``draw_dot``'s. With no renderer, the ``.dot`` source is written next to
    ``path`` and ``RendererNotFound`` says how to get a renderer.

    >>> import tempfile, pathlib
    >>> from autograd_tiny import Value
    >>> y = Value(2.0, label="x") * 3
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = render(y, pathlib.Path(folder) / "y.dot")
    ...     written.name, "data 6.0000" in written.read_text()
    ('y.dot', True)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render: path must be a str or a path, got {type(path).__name__}")
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"render: cannot tell the format of {str(path)!r} from its suffix; "
                         f"use one of {', '.join(FORMATS)}")
    if fmt in ("tex", "tikz"):  # TikZ from Graphviz's layout (draw/tikz.py)
        from .tikz import write_tikz
        return write_tikz(root, path, fmt, **options)
    source = draw_dot(root, **options).source  # type: ignore[arg-type]
    if fmt == "dot":
        write_atomically(path, source.encode())
        return path
    binary = find_renderer()
    if binary is None:
        fallback = path.with_suffix(".dot")
        write_atomically(fallback, source.encode())
        raise RendererNotFound(f"render: {missing_renderer_message()}; the graph's source "
                               f"is in {fallback}")
    try:
        drawing = run_renderer(source, fmt, binary)
    except RenderError as error:
        raise type(error)(f"render: {error}") from None
    write_atomically(path, drawing)
    return path


def notebook_svg(root: Value, max_nodes: int = NOTEBOOK_MAX_NODES) -> str | None:
    """The SVG Jupyter shows for ``root``, or None (Jupyter then shows the text repr)
    when no renderer is installed. A graph of more than ``max_nodes`` values is
    drawn as ``draw_dot(root, max_nodes=max_nodes)`` draws it: collapsed to neurons
    if ``nn`` modules built it, else its part nearest the output, with a note.

    >>> from autograd_tiny import Value
    >>> x = Value(1.0)
    >>> svg = notebook_svg(x * 2)
    >>> svg is None or "<svg" in svg
    True
    >>> big = sum(Value(float(i)) for i in range(200))
    >>> svg = notebook_svg(big)
    >>> svg is None or "more values not drawn" in svg
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"notebook_svg: expected a Value, got {type(root).__name__}")
    binary = find_renderer()
    if binary is None:
        return None
    try:
        source = draw_dot(root, max_nodes=max_nodes).source
        return run_renderer(source, "svg", binary).decode("utf-8")
    except RenderError:
        return None  # a picture is a nicety here: fall back to text, never raise


# -- walking the graph ---------------------------------------------------------------


def _group_cluster(clusters: dict[str, graphviz.Digraph], group: str) -> graphviz.Digraph:
    """The cluster that holds one module's nodes, labelled with its name."""
    if group not in clusters:
        clusters[group] = graphviz.Digraph(
            name=f"cluster_{len(clusters)}",
            graph_attr={"label": _plain_text(group), "style": "rounded,filled",
                        "color": "#888888", "fillcolor": "#f7f4fc", "fontname": FONT})
    return clusters[group]


def _box_count(drawing: Drawing) -> int:
    return len(re.findall(r"^\s+(?:\w+|\"[^\"]*\") \[", drawing.source, re.M))


def _snapshot_of(root: Value, given: GraphSnapshot | None) -> GraphSnapshot:
    """The caller's snapshot of ``root``'s graph, checked, or a new one."""
    if given is None:
        return snapshot(root)
    if not isinstance(given, GraphSnapshot):
        raise TypeError(f"draw_dot: snapshot must be a GraphSnapshot, got {type(given).__name__}")
    if given.root is not root:
        raise ValueError("draw_dot: snapshot is of another graph (its root is not root)")
    return given


def _gradient_route(graph: GraphSnapshot, target: Value) -> set[Value]:
    """Every value on a route from the root to ``target`` along which gradient flows
    (each edge's local derivative nonzero); empty when no gradient reaches it."""
    order, root = graph.order, graph.root  # root first, leaves last
    if target not in graph.names:
        raise ValueError(f"draw_dot: highlight {target!r} is not in the graph of root")
    # Leaves first, so a value's inputs are settled before the value itself.
    depends = set()
    for node in reversed(order):
        if node is target or any(local != 0 and parent in depends
                                 for parent, local in zip(node._prev, node._local)):
            depends.add(node)
    if root not in depends:
        return set()
    route = {root}
    for node in order:  # root first, so every user of a node is settled before it
        if node in route:
            route.update(parent for parent, local in zip(node._prev, node._local)
                         if local != 0 and parent in depends)
    return route


# -- labels and styles -------------------------------------------------------------



def _route_style() -> dict[str, str]:
    return {"color": HIGHLIGHT_COLOR, "fontcolor": HIGHLIGHT_COLOR, "penwidth": "2.5"}


def _legend(show_local: bool, highlight: Value | None, focus: object) -> str:
    """One HTML-table node: a swatch per kind of value, then what colours mean."""
    rows = [(LEAF_FILL, "input or weight (leaf)"), (INTERMEDIATE_FILL, "intermediate"),
            (OUTPUT_FILL, "output")]
    cells = "".join(f'<tr><td bgcolor="{fill}">{text}</td></tr>' for fill, text in rows)
    lines = []
    if show_local:
        lines.append(("black", "edge number: local derivative ∂out/∂in"))
    if highlight is not None:
        name = html.escape(highlight.label or "the highlighted value")
        lines.append((HIGHLIGHT_COLOR, f"route of the gradient to {name}"))
    if focus:
        lines.append((FOCUS_COLOR, "in focus"))
    cells += "".join(f'<tr><td border="0"><font color="{color}">{text}</font></td></tr>'
                     for color, text in lines)
    return f'<<table border="0" cellborder="1" cellspacing="2" cellpadding="3">{cells}</table>>'


def _check_arguments(root: object, format: object, rankdir: object, highlight: object,
                     max_nodes: object, focus_node: object, focus_edge: object) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    if not isinstance(format, str):
        raise TypeError(f"draw_dot: format must be a string such as 'svg', "
                        f"got {type(format).__name__}")
    if format.lower() not in graphviz.FORMATS:
        raise ValueError(f"draw_dot: unknown format {format!r} (use 'svg', 'png' or 'pdf')")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}, "
                         f"got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(f"draw_dot: max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be at least 1, got {max_nodes}")
    for name, value in (("highlight", highlight), ("focus_node", focus_node)):
        if value is not None and not isinstance(value, Value):
            raise TypeError(f"draw_dot: {name} must be a Value or None, "
                            f"got {type(value).__name__}")
    if focus_edge is not None:
        pair = tuple(focus_edge) if isinstance(focus_edge, (tuple, list)) else ()
        if len(pair) not in (2, 3) or not all(isinstance(v, Value) for v in pair[:2]):
            raise TypeError("draw_dot: focus_edge must be (parent, child) Values, "
                            "or (parent, child, slot)")
        inputs = pair[1]._prev
        slots = [pair[2]] if len(pair) == 3 else range(len(inputs))
        if not any(isinstance(s, int) and 0 <= s < len(inputs) and inputs[s] is pair[0]
                   for s in slots):
            raise ValueError("draw_dot: focus_edge: parent is not that input of child")


# Jupyter shows a Value as its graph. The drawing side installs that on Value (the
# engine knows nothing of drawing, so dependencies point one way: draw -> core).
def _value_repr_svg(self: Value) -> str | None:
    """Jupyter shows a small graph inline as SVG, scaled down to the cell's width; a
    large one is drawn collapsed (see ``notebook_svg``)."""
    svg = notebook_svg(self)
    return None if svg is None else fit_to_width(svg)


Value._repr_svg_ = _value_repr_svg  # type: ignore[attr-defined]
