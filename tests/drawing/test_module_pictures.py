"""Pictures of pathgrad.nn's nets: a residual net and an unrolled RNN laid out in columns."""

from __future__ import annotations

import random
import re

import pathgrad as pg
from pathgrad.book.losses import quadratic
from pathgrad.drawing import draw
from pathgrad.nn import ResNet, RNNCell


def rank_groups(picture, graph):
    # Each column: its nodes, then the invisible edges that keep them in order.
    groups = re.findall(r"\{\s*rank=same\s+((?:n\d+\s+)+)(?:n\d+ -> n\d+ \[style=invis\]\s+)*\}",
                        picture.source)
    return [sorted(graph.nodes[int(i[1:])].name for i in group.split()) for group in groups]


def test_an_unrolled_rnn_has_a_column_per_step_and_hides_its_shared_weights():
    random.seed(1)
    cell = RNNCell(1, 2)
    xs = [[pg.Value(v, name=f"x^{t}_1")] for t, v in enumerate([0.5, -0.3, 0.8], 1)]
    c = quadratic.node(cell.unroll(xs)[-1], [0.1, -0.2])
    graph = pg.Graph(c)
    groups = rank_groups(draw(graph), graph)
    steps = [g for g in groups if any(name.startswith(("x^", "z^", "h^1", "h^2", "h^3"))
                                      for name in g)]
    assert steps == [["x^1_1"], ["z^1_1", "z^1_2"], ["h^1_1", "h^1_2"],
                     ["x^2_1"], ["z^2_1", "z^2_2"], ["h^2_1", "h^2_2"],
                     ["x^3_1"], ["z^3_1", "z^3_2"], ["h^3_1", "h^3_2"]]
    hidden = draw(graph, hide_params=True).source
    kept = [graph.nodes[int(i)].name for i in re.findall(r"^\s*n(\d+) \[", hidden, re.M)]
    assert not any(name[0] in "uwb" for name in kept) and "h^0_1" in kept
    assert len(kept) == len(graph) - len(cell.parameters())


def test_a_residual_skip_edge_jumps_the_layer_it_skips():
    net = ResNet(1, 1, 2, 1, "tanh", "linear", seed=2)
    x = pg.Value(0.5, name="a^1_1")
    graph = pg.Graph(quadratic.node(net([x]), [0.0]))
    source = draw(graph, hide_params=True).source
    ids = {node.name: f"n{graph.index[node]}" for node in graph.nodes if node.name}
    skip = re.search(rf"{ids['a^2_1']} -> {ids['a^3_1']} \[([^\]]*)\]", source)
    through = re.search(rf"{ids['z^3_1']} -> {ids['a^3_1']} \[([^\]]*)\]", source)
    assert skip and "minlen=2" in skip.group(1)  # over the column of z^3_1
    assert through and "minlen" not in through.group(1)
    groups = rank_groups(draw(graph), graph)
    assert [g for g in groups if g[0].startswith("a^")] == [["a^1_1"], ["a^2_1"], ["a^3_1"],
                                                            ["a^4_1"], ["a^5_1"]]
