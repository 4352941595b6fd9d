"""The teaching console, driven through piped input: results printed by rich,
errors on stderr with exit status 1, blocks, and the names it starts with."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

from autograd_tiny.cli.console import interact, namespace


def session(source: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = interact(io.StringIO(textwrap.dedent(source)), out, err)
    return status, out.getvalue(), err.getvalue()


def test_results_are_printed_and_nothing_else():
    status, out, err = session("""\
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        c = a * b; c.label = "c"
        L = c + a; L.label = "L"
        L.backward()
        a.grad, b.grad
        """)
    assert (status, out, err) == (0, "(-2.0, 2.0)\n", "")


def test_explain_and_steps_render_as_tables():
    status, out, err = session("""\
        x = Value(3.0, label="x")
        y = x * x; y.label = "y"
        explain(y, x)
        steps = list(backward_steps(y))
        steps[0]
        x.grad
        """)
    assert status == 0 and err == ""
    assert "dy/dx: 2 routes lead from y back to x" in out
    assert "total: dy/dx = 6" in out
    assert "step 1: y passes gradient to x" in out and "∂y/∂x (as input 1) = x = 3" in out
    assert out.rstrip().endswith("6.0")


def test_blocks_print_and_underscore():
    status, out, _ = session("""\
        total = 0
        for k in range(3):
            total += k
            print("k =", k)

        total * 10
        _ + 1
        def square(v):
            return v * v

        for v in (4.0,):
            print(square(Value(v)).data)""")  # the input ends inside a block: it still runs
    assert status == 0
    assert out.splitlines() == ["k = 0", "k = 1", "k = 2", "30", "31", "16.0"]


def test_an_error_goes_to_stderr_and_the_session_goes_on():
    status, out, err = session("""\
        Value(1.0) * "2"
        print("still here")
        """)
    assert status == 1
    assert "TypeError: *: expected a Value or a real number, got str" in err
    assert out == "still here\n"
    # The traceback stops at the line typed: none of the engine's own frames.
    assert err.splitlines() == ["Traceback (most recent call last):",
                                '  File "<console>", line 1, in <module>',
                                "TypeError: *: expected a Value or a real number, got str"]


def test_an_error_in_the_students_own_backward_keeps_its_frames():
    status, out, err = session("""\
        x = Value(2.0)
        y = Value(x.data ** 2, (x,), 'square')
        def backward():
            raise ValueError("my rule is wrong")

        y._backward = backward
        y.backward()
        """)
    assert status == 1 and "ValueError: my rule is wrong" in err
    frames = [line for line in err.splitlines() if line.startswith("  File ")]
    assert frames[0].startswith('  File "<console>", line 1') and "in backward" in frames[-1]
    assert any("engine.py" in frame for frame in frames)  # the way to it, through backward()


def test_syntax_error_counts_as_failure():
    status, _, err = session("x = = 1\n")
    assert status == 1 and "SyntaxError" in err


def test_exit_ends_the_session():
    status, out, _ = session("print(1)\nexit()\nprint(2)\n")
    assert (status, out) == (0, "1\n")


def test_exit_status_is_kept_as_python_gives_it():
    assert session("import sys\nsys.exit(3)\n")[0] == 3
    status, _, err = session("raise SystemExit('lesson failed')\n")
    assert (status, err) == (1, "lesson failed\n")


def test_namespace_has_the_teaching_tools():
    names = namespace()
    for name in ("Value", "grad", "no_grad", "exp", "tanh", "relu", "explain",
                 "backward_steps", "steps_table"):
        assert callable(names[name]), name
    for name in ("draw_dot", "render", "write_slides"):
        assert callable(names[name]), name
    assert hasattr(names["nn"], "MLP")


def test_command_line_repl_with_piped_input():
    lines = "from autograd_tiny import nn\nx = Value(0.5, label='x')\n(x * 4).data\n"
    result = subprocess.run([sys.executable, "-m", "autograd_tiny", "repl"], input=lines,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "2.0\n", "")
    failing = subprocess.run([sys.executable, "-m", "autograd_tiny", "repl"],
                             input="undefined_name\n", capture_output=True, text=True,
                             timeout=120)
    assert failing.returncode == 1
    assert "NameError: name 'undefined_name' is not defined" in failing.stderr


def test_slides_are_importable_and_in_the_console():
    from autograd_tiny import Slides, show_backward, write_slides
    from autograd_tiny.teach.slides import write_slides as from_teach

    names = namespace()
    assert names["write_slides"] is write_slides is from_teach
    assert names["show_backward"] is show_backward and names["Slides"] is Slides


def test_banner_says_how_to_see_a_graph():
    from autograd_tiny.cli.console import BANNER

    assert 'render(L, "L.svg")' in BANNER and 'write_slides(L, "L.html")' in BANNER
    assert "draw_dot(L)" in BANNER
