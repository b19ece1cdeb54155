"""The learner's journey in a real browser (chromium): sign up, claim an offer, import a baked
badge, share it with an expiry, see it verified while signed out, revoke, see it gone."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import BROWSER_TIMEOUT_MS
from tests.passport.browser_signup import sign_up_in_browser
from tests.passport.wallet.fake_issuer import fake_issuer
from tests.passport.wallet.support import recognized_settings, served, signed_credential
from tests.storage import sqlite_url
from tests.verifier.support import COLLEGE_EN, Issuer, png_badge

COLLEGE = Issuer()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a registry that recognizes COLLEGE: what a learner of that college sees."""
    directory: Path = tmp_path_factory.mktemp("browser-wallet")
    with served(recognized_settings(directory, sqlite_url(directory), COLLEGE)) as (_, url):
        yield url


def sign_up(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/passport/signup")
    sign_up_in_browser(page, site, email)
    expect(page.get_by_role("heading", name="My passport", exact=True)).to_be_visible()


def test_import_share_verify_signed_out_and_revoke(
    page: Page, browser: Browser, site: str, tmp_path: Path
) -> None:
    sign_up(page, site, "amelie@example.ca")
    badge = tmp_path / "welding-badge.png"
    badge.write_bytes(png_badge(json.dumps(signed_credential(COLLEGE))))
    page.get_by_role("link", name="Add a credential").click()
    page.get_by_label("Credential file").set_input_files(str(badge))
    page.get_by_role("button", name="Verify and add").click()
    expect(page.get_by_role("status")).to_contain_text("verified and added")
    expect(page.locator(".verdict .headline")).to_have_text("Verified")
    expect(page.get_by_text(COLLEGE_EN).first).to_be_visible()

    page.get_by_role("link", name="My passport").first.click()
    page.get_by_role("checkbox").first.check()
    page.get_by_label("Link works for").select_option("30")
    page.get_by_role("button", name="Create a share link").click()
    expect(page.get_by_role("heading", name="Your share link is ready")).to_be_visible()
    expect(page.get_by_text(re.compile(r"It works until \d{4}-\d\d-\d\d"))).to_be_visible()
    expect(page.get_by_role("img", name="QR code of the share link")).to_be_visible()
    link = page.get_by_label("Link").input_value()
    share_path = link[link.index("/s/") :]

    employer = browser.new_context(locale="en-CA")
    employer.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        visitor = employer.new_page()
        visitor.goto(site + share_path)
        expect(visitor.locator(".headline").first).to_have_text("Verified")
        expect(visitor.get_by_text(COLLEGE_EN).first).to_be_visible()

        page.goto(f"{site}/passport/shares")
        expect(page.locator(".share-row").first).to_contain_text("Works until")
        page.get_by_role("button", name="Revoke").first.click()
        expect(page.locator(".share-row").first).to_contain_text("Revoked")

        gone = visitor.goto(site + share_path)
        assert gone is not None and gone.status == 404
        expect(visitor.get_by_role("heading", name="This link is not available")).to_be_visible()
    finally:
        employer.close()


def test_claim_an_offer_in_the_browser(page: Page, site: str) -> None:
    with fake_issuer() as issuer:
        sign_up(page, site, "claims@example.ca")
        page.get_by_role("link", name="Claim an offer").click()
        page.get_by_label("Claim link").fill(issuer.link_by_reference(issuer.offer(tx_code="2468")))
        page.get_by_label("Transaction code (if you were given one)").fill("2468")
        page.get_by_role("button", name="Claim").click()
        expect(page.get_by_role("status")).to_contain_text("verified and added")
        # The fake issuer is a did:key in no registry: a real learner would see the warning.
        expect(page.locator(".verdict .headline")).to_have_text("Verified, with warnings")


def test_passport_in_french_and_keyboard_only(page: Page, site: str) -> None:
    sign_up(page, site, "clavier@example.ca")
    page.goto(f"{site}/passport?lang=fr")
    expect(page.get_by_role("heading", name="Mon passeport", exact=True)).to_be_visible()
    expect(page.get_by_text("Parcours d'apprentissage")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
