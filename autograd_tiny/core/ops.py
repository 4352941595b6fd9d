"""The primitive table: every op's forward formula and local derivatives, side by side.

This table is the only place a derivative is written down (like PyTorch's
``derivatives.yaml``). Each formula is a short expression in the op's input names
(``a``, ``b``), its output ``out`` and its parameters (``k``, ``slope``):

- ``forward`` runs on floats when the op runs and gives the node's ``data``;
- ``local[i]`` is d(out)/d(input i). It runs on floats when the op runs (the number
  the engine records on the edge), and on ``Value`` nodes when ``grad(...,
  create_graph=True)`` asks for a differentiable gradient, which is why each rule is
  plain arithmetic plus functions that exist for both floats and ``Value``s;
- the text itself is what the teaching tools print ("d out/d a = 1 - out*out").

The engine turns each row into a ``Value`` method (see ``engine.py``), and the
compiled path into straight-line float code: one row, every use.

>>> TABLE["tanh"].local
('1.0 - out * out',)
>>> TABLE["mul"].describe()
'a * b: d/da = b, d/db = a'
"""

from __future__ import annotations

import ast
import math
import operator
import re
from typing import Any

# A group of inputs that repeats in an n-ary op: 'w{i}' stands for w1, w2, ..., wn.
_GROUP = "{i}"
# An n-ary op's forward formula: ``HEAD + sum_i(TERM)``, e.g. ``b + sum_i(w{i} * x{i})``.
_SUM_FORM = re.compile(r"(.+) \+ sum_i\((.+)\)")


class Op(str):
    """One primitive: the string micrograd keeps in ``Value._op`` ('*', 'tanh', '**2')
    that also carries the op's formulas.

    Being a ``str`` keeps lecture code that prints or concatenates ``node._op``
    working, and costs a node no extra memory to know its own derivative rule.

    >>> op = TABLE["pow"].bind(k=2)
    >>> op, op == "**2", op.params
    ('**2', True, {'k': 2.0})

    An op of variable arity (``weighted_sum``) names its repeated inputs with ``{i}``
    (``w{i}`` is w1, ..., wn) and writes its forward formula as ``HEAD + sum_i(TERM)``;
    :meth:`input_names`, :meth:`local_rules` and :meth:`forward_text` spell them out
    for a node's actual number of inputs. The sum is written out without brackets, so
    its additions run left to right, as micrograd's ``sum(..., b)`` does them.

    >>> TABLE["weighted_sum"].forward_text(5)
    'b + w1 * x1 + w2 * x2'
    """

    name: str
    inputs: tuple[str, ...]
    forward: str
    local: tuple[str, ...]
    params: dict[str, float]
    method: str
    nary: bool  # inputs vary in number (``weighted_sum``)

    def __new__(
        cls,
        symbol: str,
        name: str,
        inputs: str,
        forward: str,
        local: tuple[str, ...],
        params: dict[str, float] | None = None,
        method: str | None = None,
    ) -> "Op":
        op = super().__new__(cls, symbol)
        op.name = name
        op.inputs = tuple(inputs.split())
        op.forward = forward
        op.local = local
        op.params = dict(params or {})
        op.method = method or name
        op.nary = any(_GROUP in x for x in op.inputs)
        if len(op.local) != len(op.inputs):
            raise ValueError(f"op {name}: one local derivative per input is needed")
        if op.nary:
            if not _SUM_FORM.fullmatch(forward):
                raise ValueError(f"op {name}: an n-ary forward formula is 'HEAD + sum_i(TERM)'")
        elif not 1 <= len(op.inputs) <= 2:
            raise ValueError(f"op {name}: a fixed-arity op takes one or two inputs")
        return op

    def accepts(self, arity: int) -> bool:
        """Whether a node of this op can have ``arity`` inputs.

        >>> TABLE["mul"].accepts(2), TABLE["weighted_sum"].accepts(5), TABLE["weighted_sum"].accepts(4)
        (True, True, False)
        """
        if not self.nary:
            return arity == len(self.inputs)
        return self._repeats(arity) is not None

    def _repeats(self, arity: int) -> int | None:
        """n for an n-ary node with ``arity`` inputs (None if no n fits; n >= 1)."""
        groups = sum(_GROUP in x for x in self.inputs)
        fixed = len(self.inputs) - groups
        n, rest = divmod(arity - fixed, groups)
        return n if n >= 1 and not rest else None

    def _expand(self, entries: tuple[str, ...], arity: int) -> tuple[str, ...]:
        """One text per input: each ``{i}`` entry repeated for i = 1..n."""
        if not self.nary:
            return entries
        n = self._repeats(arity)
        if n is None:
            raise ValueError(f"op {self.name}: no node has {arity} inputs")
        expanded: list[str] = []
        for x, entry in zip(self.inputs, entries):
            if _GROUP in x:
                expanded += [entry.replace(_GROUP, str(i)) for i in range(1, n + 1)]
            else:
                expanded.append(entry)
        return tuple(expanded)

    def bind(self, **params: float) -> "Op":
        """The same op with its parameters set, e.g. ``pow`` with ``k=2`` is ``'**2'``.

        >>> TABLE["leaky_relu"].bind(slope=0.1).params
        {'slope': 0.1}
        """
        values = {name: float(value) for name, value in params.items()}
        symbol = str(self)
        if self.name == "pow":
            symbol = "**" + _short_number(values["k"])
        return Op(symbol, self.name, " ".join(self.inputs), self.forward, self.local,
                  values, self.method)

    def input_names(self, arity: int) -> tuple[str, ...]:
        """The names of a node's inputs in the op's formulas, for a node with
        ``arity`` inputs. Tools read every op through this and :meth:`local_rules`,
        so an op whose arity varies is drawn and explained like any other.

        >>> TABLE["mul"].input_names(2), TABLE["weighted_sum"].input_names(5)
        (('a', 'b'), ('w1', 'w2', 'x1', 'x2', 'b'))
        """
        return self._expand(self.inputs, arity)

    def local_rules(self, arity: int) -> tuple[str, ...]:
        """d(out)/d(input) for each input of a node with ``arity`` inputs, as text.

        >>> TABLE["mul"].local_rules(2), TABLE["weighted_sum"].local_rules(5)
        (('b', 'a'), ('x1', 'x2', 'w1', 'w2', '1.0'))
        """
        return self._expand(self.local, arity)

    def shown_rules(self, arity: int) -> tuple[str, ...]:
        """:meth:`local_rules` as a reader should see them for this op's parameters:
        a condition on the parameters alone is decided. ``x ** 2``'s rule is written
        ``0.0 if k == 0.0 else k * pow(a, k - 1.0)`` so that k = 0 never computes
        0 * inf; with k = 2 bound, it reads ``k * pow(a, k - 1.0)``. Conditions on
        the data (leaky_relu's ``a > 0.0``) stay: they are part of the rule.

        >>> TABLE["pow"].bind(k=2).shown_rules(1), TABLE["pow"].bind(k=0).shown_rules(1)
        (('k * pow(a, k - 1.0)',), ('0.0',))
        >>> TABLE["leaky_relu"].bind(slope=0.1).shown_rules(1)
        ('1.0 if a > 0.0 else slope',)
        """
        return tuple(_decide_parameter_conditions(rule, self.params)
                     for rule in self.local_rules(arity))

    def forward_text(self, arity: int) -> str:
        """The forward formula for a node with ``arity`` inputs, in the names of
        :meth:`input_names` (``'a * b'``; ``'b + w1 * x1 + w2 * x2'``).

        >>> TABLE["tanh"].forward_text(1)
        'tanh(a)'
        """
        if not self.nary:
            return self.forward
        n = self._repeats(arity)
        if n is None:
            raise ValueError(f"op {self.name}: no node has {arity} inputs")
        head, term = _SUM_FORM.fullmatch(self.forward).groups()  # type: ignore[union-attr]
        return " + ".join([head] + [term.replace(_GROUP, str(i)) for i in range(1, n + 1)])

    def describe(self) -> str:
        """The rule as text, for tables and graph edges.

        >>> TABLE["sigmoid"].describe()
        'sigmoid(a): d/da = out * (1.0 - out)'
        """
        rules = ", ".join(f"d/d{x} = {rule}" for x, rule in zip(self.inputs, self.local))
        return f"{self.forward}: {rules}".replace(_GROUP, "i")

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own pickling would drop the formulas; rebuild the full op instead.
        return (Op, (str(self), self.name, " ".join(self.inputs), self.forward,
                     self.local, self.params, self.method))


def _short_number(x: float) -> str:
    """'2' for 2.0, '0.5' for 0.5: how micrograd prints an exponent in ``'**2'``."""
    return str(int(x)) if math.isfinite(x) and x == int(x) and abs(x) < 1e15 else repr(x)


# symbol, name, inputs, forward, (d out/d input, ...); extras: params, method name.
# Formulas call the functions of ``floatmath`` (IEEE: inf/nan, never an exception).
# ``step(a)``, ``sign(a)`` and ``iszero(a)`` return plain floats (bools) even for Value
# inputs: their own derivative is zero, so they need no graph.
# Powers at 0 follow PyTorch: d(a**k)/da is 0 when k == 0 (not 0 * 0**-1 = nan), so
# every derivative of x**k at 0 is finite. For a Value exponent, d(a**b)/da is 0 at
# a == b == 0 (a**0 is constant; masked there only, so d/da stays differentiable in b)
# and d(a**b)/db is 0 where a == 0 and b >= 0 (0**b is constant; not 0 * log(0) = nan).
OPS: tuple[Op, ...] = (
    Op("+", "add", "a b", "a + b", ("1.0", "1.0")),
    Op("-", "sub", "a b", "a - b", ("1.0", "-1.0")),
    Op("*", "mul", "a b", "a * b", ("b", "a")),
    Op("/", "truediv", "a b", "div(a, b)", ("div(1.0, b)", "-div(out, b)")),
    Op("**", "vpow", "a b", "pow(a, b)", ("0.0 if iszero(a) and iszero(b) else b * pow(a, b - 1.0)",
                                          "0.0 if iszero(a) and b >= 0.0 else out * log(a)")),
    Op("**", "pow", "a", "pow(a, k)", ("0.0 if k == 0.0 else k * pow(a, k - 1.0)",), {"k": 1.0}),
    Op("neg", "neg", "a", "-a", ("-1.0",)),
    Op("abs", "abs", "a", "abs(a)", ("sign(a)",)),
    Op("exp", "exp", "a", "exp(a)", ("out",)),
    Op("log", "log", "a", "log(a)", ("div(1.0, a)",)),
    Op("sqrt", "sqrt", "a", "sqrt(a)", ("div(0.5, out)",)),
    Op("tanh", "tanh", "a", "tanh(a)", ("1.0 - out * out",)),
    Op("sigmoid", "sigmoid", "a", "sigmoid(a)", ("out * (1.0 - out)",)),
    Op("ReLU", "relu", "a", "relu(a)", ("step(a)",)),
    Op("leaky_relu", "leaky_relu", "a", "a if a > 0.0 else slope * a",
       ("1.0 if a > 0.0 else slope",), {"slope": 0.01}),
    Op("sin", "sin", "a", "sin(a)", ("cos(a)",)),
    Op("cos", "cos", "a", "cos(a)", ("-sin(a)",)),
    # A neuron's net input as one node (Mazur's dnet/dw = x): inputs w1..wn, x1..xn, b.
    Op("wsum", "weighted_sum", "w{i} x{i} b", "b + sum_i(w{i} * x{i})",
       ("x{i}", "w{i}", "1.0")),
)

TABLE: dict[str, Op] = {op.name: op for op in OPS}


_COMPARISONS: dict[type, Any] = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
                                 ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}


def _decide_parameter_conditions(rule: str, params: dict[str, float]) -> str:
    """``rule`` with each ``x if test else y`` whose test compares parameters and
    numbers only replaced by the branch the parameters take (see ``Op.shown_rules``)."""
    if " if " not in rule or not params:
        return rule

    def number(node: ast.expr) -> float | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in params:
            return params[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = number(node.operand)
            return None if inner is None else -inner
        return None

    class Decide(ast.NodeTransformer):
        def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
            self.generic_visit(node)
            test = node.test
            if (isinstance(test, ast.Compare) and len(test.ops) == 1
                    and type(test.ops[0]) in _COMPARISONS):
                left, right = number(test.left), number(test.comparators[0])
                if left is not None and right is not None:
                    taken = _COMPARISONS[type(test.ops[0])](left, right)
                    return node.body if taken else node.orelse
            return node

    tree = Decide().visit(ast.parse(rule, mode="eval"))
    return ast.unparse(tree)
