"""A status list's proof is verified once per fetched document, not once per credential, and the
reuse never changes an answer: tampered, foreign-signed and changed lists are verified in full."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from credentials.did import offline_resolver
from credentials.errors import KeyNotFound
from credentials.keys import KeyResolver, VerificationMethod
from credentials.proofs.base import ProofVerification
from credentials.report import Check, Outcome
from credentials.status_list import Bitstring, encode_list, new_status_list_credential
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from tests.verifier.support import (
    ACTIVE_INDEX,
    NOW,
    REVOKED_INDEX,
    Documents,
    Issuer,
    document_server,
)
from verifier import proof_check, status_check
from verifier.registry import CompositeRegistry
from verifier.service import VerifierService
from verifier.verified_lists import RecordingResolver, VerifiedLists

# A zero TTL: every verification fetches the list again, so a test can change what is served.
NO_FETCH_CACHE = FetchPolicy(
    allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True, default_ttl=0
)
LIST_PATH = "/status/1"


@dataclass
class Served:
    """A college, its list served on loopback, and a verifier service over the fetcher."""

    college: Issuer
    documents: Documents
    url: str
    service: VerifierService = field(init=False)

    def __post_init__(self) -> None:
        fetcher = GuardedFetcher(NO_FETCH_CACHE)
        self.service = VerifierService(fetcher, CompositeRegistry([]))

    def serve(self, list_credential: Any) -> None:
        self.documents.put(LIST_PATH, list_credential)

    def status_of(self, issuer: Issuer, index: int) -> Check:
        credential = issuer.sign(issuer.credential(self.url, index), "eddsa-rdfc-2022")
        data = json.dumps(credential).encode()
        report = self.service.verify_bytes(data, "en", now=NOW).report
        return next(check for check in report.checks if check.id == "status")


@pytest.fixture
def served() -> Iterator[Served]:
    documents = Documents()
    with document_server(documents) as (_server, base):
        college = Issuer()
        served = Served(college, documents, f"{base}{LIST_PATH}")
        served.serve(college.status_list(served.url))
        yield served


@pytest.fixture
def list_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Data Integrity check of a status list's own proof, by the list's id."""
    checked: list[str] = []
    verify = proof_check.check_embedded_proofs

    def counting(document: dict[str, Any], *args: Any) -> Any:
        checked.append(str(document.get("id")))
        return verify(document, *args)

    monkeypatch.setattr(status_check, "check_embedded_proofs", counting)
    return checked


def unsigned_list(url: str, issuer: str, revoked: tuple[int, ...] = ()) -> dict[str, Any]:
    bits = Bitstring()
    for index in revoked:
        bits.set(index)
    return new_status_list_credential(
        url, issuer, "revocation", encode_list(bits), valid_from=NOW - timedelta(days=1)
    )


def test_one_signature_check_for_every_credential_on_one_list(
    served: Served, list_checks: list[str]
) -> None:
    answers = [served.status_of(served.college, index) for index in range(10, 30)]
    revoked = served.status_of(served.college, REVOKED_INDEX)
    assert [check.message_key for check in answers] == ["status.active"] * 20
    assert revoked.message_key == "status.revoked"
    assert list_checks == [served.url]


def test_tampered_or_foreign_lists_are_refused_after_a_good_one_was_kept(
    served: Served, list_checks: list[str]
) -> None:
    college = served.college
    assert served.status_of(college, REVOKED_INDEX).message_key == "status.revoked"
    # Tampered: the revocation bit cleared in the served copy, the college's proof left on it.
    tampered = college.status_list(served.url)
    tampered["credentialSubject"]["encodedList"] = encode_list(Bitstring())
    served.serve(tampered)
    unsigned = served.status_of(college, REVOKED_INDEX)
    assert unsigned.message_key == "status.unavailable"
    assert unsigned.params["reason"] == "the status list's own signature did not verify"
    # Foreign-signed: a list naming the college as issuer, signed by another key.
    forger = Issuer()
    served.serve(forger.sign(unsigned_list(served.url, college.did), "eddsa-rdfc-2022"))
    forged = served.status_of(college, REVOKED_INDEX)
    assert forged.message_key == "status.forged"
    assert (
        forged.params["reason"] == "the status list was signed with a key that is not the issuer's"
    )
    # The good list again: its kept verification answers, and never makes it another issuer's.
    served.serve(college.status_list(served.url))
    assert served.status_of(college, REVOKED_INDEX).message_key == "status.revoked"
    stranger = served.status_of(forger, ACTIVE_INDEX)
    assert stranger.message_key == "status.forged"
    assert stranger.params["reason"] == "the status list names another issuer"
    assert list_checks == [served.url] * 3  # good, tampered, forged; the good one only once


def test_a_changed_list_is_verified_again_and_its_new_bits_read(
    served: Served, list_checks: list[str]
) -> None:
    college = served.college
    assert served.status_of(college, 40).message_key == "status.active"
    assert served.status_of(college, 41).message_key == "status.active"
    served.serve(college.sign(unsigned_list(served.url, college.did, (40,)), "eddsa-rdfc-2022"))
    assert served.status_of(college, 40).message_key == "status.revoked"
    assert served.status_of(college, 41).message_key == "status.active"
    assert list_checks == [served.url, served.url]


@dataclass
class SwappableResolver:
    """A did:web-like resolver whose answer the test changes (a rotation, an outage)."""

    inner: KeyResolver
    down: bool = False
    rotated_to: VerificationMethod | None = None

    def resolve(self, verification_method: str) -> VerificationMethod:
        if self.down:
            raise KeyNotFound(f"{verification_method} is not in the controller document")
        return self.rotated_to or self.inner.resolve(verification_method)


def _recorded(issuer: Issuer) -> tuple[ProofVerification, RecordingResolver]:
    """What verifying a list signed by ``issuer`` leaves: its accepted proof and its keys."""
    recorded = RecordingResolver(offline_resolver())
    method = recorded.resolve(issuer.signer.verification_method)
    accepted = ProofVerification(
        "eddsa-rdfc-2022", Outcome.PASSED, "signature verified", method.id, method.controller
    )
    return accepted, recorded


def test_a_kept_list_is_reused_only_while_its_keys_resolve_the_same() -> None:
    college, other = Issuer(), Issuer()
    accepted, recorded = _recorded(college)
    lists = VerifiedLists()
    lists.remember("digest", accepted, recorded)
    resolver = SwappableResolver(offline_resolver())
    assert lists.reusable("digest", resolver) == accepted
    assert lists.reusable("other digest", resolver) is None
    method = college.signer.verification_method
    resolver.rotated_to = VerificationMethod(method, college.did, other.key.public_key())
    assert lists.reusable("digest", resolver) is None
    resolver.down = True
    assert lists.reusable("digest", resolver) is None


def test_a_verification_with_an_unresolved_key_is_not_kept_and_the_cache_is_bounded() -> None:
    college = Issuer()
    accepted, recorded = _recorded(college)
    failing = RecordingResolver(SwappableResolver(offline_resolver(), down=True))
    with pytest.raises(KeyNotFound):
        failing.resolve(college.signer.verification_method)
    lists = VerifiedLists(max_entries=2)
    lists.remember("failed", accepted, failing)
    assert lists.reusable("failed", offline_resolver()) is None
    for digest in ("first", "second", "third"):
        lists.remember(digest, accepted, recorded)
    kept = [d for d in ("first", "second", "third") if lists.reusable(d, offline_resolver())]
    assert kept == ["second", "third"]
