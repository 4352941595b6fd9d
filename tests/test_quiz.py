"""The quiz: problems per level and seed, questions in backward order with the engine's
numbers, and whole sessions driven through piped stdin (wrong answer, retry, bad input,
end of input, Ctrl-C) that always end with the score."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from rich.console import Console

from autograd_tiny.core.graph import snapshot
from autograd_tiny.teach.check import gradients
from autograd_tiny.teach.quiz import make_problem, questions, run_quiz


@pytest.mark.parametrize("level", [1, 2, 3])
def test_same_seed_same_problem(level):
    first, second = make_problem(level, seed=11), make_problem(level, seed=11)
    assert first.text() == second.text()
    texts = {make_problem(level, seed=s).text() for s in range(8)}
    assert len(texts) > 3


@pytest.mark.parametrize("seed", range(12))
def test_questions_match_backward(seed):
    for level in (1, 2, 3):
        problem = make_problem(level, seed=seed)
        problem.root.backward()
        for q in questions(problem):
            if q.kind == "gradient":
                assert q.answer == pytest.approx(q.bottom.grad, rel=1e-12, abs=1e-15)
            else:  # the local derivative times the user's gradient is one route's share
                assert q.top in snapshot(problem.root).order
        # Every asked node's gradient is a question (or equals a local one: one use).
        asked = {q.bottom for q in questions(problem)}
        assert set(problem.asked) <= asked


def test_level_two_has_a_shared_node():
    for seed in range(10):
        graph = snapshot(make_problem(2, seed=seed).root)
        assert max(graph.uses.values()) >= 2


def test_level_three_network_questions():
    # Some seed gives the 2-2-2 network; its w5 question matches the chain rule.
    problem = next(p for p in (make_problem(3, seed=s) for s in range(20))
                   if p.title == "the 2-2-2 network")
    qs = {q.prompt: q for q in questions(problem)}
    grads = gradients(snapshot(problem.root))
    by_label = {n.label: n for n in snapshot(problem.root).order if n.label}
    w5 = qs["dE_total/dw5 (gradient)"]
    assert w5.answer == grads[by_label["w5"]]
    local = qs["∂E_o1/∂out_o1 (local derivative of *, **2, -)"]
    assert local.rule == "out_o1 - target_o1"
    assert local.answer == pytest.approx(by_label["out_o1"].data - by_label["target_o1"].data)
    assert qs["∂net_o1/∂w5 (local derivative of *, +)"].rule == "out_h1"


@pytest.mark.parametrize("seed", range(12))
def test_local_derivatives_and_gradients_are_written_apart(seed):
    # A local derivative (one op's) is written with ∂, the gradient of the output with
    # d, as teach.notation writes them: never one symbol for both.
    from autograd_tiny.teach.notation import derivative_text, local_derivative_text

    for level in (1, 2, 3):
        problem = make_problem(level, seed=seed)
        graph = snapshot(problem.root)
        for q in questions(problem):
            name = q.prompt.split(" (")[0]
            top, bottom = graph.names[q.top], graph.names[q.bottom]
            if q.kind == "local":
                assert name == local_derivative_text(top, bottom) and name.startswith("∂")
            else:
                assert name == derivative_text(top, bottom) and "∂" not in name
                # the chain rule in names: gradients with d, each route's last factor with ∂
                chain = q.rule.split(" = ")[1]
                for term in chain.split(" + "):
                    *gradients_, local = term.split(" * ")
                    assert local.startswith("∂") and all(g.startswith("d") for g in gradients_)


def test_the_chain_rule_hint_tells_the_gradient_from_the_local_derivative():
    # b is used by L directly and through d: dL/db = ∂L/∂b + dL/dd * ∂d/∂b
    q = questions(make_problem(2, seed=1))[9]
    assert q.rule == "dL/db = ∂L/∂b + dL/dd * ∂d/∂b = (-1) + 1 * (-1)"


def test_a_console_that_cannot_print_the_partial_sign_gets_plain_d():
    class Ascii(io.StringIO):
        encoding = "ascii"

    out = Ascii()
    replies = iter(["5", "7", "skip", "5", "5"])  # two misses, a skip, two misses

    def ask(prompt):
        out.write(prompt)
        reply = next(replies, None)
        if reply is None:
            raise EOFError
        return reply

    score = run_quiz(make_problem(2, seed=1), Console(file=out, width=200), ask=ask)
    assert score.asked == 3 and score.points == 0
    text = out.getvalue()
    assert "skipped: de/dd = 1" in text
    assert "not 5 either: chain rule: dL/dd = dL/de * de/dd = 1 * 1" in text
    assert "∂" not in text
    assert "[1/10] dL/de (local derivative of -) = " in text
    assert "the op table's rule for -: dL/de = 1" in text
    text.encode("ascii")


def session(replies, level=2, seed=4):
    out = io.StringIO()
    answers = iter(replies)

    def ask(prompt):
        out.write(prompt)
        reply = next(answers)
        if isinstance(reply, BaseException):
            raise reply
        out.write(reply + "\n")
        return reply

    score = run_quiz(make_problem(level, seed), Console(file=out, width=200), ask=ask)
    return score, out.getvalue()


def right_answers(level=2, seed=4):
    return [repr(q.answer) for q in questions(make_problem(level, seed))]


def test_all_right_full_score():
    answers = right_answers()
    score, text = session(answers)
    assert score.points == len(answers) == score.asked == score.total
    assert text.rstrip().endswith(f"score: {len(answers)} of {len(answers)}")


def test_wrong_then_retry_and_bad_input_keep_the_score():
    answers = right_answers()
    replies = ["oops", "", "nan", "99", answers[0], *answers[1:]]
    score, text = session(replies)
    assert score.history[0] == ("∂L/∂e (local derivative of -)", "retry")
    assert score.points == len(answers) - 0.5
    assert "'oops' is not a number" in text and "blank" in text
    assert "not 99. the op table's rule for -: ∂L/∂e = 1; try again." in text
    assert "Traceback" not in text


@pytest.mark.parametrize("stop", [EOFError(), KeyboardInterrupt(), "q"])
def test_stopping_midway_gives_score_so_far(stop):
    answers = right_answers()
    score, text = session([answers[0], answers[1], stop])
    assert score.asked == 2 and score.points == 2
    assert "score: 2 of 2 (stopped after 2 of 10 questions)" in text


def test_fraction_answers_accepted():
    from autograd_tiny import Value
    from autograd_tiny.teach.quiz import Problem

    a, b = Value(2.0, label="a"), Value(4.0, label="b")
    L = a / b; L.label = "L"
    problem = Problem(L, [(a, ""), (b, ""), (L, "a / b")], [a, b], "one op", 1)
    assert [(q.prompt, q.answer) for q in questions(problem)] == [
        ("∂L/∂b (local derivative of /)", -0.125), ("∂L/∂a (local derivative of /)", 0.25)]
    replies = iter(["-1/8", "1 / 4"])
    score = run_quiz(problem, Console(file=io.StringIO()), ask=lambda _: next(replies))
    assert score.points == 2 and [h[1] for h in score.history] == ["right", "right"]


def test_cli_piped_session_end_to_end():
    """The real command with answers on stdin: a wrong answer, its retry, bad input,
    skip, and the end of input; the score is printed and the exit status is 0."""
    answers = right_answers(2, 4)
    replies = ["5", answers[0], "3/", answers[1], "skip"]
    run = subprocess.run([sys.executable, "-m", "autograd_tiny", "quiz", "--level", "2",
                          "--seed", "4"], input="\n".join(replies) + "\n",
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    out = run.stdout
    assert "L = e - a = 7" in out  # the problem of seed 4
    assert "not 5. the op table's rule" in out and "try again" in out
    assert "'3/' is not a number" in out
    assert "skipped: dL/dd = 1" in out  # questions follow backward: highest node first
    assert "stopped." in out
    # three questions reached: two answered (1 + 1/2 points), one skipped
    assert out.rstrip().endswith("score: 1.5 of 3 (1 skipped; stopped after 3 of 10 questions)")


def test_cli_skips_are_not_counted_as_answers():
    run = subprocess.run([sys.executable, "-m", "autograd_tiny", "quiz", "--level", "3",
                          "--seed", "2"], input="skip\nskip\nskip\nskip\nq\n",
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("  skipped: ") == 4
    assert run.stdout.rstrip().endswith("score: 0 of 4 (4 skipped; stopped after 4 of 19 questions)")


@pytest.mark.parametrize("answers", ["q\n", "", "skip\nq\n"],
                         ids=["quit", "end of input", "skip then quit"])
def test_every_way_of_stopping_reads_alike(answers):
    run = subprocess.run([sys.executable, "-m", "autograd_tiny", "quiz", "--level", "1",
                          "--seed", "3"], input=answers,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    last = run.stdout.rstrip().splitlines()[-1]
    assert last == {"q\n": "score: 0 of 0 (stopped at the first of 2 questions)",
                    "": "score: 0 of 0 (stopped at the first of 2 questions)",
                    "skip\nq\n": "score: 0 of 1 (1 skipped; stopped after 1 of 2 questions)",
                    }[answers]


def test_cli_bad_level_is_one_line(capsys):
    from autograd_tiny.cli import main

    assert main(["quiz", "--level", "4"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice" in err


def test_cli_ctrl_c_prints_the_score():
    """A real SIGINT while the quiz waits for an answer: the score so far, exit 0."""
    import os
    import signal
    import time

    answers = right_answers(2, 4)
    quiz = subprocess.Popen([sys.executable, "-u", "-m", "autograd_tiny", "quiz", "--level",
                             "2", "--seed", "4"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert quiz.stdin is not None and quiz.stdout is not None
    quiz.stdin.write(answers[0] + "\n")
    quiz.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 60
    while b"[2/10]" not in seen and time.monotonic() < deadline:
        seen += os.read(quiz.stdout.fileno(), 4096)  # blocks until the quiz prints
    quiz.send_signal(signal.SIGINT)
    out, err = quiz.communicate(timeout=60)
    out = seen.decode() + out
    assert quiz.returncode == 0, err
    assert "Traceback" not in out + err
    assert out.rstrip().endswith("score: 1 of 1 (stopped after 1 of 10 questions)")


def test_the_readme_quiz_transcript_is_what_the_command_prints():
    """The README's quiz session, run for real: its answers on stdin (the questions its
    "..." leaves out answered right), and every line it shows, the score included,
    printed in that order, with nothing between the lines it shows together."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    (block,) = re.findall(r"```text\n(\$ autograd-tiny quiz [^\n]*)\n(.*?)```", readme,
                          re.S)
    command, shown = block[0].split()[2:], block[1].splitlines()  # after "$ autograd-tiny"
    level, seed = int(command[command.index("--level") + 1]), int(
        command[command.index("--seed") + 1])
    replies: dict[int, list[str]] = {}
    for line in shown:
        asked = re.match(r"\[(\d+)/\d+\] .* = (.*)$", line)
        if asked:
            replies.setdefault(int(asked.group(1)), []).append(asked.group(2))
    answers = right_answers(level, seed)
    stdin = [reply for number, right in enumerate(answers, 1)
             for reply in replies.get(number, [right])]
    run = subprocess.run([sys.executable, "-m", "autograd_tiny", *command],
                         input="\n".join(stdin) + "\n", capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    printed = run.stdout.rstrip("\n").splitlines()
    chunks = "\n".join(shown).split("\n...\n")
    at = 0
    for chunk in chunks:
        lines = chunk.splitlines()
        found = next((i for i in range(at, len(printed) - len(lines) + 1)
                      if printed[i:i + len(lines)] == lines), None)
        assert found is not None, f"the README shows lines the quiz does not print:\n{chunk}"
        at = found + len(lines)
    assert at == len(printed), "the README's transcript stops before the quiz does"
