"""Public, cacheable documents of issuers: DID documents, JWKS, Profiles, programs, our context.

Everything here is unauthenticated and the same for every caller, so it is served with a strong
``ETag`` and ``Cache-Control: public`` (a CDN can hold it) and answers ``If-None-Match`` with 304.

- ``GET /issuers/<slug>/did.json``: the did:web DID document (``application/did+json``);
- ``GET /issuers/<slug>/jwks.json``: the JWK Set (RFC 7517, ``application/jwk-set+json``);
- ``GET /issuers/<slug>``: the OB 3.0 Profile as JSON when asked for JSON, else a page;
- ``GET /issuers/<slug>/programs/<program>``: the program's Achievement (its ``id`` URL), with
  the employer endorsements as signed;
- ``GET /employers/<slug>/did.json``: an employer partner's did:web document;
- ``GET /contexts/learner-passport/v1.jsonld``: our extension context, byte-exact.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from credentials import CONTEXT_FILES, LEARNER_PASSPORT_V1, bundled_bytes
from infra import BaseUrlDep, NowDep, SessionDep, render_page
from issuers.deps import MasterKeyDep
from issuers.identity import (
    PublishedDocument,
    did_document_of,
    institution_owner,
    jwks_of,
    profile_document,
    published,
)
from issuers.institutions import get_institution
from issuers.programs.endorsements import employer_owner, endorsed_achievement, get_employer
from issuers.programs.service import get_program, list_programs

CONTEXT_PATH = "/contexts/learner-passport/v1.jsonld"
# Public documents others fetch, readable from any origin (passport.cors).
CORS_PATHS = (
    "/issuers/{slug}/did.json",
    "/issuers/{slug}/jwks.json",
    "/issuers/{slug}",
    "/issuers/{slug}/programs/{program_slug}",
    "/employers/{slug}/did.json",
    CONTEXT_PATH,
)
DID_JSON = "application/did+json"
JWK_SET_JSON = "application/jwk-set+json"
LD_JSON = "application/ld+json"
_JSON_TYPES = ("application/json", LD_JSON, "application/did+json")


def document_response(request: Request, document: PublishedDocument, media_type: str) -> Response:
    headers = {"ETag": document.etag, "Cache-Control": document.cache_control, "Vary": "Accept"}
    if document.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type=media_type, headers=headers)


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(kind in accept for kind in _JSON_TYPES) and "text/html" not in accept


def program_document(
    base_url: str, session: SessionDep, slug: str, program_slug: str
) -> dict[str, Any]:
    institution = get_institution(session, slug)
    program = get_program(session, institution, program_slug)
    return endorsed_achievement(session, base_url, institution, program)


def create_public_router() -> APIRouter:
    router = APIRouter(tags=["issuer documents"])

    @router.get("/issuers/{slug}/did.json")
    def issuer_did_document(
        slug: str, request: Request, session: SessionDep, master: MasterKeyDep, now: NowDep
    ) -> Response:
        institution = get_institution(session, slug)
        owner = institution_owner(institution)
        document = did_document_of(session, master, now, institution.did, owner)
        return document_response(request, document, DID_JSON)

    @router.get("/issuers/{slug}/jwks.json")
    def issuer_jwks(
        slug: str, request: Request, session: SessionDep, master: MasterKeyDep, now: NowDep
    ) -> Response:
        institution = get_institution(session, slug)
        document = jwks_of(session, master, now, institution_owner(institution))
        return document_response(request, document, JWK_SET_JSON)

    @router.get("/issuers/{slug}", response_model=None)
    def issuer_profile_page(slug: str, request: Request, session: SessionDep) -> Response:
        institution = get_institution(session, slug)
        if wants_json(request):
            return document_response(request, profile_document(institution), LD_JSON)
        programs = [program for program in list_programs(session, institution) if program.published]
        return render_page(request, "issuer.html", institution=institution, programs=programs)

    @router.get("/issuers/{slug}/programs/{program_slug}")
    def program_achievement(
        slug: str, program_slug: str, request: Request, session: SessionDep, base_url: BaseUrlDep
    ) -> Response:
        document = published(program_document(base_url, session, slug, program_slug))
        return document_response(request, document, LD_JSON)

    @router.get("/employers/{slug}/did.json")
    def employer_did_document(
        slug: str, request: Request, session: SessionDep, master: MasterKeyDep, now: NowDep
    ) -> Response:
        employer = get_employer(session, slug)
        owner = employer_owner(employer)
        document = did_document_of(session, master, now, employer.did, owner)
        return document_response(request, document, DID_JSON)

    @router.get(CONTEXT_PATH)
    def learner_passport_context() -> Response:
        body = bundled_bytes(CONTEXT_FILES[LEARNER_PASSPORT_V1].filename)
        headers = {
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": f'"{CONTEXT_FILES[LEARNER_PASSPORT_V1].sha256[:32]}"',
        }
        return Response(body, media_type=LD_JSON, headers=headers)

    return router
