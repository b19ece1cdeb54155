"""Issue 15: a learner confirms their e-mail address and resets a forgotten password by email.

The app sends through a real SMTP server (aiosmtpd) started by the test; each test follows the
link from the mail it received, as the learner would."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from issuers.mail.outbox import OutboxMail
from issuers.mail.tokens import EmailToken, Purpose, issue_token, redeem, valid_account
from keys.crypto_envelope import load_master_key
from passport.app import create_app
from passport.database import upgrade_database
from passport.wallet import accounts
from passport.wallet.tables import Learner as LearnerRow
from tests.issuers.test_award_mail import Inbox, smtp_server  # noqa: F401  (fixture)
from tests.passport.wallet.support import (
    PASSWORD,
    TEST_MASTER_KEY,
    Learner,
    Visitor,
    wallet_settings,
)
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.storage import sqlite_url

LINK = re.compile(r"(http://127\.0\.0\.1:\d+)(/passport/(?:confirm|reset|signup)/([A-Za-z0-9_-]+))")
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def site(
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> Iterator[tuple[str, Inbox, Session]]:
    port = free_port()
    settings = wallet_settings(
        sqlite_url(tmp_path),
        base_url=f"http://127.0.0.1:{port}",
        smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp_server[1]}"),
        smtp_max_per_minute=6000,
    )
    upgrade_database(settings)
    app = create_app(settings)
    with serving_at(app, port), Session(app.state.engine) as session:
        yield settings.base_url, smtp_server[0], session
    app.state.engine.dispose()


def _link(body: str) -> tuple[str, str]:
    """The path of the mail's link and its token."""
    found = LINK.search(body)
    assert found is not None, body
    return found[2], found[3]


def _learner_rows(session: Session, email: str) -> list[LearnerRow]:
    session.expire_all()
    return list(session.exec(select(LearnerRow).where(LearnerRow.email == email)).all())


class InboxMail:
    """The test's SMTP server as a ``Mailbox`` for the sign-up helper."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def bodies(self, address: str) -> list[str]:
        with self.inbox.lock:
            return [message.body for message in self.inbox.messages if message.to == address]


def test_the_sign_up_link_comes_in_the_pages_language_makes_the_account_once(
    site: tuple[str, Inbox, Session], caplog: pytest.LogCaptureFixture
) -> None:
    base_url, inbox, session = site
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    visitor = Visitor(base_url)
    visitor.get("/passport/signup?lang=fr")  # the language cookie sticks
    asked = visitor.post(
        "/passport/signup",
        {"email": "amelie@example.ca", "password": PASSWORD},
        csrf_from="/passport/signup",
    )
    assert asked.status_code == 200 and "Consultez vos courriels" in asked.text
    [mail] = inbox.wait_for(1)
    assert mail.to == "amelie@example.ca"
    assert mail.subject == "Terminez la création de votre Passeport d'apprentissage"
    path, token = _link(mail.body)
    # Opening the link changes nothing (a mail scanner may fetch it); no account exists yet.
    assert 'name="password"' in visitor.get(path).text
    assert _learner_rows(session, "amelie@example.ca") == []
    assert visitor.get("/passport").status_code == 303
    wrong = visitor.post(path, {"password": "not the one I chose"}, csrf_from=path)
    assert wrong.status_code == 401 and _learner_rows(session, "amelie@example.ca") == []
    made = visitor.post(path, {"password": PASSWORD}, csrf_from=path)
    assert made.status_code == 303 and made.headers["location"] == "/passport"
    [row] = _learner_rows(session, "amelie@example.ca")
    assert row.email_confirmed_at is not None  # the mail reached the address
    home = visitor.get("/passport")
    assert home.status_code == 200 and "Veuillez confirmer" not in home.text
    again = Visitor(base_url)
    assert again.post(path, {"password": PASSWORD}, csrf_from="/passport/login").status_code == 400
    again.close()
    # The app's request lines (the test's own HTTP client logs its URLs: it is not the app).
    served = [record.getMessage() for record in caplog.records if record.name == "uvicorn.access"]
    assert not [line for line in served if token in line]
    assert any("/passport/signup/[redacted]" in line for line in served)
    visitor.close()


def test_an_unconfirmed_account_confirms_and_a_new_link_voids_the_earlier_one(
    site: tuple[str, Inbox, Session],
) -> None:
    """Accounts made before sign-up went by mail (and the demo's) are unconfirmed: the
    passport's banner sends them a confirmation link."""
    base_url, inbox, session = site
    accounts.sign_up(
        session,
        load_master_key(TEST_MASTER_KEY),
        email="bo@example.ca",
        password=PASSWORD,
        now=datetime.now(UTC),
    )
    session.commit()
    learner = Visitor(base_url)
    signed_in = learner.post(
        "/passport/login",
        {"email": "bo@example.ca", "password": PASSWORD},
        csrf_from="/passport/login",
    )
    assert signed_in.status_code == 303
    assert "Please confirm your e-mail address" in learner.get("/passport").text
    for count in (1, 2):
        assert learner.post("/passport/account/confirm").headers["location"].endswith("=sent")
        inbox.wait_for(count)
    first_mail, second_mail = inbox.messages
    assert second_mail.subject == "Confirm your e-mail address for your Learner Passport"
    first, _ = _link(first_mail.body)
    second, _ = _link(second_mail.body)
    assert learner.post(first, csrf_from=first).status_code == 400
    confirmed = learner.post(second, csrf_from=second)
    assert confirmed.status_code == 200 and "is confirmed" in confirmed.text
    assert learner.post(second, csrf_from=second).status_code == 400  # single use
    assert _learner_rows(session, "bo@example.ca")[0].email_confirmed_at is not None
    assert "Please confirm" not in learner.get("/passport").text
    learner.close()


def test_forgot_password_answers_the_same_and_the_reset_link_ends_other_sessions(
    site: tuple[str, Inbox, Session],
) -> None:
    base_url, inbox, session = site
    learner = Learner(base_url, "chloe@example.ca", mailbox=InboxMail(inbox))  # mail 1: sign-up
    inbox.wait_for(1)
    stranger = Visitor(base_url)
    answers = [
        stranger.post("/passport/forgot", {"email": email}, csrf_from="/passport/forgot")
        for email in ("nobody@example.ca", "Chloe@Example.ca")
    ]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].text == answers[1].text  # no account enumeration
    again = stranger.post(
        "/passport/forgot", {"email": "chloe@example.ca"}, csrf_from="/passport/forgot"
    )
    assert again.text == answers[0].text
    session.expire_all()
    kinds = session.exec(select(OutboxMail.kind).where(OutboxMail.to_address == "chloe@example.ca"))
    assert sorted(kinds.all()) == ["learner-reset", "learner-signup"]  # one reset a minute
    messages = inbox.wait_for(2)
    assert [message.to for message in messages] == ["chloe@example.ca", "chloe@example.ca"]
    assert messages[1].subject == "Reset your Learner Passport password"
    assert "60 minutes" in messages[1].body
    path, _ = _link(messages[1].body)
    assert "/passport/reset/" in path

    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):  # the account gets locked
        stranger.post(
            "/passport/login",
            {"email": "chloe@example.ca", "password": "a wrong guess"},
            csrf_from="/passport/login",
        )
    too_short = stranger.post(path, {"password": "short"}, csrf_from=path)
    assert too_short.status_code == 400 and 'name="password"' in too_short.text
    saved = stranger.post(path, {"password": NEW_PASSWORD}, csrf_from=path)
    assert saved.status_code == 303 and saved.headers["location"] == "/passport/login?reset=done"

    assert learner.get("/passport").status_code == 303  # the other session has ended
    assert (
        stranger.post(path, {"password": PASSWORD}, csrf_from="/passport/forgot").status_code == 400
    )
    for password, status in ((PASSWORD, 401), (NEW_PASSWORD, 303)):  # the lock-out is lifted
        fresh = Visitor(base_url)
        answer = fresh.post(
            "/passport/login",
            {"email": "chloe@example.ca", "password": password},
            csrf_from="/passport/login",
        )
        fresh.close()
        assert answer.status_code == status
    assert _learner_rows(session, "chloe@example.ca")[0].email_confirmed_at is not None
    assert len(inbox.messages) == 2  # nothing went to the unknown address
    for client in (learner, stranger):
        client.close()


def test_a_reset_token_is_stored_hashed_and_expires_after_an_hour(
    site: tuple[str, Inbox, Session],
) -> None:
    _, _, session = site
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    token = issue_token(session, Purpose.RESET, "learner:x", now)
    stored = session.exec(select(EmailToken.token_hash)).all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    assert valid_account(session, Purpose.RESET, token, now + timedelta(minutes=59))
    assert valid_account(session, Purpose.CONFIRM, token, now) is None  # one purpose only
    assert redeem(session, Purpose.RESET, token, now + timedelta(minutes=61)) is None
    assert redeem(session, Purpose.RESET, token, now + timedelta(minutes=30)) == "learner:x"
    assert redeem(session, Purpose.RESET, token, now + timedelta(minutes=31)) is None
