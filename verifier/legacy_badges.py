"""Open Badges 2.0 assertions: recognized and explained, never called tampered.

An OB 2.0 assertion (``"@context": "https://w3id.org/openbadges/v2"``, ``"type": "Assertion"``)
is not a Verifiable Credential: it is either "hosted" (genuine while the issuer's server still
serves the same assertion at its ``id``) or signed with a JWS of its own (OB 2.0 section
"Verification"). A hosted one is checked against the copy its issuer hosts
(``verifier.hosted_badges``); otherwise such a badge is named for what it is and gets "could not
check", never "the credential was changed after it was signed" (issue #12, item 6).
"""

from __future__ import annotations

from typing import Any

from credentials import Check, Outcome
from verifier.hosted_badges import HostedAssertions, hosted_check, is_hosted

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def is_ob2_assertion(document: dict[str, Any]) -> bool:
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return OB2_CONTEXT in contexts and "Assertion" in types


def ob2_checks(document: dict[str, Any], hosted: HostedAssertions | None) -> list[Check]:
    """The report of an OB 2.0 assertion: what it is, and the hosted copy's verdict where it
    could be fetched, else that its verification is not done."""
    checked = hosted_check(document, hosted) if is_hosted(document) else None
    if checked is not None:
        return [Check.of("format", Outcome.PASSED, "format.ob2_hosted"), checked]
    verification = document.get("verification")
    kind = verification.get("type") if isinstance(verification, dict) else None
    method = "signed" if kind in ("signed", "SignedBadge") else "hosted"
    return [
        Check.of("format", Outcome.PASSED, "format.ob2"),
        Check.of(
            "proof",
            Outcome.COULD_NOT_CHECK,
            "proof.unsupported",
            mechanism=f"Open Badges 2.0 ({method} verification)",
        ),
    ]
