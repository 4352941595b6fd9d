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

from typing import Any


class Op(str):
    """One primitive: the string micrograd keeps in ``Value._op`` ('*', 'tanh', '**2')
    that also carries the op's formulas.

    Being a ``str`` keeps lecture code that prints or concatenates ``node._op``
    working, and costs a node no extra memory to know its own derivative rule.

    >>> op = TABLE["pow"].bind(k=2)
    >>> op, op == "**2", op.params
    ('**2', True, {'k': 2.0})
    """

    name: str
    inputs: tuple[str, ...]
    forward: str
    local: tuple[str, ...]
    params: dict[str, float]
    method: str

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
        if len(op.local) != len(op.inputs):
            raise ValueError(f"op {name}: one local derivative per input is needed")
        if not 1 <= len(op.inputs) <= 2:
            raise ValueError(f"op {name}: a node holds one or two inputs (engine.Value)")
        return op

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

        >>> TABLE["mul"].input_names(2)
        ('a', 'b')
        """
        return self.inputs

    def local_rules(self, arity: int) -> tuple[str, ...]:
        """d(out)/d(input) for each input of a node with ``arity`` inputs, as text.

        >>> TABLE["mul"].local_rules(2)
        ('b', 'a')
        """
        return self.local

    def describe(self) -> str:
        """The rule as text, for tables and graph edges.

        >>> TABLE["sigmoid"].describe()
        'sigmoid(a): d/da = out * (1.0 - out)'
        """
        rules = ", ".join(f"d/d{x} = {rule}" for x, rule in zip(self.inputs, self.local))
        return f"{self.forward}: {rules}"

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own pickling would drop the formulas; rebuild the full op instead.
        return (Op, (str(self), self.name, " ".join(self.inputs), self.forward,
                     self.local, self.params, self.method))


def _short_number(x: float) -> str:
    """'2' for 2.0, '0.5' for 0.5: how micrograd prints an exponent in ``'**2'``."""
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


# symbol, name, inputs, forward, (d out/d input, ...); extras: params, method name.
# Formulas call the functions of ``floatmath`` (IEEE: inf/nan, never an exception).
# ``step(a)`` and ``sign(a)`` return plain floats even for Value inputs: their own
# derivative is zero, so they need no graph.
OPS: tuple[Op, ...] = (
    Op("+", "add", "a b", "a + b", ("1.0", "1.0")),
    Op("-", "sub", "a b", "a - b", ("1.0", "-1.0")),
    Op("*", "mul", "a b", "a * b", ("b", "a")),
    Op("/", "truediv", "a b", "div(a, b)", ("div(1.0, b)", "-div(out, b)")),
    Op("**", "vpow", "a b", "pow(a, b)", ("b * pow(a, b - 1.0)", "out * log(a)")),
    Op("**", "pow", "a", "pow(a, k)", ("k * pow(a, k - 1.0)",), {"k": 1.0}),
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
)

TABLE: dict[str, Op] = {op.name: op for op in OPS}
