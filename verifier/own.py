"""The deployment's own documents come from its own records, never over its public URL.

A deployment that verifies a credential it issued itself must not fetch its own DID documents and
status lists over HTTP: its public URL may not be reachable from inside (a load balancer, a
private address that the guarded fetcher refuses), a CDN may serve an answer minutes old, and a
revocation must show at once. ``OwnDocuments`` is what the shell hands the verifier for that: one
object that answers for the deployment's own DIDs (every DID each institution has had, did:key
ones included), status lists, key records and institutions, and says "not ours" (None) for
everything else. ``OwnFirstResolver`` and ``OwnFirstStatusLists`` put it in front of whatever
resolves the rest of the world (the guarded fetcher in the server, offline files in the CLI).
Contexts need no such help: every context we accept is bundled (``credentials.contexts``).

The shell's implementation is ``passport.own_documents.DeploymentDocuments``; the verifier may
not import it (tests/test_dependency_rule.py), only this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from credentials import KeyResolver, PassportError, VerificationMethod
from verifier.context import FetchedDocument, OwnRecords, StatusListSource
from verifier.registry import RegistryEntry


class OwnDocuments(OwnRecords, Protocol):
    """The deployment's own documents and records, read from its database. Every method
    answers None for what is not the deployment's, so that the caller asks the outside world
    instead."""

    def resolve_own(self, verification_method: str) -> VerificationMethod | None:
        """The stored key ``verification_method`` when its DID is one of ours (``KeyNotFound``
        when the DID is ours but the key is not, or is unpublished); None when not ours."""
        ...

    def own_status_list(self, url: str, now: datetime) -> FetchedDocument | None:
        """The signed status list at ``url`` as of ``now`` when ``url`` is one of ours (its
        current bits: a revocation shows at once); None when not ours."""
        ...

    def revision(self) -> str:
        """A token that changes whenever our records change in a way a report may depend on
        (a status bit, a key's state), read from the shared records: caches of reports
        (``verifier.outcome_cache``) key on it, so our own revocations show at once in every
        process."""
        ...

    def entry(self, issuer_id: str) -> RegistryEntry | None:
        """Our institution whose DID (current or former) is ``issuer_id``, named from our
        records; None when it is not ours. Makes this a ``RegistrySource``."""
        ...


@dataclass(frozen=True)
class OwnFirstResolver:
    """A ``KeyResolver``: our own keys from our records, every other key from ``others``.

    One is made per verification (``VerifierService.context``), and it asks for each method
    once: one verification resolves the same key for the credential's proof, again for its
    status list's proof, for the list's reuse check and for the key's binding to its issuer,
    which were four database queries for our own key."""

    own: OwnDocuments
    others: KeyResolver
    _answers: dict[str, VerificationMethod | PassportError] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def resolve(self, verification_method: str) -> VerificationMethod:
        answer = self._answers.get(verification_method)
        if answer is None:
            try:
                answer = self.own.resolve_own(verification_method) or self.others.resolve(
                    verification_method
                )
            except PassportError as error:
                answer = error
            self._answers[verification_method] = answer
        if isinstance(answer, PassportError):
            raise answer
        return answer


@dataclass(frozen=True)
class OwnFirstStatusLists:
    """A ``StatusListSource``: our own lists from our records, every other list from ``others``."""

    own: OwnDocuments
    others: StatusListSource
    now: datetime

    def fetch_status_list(self, url: str) -> FetchedDocument:
        document = self.own.own_status_list(url, self.now)
        return document if document is not None else self.others.fetch_status_list(url)
