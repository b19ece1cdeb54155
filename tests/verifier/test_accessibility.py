"""The employer page ``/verify`` in a real browser: axe-core finds no WCAG 2.1 A/AA violation,
empty and with a result shown, in English and French (issue #6's quality bar)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from credentials.report import Verdict
from passport.app import create_app
from passport.database import prepare_database
from tests.passport.live_server import serving
from tests.portal.test_browser_portal import violations
from tests.storage import sqlite_url
from tests.verifier.support import Issuer, settings_for
from verifier.wording.sentences import render_verdict

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = settings_for(sqlite_url(tmp_path_factory.mktemp("verify-a11y")))
    prepare_database(settings)
    with serving(create_app(settings)) as base_url:
        yield base_url


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_empty_page_has_no_violation(page: Page, site: str, lang: str) -> None:
    page.goto(f"{site}/verify?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert violations(page) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_shown_result_has_no_violation(page: Page, site: str, lang: str) -> None:
    issuer = Issuer()
    page.goto(f"{site}/verify?lang={lang}")
    page.locator("#credential").fill(json.dumps(issuer.sign(issuer.credential())))
    page.locator("button[type=submit]").click()
    # An issuer outside the registry: a warning, so the page shows every kind of block.
    headline = render_verdict(Verdict.VERIFIED_WITH_WARNINGS, lang)
    expect(page.locator("#verdict-headline")).to_have_text(headline)
    assert violations(page) == []
