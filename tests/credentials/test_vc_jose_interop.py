"""Tokens we did not make: pyjwt's own API (EdDSA, ES256, RS256) in each of the three shapes, and
the 1EdTech validator's JWT fixtures (see tests/vectors/fixtures/README.md); and our tokens read
back by pyjwt."""

from __future__ import annotations

import json
import re
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from credentials.did import offline_resolver
from credentials.errors import KeyNotFound
from credentials.jwk import public_key_from_jwk
from credentials.keys import PublicKey, VerificationMethod
from credentials.multibase import encode_base64url
from credentials.proofs.vc_jose import sign_vc_jwt
from credentials.report import Outcome
from tests.credentials.test_vc_jose import (
    VECTORS,
    b64json,
    decode_part,
    did_key_signer,
    ob_credential,
    offline_web_chain,
    verify,
)

VALIDATOR = VECTORS / "examples" / "1edtech-validator"
FIXTURES = VECTORS / "fixtures"
ISSUER = "did:example:issuer"
EMBEDDED_NOT_ISSUERS = "the token's embedded key is not a key of the issuer"


class IssuerKeys:
    """A fixture resolver: the keys a test stipulates that issuers publish, by key id."""

    def __init__(self, keys: dict[str, PublicKey]) -> None:
        self.keys = keys

    def resolve(self, verification_method: str) -> VerificationMethod:
        key = self.keys.get(verification_method)
        if key is None:
            raise KeyNotFound(f"no fixture key {verification_method!r}")
        controller = verification_method.split("#", 1)[0]
        return VerificationMethod(verification_method, controller, key)


def _private_key(alg: str) -> Any:
    if alg == "EdDSA":
        return Ed25519PrivateKey.generate()
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(65537, 2048)


def _did_document(alg: str, private_key: Any) -> dict[str, Any]:
    """A DID document whose one JsonWebKey comes from pyjwt's own JWK export."""
    public_key = private_key.public_key()
    if alg == "EdDSA":
        jwk: dict[str, Any] = dict(OKPAlgorithm.to_jwk(public_key, as_dict=True))
    elif alg == "ES256":
        jwk = dict(ECAlgorithm.to_jwk(public_key, as_dict=True))
    else:
        jwk = dict(RSAAlgorithm.to_jwk(public_key, as_dict=True))
    method = {
        "id": f"{ISSUER}#key-1",
        "type": "JsonWebKey",
        "controller": ISSUER,
        "publicKeyJwk": jwk,
    }
    return {"id": ISSUER, "verificationMethod": [method], "assertionMethod": [method["id"]]}


def _registered_claims(credential: dict[str, Any]) -> dict[str, Any]:
    return {
        "iss": ISSUER,
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": 1262304000,  # validFrom 2010-01-01T00:00:00Z
    }


def _pyjwt_token(alg: str, shape: str, private_key: Any, kid: str) -> tuple[str, dict[str, Any]]:
    credential = ob_credential(ISSUER)
    if shape == "vc+jwt":
        headers = {"typ": "vc+jwt", "cty": "vc", "kid": kid}
        return jwt.encode(credential, private_key, algorithm=alg, headers=headers), credential
    claims = _registered_claims(credential)
    payload = {**credential, **claims} if shape == "ob-jwt" else {"vc": credential, **claims}
    token = jwt.encode(payload, private_key, algorithm=alg, headers={"kid": kid})
    return token, payload if shape == "ob-jwt" else credential


@pytest.mark.parametrize("kid", [f"{ISSUER}#key-1", "#key-1"])
@pytest.mark.parametrize("shape", ["vc+jwt", "ob-jwt", "vc-claim"])
@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_pyjwt_tokens_verify(alg: str, shape: str, kid: str) -> None:
    private_key = _private_key(alg)
    token, expected = _pyjwt_token(alg, shape, private_key, kid)
    result = verify(token, offline_resolver({ISSUER: _did_document(alg, private_key)}))
    assert result.shape == shape
    assert result.proof.mechanism == {"vc+jwt": "vc+jwt", "ob-jwt": "ob-jwt"}.get(
        shape, "vc-claim-jwt"
    )
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.proof.verification_method == f"{ISSUER}#key-1"
    assert result.credential == expected
    assert result.header["alg"] == alg


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_pyjwt_token_signed_by_another_key_fails(alg: str) -> None:
    token, _ = _pyjwt_token(alg, "vc+jwt", _private_key(alg), "#key-1")
    resolver = offline_resolver({ISSUER: _did_document(alg, _private_key(alg))})
    result = verify(token, resolver)
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == "the signature does not verify"


def test_pyjwt_reads_our_vc_jwt() -> None:
    key, signer, did = did_key_signer()
    credential = ob_credential(did)
    token = sign_vc_jwt(credential, signer)
    assert jwt.get_unverified_header(token)["typ"] == "vc+jwt"
    assert jwt.decode(token, key.public_key(), algorithms=["EdDSA"]) == credential


# --- the 1EdTech validator's fixtures -------------------------------------------------------

SIMPLE_JWT = (VALIDATOR / "ob30-simple.jwt").read_text(encoding="ascii")
LEGACY_ISSUER = "https://example.edu/issuers/565049"


def _baked_svg_token() -> str:
    svg = (VALIDATOR / "ob30-baked-jwt.svg").read_text(encoding="utf-8")
    match = re.search(r'verify="([A-Za-z0-9_.-]+)"', svg)
    assert match is not None
    return match.group(1)


def _baked_png_token() -> str:
    png = (VALIDATOR / "ob30-baked-jwt.png").read_bytes()
    match = re.search(rb"openbadgecredential\x00[^e]*(ey[\w-]+\.ey[\w-]+\.[\w-]+)", png)
    assert match is not None
    return match.group(1).decode("ascii")


def _published_issuer_keys() -> IssuerKeys:
    published = json.loads((FIXTURES / "1edtech-ob30-jwt-issuer-key.json").read_text("utf-8"))
    return IssuerKeys({issuer: public_key_from_jwk(jwk) for issuer, jwk in published.items()})


def test_1edtech_simple_jwt_is_the_legacy_vc_claim_form() -> None:
    payload = json.loads(decode_part(SIMPLE_JWT.split(".")[1]))
    result = verify(SIMPLE_JWT, offline_web_chain())
    assert result.header == {"alg": "RS256", "typ": "JWT"}
    assert result.shape == "vc-claim"
    assert result.credential == payload["vc"]
    assert result.proof.mechanism == "vc-claim-jwt"
    # No kid and no jwk: the key is the issuer's, an https id that cannot be resolved offline.
    assert result.proof.outcome is Outcome.COULD_NOT_CHECK
    assert LEGACY_ISSUER in result.proof.reason


def test_1edtech_simple_jwt_fails_against_a_key_that_did_not_sign_it() -> None:
    wrong = _published_issuer_keys().keys["https://1edtech.edu/issuers/565049"]
    result = verify(SIMPLE_JWT, IssuerKeys({LEGACY_ISSUER: wrong}))
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == "the signature does not verify"


def test_1edtech_simple_jwt_payload_re_signed_passes_the_claim_checks() -> None:
    """Its signing key is unpublished, so re-sign its exact payload bytes: the legacy claim
    mapping (iss, jti, sub, nbf = issuanceDate) must then hold for the 1EdTech payload."""
    private_key = rsa.generate_private_key(65537, 2048)
    signing_input = f"{b64json({'alg': 'RS256', 'typ': 'JWT'})}.{SIMPLE_JWT.split('.')[1]}"
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    token = f"{signing_input}.{encode_base64url(signature)}"
    result = verify(token, IssuerKeys({LEGACY_ISSUER: private_key.public_key()}))
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.credential is not None
    assert result.credential["issuanceDate"] == "2010-01-01T00:00:00Z"


def test_1edtech_baked_svg_token_verifies_with_the_issuers_published_key() -> None:
    token = _baked_svg_token()
    result = verify(token, _published_issuer_keys())
    assert result.shape == "ob-jwt"
    assert result.header["alg"] == "RS256"
    assert "jwk" in result.header
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.credential is not None
    assert (
        result.credential["id"] == result.credential["jti"] == "http://example.com/credentials/3527"
    )
    assert result.proof.controller == "https://1edtech.edu/issuers/565049"


def test_1edtech_baked_svg_token_embedded_key_alone_proves_nothing() -> None:
    other_key = Ed25519PrivateKey.generate().public_key()
    result = verify(
        _baked_svg_token(), IssuerKeys({"https://1edtech.edu/issuers/565049": other_key})
    )
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == EMBEDDED_NOT_ISSUERS


def test_1edtech_baked_png_token_signed_by_another_key_of_the_same_issuer_fails() -> None:
    token = _baked_png_token()
    assert token != _baked_svg_token()
    result = verify(token, _published_issuer_keys())
    assert result.shape == "ob-jwt"
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == EMBEDDED_NOT_ISSUERS


def test_1edtech_baked_tokens_could_not_be_checked_offline() -> None:
    for token in (_baked_svg_token(), _baked_png_token()):
        assert verify(token, offline_web_chain()).proof.outcome is Outcome.COULD_NOT_CHECK


def test_fixture_key_is_the_one_in_the_svg_token_header() -> None:
    header = json.loads(decode_part(_baked_svg_token().split(".")[0]))
    published = json.loads((FIXTURES / "1edtech-ob30-jwt-issuer-key.json").read_text("utf-8"))
    assert published == {"https://1edtech.edu/issuers/565049": header["jwk"]}
