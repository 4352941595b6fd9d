"""Derivative formulas the way a person writes them: SymPy simplifies the text of a rule
or a route (``0.5 * 2 * pow(target_o1 - out_o1, 2 - 1.0) * -1.0`` becomes
``out_o1 - target_o1``) and prints it as LaTeX for slides and exam papers.

Node names stay whole: ``out_o1``, ``L1.N1.w1`` and ``tanh#2`` are each one symbol
(the dots are part of the name), so a simplified formula uses exactly the names the
pictures show. A formula SymPy cannot read (a custom op's rule, ``leaky_relu``'s
``if``) is returned as it was: these functions never raise on a formula.

>>> simplify_formula("0.5 * 2 * pow(target_o1 - out_o1, 2 - 1.0) * -1.0")
'out_o1 - target_o1'
>>> formula_latex("L1.N1.w1 * (1.0 - out * out)")
'\\\\mathit{L1.N1.w1} \\\\left(1 - out^{2}\\\\right)'
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from ..core.engine import Value
from ..core.graph import _names, number_text, snapshot
from ..core.ops import Op

if TYPE_CHECKING:  # pragma: no cover
    from .routes import Explanation, Route

__all__ = ["FormulaError", "to_sympy", "simplify_formula", "formula_latex", "local_rule",
           "route_formula", "route_latex", "explanation_latex", "explanation_text",
           "name_latex", "rules_product", "is_sum", "partial_latex", "derivative_latex",
           "route_formula_latex"]

# A number, or a name: letters, digits, underscores, with dots, '#' and primes inside
# (``L1.N1.w1``, ``tanh#2``, ``x'``). Numbers come first so ``2e-05`` stays a number.
_TOKEN = re.compile(r"(?P<number>\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
                    r"|(?P<name>[A-Za-z_]\w*(?:[.#']\w*)*)")
_SIMPLE_NAME = re.compile(r"[A-Za-z]+(?:\d+|_[A-Za-z0-9]+)?\Z")
_FUNCTIONS = ("pow", "div", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "step",
              "sign", "abs", "sin", "cos")


class FormulaError(ValueError):
    """A formula SymPy cannot read (the tools then print it as it was)."""


def _sympy_functions() -> dict[str, Any]:
    import sympy

    return {
        "pow": lambda a, b: a ** b,
        "div": lambda a, b: a / b,
        "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh,
        "sin": sympy.sin, "cos": sympy.cos, "abs": sympy.Abs, "sign": sympy.sign,
        # No SymPy counterpart a reader would recognise: keep them as named functions.
        "sigmoid": sympy.Function("sigmoid"), "relu": sympy.Function("relu"),
        "step": sympy.Function("step"),
    }


@lru_cache(maxsize=1024)
def to_sympy(text: str) -> Any:
    """``text`` (a rule or route in the op table's notation) as a SymPy expression;
    decimals become exact fractions, every name one symbol. Raises FormulaError.

    >>> to_sympy("b * pow(a, b - 1.0)")
    a**(b - 1)*b
    >>> to_sympy("L1.N1.w1 * 0.5").free_symbols
    {L1.N1.w1}
    """
    if not isinstance(text, str):
        raise TypeError(f"to_sympy: text must be a str, got {type(text).__name__}")
    import sympy
    from sympy.parsing.sympy_parser import parse_expr, rationalize, standard_transformations

    symbols: dict[str, Any] = {}
    local: dict[str, Any] = {}
    functions = _sympy_functions()

    def placeholder(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None or keyword.iskeyword(name):
            return match.group(0)
        following = match.string[match.end():].lstrip()[:1]
        if name in functions and following == "(":
            local[name] = functions[name]
            return name
        key = symbols.setdefault(name, f"_s{len(symbols)}_")
        local[key] = sympy.Symbol(name)
        return key

    code = _TOKEN.sub(placeholder, text)
    try:
        expression = parse_expr(code, local_dict=local,
                                transformations=standard_transformations + (rationalize,))
    except Exception as error:  # SymPy raises many kinds for text it cannot read
        raise FormulaError(f"cannot read {text!r} as a formula: {error}") from None
    if not isinstance(expression, sympy.Expr):
        raise FormulaError(f"{text!r} is not a formula")
    return expression


def _simplest(expression: Any) -> Any:
    """The shorter of SymPy's automatic form and ``simplify``'s: simplify may turn
    ``(1 - out)`` into ``-(out - 1)``, which is no simpler for a reader."""
    import sympy

    try:
        candidate = sympy.simplify(expression)
    except Exception:  # pragma: no cover - simplify is best effort
        return expression
    if sympy.count_ops(candidate) < sympy.count_ops(expression):
        return candidate
    return expression


@lru_cache(maxsize=1024)
def _simplified(text: str) -> Any:
    return _simplest(to_sympy(text))


def simplify_formula(text: str) -> str:
    """``text`` simplified, in the same notation (``*``, ``**``, names kept); the text
    unchanged if SymPy cannot read it.

    >>> simplify_formula("out_h1 * (1.0 - out_h1)"), simplify_formula("b + a")
    ('out_h1*(1 - out_h1)', 'a + b')
    >>> simplify_formula("1.0 if a > 0.0 else slope")  # not a formula SymPy reads
    '1.0 if a > 0.0 else slope'
    """
    if not isinstance(text, str):
        raise TypeError(f"simplify_formula: text must be a str, got {type(text).__name__}")
    try:
        return str(_simplified(text))
    except FormulaError:
        return text


def is_sum(text: str) -> bool:
    """True when the simplified ``text`` is a sum (it needs parentheses in a product).

    >>> is_sum("0.5 * 2 * (t - o)"), is_sum("out * (1.0 - out)"), is_sum("if")
    (True, False, False)
    """
    try:
        return bool(_simplified(text).is_Add)
    except FormulaError:
        return False


def name_latex(name: str) -> str:
    """A node name in LaTeX: ``w_{1}`` for ``w1``, ``out_{o1}`` for ``out_o1``; a name
    with dots or other signs upright as one word.

    >>> name_latex("w1"), name_latex("net_h1"), name_latex("L1.N2.b"), name_latex("tanh#2")
    ('w_{1}', 'net_{h1}', '\\\\mathit{L1.N2.b}', '\\\\mathit{tanh\\\\#2}')
    """
    import sympy

    if _SIMPLE_NAME.match(name):
        return str(sympy.latex(sympy.Symbol(name)))
    return r"\mathit{" + _latex_escape(name) + "}"


def _latex_escape(text: str) -> str:
    special = {"\\": r"\backslash{}", "#": r"\#", "_": r"\_", "$": r"\$", "%": r"\%",
               "&": r"\&", "{": r"\{", "}": r"\}", "^": r"\^{}", "~": r"\~{}"}
    return "".join(special.get(ch, ch) for ch in text)


def _latex(expression: Any) -> str:
    import sympy

    names = {symbol: name_latex(symbol.name) for symbol in expression.free_symbols}
    return str(sympy.latex(expression, symbol_names=names, mul_symbol=None))


def formula_latex(text: str) -> str:
    """``text`` simplified and written as LaTeX (math mode, without the ``$``); if
    SymPy cannot read it, the text itself in ``\\text{...}``.

    >>> formula_latex("div(1.0, b)"), formula_latex("out_o1 * (1.0 - out_o1)")
    ('\\\\frac{1}{b}', 'out_{o1} \\\\left(1 - out_{o1}\\\\right)')
    """
    if not isinstance(text, str):
        raise TypeError(f"formula_latex: text must be a str, got {type(text).__name__}")
    try:
        return _latex(_simplified(text))
    except FormulaError:
        return r"\text{" + _latex_escape(text) + "}"


# -- rules of one node, routes, explanations -----------------------------------------------


def local_rule(node: Value, slot: int, names: dict[Value, str] | None = None) -> str:
    """The op table's rule for d(node)/d(input ``slot``), written with the graph's
    names (read through ``op.input_names`` / ``op.local_rules``, so any arity works).
    A node whose op is not in the table gives its recorded number.

    >>> from autograd_tiny import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> local_rule(c, 0), local_rule(c.tanh(), 0)
    ('b', '1.0 - tanh(c) * tanh(c)')
    """
    if not isinstance(node, Value):
        raise TypeError(f"local_rule: node must be a Value, got {type(node).__name__}")
    parents = node._prev
    if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < len(parents):
        raise ValueError(f"local_rule: slot must be an input index 0..{len(parents) - 1}, "
                         f"got {slot!r}")
    op = node._op
    if not isinstance(op, Op):  # a hand-built node (custom op): only its number is known
        return number_text(node._local[slot])
    arity = len(parents)
    rules, inputs = op.shown_rules(arity), op.input_names(arity)
    if slot >= len(rules) or len(inputs) != arity:
        return number_text(node._local[slot])
    if names is None:
        names = snapshot(node).written  # constants as numbers, as a rule writes them
    words = {symbol: names.get(parent, number_text(parent.data))
             for symbol, parent in zip(inputs, parents)}
    words["out"] = names.get(node, number_text(node.data))

    def substitute(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in op.params:
            return number_text(op.params[word])
        if word not in words:
            return word
        text = words[word]
        return text if _is_atom(text) else f"({text})"

    return re.sub(r"\b[A-Za-z_]\w*\b", substitute, rules[slot])


def _is_atom(text: str) -> bool:
    """True for a name, a number or one call ``f(...)``: no parentheses needed."""
    if _TOKEN.fullmatch(text):
        return True
    call = re.match(r"[A-Za-z_]\w*\(", text)
    if not call or not text.endswith(")"):
        return False
    depth = 0
    for index, ch in enumerate(text[call.end() - 1:], call.end() - 1):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return index == len(text) - 1
    return False


def route_formula(route: "Route") -> str:
    """A route of :func:`~autograd_tiny.explain` as a formula: each factor's rule
    simplified, in the route's order (output end first), factors of 1 left out, as a
    lecturer writes the chain rule. :func:`rules_product` multiplies them out instead.

    >>> from autograd_tiny import Value, explain
    >>> o = Value(0.75, label="out_o1"); t = Value(0.01, label="target_o1")
    >>> E = 0.5 * (t - o) ** 2; E.label = "E_o1"
    >>> route_formula(explain(E, o).routes[0])
    'out_o1 - target_o1'
    >>> out = o.sigmoid(); out.label = "out"
    >>> route_formula(explain(out * o, o).routes[0])  # d(out*o)/dout * dout/do
    'out_o1 * out*(1 - out)'
    """
    parts = _route_parts(route)
    if parts is None:
        return simplify_formula(_route_text(route))
    texts = [f"({part})" if part.is_Add and len(parts) > 1 else str(part) for part in parts]
    return " * ".join(texts) or "1"


def _route_parts(route: "Route") -> list[Any] | None:
    """The route's factors as simplified expressions, in order, with the plain-number
    factors (a constant 1/2, a -1 from a subtraction) multiplied into the first
    factor that is a formula: ``1/2 * 2*(t - o) * -1`` reads ``o - t``. None if a
    rule cannot be read."""
    import sympy

    try:
        expressions = [_simplified(factor.rule) for factor in route.factors]
    except FormulaError:
        return None
    constant = sympy.Integer(1)
    formulas = []
    for expression in expressions:
        if expression.is_number:
            constant *= expression
        else:
            formulas.append(expression)
    if not formulas:
        return [constant] if constant != 1 else []
    formulas[0] = _simplest(constant * formulas[0])
    return formulas


def _route_text(route: "Route") -> str:
    return " * ".join(f"({factor.rule})" for factor in route.factors) or "1"


def route_latex(route: "Route", names: dict[Value, str]) -> str:
    """A route as LaTeX: its chain of partial derivatives.

    >>> from autograd_tiny import Value, explain
    >>> a = Value(2.0, label="a"); y = a.tanh(); y.label = "y"
    >>> route_latex(explain(y, a).routes[0], {a: "a", y: "y"})
    '\\\\frac{\\\\partial y}{\\\\partial a}'
    """
    parts = []
    for factor in route.factors:
        part = partial_latex(names.get(factor.top, "?"), names.get(factor.bottom, "?"))
        # x * x: each use of x is its own route; say which input, as the text does.
        note = re.search(r" \(as (\w+)\)$", factor.name)
        parts.append(part + (rf"\Big|_{{\text{{as }}{note.group(1)}}}" if note else ""))
    return r" \cdot ".join(parts) or "1"


def partial_latex(top: str, bottom: str) -> str:
    r"""A LOCAL derivative of the node named ``top`` with respect to ``bottom`` (one
    op's, or one route's stretch) as a LaTeX fraction of partials, as the text writes
    ``∂E_total/∂w5``; a name is set as :func:`name_latex` sets it, an unlabelled
    node's expression in parentheses. A gradient is :func:`derivative_latex`.

    >>> print(partial_latex("E_total", "w5"))
    \frac{\partial E_{total}}{\partial w_{5}}
    >>> print(partial_latex("L", "a*b"))
    \frac{\partial L}{\partial \left(a b\right)}
    """
    return _fraction_latex(top, bottom, r"\partial ")


def derivative_latex(top: str, bottom: str) -> str:
    r"""The GRADIENT of the node named ``top`` with respect to ``bottom`` (summed over
    every route) as a LaTeX fraction with d, as the text writes ``dE_total/dw5``; a
    local derivative is :func:`partial_latex`.

    >>> print(derivative_latex("E_total", "w5"))
    \frac{d E_{total}}{d w_{5}}
    """
    return _fraction_latex(top, bottom, "d ")


def _fraction_latex(top: str, bottom: str, symbol: str) -> str:
    return rf"\frac{{{symbol}{_node_latex(top)}}}{{{symbol}{_node_latex(bottom)}}}"


def _node_latex(name: str) -> str:
    """A node name, or an unlabelled node's expression, as LaTeX."""
    if _TOKEN.fullmatch(name):
        return name_latex(name)
    try:
        return r"\left(" + _latex(to_sympy(name)) + r"\right)"
    except FormulaError:
        return r"\text{" + _latex_escape(name) + "}"


def explanation_latex(explanation: "Explanation") -> str:
    """An explanation as an ``align*`` environment to paste into slides: the gradient
    (with d) as the sum of its routes (chains of local derivatives, with ∂), each
    route's simplified formula, the numbers, and the total.

    >>> from autograd_tiny import Value, explain
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> L = c + a; L.label = "L"
    >>> print(explanation_latex(explain(L, a)))
    \\begin{align*}
    \\frac{d L}{d a} &= \\frac{\\partial L}{\\partial c} \\cdot \\frac{\\partial c}{\\partial a} + \\frac{\\partial L}{\\partial a} \\\\
      &= b + 1 \\\\
      &= 1 \\cdot (-3) + 1 \\\\
      &= -2
    \\end{align*}
    """
    from .routes import Explanation

    if not isinstance(explanation, Explanation):
        raise TypeError(f"explanation_latex: expected an Explanation, got "
                        f"{type(explanation).__name__}")
    names = {node: text for node, (text, _) in _names(_order(explanation.root)).items()}
    left = derivative_latex(explanation.root_name, explanation.wrt_name)
    total = number_latex(explanation.total)
    if explanation.route_count == 0:
        body = [rf"{left} &= 0"]
    elif not explanation.listed:
        count = explanation.route_count
        body = [rf"{left} &= {total} \quad\text{{(sum over "
                rf"{count:,} route{'s' if count != 1 else ''})}}"]
    else:
        routes = explanation.routes
        chains = " + ".join(route_latex(route, names) for route in routes)
        formulas = " + ".join(_in_sum(route, len(routes)) for route in routes)
        products = " + ".join(_values_latex(route) for route in routes)
        products = products.replace("+ -", "- ")
        body = [rf"{left} &= {chains}", rf"  &= {formulas.replace('+ -', '- ')}",
                rf"  &= {products}"]
        if products != total:
            body.append(f"  &= {total}")
        if body[1].strip() == body[2].strip():
            body.pop(1)  # the formulas are already plain numbers
    return "\\begin{align*}\n" + " \\\\\n".join(body) + "\n\\end{align*}"


def _values_latex(route: "Route") -> str:
    """A route's factor values multiplied (``0.74 \\cdot 0.19``), or its one value."""
    values = [number_latex(factor.value) for factor in route.factors] or ["1"]
    if len(values) == 1:
        return values[0]
    return r" \cdot ".join(f"({v})" if v.startswith("-") else v for v in values)


def route_formula_latex(route: "Route") -> str:
    r"""The route's formula (see :func:`route_formula`) as LaTeX, factors in order.

    >>> from autograd_tiny import Value, explain
    >>> o = Value(0.75, label="out_o1"); t = Value(0.01, label="target_o1")
    >>> E = 0.5 * (t - o) ** 2; E.label = "E_o1"
    >>> print(route_formula_latex(explain(E, o).routes[0]))
    out_{o1} - target_{o1}
    """
    parts = _route_parts(route)
    if parts is None:
        return r"\text{" + _latex_escape(route.values) + "}"
    latex = [f"\\left({_latex(p)}\\right)" if p.is_Add and len(parts) > 1 else _latex(p)
             for p in parts]
    return " \\cdot ".join(latex) or "1"


def _in_sum(route: "Route", count: int) -> str:
    """A route's LaTeX formula as a term of a sum (in parentheses if it is a sum)."""
    latex = route_formula_latex(route)
    parts = _route_parts(route)
    if count > 1 and parts is not None and len(parts) == 1 and parts[0].is_Add:
        return f"\\left({latex}\\right)"
    return latex


def number_latex(x: float) -> str:
    r"""A number as LaTeX: ``number_text``'s digits, a power of ten as ``\cdot 10^{n}``.

    >>> number_latex(0.5), number_latex(-3.5e-07) == "-3.5 \\cdot 10^{-7}"
    ('0.5', True)
    """
    text = number_text(x)
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text


def explanation_text(explanation: "Explanation") -> str:
    """An explanation as plain text with every formula simplified: each route's chain,
    its formula and its product, then the total.

    >>> from autograd_tiny import Value, explain
    >>> o = Value(0.75, label="out_o1"); t = Value(0.01, label="target_o1")
    >>> d = t - o; d.label = "d"
    >>> E = 0.5 * d ** 2; E.label = "E_o1"
    >>> print(explanation_text(explain(E, o)))
    dE_o1/dout_o1: 1 route leads from E_o1 back to out_o1
      ∂E_o1/∂(d**2) * ∂(d**2)/∂d * ∂d/∂out_o1 = -d = 0.74
    """
    from .routes import Explanation

    if not isinstance(explanation, Explanation):
        raise TypeError(f"explanation_text: expected an Explanation, got "
                        f"{type(explanation).__name__}")
    if not explanation.listed or explanation.route_count == 0:
        return explanation.text()  # with ∂, whatever stdout is
    lines = [explanation.title]
    many = explanation.route_count > 1
    for number, route in enumerate(explanation.routes, 1):
        prefix = f"route {number}: " if many else ""
        lines.append(f"  {prefix}{route.chain} = {route_formula(route)} = "
                     f"{number_text(route.product)}")
    if many:
        lines.append(f"total: {explanation.gradient_name} = {explanation.sum_text} = "
                     f"{number_text(explanation.total)}")
    return "\n".join(lines)


def _order(root: Value) -> list[Value]:
    return snapshot(root).order


def rules_product(rules: Iterable[str]) -> str:
    """Several rules multiplied and simplified (a derivative through several edges).

    >>> rules_product(["1.0 - out * out", "x1"])
    'x1*(1 - out**2)'
    """
    return simplify_formula(" * ".join(f"({rule})" for rule in rules) or "1")

