"""DID documents and JWKS of stored keys: did:web naming, document and JWKS shape across the
key lifecycle, agreement with the local resolver, and did:key documents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld
from sqlmodel import Session

from credentials.contexts import DID_V1, MULTIKEY_V1, document_loader
from credentials.did import verification_methods
from credentials.errors import InvalidInput
from credentials.jwk import public_key_from_jwk
from credentials.keys import ASSERTION_METHOD
from credentials.multikey import decode_public_multikey, did_key_document, public_key_bytes
from keys.documents import did_document, did_web_for, jwks
from keys.store import DID_KEY_METHOD, KeyStore, LocalKeyStoreResolver
from keys.tables import SigningKey
from tests.keys.conftest import NOW

ISSUER = "issuer:college-x"
ISSUER_DID = "did:web:passport.example.ca:issuers:college-x"
SECURITY = "https://w3id.org/security#"


@pytest.mark.parametrize(
    ("host", "segments", "did"),
    [
        ("passport.example.ca", ["issuers", "college-x"], ISSUER_DID),
        ("example.com:3000", ["u", "a"], "did:web:example.com%3A3000:u:a"),
        ("Passport.Example.CA", [], "did:web:passport.example.ca"),
        ("localhost:8000", ["learners", "7f3c2a9e"], "did:web:localhost%3A8000:learners:7f3c2a9e"),
        ("w3c-ccg.github.io", ["user", "alice_1.2"], "did:web:w3c-ccg.github.io:user:alice_1.2"),
    ],
)
def test_did_web_for(host: str, segments: list[str], did: str) -> None:
    assert did_web_for(host, segments) == did


@pytest.mark.parametrize(
    ("host", "segments"),
    [
        ("127.0.0.1", ["issuers"]),
        ("[::1]", []),
        ("::1", []),
        ("", ["issuers"]),
        ("https://example.ca", []),
        ("example.ca/issuers", []),
        ("-bad.example.ca", []),
        ("example.ca:0", []),
        ("example.ca:65536", []),
        ("example.ca:http", []),
        ("example.ca", ["a/b"]),
        ("example.ca", ["a:b"]),
        ("example.ca", [".."]),
        ("example.ca", [""]),
        ("example.ca", ["é"]),
    ],
)
def test_did_web_for_refuses(host: str, segments: list[str]) -> None:
    with pytest.raises(InvalidInput):
        did_web_for(host, segments)


@pytest.fixture
def lifecycle(store: KeyStore) -> list[SigningKey]:
    """key-1 retired, key-2 revoked but published, key-3 revoked and unpublished, key-4 active."""
    day = 0

    def step() -> KeyStore:
        nonlocal day
        day += 30
        return KeyStore(store.session, store.master, now=NOW + timedelta(days=day))

    store.create_key(ISSUER, ISSUER_DID)
    step().rotate(ISSUER)
    compromised = NOW + timedelta(days=45, microseconds=700_000)
    step().revoke_key(f"{ISSUER_DID}#key-2", compromised)
    step().create_key(ISSUER, ISSUER_DID)
    step().revoke_key(f"{ISSUER_DID}#key-3", NOW + timedelta(days=100), unpublish=True)
    step().create_key(ISSUER, ISSUER_DID)
    return store.keys_for(ISSUER)


def ids(*numbers: int) -> list[str]:
    return [f"{ISSUER_DID}#key-{n}" for n in numbers]


def test_did_document_across_the_lifecycle(lifecycle: list[SigningKey]) -> None:
    document = did_document(ISSUER_DID, list(reversed(lifecycle)))
    assert document["@context"] == [DID_V1, MULTIKEY_V1]
    assert document["id"] == ISSUER_DID
    methods = document["verificationMethod"]
    assert [method["id"] for method in methods] == ids(1, 2, 4)
    for method, key in zip(methods, [lifecycle[0], lifecycle[1], lifecycle[3]], strict=True):
        assert method["type"] == "Multikey"
        assert method["controller"] == ISSUER_DID
        assert method["publicKeyMultibase"] == key.public_key_multibase
        assert method["publicKeyMultibase"].startswith("z6Mk")
    assert "revoked" not in methods[0] and "revoked" not in methods[2]
    # compromised_since, floored to the second so no forged second escapes
    assert methods[1]["revoked"] == "2025-10-16T12:00:00Z"
    assert document["assertionMethod"] == ids(1, 2, 4)
    assert document["authentication"] == ids(4)
    assert set(document) == {
        "@context",
        "id",
        "verificationMethod",
        "assertionMethod",
        "authentication",
    }


def test_did_document_expands_with_the_bundled_contexts(lifecycle: list[SigningKey]) -> None:
    document = did_document(ISSUER_DID, lifecycle)
    options = {"documentLoader": document_loader, "safeMode": True}
    expanded = jsonld.expand(document, options)[0]
    methods = expanded[SECURITY + "verificationMethod"]
    revoked = [method[SECURITY + "revoked"] for method in methods if SECURITY + "revoked" in method]
    assert revoked == [
        [{"@type": "http://www.w3.org/2001/XMLSchema#dateTime", "@value": "2025-10-16T12:00:00Z"}]
    ]


def test_document_agrees_with_the_local_resolver(
    lifecycle: list[SigningKey], session: Session
) -> None:
    published = verification_methods(did_document(ISSUER_DID, lifecycle))
    resolver = LocalKeyStoreResolver(session)
    assert sorted(published) == ids(1, 2, 4)
    for method_id, method in published.items():
        resolved = resolver.resolve(method_id)
        assert resolved.relationships == method.relationships
        assert resolved.controller == method.controller == ISSUER_DID
        assert _raw(resolved.public_key) == _raw(method.public_key)
    assert published[ids(2)[0]].relationships == {ASSERTION_METHOD}


def _raw(public_key: object) -> bytes:
    assert isinstance(public_key, Ed25519PublicKey)
    return public_key_bytes(public_key)


def test_jwks_lists_published_unrevoked_keys(lifecycle: list[SigningKey]) -> None:
    key_set = jwks(lifecycle)
    assert [jwk["kid"] for jwk in key_set["keys"]] == ids(1, 4)
    by_id = {key.id: key for key in lifecycle}
    for jwk in key_set["keys"]:
        assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == (
            "OKP",
            "Ed25519",
            "EdDSA",
            "sig",
        )
        expected = decode_public_multikey(by_id[jwk["kid"]].public_key_multibase)
        assert _raw(public_key_from_jwk(jwk)) == public_key_bytes(expected)


def test_empty_key_list(store: KeyStore) -> None:
    assert jwks([]) == {"keys": []}
    assert did_document(ISSUER_DID, [])["verificationMethod"] == []


def test_did_key_owner_document_is_the_did_key_document(store: KeyStore) -> None:
    key = store.create_key("learner:7f3c2a9e", DID_KEY_METHOD)
    assert did_document(key.did, [key]) == did_key_document(key.did)
    assert did_document(key.did, [key])["verificationMethod"][0]["id"] == key.id


def test_keys_of_another_did_are_refused(store: KeyStore) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    with pytest.raises(InvalidInput, match="do not belong"):
        did_document("did:web:passport.example.ca:issuers:college-y", [key])
