"""Independent references the tests compare pathgrad with: brute-force path listing and
HIPS autograd on a numpy formula of a network, and tolerant comparisons."""

from __future__ import annotations

import math

import autograd.numpy as anp
import numpy as np
from autograd import grad as autograd_grad

import pathgrad as pg
from tests.strategies import AUTOGRAD_FN


def all_paths(source: pg.Value, graph: pg.Graph) -> list[list[tuple[pg.Value, int, float]]]:
    """Every path as a list of edges ``(head, slot, rate)``, by a plain depth-first search.

    Independent of pathgrad.paths: children are rebuilt here from each node's parents.
    """
    children: dict[pg.Value, list] = {node: [] for node in graph.nodes}
    for node in graph.nodes:
        for slot, (parent, rate) in enumerate(zip(node.parents, node.rates, strict=True)):
            children[parent].append((node, slot, rate))
    found = []
    stack = [(source, [])]
    while stack:
        node, route = stack.pop()
        if node is graph.output:
            found.append(route)
            continue
        for head, slot, rate in children[node]:
            stack.append((head, [*route, (head, slot, rate)]))
    return found


def path_products(source: pg.Value, graph: pg.Graph) -> list[float]:
    """The product of the rate factors along each path of :func:`all_paths` (equation 51)."""
    return [math.prod(rate for _, _, rate in route) for route in all_paths(source, graph)]


def as_path(source: pg.Value, route) -> pg.Path:
    return pg.Path((source, *(head for head, _, _ in route)), tuple(r for _, _, r in route))


def flat(nabla):
    nabla_b, nabla_w = nabla
    return np.concatenate([a.ravel() for a in nabla_b + nabla_w])


def assert_close(got, want, rel):
    got, want = flat(got) if isinstance(got, tuple) else got, flat(want)
    scale = max(np.max(np.abs(got)), np.max(np.abs(want)), 1e-300)
    assert np.max(np.abs(got - want)) <= rel * scale, (got, want)


def autograd_gradient(net, names, X, Y):
    """The gradient of the summed cost, from a numpy formula differentiated by autograd."""
    masks = [
        {name: np.array([[float(n == name)] for n in layer]) for name in set(layer)}
        for layer in names
    ]

    def cost(params):
        count = len(net.weights)
        weights, biases = params[:count], params[count:]
        a = X
        for w, b, layer_masks in zip(weights, biases, masks, strict=True):
            z = anp.dot(w, a) + b
            a = sum(mask * AUTOGRAD_FN[name](z) for name, mask in layer_masks.items())
        if net.cost.name == "quadratic":
            return 0.5 * anp.sum((a - Y) ** 2)
        return -anp.sum(Y * anp.log(a) + (1 - Y) * anp.log(1 - a))

    params = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    grads = autograd_grad(cost)(params)
    count = len(net.weights)
    return grads[count:], grads[:count]


def close(a: float, b: float, rel: float, scale: float = 1.0) -> bool:
    """``|a - b| <= rel * max(|a|, |b|, scale)``: relative, with a floor for values near 0."""
    return abs(a - b) <= rel * max(abs(a), abs(b), scale)


def finite(x: float) -> bool:
    return math.isfinite(x)


# -- transformers: the paper's formulas in numpy (Elhage et al. 2021), columns as vectors --------


def causal_softmax(S):
    """Row ``i`` of ``S`` softmaxed over positions ``0..i`` (autograd can differentiate it)."""
    n = S.shape[0]
    mask = np.tril(np.ones((n, n)))
    E = anp.exp(S) * mask
    return E / anp.sum(E, axis=1, keepdims=True)


def head_pattern(X, head):
    """``A`` of one head on the stream ``X`` (``d_model × n``): softmax of ``q_i·k_j / √d``."""
    q, k = anp.dot(head["Q"], X), anp.dot(head["K"], X)
    return causal_softmax(anp.dot(q.T, k) / np.sqrt(head["Q"].shape[0]))


def embedding(arrays, tok, pos):
    """``X_0 = W_E tok^T + W_pos pos^T`` for one-hot rows ``tok`` (n × n_vocab), ``pos``."""
    return anp.dot(arrays["W_E"], tok.T) + anp.dot(arrays["W_pos"], pos.T)


def one_hots(tokens, n_vocab, n_ctx):
    n = len(tokens)
    return np.eye(n_vocab)[tokens], np.eye(n_ctx)[:n]


def reference_run(arrays, tok, pos, frozen=None):
    """``(logits (n × n_vocab), patterns {(l, h): A}, streams [X_0, X_1, ...])``.

    With ``frozen`` (a dict of patterns) the patterns are those constants.
    """
    X = embedding(arrays, tok, pos)
    streams, patterns = [X], {}
    for l, layer in enumerate(arrays["heads"]):  # noqa: E741
        out = X
        for h, head in enumerate(layer):
            A = frozen[(l, h)] if frozen is not None else head_pattern(X, head)
            patterns[(l, h)] = A
            out = out + anp.dot(anp.dot(head["O"], anp.dot(head["V"], X)), A.T)
        if arrays.get("mlps"):
            mlp = arrays["mlps"][l]
            post = anp.maximum(anp.dot(mlp["W_in"], out) + mlp["b_in"][:, None], 0.0)
            out = out + anp.dot(mlp["W_out"], post) + mlp["b_out"][:, None]
        X = out
        streams.append(X)
    return anp.dot(arrays["W_U"], X).T, patterns, streams


def source_stream(arrays, tokens, source):
    """The part of ``X_0`` the chosen active inputs make: tokens, positions or both."""
    tok, pos = one_hots(tokens, arrays["W_E"].shape[1], arrays["W_pos"].shape[1])
    X = np.zeros((arrays["W_E"].shape[0], len(tokens)))
    if source in ("all", "tokens"):
        X = X + arrays["W_E"] @ tok.T
    if source in ("all", "positions"):
        X = X + arrays["W_pos"] @ pos.T
    return X


def frozen_term(arrays, tokens, patterns, key, position, token, source="all"):
    """The paper's term for a sequence of heads with the patterns held fixed:
    ``(W_U W_OV^{hk} ... W_OV^{h1} X_0 A^{h1 T} ... A^{hk T})[token, position]``: the direct
    path ``W_U W_E`` for ``()``, ``A^h ⊗ W_U W_OV^h W_E`` for one head, virtual heads for two."""
    X = source_stream(arrays, tokens, source)
    for l, h in key:  # noqa: E741
        head = arrays["heads"][l][h]
        X = head["O"] @ head["V"] @ X @ patterns[(l, h)].T
    return (arrays["W_U"] @ X)[token, position]


def route_derivative(arrays, tokens, key, position, token, source="all"):
    """d/dε of the logit when the active inputs grow by ε only along one route: through the
    heads of ``key`` in turn, each entered by its values, queries (``"Q"``) or keys (``"K"``),
    every other part of the net held at its value. HIPS autograd differentiates it: the sum of
    the paths of that group, found without the graph."""
    tok, pos = one_hots(tokens, arrays["W_E"].shape[1], arrays["W_pos"].shape[1])
    _, patterns, streams = reference_run(arrays, tok, pos)
    X0 = source_stream(arrays, tokens, source)

    def logit(eps):
        D = eps * X0
        for label in key:
            l, h = label[:2]  # noqa: E741
            part = label[2] if len(label) == 3 else "V"
            head, X = arrays["heads"][l][h], streams[l]
            read = {name: X + D if name == part else X for name in ("Q", "K", "V")}
            A = causal_softmax(anp.dot(anp.dot(head["Q"], read["Q"]).T,
                                       anp.dot(head["K"], read["K"])) / np.sqrt(head["Q"].shape[0]))
            out = anp.dot(anp.dot(head["O"], anp.dot(head["V"], read["V"])), A.T)
            D = out - head["O"] @ head["V"] @ X @ patterns[(l, h)].T
        return anp.dot(arrays["W_U"], D)[token, position]

    return autograd_grad(logit)(0.0)


def parameter_gradients(arrays, tokens, weights):
    """``∂(Σ weights ⊙ logits)/∂(every array)`` by HIPS autograd, as a dict like ``arrays``."""
    tok, pos = one_hots(tokens, arrays["W_E"].shape[1], arrays["W_pos"].shape[1])

    def loss(params):
        return anp.sum(weights * reference_run(params, tok, pos)[0])

    return autograd_grad(loss)({key: value for key, value in arrays.items() if value is not None})
