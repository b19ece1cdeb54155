"""Issue #13, "The wallet's claim flow honours one total deadline per claim": an issuer whose
token endpoint drips one byte a second held a worker for 86 s, because each read had its own
timeout. Now every request of one claim ends by one deadline, at the socket level."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from infra.fetch.errors import FetchFailed
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from passport.wallet.issuer_http import GuardedIssuerHttp

POLICY = FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True)
DEADLINE = 2.0
SLACK = 1.5


class _Dripping(BaseHTTPRequestHandler):
    """Answers every request one byte a second: headers, then a body, never finishing."""

    def _drip(self) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + b" " * 120 + b"{}"
        try:
            for byte in answer:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            return

    def do_GET(self) -> None:
        self._drip()

    def do_POST(self) -> None:
        self._drip()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def dripping_issuer() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dripping)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_attack_a_dripping_issuer_holds_one_claim_for_its_deadline_only() -> None:
    http = GuardedIssuerHttp(GuardedFetcher(POLICY)).for_one_claim(seconds=DEADLINE)
    started = time.monotonic()
    with dripping_issuer() as base:
        with pytest.raises(FetchFailed):
            http.get_json(f"{base}/.well-known/openid-credential-issuer")
        for endpoint in ("token", "nonce", "credential"):
            with pytest.raises(FetchFailed):
                http.post(f"{base}/{endpoint}", form={"grant_type": "x"})
    assert time.monotonic() - started < DEADLINE + SLACK
