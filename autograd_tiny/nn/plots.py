"""Pictures of training: a decision boundary over the data, a loss curve, a bar chart.

matplotlib is optional (``pip install 'autograd-tiny[plots]'``; ``make demo`` installs
it). It is imported only when a picture is drawn, and drawn with the Agg backend on a
figure of its own, so neither pyplot's global state nor a display is touched. Without
matplotlib each function draws nothing and returns ``None``; ``SKIPPED`` says why.

Images are written atomically (a temporary file beside the target, then a rename);
the format follows the file's suffix: ``.png``, ``.svg`` or ``.pdf``.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = plot_loss_curve([1.0, 0.5, 0.25], pathlib.Path(tmp) / "loss.svg")
...     path is None or path.read_text().startswith("<?xml")
True
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TextIO

from ..core.engine import Value
from ..core.modes import no_grad
from ..core.files import PathLike
from ..core.files import write_atomically

SKIPPED = "matplotlib is not installed: pip install 'autograd-tiny[plots]' to draw pictures"
FORMATS = (".png", ".svg", ".pdf")


def available() -> bool:
    """Whether matplotlib can be imported, i.e. whether pictures will be drawn.

    >>> isinstance(available(), bool)
    True
    """
    return _matplotlib() is not None


def plot_decision_boundary(model: Callable[[Any], Any], X: Sequence[Sequence[float]],
                           y: Sequence[int], path: PathLike, resolution: int = 60,
                           title: str = "decision boundary") -> Path | None:
    """Colours the plane by the class ``model`` predicts at each point of a
    ``resolution`` x ``resolution`` grid, and draws the points ``X`` over it coloured
    by label. A model returning one score predicts the positive class where the
    score is above 0; a model returning a list of logits predicts the largest.

    >>> import tempfile, pathlib
    >>> from autograd_tiny.nn import MLP
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plot_decision_boundary(MLP(2, [4, 1], seed=0), [[0, 0], [1, 1]], [-1, 1],
    ...                                  pathlib.Path(tmp) / "b.png", resolution=10)
    ...     out is None or out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    path = _check_path(path, "plot_decision_boundary")
    if len(X) != len(y) or not len(X):
        raise ValueError(f"plot_decision_boundary: {len(X)} points but {len(y)} labels")
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be an int >= 2, "
                         f"got {resolution!r}")
    mpl = _matplotlib()
    if mpl is None:
        return None
    xs = [float(p[0]) for p in X]
    ys = [float(p[1]) for p in X]
    grid_x = _span(min(xs), max(xs), resolution)
    grid_y = _span(min(ys), max(ys), resolution)
    with no_grad():  # evaluation only: no graph needs to be kept
        classes = [[_predicted_class(model([gx, gy])) for gx in grid_x] for gy in grid_y]

    figure, axes = _figure(mpl)
    colours = [_class_of_label(label) for label in y]
    top = max(max(colours), max(max(row) for row in classes))
    levels = [k - 0.5 for k in range(top + 2)]  # one colour band per class
    axes.contourf(grid_x, grid_y, classes, levels=levels, cmap="coolwarm", alpha=0.35)
    axes.scatter(xs, ys, c=colours, cmap="coolwarm", vmin=levels[0], vmax=levels[-1],
                 edgecolors="black", linewidths=0.5, s=28)
    axes.set_title(title)
    axes.set_xlabel("x0")
    axes.set_ylabel("x1")
    return _save(mpl, figure, path)


def plot_loss_curve(history: Any, path: PathLike, title: str = "training") -> Path | None:
    """The loss per epoch (and the accuracy, on a second axis, where ``history`` has
    one): ``history`` is a ``train.History`` or a plain list of losses.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plot_loss_curve([3.0, 2.0, 1.5], pathlib.Path(tmp) / "loss.png")
    ...     out is None or out.stat().st_size > 0
    True
    """
    path = _check_path(path, "plot_loss_curve")
    losses = list(getattr(history, "loss", history))
    accuracies = list(getattr(history, "accuracy", []))
    if not losses:
        raise ValueError("plot_loss_curve: the history is empty")
    mpl = _matplotlib()
    if mpl is None:
        return None
    figure, axes = _figure(mpl)
    epochs = list(range(1, len(losses) + 1))
    axes.plot(epochs, losses, color="tab:blue", label="loss")
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss", color="tab:blue")
    if min(losses) > 0 and max(losses) / min(losses) > 100:
        axes.set_yscale("log")  # a loss falling by orders of magnitude reads better on a log scale
    if accuracies and all(a is not None for a in accuracies):
        twin = axes.twinx()
        twin.plot(epochs, [100.0 * a for a in accuracies], color="tab:orange", label="accuracy")
        twin.set_ylabel("accuracy (%)", color="tab:orange")
        twin.set_ylim(0, 105)
    axes.set_title(title)
    return _save(mpl, figure, path)


def plot_bars(labels: Sequence[str], values: Sequence[float] | Mapping[str, Sequence[float]],
              path: PathLike, title: str = "", ylabel: str = "") -> Path | None:
    """A bar chart, one group of bars per label: ``values`` is one list of numbers, or a
    mapping of series names to lists (side by side, with a legend). For example the
    size of the gradient reaching each time step of a recurrent network, before and
    after training.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plot_bars(["t1", "t2"], {"before": [1.0, 0.1], "after": [1.0, 0.9]},
    ...                     pathlib.Path(tmp) / "bars.png")
    ...     out is None or out.stat().st_size > 0
    True
    """
    path = _check_path(path, "plot_bars")
    series = dict(values) if isinstance(values, Mapping) else {"": values}
    for name, numbers in series.items():
        if len(numbers) != len(labels):
            raise ValueError(f"plot_bars: {len(labels)} labels but {len(numbers)} values"
                             + (f" in {name!r}" if name else ""))
    mpl = _matplotlib()
    if mpl is None:
        return None
    figure, axes = _figure(mpl)
    width = 0.8 / len(series)
    for k, (name, numbers) in enumerate(series.items()):
        offset = (k - (len(series) - 1) / 2) * width
        axes.bar([i + offset for i in range(len(labels))], [float(v) for v in numbers],
                 width=width, label=name or None)
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels([str(label) for label in labels])
    if len(series) > 1:
        axes.legend()
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    return _save(mpl, figure, path)


# -- shared pieces -------------------------------------------------------------------------


def _matplotlib() -> Any | None:
    """matplotlib's Figure and Agg canvas classes, or None where it is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure, FigureCanvasAgg


def _figure(mpl: Any) -> tuple[Any, Any]:
    Figure, FigureCanvasAgg = mpl
    figure = Figure(figsize=(6.0, 4.5), dpi=100)
    FigureCanvasAgg(figure)  # attaches itself to the figure: Agg renders it
    return figure, figure.add_subplot()


def _save(mpl: Any, figure: Any, path: Path) -> Path:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format=path.suffix.lower()[1:])
    write_atomically(path, buffer.getvalue())
    return path


def _check_path(path: PathLike, who: str) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{who}: cannot tell the image format from {path.name!r} "
                         f"(use a name ending in {', '.join(FORMATS)})")
    return path


def _span(low: float, high: float, count: int) -> list[float]:
    """``count`` evenly spaced values from a little below ``low`` to a little above ``high``."""
    margin = 0.2 * (high - low) or 0.5
    low, high = low - margin, high + margin
    return [low + (high - low) * i / (count - 1) for i in range(count)]


def _predicted_class(output: Any) -> int:
    """0/1 for one score (positive means 1), the argmax for a list of logits."""
    if isinstance(output, (list, tuple)):
        values = [v.data if isinstance(v, Value) else float(v) for v in output]
        return values.index(max(values))
    score = output.data if isinstance(output, Value) else float(output)
    return int(score > 0.0)


def _class_of_label(label: int) -> int:
    """The predicted class a label stands for: -1 is class 0 (hinge's labels), 0/1 and
    class indices stand for themselves."""
    return 0 if label == -1 else int(label)


def report(pictures: list[Path | None], file: TextIO | None = None) -> None:
    """Prints where each picture went, or, when any was skipped, why.

    >>> report([None])
    skipped the pictures: matplotlib is not installed: pip install 'autograd-tiny[plots]' to draw pictures
    """
    if any(picture is None for picture in pictures):
        print(f"skipped the pictures: {SKIPPED}", file=file)
    else:
        print("\n".join(f"wrote {picture}" for picture in pictures), file=file)
