"""Headless Chromium for the browser tests and the screenshots: Debian's /usr/bin/chromium
driven by Playwright (the project never downloads a browser of its own)."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from typing import Iterator

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    """$WHOPUSHED_CHROMIUM, else Debian's chromium, else one on PATH."""
    for candidate in (os.environ.get("WHOPUSHED_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@contextmanager
def chromium(viewport: tuple[int, int] = (1400, 1000)) -> Iterator[object]:
    """A Playwright browser context on headless Chromium, offline except for loopback."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium was not found: install Debian's chromium (make setup does, as root)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                          device_scale_factor=1, locale="en-GB", timezone_id="UTC")
            yield context
            context.close()
        finally:
            browser.close()
