"""The training demos: demos/xor.py, demos/moons.py, demos/recurrent.py."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_tiny import Value
from autograd_tiny.data import make_moons
from autograd_tiny.nn import MLP

DEMOS = Path(__file__).resolve().parent.parent / "demos"
PNG = b"\x89PNG\r\n\x1a\n"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    assert load(name).main(list(args), file=out) == 0
    return out.getvalue()


def final_accuracy(text: str) -> int:
    return int(re.search(r"training accuracy (\d+)%", text).group(1))


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == PNG


# -- xor -----------------------------------------------------------------------------------


def test_xor_learns_to_100_percent_and_draws(tmp_path):
    text = run("xor", "--out", str(tmp_path))
    assert final_accuracy(text) == 100
    for name in ("xor_boundary.png", "xor_loss.png"):
        assert is_png(tmp_path / name)
        assert f"wrote {tmp_path / name}" in text


def test_a_demo_runs_as_a_script(tmp_path):
    result = subprocess.run(
        [sys.executable, str(DEMOS / "xor.py"), "--out", str(tmp_path), "--epochs", "30"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"wrote {tmp_path / 'xor_loss.png'}" in result.stdout


def test_without_matplotlib_the_demo_says_what_it_skipped(tmp_path, monkeypatch):
    for module in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    text = run("xor", "--out", str(tmp_path), "--epochs", "5")
    assert "skipped the pictures: matplotlib is not installed" in text
    assert not list(tmp_path.glob("*.png"))


def test_bad_flags_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        load("xor").main(["--epochs", "0"])
    assert info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


# -- moons ---------------------------------------------------------------------------------


def test_moons_loss_is_micrograds_hinge_plus_l2():
    moons = load("moons")
    X, y = make_moons(10, seed=0, signed=True)
    model = MLP(2, [4, 1], seed=0)
    total, acc = moons.loss(model, X, y)
    scores = [model(x).data for x in X]
    hinge = sum(max(0.0, 1 - yi * s) for yi, s in zip(y, scores)) / len(X)
    l2 = 1e-4 * sum(p.data ** 2 for p in model.parameters())
    assert isinstance(total, Value)
    assert total.data == pytest.approx(hinge + l2, rel=1e-12)
    assert acc == sum((s > 0) == (yi > 0) for s, yi in zip(scores, y)) / len(X)


def test_moons_compiled_training_follows_the_same_losses_as_eager():
    moons = load("moons")
    X, y = make_moons(20, seed=3, signed=True)
    eager_model, compiled_model = MLP(2, [8, 8, 1], seed=5), MLP(2, [8, 8, 1], seed=5)
    eager = moons.train(eager_model, X, y, steps=12, file=io.StringIO())
    compiled = moons.train(compiled_model, X, y, steps=12, file=io.StringIO(), compiled=True)
    assert compiled.loss == pytest.approx(eager.loss, rel=1e-12, abs=1e-15)
    assert eager.loss[-1] < eager.loss[0]
    assert [p.data for p in compiled_model.parameters()] == pytest.approx(
        [p.data for p in eager_model.parameters()], rel=1e-12, abs=1e-15)


def test_moons_short_run_learns_saves_and_draws(tmp_path):
    """The fast stand-in for the slow test below: 40 points, 40 steps."""
    text = run("moons", "--out", str(tmp_path), "--points", "40", "--steps", "40")
    losses = re.search(r"loss (\d+\.\d+) -> (\d+\.\d+)", text)
    assert float(losses.group(2)) < 0.3 * float(losses.group(1))
    assert final_accuracy(text) >= 95
    assert "gives the same scores" in text
    assert (tmp_path / "moons_model.json").exists()
    assert is_png(tmp_path / "moons_boundary.png") and is_png(tmp_path / "moons_loss.png")


@pytest.mark.slow
def test_moons_demo_reaches_100_percent_as_micrograd_does(tmp_path):
    text = run("moons", "--out", str(tmp_path))
    assert final_accuracy(text) == 100


# -- recurrent -----------------------------------------------------------------------------


def test_backpropagation_through_time_matches_finite_differences():
    recurrent = load("recurrent")
    cell = recurrent.RecurrentCell(seed=3)
    xs = [0.1, -0.2, 0.15, 0.05, -0.1]
    by_input, by_state = recurrent.reach(cell, xs)

    def last_output(values):
        return cell(values)[-1].data

    eps = 1e-6
    for t in range(len(xs)):
        up, down = list(xs), list(xs)
        up[t] += eps
        down[t] -= eps
        numeric = (last_output(up) - last_output(down)) / (2 * eps)
        assert by_input[t] == pytest.approx(numeric, abs=1e-8)
    # the chain rule one step back: dy/dh[t-1] = dy/dh[t] * (1 - h[t]^2) * w_h
    _, states = cell.unroll(xs)
    for t in range(len(xs) - 1, 0, -1):
        h = states[t + 1].data
        assert by_state[t - 1] == pytest.approx(by_state[t] * (1 - h * h) * cell.w_h.data)


def test_recurrent_cell_learns_the_running_sum_and_the_gradient_reaches_back(tmp_path):
    text = run("recurrent", "--out", str(tmp_path), "--epochs", "120")
    table = text[text.index("how far back the gradient reaches"):]
    rows = re.findall(r"^\s+(\d+)\s+([+-]\d+\.\d+)\s+([+-]\d+\.\d+)\s+[+-]\d+\.\d+$", table,
                      re.MULTILINE)
    assert len(rows) == 8
    first_before, first_after = float(rows[0][1]), float(rows[0][2])
    assert abs(first_after) > 5 * abs(first_before)  # the first input now matters
    loss = re.search(r"loss (\d+\.\d+) -> (\d+\.\d+)", text)
    assert float(loss.group(2)) < 0.1 * float(loss.group(1))
    assert is_png(tmp_path / "recurrent_gradient.png") and is_png(tmp_path / "recurrent_loss.png")


# -- the pictures the demos draw -----------------------------------------------------------


def test_plots_draw_each_format_and_class_count(tmp_path):
    plots = pytest.importorskip("autograd_tiny.nn.plots")
    if not plots.available():
        pytest.skip("matplotlib is not installed")
    from autograd_tiny.data import make_spirals

    X, y = make_spirals(30, classes=3, seed=0)
    three_classes = MLP(2, [4, 3], seed=0)
    assert is_png(plots.plot_decision_boundary(three_classes, X, y, tmp_path / "s.png",
                                               resolution=8))
    svg = plots.plot_loss_curve([1.0, 0.5], tmp_path / "loss.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    pdf = plots.plot_bars(["a", "b"], {"one": [1, 2], "two": [2, 1]}, tmp_path / "bars.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bars.pdf", "loss.svg", "s.png"]


@pytest.mark.parametrize("call, words", [
    (lambda plots, tmp: plots.plot_loss_curve([1.0], tmp / "loss.gif"), "loss.gif"),
    (lambda plots, tmp: plots.plot_loss_curve([], tmp / "loss.png"), "empty"),
    (lambda plots, tmp: plots.plot_bars(["a"], [1.0, 2.0], tmp / "b.png"), "1 labels but 2"),
    (lambda plots, tmp: plots.plot_decision_boundary(MLP(2, [1]), [[0.0, 0.0]], [1, -1],
                                                     tmp / "d.png"), "1 points but 2"),
])
def test_plots_refuse_bad_arguments(tmp_path, call, words):
    plots = pytest.importorskip("autograd_tiny.nn.plots")
    if not plots.available():
        pytest.skip("matplotlib is not installed")
    with pytest.raises(ValueError, match=words):
        call(plots, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_plot_arguments_are_checked_even_without_matplotlib(tmp_path, monkeypatch):
    from autograd_tiny import plots

    for module in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, module, None)
    assert plots.plot_loss_curve([1.0, 0.5], tmp_path / "ok.png") is None  # skipped, no error
    with pytest.raises(ValueError, match="history is empty"):
        plots.plot_loss_curve([], tmp_path / "loss.png")
    with pytest.raises(ValueError, match="2 labels but 1 values"):
        plots.plot_bars(["a", "b"], [1.0], tmp_path / "bars.png")
    with pytest.raises(ValueError, match="resolution"):
        plots.plot_decision_boundary(lambda x: x[0], [[0.0, 0.0]], [1], tmp_path / "b.png",
                                     resolution=1)
    assert list(tmp_path.iterdir()) == []
