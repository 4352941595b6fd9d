"""The vectorised replay (``compile(..., backend="numpy")``): the traced graph as arrays.

Every node of the trace gets a slot in one float64 array. Nodes are grouped by
*level* (one more than their deepest input; constants and parameters are level 0)
and by op: all the ``*`` nodes of level 3 form one group, and the group runs as one
NumPy operation, its inputs gathered by index. Backward walks the levels from the
top down: each group's local derivatives are the op table's formulas evaluated on
arrays (the same text eager mode runs on floats), multiplied by the group's
gradients and added into their inputs' gradients (with ``np.bincount`` where an
input is used by several nodes of a group: it collects every contribution). A
node's consumers all sit on higher levels, so its gradient is complete before it
is passed on.

An n-ary ``weighted_sum`` (a neuron's net input, ``b + w1 * x1 + ... + wn * xn``)
groups with the weighted sums of its level that have the same n: their inputs are
gathered as one (2n + 1) x nodes matrix whose rows are the formula's arguments, and
the formula (``op.forward_text``) runs on the rows, adding in eager mode's order.
Backward reads ``op.local_rules``: each rule that names another input (d/dwi = xi,
d/dxi = wi) multiplies that input's row by the gradients, each number (d/db = 1.0)
multiplies the gradients, and all of it is added into the inputs' gradients in one
``np.bincount``. In micrograd's demo (``MLP(2, [16, 16, 1])``) a layer of 100 points
is one group of 1,600 nodes, and the whole step is 14 groups.

Such a layer is a grid (:class:`_Grid`): points x neurons, each input slot read
from a neuron's weight (the same down a column) or a point's input (the same along
a row). It is gathered as one vector per slot, of neurons or of points, the formula
runs on them broadcast (the same additions, in the same order, on the whole table),
and backward sums each slot's contributions over the nodes that share its index
before scattering them: for the weights, one matrix product of the gradients and
the inputs the rules name. A step of ``MLP(2, [64, 64, 1])`` on 1,000 points went
from 114 ms to about 16 (the gather and scatter of 8 million edges were most of it).

The groups are found from the trace's columns (:mod:`autograd_tiny.compile.trace`),
after the ``Value`` graph has been freed, and kept in arrays: per node and per edge a
few bytes while they are built, no Python object. What a compiled step keeps is its
index and buffer arrays: about 2.5 bytes per edge of micrograd's demo step (its layers
are grids: a grid keeps an index per neuron and per point, not per edge).

The numbers equal eager mode's to about 1e-15 relative, not bit for bit: NumPy's
transcendental functions may differ from the ``math`` module's in the last bit, and
the contributions to one gradient are added in another order. The ``python``
backend stays the exact one.

>>> from autograd_tiny import Value
>>> from autograd_tiny.compile import compile
>>> w, b = Value(0.5), Value(0.0)
>>> xs, ys = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]
>>> def loss():
...     return sum(((w * x + b - y) ** 2 for x, y in zip(xs, ys)), Value(0.0)) / len(xs)
>>> step = compile(loss, [w, b], backend="numpy")
>>> step(), w.grad, b.grad
(10.5, -14.0, -6.0)
"""

from __future__ import annotations

import ast
from array import array
from typing import Any, Callable

import numpy as np

from ..core.engine import _exec_source
from .trace import Trace

__all__ = ["VectorisedReplay", "ARRAY_NAMESPACE"]


def _exp(x: Any) -> Any:
    return np.exp(x)


def _sigmoid(x: Any) -> Any:
    # both sides of floatmath.sigmoid, each where it cannot overflow
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _relu(x: Any) -> Any:
    return np.where((x > 0.0) | (x != x), x, 0.0)


def _step(x: Any) -> Any:
    return np.where(x > 0.0, 1.0, 0.0)


def _sign(x: Any) -> Any:
    return np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, 0.0))


def _log(x: Any) -> Any:
    return np.log(x)


def _iszero(x: Any) -> Any:
    return x == 0.0  # 0.0 and -0.0; nan is not zero


# The functions the op table's formulas call, on arrays, with floatmath's IEEE
# semantics (inf and nan, never an exception: NumPy's warnings are switched off).
ARRAY_NAMESPACE: dict[str, Any] = {
    "exp": _exp, "log": _log, "sqrt": np.sqrt, "div": np.divide, "pow": np.power,
    "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "sigmoid": _sigmoid, "relu": _relu,
    "step": _step, "sign": _sign, "abs": np.abs, "iszero": _iszero, "_where": np.where,
    "_and": np.logical_and, "_or": np.logical_or, "_not": np.logical_not,
}


class _ArrayFormula(ast.NodeTransformer):
    """``x if c else y`` (a float formula's branch) becomes ``_where(c, x, y)``;
    ``c and d``, ``c or d``, ``not c`` become their elementwise versions."""

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        return ast.Call(func=ast.Name("_where", ast.Load()),
                        args=[node.test, node.body, node.orelse], keywords=[])

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        name = "_and" if isinstance(node.op, ast.And) else "_or"
        combined = node.values[0]
        for value in node.values[1:]:
            combined = ast.Call(func=ast.Name(name, ast.Load()), args=[combined, value],
                                keywords=[])
        return combined

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.Call(func=ast.Name("_not", ast.Load()), args=[node.operand],
                            keywords=[])
        return node


def _array_function(formula: str, names: tuple[str, ...],
                    params: dict[str, float]) -> Callable[..., Any]:
    """One formula of the op table as a function of arrays (inputs..., out)."""
    tree = _ArrayFormula().visit(ast.parse(formula, mode="eval"))
    body = ast.unparse(ast.fix_missing_locations(tree))
    # The op table's own text, run on arrays: generated like the engine's op methods
    # (and, like them, registered so tracebacks show it).
    source = f"def formula({', '.join(names)}):\n    return {body}\n"
    scope = _exec_source(source, f"<autograd_tiny array formula {formula}>",
                         dict(ARRAY_NAMESPACE, **params))
    return scope["formula"]


_FUNCTIONS: dict[tuple[Any, ...], tuple[Callable[..., Any], tuple[Callable[..., Any], ...]]] = {}


def _functions(op: Any, arity: int, local_too: bool = True
               ) -> tuple[Callable[..., Any], tuple[Callable[..., Any], ...]]:
    """The op's forward formula and (unless ``local_too`` is false: an n-ary op whose
    rules are read as plain names, see :func:`_plain_rules`) its local derivatives,
    as functions of arrays."""
    # forward_text spells an n-ary formula out for this arity (b + w1 * x1 + ...)
    formula, rules = op.forward_text(arity), op.local_rules(arity)
    # keyed by the formulas too: an op built outside the table may reuse a name
    key = (op.name, arity, formula, rules, tuple((k, repr(v)) for k, v in op.params.items()),
           local_too)
    if key not in _FUNCTIONS:
        names = tuple(op.input_names(arity)) + ("out",)
        forward = _array_function(formula, names[:-1], op.params)
        local = tuple(_array_function(rule, names, op.params)
                      for rule in rules) if local_too else ()
        _FUNCTIONS[key] = (forward, local)
    return _FUNCTIONS[key]


def _plain_rules(op: Any, arity: int) -> list[tuple[int, float]] | None:
    """The op table's local derivatives for ``arity`` inputs when each one is another
    input's name or a number (``weighted_sum``: d/dwi = xi, d/dxi = wi, d/db = 1.0):
    per input, (the index of the input it names, 0.0) or (-1, the number). None when
    a rule is any other formula (it is then evaluated as a function of arrays).

    >>> from autograd_tiny.core.ops import TABLE
    >>> _plain_rules(TABLE["weighted_sum"], 5)
    [(2, 0.0), (3, 0.0), (0, 0.0), (1, 0.0), (-1, 1.0)]
    >>> _plain_rules(TABLE["tanh"], 1) is None
    True
    """
    where = {name: j for j, name in enumerate(op.input_names(arity))}
    rules: list[tuple[int, float]] = []
    for rule in op.local_rules(arity):
        rule = rule.strip()
        if rule in where:
            rules.append((where[rule], 0.0))
            continue
        try:
            rules.append((-1, float(rule)))
        except ValueError:
            return None
    return rules


def _adds(trace: Trace, computed: Any, arity: Any) -> Any:
    """Which of the ``computed`` nodes are a binary ``+``."""
    # one entry per op of the trace, and a False at the end that a leaf's op, -1, reads
    is_add = np.array([op.name == "add" for op in trace.ops] + [False], dtype=bool)
    return computed & (arity == 2) & is_add[np.frombuffer(trace.op, dtype=np.int32)]


def _absorbed_sums(trace: Trace, computed: Any, adds: Any, arity: Any) -> Any:
    """Which nodes are a partial sum inside a longer sum: a ``+`` node used once, as
    the left input of another ``+`` (``sum(...)`` builds such chains). The chain is
    computed as one sum, in eager mode's order, and its partial sums are not stored."""
    n = trace.n
    first = np.frombuffer(trace.first, dtype=np.int64)
    inputs = np.frombuffer(trace.inputs, dtype=np.int32)
    # uses: edges into each node from the nodes the replay computes
    uses = np.bincount(inputs[np.repeat(computed, arity)], minlength=n)
    left_of_add = np.zeros(n, dtype=bool)
    left_of_add[inputs[first[:-1][adds]]] = True
    absorbed = adds & (uses == 1) & left_of_add
    absorbed[n - 1] = False  # the root is stored: it is the loss
    return absorbed


def _terms(i: int, absorbed: bytes, first: Any, inputs: Any) -> list[int]:
    """The terms of the sum ending at node ``i``, first to last."""
    rights = []
    while True:
        left, right = inputs[first[i]], inputs[first[i] + 1]
        rights.append(right)
        if not absorbed[left]:
            rights.append(left)
            return rights[::-1]
        i = left


def _sum_forward(*terms: Any) -> Any:
    total = terms[0] + terms[1]
    for term in terms[2:]:  # left to right, as eager mode adds them
        total = total + term
    return total


def _one(*args: Any) -> float:
    return 1.0  # d(sum)/d(term): the add op's rule, '1.0', for every term


def _sum_functions(count: int) -> tuple[Callable[..., Any], tuple[Callable[..., Any], ...]]:
    # the same two functions for every group of sums (a chain of `x * w + b` has a
    # group per link: a pair of new closures each would cost 200 bytes a node)
    return _sum_forward, (_one,) * count


def _as_slice(column: Any) -> Any:
    """``column`` as a slice when it is consecutive indices (k, k + 1, ...), else itself.

    >>> _as_slice(np.array([3, 4, 5])), _as_slice(np.array([3, 5])).tolist()
    (slice(3, 6, None), [3, 5])
    """
    if len(column) and column[-1] - column[0] == len(column) - 1 \
            and bool((np.diff(column) == 1).all()):
        return slice(int(column[0]), int(column[-1]) + 1)
    return column


class _Scatter:
    """Adds one contribution per node into ``grads`` at ``column``: a plain indexed
    add where every index is different, else the contributions summed per index by
    ``np.bincount`` over the span of indices the column reaches (one pass, each index's
    contributions added in the column's order; much faster than ``np.add.at``).

    With ``in_place``, a column with repeats is shifted (by ``low``, its lowest index)
    in its own memory rather than in a copy: the caller owns it and reads it as
    indices into ``values[low:]`` from then on.

    >>> grads = np.zeros(5)
    >>> _Scatter(np.array([3, 1, 3])).add(grads, np.array([1.0, 2.0, 4.0]))
    >>> grads.tolist()
    [0.0, 2.0, 0.0, 5.0, 0.0]
    """

    __slots__ = ("column", "repeats", "low", "span", "shifted")

    def __init__(self, column: Any, in_place: bool = False) -> None:
        self.column = column
        self.repeats = False
        self.low = 0
        if len(column) < 2:
            return
        if int(column.max()) < len(column):
            # Count each index: one pass, and no copy of the column, which may be
            # every input of a layer's weighted sums (np.unique sorts a copy). The
            # counts are no longer than the column.
            self.repeats = bool(np.bincount(column).max() > 1)
        else:  # a few indices spread wide: sorting them costs less than counting
            self.repeats = len(np.unique(column)) != len(column)
        if not self.repeats:
            self.column = _as_slice(column)  # a run of nodes: added in place, no gather
        else:
            low = int(column.min())
            self.low, self.span = low, int(column.max()) - low + 1
            if in_place:
                column -= low
                self.shifted = column
            else:
                self.shifted = column - low
            self.column = None  # only the shifted indices are read

    def add(self, grads: Any, contributions: Any) -> None:
        if not self.repeats:
            grads[self.column] += contributions
        else:
            grads[self.low:self.low + self.span] += np.bincount(
                self.shifted, weights=contributions, minlength=self.span)


def _grid_shape(matrix: Any) -> tuple[int, Any] | None:
    """Whether a group's (inputs x nodes) index matrix is a grid: its nodes, in order,
    an A x B table (A rows of B nodes) in which each input slot's index depends on the
    node's column only (a neuron's weights and bias: the same in every row) or on its
    row only (a point's inputs: the same along the row). A layer of weighted sums over
    a batch of points is such a table. Returns B and, per slot, whether it is a column
    slot; None when no grid gathers fewer numbers than the matrix.

    >>> _grid_shape(np.array([[5, 6, 5, 6, 5, 6], [1, 1, 2, 2, 3, 3]]))
    (2, [True, False])
    >>> _grid_shape(np.array([[5, 6, 7], [1, 2, 1]])) is None
    True
    """
    slots, n = matrix.shape
    if n < 2:
        return None
    # Candidate widths B: where a slot first repeats its first index (a column
    # slot's period) and where it first changes (a row slot's run); 1 for a group
    # whose weights are all one neuron's.
    candidates = {1}
    for row in matrix:
        changed = row != row[0]
        candidates.add(int(changed.argmax()) if changed[1:].any() else n)
        changed[0] = True
        candidates.add(int(changed.argmin()) if not changed.all() else n)
    best: tuple[int, int, Any] | None = None
    for b in sorted(c for c in candidates if 0 < c < n and n % c == 0)[:8]:
        a, columns = n // b, []
        for row in matrix:
            table = row.reshape(a, b)
            if (table == table[0]).all():
                columns.append(True)
            elif (table == table[:, :1]).all():
                columns.append(False)
            else:
                break
        else:
            cost = sum(b if column else a for column in columns)
            if 2 * cost <= slots * n and (best is None or cost < best[0]):
                best = (cost, b, columns)
    return None if best is None else (best[1], best[2])


_BAND = 32_768  # numbers in a band of a grid's forward (see _Grid)


class _Grid:
    """A group of n-ary nodes (weighted sums) whose inputs form a grid (see
    :func:`_grid_shape`): A x B nodes, each input slot read from B numbers (a column
    slot) or A numbers (a row slot) rather than from A * B.

    Forward runs the op table's formula once on the slots as broadcast arrays (a
    column slot as a row vector of B, a row slot as a column vector of A): the same
    additions in eager mode's order, each on a whole A x B table, and a gather of
    (A + B) numbers per slot, not A * B.

    Backward reads the plain rules as :class:`_Group` does (d/dwi = xi, d/dxi = wi,
    d/db = 1.0), but a slot's contributions are first summed over the nodes that
    share its index: a column slot whose rule names a row slot gets
    ``partner_rows @ g`` (its contributions summed down each column: one matrix
    product for all such slots), a row slot naming a column slot ``partner_cols @ g.T``,
    a slot naming a slot of its own kind, or a number, the partner times ``g``'s
    column (row) sums. What is scattered into the gradients is (A + B) numbers per
    slot, not A * B.
    """

    __slots__ = ("a", "b", "rows", "cols", "row_index", "col_index", "args", "plan",
                 "scatter")

    def __init__(self, matrix: Any, b: int, columns: list[bool],
                 rules: list[tuple[int, float]], variable: list[bool]) -> None:
        slots, n = matrix.shape
        self.a, self.b = n // b, b
        col_slots = [s for s in range(slots) if columns[s]]
        row_slots = [s for s in range(slots) if not columns[s]]
        # per slot: (is it a column slot, its row in cols or in rows)
        where = [(True, col_slots.index(s)) if columns[s] else (False, row_slots.index(s))
                 for s in range(slots)]
        # a column slot's indices: the table's first row; a row slot's: its first column
        self.col_index = np.ascontiguousarray(matrix[col_slots, :b])
        self.row_index = np.ascontiguousarray(matrix[row_slots, ::b])
        self.cols = np.empty(self.col_index.shape, dtype=np.float64)
        self.rows = np.empty(self.row_index.shape, dtype=np.float64)
        # The formula's arguments, views of the two buffers made once, for a band of
        # rows at a time: each of the formula's temporaries (a product, a partial sum)
        # is then at most 256 KB and stays in cache (the second layer of a 64-wide MLP
        # on 1,000 points, in two bands: about 10% faster than in one).
        band = max(1, _BAND // b)
        self.args = [(slice(lo, lo + band),
                      [self.cols[k] if column else self.rows[k][lo:lo + band, None]
                       for column, k in where])
                     for lo in range(0, self.a, band)]
        # Backward plan, one entry per (the slot is a column slot, its rule names a
        # column slot / a row slot / None: a number): the partners' rows in cols or
        # rows (or the numbers), and the slots' indices, in the scatter's order.
        plan: dict[tuple[bool, bool | None], tuple[list[Any], list[Any]]] = {}
        for s, (partner, number) in enumerate(rules):
            if not variable[s]:
                continue
            column, k = where[s]
            kind = None if partner < 0 else where[partner][0]
            partners, targets = plan.setdefault((column, kind), ([], []))
            partners.append(number if partner < 0 else where[partner][1])
            targets.append(self.col_index[k] if column else self.row_index[k])
        self.plan: list[tuple[bool, bool | None, Any]] = [
            (column, kind, np.array(partners, dtype=np.float64 if kind is None else np.intp))
            for (column, kind), (partners, _) in plan.items()]
        targets = [t for _, ts in plan.values() for t in ts]
        self.scatter = _Scatter(np.concatenate(targets)) if targets else None

    def run(self, values: Any, out: slice, forward: Callable[..., Any]) -> None:
        np.take(values, self.col_index, out=self.cols)
        np.take(values, self.row_index, out=self.rows)
        table = values[out].reshape(self.a, self.b)
        for rows, args in self.args:
            table[rows] = forward(*args)

    def back(self, grads: Any, out: slice) -> None:
        if self.scatter is None:
            return
        g = grads[out].reshape(self.a, self.b)
        blocks = []
        for column, kind, partners in self.plan:
            if kind is None:  # numbers: d/db = 1.0 times the sums of g
                sums = g.sum(axis=0) if column else g.sum(axis=1)
                blocks.append(np.multiply.outer(partners, sums))
                continue
            partner = np.take(self.cols if kind else self.rows, partners, axis=0)
            if column and not kind:  # each column's contributions summed over the rows
                blocks.append(partner @ g)
            elif kind and not column:
                blocks.append(partner @ g.T)
            else:  # a slot and its partner both column (row) slots
                blocks.append(partner * (g.sum(axis=0) if column else g.sum(axis=1)))
        self.scatter.add(grads, np.concatenate([block.ravel() for block in blocks]))


class _Group:
    __slots__ = ("name", "level", "out", "size", "inputs", "forward", "local", "variable",
                 "scatters", "terms", "sum_scatter", "matrix", "gathered", "partners",
                 "constants", "matrix_scatter", "products", "low", "grid")

    def __init__(self, name: str, level: int, out: slice, inputs: Any,
                 forward: Callable[..., Any], local: tuple[Callable[..., Any], ...],
                 variable: list[bool], rules: list[tuple[int, float]] | None = None) -> None:
        self.name = name
        self.level = level
        self.out = out  # the group's nodes: one slice of the value and gradient arrays
        self.size = out.stop - out.start
        # inputs: (inputs x nodes), a row per input slot; a sum or an n-ary op reads
        # it as one matrix, any other op row by row
        self.inputs: list[Any] = []
        self.forward = forward
        self.local = local
        self.variable = variable  # per input slot: does any node get a gradient there?
        self.terms = None
        self.matrix: Any = None
        self.scatters: list[_Scatter | None] = []
        self.grid: _Grid | None = None
        shape = _grid_shape(inputs) if rules is not None else None
        if shape is not None and rules is not None:
            # A layer of weighted sums over a batch: read as a grid (see _Grid), the
            # index matrix is not kept.
            self.grid = _Grid(inputs, shape[0], shape[1], rules, variable)
        elif name.startswith("sum of "):
            # A sum of many terms: gathered as one (terms x nodes) matrix, added by
            # cumsum (sequential, left to right: eager mode's order), and every term
            # gets the node's gradient, all in one scatter.
            self.terms = inputs
            self.sum_scatter = _Scatter(self.terms.ravel())
        elif rules is not None:
            # An n-ary op (weighted_sum): the inputs gathered as one (inputs x nodes)
            # matrix, whose rows are the formula's arguments; backward multiplies the
            # gradients by the rows the table's rules name (d/dwi = xi: the row of xi)
            # or by the rules' numbers (d/db = 1.0), and adds all of it in one scatter.
            # Both matrices are allocated once: a fresh array this big each step costs
            # more in page faults than the arithmetic.
            self.matrix = inputs
            self.gathered: Any = np.empty(inputs.shape, dtype=np.float64)
            named = [j for j, (row, _) in enumerate(rules) if variable[j] and row >= 0]
            numbers = [j for j, (row, _) in enumerate(rules) if variable[j] and row < 0]
            self.partners = np.array([rules[j][0] for j in named], dtype=np.intp)
            self.constants = np.array([rules[j][1] for j in numbers],
                                      dtype=np.float64).reshape(len(numbers), 1)
            self.products = np.empty((len(named) + len(numbers), self.size), dtype=np.float64)
            self.matrix_scatter = None
            self.low = 0  # the matrix holds indices into values[low:]
            if named + numbers == list(range(len(inputs))):
                # Every input gets a gradient, in the matrix's own order (a layer whose
                # inputs all depend on the parameters): the matrix is the scatter's
                # column, shifted in place, and the gather reads it from values[low:]:
                # one index array per edge, not two.
                assert self.matrix.flags.c_contiguous  # so that ravel() is a view of it
                self.matrix_scatter = _Scatter(self.matrix.ravel(), in_place=True)
                self.low = self.matrix_scatter.low
            elif named or numbers:
                self.matrix_scatter = _Scatter(np.concatenate(
                    [self.matrix[named].ravel(), self.matrix[numbers].ravel()]))
        else:
            self.scatters = [_Scatter(column) if wanted else None
                             for column, wanted in zip(inputs, variable)]
            # an input row that is a run of consecutive nodes (a ReLU of a layer's
            # weighted sums reads their slice, in order) is read as a slice: a view,
            # not a gather of a copy
            self.inputs = [_as_slice(column) for column in inputs]

    def run(self, values: Any) -> None:
        """Forward: the group's nodes' values from their inputs' values."""
        if self.grid is not None:
            self.grid.run(values, self.out, self.forward)
        elif self.terms is not None:
            values[self.out] = np.cumsum(values[self.terms], axis=0)[-1]
        elif self.matrix is not None:
            np.take(values[self.low:], self.matrix, out=self.gathered)
            values[self.out] = self.forward(*self.gathered)  # one row per formula input
        else:
            values[self.out] = self.forward(*[values[column] for column in self.inputs])

    def back(self, values: Any, grads: Any) -> None:
        """Backward: each node's gradient times its local derivatives, added into its
        inputs' gradients."""
        if self.grid is not None:
            self.grid.back(grads, self.out)
            return
        g = grads[self.out]
        if self.terms is not None:
            self.sum_scatter.add(grads, np.tile(g, len(self.terms)))
        elif self.matrix is not None:
            if self.matrix_scatter is not None:
                products, named = self.products, len(self.partners)
                np.take(self.gathered, self.partners, axis=0, out=products[:named])
                np.multiply(products[:named], g, out=products[:named])
                np.multiply(self.constants, g, out=products[named:])
                self.matrix_scatter.add(grads, products.ravel())
        else:
            args = [values[column] for column in self.inputs]
            args.append(values[self.out])
            for rule, scatter in zip(self.local, self.scatters):
                if scatter is not None:
                    contributions = rule(*args) * g
                    if contributions.shape != g.shape:  # a constant rule, as '1.0'
                        contributions = np.broadcast_to(contributions, g.shape)
                    scatter.add(grads, contributions)


class _Found:
    """One group as found in the trace: its level, arity (or number of terms), op,
    its nodes (trace numbers, in order) and, for a sum, each node's terms."""

    __slots__ = ("level", "width", "op", "is_sum", "members", "terms")

    def __init__(self, level: int, width: int, op: Any, is_sum: bool) -> None:
        self.level, self.width, self.op, self.is_sum = level, width, op, is_sum
        self.members = array("i")
        self.terms = array("i")  # a sum's terms, a row of ``width`` per node


def _find_groups(trace: Trace) -> list[_Found]:
    """The trace's computed nodes grouped by (level, arity, op), groups by level: a
    group's inputs are all on lower levels, so it can run once they have."""
    first, inputs = trace.first, trace.inputs  # array.array: quick to index one by one
    arity = np.diff(np.frombuffer(first, dtype=np.int64))
    computed = (np.frombuffer(trace.variable, dtype=bool)
                & (np.frombuffer(trace.param, dtype=np.int32) < 0))  # params are read
    adds = _adds(trace, computed, arity)
    absorbed, is_sum = _absorbed_sums(trace, computed, adds, arity).tobytes(), adds.tobytes()
    # Ops of one name and parameters group together (a bound op such as '**2' may
    # be a new object in each node).
    kinds: dict[tuple[Any, ...], int] = {}
    kind = [kinds.setdefault((op.name, tuple((k, repr(v)) for k, v in op.params.items())),
                             len(kinds)) for op in trace.ops]
    groups: dict[tuple[Any, ...], _Found] = {}
    # A node's level: one more than its deepest input's. An absorbed partial sum
    # takes its deepest input's level, so a sum's level is one more than its
    # deepest term's.
    level = array("i", bytes(4 * trace.n))
    op = trace.op
    for i in np.flatnonzero(computed).tolist():
        f, g = first[i], first[i + 1]
        top = max(map(level.__getitem__, inputs[f:g]))
        if absorbed[i]:
            level[i] = top
            continue
        level[i] = top = top + 1
        terms = None
        if is_sum[i]:
            # (((t0 + t1) + t2) + t3): one node of a group of sums, with its terms as
            # inputs; the sums inside it are never stored.
            terms = _terms(i, absorbed, first, inputs)
            key: tuple[Any, ...] = (top, len(terms), "sum")
        else:
            key = (top, g - f, kind[op[i]])
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Found(top, key[1], trace.ops[op[i]], terms is not None)
        group.members.append(i)
        if terms is not None:
            group.terms.extend(terms)
    return sorted(groups.values(), key=lambda group: group.level)  # stable: by first node


class VectorisedReplay:
    """The replay function of the ``numpy`` backend for one traced graph: call it
    with the parameter list; it returns the loss and sets each ``.grad``."""

    def __init__(self, trace: Trace, n_params: int) -> None:
        n = trace.n
        self.n_params = n_params
        found = _find_groups(trace)
        # Renumber: the leaves and constants first, then each group's nodes side by
        # side, so that a group's outputs are one slice of the arrays (no gather).
        grouped = np.concatenate([np.frombuffer(group.members, dtype=np.int32)
                                  for group in found] or [np.empty(0, dtype=np.int32)])
        in_group = np.zeros(n, dtype=bool)
        in_group[grouped] = True
        start = n - len(grouped)
        renumbered = np.empty(n, dtype=np.intp)
        renumbered[~in_group] = np.arange(start)
        renumbered[grouped] = np.arange(start, n)
        del in_group, grouped
        self.values = np.empty(n, dtype=np.float64)
        self.values[renumbered] = np.frombuffer(trace.data, dtype=np.float64)
        param = np.frombuffer(trace.param, dtype=np.int32)
        is_param = param >= 0
        self.param_slots = renumbered[is_param]
        self.param_numbers = param[is_param].tolist()
        variable = np.frombuffer(trace.variable, dtype=bool)
        is_variable = np.empty(n, dtype=bool)  # variable, by the new numbers
        is_variable[renumbered] = variable
        inputs = np.frombuffer(trace.inputs, dtype=np.int32)
        first = np.frombuffer(trace.first, dtype=np.int64)
        self.groups: list[_Group] = []
        for group in found:
            out = np.frombuffer(group.members, dtype=np.int32)
            width, op = group.width, group.op
            # matrix: the group's inputs, by their new numbers, a row per input slot
            if group.is_sum:
                name = str(op) if width == 2 else f"sum of {width}"
                rows = np.frombuffer(group.terms, dtype=np.int32).reshape(len(out), width)
                matrix = np.ascontiguousarray(renumbered[rows.T])
            else:
                name = str(op)
                # row k: each node's k-th input, read from the trace one row at a time
                # (all the offsets at once would take as much memory as the matrix)
                starts = first[out]
                matrix = np.empty((width, len(out)), dtype=np.intp)
                for k in range(width):
                    np.take(renumbered, inputs[starts + k], out=matrix[k])
            rules = None
            if not group.is_sum and getattr(op, "nary", False):
                rules = _plain_rules(op, width)
            forward, local = (_sum_functions(width) if group.is_sum else
                              _functions(op, width, local_too=rules is None))
            self.groups.append(_Group(
                name, group.level, slice(start, start + len(out)), matrix, forward, local,
                [bool(is_variable[row].any()) for row in matrix], rules))
            start += len(out)
        self.root = int(renumbered[n - 1])
        self.root_variable = bool(variable[n - 1])
        self.n = n

    def describe(self) -> str:
        """One line per group: its level, op and size (the numpy backend's ``source``)."""
        return "\n".join(f"level {group.level}: {group.size} x {group.name!r}"
                         for group in self.groups)

    def __call__(self, P: list[Any]) -> float:
        values = self.values
        with np.errstate(all="ignore"):
            if len(self.param_slots):
                values[self.param_slots] = [P[j].data for j in self.param_numbers]
            for group in self.groups:
                group.run(values)
            loss = float(values[self.root])
            grads = np.zeros(self.n)
            if self.root_variable:
                grads[self.root] = 1.0
            for group in reversed(self.groups):
                group.back(values, grads)
        for p in P:
            p.grad = 0.0
        # one gather and tolist(), not a NumPy scalar per parameter (4,417 of them
        # in a 64-wide MLP: about a millisecond)
        for g, j in zip(grads[self.param_slots].tolist(), self.param_numbers):
            P[j].grad = g + 0.0
        return loss
