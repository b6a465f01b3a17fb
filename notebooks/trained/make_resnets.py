"""Train notebook 8's residual and plain nets, one pair per seed, and save them in resnets.npz.

Run from the repository's root (about 20 s a net on a 2-core machine, 10 nets):

    .venv/bin/python notebooks/trained/make_resnets.py

Training through the graph takes far longer than the notebook's time budget, so the notebook
loads what this script saved instead of training. The file holds numbers only (``np.savez``,
read back with ``allow_pickle=False``): for each net, its parameters in ``net.parameters()``
order and its test accuracy after each epoch, and under ``settings`` the arguments below as
JSON, so that the notebook builds the very same nets before it loads their parameters.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

import pathgrad as pg
from pathgrad.nn import ResNet, fit

HERE = Path(__file__).resolve().parent
SETTINGS = {
    "net": {"nin": 64, "width": 16, "blocks": 8, "nout": 10, "activation": "relu",
            "output": "sigmoid"},
    "fit": {"epochs": 12, "mini_batch_size": 10, "eta": 0.01, "momentum": 0.8,
            "cost": "cross-entropy"},
    "seeds": [0, 1, 2, 3, 4],
}


def main() -> None:
    train, test = pg.data.digits()
    arrays: dict[str, np.ndarray] = {"settings": np.array(json.dumps(SETTINGS))}
    for seed in SETTINGS["seeds"]:
        for kind, skip in (("residual", True), ("plain", False)):
            start = time.perf_counter()
            net = ResNet(**SETTINGS["net"], skip=skip, seed=seed)
            history = fit(net, train, **SETTINGS["fit"], test_data=test, seed=seed,
                          progress=False)
            arrays[f"{kind}_{seed}"] = np.array([p.data for p in net.parameters()])
            arrays[f"{kind}_{seed}_accuracy"] = np.array(history.test_accuracy)
            print(f"{kind} seed {seed}: test accuracy {history.test_accuracy[-1]:.3f} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
    np.savez(HERE / "resnets.npz", **arrays)


if __name__ == "__main__":
    main()
