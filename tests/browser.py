"""Headless chromium for every component's browser tests, one per test module.

Playwright cannot download its own browsers here: the tests drive Debian's chromium package
(``make browser`` installs it). A missing chromium fails the tests with that instruction; browser
tests are never skipped. This is the one place that starts Playwright: only one may run at a time
in a process, and its sync API keeps an event loop running in the main thread while it is open,
so it is started per module and closed before the next module's tests (some of which run
``asyncio.run``) begin.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BROWSER_TIMEOUT_MS = 5_000


@pytest.fixture(scope="module")
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
