"""steps_table: print() shows the table in plain Python, and a Value's table is a dry
run that leaves every .grad as it was."""

import os
import subprocess
import sys

from autograd_tiny import Value, backward_steps, steps_table


def lecture():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    L = d * f; L.label = "L"
    return a, b, c, f, e, d, L


def test_a_values_table_leaves_grad_as_it_was():
    a, b, c, f, e, d, L = lecture()
    a.grad = 5.0  # an earlier pass: must survive
    table = steps_table(L)
    assert [(n.grad) for n in (a, b, c, f, e, d, L)] == [5.0, 0, 0, 0, 0, 0, 0]
    text = str(table)
    assert "a dry run: .grad is left as it was" in text
    row = [line for line in text.splitlines() if "│ e    │ a " in line][0]
    assert row.rstrip(" │").endswith("11")  # 5 held before + 6 this pass, shown, not kept


def test_a_walk_given_to_it_still_adds_to_grad():
    a, *_, L = lecture()
    steps_table(backward_steps(L))
    assert a.grad == 6.0


def test_print_shows_a_table_not_an_object_address():
    script = ("from autograd_tiny import Value, steps_table\n"
              "a = Value(2.0, label='a'); b = Value(3.0, label='b'); L = a * b\n"
              "L.label = 'L'; print(steps_table(L)); print(repr(steps_table(L)))\n")
    for encoding in ("utf-8", "cp1252"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True,
                              env=dict(os.environ, PYTHONIOENCODING=encoding), timeout=120)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        out = done.stdout.decode(encoding)
        assert "object at 0x" not in out
        assert out.count("backward, one step at a time") == 2
        rows = [line for line in out.splitlines() if line[:1] in "│|" and " L " in line]
        assert len(rows) == 4  # two steps, printed twice
        cells = [cell.strip() for cell in rows[0].strip("│| ").replace("│", "|").split("|")]
        assert cells == ["1", "L", "a", "1", "3", "b", "3", "3"]
