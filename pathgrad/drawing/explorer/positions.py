"""Where the explorer puts each node and edge: the pictures' layout, or layers as columns.

A small graph (up to :data:`DOT_MAX_NODES` nodes) is laid out by Graphviz exactly as
:func:`pathgrad.draw` lays it out (the same DOT text, so the page matches the pictures),
read back as JSON: node centres and sizes, each edge's spline and the place of its label.

Nodes can be left out (``hide``): the explorer keeps a second layout of each small level
without its weights and biases, and shows it where the full one would have to be shrunk past
reading.

A larger graph, or one drawn with no Graphviz program at hand, gets layers as columns: a node's
book name gives its column (``a^1``, then ``w^2 b^2``, ``z^2``, ``a^2``, ...; ``C`` last), an
unnamed node goes one column after its latest parent, and nodes within a column are in the
order of the book's indices. Weights and biases can be left out of the columns (``hide``):
a [64, 30, 10] network then shows its 105 neurons, not its 2,365 nodes. A column much taller
than the others (64 inputs beside 30 hidden neurons) is set in side-by-side parts, so the
picture is as tall as the second tallest column and its names stay readable when it is fitted
to a screen. Both layouts are deterministic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ...graph import Graph
from ...names import parse_name
from ..engine import LAYOUT, RenderError, render
from ..scene import Scene, _column, _within_column
from .formulas import DIGITS

DOT_MAX_NODES = 300
DOT_TIMEOUT = 60.0
COLUMN_GAP = 170.0
ROW_GAP = 34.0
PART_GAP = 110.0  # between the side-by-side parts of one tall column
MIN_ROWS = 16  # a column is never cut into parts shorter than this
POINTS_PER_INCH = 72.0
RANKSEP = "0.35"  # inches between columns: the page fits its graph to a screen, so keep it narrow
# Room for the line the explorer adds to every node (a Δ or a ∂C/∂node), so dot sizes for it.
_RESERVED_LINE = ("∂C/∂· = −0.000000…", "#000000")


@dataclass
class Layout:
    """Node centres and sizes (None for a node left out), edge paths and label points."""

    method: str
    width: float
    height: float
    x: list[float | None]
    y: list[float | None]
    w: list[float]
    h: list[float]
    edge_paths: list[str | None] = field(default_factory=list)
    label_points: list[tuple[float, float] | None] = field(default_factory=list)


def layout(graph: Graph, hide: frozenset[int] = frozenset(), engine: str | None = "auto") -> Layout:
    """Positions for the nodes of ``graph`` not in ``hide`` (positions in ``graph.nodes``)."""
    if len(graph.nodes) <= DOT_MAX_NODES:
        try:
            return dot_layout(graph, engine, hide)
        except RenderError:
            pass
    return column_layout(graph, hide)


def dot_layout(graph: Graph, engine: str | None = "auto", hide: frozenset[int] = frozenset()
               ) -> Layout:
    """Graphviz's layout of the picture ``pg.draw(graph)`` would be (without the nodes of
    ``hide``), read from its JSON."""
    scene = Scene(graph, [n for i, n in enumerate(graph.nodes) if i not in hide], DIGITS)
    for node in scene.nodes:
        scene.extra_lines[node].append(_RESERVED_LINE)
        # The page draws every node as a (rounded) box: boxes take less room than ellipses.
        scene.node_attrs[node]["shape"] = "box"
    digraph = scene.to_digraph()
    digraph.graph_attr["ranksep"] = RANKSEP
    placed = json.loads(render(digraph, LAYOUT, engine, DOT_TIMEOUT))
    left, bottom, right, top = (float(v) for v in placed["bb"].split(","))
    n = len(graph.nodes)
    xs: list[float | None] = [None] * n
    ys: list[float | None] = [None] * n
    ws, hs = [0.0] * n, [0.0] * n
    gvid_to_position = {}
    for item in placed.get("objects", []):
        name = item.get("name", "")
        if "pos" not in item or not name.startswith("n"):
            continue
        i = int(name[1:])
        gvid_to_position[item["_gvid"]] = i
        px, py = (float(v) for v in item["pos"].split(","))
        xs[i], ys[i] = px - left, top - py
        ws[i] = float(item["width"]) * POINTS_PER_INCH
        hs[i] = float(item["height"]) * POINTS_PER_INCH
    paths: list[str | None] = [None] * graph.edge_count
    labels: list[tuple[float, float] | None] = [None] * graph.edge_count
    for item in placed.get("edges", []):
        if "id" not in item:  # an invisible edge that only keeps a layer's column in order
            continue
        k = int(item["id"][1:])
        paths[k] = _svg_path(item["pos"], left, top)
        if "lp" in item:
            lx, ly = (float(v) for v in item["lp"].split(","))
            labels[k] = (lx - left, top - ly)
    return Layout("dot", right - left, top - bottom, xs, ys, ws, hs, paths, labels)


def _svg_path(spline: str, left: float, top: float) -> str:
    """Graphviz's ``e,x,y p0 p1 p2 p3 ...`` (a cubic B-spline, end arrow at e) as SVG."""
    end = None
    points = []
    for part in spline.split(";")[0].split():
        if part.startswith(("e,", "s,")):
            px, py = (float(v) for v in part[2:].split(","))
            if part[0] == "e":
                end = (px, py)
            continue
        px, py = (float(v) for v in part.split(","))
        points.append((px - left, top - py))
    text = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for i in range(1, len(points) - 2, 3):
        (ax, ay), (bx, by), (cx, cy) = points[i : i + 3]
        text += f" C{ax:.1f},{ay:.1f} {bx:.1f},{by:.1f} {cx:.1f},{cy:.1f}"
    if end is not None:
        text += f" L{end[0] - left:.1f},{top - end[1]:.1f}"
    return text


def column_layout(graph: Graph, hide: frozenset[int] = frozenset()) -> Layout:
    """Layers as columns, nodes in a column in index order; ``hide`` takes nodes out."""
    nodes = graph.nodes
    index = graph.index
    parsed_columns = [None if node is graph.output else _book_column(node) for node in nodes]
    depth = [0] * len(nodes)
    for i, node in enumerate(nodes):
        depth[i] = max((depth[index[p]] + 1 for p in node.parents), default=0)
    # Book columns first, in order; unnamed nodes after the book column of their latest parent.
    keys: list[tuple] = []
    for i, node in enumerate(nodes):
        book = parsed_columns[i]
        if book is not None:
            keys.append((*book, 0, 0))
        elif node is graph.output:
            keys.append((10**9, 0, 0, 0))
        else:
            anchor = max((keys[index[p]] for p in node.parents), default=(0, 0, 0, 0))
            keys.append((anchor[0], anchor[1], 1, depth[i]))
    shown = sorted({keys[i] for i in range(len(nodes)) if i not in hide})
    column_of = {key: c for c, key in enumerate(shown)}
    members: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        if i not in hide:
            members.setdefault(column_of[keys[i]], []).append(i)
    n = len(nodes)
    xs: list[float | None] = [None] * n
    ys: list[float | None] = [None] * n
    heights = sorted((len(m) for m in members.values()), reverse=True)
    most_rows = max(MIN_ROWS, heights[1] if len(heights) > 1 else heights[0] if heights else 1)
    parts = {c: -(-len(column) // most_rows) for c, column in members.items()}
    rows = {c: -(-len(column) // parts[c]) for c, column in members.items()}
    tallest = max(rows.values(), default=1)
    height = 48.0 + (tallest - 1) * ROW_GAP
    # Few columns: wider gaps, so the page is not a thin strip.
    gap = max(COLUMN_GAP, 0.9 * height / max(1, len(members) - 1))
    x = 40.0
    for c in sorted(members):
        column = sorted(members[c], key=lambda i: _order_in_column(graph, i))
        for k, i in enumerate(column):
            part, row = divmod(k, rows[c])
            in_part = min(rows[c], len(column) - part * rows[c])
            xs[i] = x + part * PART_GAP
            ys[i] = 24.0 + (tallest - in_part) * ROW_GAP / 2 + row * ROW_GAP
        x += (parts[c] - 1) * PART_GAP + gap
    width = x - gap + 40.0
    size = [0.0] * n
    return Layout("columns", width, height, xs, ys, size, list(size))


def _book_column(node) -> tuple[int, int] | None:
    return _column(parse_name(node.name))


def _order_in_column(graph: Graph, i: int) -> tuple:
    node = graph.nodes[i]
    parsed = parse_name(node.name)
    if parsed is None:
        return (1, (), i)
    return (0, _within_column((node, parsed)), i)

