"""Delivery to the learner: OpenID4VCI 1.0 credential offers (pre-authorized code flow).

1. ``create_offer`` (section 4.1): a 256-bit offer secret, the last segment of the
   ``credential_offer_uri`` (by reference, section 4.1.3, best for QR codes) and of the claim
   page, valid ``OFFER_LIFETIME``; optionally a 6-digit ``tx_code`` the institution sends out of
   band. The pre-authorized code is derived from the offer secret by a one-way hash
   (``pre_authorized_code``) and appears only inside the offer document, never in a URL: a log
   line or a Referer holding a URL never holds the code itself (issue #13). Only SHA-256 hashes of
   the code and the tx_code are stored. A new offer for the same award
   ends the earlier unused ones (resending a claim link replaces it). The learner is given
   ``claim_page_url``, an https page that shows the offer (and claims it into this deployment's
   passport); the ``openid-credential-offer://`` URI is on that page for other wallets.
2. ``exchange_code`` (section 6): the code is exchanged once, atomically. A learner may mistype
   the ``tx_code``: each attempt first takes one of ``MAX_TX_CODE_FAILURES`` tries in one atomic
   update (so parallel guesses cannot exceed them, whatever the number of processes), and the
   offer locks when they are spent (a 6-digit code must not be guessable by retrying).
3. ``new_nonce`` (section 7): a ``c_nonce``, usable once.
4. ``redeem`` (section 8): Bearer token, ``proofs.jwt`` of type ``openid4vci-proof+jwt`` with
   ``aud`` = credential issuer and ``nonce`` = a fresh ``c_nonce`` (section 8.2.1.1, Appendix F.1).
   The proof's key must be an Ed25519 key (a did:key ``kid`` or a ``jwk``): the credential is
   bound to its did:key. When the learner's DID was known at award time it is already the
   subject ``id`` and the proof must come from that DID (the stored credential is delivered);
   otherwise the award is signed at claim time for the holder
   (``issuers.awards.holder_copies``), under the same credential id and status entry. A revoked
   award, or a suspended one, is refused with the institution's reason (``refuse_withdrawn``).

Protocol errors are ``OAuthError`` (the routes answer them in the RFC 6749 section 5.2 shape).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, col, select, update

from credentials import (
    ALLOWED_ALGORITHMS,
    InvalidInput,
    PassportError,
    PublicKey,
    did_key_for,
    parse_compact_jws,
    public_key_from_jwk,
    refused_header_reason,
    resolve_did_key,
    signature_failure,
)
from issuers.audit import log as audit
from issuers.awards.tables import Award, AwardState, CredentialOffer, OfferNonce

OFFER_LIFETIME = timedelta(days=7)
ACCESS_TOKEN_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(minutes=5)
PROOF_MAX_AGE = timedelta(minutes=5)
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"
LDP_CONFIGURATION = "OpenBadgeCredential_ldp_vc"
JWT_CONFIGURATION = "OpenBadgeCredential_jwt_vc_json"
TX_CODE_LENGTH = 6
LDP_FORM = "json"
JWT_FORM = "jwt"
# (award, holder DID, form "json" | "jwt") -> the award's credential signed for that holder.
CopySigner = Callable[[Award, str, str], str]
MAX_TX_CODE_FAILURES = 5


class OAuthError(PassportError):
    """An OpenID4VCI / OAuth error: ``error`` is the registered code the client switches on."""

    status = 400

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description, code=error)
        self.error = error
        self.status = status


def bearer_challenge(error: OAuthError) -> str:
    """The ``WWW-Authenticate`` value of a 401 (RFC 6750 section 3): a quoted-string may not
    hold a double quote or a backslash, so those are dropped from the description."""
    description = "".join(ch for ch in error.message if ch not in '"\\' and ch.isprintable())
    return f'Bearer error="{error.error}", error_description="{description}"'


@dataclass(frozen=True)
class CreatedOffer:
    """Shown once: the offer's secret (of its URLs, not the pre-authorized code) and, if asked
    for, the transaction code."""

    offer_id: str
    secret: str
    tx_code: str | None
    expires_at: datetime


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_offer(
    session: Session, award: Award, now: datetime, *, with_tx_code: bool = False
) -> CreatedOffer:
    if award.state == AwardState.REVOKED:
        raise InvalidInput("a revoked credential cannot be offered")
    # A new claim link replaces the award's earlier ones (a resend): only the newest one works.
    session.exec(
        update(CredentialOffer)
        .where(
            col(CredentialOffer.award_id) == award.id,
            col(CredentialOffer.code_used_at).is_(None),
            col(CredentialOffer.expires_at) > now,
        )
        .values(expires_at=now)
    )
    secret = secrets.token_urlsafe(32)
    tx_code = "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH))
    offer = CredentialOffer(
        id=str(uuid.uuid4()),
        award_id=award.id,
        code_hash=_digest(pre_authorized_code(secret)),
        tx_code_hash=_digest(tx_code) if with_tx_code else None,
        expires_at=now + OFFER_LIFETIME,
        created_at=now,
    )
    session.add(offer)
    session.flush()
    return CreatedOffer(offer.id, secret, tx_code if with_tx_code else None, offer.expires_at)


def pre_authorized_code(secret: str) -> str:
    """The offer's pre-authorized code: a domain-separated SHA-256 of the 256-bit offer secret,
    so the server needs to store neither, and the code does not reveal the URL's secret."""
    digest = hashlib.sha256(b"learner-passport oid4vci pre-authorized code\0" + secret.encode())
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def offer_uri(base_url: str, secret: str) -> str:
    """``openid-credential-offer://?credential_offer_uri=...`` for links and QR codes."""
    reference = quote(f"{base_url.rstrip('/')}/oid4vci/offers/{secret}", safe="")
    return f"openid-credential-offer://?credential_offer_uri={reference}"


def claim_page_url(base_url: str, secret: str) -> str:
    """The https link a learner clicks: a page that claims into their passport in one click
    and shows the ``offer_uri`` and its QR code for other wallets."""
    return f"{base_url.rstrip('/')}/claim/{secret}"


def open_offer(session: Session, secret: str, now: datetime) -> tuple[CredentialOffer, Award]:
    """The offer of ``secret`` and its award, while it can still be claimed (else ``OAuthError``
    ``invalid_grant``, status 404); reading it claims nothing."""
    offer = _offer_by_code(session, pre_authorized_code(secret))
    award = session.get(Award, offer.award_id)
    locked = offer.tx_code_failures >= MAX_TX_CODE_FAILURES
    if offer.expires_at <= now or offer.code_used_at is not None or locked or award is None:
        raise OAuthError(
            "invalid_grant", "this offer has expired, was already used or is locked", status=404
        )
    return offer, award


def _offer_by_code(session: Session, code: str) -> CredentialOffer:
    statement = select(CredentialOffer).where(CredentialOffer.code_hash == _digest(code))
    offer = session.exec(statement).first()
    if offer is None:
        raise OAuthError("invalid_grant", "unknown or expired pre-authorized code")
    return offer


def offer_document(session: Session, base_url: str, secret: str, now: datetime) -> dict[str, Any]:
    """The credential offer (section 4.1.1) served at the offer's ``credential_offer_uri``."""
    offer, _ = open_offer(session, secret, now)
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code(secret)}
    if offer.tx_code_hash is not None:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_LENGTH,
            "description": "The code your institution sent you / Le code envoyé par votre "
            "établissement",
        }
    return {
        "credential_issuer": base_url.rstrip("/"),
        "credential_configuration_ids": [LDP_CONFIGURATION, JWT_CONFIGURATION],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def exchange_code(
    session: Session, code: str, tx_code: str | None, now: datetime
) -> tuple[str, int]:
    """Token endpoint: the code, once, for an access token; returns (token, expires_in)."""
    offer = _offer_by_code(session, code)
    if offer.expires_at <= now:
        raise OAuthError("invalid_grant", "the pre-authorized code has expired")
    if offer.tx_code_hash is not None:
        _check_tx_code(session, offer, tx_code)
    token = secrets.token_urlsafe(32)
    claimed = session.exec(
        update(CredentialOffer)
        .where(col(CredentialOffer.id) == offer.id, col(CredentialOffer.code_used_at).is_(None))
        .values(
            code_used_at=now,
            access_token_hash=_digest(token),
            access_token_expires_at=now + ACCESS_TOKEN_LIFETIME,
        )
    )
    if claimed.rowcount != 1:
        raise OAuthError("invalid_grant", "the pre-authorized code was already used")
    return token, int(ACCESS_TOKEN_LIFETIME.total_seconds())


def _check_tx_code(session: Session, offer: CredentialOffer, tx_code: str | None) -> None:
    """Take one try (atomically, before comparing), then compare; ``OAuthError`` when the offer
    is locked or the code is wrong, saying how many tries are left. The caller commits even
    then: a wrong code must count."""
    tried = session.exec(
        update(CredentialOffer)
        .where(
            col(CredentialOffer.id) == offer.id,
            col(CredentialOffer.code_used_at).is_(None),
            col(CredentialOffer.tx_code_failures) < MAX_TX_CODE_FAILURES,
        )
        .values(tx_code_failures=col(CredentialOffer.tx_code_failures) + 1)
    )
    if tried.rowcount != 1:
        raise OAuthError("invalid_grant", "too many wrong transaction codes: this offer is locked")
    assert offer.tx_code_hash is not None
    if hmac.compare_digest(offer.tx_code_hash, _digest(tx_code or "")):
        return
    session.refresh(offer)
    left = MAX_TX_CODE_FAILURES - offer.tx_code_failures
    if left <= 0:
        raise OAuthError("invalid_grant", "wrong transaction code: this offer is now locked")
    raise OAuthError("invalid_grant", f"wrong transaction code: {left} tries left")


def new_nonce(session: Session, now: datetime) -> str:
    nonce = secrets.token_urlsafe(24)
    session.add(OfferNonce(nonce_hash=_digest(nonce), expires_at=now + NONCE_LIFETIME))
    session.flush()
    return nonce


def _consume_nonce(session: Session, nonce: object, now: datetime) -> None:
    if not isinstance(nonce, str):
        raise OAuthError("invalid_nonce", "the proof has no nonce; get one from the nonce endpoint")
    stored = session.get(OfferNonce, _digest(nonce))
    if stored is None or stored.expires_at < now:
        raise OAuthError("invalid_nonce", "the nonce is unknown, used or expired")
    session.delete(stored)
    session.flush()


def _holder_key(header: dict[str, Any]) -> tuple[PublicKey, str | None]:
    """The proof's key (``kid`` as a did:key URL, or ``jwk``) and its did:key when it is an
    Ed25519 key (the only keys credentials are bound to, as the metadata says)."""
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise OAuthError("invalid_proof", "the proof must name its key by 'kid' or 'jwk', not both")
    try:
        if isinstance(kid, str):
            method = resolve_did_key(kid)
            return method.public_key, method.controller
        key = public_key_from_jwk(jwk)
        return key, did_key_for(key) if isinstance(key, Ed25519PublicKey) else None
    except PassportError as error:
        raise OAuthError(
            "invalid_proof", f"the proof's key cannot be used: {error.message}"
        ) from None


def check_proof(session: Session, proof_jwt: str, issuer: str, now: datetime) -> str | None:
    """Appendix F.1 / section 8.2.1.1 checks; returns the holder's DID when the key has one."""
    try:
        jws = parse_compact_jws(proof_jwt)
    except InvalidInput as error:
        raise OAuthError("invalid_proof", error.message) from None
    if jws.header.get("typ") != PROOF_TYPE:
        raise OAuthError("invalid_proof", f"the proof's typ must be {PROOF_TYPE}")
    refused = refused_header_reason(jws.header)
    if refused is not None:
        raise OAuthError("invalid_proof", refused)
    key, holder = _holder_key(jws.header)
    failure = signature_failure(ALLOWED_ALGORITHMS[jws.header["alg"]], key, jws)
    if failure is not None:
        raise OAuthError("invalid_proof", failure)
    if jws.payload.get("aud") != issuer:
        raise OAuthError("invalid_proof", f"the proof's aud must be {issuer}")
    issued_at = jws.payload.get("iat")
    if not isinstance(issued_at, int | float) or abs(now.timestamp() - issued_at) > (
        PROOF_MAX_AGE.total_seconds()
    ):
        raise OAuthError("invalid_proof", "the proof's iat is missing or not recent")
    _consume_nonce(session, jws.payload.get("nonce"), now)
    return holder


def refuse_withdrawn(session: Session, award: Award) -> None:
    """A revoked award, or a suspended one until it is restored, is not delivered: the
    ``credential_request_denied`` error (section 8.3.1.2) gives the institution's reason."""
    if award.state not in (AwardState.REVOKED, AwardState.SUSPENDED):
        return
    action = (
        audit.AuditAction.REVOKE
        if award.state == AwardState.REVOKED
        else (audit.AuditAction.SUSPEND)
    )
    events = audit.events_for(session, award.institution_id, award_id=award.id, limit=50)
    reason = next((event.reason for event in events if event.action == action.value), "")
    state = "revoked" if action is audit.AuditAction.REVOKE else "suspended"
    raise OAuthError(
        "credential_request_denied",
        f"the institution {state} this credential" + (f": {reason}" if reason else ""),
    )


def redeem(
    session: Session,
    access_token: str,
    request: dict[str, Any],
    issuer: str,
    now: datetime,
    *,
    sign_copy: CopySigner,
) -> str:
    """Credential endpoint: the response body (section 8.3) with the credential bound to the
    holder: the stored one when it names the holder already, else ``sign_copy``'s."""
    statement = select(CredentialOffer).where(
        CredentialOffer.access_token_hash == _digest(access_token)
    )
    offer = session.exec(statement).first()
    expires = offer.access_token_expires_at if offer is not None else None
    if offer is None or expires is None or expires < now:
        raise OAuthError("invalid_token", "the access token is unknown or expired", status=401)
    configuration = request.get("credential_configuration_id")
    if configuration not in (LDP_CONFIGURATION, JWT_CONFIGURATION):
        raise OAuthError(
            "unknown_credential_configuration", f"unknown configuration {configuration!r}"
        )
    proofs = request.get("proofs")
    jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
    if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
        raise OAuthError("invalid_proof", "send exactly one proof in proofs.jwt")
    holder = check_proof(session, jwts[0], issuer, now)
    award = session.get(Award, offer.award_id)
    if award is None:
        raise OAuthError("invalid_token", "the offer's credential no longer exists", status=401)
    refuse_withdrawn(session, award)
    if holder is None:
        raise OAuthError("invalid_proof", "the proof's key must be an Ed25519 key (did:key or jwk)")
    if award.learner_did is not None and holder != award.learner_did:
        raise OAuthError("invalid_proof", "the proof's key is not the learner's DID")
    session.exec(
        update(CredentialOffer)
        .where(col(CredentialOffer.id) == offer.id)
        .values(credential_issued_at=now)
    )
    form = LDP_FORM if configuration == LDP_CONFIGURATION else JWT_FORM
    if award.learner_did is not None:
        text = award.ldp_credential if form == LDP_FORM else award.jwt_credential
    else:
        text = sign_copy(award, holder, form)
    # The signed text is spliced in as is: the credential leaves exactly as it was signed.
    credential = text if form == LDP_FORM else json.dumps(text)
    return '{"credentials": [{"credential": ' + credential + "}]}"
