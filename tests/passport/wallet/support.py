"""Helpers for the wallet tests: settings, a served app, learners driving it over real HTTP.

Learners sign up as people do: the form, then the link mailed to them (read from ``/dev/mail``,
the app's own catcher, unless a test brings its own SMTP server).

Credentials are signed for real by fresh did:key issuers (``tests.verifier.support.Issuer``);
the trust registry is a real signed registry file when a test wants a recognized issuer.
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
from fastapi import FastAPI

from passport.app import create_app
from passport.database import upgrade_database
from passport.settings import Settings
from tests.passport.live_server import serving
from tests.storage import sqlite_url
from tests.verifier.support import COLLEGE_EN, Issuer, loopback_settings, registry_file

# A random key made for these tests only (base64url of 32 random bytes).
TEST_MASTER_KEY = "_pqv7sjTbOH5bF90Bq8M_YqsNNj_WVyDGwKw2pJkOWw"
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SIGNUP_LINK = re.compile(r"/passport/signup/[A-Za-z0-9_-]{20,}")
# The mail pump polls its outbox every second; a loaded machine may take a few more.
MAIL_WAIT_SECONDS = 30.0


def wallet_settings(database_url: str, **overrides: object) -> Settings:
    """Development settings with a master key, reaching loopback servers (tests only). The
    mail pump does not pace itself: each learner waits for their sign-up mail."""
    defaults: dict[str, object] = {"master_key": TEST_MASTER_KEY, "smtp_max_per_minute": 6000}
    return loopback_settings(database_url, **(defaults | overrides))


def recognized_settings(directory: Path, database_url: str, *issuers: Issuer) -> Settings:
    """Settings whose signed registry lists ``issuers`` as an Ontario college."""
    operator = Issuer()
    registry = registry_file(directory, {issuer.did: COLLEGE_EN for issuer in issuers}, operator)
    return wallet_settings(
        database_url, registry_files=(registry,), trusted_registry_keys=(operator.did,)
    )


@contextmanager
def served(settings: Settings) -> Iterator[tuple[FastAPI, str]]:
    """The app for ``settings`` on a fresh database (migrated, as ``passport db upgrade``
    does for PostgreSQL), served on loopback."""
    upgrade_database(settings)
    app = create_app(settings)
    with serving(app) as base_url:
        yield app, base_url


@contextmanager
def served_on(tmp_path: Path, **overrides: object) -> Iterator[tuple[FastAPI, str]]:
    with served(wallet_settings(sqlite_url(tmp_path), **overrides)) as running:
        yield running


def signed_credential(
    issuer: Issuer, *, subject: str | None = None, mechanism: str = "eddsa-jcs-2022", **changes: Any
) -> Any:
    """The Ontario sample credential with a fresh id, signed by ``issuer``."""
    document = issuer.credential()
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    if subject is not None:
        document["credentialSubject"]["id"] = subject
    document.update(changes)
    return issuer.sign(document, mechanism)


class Visitor:
    """A browser-like HTTP client: keeps cookies, reads CSRF tokens from the pages."""

    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self.base_url = base_url
        self.client = client or httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def csrf(self, path: str = "/passport") -> str:
        found = _CSRF.search(self.client.get(path).text)
        assert found is not None, f"no CSRF token on {path}"
        return found[1]

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        files: dict[str, Any] | None = None,
        csrf_from: str = "/passport",
    ) -> httpx.Response:
        form = {"csrf_token": self.csrf(csrf_from), **(data or {})}
        return self.client.post(path, data=form, files=files)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)


class Mailbox(Protocol):
    """Where a test reads the mail the app sent (``DevMail``, or a test's own SMTP server)."""

    def bodies(self, address: str) -> list[str]:
        """The bodies of the messages to ``address`` that have arrived so far."""
        ...


class DevMail:
    """The app's own mail catcher, read from ``/dev/mail`` as a newcomer would (development
    and demo modes): the pump delivers a queued message within a second or two. Processes on
    one database share the outbox, and each pump sends to its own catcher: read them all."""

    def __init__(self, *visitors: Visitor) -> None:
        self.visitors = visitors

    def bodies(self, address: str) -> list[str]:
        wanted = f'class="mail-to">{html.escape(address)}<'
        found: list[str] = []
        for visitor in self.visitors:
            page = visitor.get("/dev/mail")
            assert page.status_code == 200, "no /dev/mail: the app has its own SMTP relay"
            articles = page.text.split('<article class="caught-mail">')[1:]
            found += [html.unescape(item) for item in articles if wanted in item]
        return found


def new_signup_link(mailbox: Mailbox, address: str, known: set[str]) -> str:
    """The path of a sign-up link (``/passport/signup/<token>``) mailed to ``address`` and not
    in ``known``; waits for the mail to arrive."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        fresh = signup_links(mailbox, address) - known
        if fresh:
            [link] = fresh
            return link
        time.sleep(0.1)
    raise AssertionError(f"no sign-up link mailed to {address}")


def signup_links(mailbox: Mailbox, address: str) -> set[str]:
    return {link for body in mailbox.bodies(address) for link in _SIGNUP_LINK.findall(body)}


def wait_for_mail(mailbox: Mailbox, address: str, text: str) -> str:
    """The first message to ``address`` that holds ``text``; waits for it to arrive."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        found = [body for body in mailbox.bodies(address) if text in body]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} holding {text!r}")


def sign_up(
    visitor: Visitor,
    email: str,
    *,
    password: str = PASSWORD,
    next: str | None = None,
    mailbox: Mailbox | None = None,
) -> httpx.Response:
    """Sign up through the form, then follow the link of the mail that arrives and enter the
    password again, as a learner does; the answer of that last step (303 when signed in)."""
    mailbox = mailbox or DevMail(visitor)
    known = signup_links(mailbox, email)
    form = {"email": email, "password": password} | ({"next": next} if next else {})
    asked = visitor.post("/passport/signup", form, csrf_from="/passport/signup")
    assert asked.status_code == 200, asked.text
    path = new_signup_link(mailbox, email, known)
    return visitor.post(path, {"password": password}, csrf_from=path)


class Learner(Visitor):
    """A learner with an account (signed up on creation, through the mailed link)."""

    def __init__(
        self,
        base_url: str,
        email: str | None = None,
        client: httpx.Client | None = None,
        mailbox: Mailbox | None = None,
    ) -> None:
        super().__init__(base_url, client)
        self.email = email or f"learner-{uuid.uuid4().hex[:10]}@example.ca"
        response = sign_up(self, self.email, mailbox=mailbox)
        assert response.status_code == 303, response.text

    def import_bytes(self, data: bytes, filename: str = "credential.json") -> httpx.Response:
        return self.post("/passport/import", files={"file": (filename, data)})

    def import_credential(self, credential: Any) -> str:
        """Import a JSON credential or a JWS; returns the stored credential's id."""
        data = credential.encode() if isinstance(credential, str) else _json_bytes(credential)
        response = self.import_bytes(data)
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        return location.removeprefix("/passport/credentials/").split("?")[0]

    def share(self, credential_ids: list[str], expires: str = "7") -> str:
        """Share the credentials; returns the share link's path (``/s/<token>``)."""
        response = self.post("/passport/shares", {"credential": credential_ids, "expires": expires})
        assert response.status_code == 200, response.text
        found = re.search(r'id="share-link" readonly value="[^"]*(/s/[^"]+)"', response.text)
        assert found is not None
        return found[1]

    @property
    def did(self) -> str:
        found = re.search(r"(did:key:z[1-9A-HJ-NP-Za-km-z]+)", self.get("/passport").text)
        assert found is not None
        return found[1]


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")
