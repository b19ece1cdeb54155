"""``GET /status/{list_id}``: an institution's Bitstring Status List credential, public and
cacheable (strong ETag, ``Cache-Control: public, max-age=300``, 304 on ``If-None-Match``).

Signed when asked for, from the bits in the database (``issuers.awards.status_lists``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from credentials import NotFound
from infra import BaseUrlDep, NowDep, SessionDep
from issuers.awards import status_lists
from issuers.awards.tables import StatusList
from issuers.deps import MasterKeyDep
from issuers.identity import status_list_signer_for_institution
from issuers.tables import Institution

# Read from any origin (passport.cors): a verifier anywhere checks a credential's status.
CORS_PATHS = ("/status/{list_id}",)


def create_status_list_router() -> APIRouter:
    router = APIRouter(tags=["awards"])

    @router.get("/status/{list_id}")
    def status_list(
        list_id: str,
        request: Request,
        session: SessionDep,
        master: MasterKeyDep,
        base_url: BaseUrlDep,
        now: NowDep,
    ) -> Response:
        row = session.get(StatusList, list_id)
        institution = session.get(Institution, row.institution_id) if row else None
        if row is None or institution is None:
            raise NotFound(f"no status list {list_id!r}")
        signer = status_list_signer_for_institution(session, master, now, institution)
        signed = status_lists.signed_status_list(session, row, institution, signer, base_url, now)
        session.commit()
        cache = f"public, max-age={status_lists.STATUS_LIST_MAX_AGE_SECONDS}"
        headers = {"ETag": signed.etag, "Cache-Control": cache}
        if request.headers.get("if-none-match") == signed.etag:
            return Response(status_code=304, headers=headers)
        return Response(signed.text, media_type="application/vc", headers=headers)

    return router
