"""The explorer: a rate-factor graph a student can poke, in Jupyter and in any browser.

``pg.explore(x)`` takes a Value (the cost ``C``), a Graph, a NetworkGraph, or a Network with
one example ``(x, y)``, and returns an :class:`Explorer`. In Jupyter it shows itself as an
interactive widget (anywidget; JupyterLab, Notebook 7, VS Code); ``.save("page.html")`` writes
one self-contained page that works offline in any current browser, with no request to any
server. On the page a student can:

* click a node and see every path from it to ``C``: drawn, counted, each with its product,
  and their sum, which is ``∂C/∂node`` (equations 51-53); past a few dozen paths, the largest
  ones and the exact count;
* hover an edge for its rate factor and what it is (``σ'(z³₂)·w³₂₁``);
* nudge a node with a slider and watch ``Δ`` spread edge by edge (the forward sweep of
  equations 47-50), with ``C``'s predicted ``ΔC`` beside the true one;
* step the reverse sweep (backpropagation) node by node, ``∂C/∂node`` and ``δ`` filling in;
* switch between a network's neuron, weighted-input and operation levels.

The page carries the graph as data (:mod:`.page_data`) and one small plain script
(``assets/explorer.js``) that multiplies and adds the stored rate factors. The same
script is the widget's module, so both run the same code.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Sequence
from functools import cached_property
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from ...book import Network, NetworkGraph
from ...book.graph_sizes import graph_size
from ...graph import Graph
from ...names import book_order, name_hint, typed_name
from ...support.arguments import one_of, real_number, whole_number
from ...support.errors import (
    PathgradImportError,
    PathgradTypeError,
    PathgradValueError,
    TooLargeError,
)
from ...support.writing import check_output, write_file
from ...value import Value
from ..engine import ENGINES, RenderError
from ..graph_pictures import GraphTooBigError, draw
from ..model_graphs import MODEL_LEVELS, is_model, model_example
from ..scene import html_text
from .nudge import DEFAULT_BUDGET, nudge_steps
from .page_data import COMPACT_ABOVE, level_data
from .widget import explorer_widget_class

LEVEL_TITLES = {
    "neuron": "neurons (equation 53)",
    "z": "weighted inputs z",
    "ops": "every operation",
    "graph": "the graph",
    "head": "heads (groups of paths)",
}
NETWORK_LEVELS = ("neuron", "z", "ops")
#: Levels with more nodes than this are left out of a network's page (the first one refused).
DEFAULT_MAX_NODES = 3000
#: And levels with more edges than this (parallel edges counted): the page's data and its
#: script's work grow with the edges (about 1 s and 4 MB at this many).
DEFAULT_MAX_EDGES = 20_000
#: The template's places for the title, style, data and script: ``{{title}}`` and so on.
PLACEHOLDER = re.compile(r"\{\{(title|css|data|script)\}\}")


class ExplorerError(PathgradValueError):
    """The explorer cannot be made from what it was given; the message says what to do."""


def asset(name: str) -> str:
    """The text of one of the page's files: ``explorer.js``, ``explorer.css``, ``page.html``."""
    return (resources.files(__package__) / "assets" / name).read_text(encoding="utf-8")


class Explorer:
    """An interactive page of a rate-factor graph: a widget in Jupyter, a file with ``save``.

    ``data`` is what the page holds (one entry per level in ``data["levels"]``); ``html()`` is
    the whole page as text; ``widget`` is the Jupyter widget (made when first asked for).

    Equations 47-53 and BP1-BP4: the page multiplies and adds the rate factors it holds.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> e = (a + b) * (b + 1)
    >>> explorer = pg.explore(e)
    >>> sorted(explorer.data["levels"][0]["edges"]["rate"])    # the graph's five rate factors
    [1.0, 1.0, 1.0, 2.0, 3.0]
    >>> explorer.html().startswith("<!DOCTYPE html>")
    True
    """

    def __init__(self, data: dict, graphs: Sequence[Graph], engine: str | None = "auto") -> None:
        self.data = data
        self.graphs = list(graphs)
        self.engine = engine
        self._widget: Any = None

    @property
    def levels(self) -> list[str]:
        return [level["level"] for level in self.data["levels"]]

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{level['level']}: {len(level['nodes']['value'])} nodes"
            for level in self.data["levels"]
        )
        return f"<pathgrad Explorer {self.data['title']!r} ({sizes}); .save('page.html')>"

    def json(self) -> str:
        """The page's data as JSON, safe to put inside a ``<script>`` element."""
        text = json.dumps(self.data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.replace("<", "\\u003c")

    def html(self) -> str:
        """The self-contained page: style, data and script inline, nothing fetched.

        The template's places are filled in one pass, so a title or a node name that looks
        like one of them (``{{css}}``) is left as it is.
        """
        parts = {
            "title": html_text(self.data["title"]),
            "css": asset("explorer.css"),
            "data": self.json(),
            "script": asset("explorer.js"),
        }
        return PLACEHOLDER.sub(lambda match: parts[match[1]], asset("page.html"))

    def save(self, path: str | PathLike) -> Path:
        """Write the page to ``path`` (``.html``) and return the path."""
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            raise ExplorerError(
                f"save writes one HTML page: give a file name ending in .html, got {str(path)!r}"
            )
        check_output(target)  # before the page is made
        return write_file(target, self.html().encode("utf-8"))

    @property
    def widget(self) -> Any:
        """The Jupyter widget showing this explorer (anywidget), made once."""
        if self._widget is None:
            self._widget = explorer_widget_class()(data=self.data)
        return self._widget

    @cached_property
    def _still(self) -> tuple[str, bytes] | None:
        """The first level as a still picture, SVG and PNG (for viewers that drop SVG), or None.

        Drawn and rendered once, with the explorer's engine.
        """
        graph = self.graphs[0]
        try:
            picture = draw(graph, hide_params=len(graph.nodes) > COMPACT_ABOVE, engine=self.engine)
            return picture.svg(), picture.render("png")
        except (GraphTooBigError, RenderError):
            return None

    def _still_html(self, png: bytes) -> str:
        """The still picture as HTML: the PNG inline, with a caption saying what it stands for.

        Static viewers (nbconvert, GitHub, a course site) show this where no kernel runs.
        """
        level = self.data["levels"][0]
        caption = (
            f"{html_text(self.data['title'])}: a still picture of the explorer's first level "
            f"({html_text(level['title'])}). Run the notebook for the interactive explorer, or "
            "open the page that <code>explorer.save(\"page.html\")</code> writes in any browser."
        )
        encoded = base64.b64encode(png).decode("ascii")
        return (
            '<figure class="pathgrad-explorer-still">'
            f'<img src="data:image/png;base64,{encoded}" style="max-width: 100%" '
            f'alt="{html.escape(self.data["title"])}, {html.escape(level["title"])}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        bundle: dict[str, Any] = {}
        still = self._still  # what shows where no kernel runs
        if still is not None:
            bundle["image/svg+xml"], bundle["image/png"] = still
            bundle["text/html"] = self._still_html(still[1])
        try:
            shown = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        except PathgradImportError as missing:  # no anywidget: the still picture, and why
            bundle["text/plain"] = f"{self!r}\n{missing}"
            return bundle
        bundle.update(shown[0] if isinstance(shown, tuple) else shown)  # anywidget: (data, meta)
        bundle["text/plain"] = repr(self)
        return bundle

def explore(
    target: Value | Graph | Network,
    example: tuple[Any, Any] | None = None,
    *,
    levels: Sequence[str] | None = None,
    select: str | None = None,
    title: str | None = None,
    nudge_scale: float = 1.0,
    nudge_budget: int = DEFAULT_BUDGET,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int = DEFAULT_MAX_EDGES,
    engine: str | None = "auto",
) -> Explorer:
    """An :class:`Explorer` of ``target``: a cost Value, a Graph, a Network and ``(x, y)``, or a
    transformer and ``(tokens, position, token)``.

    - ``example``: the training example ``(x, y)`` when ``target`` is a Network; for a
      transformer, the tokens and the logit ``logit[position, token]`` to explore (with frozen
      attention; explore ``model.graph(...)`` itself for anything else).
    - ``levels``: for a Network, which of "neuron", "z" and "ops" to include (default all
      three), for a transformer "head" (one node per group of heads) and "ops" (every node);
      a level of more than ``max_nodes`` nodes is left out, with a note on the page.
    - ``select``: the name of a node to select when the page opens, typed (``"w^2_12"``) or as
      printed (``"w²₁₂"``); by default the page opens on the first named leaf (a network's
      first input ``a^1_1``) and its paths, so no panel starts empty.
    - ``title``: the page's title (text); by default it says what is explored.
    - ``nudge_scale``: the slider's largest nudge; it runs over ``±0.01..1 × nudge_scale``.
    - ``nudge_budget``: how much re-evaluation the true ``ΔC`` of each slider position may
      take (operand values read); past it the slider is offered for the nodes with the
      largest ``|∂C/∂node|`` only.
    - ``max_nodes``, ``max_edges``: a graph (or a network's level) with more nodes or edges
      is refused (left out, with a note, while another level of the network fits), counted
      before any of the page is made.
    - ``engine``: the Graphviz program for the layout of small graphs (as in ``pg.draw``).

    Equations 47-53 and BP1-BP4, to poke at: the page lists a clicked node's paths (51-53),
    carries a nudge forward (47-50) and steps the reverse sweep.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> e = (a + b) * (b + 1)
    >>> explorer = pg.explore(e, select="b")
    >>> explorer.levels, explorer.data["start"]["node"]
    (['graph'], 'b')
    >>> explorer.save("explorer.html")      # one page, offline, no Python  # doctest: +SKIP
    """
    scale = _positive_number(nudge_scale, "nudge_scale")
    whole_number(nudge_budget, "nudge_budget", least=0)
    whole_number(max_nodes, "max_nodes", least=1)
    whole_number(max_edges, "max_edges", least=1)
    _check_title(title)
    if engine is not None:
        one_of(engine, "engine", ("auto", *ENGINES))
    graphs, names, default_title, notes = _graphs(target, example, levels, (max_nodes, max_edges))
    steps = nudge_steps(scale)
    data: dict[str, Any] = {
        "title": title if title is not None else default_title,
        "nudge": {"steps": steps},
        "notes": notes,
        "levels": [
            level_data(graph, name, LEVEL_TITLES.get(name, name), steps, nudge_budget, engine)
            for graph, name in zip(graphs, names, strict=True)
        ],
        "start": {"level": 0, "node": None},
    }
    names = data["levels"][0]["nodes"]["name"]
    if select is not None:
        chosen = typed_name(select) if isinstance(select, str) else None
        if chosen not in names:
            raise ExplorerError(
                f"select={select!r} is not the name of a node of this graph; "
                f"{name_hint(str(select), [n for n in names if n])}"
            )
        data["start"]["node"] = chosen
    else:
        data["start"]["node"] = _opening_node(graphs[0])
    return Explorer(data, graphs, engine)


def _opening_node(graph: Graph) -> str | None:
    """The first named leaf in the book's order (a network's first input ``a^1_1``), or
    None."""
    named = [node.name for node in graph.nodes if not node.parents and node.name]
    return min(named, key=book_order, default=None)


def _graphs(target, example, levels, limits) -> tuple[list[Graph], list[str], str, list[str]]:
    if isinstance(target, Network):
        return _network_graphs(target, example, levels, limits)
    if is_model(target):
        return _model_graphs(target, example, levels, limits)
    if example is not None or levels is not None:
        raise ExplorerError(
            "example= and levels= are for a Network or a transformer: pg.explore(net, (x, y)), "
            "pg.explore(model, (tokens, position, token)); "
            f"a {type(target).__name__} is explored as it is"
        )
    if isinstance(target, Value):
        graph = Graph(target)
    elif isinstance(target, Graph):
        graph = target
    else:
        raise PathgradTypeError(
            "pg.explore takes a Value (the cost C), a Graph, a NetworkGraph, or a Network with "
            f"an example (pg.explore(net, (x, y))); got {type(target).__name__}"
        )
    _check_size(len(graph.nodes), graph.edge_count, limits)
    level = graph.level if isinstance(graph, NetworkGraph) else "graph"
    return [graph], [level], f"The graph of {graph.output.label}", []


def _network_graphs(net, example, levels, limits):
    if example is None or not isinstance(example, (tuple, list)) or len(example) != 2:
        raise ExplorerError(
            "a Network is explored on one example: pg.explore(net, (x, y)), with x the input "
            f"({net.sizes[0]} numbers) and y the desired output ({net.sizes[-1]} numbers or a "
            "class label)"
        )
    wanted = list(NETWORK_LEVELS if levels is None else levels)
    unknown = [level for level in wanted if level not in NETWORK_LEVELS]
    if unknown or not wanted:
        raise ExplorerError(
            f"levels={levels!r}: choose one or more of {', '.join(NETWORK_LEVELS)}"
        )
    x, y = example
    graphs, names, notes = [], [], []
    for level in wanted:
        size = graph_size(net.sizes, level, net.cost.name)  # counted, not built
        problem = _too_big(size.nodes, size.edges, limits)
        if problem:
            notes.append(f"The {level} level is left out: {problem}.")
            continue
        graphs.append(net.graph(x, y, level=level))
        names.append(level)
    if not graphs:
        size = graph_size(net.sizes, wanted[0], net.cost.name)
        _check_size(size.nodes, size.edges, limits)
    sizes = ", ".join(str(n) for n in net.sizes)
    return graphs, names, f"Network [{sizes}], one example", notes


def _model_graphs(model, example, levels, limits):
    tokens, position, token = model_example(example, "pg.explore")
    wanted = list(MODEL_LEVELS if levels is None else levels)
    unknown = [level for level in wanted if level not in MODEL_LEVELS]
    if unknown or not wanted:
        raise ExplorerError(f"levels={levels!r}: choose one or more of {', '.join(MODEL_LEVELS)}")
    run = model.run(tokens, frozen_attention=True)  # one run serves every level
    graphs, names, notes, sizes = [], [], [], []
    for level in wanted:
        graph = run.graph(position, token, level)
        sizes.append((len(graph.nodes), graph.edge_count))
        problem = _too_big(*sizes[-1], limits)
        if problem:
            notes.append(f"The {level} level is left out: {problem}.")
            continue
        graphs.append(graph)
        names.append(level)
    if not graphs:
        _check_size(*sizes[0], limits)
    title = f"{type(model).__name__}, logit[{position}, {token}] of tokens {list(tokens)}"
    return graphs, names, title, notes


def _too_big(nodes: int, edges: int, limits: tuple[int, int]) -> str | None:
    """What is past the limits ``(max_nodes, max_edges)``, in words, or None."""
    max_nodes, max_edges = limits
    if nodes > max_nodes:
        return f"{nodes:,} nodes, more than max_nodes={max_nodes:,}"
    if edges > max_edges:
        return f"{edges:,} edges, more than max_edges={max_edges:,}"
    return None


def _check_size(nodes: int, edges: int, limits: tuple[int, int]) -> None:
    problem = _too_big(nodes, edges, limits)
    if problem:
        limit = problem.rsplit(" ", 1)[-1].split("=")[0]
        raise TooLargeError(
            f"this graph has {problem}: the page would be slow and too big to read. Explore a "
            f"smaller network, the neuron level (levels=['neuron']), or raise {limit} if you "
            "really want it.",
            limit=limit,
        )


def _positive_number(value: object, name: str) -> float:
    number = real_number(value, name)
    if number <= 0:
        raise ExplorerError(f"{name} must be a positive finite number, got {value!r}")
    return number


def _check_title(title: object) -> None:
    if title is not None and not isinstance(title, str):
        raise ExplorerError(f"title must be text (a str), got {type(title).__name__} {title!r}")
