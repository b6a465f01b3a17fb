"""Pictures of rate-factor graphs: Graphviz drawings of nodes, rate factors and paths.

``draw(graph)`` gives a :class:`Picture` built with the ``graphviz`` package: DOT text
(``.source``), files by extension (``.save("paths.svg")``, ``.png``, ``.pdf``, ``.dot``) and an
inline picture in Jupyter. Highlight one path or many (``highlight=pg.top_paths(w, C, k=3)``),
show ``∂C/∂node`` (``show_grad``), hide weights and biases (``hide_params``).
``draw_reverse_sweep`` and ``draw_forward_sweep`` show backpropagation and the forward sweep
filling in the graph one node at a time.

Modules: :mod:`.scene` (nodes, edges and their attributes, and the layer columns),
:mod:`.graph_pictures` (``draw`` and highlighting), :mod:`.sweep_pictures`, :mod:`.engine`
(``dot`` or the pip-installable ``graphviz-pure``), :mod:`.picture`, :mod:`.gallery` (the
committed pictures). Book names as ``w²₁₂`` come from :mod:`pathgrad.names`. ``explore(graph)``
gives an :class:`Explorer`: the graph as an interactive page and Jupyter widget
(:mod:`.explorer`).
"""

from ..names import gradient_name, pretty
from .engine import EngineNotFoundError, RenderError, find_engine
from .explorer import Explorer, ExplorerError, explore
from .graph_pictures import DEFAULT_MAX_NODES, GraphTooBigError, draw, match_paths
from .picture import Picture
from .sweep_pictures import draw_forward_sweep, draw_reverse_sweep, reverse_sweep_steps

__all__ = [
    "DEFAULT_MAX_NODES",
    "EngineNotFoundError",
    "Explorer",
    "ExplorerError",
    "GraphTooBigError",
    "Picture",
    "RenderError",
    "draw",
    "draw_forward_sweep",
    "draw_reverse_sweep",
    "explore",
    "find_engine",
    "gradient_name",
    "match_paths",
    "pretty",
    "reverse_sweep_steps",
]
