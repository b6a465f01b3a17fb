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
