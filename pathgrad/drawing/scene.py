"""A graph as a Graphviz drawing: nodes with book-name labels, edges with their rate factors.

A :class:`Scene` holds the nodes and edges to draw, one Graphviz node per graph node and one
Graphviz edge per graph edge (parallel edges such as the two of ``x * x`` stay two edges), each
with its attributes. The functions that draw highlighted paths or sweeps only change
attributes (colours, widths, extra label lines) and add caption and legend rows;
:meth:`Scene.to_digraph` hands it all to the ``graphviz`` package, which writes and quotes the
DOT language.

Layout of a network: a node's book name gives its column. Layer ``l``'s weights and biases
stand in a column just before the layer's neurons (its ``z`` nodes, then its ``a`` nodes), so
``w^l_jk`` sits next to the neuron ``j`` it feeds; the input layer is the first column and the
output ``C`` the last. Unnamed nodes (elementary operations) fall where Graphviz puts them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

import graphviz

from ..graph import Edge, Graph
from ..names import BookName, display_name, fmt, parse_name, pretty
from ..value import Value

FONT = "Helvetica"
DIM_NODE = {"color": "#c8c8c8", "fontcolor": "#a0a0a0", "fillcolor": "#fafafa"}
DIM_EDGE = {"color": "#d0d0d0", "fontcolor": "#a8a8a8"}

_KIND_STYLE = {
    "param": {"shape": "box", "style": "rounded,filled", "fillcolor": "#fdf1dc", "fontsize": "10"},
    "input": {"shape": "box", "style": "filled", "fillcolor": "#e3f1e3"},
    "z": {"shape": "ellipse", "style": "filled", "fillcolor": "#eef3fb"},
    "a": {"shape": "ellipse", "style": "filled", "fillcolor": "#d6e4f7"},
    "cost": {"shape": "box", "style": "filled,bold", "fillcolor": "#f6d8d8"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#f0f0f0", "fontsize": "11"},
    "other": {"shape": "ellipse", "style": "filled", "fillcolor": "#ffffff"},
}
# Column order within one layer: parameters, then weighted inputs, then activations.
# A recurrent net unrolled through time (pathgrad.nn.RNNCell) names its step-t nodes x^t, z^t
# and h^t: each step gets the columns of a layer, its input x^t first and its state h^t last.
_COLUMN = {"w": 0, "b": 0, "x": 0, "z": 1, "a": 2, "h": 2}


def kind_of(node: Value, parsed: BookName | None, output: Value) -> str:
    """``param`` (w, b, u), ``input``, ``z``, ``a`` (or a state h), ``cost``, ``op``, ``other``."""
    if node is output or (parsed is not None and parsed.symbol == "C"):
        return "cost"
    if parsed is None:
        return "op" if node.name is None and node.op is not None else "other"
    if _is_param_name(parsed):
        return "param"
    if node.op is None or parsed.symbol == "x" or (parsed.symbol == "a" and parsed.layer == 1):
        return "input"
    if parsed.symbol == "h":
        return "a"
    return parsed.symbol if parsed.symbol in ("z", "a") else "other"


def is_param(node: Value) -> bool:
    """A weight or bias leaf (a node a picture may hide)."""
    parsed = parse_name(node.name)
    return node.op is None and parsed is not None and _is_param_name(parsed)


def _is_param_name(parsed: BookName) -> bool:
    # w and b, and u_jk: an RNN's input weights (a plain "u" is any user's variable).
    return parsed.symbol in ("w", "b") or (parsed.symbol == "u" and bool(parsed.indices))


def _column(parsed: BookName | None) -> tuple[int, int] | None:
    if parsed is None or parsed.symbol not in _COLUMN:
        return None
    if parsed.layer is None:
        return (1, _COLUMN["a"]) if parsed.symbol == "x" else None
    return (parsed.layer, _COLUMN[parsed.symbol])


def _within_column(entry: tuple[Value, BookName]) -> tuple:
    # Parameters of neuron j together, weights before the bias: w_j1, w_j2, ..., b_j. Ties
    # keep the graph's order (the sorts that use this are stable).
    _, parsed = entry
    return (parsed.neuron or 0, parsed.symbol == "b", parsed.indices[1:])


def html_text(text: str) -> str:
    """Text for HTML or a Graphviz HTML-like label: ``&``, ``<`` and ``>`` escaped."""
    return html.escape(text, quote=False)


class Scene:
    """The nodes and edges of one picture, with their DOT attributes."""

    def __init__(self, graph: Graph, keep: Iterable[Value], digits: int) -> None:
        self.graph = graph
        self.digits = digits
        wanted = set(keep)
        self.nodes = [node for node in graph.nodes if node in wanted]
        self.parsed = {node: parse_name(node.name) for node in self.nodes}
        self.kind = {node: kind_of(node, self.parsed[node], graph.output) for node in self.nodes}
        self.ids = {node: f"n{graph.index[node]}" for node in self.nodes}
        # Edge k of graph.edges keeps the id e{k}, whatever is hidden.
        self.edges: list[tuple[int, Edge]] = [
            (k, edge)
            for k, edge in enumerate(graph.edges)
            if edge.src in wanted and edge.dst in wanted
        ]
        self.node_attrs = {node: self._base_node_attrs(node) for node in self.nodes}
        self.extra_lines: dict[Value, list[tuple[str, str]]] = {node: [] for node in self.nodes}
        self.edge_attrs = {k: self._base_edge_attrs(edge) for k, edge in self.edges}
        self.caption: list[str] = []
        self.legend: list[tuple[str, str]] = []
        self.title = ""
        # With most parameters hidden, the few left share the column of the layer before
        # theirs, so no column of weights stands between two layers of neurons.
        self.params_beside_inputs = False

    def column(self, node: Value) -> tuple[int, int] | None:
        """The node's column, ``(layer, place within the layer)``, or None for no column."""
        key = _column(self.parsed[node])
        if key is not None and self.params_beside_inputs and self.kind[node] == "param":
            return (key[0] - 1, _COLUMN["a"])
        return key

    def name(self, node: Value) -> str:
        """The node's name as printed: ``w²₁₂``, or its operation for an unnamed node."""
        return display_name(node, self.digits)

    @property
    def output_name(self) -> str:
        """What the output is called in ``∂C/∂node``: its name (``C``, ``e``), else ``C``."""
        output = self.graph.output
        return pretty(output.name) if output.name else "C"

    def number(self, x: float) -> str:
        return fmt(x, self.digits)

    def _base_node_attrs(self, node: Value) -> dict[str, str]:
        attrs = dict(_KIND_STYLE[self.kind[node]])
        attrs["tooltip"] = graphviz.escape(f"{self.name(node)} = {node.data!r}")
        return attrs

    def _base_edge_attrs(self, edge: Edge) -> dict[str, str]:
        head, tail = self.name(edge.dst), self.name(edge.src)
        return {
            "label": f" {self.number(edge.rate)} ",
            "tooltip": graphviz.escape(f"∂{head}/∂{tail} = {edge.rate!r}"),
        }

    def dim(self, nodes: Iterable[Value] = (), edges: Iterable[int] = ()) -> None:
        """Grey out nodes and edges that are not the subject of the picture."""
        for node in nodes:
            self.node_attrs[node].update(DIM_NODE)
        for k in edges:
            self.edge_attrs[k].update(DIM_EDGE)

    def _label(self, node: Value) -> str:
        dimmed = self.node_attrs[node].get("fontcolor") == DIM_NODE["fontcolor"]
        value = f'<font point-size="10">{html_text(self.number(node.data))}</font>'
        if self.kind[node] == "param":
            # One line for weights and biases: a network has many of them.
            lines = [f"<b>{html_text(self.name(node))}</b> {value}"]
        else:
            lines = [f"<b>{html_text(self.name(node))}</b>", value]
        for text, colour in self.extra_lines[node]:
            colour = DIM_NODE["fontcolor"] if dimmed else colour
            lines.append(f'<font point-size="9" color="{colour}">{html_text(text)}</font>')
        return "<" + "<br/>".join(lines) + ">"

    def _rank_groups(self) -> list[list[Value]]:
        columns: dict[tuple[int, int], list[tuple[Value, BookName]]] = {}
        for node in self.nodes:
            parsed = self.parsed[node]
            key = self.column(node)
            if key is not None and parsed is not None and node is not self.graph.output:
                columns.setdefault(key, []).append((node, parsed))
        return [
            [node for node, parsed in sorted(columns[key], key=_within_column)]
            for key in sorted(columns)
        ]

    def _column_gaps(self) -> Callable[[Edge], int]:
        # An edge that jumps over columns (a^1 -> a^2 over the w^2 column) must be that long,
        # so every column gets a rank of its own.
        present = sorted({key for n in self.nodes if (key := self.column(n)) is not None})
        position = {key: i for i, key in enumerate(present)}

        def gap(edge: Edge) -> int:
            tail, head = self.column(edge.src), self.column(edge.dst)
            if tail is None or head is None or edge.dst is self.graph.output:
                return 1
            return max(1, position[head] - position[tail])

        return gap

    def _graph_label(self) -> str | None:
        """The title and caption, with the legend beside them rather than below (a picture
        for a slide should be no taller than its graph needs): row i holds caption line i and
        legend row i."""
        words = [f"<b>{html_text(self.title)}</b>"] if self.title else []
        words += [html_text(line) for line in self.caption]
        legend = [("", "<i>legend</i>")] if self.legend else []
        legend += [(swatch, html_text(text)) for swatch, text in self.legend]
        if not words and not legend:
            return None
        rows = []
        for i in range(max(len(words), len(legend))):
            cells = ""
            if words:
                cells += f'<td align="left">{words[i] if i < len(words) else ""}</td>'
                if legend:
                    cells += "<td>   </td>"
            if legend:
                swatch, text = legend[i] if i < len(legend) else ("", "")
                cells += f'<td align="left">{swatch}</td><td align="left">{text}</td>'
            rows.append(f"<tr>{cells}</tr>")
        table = '<table border="0" cellborder="0" cellspacing="1" cellpadding="1">'
        return "<" + table + "".join(rows) + "</table>>"

    def to_digraph(self) -> graphviz.Digraph:
        """The picture as a ``graphviz.Digraph``: a node per node, an edge per edge, then the
        layer columns and the caption."""
        graph_attrs = {
            "rankdir": "LR",
            "ranksep": "0.55",
            # A network without its weights: rows (and the stacks of rate labels between the
            # layers) closer, so the picture stays wider than tall.
            "nodesep": "0.08" if self.params_beside_inputs else "0.18",
            "fontname": FONT,
            "fontsize": "12",
            "bgcolor": "white",
            "pad": "0.15",
            "labelloc": "b",
            "labeljust": "l",
        }
        label = self._graph_label()
        if label:
            graph_attrs["label"] = label
        dot = graphviz.Digraph(
            "pathgrad",
            graph_attr=graph_attrs,
            node_attr={"fontname": FONT, "fontsize": "12", "margin": "0.06,0.03", "height": "0.3"},
            edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.6", "color": "#555555"},
        )
        for node in self.nodes:
            dot.node(self.ids[node], label=self._label(node), **self.node_attrs[node])
        gaps = self._column_gaps()
        for k, edge in self.edges:
            attrs = {"id": f"e{k}", **self.edge_attrs[k]}
            gap = gaps(edge)
            if gap > 1:
                attrs["minlen"] = str(gap)
            dot.edge(self.ids[edge.src], self.ids[edge.dst], **attrs)
        for group in self._rank_groups():
            with dot.subgraph() as column:
                column.attr(rank="same")
                for node in group:
                    column.node(self.ids[node])
                # Invisible edges inside a column keep its nodes in book order, top to bottom.
                for upper, lower in zip(group, group[1:]):
                    column.edge(self.ids[upper], self.ids[lower], style="invis")
        with dot.subgraph() as last:
            last.attr(rank="sink")
            last.node(self.ids[self.graph.output])
        return dot
