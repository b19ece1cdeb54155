"""The one registry of securing mechanisms, keyed by spec id.

Signing: ``eddsa-rdfc-2022`` (the default; VC DI EdDSA 1.0 section 3.3), ``eddsa-jcs-2022``
(section 3.4), ``vc+jwt`` (VC-JOSE-COSE section 3.1.1) and ``ob-jwt`` (OB 3.0 section 8.2,
``credentials.proofs.ob_jwt``). Verifying additionally accepts the read-only legacy ``vc``
claim (``credentials.proofs.vc_jose``).
Anything else is refused by name: there is no "try whatever the document says".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from credentials.errors import UnsupportedMechanism
from credentials.keys import Signer
from credentials.proofs.base import ProofOptions
from credentials.proofs.data_integrity import SUPPORTED_CRYPTOSUITES
from credentials.proofs.ob_jwt import OB_JWT_MECHANISM, sign_ob_jwt
from credentials.proofs.vc_jose import JWT_MECHANISM, READ_ONLY_JWT_MECHANISMS, sign_vc_jwt

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
