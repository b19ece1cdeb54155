"""OpenID4VCI 1.0 delivery over HTTP (issue 14): the credential is signed for the holder's key,
every copy is recorded, withdrawn awards are refused with their reason, 401s carry a challenge.

The bound copies are checked by other people's code: the JSON-LD form by the standard-contexts
verifier of ``test_portable_credentials`` (pyld, pyoxigraph, ``cryptography``), the JWT by pyjwt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from credentials.multikey import did_key_for
from issuers.access import create_api_key
from passport.app import create_app
from passport.database import prepare_database
from tests.issuers.award_support import BASE_URL, add_institution, add_program
from tests.issuers.test_award_api import LEARNER, _proof
from tests.issuers.test_portable_credentials import public_key, verify_independently
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.storage import sqlite_url

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LDP = "OpenBadgeCredential_ldp_vc"
JWT = "OpenBadgeCredential_jwt_vc_json"
AWARDS = "/api/v1/institutions/college-x/awards"


class Api:
    def __init__(self, client: httpx.Client, key: str) -> None:
        self.client = client
        self.auth = {"Authorization": f"Bearer {key}"}

    def issue(self, **learner: str) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/institutions/college-x/programs/welding/awards",
            json=LEARNER | learner,
            headers=self.auth,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def access_token(self, award_id: str) -> str:
        """Offer, fetch the offer by reference, exchange its pre-authorized code."""
        created = self.client.post(f"{AWARDS}/{award_id}/offers", json={}, headers=self.auth)
        reference = httpx.URL(created.json()["offer_uri"]).params["credential_offer_uri"]
        offer = self.client.get(httpx.URL(reference).path).json()
        code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
        form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}
        return str(self.client.post("/oid4vci/token", data=form).json()["access_token"])

    def claim(
        self,
        award_id: str,
        holder: Ed25519PrivateKey,
        configuration: str = LDP,
        *,
        token: str | None = None,
    ) -> httpx.Response:
        """The credential request; with ``token``, under an access token obtained before."""
        nonce = self.client.post("/oid4vci/nonce").json()["c_nonce"]
        request = {
            "credential_configuration_id": configuration,
            "proofs": {"jwt": [_proof(holder, nonce)]},
        }
        bearer = {"Authorization": f"Bearer {token or self.access_token(award_id)}"}
        return self.client.post("/oid4vci/credential", json=request, headers=bearer)

    def change(self, award_id: str, action: str, reason: str) -> None:
        body = {"action": action, "reason": reason}
        response = self.client.post(f"{AWARDS}/{award_id}/status", json=body, headers=self.auth)
        assert response.status_code == 200, response.text


@pytest.fixture
def api(tmp_path: object) -> Iterator[Api]:
    settings = development_settings(sqlite_url(tmp_path), base_url=BASE_URL)  # type: ignore[arg-type]
    prepare_database(settings)
    app = create_app(settings)
    master = app.state.master_key_source.get()
    with Session(app.state.engine) as session:
        college = add_institution(session, master, offers_suspension=True)
        add_program(session, college)
        _, key = create_api_key(
            session, college, "registrar", ["issue", "revoke"], datetime.now(UTC)
        )
        session.commit()
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield Api(client, key)


def _did_documents(api: Api) -> dict[str, dict[str, Any]]:
    document = api.client.get("/issuers/college-x/did.json").json()
    return {document["id"]: document}


def test_the_claimed_credential_is_signed_for_the_holder_in_both_forms(api: Api) -> None:
    award = api.issue()
    stored = api.client.get(f"{AWARDS}/{award['id']}/credential.json", headers=api.auth).json()
    holder = Ed25519PrivateKey.generate()
    holder_did = did_key_for(holder.public_key())

    ldp = api.claim(award["id"], holder).json()["credentials"][0]["credential"]
    assert ldp["credentialSubject"]["id"] == holder_did
    assert ldp["id"] == stored["id"]
    assert ldp["credentialStatus"] == stored["credentialStatus"]
    assert ldp["credentialSubject"]["identifier"] == stored["credentialSubject"]["identifier"]
    verify_independently(ldp, _did_documents(api))

    token = api.claim(award["id"], holder, JWT).json()["credentials"][0]["credential"]
    key = public_key(jwt.get_unverified_header(token)["kid"], _did_documents(api))
    payload = jwt.decode(token, key=key, algorithms=["EdDSA"], options={"verify_exp": False})
    assert payload["credentialSubject"]["id"] == holder_did
    assert payload["id"] == stored["id"]

    copies = api.client.get(f"{AWARDS}/{award['id']}", headers=api.auth).json()["copies"]
    assert [(copy["form"], copy["holder_did"]) for copy in copies] == [
        ("json", holder_did),
        ("jwt", holder_did),
    ]
    assert all(copy["signing_key_id"] == award["signing_key_id"] for copy in copies)
    assert json.loads(copies[0]["credential"]) == ldp and copies[1]["credential"] == token


def test_a_second_claim_by_the_same_holder_gets_the_same_copy(api: Api) -> None:
    award = api.issue()
    holder = Ed25519PrivateKey.generate()
    first = api.claim(award["id"], holder).json()
    again = api.claim(award["id"], holder).json()
    assert first == again
    copies = api.client.get(f"{AWARDS}/{award['id']}", headers=api.auth).json()["copies"]
    assert len(copies) == 1


def test_a_learner_did_given_at_award_time_keeps_the_stored_credential(api: Api) -> None:
    holder = Ed25519PrivateKey.generate()
    award = api.issue(did=did_key_for(holder.public_key()))
    stored = api.client.get(f"{AWARDS}/{award['id']}/credential.json", headers=api.auth).json()
    assert api.claim(award["id"], holder).json()["credentials"][0]["credential"] == stored
    refused = api.claim(award["id"], Ed25519PrivateKey.generate())
    assert refused.json()["error"] == "invalid_proof"


def test_a_revoked_award_is_not_delivered_and_the_reason_is_given(api: Api) -> None:
    award = api.issue()
    token = api.access_token(award["id"])  # the offer was made and taken before revocation
    api.change(award["id"], "revoke", "Issued to the wrong learner")
    refused = api.claim(award["id"], Ed25519PrivateKey.generate(), token=token)
    assert refused.status_code == 400
    assert refused.json()["error"] == "credential_request_denied"
    assert "revoked" in refused.json()["error_description"]
    assert "Issued to the wrong learner" in refused.json()["error_description"]


def test_a_suspended_award_is_delivered_again_once_restored(api: Api) -> None:
    award = api.issue()
    token = api.access_token(award["id"])
    api.change(award["id"], "suspend", "Under review")
    refused = api.claim(award["id"], Ed25519PrivateKey.generate(), token=token)
    assert refused.json()["error"] == "credential_request_denied"
    assert "suspended" in refused.json()["error_description"]
    assert "Under review" in refused.json()["error_description"]
    api.change(award["id"], "restore", "Review done")
    restored = api.claim(award["id"], Ed25519PrivateKey.generate(), token=token)
    assert restored.status_code == 200, restored.text


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"])
def test_a_refused_access_token_is_answered_with_a_bearer_challenge(
    api: Api, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.post("/oid4vci/credential", json={}, headers=headers)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token"')


def test_the_metadata_advertises_exactly_the_binding_done(api: Api) -> None:
    metadata = api.client.get("/.well-known/openid-credential-issuer").json()
    for configuration in metadata["credential_configurations_supported"].values():
        assert configuration["cryptographic_binding_methods_supported"] == ["did:key"]
        proof = configuration["proof_types_supported"]["jwt"]
        assert proof["proof_signing_alg_values_supported"] == ["EdDSA"]
