"""Issuer identity: each institution's DID, its signing key, rotation and key revocation.

An institution is ``did:web:<host>:issuers:<slug>`` on the deployment's host (the port, if any,
percent-encoded: did:web method section 3.2.1), so its DID document is served by this deployment
at ``/issuers/<slug>/did.json``; or a ``did:key`` for development and offline use. Employer
partners are the same under ``employers``. Keys live in ``keys.store.KeyStore`` under the owner
``issuer:<slug>`` (``employer:<slug>``); a private key never leaves it, only a ``Signer``.

Rotation retires the active key, which stays an assertion method in the DID document, so every
credential signed earlier keeps verifying against its exact key id. A did:key institution gets a
new did:key (the DID of a did:key is its key); its credentials already issued still verify, as a
did:key resolves from itself.

>>> institution_did("https://passport.example.ca", "college-x", "did:web")
'did:web:passport.example.ca:issuers:college-x'
>>> institution_did("http://localhost:8000", "college-x", "did:web")
'did:web:localhost%3A8000:issuers:college-x'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from sqlmodel import Session, select

from credentials import DID_KEY_PREFIX, OB_V3P0, VC_V2, InvalidInput, NotFound, Signer
from issuers.awards.status_lists import mark_lists_for_resigning
from issuers.tables import Employer, Institution
from keys import (
    DID_KEY_METHOD,
    KeyStatus,
    KeyStore,
    MasterKey,
    SigningKey,
    did_document,
    did_web_for,
    jwks,
)

DidMethod = Literal["did:web", "did:key"]
ISSUERS_PATH = "issuers"
EMPLOYERS_PATH = "employers"
ISSUER_OWNER_KIND = "issuer"
EMPLOYER_OWNER_KIND = "employer"
# Small enough that a rotation or revocation reaches verifiers within minutes through a CDN.
DOCUMENT_MAX_AGE = timedelta(seconds=300)
DOCUMENT_CACHE_CONTROL = f"public, max-age={int(DOCUMENT_MAX_AGE.total_seconds())}"


def did_for(base_url: str, collection: str, slug: str, method: DidMethod) -> str:
    """The DID of an entity of this deployment, or ``DID_KEY_METHOD`` for a did:key one (the
    did:key is derived from its first key when the key is made)."""
    if method == "did:key":
        return DID_KEY_METHOD
    host = urlsplit(base_url).netloc
    return did_web_for(host, [collection, slug])


def institution_did(base_url: str, slug: str, method: DidMethod) -> str:
    return did_for(base_url, ISSUERS_PATH, slug, method)


def institution_owner(institution: Institution) -> str:
    return f"{ISSUER_OWNER_KIND}:{institution.slug}"


def signer_for_institution(
    session: Session, master: MasterKey, now: datetime, institution: Institution
) -> Signer:
    """The ``Signer`` of the institution's active key (``KeyNotFound`` if it has none)."""
    return KeyStore(session, master, now).signer_for(institution_owner(institution))


def status_list_signer_for_institution(
    session: Session, master: MasterKey, now: datetime, institution: Institution
) -> Signer:
    """The signer of the institution's status lists: for one DID-document lifetime after a
    rotation, the retired key that every caching verifier still knows
    (``KeyStore.transition_signer_for``; docs/operations.md, "Rotation timeline")."""
    return KeyStore(session, master, now).transition_signer_for(
        institution_owner(institution), DOCUMENT_MAX_AGE
    )


def institution_keys(
    session: Session, master: MasterKey, now: datetime, owner: str
) -> list[SigningKey]:
    """Every key of ``owner`` (``issuer:<slug>`` or ``employer:<slug>``), oldest first."""
    return KeyStore(session, master, now).keys_for(owner)


def rotate_institution_key(
    session: Session, master: MasterKey, now: datetime, institution: Institution
) -> SigningKey:
    """Make a new active key; the old one is retired and stays in the DID document.

    A did:key institution takes the new key's did:key as its DID. The caller commits.
    """
    key = KeyStore(session, master, now).rotate(institution_owner(institution))
    if institution.did != key.did:
        institution.did = key.did
        session.add(institution)
        session.flush()
    return key


class SignedCredentialCounter(Protocol):
    """How many credentials the key ``key_id`` signed at or after ``since``.

    Implemented over the award records, which name the exact key that signed each credential.
    """

    def __call__(self, key_id: str, since: datetime, /) -> int: ...


# Each component that signs credentials contributes one: awards, endorsements...
CounterFactory = Callable[[Session], SignedCredentialCounter]


def counting_all(session: Session, factories: Sequence[CounterFactory]) -> SignedCredentialCounter:
    """One counter summing every component's count."""
    counters = [factory(session) for factory in factories]
    return lambda key_id, since: sum(counter(key_id, since) for counter in counters)


@dataclass(frozen=True)
class KeyRevocation:
    """The revoked key, what it signed since the compromise, and the key that replaced it when
    it was the owner's active one (None for a key already retired)."""

    key: SigningKey
    credentials_signed_since_compromise: int
    new_key: SigningKey | None = None


def revoke_signing_key(
    session: Session,
    master: MasterKey,
    now: datetime,
    key_id: str,
    compromised_since: datetime,
    count_signed_after: SignedCredentialCounter,
    *,
    owner: str | None = None,
    unpublish: bool = False,
) -> KeyRevocation:
    """Mark a key compromised since ``compromised_since`` and report the credentials it signed
    from then on (which verifiers will now refuse). With ``owner``, a key of another owner is
    ``NotFound``, so one institution can never revoke another's key.

    Revoking the owner's active key makes its new active key in the same step, so issuing goes
    on (a did:key owner takes the new did:key as its DID), and an institution's status lists
    are re-signed with the new key on their next read."""
    store = KeyStore(session, master, now)
    existing = store.get_key(key_id)
    if owner is not None and existing.owner_id != owner:
        raise NotFound(f"no key {key_id!r} for {owner!r}")
    was_active = existing.status == KeyStatus.ACTIVE
    key = store.revoke_key(key_id, compromised_since, unpublish=unpublish)
    new_key = _replace_revoked_key(session, store, key) if was_active else None
    return KeyRevocation(key, count_signed_after(key_id, compromised_since), new_key)


def _replace_revoked_key(session: Session, store: KeyStore, revoked: SigningKey) -> SigningKey:
    did = DID_KEY_METHOD if revoked.did.startswith(DID_KEY_PREFIX) else revoked.did
    new_key = store.create_key(revoked.owner_id, did)
    kind, _, slug = revoked.owner_id.partition(":")
    if kind == ISSUER_OWNER_KIND:
        entity: Institution | Employer | None = session.exec(
            select(Institution).where(Institution.slug == slug)
        ).one_or_none()
    elif kind == EMPLOYER_OWNER_KIND:
        entity = session.exec(select(Employer).where(Employer.slug == slug)).one_or_none()
    else:
        entity = None
    if entity is not None and entity.did != new_key.did:
        entity.did = new_key.did
        session.add(entity)
    if isinstance(entity, Institution) and entity.id is not None:
        mark_lists_for_resigning(session, entity.id)
    session.flush()
    return new_key


@dataclass(frozen=True)
class PublishedDocument:
    """A JSON document as served: exact bytes, a strong ETag (RFC 9110 section 8.8.3) and the
    Cache-Control that lets a CDN serve it."""

    body: bytes
    etag: str
    cache_control: str = DOCUMENT_CACHE_CONTROL


def published(document: dict[str, Any]) -> PublishedDocument:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return PublishedDocument(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def did_document_of(
    session: Session, master: MasterKey, now: datetime, did: str, owner: str
) -> PublishedDocument:
    """The did:web document of ``did`` with every published key of ``owner`` under that DID."""
    if did.startswith(DID_KEY_PREFIX):
        raise NotFound(f"{did!r} is a did:key: it resolves from itself, not from this server")
    keys = [key for key in institution_keys(session, master, now, owner) if key.did == did]
    return published(did_document(did, keys))


def jwks_of(session: Session, master: MasterKey, now: datetime, owner: str) -> PublishedDocument:
    return published(jwks(institution_keys(session, master, now, owner)))


def issuer_profile(institution: Institution, lang: str = "en") -> dict[str, Any]:
    """The institution as an OB 3.0 Profile (B.1.14), for a credential's ``issuer``."""
    if lang not in ("en", "fr"):
        raise InvalidInput(f"unsupported language {lang!r}")
    name = institution.legal_name_fr if lang == "fr" else institution.legal_name_en
    profile: dict[str, Any] = {
        "id": institution.did,
        "type": ["Profile"],
        "name": name,
        "url": institution.website,
        "email": institution.contact_email,
    }
    if institution.logo_url:
        profile["image"] = {"id": institution.logo_url, "type": "Image"}
    if institution.region:
        profile["address"] = {
            "type": ["Address"],
            "addressRegion": institution.region,
            "addressCountry": "CA",
        }
    return profile


def profile_document(institution: Institution, lang: str = "en") -> PublishedDocument:
    """The Profile as a standalone JSON-LD document (served at ``/issuers/<slug>``)."""
    return published({"@context": [VC_V2, OB_V3P0], **issuer_profile(institution, lang)})
