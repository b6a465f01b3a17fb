"""The bench's table of groups of heads: the figures it prints are path_groups' own."""

from __future__ import annotations

import re

import pathgrad as pg
from pathgrad.bench import paths


def test_the_groups_table_names_the_groups_and_paths_it_timed(capsys):
    paths._groups_of_heads(quick=True)
    printed = capsys.readouterr().out
    model = pg.AttentionOnlyTransformer(16, 4, 2, 4, 2, 4, seed=0)
    run = model.run([0, 3, 6, 9])
    graph = pg.Graph(run.logit(3, 0))
    groups = pg.path_groups([s for s in run.sources() if s in graph], graph, run.labels)
    assert f"{len(groups)} groups of {groups.count:.3e} paths" in printed
    assert f"({len(graph):,} nodes, {graph.edge_count:,} edges)" in printed
    ratio = float(re.search(r"largest path per group\)\s+\S+\s+(\S+)", printed)[1])
    assert ratio > 1  # more than one sweep's work: a table per node, not a number
