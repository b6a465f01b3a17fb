"""What the explorer's page holds beside the numbers: what a hover says about each node and
edge, where each edge's label sits, and the note on how many nodes the slider offers."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.book import matrix
from pathgrad.drawing.gallery import demo_example
from pathgrad.names import parse_name
from pathgrad.slopes import sigmoid_prime

KINDS = {"w": "a weight", "b": "a bias", "z": "a weighted input", "a": "an activation"}


@pytest.fixture(scope="module")
def page():
    return pg.explore(pg.Network([2, 3, 2], seed=1), demo_example((2, 3, 2)))


def _numbers(where: str) -> list[float]:
    """The values a hover's ``where`` text lists (``σ'(z²₁) = 0.2495, a¹₁ = 0.5``)."""
    return [float(v.replace("−", "-")) for v in re.findall(r"= (−?[\d.e+-]+)", where)]


def test_a_hover_says_what_each_node_is(page):
    for level in page.data["levels"]:
        nodes = level["nodes"]
        for name, kind, text in zip(nodes["name"], nodes["kind"], nodes["kindText"],
                                    strict=True):
            if name == "C":
                assert text == "the cost"
            elif name is None:
                assert text == "an operation" and kind == "op"
            elif name.startswith("a^1_"):
                assert text == "an input"
            else:
                assert text == KINDS[parse_name(name).symbol], name


def test_a_hover_on_an_edge_shows_the_values_its_rate_is_made_of(page):
    """Neuron level: ``σ'(z)·a`` and ``σ'(z)·w`` list both factors, whose product is the rate;
    the bias edge is ``σ'(z)`` alone. z level: the rate is the one value listed, or for
    ``σ'(z)`` the ``z`` it is taken at. The cost's
    edges list ``a`` and ``y``, whose difference is the rate."""
    levels = {level["level"]: level for level in page.data["levels"]}
    for name in ("neuron", "z"):
        edges = levels[name]["edges"]
        seen = 0
        for formula, where, rate in zip(edges["formula"], edges["where"], edges["rate"],
                                        strict=True):
            values = _numbers(where)
            if " − y" in formula:  # the cost's edge: ∂C/∂a = a − y, both listed
                assert math.isclose(values[0] - values[1], rate, rel_tol=2e-3, abs_tol=1e-4)
                continue
            if formula.startswith("σ'(") and "·" not in formula and values:  # z → a: σ'(z)
                assert math.isclose(sigmoid_prime(values[0]), rate, rel_tol=2e-3)
                assert where.split(" = ")[0] == formula[3:-1]
                continue
            if not values:
                assert formula in ("1", "σ'(z²₁)", "σ'(z²₂)", "σ'(z²₃)", "σ'(z³₁)", "σ'(z³₂)") \
                    or formula.startswith("(a")
                continue
            assert math.isclose(math.prod(values), rate, rel_tol=2e-3), (formula, where, rate)
            assert len(values) == (2 if name == "neuron" else 1)
            assert where.split(" = ")[0] == formula.split("·")[0], (formula, where)
            seen += 1
        assert seen >= 12


def _path_box(path: str) -> tuple[float, float, float, float]:
    xs, ys = zip(*((float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path)))
    return min(xs), min(ys), max(xs), max(ys)


def test_every_edge_label_sits_on_its_edge_inside_the_page(page):
    for level in page.data["levels"]:
        edges = level["edges"]
        assert level["layout"] == "dot" and len(edges["path"]) == len(edges["src"])
        placed = 0
        for path, x, y in zip(edges["path"], edges["lx"], edges["ly"], strict=True):
            if path is None or x is None:
                continue
            left, top, right, bottom = _path_box(path)
            assert left - 30 <= x <= right + 30 and top - 30 <= y <= bottom + 30, (path, x, y)
            assert 0 <= x <= level["width"] and 0 <= y <= level["height"]
            placed += 1
        assert placed >= len(edges["src"]) // 2
        # kept to a tenth of a point, as Graphviz places them, not rounded to whole points
        kept = [v for v in edges["lx"] + edges["ly"] if v is not None]
        assert all(round(v, 1) == v for v in kept) and any(v != round(v) for v in kept)


def test_the_nudge_note_counts_the_nodes_offered(page):
    full = page.data["levels"][0]
    offered = sum(1 for row in full["nodes"]["nudge"] if row >= 0)
    assert offered == len(full["nodes"]["name"]) - 1  # every node but C, within the budget
    assert not any(note.startswith("Nudge:") for note in full["notes"])
    small = pg.explore(pg.Network([2, 3, 2], seed=1), demo_example((2, 3, 2)), levels=["z"],
                       nudge_budget=2_000).data["levels"][0]
    rows = small["nodes"]["nudge"]
    chosen = sum(1 for row in rows if row >= 0)
    assert 0 < chosen < len(rows) - 1
    found = re.search(r"offered for (\d+) of the (\d+) nodes", small["nudgeNote"])
    assert found and (int(found[1]), int(found[2])) == (chosen, len(rows) - 1)
    assert [note for note in small["notes"] if note.startswith("Nudge:")] == [
        f"Nudge: {small['nudgeNote']}"]
    assert len(small["nudgeTable"]) == chosen


def test_each_neuron_carries_its_slope_and_other_nodes_none(page):
    """The neuron level's ``a`` nodes carry σ'(z) (their bias edge's rate), for BP1-BP2 on the
    page; every other node, and every node of the other levels, carries none."""
    net = pg.Network([2, 3, 2], seed=1)
    x, y = demo_example((2, 3, 2))
    zs, _ = matrix.forward(net.weights, net.biases, net.layers, np.asarray(x, dtype=float))
    levels = {level["level"]: level for level in page.data["levels"]}
    nodes = levels["neuron"]["nodes"]
    for name, slope in zip(nodes["name"], nodes["slope"], strict=True):
        parsed = parse_name(name) if name else None
        if parsed is not None and parsed.symbol == "a" and parsed.layer > 1:
            z = zs[parsed.layer - 2][parsed.indices[0] - 1, 0]
            assert slope == pytest.approx(sigmoid_prime(z), rel=1e-12), name
        else:
            assert slope is None, name
    assert all(s is None for s in levels["z"]["nodes"]["slope"])


def test_a_level_of_more_than_400_nodes_is_shown_compact():
    """Up to 400 nodes every weight and bias is drawn; past that they are hidden and the edges
    bundled, with a note."""
    adds = pg.Op("sum", lambda *xs: sum(xs), lambda *xs: (1.0,) * len(xs))
    for leaves, compact in ((399, False), (400, True)):  # 400 and 401 nodes with the sum
        weights = [pg.Value(0.5, name=f"w^2_1,{k}") for k in range(1, leaves + 1)]
        level = pg.explore(adds(*weights)).data["levels"][0]
        assert len(level["nodes"]["name"]) == leaves + 1
        assert level["compact"] is compact
        assert any("hidden" in note for note in level["notes"]) is compact


def test_the_lean_layout_draws_every_edge_between_shown_nodes_with_labels_to_a_tenth(page):
    """The level without its weights and biases (a narrow screen's view): an edge curve and a
    label point for each edge between shown nodes, kept to a tenth of a point inside the lean
    page; none for an edge from a hidden weight or bias."""
    level = page.data["levels"][0]
    lean, edges, kinds = level["lean"], level["edges"], level["nodes"]["kind"]
    assert lean is not None and len(lean["path"]) == len(lean["lx"]) == len(edges["src"])
    hidden = {i for i, x in enumerate(lean["x"]) if x is None}
    assert hidden and all(kinds[i] == "param" for i in hidden)
    for s, d, path, x, y in zip(edges["src"], edges["dst"], lean["path"], lean["lx"], lean["ly"],
                                strict=True):
        if s in hidden or d in hidden:
            assert path is None and x is None
            continue
        assert path is not None and x is not None and y is not None
        assert 0 <= x <= lean["width"] and 0 <= y <= lean["height"]
    kept = [v for v in lean["lx"] + lean["ly"] if v is not None]
    assert all(round(v, 1) == v for v in kept)
    assert any(v != round(v) for v in lean["lx"] if v is not None)
