"""The benchmark harness: each worker runs in its own process and prints valid JSON,
the hand-written baselines (plain floats for the demo step, batched NumPy for the big
MLP) compute the same step as the engine, and the table reports ratios and issue 13's
targets from the numbers it is given. No test here looks at a wall-clock figure."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_tiny.compile import compile
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
    ("big_mlp", "numpy"): ["ms_per_step", "first_loss", "first_grad_sum", "compile_s", "nodes"],
    ("big_mlp", "batched"): ["ms_per_step", "first_loss", "first_grad_sum"],
    ("compile_cost", "numpy"): ["small_nodes", "large_nodes", "small_us_per_node",
                                "large_us_per_node", "small_peak_bytes_per_node",
                                "large_peak_bytes_per_node", "compile_linearity"],
}

# Issue 13's targets, in its order (the table's wording); then one secondary check.
ISSUE_13 = [
    "eager vs micrograd, demo step",
    "eager vs micrograd, chain of",
    "eager vs micrograd, wide sum, forward + backward per term",
    "eager bytes per node, as a fraction of micrograd's",
    "compiled (numpy backend) vs micrograd, demo step",
    "compiling the demo step with the numpy backend",
    "compile time per traced node, demo step at",
    "peak memory compiling the demo step",
    "numpy backend time / batched numpy time, MLP 2-",
]


def check(result: dict, engine: str, workload: str) -> None:
    assert result["engine"] == engine and result["workload"] == workload
    assert "error" not in result, result["error"]
    kind = "eager" if engine == "micrograd" else engine
    for key in EXPECTED[(workload, kind)]:
        assert isinstance(result[key], (int, float)) and result[key] > 0, (key, result)


# -- the quick bench, run once: every worker in its own process -------------------------------


@pytest.fixture(scope="module")
def quick_results() -> dict:
    return bench.collect(quick=True, progress=False)


def test_every_workload_has_its_engines_and_every_engine_a_workload():
    assert set(bench.WORKLOAD_ENGINES) == set(bench.WORKLOADS)
    assert {e for _, e in bench.RUNS} == set(bench.ENGINES)
    assert ("big_mlp", "eager") not in bench.RUNS and ("big_mlp", "micrograd") not in bench.RUNS


@pytest.mark.parametrize("workload, engine", bench.RUNS)
def test_quick_worker_prints_json_for_each_engine(quick_results, workload, engine):
    check(quick_results[(workload, engine)], engine, workload)


def test_quick_bench_prints_every_issue_13_target_with_a_verdict(quick_results):
    text = bench.render(quick_results, bench.QUICK, "demos/bench.py --quick", quick=True,
                        markdown=False, terminal=False)
    lines = [line for line in text.splitlines() if line.startswith("target: ")]
    assert len(lines) == len(ISSUE_13)
    for line, start in zip(lines, ISSUE_13):
        assert line.startswith(f"target: {start}"), (line, start)
        assert line.endswith(": met") or line.endswith(": MISSED"), line
    assert any(line.startswith("secondary check: ") for line in text.splitlines())
    assert "ERROR" not in text
    assert "micrograd are far too slow to run it" in text  # the big MLP's note


def test_every_engine_computes_the_same_first_demo_loss(quick_results):
    losses = [quick_results[("demo_step", e)]["first_loss"]
              for e in bench.WORKLOAD_ENGINES["demo_step"]]
    assert max(losses) - min(losses) <= 1e-12 * abs(losses[0])


def test_the_compiled_and_batched_big_mlp_workers_agree(quick_results):
    compiled = quick_results[("big_mlp", "numpy")]
    batched = quick_results[("big_mlp", "batched")]
    assert compiled["batched_loss_difference"] <= bench.AGREE
    assert compiled["batched_grad_difference"] <= bench.AGREE
    for key in ("first_loss", "first_grad_sum"):
        assert compiled[key] == pytest.approx(batched[key], rel=1e-9, abs=0)
    assert compiled["parameters"] == batched["parameters"] == 3 * 8 + 9 * 8 + 9 * 1


def test_the_number_of_nodes_per_sum_of_products_is_as_documented():
    result = bench.worker("eager", "memory", quick=True)
    assert result["nodes"] == 4 * bench.QUICK.memory_terms + 1
    assert result["bytes"] / result["nodes"] == result["bytes_per_node"]


def test_a_worker_refuses_an_engine_that_does_not_run_the_workload(capsys):
    with pytest.raises(SystemExit) as stopped:
        bench.main(["--worker", "eager", "big_mlp"])
    assert stopped.value.code == 2
    assert "'eager' does not run 'big_mlp'" in capsys.readouterr().err


def model_with_initial_weights(shape: list[int]) -> tuple[MLP, list, list[float]]:
    """An MLP of ``shape`` with the bench's starting weights, its parameters and them."""
    model = MLP(shape[0], shape[1:])
    params = model.parameters()
    weights = bench.initial_weights(len(params))
    for p, w in zip(params, weights):
        p.data = w
    return model, params, weights


# -- the hand-written float baseline is the same computation --------------------------------


def test_hand_written_float_step_matches_an_eager_step():
    X, y = bench.moons(12)
    shape = [2, 16, 16, 1]
    model, params, weights = model_with_initial_weights(shape)
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


# -- the batched NumPy baseline is the same computation ----------------------------------------


def test_batched_numpy_step_matches_the_compiled_and_eager_steps():
    np = pytest.importorskip("numpy")
    X, y = bench.moons(20)
    shape = [2, 4, 4, 1]
    model, params, weights = model_with_initial_weights(shape)

    loss = bench.demo_loss(type(params[0]), model, X, y)
    loss.backward()
    eager = [p.grad for p in params]
    step = compile(lambda: bench.demo_loss(type(params[0]), model, X, y), params,
                   backend="numpy")
    compiled_loss = step()
    compiled = [p.grad for p in params]
    layers = bench.batched_model(shape, weights)
    batched_loss, grads = bench.batched_loss_and_grads(
        layers, np.array(X, dtype=float), np.array(y, dtype=float))
    batched = bench.flat_grads(grads)

    assert len(batched) == len(params) == 37
    assert any(g != 0.0 for g in batched)
    margins = [1 - yi * s for yi, s in zip(y, (model(x).data for x in X))]
    assert min(margins) < 0 < max(margins)  # some hinges are active, some are not
    for other_loss, other in ((loss.data, eager), (compiled_loss, compiled)):
        assert abs(batched_loss - other_loss) <= 1e-9 * abs(other_loss)
        for g, h in zip(batched, other):
            assert abs(g - h) <= 1e-9 * max(1.0, abs(h)), (g, h)


def test_batched_model_reads_weights_in_parameter_order():
    np = pytest.importorskip("numpy")
    (W1, b1), (W2, b2) = bench.batched_model([2, 1, 1], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert W1.tolist() == [[1.0, 2.0]] and b1.tolist() == [3.0]
    assert W2.tolist() == [[4.0]] and b2.tolist() == [5.0]
    grads = [(np.array([[1.0, 2.0]]), np.array([3.0])), (np.array([[4.0]]), np.array([5.0]))]
    assert bench.flat_grads(grads) == [1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(ValueError, match="4 weights for a \\[2, 1, 1\\] MLP, which has 5"):
        bench.batched_model([2, 1, 1], [1.0, 2.0, 3.0, 4.0])


def test_relative_difference_is_relative_to_the_largest_reference_value():
    assert bench.relative_difference([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert bench.relative_difference([2.0, 1e-3], [2.0, 0.0]) == 1e-3 / 2.0
    assert bench.relative_difference([0.0], [0.0]) == 0.0


def test_the_big_mlp_worker_reports_a_disagreement_instead_of_a_time(monkeypatch):
    pytest.importorskip("numpy")
    honest = bench.batched_loss_and_grads

    def off_by_a_little(layers, X, y):
        loss, grads = honest(layers, X, y)
        return loss * (1 + 1e-6), grads

    monkeypatch.setattr(bench, "batched_loss_and_grads", off_by_a_little)
    result = bench.worker("numpy", "big_mlp", quick=True)
    assert "disagree" in result["error"] and "ms_per_step" not in result
    assert result["batched_loss_difference"] > bench.AGREE


# -- the table ---------------------------------------------------------------------------------


def fake_results() -> dict:
    return {
        ("chain", "micrograd"): {"forward_ns": 1000.0, "backward_ns": 1000.0, "total_ns": 2000.0},
        ("chain", "eager"): {"forward_ns": 200.0, "backward_ns": 300.0, "total_ns": 500.0},
        ("chain", "compiled"): {"total_ns": 100.0, "compile_s": 0.25},
        ("wide_sum", "micrograd"): {"forward_ns": 9000.0, "backward_ns": 3000.0,
                                    "total_ns": 12000.0},
        ("wide_sum", "eager"): {"forward_ns": 600.0, "backward_ns": 400.0, "total_ns": 1000.0},
        ("wide_sum", "compiled"): {"error": "worker failed (exit 1): boom"},
        ("demo_step", "micrograd"): {"ms_per_step": 1500.0, "first_loss": 1.5},
        ("demo_step", "eager"): {"ms_per_step": 20.0, "first_loss": 1.5},
        ("demo_step", "compiled"): {"ms_per_step": 6.0, "first_loss": 1.5},
        ("demo_step", "floats"): {"ms_per_step": 4.0, "first_loss": 1.5},
        ("demo_step", "numpy"): {"ms_per_step": 1.0, "first_loss": 1.5, "compile_s": 0.5},
        ("memory", "micrograd"): {"bytes_per_node": 600.0},
        ("memory", "eager"): {"bytes_per_node": 120.0},
        ("big_mlp", "numpy"): {"ms_per_step": 300.0, "compile_s": 20.0,
                               "batched_loss_difference": 0.0,
                               "batched_grad_difference": 4e-16},
        ("big_mlp", "batched"): {"ms_per_step": 10.0},
        ("compile_cost", "numpy"): {"compile_linearity": 1.05, "small_points": 100,
                                    "large_points": 400, "small_nodes": 8318,
                                    "large_nodes": 30218, "small_compile_s": 0.2,
                                    "large_compile_s": 0.8, "small_us_per_node": 24.0,
                                    "large_us_per_node": 25.2,
                                    "small_peak_bytes_per_node": 1100.0,
                                    "large_peak_bytes_per_node": 1150.0},
    }


def test_markdown_table_shows_figures_and_ratios_to_micrograd():
    text = bench.render(fake_results(), bench.FULL, "demos/bench.py --markdown", quick=False,
                        markdown=True, terminal=False)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if line.startswith("| ")}
    chain = rows["chain: forward + backward"]
    assert "2,000 ns/op" in chain and "500 ns/op (4.0x)" in chain and "100 ns/op (20.0x)" in chain
    demo = next(line for label, line in rows.items() if label.startswith("demo step"))
    assert "20.0 ms (75.0x)" in demo and "6.00 ms (250.0x)" in demo and "4.00 ms (375.0x)" in demo
    memory = next(line for label, line in rows.items() if label.startswith("bytes per node"))
    assert "120 B (0.20x)" in memory
    big = rows["big MLP 2-64-64-1, 1,000 points: forward + backward"]
    assert "300 ms" in big and "10.0 ms" in big
    peak = rows["compiling the demo step, 100 points: peak bytes per traced node"]
    assert "1,100 B" in peak
    assert "error" in rows["wide sum: forward + backward"]
    assert "chain 0.25 s" in text and "big MLP (numpy) 20.00 s" in text
    assert "ERROR wide_sum/compiled: worker failed" in text
    assert "command: demos/bench.py --markdown" in text
    assert "big MLP, first step, same weights and data: the numpy backend and the batched numpy " \
           "step agree (relative difference: loss 0.0e+00, gradients 4.0e-16" in text
    assert "100 points, 8,318 traced nodes, 0.20 s; 400 points, 30,218 nodes, 0.80 s" in text


def test_targets_are_issue_13s_judged_from_the_figures():
    # eager: demo 1500 / 20 = 75x (exactly the goal), chain 2000 / 500 = 4x, wide sum
    # 12000 / 1000 = 12x, bytes 120 / 600 = 0.2; numpy backend 1500 / 1 = 1500x, compiled in
    # 0.5 s; compile time per node 1.05 times as much at 400 points, peak 1,100 B a node;
    # big MLP 300 / 10 = 30 times the batched step; compiled floats 6 / 4 = 1.5.
    lines = bench.target_lines(fake_results())
    assert lines == [
        "target: eager vs micrograd, demo step: 75.0x (target >= 75x): met",
        "target: eager vs micrograd, chain of 10,002 ops, forward + backward: 4.0x "
        "(target >= 5x): MISSED",
        "target: eager vs micrograd, wide sum, forward + backward per term: 12.0x "
        "(target >= 10x): met",
        "target: eager bytes per node, as a fraction of micrograd's: 0.20 (target <= 0.25): met",
        "target: compiled (numpy backend) vs micrograd, demo step: 1500.0x (target >= 1000x): "
        "met",
        "target: compiling the demo step with the numpy backend: 0.500 s (target <= 0.3 s): "
        "MISSED",
        "target: compile time per traced node, demo step at 400 points over 100 points "
        "(linear: does not grow): 1.05 (target <= 1.5): met",
        "target: peak memory compiling the demo step (100 points, numpy backend), per traced "
        "node: 1,100 B (target <= 1024 B): MISSED",
        "target: numpy backend time / batched numpy time, MLP 2-64-64-1 on 1,000 points: "
        "30.00 (target <= 25): MISSED",
        "secondary check: compiled (float code) time / hand-written float time, "
        "demo step: 1.50 (target <= 2): met",
    ]


@pytest.mark.parametrize("measured, at_most, met", [
    (10.0, False, True), (9.999, False, False), (10.0, True, True), (10.001, True, False),
    (None, False, None), (None, True, None)])
def test_a_target_is_met_on_its_side_of_the_goal_the_goal_included(measured, at_most, met):
    target = bench.Target("13", "made up", measured, 10.0, at_most=at_most)
    assert target.met is met
    verdict = {True: "met", False: "MISSED", None: "not measured"}[met]
    assert target.line().endswith(f": {verdict}")


def test_a_target_without_figures_is_not_measured():
    results = fake_results()
    del results[("big_mlp", "batched")]
    results[("demo_step", "numpy")] = {"error": "worker failed (exit 1): boom", "compile_s": 0.1}
    lines = bench.target_lines(results)
    assert lines[8].endswith("— (target <= 25): not measured")
    # a worker that failed measured nothing, whatever figures it got before failing
    assert lines[4].endswith("— (target >= 1000x): not measured")
    assert lines[5].endswith("— (target <= 0.3 s): not measured")


def test_plain_text_table_when_not_a_terminal():
    text = bench.render(fake_results(), bench.FULL, "bench", quick=False, markdown=False,
                        terminal=False)
    assert "|" not in text and "micrograd 0.1.0" in text and "hand-written numpy, batched" in text
    assert any(line.startswith("chain: forward + backward") and "(4.0x)" in line
               for line in text.splitlines())
    assert "20.0 ms (75.0x)" in text


def test_a_quick_worker_runs_from_the_command_line():
    done = subprocess.run([sys.executable, str(BENCH), "--worker", "batched", "big_mlp",
                           "--quick"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    check(json.loads(done.stdout), "batched", "big_mlp")
