"""Issue 13, "Smaller holes": sign-up is rate-limited per client address and per e-mail address
(``infra.login_limits``, as sign-in is), refused attempts included, and a taken address costs the
same password hashing as a new one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from passport.wallet import accounts
from tests.passport.wallet.support import PASSWORD, Learner, Visitor, served, wallet_settings
from tests.storage import sqlite_url


@pytest.fixture
def wallet_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(wallet_settings(sqlite_url(tmp_path_factory.mktemp("signup")))) as (_, url):
        yield url


def sign_up(visitor: Visitor, email: str, password: str = PASSWORD) -> int:
    response = visitor.post(
        "/passport/signup", {"email": email, "password": password}, csrf_from="/passport/signup"
    )
    if response.status_code == 429:
        assert "too many sign-ups from here" in response.text
    return response.status_code


def test_attack_one_address_cannot_probe_many_emails(wallet_url: str) -> None:
    prober = Visitor(wallet_url)
    try:
        # Refused attempts count: a short password costs the prober nothing else.
        answers = [
            sign_up(prober, f"probe-{n}@example.ca", "short")
            for n in range(accounts.MAX_SIGN_UPS_PER_ADDRESS)
        ]
        assert set(answers) == {400}
        assert sign_up(prober, f"fresh-{uuid.uuid4().hex[:8]}@example.ca") == 429
    finally:
        prober.close()


def test_attack_one_email_cannot_be_probed_again_and_again(wallet_url: str) -> None:
    email = f"jo-{uuid.uuid4().hex[:8]}@example.ca"
    owner = Learner(wallet_url, email)  # the first attempt, which opens the account
    prober = Visitor(wallet_url)
    try:
        tries = [
            sign_up(prober, email.upper(), f"guess-{n}-password")
            for n in range(accounts.MAX_SIGN_UPS_PER_EMAIL - 1)
        ]
        assert 429 not in tries
        assert sign_up(prober, email) == 429
    finally:
        owner.close()
        prober.close()
