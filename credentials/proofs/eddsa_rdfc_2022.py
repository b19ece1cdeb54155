"""The ``eddsa-rdfc-2022`` cryptosuite: Ed25519 over RDFC-1.0 canonical N-Quads.

vc-di-eddsa 1.0 section 3.2. The document and the proof configuration (the proof options with the
document's ``@context``) are each canonicalized with RDFC-1.0 in JSON-LD safe mode
(``credentials.canonical``), hashed with SHA-256, and the proof hash comes first in the signed
data. Shared steps: ``credentials.proofs.data_integrity``.

>>> SUITE.cryptosuite
'eddsa-rdfc-2022'
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from credentials.canonical import canonicalize_jsonld
from credentials.proofs.data_integrity import (
    EddsaCryptosuite,
    check_proof_configuration,
)

CRYPTOSUITE = "eddsa-rdfc-2022"
# Canonical proof configurations kept (one per key and second signed in, or verified).
CONFIG_CACHE_SIZE = 256


class EddsaRdfc2022(EddsaCryptosuite):
    """The suite over a canonicalization function (``canonicalize_jsonld``; the benchmarks
    also build one over stock pyld, to measure against)."""

    cryptosuite = CRYPTOSUITE

    def __init__(self, canonicalize: Callable[[dict[str, Any]], str] = canonicalize_jsonld) -> None:
        self.canonicalize = canonicalize
        self._canonical_config = lru_cache(maxsize=CONFIG_CACHE_SIZE)(self._canonicalize_text)

    def _canonicalize_text(self, config: str) -> str:
        return self.canonicalize(json.loads(config))

    def transform(self, unsecured_document: dict[str, Any]) -> str:
        """Transformation (3.2.3): RDFC-1.0 canonical N-Quads of the unsecured document."""
        return self.canonicalize(unsecured_document)

    def configure_proof(
        self, proof_options: dict[str, Any], unsecured_document: dict[str, Any]
    ) -> str:
        """Proof Configuration (3.2.5): the options with the document's ``@context``, canonical."""
        check_proof_configuration(proof_options, CRYPTOSUITE)
        proof_config = {**proof_options, "@context": unsecured_document.get("@context")}
        # The same configuration recurs: every credential a key signs within one second (a
        # cohort's whole group) has the same options and contexts. Canonical N-Quads are a pure
        # function of the JSON content, whatever its member order, so they are computed once.
        return self._canonical_config(json.dumps(proof_config, sort_keys=True))


SUITE = EddsaRdfc2022()
