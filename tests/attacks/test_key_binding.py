"""Issue #12 items 3 and 9: a forgery cannot pick "could not fully check", nor borrow a name.

A forger signs with their own key and names it at a host that does not resolve. That key cannot
be the issuer's (its document is not the issuer id), so it fails ``issuer_key`` as a forgery
before anything is fetched. "Could not check" remains only for the issuer's own key document
being unreachable, and then no report shows the registry's name, the "Recognized institution"
badge or "not a sign of forgery".
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.errors import ResolutionUnavailable
from credentials.keys import Ed25519Signer
from credentials.multikey import resolve_did_key
from credentials.proofs.registry import secure
from credentials.report import Outcome, Verdict
from tests.attacks.verdict_world import COLLEGE, World, check
from tests.verifier.support import NOW
from verifier.wording.rendering import explained_report

UNRESOLVABLE_KEYS = [
    "https://nxdomain.invalid/keys#k",
    "did:web:nxdomain.invalid#1",
]


class Unreachable:
    """Stands for the network: every resolution attempt is recorded; did:key answers locally
    (the institution's status list is signed with one) and nothing else answers."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def resolve(self, verification_method: str) -> Any:
        self.asked.append(verification_method)
        if verification_method.startswith("did:key:"):
            return resolve_did_key(verification_method)
        raise ResolutionUnavailable(f"{verification_method} did not answer")


def _forged(world: World, key_id: str, mechanism: str) -> Any:
    forger = Ed25519Signer(Ed25519PrivateKey.generate(), key_id)
    return secure(world.credential(), forger, mechanism, now=NOW)


def _never_genuine(world: World, report: Any) -> None:
    for language in ("en", "fr"):
        explained = explained_report(report, language, world.registry)
        assert explained["issuer"]["recognized"] is False
        assert "name" not in explained["issuer"]
        assert "forgery" not in explained["advice"] and "contrefaçon" not in explained["advice"]
    assert COLLEGE not in str(explained_report(report, "en", world.registry))


@pytest.mark.parametrize("mechanism", ["eddsa-rdfc-2022", "vc+jwt"])
@pytest.mark.parametrize("key_id", UNRESOLVABLE_KEYS)
def test_forgery_naming_an_unresolvable_key_is_not_verified(key_id: str, mechanism: str) -> None:
    network = Unreachable()
    world = World(resolver=network)
    report = world.verify(_forged(world, key_id, mechanism))
    assert key_id not in network.asked  # refused before any fetch
    assert check(report, "issuer_key").outcome is Outcome.FAILED
    assert report.verdict is Verdict.NOT_VERIFIED
    _never_genuine(world, report)


def test_a_key_of_another_did_key_is_refused_before_resolving() -> None:
    network = Unreachable()
    world = World(resolver=network)
    stranger = World().issuer.signer
    report = world.verify(secure(world.credential(), stranger, "eddsa-rdfc-2022", now=NOW))
    assert stranger.verification_method not in network.asked
    assert check(report, "issuer_key").outcome is Outcome.FAILED
    assert report.verdict is Verdict.NOT_VERIFIED


def test_unreachable_own_key_document_is_could_not_check_without_the_registry_name() -> None:
    did = "did:web:college.example"
    network = Unreachable()
    world = World(resolver=network, issuer_id=did)
    document = world.credential()
    document["issuer"]["id"] = did
    del document["credentialStatus"]  # its list is the did:key's, not this issuer's
    signer = Ed25519Signer(world.issuer.key, f"{did}#key-1")
    report = world.verify(secure(document, signer, "eddsa-rdfc-2022", now=NOW))
    assert f"{did}#key-1" in network.asked
    assert check(report, "proof").outcome is Outcome.COULD_NOT_CHECK
    assert check(report, "issuer_trust").message_key == "issuer_trust.unchecked"
    assert report.verdict is Verdict.COULD_NOT_FULLY_CHECK
    _never_genuine(world, report)


def test_registry_name_is_shown_once_the_key_is_the_issuers() -> None:
    world = World()
    report = world.verify(world.signed(world.credential()))
    assert check(report, "issuer_key").outcome is Outcome.PASSED
    explained = explained_report(report, "en", world.registry)
    assert explained["issuer"]["recognized"] is True
    assert explained["issuer"]["name"] == COLLEGE
