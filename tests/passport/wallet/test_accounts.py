"""Accounts: Argon2id passwords, session cookies, CSRF, the sign-in rate limit, deletion."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from keys.tables import SigningKey
from passport.wallet import accounts
from passport.wallet.tables import (
    Collection,
    LearnerSession,
    ShareLink,
    StoredCredential,
)
from passport.wallet.tables import (
    Learner as LearnerRow,
)
from tests.passport.wallet.support import (
    PASSWORD,
    DevMail,
    Learner,
    Visitor,
    new_signup_link,
    served_on,
    sign_up,
    signed_credential,
)
from tests.verifier.support import Issuer


def sign_in(visitor: Visitor, email: str, password: str) -> httpx.Response:
    return visitor.post(
        "/passport/login", {"email": email, "password": password}, csrf_from="/passport/login"
    )


def _signup_cookie(base_url: str) -> str:
    visitor = Visitor(base_url)
    try:
        response = sign_up(visitor, "cookie@example.ca")
        return next(
            header
            for header in response.headers.get_list("set-cookie")
            if header.startswith("passport_session=")
        )
    finally:
        visitor.close()


def test_sign_up_sets_a_safe_session_cookie_and_keeps_only_digests(tmp_path: Path) -> None:
    with served_on(tmp_path) as (app, base_url):
        cookie = _signup_cookie(base_url)
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Path=/" in cookie
        assert "Secure" not in cookie  # plain http on loopback
        token = cookie.split(";")[0].split("=", 1)[1]
        assert len(token) == 43  # 256 random bits
        with Session(app.state.engine) as session:
            row = session.exec(select(LearnerRow)).one()
            assert row.password_hash.startswith("$argon2id$")
            assert token not in session.exec(select(LearnerSession.token_hash)).all()
            key = session.exec(
                select(SigningKey).where(SigningKey.owner_id == f"learner:{row.id}")
            ).one()
            assert key.did == row.did and row.did.startswith("did:key:z6Mk")
            assert key.encrypted_private_key.startswith("pe1.")  # sealed under the master key


def test_session_cookie_is_secure_when_the_site_is_https(tmp_path: Path) -> None:
    with (
        served_on(tmp_path, base_url="https://passport.example.ca") as (_app, base_url),
        httpx.Client(base_url=base_url) as client,
    ):

        def post_form(path: str, data: dict[str, str]) -> httpx.Response:
            form = client.get(path)
            form_cookie = form.headers["set-cookie"]
            assert "Secure" in form_cookie
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token is not None
            # The client keeps Secure cookies off plain http; a TLS proxy would carry it.
            return client.post(
                path,
                data=data | {"csrf_token": token[1]},
                headers={"Cookie": form_cookie.split(";")[0]},
            )

        asked = post_form("/passport/signup", {"email": "tls@example.ca", "password": PASSWORD})
        assert asked.status_code == 200
        link = new_signup_link(DevMail(Visitor(base_url, client)), "tls@example.ca", set())
        response = post_form(link, {"password": PASSWORD})
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_and_unknown_account_get_the_same_refusal(
    learner: Learner, wallet_url: str
) -> None:
    visitor = Visitor(wallet_url)
    try:
        wrong = sign_in(visitor, learner.email, "not the password at all")
        unknown = sign_in(visitor, "nobody-here@example.ca", "not the password at all")
        assert wrong.status_code == unknown.status_code == 401
        message = "the e-mail address or the password is wrong"
        assert message in wrong.text and message in unknown.text
        right = sign_in(visitor, learner.email.upper(), PASSWORD)
        assert right.status_code == 303
    finally:
        visitor.close()


def test_login_rate_limit_per_account(learner: Learner, wallet_url: str) -> None:
    visitor = Visitor(wallet_url)
    try:
        for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
            assert sign_in(visitor, learner.email, "wrong password!").status_code == 401
        blocked = sign_in(visitor, learner.email, PASSWORD)
        assert blocked.status_code == 429
        assert "too many failed sign-in attempts" in blocked.text
        assert "passport_session=" not in blocked.headers.get("set-cookie", "")
    finally:
        visitor.close()


def test_login_rate_limit_per_address(
    new_learner: Callable[[], Learner], wallet_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = new_learner()
    limits = dataclasses.replace(accounts.SIGN_IN_LIMITS, per_address=3)
    monkeypatch.setattr(accounts, "SIGN_IN_LIMITS", limits)
    visitor = Visitor(wallet_url)
    try:
        for number in range(3):
            sign_in(visitor, f"spray-{number}@example.ca", "wrong password!")
        blocked = sign_in(visitor, target.email, PASSWORD)
        assert blocked.status_code == 429
    finally:
        visitor.close()


def test_sign_out_ends_the_session(learner: Learner) -> None:
    cookie = learner.client.cookies.get("passport_session")
    assert learner.post("/passport/logout").status_code == 303
    with httpx.Client(base_url=learner.base_url, cookies={"passport_session": cookie or ""}) as old:
        assert old.get("/passport").status_code == 303


def test_csrf_attempts_are_refused(learner: Learner, new_learner: Callable[[], Learner]) -> None:
    other = new_learner()
    foreign_token = other.csrf()
    for path, data in (
        ("/passport/collections", {"name": "Planted"}),
        ("/passport/logout", {}),
        ("/passport/account/delete", {"password": PASSWORD}),
    ):
        missing = learner.client.post(path, data=data)
        forged = learner.client.post(path, data={**data, "csrf_token": foreign_token})
        assert missing.status_code == forged.status_code == 403, path
    assert "Planted" not in learner.get("/passport").text
    assert learner.get("/passport").status_code == 200  # still signed in, still there
    with httpx.Client(base_url=learner.base_url) as stranger:
        signup = stranger.post(
            "/passport/signup", data={"email": "csrf@example.ca", "password": PASSWORD}
        )
        assert signup.status_code == 403


def test_next_after_sign_in_never_leaves_the_site(learner: Learner, wallet_url: str) -> None:
    visitor = Visitor(wallet_url)
    try:
        response = visitor.post(
            "/passport/login",
            {"email": learner.email, "password": PASSWORD, "next": "//evil.example/x"},
            csrf_from="/passport/login",
        )
        assert response.headers["location"] == "/passport"
    finally:
        visitor.close()


def test_delete_account_removes_everything(tmp_path: Path) -> None:
    with served_on(tmp_path) as (app, base_url):
        learner, keeper = Learner(base_url), Learner(base_url)
        try:
            for person in (learner, keeper):
                stored = person.import_credential(signed_credential(Issuer()))
                person.post("/passport/collections", {"name": "Jobs"})
                link = person.share([stored])
            refused = learner.post("/passport/account/delete", {"password": "wrong password!"})
            assert refused.status_code == 401
            deleted = learner.post("/passport/account/delete", {"password": PASSWORD})
            assert deleted.status_code == 303
            with Session(app.state.engine) as session:
                for table in (LearnerRow, StoredCredential, Collection, ShareLink, LearnerSession):
                    assert session.exec(select(func.count()).select_from(table)).one() == 1
                keys = session.exec(
                    select(SigningKey.owner_id).where(col(SigningKey.owner_id).like("learner:%"))
                ).all()
                assert len(keys) == 1
            assert learner.get("/passport").status_code == 303
            assert httpx.get(base_url + link).status_code == 200  # the keeper's link
            relogin = sign_in(learner, learner.email, PASSWORD)
            assert relogin.status_code == 401
        finally:
            learner.close()
            keeper.close()
