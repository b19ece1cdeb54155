"""Claim links for a whole cohort at once: one fresh offer per award of a batch, as a CSV.

A registrar of a 150-learner cohort needs 150 links, not 150 clicks. ``cohort_claim_links``
makes a new offer (``offers.create_offer``, which replaces each award's earlier unused link)
for every award of the batch that is not revoked, records each in the audit log, and
``claim_links_csv`` writes them for a mail merge: the secrets are in the file only, shown once.

>>> claim_links_csv([]).splitlines()[0]
'external_id,name,email,claim_url,expires_at'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from issuers.audit import log as audit
from issuers.awards import offers
from issuers.awards.tables import Award, AwardState
from issuers.tables import Institution


@dataclass(frozen=True)
class ClaimLink:
    award: Award
    url: str
    expires_at: datetime


def cohort_claim_links(
    session: Session,
    institution: Institution,
    batch_id: str,
    base_url: str,
    actor: str,
    now: datetime,
) -> list[ClaimLink]:
    """A new claim link for each award of the batch that can still be claimed (flushes only)."""
    statement = (
        select(Award)
        .where(
            col(Award.institution_id) == institution.id,
            col(Award.batch_id) == batch_id,
            col(Award.state) != AwardState.REVOKED,
        )
        .order_by(col(Award.learner_name), col(Award.id))
    )
    links = []
    for award in session.exec(statement).all():
        created = offers.create_offer(session, award, now)
        audit.record(
            session,
            institution_id=award.institution_id,
            award_id=award.id,
            actor=actor,
            action=audit.AuditAction.OFFER_CREATED,
            reason="cohort claim links downloaded",
            now=now,
        )
        links.append(
            ClaimLink(award, offers.claim_page_url(base_url, created.secret), created.expires_at)
        )
    return links


def claim_links_csv(links: Sequence[ClaimLink]) -> str:
    """``external_id,name,email,claim_url,expires_at``, one row per link."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["external_id", "name", "email", "claim_url", "expires_at"])
    for link in links:
        award = link.award
        writer.writerow(
            [
                _safe_cell(award.external_id or ""),
                _safe_cell(award.learner_name),
                award.learner_email,
                link.url,
                link.expires_at.isoformat(),
            ]
        )
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """A name that a spreadsheet would run as a formula is quoted (OWASP CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
