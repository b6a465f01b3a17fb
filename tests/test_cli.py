"""The command line: demo, paths, train, help and version; mistakes get one line and exit 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import pathgrad as pg
from pathgrad.bench.paths import network_graph
from pathgrad.cli import build_parser, main
from pathgrad.drawing.gallery import demo_network


def test_demo_prints_the_paths_of_a_weight_with_several_and_their_sum(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    graph = demo_network((2, 3, 2))
    w = graph.find("w^2_12")
    printed = re.findall(r"^  (w²₁₂ → .*): .* = (\S+)$", out, re.M)
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
    graph = network_graph([3, 4, 4, 2])
    w = graph.find("w^2_12")
    assert re.search(r"paths\s+(\S+)", out)[1] == f"{pg.count_paths(w, graph):,}"
    printed = float(re.search(r"Σ products \(53\)\s+(\S+)", out)[1])
    assert printed == pytest.approx(pg.grad(graph, [w])[0], rel=1e-9)
    top = [str(p) for p in pg.top_paths(w, graph, k=3)]
    assert all(f"  {line}" in out for line in top) and len(top) == 3
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
    assert out.startswith("MLP([2, 3, 1]") and "of Values" in out and "momentum=0.5" in out
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
