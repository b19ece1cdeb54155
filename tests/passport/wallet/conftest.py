"""Fixtures of the wallet tests: one app per test module and backend, and learners.

``browser`` and ``page`` come from tests/browser.py (the session's one chromium)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.passport.wallet.support import Learner, served, wallet_settings
from tests.storage import backend_params, isolated_postgres_schema, postgres_test_url, sqlite_url


@pytest.fixture(scope="module", params=backend_params())
def wallet_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One app per module and backend (SQLite, and PostgreSQL when a test server is named);
    each test signs up learners of its own, so tests never share data."""
    if request.param == "sqlite":
        directory: Path = tmp_path_factory.mktemp("wallet")
        with served(wallet_settings(sqlite_url(directory))) as (_app, base_url):
            yield base_url
        return
    server = postgres_test_url()
    assert server is not None
    with isolated_postgres_schema(server) as url, served(wallet_settings(url)) as (_, base_url):
        yield base_url


@pytest.fixture
def learner(wallet_url: str) -> Iterator[Learner]:
    signed_up = Learner(wallet_url)
    yield signed_up
    signed_up.close()


@pytest.fixture
def new_learner(wallet_url: str) -> Iterator[Callable[[], Learner]]:
    """Sign up more learners in one test; each is closed afterwards."""
    made: list[Learner] = []

    def make() -> Learner:
        made.append(Learner(wallet_url))
        return made[-1]

    yield make
    for learner in made:
        learner.close()
