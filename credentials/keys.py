"""The narrow key interfaces of the core: ``Signer`` and ``KeyResolver``.

A private key never crosses these: a ``Signer`` signs bytes and names its verification method; a
``KeyResolver`` turns a verification method id into a public key with its controller and the
verification relationships it is listed under (DID Core 1.0 section 5.3). ``keys/`` implements them
for stored keys and did:web; the core implements them for local keys and did:key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

PublicKey = Ed25519PublicKey | RSAPublicKey | EllipticCurvePublicKey

ASSERTION_METHOD = "assertionMethod"
AUTHENTICATION = "authentication"


@dataclass(frozen=True)
class VerificationMethod:
    """A resolved public key: ``id`` is absolute; ``relationships`` are the proof purposes the
    controller document lists it under (``assertionMethod``, ``authentication``...).

    ``revoked`` is when its controller reported it compromised (Controlled Identifiers 1.0
    section 2.2.1 ``revoked``), None for a key in good standing."""

    id: str
    controller: str
    public_key: PublicKey
    relationships: frozenset[str] = frozenset({ASSERTION_METHOD})
    revoked: datetime | None = None


class Signer(Protocol):
    @property
    def verification_method(self) -> str:
        """The absolute id (DID URL or URL) of the public key that verifies this signer's output."""
        ...

    @property
    def algorithm(self) -> str:
        """The JOSE ``alg`` of the signatures (``EdDSA`` for Ed25519)."""
        ...

    def sign(self, data: bytes) -> bytes: ...


class KeyResolver(Protocol):
    def resolve(self, verification_method: str) -> VerificationMethod:
        """Resolve exactly this key id (never "the first key" of a document).

        Raises ``KeyNotFound`` when the id does not exist, ``InvalidKey`` when it cannot be
        decoded, ``ResolutionUnavailable`` when resolving needs something not reachable here.
        """
        ...


@dataclass(frozen=True)
class Ed25519Signer:
    """A ``Signer`` over an in-memory Ed25519 key (the CLI's key files, tests)."""

    private_key: Ed25519PrivateKey
    verification_method: str
    algorithm: str = "EdDSA"

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def __repr__(self) -> str:
        # Never print key material, even in a debugger or a log of a failed call.
        return f"Ed25519Signer(verification_method={self.verification_method!r})"
