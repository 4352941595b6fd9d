"""Practice problems for the chain rule, and the quiz that asks them.

:func:`make_problem` builds a random problem at a level (1: one op; 2: a few ops with
a node used twice; 3: a neuron or the 2-2-2 sigmoid network of Matt Mazur's "A Step by
Step Backpropagation Example", with random weights). The same seed gives the same
problem, so a whole class can get one quiz.

:func:`questions` lists what to work out, in backward's order: for each node, first
the local derivative on each edge into the nodes that use it, then its gradient.
Nodes without a label (``w1*x1`` inside a neuron) are passed through: the local
derivative between two named nodes is then the product along the way, simplified.
The two are written apart, as :mod:`~autograd_tiny.teach.notation` writes them: a
local derivative with ∂ (``∂e/∂a``), the gradient of the output with d (``dL/da``),
so the chain rule reads ``dL/da = dL/de * ∂e/∂a``; a console that cannot print ∂
gets d in both, told apart by the words after them.

:func:`run_quiz` asks the questions one by one (rich prompts; piped input works),
allows a retry after a miss (showing the op table's rule), and keeps the score safe
through bad input, end of input and Ctrl-C.

>>> problem = make_problem(1, seed=3)
>>> print(problem.text())
a = -2, b = -1
L = a * b = 2
>>> [q.prompt for q in questions(problem)]
['∂L/∂b (local derivative of *)', '∂L/∂a (local derivative of *)']
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

from ..core.engine import Value
from ..core.graph import GraphSnapshot, number_text, snapshot
from ..core.ops import Op
from .check import ENOUGH_DIGITS, AnswerError, gradients, is_close, parse_answer
from .notation import derivative_text, local_derivative_text, printable

__all__ = ["Problem", "Question", "QuizScore", "make_problem", "questions", "run_quiz",
           "network_2_2_2", "route_stops", "LEVELS"]

LEVELS = (1, 2, 3)
_LEVEL_NAMES = {1: "one op", 2: "a few ops, one node used twice",
                3: "a neuron or a 2-2-2 network"}


@dataclass
class Problem:
    """A graph to differentiate by hand: ``root``, its nodes in forward order with the
    formula that made each (``lines``), and the nodes whose gradient is asked."""

    root: Value
    lines: list[tuple[Value, str]]  # (node, formula text) in forward order
    asked: list[Value]  # the nodes whose gradient is asked (besides every stop on the way)
    title: str
    level: int
    seed: int | None = None

    def text(self) -> str:
        """The forward pass: each named node with its formula and value."""
        leaves = [f"{node.label} = {number_text(node.data)}"
                  for node, formula in self.lines if not formula]
        out = [", ".join(leaves[i:i + 5]) for i in range(0, len(leaves), 5)]
        out += [f"{node.label} = {formula} = {number_text(node.data)}"
                for node, formula in self.lines if formula]
        return "\n".join(out)


@dataclass(frozen=True)
class Question:
    """One thing to work out. ``kind`` is ``local`` (∂top/∂bottom on one edge, or
    through unnamed nodes) or ``gradient`` (d root/d bottom). ``answer`` is the
    engine's number; ``rule`` the formula that gives it, shown after a miss."""

    kind: str
    top: Value
    bottom: Value
    prompt: str
    answer: float
    rule: str


def make_problem(level: int, seed: int | None = None) -> Problem:
    """A random problem at ``level`` (1, 2 or 3); the same ``seed``, the same problem.

    >>> p = make_problem(2, seed=1)
    >>> print(p.text())
    a = -2, b = 2, c = -3
    d = a - b = -4
    e = d + c = -7
    L = e - b = -9
    """
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"make_problem: level must be an int, got {type(level).__name__}")
    if level not in LEVELS:
        raise ValueError(f"make_problem: level must be 1, 2 or 3, got {level}")
    rng = random.Random(seed)
    builder = {1: _level_one, 2: _level_two, 3: _level_three}[level]
    problem = builder(rng)
    problem.level, problem.seed = level, seed
    return problem


def _small(rng: random.Random, halves: bool = False) -> float:
    """A number a student can work with by hand: -3..3 without 0, sometimes a half."""
    value = float(rng.choice([-3, -2, -1, 1, 2, 3]))
    if halves and rng.random() < 0.3:
        value += 0.5 if value > 0 else -0.5
    return value


def _leaf(rng: random.Random, name: str, halves: bool = False) -> Value:
    return Value(_small(rng, halves), label=name)


def _named(node: Value, name: str) -> Value:
    node.label = name
    return node


_BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
           "/": lambda a, b: a / b}
_UNARY = {"tanh": lambda a: a.tanh(), "exp": lambda a: a.exp(),
          "sigmoid": lambda a: a.sigmoid(), "**2": lambda a: a ** 2,
          "relu": lambda a: a.relu(), "log": lambda a: a.log()}


def _level_one(rng: random.Random) -> Problem:
    a = _leaf(rng, "a", halves=True)
    op = rng.choice(["+", "-", "*", "*", "/", "tanh", "exp", "sigmoid", "**2", "log"])
    if op in _BINARY:
        b = _leaf(rng, "b")
        L = _named(_BINARY[op](a, b), "L")
        return Problem(L, [(a, ""), (b, ""), (L, f"a {op} b")], [a, b], "one op", 1)
    if op == "log" and a.data <= 0:
        a.data = -a.data
    L = _named(_UNARY[op](a), "L")
    formula = "a**2" if op == "**2" else f"{op}(a)"
    return Problem(L, [(a, ""), (L, formula)], [a], "one op", 1)


def _level_two(rng: random.Random) -> Problem:
    a, b, c = _leaf(rng, "a"), _leaf(rng, "b"), _leaf(rng, "c")
    ops = [rng.choice(["+", "-", "*"]) for _ in range(3)]
    d = _named(_BINARY[ops[0]](a, b), "d")
    e = _named(_BINARY[ops[1]](d, c), "e")
    # The last op reuses a node already used once: its gradient has two routes.
    shared = rng.choice([a, b, d])
    L = _named(_BINARY[ops[2]](e, shared), "L")
    lines = [(a, ""), (b, ""), (c, ""), (d, f"a {ops[0]} b"), (e, f"d {ops[1]} c"),
             (L, f"e {ops[2]} {shared.label}")]
    return Problem(L, lines, [a, b, c], "a few ops, one node used twice", 2)


def _level_three(rng: random.Random) -> Problem:
    if rng.random() < 0.5:
        return _neuron(rng)
    weights = [round(rng.uniform(0.1, 0.9), 2) for _ in range(8)]
    problem = network_2_2_2(
        inputs=(round(rng.uniform(0.05, 0.5), 2), round(rng.uniform(0.05, 0.5), 2)),
        weights=weights, biases=(round(rng.uniform(0.1, 0.6), 2),
                                 round(rng.uniform(0.1, 0.6), 2)),
        targets=(round(rng.uniform(0.01, 0.99), 2), round(rng.uniform(0.01, 0.99), 2)))
    return problem


def _neuron(rng: random.Random) -> Problem:
    activation = rng.choice(["tanh", "sigmoid", "relu"])
    choices = [-1.0, -0.5, 0.5, 1.0, 1.5, 2.0]
    while True:  # a net input where the activation is not flat (|net| < 2)
        x1, x2, w1, w2 = (rng.choice(choices) for _ in range(4))
        b = round(rng.uniform(-1.0, 1.0), 1)
        net_value = w1 * x1 + w2 * x2 + b
        if abs(net_value) < 2 and (activation != "relu" or net_value > 0):
            break
    xs = [Value(x1, label="x1"), Value(x2, label="x2")]
    ws = [Value(w1, label="w1"), Value(w2, label="w2")]
    bias = Value(b, label="b")
    net = _named(ws[0] * xs[0] + ws[1] * xs[1] + bias, "net")
    out = _named(_UNARY[activation](net), "out")
    lines = [(xs[0], ""), (xs[1], ""), (ws[0], ""), (ws[1], ""), (bias, ""),
             (net, "w1*x1 + w2*x2 + b"), (out, f"{activation}(net)")]
    return Problem(out, lines, [ws[0], ws[1], bias], f"a {activation} neuron", 3)


def network_2_2_2(inputs: tuple[float, float], weights: list[float],
                  biases: tuple[float, float], targets: tuple[float, float]) -> Problem:
    """The 2-2-2 sigmoid network of Mazur's example with its names (i1, w1..w8, b1,
    b2, net_h1, out_h1, ..., E_total), squared error 1/2 (target - out)^2 per output.
    The questions follow the example: the routes to w5 (output layer) and w1 (hidden).

    >>> p = network_2_2_2((0.05, 0.1), [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55],
    ...                   (0.35, 0.6), (0.01, 0.99))
    >>> round(p.root.data, 9), [n.label for n in p.asked]
    (0.298371109, ['w5', 'w1'])
    """
    if len(weights) != 8:
        raise ValueError(f"network_2_2_2: 8 weights are needed, got {len(weights)}")
    i1, i2 = Value(inputs[0], label="i1"), Value(inputs[1], label="i2")
    w = [Value(float(x), label=f"w{k}") for k, x in enumerate(weights, 1)]
    b1, b2 = Value(float(biases[0]), label="b1"), Value(float(biases[1]), label="b2")
    t1, t2 = Value(float(targets[0]), label="target_o1"), Value(float(targets[1]), label="target_o2")
    net_h1 = _named(w[0] * i1 + w[1] * i2 + b1, "net_h1")
    net_h2 = _named(w[2] * i1 + w[3] * i2 + b1, "net_h2")
    out_h1, out_h2 = _named(net_h1.sigmoid(), "out_h1"), _named(net_h2.sigmoid(), "out_h2")
    net_o1 = _named(w[4] * out_h1 + w[5] * out_h2 + b2, "net_o1")
    net_o2 = _named(w[6] * out_h1 + w[7] * out_h2 + b2, "net_o2")
    out_o1, out_o2 = _named(net_o1.sigmoid(), "out_o1"), _named(net_o2.sigmoid(), "out_o2")
    E_o1 = _named(0.5 * (t1 - out_o1) ** 2, "E_o1")
    E_o2 = _named(0.5 * (t2 - out_o2) ** 2, "E_o2")
    E = _named(E_o1 + E_o2, "E_total")
    lines = [(node, "") for node in (i1, i2, *w, b1, b2, t1, t2)] + [
        (net_h1, "w1*i1 + w2*i2 + b1"), (net_h2, "w3*i1 + w4*i2 + b1"),
        (out_h1, "sigmoid(net_h1)"), (out_h2, "sigmoid(net_h2)"),
        (net_o1, "w5*out_h1 + w6*out_h2 + b2"), (net_o2, "w7*out_h1 + w8*out_h2 + b2"),
        (out_o1, "sigmoid(net_o1)"), (out_o2, "sigmoid(net_o2)"),
        (E_o1, "1/2 (target_o1 - out_o1)**2"), (E_o2, "1/2 (target_o2 - out_o2)**2"),
        (E, "E_o1 + E_o2")]
    return Problem(E, lines, [w[4], w[0]], "the 2-2-2 network", 3)


# -- the questions ----------------------------------------------------------------------


def questions(problem: Problem) -> list[Question]:
    """What to work out, in backward order. The stops are the labelled nodes on a route
    from the root to an asked node; for each stop (root excluded): the local
    derivative from each stop that uses it, then its gradient.

    >>> p = make_problem(2, seed=1)
    >>> q = questions(p)[9]  # b is used by d and by L: two routes
    >>> q.kind, q.prompt, q.answer
    ('gradient', 'dL/db (gradient)', -2.0)
    >>> q.rule  # L uses b directly (∂L/∂b) and through d
    'dL/db = ∂L/∂b + dL/dd * ∂d/∂b = (-1) + 1 * (-1)'
    """
    graph = snapshot(problem.root)
    grads = gradients(graph)
    stops = route_stops(graph, problem.asked)
    result = []
    for node in graph.order:
        if node not in stops or node is graph.root:
            continue
        links = _local_links(graph, node, stops)
        for user, value, rule, op_note in links:
            name = local_derivative_text(graph.names[user], graph.names[node])
            result.append(Question("local", user, node, f"{name} (local derivative{op_note})",
                                   value, rule))
        if [user for user, *_ in links] == [graph.root]:
            continue  # the gradient is the local derivative just asked
        root = graph.names[graph.root]
        names = " + ".join(f"{derivative_text(root, graph.names[u])} * "
                           f"{local_derivative_text(graph.names[u], graph.names[node])}"
                           if u is not graph.root else
                           local_derivative_text(graph.names[u], graph.names[node])
                           for u, *_ in links)
        numbers = " + ".join(f"{_bracket(grads[u])} * {_bracket(v)}"
                             if u is not graph.root else _bracket(v) for u, v, *_ in links)
        name = derivative_text(root, graph.names[node])
        result.append(Question("gradient", graph.root, node, f"{name} (gradient)",
                               grads[node], f"{name} = {names} = {numbers}"))
    return result


def _bracket(x: float) -> str:
    text = number_text(x)
    return f"({text})" if text.startswith("-") else text


def route_stops(graph: GraphSnapshot, asked: list[Value]) -> set[Value]:
    """The labelled nodes that lie on a route from the graph's root to one of the
    ``asked`` nodes (those included): where the quiz asks a question and the
    exercise sheets leave a blank.

    >>> from autograd_tiny import Value
    >>> a, b, c = Value(2.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    >>> d = a * b; d.label = "d"
    >>> L = d + c; L.label = "L"
    >>> sorted(node.label for node in route_stops(snapshot(L), [a]))
    ['L', 'a', 'd']
    """
    leads = set(asked)  # nodes from which an asked node can be reached
    for node in reversed(graph.order):  # inputs before the nodes that use them
        if any(parent in leads for parent in node._prev):
            leads.add(node)
    return {node for node in graph.order if node in leads and node.label}


def _local_links(graph: GraphSnapshot, node: Value,
                 stops: set[Value]) -> list[tuple[Value, float, str, str]]:
    """For each stop that uses ``node`` (directly, or through unlabelled nodes): the
    local derivative ∂(stop)/∂(node), its rule (simplified), and the op it comes from."""
    from .simplify import local_rule, simplify_formula

    # Walk up from node through unlabelled users: (user stop, value, rule terms).
    users_of: dict[Value, list[tuple[Value, int]]] = {}
    for user in graph.order:
        for slot, parent in enumerate(user._prev):
            users_of.setdefault(parent, []).append((user, slot))
    found: dict[Value, tuple[float, list[str], set[str]]] = {}
    stack: list[tuple[Value, float, list[str], set[str]]] = [(node, 1.0, [], set())]
    while stack:
        current, value, rules, ops = stack.pop()
        for user, slot in users_of.get(current, []):
            if user not in graph.uses:
                continue
            step_rule = local_rule(user, slot, graph.written)  # constants as numbers
            step_ops = ops | ({str(user._op)} if str(user._op) else set())
            step = (user, value * user._local[slot], rules + [step_rule], step_ops)
            if user in stops or user is graph.root:
                total, terms, all_ops = found.get(user, (0.0, [], set()))
                product = " * ".join(f"({r})" for r in step[2])
                found[user] = (total + step[1], terms + [product], all_ops | step_ops)
            elif not user.label:
                stack.append(step)
    links = []
    for user in graph.order:  # backward order: the root's side first
        if user in found:
            value, terms, ops = found[user]
            rule = simplify_formula(" + ".join(terms))
            note = f" of {', '.join(sorted(ops))}" if ops else ""
            links.append((user, value, rule, note))
    return links


# -- the session ------------------------------------------------------------------------


def _prompt_class() -> Any:
    from rich.prompt import Prompt

    class AnswerPrompt(Prompt):
        prompt_suffix = ""  # the prompt ends with "= " already

    return AnswerPrompt


class _Prompt:
    @staticmethod
    def ask(prompt: str, console: Any) -> str:
        return str(_prompt_class().ask(markup_escape(prompt), console=console))


def markup_escape(text: str) -> str:
    r"""``text`` with ``rich`` markup escaped, so a prompt prints it as written.

    >>> print(markup_escape("[bold]x[/bold] a[1]"))
    \[bold]x\[/bold] a[1]
    """
    from rich.markup import escape

    return escape(text)


@dataclass
class QuizScore:
    """Points so far: 1 for a right first answer, 1/2 after a retry."""

    points: float = 0.0
    asked: int = 0
    total: int = 0
    history: list[tuple[str, str]] = field(default_factory=list)  # (prompt, outcome)

    def text(self) -> str:
        """The score line: points of the questions asked; then how many were skipped
        (a skip scores nothing but is no answer) and, if the quiz was stopped early,
        after how many of its questions. Every way of stopping (q, Ctrl-C, the end of
        piped answers) reads alike.

        >>> QuizScore(points=1.5, asked=2, total=3).text()
        'score: 1.5 of 2 (stopped after 2 of 3 questions)'
        >>> QuizScore(points=0, asked=4, total=19, history=[("q", "skipped")] * 4).text()
        'score: 0 of 4 (4 skipped; stopped after 4 of 19 questions)'
        >>> QuizScore(points=1, asked=2, total=2,
        ...           history=[("q", "right"), ("q", "skipped")]).text()
        'score: 1 of 2 (1 skipped)'
        >>> QuizScore(points=0, asked=0, total=1).text()
        'score: 0 of 0 (stopped at the first of 1 question)'
        """
        points = number_text(self.points)
        skipped = sum(outcome == "skipped" for _, outcome in self.history)
        questions = f"{self.total} question{'s' * (self.total != 1)}"
        notes = [f"{skipped} skipped"] * bool(skipped)
        if self.asked < self.total:
            notes.append(f"stopped after {self.asked} of {questions}" if self.asked
                         else f"stopped at the first of {questions}")
        return f"score: {points} of {self.asked}" + (f" ({'; '.join(notes)})" if notes else "")


_QUIT = {"q", "quit", "exit"}
_SKIP = {"s", "skip", "?"}


def run_quiz(problem: Problem, console: Any = None,
             ask: Callable[[str], str] | None = None) -> QuizScore:
    """Asks ``problem``'s questions at the terminal and returns the score. ``ask``
    reads one answer (default: a rich prompt on ``console``); the end of input or
    Ctrl-C ends the quiz with the score so far. Type ``skip`` to see an answer,
    ``q`` to stop.

    >>> import io
    >>> from rich.console import Console
    >>> out = io.StringIO()
    >>> replies = iter(["oops", "2", "-2", "-1"])  # a word, a miss, a retry, right
    >>> score = run_quiz(make_problem(1, seed=3), Console(file=out, width=100),
    ...                  ask=lambda prompt: next(replies))
    >>> score.points, score.asked, score.history[0][1]
    (1.5, 2, 'retry')
    """
    from rich.console import Console

    console = console or Console()
    if ask is None:
        echo = not sys.stdin.isatty()  # piped answers: show them, as a terminal would

        def ask(prompt: str) -> str:
            reply = _Prompt.ask(prompt, console=console)
            if echo:
                console.print(reply, markup=False, highlight=False)
            return reply
    todo = questions(problem)
    score = QuizScore(total=len(todo))
    console.print(f"[bold]Level {problem.level}: {problem.title}[/bold]"
                  + (f" (seed {problem.seed})" if problem.seed is not None else ""))
    console.print(problem.text(), highlight=False, markup=False)
    console.print("Work backward from the output. Answer with a number or a fraction "
                  f"(3/4); {ENOUGH_DIGITS} significant digits are enough. Type skip to see "
                  "an answer, q to stop.", style="dim")
    try:
        for number, question in enumerate(todo, 1):
            score.asked = number
            outcome = _ask_one(question, number, len(todo), ask, console, printable(console))
            if outcome == "quit":
                score.asked -= 1
                break
            score.points += {"right": 1.0, "retry": 0.5}.get(outcome, 0.0)
            score.history.append((question.prompt, outcome))
    except (EOFError, KeyboardInterrupt):
        if score.asked and len(score.history) < score.asked:
            score.asked -= 1  # the question in progress was not answered
        console.print()
        console.print("stopped.", style="yellow")
    console.print(f"[bold]{score.text()}[/bold]")
    return score


def _ask_one(question: Question, number: int, count: int, ask: Callable[[str], str],
             console: Any, printable: Callable[[str], str] = lambda text: text) -> str:
    """'right', 'retry' (right at the second try), 'missed', 'skipped' or 'quit'."""
    tries = 0
    prompt = printable(f"[{number}/{count}] {question.prompt} = ")
    while True:
        reply = ask(prompt)
        text = (reply or "").strip().lower()
        if text in _QUIT:
            return "quit"
        if text in _SKIP:
            console.print(printable(f"  skipped: {question.prompt.split(' (')[0]} = "
                                    f"{number_text(question.answer)}"),
                          markup=False, highlight=False)
            return "skipped"
        try:
            value = parse_answer(reply or "")
        except AnswerError as error:
            console.print(f"  {error}", style="yellow", markup=False, highlight=False)
            continue  # bad input is not a try
        if is_close(value, question.answer):
            exact = math.isclose(value, question.answer, rel_tol=1e-9, abs_tol=1e-12)
            console.print("  right" + ("" if exact else
                          f" (exactly {number_text(question.answer)})"), style="green",
                          markup=False)
            return "right" if tries == 0 else "retry"
        tries += 1
        if tries == 1:
            console.print(printable(f"  not {number_text(value)}. "
                                    f"{_rule_hint(question, first=True)}; try again."),
                          style="red", markup=False, highlight=False)
            continue
        hint, answer = _rule_hint(question), number_text(question.answer)
        if not hint.endswith(f"= {answer}"):
            hint += f" = {answer}"
        console.print(printable(f"  not {number_text(value)} either: {hint}"), style="red",
                      markup=False, highlight=False)
        return "missed"


def _rule_hint(question: Question, first: bool = False) -> str:
    """After a first miss: the op table's rule for the op (or, through several ops,
    their rules multiplied) or the chain rule in names; after a second: the numbers
    too. A rule is written with this problem's names, never the table's own letters
    (a, b, out): those would clash with the student's variables of the same names.

    >>> q = questions(make_problem(2, seed=4))
    >>> _rule_hint(q[3], first=True), _rule_hint(q[7], first=True)  # question 8: L = e - a
    ("the op table's rule for *: ∂d/∂b = a", "the op table's rule for -: ∂L/∂a = -1")
    """
    if question.kind == "local":
        name = question.prompt.split(" (")[0]
        op = question.top._op
        direct = any(parent is question.bottom for parent in question.top._prev)
        if first and isinstance(op, Op) and direct:
            return f"the op table's rule for {op}: {name} = {question.rule}"
        return f"rule: {name} = {question.rule}"
    if first:  # the chain rule in names; the numbers come after a second miss
        return "chain rule: " + " = ".join(question.rule.split(" = ")[:2])
    return f"chain rule: {question.rule}"
