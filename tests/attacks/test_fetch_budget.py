"""Issue #13, "Bounded work for one request": a verification's outbound fetches share one budget
(``infra.fetch.budget``), proofs and members are capped before any work, failures are remembered
briefly, and beyond the outbound slots the verifier sheds load with 503 and ``Retry-After``.

Every key here sits on a loopback server the test runs; the app is the real one served by
uvicorn, with plain http allowed for 127.0.0.1 (tests only).
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from infra.fetch.budget import DEFAULT_MAX_FETCHES, DEFAULT_VERIFICATION_SECONDS, FetchBudget
from infra.fetch.errors import FetchFailed
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from tests.keys.loopback import FakeClock, LoopbackServer, serving
from tests.passport.wallet.support import served, wallet_settings
from tests.storage import sqlite_url
from tests.verifier.support import Issuer
from verifier.guards import MAX_MEMBERS, MAX_PROOFS

API = "/api/v1/verify"
ISSUER = Issuer()
SIGNED = ISSUER.sign(ISSUER.credential())
SLOW_SECONDS = 2.0
# Generous, so a loaded 2-core machine does not make the test flaky.
PROMPT_SECONDS = 2.0
REPORT_SECONDS = 6.0
CONCURRENT = 50
LOOPBACK = FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True)


class Origin:
    """Counts requests per path prefix (``/r<n>/``); answers 404 after ``delay`` seconds."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests[handler.path.split("/")[1]] += 1
        time.sleep(self.delay)
        handler.send_error(404)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("budget")
    with served(wallet_settings(sqlite_url(directory))) as (_, url):
        yield url


def issued_by(document: dict[str, Any], controller: str) -> dict[str, Any]:
    """``document`` claiming the issuer ``controller``, so that its keys there are bound to the
    issuer and fetched (issue #12: a key that cannot be the issuer's is refused unfetched)."""
    issuer = document["issuer"]
    document["issuer"] = {**issuer, "id": controller} if isinstance(issuer, dict) else controller
    return document


def with_keys(base: str, request: str, count: int, *, same: bool = False) -> dict[str, Any]:
    """The signed credential with ``count`` proofs, each naming a key on ``base``; the first
    key's document is the issuer, so it is the one a verification may fetch."""
    document: dict[str, Any] = issued_by(copy.deepcopy(SIGNED), f"{base}/{request}/k0")
    proof = document["proof"]
    proofs = []
    for number in range(count):
        key = 0 if same else number
        proofs.append({**proof, "verificationMethod": f"{base}/{request}/k{key}#key"})
    document["proof"] = proofs
    return document


def presentation(base: str, request: str, members: int) -> dict[str, Any]:
    """An unsigned presentation of ``members`` credentials, each from an issuer of its own."""
    credentials = []
    for number in range(members):
        member = issued_by(copy.deepcopy(SIGNED), f"{base}/{request}/m{number}")
        member["proof"]["verificationMethod"] = f"{base}/{request}/m{number}#key"
        credentials.append(member)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    }


def test_attack_300_proofs_are_refused_before_any_fetch(app_url: str) -> None:
    origin = Origin()
    with serving(origin.respond) as server:
        base = f"http://127.0.0.1:{server.port}"
        response = httpx.post(f"{app_url}{API}", json=with_keys(base, "r0", 300), timeout=30)
        members = httpx.post(
            f"{app_url}{API}", json=presentation(base, "r1", MAX_MEMBERS + 1), timeout=30
        )
    assert response.status_code == 413, response.text
    assert f"the limit is {MAX_PROOFS}" in response.json()["detail"]
    assert members.status_code == 413, members.text
    assert origin.requests == Counter()


def test_attack_a_presentation_naming_many_keys_makes_at_most_its_budget_of_fetches(
    app_url: str,
) -> None:
    origin = Origin()
    with serving(origin.respond) as server:
        base = f"http://127.0.0.1:{server.port}"
        body = presentation(base, "r2", DEFAULT_MAX_FETCHES * 3)
        response = httpx.post(f"{app_url}{API}", json=body, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "not_verified" or "could" in response.json()["verdict"]
    assert origin.requests["r2"] == DEFAULT_MAX_FETCHES


def test_identical_urls_are_fetched_once_and_failures_are_remembered(app_url: str) -> None:
    origin = Origin()
    with serving(origin.respond) as server:
        base = f"http://127.0.0.1:{server.port}"
        for _ in range(3):
            response = httpx.post(
                f"{app_url}{API}", json=with_keys(base, "r3", MAX_PROOFS, same=True), timeout=30
            )
            assert response.status_code == 200, response.text
    assert origin.requests["r3"] == 1


def _timed(client: httpx.Client, path: str) -> float:
    started = time.monotonic()
    assert client.get(path).status_code == 200
    return time.monotonic() - started


def _slow_verification(app_url: str, base: str, number: int) -> tuple[int, float, str | None]:
    body = with_keys(base, f"r{100 + number}", MAX_PROOFS)
    started = time.monotonic()
    response = httpx.post(f"{app_url}{API}", json=body, timeout=120)
    return response.status_code, time.monotonic() - started, response.headers.get("Retry-After")


def test_attack_50_slow_key_verifications_leave_the_server_responsive(app_url: str) -> None:
    origin = Origin(delay=SLOW_SECONDS)
    with serving(origin.respond) as server, ThreadPoolExecutor(CONCURRENT) as pool:
        server_url = f"http://127.0.0.1:{server.port}"
        futures = [
            pool.submit(_slow_verification, app_url, server_url, n) for n in range(CONCURRENT)
        ]
        time.sleep(1.0)  # all of them in flight
        with httpx.Client(base_url=app_url, timeout=30) as client:
            waits = [max(_timed(client, "/healthz"), _timed(client, "/")) for _ in range(5)]
        answers = [future.result() for future in futures]
        _stop(server)
    assert max(waits) < PROMPT_SECONDS, waits
    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[503] > 0 and statuses[200] > 0, statuses
    assert all(retry == "5" for status, _, retry in answers if status == 503)
    shed = re.search(
        r"^passport_load_shed_total (\S+)$", httpx.get(f"{app_url}/metrics").text, re.M
    )
    assert shed is not None and float(shed[1]) >= statuses[503]
    # Fetches end by the budget's deadline (each is clipped to what is left); the rest is the
    # report's own work and queueing for 50 requests on a loaded 2-core machine.
    slowest = max(seconds for _, seconds, _ in answers)
    assert slowest < DEFAULT_VERIFICATION_SECONDS + REPORT_SECONDS, slowest
    assert max(origin.requests.values()) <= DEFAULT_MAX_FETCHES, origin.requests


def _stop(server: LoopbackServer) -> None:
    server.closing.set()


def test_a_remembered_failure_is_forgotten_after_failure_ttl() -> None:
    """Briefly: a host that comes back is asked again once ``failure_ttl`` has passed."""
    clock = FakeClock()
    origin = Origin()
    with serving(origin.respond) as server:
        url = f"http://127.0.0.1:{server.port}/r9/key"
        fetcher = GuardedFetcher(LOOPBACK, clock=clock)
        for _ in range(2):
            with pytest.raises(FetchFailed):
                fetcher.within(FetchBudget.start(now=clock())).fetch(url, accept="*/*")
        clock.now += LOOPBACK.failure_ttl
        with pytest.raises(FetchFailed):
            fetcher.fetch(url, accept="*/*")
    assert origin.requests["r9"] == 2


def _metric(app_url: str, sample: str) -> float:
    """The value of one sample (name and labels) on ``/metrics``; 0 before its first count."""
    exposition = httpx.get(f"{app_url}/metrics").text
    found = re.search(rf"^{re.escape(sample)} (\S+)$", exposition, re.M)
    return float(found[1]) if found else 0.0


def test_fetch_failures_and_budget_exhaustion_are_counted_on_metrics(app_url: str) -> None:
    """Issue #20: an operator sees origins failing, by kind, and budgets running out."""
    failed = 'passport_fetch_failures_total{kind="http_status"}'
    refused = 'passport_fetch_failures_total{kind="refused"}'
    spent = 'passport_fetch_budget_exhausted_total{limit="fetches"}'
    before = {sample: _metric(app_url, sample) for sample in (failed, refused, spent)}
    origin = Origin()
    with serving(origin.respond) as server:
        base = f"http://127.0.0.1:{server.port}"
        body = presentation(base, "r5", DEFAULT_MAX_FETCHES * 3)
        assert httpx.post(f"{app_url}{API}", json=body, timeout=60).status_code == 200
    plain = httpx.post(
        f"{app_url}{API}", json=with_keys("http://keys.example", "r6", 1), timeout=30
    )
    assert plain.status_code == 200, plain.text
    assert origin.requests["r5"] == DEFAULT_MAX_FETCHES
    # Each origin answered 404 once; the members past the budget were not fetched at all.
    assert _metric(app_url, failed) - before[failed] == DEFAULT_MAX_FETCHES
    assert _metric(app_url, spent) - before[spent] >= DEFAULT_MAX_FETCHES
    assert _metric(app_url, refused) - before[refused] >= 1
