"""did:web: the spec's DID-to-URL examples, refusals of hostile DIDs, and key resolution over the
guarded fetcher (answered by httpx.MockTransport; no network)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credentials.errors import InvalidKey, KeyNotFound, ResolutionUnavailable
from credentials.keys import ASSERTION_METHOD
from credentials.multikey import multikey_verification_method, public_key_bytes
from infra.fetch.errors import FetchRefused
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from keys.did_web import DID_DOCUMENT_ACCEPT, DidWebResolver, RefetchLimiter, did_web_url
from tests.keys.loopback import PUBLIC_ADDRESS, FakeDns, Recorder

DID = "did:web:college.example:issuers:registrar"
DID_URL = "https://college.example/issuers/registrar/did.json"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        # did:web Method Specification, "Read (Resolve)" and standards.md section 7.
        ("did:web:example.edu:issuers:x", "https://example.edu/issuers/x/did.json"),
        ("did:web:example.com%3A3000:u:a", "https://example.com:3000/u/a/did.json"),
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3a8443", "https://example.com:8443/.well-known/did.json"),
        # The learner DID of tests/vectors/examples/1edtech-validator/ob30-did-web-method.json.
        (
            "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:learner:"
            "e42a88f4-7e1d-429b-bcea-0f3b31ee4e5d",
            "https://dc.1edtech.org/wellspring2022/wellspring-portal/learner/"
            "e42a88f4-7e1d-429b-bcea-0f3b31ee4e5d/did.json",
        ),
    ],
)
def test_did_web_url_spec_examples(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    ("did", "reason"),
    [
        ("did:web:127.0.0.1", "IP address"),
        ("did:web:169.254.169.254:latest:meta-data", "IP address"),
        ("did:web:127.1", "numeric host"),
        ("did:web:%5B%3A%3A1%5D", "invalid port"),
        ("did:web:example.com%3A0", "invalid port"),
        ("did:web:example.com%3A99999", "invalid port"),
        ("did:web:-bad-.example", "valid domain"),
    ],
)
def test_attack_did_web_ip_address_and_bad_hosts_refused(did: str, reason: str) -> None:
    with pytest.raises(InvalidKey, match=reason):
        did_web_url(did)


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com:..:admin",
        "did:web:example.com:.:x",
        "did:web:example.com:%2E%2E:admin",
        "did:web:example.com:a%2Fb",
        "did:web:example.com:a%5Cb",
        "did:web:example.com:a%00",
    ],
)
def test_attack_did_web_path_traversal_refused(did: str) -> None:
    with pytest.raises(InvalidKey, match="leaves its directory"):
        did_web_url(did)


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:example.com::x",
        "did:web:example.com:",
        "did:web:example.com?service=files",
        "did:web:example.com#key-1",
        "did:web:example.com/path",
        "did:web:user@example.com",
    ],
)
def test_did_web_empty_segments_query_fragment_and_path_refused(did: str) -> None:
    with pytest.raises(InvalidKey, match="empty or invalid segment"):
        did_web_url(did)


def test_did_web_url_refuses_other_methods() -> None:
    with pytest.raises(InvalidKey, match="not a did:web DID"):
        did_web_url("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")


def document(did: str, keys: dict[str, Ed25519PublicKey]) -> dict[str, Any]:
    methods = [
        multikey_verification_method(f"{did}#{name}", did, key) for name, key in keys.items()
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def resolver_serving(body: bytes | httpx.Response) -> tuple[DidWebResolver, Recorder]:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(body, httpx.Response):
            return body
        return httpx.Response(200, content=body, headers={"Content-Type": "application/did+json"})

    recorder = Recorder(answer)
    dns = FakeDns({"college.example": [PUBLIC_ADDRESS]})
    fetcher = GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=dns)
    return DidWebResolver(fetcher), recorder


def test_resolver_returns_the_exact_key_among_rotated_keys() -> None:
    old, new = Ed25519PrivateKey.generate().public_key(), Ed25519PrivateKey.generate().public_key()
    resolver, recorder = resolver_serving(
        json.dumps(document(DID, {"key-1": old, "key-2": new})).encode()
    )
    for name, expected in (("key-1", old), ("key-2", new)):
        method = resolver.resolve(f"{DID}#{name}")
        assert method.id == f"{DID}#{name}"
        assert method.controller == DID
        assert isinstance(method.public_key, Ed25519PublicKey)
        assert public_key_bytes(method.public_key) == public_key_bytes(expected)
        assert ASSERTION_METHOD in method.relationships
    assert str(recorder.requests[0].url) == DID_URL
    assert recorder.requests[0].headers["Accept"] == DID_DOCUMENT_ACCEPT
    assert len(recorder.requests) == 1  # the second key came from the cached document


def test_attack_document_id_for_another_did_refused() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    impostor = document("did:web:attacker.example", {"key-1": key})
    resolver, _ = resolver_serving(json.dumps(impostor).encode())
    with pytest.raises(KeyNotFound, match="does not match"):
        resolver.resolve(f"{DID}#key-1")


def test_missing_fragment_is_key_not_found() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    resolver, recorder = resolver_serving(json.dumps(document(DID, {"key-1": key})).encode())
    with pytest.raises(KeyNotFound, match="key-9"):
        resolver.resolve(f"{DID}#key-9")
    for _ in range(3):
        with pytest.raises(KeyNotFound):
            resolver.resolve(DID)
    # A readable document stays cached: unknown key ids make us ask for it again once (the
    # cached copy may predate a rotation), then not again within the refetch interval.
    assert len(recorder.requests) == 2


def test_a_cached_document_without_the_key_is_refetched_once_per_interval() -> None:
    # Issue 20, problem 4: after a rotation, a verifier holding the DID document failed every
    # credential of the new key until its cache expired (5 minutes).
    old, new = (Ed25519PrivateKey.generate().public_key() for _ in range(2))
    served = {"body": json.dumps(document(DID, {"key-1": old})).encode()}

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/did+json", "Cache-Control": "max-age=300"}
        return httpx.Response(200, content=served["body"], headers=headers)

    recorder = Recorder(answer)
    clock = {"now": 1000.0}
    dns = FakeDns({"college.example": [PUBLIC_ADDRESS]})
    fetcher = GuardedFetcher(
        FetchPolicy(), transport=recorder.transport, resolver=dns, clock=lambda: clock["now"]
    )
    resolver = DidWebResolver(fetcher, RefetchLimiter(60.0, clock=lambda: clock["now"]))
    assert resolver.resolve(f"{DID}#key-1").id == f"{DID}#key-1"  # cached for 300 s
    served["body"] = json.dumps(document(DID, {"key-1": old, "key-2": new})).encode()
    assert resolver.resolve(f"{DID}#key-2").id == f"{DID}#key-2"  # refetched at once
    assert len(recorder.requests) == 2
    for _ in range(5):
        with pytest.raises(KeyNotFound):
            resolver.resolve(f"{DID}#key-9")
    assert len(recorder.requests) == 2, "no second refetch of the document within a minute"
    clock["now"] += 61
    for _ in range(5):
        with pytest.raises(KeyNotFound):
            resolver.resolve(f"{DID}#key-9")
    assert len(recorder.requests) == 3, "one more once the interval has passed"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"id": "x", "id": "y"}'])
def test_an_answer_that_is_not_a_json_object_could_not_be_checked(body: bytes) -> None:
    """An error page or garbage from the host is no evidence of forgery: "could not check"."""
    resolver, _ = resolver_serving(body)
    with pytest.raises(ResolutionUnavailable, match="is unreadable"):
        resolver.resolve(f"{DID}#key-1")


def test_malformed_document_is_invalid_key() -> None:
    body = b'{"id": "did:web:college.example:issuers:registrar", "verificationMethod": {}}'
    resolver, _ = resolver_serving(body)
    with pytest.raises(InvalidKey, match="is malformed"):
        resolver.resolve(f"{DID}#key-1")


def test_an_unusable_answer_is_not_cached() -> None:
    """The host served a maintenance page, then the document: the next check succeeds."""
    key = Ed25519PrivateKey.generate().public_key()
    answers = iter(
        [b"<html>maintenance</html>", json.dumps(document(DID, {"key-1": key})).encode()]
    )
    recorder = Recorder(
        lambda request: httpx.Response(
            200, content=next(answers), headers={"Content-Type": "application/did+json"}
        )
    )
    dns = FakeDns({"college.example": [PUBLIC_ADDRESS]})
    resolver = DidWebResolver(
        GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=dns)
    )
    with pytest.raises(ResolutionUnavailable):
        resolver.resolve(f"{DID}#key-1")
    assert resolver.resolve(f"{DID}#key-1").id == f"{DID}#key-1"
    assert len(recorder.requests) == 2


def test_fetch_failure_propagates_as_resolution_unavailable() -> None:
    resolver, _ = resolver_serving(httpx.Response(503))
    with pytest.raises(ResolutionUnavailable, match="HTTP 503"):
        resolver.resolve(f"{DID}#key-1")


def test_attack_did_web_host_resolving_to_metadata_address_refused() -> None:
    recorder = Recorder(lambda request: httpx.Response(200))
    dns = FakeDns({"college.example": ["169.254.169.254"]})
    fetcher = GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=dns)
    with pytest.raises(FetchRefused, match=r"169.254.169.254 .* is link-local"):
        DidWebResolver(fetcher).resolve(f"{DID}#key-1")
    assert recorder.requests == []
