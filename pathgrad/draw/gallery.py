"""The pictures behind ``pathgrad draw``, ``pathgrad demo`` and the committed gallery.

The gallery under ``notebooks/gallery/`` is made by ``pathgrad draw --gallery notebooks/gallery``
(or ``python -m pathgrad.draw.gallery notebooks/gallery``): the demo network ``[2, 3, 2]`` with
one path and with the top three, ``[4, 5, 3]`` with its weights hidden, one sigmoid neuron at
the level of elementary operations, and two steps of each sweep.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path as FilePath

from ..graph import Graph
from ..paths import Path, paths
from .core import draw
from .examples import book_network, sigmoid_neuron
from .picture import Picture
from .sweeps import draw_forward_sweep, draw_reverse_sweep, reverse_sweep_steps

DEMO_X = [[0.5], [0.9]]
DEMO_Y = [[1.0], [0.0]]


def demo_network(sizes: tuple[int, ...] = (2, 3, 2), level: str = "neuron", seed: int = 1) -> Graph:
    """The network the CLI draws: ``pg.Network(sizes, seed)`` when there is one, at ``level``."""
    try:
        from ..network import Network
    except ImportError:
        return book_network(sizes, level=level, seed=seed)
    x = [[0.5 + 0.4 * (k % 2)] for k in range(sizes[0])] if sizes[0] != 2 else DEMO_X
    y = [[1.0 if j == 0 else 0.0] for j in range(sizes[-1])]
    return Network(list(sizes), seed=seed).graph(x, y, level=level)


def largest_paths(graph: Graph, start, k: int) -> list[Path]:
    """The ``k`` paths from ``start`` with the largest |product| (all of them when ``k`` is 0)."""
    try:
        from ..pathstats import top_paths
    except ImportError:
        top_paths = None
    if k and top_paths is not None:
        return list(top_paths(start, graph, k))
    ranked = sorted(paths(start, graph), key=lambda p: -abs(p.product))
    return ranked[:k] if k else ranked


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
    """Write every gallery picture as SVG and PNG into ``folder``; return the files."""
    target = FilePath(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, picture in pictures().items():
        for ext in ("svg", "png"):
            written.append(picture.save(target / f"{stem}.{ext}", engine=engine))
    return written


def draw_command(args: argparse.Namespace) -> int:
    """``pathgrad draw``: the demo network with a weight's paths highlighted, or the gallery."""
    if args.gallery:
        for file in write_gallery(args.gallery, args.engine):
            print(f"wrote {file}")
        return 0
    sizes = tuple(int(s) for s in args.sizes.split(","))
    graph = demo_network(sizes, level=args.level)
    start = graph.find(args.weight)
    chosen = largest_paths(graph, start, args.top)
    picture = draw(
        graph,
        highlight=chosen,
        show_grad=args.grad,
        digits=args.digits,
        hide_params=args.hide_params,
        engine=args.engine,
    )
    out = picture.save(args.output)
    print(picture.caption)
    print(f"\nwrote {out}")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``pathgrad draw``."""
    parser.add_argument("--weight", default="w^2_12", help="node whose paths to highlight")
    parser.add_argument("--top", type=int, default=3, help="how many paths (0: all), default 3")
    parser.add_argument("--sizes", default="2,3,2", help="layer widths, default 2,3,2")
    parser.add_argument("--level", default="neuron", help="neuron (default), z or ops")
    parser.add_argument("--grad", action="store_true", help="show ∂C/∂node in every node")
    parser.add_argument("--hide-params", action="store_true", help="leave out w and b nodes")
    parser.add_argument("--digits", type=int, default=3, help="significant digits, default 3")
    parser.add_argument("-o", "--output", default="paths.svg", help=".svg .png .pdf or .dot")
    parser.add_argument("--engine", default="auto", help="auto, dot or graphviz-pure")
    parser.add_argument("--gallery", metavar="DIR", help="write the gallery pictures into DIR")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pathgrad.draw.gallery")
    parser.add_argument("folder", nargs="?", default="notebooks/gallery")
    args = parser.parse_args(argv)
    for file in write_gallery(args.folder):
        print(f"wrote {file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
