"""A share link (or the QR code carrying it) of our own passport, verified by the verifier.

The learner's link is ``<base_url>/s/<token>``: the verifier reads it from the passport's own
database through the hook the shell injects, never over HTTP, and without counting a view. A
link on any other host is a hosted credential, fetched through the guarded fetcher as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from passport.wallet.share_verification import NO_LONGER_VALID, share_token
from passport.wallet.tables import ShareLink
from passport.wallet.tokens import digest
from tests.passport.wallet.support import Learner, recognized_settings, served, signed_credential
from tests.storage import sqlite_url
from tests.verifier.support import Documents, Issuer, document_server

COLLEGE = Issuer()
API = "/api/v1/verify"
BASE_URL = "http://127.0.0.1:8000"  # the settings' base_url: what the learner's links start with


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    directory: Path = tmp_path_factory.mktemp("share-links")
    with served(recognized_settings(directory, sqlite_url(directory), COLLEGE)) as pair:
        yield pair


@pytest.fixture
def learner(running: tuple[FastAPI, str]) -> Iterator[Learner]:
    signed_up = Learner(running[1])
    yield signed_up
    signed_up.close()


def shared_pair(learner: Learner) -> str:
    """Two credentials shared on one link; returns the link as the learner was given it."""
    stored = [learner.import_credential(signed_credential(COLLEGE)) for _ in range(2)]
    return BASE_URL + learner.share(stored)


def verify(learner: Learner, url: str, *, as_text: bool = False) -> httpx.Response:
    with httpx.Client(base_url=learner.base_url, timeout=60) as employer:
        if as_text:
            return employer.post(API, content=url, headers={"Content-Type": "text/plain"})
        return employer.post(API, json={"url": url})


def view_counts(running: tuple[FastAPI, str]) -> dict[str, int]:
    with Session(running[0].state.engine) as session:
        return {share.id: share.view_count for share in session.exec(select(ShareLink)).all()}


def test_the_api_verifies_each_credential_of_our_share_link(
    learner: Learner, running: tuple[FastAPI, str]
) -> None:
    link = shared_pair(learner)
    before = view_counts(running)
    for as_text in (False, True):
        answer = verify(learner, link, as_text=as_text)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        assert body["verified"] is True and body["verdict"] == "verified"
        assert [check["id"] for check in body["checks"]] == ["format", "contents"]
        assert body["checks"][0]["message"].startswith("These are the credentials a learner")
        assert body["checks"][1]["message"] == "All 2 credentials inside verified."
        assert [part["verdict"] for part in body["parts"]] == ["verified", "verified"]
    assert view_counts(running) == before  # verifying is not viewing


def test_the_qr_payload_pasted_on_the_employer_page_is_verified_in_french(
    learner: Learner,
) -> None:
    link = shared_pair(learner)
    with httpx.Client(base_url=learner.base_url, timeout=60) as employer:
        pasted = employer.post("/verify?lang=fr", data={"credential": f"  {link}\n"})
        linked = employer.post("/verify?lang=fr", data={"url": link})
    for page in (pasted, linked):
        assert page.status_code == 200
        assert '<h2 id="verdict-headline" class="headline">Vérifié</h2>' in page.text
        assert page.text.count('class="part verdict-verified"') == 2
        assert "Les 2 titres contenus ont été vérifiés." in page.text


def test_revoked_expired_and_unknown_links_get_the_same_400(
    learner: Learner, running: tuple[FastAPI, str]
) -> None:
    revoked = shared_pair(learner)
    share_id = _share_of(running, revoked)
    response = learner.post(f"/passport/shares/{share_id}/revoke", csrf_from="/passport/shares")
    assert response.status_code == 303
    expired = shared_pair(learner)
    _expire(running, _share_of(running, expired))
    live = shared_pair(learner)
    tampered = live[:-1] + ("A" if live[-1] != "A" else "B")
    answers = [
        verify(learner, url) for url in (revoked, expired, tampered, f"{BASE_URL}/s/guessed")
    ]
    assert {answer.status_code for answer in answers} == {400}
    assert {answer.json()["detail"] for answer in answers} == {NO_LONGER_VALID}
    assert verify(learner, live).status_code == 200
    with httpx.Client(base_url=learner.base_url, timeout=60) as employer:
        french = employer.post("/verify?lang=fr", data={"url": revoked})
    assert french.status_code == 400
    assert "ce lien de partage n&#39;est plus valide" in french.text


def test_a_link_to_an_empty_collection_has_nothing_to_verify(learner: Learner) -> None:
    made = learner.post("/passport/collections", {"name": "Nothing yet"})
    collection = made.headers["location"].rsplit("/", 1)[1]
    response = learner.post(
        "/passport/shares",
        {"collection": collection, "expires": "never"},
        csrf_from=f"/passport/collections/{collection}",
    )
    found = re.search(r'id="share-link" readonly value="([^"]+)"', response.text)
    assert found is not None
    answer = verify(learner, found[1])
    assert answer.status_code == 400
    assert answer.json()["detail"] == "this share link holds no credentials"


def test_a_link_on_another_host_is_a_hosted_credential_fetched_as_before(
    learner: Learner,
) -> None:
    """Shaped like a share link, but not on our base_url: the guarded fetcher gets it."""
    documents = Documents()
    documents.put("/s/looks-like-a-token", signed_credential(COLLEGE))
    with document_server(documents) as (server, base):
        body = verify(learner, f"{base}/s/looks-like-a-token").json()
    assert body["verdict"] == "verified"
    assert "parts" not in body
    assert server.seen_headers[0]["User-Agent"].startswith("LearnerPassport")


@pytest.mark.parametrize(
    ("url", "token"),
    [
        (f"{BASE_URL}/s/abc", "abc"),
        ("HTTP://127.0.0.1:8000/s/abc#qr", "abc"),
        (f"{BASE_URL}/s/abc/1/json", None),  # a download, not the share page
        (f"{BASE_URL}/s/", None),
        ("http://127.0.0.1:8001/s/abc", None),
        ("https://127.0.0.1:8000/s/abc", None),
        ("http://127.0.0.1:8000.evil.example/s/abc", None),
        ("http://[::1/s/abc", None),
        ("https://p.example/app/s/abc", None),  # another base path
    ],
)
def test_only_share_pages_under_our_base_url_are_ours(url: str, token: str | None) -> None:
    assert share_token(url, BASE_URL) == token


def test_a_base_url_with_a_path_keeps_it() -> None:
    assert share_token("https://p.example/app/s/abc", "https://p.example/app") == "abc"
    assert share_token("https://p.example/s/abc", "https://p.example/app") is None


def _share_of(running: tuple[FastAPI, str], link: str) -> str:
    with Session(running[0].state.engine) as session:
        token_hash = digest(link.rsplit("/", 1)[1])
        share = session.exec(select(ShareLink).where(ShareLink.token_hash == token_hash)).one()
        return share.id


def _expire(running: tuple[FastAPI, str], share_id: str) -> None:
    with Session(running[0].state.engine) as session:
        share = session.get(ShareLink, share_id)
        assert share is not None and share.expires_at is not None
        share.created_at -= timedelta(days=8)
        share.expires_at = share.created_at + timedelta(days=7)
        session.add(share)
        session.commit()
