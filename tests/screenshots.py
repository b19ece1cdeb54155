"""``make screenshots``: the main pages in English and French, on a desktop (1366x900) and a
phone (390x844), written to ``docs/screenshots/<page>-<lang>-<desktop|phone>.png``.

It serves the tour deployment of tests/site_tour.py (a temporary SQLite database) and drives
Debian's chromium, like the browser tests. ``python -m tests.screenshots --all`` takes every page
of the tour instead of the main ones (to look at, not to commit).
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from tests.browser import CHROMIUM_ARGS
from tests.site_tour import Tour, site_tour

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}
MAIN = (
    "home",
    "programs",
    "program",
    "verify-result",
    "share",
    "passport",
    "passport-credential",
    "console-awards",
    "console-award",
)


def show_verify_result(page: Page, tour: Tour, lang: str) -> None:
    """The employer's page after pasting a credential (a POST, so not a plain address)."""
    page.goto(f"{tour.base_url}/verify?lang={lang}")
    page.locator("#credential").fill(tour.credential)
    page.locator("#verify-form button[type=submit]").click()
    page.locator("#verdict-headline").wait_for()


def save(png: bytes, path: Path) -> None:
    """Store the screenshot with a 256-colour palette: a third of the size, the same look."""
    Image.open(io.BytesIO(png)).quantize(256).save(path, optimize=True)


def main(every_page: bool) -> None:
    executable = shutil.which("chromium")
    if executable is None:
        sys.exit("chromium is not installed: run `make browser`")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory, site_tour(Path(directory)) as tour:
        pages = [(name, who, path) for name, who, path in tour.pages]
        pages.insert(8, ("verify-result", "public", ""))
        wanted = [entry for entry in pages if every_page or entry[0] in MAIN]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for kind, (width, height) in VIEWPORTS.items():
                for who in ("public", "staff", "learner"):
                    context = browser.new_context(viewport={"width": width, "height": height})
                    context.add_cookies(tour.cookies(who))  # type: ignore[arg-type]
                    page = context.new_page()
                    for name, owner, path in wanted:
                        if owner != who:
                            continue
                        for lang in ("en", "fr"):
                            if name == "verify-result":
                                show_verify_result(page, tour, lang)
                            else:
                                separator = "&" if "?" in path else "?"
                                page.goto(f"{tour.base_url}{path}{separator}lang={lang}")
                            save(page.screenshot(), OUT / f"{name}-{lang}-{kind}.png")
                    context.close()
            browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main("--all" in sys.argv[1:])
