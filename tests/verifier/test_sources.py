"""Network sources over the guarded fetcher: status lists with "checked as of", stale answers
while the origin is down, and keys of HTTPS issuers from their controller documents."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from credentials.errors import InvalidInput, KeyNotFound
from credentials.keys import Ed25519Signer
from credentials.multikey import encode_public_multikey
from credentials.proofs.registry import secure
from credentials.report import Outcome
from infra.fetch.errors import FetchFailed
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from tests.keys.loopback import FakeClock, stop
from tests.verifier.support import NOW, REVOKED_INDEX, Documents, Issuer, document_server
from verifier.registry import CompositeRegistry
from verifier.service import VerifierService
from verifier.sources import FetchedStatusLists, HttpsKeyResolver

LOOPBACK = FetchPolicy(
    allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True, default_ttl=60
)


def test_status_list_checked_as_of_the_fetch_and_served_stale_while_the_origin_is_down() -> None:
    issuer, documents, clock = Issuer(), Documents(), FakeClock(1000.0)
    fetcher = GuardedFetcher(LOOPBACK, clock=clock)
    with document_server(documents) as (server, base):
        url = f"{base}/status/1"
        documents.put("/status/1", issuer.status_list(url))
        first = FetchedStatusLists(fetcher, now=NOW, monotonic_now=clock()).fetch_status_list(url)
        stop(server)
        clock.now += 600  # past the TTL: the origin is asked again, and is down
        later = NOW + timedelta(seconds=600)
        stale = FetchedStatusLists(fetcher, now=later, monotonic_now=clock()).fetch_status_list(url)
    assert first.fetched_at == NOW
    assert stale.content == first.content
    assert stale.fetched_at == NOW  # "checked as of" stays the time the origin last answered


def test_status_list_served_as_a_jws_and_refused_when_the_type_lies() -> None:
    issuer, documents = Issuer(), Documents()
    fetcher = GuardedFetcher(LOOPBACK)
    token = issuer.sign(issuer.credential(), "vc+jwt")
    with document_server(documents) as (_server, base):
        documents.put("/jwt", token)
        documents.put("/lie", b'{"not": "a token"}', "application/vc+jwt")
        source = FetchedStatusLists(fetcher, now=NOW, monotonic_now=0.0)
        assert source.fetch_status_list(f"{base}/jwt").content == token
        with pytest.raises(InvalidInput, match="not a compact JWS"):
            source.fetch_status_list(f"{base}/lie")
        with pytest.raises(FetchFailed, match="404"):
            source.fetch_status_list(f"{base}/absent")


def service_on_a_fake_clock(policy: FetchPolicy = LOOPBACK) -> tuple[VerifierService, FakeClock]:
    """A verifier whose fetch cache runs on a clock the test moves."""
    clock = FakeClock(1000.0)
    service = VerifierService(
        GuardedFetcher(policy, clock=clock), CompositeRegistry([]), monotonic=clock
    )
    return service, clock


def test_revocation_answer_does_not_flip_while_the_list_is_briefly_unreachable() -> None:
    issuer, documents = Issuer(), Documents()
    service, clock = service_on_a_fake_clock()
    with document_server(documents) as (server, base):
        url = f"{base}/status/1"
        documents.put("/status/1", issuer.status_list(url))
        revoked = json.dumps(issuer.sign(issuer.credential(url, REVOKED_INDEX))).encode()
        before = service.verify_bytes(revoked, "en", now=NOW).report
        stop(server)
        clock.now += 600
        during = service.verify_bytes(revoked, "en", now=NOW + timedelta(minutes=10)).report
    for report in (before, during):
        status = {check.id: check for check in report.checks}["status"]
        assert status.outcome is Outcome.FAILED and status.message_key == "status.revoked"


def controller_document(
    url: str, issuer: Issuer, relationship: str = "assertionMethod"
) -> dict[str, object]:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": url,
        "verificationMethod": [
            {
                "id": f"{url}#key-1",
                "type": "Multikey",
                "controller": url,
                "publicKeyMultibase": encode_public_multikey(issuer.key.public_key()),
            }
        ],
        relationship: [f"{url}#key-1"],
    }


def test_https_issuer_key_resolved_from_its_controller_document_by_exact_id() -> None:
    issuer, documents = Issuer(), Documents()
    resolver = HttpsKeyResolver(GuardedFetcher(LOOPBACK))
    with document_server(documents) as (_server, base):
        url = f"{base}/issuers/1"
        documents.put("/issuers/1", controller_document(url, issuer), "application/json")
        documents.put(
            "/issuers/2", controller_document(f"{base}/issuers/other", issuer), "application/json"
        )
        method = resolver.resolve(f"{url}#key-1")
        with pytest.raises(KeyNotFound):
            resolver.resolve(f"{url}#key-2")
        with pytest.raises(KeyNotFound, match="does not match"):
            resolver.resolve(f"{base}/issuers/2#key-1")
    assert (method.id, method.controller) == (f"{url}#key-1", url)


def https_issuer_credential(issuer: Issuer, documents: Documents, base: str) -> str:
    """A vc+jwt credential of an issuer whose id is ``{base}/issuers/1``, its controller
    document published there."""
    url = f"{base}/issuers/1"
    documents.put("/issuers/1", controller_document(url, issuer), "application/json")
    document = issuer.credential()
    document["issuer"]["id"] = url
    signed = secure(document, Ed25519Signer(issuer.key, f"{url}#key-1"), "vc+jwt", now=NOW)
    assert isinstance(signed, str)
    return signed


def test_credential_of_an_https_issuer_verifies_end_to_end() -> None:
    issuer, documents = Issuer(), Documents()
    service = VerifierService(GuardedFetcher(LOOPBACK), CompositeRegistry([]))
    with document_server(documents) as (_server, base):
        signed = https_issuer_credential(issuer, documents, base)
        report = service.verify_bytes(signed.encode(), "en", now=NOW).report
    checks = {check.id: check.outcome for check in report.checks}
    assert checks["proof"] is Outcome.PASSED and checks["issuer_key"] is Outcome.PASSED
