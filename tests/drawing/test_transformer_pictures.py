"""A transformer drawn and explored at head level: one node per group of heads, the paths the
paper's terms, checked in pictures, in the page's data and in a real browser (Chromium)."""

from __future__ import annotations

import math

import pytest
from selenium.webdriver.common.keys import Keys

import pathgrad as pg
from pathgrad.drawing.explorer.browser import Browser
from tests.drawing.test_explorer_page import click_node, listed_products, shown

TOKENS, POSITION, TOKEN = [0, 1, 2], 2, 1
EXAMPLE = (TOKENS, POSITION, TOKEN)


@pytest.fixture(scope="module")
def model():
    return pg.AttentionOnlyTransformer(3, 2, 2, 1, 2, 3, seed=4)


def test_draw_shows_one_node_per_group_of_heads(model):
    terms = model.path_terms(*EXAMPLE)
    picture = pg.draw(model, example=EXAMPLE)
    dot = picture.source
    for name in ("embed", "L0H0", "L0H1", "L1H0", "L1H1", "L0H0 → L1H0", "L0H1 → L1H1",
                 "logit[2,1]"):
        assert f"<b>{name}</b>" in dot
    coarse = model.graph(*EXAMPLE)
    assert len(coarse.nodes) == 2 + 8  # embed, 4 heads, 4 virtual heads, the logit
    assert math.isclose(coarse.output.data, math.fsum(terms.values()), rel_tol=1e-12)
    fine = pg.draw(model, example=EXAMPLE, level="ops").source
    assert "W_V[1,1,0,1]" in fine and "tok[2,2]" in fine and "W_Q[" not in fine  # frozen
    with pytest.raises(pg.PathgradError, match="more than max_nodes=50"):
        pg.draw(model, example=EXAMPLE, level="ops", max_nodes=50)


def test_draw_and_explore_say_what_a_model_needs(model):
    with pytest.raises(pg.PathgradError, match=r"pg.draw\(model, \(tokens, position, token\)\)"):
        pg.draw(model)
    with pytest.raises(pg.PathgradError, match="level must be one of head, ops"):
        pg.draw(model, example=EXAMPLE, level="z")
    with pytest.raises(pg.PathgradError, match="example= and level= are for a transformer"):
        pg.draw(pg.Value(1.0), example=EXAMPLE)
    with pytest.raises(pg.PathgradError, match="example= and level= are for a transformer"):
        pg.draw(pg.Value(1.0), level="ops")
    with pytest.raises(pg.PathgradError, match=r"pg.explore\(model, \(tokens"):
        pg.explore(model, ([0, 1], 1))
    with pytest.raises(pg.PathgradError, match="choose one or more of head, ops"):
        pg.explore(model, EXAMPLE, levels=["neuron"])
    explorer = pg.explore(model, EXAMPLE, max_nodes=50)  # the 83-node level is left out
    assert explorer.levels == ["head"]
    assert "The ops level is left out" in " ".join(explorer.data["notes"])


def test_the_page_holds_the_head_level_graph(model):
    explorer = pg.explore(model, EXAMPLE)
    assert explorer.levels == ["head", "ops"]
    head = explorer.data["levels"][0]
    coarse = model.graph(*EXAMPLE)
    names = head["nodes"]["name"]
    assert names == [n.name for n in coarse.nodes]
    on_page = sorted(zip((names[i] for i in head["edges"]["src"]),
                         (names[i] for i in head["edges"]["dst"]), head["edges"]["rate"]))
    assert on_page == sorted((e.src.name, e.dst.name, e.rate) for e in coarse.edges)
    ops = explorer.data["levels"][1]
    kinds = dict(zip(ops["nodes"]["name"], ops["nodes"]["kind"], strict=True))
    assert kinds["W_E[0,1]"] == kinds["W_O[1,0,1,0]"] == "param"
    assert kinds["tok[0,0]"] == kinds["pos[2,2]"] == "input"


def test_in_a_browser_the_embedding_lists_every_group_and_sums_to_the_logit(model, tmp_path):
    page = pg.explore(model, EXAMPLE).save(tmp_path / "transformer.html")
    coarse = model.graph(*EXAMPLE)
    terms = model.path_terms(*EXAMPLE)
    with Browser() as browser:
        browser.open(page)
        click_node(browser, "embed")
        assert int(browser.find(".pg-path-count").get_attribute("data-value")) == len(terms)
        assert sorted(listed_products(browser)) == sorted(
            p.product for p in pg.paths(coarse.root, coarse))
        assert sorted(listed_products(browser)) == pytest.approx(sorted(terms.values()),
                                                                 rel=1e-12, abs=1e-15)
        logit = model.logits(TOKENS)[POSITION][TOKEN].data
        assert shown(browser, ".pg-path-sum") == pytest.approx(logit, rel=1e-12)
        # nudging the embedding moves each node by Δ times its value: what its groups write
        # to the logit (for L1H0, directly or after a head of layer 0)
        browser.find(".pg-tab[data-tab='nudge']").click()
        browser.find(".pg-nudge-range").send_keys(Keys.ARROW_RIGHT)
        delta = shown(browser, ".pg-nudge-delta")
        element = browser.find(".pg-node[data-name='L1H0']")
        want = math.fsum(v for k, v in terms.items() if k and k[-1] == (1, 0))
        assert float(element.get_attribute("data-tangent")) == pytest.approx(delta * want,
                                                                             rel=1e-12)
        browser.screenshot(tmp_path / "transformer.png")
        assert browser.console_errors() == []
