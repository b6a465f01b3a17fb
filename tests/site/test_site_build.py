"""The course site as files: it builds with no warning, holds every notebook with its committed
outputs, folds what checks, links only to itself, and documents every public name.

These tests read the built HTML; ``test_site_browser.py`` opens the same pages in Chromium.
"""

from __future__ import annotations

import doctest
import importlib.util
import inspect
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import numpy as np
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

import pathgrad as pg
from tests.site.conftest import NOTEBOOKS, Site
from tests.site.folding import PROMPTS, SAVED_STATE, fold, is_folded, kind
from tests.test_architecture import layer_of

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
#: The API page's section for each layer of tests/test_architecture.py's LAYERS.
SECTION_OF_LAYER = {
    0: "support", 1: "core", 2: "core", 3: "core", 4: "path-sums", 5: "checking", 6: "book",
    7: "nn", 8: "exchange", 9: "drawing",
}
IMAGE_TYPES = ("image/svg+xml", "image/png")
EXTENSION = NOTEBOOKS / "_ext" / "pathgrad_site.py"


def notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_site_builds_with_no_warning(site: Site):
    assert site.returncode == 0, site.log[-3000:]
    assert not re.search(r"WARNING|ERROR", site.log), site.log[-3000:]
    for page in ["index", "api", "gallery", "CLAIMS", "search", "genindex"]:
        assert (site.folder / f"{page}.html").is_file(), page


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.stem)
def test_every_notebook_is_a_page_with_its_committed_outputs(site: Site, path: Path):
    page = site.page(f"{path.stem}.html")
    cells = [c for c in notebook(path)["cells"] if c["cell_type"] == "code"]
    assert len(page.select("div.cell")) == len(cells)
    pictures = sum(
        any(kind in output.get("data", {}) for kind in IMAGE_TYPES)
        and "application/vnd.jupyter.widget-view+json" not in output.get("data", {})
        for cell in cells for output in cell.get("outputs", [])
    )
    assert len(page.select("div.cell_output img")) == pictures
    printed = [
        "".join(output["text"]).strip() for cell in cells for output in cell.get("outputs", [])
        if output["output_type"] == "stream"
    ]
    shown = page.get_text()
    assert all(line in shown for text in printed for line in text.splitlines()[:2])


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.stem)
def test_checks_and_solutions_are_folded_in_every_notebook(path: Path):
    source = notebook(path)
    open_ = [i for i, cell in enumerate(source["cells"]) if not is_folded(cell)]
    assert open_ == [] and "widgets" not in source["metadata"], (
        f"cells {open_} of {path.name} should be folded: run "
        f"`.venv/bin/python -m tests.site.folding notebooks/{path.name}`"
    )


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.stem)
def test_the_site_folds_them_behind_buttons_that_say_what_they_hide(site: Site, path: Path):
    code_cells = [c for c in notebook(path)["cells"] if c["cell_type"] == "code"]
    shown = site.page(f"{path.stem}.html").select("div.cell")
    for cell, html in zip(code_cells, shown, strict=True):
        folded = html.select_one("details > div.cell_input")
        which = kind(cell)
        if which is None:
            assert folded is None and html.select_one("div.cell_input") is not None
        else:
            assert folded is not None, "".join(cell["source"])[:60]
            summary = folded.find_parent("details").select_one("summary").get_text(" ")
            assert PROMPTS[which][0] in summary
            # outputs stay in the reading
            assert not any(out.find_parent("details") for out in html.select("div.cell_output"))


def test_the_folding_script_folds_what_checks_and_keeps_every_output(tmp_path):
    cells = [
        nbformat.v4.new_code_cell("# claim: x\nassert 1 + 1 == 2\nprint(2)", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="2\n")]),
        nbformat.v4.new_code_cell("assert True"),
        nbformat.v4.new_code_cell("pg.check_answer(answer_1_1, 5.0)"),
        nbformat.v4.new_code_cell("answer_1_1 = 5.0\nassert pg.check_answer(answer_1_1, 5.0)"),
        nbformat.v4.new_code_cell("x = 1\nassert x\nx", outputs=[
            nbformat.v4.new_output("execute_result", data={"text/plain": "1"})]),
        nbformat.v4.new_markdown_cell("# claim: in prose, not folded"),
    ]
    path = tmp_path / "11_new.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    assert [kind(c) for c in cells] == ["claim", "check", "checker", "solution", None, None]
    assert [is_folded(c) for c in cells] == [False] * 4 + [True, True]
    assert fold(path) == 4 and fold(path) == 0
    folded = nbformat.read(path, as_version=4).cells
    assert all(is_folded(c) for c in folded)
    assert [c.metadata.get("tags") for c in folded] == [["hide-input"]] * 4 + [None, None]
    assert folded[3].metadata.mystnb.code_prompt_show.startswith("Show the worked solution")
    assert [c.get("outputs") for c in folded] == [c.get("outputs") for c in cells]
    folded[0].metadata.jupyter.source_hidden = False  # the site folds it, JupyterLab would not
    assert not is_folded(folded[0])


def test_claim_cells_exist_and_are_folded_kind_by_kind():
    kinds = [kind(c) for path in NOTEBOOK_FILES for c in notebook(path)["cells"]]
    assert {"claim", "check", "checker", "solution"} <= set(kinds)
    assert kinds.count("solution") == kinds.count("checker") >= 6  # one per exercise


def links(site: Site):
    """Every (page, attribute value) that points somewhere, from every HTML page."""
    for path in site.pages():
        text = path.read_text(encoding="utf-8")
        for attribute, value in re.findall(r'\b(href|src)="([^"]*)"', text):
            yield path, attribute, value


def test_every_internal_link_and_anchor_resolves(site: Site):
    ids: dict[Path, set[str]] = {}
    broken, checked = [], 0
    for page, _, value in links(site):
        parts = urlsplit(value)
        if parts.scheme or value.startswith(("//", "mailto:", "javascript:")):
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        checked += 1
        if not target.exists():
            broken.append(f"{page.name}: {value}")
            continue
        if parts.fragment and target.suffix == ".html":
            if target not in ids:
                ids[target] = set(re.findall(r'\bid="([^"]*)"', target.read_text("utf-8")))
            if unquote(parts.fragment) not in ids[target]:
                broken.append(f"{page.name}: {value} (no such anchor)")
    assert checked > 1000 and broken == []


def test_nothing_is_loaded_from_outside_the_site(site: Site):
    loaded = [
        f"{page.name}: {value}" for page, attribute, value in links(site)
        if attribute == "src" and urlsplit(value).scheme not in ("", "data")
    ]
    stylesheets = [
        f"{page.name}: {href}" for page in site.pages()
        for href in re.findall(r'<link[^>]*href="([a-z]+:[^"]*)"', page.read_text("utf-8"))
    ]
    assert loaded == [] and stylesheets == []
    assert (site.folder / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert 'src="_static/mathjax/tex-chtml.js' in (site.folder / "index.html").read_text("utf-8")


def test_the_explorer_of_notebook_5_is_its_saved_page_embedded(site: Site):
    source = notebook(NOTEBOOKS / "05_sum_over_paths.ipynb")
    state = source["metadata"][SAVED_STATE]["application/vnd.jupyter.widget-state+json"]["state"]
    [saved] = [m["state"]["data"] for m in state.values() if "data" in m["state"]]
    page = site.page("05_sum_over_paths.html")
    [frame] = page.select("iframe")
    embedded = (site.folder / frame["src"]).read_text(encoding="utf-8")
    data = re.search(r'id="pathgrad-explorer-data">(.*?)</script>', embedded, re.S)[1]
    assert json.loads(data) == saved and saved["start"]["node"] == "w^2_12"
    assert pg.Explorer(saved, []).html() == embedded  # the very page explorer.save writes
    assert "widget-state" not in str(page) and "require.js" not in str(page)


def test_nbconvert_shows_the_explorers_still_picture_where_no_kernel_runs():
    """With the widget state moved aside, nbconvert (and viewers that follow it) falls back from
    the widget view to the still picture the explorer's output carries; with it in place (as a
    run leaves it, before folding), it shows an empty widget that asks a CDN."""
    source = nbformat.read(NOTEBOOKS / "05_sum_over_paths.ipynb", as_version=4)
    assert "widgets" not in source.metadata and SAVED_STATE in source.metadata
    body, _ = HTMLExporter().from_notebook_node(source)
    [still] = BeautifulSoup(body, "html.parser").select("figure.pathgrad-explorer-still img")
    assert still["src"].startswith("data:image/png;base64,") and "w²₁₂" in body
    assert "widget-view+json" not in body
    source.metadata["widgets"] = source.metadata.pop(SAVED_STATE)
    unfolded, _ = HTMLExporter().from_notebook_node(source)
    assert "widget-view+json" in unfolded and "pathgrad-explorer-still" not in unfolded


def test_the_gallery_page_shows_every_picture_and_explorer_of_the_gallery(site: Site):
    page = site.page("gallery.html")
    gallery = NOTEBOOKS / "gallery"
    shown = {Path(img["src"]).stem.split(".")[0] for img in page.select("figure img")}
    assert shown == {svg.stem for svg in gallery.glob("*.svg")}
    frames = {Path(f["src"]).name for f in page.select("iframe")}
    assert frames == {p.name for p in gallery.glob("explorer-*.html")}
    for name in frames:
        assert (site.folder / "gallery" / name).read_bytes() == (gallery / name).read_bytes()


def site_extension():
    spec = importlib.util.spec_from_file_location("pathgrad_site", EXTENSION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_titles_math_is_said_in_unicode_where_mathjax_does_not_reach(site: Site):
    plain = site_extension().plain
    assert plain(r"\partial C/\partial w^2_{12}") == "∂C/∂w²₁₂"
    assert plain(r"\delta^l_j \odot \sigma'(z^L)") == "δˡⱼ ⊙σ'(zᴸ)"  # TeX drops that space
    title = "5. The big picture: ∂C/∂w is a sum over paths"
    assert site.page("05_sum_over_paths.html").title.get_text().startswith(title)
    assert site.page("api.html").find("a", string=title) is not None  # in the side bar
    assert site.page("05_sum_over_paths.html").select("h1 span.math")  # the page keeps TeX


def api_entry(site: Site, name: str):
    """The API page's entry for ``pg.NAME``: its ``dl`` (a module: its own subsection)."""
    page = site.page("api.html")
    term = page.find(id=f"pathgrad.{name}")
    if term is not None:
        return term.find_parent("dl")
    marker = page.find(id=f"module-pathgrad.{name}")
    return marker.find_parent("section") if marker is not None else None


@pytest.mark.parametrize("name", pg.__all__)
def test_every_public_name_is_in_the_reference_under_its_layer(site: Site, name: str):
    entry = api_entry(site, name)
    assert entry is not None, f"pg.{name} is missing from notebooks/api.rst"
    obj = getattr(pg, name)
    module = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", "pathgrad.value")
    section = SECTION_OF_LAYER[layer_of(module.removeprefix("pathgrad."))]
    assert entry.find_parent("section").find(id=section) is not None
    text = entry.get_text(" ")
    assert re.search(r"\bEquations?\b", text), f"pg.{name}: no equation"
    assert entry.select("div.doctest pre, pre") and ">>>" in text, f"pg.{name}: no example"
    raised = inspect.isclass(obj) and issubclass(obj, Warning | Exception)  # no signature
    if (callable(obj) and not raised) or inspect.ismodule(obj):
        assert entry.select_one("dt.sig em.sig-param, dt.sig span.sig-paren"), f"pg.{name}"


def examples(name: str) -> doctest.DocTest:
    obj = getattr(pg, name)
    if name == "OPS":  # a dict: its entry is written in api.rst
        text = (NOTEBOOKS / "api.rst").read_text(encoding="utf-8")
        text = text.split(".. py:data:: OPS", 1)[1].split("\n.. ", 1)[0]
    else:
        text = inspect.getdoc(obj) or ""
    return doctest.DocTestParser().get_doctest(text, {"np": np}, name, None, 0)


@pytest.mark.parametrize("name", pg.__all__)
def test_every_public_docstring_names_its_equation_and_its_example_runs(name, tmp_path,
                                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    test = examples(name)
    assert len(test.examples) >= 2, f"pg.{name} has no example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert re.search(r"^\s*Equations?\b", test.docstring or "", re.M), f"pg.{name}"
