"""demos/digits.py: an MLP(64, [32, 10]) on scikit-learn's 8x8 digits, eager and compiled.

The quick cases train on a small subset for a few seconds; the whole demo (and the
micrograd estimate, which runs micrograd in a separate process) are marked slow.
Without scikit-learn, which ships the data set, the cases that need it are skipped.
"""

from __future__ import annotations

import doctest
import importlib.util
import io
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parent.parent / "demos" / "digits.py"
PNG = b"\x89PNG\r\n\x1a\n"


def load_demo():
    spec = importlib.util.spec_from_file_location("demo_digits", DEMO)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


digits = load_demo()

needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                   reason="scikit-learn (the digits data set) is not installed")


@pytest.fixture(scope="module")
def small():
    """120 training images, 100 held-out test images, standardized as the demo does."""
    split = digits.load_split(limit=120)
    train_inputs, test_inputs = digits.standardize(split)
    return split, train_inputs, test_inputs[:100], split.test_labels[:100]


@pytest.fixture(scope="module")
def trained(small):
    """The demo's model after two eager epochs on the small subset."""
    split, train_inputs, _, _ = small
    model = digits.new_model(0)
    out = io.StringIO()
    run = digits.train(model, train_inputs, split.train_labels, digits.EagerStep(model),
                       epochs=2, batch_size=16, lr=0.02, seed=0, file=out)
    return model, run, out.getvalue()


# -- the data ----------------------------------------------------------------------------------


@needs_sklearn
def test_the_split_is_fixed_whole_and_disjoint():
    split = digits.load_split()
    assert len(split.train_images) + len(split.test_images) == 1797
    assert len(split.test_images) == 359  # a fifth of each digit, rounded per digit
    assert sorted(set(split.test_labels)) == list(range(10))
    assert all(len(x) == 64 and 0.0 <= min(x) and max(x) <= 1.0 for x in split.train_images)
    # each digit: a fifth of its images in the test set, the rest in the training set
    for digit in range(10):
        total = split.train_labels.count(digit) + split.test_labels.count(digit)
        assert split.test_labels.count(digit) == round(0.2 * total)
        assert 170 <= total <= 190
    # the same split every time (--seed does not move it); --limit keeps a prefix
    limited = digits.load_split(limit=50)
    assert limited.test_labels == split.test_labels
    assert limited.train_labels == split.train_labels[:50]


def test_standardize_uses_the_training_images_only():
    split = digits.Split([[0.0, 1.0], [1.0, 1.0]], [0, 1], [[2.0, 1.0]], [0])
    train_inputs, test_inputs = digits.standardize(split)
    # pixel 1: mean 0.5, deviation 0.5 (+0.1); pixel 2 never changes: deviation 0 (+0.1)
    assert train_inputs == [[-0.5 / 0.6, 0.0], [0.5 / 0.6, 0.0]]
    assert test_inputs == [[1.5 / 0.6, 0.0]]


def test_without_scikit_learn_the_demo_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import now fails
    with pytest.raises(digits.DigitsUnavailable, match="pip install 'autograd-tiny\\[digits\\]'"):
        digits.load_split()
    assert digits.main(["--no-compare"], file=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert err.startswith("digits: scikit-learn is not installed") and err.count("\n") == 1


# -- training ----------------------------------------------------------------------------------


@needs_sklearn
def test_a_quick_run_beats_chance_on_held_out_images(small, trained):
    _, _, test_inputs, test_labels = small
    model, run, text = trained
    assert run.loss[-1] < run.loss[0] < 2.5
    predictions = digits.predict(model, test_inputs)
    # ten classes: chance is about 10%; 120 images and two epochs reach far above it
    assert digits.accuracy(predictions, test_labels) > 0.6
    assert len(set(predictions)) >= 8
    assert text.splitlines() == [f"epoch 1/2  loss {run.loss[0]:.6f}",
                                 f"epoch 2/2  loss {run.loss[1]:.6f}"]


@needs_sklearn
def test_eager_and_compiled_give_the_same_first_step(small):
    split, train_inputs, _, _ = small
    # four images of two digits: two traces to compile
    two = split.train_labels[:2] if split.train_labels[0] != split.train_labels[1] else [0, 1]
    chosen = [i for i, label in enumerate(split.train_labels) if label in two][:4]
    images, labels = [train_inputs[i] for i in chosen], [split.train_labels[i] for i in chosen]
    assert len(set(labels)) == 2
    eager_model, compiled_model = digits.new_model(3), digits.new_model(3)
    eager = digits.EagerStep(eager_model)(images, labels)
    steps = digits.CompiledSteps(compiled_model, classes=sorted(set(labels)))
    compiled = steps(images, labels)
    assert eager == pytest.approx(compiled, rel=0, abs=1e-9)
    assert eager > 0.5  # the loss of an untrained model: a real number to compare
    for p, q in zip(eager_model.parameters(), compiled_model.parameters()):
        assert q.grad == pytest.approx(p.grad, rel=1e-9, abs=1e-12)
    assert any(abs(p.grad) > 1e-3 for p in eager_model.parameters())
    # a second call with other images reads the new pixels: no stale trace
    assert steps(images[2:], labels[2:]) == pytest.approx(
        digits.EagerStep(eager_model)(images[2:], labels[2:]), rel=0, abs=1e-9)


@needs_sklearn
def test_the_saved_weights_reload_to_the_same_predictions(small, trained, tmp_path):
    test_inputs = small[2][:30]
    model, _, _ = trained
    path = model.save(tmp_path / "digits_model.json")
    fresh = digits.new_model(1)
    assert digits.predict(fresh, test_inputs) != digits.predict(model, test_inputs)
    fresh.load(path)
    assert digits.predict(fresh, test_inputs) == digits.predict(model, test_inputs)
    assert [z.data for z in fresh(test_inputs[0])] == [z.data for z in model(test_inputs[0])]


def test_the_model_starts_with_scaled_weights():
    model = digits.new_model(0)
    assert model.num_parameters() == 2410
    first = [w.data for n in model.layers[0].neurons for w in n.w]
    second = [w.data for n in model.layers[1].neurons for w in n.w]
    assert max(map(abs, first)) <= 1 / 8 and max(map(abs, first)) > 0.12
    assert max(map(abs, second)) <= 1 / 32 ** 0.5 and max(map(abs, second)) > 0.17


def test_the_mistakes_picture(tmp_path, monkeypatch):
    images = [[k / 64 for k in range(64)], [0.5] * 64, [1.0] * 64]
    path = digits.plot_mistakes(images, [1, 2, 3], [1, 7, 3], tmp_path / "wrong.png")
    if digits.plots.available():
        assert path == tmp_path / "wrong.png" and path.read_bytes()[:8] == PNG
    assert digits.plot_mistakes(images, [1, 2], [1, 2], tmp_path / "none.png") is None
    monkeypatch.setattr(digits.plots, "available", lambda: False)  # as without matplotlib
    assert digits.plot_mistakes(images, [1, 2, 3], [1, 7, 3], tmp_path / "no.png") is None
    assert not (tmp_path / "no.png").exists() and not (tmp_path / "none.png").exists()


@needs_sklearn
def test_the_examples_in_the_demo_run():
    failures, tried = doctest.testmod(digits, optionflags=doctest.ELLIPSIS)
    assert tried >= 10 and failures == 0


# -- the whole demo (slow) ---------------------------------------------------------------------


@needs_sklearn
@pytest.mark.slow
def test_the_demo_runs_both_ways_and_reports(tmp_path):
    texts = {}
    for mode in ([], ["--compiled"]):
        out = io.StringIO()
        code = digits.main(["--limit", "160", "--epochs", "1", "--out", str(tmp_path), *mode],
                           file=out)
        assert code == 0
        texts[bool(mode)] = out.getvalue()
    eager, compiled = texts[False], texts[True]
    # the same training: the same losses and the same test accuracy, printed alike
    for text in (eager, compiled):
        assert "a fresh model loaded from it makes the same predictions" in text
        assert "one epoch of 160 images, CPU time: eager" in text
        assert "micrograd about" in text and "an estimate" in text
    loss_line = [line for line in eager.splitlines() if line.startswith("epoch 1/1")]
    assert loss_line and loss_line[0] in compiled
    accuracy_line = [line for line in eager.splitlines() if line.startswith("test accuracy")]
    assert accuracy_line[0].split("(")[0] in compiled
    assert "compiled 10 traces" in compiled
    assert (tmp_path / "digits_model.json").exists()
    if digits.plots.available():
        assert (tmp_path / "digits_wrong.png").read_bytes()[:8] == PNG


@needs_sklearn
@pytest.mark.slow
def test_the_micrograd_estimate_runs_in_its_own_process(small):
    pytest.importorskip("micrograd")
    split, train_inputs, _, _ = small
    seconds = digits.micrograd_seconds_per_image(train_inputs[:3], split.train_labels[:3])
    assert seconds is not None and 0.0 < seconds < 60.0
