"""Issue 12 item 2: a compromised key cannot sign "verified" credentials, whatever date its
holder writes in the proof, for did:web and did:key institutions alike; the deployment's own
credentials recorded before the compromise still verify, and the institution keeps issuing.

The thief holds the institution's real key (a ``Signer`` taken before the revocation), so every
forgery here carries a signature that verifies: only the compromise can sink it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from credentials.did import DocumentResolver
from credentials.keys import Ed25519Signer, Signer
from credentials.multikey import encode_public_multikey
from credentials.proofs.registry import secure
from credentials.report import Outcome, Verdict
from issuers.counters import SIGNED_CREDENTIAL_COUNTERS
from issuers.identity import counting_all, revoke_signing_key, signer_for_institution
from issuers.institutions import get_institution
from tests.passport.own_deployment import OwnDeployment, api_verify, outcomes, own_deployment
from tests.verifier.support import Issuer
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.pipeline import verify_document

COMPROMISED_MESSAGE = "signed with a key its issuer reported compromised on"
Method = Literal["did:web", "did:key"]
SLUGS: dict[Method, str] = {"did:web": "college-web", "did:key": "college-key"}


def stolen_signer(deployment: OwnDeployment, slug: str) -> Signer:
    with deployment.session() as session:
        institution = get_institution(session, slug)
        return signer_for_institution(session, deployment.master, datetime.now(UTC), institution)


def revoke(deployment: OwnDeployment, key_id: str, since: datetime) -> None:
    with deployment.session() as session:
        counter = counting_all(session, SIGNED_CREDENTIAL_COUNTERS)
        now = datetime.now(UTC)
        revoke_signing_key(session, deployment.master, now, key_id, since, counter)
        session.commit()


def forged(genuine: str, signer: Signer, mechanism: str, created: datetime) -> Any:
    """A new credential in the institution's name, signed with its stolen key, backdated."""
    document = json.loads(genuine)
    del document["proof"]
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    document["credentialSubject"]["name"] = "Mallory Faussaire"
    return secure(document, signer, mechanism, now=created)


@pytest.fixture(params=["did:web", "did:key"])
def compromised(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A deployment whose institution issued an award, then had its key stolen and revoked."""
    method: Method = request.param
    slug = SLUGS[method]
    with own_deployment(tmp_path) as deployment:
        deployment.add_institution(slug, method)
        genuine = deployment.issue(slug)
        signer = stolen_signer(deployment, slug)
        since = datetime.now(UTC) + timedelta(microseconds=1)
        revoke(deployment, signer.verification_method, since)
        yield {"deployment": deployment, "genuine": genuine, "signer": signer, "since": since}


@pytest.mark.parametrize("mechanism", ["eddsa-rdfc-2022", "vc+jwt"])
def test_compromised_key_signing_after_compromise_with_a_backdated_proof_is_not_verified(
    compromised: dict[str, Any], mechanism: str
) -> None:
    deployment, signer = compromised["deployment"], compromised["signer"]
    backdated = compromised["since"] - timedelta(days=30)
    forgery = forged(compromised["genuine"].ldp_credential, signer, mechanism, backdated)
    text = forgery if isinstance(forgery, str) else json.dumps(forgery)
    report = api_verify(deployment, text)
    assert report["verdict"] == "not_verified", report["checks"]
    proof = next(check for check in report["checks"] if check["id"] == "proof")
    assert proof["outcome"] == "failed"
    assert COMPROMISED_MESSAGE in proof["message"]
    french = httpx.post(
        f"{deployment.base_url}/api/v1/verify?lang=fr",
        content=text.encode(),
        headers={"Content-Type": "application/json"},
    ).json()
    assert "déclarée compromise le" in json.dumps(french, ensure_ascii=False)


def test_own_credential_recorded_before_the_compromise_still_verifies(
    compromised: dict[str, Any],
) -> None:
    deployment, genuine = compromised["deployment"], compromised["genuine"]
    for credential in (genuine.ldp_credential, genuine.jwt_credential):
        report = api_verify(deployment, credential)
        assert report["verdict"] == "verified", report["checks"]


def test_institution_keeps_issuing_after_its_key_is_revoked(compromised: dict[str, Any]) -> None:
    deployment, signer = compromised["deployment"], compromised["signer"]
    slug = next(slug for slug in SLUGS.values() if slug in compromised["genuine"].ldp_credential)
    award = deployment.issue(slug, email="next@example.ca")
    assert award.signing_key_id != signer.verification_method
    assert api_verify(deployment, award.ldp_credential)["verdict"] == "verified"
    listed = httpx.get(f"{deployment.base_url}/status/{award.status_list_id}").json()
    assert listed["proof"]["verificationMethod"] == award.signing_key_id
    deployment.revoke(award)
    assert outcomes(api_verify(deployment, award.ldp_credential))["status"] == "failed"


def test_revoked_method_in_another_issuers_did_document_fails_every_proof() -> None:
    """Controlled Identifiers 1.0 section 2.2.1 ``revoked``, published by another issuer."""
    issuer = Issuer()
    did = "did:web:college.example"
    key_id = f"{did}#key-1"
    revoked_at = datetime(2025, 6, 1, tzinfo=UTC)
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": encode_public_multikey(issuer.key.public_key()),
                "revoked": "2025-06-01T00:00:00Z",
            }
        ],
        "assertionMethod": [key_id],
    }
    credential = issuer.credential()
    credential["issuer"]["id"] = did
    signer = Ed25519Signer(issuer.key, key_id)
    now = datetime(2025, 9, 1, tzinfo=UTC)
    context = VerificationContext(
        now=now,
        resolver=DocumentResolver({did: document}),
        status_lists=OfflineStatusLists({}, now),
    )
    for created in (revoked_at - timedelta(days=60), revoked_at + timedelta(days=1)):
        signed = secure(credential, signer, "eddsa-rdfc-2022", now=created)
        assert isinstance(signed, dict)
        report = verify_document(signed, context)
        assert report.verdict is Verdict.NOT_VERIFIED
        proof = next(check for check in report.checks if check.id == "proof")
        assert proof.outcome is Outcome.FAILED
        assert proof.message_key == "proof.key_compromised"
        assert proof.params["date"] == "2025-06-01 00:00 UTC"
