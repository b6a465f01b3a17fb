"""The course site: Sphinx with myst-nb and sphinx-book-theme, built from this folder.

    .venv/bin/sphinx-build -W -b html notebooks build/site

The notebooks are rendered from their committed outputs (never re-run), MathJax is served by
the site itself (sphinx-mathjax-offline), search is Sphinx's own (an index in the site), and
every explorer is a saved page embedded in the site: nothing is asked of any other server.
"""

import sys
from pathlib import Path

import pathgrad

sys.path.insert(0, str(Path(__file__).parent / "_ext"))
# pg.data is pathgrad.book.data: the reference documents it under the name readers use.
sys.modules.setdefault("pathgrad.data", pathgrad.data)

project = "pathgrad"
author = "the pathgrad authors"
copyright = "the pathgrad authors (MIT); equations from Michael Nielsen's book (CC BY-NC 3.0)"
release = version = pathgrad.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into the site: no CDN
    "pathgrad_site",  # explorers as saved pages, the gallery (_ext/pathgrad_site.py)
]
root_doc = "index"
exclude_patterns = ["gallery/README.md", "_ext", ".ipynb_checkpoints", "**/.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]  # the explorer's widget view, left out below

# Notebooks: shown with the outputs they were committed with, never executed here.
nb_execution_mode = "off"
nb_merge_streams = True
# A widget needs a kernel or a CDN: the still picture (or, for the explorer, the embedded
# saved page) is shown instead, and no ipywidgets script is loaded.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js: dict = {}
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# The API reference (api.md): signatures as written, in the order of the source.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False}
add_module_names = True

html_theme = "sphinx_book_theme"
html_title = f"pathgrad {version}: backpropagation as a sum over paths"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,  # the .ipynb of each notebook, from the site itself
    "use_fullscreen_button": False,
}
html_context = {"default_mode": "auto"}  # light or dark as the reader's system says
html_favicon = "_static/favicon.ico"
html_extra_path = ["_static/favicon.ico"]  # at the root too, where browsers look for it
html_last_updated_fmt = None
# Search lists the pages and API entries it finds, without a text snippet: a snippet is cut
# from the page's source, where the formulas are still TeX.
html_show_search_summary = False
html_copy_source = True
