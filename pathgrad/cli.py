"""The ``pathgrad`` command: demo, paths, draw, train and bench.

Each subcommand is a thin layer over the library: parse arguments, call, print. A mistake is
answered with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import numpy as np

from . import __version__, bench
from .drawing import RenderError, draw
from .drawing.gallery import demo_network, largest_paths, write_gallery
from .errors import PathgradError, PathgradValueError
from .gradcheck import check
from .graph import Graph
from .names import display_name
from .nn import data
from .nn.network import Network
from .nn.training import EpochRecord
from .pathsums import cost_report, path_stats, paths, sample_paths, top_paths
from .value import Value


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def layer_sizes(text: str) -> list[int]:
    """``"2,3,2"`` as ``[2, 3, 2]``; anything else is refused with what it takes."""
    parts = text.split(",")
    if len(parts) < 2 or not all(part.strip().isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(
            f"takes at least two positive whole numbers separated by commas, such as 2,3,2; "
            f"got {text!r}"
        )
    return [int(part) for part in parts]


def run_demo(args: argparse.Namespace) -> int:
    """``pathgrad demo``: one weight of a [2, 3, 2] network, its paths to C and their sum."""
    graph = demo_network((2, 3, 2))
    weight = graph.find(args.weight)
    name = display_name(weight)
    routes = list(paths(weight, graph))
    print("A [2, 3, 2] network of sigmoid neurons, quadratic cost, one example:")
    print("x = (0.5, 0.9), y = (1, 0). Each edge's rate factor is ∂head/∂tail.\n")
    count = f"{len(routes)} path" + ("" if len(routes) == 1 else "s")
    print(f"A change in {name} reaches C along {count}. Along each, the change is")
    print("multiplied by every rate factor it crosses (equation 51):\n")
    for path in routes:
        print(f"  {path}")
    total = sum(path.product for path in routes)
    print(f"\nSum over the paths (equation 53): {total:.10g} = ∂C/∂{name}")
    print("\nEvery weight and bias four ways: reverse sweep (backpropagation), forward sweep,")
    print("sum over paths, and a central difference (equation 46, refined):\n")
    print(check(graph, graph.params()))
    _demo_picture(graph, weight, args.picture)
    return 0


def _demo_picture(graph: Graph, weight: Value, picture_path: str) -> None:
    """Save the demo's picture; a missing Graphviz is reported, never fatal to the demo."""
    if not picture_path:
        return
    picture = draw(graph, highlight=list(paths(weight, graph)), show_grad=True)
    try:
        saved = picture.save(picture_path)
    except (RenderError, OSError) as error:
        print(f"\nNo picture written ({error})")
        return
    print(f"\nPicture of these paths: {saved}")


def run_paths(args: argparse.Namespace) -> int:
    net = Network.load(args.network) if args.network else Network(args.sizes, seed=args.seed)
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


def run_draw(args: argparse.Namespace) -> int:
    """``pathgrad draw``: the demo network with a weight's paths highlighted, or the gallery."""
    if args.gallery:
        for file in write_gallery(args.gallery, args.engine):
            print(f"wrote {file}")
        return 0
    graph = demo_network(tuple(args.sizes), level=args.level)
    start = graph.find(args.weight)
    picture = draw(
        graph,
        highlight=largest_paths(graph, start, args.top),
        show_grad=args.grad,
        digits=args.digits,
        hide_params=args.hide_params,
        engine=args.engine,
    )
    out = picture.save(args.output)
    print(picture.caption)
    print(f"\nwrote {out}")
    return 0


#: Defaults of ``pathgrad train`` for each data set: sizes, epochs, mini-batch size, eta.
TRAIN_DEFAULTS = {
    "digits": ([64, 30, 10], 30, 10, 3.0),
    "xor": ([2, 3, 1], 3000, 4, 3.0),
}


def run_train(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """``pathgrad train``: load the data, train, print each epoch and the final accuracy."""
    if args.data not in TRAIN_DEFAULTS:
        raise PathgradValueError(
            f"unknown data set {args.data!r}; choose from {', '.join(TRAIN_DEFAULTS)}"
        )
    sizes, epochs, batch, eta = TRAIN_DEFAULTS[args.data]
    sizes = args.sizes or sizes
    epochs = args.epochs if args.epochs is not None else epochs
    batch = args.batch if args.batch is not None else batch
    eta = args.eta if args.eta is not None else eta
    if args.data == "digits":
        train, test = data.digits(seed=args.seed)
    else:
        train = test = data.xor()
    net = Network(sizes, activation=args.activation, cost=args.cost, init=args.init, seed=args.seed)
    out(f"{net}: {len(train)} training examples, {len(test)} test examples")
    out(f"epochs={epochs} mini-batch={batch} eta={eta} lmbda={args.lmbda}")
    every = max(1, epochs // 30)

    def report(record: EpochRecord) -> None:
        if record.epoch % every == 0 or record.epoch == epochs:
            out(
                f"epoch {record.epoch:>4}: cost {record.train_cost:.5f}  test accuracy "
                f"{record.test_accuracy:.2%}  ({record.seconds * 1000:.1f} ms)"
            )

    history = net.sgd(
        train, epochs, batch, eta, lmbda=args.lmbda, test_data=test, seed=args.seed,
        callback=report,
    )
    accuracy = history.final_accuracy or 0.0
    total = sum(r.seconds for r in history)
    out(f"final test accuracy: {accuracy:.2%} ({round(accuracy * len(test))}/{len(test)}); "
        f"training took {total:.2f} s")
    return 0


def run_bench(args: argparse.Namespace) -> int:
    bench.run(args.sections or tuple(bench.SECTIONS), quick=args.quick)
    return 0


def _add_demo(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="the paths of one weight of a [2, 3, 2] network")
    demo.add_argument("--weight", default="w^2_12", help="node whose paths to list")
    demo.add_argument(
        "--picture",
        default=str(Path(tempfile.gettempdir()) / "pathgrad-demo.svg"),
        help="where to save the picture (default in the temp folder; '' for none)",
    )
    demo.set_defaults(handler=run_demo)


def _add_paths(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("paths", help="path count, statistics, top paths and costs")
    parser.add_argument("--weight", default="w^2_11", help="the weight whose paths to study")
    parser.add_argument("--sizes", type=layer_sizes, default=[2, 3, 2],
                        help="layer widths of the demo network, default 2,3,2")
    parser.add_argument("--network", help="a network saved with Network.save (.npz)")
    parser.add_argument("--top", type=int, default=5, help="how many top paths to list")
    parser.add_argument("--by", default="abs", help="rank paths by abs, positive or negative")
    parser.add_argument("--samples", type=int, default=1000, help="random paths to sample")
    parser.add_argument("--seed", type=int, default=0, help="for weights, input and sampling")
    parser.set_defaults(handler=run_paths)


def _add_draw(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("draw", help="picture of the demo network with a weight's paths")
    parser.add_argument("--weight", default="w^2_12", help="node whose paths to highlight")
    parser.add_argument("--top", type=int, default=3, help="how many paths (0: all), default 3")
    parser.add_argument("--sizes", type=layer_sizes, default=[2, 3, 2],
                        help="layer widths, default 2,3,2")
    parser.add_argument("--level", default="neuron", help="neuron (default), z or ops")
    parser.add_argument("--grad", action="store_true", help="show ∂C/∂node in every node")
    parser.add_argument("--hide-params", action="store_true", help="leave out w and b nodes")
    parser.add_argument("--digits", type=int, default=3, help="significant digits, default 3")
    parser.add_argument("-o", "--output", default="paths.svg", help=".svg .png .pdf or .dot")
    parser.add_argument("--engine", default="auto", help="auto, dot or graphviz-pure")
    parser.add_argument("--gallery", metavar="DIR", help="write the gallery pictures into DIR")
    parser.set_defaults(handler=run_draw)


def _add_train(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train", help="train a network on digits or xor (matrix engine)")
    train.add_argument("--data", default="digits", help="digits (default) or xor")
    train.add_argument("--sizes", type=layer_sizes, help="layer widths, e.g. 64,30,10")
    train.add_argument("--epochs", type=int, help="default 30 (digits), 3000 (xor)")
    train.add_argument("--batch", type=int, help="mini-batch size, default 10 (digits), 4 (xor)")
    train.add_argument("--eta", type=float, help="learning rate, default 3.0")
    train.add_argument("--lmbda", type=float, default=0.0, help="L2 regularisation, default 0")
    train.add_argument("--cost", default="quadratic", help="quadratic or cross-entropy")
    train.add_argument("--activation", default="sigmoid", help="sigmoid, tanh, relu or linear")
    train.add_argument("--init", default="standard", help="standard N(0,1) or scaled N(0,1/n)")
    train.add_argument("--seed", type=int, default=0, help="for weights, split and shuffling")
    train.set_defaults(handler=run_train)


def _add_bench(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bench", help="pathgrad against its peers, side by side")
    parser.add_argument("sections", nargs="*", help="scalar, training, paths (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.set_defaults(handler=run_bench)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pathgrad",
        description="Backpropagation as a sum over paths (Nielsen, NNDL chapter 2).",
    )
    parser.add_argument("--version", action="version", version=f"pathgrad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_demo, _add_bench, _add_paths, _add_draw, _add_train):
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except (PathgradError, OSError) as error:
        print(f"pathgrad {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
