"""The affected awards of a compromised key: ``/api/v1/institutions/{slug}/keys/affected-awards``.

- ``GET ...?key_id=&offset=&limit=``: every award the key signed, oldest first, in pages;
- ``POST .../revoke`` ``{"key_id", "reason"}``: revoke them all at once;
- ``POST .../reissue`` ``{"key_id", "limit"}``: re-issue up to ``limit`` of them with the new
  key, each with a new claim offer for its learner (call again while ``remaining`` > 0).

Each needs an API key with ``manage_keys``; a key of another institution is 404
(``issuers.key_compromise.affected_awards``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from infra import BaseUrlDep, NowDep, SessionDep
from issuers.awards import offers
from issuers.awards.api_models import (
    AffectedAwardsPage,
    AffectedReissue,
    AffectedReissued,
    AffectedRevoke,
    AffectedRevoked,
    AwardPublic,
    ReissuedAward,
)
from issuers.deps import MasterKeyDep, require_institution_scope
from issuers.key_compromise.affected_awards import (
    MAX_PAGE,
    affected_awards,
    reissue_affected,
    revoke_affected,
)
from issuers.tables import Institution

PATH = "/api/v1/institutions/{slug}/keys/affected-awards"
ManageKeys = Annotated[Institution, Depends(require_institution_scope("manage_keys"))]


def create_key_compromise_router() -> APIRouter:
    router = APIRouter(tags=["keys"])

    @router.get(PATH)
    def affected(
        institution: ManageKeys,
        session: SessionDep,
        master: MasterKeyDep,
        now: NowDep,
        key_id: Annotated[str, Query(min_length=1, max_length=512)],
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    ) -> AffectedAwardsPage:
        """Every award the key signed (each copy its own award), oldest first."""
        page = affected_awards(
            session, master, now, institution, key_id, offset=offset, limit=limit
        )
        awards = [AwardPublic.of(award) for award in page.awards]
        return AffectedAwardsPage(
            key_id=key_id, total=page.total, offset=offset, limit=limit, awards=awards
        )

    @router.post(f"{PATH}/revoke")
    def revoke(
        body: AffectedRevoke,
        institution: ManageKeys,
        session: SessionDep,
        master: MasterKeyDep,
        now: NowDep,
    ) -> AffectedRevoked:
        """Revoke every award the key signed that still stands."""
        count = revoke_affected(
            session, master, now, institution, body.key_id, actor="api", reason=body.reason
        )
        session.commit()
        return AffectedRevoked(key_id=body.key_id, revoked=count)

    @router.post(f"{PATH}/reissue")
    def reissue(
        body: AffectedReissue,
        institution: ManageKeys,
        session: SessionDep,
        master: MasterKeyDep,
        now: NowDep,
        base_url: BaseUrlDep,
    ) -> AffectedReissued:
        """Re-issue the key's awards with the active key; a new claim offer for each."""
        done, remaining = reissue_affected(
            session,
            master,
            now,
            institution,
            body.key_id,
            actor="api",
            base_url=base_url,
            limit=body.limit,
        )
        session.commit()
        reissued = [
            ReissuedAward(
                replaced_award_id=item.old.id,
                award=AwardPublic.of(item.new),
                offer_uri=offers.offer_uri(base_url, item.offer.secret),
                tx_code=item.offer.tx_code,
                expires_at=item.offer.expires_at,
            )
            for item in done
        ]
        return AffectedReissued(key_id=body.key_id, reissued=reissued, remaining=remaining)

    return router
