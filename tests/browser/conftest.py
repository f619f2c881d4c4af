"""The real browser the browser tests share: Debian's Chromium through Playwright, one per test module."""
from __future__ import annotations

import pytest

from tests.browser.harness import CHROMIUM_FLAGS, find_chromium


@pytest.fixture(scope="module")
def browser():
    """Chromium, launched once per module (modules skip first, with their reason, when it is missing)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        yield b
        b.close()
