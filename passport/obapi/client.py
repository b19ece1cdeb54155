"""The passport as a client of another Host: a learner connects their passport to another
1EdTech Host (OB 3.0 section 7), pulls the credentials there into their passport, each one
verified like an import, and pushes chosen ones out.

The steps, in the spec's order: read the Host's Service Description Document (section 7.1.1),
register once per Host (section 7.1.2, RFC 7591), send the learner to the Host's authorization
page with PKCE S256 (section 7.2.1), exchange the code (section 7.2.3), then call the API with
the token, refreshing it when it has expired (section 7.4). Every request goes through the
guarded HTTP client (``GuardedIssuerHttp``, the fetcher's policy). The client secret, the PKCE
verifier and the tokens are sealed with the deployment's master key; the ``state`` is kept as
its digest only.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlmodel import Session, select

from credentials import NotFound, PassportError
from infra import N_
from keys import MasterKey, open_envelope, seal_envelope
from passport.obapi.oauth_models import digest
from passport.obapi.scopes import OB_V3P0
from passport.obapi.tables import RemoteGrant, RemoteHost
from passport.wallet.issuer_http import GuardedIssuerHttp, IssuerAnswer
from passport.wallet.tables import Learner

CALLBACK_PATH = "/passport/hosts/callback"
SEAL_OWNER = "obapi-remote"
SOFTWARE_ID = "5f0c1c43-6a0e-4d53-9a57-2b7f0f6f9f17"  # this software's, for every deployment
PAGE_SIZE = 100
MAX_PAGES = 50
SOURCE = "ob-api-pull"


class HostRefused(PassportError):
    """The other Host answered with an error, or with something that is not the protocol."""

    code = "host_refused"
    status = 502


@dataclass(frozen=True)
class ClientSite:
    """This deployment, as it presents itself when it registers (all URLs on one host)."""

    base_url: str

    def registration(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "client_name": "Learner Passport",
            "client_uri": f"{base}/",
            "logo_uri": f"{base}/static/passport-logo.png",
            "tos_uri": f"{base}/passport/api-policy",
            "policy_uri": f"{base}/passport/api-policy?part=privacy",
            "software_id": SOFTWARE_ID,
            "software_version": "0.1.0",
            "redirect_uris": [f"{base}{CALLBACK_PATH}"],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": " ".join(OB_V3P0.scopes),
        }


@dataclass(frozen=True)
class Remote:
    """What a client-side operation needs: the session, the guarded HTTP client, the master
    key, this deployment, and the clock's one reading."""

    session: Session
    http: GuardedIssuerHttp
    master: MasterKey
    site: ClientSite
    now: datetime

    def seal(self, value: str, row_id: str, purpose: str) -> str:
        return seal_envelope(
            value.encode(), self.master, key_id=f"{row_id}:{purpose}", owner_id=SEAL_OWNER
        )

    def open(self, blob: str, row_id: str, purpose: str) -> str:
        return open_envelope(
            blob, self.master, key_id=f"{row_id}:{purpose}", owner_id=SEAL_OWNER
        ).decode()


def checked(answer: IssuerAnswer, expected: tuple[int, ...], request: str) -> dict[str, Any]:
    """The answer's JSON, or ``HostRefused`` naming the ``request`` (an OAuth or API step)."""
    if answer.status not in expected:
        reason = answer.body.get("error_description") or answer.body.get("error") or answer.status
        raise HostRefused(
            N_("the other Host refused %(request)s: %(reason)s"),
            params={"request": request, "reason": str(reason)},
        )
    return answer.body


def _host_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise HostRefused(N_("give the other Host's https address"))
    return f"https://{parts.netloc}{parts.path.rstrip('/')}"


def _registered_host(remote: Remote, base_url: str) -> RemoteHost:
    """The Host's registration, made once (discovery, then RFC 7591)."""
    known = remote.session.exec(select(RemoteHost).where(RemoteHost.base_url == base_url)).first()
    if known is not None:
        return known
    document = remote.http.get_json(f"{base_url}{OB_V3P0.path('/discovery')}")
    try:
        scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
        flow = scheme["flows"]["authorizationCode"]
        urls = (scheme["x-imssf-registrationUrl"], flow["authorizationUrl"], flow["tokenUrl"])
        servers = document.get("servers") or [{"url": f"{base_url}{OB_V3P0.prefix}"}]
        api_url = str(servers[0]["url"]).rstrip("/")
    except (KeyError, TypeError, IndexError):
        raise HostRefused(N_("the other Host's service description is not usable")) from None
    if not all(isinstance(url, str) and url.startswith("https://") for url in (*urls, api_url)):
        raise HostRefused(N_("the other Host's service description is not usable"))
    answer = remote.http.send("POST", urls[0], json_body=remote.site.registration())
    registration = checked(answer, (201,), "registration (RFC 7591)")
    host = RemoteHost(
        id=str(uuid.uuid4()),
        base_url=base_url,
        client_id=str(registration.get("client_id", "")),
        secret_sealed="",
        authorization_url=urls[1],
        token_url=urls[2],
        api_url=api_url,
        registered_at=remote.now,
    )
    host.secret_sealed = remote.seal(str(registration.get("client_secret", "")), host.id, "secret")
    remote.session.add(host)
    remote.session.flush()
    return host


def start_connection(remote: Remote, learner: Learner, host_url: str) -> str:
    """Register with the Host if needed and answer where to send the learner to consent."""
    host = _registered_host(remote, _host_url(host_url))
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    grant = RemoteGrant(
        id=str(uuid.uuid4()),
        learner_id=learner.id,
        host_id=host.id,
        state_hash=digest(state),
        created_at=remote.now,
    )
    grant.verifier_sealed = remote.seal(verifier, grant.id, "verifier")
    remote.session.add(grant)
    remote.session.flush()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": host.client_id,
        "redirect_uri": f"{remote.site.base_url}{CALLBACK_PATH}",
        "scope": " ".join(OB_V3P0.scopes),
        "state": state,
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    return f"{host.authorization_url}?{urlencode(query)}"


def finish_connection(remote: Remote, learner: Learner, state: str, code: str) -> RemoteGrant:
    """The Host sent the learner back: exchange the code (the state must be this learner's)."""
    grant = remote.session.exec(
        select(RemoteGrant).where(
            RemoteGrant.learner_id == learner.id, RemoteGrant.state_hash == digest(state)
        )
    ).first()
    if grant is None or grant.verifier_sealed is None:
        raise NotFound(N_("no such connection in progress"))
    host = host_of(remote, grant)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{remote.site.base_url}{CALLBACK_PATH}",
        "code_verifier": remote.open(grant.verifier_sealed, grant.id, "verifier"),
    }
    _store_tokens(remote, grant, _token_request(remote, host, form))
    grant.state_hash = None
    grant.verifier_sealed = None
    grant.connected_at = remote.now
    remote.session.add(grant)
    remote.session.flush()
    return grant


def host_of(remote: Remote, grant: RemoteGrant) -> RemoteHost:
    host = remote.session.get(RemoteHost, grant.host_id)
    if host is None:
        raise NotFound(N_("no such connection in progress"))
    return host


def _token_request(remote: Remote, host: RemoteHost, form: dict[str, str]) -> dict[str, Any]:
    secret = remote.open(host.secret_sealed, host.id, "secret")
    answer = remote.http.send("POST", host.token_url, form=form, basic=(host.client_id, secret))
    tokens = checked(answer, (200,), "token (RFC 6749)")
    if not isinstance(tokens.get("access_token"), str):
        raise HostRefused(N_("the other Host's service description is not usable"))
    return tokens


def _store_tokens(remote: Remote, grant: RemoteGrant, tokens: dict[str, Any]) -> None:
    grant.access_sealed = remote.seal(tokens["access_token"], grant.id, "access")
    if isinstance(tokens.get("refresh_token"), str):
        grant.refresh_sealed = remote.seal(tokens["refresh_token"], grant.id, "refresh")
    lifetime = tokens.get("expires_in")
    seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else 3600
    grant.access_expires_at = remote.now + timedelta(seconds=seconds)
    grant.scope = str(tokens.get("scope", ""))[:1024]


def connected_grant(remote: Remote, learner: Learner, grant_id: str) -> RemoteGrant:
    grant = remote.session.get(RemoteGrant, grant_id)
    if grant is None or grant.learner_id != learner.id or grant.access_sealed is None:
        raise NotFound(N_("no such connection in your passport"))
    return grant


def access_token(remote: Remote, grant: RemoteGrant) -> str:
    """The grant's access token, refreshed first when it has expired (RFC 6749 section 6)."""
    assert grant.access_sealed is not None
    expired = grant.access_expires_at is not None and remote.now >= grant.access_expires_at
    if expired and grant.refresh_sealed is not None:
        refresh = remote.open(grant.refresh_sealed, grant.id, "refresh")
        form = {"grant_type": "refresh_token", "refresh_token": refresh}
        _store_tokens(remote, grant, _token_request(remote, host_of(remote, grant), form))
        remote.session.add(grant)
        remote.session.flush()
    return remote.open(grant.access_sealed, grant.id, "access")
