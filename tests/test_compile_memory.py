"""Compiling is linear in the graph: its peak memory per traced node stays under 1 KB
and does not grow with the graph (issue 13). Measured with tracemalloc while
``compile(..., backend="numpy")`` runs on micrograd's demo step, ``fn()`` included:
the traced ``Value`` graph is part of the peak, and it must be freed before the
replay is built, not kept alongside it. Memory, not wall-clock: the numbers are the
same on a slow machine and a fast one."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from autograd_tiny import Value
from autograd_tiny.compile import compile
from autograd_tiny.data import make_moons
from autograd_tiny.nn import MLP

LIMIT = 1024  # bytes of peak compile memory per traced node (issue 13: "about 1 KB")
GROWTH = 1.3  # a graph 4x larger may cost at most this much more per node


def demo_step(points: int):
    """micrograd's demo loss: MLP(2, [16, 16, 1]), hinge loss plus L2, on ``points``
    two-moons points (as demos/bench.py builds it)."""
    X, y = make_moons(points, noise=0.1, seed=1337, signed=True)
    model = MLP(2, [16, 16, 1], seed=1)
    params = model.parameters()

    def loss():
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
    return loss, params


def peak_bytes_per_node(points: int) -> tuple[float, int]:
    """The peak of memory allocated while compiling the demo step on ``points``
    points, per traced node; and the number of nodes."""
    fn, params = demo_step(points)
    gc.collect()  # garbage of earlier tests is not this compile's
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        step = compile(fn, params, backend="numpy")
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if started:
            tracemalloc.stop()
    return peak / step.nodes, step.nodes


@pytest.fixture(scope="module", autouse=True)
def warm():
    """One compile first: NumPy's imports and the op table's array formulas are made
    once per process, not once per graph."""
    fn, params = demo_step(4)
    compile(fn, params, backend="numpy")()


def check_linear(points: int, four_times: int) -> None:
    """The demo step on ``points`` points, and on ``four_times`` points: a graph 4x
    larger (the parameters' part of the graph does not grow with the points)."""
    small, small_nodes = peak_bytes_per_node(points)
    large, large_nodes = peak_bytes_per_node(four_times)
    assert 3.9 < large_nodes / small_nodes < 4.1
    assert small < LIMIT, f"{small:.0f} B per traced node at {small_nodes} nodes"
    assert large < LIMIT, f"{large:.0f} B per traced node at {large_nodes} nodes"
    assert large <= GROWTH * small, (f"{small:.0f} B per node at {small_nodes} nodes, "
                                     f"{large:.0f} at {large_nodes}: not linear")


def test_compile_memory_is_linear_and_under_1kb_per_node():
    check_linear(12, 90)  # 1,894 and 7,588 nodes


@pytest.mark.slow
def test_compile_memory_is_linear_and_under_1kb_per_node_on_big_graphs():
    check_linear(100, 450)  # 8,318 (the demo step itself) and 33,868 nodes
