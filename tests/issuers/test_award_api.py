"""The awarding API over HTTP: issue, download, revoke, status lists, cohorts, OpenID4VCI."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from credentials.baking import extract
from credentials.multibase import encode_base64url
from credentials.multikey import did_key_for, did_key_verification_method
from credentials.status_list import decode_list
from issuers.access import create_api_key
from issuers.awards.offers import MAX_TX_CODE_FAILURES
from passport.app import create_app
from passport.database import prepare_database
from tests.issuers.award_support import BASE_URL, add_institution, add_program
from tests.issuers.test_batches import cohort
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.storage import sqlite_url

LEARNER = {"name": "Amélie Côté", "email": "amelie@example.ca", "result": "A"}


@dataclass
class Server:
    client: httpx.Client
    key: str
    other_key: str

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}"}


@pytest.fixture
def server(tmp_path: object) -> Iterator[Server]:
    settings = development_settings(sqlite_url(tmp_path), base_url=BASE_URL)  # type: ignore[arg-type]
    prepare_database(settings)
    app = create_app(settings)
    master = app.state.master_key_source.get()
    with Session(app.state.engine) as session:
        now = datetime.now(UTC)
        college = add_institution(session, master)
        add_program(session, college)
        other = add_institution(session, master, "other-college")
        _, key = create_api_key(session, college, "registrar", ["issue", "revoke"], now)
        _, other_key = create_api_key(session, other, "other", ["issue", "revoke"], now)
        session.commit()
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield Server(client, key, other_key)


def _issue(server: Server) -> dict[str, object]:
    response = server.client.post(
        "/api/v1/institutions/college-x/programs/welding/awards",
        json=LEARNER,
        headers=server.auth(),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_issue_download_and_isolation(server: Server) -> None:
    award = _issue(server)
    base = f"/api/v1/institutions/college-x/awards/{award['id']}"
    ldp = server.client.get(f"{base}/credential.json", headers=server.auth())
    jwt = server.client.get(f"{base}/credential.jwt", headers=server.auth())
    assert ldp.headers["content-type"] == "application/vc"
    assert json.loads(ldp.text)["proof"]["verificationMethod"] == award["signing_key_id"]
    assert (
        extract(server.client.get(f"{base}/credential.png", headers=server.auth()).content)
        == jwt.text
    )
    assert (
        extract(server.client.get(f"{base}/credential.svg", headers=server.auth()).content)
        == ldp.text
    )
    assert "amelie@example.ca" not in ldp.text
    assert server.client.get(base).status_code == 401
    assert server.client.get(base, headers=server.auth(server.other_key)).status_code == 403
    other_base = f"/api/v1/institutions/other-college/awards/{award['id']}"
    assert server.client.get(other_base, headers=server.auth(server.other_key)).status_code == 404


def test_revocation_reaches_the_cached_status_list(server: Server) -> None:
    award = _issue(server)
    credential = server.client.get(
        f"/api/v1/institutions/college-x/awards/{award['id']}/credential.json",
        headers=server.auth(),
    ).json()
    status_path = (
        "/status/" + credential["credentialStatus"]["statusListCredential"].rsplit("/", 1)[1]
    )
    index = int(credential["credentialStatus"]["statusListIndex"])
    first = server.client.get(status_path)
    assert first.headers["cache-control"] == "public, max-age=300"
    etag = first.headers["etag"]
    assert server.client.get(status_path, headers={"If-None-Match": etag}).status_code == 304
    change = server.client.post(
        f"/api/v1/institutions/college-x/awards/{award['id']}/status",
        json={"action": "revoke", "reason": "Academic misconduct"},
        headers=server.auth(),
    )
    assert change.json()["state"] == "revoked"
    after = server.client.get(status_path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert decode_list(after.json()["credentialSubject"]["encodedList"]).get(index) == 1
    events = server.client.get("/api/v1/institutions/college-x/audit", headers=server.auth()).json()
    assert events[0]["action"] == "revoke" and events[0]["reason"] == "Academic misconduct"
    forbidden = server.client.post(
        f"/api/v1/institutions/other-college/awards/{award['id']}/status",
        json={"action": "revoke", "reason": "x"},
        headers=server.auth(server.other_key),
    )
    assert forbidden.status_code == 404


def test_a_cohort_upload_validates_then_issues(server: Server) -> None:
    url = "/api/v1/institutions/college-x/programs/welding/batches"
    bad = server.client.post(
        url, content=cohort(2) + b"S-9,X,bad,A,2025-06-01\n", headers=server.auth()
    )
    assert bad.status_code == 422
    assert bad.json()["validation"]["errors"] == [
        {"line": 4, "column": "email", "reason": "'bad' is not an email address"}
    ]
    dry = server.client.post(
        url, params={"dry_run": "true"}, content=cohort(3), headers=server.auth()
    )
    assert dry.status_code == 202 and dry.json()["batch_id"] is None
    accepted = server.client.post(url, content=cohort(3), headers=server.auth())
    batch_id = accepted.json()["batch_id"]
    progress: dict[str, object] = {}
    for _ in range(200):
        progress = server.client.get(
            f"/api/v1/institutions/college-x/batches/{batch_id}", headers=server.auth()
        ).json()
        if progress["state"] == "completed":
            break
        time.sleep(0.05)
    assert (progress["state"], progress["issued"]) == ("completed", 3)


def _proof(key: Ed25519PrivateKey, nonce: str, *, audience: str = BASE_URL) -> str:
    did = did_key_for(key.public_key())
    header = {
        "alg": "EdDSA",
        "typ": "openid4vci-proof+jwt",
        "kid": did_key_verification_method(did),
    }
    payload = {"aud": audience, "iat": int(time.time()), "nonce": nonce}
    parts = [encode_base64url(json.dumps(part).encode()) for part in (header, payload)]
    signing_input = ".".join(parts)
    return f"{signing_input}.{encode_base64url(key.sign(signing_input.encode()))}"


def test_the_openid4vci_pre_authorized_code_flow(server: Server) -> None:
    award = _issue(server)
    created = server.client.post(
        f"/api/v1/institutions/college-x/awards/{award['id']}/offers",
        json={"tx_code": True},
        headers=server.auth(),
    ).json()
    reference = httpx.URL(created["offer_uri"]).params["credential_offer_uri"]
    offer = server.client.get(httpx.URL(reference).path).json()
    assert offer["credential_issuer"] == BASE_URL
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant["tx_code"]["length"] == 6
    qr = server.client.get(httpx.URL(created["qr_png_url"]).path)
    assert qr.headers["content-type"] == "image/png"
    metadata = server.client.get("/.well-known/openid-credential-issuer").json()
    assert metadata["nonce_endpoint"] == f"{BASE_URL}/oid4vci/nonce"
    token_form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        "pre-authorized_code": grant["pre-authorized_code"],
        "tx_code": created["tx_code"],
    }
    token = server.client.post("/oid4vci/token", data=token_form).json()
    again = server.client.post("/oid4vci/token", data=token_form)
    assert again.json()["error"] == "invalid_grant"
    nonce = server.client.post("/oid4vci/nonce").json()["c_nonce"]
    holder = Ed25519PrivateKey.generate()
    request = {
        "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
        "proofs": {"jwt": [_proof(holder, nonce)]},
    }
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    issued = server.client.post("/oid4vci/credential", json=request, headers=bearer)
    assert issued.status_code == 200, issued.text
    stored = server.client.get(
        f"/api/v1/institutions/college-x/awards/{award['id']}/credential.json",
        headers=server.auth(),
    )
    delivered = issued.json()["credentials"][0]["credential"]
    assert delivered["id"] == stored.json()["id"]  # the award, signed for the holder's key
    assert delivered["credentialSubject"]["id"] == did_key_for(holder.public_key())
    replay = server.client.post("/oid4vci/credential", json=request, headers=bearer)
    assert replay.json()["error"] == "invalid_nonce"
    fresh = server.client.post("/oid4vci/nonce").json()["c_nonce"]
    request["proofs"] = {"jwt": [_proof(holder, fresh, audience="https://elsewhere.example")]}
    wrong_audience = server.client.post("/oid4vci/credential", json=request, headers=bearer)
    assert wrong_audience.json()["error"] == "invalid_proof"


def _offer_with_tx_code(server: Server) -> tuple[str, str, dict[str, str]]:
    """A new offer with a transaction code: (its secret, the right code, a token form with a
    wrong code)."""
    award = _issue(server)
    created = server.client.post(
        f"/api/v1/institutions/college-x/awards/{award['id']}/offers",
        json={"tx_code": True},
        headers=server.auth(),
    ).json()
    path = httpx.URL(httpx.URL(created["offer_uri"]).params["credential_offer_uri"]).path
    secret = path.rsplit("/", 1)[1]
    grants = server.client.get(path).json()["grants"]
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        "pre-authorized_code": grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
            "pre-authorized_code"
        ],
        "tx_code": "000000" if created["tx_code"] != "000000" else "111111",
    }
    return secret, created["tx_code"], form


def test_a_mistyped_transaction_code_can_be_corrected(server: Server) -> None:
    """Issue #13: one wrong code used to destroy the offer."""
    _secret, right, form = _offer_with_tx_code(server)
    wrong = server.client.post("/oid4vci/token", data=form).json()
    assert wrong["error"] == "invalid_grant"
    left = MAX_TX_CODE_FAILURES - 1
    assert wrong["error_description"] == f"wrong transaction code: {left} tries left"
    form["tx_code"] = right
    assert "access_token" in server.client.post("/oid4vci/token", data=form).json()


def test_attack_guessing_the_transaction_code_locks_the_offer(server: Server) -> None:
    secret, right, form = _offer_with_tx_code(server)
    for _ in range(MAX_TX_CODE_FAILURES):
        assert server.client.post("/oid4vci/token", data=form).json()["error"] == "invalid_grant"
    form["tx_code"] = right
    locked = server.client.post("/oid4vci/token", data=form).json()
    assert locked["error"] == "invalid_grant" and "locked" in locked["error_description"]
    assert server.client.get(f"/oid4vci/offers/{secret}").status_code == 404


def test_the_baked_badge_shows_the_program_and_the_institution(server: Server) -> None:
    award = _issue(server)
    base = f"/api/v1/institutions/college-x/awards/{award['id']}"
    svg = server.client.get(f"{base}/credential.svg", headers=server.auth()).text
    assert "<title>Welding Basics</title>" in svg
    assert ">CCX</text>" in svg  # the initials of "Collège college-x"
