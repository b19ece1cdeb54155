"""Employer endorsements of a program, each verified by the verifier pipeline before it is shown.

An endorsement is shown with the verdict of ``verifier.pipeline.verify_document`` over the exact
JSON the employer signed (``issuers.tables.ProgramEndorsement.signed_json``), never with a
verdict assumed from where it is stored. Employers' keys are ours (``keys.store``): did:key
resolves from itself and our did:web keys from the key store, so no network is used. Employers
are in no registry of recognized institutions, so a sound endorsement verifies with that one
warning ("verified with warnings").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from credentials import DID_KEY_PREFIX, ChainResolver, DidKeyResolver
from issuers import Employer, Program, ProgramEndorsement
from keys import LocalKeyStoreResolver
from verifier import OfflineStatusLists, VerificationContext, VerificationReport, verify_document


@dataclass(frozen=True)
class VerifiedEndorsement:
    employer: Employer
    credential: dict[str, Any]
    report: VerificationReport

    @property
    def comment(self) -> str | None:
        subject = self.credential.get("credentialSubject")
        comment = subject.get("endorsementComment") if isinstance(subject, dict) else None
        return comment if isinstance(comment, str) else None


def verified_endorsements(
    session: Session, program: Program, now: datetime
) -> list[VerifiedEndorsement]:
    """Every endorsement of ``program``, oldest first, each with its verification report."""
    rows = session.exec(
        select(ProgramEndorsement, Employer)
        .join(Employer, col(Employer.id) == col(ProgramEndorsement.employer_id))
        .where(col(ProgramEndorsement.program_id) == program.id)
        .order_by(col(ProgramEndorsement.created_at), col(ProgramEndorsement.id))
    ).all()
    resolver = ChainResolver(
        [(DID_KEY_PREFIX, DidKeyResolver()), ("did:web:", LocalKeyStoreResolver(session))]
    )
    context = VerificationContext(now, resolver, OfflineStatusLists({}, now))
    shown = []
    for endorsement, employer in rows:
        credential = json.loads(endorsement.signed_json)
        shown.append(
            VerifiedEndorsement(employer, credential, verify_document(credential, context))
        )
    return shown
