"""HTTP to a credential issuer named by an offer: every request under the guarded fetcher's rules.

The issuer's address comes from an offer the learner pastes, so it is attacker-named (SSRF).
``GET`` goes through ``infra.fetch.fetcher.GuardedFetcher`` itself. The fetcher only fetches, and
OpenID4VCI needs three ``POST`` requests (token, nonce, credential), so ``post`` applies the same
policy with the same public pieces: the fetcher's ``FetchPolicy`` (https only, plain http only for
hosts it names), every resolved address vetted by ``infra.fetch.addresses.address_refusal``, the
connection made to the vetted address (no second DNS lookup; TLS still checks the certificate
against the host name, sent as SNI), no redirects, bodies capped at ``max_bytes`` and compressed
bodies refused.

One claim has one total deadline (``for_one_claim``, ``CLAIM_SECONDS``): every request of it,
``GET`` and ``POST``, ends by then, at the socket level (``infra.fetch.pinned_transport``), so
an issuer that answers one byte a second holds a worker for ``CLAIM_SECONDS`` at most, not per
request.
"""

from __future__ import annotations

import base64
import copy
import ipaddress
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote_plus

import httpx

from credentials import InvalidInput, parse_json_object
from infra import (
    FetchBudget,
    FetchFailed,
    FetchRefused,
    GuardedFetcher,
    PinnedBackend,
    PinnedTransport,
    Resolver,
    address_refusal,
    system_resolver,
)

JSON_ACCEPT = "application/json"
# Metadata, token, nonce and credential requests together; a working issuer needs a second.
CLAIM_SECONDS = 20.0
CLAIM_MAX_FETCHES = 8


@dataclass(frozen=True)
class IssuerAnswer:
    """An answer to a ``POST``: the status, the JSON object (``{}`` for an empty or non-JSON
    body) and, when it is one, the JSON text exactly as sent (a credential is cut out of it)."""

    status: int
    body: dict[str, Any]
    text: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


class IssuerHttp(Protocol):
    def get_json(self, url: str) -> dict[str, Any]: ...

    def post(
        self,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        bearer: str | None = None,
    ) -> IssuerAnswer: ...


class ClaimHttp(Protocol):
    """Where a wallet's claims go: one ``IssuerHttp`` per claim, with its own deadline."""

    def for_one_claim(self, seconds: float = CLAIM_SECONDS) -> IssuerHttp: ...


class GuardedIssuerHttp:
    """``IssuerHttp`` under the policy of ``fetcher``; ``for_one_claim`` adds the deadline."""

    def __init__(self, fetcher: GuardedFetcher, *, resolver: Resolver = system_resolver) -> None:
        self._fetcher = fetcher
        self._policy = fetcher.policy
        self._resolver = resolver
        self._ssl_context = httpx.create_ssl_context()
        self._deadline: float | None = None

    def for_one_claim(self, seconds: float = CLAIM_SECONDS) -> GuardedIssuerHttp:
        """This client with one total deadline, ``seconds`` from now, for every request."""
        bound = copy.copy(self)
        bound._deadline = time.monotonic() + seconds
        bound._fetcher = self._fetcher.within(
            FetchBudget.start(now=time.monotonic(), seconds=seconds, max_fetches=CLAIM_MAX_FETCHES)
        )
        return bound

    def get_json(self, url: str) -> dict[str, Any]:
        try:
            return parse_json_object(self._fetcher.fetch(url, accept=JSON_ACCEPT).content)
        except InvalidInput as error:
            raise FetchFailed(
                f"{url} did not answer JSON: {error.message}", transient=False
            ) from None

    def post(
        self,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        bearer: str | None = None,
    ) -> IssuerAnswer:
        return self.send("POST", url, form=form, json_body=json_body, bearer=bearer)

    def send(
        self,
        method: str,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        bearer: str | None = None,
        basic: tuple[str, str] | None = None,
    ) -> IssuerAnswer:
        """Any request under the policy (the OB 3.0 API client also needs ``GET`` with a
        token, HTTP Basic client authentication, and raw bodies)."""
        target = self._vetted_url(url)
        address = self._vetted_address(target)
        deadline = self._deadline or time.monotonic() + self._policy.total_timeout
        if time.monotonic() >= deadline:
            raise FetchFailed(f"not contacting {url}: the claim's time is up", transient=True)
        headers = {
            "Accept": JSON_ACCEPT,
            "Accept-Encoding": "identity",
            "User-Agent": self._policy.user_agent,
        }
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        if basic is not None:
            headers["Authorization"] = basic_authorization(*basic)
        if content_type is not None:
            headers["Content-Type"] = content_type
        timeout = httpx.Timeout(self._policy.read_timeout, connect=self._policy.connect_timeout)
        # Connects to the vetted address only; TLS checks the certificate against the host name.
        transport = PinnedTransport(
            PinnedBackend([ipaddress.ip_address(address)], deadline), self._ssl_context
        )
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
            request = client.build_request(
                method, target, data=form, json=json_body, content=content, headers=headers
            )
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError as error:
                raise FetchFailed(f"could not reach {url}: {error}", transient=True) from None
            try:
                return self._answer(url, response, deadline)
            finally:
                response.close()

    def _vetted_url(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise FetchRefused(f"{url[:200]!r} is not a valid URL") from None
        if parsed.scheme == "http" and parsed.host not in self._policy.allow_http_hosts:
            raise FetchRefused(f"plain http is not allowed for {parsed.host}; use https")
        if parsed.scheme not in ("http", "https") or not parsed.host or parsed.userinfo:
            raise FetchRefused(f"only https URLs without credentials are used, not {url[:200]!r}")
        return parsed.copy_with(fragment=None)

    def _vetted_address(self, url: httpx.URL) -> str:
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            answers = [url.host] if _is_ip(url.host) else list(self._resolver(url.host, port))
        except (OSError, UnicodeError):
            raise FetchFailed(
                f"cannot resolve {url.host}: no such name, or the name server did not answer",
                transient=True,
            ) from None
        if not answers:
            raise FetchFailed(f"{url.host} has no address", transient=True)
        if not self._policy.allow_private_addresses:
            for answer in answers:
                kind = address_refusal(ipaddress.ip_address(answer))
                if kind is not None:
                    raise FetchRefused(f"address {answer} is {kind}; it is not contacted")
        return answers[0]

    def _answer(self, url: str, response: httpx.Response, deadline: float) -> IssuerAnswer:
        if response.status_code in (301, 302, 303, 307, 308):
            raise FetchRefused(f"{url} answered with a redirect, which is not followed")
        if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
            raise FetchFailed(f"{url} sent a compressed body", transient=False)
        body = bytearray()
        for chunk in response.iter_raw():
            body += chunk
            if len(body) > self._policy.max_bytes:
                raise FetchFailed(
                    f"{url} sent more than {self._policy.max_bytes} bytes", transient=False
                )
            if time.monotonic() > deadline:
                raise FetchFailed(f"{url} took too long to answer", transient=True)
        status = response.status_code
        try:
            parsed = parse_json_object(bytes(body)) if body.strip() else {}
        except InvalidInput:
            return IssuerAnswer(status, {}, headers=response.headers)
        # Valid UTF-8 without a byte order mark once parsed: the text is exactly the bytes sent.
        return IssuerAnswer(status, parsed, body.decode("utf-8"), headers=response.headers)


def basic_authorization(user: str, password: str) -> str:
    """HTTP Basic for a client id and secret, each form-encoded first (RFC 6749 section 2.3.1).

    >>> basic_authorization("a b", "c")
    'Basic YStiOmM='
    """
    pair = f"{quote_plus(user)}:{quote_plus(password)}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
