"""The claim page: the https link a learner gets for an award
(``issuers.awards.offers.claim_page_url``).

A link of the ``openid-credential-offer://`` scheme does nothing when clicked in a browser or
an email, so the learner gets ``/claim/<secret>``: it names the award and the institution and
offers "Add to my Learner Passport", one click (a form posting the offer to ``/passport/claim``)
when signed in, sign-up or sign-in first otherwise (they come back here). The offer URI and its
QR code are on the page too, for another wallet. Reading the page claims nothing; an expired,
replaced or used link gives a 404 page that says so.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from credentials import NotFound
from infra import N_, NowDep, SessionDep, error_text, negotiate_language
from issuers import Institution, OAuthError, Program, offer_uri, open_offer
from passport.wallet.accounts import learner_for_session
from passport.wallet.tables import Learner
from passport.wallet.tokens import is_token_shaped
from passport.wallet.web import SESSION_COOKIE, WalletRoute, page

router = APIRouter(route_class=WalletRoute, include_in_schema=False)


def _visitor(request: Request, session: SessionDep, moment: NowDep) -> Learner | None:
    """The signed-in learner, or None: the page is for everyone who holds the link."""
    token = request.cookies.get(SESSION_COOKIE, "")
    learner = learner_for_session(session, token, moment) if is_token_shaped(token) else None
    if learner is not None:
        request.state.session_token = token  # the form's CSRF token follows the session
    return learner


@router.get("/claim/{secret}", response_class=HTMLResponse)
def claim_page(request: Request, secret: str, session: SessionDep, moment: NowDep) -> HTMLResponse:
    try:
        offer, award = open_offer(session, secret, moment)
    except OAuthError:
        gone = N_("This claim link has expired, was replaced by a newer one, or was already used.")
        message = error_text(NotFound(gone), negotiate_language(request))
        return page(request, "wallet_error.html", status=404, message=message, error=None)
    program = session.get(Program, award.program_id)
    institution = session.get(Institution, award.institution_id)
    assert program is not None and institution is not None
    french = negotiate_language(request) == "fr"
    base_url = request.app.state.settings.base_url
    return page(
        request,
        "wallet_claim_page.html",
        learner=_visitor(request, session, moment),
        award=award,
        program_name=(program.name_fr if french else program.name_en)
        or program.name_en
        or program.name_fr,
        institution_name=institution.legal_name_fr if french else institution.legal_name_en,
        needs_tx_code=offer.tx_code_hash is not None,
        offer_uri=offer_uri(base_url, secret),
        here=f"/claim/{secret}",
        secret=secret,
        expires_at=offer.expires_at,
    )
