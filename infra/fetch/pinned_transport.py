"""The network layer of ``infra.fetch.fetcher``: connections pinned to vetted addresses, under one
total deadline (points 3 and 6 of the fetcher's rules).

``PinnedBackend`` connects only to the addresses the fetcher vetted, so there is no second DNS
lookup a rebinding attacker could answer differently; ``DeadlineStream`` ends every read, write
and TLS handshake by the fetch's total deadline, so a server dripping a byte at a time is cut
off; ``PinnedTransport`` is the httpx transport over them, one request per pool, no keep-alive.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _within(deadline: float, timeout: float | None, expired: type[Exception]) -> float:
    """The per-operation timeout clipped to what is left of the total deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("the total timeout was reached")
    return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the fetch's total deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host name (not the pinned IP): SNI and certificate checks
        # are against the name the credential gave.
        limit = _within(self._deadline, timeout, httpcore.ConnectTimeout)
        tls = self._inner.start_tls(ssl_context, server_hostname, limit)
        return DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Connects to the vetted addresses of one origin only; it never resolves a name itself."""

    def __init__(self, addresses: Sequence[IPAddress], deadline: float) -> None:
        self._addresses = addresses
        self._deadline = deadline
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        # ``host`` is ignored on purpose: this backend serves a pool built for one vetted origin.
        failure = httpcore.ConnectError(f"no address of {host} accepted a connection")
        for address in self._addresses:
            limit = _within(self._deadline, timeout, httpcore.ConnectTimeout)
            try:
                stream = self._sockets.connect_tcp(str(address), port, limit, None, socket_options)
            except httpcore.ConnectError as error:
                failure = error
                continue
            return DeadlineStream(stream, self._deadline)
        raise failure


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's errors as the httpx errors a transport is expected to raise."""
    try:
        yield
    except httpcore.TimeoutException as error:
        raise httpx.TimeoutException(str(error)) from error
    except (httpcore.NetworkError, httpcore.ProtocolError) as error:
        raise httpx.TransportError(str(error)) from error


class _CoreBody(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class PinnedTransport(httpx.BaseTransport):
    """One request over a pool that can only reach the vetted addresses, without keep-alive."""

    def __init__(self, backend: PinnedBackend, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_keepalive_connections=0, network_backend=backend
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,  # a POST's body (the wallet's OpenID4VCI requests)
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            core_response = self._pool.handle_request(core_request)
        assert isinstance(core_response.stream, Iterable)
        return httpx.Response(
            core_response.status,
            headers=core_response.headers,
            stream=_CoreBody(core_response.stream),
            extensions=core_response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
