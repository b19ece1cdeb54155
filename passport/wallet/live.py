"""Live verification of stored credentials, with a short cache.

The passport and the share pages show each credential with the verifier's *current* answer:
revoked, suspended and expired credentials are marked, never hidden. Verifying an
``eddsa-rdfc-2022`` credential costs milliseconds (canonicalization), so a page of 200 would take
seconds; the result is therefore cached per stored credential for ``DEFAULT_TTL_SECONDS``.

What the cache means, honestly:

- the key is the stored credential's id and the SHA-256 of its bytes (bytes never change; the
  hash keeps a cache entry from ever outliving a replaced row);
- the deployment's own credentials are keyed also by the state of its own records
  (``OwnDocuments.revision``): their revocations and key compromises show at once;
- a revocation, an expiry, a change in the trust registry or in the issuer's keys shows up at
  most ``ttl`` seconds late, plus however long the guarded fetcher may keep the status list
  (its ``max-age``, 5 minutes by default). The report's "checked as of" time says how old the
  status answer is;
- entries live in this process only (each app process has its own), at most ``max_entries``,
  least recently used evicted first; deleting a credential forgets its entry.

Imports, presentations and the employer's share page are never answered from the cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from credentials.proofs.base import ProofExpectations
from credentials.report import Outcome, Verdict
from passport.wallet.tables import StoredCredential
from verifier.inputs import VerifiableInput, read_input
from verifier.pipeline import VerificationReport, verify_input
from verifier.service import VerifierService
from verifier.wording.rendering import explained_report

DEFAULT_TTL_SECONDS = 120.0
DEFAULT_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class LiveState:
    """The marks a timeline entry carries beside the verdict."""

    verdict: Verdict
    revoked: bool
    suspended: bool
    expired: bool


def live_state(report: VerificationReport) -> LiveState:
    failed = {check.message_key for check in report.checks if check.outcome is Outcome.FAILED}
    return LiveState(
        verdict=report.verdict,
        revoked="status.revoked" in failed,
        suspended="status.suspended" in failed,
        expired="validity.expired" in failed,
    )


class LiveVerifier:
    """The app's verifier service, plus the short cache of stored credentials' reports."""

    def __init__(
        self,
        service: VerifierService,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.ttl = ttl
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._entries: OrderedDict[tuple[str, str, str], tuple[float, VerificationReport]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def _own_revision(self, stored: StoredCredential) -> str:
        """For the deployment's own credentials, the state of its records that a report
        depends on (status bits, keys): a revocation changes it, so it shows at once."""
        own = self.service.own_documents
        if own is None or stored.issuer_id is None:
            return ""
        return own.revision(stored.issuer_id) or ""

    def verify(
        self,
        item: VerifiableInput,
        now: datetime,
        presentation: ProofExpectations | None = None,
    ) -> VerificationReport:
        """A fresh verification (imports, claims, presentations): never cached."""
        context = self.service.context(now)
        if presentation is not None:
            context = replace(context, presentation=presentation)
        return verify_input(item, context)

    def report_for(
        self, stored: StoredCredential, now: datetime, *, fresh: bool = False
    ) -> VerificationReport:
        """The cached report, or with ``fresh`` a new one (which then refreshes the cache): the
        employer's share page and a PDF say when they were checked, so they are checked when
        shown. The deployment's own revocations change ``_own_revision``, so the learner's own
        pages show them at once too."""
        key = (stored.id, stored.content_sha256, self._own_revision(stored))
        with self._lock:
            cached = None if fresh else self._entries.get(key)
            if cached is not None and self._monotonic() < cached[0]:
                self._entries.move_to_end(key)
                return cached[1]
        report = self.verify(read_input(stored.content), now)
        with self._lock:
            self._entries[key] = (self._monotonic() + self.ttl, report)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return report

    def reports_for(
        self, credentials: Iterable[StoredCredential], now: datetime, *, fresh: bool = False
    ) -> dict[str, VerificationReport]:
        return {stored.id: self.report_for(stored, now, fresh=fresh) for stored in credentials}

    def forget(self, stored: StoredCredential) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[0] == stored.id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def explained(self, report: VerificationReport, language: str) -> dict[str, Any]:
        """The report in the employer page's words (``verifier.wording.rendering``)."""
        return explained_report(report, language, self.service.registry)
