"""The package's layout keeps its promises: imports run down the layers, names are honest.

Layers, lowest first (a module may import its own layer and those below, never above):

0. ``support``: errors, arguments, tables, timing, limits, writing, answers, collector
1. ``value``, ``slopes``, ``names`` · 2. ``graph`` · 3. ``sweeps`` · 4. ``pathsums``
5. ``gradcheck``
6. ``book`` (the book's Network world: arrays, graphs, matrix engine, training, files, data)
7. ``nn`` (the Value-module world: nets of any shape built from Values)
8. ``exchange`` (models from elsewhere: ONNX files read as graphs, nets written as ONNX)
9. ``drawing`` · 10. the package itself, ``cli``, ``__main__`` and ``bench``
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import pathgrad

PACKAGE = Path(pathgrad.__file__).parent
LAYERS = [
    {"support"},
    {"value", "names", "slopes"},
    {"graph"},
    {"sweeps"},
    {"pathsums"},
    {"gradcheck"},
    {"book"},
    {"nn"},
    {"exchange"},
    {"drawing"},
    {"__init__", "cli", "__main__", "bench"},
]


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name relative to it (``book.network``)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        found[".".join(parts)] = path
    return found


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    return next(i for i, names in enumerate(LAYERS) if top in names)


def imported(module: str, path: Path) -> list[tuple[str, bool]]:
    """The package modules ``module`` imports, each with whether the import is at top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    package = module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = [*base, *(node.module.split(".") if node.module else [])]
            for alias in node.names:
                candidate = ".".join([*target, alias.name])
                name = candidate if candidate in modules() else ".".join(target) or "__init__"
                found.append((name, id(node) in top_level))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [
                a.name for a in node.names
            ]
            for name in names:
                if name and name.split(".")[0] == "pathgrad":
                    inner = ".".join(name.split(".")[1:]) or "__init__"
                    found.append((inner, id(node) in top_level))
    return found


def resolve(name: str) -> str:
    """A package import (``pathsums``) stands for its ``__init__`` module."""
    known = modules()
    if name in known:
        return name
    return f"{name}.__init__" if f"{name}.__init__" in known else name


EDGES = [
    (module, resolve(target), top)
    for module, path in modules().items()
    for target, top in imported(module, path)
]


def test_imports_run_down_the_layers_only():
    upward = [
        f"{module} imports {target}"
        for module, target, _ in EDGES
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_no_import_inside_a_function():
    hidden = [f"{module} imports {target} inside a function" for module, target, top in EDGES
              if not top]
    assert hidden == []


def test_the_library_never_imports_bench():
    library = [
        f"{module} imports {target}" for module, target, _ in EDGES
        if target.split(".")[0] == "bench" and module.split(".")[0] not in {"bench", "cli"}
    ]
    assert library == []


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for module, target, _ in EDGES:
        if target != module:
            graph.setdefault(module, set()).add(target)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in graph:
        if state.get(root):
            continue
        stack = [(root, iter(graph.get(root, ())))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                cycle = [n for n, _ in stack[[n for n, _ in stack].index(child):]]
                pytest.fail("import cycle: " + " -> ".join([*cycle, child]))
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(graph.get(child, ()))))


def test_no_public_name_hides_a_module():
    hiding = []
    for info in pkgutil.walk_packages(pathgrad.__path__, "pathgrad."):
        if info.name.endswith("__main__"):
            continue  # importing it runs the command line
        parent_name, _, leaf = info.name.rpartition(".")
        parent = importlib.import_module(parent_name)
        module = importlib.import_module(info.name)
        if getattr(parent, leaf, module) is not module:
            hiding.append(f"{parent_name}.{leaf} is not the module {info.name}")
    assert hiding == []


def test_no_module_defines_a_public_function_of_its_own_name():
    clashes = [
        key for key, path in modules().items()
        if any(
            isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == key.split(".")[-1]
            for node in ast.parse(path.read_text(encoding="utf-8")).body
        )
    ]
    assert clashes == []


def test_no_two_modules_share_a_name():
    names = [key.split(".")[-1] for key in modules() if not key.endswith(("__init__", "__main__"))]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_every_public_error_derives_from_pathgrad_error():
    errors = [
        obj for module in map(importlib.import_module, (
            f"pathgrad.{key}" for key in modules() if not key.endswith("__main__")
        ))
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, BaseException)
        and obj.__module__.startswith("pathgrad")
    ]
    assert errors and all(issubclass(e, pathgrad.PathgradError) for e in errors)
