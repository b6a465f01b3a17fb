"""The explorer: a rate-factor graph as an interactive page, in Jupyter and in any browser.

``pg.explore(x)`` gives an :class:`Explorer` (a widget in Jupyter, ``.save("page.html")`` for a
self-contained page). Modules: :mod:`.page` (``explore``, ``Explorer``), :mod:`.page_data` (what
the page holds), :mod:`.formulas` (what each rate factor is), :mod:`.positions`, :mod:`.nudge` (the
true ΔC for each slider position), :mod:`.widget` (anywidget), :mod:`.browser` (headless
Chromium for tests and screenshots), :mod:`.gallery_pages`, and ``assets/`` (the page's plain
script, style and template).
"""

from .page import NETWORK_LEVELS, Explorer, ExplorerError, explore

__all__ = ["NETWORK_LEVELS", "Explorer", "ExplorerError", "explore"]
