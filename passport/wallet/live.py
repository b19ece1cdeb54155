"""Live verification of stored credentials, answered from the outcome cache.

The passport and the share pages show each credential with the verifier's *current* answer:
revoked, suspended and expired credentials are marked, never hidden. Verifying an
``eddsa-rdfc-2022`` credential costs milliseconds (canonicalization) and, for our own
credentials, several database reads; a kept report is reused while everything it depends on is
unchanged (``verifier.outcome_cache``: our records' revision, other deployments' status lists
and keys as the fetch layer holds them, the registry's version, the credential's validity
dates, and ``DEFAULT_TTL_SECONDS`` at most). A revocation by this deployment shows at once, on
every page and in every process; one by another deployment shows as soon as the fetch layer
holds the new list, never later than that list's own freshness.

Imports, presentations and claims are verified afresh (``verify``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from credentials import Outcome, ProofExpectations, Verdict
from passport.wallet.tables import StoredCredential
from verifier import (
    OutcomeCache,
    VerifiableInput,
    VerificationReport,
    VerifierService,
    explained_report,
    read_input,
    verify_input,
)


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
    """The app's verifier service, whose outcome cache keeps stored credentials' reports."""

    def __init__(self, service: VerifierService) -> None:
        self.service = service

    @property
    def cache(self) -> OutcomeCache:
        return self.service.outcomes

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

    def report_for(self, stored: StoredCredential, now: datetime) -> VerificationReport:
        return self.reports_for([stored], now)[stored.id]

    def reports_for(
        self,
        credentials: Iterable[StoredCredential],
        now: datetime,
        own_revision: str | None = None,
    ) -> dict[str, VerificationReport]:
        """Each credential's report: kept ones while all they depend on is unchanged, the others
        verified now. Our records' revision is read once, before any verification: here, unless
        the caller read it with the credentials (``OWN_REVISION``, a round trip less)."""
        credentials = list(credentials)
        if not credentials:
            return {}
        if own_revision is None:
            own_revision = self.service.own_revision()
        return {
            stored.id: self.service.kept_report(
                stored.content_sha256,
                partial(read_input, stored.content),
                self.service.context(now),
                own_revision,
            )
            for stored in credentials
        }

    def forget(self, stored: StoredCredential) -> None:
        self.cache.forget([stored.content_sha256])

    def clear(self) -> None:
        self.cache.clear()

    def explained(self, report: VerificationReport, language: str) -> dict[str, Any]:
        """The report in the employer page's words (``verifier.wording.rendering``)."""
        return explained_report(report, language, self.service.registry)
