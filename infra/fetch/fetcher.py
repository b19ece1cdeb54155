"""The one guarded HTTP fetcher for everything an attacker may name: did:web documents, status
lists, hosted credentials.

A URL inside a credential is attacker-controlled, so fetching it is a server-side request forgery
risk (OWASP SSRF prevention cheat sheet). Every fetch therefore:

1. refuses any scheme but ``https`` (plain ``http`` only for hosts the policy names);
2. resolves the host itself and refuses the fetch if ANY answer is loopback, private, link-local
   (the 169.254.169.254 cloud metadata service), multicast, reserved, unspecified, or such an
   address embedded in IPv6 (IPv4-mapped, 6to4, NAT64);
3. connects only to the addresses it vetted: the default transport's network backend is pinned to
   them, so there is no second DNS lookup a rebinding attacker could answer differently. TLS still
   sends the host name as SNI and verifies the certificate against it;
4. follows at most ``max_redirects`` redirects by hand, vetting every hop like the first;
5. streams the body and stops past ``max_bytes``; refuses compressed bodies (a gzip bomb);
6. enforces a total deadline at the socket level, so a server dripping one byte a second (headers
   or body) is cut off at ``total_timeout``.

Point 2 lives in ``infra.fetch.addresses``, points 3 and 6 in ``infra.fetch.pinned_transport``,
the cache in ``infra.fetch.cache``, the errors in ``infra.fetch.errors``. Residual risk, stated
honestly: the name lookup itself (``socket.getaddrinfo``) is bounded by the system resolver's
timeouts, not by ``total_timeout``.

Answers are cached in memory (RFC 9111: ``max-age``, ``no-store``, ETag revalidation) and a cached
answer is served *stale* when the origin is down, for up to ``max_ttl``, so a status list that is
briefly unreachable does not flip verification answers. A failure is remembered for
``failure_ttl`` (30 s), so many requests naming one dead or dripping host wait for it once.

``within(budget)`` is the same fetcher (same cache) bound to one verification's
``infra.fetch.budget.FetchBudget``: a total deadline, a maximum number of origin fetches, and each
identical URL fetched once.

>>> fetcher = GuardedFetcher(FetchPolicy())
>>> fetcher.fetch("http://169.254.169.254/latest/meta-data/", accept="text/plain")
Traceback (most recent call last):
infra.fetch.errors.FetchRefused: plain http is not allowed for 169.254.169.254; use https
"""

from __future__ import annotations

import copy
import ssl
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

import httpx

from credentials import PassportError
from infra.fetch.addresses import Resolver, system_resolver, vetted_addresses
from infra.fetch.cache import LruCache, freshness_seconds
from infra.fetch.counts import FetchCounts
from infra.fetch.errors import FetchError, FetchFailed, FetchRefused
from infra.fetch.pinned_transport import PinnedBackend, PinnedTransport

if TYPE_CHECKING:
    from infra.fetch.budget import FetchBudget

Read = TypeVar("Read")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of the guarded fetcher. Times are seconds; the defaults suit a verifier service."""

    allow_http_hosts: frozenset[str] = frozenset()
    allow_private_addresses: bool = False
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    total_timeout: float = 10.0
    max_bytes: int = 1024 * 1024
    max_redirects: int = 3
    default_ttl: float = 300.0
    max_ttl: float = 86400.0
    failure_ttl: float = 30.0
    cache_entries: int = 1000
    user_agent: str = "LearnerPassport/0.1 (guarded fetcher)"


@dataclass(frozen=True)
class FetchResult:
    """A fetched document. ``fetched_at`` is the fetcher clock's reading when the origin last
    vouched for ``content`` (fetch or 304 revalidation); ``stale`` means the origin was down and
    this is an older answer served from the cache."""

    status: int
    content: bytes
    content_type: str
    fetched_at: float
    from_cache: bool = False
    stale: bool = False


@dataclass(frozen=True)
class _Reply:
    status: int
    content: bytes
    content_type: str
    etag: str | None
    cache_control: str


@dataclass(frozen=True)
class _Entry:
    result: FetchResult
    expires_at: float
    etag: str | None


class GuardedFetcher:
    """Fetches attacker-named URLs under a ``FetchPolicy``, with a cache.

    ``transport`` replaces the pinned network transport; tests pass ``httpx.MockTransport``. An
    injected transport connects wherever it likes, so production code leaves it None. ``clock``
    times the cache and ``fetched_at``; network deadlines always use real monotonic time.
    ``resolver`` turns a host name into addresses (every one is vetted) and ``ssl_context``
    chooses the trusted certificate authorities (certifi by default).
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy
        self._transport = transport
        self._clock = clock
        self._resolver = resolver
        self._ssl_context = ssl_context or httpx.create_ssl_context()
        self._cache: LruCache[_Entry] = LruCache(policy.cache_entries)
        self._failures: LruCache[tuple[float, FetchFailed]] = LruCache(policy.cache_entries)
        self._budget: FetchBudget | None = None
        # Shared with every ``within`` copy: the process's failures, for the metrics.
        self.counts = FetchCounts()

    def within(self, budget: FetchBudget) -> GuardedFetcher:
        """This fetcher (same cache, same remembered failures) spending ``budget``."""
        bound = copy.copy(self)
        bound._budget = budget
        return bound

    def fetch(self, url: str, *, accept: str, refresh: bool = False) -> FetchResult:
        """The document at ``url``: fresh from the cache, from the origin, or stale from the cache
        when the origin is down. Raises ``FetchRefused`` or ``FetchFailed`` with a reason.

        ``refresh`` asks the origin even when the cached answer is fresh (revalidating it with
        its ETag), for a caller that knows its copy is outdated (a DID document without a key
        that a new credential names)."""
        target = self._counting(lambda: self._vet_url(url))
        key = (str(target), accept)
        budget = self._budget
        if budget is None:
            timeout = self.policy.total_timeout
            return self._counting(lambda: self._fetch_cached(target, key, timeout, refresh))
        # An answer this verification already had (or its failure) is not counted again.
        earlier = None if refresh else budget.answered(key)
        if earlier is not None:
            return earlier
        try:
            result = self._counting(lambda: self._fetch_cached(target, key, None, refresh))
        except FetchError as error:
            budget.remember(key, error)
            raise
        budget.remember(key, result)
        return result

    def _counting(self, step: Callable[[], Read]) -> Read:
        """``step``'s answer; its ``FetchError`` is counted by kind, then raised."""
        try:
            return step()
        except FetchError as error:
            self.counts.add(error.kind)
            raise

    def _fetch_cached(
        self, target: httpx.URL, key: tuple[str, str], timeout: float | None, refresh: bool
    ) -> FetchResult:
        """``fetch`` after vetting; ``timeout`` None means what the bound budget leaves."""
        now = self._clock()
        entry = self._cache.get(key)
        if entry is not None and now < entry.expires_at and not refresh:
            return replace(entry.result, from_cache=True)
        try:
            reply = self._fetch_remembering_failures(target, key, entry, timeout)
        except FetchFailed as failure:
            if entry is None or not failure.transient:
                raise
            if now - entry.result.fetched_at > self.policy.max_ttl:
                raise
            return replace(entry.result, from_cache=True, stale=True)
        return self._store(key, entry, reply, now)

    def _fetch_remembering_failures(
        self, target: httpx.URL, key: tuple[str, str], entry: _Entry | None, timeout: float | None
    ) -> _Reply:
        now = self._clock()
        failed = self._failures.get(key)
        if failed is not None and now < failed[0]:
            raise failed[1]
        outbound: AbstractContextManager[None] = nullcontext()
        if timeout is None:  # spend the bound budget: one fetch, its time, an outbound slot
            assert self._budget is not None
            self._budget.spend(str(target), now)
            timeout = self._budget.timeout_for(now, at_most=self.policy.total_timeout)
            outbound = self._budget.outbound(str(target))
        with outbound:
            try:
                return self._fetch_origin(
                    target, key[1], None if entry is None else entry.etag, timeout
                )
            except FetchFailed as failure:
                self._failures.put(key, (self._clock() + self.policy.failure_ttl, failure))
                raise

    def _store(
        self, key: tuple[str, str], entry: _Entry | None, reply: _Reply, now: float
    ) -> FetchResult:
        ttl = freshness_seconds(
            reply.cache_control, default=self.policy.default_ttl, ceiling=self.policy.max_ttl
        )
        if reply.status == 304 and entry is not None:
            result = replace(entry.result, fetched_at=now)
            etag = reply.etag or entry.etag
        else:
            result = FetchResult(reply.status, reply.content, reply.content_type, now)
            etag = reply.etag
        self._cache.put(key, None if ttl is None else _Entry(result, now + ttl, etag))
        return replace(result, from_cache=reply.status == 304)

    def fetch_usable(
        self,
        url: str,
        *,
        accept: str,
        read: Callable[[FetchResult], Read],
        refresh: bool = False,
    ) -> Read:
        """``read`` of the document at ``url``. An answer that ``read`` refuses (any of our
        errors) is dropped from the cache: a host that served garbage is asked again next time,
        so the verifier recovers as soon as the host does, instead of after the TTL."""
        result = self.fetch(url, accept=accept, refresh=refresh)
        try:
            return read(result)
        except PassportError:
            self.counts.add("unusable")
            self._cache.put((str(self._vet_url(url)), accept), None)
            raise

    def _vet_url(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise FetchRefused(f"{url[:200]!r} is not a valid URL: {error}") from None
        if parsed.scheme == "http":
            if parsed.host not in self.policy.allow_http_hosts:
                raise FetchRefused(f"plain http is not allowed for {parsed.host}; use https")
        elif parsed.scheme != "https":
            raise FetchRefused(f"only https URLs are fetched, not {url[:200]!r}")
        if not parsed.host:
            raise FetchRefused(f"{url[:200]!r} has no host")
        if parsed.userinfo:
            raise FetchRefused("URLs that carry credentials (user:password@) are not fetched")
        return parsed.copy_with(fragment=None)

    def _fetch_origin(
        self, target: httpx.URL, accept: str, etag: str | None, timeout: float
    ) -> _Reply:
        """Follow redirects by hand, vetting every hop, all within one total deadline."""
        deadline = time.monotonic() + timeout
        headers = {
            "Accept": accept,
            "Accept-Encoding": "identity",
            "User-Agent": self.policy.user_agent,
        }
        if etag is not None:
            headers["If-None-Match"] = etag
        url = target
        for _hop in range(self.policy.max_redirects + 1):
            outcome = self._exchange(url, headers, deadline)
            if isinstance(outcome, _Reply):
                return outcome
            url = self._vet_url(outcome)
        raise FetchFailed(
            f"{target} redirected more than {self.policy.max_redirects} times",
            transient=False,
            kind="redirects",
        )

    def _exchange(self, url: httpx.URL, headers: dict[str, str], deadline: float) -> _Reply | str:
        """One request: a reply, or the next URL when the origin redirects."""
        addresses = vetted_addresses(
            url.host,
            url.port or (443 if url.scheme == "https" else 80),
            resolver=self._resolver,
            allow_private=self.policy.allow_private_addresses,
        )
        timeouts = {
            "connect": self.policy.connect_timeout,
            "read": self.policy.read_timeout,
            "write": self.policy.read_timeout,
            "pool": self.policy.connect_timeout,
        }
        request = httpx.Request("GET", url, headers=headers, extensions={"timeout": timeouts})
        transport = self._transport or PinnedTransport(
            PinnedBackend(addresses, deadline), self._ssl_context
        )
        try:
            response = transport.handle_request(request)
            try:
                return self._read(url, response, deadline, "If-None-Match" in headers)
            finally:
                response.close()
        except httpx.TimeoutException:
            raise FetchFailed(f"fetching {url} timed out", transient=True, kind="timeout") from None
        except httpx.TransportError as error:
            raise FetchFailed(
                f"could not fetch {url}: {error}", transient=True, kind="network"
            ) from None
        finally:
            if transport is not self._transport:
                transport.close()

    def _read(
        self, url: httpx.URL, response: httpx.Response, deadline: float, revalidating: bool
    ) -> _Reply | str:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = response.headers.get("location")
            if not location:
                raise FetchFailed(
                    f"{url} redirected without a Location", transient=False, kind="invalid_reply"
                )
            try:
                return str(url.join(location))
            except httpx.InvalidURL:
                raise FetchRefused(f"{url} redirected to an invalid URL") from None
        headers = response.headers
        if status != 200 and not (status == 304 and revalidating):
            raise FetchFailed(
                f"{url} answered HTTP {status}",
                transient=status >= 500 or status == 429,
                origin_status=status,
                kind="http_status",
            )
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise FetchFailed(
                f"{url} sent a {encoding}-encoded body", transient=False, kind="invalid_reply"
            )
        limit = self.policy.max_bytes
        oversize = FetchFailed(
            f"{url} sent more than {limit} bytes", transient=False, kind="oversize"
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise oversize
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise oversize
            if time.monotonic() > deadline:
                raise FetchFailed(f"fetching {url} timed out", transient=True, kind="timeout")
        return _Reply(
            status=status,
            content=bytes(body),
            content_type=headers.get("content-type", ""),
            etag=headers.get("etag"),
            cache_control=headers.get("cache-control", ""),
        )
