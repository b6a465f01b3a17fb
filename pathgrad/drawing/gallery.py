"""The pictures behind ``pathgrad draw``, ``pathgrad demo`` and the committed gallery.

The gallery under ``notebooks/gallery/`` is made by ``pathgrad draw --gallery notebooks/gallery``
(or ``python -m pathgrad.drawing.gallery notebooks/gallery``): the demo network ``[2, 3, 2]`` with
one path and with the top three, ``[4, 5, 3]`` with its weights hidden, one sigmoid neuron at
the level of elementary operations, and two steps of each sweep.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path as FilePath

from ..book.network import Network
from ..book.network_graphs import NetworkGraph
from ..graph import Graph
from ..pathsums.enumeration import Path, paths
from ..pathsums.ranking import top_paths
from ..support.writing import write_file
from ..value import Value
from .graph_pictures import draw
from .picture import Picture
from .sweep_pictures import draw_forward_sweep, draw_reverse_sweep, reverse_sweep_steps

DEMO_X = [[0.5], [0.9]]


def demo_example(sizes: tuple[int, ...]) -> tuple[list[list[float]], list[list[float]]]:
    """The fixed example ``(x, y)`` the demo networks are drawn and explored with."""
    x = [[0.5 + 0.4 * (k % 2)] for k in range(sizes[0])] if sizes[0] != 2 else DEMO_X
    y = [[1.0 if j == 0 else 0.0] for j in range(sizes[-1])]
    return x, y


def demo_network(
    sizes: tuple[int, ...] = (2, 3, 2), level: str = "neuron", seed: int = 1
) -> NetworkGraph:
    """The network the CLI draws: ``pg.Network(sizes, seed)`` at ``level``, one fixed example."""
    return Network(list(sizes), seed=seed).graph(*demo_example(sizes), level=level)


def largest_paths(graph: Graph, start: Value, k: int) -> list[Path]:
    """The ``k`` paths from ``start`` with the largest |product| (all of them when ``k`` is 0)."""
    if k:
        return top_paths(start, graph, k)
    return sorted(paths(start, graph), key=lambda p: -abs(p.product))


def sigmoid_neuron() -> Graph:
    """One sigmoid neuron with two inputs and quadratic cost, every elementary operation a node.

    ``C = ½ (σ(w^2_11 a^1_1 + w^2_12 a^1_2 + b^2_1) - y)²`` with ``y = 1``.
    """
    a1, a2 = Value(0.5, name="a^1_1"), Value(0.9, name="a^1_2")
    w1, w2, b = Value(0.8, name="w^2_11"), Value(-0.4, name="w^2_12"), Value(0.1, name="b^2_1")
    z = w1 * a1 + w2 * a2 + b
    z.name = "z^2_1"
    a = z.sigmoid()
    a.name = "a^2_1"
    cost = 0.5 * (a - 1.0) ** 2
    cost.name = "C"
    return Graph(cost)


def pictures() -> dict[str, Picture]:
    """Every gallery picture by file stem."""
    small = demo_network((2, 3, 2))
    wide = demo_network((4, 5, 3))
    neuron = sigmoid_neuron()
    w = small["w^2_12"]
    steps = reverse_sweep_steps(neuron)
    return {
        "network-2-3-2-one-path": draw(
            small, highlight=largest_paths(small, w, 1)[0], title="One path from w²₁₂ to C"
        ),
        "network-2-3-2-top-3-paths": draw(
            small,
            highlight=largest_paths(small, small["a^1_1"], 3),
            title="The 3 largest of the 6 paths from a¹₁ to C",
        ),
        "network-2-3-2-z-level-gradients": draw(
            demo_network((2, 3, 2), level="z"), show_grad=True, title="z level: δ in every z node"
        ),
        "network-4-5-3-top-3-paths": draw(
            wide,
            highlight=largest_paths(wide, wide["a^1_1"], 3),
            hide_params=True,
            title="[4, 5, 3], weights hidden: the 3 largest paths from a¹₁",
        ),
        "sigmoid-neuron-ops": draw(
            neuron, show_grad=True, title="One sigmoid neuron, every elementary operation"
        ),
        "sigmoid-neuron-reverse-sweep-step-3": draw_reverse_sweep(neuron, 3),
        "sigmoid-neuron-reverse-sweep-done": draw_reverse_sweep(neuron, steps),
        "sigmoid-neuron-forward-sweep-step-3": draw_forward_sweep(neuron, "w^2_12", 3),
    }


def write_gallery(folder: str | FilePath, engine: str | None = "auto") -> list[FilePath]:
    """Write every gallery picture as SVG and PNG into ``folder``; return the files.

    Every picture is rendered before the first file is written, so a gallery that cannot be
    finished (no Graphviz program, one that fails) leaves nothing behind.
    """
    rendered = {
        f"{stem}.{ext}": picture.render(ext, engine=engine)
        for stem, picture in pictures().items()
        for ext in ("svg", "png")
    }
    target = FilePath(folder)
    target.mkdir(parents=True, exist_ok=True)
    return [write_file(target / name, data) for name, data in rendered.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pathgrad.drawing.gallery")
    parser.add_argument("folder", nargs="?", default="notebooks/gallery")
    args = parser.parse_args(argv)
    for file in write_gallery(args.folder):
        print(f"wrote {file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
