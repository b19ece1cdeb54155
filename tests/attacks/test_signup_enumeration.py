"""Issue 13, "Smaller holes": sign-up does not tell anyone which e-mail addresses have an account.

The form answers the same for a taken address and a new one (status and page, the CSRF token
aside), after the same password hashing; what differs goes by mail, to the address's owner only:
a link that makes the account, or "you already have a passport". The link works once, expires,
and asks for the password chosen at sign-up, so someone who signs up with another person's
address cannot choose the password of the account its owner would make (pre-hijacking)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from credentials.errors import InvalidInput
from issuers.mail.tokens import SIGNUP_LIFETIME
from passport.settings import Mode
from passport.wallet import accounts, signups
from passport.wallet.tables import Learner as LearnerRow
from passport.wallet.tables import PendingSignUp
from tests.passport.wallet.support import (
    PASSWORD,
    DevMail,
    Learner,
    Visitor,
    new_signup_link,
    served_on,
    sign_up,
    signup_links,
    wait_for_mail,
)

CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+"')
TAKEN_SUBJECT = "You already have a Learner Passport"
NEW_SUBJECT = "Finish creating your Learner Passport"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    with served_on(tmp_path) as running:
        yield running


def ask(visitor: Visitor, email: str, password: str = PASSWORD, **form: str) -> httpx.Response:
    data = {"email": email, "password": password} | form
    return visitor.post("/passport/signup", data, csrf_from="/passport/signup")


def _fresh_email() -> str:
    return f"new-{uuid.uuid4().hex[:10]}@example.ca"


def _rows(app: FastAPI, table: type[LearnerRow] | type[PendingSignUp], email: str) -> int:
    with Session(app.state.engine) as session:
        found = session.exec(select(table).where(table.email == email)).all()
        return len(found)


def test_attack_sign_up_answers_the_same_for_a_taken_and_a_new_address(
    site: tuple[FastAPI, str],
) -> None:
    app, url = site
    owner = Learner(url)
    prober = Visitor(url)
    new_email = _fresh_email()
    mail = DevMail(prober)
    known = signup_links(mail, owner.email)  # the owner's own, used at sign-up
    try:
        taken = ask(prober, owner.email.upper(), next="/passport/import")
        new = ask(prober, new_email, next="/passport/import")
        assert taken.status_code == new.status_code == 200
        assert CSRF_VALUE.sub(r"\1\"", taken.text) == CSRF_VALUE.sub(r"\1\"", new.text)
        for answer in (taken, new):
            assert "passport_session=" not in answer.headers.get("set-cookie", "")
            assert owner.email not in answer.text and new_email not in answer.text
        # What differs goes to each address's mailbox: its owner learns it, the prober does not.
        told = wait_for_mail(mail, owner.email, TAKEN_SUBJECT)
        assert "/passport/login" in told and "/passport/forgot" in told
        assert signup_links(mail, owner.email) == known
        invited = wait_for_mail(mail, new_email, NEW_SUBJECT)
        assert len(signup_links(mail, new_email)) == 1 and "/passport/import" not in invited
        assert _rows(app, PendingSignUp, owner.email) == 0
        assert _rows(app, LearnerRow, new_email) == 0  # no account before the link
        assert prober.get("/passport").status_code == 303  # and nobody is signed in
    finally:
        owner.close()
        prober.close()


def test_attack_a_taken_address_costs_the_same_password_hashing(
    site: tuple[FastAPI, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = site
    owner = Learner(url)
    hashed: list[str] = []
    real_hash = accounts.password_hash

    def counting(password: str) -> str:
        hashed.append(password)
        return real_hash(password)

    monkeypatch.setattr(accounts, "password_hash", counting)
    prober = Visitor(url)
    try:
        assert ask(prober, owner.email, "a taken address here").status_code == 200
        assert ask(prober, _fresh_email(), "a brand new address").status_code == 200
        assert hashed == ["a taken address here", "a brand new address"]
    finally:
        owner.close()
        prober.close()


def test_attack_signing_up_with_someone_elses_address_gives_no_account(
    site: tuple[FastAPI, str],
) -> None:
    """Pre-hijacking: the attacker signs up with the victim's address and a password of their
    own, hoping the victim follows the link. The link makes no account without that password,
    and the victim's own later sign-up voids the attacker's link."""
    app, url = site
    victim_email = _fresh_email()
    attacker, victim = Visitor(url), Visitor(url)
    try:
        mail = DevMail(victim)
        assert ask(attacker, victim_email, "the attacker's own password").status_code == 200
        planted = new_signup_link(mail, victim_email, set())
        # The victim follows the link (the mail is in their mailbox) and types their password.
        refused = victim.post(planted, {"password": PASSWORD}, csrf_from=planted)
        assert refused.status_code == 401
        assert _rows(app, LearnerRow, victim_email) == 0
        made = sign_up(victim, victim_email)  # the victim signs up for real
        assert made.status_code == 303
        replayed = attacker.post(
            planted, {"password": "the attacker's own password"}, csrf_from="/passport/signup"
        )
        assert replayed.status_code == 400  # the earlier link no longer works
        signed_in = attacker.post(
            "/passport/login",
            {"email": victim_email, "password": "the attacker's own password"},
            csrf_from="/passport/login",
        )
        assert signed_in.status_code == 401
        assert _rows(app, PendingSignUp, victim_email) == 0
    finally:
        attacker.close()
        victim.close()


def test_attack_the_sign_up_link_works_once_and_expires(site: tuple[FastAPI, str]) -> None:
    app, url = site
    email = _fresh_email()
    visitor = Visitor(url)
    try:
        mail = DevMail(visitor)
        assert ask(visitor, email).status_code == 200
        link = new_signup_link(mail, email, set())
        token = link.rsplit("/", 1)[1]
        with Session(app.state.engine) as session:
            stored = session.exec(select(PendingSignUp)).one()
            assert PASSWORD not in stored.password_hash and token not in str(stored)
            late = datetime.now(UTC) + SIGNUP_LIFETIME
            assert not signups.link_is_valid(session, token, late)
            with pytest.raises(InvalidInput):
                signups.finish_sign_up(
                    session,
                    app.state.wallet.master_key(),
                    token=token,
                    password=PASSWORD,
                    client_address="127.0.0.1",
                    now=late,
                )
        assert visitor.post(link, {"password": PASSWORD}, csrf_from=link).status_code == 303
        again = Visitor(url)
        assert again.get(link).status_code == 400
        used = again.post(link, {"password": PASSWORD}, csrf_from="/passport/signup")
        assert used.status_code == 400
        again.close()
        assert _rows(app, LearnerRow, email) == 1
    finally:
        visitor.close()


def test_attack_guessing_the_password_on_a_sign_up_link_is_rate_limited(
    site: tuple[FastAPI, str],
) -> None:
    _, url = site
    email = _fresh_email()
    visitor = Visitor(url)
    try:
        assert ask(visitor, email).status_code == 200
        link = new_signup_link(DevMail(visitor), email, set())
        for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
            guess = visitor.post(link, {"password": "a wrong guess!"}, csrf_from=link)
            assert guess.status_code == 401
        blocked = visitor.post(link, {"password": PASSWORD}, csrf_from=link)
        assert blocked.status_code == 429 and "too many failed sign-in attempts" in blocked.text
    finally:
        visitor.close()


def test_without_a_mail_relay_sign_up_is_refused_with_its_reason(tmp_path: Path) -> None:
    """Production without ``PASSPORT_SMTP_URL`` sends no mail, so no sign-up could finish: the
    form says why, the same for every address, and keeps nothing."""
    with (
        served_on(tmp_path, mode=Mode.PRODUCTION, base_url="https://passport.example.ca") as (
            app,
            url,
        ),
        httpx.Client(base_url=url) as client,
    ):
        form = client.get("/passport/signup")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        # The form's cookie is Secure (https site): sent by hand, as a TLS proxy would carry it.
        answer = client.post(
            "/passport/signup",
            data={"email": _fresh_email(), "password": PASSWORD, "csrf_token": token[1]},
            headers={"Cookie": form.headers["set-cookie"].split(";")[0]},
        )
        assert answer.status_code == 403
        assert "sign-up needs e-mail, which this site has not set up" in answer.text
        with Session(app.state.engine) as session:
            assert session.exec(select(PendingSignUp)).all() == []
