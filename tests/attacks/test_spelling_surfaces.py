"""Issue #12 item 1 on every surface: a revoked credential whose ``credentialStatus`` is renamed
to its full IRI (the same signed graph) is revoked for ``POST /api/v1/verify``, refused by the
passport's import, and shown as revoked on the share page of a learner who imported it before
the revocation. Real app, real HTTP, the status list on a loopback server."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.attacks.test_spelling import renamed
from tests.keys.loopback import serving
from tests.passport.wallet.support import Learner, served, wallet_settings
from tests.passport.wallet.test_timeline import StatusLists
from tests.storage import sqlite_url
from tests.verifier.support import ACTIVE_INDEX, REVOKED_INDEX, Issuer

ISSUER = Issuer()
World = tuple[FastAPI, str, StatusLists, str]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[FastAPI, str, StatusLists, str]]:
    directory: Path = tmp_path_factory.mktemp("spelling")
    lists = StatusLists()
    with (
        serving(lists.respond) as server,
        served(wallet_settings(sqlite_url(directory))) as (
            app,
            base_url,
        ),
    ):
        url = f"http://127.0.0.1:{server.port}/status/1"
        lists.body = json.dumps(ISSUER.status_list(url, revoked=(REVOKED_INDEX,))).encode()
        yield app, base_url, lists, url


def respelled(status_url: str, index: int) -> dict[str, Any]:
    document = ISSUER.credential(status_url, index)
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    return renamed(ISSUER.sign(document, "eddsa-rdfc-2022"), "credentialStatus")


def test_iri_renamed_revoked_credential_through_the_api_and_the_import(
    world: World,
) -> None:
    _app, base_url, _lists, url = world
    learner = Learner(base_url)
    try:
        credential = respelled(url, REVOKED_INDEX)
        body = learner.client.post("/api/v1/verify", json=credential).json()
        assert body["verdict"] == "not_verified"
        assert {check["id"]: check["outcome"] for check in body["checks"]}["status"] == "failed"
        response = learner.import_bytes(json.dumps(credential).encode())
        assert response.status_code == 400
        assert "revoked" in response.text
    finally:
        learner.close()


def test_iri_renamed_credential_revoked_after_import_shows_revoked_on_its_share_page(
    world: World,
) -> None:
    app, base_url, lists, url = world
    learner = Learner(base_url)
    try:
        stored = learner.import_credential(respelled(url, ACTIVE_INDEX))
        link = learner.share([stored])
        revoked = (REVOKED_INDEX, ACTIVE_INDEX)
        lists.body = json.dumps(ISSUER.status_list(url, revoked=revoked)).encode()
        app.state.wallet.live.clear()
        page = learner.client.get(link).text
        assert "Not verified" in page
        assert "The issuer has revoked this credential" in page
        assert "still stands" not in page
    finally:
        learner.close()
