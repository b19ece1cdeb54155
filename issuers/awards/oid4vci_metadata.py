"""OpenID4VCI 1.0 metadata: the credential issuer (section 12.2) and its authorization server.

We are our own authorization server (no ``authorization_servers`` member, section 12.2.4), so
the token endpoint is published in OAuth 2.0 Authorization Server Metadata (RFC 8414) at
``/.well-known/oauth-authorization-server``, with
``pre-authorized_grant_anonymous_access_supported`` (OpenID4VCI section 12.3).

Two configurations: the JSON-LD credential (``ldp_vc``, secured with ``eddsa-rdfc-2022``) and
the JWT one. Our JWT is a VC-JOSE-COSE ``vc+jwt`` (VC Data Model 2.0); OpenID4VCI 1.0 names no
format for it, so it is offered as ``jwt_vc_json`` (Appendix A.1.1), whose wallets expect the
VCDM 1.1 ``vc`` claim: wallets that read only that claim should use ``ldp_vc``.
"""

from __future__ import annotations

from typing import Any

from credentials import OB_CONTEXTS
from issuers.awards.offers import (
    JWT_CONFIGURATION,
    LDP_CONFIGURATION,
    PRE_AUTHORIZED_GRANT,
)

CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
# Exactly what is done (issuers.awards.offers.redeem): the proof's Ed25519 key, named by a did:key
# kid or a jwk, becomes the credential subject's did:key; no other key can be bound.
PROOF_TYPES = {"jwt": {"proof_signing_alg_values_supported": ["EdDSA"]}}
BINDING_METHODS = ["did:key"]
DISPLAY = [
    {"name": "Micro-credential (Open Badge)", "locale": "en-CA"},
    {"name": "Microcertification (Open Badge)", "locale": "fr-CA"},
]


def issuer_metadata(base_url: str) -> dict[str, Any]:
    issuer = base_url.rstrip("/")
    return {
        "credential_issuer": issuer,
        "credential_endpoint": f"{issuer}/oid4vci/credential",
        "nonce_endpoint": f"{issuer}/oid4vci/nonce",
        "display": [{"name": "Learner Passport", "locale": "en-CA"}],
        "credential_configurations_supported": {
            LDP_CONFIGURATION: {
                "format": "ldp_vc",
                "cryptographic_binding_methods_supported": BINDING_METHODS,
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "credential_definition": {"@context": list(OB_CONTEXTS), "type": CREDENTIAL_TYPE},
                "proof_types_supported": PROOF_TYPES,
                "credential_metadata": {"display": DISPLAY},
            },
            JWT_CONFIGURATION: {
                "format": "jwt_vc_json",
                "cryptographic_binding_methods_supported": BINDING_METHODS,
                "credential_signing_alg_values_supported": ["EdDSA"],
                "credential_definition": {"type": CREDENTIAL_TYPE},
                "proof_types_supported": PROOF_TYPES,
                "credential_metadata": {"display": DISPLAY},
            },
        },
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    issuer = base_url.rstrip("/")
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
    }
