"""The DOT text of pictures (as the graphviz package writes it): one edge per graph edge with
its rate, highlighted paths, labels, layer columns."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.drawing import GraphTooBigError, draw, gradient_name, match_paths, pretty
from pathgrad.drawing.gallery import demo_network, sigmoid_neuron
from pathgrad.drawing.graph_pictures import CAPTION_PATHS, MIXED, NEGATIVE, POSITIVE
from pathgrad.names import fmt, parse_name
from tests.strategies import expression_graphs

EDGE = re.compile(r'^\t(n\d+) -> (n\d+) \[label=" (.+?) " (.*)\]$', re.M)
NODE = re.compile(r"^\t(n\d+) \[(.*)\]$", re.M)
EDGE_ID = re.compile(r"\bid=e(\d+)\b")


def edges_of(source: str) -> list[tuple[str, str, int, str, str]]:
    return [
        (a, b, int(EDGE_ID.search(rest).group(1)), label, rest)
        for a, b, label, rest in EDGE.findall(source)
    ]


def nodes_of(source: str) -> dict[str, str]:
    return dict(NODE.findall(source))


def highlighted(source: str) -> set[int]:
    return {
        k
        for _, _, k, _, rest in edges_of(source)
        if any(f'color="{colour}"' in rest for colour in (POSITIVE, NEGATIVE, MIXED))
    }


@settings(max_examples=40, deadline=None)
@given(expression_graphs(), st.integers(1, 6))
def test_one_dot_edge_per_graph_edge_labelled_with_its_rate(graph, digits):
    source = draw(graph, digits=digits).source
    found = edges_of(source)
    assert len(found) == graph.edge_count
    ids = {node: f"n{graph.index[node]}" for node in graph.nodes}
    assert sorted((a, b, k) for a, b, k, _, _ in found) == sorted(
        (ids[e.src], ids[e.dst], k) for k, e in enumerate(graph.edges)
    )
    for _, _, k, label, _ in found:
        rate = graph.edges[k].rate
        assert label == fmt(rate, digits)
        assert math.isclose(float(label), rate, rel_tol=10 ** (1 - digits), abs_tol=1e-300)
    assert len(nodes_of(source)) == len(graph.nodes)


def test_parallel_edges_are_two_edges_and_a_path_takes_one():
    x = pg.Value(3.0, name="x")
    c = x * x
    c.name = "C"
    graph = pg.Graph(c)
    pic = draw(graph)
    found = edges_of(pic.source)
    assert [(a, b, label) for a, b, _, label, _ in found] == [("n0", "n1", "3"), ("n0", "n1", "3")]
    both = list(pg.paths(x, c))
    # The two paths x -> C are equal as data: either one marks one of the two edges.
    assert highlighted(draw(graph, highlight=both[1]).source) == {0}
    assert highlighted(draw(graph, highlight=both).source) == {0, 1}


@settings(max_examples=30, deadline=None)
@given(expression_graphs(), st.data())
def test_highlighted_edges_are_exactly_those_of_the_paths(graph, data):
    start = graph.nodes[data.draw(st.integers(0, len(graph.nodes) - 1))]
    # (limit=0 past 200 paths raised PathLimitError instead of skipping the case)
    assume(pg.count_paths(start, graph) < 200)
    every = list(pg.paths(start, graph, limit=None))
    chosen = data.draw(st.lists(st.sampled_from(every), max_size=5, unique_by=id)) if every else []
    source = draw(graph, highlight=chosen).source
    expected = {k for ks in match_paths(graph, chosen) for k in ks}
    assert highlighted(source) == expected
    edges = graph.edges
    for path, ks in zip(chosen, match_paths(graph, chosen), strict=True):
        assert [edges[k].src for k in ks] == list(path.nodes[:-1])
        assert [edges[k].dst for k in ks] == list(path.nodes[1:])
        assert [edges[k].rate for k in ks] == list(path.rates)


@pytest.mark.parametrize("seed", [1, 3])
def test_colour_is_the_sign_of_the_paths_and_width_the_size_of_their_sum(seed):
    graph = demo_network((2, 3, 2), level="neuron", seed=seed)
    w = graph["w^2_12"]
    chosen = list(pg.paths(w, graph))
    source = draw(graph, highlight=chosen).source
    flow: dict[int, float] = {}
    signs: dict[int, set[bool]] = {}
    for path, ks in zip(chosen, match_paths(graph, chosen), strict=True):
        for k in ks:
            flow[k] = flow.get(k, 0.0) + path.product
            signs.setdefault(k, set()).add(path.product > 0)
    widths = {}
    for _, _, k, label, rest in edges_of(source):
        if k not in flow:
            assert 'color="#d0d0d0"' in rest  # dimmed, not removed
            continue
        if signs[k] == {True}:
            assert f'color="{POSITIVE}"' in rest and "Σ" not in label
            assert "dashed" not in rest
        elif signs[k] == {False}:  # red and dashed, as the explorer draws a negative path
            assert f'color="{NEGATIVE}"' in rest and "Σ" not in label
            assert "style=dashed" in rest
        else:  # shared by paths of both signs: neutral, with their sum on the label
            assert f'color="{MIXED}"' in rest
            assert label == f"{fmt(graph.edges[k].rate, 3)} \\nΣ {fmt(flow[k], 3)}"
        widths[k] = float(re.search(r'penwidth="?([\d.]+)', rest).group(1))
    biggest = max(flow, key=lambda k: abs(flow[k]))
    smallest = min(flow, key=lambda k: abs(flow[k]))
    assert widths[biggest] == pytest.approx(5.5) and widths[smallest] < widths[biggest]
    shared = [k for k in flow if len(signs[k]) == 2]
    products = [p.product for p in chosen]
    # w²₁₂ → a²₁ carries both paths: mixed exactly when their products differ in sign.
    assert bool(shared) == (min(products) < 0 < max(products))
    # the legend explains the colours the picture uses, and only those
    assert ("dark grey: paths of both signs" in source) == bool(shared)
    assert ("red, dashed: paths of negative product" in source) == any(p < 0 for p in products)
    assert (f'<font color="{NEGATIVE}"><b>– – –</b></font>' in source) == any(
        p < 0 for p in products)  # the legend's swatch is dashed too
    assert ("blue: paths of positive product" in source) == any(p > 0 for p in products)


def test_caption_gives_the_product_and_its_share_of_the_gradient():
    graph = demo_network((2, 3, 2), seed=2)
    w = graph["w^2_21"]
    best = max(pg.paths(w, graph), key=lambda p: abs(p.product))
    grad = pg.grad(graph, w)[0]
    pic = draw(graph, highlight=best, digits=4)
    assert f"= {fmt(best.product, 4)}" in pic.caption
    assert f"{100 * best.product / grad:.3g}% of ∂C/∂w²₂₁" in pic.caption
    assert "legend" in pic.source and "paths of positive product" in pic.source


def test_node_labels_carry_book_names_values_and_gradients():
    graph = demo_network((2, 3, 2), level="z", seed=1)
    adj = pg.adjoints(graph)
    labels = nodes_of(draw(graph, show_grad=True, digits=4, hide_params=False).source)
    for node in graph.nodes:
        label = labels[f"n{graph.index[node]}"]
        assert f"<b>{pretty(node.name)}</b>" in label
        assert fmt(node.data, 4) in label
        assert f"{gradient_name(node.name)} = {fmt(adj[graph.index[node]], 4)}" in label
    assert "δ²₁ = " in labels[f"n{graph.index[graph['z^2_1']]}"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("w^2_12", "w²₁₂"),
        ("a^3_1", "a³₁"),
        ("b^2_3", "b²₃"),
        ("C", "C"),
        ("w^{10}_{3,12}", "w¹⁰₃,₁₂"),
        ("x_1", "x₁"),
        ("free text", "free text"),
    ],
)
def test_book_names_in_unicode(name, shown):
    assert pretty(name) == shown


def test_gradient_names_and_parsing():
    assert gradient_name("z^2_1") == "δ²₁" and gradient_name("a^3_2") == "∂C/∂a³₂"
    assert parse_name("w^2_12").indices == (1, 2) and parse_name("w^2_1,12").indices == (1, 12)
    assert parse_name("a^2_12").neuron == 12 and parse_name("b^3_1").layer == 3


def test_layers_are_columns_input_first_and_cost_last():
    graph = demo_network((2, 3, 2), level="neuron")
    source = draw(graph, hide_params=False).source
    ranks = re.findall(r"\{\s*rank=same\s+((?:n\d+\s+)+)((?:n\d+ -> n\d+ \[style=invis\]\s+)*)\}",
                       source)
    names = [[graph.nodes[int(i[1:])].name for i in group.split()] for group, _ in ranks]
    # invisible edges chain each column in book order, top to bottom
    for group, chain in ranks:
        ids = group.split()
        assert re.findall(r"(n\d+) -> (n\d+)", chain) == list(zip(ids, ids[1:]))
    assert names[0] == ["a^1_1", "a^1_2"]
    assert [n[0] for n in names[1:]] == ["w^2_11", "a^2_1", "w^3_11", "a^3_1"]
    assert sorted(names[1]) == ["b^2_1", "b^2_2", "b^2_3"] + [
        f"w^2_{j}{k}" for j in (1, 2, 3) for k in (1, 2)
    ]
    assert re.search(rf"rank=sink\s+n{len(graph.nodes) - 1}\s", source)


def test_hide_params_keeps_only_neuron_to_neuron_rates():
    graph = demo_network((4, 5, 3))
    source = draw(graph, hide_params=True).source
    labels = " ".join(nodes_of(source).values())
    assert "w²" not in labels and "b³" not in labels
    kept = [e for e in graph.edges if parse_name(e.src.name).symbol not in ("w", "b")]
    assert len(edges_of(source)) == len(kept) == 4 * 5 + 5 * 3 + 3


def test_hide_params_keeps_the_weight_of_a_highlighted_path():
    graph = demo_network((2, 3, 2))
    path = next(pg.paths(graph["w^2_12"], graph))
    source = draw(graph, hide_params=True, highlight=path).source
    assert "w²₁₂" in source and "w²₁₁" not in source


def test_big_graph_is_refused_before_any_layout(monkeypatch):
    x = pg.Value(0.5, name="x")
    y = x
    for _ in range(300):
        y = y.tanh()
    y.name = "C"

    def no_subprocess(*args, **kwargs):
        raise AssertionError("a refused picture must not start Graphviz")

    monkeypatch.setattr("subprocess.run", no_subprocess)
    with pytest.raises(GraphTooBigError, match="hide_params=True.*only_highlighted=True"):
        draw(y)
    with pytest.raises(GraphTooBigError, match="301 nodes"):
        draw(y, max_nodes=300)
    assert len(nodes_of(draw(y, max_nodes=301).source)) == 301
    small = draw(y, highlight=next(pg.paths(x, y)), only_highlighted=True, max_nodes=400)
    assert len(nodes_of(small.source)) == 301


def test_only_highlighted_draws_the_paths_and_c():
    graph = demo_network((4, 5, 3))
    path = next(pg.paths(graph["w^2_11"], graph))
    source = draw(graph, highlight=path, only_highlighted=True).source
    assert len(nodes_of(source)) == len(path.nodes) and len(edges_of(source)) == len(path.rates)
    assert "light grey" not in source  # nothing is dimmed, so the legend does not say so
    assert "light grey: not on the shown paths" in draw(graph, highlight=path).source


def test_the_title_is_drawn_and_the_legend_can_be_left_out():
    graph = sigmoid_neuron()
    titled = draw(graph, title="One neuron: x < y & z").source
    assert "<b>One neuron: x &lt; y &amp; z</b>" in titled
    assert "<i>legend</i>" in titled and "on an edge: its rate factor" in titled
    bare = draw(graph, legend=False).source
    assert "<i>legend</i>" not in bare and "on an edge: its rate factor" not in bare


def test_gradients_are_worked_out_only_for_a_picture_that_shows_them(monkeypatch):
    from pathgrad.drawing import graph_pictures

    graph = sigmoid_neuron()
    calls = []
    real_adjoints = graph_pictures.adjoints
    monkeypatch.setattr(
        graph_pictures, "adjoints", lambda target: calls.append(target) or real_adjoints(target)
    )
    draw(graph)
    draw(graph, title="plain", hide_params=True)
    assert calls == []
    draw(graph, show_grad=True)
    draw(graph, highlight=next(pg.paths(graph["w^2_12"], graph)))
    assert len(calls) == 2


def test_bad_input_is_refused_clearly():
    graph = sigmoid_neuron()
    with pytest.raises(ValueError, match="digits"):
        draw(graph, digits=0)
    with pytest.raises(TypeError, match="Value or Graph"):
        draw("C")
    other = demo_network((2, 2))
    foreign = next(pg.paths(other["w^2_11"], other))
    with pytest.raises(ValueError, match="not in this graph"):
        draw(graph, highlight=foreign)
    x = pg.Value(1.0)
    chain = x
    for _ in range(12):
        chain = chain * 1.0 + chain * 1.0
    with pytest.raises(ValueError, match="max_paths"):
        draw(chain, highlight=pg.paths(x, chain), max_paths=100)


def test_sweep_pictures_fill_in_node_by_node():
    graph = sigmoid_neuron()
    adj = pg.adjoints(graph)
    steps = pg.reverse_sweep_steps(graph)
    known = []
    for step in range(steps + 1):
        pic = pg.draw_reverse_sweep(graph, step)
        labels = nodes_of(pic.source)
        final = [n for n, text in labels.items() if 'fillcolor="#cfe8cf"' in text]
        known.append(len(final))
        for n in final:
            node = graph.nodes[int(n[1:])]
            assert f"= {fmt(adj[graph.index[node]], 3)}<" in labels[n].replace("</font>", "<")
    assert known[0] == 1 and known[-1] == len(graph.nodes)
    assert known == sorted(known)
    with pytest.raises(ValueError, match=f"from 0 to {steps}"):
        pg.draw_reverse_sweep(graph, steps + 1)
    w = graph["w^2_12"]
    last = pg.draw_forward_sweep(graph, "w^2_12", 7)
    assert f"∂C/∂w²₁₂ = {fmt(pg.forward_grad(graph, w), 3)}" in last.caption
    first = nodes_of(pg.draw_forward_sweep(graph, w, 0).source)
    assert sum('fillcolor="#cfe8cf"' in text for text in first.values()) == 1


def test_pictures_name_the_output_they_differentiate():
    a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    e = (a + b) * (b + 1)
    e.name = "e"
    done = pg.draw_reverse_sweep(e, pg.reverse_sweep_steps(e))
    assert "done: every ∂e/∂node is known" in done.caption
    assert "∂e/∂b = 5" in done.source and "∂C/" not in done.source
    assert "∂e/∂b = 5" in draw(e, highlight=list(pg.paths(b, e))).caption
    assert "done: ∂e/∂b = 5" in pg.draw_forward_sweep(e, b, 3).caption
    assert gradient_name("z^2_1", output="e") == "∂e/∂z²₁" and gradient_name("z^2_1") == "δ²₁"


def picture_size(picture) -> tuple[float, float]:
    """Width and height of a rendered picture, in points (from its SVG)."""
    svg = picture.svg()
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width), float(height)


@pytest.mark.parametrize("sizes", [(2, 3, 2), (3, 4, 4, 2), (4, 5, 3), (2, 3, 3, 2)])
def test_a_networks_picture_is_landscape_with_all_its_paths_or_a_few(sizes):
    """A slide is wider than tall: so is a network's picture by default, caption and legend
    included, whether it shows one path, the top three or every path (--top 0)."""
    graph = demo_network(sizes)
    w = graph["w^2_12"]
    every = list(pg.paths(w, graph))
    for chosen in (every[:1], pg.top_paths(w, graph, k=3), every):
        width, height = picture_size(draw(graph, highlight=chosen))
        assert width > 1.1 * height, (sizes, len(chosen), width, height)
    width, height = picture_size(draw(graph, highlight=every, hide_params=False))
    assert len(every) < 10 or width < height  # all the weights: a portrait, when asked for


def test_by_default_a_networks_picture_hides_the_weights_off_the_shown_paths():
    graph = demo_network((3, 4, 4, 2))
    w = graph["w^2_12"]
    labels = " ".join(nodes_of(draw(graph, highlight=list(pg.paths(w, graph))).source).values())
    assert "<b>w²₁₂</b>" in labels and "w²₁₁" not in labels and "b³" not in labels
    assert "weights and biases off the shown paths are hidden" in draw(graph).source
    assert "w²₁₁" in draw(graph, hide_params=False).source  # asked for: every one
    ops = demo_network((2, 3, 2), level="ops")  # an operation needs its operands: all kept
    assert len(nodes_of(draw(ops).source)) == len(ops.nodes)
    neuron = sigmoid_neuron()  # not a network's graph: nothing hidden
    assert len(nodes_of(draw(neuron).source)) == len(neuron.nodes)


def caption_rows(caption: str) -> list[tuple[int, str, float]]:
    return [(int(n), route, float(product)) for n, route, product in
            re.findall(r"^  #(\d+) (.+?): (\S+)", caption, re.M)]


def test_a_caption_lists_every_path_it_shows_numbered_as_everywhere():
    graph = demo_network((3, 4, 4, 2))
    w = graph["w^2_12"]
    every = list(pg.paths(w, graph))
    caption = draw(graph, highlight=every).caption
    rows = caption_rows(caption)
    assert caption.startswith(f"all {len(every)} paths from w²₁₂ to C, largest |product| first:")
    assert "more" not in caption and len(rows) == len(every) == 8
    # each path by its number, the place pg.paths gives it; largest |product| first
    assert {(n, route) for n, route, _ in rows} == {(i, p.route) for i, p in enumerate(every, 1)}
    assert [abs(p) for _, _, p in rows] == sorted((abs(p) for _, _, p in rows), reverse=True)
    start = graph["a^1_1"]
    many = list(pg.paths(start, graph))  # 32: more than a caption lists
    caption = draw(graph, highlight=many).caption
    rows = caption_rows(caption)
    assert len(rows) == CAPTION_PATHS < len(many)
    assert f"all {len(many)} paths from a¹₁ to C; the {CAPTION_PATHS} largest |products| listed:" \
        in caption
    assert f"sum of all {len(many)}: " in caption
    numbers = dict(zip(map(id, many), range(1, len(many) + 1), strict=True))
    largest = sorted(many, key=lambda p: -abs(p.product))[:CAPTION_PATHS]
    assert [n for n, _, _ in rows] == [numbers[id(p)] for p in largest]
    inner = list(pg.paths(start, graph["a^3_1"]))  # paths that stop short of C: no numbers
    caption = draw(graph, highlight=inner).caption
    assert caption.startswith(f"{len(inner)} paths from a¹₁, largest |product| first:")
    assert "#" not in caption and f"sum of these {len(inner)}: " in caption and "%" not in caption
    one = draw(graph, highlight=pg.top_paths(w, graph, k=1)).caption
    assert one.startswith(f"path #{every.index(pg.top_paths(w, graph, k=1)[0]) + 1} w²₁₂ → ")


def rank_groups(source: str, graph) -> list[list[str]]:
    ranks = re.findall(r"\{\s*rank=same\s+((?:n\d+\s+)+)((?:n\d+ -> n\d+ \[style=invis\]\s+)*)\}",
                       source)
    return [[graph.nodes[int(i[1:])].name for i in group.split()] for group, _ in ranks]


def test_with_the_weights_hidden_a_shown_weight_stands_with_the_inputs():
    """No column of weights between two layers of neurons: the kept w²₁₂ joins the input
    layer's column, and each layer of neurons keeps a column of its own."""
    graph = demo_network((3, 4, 4, 2))
    source = draw(graph, highlight=list(pg.paths(graph["w^2_12"], graph))).source
    columns = rank_groups(source, graph)
    assert columns[0] == ["a^1_1", "w^2_12", "a^1_2", "a^1_3"]
    assert columns[1:] == [[f"a^{l}_{j}" for j in range(1, n + 1)]
                           for l, n in ((2, 4), (3, 4), (4, 2))]  # noqa: E741
    assert "nodesep=0.08" in source
    full = draw(graph, highlight=list(pg.paths(graph["w^2_12"], graph)), hide_params=False)
    assert rank_groups(full.source, graph)[1][0] == "w^2_11" and "nodesep=0.18" in full.source


def test_a_picture_without_caption_or_legend_has_no_label():
    source = draw(sigmoid_neuron(), legend=False).source
    assert "label=<" not in source.split("node [")[0]  # no graph label at all
    assert "label=<" in draw(sigmoid_neuron()).source.split("node [")[0]
