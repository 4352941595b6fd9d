"""Exercise sheets with answer keys: random graphs to differentiate by hand.

:func:`write_exercises` writes four files into a folder:

- ``sheet.html``: one self-contained page (no network: styles, script and every graph
  picture inline) with each exercise's graph, values filled in and gradients left as
  ``?``, and a box per gradient; the page checks the answers in the browser, with the
  same tolerance as :func:`~autograd_tiny.teach.check.check`;
- ``key.html``: the filled graphs (gradients, local derivatives on the edges) and each
  gradient's routes as products of local derivatives;
- ``sheet.tex`` and ``key.tex``: the same for LaTeX (graphs as TikZ from Graphviz's
  layout, shrunk to the text width and, when one page would make their text small,
  drawn over pages; each gradient's steps aligned under its ``=`` in lines TeX breaks
  to the width); they compile with ``pdflatex`` and a standard TeX installation (TikZ,
  amsmath, graphicx, geometry).

The same seed gives the same files, byte for byte.

>>> exercises = make_exercises(3, seed=5)
>>> [exercise.problem.level for exercise in exercises]
[1, 2, 3]
>>> [(blank.name, blank.answer) for blank in exercises[1].blanks]
[('dL/de', '1'), ('dL/dd', '1'), ('dL/db', '-1'), ('dL/dc', '1'), ('dL/da', '0')]
"""

from __future__ import annotations

import html
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.engine import Value
from ..core.files import write_atomically
from ..core.graph import number_text, snapshot
from .check import CLOSE_ABSOLUTE, CLOSE_RELATIVE, ENOUGH_DIGITS, gradients
from .notation import derivative_text
from .quiz import Problem, make_problem, route_stops
from .simplify import number_latex, partial_latex

__all__ = ["Blank", "Exercise", "make_exercises", "write_exercises", "sheet_html",
           "key_html", "sheet_tex", "key_tex", "TOLERANCE", "FILES"]

TOLERANCE = {"relative": CLOSE_RELATIVE, "absolute": CLOSE_ABSOLUTE}
FILES = ("sheet.html", "key.html", "sheet.tex", "key.tex")
_ROUTE_LIMIT = 16


@dataclass(frozen=True)
class Route:
    """One route of a blank's gradient: the chain of local derivatives (names), the
    product of their rules simplified (``formula``; '' when it is just a number), their
    values, and the product."""

    chain: str
    values: str
    product: float
    latex: str
    formula: str = ""
    formula_latex: str = ""


@dataclass(frozen=True)
class Blank:
    """One gradient to fill in: d(root)/d(node), its value and its routes."""

    key: str  # the id of the answer box: 'e3-w1'
    node: Value
    label: str
    name: str  # dL/da
    value: float
    routes: tuple[Route, ...]

    @property
    def answer(self) -> str:
        """The value as the key prints it."""
        return number_text(self.value)


@dataclass
class Exercise:
    """One graph to work through: the problem and its blanks, in backward order."""

    number: int
    problem: Problem
    blanks: list[Blank]


def make_exercises(count: int = 10, seed: int = 0) -> list[Exercise]:
    """``count`` exercises from ``seed``: the first of level 1 (one op), then mostly
    level 2 (a few ops, a node used twice) and every third of level 3 (a neuron or the
    2-2-2 network).

    >>> [e.problem.title for e in make_exercises(4, seed=1)]
    ['one op', 'a few ops, one node used twice', 'the 2-2-2 network', 'a few ops, one node used twice']
    """
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"make_exercises: count must be an int, got {type(count).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"make_exercises: seed must be an int, got {type(seed).__name__}")
    if not 1 <= count <= 100:
        raise ValueError(f"make_exercises: count must be 1..100, got {count}")
    rng = random.Random(seed)
    exercises = []
    for number in range(1, count + 1):
        level = 1 if number == 1 else 3 if number % 3 == 0 else 2
        problem = make_problem(level, seed=rng.randrange(2**31))
        exercises.append(Exercise(number, problem, _blanks(number, problem)))
    return exercises


def _blanks(number: int, problem: Problem) -> list[Blank]:
    from .routes import explain

    graph = snapshot(problem.root)
    grads = gradients(graph)
    stops = route_stops(graph, problem.asked)
    root_name = graph.names[graph.root]
    blanks = []
    for node in graph.order:
        if node not in stops or node is graph.root:
            continue
        explanation = explain(graph.root, node, limit=_ROUTE_LIMIT)
        routes = tuple(Route(route.chain, route.values, route.product,
                             _route_latex(route, graph.names), *_formulas(route))
                       for route in explanation.routes)
        blanks.append(Blank(f"e{number}-{_slug(node.label)}", node, node.label,
                            derivative_text(root_name, graph.names[node]), grads[node],
                            routes))
    return blanks


def _formulas(route: object) -> tuple[str, str]:
    """The route's rules multiplied and simplified, as text and as LaTeX; empty when
    the product of the rules is a plain number (nothing to add to the values)."""
    from .simplify import route_formula, route_formula_latex

    text = route_formula(route)  # type: ignore[arg-type]
    try:
        float(text)
        return "", ""
    except ValueError:
        return text, route_formula_latex(route)  # type: ignore[arg-type]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "node"


def _route_latex(route: object, names: dict[Value, str]) -> str:
    from .simplify import route_latex

    return route_latex(route, names)  # type: ignore[arg-type]


# -- pictures ------------------------------------------------------------------------------


def _graph_source(problem: Problem, filled: bool, page: str = "tex") -> str:
    """The DOT source of the exercise's graph: values only, gradients as ``?`` (the
    sheet), or gradients and local derivatives filled in (the key). Top to bottom on
    paper; on a web page left to right (as in micrograd's pictures) unless the graph is
    long (the network), where a page could only show it very small."""
    from ..draw.dot import draw_dot

    order = snapshot(problem.root).order
    rankdir = "LR" if page == "html" and len(order) < 24 else "TB"
    if filled:
        grads = gradients(snapshot(problem.root))
        for node in order:
            node.grad = grads[node]
        source = draw_dot(problem.root, rankdir=rankdir).source
    else:
        for node in order:
            node.grad = float("nan")
        source = draw_dot(problem.root, rankdir=rankdir, show_local=False).source
        for node in order:
            node.grad = 0.0
        source = source.replace("| grad nan }", "| grad ? }")
    # The sheet explains the picture in words; the legend would only take room.
    source = re.sub(r"^\tlegend \[.*\]\n", "", source, flags=re.M)
    if page == "tex":
        # On paper the width sets the scale: nodes of a rank closer together keep a
        # wide graph's labels larger on the page (Graphviz's default gap is 0.25 in).
        source = source.replace("{\n", "{\n\tgraph [nodesep=0.05]\n", 1)
    return source


def _svg(source: str) -> str:
    """The graph as inline SVG (no XML prolog, no DOCTYPE), or a note without a renderer."""
    from ..draw.renderer import RenderError, find_renderer, run_renderer

    if find_renderer() is None:
        return "<p class=note>(no Graphviz renderer here: install one to see the graph)</p>"
    try:
        svg = run_renderer(source, "svg").decode("utf-8")
    except RenderError as error:
        return f"<p class=note>(the graph could not be drawn: {html.escape(str(error))})</p>"
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)  # Graphviz's version comments
    return svg


_TEXT_WIDTH, _TEXT_HEIGHT = 481.0, 680.0  # A4 with 2 cm margins, in bp (a little spare)
# The least a graph is shrunk to fit one page: its 10 pt labels stay at 7.5 pt or more.
# A graph that would need more (the 2-2-2 network: 2178 bp tall) is drawn over pages,
# shrunk only to the text width, cut between rows of nodes.
LEAST_SCALE = 0.75


def _tikz(source: str) -> str:
    """The graph as TikZ, shrunk (never grown) to the text width, and to one page when
    that keeps its text readable; else in parts, one a page."""
    from ..draw.renderer import find_renderer
    from ..draw.tikz import dot_to_tikz_parts

    if find_renderer() is None:
        return "% no Graphviz renderer: the graph is left out\n"
    scale, parts = dot_to_tikz_parts(source, _TEXT_WIDTH, _TEXT_HEIGHT, LEAST_SCALE)
    more = "\\par{\\small\\itshape (the graph goes on over the page)}\n"
    return "".join("\\begin{center}\n" + part + (more if i < len(parts) - 1 else "")
                   + "\\end{center}\n" for i, part in enumerate(parts))


# -- HTML ------------------------------------------------------------------------------------

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-top: 1px solid #ccc;
     padding-top: 1em; }
pre.forward { background: #f6f6f6; padding: .6em 1em; font-size: 1em; }
.graph svg { max-width: 100%; height: auto; }
table.blanks td { padding: .25em .6em; } td.name { font-family: monospace; font-size: 1.05em; }
input.answer { width: 9em; font-size: 1em; padding: .2em; }
.ok { color: #1a7f37; font-weight: bold; } .bad { color: #d62728; font-weight: bold; }
.close { color: #b35900; font-weight: bold; }
button { font-size: 1em; padding: .4em 1.2em; margin: 1em 0; }
#score { font-size: 1.2em; font-weight: bold; }
.route { font-family: monospace; margin: .15em 0 .15em 1.5em; }
.note { color: #666; font-style: italic; }
@media print { button, #score, .verdict { display: none; } input.answer { border: none;
  border-bottom: 1px solid #000; } h2 { page-break-before: auto; }
  .exercise { page-break-inside: avoid; } }
"""

# The page's checker: the same rule as teach/check.py's is_close and parse_answer.
_SCRIPT = """
const DATA = JSON.parse(document.getElementById("answers").textContent);
function parseAnswer(text) {
  text = text.trim().replace("\\u2212", "-");
  if (text === "") return {error: "blank"};
  const fraction = text.match(/^([-+]?\\s*[\\d.]+(?:[eE][-+]?\\d+)?)\\s*\\/\\s*([-+]?[\\d.]+(?:[eE][-+]?\\d+)?)$/);
  let value;
  if (fraction) {
    const bottom = Number(fraction[2]);
    if (bottom === 0) return {error: "divides by zero"};
    value = Number(fraction[1].replace(/\\s/g, "")) / bottom;
  } else if (/^[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?$/.test(text)) {
    value = Number(text);
  } else {
    return {error: "not a number"};
  }
  if (!isFinite(value)) return {error: "not a number"};
  return {value: value};
}
function isClose(answer, expected) {
  const tol = Math.max(DATA.tolerance.absolute, DATA.tolerance.relative * Math.abs(expected));
  return Math.abs(answer - expected) <= tol;
}
function checkAll() {
  let right = 0, total = 0;
  for (const exercise of DATA.exercises) {
    for (const blank of exercise.blanks) {
      total += 1;
      const box = document.getElementById(blank.key);
      const verdict = document.getElementById(blank.key + "-verdict");
      const parsed = parseAnswer(box.value);
      if (parsed.error) {
        verdict.textContent = parsed.error === "blank" ? "" : "? " + parsed.error;
        verdict.className = "verdict close";
      } else if (isClose(parsed.value, blank.value)) {
        right += 1; verdict.textContent = "\\u2713 right"; verdict.className = "verdict ok";
      } else {
        verdict.textContent = "\\u2717 not yet"; verdict.className = "verdict bad";
      }
    }
  }
  document.getElementById("score").textContent = "score: " + right + " of " + total;
}
document.getElementById("check").addEventListener("click", checkAll);
"""


def _answers_json(exercises: list[Exercise], seed: int) -> str:
    data = {"seed": seed, "tolerance": TOLERANCE,
            "exercises": [{"number": e.number,
                           "blanks": [{"key": b.key, "name": b.name, "value": b.value}
                                      for b in e.blanks]} for e in exercises]}
    # "</" cannot end the script element early; JSON allows the escaped slash.
    return json.dumps(data, indent=1, sort_keys=True).replace("</", "<\\/")


def _page(title: str, body: list[str], script: str = "") -> str:
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>", f"<style>{_STYLE}</style>", "</head>",
        "<body>", *body, script, "</body>", "</html>", ""])


def _forward(problem: Problem) -> str:
    return f'<pre class="forward">{html.escape(problem.text())}</pre>'


def _instructions(problem: Problem) -> str:
    root = problem.root.label
    return (f"<p>Work backward from <b>{html.escape(root)}</b>: each gradient is the sum, "
            f"over the routes back to the node, of the product of the local derivatives "
            f"on the route.</p>")


def sheet_html(exercises: list[Exercise], seed: int) -> str:
    """The exercise sheet: one offline page that checks its own answers.

    >>> page = sheet_html(make_exercises(1, seed=5), 5)
    >>> page.startswith("<!DOCTYPE html>"), page.count('class="answer"')
    (True, 1)
    """
    body = [f"<h1>Backpropagation by hand: {len(exercises)} exercises</h1>",
            f"<p>Sheet {seed}. Fill in each gradient (a number or a fraction such as "
            f"<code>-3/4</code>; {ENOUGH_DIGITS} significant digits are enough), then press "
            f"<b>Check</b>. Everything works offline.</p>"]
    for exercise in exercises:
        problem = exercise.problem
        body += [f'<section class="exercise"><h2>Exercise {exercise.number}: '
                 f"{html.escape(problem.title)}</h2>", _forward(problem),
                 _instructions(problem),
                 f'<div class="graph">{_svg(_graph_source(problem, filled=False, page="html"))}</div>',
                 '<table class="blanks">']
        for blank in exercise.blanks:
            body.append(f'<tr><td class="name"><label for="{blank.key}">'
                        f'{html.escape(blank.name)} =</label></td><td><input class="answer" '
                        f'id="{blank.key}" autocomplete="off"></td><td><span class="verdict" '
                        f'id="{blank.key}-verdict"></span></td></tr>')
        body += ["</table></section>"]
    body += ['<button id="check" type="button">Check</button> <span id="score"></span>']
    script = (f'<script type="application/json" id="answers">{_answers_json(exercises, seed)}'
              f"</script>\n<script>{_SCRIPT}</script>")
    return _page(f"Backpropagation exercises (sheet {seed})", body, script)


def key_html(exercises: list[Exercise], seed: int) -> str:
    """The answer key: filled graphs and every gradient's routes.

    >>> page = key_html(make_exercises(1, seed=5), 5)
    >>> [line for line in page.splitlines() if line.startswith("<p><b>")]
    ['<p><b>dL/da = 0.333333333</b></p>']
    """
    body = [f"<h1>Answer key: sheet {seed}</h1>",
            "<p>Each gradient is written as the sum over its routes of the product of the "
            "local derivatives along the route.</p>"]
    for exercise in exercises:
        problem = exercise.problem
        body += [f'<section class="exercise"><h2>Exercise {exercise.number}: '
                 f"{html.escape(problem.title)}</h2>", _forward(problem),
                 f'<div class="graph">{_svg(_graph_source(problem, filled=True, page="html"))}</div>']
        for blank in exercise.blanks:
            body.append(f"<p><b>{html.escape(blank.name)} = {blank.answer}</b></p>")
            for route in blank.routes:
                formula = f" = {route.formula}" if route.formula else ""
                text = f"{route.chain}{formula} = {route.values}"
                if route.values != number_text(route.product):
                    text += f" = {number_text(route.product)}"
                body.append(f'<div class="route">{html.escape(text)}</div>')
        body.append("</section>")
    return _page(f"Backpropagation exercises: answer key (sheet {seed})", body)


# -- LaTeX ------------------------------------------------------------------------------------

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath}
\usepackage{graphicx}
\usepackage{tikz}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
% A gradient's steps, "= ..." under "= ...", as align* sets them; but each step is a line
% of text, which TeX breaks to the page width (after a + or a \cdot), where a display
% line (align*) runs off the page. A broken step goes on 1.5em further in.
\newlength{\stepslhs}
\newenvironment{steps}[1]{%
  \settowidth{\stepslhs}{$\displaystyle #1 = {}$}%
  \begin{list}{}{\setlength{\labelwidth}{\stepslhs}\setlength{\labelsep}{0pt}%
    \setlength{\leftmargin}{\dimexpr\stepslhs+1.5em}\setlength{\itemindent}{-1.5em}%
    \setlength{\itemsep}{0.15em}\setlength{\parsep}{0pt}\setlength{\topsep}{0.5em}}%
  \raggedright\setlength{\lineskip}{0.45em}}%
  {\end{list}}
"""


def _tex_names(text: str) -> str:
    """A forward-pass formula (``w1*i1 + w2*i2 + b1``, ``sigmoid(net_h1)``,
    ``1/2 (target_o1 - out_o1)**2``) in LaTeX, in the order it was written."""
    from .simplify import name_latex

    functions = {"sigmoid": r"\sigma", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log",
                 "relu": r"\operatorname{relu}"}
    out = []
    for token in re.findall(r"\*\*\d+|1/2 |[A-Za-z_][\w.]*|\d+\.?\d*|\S", text):
        if token.startswith("**"):
            out.append(f"^{{{token[2:]}}}")
        elif token == "1/2 ":
            out.append(r"\tfrac{1}{2}")
        elif token in functions:
            out.append(functions[token])
        elif token == "*":
            out.append(r" \cdot ")
        elif token in "+-":
            out.append(f" {token} ")
        elif re.match(r"[A-Za-z_]", token):
            out.append(name_latex(token))
        else:
            out.append(token)
    return "".join(out)


def _tex_forward(problem: Problem) -> str:
    from .simplify import name_latex

    leaves = [f"{name_latex(node.label)} = {number_latex(node.data)}"
              for node, formula in problem.lines if not formula]
    rows = [",\\quad ".join(leaves[i:i + 4]) for i in range(0, len(leaves), 4)]
    rows = [f"&{row}" for row in rows]
    for node, formula in problem.lines:
        if formula:
            rows.append(f"{name_latex(node.label)} &= {_tex_names(formula)} = "
                        f"{number_latex(node.data)}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def _tex_gradient(blank: Blank, root: Value) -> str:
    from .simplify import derivative_latex  # the gradient asked for: d, not ∂

    return derivative_latex(root.label, blank.label)


def sheet_tex(exercises: list[Exercise], seed: int) -> str:
    r"""The exercise sheet as a LaTeX document.

    >>> tex = sheet_tex(make_exercises(1, seed=5), 5)
    >>> tex.count(r"\underline"), tex.rstrip().endswith(r"\end{document}")
    (1, True)
    """
    parts = [_PREAMBLE, r"\begin{document}",
             rf"\section*{{Backpropagation by hand: {len(exercises)} exercises (sheet {seed})}}",
             "Fill in each gradient. Each is the sum, over the routes back to the node, of "
             "the product of the local derivatives on the route.", ""]
    for exercise in exercises:
        problem = exercise.problem
        parts += [rf"\subsection*{{Exercise {exercise.number}: {problem.title}}}",
                  _tex_forward(problem), _tikz(_graph_source(problem, filled=False)),
                  r"\begin{align*}"]
        rows = [rf"{_tex_gradient(blank, problem.root)} &= \underline{{\hspace{{4cm}}}}"
                for blank in exercise.blanks]
        parts += [" \\\\[0.6em]\n".join(rows), r"\end{align*}", ""]
    parts += [r"\end{document}", ""]
    return "\n".join(parts)


def key_tex(exercises: list[Exercise], seed: int) -> str:
    r"""The answer key as a LaTeX document: filled graphs, and each gradient's steps
    (its routes, their values, the sum) in a ``steps`` list, lines TeX breaks to fit.

    >>> tex = key_tex(make_exercises(1, seed=5), 5)
    >>> tex.count(r"\subsection*"), r"\item[$\displaystyle \frac{d L}{d a} = {}$]" in tex
    (1, True)
    >>> for line in tex.splitlines():
    ...     if line.startswith(r"\item"):
    ...         print(line)
    \item[$\displaystyle \frac{d L}{d a} = {}$] $\displaystyle \frac{1}{a}$
    \item[${} = {}$] $\displaystyle 0.333333333$
    """
    parts = [_PREAMBLE, r"\begin{document}",
             rf"\section*{{Answer key (sheet {seed})}}", ""]
    for exercise in exercises:
        problem = exercise.problem
        parts += [rf"\subsection*{{Exercise {exercise.number}: {problem.title}}}",
                  _tex_forward(problem), _tikz(_graph_source(problem, filled=True))]
        for blank in exercise.blanks:
            chains = " + ".join(route.latex for route in blank.routes) or "0"
            products = " + ".join(
                r" \cdot ".join(_tex_paren(v) for v in route.values.split(" * "))
                for route in blank.routes) or "0"
            left = _tex_gradient(blank, problem.root)
            steps = [chains, products, number_latex(blank.value)]
            if chains == partial_latex(problem.root.label, blank.label):
                # one route of one factor: the gradient is that local derivative
                steps = [number_latex(blank.value)]
            elif products == number_latex(blank.value):
                steps = steps[:2]
            if any(route.formula for route in blank.routes):
                formulas = " + ".join(route.formula_latex or
                                      r" \cdot ".join(_tex_paren(v) for v in route.values.split(" * "))
                                      for route in blank.routes)
                steps.insert(1 if len(steps) > 1 else 0, formulas)  # after the routes
            if len(blank.routes) > 1 and steps[0] == chains:
                # each route of local derivatives from a line of its own: a reader
                # follows a route through the graph, not where the page width ends
                steps[0] = " + {}$\\newline$\\displaystyle ".join(
                    route.latex for route in blank.routes)
            labels = [rf"$\displaystyle {left} = {{}}$"] + ["${} = {}$"] * (len(steps) - 1)
            parts += [rf"\begin{{steps}}{{{left}}}",
                      *(rf"\item[{label}] $\displaystyle {step}$"
                        for label, step in zip(labels, steps)),
                      r"\end{steps}"]
        parts.append("")
    parts += [r"\end{document}", ""]
    return "\n".join(parts)


def _tex_paren(value: str) -> str:
    number = number_latex(float(value))
    return f"({number})" if number.startswith("-") else number


# -- files -----------------------------------------------------------------------------------


def write_exercises(folder: str | os.PathLike[str], count: int = 10,
                    seed: int = 0) -> dict[str, Path]:
    """Writes ``sheet.html``, ``key.html``, ``sheet.tex`` and ``key.tex`` into
    ``folder`` (made if missing); returns their paths by name.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = write_exercises(folder, count=2, seed=1)
    ...     sorted(files), "Check" in files["sheet.html"].read_text()
    (['key.html', 'key.tex', 'sheet.html', 'sheet.tex'], True)
    """
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"write_exercises: folder must be a str or a path, got "
                        f"{type(folder).__name__}")
    exercises = make_exercises(count, seed)
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    texts = {"sheet.html": sheet_html(exercises, seed), "key.html": key_html(exercises, seed),
             "sheet.tex": sheet_tex(exercises, seed), "key.tex": key_tex(exercises, seed)}
    written = {}
    for name, text in texts.items():
        written[name] = path / name
        write_atomically(written[name], text.encode("utf-8"))
    return written
