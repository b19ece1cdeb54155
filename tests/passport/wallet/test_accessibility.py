"""The public share page ``/s/<token>`` in a real browser: axe-core finds no WCAG 2.1 A/AA
violation, with its checks folded and unfolded, in English and French (issue #6)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from credentials.report import Verdict
from tests.passport.wallet.support import Learner, recognized_settings, served, signed_credential
from tests.portal.test_browser_portal import violations
from tests.storage import sqlite_url
from tests.verifier.support import Issuer
from verifier.wording.sentences import render_verdict

pytestmark = pytest.mark.browser
COLLEGE = Issuer()


@pytest.fixture(scope="module")
def share_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A share of two credentials: one of a recognized college, one of an unknown issuer."""
    directory: Path = tmp_path_factory.mktemp("share-a11y")
    with served(recognized_settings(directory, sqlite_url(directory), COLLEGE)) as (_, site):
        learner = Learner(site)
        try:
            stored = [
                learner.import_credential(signed_credential(issuer))
                for issuer in (COLLEGE, Issuer())
            ]
            yield site + learner.share(stored)
        finally:
            learner.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_share_page_has_no_violation(page: Page, share_url: str, lang: str) -> None:
    page.goto(f"{share_url}?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#headline-1")).to_have_text(render_verdict(Verdict.VERIFIED, lang))
    assert violations(page) == []
    for summary in page.locator("details > summary").all():
        summary.click()
    expect(page.locator(".checks").first).to_be_visible()
    assert violations(page) == []
