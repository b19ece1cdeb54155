"""Issue 13, "Cache lifetimes": how soon a verifier sees a change to another deployment's status
list. A loopback origin serves a list with an ETag and ``max-age=300`` (what our deployments
send), then revokes a credential in it; the verifier, on a clock the test moves, sees the change
once the copy is 30 s old (not after the 300 s of ``max-age``), sooner when the list's ``ttl``
says so, and never reuses a list past its ``validUntil``. An unchanged list is revalidated with
``If-None-Match`` and costs a 304 without a body."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from credentials.report import Outcome
from credentials.status_list import Bitstring, encode_list, new_status_list_credential
from tests.verifier.support import NOW, REVOKED_INDEX, Issuer, document_server
from tests.verifier.support import Documents as LoopbackDocuments
from tests.verifier.test_sources import service_on_a_fake_clock
from verifier.service import VerifierService

LIST_PATH = "/status/1"


class Origin(LoopbackDocuments):
    """Serves one status list as our deployments do: a strong ETag, ``max-age=300``, and 304
    for ``If-None-Match``; records each request as "200" or "304"."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str] = []
        self.lock = threading.Lock()

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        _, body = self.routes[LIST_PATH]
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        not_modified = handler.headers.get("If-None-Match") == etag
        with self.lock:
            self.answers.append("304" if not_modified else "200")
        handler.send_response(304 if not_modified else 200)
        handler.send_header("ETag", etag)
        handler.send_header("Cache-Control", "public, max-age=300")
        if not_modified:
            handler.end_headers()
            return
        handler.send_header("Content-Type", "application/vc+ld+json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def signed_list(
    issuer: Issuer,
    url: str,
    revoked: tuple[int, ...],
    *,
    ttl_ms: int | None = None,
    valid_until: datetime | None = None,
) -> Any:
    bits = Bitstring()
    for index in revoked:
        bits.set(index)
    unsigned = new_status_list_credential(
        url, issuer.did, "revocation", encode_list(bits), valid_from=NOW - timedelta(days=1),
        ttl_ms=ttl_ms,
    )  # fmt: skip
    if valid_until is not None:
        unsigned["validUntil"] = valid_until.strftime("%Y-%m-%dT%H:%M:%SZ")
    return issuer.sign(unsigned)


class Timeline:
    """The verifier and the origin, with the seconds since the first verification."""

    def __init__(self, service: VerifierService, clock: Any, credential: bytes) -> None:
        self.service, self.clock, self.credential = service, clock, credential
        self.elapsed = 0

    def status_at(self, seconds: int) -> tuple[Outcome, str]:
        """The status check's outcome and message key, ``seconds`` after the start."""
        self.clock.now += seconds - self.elapsed
        self.elapsed = seconds
        moment = NOW + timedelta(seconds=seconds)
        report = self.service.verify_bytes(self.credential, "en", now=moment).report
        status = {check.id: check for check in report.checks}["status"]
        return status.outcome, status.message_key


def test_attack_a_revocation_elsewhere_is_seen_within_30_seconds_not_300() -> None:
    issuer, origin = Issuer(), Origin()
    service, clock = service_on_a_fake_clock()
    with document_server(origin) as (_server, base):
        url = f"{base}{LIST_PATH}"
        origin.put(LIST_PATH, signed_list(issuer, url, ()))
        credential = json.dumps(issuer.sign(issuer.credential(url, REVOKED_INDEX))).encode()
        timeline = Timeline(service, clock, credential)
        assert timeline.status_at(0)[0] is Outcome.PASSED
        origin.put(LIST_PATH, signed_list(issuer, url, (REVOKED_INDEX,)))  # revoked there
        assert timeline.status_at(10)[0] is Outcome.PASSED  # the copy still answers
        assert timeline.status_at(29)[0] is Outcome.PASSED
        assert timeline.status_at(30) == (Outcome.FAILED, "status.revoked")
        assert timeline.status_at(45) == (Outcome.FAILED, "status.revoked")
        assert timeline.status_at(61) == (Outcome.FAILED, "status.revoked")
    # One full fetch, one that found the change, one cheap revalidation of the unchanged list.
    assert origin.answers == ["200", "200", "304"]


def test_a_lists_shorter_ttl_is_honoured() -> None:
    issuer, origin = Issuer(), Origin()
    service, clock = service_on_a_fake_clock()
    with document_server(origin) as (_server, base):
        url = f"{base}{LIST_PATH}"
        origin.put(LIST_PATH, signed_list(issuer, url, (), ttl_ms=5000))
        credential = json.dumps(issuer.sign(issuer.credential(url, REVOKED_INDEX))).encode()
        timeline = Timeline(service, clock, credential)
        assert timeline.status_at(0)[0] is Outcome.PASSED
        origin.put(LIST_PATH, signed_list(issuer, url, (REVOKED_INDEX,), ttl_ms=5000))
        assert timeline.status_at(4)[0] is Outcome.PASSED
        assert timeline.status_at(5) == (Outcome.FAILED, "status.revoked")
    assert origin.answers == ["200", "200"]


def test_a_list_is_not_reused_past_its_valid_until() -> None:
    issuer, origin = Issuer(), Origin()
    service, clock = service_on_a_fake_clock()
    with document_server(origin) as (_server, base):
        url = f"{base}{LIST_PATH}"
        ends = NOW + timedelta(seconds=10)
        origin.put(LIST_PATH, signed_list(issuer, url, (), valid_until=ends))
        credential = json.dumps(issuer.sign(issuer.credential(url, REVOKED_INDEX))).encode()
        timeline = Timeline(service, clock, credential)
        assert timeline.status_at(0)[0] is Outcome.PASSED
        assert timeline.status_at(9)[0] is Outcome.PASSED
        # Past validUntil: the origin is asked; it still serves the expired list.
        assert timeline.status_at(12)[0] is Outcome.COULD_NOT_CHECK
        assert origin.answers == ["200", "304"]
        renewed = NOW + timedelta(days=1)
        origin.put(LIST_PATH, signed_list(issuer, url, (REVOKED_INDEX,), valid_until=renewed))
        assert timeline.status_at(13) == (Outcome.FAILED, "status.revoked")
    assert origin.answers == ["200", "304", "200"]
