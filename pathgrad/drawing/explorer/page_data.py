"""One level of a graph as the explorer page holds it: plain lists of numbers and names.

Nodes are listed in the graph's topological order (``C`` last) with their book names, the
names as printed (``w²₁₂``), their kind, value and place on the page. Edges are listed grouped
by head in the same order, each with its rate factor ``∂head/∂tail``, the formula of that rate
(:mod:`.formulas`) and, for a picture-like layout, its curve. The page's script works
out everything else (paths, sweeps) from these numbers; only the true ``ΔC`` of each nudge
comes from Python (:mod:`.nudge`), because it needs the graph's operations.
"""

from __future__ import annotations

from typing import Any

from ...graph import Graph
from ...names import display_name, gradient_name, parse_name
from ...sweeps import adjoints
from ...value import Value
from ..scene import is_param, kind_of
from .formulas import DIGITS, rate_formula
from .nudge import choose_nudged, true_changes
from .positions import layout

#: A level with more nodes than this hides its weights and biases and bundles its edges.
COMPACT_ABOVE = 400

KIND_TEXT = {
    "param": "a parameter",
    "input": "an input",
    "z": "a weighted input",
    "a": "an activation",
    "cost": "the cost",
    "op": "an operation",
    "other": "a node",
}


def _kind_text(node: Value, kind: str) -> str:
    parsed = parse_name(node.name)
    if kind == "param" and parsed is not None:
        return "a weight" if parsed.symbol == "w" else "a bias"
    return KIND_TEXT[kind]


def _slope(node: Value) -> float | None:
    """σ'(z) of a neuron-level node ``a = σ(Σ w a + b)``: the rate of its edge from the bias."""
    if node.op is not None and node.op.name.startswith("neuron") and node.rates:
        return node.rates[-1]
    return None


def level_data(
    graph: Graph,
    level: str,
    title: str,
    steps: list[float],
    budget: int,
    engine: str | None = "auto",
) -> dict:
    """The level as the page's script reads it (see ``explorer.js``, ``prepare``)."""
    nodes = graph.nodes
    kinds = [kind_of(node, parse_name(node.name), graph.output) for node in nodes]
    compact = len(nodes) > COMPACT_ABOVE
    params = frozenset(i for i, node in enumerate(nodes) if is_param(node))
    hidden = params if compact else frozenset()
    placed = layout(graph, hidden, engine)
    labels = [display_name(node, DIGITS) for node in nodes]
    node_lists = {
        "name": [node.name for node in nodes],
        "label": labels,
        "kind": kinds,
        "kindText": [_kind_text(node, kind) for node, kind in zip(nodes, kinds, strict=True)],
        "value": [node.data for node in nodes],
        "grad": [gradient_name(node.name, text) for node, text in zip(nodes, labels, strict=True)],
        "slope": [_slope(node) for node in nodes],
        "x": placed.x,
        "y": placed.y,
        "w": placed.w,
        "h": placed.h,
    }
    data: dict[str, Any] = {
        "level": level,
        "title": title,
        "compact": compact,
        "layout": placed.method,
        "width": placed.width,
        "height": placed.height,
        "nodes": node_lists,
        "edges": _edge_lists(graph, placed),
        # The same level without its weights and biases, for a screen too small to read the
        # full one (the page's "weights and biases" box switches between the two).
        "lean": _placement(layout(graph, params, engine)) if params and not compact else None,
        "notes": [],
    }
    if compact:
        data["notes"].append(
            f"{len(hidden):,} weights and biases are hidden and the edges bundled: find one "
            "by name to see its paths."
        )
    _add_nudges(data, graph, steps, budget)
    return data


def _placement(placed) -> dict:
    """A layout as the page reads it: node places and sizes, edge curves and label points."""
    return {
        "width": placed.width, "height": placed.height,
        "x": placed.x, "y": placed.y, "w": placed.w, "h": placed.h,
        "path": placed.edge_paths or None,
        "lx": [None if p is None else round(p[0], 1) for p in placed.label_points] or None,
        "ly": [None if p is None else round(p[1], 1) for p in placed.label_points] or None,
    }


def _edge_lists(graph: Graph, placed) -> dict:
    src, dst, rate, formula, where = [], [], [], [], []
    index = graph.index
    for head in graph.nodes:
        for position, (tail, r) in enumerate(zip(head.parents, head.rates, strict=True)):
            src.append(index[tail])
            dst.append(index[head])
            rate.append(r)
            text = rate_formula(head, position)
            formula.append(text.text)
            where.append(text.where)
    edges = {"src": src, "dst": dst, "rate": rate, "formula": formula, "where": where}
    if placed.edge_paths:
        edges["path"] = placed.edge_paths
        edges["lx"] = [None if p is None else round(p[0], 1) for p in placed.label_points]
        edges["ly"] = [None if p is None else round(p[1], 1) for p in placed.label_points]
    return edges


def _add_nudges(data: dict, graph: Graph, steps: list[float], budget: int) -> None:
    chosen, possible = choose_nudged(graph, adjoints(graph), budget)
    rows = [-1] * len(graph.nodes)
    table = []
    for row, position in enumerate(chosen):
        rows[position] = row
        table.append(true_changes(graph, position, steps))
    data["nodes"]["nudge"] = rows
    data["nudgeTable"] = table
    data["nudgeNote"] = (
        f"the slider is offered for {len(chosen):,} of the {possible:,} nodes, those with the "
        "largest |∂C/∂node| (leaves first), so that working out the true ΔC stays quick; "
        "a larger nudge budget offers more (--nudge-budget on the command line, nudge_budget= "
        "in Python)."
    )
    if len(chosen) < possible:
        data["notes"].append(f"Nudge: {data['nudgeNote']}")
