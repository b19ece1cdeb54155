"""What a verification needs from the outside world, passed in explicitly.

The pipeline never reads the clock, never opens a socket and never looks up a registry by itself:
the caller hands it ``now``, a key resolver, a status-list source and a trust registry. The CLI
hands offline ones (did:key only, lists given as files); the server hands the guarded fetcher's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from credentials import KeyResolver, ProofExpectations, ResolutionUnavailable
from verifier.hosted_badges import HostedAssertions
from verifier.verified_lists import VerifiedLists


@dataclass(frozen=True)
class FetchedDocument:
    """A document obtained from elsewhere, with the time it was obtained ("checked as of").
    ``digest`` is the SHA-256 (hex) of the bytes as fetched, None when the source holds no
    bytes; only a document with a digest can be answered from ``VerifiedLists``."""

    content: dict[str, Any] | str
    fetched_at: datetime
    digest: str | None = None


class StatusListSource(Protocol):
    def fetch_status_list(self, url: str) -> FetchedDocument:
        """The status list credential at ``url``; ``ResolutionUnavailable`` when unreachable."""
        ...


@dataclass(frozen=True)
class TrustedIssuer:
    """An entry of the trust registry: names come from here, never from the credential."""

    issuer_id: str
    name_en: str
    name_fr: str
    kind: str = "institution"
    # "active", or "suspended"/"withdrawn": a registry keeps such entries so that the verifier can
    # say so instead of calling a withdrawn institution merely "unknown".
    status: str = field(default="active", kw_only=True)


class TrustRegistry(Protocol):
    def lookup(self, issuer_id: str) -> TrustedIssuer | None:
        """The registry's entry for ``issuer_id`` whatever its status; None when not listed."""
        ...


@dataclass(frozen=True)
class StaticTrustRegistry:
    entries: Mapping[str, TrustedIssuer] = field(default_factory=dict)

    def lookup(self, issuer_id: str) -> TrustedIssuer | None:
        return self.entries.get(issuer_id)


@dataclass(frozen=True)
class OfflineStatusLists:
    """Status lists the caller already holds (files given to the CLI, test fixtures)."""

    documents: Mapping[str, dict[str, Any] | str]
    as_of: datetime

    def fetch_status_list(self, url: str) -> FetchedDocument:
        document = self.documents.get(url)
        if document is None:
            raise ResolutionUnavailable(f"the status list {url} is not available offline")
        return FetchedDocument(document, self.as_of)


class OwnRecords(Protocol):
    """What only the deployment's own records can tell about its own credentials
    (``verifier.own.OwnDocuments`` has it; "our records are the truth for our institutions")."""

    def recorded_before_compromise(self, key_id: str, signature: str) -> bool:
        """Whether we issued and recorded a credential with exactly this signature, made with
        ``key_id`` before that key's compromise."""
        ...

    def same_institution(self, issuer_id: str, other_id: str) -> bool:
        """Whether both ids are DIDs one of our institutions has had (a did:key institution
        takes a new DID at each rotation, and its status lists are signed with the newest)."""
        ...


@dataclass(frozen=True)
class VerificationContext:
    """Everything a verification depends on. ``allow_published_test_keys`` is for test suites:
    the 1EdTech fixtures are signed with a key whose private half is public. ``verified_lists``
    outlives one verification (the service keeps one); None verifies every list every time.
    ``own_records`` are the deployment's own, when it verifies as a deployment."""

    now: datetime
    resolver: KeyResolver
    status_lists: StatusListSource
    trust_registry: TrustRegistry = field(default_factory=StaticTrustRegistry)
    leeway: timedelta = timedelta(minutes=5)
    presentation: ProofExpectations | None = None
    allow_published_test_keys: bool = False
    verified_lists: VerifiedLists | None = None
    own_records: OwnRecords | None = None
    hosted_assertions: HostedAssertions | None = None


def dated(expectations: ProofExpectations, context: VerificationContext) -> ProofExpectations:
    """``expectations`` with the verification's ``now`` and leeway, so proof dates are checked."""
    return replace(expectations, now=context.now, leeway=context.leeway)
