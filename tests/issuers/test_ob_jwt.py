"""The OB 3.0 section 8.2 JWT shape as an institution setting (issue 14): typ JWT with iss,
jti, sub, nbf and exp claims, verified by pyjwt (an independent JOSE implementation) and by our
verification pipeline, next to the default VC-JOSE-COSE vc+jwt."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from credentials.did import offline_resolver
from credentials.proofs.jws import parse_compact_jws
from credentials.proofs.ob_jwt import registered_claims, sign_ob_jwt
from credentials.proofs.vc_jose import compact_jws
from issuers.api_models import InstitutionCreate
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.identity import did_document_of, institution_owner
from issuers.institutions import create_institution
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    Awarding,
    add_program,
    awarding_fixture,  # noqa: F401  (fixture "awarding")
    context_for,
)
from tests.issuers.test_portable_credentials import public_key
from tests.verifier.support import Issuer
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.inputs import read_input
from verifier.pipeline import verify_input

LEARNER = Learner("Ada Lovelace", "ada@example.ca", "did:example:ada")


def issued_jwt(awarding: Awarding, jwt_format: str) -> tuple[str, dict[str, dict[str, object]]]:
    """An award's JWT from an institution with ``jwt_format``, and its DID document."""
    with awarding.session() as session:
        data = InstitutionCreate(
            slug=f"jwt-{jwt_format.replace('+', '-')}",
            legal_name_en="JWT College",
            legal_name_fr="Collège JWT",
            kind="college",
            website="https://jwt.example.ca",
            contact_email="registrar@jwt.example.ca",
            jwt_format=jwt_format,
        )
        institution = create_institution(session, awarding.master, NOW, BASE_URL, data)
        program = add_program(session, institution)
        context = context_for(session, awarding.master, institution, program)
        request = AwardRequest(LEARNER, valid_until=NOW + timedelta(days=365))
        award = issue_award(session, context, request, NOW)
        owner = institution_owner(institution)
        document = did_document_of(session, awarding.master, NOW, institution.did, owner)
        session.commit()
    return award.jwt_credential, {institution.did: json.loads(document.body)}


def test_the_ob_jwt_shape_carries_the_registered_claims_and_verifies_in_pyjwt(
    awarding: Awarding,
) -> None:
    token, documents = issued_jwt(awarding, "ob-jwt")
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "JWT"
    key = public_key(header["kid"], documents)
    issuer = next(iter(documents))
    claims = jwt.decode(
        token,
        key=key,
        algorithms=["EdDSA"],
        issuer=issuer,
        options={"require": ["iss", "jti", "sub", "nbf", "exp"], "verify_exp": False},
    )
    assert claims["jti"] == claims["id"] and claims["sub"] == LEARNER.did
    assert claims["nbf"] == int(NOW.timestamp())
    assert claims["exp"] == int((NOW + timedelta(days=365)).timestamp())
    assert claims["credentialSubject"]["id"] == LEARNER.did


@pytest.mark.parametrize(("jwt_format", "typ"), [("ob-jwt", "JWT"), ("vc+jwt", "vc+jwt")])
def test_both_jwt_shapes_verify_in_our_pipeline(
    awarding: Awarding, jwt_format: str, typ: str
) -> None:
    token, documents = issued_jwt(awarding, jwt_format)
    assert parse_compact_jws(token).header["typ"] == typ
    context = VerificationContext(
        now=NOW + timedelta(days=1),
        resolver=offline_resolver(documents),
        status_lists=OfflineStatusLists({}, NOW),
    )
    report = verify_input(read_input(token.encode()), context)
    outcomes = {check.id: check.outcome.value for check in report.checks}
    assert outcomes["proof"] == "passed" and outcomes["issuer_key"] == "passed", report


def test_a_signed_claim_that_contradicts_the_credential_fails_our_check() -> None:
    """Section 8.2.3: each claim must say what the credential says; a signed lie is refused."""
    issuer = Issuer()
    credential = issuer.credential()
    credential["credentialSubject"]["id"] = LEARNER.did
    claims = registered_claims(credential) | {"sub": "did:example:someone-else"}
    token = compact_jws({"typ": "JWT"}, credential | claims, issuer.signer)
    honest = sign_ob_jwt(credential, issuer.signer)
    context = VerificationContext(
        now=datetime.now(UTC), resolver=offline_resolver(), status_lists=OfflineStatusLists({}, NOW)
    )
    outcomes = {
        check.id: check.outcome.value
        for check in verify_input(read_input(token.encode()), context).checks
    }
    assert outcomes["proof"] == "failed"
    honest_report = verify_input(read_input(honest.encode()), context)
    assert {check.id: check.outcome.value for check in honest_report.checks}["proof"] == "passed"
