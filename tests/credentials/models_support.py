"""Test helpers for the credential models: JSON-LD expansion in "safe mode" with pyld.

pyld 3.3 has no safe-mode switch; expansion calls ``on_property_dropped`` for every term no context
defines, so a document is safe when nothing is dropped and no IRI is relative. The loader serves
only bundled contexts (``older_context_loader`` swaps in the April 2025 copy of OB 3.0.3).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pyld import jsonld

from credentials.contexts import OB_V3P0, bundled_bytes, document_loader

OLDER_OB_CONTEXT_FILE = "ob-v3p0-context-3.0.3.spec-repo-2025-04.json"
OB_STRICT_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json"
VCDM2_CREDENTIAL_SCHEMA = "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json"
VCDM2_PRESENTATION_SCHEMA = (
    "https://www.w3.org/2022/credentials/v2/verifiable-presentation-schema.json"
)
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*")


def older_context_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundled loader, except that OB 3.0.3 is the April 2025 copy (no jti/endorsementJwt)."""
    if url == OB_V3P0:
        document = json.loads(bundled_bytes(OLDER_OB_CONTEXT_FILE))
        return {"contextUrl": None, "documentUrl": url, "document": document}
    return document_loader(url, options)


def safe_mode_problems(document: dict[str, Any], loader: Any = document_loader) -> list[str]:
    """What JSON-LD safe mode would refuse: dropped properties and relative IRIs."""
    dropped: list[str] = []
    expanded = jsonld.expand(
        document,
        {"documentLoader": loader},
        on_property_dropped=lambda term: dropped.append(f"dropped property {term!r}"),
    )
    return dropped + [f"relative IRI {iri!r}" for iri in _relative_iris(expanded)]


def _relative_iris(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, list):
        for item in node:
            found.extend(_relative_iris(item))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@id", "@type"):
                found.extend(
                    iri
                    for iri in (value if isinstance(value, list) else [value])
                    if isinstance(iri, str)
                    and not iri.startswith("_:")
                    and not _ABSOLUTE_IRI.fullmatch(iri)
                )
            elif key != "@value":
                found.extend(_relative_iris(value))
    return found
