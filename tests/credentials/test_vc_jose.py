"""vc+jwt (VC-JOSE-COSE 3.1) issuing and the three JWT shapes on verification: round trips with
fresh keys, the exact header and payload bytes, tampering, claims consistency, time, resolvers,
malformed tokens. Attacks are in test_vc_jose_security.py; tokens from others in _interop.py."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.did import ChainResolver, DidKeyResolver, DocumentResolver, offline_resolver
from credentials.errors import (
    InputTooLarge,
    InvalidInput,
    InvalidKey,
    KeyNotFound,
    ResolutionUnavailable,
    UnsupportedMechanism,
)
from credentials.jwk import public_jwk
from credentials.keys import AUTHENTICATION, Ed25519Signer, KeyResolver, VerificationMethod
from credentials.multibase import encode_base64url
from credentials.multikey import did_key_for, did_key_verification_method
from credentials.proofs.vc_jose import (
    JWT_MECHANISM,
    JwtVerification,
    looks_like_compact_jws,
    sign_vc_jwt,
    verify_jws,
)
from credentials.report import Outcome

VECTORS = Path(__file__).parent.parent / "vectors"
OB_EXAMPLE = VECTORS / "examples" / "1edtech-validator" / "ob30-simple-eddsa-rdfc-2022.json"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def did_key_signer() -> tuple[Ed25519PrivateKey, Ed25519Signer, str]:
    """A fresh Ed25519 key, its signer (kid = the did:key URL) and its did:key."""
    key = Ed25519PrivateKey.generate()
    did = did_key_for(key.public_key())
    return key, Ed25519Signer(key, did_key_verification_method(did)), did


def ob_credential(issuer: str) -> dict[str, Any]:
    """The 1EdTech OB 3.0 example (about 1 KB), without its proof, issued by ``issuer``."""
    credential: dict[str, Any] = json.loads(OB_EXAMPLE.read_text(encoding="utf-8"))
    del credential["proof"]
    credential["issuer"] = {**credential["issuer"], "id": issuer}
    return credential


def b64json(value: Any) -> str:
    return encode_base64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def compact(header: dict[str, Any], payload: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    """A compact JWS with exactly this header, made by hand (for tokens no library would make)."""
    signing_input = f"{b64json(header)}.{b64json(payload)}"
    return f"{signing_input}.{encode_base64url(sign(signing_input.encode('ascii')))}"


def decode_part(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify(token: str, resolver: KeyResolver | None = None, **kwargs: Any) -> JwtVerification:
    return verify_jws(token, resolver or offline_resolver(), now=NOW, **kwargs)


class Unavailable:
    """What the foundation's offline chain does for did:web and https keys: no network here."""

    def resolve(self, verification_method: str) -> VerificationMethod:
        raise ResolutionUnavailable(f"resolving {verification_method} needs the network")


def offline_web_chain(documents: dict[str, Any] | None = None) -> ChainResolver:
    """did:key locally, given documents, and ResolutionUnavailable for did:web and https."""
    chain: list[tuple[str, KeyResolver]] = [("did:key:", DidKeyResolver())]
    if documents:
        chain += [(did, DocumentResolver(documents)) for did in documents]
    chain += [("did:web:", Unavailable()), ("https://", Unavailable())]
    return ChainResolver(chain)


# --- signing -------------------------------------------------------------------------------


def test_sign_header_is_exactly_the_vc_jose_header() -> None:
    _, signer, did = did_key_signer()
    token = sign_vc_jwt(ob_credential(did), signer)
    header = json.loads(decode_part(token.split(".")[0]))
    assert header == {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": signer.verification_method,
    }
    assert list(header) == ["alg", "typ", "cty", "kid"]


def test_sign_payload_is_the_credential_as_compact_utf8_json() -> None:
    _, signer, did = did_key_signer()
    credential = {**ob_credential(did), "name": "Équipe – 团队 🏅"}
    token = sign_vc_jwt(credential, signer)
    payload = decode_part(token.split(".")[1])
    expected = json.dumps(credential, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert payload == expected
    assert "Équipe – 团队 🏅".encode() in payload
    assert b'"vc"' not in payload


def test_sign_presentation_is_vp_jwt() -> None:
    _, signer, did = did_key_signer()
    presentation = {"@context": [], "type": ["VerifiablePresentation"], "holder": did}
    token = sign_vc_jwt(presentation, signer)
    header = json.loads(decode_part(token.split(".")[0]))
    assert (header["typ"], header["cty"]) == ("vp+jwt", "vp")
    result = verify(token)
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.credential == presentation


def test_sign_uses_only_the_signer_protocol() -> None:
    key, _, did = did_key_signer()
    seen: list[bytes] = []

    @dataclasses.dataclass
    class RecordingSigner:
        verification_method: str
        algorithm: str = "EdDSA"

        def sign(self, data: bytes) -> bytes:
            seen.append(data)
            return key.sign(data)

    token = sign_vc_jwt(ob_credential(did), RecordingSigner(did_key_verification_method(did)))
    assert seen == [token.rsplit(".", 1)[0].encode("ascii")]


def test_sign_refuses_a_vc_member_in_the_payload() -> None:
    _, signer, did = did_key_signer()
    with pytest.raises(InvalidInput, match="MUST NOT contain"):
        sign_vc_jwt({**ob_credential(did), "vc": {}}, signer)


def test_sign_refuses_a_signer_outside_the_allow_list() -> None:
    key, _, did = did_key_signer()
    signer = Ed25519Signer(key, did_key_verification_method(did), algorithm="HS256")
    with pytest.raises(UnsupportedMechanism):
        sign_vc_jwt(ob_credential(did), signer)


def test_sign_refuses_values_that_are_not_json() -> None:
    _, signer, did = did_key_signer()
    with pytest.raises(InvalidInput, match="cannot be serialized"):
        sign_vc_jwt({**ob_credential(did), "score": float("nan")}, signer)


# --- round trips and tampering --------------------------------------------------------------


@pytest.mark.parametrize("run", range(5))
def test_round_trip_with_fresh_ed25519_keys(run: int) -> None:
    _, signer, did = did_key_signer()
    credential = ob_credential(did)
    result = verify(sign_vc_jwt(credential, signer))
    assert result.shape == "vc+jwt"
    assert result.credential == credential
    assert result.proof.mechanism == JWT_MECHANISM
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.proof.verification_method == signer.verification_method
    assert result.proof.controller == did
    assert result.header["kid"] == signer.verification_method


def test_another_keys_signature_fails() -> None:
    _, signer, did = did_key_signer()
    other, _, _ = did_key_signer()
    header_payload = sign_vc_jwt(ob_credential(did), signer).rsplit(".", 1)[0]
    forged = f"{header_payload}.{encode_base64url(other.sign(header_payload.encode()))}"
    result = verify(forged)
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == "the signature does not verify"


def _tamper(token: str, part: int, edit: Callable[[bytes], bytes]) -> str:
    parts = token.split(".")
    parts[part] = encode_base64url(edit(decode_part(parts[part])))
    return ".".join(parts)


@pytest.mark.parametrize(
    ("part", "edit"),
    [
        (1, lambda data: data.replace(b"Teamwork", b"Teamwerk", 1)),
        (1, lambda data: data.replace(b"}", b" }", 1)),
        (0, lambda data: data.replace(b'"cty":"vc"', b'"cty":"vx"')),
        (0, lambda data: data.replace(b"{", b'{"zip":"x",', 1)),
        (2, lambda data: bytes([data[0] ^ 1]) + data[1:]),
        (2, lambda data: data[:-1] + bytes([data[-1] ^ 0x80])),
    ],
    ids=[
        "payload-value",
        "payload-whitespace",
        "header-value",
        "header-member",
        "sig-first",
        "sig-last",
    ],
)
def test_tampering_fails(part: int, edit: Callable[[bytes], bytes]) -> None:
    _, signer, did = did_key_signer()
    token = sign_vc_jwt(ob_credential(did), signer)
    tampered = _tamper(token, part, edit)
    assert tampered != token
    result = verify(tampered)
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == "the signature does not verify"


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_payload_bit_is_refused_or_fails(position: int, bit: int) -> None:
    _, signer, did = did_key_signer()
    token = sign_vc_jwt(ob_credential(did), signer)

    def flip(data: bytes) -> bytes:
        index = position % len(data)
        return data[:index] + bytes([data[index] ^ (1 << bit)]) + data[index + 1 :]

    try:
        result = verify(_tamper(token, 1, flip))
    except InvalidInput:
        return  # no longer a JSON object: refused as malformed
    assert result.proof.outcome is not Outcome.PASSED


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(name=st.text(), extensions=st.dictionaries(st.text(), json_values, max_size=5))
def test_arbitrary_unicode_values_round_trip(name: str, extensions: dict[str, Any]) -> None:
    _, signer, did = did_key_signer()
    credential = {**ob_credential(did), "name": name, "extensions": extensions}
    result = verify(sign_vc_jwt(credential, signer))
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.credential == credential


# --- keys and resolvers ---------------------------------------------------------------------


def _signed_with_kid(kid: str, issuer: str, key: Ed25519PrivateKey) -> str:
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": kid}
    return compact(header, ob_credential(issuer), key.sign)


def test_relative_kid_is_joined_to_the_issuer_id() -> None:
    key, signer, did = did_key_signer()
    fragment = "#" + signer.verification_method.split("#")[1]
    result = verify(_signed_with_kid(fragment, did, key))
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.proof.verification_method == signer.verification_method


def test_relative_kid_is_joined_to_iss_when_present() -> None:
    key, signer, did = did_key_signer()
    fragment = "#" + signer.verification_method.split("#")[1]
    payload = {**ob_credential(did), "iss": did}
    result = verify(compact({"alg": "EdDSA", "typ": "vc+jwt", "kid": fragment}, payload, key.sign))
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason


def test_without_kid_the_issuer_did_key_names_the_key() -> None:
    key, signer, did = did_key_signer()
    result = verify(compact({"alg": "EdDSA", "typ": "vc+jwt"}, ob_credential(did), key.sign))
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.proof.verification_method == signer.verification_method


def test_a_token_naming_no_key_fails() -> None:
    key, _, _ = did_key_signer()
    credential = {"type": ["VerifiableCredential"]}
    result = verify(compact({"alg": "EdDSA", "typ": "vc+jwt"}, credential, key.sign))
    assert result.proof.outcome is Outcome.FAILED
    assert "names no key" in result.proof.reason


def _did_document(did: str, key: Ed25519PrivateKey, relationship: str) -> dict[str, Any]:
    method = {
        "id": f"{did}#key-1",
        "type": "JsonWebKey",
        "controller": did,
        "publicKeyJwk": public_jwk(key.public_key()),
    }
    return {"id": did, "verificationMethod": [method], relationship: [f"{did}#key-1"]}


def test_key_listed_only_for_authentication_cannot_assert_a_credential() -> None:
    key = Ed25519PrivateKey.generate()
    did = "did:example:university"
    resolver = offline_resolver({did: _did_document(did, key, AUTHENTICATION)})
    result = verify(_signed_with_kid(f"{did}#key-1", did, key), resolver)
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == f"the key {did}#key-1 is not listed for assertionMethod"


def test_key_listed_for_assertion_method_verifies() -> None:
    key = Ed25519PrivateKey.generate()
    did = "did:example:university"
    resolver = offline_resolver({did: _did_document(did, key, "assertionMethod")})
    result = verify(_signed_with_kid("#key-1", did, key), resolver)
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert (result.proof.verification_method, result.proof.controller) == (f"{did}#key-1", did)


class Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def resolve(self, verification_method: str) -> VerificationMethod:
        raise self.error


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (KeyNotFound("no such key"), Outcome.FAILED),
        (InvalidKey("not a key"), Outcome.FAILED),
        (ResolutionUnavailable("offline"), Outcome.COULD_NOT_CHECK),
    ],
)
def test_resolver_failures_become_outcomes(error: Exception, outcome: Outcome) -> None:
    key = Ed25519PrivateKey.generate()
    token = _signed_with_kid("did:web:example.edu#key-1", "did:web:example.edu", key)
    result = verify(token, Raising(error))
    assert result.proof.outcome is outcome
    assert str(error) in result.proof.reason


@pytest.mark.parametrize(
    ("kid", "issuer"),
    [
        ("did:web:university.example#key-1", "did:web:university.example"),
        ("https://university.example/issuer#key-1", "https://university.example/issuer"),
    ],
)
def test_web_keys_could_not_be_checked_offline(kid: str, issuer: str) -> None:
    key = Ed25519PrivateKey.generate()
    result = verify(_signed_with_kid(kid, issuer, key), offline_web_chain())
    assert result.proof.outcome is Outcome.COULD_NOT_CHECK
    assert result.proof.verified is False
    assert kid in result.proof.reason


# --- claims and time ------------------------------------------------------------------------


def _jose_token(payload: dict[str, Any], key: Ed25519PrivateKey, did: str) -> str:
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": did_key_verification_method(did)}
    return compact(header, payload, key.sign)


def test_vc_jwt_iss_must_equal_the_issuer() -> None:
    key, _, did = did_key_signer()
    good = verify(_jose_token({**ob_credential(did), "iss": did}, key, did))
    bad = verify(_jose_token({**ob_credential(did), "iss": "did:example:other"}, key, did))
    assert good.proof.outcome is Outcome.PASSED, good.proof.reason
    assert bad.proof.outcome is Outcome.FAILED
    assert bad.proof.reason == "the iss claim does not match the issuer id"


def test_vp_jwt_iss_must_equal_the_holder() -> None:
    key, _, did = did_key_signer()
    presentation = {"type": ["VerifiablePresentation"], "holder": {"id": did}, "iss": "did:x:y"}
    header = {"alg": "EdDSA", "typ": "vp+jwt", "kid": did_key_verification_method(did)}
    result = verify(compact(header, presentation, key.sign))
    assert result.proof.reason == "the iss claim does not match the holder id"


def test_vc_jwt_with_vp_typ_for_a_credential_fails() -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "typ": "vp+jwt", "kid": did_key_verification_method(did)}
    result = verify(compact(header, ob_credential(did), key.sign))
    assert result.proof.outcome is Outcome.FAILED
    assert "does not match the payload's type" in result.proof.reason


def _ob_token(claims: dict[str, Any], key: Ed25519PrivateKey, did: str) -> str:
    """OB 3.0 JWT profile: typ JWT, the credential with the registered claims beside it."""
    credential = {**ob_credential(did), "validUntil": "2030-01-01T00:00:00Z"}
    header = {"alg": "EdDSA", "typ": "JWT", "kid": did_key_verification_method(did)}
    return compact(header, {**credential, **claims}, key.sign)


def _ob_claims(did: str) -> dict[str, Any]:
    credential = ob_credential(did)
    return {
        "iss": did,
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": int(datetime.fromisoformat(credential["validFrom"]).timestamp()),
        "exp": int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()),
    }


def test_ob_profile_with_matching_claims_verifies() -> None:
    key, _, did = did_key_signer()
    result = verify(_ob_token(_ob_claims(did), key, did))
    assert result.shape == "ob-jwt"
    assert result.proof.mechanism == "ob-jwt"
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason
    assert result.credential is not None
    assert result.credential["jti"] == result.credential["id"]


@pytest.mark.parametrize(
    ("claim", "value", "reason"),
    [
        ("iss", "did:example:someone-else", "the iss claim does not match the issuer id"),
        ("jti", "urn:uuid:another", "the jti claim does not match the credential id"),
        ("sub", "did:example:another-learner", "the sub claim does not match credentialSubject.id"),
        ("nbf", 1262304001 + 86400, "the nbf claim does not match validFrom"),
        ("exp", 1900000000, "the exp claim does not match validUntil"),
        ("nbf", "2010-01-01", "the nbf claim does not match validFrom"),
    ],
)
def test_ob_profile_claim_mismatch_is_named(claim: str, value: Any, reason: str) -> None:
    key, _, did = did_key_signer()
    result = verify(_ob_token({**_ob_claims(did), claim: value}, key, did))
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == reason


def test_expired_token_fails_beyond_the_leeway_only() -> None:
    key, _, did = did_key_signer()
    exp = int((NOW - timedelta(seconds=30)).timestamp())
    token = _jose_token({**ob_credential(did), "exp": exp}, key, did)
    assert verify(token).proof.outcome is Outcome.PASSED
    late = verify(token, leeway=timedelta(seconds=10))
    assert late.proof.outcome is Outcome.FAILED
    assert late.proof.reason == "the token has expired"


def test_token_not_yet_valid_fails() -> None:
    key, _, did = did_key_signer()
    nbf = int((NOW + timedelta(hours=1)).timestamp())
    result = verify(_jose_token({**ob_credential(did), "nbf": nbf}, key, did))
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == "the token is not yet valid"
    later = verify_jws(
        _jose_token({**ob_credential(did), "nbf": nbf}, key, did),
        offline_resolver(),
        now=NOW + timedelta(hours=2),
    )
    assert later.proof.outcome is Outcome.PASSED


@pytest.mark.parametrize("value", ["tomorrow", True, None, [1]])
def test_exp_that_is_not_a_numeric_date_fails(value: Any) -> None:
    key, _, did = did_key_signer()
    result = verify(_jose_token({**ob_credential(did), "exp": value}, key, did))
    assert result.proof.outcome is Outcome.FAILED
    assert result.proof.reason == "the exp claim is not a NumericDate"


def test_legacy_vc_claim_form_reads_the_credential_from_vc() -> None:
    key, _, did = did_key_signer()
    credential = ob_credential(did)
    payload = {"vc": credential, **_ob_claims(did)}
    del payload["exp"]
    header = {"alg": "EdDSA", "typ": "JWT", "kid": did_key_verification_method(did)}
    result = verify(compact(header, payload, key.sign))
    assert (result.shape, result.proof.mechanism) == ("vc-claim", "vc-claim-jwt")
    assert result.credential == credential
    assert result.proof.outcome is Outcome.PASSED, result.proof.reason


def test_legacy_vc_claim_that_is_not_an_object_fails() -> None:
    key, _, did = did_key_signer()
    header = {"alg": "EdDSA", "kid": did_key_verification_method(did)}
    result = verify(compact(header, {"vc": "a string", "iss": did}, key.sign))
    assert result.shape == "vc-claim"
    assert result.credential is None
    assert result.proof.outcome is Outcome.FAILED


def test_now_must_be_timezone_aware() -> None:
    _, signer, did = did_key_signer()
    with pytest.raises(InvalidInput, match="timezone-aware"):
        verify_jws(
            sign_vc_jwt(ob_credential(did), signer), offline_resolver(), now=datetime(2025, 1, 1)
        )


# --- malformed tokens and detection ---------------------------------------------------------

HEADER = b64json({"alg": "EdDSA"})
PAYLOAD = b64json({"type": ["VerifiableCredential"]})
NOT_UTF8 = encode_base64url(b"\xff")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (f"{HEADER}.{PAYLOAD}", "three base64url parts"),
        (f"{HEADER}.{PAYLOAD}.c2ln.c2ln", "three base64url parts"),
        (f"{HEADER}.{PAYLOAD}.c2l+", "signature is not base64url"),
        (f"{HEADER}=.{PAYLOAD}.c2ln", "header is not base64url"),
        (f"{encode_base64url(b'{alg')}.{PAYLOAD}.c2ln", "malformed JSON"),
        (f"{b64json(['alg'])}.{PAYLOAD}.c2ln", "header is not a JSON object"),
        (f"{HEADER}.{b64json([1, 2])}.c2ln", "payload is not a JSON object"),
        (f"{HEADER}.{encode_base64url(b'not json')}.c2ln", "payload is not a JSON object"),
        (f"{HEADER}.{NOT_UTF8}.c2ln", "not UTF-8"),
        ("", "three base64url parts"),
    ],
)
def test_malformed_tokens_raise_invalid_input(token: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        verify(token)


def test_oversized_token_raises_input_too_large() -> None:
    payload = b64json({"type": ["VerifiableCredential"], "pad": "x" * (1024 * 1024)})
    with pytest.raises(InputTooLarge):
        verify(f"{HEADER}.{payload}.c2ln")


def test_looks_like_compact_jws() -> None:
    _, signer, did = did_key_signer()
    token = sign_vc_jwt(ob_credential(did), signer)
    assert looks_like_compact_jws(token)
    assert looks_like_compact_jws(f"  {token}\n")
    assert looks_like_compact_jws(f"{HEADER}.{PAYLOAD}.")  # unsecured: detected, then refused
    assert not looks_like_compact_jws(json.dumps(ob_credential(did)))
    assert not looks_like_compact_jws(f"{HEADER}.{PAYLOAD}")
    assert not looks_like_compact_jws(f"{PAYLOAD}.{PAYLOAD}.{PAYLOAD}.x")
    assert not looks_like_compact_jws("hello.world.again")
    assert not looks_like_compact_jws("")


def test_verification_result_is_frozen() -> None:
    _, signer, did = did_key_signer()
    result = verify(sign_vc_jwt(ob_credential(did), signer))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.shape = "ob-jwt"  # type: ignore[misc]
