"""HTTP surface of OpenID4VCI 1.0 delivery (pre-authorized code flow), all public.

The credential issuer and authorization server metadata (``issuers.awards.oid4vci_metadata``),
the offer document and its QR codes, the token, nonce and credential endpoints
(``issuers.awards.offers`` does the work). The offer, token and credential endpoints answer
their errors as OAuth error bodies (RFC 6749 section 5.2, ``_oauth_error``): what wallets read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import JSONResponse, Response

from credentials import NotFound
from infra import BaseUrlDep, NowDep, SessionDep
from issuers.awards import delivery as award_delivery
from issuers.awards import holder_copies, offers
from issuers.awards.offers import OAuthError
from issuers.awards.oid4vci_metadata import authorization_server_metadata, issuer_metadata
from issuers.deps import MasterKeyDep

NO_STORE = {"Cache-Control": "no-store"}
# Read from any origin (passport.cors): metadata, and the endpoints a browser wallet calls
# without cookies (the code or access token is in the request itself).
CORS_PATHS = (
    "/.well-known/openid-credential-issuer",
    "/.well-known/oauth-authorization-server",
    "/oid4vci/offers/{offer}",
    "/oid4vci/token",
    "/oid4vci/nonce",
    "/oid4vci/credential",
)


def _oauth_error(error: OAuthError) -> JSONResponse:
    body = {"error": error.error, "error_description": error.message}
    headers = dict(NO_STORE)
    if error.status == 401:
        # RFC 6750 section 3: a refused bearer token is answered with its challenge.
        headers["WWW-Authenticate"] = offers.bearer_challenge(error)
    return JSONResponse(body, status_code=error.status, headers=headers)


def create_oid4vci_router() -> APIRouter:
    router = APIRouter(tags=["awards"])

    @router.get("/.well-known/openid-credential-issuer")
    def credential_issuer(base_url: BaseUrlDep) -> dict[str, Any]:
        return issuer_metadata(base_url)

    @router.get("/.well-known/oauth-authorization-server")
    def authorization_server(base_url: BaseUrlDep) -> dict[str, Any]:
        return authorization_server_metadata(base_url)

    @router.get("/oid4vci/offers/{secret}")
    def offer_document(
        secret: str, session: SessionDep, base_url: BaseUrlDep, now: NowDep
    ) -> JSONResponse:
        try:
            document = offers.offer_document(session, base_url, secret, now)
        except OAuthError as error:
            return _oauth_error(error)
        return JSONResponse(document, headers=NO_STORE)

    @router.get("/oid4vci/offers/{secret}/qr.{kind}")
    def offer_qr(
        secret: str, kind: str, session: SessionDep, base_url: BaseUrlDep, now: NowDep
    ) -> Response:
        offers.offer_document(session, base_url, secret, now)
        uri = offers.offer_uri(base_url, secret)
        if kind == "png":
            return Response(award_delivery.qr_png(uri), media_type="image/png", headers=NO_STORE)
        if kind == "svg":
            return Response(
                award_delivery.qr_svg(uri), media_type="image/svg+xml", headers=NO_STORE
            )
        raise NotFound("QR codes are qr.png or qr.svg")

    @router.post("/oid4vci/token")
    def token(
        session: SessionDep,
        now: NowDep,
        grant_type: Annotated[str | None, Form()] = None,
        code: Annotated[str | None, Form(alias="pre-authorized_code")] = None,
        tx_code: Annotated[str | None, Form()] = None,
    ) -> JSONResponse:
        try:
            if grant_type != offers.PRE_AUTHORIZED_GRANT:
                raise OAuthError("unsupported_grant_type", "only the pre-authorized code grant")
            if not code:
                raise OAuthError("invalid_request", "pre-authorized_code is required")
            access_token, expires_in = offers.exchange_code(session, code, tx_code, now)
        except OAuthError as error:
            # Kept: a wrong tx_code counts against the offer's tries.
            session.commit()
            return _oauth_error(error)
        session.commit()
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}
        return JSONResponse(body, headers=NO_STORE)

    @router.post("/oid4vci/nonce")
    def nonce(session: SessionDep, now: NowDep) -> JSONResponse:
        value = offers.new_nonce(session, now)
        session.commit()
        return JSONResponse({"c_nonce": value}, headers=NO_STORE)

    @router.post("/oid4vci/credential")
    def credential(
        request: Request,
        session: SessionDep,
        base_url: BaseUrlDep,
        master: MasterKeyDep,
        now: NowDep,
        body: Annotated[dict[str, Any], Body()],
    ) -> Response:
        scheme, _, access_token = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer" or not access_token:
                raise OAuthError("invalid_token", "a Bearer access token is required", status=401)
            sign_copy = holder_copies.copy_signer(session, master, now)
            text = offers.redeem(
                session, access_token.strip(), body, base_url, now, sign_copy=sign_copy
            )
        except OAuthError as error:
            session.rollback()
            return _oauth_error(error)
        session.commit()
        return Response(text, media_type="application/json", headers=NO_STORE)

    return router
