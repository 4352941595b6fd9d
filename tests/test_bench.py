"""The benchmark harness: each worker runs in its own process and prints valid JSON,
the hand-written float baseline computes the same step as the engine, and the table
reports ratios and targets from the numbers it is given."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_tiny.nn import MLP

BENCH = Path(__file__).resolve().parent.parent / "demos" / "bench.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("demos_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["demos_bench"] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


bench = load_bench()

# What each worker must report, per workload and engine kind.
EXPECTED = {
    ("chain", "eager"): ["forward_ns", "backward_ns", "total_ns"],
    ("chain", "compiled"): ["total_ns", "compile_s"],
    ("wide_sum", "eager"): ["forward_ns", "backward_ns", "total_ns"],
    ("wide_sum", "compiled"): ["total_ns", "compile_s"],
    ("demo_step", "eager"): ["ms_per_step", "first_loss"],
    ("demo_step", "compiled"): ["ms_per_step", "first_loss", "compile_s"],
    ("demo_step", "floats"): ["ms_per_step", "first_loss"],
    ("demo_step", "numpy"): ["ms_per_step", "first_loss", "compile_s"],
    ("memory", "eager"): ["bytes_per_node", "nodes"],
    ("memory", "compiled"): ["bytes_per_node", "nodes"],
}


def run_worker(engine: str, workload: str) -> dict:
    done = subprocess.run([sys.executable, str(BENCH), "--worker", engine, workload, "--quick"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def check(result: dict, engine: str, workload: str) -> None:
    assert result["engine"] == engine and result["workload"] == workload
    assert "error" not in result
    kind = "eager" if engine == "micrograd" else engine
    for key in EXPECTED[(workload, kind)]:
        assert isinstance(result[key], (int, float)) and result[key] > 0, (key, result)


FAST_RUNS = [run for run in bench.RUNS if run[1] != "micrograd"]


@pytest.mark.parametrize("workload, engine", FAST_RUNS)
def test_quick_worker_prints_json_for_each_engine(workload, engine):
    check(run_worker(engine, workload), engine, workload)


@pytest.mark.slow
@pytest.mark.parametrize("workload", bench.WORKLOADS)
def test_quick_micrograd_worker_prints_json(workload):
    check(run_worker("micrograd", workload), "micrograd", workload)


@pytest.mark.slow
def test_every_engine_computes_the_same_first_demo_loss():
    losses = [run_worker(e, "demo_step")["first_loss"] for e in bench.ENGINES]
    assert max(losses) - min(losses) <= 1e-12 * abs(losses[0])


def test_the_number_of_nodes_per_sum_of_products_is_as_documented():
    result = bench.worker("eager", "memory", quick=True)
    assert result["nodes"] == 4 * bench.QUICK.memory_terms + 1
    assert result["bytes"] / result["nodes"] == result["bytes_per_node"]


# -- the hand-written float baseline is the same computation --------------------------------


def test_hand_written_float_step_matches_an_eager_step():
    X, y = bench.moons(12)
    shape = [2, 16, 16, 1]
    model = MLP(2, shape[1:])
    params = model.parameters()
    weights = bench.initial_weights(len(params))
    for p, w in zip(params, weights):
        p.data = w
    layers = bench.float_model(shape, weights)

    loss = bench.demo_loss(type(params[0]), model, X, y)
    loss.backward()
    for p in params:
        p.data -= bench.LR * p.grad
    float_loss = bench.float_demo_step(layers, X, y, bench.LR)

    assert float_loss == loss.data  # the same sums in the same order
    after = [v for W, B in layers for w, b in zip(W, B) for v in (*w, b)]
    assert len(after) == len(params)
    assert max(abs(a - p.data) for a, p in zip(after, params)) <= 1e-12


def test_float_model_reads_weights_in_micrograd_parameter_order():
    layers = bench.float_model([2, 1, 1], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert layers == [([[1.0, 2.0]], [3.0]), ([[4.0]], [5.0])]


# -- the table ---------------------------------------------------------------------------------


def fake_results() -> dict:
    return {
        ("chain", "micrograd"): {"forward_ns": 1000.0, "backward_ns": 1000.0, "total_ns": 2000.0},
        ("chain", "eager"): {"forward_ns": 200.0, "backward_ns": 300.0, "total_ns": 500.0},
        ("chain", "compiled"): {"total_ns": 100.0, "compile_s": 0.25},
        ("demo_step", "micrograd"): {"ms_per_step": 1200.0, "first_loss": 1.5},
        ("demo_step", "eager"): {"ms_per_step": 100.0, "first_loss": 1.5},
        ("demo_step", "compiled"): {"ms_per_step": 6.0, "first_loss": 1.5},
        ("demo_step", "floats"): {"ms_per_step": 4.0, "first_loss": 1.5},
        ("demo_step", "numpy"): {"ms_per_step": 1.0, "first_loss": 1.5, "compile_s": 0.5},
        ("memory", "micrograd"): {"bytes_per_node": 600.0},
        ("memory", "eager"): {"bytes_per_node": 120.0},
        ("wide_sum", "eager"): {"error": "worker failed (exit 1): boom"},
    }


def test_markdown_table_shows_figures_and_ratios_to_micrograd():
    text = bench.render(fake_results(), bench.FULL, "demos/bench.py --markdown", quick=False,
                        markdown=True, terminal=False)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if line.startswith("| ")}
    chain = rows["chain: forward + backward"]
    assert "2,000 ns/op" in chain and "500 ns/op (4.0x)" in chain and "100 ns/op (20.0x)" in chain
    demo = next(line for label, line in rows.items() if label.startswith("demo step"))
    assert "100 ms (12.0x)" in demo and "6.00 ms (200.0x)" in demo and "4.00 ms (300.0x)" in demo
    memory = next(line for label, line in rows.items() if label.startswith("bytes per node"))
    assert "120 B (0.20x)" in memory
    assert "error" in rows["wide sum: forward + backward"]
    assert "chain 0.25 s" in text and "ERROR wide_sum/eager: worker failed" in text
    assert "command: demos/bench.py --markdown" in text


def test_targets_are_judged_from_the_ratios():
    # micrograd / eager: chain 2000 / 500 = 4x, demo 1200 / 100 = 12x; compiled 1200 / 6
    # = 200x and 6 / 4 = 1.5 times the hand-written floats; bytes 120 / 600 = 0.2.
    lines = bench.target_lines(fake_results())
    assert lines == [
        "issue 2: eager vs micrograd, chain, forward + backward per op: 4.0x (target >= 5x): MISSED",
        "issue 2, 6: eager bytes per node, as a fraction of micrograd's: 0.20 (target <= 0.25): met",
        "issue 3: eager vs micrograd, demo step: 12.0x (target >= 10x): met",
        "issue 6: eager vs micrograd, demo step: 12.0x (target >= 20x): MISSED",
        "issue 6: compiled vs micrograd, demo step: 200.0x (target >= 100x): met",
        "issue 6: compiled time / hand-written float time, demo step: 1.50 (target <= 2): met",
        "issue 13: compiled (numpy backend) vs micrograd, demo step: 1200.0x (target >= 1000x): met",
        "issue 13: compiling the demo step with the numpy backend, seconds: 0.50 "
        "(target <= 0.3): MISSED",
    ]


def test_a_target_without_figures_is_not_measured():
    results = fake_results()
    del results[("demo_step", "floats")]
    assert bench.target_lines(results)[-3].endswith("— (target <= 2): not measured")


def test_plain_text_table_when_not_a_terminal():
    text = bench.render(fake_results(), bench.FULL, "bench", quick=False, markdown=False,
                        terminal=False)
    assert "|" not in text and "micrograd 0.1.0" in text
    assert any(line.startswith("chain: forward + backward") and "(4.0x)" in line
               for line in text.splitlines())
    assert "100 ms (12.0x)" in text
