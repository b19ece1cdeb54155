"""Issue #12 item 1: a holder cannot respell a genuine credential to hide what was signed.

``eddsa-rdfc-2022`` signs the RDF graph, so the same credential has many JSON spellings, each
carrying the same valid proof. These three were found to change verdicts on the old verifier:
a revoked credential whose ``credentialStatus`` is renamed to its full IRI, an expired one whose
``validUntil`` is a typed value under its full IRI, and a stolen one whose subject ``id`` is
written ``@id`` in a presentation the thief signs. Each goes through the pipeline from raw bytes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from credentials.report import Outcome, Verdict
from tests.attacks.verdict_world import CHECKED_AT, World, check
from tests.verifier.support import REVOKED_INDEX, Issuer

CRED = "https://www.w3.org/2018/credentials#"
XSD_DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime"
CHALLENGE, DOMAIN = "c-3f9a", "https://employer.example"


def renamed(document: dict[str, Any], term: str, value: Any = None) -> dict[str, Any]:
    """``document`` with member ``term`` written under its full IRI (same graph)."""
    respelled = {key: item for key, item in document.items() if key != term}
    respelled[CRED + term] = document[term] if value is None else value
    return respelled


def test_revoked_credential_with_iri_renamed_credential_status_is_still_revoked() -> None:
    world = World()
    revoked = world.signed(world.credential(index=REVOKED_INDEX))
    assert check(world.verify(revoked), "status").message_key == "status.revoked"
    report = world.verify(renamed(revoked, "credentialStatus"))
    assert check(report, "proof").outcome is Outcome.PASSED  # the same graph, the same proof
    assert check(report, "status").message_key == "status.revoked"
    assert report.verdict is Verdict.NOT_VERIFIED


def test_expired_credential_with_typed_iri_valid_until_is_still_expired() -> None:
    world = World()
    until = (CHECKED_AT - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expired = world.signed(world.credential(validUntil=until))
    typed = {"@value": until, "@type": XSD_DATE_TIME}
    report = world.verify(renamed(expired, "validUntil", typed))
    assert check(report, "proof").outcome is Outcome.PASSED
    assert check(report, "validity").message_key == "validity.expired"
    assert report.verdict is Verdict.NOT_VERIFIED


def test_stolen_credential_with_at_id_subject_fails_holder_binding() -> None:
    world, thief, victim = World(), Issuer(), Issuer()
    document = world.credential()
    document["credentialSubject"]["id"] = victim.did
    stolen = world.signed(document)
    subject = dict(stolen["credentialSubject"])
    subject["@id"] = subject.pop("id")
    respelled = {**stolen, "credentialSubject": subject}
    presentation = thief.present([respelled], CHALLENGE, DOMAIN, now=CHECKED_AT)
    report = world.verify(presentation)
    assert check(report.parts[0], "proof").outcome is Outcome.PASSED
    assert check(report, "presentation").outcome is Outcome.FAILED
    assert report.verdict is Verdict.NOT_VERIFIED
