"""The ``eddsa-jcs-2022`` cryptosuite: Ed25519 over the JSON Canonicalization Scheme (RFC 8785).

vc-di-eddsa 1.0 section 3.3. The proof carries a copy of the document's ``@context``; on
verification the document's ``@context`` must begin with it, and the document is hashed with the
proof's ``@context`` (3.3.2 step 4). Shared steps: ``credentials.proofs.data_integrity``.

>>> SUITE.cryptosuite
'eddsa-jcs-2022'
"""

from __future__ import annotations

from typing import Any

import rfc8785

from credentials.errors import InvalidInput
from credentials.keys import Signer
from credentials.proofs.base import ProofOptions
from credentials.proofs.data_integrity import (
    MALFORMED_PROOF_ERROR,
    EddsaCryptosuite,
    ProofFailure,
    check_proof_configuration,
    proof_options_of,
    without_proof,
)

CRYPTOSUITE = "eddsa-jcs-2022"


def jcs(value: Any) -> str:
    """RFC 8785 canonical JSON; values JSON cannot carry exactly are ``InvalidInput``."""
    try:
        canonical: bytes = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise InvalidInput(f"cannot canonicalize with JCS: {exc}") from None
    return canonical.decode("utf-8")


def _as_list(context: Any) -> list[Any]:
    return context if isinstance(context, list) else [context]


class EddsaJcs2022(EddsaCryptosuite):
    cryptosuite = CRYPTOSUITE

    def transform(self, unsecured_document: dict[str, Any]) -> str:
        """Transformation (3.3.3): JCS of the unsecured document."""
        return jcs(unsecured_document)

    def configure_proof(
        self, proof_options: dict[str, Any], unsecured_document: dict[str, Any]
    ) -> str:
        """Proof Configuration (3.3.5): the options with the document's ``@context``, in JCS."""
        check_proof_configuration(proof_options, CRYPTOSUITE)
        proof_config = dict(proof_options)
        if "@context" in unsecured_document:
            proof_config["@context"] = unsecured_document["@context"]
        return jcs(proof_config)

    def new_proof(
        self, signer: Signer, options: ProofOptions, unsecured: dict[str, Any]
    ) -> dict[str, Any]:
        """Create Proof: the proof keeps a copy of the document's ``@context``."""
        proof = proof_options_of(CRYPTOSUITE, signer, options)
        if "@context" in unsecured:
            proof["@context"] = unsecured["@context"]
        return proof

    def unsecured_for_verification(
        self, document: dict[str, Any], proof_options: dict[str, Any]
    ) -> dict[str, Any]:
        """Verify Proof step 4: the document's ``@context`` must start with the proof's."""
        unsecured = without_proof(document)
        if "@context" not in proof_options:
            return unsecured
        proof_context = _as_list(proof_options["@context"])
        if _as_list(unsecured.get("@context"))[: len(proof_context)] != proof_context:
            raise ProofFailure(
                "the document's @context does not start with the proof's @context",
                MALFORMED_PROOF_ERROR,
            )
        unsecured["@context"] = proof_options["@context"]
        return unsecured


SUITE = EddsaJcs2022()
