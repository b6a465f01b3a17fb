"""How big a network's graph is, counted from the layer widths before anything is built.

``Network([5000, 5000, 5000]).graph(x, y)`` would make fifty million weight nodes and a
hundred million edges: several gigabytes and minutes of work before anything could go wrong.
:func:`graph_size` counts the nodes and edges of :meth:`pathgrad.Network.graph` at each level
exactly (for the cross-entropy at the ``"ops"`` level, an upper bound: a target of 0 or 1
drops a term) and estimates the memory, so that every place that builds a graph from
user-given sizes can say up front what it would build and refuse past ``max_nodes``.

For widths ``n_1, ..., n_L`` and ``P = Σ_l n_l (n_{l-1} + 1)`` weights and biases:

* ``"neuron"``: ``n_1 + P + Σ n_l + 1`` nodes; each neuron has ``2 n_{l-1} + 1`` edges in (its
  weights, the activations below, its bias) and ``C`` one from each output;
* ``"z"``: a ``z`` node more per neuron, and one edge more (``z → a``);
* ``"ops"``: per neuron ``n_{l-1}`` products, ``n_{l-1}`` sums and the activation, with
  ``4 n_{l-1} + 1`` edges, and the cost's own arithmetic (``3m`` nodes for the quadratic cost
  of ``m`` outputs, at most ``7m`` for the cross-entropy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..support.limits import check_limit, size_text

#: Memory of one node and one edge, measured with tracemalloc on network graphs (each level
#: within about 25% of ``NODE_BYTES · nodes + EDGE_BYTES · edges``).
NODE_BYTES = 120
EDGE_BYTES = 130

#: The largest graph ``Network.graph`` builds unless told otherwise: about 0.7 GB.
DEFAULT_MAX_NODES = 2_000_000


@dataclass(frozen=True)
class GraphSize:
    """The nodes and edges of one network graph, and about how many bytes they take."""

    sizes: tuple[int, ...]
    level: str
    nodes: int
    edges: int
    parameters: int

    @property
    def bytes(self) -> int:
        return NODE_BYTES * self.nodes + EDGE_BYTES * self.edges

    def __str__(self) -> str:
        return (
            f"the {self.level}-level graph of {list(self.sizes)} has {self.nodes:,} nodes and "
            f"{self.edges:,} edges (about {size_text(self.bytes)})"
        )

    def check(self, max_nodes: int | None) -> None:
        """Refuse a graph of more than ``max_nodes`` nodes (None: no limit), saying its size."""
        check_limit(
            self.nodes, max_nodes, "max_nodes", str(self),
            "Use narrower layers, or ask the question of the matrix engine "
            "(net.matrix_backprop, net.deltas on a smaller net)",
        )


def graph_size(sizes: Sequence[int], level: str = "neuron", cost: str = "quadratic") -> GraphSize:
    """The size of ``Network(sizes).graph(x, y, level)``, from the widths alone (see above)."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    parameters = sum(n * (m + 1) for m, n in pairs)
    neurons = sum(sizes[1:])
    outputs = sizes[-1]
    nodes = sizes[0] + parameters + neurons
    if level == "ops":
        nodes += sum(n * 2 * m for m, n in pairs)
        edges = sum(n * (4 * m + 1) for m, n in pairs)
        cost_nodes, cost_edges = (3 * outputs, 4 * outputs - 1) if cost == "quadratic" else (
            7 * outputs, 9 * outputs - 1)
        return GraphSize(tuple(sizes), level, nodes + cost_nodes, edges + cost_edges, parameters)
    edges = sum(n * (2 * m + 1) for m, n in pairs) + outputs
    if level == "z":
        nodes += neurons
        edges += neurons
    return GraphSize(tuple(sizes), level, nodes + 1, edges, parameters)
