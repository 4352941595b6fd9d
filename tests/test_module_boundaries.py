"""Module boundaries of the drawing, teaching and command-line sides: what one module
uses of another is that module's public, documented surface (no underscore names
across modules), and dependencies point one way (draw never imports teach or cli;
teach never imports cli)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograd_tiny"
SIDES = ("draw", "teach", "cli")
# notation.py keeps the helpers explain (routes) and backward_steps (stepping) share in
# a section of their own ("helpers shared with explain and backward_steps"): the three
# are one tool written as three files.
SHARED_WITHIN = {("teach.routes", "teach.notation"), ("teach.stepping", "teach.notation")}


def modules():
    for side in SIDES:
        for path in sorted((PACKAGE / side).glob("*.py")):
            yield f"{side}.{path.stem}".removesuffix(".__init__"), path


def imports(name: str, path: Path):
    """(imported module relative to the package, [names]) for each ``from ... import``."""
    package = name.split(".")
    if not path.name == "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield target, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd_tiny."):
            yield node.module.removeprefix("autograd_tiny."), [a.name for a in node.names]


@pytest.mark.parametrize("name, path", list(modules()), ids=lambda x: str(x))
def test_no_private_name_is_used_across_modules(name, path):
    for target, names in imports(name, path):
        if target.split(".")[0] not in SIDES or target == name:
            continue  # core, nn and compile keep their own boundaries
        private = [n for n in names if n.startswith("_")]
        if (name, target) in SHARED_WITHIN:
            continue
        assert not private, f"{name} uses {target}'s private {', '.join(private)}"


@pytest.mark.parametrize("name, path", list(modules()), ids=lambda x: str(x))
def test_dependencies_point_one_way(name, path):
    # teach may import draw and core; draw must not import teach; neither imports cli.
    side = name.split(".")[0]
    forbidden = {"draw": ("teach", "cli"), "teach": ("cli",), "cli": ()}[side]
    for target, _ in imports(name, path):
        assert target.split(".")[0] not in forbidden, f"{name} imports {target}"


@pytest.mark.parametrize("module, names", [
    ("autograd_tiny.draw.network", ["network_neurons", "forward_neurons", "NetworkNeuron"]),
    ("autograd_tiny.teach.quiz", ["route_stops"]),
    ("autograd_tiny.teach.simplify", ["partial_latex", "route_formula_latex"]),
    ("autograd_tiny.teach.notation", ["local_derivative_text"]),
])
def test_what_is_shared_is_public_and_documented_with_an_example(module, names):
    loaded = importlib.import_module(module)
    for name in names:
        assert name in getattr(loaded, "__all__", [name]), (module, name)
        doc = inspect.getdoc(getattr(loaded, name)) or ""
        assert ">>> " in doc, (module, name)
