"""Matt Mazur's worked example ("A Step by Step Backpropagation Example"), computed:
the 2-2-2 sigmoid network, forward pass, error, backward pass as products of local
derivatives, the update, and training.

The network (inputs 0.05 and 0.10, targets 0.01 and 0.99, weights 0.15 to 0.55,
biases 0.35 and 0.60 shared per layer and not trained, learning rate 0.5) is an
``nn.MLP(2, [2, 2])`` with sigmoid activations, one bias per layer
(``tie_biases()``) and the example's names (``rename()``): weights w1..w8, biases
b1 and b2, neurons h1, h2, o1, o2 whose nodes are net_h1, out_h1, ... So
``explain(E_total, w5)`` reads like the example, in this package's notation (the
gradient, over every route, with d; the factors along one route with ∂):
dE_total/dw5 = ∂E_total/∂out_o1 * ∂out_o1/∂net_o1 * ∂net_o1/∂w5.

>>> nodes = network()
>>> nodes["E_total"].backward()
>>> f"{nodes['E_total'].data:.9f}", f"{nodes['w5'].grad:.9f}"
('0.298371109', '0.082167041')
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..core.engine import Value, reverse_topological_order
from ..nn.modules import MLP
from .notation import (formula, local_derivative_text, number_text,
                       partials_or_d)
from .routes import Explanation, Factor, explain

SOURCE = 'Matt Mazur\'s "A Step by Step Backpropagation Example"'
INPUTS = {"i1": 0.05, "i2": 0.10}
TARGETS = {"o1": 0.01, "o2": 0.99}
WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
           "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
BIASES = {"b1": 0.35, "b2": 0.60}
NEURONS = ("h1", "h2", "o1", "o2")  # layer by layer, as the model lists them
LEARNING_RATE = 0.5
TRAINING_STEPS = 10_000
DEFAULT_FOLDER = "autograd_tiny_demo"
# The example's name for the error: the text prints it (dE_total/dw5), and the network
# picture and its slides are drawn with it, so the names beside each other agree.
ERROR_NAME = "E_total"

# Which unit each weight connects: the example's picture (w1: i1 -> h1, w2: i2 -> h1,
# ...). In the model each neuron lists its weights in input order, so w1..w8 are the
# model's weights in parameters() order.
CONNECTIONS = {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"),
               "w4": ("i2", "h2"), "w5": ("h1", "o1"), "w6": ("h2", "o1"),
               "w7": ("h1", "o2"), "w8": ("h2", "o2")}
# The numbers the example prints for the backward pass of w5 (nine significant digits).
PRINTED_CHAIN_W5 = {local_derivative_text("E_total", "out_o1"): 0.74136507,
                    local_derivative_text("out_o1", "net_o1"): 0.186815602,
                    local_derivative_text("net_o1", "w5"): 0.593269992}
PRINTED_GRADIENT_W5 = 0.082167041
# The figures the example prints after the first update and after 10,000; see
# mistaken_error_after_update() for where the first comes from.
PUBLISHED_ERROR_AFTER_UPDATE = 0.291027924
PUBLISHED_ERROR_AFTER_TRAINING = 0.0000351085

FORWARD_NAMES = ("net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2",
                 "out_o2")


def model(weights: Mapping[str, float] = WEIGHTS) -> MLP:
    """The example's network as an ``nn`` model: ``MLP(2, [2, 2])``, sigmoid in both
    layers, one bias per layer, and the example's names for everything.

    >>> net = model()
    >>> net.state_dict()
    {'w1': 0.15, 'w2': 0.2, 'b1': 0.35, 'w3': 0.25, 'w4': 0.3, 'w5': 0.4, 'w6': 0.45, 'b2': 0.6, 'w7': 0.5, 'w8': 0.55}
    >>> [round(out.data, 9) for out in net([0.05, 0.10])]
    [0.75136507, 0.772928465]
    """
    missing = sorted(set(WEIGHTS) - set(weights))
    if missing:
        raise ValueError(f"network: no value for {', '.join(missing)}")
    # seed=0: the weights are set below; drawing them must not move the global random state.
    built = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    built.tie_biases().rename(NEURONS, weights=list(WEIGHTS), biases=list(BIASES),
                              net="net_{neuron}", out="out_{neuron}")
    built.load_state_dict({**{name: weights[name] for name in WEIGHTS}, **BIASES})
    return built


def forward(net: MLP) -> dict[str, Value]:
    """One forward pass of the model and the example's error: every labelled node by
    its label (``i1``, ``w1``..``w8``, ``b1``, ``net_h1``, ``out_h1``, ..., ``E_o1``,
    ``E_total``).

    >>> nodes = forward(model())
    >>> round(nodes["E_total"].data, 9), nodes["net_o1"] is nodes["out_o1"]._prev[0]
    (0.298371109, True)
    """
    total = _error(net)
    return {node.label: node for node in reverse_topological_order(total) if node.label}


def _error(net: MLP) -> Value:
    """E_total for the example's inputs and targets."""
    i1, i2 = (Value(INPUTS[name], label=name) for name in ("i1", "i2"))
    out_o1, out_o2 = net([i1, i2])  # type: ignore[misc]
    # The example's squared error: E = 1/2 (target - out)^2 per output, summed.
    t1, t2 = (Value(TARGETS[o], label=f"target_{o}") for o in ("o1", "o2"))
    e_o1 = 0.5 * (t1 - out_o1) ** 2
    e_o2 = 0.5 * (t2 - out_o2) ** 2
    e_o1.label, e_o2.label = "E_o1", "E_o2"
    total = e_o1 + e_o2
    total.label = ERROR_NAME
    return total


def network(weights: Mapping[str, float] = WEIGHTS) -> dict[str, Value]:
    """One forward pass of the network: every labelled node by its label
    (``i1``, ``w1``..``w8``, ``b1``, ``net_h1``, ``out_h1``, ..., ``E_o1``, ``E_total``).

    >>> nodes = network()
    >>> nodes["net_h1"].data, round(nodes["out_o1"].data, 9)
    (0.3775, 0.75136507)
    """
    return forward(model(weights))


def gradient_step(weights: Mapping[str, float]) -> tuple[dict[str, Value], dict[str, float]]:
    """One forward and backward pass; returns the graph and the eight weights after
    one step of gradient descent (all from the gradients of this same pass).

    >>> _, new = gradient_step(WEIGHTS)
    >>> round(new["w5"], 9)
    0.35891648
    """
    nodes = network(weights)
    nodes["E_total"].backward()
    return nodes, {name: weights[name] - LEARNING_RATE * nodes[name].grad for name in WEIGHTS}


def train(weights: Mapping[str, float], steps: int) -> dict[str, float]:
    """The weights after ``steps`` updates of gradient descent (the biases stay).

    >>> round(train(WEIGHTS, 2)["w5"], 9)
    0.317353862
    """
    if isinstance(steps, bool) or not isinstance(steps, int):
        raise TypeError(f"train: steps must be an int, got {type(steps).__name__}")
    if steps < 0:
        raise ValueError(f"train: steps must be at least 0, got {steps}")
    net = model(weights)
    trained = [p for name, p in net.named_parameters() if name in WEIGHTS]
    for _ in range(steps):
        for p in trained:
            p.grad = 0.0
        _error(net).backward()
        for p in trained:  # every weight from the gradients of the same pass
            p.data -= LEARNING_RATE * p.grad
    return {name: p.data for name, p in net.named_parameters() if name in WEIGHTS}


def mistaken_error_after_update(nodes: Mapping[str, Value],
                                updated: Mapping[str, float]) -> float:
    """The error after one update as the example prints it (0.291027924): its
    hidden-layer gradients used the output weights *after* their update. Redone here
    from the pass's own gradients: each output neuron's delta dE/dnet_o (the
    ``grad`` of net_o1 and net_o2), passed back to a hidden neuron through the
    *updated* weight instead of the one the pass used, times ∂out_h/∂net_h =
    out_h (1 - out_h) and the input the weight multiplies.

    ``nodes`` is a forward pass after ``backward()``; ``updated`` its updated weights.

    >>> nodes, updated = gradient_step(WEIGHTS)
    >>> f"{mistaken_error_after_update(nodes, updated):.9f}"
    '0.291027924'
    """
    mistaken = dict(updated)
    for name in ("w1", "w2", "w3", "w4"):
        source, hidden = CONNECTIONS[name]
        back = sum(nodes[f"net_{o}"].grad * updated[w]
                   for w, (h, o) in CONNECTIONS.items() if h == hidden)
        out = nodes[f"out_{hidden}"].data
        gradient = back * out * (1.0 - out) * nodes[source].data
        mistaken[name] = nodes[name].data - LEARNING_RATE * gradient
    return network(mistaken)["E_total"].data


@dataclass(frozen=True)
class Walkthrough:
    """Every number of the worked example. ``nodes`` is the first forward pass with
    its gradients; ``as_reference()`` lays the numbers out under the section and key
    names of the reference numbers the tests compare them with (exact doubles from a
    direct float computation, ``tests/test_walkthrough.py``)."""

    nodes: dict[str, Value]
    updated: dict[str, float]
    error_after_update: float
    mistaken_error: float
    steps: int
    trained: dict[str, Value]
    w5: Explanation
    w1: Explanation

    def mazur_chain(self) -> tuple[Factor, ...]:
        """The route from E_total to w5 grouped as Mazur writes it: explain gives one
        factor per edge; grouped at out_o1 and net_o1 they are ∂E_total/∂out_o1 *
        ∂out_o1/∂net_o1 * ∂net_o1/∂w5, each a stretch of this one route, so each with
        ∂, as Mazur writes them and as ``explain`` names them."""
        return self.w5.routes[0].grouped_at([self.nodes["out_o1"], self.nodes["net_o1"]])

    def as_reference(self) -> dict[str, dict[str, float]]:
        """The numbers under the reference numbers' section and key names.

        >>> compute(steps=0).as_reference()["after_0_updates"]["E_total"]
        0.2983711087600027
        """
        n = self.nodes
        chain = {factor.name: factor.value for factor in self.mazur_chain()}
        return {
            "forward": {name: n[name].data for name in (*FORWARD_NAMES, "E_total")},
            "errors": {"E_o1": n["E_o1"].data, "E_o2": n["E_o2"].data},
            "backward": {
                "dE_dout_o1": chain[local_derivative_text("E_total", "out_o1")],
                "dout_o1_dnet_o1": chain[local_derivative_text("out_o1", "net_o1")],
                "dnet_o1_dw5": chain[local_derivative_text("net_o1", "w5")],
                **{f"dE_d{name}": n[name].grad for name in WEIGHTS},
            },
            "after_one_update": {**self.updated, "E_total": self.error_after_update},
            f"after_{self.steps}_updates": {
                name: self.trained[name].data for name in ("E_total", "out_o1", "out_o2")},
        }


def compute(steps: int = TRAINING_STEPS) -> Walkthrough:
    """The whole example: forward, backward, one update, and ``steps`` updates.

    >>> walk = compute(steps=1)
    >>> f"{walk.error_after_update:.9f}", walk.trained["E_total"].data == walk.error_after_update
    ('0.291027774', True)
    """
    nodes, updated = gradient_step(WEIGHTS)
    trained = network(train(WEIGHTS, steps))
    return Walkthrough(nodes, updated, network(updated)["E_total"].data,
                       mistaken_error_after_update(nodes, updated), steps, trained,
                       explain(nodes["E_total"], nodes["w5"]),
                       explain(nodes["E_total"], nodes["w1"]))


# -- telling it ---------------------------------------------------------------------------


def nine(x: float) -> str:
    """Nine decimals, as the reference numbers are compared.

    >>> nine(0.2983711087600027)
    '0.298371109'
    """
    return f"{x:.9f}"


def report(walk: Walkthrough, console: Any) -> None:
    """Prints the worked example on a ``rich`` console, section by section.

    >>> import io
    >>> from rich.console import Console
    >>> out = io.StringIO()
    >>> report(compute(steps=3), Console(file=out, width=100))
    >>> "Mazur's example: 0.74136507 * 0.186815602 * 0.593269992 = 0.082167041" in out.getvalue()
    True

    On a console that cannot print ∂ (a Windows pipe in cp1252), local derivatives
    are written with d (:func:`~autograd_tiny.teach.notation.partials_or_d`).
    """
    for section in (_print_network, _print_forward, _print_backward, _print_sweep,
                    _print_update, _print_training):
        with partials_or_d(console):
            section(walk, console)


def _rule(title: str) -> Any:
    from rich.rule import Rule

    return Rule(title, style="cyan")


def _print_network(walk: Walkthrough, console: Any) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console.print(Panel(
        Text.assemble(("Backpropagation, step by step\n", "bold"),
                      f"The 2-2-2 sigmoid network of {SOURCE}, computed by "
                      "autograd_tiny as an nn.MLP(2, [2, 2]) with the example's names: "
                      "inputs 0.05 and 0.10, targets 0.01 and 0.99, learning rate 0.5. "
                      "Every number below is computed, none typed in; each is rounded to "
                      "9 decimals."),
        title="autograd_tiny demo", border_style="cyan"))
    console.print(_rule("The network"))
    weights = Table(show_edge=False)
    for heading in ("weight", "connects", "value"):
        weights.add_column(heading, justify="right" if heading == "value" else "left")
    for name, (source, sink) in CONNECTIONS.items():
        weights.add_row(name, f"{source} -> {sink}", f"{WEIGHTS[name]:g}")
    others = Table(show_edge=False)
    others.add_column("and the other numbers")
    others.add_column("value", justify="right")
    for label, value in (("input i1", INPUTS["i1"]), ("input i2", INPUTS["i2"]),
                         ("bias b1, hidden layer", BIASES["b1"]),
                         ("bias b2, output layer", BIASES["b2"]),
                         ("target o1", TARGETS["o1"]), ("target o2", TARGETS["o2"]),
                         ("learning rate", LEARNING_RATE)):
        others.add_row(label, f"{value:g}")
    layout = Table.grid(padding=(0, 4))
    layout.add_row(weights, others)
    console.print(layout)
    console.print(Text("The biases are shared per layer and not trained.", style="dim"))


def _print_forward(walk: Walkthrough, console: Any) -> None:
    from rich.table import Table

    sections = (("Step 1 · forward pass: net = weighted sum + bias, out = sigmoid(net)",
                 FORWARD_NAMES),
                ("Step 2 · the error: E = 1/2 (target - out)^2, summed over outputs",
                 ("E_o1", "E_o2", "E_total")))
    for title, names in sections:
        console.print(_rule(title))
        table = Table(show_edge=False)
        table.add_column("node")
        table.add_column("formula")
        table.add_column("value", justify="right")
        for name in names:
            node = walk.nodes[name]
            table.add_row(name, formula(node), nine(node.data),
                          style="bold" if name == "E_total" else None)
        console.print(table)


def _print_backward(walk: Walkthrough, console: Any) -> None:
    from rich.text import Text

    console.print(_rule("Step 3 · backward pass: the chain rule, from E_total back to w5"))
    _print_explanation(walk.w5, console)
    route = walk.w5.routes[0]
    mazur = walk.mazur_chain()
    console.print(Text.assemble("  grouped as Mazur writes it: ", (
        " * ".join(factor.name for factor in mazur) + " = "
        + " * ".join(number_text(factor.value) for factor in mazur)
        + f" = {number_text(route.product)}", "bold")), soft_wrap=True)
    # The example prints nine significant digits: agreeing to that is agreeing.
    same = abs(route.product - PRINTED_GRADIENT_W5) < 5e-10 and all(
        abs(factor.value - PRINTED_CHAIN_W5.get(factor.name, math.nan)) < 5e-9
        for factor in mazur)
    console.print(Text.assemble(
        ("  Mazur's example: ", "dim"),
        " * ".join(number_text(v) for v in PRINTED_CHAIN_W5.values()),
        f" = {number_text(PRINTED_GRADIENT_W5)}  ",
        ("same numbers" if same else "DIFFERENT numbers",
         "bold green" if same else "bold red")), soft_wrap=True)
    first_name, first_value = next(iter(PRINTED_CHAIN_W5.items()))
    console.print(Text(
        "Each factor is a local derivative the engine recorded when its op ran, and the "
        "rule is that op's row in autograd_tiny/core/ops.py. The example writes "
        f"{first_name}, the product of the first four factors, as -(target_o1 - out_o1) "
        f"= {number_text(first_value)}.", style="dim"))
    console.print(_rule("... and back to w1, one layer deeper: two routes, one through "
                        "each output"))
    _print_explanation(walk.w1, console)


def _print_update(walk: Walkthrough, console: Any) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    n = walk.nodes
    console.print(_rule(f"Step 4 · update all eight weights: w <- w - {LEARNING_RATE} * "
                        "dE_total/dw"))
    table = Table(show_edge=False)
    for heading in ("weight", "before", "dE_total/dw", "after"):
        table.add_column(heading, justify="left" if heading == "weight" else "right")
    for name in WEIGHTS:
        table.add_row(name, nine(n[name].data), nine(n[name].grad), nine(walk.updated[name]))
    console.print(table)
    console.print(Text("All eight use the gradients of the same forward pass; the "
                       "biases stay as they are.", style="dim"))

    console.print(_rule("Step 5 · forward again: the error went down"))
    console.print(Text.assemble(
        "E_total before the update  ", (nine(n["E_total"].data), "bold"), "\n",
        "E_total after one update   ", (nine(walk.error_after_update), "bold green")))
    console.print(Panel(Text(
        f"Why not {nine(PUBLISHED_ERROR_AFTER_UPDATE)}, as Mazur's write-up (and many "
        f"copies of it) prints? That figure came from an early version of its author's script, "
        f"which computed the hidden-layer gradients (w1..w4) with the output weights "
        f"w5..w8 already updated. Redoing exactly that with the routes above (each "
        f"{local_derivative_text('net_o', 'out_h')} factor replaced by its updated weight) gives "
        f"{nine(walk.mistaken_error)}. Correct gradient descent, every weight moved by the "
        f"gradient of the same forward pass, gives {nine(walk.error_after_update)}."),
        title=f"a note on {nine(PUBLISHED_ERROR_AFTER_UPDATE)}", border_style="yellow"))


def _print_training(walk: Walkthrough, console: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    trained = walk.trained
    console.print(_rule(f"Repeat: after {walk.steps:,} updates"))
    table = Table(show_edge=False)
    for heading in ("", "value", "target"):
        table.add_column(heading, justify="left" if not heading else "right")
    table.add_row("E_total", nine(trained["E_total"].data), "0")
    table.add_row("out_o1", nine(trained["out_o1"].data), f"{TARGETS['o1']:g}")
    table.add_row("out_o2", nine(trained["out_o2"].data), f"{TARGETS['o2']:g}")
    console.print(table)
    if walk.steps == TRAINING_STEPS:
        console.print(Text(
            f"(Mazur's write-up prints {PUBLISHED_ERROR_AFTER_TRAINING:.10f} here, from the "
            f"same early script; correct gradient descent gives "
            f"{trained['E_total'].data:.9e}.)", style="dim"))


def _print_sweep(walk: Walkthrough, console: Any) -> None:
    """What backward() computed in its one pass: every labelled node's gradient."""
    from rich.table import Table
    from rich.text import Text

    console.print(_rule("What backward() does instead: every gradient in one sweep"))
    order = reverse_topological_order(walk.nodes["E_total"])
    edges = sum(len(node._prev) for node in order)
    table = Table(show_edge=False, title="in the order backward() reaches them",
                  title_justify="left")
    for _ in range(2):
        table.add_column("node")
        table.add_column("dE_total/dnode", justify="right")
    # The labelled nodes in the order backward reaches them (inputs, biases and
    # targets left out: nothing is learned from their gradients here).
    labelled = [node for node in order if node.label and (node._prev or node.label in WEIGHTS)]
    half = (len(labelled) + 1) // 2
    for left, right in zip(labelled[:half], labelled[half:] + [None]):
        cells = [left.label, nine(left.grad)]
        cells += [right.label, nine(right.grad)] if right is not None else ["", ""]
        table.add_row(*cells)
    console.print(table)
    out_h1 = walk.nodes["out_h1"].grad
    console.print(Text(
        f"backward() visits each of the {len(order)} nodes once, from E_total back to the "
        f"inputs: {edges} steps, one multiplication per edge. A node's gradient is the sum "
        f"over every route down to it, ready before the node passes it on, so it is "
        f"reused by every route that continues below it: dE_total/dout_h1 = "
        f"{number_text(out_h1)} serves w1 and w2 alike, and is never recomputed. That is "
        f"the efficiency the notes \"Backpropagation - Simple Notes\" speak of: the "
        f"gradients for all weights, without redundant calculations.", style="dim"))


def _print_explanation(explanation: Explanation, console: Any) -> None:
    """One route on one line (as the example writes it); several side by side, one
    factor per row, so they stay readable in 80 columns. Then each factor's rule."""
    from rich.table import Table
    from rich.text import Text

    console.print(Text(explanation.title, style="bold"), soft_wrap=True)
    routes = explanation.routes
    if len(routes) == 1:
        console.print(Text("\n".join(routes[0].lines("  ")), style="bold"), soft_wrap=True)
    else:
        table = Table(show_edge=False)
        for number in range(1, len(routes) + 1):
            # fold, not "...": a long factor name wraps whole in a narrow terminal
            table.add_column(f"route {number}", overflow="fold")
            table.add_column("", justify="right", no_wrap=True)
        for row in range(max(len(route.factors) for route in routes)):
            cells = []
            for route in routes:
                if row < len(route.factors):
                    factor = route.factors[row]
                    cells += [("  " if row == 0 else "* ") + factor.name, nine(factor.value)]
                else:
                    cells += ["", ""]
            table.add_row(*cells)
        table.add_row(*[cell for route in routes
                        for cell in ("= product", Text(nine(route.product), style="bold"))],
                      end_section=True)
        console.print(table)
        console.print(Text.assemble(
            f"  {explanation.gradient_name} = sum of the routes = {explanation.sum_text} = ",
            (number_text(explanation.total), "bold green")), soft_wrap=True)
    rules = Table(show_edge=False, title="where", title_justify="left")
    rules.add_column("local derivative")
    rules.add_column("rule, from the op table")
    rules.add_column("value", justify="right")
    for factor in explanation.where():
        rules.add_row(factor.name, factor.rule, nine(factor.value))
    console.print(rules)


def write_files(walk: Walkthrough, folder: str | os.PathLike[str]) -> tuple[list[Path], list[str]]:
    """Writes into ``folder`` the network as it is drawn on the board
    (``network.svg``: weights on the edges, net/out/delta in each neuron, the routes
    to w1 in red), its slides layer by layer (``slides.html``: output layer first,
    then the hidden layer, then every update), the computation graph the engine
    recorded (``graph.svg``) and its slides one edge at a time (``graph_slides.html``).
    Returns the paths written and notes on what could not be. With no Graphviz
    renderer, the graph's source is written (``graph.dot``) and the rest is left out.

    >>> import tempfile
    >>> from autograd_tiny.draw.renderer import find_renderer
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written, notes = write_files(compute(3), folder) if find_renderer() else ([], [])
    ...     find_renderer() is None or [path.name for path in written] == [
    ...         "network.svg", "slides.html", "graph.svg", "graph_slides.html"]
    True
    """
    from ..draw.dot import render
    from ..draw.network import draw_network
    from ..draw.renderer import RenderError
    from .slides import network_slides, write_slides

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    root = walk.nodes["E_total"]
    net = model()  # the example's starting weights: the pictures show its numbers
    inputs, targets = list(INPUTS.values()), list(TARGETS.values())
    title = "Backpropagation through Matt Mazur's 2-2-2 network"
    written, notes = [], []
    try:
        written.append(Path(draw_network(net, inputs, targets, input_names=list(INPUTS),
                                         highlight="w1", error_name=ERROR_NAME)
                            .render(folder / "network.svg")))
        written.append(network_slides(net, inputs, targets, input_names=list(INPUTS),
                                      title=title, biases=False,  # Mazur trains weights only
                                      error_name=ERROR_NAME)
                       .save(folder / "slides.html"))
        written.append(render(root, folder / "graph.svg"))
        written.append(write_slides(root, folder / "graph_slides.html",
                                    title=f"{title}: the computation graph, edge by edge"))
    except RenderError as error:
        written.append(render(root, folder / "graph.dot"))
        notes.append(f"pictures and slides not drawn: {error}")
    return written, notes


def run(folder: str | os.PathLike[str] | None = DEFAULT_FOLDER, steps: int = TRAINING_STEPS,
        console: Any = None) -> list[Path]:
    """Computes, prints and (unless ``folder`` is None) writes the worked example;
    returns the files written.

    >>> import io
    >>> from rich.console import Console
    >>> out = io.StringIO()
    >>> run(None, steps=3, console=Console(file=out, width=100))
    []
    >>> "∂E_total/∂out_o1 * ∂out_o1/∂net_o1 * ∂net_o1/∂w5" in out.getvalue()
    True
    """
    from rich.console import Console
    from rich.text import Text

    console = console or Console()
    walk = compute(steps)
    report(walk, console)
    if folder is None:
        return []
    written, notes = write_files(walk, folder)
    console.print()
    for path in written:
        console.print(Text.assemble("wrote ", (str(path), "bold")), soft_wrap=True)
    for note in notes:
        console.print(Text(note, style="yellow"), soft_wrap=True)
    if any(path.suffix == ".html" for path in written):
        console.print(f"Open {Path(folder) / 'slides.html'} in a browser and step through "
                      f"backward layer by layer with the arrow keys "
                      f"({Path(folder) / 'graph_slides.html'}: edge by edge).",
                      soft_wrap=True, highlight=False)
    console.print(Text.assemble("Everything is in ", (f"{Path(folder)}{os.sep}", "bold cyan")),
                  soft_wrap=True)
    return written
