"""The page's arithmetic against Python's, on random graphs, through a real browser.

For each random graph the page is saved and opened in headless Chromium; a random node is
clicked and what the page shows is read back: the path count (exact), each listed path's
product (bit for bit, in pathgrad's order), their sum, the predicted change of every node for a
nudge (the forward sweep), and, after the reverse sweep has run to its end, every node's
``∂C/∂node`` (bit for bit: the page adds in the same order as ``pg.adjoints``).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.drawing.explorer.browser import Browser
from tests.strategies import dags, random_graphs

BROWSER_EXAMPLES = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def browser():
    with Browser() as session:
        yield session


def show(browser, graph: pg.Graph, tmp_path_factory) -> None:
    page = pg.explore(graph).save(tmp_path_factory.mktemp("random") / "page.html")
    browser.open(page)
    assert browser.console_errors() == []


def check_node(browser, graph: pg.Graph, source: pg.Value) -> None:
    position = graph.index[source]
    node = browser.find(f".pg-node[data-index='{position}']")
    browser.run("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", node)
    node.click()
    count = int(browser.find(".pg-path-count").get_attribute("data-value"))
    assert count == pg.count_paths(source, graph)
    rows = browser.find_all(".pg-path-row")
    if count <= 64:
        listed = [p.product for p in pg.paths(source, graph)]
        assert [float(r.get_attribute("data-product")) for r in rows] == listed
        total = float(browser.find(".pg-path-sum").get_attribute("data-value"))
        assert total == pytest.approx(pg.path_sum(source, graph), rel=1e-9, abs=1e-12)
    else:
        best = sorted((abs(p.product) for p in pg.top_paths(source, graph, k=10)), reverse=True)
        shown = [abs(float(r.get_attribute("data-product"))) for r in rows]
        assert sorted(shown, reverse=True) == pytest.approx(best, rel=1e-12)
    assert float(browser.find(".pg-forward").get_attribute("data-value")) == pg.forward_grad(
        graph, source
    )


def check_sweep(browser, graph: pg.Graph) -> None:
    browser.find(".pg-tab[data-tab='sweep']").click()
    browser.find(".pg-step-last").click()
    adjoints = pg.adjoints(graph)
    for element in browser.find_all(".pg-node"):
        position = int(element.get_attribute("data-index"))
        assert float(element.get_attribute("data-adjoint")) == adjoints[position]


@BROWSER_EXAMPLES
@given(case=dags(), data=st.data())
def test_paths_and_sweeps_on_random_dags(browser, tmp_path_factory, case, data):
    graph, source = case
    show(browser, graph, tmp_path_factory)
    check_node(browser, graph, source)
    check_sweep(browser, graph)
    assert browser.console_errors() == []


@BROWSER_EXAMPLES
@given(built=random_graphs(), data=st.data())
def test_nudges_on_random_expression_graphs(browser, tmp_path_factory, built, data):
    graph = pg.Graph(built.output)
    source = data.draw(st.sampled_from(graph.nodes[:-1]))
    show(browser, graph, tmp_path_factory)
    check_node(browser, graph, source)
    browser.find(".pg-tab[data-tab='nudge']").click()
    slider = browser.find(".pg-nudge-range")
    slider.send_keys("\ue014")  # one step to the right
    delta = float(browser.find(".pg-nudge-delta").get_attribute("data-value"))
    for element in browser.find_all(".pg-node[data-tangent]"):
        node = graph.nodes[int(element.get_attribute("data-index"))]
        assert float(element.get_attribute("data-tangent")) == delta * pg.forward_grad(node, source)
    truth = browser.find(".pg-dc-true").get_attribute("data-value")
    changed = graph.value_at({source: source.data + delta}) - graph.value_at({source: source.data})
    assert float(truth) == pytest.approx(changed, rel=1e-9, abs=1e-12)
    check_sweep(browser, graph)
    assert browser.console_errors() == []
