"""Speed and memory, side by side: PyPI ``micrograd``, autograd_tiny eager, autograd_tiny
compiled, and the demo step written by hand as plain float code.

    .venv/bin/python demos/bench.py [--quick] [--markdown]

Every (engine, workload) pair runs in a fresh process of its own (this file, run with
``--worker ENGINE WORKLOAD``, prints one JSON object): micrograd's nodes are reference
cycles, and in a shared process whoever allocates next would pay for collecting them.
The garbage collector stays on, at Python's default settings, everywhere. Each figure
is the best of several repeats after a warm-up.

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
  divided by the number of nodes in the graph.

Columns: micrograd 0.1.0 from PyPI; autograd_tiny eager (build the graph, then
``backward()``); autograd_tiny compiled (``autograd_tiny.compile``: traced once, each
call replays forward and backward as float code; its compile time is reported apart);
and, for the demo step only, the step written by hand in plain Python floats (lists,
``sum(map(mul, ...))``), the yardstick for the compiled code. Ratios are against
micrograd, and the targets of issues 2, 3 and 6 are checked at the end.
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

ENGINES = ("micrograd", "eager", "compiled", "numpy", "floats")
ENGINE_TITLES = {
    "micrograd": "micrograd 0.1.0",
    "eager": "autograd_tiny eager",
    "compiled": "autograd_tiny compiled",
    "numpy": "compiled, numpy backend",
    "floats": "hand-written floats",
}
WORKLOADS = ("chain", "wide_sum", "demo_step", "memory")
# The hand-written float column and the numpy backend (one NumPy call per level of
# the graph: made for wide graphs, not for a chain 10,000 levels deep) run the demo
# step only.
DEMO_ONLY = ("floats", "numpy")
RUNS = [(w, e) for w in WORKLOADS for e in ENGINES if e not in DEMO_ONLY or w == "demo_step"]

SEED = 1337
ALPHA = 1e-4  # micrograd's L2 strength
LR = 0.05
WORKER_TIMEOUT = 900  # seconds


@dataclass(frozen=True)
class Sizes:
    """How big each workload is and how often it is repeated."""

    chain_links: int = 3334  # 10,002 ops
    chain_repeats: int = 7
    wide_terms: int = 200_000
    wide_repeats: int = 3
    demo_points: int = 100
    # (timed blocks, consecutive steps per block) per engine; the best block counts.
    demo_blocks: tuple[tuple[str, int, int], ...] = (
        ("micrograd", 3, 3), ("eager", 4, 3), ("compiled", 7, 20), ("numpy", 7, 20),
        ("floats", 7, 20))
    memory_terms: int = 12_500  # 4 * 12,500 + 1 = 50,001 nodes
    warmup: bool = True

    def blocks(self, engine: str) -> tuple[int, int]:
        for name, blocks, steps in self.demo_blocks:
            if name == engine:
                return blocks, steps
        raise KeyError(engine)


FULL = Sizes()
QUICK = Sizes(chain_links=100, chain_repeats=2, wide_terms=2_000, wide_repeats=2,
              demo_points=8, demo_blocks=(("micrograd", 1, 1), ("eager", 1, 1),
                                          ("compiled", 2, 2), ("numpy", 2, 2),
                                          ("floats", 2, 2)),
              memory_terms=500, warmup=False)


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
    """Imports only what ``name`` needs, in this (worker) process."""
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
    model = engine.nn.MLP(2, [16, 16, 1])
    params = model.parameters()
    for p, value in zip(params, initial_weights(len(params))):
        p.data = value
    Value = engine.Value
    result: dict[str, Any] = {"points": len(X), "parameters": len(params)}

    if engine.compile is not None:
        time_backend_import(engine, result)
        started = time.perf_counter()
        compiled = engine.compile(lambda: demo_loss(Value, model, X, y), params)
        result["compile_s"] = time.perf_counter() - started
        result["compile_timings"] = compiled.timings
        result["nodes"] = compiled.nodes

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
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT)
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
                parts.append(f"{workload.replace('_', ' ')}{backend} {seconds:.2f} s{first}")
    return parts


@dataclass
class Target:
    issue: str
    text: str
    measured: float | None
    goal: float
    at_most: bool = False

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured <= self.goal if self.at_most else self.measured >= self.goal


def targets(results: dict[tuple[str, str], dict[str, Any]]) -> list[Target]:
    def ratio(workload: str, key: str, engine: str, over: str = "micrograd") -> float | None:
        a = results.get((workload, over), {}).get(key)
        b = results.get((workload, engine), {}).get(key)
        return a / b if a and b else None

    bytes_ratio = ratio("memory", "bytes_per_node", "micrograd", "eager")
    return [
        Target("2", "eager vs micrograd, chain, forward + backward per op",
               ratio("chain", "total_ns", "eager"), 5.0),
        Target("2, 6", "eager bytes per node, as a fraction of micrograd's", bytes_ratio, 0.25,
               at_most=True),
        Target("3", "eager vs micrograd, demo step", ratio("demo_step", "ms_per_step", "eager"),
               10.0),
        Target("6", "eager vs micrograd, demo step", ratio("demo_step", "ms_per_step", "eager"),
               20.0),
        Target("6", "compiled vs micrograd, demo step",
               ratio("demo_step", "ms_per_step", "compiled"), 100.0),
        Target("6", "compiled time / hand-written float time, demo step",
               ratio("demo_step", "ms_per_step", "floats", "compiled"), 2.0, at_most=True),
        Target("13", "compiled (numpy backend) vs micrograd, demo step",
               ratio("demo_step", "ms_per_step", "numpy"), 1000.0),
        Target("13", "compiling the demo step with the numpy backend, seconds",
               results.get(("demo_step", "numpy"), {}).get("compile_s"), 0.3, at_most=True),
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


def header_lines(command: str, quick: bool) -> list[str]:
    return [
        f"Python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"garbage collector on (default thresholds); each engine in its own process"
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
    errors = [f"{w}/{e}: {r['error']}" for (w, e), r in results.items() if "error" in r]
    lines += [f"ERROR {line}" for line in errors]
    return lines


def target_lines(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    lines = []
    for t in targets(results):
        if t.measured is None:
            verdict, shown = "not measured", "—"
        else:
            verdict = "met" if t.met else "MISSED"
            shown = f"{t.measured:.2f}" if t.at_most else f"{t.measured:.1f}x"
        goal = f"<= {t.goal:g}" if t.at_most else f">= {t.goal:g}x"
        lines.append(f"issue {t.issue}: {t.text}: {shown} (target {goal}): {verdict}")
    return lines


def render(results: dict[tuple[str, str], dict[str, Any]], sizes: Sizes, command: str,
           quick: bool, markdown: bool, terminal: bool) -> str:
    rows = table_rows(sizes)
    headings = ["workload"] + [ENGINE_TITLES[e] for e in ENGINES]
    body = [[row.label] + [cell(results, row, e) for e in ENGINES] for row in rows]
    heading = header_lines(command, quick)
    after = notes(results, sizes) + [""] + target_lines(results)
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
        print(json.dumps(worker(engine, workload, args.quick)))
        return 0
    sizes = QUICK if args.quick else FULL
    command = invocation(sys.argv[1:] if argv is None else list(argv))
    terminal = sys.stdout.isatty()
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for workload, engine in RUNS:
        print(f"running {workload.replace('_', ' ')} on {ENGINE_TITLES[engine]} ...",
              file=sys.stderr, flush=True)
        results[(workload, engine)] = run_worker(engine, workload, args.quick)
    sys.stdout.write(render(results, sizes, command, args.quick, args.markdown, terminal))
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
