"""Every page a person sees, in English and French, on a desktop (1366 px) and a phone (390 px)
(issue #16): no page scrolls sideways, axe-core finds no violation of any rule or impact, and a
French page shows no English sentence of the catalog. The three main journeys (issue, claim
and share, verify) are walked with the keyboard alone.

One browser and one page per visitor (public, staff, learner) serve the whole module: the
pages are loaded one after the other, so the tour stays quick.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, expect

from tests.browser import BROWSER_TIMEOUT_MS
from tests.site_tour import MARKER, Tour, site_tour

pytestmark = pytest.mark.browser

CATALOG = Path(__file__).resolve().parent.parent / "infra/locales/fr/LC_MESSAGES/messages.po"
WIDTHS = (1366, 390)
LANGS = ("en", "fr")
PAGE_NAMES = [
    "home", "programs", "program", "institutions", "institution", "occupations", "occupation",
    "verify", "share", "presentation-request", "passport-login", "passport-signup",
    "passport-signup-finish", "passport-forgot", "console-login", "console-forgot",
    "console-programs", "console-program",
    "console-awards", "console-award", "console-issue", "console-cohort-upload", "console-cohort",
    "console-audit", "console-keys",
    "passport", "passport-credential", "passport-claim", "passport-import", "passport-sharing",
]  # fmt: skip
MAX_TABS = 120

# The text a French reader sees: without elements marked as another language (a program
# offered in English only), identifiers, code and the page's structured data.
FRENCH_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang]:not([lang="fr"]), code, pre, script, .identifier')
    .forEach(node => node.remove());
  return body.textContent.replace(/\\s+/g, " ");
}"""


@cache
def english_sentences() -> tuple[str, ...]:
    """Catalog messages whose French differs, longer than three characters; messages with
    slots are reduced to their longest literal run (the data around it may be anything)."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    found = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        english = str(message.id[0] if isinstance(message.id, tuple) else message.id)
        french = str(message.string[0] if isinstance(message.string, tuple) else message.string)
        if english == french:
            continue
        literal = max(re.split(r"%\(\w+\)[sd]|%[sd]", english), key=len).strip(" .:,;·")
        if len(literal) > 3 and literal not in french:
            found.add(literal)
    return tuple(sorted(found, key=len, reverse=True))


def without_names(text: str) -> str:
    """The text without the tour's proper names (the institution's, its learners' and program's)."""
    return re.sub(rf"{MARKER} \w+", "", text)


def english_in(text: str) -> list[str]:
    return [
        sentence
        for sentence in english_sentences()
        if re.search(rf"(?<![\w-]){re.escape(sentence)}(?![\w-])", text)
    ]


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tour]:
    with site_tour(tmp_path_factory.mktemp("tour")) as running:
        yield running


@pytest.fixture(scope="module")
def visitors(browser: Browser, tour: Tour) -> Iterator[dict[str, Page]]:
    """One page per visitor, each with its session cookie."""
    pages = {}
    for who in ("public", "staff", "learner"):
        context = browser.new_context(locale="en-CA")
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.add_cookies(tour.cookies(who))  # type: ignore[arg-type]
        pages[who] = context.new_page()
    yield pages
    for page in pages.values():
        page.context.close()


def violations(page: Page) -> list[dict[str, Any]]:
    """Every axe-core violation, of any rule and impact."""
    found: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [{"id": item["id"], "targets": [n["target"] for n in item["nodes"]]} for item in found]


def visit(page: Page, tour: Tour, name: str, lang: str) -> None:
    path = next(path for page_name, _, path in tour.pages if page_name == name)
    separator = "&" if "?" in path else "?"
    page.goto(f"{tour.base_url}{path}{separator}lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def check_page(page: Page, lang: str) -> None:
    problems: dict[str, Any] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems[f"scrollWidth at {width}"] = scroll_width
        if found := violations(page):
            problems[f"axe at {width}"] = found
    if lang == "fr" and (english := english_in(without_names(page.evaluate(FRENCH_TEXT)))):
        problems["English on a French page"] = english
    assert problems == {}


def who_sees(tour: Tour, name: str) -> str:
    return next(who for page_name, who, _ in tour.pages if page_name == name)


def test_the_tour_lists_every_page(tour: Tour) -> None:
    assert [name for name, _, _ in tour.pages] == PAGE_NAMES


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_fits_a_phone_passes_axe_and_speaks_the_language(
    visitors: dict[str, Page], tour: Tour, name: str, lang: str
) -> None:
    page = visitors[who_sees(tour, name)]
    visit(page, tour, name, lang)
    check_page(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_verified_result_passes_the_same_checks(
    visitors: dict[str, Page], tour: Tour, lang: str
) -> None:
    page = visitors["public"]
    page.goto(f"{tour.base_url}/verify?lang={lang}")
    page.locator("#credential").fill(tour.credential)
    page.locator("#verify-form button[type=submit]").click()
    expect(page.locator("#verdict-headline")).to_be_visible()
    for summary in page.locator("details > summary").all():
        summary.click()
    check_page(page, lang)


# Keyboard-only journeys ------------------------------------------------------------------


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    target = page.locator(selector).first
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def test_issue_an_award_with_the_keyboard(visitors: dict[str, Page], tour: Tour) -> None:
    page = visitors["staff"]
    page.goto(f"{tour.base_url}/console/awards/new?lang=fr")
    tab_to(page, "#name")
    page.keyboard.type("Keyboard Learner")
    tab_to(page, "#email")
    page.keyboard.type("keyboard@example.ca")
    tab_to(page, "form[action='/console/awards/new'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Attribution à Keyboard Learner")
    expect(page.locator("p.notice")).to_be_visible()


def test_claim_and_share_with_the_keyboard(visitors: dict[str, Page], tour: Tour) -> None:
    page = visitors["learner"]
    page.goto(f"{tour.base_url}/passport/claim?lang=en")
    tab_to(page, "#offer")
    page.keyboard.insert_text(tour.new_offer())
    tab_to(page, "form[action='/passport/claim'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_be_visible()
    page.goto(f"{tour.base_url}/passport?lang=en")
    tab_to(page, ".timeline-entry input[type=checkbox]")
    page.keyboard.press("Space")
    tab_to(page, "button[formaction='/passport/shares']")
    page.keyboard.press("Enter")
    link = page.locator("#share-link")
    expect(link).to_be_visible()
    tab_to(page, "button[data-copy='share-link']")
    page.keyboard.press("Enter")
    expect(page.locator("#share-link-status")).not_to_be_empty()
    shared = link.input_value()
    page.goto(shared)
    expect(page.locator(".shared-credential")).to_have_count(1)


def test_verify_with_the_keyboard(visitors: dict[str, Page], tour: Tour) -> None:
    page = visitors["public"]
    page.goto(f"{tour.base_url}/verify?lang=fr")
    tab_to(page, "#credential")
    page.keyboard.insert_text(tour.credential)
    tab_to(page, "#verify-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict-headline")).to_be_visible()
    tab_to(page, ".report-actions a")


def test_the_skill_filter_shows_the_most_used_then_more_and_finds_by_typing(
    visitors: dict[str, Page], tour: Tour
) -> None:
    page = visitors["public"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{tour.base_url}/programs?lang=en")
    skills = page.locator("fieldset:has(#find-skill)")
    choices = skills.locator(".choice")
    assert choices.count() > 12  # every skill is sent, not the first twelve
    expect(skills.locator(".choice:visible")).to_have_count(6)
    skills.locator(".filter-search").fill("weld")
    expect(skills.locator(".choice:visible")).to_have_count(3)
    for label in skills.locator(".choice:visible").all_inner_texts():
        assert "weld" in label
    skills.locator(".filter-search").fill("")
    skills.locator(".show-more").click()
    expect(skills.locator(".choice:visible")).to_have_count(choices.count())


def test_the_skill_filter_speaks_french_and_still_finds_english_words(
    visitors: dict[str, Page], tour: Tour
) -> None:
    page = visitors["public"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{tour.base_url}/programs?lang=fr")
    skills = page.locator("fieldset:has(#find-skill)")
    labels = skills.locator(".choice label").all_inner_texts()
    assert any(label.startswith("souder des pièces métalliques") for label in labels)
    assert not any(label.startswith("weld metal parts") for label in labels)
    for typed in ("soud", "weld"):  # the French name, and the English one a reader may know
        skills.locator(".filter-search").fill(typed)
        expect(skills.locator(".choice:visible")).to_have_count(3)
        for label in skills.locator(".choice:visible").all_inner_texts():
            assert "soud" in label
    page.goto(f"{tour.base_url}/programs?lang=en")
    english = page.locator("fieldset:has(#find-skill) .choice label").all_inner_texts()
    assert not any(label.startswith("lire des plans") for label in english)
    assert any(label.startswith("read blueprints") for label in english)
