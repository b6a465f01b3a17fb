"""A real browser for the explorer's pages: headless Chromium driven by Selenium.

The explorer's tests and its gallery screenshots open saved pages in the Chromium that the
system provides (Debian's ``chromium`` and ``chromium-driver``, installed by ``.ci/setup``);
nothing is downloaded. Chromium is started without the background services that would try
to reach the network, with a fresh profile, and its console is kept so a test can fail on any
error the page logs.

    with Browser() as browser:
        browser.open("page.html")
        browser.find(".pg-node[data-name='w^2_12']").click()  # a Selenium element
        browser.screenshot("page.png")
"""

from __future__ import annotations

import json
import shutil
import tempfile
from os import PathLike
from pathlib import Path
from typing import Any

from ...support.errors import PathgradError
from ...support.writing import write_file

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    SELENIUM_MISSING: ImportError | None = None
except ImportError as missing:  # Selenium comes with pathgrad's test extra; Browser() says so
    SELENIUM_MISSING = missing

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAMES = ("chromedriver",)
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
INSTALL_HINT = (
    "install Debian's Chromium and its driver (as root: apt-get install chromium "
    "chromium-driver; `bash .ci/setup` does it) and Selenium (pip install selenium)"
)


class BrowserMissingError(PathgradError, RuntimeError):
    """No Chromium, chromedriver or Selenium: the message says what to install."""


def find_browser() -> tuple[str, str]:
    """The paths of the system's Chromium and chromedriver."""
    chromium = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    driver = next((p for p in map(shutil.which, DRIVER_NAMES) if p), None)
    if chromium is None or driver is None:
        missing = " and ".join(
            name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path
        )
        raise BrowserMissingError(f"no {missing} on the PATH: {INSTALL_HINT}")
    return chromium, driver


class Browser:
    """One headless Chromium session; a context manager that quits the browser at the end.

    ``width`` and ``height`` are the size of the page's viewport (``window.innerWidth`` and
    ``innerHeight``), what a screen of that size shows of a page.
    """

    def __init__(self, width: int = 1400, height: int = 1000) -> None:
        if SELENIUM_MISSING is not None:
            raise BrowserMissingError(f"Selenium is not installed: {INSTALL_HINT}")
        chromium, driver = find_browser()
        self.profile = tempfile.mkdtemp(prefix="pathgrad-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.add_argument(f"--window-size={width},{height}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        # An explicit driver path: Selenium Manager never tries to download one.
        self.driver = webdriver.Chrome(service=Service(driver), options=options)
        self.set_viewport(width, height)

    def set_viewport(self, width: int, height: int) -> None:
        """Make the viewport ``width`` × ``height``: the window, less what its frame takes."""
        inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight]")
        outer = self.driver.get_window_size()
        self.driver.set_window_size(outer["width"] + width - inner[0],
                                    outer["height"] + height - inner[1])

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.quit()

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, page: str | PathLike, timeout: float = 20.0) -> None:
        """Load a saved page and wait until the explorer has drawn itself."""
        self.driver.get(Path(page).resolve().as_uri())
        self.wait_for(".pg-explorer[data-ready='1']", timeout)

    def wait_for(self, selector: str, timeout: float = 20.0) -> Any:
        return WebDriverWait(self.driver, timeout).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector))
        )

    def run(self, script: str, *args: Any) -> Any:
        """Run JavaScript in the page and return its result."""
        return self.driver.execute_script(script, *args)

    def find(self, selector: str) -> Any:
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def find_all(self, selector: str) -> list[Any]:
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def console_errors(self) -> list[str]:
        """What the page logged as an error (or worse) since the last call."""
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] in ("SEVERE", "ERROR")
        ]

    def requested_urls(self) -> list[str]:
        """Every URL the browser asked for since the last call (from its network log)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def screenshot(self, path: str | PathLike) -> Path:
        return write_file(path, self.driver.get_screenshot_as_png())
