"""Issue #19: the share and passport pages answer from the outcome cache
(``verifier.outcome_cache``) while everything a report depends on is unchanged, and verify
again the moment something is not: our own revocation (in any process on the database),
another deployment's status list, the cache's lifetime or the list's own ``ttl``.
Verifications are counted by a spy on the pipeline the wallet calls."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from fastapi import FastAPI

from credentials.status_list import Bitstring, encode_list, new_status_list_credential
from passport.app import create_app
from tests.keys.loopback import serving
from tests.passport.own_deployment import OwnDeployment, own_deployment
from tests.passport.wallet.support import Learner, Visitor, served, wallet_settings
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.storage import backend_params, isolated_postgres_schema, postgres_test_url, sqlite_url
from tests.verifier.support import (
    ACTIVE_INDEX,
    NOW,
    Issuer,
    VerificationCounter,
    count_verifications,
)
from verifier.outcome_cache import OutcomeCache

ISSUER = Issuer()
NOT_VERIFIED = "Not verified"


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> VerificationCounter:
    return count_verifications(monkeypatch)


class StatusList:
    """Serves one status list, never cached by the fetch layer (``no-store``)."""

    def __init__(self) -> None:
        self.body = b""
        self.down = False

    def set(self, url: str, revoked: tuple[int, ...] = (), ttl_ms: int | None = None) -> None:
        bits = Bitstring()
        for index in revoked:
            bits.set(index)
        unsigned = new_status_list_credential(
            url,
            ISSUER.did,
            "revocation",
            encode_list(bits),
            valid_from=NOW - timedelta(days=1),
            ttl_ms=ttl_ms,
        )
        self.body = json.dumps(ISSUER.sign(unsigned)).encode()

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        if self.down:
            handler.send_error(503)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/vc+ld+json")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[tuple[FastAPI, str, StatusList, str]]:
    """The passport, and another deployment's status list on loopback."""
    lists = StatusList()
    settings = wallet_settings(sqlite_url(tmp_path))
    with serving(lists.respond) as server, served(settings) as (app, base_url):
        url = f"http://127.0.0.1:{server.port}/status/1"
        lists.set(url)
        yield app, base_url, lists, url


def shared(base_url: str, status_url: str) -> tuple[Learner, str]:
    """A learner holding one credential on ``status_url``, and a share link to it."""
    document = ISSUER.credential(status_url)
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    learner = Learner(base_url)
    stored = learner.import_credential(ISSUER.sign(document))
    return learner, learner.share([stored])


def test_a_kept_outcome_is_reused_until_the_remote_status_list_changes(
    remote: tuple[FastAPI, str, StatusList, str], verifications: VerificationCounter
) -> None:
    app, base_url, lists, status_url = remote
    learner, share_path = shared(base_url, status_url)
    app.state.wallet.live.clear()  # the import's pages kept it
    try:
        before = verifications.calls
        for _ in range(3):
            assert NOT_VERIFIED not in learner.get(share_path).text
            assert ">Revoked<" not in learner.get("/passport").text
        assert verifications.calls == before + 1  # the list was fetched again, unchanged

        lists.set(status_url, revoked=(ACTIVE_INDEX,))
        assert NOT_VERIFIED in learner.get(share_path).text
        assert ">Revoked<" in learner.get("/passport").text
        assert verifications.calls == before + 2
    finally:
        learner.close()


def test_a_report_that_could_not_check_the_status_is_not_kept(
    remote: tuple[FastAPI, str, StatusList, str], verifications: VerificationCounter
) -> None:
    app, base_url, lists, status_url = remote
    learner, share_path = shared(base_url, status_url)
    lists.down = True
    app.state.wallet.live.clear()
    try:
        before = verifications.calls
        for _ in range(2):
            assert "Could not fully check" in learner.get(share_path).text
        assert verifications.calls == before + 2
    finally:
        learner.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("ttl_ms", "advance"),
    [(None, 60.0), (1000, 1.0)],
    ids=["the cache's lifetime", "the status list's own ttl"],
)
def test_a_kept_outcome_dies_with_its_lifetime(
    remote: tuple[FastAPI, str, StatusList, str],
    verifications: VerificationCounter,
    ttl_ms: int | None,
    advance: float,
) -> None:
    app, base_url, lists, status_url = remote
    lists.set(status_url, ttl_ms=ttl_ms)
    clock = Clock()
    app.state.wallet.live.service.outcomes = OutcomeCache(ttl=60, monotonic=clock)
    learner, share_path = shared(base_url, status_url)
    try:
        learner.get(share_path)
        before = verifications.calls
        clock.now += 0.3
        learner.get(share_path)
        assert verifications.calls == before
        clock.now += advance
        learner.get(share_path)
        assert verifications.calls == before + 1
    finally:
        learner.close()


@contextmanager
def another_process(deployment: OwnDeployment) -> Iterator[Callable[[str], str]]:
    """A second app on the same database and public URL, as a second process behind a load
    balancer: caches of its own, only the database shared. Yields its page reader."""
    app = create_app(deployment.app.state.settings)
    port = free_port()
    try:
        with serving_at(app, port):
            reader = Visitor(f"http://localhost:{port}")
            try:
                yield lambda path: reader.get(path).text
            finally:
                reader.close()
    finally:
        app.state.engine.dispose()


@pytest.fixture(params=backend_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite, and PostgreSQL when ``PASSPORT_TEST_DATABASE_URL`` names a server."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    server = postgres_test_url()
    assert server is not None
    with isolated_postgres_schema(server) as url:
        yield url


def test_our_own_revocation_shows_at_once_in_another_process(
    tmp_path: Path, database_url: str, verifications: VerificationCounter
) -> None:
    with own_deployment(tmp_path, database_url=database_url) as deployment:
        deployment.add_institution("college-key", "did:key")
        award = deployment.issue("college-key")
        learner = Learner(deployment.base_url)
        try:
            stored = learner.import_credential(json.loads(str(award.ldp_credential)))
            share_path = learner.share([stored])
            deployment.app.state.wallet.live.clear()  # the import's pages kept it
            with another_process(deployment) as other:
                before = verifications.calls
                for _ in range(3):
                    assert NOT_VERIFIED not in other(share_path)
                    assert NOT_VERIFIED not in learner.get(share_path).text
                assert verifications.calls == before + 2  # once in each process

                deployment.revoke(award)  # through the first process's engine
                assert NOT_VERIFIED in other(share_path)
                assert NOT_VERIFIED in learner.get(share_path).text
                assert ">Revoked<" in learner.get("/passport").text
        finally:
            learner.close()
