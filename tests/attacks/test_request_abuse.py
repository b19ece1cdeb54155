"""Issue #8, "Input": oversized and deeply nested request bodies to every route that takes one,
and slow clients, against the real app served by uvicorn on loopback.

Already elsewhere: the size-limit middleware itself (tests/passport/test_app.py, on a test
route), and the verify API's JSON bomb and huge arrays (tests/verifier/test_api_attacks.py).
Here every POST and PUT route of the route table (tests/route_access.py) gets each abusive
body, so a new route is covered without anyone remembering to: the answer is a 4xx (or the
sign-in redirect), never a 5xx, and the server keeps answering others promptly.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from passport.app import RequestSizeLimit, create_app
from passport.database import prepare_database
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.route_access import rule_of_every_route
from tests.storage import sqlite_url

PATH_PARAMETER = re.compile(r"\{(\w+)\}")
BODY_ROUTES = sorted(
    route for route in rule_of_every_route() if route.startswith(("POST ", "PUT "))
)
DEPTH = 100_000
DEEP_JSON = b'{"a":' + b"[" * DEPTH + b"]" * DEPTH + b"}"
MAX_REQUEST_BYTES = 256 * 1024
# What a client without the right credentials may get instead of a 4xx: the sign-in page.
SIGN_IN_REDIRECT = 303
PROMPT_SECONDS = 1.0
# After a hostile body: generous, as in the fetch-budget test. The stalls these attacks aim at
# last many seconds, and 1.0 s was crossed by 0.02-0.05 s on a loaded 2-core machine.
AFTER_ATTACK_SECONDS = 2.0
SLOW_CLIENT_SECONDS = 2.0


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = development_settings(
        sqlite_url(tmp_path_factory.mktemp("abuse")), max_request_bytes=MAX_REQUEST_BYTES
    )
    prepare_database(settings)
    return create_app(settings)


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


def concrete(route: str) -> tuple[str, str]:
    """The method and a path of ``route`` (any value fits a path parameter here)."""
    method, template = route.split(" ", 1)
    return method, PATH_PARAMETER.sub(lambda match: f"x-{match.group(1)}", template)


def body_limit(app: FastAPI, base_url: str, path: str) -> int:
    """The size limit the served app's middleware applies to ``path`` (uploads get more)."""
    assert httpx.get(f"{base_url}/healthz").status_code == 200  # the stack is built by now
    layer: object = app.middleware_stack
    while not isinstance(layer, RequestSizeLimit):
        layer = getattr(layer, "app")  # noqa: B009  (each layer wraps the next as .app)
    return layer.limit_for(path)


def assert_refused_not_crashed(client: httpx.Client, response: httpx.Response) -> None:
    """A 4xx or the sign-in redirect; a success only from a route that ignores its body (it
    answers an empty request the same way), never a 5xx."""
    request = response.request
    described = f"{request.method} {request.url.path} -> {response.status_code}"
    if response.is_success:
        assert client.request(request.method, request.url.path).is_success, described
        return
    assert 400 <= response.status_code < 500 or response.status_code == SIGN_IN_REDIRECT, described


def assert_still_prompt(base_url: str) -> None:
    started = time.monotonic()
    assert httpx.get(f"{base_url}/healthz", timeout=AFTER_ATTACK_SECONDS).status_code == 200
    assert time.monotonic() - started < AFTER_ATTACK_SECONDS


@pytest.mark.parametrize("route", BODY_ROUTES)
def test_attack_deeply_nested_json_body(base_url: str, route: str) -> None:
    method, path = concrete(route)
    with httpx.Client(base_url=base_url, timeout=10) as client:
        response = client.request(
            method, path, content=DEEP_JSON, headers={"Content-Type": "application/json"}
        )
        assert_refused_not_crashed(client, response)
    assert_still_prompt(base_url)


def status_of_raw_request(base_url: str, head: bytes) -> int:
    """Send ``head`` (request line and headers) on a fresh connection; the answer's status."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head)
        status_line = connection.makefile("rb").readline()
    return int(status_line.split()[1])


@pytest.mark.parametrize("route", BODY_ROUTES)
def test_attack_declared_oversized_body_is_refused_before_it_is_sent(
    base_url: str, route: str
) -> None:
    method, path = concrete(route)
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {2**40}\r\nConnection: close\r\n\r\n"
    )
    assert status_of_raw_request(base_url, head.encode("ascii")) == 413


@pytest.mark.parametrize("route", BODY_ROUTES)
def test_attack_streamed_oversized_body(app: FastAPI, base_url: str, route: str) -> None:
    method, path = concrete(route)
    chunk = b"x" * (64 * 1024)
    chunks = (body_limit(app, base_url, path) + len(chunk)) // len(chunk) + 1
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = client.request(method, path, content=(chunk for _ in range(chunks)))
        assert_refused_not_crashed(client, response)
    assert_still_prompt(base_url)


def _drip(base_url: str, data: bytes, stop: threading.Event) -> None:
    """One slow client: ``data`` a byte at a time, until ``stop``."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        for byte in data:
            if stop.wait(0.05):
                return
            connection.sendall(bytes([byte]))
        stop.wait(SLOW_CLIENT_SECONDS)


SLOW_REQUESTS = {
    "headers": b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 1000,
    "body": (
        b"POST /api/v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n" + b"[" * 1000
    ),
}


@pytest.mark.parametrize("slow", sorted(SLOW_REQUESTS))
def test_attack_slow_clients_do_not_delay_another_client(base_url: str, slow: str) -> None:
    stop = threading.Event()
    dripping = [
        threading.Thread(target=_drip, args=(base_url, SLOW_REQUESTS[slow], stop), daemon=True)
        for _ in range(8)
    ]
    for thread in dripping:
        thread.start()
    slowest = 0.0
    try:
        deadline = time.monotonic() + SLOW_CLIENT_SECONDS
        with httpx.Client(base_url=base_url, timeout=PROMPT_SECONDS) as client:
            while time.monotonic() < deadline:
                started = time.monotonic()
                assert client.get("/").status_code == 200
                assert client.post("/api/v1/verify", json={"type": "x"}).status_code == 200
                slowest = max(slowest, time.monotonic() - started)
        assert all(thread.is_alive() for thread in dripping), "a slow client gave up early"
    finally:
        stop.set()
        for thread in dripping:
            thread.join(5)
    assert slowest < PROMPT_SECONDS
