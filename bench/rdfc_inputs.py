"""The credentials the ``eddsa-rdfc-2022`` figures are measured on, smallest to largest.

- ``small``: the 1EdTech validator's ``ob30-simple`` credential without its proof (~0.9 KB);
- ``sample``: ``bench.sample`` (~2.7 KB), the credential of the issue's target;
- ``large``: the 1EdTech validator's ``ob30-complete`` credential without its proof (~16 KB);
- ``clr20``: a CLR 2.0 holding 20 signed copies of the sample (each with its own proof, an
  RDF named graph), built with ``build_clr_credential``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.sample import sample_credential
from credentials.keys import Signer
from credentials.models.builders import build_clr_credential
from credentials.models.clr import ClrSubject
from credentials.proofs.base import ProofOptions
from credentials.proofs.eddsa_rdfc_2022 import SUITE

EXAMPLES = Path(__file__).parents[1] / "tests" / "vectors" / "examples" / "1edtech-validator"
CLR_SIZE = 20
_PLACEHOLDER_ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _unsigned_example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    document.pop("proof", None)
    return document


def clr_of_samples(signer: Signer | None, now: datetime, count: int = CLR_SIZE) -> dict[str, Any]:
    """A CLR of ``count`` sample credentials, signed by ``signer`` (unsigned copies without)."""
    issuer = signer.verification_method.split("#")[0] if signer else _PLACEHOLDER_ISSUER
    credentials = []
    for number in range(count):
        credential = sample_credential(issuer)
        credential["id"] = f"urn:uuid:4e2c5d8a-7f61-4d7a-9a59-{number:012d}"
        if signer is not None:
            credential = SUITE.add_proof(credential, signer, ProofOptions(created=now))
        credentials.append(credential)
    subject = ClrSubject(id="did:example:learner", verifiable_credential=credentials)
    return build_clr_credential(
        credential_id="urn:uuid:0c1d2e3f-4a5b-4c6d-8e7f-000000000020",
        issuer={"id": issuer, "type": ["Profile"], "name": "Collège des Grands Lacs"},
        subject=subject,
        name="Learner record",
        valid_from=now,
    )


def rdfc_inputs(signer: Signer | None, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    issuer = signer.verification_method.split("#")[0] if signer else _PLACEHOLDER_ISSUER
    return [
        ("small", _unsigned_example("ob30-simple-eddsa-rdfc-2022.json")),
        ("sample", sample_credential(issuer)),
        ("large", _unsigned_example("ob30-complete.json")),
        (f"clr{CLR_SIZE}", clr_of_samples(signer, now)),
    ]
