"""Share links: the public page with live results, QR codes, expiry, revocation, no oracle."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from infra.clock import get_now
from passport.wallet.exports import qr_svg
from passport.wallet.sharing import open_share
from passport.wallet.tables import ShareLink
from tests.passport.wallet.support import Learner, recognized_settings, served, signed_credential
from tests.storage import sqlite_url
from tests.verifier.support import COLLEGE_EN, COLLEGE_FR, Issuer

RECOGNIZED = Issuer()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    directory: Path = tmp_path_factory.mktemp("sharing")
    with served(recognized_settings(directory, sqlite_url(directory), RECOGNIZED)) as pair:
        yield pair


@pytest.fixture
def sharer(running: tuple[FastAPI, str]) -> Iterator[Learner]:
    learner = Learner(running[1])
    yield learner
    learner.close()


def anonymous_get(learner: Learner, path: str, **params: str) -> tuple[int, str]:
    """What someone without any cookie (an employer opening the link) gets."""
    with httpx.Client(base_url=learner.base_url) as client:
        response = client.get(path, params=params or None)
        return response.status_code, response.text


def test_shared_credential_shows_the_live_result_in_english_and_french(sharer: Learner) -> None:
    stored = sharer.import_credential(signed_credential(RECOGNIZED))
    link = sharer.share([stored])
    status, english = anonymous_get(sharer, link)
    assert status == 200
    assert '<p id="headline-1" class="headline">Verified</p>' in english
    assert COLLEGE_EN in english
    status, french = anonymous_get(sharer, link, lang="fr")
    assert '<p id="headline-1" class="headline">Vérifié</p>' in french
    assert COLLEGE_FR.replace("'", "&#39;") in french


def test_share_page_offers_each_credential_as_issued(sharer: Learner) -> None:
    credential = signed_credential(RECOGNIZED)
    stored = sharer.import_credential(credential)
    link = sharer.share([stored])
    status, body = anonymous_get(sharer, f"{link}/1/json")
    assert status == 200
    assert json.loads(body) == credential
    assert anonymous_get(sharer, f"{link}/2/json")[0] == 404


def test_wrong_tampered_expired_and_revoked_tokens_get_the_same_404(
    sharer: Learner, running: tuple[FastAPI, str]
) -> None:
    stored = sharer.import_credential(signed_credential(RECOGNIZED))
    revoked_link = sharer.share([stored])
    share_id = _newest_share_id(sharer)
    assert (
        sharer.post(f"/passport/shares/{share_id}/revoke", csrf_from="/passport/shares").status_code
        == 303
    )
    live_link = sharer.share([stored])
    token = live_link.removeprefix("/s/")
    tampered = "/s/" + token[:-1] + ("A" if token[-1] != "A" else "B")
    expired_link = sharer.share([stored])
    _expire_newest(running, sharer)
    answers = {
        path: anonymous_get(sharer, path)
        for path in (revoked_link, tampered, expired_link, "/s/guessed", "/s/" + "x" * 43)
    }
    assert {status for status, _ in answers.values()} == {404}
    # Word for word the same page; only the language links repeat the address that was asked.
    assert len({body.replace(path, "PATH") for path, (_, body) in answers.items()}) == 1
    assert anonymous_get(sharer, live_link)[0] == 200


def test_views_are_counted_for_the_learner_only(sharer: Learner) -> None:
    stored = sharer.import_credential(signed_credential(RECOGNIZED))
    link = sharer.share([stored])
    for _ in range(3):
        anonymous_get(sharer, link)
    shares = sharer.get("/passport/shares").text
    row = shares[shares.index('class="share-row"') :].split("</tr>")[0]
    assert '"Views">3</td>' in row
    assert "UTC" in row  # the last-viewed time
    assert "views" not in anonymous_get(sharer, link)[1].lower()


def test_qr_codes_carry_the_link_and_need_its_token(sharer: Learner) -> None:
    stored = sharer.import_credential(signed_credential(RECOGNIZED))
    link = sharer.share([stored])
    share_id = _newest_share_id(sharer)
    token = link.removeprefix("/s/")
    svg = sharer.get(f"/passport/shares/{share_id}/qr.svg", params={"t": token})
    assert svg.status_code == 200
    assert svg.content == qr_svg(f"http://127.0.0.1:8000{link}")
    png = sharer.get(f"/passport/shares/{share_id}/qr.png", params={"t": token})
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    wrong = sharer.get(f"/passport/shares/{share_id}/qr.png", params={"t": "B" * 43})
    assert wrong.status_code == 404


def test_a_collection_link_shows_the_collection_as_it_is_now(sharer: Learner) -> None:
    first = sharer.import_credential(signed_credential(RECOGNIZED))
    second = sharer.import_credential(signed_credential(RECOGNIZED))
    made = sharer.post("/passport/collections", {"name": "For welding jobs"})
    collection = made.headers["location"].rsplit("/", 1)[1]
    sharer.post(f"/passport/credentials/{first}/collections", {"collection": [collection]})
    response = sharer.post(
        "/passport/shares",
        {"collection": collection, "expires": "never"},
        csrf_from=f"/passport/collections/{collection}",
    )
    link = re.search(r'value="[^"]*(/s/[^"]+)"', response.text)
    assert link is not None
    assert anonymous_get(sharer, link[1])[1].count('class="shared-credential"') == 1
    sharer.post(f"/passport/credentials/{second}/collections", {"collection": [collection]})
    assert anonymous_get(sharer, link[1])[1].count('class="shared-credential"') == 2


def test_share_token_has_256_bits_and_only_its_hash_is_stored(
    sharer: Learner, running: tuple[FastAPI, str]
) -> None:
    stored = sharer.import_credential(signed_credential(RECOGNIZED))
    token = sharer.share([stored]).removeprefix("/s/")
    assert len(token) == 43
    app = running[0]
    with Session(app.state.engine) as session:
        hashes = session.exec(select(ShareLink.token_hash)).all()
        assert token not in hashes
        assert open_share(session, token, get_now()) is not None


def _newest_share_id(learner: Learner) -> str:
    found = re.search(r'data-share="([0-9a-f-]{36})"', learner.get("/passport/shares").text)
    assert found is not None
    return found[1]


def _expire_newest(running: tuple[FastAPI, str], learner: Learner) -> None:
    app = running[0]
    share_id = _newest_share_id(learner)
    with Session(app.state.engine) as session:
        share = session.get(ShareLink, share_id)
        assert share is not None and share.expires_at is not None
        share.created_at = share.created_at - timedelta(days=8)
        share.expires_at = share.created_at + timedelta(days=7)
        session.add(share)
        session.commit()
