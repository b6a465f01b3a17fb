"""The ``pathgrad`` command: demo, paths, draw, train and bench.

Each subcommand is a thin layer over the library: parse arguments, call, print.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import __version__


def demo_chain():
    """A chain of two sigmoid neurons with quadratic cost, named as in the book.

    ``x -> a^2_1 = σ(w^2_11 x + b^2_1) -> a^3_1 = σ(w^3_11 a^2_1 + b^3_1) -> C = ½(a^3_1 - y)²``
    """
    from .value import Value

    x = Value(1.0, name="a^1_1")
    w2, b2 = Value(0.6, name="w^2_11"), Value(-0.3, name="b^2_1")
    w3, b3 = Value(-1.2, name="w^3_11"), Value(0.4, name="b^3_1")
    z2 = w2 * x + b2
    z2.name = "z^2_1"
    a2 = z2.sigmoid()
    a2.name = "a^2_1"
    z3 = w3 * a2 + b3
    z3.name = "z^3_1"
    a3 = z3.sigmoid()
    a3.name = "a^3_1"
    cost = 0.5 * (a3 - 1.0) ** 2
    cost.name = "C"
    return cost


def run_demo(args: argparse.Namespace) -> int:
    from .check import check
    from .graph import Graph
    from .paths import count_paths, paths

    cost = demo_chain()
    graph = Graph(cost)
    print("A chain of two sigmoid neurons, C = ½(a³₁ - 1)², x = 1:\n")
    print("∂C/∂(each node) four ways: reverse sweep, forward sweep, sum over paths, eq. (46)\n")
    print(check(graph))
    weight = graph.find(args.weight)
    print(f"\nPaths from {weight.label} to C ({count_paths(weight, graph)} in all),")
    print("each with its rate factors and their product (equation 51):\n")
    total = 0.0
    for path in paths(weight, graph):
        print("  " + str(path))
        total += path.product
    print(f"\nSum over paths (equation 53): {total:.10g} = ∂C/∂{weight.label}")
    _demo_picture(graph, weight, args.picture)
    return 0


def _demo_picture(graph, weight, picture_path: str) -> None:
    """Save the demo's picture; a missing Graphviz is reported, never fatal to the demo."""
    if not picture_path:
        return
    from .draw import RenderError, draw
    from .paths import paths

    picture = draw(graph, highlight=list(paths(weight, graph)), show_grad=True)
    try:
        saved = picture.save(picture_path)
    except (RenderError, OSError) as error:
        print(f"\nNo picture written ({error})")
        return
    print(f"\nPicture of these paths: {saved}")


def run_bench(args: argparse.Namespace) -> int:
    from .bench import SECTIONS, run

    run(args.sections or SECTIONS, quick=args.quick)
    return 0


def run_draw(args: argparse.Namespace) -> int:
    from .draw.gallery import draw_command

    return draw_command(args)


def run_train(args: argparse.Namespace) -> int:
    from .training import train_command

    return train_command(args)


def run_paths(args: argparse.Namespace) -> int:
    import numpy as np

    from .cost import cost_report
    from .network import Network
    from .pathstats import path_stats, sample_paths, top_paths

    if args.network:
        net = Network.load(args.network)
    else:
        net = Network([int(n) for n in args.sizes.split(",")], seed=args.seed)
    x = np.random.default_rng(args.seed).random(net.sizes[0])
    graph = net.graph(x, 0, level="neuron")
    weight = graph.find(args.weight)
    print(f"Network {net.sizes}, neuron-level graph: {len(graph):,} nodes, "
          f"{graph.edge_count:,} edges; random input, target class 1.\n")
    print(path_stats(weight, graph))
    print(f"\nThe {args.top} paths with the largest |product| (by={args.by!r}), rate factors:")
    for path in top_paths(weight, graph, k=args.top, by=args.by):
        print(f"  {path}")
    print()
    print(sample_paths(weight, graph, n=args.samples, seed=args.seed, keep=0))
    print()
    print(cost_report(graph, graph.params()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pathgrad",
        description="Backpropagation as a sum over paths (Nielsen, NNDL chapter 2).",
    )
    parser.add_argument("--version", action="version", version=f"pathgrad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="check table and paths of a small sigmoid chain")
    demo.add_argument("--weight", default="w^2_11", help="node whose paths to list")
    demo.add_argument(
        "--picture",
        default=str(Path(tempfile.gettempdir()) / "pathgrad-demo.svg"),
        help="where to save the picture (default in the temp folder; '' for none)",
    )
    demo.set_defaults(handler=run_demo)

    bench = commands.add_parser("bench", help="pathgrad against its peers, side by side")
    bench.add_argument("sections", nargs="*", help="scalar, training, paths (default: all)")
    bench.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    bench.set_defaults(handler=run_bench)

    # Further subcommands (paths, draw, train) are added here.
    paths = commands.add_parser("paths", help="path count, statistics, top paths and costs")
    paths.add_argument("--weight", default="w^2_11", help="the weight whose paths to study")
    paths.add_argument("--sizes", default="2,3,2", help="layer widths of the demo network")
    paths.add_argument("--network", help="a network saved with Network.save (.npz)")
    paths.add_argument("--top", type=int, default=5, help="how many top paths to list")
    paths.add_argument("--by", default="abs", help="rank paths by abs, positive or negative")
    paths.add_argument("--samples", type=int, default=1000, help="random paths to sample")
    paths.add_argument("--seed", type=int, default=0, help="for weights, input and sampling")
    paths.set_defaults(handler=run_paths)
    draw = commands.add_parser("draw", help="picture of the demo network with a weight's paths")
    from .draw.gallery import add_arguments as add_draw_arguments

    add_draw_arguments(draw)
    draw.set_defaults(handler=run_draw)
    train = commands.add_parser("train", help="train a network on digits or xor (matrix engine)")
    train.add_argument("--data", default="digits", help="digits (default) or xor")
    train.add_argument("--sizes", help="layer widths, e.g. 64,30,10")
    train.add_argument("--epochs", type=int, help="default 30 (digits), 3000 (xor)")
    train.add_argument("--batch", type=int, help="mini-batch size, default 10 (digits), 4 (xor)")
    train.add_argument("--eta", type=float, help="learning rate, default 3.0")
    train.add_argument("--lmbda", type=float, default=0.0, help="L2 regularisation, default 0")
    train.add_argument("--cost", default="quadratic", help="quadratic or cross-entropy")
    train.add_argument("--activation", default="sigmoid", help="sigmoid, tanh, relu or linear")
    train.add_argument("--init", default="standard", help="standard N(0,1) or scaled N(0,1/n)")
    train.add_argument("--seed", type=int, default=0, help="for weights, split and shuffling")
    train.set_defaults(handler=run_train)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except (ValueError, TypeError, KeyError, FileNotFoundError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"pathgrad {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
