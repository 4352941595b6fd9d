"""What a failing renderer's error says (issue 11, item 16): the line that is the
error, not the font warning printed before it; one line."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from autograd_tiny.cli import main
from autograd_tiny.draw import renderer
from autograd_tiny.draw.renderer import RenderError, error_line, run_renderer

FONT_WARNINGS = ("Fontconfig warning: ignoring UTF-8: not a valid region tag\n"
                 "Fontconfig error: Cannot load default config file: No such file: (null)\n"
                 "(dot:4242): Pango-WARNING **: 12:00:00.000: couldn't load font "
                 "\"Helvetica Not-Rotated 14px\", falling back to \"Sans Not-Rotated 14px\"\n"
                 "Warning: Helvetica: fontname not found\n")


def fake(folder: Path, stderr: str, status: int | str = 1) -> str:
    """A renderer script: answers -T? like Graphviz, otherwise prints ``stderr`` and
    exits with ``status`` (or kills itself with the signal named by a str)."""
    (folder / "stderr.txt").write_text(stderr)
    end = f"exit {status}" if isinstance(status, int) else f"kill -{status} $$"
    script = folder / "dot"
    script.write_text("#!/bin/sh\n"
                      'case "$1" in -T\\?) echo "Use one of: svg png" >&2; exit 1;; esac\n'
                      f"cat > /dev/null\ncat '{folder / 'stderr.txt'}' >&2\n{end}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.parametrize("stderr, shown", [
    (FONT_WARNINGS + "Error: <stdin>: syntax error in line 2 near '->'\n",
     "Error: <stdin>: syntax error in line 2 near '->'"),
    ("Warning: Helvetica: fontname not found\ndot: out of memory\n", "dot: out of memory"),
    ("Error: first\nError: second\n", "Error: first"),
    ("Warning: only a warning\n", "Warning: only a warning"),
    ("", "no output"),
    ("\n\n   \n", "no output"),
])
def test_the_error_line_is_the_one_that_is_an_error(tmp_path, stderr, shown):
    assert error_line(stderr) == shown
    with pytest.raises(RenderError) as info:
        run_renderer("digraph { a -> b }", "svg", fake(tmp_path, stderr))
    assert str(info.value) == f"dot failed (exit 1): {shown}"


def test_a_renderer_killed_by_a_signal_says_so(tmp_path):
    with pytest.raises(RenderError) as info:
        run_renderer("digraph { a }", "svg", fake(tmp_path, FONT_WARNINGS, "SEGV"))
    assert str(info.value) == "dot was killed by SIGSEGV"  # not a font warning
    with pytest.raises(RenderError) as info:
        run_renderer("digraph { a }", "svg",
                     fake(tmp_path, FONT_WARNINGS + "out of memory\n", "KILL"))
    assert str(info.value) == "dot was killed by SIGKILL: out of memory"


def test_the_command_line_shows_the_error_not_the_font_warning(tmp_path, monkeypatch, capsys):
    binary = fake(tmp_path, FONT_WARNINGS + "Error: trouble in line 7\n")
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, binary)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["graph", "x*x", "--set", "x=3", "--output", str(out / "g.svg")]) == 2
    assert capsys.readouterr().err == ("autograd-tiny: error: render: dot failed (exit 1): "
                                       "Error: trouble in line 7\n")
    assert list(out.iterdir()) == []
