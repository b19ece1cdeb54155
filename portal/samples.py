"""The sample credential of a program page: what a learner receives, signed so that it verifies.

A sample must never be mistakable for an award, so it is NOT signed with the institution's key:
``SampleIssuer`` holds an Ed25519 key of its own, generated in memory when the app starts and
never stored, and signs as that key's did:key. The credential's name, the issuer's name and the
learner's name all say SAMPLE / EXEMPLE. Verifying it shows every check passing except issuer
trust: the sample key is in no registry of recognized institutions, which is the point.

The key proves nothing and guards nothing, so it needs no custody: a new one per process is
fine (each sample names its own did:key, which resolves from itself, so a sample downloaded
from any process verifies anywhere).

>>> from datetime import UTC, datetime
>>> SampleIssuer().did.startswith("did:key:z6Mk")
True
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import (
    Achievement,
    AchievementSubject,
    Ed25519Signer,
    IdentityObject,
    build_achievement_credential,
    did_key_for,
    did_key_verification_method,
    offline_resolver,
    secure,
    validate_document,
)
from issuers import Institution, Program, achievement_for
from verifier import OfflineStatusLists, VerificationContext, VerificationReport, verify_document

SAMPLE_MECHANISM = "eddsa-rdfc-2022"
SAMPLE_LEARNER = "SAMPLE / EXEMPLE Learner"
MAX_CACHED = 256


@dataclass(frozen=True)
class Sample:
    credential: dict[str, Any]
    report: VerificationReport


class SampleIssuer:
    """Signs (and verifies) the sample credential of each program; samples are cached per
    program version (``updated_at``), since signing canonicalizes the whole document."""

    def __init__(self) -> None:
        key = Ed25519PrivateKey.generate()
        self.did = did_key_for(key.public_key())
        self._signer = Ed25519Signer(key, did_key_verification_method(self.did))
        self._cache: OrderedDict[tuple[int | None, datetime], Sample] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SampleIssuer(did={self.did!r})"

    def sample_for(
        self, base_url: str, institution: Institution, program: Program, now: datetime
    ) -> Sample:
        key = (program.id, program.updated_at)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        credential = self._signed(base_url, institution, program, now)
        context = VerificationContext(now, offline_resolver(), OfflineStatusLists({}, now))
        sample = Sample(credential, verify_document(credential, context))
        with self._lock:
            self._cache[key] = sample
            while len(self._cache) > MAX_CACHED:
                self._cache.popitem(last=False)
        return sample

    def _signed(
        self, base_url: str, institution: Institution, program: Program, now: datetime
    ) -> dict[str, Any]:
        achievement = validate_document(
            Achievement,
            achievement_for(base_url, institution, program),
            what="achievement",
            reading=False,
        )
        issuer = {
            "id": self.did,
            "type": ["Profile"],
            "name": f"SAMPLE / EXEMPLE: not issued by {institution.legal_name_en}",
        }
        subject = AchievementSubject(
            identifier=[
                IdentityObject(hashed=False, identity_hash=SAMPLE_LEARNER, identity_type="name")
            ]
        )
        name = achievement.name if isinstance(achievement.name, str) else program.slug
        credential = build_achievement_credential(
            credential_id=f"urn:uuid:00000000-0000-4000-8000-{program.id or 0:012d}",
            issuer=issuer,
            achievement=achievement,
            subject=subject,
            valid_from=now,
            name=f"SAMPLE / EXEMPLE: {name}",
            description="A sample of the credential this program awards. It is not an award.",
        )
        signed = secure(credential, self._signer, SAMPLE_MECHANISM, now=now)
        assert isinstance(signed, dict)
        return signed
