"""Issue #19: the verify API answers from the outcome cache (``verifier.outcome_cache``) while
nothing the report depends on has changed, and a kept report never outlives a date the input
names: a proof's ``expires``, a JWT's ``exp`` inside a presentation. Verifications are counted
by a spy on the pipeline the cache calls; time is the service's own monotonic clock."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.proofs.base import ProofOptions
from credentials.proofs.eddsa_rdfc_2022 import SUITE as RDFC
from infra import FetchPolicy, GuardedFetcher
from tests.verifier.support import NOW, Issuer, VerificationCounter, count_verifications
from verifier.inputs import VerifiableInput
from verifier.registry import CompositeRegistry
from verifier.service import VerifierService
from verifier.written_dates import written_instants

ISSUER = Issuer()
VERIFIED = ("verified", "verified_with_warnings")  # an issuer in no registry warns


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> VerificationCounter:
    return count_verifications(monkeypatch)


def service(clock: Clock) -> VerifierService:
    """No leeway, so a date is reached when the clock says so."""
    fetcher = GuardedFetcher(FetchPolicy())
    return VerifierService(fetcher, CompositeRegistry([]), leeway=timedelta(0), monotonic=clock)


def verdict(verifier: VerifierService, body: bytes, now: datetime) -> tuple[str, dict[str, str]]:
    report = verifier.verify_bytes(body, "en", now=now).as_json()
    return report["verdict"], {check["id"]: check["outcome"] for check in report["checks"]}


def test_bytes_asked_about_twice_are_kept_and_other_bytes_verified_afresh(
    verifications: VerificationCounter,
) -> None:
    verifier = service(Clock())
    signed = ISSUER.sign(ISSUER.credential())
    body = json.dumps(signed).encode()
    assert verdict(verifier, body, NOW)[0] in VERIFIED
    assert len(verifier.outcomes) == 0  # asked once: nothing kept
    for _ in range(3):
        assert verdict(verifier, body, NOW)[0] in VERIFIED
    assert verifications.calls == 2 and len(verifier.outcomes) == 1

    tampered = json.loads(body)
    tampered["credentialSubject"]["achievement"]["name"] = "Forged Program"
    for _ in range(3):
        assert verdict(verifier, json.dumps(tampered).encode(), NOW)[0] == "not_verified"
    # Its key check could not be made once the proof failed, and such a report is never kept.
    assert verifications.calls == 2 + 3
    assert verdict(verifier, json.dumps(signed, indent=1).encode(), NOW)[0] in VERIFIED
    assert verifications.calls == 2 + 3 + 1


def test_a_kept_report_dies_when_the_proof_expires(verifications: VerificationCounter) -> None:
    clock = Clock()
    verifier = service(clock)
    options = ProofOptions(created=NOW, expires=NOW + timedelta(seconds=60))
    body = json.dumps(RDFC.add_proof(ISSUER.credential(), ISSUER.signer, options)).encode()
    for _ in range(2):  # kept from the second time
        assert verdict(verifier, body, NOW)[0] in VERIFIED
    clock.now += 30
    assert verdict(verifier, body, NOW + timedelta(seconds=30))[0] in VERIFIED
    assert verifications.calls == 2  # kept: nothing changed yet, far within the cache's ttl

    clock.now += 31
    answer, checks = verdict(verifier, body, NOW + timedelta(seconds=61))
    assert (answer, checks["proof"]) == ("not_verified", "failed")
    assert verifications.calls == 3


def _unsigned_jwt(payload: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'EdDSA', 'typ': 'vc+jwt'})}.{part(payload)}.c2ln"


def test_dates_are_found_in_nested_and_enveloped_credentials() -> None:
    exp = datetime(2031, 5, 1, tzinfo=UTC)
    enveloped = {"id": "data:application/vc+jwt," + _unsigned_jwt({"exp": exp.timestamp()})}
    bare = _unsigned_jwt({"nbf": int(datetime(2032, 1, 1, tzinfo=UTC).timestamp())})
    presentation = {
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [enveloped, bare, {"validUntil": "2033-01-01T00:00:00Z"}],
        "proof": {"created": "2026-12-01T10:00:00", "expires": "not a date"},
    }
    years = sorted(when.year for when in written_instants(VerifiableInput("json", presentation)))
    assert years == [2026, 2031, 2032, 2033]

    token = VerifiableInput("jws", token=_unsigned_jwt({"iat": 1.5e9, "exp": True, "nbf": 1e30}))
    assert [when.year for when in written_instants(token)] == [2017]
