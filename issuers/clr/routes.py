"""``POST /api/v1/institutions/{slug}/clr``: issue a learner's Comprehensive Learner Record.

The body names the learner by the email their awards were issued to; the answer is the signed
CLR 2.0 ``ClrCredential`` (``issuers.clr.records``), 404 when the institution holds no active
award for that email. It needs the ``issue`` action, like awarding.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from infra import BaseUrlDep, NowDep, SessionDep
from issuers.awards.routes import Issuing
from issuers.clr.records import issue_clr
from issuers.deps import MasterKeyDep
from issuers.identity import signer_for_institution


class ClrCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=3, max_length=320)]


class ClrCreated(BaseModel):
    id: str
    credential_id: str
    signing_key_id: str
    credential: dict[str, Any] = Field(description="The signed ClrCredential (CLR 2.0).")


def create_clr_router() -> APIRouter:
    router = APIRouter(tags=["awards"])

    @router.post("/api/v1/institutions/{slug}/clr", status_code=201)
    def issue(
        institution: Issuing,
        body: ClrCreate,
        session: SessionDep,
        master: MasterKeyDep,
        base_url: BaseUrlDep,
        now: NowDep,
    ) -> ClrCreated:
        signer = signer_for_institution(session, master, now, institution)
        record = issue_clr(session, institution, body.email, signer, base_url=base_url, now=now)
        session.commit()
        return ClrCreated(
            id=record.id,
            credential_id=record.credential_id,
            signing_key_id=record.signing_key_id,
            credential=json.loads(record.credential),
        )

    return router
