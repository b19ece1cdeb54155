"""Issue #12: a hosted Open Badges 2.0 assertion is checked against the copy its issuer hosts.

The issuer's website is a loopback server the test runs; the verifier is the service the API
and the employer page use, fetching through its guarded fetcher (plain http allowed for
127.0.0.1, tests only) within the verification's fetch budget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from credentials.report import Outcome, Verdict
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from tests.attacks.verdict_world import check
from tests.keys.loopback import LoopbackServer, serving
from verifier.registry import CompositeRegistry
from verifier.service import VerifierService
from verifier.wording.sentences import render_check

LOOPBACK = FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


class Website:
    """The issuer's site: serves each hosted assertion at its path, 404 elsewhere."""

    def __init__(self) -> None:
        self.hosted: dict[str, dict[str, Any]] = {}
        self.requests = 0

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        self.requests += 1
        document = self.hosted.get(handler.path)
        if document is None:
            handler.send_error(404)
            return
        body = json.dumps(document).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/ld+json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def site() -> Iterator[tuple[Website, LoopbackServer]]:
    website = Website()
    with serving(website.respond) as server:
        yield website, server


def assertion(origin: str, path: str = "/assertions/42") -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"{origin}{path}",
        "recipient": {"type": "email", "hashed": False, "identity": "learner@example.org"},
        "badge": f"{origin}/badges/welding",
        "verification": {"type": "hosted"},
        "issuedOn": "2024-05-01T00:00:00Z",
    }


def verify(document: dict[str, Any]) -> Any:
    service = VerifierService(GuardedFetcher(LOOPBACK), CompositeRegistry([]))
    return service.verify_bytes(json.dumps(document).encode(), "en", now=NOW).report


def test_hosted_ob2_assertion_that_its_issuer_still_hosts_is_checked(
    site: tuple[Website, LoopbackServer],
) -> None:
    website, server = site
    badge = assertion(f"http://127.0.0.1:{server.port}")
    website.hosted["/assertions/42"] = badge
    report = verify(badge)
    proof = check(report, "proof")
    assert proof.outcome is Outcome.PASSED
    assert "checked against the copy its issuer hosts" in render_check(proof, "en")
    assert "comparé à la copie que son émetteur héberge" in render_check(proof, "fr")
    assert "Open Badges 2.0" in render_check(check(report, "format"), "fr")
    assert report.verdict is Verdict.VERIFIED
    assert website.requests == 1


def test_hosted_ob2_assertion_that_differs_from_the_hosted_copy_fails(
    site: tuple[Website, LoopbackServer],
) -> None:
    website, server = site
    genuine = assertion(f"http://127.0.0.1:{server.port}")
    website.hosted["/assertions/42"] = genuine
    raised = {**genuine, "issuedOn": "2020-05-01T00:00:00Z"}
    report = verify(raised)
    proof = check(report, "proof")
    assert proof.outcome is Outcome.FAILED
    assert "is not the one its issuer hosts" in render_check(proof, "en")
    assert report.verdict is Verdict.NOT_VERIFIED


def test_hosted_ob2_assertion_its_issuer_no_longer_hosts_stays_could_not_check(
    site: tuple[Website, LoopbackServer],
) -> None:
    _, server = site
    report = verify(assertion(f"http://127.0.0.1:{server.port}", "/assertions/gone"))
    assert check(report, "proof").outcome is Outcome.COULD_NOT_CHECK
    assert report.verdict is Verdict.COULD_NOT_FULLY_CHECK


def test_hosted_ob2_assertion_hosted_away_from_its_issuer_is_not_fetched(
    site: tuple[Website, LoopbackServer],
) -> None:
    """Anyone can host a copy on their own site; only the issuer's copy says it is genuine."""
    website, server = site
    badge = {**assertion(f"http://127.0.0.1:{server.port}"), "badge": "https://college.example/b"}
    website.hosted["/assertions/42"] = badge
    report = verify(badge)
    assert check(report, "proof").outcome is Outcome.COULD_NOT_CHECK
    assert website.requests == 0
