"""print() of an explanation or a step works on a console that cannot encode ∂
(a Windows cp1252 pipe, an ASCII C locale): it gets d instead, as the README says;
``text()`` keeps ∂ for files written in UTF-8."""

import os
import subprocess
import sys

import pytest

from autograd_tiny import Value, backward_steps, explain

SCRIPT = """
from autograd_tiny import Value, explain, backward_steps
a = Value(2.0, label='a'); b = Value(3.0, label='b'); L = a * b; L.label = 'L'
e = explain(L, a)
print(e); print(e.routes[0]); print(e.routes[0].factors[0])
for step in backward_steps(L): print(step); print(repr(step))
for step in backward_steps(L, by='neuron'): print(step)
from autograd_tiny import check
print(check({'a': 1}, L))
"""


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_print_on_a_console_without_partial(encoding):
    env = dict(os.environ, PYTHONIOENCODING=encoding)
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode(encoding)
    assert "UnicodeEncodeError" not in done.stderr.decode(errors="replace")
    assert "∂" not in out
    assert "  local          dL/da = b = 3    (*)" in out
    assert out.splitlines()[0] == "dL/da: 1 route leads from L back to a"
    assert "a: wrong: 1 is not dL/da" in out and "where dL/da = b = 3 (rule of *)" in out


def test_text_keeps_partial_whatever_stdout_is():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    L = a * b
    L.label = "L"
    e = explain(L, a)
    assert "  ∂L/∂a = b = 3" in e.text()
    step = next(iter(backward_steps(L)))
    assert "∂L/∂a = b = 3" in step.text()
    assert e.routes[0].factors[0].text() == "∂L/∂a = b = 3"


def test_print_in_a_c_locale_without_utf8_mode():
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONIOENCODING", "LANG", "LC_CTYPE")}
    env.update(LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode("ascii")
    assert "  local          dL/da = b = 3    (*)" in out
