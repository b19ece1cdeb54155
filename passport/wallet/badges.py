"""The badge pictures of held credentials (issue #16).

A credential of one of this deployment's institutions shows that institution's badge: its
brand colour and its logo (``issuers.awards.delivery.badge_art``). Only when the credential's
live report shows that the signing key is the issuer's (``key_is_issuers``), as for the
registry name (``passport.wallet.display.issuer_view``): a forgery naming one of our
institutions' DIDs gets the palette colour and the initials of the name it claims, never the
institution's look. Any other credential's colour comes from its issuer's identifier.

Institutions are found by every DID they have had (a did:key institution takes a new DID when
its key is rotated or revoked), in one query for a whole page, and only when a credential on
it is ours (``DeploymentDocuments.is_our_institution`` answers from memory). Their looks are
then kept with the snapshot of what is ours (``DeploymentDocuments.kept_looks``): a look
changed through this process shows at once, through another within ``OURS_TTL_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy import bindparam, literal
from sqlmodel import Session, col, select
from starlette.requests import Request

from credentials import BadgeArt
from infra import SessionDep
from issuers import ISSUER_OWNER_KIND, Institution, badge_art
from keys import SigningKey
from passport.own_documents import DeploymentDocuments
from passport.wallet.tables import StoredCredential
from verifier import VerificationReport, key_is_issuers

_INSTITUTIONS_BY_DID = (
    select(SigningKey.did, Institution)
    .join(
        Institution,
        col(SigningKey.owner_id)
        == literal(f"{ISSUER_OWNER_KIND}:").op("||")(col(Institution.slug)),
    )
    .where(col(SigningKey.did).in_(bindparam("dids", expanding=True)))
)


def institutions_by_did(session: Session, dids: Iterable[str]) -> dict[str, Institution]:
    """This deployment's institutions whose DID is, or was, one of ``dids`` (their keys record
    every DID they have had), by that DID: one query."""
    wanted = set(dids)
    if not wanted:
        return {}
    return dict(session.exec(_INSTITUTIONS_BY_DID, params={"dids": list(wanted)}).all())


def stored_badge_art(stored: StoredCredential, institution: Institution | None = None) -> BadgeArt:
    """The badge of ``stored``: ``institution``'s when given, else made of its claims."""
    title = str(stored.display.get("title") or "")
    if institution is not None:
        return badge_art(title, institution)
    return BadgeArt(
        title, str(stored.display.get("issuer_claimed_name") or ""), stored.issuer_id or ""
    )


@dataclass(frozen=True)
class Badges:
    """The badges of one request's credentials: its session, and whether a DID is one of this
    deployment's institutions' (``DeploymentDocuments.is_our_institution``, from memory, so a
    page of other issuers' credentials costs no query)."""

    session: Session
    ours: Callable[[str], bool]
    # Institutions by DID, kept between requests (``DeploymentDocuments.kept_looks``): one
    # database round trip fewer per page (issue #19). The default keeps nothing.
    kept_looks: Callable[[], MutableMapping[str, Institution | None]] = dict

    def _institutions(self, dids: set[str]) -> dict[str, Institution]:
        looks = self.kept_looks()
        missing = dids - looks.keys()
        if missing:
            found = institutions_by_did(self.session, missing)
            for did in missing:
                row = found.get(did)
                # A copy outside the session: its rows expire when it commits.
                looks[did] = Institution(**row.model_dump()) if row is not None else None
        return {did: look for did in dids if (look := looks.get(did)) is not None}

    def of_each(
        self, credentials: Iterable[StoredCredential], reports: Mapping[str, VerificationReport]
    ) -> dict[str, BadgeArt]:
        """The badge of each credential (by its id), its institution's where the report
        shows the signing key is the issuer's."""
        held = list(credentials)
        trusted = {
            stored.id: stored.issuer_id
            for stored in held
            if stored.issuer_id
            and self.ours(stored.issuer_id)
            and stored.id in reports
            and key_is_issuers(reports[stored.id].checks)
        }
        institutions = self._institutions({did for did in trusted.values() if did})
        return {
            stored.id: stored_badge_art(stored, institutions.get(trusted.get(stored.id) or ""))
            for stored in held
        }

    def of(self, stored: StoredCredential, report: VerificationReport) -> BadgeArt:
        return self.of_each([stored], {stored.id: report})[stored.id]


async def badges(request: Request, session: SessionDep) -> Badges:
    """A coroutine: FastAPI calls it on the event loop (``infra.clock.request_now``)."""
    own: DeploymentDocuments = request.app.state.own_documents
    return Badges(session, own.is_our_institution, own.kept_looks)


BadgesDep = Annotated[Badges, Depends(badges)]
