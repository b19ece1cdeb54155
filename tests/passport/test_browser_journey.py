"""Issue 15, done when: the whole loop in chromium on the demo ``make run`` serves.

``passport demo`` seeds the database (demo mode, no fetch setting at all), the app is served at
the port its base URL names, as ``passport serve`` does. Then: a registrar signs in with the
sign-in the login page shows and issues an award; the mail catcher receives the email
(``/dev/mail``); the learner clicks the claim link, signs up (following the link mailed to them,
which brings them back to the claim) and claims in one click; shares a
link; the employer opens it and reads "Verified", the recognized institution's name and the
hours; the registrar revokes the award; the employer reloads and reads "revoked" at once.

INTEGRATION NOTE: "Verified", "Recognized institution" and "revoked at once" need the
deployment's own documents and status lists read locally and its institutions in the trust
registry: the verdicts-own branch's resolver (issue 12 part B). On this branch alone the status
list is a plain-http loopback URL the guarded fetcher refuses, so the employer reads "Could not
fully check" and this test fails at that assertion, by design, until both are merged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from passport.app import create_app
from passport.settings import Settings
from tests.browser import BROWSER_TIMEOUT_MS
from tests.passport.browser_signup import sign_up_in_browser
from tests.passport.test_demo_journey import demo_settings, run_demo
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.storage import TEST_DATABASE_URL_VARIABLE

pytestmark = pytest.mark.browser
MAIL_WAIT_MS = 20_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """``make run``: ``passport demo`` then ``passport serve`` on the base URL's port."""
    kept = {name: os.environ.pop(name) for name in list(os.environ) if _ours(name)}
    settings = demo_settings(Path(tmp_path_factory.mktemp("journey")), free_port())
    run_demo(settings)
    app = create_app(settings)
    try:
        with serving_at(app, int(settings.base_url.rsplit(":", 1)[1])):
            yield settings
    finally:
        app.state.engine.dispose()
        os.environ.update(kept)


def _ours(name: str) -> bool:
    return name.startswith("PASSPORT_") and name != TEST_DATABASE_URL_VARIABLE


def registrar_issues(page: Page, site: str) -> str:
    """Sign in as Northern Lights' demo registrar and issue an award; the award's page URL."""
    page.goto(f"{site}/console")
    demo_box = page.locator(".demo-sign-ins")
    expect(demo_box).to_contain_text("registrar@northern-lights.example.ca")
    password = re.search(r"password of every one is (\S+)\.", demo_box.inner_text())
    assert password is not None
    page.get_by_label("Email").fill("registrar@northern-lights.example.ca")
    page.get_by_label("Password").fill(password[1])
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site}/console/awards/new")
    page.get_by_label("Program").select_option("industrial-welding-gmaw")
    page.get_by_label("Learner's name").fill("Samira Carter")
    page.get_by_label("Learner's email").fill("samira@example.ca")
    page.get_by_role("button", name="Sign and issue").click()
    expect(page.get_by_role("status")).to_contain_text("signed and issued")
    return page.url.split("?")[0]


def caught_claim_link(page: Page, site: str) -> str:
    """The claim link of the email the catcher received for the learner."""
    page.goto(f"{site}/dev/mail")
    mail = page.locator(".caught-mail", has_text="samira@example.ca")
    for _ in range(MAIL_WAIT_MS // 250):
        if mail.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(mail.first).to_contain_text("Industrial Welding")
    link = mail.first.locator("a[href*='/claim/']").get_attribute("href")
    assert link is not None and link.startswith(f"{site}/claim/")
    return link


def learner_claims_and_shares(browser: Browser, site: str, link: str) -> str:
    """Click the link, sign up, claim in one click, share; the share link."""
    context = browser.new_context(locale="en-CA")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        learner = context.new_page()
        learner.goto(link)
        learner.get_by_role("link", name="Add to my Learner Passport").click()
        sign_up_in_browser(learner, site, "samira@example.ca")
        learner.get_by_role("button", name="Add to my Learner Passport").click()
        expect(learner.get_by_role("status")).to_contain_text("verified and added")
        learner.get_by_role("link", name="My passport").first.click()
        expect(learner.get_by_text("120 hours of learning in total")).to_be_visible()
        learner.get_by_role("checkbox").first.check()
        learner.get_by_role("button", name="Create a share link").click()
        return learner.get_by_label("Link").input_value()
    finally:
        context.close()


def test_issue_email_claim_share_verify_revoke(
    page: Page, browser: Browser, demo: Settings
) -> None:
    site = demo.base_url
    award_page = registrar_issues(page, site)
    share_link = learner_claims_and_shares(browser, site, caught_claim_link(page, site))

    context = browser.new_context(locale="en-CA")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        employer = context.new_page()
        employer.goto(share_link)
        expect(employer.locator(".shared-credential")).to_contain_text("Hours")
        expect(employer.locator(".shared-credential dd", has_text="120")).to_be_visible()
        # Needs verdicts-own's resolver (see the module docstring): fails on this branch alone.
        expect(employer.locator(".headline").first).to_have_text("Verified")
        expect(employer.locator(".issuer-name").first).to_have_text("Northern Lights College")
        expect(employer.get_by_text("Recognized institution").first).to_be_visible()

        page.goto(f"{award_page}/status?action=revoke")
        page.get_by_label("Reason (required)").fill("Awarded in error")
        page.get_by_role("button", name="Confirm revocation").click()
        expect(page.locator("#award-status")).to_have_text("Revoked")

        employer.reload()
        expect(employer.locator(".shared-credential")).to_contain_text("revoked")
    finally:
        context.close()
