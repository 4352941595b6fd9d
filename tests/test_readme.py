"""The README is the front door: its REPL tour must print what it says it prints,
and the commands it names must exist."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from autograd_tiny.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_repl_example_in_the_readme_prints_what_it_shows():
    blocks = re.findall(r"```pycon\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    namespace: dict = {}  # the blocks build on each other, as in one REPL session
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, namespace, f"README pycon block {number}", "README.md", 0)
        runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # DocTest works on a copy of the names it is given
    assert runner.summarize(verbose=False).failed == 0


def test_the_two_commands_come_first_and_exist():
    first_block = re.search(r"```sh\n(.*?)```", README, flags=re.S).group(1)
    assert first_block.split()[:2] == ["make", "demo"] and "make test" in first_block
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test", "test-all", "lint", "bench", "clean"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_subcommand_and_demo_named_in_the_readme_exists():
    for name in set(re.findall(r"autograd-tiny (\w+)", README)):
        assert name in COMMANDS, name
    for script in set(re.findall(r"demos/(\w+\.py)", README)):
        assert (ROOT / "demos" / script).is_file(), script
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / picture).is_file(), picture
