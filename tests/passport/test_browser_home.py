"""The home page in a real browser: both languages, the switch by mouse and by keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ENGLISH_HEADLINE = "Earn, keep and share verifiable micro-credentials"
FRENCH_HEADLINE = "Obtenez, conservez et communiquez des micro-titres de compétences vérifiables"
MAX_TABS_TO_SWITCH = 8  # the skip link, the brand, four navigation links, the switch


def test_clicking_the_switch_shows_french_and_the_choice_sticks(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_HEADLINE)
    expect(page).to_have_title("Learner Passport")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()

    expect(page).to_have_url(re.compile(r"/\?lang=fr$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH_HEADLINE)
    expect(page).to_have_title("Passeport d'apprentissage")
    expect(page.get_by_role("link", name="Vérifier un titre de compétences")).to_have_attribute(
        "href", "/verify"
    )

    page.goto(f"{live_server}/")  # no ?lang=: the cookie remembers French
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_HEADLINE)


def test_the_switch_is_reached_and_used_with_the_keyboard(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    switch = page.get_by_role("link", name="Français")
    for _ in range(MAX_TABS_TO_SWITCH):
        if switch.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(switch).to_be_focused()
    outline = switch.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid", "the focused switch must show a visible focus outline"

    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH_HEADLINE)


def test_the_skip_link_moves_focus_to_the_main_content(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_home_page_fits_a_phone_screen(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow == 0, "no horizontal scrolling on a 360px-wide screen"
    for name in ("Find a program", "My passport", "Verify a credential"):
        expect(page.locator("#main").get_by_role("link", name=name)).to_be_visible()
