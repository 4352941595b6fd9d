"""What draw_dot returns: a Drawing that shows itself in Jupyter with the renderer
this package finds (the pip ``graphviz-pure`` alone included), renders and pipes
through it, accepts micrograd's ``format=``/``rankdir=``, and says at the REPL how to
see it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import graphviz
import pytest

from autograd_tiny import Value, draw_dot
from autograd_tiny.draw import renderer
from autograd_tiny.draw.picture import Drawing
from autograd_tiny.draw.renderer import RendererNotFound, find_renderer

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")


def lecture_neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    return o


@pytest.fixture
def pip_renderer_only(monkeypatch):
    """PATH without any `dot`: only the pip binary next to this Python remains."""
    beside_python = Path(sys.executable).parent / "graphviz-pure"
    if not beside_python.exists():
        pytest.skip("graphviz-pure is not installed next to this Python")
    monkeypatch.delenv(renderer.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert shutil.which("dot") is None
    assert Path(find_renderer()).name == "graphviz-pure"


def test_the_notebook_gets_svg_from_the_pip_renderer_alone(pip_renderer_only):
    drawing = draw_dot(lecture_neuron(), format="svg", rankdir="LR")  # micrograd's call
    bundle = drawing._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    svg = bundle["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert ">o</text>" in svg and "data 0.7071" in svg
    # What the issue reported: a plain Digraph of the same source looks for `dot`.
    plain = graphviz.Digraph()
    plain.edge("a", "b")
    with pytest.raises(graphviz.ExecutableNotFound):
        plain._repr_mimebundle_()


def test_pipe_and_render_use_the_pip_renderer(pip_renderer_only, tmp_path):
    drawing = draw_dot(lecture_neuron())
    assert drawing.pipe(format="png").startswith(b"\x89PNG")
    written = drawing.render(tmp_path / "graph.svg")
    assert written == str(tmp_path / "graph.svg")
    assert "</svg>" in Path(written).read_text()
    # graphviz's own convention: a name without a suffix gets the source and name.svg
    written = drawing.render(str(tmp_path / "gout"))
    assert written == str(tmp_path / "gout.svg")
    assert (tmp_path / "gout").read_text().startswith("digraph")
    assert drawing.render(tmp_path / "again", format="png", cleanup=True).endswith(".png")
    assert not (tmp_path / "again").exists() and (tmp_path / "again.png").exists()


# The calls micrograd's lecture notebooks and graphviz's docs make on what draw_dot
# returns; each is (args, kwargs) for render().
GRAPHVIZ_STYLE_CALLS = [
    ((), {}),
    (("gout",), {}),
    (("x.gv",), {"format": "png", "cleanup": True}),
    ((), {"outfile": "o.png"}),
    ((), {"format": "png"}),
]


@needs_renderer
def test_render_names_files_as_the_graphviz_package_does(tmp_path, monkeypatch):
    """The reported defect: render() with no name wrote only autograd_tiny.gv. Run the
    same calls on a plain graphviz.Digraph (its `dot` is our renderer under that name)
    and on draw_dot's Drawing, each in its own folder: same files, same return values."""
    binary = find_renderer()
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "dot").symlink_to(binary)
    monkeypatch.setenv("PATH", f"{bin_folder}:/nonexistent")
    ours = draw_dot(lecture_neuron())
    theirs = graphviz.Digraph(name=ours.name, format="svg", body=list(ours.body))
    results = {}
    for who, drawing in (("graphviz", theirs), ("ours", ours)):
        folder = tmp_path / who
        folder.mkdir()
        monkeypatch.chdir(folder)
        returned = [drawing.render(*args, **kwargs) for args, kwargs in GRAPHVIZ_STYLE_CALLS]
        results[who] = returned, sorted(p.name for p in folder.iterdir())
    assert results["ours"] == results["graphviz"]
    returned, files = results["ours"]
    assert returned[0] == "autograd_tiny.gv.svg"
    # render() after render(outfile="o.png") reuses the source name o.gv, as graphviz does
    assert files == ["autograd_tiny.gv", "autograd_tiny.gv.svg", "gout", "gout.svg",
                     "o.gv", "o.gv.png", "o.png", "x.gv.png"]
    picture = (tmp_path / "ours" / "autograd_tiny.gv.svg").read_text()
    assert "</svg>" in picture and "data 0.7071" in picture
    assert (tmp_path / "ours" / "autograd_tiny.gv").read_text() == ours.source


def test_render_with_a_directory_puts_both_files_there(tmp_path):
    drawing = Drawing(name="spam", directory=tmp_path / "out", format="dot")
    drawing.edge("a", "b")
    written = drawing.render()
    assert written == str(tmp_path / "out" / "spam.gv.dot")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["spam.gv", "spam.gv.dot"]
    # an explicit path with a picture's suffix stays one file, as the project documents
    assert drawing.render(tmp_path / "alone.dot") == str(tmp_path / "alone.dot")
    assert not (tmp_path / "alone.dot.dot").exists()


def test_without_any_renderer_the_notebook_shows_one_line_not_a_traceback(monkeypatch):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    drawing = draw_dot(lecture_neuron())
    bundle = drawing._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "pip install graphviz-pure" in bundle["text/plain"]
    with pytest.raises(RendererNotFound):
        drawing.pipe()
    assert drawing.pipe(format="dot").startswith(b"digraph")


def test_the_repl_repr_says_how_to_see_the_graph():
    drawing = draw_dot(lecture_neuron())
    text = repr(drawing)
    assert text.startswith("<Drawing 'autograd_tiny': ")
    assert ".render('graph.svg')" in text and "Jupyter" in text
    assert "object at 0x" not in text


def test_format_defaults_to_svg_and_is_checked():
    o = lecture_neuron()
    assert draw_dot(o).format == "svg"
    assert draw_dot(o, format="png").format == "png"
    assert isinstance(draw_dot(o), (Drawing, graphviz.Digraph))
    with pytest.raises(ValueError, match="draw_dot: unknown format 'svgz2'"):
        draw_dot(o, format="svgz2")
    with pytest.raises(TypeError, match="draw_dot: format must be a string"):
        draw_dot(o, format=3)  # type: ignore[arg-type]


def test_positional_rankdir_is_no_longer_the_second_argument_but_keywords_work():
    o = lecture_neuron()
    assert "rankdir=TB" in draw_dot(o, rankdir="TB").source


@needs_renderer
def test_copy_keeps_the_drawing_class():
    drawing = draw_dot(lecture_neuron())
    assert type(drawing.copy()) is Drawing
    assert "</svg>" in drawing.copy().pipe(encoding="utf-8")


# -- names: the picture prints the snapshot's names ------------------------------------


def test_an_unlabelled_node_shows_the_name_text_uses_for_it():
    from autograd_tiny.core.graph import snapshot
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(1.0, label="b")
    y = (w * x + b).tanh()
    graph = snapshot(y)
    source = draw_dot(y, snapshot=graph).source
    for node in graph.order:  # every node's name is printed on it
        assert f"{{ {graph.names[node]} |" in source.replace("\\", "")
    assert "{ w*x + b | data -5.0000" in source
    # A long expression gets a short name made of its neighbours (… for the long part),
    # the same in text and picture.
    long = sum((Value(float(i), label=f"a{i}") for i in range(12)), Value(0.0, label="s"))
    names = snapshot(long).names
    # A long sum keeps its first term and elides one run (one …), as a person writes it.
    assert names[long] == "s + … + a7 + a8 + a9 + a10 + a11"
    assert f"{{ {names[long]} | data 66.0000" in draw_dot(long).source


def test_a_snapshot_of_another_graph_is_refused():
    from autograd_tiny.core.graph import snapshot
    a = Value(1.0)
    with pytest.raises(ValueError, match="snapshot is of another graph"):
        draw_dot(a * 2, snapshot=snapshot(a * 3))
    with pytest.raises(TypeError, match="snapshot must be a GraphSnapshot"):
        draw_dot(a * 2, snapshot="graph")  # type: ignore[arg-type]
