"""render(root, "graph.tex"): a TikZ picture with the SVG's content, positions from
Graphviz's layout; compiled with pdflatex where one is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from autograd_tiny import Value, render
from autograd_tiny.draw.dot import HIGHLIGHT_COLOR
from autograd_tiny.draw.renderer import find_renderer
from autograd_tiny.draw.tikz import document, dot_to_tikz, tikz_escape, tikz_picture

pytestmark = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
SVG = "{http://www.w3.org/2000/svg}"


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    o.backward()
    return o, w1


def node_texts(tex: str) -> list[str]:
    return re.findall(r"\\node\[[^\]]*\] at \([^)]*\) \{(?:\\setbox0\\hbox\{)?(.*?)\}", tex)


def test_same_texts_as_the_svg(tmp_path):
    o, w1 = neuron()
    tex = render(o, tmp_path / "g.tikz", highlight=w1).read_text()
    svg = ET.parse(render(o, tmp_path / "g.svg", highlight=w1))
    svg_texts = sorted((t.text or "").strip() for t in svg.iter(f"{SVG}text"))
    tikz_texts = sorted(t.replace("\\_", "_").replace("$\\partial$", "∂").strip()
                        for t in node_texts(tex))
    assert tikz_texts == svg_texts
    for expected in ("data 0.7071", "grad 0.5000", "grad -1.5000", "-3.0000", "tanh"):
        assert expected in tikz_texts
    # the highlighted route is drawn in the highlight colour
    red = HIGHLIGHT_COLOR.lstrip("#").upper()
    assert f"\\definecolor{{gv{red}}}{{HTML}}{{{red}}}" in tex
    assert tex.count(f"draw=gv{red}") >= 8


def test_positions_come_from_the_layout():
    tex = dot_to_tikz('digraph { rankdir=LR; a -> b }')
    xs = [float(x) for x in re.findall(r"\(([\d.]+),[\d.]+\) ellipse", tex)]
    assert len(xs) == 2 and xs[1] > xs[0] + 50  # b right of a, as Graphviz put it
    assert "\\begin{tikzpicture}" in tex and tex.rstrip().endswith("\\endgroup")
    bare = dot_to_tikz('digraph { rankdir=LR; a -> b }', fit=False)
    assert bare.rstrip().endswith("\\end{tikzpicture}") and "\\scalebox" not in bare


def test_document_and_escaping(tmp_path):
    a = Value(1.5, label="L1.N1.w_1 #2 {x}")
    y = a * 2; y.backward()
    tex = render(y, tmp_path / "g.tex").read_text()
    assert tex.startswith("\\documentclass{article}") and "\\end{document}" in tex
    assert tikz_escape("L1.N1.w_1 #2 {x}") in tex
    assert tex.count("\\begin{tikzpicture}") == tex.count("\\end{tikzpicture}") == 1
    with pytest.raises(TypeError, match="tikz_picture: root must be a Value"):
        tikz_picture("x")  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation")
def test_compiles_with_pdflatex(tmp_path):
    o, w1 = neuron()
    path = render(o, tmp_path / "graph.tex", highlight=w1)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          path.name], cwd=tmp_path, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "graph.pdf").stat().st_size > 5000
    # the page is the picture's size, so the picture keeps its own (labels 10-14 pt)
    log = (tmp_path / "graph.log").read_text(errors="replace")
    assert logged_scale(log) == 1.0 and not overfull(log)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation")
def test_a_network_picture_compiles_with_pdflatex(tmp_path):
    """Mazur's network as TikZ: its δ and ∂ come out as LaTeX's own symbols."""
    from autograd_tiny import draw_network
    from autograd_tiny.teach.walkthrough import model
    tex = tmp_path / "network.tex"
    picture = draw_network(model(), [0.05, 0.1], [0.01, 0.99], highlight="w1")
    tex.write_text(document(dot_to_tikz(picture.source)), encoding="utf-8")
    assert "$\\delta$" in tex.read_text(encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          tex.name], cwd=tmp_path, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stdout[-2000:]


def overfull(log: str) -> list[float]:
    """How many pt each Overfull \\hbox in a pdflatex log is too wide."""
    return [float(pt) for pt in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


# An \input picture in the two places the README and `graph --help` name, written as they
# write them: a Beamer frame with a title, an article's centred line. Each must fit; the
# scale the picture chose is in the log.
PLACES = {
    "beamer": "\\documentclass{beamer}\n\\usepackage{tikz}\n\\begin{document}\n"
              "\\begin{frame}{A neuron} \\input{neuron.tikz} \\end{frame}\n\\end{document}\n",
    "article": "\\documentclass{article}\n\\usepackage{tikz}\n\\begin{document}\n"
               "Before the picture.\n\\begin{center} \\input{neuron.tikz} \\end{center}\n"
               "\\end{document}\n",
}


def compile_in(tmp_path, place: str, *flags: str) -> tuple[float, float, str]:
    """The lecture neuron drawn by `autograd-tiny graph ... --output neuron.tikz` and
    input in ``place``: its width and height in bp, and pdflatex's log."""
    from autograd_tiny.cli import main

    assert main(["graph", "tanh(x1*w1 + x2*w2 + b)", "--set", "x1=2", "x2=0", "w1=-3",
                 "w2=1", "b=6.8813735870195432", "--highlight", "w1", *flags, "--output",
                 str(tmp_path / "neuron.tikz")]) == 0
    size = re.search(r"% bounding box: ([\d.]+) x ([\d.]+) bp",
                     (tmp_path / "neuron.tikz").read_text())
    (tmp_path / f"{place}.tex").write_text(PLACES[place])
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", f"{place}.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-2000:]
    return (float(size.group(1)), float(size.group(2)),
            (tmp_path / f"{place}.log").read_text(errors="replace"))


def logged_scale(log: str) -> float:
    return float(re.search(r"autograd_tiny: graph [\d.]+ x [\d.]+ bp drawn at scale "
                           r"([\d.]+)", log).group(1))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation")
@pytest.mark.parametrize("place", sorted(PLACES))
def test_an_input_picture_fits_the_line(tmp_path, place):
    width, _, log = compile_in(tmp_path, place)
    assert width > 1000  # the case the fitting is for: far wider than any page
    assert not [pt for pt in overfull(log) if pt > 2.0], overfull(log)
    # the picture is exactly as wide as the line: Beamer's 4:3 frame is 128 mm less
    # its margins (about 307 pt), article's default line 345 pt
    line = {"beamer": 307.3, "article": 345.0}[place]
    assert logged_scale(log) * width * 72.27 / 72 == pytest.approx(line, abs=2.0)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation")
def test_a_tall_picture_fits_a_frame_under_its_title(tmp_path):
    """Top to bottom the neuron is 803 bp tall: it shrinks to the frame's height (less
    room for the title), not only to its width."""
    width, height, log = compile_in(tmp_path, "beamer", "--rankdir", "TB")
    assert height > width
    assert logged_scale(log) < 307.3 / width  # the height set the scale
    assert "Overfull \\vbox" not in log and not [pt for pt in overfull(log) if pt > 2.0]


def test_a_tall_graph_is_cut_between_rows_of_nodes():
    from autograd_tiny.draw.tikz import dot_to_tikz_parts

    chain = "digraph { " + " -> ".join(f"n{i}" for i in range(12)) + " }"
    scale, parts = dot_to_tikz_parts(chain, 400, 300)
    assert scale == 1.0 and len(parts) == 3
    layout_ys = []
    for part in parts:
        low, high = (float(v) for v in re.search(
            r"from y=([\d.]+) to y=([\d.]+) bp", part).groups())
        assert high - low <= 300.0
        # each ellipse is whole inside its part: none is cut
        for y, ry in re.findall(r"\([\d.]+,([\d.]+)\) ellipse \[x radius=[\d.]+, "
                                r"y radius=([\d.]+)\]", part):
            if low <= float(y) <= high:
                assert low <= float(y) - float(ry) and float(y) + float(ry) <= high
                layout_ys.append(float(y))
    assert len(layout_ys) == 12  # every node is drawn whole in one part
    # shrunk to one page instead when that keeps the text at least half its size
    scale, parts = dot_to_tikz_parts(chain, 400, 600, least_scale=0.5)
    assert len(parts) == 1 and 0.5 <= scale < 1.0
