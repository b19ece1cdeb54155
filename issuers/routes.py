"""The issuer API (``/api/v1``): institutions, staff, API keys, programs, keys, endorsements.

Thin: each route validates its body (``issuers.api_models``; a bad body is 422 problem+json
naming every field and why), checks who is asking (``issuers.deps``), calls a service, commits.

Who may do what:

- the deployment admin (``Authorization: Bearer <PASSPORT_ADMIN_TOKEN>``) creates institutions,
  their staff users, their API keys and employer partners;
- an institution's API key, scoped to that institution (``require_institution_scope``), manages
  its programs (``manage_programs``) and its signing keys (``manage_keys``);
- the admin, or a key of the institution with ``manage_api_keys``, lists and revokes the
  institution's API keys (the revocation and its reason go to the audit log).

Re-exported for the awards routes: ``require_institution_scope``, ``SessionDep``, ``NowDep``,
``MasterKeyDep``, ``BaseUrlDep``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from infra import BaseUrlDep, MailEnabledDep, NowDep, SessionDep
from issuers.access import api_keys_of, create_api_key, create_staff_user, revoke_api_key
from issuers.api_models import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    ApiKeyRevoke,
    EmployerCreate,
    EmployerPublic,
    EndorsementCreate,
    EndorsementPublic,
    InstitutionCreate,
    InstitutionPublic,
    KeyPublic,
    KeyRevoke,
    KeyRevoked,
    ProgramCreate,
    ProgramFields,
    ProgramPublic,
    StaffUserCreate,
    StaffUserPublic,
)
from issuers.deps import (
    Caller,
    MasterKeyDep,
    require_admin,
    require_admin_or_institution_scope,
    require_institution_scope,
)
from issuers.identity import (
    CounterFactory,
    counting_all,
    institution_keys,
    institution_owner,
    revoke_signing_key,
    rotate_institution_key,
)
from issuers.institutions import create_institution, get_institution, set_logo
from issuers.mail import staff_email
from issuers.programs.achievements import achievement_for
from issuers.programs.endorsements import (
    create_employer,
    endorse_program,
    endorsements_of,
    get_employer,
)
from issuers.programs.service import (
    create_program,
    get_program,
    list_programs,
    program_fields,
    update_program,
)
from issuers.tables import Institution, Program, ProgramEndorsement
from keys import SigningKey

__all__ = [
    "BaseUrlDep",
    "MasterKeyDep",
    "NowDep",
    "SessionDep",
    "create_issuer_router",
    "require_institution_scope",
]

API = "/api/v1"
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {}}} for code in (401, 403, 404, 409, 422)
}
AdminDep = Depends(require_admin)
ManagePrograms = Annotated[Institution, Depends(require_institution_scope("manage_programs"))]
ManageKeys = Annotated[Institution, Depends(require_institution_scope("manage_keys"))]
ManageApiKeys = Annotated[Caller, Depends(require_admin_or_institution_scope("manage_api_keys"))]


def _institution_public(institution: Institution) -> InstitutionPublic:
    public = InstitutionPublic.model_validate(institution, from_attributes=True)
    return public.model_copy(update={"has_logo": institution.logo_png is not None})


async def _request_body(request: Request) -> bytes:
    return await request.body()


def _program_public(base_url: str, institution: Institution, program: Program) -> ProgramPublic:
    return ProgramPublic(
        slug=program.slug,
        fields=program_fields(program),
        achievement=achievement_for(base_url, institution, program),
        updated_at=program.updated_at,
    )


def _key_public(key: SigningKey) -> KeyPublic:
    return KeyPublic.model_validate(key, from_attributes=True)


def _endorsement_public(endorsement: ProgramEndorsement) -> EndorsementPublic:
    issuer = json.loads(endorsement.signed_json)["issuer"]
    return EndorsementPublic(
        credential_id=endorsement.credential_id,
        employer=issuer.get("name", issuer["id"]),
        signing_key_id=endorsement.signing_key_id,
    )


def create_issuer_router(signed_credential_counters: Sequence[CounterFactory]) -> APIRouter:
    """The API router; ``signed_credential_counters`` report what a revoked key signed."""
    router = APIRouter(prefix=API, tags=["issuers"], responses=_PROBLEMS)

    _add_access_routes(router)

    @router.get("/institutions/{slug}/programs")
    def programs(
        institution: ManagePrograms, session: SessionDep, base_url: BaseUrlDep
    ) -> list[ProgramPublic]:
        return [
            _program_public(base_url, institution, program)
            for program in list_programs(session, institution)
        ]

    @router.post("/institutions/{slug}/programs", status_code=201)
    def add_program(
        body: ProgramCreate,
        institution: ManagePrograms,
        session: SessionDep,
        now: NowDep,
        base_url: BaseUrlDep,
    ) -> ProgramPublic:
        program = create_program(session, institution, body, now)
        session.commit()
        return _program_public(base_url, institution, program)

    @router.get("/institutions/{slug}/programs/{program_slug}")
    def program(
        program_slug: str, institution: ManagePrograms, session: SessionDep, base_url: BaseUrlDep
    ) -> ProgramPublic:
        found = get_program(session, institution, program_slug)
        return _program_public(base_url, institution, found)

    @router.put("/institutions/{slug}/programs/{program_slug}")
    def edit_program(
        program_slug: str,
        body: ProgramFields,
        institution: ManagePrograms,
        session: SessionDep,
        now: NowDep,
        base_url: BaseUrlDep,
    ) -> ProgramPublic:
        updated = update_program(session, institution, program_slug, body, now)
        session.commit()
        return _program_public(base_url, institution, updated)

    @router.get("/institutions/{slug}/programs/{program_slug}/endorsements")
    def endorsements(
        program_slug: str, institution: ManagePrograms, session: SessionDep
    ) -> list[EndorsementPublic]:
        found = get_program(session, institution, program_slug)
        return [_endorsement_public(item) for item in endorsements_of(session, found)]

    @router.post("/institutions/{slug}/programs/{program_slug}/endorsements", status_code=201)
    def add_endorsement(
        program_slug: str,
        body: EndorsementCreate,
        institution: ManagePrograms,
        session: SessionDep,
        master: MasterKeyDep,
        now: NowDep,
        base_url: BaseUrlDep,
    ) -> EndorsementPublic:
        """Record a registered employer partner's endorsement, signed with the employer's key."""
        found = get_program(session, institution, program_slug)
        employer = get_employer(session, body.employer_slug)
        endorsement = endorse_program(
            session, master, now, base_url, institution, found, employer, body.comment
        )
        session.commit()
        return _endorsement_public(endorsement)

    @router.put("/institutions/{slug}/logo")
    def put_logo(
        institution: ManagePrograms,
        image: Annotated[bytes, Depends(_request_body)],
        session: SessionDep,
    ) -> InstitutionPublic:
        """The logo of the institution's badges: the body is a PNG or JPEG image (at most
        512 KiB and 4096 pixels a side), kept as a small PNG drawn from it."""
        set_logo(session, institution, image)
        session.commit()
        return _institution_public(institution)

    @router.delete("/institutions/{slug}/logo")
    def delete_logo(institution: ManagePrograms, session: SessionDep) -> InstitutionPublic:
        """Remove the logo: the badges show the institution's initials again."""
        set_logo(session, institution, None)
        session.commit()
        return _institution_public(institution)

    @router.get("/institutions/{slug}/keys")
    def keys(
        institution: ManageKeys, session: SessionDep, master: MasterKeyDep, now: NowDep
    ) -> list[KeyPublic]:
        owner = institution_owner(institution)
        return [_key_public(key) for key in institution_keys(session, master, now, owner)]

    @router.post("/institutions/{slug}/keys/rotate", status_code=201)
    def rotate_key(
        institution: ManageKeys, session: SessionDep, master: MasterKeyDep, now: NowDep
    ) -> KeyPublic:
        """Make a new active key; the old one stays in the DID document, retired."""
        key = rotate_institution_key(session, master, now, institution)
        session.commit()
        return _key_public(key)

    @router.post("/institutions/{slug}/keys/revoke")
    def revoke_key(
        body: KeyRevoke,
        institution: ManageKeys,
        session: SessionDep,
        master: MasterKeyDep,
        now: NowDep,
    ) -> KeyRevoked:
        """Mark a compromised key; reports how many credentials it signed since then."""
        revocation = revoke_signing_key(
            session,
            master,
            now,
            body.key_id,
            body.compromised_since,
            counting_all(session, signed_credential_counters),
            owner=institution_owner(institution),
            unpublish=body.unpublish,
        )
        session.commit()
        new_key = revocation.new_key
        return KeyRevoked(
            key=_key_public(revocation.key),
            credentials_signed_since_compromise=revocation.credentials_signed_since_compromise,
            new_key=None if new_key is None else _key_public(new_key),
        )

    return router


def _add_access_routes(router: APIRouter) -> None:
    """Institutions, employers, staff users and API keys: who may act for whom."""

    @router.post("/institutions", status_code=201, dependencies=[AdminDep])
    def add_institution(
        body: InstitutionCreate,
        session: SessionDep,
        master: MasterKeyDep,
        now: NowDep,
        base_url: BaseUrlDep,
    ) -> InstitutionPublic:
        """Create an institution with its DID and first signing key (admin only)."""
        institution = create_institution(session, master, now, base_url, body)
        session.commit()
        return _institution_public(institution)

    @router.post("/institutions/{slug}/staff", status_code=201, dependencies=[AdminDep])
    def add_staff_user(
        slug: str,
        body: StaffUserCreate,
        session: SessionDep,
        now: NowDep,
        base_url: BaseUrlDep,
        mail: MailEnabledDep,
    ) -> StaffUserPublic:
        """Create a console user of the institution (admin only); they are mailed a link to
        confirm their address (issue 15)."""
        institution = get_institution(session, slug)
        user = create_staff_user(session, institution, body.email, body.password, now)
        if mail:
            staff_email.send_confirmation(session, user, base_url, now)
        session.commit()
        return StaffUserPublic(email=user.email, institution=institution.slug)

    @router.post("/institutions/{slug}/api-keys", status_code=201, dependencies=[AdminDep])
    def add_api_key(
        slug: str, body: ApiKeyCreate, session: SessionDep, now: NowDep
    ) -> JSONResponse:
        """Create an API key of the institution; the key is in this response only."""
        institution = get_institution(session, slug)
        row, key = create_api_key(session, institution, body.label, list(body.actions), now)
        session.commit()
        created = ApiKeyCreated(prefix=row.prefix, key=key, actions=row.actions, label=row.label)
        return JSONResponse(
            created.model_dump(), status_code=201, headers={"Cache-Control": "no-store"}
        )

    @router.get("/institutions/{slug}/api-keys")
    def api_keys(caller: ManageApiKeys, session: SessionDep) -> list[ApiKeyPublic]:
        """The institution's API keys, revoked ones included (never a key or its hash)."""
        return [
            ApiKeyPublic.model_validate(row, from_attributes=True)
            for row in api_keys_of(session, caller.institution)
        ]

    @router.post("/institutions/{slug}/api-keys/{prefix}/revoke")
    def revoke_api_key_route(
        prefix: str, body: ApiKeyRevoke, caller: ManageApiKeys, session: SessionDep, now: NowDep
    ) -> ApiKeyPublic:
        """Revoke an API key at once; the reason is kept in the audit log."""
        row = revoke_api_key(
            session, caller.institution, prefix, now, actor=caller.actor, reason=body.reason
        )
        session.commit()
        return ApiKeyPublic.model_validate(row, from_attributes=True)

    @router.post("/employers", status_code=201, dependencies=[AdminDep])
    def add_employer(
        body: EmployerCreate,
        session: SessionDep,
        master: MasterKeyDep,
        now: NowDep,
        base_url: BaseUrlDep,
    ) -> EmployerPublic:
        """Register an employer partner with its own signing key (admin only)."""
        employer = create_employer(session, master, now, base_url, body)
        session.commit()
        return EmployerPublic(slug=employer.slug, name=employer.name, did=employer.did)
