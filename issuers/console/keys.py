"""The console's Keys page: the institution's signing keys, rotation, and what each compromised
key signed (issue 12; ``issuers.key_compromise``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from infra import NowDep, SessionDep
from issuers.console.staff import CONSOLE, Pages, StaffDep, StaffFormDep
from issuers.deps import MasterKeyDep
from issuers.identity import institution_keys, institution_owner, rotate_institution_key
from issuers.key_compromise.affected_awards import affected_awards
from keys import KeyStatus


def add_key_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("/keys")
    def keys(
        request: Request, session: SessionDep, staff: StaffDep, master: MasterKeyDep, now: NowDep
    ) -> Response:
        owner = institution_owner(staff.institution)
        found = institution_keys(session, master, now, owner)
        # Issue 12: what each compromised key signed (the first page; the API and CLI page on).
        affected = {
            key.id: affected_awards(session, master, now, staff.institution, key.id)
            for key in found
            if key.status == KeyStatus.REVOKED
        }
        return pages.page(request, "console_keys.html", staff, keys=found, affected=affected)

    @router.post("/keys/rotate")
    async def rotate(
        session: SessionDep, posted: StaffFormDep, master: MasterKeyDep, now: NowDep
    ) -> Response:
        rotate_institution_key(session, master, now, posted.staff.institution)
        session.commit()
        return RedirectResponse(f"{CONSOLE}/keys", status_code=303)
