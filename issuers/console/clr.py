"""The console's "Comprehensive Learner Record" button on an award's page (issue 14).

``POST /console/awards/{award_id}/clr`` (the console session and its CSRF token) issues the
award's learner's CLR of their active awards from the staff's institution
(``issuers.clr.records.issue_clr``) and answers it as a JSON download to hand to the learner.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from infra import BaseUrlDep, NowDep, SessionDep
from issuers.awards import service as awards
from issuers.clr.records import issue_clr
from issuers.console.staff import StaffFormDep
from issuers.deps import MasterKeyDep
from issuers.identity import signer_for_institution


def add_clr_routes(router: APIRouter) -> None:
    @router.post("/awards/{award_id}/clr")
    async def issue_record(
        award_id: str,
        session: SessionDep,
        posted: StaffFormDep,
        master: MasterKeyDep,
        base_url: BaseUrlDep,
        now: NowDep,
    ) -> Response:
        institution = posted.staff.institution
        award = awards.get_award(session, institution, award_id)
        signer = signer_for_institution(session, master, now, institution)
        record = issue_clr(
            session, institution, award.learner_email, signer, base_url=base_url, now=now
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
