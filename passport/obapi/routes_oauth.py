"""The authorization server's endpoints (OB 3.0 section 7): registration, authorization with
the learner's consent, token, revocation. Authlib does the protocol (``passport.obapi.oauth``);
these routes only carry requests to it and its answers back.

The consent page is the wallet's: the learner signs in first (``/passport/login?next=...``),
then sees the client's name, site, logo and the scopes asked, and allows or denies. Its form
carries the CSRF token like every other wallet form.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from credentials import InvalidInput, PassportError, parse_json_object
from infra import N_, NowDep, SessionDep
from passport.obapi.logo import logo_data_uri
from passport.obapi.oauth import HttpRequest, OAuthResponse, PassportAuthorizationServer
from passport.obapi.oauth_models import RegisteredClient
from passport.obapi.registration import register_client
from passport.obapi.routes_api import OAUTH_PATHS, require_https
from passport.obapi.scopes import ALL_SCOPES, FAMILIES
from passport.wallet.web import CsrfDep, NotSignedIn, WalletRoute, page, redirect, signed_in

REVOCATION_PATH = "/oauth2/revoke"
router = APIRouter(include_in_schema=False, dependencies=[Depends(require_https)])
consent_router = APIRouter(route_class=WalletRoute, include_in_schema=False)


def _server(session: Any, now: Any) -> PassportAuthorizationServer:
    return PassportAuthorizationServer(session, now, sorted(ALL_SCOPES))


async def http_request(request: Request) -> HttpRequest:
    """The request as Authlib reads it: a form (read once, shared with FastAPI's ``Form``
    parameters) or a JSON object (registration)."""
    content_type = request.headers.get("content-type", "")
    json_body = None
    form: list[tuple[str, str]] = []
    if content_type.startswith("application/json"):
        body = await request.body()
        json_body = parse_json_object(body) if body else {}
    elif request.method == "POST":
        submitted = await request.form()
        form = [(name, value) for name, value in submitted.multi_items() if isinstance(value, str)]
    return HttpRequest(
        method=request.method,
        url=str(request.url),
        headers=request.headers,
        query=request.url.query,
        form=form,
        json=json_body,
    )


HttpRequestDep = Annotated[HttpRequest, Depends(http_request)]


def _to_response(answer: OAuthResponse) -> Response:
    headers = dict(answer.headers)
    if answer.status in (301, 302, 303, 307):
        return RedirectResponse(headers["Location"], status_code=302)
    headers.pop("Content-Type", None)
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


@router.post(OAUTH_PATHS["registration"])
def register(
    session: SessionDep, moment: NowDep, request: Request, oauth: HttpRequestDep
) -> Response:
    if oauth.json is None:
        raise InvalidInput(N_("send the registration request as JSON"))
    address = request.client.host if request.client else "unknown"
    answer = register_client(_server(session, moment), oauth, address)
    session.commit()
    return _to_response(answer)


@router.post(OAUTH_PATHS["token"])
def token(session: SessionDep, moment: NowDep, oauth: HttpRequestDep) -> Response:
    answer = _server(session, moment).create_token_response(oauth)
    session.commit()
    return _to_response(answer)


@router.post(REVOCATION_PATH)
def revoke(session: SessionDep, moment: NowDep, oauth: HttpRequestDep) -> Response:
    answer = _server(session, moment).create_endpoint_response("revocation", oauth)
    session.commit()
    return _to_response(answer)


def _consent_or_error(server: PassportAuthorizationServer, oauth: HttpRequest, learner: Any) -> Any:
    """Authlib's validated grant; an invalid request is an error page, or goes back to the
    client once its redirect URI is known good."""
    try:
        return server.get_consent_grant(oauth, end_user=learner)
    except OAuth2Error as error:
        if getattr(error, "redirect_uri", None):
            raise _RedirectWithError(server.handle_error_response(oauth, error)) from None
        raise InvalidInput(
            N_("this authorization request is not valid: %(reason)s"),
            params={"reason": error.description or error.error},
        ) from None


class _RedirectWithError(PassportError):
    """RFC 6749 section 4.1.2.1: once the redirect URI is known good, errors go back to it."""

    def __init__(self, answer: OAuthResponse) -> None:
        super().__init__("redirect")
        self.answer = answer


def _learner_or_login(request: Request, session: Any, moment: Any) -> Any:
    try:
        return signed_in(request, session, moment).learner
    except NotSignedIn:
        return None


@consent_router.get(OAUTH_PATHS["authorization"])
def consent_page(
    request: Request, session: SessionDep, moment: NowDep, oauth: HttpRequestDep
) -> Response:
    learner = _learner_or_login(request, session, moment)
    if learner is None:
        target = f"{request.url.path}?{request.url.query}"
        return redirect(f"/passport/login?next={quote(target, safe='')}")
    require_https(request)
    server = _server(session, moment)
    try:
        grant = _consent_or_error(server, oauth, learner)
    except _RedirectWithError as error:
        return _to_response(error.answer)
    client: RegisteredClient = grant.client
    scopes = grant.request.scope.split() if grant.request.scope else []
    response = page(
        request,
        "obapi_consent.html",
        learner=learner,
        client=client.metadata,
        scopes=[scope for scope in scopes if scope in ALL_SCOPES],
        logo=logo_data_uri(request.app.state.verifier.fetcher, client.metadata.get("logo_uri")),
        families=FAMILIES,
        action=f"{request.url.path}?{request.url.query}",
    )
    # The decision is answered with a redirect to the client (RFC 6749 section 4.1.2), which
    # the page's form-action must allow, for this client's redirect origin only.
    redirect_to = urlsplit(grant.redirect_uri)
    policy: str = request.app.state.content_security_policy
    response.headers["Content-Security-Policy"] = policy.replace(
        "form-action 'self'", f"form-action 'self' {redirect_to.scheme}://{redirect_to.netloc}"
    )
    return response


@consent_router.post(OAUTH_PATHS["authorization"], dependencies=[CsrfDep])
def consent_decision(
    request: Request,
    session: SessionDep,
    moment: NowDep,
    oauth: HttpRequestDep,
    decision: Annotated[str, Form()] = "deny",
) -> Response:
    learner = signed_in(request, session, moment).learner
    require_https(request)
    server = _server(session, moment)
    try:
        grant = _consent_or_error(server, oauth, learner)
    except _RedirectWithError as error:
        return _to_response(error.answer)
    allowed = learner if decision == "allow" else None
    answer = server.create_authorization_response(grant.request, grant_user=allowed, grant=grant)
    session.commit()
    return _to_response(answer)
