"""Pictures of computation graphs: SVG structure, labels, local derivatives on edges,
highlighted routes, truncation, the renderer search and the .dot fallback.

SVG is checked by structure (groups, titles, texts, stroke colours), never by bytes:
layouts differ between Graphviz versions.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_tiny import Value
from autograd_tiny.draw import renderer
from autograd_tiny.draw.renderer import RenderError, RendererNotFound, find_renderer, to_svg
from autograd_tiny.draw.dot import (
    FOCUS_COLOR,
    HIGHLIGHT_COLOR,
    draw_dot,
    notebook_svg,
    render,
)

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
SVG = "{http://www.w3.org/2000/svg}"


# -- reading SVG ---------------------------------------------------------------------


class Picture:
    """The parts of a rendered graph a test looks at."""

    def __init__(self, svg: str) -> None:
        self.tree = ET.fromstring(svg)
        self.nodes = {self._title(g): g for g in self._groups("node")}
        self.edges = [(self._title(g), g) for g in self._groups("edge")]

    def _groups(self, kind: str) -> list[ET.Element]:
        return [g for g in self.tree.iter(f"{SVG}g") if g.get("class") == kind]

    @staticmethod
    def _title(group: ET.Element) -> str:
        return group.find(f"{SVG}title").text  # type: ignore[union-attr]

    @staticmethod
    def texts(group: ET.Element) -> list[str]:
        return [t.text or "" for t in group.iter(f"{SVG}text")]

    @property
    def values(self) -> dict[str, ET.Element]:
        return {t: g for t, g in self.nodes.items() if re.fullmatch(r"v\d+", t)}

    @property
    def ops(self) -> dict[str, ET.Element]:
        return {t: g for t, g in self.nodes.items() if re.fullmatch(r"v\d+_op", t)}

    def value_id(self, label: str) -> str:
        (found,) = [t for t, g in self.values.items() if self.texts(g)[0] == label]
        return found

    def edges_into_op_of(self, child: str, parent: str) -> list[ET.Element]:
        """The drawn edges from ``parent`` into the op that made ``child`` (labels)."""
        title = f"{self.value_id(parent)}->{self.value_id(child)}_op"
        return [g for t, g in self.edges if t == title]

    def label_of(self, title: str) -> str:
        """The record label (first field) of a value id, or the op node's symbol."""
        return self.texts(self.nodes[title])[0]

    def stroke(self, group: ET.Element) -> str:
        """The outline colour: of the edge's line, or of the node's first shape."""
        shapes = [e for e in group.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon",
                                                       f"{SVG}ellipse")]
        return shapes[0].get("stroke")  # type: ignore[return-value]

    def coloured_edges(self, colour: str) -> set[str]:
        """Edge titles drawn in ``colour``, with value ids replaced by labels."""
        found = set()
        for title, group in self.edges:
            if self.stroke(group).lower() == colour.lower():
                tail, head = title.split("->")
                found.add(f"{self._name(tail)}->{self._name(head)}")
        return found

    def _name(self, node_id: str) -> str:
        base = node_id.removesuffix("_op")
        name = self.label_of(base)
        return f"op({name})" if node_id.endswith("_op") else name


def neuron() -> dict[str, Value]:
    """micrograd's lecture neuron, after backward: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1; x1w1.label = "x1*w1"
    x2w2 = x2 * w2; x2w2.label = "x2*w2"
    s = x1w1 + x2w2; s.label = "s"
    n = s + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    o.backward()
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, s=s, n=n, o=o)


def picture(root: Value, **options: object) -> Picture:
    return Picture(to_svg(draw_dot(root, **options)))


# -- structure and labels --------------------------------------------------------------


@needs_renderer
def test_the_neuron_has_a_record_per_value_an_op_per_operation_and_an_edge_per_input():
    p = picture(neuron()["o"])
    # 10 values; 5 operations (two *, two +, tanh); 9 inputs into ops + 5 op -> value.
    assert len(p.values) == 10
    assert sorted(p.label_of(t) for t in p.ops) == ["*", "*", "+", "+", "tanh"]
    assert len(p.edges) == 9 + 5
    assert "legend" in p.nodes and "note" not in p.nodes


@needs_renderer
def test_records_show_label_data_and_grad_with_four_decimals():
    p = picture(neuron()["o"])
    records = {p.texts(g)[0]: p.texts(g)[1:] for g in p.values.values()}
    # The lecture's numbers: o = tanh(0.8814) = 0.7071, do/dn = 1 - 0.7071**2 = 0.5,
    # dx1 = w1 * 0.5, dw1 = x1 * 0.5, dw2 = x2 * 0.5 = 0.
    assert records["o"] == ["data 0.7071", "grad 1.0000"]
    assert records["n"] == ["data 0.8814", "grad 0.5000"]
    assert records["x1"] == ["data 2.0000", "grad -1.5000"]
    assert records["w1"] == ["data -3.0000", "grad 1.0000"]
    assert records["w2"] == ["data 1.0000", "grad 0.0000"]


@needs_renderer
def test_small_gradients_keep_four_significant_digits_as_the_text_beside_them():
    """Mazur's dE/dw1 = 0.000438568: the demo's text prints it to nine digits, and the
    picture beside it used to print 0.0004."""
    from autograd_tiny.teach import walkthrough

    nodes = walkthrough.network()
    nodes["E_total"].backward()
    p = picture(nodes["E_total"])
    records = {p.texts(g)[0]: p.texts(g)[1:] for g in p.values.values()}
    assert records["w1"] == ["data 0.1500", "grad 0.0004386"]
    assert records["w4"] == ["data 0.3000", "grad 0.0009954"]
    assert records["w5"] == ["data 0.4000", "grad 0.0822"]


@needs_renderer
def test_every_edge_into_an_op_carries_the_local_derivative():
    p = picture(neuron()["o"])
    expected = {  # (child, parent): d child / d parent at the lecture's numbers
        ("x1*w1", "x1"): "-3.0000", ("x1*w1", "w1"): "2.0000",
        ("x2*w2", "x2"): "1.0000", ("x2*w2", "w2"): "0.0000",
        ("s", "x1*w1"): "1.0000", ("s", "x2*w2"): "1.0000",
        ("n", "s"): "1.0000", ("n", "b"): "1.0000",
        ("o", "n"): "0.5000",
    }
    for (child, parent), label in expected.items():
        (edge,) = p.edges_into_op_of(child, parent)
        assert p.texts(edge) == [label], (child, parent)
    # Edges from an op to the value it made carry no number.
    unlabelled = [t for t, g in p.edges if t.split("->")[0].endswith("_op")]
    assert len(unlabelled) == 5
    assert all(not p.texts(g) for t, g in p.edges if t in unlabelled)


@needs_renderer
def test_a_plus_a_draws_two_edges_each_with_its_own_local_derivative():
    a = Value(3.0, label="a")
    b = a + a; b.label = "b"
    c = a * a; c.label = "c"
    p = picture(b + c)
    assert [p.texts(e) for e in p.edges_into_op_of("b", "a")] == [["1.0000"], ["1.0000"]]
    assert [p.texts(e) for e in p.edges_into_op_of("c", "a")] == [["3.0000"], ["3.0000"]]


@needs_renderer
def test_leaves_intermediates_and_the_output_have_different_fills():
    nodes = neuron()
    p = picture(nodes["o"])
    fill = {label: p.values[p.value_id(label)].find(f"{SVG}polygon").get("fill")
            for label in ("x1", "w1", "x1*w1", "n", "o")}
    assert fill["x1"] == fill["w1"]
    assert fill["x1*w1"] == fill["n"]
    assert len({fill["x1"], fill["n"], fill["o"]}) == 3


@needs_renderer
def test_labels_with_record_syntax_are_shown_exactly():
    nasty = 'w{1}|<in> "q" back\\slash'
    x = Value(1.5, label=nasty)
    p = picture(x * 2)
    assert nasty in [p.texts(g)[0] for g in p.values.values()]


def test_show_grad_and_show_local_can_be_turned_off():
    o = neuron()["o"]
    source = draw_dot(o, show_grad=False, show_local=False).source
    assert "grad " not in source and "data 0.7071" in source
    assert not re.search(r"->[^\n]*label=", source)
    assert re.search(r"->[^\n]*label=", draw_dot(o).source)


# -- highlight and focus ------------------------------------------------------------


@needs_renderer
def test_highlight_colours_the_route_of_the_gradient_to_a_weight():
    nodes = neuron()
    p = picture(nodes["o"], highlight=nodes["w1"])
    assert p.coloured_edges(HIGHLIGHT_COLOR) == {
        "w1->op(x1*w1)", "op(x1*w1)->x1*w1", "x1*w1->op(s)", "op(s)->s",
        "s->op(n)", "op(n)->n", "n->op(o)", "op(o)->o",
    }
    assert p.stroke(p.values[p.value_id("w1")]).lower() == HIGHLIGHT_COLOR
    assert p.stroke(p.values[p.value_id("x1")]).lower() != HIGHLIGHT_COLOR


@needs_renderer
def test_highlight_follows_every_route_and_skips_unrelated_inputs():
    a, b, c, e = (Value(v, label=name) for v, name in ((2.0, "a"), (3.0, "b"), (4.0, "c"),
                                                        (5.0, "e")))
    ab = a * b; ab.label = "ab"
    ac = a * c; ac.label = "ac"
    s = ab + ac; s.label = "s"
    y = s * e; y.label = "y"
    p = picture(y, highlight=a)
    assert p.coloured_edges(HIGHLIGHT_COLOR) == {
        "a->op(ab)", "op(ab)->ab", "a->op(ac)", "op(ac)->ac",
        "ab->op(s)", "ac->op(s)", "op(s)->s", "s->op(y)", "op(y)->y",
    }


@needs_renderer
def test_no_route_is_coloured_when_a_zero_local_derivative_blocks_the_gradient():
    nodes = neuron()  # x2 = 0, so d(x2*w2)/dw2 = 0: w2 gets no gradient (the lecture's point)
    p = picture(nodes["o"], highlight=nodes["w2"])
    assert p.coloured_edges(HIGHLIGHT_COLOR) == set()
    assert any("no gradient reaches w2" in text for text in p.texts(p.nodes["note"]))


def test_highlighting_a_value_outside_the_graph_is_an_error():
    with pytest.raises(ValueError, match="highlight"):
        draw_dot(neuron()["o"], highlight=Value(1.0))


@needs_renderer
def test_focus_node_and_focus_edge_get_their_own_colour():
    nodes = neuron()
    p = picture(nodes["o"], focus_node=nodes["n"], focus_edge=(nodes["n"], nodes["o"]))
    assert p.coloured_edges(FOCUS_COLOR) == {"n->op(o)"}
    assert p.stroke(p.values[p.value_id("n")]).lower() == FOCUS_COLOR


def test_focus_edge_must_join_an_input_to_its_child():
    nodes = neuron()
    with pytest.raises(ValueError, match="focus_edge"):
        draw_dot(nodes["o"], focus_edge=(nodes["x1"], nodes["o"]))
    with pytest.raises(TypeError, match="focus_edge"):
        draw_dot(nodes["o"], focus_edge=(nodes["n"],))


# -- big graphs ------------------------------------------------------------------------


def chain(length: int) -> Value:
    """``length`` values: a leaf and ``length - 1`` sines, each using the one before."""
    v = Value(0.5, label="x")
    for _ in range(length - 1):
        v = v.sin()
    return v


@needs_renderer
def test_beyond_max_nodes_the_nearest_values_are_drawn_and_the_rest_counted():
    p = picture(chain(1000), max_nodes=50)
    assert len(p.values) == 50
    assert any("950 more values not drawn" in text for text in p.texts(p.nodes["note"]))
    # The last drawn value's op has an input that is not drawn: its outline is dashed.
    dashed = [t for t, g in p.ops.items()
              if any(e.get("stroke-dasharray") for e in g.iter(f"{SVG}ellipse"))]
    assert dashed == ["v49_op"]


def test_a_100_000_deep_chain_is_drawn_without_recursion():
    source = draw_dot(chain(100_000)).source
    assert "99,600 more values not drawn" in source
    assert len(re.findall(r"^\tv\d+ \[", source, flags=re.M)) == 400


@needs_renderer
def test_a_200_value_graph_renders_every_value():
    root = sum((Value(float(i)) * Value(0.5) for i in range(66)), Value(0.0))
    # 66 products of 2 leaves and 66 sums onto a start value: 66*3 + 66 + 1 values.
    p = picture(root, max_nodes=1000)
    assert len(p.values) == 66 * 3 + 66 + 1
    assert len(p.ops) == 66 * 2


@pytest.mark.slow
@needs_renderer
def test_a_2000_value_graph_renders_every_value():
    root = sum((Value(float(i)) * Value(0.5) for i in range(666)), Value(0.0))
    p = picture(root, max_nodes=3000)
    assert len(p.values) == 666 * 3 + 666 + 1


def test_the_source_is_the_same_for_the_same_graph():
    assert draw_dot(neuron()["o"]).source == draw_dot(neuron()["o"]).source


# -- arguments -------------------------------------------------------------------------


def test_bad_arguments_name_draw_dot_and_the_problem():
    o = neuron()["o"]
    with pytest.raises(TypeError, match="draw_dot: root must be a Value, got float"):
        draw_dot(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(o, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(o, max_nodes=0)
    with pytest.raises(TypeError, match="max_nodes"):
        draw_dot(o, max_nodes=2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="highlight"):
        draw_dot(o, highlight="w1")  # type: ignore[arg-type]
    assert "rankdir=TB" in draw_dot(o, rankdir="TB").source


# -- render: files, formats, fallback ---------------------------------------------------


@needs_renderer
def test_render_writes_svg_and_png_by_suffix(tmp_path):
    o = neuron()["o"]
    svg = render(o, tmp_path / "n.svg")
    png = render(o, str(tmp_path / "n.png"))
    assert len(Picture(svg.read_text()).values) == 10
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.png", "n.svg"]


@needs_renderer
def test_pdf_without_a_pdf_renderer_names_the_renderer(tmp_path):
    binary = find_renderer()
    if "pdf" in renderer.supported_formats(binary):
        assert render(neuron()["o"], tmp_path / "n.pdf").read_bytes().startswith(b"%PDF")
        return
    with pytest.raises(RenderError, match=renderer.renderer_name(binary)):
        render(neuron()["o"], tmp_path / "n.pdf")
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(ValueError, match="suffix"):
        render(neuron()["o"], tmp_path / "n.jpeg2000")
    with pytest.raises(TypeError, match="render: path"):
        render(neuron()["o"], 42)  # type: ignore[arg-type]


def test_without_a_renderer_the_dot_source_is_written_and_the_error_says_how(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    assert find_renderer() is None
    with pytest.raises(RendererNotFound, match="pip install graphviz-pure") as caught:
        render(neuron()["o"], tmp_path / "n.svg")
    assert str(tmp_path / "n.dot") in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.dot"]
    assert "data 0.7071" in (tmp_path / "n.dot").read_text()


def test_dot_output_needs_no_renderer(tmp_path, monkeypatch):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    nodes = neuron()
    written = render(nodes["o"], tmp_path / "n.dot", highlight=nodes["w1"])
    assert written.read_text().startswith("digraph")
    assert HIGHLIGHT_COLOR in written.read_text()


@needs_renderer
def test_the_renderer_is_found_next_to_python_when_path_is_empty(monkeypatch):
    beside_python = Path(sys.executable).parent / "graphviz-pure"
    if not beside_python.exists():
        pytest.skip("graphviz-pure is not installed next to this Python")
    monkeypatch.delenv(renderer.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", "")
    assert Path(find_renderer()).name == "graphviz-pure"


def test_the_environment_variable_decides_which_renderer(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-dot"
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, str(missing))
    assert find_renderer() is None
    assert str(missing) in renderer.missing_renderer_message()


@pytest.fixture
def fake_renderer(tmp_path, monkeypatch):
    """Points the search at a shell script; returns a function that sets its body."""
    if os.name != "posix":
        pytest.skip("shell script renderer")
    script = tmp_path / "fake-dot"

    def install(body: str) -> None:
        script.write_text("#!/bin/sh\n" + body + "\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        renderer.supported_formats.cache_clear()
        monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, str(script))

    yield install
    renderer.supported_formats.cache_clear()


def test_a_failing_renderer_is_a_render_error_and_writes_nothing(tmp_path, fake_renderer):
    fake_renderer('echo "Error: syntax error in line 1" >&2; exit 1')
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RenderError, match="fake-dot failed.*syntax error in line 1"):
        render(neuron()["o"], out / "n.svg")
    assert list(out.iterdir()) == []


def test_a_renderer_that_hangs_is_stopped(tmp_path, fake_renderer, monkeypatch):
    fake_renderer("sleep 10")
    monkeypatch.setattr(renderer, "TIMEOUT_SECONDS", 0.3)
    with pytest.raises(RenderError, match="took longer"):
        render(neuron()["o"], tmp_path / "n.svg")


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary(tmp_path, monkeypatch):
    def refuse(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        render(neuron()["o"], tmp_path / "n.dot")
    assert list(tmp_path.iterdir()) == []


# -- Jupyter -----------------------------------------------------------------------------


@needs_renderer
def test_notebook_svg_draws_small_graphs_whole_and_big_ones_cut_with_a_note(monkeypatch):
    small = notebook_svg(neuron()["o"])
    assert small is not None and len(Picture(small).values) == 10
    big = Picture(notebook_svg(chain(1000)))
    assert len(big.values) == 150
    assert any("850 more values not drawn" in t for t in big.texts(big.nodes["note"]))
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    assert notebook_svg(neuron()["o"]) is None


def test_to_svg_wants_a_digraph():
    with pytest.raises(TypeError, match="to_svg: expected a graphviz.Digraph, got str"):
        to_svg("digraph { a -> b }")


def test_focus_edge_with_a_slot_picks_one_of_two_identical_edges():
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    for slot in (0, 1):
        source = draw_dot(y, focus_edge=(x, y, slot)).source
        edges = [line for line in source.splitlines() if "-> v0_op" in line]
        focused = [i for i, line in enumerate(edges) if "penwidth=3" in line]
        assert len(edges) == 2 and focused == [slot]
    both = draw_dot(y, focus_edge=(x, y)).source
    assert sum("penwidth=3" in line for line in both.splitlines() if "-> v0_op" in line) == 2
    with pytest.raises(ValueError, match="not that input"):
        draw_dot(y, focus_edge=(x, y, 2))


@needs_renderer
def test_every_local_derivative_on_an_edge_has_a_white_halo():
    """Where another edge or a box runs behind an edge's number, a white outline under
    the letters keeps the digits whole; a value's record text has none."""
    p = picture(neuron()["o"])
    numbers = [t for _, g in p.edges for t in g.iter(f"{SVG}text")]
    assert len(numbers) == 9
    for t in numbers:
        assert t.get("paint-order") == "stroke" and t.get("stroke") == "#ffffff", t.text
    assert not any(t.get("paint-order") for g in p.values.values() for t in g.iter(f"{SVG}text"))
