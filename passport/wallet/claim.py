"""The wallet side of OpenID4VCI 1.0: claiming a pre-authorized credential offer.

1. Read the offer (section 4.1): ``openid-credential-offer://?credential_offer=<JSON>`` or
   ``?credential_offer_uri=<https URL>`` (the same query on any https link works too); an offer
   by reference is fetched through the guarded fetcher.
2. Read the issuer's metadata at ``/.well-known/openid-credential-issuer`` (section 12.2.2: the
   well-known segment goes between host and path) and check that it names the same
   ``credential_issuer`` (section 12.2.4). The token endpoint is the metadata's own or the one of
   the authorization server's RFC 8414 metadata.
3. Exchange the pre-authorized code, with the transaction code when the offer asks for one
   (section 6.1), for an access token; refusals become plain sentences (wrong, expired or used
   code, wrong transaction code). When the token response names ``credential_identifiers`` for
   the offered configuration (section 6.2), the credential request uses one of them.
4. Get a ``c_nonce`` from the nonce endpoint (section 7), when the issuer has one.
5. Send the credential request (section 8) with a proof of possession of the learner's key
   (appendix F.1): a JWT with ``typ`` ``openid4vci-proof+jwt``, ``kid`` the learner's did:key
   verification method, ``aud`` the credential issuer, ``iat`` and ``nonce``, signed through the
   KeyStore's ``Signer`` (the private key never leaves it). Section 8.2 then allows
   ``credential_identifier`` or ``credential_configuration_id``, never both. An
   ``invalid_nonce`` answer (section 8.3.1.2) is retried once, with a fresh nonce and proof.
6. Return the credential exactly as received: a compact JWS string, or a JSON object
   (``ldp_vc``) as the text of that member of the response, byte for byte (see
   ``_issued_credential``).

The caller then verifies and stores it (``passport.wallet.holdings.add_credential``). A credential
whose subject is another DID than the learner's (the issuer ignored the key proof) is kept like an
imported one, and marked "issued to another holder" (``display.issued_to_another_holder``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session

from credentials import (
    InvalidInput,
    PassportError,
    Signer,
    encode_base64url,
    member_text,
    parse_json_object,
)
from infra import N_, FetchFailed
from passport.wallet.holdings import Verify, add_credential
from passport.wallet.issuer_http import IssuerAnswer, IssuerHttp
from passport.wallet.tables import Learner, StoredCredential

OFFER_SCHEME = "openid-credential-offer"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"
MAX_OFFER_LINK = 8192
_TOKEN_ERRORS = {
    "invalid_grant": N_("the claim code is wrong, has expired or was already used"),
    # Sent with a transaction code: most likely a mistyped one (the institution counts them).
    "invalid_grant+tx_code": N_(
        "the transaction code is wrong, or this offer has expired or is locked; check the code "
        "and try again"
    ),
    "invalid_tx_code": N_("the transaction code is wrong"),
    "unsupported_grant_type": N_("the institution does not accept this kind of claim code"),
}


# The institution answers 404 for an offer that expired, was claimed, or locked after too many
# wrong transaction codes (it does not say which to a stranger).
_GONE_OFFER = N_(
    "this offer has expired, was already claimed, or is locked after too many wrong transaction "
    "codes; ask your institution for a new one"
)


class ClaimRefused(InvalidInput):
    """The offer cannot be claimed; the message says why in plain words."""

    code = "claim_refused"


@dataclass(frozen=True)
class CredentialOffer:
    credential_issuer: str
    configuration_id: str
    pre_authorized_code: str
    tx_code: dict[str, Any] | None

    @property
    def needs_tx_code(self) -> bool:
        return self.tx_code is not None


@dataclass(frozen=True)
class AccessGrant:
    """The token response (section 6.2): the token and the identifiers it grants, if any."""

    access_token: str
    credential_identifiers: tuple[str, ...] = ()

    def credential_request(self, configuration_id: str, proof: str) -> dict[str, Any]:
        """Section 8.2: by identifier when the token response gave some, else by configuration."""
        request: dict[str, Any] = {"proofs": {"jwt": [proof]}}
        if self.credential_identifiers:
            request["credential_identifier"] = self.credential_identifiers[0]
        else:
            request["credential_configuration_id"] = configuration_id
        return request


@dataclass(frozen=True)
class IssuerEndpoints:
    token_endpoint: str
    credential_endpoint: str
    nonce_endpoint: str | None


def _offer_query(link: str) -> dict[str, list[str]]:
    link = link.strip()
    if not link or len(link) > MAX_OFFER_LINK:
        raise ClaimRefused(N_("paste the whole claim link the institution gave you"))
    parts = urlsplit(link)
    if parts.scheme not in (OFFER_SCHEME, "https", "http"):
        raise ClaimRefused(N_("this is not a claim link (openid-credential-offer://...)"))
    return parse_qs(parts.query)


def read_offer(link: str, http: IssuerHttp) -> CredentialOffer:
    """The offer a claim link carries, fetching it when it is given by reference."""
    query = _offer_query(link)
    if "credential_offer" in query:
        return offer_from_json(parse_json_object(query["credential_offer"][0]))
    if "credential_offer_uri" in query:
        try:
            return offer_from_json(http.get_json(query["credential_offer_uri"][0]))
        except FetchFailed as error:
            if error.origin_status != HTTPStatus.NOT_FOUND:
                raise ClaimRefused(
                    N_("the offer could not be fetched: %(reason)s"),
                    params={"reason": error.message},
                ) from None
            raise ClaimRefused(_GONE_OFFER) from None
        except PassportError as error:
            raise ClaimRefused(
                N_("the offer could not be fetched: %(reason)s"), params={"reason": error.message}
            ) from None
    raise ClaimRefused(N_("the link carries no credential offer"))


def _text(document: dict[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not value:
        raise ClaimRefused(N_("the offer has no valid '%(name)s'"), params={"name": name})
    return value


def offer_from_json(document: dict[str, Any]) -> CredentialOffer:
    """Section 4.1.1: issuer, configuration ids and the pre-authorized code grant."""
    configurations = document.get("credential_configuration_ids")
    if not isinstance(configurations, list) or not configurations:
        raise ClaimRefused(N_("the offer names no credential"))
    grants = document.get("grants")
    grant = grants.get(PRE_AUTHORIZED_GRANT) if isinstance(grants, dict) else None
    if not isinstance(grant, dict):
        raise ClaimRefused(N_("the offer has no pre-authorized code; it cannot be claimed here"))
    tx_code = grant.get("tx_code")
    return CredentialOffer(
        credential_issuer=_text(document, "credential_issuer").rstrip("/"),
        configuration_id=str(configurations[0]),
        pre_authorized_code=_text(grant, "pre-authorized_code"),
        tx_code=tx_code if isinstance(tx_code, dict) else None,
    )


def well_known(identifier: str, name: str) -> str:
    """``https://host/.well-known/<name>/path`` for ``https://host/path`` (RFC 8414 sec. 3.1)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/{name}{path}"


def discover(offer: CredentialOffer, http: IssuerHttp) -> IssuerEndpoints:
    metadata = http.get_json(well_known(offer.credential_issuer, "openid-credential-issuer"))
    if str(metadata.get("credential_issuer", "")).rstrip("/") != offer.credential_issuer:
        raise ClaimRefused(N_("the issuer's metadata names another issuer than the offer"))
    supported = metadata.get("credential_configurations_supported")
    if not isinstance(supported, dict) or offer.configuration_id not in supported:
        raise ClaimRefused(N_("the issuer does not describe the offered credential"))
    token_endpoint = metadata.get("token_endpoint")
    if not isinstance(token_endpoint, str):
        servers = metadata.get("authorization_servers") or [offer.credential_issuer]
        server = http.get_json(well_known(str(servers[0]), "oauth-authorization-server"))
        token_endpoint = server.get("token_endpoint")
    nonce_endpoint = metadata.get("nonce_endpoint")
    return IssuerEndpoints(
        token_endpoint=_endpoint(token_endpoint, "token"),
        credential_endpoint=_endpoint(metadata.get("credential_endpoint"), "credential"),
        nonce_endpoint=nonce_endpoint if isinstance(nonce_endpoint, str) else None,
    )


def _endpoint(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ClaimRefused(N_("the issuer publishes no %(name)s endpoint"), params={"name": name})
    return value


def proof_jwt(signer: Signer, audience: str, nonce: str | None, now: datetime) -> str:
    """Appendix F.1: the key proof, signed by the learner's key."""
    header = {"alg": signer.algorithm, "typ": PROOF_TYPE, "kid": signer.verification_method}
    payload: dict[str, Any] = {"aud": audience, "iat": int(now.timestamp())}
    if nonce is not None:
        payload["nonce"] = nonce
    parts = [
        encode_base64url(json.dumps(part, separators=(",", ":")).encode())
        for part in (header, payload)
    ]
    signing_input = ".".join(parts)
    return f"{signing_input}.{encode_base64url(signer.sign(signing_input.encode('ascii')))}"


def _identifiers(body: dict[str, Any], configuration_id: str) -> tuple[str, ...]:
    """The ``credential_identifiers`` of the offered configuration's ``openid_credential``
    authorization details in the token response (section 6.2), or none."""
    details = body.get("authorization_details")
    for detail in details if isinstance(details, list) else []:
        if (
            isinstance(detail, dict)
            and detail.get("type") == "openid_credential"
            and detail.get("credential_configuration_id") == configuration_id
        ):
            identifiers = detail.get("credential_identifiers")
            if isinstance(identifiers, list):
                return tuple(item for item in identifiers if isinstance(item, str) and item)
    return ()


def _access_token(
    offer: CredentialOffer, endpoints: IssuerEndpoints, tx_code: str | None, http: IssuerHttp
) -> AccessGrant:
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.pre_authorized_code}
    if offer.needs_tx_code:
        if not tx_code:
            raise ClaimRefused(N_("this offer needs the transaction code the institution sent you"))
        form["tx_code"] = tx_code.strip()
    answer = http.post(endpoints.token_endpoint, form=form)
    token = answer.body.get("access_token")
    if answer.status != 200 or not isinstance(token, str):
        error = str(answer.body.get("error", ""))
        if error == "invalid_grant" and tx_code:
            error = "invalid_grant+tx_code"
        if error in _TOKEN_ERRORS:
            raise ClaimRefused(_TOKEN_ERRORS[error])
        raise ClaimRefused(
            N_("the institution refused the claim (HTTP %(status)s)"),
            params={"status": answer.status},
        )
    return AccessGrant(token, _identifiers(answer.body, offer.configuration_id))


def _nonce(endpoints: IssuerEndpoints, http: IssuerHttp) -> str | None:
    if endpoints.nonce_endpoint is None:
        return None
    answer = http.post(endpoints.nonce_endpoint)
    nonce = answer.body.get("c_nonce")
    if answer.status != 200 or not isinstance(nonce, str):
        raise ClaimRefused(N_("the institution did not give a nonce for the key proof"))
    return nonce


def claim_offer(
    offer: CredentialOffer, *, tx_code: str | None, signer: Signer, http: IssuerHttp, now: datetime
) -> bytes:
    """Run steps 2 to 6; the credential's bytes (JSON text or the compact JWS)."""
    try:
        endpoints = discover(offer, http)
        grant = _access_token(offer, endpoints, tx_code, http)
        answer = _request_credential(offer, endpoints, grant, signer, http, now)
        if answer.status == 400 and answer.body.get("error") == "invalid_nonce":
            answer = _request_credential(offer, endpoints, grant, signer, http, now)
    except ClaimRefused:
        raise
    except PassportError as error:
        raise ClaimRefused(
            N_("the institution could not be reached: %(reason)s"), params={"reason": error.message}
        ) from None
    return _issued_credential(answer)


def _request_credential(
    offer: CredentialOffer,
    endpoints: IssuerEndpoints,
    grant: AccessGrant,
    signer: Signer,
    http: IssuerHttp,
    now: datetime,
) -> IssuerAnswer:
    """One credential request with a proof over a fresh nonce."""
    proof = proof_jwt(signer, offer.credential_issuer, _nonce(endpoints, http), now)
    request = grant.credential_request(offer.configuration_id, proof)
    return http.post(endpoints.credential_endpoint, json_body=request, bearer=grant.access_token)


def _issued_credential(answer: IssuerAnswer) -> bytes:
    """Step 6: the first credential of the response (section 8.3), as the issuer wrote it."""
    status, body = answer.status, answer.body
    if status == 202 or "transaction_id" in body:
        raise ClaimRefused(
            N_("the institution will issue this credential later; claim it again then")
        )
    credentials = body.get("credentials")
    first = credentials[0] if isinstance(credentials, list) and credentials else None
    credential = first.get("credential") if isinstance(first, dict) else None
    if status != 200 or credential is None:
        reason = body.get("error_description") or body.get("error") or f"HTTP {status}"
        raise ClaimRefused(
            N_("the institution did not issue the credential (%(reason)s)"),
            params={"reason": reason},
        )
    if isinstance(credential, str):
        return credential.encode("ascii", "replace")
    # The issuer's own text, cut out of the response rather than re-serialized from the parsed
    # object: re-serializing would verify too (the proof covers the RDFC or JCS canonical form,
    # not the bytes), but spacing, escapes and number forms would change, and the passport keeps
    # and exports a credential exactly as issued. Slicing the parsed text (member_text) reads the
    # same document the parser accepted, duplicate names refused, so the slice is this member.
    return member_text(answer.text, ["credentials", 0, "credential"]).encode("utf-8")


def claim_into_passport(
    session: Session,
    learner: Learner,
    offer_link: str,
    tx_code: str,
    *,
    signer: Signer,
    http: IssuerHttp,
    verify: Verify,
    now: datetime,
) -> StoredCredential:
    """Claim the offer with the learner's key, then verify and store what the issuer sent."""
    offer = read_offer(offer_link, http)
    data = claim_offer(offer, tx_code=tx_code or None, signer=signer, http=http, now=now)
    stored, _ = add_credential(session, learner, data, verify, source="claim", now=now)
    return stored
