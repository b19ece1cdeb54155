"""DID documents (did:web, did:key) and JWKS built from our stored signing keys.

What each key lifecycle state publishes, and why:

============  ==================  ===============  ===============  ====================  ====
status        verificationMethod  assertionMethod  authentication   ``revoked`` property  JWKS
============  ==================  ===============  ===============  ====================  ====
active        yes                 yes              yes              no                    yes
retired       yes                 yes              no               no                    yes
revoked       yes (if published)  yes              no               compromised_since     no
unpublished   no                  no               no               no                    no
============  ==================  ===============  ===============  ====================  ====

- A *retired* key stays an assertion method so every credential it signed keeps verifying (the
  verifier resolves the exact key id, never "the first key"). It leaves ``authentication``: a
  rotated-out key must not prove control in a new presentation or login. That is how a DID
  document can mark a key retired: the multikey context defines no "retired" term, and JSON-LD
  processors drop an undefined term (or refuse the document in safe mode).
- A *revoked* (compromised) key stays an assertion method while it is published, because
  credentials signed before the compromise are still genuine. It carries the Controlled
  Identifiers 1.0 section 2.2 ``revoked`` property set to ``compromised_since`` (not to the later
  moment we learnt of it), floored to the second, so that verifiers refuse proofs made at or after
  the compromise. Our verifier reports the compromise window from our records
  (``KeyStore.get_key``). An operator who wants every credential of the key to fail unpublishes it.
- JWKS (RFC 7517) has no revocation member, so a revoked key leaves the JWKS at once.
- A did:key document is fixed by the DID itself (did:key 0.9 section 3.1.2): it is returned as
  ``credentials.multikey.did_key_document`` builds it; its revocation lives only in our records.

>>> did_web_for("passport.example.ca", ["issuers", "college-x"])
'did:web:passport.example.ca:issuers:college-x'
>>> did_web_for("localhost:8000", ["learners", "a1"])
'did:web:localhost%3A8000:learners:a1'
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from sqlmodel import col

from credentials import (
    ASSERTION_METHOD,
    AUTHENTICATION,
    DID_KEY_PREFIX,
    DID_V1,
    MULTIKEY_V1,
    InvalidInput,
    decode_public_multikey,
    did_key_document,
    multikey_verification_method,
    public_jwk,
)
from keys.did_web import DID_WEB_PREFIX
from keys.tables import KeyStatus, SigningKey

_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# DID Core 1.0 section 3.1 idchar without pct-encoded: our path segments and key fragments are
# slugs, ids and multibase strings.
ID_CHARS = re.compile(r"[A-Za-z0-9._-]+")
_MAX_PORT = 65535


def did_web_for(host: str, path_segments: Sequence[str]) -> str:
    """The did:web of ``https://<host>/<segments...>/did.json`` (did:web method, section 3.2.1).

    ``host`` is a DNS name, optionally with ``:port`` (percent-encoded as ``%3A`` in the DID); IP
    addresses are refused, as did:web requires a domain name.
    """
    name, _, port = host.lower().partition(":")
    labels = name.split(".")
    if not all(_DNS_LABEL.fullmatch(label) for label in labels) or _is_ip_address(name):
        raise InvalidInput(f"did:web host {host!r} is not a DNS name")
    if port and not (port.isdigit() and 0 < int(port) <= _MAX_PORT):
        raise InvalidInput(f"did:web host {host!r} has an invalid port")
    for segment in path_segments:
        if not ID_CHARS.fullmatch(segment) or segment in {".", ".."}:
            raise InvalidInput(f"did:web path segment {segment!r} is not allowed")
    authority = f"{name}%3A{port}" if port else name
    return ":".join([DID_WEB_PREFIX + authority, *path_segments])


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class KeyRecord(Protocol):
    """What a verifier reads of a stored key: a ``SigningKey`` row, or its ``KeyState``."""

    @property
    def id(self) -> str: ...
    @property
    def did(self) -> str: ...
    @property
    def public_key_multibase(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def published(self) -> bool: ...
    @property
    def compromised_since(self) -> datetime | None: ...


class KeyState(NamedTuple):
    """The columns of a ``KeyRecord`` read alone (``KEY_STATE_COLUMNS``, in this order): the
    private key stays in the database, and the tuple can key a cache."""

    id: str
    did: str
    public_key_multibase: str
    status: str
    published: bool
    compromised_since: datetime | None


KEY_STATE_COLUMNS = (
    col(SigningKey.id),
    col(SigningKey.did),
    col(SigningKey.public_key_multibase),
    col(SigningKey.status),
    col(SigningKey.published),
    col(SigningKey.compromised_since),
)


def relationships_of(key: KeyRecord) -> frozenset[str]:
    """The verification relationships a stored key is published under (see the module table)."""
    if not key.published:
        return frozenset()
    if key.status == KeyStatus.ACTIVE:
        return frozenset({ASSERTION_METHOD, AUTHENTICATION})
    return frozenset({ASSERTION_METHOD})


def did_document(did: str, keys: Sequence[SigningKey]) -> dict[str, Any]:
    """The DID document of ``did`` listing its published keys, oldest first."""
    foreign = sorted(key.id for key in keys if key.did != did)
    if foreign:
        raise InvalidInput(f"keys {foreign!r} do not belong to {did!r}")
    if did.startswith(DID_KEY_PREFIX):
        return did_key_document(did)
    published = _published_in_order(keys)
    document: dict[str, Any] = {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [_verification_method_entry(key) for key in published],
    }
    for relationship in (ASSERTION_METHOD, AUTHENTICATION):
        document[relationship] = [
            key.id for key in published if relationship in relationships_of(key)
        ]
    return document


def _verification_method_entry(key: SigningKey) -> dict[str, Any]:
    public_key = decode_public_multikey(key.public_key_multibase)
    entry = multikey_verification_method(key.id, key.did, public_key)
    if key.status == KeyStatus.REVOKED and key.compromised_since is not None:
        since = key.compromised_since.astimezone(UTC)
        entry["revoked"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return entry


def jwks(keys: Sequence[SigningKey]) -> dict[str, list[dict[str, str]]]:
    """A JWK Set (RFC 7517 section 5) of the published, unrevoked keys; ``kid`` = method id."""
    entries = []
    for key in _published_in_order(keys):
        if key.status == KeyStatus.REVOKED:
            continue
        public_key = decode_public_multikey(key.public_key_multibase)
        entries.append({**public_jwk(public_key), "kid": key.id, "alg": "EdDSA", "use": "sig"})
    return {"keys": entries}


def _published_in_order(keys: Iterable[SigningKey]) -> list[SigningKey]:
    return sorted((key for key in keys if key.published), key=lambda key: (key.created_at, key.id))
