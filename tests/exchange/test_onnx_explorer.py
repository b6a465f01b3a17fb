"""An imported model in the explorer, in a real browser (headless Chromium): its nodes carry
the model's own names (``conv1.weight[0,0,1,1]``), and clicking one lists its paths and
their sum as pathgrad counts and sums them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.drawing.explorer.browser import Browser

MODELS = Path(__file__).parent / "models"


@pytest.fixture(scope="module")
def graph():
    image = np.load(MODELS / "cnn.npz")["input:image"]
    return pg.from_onnx(MODELS / "cnn.onnx", image, cost=lambda out: out[1])


def test_clicking_a_weight_of_a_cnn_lists_its_paths_and_their_sum(graph, tmp_path):
    page = pg.explore(graph).save(tmp_path / "cnn.html")
    chosen = ["fc.bias[1]", "fc.weight[1,2]", "conv2.bias[0]", "conv2.weight[2,1,0,1]"]
    with Browser() as browser:
        browser.open(page)
        for name in chosen:
            node = graph.find(name)
            element = browser.find(f".pg-node[data-name='{name}']")
            browser.run("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
            count = int(browser.find(".pg-path-count").get_attribute("data-value"))
            total = float(browser.find(".pg-path-sum").get_attribute("data-value"))
            assert count == pg.count_paths(node, graph) > 0
            assert total == pytest.approx(pg.path_sum(node, graph), rel=1e-12)
        assert browser.console_errors() == []
