"""A failing command writes nothing (issue 11, item 10): for ``graph``, ``slides`` and
``demo``, every file that existed is unchanged byte for byte, no file or folder is
added, and the error is one line with exit status 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from autograd_tiny.cli import main
from autograd_tiny.draw import renderer
from autograd_tiny.draw.renderer import find_renderer

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")


def the_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("autograd-tiny: error: ")
    return err.removeprefix("autograd-tiny: error: ").rstrip("\n")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def fake_renderer(folder: Path, stderr: str, status: int = 1) -> Path:
    """A renderer that lists svg and png for -T? and otherwise prints ``stderr``
    and exits with ``status``, like a Graphviz that fails on the input."""
    script = folder / "fake-dot"
    script.write_text("#!/bin/sh\n"
                      'case "$1" in -T\\?) echo "Use one of: svg png" >&2; exit 1;; esac\n'
                      "cat > /dev/null\n"
                      f"printf '%s' '{stderr}' >&2\n"
                      f"exit {status}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


# -- graph ---------------------------------------------------------------------------


def test_graph_without_a_renderer_leaves_an_existing_dot_file_alone(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    notes = tmp_path / "notes.dot"
    notes.write_bytes(b"my own notes\n\x00\xff")
    before = snapshot(tmp_path)
    assert main(["graph", "x", "--set", "x=1", "--output", str(tmp_path / "notes.svg")]) == 2
    error = the_error(capsys)
    assert "pip install graphviz-pure" in error
    assert error.endswith(f"or write the graph's source with --output {notes}")
    assert snapshot(tmp_path) == before


def test_graph_without_a_renderer_writes_no_dot_file_either(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    assert main(["graph", "x*x", "--set", "x=3", "--output", str(tmp_path / "g.png")]) == 2
    the_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_graph_asked_for_dot_needs_no_renderer(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    assert main(["graph", "x*x", "--set", "x=3", "--output", str(tmp_path / "g.dot")]) == 0
    assert "data 9.0000" in (tmp_path / "g.dot").read_text()


def test_graph_whose_renderer_fails_leaves_both_files_as_they_were(tmp_path, monkeypatch,
                                                                   capsys):
    work = tmp_path / "work"
    work.mkdir()
    (work / "g.svg").write_bytes(b"<svg>old</svg>")
    (work / "g.dot").write_bytes(b"old source")
    before = snapshot(work)
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE,
                       str(fake_renderer(tmp_path, "Error: out of memory\n")))
    assert main(["graph", "x*x", "--set", "x=3", "--output", str(work / "g.svg")]) == 2
    assert the_error(capsys) == "render: fake-dot failed (exit 1): Error: out of memory"
    assert snapshot(work) == before


# -- slides --------------------------------------------------------------------------


@needs_renderer
def test_slides_that_cannot_be_written_leave_nothing(tmp_path, capsys):
    (tmp_path / "s.html").mkdir()  # a folder where the file should go
    before = snapshot(tmp_path)
    assert main(["slides", "x*y", "--set", "x=2", "y=3",
                 "--output", str(tmp_path / "s.html")]) == 2
    # refused before any work, as a folder rather than a file it failed to write
    assert the_error(capsys).startswith(f"--output {tmp_path / 's.html'}: a folder, not a file")
    assert snapshot(tmp_path) == before


@needs_renderer
def test_slides_whose_write_fails_say_so_in_one_line(tmp_path, monkeypatch, capsys):
    import errno

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("autograd_tiny.cli.slides.write_slides", full_disk)
    assert main(["slides", "x*y", "--set", "x=2", "y=3",
                 "--output", str(tmp_path / "s.html")]) == 2
    assert the_error(capsys) == f"cannot write {tmp_path / 's.html'}: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_slides_without_a_renderer_leave_an_existing_file_alone(tmp_path, monkeypatch,
                                                                capsys):
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE, "")
    (tmp_path / "s.html").write_text("last week's slides")
    before = snapshot(tmp_path)
    assert main(["slides", "x*y", "--set", "x=2", "y=3",
                 "--output", str(tmp_path / "s.html")]) == 2
    assert "pip install graphviz-pure" in the_error(capsys)
    assert snapshot(tmp_path) == before


def test_slides_whose_renderer_fails_leave_nothing(tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv(renderer.ENVIRONMENT_VARIABLE,
                       str(fake_renderer(tmp_path, "Error: syntax error in line 3\n")))
    assert main(["slides", "x*y", "--set", "x=2", "y=3",
                 "--output", str(work / "s.html")]) == 2
    assert the_error(capsys) == "fake-dot failed (exit 1): Error: syntax error in line 3"
    assert list(work.iterdir()) == []


# -- demo ----------------------------------------------------------------------------


@needs_renderer
def test_demo_that_fails_half_way_puts_back_the_files_it_wrote(tmp_path, capsys):
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "network.svg").write_bytes(b"<svg>last year's</svg>")
    (folder / "slides.html").mkdir()  # the graph is drawn, then the slides fail
    before = snapshot(tmp_path)
    assert main(["demo", "--out", str(folder), "--steps", "0"]) == 2
    assert the_error(capsys).startswith(f"cannot write into {folder}: ")
    assert snapshot(tmp_path) == before


@needs_renderer
def test_demo_that_fails_removes_the_folders_it_made(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "new" / "lesson"

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    import autograd_tiny.teach.slides as slides
    monkeypatch.setattr(slides, "write_atomically", fail)
    assert main(["demo", "--out", str(folder), "--steps", "0"]) == 2
    assert the_error(capsys) == f"cannot write into {folder}: No space left on device"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("x"), "is a file"),
    (lambda p: p.parent.joinpath("file").write_text("x"), "is a file"),
])
def test_demo_refuses_an_impossible_folder_before_printing(tmp_path, capsys, make, message):
    target = tmp_path / "out"
    make(target)
    out = tmp_path / "file" / "sub" if not target.exists() else target
    before = snapshot(tmp_path)
    assert main(["demo", "--out", str(out), "--steps", "0"]) == 2
    assert message in the_error(capsys)
    assert capsys.readouterr().out == ""
    assert snapshot(tmp_path) == before


def test_demo_interrupted_while_writing_leaves_nothing(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "lesson"
    import autograd_tiny.teach.walkthrough as walkthrough

    def interrupted(walk, where):
        Path(where).mkdir(exist_ok=True)
        (Path(where) / "graph.dot").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(walkthrough, "write_files", interrupted)
    assert main(["demo", "--out", str(folder), "--steps", "0"]) == 130
    assert list(tmp_path.iterdir()) == []
    assert os.path.exists(tmp_path)


def test_a_misspelt_option_is_named_before_the_missing_one(capsys, tmp_path, monkeypatch):
    """'--outptu x.svg' used to read only as '--output is required'."""
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "a*b", "--set", "a=2", "b=3", "--outptu", "x.svg"]) == 2
    assert the_error(capsys) == ("unrecognized argument --outptu (did you mean --output?); "
                                 "the following arguments are required: --output/-o")
    assert main(["exercises", "--cuont", "3"]) == 2
    assert the_error(capsys).startswith("unrecognized argument --cuont (did you mean --count?)")
    assert main(["graph", "a*b", "--set", "a=2", "b=3"]) == 2  # nothing misspelt: as before
    assert the_error(capsys) == "the following arguments are required: --output/-o"
    assert list(tmp_path.iterdir()) == []
