"""``OwnFirstResolver`` asks for each verification method once per verification: our own keys
come from the database, and one verification names the same key for the credential's proof,
its status list's proof, the list's reuse check and the key's binding to its issuer."""

from __future__ import annotations

from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import KeyNotFound, VerificationMethod
from credentials.multikey import did_key_for, did_key_verification_method
from verifier import FetchedDocument, RegistryEntry
from verifier.own import OwnFirstResolver


def a_key() -> VerificationMethod:
    public_key = Ed25519PrivateKey.generate().public_key()
    did = did_key_for(public_key)
    return VerificationMethod(did_key_verification_method(did), did, public_key)


OURS, THEIRS = a_key(), a_key()
UNPUBLISHED = "did:web:passport.example#old-key"


class CountingOwnDocuments:
    """Our records, with a count of the key lookups asked of them."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    def resolve_own(self, verification_method: str) -> VerificationMethod | None:
        self.lookups.append(verification_method)
        if verification_method == UNPUBLISHED:
            raise KeyNotFound(f"{verification_method!r} is not a published key")
        return OURS if verification_method == OURS.id else None

    def own_status_list(self, url: str, now: datetime) -> FetchedDocument | None:
        return None

    def revision(self) -> str:
        return "0"

    def entry(self, issuer_id: str) -> RegistryEntry | None:
        return None

    def same_institution(self, issuer_id: str, other_id: str) -> bool:
        return False

    def recorded_before_compromise(self, key_id: str, signature: str) -> bool:
        return False


class CountingResolver:
    def __init__(self) -> None:
        self.lookups: list[str] = []

    def resolve(self, verification_method: str) -> VerificationMethod:
        self.lookups.append(verification_method)
        return THEIRS


def test_each_method_is_looked_up_once_per_verification() -> None:
    own, others = CountingOwnDocuments(), CountingResolver()
    resolver = OwnFirstResolver(own, others)
    for _ in range(4):
        assert resolver.resolve(OURS.id) is OURS
        assert resolver.resolve(THEIRS.id) is THEIRS
    assert own.lookups == [OURS.id, THEIRS.id]
    assert others.lookups == [THEIRS.id]


def test_a_refusal_is_remembered_too_and_raised_each_time() -> None:
    own = CountingOwnDocuments()
    resolver = OwnFirstResolver(own, CountingResolver())
    for _ in range(3):
        with pytest.raises(KeyNotFound):
            resolver.resolve(UNPUBLISHED)
    assert own.lookups == [UNPUBLISHED]


def test_a_new_verification_looks_up_again() -> None:
    """A key revoked or unpublished between two verifications is seen by the second."""
    own = CountingOwnDocuments()
    OwnFirstResolver(own, CountingResolver()).resolve(OURS.id)
    OwnFirstResolver(own, CountingResolver()).resolve(OURS.id)
    assert own.lookups == [OURS.id, OURS.id]
