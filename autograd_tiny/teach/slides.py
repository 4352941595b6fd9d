"""Lecture slides of backpropagation: self-contained HTML that works offline, on a
projector, on paper and inline in a notebook.

The frames follow the computation: the forward pass, node by node, then backward
one step at a time (a frame per step of :func:`~autograd_tiny.teach.backward_steps`),
then the gradients it found. Every frame is the graph's SVG with the current node and
edge in focus and the running gradients in the nodes; the step's arithmetic sits in a
callout under the node or edge in focus, joined to it by a line.

- :func:`write_slides` writes one HTML page to present (keys, buttons, go to a slide
  by number, a larger font, a legend to hide) or, with ``handout=True``, a page that
  prints one frame per sheet. Printing the presenting page gives the same sheets.
- :func:`show_backward` returns a :class:`Slides` deck that a notebook displays inline
  as a stepper: plain HTML and JavaScript, no server, no widget extension.

Text is sized for a lecture hall: it scales with the window, and the graph is never
drawn with text smaller than 14 px, but on the first frame, which shows the whole
graph, however small that makes it: the overview the lecture starts from. Each frame
shows whole, without scrolling: where a step's arithmetic is long, its text steps down
(never below the page's own text size) until the graph fits above it; only a graph too
big even then scrolls, following the focus: the nodes it joins shown whole with it, and
the frame's edges between boxes rather than through them wherever that can be.
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

import bisect
import difflib
import html
import json
import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..core.engine import Value
from ..core.files import write_atomically
from ..core.graph import GraphSnapshot, number_text, snapshot
from .notation import derivative_text, formula, local_derivative_text
from .stepping import backward_steps
from ..draw.renderer import (RendererNotFound, find_renderer, missing_renderer_message,
                             run_renderer)
from ..draw.dot import (DEFAULT_MAX_NODES, FOCUS_COLOR, FOCUS_FILL, INTERMEDIATE_FILL,
                        LEAF_FILL, OUTPUT_FILL, draw_dot)

MAX_STEPS = 400  # a frame each: past this, a lecture cannot follow them anyway
# Graph text in the slides' SVG, in Graphviz points (the SVG's own units). The page
# never draws the graph smaller than its natural size in CSS pixels, so on screen this
# is the smallest text of the graph: 14 px, larger when the graph fits bigger.
GRAPH_FONT_SIZE = 14
MIN_GRAPH_TEXT_PX = 14
# The drawing's focus orange (#ff7f0e) has a contrast of 2.5:1 on white, too faint for a
# washed-out projector: the slides draw the focus in a darker orange, 6.1:1.
SLIDE_FOCUS = "#a84300"

# Every (text colour, background) pair the slides use, with what it is; each must
# reach WCAG AA for normal text (contrast ratio 4.5:1). Graph text is black on the
# node fills; see ``contrast_ratio``.
COLOR_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("page text", "#111111", "#ffffff"),
    ("muted text (frame count, row names)", "#4a4a4a", "#ffffff"),
    ("navigation bar text", "#ffffff", "#1f3a5f"),
    ("navigation hints", "#d7dbe6", "#1f3a5f"),
    ("button text", "#111111", "#e8edf5"),
    ("callout text", "#111111", "#fff7ef"),
    ("callout heading (focus colour)", SLIDE_FOCUS, "#fff7ef"),
    ("focused edge number", SLIDE_FOCUS, "#ffffff"),
    ("graph text on an input or weight", "#000000", LEAF_FILL),
    ("graph text on an intermediate value", "#000000", INTERMEDIATE_FILL),
    ("graph text on the output", "#000000", OUTPUT_FILL),
    ("graph text on the node in focus", "#000000", FOCUS_FILL),
    ("graph edge numbers", "#000000", "#ffffff"),
)


@dataclass(frozen=True)
class Frame:
    """One slide: what kind it is, a heading, (what, arithmetic) lines, the SVG."""

    kind: str  # "forward", "start", "step" or "done"
    heading: str
    lines: tuple[tuple[str, str], ...]
    svg: str
    anchor: str = "edge"  # what the callout points at: the edge in focus, or the "node"


class Slides:
    """A deck of frames. In a notebook it displays itself inline as a stepper
    (``_repr_html_``); ``page()`` is the HTML of a page to present or print,
    ``save(path)`` writes it.

    >>> deck = Slides("t", [Frame("step", "s1", (("local", "2 * 3 = 6"),), "<svg></svg>")])
    >>> deck, len(deck)
    (Slides('t', 1 frame: 1 step), 1)
    >>> '<span class="atg-term">2 * 3</span> <span class="atg-term">= 6</span>' in (
    ...     deck._repr_html_())
    True
    """

    def __init__(self, title: str, frames: list[Frame], legend: str | None = None) -> None:
        self.title = title
        self.frames = list(frames)
        self.legend = legend  # the legend's HTML; None: the computation graph's

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        kinds = [frame.kind for frame in self.frames]
        counts = ", ".join(f"{kinds.count(kind)} {kind}"
                           f"{'s' if kind == 'step' and kinds.count(kind) != 1 else ''}"
                           for kind in dict.fromkeys(kinds))
        count = len(kinds)
        return f"Slides({self.title!r}, {count} frame{'' if count == 1 else 's'}: {counts})"

    def page(self, handout: bool = False) -> str:
        """The HTML of a whole page: the presenting page, or the handout."""
        return page(self.title, self.frames, handout=handout, legend=self.legend)

    def save(self, path: str | os.PathLike[str], handout: bool = False) -> Path:
        """Writes ``page(handout)`` to ``path`` (atomically) and returns the path."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Slides.save: path must be a str or a path, "
                            f"got {type(path).__name__}")
        path = _html_path(path, "Slides.save")
        if not path.parent.is_dir():
            raise FileNotFoundError(f"Slides.save: folder {str(path.parent)!r} does not exist")
        write_atomically(path, self.page(handout).encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        return deck_html(self.title, self.frames, f"atg{secrets.token_hex(4)}", inline=True,
                         legend=self.legend)


def write_slides(root: Value, path: str | os.PathLike[str], *, title: str | None = None,
                 rankdir: str = "LR", max_steps: int = MAX_STEPS,
                 max_nodes: int = DEFAULT_MAX_NODES, handout: bool = False) -> Path:
    """Writes the slides for ``root``'s forward and backward pass to ``path`` (one
    HTML file, written atomically) and returns the path. ``handout=True`` writes the
    printable page instead: every frame, one per printed sheet, no buttons.

    Backward runs inside (step by step) on gradients starting from zero; every
    node's ``.grad`` is put back as it was afterwards. ``max_steps`` guards against
    graphs too big for slides (a ``ValueError`` says how many steps there are).
    Needs a Graphviz renderer (``RendererNotFound`` says how to get one).

    >>> import tempfile, pathlib
    >>> from autograd_tiny import Value, find_renderer
    >>> y = Value(2.0, label="x") * 3; y.label = "y"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     text = (find_renderer() and write_slides(y, pathlib.Path(folder) / "h.html",
    ...                                               handout=True).read_text())
    ...     text is None or ('class="atg-deck atg-handout"' in text and "<script" not in text)
    True
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"write_slides: path must be a str or a path, got {type(path).__name__}")
    path = _html_path(path, "write_slides")
    deck = build_slides(root, title=title, rankdir=rankdir, max_steps=max_steps,
                        max_nodes=max_nodes, who="write_slides", folder=path.parent)
    write_atomically(path, deck.page(handout).encode("utf-8"))
    return path


def _html_path(path: str | os.PathLike[str], who: str) -> Path:
    """``path`` if it names an HTML file: slides are one HTML page, and a page written
    to ``slides.svg`` or ``slides.png`` would be a file no viewer opens as named."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"{who}: slides are one HTML page; give a file name ending in "
                         f".html, got {str(path)!r}")
    return path


def show_backward(root: Value, *, title: str | None = None, rankdir: str = "LR",
                  max_steps: int = 120, max_nodes: int = DEFAULT_MAX_NODES) -> Slides:
    """The slides of ``root``'s backward pass as a :class:`Slides` deck: the last line
    of a notebook cell, it displays inline as a stepper (buttons, and the arrow keys
    once you click it). Several on one page step independently, and the saved
    notebook keeps them working when opened later (trusted, as notebooks you ran
    yourself are). ``deck.save("slides.html")`` writes the presenting page.

    >>> from autograd_tiny import Value, find_renderer
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + a; L.label = "L"
    >>> shown = "Slides('Backpropagation through L', 7 frames: 1 forward, 1 start, 4 steps, 1 done)"
    >>> find_renderer() is None or repr(show_backward(L)) == shown
    True
    """
    return build_slides(root, title=title, rankdir=rankdir, max_steps=max_steps,
                        max_nodes=max_nodes, who="show_backward")


def build_slides(root: Value, *, title: str | None = None, rankdir: str = "LR",
                 max_steps: int = MAX_STEPS, max_nodes: int = DEFAULT_MAX_NODES,
                 who: str = "build_slides", folder: Path | None = None) -> Slides:
    """The frames of ``root``'s forward and backward pass, as a :class:`Slides` deck
    (what ``write_slides`` writes and ``show_backward`` shows).

    >>> from autograd_tiny import Value
    >>> y = Value(2.0, label="x") * 3; y.label = "y"
    >>> deck = build_slides(y) if find_renderer() else None
    >>> deck is None or [frame.kind for frame in deck.frames] == [
    ...     "forward", "start", "step", "step", "done"]
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"{who}: root must be a Value, got {type(root).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{who}: title must be a str, got {type(title).__name__}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int):
        raise TypeError(f"{who}: max_steps must be an int, got {type(max_steps).__name__}")
    graph = snapshot(root)  # once for the deck: its order and names, shared by every frame
    order = list(graph.order)
    steps = sum(len(node._prev) for node in order)
    if steps > max_steps:
        raise ValueError(f"{who}: backward takes {steps:,} steps here, more than "
                         f"max_steps={max_steps:,}; slides are for small graphs (pass a "
                         f"larger max_steps to draw them anyway)")
    if folder is not None and not folder.is_dir():
        raise FileNotFoundError(f"{who}: folder {str(folder)!r} does not exist")
    # Looked up once, and before any gradient is touched: no renderer, no work done.
    binary = find_renderer()
    if binary is None:
        raise RendererNotFound(missing_renderer_message())
    names = graph.names
    title = title or f"Backpropagation through {names[root]}"
    saved = [node.grad for node in order]
    try:
        frames = _rendered(list(_frames(graph, names, rankdir, max_nodes)), binary)
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
    return Slides(title, frames)


def _frames(graph: GraphSnapshot, names: Mapping[Value, str], rankdir: str,
            max_nodes: int) -> Iterator[Frame]:
    """The deck's frames, each ``svg`` still the DOT source (``_rendered`` draws them)."""
    root, order = graph.root, list(graph.order)

    def svg(show_grad: bool = True, node: Value | None = None,
            edge: tuple[Value, Value, int] | None = None) -> str:
        drawing = draw_dot(root, rankdir=rankdir, show_grad=show_grad, max_nodes=max_nodes,
                           focus_node=node, focus_edge=edge, snapshot=graph)
        slide_graph(drawing, rankdir)  # in place
        return str(drawing.source)

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


# Renderer processes run at once: a frame's layout is most of a deck's time, and the
# frames are independent once their DOT text is written.
RENDER_THREADS = max(1, min(8, os.cpu_count() or 1))


def _rendered(frames: list[Frame], binary: str) -> list[Frame]:
    """``frames`` with each ``svg``, DOT source until now, drawn as SVG by ``binary``:
    several renderer processes at a time (threads only wait for them), in order."""
    def draw(source: str) -> str:
        return run_renderer(source, "svg", binary).decode("utf-8")

    if RENDER_THREADS == 1 or len(frames) < 2:
        svgs = [draw(frame.svg) for frame in frames]
    else:
        with ThreadPoolExecutor(RENDER_THREADS) as pool:
            svgs = list(pool.map(draw, [frame.svg for frame in frames]))
    return [replace(frame, svg=svg) for frame, svg in zip(frames, svgs)]


def _forward_stops(order: list[Value]) -> list[Value]:
    """The nodes the forward frames show, inputs first: the labelled ones (the names
    a lecture uses), or every op of a graph with no labelled ops. In the order a
    person works the expression out, each operand (left one first) before the op
    that uses it, as the model computes: h1's neuron, then h2's, not by level.

    >>> from autograd_tiny import Value
    >>> x = Value(1.0, label="x")
    >>> h1, h2 = x * 2, x * 3; h1.label, h2.label = "h1", "h2"
    >>> o = h1.tanh() + h2.tanh(); o.label = "o"
    >>> from autograd_tiny.core.engine import reverse_topological_order
    >>> [n.label for n in _forward_stops(reverse_topological_order(o))]
    ['h1', 'h2', 'o']
    """
    ops = [node for node in _evaluation_order(order[0]) if node._prev] if order else []
    labelled = [node for node in ops if node.label]
    return labelled or ops


def _evaluation_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, each after its operands, operands in the
    order the op took them (a depth-first walk, iterative: no recursion on depth)."""
    done: set[Value] = set()
    result: list[Value] = []
    stack: list[tuple[Value, int]] = [(root, 0)]
    while stack:
        node, k = stack.pop()
        if node in done:
            continue
        parents = node._prev
        while k < len(parents) and parents[k] in done:
            k += 1
        if k < len(parents):
            stack.append((node, k + 1))
            stack.append((parents[k], 0))
        else:
            done.add(node)
            result.append(node)
    return result


_RECORD_ROW = re.compile(r'label="\{ (.*) \}"')


def slide_graph(graph: object, rankdir: str = "LR") -> object:
    """``draw_dot``'s graph made for a slide: all text ``GRAPH_FONT_SIZE`` points, no
    legend node (the page has a legend of its own, which can be hidden), and, left to
    right, each value's fields stacked (name, data, grad) so that the graph is about
    as wide as it is tall and fits a 16:9 screen with its text large.

    >>> from autograd_tiny import Value, draw_dot
    >>> source = slide_graph(draw_dot(Value(1.0, label="a") * 2)).source
    >>> "legend" in source, source.count('fontsize=14'), 'label="a | data 1.0000' in source
    (False, 2, True)
    """
    attributes = (getattr(graph, "node_attr", None), getattr(graph, "edge_attr", None))
    for table in attributes:
        if isinstance(table, dict):
            table["fontsize"] = str(GRAPH_FONT_SIZE)
    body = getattr(graph, "body", None)
    if isinstance(body, list):
        body[:] = [line for line in body if not line.lstrip().startswith("legend ")]
        if rankdir in ("LR", "RL"):  # a record's fields then run top to bottom
            body[:] = [_RECORD_ROW.sub(r'label="\1"', line) for line in body]
    return graph


# -- a network, layer by layer -------------------------------------------------------------

_EDGE_INTO = r'^\t(?:"[^"]*"|[^\s"]+) -> "?{name}"? \['


def network_slides(model: object, inputs: Sequence[float], target: Sequence[float],
                   loss: Callable[[list[Value], list[float]], Value] | None = None, *,
                   lr: float = 0.5, title: str | None = None,
                   input_names: Sequence[str] | None = None, biases: bool = True,
                   error_name: str = "E") -> Slides:
    """Slides of a model's backward pass in the network's words, layer by layer as
    backpropagation is taught: the forward pass, then the output layer's neurons
    (each one's dE/dout, ∂out/∂net, its delta dE/dnet and its weights' gradients),
    then each hidden layer back to the inputs, ending with the update of every
    weight (``w - lr * dE/dw``; the biases too unless ``biases=False``, as in Mazur's
    example, which updates the weights only). Every frame is the network picture of
    :func:`~autograd_tiny.draw_network` with the neuron at work in focus and only
    what backpropagation has worked out by then (the deltas and gradients of the
    neurons it has reached, a shared bias's sum so far, ``?`` for the rest), and every
    name the text uses is printed in it. ``loss`` defaults to Mazur's
    E = sum 1/2 (target - out)^2; the model's gradients are left as they were.
    ``error_name`` is what the picture and the text call the error: ``'E'``, or the
    name the text around the slides uses (the demo passes Mazur's ``'E_total'``).
    A network as small as Mazur's fits a 16:9 window whole (1280x720, 1920x1080)
    with its text at the slides' lecture-hall size; a bigger one scrolls to the
    neuron in focus.

    >>> from autograd_tiny import MLP, find_renderer
    >>> model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    >>> shown = ("Slides('Backpropagation through a 2 -> 2 -> 2 network', "
    ...          "6 frames: 1 forward, 4 steps, 1 done)")
    >>> find_renderer() is None or repr(network_slides(model, [0.05, 0.1], [0.01, 0.99])) == shown
    True
    >>> deck = find_renderer() and network_slides(model, [0.05, 0.1], [0.01, 0.99],
    ...                                           error_name="E_total")
    >>> deck is None or deck.frames[-1].heading == "update every weight: w - 0.5 * dE_total/dw"
    True
    """
    from ..draw.network import (DELTA, ERROR_FILL, INPUT_FILL, NEURON_FILL, draw_network,
                                forward_neurons, half_squared_error, network_neurons)

    neurons, sizes = network_neurons(model)
    count = len(neurons[0][0].weights)
    names = list(input_names) if input_names is not None else [f"x{i}" for i in
                                                                range(1, count + 1)]
    if len(inputs) != count or len(names) != count:
        raise ValueError(f"network_slides: the model takes {count} inputs, got "
                         f"{len(inputs)} (and {len(names)} names)")
    binary = find_renderer()
    if binary is None:
        raise RendererNotFound(missing_renderer_message())
    parameters = [w for layer in neurons for n in layer for _, w in n.weights] + \
        [n.bias[1] for layer in neurons for n in layer]
    saved = [w.grad for w in parameters]
    values = [Value(float(x), label=name) for x, name in zip(inputs, names)]
    try:
        outputs = forward_neurons(neurons, values)
        error = (loss or half_squared_error)(outputs, [float(t) for t in target])
        for w in parameters:
            w.grad = 0.0
        error.backward()
        picture = draw_network(model, inputs=list(inputs), target=list(target), loss=loss,
                               input_names=names, error_name=error_name)
        # The forward frame shows what forward has computed, no delta or gradient yet.
        before = draw_network(model, inputs=list(inputs), target=list(target), loss=loss,
                              input_names=names, error_name=error_name,
                              show_gradients=False)

        def reached(neuron_names: list[str]) -> Any:
            # A step's picture: only what backpropagation has worked out by then.
            return draw_network(model, inputs=list(inputs), target=list(target), loss=loss,
                                input_names=names, error_name=error_name,
                                show_gradients=neuron_names)

        frames = _rendered(list(_network_frames(neurons, values, error, picture, lr,
                                                biases, error_name, before, reached)),
                           binary)
    finally:
        for w, grad in zip(parameters, saved):
            w.grad = grad
    shape = " -> ".join(str(size) for size in [count] + sizes)
    legend = _legend(((INPUT_FILL, "input"), (NEURON_FILL, "neuron"),
                      (ERROR_FILL, f"error {error_name}"), (FOCUS_FILL, "in focus")),
                     (f"in each neuron: net, out, {DELTA} = "
                      f"{derivative_text(error_name, 'net')}, bias",
                      f"on each edge: the weight and {derivative_text(error_name, 'w')}"))
    return Slides(title or f"Backpropagation through a {shape} network", frames, legend)


def _network_frames(neurons: list[list[Any]], values: list[Value], error: Value,
                    picture: Any, lr: float, biases: bool,
                    error_name: str = "E", forward: Any = None,
                    so_far: Callable[[list[str]], Any] | None = None) -> Iterator[Frame]:
    e = error_name

    def d(bottom: str) -> str:  # dE/dw5, with the error's name
        return derivative_text(e, bottom)

    layer_of = {id(n): layer for layer in neurons for n in layer}
    def svg(focus: str | None = None, drawn: Any = None) -> str:
        drawing = (drawn or picture).copy()
        # The picture's caption says what the page's legend says: room for the network.
        drawing.graph_attr.pop("label", None)
        if focus is not None:
            _focus_neuron(drawing, focus)
        return str(drawing.source)

    last = neurons[-1]
    yield Frame("forward", f"forward: {e} = {number_text(error.data)}",
                tuple((f"out of {n.name}", f"= {number_text(n.out.data)}") for n in last)
                + (("error", f"{e} = {number_text(error.data)}"),), svg(None, forward))
    layers = len(neurons)
    done: list[str] = []  # the neurons backpropagation has reached, in its order
    for depth in range(layers - 1, -1, -1):
        inputs = ([f"{value.label}" for value in values] if depth == 0 else
                  [f"out of {n.name}" for n in neurons[depth - 1]])
        for j, n in enumerate(neurons[depth]):
            rows: list[tuple[str, str]] = []
            if depth == layers - 1:
                rows.append((d("out"), f"= {number_text(n.out.grad)}    (from the error)"))
            else:
                parts = [(m, m.weights[j]) for m in neurons[depth + 1]]
                terms = " + ".join(f"δ {m.name} * {name}" for m, (name, _) in parts)
                numbers = " + ".join(f"{number_text(m.net.grad)} * {number_text(w.data)}"
                                     for m, (_, w) in parts).replace("+ -", "- ")
                rows.append((d("out"), f"= {terms} = {numbers} = "
                                       f"{number_text(n.out.grad)}"))
            local = n.out._local[0] if n.out is not n.net else 1.0
            rows.append((local_derivative_text("out", "net"),
                         f"= {number_text(local)}    ({n.out._op})"
                         if n.out is not n.net else "= 1    (no activation)"))
            rows.append((f"δ = {d('net')}", f"= {number_text(n.out.grad)} * "
                                            f"{number_text(local)} = {number_text(n.net.grad)}"))
            sources = zip(inputs, n.net._prev[len(n.weights):])  # (w..., x..., b): contract B
            for (name, w), (source, x) in zip(n.weights, sources):
                rows.append((name, f"{d(name)} = δ * {source} = {number_text(n.net.grad)} * "
                                   f"{number_text(x.data)} = {number_text(w.grad)}"))
            bias_name, bias = n.bias
            sharing = [m for m in layer_of[id(n)] if m.bias[1] is bias]
            if len(sharing) == 1:
                rows.append((bias_name, f"{d(bias_name)} = δ = {number_text(bias.grad)}"))
            else:  # one bias for the layer (Mazur's b1, b2): it adds up every neuron's δ
                every = "both" if len(sharing) == 2 else f"all {len(sharing)}"
                rows.append((bias_name, f"{d(bias_name)} gets δ = {number_text(n.net.grad)}"
                             + (f"; from {every} neurons of the layer: "
                                f"{number_text(bias.grad)}" if n is sharing[-1] else
                                ", more to come")))
            layer = "output layer" if depth == layers - 1 else f"hidden layer {depth + 1}"
            done.append(n.name)
            drawn = so_far(list(done)) if so_far is not None else None
            yield Frame("step", f"{layer}: neuron {n.name}", tuple(rows), svg(n.name, drawn),
                        "node")
    updates = []
    updated: set[int] = set()  # a bias shared by a layer is updated once
    for layer_neurons in neurons:
        for n in layer_neurons:
            for name, w in n.weights + ([n.bias] if biases else []):
                if id(w) in updated:
                    continue
                updated.add(id(w))
                gradient = number_text(w.grad)  # a negative factor in brackets
                updates.append((name, f"{number_text(w.data)} - {lr:g} * "
                                      f"{f'({gradient})' if w.grad < 0 else gradient} = "
                                      f"{number_text(w.data - lr * w.grad)}"))
    yield Frame("done", f"update every weight: w - {lr:g} * {d('w')}", tuple(updates), svg())


def _focus_neuron(drawing: Any, name: str) -> None:
    """The neuron ``name`` and the edges into it drawn in the slides' focus colour."""
    node = re.compile(rf'^\t"?{re.escape(name)}"? \[')
    edge = re.compile(_EDGE_INTO.format(name=re.escape(name)))
    body = drawing.body
    for k, line in enumerate(body):
        end = line.rstrip().rfind("]")
        if end < 0:
            continue
        if node.match(line):
            extra = f' color="{SLIDE_FOCUS}" penwidth=4 fillcolor="{FOCUS_FILL}"'
        elif edge.match(line):
            extra = (f' color="{SLIDE_FOCUS}" fontcolor="{SLIDE_FOCUS}" '
                     f'labelfontcolor="{SLIDE_FOCUS}" penwidth=3')
        else:
            continue
        body[k] = line[:end] + extra + line[end:]


# -- colours ------------------------------------------------------------------------------


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of two ``#rrggbb`` (or ``#rgb``) colours, 1 to 21; AA asks
    at least 4.5 for normal text, 3 for large text and graphics.

    >>> round(contrast_ratio("#000000", "#ffffff"), 2), round(contrast_ratio("#777", "#fff"), 2)
    (21.0, 4.48)
    """
    def luminance(colour: str) -> float:
        digits = colour.lstrip("#")
        if len(digits) == 3:
            digits = "".join(ch * 2 for ch in digits)
        channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- the page -----------------------------------------------------------------------------

_XML_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')


def inline_svg(svg: str, prefix: str) -> str:
    """Graphviz's SVG made fit to sit in a page next to others: no XML prolog, no
    fixed size (the page scales it), and ids prefixed so they stay unique.

    >>> inline_svg('<?xml version="1.0"?><svg width="8pt" height="4pt" viewBox="0 0 8 4">'
    ...            '<g id="node1"><title>a</title></g></svg>', "f3-")
    '<svg viewBox="0 0 8 4"><g id="f3-node1"><title>a</title></g></svg>'
    """
    svg = _XML_PROLOG.sub("", svg, count=1)
    head, _, body = svg.partition(">")
    return _prefixed(f"{_SIZE.sub('', head)}>{body}", prefix)


def _slide_svg(svg: str, prefix: str) -> str:
    """``inline_svg``, with the focus drawn in ``SLIDE_FOCUS`` and the graph's smallest
    font size recorded (``data-font``) for the page's script to scale by."""
    svg = inline_svg(svg, prefix).replace(FOCUS_COLOR, SLIDE_FOCUS)
    sizes = [float(size) for size in _FONT_SIZE.findall(svg)]
    smallest = min(sizes) if sizes else GRAPH_FONT_SIZE
    return re.sub(r"<svg\b\s*", f'<svg data-font="{smallest:g}" ', svg, count=1)


def pack_svgs(svgs: Sequence[str]) -> dict[str, Any]:
    """Graphviz's SVGs of a deck's frames, packed small: consecutive frames differ in a
    few lines (a colour, a grad), so the first frame's slide SVG (``_slide_svg``, ids
    not yet prefixed) is kept whole, as lines, and each later one as the difference
    from the one before: flat lists of ``start, deleted, added, *added lines`` (lines
    of the frame before replaced, in order). An added line that mostly repeats the
    line it replaces (a grad's digits, a moved node's x) is ``[kept, kept at the end,
    "what is new between"]`` of that line (the k-th deleted one for the k-th added).
    The page's script, or ``unpack_svgs``, rebuilds any frame's SVG exactly.

    >>> packed = pack_svgs(['<svg viewBox="0 0 8 4">\\n<g id="a">\\nx\\n</g>\\n</svg>',
    ...                     '<svg viewBox="0 0 8 4">\\n<g id="a">\\ny\\n</g>\\n</svg>'])
    >>> packed["diffs"], unpack_svgs(packed, "p-")[1]
    ([[], [2, 1, 1, 'y']], '<svg data-font="14" viewBox="0 0 8 4">\\n<g id="p-f2-a">\\ny\\n</g>\\n</svg>')
    """
    lines = [_slide_svg(svg, "").split("\n") for svg in svgs]
    diffs: list[list[Any]] = [[]] if lines else []
    for before, after in zip(lines, lines[1:]):
        diff: list[Any] = []
        for i1, i2, j1, j2 in _changed_runs(before, after):
            diff += [i1, i2 - i1, j2 - j1]
            diff += [_line_change(before[i1 + k] if i1 + k < i2 else "", line)
                     for k, line in enumerate(after[j1:j2])]
        diffs.append(diff)
    return {"base": lines[0] if lines else [], "diffs": diffs}


# Past this many line pairs (lines of one side times lines of the other), a stretch
# between two anchors is stored as replaced outright rather than matched by difflib,
# whose cost grows with that product: it keeps packing a deck linear in its size.
DIFFLIB_MOST_PAIRS = 4096


def _changed_runs(old: Sequence[Any], new: Sequence[Any]) -> list[tuple[int, int, int, int]]:
    """Where ``new`` differs from ``old``: ``(i1, i2, j1, j2)`` in order, each saying
    ``old[i1:i2]`` became ``new[j1:j2]``; ``old`` with each replaced is ``new``.

    Linear in the lines (times a log): consecutive frames are one layout with a few
    lines changed, and almost every line of an SVG is unique (its coordinates), so the
    lines found once in each side, in the same order in both (a longest increasing
    run, as patience diff takes them), anchor the match; between two anchors, lines
    equal at either end are kept and difflib matches what is left only when it is
    short. (difflib over whole frames is quadratic in the lines: a frame repeats
    ``</g>`` once a node, and each is tried against every other.)

    >>> _changed_runs(["<svg>", "a", "</g>", "b", "</g>", "</svg>"],
    ...               ["<svg>", "a", "</g>", "c", "</g>", "</svg>"])
    [(3, 4, 3, 4)]
    >>> _changed_runs(["x", "y", "z"], ["x", "new", "y", "z", "end"])
    [(1, 1, 1, 2), (3, 3, 4, 5)]
    """
    # What the two share at either end first (quick): often all but a few lines.
    head, tail = 0, 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    while (tail < min(len(old), len(new)) - head and
           old[len(old) - 1 - tail] == new[len(new) - 1 - tail]):
        tail += 1
    seen_old: dict[Any, int] = {}
    for i in range(head, len(old) - tail):
        seen_old[old[i]] = -1 if old[i] in seen_old else i
    seen_new: dict[Any, int] = {}
    for j in range(head, len(new) - tail):
        seen_new[new[j]] = -1 if new[j] in seen_new else j
    pairs = [(i, seen_new[line]) for line, i in seen_old.items()
             if i >= 0 and seen_new.get(line, -1) >= 0]
    pairs.sort(key=lambda pair: pair[1])
    anchors = _increasing_run(pairs)
    runs: list[tuple[int, int, int, int]] = []
    i = j = head
    for a, b in anchors + [(len(old) - tail, len(new) - tail)]:
        runs += _gap_runs(old, new, i, a, j, b)
        i, j = a + 1, b + 1
    return runs


def _increasing_run(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by their second item) whose first items
    increase too: patience sorting, n log n.

    >>> _increasing_run([(0, 0), (3, 1), (1, 2), (2, 3)])
    [(0, 0), (1, 2), (2, 3)]
    """
    tops: list[int] = []  # tops[k]: the smallest first item ending a run of k + 1
    ends: list[int] = []  # ... and that pair's index
    before: list[int] = []  # each pair's predecessor in its run, -1 for none
    for index, (i, _) in enumerate(pairs):
        k = bisect.bisect_left(tops, i)
        before.append(ends[k - 1] if k else -1)
        if k == len(tops):
            tops.append(i)
            ends.append(index)
        else:
            tops[k], ends[k] = i, index
    run, at = [], ends[-1] if ends else -1
    while at >= 0:
        run.append(pairs[at])
        at = before[at]
    return run[::-1]


def _gap_runs(old: Sequence[Any], new: Sequence[Any], i1: int, i2: int, j1: int,
              j2: int) -> list[tuple[int, int, int, int]]:
    """The changes between ``old[i1:i2]`` and ``new[j1:j2]``, two stretches between
    anchors: what they share at either end kept, the rest matched by difflib if short,
    else replaced whole."""
    while i1 < i2 and j1 < j2 and old[i1] == new[j1]:
        i1, j1 = i1 + 1, j1 + 1
    while i1 < i2 and j1 < j2 and old[i2 - 1] == new[j2 - 1]:
        i2, j2 = i2 - 1, j2 - 1
    if i1 == i2 and j1 == j2:
        return []
    if (i2 - i1) * (j2 - j1) > DIFFLIB_MOST_PAIRS:
        return [(i1, i2, j1, j2)]
    matcher = difflib.SequenceMatcher(None, old[i1:i2], new[j1:j2], autojunk=False)
    return [(i1 + a1, i1 + a2, j1 + b1, j1 + b2)
            for op, a1, a2, b1, b2 in matcher.get_opcodes() if op != "equal"]


def _line_change(old: str, line: str) -> str | list[Any]:
    """``line`` as ``pack_svgs`` stores it in place of ``old``: whole, or, when that is
    shorter, what it keeps of ``old`` at each end and what is new between. Whole where
    a character lies beyond U+FFFF: the script counts such a one as two.

    >>> _line_change('<text x="10.5">grad 0.0000</text>', '<text x="10.5">grad 0.5000</text>')
    [22, 10, '5']
    >>> _line_change('<text x="1">𝑥 grad 0.0000</text>', '<text x="1">𝑥 grad 0.5000</text>')
    '<text x="1">𝑥 grad 0.5000</text>'
    """
    if max(old + line, default="\0") > "\uffff":
        return line
    start = len(os.path.commonprefix([old, line]))
    end = len(os.path.commonprefix([old[start:][::-1], line[start:][::-1]]))
    middle = line[start:len(line) - end]
    return [start, end, middle] if len(middle) + 12 < len(line) else line


def _apply_diff(before: list[str], diff: Sequence[Any]) -> list[str]:
    """The lines of a frame: the frame before's, with ``pack_svgs``' difference applied
    (what the page's script does)."""
    after: list[str] = []
    at = k = 0
    while k < len(diff):
        start, deleted, added = diff[k], diff[k + 1], diff[k + 2]
        after += before[at:start]
        for j, line in enumerate(diff[k + 3:k + 3 + added]):
            if not isinstance(line, str):  # [kept, kept at the end, new]
                old = before[start + j]
                line = old[:line[0]] + line[2] + old[len(old) - line[1]:]
            after.append(line)
        at, k = start + deleted, k + 3 + added
    return after + before[at:]


def _prefixed(svg: str, prefix: str) -> str:
    """An SVG's ids (and what refers to them) prefixed so they stay unique on a page:
    for ``inline_svg`` and ``unpack_svgs`` (the page's script does the same)."""
    head, _, body = svg.partition(">")
    body = body.replace('id="', f'id="{prefix}').replace("url(#", f"url(#{prefix}")
    body = body.replace('href="#', f'href="#{prefix}')
    return f"{head}>{body}"


def unpack_svgs(packed: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every frame's SVG as the page shows it, from ``pack_svgs``' packing: frame n's
    ids prefixed with ``prefix`` + ``f{n}-`` (the deck's ``prefix``: ``""`` on a page,
    ``"atg…-"`` inline)."""
    frames, lines = [], list(packed["base"])
    for number, diff in enumerate(packed["diffs"], 1):
        lines = _apply_diff(lines, diff)
        frames.append(_prefixed("\n".join(lines), f"{prefix}f{number}-"))
    return frames


def _json_in_script(data: object) -> str:
    """``data`` as JSON that can sit inside a ``<script>`` element: no ``</`` to end it
    and no ``<!--`` to change how the page reads it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def _legend(swatches: Sequence[tuple[str, str]] = ((LEAF_FILL, "input or weight"),
                                                    (INTERMEDIATE_FILL, "intermediate"),
                                                    (OUTPUT_FILL, "output"),
                                                    (FOCUS_FILL, "in focus")),
            notes: Sequence[str] = ("edge number: local derivative "
                                    + local_derivative_text("out", "in"),
                                    "grad: d(output)/d(node) so far")) -> str:
    items = "".join(f'<span class="atg-swatch" style="background:{fill}"></span>'
                    f'<span>{html.escape(text)}</span>' for fill, text in swatches)
    notes_html = "".join(f"<span>{html.escape(note)}</span>" for note in notes)
    return f'<div class="atg-legend">{items}{notes_html}</div>'


def _math_html(text: str) -> str:
    """A callout's arithmetic, each ``= ...`` a piece that wraps as a whole: a line too
    long for its column breaks before an equals sign, never inside a product
    (``-0.128588248 * 0.995820176 =`` above a lone ``-0.128050772``).

    >>> _math_html("dE/dw = δ * x = 2 * 3 = 6")
    '<span class="atg-term">dE/dw</span> <span class="atg-term">= δ * x</span> <span class="atg-term">= 2 * 3</span> <span class="atg-term">= 6</span>'
    """
    first, *rest = text.split(" = ")
    pieces = [first] + [f"= {piece}" for piece in rest]
    return " ".join(f'<span class="atg-term">{html.escape(piece)}</span>'
                    for piece in pieces)


def _section(frame: Frame, number: int, total: int, prefix: str,
             packed: bool = False) -> str:
    """One frame's ``<section>``; ``packed``: its stage left empty, the page's script
    rebuilds its SVG from the deck's packed SVGs when the frame is shown."""
    # Many rows sit in three columns; long ones (an update's equation) in two, so that
    # no equation wraps at 1280x720.
    many = "" if len(frame.lines) <= 6 else " atg-many" + (
        " atg-wide" if max(len(what) + len(text) for what, text in frame.lines) > 32 else "")
    rows = "".join(f'<span class="atg-what">{html.escape(what)}</span>'
                   f'<span class="atg-math">{_math_html(text)}</span>'
                   for what, text in frame.lines)
    anchor = ' data-anchor="node"' if frame.anchor == "node" else ""
    return (f'<section class="frame" id="{prefix}frame-{number}" data-kind="{frame.kind}"'
            f'{anchor}>'
            f'<div class="atg-stage">'
            f'{"" if packed else _slide_svg(frame.svg, f"{prefix}f{number}-")}</div>'
            f'<div class="atg-band"><div class="atg-leader"></div>'
            f'<div class="atg-callout"><p class="atg-count">{number} / {total}</p><h2>{html.escape(frame.heading)}</h2>'
            f'<div class="atg-rows{many}">{rows}</div></div></div></section>')


def deck_html(title: str, frames: list[Frame], deck_id: str, *, inline: bool = False,
              handout: bool = False, legend: str | None = None) -> str:
    """One deck: its navigation, frames, style and script, all scoped to the element
    ``deck_id`` so that several decks on one page (a notebook) do not interfere.

    >>> text = deck_html("t", [Frame("step", "s", (), "<svg></svg>")], "d1", inline=True)
    >>> 'id="d1"' in text, 'id="d1-frame-1"' in text, 'getElementById("d1")' in text
    (True, True, True)
    """
    total = len(frames)
    prefix = "" if deck_id == "deck" else f"{deck_id}-"
    # The handout has no script: every frame's SVG is written out. A page with the
    # script writes the first frame's SVG (what shows before the script runs) and packs
    # them all, each as its lines' difference from the frame before (``pack_svgs``).
    sections = "\n".join(_section(frame, number, total, prefix,
                                   packed=not handout and number > 1)
                         for number, frame in enumerate(frames, 1))
    packed = "" if handout else (
        '<script type="application/json" class="atg-svgs">'
        + _json_in_script(pack_svgs([frame.svg for frame in frames])) + "</script>\n")
    kind = "atg-handout" if handout else ("atg-inline" if inline else "atg-page")
    nav = "" if handout else _NAV.replace("@TOTAL@", str(total))
    script = "" if handout else (
        "<script>\n" + _SCRIPT.replace("@FOCUS@", SLIDE_FOCUS).replace("@ID@", deck_id)
        .replace("@KEYS@", "root" if inline else "document")
        .replace("@MINPX@", str(MIN_GRAPH_TEXT_PX)) + "</script>\n")
    return (f'<div class="atg-deck {kind}" id="{deck_id}" tabindex="-1">\n'
            f'<style>{_STYLE}</style>\n'
            f'<div class="atg-top"><h1>{html.escape(title)}</h1>{nav}</div>\n'
            f'{legend or _legend()}\n<main class="atg-frames">\n{sections}\n</main>\n'
            f'{packed}{script}</div>')


def page(title: str, frames: list[Frame], handout: bool = False,
         legend: str | None = None) -> str:
    """The HTML page of the slides: every frame inline, one shown at a time (or all,
    one per sheet, for the handout).

    >>> text = page("t", [Frame("step", "step 1", (("local", "2 * 3 = 6"),), "<svg></svg>")])
    >>> 'data-kind="step"' in text, ">= 6</span>" in text, "http" in text.replace(
    ...     "http://www.w3.org", "")
    (True, True, False)
    """
    deck = deck_html(title, frames, "deck", handout=handout, legend=legend)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{html.escape(title)}</title>\n<style>{_PAGE_STYLE}'
            f'{"" if handout else _PRESENTING_STYLE}</style>\n</head>\n'
            f'<body>\n{deck}\n</body>\n</html>\n')


_NAV = """<nav class="atg-nav">
<span class="atg-help">&larr; &rarr; space &middot; g: go to &middot; f: font &middot;
 l: legend</span>
<button type="button" data-go="first" title="first (Home)">&#x25C0;&#x25C0;</button>
<button type="button" data-go="previous" title="previous (&larr;)">&#x25C0; back</button>
<label class="atg-position"><input class="atg-goto" type="number" min="1" max="@TOTAL@"
 value="1" aria-label="slide number (g, then type a number and Enter)"> / @TOTAL@</label>
<button type="button" data-go="next" title="next (&rarr; or space)">next &#x25B6;</button>
<button type="button" data-go="last" title="last (End)">&#x25B6;&#x25B6;</button>
<button type="button" data-toggle="atg-large" title="larger text (f)">A+</button>
<button type="button" data-toggle="atg-nolegend" title="hide or show the legend (l)">legend</button>
<button type="button" data-toggle="atg-overview"
 title="the whole graph, whatever its text size (z)">whole graph</button>
</nav>"""

_PAGE_STYLE = """
html, body { margin: 0; background: #ffffff; }
"""
# To present, the page is the deck: it fills the window (a handout scrolls).
_PRESENTING_STYLE = """html, body { height: 100%; }
body { overflow: hidden; }
@media print { html, body { overflow: visible; height: auto; } }
"""

# Scoped to .atg-deck. Sizes: the page's text scales with the window (vmin), never
# below what a lecture hall reads at 1280x720: 20 px for the step's explanation.
_STYLE = """
.atg-deck { --atg-scale: 1; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", sans-serif; color: #111111; background: #ffffff; box-sizing: border-box;
  display: flex; flex-direction: column; outline: none; }
.atg-deck * { box-sizing: border-box; }
.atg-deck.atg-large { --atg-scale: 1.35; }
.atg-page { height: 100vh; font-size: calc(clamp(16px, 2.2vmin, 34px) * var(--atg-scale)); }
.atg-inline { height: 540px; max-height: 90vh; font-size: calc(14px * var(--atg-scale));
  border: 1px solid #c9d2e0; border-radius: 6px; overflow: hidden; }
.atg-top { display: flex; align-items: center; flex-wrap: wrap; gap: 0.4em 0.8em;
  padding: 0.35em 0.8em; background: #1f3a5f; color: #ffffff; flex: none; }
.atg-top h1 { font-size: 1em; margin: 0 auto 0 0; font-weight: 600; }
.atg-nav { display: flex; align-items: center; gap: 0.4em; flex-wrap: wrap; }
.atg-nav button { font: inherit; font-size: 0.9em; white-space: nowrap; padding: 0.2em 0.7em;
  border-radius: 4px; border: 0; cursor: pointer; background: #e8edf5; color: #111111; }
.atg-nav button[aria-pressed="true"] { outline: 3px solid #ffd48a; }
.atg-help { color: #d7dbe6; font-size: 0.8em; }
.atg-position { white-space: nowrap; }
.atg-goto { font: inherit; width: 3.6em; text-align: right; padding: 0.1em 0.2em;
  border: 0; border-radius: 4px; }
.atg-legend { display: flex; flex-wrap: wrap; align-items: center; gap: 0.2em 0.6em;
  font-size: 0.75em; padding: 0.3em 0.8em; color: #4a4a4a; flex: none;
  border-bottom: 1px solid #e3e7ee; }
.atg-swatch { display: inline-block; width: 1.1em; height: 0.9em; border: 1px solid #777777;
  vertical-align: middle; margin-right: -0.3em; }
.atg-nolegend .atg-legend { display: none; }
.atg-frames { flex: 1; min-height: 0; position: relative; }
.atg-deck .frame { display: flex; flex-direction: column; padding: 0.5em 0.8em;
  border-bottom: 1px solid #dddddd; }
.atg-js .frame { display: none; position: absolute; inset: 0; border: 0; }
.atg-js .frame.current { display: flex; }
.atg-stage { flex: 1; min-height: 0; overflow: auto; display: flex; position: relative; }
.atg-stage svg { display: block; margin: auto; flex: none; width: 100%; height: 100%; }
.atg-band { flex: none; position: relative; min-height: 28%; padding-top: 0.9em; }
.atg-leader { position: absolute; left: 0; top: 0; width: 1px; height: 1px; display: none;
  pointer-events: none; }
.atg-leader svg { position: absolute; left: 0; top: 0; width: 1px; height: 1px; overflow: visible; }
.atg-leader polyline { fill: none; stroke: #a84300; stroke-width: 3; stroke-dasharray: 9 6;
  stroke-linejoin: round; }
.atg-callout { display: inline-block; max-width: 100%; background: #fff7ef;
  border: 3px solid #a84300; border-radius: 8px; padding: 0.3em 0.8em 0.45em;
  font-size: calc(clamp(20px, 2.9vmin, 44px) * var(--atg-scale)); }
.atg-inline .atg-callout { font-size: calc(16px * var(--atg-scale)); }
.atg-callout h2 { font-size: 1em; margin: 0 0 0.2em; color: #a84300; }
.atg-count { color: #4a4a4a; margin: 0; font-size: 0.7em; }
.atg-rows { display: grid; grid-template-columns: max-content auto; gap: 0.05em 1em;
  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.atg-rows.atg-many { grid-template-columns: repeat(3, max-content auto); font-size: 0.8em; }
.atg-rows.atg-many.atg-wide { grid-template-columns: repeat(2, max-content auto); }
.atg-what { color: #4a4a4a; }
.atg-math { white-space: pre-wrap; }
.atg-term { display: inline-block; }
.atg-handout { height: auto; font-size: 16px; }
.atg-handout .frame { margin: 1em 0; }
.atg-handout .atg-stage svg { height: 60vh; width: 100%; }
@page { size: landscape; margin: 12mm; }
@media print {
  .atg-deck { height: auto !important; max-height: none !important; display: block;
    font-size: 12pt !important; border: 0 !important; overflow: visible !important; }
  .atg-frames { position: static; }
  .atg-nav, .atg-help, .atg-leader, .atg-deck button { display: none !important; }
  .atg-top { background: none; color: #111111; padding: 0; }
  .atg-top h1 { font-size: 11pt; font-weight: normal; color: #4a4a4a; }
  .atg-legend { font-size: 9pt; padding: 0 0 2mm; border: 0; }
  .atg-deck .frame, .atg-js .frame, .atg-js .frame.current { display: block !important;
    position: static !important; padding: 0; margin: 0; border: 0;
    break-after: page; page-break-after: always; break-inside: avoid; page-break-inside: avoid; }
  .atg-deck .frame:last-child { break-after: auto; page-break-after: auto; }
  .atg-stage { display: block; overflow: visible !important; height: 125mm !important; }
  .atg-stage svg { width: 100% !important; height: 125mm !important; margin: 0 !important; }
  .atg-band { min-height: 0; padding-top: 3mm; }
  .atg-callout { display: block; margin: 0 !important; font-size: 12pt !important;
    border-width: 1.5pt; }
}
"""

# One deck's script; @ID@ is the deck's element id, @KEYS@ where the keys are heard
# (the whole page, or in a notebook only the deck that was clicked).
_SCRIPT = """(function () {
  var root = document.getElementById("@ID@");
  if (!root || root.atgReady) { return; }
  root.atgReady = true;
  var frames = root.querySelectorAll(".frame");
  var goto = root.querySelector(".atg-goto");
  // Every frame's SVG, packed: the first frame's lines, then each frame's difference
  // from the one before (see pack_svgs). A frame's SVG is rebuilt when it is shown.
  var packed = root.querySelector("script.atg-svgs");
  var svgs = packed ? JSON.parse(packed.textContent) : null, built = [];
  function linesOf(index) {
    if (built[index]) { return built[index]; }
    var from = index;
    while (from > 0 && !built[from - 1]) { from--; }
    var lines = from ? built[from - 1] : svgs.base;
    for (var n = from; n <= index; n++) {
      var diff = svgs.diffs[n], after = [], at = 0, k = 0;
      while (k < diff.length) {
        var start = diff[k], deleted = diff[k + 1], added = diff[k + 2];
        for (; at < start; at++) { after.push(lines[at]); }
        for (var j = 0; j < added; j++) {
          var line = diff[k + 3 + j];
          if (typeof line !== "string") {  // [kept, kept at the end, new] of the old line
            var was = lines[start + j];
            line = was.slice(0, line[0]) + line[2] + was.slice(was.length - line[1]);
          }
          after.push(line);
        }
        at = start + deleted;
        k += 3 + added;
      }
      for (; at < lines.length; at++) { after.push(lines[at]); }
      lines = built[n] = after;
    }
    return lines;
  }
  function build(index) {  // the frame's SVG, its ids prefixed as inline_svg does
    var stage = frames[index].querySelector(".atg-stage");
    if (!svgs || stage.firstChild) { return; }
    var text = linesOf(index).join("\\n"), cut = text.indexOf(">") + 1;
    var p = frames[index].id.replace(/frame-(\\d+)$/, "f$1-");
    var id = "id=\\"", href = "href=\\"#";
    stage.innerHTML = text.slice(0, cut) + text.slice(cut).split(id).join(id + p)
      .split("url(#").join("url(#" + p).split(href).join(href + p);
  }
  function buildAll() { for (var i = 0; i < frames.length; i++) { build(i); } }
  window.addEventListener("beforeprint", buildAll);  // printing shows every frame
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) { printing.addEventListener("change", buildAll); }
  }
  var keys = @KEYS@;
  var current = 0;
  root.classList.add("atg-js");
  function on(name) { return root.classList.contains(name); }
  // The graph's text is never smaller than @MINPX@ px (2% of the window's smaller side on
  // big screens), larger with the big font; a graph that then does not fit scrolls.
  function layout() {
    var frame = frames[current];
    var stage = frame.querySelector(".atg-stage");
    var svg = stage.querySelector("svg");
    var box = svg && svg.viewBox && svg.viewBox.baseVal;
    if (!box || !box.width || !stage.clientWidth) { return; }
    var smallest = parseFloat(svg.getAttribute("data-font")) || 14;
    var side = Math.min(window.innerWidth, window.innerHeight);
    var wanted = (on("atg-inline") ? 11 : Math.max(@MINPX@, 0.02 * side)) *
                 (on("atg-large") ? 1.35 : 1);
    var need = wanted / smallest;
    fitCallout(frame, stage, box, need);
    var fit = Math.min(stage.clientWidth / box.width, stage.clientHeight / box.height);
    // A small graph grows to fill the space, but its text no more than 2.5 times the
    // minimum (1.6 in a notebook, where the deck sits among other output).
    var most = (on("atg-inline") ? 1.6 : 2.5) * need;
    var scale = on("atg-overview") ? fit : Math.max(need, Math.min(fit, most));
    // The first frame shows the whole graph, smaller if it must, whatever its text size:
    // the lecture starts from the overview; later frames keep the text readable and
    // pan to the focus. (A graph that fits anyway is drawn as on every other frame.)
    if (whole(frame)) { scale = Math.min(scale, fit); }
    svg.style.width = (box.width * scale) + "px";
    svg.style.height = (box.height * scale) + "px";
    follow(frame, stage);
    place(frame, stage);
  }
  // A step's arithmetic can take so many lines that the graph, at its smallest
  // readable size, no longer fits above it: the whole frame must show without
  // scrolling, so the callout's text steps down (never below the page's own text
  // size) until the graph fits. With the big font on, the reader chose size over fit.
  function fitCallout(frame, stage, box, need) {
    var callout = frame.querySelector(".atg-callout");
    callout.style.fontSize = "";
    callout.style.marginLeft = "0px";  // measured at full width; place() moves it after
    if (on("atg-large") || on("atg-overview") || whole(frame)) { return; }
    var size = parseFloat(getComputedStyle(callout).fontSize);
    var floor = parseFloat(getComputedStyle(root).fontSize);
    while (size > floor && (box.height * need > stage.clientHeight + 0.5 ||
                            box.width * need > stage.clientWidth + 0.5)) {
      size = Math.max(floor, size * 0.94);
      callout.style.fontSize = size + "px";
    }
  }
  function whole(frame) { return frame === frames[0]; }
  function focusOf(frame) {
    var marks = frame.querySelectorAll('.atg-stage [stroke="@FOCUS@"]');
    var best = null, kind = frame.getAttribute("data-anchor") === "node" ? "node" : "edge";
    for (var i = 0; i < marks.length; i++) {  // the edge when there is one, else the node
      var group = marks[i].closest("g.edge, g.node") || marks[i];
      if (!best || group.classList.contains(kind)) { best = group; }
    }
    return best;
  }
  // A graph too big to show whole with readable text scrolls to the focus: the node
  // or edge in focus, all else drawn in focus and the nodes it joins inside the frame
  // (along an axis where they cannot all fit, as much of that as does), and, among
  // the positions that keep them in, the one nearest to centring them where the
  // frame's edges cut through the fewest nodes' boxes (then the fewest edge numbers):
  // a box cut in half at the edge reads as a different, unnamed node.
  function follow(frame, stage) {
    var focus = focusOf(frame);
    if (!focus || stage.scrollWidth <= stage.clientWidth + 1 &&
        stage.scrollHeight <= stage.clientHeight + 1) { return; }
    var s = stage.getBoundingClientRect();
    var x0 = s.left + stage.clientLeft - stage.scrollLeft;
    var y0 = s.top + stage.clientTop - stage.scrollTop;
    function spot(element, weight) {  // where it sits in the stage's scrolled content
      var r = element.getBoundingClientRect();
      return {l: r.left - x0, r: r.right - x0, t: r.top - y0, b: r.bottom - y0, w: weight};
    }
    var svg = stage.querySelector("svg"), named = {}, boxes = [], labels = [];
    svg.querySelectorAll("g.node").forEach(function (g) {
      var item = spot(g, 1);
      named[g.querySelector("title").textContent] = item;
      boxes.push(item);
    });
    svg.querySelectorAll("g.edge text").forEach(function (t) { labels.push(spot(t, 0.01)); });
    var title = focus.querySelector("title").textContent, joined = [];
    if (focus.classList.contains("edge")) {
      joined = title.split("->");
    } else {
      svg.querySelectorAll("g.edge > title").forEach(function (t) {
        var ends = t.textContent.split("->");
        if (ends.indexOf(title) >= 0) { joined = joined.concat(ends); }
      });
    }
    // What to show, most wanted first: the focus; everything drawn in focus (a step's
    // node as well as its edge); that and the nodes the focus joins.
    function add(box, k) {
      return {l: Math.min(box.l, k.l), r: Math.max(box.r, k.r),
              t: Math.min(box.t, k.t), b: Math.max(box.b, k.b)};
    }
    var own = spot(focus, 0), marked = own;
    svg.querySelectorAll('[stroke="@FOCUS@"]').forEach(function (mark) {
      marked = add(marked, spot(mark.closest("g.edge, g.node") || mark, 0));
    });
    var all = marked;
    joined.forEach(function (name) { if (named[name]) { all = add(all, named[name]); } });
    var shows = [own, marked, all], w = stage.clientWidth, h = stage.clientHeight;
    var across = span(shows, w, stage.scrollWidth - w, boxes, "l", "r");
    var down = span(shows, h, stage.scrollHeight - h, boxes, "t", "b");
    // Every pair of the two axes' candidates (ten a box at most, fewer once the same
    // ones are dropped), scored by what the view they make cuts: slow only for a graph
    // far too big for slides.
    var items = boxes.concat(labels), best = null;
    across.tries.forEach(function (x) {
      down.tries.forEach(function (y) {
        var cuts = 0, away = Math.abs(x - across.middle) + Math.abs(y - down.middle);
        for (var i = 0; i < items.length; i++) {
          var k = items[i];
          // (A pixel either way is rounding: scroll positions are whole pixels. Yet a
          // box's last pixel alone at the edge reads as a stray line: worth avoiding,
          // far less than any cut.)
          if (k.r > x && k.l < x + w && k.b > y && k.t < y + h &&
              (k.l < x || k.r > x + w || k.t < y || k.b > y + h)) {
            var seen = k.r > x + 1 && k.l < x + w - 1 && k.b > y + 1 && k.t < y + h - 1;
            var whole = k.l >= x - 1 && k.r <= x + w + 1 && k.t >= y - 1 && k.b <= y + h + 1;
            cuts += seen && !whole ? k.w : 0.001;
            if (best && cuts > best[2] + 1e-9) { return; }
          }
        }
        if (!best || cuts < best[2] - 1e-9 || (cuts < best[2] + 1e-9 && away < best[3])) {
          best = [x, y, cuts, away];
        }
      });
    });
    stage.scrollLeft = best[0];
    stage.scrollTop = best[1];
  }
  // Along one axis (``from``/``to`` name the sides of a box): the scroll positions
  // (0 to most) that show the last of ``shows`` that fits, with a margin, to try:
  // centring what it shows (``middle``), and each that puts a box just inside or
  // just outside the view's edge.
  function span(shows, size, most, boxes, from, to) {
    var margin = 8, wa = shows[0][from], wb = shows[0][to];
    shows.forEach(function (k) {
      if (k[to] - k[from] <= size - 2 * margin) { wa = k[from]; wb = k[to]; }
    });
    var middle = Math.max(0, Math.min(most, (wa + wb - size) / 2));
    // (The margin only where there is room for it: at the graph's own edge, none.)
    var lo = Math.max(0, Math.min(most, wb + margin - size));
    var hi = Math.min(most, Math.max(0, wa - margin));
    if (lo > hi) { return {middle: middle, tries: [middle]}; }  // too big: centred
    var tries = [Math.round(middle), Math.ceil(lo), Math.floor(hi)];
    boxes.forEach(function (k) {
      // the box just inside either edge, with the margin or without (within the
      // pixel a cut is allowed), and just outside either edge
      [k[from] - margin, Math.floor(k[from]), Math.floor(k[from] + 1), Math.ceil(k[to]),
       Math.ceil(k[to] - 1), k[to] + margin - size, Math.ceil(k[to] - size),
       Math.ceil(k[to] - 1 - size), Math.floor(k[from] - size),
       Math.floor(k[from] + 1 - size)]
        .forEach(function (at) { if (at > lo && at < hi) { tries.push(Math.round(at)); } });
    });
    tries = tries.filter(function (at, k) { return tries.indexOf(at) === k; });
    return {middle: middle, tries: tries};
  }
  // The callout sits under the focus, as close as the graph lets it, joined to it.
  function place(frame, stage) {
    var band = frame.querySelector(".atg-band");
    var callout = frame.querySelector(".atg-callout");
    var leader = frame.querySelector(".atg-leader");
    var focus = focusOf(frame);
    var b = band.getBoundingClientRect();
    if (!focus) { callout.style.marginLeft = "0px"; leader.style.display = "none"; return; }
    var r = focus.getBoundingClientRect(), s = stage.getBoundingClientRect();
    var x = (r.left + r.right) / 2 - b.left;
    // Its exact width, and a pixel to spare: moved right, it must not wrap a line.
    var width = Math.ceil(callout.getBoundingClientRect().width) + 1;
    var left = Math.max(0, Math.min(b.width - width, x - width / 2));
    callout.style.marginLeft = left + "px";
    var bottom = Math.min(r.bottom, s.bottom);
    var c = callout.getBoundingClientRect();
    var route = leaderRoute(stage, focus, c);
    if (!route) {  // no way clear of the rest: straight down from the focus's middle
      if (x < 0 || x > b.width || bottom >= c.top) { leader.style.display = "none"; return; }
      route = [[x + b.left, bottom + 2], [x + b.left, c.top]];
    }
    if (!leader.firstChild) {
      leader.innerHTML = '<svg aria-hidden="true"><polyline points=""></polyline></svg>';
    }
    leader.style.display = "block";
    leader.querySelector("polyline").setAttribute("points", route.map(function (p) {
      return (p[0] - b.left).toFixed(1) + "," + (p[1] - b.top).toFixed(1);
    }).join(" "));
  }
  // The leader: the shortest line from the focus's border (a node's outline, the
  // middle of an edge) to the callout's top that passes through no other node and no
  // text, so it never runs through another neuron's numbers: straight where a straight
  // line is clear, else bent once round the corner of what is in the way, else round
  // whatever is (``gridRoute``). Its points in window pixels, or null when there is no
  // such line.
  function leaderRoute(stage, focus, c) {
    var s = stage.getBoundingClientRect();
    var svg = stage.querySelector("svg");
    var isNode = focus.classList.contains("node");
    var shape = focus.querySelector(isNode ? "ellipse, polygon, path" : "path");
    if (!svg || !shape || !shape.getTotalLength || !shape.getScreenCTM()) { return null; }
    // What the reader sees of the stage: a node scrolled out of view is in no one's way.
    var view = {l: s.left + stage.clientLeft, t: s.top + stage.clientTop};
    view.r = view.l + stage.clientWidth;
    view.b = view.t + stage.clientHeight;
    var f = shape.getBoundingClientRect();
    var fx = (f.left + f.right) / 2, fy = (f.top + f.bottom) / 2;
    var m = shape.getScreenCTM(), total = shape.getTotalLength(), starts = [];
    for (var i = 0; i < 96; i++) {  // an edge: from its middle half, its middle first
      var along = isNode ? i / 96 : 0.25 + i / 192;
      var p = shape.getPointAtLength(total * along);
      var q = new DOMPoint(p.x, p.y).matrixTransform(m);
      var ox = q.x - fx, oy = q.y - fy, o = Math.sqrt(ox * ox + oy * oy) || 1;
      var px = isNode ? q.x + 2 * ox / o : q.x, py = isNode ? q.y + 2 * oy / o : q.y;
      if (px >= view.l && px <= view.r && py >= view.t && py <= view.b &&
          py < c.top - 4 && (!isNode || py >= fy)) {
        starts.push([px, py, isNode ? 0 : 80 * Math.abs(along - 0.5)]);
      }
    }
    if (!starts.length) { return null; }
    var obstacles = [], lines = [], area = null, roundPad = null;
    function near(k) {
      return k.right >= area.l && k.left <= area.r && k.bottom >= area.t && k.top <= area.b;
    }
    function keep(element, round, pad) {
      var k = element.getBoundingClientRect();
      if (round && roundPad) {
        pad = Math.max(pad, roundPad[0], roundPad[1] * Math.min(k.width, k.height) / 2);
      }
      if ((k.width || k.height) && near(k) && k.right > view.l && k.left < view.r &&
          k.bottom > view.t && k.top < view.b) {
        // Only its visible part: what the stage hides is not there to run through.
        var o = {l: Math.max(k.left, view.l) - pad, t: Math.max(k.top, view.t) - pad,
                 r: Math.min(k.right, view.r) + pad, b: Math.min(k.bottom, view.b) + pad};
        o.round = round && o.r - o.l === k.width + 2 * pad && o.b - o.t === k.height + 2 * pad;
        obstacles.push(o);
      }
    }
    // Only what lies near the focus and the text box can be in the way: in a big
    // graph that is a small part of it, and every line tried is checked against it all.
    function gather(within, padNode, padText, padRound) {
      area = within;
      roundPad = padRound || null;
      obstacles = [];
      lines = [];
      svg.querySelectorAll("g.node").forEach(function (g) {
        var outline = g.querySelector("ellipse, polygon, path");
        if (g !== focus && outline) { keep(outline, outline.tagName === "ellipse", padNode); }
      });
      svg.querySelectorAll("text").forEach(function (t) {
        if (!(isNode && focus.contains(t))) { keep(t, false, padText); }
      });
      // Other edges may be crossed (a graph's edges cross anyway), but fewer is better.
      svg.querySelectorAll("g.edge").forEach(function (g) {
        var path = g.querySelector("path");
        if (g === focus || !path || !path.getTotalLength) { return; }
        var pm = path.getScreenCTM(), length = path.getTotalLength(), last = null;
        for (var j = 0; j <= 12; j++) {
          var p = path.getPointAtLength(length * j / 12);
          var q = new DOMPoint(p.x, p.y).matrixTransform(pm);
          if (last && near({left: Math.min(last.x, q.x), right: Math.max(last.x, q.x),
                            top: Math.min(last.y, q.y), bottom: Math.max(last.y, q.y)})) {
            lines.push([last.x, last.y, q.x, q.y]);
          }
          last = q;
        }
      });
    }
    function clear(a, p) {
      for (var k = 0; k < obstacles.length; k++) {
        if (crosses(a[0], a[1], p[0], p[1], obstacles[k])) { return false; }
      }
      return true;
    }
    function cost(a, p, limit) {  // its length, and a little more for each edge crossed
      var dx = p[0] - a[0], dy = p[1] - a[1], n = Math.sqrt(dx * dx + dy * dy);
      for (var k = 0; k < lines.length && n < limit; k++) {
        if (meets(a[0], a[1], p[0], p[1], lines[k])) { n += 60; }
      }
      return n;
    }
    // The nearest of ``points`` that ``a`` sees clearly: [cost, point], or null.
    function nearest(a, points, limit) {
      var found = null;
      points.forEach(function (p) {
        var n = cost(a, p, found ? found[0] : limit);
        if (n < (found ? found[0] : limit) && clear(a, p)) { found = [n, p]; }
      });
      return found;
    }
    var ends = [], from = c.left + 12, to = c.right - 12;
    for (var e = from; e <= to; e += 6) { ends.push([e, c.top]); }
    // A network's neurons are big circles, and a line 10 px off one's outline reads on
    // a projector as running through it (worse where it also crosses an edge just as
    // that leaves the circle): a straight or once-bent line is first sought that keeps
    // a clear gap from every circle, a fifth of its radius and at least 24 px; only
    // where there is none, one that keeps the usual 10 px.
    var between = {l: Math.min(f.left, c.left) - 40, r: Math.max(f.right, c.right) + 40,
                   t: Math.min(f.top, c.top) - 40, b: c.top + 4};
    gather(between, 10, 3, [24, 0.2]);
    var found = direct();
    if (found) { return found; }
    gather(between, 10, 3);
    found = direct();
    if (found) { return found; }
    // A way round may leave the narrow band between focus and text: the whole view;
    // and, where it must, pass closer to what it goes round than a straight line does
    // (in the first frame's overview of a big graph the gaps between nodes are small).
    var pads = [[10, 3], [6, 2], [3, 1]];
    for (var k = 0; k < pads.length; k++) {
      gather({l: view.l, r: view.r, t: view.t, b: c.top + 4}, pads[k][0], pads[k][1]);
      var route = gridRoute(starts, c, view, obstacles, lines, clear);
      if (route) { return route; }
    }
    return null;
    // The shortest straight line from a start to the callout's top clear of every
    // obstacle gathered, else the shortest bent once round a corner of one; or null.
    function direct() {
      var best = null, bestScore = Infinity;
      starts.forEach(function (a) {
        var below = a[0] >= from && a[0] <= to ? [[a[0], c.top]] : [];
        var found = nearest(a, ends.concat(below), bestScore - a[2]);
        if (found) { bestScore = found[0] + a[2]; best = [a, found[1]]; }
      });
      if (best) { return best.map(function (p) { return [p[0], p[1]]; }); }
      // A bend around one obstacle: corners x starts x ends, each checked against every
      // obstacle. Past a few dozen obstacles that is too slow to run on every frame:
      // the grid's route is the answer then, as when no single bend is clear.
      if (obstacles.length <= 60) {
        obstacles.forEach(function (o) {
          [[o.l - 2, o.t - 2], [o.r + 2, o.t - 2], [o.l - 2, o.b + 2], [o.r + 2, o.b + 2]]
            .forEach(function (w) {
              if (w[0] < view.l || w[0] > view.r || w[1] < view.t || w[1] > c.top - 4 ||
                  !clear(w, w)) { return; }
              var first = null;
              starts.forEach(function (a) {
                var n = a[2] + cost(a, w, first ? first[0] : bestScore);
                if (n < (first ? first[0] : bestScore) && clear(a, w)) { first = [n, a]; }
              });
              var second = first && nearest(w, ends, bestScore - first[0]);
              if (second) { bestScore = first[0] + second[0]; best = [first[1], w, second[1]]; }
            });
        });
        if (best) { return best.map(function (p) { return [p[0], p[1]]; }); }
      }
      return null;
    }
  }
  // The cheapest path over a grid of cells a few pixels wide, from one of ``starts``
  // (each [x, y, extra cost]) to the callout's top, through no obstacle and inside
  // the stage (or the band under it), each edge crossed costing as a detour would;
  // then pulled tight: a point kept only where the line past it would not be clear.
  // Its points, or null when everything is in the way.
  function gridRoute(starts, c, view, obstacles, lines, clear) {
    var step = 3, left = Math.min(view.l, c.left), top = view.t;
    var cols = Math.floor((Math.max(view.r, c.right) - left) / step) + 1;
    var rows = Math.floor((c.top - 4 - top) / step) + 1;
    if (cols < 2 || rows < 2) { return null; }
    var size = cols * rows, blocked = new Uint8Array(size), extra = new Float32Array(size);
    for (var j = 0; j < rows; j++) {  // beside the stage, above its bottom: not on screen
      for (var i = 0; i < cols; i++) {
        var x = left + i * step, y = top + j * step;
        if (y <= view.b && (x < view.l || x > view.r)) { blocked[j * cols + i] = 1; }
      }
    }
    // A cell is blocked whose middle is less than a cell from an obstacle: the line
    // between two free neighbouring cells then never touches one.
    obstacles.forEach(function (o) {
      var i0 = Math.max(0, Math.floor((o.l - step - left) / step));
      var i1 = Math.min(cols - 1, Math.ceil((o.r + step - left) / step));
      var j0 = Math.max(0, Math.floor((o.t - step - top) / step));
      var j1 = Math.min(rows - 1, Math.ceil((o.b + step - top) / step));
      var cx = (o.l + o.r) / 2, cy = (o.t + o.b) / 2;
      var rx = (o.r - o.l) / 2 + step, ry = (o.b - o.t) / 2 + step;
      for (var j = j0; j <= j1; j++) {
        for (var i = i0; i <= i1; i++) {
          var x = left + i * step, y = top + j * step;
          var inside = o.round ? Math.pow((x - cx) / rx, 2) + Math.pow((y - cy) / ry, 2) < 1
                               : x > o.l - step && x < o.r + step && y > o.t - step &&
                                 y < o.b + step;
          if (inside) { blocked[j * cols + i] = 1; }
        }
      }
    });
    lines.forEach(function (l) {  // a cell an edge runs through: dearer to enter
      var n = Math.ceil(Math.hypot(l[2] - l[0], l[3] - l[1]) / (step / 2)) + 1;
      for (var k = 0; k <= n; k++) {
        var i = Math.round((l[0] + (l[2] - l[0]) * k / n - left) / step);
        var j = Math.round((l[1] + (l[3] - l[1]) * k / n - top) / step);
        if (i >= 0 && i < cols && j >= 0 && j < rows) { extra[j * cols + i] = 30; }
      }
    });
    // Dijkstra from every start at once (a binary heap of [cost, cell]).
    var spent = new Float64Array(size).fill(Infinity), back = new Int32Array(size).fill(-1);
    var heap = [], origin = {};
    function push(n, cell) {
      heap.push([n, cell]);
      for (var k = heap.length - 1; k > 0;) {
        var up = (k - 1) >> 1;
        if (heap[up][0] <= heap[k][0]) { break; }
        var t = heap[up]; heap[up] = heap[k]; heap[k] = t; k = up;
      }
    }
    function pop() {
      var least = heap[0], last = heap.pop();
      if (heap.length) {
        heap[0] = last;
        for (var k = 0;;) {
          var a = 2 * k + 1, b = a + 1, low = k;
          if (a < heap.length && heap[a][0] < heap[low][0]) { low = a; }
          if (b < heap.length && heap[b][0] < heap[low][0]) { low = b; }
          if (low === k) { break; }
          var t = heap[low]; heap[low] = heap[k]; heap[k] = t; k = low;
        }
      }
      return least;
    }
    starts.forEach(function (a) {  // into the nearest free cells it sees clearly
      var i = Math.round((a[0] - left) / step), j = Math.round((a[1] - top) / step);
      for (var dj = -2; dj <= 2; dj++) {
        for (var di = -2; di <= 2; di++) {
          var ii = i + di, jj = j + dj, cell = jj * cols + ii;
          if (ii < 0 || ii >= cols || jj < 0 || jj >= rows || blocked[cell]) { continue; }
          var middle = [left + ii * step, top + jj * step];
          var n = a[2] + Math.hypot(middle[0] - a[0], middle[1] - a[1]);
          if (n < spent[cell] && clear(a, middle)) {
            spent[cell] = n; origin[cell] = a; push(n, cell);
          }
        }
      }
    });
    var from = c.left + 12, to = c.right - 12, end = -1;
    while (heap.length) {
      var item = pop(), cell = item[1];
      if (item[0] > spent[cell]) { continue; }
      var i = cell % cols, j = (cell - i) / cols, x = left + i * step;
      if (j === rows - 1 && x >= from && x <= to) { end = cell; break; }
      for (var dj = -1; dj <= 1; dj++) {
        for (var di = -1; di <= 1; di++) {
          var ii = i + di, jj = j + dj, next = jj * cols + ii;
          if ((!di && !dj) || ii < 0 || ii >= cols || jj < 0 || jj >= rows ||
              blocked[next]) { continue; }
          var n = item[0] + (di && dj ? 1.414 : 1) * step + extra[next];
          if (n < spent[next]) { spent[next] = n; back[next] = cell; push(n, next); }
        }
      }
    }
    if (end < 0) { return null; }
    var points = [[left + (end % cols) * step, c.top]];
    for (var at = end, first = end; at >= 0; first = at, at = back[at]) {
      points.unshift([left + (at % cols) * step, top + Math.floor(at / cols) * step]);
    }
    points.unshift(origin[first]);
    var route = [points[0]];
    for (var k = 0; k < points.length - 1;) {
      var far = k + 1;
      while (far + 1 < points.length && clear(points[k], points[far + 1])) { far++; }
      route.push(points[far]);
      k = far;
    }
    return route.map(function (p) { return [p[0], p[1]]; });
  }
  // Whether the segment (x1, y1)-(x2, y2) crosses the segment l.
  function meets(x1, y1, x2, y2, l) {
    function side(ax, ay, bx, by, px, py) { return (bx - ax) * (py - ay) - (by - ay) * (px - ax); }
    return side(x1, y1, x2, y2, l[0], l[1]) * side(x1, y1, x2, y2, l[2], l[3]) < 0 &&
           side(l[0], l[1], l[2], l[3], x1, y1) * side(l[0], l[1], l[2], l[3], x2, y2) < 0;
  }
  // Whether the segment (x1, y1)-(x2, y2) meets a box, or the ellipse inside it.
  function crosses(x1, y1, x2, y2, o) {
    if (Math.max(x1, x2) < o.l || Math.min(x1, x2) > o.r ||
        Math.max(y1, y2) < o.t || Math.min(y1, y2) > o.b) { return false; }
    var cx = (o.l + o.r) / 2, cy = (o.t + o.b) / 2, rx = (o.r - o.l) / 2, ry = (o.b - o.t) / 2;
    if (o.round) {  // scaled to a unit circle: is the segment within 1 of its centre?
      var ax = (x1 - cx) / rx, ay = (y1 - cy) / ry, bx = (x2 - cx) / rx, by = (y2 - cy) / ry;
      var vx = bx - ax, vy = by - ay, len = vx * vx + vy * vy;
      var t = len ? Math.max(0, Math.min(1, -(ax * vx + ay * vy) / len)) : 0;
      var nx = ax + t * vx, ny = ay + t * vy;
      return nx * nx + ny * ny < 1;
    }
    // Liang-Barsky: clip the segment to the box; something left means they meet.
    var lo = 0, hi = 1, d = [x1 - x2, x2 - x1, y1 - y2, y2 - y1],
        q = [x1 - o.l, o.r - x1, y1 - o.t, o.b - y1];
    for (var i = 0; i < 4; i++) {
      if (d[i] === 0) { if (q[i] < 0) { return false; } continue; }
      var u = q[i] / d[i];
      if (d[i] < 0) { lo = Math.max(lo, u); } else { hi = Math.min(hi, u); }
      if (lo > hi) { return false; }
    }
    return true;
  }
  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    build(current);
    for (var i = 0; i < frames.length; i++) {
      frames[i].classList.toggle("current", i === current);
    }
    if (goto) { goto.value = current + 1; }
    if (keys === document && history.replaceState) {
      history.replaceState(null, "", "#frame-" + (current + 1));
    }
    layout();
  }
  function toggle(name) {
    root.classList.toggle(name);
    var pressed = root.querySelector('[data-toggle="' + name + '"]');
    if (pressed) { pressed.setAttribute("aria-pressed", on(name) ? "true" : "false"); }
    layout();
  }
  var moves = {first: function () { return 0; }, previous: function () { return current - 1; },
               next: function () { return current + 1; },
               last: function () { return frames.length - 1; }};
  var buttons = root.querySelectorAll("button");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) {
      var go = this.getAttribute("data-go"), name = this.getAttribute("data-toggle");
      if (go) { show(moves[go]()); } else if (name) { toggle(name); }
      this.blur();  // else space would press it again as well as move on
      if (keys === root) { root.focus({preventScroll: true}); }
      event.stopPropagation();
    });
  }
  if (goto) {
    goto.addEventListener("change", function () { show(parseInt(goto.value, 10) - 1); });
    goto.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "Escape") {
        show(parseInt(goto.value, 10) - 1);
        goto.blur();
        if (keys === root) { root.focus({preventScroll: true}); }
        event.preventDefault();
      }
      event.stopPropagation();
    });
  }
  if (keys === root) {
    root.addEventListener("mousedown", function (event) {
      if (event.target !== goto) { root.focus({preventScroll: true}); }
    });
  }
  keys.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target === goto) { return; }
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown" || key === " ") {
      show(current + 1);
    } else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") {
      show(current - 1);
    } else if (key === "Home") { show(0);
    } else if (key === "End") { show(frames.length - 1);
    } else if (key === "f" || key === "+") { toggle("atg-large");
    } else if (key === "l") { toggle("atg-nolegend");
    } else if (key === "z") { toggle("atg-overview");
    } else if (key === "g" && goto) { goto.focus(); goto.select();
    } else { return; }
    event.preventDefault();
    event.stopPropagation();  // a notebook must not also act on the key
  });
  window.addEventListener("resize", layout);
  if (window.ResizeObserver) { new ResizeObserver(layout).observe(root); }
  // Scrolling by hand moves the leader's route: worked out once a painted frame (a
  // route round a big graph takes tens of milliseconds), not at every scroll event.
  var stages = root.querySelectorAll(".atg-stage"), placing = false;
  for (var k = 0; k < stages.length; k++) {
    stages[k].addEventListener("scroll", function () {
      if (placing) { return; }
      placing = true;
      requestAnimationFrame(function () {
        placing = false;
        place(frames[current], frames[current].querySelector(".atg-stage"));
      });
    });
  }
  var match = keys === document && /^#frame-(\\d+)$/.exec(location.hash);
  show(match ? parseInt(match[1], 10) - 1 : 0);
})();
"""


__all__ = ["Frame", "Slides", "build_slides", "contrast_ratio", "deck_html", "inline_svg",
           "network_slides", "pack_svgs", "page", "show_backward", "slide_graph",
           "unpack_svgs", "write_slides"]
