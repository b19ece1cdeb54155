"""The trust registry: which issuers are recognized institutions, and their names in EN and FR.

The name an employer sees comes from here, never only from what a credential claims about itself
(issue #4, check 4). Entries come from registry files the operator configures, several at once,
each SIGNED: a file is refused, with the reason, unless its signature verifies under one of the
operator's trusted registry keys. The deployment's own institutions are added as another source
(``InstitutionRegistry``), and ``CompositeRegistry`` answers from all of them.

File format (``docs/verification.md``): a JSON object with ``type`` ``PassportTrustRegistry``,
``name``, ``entries`` and ``signature``. The signature is a JWS with detached payload (RFC 7515
appendix F): protected header ``{"alg": "EdDSA", "kid": <did:key URL>}``, payload the RFC 8785
(JCS) canonical form of the document without its ``signature`` member.

>>> import json
>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> from credentials.keys import Ed25519Signer
>>> from credentials.multikey import did_key_for, did_key_verification_method
>>> key = Ed25519PrivateKey.generate()
>>> did = did_key_for(key.public_key())
>>> signer = Ed25519Signer(key, did_key_verification_method(did))
>>> entry = {"id": "did:web:college.example", "legalName": {"en": "A College", "fr": "Un collège"},
...          "institutionType": "college", "jurisdiction": "CA-ON", "status": "active"}
>>> signed = sign_registry(new_registry("Example", [entry]), signer)
>>> registry = load_registry(json.dumps(signed).encode(), [did], "example")
>>> registry.entry("did:web:college.example").name_fr
'Un collège'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path, PurePath
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials import (
    DID_KEY_PREFIX,
    InvalidInput,
    PassportError,
    Signer,
    decode_base64url,
    encode_base64url,
    jcs,
    parse_json,
    parse_json_object,
    resolve_did_key,
)
from verifier.context import TrustedIssuer

REGISTRY_TYPE = "PassportTrustRegistry"
SIGNATURE_ALGORITHM = "EdDSA"
# A registry of every institution of a country stays far below this; bigger is refused.
MAX_REGISTRY_BYTES = 8 * 1024 * 1024
INSTITUTION_TYPES = frozenset(
    {
        "college",
        "university",
        "indigenous_institute",
        "private_career_college",
        "training_provider",
        "employer",
        "other",
    }
)


class RegistryStatus(StrEnum):
    """``active`` issuers are recognized; ``suspended`` and ``withdrawn`` ones are not."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


# When sources disagree about one issuer, the most restrictive answer wins (docs/verification.md).
_RESTRICTIVENESS = {
    RegistryStatus.ACTIVE: 0,
    RegistryStatus.SUSPENDED: 1,
    RegistryStatus.WITHDRAWN: 2,
}


class RegistryRefused(InvalidInput):
    """A registry file that is not used: unsigned, wrongly signed, or malformed."""

    code = "registry_refused"


@dataclass(frozen=True)
class RegistryEntry(TrustedIssuer):
    """A recognized (or formerly recognized) issuer; ``source`` names the registry it came from."""

    jurisdiction: str = ""
    source: str = ""
    status: RegistryStatus = field(default=RegistryStatus.ACTIVE, kw_only=True)

    def as_json(self) -> dict[str, Any]:
        """The entry in the registry file format."""
        return {
            "id": self.issuer_id,
            "legalName": {"en": self.name_en, "fr": self.name_fr},
            "institutionType": self.kind,
            "jurisdiction": self.jurisdiction,
            "status": self.status.value,
        }


class RegistrySource(Protocol):
    """Anything that knows issuers: a signed file, the deployment's institutions, a database."""

    def entry(self, issuer_id: str) -> RegistryEntry | None:
        """The entry for exactly ``issuer_id`` whatever its status, or None."""
        ...


@dataclass(frozen=True)
class InstitutionRegistry:
    """Entries held in memory: the deployment's own institutions, or a loaded registry file."""

    entries: Mapping[str, RegistryEntry]
    name: str = "this deployment"

    def entry(self, issuer_id: str) -> RegistryEntry | None:
        return self.entries.get(issuer_id)

    def lookup(self, issuer_id: str) -> TrustedIssuer | None:
        return self.entry(issuer_id)


@dataclass(frozen=True)
class CompositeRegistry:
    """Several sources as one ``TrustRegistry``: an issuer is recognized when some source lists
    it and no source lists it as suspended or withdrawn (the most restrictive status wins)."""

    sources: Sequence[RegistrySource]

    def entry(self, issuer_id: str) -> RegistryEntry | None:
        found = [entry for source in self.sources if (entry := source.entry(issuer_id))]
        if not found:
            return None
        return max(found, key=lambda entry: _RESTRICTIVENESS[entry.status])

    def lookup(self, issuer_id: str) -> TrustedIssuer | None:
        return self.entry(issuer_id)

    @cached_property
    def version(self) -> str:
        """The SHA-256 of the entries held in memory (registry files are loaded once, at start):
        caches of reports key on it (``verifier.outcome_cache``). Sources read from a database
        (our own institutions) change with ``OwnDocuments.revision`` instead."""
        held = [
            sorted((key, entry.as_json()) for key, entry in source.entries.items())
            for source in self.sources
            if isinstance(source, InstitutionRegistry)
        ]
        return hashlib.sha256(json.dumps(held, sort_keys=True).encode()).hexdigest()


def _text(item: Mapping[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise RegistryRefused(f"{where}: '{name}' must be a non-empty string")
    return value.strip()


def parse_entry(item: Any, source: str, position: int = 0) -> RegistryEntry:
    """One entry of the file format; ``RegistryRefused`` says which field is wrong."""
    where = f"{source}: entry {position}"
    if not isinstance(item, dict):
        raise RegistryRefused(f"{where} is not an object")
    names = item.get("legalName")
    if not isinstance(names, dict):
        raise RegistryRefused(f"{where}: 'legalName' must be an object with 'en' and 'fr'")
    kind = _text(item, "institutionType", where)
    if kind not in INSTITUTION_TYPES:
        allowed = ", ".join(sorted(INSTITUTION_TYPES))
        raise RegistryRefused(f"{where}: institutionType {kind!r} is not one of {allowed}")
    try:
        status = RegistryStatus(item.get("status", RegistryStatus.ACTIVE.value))
    except ValueError:
        raise RegistryRefused(f"{where}: status must be active, suspended or withdrawn") from None
    return RegistryEntry(
        issuer_id=_text(item, "id", where),
        name_en=_text(names, "en", where),
        name_fr=_text(names, "fr", where),
        kind=kind,
        jurisdiction=_text(item, "jurisdiction", where),
        status=status,
        source=source,
    )


def new_registry(name: str, entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An unsigned registry document (sign it with ``sign_registry``)."""
    return {"type": REGISTRY_TYPE, "name": name, "entries": [dict(entry) for entry in entries]}


def _signing_input(header: str, document: Mapping[str, Any]) -> bytes:
    unsigned = {key: value for key, value in document.items() if key != "signature"}
    return f"{header}.{encode_base64url(jcs(unsigned).encode('utf-8'))}".encode("ascii")


def sign_registry(document: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """``document`` with a fresh detached-payload JWS in ``signature`` (replacing any old one)."""
    if signer.algorithm != SIGNATURE_ALGORITHM:
        raise InvalidInput(f"registry files are signed with {SIGNATURE_ALGORITHM} keys only")
    header = {"alg": SIGNATURE_ALGORITHM, "kid": signer.verification_method}
    encoded_header = encode_base64url(jcs(header).encode("utf-8"))
    signature = signer.sign(_signing_input(encoded_header, document))
    return {**document, "signature": f"{encoded_header}..{encode_base64url(signature)}"}


def trusted_key(reference: str) -> tuple[str, Ed25519PublicKey]:
    """A configured trusted registry key (a did:key, with or without fragment): (DID, key)."""
    if not reference.startswith(DID_KEY_PREFIX):
        raise RegistryRefused(f"trusted registry key {reference!r} must be a did:key")
    try:
        method = resolve_did_key(reference)
    except PassportError as error:
        raise RegistryRefused(f"trusted registry key {reference!r}: {error.message}") from None
    assert isinstance(method.public_key, Ed25519PublicKey)
    return method.controller, method.public_key


def _signer_of(document: Mapping[str, Any], trusted: Sequence[str], source: str) -> str:
    """Verify the detached JWS; return the DID that signed it. Refuse with the reason."""
    signature = document.get("signature")
    if not isinstance(signature, str):
        raise RegistryRefused(f"{source} is not signed: registry files must carry a 'signature'")
    if signature.count(".") != 2:
        raise RegistryRefused(f"{source}: 'signature' must be a JWS with detached payload")
    header_part, payload_part, signature_part = signature.split(".")
    if payload_part:
        raise RegistryRefused(f"{source}: 'signature' must be a JWS with detached payload")
    try:
        header = parse_json_object(decode_base64url(header_part))
        signature_bytes = decode_base64url(signature_part)
    except PassportError as error:
        raise RegistryRefused(f"{source}: unreadable signature: {error.message}") from None
    if header.get("alg") != SIGNATURE_ALGORITHM or set(header) - {"alg", "kid", "typ"}:
        raise RegistryRefused(f"{source}: only an EdDSA signature with alg and kid is accepted")
    kid = str(header.get("kid", ""))
    keys = dict(trusted_key(reference) for reference in trusted)
    did = kid.partition("#")[0]
    if did not in keys:
        raise RegistryRefused(
            f"{source} is signed by {did or 'no key'}, not a trusted registry key"
        )
    try:
        keys[did].verify(signature_bytes, _signing_input(header_part, document))
    except InvalidSignature:
        raise RegistryRefused(f"{source}: the signature does not verify (file changed?)") from None
    return did


def load_registry(data: bytes, trusted: Sequence[str], source: str) -> InstitutionRegistry:
    """Parse and verify one registry file's bytes; ``RegistryRefused`` with the reason."""
    try:
        document = parse_json(data, max_bytes=MAX_REGISTRY_BYTES)
    except PassportError as error:
        raise RegistryRefused(f"{source}: {error.message}") from None
    if not isinstance(document, dict) or document.get("type") != REGISTRY_TYPE:
        raise RegistryRefused(f"{source} is not a {REGISTRY_TYPE} document")
    _signer_of(document, trusted, source)
    items = document.get("entries")
    if not isinstance(items, list):
        raise RegistryRefused(f"{source}: 'entries' must be a list")
    # Errors name the file for the operator; the entries name the registry by its own name (or
    # the file's name), as verification reports show it to anyone: never a path on the server.
    label = str(document.get("name") or PurePath(source).name)
    entries: dict[str, RegistryEntry] = {}
    for position, item in enumerate(items):
        entry = parse_entry(item, source, position)
        if entry.issuer_id in entries:
            raise RegistryRefused(f"{source} lists {entry.issuer_id} twice")
        entries[entry.issuer_id] = replace(entry, source=label)
    return InstitutionRegistry(entries, label)


def load_registry_file(path: Path, trusted: Sequence[str]) -> InstitutionRegistry:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_REGISTRY_BYTES + 1)
    except OSError as error:
        raise RegistryRefused(f"{path}: {error.strerror or error}") from None
    return load_registry(data, trusted, str(path))


def load_registries(
    paths: Sequence[Path], trusted: Sequence[str], own: Sequence[RegistrySource] = ()
) -> CompositeRegistry:
    """The deployment's registry: its own institutions first, then every configured file."""
    if paths and not trusted:
        raise RegistryRefused("registry files are configured but no trusted registry key is")
    return CompositeRegistry([*own, *(load_registry_file(path, trusted) for path in paths)])
