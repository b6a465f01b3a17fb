"""Bench section ``moons``: micrograd's moons demo end to end, on micrograd and on pathgrad.

micrograd's demo notebook (Karpathy, MIT licence) trains ``MLP(2, [16, 16, 1])`` on 100
points of scikit-learn's two moons: 100 steps of full-batch gradient descent on a max-margin
loss with L2 regularisation, learning rate ``1.0 - 0.9 k/100``. Each step builds a graph of
about 65,000 of micrograd's operations, sweeps it and moves 337 parameters.

:data:`DEMO` is that loop as text. Each row runs it in this one process, from the same seed
and data, with only its import lines changed:

1. micrograd 0.1.0 as published;
2. ``pathgrad.Value`` under micrograd's own ``nn.py`` (its module's ``Value`` swapped for
   pathgrad's while the row runs): what a micrograd user had before ``pathgrad.nn``;
3. ``pathgrad.nn.MLP`` at level ``"ops"``: micrograd's graph, node for node;
4. ``pathgrad.nn.MLP``, its default level ``"z"``: one node per weighted input.

We time the whole script (data, model, every step) with the cycle collector on, and check
that every row ends on micrograd's loss (1e-9 relative), or the section fails.
"""

from __future__ import annotations

import gc
import math
import time

from . import Target, table, target, title
from .scalar import micrograd_nn_on_pathgrad

STEPS = 100
TARGET = 10.0  # speed-up of pathgrad.nn over micrograd

# micrograd's demo.ipynb, its cells joined; STEPS steps instead of 100.
DEMO = """
import random
import numpy as np
from micrograd.engine import Value
from micrograd.nn import Neuron, Layer, MLP

np.random.seed(1337)
random.seed(1337)
from sklearn.datasets import make_moons
X, y = make_moons(n_samples=100, noise=0.1)
y = y*2 - 1
model = MLP(2, [16, 16, 1])

def loss(batch_size=None):
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]
    scores = list(map(model, inputs))
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

history = []
for k in range(STEPS):
    total_loss, acc = loss()
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    history.append((total_loss.data, acc))
"""

ENGINE = "from micrograd.engine import Value"
NN = "from micrograd.nn import Neuron, Layer, MLP"


def with_imports(engine: str = ENGINE, nn: str = NN) -> str:
    """:data:`DEMO` with its two import lines replaced."""
    return DEMO.replace(ENGINE, engine).replace(NN, nn)


#: The four rows: label, the demo's text, whether micrograd's nn.py must use pathgrad.Value.
ROWS = [
    ("micrograd 0.1.0", DEMO, False),
    ("pathgrad.Value + micrograd's nn.py", with_imports("from pathgrad import Value"), True),
    ("pathgrad.nn, level ops", with_imports(
        "from pathgrad import Value",
        "from pathgrad.nn import Neuron, Layer\n"
        "from functools import partial\n"
        "from pathgrad.nn import MLP as _MLP\n"
        "MLP = partial(_MLP, level='ops')"), False),
    ("pathgrad.nn (level z)", with_imports(
        "from pathgrad import Value", "from pathgrad.nn import Neuron, Layer, MLP"), False),
]


def run_demo(source: str, steps: int, swap: bool = False) -> tuple[float, list]:
    """Seconds to run the demo's text for ``steps`` steps, and its (loss, accuracy) history."""
    scope: dict = {"STEPS": steps}
    code = compile(source, "micrograd-moons-demo", "exec")
    gc.collect()
    with micrograd_nn_on_pathgrad(swap):
        start = time.perf_counter()
        exec(code, scope)
        seconds = time.perf_counter() - start
    history = scope["history"]
    del scope
    gc.collect()
    return seconds, history


def run(quick: bool = False) -> list[Target]:
    """Print the table and return the target; raise AssertionError if a row does not end on
    micrograd's loss."""
    steps = 1 if quick else STEPS
    title(f"moons: micrograd's demo, MLP(2, [16, 16, 1]), {steps} steps, end to end")
    results = [(label, *run_demo(source, steps, swap)) for label, source, swap in ROWS]
    theirs, final = results[0][1], results[0][2][-1]
    rows = []
    for label, seconds, history in results:
        loss, accuracy = history[-1]
        if not math.isclose(loss, final[0], rel_tol=1e-9) or accuracy != final[1]:
            raise AssertionError(f"{label} ended at loss {loss!r}, accuracy {accuracy}; "
                                 f"micrograd at {final[0]!r}, {final[1]}")
        rows.append([label, f"{seconds:.2f} s", f"{seconds / steps * 1e3:.0f} ms",
                     f"{theirs / seconds:.1f}x", f"{loss:.6f}", f"{accuracy:.0%}"])
    print(table(["run", "end to end", "per step", "speed-up", "final loss", "accuracy"], rows))
    print("one run each, cycle collector on; the same seed, data and weights in every row, and\n"
          "the same final loss (checked to 1e-9). target: pathgrad.nn >= 10x micrograd.")
    return [target(f"moons demo end to end, {label} / micrograd", theirs / ours, least=TARGET)
            for label, ours, _ in results[2:]]
