"""Pictures of the two sweeps, one step at a time, so a notebook can show them filling in.

**Reverse sweep** (backpropagation, BP1-BP4). Nodes are taken from ``C`` backwards; taking a
node sends ``adj[node] · rate`` along each of its incoming edges to the parent. At step ``t``
the last ``t`` operation nodes have been taken. A node's ``∂C/∂node`` is *known* once every
one of its children has been taken (``C`` is known from the start: ``∂C/∂C = 1``); a node with
some children taken holds a *partial* sum; the rest are still *unknown*.

**Forward sweep** from one weight ``w`` (equations 47-50). Nodes are taken in topological
order from ``w``; taking a node sets ``∂node/∂w = Σ rate · ∂parent/∂w``. At step ``t`` the
first ``t`` nodes after ``w`` that ``w`` reaches are done; nodes ``w`` does not reach never
move and are dimmed.
"""

from __future__ import annotations

from ..graph import Graph, as_graph
from ..names import gradient_name, pretty
from ..support.arguments import whole_number
from ..support.errors import PathgradValueError
from ..sweeps import SUM_PRODUCT, sweep_backward, sweep_forward
from ..value import Value
from .graph_pictures import DEFAULT_MAX_NODES, _check_options, _too_big, draw_options_legend
from .picture import Picture
from .scene import Scene

KNOWN = {"fillcolor": "#cfe8cf", "color": "#2d6a2d", "penwidth": "2"}
PARTIAL = {"fillcolor": "#fff2c2", "color": "#b08800", "style": "filled,dashed", "penwidth": "2"}
UNKNOWN = {"fillcolor": "#ffffff", "color": "#b8b8b8", "fontcolor": "#909090"}
USED_EDGE = {"color": "#2d6a2d", "fontcolor": "#2d6a2d", "penwidth": "2.2"}
NEXT_EDGE = {"color": "#b08800", "fontcolor": "#b08800", "penwidth": "2.2", "style": "dashed"}


def reverse_sweep_steps(target: Value | Graph) -> int:
    """How many steps the reverse sweep takes: one per operation node (leaves send nothing).

    Equations BP1-BP4: the number of pictures :func:`draw_reverse_sweep` can show.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> e = (a + b) * (b + 1)
    >>> pg.reverse_sweep_steps(e)           # ×, + and + 1 each send their adjoint back
    3
    """
    return sum(1 for node in as_graph(target).nodes if node.parents)


def _check_step(step: int, steps: int) -> None:
    whole_number(step, "step", least=0, most=steps)


def _prepare(graph: Graph, digits: int, max_nodes: int) -> Scene:
    _check_options(digits, max_nodes)
    if len(graph.nodes) > max_nodes:
        raise _too_big(len(graph.nodes), graph.edge_count, max_nodes)
    return Scene(graph, graph.nodes, digits)


def draw_reverse_sweep(
    target: Value | Graph,
    step: int,
    digits: int = 3,
    max_nodes: int = DEFAULT_MAX_NODES,
    engine: str | None = "auto",
) -> Picture:
    """The reverse sweep after ``step`` operation nodes have sent their adjoints back.

    Green nodes know ``∂C/∂node``; yellow dashed ones hold a partial sum; white ones nothing yet.
    Green edges have carried ``adj[head] · rate``; the dashed yellow ones are the next node's.

    Equations BP1-BP4, one node at a time: the reverse sweep as backpropagation runs it.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> e = (a + b) * (b + 1)
    >>> pg.draw_reverse_sweep(e, 1).caption
    '3 of 5 nodes know ∂C/∂node; next: + 1 sends its adjoint to its parents'
    """
    graph = as_graph(target)
    scene = _prepare(graph, digits, max_nodes)
    order = [node for node in reversed(graph.nodes) if node.parents]
    _check_step(step, len(order))
    taken = set(order[:step])
    adj = sweep_backward(graph, SUM_PRODUCT, steps=step)  # None: nothing received yet
    children = graph.children_lists()
    following = order[step] if step < len(order) else None
    for node in scene.nodes:
        heads = [edge.dst for edge in children[graph.index[node]]]
        done = sum(1 for h in heads if h in taken)
        if node is graph.output or (heads and done == len(heads)):
            state, look = "known", KNOWN
        elif done:
            state, look = "partial", PARTIAL
        else:
            state, look = "unknown", UNKNOWN
        scene.node_attrs[node].update(look)
        if state != "unknown":
            label = gradient_name(node.name, scene.name(node), scene.output_name)
            shown = f"{label} = {scene.number(adj[graph.index[node]])}" + (
                " so far" if state == "partial" else ""
            )
            scene.extra_lines[node].append((shown, look["color"]))
    for k, edge in scene.edges:
        if edge.dst in taken:
            scene.edge_attrs[k].update(USED_EDGE)
        elif edge.dst is following:
            scene.edge_attrs[k].update(NEXT_EDGE)
    known = sum(1 for n in scene.nodes if scene.node_attrs[n]["fillcolor"] == KNOWN["fillcolor"])
    out = scene.output_name
    scene.title = f"Reverse sweep (backpropagation), step {step} of {len(order)}"
    scene.caption.append(
        f"{known} of {len(scene.nodes)} nodes know ∂{out}/∂node; "
        + (
            f"next: {scene.name(following)} sends its adjoint to its parents"
            if following is not None
            else f"done: every ∂{out}/∂node is known"
        )
    )
    scene.legend.extend(
        [
            (
                f'<font color="{KNOWN["color"]}"><b>known</b></font>',
                f"∂{out}/∂node final (all children done)",
            ),
            (
                f'<font color="{PARTIAL["color"]}"><b>partial</b></font>',
                "some children have sent adj · rate",
            ),
            ('<font color="#909090">unknown</font>', "nothing received yet"),
        ]
        + draw_options_legend(output=out)
    )
    return Picture(scene.to_digraph(), "\n".join(scene.caption), engine)


def draw_forward_sweep(
    target: Value | Graph,
    w: Value | str,
    step: int,
    digits: int = 3,
    max_nodes: int = DEFAULT_MAX_NODES,
    engine: str | None = "auto",
) -> Picture:
    """The forward sweep from ``w`` after ``step`` nodes have received ``∂node/∂w``.

    ``w`` is a node of the graph or its name. Step ``t`` runs from 0 (only ``∂w/∂w = 1``) to
    the number of nodes ``w`` reaches.

    Equations 47-50, one node at a time: the change ``Δb`` carried forward.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> e = (a + b) * (b + 1)
    >>> pg.draw_forward_sweep(e, "b", 2).caption
    'next: × = Σ rate × ∂parent/∂b'
    """
    graph = as_graph(target)
    source = graph.find(w) if isinstance(w, str) else w
    if source not in graph.index:
        raise PathgradValueError(
            f"{source!r} is not in this graph: it does not reach {graph.output!r}"
        )
    scene = _prepare(graph, digits, max_nodes)
    tangent = sweep_forward(graph, source, SUM_PRODUCT)
    reached = [node for node in graph.nodes if node in tangent]  # in topological order
    steps = len(reached) - 1
    _check_step(step, steps)
    done = set(reached[: step + 1])
    following = reached[step + 1] if step < steps else None
    name = pretty(source.name) if source.name else scene.name(source)
    for node in scene.nodes:
        if node in done:
            scene.node_attrs[node].update(KNOWN)
            shown = f"∂{scene.name(node)}/∂{name} = {scene.number(tangent[node])}"
            scene.extra_lines[node].append((shown, KNOWN["color"]))
        elif node is following:
            scene.node_attrs[node].update(PARTIAL)
        elif node in tangent:
            scene.node_attrs[node].update(UNKNOWN)
        else:
            scene.node_attrs[node].update(UNKNOWN)
            scene.node_attrs[node]["style"] = "filled,dotted"
    for k, edge in scene.edges:
        if edge.src in tangent and edge.dst in done:
            scene.edge_attrs[k].update(USED_EDGE)
        elif edge.src in tangent and edge.dst is following:
            scene.edge_attrs[k].update(NEXT_EDGE)
        elif edge.src not in tangent:
            scene.dim(edges=[k])
    scene.title = f"Forward sweep from {name}, step {step} of {steps}"
    scene.caption.append(
        f"next: {scene.name(following)} = Σ rate × ∂parent/∂{name}"
        if following is not None
        else f"done: ∂{scene.output_name}/∂{name} = "
        f"{scene.number(tangent.get(graph.output, 0.0))}"
    )
    scene.legend.extend(
        [
            (f'<font color="{KNOWN["color"]}"><b>known</b></font>', f"∂node/∂{name} computed"),
            (f'<font color="{PARTIAL["color"]}"><b>next</b></font>', "computed at the next step"),
            ('<font color="#909090">dotted</font>', f"not reached from {name}: never moves"),
        ]
        + draw_options_legend()
    )
    return Picture(scene.to_digraph(), "\n".join(scene.caption), engine)
