"""Attention of Values: a causal head, heads side by side with their output matrices ``W_O``.

The conventions are those of Elhage et al., *A Mathematical Framework for Transformer
Circuits* (2021): vectors are columns, the residual stream at position ``i`` is ``x_i`` (of
``d_model`` numbers), and head ``h`` has ``W_Q``, ``W_K``, ``W_V`` of shape ``d_head × d_model``
and ``W_O`` of shape ``d_model × d_head``. Layers, heads and positions count from 0, as in
TransformerLens. One head computes, for every position ``i`` and every earlier or equal
position ``j``,

    ``q_i = W_Q x_i``,  ``k_j = W_K x_j``,  ``v_j = W_V x_j``,
    ``score_ij = q_i · k_j / √d_head``,  ``A_i = softmax_j(score_i0, ..., score_ii)``,
    ``z_i = Σ_j A_ij v_j``,

and the layer adds every head's ``W_O z_i`` to the residual stream. Each of those numbers is one
node, so the paths of the graph are the paper's: through a head's values ``v`` (the OV circuit,
with the pattern ``A_ij`` as a rate factor) or through its scores (the QK circuit).

**Softmax** is one operation per output, ``A_ij = exp(score_ij) / Σ_k exp(score_ik)``, whose
edge from ``score_ik`` carries the rate factor ``A_ij (δ_jk − A_ik)``: a picture shows one
node per probability, not the exponentials and the division it is made of.

**Frozen attention.** With ``frozen_attention=True`` the pattern enters ``z_i`` as constant
numbers (the same numbers), so no path runs through the scores: the graph is linear in the
values, as in the paper's path expansion. The full graph has the same paths and more, those
through ``q`` and ``k``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import mul
from typing import Any

import numpy as np

from ..support.arguments import float_array, whole_number
from ..support.collector import without_collector
from ..support.errors import PathgradTypeError, PathgradValueError
from ..value import Op, Value
from .modules import Module, input_list

#: A residual stream: one list of ``d_model`` Values (or numbers) per position.
Stream = list[list[Any]]


def node_name(symbol: str, *indices: int) -> str:
    """``node_name("q", 0, 1, 2, 3) == "q[0,1,2,3]"``: a transformer node, indices from 0."""
    return f"{symbol}[{','.join(str(i) for i in indices)}]"


@cache
def linear_op(plain: int, pairs: int, scale: float = 1.0) -> Op:
    """``x_1 + ... + x_plain + scale · Σ_k a_k b_k``, operands ``x..., a_1..a_pairs, b_1..``.

    The rate factors are 1 into each ``x``, ``scale · b_k`` into ``a_k`` and ``scale · a_k``
    into ``b_k``: a dot product (``plain = 0``), a residual update ``x + Σ w z``, an affine map.
    """

    def value(*xs: float) -> float:
        products = sum(map(mul, xs[plain : plain + pairs], xs[plain + pairs :]))
        return sum(xs[:plain]) + (products if scale == 1.0 else scale * products)

    def partials(*xs: float) -> tuple[float, ...]:
        a, b = xs[plain : plain + pairs], xs[plain + pairs :]
        if scale != 1.0:
            a, b = tuple(scale * x for x in a), tuple(scale * x for x in b)
        return (1.0,) * plain + tuple(b) + tuple(a)

    return Op("dot" if plain == 0 else "sum", value, partials)


def _probabilities(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    e = [math.exp(s - top) for s in scores]
    total = sum(e)
    return [x / total for x in e]


@cache
def softmax_op(n: int, j: int) -> Op:
    """Output ``j`` of the softmax of ``n`` scores: ``p_j``, with rate ``p_j (δ_jk − p_k)``
    into score ``k``."""
    whole_number(j, "softmax output", least=0, most=n - 1)

    def value(*scores: float) -> float:
        return _probabilities(scores)[j]

    def partials(*scores: float) -> tuple[float, ...]:
        p = _probabilities(scores)
        return tuple(p[j] * ((k == j) - p[k]) for k in range(n))

    return Op("softmax", value, partials)


def softmax(scores: Sequence[Value | float], names: Sequence[str | None] | None = None
            ) -> list[Value]:
    """The softmax of ``scores`` as one node per probability (see the module docstring)."""
    n = len(scores)
    if n == 0:
        raise PathgradValueError("softmax needs at least one score")
    labels = list(names) if names is not None else [None] * n
    return [softmax_op(n, j)(*scores, name=labels[j]) for j in range(n)]


def weight_matrix(given: Any, shape: tuple[int, int], symbol: str, where: tuple[int, ...],
                  rng: np.random.Generator, scale: float) -> list[list[Value]]:
    """A matrix of parameter Values named ``symbol[*where, row, column]``: ``given`` numbers
    of this shape, or N(0, scale²) draws from ``rng``."""
    if given is None:
        array = rng.standard_normal(shape) * scale
    else:
        array = float_array(given, symbol)
        if array.shape != shape:
            raise PathgradValueError(
                f"{symbol} must have shape {shape[0]} × {shape[1]}, got {array.shape}"
            )
        if not np.all(np.isfinite(array)):
            raise PathgradValueError(f"{symbol} holds a NaN or an infinity; give finite numbers")
    return [[Value(float(array[r, c]), name=node_name(symbol, *where, r, c))
             for c in range(shape[1])] for r in range(shape[0])]


def as_array(matrix: list[list[Value]]) -> np.ndarray:
    """A matrix of Values as a numpy array of their values."""
    return np.array([[v.data for v in row] for row in matrix])


def stream_of(x: Any, width: int, owner: str) -> Stream:
    """``x`` checked as a residual stream: a list of positions, each of ``width`` entries."""
    positions = input_list(x, width, owner, "positions")
    if not positions:
        raise PathgradValueError(f"{owner} needs at least one position")
    rows = [input_list(row, width, owner, "numbers per position") for row in positions]
    for i, row in enumerate(rows):
        if len(row) != width:
            raise PathgradValueError(
                f"{owner}: position {i} has {len(row)} entries; the residual stream has "
                f"d_model = {width}"
            )
    return rows


@dataclass
class HeadRun:
    """The nodes one head made: ``q``, ``k``, ``v`` and ``z`` (a row of ``d_head`` per
    position), ``scores`` and ``pattern`` (row ``i`` holds positions ``0..i``)."""

    layer: int
    head: int
    q: list[list[Value]]
    k: list[list[Value]]
    v: list[list[Value]]
    scores: list[list[Value]]
    pattern: list[list[Value]]
    z: list[list[Value]]

    def pattern_array(self) -> np.ndarray:
        """The attention pattern ``A`` as an n × n array (zero above the diagonal)."""
        n = len(self.pattern)
        a = np.zeros((n, n))
        for i, row in enumerate(self.pattern):
            a[i, : i + 1] = [p.data for p in row]
        return a


class AttentionHead(Module):
    """One causal attention head of ``d_head`` dimensions reading a ``d_model`` stream.

    ``W_Q``, ``W_K``, ``W_V`` (``d_head × d_model``) start from given arrays or N(0, 1/d_model)
    draws (``seed``). Calling it on a stream gives a :class:`HeadRun`; ``layer`` and ``head``
    name its nodes (``q[layer,head,i,a]``, ``A[layer,head,i,j]``, ...).
    """

    def __init__(self, d_model: int, d_head: int, *, layer: int = 0, head: int = 0,
                 W_Q: Any = None, W_K: Any = None, W_V: Any = None,
                 seed: int | np.random.Generator | None = None) -> None:
        self.d_model = whole_number(d_model, "d_model", least=1)
        self.d_head = whole_number(d_head, "d_head", least=1)
        self.layer = whole_number(layer, "layer", least=0)
        self.head = whole_number(head, "head", least=0)
        rng = np.random.default_rng(seed)
        shape, scale, where = (d_head, d_model), 1 / math.sqrt(d_model), (layer, head)
        self.W_Q = weight_matrix(W_Q, shape, "W_Q", where, rng, scale)
        self.W_K = weight_matrix(W_K, shape, "W_K", where, rng, scale)
        self.W_V = weight_matrix(W_V, shape, "W_V", where, rng, scale)

    @without_collector
    def __call__(self, x: Any, frozen_attention: bool = False) -> HeadRun:
        stream = stream_of(x, self.d_model, repr(self))
        l, h, d_head = self.layer, self.head, self.d_head  # noqa: E741 - the paper's letters
        project = linear_op(0, self.d_model)

        def read(W: list[list[Value]], symbol: str) -> list[list[Value]]:
            return [[project(*W[a], *row, name=node_name(symbol, l, h, i, a))
                     for a in range(d_head)] for i, row in enumerate(stream)]

        q, k, v = read(self.W_Q, "q"), read(self.W_K, "k"), read(self.W_V, "v")
        score = linear_op(0, d_head, 1 / math.sqrt(d_head))
        scores = [[score(*q[i], *k[j], name=node_name("score", l, h, i, j)) for j in range(i + 1)]
                  for i in range(len(stream))]
        pattern = [softmax(row, [node_name("A", l, h, i, j) for j in range(i + 1)])
                   for i, row in enumerate(scores)]
        z = []
        for i, row in enumerate(pattern):
            weights = [p.data for p in row] if frozen_attention else row
            mix = linear_op(0, i + 1)
            z.append([mix(*weights, *(v[j][a] for j in range(i + 1)),
                          name=node_name("z", l, h, i, a)) for a in range(d_head)])
        return HeadRun(l, h, q, k, v, scores, pattern, z)

    def parameters(self) -> list[Value]:
        return [p for W in (self.W_Q, self.W_K, self.W_V) for row in W for p in row]

    def arrays(self) -> dict[str, np.ndarray]:
        """``{"Q": W_Q, "K": W_K, "V": W_V}`` as numpy arrays."""
        return {"Q": as_array(self.W_Q), "K": as_array(self.W_K), "V": as_array(self.W_V)}

    def __repr__(self) -> str:
        return f"AttentionHead(L{self.layer}H{self.head}, d_model={self.d_model}, " \
               f"d_head={self.d_head})"


class MultiHeadAttention(Module):
    """``n_heads`` heads of layer ``layer`` side by side, each with its ``W_O``
    (``d_model × d_head``): ``x'_i = x_i + Σ_h W_O^h z^h_i``, one node per entry.

    ``heads`` gives the heads' arrays, one dict ``{"Q", "K", "V", "O"}`` per head; missing
    arrays are drawn (``W_O`` from N(0, 1/d_head)).
    """

    def __init__(self, d_model: int, n_heads: int, d_head: int, *, layer: int = 0,
                 heads: Sequence[dict[str, Any]] | None = None,
                 seed: int | np.random.Generator | None = None) -> None:
        whole_number(n_heads, "n_heads", least=1)
        given = _head_arrays(heads, n_heads, layer)
        rng = np.random.default_rng(seed)
        self.heads = [
            AttentionHead(d_model, d_head, layer=layer, head=h, W_Q=given[h].get("Q"),
                          W_K=given[h].get("K"), W_V=given[h].get("V"), seed=rng)
            for h in range(n_heads)
        ]
        self.W_O = [weight_matrix(given[h].get("O"), (d_model, d_head), "W_O", (layer, h), rng,
                                  1 / math.sqrt(d_head)) for h in range(n_heads)]
        self.layer, self.d_model, self.d_head = layer, d_model, d_head

    @without_collector
    def __call__(self, x: Any, frozen_attention: bool = False
                 ) -> tuple[list[list[Value]], list[HeadRun]]:
        """The new stream and each head's nodes."""
        stream = stream_of(x, self.d_model, repr(self))
        runs = [head(stream, frozen_attention) for head in self.heads]
        update = linear_op(1, len(self.heads) * self.d_head)
        out = []
        for i, row in enumerate(stream):
            z = [node for run in runs for node in run.z[i]]
            out.append([
                update(row[d], *(w for W in self.W_O for w in W[d]), *z,
                       name=node_name("x", self.layer + 1, i, d))
                for d in range(self.d_model)
            ])
        return out, runs

    def parameters(self) -> list[Value]:
        return [p for h, head in enumerate(self.heads)
                for p in (*head.parameters(), *(w for row in self.W_O[h] for w in row))]

    def arrays(self) -> list[dict[str, np.ndarray]]:
        """One dict ``{"Q", "K", "V", "O"}`` of numpy arrays per head."""
        return [{**head.arrays(), "O": as_array(W)} for head, W in zip(self.heads, self.W_O)]

    def __repr__(self) -> str:
        return f"MultiHeadAttention(layer {self.layer}, {len(self.heads)} heads of " \
               f"{self.d_head}, d_model={self.d_model})"


def _head_arrays(heads: Sequence[dict[str, Any]] | None, n_heads: int, layer: int
                 ) -> list[dict[str, Any]]:
    if heads is None:
        return [{} for _ in range(n_heads)]
    if isinstance(heads, dict) or not isinstance(heads, Sequence) or len(heads) != n_heads:
        raise PathgradTypeError(
            f"heads of layer {layer}: expected a list of {n_heads} dicts with keys 'Q', 'K', "
            f"'V', 'O', got {type(heads).__name__}"
            + (f" of length {len(heads)}" if isinstance(heads, Sequence) else "")
        )
    for h, arrays in enumerate(heads):
        if not isinstance(arrays, dict) or not set(arrays) <= {"Q", "K", "V", "O"}:
            raise PathgradValueError(
                f"heads[{layer}][{h}] must be a dict with keys among 'Q', 'K', 'V', 'O' "
                f"(the head's W_Q, W_K, W_V, W_O), got {arrays!r:.80}"
            )
    return list(heads)
