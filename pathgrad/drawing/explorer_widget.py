"""The explorer as a Jupyter widget: the page's own script as an anywidget module.

anywidget runs ``explorer.js``'s default export in JupyterLab, Notebook 7 and VS Code. The
graph's data goes to the page once (``data``); the name of the node the student selects comes
back (``selected``), and setting ``selected`` from Python selects a node on the page.
"""

from __future__ import annotations

from importlib import resources

import anywidget
import traitlets

_ASSETS = resources.files(__package__) / "explorer_assets"


class ExplorerWidget(anywidget.AnyWidget):
    """The explorer in a notebook; ``selected`` is the book name of the selected node."""

    _esm = (_ASSETS / "explorer.js").read_text(encoding="utf-8")
    _css = (_ASSETS / "explorer.css").read_text(encoding="utf-8")
    data = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
