"""A fake OpenID4VCI 1.0 credential issuer on 127.0.0.1, for the wallet's claim tests.

It is strict where a real issuer must be (single-use, expiring pre-authorized codes; transaction
codes; nonces; proof JWTs checked for ``typ``, ``aud``, ``nonce`` and the signature of the did:key
in ``kid``) and it signs real credentials (``tests.verifier.support.Issuer``) for the DID that
proved possession. A test can also make it issue to another subject, or answer wrongly.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, quote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.multibase import decode_base64url
from credentials.multikey import resolve_did_key
from tests.passport.wallet.support import signed_credential
from tests.verifier.support import Issuer

CONFIGURATION = "MicroCredential_ldp_vc"
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@dataclass
class Offer:
    code: str
    tx_code: str | None
    expires_at: datetime
    issue_to: str | None = None
    used: bool = False
    # OpenID4VCI 1.0 section 6.2: the token response names credential identifiers, and the
    # credential request must then use one (section 8.2).
    identifier: str | None = None
    # The first credential request answers invalid_nonce (the nonce went stale), once.
    stale_nonce: bool = False


@dataclass
class FakeIssuer:
    signer: Issuer = field(default_factory=Issuer)
    base_url: str = ""
    offers: dict[str, Offer] = field(default_factory=dict)
    tokens: dict[str, Offer] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    issued: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def offer(
        self,
        *,
        tx_code: str | None = None,
        expired: bool = False,
        issue_to: str | None = None,
        identifiers: bool = False,
        stale_nonce: bool = False,
    ) -> dict[str, Any]:
        """A new offer (and its single-use code); ``issue_to`` forces the subject DID;
        ``identifiers`` answers credential identifiers at the token endpoint; ``stale_nonce``
        refuses the first proof's nonce."""
        code = secrets.token_urlsafe(16)
        lifetime = timedelta(minutes=-1 if expired else 10)
        identifier = f"dataset-{secrets.token_hex(4)}" if identifiers else None
        self.offers[code] = Offer(
            code, tx_code, datetime.now(UTC) + lifetime, issue_to, False, identifier, stale_nonce
        )
        grant: dict[str, Any] = {"pre-authorized_code": code}
        if tx_code is not None:
            grant["tx_code"] = {"input_mode": "numeric", "length": len(tx_code)}
        return {
            "credential_issuer": self.base_url,
            "credential_configuration_ids": [CONFIGURATION],
            "grants": {PRE_AUTHORIZED: grant},
        }

    def link_by_value(self, offer: dict[str, Any]) -> str:
        return "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))

    def link_by_reference(self, offer: dict[str, Any]) -> str:
        code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
        return "openid-credential-offer://?credential_offer_uri=" + quote(
            f"{self.base_url}/offers/{code}", safe=""
        )

    # --- the endpoints -------------------------------------------------------------------

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        if path == "/.well-known/openid-credential-issuer":
            return 200, {
                "credential_issuer": self.base_url,
                "credential_endpoint": f"{self.base_url}/credential",
                "nonce_endpoint": f"{self.base_url}/nonce",
                "credential_configurations_supported": {
                    CONFIGURATION: {"format": "ldp_vc", "proof_types_supported": {"jwt": {}}}
                },
            }
        if path == "/.well-known/oauth-authorization-server":
            return 200, {"issuer": self.base_url, "token_endpoint": f"{self.base_url}/token"}
        if path.startswith("/offers/"):
            code = path.removeprefix("/offers/")
            if code in self.offers:
                return 200, self._offer_document(code)
        return 404, {"error": "not_found"}

    def _offer_document(self, code: str) -> dict[str, Any]:
        offer = self.offers[code]
        grant: dict[str, Any] = {"pre-authorized_code": code}
        if offer.tx_code is not None:
            grant["tx_code"] = {"input_mode": "numeric", "length": len(offer.tx_code)}
        return {
            "credential_issuer": self.base_url,
            "credential_configuration_ids": [CONFIGURATION],
            "grants": {PRE_AUTHORIZED: grant},
        }

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if path == "/token":
                return self._token({k: v[0] for k, v in parse_qs(body.decode()).items()})
            if path == "/nonce":
                nonce = secrets.token_urlsafe(16)
                self.nonces.add(nonce)
                return 200, {"c_nonce": nonce}
            if path == "/credential":
                bearer = headers.get("authorization", "").removeprefix("Bearer ")
                return self._credential(bearer, json.loads(body or b"{}"))
        return 404, {"error": "not_found"}

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        offer = self.offers.get(form.get("pre-authorized_code", ""))
        if form.get("grant_type") != PRE_AUTHORIZED:
            return 400, {"error": "unsupported_grant_type"}
        if offer is None or offer.used or datetime.now(UTC) > offer.expires_at:
            return 400, {"error": "invalid_grant"}
        if offer.tx_code is not None and form.get("tx_code") != offer.tx_code:
            return 400, {"error": "invalid_grant", "error_description": "wrong tx_code"}
        offer.used = True
        token = secrets.token_urlsafe(24)
        self.tokens[token] = offer
        answer: dict[str, Any] = {"access_token": token, "token_type": "Bearer", "expires_in": 300}
        if offer.identifier is not None:
            answer["authorization_details"] = [
                {
                    "type": "openid_credential",
                    "credential_configuration_id": CONFIGURATION,
                    "credential_identifiers": [offer.identifier],
                }
            ]
        return 200, answer

    def _credential(self, bearer: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        offer = self.tokens.get(bearer)
        if offer is None:
            return 401, {"error": "invalid_token"}
        if offer.identifier is not None:
            # Section 8.2: credential_identifier, and then never credential_configuration_id.
            if request.get("credential_identifier") != offer.identifier or (
                "credential_configuration_id" in request
            ):
                return 400, {"error": "invalid_credential_request"}
        elif request.get("credential_configuration_id") != CONFIGURATION:
            return 400, {"error": "unknown_credential_configuration"}
        if offer.stale_nonce:
            offer.stale_nonce = False
            return 400, {"error": "invalid_nonce", "error_description": "stale nonce"}
        del self.tokens[bearer]
        holder = self._proof_holder(request["proofs"]["jwt"][0])
        if holder is None:
            return 400, {"error": "invalid_proof"}
        credential = signed_credential(self.signer, subject=offer.issue_to or holder)
        self.issued.append(credential)
        return 200, {"credentials": [{"credential": credential}]}

    def _proof_holder(self, proof: str) -> str | None:
        """The DID whose key signed a valid proof JWT (OpenID4VCI appendix F.1), else None."""
        header_part, payload_part, signature_part = proof.split(".")
        header = json.loads(decode_base64url(header_part))
        payload = json.loads(decode_base64url(payload_part))
        if header.get("typ") != "openid4vci-proof+jwt" or header.get("alg") != "EdDSA":
            return None
        if payload.get("aud") != self.base_url or payload.get("nonce") not in self.nonces:
            return None
        self.nonces.discard(payload["nonce"])
        method = resolve_did_key(header["kid"])
        assert isinstance(method.public_key, Ed25519PublicKey)
        signing_input = f"{header_part}.{payload_part}".encode()
        try:
            method.public_key.verify(decode_base64url(signature_part), signing_input)
        except InvalidSignature:
            return None
        return method.controller


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, status: int, body: dict[str, Any]) -> None:
        encoded = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def do_GET(self) -> None:
        issuer = cast(_Server, self.server).issuer
        self._answer(*issuer.get(self.path))

    def do_POST(self) -> None:
        issuer = cast(_Server, self.server).issuer
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._answer(*issuer.post(self.path, body, headers))

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, issuer: FakeIssuer) -> None:
        self.issuer = issuer
        super().__init__(("127.0.0.1", 0), _Handler)


@contextmanager
def fake_issuer() -> Iterator[FakeIssuer]:
    issuer = FakeIssuer()
    server = _Server(issuer)
    issuer.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
