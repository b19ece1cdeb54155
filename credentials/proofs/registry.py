"""The one registry of securing mechanisms, keyed by spec id.

Signing: ``eddsa-rdfc-2022`` (the default; VC DI EdDSA 1.0 section 3.3), ``eddsa-jcs-2022``
(section 3.4), ``vc+jwt`` (VC-JOSE-COSE section 3.1.1) and ``ob-jwt`` (OB 3.0 section 8.2,
``credentials.proofs.ob_jwt``). Verifying additionally accepts the read-only legacy ``vc``
claim (``credentials.proofs.vc_jose``).
Anything else is refused by name: there is no "try whatever the document says".

The Data Integrity cryptosuites are listed here, explicitly (``SUPPORTED_CRYPTOSUITES``); their
modules build on ``credentials.proofs.data_integrity`` and register nothing themselves. Any other
proof type or cryptosuite (``eddsa-rdf-2022``, ``eddsa-2022``, ``ecdsa-sd-2023``, ...) is named as
a mechanism this verifier does not check: "could not check", never "changed after it was signed".

>>> list(SUPPORTED_CRYPTOSUITES)
['eddsa-rdfc-2022', 'eddsa-jcs-2022']
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from credentials.errors import UnsupportedMechanism
from credentials.keys import KeyResolver, Signer
from credentials.proofs import eddsa_jcs_2022, eddsa_rdfc_2022
from credentials.proofs.base import (
    DataIntegritySuite,
    ProofExpectations,
    ProofOptions,
    ProofVerification,
)
from credentials.proofs.data_integrity import (
    MALFORMED_PROOF_ERROR,
    MECHANISM,
    PROOF_TYPE,
    PROOF_VERIFICATION_ERROR,
)
from credentials.proofs.ob_jwt import OB_JWT_MECHANISM, sign_ob_jwt
from credentials.proofs.vc_jose import JWT_MECHANISM, READ_ONLY_JWT_MECHANISMS, sign_vc_jwt
from credentials.report import Outcome

SUPPORTED_CRYPTOSUITES: dict[str, DataIntegritySuite] = {
    suite.cryptosuite: suite for suite in (eddsa_rdfc_2022.SUITE, eddsa_jcs_2022.SUITE)
}
DEFAULT_MECHANISM = "eddsa-rdfc-2022"
SIGNING_MECHANISMS = (*SUPPORTED_CRYPTOSUITES, JWT_MECHANISM, OB_JWT_MECHANISM)


def is_supported_mechanism(mechanism: str) -> bool:
    return (
        mechanism in SUPPORTED_CRYPTOSUITES
        or mechanism == JWT_MECHANISM
        or mechanism in READ_ONLY_JWT_MECHANISMS
    )


def secure(
    credential: dict[str, Any], signer: Signer, mechanism: str, *, now: datetime
) -> dict[str, Any] | str:
    """Secure ``credential`` with ``mechanism``: a document with a proof, or a compact JWS."""
    if mechanism == JWT_MECHANISM:
        return sign_vc_jwt(credential, signer)
    if mechanism == OB_JWT_MECHANISM:
        return sign_ob_jwt(credential, signer)
    suite = SUPPORTED_CRYPTOSUITES.get(mechanism)
    if suite is None:
        raise UnsupportedMechanism(
            f"unknown securing mechanism {mechanism!r}; use one of {', '.join(SIGNING_MECHANISMS)}"
        )
    return suite.add_proof(credential, signer, ProofOptions(created=now))


def verify_data_integrity(
    document: dict[str, Any], resolver: KeyResolver, expectations: ProofExpectations
) -> list[ProofVerification]:
    """Verify every proof of ``document`` (a proof set): one result per proof, in order."""
    proofs = document.get("proof")
    if proofs is None:
        return [
            ProofVerification(
                MECHANISM,
                Outcome.FAILED,
                "no proof",
                problem_type=MALFORMED_PROOF_ERROR,
                message_key="proof.missing",
            )
        ]
    results = []
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        results.append(_verify_one(document, proof, resolver, expectations))
    return results


def _verify_one(
    document: dict[str, Any], proof: Any, resolver: KeyResolver, expectations: ProofExpectations
) -> ProofVerification:
    if not isinstance(proof, dict):
        return ProofVerification(
            MECHANISM,
            Outcome.FAILED,
            "proof is not a JSON object",
            problem_type=MALFORMED_PROOF_ERROR,
        )
    if proof.get("type") != PROOF_TYPE:
        return unsupported(_name(proof.get("type"), "proof type"))
    suite = SUPPORTED_CRYPTOSUITES.get(str(proof.get("cryptosuite")))
    if suite is None:
        return unsupported(_name(proof.get("cryptosuite"), "cryptosuite"))
    return suite.verify_proof(document, proof, resolver, expectations)


def _name(value: Any, what: str) -> str:
    """A proof type or cryptosuite as a reader can be told it: short, never a nested object."""
    return value[:80] if isinstance(value, str) and value else f"an unnamed {what}"


def unsupported(mechanism: str) -> ProofVerification:
    """A proof of a mechanism this verifier does not implement: it may be genuine, so it is
    "could not check" by name, never "changed after it was signed" (issue #12)."""
    return ProofVerification(
        mechanism,
        Outcome.COULD_NOT_CHECK,
        f"this credential uses {mechanism}, which this verifier does not check",
        problem_type=PROOF_VERIFICATION_ERROR,
        message_key="proof.unsupported",
    )
