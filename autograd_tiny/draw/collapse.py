"""How a graph built by ``nn`` modules divides into parts a picture can show whole.

From one :func:`~autograd_tiny.core.graph.snapshot` (groups come from labels, contract
C: ``L1.N2.net`` and ``L1.N2.w1`` belong to ``L1.N2``):

- every node a module's forward made, the unlabelled ones between a neuron's weights
  and its ``net`` included, gets that module's group;
- the model's nodes split into *instances*: one forward pass each (the parameters
  are shared between them, nothing else is). A loss over a batch of 100 data points
  has 100 instances of the same model;
- every other node is one data point's (its inputs, its per-point loss: all of it
  tied to one instance), an *aggregate* over many points (the sum or mean of the
  per-point losses), a *parameter term* that depends on the parameters and on no
  data point (an L2 penalty), or a constant.

``draw_dot`` uses this to cluster each neuron's nodes and, with ``collapse=``, to
draw one box per neuron or layer and one data point's path.

>>> from autograd_tiny import Value
>>> w = Value(0.5, label="N1.w1")
>>> points = [Value(x) * w for x in (1.0, 2.0)]
>>> for p in points: p.label = "N1.net"
>>> parts = structure(snapshot(points[0] + points[1] + w * w))
>>> parts.instance_count, sorted(set(parts.kind.values()))
(2, ['aggregate', 'model', 'parameter', 'parameter term', 'point'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import graphviz

from ..core.engine import Value
from ..core.graph import GraphSnapshot, module_of, snapshot
from .picture import Drawing
from .style import (
    AGGREGATE_FILL,
    FONT,
    GROUP_FILL,
    HIGHLIGHT_COLOR,
    INTERMEDIATE_FILL,
    PARAMETER_TERM_FILL,
    number,
    plain_text,
    record_label,
    record_text,
    value_fill,
)

__all__ = ["Structure", "structure", "snapshot", "layer_of", "draw_collapsed", "group_names"]

NONE, MANY = -1, -2  # instance markers: tied to no forward pass, or to several


@dataclass
class Structure:
    """The parts of one graph; see the module docstring."""

    graph: GraphSnapshot
    group: dict[Value, str]  # module of every node made by (or owned by) a module
    kind: dict[Value, str]  # 'model', 'parameter', 'point', 'aggregate', 'parameter term', 'constant'
    instance: dict[Value, int]  # forward pass of 'model' and 'point' nodes
    instance_count: int
    first: int  # the instance a collapsed picture draws

    @property
    def has_groups(self) -> bool:
        return bool(self.group)


def layer_of(group: str) -> str:
    """The layer a neuron's group belongs to: ``'L1'`` for ``'L1.N2'``; a group with
    no layer part is its own layer.

    >>> layer_of("L1.N2"), layer_of("h1")
    ('L1', 'h1')
    """
    return module_of(group) or group


def structure(graph: GraphSnapshot) -> Structure:
    """Groups, kinds and instances of every node of ``graph``, from its snapshot
    (a few passes over ``graph.order``; no walk of the graph itself).

    >>> from autograd_tiny import Value
    >>> w, b = Value(2.0, label="N1.w1"), Value(1.0, label="N1.b")
    >>> net = w * Value(3.0) + b; net.label = "N1.net"
    >>> parts = structure(snapshot(net.tanh()))
    >>> sorted(set(parts.group.values())), parts.kind[w], parts.instance_count
    (['N1'], 'parameter', 1)
    """
    order = graph.order
    n = len(order)
    # Positions instead of nodes: each node's inputs read once (through ``_prev``),
    # then every pass below is integer lists, fast enough for 65,000 nodes.
    position = {node: i for i, node in enumerate(order)}
    inputs = [[position[parent] for parent in node._prev] for node in order]
    is_leaf = [not parents for parents in inputs]
    labelled = [graph.groups.get(node, "") for node in order]

    # Root first: every user of a node is seen before the node, so the group of the
    # nodes a neuron made flows from its labelled net/out into the unlabelled sums
    # and products under it (never into leaves: data and constants are no module's).
    owner = list(labelled)
    for i in range(n):
        own = owner[i]
        if own:
            for j in inputs[i]:
                if not owner[j] and not is_leaf[j]:
                    owner[j] = own
    MODEL, PARAMETER, POINT, AGGREGATE, TERM, CONSTANT = range(6)
    kinds = [(PARAMETER if is_leaf[i] else MODEL) if owner[i] else -1 for i in range(n)]

    # Leaves first: instances (connected pieces of the model's nodes, parameters left
    # out; provisional numbers joined by union-find) and, for every other node, the
    # instances it depends on (``down``) and whether it depends on a parameter.
    link: list[int] = []

    def find(k: int) -> int:
        while link[k] != k:
            link[k] = link[link[k]]
            k = link[k]
        return k

    piece = [NONE] * n
    down = [NONE] * n
    touches = [False] * n
    for i in range(n - 1, -1, -1):
        kind_i = kinds[i]
        if kind_i == MODEL:
            mine = NONE
            for j in inputs[i]:
                other = piece[j]
                if other == NONE:
                    continue
                if mine == NONE:
                    mine = other
                elif other != mine:
                    a, b = find(mine), find(other)
                    if a != b:
                        link[a] = b
            if mine == NONE:
                mine = len(link)
                link.append(mine)
            piece[i] = mine
        elif kind_i == -1:
            found, touched = NONE, False
            for j in inputs[i]:
                kind_j = kinds[j]
                if kind_j == MODEL:
                    found = _merge(found, piece[j])  # provisional; settled below
                elif kind_j == PARAMETER:
                    touched = True
                else:
                    found = _merge(found, down[j])
                    touched = touched or touches[j]
            down[i], touches[i] = found, touched
    numbers: dict[int, int] = {}
    instance_of = [NONE] * n
    for i in range(n):  # root first: numbering follows the order, so it is stable
        if kinds[i] == MODEL:
            top = find(piece[i])
            if top not in numbers:
                numbers[top] = len(numbers)
            instance_of[i] = numbers[top]
    # ``down`` merged provisional numbers: settle them (one number per instance).
    for i in range(n - 1, -1, -1):
        if kinds[i] == -1:
            found = NONE
            for j in inputs[i]:
                if kinds[j] == MODEL:
                    found = _merge(found, instance_of[j])
                elif kinds[j] == -1:
                    found = _merge(found, down[j])
            down[i] = found

    # Root first: for nodes that depend on no instance, the instances that use them.
    up = [NONE] * n
    for i in range(n):
        if kinds[i] == MODEL:
            mark = instance_of[i]
        elif kinds[i] == -1:
            mark = down[i] if down[i] != NONE else up[i]
        else:
            continue
        if mark == NONE:
            continue
        for j in inputs[i]:
            if kinds[j] == -1 and down[j] == NONE:
                up[j] = _merge(up[j], mark)

    for i in range(n):
        if kinds[i] != -1:
            continue
        if down[i] >= 0:
            kinds[i], instance_of[i] = POINT, down[i]
        elif down[i] == MANY:
            kinds[i] = AGGREGATE
        elif up[i] >= 0:
            kinds[i], instance_of[i] = POINT, up[i]
        else:
            kinds[i] = TERM if touches[i] else CONSTANT

    names = ("model", "parameter", "point", "aggregate", "parameter term", "constant")
    group = {order[i]: owner[i] for i in range(n) if owner[i]}
    kind = {node: names[kinds[i]] for i, node in enumerate(order)}
    instance = {order[i]: instance_of[i] for i in range(n) if instance_of[i] != NONE}
    first = _instance_to_draw(order, kind, instance)
    return Structure(graph, group, kind, instance, len(numbers), first)


def _instance_to_draw(order: list[Value], kind: dict[Value, str],
                      instance: dict[Value, int]) -> int:
    """The instance a collapsed picture shows: the first (in the snapshot's order)
    whose output carries gradient, so the picture has numbers worth reading (a data
    point with zero hinge loss passes no gradient back); else the first."""
    first = NONE
    seen: set[int] = set()
    for node in order:
        if kind[node] != "model":
            continue
        number = instance[node]
        if number in seen:
            continue
        seen.add(number)  # the first node of an instance in root-first order: its output
        if first == NONE:
            first = number
        if node.grad != 0:
            return number
    return first


def _merge(a: int, b: int) -> int:
    if a == NONE:
        return b
    if b == NONE or a == b:
        return a
    return MANY


# -- the collapsed picture ------------------------------------------------------------

COLLAPSE_MODES = ("neuron", "layer")
# One data point's own values (inputs, target, per-point loss) are drawn op by op up
# to this many; beyond it they become one box.
POINT_NODES_DRAWN = 40
# More edges than this from one layer (or input) into the next are drawn as one.
BUNDLE_ABOVE = 8


def draw_collapsed(parts: Structure, mode: str, expand: Sequence[str] = (),
                   rankdir: str = "LR", fmt: str = "svg", show_grad: bool = True,
                   show_local: bool = True, reason: str = "",
                   highlight: tuple[str, set[Value]] | None = None) -> Drawing:
    """One box per neuron (``mode='neuron'``) or per layer (``'layer'``), one data
    point's path when the model ran on many, the sum or mean over the data points
    and any term of the parameters alone (an L2 penalty) as boxes of their own.
    Groups named in ``expand`` (a neuron such as ``'L1.N2'``, or a layer ``'L1'``)
    are drawn op by op inside a cluster. ``reason`` starts the picture's caption.
    ``highlight``: (name, the values on the gradient's route to it): the boxes and
    edges the route passes through are drawn in colour.

    >>> from autograd_tiny import Value
    >>> w = Value(0.5, label="L1.N1.w1")
    >>> outs = [(Value(x) * w).tanh() for x in (1.0, 2.0, 3.0)]
    >>> for o in outs: o.label = "L1.N1.out"
    >>> loss = outs[0] + outs[1] + outs[2]; loss.backward()
    >>> drawing = draw_collapsed(structure(snapshot(loss)), "neuron")
    >>> "x 3 data points" in drawing.source, repr(drawing).split(".")[0]
    (True, "<Drawing 'autograd_tiny': 3 nodes, 2 edges")
    """
    if mode not in COLLAPSE_MODES:
        raise ValueError(f"draw_dot: collapse must be one of 'neuron', 'layer', 'none' or "
                         f"None, got {mode!r}")
    collapsed = _Collapsed(parts, mode, tuple(expand), show_grad, show_local)
    if highlight is not None:
        collapsed.highlight_name, collapsed.route = highlight
    return collapsed.draw(rankdir, fmt, reason)


def group_names(parts: Structure) -> list[str]:
    """Every neuron group and layer name a graph has, for ``expand=`` messages.

    >>> from autograd_tiny import Value
    >>> n = Value(1.0, label="L2.N1.w1") * 2; n.label = "L2.N1.net"
    >>> group_names(structure(snapshot(n)))
    ['L2', 'L2.N1']
    """
    groups = set(parts.group.values())
    return sorted(groups | {layer_of(g) for g in groups})


class _Collapsed:
    """Works out which element (box, or value drawn op by op) shows each node, then
    writes them; one object per drawing."""

    def __init__(self, parts: Structure, mode: str, expand: tuple[str, ...],
                 show_grad: bool, show_local: bool) -> None:
        self.parts, self.mode, self.expand = parts, mode, expand
        self.show_grad, self.show_local = show_grad, show_local
        graph = parts.graph
        known = set(group_names(parts))
        for name in expand:
            if name not in known:
                listed = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
                raise ValueError(f"draw_dot: expand={name!r} is not a neuron or layer of "
                                 f"this graph (it has {listed})")
        self.element: dict[Value, str] = {}  # node -> id of what shows it
        self.members: dict[str, list[Value]] = {}  # box id -> its nodes (root first)
        self.box_kind: dict[str, str] = {}
        self.op_level: list[Value] = []  # nodes drawn as records, root first
        self.cluster_of: dict[str, str] = {}  # element -> innermost cluster key
        point_nodes = [n for n in graph.order if parts.kind[n] == "point"
                       and parts.instance[n] == parts.first]
        points_drawn = len(point_nodes) <= POINT_NODES_DRAWN
        chains = _chains(parts)
        for node in graph.order:
            kind = parts.kind[node]
            if kind in ("model", "parameter"):
                if kind == "model" and parts.instance[node] != parts.first:
                    continue
                group = parts.group[node]
                if group in expand or layer_of(group) in expand:
                    self._op_level(node, cluster=f"group {group}")
                else:
                    key = group if mode == "neuron" else layer_of(group)
                    self._box(node, f"box {key}", "group",
                              cluster=f"layer {layer_of(group)}" if mode == "neuron" else "")
            elif kind == "point":
                if parts.instance[node] != parts.first:
                    continue
                if points_drawn:
                    self._op_level(node, cluster="")
                else:
                    self._box(node, "box point", "point", cluster="")
            elif kind in ("aggregate", "parameter term"):
                rep = chains[node]
                if len(chains.members(rep)) == 1:
                    self._op_level(node, cluster="", outside=True)
                else:
                    self._box(node, f"box {kind} {chains.index(rep)}", kind, cluster="",
                              outside=True)
        # Constants show where an op-level value uses them.
        for node in list(self.op_level):
            for parent in node._prev:
                if parts.kind[parent] == "constant" and parent not in self.element:
                    self._op_level(parent, cluster=self.cluster_of.get(self.element[node], ""),
                                   outside=self.element[node] in self.outside)

    outside: set[str] = set()
    rankdir = "LR"
    highlight_name = ""
    route: set[Value] = set()
    red_pairs: set[tuple[str, str]] = set()

    def _op_level(self, node: Value, cluster: str, outside: bool = False) -> None:
        element = f"v{len(self.element)}"
        self.element[node] = element
        self.op_level.append(node)
        self.cluster_of[element] = cluster
        if outside:
            self.outside = self.outside | {element}

    def _box(self, node: Value, key: str, kind: str, cluster: str,
             outside: bool = False) -> None:
        self.element[node] = key
        if key not in self.members:
            self.members[key] = []
            self.box_kind[key] = kind
            self.cluster_of[key] = cluster
            if outside:
                self.outside = self.outside | {key}
        self.members[key].append(node)

    # -- writing -----------------------------------------------------------------------

    def _element_of(self, node: Value) -> str | None:
        """What shows ``node``: its own element, or (a node of a data point that is not
        drawn) the box of its neuron or layer."""
        element = self.element.get(node)
        if element is not None or node not in self.parts.group:
            return element
        group = self.parts.group[node]
        if group in self.expand or layer_of(group) in self.expand:
            return None
        return f"box {group if self.mode == 'neuron' else layer_of(group)}"

    def _route_elements(self) -> tuple[set[str], set[tuple[str, str]]]:
        """The elements and the (input, user) element pairs the gradient's route to
        the highlighted value passes, over every data point (a neuron's box stands
        for all of them)."""
        elements: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for node in self.route:
            child = self._element_of(node)
            if child is None:
                continue
            elements.add(child)
            for parent, local in zip(node._prev, node._local):
                source = self._element_of(parent)
                if local != 0 and parent in self.route and source not in (None, child):
                    pairs.add((source, child))  # type: ignore[arg-type]
        return elements, pairs

    def _stacked(self, record: str) -> str:
        """A record's fields one above the other: drawn left to right, a record
        ``{ a | b }`` lies on its side, so its outer braces go (a collapsed picture
        is many ranks wide; narrow boxes keep it near a slide's shape)."""
        if self.rankdir in ("LR", "RL") and record.startswith("{ ") and record.endswith(" }"):
            return record[2:-2]
        return record

    def draw(self, rankdir: str, fmt: str, reason: str) -> Drawing:
        self.rankdir = rankdir
        parts, graph = self.parts, self.parts.graph
        drawing = Drawing(
            name="autograd_tiny", format=fmt,
            graph_attr={"rankdir": rankdir, "fontname": FONT, "compound": "true",
                        "labelloc": "t", "labeljust": "l", "fontsize": "13",
                        "label": self._caption(reason), "nodesep": "0.12",
                        # Room between layers for the fan of edges from every neuron
                        # of one layer to every neuron of the next.
                        "ranksep": "0.4"},
            node_attr={"fontname": FONT, "fontsize": "11", "shape": "record",
                       "style": "filled"},
            edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.7"},
        )
        clusters: dict[str, graphviz.Digraph] = {}
        many = parts.instance_count > 1
        red_elements, self.red_pairs = self._route_elements()

        def target(element: str) -> graphviz.Digraph:
            key = self.cluster_of.get(element, "")
            if key == "":
                if many and element not in self.outside:
                    key = "instance"
                else:
                    return drawing
            return self._cluster(clusters, key)

        for node in self.op_level:
            element = self.element[node]
            attrs = {"label": self._stacked(record_label(node, graph.names[node],
                                                         self.show_grad)),
                     "fillcolor": value_fill(node, graph.root)}
            if node in self.route:
                attrs.update(color=HIGHLIGHT_COLOR, penwidth="2.5")
            target(element).node(element, **attrs)
            if node._prev:
                target(element).node(f"{element}_op",
                                      label=graphviz.nohtml(plain_text(str(node._op) or "?")),
                                      shape="ellipse", fillcolor="white",
                                      margin="0.05,0.02", height="0.3")
                drawing.edge(f"{element}_op", element,
                             **(_ROUTE if node in self.route else {}))
        # Drawn left to right, Graphviz stacks a rank's nodes bottom-up in the order
        # they are declared: declare them last first, so L1.N1 is on top.
        for key in sorted(self.members, key=_natural, reverse=rankdir in ("LR", "RL")):
            attrs = self._box_attrs(key, self.members[key])
            if key in red_elements:
                attrs.update(color=HIGHLIGHT_COLOR, penwidth="2.5")
            target(key).node(key, **attrs)

        self._edges(drawing)
        self._nest(drawing, clusters)
        return drawing

    def _cluster(self, clusters: dict[str, graphviz.Digraph], key: str) -> graphviz.Digraph:
        if key not in clusters:
            kind, _, name = key.partition(" ")
            n = self.parts.instance_count
            label = {"instance": f"one data point's path (x {n:,} data points: the same "
                                 f"weights, drawn once)",
                     "layer": f"layer {name}", "group": name}[kind]
            style = {"instance": "dashed", "layer": "rounded", "group": "rounded,filled"}[kind]
            clusters[key] = graphviz.Digraph(
                name=_cluster_name(key),
                graph_attr={"label": label, "style": style, "color": "#888888",
                            "fillcolor": "#f7f4fc", "fontsize": "12"})
        return clusters[key]

    def _nest(self, drawing: Drawing, clusters: dict[str, graphviz.Digraph]) -> None:
        """Groups inside layers, layers inside the data point's cluster."""
        instance = clusters.get("instance")
        layers = {key: c for key, c in clusters.items() if key.startswith("layer ")}
        for key, cluster in clusters.items():
            if key.startswith("group "):
                layer = f"layer {layer_of(key[len('group '):])}"
                home = layers.get(layer) if self.mode == "neuron" else None
                (home or instance or drawing).subgraph(cluster)
        for cluster in layers.values():
            (instance or drawing).subgraph(cluster)
        if instance is not None:
            drawing.subgraph(instance)

    def _edges(self, drawing: Drawing) -> None:
        parts, element = self.parts, self.element
        op_level = set(self.op_level)
        box_edges: dict[tuple[str, str], dict[str, str]] = {}
        expanded_tail: dict[str, str] = {}
        for node in self.parts.graph.order:
            child = element.get(node)
            if child is None:
                continue
            for parent, local in zip(node._prev, node._local):
                source = element.get(parent)
                if source is None or source == child:
                    continue
                attrs: dict[str, str] = {}
                if (parts.instance_count > 1 and parts.kind[node] == "aggregate"
                        and parts.kind[parent] in ("point", "model")):
                    attrs["label"] = f"x {parts.instance_count:,} data points"
                    attrs["fontcolor"] = "#555555"
                if node in op_level:
                    if local != 0 and node in self.route and parent in self.route:
                        attrs.update(_ROUTE)
                elif (source, child) in self.red_pairs:
                    attrs.update(_ROUTE)
                if node in op_level:
                    if self.show_local and "label" not in attrs:
                        attrs["label"] = number(local)
                    drawing.edge(source, f"{child}_op", **attrs)
                    continue
                if self.box_kind.get(child) == "parameter term" \
                        and parts.kind[parent] == "parameter":
                    group = parts.group[parent]
                    if self.mode == "neuron" and source.startswith("box "):
                        # One edge per layer into an L2-like term, not one per neuron.
                        layer = layer_of(group)
                        source = self._middle_box_of_layer(layer)
                        attrs["ltail"] = _cluster_name(f"layer {layer}")
                    elif not source.startswith("box "):
                        # An expanded neuron: one edge from its frame, not one per weight.
                        source = expanded_tail.setdefault(group, source)
                        attrs["ltail"] = _cluster_name(f"group {group}")
                if (source, child) not in box_edges or "color" in attrs:
                    box_edges[(source, child)] = {**box_edges.get((source, child), {}),
                                                  **attrs}
        bundled = self._bundles(drawing, box_edges)
        for (source, child), attrs in box_edges.items():
            if (source, child) not in bundled:
                drawing.edge(source, child, **attrs)

    def _bundles(self, drawing: Drawing,
                 box_edges: dict[tuple[str, str], dict[str, str]]) -> set[tuple[str, str]]:
        """Many edges from one layer (or one input) into the next layer are drawn as
        one thick edge between the layers' frames, labelled with how many it stands
        for: 256 crossing lines between two columns of 16 boxes say less, and bury
        the rest of the picture."""
        between: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for (source, child), attrs in box_edges.items():
            head_layer = self._layer_frame(child)
            tail_layer = self._layer_frame(source) or source
            if head_layer and tail_layer != head_layer and "ltail" not in attrs:
                between.setdefault((tail_layer, head_layer), []).append((source, child))
        bundled: set[tuple[str, str]] = set()
        for (tail_layer, head_layer), pairs in between.items():
            if len(pairs) <= BUNDLE_ABOVE:
                continue
            sources = sorted({s for s, _ in pairs}, key=_natural)
            heads = sorted({c for _, c in pairs}, key=_natural)
            label = (f"{len(sources)} x {len(heads)} = {len(pairs)} connections"
                     if len(sources) > 1 else f"to each of {len(heads)} neurons")
            attrs = {"lhead": _cluster_name(head_layer), "label": label, "penwidth": "2.5",
                     "color": "#555555"}
            if tail_layer.startswith("layer "):
                attrs["ltail"] = _cluster_name(tail_layer)
            if any(box_edges[pair].get("color") == HIGHLIGHT_COLOR for pair in pairs):
                attrs.update(_ROUTE)
            drawing.edge(sources[-1], heads[-1], **attrs)
            bundled.update(pairs)
        return bundled

    def _layer_frame(self, element: str) -> str:
        key = self.cluster_of.get(element, "")
        return key if key.startswith("layer ") else ""

    def _middle_box_of_layer(self, layer: str) -> str:
        boxes = sorted((key for key in self.members if self.box_kind[key] == "group"
                        and self.cluster_of[key] == f"layer {layer}"), key=_natural)
        return boxes[-1] if boxes else f"box {layer}"

    def _box_attrs(self, key: str, members: list[Value]) -> dict[str, str]:
        parts, names = self.parts, self.parts.graph.names
        kind = self.box_kind[key]
        if kind == "group":
            name = key[len("box "):]
            parameters = [n for n in members if parts.kind[n] == "parameter"]
            computed = [n for n in members if parts.kind[n] == "model"]
            fields = [record_text(name)]
            if self.mode == "layer":
                neurons = len({parts.group[n] for n in members})
                fields.append(f"{neurons} neuron{'s' * (neurons != 1)}, "
                              f"{len(parameters)} parameters")
            outputs = [n for n in computed if n.label.endswith(".out")] or computed[:1]
            if self.mode == "neuron" and outputs:
                out = outputs[0]
                role = out.label.rpartition(".")[2] if out.label.startswith(name + ".") else "out"
                fields.append(f"{record_text(role)} {number(out.data)}")
                if self.show_grad:
                    fields.append(f"grad {number(out.grad)}")
            tooltip = [f"{names[p]} = {number(p.data)}, grad {number(p.grad)}"
                       for p in sorted(parameters, key=lambda p: _natural(names[p]))]
            return {"label": self._stacked("{ " + " | ".join(fields) + " }"),
                    "fillcolor": GROUP_FILL,
                    "tooltip": plain_text("\n".join([name, *tooltip]))}
        last = members[0]  # root first: the box's output
        ops: dict[str, int] = {}
        for node in members:
            symbol = str(node._op) or "leaf"
            ops[symbol] = ops.get(symbol, 0) + 1
        summary = ", ".join(f"{count:,} {symbol}" for symbol, count in ops.items())
        title = {"aggregate": f"over {parts.instance_count:,} data points",
                 "parameter term": "of the parameters alone",
                 "point": "one data point's other values"}[kind]
        fields = [record_text(names[last]), record_text(f"{title}: {summary}"),
                  f"data {number(last.data)}"]
        if self.show_grad:
            fields.append(f"grad {number(last.grad)}")
        fill = {"aggregate": AGGREGATE_FILL, "parameter term": PARAMETER_TERM_FILL,
                "point": INTERMEDIATE_FILL}[kind]
        return {"label": self._stacked("{ " + " | ".join(fields) + " }"), "fillcolor": fill,
                "tooltip": plain_text(f"{len(members):,} values: {summary}")}

    def _caption(self, reason: str) -> str:
        parts = self.parts
        boxes = len(self.members) + len(self.op_level)
        what = "one box per neuron" if self.mode == "neuron" else "one box per layer"
        lines = [f"{reason}{what}: the graph's {len(parts.graph):,} values drawn as "
                 f"{boxes:,} boxes"]
        if parts.instance_count > 1:
            lines.append(f"the model ran on {parts.instance_count:,} data points: one "
                         f"data point's path is drawn")
        if self.highlight_name:
            lines.append(f"in red: where the gradient to {self.highlight_name} flows"
                         if self.route else
                         f"no gradient reaches {self.highlight_name}: every route to it "
                         f"has a local derivative of 0")
        if not self.expand:
            example = next(iter(sorted(set(parts.group.values()))), "")
            lines.append(f"expand='{example}' draws a neuron op by op")
        return "".join(plain_text(line) + "\\l" for line in lines)


class _Chains:
    """Aggregate and parameter-term nodes joined into boxes: a chain of one op (the
    99 additions of ``sum(losses)``) is one box; so is each connected piece of the
    parameter terms."""

    def __init__(self) -> None:
        self.parent: dict[Value, Value] = {}
        self.numbering: dict[Value, int] = {}
        self.groups: dict[Value, list[Value]] = {}

    def find(self, node: Value) -> Value:
        while self.parent[node] is not node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: Value, b: Value) -> None:
        a, b = self.find(a), self.find(b)
        if a is not b:
            self.parent[a] = b

    def __getitem__(self, node: Value) -> Value:
        return self.find(node)

    def members(self, rep: Value) -> list[Value]:
        return self.groups[rep]

    def index(self, rep: Value) -> int:
        return self.numbering[rep]


def _chains(parts: Structure) -> _Chains:
    chains = _Chains()
    order = parts.graph.order
    uses = parts.graph.uses
    for node in reversed(order):  # leaves first
        kind = parts.kind[node]
        if kind not in ("aggregate", "parameter term"):
            continue
        chains.parent[node] = node
        for parent in node._prev:
            if parts.kind[parent] != kind:
                continue
            if kind == "parameter term" or (str(parent._op) == str(node._op)
                                            and uses[parent] == 1):
                chains.union(node, parent)
    for node in order:
        if node in chains.parent:
            rep = chains.find(node)
            if rep not in chains.numbering:
                chains.numbering[rep] = len(chains.numbering)
                chains.groups[rep] = []
            chains.groups[rep].append(node)
    return chains


_ROUTE = {"color": HIGHLIGHT_COLOR, "fontcolor": HIGHLIGHT_COLOR, "penwidth": "2.5"}


def _cluster_name(key: str) -> str:
    """A cluster's DOT name (Graphviz treats subgraphs named cluster* as boxes)."""
    return "cluster_" + re.sub(r"\W", "_", key)


def _natural(text: str) -> list[object]:
    """Sort key that puts L1.N2 before L1.N10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


