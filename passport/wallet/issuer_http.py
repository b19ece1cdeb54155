"""HTTP to a credential issuer named by an offer: every request under the guarded fetcher's rules.

The issuer's address comes from an offer the learner pastes, so it is attacker-named (SSRF).
``GET`` goes through ``keys.fetcher.GuardedFetcher`` itself. The fetcher only fetches, and
OpenID4VCI needs three ``POST`` requests (token, nonce, credential), so ``post`` applies the same
policy with the same public pieces: the fetcher's ``FetchPolicy`` (https only, plain http only for
hosts it names), every resolved address vetted by ``keys.fetcher.address_refusal``, the
connection made to the vetted address (no second DNS lookup; TLS still checks the certificate
against the host name, sent as SNI), no redirects, bodies capped at ``max_bytes`` and compressed
bodies refused.

Residual risk, stated honestly: the deadline is enforced per operation (connect, each read) and
between body chunks, not at the socket level as the fetcher does; a POST endpoint would move
into ``keys/fetcher.py`` when its owner adds one.
"""

from __future__ import annotations

import base64
import ipaddress
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote_plus

import httpx

from credentials.errors import InvalidInput
from credentials.jsonio import parse_json_object
from keys.fetcher import (
    FetchFailed,
    FetchRefused,
    GuardedFetcher,
    Resolver,
    address_refusal,
    system_resolver,
)

JSON_ACCEPT = "application/json"


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


class GuardedIssuerHttp:
    """``IssuerHttp`` under the policy of ``fetcher``. ``transport`` is for tests only."""

    def __init__(
        self,
        fetcher: GuardedFetcher,
        *,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._policy = fetcher.policy
        self._resolver = resolver
        self._transport = transport

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
        headers = {
            "Host": target.netloc.decode("ascii"),
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
        transport = self._transport or httpx.HTTPTransport()
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
            request = client.build_request(
                method,
                target.copy_with(host=address),
                data=form,
                json=json_body,
                content=content,
                headers=headers,
                extensions={"sni_hostname": target.host},
            )
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError as error:
                raise FetchFailed(f"could not reach {url}: {error}", transient=True) from None
            try:
                return self._answer(url, response)
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
        except (OSError, UnicodeError) as error:
            raise FetchFailed(f"cannot resolve {url.host}: {error}", transient=True) from None
        if not answers:
            raise FetchFailed(f"{url.host} has no address", transient=True)
        if not self._policy.allow_private_addresses:
            for answer in answers:
                kind = address_refusal(ipaddress.ip_address(answer))
                if kind is not None:
                    raise FetchRefused(f"address {answer} is {kind}; it is not contacted")
        return answers[0]

    def _answer(self, url: str, response: httpx.Response) -> IssuerAnswer:
        if response.status_code in (301, 302, 303, 307, 308):
            raise FetchRefused(f"{url} answered with a redirect, which is not followed")
        if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
            raise FetchFailed(f"{url} sent a compressed body", transient=False)
        deadline = time.monotonic() + self._policy.total_timeout
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
        # Valid UTF-8 once parsed: the text decodes to exactly the bytes sent, as parse_json read
        # them (without a byte order mark).
        text = body.decode("utf-8").removeprefix("\ufeff")
        return IssuerAnswer(status, parsed, text, headers=response.headers)


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
