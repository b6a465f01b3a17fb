"""The ``pathgrad`` command: demo, paths, draw, explore, train and bench.

Each subcommand is a thin layer over the library: parse arguments, call, print. Every
argument is checked before any work is done or printed (numbers by their range, names by
their choices, output files by :func:`pathgrad.support.writing.check_output`, layer widths by
the size of what they would build), and every mistake, a damaged file, a refused size, a diverged
training run, a full disk or an exhausted memory is answered with one line on stderr and exit
status 2 (130 when interrupted).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from . import __version__, bench
from .book import data
from .book.activations import ACTIVATIONS
from .book.graph_sizes import DEFAULT_MAX_NODES, graph_size
from .book.losses import COSTS
from .book.network import INITS, LEVELS, Network
from .book.network_graphs import NetworkGraph
from .book.training import EpochRecord
from .drawing import DEFAULT_MAX_NODES as PICTURE_MAX_NODES
from .drawing import RenderError, draw, explore
from .drawing.engine import ENGINES, FORMATS
from .drawing.explorer import NETWORK_LEVELS
from .drawing.explorer.gallery_pages import write_explorer_gallery
from .drawing.explorer.nudge import DEFAULT_BUDGET
from .drawing.explorer.page import DEFAULT_MAX_NODES as EXPLORER_MAX_NODES
from .drawing.gallery import demo_example, demo_network, largest_paths, write_gallery
from .exchange import ModelGraph, from_onnx
from .gradcheck import check
from .graph import Graph
from .names import display_name
from .nn.fitting import fit
from .nn.modules import MLP
from .pathsums import cost_report, path_stats, paths, sample_paths, top_paths
from .pathsums.enumeration import Path as PathOfRates
from .pathsums.ranking import RANKINGS
from .pathsums.sampling import DEFAULT_MAX_N
from .support.arguments import real_number, whole_number
from .support.errors import PathgradError, PathgradValueError, TooLargeError
from .support.limits import DEFAULT_MAX_BYTES, check_limit, size_text
from .support.terminal import readable_streams
from .support.writing import check_output, check_output_folder, write_fresh_file


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def layer_sizes(text: str) -> list[int]:
    """``"2,3,2"`` as ``[2, 3, 2]``; anything else is refused with what it takes."""
    parts = [part.strip() for part in text.split(",")]
    bad = [i for i, part in enumerate(parts, 1) if not (part.isdigit() and int(part) > 0)]
    if len(parts) < 2 or bad:
        where = f" (part {bad[0]}, {parts[bad[0] - 1]!r}, is not)" if bad else ""
        raise argparse.ArgumentTypeError(
            f"takes at least two positive whole numbers separated by commas, such as 2,3,2; "
            f"got {text!r}{where}"
        )
    return [int(part) for part in parts]


def whole(least: int, most: int | None = None) -> Callable[[str], int]:
    """An argument type: a whole number from ``least`` to ``most``."""

    def parse(text: str) -> int:
        try:
            return whole_number(int(text), "it", least, most)
        except ValueError:
            span = f"from {least} to {most:,}" if most is not None else f">= {least}"
            raise argparse.ArgumentTypeError(
                f"takes a whole number {span}, got {text!r}"
            ) from None

    return parse


def real(least: float | None = None, above: float | None = None) -> Callable[[str], float]:
    """An argument type: a finite number, at least ``least`` or above ``above``."""

    def parse(text: str) -> float:
        try:
            return real_number(float(text), "it", least=least, above=above)
        except ValueError:
            span = f" >= {least:g}" if least is not None else f" > {above:g}"
            raise argparse.ArgumentTypeError(f"takes a finite number{span}, got {text!r}") from None

    return parse


def picture_file(text: str) -> str:
    """An argument type: a file name whose extension is a picture format pathgrad writes."""
    if Path(text).suffix.lower().lstrip(".") not in (*FORMATS, "dot", "gv"):
        raise argparse.ArgumentTypeError(
            f"takes a file name ending in .svg, .png, .pdf, .dot or .gv, got {text!r}"
        )
    return text


def page_file(text: str) -> str:
    """An argument type: a file name ending in .html."""
    if Path(text).suffix.lower() not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(f"takes a file name ending in .html, got {text!r}")
    return text


def run_demo(args: argparse.Namespace) -> int:
    """``pathgrad demo``: one weight of a [2, 3, 2] network, its paths to C and their sum."""
    graph = demo_network((2, 3, 2))
    weight = graph.find(args.weight)
    if args.picture:
        check_output(args.picture)
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
    _demo_picture(graph, routes, args.picture)
    return 0


def _demo_picture(graph: Graph, routes: list[PathOfRates], picture_path: str | None) -> None:
    """Save the demo's picture where asked, or else in a fresh private file in the temporary
    folder (never a fixed name there); a missing Graphviz is reported, never fatal."""
    if picture_path == "":
        return
    picture = draw(graph, highlight=routes, show_grad=True)
    try:
        if picture_path is None:
            saved = write_fresh_file(picture.render("svg"), "pathgrad-demo-", ".svg")
        else:
            saved = picture.save(picture_path)
    except RenderError as error:
        print(f"\nNo picture written ({error})")
        return
    print(f"\nPicture of these paths: {saved}")


def _network(args: argparse.Namespace) -> Network:
    """The network of ``--network FILE``, or of ``--sizes`` once its graph's size is checked
    (before the network is even made)."""
    if args.network:
        return Network.load(args.network)
    graph_size(args.sizes).check(args.max_nodes)
    return Network(args.sizes, seed=args.seed)


def run_paths(args: argparse.Namespace) -> int:
    graph: NetworkGraph
    if args.onnx:
        graph = onnx_graph(args)
        weight = graph.find(args.weight)
        print(f"{args.onnx}, the graph of {graph.output.label} for the given input: "
              f"{len(graph):,} nodes, {graph.edge_count:,} edges.\n")
    else:
        net = _network(args)
        x = np.random.default_rng(args.seed).random(net.sizes[0])
        graph = net.graph(x, 0, level="neuron", max_nodes=args.max_nodes)
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
    print(cost_report(graph, [p for p in graph.params() if p in graph]))
    return 0


def run_draw(args: argparse.Namespace) -> int:
    """``pathgrad draw``: the demo network with a weight's paths highlighted, or the gallery."""
    if args.gallery:
        check_output_folder(args.gallery)
        for file in write_gallery(args.gallery, args.engine):
            print(f"wrote {file}")
        return 0
    check_output(args.output)
    if args.onnx:
        graph: Graph = onnx_graph(args)
    else:
        size = graph_size(args.sizes, args.level)
        drawn = size.nodes - (size.parameters if args.hide_params else 0)
        check_limit(
            drawn, args.max_nodes, "max_nodes", f"{size}; its picture would have {drawn:,} nodes",
            "Nobody could read it: draw narrower layers, or hide the weights and biases "
            "(--hide-params)",
        )
        graph = demo_network(tuple(args.sizes), level=args.level)
    start = graph.find(args.weight)
    picture = draw(
        graph,
        highlight=largest_paths(graph, start, args.top),
        show_grad=args.grad,
        digits=args.digits,
        hide_params=args.hide_params,
        max_nodes=args.max_nodes,
        engine=args.engine,
    )
    out = picture.save(args.output)
    print(picture.caption)
    print(f"\nwrote {out}")
    return 0


def run_explore(args: argparse.Namespace) -> int:
    """``pathgrad explore``: a network as an interactive page (one self-contained HTML file)."""
    if args.gallery:
        check_output_folder(args.gallery)
        for file in write_explorer_gallery(args.gallery):
            print(f"wrote {file}")
        return 0
    check_output(args.output)
    if args.onnx:
        page = explore(onnx_graph(args), select=args.select, nudge_budget=args.nudge_budget,
                       max_nodes=args.max_nodes)
        out = page.save(args.output)
        print(f"{page!r}\nwrote {out}: open it in any browser (it needs no network)")
        return 0
    net = _network(args)
    example: tuple[Any, Any]
    if args.network:
        x = np.random.default_rng(args.seed).random(net.sizes[0])
        example = (x, 0 if net.sizes[-1] > 1 else [1.0])
    else:
        example = demo_example(tuple(args.sizes))
    explorer = explore(
        net, example, levels=args.levels, select=args.select, nudge_budget=args.nudge_budget,
        max_nodes=args.max_nodes,
    )
    out = explorer.save(args.output)
    print(f"{explorer!r}\nwrote {out}: open it in any browser (it needs no network)")
    return 0


def explore_levels(text: str) -> list[str]:
    """``"neuron,z"`` as ``["neuron", "z"]``, each one of the network levels."""
    levels = [part.strip() for part in text.split(",")]
    if not all(level in NETWORK_LEVELS for level in levels):
        raise argparse.ArgumentTypeError(
            f"takes levels separated by commas from {', '.join(NETWORK_LEVELS)}; got {text!r}"
        )
    return levels


#: Defaults of ``pathgrad train`` for each data set: sizes, epochs, mini-batch size, eta.
TRAIN_DEFAULTS = {
    "digits": ([64, 30, 10], 30, 10, 3.0),
    "xor": ([2, 3, 1], 3000, 4, 3.0),
}


def run_train(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """``pathgrad train``: load the data, train, print each epoch and the final accuracy.

    The heading is printed with the first epoch, so a refused set-up prints nothing else.
    """
    if args.model == "mlp" and args.lmbda:
        raise PathgradValueError("--lmbda is for --model network (the matrix engine); "
                                 "--model mlp trains without regularisation")
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
    mlp = MLP.from_network(net) if args.model == "mlp" else None
    shown = repr(net).replace("Network(", "MLP(", 1) + " of Values" if mlp else repr(net)
    every = max(1, epochs // 30)

    def report(record: EpochRecord) -> None:
        if record.epoch == 1:
            out(f"{shown}: {len(train)} training examples, {len(test)} test examples")
            out(f"epochs={epochs} mini-batch={batch} eta={eta} lmbda={args.lmbda}"
                + (f" momentum={args.momentum}" if mlp else ""))
        if record.epoch % every == 0 or record.epoch == epochs:
            out(
                f"epoch {record.epoch:>4}: cost {record.train_cost:.5f}  test accuracy "
                f"{record.test_accuracy:.2%}  ({record.seconds * 1000:.1f} ms)"
            )

    if mlp is not None:
        history = fit(mlp, train, epochs, batch, eta, momentum=args.momentum, cost=net.cost,
                      test_data=test, seed=args.seed, callback=report)
    else:
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


# -- a model from elsewhere: --onnx ---------------------------------------------------------


def input_file(text: str) -> tuple[str | None, str]:
    """``--input``: ``FILE.npy``, or ``NAME=FILE.npy`` for a model with several inputs."""
    name, _, path = text.rpartition("=")
    if not path.endswith(".npy"):
        raise argparse.ArgumentTypeError(
            f"takes a numpy file (.npy), or NAME=FILE.npy for one of several inputs; got {text!r}"
        )
    return name or None, path


def read_npy(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """A ``.npy`` file's array: its header checked against the file and ``max_bytes`` before
    its numbers are read, never a pickle."""
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError) as error:
        raise PathgradValueError(f"{path}: not a numpy array file (.npy) of numbers: "
                                 f"{str(error).splitlines()[0][:100]}") from None
    if not isinstance(mapped, np.ndarray):
        raise PathgradValueError(f"{path}: holds several arrays (.npz); give one .npy file")
    check_limit(mapped.nbytes, max_bytes, "max_bytes",
                f"{path}: an array of {mapped.shape} ({size_text(mapped.nbytes)})",
                "Use a smaller input")
    return np.array(mapped)


def onnx_graph(args: argparse.Namespace) -> ModelGraph:
    """The graph of ``--onnx FILE`` for the example of ``--input``: the number ``--index`` of
    the tensor ``--tensor`` (default: the model's output, and its largest number, so a
    classifier's predicted class)."""
    given = [(name, read_npy(path)) for name, path in args.input or []]
    inputs: Any = {name: array for name, array in given} if all(n for n, _ in given) else (
        given[0][1] if len(given) == 1 else None)
    if inputs is None:
        raise PathgradValueError("give --input FILE.npy for a model with one input, else "
                                 "--input NAME=FILE.npy for each")

    def pick(out: list[Any]) -> Any:
        if args.index is not None:
            if args.index >= len(out):
                raise PathgradValueError(f"--index {args.index}: the output has {len(out)} "
                                         f"numbers, 0 to {len(out) - 1}")
            return out[args.index]
        return max(out, key=lambda v: getattr(v, "data", -np.inf))

    # A picture and a page have limits of their own, which they check on the graph.
    limit = args.max_nodes if args.command == "paths" else DEFAULT_MAX_NODES
    return from_onnx(args.onnx, inputs, output=args.tensor, cost=pick, max_nodes=limit)


def _add_onnx_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "a model from elsewhere", "an ONNX model (PyTorch's, scikit-learn's, ...) in place of "
        "a network; needs pip install 'pathgrad[onnx]'")
    group.add_argument("--onnx", metavar="FILE", help="the model (.onnx)")
    group.add_argument("--input", type=input_file, action="append", metavar="[NAME=]FILE.npy",
                       help="the example: one .npy file per input of the model")
    group.add_argument("--tensor", default=None, metavar="NAME",
                       help="the tensor to explain (default: the model's output)")
    group.add_argument("--index", type=whole(0), default=None, metavar="J",
                       help="which of its numbers, counting from 0 (default: the largest)")


def _add_demo(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="the paths of one weight of a [2, 3, 2] network")
    demo.add_argument("--weight", default="w^2_12", help="node whose paths to list")
    demo.add_argument(
        "--picture", type=lambda text: text and picture_file(text), default=None,
        help="where to save the picture (default: a new private file in the temporary folder; "
             "'' for none)",
    )
    demo.set_defaults(handler=run_demo)


def _add_paths(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("paths", help="path count, statistics, top paths and costs")
    parser.add_argument("--weight", default="w^2_11", help="the weight whose paths to study")
    parser.add_argument("--sizes", type=layer_sizes, default=[2, 3, 2],
                        help="layer widths of the demo network, default 2,3,2")
    parser.add_argument("--network", help="a network saved with Network.save (.npz)")
    parser.add_argument("--top", type=whole(1), default=5, help="how many top paths to list")
    parser.add_argument("--by", default="abs", choices=RANKINGS,
                        help="rank paths by abs, positive or negative")
    parser.add_argument("--samples", type=whole(2, DEFAULT_MAX_N), default=1000,
                        help="random paths to sample")
    parser.add_argument("--seed", type=whole(0), default=0, help="for weights, input and sampling")
    parser.add_argument("--max-nodes", type=whole(1), default=DEFAULT_MAX_NODES,
                        help=f"refuse a larger graph, default {DEFAULT_MAX_NODES:,}")
    _add_onnx_options(parser)
    parser.set_defaults(handler=run_paths)


def _add_draw(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("draw", help="picture of the demo network with a weight's paths")
    parser.add_argument("--weight", default="w^2_12", help="node whose paths to highlight")
    parser.add_argument("--top", type=whole(0), default=3,
                        help="how many paths (0: all), default 3")
    parser.add_argument("--sizes", type=layer_sizes, default=[2, 3, 2],
                        help="layer widths, default 2,3,2")
    parser.add_argument("--level", default="neuron", choices=LEVELS,
                        help="neuron (default), z or ops")
    parser.add_argument("--grad", action="store_true", help="show ∂C/∂node in every node")
    parser.add_argument("--hide-params", action="store_true", help="leave out w and b nodes")
    parser.add_argument("--digits", type=whole(1, 17), default=3,
                        help="significant digits, default 3")
    parser.add_argument("-o", "--output", type=picture_file, default="paths.svg",
                        help=".svg .png .pdf or .dot")
    parser.add_argument("--engine", default="auto", choices=("auto", *ENGINES),
                        help="auto, dot or graphviz-pure")
    parser.add_argument("--max-nodes", type=whole(1), default=PICTURE_MAX_NODES,
                        help=f"refuse a larger picture, default {PICTURE_MAX_NODES}")
    parser.add_argument("--gallery", metavar="DIR", help="write the gallery pictures into DIR")
    _add_onnx_options(parser)
    parser.set_defaults(handler=run_draw)


def _add_explore(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("explore", help="a network as an interactive page (HTML)")
    parser.add_argument("--sizes", type=layer_sizes, default=[2, 3, 2],
                        help="layer widths of the network, default 2,3,2")
    parser.add_argument("--network", help="a network saved with Network.save (.npz)")
    parser.add_argument("--levels", type=explore_levels, default=None,
                        help="neuron, z, ops or several separated by commas (default all)")
    parser.add_argument("--select", help="the node selected when the page opens, e.g. w^2_12")
    parser.add_argument("--seed", type=whole(0), default=1, help="for the weights and the input")
    parser.add_argument("--nudge-budget", type=whole(0), default=DEFAULT_BUDGET,
                        help="work allowed for the true ΔC of the nudge slider")
    parser.add_argument("-o", "--output", type=page_file, default="explorer.html",
                        help="the page (.html)")
    parser.add_argument("--max-nodes", type=whole(1), default=EXPLORER_MAX_NODES,
                        help=f"leave out a level of more nodes, default {EXPLORER_MAX_NODES:,}")
    parser.add_argument("--gallery", metavar="DIR", help="write the gallery's pages into DIR")
    _add_onnx_options(parser)
    parser.set_defaults(handler=run_explore)


def _add_train(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train", help="train a network on digits or xor")
    train.add_argument("--data", default="digits", choices=tuple(TRAIN_DEFAULTS),
                       help="digits (default) or xor")
    train.add_argument("--sizes", type=layer_sizes, help="layer widths, e.g. 64,30,10")
    train.add_argument("--epochs", type=whole(1), help="default 30 (digits), 3000 (xor)")
    train.add_argument("--batch", type=whole(1),
                       help="mini-batch size, default 10 (digits), 4 (xor)")
    train.add_argument("--eta", type=real(above=0.0), help="learning rate, default 3.0")
    train.add_argument("--lmbda", type=real(least=0.0), default=0.0,
                       help="L2 regularisation, default 0")
    train.add_argument("--cost", default="quadratic", choices=tuple(COSTS),
                       help="quadratic or cross-entropy")
    train.add_argument("--activation", default="sigmoid", choices=tuple(ACTIVATIONS),
                       help="sigmoid, tanh, relu or linear")
    train.add_argument("--init", default="standard", choices=INITS,
                       help="standard N(0,1) or scaled N(0,1/n)")
    train.add_argument("--seed", type=whole(0), default=0,
                       help="for weights, split and shuffling")
    train.add_argument("--model", choices=("network", "mlp"), default="network",
                       help="network: the matrix engine (default); mlp: a pathgrad.nn.MLP of "
                            "Values, trained through its graph")
    train.add_argument("--momentum", type=real(least=0.0), default=0.0,
                       help="momentum of SGD for --model mlp, default 0")
    train.set_defaults(handler=run_train)


def bench_section(text: str) -> str:
    """A section of ``pathgrad bench``, or argparse's one-line refusal naming the choices."""
    if text not in bench.SECTIONS:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {text!r} (choose from {', '.join(map(repr, bench.SECTIONS))})"
        )
    return text


def _add_bench(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bench", help="pathgrad against its peers, side by side")
    # A type, not ``choices``: with nargs="*", Python 3.11's argparse checks the empty default
    # against the choices and refuses it.
    parser.add_argument("sections", nargs="*", type=bench_section,
                        help=f"{', '.join(bench.SECTIONS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.set_defaults(handler=run_bench)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pathgrad",
        description="Backpropagation as a sum over paths (Nielsen, NNDL chapter 2).",
    )
    parser.add_argument("--version", action="version", version=f"pathgrad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_demo, _add_bench, _add_paths, _add_draw, _add_explore, _add_train):
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit status (0, or 2 after a one-line error).

    What a command prints is held until it has finished: a command that fails (or is
    interrupted) prints nothing but its one line on stderr, and a warning raised meanwhile
    (numpy's, pathgrad's) is shown, one line each after the output, only when the command
    succeeds. Characters the
    terminal's encoding lacks are written plainly (``dC/dw^2_12``:
    :mod:`pathgrad.support.terminal`)."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((word for word in words if not word.startswith("-")), "")
    held = io.StringIO()
    with readable_streams():
        with warnings.catch_warnings(record=True) as caught, redirect_stdout(held):
            warnings.simplefilter("always")
            status = _main(words)
        if status != 0:  # the one line on stderr is all
            return status
        try:
            sys.stdout.write(held.getvalue())
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (| head): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        for warning in caught:
            print(f"pathgrad {command}: warning: {warning.message}", file=sys.stderr)
    return status


def _main(argv: Sequence[str]) -> int:
    """:func:`main`'s work: parse, run the command, answer a mistake with one line."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or argparse's one-line error
        return stop.code if isinstance(stop.code, int) else 2
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except TooLargeError as error:
        limit = error.limit or ""
        flag = f" (--{limit.replace('_', '-')})" if limit and hasattr(args, limit) else ""
        return _fail(args.command, f"{error}{flag}")
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (PathgradError, OSError) as error:
        return _fail(args.command, str(error))
    except MemoryError:
        return _fail(args.command, "out of memory: use smaller sizes or fewer samples")
    except KeyboardInterrupt:
        print(f"pathgrad {args.command}: interrupted", file=sys.stderr)
        return 130


def _fail(command: str, message: str) -> int:
    print(f"pathgrad {command}: error: {message}", file=sys.stderr)
    return 2



if __name__ == "__main__":
    sys.exit(main())
