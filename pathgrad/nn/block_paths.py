"""The gradient through each set of residual blocks: Veit, Wilber and Belongie's measure, exactly.

A residual block's Jacobian is a sum of two terms, ``∂a^l/∂a^{l-1} = I + diag(σ'(z^l)) w^l``:
the skip and the layer. Multiplying the blocks' Jacobians out gives one term for every set
``S`` of blocks, the term that takes the layer at the blocks of ``S`` and the skip at every
other one, so the gradient at the input is a sum over the ``2^n`` sets,

    ``∂C/∂x = Σ_S g_S``,  ``g_S = ∂C/∂x`` carried through exactly the blocks of ``S``.

In the scalar graph, ``g_S`` is the sum of the products of every path from ``x`` to ``C`` that
passes through the node ``z^l_j`` (for some ``j``) of each block ``l`` in ``S`` and of no other
block (equation 53, the paths grouped by the blocks they pass through). Veit, Wilber and
Belongie (*Residual networks behave like ensembles of relatively shallow networks*, NeurIPS
2016) measured ``‖g_S‖`` by sampling: one forward pass through the whole net, then a backward
pass that goes through the layer of ``k`` blocks drawn at random and round the skip of the
others. Weighting the mean norm for each ``k`` by the ``C(n, k)`` sets of that size gave them the
gradient contributed by the paths of each length. Here every set is computed exactly, by a
backward pass that splits in two at every block (``2^{n+1}`` small matrix products in all).

:func:`block_set_gradients` returns every ``g_S`` of a :class:`~pathgrad.nn.residual.ResNet`
for a batch of examples, as a :class:`BlockSets`; :func:`gradient_through` one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..book.activations import LayerActivation
from ..book.losses import Cost, get_cost
from ..book.network import _check_finite
from ..support.arguments import float_array, whole_number
from ..support.errors import PathgradValueError
from ..support.limits import DEFAULT_MAX_BYTES, check_limit
from .residual import ResNet, forward_rows, input_rows


@dataclass(frozen=True)
class BlockSets:
    """``gradients[mask]`` is ``g_S`` for the set ``S`` of blocks in ``mask`` (bit ``i - 1``
    for block ``i``): an array with one row per example and one column per input, the
    derivative of the summed cost ``C = Σ_x C_x`` carried through exactly those blocks.

    Equation 53 with the paths grouped by the blocks they pass through: the groups add up to
    ``∂C/∂X``.

    >>> import pathgrad as pg
    >>> net = pg.ResNet(2, 3, 2, 1, "tanh", "linear", seed=4)
    >>> sets = pg.block_set_gradients(net, [[0.5, -0.2]], [[1.0]])
    >>> sets.blocks, len(sets.gradients)            # two blocks, four sets
    (2, 4)
    >>> parts = sets.through() + sets.through(1) + sets.through(2) + sets.through(1, 2)
    >>> bool(abs(parts - sets.total()).max() < 1e-15)
    True
    """

    gradients: np.ndarray

    @property
    def blocks(self) -> int:
        """The number ``n`` of blocks (there are ``2^n`` sets)."""
        return int(self.gradients.shape[0]).bit_length() - 1

    @property
    def sizes(self) -> np.ndarray:
        """``|S|`` for every set, in the order of ``gradients``."""
        return np.array([mask.bit_count() for mask in range(len(self.gradients))])

    def through(self, *blocks: int) -> np.ndarray:
        """``g_S`` for the set of the numbered blocks (1 to n; none: the path of skips only)."""
        return self.gradients[block_mask(blocks, self.blocks)]

    def total(self) -> np.ndarray:
        """``Σ_S g_S``: the whole gradient ``∂C/∂X``."""
        return self.gradients.sum(axis=0)

    def norms(self) -> np.ndarray:
        """``‖g_S‖`` for every set: the Euclidean norm over every example and input."""
        return np.sqrt(np.einsum("smi,smi->s", self.gradients, self.gradients))

    def norm_by_blocks_passed(self) -> np.ndarray:
        """Veit et al.'s measure: for ``k = 0 .. n``, ``Σ_{|S| = k} ‖g_S‖``, the mean norm of
        a set of ``k`` blocks times the ``C(n, k)`` sets of that size."""
        return np.bincount(self.sizes, weights=self.norms(), minlength=self.blocks + 1)


def block_mask(blocks: Iterable[int], n: int) -> int:
    """The bit mask of a set of block numbers (1 to ``n``), each checked."""
    mask = 0
    for i in blocks:
        whole_number(i, "block number", least=1, most=n)
        mask |= 1 << (i - 1)
    return mask


def block_set_gradients(
    net: ResNet, X: Any, Y: Any, cost: str | Cost = "quadratic", *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> BlockSets:
    """``g_S`` for every set ``S`` of ``net``'s blocks, for the examples in the rows of ``X``
    with desired outputs in the rows of ``Y``.

    One forward pass (numpy, as :meth:`ResNet.predict`) fixes every rate factor; then the
    backward pass carries ``∂C/∂a`` from the output down and, at each block, splits every
    partial gradient in two: through the layer, ``(v ⊙ σ'(z^l)) w^l``, and round the skip,
    ``v`` (zero for a plain block, which has no skip). The ``2^n`` arrays are refused before
    they are allocated if they would take more than ``max_bytes``.

    Equation 53, its paths grouped by the set of blocks they pass through (BP2 at each block,
    split into its skip and its layer).

    >>> import pathgrad as pg
    >>> net = pg.ResNet(2, 3, 2, 1, "tanh", "linear", seed=4)
    >>> sets = pg.block_set_gradients(net, [[0.5, -0.2]], [[1.0]])
    >>> sets.norm_by_blocks_passed().round(4)     # Σ ‖g_S‖ over the sets of 0, 1, 2 blocks
    array([1.3891, 2.1735, 1.033 ])
    """
    n, (nin, width, _) = len(net.blocks), net.sizes
    m = len(input_rows(net, X))
    check_limit(8 * 2**n * m * max(width, nin), max_bytes, "max_bytes",
                f"the gradients through all 2^{n} sets of {n} blocks for {m} examples",
                "Use fewer blocks or fewer examples")
    forward = Forward(net, X, Y, cost)
    v = forward.top[np.newaxis]
    for i in range(n, 0, -1):  # the block met last becomes bit 0, so block i ends at bit i - 1
        v = np.stack([forward.skip(i, v), forward.through(i, v)], axis=1).reshape(-1, m, width)
    return BlockSets(forward.into_input(v))


def gradient_through(
    net: ResNet, X: Any, Y: Any, blocks: Iterable[int], cost: str | Cost = "quadratic"
) -> np.ndarray:
    """``g_S`` for the one set ``S`` of the numbered ``blocks`` (1 to n): ``∂C/∂X`` carried
    through the layer of each of them and round the skip of every other block, every rate
    factor taken at the whole net's forward pass (one of Veit et al.'s sampled paths).

    Equation 53, summed over the paths through exactly these blocks.

    >>> import pathgrad as pg
    >>> net = pg.ResNet(2, 3, 2, 1, "tanh", "linear", seed=4)
    >>> pg.gradient_through(net, [[0.5, -0.2]], [[1.0]], [1]).round(4)   # block 1, not 2
    array([[-0.9584, -0.0172]])
    """
    chosen = block_mask(blocks, len(net.blocks))
    forward = Forward(net, X, Y, cost)
    v = forward.top
    for i in range(len(net.blocks), 0, -1):
        v = forward.through(i, v) if chosen >> (i - 1) & 1 else forward.skip(i, v)
    return forward.into_input(v)


class Forward:
    """A ResNet's forward pass over a batch, kept for the backward passes of this module:
    each layer's weights, activation and weighted inputs ``z`` (one row per example), and
    ``top = ∂C/∂a`` at the last block's output."""

    def __init__(self, net: ResNet, X: Any, Y: Any, cost: str | Cost) -> None:
        loss = get_cost(cost)
        self.zs, a = forward_rows(net, X)
        targets = float_array(Y, "Y")
        if targets.shape != a.shape:
            raise PathgradValueError(f"Y must have shape {a.shape}, one desired output per "
                                     f"row of X; got {targets.shape}")
        _check_finite(targets, "the desired outputs Y")
        self.net = net
        layers = [net.input_layer, *(block.layer for block in net.blocks), net.output_layer]
        self.weights = [layer.arrays()[0] for layer in layers]
        self.activations = [layer.neurons[0].activation for layer in layers]
        loss.check(a, targets)
        delta = loss.delta(self.zs[-1], a, targets, LayerActivation([self.activations[-1]]))
        self.top = delta @ self.weights[-1]

    def through(self, i: int, v: np.ndarray) -> np.ndarray:
        """``v`` carried back through the layer of block ``i``: ``(v ⊙ σ'(z^l)) w^l``."""
        return (v * self.activations[i].prime(self.zs[i])) @ self.weights[i]

    def skip(self, i: int, v: np.ndarray) -> np.ndarray:
        """``v`` carried back round the skip of block ``i`` (rate 1; 0 if it has none)."""
        return v if self.net.blocks[i - 1].skip else np.zeros_like(v)

    def into_input(self, v: np.ndarray) -> np.ndarray:
        """``v`` carried back through the input layer, to the inputs ``X``."""
        return (v * self.activations[0].prime(self.zs[0])) @ self.weights[0]
