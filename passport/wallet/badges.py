"""The badge pictures of held credentials (issue #16).

A credential of one of this deployment's institutions shows that institution's badge: its
brand colour and its logo (``issuers.award_delivery.badge_art``). Only when the credential's
live report shows that the signing key is the issuer's (``key_is_issuers``), as for the
registry name (``passport.wallet.display.issuer_view``): a forgery naming one of our
institutions' DIDs gets the palette colour and the initials of the name it claims, never the
institution's look. Any other credential's colour comes from its issuer's identifier.

Institutions are found by every DID they have had (a did:key institution takes a new DID when
its key is rotated or revoked), in two queries for a whole page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlmodel import Session, col, select

from credentials.badge_art import BadgeArt
from issuers.award_delivery import badge_art
from issuers.identity import ISSUER_OWNER_KIND, institution_owner
from issuers.tables import Institution
from keys.tables import SigningKey
from passport.wallet.tables import StoredCredential
from verifier.explain import key_is_issuers
from verifier.pipeline import VerificationReport


def institutions_by_did(session: Session, dids: Iterable[str]) -> dict[str, Institution]:
    """This deployment's institutions among the issuers ``dids``, by the DID asked for."""
    wanted = set(dids)
    if not wanted:
        return {}
    found = {
        row.did: row
        for row in session.exec(select(Institution).where(col(Institution.did).in_(wanted)))
    }
    earlier = wanted - set(found)
    if not earlier:
        return found
    prefix = f"{ISSUER_OWNER_KIND}:"
    owners = dict(
        session.exec(
            select(SigningKey.did, SigningKey.owner_id)
            .where(col(SigningKey.did).in_(earlier))
            .where(col(SigningKey.owner_id).startswith(prefix))
        ).all()
    )
    slugs = {owner.removeprefix(prefix) for owner in owners.values()}
    by_owner = {
        institution_owner(row): row
        for row in session.exec(select(Institution).where(col(Institution.slug).in_(slugs)))
    }
    return found | {did: by_owner[owner] for did, owner in owners.items() if owner in by_owner}


def stored_badge_art(stored: StoredCredential, institution: Institution | None = None) -> BadgeArt:
    """The badge of ``stored``: ``institution``'s when given, else made of its claims."""
    title = str(stored.display.get("title") or "")
    if institution is not None:
        return badge_art(title, institution)
    return BadgeArt(
        title, str(stored.display.get("issuer_claimed_name") or ""), stored.issuer_id or ""
    )


def badge_arts(
    session: Session,
    credentials: Iterable[StoredCredential],
    reports: Mapping[str, VerificationReport],
) -> dict[str, BadgeArt]:
    """The badge of each credential (by its id), its institution's where the report allows."""
    held = list(credentials)
    trusted = {
        stored.id: stored.issuer_id
        for stored in held
        if stored.issuer_id and stored.id in reports and key_is_issuers(reports[stored.id].checks)
    }
    institutions = institutions_by_did(session, (did for did in trusted.values() if did))
    return {
        stored.id: stored_badge_art(stored, institutions.get(trusted.get(stored.id) or ""))
        for stored in held
    }


def badge_of(session: Session, stored: StoredCredential, report: VerificationReport) -> BadgeArt:
    """The badge of one credential (``badge_arts``)."""
    return badge_arts(session, [stored], {stored.id: report})[stored.id]
