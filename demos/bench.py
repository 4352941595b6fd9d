"""Speed and memory, side by side: PyPI ``micrograd``, autograd_tiny eager, autograd_tiny
compiled (float code and the numpy backend), and hand-written baselines: the demo step
in plain floats, and an MLP step batched in NumPy.

    .venv/bin/python demos/bench.py [--quick] [--markdown]

Every (engine, workload) pair runs in a fresh process of its own (this file, run with
``--worker ENGINE WORKLOAD``, prints one JSON object): micrograd's nodes are reference
cycles, and in a shared process whoever allocates next would pay for collecting them.
The garbage collector stays on, at Python's default settings, everywhere; NumPy's BLAS
runs one thread (the numpy backend makes no BLAS calls: one core against one core).
Each figure is the best of several repeats after a warm-up. ``--quick`` runs everything
at tiny sizes: a smoke test, not a measurement.

Workloads:

- chain: ``y = relu(y * w + b)`` repeated (three ops a link; ``w``, ``b`` and the
  start ``x`` are leaves), forward and backward, ns per op;
- wide sum: ``sum(xs)`` of 200,000 leaves, forward and backward, ns per term
  (1,000,000 terms would take micrograd about 10 s and 1.6 GB a repeat);
- demo step: micrograd's demo training step, ``MLP(2, [16, 16, 1])`` on 100 two-moons
  points, mean hinge loss ``(1 + -yi * scorei).relu()`` plus L2 ``1e-4 * sum(p * p)``,
  full-batch forward, backward and SGD update, ms per step (consecutive steps, so a
  step pays for collecting the garbage of the one before);
- bytes per node: ``tracemalloc`` while building ``s = s + a_i * b_i`` for 12,500
  terms (50,001 nodes): everything allocated for the leaves ``a_i`` and ``b_i`` (their
  floats included), the products, the running sums and the starting ``Value(0.0)``,
  divided by the number of nodes in the graph;
- big MLP: ``MLP(2, [64, 64, 1])`` (ReLU hidden layers, linear output) with the demo's
  loss on 1,000 two-moons points, forward and backward (no update), ms per step, for
  two engines only: the numpy backend (one call of the compiled step) and the same
  step written by hand on whole batches in NumPy (``X`` (1,000 x 2) ``@ W1.T``, ...,
  then the backward pass as matrix products). The compiled worker checks that both
  give the same loss and gradients (to 1e-9 relative) before timing anything. Eager
  mode (some 20 s a step on a slow 2-core machine) and micrograd are far too slow to
  run here;
- compile cost: the numpy backend compiling the demo step (the model and loss above).
  Time per traced node at 100 and at 400 points (best of 5, after a warm-up compile),
  whose ratio is the linearity check; and peak memory per traced node:
  ``tracemalloc``'s *peak* while compiling (the trace, that is the eager graph ``fn()``
  builds, included) minus what was allocated before, over the number of traced nodes,
  at both sizes (the target reads the demo step's own size, 100 points).

Columns: micrograd 0.1.0 from PyPI; autograd_tiny eager (build the graph, then
``backward()``); autograd_tiny compiled (``autograd_tiny.compile``: traced once, each
call replays forward and backward as float code; its compile time is reported apart);
the same with ``backend="numpy"`` (the trace replayed as array operations); the demo
step written by hand in plain Python floats (lists, ``sum(map(mul, ...))``), the
yardstick for the float code; and the big MLP step batched by hand in NumPy, the
yardstick for the numpy backend. Ratios are against micrograd.

The speed targets are checked at the end, each line giving the measured
value, the goal and met or MISSED: eager against micrograd at least 75x on the demo
step, 5x on the chain (forward and backward), 10x on the wide sum; eager bytes per node
at most a quarter of micrograd's; the numpy backend at least 1,000x micrograd on the
demo step, compiling it in at most 0.3 s, compile time per node not growing with size
(400 points over 100 points at most 1.5) and at most 1 KB (1,024 B) of peak memory per
traced node; and the numpy backend within 25x of the batched NumPy step on the big
MLP. One secondary check follows: the compiled float code at most 2x the hand-written
floats on the demo step.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from operator import mul
from typing import Any, Callable, Sequence

ENGINES = ("micrograd", "eager", "compiled", "numpy", "floats", "batched")
ENGINE_TITLES = {
    "micrograd": "micrograd 0.1.0",
    "eager": "autograd_tiny eager",
    "compiled": "autograd_tiny compiled",
    "numpy": "compiled, numpy backend",
    "floats": "hand-written floats",
    "batched": "hand-written numpy, batched",
}
WORKLOADS = ("chain", "wide_sum", "demo_step", "memory", "big_mlp", "compile_cost")
WORKLOAD_TITLES = {"chain": "chain", "wide_sum": "wide sum", "demo_step": "demo step",
                   "memory": "bytes per node", "big_mlp": "big MLP",
                   "compile_cost": "compile cost"}
GRAPH_ENGINES = ("micrograd", "eager", "compiled")
# Which engines run which workload. The numpy backend (one NumPy call per level of the
# graph: made for wide graphs, not for a chain 10,000 levels deep) and the hand-written
# baselines run the training steps only (and the numpy backend the compile cost); a step
# of the big MLP would take eager mode some 20 s, and micrograd far longer.
WORKLOAD_ENGINES: dict[str, tuple[str, ...]] = {
    "chain": GRAPH_ENGINES,
    "wide_sum": GRAPH_ENGINES,
    "demo_step": ("micrograd", "eager", "compiled", "numpy", "floats"),
    "memory": GRAPH_ENGINES,
    "big_mlp": ("numpy", "batched"),
    "compile_cost": ("numpy",),
}
RUNS = [(w, e) for w in WORKLOADS for e in ENGINES if e in WORKLOAD_ENGINES[w]]

SEED = 1337
ALPHA = 1e-4  # micrograd's L2 strength
LR = 0.05
AGREE = 1e-9  # relative: how close the compiled big MLP must be to the batched one
WORKER_TIMEOUT = 900  # seconds
# NumPy's matrix products run on one thread in every worker: the numpy backend makes no
# BLAS calls, so one core is compared with one core (and, on a busy 2-core machine, a
# second BLAS thread fighting for a core made the batched step several times slower).
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Sizes:
    """How big each workload is and how often it is repeated."""

    chain_links: int = 3334  # 10,002 ops
    chain_repeats: int = 7
    wide_terms: int = 200_000
    wide_repeats: int = 3
    demo_points: int = 100
    # (timed blocks, consecutive steps per block) per engine; the best block counts.
    # Eager blocks are 10 steps long so that each holds its share of the collector's
    # full collections (one every ten steps or so), as a training loop pays them.
    demo_blocks: tuple[tuple[str, int, int], ...] = (
        ("micrograd", 3, 3), ("eager", 5, 10), ("compiled", 7, 20), ("numpy", 7, 20),
        ("floats", 7, 20))
    memory_terms: int = 12_500  # 4 * 12,500 + 1 = 50,001 nodes
    mlp_points: int = 1000
    mlp_hidden: int = 64  # MLP(2, [mlp_hidden, mlp_hidden, 1])
    mlp_blocks: tuple[tuple[str, int, int], ...] = (("numpy", 5, 2), ("batched", 7, 50))
    compile_points: tuple[int, int] = (100, 400)  # demo step sizes for the compile cost
    compile_repeats: int = 5
    warmup: bool = True

    def blocks(self, engine: str, workload: str = "demo_step") -> tuple[int, int]:
        table = self.mlp_blocks if workload == "big_mlp" else self.demo_blocks
        for name, blocks, steps in table:
            if name == engine:
                return blocks, steps
        raise KeyError(engine)


FULL = Sizes()
QUICK = Sizes(chain_links=100, chain_repeats=2, wide_terms=2_000, wide_repeats=2,
              demo_points=8, demo_blocks=(("micrograd", 1, 1), ("eager", 1, 1),
                                          ("compiled", 2, 2), ("numpy", 2, 2),
                                          ("floats", 2, 2)),
              memory_terms=500, mlp_points=20, mlp_hidden=8,
              mlp_blocks=(("numpy", 2, 2), ("batched", 2, 2)), compile_points=(8, 32),
              compile_repeats=1, warmup=False)


# -- the engines ---------------------------------------------------------------------------


@dataclass
class Engine:
    """What a workload needs from an engine: its ``Value``, its ``nn`` module, and for
    the compiled engine the ``compile`` function."""

    name: str
    Value: Any
    nn: Any
    compile: Callable[..., Any] | None = None


def load_engine(name: str) -> Engine:
    """Imports only what ``name`` needs, in this (worker) process (the batched
    baseline needs NumPy alone, imported where it is used)."""
    if name == "batched":
        return Engine(name, None, None)
    if name == "micrograd":
        from micrograd import nn as micrograd_nn
        from micrograd.engine import Value as MicrogradValue

        return Engine(name, MicrogradValue, micrograd_nn)
    from autograd_tiny import nn
    from autograd_tiny.engine import Value

    if name in ("compiled", "numpy"):
        from functools import partial

        from autograd_tiny.compile import compile as compile_step

        backend = "numpy" if name == "numpy" else "python"
        return Engine(name, Value, nn, partial(compile_step, backend=backend))
    return Engine(name, Value, nn)


def best_of(repeats: int, run: Callable[[], Any]) -> float:
    """The shortest of ``repeats`` timed calls of ``run``, in seconds. Garbage from
    before is collected outside the timing, so each call starts from a clean heap."""
    best = math.inf
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


# -- workload: a chain ------------------------------------------------------------------------


def chain(w: Any, b: Any, x: Any, links: int) -> Any:
    """``y = relu(y * w + b)`` ``links`` times: a chain of ``3 * links`` ops."""
    y = x
    for _ in range(links):
        y = (y * w + b).relu()
    return y


def run_chain(engine: Engine, sizes: Sizes) -> dict[str, Any]:
    links = sizes.chain_links
    ops = 3 * links
    Value = engine.Value
    w, b, x = Value(0.999), Value(0.001), Value(1.0)
    # micrograd's backward sorts the graph recursively: one Python frame per node.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * ops + 1000))
    return measure_graph(engine, lambda: chain(w, b, x, links), [w, b, x], ops,
                         sizes.chain_repeats, sizes.warmup, {"ops": ops})


# -- workload: a wide sum ---------------------------------------------------------------------


def run_wide_sum(engine: Engine, sizes: Sizes) -> dict[str, Any]:
    n = sizes.wide_terms
    rng = random.Random(SEED)
    xs = [engine.Value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * n + 1000))
    return measure_graph(engine, lambda: sum(xs), xs, n, sizes.wide_repeats, sizes.warmup,
                         {"terms": n})


def time_backend_import(engine: Engine, result: dict[str, Any]) -> None:
    """Imports the numpy backend (and NumPy) before compiling: that is loading the
    engine, once per process, not compiling; its time is reported as ``import_s``."""
    if engine.name == "numpy":
        started = time.perf_counter()
        importlib.import_module("autograd_tiny.compile.vectorised")
        result["import_s"] = time.perf_counter() - started


def compile_timed(engine: Engine, loss: Callable[[], Any], params: list[Any],
                  result: dict[str, Any]) -> Any:
    """``engine.compile(loss, params)``, recording in ``result`` how long it took (NumPy's
    import apart), its phases, and how many nodes it traced."""
    time_backend_import(engine, result)
    started = time.perf_counter()
    compiled = engine.compile(loss, params)  # type: ignore[misc]
    result["compile_s"] = time.perf_counter() - started
    result["compile_timings"] = compiled.timings
    result["nodes"] = compiled.nodes
    return compiled


def measure_graph(engine: Engine, build: Callable[[], Any], params: list[Any], count: int,
                  repeats: int, warmup: int, result: dict[str, Any]) -> dict[str, Any]:
    """Best-of-``repeats`` nanoseconds per op (``count`` ops) to build the graph and to
    run backward, after ``warmup`` unmeasured runs; a compiled engine does both in one
    call, so it reports the total only (and what tracing cost, once)."""
    if engine.compile is not None:
        time_backend_import(engine, result)
        started = time.perf_counter()
        step = engine.compile(build, params)
        result["compile_s"] = time.perf_counter() - started
        result["value"] = step()
        result["total_ns"] = best_of(repeats, step) / count * 1e9
        return result
    forward = backward = math.inf
    for repeat in range(repeats + warmup):
        gc.collect()  # each repeat starts clean: micrograd's last graph is cycles
        started = time.perf_counter()
        out = build()
        built = time.perf_counter()
        out.backward()
        finished = time.perf_counter()
        if repeat >= warmup:
            forward, backward = min(forward, built - started), min(backward, finished - built)
        result["value"] = out.data
        del out
    result["forward_ns"] = forward / count * 1e9
    result["backward_ns"] = backward / count * 1e9
    result["total_ns"] = (forward + backward) / count * 1e9
    return result


# -- workload: micrograd's demo training step ---------------------------------------------


def moons(n: int) -> tuple[list[list[float]], list[int]]:
    """The demo's data: ``n`` two-moons points with labels -1/+1 (seeded)."""
    from autograd_tiny.data import make_moons

    return make_moons(n, noise=0.1, seed=SEED, signed=True)


def initial_weights(count: int) -> list[float]:
    """The same starting weights for every engine, in ``parameters()`` order."""
    rng = random.Random(SEED)
    return [rng.uniform(-1.0, 1.0) for _ in range(count)]


def demo_loss(Value: Any, model: Any, X: Sequence[Sequence[float]], y: Sequence[int]) -> Any:
    """micrograd's demo loss, as its notebook writes it, for either engine."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def run_demo_step(engine: Engine, sizes: Sizes) -> dict[str, Any]:
    X, y = moons(sizes.demo_points)
    if engine.name == "floats":
        return run_float_demo(X, y, sizes)
    model, params = model_with_initial_weights(engine, [2, 16, 16, 1])
    Value = engine.Value
    result: dict[str, Any] = {"points": len(X), "parameters": len(params)}

    if engine.compile is not None:
        compiled = compile_timed(engine, lambda: demo_loss(Value, model, X, y), params, result)

        def step() -> float:
            loss = compiled()
            for p in params:
                p.data -= LR * p.grad
            return loss
    else:
        def step() -> float:
            loss = demo_loss(Value, model, X, y)
            model.zero_grad()
            loss.backward()
            for p in params:
                p.data -= LR * p.grad
            return loss.data

    result["first_loss"] = step()  # the warm-up step; every engine starts from the same weights
    result["first_grad_sum"] = math.fsum(abs(p.grad) for p in params)
    result["ms_per_step"] = timed_blocks(step, *sizes.blocks(engine.name)) * 1e3
    return result


def timed_blocks(step: Callable[[], Any], blocks: int, steps: int) -> float:
    """Seconds per step: the best of ``blocks`` runs of ``steps`` consecutive steps.
    No collection in between: a training loop pays for its own garbage."""
    best = math.inf
    for _ in range(blocks):
        started = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - started) / steps)
    return best


# -- the demo step by hand, in plain floats -------------------------------------------------


def float_model(sizes: Sequence[int], weights: Sequence[float]) -> list[tuple[list[list[float]], list[float]]]:
    """An MLP as plain lists, one ``(W, B)`` per layer, filled from ``weights`` in
    micrograd's ``parameters()`` order (each neuron's weights, then its bias)."""
    layers = []
    it = iter(weights)
    for nin, nout in zip(sizes, sizes[1:]):
        W, B = [], []
        for _ in range(nout):
            W.append([next(it) for _ in range(nin)])
            B.append(next(it))
        layers.append((W, B))
    return layers


def float_demo_step(layers: list[tuple[list[list[float]], list[float]]],
                    X: Sequence[Sequence[float]], y: Sequence[int], lr: float) -> float:
    """micrograd's demo step written by hand: forward, backward and SGD on floats.

    The forward sums run in the same order as the engines' (so the loss agrees to the
    last bit). Like the graph, it does the backward pass of every point, even those
    whose hinge is zero. Weight gradients are summed over the points at the end, one
    C-level ``sum(map(mul, ...))`` per weight, the fastest way plain Python has.
    """
    last = len(layers) - 1
    scale = 1.0 / len(X)
    columns = [[list(column) for column in zip(*W)] for W, _ in layers]
    # per layer, per point: the layer's input and d loss / d pre-activation
    seen: list[list[list[float]]] = [[] for _ in layers]
    dpre: list[list[list[float]]] = [[] for _ in layers]
    data_loss = 0.0
    for xrow, yi in zip(X, y):
        h = list(xrow)
        pre = []
        for li, (W, B) in enumerate(layers):
            seen[li].append(h)
            z = [sum(map(mul, w, h), b) for w, b in zip(W, B)]
            pre.append(z)
            h = z if li == last else [v if v > 0.0 else 0.0 for v in z]
        margin = 1.0 + -yi * h[0]
        data_loss += margin if margin > 0.0 else 0.0
        dh = [(1.0 if margin > 0.0 else 0.0) * scale * -yi]
        for li in range(last, -1, -1):
            z = pre[li]
            dz = dh if li == last else [d if v > 0.0 else 0.0 for d, v in zip(dh, z)]
            dpre[li].append(dz)
            if li:
                dh = [sum(map(mul, column, dz)) for column in columns[li]]
    reg = 0.0
    for W, B in layers:
        for w, b in zip(W, B):
            reg += sum(map(mul, w, w)) + b * b
    loss = data_loss * scale + ALPHA * reg
    decay = 2.0 * ALPHA
    for li, (W, B) in enumerate(layers):
        inputs = [list(column) for column in zip(*seen[li])]
        for j, dz_j in enumerate(zip(*dpre[li])):
            W[j] = [p - lr * (sum(map(mul, dz_j, h_k)) + decay * p)
                    for p, h_k in zip(W[j], inputs)]
            B[j] -= lr * (sum(dz_j) + decay * B[j])
    return loss


def run_float_demo(X: list[list[float]], y: list[int], sizes: Sizes) -> dict[str, Any]:
    shape = [2, 16, 16, 1]
    count = sum((nin + 1) * nout for nin, nout in zip(shape, shape[1:]))
    layers = float_model(shape, initial_weights(count))
    result: dict[str, Any] = {"points": len(X), "parameters": count}
    result["first_loss"] = float_demo_step(layers, X, y, LR)
    result["ms_per_step"] = timed_blocks(lambda: float_demo_step(layers, X, y, LR),
                                         *sizes.blocks("floats")) * 1e3
    return result


# -- workload: a bigger MLP, compiled for NumPy and batched by hand ---------------------------


def mlp_shape(sizes: Sizes) -> list[int]:
    return [2, sizes.mlp_hidden, sizes.mlp_hidden, 1]


def model_with_initial_weights(engine: Engine, shape: Sequence[int]) -> tuple[Any, list[Any]]:
    """``engine.nn.MLP(shape[0], shape[1:])`` with the shared starting weights."""
    model = engine.nn.MLP(shape[0], list(shape[1:]))
    params = model.parameters()
    for p, value in zip(params, initial_weights(len(params))):
        p.data = value
    return model, params


def batched_model(shape: Sequence[int], weights: Sequence[float]) -> list[tuple[Any, Any]]:
    """An MLP as NumPy arrays, one ``(W, b)`` per layer with ``W`` of shape (nout, nin),
    filled from ``weights`` in ``parameters()`` order (each neuron's weights, then its
    bias: row j of ``[W | b]`` is neuron j)."""
    import numpy as np

    count = sum((nin + 1) * nout for nin, nout in zip(shape, shape[1:]))
    if len(weights) != count:
        raise ValueError(f"batched_model: {len(weights)} weights for a {list(shape)} MLP, "
                         f"which has {count}")
    layers = []
    start = 0
    for nin, nout in zip(shape, shape[1:]):
        stop = start + nout * (nin + 1)
        block = np.array(weights[start:stop], dtype=np.float64).reshape(nout, nin + 1)
        layers.append((block[:, :nin].copy(), block[:, nin].copy()))
        start = stop
    return layers


def batched_loss_and_grads(layers: Sequence[tuple[Any, Any]], X: Any,
                           y: Any) -> tuple[float, list[tuple[Any, Any]]]:
    """The demo loss of an MLP (ReLU hidden layers, linear output), forward and backward
    by hand on the whole batch: ``X`` is points x inputs, ``y`` the labels -1/+1.

    Forward: ``Z = H @ W.T + b`` per layer, ``H = relu(Z)`` between layers, the hinge
    ``relu(1 + -y * score)`` averaged over the points, plus ``ALPHA * sum(p * p)``.
    Backward: d loss / d score is ``-y / n`` where the hinge is positive, else 0; per
    layer ``dW = dZ.T @ H``, ``db = dZ`` summed over the points, ``dH = dZ @ W``,
    ``dZ = dH * (Z > 0)`` below a ReLU; the L2 term adds ``2 * ALPHA * p``. Returns the
    loss and one ``(dW, db)`` per layer.
    """
    import numpy as np

    scale = 1.0 / len(X)
    last = len(layers) - 1
    inputs, pre = [], []
    h = X
    for li, (W, b) in enumerate(layers):
        inputs.append(h)
        z = h @ W.T + b
        pre.append(z)
        h = z if li == last else np.maximum(z, 0.0)
    margin = 1.0 + -y * h[:, 0]
    data_loss = np.maximum(margin, 0.0).sum() * scale
    reg = sum(float((W * W).sum() + (b * b).sum()) for W, b in layers)
    loss = float(data_loss) + ALPHA * reg
    dz = np.where(margin > 0.0, -y * scale, 0.0)[:, None]
    grads: list[tuple[Any, Any]] = [(None, None)] * len(layers)
    for li in range(last, -1, -1):
        W, b = layers[li]
        grads[li] = (dz.T @ inputs[li] + 2.0 * ALPHA * W, dz.sum(axis=0) + 2.0 * ALPHA * b)
        if li:
            dz = (dz @ W) * (pre[li - 1] > 0.0)
    return loss, grads


def flat_grads(grads: Sequence[tuple[Any, Any]]) -> list[float]:
    """Per-layer ``(dW, db)`` as one list in ``parameters()`` order."""
    import numpy as np

    return [float(g) for dW, db in grads for g in np.hstack([dW, db[:, None]]).ravel()]


def relative_difference(a: Sequence[float], b: Sequence[float]) -> float:
    """The largest difference between ``a`` and ``b``, relative to the largest
    magnitude in ``b`` (so gradients that are 0.0 on both sides do not divide by 0)."""
    if len(a) != len(b):
        raise ValueError(f"relative_difference: {len(a)} values against {len(b)}")
    scale = max((abs(v) for v in b), default=0.0)
    worst = max((abs(u - v) for u, v in zip(a, b)), default=0.0)
    return worst / scale if scale else worst


def run_big_mlp(engine: Engine, sizes: Sizes) -> dict[str, Any]:
    import numpy as np

    shape = mlp_shape(sizes)
    X, y = moons(sizes.mlp_points)
    count = sum((nin + 1) * nout for nin, nout in zip(shape, shape[1:]))
    result: dict[str, Any] = {"points": len(X), "parameters": count}
    Xa, ya = np.array(X, dtype=np.float64), np.array(y, dtype=np.float64)
    layers = batched_model(shape, initial_weights(count))
    batched_loss, batched = batched_loss_and_grads(layers, Xa, ya)
    batched_grads = flat_grads(batched)
    if engine.name == "batched":
        result["first_loss"] = batched_loss
        result["first_grad_sum"] = math.fsum(map(abs, batched_grads))
        result["ms_per_step"] = timed_blocks(lambda: batched_loss_and_grads(layers, Xa, ya),
                                             *sizes.blocks("batched", "big_mlp")) * 1e3
        return result

    assert engine.compile is not None
    model, params = model_with_initial_weights(engine, shape)
    Value = engine.Value
    compiled = compile_timed(engine, lambda: demo_loss(Value, model, X, y), params, result)
    loss = compiled()
    grads = [p.grad for p in params]
    result["first_loss"] = loss
    result["first_grad_sum"] = math.fsum(map(abs, grads))
    # The check comes first: timing a step that computes something else means nothing.
    result["batched_loss_difference"] = relative_difference([loss], [batched_loss])
    result["batched_grad_difference"] = relative_difference(grads, batched_grads)
    worst = max(result["batched_loss_difference"], result["batched_grad_difference"])
    if not worst <= AGREE:
        result["error"] = (f"the compiled step and the batched numpy step disagree: loss "
                           f"{loss!r} against {batched_loss!r}, largest relative difference "
                           f"{worst:.1e} (more than {AGREE:g})")
        return result
    result["ms_per_step"] = timed_blocks(compiled, *sizes.blocks("numpy", "big_mlp")) * 1e3
    return result


# -- workload: what compiling costs -------------------------------------------------------


def run_compile_cost(engine: Engine, sizes: Sizes) -> dict[str, Any]:
    """The numpy backend compiling the demo step at two sizes: seconds per traced node
    (best of ``compile_repeats``, after one untimed compile) and peak bytes per traced
    node (``tracemalloc`` slows everything down, so memory is measured in runs of its
    own)."""
    assert engine.compile is not None
    Value = engine.Value
    result: dict[str, Any] = {}
    time_backend_import(engine, result)
    compile_step = engine.compile

    def demo(points: int) -> tuple[Callable[[], Any], list[Any]]:
        X, y = moons(points)
        model, params = model_with_initial_weights(engine, [2, 16, 16, 1])
        return (lambda: demo_loss(Value, model, X, y)), params

    compile_step(*demo(sizes.compile_points[0]))  # the warm-up
    for size, points in zip(("small", "large"), sizes.compile_points):
        fn, params = demo(points)
        best, nodes = math.inf, 0
        for _ in range(sizes.compile_repeats):
            gc.collect()
            started = time.perf_counter()
            step = compile_step(fn, params)
            best = min(best, time.perf_counter() - started)
            nodes = step.nodes
            del step
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        step = compile_step(fn, params)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del step
        result[f"{size}_points"] = points
        result[f"{size}_nodes"] = nodes
        result[f"{size}_compile_s"] = best
        result[f"{size}_us_per_node"] = best / nodes * 1e6
        result[f"{size}_peak_bytes_per_node"] = (peak - before) / nodes
    result["compile_linearity"] = result["large_us_per_node"] / result["small_us_per_node"]
    return result


# -- workload: bytes per node ---------------------------------------------------------------


def sum_of_products(Value: Any, terms: int) -> Any:
    """``0 + a_0*b_0 + a_1*b_1 + ...``: 4 * terms + 1 nodes, leaves made here."""
    s = Value(0.0)
    for i in range(terms):
        s = s + Value(i * 0.001) * Value(1.0 - i * 0.001)
    return s


def count_nodes(root: Any) -> int:
    seen = {id(root)}
    stack = [root]
    while stack:
        for parent in stack.pop()._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def run_memory(engine: Engine, sizes: Sizes) -> dict[str, Any]:
    terms = sizes.memory_terms
    Value = engine.Value
    if engine.compile is not None:
        return run_compiled_memory(engine, terms)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root = sum_of_products(Value, terms)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    nodes = count_nodes(root)
    return {"nodes": nodes, "bytes": after - before, "bytes_per_node": (after - before) / nodes}


def run_compiled_memory(engine: Engine, terms: int) -> dict[str, Any]:
    """What a compiled step keeps per traced node, once the traced graph is freed."""
    Value = engine.Value
    a = [Value(i * 0.001) for i in range(terms)]
    b = [Value(1.0 - i * 0.001) for i in range(terms)]

    def loss() -> Any:
        s = Value(0.0)
        for x, y in zip(a, b):
            s = s + x * y
        return s

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    step = engine.compile(loss, a + b)  # type: ignore[misc]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    step()
    return {"nodes": step.nodes, "bytes": after - before,
            "bytes_per_node": (after - before) / step.nodes}


WORKLOAD_RUNNERS: dict[str, Callable[[Engine, Sizes], dict[str, Any]]] = {
    "chain": run_chain,
    "wide_sum": run_wide_sum,
    "demo_step": run_demo_step,
    "memory": run_memory,
    "big_mlp": run_big_mlp,
    "compile_cost": run_compile_cost,
}


def worker(engine_name: str, workload: str, quick: bool) -> dict[str, Any]:
    """One measurement, in this process: the JSON object a worker prints."""
    sizes = QUICK if quick else FULL
    try:
        engine = load_engine(engine_name)
    except ImportError as error:
        return {"engine": engine_name, "workload": workload, "error": f"cannot import: {error}"}
    measured = WORKLOAD_RUNNERS[workload](engine, sizes)
    return {"engine": engine_name, "workload": workload, **measured}


# -- running the workers and showing the results ------------------------------------------


def run_worker(engine: str, workload: str, quick: bool) -> dict[str, Any]:
    """Runs one worker in a fresh Python process and reads its JSON."""
    command = [sys.executable, os.path.abspath(__file__), "--worker", engine, workload]
    if quick:
        command.append("--quick")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT,
                              env={**os.environ, **ONE_BLAS_THREAD})
    except subprocess.TimeoutExpired:
        return {"engine": engine, "workload": workload,
                "error": f"timed out after {WORKER_TIMEOUT} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"engine": engine, "workload": workload,
                "error": f"worker failed (exit {done.returncode}): {last}"}
    return json.loads(done.stdout)


@dataclass
class Row:
    """One line of the table: a label, and where its figure is in each result."""

    label: str
    workload: str
    key: str
    unit: str
    smaller_is_better: bool = True
    memory: bool = False


def table_rows(sizes: Sizes) -> list[Row]:
    ops = f"{3 * sizes.chain_links:,}"
    terms = f"{sizes.wide_terms:,}"
    nodes = f"{4 * sizes.memory_terms + 1:,}"
    hidden = sizes.mlp_hidden
    small, large = sizes.compile_points
    return [
        Row(f"chain of {ops} ops: forward", "chain", "forward_ns", "ns/op"),
        Row("chain: backward", "chain", "backward_ns", "ns/op"),
        Row("chain: forward + backward", "chain", "total_ns", "ns/op"),
        Row(f"wide sum of {terms} terms: forward", "wide_sum", "forward_ns", "ns/term"),
        Row("wide sum: backward", "wide_sum", "backward_ns", "ns/term"),
        Row("wide sum: forward + backward", "wide_sum", "total_ns", "ns/term"),
        Row(f"demo step ({sizes.demo_points} points, MLP 2-16-16-1)", "demo_step",
            "ms_per_step", "ms"),
        Row(f"bytes per node ({nodes}-node sum of products)", "memory", "bytes_per_node",
            "B", memory=True),
        Row(f"big MLP 2-{hidden}-{hidden}-1, {sizes.mlp_points:,} points: forward + backward",
            "big_mlp", "ms_per_step", "ms"),
        Row(f"compiling the demo step, {small} points: time per traced node", "compile_cost",
            "small_us_per_node", "µs"),
        Row(f"compiling the demo step, {large} points: time per traced node", "compile_cost",
            "large_us_per_node", "µs"),
        Row(f"compiling the demo step, {small} points: peak bytes per traced node",
            "compile_cost", "small_peak_bytes_per_node", "B", memory=True),
        Row(f"compiling the demo step, {large} points: peak bytes per traced node",
            "compile_cost", "large_peak_bytes_per_node", "B", memory=True),
    ]


def format_number(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(results: dict[tuple[str, str], dict[str, Any]], row: Row, engine: str) -> str:
    mine = results.get((row.workload, engine))
    if mine is None:
        return ""
    if "error" in mine:
        return "error"
    value = mine.get(row.key)
    if value is None:
        return "—"
    text = f"{format_number(value)} {row.unit}"
    base = results.get((row.workload, "micrograd"), {}).get(row.key)
    if engine != "micrograd" and base:
        if row.memory:
            text += f" ({value / base:.2f}x)"
        else:
            text += f" ({base / value:.1f}x)"
    return text


def compile_row(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    parts = []
    for engine in ("compiled", "numpy"):
        for workload in WORKLOADS:
            result = results.get((workload, engine), {})
            seconds = result.get("compile_s")
            if seconds is not None:
                backend = " (numpy)" if engine == "numpy" else ""
                imported = result.get("import_s")
                first = f" (+ {imported:.2f} s importing NumPy)" if imported is not None else ""
                parts.append(f"{WORKLOAD_TITLES[workload]}{backend} {seconds:.2f} s{first}")
    return parts


@dataclass
class Target:
    """One goal: ``measured`` against ``goal``, at least (speed-ups) or at most.
    ``unit`` is how both are shown: ``"x"`` a speed-up (``12.0x``), ``""`` a plain
    ratio, ``"s"`` seconds (to the millisecond), ``"B"`` bytes. A secondary check is
    not one of the issue's targets, only a yardstick kept from an earlier one."""

    issue: str
    text: str
    measured: float | None
    goal: float
    at_most: bool = False
    unit: str = "x"
    secondary: bool = False

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured <= self.goal if self.at_most else self.measured >= self.goal

    def shown(self) -> str:
        """The measured figure as the line prints it."""
        if self.measured is None:
            return "—"
        if self.unit == "x":
            return f"{self.measured:.1f}x"
        if self.unit == "B":
            return f"{self.measured:,.0f} B"
        if self.unit == "s":
            return f"{self.measured:.3f} s"
        return f"{self.measured:.2f}" + (f" {self.unit}" if self.unit else "")

    def goal_text(self) -> str:
        unit = "x" if self.unit == "x" else (f" {self.unit}" if self.unit else "")
        return f"{'<=' if self.at_most else '>='} {self.goal:g}{unit}"

    def line(self) -> str:
        verdict = "not measured" if self.met is None else "met" if self.met else "MISSED"
        # The line says what it is, not which issue of the project's asked for it.
        who = "secondary check" if self.secondary else "target"
        return f"{who}: {self.text}: {self.shown()} (target {self.goal_text()}): {verdict}"


def targets(results: dict[tuple[str, str], dict[str, Any]], sizes: Sizes = FULL) -> list[Target]:
    """Issue 13's targets, in its order, then the secondary checks."""
    def get(workload: str, engine: str, key: str) -> float | None:
        result = results.get((workload, engine), {})
        return None if "error" in result else result.get(key)

    def ratio(workload: str, key: str, engine: str, over: str = "micrograd") -> float | None:
        a, b = get(workload, over, key), get(workload, engine, key)
        return a / b if a and b else None

    hidden = sizes.mlp_hidden
    small, large = sizes.compile_points
    return [
        Target("13", "eager vs micrograd, demo step", ratio("demo_step", "ms_per_step", "eager"),
               75.0),
        Target("13", f"eager vs micrograd, chain of {3 * sizes.chain_links:,} ops, forward + "
                     f"backward", ratio("chain", "total_ns", "eager"), 5.0),
        Target("13", "eager vs micrograd, wide sum, forward + backward per term",
               ratio("wide_sum", "total_ns", "eager"), 10.0),
        Target("13", "eager bytes per node, as a fraction of micrograd's",
               ratio("memory", "bytes_per_node", "micrograd", "eager"), 0.25, at_most=True,
               unit=""),
        Target("13", "compiled (numpy backend) vs micrograd, demo step",
               ratio("demo_step", "ms_per_step", "numpy"), 1000.0),
        Target("13", "compiling the demo step with the numpy backend",
               get("demo_step", "numpy", "compile_s"), 0.3, at_most=True, unit="s"),
        Target("13", f"compile time per traced node, demo step at {large} points over {small} "
                     f"points (linear: does not grow)",
               get("compile_cost", "numpy", "compile_linearity"), 1.5, at_most=True, unit=""),
        Target("13", f"peak memory compiling the demo step ({small} points, numpy backend), per "
                     f"traced node", get("compile_cost", "numpy", "small_peak_bytes_per_node"),
               1024.0, at_most=True, unit="B"),
        Target("13", f"numpy backend time / batched numpy time, MLP 2-{hidden}-{hidden}-1 on "
                     f"{sizes.mlp_points:,} points",
               ratio("big_mlp", "ms_per_step", "batched", "numpy"), 25.0, at_most=True, unit=""),
        Target("6", "compiled (float code) time / hand-written float time, demo step",
               ratio("demo_step", "ms_per_step", "floats", "compiled"), 2.0, at_most=True,
               unit="", secondary=True),
    ]


def agreement(results: dict[tuple[str, str], dict[str, Any]]) -> str:
    """Whether the engines computed the same first demo step (same weights and data):
    the loss, and the sum of the gradients' magnitudes."""
    parts = []
    for key, what in (("first_loss", "loss"), ("first_grad_sum", "sum of |grad|")):
        found = [r.get(key) for (w, _), r in results.items() if w == "demo_step"]
        known = [v for v in found if v is not None]
        if len(known) < 2:
            continue
        worst = max(abs(v - known[0]) / max(1.0, abs(known[0])) for v in known)
        verdict = "agree" if worst <= 1e-12 else "DISAGREE"
        parts.append(f"{what} {known[0]!r}: {len(known)} engines {verdict} "
                     f"(largest relative difference {worst:.1e})")
    if not parts:
        return "first demo step: nothing to compare"
    return "first demo step, same weights and data: " + "; ".join(parts)


def big_mlp_agreement(results: dict[tuple[str, str], dict[str, Any]]) -> str:
    """What the compiled big-MLP worker found comparing its step with the batched one."""
    mine = results.get(("big_mlp", "numpy"), {})
    loss, grads = mine.get("batched_loss_difference"), mine.get("batched_grad_difference")
    if loss is None or grads is None:
        return "big MLP: the compiled and batched steps were not compared"
    verdict = "agree" if max(loss, grads) <= AGREE else "DISAGREE"
    return (f"big MLP, first step, same weights and data: the numpy backend and the batched "
            f"numpy step {verdict} (relative difference: loss {loss:.1e}, gradients "
            f"{grads:.1e}; at most {AGREE:g} allowed)")


def header_lines(command: str, quick: bool) -> list[str]:
    return [
        f"Python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"garbage collector on (default thresholds); each engine in its own process; "
        f"NumPy's BLAS on one thread"
        + ("; QUICK run (tiny sizes, one repeat: not a measurement)" if quick else ""),
        f"command: {command}",
    ]


def notes(results: dict[tuple[str, str], dict[str, Any]], sizes: Sizes) -> list[str]:
    lines = ["(Nx) = N times faster than micrograd; for bytes, the fraction of micrograd's."]
    compiled = compile_row(results)
    if compiled:
        lines.append("compile time (trace + generate + compile, paid once): " + ", ".join(compiled))
    lines.append("compiled chain and sum: one call does forward and backward; compiled bytes "
                 "per node: what the compiled step keeps per traced node (the graph is freed).")
    lines.append(f"wide sum: {sizes.wide_terms:,} terms rather than 1,000,000, which takes "
                 f"micrograd ~10 s and 1.6 GB per repeat.")
    lines.append(agreement(results))
    hidden = sizes.mlp_hidden
    lines.append(f"big MLP (2-{hidden}-{hidden}-1, demo loss, {sizes.mlp_points:,} points): one "
                 f"compiled call or one batched forward + backward per step, no update; eager "
                 f"mode (some 20 s a step at 1,000 points) and micrograd are far too slow to "
                 f"run it.")
    lines.append(big_mlp_agreement(results))
    cost = results.get(("compile_cost", "numpy"), {})
    if "small_nodes" in cost and "large_nodes" in cost:
        lines.append(
            f"compiling the demo step (numpy backend, best of {sizes.compile_repeats} after a "
            f"warm-up compile): {cost['small_points']} points, {cost['small_nodes']:,} traced "
            f"nodes, {cost['small_compile_s']:.2f} s; {cost['large_points']} points, "
            f"{cost['large_nodes']:,} nodes, {cost['large_compile_s']:.2f} s. Peak bytes: "
            f"tracemalloc's peak while compiling (the traced graph included), per traced node.")
    errors = [f"{w}/{e}: {r['error']}" for (w, e), r in results.items() if "error" in r]
    lines += [f"ERROR {line}" for line in errors]
    return lines


def target_lines(results: dict[tuple[str, str], dict[str, Any]], sizes: Sizes = FULL) -> list[str]:
    return [t.line() for t in targets(results, sizes)]


def render(results: dict[tuple[str, str], dict[str, Any]], sizes: Sizes, command: str,
           quick: bool, markdown: bool, terminal: bool) -> str:
    rows = table_rows(sizes)
    headings = ["workload"] + [ENGINE_TITLES[e] for e in ENGINES]
    body = [[row.label] + [cell(results, row, e) for e in ENGINES] for row in rows]
    heading = header_lines(command, quick)
    after = notes(results, sizes) + [""] + target_lines(results, sizes)
    if markdown:
        lines = [f"_{line}_  " for line in heading] + [""]
        lines.append("| " + " | ".join(headings) + " |")
        lines.append("|" + "|".join([":---"] + ["---:"] * len(ENGINES)) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in body]
        lines.append("")
        lines += [f"- {line}" for line in after if line]
        return "\n".join(lines) + "\n"
    if terminal:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="autograd_tiny benchmark")
        table.add_column(headings[0])
        for title in headings[1:]:
            table.add_column(title, justify="right", no_wrap=True)
        for r in body:
            table.add_row(*r)
        console = Console(width=max(120, Console().width))
        styles = {"met": "green", "MISSED": "bold red", "not measured": "yellow"}
        with console.capture() as captured:
            for line in heading:
                console.print(line, highlight=False)
            console.print(table)
            for line in after:
                verdict = line.rsplit(": ", 1)[-1]
                console.print(line, style=styles.get(verdict, ""), highlight=False)
        return captured.get()
    widths = [max(len(r[c]) for r in [headings] + body) for c in range(len(headings))]
    lines = heading + [""]
    for r in [headings] + body:
        lines.append("  ".join([r[0].ljust(widths[0])] + [x.rjust(w) for x, w in
                                                          zip(r[1:], widths[1:])]).rstrip())
    lines += [""] + after
    return "\n".join(lines) + "\n"


def collect(quick: bool, progress: bool = True) -> dict[tuple[str, str], dict[str, Any]]:
    """Runs every (workload, engine) pair in a worker process of its own."""
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for workload, engine in RUNS:
        if progress:
            print(f"running {WORKLOAD_TITLES[workload]} on {ENGINE_TITLES[engine]} ...",
                  file=sys.stderr, flush=True)
        results[(workload, engine)] = run_worker(engine, workload, quick)
    return results


def invocation(arguments: list[str]) -> str:
    """How this run was started, for the record: ``.venv/bin/python demos/bench.py ...``
    or ``... -m demos.bench ...``."""
    spec = globals().get("__spec__")
    script = ["-m", spec.name] if spec is not None and spec.name != "__main__" else \
        [os.path.relpath(os.path.abspath(__file__))]
    return " ".join([os.path.relpath(sys.executable), *script, *arguments])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "WORKLOAD"),
                        help=f"measure one pair in this process; ENGINE in {ENGINES}, "
                             f"WORKLOAD in {WORKLOADS}")
    args = parser.parse_args(argv)
    if args.worker:
        engine, workload = args.worker
        if engine not in ENGINES or workload not in WORKLOADS:
            parser.error(f"--worker: unknown engine or workload {engine!r} {workload!r}")
        if (workload, engine) not in RUNS:
            parser.error(f"--worker: {engine!r} does not run {workload!r} (it runs on "
                         f"{', '.join(WORKLOAD_ENGINES[workload])})")
        print(json.dumps(worker(engine, workload, args.quick)))
        return 0
    sizes = QUICK if args.quick else FULL
    command = invocation(sys.argv[1:] if argv is None else list(argv))
    terminal = sys.stdout.isatty()
    results = collect(args.quick)
    sys.stdout.write(render(results, sizes, command, args.quick, args.markdown, terminal))
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
