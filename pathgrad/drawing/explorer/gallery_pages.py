"""The explorer pages kept in ``notebooks/gallery/``, one for each net the gallery draws.

``pathgrad explore --gallery notebooks/gallery`` writes them: the demo network [2, 3, 2] at its
three levels (opening on ``w²₁₂``), the wider [4, 5, 3], and one sigmoid neuron at the level of
elementary operations, each with the example its pictures use, and a screenshot of the first
page for the README (taken in headless Chromium when one is installed).
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from ...book.network import Network
from ...support.writing import write_file
from ..gallery import demo_example, sigmoid_neuron
from .browser import Browser
from .page import Explorer, explore

SCREENSHOT = "explorer-network-2-3-2.png"


def explorer_pages() -> dict[str, Explorer]:
    """Every gallery page by file stem."""
    return {
        "explorer-network-2-3-2": explore(
            Network([2, 3, 2], seed=1), demo_example((2, 3, 2)), select="w^2_12",
            title="Network [2, 3, 2], one example",
        ),
        "explorer-network-4-5-3": explore(
            Network([4, 5, 3], seed=1), demo_example((4, 5, 3)), select="a^1_1",
            title="Network [4, 5, 3], one example",
        ),
        "explorer-sigmoid-neuron": explore(
            sigmoid_neuron(), select="w^2_12", title="One sigmoid neuron, every operation"
        ),
    }


def write_explorer_gallery(folder: str | Path, screenshot: bool = True) -> list[Path]:
    """Write every page into ``folder``, and a screenshot of the first; return the files.

    The pages are made and the browser started before the first file is written: without
    Chromium the gallery is refused with what to install, and nothing is left behind.
    """
    pages = {f"{stem}.html": page.html().encode("utf-8") for stem, page in explorer_pages().items()}
    target = Path(folder)
    with Browser(width=1400, height=760) if screenshot else nullcontext() as browser:
        target.mkdir(parents=True, exist_ok=True)
        written = [write_file(target / name, data) for name, data in pages.items()]
        if browser is not None:
            browser.open(written[0])
            written.append(browser.screenshot(target / SCREENSHOT))
    return written
