"""The explorer's data, page and widget, without a browser (the browser tests are beside).

What the page holds must be pathgrad's own numbers: every edge's rate factor, its formula
in the book's names, the true ``ΔC`` of each slider position (against ``Graph.value_at``),
a deterministic layout, and one self-contained HTML file whose data survives any node name.
"""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.drawing import find_engine
from pathgrad.drawing.explorer import ExplorerError, page
from pathgrad.drawing.explorer.formulas import rate_formula
from pathgrad.drawing.explorer.gallery_pages import explorer_pages
from pathgrad.drawing.explorer.nudge import choose_nudged, nudge_steps, true_changes
from pathgrad.drawing.explorer.positions import column_layout, layout
from pathgrad.drawing.gallery import demo_example, sigmoid_neuron
from pathgrad.support.errors import TooLargeError
from tests.strategies import random_graphs

EXAMPLE = demo_example((2, 3, 2))
EXAMPLE_4_2 = ([0.1, 0.2, 0.3, 0.4], [1.0, 0.0])
GALLERY_COMMAND = "pathgrad explore --gallery notebooks/gallery"


@pytest.fixture(scope="module")
def net():
    return pg.Network([2, 3, 2], seed=1)


def edge_formula(graph: pg.Graph, head: str, tail: str) -> str:
    node = graph[head]
    return rate_formula(node, [p.name for p in node.parents].index(tail)).text


def test_the_formulas_of_equation_53s_edges(net):
    neuron = net.graph(*EXAMPLE, level="neuron")
    assert edge_formula(neuron, "a^3_2", "a^2_1") == "σ'(z³₂)·w³₂₁"
    assert edge_formula(neuron, "a^3_2", "w^3_21") == "σ'(z³₂)·a²₁"
    assert edge_formula(neuron, "a^3_2", "b^3_2") == "σ'(z³₂)"
    assert edge_formula(neuron, "C", "a^3_1") == "a³₁ − y₁"
    z = net.graph(*EXAMPLE, level="z")
    assert edge_formula(z, "z^2_1", "w^2_12") == "a¹₂"
    assert edge_formula(z, "z^2_1", "a^1_2") == "w²₁₂"
    assert edge_formula(z, "z^2_1", "b^2_1") == "1"
    assert edge_formula(z, "a^2_1", "z^2_1") == "σ'(z²₁)"
    where = rate_formula(neuron["a^3_2"], 3).where
    slope, weight = (float(v.replace("−", "-")) for v in re.findall(r"= (\S+?)(?:,|$)", where))
    assert slope * weight == pytest.approx(neuron["a^3_2"].rates[3], rel=1e-3)


def test_the_formulas_of_elementary_operations_and_of_an_unknown_one():
    graph = sigmoid_neuron()
    formulas = {
        f"{e.dst.label}<-{e.src.label}": rate_formula(e.dst, e.dst.parents.index(e.src)).text
        for e in graph.edges
    }
    assert "a¹₁" in formulas.values() and "σ'(z²₁)" in formulas.values()
    assert "2·(a²₁ − 1)" in formulas.values()  # ∂(u²)/∂u, u = a - 1
    softplus = pg.Op("softplus", lambda z: float(np.log1p(np.exp(z))), lambda z: (0.5,))
    x = pg.Value(0.3, name="x")
    y = x / (softplus(x) * 2.0)
    texts = [rate_formula(y, i).text for i in range(2)]
    assert texts == ["1/(softplus(x)·2)", "−x/(softplus(x)·2)²"]
    assert rate_formula(y.parents[1], 0).text == "2"
    assert rate_formula(y.parents[1].parents[0], 0).text == "∂softplus/∂x"


@settings(max_examples=40, deadline=None)
@given(built=random_graphs(), data=st.data())
def test_the_true_change_of_every_slider_position_is_value_at(built, data):
    graph = pg.Graph(built.output)
    position = data.draw(st.integers(0, len(graph.nodes) - 2))
    node = graph.nodes[position]
    steps = nudge_steps(data.draw(st.sampled_from([0.1, 1.0])))
    changes = true_changes(graph, position, steps)
    assert changes[steps.index(0.0)] == 0.0
    for step, change in zip(steps, changes):
        try:
            expected = graph.value_at({node: node.data + step}) - graph.value_at({node: node.data})
        except ValueError:  # the graph is undefined there: the page must not make a number up
            assert change is None
            continue
        assert change == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_the_slider_runs_from_a_hundredth_of_the_nudge_scale_to_the_scale():
    steps = nudge_steps(2.0)
    assert steps[-1] == 2.0 and steps[0] == -2.0
    assert steps[steps.index(0.0) + 1] == 0.01 * 2.0  # the step just above 0
    cost = (pg.Value(0.3, name="x") * 2.0).sigmoid()
    assert pg.explore(cost, nudge_scale=2).data["nudge"]["steps"] == steps


def test_a_small_budget_offers_the_slider_for_the_largest_gradients_first(net):
    graph = net.graph(*EXAMPLE, level="neuron")
    adjoints = pg.adjoints(graph)
    everything, possible = choose_nudged(graph, adjoints, 10**9)
    assert everything == list(range(len(graph.nodes) - 1)) and possible == len(everything)
    few, _ = choose_nudged(graph, adjoints, 3000)
    assert 0 < len(few) < len(everything)
    leaves = [i for i in everything if graph.nodes[i].op is None]
    chosen_leaves = [i for i in few if graph.nodes[i].op is None]
    cut = min(abs(adjoints[i]) for i in chosen_leaves)
    assert all(abs(adjoints[i]) <= cut for i in leaves if i not in few)


def test_layouts_are_deterministic_and_place_every_shown_node(net):
    graph = net.graph(*EXAMPLE, level="ops")
    first, second = layout(graph), layout(graph)
    assert first.method == "dot" and (first.x, first.y, first.edge_paths) == (
        second.x,
        second.y,
        second.edge_paths,
    )
    assert all(v is not None for v in first.x) and all(first.edge_paths)
    big = pg.Network([64, 30, 10], seed=0).graph(np.full(64, 0.5), 3)
    params = frozenset(i for i, n in enumerate(big.nodes) if n.name[0] in "wb")
    columns = column_layout(big, params)
    assert [i for i, x in enumerate(columns.x) if x is None] == sorted(params)
    xs = {columns.x[big.index[big.a(l, 1)]] for l in (1, 2, 3)}  # noqa: E741
    assert len(xs) == 3  # one column per layer


def test_the_page_is_one_file_whose_data_survives_any_name(tmp_path):
    x = pg.Value(0.5, name="</script><script>alert(1)</script>")
    cost = (x * x).sigmoid()
    cost.name = "C & <b>"
    explorer = pg.explore(cost, title="<i>")
    page = explorer.save(tmp_path / "page.html").read_text(encoding="utf-8")
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<title>&lt;i&gt;</title>" in page
    text = re.search(r'id="pathgrad-explorer-data">(.*?)</script>', page, re.S)[1]
    assert json.loads(text) == explorer.data
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?:", page)


def test_a_title_or_a_name_like_a_placeholder_of_the_page_is_left_as_it_is():
    x = pg.Value(0.5, name="{{script}}")
    cost = (x * 2.0).sigmoid()
    cost.name = "{{data}}"
    explorer = pg.explore(cost, title="t {{css}}")
    html = explorer.html()  # the template is filled in one pass
    assert "<title>t {{css}}</title>" in html and html.count("<style>") == 1
    saved = json.loads(re.search(r'id="pathgrad-explorer-data">(.*?)</script>', html, re.S)[1])
    assert saved == explorer.data and saved["title"] == "t {{css}}"
    assert saved["levels"][0]["nodes"]["name"] == ["{{script}}", None, "{{data}}"]


def test_a_network_page_has_its_three_levels_and_leaves_out_a_huge_one():
    net = pg.Network([64, 30, 10], seed=0)
    explorer = pg.explore(net, (np.full(64, 0.5), 3))
    assert explorer.levels == ["neuron", "z"]
    assert "ops level is left out" in " ".join(explorer.data["notes"])
    neuron = explorer.data["levels"][0]
    assert neuron["compact"] and len(neuron["nodes"]["value"]) == 2365
    small = pg.explore(pg.Network([2, 3, 2], seed=1), EXAMPLE, select="w^2_12")
    assert small.levels == ["neuron", "z", "ops"] and small.data["start"]["node"] == "w^2_12"


def test_the_widget_and_the_still_picture_for_notebooks(net):
    explorer = pg.explore(net, EXAMPLE)
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))
    assert bundle["image/png"].startswith(b"\x89PNG")  # for viewers that drop SVG
    assert explorer.widget.data == explorer.data
    assert "export default" in explorer.widget._esm


def test_static_viewers_get_the_still_picture_as_html_too(net):
    explorer = pg.explore(net, EXAMPLE, title="a <net>")
    bundle = explorer._repr_mimebundle_()
    html = bundle["text/html"]
    [inline] = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert base64.b64decode(inline) == bundle["image/png"]  # the very PNG, not another
    assert re.search(r'alt="a &lt;net&gt;, neurons \(equation 53\)"', html)
    assert "<figcaption>a &lt;net&gt;: a still picture" in html and "<net>" not in html
    assert "explorer's first level (neurons (equation 53))." in html
    assert "explorer.save" in html


def test_the_still_picture_is_drawn_once_with_the_explorers_engine(net, monkeypatch):
    engine = find_engine()[0]
    engines = []
    real_draw = page.draw

    def counting_draw(graph, **options):
        engines.append(options.get("engine"))
        return real_draw(graph, **options)

    monkeypatch.setattr(page, "draw", counting_draw)
    explorer = pg.explore(net, EXAMPLE, engine=engine)
    first = explorer._repr_mimebundle_()
    second = explorer._repr_mimebundle_()
    assert engines == [engine]
    assert first["image/svg+xml"] == second["image/svg+xml"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda net: pg.explore("C"), "takes a Value"),
        (lambda net: pg.explore(net), "explored on one example"),
        (lambda net: pg.explore(net, EXAMPLE, levels=["atoms"]), "choose one or more of"),
        (lambda net: pg.explore(net, EXAMPLE, select="w^9_99"),
         "not the name of a node of this graph; its weights are w^2_11, w^2_12, w^2_21, …"),
        (lambda net: pg.explore(net, EXAMPLE, nudge_scale=0), "positive finite number"),
        (lambda net: pg.explore(net, EXAMPLE, nudge_budget=-1), "whole number >= 0"),
        (lambda net: pg.explore(net, EXAMPLE, max_nodes=10), "more than max_nodes=10"),
        (lambda net: pg.explore(net.graph(*EXAMPLE), levels=["z"]), "for a Network"),
        (lambda net: pg.explore(net, EXAMPLE).save("page.svg"), "ending in .html"),
    ],
)
def test_bad_input_is_refused_with_advice(net, call, message):
    with pytest.raises(pg.PathgradError, match=re.escape(message)):
        call(net)


def test_explorer_errors_are_value_errors():
    assert issubclass(ExplorerError, ValueError)


def test_a_title_that_is_not_text_is_refused_at_once(net):
    with pytest.raises(ExplorerError, match="title must be text"):
        pg.explore(net, EXAMPLE, title=3)
    with pytest.raises(pg.PathgradError, match="engine must be one of"):
        pg.explore(net, EXAMPLE, engine="neato")


def test_the_gallery_pages_are_up_to_date():
    folder = Path(__file__).parents[2] / "notebooks" / "gallery"
    for stem, explorer in explorer_pages().items():
        text = (folder / f"{stem}.html").read_text(encoding="utf-8")
        saved = json.loads(re.search(r'id="pathgrad-explorer-data">(.*?)</script>', text, re.S)[1])
        for level, fresh in zip(saved["levels"], explorer.data["levels"], strict=True):
            for part in ("name", "value", "grad"):
                assert level["nodes"][part] == fresh["nodes"][part], f"rerun {GALLERY_COMMAND}"
            for part in ("src", "dst", "rate", "formula"):
                assert level["edges"][part] == fresh["edges"][part], f"rerun {GALLERY_COMMAND}"
            assert level["nudgeTable"] == fresh["nudgeTable"], f"rerun {GALLERY_COMMAND}"


def wide(nodes: int, fan: int) -> pg.Value:
    """``nodes`` nodes, each the mean of ``fan`` earlier ones: ``nodes · fan`` edges."""
    mean = pg.Op(f"mean{fan}", lambda *xs: sum(xs) / len(xs),
                 lambda *xs: tuple(1.0 / len(xs) for _ in xs))
    made = [pg.Value(0.5, name="x")]
    for i in range(nodes - 1):
        made.append(mean(*[made[max(0, i - k)] for k in range(fan)]))
    return made[-1]


def test_edges_are_bounded_as_well_as_nodes():
    """2,001 nodes and 500,000 edges once took 188 s and then ran out of memory."""
    top = wide(2001, 250)
    start = time.perf_counter()
    with pytest.raises(TooLargeError, match=r"this graph has 500,000 edges, more than "
                                            r"max_edges=20,000: .* raise max_edges") as refused:
        pg.explore(top)
    assert time.perf_counter() - start < 2 and refused.value.limit == "max_edges"
    small = wide(30, 10)
    assert len(pg.explore(small).data["levels"][0]["edges"]["src"]) == 290
    assert len(pg.explore(small, max_edges=290).data["levels"][0]["edges"]["src"]) == 290
    with pytest.raises(TooLargeError, match="290 edges, more than max_edges=289"):
        pg.explore(small, max_edges=289)
    with pytest.raises(pg.PathgradError, match="max_edges must be a whole number >= 1"):
        pg.explore(small, max_edges=0)
    net = pg.Network([4, 5, 2], seed=0)
    page = pg.explore(net, EXAMPLE_4_2, max_edges=80)  # neuron: 69 edges, z: 76, ops: 134
    assert page.levels == ["neuron", "z"]
    assert page.data["notes"] == ["The ops level is left out: 134 edges, more than "
                                  "max_edges=80."]
    # no level fits: the refusal speaks of the first level asked for
    with pytest.raises(TooLargeError, match="this graph has 76 edges, more than max_edges=60"):
        pg.explore(net, EXAMPLE_4_2, levels=["z", "neuron"], max_edges=60)


def test_a_formula_names_a_few_operands_of_a_wide_operation():
    """The text of every edge stays short whatever the fan-in: a page grows with its edges."""
    page = pg.explore(wide(12, 40))
    formulas = page.data["levels"][0]["edges"]["formula"]
    assert len(formulas) == 11 * 40
    assert max(len(text) for text in formulas) < 200
    assert any("… 37 more)" in text for text in formulas)
    three = pg.explore(wide(4, 3)).data["levels"][0]["edges"]["formula"]
    assert not any("more)" in text for text in three)  # three operands: all shown
    assert any(text.count("mean3") >= 2 for text in three)


def test_a_page_opens_on_a_node_and_takes_names_as_printed(net):
    assert pg.explore(net, EXAMPLE).data["start"]["node"] == "a^1_1"  # the first input
    assert pg.explore(net, EXAMPLE, select="w²₁₂").data["start"]["node"] == "w^2_12"
    assert pg.explore(sigmoid_neuron()).data["start"]["node"] == "a^1_1"


def test_a_small_level_carries_a_lean_layout_without_its_weights(net):
    data = pg.explore(net, EXAMPLE).data
    for level in data["levels"]:
        nodes, lean = level["nodes"], level["lean"]
        params = [i for i, kind in enumerate(nodes["kind"]) if kind == "param"]
        assert params and all(lean["x"][i] is None for i in params)
        assert all(lean["x"][i] is not None for i in range(len(nodes["kind"])) if i not in params)
        assert lean["width"] * lean["height"] < level["width"] * level["height"]
    big = pg.explore(pg.Network([64, 30, 10], seed=0), (np.full(64, 0.5), 3), levels=["neuron"])
    assert big.data["levels"][0]["compact"] and big.data["levels"][0]["lean"] is None


def test_a_tall_column_is_set_in_parts_as_tall_as_the_next_column():
    big = pg.Network([64, 30, 10], seed=0).graph(np.full(64, 0.5), 3)
    params = frozenset(i for i, n in enumerate(big.nodes) if n.name[0] in "wb")
    placed = column_layout(big, params)
    hidden = [big.index[big.a(2, j)] for j in range(1, 31)]
    inputs = [big.index[big.a(1, k)] for k in range(1, 65)]
    rows = {placed.y[i] for i in hidden}
    assert len(rows) == 30 and {placed.y[i] for i in inputs} <= rows  # as tall as 30 neurons
    assert len({placed.x[i] for i in inputs}) == 3  # 64 inputs in three parts
    assert len({(placed.x[i], placed.y[i]) for i in inputs}) == 64  # none on another
    assert 0.5 < placed.width / placed.height < 2  # neither a thin strip nor a thin column
    shown = [i for i, x in enumerate(placed.x) if x is not None]
    assert all(0 < placed.x[i] < placed.width and 0 < placed.y[i] < placed.height for i in shown)
    assert max(placed.x[i] for i in shown) == pytest.approx(placed.width - 40)  # margins alike
    outputs = [placed.y[big.index[big.a(3, j)]] for j in range(1, 11)]
    for column in (outputs, [placed.y[big.index[big.C]]], [placed.y[i] for i in inputs[:22]]):
        assert sum(column) / len(column) == pytest.approx(placed.height / 2)  # centred
    gaps = sorted({placed.x[i] for i in inputs})
    assert gaps[1] - gaps[0] == gaps[2] - gaps[1] < placed.x[hidden[0]] - gaps[2]


def test_without_anywidget_a_notebook_shows_the_still_picture_and_how_to_install(net, monkeypatch):
    import sys

    from pathgrad.drawing.explorer import widget

    monkeypatch.setitem(sys.modules, "anywidget", None)
    widget.explorer_widget_class.cache_clear()
    try:
        explorer = pg.explore(net, EXAMPLE)
        bundle = explorer._repr_mimebundle_()
        assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))
        assert 'pip install "pathgrad[notebooks]"' in bundle["text/plain"]
        assert "application/vnd.jupyter.widget-view+json" not in bundle
        with pytest.raises(ImportError, match=re.escape('pip install "pathgrad[notebooks]"')):
            explorer.widget  # noqa: B018
    finally:
        widget.explorer_widget_class.cache_clear()
