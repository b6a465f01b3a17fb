"""The fully matrix-based backpropagation over a whole mini-batch (numpy only, no graph).

The chapter's algorithm handles one training example at a time and its problem asks for the
version that handles a mini-batch at once. Put the ``m`` examples side by side as the columns
of ``X`` (shape ``(n_1, m)``); then every vector of the algorithm becomes a matrix with one
column per example, and each step is one matrix operation:

* feedforward: ``Z^l = W^l A^{l-1} + b^l`` (the bias column broadcast to every column),
  ``A^l = σ(Z^l)``;
* BP1: ``Δ^L = ∇_A C ⊙ σ'(Z^L)``;
* BP2: ``Δ^l = ((W^{l+1})^T Δ^{l+1}) ⊙ σ'(Z^l)``;
* BP3: ``∂C/∂b^l`` summed over the batch is the row sum of ``Δ^l``;
* BP4: ``∂C/∂W^l`` summed over the batch is ``Δ^l (A^{l-1})^T``: the sum of the per-example
  outer products ``δ^l (a^{l-1})^T`` done by a single matrix product.

:func:`backprop` returns those batch sums. :func:`backprop_loop` is the per-example algorithm
(one column at a time, summed in Python), kept as the reference the tests and the benchmark
compare with. :func:`sgd_epoch` runs one epoch of mini-batch stochastic gradient descent with
:func:`backprop`'s algebra, done in place on the parameters.

Parameters are lists in Nielsen's layout: ``weights[l-2]`` has shape ``(n_l, n_{l-1})``,
``biases[l-2]`` has shape ``(n_l, 1)``; ``layers[l-2]`` is layer ``l``'s
:class:`~pathgrad.activations.LayerActivation`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..support.errors import NotFiniteError, PathgradValueError
from .activations import LayerActivation
from .losses import Cost

Arrays = list[np.ndarray]


def forward(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    X: np.ndarray,
) -> tuple[Arrays, Arrays]:
    """The weighted inputs ``[Z^2..Z^L]`` and activations ``[A^1..A^L]`` for columns ``X``."""
    zs: Arrays = []
    activations: Arrays = [X]
    a = X
    for l, (w, b, layer) in enumerate(zip(weights, biases, layers), 2):  # noqa: E741
        z, a = _layer(w, b, layer, a, l)
        zs.append(z)
        activations.append(a)
    return zs, activations


def _layer(
    w: np.ndarray, b: np.ndarray, layer: LayerActivation, a: np.ndarray, l: int  # noqa: E741
) -> tuple[np.ndarray, np.ndarray]:
    """``Z^l = W^l A^{l-1} + b^l`` and ``A^l = σ(Z^l)``, each checked finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = w @ a
        z += b
        out = layer.apply(z)
    require_finite(z, f"the weighted input z^{l}_{{j}}", l, (w, a))
    require_finite(out, f"the activation a^{l}_{{j}}", l, (w, a))
    return z, out


def require_finite(
    values: np.ndarray, name: str, l: int,  # noqa: E741
    made_from: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Raise :class:`NotFiniteError` naming the first neuron ``j`` of layer ``l`` (and the
    example) whose value in ``values`` (one row per neuron, one column per example) is not
    finite; ``name`` shows the number, ``{j}`` standing for the neuron, and ``made_from`` the
    layer's weights and inputs, whose largest sizes the message gives."""
    if np.isfinite(values).all():
        return
    j, column = (int(i) for i in np.argwhere(~np.isfinite(values))[0])
    example = f" for example {column + 1}" if values.shape[1] > 1 else ""
    sizes = "" if made_from is None else (
        f" (largest |w^{l}_jk| = {np.max(np.abs(made_from[0])):.3g}, largest input "
        f"{np.max(np.abs(made_from[1])):.3g})"
    )
    value = float(values[j, column])
    raise NotFiniteError(
        f"{name.format(j=j + 1)} is {value!r}{example}, not a finite number: "
        f"the weights and inputs of layer {l}{sizes} are too large for a float; scale them down",
        f"{name.format(j=j + 1)} became {value!r}",
    )


def feedforward(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    X: np.ndarray,
) -> np.ndarray:
    """The output activations ``A^L`` for the columns of ``X``."""
    return output_layer(weights, biases, layers, X)[1]


def output_layer(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    X: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The output layer's weighted inputs ``Z^L`` and activations ``A^L`` for the columns of
    ``X`` (a cost may need ``Z^L``: :meth:`pathgrad.book.losses.Cost.value`)."""
    a = z = X
    for l, (w, b, layer) in enumerate(zip(weights, biases, layers), 2):  # noqa: E741
        z, a = _layer(w, b, layer, a, l)
    return z, a


def cost(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    X: np.ndarray,
    Y: np.ndarray,
) -> float:
    """``C`` summed over the columns of ``X``: :meth:`Cost.value` of the output layer."""
    z, a = output_layer(weights, biases, layers, X)
    cost.check(a, Y)
    return cost.value(z, a, Y, layers[-1])


def deltas(
    weights: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    zs: Sequence[np.ndarray],
    activations: Sequence[np.ndarray],
    Y: np.ndarray,
) -> Arrays:
    """The errors ``[Δ^2..Δ^L]`` (one column per example) by BP1, then BP2 backwards."""
    delta = cost.delta(zs[-1], activations[-1], Y, layers[-1])
    result = [delta]
    for i in range(len(weights) - 2, -1, -1):
        delta = (weights[i + 1].T @ delta) * layers[i].prime(zs[i])
        result.append(delta)
    result.reverse()
    return result


def backprop(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    X: np.ndarray,
    Y: np.ndarray,
) -> tuple[Arrays, Arrays]:
    """``(nabla_b, nabla_w)``: the gradient of the cost summed over the columns of ``X``.

    One forward and one backward pass over the whole mini-batch: BP1-BP4 in matrix form.
    """
    zs, activations = forward(weights, biases, layers, X)
    with np.errstate(over="ignore", invalid="ignore"):
        errors = deltas(weights, layers, cost, zs, activations, Y)
        nabla_b = [delta.sum(axis=1, keepdims=True) for delta in errors]
        nabla_w = [delta @ a.T for delta, a in zip(errors, activations[:-1], strict=True)]
    for l, (delta, nb, nw) in enumerate(zip(errors, nabla_b, nabla_w), 2):  # noqa: E741
        require_finite(delta, f"the error δ^{l}_{{j}}", l)
        require_finite(nb, f"∂C/∂b^{l}_{{j}}", l)
        require_finite(nw, f"∂C/∂w^{l}_{{j}}k for some k", l)
    return nabla_b, nabla_w


def backprop_example(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    x: np.ndarray,
    y: np.ndarray,
) -> tuple[Arrays, Arrays]:
    """The chapter's algorithm for a single example ``x``, ``y`` (column vectors).

    Feed forward keeping every ``z^l`` and ``a^l``; the output error by BP1; each earlier
    error from the later one by BP2; read off the gradient by BP3 and BP4.
    """
    a = x
    outputs = [x]
    weighted = []
    for w, b, layer in zip(weights, biases, layers, strict=True):
        z = np.dot(w, a) + b
        a = layer.apply(z)
        weighted.append(z)
        outputs.append(a)
    count = len(weights)
    nabla_b: Arrays = [np.empty(0)] * count
    nabla_w: Arrays = [np.empty(0)] * count
    delta = cost.delta(weighted[-1], outputs[-1], y, layers[-1])
    for i in range(count - 1, -1, -1):
        if i < count - 1:
            delta = np.dot(weights[i + 1].T, delta) * layers[i].prime(weighted[i])
        nabla_b[i] = delta
        nabla_w[i] = np.dot(delta, outputs[i].T)
    return nabla_b, nabla_w


def backprop_loop(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    X: np.ndarray,
    Y: np.ndarray,
) -> tuple[Arrays, Arrays]:
    """The same sums as :func:`backprop`, one example (column) at a time, as the book does."""
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for i in range(X.shape[1]):
        db, dw = backprop_example(weights, biases, layers, cost, X[:, i : i + 1], Y[:, i : i + 1])
        nabla_b = [total + d for total, d in zip(nabla_b, db, strict=True)]
        nabla_w = [total + d for total, d in zip(nabla_w, dw, strict=True)]
    return nabla_b, nabla_w


def update(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    nabla_b: Sequence[np.ndarray],
    nabla_w: Sequence[np.ndarray],
    step: float,
    decay: float = 1.0,
) -> None:
    """Gradient step in place: ``w ← decay·w - step·∇w``, ``b ← b - step·∇b``."""
    for w, b, nw, nb in zip(weights, biases, nabla_w, nabla_b, strict=True):
        if decay != 1.0:
            w *= decay
        w -= step * nw
        b -= step * nb


def sgd_epoch(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    X: np.ndarray,
    Y: np.ndarray,
    order: np.ndarray | Sequence[int],
    mini_batch_size: int,
    eta: float,
    lmbda: float = 0.0,
) -> None:
    """One epoch of mini-batch SGD, in place, visiting the rows of ``X``/``Y`` in ``order``.

    ``X`` holds one example per *row* (shape ``(n, n_1)``) so a mini-batch is a cheap copy of
    a few rows; its transpose is the column matrix of :func:`backprop`. ``order`` holds row
    numbers of ``X``, ``n`` of them (a permutation, as ``rng.permutation(n)`` gives). Each step
    is ``w ← (1 - ηλ/n) w - (η/m) Σ ∇w`` (L2 decay only when ``lmbda > 0``),
    ``b ← b - (η/m) Σ ∇b``, by :func:`backprop`'s algebra: per layer one product forward, and
    going back one product for BP2, one for BP3 and BP4 together, and one subtraction in place.
    What makes it so, none of which changes a result beyond rounding:

    * every layer's ``[W | b]`` is held as one matrix during the epoch, and what feeds it (the
      inputs, each hidden layer's activations) gets a row of ones: ``Z^l = [W^l | b^l]
      [A^{l-1}; 1]`` needs no ``+ b``, and BP3 and BP4 are the one product
      ``Δ^l [A^{l-1}; 1]^T`` (written back into ``weights`` and ``biases`` at the end);
    * the step size η/m is folded into the output error Δ^L, so BP2 carries it down and the
      products of BP4 come out scaled;
    * σ'(z) is taken from the activations where the function allows (``a(1-a)`` for the
      sigmoid, :attr:`LayerActivation.times_slope`), reusing the forward pass;
    * every array a step writes (the gathered examples, Z, A, Δ, the products) is made once
      per epoch and written in place; the targets are gathered as columns, laid out as the
      outputs they are subtracted from. numpy's fixed cost per call, most of the time of
      anything but a product on a mini-batch this small, is paid 21 times a step besides the
      5 products on a sigmoid ``[784, 30, 10]`` net with the quadratic cost (35 times before):
      8 for the two σ, 5 for BP1 and the step size, 3 for σ' in BP2, 3 to gather the
      examples, 2 subtractions.
    """
    X, order = np.ascontiguousarray(X, dtype=float), np.asarray(order)
    n = X.shape[0]
    _check_order(order, n)
    if n == 0:
        return  # no example, no step
    joined = [np.hstack([w, b]) for w, b in zip(weights, biases, strict=True)]
    targets = np.ascontiguousarray(Y.T, dtype=float)  # a column per example, as the outputs
    decay = 1.0 - eta * lmbda / n
    whole = n - n % mini_batch_size  # the examples in full mini-batches
    try:
        # σ's e^{-z} overflows for z below -709, where σ is 0 (activations._sigmoid_into)
        with np.errstate(over="ignore"):
            if whole:
                _sgd_steps(joined, layers, cost, X, targets, order[:whole], mini_batch_size, eta,
                           decay)
            if whole < n:
                _sgd_steps(joined, layers, cost, X, targets, order[whole:], n - whole, eta, decay)
    finally:
        for w, b, both in zip(weights, biases, joined, strict=True):
            w[...] = both[:, :-1]
            b[...] = both[:, -1:]


def _check_order(order: np.ndarray, n: int) -> None:
    """Refuse an ``order`` that is not ``n`` row numbers of an ``X`` of ``n`` rows."""
    if not (order.shape == (n,) and order.dtype.kind in "iu"
            and (n == 0 or 0 <= int(order.min()) <= int(order.max()) < n)):
        raise PathgradValueError(
            f"order must be {n} row numbers of X, each in 0..{n - 1} (rng.permutation({n})); "
            f"got {order!r:.60}"
        )


def _sgd_steps(
    joined: list[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    X: np.ndarray,
    targets: np.ndarray,
    order: np.ndarray,
    size: int,
    eta: float,
    decay: float,
) -> None:
    """One SGD step on ``joined`` (each ``[W^l | b^l]``, changed in place) for every ``size``
    examples listed in ``order`` (a multiple of ``size`` of them): rows of ``X``, columns of
    ``targets``. The arrays a step writes are made here, once; a number it multiplies by is a
    0-d array (see ``activations.ONE``)."""
    scale, shrink = np.array(eta / size), np.array(decay)
    x, y = np.empty((size, X.shape[1])), np.empty((targets.shape[0], size))
    x_ones = np.ones((size, X.shape[1] + 1))  # one example a row, then a 1
    fed = [x_ones.T] + [np.ones((w.shape[0] + 1, size)) for w in joined[:-1]]  # [A^{l-1}; 1]
    zs = [np.empty((w.shape[0], size)) for w in joined]
    activations = [a[:-1] for a in fed[1:]] + [np.empty_like(zs[-1])]
    deltas = [np.empty_like(z) for z in zs]
    spares = [np.empty_like(z) for z in zs]
    forward = [(both, a_in, z, a, layer.apply_into)
               for both, a_in, z, a, layer in zip(joined, fed, zs, activations, layers)]
    backward = [
        (both, both[:, :-1], both[:, :-1].T, deltas[i], fed[i].T, np.empty_like(both),
         () if i == 0 else (deltas[i - 1], zs[i - 1], activations[i - 1], spares[i - 1],
                            layers[i - 1].times_slope))
        for i, both in reversed(list(enumerate(joined)))
    ]
    inputs, decays = x_ones[:, :-1], decay != 1.0
    bp1 = (zs[-1], activations[-1], y, layers[-1], deltas[-1], spares[-1])
    output_delta = deltas[-1]
    # every function the loop calls, looked up once
    take_x, take_y, copyto, delta_into = X.take, targets.take, np.copyto, cost.delta_into
    matmul, multiply, subtract = np.matmul, np.multiply, np.subtract
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        # mode "clip" writes straight into x ("raise" goes through a copy); the rows were
        # checked by _check_order, so it clips nothing
        take_x(rows, 0, x, "clip")
        copyto(inputs, x)
        take_y(rows, 1, y, "clip")
        for both, a_in, z, a, sigma in forward:
            matmul(both, a_in, z)  # Z^l = [W^l | b^l] [A^{l-1}; 1]
            sigma(z, a)
        delta_into(*bp1)
        multiply(output_delta, scale, output_delta)  # BP1, times η/m
        for both, w, w_t, delta, a_in_t, nabla, below in backward:
            if below:  # BP2, with w^l as it was before this step
                delta_below, z_below, a_below, spare, times_slope = below
                matmul(w_t, delta, delta_below)
                times_slope(delta_below, z_below, a_below, spare)
            if decays:
                multiply(w, shrink, w)
            matmul(delta, a_in_t, nabla)  # BP3 and BP4: (η/m) Σ ∇[W^l | b^l]
            subtract(both, nabla, both)
