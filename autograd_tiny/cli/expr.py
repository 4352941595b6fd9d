"""Expressions typed on the command line, parsed against an allow-list, never ``eval``ed.

The expression is cut into tokens by Python's own ``tokenize`` (so numbers and names
mean what they mean in Python) and read by a small operator-precedence parser that
accepts only numbers, variable names, ``+ - * / **``, unary minus and plus,
parentheses and calls of the engine's functions, with Python's precedence. It keeps
its own stack instead of recursing, so a sum of 100,000 terms builds as easily as one
of three; anything outside the allow-list (attribute access, subscripts, lambdas,
keyword arguments, unknown names) is an ``ExpressionError`` naming what was refused
as the user typed it (``'@'``, never ast's ``MatMult``) and what is allowed.

>>> root, leaves = build("tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 6.8813735870195432})
>>> round(root.data, 6), sorted(leaves)
(0.707107, ['b', 'w', 'x'])
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import tokenize
import unicodedata
import warnings
from typing import Callable, Iterable, Mapping, NamedTuple

from ..core import engine
from ..core.engine import Value

FUNCTIONS: dict[str, Callable[..., Value]] = {
    "exp": engine.exp, "log": engine.log, "sqrt": engine.sqrt, "tanh": engine.tanh,
    "sigmoid": engine.sigmoid, "relu": engine.relu, "leaky_relu": engine.leaky_relu,
    "sin": engine.sin, "cos": engine.cos, "abs": abs,
}
# How many arguments each function takes: (fewest, most).
_ARITY = {name: (1, 1) for name in FUNCTIONS}
_ARITY["leaky_relu"] = (1, 2)

MAX_NESTING = 1_000
"""Parentheses (and calls) nested deeper than this are refused: no lecture needs it,
and a graph that deep is unreadable. Long flat sums are not nesting: any length works."""

# Binary operators: precedence (higher binds tighter) and whether they group to the
# right. Unary minus and plus sit between * and **, as in Python: -x**2 is -(x**2),
# 2**-x is 2**(-x), -x*y is (-x)*y.
_BINARY = {"+": (1, False), "-": (1, False), "*": (2, False), "/": (2, False),
           "**": (4, True)}
_UNARY_PRECEDENCE = 3

_TOO_DEEP = (f"the expression nests parentheses more than {MAX_NESTING:,} deep; "
             f"build it in Python instead")


class ExpressionError(ValueError):
    """An expression or a ``NAME=VALUE`` setting that cannot be used; says why."""


def parse_settings(items: Iterable[str]) -> dict[str, float]:
    """``["x1=2", "w1=-3"]`` as ``{"x1": 2.0, "w1": -3.0}``. Values must be finite
    numbers (as numbers in the expression must be), and each name is set once.

    >>> parse_settings(["x1=2", "w1=-3.5"])
    {'x1': 2.0, 'w1': -3.5}
    >>> parse_settings(["x=1", "x=2"])
    Traceback (most recent call last):
    ...
    autograd_tiny.cli.expr.ExpressionError: --set x: given twice (x=1, then x=2)
    """
    values: dict[str, float] = {}
    given: dict[str, str] = {}
    for item in items:
        check_text(item, "--set")
        name, sep, text = item.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())  # as Python reads names
        if not sep or not name.isidentifier():
            raise ExpressionError(f"--set takes NAME=VALUE, got {shown(item)!r}")
        if name in FUNCTIONS:
            raise ExpressionError(f"--set {name}: {name!r} is a function name")
        if keyword.iskeyword(name):
            raise ExpressionError(f"--set {name}: {name!r} is a Python keyword, not a "
                                  f"variable name")
        try:
            value = float(text)
        except ValueError:
            raise ExpressionError(f"--set {name}: {shown(text.strip())!r} is not a "
                                  f"number") from None
        if not math.isfinite(value):
            raise ExpressionError(f"--set {name}: {shown(text.strip())!r} is not a finite "
                                  f"number (numbers must be finite, as in the expression)")
        if name in given:
            raise ExpressionError(f"--set {name}: given twice ({name}={shown(given[name])}, "
                                  f"then {name}={shown(text.strip())})")
        given[name] = text.strip()
        values[name] = value
    return values


def variables(expression: str) -> list[str]:
    """The variable names an expression uses, in order of first appearance.

    >>> variables("a*b + a")
    ['a', 'b']
    """
    return _parse(expression).names


def build(expression: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The expression's graph, and its leaves by name (each variable is one leaf,
    labelled with its name, however often it appears).

    >>> root, leaves = build("x*x", {"x": 3.0})
    >>> root.data, leaves["x"].label
    (9.0, 'x')
    >>> build("+".join(["x"] * 10_000), {"x": 1.0})[0].data
    10000.0
    """
    program = _parse(expression)
    missing = [name for name in program.names if name not in values]
    if missing:
        raise ExpressionError(f"no value for {', '.join(missing)}: add --set "
                              + " ".join(f"{name}=..." for name in missing))
    unused = sorted(set(values) - set(program.names))
    if unused:
        raise ExpressionError(f"--set {', '.join(unused)}: not used in "
                              f"{shown(expression.strip())!r}")
    leaves = {name: Value(value, label=name) for name, value in values.items()}
    return _run(program.steps, leaves), leaves


# -- reading the expression -------------------------------------------------------------


class _Program(NamedTuple):
    """The expression in postfix order (operands before their operator), and its
    variable names in order of first appearance."""

    steps: list[tuple]
    names: list[str]


# Steps: ("number", float), ("name", str), ("neg",), ("pos",), ("binary", symbol),
# ("call", function name, number of arguments).

_SKIPPED = {tokenize.NL, tokenize.COMMENT, tokenize.ENCODING}
_END = {tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.DEDENT}


class _Refused(Exception):
    """The parser met something outside the allow-list; ``_refusal`` words it (from
    ``ast`` where it can, which names the outermost problem, else ``message``)."""

    def __init__(self, where: str, message: str | None = None) -> None:
        super().__init__(where)
        self.where = where
        self.message = message


def _parse(expression: str) -> _Program:
    if not isinstance(expression, str):
        raise TypeError(f"build: expected the expression as a str, got "
                        f"{type(expression).__name__}")
    check_text(expression, "the expression")
    text = expression.strip()
    if not text:
        raise ExpressionError("the expression is empty")
    try:
        return _read(text)
    except _Refused as refused:
        raise _refusal(text, refused) from None


def _read(text: str) -> _Program:
    """The operator-precedence (shunting-yard) parser: one pass over the tokens, two
    stacks, no recursion."""
    steps: list[tuple] = []
    names: dict[str, None] = {}
    # Pending operators: ("binary", symbol, precedence, right) / ("unary", step name)
    # / ("(",) for a group / ("call", name, arguments so far).
    pending: list[tuple] = []
    depth = 0
    expect_operand = True  # at the start, after an operator, '(' or ','
    after_comma = False
    tokens = _tokens(text)
    ended = False
    for position, (kind, string, start) in enumerate(tokens):
        if kind in _END:
            ended = True
            continue
        if ended:  # a second line
            raise _Refused(_at(string, start))
        if expect_operand:
            if kind == tokenize.NUMBER:
                steps.append(("number", _number(string)))
                expect_operand = False
            elif kind == tokenize.NAME:
                name = unicodedata.normalize("NFKC", string)
                if keyword.iskeyword(name):
                    raise _Refused(_at(string, start))
                following = tokens[position + 1] if position + 1 < len(tokens) else (0, "", 0)
                called = following[1] == "("
                if name in FUNCTIONS and not called:
                    raise _Refused(_at(string, start), f"{name} is a function: call it, as in {name}(x)")
                if called:
                    if name not in FUNCTIONS:
                        known = ", ".join(sorted(FUNCTIONS))
                        raise _Refused(_at(string, start), f"unknown function {name!r} (known: {known})")
                    pending.append(("call", name, 0))
                    depth += 1
                    if depth > MAX_NESTING:
                        raise ExpressionError(_TOO_DEEP)
                    tokens[position + 1] = (tokenize.OP, "", following[2])  # '(' read
                    after_comma = False
                    continue  # still expecting an operand: the first argument
                names.setdefault(name)
                steps.append(("name", name))
                expect_operand = False
            elif kind == tokenize.OP and string in ("-", "+"):
                pending.append(("unary", "neg" if string == "-" else "pos"))
            elif kind == tokenize.OP and string == "(":
                pending.append(("(",))
                depth += 1
                if depth > MAX_NESTING:
                    raise ExpressionError(_TOO_DEEP)
            elif kind == tokenize.OP and string == "":
                continue  # a call's '(' (read with its name)
            elif kind == tokenize.OP and string == ")" and pending and \
                    pending[-1][0] == "call" and (pending[-1][2] == 0 or after_comma):
                # f() or f(x,): the call ends with no argument pending
                _, name, count = pending.pop()
                depth -= 1
                steps.append(("call", name, _arity_checked(name, count)))
                expect_operand = False
            else:
                raise _Refused(_at(string, start))
            after_comma = False
            continue
        # After an operand: a binary operator, ')' or ','.
        if kind == tokenize.OP and string in _BINARY:
            precedence, right = _BINARY[string]
            while pending and pending[-1][0] in ("binary", "unary"):
                top = pending[-1]
                top_precedence = top[2] if top[0] == "binary" else _UNARY_PRECEDENCE
                if top_precedence > precedence or (top_precedence == precedence and not right):
                    steps.append(_step(pending.pop()))
                else:
                    break
            pending.append(("binary", string, precedence, right))
            expect_operand = True
        elif kind == tokenize.OP and string in (")", ","):
            while pending and pending[-1][0] in ("binary", "unary"):
                steps.append(_step(pending.pop()))
            if not pending:
                raise _Refused(_at(string, start))
            opened = pending[-1]
            if opened[0] == "(":
                if string == ",":
                    raise _Refused(_at(string, start))  # a tuple
                pending.pop()
                depth -= 1
            elif string == ",":
                pending[-1] = ("call", opened[1], opened[2] + 1)
                expect_operand = True
                after_comma = True
            else:
                pending.pop()
                depth -= 1
                steps.append(("call", opened[1], _arity_checked(opened[1], opened[2] + 1)))
        else:
            raise _Refused(_at(string, start))
    if expect_operand:
        raise _Refused("the end of the expression")
    while pending:
        top = pending.pop()
        if top[0] in ("(", "call"):
            raise _Refused("the end of the expression")
        steps.append(_step(top))
    return _Program(steps, list(names))


def _at(string: str, column: int) -> str:
    return f"{shown(string)!r} at character {column + 1}"


def _tokens(text: str) -> list[tuple[int, str, int]]:
    """(token type, text, column) for each token that counts; anything the tokenizer
    cannot read is refused."""
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in _SKIPPED:
                continue
            if token.type == tokenize.ERRORTOKEN or token.type == tokenize.STRING:
                raise _Refused(_at(token.string, token.start[1]))
            tokens.append((token.type, token.string, token.start[1]))
    except (tokenize.TokenError, SyntaxError, ValueError):
        raise _Refused("the end of the expression") from None
    return tokens


def _step(operator: tuple) -> tuple:
    return ("binary", operator[1]) if operator[0] == "binary" else (operator[1],)


def _arity_checked(name: str, count: int) -> int:
    fewest, most = _ARITY[name]
    if not fewest <= count <= most:
        expected = fewest if fewest == most else f"{fewest} or {most}"
        raise ExpressionError(f"{name} takes {expected} argument{'s' if most > 1 else ''}, "
                              f"got {count}")
    return count


def _number(text: str) -> float:
    """A number token as a float, exactly as Python reads it; one that is not a
    finite float is refused, quoting what was typed."""
    if text[-1] in "jJ":
        raise ExpressionError(f"not allowed in an expression: {shown(text)} "
                              f"(only real numbers and variable names)")
    try:
        value = ast.literal_eval(text)
        number = float(value)
    except (ValueError, SyntaxError, OverflowError, MemoryError):
        raise ExpressionError(f"number out of range: {shown(text)}") from None
    if not math.isfinite(number):
        raise ExpressionError(f"number out of range: {shown(text)}")
    return number


def _refusal(text: str, refused: _Refused) -> ExpressionError:
    """Why ``text`` is refused, found with Python's ``ast`` where it can parse the text
    and worded as the user typed it (``'.data' (attribute access) in 'x.data'``), else
    by the parser, naming the token it stopped at."""
    fallback = ExpressionError(refused.message or f"syntax error in {shown(text)!r}: "
                                                  f"unexpected {refused.where}")
    try:
        with warnings.catch_warnings():  # "'int' object is not callable" and the like
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        return ExpressionError(f"syntax error in {shown(text)!r}: {error.msg}")
    except (RecursionError, MemoryError, ValueError):  # too deep or too odd for ast
        return fallback
    for node in ast.walk(tree):
        problem = _disallowed(text, node)
        if problem is not None:
            return ExpressionError(problem)
    return fallback


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call,
            ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)

ALLOWED = ("allowed: numbers, variable names, + - * / ** (and a leading - or +), "
           "parentheses and the functions " + ", ".join(sorted(FUNCTIONS)))
"""What every refusal of Python syntax ends with, so the user sees what to type instead."""

# Python's operators as the user typed them (ast only knows their class names, and
# 'MatMult' means nothing to someone who typed '@'), with what each one is.
_OPERATORS: dict[type, tuple[str, str]] = {
    ast.MatMult: ("@", "matrix multiplication"), ast.FloorDiv: ("//", "floor division"),
    ast.Mod: ("%", "remainder"), ast.LShift: ("<<", "bit shift"),
    ast.RShift: (">>", "bit shift"), ast.BitAnd: ("&", "bitwise and"),
    ast.BitOr: ("|", "bitwise or"), ast.BitXor: ("^", "bitwise xor; a power is **"),
    ast.Invert: ("~", "bitwise not"), ast.Not: ("not", "logical not"),
    ast.And: ("and", "logical and"), ast.Or: ("or", "logical or"),
    ast.Eq: ("==", "comparison"), ast.NotEq: ("!=", "comparison"),
    ast.Lt: ("<", "comparison"), ast.LtE: ("<=", "comparison"),
    ast.Gt: (">", "comparison"), ast.GtE: (">=", "comparison"),
    ast.Is: ("is", "comparison"), ast.IsNot: ("is not", "comparison"),
    ast.In: ("in", "membership test"), ast.NotIn: ("not in", "membership test"),
}
# Other syntax, by what the user would call it. Anything not listed here is quoted
# from what the user typed, never named by its ast class.
_SYNTAX: dict[type, tuple[str, str]] = {
    ast.Lambda: ("lambda", "a function definition"),
    ast.Subscript: ("[...]", "indexing"), ast.Slice: (":", "a slice"),
    ast.Tuple: (",", "a tuple"), ast.List: ("[...]", "a list"),
    ast.Set: ("{...}", "a set"), ast.Dict: ("{...}", "a dict"),
    ast.IfExp: ("if ... else", "a conditional"), ast.NamedExpr: (":=", "an assignment"),
    ast.JoinedStr: ('f"..."', "a string"), ast.Await: ("await", "awaiting"),
    ast.Starred: ("*", "unpacking"), ast.ListComp: ("for", "a comprehension"),
    ast.SetComp: ("for", "a comprehension"), ast.DictComp: ("for", "a comprehension"),
    ast.GeneratorExp: ("for", "a generator"),
}


def _disallowed(text: str, node: ast.AST) -> str | None:
    """What is wrong with one node of Python's syntax tree, or None. Operators are
    checked at the expression that uses them, so the message can quote both.

    >>> print(_disallowed("a@b", ast.parse("a@b", mode="eval").body))  # doctest: +ELLIPSIS
    not allowed in an expression: '@' (matrix multiplication) in 'a@b'; allowed: ...
    """
    operators = (node.ops if isinstance(node, ast.Compare) else
                 [node.op] if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp)) else [])
    for operator in operators:
        if type(operator) in _OPERATORS:
            symbol, meaning = _OPERATORS[type(operator)]
            return _refused(symbol, meaning, _source(text, node))
    if type(node) in _SYNTAX:
        symbol, meaning = _SYNTAX[type(node)]
        return _refused(symbol, meaning, _source(text, node))
    if isinstance(node, ast.Attribute):
        return _refused(f".{node.attr}", "attribute access", _source(text, node))
    if isinstance(node, (ast.operator, ast.unaryop, ast.boolop, ast.cmpop)):
        return None  # a new Python operator: refused above at its expression, if at all
    if not isinstance(node, _ALLOWED):
        return f"not allowed in an expression: {_source(text, node)!r}; {ALLOWED}"
    if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float))):
        return (f"not allowed in an expression: {_source(text, node)} "
                f"(only numbers and variable names)")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            return (f"not allowed in an expression: {_source(text, node.func)!r} "
                    f"(only the engine's functions can be called)")
        if node.func.id not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            return f"unknown function {node.func.id!r} (known: {known})"
        if node.keywords:
            return f"{node.func.id}: keyword arguments are not allowed"
    return None


def _refused(symbol: str, meaning: str, source: str) -> str:
    where = "" if source == symbol else f" in {source!r}"
    return f"not allowed in an expression: {symbol!r} ({meaning}){where}; {ALLOWED}"


def _source(text: str, node: ast.AST) -> str:
    """The text the user typed for ``node`` (shortened), or its type's name."""
    segment = ast.get_source_segment(text, node) if isinstance(node, ast.expr) else None
    return shown(segment) if segment else type(node).__name__


def shown(text: str, limit: int = 60) -> str:
    """``text`` for an error message: one line, at most about ``limit`` characters.

    >>> shown("0x" + "f" * 300)
    '0xffffffffffffffffffffffffffffffffffffff...ffffffffffff (302 characters)'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return f"{text[:limit - 20]}...{text[-12:]} ({len(text):,} characters)"


def check_text(text: str, what: str) -> None:
    """Refuses text that is not valid Unicode: bytes that were not UTF-8 reach Python
    as lone surrogates (``'\\udcff'`` for the byte 0xff), and a NUL cannot be in an
    argument of a real command line.

    >>> check_text("x\\udcff", "the expression")
    Traceback (most recent call last):
    ...
    autograd_tiny.cli.expr.ExpressionError: the expression is not valid UTF-8 (the byte 0xff at character 2)
    """
    for i, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            what_char = (f"the byte 0x{ord(char) - 0xdc00:02x}" if char >= "\udc80" else
                         f"a lone surrogate U+{ord(char):04X}")
            raise ExpressionError(f"{what} is not valid UTF-8 ({what_char} at character "
                                  f"{i + 1})")
        if char == "\0":
            raise ExpressionError(f"{what} contains a NUL character (character {i + 1})")


def printable(text: str) -> str:
    """``text`` with undecodable bytes written as escapes, safe to print anywhere.

    >>> printable("x\\udcff")
    'x\\\\xff'
    """
    return text.encode("utf-8", "surrogateescape" if _escapable(text) else
                       "backslashreplace").decode("utf-8", "backslashreplace")


def _escapable(text: str) -> bool:
    return all(not "\ud800" <= c < "\udc80" and not "\udd00" <= c <= "\udfff"
               for c in text)


# -- building the graph ---------------------------------------------------------------


def _run(steps: list[tuple], leaves: Mapping[str, Value]) -> Value:
    """Builds the graph from the postfix steps with a stack of (value, is a number
    as typed): ``x**2`` with a typed number is one ``'**2'`` node, as in micrograd,
    and ``-3`` is the number -3, not ``neg(3)``."""
    stack: list[tuple[Value, bool]] = []
    for step in steps:
        kind = step[0]
        if kind == "number":
            stack.append((Value(step[1]), True))
        elif kind == "name":
            stack.append((leaves[step[1]], False))
        elif kind == "neg":
            value, typed = stack.pop()
            stack.append((Value(-value.data) if typed else -value, False))
        elif kind == "pos":
            stack.append((stack.pop()[0], False))
        elif kind == "binary":
            right, typed = stack.pop()
            left = stack.pop()[0]
            symbol = step[1]
            if symbol == "**" and typed:
                stack.append((left ** right.data, False))  # x**2: one '**2' node
            else:
                operate = {"+": left.__add__, "-": left.__sub__, "*": left.__mul__,
                           "/": left.__truediv__, "**": left.__pow__}[symbol]
                stack.append((operate(right), False))
        else:  # a call
            name, count = step[1], step[2]
            args = [value for value, _ in stack[len(stack) - count:]]
            del stack[len(stack) - count:]
            if name == "leaky_relu" and count == 2:
                stack.append((args[0].leaky_relu(args[1].data), False))
            else:
                stack.append((FUNCTIONS[name](args[0]), False))
    (root, _), = stack
    return root
