"""demos/moons.py --compiled reports what eager mode reports (issue 11, item 12): the
same loss and the same accuracy at every printed epoch, the accuracy measured from
the parameters the loss was computed from, not from an earlier epoch."""

from __future__ import annotations

import importlib.util
import io
import re
from pathlib import Path

from autograd_tiny.data import make_moons
from autograd_tiny.nn import MLP

DEMOS = Path(__file__).resolve().parent.parent / "demos"


def load_moons():
    spec = importlib.util.spec_from_file_location("demo_moons", DEMOS / "moons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_both(steps: int, points: int = 30):
    moons = load_moons()
    X, y = make_moons(points, noise=0.1, seed=7, signed=True)
    runs = {}
    for compiled in (False, True):
        out = io.StringIO()
        model = MLP(2, [8, 8, 1], seed=11)
        history = moons.train(model, X, y, steps=steps, file=out, compiled=compiled)
        runs[compiled] = (out.getvalue(), history, model)
    return runs


def test_every_printed_epoch_has_the_same_loss_and_accuracy():
    runs = train_both(steps=30)
    eager_text, compiled_text = runs[False][0], runs[True][0]
    printed = eager_text.splitlines()
    assert len(printed) == 11 and all(" accuracy " in line for line in printed)
    accuracies = [re.search(r"accuracy (\S+)%", line).group(1) for line in printed]
    assert len(set(accuracies)) >= 3  # it moves, so a stale value would show
    assert compiled_text == eager_text


def test_the_history_holds_the_measured_accuracies_and_none_between():
    runs = train_both(steps=20)
    eager, compiled = runs[False][1], runs[True][1]
    assert compiled.loss == eager.loss  # bit for bit: the same formulas, same order
    measured = [k for k, acc in enumerate(compiled.accuracy) if acc is not None]
    assert measured == [0, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]  # the printed epochs
    assert [compiled.accuracy[k] for k in measured] == [eager.accuracy[k] for k in measured]
    assert [p.data for p in runs[True][2].parameters()] == \
        [p.data for p in runs[False][2].parameters()]


def test_the_demo_prints_the_same_lines_compiled(tmp_path):
    moons = load_moons()
    texts = []
    for flags in ([], ["--compiled"]):
        out = io.StringIO()
        assert moons.main(["--out", str(tmp_path / str(len(flags))), "--points", "24",
                           "--steps", "20", *flags], file=out) == 0
        texts.append([line for line in out.getvalue().splitlines()
                      if line.startswith("epoch")])
    assert len(texts[0]) == 11
    assert texts[1] == texts[0]
