"""Claiming this deployment's own offers in-process, and everyone else's through the guard.

An offer made by the institutions of this deployment names the deployment's own address
(``PASSPORT_BASE_URL``). Fetching it over the network would need the guarded fetcher to allow
plain http and private addresses (``http://127.0.0.1:8000`` in the demo), settings that would open
the whole server to SSRF. So ``OwnIssuerHttp`` answers a request for an address under the
deployment's own base URL by handing it to the application itself, through ASGI, without a
socket: the same routes (offer, metadata, token, nonce, credential) answer it, with the same
checks, exactly as they answer another wallet. A request for any other address goes to the
guarded client (``GuardedIssuerHttp``) unchanged.

The routes open their own database sessions: the caller must not hold a write transaction on
SQLite while claiming (the claim route commits before it claims).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.from_thread
import httpx
from starlette.types import ASGIApp

from credentials import InvalidInput, parse_json_object
from infra import FetchFailed
from passport.wallet.issuer_http import (
    CLAIM_SECONDS,
    JSON_ACCEPT,
    ClaimHttp,
    IssuerAnswer,
    IssuerHttp,
)


class OwnIssuerHttp:
    """``IssuerHttp`` that keeps requests to ``base_url`` inside ``app`` (see the module)."""

    def __init__(self, app: ASGIApp, base_url: str, others: ClaimHttp) -> None:
        self._app = app
        self._base_url = base_url.rstrip("/")
        self._claims = others
        self._others: IssuerHttp | None = None

    def for_one_claim(self, seconds: float = CLAIM_SECONDS) -> OwnIssuerHttp:
        """This client for one claim: other deployments' requests share one total deadline."""
        bound = OwnIssuerHttp(self._app, self._base_url, self._claims)
        bound._others = self._claims.for_one_claim(seconds)
        return bound

    def _outside(self) -> IssuerHttp:
        """The guarded client for another deployment's address (a claim's own, when bound)."""
        return self._others if self._others is not None else self._claims.for_one_claim()

    def is_own(self, url: str) -> bool:
        """Whether ``url`` is an address of this deployment (same scheme, host, port, path)."""
        return url.startswith(f"{self._base_url}/")

    def get_json(self, url: str) -> dict[str, Any]:
        if not self.is_own(url):
            return self._outside().get_json(url)
        answer = self._send("GET", url, {"headers": {}})
        if answer.status != 200:
            raise FetchFailed(
                f"{url} answered HTTP {answer.status}", transient=False, origin_status=answer.status
            )
        return answer.body

    def post(
        self,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        bearer: str | None = None,
    ) -> IssuerAnswer:
        if not self.is_own(url):
            return self._outside().post(url, form=form, json_body=json_body, bearer=bearer)
        headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
        return self._send("POST", url, {"data": form, "json": json_body, "headers": headers})

    def _send(self, method: str, url: str, arguments: dict[str, Any]) -> IssuerAnswer:
        async def exchange() -> httpx.Response:
            transport = httpx.ASGITransport(app=self._app)
            async with httpx.AsyncClient(transport=transport, base_url=self._base_url) as client:
                arguments["headers"]["Accept"] = JSON_ACCEPT
                return await client.request(method, url, **arguments)

        response = _run(exchange)
        try:
            body = parse_json_object(response.content) if response.content.strip() else {}
        except InvalidInput:
            return IssuerAnswer(response.status_code, {})
        return IssuerAnswer(response.status_code, body, response.text)


def _run(exchange: Any) -> httpx.Response:
    """Run the exchange on the server's event loop from a route's worker thread, or else (a
    command such as ``passport demo``) on a loop of its own, in a thread of its own: the
    calling thread may already run a loop of another kind."""
    try:
        response: httpx.Response = anyio.from_thread.run(exchange)
    except RuntimeError:
        with ThreadPoolExecutor(max_workers=1) as thread:
            response = thread.submit(lambda: asyncio.run(exchange())).result()
    return response
