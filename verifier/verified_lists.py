"""Status list credentials whose proof already verified: one signature check per list document,
not one per credential that points at it (Bitstring Status List 1.0 section 6.3 lets verifiers
cache lists; a page of 200 credentials from four institutions names four lists).

An entry says "the list document whose fetched bytes hash to ``digest`` verified, with this
accepted proof, and its proofs resolved exactly these verification methods". It is reused only
when both still hold, so it never answers differently from a fresh verification:

- the same bytes: the key is the SHA-256 of the document as fetched; a changed list (a new
  revocation, a tampered or substituted copy) is another key and is verified in full;
- the same keys: a Data Integrity proof's outcome depends only on the document and the
  verification methods it resolves (VC Data Integrity 1.0 section 4.4), so each method is
  resolved again (did:key is local, did:web and https documents come from the fetcher's cache)
  and must give the same key, controller and relationships. A rotation that removed the key,
  or a resolver that cannot answer, sends the list back to a full verification.

Whose list it is (its issuer and the key's controller against the credential's issuer) is not
part of an entry: ``verifier.status_check`` checks it for every credential, at no cost.

Only lists served as JSON are kept. A JWS list's answer also depends on the time (``exp``,
``nbf``) and costs one Ed25519 check without canonicalization, so it is verified every time.

>>> from credentials.did import offline_resolver
>>> VerifiedLists().reusable("ab12", offline_resolver()) is None
True
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from credentials import KeyResolver, PassportError, ProofVerification, VerificationMethod

# An entry is a digest, a proof result and a key or two: 1,000 of them are a few hundred KB.
DEFAULT_MAX_ENTRIES = 1000


class RecordingResolver:
    """A ``KeyResolver`` that remembers what it answered. ``complete`` turns False when any
    resolution failed: a proof set can pass with one proof whose key could not be resolved,
    and that proof may answer otherwise later, so such a verification is not remembered."""

    def __init__(self, inner: KeyResolver) -> None:
        self._inner = inner
        self.methods: dict[str, VerificationMethod] = {}
        self.complete = True

    def resolve(self, verification_method: str) -> VerificationMethod:
        try:
            method = self._inner.resolve(verification_method)
        except PassportError:
            self.complete = False
            raise
        self.methods[verification_method] = method
        return method


_Entry = tuple[ProofVerification, Mapping[str, VerificationMethod]]


class VerifiedLists:
    """A bounded, thread-safe LRU of verified list documents, shared by every verification
    of one verifier service. See the module docstring for when an entry is reused."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def reusable(self, digest: str, resolver: KeyResolver) -> ProofVerification | None:
        """The accepted proof of the list with ``digest`` when it verified and its keys are
        unchanged; None when it must be verified."""
        with self._lock:
            entry = self._entries.get(digest)
            if entry is not None:
                self._entries.move_to_end(digest)
        if entry is None:
            return None
        accepted, methods = entry
        try:
            unchanged = all(resolver.resolve(key) == method for key, method in methods.items())
        except PassportError:
            return None
        return accepted if unchanged else None

    def remember(
        self, digest: str, accepted: ProofVerification, resolved: RecordingResolver
    ) -> None:
        """Keep a list whose proof just verified with the keys ``resolved`` gave."""
        if not resolved.complete or not resolved.methods:
            return
        with self._lock:
            self._entries[digest] = (accepted, dict(resolved.methods))
            self._entries.move_to_end(digest)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
