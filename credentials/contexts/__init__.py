"""The bundled JSON-LD contexts and the one offline document loader.

Every context is bundled byte-exact (SHA-256 pinned in ``CONTEXT_FILES`` and checked by a test) and
served from memory. Any other URL is refused with ``UnknownContext`` naming it: a verifier that
fetches contexts at verification time can be made to change a credential's meaning (VC Data
Integrity 1.0, section 4.6 "Contexts and Vocabularies": verifiers accept only known contexts).

>>> load_context("https://www.w3.org/ns/credentials/v2")["@context"]["@protected"]
True
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from credentials.errors import UnknownContext

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
OB_V3P0_3_0_0 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
OB_V3P0_3_0_1 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
OB_V3P0_3_0_2 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_V2P0_2_0_0 = "https://purl.imsglobal.org/spec/clr/v2p0/context.json"
CLR_V2P0 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
# VC Data Model 2.0 section 5.2 "Extensibility": the opt-in ``@vocab`` for issuer-dependent terms,
# bundled by the standard verifiers (Digital Bazaar's credentials-context package). Our achievements
# name it for the Ontario terms OB 3.0 lacks (docs/architecture.md, "Ontario metadata").
UNDEFINED_TERMS_V2 = "https://www.w3.org/ns/credentials/undefined-terms/v2"
# Our former extension context, named by awards issued before the change to standard contexts
# only: kept bundled (and served at /contexts/learner-passport/v1.jsonld) so they still verify,
# never emitted again (nobody else bundles it).
LEARNER_PASSPORT_V1 = "https://w3id.org/learner-passport/v1"


@dataclass(frozen=True)
class BundledContext:
    filename: str
    sha256: str


# URL -> bundled file. Sources (upstream repository and commit) and licences are in
# tests/vectors/README.md. Every published version stays, so old credentials verify.
CONTEXT_FILES: dict[str, BundledContext] = {
    VC_V2: BundledContext(
        "w3c-credentials-v2.jsonld",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ),
    VC_EXAMPLES_V2: BundledContext(
        "w3c-credentials-examples-v2.jsonld",
        "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
    ),
    DATA_INTEGRITY_V2: BundledContext(
        "w3c-data-integrity-v2.jsonld",
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    ),
    MULTIKEY_V1: BundledContext(
        "w3c-multikey-v1.jsonld",
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    ),
    DID_V1: BundledContext(
        "w3c-did-v1.jsonld",
        "adefa50311393eb1bd788a38ac9fe2696c65367928f6996812cd54577394f4da",
    ),
    UNDEFINED_TERMS_V2: BundledContext(
        "w3c-undefined-terms-v2.jsonld",
        "82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581",
    ),
    OB_V3P0_3_0_0: BundledContext(
        "ob-v3p0-context-3.0.0.json",
        "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
    ),
    OB_V3P0_3_0_1: BundledContext(
        "ob-v3p0-context-3.0.1.json",
        "d582f3564282fb3b709136d28412e78e70b678b4dbc2f0221f67d84932748355",
    ),
    OB_V3P0_3_0_2: BundledContext(
        "ob-v3p0-context-3.0.2.json",
        "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53",
    ),
    OB_V3P0: BundledContext(
        "ob-v3p0-context-3.0.3.json",
        "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84",
    ),
    OB_V3P0_EXTENSIONS: BundledContext(
        "ob-v3p0-extensions.json",
        "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
    ),
    CLR_V2P0_2_0_0: BundledContext(
        "clr-v2p0-context-2.0.0.json",
        "e198d7b517d74c5036434ce495086f67b10244709e9a3df9dcb7f8b1579b6167",
    ),
    CLR_V2P0: BundledContext(
        "clr-v2p0-context-2.0.1.json",
        "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6",
    ),
    LEARNER_PASSPORT_V1: BundledContext(
        "learner-passport-v1.jsonld",
        "ccf7520ef8735ad8fda1594e6453e4eff466be5abf2ce44eb49c40a9e9b21805",
    ),
}

# Bundled for tests and reference only, never served by URL: the April 2025 copy of OB 3.0.3 (a
# subset of the later copy; what we emit must also work under it) and the VCDM 1.1 status list
# context, whose URL W3C has not assigned yet (w3c/vc-bitstring-status-list#182).
UNSERVED_FILES: dict[str, str] = {
    "ob-v3p0-context-3.0.3.spec-repo-2025-04.json": (
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
    ),
    "w3c-bitstring-status-list-v1.jsonld": (
        "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7"
    ),
}


def bundled_bytes(filename: str) -> bytes:
    """The exact bytes of a bundled context file."""
    return resources.files(__package__).joinpath("data", filename).read_bytes()


def sha256_of(filename: str) -> str:
    return hashlib.sha256(bundled_bytes(filename)).hexdigest()


@cache
def _parsed(url: str) -> dict[str, Any]:
    entry = CONTEXT_FILES.get(url)
    if entry is None:
        raise UnknownContext(f"context {url!r} is not bundled; remote contexts are never fetched")
    parsed: dict[str, Any] = json.loads(bundled_bytes(entry.filename))
    return parsed


def is_bundled(url: str) -> bool:
    return url in CONTEXT_FILES


def load_context(url: str) -> dict[str, Any]:
    """A fresh copy of the bundled context document at ``url``; ``UnknownContext`` otherwise."""
    return copy.deepcopy(_parsed(url))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld-compatible document loader that serves bundled contexts and refuses the rest."""
    del options
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}
