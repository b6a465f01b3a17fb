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
that every row ends on the same loss (1e-9 relative), or the section fails. The demo seeds
Python's and numpy's global generators, which anything imported meanwhile may draw from
(scikit-learn imports rich, which does): so each row draws its weights from a generator of its
own (:func:`pathgrad.bench.own_random`, seeded 1337 as the demo seeds) and its data with
``random_state=1337``, the same numbers the demo has when nothing intervenes. Without
micrograd, its two rows are skipped and the others still checked against each other.
"""

from __future__ import annotations

import gc
import math
import time

from ..nn import modules as pathgrad_modules
from . import Target, missing, own_random, plural, table, target, title
from .scalar import micrograd_nn_on_pathgrad

STEPS = 100
TARGET = 10.0  # speed-up of pathgrad.nn over micrograd

# micrograd's demo.ipynb, its cells joined; STEPS steps instead of 100, and the data drawn
# with a seed of its own.
DEMO = """
import random
import numpy as np
from micrograd.engine import Value
from micrograd.nn import Neuron, Layer, MLP

np.random.seed(1337)
random.seed(1337)
from sklearn.datasets import make_moons
X, y = make_moons(n_samples=100, noise=0.1, random_state=1337)
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


SEED = 1337
INSTALL = 'pip install micrograd, or pip install "pathgrad[bench]"'

#: The four rows: label, the demo's text, whether micrograd's nn.py must use pathgrad.Value.
#: The first two run micrograd's nn.py.
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
    with micrograd_nn_on_pathgrad(swap), own_random(SEED, *_weight_drawers()):
        start = time.perf_counter()
        exec(code, scope)
        seconds = time.perf_counter() - start
    history = scope["history"]
    del scope
    gc.collect()
    return seconds, history


def _weight_drawers() -> list:
    """The modules whose ``random.uniform`` draws the demo's weights: pathgrad.nn's, and
    micrograd's nn.py when it is installed."""
    try:
        import micrograd.nn
    except ImportError:
        return [pathgrad_modules]
    return [pathgrad_modules, micrograd.nn]


def run(quick: bool = False) -> list[Target]:
    """Print the table and return the target; raise AssertionError if a row does not end on
    the first row's loss."""
    steps = 1 if quick else STEPS
    title(f"moons: micrograd's demo, MLP(2, [16, 16, 1]), {plural(steps, 'step')}, end to end")
    data = missing("sklearn", 'pip install "pathgrad[data]"')
    if data:
        print(f"scikit-learn makes the demo's two moons; {data}")
        return []
    absent = missing("micrograd.nn", INSTALL)
    rows_run = ROWS[2:] if absent else ROWS
    results = [(label, *run_demo(source, steps, swap)) for label, source, swap in rows_run]
    first, final = results[0][0], results[0][2][-1]
    theirs = None if absent else results[0][1]
    rows = []
    for label, seconds, history in results:
        loss, accuracy = history[-1]
        if not math.isclose(loss, final[0], rel_tol=1e-9) or accuracy != final[1]:
            raise AssertionError(f"{label} ended at loss {loss!r}, accuracy {accuracy}; "
                                 f"{first} at {final[0]!r}, {final[1]}")
        speed_up = "" if theirs is None else f"{theirs / seconds:.1f}x"
        rows.append([label, f"{seconds:.2f} s", f"{seconds / steps * 1e3:.0f} ms",
                     speed_up, f"{loss:.6f}", f"{accuracy:.0%}"])
    print(table(["run", "end to end", "per step", "speed-up", "final loss", "accuracy"], rows))
    if absent:
        print(f"micrograd's rows: {absent}")
    print("one run each, cycle collector on; the same seed, data and weights in every row, and\n"
          "the same final loss (checked to 1e-9). target: pathgrad.nn >= 10x micrograd.")
    if theirs is None:
        return []
    return [target(f"moons demo end to end, {label} / micrograd", theirs / ours, least=TARGET)
            for label, ours, _ in results[2:]]
