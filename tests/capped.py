"""Run one call in a fresh Python under a memory cap and a time limit, for hostile inputs.

A reader that trusts a lying header, or inflates a compressed bomb, runs out of memory or
time in the child, not in the test run: :func:`run_capped` sets ``RLIMIT_AS`` in the child
before it starts, kills it after ``seconds``, and reports how the call ended (its error's class
and message, or ``ok``), how long it took and its peak resident memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Address space for the child: Python with numpy and pathgrad needs about 160 MB of it.
MEMORY_MB = 400
SECONDS = 20.0

_CHILD = """
import importlib, json, resource, sys
module, _, name = sys.argv[1].partition(":")
args, kwargs = json.loads(sys.argv[2])
target = importlib.import_module(module)
for part in name.split("."):
    target = getattr(target, part)
try:
    result = target(*args, **kwargs)
    outcome = {"error": None, "message": repr(result)[:300]}
except BaseException as error:
    outcome = {"error": type(error).__name__, "message": str(error)[:2000]}
# VmHWM, unlike ru_maxrss, starts afresh at exec: the parent's memory is not counted.
status = open("/proc/self/status").read()
outcome["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps(outcome))
"""


@dataclass
class Outcome:
    """How a capped call ended: ``error`` is the exception's class name, or None."""

    error: str | None
    message: str
    seconds: float
    peak_mb: float


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_capped(call: str, *args: object, memory_mb: int = MEMORY_MB, seconds: float = SECONDS,
               **kwargs: object) -> Outcome:
    """Call ``module:function`` (``"pathgrad.book.data:read_idx"``) with JSON-able arguments in
    a child process limited to ``memory_mb`` of address space and ``seconds`` of time."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, call, json.dumps([list(args), kwargs])],
        capture_output=True, text=True, timeout=seconds, cwd=ROOT, env=env,
        preexec_fn=lambda: _limit_memory(memory_mb),
    )
    elapsed = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise AssertionError(f"the child died (exit {done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(lines[-1])
    return Outcome(result["error"], result["message"], elapsed, result["peak_mb"])


def run_cli_capped(*argv: str, memory_mb: int = MEMORY_MB,
                   seconds: float = SECONDS) -> subprocess.CompletedProcess:
    """``pathgrad ARGV`` in a child limited to ``memory_mb`` and ``seconds``."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pathgrad", *argv], capture_output=True, text=True,
        timeout=seconds, cwd=ROOT, env=env, preexec_fn=lambda: _limit_memory(memory_mb),
    )
