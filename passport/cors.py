"""CORS for what browser wallets and verifiers on other origins read (issue 14).

``Access-Control-Allow-Origin: *`` goes on the public, read-only documents others fetch (DID
documents, JWKS, status lists, contexts, issuer and authorization server metadata, the catalog
API) and on the OpenID4VCI offer, token, nonce and credential endpoints, which a wallet calls
with no cookie (the pre-authorized code and the access token travel in the request). The
components name those paths (``CORS_PATHS``); every other response gets no CORS header at all,
so no page that a cookie authenticates can be read from another origin. Credentials mode is
never allowed (Fetch standard section 3.2.3: ``*`` never goes with
``Access-Control-Allow-Credentials``), so a browser never sends cookies with these requests.

A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) on those paths is answered
here: the credential endpoint takes a JSON body and an ``Authorization`` header, which are not
CORS-safelisted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_ORIGIN = (b"access-control-allow-origin", b"*")
# Response headers a wallet needs beyond the safelisted ones: the OAuth challenge (RFC 6750
# section 3), conditional requests, and when to try again.
EXPOSE = (b"access-control-expose-headers", b"WWW-Authenticate, ETag, Retry-After")
PREFLIGHT = [
    ALLOW_ORIGIN,
    (b"access-control-allow-methods", b"GET, HEAD, POST"),
    (b"access-control-allow-headers", b"Authorization, Content-Type, DPoP"),
    (b"access-control-max-age", b"86400"),
]


class PublicCors:
    """Add ``Access-Control-Allow-Origin: *`` on ``paths`` (full matches) and nowhere else."""

    def __init__(self, app: ASGIApp, *, paths: Sequence[re.Pattern[str]]) -> None:
        self.app = app
        self.paths = tuple(paths)

    def _public(self, scope: Scope) -> bool:
        path = scope.get("path", "")
        return any(pattern.fullmatch(path) for pattern in self.paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._public(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await send({"type": "http.response.start", "status": 204, "headers": PREFLIGHT})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), ALLOW_ORIGIN, EXPOSE]
            await send(message)

        await self.app(scope, receive, send_with_cors)
