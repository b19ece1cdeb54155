"""Reading DID documents and controller documents into verification methods, offline.

The did:web resolver in ``keys/`` fetches a document through the guarded fetcher and hands it
here; tests hand fixtures. Each method is listed with the relationships that reference it (DID Core
1.0 section 5.3), so a proof purpose is checked against the exact key id, never "the first key".

Supported method types: ``Multikey`` and ``Ed25519VerificationKey2020`` (``publicKeyMultibase``),
``JsonWebKey`` and ``JsonWebKey2020`` (``publicKeyJwk``). A method's ``revoked`` date (Controlled
Identifiers 1.0 section 2.2.1) is kept on it: the verifier refuses every proof made with a
revoked key, whatever date the proof claims (``verifier.key_compromise``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credentials.errors import InvalidInput, InvalidKey, KeyNotFound, ResolutionUnavailable
from credentials.jwk import public_key_from_jwk
from credentials.keys import KeyResolver, PublicKey, VerificationMethod
from credentials.models.common import instant_or_none
from credentials.multikey import DID_KEY_PREFIX, decode_public_multikey, resolve_did_key

RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)
MULTIBASE_TYPES = {"Multikey", "Ed25519VerificationKey2020"}
JWK_TYPES = {"JsonWebKey", "JsonWebKey2020"}


def _absolute(reference: str, document_id: str) -> str:
    return document_id + reference if reference.startswith("#") else reference


def _public_key(entry: Mapping[str, Any]) -> PublicKey:
    method_type = entry.get("type")
    if not isinstance(method_type, str):
        # A list or object here would otherwise escape as TypeError (unhashable) from the
        # lookups below: a hostile did:web host must get a refusal, not a crash.
        raise InvalidKey(f"verification method type must be a string, not {method_type!r}")
    if method_type in MULTIBASE_TYPES:
        return decode_public_multikey(str(entry.get("publicKeyMultibase", "")))
    if method_type in JWK_TYPES:
        return public_key_from_jwk(entry.get("publicKeyJwk"))
    raise InvalidKey(f"unsupported verification method type {method_type!r}")


def _revoked(entry: Mapping[str, Any]) -> datetime | None:
    """When the controller reported the key compromised; an unreadable date still marks it
    revoked, so it is refused rather than read as a key in good standing."""
    if "revoked" not in entry:
        return None
    revoked = instant_or_none(entry["revoked"])
    if revoked is None:
        raise InvalidKey(f"verification method {entry.get('id')!r} has an unreadable 'revoked'")
    return revoked


def _method_entries(
    document: Mapping[str, Any],
) -> tuple[dict[str, Mapping[str, Any]], dict[str, set[str]]]:
    """Every embedded method by absolute id, and the relationships that reference each."""
    document_id = document.get("id")
    if not isinstance(document_id, str):
        raise InvalidInput("controller document has no string 'id'")
    entries: dict[str, Mapping[str, Any]] = {}
    referenced: dict[str, set[str]] = {}
    embedded_lists = [("verificationMethod", document.get("verificationMethod", []))]
    embedded_lists += [(name, document.get(name, [])) for name in RELATIONSHIPS]
    for relationship, items in embedded_lists:
        if not isinstance(items, list):
            raise InvalidInput(f"controller document '{relationship}' must be a list")
        for item in items:
            if isinstance(item, str):
                referenced.setdefault(_absolute(item, document_id), set()).add(relationship)
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                method_id = _absolute(item["id"], document_id)
                entries[method_id] = item
                if relationship != "verificationMethod":
                    referenced.setdefault(method_id, set()).add(relationship)
    return entries, referenced


def _method(
    method_id: str, entry: Mapping[str, Any], referenced: dict[str, set[str]]
) -> VerificationMethod:
    return VerificationMethod(
        id=method_id,
        controller=str(entry.get("controller", "")),
        public_key=_public_key(entry),
        relationships=frozenset(referenced.get(method_id, set())),
        revoked=_revoked(entry),
    )


def verification_methods(document: Mapping[str, Any]) -> dict[str, VerificationMethod]:
    """Every verification method of a DID/controller document that this verifier can read,
    keyed by absolute id. Methods of other types (a P-256 Multikey, an X25519 ``keyAgreement``
    key) are left out rather than spoiling the document: DID Core 1.0 section 5.2 lets a
    document list methods of any type, and a proof names its own method by exact id."""
    entries, referenced = _method_entries(document)
    methods: dict[str, VerificationMethod] = {}
    for method_id, entry in entries.items():
        try:
            methods[method_id] = _method(method_id, entry, referenced)
        except InvalidKey:
            continue
    return methods


def method_by_id(document: Mapping[str, Any], method_id: str) -> VerificationMethod:
    """Exactly the method ``method_id``: ``KeyNotFound`` when the document does not list it,
    ``InvalidKey`` (with the reason) when it does but this verifier cannot read its key."""
    entries, referenced = _method_entries(document)
    entry = entries.get(method_id)
    if entry is None:
        raise KeyNotFound(f"{method_id!r} is not in its controller document")
    return _method(method_id, entry, referenced)


@dataclass
class DocumentResolver:
    """Resolves keys from controller documents it was given (fixtures, fetched documents)."""

    documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def resolve(self, verification_method: str) -> VerificationMethod:
        document_id = verification_method.split("#", 1)[0]
        document = self.documents.get(document_id)
        if document is None:
            raise KeyNotFound(f"no controller document for {document_id!r}")
        if document.get("id") != document_id:
            raise KeyNotFound(f"controller document id does not match {document_id!r}")
        method = method_by_id(document, verification_method)
        if method.controller != document_id:
            # Controlled Identifiers 1.0 section 3.3 "Retrieve Verification Method": the method
            # must name the document it sits in as its controller. Otherwise anyone could host
            # a key that claims a victim issuer as its controller and pass the issuer-key check.
            raise KeyNotFound(
                f"{verification_method!r} names {method.controller!r} as its controller, "
                f"not the document it is published in"
            )
        return method


class DidKeyResolver:
    """Resolves did:key locally; everything else is ``KeyNotFound``."""

    def resolve(self, verification_method: str) -> VerificationMethod:
        return resolve_did_key(verification_method)


@dataclass
class ChainResolver:
    """Tries each resolver that claims the id's prefix; the first that claims it answers."""

    resolvers: Sequence[tuple[str, KeyResolver]]

    def resolve(self, verification_method: str) -> VerificationMethod:
        for prefix, resolver in self.resolvers:
            if verification_method.startswith(prefix):
                return resolver.resolve(verification_method)
        raise KeyNotFound(f"no resolver for {verification_method!r}")


NETWORK_PREFIXES = ("https://", "http://", "did:web:")


@dataclass
class OfflineResolver:
    """did:key locally, plus the controller documents it was given; keys that would need the
    network (did:web, HTTPS key URLs) are ``ResolutionUnavailable`` ("could not check"), and
    other DID methods are ``KeyNotFound`` (unsupported)."""

    documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def resolve(self, verification_method: str) -> VerificationMethod:
        if verification_method.startswith(DID_KEY_PREFIX):
            return resolve_did_key(verification_method)
        if verification_method.split("#", 1)[0] in self.documents:
            return DocumentResolver(self.documents).resolve(verification_method)
        if verification_method.startswith(NETWORK_PREFIXES):
            raise ResolutionUnavailable(
                f"resolving {verification_method} needs the network, which is not used here"
            )
        raise KeyNotFound(f"unsupported key identifier {verification_method!r}")


def offline_resolver(documents: Mapping[str, Mapping[str, Any]] | None = None) -> OfflineResolver:
    """did:key locally, plus any controller documents given; nothing from the network."""
    return OfflineResolver(documents or {})
