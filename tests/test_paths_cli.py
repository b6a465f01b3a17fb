"""``pathgrad paths``: the figures it prints are the library's figures for the same graph."""

from __future__ import annotations

import re

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.cli import main


def demo_graph(sizes, seed=0):
    net = pg.Network(sizes, seed=seed)
    return net, net.graph(np.random.default_rng(seed).random(sizes[0]), 0, level="neuron")


def test_paths_command_prints_stats_top_paths_and_costs(capsys):
    assert main(["paths", "--sizes", "3,4,4,2", "--weight", "w^2_12", "--top", "3"]) == 0
    out = capsys.readouterr().out
    _, graph = demo_graph([3, 4, 4, 2])
    w = graph.find("w^2_12")
    assert re.search(r"paths\s+(\S+)", out)[1] == f"{pg.count_paths(w, graph):,}"
    printed = float(re.search(r"Σ products \(53\)\s+(\S+)", out)[1])
    assert printed == pytest.approx(pg.grad(graph, [w])[0], rel=1e-9)
    top = [str(p) for p in pg.top_paths(w, graph, k=3)]
    assert all(f"  {line}" in out for line in top) and len(top) == 3
    assert "random paths from w^2_12 (mass proposal)" in out
    p = len(graph.params())
    assert f"finite differences need {p + 1} forward passes, backpropagation 2" in out


def test_paths_command_reads_a_saved_network(tmp_path, capsys):
    net = pg.Network([2, 5, 1], seed=3)
    path = tmp_path / "net.npz"
    net.save(path)
    assert main(["paths", "--network", str(path), "--weight", "w^3_14", "--top", "1"]) == 0
    assert "Network [2, 5, 1]" in capsys.readouterr().out


def test_paths_command_with_an_unknown_weight_is_a_clear_error(capsys):
    assert main(["paths", "--weight", "w^7_11"]) == 2
    assert "no node named 'w^7_11'" in capsys.readouterr().err
