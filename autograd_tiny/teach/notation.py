"""How the teaching tools name nodes and write derivatives: numbers as Mazur's example prints
them, a readable name per node (its label, or the expression that made it), a node's
``formula``, Leibniz notation (``dE_total/dw5``), and the op table's rules written with
the graph's names.

Two kinds of derivative, two symbols, everywhere the teaching tools write one:

- a LOCAL derivative, along ONE route: one op's with its other inputs held fixed
  (the number on an edge of the graph), or the product over a stretch of a route
  between two named nodes (``explain``'s grouped factors, Mazur's ∂E_total/∂out_o1),
  is written with ∂ (:func:`local_derivative_text`: ``∂e/∂a``);
- a GRADIENT of the output, summed over EVERY route (what ``backward()`` leaves in
  ``.grad``), is written with d (:func:`derivative_text`: ``dL/da``),

so the chain rule reads dL/da = dL/de * ∂e/∂a, and a route's product of ∂ factors is
one term of a d. Text for a console that cannot print ∂
falls back to d (``ascii=True``, or :func:`printable` for text already written).

:mod:`~autograd_tiny.routes` (``explain``), :mod:`~autograd_tiny.stepping`
(``backward_steps``), the slides, the walkthrough and the quiz print everything
through these helpers, so every tool names the same node and the same derivative the
same way.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import math
import numbers
import re
import sys
from typing import Any, Callable, Iterator

from ..core.engine import Value, reverse_topological_order
from ..core.graph import (  # re-exported: the teaching tools' names are the snapshot's
    _ATOM, _expression, _names, _paren, label_text, number_text,
)
from ..core.ops import Op

_FORMULA_LENGTH = 96  # formula() allows longer sub-expressions than a name
_PLAIN_NAME = re.compile(r"(?:[A-Za-z_][\w.#']*|\d[\d.]*)\Z")
_FORMULA_WORD = re.compile(r"\b[A-Za-z_]\w*\b")


def formula(node: Value, numbers: bool = False) -> str:
    """How ``node`` was computed, written with the names of the nodes it was made
    from (labels where they exist), or with ``numbers`` their values; a leaf's
    formula is its value.

    >>> from autograd_tiny import Value
    >>> w, x, b = Value(0.15, label="w1"), Value(0.05, label="i1"), Value(0.35, label="b1")
    >>> net = w * x + b; net.label = "net_h1"
    >>> formula(net), formula(net, numbers=True), formula(net.sigmoid()), formula(w)
    ('w1*i1 + b1', '0.15*0.05 + 0.35', 'sigmoid(net_h1)', '0.15')
    """
    _check_value(node, "formula", "node")
    if not node._prev:
        return number_text(node.data)
    # Only the nodes this one is made of, down to labelled ones: a formula stops there.
    order = [node]
    seen = {node}
    for current in order:
        if current is node or not label_text(current):
            for parent in current._prev:
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
    order = [n for n in reverse_topological_order(node) if n in seen]
    names = _names(order, numbers=numbers, length=_FORMULA_LENGTH)
    return _expression(node, names)[0]


def _d(name: str, symbol: str = "d") -> str:
    """``dx`` for a plain name, ``d(w*x + b)`` for an expression (or with ``∂``)."""
    return symbol + name if _PLAIN_NAME.match(name) else f"{symbol}({name})"


def _grad_of(name: str) -> str:
    """``a.grad``, or ``(w*x + b).grad`` for a name that is an expression (as ``d``
    and ``∂`` put one in parentheses: ``w*x + b.grad`` reads as ``b.grad`` added)."""
    return f"{name}.grad" if _PLAIN_NAME.match(name) else f"({name}).grad"


def derivative_text(top: str, bottom: str) -> str:
    """Leibniz notation for d(top)/d(bottom), with parentheses only where needed.

    >>> derivative_text("E_total", "w5"), derivative_text("y", "w*x + b")
    ('dE_total/dw5', 'dy/d(w*x + b)')
    """
    return f"{_d(top)}/{_d(bottom)}"


PARTIAL = "\u2202"  # ∂


def local_derivative_text(top: str, bottom: str, ascii: bool = False) -> str:
    """A local derivative, ∂(top)/∂(bottom): one op's, its other inputs held fixed, as
    opposed to a gradient (:func:`derivative_text`, with d). ``ascii=True`` writes d
    instead, for a console that cannot print ∂. An empty ``top`` writes the operator
    alone, as an op's rule is written (``∂/∂b = a``).

    >>> local_derivative_text("e", "a"), local_derivative_text("a/d", "d")
    ('∂e/∂a', '∂(a/d)/∂d')
    >>> local_derivative_text("e", "a", ascii=True), local_derivative_text("", "b")
    ('de/da', '∂/∂b')
    """
    symbol = "d" if ascii else PARTIAL
    return f"{_d(top, symbol) if top else symbol}/{_d(bottom, symbol)}"


def printable(console: Any) -> Callable[[str], str]:
    """A function that returns text as it is, or with ∂ written d where ``console``
    (anything with an ``encoding``: a ``rich`` console, a file) cannot encode ∂ (a
    Windows pipe in cp1252, a C locale): teaching text must not stop at a character.
    A few other characters such a console may lack get a plain stand-in (… as ...,
    δ as delta, · as -), and any other becomes ``?``.

    >>> import io
    >>> from rich.console import Console
    >>> class Ascii(io.StringIO):
    ...     encoding = "ascii"
    >>> printable(Console(file=Ascii()))("∂L/∂b … Step 2 · done"), printable(Console())("∂L/∂b")
    ('dL/db ... Step 2 - done', '∂L/∂b')
    """
    if can_print_partial(console):
        return _unchanged
    return functools.partial(_encodable, _encoding(console))


def for_stdout(text: str) -> str:
    """``text`` as ``print()`` can write it to ``sys.stdout`` now: unchanged on a
    UTF-8 console, with ∂ written d (and other missing characters ``?``) where stdout
    cannot encode them. What ``str()`` of a step or an explanation returns, so that
    ``print(explain(...))`` works on a cp1252 or C-locale console; the objects'
    ``text()`` keeps ∂ for files.

    >>> for_stdout("dL/da") == "dL/da"
    True
    """
    return printable(sys.stdout)(text)


def can_print_partial(console: Any) -> bool:
    """True when ``console`` (or file) can encode ∂."""
    try:
        PARTIAL.encode(_encoding(console))
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _encoding(console: Any) -> str:
    encoding = getattr(console, "encoding", None) or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        return "ascii"  # an encoding Python does not know: the characters every one has
    return encoding


# What a console without these characters reads instead (an ASCII or C-locale
# terminal): a stand-in keeps the meaning, where a "?" would lose it.
_STAND_INS = {"·": "-", "…": "...", "δ": "delta", "≥": ">=", "≤": "<=", "←": "<-",
              "→": "->", "×": "x", "−": "-", "²": "^2", "≈": "~"}


def _encodable(encoding: str, text: str) -> str:
    """``text`` with ∂ written d, a plain stand-in for a few other characters
    ``encoding`` lacks (``…`` as ``...``, ``δ`` as ``delta``), ``?`` for the rest.

    >>> _encodable("ascii", "δ = dE/dnet … Step 3 · done, ∂L/∂b ≥ 0 ✓")
    'delta = dE/dnet ... Step 3 - done, dL/db >= 0 ?'
    """
    text = _ascii_partial(text)
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    shown = []
    for character in text:
        try:
            character.encode(encoding)
            shown.append(character)
        except UnicodeEncodeError:
            stand_in = _STAND_INS.get(character, "?")
            shown.append(stand_in if _encodes(stand_in, encoding) else "?")
    return "".join(shown)


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@contextlib.contextmanager
def partials_or_d(console: Any) -> Iterator[None]:
    r"""Within it, what a ``rich`` console prints keeps its ∂, or, where the console
    cannot encode ∂, is printed with d instead (captured, then written).

    >>> import io
    >>> from rich.console import Console
    >>> class Latin1(io.StringIO):
    ...     encoding = "latin-1"
    >>> console = Console(file=Latin1())
    >>> with partials_or_d(console):
    ...     console.print("∂e/∂a = b")
    >>> console.file.getvalue()
    'de/da = b\n'
    """
    if can_print_partial(console):
        yield
        return
    with console.capture() as captured:
        yield
    console.file.write(printable(console)(captured.get()))


def _unchanged(text: str) -> str:
    return text


def _ascii_partial(text: str) -> str:
    return text.replace(PARTIAL, "d")


def _rule(node: Value, slot: int, names: dict[Value, tuple[str, int]]) -> str:
    """The op table's rule for d(node)/d(input ``slot``), written with the graph's
    names: sigmoid's ``out * (1.0 - out)`` becomes ``out_o1 * (1.0 - out_o1)``.
    Rules are read through ``op.input_names(n)`` / ``op.local_rules(n)`` (contract A),
    so an op of any arity works; a node whose op is not in the table (a hand-built
    node with its own ``_backward``) has no rule: its number is shown instead."""
    op = node._op
    parents = node._prev
    if not isinstance(op, Op):
        return number_text(_locals(node)[slot])
    inputs, rules = _rule_text(op, len(parents))
    if slot >= len(rules) or len(inputs) != len(parents):
        return number_text(_locals(node)[slot])
    by_symbol = dict(zip(inputs, parents))
    params = getattr(op, "params", {}) or {}

    def substitute(match: re.Match[str]) -> str:
        word = match.group(0)
        if word == "out":
            text, precedence = names[node]
        elif word in by_symbol:
            text, precedence = names[by_symbol[word]]
        elif word in params:
            return number_text(params[word])
        else:
            return word
        alone = match.start() == 0 and match.end() == len(match.string)
        return _paren(text, precedence < _ATOM and not alone and not _is_argument(match))

    return _FORMULA_WORD.sub(substitute, rules[slot])


_RULE_TEXT: dict[tuple[Any, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _rule_text(op: Op, arity: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``op.input_names(arity)`` and ``op.shown_rules(arity)``, worked out once per op
    and arity (a weighted sum of n inputs spells out 2n+1 names each time)."""
    key = (op.name, str(op), arity, tuple(op.params.items()))
    found = _RULE_TEXT.get(key)
    if found is None:
        found = _RULE_TEXT[key] = (op.input_names(arity), op.shown_rules(arity))
    return found


def _locals(node: Value) -> tuple[float, ...]:
    """d(node)/d(input) for each of ``node._prev``: the numbers the engine recorded
    (``_local``). A hand-built node with its own ``_backward`` and no recorded numbers
    (none, or nan before any ``backward()`` ran through it) is measured instead: its ``_backward`` runs once with ``node.grad = 1`` on zeroed
    inputs, and every ``.grad`` it touched is put back. An input used twice gets the
    measured total on its first use (the two cannot be told apart); a ``_backward``
    that fails gives nan."""
    parents = node._prev
    try:
        recorded = tuple(node._local)
    except Exception:  # a custom node may not record them at all
        recorded = ()
    if len(recorded) == len(parents):
        if all(value.__class__ is float for value in recorded):  # the usual case, fast
            floats = recorded
        elif all(isinstance(value, numbers.Real) for value in recorded):
            floats = tuple(float(value) for value in recorded)
        else:
            return _measured(node, parents)
        # A custom op records nan until a backward() has run through it: measure it.
        if not _is_custom(node) or not any(value != value for value in floats):
            return floats
    return _measured(node, parents)


def _measured(node: Value, parents: tuple[Value, ...]) -> tuple[float, ...]:
    distinct = list(dict.fromkeys(parents))
    saved = [(p, p.grad) for p in [node, *distinct]]
    measured: dict[Value, float] = {}
    try:
        for parent in distinct:
            parent.grad = 0.0
        node.grad = 1.0
        node._backward()
        measured = {parent: float(parent.grad) for parent in distinct}
    except Exception:
        measured = {}
    finally:
        for value, grad in saved:
            value.grad = grad
    result: list[float] = []
    for slot, parent in enumerate(parents):
        first = parents.index(parent) == slot
        result.append(measured.get(parent, math.nan) if first else 0.0)
    return tuple(result)


def _is_custom(node: Value) -> bool:
    """True for a node made by an op the table does not know (its ``_op`` a plain str)."""
    return bool(node._prev) and not isinstance(node._op, Op)


def _product_of_rules(rules: list[str]) -> str:
    """Rules multiplied, as text: factors of 1.0 dropped, and a rule that is a sum or
    a conditional (``0.0 if k == 0.0 else k * pow(a, k - 1.0)``) in parentheses."""
    kept = [rule for rule in rules if rule != "1.0"] or ["1.0"]
    if len(kept) == 1:
        return kept[0]
    return " * ".join(f"({rule})" if _loose(rule) else rule for rule in kept)


def _loose(rule: str) -> bool:
    """True when ``rule`` binds looser than ``*`` at its top level (``a + b``,
    ``x if c else y``), so it needs parentheses inside a product."""
    depth = 0
    for index, char in enumerate(rule):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and (rule.startswith(" if ", index) or rule.startswith(" + ", index)
                             or rule.startswith(" - ", index)):
            return True
    return False


def _is_argument(match: re.Match[str]) -> bool:
    """True when the word stands alone as a function argument: ``pow(a, k)``."""
    before = match.string[:match.start()].rstrip()
    after = match.string[match.end():].lstrip()
    return before[-1:] in ("(", ",") and after[:1] in (")", ",")


# -- helpers shared with explain and backward_steps --------------------------------------


def _is_number(text: str) -> bool:
    """True for a rule that is a plain number (``1.0``, ``-1.0``): nothing to explain."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sum_text(terms: list[float]) -> str:
    """``a - b`` rather than ``a + -b``."""
    text = ""
    for term in terms:
        value = number_text(term)
        if not text:
            text = value
        elif value.startswith("-"):
            text += " - " + value[1:]
        else:
            text += " + " + value
    return text


def _slot_note(node: Value, slot: int) -> str:
    """`` (as input 1)`` when ``node`` takes the same input twice (``x * x``): each use
    is its own edge, with its own local derivative, and the name alone cannot say
    which. Numbered, not the op table's letters: in ``a * a`` "as a" would say nothing."""
    parents = node._prev
    parent = parents[slot]
    if sum(other is parent for other in parents) < 2:
        return ""
    return f" (as input {slot + 1})"


def _check_value(x: Any, function: str, argument: str) -> None:
    if not isinstance(x, Value):
        raise TypeError(f"{function}: {argument} must be a Value, got {type(x).__name__}")


def _exact_sum(values: list[float]) -> float:
    """The exact sum (``math.fsum``); with infinities of both signs, IEEE's nan rather
    than fsum's ``ValueError``, and a plain sum where fsum's partials overflow."""
    try:
        return math.fsum(values)
    except (ValueError, OverflowError):
        return sum(values, 0.0)
