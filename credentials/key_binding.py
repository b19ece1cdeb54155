"""Key binding before any fetch: a key that cannot belong to the issuer is never resolved.

The issuer-key check passes only when the signing key's controller is the issuer id, and a key's
controller must be the document it is published in (Controlled Identifiers 1.0 section 3.3), so
a verification method can belong to an issuer only when the document part of its URL (before
``#``) is the issuer id: ``did:key:A#A`` for ``did:key:A``, ``did:web:x#k`` for ``did:web:x``,
``https://x/issuers/1#k`` for ``https://x/issuers/1``. Anything else is refused here, before a
resolver fetches it: otherwise a forger who names a key at a host that does not resolve would
get "could not check" instead of "not verified" (issue #12, item 3).

>>> from credentials.did import offline_resolver
>>> bound = IssuerBoundResolver(offline_resolver(), "did:web:college.example")
>>> try:
...     bound.resolve("https://nxdomain.invalid/keys#k")
... except KeyNotFound as refused:
...     print(refused.message[:45])
the key https://nxdomain.invalid/keys#k canno
>>> bound.refused
'https://nxdomain.invalid/keys#k'
"""

from __future__ import annotations

from dataclasses import dataclass

from credentials.errors import KeyNotFound
from credentials.keys import KeyResolver, VerificationMethod

# The message of a proof whose key was refused here (``ProofVerification.message_key``).
FOREIGN_KEY = "proof.foreign_key"
# Issuer ids that name keys; others (``urn:uuid:``) bind to none, which the issuer-key check
# reports as a warning of its own.
BINDABLE_ISSUER_PREFIXES = ("did:", "https://", "http://")


def can_belong_to(verification_method: str, issuer: str) -> bool:
    """Can the key ``verification_method`` be ``issuer``'s? (Not whether it is: that takes
    resolving it.)"""
    return verification_method.split("#", 1)[0] == issuer.split("#", 1)[0]


def refusal(verification_method: str, issuer: str) -> str:
    """Why ``verification_method`` was not resolved: the reason a refused proof carries."""
    return (
        f"the key {verification_method} cannot belong to the issuer {issuer}, so it was not fetched"
    )


@dataclass
class IssuerBoundResolver:
    """Resolves only keys that can belong to ``issuer``; remembers the one it refused, for the
    issuer-key check. An issuer that names no keys (or none) leaves resolution unchanged."""

    inner: KeyResolver
    issuer: str | None
    refused: str | None = None

    def resolve(self, verification_method: str) -> VerificationMethod:
        issuer = self.issuer
        bindable = issuer is not None and issuer.startswith(BINDABLE_ISSUER_PREFIXES)
        if bindable and issuer is not None and not can_belong_to(verification_method, issuer):
            self.refused = verification_method
            raise KeyNotFound(refusal(verification_method, issuer))
        return self.inner.resolve(verification_method)
