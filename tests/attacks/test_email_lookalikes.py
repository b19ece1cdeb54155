"""Issue #13, "Smaller holes": a full-width look-alike of an email address (NFKC folds it) is the
same account: it cannot open a second account beside the first, and it signs in to the first."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.passport.wallet.support import (
    PASSWORD,
    DevMail,
    Learner,
    Visitor,
    served,
    signup_links,
    wait_for_mail,
    wallet_settings,
)
from tests.storage import sqlite_url


def full_width(text: str) -> str:
    """``text`` with every ASCII letter and digit replaced by its full-width form."""
    return "".join(chr(ord(char) + 0xFEE0) if char.isalnum() else char for char in text)


@pytest.fixture(scope="module")
def wallet_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("lookalikes")
    with served(wallet_settings(sqlite_url(directory))) as (_, url):
        yield url


def test_attack_a_full_width_lookalike_is_the_same_account(wallet_url: str) -> None:
    email = f"jo-{uuid.uuid4().hex[:8]}@example.ca"
    first = Learner(wallet_url, email)
    lookalike = full_width(email)
    assert lookalike != email
    other = Visitor(wallet_url)
    known = signup_links(DevMail(other), email)
    try:
        second = other.post(
            "/passport/signup",
            {"email": lookalike, "password": PASSWORD},
            csrf_from="/passport/signup",
        )
        assert second.status_code == 200
        # The owner of the address is told it has a passport; no second account is pending.
        wait_for_mail(DevMail(other), email, "You already have a Learner Passport")
        assert not signup_links(DevMail(other), email) - known, "a second account"
        signed_in = other.post(
            "/passport/login",
            {"email": lookalike.upper(), "password": PASSWORD},
            csrf_from="/passport/login",
        )
        assert signed_in.status_code == 303, signed_in.text
        assert other.get("/passport").text.count(first.did) >= 1
    finally:
        first.close()
        other.close()
