"""The console's "Comprehensive Learner Record" button on an award's page (issue 14).

``POST /console/awards/{award_id}/clr`` (the console session and its CSRF token) issues the
award's learner's CLR of their active awards from the staff's institution
(``issuers.clr.records.issue_clr``) and answers it as a JSON download to hand to the learner.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from issuers.access import check_csrf
from issuers.awards import service as awards
from issuers.clr.records import issue_clr
from issuers.console.awards import AWARDS, form_fields, to_login
from issuers.console.base import CONSOLE, StaffDep
from issuers.deps import BaseUrlDep, MasterKeyDep, NowDep, SessionDep
from issuers.identity import signer_for_institution

CLR_PATH = f"{AWARDS.removeprefix(CONSOLE)}/{{award_id}}/clr"


def create_clr_console_router() -> APIRouter:
    router = APIRouter(prefix=CONSOLE, include_in_schema=False)

    @router.post(CLR_PATH)
    async def issue_record(
        award_id: str,
        request: Request,
        session: SessionDep,
        staff: StaffDep,
        master: MasterKeyDep,
        base_url: BaseUrlDep,
        now: NowDep,
    ) -> Response:
        if staff is None:
            return to_login()
        check_csrf(staff.session, (await form_fields(request)).get("csrf"))
        award = awards.get_award(session, staff.institution, award_id)
        signer = signer_for_institution(session, master, now, staff.institution)
        record = issue_clr(
            session, staff.institution, award.learner_email, signer, base_url=base_url, now=now
        )
        session.commit()
        return Response(
            record.credential,
            media_type="application/ld+json",
            headers={
                "Content-Disposition": f'attachment; filename="clr-{record.id}.json"',
                "Cache-Control": "no-store",
            },
        )

    return router
