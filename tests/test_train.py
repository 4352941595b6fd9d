"""fit(): training, history, schedules, batches, progress output; accuracy(); gc_paused()."""

from __future__ import annotations

import gc
import io
import math
import sys

import pytest

from autograd_tiny import Value
from autograd_tiny.data import make_spirals, make_xor
from autograd_tiny.losses import cross_entropy, hinge_loss, l2_penalty, mse_loss
from autograd_tiny.nn import MLP
from autograd_tiny.optim import SGD, Adam
from autograd_tiny.train import History, TrainingProgress, accuracy, fit, gc_paused


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, as a console would."""

    def isatty(self) -> bool:
        return True


class CountingSGD(SGD):
    steps = 0

    def step(self) -> None:
        self.steps += 1
        super().step()


def xor_model(seed: int = 0) -> MLP:
    return MLP(2, [4, 1], activation="tanh", output_activation="tanh", seed=seed)


def test_fit_learns_xor_and_returns_the_history():
    X, y = make_xor(signed=True)
    model = xor_model()
    history = fit(model, X, y, mse_loss, Adam(model.parameters(), lr=0.05), epochs=150,
                  verbose=False)
    assert isinstance(history, History) and len(history) == 150
    assert history.loss[-1] < 0.05 * history.loss[0]
    assert accuracy([model(x) for x in X], y) == 1.0
    assert history.accuracy[-1] == 1.0


def test_history_loss_is_the_loss_before_each_update():
    w = Value(0.0)
    history = fit(lambda x: w * x, [1.0], [3.0], mse_loss, SGD([w], lr=0.25), epochs=3,
                  verbose=False)
    # w: 0 -> 1.5 -> 2.25 (each step halves the error 3 - w)
    assert history.loss == pytest.approx([9.0, 2.25, 0.5625])
    assert history.accuracy == [None, None, None]  # a regression: no accuracy


def test_fit_multiclass_with_cross_entropy():
    X, y = make_spirals(30, classes=3, noise=0.0, seed=0)
    model = MLP(2, [8, 3], activation="tanh", seed=1)
    history = fit(model, X, y, cross_entropy, Adam(model.parameters(), lr=0.05), epochs=30,
                  verbose=False)
    assert history.loss[-1] < history.loss[0]
    assert history.accuracy[-1] > 1 / 3 + 0.1


def test_l2_adds_the_penalty_to_the_loss():
    X, y = make_xor(signed=True)
    plain = fit(xor_model(), X, y, hinge_loss, SGD(xor_model().parameters(), lr=0.0),
                epochs=1, verbose=False)
    model = xor_model()
    penalised = fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.0), epochs=1,
                    l2=0.5, verbose=False)
    penalty = l2_penalty(xor_model().parameters(), 0.5).data
    assert penalised.loss[0] == pytest.approx(plain.loss[0] + penalty)


def test_lr_schedule_sets_the_rate_of_each_epoch():
    w = Value(0.0)
    opt = SGD([w], lr=1.0)
    history = fit(lambda x: w * x, [1.0], [1.0], mse_loss, opt, epochs=4,
                  lr_schedule=lambda k: 1.0 - 0.9 * k / 4, verbose=False)
    assert history.lr == pytest.approx([1.0, 0.775, 0.55, 0.325])


def test_batches_take_one_step_each_and_follow_the_seed():
    X, y = make_xor(10, noise=0.1, seed=0, signed=True)
    runs = []
    for _ in range(2):
        model = xor_model()
        opt = CountingSGD(model.parameters(), lr=0.1)
        history = fit(model, X, y, hinge_loss, opt, epochs=3, batch_size=4, seed=5,
                      verbose=False)
        assert opt.steps == 3 * math.ceil(10 / 4)
        runs.append((history.loss, model.state_dict()))
    assert runs[0] == runs[1]


def test_plain_lines_when_not_a_terminal():
    w = Value(0.0)
    out = io.StringIO()
    fit(lambda x: w * x, [1.0, -1.0], [1, -1], hinge_loss, SGD([w], lr=0.1), epochs=50,
        file=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == \
        ["1/50"] + [f"{k}/50" for k in range(5, 51, 5)]
    # w = 0: both scores are 0, read as the negative class: one of two is right
    assert lines[0] == "epoch  1/50  loss 1.000000  accuracy 50.0%"
    assert "\x1b" not in out.getvalue()  # no terminal control codes in a file


def test_a_progress_bar_on_a_terminal():
    w = Value(0.0)
    out = Terminal()
    fit(lambda x: w * x, [1.0, -1.0], [1, -1], hinge_loss, SGD([w], lr=0.1), epochs=20,
        file=out)
    text = out.getvalue()
    assert "20/20" in text and "accuracy" in text and "100.0%" in text
    assert "\x1b[" in text  # drawn with terminal control codes


def test_verbose_false_prints_nothing():
    w = Value(0.0)
    out = Terminal()
    fit(lambda x: w * x, [1.0], [1.0], mse_loss, SGD([w], lr=0.1), epochs=3, verbose=False,
        file=out)
    assert out.getvalue() == ""


def test_training_progress_prints_first_every_tenth_and_last():
    out = io.StringIO()
    with TrainingProgress(25, file=out) as progress:
        for epoch in range(25):
            progress.update(epoch, 1.0 / (epoch + 1), None)
    shown = [int(line.split()[1].split("/")[0]) for line in out.getvalue().splitlines()]
    assert shown == [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25]


@pytest.mark.parametrize("scores, targets, expected", [
    ([Value(0.5), Value(-0.5), Value(2.0)], [1, -1, -1], 2 / 3),   # hinge labels
    ([Value(0.5), Value(-0.5), Value(2.0)], [1, 0, 0], 2 / 3),     # logits and 0/1 labels
    ([[0.1, 0.7, 0.2], [Value(3.0), Value(1.0), Value(2.0)]], [1, 2], 1 / 2),  # argmax
    ([Value(0.5)], [0.5], None),                                    # regression
    ([[0.1, 0.9], [0.8, 0.2]], [[0.0, 1.0], [1.0, 0.0]], None),     # vector regression
    ([[0.1, 0.9]], [2], None),                                      # not a class index
])
def test_accuracy(scores, targets, expected):
    assert accuracy(scores, targets) == (pytest.approx(expected) if expected else None)


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_gc_paused_restores_after_an_error():
    with pytest.raises(RuntimeError):
        with gc_paused():
            raise RuntimeError("boom")
    assert gc.isenabled()


@pytest.mark.parametrize("kwargs, error, words", [
    ({"X": [[0.0, 0.0]], "y": [1, 1]}, ValueError, "1 inputs but 2 targets"),
    ({"X": [], "y": []}, ValueError, "no training data"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 2.0}, TypeError, "float"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"optimizer": "sgd"}, TypeError, "step"),
    ({"loss": None}, TypeError, "loss"),
])
def test_bad_arguments(kwargs, error, words):
    model = xor_model()
    X, y = make_xor(signed=True)
    arguments = {"X": X, "y": y, "loss": mse_loss, "optimizer": SGD(model.parameters(), lr=0.1),
                 "epochs": 1, **kwargs}
    with pytest.raises(error, match=words):
        fit(model, verbose=False, **arguments)


def test_history_repr_is_one_short_line():
    model = MLP(2, [4, 1], activation="tanh", output_activation="tanh", seed=0)
    X, y = make_xor(signed=True)
    history = fit(model, X, y, mse_loss, Adam(model.parameters(), lr=0.1), epochs=300,
                  verbose=False)
    text = repr(history)
    assert "\n" not in text and len(text) < 90
    assert text.startswith("History(300 epochs, loss ")
    first, last = history.loss[0], history.loss[-1]
    assert f"loss {first:.6g} -> {last:.6g}, accuracy " in text and text.endswith("-> 100.0%)")
    regression = History()
    regression.record(2.0, None, 0.1)
    assert repr(regression) == "History(1 epoch, loss 2 -> 2)"


def test_history_draws_its_loss_curve_for_notebooks():
    pytest.importorskip("matplotlib")
    history = History()
    for k in range(20):
        history.record(1.0 / (k + 1), None, 0.1)
    png = history._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert History()._repr_png_() is None


def test_progress_in_a_notebook_is_an_html_bar_updated_in_place(monkeypatch):
    """Stands in for a kernel: fit's bar is one display, updated, ending at the last epoch."""
    pytest.importorskip("IPython")
    import IPython.display

    from autograd_tiny.nn import train

    shown = []

    class Handle:
        def update(self, bundle, raw=False):
            shown.append(("update", bundle))

    def display(bundle, raw=False, display_id=False):
        shown.append(("display", bundle))
        return Handle()

    monkeypatch.setattr(train, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    w = Value(0.0)
    fit(lambda x: w * x, [1.0, 2.0], [2.0, 4.0], mse_loss, SGD([w], lr=0.1), epochs=20,
        file=sys.stdout)
    assert [kind for kind, _ in shown].count("display") == 1
    last = shown[-1][1]
    assert last["text/plain"].startswith("epoch 20/20  loss 0.0000")
    assert '<progress value="20" max="20"' in last["text/html"]
