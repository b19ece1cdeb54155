"""One headless chromium for the whole test session, shared by every component's browser tests.

Playwright cannot download its own browsers here: the tests drive Debian's chromium package
(``make browser`` installs it). A missing chromium fails the tests with that instruction; browser
tests are never skipped. Only one Playwright may run at a time in a process, so this is the one
place that starts it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BROWSER_TIMEOUT_MS = 5_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "chromium is not installed: run `make browser` (installs Debian's chromium package)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (no cookies) whose browser asks for Canadian English."""
    context = browser.new_context(locale="en-CA")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()
