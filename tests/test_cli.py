"""The command line: demo, paths, train, help and version; mistakes get one line and exit 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.cli import build_parser, learning_hint, main
from pathgrad.drawing import engine
from pathgrad.drawing.explorer import gallery_pages
from pathgrad.drawing.explorer.browser import BrowserMissingError
from pathgrad.drawing.gallery import demo_network


def test_demo_prints_the_paths_of_a_weight_with_several_and_their_sum(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    graph = demo_network((2, 3, 2))
    w = graph.find("w^2_12")
    printed = re.findall(r"^  #\d+ (w²₁₂ → .*): .* = (\S+)$", out, re.M)
    expected = list(pg.paths(w, graph))
    assert len(printed) == len(expected) == pg.count_paths(w, graph) == 2
    for (route, product), path in zip(printed, expected, strict=True):
        assert route == path.route and float(product) == pytest.approx(path.product, rel=1e-5)
    total = float(re.search(r"Sum over the paths \(equation 53\): (\S+) = ∂C/∂w²₁₂", out)[1])
    assert total == pytest.approx(pg.grad(graph, [w])[0], rel=1e-9)
    assert "PASS" in out and out.count("\n b²") == 3  # the check table has every parameter


def test_demo_of_another_node(capsys):
    assert main(["demo", "--weight", "a^1_1", "--picture", ""]) == 0
    out = capsys.readouterr().out
    assert "A change in a¹₁ reaches C along 6 paths" in out and "Picture" not in out


def test_help_and_version_from_the_installed_command():
    version = subprocess.run(
        [sys.executable, "-m", "pathgrad.cli", "--version"], capture_output=True, text=True
    )
    assert version.stdout.strip() == f"pathgrad {pg.__version__}"
    helped = subprocess.run(
        [sys.executable, "-m", "pathgrad.cli", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "demo" in helped.stdout


def test_paths_command_prints_stats_top_paths_and_costs(capsys):
    assert main(["paths", "--sizes", "3,4,4,2", "--weight", "w^2_12", "--top", "3"]) == 0
    out = capsys.readouterr().out
    graph = demo_network((3, 4, 4, 2))
    w = graph.find("w^2_12")
    assert re.search(r"paths\s+(\S+)", out)[1] == f"{pg.count_paths(w, graph):,}"
    printed = float(re.search(r"Σ products \(53\)\s+(\S+)", out)[1])
    assert printed == pytest.approx(pg.grad(graph, [w])[0], rel=1e-9)
    top = pg.top_paths(w, graph, k=3)
    numbers = pg.path_numbers(top, graph)
    assert all(f"  #{n} {p}" in out for n, p in zip(numbers, top, strict=True)) and len(top) == 3
    assert "random paths from w²₁₂ (mass proposal)" in out
    p = len(graph.params())
    assert f"finite differences need {p + 1} forward passes, backpropagation 2" in out


def test_paths_command_reads_a_saved_network(tmp_path, capsys):
    net = pg.Network([2, 5, 1], seed=3)
    path = tmp_path / "net.npz"
    net.save(path)
    assert main(["paths", "--network", str(path), "--weight", "w^3_14", "--top", "1"]) == 0
    assert "Network [2, 5, 1]" in capsys.readouterr().out


def test_train_command_digits(capsys):
    assert main(["train", "--data", "digits", "--epochs", "3", "--sizes", "64,20,10",
                 "--cost", "cross-entropy", "--init", "scaled", "--eta", "0.5"]) == 0
    out = capsys.readouterr().out
    assert out.count("epoch ") == 3
    line = [s for s in out.splitlines() if s.startswith("final test accuracy")][0]
    accuracy = float(line.split(":")[1].split("%")[0]) / 100
    assert accuracy > 0.85


def test_train_command_xor_and_errors(capsys):
    assert main(["train", "--data", "xor"]) == 0
    out = capsys.readouterr().out
    assert "final test accuracy: 100.00% (4/4)" in out
    assert main(["train", "--data", "xor", "--batch", "9"]) == 2
    assert "larger than the 4 training examples" in capsys.readouterr().err
    assert main(["train", "--data", "mnist"]) == 2
    assert "invalid choice: 'mnist' (choose from 'digits', 'xor')" in capsys.readouterr().err
    assert main(["train", "--sizes", "64,x,10"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--sizes" in err and "64,x,10" in err
    assert main(["train", "--sizes", "64,30,9", "--epochs", "1"]) == 2
    assert "output layer has 9" in capsys.readouterr().err


def test_train_command_trains_an_mlp_of_values_through_its_graph(capsys):
    assert main(["train", "--data", "xor", "--model", "mlp", "--epochs", "2000",
                 "--momentum", "0.5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("MLP([2, 3, 1]") and "of Values" in out and "--momentum 0.5" in out
    assert "final test accuracy: 100.00% (4/4)" in out
    assert main(["train", "--model", "mlp", "--lmbda", "0.1"]) == 2
    assert "--lmbda is for --model network" in capsys.readouterr().err
    assert main(["train", "--model", "tree"]) == 2
    assert "invalid choice: 'tree'" in capsys.readouterr().err
    assert main(["train", "--model", "mlp", "--momentum", "-1"]) == 2


def explorer_data(page) -> dict:
    text = page.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="pathgrad-explorer-data">(.*?)</script>', text, re.S)[1])


def test_explore_writes_a_page_of_the_demo_network(tmp_path, capsys):
    page = tmp_path / "page.html"
    assert main(["explore", "--sizes", "2,3,2", "-o", str(page)]) == 0
    assert f"wrote {page}" in capsys.readouterr().out
    data = explorer_data(page)
    assert [level["level"] for level in data["levels"]] == ["neuron", "z", "ops"]
    graph = demo_network((2, 3, 2))
    assert data["levels"][0]["nodes"]["value"] == [node.data for node in graph.nodes]
    assert data["levels"][0]["edges"]["rate"] == [edge.rate for edge in graph.edges]


def test_explore_a_saved_network(tmp_path):
    net = pg.Network([3, 4, 2], seed=5)
    net.save(tmp_path / "net.npz")
    page = tmp_path / "net.html"
    args = ["explore", "--network", str(tmp_path / "net.npz"), "--levels", "z", "-o", str(page)]
    assert main([*args, "--select", "z^2_3"]) == 0
    data = explorer_data(page)
    assert [level["level"] for level in data["levels"]] == ["z"]
    assert data["start"]["node"] == "z^2_3"
    nodes = data["levels"][0]["nodes"]
    weights = [v for n, v in zip(nodes["name"], nodes["value"]) if n.startswith("w^2")]
    assert weights == net.weights[0].ravel().tolist()


def test_bench_takes_no_section_or_known_ones(capsys):
    assert build_parser().parse_args(["bench"]).sections == []
    assert build_parser().parse_args(["bench", "moons", "--quick"]).sections == ["moons"]
    assert main(["bench", "--quick", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'nosuch'" in err and "'moons'" in err


# -- one network, one example, everywhere ------------------------------------------------------


def _demo_sum(out: str) -> float:
    return float(re.search(r"Sum over the paths \(equation 53\): (\S+) = ∂C/∂w²₁₂", out)[1])


@pytest.mark.parametrize(
    ("options", "sizes", "seed", "x", "y"),
    [
        ([], [2, 3, 2], 1, [0.5, 0.9], [1.0, 0.0]),
        (["--sizes", "3,4,2", "--seed", "5", "--x", "0.1,-0.2,0.3", "--y", "0,1"],
         [3, 4, 2], 5, [0.1, -0.2, 0.3], [0.0, 1.0]),
    ],
)
def test_every_command_shows_the_numbers_of_the_same_network_and_example(
    tmp_path, capsys, options, sizes, seed, x, y
):
    """demo, paths, draw and explore, given the same options, show the numbers of
    pg.Network(sizes, seed=seed).graph(x, y)."""
    graph = pg.Network(sizes, seed=seed).graph(x, y)
    w = graph["w^2_12"]
    truth = pg.grad(graph, w)[0]
    assert main(["demo", "--picture", "", *options]) == 0
    assert _demo_sum(capsys.readouterr().out) == pytest.approx(truth, rel=1e-9)
    assert main(["paths", "--top", "1", *options]) == 0
    out = capsys.readouterr().out
    assert float(re.search(r"Σ products \(53\)\s+(\S+)", out)[1]) == pytest.approx(truth, rel=1e-9)
    assert main(["draw", "--digits", "12", "-o", str(tmp_path / "p.dot"), *options]) == 0
    out = capsys.readouterr().out
    shown = float(re.search(r"\(∂C/∂w²₁₂ = (\S+)\)", out)[1])
    assert shown == pytest.approx(truth, rel=1e-10)
    assert main(["explore", "--levels", "neuron", "-o", str(tmp_path / "p.html"), *options]) == 0
    capsys.readouterr()
    level = explorer_data(tmp_path / "p.html")["levels"][0]
    assert level["nodes"]["value"] == [node.data for node in graph.nodes]
    assert level["edges"]["rate"] == [edge.rate for edge in graph.edges]


def test_names_are_taken_as_printed_and_as_typed(tmp_path, capsys):
    assert main(["demo", "--picture", "", "--weight", "w^2_12"]) == 0
    typed = capsys.readouterr().out
    assert main(["demo", "--picture", "", "--weight", "w²₁₂"]) == 0
    assert capsys.readouterr().out == typed
    assert main(["paths", "--weight", "a²₃", "--top", "1"]) == 0
    assert "paths from a²₃" in capsys.readouterr().out.replace("random paths", "paths")
    assert main(["draw", "--weight", "b³₁", "-o", str(tmp_path / "b.dot")]) == 0
    assert capsys.readouterr().out.startswith("Network [2, 3, 2]")
    assert main(["explore", "--select", "w²₁₂", "-o", str(tmp_path / "s.html")]) == 0
    assert explorer_data(tmp_path / "s.html")["start"]["node"] == "w^2_12"


# -- files only where asked ---------------------------------------------------------------------


def test_draw_and_explore_without_a_file_name_never_replace_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("paths.svg", "explorer.html"):
        (tmp_path / name).write_text("mine")
    assert main(["draw"]) == 0 and main(["draw"]) == 0
    assert main(["explore", "--levels", "neuron"]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^wrote (\S+?)(?::|$)", out, re.M) == [
        "paths-2.svg", "paths-3.svg", "explorer-2.html"]
    for name in ("paths.svg", "explorer.html"):
        assert (tmp_path / name).read_text() == "mine"
    assert (tmp_path / "paths-3.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    for command, default in (("draw", "paths.svg"), ("explore", "explorer.html")):
        assert main([command, "--help"]) == 0
        helped = " ".join(capsys.readouterr().out.split())
        assert f"default: {default} in the current folder" in helped
        assert "no file is replaced" in helped


def test_train_saves_the_network_it_trained_for_the_other_commands(tmp_path, capsys):
    saved = tmp_path / "net.npz"
    assert main(["train", "--data", "xor", "--epochs", "200", "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert f"saved the trained network to {saved}" in out
    trained = pg.Network([2, 3, 1], seed=0)
    trained.sgd(pg.data.xor(), 200, 4, 3.0, seed=0, progress=False)
    loaded = pg.Network.load(saved)
    for ours, theirs in zip(loaded.weights + loaded.biases, trained.weights + trained.biases,
                            strict=True):
        assert np.array_equal(ours, theirs)
    assert main(["explore", "--network", str(saved), "-o", str(tmp_path / "n.html")]) == 0
    assert main(["paths", "--network", str(saved), "--weight", "w^3_12", "--top", "1"]) == 0
    assert "from " + str(saved) in capsys.readouterr().out
    mlp_saved = tmp_path / "mlp.npz"
    assert main(["train", "--data", "xor", "--epochs", "50", "--model", "mlp",
                 "--save", str(mlp_saved)]) == 0
    assert pg.Network.load(mlp_saved).sizes == [2, 3, 1]


def test_a_gallery_that_cannot_be_finished_writes_nothing(tmp_path, capsys, monkeypatch):
    def no_browser(*args, **kwargs):
        raise BrowserMissingError("no chromium on the PATH: install it")

    monkeypatch.setattr(gallery_pages, "Browser", no_browser)
    assert main(["explore", "--gallery", str(tmp_path / "pages")]) == 2
    assert "no chromium on the PATH" in capsys.readouterr().err
    assert not (tmp_path / "pages").exists()
    monkeypatch.setattr(engine, "_search_path", lambda: str(tmp_path))  # no Graphviz at all
    monkeypatch.delenv(engine.ENV_VAR, raising=False)
    assert main(["draw", "--gallery", str(tmp_path / "pictures")]) == 2
    assert "No Graphviz program found" in capsys.readouterr().err
    assert not (tmp_path / "pictures").exists()


# -- command-line words ---------------------------------------------------------------------------

PYTHON_WORDS = re.compile(
    r"\bpg\.|\bnet\.|\.save\(|<pathgrad |\(\w+=|\b\w+_\w+=|\bmax_nodes\b|\bnudge_budget\b|"
    r"\bhide_params\b|\bengine="
)


def test_the_command_line_speaks_its_own_words(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runs = [
        ["demo"], ["paths", "--top", "2"], ["draw", "-o", "x.svg"],
        ["explore", "-o", "x.html"], ["train", "--data", "xor", "--epochs", "5"],
        ["train", "--data", "xor", "--epochs", "5", "--model", "mlp"],
        ["draw", "--sizes", "50,50,50", "--show-params"], ["explore", "--sizes", "60,60,2"],
        ["paths", "--sizes", "1500,1500,2"], ["train", "--sizes", "64,300000000,10"],
        ["train", "--activation", "linear", "--eta", "1000"],
    ]
    for argv in runs:
        main(argv)
        out, err = capsys.readouterr()
        assert not PYTHON_WORDS.search(out + err), (argv, PYTHON_WORDS.search(out + err))
    assert main(["explore", "--nudge-budget", "1", "-o", "budget.html"]) == 0
    capsys.readouterr()
    notes = " ".join(note for level in explorer_data(tmp_path / "budget.html")["levels"]
                     for note in level["notes"])
    assert "--nudge-budget on the command line" in notes and "pg.explore" not in notes
    slow = tmp_path / "graphviz-pure"  # only graphviz-pure here, and dot asked for
    slow.write_text("#!/bin/sh\nexit 1\n")
    slow.chmod(0o755)
    monkeypatch.setattr(engine, "_search_path", lambda: str(tmp_path))
    assert main(["draw", "--engine", "dot", "-o", "y.svg"]) == 2
    err = capsys.readouterr().err
    assert "use graphviz-pure, which is installed (--engine graphviz-pure)" in err
    assert "pip install graphviz-pure" not in err and not PYTHON_WORDS.search(err)


def test_both_models_print_the_same_cost_for_the_same_steps(capsys):
    """--model network and --model mlp take the very same steps: their cost columns agree."""
    assert main(["train", "--data", "xor", "--epochs", "60"]) == 0
    network = re.findall(r"cost (\S+)  test accuracy (\S+)", capsys.readouterr().out)
    assert main(["train", "--data", "xor", "--epochs", "60", "--model", "mlp"]) == 0
    mlp = re.findall(r"cost (\S+)  test accuracy (\S+)", capsys.readouterr().out)
    assert network == mlp and len(network) == 30


def test_a_run_that_learns_nothing_says_why(capsys):
    assert main(["train", "--eta", "100", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "is no better than always guessing the commonest class" in out
    assert "try a smaller --eta, such as 3" in out
    assert main(["train", "--data", "xor"]) == 0  # learned: no hint
    assert "hint" not in capsys.readouterr().out


def test_the_hint_for_a_run_that_learned_nothing_points_the_right_way():
    assert learning_hint(0.53, 0.5, 3.0, 3.0, 30) is None  # above chance: learned something
    assert learning_hint(0.1, 0.1, 100.0, 3.0, 30).endswith(
        "With --eta 100, above the default 3, each step overshoots and saturates the neurons: "
        "try a smaller --eta, such as 3.")
    assert learning_hint(0.515, 0.5, 3.0, 3.0, 30).endswith(
        "Try more --epochs (now 30) or a larger --eta (now 3, the default 3).")
    assert "larger --eta (now 0.01" in learning_hint(0.1, 0.1, 0.01, 3.0, 5)
