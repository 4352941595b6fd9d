"""The network picture: a model drawn the way a lecturer draws it on the board.

Inputs on the left, each layer's neurons as circles (with net, out and, once there
is an error to differentiate, the neuron's delta dE/dnet), every weight an edge
labelled with its value and gradient, the error E on the right (``error_name=``
calls it what the text beside the picture calls it, such as Mazur's ``E_total``).
``highlight=`` a weight or a bias colours every route from E back to it and says
how many there are.

Small networks print every number; big ones (micrograd's ``MLP(2, [16, 16, 1])``
has 337 parameters) print names and outputs, draw each edge's width and shade by
the size of its gradient (or of the weight, before any backward), and keep every
number in the tooltips (SVG ``<title>``) so a browser shows them on hover.

>>> from autograd_tiny import MLP
>>> model = MLP(2, [2, 1], seed=0)
>>> picture = draw_network(model, inputs=[1.0, -1.0], target=[0.5])
>>> repr(picture).split(".")[0]  # x1 x2, three neurons, E; 6 weights and out -> E
"<Drawing 'network': 6 nodes, 7 edges"
"""

from __future__ import annotations

import html
import functools
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Collection, Sequence

from ..core.autodiff import grad
from ..core.engine import Value
from ..core.graph import module_of, number_text
from ..nn.modules import MLP, Layer, Neuron  # draw reads nn; nn never imports draw
from .labels import LabelPlacer
from .picture import Drawing
from .style import FONT, HIGHLIGHT_COLOR, LEAF_FILL, OUTPUT_FILL, number, plain_text

__all__ = ["NetworkNeuron", "draw_network", "forward_neurons", "half_squared_error",
           "network_neurons"]

# Above this many weights the edges carry no printed label (tooltips keep the numbers).
LABELLED_WEIGHTS_UP_TO = 40
NEURON_FILL = "#e6e0f3"
INPUT_FILL = LEAF_FILL
ERROR_FILL = OUTPUT_FILL
EDGE_GREY = "#4d4d4d"
DELTA = "\u03b4"  # δ: dE/dnet, the delta of Mazur's example


def half_squared_error(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
    """E = sum of 1/2 (target - out)^2 over the outputs: the error in Matt Mazur's
    "A Step by Step Backpropagation Example", whose derivative dE/dout is
    (out - target).

    >>> from autograd_tiny import Value
    >>> round(half_squared_error([Value(0.75), Value(0.77)], [0.01, 0.99]).data, 9)
    0.298
    """
    total: Value | float = 0.0
    for out, target in zip(outputs, targets):
        total = total + 0.5 * (target - out) ** 2
    return total if isinstance(total, Value) else Value(total)


@dataclass
class NetworkNeuron:
    """One neuron as the network picture (and the network slides) see it: its name
    (the model's, such as ``h1``, else ``L{i}.N{j}``), its layer (1-based), its weights
    and its bias as (name, parameter) pairs, and the ``nn.Neuron`` itself. After
    :func:`forward_neurons`, ``net`` and ``out`` are the nodes its forward made;
    ``delta`` is dE/dnet once an error has been differentiated.

    >>> from autograd_tiny import MLP
    >>> (neuron,), = network_neurons(MLP(2, [1], seed=0))[0]
    >>> neuron.name, neuron.layer, [name for name, _ in neuron.weights], neuron.bias[0]
    ('L1.N1', 1, ['L1.N1.w1', 'L1.N1.w2'], 'L1.N1.b')
    """

    name: str
    layer: int  # 1-based
    weights: list[tuple[str, Value]]  # (name, parameter) per input
    bias: tuple[str, Value]
    module: Any = None  # the nn.Neuron itself: its own forward is what runs
    net: Value | None = None
    out: Value | None = None
    delta: float | None = None


def draw_network(model: Any, inputs: Sequence[float] | None = None,
                 target: Sequence[float] | None = None,
                 loss: Callable[[list[Value], list[float]], Value] | None = None,
                 highlight: Value | str | None = None, format: str = "svg",  # noqa: A002
                 rankdir: str = "LR", input_names: Sequence[str] | None = None,
                 detail: str = "auto", error_name: str = "E",
                 show_gradients: bool | Collection[str] = True) -> Drawing:
    """``model`` (an ``MLP``, ``Layer`` or ``Neuron``) as a network diagram.

    ``inputs``: run the model on them and print each neuron's net and out.
    ``target``: also the error ``loss(outputs, target)`` (default: Mazur's
    E = sum 1/2 (target - out)^2) and its gradients, computed with ``grad()`` so
    the model's ``.grad`` is left alone: every weight's dE/dw, every neuron's delta
    dE/dnet. Without a target, weights show their ``.grad`` when a backward has
    filled it. ``highlight``: a weight or a bias (the parameter, or its name such
    as ``'L1.N1.w2'`` or ``'L1.N1.b'``) whose routes from E are coloured and
    counted; a bias shared by several neurons (``tie_biases()``, as Mazur's b1 is
    shared by h1 and h2) has routes through each of them. ``detail``: ``'full'``
    prints every number, ``'compact'`` names and outputs only (the rest in
    tooltips); ``'auto'`` picks compact above 40 weights. ``error_name``: what the
    error is called in the picture (its node, dE/dw, ...): ``'E'``, or the name the
    text beside the picture uses, such as Mazur's ``'E_total'``.
    ``show_gradients=False``: the forward numbers only (net, out, the error), no
    delta, dE/dw or dE/dout, as the forward frames of a lecture show it.
    ``show_gradients=`` a list of neuron names: what backpropagation has worked out
    once it has reached those neurons (a lecture's step, such as ``['o1']`` after
    the first output neuron): their delta, their weights' dE/dw, their dE/dout if
    they are outputs, and each bias's dE/db as the sum of the deltas so far of the
    neurons that hold it (a bias shared by a layer shows its running sum). Every
    other delta and gradient reads ``?``. It needs a target.

    >>> from autograd_tiny import MLP
    >>> model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    >>> full = draw_network(model, inputs=[0.05, 0.1], target=[0.01, 0.99])
    >>> step = draw_network(model, inputs=[0.05, 0.1], target=[0.01, 0.99],
    ...                     show_gradients=["L2.N1"])
    >>> "δ ?" in step.source, "δ ?" in full.source
    (True, False)

    >>> picture = draw_network(model, inputs=[0.05, 0.1], target=[0.01, 0.99],
    ...                        highlight="L1.N1.w1")
    >>> "2 routes from E back to L1.N1.w1" in picture.source
    True
    >>> picture = draw_network(model, inputs=[0.05, 0.1], target=[0.01, 0.99],
    ...                        highlight="L2.N1.b", error_name="E_total")
    >>> "1 route from E_total back to L2.N1.b" in picture.source
    True
    """
    neurons, layer_sizes = network_neurons(model)
    nin = len(neurons[0][0].weights)
    names = _input_names(input_names, nin)
    _check(inputs, target, loss, detail, nin, layer_sizes[-1])
    if format not in _FORMATS:
        raise ValueError(f"draw_network: unknown format {format!r} (use 'svg', 'png' or 'pdf')")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_network: rankdir must be LR, TB, RL or BT, got {rankdir!r}")
    # The error is a node of its own only when there is a target to measure it by.
    _check_error_name(error_name, [*names, *(n.name for layer in neurons for n in layer)]
                      if target is not None else [])
    e = error_name
    # None: every gradient is known; else the neurons whose gradients are (a step).
    reached = _reached(show_gradients, neurons, target)
    pending = reached is not None  # unknown gradients read "?", not nothing

    error: Value | None = None
    gradients: dict[Value, float] = {}
    if inputs is not None:
        values = [Value(float(x), label=name) for x, name in zip(inputs, names)]
        outputs = forward_neurons(neurons, values)
        if target is not None:
            error = (loss or half_squared_error)(outputs, [float(t) for t in target])
            if not isinstance(error, Value):
                raise TypeError(f"draw_network: loss must return a Value, "
                                f"got {type(error).__name__}")
        if error is not None and show_gradients is not False:
            wanted = [p for layer in neurons for n in layer
                      for p in [*(w for _, w in n.weights), n.bias[1]]]
            nets = [n.net for layer in neurons for n in layer if n.net is not None]
            found = grad(error, [*wanted, *nets])
            gradients = dict(zip([*wanted, *nets], map(float, found)))
            for layer in neurons:
                for n in layer:
                    if n.net is not None and (reached is None or n.name in reached):
                        n.delta = gradients[n.net]
    else:
        values = []

    weight_count = sum(len(n.weights) for layer in neurons for n in layer)
    compact = detail == "compact" or (detail == "auto" and weight_count > LABELLED_WEIGHTS_UP_TO)
    chosen = _highlighted(highlight, neurons)
    routes, route_count = _routes(neurons, chosen, e if error is not None else None)

    shown = _gradients_so_far(neurons, reached, gradients) if reached is not None else None

    def gradient_of(p: Value) -> float | None:
        if show_gradients is False:
            return None
        if shown is not None:
            return shown.get(p)
        if gradients:
            return gradients.get(p)
        return p.grad if any(q.grad for layer in neurons for n in layer
                             for _, q in n.weights) else None

    drawing = Drawing(
        name="network", format=format,
        # Positions are worked out here (columns of evenly spaced neurons, in order)
        # and pinned: neato draws them where they are put, straight edges between.
        graph_attr={"layout": "neato", "fontname": FONT, "splines": "line",
                    "outputorder": "edgesfirst", "pad": "0.2",
                    "labelloc": "t", "labeljust": "l", "fontsize": "18",
                    "label": _caption(neurons, error, chosen, route_count, compact,
                                      bool(gradients) or gradient_of(neurons[0][0].bias[1])
                                      is not None, e)},
        node_attr={"fontname": FONT, "fontsize": "14",
                   "style": "filled", "penwidth": "1.2"},
        edge_attr={"fontname": FONT, "fontsize": SMALL_TEXT, "arrowsize": "0.6"},
    )
    columns = [list(names), *([n.name for n in layer] for layer in neurons)]
    if error is not None:
        columns.append([e])
    widths = NODE_SIZE[compact]

    # Each edge's label, then a spot for each beside its line. The spots depend on the
    # positions; on a crowded picture the columns move apart until they all fit.
    labels: list[EdgeLabel] = []
    # A step's labels are placed as if every gradient were known, then read "?" where
    # one is not yet: every step of a lecture, and its last frame, keep one layout.
    shown_labels: dict[tuple[str, str], str] = {}
    sources = list(names)
    for index, layer in enumerate(neurons):
        for n in layer:
            for k, (weight_name, weight) in enumerate(n.weights):
                if not compact:
                    # A third of the way from its tail first: labels of crossing
                    # edges would meet at the middle. The inputs' column sits
                    # closer: a little further along clears their circles.
                    labels.append(EdgeLabel(sources[k], n.name,
                                            _weight_label(weight_name, weight,
                                                          gradients.get(weight) if pending
                                                          else gradient_of(weight)),
                                            0.36 if index == 0 else 0.28))
                    shown_labels[sources[k], n.name] = _weight_label(
                        weight_name, weight, gradient_of(weight), pending)
        sources = [n.name for n in layer]
    error_text: dict[str, tuple[str, str]] = {}
    if error is not None:
        assert target is not None
        last = neurons[-1]
        for row, (n, t) in enumerate(zip(last, target)):
            assert n.out is not None
            d_out_known = number_text(float(grad(error, n.out)[0]))
            d_out = d_out_known if reached is None or n.name in reached else "?"
            label = f"target {number_text(float(t))}"
            with_d = show_gradients is not False
            if not compact and with_d:  # three short lines: the column sits close
                shown_labels[n.name, e] = label + f"\n{_d(e)}/dout\n{d_out}"
                label += f"\n{_d(e)}/dout\n{d_out_known}"
            error_text[n.name] = (label, f"{n.name}: target {number_text(float(t))}"
                                         + (f", {_d(e)}/dout = {d_out}" if with_d else ""))
            # Beside the line, not across it: on the outer side of the fan of lines
            # into the error (the first half of the layer on one side, the rest on
            # the other), so that neighbouring lines' labels keep apart.
            labels.append(EdgeLabel(n.name, e, label, None,
                                    (1, -1) if 2 * row + 1 <= len(last) else (-1, 1)))
    place, spots = _layout(columns, compact, rankdir, error is not None, widths, labels)
    for edge, text in shown_labels.items():
        narrowed = spots[edge]["taillabel"].count("\n") > text.count("\n")
        spots[edge]["taillabel"] = _narrow(text) if narrowed else text

    for k, name in enumerate(names):
        value = f"<br/>{_num(values[k].data, compact)}" if values else ""
        drawing.node(name, label=f"<<b>{html.escape(name)}</b>{value}>", shape="circle",
                     fillcolor=INPUT_FILL, width=widths["input"], fixedsize="true",
                     pos=place[name], tooltip=f"input {name}"
                     + (f" = {number_text(values[k].data)}" if values else ""))
    for layer in neurons:
        for n in layer:
            holds = chosen is not None and chosen.is_bias and any(
                m is n for m in chosen.neurons)
            attrs = {"label": _neuron_label(n, compact, gradient_of, holds, pending),
                     "shape": "circle", "fillcolor": NEURON_FILL, "fixedsize": "true",
                     "width": widths["neuron"], "pos": place[n.name],
                     "tooltip": _neuron_tooltip(n, gradient_of, e, pending)}
            if n.name in routes:
                attrs.update(color=HIGHLIGHT_COLOR, penwidth="4" if holds else "3")
            drawing.node(n.name, **attrs)

    # A step's edges are scaled by every gradient, known or not: an edge keeps its
    # width from the step its gradient is worked out to the last.
    scale = _scale(neurons, (lambda p: gradients.get(p)) if pending else gradient_of)
    sources = list(names)
    for layer in neurons:
        for n in layer:
            for k, (weight_name, weight) in enumerate(n.weights):
                source = sources[k]
                g = gradient_of(weight)
                attrs = {"tooltip": _weight_text(weight_name, weight, g, e, pending)}
                if (source, n.name) in spots:
                    attrs.update(spots[source, n.name])
                size = abs(g if g is not None else weight.data) / scale if scale else 0.0
                if pending and g is None:
                    size = 0.0  # not worked out yet: the thinnest, lightest line
                attrs["penwidth"] = f"{0.4 + 3.6 * size:.2f}"
                attrs["color"] = _grey(size)
                if chosen is not None and not chosen.is_bias and weight is chosen.parameter:
                    attrs.update(color=HIGHLIGHT_COLOR, fontcolor=HIGHLIGHT_COLOR,
                                 penwidth="4")
                elif n.name in routes and source in routes:
                    attrs.update(color=HIGHLIGHT_COLOR, fontcolor=HIGHLIGHT_COLOR,
                                 penwidth=f"{max(2.0, 0.4 + 3.6 * size):.2f}")
                drawing.edge(source, n.name, **attrs)
        sources = [n.name for n in layer]

    if error is not None:
        drawing.node(e, label=f"<<b>{html.escape(e)}</b><br/>{_num(error.data, compact)}>",
                     shape="circle", fillcolor=ERROR_FILL, fixedsize="true",
                     width=widths["error"], pos=place[e],
                     tooltip=f"{e} = {number_text(error.data)}",
                     **({"color": HIGHLIGHT_COLOR, "penwidth": "3"} if routes else {}))
        for n in neurons[-1]:
            attrs = {**spots[n.name, e], "tooltip": error_text[n.name][1]}
            if n.name in routes:
                attrs.update(color=HIGHLIGHT_COLOR, fontcolor=HIGHLIGHT_COLOR, penwidth="3")
            drawing.edge(n.name, e, **attrs)
    return drawing


_FORMATS = ("svg", "png", "pdf", "dot", "jpg", "jpeg")

# Circle widths and spacing, in inches: full detail (every number printed) or compact.
NODE_SIZE = {False: {"input": "0.95", "neuron": "2.1", "error": "1.5"},
             True: {"input": "0.86", "neuron": "0.86", "error": "0.9"}}
# Between columns: after the inputs (small circles), between layers (two labels on each
# crossing edge), before the error (three short lines on each edge); and between rows.
# Full detail is sized so that a 2-2-2 network (Mazur's) is at most 87 times its
# smallest text (12 pt) wide and 31 times tall, once its labels have room (its rows a
# tenth further apart): on a 16:9 slide at 1280x720 or 1920x1080, drawn with that
# text at the slides' minimum size, it fits the frame whole.
COLUMN_GAPS = {False: (3.9, 4.6, 3.4), True: (5.8, 5.8, 5.8)}
ROW_GAP = {False: 2.3, True: 0.92}
SMALL_TEXT = "12"  # points: edge labels and the bias lines, the picture's smallest text
# Where else along its line (fractions of the visible line from the tail) a weight's
# label may go when its first spot is taken (the placer then tries every twentieth);
# an error edge's label tries the middle first.
WEIGHT_LABEL_FRACTIONS = (0.2, 0.36, 0.44, 0.52, 0.6, 0.68, 0.12, 0.76, 0.84)
ERROR_LABEL_FRACTIONS = (0.5, 0.4, 0.6, 0.3, 0.7)
# How far apart two columns go when the labels between them find no clear spot: as
# set, else as little wider as it takes (to a tenth), up to two and a half times.
SPREAD_STEP = 0.1
MAX_SPREAD = 2.5
# How far apart the rows go: as set, or wider where that needs less width of the
# columns and a 16:9 screen then shows the picture larger.
ROW_SPREADS = (1.0, 1.1, 1.2, 1.3, 1.4)
CAPTION_HEIGHT = 65.0  # points: three lines of the caption, over the circles


def _layout(columns: list[list[str]], compact: bool, rankdir: str, has_error: bool,
            widths: dict[str, str], labels: list[EdgeLabel]
            ) -> tuple[dict[str, str], dict[tuple[str, str], dict[str, str]]]:
    """:func:`_search_layout`, remembered: a deck draws the same network once per
    frame with the same labels to lay out (a frame shows fewer numbers in the same
    spots), and the search for a clear layout is most of a picture's time. Returns
    copies, which the caller may change."""
    place, spots = _remembered_layout(
        tuple(tuple(column) for column in columns), compact, rankdir, has_error,
        tuple(sorted(widths.items())), tuple(labels))
    return dict(place), {edge: dict(spot) for edge, spot in spots.items()}


@functools.lru_cache(maxsize=32)
def _remembered_layout(columns: tuple[tuple[str, ...], ...], compact: bool, rankdir: str,
                       has_error: bool, widths: tuple[tuple[str, str], ...],
                       labels: tuple[EdgeLabel, ...]
                       ) -> tuple[dict[str, str], dict[tuple[str, str], dict[str, str]]]:
    return _search_layout([list(column) for column in columns], compact, rankdir,
                          has_error, dict(widths), list(labels))


def _search_layout(columns: list[list[str]], compact: bool, rankdir: str, has_error: bool,
                   widths: dict[str, str], labels: list[EdgeLabel]
                   ) -> tuple[dict[str, str], dict[tuple[str, str], dict[str, str]]]:
    """Every node's ``pos`` and every label's spot: the columns as set if the labels
    all find a clear spot there; else the gaps where some do not, each as little
    wider as it takes (a picture keeps the width it needs and no more: Mazur's fits
    a slide's frame), with the rows as set or a little further apart, whichever a
    16:9 screen shows largest."""
    gaps = len(columns) - 1

    def attempt(spreads: list[float], rows: float
                ) -> tuple[dict[str, str], dict[tuple[str, str], dict[str, str]], set[int]]:
        place = _positions(columns, compact, rankdir, has_error, spreads, rows)
        return (place, *_label_spots(place, widths, columns, has_error, labels))

    first = attempt([1.0] * gaps, 1.0)
    if not first[2]:
        return first[:2]
    widest, failed = first, 0
    found: list[tuple[dict[str, str], dict[tuple[str, str], dict[str, str]], set[int]]] = []
    # The extremes first: a network too dense for the widest columns with the rows
    # both as set and furthest apart has no clear layout in between either, and its
    # picture is drawn without trying them (each try places every label).
    for rows in (ROW_SPREADS[0], ROW_SPREADS[-1], *ROW_SPREADS[1:-1]):
        widest = attempt([MAX_SPREAD if gap in first[2] else 1.0 for gap in range(gaps)], rows)
        if widest[2]:
            failed += 1
            if failed == 2 and not found:
                break
            continue
        # A gap's labels lie between its two columns, so each crowded gap is narrowed
        # on its own by halving: between what is too narrow and what is wide enough.
        low = {gap: 1.0 for gap in first[2]}
        high = {gap: MAX_SPREAD for gap in first[2]}
        while any(high[g] - low[g] > SPREAD_STEP + 1e-9 for g in low):
            middle = [high.get(g, 1.0) for g in range(gaps)]
            for g in low:
                if high[g] - low[g] > SPREAD_STEP + 1e-9:
                    middle[g] = round((low[g] + high[g]) / 2 / SPREAD_STEP) * SPREAD_STEP
            tried = attempt(middle, rows)
            for g in low:
                if middle[g] < high[g]:
                    if g in tried[2]:
                        low[g] = middle[g]
                    else:
                        high[g] = middle[g]
        narrowest = attempt([high.get(g, 1.0) for g in range(gaps)], rows)
        found.append(narrowest if not narrowest[2] else widest)
    if not found:
        return widest[:2]  # no room anywhere: the widest tried, where labels clash least
    # Of the clear layouts, the one a 16:9 screen (or slide) shows largest.
    return min(found, key=lambda layout: _screen_size(layout[0], widths, columns,
                                                       has_error))[:2]


def _screen_size(place: dict[str, str], widths: dict[str, str], columns: list[list[str]],
                 has_error: bool) -> float:
    """How wide (in inches) a 16:9 screen must be to show the circles of ``place``
    and a caption above them: smaller shows them larger.

    >>> widths = {"input": "1", "neuron": "1", "error": "1"}
    >>> _screen_size({"a": "0,0!", "b": "15,0!"}, widths, [["a"], ["b"]], False)
    16.0
    >>> _screen_size({"a": "0,0!", "b": "0,-8!"}, widths, [["a"], ["b"]], False)
    17.605
    """
    circles = _circles(place, widths, columns, has_error).values()
    across = max(x + r for x, _, r in circles) - min(x - r for x, _, r in circles)
    down = max(y + r for _, y, r in circles) - min(y - r for _, y, r in circles)
    return round(max(across, (down + CAPTION_HEIGHT) * 16 / 9) / 72, 3)


def _positions(columns: list[list[str]], compact: bool, rankdir: str,
               has_error: bool = False, spread: float | Sequence[float] = 1.0,
               rows: float = 1.0) -> dict[str, str]:
    """A pinned ``pos`` for every node: columns left to right (or rows top to bottom
    for ``rankdir='TB'``), each centred, first neuron on top; ``spread`` times the
    usual distance between columns (one number, or one for each gap in order), and
    ``rows`` times the usual distance between rows.

    >>> _positions([["x1"], ["h1", "h2"], ["E"]], False, "LR", has_error=True)
    {'x1': '0.000,0.000!', 'h1': '3.900,1.150!', 'h2': '3.900,-1.150!', 'E': '7.300,0.000!'}
    >>> _positions([["x1"], ["h1"], ["E"]], False, "LR", True, [2.0, 1.0])["E"]
    '11.200,0.000!'
    """
    spreads = [spread] * len(columns) if isinstance(spread, (int, float)) else list(spread)
    after_inputs, between, before_error = COLUMN_GAPS[compact]
    down = ROW_GAP[compact] * rows
    place = {}
    across = 0.0
    for c, column in enumerate(columns):
        if c == 1:
            across += after_inputs * spreads[0]
        elif c == len(columns) - 1 and has_error and c > 1:
            across += before_error * spreads[c - 1]
        elif c > 1:
            across += between * spreads[c - 1]
        middle = (len(column) - 1) / 2
        step = down
        if c == 0 and not compact and len(columns) > 1 and len(columns[1]) > len(column) > 1:
            # Inputs fewer than the first layer's neurons span half its height: the
            # lines from them fan out less, and their labels find room beside them.
            step = max(down, down * (len(columns[1]) - 1) / (len(column) - 1) / 2)
        for r, name in enumerate(column):
            x, y = across, (middle - r) * step
            if rankdir in ("TB", "BT"):
                # Rows closer than columns when compact (a TB picture of a wide layer
                # is wide); with every number printed, as far apart as columns: the
                # labels between two layers need the room either way.
                x, y = (r - middle) * step * 1.6, -across * (0.6 if compact else 1.0)
            if rankdir == "RL":
                x = -x
            if rankdir == "BT":
                y = -y
            place[name] = f"{x:.3f},{y:.3f}!"
    return place


def _kinds(columns: list[list[str]], has_error: bool) -> dict[str, str]:
    """Each node's kind, as ``NODE_SIZE`` names it: input, neuron or error."""
    kinds = ["input", *["neuron"] * (len(columns) - 1)]
    if has_error:
        kinds[-1] = "error"
    return {name: k for k, column in zip(kinds, columns) for name in column}


def _circles(place: dict[str, str], widths: dict[str, str], columns: list[list[str]],
             has_error: bool) -> dict[str, tuple[float, float, float]]:
    """Each node's circle (centre and radius, in points)."""
    kind = _kinds(columns, has_error)
    return {name: _circle(place[name], widths[kind[name]]) for name in kind}


def _circle(pos: str, width: str) -> tuple[float, float, float]:
    """A pinned circle (``pos`` in inches, as ``_positions`` writes it) as centre and
    radius in points.

    >>> _circle("1.000,-0.500!", "2.0")
    (72.0, -36.0, 72.0)
    """
    x, y = map(float, pos.rstrip("!").split(","))
    return x * 72, y * 72, float(width) * 72 / 2


@dataclass(frozen=True)
class EdgeLabel:
    """A label to place beside the line from ``tail`` to ``head``: a weight's (first
    tried ``fraction`` of the way along its visible line from the tail) or an error
    edge's (``fraction`` None: the middle of the line first, on ``sides`` in that
    order)."""

    tail: str
    head: str
    text: str
    fraction: float | None
    sides: tuple[int, int] = (1, -1)


def _label_spots(place: dict[str, str], widths: dict[str, str], columns: list[list[str]],
                 has_error: bool, labels: list[EdgeLabel]
                 ) -> tuple[dict[tuple[str, str], dict[str, str]], set[int]]:
    """Each label's Graphviz attributes (``taillabel``, ``labelangle``,
    ``labeldistance``) by (tail, head), placed in order, and the gaps between
    columns (0: after the inputs) where a label found no clear spot."""
    circle = _circles(place, widths, columns, has_error)
    # Every line of the picture: each column is joined to the next, every pair.
    lines = [(circle[a], circle[b]) for left, right in zip(columns, columns[1:])
             for a in left for b in right]
    column_of = {name: c for c, column in enumerate(columns) for name in column}

    def in_order(order: list[EdgeLabel]) -> tuple[dict[tuple[str, str], dict[str, str]],
                                                  list[EdgeLabel]]:
        placer = LabelPlacer(circle.values(), float(SMALL_TEXT), lines)
        spots, stuck = {}, []
        for label in order:
            fractions = (ERROR_LABEL_FRACTIONS if label.fraction is None
                         else (label.fraction, *WEIGHT_LABEL_FRACTIONS))
            # No clear spot: the label narrower, if it can be; else as it was.
            for text in dict.fromkeys([label.text, _narrow(label.text)]):
                placer.crowded = False
                angle, distance = placer.place(circle[label.tail], circle[label.head],
                                               text, fractions, label.sides)
                if not placer.crowded:
                    break
                placer.placed.pop()
            else:
                text = label.text
                angle, distance = placer.place(circle[label.tail], circle[label.head],
                                               text, fractions, label.sides)
            if placer.crowded:
                stuck.append(label)
            spots[label.tail, label.head] = {"taillabel": text, "labelangle": angle,
                                             "labeldistance": distance}
        return spots, stuck

    spots, stuck = in_order(labels)
    if stuck:
        # Labels placed first take the spots that suit them; the ones left with none
        # may find one if they choose first.
        again, stuck_again = in_order([*stuck, *(x for x in labels if x not in stuck)])
        if len(stuck_again) < len(stuck):
            spots, stuck = again, stuck_again
    crowded = {column_of[label.tail] for label in stuck}
    return spots, crowded


def _narrow(label: str) -> str:
    """``label`` a little narrower where it can be: a weight's name on a line of its
    own, above its value.

    >>> _narrow("L1.N2.w2 = -1.599426119\\ngrad 0.5")
    'L1.N2.w2\\n= -1.599426119\\ngrad 0.5'
    >>> _narrow("target 1")
    'target 1'
    """
    first, *rest = label.split("\n")
    name, equals, value = first.partition(" = ")
    return "\n".join([name, equals.lstrip() + value, *rest]) if equals else label


# -- the model --------------------------------------------------------------------------


def network_neurons(model: Any) -> tuple[list[list[NetworkNeuron]], list[int]]:
    """``model`` (an ``MLP``, ``Layer`` or ``Neuron``) as the picture sees it: its
    neurons layer by layer, each named and with its named weights and bias, and the
    size of each layer. Nothing runs: see :func:`forward_neurons`.

    >>> from autograd_tiny import MLP
    >>> layers, sizes = network_neurons(MLP(2, [2, 1], seed=0))
    >>> sizes, [n.name for n in layers[0]], [name for name, _ in layers[1][0].weights]
    ([2, 1], ['L1.N1', 'L1.N2'], ['L2.N1.w1', 'L2.N1.w2'])
    """
    if isinstance(model, MLP):
        layers = [layer.neurons for layer in model.layers]
    elif isinstance(model, Layer):
        layers = [model.neurons]
    elif isinstance(model, Neuron):
        layers = [[model]]
    else:
        raise TypeError(f"draw_network: model must be an MLP, Layer or Neuron, "
                        f"got {type(model).__name__}")
    drawn: list[list[NetworkNeuron]] = []
    for i, layer in enumerate(layers, 1):
        row = []
        for j, neuron in enumerate(layer, 1):
            name = _neuron_name(neuron, i, j, len(layers), len(layer))
            weights = [(w.label or f"{name}.w{k}", w) for k, w in enumerate(neuron.w, 1)]
            bias = (neuron.b.label or f"{name}.b", neuron.b)
            row.append(NetworkNeuron(name, i, weights, bias, neuron))
        drawn.append(row)
    return drawn, [len(layer) for layer in layers]


def _neuron_name(neuron: Any, i: int, j: int, layers: int, width: int) -> str:
    """A name the model gave the neuron, else the module part of its weights' labels
    (contract C: ``L1.N2`` of ``L1.N2.w1``), else ``L{i}.N{j}``."""
    given = getattr(neuron, "name", None)
    if isinstance(given, str) and given:
        return given
    label = neuron.w[0].label if neuron.w else ""
    if isinstance(label, str) and module_of(label):
        return module_of(label)
    return f"L{i}.N{j}"


def forward_neurons(neurons: list[list[NetworkNeuron]], values: list[Value]) -> list[Value]:
    """Runs the model on ``values`` neuron by neuron (each ``nn.Neuron``'s own
    forward), keeps each neuron's net and out nodes in it, and returns the outputs.

    >>> from autograd_tiny import MLP, Value
    >>> layers, _ = network_neurons(MLP(2, [1], output_activation="sigmoid", seed=0))
    >>> (out,) = forward_neurons(layers, [Value(1.0), Value(-1.0)])
    >>> neuron = layers[0][0]
    >>> neuron.out is out, neuron.net is out._prev[0], out._op.name
    (True, True, 'sigmoid')
    """
    current = values
    for layer in neurons:
        outputs = []
        for n in layer:
            out = _run_neuron(n, current)
            n.out = out
            n.net = out._prev[0] if _is_activation(out) else out
            outputs.append(out)
        current = outputs
    return current


def _run_neuron(n: NetworkNeuron, inputs: list[Value]) -> Value:
    # The model's own forward runs (with the net/out labels the nn side sets).
    out = n.module(inputs)
    if not isinstance(out, Value):
        raise TypeError(f"draw_network: neuron {n.name} returned {type(out).__name__}, "
                        f"not a Value")
    return out


def _is_activation(out: Value) -> bool:
    name = getattr(out._op, "name", str(out._op))
    return len(out._prev) == 1 and name in ("relu", "tanh", "sigmoid", "leaky_relu")


def _input_names(given: Sequence[str] | None, nin: int) -> list[str]:
    if given is None:
        return [f"x{k}" for k in range(1, nin + 1)]
    names = list(given)
    if len(names) != nin or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"draw_network: input_names must be {nin} non-empty strings")
    return names


def _check(inputs: Any, target: Any, loss: Any, detail: Any, nin: int, nout: int) -> None:
    for what, value, size in (("inputs", inputs, nin), ("target", target, nout)):
        if value is None:
            continue
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(f"draw_network: {what} must be a list of numbers, "
                            f"got {type(value).__name__}")
        if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in value):
            raise TypeError(f"draw_network: {what} must be a list of numbers")
        if len(value) != size:
            raise ValueError(f"draw_network: the model has {size} "
                             f"{'inputs' if what == 'inputs' else 'outputs'}, "
                             f"got {len(value)} {what}")
    if target is not None and inputs is None:
        raise ValueError("draw_network: a target needs inputs (the error is of the outputs "
                         "for those inputs)")
    if loss is not None and not callable(loss):
        raise TypeError(f"draw_network: loss must be a function (outputs, target) -> Value, "
                        f"got {type(loss).__name__}")
    if loss is not None and target is None:
        raise ValueError("draw_network: loss needs a target")
    if detail not in ("auto", "full", "compact"):
        raise ValueError(f"draw_network: detail must be 'auto', 'full' or 'compact', "
                         f"got {detail!r}")


@dataclass
class _Highlight:
    """The highlighted parameter, its name, the neurons that hold it (a weight one, a
    bias shared by a layer each of its neurons), and whether it is a bias."""

    name: str
    parameter: Value
    neurons: list[NetworkNeuron]
    is_bias: bool


def _highlighted(highlight: Value | str | None,
                 neurons: list[list[NetworkNeuron]]) -> _Highlight | None:
    if highlight is None:
        return None
    if not isinstance(highlight, (Value, str)):
        raise TypeError(f"draw_network: highlight must be a weight or a bias (a Value) or "
                        f"its name, got {type(highlight).__name__}")
    known: list[str] = []
    found: _Highlight | None = None
    for layer in neurons:
        for n in layer:
            for name, p in [*n.weights, n.bias]:
                if name not in known:
                    known.append(name)
                if not (p is highlight or name == highlight):
                    continue
                is_bias = p is n.bias[1]
                if found is None:
                    found = _Highlight(name, p, [], is_bias)
                if p is found.parameter and all(m is not n for m in found.neurons):
                    found.neurons.append(n)  # a tied bias: every neuron it is the bias of
    if found is not None:
        return found
    if isinstance(highlight, Value):
        raise ValueError("draw_network: highlight is not a weight or a bias of this model")
    shown = ", ".join(known[:6]) + (", ..." if len(known) > 6 else "")
    raise ValueError(f"draw_network: no weight or bias named {highlight!r} "
                     f"(parameters: {shown})")


def _routes(neurons: list[list[NetworkNeuron]], chosen: _Highlight | None,
            error_name: str | None) -> tuple[set[str], int]:
    """The neurons on a route from the highlighted parameter to the outputs (and the
    error, if drawn), and how many routes there are: each layer is fully connected to
    the next, so a neuron in layer i starts (size of layer i+1) * ... routes, and a
    bias shared by several neurons starts that many from each."""
    if chosen is None:
        return set(), 0
    on_route = {n.name for n in chosen.neurons}
    count = 0
    for n in chosen.neurons:
        routes = 1
        for layer in neurons[n.layer:]:
            routes *= len(layer)
            on_route.update(m.name for m in layer)
        count += routes
    if error_name is not None:
        on_route.add(error_name)
    return on_route, count


def _check_error_name(name: Any, taken: list[str]) -> None:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"draw_network: error_name must be a non-empty str, got {name!r}")
    if name in taken:
        raise ValueError(f"draw_network: error_name {name!r} is already the name of an "
                         f"input or a neuron")


def _reached(show: Any, neurons: list[list[NetworkNeuron]], target: Any) -> set[str] | None:
    """``show_gradients`` as the set of neurons backpropagation has reached, or None
    for all of them (True) or none to draw (False)."""
    if isinstance(show, bool):
        return None
    if isinstance(show, (str, bytes)) or not isinstance(show, Collection):
        raise TypeError(f"draw_network: show_gradients must be True, False or a list of "
                        f"neuron names, got {show!r}")
    names = [n.name for layer in neurons for n in layer]
    unknown = [name for name in show if name not in names]
    if unknown:
        raise ValueError(f"draw_network: show_gradients names no neuron {unknown[0]!r} "
                         f"(neurons: {', '.join(names)})")
    if target is None:
        raise ValueError("draw_network: show_gradients as neuron names needs a target "
                         "(they are the error's gradients)")
    return set(show)


def _gradients_so_far(neurons: list[list[NetworkNeuron]], reached: set[str],
                      gradients: dict[Value, float]) -> dict[Value, float]:
    """The parameters' gradients once backpropagation has reached the neurons
    ``reached``: a weight's once its neuron is reached; a bias's is the sum of the
    deltas of the reached neurons that hold it (dnet/db = 1), complete once all are."""
    known: dict[Value, float] = {}
    holders: dict[Value, list[NetworkNeuron]] = {}
    for layer in neurons:
        for n in layer:
            holders.setdefault(n.bias[1], []).append(n)
            if n.name in reached:
                known.update((w, gradients[w]) for _, w in n.weights)
    for bias, held in holders.items():
        done = [n for n in held if n.name in reached and n.delta is not None]
        if len(done) == len(held):
            known[bias] = gradients[bias]  # the whole sum, as the backward pass left it
        elif done:
            known[bias] = math.fsum(n.delta for n in done if n.delta is not None)
    return known


def _d(name: str) -> str:
    """``dE`` for a plain name, ``d(E + R)`` for an expression (as the text writes it)."""
    return "d" + name if all(ch.isalnum() or ch in "_.'#" for ch in name) else f"d({name})"


# -- text ---------------------------------------------------------------------------------


def _num(x: float, compact: bool) -> str:
    return number(x) if compact else number_text(round(x, 9))


def _neuron_label(n: NetworkNeuron, compact: bool, gradient_of: Callable[[Value], float | None],
                  highlighted_bias: bool = False, pending: bool = False) -> str:
    lines = [f"<b>{html.escape(n.name)}</b>"]
    if n.out is not None:
        if compact:
            lines.append(_num(n.out.data, True))
        else:
            assert n.net is not None
            if n.net is not n.out:
                lines.append(f"net {_num(n.net.data, False)}")
                lines.append(f"out {_num(n.out.data, False)}")
            else:  # a linear neuron: its output is its net node (named .net, as text says)
                lines.append(f"net = out {_num(n.out.data, False)}")
    if not compact:
        if n.delta is not None:
            lines.append(f"{DELTA} {_num(n.delta, False)}")
        elif pending:
            lines.append(f"{DELTA} ?")
        name, bias = n.bias
        g = gradient_of(bias)
        short = "b" if name == f"{n.name}.b" else html.escape(name)
        font = (f'<font point-size="{SMALL_TEXT}"'
                + (f' color="{HIGHLIGHT_COLOR}"' if highlighted_bias else "") + ">")
        # Two lines, like a weight's label (its value, then its gradient): one line
        # would not fit the circle at the size of the edges' text.
        lines.append(f"{font}{short} {_num(bias.data, False)}</font>")
        if g is not None:
            lines.append(f"{font}grad {_num(g, False)}</font>")
        elif pending:
            lines.append(f"{font}grad ?</font>")
    return "<" + "<br/>".join(lines) + ">"


def _neuron_tooltip(n: NetworkNeuron, gradient_of: Callable[[Value], float | None],
                    error_name: str = "E", pending: bool = False) -> str:
    parts = [n.name]
    if n.net is not None and n.out is not None:
        parts.append(f"net = {number_text(n.net.data)}")
        parts.append(f"out = {number_text(n.out.data)}")
    if n.delta is not None:
        parts.append(f"delta {_d(error_name)}/dnet = {number_text(n.delta)}")
    elif pending:
        parts.append(f"delta {_d(error_name)}/dnet = ?")
    name, bias = n.bias
    parts.append(_weight_text(name, bias, gradient_of(bias), error_name, pending))
    return "; ".join(parts)


def _weight_label(name: str, weight: Value, g: float | None, pending: bool = False) -> str:
    text = f"{name} = {number_text(round(weight.data, 9))}"
    if g is not None:
        text += f"\ngrad {number_text(round(g, 9))}"
    elif pending:  # a step of backpropagation that has not reached this weight yet
        text += "\ngrad ?"
    return text


def _weight_text(name: str, weight: Value, g: float | None, error_name: str = "E",
                 pending: bool = False) -> str:
    text = f"{name} = {number_text(weight.data)}"
    if g is not None:
        text += f", {_d(error_name)}/{_d(name)} = {number_text(g)}"
    elif pending:
        text += f", {_d(error_name)}/{_d(name)} = ?"
    return text


def _scale(neurons: list[list[NetworkNeuron]], gradient_of: Callable[[Value], float | None]) -> float:
    sizes = []
    for layer in neurons:
        for n in layer:
            for _, w in n.weights:
                g = gradient_of(w)
                sizes.append(abs(g if g is not None else w.data))
    return max(sizes, default=0.0)


def _grey(size: float) -> str:
    """Light grey for small, near black for the largest."""
    level = int(0xc8 - (0xc8 - 0x20) * min(1.0, size))
    return f"#{level:02x}{level:02x}{level:02x}"


def _caption(neurons: list[list[NetworkNeuron]], error: Value | None,
             chosen: _Highlight | None, route_count: int, compact: bool, has_gradients: bool,
             e: str = "E") -> str:
    sizes = [len(layer) for layer in neurons]
    nin = len(neurons[0][0].weights)
    # Distinct parameters: a bias tied across a layer counts once.
    parameters = len({id(p) for layer in neurons for n in layer
                      for p in [*(w for _, w in n.weights), n.bias[1]]})
    lines = [f"network {nin} -> {' -> '.join(map(str, sizes))}: {parameters} parameters"]
    if error is not None and not compact:
        lines.append(f"{e} = {number_text(error.data)}; in each neuron: net, out, "
                     f"{DELTA} = {_d(e)}/dnet, bias; on each edge: the weight and {_d(e)}/dw")
    elif error is not None:
        lines.append(f"{e} = {number_text(error.data)}; in each neuron: its out (hover for "
                     f"net, {DELTA} = {_d(e)}/dnet and the bias)")
    if compact:
        lines.append("edge width and shade: size of "
                     + ("the gradient" if has_gradients else "the weight")
                     + "; hover for every number")
    if chosen is not None:
        start = e if error is not None else "the outputs"
        line = (f"{route_count} route{'s' * (route_count != 1)} from {start} back to "
                f"{chosen.name} (in red)")
        if chosen.is_bias:
            holders = [n.name for n in chosen.neurons]
            line += (f": the bias of {', '.join(holders[:-1])} and {holders[-1]}"
                     if len(holders) > 1 else f": the bias of {holders[0]}")
        lines.append(line)
    return "".join(plain_text(line) + "\\l" for line in lines)
