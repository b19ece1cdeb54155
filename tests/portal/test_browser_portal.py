"""The portal in a real browser: axe-core finds no WCAG 2.1 A/AA violation on any public page
in either language, the search works by keyboard alone, no CSP violation, and it fits a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page, expect

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = [
    "/",
    "/programs",
    "/programs?q=soudage&mode=in_person",
    "/programs?mode=teleportation",
    "/programs/lakeshore-college/plc-programming-fundamentals",
    "/programs/college-des-grands-lacs/transformation-laitiere",
    "/institutions",
    "/institutions/seven-rivers-institute",
    "/occupations",
    "/occupations?q=welder",
    "/occupations/42202",
]
MAX_TABS = 60


def violations(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page, options=WCAG_21_AA)
    found: list[dict[str, Any]] = results.response["violations"]
    return [
        {"id": item["id"], "targets": [node["target"] for node in item["nodes"]]} for item in found
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("path", PAGES)
def test_no_accessibility_violation(page: Page, portal_server: str, path: str, lang: str) -> None:
    separator = "&" if "?" in path else "?"
    page.goto(f"{portal_server}{path}{separator}lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert violations(page) == []


def test_no_content_security_policy_violation_on_a_program_page(
    page: Page, portal_server: str
) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(_text(message)))
    # Listening from before the first byte, so a violation during loading is seen too.
    page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " event => window.cspViolations.push(event.violatedDirective));"
    )
    page.goto(f"{portal_server}/programs/lakeshore-college/plc-programming-fundamentals")
    page.wait_for_load_state("load")
    reported = page.evaluate("() => window.cspViolations")
    assert reported == []
    assert not [text for text in messages if "Content Security Policy" in text]
    structured = page.locator('script[type="application/ld+json"]').text_content() or ""
    assert '"@type": "Course"' in structured
    # The stylesheet loaded (CSP style-src 'self'): the filter layout is styled.
    page.goto(f"{portal_server}/programs")
    display = page.locator(".search-layout").evaluate("e => getComputedStyle(e).display")
    assert display == "grid"


def _text(message: ConsoleMessage) -> str:
    return message.text


def _tab_to(page: Page, selector: str) -> None:
    target = page.locator(selector)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with Tab")


def test_search_by_keyboard_alone(page: Page, portal_server: str) -> None:
    page.goto(f"{portal_server}/?lang=en")
    _tab_to(page, "#main a[href='/programs']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/programs$"))
    _tab_to(page, "#q")
    page.keyboard.type("electricite")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name=re.compile("1 program found"))).to_be_visible()
    # Narrow with a filter checkbox, then submit, by keyboard.
    _tab_to(page, "input[name='mode'][value='online']")
    page.keyboard.press("Space")
    expect(page.locator("input[name='mode'][value='online']")).to_be_checked()
    _tab_to(page, "button:has-text('Apply filters')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"mode=online"))
    result = "a[href='/programs/college-des-grands-lacs/electricite-batiment-code']"
    _tab_to(page, result)
    outline = page.locator(result).evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Électricité du bâtiment : Code de sécurité"
    )


def test_the_portal_fits_a_phone_screen(page: Page, portal_server: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for path in (
        "/programs?q=data",
        "/programs/lakeshore-college/plc-programming-fundamentals",
        "/institutions/lakeshore-college",
        "/occupations/21211",
    ):
        page.goto(f"{portal_server}{path}")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow == 0, f"{path} scrolls sideways on a 360px-wide screen"
    page.goto(f"{portal_server}/programs?q=data")
    expect(page.get_by_role("searchbox")).to_be_visible()
