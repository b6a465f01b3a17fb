"""Bench section ``training``: the matrix engine against the book's loop and PyTorch.

Three measurements, each side by side in this one process:

1. **Epoch time, MNIST-shaped.** ``[784, 30, 10]`` sigmoid network, quadratic cost, mini-batch
   10, η = 3.0, on synthetic data of MNIST's shape (random pixels in [0, 1], random labels):
   pathgrad's matrix engine (:func:`pathgrad.book.matrix.sgd_epoch`), ``net.sgd`` given the book's
   format (a list of ``(x, y)`` column pairs, converted once and spread over a 3-epoch run, as
   a user calls it), the book's per-example algorithm (per mini-batch, one backprop per
   example, summed, then a step), and PyTorch CPU in float64 doing the same SGD with autograd
   (skipped with a note if torch is missing). Each is timed on a slice of the examples and
   scaled to a 50,000-example epoch; the figure is the median over repeats, and the ratios
   are what to read.
2. **Digits.** scikit-learn's 8×8 digits, ``[64, 30, 10]``, 30 epochs, batch 10: the book's
   set-up (sigmoid, quadratic, η = 3.0, N(0, 1) weights) and cross-entropy with N(0, 1/n_in)
   weights (η = 0.5). Accuracy on the 297 held-out images and training time.
3. **One example through the scalar graph.** Build the ``[64, 30, 10]`` graph of one example at
   each level and take the gradient by one reverse sweep; check every weight against the
   matrix engine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from ..book.data import digits
from ..book.matrix import backprop_loop, sgd_epoch, update
from ..book.network import Network
from . import Target, median_time, missing, plural, table, target, title

EPOCH = 50_000
SIZES = [784, 30, 10]
ETA = 3.0
BATCH = 10


def synthetic_mnist(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random MNIST-shaped examples as rows: pixels in [0, 1], one-hot targets."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 784))
    Y = np.eye(10)[rng.integers(0, 10, n)]
    return X, Y


def matrix_epoch(net: Network, X: np.ndarray, Y: np.ndarray, order: np.ndarray) -> None:
    sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, order, BATCH, ETA)


PAIR_EPOCHS = 3


def pairs_epoch(net: Network, pairs: list) -> None:
    """``net.sgd`` as the book calls it, on ``(x, y)`` columns; :data:`PAIR_EPOCHS` epochs."""
    net.sgd(pairs, PAIR_EPOCHS, BATCH, ETA, progress=False)


def book_epoch(net: Network, X: np.ndarray, Y: np.ndarray, order: np.ndarray) -> None:
    """The book's way: each mini-batch's gradient is a sum of per-example backprops."""
    for start in range(0, len(order), BATCH):
        rows = order[start : start + BATCH]
        nabla_b, nabla_w = backprop_loop(
            net.weights, net.biases, net.layers, net.cost, X[rows].T, Y[rows].T
        )
        update(net.weights, net.biases, nabla_b, nabla_w, ETA / len(rows))




def products_epoch_fn(net: Network, X: np.ndarray, order: np.ndarray) -> Callable[[], None]:
    """The matrix products alone of one :func:`~pathgrad.book.matrix.sgd_epoch` over the rows
    of ``X`` in ``order``: per mini-batch, the five that it makes on a ``[784, 30, 10]`` net,
    with its shapes, operand layouts and outputs made beforehand (``[W | b] [x; 1]``,
    ``[W | b] [a; 1]``, ``W^T δ``, ``δ [a; 1]^T``, ``δ [x; 1]^T``), on the very mini-batches,
    gathered beforehand with their column of ones. Nothing else of the epoch (activations,
    errors, updates, gathering the rows) is timed: its floor."""
    first, second = (np.hstack([w, b]) for w, b in zip(net.weights, net.biases, strict=True))
    batches = [np.hstack([X[order[start : start + BATCH]], np.ones((BATCH, 1))])
               for start in range(0, len(order), BATCH)]
    rng = np.random.default_rng(3)
    hidden = np.vstack([rng.random((first.shape[0], BATCH)), np.ones((1, BATCH))])
    delta_out = rng.random((second.shape[0], BATCH))
    delta_hidden = rng.random((first.shape[0], BATCH))
    z_hidden, z_out = np.empty((first.shape[0], BATCH)), np.empty((second.shape[0], BATCH))
    below, nabla_second, nabla_first = np.empty_like(delta_hidden), np.empty_like(second), \
        np.empty_like(first)
    second_t = second[:, :-1].T

    def epoch() -> None:
        for x_ones in batches:
            np.matmul(first, x_ones.T, z_hidden)
            np.matmul(second, hidden, z_out)
            np.matmul(second_t, delta_out, below)
            np.matmul(delta_out, hidden.T, nabla_second)
            np.matmul(delta_hidden, x_ones, nabla_first)

    return epoch


def _permuted(epoch: Callable[[np.ndarray], object], rng: np.random.Generator, n: int) -> None:
    epoch(rng.permutation(n))


def torch_thread_counts() -> list[int] | None:
    """PyTorch's thread settings to time: 1 and its default, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    return sorted({1, torch.get_num_threads()})


def torch_epoch_fn(net: Network, X: np.ndarray, Y: np.ndarray, threads: int):
    """The same SGD in PyTorch (float64, CPU, autograd), run with ``threads`` threads."""
    import torch

    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
              for a in (*net.weights, *net.biases)]
    weights, biases = params[: len(net.weights)], params[len(net.weights) :]
    Xt = torch.from_numpy(X)
    Yt = torch.from_numpy(Y)

    def epoch(order: np.ndarray) -> None:
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            index = torch.from_numpy(order)
            for start in range(0, len(order), BATCH):
                rows = index[start : start + BATCH]
                a = Xt[rows].T
                for w, b in zip(weights, biases, strict=True):
                    a = torch.sigmoid(w @ a + b)
                cost = 0.5 * ((a - Yt[rows].T) ** 2).sum()
                cost.backward()
                with torch.no_grad():
                    for p in params:
                        p -= (ETA / len(rows)) * p.grad
                        p.grad = None
        finally:
            torch.set_num_threads(before)

    return epoch, torch.__version__


def blas_note() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: unknown (threadpoolctl not installed)"
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    if not info:
        return "BLAS: none found"
    i = info[0]
    return f"numpy BLAS: {i.get('internal_api')} {i.get('version')}, " \
           f"{i.get('num_threads')} threads, kernel {i.get('architecture')}"


def epoch_times(quick: bool) -> list[Target]:
    title("training: one SGD epoch of 50,000 MNIST-shaped examples, [784,30,10], batch 10")
    slices = {"matrix": 400, "pairs": 400, "book": 200, "torch": 200} if quick else \
        {"matrix": 10_000, "pairs": 10_000, "book": 2_000, "torch": 2_000}
    repeat = 1 if quick else 9
    X, Y = synthetic_mnist(max(slices.values()))
    rng = np.random.default_rng(1)
    runs: dict[str, tuple[str, int]] = {}  # label, examples timed
    jobs: dict[str, Callable[[], None]] = {}

    def add(key: str, label: str, n: int, epoch: Callable[[np.ndarray], object]) -> None:
        runs[key] = (label, n)
        jobs[key] = partial(_permuted, epoch, rng, n)

    m, b, n = slices["matrix"], slices["book"], slices["pairs"]
    add("matrix", "pathgrad matrix engine", m,
        partial(matrix_epoch, Network(SIZES, seed=0), X[:m], Y[:m]))
    pairs = [(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X[:n], Y[:n])]
    runs["pairs"] = (f"net.sgd on (x, y) pairs, {PAIR_EPOCHS} epochs", n * PAIR_EPOCHS)
    jobs["pairs"] = partial(pairs_epoch, Network(SIZES, seed=0), pairs)
    add("book", "book's per-example loop", b,
        partial(book_epoch, Network(SIZES, seed=0), X[:b], Y[:b]))
    runs["products"] = ("the matrix engine's products alone (its floor)", m)
    jobs["products"] = products_epoch_fn(Network(SIZES, seed=0), X[:m], rng.permutation(m))
    torch_threads = torch_thread_counts()
    for threads in torch_threads or ():
        epoch, version = torch_epoch_fn(Network(SIZES, seed=0), X, Y, threads)
        add(f"torch{threads}", f"PyTorch {version} float64, {threads} thread(s)",
            slices["torch"], epoch)
    # Interleaved repeats: each round times every engine once, so a burst of load from
    # elsewhere on the machine hits all of them alike. Multi-threaded PyTorch runs last, on
    # its own: its idle threads keep spinning for a while and would slow whatever came next.
    times: dict[str, list[float]] = {key: [] for key in jobs}
    together = [key for key in jobs if key in ("matrix", "products", "pairs", "book", "torch1")]
    for key in together:
        jobs[key]()  # warm-up
    for _ in range(repeat):
        for key in together:
            times[key].append(median_time(jobs[key], repeat=1, warmup=0))
    for key in jobs:
        if key not in together:
            times[key].append(median_time(jobs[key], repeat=repeat, warmup=1))
    seconds = {key: statistics.median(t) * EPOCH / runs[key][1] for key, t in times.items()}
    # The engine and its products run the same examples side by side in every round: the
    # median of the rounds' own ratios leaves out load that comes and goes between rounds.
    floor_ratio = statistics.median(
        engine / products for engine, products in zip(times["matrix"], times["products"],
                                                      strict=True))
    rows = [
        [label, f"{n:,}", f"{seconds[key]:.3f} s", f"{seconds[key] / seconds['matrix']:.1f}x",
         f"{seconds['book'] / seconds[key]:.1f}x"]
        for key, (label, n) in runs.items()
    ]
    print(table(["engine", "examples timed", "epoch (scaled to 50,000)", "time / matrix",
                 "book loop / time"], rows))
    if torch_threads is None:
        print("PyTorch not installed: its rows are skipped (pip install torch to compare)")
    else:
        print("PyTorch's threads spin-wait: on a busy 2-core box its 2-thread row can be far "
              "slower than 1 thread; compare with its faster row")
    print(blas_note())
    print(f"median of {plural(repeat, 'interleaved round')} after a warm-up; the pairs row "
          "counts the\n"
          f"conversion of the pairs once in its {PAIR_EPOCHS} epochs and no training cost (none is"
          " read).\nengine / its products = "
          f"{floor_ratio:.2f} (the median of the rounds' ratios): how far the matrix engine's "
          "epoch is\nfrom the time of its own matrix products (target <= 1.5).\n"
          "targets: book loop >= 8x slower than the matrix engine and than net.sgd on pairs,\n"
          "PyTorch >= 4x slower")
    targets = [target(f"SGD epoch, book's loop / {runs[key][0]}", seconds["book"] / seconds[key],
                      least=8.0) for key in ("matrix", "pairs")]
    targets.append(target("SGD epoch, matrix engine / its matrix products alone",
                          floor_ratio, most=1.5))
    torch_rows = [key for key in seconds if key.startswith("torch")]
    if torch_rows:
        fastest = min(seconds[key] for key in torch_rows)
        targets.append(target("SGD epoch, PyTorch / matrix engine", fastest / seconds["matrix"],
                              least=4.0))
    return targets


def digits_accuracy(quick: bool) -> None:

    title("training: digits [64,30,10], 297 held out, batch 10")
    absent = missing("sklearn", 'pip install "pathgrad[data]"')
    if absent:
        print(f"scikit-learn bundles the digits; {absent}")
        return
    epochs = 2 if quick else 30
    train, test = digits()
    setups = [
        ("book: sigmoid, quadratic, N(0,1), eta 3.0", "quadratic", "standard", 3.0),
        ("cross-entropy, N(0,1/n_in), eta 0.5", "cross-entropy", "scaled", 0.5),
    ]
    rows = []
    for label, cost, init, eta in setups:
        accuracies, times = [], []
        for seed in range(1 if quick else 3):
            net = Network([64, 30, 10], cost=cost, init=init, seed=seed)
            start = time.perf_counter()
            history = net.sgd(train, epochs, 10, eta, test_data=test, seed=seed, progress=False)
            times.append(time.perf_counter() - start)
            accuracies.append(history.final_accuracy)
        rows.append([label, f"{epochs}", " ".join(f"{a:.1%}" for a in accuracies),
                     f"{statistics.median(times):.2f} s"])
    print(table(["set-up", "epochs", "test accuracy (seeds 0,1,2)", "training time (median)"],
                rows))
    print("targets: about 92% for the book's set-up, >= 96% with cross-entropy; under 1 s")


def graph_backprop(quick: bool) -> None:
    title("training: one example through the scalar graph, [64,30,10]")
    net = Network([64, 30, 10], seed=0)
    rng = np.random.default_rng(2)
    x = rng.random((64, 1))
    y = np.eye(10)[:, [3]]
    exact_b, exact_w = net.matrix_backprop(x, y)
    exact = np.concatenate([a.ravel() for a in exact_b + exact_w])
    rows = []
    for level in ("neuron", "z", "ops"):
        g = net.graph(x, y, level=level)
        nabla_b, nabla_w = g.gradients()
        got = np.concatenate([a.ravel() for a in nabla_b + nabla_w])
        error = np.max(np.abs(got - exact)) / np.max(np.abs(exact))
        t = median_time(partial(net.backprop, x, y, level=level), repeat=3 if quick else 15)
        rows.append([level, f"{len(g.nodes):,}", f"{g.edge_count:,}", f"{t * 1000:.2f} ms",
                     f"{error:.1e}"])
    matrix_time = median_time(lambda: net.matrix_backprop(x, y), repeat=3 if quick else 15)
    rows.append(["matrix engine", "-", "-", f"{matrix_time * 1000:.3f} ms", "0"])
    print(table(["graph level", "nodes", "edges", "build + reverse sweep", "max rel err vs matrix"],
                rows))
    print("target: neuron level under 10 ms; every weight equal to the matrix engine")


def run(quick: bool = False) -> list[Target]:
    targets = epoch_times(quick)
    digits_accuracy(quick)
    graph_backprop(quick)
    return targets
