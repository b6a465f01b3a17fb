"""The explorer as a Jupyter widget: the page's own script as an anywidget module.

anywidget runs ``explorer.js``'s default export in JupyterLab, Notebook 7 and VS Code. The
graph's data goes to the page once (``data``); the name of the node the student selects comes
back (``selected``), and setting ``selected`` from Python selects a node on the page.

The class is made the first time a notebook shows an explorer: anywidget brings ipywidgets
with it, a third of the time ``import pathgrad`` would otherwise take, and a script or the
command line never needs it. It comes with the notebooks extra (``pip install
"pathgrad[notebooks]"``); without it a notebook shows the explorer's still picture and says so.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from ...support.errors import PathgradImportError

INSTALL = 'the interactive explorer needs anywidget: pip install "pathgrad[notebooks]"'

_ASSETS = resources.files(__package__) / "assets"


@cache
def explorer_widget_class() -> Any:
    """The widget class; ``selected`` is the book name of the selected node."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        raise PathgradImportError(
            f"{INSTALL} (meanwhile .save('page.html') writes a page any browser opens)"
        ) from None

    class ExplorerWidget(anywidget.AnyWidget):
        _esm = (_ASSETS / "explorer.js").read_text(encoding="utf-8")
        _css = (_ASSETS / "explorer.css").read_text(encoding="utf-8")
        data = traitlets.Dict().tag(sync=True)
        selected = traitlets.Unicode("").tag(sync=True)

    return ExplorerWidget
