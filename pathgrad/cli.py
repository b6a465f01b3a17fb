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
import math
import os
import re
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
from .book.training import EpochRecord, as_dataset
from .drawing import DEFAULT_MAX_NODES as PICTURE_MAX_NODES
from .drawing import RenderError, draw, explore
from .drawing.engine import ENGINES, FORMATS
from .drawing.explorer import NETWORK_LEVELS
from .drawing.explorer.gallery_pages import write_explorer_gallery
from .drawing.explorer.nudge import DEFAULT_BUDGET
from .drawing.explorer.page import DEFAULT_MAX_NODES as EXPLORER_MAX_NODES
from .drawing.gallery import demo_example, largest_paths, write_gallery
from .exchange import ModelGraph, from_onnx
from .gradcheck import check
from .graph import Graph
from .names import display_name
from .nn.fitting import fit
from .nn.modules import MLP
from .pathsums import cost_report, path_numbers, path_stats, paths, sample_paths, top_paths
from .pathsums.enumeration import Path as PathOfRates
from .pathsums.ranking import RANKINGS
from .pathsums.sampling import DEFAULT_MAX_N
from .support.arguments import real_number, whole_number
from .support.errors import PathgradError, PathgradValueError, TooLargeError
from .support.limits import DEFAULT_MAX_BYTES, check_limit, size_text
from .support.terminal import readable_streams
from .support.writing import (
    check_output,
    check_output_folder,
    write_fresh_file,
    write_new_file,
)


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


def numbers(text: str) -> list[float]:
    """``"0.5,0.9"`` as ``[0.5, 0.9]``: finite numbers separated by commas."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if not values or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(
            f"takes finite numbers separated by commas, such as 0.5,0.9; got {text!r} "
            "(write a negative first number as --x=-0.5,0.9)"
        )
    return values


#: The network and the example every command shows when none is given:
#: ``pg.Network([2, 3, 2], seed=1).graph([0.5, 0.9], [1, 0])``.
DEFAULT_SIZES = [2, 3, 2]
DEFAULT_SEED = 1
DEFAULT_NODE = "w^2_12"


def add_network_options(parser: argparse.ArgumentParser) -> argparse._MutuallyExclusiveGroup:
    """The options of every command that builds a network: the same names, the same defaults,
    the same numbers for the same options (see :func:`network_and_example`).

    Returns the group of the network's sources (``--sizes`` or ``--network``), where another
    source (a model file of another format) joins as one more option, exclusive of the rest.
    """
    group = parser.add_argument_group(
        "the network and its example (the same options for demo, paths, draw and explore)"
    )
    source = group.add_mutually_exclusive_group()
    source.add_argument("--sizes", type=layer_sizes,
                        help="layer widths of a new network of sigmoid neurons with the "
                             "quadratic cost, default 2,3,2")
    source.add_argument("--network", metavar="FILE",
                        help="a saved network instead: `pathgrad train --save FILE` writes one")
    group.add_argument("--seed", type=whole(0),
                       help=f"seed of a new network's random weights, default {DEFAULT_SEED}")
    group.add_argument("--x", type=numbers, metavar="X1,X2,...",
                       help="the input, one number per input neuron, default 0.5,0.9 "
                            "(0.5 and 0.9 in turn)")
    group.add_argument("--y", type=numbers, metavar="Y1,Y2,...",
                       help="the desired output, one number per output neuron, default 1,0 "
                            "(1, then 0s)")
    return source


def network_and_example(
    args: argparse.Namespace, check_size: Callable[[list[int]], None] = lambda sizes: None
) -> tuple[Network, list[float], list[float]]:
    """The network and example the options name: ``--network FILE``, or
    ``Network(--sizes, seed=--seed)``, with ``--x`` and ``--y`` (default: the demo example).

    ``check_size(sizes)`` refuses a network too big for the command before it is made.
    Options that would be ignored are refused instead.
    """
    onnx_only = [option for option, name in (("--input", "input"), ("--tensor", "tensor"),
                                              ("--index", "index"))
                 if getattr(args, name, None) is not None]
    if onnx_only:
        raise PathgradValueError(
            f"{', '.join(onnx_only)} go{'es' * (len(onnx_only) == 1)} with --onnx FILE, a model "
            "from elsewhere: give --onnx, or leave them out"
        )
    if args.network:
        if args.seed is not None:
            raise PathgradValueError(
                "--seed makes the random weights of a new network (--sizes); the network of "
                "--network has its own: leave out --seed"
            )
        net = Network.load(args.network)
        check_size(net.sizes)
    else:
        sizes = args.sizes or DEFAULT_SIZES
        check_size(sizes)
        net = Network(sizes, seed=DEFAULT_SEED if args.seed is None else args.seed)
    x_default, y_default = demo_example(tuple(net.sizes))
    x = args.x if args.x is not None else [row[0] for row in x_default]
    y = args.y if args.y is not None else [row[0] for row in y_default]
    for option, given, layer, where in (("--x", x, net.sizes[0], "input"),
                                        ("--y", y, net.sizes[-1], "output")):
        if len(given) != layer:
            raise PathgradValueError(
                f"{option} has {len(given)} number{'s' * (len(given) != 1)} but the network's "
                f"{where} layer has {layer} neuron{'s' * (layer != 1)}: give {layer}, "
                "separated by commas"
            )
    return net, x, y


def describe(net: Network, args: argparse.Namespace, x: list[float], y: list[float]) -> str:
    """One line saying which network and example a command shows."""
    kinds = sorted({layer.uniform.name if layer.uniform else "mixed" for layer in net.layers})
    if args.network:
        made = f"from {args.network}"
    else:
        made = f"seed {DEFAULT_SEED if args.seed is None else args.seed}"
    return (f"Network {net.sizes} ({made}; {', '.join(kinds)} neurons, {net.cost.name} cost), "
            f"one example: x = ({', '.join(f'{v:g}' for v in x)}), "
            f"y = ({', '.join(f'{v:g}' for v in y)})")


def _graph_size_check(level: str, max_nodes: int) -> Callable[[list[int]], None]:
    """Refuse a network whose graph at ``level`` has more than ``max_nodes`` nodes, counted
    from the widths before anything is made."""

    def check_graph(sizes: list[int]) -> None:
        size = graph_size(sizes, level)
        check_limit(size.nodes, max_nodes, "max_nodes", str(size), "Use narrower layers")

    return check_graph


def network_file(text: str) -> str:
    """An argument type: a file name ending in .npz."""
    if Path(text).suffix.lower() != ".npz":
        raise argparse.ArgumentTypeError(f"takes a file name ending in .npz, got {text!r}")
    return text


def run_demo(args: argparse.Namespace) -> int:
    """``pathgrad demo``: one weight of the network, its paths to C and their sum."""
    if args.picture:
        check_output(args.picture)
    net, x, y = network_and_example(args, _graph_size_check("neuron", DEFAULT_MAX_NODES))
    graph = net.graph(x, y, level="neuron")
    weight = graph.find(args.weight)
    name = display_name(weight)
    routes = list(paths(weight, graph))
    print(describe(net, args, x, y) + ".")
    print("Each edge's rate factor is ∂head/∂tail.\n")
    count = f"{len(routes)} path" + ("" if len(routes) == 1 else "s")
    print(f"A change in {name} reaches C along {count}. Along each, the change is")
    print("multiplied by every rate factor it crosses (equation 51):\n")
    for number, path in enumerate(routes, 1):
        print(f"  #{number} {path}")
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
        print(f"\nNo picture written ({cli_words(str(error))})")
        return
    print(f"\nPicture of these paths: {saved}")


def run_paths(args: argparse.Namespace) -> int:
    """``pathgrad paths``: count, statistics, top paths, a sample and the cost of each method."""
    graph: Graph
    if args.onnx:
        graph = onnx_graph(args)
        weight = graph.find(args.weight)
        print(f"{args.onnx}, the graph of {graph.output.label} for the given input: "
              f"{len(graph):,} nodes, {graph.edge_count:,} edges.\n")
    else:
        net, x, y = network_and_example(args, _graph_size_check("neuron", args.max_nodes))
        graph = net.graph(x, y, level="neuron", max_nodes=args.max_nodes)
        weight = graph.find(args.weight)
        print(describe(net, args, x, y) + ".")
        print(f"Neuron-level graph: {len(graph):,} nodes, {graph.edge_count:,} edges.\n")
    print(path_stats(weight, graph))
    print(f"\nThe {args.top} paths with the largest |product| (--by {args.by}), "
          "each with its number among all the paths, and its rate factors:")
    top = top_paths(weight, graph, k=args.top, by=args.by)
    for number, path in zip(path_numbers(top, graph), top, strict=True):
        print(f"  #{number} {path}")
    print()
    print(sample_paths(weight, graph, n=args.samples, seed=args.sample_seed, keep=0))
    print()
    print(cost_report(graph, [p for p in graph.params() if p in graph]))
    return 0


def _picture_size_check(args: argparse.Namespace, hidden: bool) -> Callable[[list[int]], None]:
    def check_picture(sizes: list[int]) -> None:
        size = graph_size(sizes, args.level)
        drawn = size.nodes - (size.parameters if hidden else 0)
        check_limit(
            drawn, args.max_nodes, "max_nodes", f"{size}; its picture would have {drawn:,} nodes",
            "Nobody could read it: draw narrower layers"
            + ("" if hidden else ", or hide the weights and biases (--hide-params)"),
        )

    return check_picture


def run_draw(args: argparse.Namespace) -> int:
    """``pathgrad draw``: the network with a node's paths highlighted, or the gallery."""
    if args.gallery:
        check_output_folder(args.gallery)
        for file in write_gallery(args.gallery, args.engine):
            print(f"wrote {file}")
        return 0
    if args.output:
        check_output(args.output)
    hidden = args.hide_params or (not args.show_params and args.level != "ops")
    graph: Graph
    if args.onnx:
        graph = onnx_graph(args)
        shown = f"{args.onnx}, the graph of {graph.output.label} for the given input."
    else:
        net, x, y = network_and_example(args, _picture_size_check(args, hidden))
        graph = net.graph(x, y, level=args.level)
        shown = describe(net, args, x, y) + "."
    start = graph.find(args.weight)
    picture = draw(
        graph,
        highlight=largest_paths(graph, start, args.top),
        show_grad=args.grad,
        digits=args.digits,
        hide_params=hidden,
        max_nodes=args.max_nodes,
        engine=args.engine,
    )
    if args.output:
        out = picture.save(args.output)
    else:
        out = write_new_file(DEFAULT_PICTURE, picture.render("svg"))
    print(shown + "\n")
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
    if args.output:
        check_output(args.output)
    if args.onnx:
        if args.levels is not None:
            raise PathgradValueError("--levels picks the levels of a network's graph; a model "
                                     "from elsewhere (--onnx) has one graph: leave it out")
        explorer = explore(onnx_graph(args), select=args.select,
                           nudge_budget=args.nudge_budget, max_nodes=args.max_nodes)
        shown = f"{args.onnx}, the graph of the chosen output for the given input"
    else:
        net, x, y = network_and_example(args, _graph_size_check("neuron", args.max_nodes))
        explorer = explore(
            net, (x, y), levels=args.levels, select=args.select,
            nudge_budget=args.nudge_budget, max_nodes=args.max_nodes,
        )
        shown = describe(net, args, x, y)
    if args.output:
        out = explorer.save(args.output)
    else:
        out = write_new_file(DEFAULT_PAGE, explorer.html().encode("utf-8"))
    levels = ", ".join(f"{level['level']} ({len(level['nodes']['value']):,} nodes)"
                       for level in explorer.data["levels"])
    print(shown + f"; levels: {levels}.")
    print(f"wrote {out}: open it in any browser (it needs no network)")
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
    """``pathgrad train``: load the data, train, print each epoch and the final accuracy, and
    save the network where ``--save`` says.

    The heading is printed with the first epoch, so a refused set-up prints nothing else; the
    file of ``--save`` is checked first and written last.
    """
    if args.model == "mlp" and args.lmbda:
        raise PathgradValueError("--lmbda is for --model network (the matrix engine); "
                                 "--model mlp trains without regularisation")
    if args.save:
        check_output(args.save)
    sizes, epochs, batch, default_eta = TRAIN_DEFAULTS[args.data]
    sizes = args.sizes or sizes
    epochs = args.epochs if args.epochs is not None else epochs
    batch = args.batch if args.batch is not None else batch
    eta = args.eta if args.eta is not None else default_eta
    if args.data == "digits":
        train, test = data.digits(seed=args.seed)
    else:
        train = test = data.xor()
    net = Network(sizes, activation=args.activation, cost=args.cost, init=args.init, seed=args.seed)
    mlp = MLP.from_network(net) if args.model == "mlp" else None
    shown = repr(net).replace("Network(", "MLP(", 1) + " of Values" if mlp else repr(net)
    every = max(1, epochs // 30)
    examples = as_dataset(train, net.sizes[0], net.sizes[-1], "training_data")

    def report(record: EpochRecord) -> None:
        # Both models print the same measure: the mean cost over the training data after the
        # epoch (fit's own record has the mean of its mini-batches, met during the epoch).
        cost = examples.mean_cost(mlp.to_network(net.cost)) if mlp else record.train_cost
        if record.epoch == 1:
            out(f"{shown}: {len(train)} training examples, {len(test)} test examples")
            out(f"--epochs {epochs} --batch {batch} --eta {eta:g} --lmbda {args.lmbda:g}"
                + (f" --momentum {args.momentum:g}" if mlp else ""))
        if record.epoch % every == 0 or record.epoch == epochs:
            out(
                f"epoch {record.epoch:>4}: cost {cost:.5f}  test accuracy "
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
    hint = learning_hint(accuracy, _commonest_share(test), eta, default_eta, epochs)
    if hint:
        out(hint)
    if args.save:
        saved = (mlp.to_network(net.cost) if mlp else net).save(args.save)
        out(f"saved the trained network to {saved}: "
            f"pathgrad explore --network {saved} (or paths, draw, demo) opens it")
    return 0


def _commonest_share(test: Any) -> float:
    """The accuracy of always guessing the commonest class of the test examples."""
    labels = [int(y) if np.ndim(y) == 0 else
              (int(np.argmax(y)) if np.size(y) > 1 else int(np.ravel(y)[0] > 0.5))
              for _, y in test]
    return max(labels.count(label) for label in set(labels)) / len(labels)


def learning_hint(
    accuracy: float, chance: float, eta: float, default_eta: float, epochs: int
) -> str | None:
    """A line for a run that learned nothing: its accuracy is no better than always guessing
    the commonest class. A learning rate above the default overshoots; one at or below it
    needs more epochs or a larger rate."""
    if accuracy > chance + 0.02:
        return None
    start = f"hint: {accuracy:.1%} is no better than always guessing the commonest class " \
            f"({chance:.1%}): the network did not learn. "
    if eta > default_eta:
        return start + (f"With --eta {eta:g}, above the default {default_eta:g}, each step "
                        f"overshoots and saturates the neurons: try a smaller --eta, such as "
                        f"{default_eta:g}.")
    return start + (f"Try more --epochs (now {epochs}) or a larger --eta (now {eta:g}, the "
                    f"default {default_eta:g}).")


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
    ignored = [option for option, value in (("--seed", args.seed), ("--x", args.x),
                                            ("--y", args.y)) if value is not None]
    if ignored:
        raise PathgradValueError(
            f"{', '.join(ignored)} belong{'s' * (len(ignored) == 1)} to a network of pathgrad's; "
            "an ONNX model has its own weights and takes its example from --input: leave "
            f"{'it' if len(ignored) == 1 else 'them'} out"
        )
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


def add_onnx_options(parser: argparse.ArgumentParser,
                     source: argparse._MutuallyExclusiveGroup) -> None:
    """``--onnx FILE`` joins the network's sources (exclusive of ``--sizes`` and
    ``--network``); the example and the number to explain get a group of their own."""
    source.add_argument("--onnx", metavar="FILE",
                        help="an ONNX model (PyTorch's, scikit-learn's, ...) instead of a "
                             "network; needs pip install 'pathgrad[onnx]'")
    group = parser.add_argument_group(
        "a model from elsewhere (with --onnx)", "its example, and the number to explain")
    group.add_argument("--input", type=input_file, action="append", metavar="[NAME=]FILE.npy",
                       help="the example: one .npy file per input of the model")
    group.add_argument("--tensor", default=None, metavar="NAME",
                       help="the tensor to explain (default: the model's output)")
    group.add_argument("--index", type=whole(0), default=None, metavar="J",
                       help="which of its numbers, counting from 0 (default: the largest)")


def _add_demo(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="the paths of one weight of a [2, 3, 2] network")
    demo.add_argument("--weight", default=DEFAULT_NODE,
                      help="the node whose paths to list, typed w^2_12 or as printed, w²₁₂ "
                           "(default)")
    demo.add_argument(
        "--picture", type=lambda text: text and picture_file(text), default=None,
        help="where to save the picture (default: a new private file in the temporary folder; "
             "'' for none)",
    )
    add_network_options(demo)
    demo.set_defaults(handler=run_demo)


def _add_paths(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("paths", help="path count, statistics, top paths and costs")
    parser.add_argument("--weight", default=DEFAULT_NODE,
                        help="the node whose paths to study, w^2_12 (default) or w²₁₂")
    parser.add_argument("--top", type=whole(1), default=5, help="how many top paths to list")
    parser.add_argument("--by", default="abs", choices=RANKINGS,
                        help="rank paths by abs, positive or negative")
    parser.add_argument("--samples", type=whole(2, DEFAULT_MAX_N), default=1000,
                        help="random paths to sample")
    parser.add_argument("--sample-seed", type=whole(0), default=0,
                        help="seed of the random paths, default 0")
    parser.add_argument("--max-nodes", type=whole(1), default=DEFAULT_MAX_NODES,
                        help=f"refuse a larger graph, default {DEFAULT_MAX_NODES:,}")
    add_onnx_options(parser, add_network_options(parser))
    parser.set_defaults(handler=run_paths)


#: Where ``draw`` and ``explore`` write without -o: in the current folder, never over a file
#: (``paths-2.svg``, ``paths-3.svg``, ... when taken).
DEFAULT_PICTURE = "paths.svg"
DEFAULT_PAGE = "explorer.html"


def _add_draw(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("draw", help="picture of a network with a node's paths")
    parser.add_argument("--weight", default=DEFAULT_NODE,
                        help="the node whose paths to highlight, w^2_12 (default) or w²₁₂")
    parser.add_argument("--top", type=whole(0), default=3,
                        help="how many paths (0: all), default 3")
    parser.add_argument("--level", default="neuron", choices=LEVELS,
                        help="neuron (default), z or ops")
    parser.add_argument("--grad", action="store_true", help="show ∂C/∂node in every node")
    params = parser.add_mutually_exclusive_group()
    params.add_argument("--hide-params", action="store_true",
                        help="leave out the weights and biases off the shown paths (the default "
                             "at the neuron and z levels)")
    params.add_argument("--show-params", action="store_true",
                        help="draw every weight and bias (a taller picture)")
    parser.add_argument("--digits", type=whole(1, 17), default=3,
                        help="significant digits, default 3")
    parser.add_argument("-o", "--output", type=picture_file, default=None,
                        help=f".svg .png .pdf or .dot (default: {DEFAULT_PICTURE} in the current "
                             "folder, or paths-2.svg, ... if taken: no file is replaced)")
    parser.add_argument("--engine", default="auto", choices=("auto", *ENGINES),
                        help="auto, dot or graphviz-pure")
    parser.add_argument("--max-nodes", type=whole(1), default=PICTURE_MAX_NODES,
                        help=f"refuse a larger picture, default {PICTURE_MAX_NODES}")
    parser.add_argument("--gallery", metavar="DIR", help="write the gallery pictures into DIR")
    add_onnx_options(parser, add_network_options(parser))
    parser.set_defaults(handler=run_draw)


def _add_explore(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("explore", help="a network as an interactive page (HTML)")
    parser.add_argument("--levels", type=explore_levels, default=None,
                        help="neuron, z, ops or several separated by commas (default all)")
    parser.add_argument("--select", help="the node selected when the page opens, typed w^2_12 "
                                         "or as printed, w²₁₂")
    parser.add_argument("--nudge-budget", type=whole(0), default=DEFAULT_BUDGET,
                        help="work allowed for the true ΔC of the nudge slider")
    parser.add_argument("-o", "--output", type=page_file, default=None,
                        help=f"the page, .html (default: {DEFAULT_PAGE} in the current folder, "
                             "or explorer-2.html, ... if taken: no file is replaced)")
    parser.add_argument("--max-nodes", type=whole(1), default=EXPLORER_MAX_NODES,
                        help=f"leave out a level of more nodes, default {EXPLORER_MAX_NODES:,}")
    parser.add_argument("--gallery", metavar="DIR", help="write the gallery's pages into DIR")
    add_onnx_options(parser, add_network_options(parser))
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
    train.add_argument("--save", metavar="FILE", type=network_file,
                       help="save the trained network (.npz), for explore, paths, draw and demo "
                            "--network FILE")
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
    succeeds. Characters the terminal's encoding lacks are written plainly (``dC/dw^2_12``:
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
        message = cli_words(str(error))
        limit = error.limit or ""
        flag = f"--{limit.replace('_', '-')}"
        if limit and hasattr(args, limit) and flag not in message:
            message += f" ({flag})"
        elif limit and not hasattr(args, limit):  # a limit the command line cannot raise
            message = message.replace(f", or raise {limit} if you really want it", "")
            message = message.replace(f"{limit}=", "")
        return _fail(args.command, message)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (PathgradError, OSError) as error:
        return _fail(args.command, cli_words(str(error)))
    except MemoryError:
        return _fail(args.command, "out of memory: use smaller sizes or fewer samples")
    except KeyboardInterrupt:
        print(f"pathgrad {args.command}: interrupted", file=sys.stderr)
        return 130


#: Options of the command line by the keyword the library's messages use for them.
OPTIONS = {
    "max_nodes": "--max-nodes", "nudge_budget": "--nudge-budget", "hide_params": "--hide-params",
    "engine": "--engine", "digits": "--digits", "eta": "--eta", "lmbda": "--lmbda",
    "epochs": "--epochs", "mini_batch_size": "--batch", "select": "--select",
    "levels": "--levels", "momentum": "--momentum",
}
_KEYWORD = re.compile(r"\b(" + "|".join(OPTIONS) + r")=('[^']*'|\"[^\"]*\"|[^\s,;:)]+)")
_IDENTIFIER = re.compile(r"\b(" + "|".join(k for k in OPTIONS if "_" in k) + r")\b")


def cli_words(message: str) -> str:
    """A message of the library in the command line's words: ``max_nodes=150`` becomes
    ``--max-nodes 150``, ``hide_params=True`` ``--hide-params``, and a keyword named alone
    (``raise max_nodes``) its option."""

    def option(match: re.Match) -> str:
        flag, value = OPTIONS[match[1]], match[2].strip("'\"")
        return flag if value == "True" else f"{flag} {value}"

    return _IDENTIFIER.sub(lambda match: OPTIONS[match[1]], _KEYWORD.sub(option, message))


def _fail(command: str, message: str) -> int:
    print(f"pathgrad {command}: error: {message}", file=sys.stderr)
    return 2



if __name__ == "__main__":
    sys.exit(main())
