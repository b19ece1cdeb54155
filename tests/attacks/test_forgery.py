"""Issue #8, "Attacks / Forgery": one named test per way of minting a credential in an
institution's name, each failing if the attack succeeds.

The world is a real deployment's: two institutions (did:web, keys in the encrypted key store)
with a program each, awards issued and one revoked by the issuing service, their published DID
documents and their signed status list. Every attempt goes through ``verifier.pipeline`` from raw
bytes (``read_input`` then ``verify_input``, what the API, the employer page and the CLI call),
with both institutions recognized by the trust registry, and must come out ``not_verified`` with
a *failed* check naming the forgery: "could not check" would let a forger off the hook.

A control test shows the same context verifies the genuine credentials, so no attack test can
pass because the world is broken.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import Session

from credentials.contexts import OB_V3P0, VC_EXAMPLES_V2
from credentials.did import offline_resolver
from credentials.jwk import public_jwk
from credentials.keys import AUTHENTICATION, Ed25519Signer, Signer
from credentials.multikey import encode_public_multikey, public_key_bytes
from credentials.proofs.base import ProofExpectations
from credentials.proofs.jws import parse_compact_jws
from credentials.proofs.registry import secure
from credentials.report import Outcome, Verdict
from credentials.status_list import Bitstring, encode_list
from infra.database import create_database_engine
from issuers.audit.log import AuditAction
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.status_changes import change_status
from issuers.awards.status_lists import signed_status_list, status_list_url
from issuers.awards.tables import StatusList
from issuers.identity import did_document_of, institution_owner, signer_for_institution
from keys.crypto_envelope import MasterKey
from passport.database import migrate_to_head
from tests.credentials.test_vc_jose import compact
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    add_institution,
    add_program,
    context_for,
    new_master_key,
)
from tests.storage import sqlite_url
from tests.verifier.support import Issuer
from verifier.context import (
    OfflineStatusLists,
    StaticTrustRegistry,
    TrustedIssuer,
    VerificationContext,
)
from verifier.inputs import read_input
from verifier.pipeline import VerificationReport, verify_input

VERIFIED_AT = NOW + timedelta(days=30)
EMPLOYER = "https://employer.example"
ATTACKER_DOCUMENT = "https://attacker.example/keys"


@dataclass(frozen=True)
class Deployment:
    """What the attacks start from: everything here is public except the rival's signer,
    which stands for a second institution of the same deployment turning against the first."""

    college: str
    rival: str
    rival_signer: Signer
    documents: Mapping[str, dict[str, Any]]
    award: dict[str, Any]
    award_jwt: str
    revoked: dict[str, Any]
    status_url: str
    status_list: dict[str, Any]
    learner: Issuer

    @property
    def college_key(self) -> str:
        """The verification method the college signs with (its only key)."""
        return str(self.award["proof"]["verificationMethod"])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    engine = create_database_engine(sqlite_url(tmp_path_factory.mktemp("forgery")))
    migrate_to_head(engine)
    try:
        # The session stays open while the tests run: the rival's signer reads its key store.
        with Session(engine, expire_on_commit=False) as session:
            yield _deployment(session, new_master_key())
    finally:
        engine.dispose()


def _deployment(session: Session, master: MasterKey) -> Deployment:
    """Two institutions; the college awards two credentials and revokes the second."""
    college = add_institution(session, master, "college-nord")
    rival = add_institution(session, master, "college-sud")
    issuing = context_for(session, master, college, add_program(session, college))
    learner = Issuer()
    awards = [
        issue_award(session, issuing, AwardRequest(Learner(name, email, learner.did)), NOW)
        for name, email in (("Zoé Martin", "zoe@example.ca"), ("Sam Roy", "sam@example.ca"))
    ]
    change_status(
        session, awards[1], AuditAction.REVOKE, actor="registrar", reason="fraud", now=NOW
    )
    status_row = session.get(StatusList, awards[1].status_list_id)
    assert status_row is not None
    status_list = signed_status_list(session, status_row, college, issuing.signer, BASE_URL, NOW)
    return Deployment(
        college=college.did,
        rival=rival.did,
        rival_signer=signer_for_institution(session, master, NOW, rival),
        documents={
            institution.did: json.loads(
                did_document_of(
                    session, master, NOW, institution.did, institution_owner(institution)
                ).body
            )
            for institution in (college, rival)
        },
        award=json.loads(awards[0].ldp_credential),
        award_jwt=awards[0].jwt_credential,
        revoked=json.loads(awards[1].ldp_credential),
        status_url=status_list_url(BASE_URL, status_row.id),
        status_list=json.loads(status_list.text),
        learner=learner,
    )


def verify(
    deployment: Deployment,
    presented: dict[str, Any] | str,
    *,
    status_list: dict[str, Any] | None = None,
    attacker_documents: Mapping[str, dict[str, Any]] | None = None,
    challenge: str | None = None,
) -> VerificationReport:
    """Verify the bytes of ``presented`` as the server does, in the deployment's context; the
    attacker may have put ``status_list`` in place of the college's and publish documents."""
    context = VerificationContext(
        now=VERIFIED_AT,
        resolver=offline_resolver({**deployment.documents, **(attacker_documents or {})}),
        status_lists=OfflineStatusLists(
            {deployment.status_url: status_list or deployment.status_list}, VERIFIED_AT
        ),
        trust_registry=StaticTrustRegistry(
            {
                did: TrustedIssuer(did, name, name)
                for did, name in ((deployment.college, "Nord"), (deployment.rival, "Sud"))
            }
        ),
        presentation=ProofExpectations(AUTHENTICATION, challenge, EMPLOYER) if challenge else None,
    )
    data = presented if isinstance(presented, str) else json.dumps(presented, ensure_ascii=False)
    return verify_input(read_input(data.encode("utf-8")), context)


def assert_refused(report: VerificationReport, check_id: str, reason: str = "") -> None:
    """Not verified, because the check ``check_id`` *failed* (with ``reason`` in its reason)."""
    outcomes = {check.id: check.outcome for check in report.checks}
    assert report.verdict is Verdict.NOT_VERIFIED, outcomes
    failed = {check.id: check for check in report.checks if check.outcome is Outcome.FAILED}
    assert check_id in failed, outcomes
    assert reason in failed[check_id].params.get("reason", ""), failed[check_id].params


def unsigned(credential: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in credential.items() if name != "proof"}


def college_payload(deployment: Deployment) -> dict[str, Any]:
    """The college's genuine credential as the payload of its own vc+jwt."""
    return parse_compact_jws(deployment.award_jwt).payload


def attacker_document(controller: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A controller document the attacker hosts: their key, claiming ``controller`` controls it."""
    method = f"{ATTACKER_DOCUMENT}#key-1"
    return {
        "id": ATTACKER_DOCUMENT,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": encode_public_multikey(key.public_key()),
            }
        ],
        "assertionMethod": [method],
        "authentication": [method],
    }


def test_control_the_genuine_credentials_verify_and_the_revocation_shows(
    deployment: Deployment,
) -> None:
    for genuine in (deployment.award, deployment.award_jwt):
        assert verify(deployment, genuine).verdict is Verdict.VERIFIED
    revoked = verify(deployment, deployment.revoked)
    assert revoked.checks[0].message_key == "status.revoked"
    presentation = deployment.learner.present([deployment.award], "fresh", EMPLOYER, now=NOW)
    assert verify(deployment, presentation, challenge="fresh").verdict is Verdict.VERIFIED


@pytest.mark.parametrize("claimed", ["the college's key id", "the forger's own did:key"])
def test_attack_signing_as_an_institution_without_its_key(
    deployment: Deployment, claimed: str
) -> None:
    forger = Issuer()
    if claimed == "the college's key id":
        signer: Signer = Ed25519Signer(forger.key, deployment.college_key)
        check = "proof"
    else:
        signer, check = forger.signer, "issuer_key"
    forged = secure(unsigned(deployment.award), signer, "eddsa-rdfc-2022", now=NOW)
    assert_refused(verify(deployment, forged), check)


@pytest.mark.parametrize("mechanism", ["eddsa-rdfc-2022", "vc+jwt"])
def test_attack_valid_signature_from_another_institutions_key(
    deployment: Deployment, mechanism: str
) -> None:
    # The rival's real key, from the same deployment's key store: the signature is genuine, but
    # the key cannot be the college's, so it is refused before it is even resolved (issue #12).
    forged = secure(unsigned(deployment.award), deployment.rival_signer, mechanism, now=NOW)
    report = verify(deployment, forged)
    assert {check.id: check.outcome for check in report.checks}["proof"] is Outcome.FAILED
    assert_refused(report, "issuer_key")


def test_attack_jwt_alg_none(deployment: Deployment) -> None:
    header = {"alg": "none", "typ": "vc+jwt", "kid": deployment.college_key}
    token = compact(header, college_payload(deployment), lambda _: b"")
    assert_refused(verify(deployment, token), "proof", "alg 'none'")


def test_attack_jwt_hs256_keyed_by_the_public_key(deployment: Deployment) -> None:
    published = offline_resolver(deployment.documents).resolve(deployment.college_key)
    assert isinstance(published.public_key, Ed25519PublicKey)
    secret = public_key_bytes(published.public_key)
    header = {"alg": "HS256", "typ": "vc+jwt", "kid": deployment.college_key}
    token = compact(
        header,
        college_payload(deployment),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )
    assert_refused(verify(deployment, token), "proof", "HMAC algorithms (HS256)")


@pytest.mark.parametrize("with_kid", [True, False], ids=["kid-of-the-college", "no-kid"])
def test_attack_jwt_jwk_header_with_the_attackers_key(
    deployment: Deployment, with_kid: bool
) -> None:
    attacker = Ed25519PrivateKey.generate()
    header: dict[str, Any] = {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "jwk": public_jwk(attacker.public_key()),
    }
    if with_kid:
        header["kid"] = deployment.college_key
    token = compact(header, college_payload(deployment), attacker.sign)
    assert_refused(verify(deployment, token), "proof", "embedded key is not a key of the issuer")


def _kid_elsewhere(
    deployment: Deployment, target: str, attacker: Issuer
) -> tuple[str, dict[str, Any], str]:
    """The kid naming ``target``, the documents the attacker publishes, and the check that
    must fail."""
    if target == "the attacker's did:key":
        # The signature holds, but the key is not the college's.
        return attacker.signer.verification_method, {}, "issuer_key"
    if target == "a document claiming the college":
        document = attacker_document(deployment.college, attacker.key)
        return f"{ATTACKER_DOCUMENT}#key-1", {ATTACKER_DOCUMENT: document}, "proof"
    # Another institution's real key id, which the attacker cannot sign with.
    return str(deployment.documents[deployment.rival]["assertionMethod"][0]), {}, "proof"


@pytest.mark.parametrize(
    "target",
    ["the attacker's did:key", "a document claiming the college", "the rival institution's key"],
)
def test_attack_jwt_kid_pointing_elsewhere(deployment: Deployment, target: str) -> None:
    attacker = Issuer()
    kid, documents, check = _kid_elsewhere(deployment, target, attacker)
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": kid}
    token = compact(header, college_payload(deployment), attacker.key.sign)
    assert_refused(verify(deployment, token, attacker_documents=documents), check)


@pytest.mark.parametrize("controller", ["the attacker", "the college (claimed by the attacker)"])
def test_attack_embedded_proof_whose_verification_method_someone_else_controls(
    deployment: Deployment, controller: str
) -> None:
    attacker = Ed25519PrivateKey.generate()
    claimed = deployment.college if controller.startswith("the college") else ATTACKER_DOCUMENT
    documents = {ATTACKER_DOCUMENT: attacker_document(claimed, attacker)}
    signer = Ed25519Signer(attacker, f"{ATTACKER_DOCUMENT}#key-1")
    forged = secure(unsigned(deployment.award), signer, "eddsa-rdfc-2022", now=NOW)
    report = verify(deployment, forged, attacker_documents=documents)
    # Claiming the college as controller is refused when the key is retrieved (Controlled
    # Identifiers 1.0 section 3.3); the attacker's own key fails the issuer-key binding.
    assert_refused(report, "proof" if claimed == deployment.college else "issuer_key")


def _substituted(credential: dict[str, Any], substitution: str) -> dict[str, Any]:
    contexts = list(credential["@context"])
    if substitution == "another bundled vocabulary":
        # Every OB term now expands into the examples vocabulary: same JSON, other meaning.
        contexts[contexts.index(OB_V3P0)] = VC_EXAMPLES_V2
    elif substitution == "an inline redefinition":
        contexts.append({"name": "https://attacker.example/vocab#motto"})
    else:
        contexts.append("https://attacker.example/context.json")
    return {**credential, "@context": contexts}


@pytest.mark.parametrize(
    ("substitution", "check"),
    [
        ("another bundled vocabulary", "proof"),
        ("an inline redefinition", "format"),
        ("a remote context", "format"),
    ],
)
def test_attack_context_substitution_changes_meaning(
    deployment: Deployment, substitution: str, check: str
) -> None:
    report = verify(deployment, _substituted(deployment.award, substitution))
    assert_refused(report, check)


def _forged_list(deployment: Deployment, forger: str) -> dict[str, Any]:
    """The college's list with every bit cleared ("nothing revoked"), signed by ``forger``."""
    forged = unsigned(deployment.status_list)
    forged["credentialSubject"] = {
        **forged["credentialSubject"],
        "encodedList": encode_list(Bitstring()),
    }
    signer = deployment.rival_signer if forger.startswith("the rival") else Issuer().signer
    if forger == "the rival institution, in its own name":
        forged["issuer"] = deployment.rival
    signed = secure(forged, signer, "eddsa-rdfc-2022", now=NOW)
    assert isinstance(signed, dict)
    return signed


@pytest.mark.parametrize(
    "forger",
    [
        "the rival institution, in its own name",
        "the rival institution, in the college's name",
        "an attacker's did:key, in the college's name",
    ],
)
def test_attack_status_list_signed_by_someone_else(deployment: Deployment, forger: str) -> None:
    report = verify(deployment, deployment.revoked, status_list=_forged_list(deployment, forger))
    assert_refused(report, "status")
    status = next(check for check in report.checks if check.id == "status")
    assert status.message_key == "status.forged"


def test_attack_presentation_replayed_with_an_old_challenge(deployment: Deployment) -> None:
    old = deployment.learner.present([deployment.award], "yesterday", EMPLOYER, now=NOW)
    report = verify(deployment, old, challenge="today")
    assert_refused(report, "presentation", "challenge")
