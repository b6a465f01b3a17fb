"""What the course site adds to Sphinx and myst-nb: explorers as live pages, and the gallery.

* A notebook's explorer output is shown on the site as the page ``explorer.save()`` writes,
  embedded: the page is made from the widget's saved data (the notebook is not re-run; the
  state a run saves is kept under ``pathgrad_widget_state`` by ``tests/site/folding.py``, so
  nbconvert shows the still picture), written beside the notebook's page; no widget state
  reaches the page, so nothing asks a CDN for the ipywidgets scripts.
* ``{pathgrad-explorer} gallery/explorer-network-2-3-2.html`` embeds a saved page of the gallery.
* ``{pathgrad-gallery}`` shows every picture and explorer page of ``gallery/``, whatever the
  gallery holds when the site is built.
* A title's math is said in Unicode (``∂C/∂w``) where MathJax does not reach: the browser's tab,
  the side bars and search results; the page itself keeps its typeset math.
* The API reference lists each class's methods and properties; its fields are in its signature.

Every saved page is self-contained (its script, style and data inline), so the site asks for
nothing outside itself.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.search import js_index
from sphinx.util.docutils import SphinxDirective

from pathgrad import Explorer

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXPLORER_WIDGET = "pathgrad.drawing.explorer.widget.ExplorerWidget"
#: The key under which a folded notebook keeps its widgets' saved state.
SAVED_STATE = "pathgrad_widget_state"
#: Where the pages made from notebooks' explorers go, in the site.
EXPLORERS = "explorers"
GALLERY = "gallery"


def iframe(src: str, title: str, height: str = "46rem", lazy: bool = True) -> str:
    """The HTML that embeds a saved explorer page, with a link to open it on its own."""
    loading = ' loading="lazy"' if lazy else ""
    return (
        '<div class="pathgrad-explorer-embed">'
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}"{loading} '
        f'style="width: 100%; height: {height}; border: 1px solid #c8c8c8; border-radius: 4px">'
        "</iframe>"
        f'<p><a href="{html.escape(src)}">Open this explorer on a page of its own</a> '
        "(it runs in any browser, offline, with no Python).</p></div>"
    )


def up(docname: str) -> str:
    """The way from a document's page back to the site's root (``../`` per folder)."""
    return "../" * docname.count("/")


def embed_explorers(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: swap each explorer widget of a notebook for its saved page, embedded."""
    if app.env.doc2path(docname).suffix != ".ipynb":
        return
    notebook = json.loads(source[0])
    metadata = notebook.get("metadata", {})
    widgets = metadata.pop(SAVED_STATE, None) or metadata.pop("widgets", {})
    state = widgets.get(WIDGET_STATE, {}).get("state", {})
    made = 0
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            model = state.get(view["model_id"], {}).get("state", {}) if view else {}
            if model.get("_anywidget_id") != EXPLORER_WIDGET or "data" not in model:
                continue
            made += 1
            name = f"{docname.replace('/', '-')}-{made}.html"
            target = Path(app.outdir) / EXPLORERS / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(Explorer(model["data"], []).html(), encoding="utf-8")
            title = f"The explorer: {model['data']['title']}"
            output["data"] = {
                "text/html": iframe(f"{up(docname)}{EXPLORERS}/{name}", title),
                "text/plain": output["data"].get("text/plain", title),
            }
    source[0] = json.dumps(notebook)


class ExplorerPage(SphinxDirective):
    """Embed a saved explorer page of the gallery: ``{pathgrad-explorer} gallery/page.html``."""

    required_arguments = 1
    option_spec = {"height": directives.unchanged, "title": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        page = self.arguments[0]
        if not (Path(self.env.srcdir) / page).is_file() or not page.startswith(f"{GALLERY}/"):
            raise self.error(f"{page}: no such page in {GALLERY}/ (pathgrad explore --gallery)")
        title = self.options.get("title", f"The explorer: {Path(page).stem}")
        embed = iframe(up(self.env.docname) + page, title, self.options.get("height", "46rem"),
                       lazy=False)
        return [nodes.raw("", embed, format="html")]


class Gallery(SphinxDirective):
    """Every picture (SVG) and explorer page in ``gallery/``, each with its name as caption."""

    def run(self) -> list[nodes.Node]:
        folder = Path(self.env.srcdir) / GALLERY
        shown: list[nodes.Node] = []
        for svg in sorted(folder.glob("*.svg")):
            self.env.note_dependency(str(svg))
            figure = nodes.figure(ids=[nodes.make_id(svg.stem)])
            figure += nodes.image(uri=f"{GALLERY}/{svg.name}", alt=caption(svg.stem))
            figure += nodes.caption("", caption(svg.stem))
            shown.append(figure)
        for page in sorted(folder.glob("explorer-*.html")):
            section = nodes.section(ids=[nodes.make_id(page.stem)])
            section += nodes.title("", caption(page.stem))
            embed = iframe(f"{up(self.env.docname)}{GALLERY}/{page.name}", caption(page.stem))
            section += nodes.raw("", embed, format="html")
            shown.append(section)
        return shown


def caption(stem: str) -> str:
    """A file name read aloud: ``network-2-3-2-one-path`` → ``network [2, 3, 2] one path``."""
    words: list[str] = []
    for word in stem.split("-"):
        if word.isdigit() and words and words[-1][0].isdigit():
            words[-1] += f", {word}"
        else:
            words.append(word)
    return " ".join(f"[{w}]" if "," in w else w for w in words)


def copy_gallery_pages(app: Sphinx, error: Exception | None) -> None:
    """``build-finished``: the gallery's explorer pages go to ``gallery/`` in the site."""
    if error is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / GALLERY
    target.mkdir(exist_ok=True)
    for page in sorted((Path(app.srcdir) / GALLERY).glob("*.html")):
        shutil.copyfile(page, target / page.name)


#: TeX in a page's title, said in Unicode for the places MathJax does not reach.
SYMBOLS = {"partial": "∂", "delta": "δ", "Delta": "Δ", "sigma": "σ", "odot": "⊙", "nabla": "∇",
           "times": "×", "cdot": "·", "sum": "Σ", "prod": "Π", "to": "→"}
SCRIPTS = (
    str.maketrans("0123456789+-lnjkL", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ˡⁿʲᵏᴸ"),  # after ^
    str.maketrans("0123456789+-jk", "₀₁₂₃₄₅₆₇₈₉₊₋ⱼₖ"),  # after _
)


def plain(tex: str) -> str:
    """``\\partial C/\\partial w^2_{12}`` → ``∂C/∂w²₁₂``: math for a title bar or a side bar."""
    text = re.sub(r"\\([A-Za-z]+)\s*", lambda m: SYMBOLS.get(m[1], m[1]), tex)
    for mark, table in zip("^_", SCRIPTS):
        text = re.sub(re.escape(mark) + r"(?:\{([^}]*)\}|(\w))", scripted(table), text)
    return text.replace("{", "").replace("}", "")


def scripted(table: dict[int, int]) -> Callable[[re.Match[str]], str]:
    """What replaces ``^{12}`` or ``_j``: its characters raised or lowered by ``table``."""
    return lambda match: (match[1] or match[2]).translate(table)


def plain_titles(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: titles' math becomes Unicode in the side bars, the tab and search.

    The page itself keeps its math for MathJax; the copies Sphinx keeps of its title and
    table of contents, shown on every other page too, get plain text.
    """
    docname = app.env.docname
    for copy in (app.env.titles, app.env.longtitles, app.env.tocs):
        for math in list(copy[docname].findall(nodes.math)) if docname in copy else []:
            math.replace_self(nodes.Text(plain(math.astext())))


def plain_search_titles(app: Sphinx, error: Exception | None) -> None:
    """``build-finished``: the section titles search lists, their math said in Unicode too."""
    index = Path(app.outdir) / "searchindex.js"
    if error is not None or not index.is_file():
        return
    data = js_index.loads(index.read_text(encoding="utf-8"))
    titles: dict[str, list] = {}
    for title, places in data["alltitles"].items():
        titles.setdefault(plain(title) if "\\" in title else title, []).extend(places)
    data["alltitles"] = titles
    index.write_text(js_index.dumps(data), encoding="utf-8")


def skip_fields(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    """``autodoc-skip-member``: a class's fields are in its signature; list its methods only."""
    if what == "class" and not (callable(obj) or isinstance(obj, (property, cached_property))):
        return True
    return None


def setup(app: Sphinx) -> dict:
    app.connect("source-read", embed_explorers)
    app.connect("build-finished", copy_gallery_pages)
    app.connect("build-finished", plain_search_titles)
    app.connect("autodoc-skip-member", skip_fields)
    app.connect("doctree-read", plain_titles, priority=900)  # after Sphinx collects titles
    app.add_directive("pathgrad-explorer", ExplorerPage)
    app.add_directive("pathgrad-gallery", Gallery)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
