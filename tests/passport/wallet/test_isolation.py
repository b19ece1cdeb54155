"""One learner's requests never reach another learner's credentials, collections or links: every
attempt gets the same 404 as an id that does not exist, and changes nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.passport.wallet.support import Learner, signed_credential
from tests.verifier.support import Issuer


@dataclass
class Owned:
    owner: Learner
    credential: str
    collection: str
    share: str
    link: str


@pytest.fixture
def owned(new_learner: Callable[[], Learner]) -> Owned:
    owner = new_learner()
    credential = owner.import_credential(signed_credential(Issuer()))
    collection = owner.post("/passport/collections", {"name": "Mine"}).headers["location"]
    owner.post(
        f"/passport/credentials/{credential}/collections",
        {"collection": [collection.rsplit("/", 1)[1]]},
    )
    link = owner.share([credential])
    share = re.search(r'data-share="([0-9a-f-]{36})"', owner.get("/passport/shares").text)
    assert share is not None
    return Owned(owner, credential, collection.rsplit("/", 1)[1], share[1], link)


def same_as_missing(response: httpx.Response, missing: httpx.Response, ids: list[str]) -> bool:
    def normalized(text: str) -> str:
        for identifier in ids:
            text = text.replace(identifier, "ID")
        return re.sub(r'name="csrf_token" value="[^"]+"', "", text)

    return response.status_code == missing.status_code == 404 and normalized(
        response.text
    ) == normalized(missing.text)


def test_reading_another_learners_credential_is_a_plain_404(
    owned: Owned, new_learner: Callable[[], Learner]
) -> None:
    other = new_learner()
    nobody = str(uuid.uuid4())
    ids = [owned.credential, nobody]
    for template in (
        "/passport/credentials/{}",
        "/passport/credentials/{}/download/json",
        "/passport/credentials/{}/download/png",
        "/passport/collections/{}",
    ):
        target = owned.collection if "collections" in template else owned.credential
        theirs = other.get(template.format(target))
        missing = other.get(template.format(nobody))
        assert same_as_missing(theirs, missing, [*ids, owned.collection]), template


def test_changing_another_learners_data_is_refused_and_changes_nothing(
    owned: Owned, new_learner: Callable[[], Learner]
) -> None:
    other = new_learner()
    mine = other.import_credential(signed_credential(Issuer()))
    attempts: list[tuple[str, dict[str, Any]]] = [
        (f"/passport/credentials/{owned.credential}/delete", {}),
        (f"/passport/credentials/{owned.credential}/linkedin", {}),
        (f"/passport/collections/{owned.collection}/delete", {}),
        (f"/passport/credentials/{mine}/collections", {"collection": [owned.collection]}),
        (f"/passport/shares/{owned.share}/revoke", {}),
        ("/passport/shares", {"credential": [owned.credential], "expires": "7"}),
        ("/passport/shares", {"collection": owned.collection, "expires": "7"}),
        ("/passport/presentation", {"credential": [owned.credential]}),
        ("/passport/print", {"credential": [mine, owned.credential]}),
    ]
    for path, data in attempts:
        response = other.post(path, data)
        assert response.status_code == 404, (path, response.status_code)
        assert "This page does not exist, or is not yours to see." in response.text
    # The owner's passport is intact and their link still works.
    assert owned.owner.get(f"/passport/credentials/{owned.credential}").status_code == 200
    assert owned.owner.get(f"/passport/collections/{owned.collection}").status_code == 200
    assert httpx.get(owned.owner.base_url + owned.link).status_code == 200
    # Nothing of theirs went into the other's passport, and no link was made for it.
    assert "Robotic" in other.get("/passport").text  # only their own credential
    assert other.get("/passport").text.count('class="timeline-entry"') == 1
    assert 'class="share-row"' not in other.get("/passport/shares").text


def test_another_learners_share_qr_needs_their_session_too(
    owned: Owned, new_learner: Callable[[], Learner]
) -> None:
    other = new_learner()
    token = owned.link.removeprefix("/s/")
    response = other.get(f"/passport/shares/{owned.share}/qr.png", params={"t": token})
    assert response.status_code == 404
    assert (
        owned.owner.get(f"/passport/shares/{owned.share}/qr.png", params={"t": token}).status_code
        == 200
    )


def test_enumerating_ids_reveals_nothing(owned: Owned, new_learner: Callable[[], Learner]) -> None:
    other = new_learner()
    statuses = {
        other.get(f"/passport/credentials/{uuid.UUID(int=number)}").status_code
        for number in range(20)
    }
    assert statuses == {404}
    assert owned.credential not in other.get("/passport").text
    assert owned.credential not in other.get("/passport/shares").text


def test_pages_need_a_session(owned: Owned) -> None:
    with httpx.Client(base_url=owned.owner.base_url) as anonymous:
        page = anonymous.get(f"/passport/credentials/{owned.credential}")
        assert page.status_code == 303
        assert page.headers["location"].startswith("/passport/login")
    with httpx.Client(
        base_url=owned.owner.base_url, cookies={"passport_session": "A" * 43}
    ) as forger:
        forged = forger.get(f"/passport/credentials/{owned.credential}")
        assert forged.status_code == 303
