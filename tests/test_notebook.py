"""The tour notebook (demos/tour.ipynb) runs top to bottom in a real Jupyter kernel, with
only the Graphviz renderer pip installs (no system ``dot`` on PATH), and its graph
cells show SVG images, not errors."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

TOUR = Path(__file__).resolve().parent.parent / "demos" / "tour.ipynb"
KERNEL = "autograd-tiny-test"


def pip_renderer_only_path() -> str:
    """The folder of the running Python (pip's graphviz-pure is there) and the system's
    folders, less any that has a ``dot``."""
    folders = [str(Path(sys.executable).parent)] + os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(folder for folder in dict.fromkeys(folders)
                           if folder and not os.path.exists(os.path.join(folder, "dot")))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from autograd_tiny.draw.renderer import find_renderer

    folder = tmp_path_factory.mktemp("tour")
    # A kernel spec of its own: this very Python, whatever kernels the machine has.
    spec = folder / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "autograd-tiny (test)", "language": "python"}))
    path = pip_renderer_only_path()
    env = {name: value for name, value in os.environ.items()
           if name not in ("AUTOGRAD_TINY_DOT", "MPLBACKEND")}
    env.update(PATH=path, JUPYTER_PATH=str(folder / "jupyter"))
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "PATH")}
    os.environ["JUPYTER_PATH"] = str(folder / "jupyter")  # for the kernel spec lookup
    os.environ["PATH"] = path
    try:
        if find_renderer() is None:
            pytest.skip("no pip renderer (graphviz-pure) for this platform")
        assert find_renderer() and Path(find_renderer()).stem == "graphviz-pure"
        notebook = nbformat.read(TOUR, as_version=4)
        client = nbclient.NotebookClient(notebook, timeout=300, kernel_name=KERNEL,
                                         allow_errors=True,
                                         resources={"metadata": {"path": str(folder)}})
        client.execute(env=env)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook


def cell_with(notebook, text):
    return next(cell for cell in notebook.cells
                if cell.cell_type == "code" and text in cell.source)


def errors(cell):
    return [f"{out.ename}: {out.evalue}" for out in cell.outputs if out.output_type == "error"]


def data_of(cell):
    return [out.data for out in cell.outputs if "data" in out]


def test_every_cell_but_draw_dot_runs_without_error(executed):
    failed = {cell.source.splitlines()[0]: errors(cell) for cell in executed.cells
              if cell.cell_type == "code" and errors(cell)
              and not cell.source.startswith("draw_dot(")}
    assert failed == {}


def test_a_value_displays_as_its_graph_in_svg(executed):
    (shown,) = data_of(cell_with(executed, 'L = c + a; L.label = "L"'))
    svg = shown["image/svg+xml"]
    assert svg.lstrip().startswith(("<?xml", "<svg", "<!--")) and "</svg>" in svg
    # Scaled down to the cell's width where a notebook inlines the SVG (saved HTML).
    assert re.search(r'<svg style="max-width:100%;height:auto"[^>]* viewBox="', svg)
    for text in (">a<", ">b<", ">c<", ">L<", "data &#45;4.0000", "data 2.0000"):
        assert text in svg, text


def test_draw_dot_displays_as_svg(executed):
    cell = cell_with(executed, "draw_dot(L")
    # draw_dot returns a Drawing that displays itself with the renderer the package finds,
    # the pip one included (graphviz's own display looks only for a system `dot`).
    assert errors(cell) == []
    (shown,) = data_of(cell)
    svg = shown["image/svg+xml"]
    assert "</svg>" in svg and "grad 2.0000" in svg  # b.grad = a = 2 is in the picture
    assert "grad &#45;2.0000" in svg or "grad -2.0000" in svg  # a.grad = b + 1 = -2


def test_backward_gave_the_gradients(executed):
    (shown,) = data_of(cell_with(executed, "a.grad, b.grad"))
    assert shown["text/plain"] == "(-2.0, 2.0)"


def test_explain_and_steps_print_their_text(executed):
    (shown,) = data_of(cell_with(executed, "explain(L, a)"))
    assert "dL/da" in shown["text/plain"] and "-2" in shown["text/plain"]
    steps = "".join(out.text for out in cell_with(executed, "backward_steps(L)").outputs
                    if out.output_type == "stream")
    assert steps.count("passes gradient to") == 4
    assert "dL/da = 1 - 3 = -2" in steps
    # The cell zeroes the gradients of the backward() above first: no pass adds to
    # an earlier one, and the walk ends at backward()'s gradients, not twice them.
    assert "from earlier passes" not in steps and "+ -" not in steps
    (after,) = data_of(cell_with(executed, "backward_steps(L)"))
    assert after["text/plain"] == "(-2.0, 2.0)"


def test_the_inline_stepper_is_self_contained_html(executed):
    (shown,) = data_of(cell_with(executed, "show_backward(L)"))
    page = shown["text/html"]
    assert page.startswith('<div class="atg-deck atg-inline"')
    assert page.count('data-kind="step"') == 4 and "<script>" in page
    assert not re.search(r'\b(?:src|href)="(?!#)', page)  # nothing loaded from anywhere
    assert shown["text/plain"].startswith("Slides('Backpropagation through L', 8 frames")


def test_fit_shows_a_bar_and_history_its_curve(executed):
    cell = cell_with(executed, "history = fit(")
    bars = [out for out in cell.outputs
            if out.output_type in ("display_data", "update_display_data")]
    assert bars, "fit showed no progress in the notebook"
    last = cell.outputs[0].data  # updated in place: the first output holds the last state
    assert '<progress value="200" max="200"' in last["text/html"]
    assert last["text/plain"].startswith("epoch 200/200  loss ")
    (result,) = [out for out in cell.outputs if out.output_type == "execute_result"]
    assert result.data["text/plain"].startswith("History(200 epochs, loss ")
    assert result.data["text/plain"].endswith("-> 100.0%)")
    pytest.importorskip("matplotlib")
    assert "image/png" in result.data



def test_the_network_picture_is_svg(executed):
    cell = cell_with(executed, "draw_network(model")
    assert errors(cell) == []
    (shown,) = data_of(cell)
    svg = shown["image/svg+xml"]
    assert "</svg>" in svg and "L1.N1" in svg and "L2.N1" in svg
    # Scaled to a notebook cell's width (1,120 px at most), the whole picture in view.
    root = re.search(r'<svg style="max-width:100%;height:auto"[^>]*>', svg).group(0)
    width, height = (float(re.search(rf'\s{name}="([\d.]+)pt"', root).group(1))
                     for name in ("width", "height"))
    box = [float(x) for x in re.search(r'viewBox="([^"]+)"', root).group(1).split()]
    assert width <= 840 and abs(width / height - box[2] / box[3]) < 0.01


def test_the_notebook_asks_for_the_kernel_make_kernel_registers():
    """The kernel the notebook's metadata names is the one `make kernel` installs (so
    Jupyter and VS Code open it with this checkout's venv) and the one its first cell
    tells the reader to pick. The tests above run it under a kernel of another name,
    as CI does: nothing in the notebook depends on the kernel's name."""
    makefile = (TOUR.parent.parent / "Makefile").read_text()
    name = re.search(r"ipykernel install --user --name (\S+)", makefile).group(1)
    display = re.search(r'--display-name "([^"]+)"', makefile).group(1)
    notebook = nbformat.read(TOUR, as_version=4)
    spec = notebook.metadata.kernelspec
    assert (spec.name, spec.display_name, spec.language) == (name, display, "python")
    assert f'"{display}"' in notebook.cells[0].source


# -- the network section: Mazur's example, step by step ---------------------------------

def plain(notebook, text):
    (shown,) = data_of(cell_with(notebook, text))
    return shown["text/plain"]


def test_the_network_section_reproduces_mazurs_numbers(executed):
    """The forward pass, the error and the backward pass give the numbers Mazur's
    write-up prints (nine significant digits)."""
    assert plain(executed, "E_total = error_of(net)") == "0.298371109"
    text = plain(executed, 'explain(E_total, w["w5"])')
    assert "dE_total/dw5: 1 route leads from E_total back to w5" in text
    assert "= 1 * 0.74136507 * 0.186815602 * 0.593269992" in text
    assert "= 0.082167041" in text


def test_the_network_pictures_use_the_names_the_text_uses(executed):
    (before,) = data_of(cell_with(executed, "# the network before any input"))
    svg = before["image/svg+xml"]
    for name in ("i1", "i2", "h1", "h2", "o1", "o2", "w1 = 0.15", "w8 = 0.55", "b1 0.35",
                 "b2 0.6"):
        assert f">{name}<" in svg, name
    (after,) = data_of(cell_with(executed, 'highlight="w1"'))
    svg = after["image/svg+xml"]
    assert ">E_total<" in svg and ">2 routes from E_total back to w1 (in red)<" in svg
    assert ">grad 0.000438568<" in svg and ">grad 0.082167041<" in svg


def test_check_catches_the_one_route_slip_and_shows_both_routes(executed):
    text = plain(executed, 'check({"w1": 0.000668396}, E_total)')
    assert text.startswith("w1: wrong: 0.000668396 is not dE_total/dw1")
    assert "2 routes lead from E_total back to w1" in text
    assert "so dE_total/dw1 = 0.000438568" in text
    assert "hint: that is route 1 alone (0.000668396); the gradient adds up the products of both routes" in text
    assert text.endswith("score: 0 of 1 right (0 exact, 0 close)")


def test_the_network_deck_shows_inline_with_mazurs_names(executed):
    (shown,) = data_of(cell_with(executed, "network_slides(net"))
    assert shown["text/plain"] == ("Slides('Backpropagation through a 2 -> 2 -> 2 network', "
                                   "6 frames: 1 forward, 4 steps, 1 done)")
    page = shown["text/html"]
    assert page.startswith('<div class="atg-deck atg-inline"')
    assert "E_total = 0.298371109" in page
    assert not re.search(r'\b(?:src|href)="(?!#)', page)


def test_the_update_and_training_give_the_walkthroughs_numbers(executed):
    """Checked against the package's own walkthrough, which trains the same network
    apart from the notebook: one update, then 9,999 more."""
    from autograd_tiny.teach import walkthrough

    nodes, updated = walkthrough.gradient_step(walkthrough.WEIGHTS)
    after_one = walkthrough.network(updated)["E_total"].data
    assert plain(executed, "sgd = SGD(weights, lr=0.5)") == repr(round(after_one, 9))
    assert round(after_one, 9) == 0.291027774
    trained = walkthrough.network(walkthrough.train(walkthrough.WEIGHTS, 10_000))
    outputs = [round(trained[name].data, 6) for name in ("out_o1", "out_o2")]
    assert plain(executed, "for _ in range(9_999):") == repr(
        (f"{trained['E_total'].data:.10f}", outputs))
