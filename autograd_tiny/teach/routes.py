"""``explain``: a gradient as the sum over every route from the output back to an input,
each route a chain of local derivatives (:class:`Factor`) multiplied out
(:class:`Route`). With too many routes to list, the :class:`Explanation` shows
backward's per-node table of accumulated gradients (:class:`NodeGradient`) instead.

Names and derivative text come from :mod:`~autograd_tiny.notation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from ..core.engine import Value, reverse_topological_order
from .notation import (
    _check_value,
    _is_number,
    _names,
    _rule,
    _slot_note,
    _sum_text,
    derivative_text,
    number_text,
)

ROUTE_LIMIT = 64  # past this many routes, explain() shows backward's per-node table
_TABLE_ROWS = 40  # the per-node table shows at most this many rows

EFFICIENCY = ("Efficiency (seed 000): \"By following this route, we efficiently compute "
              "the gradients for all weights in the network without redundant "
              "calculations.\"")


# -- explain: routes ---------------------------------------------------------------------

Edge = tuple[Value, int]  # (node, index of the parent in node._prev)


@dataclass(frozen=True)
class Factor:
    """One local derivative in a route, such as dout_o1/dnet_o1, with its value and
    the op table's rule it came from. ``edges`` lists the graph edges it spans: an
    unlabelled node in between, or a sum that passes its gradient on unchanged
    (a factor of exactly 1), is folded into its neighbour.

    >>> from autograd_tiny import Value
    >>> x = Value(0.3775, label="net_h1")
    >>> out = x.sigmoid(); out.label = "out_h1"
    >>> print(explain(out, x).routes[0].factors[0])
    dout_h1/dnet_h1 = out_h1 * (1.0 - out_h1) = 0.241300709
    """

    top: Value
    bottom: Value
    value: float
    name: str
    rule: str
    edges: tuple[Edge, ...]

    def __str__(self) -> str:
        value = number_text(self.value)
        return f"{self.name} = {value}" if _is_number(self.rule) else (
            f"{self.name} = {self.rule} = {value}")


@dataclass(frozen=True)
class Route:
    """One path from the output back to the input: its ``factors`` (local
    derivatives, output end first) and their ``product``.

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> route = explain(a * a, a).routes[0]
    >>> route.chain, route.product  # a*a uses a twice: this route goes through input a
    ('d(a*a)/da (as a)', 3.0)
    """

    factors: tuple[Factor, ...]
    product: float
    nodes: tuple[Value, ...]

    @property
    def chain(self) -> str:
        """The route's factors in Leibniz notation, joined by ``*``."""
        return " * ".join(factor.name for factor in self.factors) or "1"

    @property
    def values(self) -> str:
        """The factors' values, joined by ``*``."""
        return " * ".join(number_text(factor.value) for factor in self.factors) or "1"

    def __str__(self) -> str:
        if len(self.factors) == 1:
            return f"{self.chain} = {self.values}"
        return f"{self.chain} = {self.values} = {number_text(self.product)}"


@dataclass(frozen=True)
class NodeGradient:
    """One row of backward's per-node table: how many routes reach ``node`` from the
    output and lead on from it to the input, and the gradient d(output)/d(node)
    accumulated there."""

    node: Value
    name: str
    op: str
    routes_from_root: int
    routes_to_input: int
    gradient: float


@dataclass(frozen=True, repr=False)
class Explanation:
    """The answer of :func:`explain`: ``routes`` (each with ``factors`` and
    ``product``), their sum ``total``, and backward's per-node table ``nodes``.

    ``routes`` is empty when there are more than ``limit`` of them (``route_count``
    says how many); ``total`` is then the gradient backward accumulates.
    Printing gives plain text; ``rich`` renders tables.
    """

    root: Value
    wrt: Value
    root_name: str
    wrt_name: str
    routes: tuple[Route, ...]
    route_count: int
    limit: int
    total: float
    nodes: tuple[NodeGradient, ...]
    edge_count: int
    route_factors: int

    @property
    def listed(self) -> bool:
        """True when every route is in ``routes`` (there were at most ``limit``)."""
        return self.route_count <= self.limit

    @property
    def gradient_name(self) -> str:
        """``dE_total/dw5``: the derivative explained."""
        return derivative_text(self.root_name, self.wrt_name)

    @property
    def title(self) -> str:
        """The headline: what is explained and how many routes there are."""
        count = self.route_count
        if count == 0:
            return (f"{self.root_name} does not depend on {self.wrt_name}: no route leads "
                    f"back to it, so {self.gradient_name} = 0")
        routes = "1 route leads" if count == 1 else f"{count:,} routes lead"
        if not self.listed:
            sum_note = f": too many to list (limit {self.limit})"
        elif count > 1:
            sum_note = "; the gradient is the sum of their products"
        else:
            sum_note = ""
        return f"{self.gradient_name}: {routes} from {self.root_name} back to {self.wrt_name}{sum_note}"

    def where(self) -> list[Factor]:
        """Each distinct factor of the listed routes once, with its rule (factors that
        are plain numbers, such as a constant, are left out)."""
        seen: dict[tuple[str, str], Factor] = {}
        for route in self.routes:
            for factor in route.factors:
                seen.setdefault((factor.name, factor.rule), factor)
        return [factor for factor in seen.values() if not _is_number(factor.rule)]

    @property
    def sum_text(self) -> str:
        """``0.000668396 - 0.000229828``: the route products added up."""
        return _sum_text([route.product for route in self.routes])

    def _efficiency(self) -> str:
        return (f"Multiplying out each of the {self.route_count:,} routes separately means "
                f"{self.route_factors:,} local-derivative factors in all. "
                f"backward() does not follow routes one by one: it visits each node once, "
                f"from {self.root_name} back to the inputs, and a node's gradient "
                f"(d{self.root_name}/dnode, already summed over every route down to it) is "
                f"reused by every route that continues below it. That is one multiplication "
                f"per edge: {self.edge_count:,} here.")

    def _shown_nodes(self) -> tuple[list[NodeGradient], int, list[NodeGradient]]:
        rows = list(self.nodes)
        if len(rows) <= _TABLE_ROWS:
            return rows, 0, []
        head, tail = _TABLE_ROWS * 3 // 4, _TABLE_ROWS // 4
        return rows[:head], len(rows) - head - tail, rows[-tail:]

    def _node_table(self) -> tuple[tuple[str, ...], list[tuple[str, str, str, str, str]]]:
        """The per-node table's header and rows, with '... N more' where rows are cut."""
        header = ("node", "op", f"routes from {self.root_name}",
                  f"routes to {self.wrt_name}", f"d{self.root_name}/dnode")
        head, skipped, tail = self._shown_nodes()
        rows = [_node_row(row) for row in head]
        if skipped:
            rows.append((f"... {skipped:,} more", "", "", "", ""))
        rows += [_node_row(row) for row in tail]
        return header, rows

    def __str__(self) -> str:
        lines = [self.title]
        if self.route_count == 0:
            return lines[0]
        if self.listed:
            for number, route in enumerate(self.routes, 1):
                prefix = f"route {number}: " if self.route_count > 1 else ""
                lines.append(f"  {prefix}{route}")
            where = self.where()
            if where:
                lines.append("where")
                lines.extend(f"  {factor}" for factor in where)
            if self.route_count > 1:
                lines.append(f"total: {self.gradient_name} = {self.sum_text} = "
                             f"{number_text(self.total)}")
            return "\n".join(lines)
        lines += ["", EFFICIENCY, self._efficiency(), "",
                  f"The gradients backward() accumulates, from {self.root_name} back to "
                  f"{self.wrt_name}:"]
        header, body = self._node_table()
        rows = [header, *body]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                  for row in rows]
        lines.append(f"total: {self.gradient_name} = {number_text(self.total)}")
        return "\n".join(lines)

    __repr__ = __str__  # in a plain REPL, typing explain(...) shows the explanation

    # -- hook: simplified formulas and LaTeX, written in teach/simplify.py --------------
    def latex(self) -> str:
        """This explanation as a LaTeX ``align*`` (see ``simplify.explanation_latex``)."""
        from .simplify import explanation_latex
        return explanation_latex(self)

    def simplified(self) -> str:
        """This explanation with each route as one simplified formula (SymPy)."""
        from .simplify import explanation_text
        return explanation_text(self)
    # -- end of hook ----------------------------------------------------------------------

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython
        printer.text(str(self))

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        parts: list[Any] = [Text(self.title, style="bold")]
        if self.route_count == 0:
            return parts[0]
        if self.listed:
            routes = Table(title=None, show_lines=self.route_count > 1)
            routes.add_column("route", justify="right", style="dim")
            routes.add_column("chain of local derivatives")
            routes.add_column("values")
            routes.add_column("product", justify="right", style="bold")
            for number, route in enumerate(self.routes, 1):
                routes.add_row(str(number), route.chain, route.values,
                               number_text(route.product))
            parts.append(routes)
            where = self.where()
            if where:
                rules = Table(title="where (rules from the op table)", title_justify="left")
                rules.add_column("local derivative")
                rules.add_column("rule")
                rules.add_column("value", justify="right")
                for factor in where:
                    rules.add_row(factor.name, factor.rule, number_text(factor.value))
                parts.append(rules)
        else:
            parts.append(Text(EFFICIENCY, style="italic"))
            parts.append(Text(self._efficiency()))
            table = Table(title="the gradients backward() accumulates", title_justify="left")
            header, body = self._node_table()
            for i, heading in enumerate(header):
                table.add_column(heading, justify="left" if i < 2 else "right")
            for row in body:
                table.add_row(*row, style="dim" if row[0].startswith("... ") else None)
            parts.append(table)
        parts.append(Text(f"total: {self.gradient_name} = {number_text(self.total)}",
                          style="bold green"))
        return Group(*parts)


def _node_row(row: NodeGradient) -> tuple[str, str, str, str, str]:
    return (row.name, row.op, f"{row.routes_from_root:,}", f"{row.routes_to_input:,}",
            number_text(row.gradient))


def explain(root: Value, wrt: Value, *, limit: int = ROUTE_LIMIT) -> Explanation:
    """Every route from ``root`` back to ``wrt`` as a chain of local derivatives, each
    route's product, and their sum (``total``), which is the gradient ``backward()``
    gives. Routes are counted first (dynamic programming, no enumeration): with more
    than ``limit`` of them, none are listed and the explanation shows backward's
    per-node table of accumulated gradients instead. Nothing is changed in the graph.

    Labelled nodes are the stops of a chain; an unlabelled graph is explained edge
    by edge. A factor of exactly 1 (a sum passing its gradient on) is folded into
    the next factor, as the seeds write dE_total/dout_o1 straight through the sum.

    >>> from autograd_tiny import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> L = c + a; L.label = "L"
    >>> e = explain(L, a)
    >>> [route.chain for route in e.routes], e.total
    (['dL/dc * dc/da', 'dL/da'], -2.0)
    """
    _check_value(root, "explain", "root")
    _check_value(wrt, "explain", "wrt")
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"explain: limit must be an int, got {type(limit).__name__}")
    if limit < 1:
        raise ValueError(f"explain: limit must be at least 1, got {limit}")
    order = reverse_topological_order(root)
    names = _names(order)
    from_root, gradient = _from_root(order)
    to_input = _routes_to(order, wrt)
    on_route = [node for node in order if to_input.get(node)]
    edge_count = route_factors = 0
    for node in on_route:
        for parent in node._prev:
            if to_input.get(parent):
                edge_count += 1
                route_factors += from_root[node] * to_input[parent]
    rows = tuple(NodeGradient(node, names[node][0], str(node._op) or "leaf",
                              from_root[node], to_input[node], gradient[node])
                 for node in on_route)
    route_count = from_root.get(wrt, 0) if to_input else 0
    routes: tuple[Route, ...] = ()
    total = gradient.get(wrt, 0.0)
    if 0 < route_count <= limit:
        stops = _stops(on_route, root, wrt)
        routes = tuple(_route(edges, stops, names) for edges in _walk(root, wrt, to_input))
        total = math.fsum(route.product for route in routes)
    return Explanation(root, wrt, names[root][0], names[wrt][0] if wrt in names else
                       (wrt.label or number_text(wrt.data)), routes, route_count, limit,
                       total, rows, edge_count, route_factors)


def _from_root(order: list[Value]) -> tuple[dict[Value, int], dict[Value, float]]:
    """Routes from the root to each node, and d(root)/d(node): one pass, as backward
    does it, without touching ``.grad``."""
    routes: dict[Value, int] = {node: 0 for node in order}
    gradient: dict[Value, float] = {node: 0.0 for node in order}
    routes[order[0]], gradient[order[0]] = 1, 1.0
    for node in order:
        count, upstream = routes[node], gradient[node]
        for parent, local in zip(node._prev, node._local):
            routes[parent] += count
            gradient[parent] += local * upstream
    return routes, gradient


def _routes_to(order: list[Value], wrt: Value) -> dict[Value, int]:
    """Routes from each node down to ``wrt`` (empty if the graph does not contain it)."""
    routes: dict[Value, int] = {}
    for node in reversed(order):  # parents before the nodes that use them
        if node is wrt:
            routes[node] = 1
        else:
            routes[node] = sum(routes[parent] for parent in node._prev)
    return routes if routes.get(wrt) else {}


def _stops(on_route: list[Value], root: Value, wrt: Value) -> set[Value]:
    """Where a chain's factors begin and end: the labelled nodes, or every node of
    a graph without labels in between (so it is explained edge by edge)."""
    inner = [node for node in on_route if node is not root and node is not wrt]
    labelled = [node for node in inner if node.label]
    return {root, wrt, *(labelled if labelled else inner)}


def _walk(root: Value, wrt: Value, to_input: dict[Value, int]) -> Iterator[tuple[Edge, ...]]:
    """Each route as its edges, root first; an explicit stack, no recursion. A path
    on the stack is a linked list (edge, rest), so going one node deeper costs the
    same however long the path already is."""
    Path = Optional[tuple[Edge, Any]]
    stack: list[tuple[Value, Path]] = [(root, None)]
    while stack:
        node, path = stack.pop()
        if node is wrt:
            edges = []
            while path is not None:
                edge, path = path
                edges.append(edge)
            yield tuple(reversed(edges))
            continue
        # Pushed last slot first, so routes come out in the order the inputs were written.
        for slot in reversed(range(len(node._prev))):
            if to_input.get(node._prev[slot]):
                stack.append((node._prev[slot], ((node, slot), path)))


def _route(edges: tuple[Edge, ...], stops: set[Value],
           names: dict[Value, tuple[str, int]]) -> Route:
    """Groups a route's edges into factors between stops, folding factors of 1."""
    if not edges:  # explain(x, x): the empty chain, d x/d x = 1
        return Route((), 1.0, ())
    segments: list[list[Edge]] = [[]]
    for node, slot in edges:
        segments[-1].append((node, slot))
        if node._prev[slot] in stops:
            segments.append([])
    segments.pop()  # the route ends at a stop, so the last one is empty
    merged: list[list[Edge]] = []
    carry: list[Edge] = []
    for index, segment in enumerate(segments):
        carry += segment
        if index < len(segments) - 1 and _segment_value(carry) == 1.0:
            continue  # a factor of exactly 1: fold it into the next one
        merged.append(carry)
        carry = []
    if len(merged) == 1 < len(segments):
        # Folded into one factor, the route would be named like the whole gradient
        # (dL/da for the route L -> c -> a of L = c + a): keep its steps apart.
        merged = segments
    factors = tuple(_factor(segment, names) for segment in merged)
    product = 1.0
    for factor in factors:
        product *= factor.value
    nodes = tuple(node for node, _ in edges) + (edges[-1][0]._prev[edges[-1][1]],)
    return Route(factors, product, nodes)


def _segment_value(segment: list[Edge]) -> float:
    value = 1.0
    for node, slot in segment:
        value *= node._local[slot]
    return value


def _factor(segment: list[Edge], names: dict[Value, tuple[str, int]]) -> Factor:
    top = segment[0][0]
    last, last_slot = segment[-1]
    bottom = last._prev[last_slot]
    rules = [_rule(node, slot, names) for node, slot in segment]
    # Factors of 1.0 change nothing in a product of rules; keep the others.
    kept = [rule for rule in rules if rule != "1.0"] or ["1.0"]
    name = derivative_text(names[top][0], names[bottom][0]) + _slot_note(last, last_slot)
    return Factor(top, bottom, _segment_value(segment), name, " * ".join(kept), tuple(segment))

