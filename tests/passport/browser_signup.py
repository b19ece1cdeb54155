"""A learner's sign-up in chromium, as it goes since issue 13: the form answers "check your
e-mail"; the link of the mail (caught at ``/dev/mail`` in development and demo modes) opens a
page that asks for the password again and makes the account."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.passport.wallet.support import MAIL_WAIT_SECONDS, PASSWORD

POLL_MS = 250


def sign_up_in_browser(page: Page, site: str, email: str, password: str = PASSWORD) -> None:
    """Fill the sign-up form already open in ``page``, then follow the mailed link; the page
    ends where the learner was going (the passport, or the claim page they came from)."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password (at least 10 characters)").fill(password)
    page.get_by_role("button", name="Create my passport").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.get_by_role("link", name="see the mail caught").click()
    mail = page.locator(".caught-mail", has_text=email).filter(
        has_text="Finish creating your Learner Passport"
    )
    for _ in range(int(MAIL_WAIT_SECONDS * 1000) // POLL_MS):
        if mail.count():
            break
        page.wait_for_timeout(POLL_MS)
        page.reload()
    link = mail.first.locator("a[href*='/passport/signup/']").get_attribute("href")
    assert link is not None
    page.goto(site + urlsplit(link).path)  # the mail names the configured base URL
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create my passport").click()
