"""Issue #8 "Faults": the status-list host and an HTTPS issuer's host are down, slow or answer
garbage; the verifier says "could not check" at once, and "verified" again as soon as they are
back (a failure is never remembered as an answer, and only for ``failure_ttl`` as a failure, so
that many requests naming a dead host wait for it once: issue #13)."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

from credentials.report import Outcome
from infra.fetch.fetcher import FetchPolicy
from tests.verifier.support import NOW, Documents, Issuer, document_server
from tests.verifier.test_sources import https_issuer_credential, service_on_a_fake_clock
from verifier.service import VerifierService

POLICY = FetchPolicy(
    allow_http_hosts=frozenset({"127.0.0.1"}),
    allow_private_addresses=True,
    default_ttl=60,
    total_timeout=1.0,
)


class Flaky(Documents):
    """Documents that can be switched to "down" (503), "garbage" or "slow" (past the timeout)."""

    mode = "up"

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        if self.mode == "down":
            handler.send_response(503)
            handler.end_headers()
        elif self.mode == "garbage":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(b"\x00\xff{ not json")
        elif self.mode == "slow":
            time.sleep(2.5)
        else:
            super().respond(handler)


def outcomes(service: VerifierService, credential: bytes) -> tuple[dict[str, Outcome], float]:
    started = time.monotonic()
    report = service.verify_bytes(credential, "en", now=NOW).report
    return {check.id: check.outcome for check in report.checks}, time.monotonic() - started


def test_status_list_host_down_garbage_or_slow_then_back() -> None:
    issuer, documents = Issuer(), Flaky()
    service, clock = service_on_a_fake_clock(POLICY)
    with document_server(documents) as (_server, base):
        url = f"{base}/status/1"
        documents.put("/status/1", issuer.status_list(url))
        credential = json.dumps(issuer.sign(issuer.credential(url))).encode()
        for mode in ("down", "garbage", "slow"):
            documents.mode = mode
            checks, elapsed = outcomes(service, credential)
            assert checks["status"] is Outcome.COULD_NOT_CHECK, mode
            assert checks["proof"] is Outcome.PASSED, mode
            assert elapsed < 2.0, (mode, elapsed)
            clock.now += POLICY.failure_ttl
        documents.mode = "up"
        checks, _ = outcomes(service, credential)
    assert checks["status"] is Outcome.PASSED


def test_issuer_host_down_garbage_or_slow_then_back() -> None:
    issuer, documents = Issuer(), Flaky()
    service, clock = service_on_a_fake_clock(POLICY)
    with document_server(documents) as (_server, base):
        signed = https_issuer_credential(issuer, documents, base)
        for mode in ("down", "garbage", "slow"):
            documents.mode = mode
            checks, elapsed = outcomes(service, signed.encode())
            assert checks["issuer_key"] is Outcome.COULD_NOT_CHECK, mode
            assert checks["proof"] is not Outcome.FAILED, mode
            assert elapsed < 2.0, (mode, elapsed)
            clock.now += POLICY.failure_ttl
        documents.mode = "up"
        checks, _ = outcomes(service, signed.encode())
    assert checks["issuer_key"] is Outcome.PASSED and checks["proof"] is Outcome.PASSED
