"""``backward_steps``: ``backward()`` run one edge at a time, each application of the
chain rule a :class:`Step` (upstream gradient, local derivative, contribution, the
input's running ``.grad``), and ``steps_table`` to show them all as one table.

Names and derivative text come from :mod:`~autograd_tiny.notation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ..core.engine import Value, _count_uses, reverse_topological_order
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


# -- backward, one step at a time -------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Step:
    """One application of the chain rule: ``node`` passes gradient to one input,
    ``parent``: upstream d(root)/d(node) times the local derivative d(node)/d(parent)
    is the ``contribution``, added to the parent's running ``total`` (its ``.grad``).
    ``final`` is True once the parent has heard from every node that uses it.
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

    @property
    def upstream_name(self) -> str:
        """``dE_total/dnet_o1``: the gradient arriving at ``node``."""
        return derivative_text(self.root_name, self.node_name)

    @property
    def local_name(self) -> str:
        """``dnet_o1/dw5``: the local derivative on this edge."""
        return derivative_text(self.node_name, self.parent_name) + _slot_note(self.node,
                                                                              self.slot)

    @property
    def total_name(self) -> str:
        """``dE_total/dw5``: what the parent's ``.grad`` holds."""
        return derivative_text(self.root_name, self.parent_name)

    def rows(self) -> list[tuple[str, str]]:
        """The step as (what, arithmetic) pairs, for text, tables and slides."""
        local = number_text(self.local)
        rule = "" if _is_number(self.rule) else f" = {self.rule}"
        status = "complete" if self.final else "more to come"
        return [
            ("upstream", f"{self.upstream_name} = {number_text(self.upstream)}"),
            ("local", f"{self.local_name}{rule} = {local}    ({self.node._op})"),
            ("contribution", f"{number_text(self.upstream)} * {local} = "
                             f"{number_text(self.contribution)}"),
            ("running total", f"{self.total_name} = {_sum_text([self.before, self.contribution])}"
                              f" = {number_text(self.total)}    ({status})"),
        ]

    @property
    def headline(self) -> str:
        """``step 3: net_o1 passes gradient to w5*out_h1``."""
        return f"step {self.index}: {self.node_name} passes gradient to {self.parent_name}"

    def __str__(self) -> str:
        rows = self.rows()
        width = max(len(what) for what, _ in rows)
        return "\n".join([self.headline] + [f"  {what.ljust(width)}  {text}" for what, text in rows])

    def __repr__(self) -> str:
        return (f"<step {self.index}: {self.node_name} -> {self.parent_name}: "
                f"{number_text(self.upstream)} * {number_text(self.local)} = "
                f"{number_text(self.contribution)}, {self.parent_name}.grad = "
                f"{number_text(self.total)}>")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython
        printer.text(str(self))

    def __rich__(self) -> Any:
        from rich.table import Table

        grid = Table(title=self.headline, title_justify="left", show_header=False,
                     box=None, padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        for what, text in self.rows():
            grid.add_row(what, text)
        return grid


def backward_steps(root: Value, gradient: float = 1.0) -> Iterator[Step]:
    """Runs ``root.backward(gradient)`` one edge at a time, yielding a :class:`Step`
    for each: which node passes gradient to which input, the upstream gradient, the
    local derivative, the contribution and the input's running total.

    The nodes are visited in ``reverse_topological_order``, as ``backward()`` visits
    them, and the arithmetic is the same, so once the generator is exhausted every
    ``.grad`` equals what ``backward()`` gives (earlier gradients are kept and added
    back at the end, as ``backward()`` accumulates). Nothing happens until the first
    step is asked for.

    >>> from autograd_tiny import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> for step in backward_steps(c):
    ...     print(repr(step))
    <step 1: c -> a: 1 * -3 = -3, a.grad = -3>
    <step 2: c -> b: 1 * 2 = 2, b.grad = 2>
    """
    _check_value(root, "backward_steps", "root")
    if isinstance(gradient, bool) or not isinstance(gradient, (int, float)):
        raise TypeError(f"backward_steps: gradient must be a number, got "
                        f"{type(gradient).__name__}")
    return _steps(root, float(gradient))


def _steps(root: Value, gradient: float) -> Iterator[Step]:
    order = reverse_topological_order(root)
    names = _names(order)
    waiting = _count_uses(root)  # contributions each node has still to receive
    earlier = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    root.grad = gradient
    index = 0
    finished = False
    try:
        for node in order:
            upstream = node.grad
            for slot, (parent, local) in enumerate(zip(node._prev, node._local)):
                before = parent.grad
                contribution = local * upstream
                parent.grad = before + contribution
                waiting[parent] -= 1
                index += 1
                yield Step(index, node, parent, slot, upstream, local, contribution, before,
                           parent.grad, waiting[parent] == 0, names[root][0], names[node][0],
                           names[parent][0], _rule(node, slot, names))
        finished = True
    finally:
        # Done: add this pass to what was there, as backward() does. Stopped part way
        # (a loop that breaks, a generator dropped): a half backward means nothing,
        # so every gradient goes back to what it was.
        for node, before in zip(order, earlier):
            node.grad = node.grad + before if finished else before


def steps_table(steps: Iterable[Step]) -> Any:
    """A ``rich`` table with one row per step (consumes ``steps``).

    >>> from autograd_tiny import Value
    >>> x = Value(3.0, label="x")
    >>> table = steps_table(backward_steps(x * x))
    >>> table.row_count, x.grad
    (2, 6.0)
    """
    from rich.table import Table

    table = Table(title="backward, one step at a time", title_justify="left")
    for heading, justify in (("#", "right"), ("from", "left"), ("to", "left"),
                             ("upstream", "right"), ("local", "right"), ("rule", "left"),
                             ("contribution", "right"), (".grad now", "right")):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for step in steps:
        table.add_row(str(step.index), step.node_name, step.parent_name,
                      number_text(step.upstream), number_text(step.local), step.rule,
                      number_text(step.contribution),
                      number_text(step.total) + ("" if step.final else " …"))
    return table
