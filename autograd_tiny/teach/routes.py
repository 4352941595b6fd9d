"""``explain``: a gradient as the sum over every route from the output back to an input,
each route a chain of local derivatives, one :class:`Factor` per edge of the graph
(one op the reader can see in the picture), multiplied out (:class:`Route`). With too
many routes to list, the :class:`Explanation` shows backward's per-node table of
accumulated gradients (:class:`NodeGradient`) instead.

The graph is read once, through :func:`~autograd_tiny.core.graph.snapshot`; names
and derivative text come from :mod:`~autograd_tiny.teach.notation`, so every name
printed is the name the pictures print on that node.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

from ..core.engine import Value
from ..core.graph import label_text, snapshot
from .notation import (
    _exact_sum,
    _check_value,
    _grad_of,
    _is_custom,
    _is_number,
    _locals,
    _product_of_rules,
    _rule,
    _slot_note,
    _sum_text,
    derivative_text,
    for_stdout,
    local_derivative_text,
    number_text,
)

ROUTE_LIMIT = 64  # past this many routes, explain() shows backward's per-node table
# ... and past this many factors in one route: a chain longer than about two lines of
# a notebook is no longer read factor by factor, and writing it out costs time and
# text in proportion to its length (sum(x*x for 100,000 x's): 24 s, 14 MB of text).
ROUTE_LENGTH = 40
_TABLE_ROWS = 40  # the per-node table shows at most this many rows

# Why the routes are not listed, for a student who has just seen them listed for a
# small graph: backward never multiplies out routes, it passes each gradient on once
# per edge. The quotation names its source, so a reader can look it up.
EFFICIENCY = ("Why backward() does not list routes: it passes each gradient on once per "
              "edge. Going back from the output, a node's gradient is complete (already "
              "summed over every route down to it) before the node passes it on, so routes "
              "that share a stretch of the graph share its arithmetic instead of repeating "
              "it. As the notes \"Backpropagation - Simple Notes\" put it: \"By following "
              "this route, we efficiently compute the gradients for all weights in the "
              "network without redundant calculations.\"")


# -- explain: routes ---------------------------------------------------------------------

Edge = tuple[Value, int]  # (node, index of the parent in node._prev)
_WIDTH = 100  # route text wraps before this many characters


@dataclass(frozen=True)
class Factor:
    """One local derivative in a route, such as ∂out_o1/∂net_o1, with its value and
    the op table's rule it came from. A route's ``factors`` are one per edge of the
    graph (``edges`` holds that one edge); a route's ``stages`` use the same class
    for the stretch between two labelled nodes (``edges`` lists every edge in it,
    ``value`` is their product).

    >>> from autograd_tiny import Value
    >>> x = Value(0.3775, label="net_h1")
    >>> out = x.sigmoid(); out.label = "out_h1"
    >>> print(explain(out, x).routes[0].factors[0])
    ∂out_h1/∂net_h1 = out_h1 * (1.0 - out_h1) = 0.241300709
    """

    top: Value
    bottom: Value
    value: float
    name: str
    rule: str
    edges: tuple[Edge, ...]
    top_name: str = ""  # the names of top and bottom, as the pictures print them
    bottom_name: str = ""

    def text(self) -> str:
        """The factor as text, with ∂ (``str()`` writes d where stdout cannot print ∂).

        >>> from autograd_tiny import Value
        >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
        >>> explain(a * b, a).routes[0].factors[0].text()
        '∂(a*b)/∂a = b = 3'
        """
        value = number_text(self.value)
        return f"{self.name} = {value}" if _is_number(self.rule) else (
            f"{self.name} = {self.rule} = {value}")

    def __str__(self) -> str:
        return for_stdout(self.text())


@dataclass(frozen=True)
class Route:
    """One path from the output back to the input: its ``factors`` (one local
    derivative per edge, output end first), their ``product``, the ``nodes`` it
    passes, and its ``stages``: the same factors grouped between labelled nodes
    (``∂E_total/∂out_o1 * ∂out_o1/∂net_o1 * ∂net_o1/∂w5``, Mazur's factorisation when
    the unlabelled nodes in between are sums and products).

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> route = explain(a * a, a).routes[0]
    >>> route.chain, route.product  # a*a uses a twice: this route goes through input a
    ('∂(a*a)/∂a (as input 1)', 3.0)
    """

    factors: tuple[Factor, ...]
    product: float
    nodes: tuple[Value, ...]
    stages: tuple[Factor, ...] = ()

    @property
    def chain(self) -> str:
        """The route's factors in Leibniz notation, joined by ``*``."""
        return " * ".join(factor.name for factor in self.factors) or "1"

    @property
    def values(self) -> str:
        """The factors' values, joined by ``*``."""
        return " * ".join(number_text(factor.value) for factor in self.factors) or "1"

    @property
    def grouped(self) -> bool:
        """True when some stage spans more than one edge (so it is worth printing)."""
        return any(len(stage.edges) > 1 for stage in self.stages)

    def grouped_at(self, stops: Iterable[Value]) -> tuple[Factor, ...]:
        """The route's factors grouped between the given nodes (and its two ends):
        one factor per stretch, its value the product of the edges in it. Mazur's
        ∂E_total/∂out_o1 * ∂out_o1/∂net_o1 * ∂net_o1/∂w5 is this route grouped at
        ``out_o1`` and ``net_o1``.

        >>> from autograd_tiny import Value
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> e = a * b; e.label = "e"
        >>> d = e + 10; d.label = "d"
        >>> route = explain(d * 2, a).routes[0]
        >>> [f"{f.name} = {f.value}" for f in route.grouped_at([e])]
        ['∂(d*2)/∂e = 2.0', '∂e/∂a = -3.0']
        """
        wanted = set(stops)
        groups: list[list[Factor]] = [[]]
        for factor in self.factors:
            groups[-1].append(factor)
            if factor.bottom in wanted:
                groups.append([])
        if not groups[-1]:
            groups.pop()
        return tuple(_merged(group) for group in groups if group)

    @property
    def stage_chain(self) -> str:
        """The stages in Leibniz notation with their values: the route told between
        labelled nodes."""
        return (" * ".join(stage.name for stage in self.stages) + " = " +
                " * ".join(number_text(stage.value) for stage in self.stages))

    def lines(self, prefix: str = "") -> list[str]:
        """The route as text lines about 100 characters wide at most: the chain, the
        values and the product; then, when labelled nodes group its edges, the same
        route between labelled nodes."""
        names = [factor.name for factor in self.factors] or ["1"]
        values = [number_text(factor.value) for factor in self.factors] or ["1"]
        product = [number_text(self.product)] if len(self.factors) > 1 else []
        lines = equation_lines(prefix, names, values, product)
        if self.grouped:
            lines += equation_lines(" " * len(prefix) + "  between labelled nodes: ",
                               [stage.name for stage in self.stages],
                               [number_text(stage.value) for stage in self.stages], [])
        return lines

    def text(self) -> str:
        """The route as text, with ∂ (``str()`` writes d where stdout cannot print ∂).

        >>> from autograd_tiny import Value
        >>> a = Value(2.0, label="a")
        >>> explain((a * 3).tanh(), a).routes[0].text()
        '∂(tanh(a*3))/∂(a*3) * ∂(a*3)/∂a = 2.45765474e-05 * 3 = 7.37296422e-05'
        """
        return "\n".join(self.lines())

    def __str__(self) -> str:
        return for_stdout(self.text())


def _merged(factors: list[Factor]) -> Factor:
    """Consecutive edge factors as one factor from the first top to the last bottom."""
    if len(factors) == 1:
        return factors[0]
    value = 1.0
    for factor in factors:
        value *= factor.value
    first, last = factors[0], factors[-1]
    node, slot = last.edges[-1]
    name = local_derivative_text(first.top_name, last.bottom_name) + _slot_note(node, slot)
    return Factor(first.top, last.bottom, value, name,
                  _product_of_rules([factor.rule for factor in factors]),
                  tuple(edge for factor in factors for edge in factor.edges),
                  first.top_name, last.bottom_name)


def equation_lines(prefix: str, names: list[str], values: list[str],
                   result: list[str]) -> list[str]:
    """``names = values = result`` on one line if it fits, else the names wrapped
    under the prefix and the values on lines of their own starting with ``=`` (the
    way ``explain`` and ``check`` write a route).

    >>> equation_lines("route 1: ", ["∂L/∂d", "∂d/∂a"], ["-2", "1"], ["-2"])
    ['route 1: ∂L/∂d * ∂d/∂a = -2 * 1 = -2']
    >>> lines = equation_lines("  ", [f"∂n{i}/∂n{i + 1}" for i in range(12)], ["2"] * 12, [])
    >>> [line[:14] for line in lines]
    ['  ∂n0/∂n1 * ∂n', '  * ∂n10/∂n11 ', '  = 2 * 2 * 2 ']
    """
    line = prefix + " * ".join(names) + " = " + " * ".join(values)
    line += "".join(f" = {text}" for text in result)
    if len(line) <= _WIDTH:
        return [line]
    indent = " " * len(prefix)
    lines = _flow(prefix, indent + "* ", names, " * ") + _flow(
        indent + "= ", indent + "* ", values, " * ")
    for text in result:
        if len(lines[-1]) + 3 + len(text) > _WIDTH:
            lines.append(indent + "= " + text)
        else:
            lines[-1] += " = " + text
    return lines


def _flow(prefix: str, continuation: str, parts: list[str], joiner: str) -> list[str]:
    """``parts`` joined after ``prefix``, broken into lines before ``_WIDTH``; a
    continuation line starts with ``continuation``."""
    lines = [prefix]
    for index, part in enumerate(parts):
        if index and len(lines[-1]) + len(joiner) + len(part) > _WIDTH:
            lines.append(continuation + part)
        else:
            lines[-1] += (joiner if index else "") + part
    return lines


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
    says how many), or when one has more than ``max_factors`` factors (``longest``
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
    grad: float = 0.0  # wrt.grad when explain() ran
    custom_ops: tuple[str, ...] = ()  # ops on the routes that the op table does not know
    longest: int = 0  # factors in the longest route
    max_factors: int = ROUTE_LENGTH  # a longer route is not written out

    @property
    def accumulated(self) -> bool:
        """True when ``wrt.grad`` holds something other than this pass's gradient:
        ``.grad`` adds up every ``backward()`` since it was last zeroed."""
        if self.grad == 0.0 or self.route_count == 0:
            return False
        if math.isnan(self.grad) and math.isnan(self.total):
            return False
        return not math.isclose(self.grad, self.total, rel_tol=1e-9, abs_tol=1e-12)

    def notes(self) -> list[str]:
        """What the reader should know besides the routes: ``.grad`` holding earlier
        passes, IEEE infinities that cancel to nan, ops without a rule in the table."""
        notes = []
        if self.accumulated:
            notes.append(
                f"note: {_grad_of(self.wrt_name)} = {number_text(self.grad)} now, not "
                f"{number_text(self.total)}: this explains one backward pass, and .grad "
                f"adds up every backward() since it was last zeroed, so it includes "
                f"earlier passes (set {_grad_of(self.wrt_name)} = 0, or model.zero_grad() "
                f"for a model, before backward() to get this pass alone)")
        products = [route.product for route in self.routes]
        if math.isnan(self.total) and not any(map(math.isnan, products)) and products:
            notes.append(
                "note: the routes' products are +inf and -inf; their sum is nan (IEEE: "
                "inf - inf is undefined), and backward() gives nan here too")
        elif not math.isfinite(self.total):
            notes.append(
                f"note: the gradient is {number_text(self.total)} (IEEE arithmetic: a "
                f"local derivative is infinite or nan on a route; backward() gives the "
                f"same)")
        for op in self.custom_ops:
            notes.append(
                f"note: {op!r} is not in the op table (a node with its own _backward): "
                f"its local derivatives are the numbers it recorded or, if none, what "
                f"its _backward adds for an upstream gradient of 1; no rule to show")
        return notes

    @property
    def listed(self) -> bool:
        """True when every route is in ``routes`` (at most ``limit`` of them, none
        longer than ``max_factors``)."""
        return self.route_count <= self.limit and self.longest <= self.max_factors

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
        if self.route_count > self.limit:
            sum_note = f": too many to list (limit {self.limit})"
        elif not self.listed:
            sum_note = (f": too long to list (the longest has {self.longest:,} factors, "
                        f"limit {self.max_factors})")
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
        if self.route_count <= self.limit:  # few routes, but long ones
            written_out = (f"Written out, the route{'s' if self.route_count > 1 else ''} "
                           f"would take {self.route_factors:,} local-derivative factors.")
        else:
            written_out = (f"Multiplying out each of the {self.route_count:,} routes "
                           f"separately means {self.route_factors:,} local-derivative "
                           f"factors in all.")
        return (f"{written_out} backward() visits each node once, from {self.root_name} "
                f"back to the inputs, and multiplies the node's gradient "
                f"({derivative_text(self.root_name, 'node')}) by the local derivative on "
                f"each edge leaving it: one multiplication per edge, {self.edge_count:,} "
                f"here.")

    def _shown_nodes(self) -> tuple[list[NodeGradient], int, list[NodeGradient]]:
        rows = list(self.nodes)
        if len(rows) <= _TABLE_ROWS:
            return rows, 0, []
        head, tail = _TABLE_ROWS * 3 // 4, _TABLE_ROWS // 4
        return rows[:head], len(rows) - head - tail, rows[-tail:]

    def _node_table(self) -> tuple[tuple[str, ...], list[tuple[str, str, str, str, str]]]:
        """The per-node table's header and rows, with '... N more' where rows are cut."""
        header = ("node", "op", f"routes from {self.root_name}",
                  f"routes to {self.wrt_name}", derivative_text(self.root_name, "node"))
        head, skipped, tail = self._shown_nodes()
        rows = [_node_row(row) for row in head]
        if skipped:
            rows.append((f"... {skipped:,} more", "", "", "", ""))
        rows += [_node_row(row) for row in tail]
        return header, rows

    def __str__(self) -> str:
        # print() writes str() to sys.stdout: on a console that cannot encode ∂ (a
        # Windows cp1252 pipe, a C locale) it gets d instead of a UnicodeEncodeError.
        return for_stdout(self.text())

    def text(self) -> str:
        """The explanation as plain text, with ∂ whatever the console (for files).

        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> explain(a * a, a).text().splitlines()[0]
        'd(a*a)/da: 2 routes lead from a*a back to a; the gradient is the sum of their products'
        """
        lines = [self.title]
        if self.route_count == 0:
            return lines[0]
        if self.listed:
            for number, route in enumerate(self.routes, 1):
                prefix = f"route {number}: " if self.route_count > 1 else ""
                lines += route.lines("  " + prefix)
            where = self.where()
            if where:
                lines.append("where")
                lines.extend(f"  {factor.text()}" for factor in where)
            if self.route_count > 1:
                lines.append(f"total: {self.gradient_name} = {self.sum_text} = "
                             f"{number_text(self.total)}")
            return "\n".join(lines + self.notes())
        lines += ["", EFFICIENCY, self._efficiency(), "",
                  f"The gradients backward() accumulates, from {self.root_name} back to "
                  f"{self.wrt_name}:"]
        header, body = self._node_table()
        rows = [header, *body]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                  for row in rows]
        lines.append(f"total: {self.gradient_name} = {number_text(self.total)}")
        return "\n".join(lines + self.notes())

    __repr__ = __str__  # in a plain REPL, typing explain(...) shows the explanation

    # -- hook: simplified formulas and LaTeX, written in teach/simplify.py --------------
    def latex(self) -> str:
        r"""This explanation as a LaTeX ``align*`` (see ``simplify.explanation_latex``).

        >>> from autograd_tiny import Value
        >>> a, b, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(-2.0, label="f")
        >>> c = a * b; c.label = "c"; L = c * f; L.label = "L"
        >>> print(explain(L, a).latex().splitlines()[2])
          &= f \cdot b \\
        """
        from .simplify import explanation_latex
        return explanation_latex(self)

    def simplified(self) -> str:
        """This explanation with each route as one simplified formula (SymPy).

        >>> from autograd_tiny import Value
        >>> a, b, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(-2.0, label="f")
        >>> c = a * b; c.label = "c"; L = c * f; L.label = "L"
        >>> print(explain(L, a).simplified().splitlines()[1])
          ∂L/∂c * ∂c/∂a = f * b = 6
        """
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
                chain = Text(route.chain)
                if route.grouped:
                    chain.append("\nbetween labelled nodes: " + route.stage_chain, style="dim")
                routes.add_row(str(number), chain, route.values, number_text(route.product))
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
        parts += [Text(note, style="yellow") for note in self.notes()]
        return Group(*parts)


def _node_row(row: NodeGradient) -> tuple[str, str, str, str, str]:
    return (row.name, row.op, f"{row.routes_from_root:,}", f"{row.routes_to_input:,}",
            number_text(row.gradient))


def explain(root: Value, wrt: Value, *, limit: int = ROUTE_LIMIT,
            max_factors: int = ROUTE_LENGTH) -> Explanation:
    """Every route from ``root`` back to ``wrt`` as a chain of local derivatives, one
    factor per edge of the graph (each one op's rule, as the picture shows it), each
    route's product, and their sum (``total``): this pass's gradient, the number one
    ``backward()`` adds to ``wrt.grad``. Routes are counted first (dynamic
    programming, no enumeration): with more than ``limit`` of them, or one longer
    than ``max_factors`` factors, none are listed and the explanation shows
    backward's per-node table of gradients instead (the work is then linear in the
    size of the graph, however long the routes).
    Nothing in the graph is changed, ``.grad`` included.

    Where labelled nodes group a route's edges, the route is also written between
    labelled nodes (``stages``): Mazur's ∂E_total/∂out_o1 * ∂out_o1/∂net_o1 *
    ∂net_o1/∂w5. If ``wrt.grad`` holds more than this pass (``backward()`` run twice
    without zeroing), the explanation says so.

    >>> from autograd_tiny import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    >>> e = a * b; e.label = "e"
    >>> d = e + c; d.label = "d"
    >>> L = d * f; L.label = "L"
    >>> print(explain(L, a))
    dL/da: 1 route leads from L back to a
      ∂L/∂d * ∂d/∂e * ∂e/∂a = -2 * 1 * -3 = 6
    where
      ∂L/∂d = f = -2
      ∂e/∂a = b = -3
    """
    _check_value(root, "explain", "root")
    _check_value(wrt, "explain", "wrt")
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"explain: limit must be an int, got {type(limit).__name__}")
    if limit < 1:
        raise ValueError(f"explain: limit must be at least 1, got {limit}")
    if isinstance(max_factors, bool) or not isinstance(max_factors, int):
        raise TypeError(f"explain: max_factors must be an int, got "
                        f"{type(max_factors).__name__}")
    if max_factors < 1:
        raise ValueError(f"explain: max_factors must be at least 1, got {max_factors}")
    # Reading a big graph allocates a few small objects per node, and each of
    # CPython's full collections rescans all of them: 100,000 nodes took 16 s with the
    # collector on, 3 s off. Nothing made here forms a cycle, so it can wait.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _explain(root, wrt, limit, max_factors)
    finally:
        if collecting:
            gc.enable()


def _explain(root: Value, wrt: Value, limit: int, max_factors: int) -> Explanation:
    graph = snapshot(root)
    order = graph.order
    names = {node: (graph.names[node], graph.precedence.get(node, 0)) for node in order}
    terms = {node: graph.term(node) for node in order}  # op rules write constants as numbers
    local = {node: _locals(node) for node in order if node._prev}
    from_root, gradient = _from_root(order, local)
    to_input = _routes_to(order, wrt)
    on_route = [node for node in order if to_input.get(node)]
    edge_count = route_factors = 0
    for node in on_route:
        for parent in node._prev:
            if to_input.get(parent):
                edge_count += 1
                route_factors += from_root[node] * to_input[parent]
    rows = tuple(NodeGradient(node, graph.names[node], str(node._op) or "leaf",
                              from_root[node], to_input[node], gradient[node])
                 for node in on_route)
    route_count = from_root.get(wrt, 0) if to_input else 0
    routes: tuple[Route, ...] = ()
    total = gradient.get(wrt, 0.0)
    longest = _longest(on_route, to_input) if route_count else 0
    if 0 < route_count <= limit and longest <= max_factors:
        stops = {root, wrt, *(node for node in on_route if label_text(node))}
        routes = tuple(_route(edges, stops, names, terms, local)
                       for edges in _walk(root, wrt, to_input))
        total = _exact_sum([route.product for route in routes])
    custom = tuple(dict.fromkeys(str(node._op) for node in on_route if _is_custom(node)))
    wrt_name = graph.names[wrt] if wrt in graph.names else (
        label_text(wrt) or number_text(wrt.data))
    return Explanation(root, wrt, graph.names[root], wrt_name, routes, route_count, limit,
                       total, rows, edge_count, route_factors, wrt.grad, custom, longest,
                       max_factors)


def _longest(on_route: list[Value], to_input: dict[Value, int]) -> int:
    """Factors in the longest route (edges from the root to the input): one pass over
    the nodes on a route, root first, as _from_root counts routes."""
    depth = {on_route[0]: 0}
    deepest = 0
    for node in on_route:
        here = depth.get(node, 0)
        deepest = max(deepest, here)
        for parent in node._prev:
            if to_input.get(parent) and depth.get(parent, -1) < here + 1:
                depth[parent] = here + 1
    return deepest



def _from_root(order: list[Value], local: dict[Value, tuple[float, ...]]
               ) -> tuple[dict[Value, int], dict[Value, float]]:
    """Routes from the root to each node, and d(root)/d(node): one pass, as backward
    does it, without touching ``.grad``."""
    routes: dict[Value, int] = {node: 0 for node in order}
    gradient: dict[Value, float] = {node: 0.0 for node in order}
    routes[order[0]], gradient[order[0]] = 1, 1.0
    for node in order:
        count, upstream = routes[node], gradient[node]
        for parent, derivative in zip(node._prev, local.get(node, ())):
            routes[parent] += count
            gradient[parent] += derivative * upstream
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
        parents = node._prev
        for slot in reversed(range(len(parents))):
            if to_input.get(parents[slot]):
                stack.append((parents[slot], ((node, slot), path)))


def _route(edges: tuple[Edge, ...], stops: set[Value], names: dict[Value, tuple[str, int]],
           terms: dict[Value, tuple[str, int]], local: dict[Value, tuple[float, ...]]) -> Route:
    """One factor per edge; and the stages: the edges grouped between stops."""
    if not edges:  # explain(x, x): the empty chain, d x/d x = 1
        return Route((), 1.0, ())
    factors = tuple(_factor([edge], names, terms, local) for edge in edges)
    product = 1.0
    for factor in factors:
        product *= factor.value
    stages: list[list[Edge]] = [[]]
    for node, slot in edges:
        stages[-1].append((node, slot))
        if node._prev[slot] in stops:
            stages.append([])
    stages.pop()  # the route ends at a stop, so the last one is empty
    if len(stages) == 1:  # no labelled node in between: the edges are the story
        stages = [[edge] for edge in edges]
    nodes = tuple(node for node, _ in edges) + (edges[-1][0]._prev[edges[-1][1]],)
    return Route(factors, product, nodes, tuple(_factor(stage, names, terms, local)
                                                for stage in stages))


def _factor(segment: list[Edge], names: dict[Value, tuple[str, int]],
            terms: dict[Value, tuple[str, int]], local: dict[Value, tuple[float, ...]]) -> Factor:
    top = segment[0][0]
    last, last_slot = segment[-1]
    bottom = last._prev[last_slot]
    rule = _product_of_rules([_rule(node, slot, terms) for node, slot in segment])
    value = 1.0
    for node, slot in segment:
        value *= local[node][slot]
    name = local_derivative_text(names[top][0], names[bottom][0]) + _slot_note(last, last_slot)
    return Factor(top, bottom, value, name, rule, tuple(segment),
                  names[top][0], names[bottom][0])
