"""``draw``: a picture of a rate-factor graph, with chosen paths brought forward.

Every edge is labelled with its rate factor ``∂head/∂tail`` and every node with its book name
and value, so the picture *is* the data of equations 51-53: pick a path from ``w`` to ``C``,
multiply the numbers on its edges, and you have that path's share of ``∂C/∂w``.

Highlighted paths keep the rest of the graph in view, dimmed. One colour rule: an edge that
only paths of one sign run along takes that sign's colour (blue: the paths add to ``∂C/∂w``,
red and dashed, as in the explorer: they take away); an edge shared by paths of both signs is
drawn in a neutral dark grey, and its label adds the sum of the products of the shown paths
through it (``Σ -0.0284``). With several paths every edge is drawn as wide as that sum is
large: the thick lines are where the gradient flows. The caption lists every path it shows,
each with its number (:func:`pathgrad.path_numbers`, the same in the explorer).

A network's picture is made for a slide: it is drawn left to right, and its weights and biases
are left out unless a shown path starts at one (``hide_params=False`` draws them all), so the
picture is as tall as the widest layer, not as its column of weights.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..book.network_graphs import NetworkGraph
from ..graph import Graph, as_graph
from ..names import fmt, gradient_name
from ..pathsums.enumeration import Path, count_paths, path_numbers
from ..support.arguments import whole_number
from ..support.errors import PathgradTypeError, PathgradValueError
from ..sweeps import adjoints
from ..value import Value
from .picture import Picture
from .scene import Scene, is_param

DEFAULT_MAX_NODES = 150
DEFAULT_MAX_PATHS = 500
POSITIVE = "#1f5fae"
NEGATIVE = "#c2372b"
MIXED = "#3a3a3a"  # an edge carrying paths of both signs
PATH_NODE = {"color": "#222222", "penwidth": "2"}
CAPTION_PATHS = 12  # paths listed in a caption; past that, the largest ones, and it says so
NEGATIVE_STYLE = "dashed"
GRADIENT_COLOUR = "#2d6a2d"


class GraphTooBigError(PathgradValueError):
    """The picture would have more nodes than ``max_nodes``: refused before any layout."""


def _too_big(nodes: int, edges: int, max_nodes: int) -> GraphTooBigError:
    return GraphTooBigError(
        f"this picture would have {nodes} nodes and {edges} edges, more than max_nodes="
        f"{max_nodes}: Graphviz would be slow and nobody could read it. Draw the neuron level "
        "(net.graph(x, y, level='neuron')), hide the weights and biases (hide_params=True), "
        "draw only the highlighted paths (highlight=..., only_highlighted=True), "
        "or raise max_nodes if you really want it."
    )


def _check_options(digits: int, max_nodes: int) -> None:
    whole_number(digits, "digits", least=1, most=17)
    whole_number(max_nodes, "max_nodes", least=1)


def _as_paths(highlight: object, max_paths: int) -> list[Path]:
    if highlight is None:
        return []
    if isinstance(highlight, Path):
        return [highlight]
    if not isinstance(highlight, Iterable):
        raise PathgradTypeError(
            "highlight takes a path or paths (pg.paths, pg.top_paths), "
            f"got {type(highlight).__name__}"
        )
    chosen = []
    for path in highlight:
        if not (hasattr(path, "nodes") and hasattr(path, "rates")):
            raise PathgradTypeError(f"highlight: expected Path objects, got {type(path).__name__}")
        chosen.append(path)
        if len(chosen) > max_paths:
            raise PathgradValueError(
                f"more than max_paths={max_paths} paths to highlight: nobody can read that many. "
                "Pass the largest few (pg.top_paths(w, C, k=5)) or raise max_paths."
            )
    return chosen


def match_paths(graph: Graph, paths: list[Path]) -> list[list[int]]:
    """For each path, the positions in ``graph.edges`` of the edges it runs along.

    A path that takes one of two parallel edges (``x * x``) is matched by its rate, and
    repeated identical paths take the parallel edges in turn, as :func:`pathgrad.paths` lists
    them.
    """
    between: dict[tuple[Value, Value], list[tuple[int, float]]] = {}
    for k, edge in enumerate(graph.edges):
        between.setdefault((edge.src, edge.dst), []).append((k, edge.rate))
    seen: Counter = Counter()
    matched = []
    for path in paths:
        occurrence = seen[tuple(path.nodes)]
        seen[tuple(path.nodes)] += 1
        ks = []
        for i, (tail, head) in enumerate(zip(path.nodes, path.nodes[1:], strict=False)):
            candidates = between.get((tail, head))
            if not candidates:
                raise PathgradValueError(
                    f"highlight: the path {' → '.join(n.label for n in path.nodes)} is not in "
                    f"this graph (no edge {tail.label} → {head.label}); draw the graph the "
                    "paths were taken from"
                )
            rate = path.rates[i] if i < len(path.rates) else None
            same = [k for k, r in candidates if r == rate] or [k for k, _ in candidates]
            ks.append(same[occurrence % len(same)])
        matched.append(ks)
    return matched


def draw(
    target: Value | Graph,
    highlight: object = None,
    show_grad: bool = False,
    digits: int = 3,
    hide_params: bool | None = None,
    only_highlighted: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_paths: int = DEFAULT_MAX_PATHS,
    title: str = "",
    legend: bool = True,
    engine: str | None = "auto",
) -> Picture:
    """A picture of the graph of ``target`` (a Graph or its output Value).

    - ``highlight``: one path or several (``pg.paths(w, C)``, ``pg.top_paths(w, C, k)``); their
      edges are coloured by sign and widened by ``|product|``, the rest is dimmed; the caption gives
      each path's product and share of ``∂C/∂w`` (equations 51-53).
    - ``show_grad``: add ``∂C/∂node`` to every node (``δ`` for ``z`` nodes, BP1-BP2).
    - ``digits``: significant digits of every number shown.
    - ``hide_params``: leave out weight and bias leaves not on a highlighted path; for a
      neuron-level graph that leaves the neuron-to-neuron rate factors of equation 53. The
      default, None, hides them in a network's graph at the neuron and ``z`` levels (a
      picture that fits a slide) and keeps them everywhere else.
    - ``only_highlighted``: draw just the highlighted paths (for graphs too big to draw whole).
    - ``max_nodes``: refuse (:class:`GraphTooBigError`) rather than lay out more nodes.
    - ``engine``: ``"auto"``, ``"dot"`` or ``"graphviz-pure"`` (see :mod:`pathgrad.drawing.engine`).

    Equations 51-53: every edge is labelled with its rate factor; a highlighted path's
    product is the product of its labels, and the caption adds the paths up.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> e = (a + b) * (b + 1)
    >>> picture = pg.draw(e, highlight=list(pg.paths(b, e)))
    >>> print(picture.caption.splitlines()[-1])
    sum of all 2: 5 = 100% of ∂C/∂b  (∂C/∂b = 5)
    >>> picture.save("paths.svg")            # or .png, .pdf, .dot  # doctest: +SKIP
    """
    _check_options(digits, max_nodes)
    graph = as_graph(target)
    if hide_params is None:
        hide_params = is_layered_network(graph)
    chosen = _as_paths(highlight, max_paths)
    matched = match_paths(graph, chosen)
    on_paths = {node for path in chosen for node in path.nodes}
    if only_highlighted and chosen:
        keep = on_paths | {graph.output}
    elif hide_params:
        keep = {n for n in graph.nodes if n in on_paths or not is_param(n)}
    else:
        keep = set(graph.nodes)
    edges = sum(1 for n in graph.nodes if n in keep for p in n.parents if p in keep)
    if len(keep) > max_nodes or edges > 6 * max_nodes:
        raise _too_big(len(keep), edges, max_nodes)

    scene = Scene(graph, keep, digits)
    scene.params_beside_inputs = hide_params and not only_highlighted
    scene.title = title
    adj = adjoints(graph) if (show_grad or chosen) else None  # only when something shows it
    if show_grad and adj is not None:
        _show_gradients(scene, adj, digits)
    colours = _highlight(scene, chosen, matched, adj) if chosen and adj is not None else set()
    if legend:
        _legend(scene, colours, len(chosen) > 1, show_grad, hide_params and not only_highlighted,
                dimmed=not only_highlighted)
    return Picture(scene.to_digraph(), "\n".join(scene.caption), engine)


def is_layered_network(graph: Graph) -> bool:
    """A network's graph at the neuron or ``z`` level: its weights and biases are many leaves
    (a column as tall as ``n_l · (n_(l-1) + 1)`` nodes), hidden by default in a picture."""
    return isinstance(graph, NetworkGraph) and graph.level in ("neuron", "z")


def _show_gradients(scene: Scene, adj: list[float], digits: int) -> None:
    """Add ``∂C/∂node`` (``δ`` for a ``z`` node) under every node's value."""
    for node in scene.nodes:
        grad = adj[scene.graph.index[node]]
        label = gradient_name(node.name, scene.name(node), scene.output_name)
        scene.extra_lines[node].append((f"{label} = {fmt(grad, digits)}", GRADIENT_COLOUR))


def _highlight(
    scene: Scene, chosen: list[Path], matched: list[list[int]], adj: list[float]
) -> set[str]:
    """Colour, widen and caption the chosen paths; return the colours used."""
    flow: dict[int, float] = {}
    signs: dict[int, set[bool]] = {}
    for path, ks in zip(chosen, matched, strict=True):
        for k in ks:
            flow[k] = flow.get(k, 0.0) + path.product
            signs.setdefault(k, set()).add(path.product < 0)
    largest = max((abs(f) for f in flow.values()), default=0.0)
    on_paths = {node for path in chosen for node in path.nodes}
    used: set[str] = set()
    scene.dim(
        nodes=[n for n in scene.nodes if n not in on_paths],
        edges=[k for k, _ in scene.edges if k not in flow],
    )
    for node in on_paths & set(scene.nodes):
        scene.node_attrs[node].update(PATH_NODE)
    for k, total in flow.items():
        width = 3.5 if len(chosen) == 1 or largest == 0 else 1.3 + 4.2 * abs(total) / largest
        attrs = {"penwidth": f"{width:.2f}", "weight": "3"}
        if len(signs[k]) == 2:
            colour = MIXED
            rate = scene.edge_attrs[k]["label"].strip()
            attrs["label"] = f" {rate} \\nΣ {scene.number(total)} "
        else:
            colour = NEGATIVE if True in signs[k] else POSITIVE
            if colour == NEGATIVE:
                attrs["style"] = NEGATIVE_STYLE
        scene.edge_attrs[k].update({"color": colour, "fontcolor": colour, **attrs})
        used.add(colour)
    scene.caption.extend(_caption(scene, chosen, adj))
    return used


def _caption(scene: Scene, chosen: list[Path], adj: list[float]) -> list[str]:
    graph, number, out = scene.graph, scene.number, scene.output_name
    lines: list[str] = []
    starts: dict[Value, list[Path]] = {}
    for path in chosen:
        starts.setdefault(path.nodes[0], []).append(path)
    for start, group in starts.items():
        name = scene.name(start)
        grad = adj[graph.index[start]]
        to_output = all(p.nodes[-1] is graph.output for p in group)
        whole = f"∂{out}/∂{name} = {number(grad)}"
        numbers: list[int | None] = (
            list(path_numbers(group, graph)) if to_output else [None] * len(group)
        )

        def share(
            x: float, grad: float = grad, to_output: bool = to_output, name: str = name
        ) -> str:
            if not to_output:
                return ""
            if grad == 0:
                return f"∂{out}/∂{name} is 0"
            return f"{100 * x / grad:.3g}% of ∂{out}/∂{name}"

        if len(group) == 1:
            path = group[0]
            route = " → ".join(scene.name(n) for n in path.nodes)
            factors = " × ".join(f"({number(r)})" if r < 0 else number(r) for r in path.rates)
            lines.append(f"path {_numbered(numbers[0])}{route}")
            lines.append(f"product {factors} = {number(path.product)}")
            if to_output:
                lines.append(f"= {share(path.product)}  ({whole})")
            continue
        total = count_paths(start, graph) if to_output else None
        ranked = sorted(zip(group, numbers), key=lambda pair: -abs(pair[0].product))
        listed = ranked[:CAPTION_PATHS]
        every = total is not None and len(group) == total
        if every:
            head = f"all {total} paths from {name} to {scene.name(graph.output)}"
        elif total:
            head = f"{len(group)} of the {total} paths from {name} to {scene.name(graph.output)}"
        else:
            head = f"{len(group)} paths from {name}"
        if len(listed) < len(group):
            head += f"; the {len(listed)} largest |products| listed:"
        else:
            head += ", largest |product| first:"
        lines.append(head)
        for path, place in listed:
            route = " → ".join(scene.name(n) for n in path.nodes)
            shown = share(path.product)
            lines.append(
                f"  {_numbered(place)}{route}: {number(path.product)}"
                + (f"  ({shown})" if shown else "")
            )
        summed = sum(p.product for p in group)
        lines.append(
            f"sum of {'all' if every else 'these'} {len(group)}: {number(summed)}"
            + (f" = {share(summed)}  ({whole})" if to_output else "")
        )
    return lines


def _numbered(place: int | None) -> str:
    return "" if place is None else f"#{place} "


def draw_options_legend(show_grad: bool = False, output: str = "C") -> list[tuple[str, str]]:
    """The legend rows every picture has: what the numbers on edges and in nodes are."""
    node_text = "in a node: book name and value"
    if show_grad:
        node_text += f", then ∂{output}/∂node" + (" (δ for a z node)" if output == "C" else "")
    return [
        ('<font point-size="10">0.25</font>', "on an edge: its rate factor ∂head/∂tail"),
        ("<b>name</b>", node_text),
    ]


def _legend(
    scene: Scene, colours: set[str], several: bool, show_grad: bool, hide_params: bool,
    dimmed: bool = True,
) -> None:
    rows = draw_options_legend(show_grad, scene.output_name)
    meaning = [
        (POSITIVE, "blue: paths of positive product"),
        (NEGATIVE, "red, dashed: paths of negative product"),
        (MIXED, "dark grey: paths of both signs; Σ = their summed products"),
    ]
    rows += [
        (f'<font color="{colour}"><b>{"– – –" if colour == NEGATIVE else "———"}</b></font>', text)
        for colour, text in meaning if colour in colours
    ]
    if colours:
        rows.append(("<b>#3</b>", "a path's place in the list of all paths from its start"))
        if several:
            rows.append(("<b>width</b>", "|sum of the shown paths' products| through the edge"))
        if dimmed:
            rows.append(('<font color="#b0b0b0">———</font>', "light grey: not on the shown paths"))
    if hide_params:
        rows.append(("", "weights and biases off the shown paths are hidden"))
    scene.legend.extend(rows)
