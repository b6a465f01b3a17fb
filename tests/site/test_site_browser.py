"""The course site in a real browser: headless Chromium (Debian's), driven by Selenium.

The built site is served over HTTP from a local port, as a course server would serve it, and
every page is opened once: each must open with no console error and no request outside the
site (Chromium's network log), and show no raw TeX (MathJax typeset every formula, from the
site's own copy). Search is run as a reader runs it, and the explorer embedded on the landing
page is clicked. Screenshots of the landing page, a notebook and the API page are kept in a
folder the run prints at its end.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

import pathgrad as pg
from pathgrad.drawing.explorer.browser import Browser
from pathgrad.drawing.gallery import demo_network
from tests.site.conftest import NOTEBOOKS, Site, report

#: After MathJax has run, none of this may be left in a page's text (code blocks aside).
RAW_TEX = re.compile(r"\$[^$\n]+\$|\\partial|\\frac|\\delta|\\sigma|\\odot|\\\(|\\\[")
TYPESET = """
const done = arguments[arguments.length - 1];
if (!document.querySelector('script[src*="mathjax"]')) { done(false); return; }
const start = Date.now();
(function wait() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done(true), () => done(true));
  } else if (Date.now() - start > 15000) { done(true); } else { setTimeout(wait, 25); }
})();
"""
READ = """
const copy = document.body.cloneNode(true);
copy.querySelectorAll('pre, code, script, style, textarea, mjx-assistive-mml')
    .forEach(e => e.remove());
return [
  copy.textContent,
  document.querySelectorAll('mjx-container').length,
  [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).length,
];
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Visit:
    errors: list[str]
    outside: list[str]
    text: str
    typeset: int  # MathJax's output elements on the page
    untypeset: int  # math elements MathJax left alone
    mathjax: bool


@pytest.fixture(scope="module")
def base(site: Site) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site.folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(width=1400, height=1000) as session:
        session.driver.get("about:blank")
        session.requested_urls(), session.console_errors()  # the browser's own start-up
        yield session


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    folder = tmp_path_factory.mktemp("site-screenshots")
    yield folder
    report(request, f"course site screenshots: {folder}")


def outside(urls: list[str], base: str) -> list[str]:
    return [u for u in urls if not u.startswith((base, "data:", "blob:", "about:"))]


def visit(browser: Browser, base: str, page: str) -> Visit:
    browser.driver.get(base + page)
    WebDriverWait(browser.driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    mathjax = browser.driver.execute_async_script(TYPESET)
    text, typeset, untypeset = browser.run(READ)
    return Visit(browser.console_errors(), outside(browser.requested_urls(), base), text,
                 typeset, untypeset, mathjax)


@pytest.fixture(scope="module")
def visits(site: Site, base: str, browser: Browser) -> dict[str, Visit]:
    """Every page of the site, opened once: what the browser logged and what it showed."""
    return {
        path.relative_to(site.folder).as_posix(): visit(
            browser, base, path.relative_to(site.folder).as_posix()
        )
        for path in site.pages()
    }


def test_every_page_opens_with_no_console_error_and_no_request_outside_the_site(visits):
    assert len(visits) >= 16 and {"index.html", "api.html", "search.html"} <= set(visits)
    assert {page: v.errors for page, v in visits.items() if v.errors} == {}
    assert {page: v.outside for page, v in visits.items() if v.outside} == {}


def test_no_page_shows_raw_tex_and_mathjax_typeset_every_formula(visits):
    raw = {page: RAW_TEX.findall(v.text)[:3] for page, v in visits.items()}
    assert {page: found for page, found in raw.items() if found} == {}
    assert {page: v.untypeset for page, v in visits.items() if v.untypeset} == {}
    with_math = ["index.html", "CLAIMS.html"] + [
        f"{path.stem}.html" for path in sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    ]
    assert all(visits[page].mathjax and visits[page].typeset > 0 for page in with_math)


def search(browser: Browser, base: str, words: str) -> list[str]:
    browser.driver.get(f"{base}search.html?q={words}")
    found = WebDriverWait(browser.driver, 20).until(
        expected_conditions.presence_of_all_elements_located(
            (By.CSS_SELECTOR, "#search-results ul.search li a")
        )
    )
    return [a.get_attribute("href").removeprefix(base) for a in found]


def test_search_finds_the_notebook_for_hadamard_and_the_api_entry_for_path_stats(browser, base):
    assert any(href.startswith("02_four_equations.html") for href in search(browser, base,
                                                                          "Hadamard"))
    assert "api.html#pathgrad.path_stats" in search(browser, base, "path_stats")
    results = browser.find("#search-results").text
    assert "pathgrad.path_stats" in results and not RAW_TEX.search(results)
    for words in ["partial", "Hadamard product"]:  # titles with math, said in Unicode
        assert search(browser, base, words)
        assert not RAW_TEX.search(browser.find("#search-results").text)
    assert "The Hadamard product ⊙" in browser.find("#search-results").text
    assert browser.console_errors() == [] and outside(browser.requested_urls(), base) == []


def test_the_explorer_on_the_landing_page_answers_a_click_with_its_two_paths(browser, base,
                                                                          shots):
    graph = demo_network((2, 3, 2))
    w = graph["w^2_12"]
    browser.driver.get(base + "index.html")
    frame = browser.wait_for("iframe[src='gallery/explorer-network-2-3-2.html']")
    browser.run("arguments[0].scrollIntoView({block: 'start'})", frame)
    browser.driver.switch_to.frame(frame)
    try:
        browser.wait_for(".pg-explorer[data-ready='1']")
        box = browser.find(".pg-show-params")
        if not box.is_selected():  # a narrow pane opens without the weights; the box shows them
            browser.run("arguments[0].scrollIntoView({block: 'center'})", box)
            box.click()
        for name, count in [("a^1_1", pg.count_paths(graph["a^1_1"], graph)), ("w^2_12", 2)]:
            node = browser.find(f".pg-node[data-name='{name}']")
            browser.run("arguments[0].scrollIntoView({block: 'center'})", node)
            node.click()
            assert int(browser.find(".pg-path-count").get_attribute("data-value")) == count
        rows = browser.find_all(".pg-path-row")
        assert [float(r.get_attribute("data-product")) for r in rows] == [
            p.product for p in pg.paths(w, graph)
        ]
        total = float(browser.find(".pg-path-sum").get_attribute("data-value"))
        assert total == pytest.approx(pg.grad(graph, [w])[0], rel=1e-12)
    finally:
        browser.driver.switch_to.default_content()
    browser.screenshot(shots / "landing-explorer-w212.png")
    assert browser.console_errors() == [] and outside(browser.requested_urls(), base) == []


def test_screenshots_of_the_landing_page_a_notebook_and_the_api_page_are_kept(browser, base,
                                                                             shots):
    for page, name in [("index.html", "landing"), ("02_four_equations.html", "notebook-02"),
                       ("api.html#pathgrad.path_stats", "api-path_stats")]:
        visit(browser, base, page)
        shot = browser.screenshot(shots / f"{name}.png")
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    assert {p.name for p in Path(shots).glob("*.png")} >= {
        "api-path_stats.png", "landing.png", "notebook-02.png"
    }
