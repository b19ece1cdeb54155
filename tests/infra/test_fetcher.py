"""The guarded fetcher against the attacks it exists for (SSRF, rebinding, redirects, slow loris,
oversize bodies) and its cache (max-age, no-store, ETag, stale-on-error). Loopback only."""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from credentials.errors import ResolutionUnavailable
from infra.fetch.addresses import address_refusal
from infra.fetch.errors import FetchFailed, FetchRefused
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from tests.keys.loopback import (
    PUBLIC_ADDRESS,
    FakeClock,
    FakeDns,
    Recorder,
    Respond,
    serving,
    stop,
    tls_contexts,
)

LOOPBACK = FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True)
ISSUER = "https://issuer.example"


def ok(body: bytes = b'{"ok": true}', /, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, content=body, headers={"Content-Type": "application/json", **headers}
    )


def public_fetcher(
    recorder: Recorder, policy: FetchPolicy | None = None, clock: FakeClock | None = None
) -> GuardedFetcher:
    dns = FakeDns({"issuer.example": [PUBLIC_ADDRESS], "other.example": [PUBLIC_ADDRESS]})
    return GuardedFetcher(
        policy or FetchPolicy(),
        transport=recorder.transport,
        resolver=dns,
        clock=clock or FakeClock(),
    )


def send_text(body: bytes, **headers: str) -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(body)

    return respond


# --- scheme and address policy -------------------------------------------------------------


def test_attack_plain_http_refused_unless_host_allowed() -> None:
    recorder = Recorder(lambda request: ok())
    with pytest.raises(FetchRefused, match=r"plain http is not allowed for issuer.example"):
        public_fetcher(recorder).fetch("http://issuer.example/list", accept="application/json")
    assert recorder.requests == []
    allowed = FetchPolicy(allow_http_hosts=frozenset({"issuer.example"}))
    result = public_fetcher(recorder, allowed).fetch(
        "http://issuer.example/list", accept="application/json"
    )
    assert result.content == b'{"ok": true}'


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://issuer.example/x", "gopher://issuer.example/", "/relative"]
)
def test_attack_non_web_schemes_refused(url: str) -> None:
    recorder = Recorder(lambda request: ok())
    with pytest.raises(FetchRefused):
        public_fetcher(recorder).fetch(url, accept="*/*")
    assert recorder.requests == []


def test_attack_url_with_embedded_credentials_refused() -> None:
    recorder = Recorder(lambda request: ok())
    with pytest.raises(FetchRefused, match="carry credentials"):
        public_fetcher(recorder).fetch("https://admin:secret@issuer.example/", accept="*/*")
    assert recorder.requests == []


def test_attack_metadata_address_169_254_169_254() -> None:
    recorder = Recorder(lambda request: ok())
    dns = FakeDns()
    fetcher = GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=dns)
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch("https://169.254.169.254/latest/meta-data/", accept="*/*")
    assert refused.value.message == (
        "address 169.254.169.254 is link-local; fetching it is not allowed"
    )
    assert refused.value.code == "fetch_refused"
    assert isinstance(refused.value, ResolutionUnavailable)
    assert recorder.requests == []
    assert dns.lookups == []


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://10.0.0.1/", "private"),
        ("https://192.168.1.1/", "private"),
        ("https://[::1]/", "loopback"),
        ("https://0.0.0.0/", "unspecified"),
        ("https://[::]/", "unspecified"),
        ("https://[::ffff:127.0.0.1]/", "IPv4-mapped loopback"),
        ("https://[::ffff:169.254.169.254]/", "IPv4-mapped link-local"),
        ("https://[2002:7f00:1::]/", "6to4 loopback"),
        ("https://[64:ff9b::a9fe:a9fe]/", "NAT64 link-local"),
        ("https://[fe80::1]/", "link-local"),
        ("https://224.0.0.1/", "multicast"),
        ("https://240.0.0.1/", "reserved"),
        ("https://100.64.0.1/", "not globally routable"),
    ],
)
def test_attack_special_addresses_refused_without_any_connection(url: str, kind: str) -> None:
    recorder = Recorder(lambda request: ok())
    dns = FakeDns()
    fetcher = GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=dns)
    with pytest.raises(FetchRefused, match=f" is {kind}; fetching it is not allowed"):
        fetcher.fetch(url, accept="*/*")
    assert recorder.requests == []
    assert dns.lookups == []


def test_public_addresses_are_not_refused() -> None:
    assert address_refusal(ipaddress.ip_address(PUBLIC_ADDRESS)) is None
    assert address_refusal(ipaddress.ip_address("2606:4700::6810:84e5")) is None


def test_attack_loopback_127_0_0_1_refused_unless_private_addresses_allowed() -> None:
    with serving(send_text(b"internal admin page")) as server:
        url = f"http://127.0.0.1:{server.port}/admin"
        strict = GuardedFetcher(FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"})))
        with pytest.raises(FetchRefused, match=r"address 127.0.0.1 is loopback"):
            strict.fetch(url, accept="text/plain")
        assert server.seen_headers == []
        result = GuardedFetcher(LOOPBACK).fetch(url, accept="text/plain")
    assert result.status == 200
    assert result.content == b"internal admin page"
    assert result.content_type == "text/plain"
    assert not result.from_cache


def test_attack_hostname_resolving_to_a_private_address() -> None:
    recorder = Recorder(lambda request: ok())
    dns = FakeDns({"internal.example": ["10.1.2.3"]})
    fetcher = GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=dns)
    with pytest.raises(
        FetchRefused, match=r"address 10.1.2.3 \(from internal.example\) is private"
    ):
        fetcher.fetch("https://internal.example/did.json", accept="*/*")
    assert recorder.requests == []


def test_attack_dns_answer_mixing_public_and_private_addresses() -> None:
    recorder = Recorder(lambda request: ok())
    dns = FakeDns({"mixed.example": [PUBLIC_ADDRESS, "169.254.169.254"]})
    fetcher = GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=dns)
    with pytest.raises(FetchRefused, match=r"169.254.169.254 .* is link-local"):
        fetcher.fetch("https://mixed.example/", accept="*/*")
    assert recorder.requests == []


def test_attack_dns_rebinding_connection_uses_the_vetted_address() -> None:
    # "rebind.test" exists only in the fake DNS, asked once: the connection can only have gone
    # to the vetted 127.0.0.1, never through a second lookup an attacker could answer otherwise.
    with serving(send_text(b"pinned")) as server:
        dns = FakeDns({"rebind.test": ["127.0.0.1"]})
        policy = FetchPolicy(
            allow_http_hosts=frozenset({"rebind.test"}), allow_private_addresses=True
        )
        result = GuardedFetcher(policy, resolver=dns).fetch(
            f"http://rebind.test:{server.port}/did.json", accept="application/json"
        )
    assert result.content == b"pinned"
    assert dns.lookups == ["rebind.test"]
    assert server.seen_headers[0]["Host"] == f"rebind.test:{server.port}"


def test_unresolvable_host_fails_with_a_reason() -> None:
    recorder = Recorder(lambda request: ok())
    fetcher = GuardedFetcher(FetchPolicy(), transport=recorder.transport, resolver=FakeDns())
    with pytest.raises(FetchFailed, match=r"cannot resolve nowhere.example") as failed:
        fetcher.fetch("https://nowhere.example/", accept="*/*")
    # Issue 15: the reason reaches people's pages, so not the resolver's "[Errno -2] ...".
    assert "Errno" not in failed.value.message


# --- redirects ------------------------------------------------------------------------------


def test_attack_redirect_to_metadata_address_refused() -> None:
    recorder = Recorder(
        lambda request: httpx.Response(
            302, headers={"Location": "https://169.254.169.254/latest/meta-data/iam/"}
        )
    )
    with pytest.raises(FetchRefused, match=r"169.254.169.254 is link-local"):
        public_fetcher(recorder).fetch(f"{ISSUER}/did.json", accept="*/*")
    assert [str(request.url) for request in recorder.requests] == [f"{ISSUER}/did.json"]


def test_attack_redirect_downgrade_to_plain_http_refused() -> None:
    recorder = Recorder(
        lambda request: httpx.Response(301, headers={"Location": "http://issuer.example/x"})
    )
    with pytest.raises(FetchRefused, match="plain http is not allowed"):
        public_fetcher(recorder).fetch(f"{ISSUER}/x", accept="*/*")
    assert len(recorder.requests) == 1


def test_attack_redirect_loop_cut_at_max_redirects() -> None:
    recorder = Recorder(lambda request: httpx.Response(302, headers={"Location": str(request.url)}))
    with pytest.raises(FetchFailed, match="redirected more than 3 times"):
        public_fetcher(recorder).fetch(f"{ISSUER}/loop", accept="*/*")
    assert len(recorder.requests) == 4


def test_redirects_within_the_limit_are_followed_and_vetted_each_hop() -> None:
    hops = {
        "/a": "https://other.example/b",
        "/b": "/c",  # relative Location, resolved against the hop's URL
    }

    def answer(request: httpx.Request) -> httpx.Response:
        target = hops.get(request.url.path)
        return ok(b"final") if target is None else httpx.Response(307, headers={"Location": target})

    recorder = Recorder(answer)
    result = public_fetcher(recorder).fetch(f"{ISSUER}/a", accept="*/*")
    assert result.content == b"final"
    assert [str(request.url) for request in recorder.requests] == [
        f"{ISSUER}/a",
        "https://other.example/b",
        "https://other.example/c",
    ]


# --- bodies and deadlines -------------------------------------------------------------------


def test_attack_oversize_body_cut_while_streaming() -> None:
    def flood(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()  # no Content-Length: the size is only known by reading
        for _ in range(5):  # 320 KiB: over the limit, under a limit ten times too lax
            handler.wfile.write(b"x" * 65536)

    policy = FetchPolicy(
        allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True, max_bytes=100_000
    )
    with serving(flood) as server, pytest.raises(FetchFailed, match="more than 100000 bytes"):
        GuardedFetcher(policy).fetch(f"http://127.0.0.1:{server.port}/", accept="*/*")


def test_attack_oversize_declared_content_length_refused_before_reading() -> None:
    recorder = Recorder(lambda request: ok(b"x" * 2048))
    policy = FetchPolicy(max_bytes=1024)
    with pytest.raises(FetchFailed, match="more than 1024 bytes"):
        public_fetcher(recorder, policy).fetch(f"{ISSUER}/big", accept="*/*")


def test_attack_gzip_bomb_refused() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros in about 50 kB
    recorder = Recorder(
        lambda request: httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(bomb)
        )
    )
    with pytest.raises(FetchFailed, match="gzip-encoded body"):
        public_fetcher(recorder).fetch(f"{ISSUER}/bomb", accept="*/*")
    assert recorder.requests[0].headers["Accept-Encoding"] == "identity"


def drip(handler: BaseHTTPRequestHandler, prefix: bytes, byte: bytes) -> None:
    handler.wfile.write(prefix)
    handler.wfile.flush()
    closing = getattr(handler.server, "closing")  # noqa: B009 - LoopbackServer attribute
    for _ in range(10):  # bounded, so a fetcher without a deadline fails instead of hanging
        if closing.wait(1.0):
            return
        handler.wfile.write(byte)
        handler.wfile.flush()


SLOW = FetchPolicy(
    allow_http_hosts=frozenset({"127.0.0.1"}),
    allow_private_addresses=True,
    read_timeout=5.0,
    total_timeout=1.5,
)


@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", id="body"),
        pytest.param(b"HTTP/1.0 200 OK\r\nX-Slow: ", id="headers"),
    ],
)
def test_attack_slow_loris_cut_by_total_timeout(prefix: bytes) -> None:
    with serving(lambda handler: drip(handler, prefix, b"x")) as server:
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="timed out"):
            GuardedFetcher(SLOW).fetch(f"http://127.0.0.1:{server.port}/", accept="*/*")
        elapsed = time.monotonic() - started
    assert elapsed < SLOW.total_timeout + 2.0
    assert elapsed >= SLOW.total_timeout - 0.1


def test_http_error_status_fails_with_the_status() -> None:
    recorder = Recorder(lambda request: httpx.Response(404))
    with pytest.raises(FetchFailed, match="answered HTTP 404") as failed:
        public_fetcher(recorder).fetch(f"{ISSUER}/gone", accept="*/*")
    assert not failed.value.transient


# --- cache ----------------------------------------------------------------------------------


def test_cache_honours_max_age() -> None:
    recorder = Recorder(lambda request: ok(**{"Cache-Control": "public, max-age=60"}))
    clock = FakeClock()
    fetcher = public_fetcher(recorder, clock=clock)
    first = fetcher.fetch(f"{ISSUER}/list", accept="application/json")
    clock.now += 59
    second = fetcher.fetch(f"{ISSUER}/list", accept="application/json")
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.fetched_at == first.fetched_at
    assert len(recorder.requests) == 1
    clock.now += 2
    third = fetcher.fetch(f"{ISSUER}/list", accept="application/json")
    assert not third.from_cache
    assert len(recorder.requests) == 2


def test_cache_max_age_capped_by_max_ttl_and_default_ttl_used_without_one() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/long":
            return ok(**{"Cache-Control": "max-age=31536000"})
        return ok()

    recorder = Recorder(answer)
    clock = FakeClock()
    fetcher = public_fetcher(recorder, FetchPolicy(default_ttl=30, max_ttl=100), clock)
    fetcher.fetch(f"{ISSUER}/long", accept="*/*")
    fetcher.fetch(f"{ISSUER}/plain", accept="*/*")
    clock.now += 31
    assert fetcher.fetch(f"{ISSUER}/long", accept="*/*").from_cache
    assert not fetcher.fetch(f"{ISSUER}/plain", accept="*/*").from_cache
    clock.now += 70
    assert not fetcher.fetch(f"{ISSUER}/long", accept="*/*").from_cache


def test_cache_no_store_is_not_cached() -> None:
    recorder = Recorder(lambda request: ok(**{"Cache-Control": "no-store"}))
    fetcher = public_fetcher(recorder)
    fetcher.fetch(f"{ISSUER}/private", accept="*/*")
    assert not fetcher.fetch(f"{ISSUER}/private", accept="*/*").from_cache
    assert len(recorder.requests) == 2


def test_cache_is_a_bounded_lru() -> None:
    recorder = Recorder(lambda request: ok(request.url.path.encode()))
    fetcher = public_fetcher(recorder, FetchPolicy(cache_entries=2))
    for path in ("/a", "/b", "/a", "/c"):  # /a used again, so /b is the least recent
        fetcher.fetch(f"{ISSUER}{path}", accept="*/*")
    assert fetcher.fetch(f"{ISSUER}/a", accept="*/*").from_cache
    assert not fetcher.fetch(f"{ISSUER}/b", accept="*/*").from_cache


def test_stale_on_error_when_origin_returns_500() -> None:
    answers = iter([ok(b"v1", **{"Cache-Control": "max-age=60"}), httpx.Response(500)])
    recorder = Recorder(lambda request: next(answers))
    clock = FakeClock()
    fetcher = public_fetcher(recorder, clock=clock)
    fresh = fetcher.fetch(f"{ISSUER}/status", accept="*/*")
    clock.now += 3600
    stale = fetcher.fetch(f"{ISSUER}/status", accept="*/*")
    assert not fresh.stale
    assert stale.stale
    assert stale.from_cache
    assert stale.content == b"v1"
    assert stale.fetched_at == fresh.fetched_at


def test_stale_on_error_when_origin_goes_away() -> None:
    clock = FakeClock()
    fetcher = GuardedFetcher(LOOPBACK, clock=clock)
    with serving(send_text(b"list v1", Cache_Control="max-age=60")) as server:
        url = f"http://127.0.0.1:{server.port}/status/1"
        fresh = fetcher.fetch(url, accept="*/*")
        stop(server)
        clock.now += 120
        stale = fetcher.fetch(url, accept="*/*")
    assert (stale.stale, stale.content, stale.fetched_at) == (True, b"list v1", fresh.fetched_at)


def test_stale_not_served_past_max_ttl_nor_for_a_definite_answer() -> None:
    answers = iter(
        [
            ok(b"v1", **{"Cache-Control": "max-age=10"}),
            httpx.Response(503),
            ok(b"v1", **{"Cache-Control": "max-age=10"}),
            httpx.Response(404),
        ]
    )
    recorder = Recorder(lambda request: next(answers))
    clock = FakeClock()
    fetcher = public_fetcher(recorder, FetchPolicy(max_ttl=1000), clock)
    fetcher.fetch(f"{ISSUER}/a", accept="*/*")
    clock.now += 1001
    with pytest.raises(FetchFailed, match="HTTP 503"):
        fetcher.fetch(f"{ISSUER}/a", accept="*/*")
    fetcher.fetch(f"{ISSUER}/b", accept="*/*")
    clock.now += 11
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetcher.fetch(f"{ISSUER}/b", accept="*/*")


def test_etag_revalidation_304_refreshes_the_ttl() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304, headers={"Cache-Control": "max-age=60", "ETag": '"v1"'})
        return ok(b"document v1", ETag='"v1"', **{"Cache-Control": "max-age=60"})

    recorder = Recorder(answer)
    clock = FakeClock()
    fetcher = public_fetcher(recorder, clock=clock)
    fetcher.fetch(f"{ISSUER}/did.json", accept="*/*")
    clock.now += 61
    revalidated = fetcher.fetch(f"{ISSUER}/did.json", accept="*/*")
    assert recorder.requests[1].headers["If-None-Match"] == '"v1"'
    assert (revalidated.status, revalidated.content) == (200, b"document v1")
    assert revalidated.from_cache
    assert revalidated.fetched_at == clock.now
    clock.now += 59
    assert fetcher.fetch(f"{ISSUER}/did.json", accept="*/*").from_cache
    assert len(recorder.requests) == 2


def test_unsolicited_304_is_not_a_document() -> None:
    recorder = Recorder(lambda request: httpx.Response(304))
    with pytest.raises(FetchFailed, match="HTTP 304"):
        public_fetcher(recorder).fetch(f"{ISSUER}/x", accept="*/*")


def test_concurrent_fetches_share_the_cache_safely() -> None:
    recorder = Recorder(lambda request: ok(request.url.path.encode()))
    fetcher = public_fetcher(recorder, FetchPolicy(cache_entries=5))
    mismatches: list[str] = []

    def worker(offset: int) -> None:
        for index in range(200):
            path = f"/doc/{(index + offset) % 12}"
            if fetcher.fetch(f"{ISSUER}{path}", accept="*/*").content != path.encode():
                mismatches.append(path)

    threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatches == []


def test_tls_verified_against_the_host_name_while_connecting_to_the_pinned_address(
    tmp_path: Path,
) -> None:
    server_tls, client_tls = tls_contexts(tmp_path, "issuer.test")
    dns = FakeDns({"issuer.test": ["127.0.0.1"], "impostor.test": ["127.0.0.1"]})
    policy = FetchPolicy(allow_private_addresses=True)
    fetcher = GuardedFetcher(policy, resolver=dns, ssl_context=client_tls)
    with serving(send_text(b"over tls"), tls=server_tls) as server:
        result = fetcher.fetch(f"https://issuer.test:{server.port}/did.json", accept="*/*")
        with pytest.raises(FetchFailed, match=r"could not fetch https://impostor.test"):
            fetcher.fetch(f"https://impostor.test:{server.port}/did.json", accept="*/*")
    assert result.content == b"over tls"
    assert server.seen_headers[0]["Host"] == f"issuer.test:{server.port}"
