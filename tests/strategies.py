"""Hypothesis strategies shared by the tests: random graphs, random DAGs and random networks.

* :func:`random_graphs`: expression graphs drawn from the operation catalogue
  (:mod:`tests.catalogue`), with a recipe to replay them in HIPS autograd;
* :func:`expression_graphs`: graphs of ``+ * - sigmoid`` with parallel edges, for pictures;
* :func:`dags`: rate-factor DAGs whose edges carry drawn rates (parallel, zero, negative and
  tied), and a start node with a bounded number of paths;
* :func:`networks`: small networks with mixed activations, costs and a mini-batch;
* :func:`layered`: a fully connected graph with ``width**depth`` paths, built directly;
* :func:`resnets`, :func:`convolutions`, :func:`unrolled`: small nets of Values from
  :mod:`pathgrad.nn` (residual, shared kernel, recurrent) with an example;
* :func:`labelled_dags`: a random DAG, a few sources and a label (or none) on each node;
* :func:`transformers`: a small transformer with tokens and the logit to look at.
"""

from __future__ import annotations

from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book.activations import Activation
from pathgrad.nn import Conv1d, ResNet
from tests.catalogue import BY_NAME, CATALOGUE, Entry


@dataclass
class RandomGraph:
    """A random expression DAG and a recipe to rebuild it in autograd."""

    leaves: list[pg.Value]
    output: pg.Value
    recipe: list[tuple[str, tuple[int, ...]]]  # (entry name, operand positions) per new node

    def replay(self, leaf_values):
        values = [leaf_values[i] for i in range(len(self.leaves))]
        for name, where in self.recipe:
            values.append(BY_NAME[name].reference(*(values[i] for i in where)))
        return values[-1]


@st.composite
def random_graphs(draw, max_leaves: int = 4, max_ops: int = 14) -> RandomGraph:
    """Expression DAGs with shared subexpressions, reuse (``x*x``) and every catalogue op."""
    n_leaves = draw(st.integers(1, max_leaves))
    leaf_values = draw(
        st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=n_leaves, max_size=n_leaves)
    )
    leaves = [pg.Value(v, name=f"x{i + 1}") for i, v in enumerate(leaf_values)]
    nodes: list[pg.Value] = list(leaves)
    recipe: list[tuple[str, tuple[int, ...]]] = []
    # At least half of max_ops: with st.integers(1, max_ops) and operands drawn blindly, nearly
    # half the graphs held one operation or none (sqrt, pow and log were mostly rejected).
    for _ in range(draw(st.integers(max(1, max_ops // 2), max_ops))):
        entry = draw(st.sampled_from(CATALOGUE))
        # Operands are drawn among the nodes in the operation's domain, so that restricted
        # operations (sqrt, log, pow, div) are applied about as often as the others. Recent
        # nodes are favoured so graphs grow deep, while any earlier node may be reused.
        where: tuple[int, ...] = ()
        for _ in range(entry.arity):
            fits = [
                i for i in range(len(nodes))
                if _can_extend(entry, [nodes[j].data for j in where], nodes[i].data, nodes)
            ]
            if not fits:
                break
            recent = fits[-4:]
            where += (draw(st.sampled_from(recent) | st.sampled_from(fits)),)
        if len(where) < entry.arity:
            continue
        operands = [nodes[i] for i in where]
        result = entry.apply(*operands)
        if abs(result.data) > 1e3:
            continue
        nodes.append(result)
        recipe.append((entry.name, where))
    # Tie every leaf into the output so the graph has several inputs sharing paths.
    last = accumulated = len(nodes) - 1
    # And every other result nothing uses, so that no drawn operation is a dead end left
    # out of the graph.
    used = {i for _, where in recipe for i in where}
    for i in range(n_leaves, last):
        if i not in used:
            nodes.append(nodes[accumulated] + nodes[i])
            recipe.append(("add", (accumulated, i)))
            accumulated = len(nodes) - 1
    for i in range(n_leaves):
        nodes.append(nodes[i] * nodes[last])
        recipe.append(("mul", (i, last)))
        product = len(nodes) - 1
        nodes.append(nodes[accumulated] + nodes[product])
        recipe.append(("add", (accumulated, product)))
        accumulated = len(nodes) - 1
    return RandomGraph(leaves, nodes[accumulated], recipe)


def _can_extend(entry: Entry, chosen: list[float], x: float, nodes) -> bool:
    """Whether operand value ``x`` after ``chosen`` can still complete a call in the domain."""
    operands = [*chosen, x]
    if len(operands) == entry.arity:
        return entry.domain(*operands)
    return any(_can_extend(entry, operands, n.data, nodes) for n in nodes)


@st.composite
def expression_graphs(draw_, max_ops: int = 12):
    """Random graphs of +, *, -, sigmoid, with parallel edges (x * x) now and then."""
    n_leaves = draw_(st.integers(1, 3))
    values = st.floats(-2, 2, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
    nodes = [pg.Value(draw_(values), name=f"x_{i}") for i in range(1, n_leaves + 1)]
    for _ in range(draw_(st.integers(1, max_ops))):
        a = nodes[draw_(st.integers(0, len(nodes) - 1))]
        b = nodes[draw_(st.integers(0, len(nodes) - 1))]  # may be a: parallel edges
        op = draw_(st.sampled_from(["add", "mul", "sub", "sigmoid"]))
        new = {"add": a + b, "mul": a * b, "sub": a - b, "sigmoid": a.sigmoid()}[op]
        nodes.append(new)
    total = nodes[-1]
    for node in nodes[:-1]:  # every node reaches the output
        total = total + node
    total.name = "C"
    return pg.Graph(total)


RATES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0]),
    st.floats(-3.0, 3.0, allow_nan=False).filter(lambda r: abs(r) > 1e-3),
)
MAX_PATHS = 3000


def rate_op(name: str, rates: tuple[float, ...]) -> pg.Op:
    """An operation whose edges carry ``rates`` (its value is irrelevant here)."""
    return pg.Op(name, lambda *xs: 0.0, lambda *xs: rates)


@st.composite
def dags(draw, max_inner: int = 8, max_parents: int = 4, rates=RATES):
    """``(graph, source)``: a random DAG and one of its nodes with at most MAX_PATHS paths;
    its rate factors drawn from ``rates``."""
    nodes = [pg.Value(0.0, name=f"x{i}") for i in range(draw(st.integers(1, 3)))]
    for i in range(draw(st.integers(2, max_inner))):
        width = draw(st.integers(1, max_parents))
        low = max(0, len(nodes) - 4) if draw(st.booleans()) else 0
        parents = [nodes[draw(st.integers(low, len(nodes) - 1))] for _ in range(width)]
        drawn = tuple(draw(rates) for _ in parents)
        nodes.append(rate_op(f"f{i}", drawn)(*parents, name=f"v{i}"))
    # Nodes nothing uses would fall out of the graph (half the cases had one path or none
    # worth the name): the output takes them as parents too.
    used = {id(p) for node in nodes for p in node.parents}
    dangling = [node for node in nodes[:-1] if id(node) not in used]
    if dangling:
        parents = [nodes[-1], *dangling]
        drawn = tuple(draw(rates) for _ in parents)
        nodes.append(rate_op("out", drawn)(*parents, name="out"))
    graph = pg.Graph(nodes[-1])
    # Not the output itself: its single empty path made a third of all cases trivial (the
    # tests of each sweep cover that case by hand). Early nodes, which have the most paths,
    # are favoured.
    early = graph.nodes[: (len(graph.nodes) + 1) // 2]
    source = draw(st.sampled_from(early) | st.sampled_from(graph.nodes[:-1]))
    assume(pg.count_paths(source, graph) <= MAX_PATHS)
    return graph, source


def layered(width: int, depth: int, rate: float):
    """x → width nodes → (depth - 1) fully connected layers → one output: width**depth paths."""
    x = pg.Value(1.0, name="x")
    layer = [rate_op("in", (rate,))(x, name=f"n1_{j}") for j in range(width)]
    for d in range(2, depth + 1):
        mix = rate_op("mix", (rate,) * width)
        layer = [mix(*layer, name=f"n{d}_{j}") for j in range(width)]
    return x, pg.Graph(rate_op("out", (rate,) * width)(*layer, name="C"))


SOFTPLUS = Activation("softplus", lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z)))
NAMES = ["sigmoid", "tanh", "relu", "linear", "softplus"]

AUTOGRAD_FN = {
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "linear": lambda z: z,
    "softplus": lambda z: anp.log1p(anp.exp(z)),
}


def spec_of(name):
    return SOFTPLUS if name == "softplus" else name


@st.composite
def networks(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    cost = draw(st.sampled_from(["quadratic", "cross-entropy"]))
    names = []
    for l, n in enumerate(sizes[1:], 2):  # noqa: E741
        output = l == len(sizes)
        if output and cost == "cross-entropy":
            names.append(["sigmoid"] * n)
        elif draw(st.booleans()):
            names.append([draw(st.sampled_from(NAMES))] * n)
        else:
            names.append(draw(st.lists(st.sampled_from(NAMES), min_size=n, max_size=n)))
    spec = [[spec_of(name) for name in layer] for layer in names]
    init = draw(st.sampled_from(["standard", "scaled"]))
    seed = draw(st.integers(0, 2**32 - 1))
    net = pg.Network(sizes, activation=spec, cost=cost, init=init, seed=seed)
    m = draw(st.integers(1, 3))
    rng = np.random.default_rng(seed + 1)
    X = rng.uniform(-1, 1, (sizes[0], m))
    Y = rng.uniform(0, 1, (sizes[-1], m))
    return net, names, X, Y


# -- nets of Values (pathgrad.nn) --------------------------------------------------------------

RESIDUAL_ACTIVATIONS = ["relu", "tanh", "sigmoid"]


@st.composite
def resnets(draw):
    """``(net, activation, output activation, x, y)``: a small residual or plain ResNet."""
    nin, width, blocks, nout = (draw(st.integers(1, 3)) for _ in range(4))
    act = draw(st.sampled_from(RESIDUAL_ACTIVATIONS))
    output = draw(st.sampled_from(RESIDUAL_ACTIVATIONS))
    skip = draw(st.booleans())
    level = draw(st.sampled_from(["z", "ops"]))
    seed = draw(st.integers(0, 2**16))
    net = ResNet(nin, width, blocks, nout, act, output, skip=skip, level=level, seed=seed)
    rng = np.random.default_rng(seed)
    for p in net.parameters():  # biases start at 0: move them off ReLU's kink at z = 0
        p.data += rng.uniform(-0.5, 0.5)
    return net, act, output, rng.uniform(-1, 1, nin), rng.uniform(0, 1, nout)


@st.composite
def convolutions(draw):
    """``(conv, activation, x)``: a Conv1d with drawn kernel and bias, and an input."""
    kernel = draw(st.integers(1, 3))
    nin = draw(st.integers(kernel, 6))
    act = draw(st.sampled_from(["tanh", "sigmoid", "linear"]))
    values = st.floats(-1.5, 1.5, allow_nan=False)
    weights = draw(st.lists(values, min_size=kernel, max_size=kernel))
    bias = draw(values)
    x = draw(st.lists(values, min_size=nin, max_size=nin))
    return Conv1d(nin, kernel, act, weights=weights, bias=bias), act, x


@st.composite
def unrolled(draw):
    """An Elman cell's sizes, activation and parameter values, inputs and targets."""
    nin, nhidden, steps = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    act = draw(st.sampled_from(["tanh", "sigmoid", "relu"]))
    values = st.floats(-1.0, 1.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
    params = draw(st.lists(values, min_size=nhidden * (nin + nhidden + 1),
                           max_size=nhidden * (nin + nhidden + 1)))
    xs = [draw(st.lists(values, min_size=nin, max_size=nin)) for _ in range(steps)]
    y = draw(st.lists(values, min_size=nhidden, max_size=nhidden))
    return nin, nhidden, act, params, xs, y


@st.composite
def labelled_dags(draw, labels: tuple = ("A", "B", "C")):
    """``(graph, sources, label)``: a DAG of :func:`dags`, one to three of its nodes as sources
    and a dict giving about half of the nodes one of ``labels``."""
    graph, source = draw(dags())
    others = draw(st.lists(st.sampled_from(graph.nodes[:-1]), max_size=2))
    marks = st.one_of(st.none(), st.sampled_from(labels))
    label = {node: mark for node in graph.nodes if (mark := draw(marks)) is not None}
    sources = [source, *others]
    total = sum(pg.count_paths(s, graph) for s in set(sources))
    assume(total <= MAX_PATHS)
    return graph, sources, label


@st.composite
def transformers(draw, max_layers: int = 2, mlp: bool = False):
    """``(model, tokens, position, token)``: a small transformer (attention gains drawn so that
    patterns run from flat to sharp), tokens, and the logit ``logit[position, token]``."""
    n_vocab, d_model = draw(st.integers(2, 4)), draw(st.integers(1, 3))
    n_heads, d_head = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    n_layers, n_ctx = draw(st.integers(1, max_layers)), draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    d_mlp = draw(st.integers(1, 3)) if mlp else None
    model = pg.Transformer(n_vocab, d_model, n_heads, d_head, n_layers, n_ctx, d_mlp=d_mlp,
                           seed=seed)
    arrays = model.arrays()
    gain = draw(st.sampled_from([0.5, 1.0, 3.0]))
    for layer in arrays["heads"]:
        for head in layer:
            head["Q"] = head["Q"] * gain
    if mlp:
        rng = np.random.default_rng(seed)
        for block in arrays["mlps"]:  # biases off zero, so that ReLU's kinks are not met
            block["b_in"] = rng.uniform(-1, 1, block["b_in"].shape)
            block["b_out"] = rng.uniform(-1, 1, block["b_out"].shape)
        model = pg.Transformer.from_arrays(**arrays)
    else:
        model = pg.AttentionOnlyTransformer.from_arrays(**arrays)
    n = draw(st.integers(1, n_ctx))
    tokens = draw(st.lists(st.integers(0, n_vocab - 1), min_size=n, max_size=n))
    return model, tokens, draw(st.integers(0, n - 1)), draw(st.integers(0, n_vocab - 1))
