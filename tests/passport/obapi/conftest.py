"""One passport over TLS per test module; learners and API clients closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.passport.obapi.support import ApiClient, tls_host, tls_learner
from tests.passport.obapi.tls import TlsServer
from tests.passport.wallet.support import Learner


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    directory: Path = tmp_path_factory.mktemp("obapi")
    with tls_host(directory) as running:
        yield running


@pytest.fixture
def new_learner(server: TlsServer) -> Iterator[Callable[[], Learner]]:
    made: list[Learner] = []

    def make() -> Learner:
        made.append(tls_learner(server))
        return made[-1]

    yield make
    for learner in made:
        learner.close()


@pytest.fixture
def new_client(server: TlsServer) -> Iterator[Callable[..., ApiClient]]:
    made: list[ApiClient] = []

    def make(**changes: object) -> ApiClient:
        made.append(ApiClient.register(server, **changes))
        return made[-1]

    yield make
    for client in made:
        client.http.close()
