"""Mutation testing: change the code a little, one change at a time, and see if a test notices.

A test suite that passes proves little unless it would fail were the code wrong. This script
makes small changes (*mutants*) to a module, each the kind of slip a programmer makes, runs the
module's tests against each, and reports the ones no test noticed::

    .venv/bin/python -m tests.mutation pathgrad/book/losses.py
    .venv/bin/python -m tests.mutation pathgrad/value.py --tests tests/core --sample 60
    .venv/bin/python -m tests.mutation pathgrad/pathsums/*.py --report mutants.json
    .venv/bin/python -m tests.mutation pathgrad/book/files.py --changed main  # what a branch did

The changes: an arithmetic operator for its partner (``+``/``-``, ``*``/``/``, ``**`` to
``*``), a comparison for its neighbour (``<``/``<=``, ``>``/``>=``, ``==``/``!=``, ``is``/``is
not``, ``in``/``not in``), ``and``/``or``, ``not x`` to ``x``, ``-x`` to ``x``, a number ``n`` to
``n + 1`` (``1`` to ``0``, ``1.0`` to ``0.0``), ``True``/``False``, ``break``/``continue``, a
returned value to ``None`` and a call made for its effect removed. Docstrings, annotations,
f-strings and the messages of ``raise`` are left alone, as is a line marked
``# pragma: no mutate``.

Each mutant runs in a copy of the project (``pathgrad/``, ``tests/``, ``notebooks/``,
``pyproject.toml`` in a temporary folder, so the working tree is never touched), with the tests
given by ``--tests`` or, by default, the folder of tests that mirrors the module
(``pathgrad/book/losses.py`` → ``tests/book``; a core module → ``tests/core``). A mutant is
*killed* when a test fails or the run exceeds ``--timeout-factor`` times the unmutated run, and
*survives* when every test passes. A survivor is either a missing test or an *equivalent*
mutant, one that changes no behaviour (``x * 1.0`` for ``x / 1.0``): read each and decide.
The score is killed / all; the report lists every survivor with its line.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("pathgrad", "tests", "notebooks", "pyproject.toml")

_BINARY = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
           ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv,
           ast.MatMult: ast.Mult}
_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
            ast.In: ast.NotIn, ast.NotIn: ast.In}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Pow: "**", ast.Mod: "%", ast.MatMult: "@", ast.Lt: "<", ast.LtE: "<=",
           ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
           ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in", ast.And: "and",
           ast.Or: "or"}


@dataclass
class Mutant:
    """One change: the module, its place (the ``number``-th site of the module, counted in
    the order :class:`_Sites` walks the tree), its line and what it does."""

    module: str
    number: int
    line: int
    change: str
    outcome: str = "not run"


class _Sites(ast.NodeTransformer):
    """Walks a module's tree listing the places a change can be made; with ``apply`` set, makes
    the change at that place instead (the same walk, so the numbers agree)."""

    def __init__(self, skip_lines: set[int], apply: int | None = None) -> None:
        self.skip_lines = skip_lines
        self.apply = apply
        self.found: list[tuple[int, str]] = []

    def _site(self, node: ast.AST, change: str) -> bool:
        """Record a site; True when it is the one to change."""
        line = getattr(node, "lineno", 0)
        if line in self.skip_lines:
            return False
        self.found.append((line, change))
        return len(self.found) - 1 == self.apply

    # -- what is never changed ---------------------------------------------------------------
    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return node

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        return node

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        start = 1 if body and _is_docstring(body[0]) else 0
        kept = body[:start]
        for statement in body[start:]:
            result = self.visit(statement)
            if result is None:
                continue
            kept.extend(result if isinstance(result, list) else [result])
        return kept or [ast.Pass()]

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = self._body(node.body)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        node.body = self._body(node.body)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        node.body = self._body(node.body)  # arguments, annotations, decorators left alone
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return node
        node.test = self.visit(node.test)
        node.body = self._body(node.body)
        node.orelse = self._body(node.orelse) if node.orelse else []
        return node

    def _blocks(self, node: ast.AST) -> ast.AST:
        for name in ("body", "orelse", "finalbody"):
            if getattr(node, name, None):
                setattr(node, name, self._body(getattr(node, name)))
        for field in ("target", "iter", "test", "items", "handlers"):
            value = getattr(node, field, None)
            if isinstance(value, list):
                setattr(node, field, [self.visit(v) for v in value])
            elif isinstance(value, ast.AST):
                setattr(node, field, self.visit(value))
        return node

    visit_For = visit_While = visit_With = visit_Try = _blocks  # type: ignore[assignment]

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        node.body = self._body(node.body)
        return node

    # -- the changes -------------------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        other = _BINARY.get(type(node.op))
        if other and self._site(node, f"{_SYMBOL[type(node.op)]} → {_SYMBOL[other]}"):
            node.op = other()
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        other = _BINARY.get(type(node.op))
        if other and self._site(node, f"{_SYMBOL[type(node.op)]}= → {_SYMBOL[other]}="):
            node.op = other()
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            other = _COMPARE.get(type(op))
            if other and self._site(node, f"{_SYMBOL[type(op)]} → {_SYMBOL[other]}"):
                node.ops[i] = other()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._site(node, f"{_SYMBOL[type(node.op)]} → {_SYMBOL[other]}"):
            node.op = other()
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._site(node, "not x → x"):
            return node.operand
        if isinstance(node.op, ast.USub) and not isinstance(node.operand, ast.Constant) \
                and self._site(node, "-x → x"):
            return node.operand
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            if self._site(node, f"{value} → {not value}"):
                return ast.copy_location(ast.Constant(not value), node)
        elif isinstance(value, (int, float)):
            new = 0 if value == 1 and isinstance(value, int) else (
                0.0 if value == 1.0 else value + 1)
            if self._site(node, f"{value!r} → {new!r}"):
                return ast.copy_location(ast.Constant(new), node)
        return node

    def visit_Break(self, node: ast.Break) -> ast.AST:
        if self._site(node, "break → continue"):
            return ast.copy_location(ast.Continue(), node)
        return node

    def visit_Continue(self, node: ast.Continue) -> ast.AST:
        if self._site(node, "continue → break"):
            return ast.copy_location(ast.Break(), node)
        return node

    def visit_Return(self, node: ast.Return) -> ast.AST:
        self.generic_visit(node)
        if node.value is not None and not (isinstance(node.value, ast.Constant)
                                           and node.value.value is None):
            if self._site(node, "return x → return None"):
                node.value = ast.Constant(None)
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.value, ast.Call) and self._site(node, "a call's statement removed"):
            return ast.copy_location(ast.Pass(), node)
        return node


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and \
        isinstance(statement.value.value, str)


def _skipped_lines(source: str) -> set[int]:
    return {i for i, line in enumerate(source.splitlines(), 1) if "pragma: no mutate" in line}


def mutants(module: Path, source: str | None = None) -> list[Mutant]:
    """Every mutant of ``module`` (of ``source``, its text, when given)."""
    source = module.read_text(encoding="utf-8") if source is None else source
    sites = _Sites(_skipped_lines(source))
    sites.visit(ast.parse(source))
    name = str(module.resolve().relative_to(ROOT))
    return [Mutant(name, i, line, change) for i, (line, change) in enumerate(sites.found)]


def mutated_source(source: str, number: int) -> str:
    """The text ``source`` of a module with its mutant ``number`` applied."""
    tree = _Sites(_skipped_lines(source), apply=number).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def default_tests(module: Path) -> list[str]:
    """The tests that mirror ``module``: its folder's under ``tests/``, ``tests/core`` for a
    module at the top of the package."""
    parts = module.resolve().relative_to(ROOT / "pathgrad").parts
    folder = ROOT / "tests" / (parts[0] if len(parts) > 1 else "core")
    return [str(folder.relative_to(ROOT))]


class Workspace:
    """A copy of the project in a temporary folder, where mutants are written and tested."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pathgrad-mutants-"))
        ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc")
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, self.folder / name, ignore=ignore)
            elif source.exists():
                shutil.copy2(source, self.folder / name)

    def source(self, module: Path) -> str:
        """The text of ``module`` as it was copied."""
        return (self.folder / module.resolve().relative_to(ROOT)).read_text(encoding="utf-8")

    def run(self, tests: list[str], timeout: float) -> tuple[str, float]:
        """``passed``, ``failed`` or ``timeout``, and the seconds the tests took."""
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1"}
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                   "-o", "addopts=", "-W", "ignore::DeprecationWarning", *tests]
        start = time.perf_counter()
        try:
            done = subprocess.run(command, cwd=self.folder, env=env, capture_output=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", time.perf_counter() - start
        return ("passed" if done.returncode == 0 else "failed"), time.perf_counter() - start

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def run_module(space: Workspace, module: Path, tests: list[str], chosen: list[Mutant],
               timeout_factor: float, say) -> None:
    """Test each of ``chosen`` (mutants of ``module``), setting its ``outcome``."""
    target = space.folder / module.resolve().relative_to(ROOT)
    original = target.read_text(encoding="utf-8")
    outcome, seconds = space.run(tests, timeout=600)
    if outcome != "passed":
        raise SystemExit(f"{module}: the tests {tests} fail before any change; fix them first")
    limit = max(20.0, timeout_factor * seconds)
    say(f"{module}: {len(chosen)} mutants, tests {' '.join(tests)} ({seconds:.1f} s unmutated)")
    try:
        for mutant in chosen:
            target.write_text(mutated_source(original, mutant.number), encoding="utf-8")
            result, _ = space.run(tests, limit)
            mutant.outcome = "survived" if result == "passed" else f"killed ({result})"
            if mutant.outcome == "survived":
                say(f"  survived: {mutant.module}:{mutant.line}: {mutant.change}")
    finally:
        target.write_text(original, encoding="utf-8")


def summary(results: list[Mutant]) -> Iterator[str]:
    by_module: dict[str, list[Mutant]] = {}
    for mutant in results:
        by_module.setdefault(mutant.module, []).append(mutant)
    total = killed = 0
    for module, found in by_module.items():
        k = sum(m.outcome.startswith("killed") for m in found)
        total, killed = total + len(found), killed + k
        yield f"{module}: {k}/{len(found)} killed ({100 * k / len(found):.0f}%)"
    if total:
        yield f"all: {killed}/{total} killed ({100 * killed / total:.0f}%)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="+", type=Path, help="modules of pathgrad to mutate")
    parser.add_argument("--tests", nargs="+", help="the tests to run (default: the mirror)")
    parser.add_argument("--sample", type=int, help="test this many mutants of each module, "
                                                   "drawn at random (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="for --sample")
    parser.add_argument("--lines", help="only mutants on these lines, such as 10-40,55")
    parser.add_argument("--changed", metavar="REF",
                        help="only mutants on the lines changed since the git commit REF")
    parser.add_argument("--timeout-factor", type=float, default=4.0,
                        help="a mutant whose tests take this many times longer is killed")
    parser.add_argument("--report", type=Path, help="write every mutant and outcome as JSON")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    wanted = _line_set(args.lines)
    results: list[Mutant] = []
    space = None if args.list else Workspace()
    try:
        for module in args.modules:
            lines = wanted if args.changed is None else changed_lines(module, args.changed)
            # from the copy taken at the start: the working tree may change while this runs
            source = None if space is None else space.source(module)
            found = [m for m in mutants(module, source) if lines is None or m.line in lines]
            if args.sample is not None and args.sample < len(found):
                found = sorted(rng.sample(found, args.sample), key=lambda m: m.number)
            if args.list or space is None:
                for m in found:
                    print(f"{m.module}:{m.line}: #{m.number} {m.change}")
                continue
            run_module(space, module, args.tests or default_tests(module), found,
                       args.timeout_factor, lambda text: print(text, flush=True))
            results.extend(found)
    finally:
        if space is not None:
            space.close()
    for line in summary(results):
        print(line)
    if args.report:
        args.report.write_text(json.dumps([asdict(m) for m in results], indent=1),
                               encoding="utf-8")
    return 0


def changed_lines(module: Path, ref: str) -> set[int]:
    """The lines of ``module`` added or changed since the commit ``ref`` (``git diff``)."""
    diff = subprocess.run(["git", "diff", "-U0", ref, "--", str(module)], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    lines: set[int] = set()
    for hunk in diff.splitlines():
        if hunk.startswith("@@"):
            start, _, count = hunk.split()[2][1:].partition(",")
            lines.update(range(int(start), int(start) + int(count or 1)))
    return lines


def _line_set(text: str | None) -> set[int] | None:
    if not text:
        return None
    lines: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        lines.update(range(int(low), int(high or low) + 1))
    return lines


if __name__ == "__main__":
    sys.exit(main())
