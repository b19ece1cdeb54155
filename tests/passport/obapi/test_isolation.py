"""Learners stay apart on the OB 3.0 API (issue 17, route access): a token opens only the
passport of the learner who allowed it, and a learner disconnects only their own apps."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.passport.obapi.support import ApiClient
from tests.passport.wallet.support import Learner, signed_credential
from tests.verifier.support import Issuer


def test_one_client_with_two_learners_sees_each_passport_through_its_own_token(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    ada, bob = new_learner(), new_learner()
    client = new_client()
    ada_tokens = client.authorize(ada)
    bob_tokens = client.authorize(bob)
    credential = signed_credential(Issuer(), subject=ada.did)
    assert (
        client.api("POST", "/credentials", ada_tokens["access_token"], json=credential).status_code
        == 201
    )
    # The same credential pushed with Bob's token lands in Bob's passport, not Ada's.
    assert (
        client.api("POST", "/credentials", bob_tokens["access_token"], json=credential).status_code
        == 201
    )
    ada_list = client.api("GET", "/credentials", ada_tokens["access_token"])
    bob_list = client.api("GET", "/credentials", bob_tokens["access_token"])
    assert ada_list.headers["x-total-count"] == bob_list.headers["x-total-count"] == "1"
    assert client.api("GET", "/profile", bob_tokens["access_token"]).json()["id"] == bob.did
    assert ada.email not in bob_list.text


def test_a_learner_disconnects_only_their_own_applications(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    ada, bob = new_learner(), new_learner()
    client = new_client()
    ada_tokens = client.authorize(ada)
    page = ada.get("/passport/apps")
    assert page.status_code == 200 and "Example LMS" in page.text
    client_id = client.registration["client_id"]
    assert re.search(rf'name="client_id" value="{client_id}"', page.text)
    assert "Example LMS" not in bob.get("/passport/apps").text
    refused = bob.post(
        "/passport/apps/revoke", {"client_id": client_id}, csrf_from="/passport/apps"
    )
    assert refused.status_code == 404
    assert client.api("GET", "/profile", ada_tokens["access_token"]).status_code == 200

    done = ada.post("/passport/apps/revoke", {"client_id": client_id}, csrf_from="/passport/apps")
    assert done.status_code == 303
    assert client.api("GET", "/profile", ada_tokens["access_token"]).status_code == 401
    refresh = client.http.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": ada_tokens["refresh_token"]},
        auth=client.basic_auth,
    )
    assert refresh.status_code == 400
    assert "Example LMS" not in ada.get("/passport/apps").text
