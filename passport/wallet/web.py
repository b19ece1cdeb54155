"""The wallet's web plumbing: app state, the signed-in learner, CSRF, pages and their errors.

- Sessions: the ``passport_session`` cookie (HttpOnly, SameSite=Lax, Secure when the site is
  https, path ``/``) holds the random token; ``SignedInDep`` resolves it in one query, or sends
  the browser to the sign-in page.
- CSRF (OWASP CSRF cheat sheet, synchronizer token): every state-changing form carries
  ``csrf_token``. Signed in, it is an HMAC of the session's secret token, so it is bound to the
  session and cannot be computed by another site; before sign-in (sign-up, sign-in, employer
  forms) it is bound the same way to a random ``passport_form`` cookie. A missing or wrong token
  is refused with 403 before the route runs: nothing is changed.
- Errors: routes raise ``PassportError``s; ``WalletRoute`` turns them into an HTML page with the
  error's status and message in the page's language (``error_message``); 404 pages are word for
  word the same whatever was not found.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.responses import Response

from credentials import Forbidden, PassportError
from infra import (
    N_,
    NowDep,
    SessionDep,
    error_text,
    negotiate_language,
    page_html,
    page_response,
    render_page,
)
from keys import KeyStore, MasterKey
from passport.wallet.accounts import csrf_token_for_session, learner_for_session, owner_id
from passport.wallet.holdings import Collections, learner_with_collections
from passport.wallet.issuer_http import ClaimHttp, GuardedIssuerHttp
from passport.wallet.live import LiveVerifier
from passport.wallet.rendered import RenderedPages
from passport.wallet.tables import Learner
from passport.wallet.tokens import derived_token, is_token_shaped, new_token, same_token
from verifier import VerificationReport

SESSION_COOKIE = "passport_session"
FORM_COOKIE = "passport_form"
FORM_PURPOSE = "passport-form-v1"


class NotSignedIn(PassportError):
    code = "not_signed_in"
    status = 401


class CsrfRefused(Forbidden):
    code = "csrf_refused"


@dataclass
class WalletState:
    """What the wallet keeps in ``app.state.wallet``: built once per app."""

    live: LiveVerifier
    issuer_http: ClaimHttp  # claims: this deployment's own offers in-process, others guarded
    remote_http: GuardedIssuerHttp  # other deployments only (the OB 3.0 API client)
    master_key: Callable[[], MasterKey]
    pages: RenderedPages = field(default_factory=RenderedPages)


async def wallet_state(request: Request) -> WalletState:
    """A coroutine: FastAPI calls it on the event loop (``infra.clock.request_now``)."""
    state: WalletState = request.app.state.wallet
    return state


WalletDep = Annotated[WalletState, Depends(wallet_state)]


@dataclass(frozen=True)
class SignedIn:
    learner: Learner
    token: str


def signed_in(request: Request, session: SessionDep, moment: NowDep) -> SignedIn:
    """The dependency ``SignedInDep``. The pages opened most call ``signed_in_with_collections``
    instead, in their own thread: FastAPI runs a plain function dependency in a thread of its
    own, a hop there and back that a busy event loop made a large part of the page's wait
    (issue #19)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    learner = learner_for_session(session, token, moment) if is_token_shaped(token) else None
    return _signed_in_as(request, token, learner)


def signed_in_with_collections(
    request: Request, session: Session, moment: datetime
) -> tuple[SignedIn, Collections]:
    """``signed_in`` with the learner's collections, read in the same statement."""
    token = request.cookies.get(SESSION_COOKIE, "")
    found = learner_with_collections(session, token, moment) if is_token_shaped(token) else None
    learner, collections = found if found is not None else (None, [])
    return _signed_in_as(request, token, learner), collections


def _signed_in_as(request: Request, token: str, learner: Learner | None) -> SignedIn:
    if learner is None:
        raise NotSignedIn(N_("sign in to see your passport"))
    request.state.session_token = token
    return SignedIn(learner, token)


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


def learner_signer(
    wallet: WalletState, session: SessionDep, learner: Learner, moment: datetime
) -> Any:
    """The learner's ``Signer`` from the KeyStore (their did:key)."""
    return KeyStore(session, wallet.master_key(), moment).signer_for(owner_id(learner.id))


def csrf_token(request: Request) -> str:
    """The token forms of this page carry (creating the pre-sign-in cookie when needed)."""
    session_token = getattr(request.state, "session_token", None)
    if session_token is not None:
        return csrf_token_for_session(session_token)
    form_secret = request.cookies.get(FORM_COOKIE, "")
    if not is_token_shaped(form_secret):
        form_secret = getattr(request.state, "new_form_cookie", None) or new_token()
        request.state.new_form_cookie = form_secret
    return derived_token(form_secret, FORM_PURPOSE)


def require_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Refuse a form whose token does not match this browser's session (or form cookie)."""
    session_token = request.cookies.get(SESSION_COOKIE, "")
    form_secret = request.cookies.get(FORM_COOKIE, "")
    expected = [
        csrf_token_for_session(session_token) if is_token_shaped(session_token) else None,
        derived_token(form_secret, FORM_PURPOSE) if is_token_shaped(form_secret) else None,
    ]
    if not any(value is not None and same_token(csrf_token, value) for value in expected):
        raise CsrfRefused(
            N_(
                "this form was not sent from your Learner Passport page, or it is too old; "
                "reload the page and try again"
            )
        )


CsrfDep = Depends(require_csrf)


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """``render_page`` with the CSRF token, marked ``no-store`` (pages are personal)."""
    token = csrf_token(request)
    response = render_page(request, template, csrf_token=token, **context)
    response.status_code = status
    return _personal(request, response)


def kept_page(
    request: Request,
    key: Hashable,
    reports: Sequence[VerificationReport],
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    forms: bool = False,
) -> HTMLResponse:
    """``page`` from the wallet's kept pages (``passport.wallet.rendered``) while ``key``
    (everything the page shows but its reports) and ``reports`` are unchanged; else rendered
    with ``context()`` and kept. A page with ``forms`` carries the reader's CSRF token, which
    is then part of the key: such a page is only ever served again to the same session."""
    wallet: WalletState = request.app.state.wallet
    token = csrf_token(request) if forms else None
    url = request.url
    full_key = (template, negotiate_language(request), url.path, url.query, token, key)
    html = wallet.pages.html(
        full_key, reports, lambda: page_html(request, template, csrf_token=token, **context())
    )
    return _personal(request, page_response(request, html))


def _personal(request: Request, response: HTMLResponse) -> HTMLResponse:
    response.headers["Cache-Control"] = "no-store"
    new_cookie = getattr(request.state, "new_form_cookie", None)
    if new_cookie is not None:
        set_cookie(request, response, FORM_COOKIE, new_cookie, max_age=None)
    return response


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.uses_https,
        path="/",
    )


def redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def error_message(request: Request, error: PassportError) -> str:
    """The error's reason in the page's language (``infra.i18n.error_text``)."""
    return error_text(error, negotiate_language(request))


def error_page(request: Request, error: PassportError) -> Response:
    if isinstance(error, NotSignedIn):
        target = request.url.path if request.method == "GET" else "/passport"
        return redirect(f"/passport/login?next={quote(target, safe='/')}")
    # Every 404 page says the same words (the template's), whatever was not found or whose.
    return page(
        request,
        "wallet_error.html",
        status=error.status,
        message=error_message(request, error),
        error=error,
    )


class WalletRoute(APIRoute):
    """Routes whose ``PassportError``s become HTML pages instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except PassportError as error:
                return error_page(request, error)

        return handle
