"""The world of the issue #12 attacks: a recognized did:key institution, its signed status list,
and the employer's verification context, all real (signed by the institution's own key).

``verify`` goes through ``read_input`` and ``verify_input`` from raw bytes, as the API, the
employer page and the CLI do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from credentials.did import offline_resolver
from credentials.keys import KeyResolver
from credentials.proofs.base import ProofExpectations
from tests.verifier.support import NOW, REVOKED_INDEX, Issuer
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.inputs import read_input
from verifier.pipeline import VerificationReport, verify_input
from verifier.registry import InstitutionRegistry, RegistryEntry

STATUS_URL = "https://college.example/status/1"
SUSPENSION_URL = "https://college.example/status/suspended"  # REVOKED_INDEX is set on it too
COLLEGE = "Great Lakes College of Applied Arts and Technology"  # the registry's name
CHECKED_AT = NOW + timedelta(days=1)


@dataclass
class World:
    issuer: Issuer = field(default_factory=Issuer)
    resolver: KeyResolver | None = None
    issuer_id: str | None = None

    @property
    def registry(self) -> InstitutionRegistry:
        """The employer's registry: the institution (by ``issuer_id`` or its did:key)."""
        issuer = self.issuer_id or self.issuer.did
        return InstitutionRegistry({issuer: RegistryEntry(issuer, COLLEGE, COLLEGE)})

    def credential(self, index: int = REVOKED_INDEX + 1, **members: Any) -> dict[str, Any]:
        """An unsigned Ontario credential on the institution's status list."""
        return {**self.issuer.credential(STATUS_URL, index), **members}

    def signed(self, document: dict[str, Any], mechanism: str = "eddsa-rdfc-2022") -> Any:
        return self.issuer.sign(document, mechanism)

    def context(self, presentation: ProofExpectations | None = None) -> VerificationContext:
        lists = {
            STATUS_URL: self.issuer.status_list(STATUS_URL),
            SUSPENSION_URL: self.issuer.status_list(SUSPENSION_URL, purpose="suspension"),
        }
        return VerificationContext(
            now=CHECKED_AT,
            resolver=self.resolver or offline_resolver(),
            status_lists=OfflineStatusLists(lists, CHECKED_AT),
            trust_registry=self.registry,
            presentation=presentation,
        )

    def verify(
        self, document: Any, presentation: ProofExpectations | None = None
    ) -> VerificationReport:
        raw = document.encode() if isinstance(document, str) else json.dumps(document).encode()
        return verify_input(read_input(raw), self.context(presentation))


def check(report: VerificationReport, check_id: str) -> Any:
    return next(item for item in report.checks if item.id == check_id)
