"""``backward_steps``: ``backward()`` run one edge at a time, each application of the
chain rule a :class:`Step` (upstream gradient, local derivative, contribution, the
input's running total), or one neuron at a time (:class:`NeuronStep`: a neuron's
delta dE/dnet and what it passes to its weights and inputs); ``steps_table`` shows
the steps as one table.

The graph is read once through :func:`~autograd_tiny.core.graph.snapshot`; names and
derivative text come from :mod:`~autograd_tiny.teach.notation`.

``.grad`` always tells the truth during a walk: each step adds its contribution to
the input's ``.grad``, on top of whatever was there (earlier passes), exactly as
``backward()`` ends up. A walk stopped part way takes back only what it added.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from typing import Any, Generator, Iterable, Iterator, Optional, Union

from ..core.engine import Value
from ..core.graph import GraphSnapshot, label_text, snapshot
from .notation import (
    _exact_sum,
    _check_value,
    _grad_of,
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


# -- backward, one step at a time -------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Step:
    """One application of the chain rule: ``node`` passes gradient to one input,
    ``parent``: upstream d(root)/d(node) times the local derivative ∂(node)/∂(parent)
    is the ``contribution``. ``before`` and ``total`` are this pass's d(root)/d(parent)
    before and after it; ``grad`` is ``parent.grad`` right after the step, which adds
    ``earlier``, what ``.grad`` held from earlier passes. ``final`` is True once the
    parent has heard from every node that uses it.
    """

    index: int
    node: Value
    parent: Value
    slot: int
    upstream: float
    local: float
    contribution: float
    before: float
    total: float
    final: bool
    root_name: str
    node_name: str
    parent_name: str
    rule: str
    grad: float = 0.0
    earlier: float = 0.0

    @property
    def upstream_name(self) -> str:
        """``dE_total/dnet_o1``: the gradient arriving at ``node``."""
        return derivative_text(self.root_name, self.node_name)

    @property
    def local_name(self) -> str:
        """``∂net_o1/∂w5``: the local derivative on this edge."""
        return local_derivative_text(self.node_name, self.parent_name) + _slot_note(
            self.node, self.slot)

    @property
    def total_name(self) -> str:
        """``dE_total/dw5``: this pass's gradient of the parent."""
        return derivative_text(self.root_name, self.parent_name)

    def rows(self) -> list[tuple[str, str]]:
        """The step as (what, arithmetic) pairs, for text, tables and slides."""
        local = number_text(self.local)
        rule = "" if _is_number(self.rule) else f" = {self.rule}"
        status = "complete" if self.final else "more to come"
        rows = [
            ("upstream", f"{self.upstream_name} = {number_text(self.upstream)}"),
            ("local", f"{self.local_name}{rule} = {local}    ({self.node._op})"),
            ("contribution", f"{number_text(self.upstream)} * {local} = "
                             f"{number_text(self.contribution)}"),
            ("running total", f"{self.total_name} = {_sum_text([self.before, self.contribution])}"
                              f" = {number_text(self.total)}    ({status})"),
        ]
        return rows

    def grad_rows(self) -> list[tuple[str, str]]:
        """When ``.grad`` held gradients from earlier passes: a row saying that
        ``parent.grad`` is this pass's running total plus those (printed with the step)."""
        if not self.earlier:
            return []
        # _sum_text: "1 - 2 from earlier passes", not "1 + -2", as in the running total
        return [(".grad", f"{_grad_of(self.parent_name)} = "
                          f"{_sum_text([self.total, self.earlier])} from earlier passes = "
                          f"{number_text(self.grad)}")]

    @property
    def headline(self) -> str:
        """``step 3: net_o1 passes gradient to w5*out_h1``."""
        return f"step {self.index}: {self.node_name} passes gradient to {self.parent_name}"

    def text(self) -> str:
        """The step as text, with ∂ whatever the console (for files).

        >>> from autograd_tiny import Value
        >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
        >>> L = a * b; L.label = "L"
        >>> print(next(iter(backward_steps(L))).text().splitlines()[2])
          local          ∂L/∂a = b = 3    (*)
        """
        return _text(self.headline, self.rows() + self.grad_rows())

    def __str__(self) -> str:
        # print() writes str() to sys.stdout: d instead of ∂ where it cannot encode ∂.
        return for_stdout(self.text())

    def __repr__(self) -> str:
        return for_stdout(f"<step {self.index}: {self.node_name} -> {self.parent_name}: "
                f"{number_text(self.upstream)} * {number_text(self.local)} = "
                f"{number_text(self.contribution)}, {_grad_of(self.parent_name)} = "
                f"{number_text(self.grad)}>")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython
        printer.text(str(self))

    def __rich__(self) -> Any:
        return _grid(self.headline, self.rows() + self.grad_rows())


def _text(headline: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(what) for what, _ in rows)
    return "\n".join([headline] + [f"  {what.ljust(width)}  {text}" for what, text in rows])


def _grid(headline: str, rows: list[tuple[str, str]]) -> Any:
    from rich.table import Table

    grid = Table(title=headline, title_justify="left", show_header=False, box=None,
                 padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    for what, text in rows:
        grid.add_row(what, text)
    return grid


def backward_steps(root: Value, gradient: float = 1.0, *,
                   by: str = "edge") -> Iterator[Any]:
    """Runs ``root.backward(gradient)`` step by step. ``by="edge"`` (the default)
    yields a :class:`Step` for each edge: which node passes gradient to which input,
    the upstream gradient, the local derivative, the contribution and the input's
    running total. ``by="neuron"`` yields a :class:`NeuronStep` per neuron, from the
    output layer back (and one per other labelled node, such as the error terms):
    the neuron's delta dE/dnet and what it passes to each weight and input.

    The nodes are visited in backward's order and the arithmetic is the same, so
    once the walk is done every ``.grad`` equals what ``backward()`` gives (gradients
    already there from earlier passes are kept and added to, as ``backward()``
    does). Each step adds to ``.grad`` as it goes, so ``.grad`` shows the walk's
    progress; a walk stopped part way (a loop that breaks, a generator dropped)
    takes back exactly what it added and nothing else. Nothing happens until the
    first step is asked for.

    >>> from autograd_tiny import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> for step in backward_steps(c):
    ...     print(repr(step))
    <step 1: c -> a: 1 * -3 = -3, a.grad = -3>
    <step 2: c -> b: 1 * 2 = 2, b.grad = 2>

    One neuron (Mazur's names: ``net_o1`` and ``out_o1`` make neuron ``o1``):

    >>> w, h = Value(0.4, label="w5"), Value(0.593269992, label="out_h1")
    >>> net = w * h + 0.6; net.label = "net_o1"
    >>> out = net.sigmoid(); out.label = "out_o1"
    >>> (step,) = backward_steps(out, by="neuron")
    >>> step.headline, number_text(step.delta)
    ('step 1: neuron o1 passes gradient back', '0.210836403')
    >>> print(step.rows()[3][1])
    ∂net_o1/∂w5 = out_h1 = 0.593269992: dout_o1/dw5 gets 0.210836403 * 0.593269992 = 0.125082911    (complete)
    """
    _check_value(root, "backward_steps", "root")
    if isinstance(gradient, bool) or not isinstance(gradient, (int, float)):
        raise TypeError(f"backward_steps: gradient must be a number, got "
                        f"{type(gradient).__name__}")
    if not isinstance(by, str):
        raise TypeError(f"backward_steps: by must be a str, got {type(by).__name__}")
    if by == "edge":
        return _steps(snapshot(root), float(gradient))
    if by == "neuron":
        return _neuron_steps(snapshot(root), float(gradient))
    raise ValueError(f"backward_steps: by must be 'edge' or 'neuron', got {by!r}")


class _Ledger:
    """What a walk has added to each ``.grad`` (``mine``, this pass's gradient), and
    what ``.grad`` held besides (``base``), so the walk adds to ``.grad`` as it goes
    and, stopped part way, takes back its own work only."""

    def __init__(self) -> None:
        self.mine: dict[Value, float] = {}
        self.base: dict[Value, float] = {}
        self.written: dict[Value, float] = {}

    def add(self, node: Value, amount: float) -> float:
        mine = self.mine.get(node, 0.0)
        current = node.grad
        if node not in self.written or not _same(current, self.written[node]):
            # First touch, or someone else changed .grad since (a backward(), zeroing):
            # whatever is there besides this walk's own share is theirs.
            self.base[node] = current if node not in self.written else current - mine
        mine += amount
        self.mine[node] = mine
        node.grad = self.base[node] + mine  # as backward() ends: this pass + earlier
        self.written[node] = node.grad
        return mine

    def take_back(self) -> None:
        for node, written in self.written.items():
            if _same(node.grad, written):
                node.grad = self.base[node]  # untouched since: exactly as it was
            else:
                node.grad = node.grad - self.mine[node]  # others added since: keep theirs


def _same(x: float, y: float) -> bool:
    return x == y or (x != x and y != y)  # nan counts as unchanged


def _steps(graph: GraphSnapshot, gradient: float) -> Generator[Step, None, None]:
    order, root = graph.order, graph.root
    terms = {node: graph.term(node) for node in order}  # op rules write constants as numbers
    root_name = graph.names[root]
    waiting = dict(graph.uses)  # contributions each node has still to receive
    ledger = _Ledger()
    finished = False
    index = 0
    try:
        ledger.add(root, gradient)
        for node in order:
            parents = node._prev
            if not parents:
                continue
            upstream = ledger.mine.get(node, 0.0)
            for slot, (parent, local) in enumerate(zip(parents, _locals(node))):
                before = ledger.mine.get(parent, 0.0)
                contribution = local * upstream
                total = ledger.add(parent, contribution)
                waiting[parent] -= 1
                index += 1
                yield Step(index, node, parent, slot, upstream, local, contribution, before,
                           total, waiting[parent] == 0, root_name, graph.names[node],
                           graph.names[parent], _rule(node, slot, terms), parent.grad,
                           ledger.base[parent])
        finished = True
    finally:
        if not finished:  # a half backward means nothing: take back what it added
            ledger.take_back()


# -- backward, one neuron at a time ------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """What one labelled node of a :class:`NeuronStep` passes to one input outside it:
    ``local`` is d(source)/d(target) (summed over the ways inside, ``rule`` its op-table
    rule when there is one way), ``contribution`` = gradient of ``source`` * ``local``,
    ``total`` the target's gradient in this pass so far, ``final`` once complete."""

    source: Value
    target: Value
    source_name: str
    target_name: str
    local: float
    rule: str
    contribution: float
    total: float
    final: bool


@dataclass(frozen=True, repr=False)
class NeuronStep:
    """One neuron's share of backward (``by="neuron"``): the gradient arriving at its
    output, each local derivative inside it down to its net input, the neuron's delta
    dE/dnet, and what it passes to each weight, bias and input. A labelled node that
    is no neuron (an error term) gets a step of the same shape.

    ``edges`` are the edge steps it is made of, in backward's order.
    """

    index: int
    name: str
    neuron: bool
    nodes: tuple[Value, ...]  # the block's labelled nodes, output first (out, net)
    gradients: tuple[float, ...]  # this pass's d(root)/d(node) for each of ``nodes``
    inside: tuple[Link, ...]  # out -> net: links between the block's own nodes
    links: tuple[Link, ...]  # to weights, bias, inputs
    constants: int  # links to unlabelled constants, not listed
    root_name: str
    node_names: tuple[str, ...]
    edges: tuple[Step, ...] = field(default=(), repr=False)

    @property
    def delta(self) -> float:
        """dE/dnet: this pass's gradient at the neuron's net input (its last node)."""
        return self.gradients[-1]

    @property
    def headline(self) -> str:
        what = f"neuron {self.name}" if self.neuron else self.name
        return f"step {self.index}: {what} passes gradient back"

    def rows(self) -> list[tuple[str, str]]:
        """The step as (what, arithmetic) pairs, for text, tables and slides."""
        root = self.root_name
        rows = [("upstream", f"{derivative_text(root, self.node_names[0])} = "
                             f"{number_text(self.gradients[0])}")]
        for link in self.inside:
            rule = "" if _is_number(link.rule) else f" = {link.rule}"
            rows.append(("local", f"{local_derivative_text(link.source_name, link.target_name)}"
                                  f"{rule} = {number_text(link.local)}"))
            what = "delta" if self.neuron and link.target is self.nodes[-1] else "gradient"
            rows.append((what, f"{derivative_text(root, link.target_name)} = "
                               f"{number_text(self.gradients[self.nodes.index(link.source)])}"
                               f" * {number_text(link.local)} = {number_text(link.total)}"))
        for link in self.links:
            rule = "" if _is_number(link.rule) else f" = {link.rule}"
            status = "complete" if link.final else "more to come"
            upstream = number_text(self.gradients[self.nodes.index(link.source)])
            text = (f"{local_derivative_text(link.source_name, link.target_name)}{rule} = "
                    f"{number_text(link.local)}: {derivative_text(root, link.target_name)} "
                    f"gets {upstream} * {number_text(link.local)} = "
                    f"{number_text(link.contribution)}")
            if link.total != link.contribution:
                text += f", {number_text(link.total)} so far"
            rows.append((link.target_name, f"{text}    ({status})"))
        if self.constants:
            plural = "s" if self.constants > 1 else ""
            rows.append(("constants", f"{self.constants} constant input{plural} (gradient "
                                      f"kept in .grad, not shown)"))
        return rows

    def text(self) -> str:
        """The step as text, with ∂ whatever the console (for files).

        >>> from autograd_tiny import Value
        >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
        >>> L = a * b; L.label = "L"
        >>> print(next(iter(backward_steps(L, by="neuron"))).text().splitlines()[2])
          a         ∂L/∂a = b = 3: dL/da gets 1 * 3 = 3    (complete)
        """
        return _text(self.headline, self.rows())

    def __str__(self) -> str:
        return for_stdout(self.text())  # d instead of ∂ where stdout cannot encode ∂

    __repr__ = __str__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython
        printer.text(str(self))

    def __rich__(self) -> Any:
        return _grid(self.headline, self.rows())


def _neuron_steps(graph: GraphSnapshot, gradient: float) -> Iterator[NeuronStep]:
    """Groups the edge walk into blocks: each labelled node (or the root) owns the
    unlabelled nodes below it down to the next labelled ones; a neuron's block is
    every owner of its module (``out`` and ``net``), once per call. The edges run in
    backward's order, so every ``.grad`` is backward's. The steps come layer by layer
    from the output (a layer's steps once all its edges have run), and within a
    layer in the order the expression is written (neuron 1 before neuron 2, the
    first data point's call first); the running totals are told in that order."""
    owner = _owners(graph)
    key_of = _blocks(graph, owner)
    pending: dict[Any, int] = {}
    for node in graph.order:
        if node in key_of and node._prev:
            pending[key_of[node]] = pending.get(key_of[node], 0) + len(node._prev)
    depth = _block_depths(graph, key_of, pending)
    left_at: dict[int, int] = {}
    for key in pending:
        left_at[depth[key]] = left_at.get(depth[key], 0) + 1
    levels = sorted(left_at)
    position, calls = _written_blocks(graph, key_of, pending)
    per_module: dict[str, int] = {}
    for key in pending:
        if isinstance(key, tuple):
            per_module[key[0]] = per_module.get(key[0], 0) + 1
    told = _Told(graph.uses)
    collected: dict[Any, list[Step]] = {}
    ready: dict[int, list[Any]] = {}
    index = 0
    edges = _steps(graph, gradient)
    try:
        for step in edges:
            key = key_of[step.node]
            collected.setdefault(key, []).append(step)
            pending[key] -= 1
            if pending[key]:
                continue
            ready.setdefault(depth[key], []).append(key)
            while levels and len(ready.get(levels[0], ())) == left_at[levels[0]]:
                for key in sorted(ready.pop(levels.pop(0)), key=position.__getitem__):
                    index += 1
                    name = _block_name(key, graph, calls, per_module)
                    yield _neuron_step(index, key, name, collected.pop(key), graph, owner,
                                       told)
    finally:
        edges.close()


class _Told:
    """Running totals as the neuron steps tell them (their order, not backward's)."""

    def __init__(self, uses: dict[Value, int]) -> None:
        self.uses = uses
        self.total: dict[Value, float] = {}
        self.edges: dict[Value, int] = {}

    def add(self, target: Value, contribution: float, edges: int) -> tuple[float, bool]:
        self.total[target] = self.total.get(target, 0.0) + contribution
        self.edges[target] = self.edges.get(target, 0) + edges
        return self.total[target], self.edges[target] >= self.uses.get(target, 0)


def _written_blocks(graph: GraphSnapshot, key_of: dict[Value, Any], blocks: dict[Any, int]
                    ) -> tuple[dict[Any, int], dict[Any, int]]:
    """Each block's place in the order the root's expression is written (a walk in
    input order, left to right), and for a neuron's blocks which call each is (the
    first data point's call is call 1)."""
    position: dict[Any, int] = {}
    calls: dict[Any, int] = {}
    made: dict[str, int] = {}
    seen = {graph.root}
    stack = [graph.root]
    while stack:
        node = stack.pop()
        key = key_of.get(node)
        if key in blocks and key not in position:
            position[key] = len(position)
            if isinstance(key, tuple):
                made[key[0]] = calls[key] = made.get(key[0], 0) + 1
        for parent in reversed(node._prev):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return position, calls


def _blocks(graph: GraphSnapshot, owner: dict[Value, Value]) -> dict[Value, Any]:
    """Each node's block: a labelled node of a module (``L1.N2.out``) and the nodes of
    the same module it is computed from (``L1.N2.net``) make one block, keyed
    ``(module, out node)``: one per call of the neuron; any other labelled node (or
    the root) is a block of its own, keyed by the node."""
    block: dict[Value, Any] = {}
    key_of: dict[Value, Any] = {}
    for node in graph.order:
        if node not in owner:
            continue
        source = owner[node]
        if source not in block:
            group = graph.groups.get(source, "")
            block[source] = (group, source) if group else source
        key = key_of[node] = block[source]
        if not isinstance(key, tuple):
            continue
        for parent in node._prev:
            if (parent._prev and owner.get(parent) is parent and parent not in block
                    and graph.groups.get(parent) == key[0]):
                block[parent] = key
    return key_of


def _block_depths(graph: GraphSnapshot, key_of: dict[Value, Any],
                  blocks: dict[Any, int]) -> dict[Any, int]:
    """How many blocks lie between the root and each block (the layer, counted from
    the output): one more than the deepest block that passes it gradient."""
    depth = {key: 0 for key in blocks}
    changed = True
    passes = 0
    while changed and passes <= len(blocks):  # a DAG of blocks: settles in a pass or two
        changed = False
        passes += 1
        for node in graph.order:
            key = key_of.get(node)
            if key not in depth:
                continue
            for parent in node._prev:
                target = key_of.get(parent)
                if target in depth and target != key and depth[target] < depth[key] + 1:
                    depth[target] = depth[key] + 1
                    changed = True
    return depth


def _owners(graph: GraphSnapshot) -> dict[Value, Value]:
    """For every node that passes gradient on: the labelled node (or the root) whose
    unlabelled sub-expression it is; a shared one belongs to the first that uses it."""
    owner: dict[Value, Value] = {}
    for node in graph.order:
        if node is graph.root or label_text(node):
            owner[node] = node
        elif not node._prev:
            continue  # an unlabelled constant: it passes nothing on
        elif node not in owner:
            owner[node] = graph.root  # unreachable in practice: users come first
        for parent in node._prev:
            if parent._prev and not label_text(parent) and parent not in owner:
                owner[parent] = owner[node]
    return owner


def _block_name(key: Any, graph: GraphSnapshot, calls: dict[Any, int],
                per_module: dict[str, int]) -> str:
    if not isinstance(key, tuple):
        return graph.names[key]
    module = key[0]
    count = per_module.get(module, 1)
    return module if count == 1 else f"{module} (call {calls[key]} of {count})"


def _neuron_step(index: int, key: Any, name: str, steps: list[Step], graph: GraphSnapshot,
                 owner: dict[Value, Value], told: _Told) -> NeuronStep:
    sources = list(dict.fromkeys(owner[step.node] for step in steps))  # output first
    gradients = tuple(steps_upstream(steps, source) for source in sources)
    # d(source)/d(node) inside the source's sub-expression, and its rules when one way.
    inner: dict[Value, float] = {}
    paths: dict[Value, Optional[list[str]]] = {}
    found: dict[tuple[Value, Value], list[Any]] = {}  # (source, target): [local, rules, steps]
    for step in steps:
        source = owner[step.node]
        upstream = 1.0 if step.node is source else inner[step.node]
        path = [] if step.node is source else paths[step.node]
        local = upstream * step.local
        rules = None if path is None else path + [step.rule]
        target = step.parent
        if target._prev and not label_text(target) and owner.get(target) is source:
            inner[target] = inner.get(target, 0.0) + local
            paths[target] = rules if target not in paths else None  # two ways: no rule
            continue
        entry = found.get((source, target))
        if entry is None:
            found[(source, target)] = [local, rules, [step]]
        else:
            entry[0] += local
            entry[1] = None
            entry[2].append(step)
    inside: list[Link] = []
    links: list[Link] = []
    constants = 0
    for (source, target), (local, rules, mine) in found.items():
        rule = _product_of_rules(rules) if rules is not None else number_text(local)
        contribution = _exact_sum([step.contribution for step in mine])
        total, final = told.add(target, contribution, len(mine))
        link = Link(source, target, graph.names[source], graph.names[target], local, rule,
                    contribution, total, final)
        if target in sources:
            inside.append(link)
        elif not target._prev and not label_text(target):
            constants += 1
        else:
            links.append(link)
    written = _written_order(sources, owner)
    links.sort(key=lambda link: written.get((link.source, link.target), len(written)))
    return NeuronStep(index, name, isinstance(key, tuple), tuple(sources),
                      gradients, tuple(inside), tuple(links), constants,
                      graph.names[graph.root], tuple(graph.names[s] for s in sources),
                      tuple(steps))


def _written_order(sources: list[Value], owner: dict[Value, Value]
                   ) -> dict[tuple[Value, Value], int]:
    """(source, input) pairs in the order the inputs are written in each source's
    expression (``w5*out_h1 + w6*out_h2 + b2``: w5, out_h1, w6, out_h2, b2)."""
    written: dict[tuple[Value, Value], int] = {}
    for source in sources:
        stack: list[tuple[Value, bool]] = [(source, True)]  # (node, look inside it)
        while stack:
            node, inside = stack.pop()
            if not inside:
                written.setdefault((source, node), len(written))
                continue
            for parent in reversed(node._prev):  # popped first to last: written order
                own = bool(parent._prev) and not label_text(parent) and owner.get(
                    parent) is source
                stack.append((parent, own))
    return written



def steps_upstream(steps: list[Step], source: Value) -> float:
    """This pass's gradient at ``source``: the upstream of its first edge step.

    >>> from autograd_tiny import Value
    >>> a, b, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(-2.0, label="f")
    >>> c = a * b; L = c * f
    >>> steps = list(backward_steps(L))
    >>> steps_upstream(steps, c), steps_upstream(steps, a)  # dL/dc = f; a passes nothing on
    (-2.0, 0.0)
    """
    for step in steps:
        if step.node is source:
            return step.upstream
    return 0.0


def steps_table(steps: Union[Iterable[Step], Value]) -> Any:
    """A ``rich`` table with one row per step (consumes ``steps``); ``print()`` shows
    it as a table in plain Python too, and a notebook or ``rich`` renders it. Given a
    ``Value``, it steps through that value's backward as a dry run: the table shows
    what each ``.grad`` becomes, and every ``.grad`` is left as it was afterwards (run
    ``backward()`` to add them). Given ``backward_steps(...)``, the walk adds to
    ``.grad`` as such a walk does. Steps of ``by="neuron"`` give one row per input a
    neuron passes gradient to, with the neuron's delta.

    The ``.grad now`` column is each input's ``.grad`` right after the step; when
    ``.grad`` held gradients from earlier passes, a ``this pass`` column shows this
    pass's running total beside it, and the caption says so.

    >>> from autograd_tiny import Value
    >>> x = Value(3.0, label="x")
    >>> table = steps_table(x * x)
    >>> table.row_count, x.grad  # a dry run: x.grad is untouched
    (2, 0.0)
    >>> print(str(table).splitlines()[0])
    backward, one step at a time (a dry run: .grad is left as it was)
    """
    if isinstance(steps, Value):
        return _dry_run(steps)
    if isinstance(steps, (str, bytes)) or not isinstance(steps, Iterable):
        raise TypeError(f"steps_table: steps must be backward_steps(...) or a Value, got "
                        f"{type(steps).__name__}")
    rows = list(steps)
    if rows and all(isinstance(step, NeuronStep) for step in rows):
        return _neuron_table(rows)  # type: ignore[arg-type]
    for step in rows:
        if not isinstance(step, Step):
            raise TypeError(f"steps_table: expected the steps of backward_steps(...), "
                            f"got {type(step).__name__}")
    earlier = any(step.earlier for step in rows)
    table = _printable_table()(title="backward, one step at a time", title_justify="left")
    columns = [("#", "right"), ("from", "left"), ("to", "left"), ("upstream", "right"),
               ("local", "right"), ("rule", "left"), ("contribution", "right")]
    if earlier:
        columns.append(("this pass", "right"))
        table.caption = (".grad now = this pass + what .grad held from earlier backward() "
                         "passes (set .grad = 0, or model.zero_grad() for a model, first to "
                         "see this pass alone)")
    columns.append((".grad now", "right"))
    for heading, justify in columns:
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for step in rows:
        more = "" if step.final else " …"
        cells = [str(step.index), step.node_name, step.parent_name, number_text(step.upstream),
                 number_text(step.local), step.rule, number_text(step.contribution)]
        if earlier:
            cells.append(number_text(step.total) + more)
        cells.append(number_text(step.grad) + more)
        table.add_row(*cells)
    return table


def _dry_run(root: Value) -> Any:
    """steps_table(root): the walk's table, with every ``.grad`` put back after it. A
    table asked for to be looked at must not change the gradients a student then
    reads or trains with."""
    graph = snapshot(root)
    saved = [(node, node.grad) for node in graph.order]
    try:
        table = steps_table(_steps(graph, 1.0))
    finally:
        for node, grad in saved:
            node.grad = grad
    table.title += " (a dry run: .grad is left as it was)"
    return table


@functools.lru_cache(maxsize=None)
def _printable_table() -> Any:
    """rich's ``Table`` that ``print()`` and the plain REPL show as the table itself,
    not ``<rich.table.Table object at 0x...>``; made on first use, so importing the
    package does not import rich."""
    from rich.table import Table

    class StepsTable(Table):  # type: ignore[misc]
        def __str__(self) -> str:
            return _rendered(self)

        __repr__ = __str__

        def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython
            printer.text(str(self))

    return StepsTable


def _rendered(table: Any) -> str:
    """``table`` as plain text for ``sys.stdout``: its width, and ASCII borders and d
    for ∂ where stdout cannot encode them."""
    import io
    import shutil

    from rich.console import Console

    class Out(io.StringIO):
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"

    out = Out()
    width = shutil.get_terminal_size((120, 24)).columns
    Console(file=out, width=width, color_system=None, force_terminal=False).print(table)
    return for_stdout("\n".join(line.rstrip() for line in out.getvalue().splitlines()))


def _neuron_table(steps: list[NeuronStep]) -> Any:
    table = _printable_table()(title="backward, one neuron at a time", title_justify="left")
    for heading, justify in (("#", "right"), ("neuron", "left"), ("upstream", "right"),
                             ("to", "left"), ("local", "right"), ("rule", "left"),
                             ("contribution", "right"), ("so far", "right")):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for step in steps:
        for number, link in enumerate(step.links):
            gradient = number_text(step.gradients[step.nodes.index(link.source)])
            first = number == 0
            table.add_row(str(step.index) if first else "", step.name if first else "",
                          gradient if first or link.source is not step.links[number - 1].source
                          else "", link.target_name, number_text(link.local), link.rule,
                          number_text(link.contribution),
                          number_text(link.total) + ("" if link.final else " …"),
                          end_section=number == len(step.links) - 1)
    return table
