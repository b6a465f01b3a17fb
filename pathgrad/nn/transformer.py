"""A transformer of Values, and its logits as a sum over paths grouped by head.

Elhage et al., *A Mathematical Framework for Transformer Circuits* (2021), read an
attention-only transformer as a sum over paths through its residual stream. With the attention
patterns held fixed, the logits are linear in the one-hot inputs, and they split exactly into

* the **direct path** ``W_U W_E``, from the embedding straight to the unembedding (a bigram
  table);
* one term per head, ``A^h ⊗ W_U W_OV^h W_E`` with ``W_OV^h = W_O^h W_V^h``: the head moves
  information from position ``j`` to ``i`` with weight ``A^h_ij``;
* across two layers, one **virtual head** per pair, ``A^{h2} A^{h1} ⊗ W_U W_OV^{h2} W_OV^{h1}
  W_E``.

Here every one of those numbers is a node, so the terms are literally sums of paths:
:meth:`Transformer.path_terms` labels each head's nodes and sums the paths from the active
inputs to one logit per sequence of heads they pass through, with one forward sweep
(:func:`pathgrad.path_groups`). Without frozen attention, the paths through the scores are
there too, as groups of their own: a path entering head ``(l, h)`` through its queries is
labelled ``(l, h, "Q")``, through its keys ``(l, h, "K")``, so Q- and K-composition (how
induction heads form) are groups like ``((0, 1), (1, 0, "K"))``.

The conventions are the paper's: ``W_E`` is ``d_model × n_vocab``, ``W_pos`` is
``d_model × n_ctx`` (positions are one-hot inputs with their own embedding), ``W_U`` is
``n_vocab × d_model``; layers, heads, positions and tokens count from 0 as in TransformerLens.
There are no layer norms and no biases in attention, as in the paper's simplified model.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import numpy as np

from ..graph import Graph
from ..pathsums.coarse import CollapsedGraph, collapse
from ..pathsums.groups import Key, PathGroups, path_groups
from ..support.arguments import one_of, whole_number
from ..support.collector import without_collector
from ..support.errors import PathgradTypeError, PathgradValueError
from ..support.limits import check_limit
from ..value import Value
from .attention import (
    HeadRun,
    MultiHeadAttention,
    as_array,
    linear_op,
    node_name,
    stream_of,
    weight_matrix,
)
from .modules import ActivationSpec, Module, activate, as_activation

SOURCES = ("all", "tokens", "positions")
LEVELS = ("head", "ops")
MODES = ("Q", "K", "V")
#: A run whose graph would have more nodes than this is refused before it is built.
DEFAULT_MAX_NODES = 2_000_000
#: Nodes by position and index: ``x[i][d]``, ``logits[i][v]``.
Matrix = list[list[Value]]


def head_name(label: Hashable) -> str:
    """A label as TransformerLens names it: ``(0, 1)`` is ``"L0H1"``, ``(1, 0, "K")`` is
    ``"L1H0.K"`` (entered through the keys), ``(2, "mlp")`` is ``"L2MLP"``."""
    if isinstance(label, tuple) and len(label) == 2 and label[1] == "mlp":
        return f"L{label[0]}MLP"
    if isinstance(label, tuple) and len(label) in (2, 3):
        return f"L{label[0]}H{label[1]}" + (f".{label[2]}" if len(label) == 3 else "")
    return str(label)


def group_name(key: Key) -> str:
    """A group of paths: ``"direct"`` for ``()``, else its heads joined by arrows."""
    return " → ".join(head_name(label) for label in key) if key else "direct"


class Embedding(Module):
    """Token and position embeddings: ``x_j = W_E e(t_j) + W_pos e(j)``.

    Calling it on tokens makes one-hot input leaves ``tok[j,t]`` (1 for the token at position
    ``j``, else 0) and ``pos[j,p]`` (1 for ``p = j``) and the stream ``x[0,j,d]``, each entry a
    node with an edge of rate ``W_E[d,t]`` from every ``tok[j,t]``, so the input's derivative
    reads the embedding (and an edge from every ``W_E[d,t]`` of rate ``tok[j,t]``).
    """

    def __init__(self, n_vocab: int, d_model: int, n_ctx: int, *, W_E: Any = None,
                 W_pos: Any = None, seed: int | np.random.Generator | None = None) -> None:
        self.n_vocab = whole_number(n_vocab, "n_vocab", least=1)
        self.d_model = whole_number(d_model, "d_model", least=1)
        self.n_ctx = whole_number(n_ctx, "n_ctx", least=1)
        rng = np.random.default_rng(seed)
        self.W_E = weight_matrix(W_E, (d_model, n_vocab), "W_E", (), rng, 1.0)
        self.W_pos = weight_matrix(W_pos, (d_model, n_ctx), "W_pos", (), rng, 1.0)

    @without_collector
    def __call__(self, tokens: Any) -> tuple[Matrix, Matrix, Matrix]:
        """``(token inputs, position inputs, x)``: the one-hot leaves and the stream."""
        tokens = check_tokens(tokens, self.n_vocab, self.n_ctx)
        tok = [[Value(float(t == token), name=node_name("tok", j, t)) for t in range(self.n_vocab)]
               for j, token in enumerate(tokens)]
        pos = [[Value(float(p == j), name=node_name("pos", j, p)) for p in range(self.n_ctx)]
               for j in range(len(tokens))]
        embed = linear_op(0, self.n_vocab + self.n_ctx)
        x = [[embed(*self.W_E[d], *self.W_pos[d], *tok[j], *pos[j], name=node_name("x", 0, j, d))
              for d in range(self.d_model)] for j in range(len(tokens))]
        return tok, pos, x

    def parameters(self) -> list[Value]:
        return [p for W in (self.W_E, self.W_pos) for row in W for p in row]

    def __repr__(self) -> str:
        return f"Embedding(n_vocab={self.n_vocab}, d_model={self.d_model}, n_ctx={self.n_ctx})"


def check_tokens(tokens: Any, n_vocab: int, n_ctx: int) -> list[int]:
    """``tokens`` as a list of ints in ``[0, n_vocab)``, at least one and at most ``n_ctx``."""
    if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (Sequence, np.ndarray)):
        raise PathgradTypeError(
            f"tokens must be a list of token ids (whole numbers from 0 to {n_vocab - 1}), got "
            f"{type(tokens).__name__}"
        )
    if not 1 <= len(tokens) <= n_ctx:
        raise PathgradValueError(
            f"tokens must hold 1 to n_ctx = {n_ctx} tokens, got {len(tokens)}"
        )
    checked = []
    for j, t in enumerate(tokens):
        if isinstance(t, bool) or not isinstance(t, Integral) or not 0 <= int(t) < n_vocab:
            raise PathgradValueError(
                f"tokens[{j}] is {t!r}; a token is a whole number from 0 to n_vocab - 1 = "
                f"{n_vocab - 1}"
            )
        checked.append(int(t))
    return checked


class MLPBlock(Module):
    """An MLP on the residual stream at every position: ``x' = x + W_out σ(W_in x + b_in) +
    b_out``, with ``W_in`` of shape ``d_mlp × d_model`` and ``W_out`` of ``d_model × d_mlp``
    (the paper's column convention). Its nodes are ``mlp_pre[l,i,m]`` and ``mlp_post[l,i,m]``,
    and the new stream ``x[l+1,i,d]``."""

    def __init__(self, d_model: int, d_mlp: int, *, layer: int = 0,
                 activation: ActivationSpec = "relu", W_in: Any = None, b_in: Any = None,
                 W_out: Any = None, b_out: Any = None,
                 seed: int | np.random.Generator | None = None) -> None:
        self.d_model = whole_number(d_model, "d_model", least=1)
        self.d_mlp = whole_number(d_mlp, "d_mlp", least=1)
        self.layer = whole_number(layer, "layer", least=0)
        self.activation = as_activation(activation)
        rng = np.random.default_rng(seed)
        self.W_in = weight_matrix(W_in, (d_mlp, d_model), "W_in", (layer,), rng,
                                  1 / math.sqrt(d_model))
        self.W_out = weight_matrix(W_out, (d_model, d_mlp), "W_out", (layer,), rng,
                                   1 / math.sqrt(d_mlp))
        zeros = np.zeros
        self.b_in = weight_matrix(zeros((d_mlp, 1)) if b_in is None else np.reshape(b_in, (-1, 1)),
                                  (d_mlp, 1), "b_in", (layer,), rng, 0.0)
        self.b_out = weight_matrix(
            zeros((d_model, 1)) if b_out is None else np.reshape(b_out, (-1, 1)),
            (d_model, 1), "b_out", (layer,), rng, 0.0)

    @without_collector
    def __call__(self, x: Any) -> tuple[Matrix, Matrix, Matrix]:
        """``(x', pre, post)``: the new stream and the MLP's nodes before and after σ."""
        stream = stream_of(x, self.d_model, repr(self))
        l = self.layer  # noqa: E741 - the layer's letter
        affine = linear_op(1, self.d_model)
        out_op = linear_op(2, self.d_mlp)
        pre, post, out = [], [], []
        for i, row in enumerate(stream):
            pre.append([affine(self.b_in[m][0], *self.W_in[m], *row,
                               name=node_name("mlp_pre", l, i, m)) for m in range(self.d_mlp)])
            post.append([activate(self.activation, z, node_name("mlp_post", l, i, m))
                         for m, z in enumerate(pre[-1])])
            out.append([out_op(row[d], self.b_out[d][0], *self.W_out[d], *post[-1],
                               name=node_name("x", l + 1, i, d)) for d in range(self.d_model)])
        return out, pre, post

    def parameters(self) -> list[Value]:
        return [p for W in (self.W_in, self.b_in, self.W_out, self.b_out) for row in W for p in row]

    def arrays(self) -> dict[str, np.ndarray]:
        """``{"W_in", "b_in", "W_out", "b_out"}`` as numpy arrays (biases as flat vectors)."""
        return {"W_in": as_array(self.W_in), "b_in": as_array(self.b_in)[:, 0],
                "W_out": as_array(self.W_out), "b_out": as_array(self.b_out)[:, 0]}

    def __repr__(self) -> str:
        return f"MLPBlock(layer {self.layer}, d_model={self.d_model}, d_mlp={self.d_mlp}, " \
               f"{self.activation.name})"


@dataclass
class TransformerRun:
    """Every node of one run of a :class:`Transformer` on ``tokens`` (TransformerLens's cache,
    as nodes of a graph).

    ``token_inputs[j][t]`` and ``position_inputs[j][p]`` are the one-hot leaves, ``resid[l]``
    the stream before layer ``l`` (``resid[n_layers]`` the last), ``heads[(l, h)]`` each head's
    :class:`~pathgrad.nn.attention.HeadRun`, ``mlps[l]`` an MLP's ``(pre, post)`` nodes and
    ``logits[i][v]`` the outputs. ``labels`` gives the nodes that open a head's circuits their
    label: ``(l, h)`` for the values and ``W_V``, ``W_O``; ``(l, h, "Q")`` for the queries and
    ``W_Q``; ``(l, h, "K")`` for the keys and ``W_K``; ``(l, "mlp")`` for an MLP's weighted
    inputs and parameters.
    """

    tokens: list[int]
    frozen_attention: bool
    token_inputs: list[list[Value]]
    position_inputs: list[list[Value]]
    resid: list[list[list[Value]]] = field(default_factory=list)
    heads: dict[tuple[int, int], HeadRun] = field(default_factory=dict)
    mlps: dict[int, tuple[list[list[Value]], list[list[Value]]]] = field(default_factory=dict)
    logits: list[list[Value]] = field(default_factory=list)
    labels: dict[Value, Hashable] = field(default_factory=dict)

    def logit(self, position: int, token: int) -> Value:
        """The node ``logit[position, token]``."""
        whole_number(position, "position", least=0, most=len(self.tokens) - 1)
        whole_number(token, "token", least=0, most=len(self.logits[0]) - 1)
        return self.logits[position][token]

    def sources(self, source: str = "all") -> list[Value]:
        """The active one-hot inputs: ``tok[j, t_j]`` (``"tokens"``), ``pos[j, j]``
        (``"positions"``) or both (``"all"``), for every position ``j``."""
        one_of(source, "source", SOURCES)
        found = []
        if source in ("all", "tokens"):
            found += [row[t] for row, t in zip(self.token_inputs, self.tokens, strict=True)]
        if source in ("all", "positions"):
            found += [row[j] for j, row in enumerate(self.position_inputs)]
        return found

    def path_groups(self, position: int, token: int, source: str = "all") -> PathGroups:
        """The paths from the active inputs to ``logit[position, token]``, summed per sequence
        of heads they pass through (see :meth:`Transformer.path_groups`)."""
        graph, reaching = self._reaching(position, token, source)
        return path_groups(reaching, graph, self.labels, name=group_name)

    def collapse(self, position: int, token: int, source: str = "all") -> CollapsedGraph:
        """The head-level graph of ``logit[position, token]`` (see :func:`pathgrad.collapse`)."""
        graph, reaching = self._reaching(position, token, source)
        root = {"all": "embed", "tokens": "token embed", "positions": "pos embed"}[source]
        return collapse(graph, self.labels, reaching, label_name=head_name, source_name=root,
                        name=group_name)

    def graph(self, position: int, token: int, level: str = "head", source: str = "all"
              ) -> Graph:
        """The graph of ``logit[position, token]``: every node (``level="ops"``) or one node
        per group of heads (``"head"``, :func:`pathgrad.collapse`)."""
        one_of(level, "level", LEVELS)
        if level == "ops":
            return Graph(self.logit(position, token))
        return self.collapse(position, token, source)

    def _reaching(self, position: int, token: int, source: str) -> tuple[Graph, list[Value]]:
        """The logit's graph and the active inputs in it (a later position's cannot reach it)."""
        graph = Graph(self.logit(position, token))
        return graph, [node for node in self.sources(source) if node in graph]


class Transformer(Module):
    """A transformer of Values: ``n_layers`` layers of ``n_heads`` causal heads of ``d_head``
    dimensions on a ``d_model`` residual stream, each layer followed by an :class:`MLPBlock` of
    ``d_mlp`` neurons when ``d_mlp`` is given; ``n_vocab`` tokens, ``n_ctx`` positions.

    Weights are N(0, 1) for the embeddings, N(0, 1/fan_in) otherwise, from ``seed``;
    ``weights`` (the dict :meth:`arrays` returns) or :meth:`from_arrays` give them instead.
    A model of more than ``max_nodes`` parameters is refused before any is made. See the
    module docstring for the paths.

    Equation 53 on a transformer: each logit's derivative in every input and parameter is a
    sum over its paths, which :meth:`path_groups` sorts by the heads (and MLPs) they pass.

    >>> import pathgrad as pg
    >>> model = pg.Transformer(n_vocab=5, d_model=4, n_heads=2, d_head=2, n_layers=1, n_ctx=4,
    ...                        d_mlp=3, seed=0)
    >>> logits = model.logits([3, 1, 4])          # one row of n_vocab nodes per position
    >>> len(logits), len(logits[0])
    (3, 5)
    >>> list(model.path_terms([3, 1, 4], 2, 0))   # the direct path, each head, the MLP
    [(), ((0, 0),), ((0, 1),), ((0, 'mlp'),), ((0, 0), (0, 'mlp')), ((0, 1), (0, 'mlp'))]
    """

    def __init__(self, n_vocab: int, d_model: int, n_heads: int, d_head: int, n_layers: int,
                 n_ctx: int, *, d_mlp: int | None = None, seed: int | None = None,
                 weights: dict[str, Any] | None = None,
                 max_nodes: int = DEFAULT_MAX_NODES) -> None:
        for value, what, least in ((n_vocab, "n_vocab", 1), (d_model, "d_model", 1),
                                   (n_heads, "n_heads", 1), (d_head, "d_head", 1),
                                   (n_layers, "n_layers", 0), (n_ctx, "n_ctx", 1)):
            whole_number(value, what, least=least)
        if d_mlp is not None:
            whole_number(d_mlp, "d_mlp", least=1)
        count = (2 * n_vocab + n_ctx) * d_model + n_layers * n_heads * 4 * d_head * d_model \
            + (n_layers * (2 * d_mlp * d_model + d_mlp + d_model) if d_mlp else 0)
        check_limit(count, max_nodes, "max_nodes", f"a transformer of {count:,} parameters",
                    "Choose smaller sizes")
        given = _checked_weights(weights, n_layers, d_mlp)
        rng = np.random.default_rng(seed)
        self.embed = Embedding(n_vocab, d_model, n_ctx, W_E=given.get("W_E"),
                               W_pos=given.get("W_pos"), seed=rng)
        heads = given.get("heads") or [None] * n_layers
        self.attention = [MultiHeadAttention(d_model, n_heads, d_head, layer=layer,
                                             heads=heads[layer], seed=rng)
                          for layer in range(n_layers)]
        mlps = given.get("mlps") or [{}] * n_layers
        self.mlps = [MLPBlock(d_model, d_mlp, layer=layer, seed=rng, **mlps[layer])
                     for layer in range(n_layers)] if d_mlp else []
        self.W_U = weight_matrix(given.get("W_U"), (n_vocab, d_model), "W_U", (), rng,
                                 1 / math.sqrt(d_model))
        self.n_vocab, self.d_model, self.n_heads, self.d_head = n_vocab, d_model, n_heads, d_head
        self.n_layers, self.n_ctx, self.d_mlp = n_layers, n_ctx, d_mlp

    @classmethod
    def from_arrays(cls, W_E: Any, W_pos: Any, W_U: Any, heads: Sequence[Sequence[dict]],
                    mlps: Sequence[dict] | None = None) -> Transformer:
        """A transformer with the given numpy arrays: ``W_E`` (``d_model × n_vocab``),
        ``W_pos`` (``d_model × n_ctx``), ``W_U`` (``n_vocab × d_model``) and ``heads[l][h]``, a
        dict with ``"Q"``, ``"K"``, ``"V"`` (``d_head × d_model``) and ``"O"``
        (``d_model × d_head``); ``mlps[l]`` a dict with ``"W_in"``, ``"b_in"``, ``"W_out"``,
        ``"b_out"`` for a model with MLPs. The sizes are read off the arrays."""
        shapes = [np.shape(a) for a in (W_E, W_pos)]
        if any(len(s) != 2 for s in shapes):
            raise PathgradValueError(f"W_E and W_pos must be matrices, got shapes {shapes}")
        (d_model, n_vocab), (_, n_ctx) = shapes
        if isinstance(heads, dict) or not isinstance(heads, Sequence) or not all(
                isinstance(layer, Sequence) and layer and isinstance(layer[0], dict)
                for layer in heads):
            raise PathgradTypeError(
                "heads is a list with, per layer, a list of dicts {'Q', 'K', 'V', 'O'}: "
                "heads[layer][head]['Q'] is that head's W_Q"
            )
        n_heads = len(heads[0]) if heads else 1
        d_head = np.shape(heads[0][0].get("Q", np.zeros((1, 1))))[0] if heads else 1
        d_mlp = np.shape(mlps[0].get("W_in", np.zeros((1, 1))))[0] if mlps else None
        if d_mlp is not None and issubclass(cls, AttentionOnlyTransformer):
            raise PathgradValueError("an AttentionOnlyTransformer has no MLPs: use Transformer "
                                     "for a model with them")
        weights = {"W_E": W_E, "W_pos": W_pos, "W_U": W_U, "heads": list(heads),
                   "mlps": None if mlps is None else list(mlps)}
        sizes = (n_vocab, d_model, n_heads, d_head, len(heads), n_ctx)
        if d_mlp is None:
            return cls(*sizes, weights=weights)
        return cls(*sizes, d_mlp=d_mlp, weights=weights)

    # -- running ---------------------------------------------------------------------------

    def graph_size(self, n: int) -> int:
        """The number of nodes a run on ``n`` tokens makes (parameters included)."""
        heads = self.n_layers * self.n_heads * (4 * n * self.d_head + n * (n + 1))
        mlps = self.n_layers * n * 2 * (self.d_mlp or 0)
        streams = (self.n_layers + 1 + (self.n_layers if self.d_mlp else 0)) * n * self.d_model
        return len(self.parameters()) + n * (self.n_vocab + self.n_ctx) + heads + mlps \
            + streams + n * self.n_vocab

    @without_collector
    def run(self, tokens: Any, frozen_attention: bool = False,
            max_nodes: int = DEFAULT_MAX_NODES) -> TransformerRun:
        """Every node of the model on ``tokens`` (a :class:`TransformerRun`). With
        ``frozen_attention`` the patterns enter as constants (see :mod:`.attention`)."""
        tokens = check_tokens(tokens, self.n_vocab, self.n_ctx)
        size = self.graph_size(len(tokens))
        check_limit(size, max_nodes, "max_nodes",
                    f"the graph of {len(tokens)} tokens ({size:,} nodes)",
                    "Use fewer tokens or a smaller model")
        tok, pos, x = self.embed(tokens)
        run = TransformerRun(tokens, bool(frozen_attention), tok, pos, [x])
        for l, attention in enumerate(self.attention):  # noqa: E741 - the layer's letter
            x, heads = attention(x, frozen_attention)
            for head in heads:
                run.heads[(l, head.head)] = head
            if self.mlps:
                x, pre, post = self.mlps[l](x)
                run.mlps[l] = (pre, post)
            run.resid.append(x)
        unembed = linear_op(0, self.d_model)
        run.logits = [[unembed(*self.W_U[v], *row, name=node_name("logit", i, v))
                       for v in range(self.n_vocab)] for i, row in enumerate(x)]
        run.labels = self._labels(run)
        return run

    def _labels(self, run: TransformerRun) -> dict[Value, Hashable]:
        labels: dict[Value, Hashable] = {}

        def mark(label: Hashable, *matrices: list[list[Value]]) -> None:
            for matrix in matrices:
                for row in matrix:
                    for node in row:
                        labels[node] = label

        for l, attention in enumerate(self.attention):  # noqa: E741
            for h, head in enumerate(attention.heads):
                nodes = run.heads[(l, h)]
                mark((l, h), nodes.v, head.W_V, attention.W_O[h])
                mark((l, h, "Q"), nodes.q, head.W_Q)
                mark((l, h, "K"), nodes.k, head.W_K)
        for l, mlp in enumerate(self.mlps):  # noqa: E741
            mark((l, "mlp"), run.mlps[l][0], mlp.W_in, mlp.b_in, mlp.W_out, mlp.b_out)
        return labels

    def logits(self, tokens: Any, frozen_attention: bool = False) -> list[list[Value]]:
        """The ``len(tokens) × n_vocab`` logit nodes: ``logits[i][v]``."""
        return self.run(tokens, frozen_attention).logits

    # -- paths -----------------------------------------------------------------------------

    def path_groups(self, tokens: Any, position: int, token: int, *,
                    frozen_attention: bool = True, source: str = "all") -> PathGroups:
        """The paths from the active inputs to ``logit[position, token]``, per group of heads.

        Keys are tuples of labels in the order a path meets them: ``()`` the direct path,
        ``((l, h),)`` one head, ``((0, h1), (1, h2))`` a virtual head; without frozen
        attention also ``(l, h, "Q")`` and ``(l, h, "K")`` for paths through a head's scores.
        ``source`` picks the inputs: ``"tokens"`` gives the paper's terms (``... W_E``),
        ``"positions"`` the same through ``W_pos``, ``"all"`` both. Each group has its exact
        path count and largest path too (:class:`pathgrad.pathsums.groups.PathGroup`).
        """
        return self.run(tokens, frozen_attention).path_groups(position, token, source)

    def path_terms(self, tokens: Any, position: int, token: int, *,
                   frozen_attention: bool = True, source: str = "all") -> dict[Key, float]:
        """``{group: Σ products}`` of :meth:`path_groups`.

        With frozen attention (and no MLP) the logit is linear in the one-hot inputs, so the
        terms add up to ``logit[position, token]`` (``source="all"``). Without it, the groups
        through the scores are added: the terms then add up to the sum of the logit's
        derivatives in the active inputs, and the new groups are the part of it that the
        frozen graph leaves out.
        """
        return self.path_groups(tokens, position, token, frozen_attention=frozen_attention,
                                source=source).totals()

    def graph(self, tokens: Any, position: int, token: int, *, level: str = "head",
              frozen_attention: bool = True, source: str = "all") -> Graph:
        """The graph of ``logit[position, token]``: every node (``level="ops"``) or one node
        per group of heads (``"head"``, :func:`pathgrad.collapse`), for pictures and the
        explorer."""
        one_of(level, "level", LEVELS)
        return self.run(tokens, frozen_attention).graph(position, token, level, source)

    # -- weights ---------------------------------------------------------------------------

    def ov(self, layer: int, head: int) -> np.ndarray:
        """``W_OV = W_O W_V`` of a head (``d_model × d_model``)."""
        heads = self._head(layer, head)
        return as_array(self.attention[layer].W_O[head]) @ as_array(heads.W_V)

    def qk(self, layer: int, head: int) -> np.ndarray:
        """``W_QK = W_Q^T W_K`` of a head: ``score_ij = x_i^T W_QK x_j / √d_head``."""
        heads = self._head(layer, head)
        return as_array(heads.W_Q).T @ as_array(heads.W_K)

    def _head(self, layer: int, head: int):
        whole_number(layer, "layer", least=0, most=self.n_layers - 1)
        whole_number(head, "head", least=0, most=self.n_heads - 1)
        return self.attention[layer].heads[head]

    def composition_scores(self, mode: str) -> np.ndarray:
        """How much each head's output is read by each later head's queries (``"Q"``), keys
        (``"K"``) or values (``"V"``): ``scores[l1, h1, l2, h2] = ‖M‖ / (‖W_OV^1‖ ‖W^2‖)``
        (Frobenius norms) with ``M = W_OV^1ᵀ W_QK^2``, ``W_QK^2 W_OV^1`` or ``W_OV^2 W_OV^1``,
        the paper's definition (and TransformerLens's); 0 unless ``l2 > l1``."""
        one_of(mode, "mode", MODES)
        L, H = self.n_layers, self.n_heads
        heads = [(l, h) for l in range(L) for h in range(H)]  # noqa: E741 - the layer's letter
        ov = {head: self.ov(*head) for head in heads}
        read = ov if mode == "V" else {head: self.qk(*head) for head in heads}
        scores = np.zeros((L, H, L, H))
        for (l1, h1), left in ov.items():
            for (l2, h2), right in read.items():
                if l2 <= l1:
                    continue
                product = left.T @ right if mode == "Q" else right @ left
                norm = np.linalg.norm(left) * np.linalg.norm(right)
                scores[l1, h1, l2, h2] = np.linalg.norm(product) / norm if norm else 0.0
        return scores

    def parameters(self) -> list[Value]:
        return [*self.embed.parameters(),
                *(p for layer, attention in enumerate(self.attention)
                  for p in (*attention.parameters(),
                            *(self.mlps[layer].parameters() if self.mlps else ()))),
                *(p for row in self.W_U for p in row)]

    def arrays(self) -> dict[str, Any]:
        """The weights as numpy arrays, the arguments of :meth:`from_arrays`."""
        found: dict[str, Any] = {
            "W_E": as_array(self.embed.W_E), "W_pos": as_array(self.embed.W_pos),
            "W_U": as_array(self.W_U), "heads": [a.arrays() for a in self.attention],
        }
        if self.mlps:
            found["mlps"] = [mlp.arrays() for mlp in self.mlps]
        return found

    def __repr__(self) -> str:
        mlp = f", d_mlp={self.d_mlp}" if self.d_mlp else ""
        return (f"{type(self).__name__}(n_vocab={self.n_vocab}, d_model={self.d_model}, "
                f"n_heads={self.n_heads}, d_head={self.d_head}, n_layers={self.n_layers}, "
                f"n_ctx={self.n_ctx}{mlp})")


class AttentionOnlyTransformer(Transformer):
    """The paper's attention-only transformer: :class:`Transformer` without MLPs, so with
    frozen attention its logits are exactly the sum of its path terms.

    Equation 53 as Elhage et al. expand it: the direct path, one term per head, one virtual
    head per pair of heads in two layers, each the sum of its paths.

    >>> import pathgrad as pg
    >>> model = pg.AttentionOnlyTransformer(n_vocab=5, d_model=4, n_heads=2, d_head=2,
    ...                                     n_layers=2, n_ctx=4, seed=2)
    >>> terms = model.path_terms([3, 1, 4, 1], 3, 2)    # logit[3, 2]
    >>> len(terms), round(terms[((0, 1), (1, 1))], 6)   # 9 groups; the virtual head L0H1 → L1H1
    (9, 0.199195)
    >>> abs(sum(terms.values()) - model.logits([3, 1, 4, 1])[3][2].data) < 1e-12
    True
    """

    def __init__(self, n_vocab: int, d_model: int, n_heads: int, d_head: int, n_layers: int,
                 n_ctx: int, *, seed: int | None = None, weights: dict[str, Any] | None = None,
                 max_nodes: int = DEFAULT_MAX_NODES) -> None:
        super().__init__(n_vocab, d_model, n_heads, d_head, n_layers, n_ctx, seed=seed,
                         weights=weights, max_nodes=max_nodes)


MLP_ARRAYS = ("W_in", "b_in", "W_out", "b_out")


def _checked_weights(weights: dict[str, Any] | None, n_layers: int, d_mlp: int | None
                     ) -> dict[str, Any]:
    """``weights`` with its keys and its per-layer lists checked (the arrays are checked where
    they are used)."""
    if weights is None:
        return {}
    if not isinstance(weights, dict) or not set(weights) <= {"W_E", "W_pos", "W_U", "heads",
                                                             "mlps"}:
        raise PathgradValueError(
            "weights is a dict with keys among 'W_E', 'W_pos', 'W_U', 'heads', 'mlps' (as "
            "model.arrays() returns it)"
        )
    for key, wanted in (("heads", True), ("mlps", d_mlp is not None)):
        given = weights.get(key)
        if given is None:
            continue
        if not wanted:
            raise PathgradValueError("weights['mlps'] is given but the model has no MLPs "
                                     "(d_mlp=None)")
        if not isinstance(given, Sequence) or len(given) != n_layers:
            raise PathgradValueError(f"weights[{key!r}] must hold one entry per layer "
                                     f"({n_layers})")
    for layer, arrays in enumerate(weights.get("mlps") or []):
        if not isinstance(arrays, dict) or not set(arrays) <= set(MLP_ARRAYS):
            raise PathgradValueError(f"mlps[{layer}] must be a dict with keys among "
                                     f"{', '.join(MLP_ARRAYS)}")
    return weights
