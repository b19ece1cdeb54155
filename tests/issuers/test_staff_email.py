"""Issue 15: institution staff confirm their e-mail address and reset a forgotten password.

Mail goes to a real SMTP server (aiosmtpd) started by the test; the test follows the links of
the messages it received."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from issuers.tables import StaffUser
from passport.app import create_app
from tests.issuers.test_api import ADMIN_TOKEN
from tests.issuers.test_award_console import PASSWORD, csrf_of, logged_in, prepare_console
from tests.issuers.test_award_mail import Inbox, smtp_server  # noqa: F401  (fixture)
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at

LINK = re.compile(r"http://127\.0\.0\.1:\d+(/console/(?:confirm|reset)/[A-Za-z0-9_-]+)")
NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def console(
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> Iterator[tuple[str, Inbox, Session]]:
    port = free_port()
    settings = prepare_console(tmp_path).model_copy(
        update={
            "base_url": f"http://127.0.0.1:{port}",
            "smtp_url": SecretStr(f"smtp://127.0.0.1:{smtp_server[1]}"),
            "smtp_max_per_minute": 6000,
        }
    )
    app = create_app(settings)
    with serving_at(app, port), Session(app.state.engine) as session:
        yield settings.base_url, smtp_server[0], session
    app.state.engine.dispose()


def _link(body: str) -> str:
    found = LINK.search(body)
    assert found is not None, body
    return found[1]


def _user(session: Session, email: str) -> StaffUser:
    session.expire_all()
    return session.exec(select(StaffUser).where(StaffUser.email == email)).one()


def _post_form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    """The form at ``path``, sent with the token its page gave (the double-submit cookie)."""
    return client.post(path, data={"csrf": csrf_of(client.get(path)), **data})


def test_a_new_staff_member_confirms_their_address_from_the_mail(
    console: tuple[str, Inbox, Session],
) -> None:
    base_url, inbox, session = console
    created = httpx.post(
        f"{base_url}/api/v1/institutions/college-a/staff",
        json={"email": "dean@college-a.example.ca", "password": PASSWORD},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert created.status_code == 201, created.text
    [mail] = inbox.wait_for(1)
    assert mail.to == "dean@college-a.example.ca"
    assert "Confirmez votre adresse courriel" in mail.subject
    path = _link(mail.body)
    with httpx.Client(base_url=base_url) as browser:
        assert _user(session, "dean@college-a.example.ca").email_confirmed_at is None
        assert _post_form(browser, path, {}).status_code == 200
        assert _user(session, "dean@college-a.example.ca").email_confirmed_at is not None
        assert (
            browser.post(path, data={"csrf": csrf_of(browser.get("/console/forgot"))}).status_code
            == 400
        )


def test_the_console_banner_sends_the_link_again(console: tuple[str, Inbox, Session]) -> None:
    base_url, inbox, _ = console
    registrar = logged_in(base_url, "college-a")
    programs = registrar.get("/console/programs")
    assert "Please confirm your e-mail address" in programs.text
    sent = registrar.post("/console/account/confirm", data={"csrf": csrf_of(programs)})
    assert sent.status_code == 303
    path = _link(inbox.wait_for(1)[0].body)
    assert _post_form(registrar, path, {}).status_code == 200
    assert "Please confirm" not in registrar.get("/console/programs").text
    registrar.close()


def test_forgot_answers_the_same_and_the_reset_ends_the_sessions(
    console: tuple[str, Inbox, Session],
) -> None:
    base_url, inbox, _ = console
    registrar = logged_in(base_url, "college-a")
    with httpx.Client(base_url=base_url) as stranger:
        answers = [
            _post_form(stranger, "/console/forgot", {"email": email}).text
            for email in ("nobody@college-a.example.ca", "registrar@college-a.example.ca")
        ]
        without_tokens = [re.sub(r'name="csrf" value="[^"]+"', "", text) for text in answers]
        assert without_tokens[0] == without_tokens[1]  # no account enumeration
        [mail] = inbox.wait_for(1)
        assert mail.to == "registrar@college-a.example.ca" and "60 minutes" in mail.body
        path = _link(mail.body)
        assert _post_form(stranger, path, {"password": "short"}).status_code == 400
        saved = _post_form(stranger, path, {"password": NEW_PASSWORD})
        assert saved.status_code == 303 and saved.headers["location"] == "/console/login?reset=done"
        assert stranger.get(path).status_code == 400  # used up
    assert registrar.get("/console/programs").headers.get("location") == "/console/login"
    registrar.close()
    with httpx.Client(base_url=base_url) as browser:
        for password, status in ((PASSWORD, 401), (NEW_PASSWORD, 303)):
            login = browser.post(
                "/console/login",
                data={
                    "csrf": csrf_of(browser.get("/console/login")),
                    "email": "registrar@college-a.example.ca",
                    "password": password,
                },
            )
            assert login.status_code == status
    assert len(inbox.messages) == 1
