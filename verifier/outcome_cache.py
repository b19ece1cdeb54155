"""Verification outcomes kept while everything they depend on is unchanged (issue #19).

A report is a function of: the verified bytes (a stored credential, or what an employer sent
the verify API); the deployment's own records (its status lists' bits, its keys' states:
``OwnDocuments.revision``); every status list and key document fetched from elsewhere; the trust
registry; and the clock. The cache keeps a report under the bytes' SHA-256 together with what
those inputs were when it was made, and answers from it only while each is still the same:

- **own records**: the revision read *before* the verification began must equal the revision
  read now. It is read from the database, so a revoke made by any process (or a key compromise,
  an unpublished key) is seen by every process at the next lookup;
- **other deployments' status lists**: each list is asked of the fetch layer again (which keeps
  it while the origin's freshness allows and revalidates after) and its digest must be the one
  the report was made with; the entry also dies when the list itself goes stale: at its
  ``validUntil``, or ``ttl`` milliseconds after it was fetched (Bitstring Status List 1.0
  section 2.2). So "not revoked" is never shown beyond the list's own freshness;
- **key documents**: each verification method resolved from elsewhere must resolve to the same
  key (its digest: id, controller, public key, relationships, revocation date);
- **the trust registry**: its version must be the same;
- **the clock**: the entry dies at the first instant, give or take the leeway, that the input
  names anywhere (``verifier.written_dates``: validity, a proof's ``created`` / ``expires``, a
  JWT's ``exp`` / ``nbf``, in nested and enveloped credentials too), and after ``ttl`` seconds
  at most.

A report that could not check something (a status list unreachable, a key host down) is never
kept: the next view tries again. Entries live in the memory of one process (LRU, at most
``max_entries``); correctness across processes comes from reading the own revision from the
shared database, not from messages between processes.

>>> cache = OutcomeCache(ttl=60)
>>> cache.ttl
60.0
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials import KeyResolver, Outcome, PassportError, VerificationMethod, instant_or_none
from verifier.context import FetchedDocument, StatusListSource, VerificationContext
from verifier.inputs import VerifiableInput
from verifier.own import OwnFirstResolver, OwnFirstStatusLists
from verifier.pipeline import VerificationReport, verify_input
from verifier.written_dates import written_instants

DEFAULT_TTL_SECONDS = 300.0
DEFAULT_MAX_ENTRIES = 10_000


def key_digest(method: VerificationMethod) -> str:
    """What a proof check reads of a resolved key, as one SHA-256 (hex)."""
    public = method.public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    parts = [
        method.id,
        method.controller,
        public.hex(),
        ",".join(sorted(method.relationships)),
        method.revoked.isoformat() if method.revoked else "",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def list_fresh_until(document: FetchedDocument) -> datetime | None:
    """When a fetched status list stops being fresh: its ``validUntil``, or ``ttl`` (milliseconds,
    Bitstring Status List 1.0 section 2.2) after it was fetched, whichever is first. A list
    served as a JWS is not opened here: only the fetch layer's freshness bounds it."""
    content = document.content
    if not isinstance(content, dict):
        return None
    bounds = []
    until = instant_or_none(content.get("validUntil", content.get("expirationDate")))
    if until is not None:
        bounds.append(until)
    subject = content.get("credentialSubject")
    ttl = subject.get("ttl") if isinstance(subject, dict) else None
    if isinstance(ttl, int | float) and not isinstance(ttl, bool) and ttl > 0:
        bounds.append(document.fetched_at + timedelta(milliseconds=ttl))
    return min(bounds, default=None)


@dataclass
class _Seen:
    """What one verification was answered from outside the deployment's own records."""

    lists: dict[str, str | None] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    fresh_until: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class _RecordingLists:
    inner: StatusListSource
    seen: _Seen

    def fetch_status_list(self, url: str) -> FetchedDocument:
        document = self.inner.fetch_status_list(url)
        self.seen.lists[url] = document.digest
        until = list_fresh_until(document)
        if until is not None:
            self.seen.fresh_until.append(until)
        return document


@dataclass(frozen=True)
class _RecordingResolver:
    inner: KeyResolver
    seen: _Seen

    def resolve(self, verification_method: str) -> VerificationMethod:
        method = self.inner.resolve(verification_method)
        self.seen.keys[verification_method] = key_digest(method)
        return method


def _outside(context: VerificationContext) -> tuple[StatusListSource, KeyResolver]:
    """The sources that answer for the rest of the world (the own ones are covered by the
    revision)."""
    lists, resolver = context.status_lists, context.resolver
    if isinstance(lists, OwnFirstStatusLists):
        lists = lists.others
    if isinstance(resolver, OwnFirstResolver):
        resolver = resolver.others
    return lists, resolver


def recording(context: VerificationContext, seen: _Seen) -> VerificationContext:
    """``context`` whose outside sources write down what they answered into ``seen``."""
    lists, resolver = _outside(context)
    recorded_lists = _RecordingLists(lists, seen)
    recorded_keys = _RecordingResolver(resolver, seen)
    own_lists, own_resolver = context.status_lists, context.resolver
    return replace(
        context,
        status_lists=(
            replace(own_lists, others=recorded_lists)
            if isinstance(own_lists, OwnFirstStatusLists)
            else recorded_lists
        ),
        resolver=(
            replace(own_resolver, others=recorded_keys)
            if isinstance(own_resolver, OwnFirstResolver)
            else recorded_keys
        ),
    )


@dataclass(frozen=True)
class _Entry:
    report: VerificationReport
    own_revision: str | None
    registry_version: str
    lists: tuple[tuple[str, str | None], ...]
    keys: tuple[tuple[str, str], ...]
    expires: float

    def still_holds(self, context: VerificationContext) -> bool:
        """Whether every list and key from elsewhere still answers as it did (asked of the
        fetch layer, which holds them while their origin says they are fresh)."""
        lists, resolver = _outside(context)
        try:
            if any(lists.fetch_status_list(url).digest != digest for url, digest in self.lists):
                return False
            return all(key_digest(resolver.resolve(vm)) == digest for vm, digest in self.keys)
        except PassportError:
            return False


def _reports(report: VerificationReport) -> Iterator[VerificationReport]:
    yield report
    for inner in (*report.parts, *report.endorsements):
        yield from _reports(inner)


def checked_everything(report: VerificationReport) -> bool:
    """No check of the report (or of a credential inside it) could not be checked."""
    return all(
        check.outcome is not Outcome.COULD_NOT_CHECK
        for each in _reports(report)
        for check in each.checks
    )


def changes_ahead(item: VerifiableInput, now: datetime, leeway: timedelta) -> list[datetime]:
    """The future instants at which a check of ``item`` could answer otherwise: each instant it
    names (``verifier.written_dates``), ``leeway`` before it (a ``validFrom`` or ``nbf`` begins
    to hold) and after it (a ``validUntil``, ``exp`` or proof ``expires`` stops holding)."""
    instants: list[datetime] = []
    for written in written_instants(item):
        instants.extend((written - leeway, written + leeway))
    return [instant for instant in instants if instant > now]


class OutcomeCache:
    """Reports under the digest of the verified bytes, with what each depended on. One per
    verifier service: the verify API and the passport's pages share it."""

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = float(ttl)
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._asked_once: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def admits(self, digest: str) -> bool:
        """Whether a report on the bytes ``digest`` is worth keeping: one is kept already, or
        they were asked about once before. Most bytes sent to the verify API are sent once, and
        their verification then pays nothing for the cache: not the read of our records'
        revision that keeping needs, nor an entry that would push out one in use. A cache of
        no entries admits nothing."""
        if self.max_entries <= 0:
            return False
        with self._lock:
            if digest in self._entries:
                return True
            if digest in self._asked_once:
                del self._asked_once[digest]
                return True
            self._asked_once[digest] = None
            while len(self._asked_once) > self.max_entries:
                self._asked_once.popitem(last=False)
        return False

    def lookup(
        self,
        digest: str,
        context: VerificationContext,
        own_revision: str | None,
        registry_version: str,
    ) -> VerificationReport | None:
        """The kept report for the credential ``digest`` if everything it depended on is
        unchanged; None otherwise (a stale entry is dropped)."""
        with self._lock:
            entry = self._entries.get(digest)
        if entry is None:
            return None
        holds = (
            self._monotonic() < entry.expires
            and entry.own_revision == own_revision
            and entry.registry_version == registry_version
            and entry.still_holds(context)
        )
        with self._lock:
            if not holds:
                if self._entries.get(digest) is entry:
                    del self._entries[digest]
                return None
            if digest in self._entries:
                self._entries.move_to_end(digest)
        return entry.report

    def verify(
        self,
        digest: str,
        item: VerifiableInput,
        context: VerificationContext,
        own_revision: str | None,
        registry_version: str,
    ) -> VerificationReport:
        """Verify ``item`` (whose bytes' digest is ``digest``) on a recording ``context``,
        keeping the report unless it could not check something. ``own_revision`` must have
        been read before this call: a change of our records during the verification then
        makes the next lookup miss."""
        seen = _Seen()
        report = verify_input(item, recording(context, seen))
        if checked_everything(report):
            self._keep(digest, item, report, context, seen, (own_revision, registry_version))
        return report

    def _keep(
        self,
        digest: str,
        item: VerifiableInput,
        report: VerificationReport,
        context: VerificationContext,
        seen: _Seen,
        versions: tuple[str | None, str],
    ) -> None:
        if None in seen.lists.values():
            return  # a list without a digest could not be compared at the next view
        now = context.now
        deadlines = [*seen.fresh_until, *changes_ahead(item, now, context.leeway)]
        lifetime = min([self.ttl, *((d - now).total_seconds() for d in deadlines)])
        if lifetime <= 0:
            return
        entry = _Entry(
            report,
            *versions,
            tuple(seen.lists.items()),
            tuple(seen.keys.items()),
            self._monotonic() + lifetime,
        )
        with self._lock:
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, digests: Iterable[str]) -> None:
        with self._lock:
            for digest in digests:
                self._entries.pop(digest, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._asked_once.clear()

    def __len__(self) -> int:
        return len(self._entries)
