"""Attacks on JWT-secured credentials, one named test each (the pyjwt advisories and the JOSE
"alg" pitfalls of RFC 8725 section 2): every one must come back as a failed proof (or a refused
token), never as passed."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.did import DocumentResolver
from credentials.errors import InputTooLarge, InvalidInput
from credentials.jwk import private_jwk, public_jwk
from credentials.keys import PublicKey, VerificationMethod
from credentials.multibase import encode_base64url
from credentials.multikey import did_key_verification_method
from credentials.proofs.vc_jose import JwtVerification, sign_vc_jwt
from credentials.report import Outcome
from tests.credentials.test_vc_jose import (
    b64json,
    compact,
    did_key_signer,
    ob_credential,
    offline_web_chain,
    verify,
)

EMBEDDED_NOT_ISSUERS = "the token's embedded key is not a key of the issuer"


def assert_failed(result: JwtVerification, reason: str) -> None:
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.verified is False
    assert reason in result.proof.reason


class FixedKey:
    """A resolver that answers every id with one key: lets a test pick the resolved key type."""

    def __init__(self, key: PublicKey) -> None:
        self.key = key

    def resolve(self, verification_method: str) -> VerificationMethod:
        return VerificationMethod(verification_method, "did:example:issuer", self.key)


def _issuer_token(header: dict[str, Any], sign: Any) -> str:
    return compact(header, ob_credential("did:example:issuer"), sign)


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_attack_alg_none(alg: str) -> None:
    _, _, did = did_key_signer()
    header = {"alg": alg, "typ": "vc+jwt", "kid": did_key_verification_method(did)}
    token = compact(header, ob_credential(did), lambda _: b"")
    assert token.endswith(".")
    assert_failed(verify(token), "alg 'none'")


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_attack_hmac_keyed_with_the_public_key(alg: str) -> None:
    """The classic confusion: an HMAC over the token keyed by the issuer's *public* key."""
    key, _, did = did_key_signer()
    public_bytes = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    header = {"alg": alg, "typ": "vc+jwt", "kid": did_key_verification_method(did)}
    token = compact(
        header, ob_credential(did), lambda data: hmac.new(public_bytes, data, digest).digest()
    )
    assert_failed(verify(token), "HMAC algorithms")


def test_attack_hmac_keyed_with_an_rsa_pem() -> None:
    rsa_key = rsa.generate_private_key(65537, 2048)
    pem = rsa_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    token = _issuer_token(
        {"alg": "HS256", "kid": "did:example:issuer#rsa"},
        lambda data: hmac.new(pem, data, hashlib.sha256).digest(),
    )
    assert_failed(verify(token, FixedKey(rsa_key.public_key())), "HMAC algorithms")


@pytest.mark.parametrize("alg", ["ES256K", "ES384", "PS256", "RS512", "Ed25519", "eddsa", ""])
def test_attack_alg_outside_the_allow_list(alg: str) -> None:
    key, _, did = did_key_signer()
    header = {"alg": alg, "kid": did_key_verification_method(did)}
    assert_failed(verify(compact(header, ob_credential(did), key.sign)), "is not allowed")


def test_attack_missing_alg() -> None:
    key, _, did = did_key_signer()
    header = {"kid": did_key_verification_method(did)}
    assert_failed(verify(compact(header, ob_credential(did), key.sign)), "no 'alg'")


def _ed25519_key() -> PublicKey:
    return Ed25519PrivateKey.generate().public_key()


def _p256_key() -> PublicKey:
    return ec.generate_private_key(ec.SECP256R1()).public_key()


def _p384_key() -> PublicKey:
    return ec.generate_private_key(ec.SECP384R1()).public_key()


def _rsa_key(bits: int = 2048) -> PublicKey:
    return rsa.generate_private_key(65537, bits).public_key()


@pytest.mark.parametrize(
    ("alg", "make_key", "described"),
    [
        ("EdDSA", _rsa_key, "RSA-2048"),
        ("EdDSA", _p256_key, "EC secp256r1"),
        ("ES256", _ed25519_key, "Ed25519"),
        ("ES256", _p384_key, "EC secp384r1"),
        ("ES256", _rsa_key, "RSA-2048"),
        ("RS256", _ed25519_key, "Ed25519"),
        ("RS256", _p256_key, "EC secp256r1"),
        ("RS256", lambda: _rsa_key(1024), "RSA-1024"),
    ],
)
def test_attack_alg_does_not_match_the_resolved_key_type(
    alg: str, make_key: Any, described: str
) -> None:
    token = _issuer_token({"alg": alg, "kid": "did:example:issuer#k"}, lambda _: b"\x00" * 64)
    result = verify(token, FixedKey(make_key()))
    assert_failed(result, f"alg {alg} needs")
    assert result.proof.reason.endswith(f"the resolved key is {described}")


def test_attack_ecdsa_der_signature_is_not_a_jose_signature() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    token = _issuer_token(
        {"alg": "ES256", "kid": "did:example:issuer#p256"},
        lambda data: private.sign(data, ec.ECDSA(hashes.SHA256())),  # DER, not r || s
    )
    assert_failed(verify(token, FixedKey(private.public_key())), "the signature does not verify")


def test_attack_stripped_signature() -> None:
    _, signer, did = did_key_signer()
    token = sign_vc_jwt(ob_credential(did), signer)
    assert_failed(verify(token.rsplit(".", 1)[0] + "."), "the signature does not verify")


@pytest.mark.parametrize("crit", [["exp"], ["b64"], [], "anything"])
def test_attack_crit_header(crit: Any) -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "kid": did_key_verification_method(did), "crit": crit}
    assert_failed(verify(compact(header, ob_credential(did), key.sign)), "'crit' header")


@pytest.mark.parametrize("b64", [False, True])
def test_attack_b64_header(b64: bool) -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "kid": did_key_verification_method(did), "b64": b64}
    assert_failed(verify(compact(header, ob_credential(did), key.sign)), "RFC 7797")


def test_attack_b64_false_with_a_raw_payload_is_malformed() -> None:
    key, _, did = did_key_signer()
    header = b64json({"alg": "EdDSA", "b64": False, "crit": ["b64"]})
    raw = json.dumps({"issuer": did})
    signature = encode_base64url(key.sign(f"{header}.{raw}".encode()))
    with pytest.raises(InvalidInput):
        verify(f"{header}.{raw}.{signature}")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("jku", "https://attacker.example/jwks.json"),
        ("x5u", "https://attacker.example/cert.pem"),
        ("x5c", ["MIIBszCCAVmgAwIBAgIUQ"]),
    ],
)
def test_attack_token_names_its_own_key_source(name: str, value: Any) -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "kid": did_key_verification_method(did), name: value}
    assert_failed(verify(compact(header, ob_credential(did), key.sign)), "names its own key")


def test_attack_embedded_jwk_of_an_attacker_with_a_did_key_issuer() -> None:
    _, _, victim = did_key_signer()
    attacker = Ed25519PrivateKey.generate()
    header = {"alg": "EdDSA", "typ": "vc+jwt", "jwk": public_jwk(attacker.public_key())}
    result = verify(compact(header, ob_credential(victim), attacker.sign))
    assert_failed(result, EMBEDDED_NOT_ISSUERS)


def test_attack_embedded_jwk_with_a_kid_naming_the_issuers_key() -> None:
    _, _, victim = did_key_signer()
    attacker = Ed25519PrivateKey.generate()
    header = {
        "alg": "EdDSA",
        "kid": did_key_verification_method(victim),
        "jwk": public_jwk(attacker.public_key()),
    }
    result = verify(compact(header, ob_credential(victim), attacker.sign))
    assert_failed(result, EMBEDDED_NOT_ISSUERS)


def test_attack_embedded_jwk_for_an_issuer_no_resolver_knows() -> None:
    attacker = Ed25519PrivateKey.generate()
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": public_jwk(attacker.public_key())}
    credential = ob_credential("https://university.example/issuer")
    token = compact(header, credential, attacker.sign)
    # A resolver that knows no document for the issuer: the embedded key cannot be the issuer's.
    assert_failed(verify(token, DocumentResolver({})), EMBEDDED_NOT_ISSUERS)
    offline = verify(token, offline_web_chain())
    assert offline.proof.outcome is Outcome.COULD_NOT_CHECK


def test_embedded_jwk_equal_to_the_issuers_did_key_verifies() -> None:
    key, signer, did = did_key_signer()
    header = {"alg": "EdDSA", "typ": "vc+jwt", "jwk": public_jwk(key.public_key())}
    result = verify(compact(header, ob_credential(did), key.sign))
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.proof.verification_method == signer.verification_method


def test_attack_embedded_jwk_with_private_members() -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "jwk": private_jwk(key)}
    result = verify(compact(header, ob_credential(did), key.sign))
    assert_failed(result, "private key members")
    assert private_jwk(key)["d"] not in result.proof.reason


def test_attack_embedded_jwk_that_is_not_a_key() -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}}
    assert_failed(verify(compact(header, ob_credential(did), key.sign)), "embedded jwk is unusable")


def test_attack_kid_naming_another_did_is_refused_before_resolving() -> None:
    """A token signed by an attacker's did:key names a key that cannot be the issuer's: it is
    refused before the key is resolved, and the refused key is named (issue #12)."""
    attacker, attacker_signer, _attacker_did = did_key_signer()
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": attacker_signer.verification_method}
    token = compact(header, ob_credential("did:example:university"), attacker.sign)
    result = verify(token)
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.verification_method == attacker_signer.verification_method
    assert result.proof.controller is None


def test_attack_vc_claim_inside_a_vc_jwt() -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": did_key_verification_method(did)}
    payload = {**ob_credential(did), "vc": ob_credential("did:example:other")}
    result = verify(compact(header, payload, key.sign))
    assert result.shape == "vc+jwt"
    assert_failed(result, "MUST NOT contain 'vc' or 'vp'")


@pytest.mark.parametrize("typ", ["openid4vci-proof+jwt", "at+jwt", "dc+sd-jwt", "kb+jwt"])
def test_attack_token_of_another_type_is_not_a_credential(typ: str) -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "typ": typ, "kid": did_key_verification_method(did)}
    assert_failed(verify(compact(header, ob_credential(did), key.sign)), "not a credential token")


def test_attack_duplicate_members_in_the_payload() -> None:
    key, _, did = did_key_signer()
    header = b64json({"alg": "EdDSA", "kid": did_key_verification_method(did)})
    payload = encode_base64url(f'{{"issuer":"{did}","issuer":"did:example:evil"}}'.encode())
    signature = encode_base64url(key.sign(f"{header}.{payload}".encode()))
    with pytest.raises(InvalidInput, match="duplicate key"):
        verify(f"{header}.{payload}.{signature}")


def test_attack_deeply_nested_payload() -> None:
    header = b64json({"alg": "EdDSA"})
    payload = encode_base64url(b'{"a":' + b"[" * 10_000 + b"]" * 10_000 + b"}")
    with pytest.raises(InputTooLarge):
        verify(f"{header}.{payload}.c2ln")
