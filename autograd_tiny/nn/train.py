"""``fit()``: the training loop, with a progress bar, returning the history.

Each epoch runs the loop every account of backpropagation describes, over the data in
batches: forward pass, loss, backward pass, update. On a terminal a ``rich`` progress
bar shows the epoch, the loss and the accuracy; in a Jupyter notebook an HTML progress
bar does (updated in place, no widget extension needed); elsewhere (a pipe, a file, a
log) ``fit`` prints plain lines instead, about ten of them.

>>> import io
>>> from autograd_tiny.nn import MLP
>>> from autograd_tiny.data import make_xor
>>> from autograd_tiny.losses import mse_loss
>>> from autograd_tiny.optim import Adam
>>> X, y = make_xor(signed=True)
>>> model = MLP(2, [4, 1], activation="tanh", output_activation="tanh", seed=0)
>>> history = fit(model, X, y, mse_loss, Adam(model.parameters(), lr=0.1), epochs=100,
...               file=io.StringIO())
>>> history.loss[-1] < history.loss[0], history.accuracy[-1]
(True, 1.0)
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence, TextIO

from .data import Seed, random_source
from ..core.engine import Value
from .losses import l2_penalty

Accuracy = Callable[[Sequence[Any], Sequence[Any]], Optional[float]]


@dataclass(repr=False)
class History:
    """What ``fit`` measured, one entry per epoch: the mean loss over the epoch (with
    the L2 penalty, if any), the accuracy (``None`` where it has no meaning, as in
    regression), and the learning rate used.

    Its repr is one line (first and last numbers, not hundreds of floats); in a
    notebook it draws its loss curve when matplotlib is installed.

    >>> h = History()
    >>> h.record(0.5, 0.75, 0.1)
    >>> h.record(0.125, 1.0, 0.1)
    >>> h, len(h)
    (History(2 epochs, loss 0.5 -> 0.125, accuracy 75.0% -> 100.0%), 2)
    >>> History()
    History(0 epochs)
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[Optional[float]] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    def record(self, loss: float, accuracy: float | None, lr: float) -> None:
        """Appends one epoch's numbers."""
        self.loss.append(loss)
        self.accuracy.append(accuracy)
        self.lr.append(lr)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        count = len(self.loss)
        text = f"History({count} epoch{'' if count == 1 else 's'}"
        if count:
            text += f", loss {self.loss[0]:.6g} -> {self.loss[-1]:.6g}"
            first, last = self.accuracy[0], self.accuracy[-1]
            if first is not None and last is not None:
                text += f", accuracy {_percent(first)} -> {_percent(last)}"
        return text + ")"

    def _repr_png_(self) -> bytes | None:
        """The loss curve as a PNG, for Jupyter; None (Jupyter then shows the repr)
        without matplotlib or without epochs."""
        if not self.loss:
            return None
        import tempfile
        from pathlib import Path

        from .plots import plot_loss_curve

        with tempfile.TemporaryDirectory() as folder:
            written = plot_loss_curve(self, Path(folder) / "loss.png",
                                      title=f"loss over {len(self.loss)} epochs")
            return written.read_bytes() if written is not None else None


def accuracy(scores: Sequence[Any], targets: Sequence[Any]) -> float | None:
    """The fraction of examples classified correctly, judged the way the losses read
    scores: a list of logits picks the largest (``cross_entropy``); a single score
    says the positive class when it is above 0, for -1/+1 labels (``hinge_loss``)
    and 0/1 labels (``binary_cross_entropy_with_logits``). Any other targets are a
    regression: ``None``.

    >>> from autograd_tiny import Value
    >>> accuracy([Value(0.3), Value(-2.0), Value(0.1)], [1, -1, -1])
    0.6666666666666666
    >>> accuracy([[0.1, 0.9], [2.0, 1.0]], [1, 1])
    0.5
    >>> accuracy([Value(0.3)], [0.25]) is None
    True
    >>> accuracy([[0.1, 0.9]], [[0.0, 1.0]]) is None  # a vector target: a regression
    True
    """
    if len(scores) != len(targets):
        raise ValueError(f"accuracy: {len(scores)} scores but {len(targets)} targets")
    if not scores:
        return None
    if isinstance(scores[0], (list, tuple)):
        classes = range(len(scores[0]))
        if not all(isinstance(t, int) and not isinstance(t, bool) and t in classes
                   for t in targets):
            return None
        correct = 0
        for row, target in zip(scores, targets):
            values = [_data(z) for z in row]
            correct += values.index(max(values)) == target
        return correct / len(scores)
    labels = set(targets)
    if not (labels <= {-1, 1} or labels <= {0, 1}):
        return None
    hits = sum((_data(s) > 0.0) == (t > 0) for s, t in zip(scores, targets))
    return hits / len(scores)


def fit(model: Callable[[Any], Any], X: Sequence[Any], y: Sequence[Any],
        loss: Callable[[list[Any], Sequence[Any]], Value], optimizer: Any, epochs: int = 100,
        *, l2: float = 0.0, lr_schedule: Callable[[int], float] | None = None,
        batch_size: int | None = None, seed: Seed = None, accuracy: Accuracy | None = accuracy,
        verbose: bool = True, file: TextIO | None = None) -> History:
    """Trains ``model`` on ``(X, y)`` for ``epochs`` passes and returns a ``History``.

    - ``loss(scores, targets) -> Value``: one of ``autograd_tiny.losses`` or your own;
      ``scores`` is ``[model(x) for x in batch]``.
    - ``optimizer``: an ``SGD`` or ``Adam`` over ``model.parameters()``.
    - ``l2``: adds ``l2_penalty(model.parameters(), l2)`` to the loss (micrograd's
      demo uses 1e-4). ``lr_schedule(epoch) -> lr`` sets the learning rate of each
      epoch (micrograd's demo: ``lambda k: 1.0 - 0.9 * k / 100``).
    - ``batch_size``: ``None`` trains on all the data at once; a number shuffles the
      data each epoch (with ``seed``) and takes one step per batch.
    - ``accuracy(scores, targets)``: what the bar shows; ``None`` to skip it.
    - ``verbose``/``file``: where progress goes (standard output by default).

    Python's cycle collector is paused while ``fit`` runs (see ``gc_paused``): it
    would only rescan graphs that reference counting frees anyway.

    >>> import io
    >>> from autograd_tiny import Value
    >>> from autograd_tiny.losses import mse_loss
    >>> from autograd_tiny.optim import SGD
    >>> w = Value(0.0)
    >>> out = io.StringIO()
    >>> h = fit(lambda x: w * x, [1.0, 2.0], [2.0, 4.0], mse_loss, SGD([w], lr=0.1),
    ...         epochs=20, file=out)
    >>> round(w.data, 3), out.getvalue().splitlines()[-1]
    (2.0, 'epoch 20/20  loss 0.000000')
    """
    _check_fit_arguments(X, y, epochs, batch_size, optimizer, loss)
    rng = random_source(seed, "fit")
    measure = accuracy
    parameters = model.parameters() if l2 else []  # type: ignore[attr-defined]
    history = History()
    order = list(range(len(X)))
    size = batch_size or len(X)
    with TrainingProgress(epochs, verbose=verbose, file=file) as progress, gc_paused():
        for epoch in range(epochs):
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            if batch_size is not None:
                rng.shuffle(order)
            loss_sum, correct, counted = 0.0, 0.0, 0
            for start in range(0, len(order), size):
                batch = order[start:start + size]
                targets = [y[i] for i in batch]
                scores = [model(X[i]) for i in batch]
                total = loss(scores, targets)
                if l2:
                    total = total + l2_penalty(parameters, l2)
                optimizer.zero_grad()
                total.backward()
                optimizer.step()
                loss_sum += total.data * len(batch)
                measured = measure(scores, targets) if measure is not None else None
                if measured is not None:
                    correct += measured * len(batch)
                    counted += len(batch)
            epoch_accuracy = correct / counted if counted else None
            history.record(loss_sum / len(order), epoch_accuracy, optimizer.lr)
            progress.update(epoch, history.loss[-1], epoch_accuracy)
    return history


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pauses Python's cycle collector inside the block, and restores it after.

    Why: a training step builds and drops a graph of some 100,000 nodes. autograd_tiny
    graphs have no reference cycles, so reference counting frees each one the moment
    it is dropped and the cycle collector never finds anything in them, but on
    Python 3.11 it still rescans the growing graph many times per step: measured on
    micrograd's demo step, more than half of the time. Cycles made by your own code
    inside the block are collected as usual after it ends.

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class TrainingProgress:
    """Shows training progress: a ``rich`` bar when ``file`` is a terminal, else about
    ten plain lines. A context manager; call ``update(epoch, loss, accuracy)`` once
    per epoch (epochs count from 0). Training loops of your own can use it too.

    >>> import io
    >>> out = io.StringIO()
    >>> with TrainingProgress(2, file=out) as progress:
    ...     progress.update(0, 0.75, 0.5)
    ...     progress.update(1, 0.25, None)
    >>> print(out.getvalue(), end="")
    epoch 1/2  loss 0.750000  accuracy 50.0%
    epoch 2/2  loss 0.250000
    """

    def __init__(self, epochs: int, verbose: bool = True, file: TextIO | None = None) -> None:
        self.epochs = epochs
        self.verbose = verbose
        self.file = file if file is not None else sys.stdout
        self.every = max(1, epochs // 10)
        self._bar: Any = None
        self._task: Any = None
        self._notebook: _NotebookBar | None = None

    def __enter__(self) -> "TrainingProgress":
        if self.verbose and _is_terminal(self.file):
            self._start_bar()
        elif self.verbose and self.file is sys.stdout and _in_notebook():
            self._notebook = _NotebookBar(self.epochs)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if self._notebook is not None:
            self._notebook.finish()
            self._notebook = None

    def update(self, epoch: int, loss: float, accuracy: float | None) -> None:
        """Reports one finished epoch."""
        if not self.verbose:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=epoch + 1, loss=f"{loss:.6f}",
                             accuracy=_percent(accuracy) or "-")
            return
        if self._notebook is not None:
            self._notebook.update(epoch + 1, loss, accuracy)
            return
        done = epoch + 1
        if epoch == 0 or done % self.every == 0 or done == self.epochs:
            width = len(str(self.epochs))
            line = f"epoch {done:>{width}}/{self.epochs}  loss {loss:.6f}"
            if accuracy is not None:
                line += f"  accuracy {_percent(accuracy)}"
            print(line, file=self.file, flush=True)

    def _start_bar(self) -> None:
        # rich is imported here: plain-line output (tests, pipes) never pays for it.
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn)

        console = Console(file=self.file, force_terminal=True)
        self._bar = Progress(
            TextColumn("epoch"), MofNCompleteColumn(), BarColumn(),
            TextColumn("loss [bold]{task.fields[loss]}"),
            TextColumn("accuracy [bold]{task.fields[accuracy]}"),
            TimeElapsedColumn(), console=console,
        )
        self._task = self._bar.add_task("train", total=self.epochs, loss="-", accuracy="-")
        self._bar.start()


class _NotebookBar:
    """A progress bar in a Jupyter output cell: an HTML ``<progress>`` redrawn in place
    through IPython's ``display`` handle. (rich's own Jupyter display needs
    ipywidgets and its front-end extension; this needs nothing, and the last state
    stays in the saved notebook.) Redrawn at most ten times a second, and at the end.
    """

    def __init__(self, epochs: int) -> None:
        from IPython.display import display

        self.epochs = epochs
        self._last = 0.0
        self._state: tuple[int, float, float | None] = (0, 0.0, None)
        self._handle = display(self._bundle(), raw=True, display_id=True)

    def _bundle(self) -> dict[str, str]:
        done, loss, accuracy = self._state
        text = f"epoch {done}/{self.epochs}"
        if done:
            text += f"  loss {loss:.6f}"
        if accuracy is not None:
            text += f"  accuracy {_percent(accuracy)}"
        bar = (f'<progress value="{done}" max="{self.epochs}" '
               f'style="width: 16em; vertical-align: middle"></progress>')
        return {"text/plain": text,
                "text/html": f'<div style="font-family: monospace">{bar} {text}</div>'}

    def update(self, done: int, loss: float, accuracy: float | None) -> None:
        import time

        self._state = (done, loss, accuracy)
        now = time.monotonic()
        if now - self._last >= 0.1 or done == self.epochs:
            self._last = now
            self.finish()

    def finish(self) -> None:
        """Draws the latest state."""
        if self._handle is not None:
            self._handle.update(self._bundle(), raw=True)


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (not a terminal IPython)."""
    shell_module = sys.modules.get("IPython")
    if shell_module is None or "ipykernel" not in sys.modules:
        return False
    try:
        shell = shell_module.get_ipython()  # type: ignore[attr-defined]
    except AttributeError:
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def _is_terminal(file: Any) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def _percent(fraction: float | None) -> str:
    return "" if fraction is None else f"{100.0 * fraction:.1f}%"


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _check_fit_arguments(X: Sequence[Any], y: Sequence[Any], epochs: int,
                         batch_size: int | None, optimizer: Any, loss: Any) -> None:
    if len(X) != len(y):
        raise ValueError(f"fit: {len(X)} inputs but {len(y)} targets")
    if not len(X):
        raise ValueError("fit: no training data")
    for name, n in (("epochs", epochs), ("batch_size", batch_size)):
        if n is None and name == "batch_size":
            continue
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"fit: {name} must be an int, got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"fit: {name} must be at least 1, got {n}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise TypeError(f"fit: optimizer must have step() and zero_grad() (SGD, Adam), "
                        f"got {type(optimizer).__name__}")
    if not callable(loss):
        raise TypeError(f"fit: loss must be a function (scores, targets) -> Value, "
                        f"got {type(loss).__name__}")

